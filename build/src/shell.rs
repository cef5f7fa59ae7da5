//! `spikefab_shell.v`, the top of a board design (verilog-ethernet's
//! `fpga.v`): the board's pins as ports (the names of docs/boards.md, which
//! the board's XDC constrains), the clocking, the reset synchronizer
//! `u_rst_sync` and the core wrapper `u_core` ([`crate::core`]). Vendor
//! primitives live here only:
//!
//! - a clock on a pin (Arty A7): the pin into an MMCM (`MMCME2_BASE` on
//!   7-series, `MMCME4_BASE` on UltraScale+) that makes the core clock,
//!   then a `BUFG`;
//! - a differential clock (Alveo U250, U55C): an `IBUFDS` first; every
//!   other differential clock of the board gets its `IBUFDS` too (the XDC
//!   places them), its output unused;
//! - a clock from the processing system (PYNQ-Z2, ZCU104, KV260): the PS's
//!   `FCLK_CLK0` / `pl_clk0` and its reset, through a block design that
//!   `ps_bd.tcl` creates ([`ps_bd_tcl`]): `spikefab_ps7` (Zynq-7000,
//!   `processing_system7`) or `spikefab_psu` (Zynq UltraScale+,
//!   `zynq_ultra_ps_e`); the shell instantiates its wrapper.
//!
//! The reset request (the board's reset pin or the PS's fabric reset, and
//! the MMCM's lock) goes through `snn_rst_sync`. LEDs show the core's
//! status bits (as many as the board has); the host link's UART PHYs
//! (`snn_uart_rx`, `snn_uart_tx`) sit on the board's UART pins (Arty A7) or
//! on the PS's UART1 over EMIO (Zynq boards); on the Alveo cards the link
//! is tied off and the PCIe reference clock pins are declared but unused
//! (the XDMA endpoint is not in the shell yet); auxiliary outputs are held
//! at their value.

use std::fmt::Write as _;

use spikefab_boards::{Board, ClockKind, Direction, HostLinkKind, ResetKind};

use crate::clocking::{self, Mmcm, CORE_MHZ};
use crate::core::{FPGA_CORE, STATUS_W};

/// The shell module (and its file stem).
pub const SHELL: &str = "spikefab_shell";
/// The file of the PS block design script.
pub const PS_BD_TCL: &str = "ps_bd.tcl";
/// The block design's external port of the PS's UART1 on EMIO (the host
/// link): the wrapper's ports are `<PS_UART>_txd` (PS out) and
/// `<PS_UART>_rxd` (PS in).
pub const PS_UART: &str = "uart1";
/// Baud rate of the host link's UART unless a build names another.
pub const DEFAULT_BAUD: u32 = 115_200;
/// Stages of the shell's reset synchronizer.
pub const RST_STAGES: u32 = 3;

/// The processing system of a Zynq board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ps {
    /// Zynq-7000: `processing_system7`, `FCLK_CLK0`, `FCLK_RESET0_N`.
    Ps7,
    /// Zynq UltraScale+ MPSoC: `zynq_ultra_ps_e`, `pl_clk0`, `pl_resetn0`.
    Psu,
}

impl Ps {
    /// The block design's name (its wrapper is `<name>_wrapper`).
    pub fn bd(self) -> &'static str {
        match self {
            Ps::Ps7 => "spikefab_ps7",
            Ps::Psu => "spikefab_psu",
        }
    }
    /// The PS IP (VLNV, the version of Vivado 2023.2's catalog).
    pub fn vlnv(self) -> &'static str {
        match self {
            Ps::Ps7 => "xilinx.com:ip:processing_system7:5.5",
            Ps::Psu => "xilinx.com:ip:zynq_ultra_ps_e:3.5",
        }
    }
    /// The PS's fabric clock and reset pins (and the block design's ports).
    pub fn clock_reset(self) -> (&'static str, &'static str) {
        match self {
            Ps::Ps7 => ("FCLK_CLK0", "FCLK_RESET0_N"),
            Ps::Psu => ("pl_clk0", "pl_resetn0"),
        }
    }
}

