//! `spikefab_fpga_core.v`: the part of a board design that simulates like
//! any other RTL (verilog-ethernet's `fpga_core.v`): the accelerator (a
//! single core or a mesh), the host link (`snn_host_link`: frames, the
//! register map, the load port, run control; docs/runtime.md), the spike
//! buffer (`snn_spike_merge`), the heartbeat and the status bits. Its host
//! side is a byte stream in each direction (valid/ready); the board shell
//! (`spikefab_shell.v`, [`crate::shell`]) puts a PHY there (a UART), and the
//! virtual board drives the bytes directly. No vendor primitive.
//!
//! An accelerator that reads its synapses from external memory (a single
//! core of an `[synapse_store] kind = "external"` config) gets one AXI4
//! master port on the wrapper (`m_axi_*`, [`memory_ports`]): its read
//! channels are the accelerator's, its write channels `snn_ext_write`'s,
//! which writes the load port's words of memory id [`EXT_LOAD_ID`] (the
//! host's synapse image; docs/runtime.md, "External memory") instead of
//! handing them to the accelerator. Its errors join the accelerator's
//! memory error (register `STATUS` bit 2).
//!
//! The status bits (the shell puts them on LEDs where the board has them):
//! - `status_o[0]`: heartbeat (`snn_heartbeat`, 1 Hz at the core clock);
//! - `status_o[1]`: bit 13 of the step counter (toggles every 8,192
//!   steps: 0.82 s at 10,000 steps per second);
//! - `status_o[2]`: parity of a running XOR of every spike's step and
//!   neuron (a spike signature: it flickers while spikes flow);
//! - `status_o[3]`: overrun, sticky until reset: a paced step started late
//!   (the accelerator is slower than the pace the host set).
//!
//! Steps start only when the host says so (register `RUN`), and only when
//! every lane of the spike buffer has room for one spike of each of its
//! core's neurons: a step cannot overflow the buffer, so no spike is lost.

use std::fmt::Write as _;

use spikefab_hdl::core::{AxiParams, EXT_LOAD_ID};
use spikefab_hdl::{Dir, Port, Role};

/// The generated core wrapper module (and its file stem).
pub const FPGA_CORE: &str = "spikefab_fpga_core";

/// Width of the status output.
pub const STATUS_W: u32 = 4;

/// The step-counter bit on `status_o[1]`.
pub const STEP_LED_BIT: u32 = 13;

/// The host-side ports of [`FPGA_CORE`] besides `clk_i`, `rst_i` and
/// `status_o`, in declaration order: (name, direction, width).
pub const LINK_PORTS: [(&str, Dir, u32); 7] = [
    ("rx_valid_i", Dir::In, 1),
    ("rx_data_i", Dir::In, 8),
    ("rx_ready_o", Dir::Out, 1),
    ("rx_err_i", Dir::In, 1),
    ("tx_valid_o", Dir::Out, 1),
    ("tx_data_o", Dir::Out, 8),
    ("tx_ready_i", Dir::In, 1),
];

/// What the wrapper needs to know about the accelerator and the link.
#[derive(Debug, Clone)]
pub struct CoreDesign<'a> {
    /// The accelerator's top module (`spikefab_net`, `spikefab_top`,
    /// `spikefab_mesh_top`).
    pub net_top: &'a str,
    /// Its ports, as its manifest lists them.
    pub ports: &'a [Port],
    /// The accelerator's config hash (registers `HASH_LO`/`HASH_HI`).
    pub config_hash: u64,
    /// Neuron capacity of one core: one lane of the spike buffer must have
    /// room for this many spikes before a step starts.
    pub lane_neurons: u64,
    /// Clock cycles per half period of the heartbeat.
    pub heartbeat_div: u64,
    /// The link's gap limit inside a frame, in clock cycles.
    pub idle_cycles: u64,
    /// The core clock (comments only).
    pub clock_mhz: f64,
}

/// Records each lane of the spike buffer holds: two steps' worth, so that
/// the host can drain one step while the next runs.
pub fn spike_depth(lane_neurons: u64) -> u64 {
    2 * lane_neurons.max(1)
}

