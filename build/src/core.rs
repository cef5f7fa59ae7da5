//! `spikefab_fpga_core.v`: the part of a board design that simulates like
//! any other RTL (verilog-ethernet's `fpga_core.v`): the generated network
//! accelerator (`spikefab_net`), a step timer that starts a step every
//! `STEP_CYCLES` cycles (real time: one step per `dt` of the network), the
//! heartbeat LED and three status bits. No vendor primitive: the board
//! shell (`spikefab_shell.v`, [`crate::shell`]) owns clocking, the reset
//! synchronizer and the pins.
//!
//! The status bits (the shell puts them on LEDs where the board has them):
//! - `status_o[0]`: heartbeat (`snn_heartbeat`, 1 Hz at the core clock);
//! - `status_o[1]`: bit 13 of the step counter (toggles every 8,192
//!   steps: 0.82 s at 10,000 steps per second);
//! - `status_o[2]`: parity of a running XOR of every spike's step and
//!   neuron (a spike signature; it keeps the spike outputs observable, so
//!   that synthesis does not remove the accelerator);
//! - `status_o[3]`: overrun, sticky until reset: a step was due while the
//!   previous one was still running (the accelerator is slower than real
//!   time at this clock).
//!
//! The load port is tied off (the memories start from their `$readmemh`
//! images) and the spike stream is always ready. The host link that will
//! load networks and read spikes is a later step (docs/build.md).

use std::fmt::Write as _;

use spikefab_hdl::{Dir, Port, Role};

/// The generated core wrapper module (and its file stem).
pub const FPGA_CORE: &str = "spikefab_fpga_core";

/// Width of the status output.
pub const STATUS_W: u32 = 4;

/// The step-counter bit on `status_o[1]`.
pub const STEP_LED_BIT: u32 = 13;

/// How the core wrapper drives or reads each port of the network top;
/// `Err` names a port it does not know (the generator and this wrapper
/// disagree: a bug, reported rather than guessed).
fn connection(p: &Port) -> Result<String, String> {
    let n = p.name.as_str();
    Ok(match (p.dir, n) {
        (Dir::In, "clk_i") => "clk_i".into(),
        (Dir::In, "rst_i") => "rst_i".into(),
        (Dir::In, "start_i") => "start".into(),
        (Dir::In, "spk_ready_i") => "1'b1".into(),
        (Dir::In, _) if p.role == Role::Load => p.zero(),
        (Dir::In, _) => return Err(n.to_string()),
        (Dir::Out, _) => format!("net_{}", p.stem()),
    })
}

/// The outputs of the network top the wrapper reads.
const USED: &[&str] = &[
    "busy_o",
    "step_o",
    "spk_valid_o",
    "spk_step_o",
    "spk_neuron_o",
];