/// The Zynq-7000 PS's fixed DDR and MIO pins: the block design makes them
/// external, so its wrapper and the shell carry them (no XDC: the PS places
/// them). (name, width).
pub const PS7_PINS: &[(&str, u32)] = &[
    ("DDR_addr", 15),
    ("DDR_ba", 3),
    ("DDR_cas_n", 1),
    ("DDR_ck_n", 1),
    ("DDR_ck_p", 1),
    ("DDR_cke", 1),
    ("DDR_cs_n", 1),
    ("DDR_dm", 4),
    ("DDR_dq", 32),
    ("DDR_dqs_n", 4),
    ("DDR_dqs_p", 4),
    ("DDR_odt", 1),
    ("DDR_ras_n", 1),
    ("DDR_reset_n", 1),
    ("DDR_we_n", 1),
    ("FIXED_IO_ddr_vrn", 1),
    ("FIXED_IO_ddr_vrp", 1),
    ("FIXED_IO_mio", 54),
    ("FIXED_IO_ps_clk", 1),
    ("FIXED_IO_ps_porb", 1),
    ("FIXED_IO_ps_srstb", 1),
];

/// Where the core clock comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Clocking {
    /// The main clock on a pin (pair) through an MMCM.
    Mmcm { clock: String, mmcm: Mmcm },
    /// The PS's fabric clock, requested at [`CORE_MHZ`].
    Ps(Ps),
}

/// The clocking of `board`: an exact MMCM setting from its main clock, or
/// the PS clock of a Zynq.
pub fn clocking(board: &Board) -> Result<Clocking, String> {
    let main = board
        .main_clock()
        .ok_or_else(|| "no main clock".to_string())?;
    match main.kind {
        ClockKind::Ps => {
            let f = board.device.family.as_str();
            if f.starts_with("Zynq UltraScale+") {
                Ok(Clocking::Ps(Ps::Psu))
            } else if f.starts_with("Zynq-7000") {
                Ok(Clocking::Ps(Ps::Ps7))
            } else {
                Err(format!(
                    "its main clock {} comes from a PS, but family {f} has no PS the shell knows (Zynq-7000, Zynq UltraScale+)",
                    main.name
                ))
            }
        }
        ClockKind::Single | ClockKind::Differential => {
            let part = board.part().map_err(|e| e.to_string())?;
            let m = clocking::mmcm(part.family, main.frequency_mhz, CORE_MHZ).ok_or_else(|| {
                format!(
                    "no exact {} setting makes {CORE_MHZ} MHz from its main clock {} ({} MHz)",
                    clocking::primitive(part.family),
                    main.name,
                    main.frequency_mhz
                )
            })?;
            Ok(Clocking::Mmcm {
                clock: main.name.clone(),
                mmcm: m,
            })
        }
    }
}

/// The shell's ports: (declaration, name), in the order clocks, reset, host
/// link, LEDs, auxiliary pins, PS pins.
fn ports(board: &Board, ck: &Clocking) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for c in &board.clocks {
        match c.kind {
            ClockKind::Single => v.push(("input  wire".into(), format!("{}_i", c.name))),
            ClockKind::Differential => {
                v.push(("input  wire".into(), format!("{}_p_i", c.name)));
                v.push(("input  wire".into(), format!("{}_n_i", c.name)));
            }
            ClockKind::Ps => {}
        }
    }
    if let Some(p) = board.reset.port() {
        v.push(("input  wire".into(), p));
    }
    match board.host_link.kind {
        HostLinkKind::Uart => {
            v.push(("output wire".into(), "uart_tx_o".into()));
            v.push(("input  wire".into(), "uart_rx_i".into()));
        }
        HostLinkKind::Pcie => {
            v.push(("input  wire".into(), "pcie_refclk_p_i".into()));
            v.push(("input  wire".into(), "pcie_refclk_n_i".into()));
        }
        HostLinkKind::Ps => {}
    }
    if let Some(l) = &board.leds {
        let n = l.pins.len();
        let d = if n == 1 {
            "output wire".to_string()
        } else {
            format!("output wire [{}:0]", n - 1)
        };
        v.push((d, "led_o".into()));
    }
    for a in &board.aux {
        let d = match a.direction {
            Direction::In => "input  wire",
            Direction::Out => "output wire",
        };
        v.push((d.into(), a.port()));
    }
    if let Clocking::Ps(Ps::Ps7) = ck {
        for (n, w) in PS7_PINS {
            let d = if *w == 1 {
                "inout  wire".to_string()
            } else {
                format!("inout  wire [{}:0]", w - 1)
            };
            v.push((d, n.to_string()));
        }
    }
    v
}