/// The AXI4 port of an accelerator that reads its synapses from external
/// memory (its `m_axi_*` read channels), from the widths of its ports;
/// `None` on chip. `Err` for a mesh's flattened ports (one AXI port per
/// core): the board core writes one memory.
pub fn external_port(d: &CoreDesign) -> Result<Option<AxiParams>, String> {
    let find = |n: &str| d.ports.iter().find(|p| p.name == n);
    let Some(data) = find("m_axi_rdata_i") else {
        return Ok(None);
    };
    let width = |n: &str| {
        find(n)
            .map(|p| p.width)
            .ok_or_else(|| format!("the accelerator {} has no port {n}", d.net_top))
    };
    let lanes = find("spk_valid_o").map_or(1, |p| p.width);
    if lanes > 1 {
        return Err(format!(
            "the accelerator {} is a mesh of {lanes} cores with an external synapse store \
             (one AXI port per core); the board core writes the store of a single core only",
            d.net_top
        ));
    }
    Ok(Some(AxiParams {
        data_w: data.width,
        addr_w: width("m_axi_araddr_o")?,
        id_w: width("m_axi_arid_o")?,
        ..AxiParams::DEFAULT
    }))
}

/// The ports of [`FPGA_CORE`] besides `clk_i`, `rst_i`, `status_o` and
/// [`LINK_PORTS`]: none on chip; with an external synapse store, one AXI4
/// master port (the accelerator's read channels, passed through, and
/// `snn_ext_write`'s write channels), in declaration order.
pub fn memory_ports(d: &CoreDesign) -> Result<Vec<Port>, String> {
    let Some(axi) = external_port(d)? else {
        return Ok(Vec::new());
    };
    let mut v: Vec<Port> = d
        .ports
        .iter()
        .filter(|p| p.role == Role::Memory && p.name != "mem_err_o")
        .cloned()
        .collect();
    v.extend(axi.write_ports());
    Ok(v)
}