/// The text of `spikefab_fpga_core.v` for a network top `net_top` with
/// ports `ports`. `head` is the generated-file header line.
pub fn fpga_core_verilog(
    head: &str,
    net_top: &str,
    ports: &[Port],
    heartbeat_div: u64,
    step_cycles: u64,
    clock_mhz: f64,
    dt_ms: f64,
) -> Result<String, String> {
    for u in USED {
        if !ports.iter().any(|p| p.name == *u) {
            return Err(format!("the network top has no port {u}"));
        }
    }
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {FPGA_CORE}: the accelerator {net_top} with a step timer, a heartbeat and status bits;"
    );
    let _ = writeln!(
        w,
        "// no vendor primitives (the board shell spikefab_shell.v clocks and resets it)."
    );
    let _ = writeln!(
        w,
        "// Defaults for a {clock_mhz} MHz clock: a step every {step_cycles} cycles (dt = {dt_ms} ms, real time),"
    );
    let _ = writeln!(w, "// the heartbeat at 1 Hz.");
    let _ = writeln!(w, "//   status_o[0] heartbeat");
    let _ = writeln!(w, "//   status_o[1] bit {STEP_LED_BIT} of the step counter");
    let _ = writeln!(
        w,
        "//   status_o[2] parity of the running XOR of every spike's {{step, neuron}}"
    );
    let _ = writeln!(
        w,
        "//   status_o[3] overrun (sticky): a step was due while the previous one ran"
    );
    let _ = writeln!(
        w,
        "// The load port is tied off (the memories start from their $readmemh images); the"
    );
    let _ = writeln!(w, "// spike stream is always ready.");
    w.push_str("`default_nettype none\n");
    let _ = writeln!(w, "module {FPGA_CORE} #(");
    let _ = writeln!(
        w,
        "  // Clock cycles per half period of the heartbeat (status_o[0]); >= 1."
    );
    let _ = writeln!(w, "  parameter integer HEARTBEAT_DIV = {heartbeat_div},");
    let _ = writeln!(
        w,
        "  // Clock cycles from one step start to the next; >= 1 (1: as fast as the core runs)."
    );
    let _ = writeln!(w, "  parameter integer STEP_CYCLES = {step_cycles}");
    let _ = writeln!(w, ") (");
    let _ = writeln!(w, "  input  wire       clk_i,");
    let _ = writeln!(
        w,
        "  // synchronous, active high (from the shell's reset synchronizer)"
    );
    let _ = writeln!(w, "  input  wire       rst_i,");
    let _ = writeln!(w, "  output wire [{}:0] status_o", STATUS_W - 1);
    let _ = writeln!(w, ");");
    w.push_str(
        "  // ---------------------------------------------------------------- checks
  generate
    if (STEP_CYCLES < 1) begin : g_err_step_cycles
`ifdef VERILATOR
      $error(\"spikefab_fpga_core: STEP_CYCLES (%0d) must be >= 1\", STEP_CYCLES);
`else
      spikefab_fpga_core__STEP_CYCLES_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

",
    );
    w.push_str(
        "  // ---------------------------------------------------------------- accelerator\n",
    );
    let wd = ports
        .iter()
        .filter(|p| p.dir == Dir::Out)
        .map(|p| p.net_decl().len())
        .max()
        .unwrap_or(4);
    for p in ports.iter().filter(|p| p.dir == Dir::Out) {
        let _ = writeln!(w, "  {:<wd$} net_{};", p.net_decl(), p.stem());
    }
    let _ = writeln!(w, "  wire start;");
    let mut conns = Vec::new();
    for p in ports {
        let c =
            connection(p).map_err(|n| format!("no connection for the network top's input {n}"))?;
        conns.push((p.name.clone(), c));
    }
    let nw = conns.iter().map(|(n, _)| n.len()).max().unwrap_or(1);
    let _ = writeln!(w, "\n  {net_top} u_net (");
    for (k, (n, c)) in conns.iter().enumerate() {
        let comma = if k + 1 < conns.len() { "," } else { "" };
        let _ = writeln!(w, "    .{n:<nw$} ({c}){comma}");
    }
    let _ = writeln!(w, "  );");
    // the step counter: one bit is read
    let unused: Vec<String> = ports
        .iter()
        .filter(|p| p.dir == Dir::Out && (!USED.contains(&p.name.as_str()) || p.name == "step_o"))
        .map(|p| format!("net_{}", p.stem()))
        .collect();
    let _ = writeln!(
        w,
        "  // Outputs the wrapper does not read (control, load and observation ports, the"
    );
    let _ = writeln!(w, "  // step counter but one bit).");
    let _ = writeln!(w, "  wire unused_net = ^{{{}}};", unused.join(", "));
    let spk_w = ports
        .iter()
        .find(|p| p.name == "spk_neuron_o")
        .map(|p| p.width)
        .unwrap_or(1);
    w.push_str(&format!(
        "
  // ---------------------------------------------------------------- step timer
  // tmr_q counts STEP_CYCLES cycles; at its wrap a step is due (due_q) until
  // the core is idle and takes it. A step due while one is pending is an
  // overrun.
  localparam [31:0] TMR_LAST = STEP_CYCLES - 1;
  reg  [31:0] tmr_q;
  reg         due_q;
  reg         overrun_q;
  wire        tick = (tmr_q == TMR_LAST);
  wire        take = due_q & ~net_busy;

  always @(posedge clk_i) begin
    if (rst_i) begin
      tmr_q     <= 32'd0;
      due_q     <= 1'b0;
      overrun_q <= 1'b0;
    end else begin
      tmr_q     <= tick ? 32'd0 : tmr_q + 32'd1;
      due_q     <= tick | (due_q & ~take);
      overrun_q <= overrun_q | (tick & due_q & ~take);
    end
  end

  assign start = due_q;

  // ---------------------------------------------------------------- spikes
  // sig_q: rotate left by one, then XOR in {{step, neuron}} of each spike.
  localparam integer SIG_W = 32 + {spk_w};
  reg [SIG_W-1:0] sig_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      sig_q <= {{SIG_W{{1'b0}}}};
    end else if (net_spk_valid) begin
      sig_q <= {{sig_q[SIG_W-2:0], sig_q[SIG_W-1]}} ^ {{net_spk_step, net_spk_neuron}};
    end
  end

  // ---------------------------------------------------------------- status
  wire heartbeat;

  snn_heartbeat #(
    .DIV(HEARTBEAT_DIV)
  ) u_heartbeat (
    .clk_i(clk_i),
    .rst_i(rst_i),
    .led_o(heartbeat)
  );

  assign status_o = {{overrun_q, ^sig_q, net_step[{STEP_LED_BIT}], heartbeat}};
"
    ));
    w.push_str("endmodule\n`default_nettype wire\n");
    Ok(s)
}