/// A real parameter value with three decimals (`10.000`).
/// The core clock of a clocking.
fn clock_mhz(ck: &Clocking) -> f64 {
    match ck {
        Clocking::Mmcm { mmcm, .. } => mmcm.out_mhz,
        Clocking::Ps(_) => CORE_MHZ,
    }
}

/// Cycles per UART bit for `baud` at the core clock of `ck` (at least 4,
/// the PHY's least).
pub fn uart_clks(ck: &Clocking, baud: u32) -> u64 {
    ((clock_mhz(ck) * 1e6 / f64::from(baud.max(1))).round() as u64).max(4)
}

fn real(x: f64) -> String {
    format!("{x:.3}")
}

/// The text of `spikefab_shell.v` for `board`. `head` is the header line.
pub fn shell_verilog(head: &str, board: &Board, ck: &Clocking, uart_clks: u64) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {SHELL}: the board shell of the {} (board {}, part {}).",
        board.title, board.name, board.device.part
    );
    let _ = writeln!(
        w,
        "// Ports: the board's pins as named in docs/boards.md (constrained by {}.xdc).",
        board.name
    );
    match ck {
        Clocking::Mmcm { clock, mmcm } => {
            let _ = writeln!(
                w,
                "// Core clock: {clock} ({} MHz) -> {} (VCO {} MHz) -> BUFG, {} MHz.",
                real(1000.0 / mmcm.clkin_period_ns),
                mmcm.primitive,
                real(mmcm.vco_mhz),
                real(mmcm.out_mhz)
            );
        }
        Clocking::Ps(ps) => {
            let _ = writeln!(
                w,
                "// Core clock: the PS's {} at {} MHz (block design {}, created by {PS_BD_TCL}).",
                ps.clock_reset().0,
                real(CORE_MHZ),
                ps.bd()
            );
        }
    }
    let _ = writeln!(
        w,
        "// Reset: the board's reset through u_rst_sync ({RST_STAGES} stages) to the core's rst_i."
    );
    w.push_str("`default_nettype none\n");
    let ps = ports(board, ck);
    let _ = writeln!(w, "module {SHELL} (");
    let wd = ps.iter().map(|(d, _)| d.len()).max().unwrap_or(0);
    for (k, (d, n)) in ps.iter().enumerate() {
        let comma = if k + 1 < ps.len() { "," } else { "" };
        let _ = writeln!(w, "  {d:<wd$} {n}{comma}");
    }
    let _ = writeln!(w, ");");

    // ---- clocking
    w.push_str("  // ---------------------------------------------------------------- clocking\n");
    let main = board
        .main_clock()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let mut unused: Vec<String> = Vec::new();
    for c in &board.clocks {
        let is_main = c.name == main;
        match c.kind {
            ClockKind::Differential => {
                let o = format!("{}_ibuf", c.name);
                let _ = writeln!(w, "  wire {o};");
                let _ = writeln!(
                    w,
                    "  IBUFDS u_ibufds_{} (\n    .I ({}_p_i),\n    .IB({}_n_i),\n    .O ({o})\n  );",
                    c.name, c.name, c.name
                );
                if !is_main {
                    unused.push(o);
                }
            }
            ClockKind::Single => {
                if !is_main {
                    unused.push(format!("{}_i", c.name));
                }
            }
            ClockKind::Ps => {}
        }
    }
    let _ = writeln!(w, "  wire clk;");
    let _ = writeln!(w, "  wire rst_req;");
    let reset_req = match (board.reset.kind, board.reset.port()) {
        (ResetKind::Pin, Some(p)) if board.reset.active_low => format!("~{p}"),
        (ResetKind::Pin, Some(p)) => p,
        _ => {
            let (_, r) = match ck {
                Clocking::Ps(ps) => ps.clock_reset(),
                Clocking::Mmcm { .. } => ("", ""),
            };
            format!("~ps_{}", r.to_ascii_lowercase())
        }
    };
    match ck {
        Clocking::Mmcm { clock, mmcm } => {
            let src = match board
                .clocks
                .iter()
                .find(|c| &c.name == clock)
                .map(|c| c.kind)
            {
                Some(ClockKind::Differential) => format!("{clock}_ibuf"),
                _ => format!("{clock}_i"),
            };
            let _ = writeln!(w, "  // the board's reset request, asynchronous");
            let _ = writeln!(w, "  wire board_rst = {reset_req};");
            let _ = writeln!(w, "  wire mmcm_clkfb;");
            let _ = writeln!(w, "  wire mmcm_clkout0;");
            let _ = writeln!(w, "  wire mmcm_locked;");
            let outs = [
                "CLKFBOUTB",
                "CLKOUT0B",
                "CLKOUT1",
                "CLKOUT1B",
                "CLKOUT2",
                "CLKOUT2B",
                "CLKOUT3",
                "CLKOUT3B",
                "CLKOUT4",
                "CLKOUT5",
                "CLKOUT6",
            ];
            for o in outs {
                let _ = writeln!(w, "  wire mmcm_unused_{};", o.to_ascii_lowercase());
            }
            let _ = writeln!(
                w,
                "\n  {} #(\n    .BANDWIDTH       (\"OPTIMIZED\"),\n    .CLKIN1_PERIOD   ({}),\n    .DIVCLK_DIVIDE   ({}),\n    .CLKFBOUT_MULT_F ({}),\n    .CLKOUT0_DIVIDE_F({}),\n    .STARTUP_WAIT    (\"FALSE\")\n  ) u_mmcm (",
                mmcm.primitive,
                real(mmcm.clkin_period_ns),
                mmcm.divclk,
                real(f64::from(mmcm.mult)),
                real(f64::from(mmcm.out_div)),
            );
            let _ = writeln!(w, "    .CLKIN1   ({src}),");
            let _ = writeln!(w, "    .CLKFBIN  (mmcm_clkfb),");
            let _ = writeln!(w, "    .CLKFBOUT (mmcm_clkfb),");
            let _ = writeln!(w, "    .CLKOUT0  (mmcm_clkout0),");
            for o in outs {
                let _ = writeln!(w, "    .{o:<9}(mmcm_unused_{}),", o.to_ascii_lowercase());
            }
            let _ = writeln!(w, "    .LOCKED   (mmcm_locked),");
            let _ = writeln!(w, "    .PWRDWN   (1'b0),");
            let _ = writeln!(w, "    .RST      (board_rst)");
            let _ = writeln!(w, "  );");
            let _ = writeln!(
                w,
                "  wire unused_mmcm = ^{{{}}};",
                outs.iter()
                    .map(|o| format!("mmcm_unused_{}", o.to_ascii_lowercase()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                w,
                "\n  BUFG u_bufg (\n    .I(mmcm_clkout0),\n    .O(clk)\n  );"
            );
            let _ = writeln!(
                w,
                "\n  // in reset while the board's reset is asserted or the MMCM is not locked"
            );
            let _ = writeln!(w, "  assign rst_req = board_rst | ~mmcm_locked;");
        }
        Clocking::Ps(ps) => {
            let (c, r) = ps.clock_reset();
            let (cl, rl) = (c.to_ascii_lowercase(), r.to_ascii_lowercase());
            let _ = writeln!(w, "  wire ps_{cl};");
            let _ = writeln!(w, "  wire ps_{rl};");
            let _ = writeln!(w, "  // the PS's UART1 (EMIO): its TxD into the link's receiver, its RxD from the transmitter");
            let _ = writeln!(w, "  wire uart_rx;");
            let _ = writeln!(w, "  wire uart_tx;");
            let _ = writeln!(
                w,
                "\n  // the PS and its fabric clock and reset (block design {}, {PS_BD_TCL})",
                ps.bd()
            );
            let _ = writeln!(w, "  {}_wrapper u_ps (", ps.bd());
            let mut conns = vec![
                (c.to_string(), format!("ps_{cl}")),
                (r.to_string(), format!("ps_{rl}")),
            ];
            if *ps == Ps::Ps7 {
                for (n, _) in PS7_PINS {
                    conns.push((n.to_string(), n.to_string()));
                }
            }
            // the PS's UART1 on EMIO: the host link (the PS's Linux opens it
            // as /dev/ttyPS1)
            conns.push((format!("{PS_UART}_txd"), "uart_rx".to_string()));
            conns.push((format!("{PS_UART}_rxd"), "uart_tx".to_string()));
            let nw = conns.iter().map(|(n, _)| n.len()).max().unwrap_or(1);
            for (k, (n, v)) in conns.iter().enumerate() {
                let comma = if k + 1 < conns.len() { "," } else { "" };
                let _ = writeln!(w, "    .{n:<nw$} ({v}){comma}");
            }
            let _ = writeln!(w, "  );");
            let _ = writeln!(w, "  assign clk = ps_{cl};");
            let _ = writeln!(
                w,
                "  // in reset while the PS holds its fabric reset (active low)"
            );
            let _ = writeln!(w, "  assign rst_req = {reset_req};");
        }
    }

    // ---- reset
    let _ = writeln!(
        w,
        "\n  // ---------------------------------------------------------------- reset\n  wire rst;\n\n  snn_rst_sync #(\n    .STAGES({RST_STAGES})\n  ) u_rst_sync (\n    .clk_i(clk),\n    .rst_i(rst_req),\n    .rst_o(rst)\n  );"
    );

    // ---- host link PHY and core
    let (rxd, txd) = match board.host_link.kind {
        HostLinkKind::Uart => (Some("uart_rx_i"), Some("uart_tx_o")),
        HostLinkKind::Ps => (Some("uart_rx"), Some("uart_tx")),
        HostLinkKind::Pcie => (None, None),
    };
    let _ = writeln!(
        w,
        "\n  // ---------------------------------------------------------------- host link\n  wire       link_rx_valid;\n  wire [7:0] link_rx_data;\n  wire       link_rx_ready;\n  wire       link_rx_err;\n  wire       link_tx_valid;\n  wire [7:0] link_tx_data;\n  wire       link_tx_ready;"
    );
    match (rxd, txd) {
        (Some(rxd), Some(txd)) => {
            let _ = writeln!(
                w,
                "\n  // 8N1 at {} baud ({uart_clks} cycles a bit at {} MHz)\n  wire link_rx_ferr;\n\n  snn_uart_rx #(\n    .CLKS_PER_BIT({uart_clks})\n  ) u_uart_rx (\n    .clk_i  (clk),\n    .rst_i  (rst),\n    .rxd_i  ({rxd}),\n    .valid_o(link_rx_valid),\n    .data_o (link_rx_data),\n    .err_o  (link_rx_ferr)\n  );\n\n  snn_uart_tx #(\n    .CLKS_PER_BIT({uart_clks})\n  ) u_uart_tx (\n    .clk_i  (clk),\n    .rst_i  (rst),\n    .valid_i(link_tx_valid),\n    .data_i (link_tx_data),\n    .ready_o(link_tx_ready),\n    .txd_o  ({txd})\n  );\n\n  // a framing error, or a byte the link could not take, is a lost byte (RX_ERRORS)\n  assign link_rx_err = link_rx_ferr | (link_rx_valid & ~link_rx_ready);",
                real(clock_mhz(ck) * 1e6 / uart_clks as f64),
                real(clock_mhz(ck)),
            );
        }
        _ => {
            let _ = writeln!(
                w,
                "\n  // The PCIe DMA endpoint of the host link is not in this shell yet: the link's\n  // byte streams are tied off, and nothing starts a step.\n  assign link_rx_valid = 1'b0;\n  assign link_rx_data  = 8'd0;\n  assign link_rx_err   = 1'b0;\n  assign link_tx_ready = 1'b1;"
            );
            unused.push("link_rx_ready".into());
            unused.push("link_tx_valid".into());
            unused.push("link_tx_data".into());
        }
    }
    let _ = writeln!(
        w,
        "\n  // ---------------------------------------------------------------- core\n  // DONT_TOUCH: on a board with fewer LEDs than status bits some have no pin.\n  (* DONT_TOUCH = \"TRUE\" *) wire [{}:0] status;\n\n  {FPGA_CORE} u_core (\n    .clk_i     (clk),\n    .rst_i     (rst),\n    .rx_valid_i(link_rx_valid),\n    .rx_data_i (link_rx_data),\n    .rx_ready_o(link_rx_ready),\n    .rx_err_i  (link_rx_err),\n    .tx_valid_o(link_tx_valid),\n    .tx_data_o (link_tx_data),\n    .tx_ready_i(link_tx_ready),\n    .status_o  (status)\n  );",
        STATUS_W - 1
    );

    // ---- pins
    let _ = writeln!(
        w,
        "\n  // ---------------------------------------------------------------- pins"
    );
    let n_leds = board.leds.as_ref().map(|l| l.pins.len()).unwrap_or(0);
    let shown = n_leds.min(STATUS_W as usize);
    if n_leds > 0 {
        let bits: Vec<String> = (0..n_leds)
            .rev()
            .map(|k| {
                if k < shown {
                    format!("status[{k}]")
                } else {
                    "1'b0".into()
                }
            })
            .collect();
        if n_leds == 1 {
            let _ = writeln!(w, "  assign led_o = {};", bits[0]);
        } else {
            let _ = writeln!(w, "  assign led_o = {{{}}};", bits.join(", "));
        }
    }
    if shown < STATUS_W as usize {
        if shown == 0 {
            unused.push("status".into());
        } else {
            unused.push(format!("status[{}:{shown}]", STATUS_W - 1));
        }
    }
    match board.host_link.kind {
        HostLinkKind::Uart => {}
        HostLinkKind::Pcie => {
            unused.push("pcie_refclk_p_i".into());
            unused.push("pcie_refclk_n_i".into());
        }
        HostLinkKind::Ps => {}
    }
    for a in &board.aux {
        match a.direction {
            Direction::Out => {
                let _ = writeln!(w, "  // {}: held at {}", a.name, a.value.unwrap_or(0));
                let _ = writeln!(w, "  assign {} = 1'b{};", a.port(), a.value.unwrap_or(0));
            }
            Direction::In => unused.push(a.port()),
        }
    }
    if !unused.is_empty() {
        let _ = writeln!(
            w,
            "  // pins and clocks declared for the XDC but not used yet (the host link and\n  // the memory IP come later), and status bits without an LED"
        );
        let _ = writeln!(w, "  wire unused_pins = ^{{{}}};", unused.join(", "));
    }
    w.push_str("endmodule\n`default_nettype wire\n");
    s
}

/// The block-design script of a Zynq board's PS (`ps_bd.tcl`): creates the
/// block design, the PS with its fabric clock at [`CORE_MHZ`] and its fabric
/// reset as external ports, no AXI ports, generates it for synthesis in the
/// run (no out-of-context checkpoint) and adds its wrapper.
pub fn ps_bd_tcl(head: &str, board: &Board, ps: Ps) -> String {
    let (c, r) = ps.clock_reset();
    let bd = ps.bd();
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "# {PS_BD_TCL}: the processing system of the {} ({}) as block design {bd}.",
        board.title, board.device.part
    );
    let _ = writeln!(
        w,
        "# Sourced by build.tcl inside its in-memory project. Written for Vivado {}.",
        board.vivado
    );
    let _ = writeln!(
        w,
        "# The PS configuration here is what the fabric needs ({c} at {} MHz, {r});",
        real(CORE_MHZ)
    );
    let _ = writeln!(
        w,
        "# the PS's DDR, MIO and boot settings are the IP's defaults, not the board's preset."
    );
    let _ = writeln!(
        w,
        "# When the PS boots its own software (PYNQ, Linux), that software sets {c}."
    );
    let _ = writeln!(w, "file mkdir bd");
    let _ = writeln!(w, "create_bd_design -dir bd {bd}");
    let _ = writeln!(w, "set ps [create_bd_cell -type ip -vlnv {} ps]", ps.vlnv());
    match ps {
        Ps::Ps7 => {
            let _ = writeln!(
                w,
                "set_property -dict [list \\\n  CONFIG.PCW_EN_CLK0_PORT {{1}} \\\n  CONFIG.PCW_EN_RST0_PORT {{1}} \\\n  CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ {{{}}} \\\n  CONFIG.PCW_USE_M_AXI_GP0 {{0}} \\\n  CONFIG.PCW_UART1_PERIPHERAL_ENABLE {{1}} \\\n  CONFIG.PCW_UART1_UART1_IO {{EMIO}} \\\n] $ps",
                CORE_MHZ as u64
            );
            let _ = writeln!(
                w,
                "apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \\\n  -config {{make_external \"FIXED_IO, DDR\" Master \"Disable\" Slave \"Disable\"}} $ps"
            );
        }
        Ps::Psu => {
            let _ = writeln!(
                w,
                "set_property -dict [list \\\n  CONFIG.PSU__FPGA_PL0_ENABLE {{1}} \\\n  CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ {{{}}} \\\n  CONFIG.PSU__USE__M_AXI_GP0 {{0}} \\\n  CONFIG.PSU__USE__M_AXI_GP1 {{0}} \\\n  CONFIG.PSU__USE__M_AXI_GP2 {{0}} \\\n  CONFIG.PSU__UART1__PERIPHERAL__ENABLE {{1}} \\\n  CONFIG.PSU__UART1__PERIPHERAL__IO {{EMIO}} \\\n] $ps",
                CORE_MHZ as u64
            );
        }
    }
    let _ = writeln!(w, "create_bd_port -dir O -type clk {c}");
    let _ = writeln!(w, "connect_bd_net [get_bd_pins ps/{c}] [get_bd_ports {c}]");
    let _ = writeln!(w, "create_bd_port -dir O -type rst {r}");
    let _ = writeln!(w, "connect_bd_net [get_bd_pins ps/{r}] [get_bd_ports {r}]");
    let _ = writeln!(
        w,
        "# UART1 on EMIO: the host link (the PS's Linux opens it as /dev/ttyPS1)"
    );
    let _ = writeln!(w, "make_bd_intf_pins_external [get_bd_intf_pins ps/UART_1]");
    let _ = writeln!(
        w,
        "set_property name {PS_UART} [get_bd_intf_ports UART_1_0]"
    );
    let _ = writeln!(w, "validate_bd_design");
    let _ = writeln!(w, "save_bd_design");
    let _ = writeln!(w, "set bd_file [get_files {bd}.bd]");
    let _ = writeln!(w, "set_property synth_checkpoint_mode None $bd_file");
    let _ = writeln!(w, "generate_target all $bd_file");
    let _ = writeln!(
        w,
        "add_files -norecurse [make_wrapper -files $bd_file -top]"
    );
    s
}