/// The text of `spikefab_fpga_core.v`. `head` is the generated-file header
/// line. `Err` names a port of the accelerator the wrapper cannot connect
/// (a config the board core does not support yet, or a generator bug).
pub fn fpga_core_verilog(head: &str, d: &CoreDesign) -> Result<String, String> {
    let find = |n: &str| d.ports.iter().find(|p| p.name == n);
    let ext = external_port(d)?;
    let mem_ports = memory_ports(d)?;
    for u in ["start_i", "busy_o", "step_o", "spk_valid_o", "spk_step_o"] {
        if find(u).is_none() {
            return Err(format!("the accelerator {} has no port {u}", d.net_top));
        }
    }
    let lanes = find("spk_valid_o").map(|p| p.width).unwrap_or(1);
    let spk_id = find("spk_neuron_o")
        .or_else(|| find("spk_gid_o"))
        .ok_or_else(|| format!("the accelerator {} has no spike id port", d.net_top))?;
    if lanes == 0 || spk_id.width % lanes != 0 {
        return Err(format!(
            "the spike id port {} ({} bits) does not split into {lanes} lanes",
            spk_id.name, spk_id.width
        ));
    }
    let gid_w = spk_id.width / lanes;
    if gid_w > 32 {
        return Err(format!(
            "neuron ids of {gid_w} bits do not fit a 32-bit spike record"
        ));
    }
    let core_w = find("ld_core_i").map(|p| p.width);
    let mem_err = find("mem_err_o");

    let mut conns: Vec<(String, String)> = Vec::new();
    for p in d.ports {
        let n = p.name.as_str();
        let c = match (p.dir, n) {
            (Dir::In, "clk_i") => "clk_i".to_string(),
            (Dir::In, "rst_i") => "rst_i".to_string(),
            (Dir::In, "start_i") => "start".to_string(),
            (Dir::In, "spk_ready_i") => "1'b1".to_string(),
            (Dir::In, "ld_valid_i") if ext.is_some() => "ld_valid & ~ld_ext".to_string(),
            (Dir::In, "ld_valid_i") => "ld_valid".to_string(),
            (Dir::In, "ld_last_i") => "ld_last".to_string(),
            (Dir::In, "ld_core_i") => "ld_core".to_string(),
            (Dir::In, "ld_mem_i") => "ld_mem".to_string(),
            (Dir::In, "ld_addr_i") => "ld_addr".to_string(),
            (Dir::In, "ld_data_i") => "ld_data".to_string(),
            // the external memory port: the wrapper's own ports
            (_, _) if p.role == Role::Memory && n != "mem_err_o" => n.to_string(),
            (Dir::In, _) => return Err(format!("no connection for the accelerator's input {n}")),
            (Dir::Out, _) => format!("net_{}", p.stem()),
        };
        conns.push((n.to_string(), c));
    }
    if find("ld_valid_i").is_none() || find("ld_ready_o").is_none() {
        return Err(format!("the accelerator {} has no load port", d.net_top));
    }

    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {FPGA_CORE}: the accelerator {} ({lanes} spike lane{}) behind the host link",
        d.net_top,
        if lanes == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        w,
        "// (snn_host_link: frames, registers, load port, run control; docs/runtime.md), the spike"
    );
    let _ = writeln!(
        w,
        "// buffer (snn_spike_merge: {} records per lane, a step starts with room for {}),",
        spike_depth(d.lane_neurons),
        d.lane_neurons
    );
    let _ = writeln!(
        w,
        "// the heartbeat and status bits. No vendor primitives: the board shell spikefab_shell.v"
    );
    let _ = writeln!(
        w,
        "// clocks and resets it and puts a PHY on the byte streams. Defaults for {} MHz.",
        d.clock_mhz
    );
    let _ = writeln!(w, "//   status_o[0] heartbeat");
    let _ = writeln!(w, "//   status_o[1] bit {STEP_LED_BIT} of the step counter");
    let _ = writeln!(
        w,
        "//   status_o[2] parity of the running XOR of every spike's {{step, neuron}}"
    );
    let _ = writeln!(
        w,
        "//   status_o[3] overrun (sticky): a paced step started late"
    );
    w.push_str("`default_nettype none\n");
    let _ = writeln!(w, "module {FPGA_CORE} #(");
    let _ = writeln!(
        w,
        "  // Clock cycles per half period of the heartbeat (status_o[0]); >= 1."
    );
    let _ = writeln!(
        w,
        "  parameter integer HEARTBEAT_DIV = {},",
        d.heartbeat_div
    );
    let _ = writeln!(
        w,
        "  // Most clock cycles between two bytes of one host frame before the link drops it; >= 1."
    );
    let _ = writeln!(w, "  parameter integer IDLE_CYCLES = {}", d.idle_cycles);
    let _ = writeln!(w, ") (");
    let _ = writeln!(w, "  input  wire       clk_i,");
    let _ = writeln!(
        w,
        "  // synchronous, active high (from the shell's reset synchronizer)"
    );
    let _ = writeln!(w, "  input  wire       rst_i,");
    let _ = writeln!(
        w,
        "  // bytes from the host (valid/ready) and the PHY's lost-byte pulse"
    );
    let _ = writeln!(w, "  input  wire       rx_valid_i,");
    let _ = writeln!(w, "  input  wire [7:0] rx_data_i,");
    let _ = writeln!(w, "  output wire       rx_ready_o,");
    let _ = writeln!(w, "  input  wire       rx_err_i,");
    let _ = writeln!(w, "  // bytes to the host (valid/ready)");
    let _ = writeln!(w, "  output wire       tx_valid_o,");
    let _ = writeln!(w, "  output wire [7:0] tx_data_o,");
    let _ = writeln!(w, "  input  wire       tx_ready_i,");
    if !mem_ports.is_empty() {
        let _ = writeln!(
            w,
            "  // the external synapse store's AXI4 port: reads by the accelerator, writes"
        );
        let _ = writeln!(
            w,
            "  // of the host's image by snn_ext_write (load-port memory id {EXT_LOAD_ID})"
        );
        for p in &mem_ports {
            let _ = writeln!(w, "  {:<17} {},", p.decl(), p.name);
        }
    }
    let _ = writeln!(w, "  output wire [{}:0] status_o", STATUS_W - 1);
    let _ = writeln!(w, ");");

    // accelerator
    w.push_str(
        "  // ---------------------------------------------------------------- accelerator\n",
    );
    let outs: Vec<&Port> = d
        .ports
        .iter()
        .filter(|p| p.dir == Dir::Out && !(p.role == Role::Memory && p.name != "mem_err_o"))
        .collect();
    let wd = outs
        .iter()
        .map(|p| p.net_decl().len())
        .max()
        .unwrap_or(4)
        .max(12);
    for p in &outs {
        let _ = writeln!(w, "  {:<wd$} net_{};", p.net_decl(), p.stem());
    }
    let cw = core_w.unwrap_or(1);
    let _ = writeln!(w, "  {:<wd$} start;", "wire");
    let _ = writeln!(w, "  {:<wd$} ld_valid;", "wire");
    let _ = writeln!(w, "  {:<wd$} ld_last;", "wire");
    let _ = writeln!(w, "  {:<wd$} ld_core;", format!("wire [{}:0]", cw - 1));
    let _ = writeln!(w, "  {:<wd$} ld_mem;", "wire [3:0]");
    let _ = writeln!(w, "  {:<wd$} ld_addr;", "wire [31:0]");
    let _ = writeln!(w, "  {:<wd$} ld_data;", "wire [31:0]");
    let _ = writeln!(w, "  {:<wd$} ld_ready;", "wire");
    if ext.is_some() {
        let _ = writeln!(w, "  {:<wd$} ld_ext;", "wire");
        let _ = writeln!(w, "  {:<wd$} ext_ready;", "wire");
        let _ = writeln!(w, "  {:<wd$} ext_err;", "wire");
    }
    let nw = conns.iter().map(|(n, _)| n.len()).max().unwrap_or(1);
    let _ = writeln!(w, "\n  {} u_net (", d.net_top);
    for (k, (n, c)) in conns.iter().enumerate() {
        let comma = if k + 1 < conns.len() { "," } else { "" };
        let _ = writeln!(w, "    .{n:<nw$} ({c}){comma}");
    }
    let _ = writeln!(w, "  );");
    let used = [
        "busy_o",
        "step_o",
        "ld_ready_o",
        "spk_valid_o",
        "spk_step_o",
        spk_id.name.as_str(),
        "mem_err_o",
    ];
    let mut unused: Vec<String> = outs
        .iter()
        .filter(|p| !used.contains(&p.name.as_str()))
        .map(|p| format!("net_{}", p.stem()))
        .collect();
    if core_w.is_none() {
        unused.push("ld_core".into());
    }
    let _ = writeln!(
        w,
        "  // Outputs the wrapper does not read (control and observation ports), and the load"
    );
    let _ = writeln!(w, "  // port's core id on a single core.");
    let _ = writeln!(w, "  wire unused_net = ^{{{}}};", unused.join(", "));
    let mut mem_err_expr = match mem_err {
        Some(p) if p.width == 1 => "net_mem_err".to_string(),
        Some(_) => "|net_mem_err".to_string(),
        None => "1'b0".to_string(),
    };
    match ext {
        None => w.push_str("\n  assign ld_ready = net_ld_ready;\n"),
        Some(a) => {
            mem_err_expr = format!("{mem_err_expr} | ext_err");
            let wconn: Vec<String> = a
                .write_ports()
                .iter()
                .map(|p| format!("    .{0:<16}({0}),", p.name))
                .collect();
            let _ = write!(
                w,
                "
  // ---------------------------------------------------------------- external memory
  // Load-port words of memory id {EXT_LOAD_ID} are the host's synapse image: snn_ext_write
  // writes them through the AXI4 port's write channels; the accelerator never sees them.
  assign ld_ext   = (ld_mem == 4'd{EXT_LOAD_ID});
  assign ld_ready = ld_ext ? ext_ready : net_ld_ready;

  snn_ext_write #(
    .DATA_W({data_w}),
    .ADDR_W({addr_w}),
    .ID_W({id_w})
  ) u_ext_write (
    .clk_i          (clk_i),
    .rst_i          (rst_i),
    .in_valid_i     (ld_valid & ld_ext),
    .in_ready_o     (ext_ready),
    .in_last_i      (ld_last),
    .in_addr_i      (ld_addr),
    .in_data_i      (ld_data),
{wconn}
    .err_o          (ext_err)
  );
",
                data_w = a.data_w,
                addr_w = a.addr_w,
                id_w = a.id_w,
                wconn = wconn.join("\n"),
            );
        }
    }
    let spk_id_net = format!("net_{}", spk_id.stem());
    let depth = spike_depth(d.lane_neurons);
    let hash = d.config_hash;
    let step_bit = STEP_LED_BIT;
    w.push_str(&format!(
        "
  // ---------------------------------------------------------------- spike buffer
  wire        spk_valid;
  wire [31:0] spk_step;
  wire [31:0] spk_neuron;
  wire        spk_ready;
  wire        room;
  wire [31:0] spk_level;
  wire [31:0] spk_emitted;
  wire        spk_clr;
  wire        spk_overflow;

  snn_spike_merge #(
    .LANES({lanes}),
    .GID_W({gid_w}),
    .DEPTH({depth}),
    .ROOM({room})
  ) u_spikes (
    .clk_i       (clk_i),
    .rst_i       (rst_i),
    .in_valid_i  (net_spk_valid),
    .in_step_i   (net_spk_step),
    .in_neuron_i ({spk_id_net}),
    .out_valid_o (spk_valid),
    .out_step_o  (spk_step),
    .out_neuron_o(spk_neuron),
    .out_ready_i (spk_ready),
    .room_o      (room),
    .level_o     (spk_level),
    .emitted_o   (spk_emitted),
    .clr_i       (spk_clr),
    .overflow_o  (spk_overflow)
  );
  // Steps start only with room for every neuron's spike, so the buffer cannot
  // overflow; its sticky flag is left unread (the tests check it stays low).
  wire unused_overflow = spk_overflow;

  // ---------------------------------------------------------------- host link
  wire overrun;

  snn_host_link #(
    .CONFIG_HASH(64'h{hash:016x}),
    .CORE_W({cw}),
    .N_CORES({lanes}),
    .IDLE_CYCLES(IDLE_CYCLES)
  ) u_link (
    .clk_i        (clk_i),
    .rst_i        (rst_i),
    .rx_valid_i   (rx_valid_i),
    .rx_data_i    (rx_data_i),
    .rx_ready_o   (rx_ready_o),
    .rx_err_i     (rx_err_i),
    .tx_valid_o   (tx_valid_o),
    .tx_data_o    (tx_data_o),
    .tx_ready_i   (tx_ready_i),
    .ld_valid_o   (ld_valid),
    .ld_ready_i   (ld_ready),
    .ld_last_o    (ld_last),
    .ld_core_o    (ld_core),
    .ld_mem_o     (ld_mem),
    .ld_addr_o    (ld_addr),
    .ld_data_o    (ld_data),
    .start_o      (start),
    .core_busy_i  (net_busy),
    .core_step_i  (net_step),
    .mem_err_i    ({mem_err_expr}),
    .room_i       (room),
    .spk_valid_i  (spk_valid),
    .spk_step_i   (spk_step),
    .spk_neuron_i (spk_neuron),
    .spk_ready_o  (spk_ready),
    .spk_level_i  (spk_level),
    .spk_emitted_i(spk_emitted),
    .clr_o        (spk_clr),
    .overrun_o    (overrun)
  );

  // ---------------------------------------------------------------- status
  // sig_q: rotate left by one, then XOR in {{step, neuron}} of the record the
  // link takes from the spike buffer.
  reg [63:0] sig_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      sig_q <= 64'd0;
    end else if (spk_valid & spk_ready) begin
      sig_q <= {{sig_q[62:0], sig_q[63]}} ^ {{spk_step, spk_neuron}};
    end
  end

  wire heartbeat;

  snn_heartbeat #(
    .DIV(HEARTBEAT_DIV)
  ) u_heartbeat (
    .clk_i(clk_i),
    .rst_i(rst_i),
    .led_o(heartbeat)
  );

  assign status_o = {{overrun, ^sig_q, net_step[{step_bit}], heartbeat}};
",
        room = d.lane_neurons.max(1),
    ));
    w.push_str("endmodule\n`default_nettype wire\n");
    Ok(s)
}
