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
//!   `zynq_ultra_ps_e`); the shell instantiates its wrapper;
//! - the PCIe endpoint (Alveo U250, U55C): the XDMA IP `spikefab_xdma`
//!   that `xdma_ip.tcl` creates ([`xdma_ip_tcl`]), its reference clock
//!   through an `IBUFDS_GTE4`, and two `xpm_fifo_axis` that carry its
//!   streams between its `axi_aclk` and the core clock.
//!
//! The reset request (the board's reset pin or the PS's fabric reset, the
//! MMCM's lock, and on the Alveo cards the XDMA's `axi_aresetn`) goes
//! through `snn_rst_sync`. LEDs show the core's status bits (as many as the
//! board has). The host link's PHY: the UART PHYs (`snn_uart_rx`,
//! `snn_uart_tx`) on the board's UART pins (Arty A7) or on the PS's UART1
//! over EMIO (Zynq boards); on the Alveo cards the XDMA's host-to-card
//! stream into the link's bytes (`snn_axis_to_bytes`) and the link's bytes
//! into its card-to-host stream (`snn_bytes_to_axis`, `TLAST` at the end of
//! every response frame, which the driver's read waits for), and
//! `snn_axil_const` behind the user BAR ([`Xdma`]). Auxiliary outputs are
//! held at their value.

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
/// The XDMA IP's module name (`xdma_ip.tcl` creates it).
pub const XDMA_IP: &str = "spikefab_xdma";
/// The file of the XDMA IP script.
pub const XDMA_TCL: &str = "xdma_ip.tcl";
/// The XDMA IP's version (Vivado 2023.2's catalog).
pub const XDMA_VERSION: &str = "4.1";
/// Beats each clock-crossing FIFO (`xpm_fifo_axis`) holds: its least.
pub const XDMA_FIFO_DEPTH: u32 = 16;
/// What every read of the user BAR returns: the host link's `MAGIC`
/// (`spikefab_host::proto::MAGIC`, the bytes `S P K F`).
pub const USER_BAR_VALUE: u32 = 0x464B_5053;
/// Address bits of the XDMA's AXI4-Lite master (the user BAR).
pub const USER_BAR_ADDR_W: u32 = 32;
/// The host link's response sync byte (`spikefab_host::proto::SYNC_RESP`):
/// `snn_bytes_to_axis` takes a frame's header from it.
pub const LINK_SYNC_RESP: u8 = 0x5A;
/// The host link's largest payload (`spikefab_host::proto::MAX_PAYLOAD`):
/// a larger length field is no frame to `snn_bytes_to_axis`.
pub const LINK_MAX_PAYLOAD: u32 = 240;

/// The PCIe DMA endpoint of a shell: the XDMA IP in AXI-Stream mode, one
/// host-to-card and one card-to-host channel (`/dev/xdma0_h2c_0`,
/// `/dev/xdma0_c2h_0`), the user BAR (`/dev/xdma0_user`) on its AXI4-Lite
/// master.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Xdma {
    /// PCIe lanes (`pcie_tx_p_o` etc. are this wide).
    pub lanes: u32,
    /// PCIe generation (3: 8.0 GT/s).
    pub generation: u32,
    /// TDATA width of its streams, in bits.
    pub data_w: u32,
    /// Its user clock `axi_aclk`, in MHz.
    pub axi_mhz: u32,
    /// The PCIe reference clock, in MHz.
    pub refclk_mhz: f64,
}

/// The XDMA setting of a PCIe board: a Gen3 x16 link with a 100 MHz
/// reference clock, the XDMA IP's 512-bit streams at 250 MHz (the only
/// stream width and clock XDMA has for Gen3 x16), reset by the board's
/// PERST# pin. Anything else is refused, naming what differs.
pub fn xdma(board: &Board) -> Result<Xdma, String> {
    let h = &board.host_link;
    if h.kind != HostLinkKind::Pcie {
        return Err("its host link is not PCIe".into());
    }
    if h.dma.as_deref() != Some("xdma") {
        return Err(format!(
            "its PCIe DMA is {:?}; the shell has the XDMA IP only",
            h.dma
        ));
    }
    let (lanes, generation, refclk) = (h.lanes, h.generation, h.refclk_mhz);
    if lanes != Some(16) || generation != Some(3) || refclk != Some(100.0) {
        return Err(format!(
            "its PCIe link is Gen{} x{} with a {} MHz reference clock; the shell's XDMA \
             setting is for Gen3 x16 with a 100 MHz reference clock (512-bit streams at 250 MHz)",
            generation.map_or("?".into(), |g| g.to_string()),
            lanes.map_or("?".into(), |l| l.to_string()),
            refclk.map_or("?".into(), |r| r.to_string())
        ));
    }
    if board.reset.kind != ResetKind::Pin {
        return Err("a PCIe card's reset must be its PERST# pin".into());
    }
    Ok(Xdma {
        lanes: 16,
        generation: 3,
        data_w: 512,
        axi_mhz: 250,
        refclk_mhz: 100.0,
    })
}

/// The host link's PHY in a shell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinkPhy {
    /// `snn_uart_rx`/`snn_uart_tx` at this many core clock cycles a bit, on
    /// the board's UART pins or the PS's UART1 over EMIO.
    Uart { clks_per_bit: u64 },
    /// The PCIe DMA endpoint.
    Xdma(Xdma),
}

/// The host link's PHY of `board`: a UART at `baud` (at the core clock of
/// `ck`), or the XDMA endpoint ([`xdma`]).
pub fn link_phy(board: &Board, ck: &Clocking, baud: u32) -> Result<LinkPhy, String> {
    match board.host_link.kind {
        HostLinkKind::Uart | HostLinkKind::Ps => Ok(LinkPhy::Uart {
            clks_per_bit: uart_clks(ck, baud),
        }),
        HostLinkKind::Pcie => {
            if !matches!(ck, Clocking::Mmcm { .. }) {
                return Err("a PCIe card's core clock must come from a clock pin".into());
            }
            xdma(board).map(LinkPhy::Xdma)
        }
    }
}

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
fn ports(board: &Board, ck: &Clocking, phy: &LinkPhy) -> Vec<(String, String)> {
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
            // the GT lanes: no XDC line, the XDMA IP's constraints place them
            if let LinkPhy::Xdma(x) = phy {
                let d = |dir: &str| format!("{dir} wire [{}:0]", x.lanes - 1);
                v.push((d("output"), "pcie_tx_p_o".into()));
                v.push((d("output"), "pcie_tx_n_o".into()));
                v.push((d("input "), "pcie_rx_p_i".into()));
                v.push((d("input "), "pcie_rx_n_i".into()));
            }
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

/// The text of `spikefab_shell.v` for `board` with the host link's PHY
/// `phy` ([`link_phy`]). `head` is the header line.
pub fn shell_verilog(head: &str, board: &Board, ck: &Clocking, phy: &LinkPhy) -> String {
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
    let xd = match phy {
        LinkPhy::Xdma(x) => Some(*x),
        LinkPhy::Uart { .. } => None,
    };
    if let Some(x) = &xd {
        let _ = writeln!(
            w,
            "// Host link: PCIe Gen{} x{}, the XDMA IP {XDMA_IP} ({XDMA_TCL}): AXI-Stream h2c/c2h of {} bits at",
            x.generation, x.lanes, x.data_w
        );
        let _ = writeln!(
            w,
            "// {} MHz (axi_aclk) through xpm_fifo_axis to the core clock and the link's bytes.",
            x.axi_mhz
        );
    }
    let _ = writeln!(
        w,
        "// Reset: the board's reset through u_rst_sync ({RST_STAGES} stages) to the core's rst_i."
    );
    w.push_str("`default_nettype none\n");
    let ps = ports(board, ck, phy);
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
            if xd.is_some() {
                let _ = writeln!(
                    w,
                    "\n  // the XDMA's user clock and reset (its axi_aresetn is low until the PCIe\n  // core is out of reset, and again when the link goes down)\n  wire xdma_clk;\n  wire xdma_rst_n;"
                );
                let _ = writeln!(
                    w,
                    "\n  // in reset while the board's reset is asserted, the MMCM is not locked or\n  // the XDMA is in reset"
                );
                let _ = writeln!(
                    w,
                    "  assign rst_req = board_rst | ~mmcm_locked | ~xdma_rst_n;"
                );
            } else {
                let _ = writeln!(
                    w,
                    "\n  // in reset while the board's reset is asserted or the MMCM is not locked"
                );
                let _ = writeln!(w, "  assign rst_req = board_rst | ~mmcm_locked;");
            }
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
    let _ = writeln!(
        w,
        "\n  // ---------------------------------------------------------------- host link\n  wire       link_rx_valid;\n  wire [7:0] link_rx_data;\n  wire       link_rx_ready;\n  wire       link_rx_err;\n  wire       link_tx_valid;\n  wire [7:0] link_tx_data;\n  wire       link_tx_ready;"
    );
    match phy {
        LinkPhy::Uart { clks_per_bit } => {
            let uart_clks = *clks_per_bit;
            let (rxd, txd) = match board.host_link.kind {
                HostLinkKind::Uart => ("uart_rx_i", "uart_tx_o"),
                _ => ("uart_rx", "uart_tx"),
            };
            let _ = writeln!(
                w,
                "\n  // 8N1 at {} baud ({uart_clks} cycles a bit at {} MHz)\n  wire link_rx_ferr;\n\n  snn_uart_rx #(\n    .CLKS_PER_BIT({uart_clks})\n  ) u_uart_rx (\n    .clk_i  (clk),\n    .rst_i  (rst),\n    .rxd_i  ({rxd}),\n    .valid_o(link_rx_valid),\n    .data_o (link_rx_data),\n    .err_o  (link_rx_ferr)\n  );\n\n  snn_uart_tx #(\n    .CLKS_PER_BIT({uart_clks})\n  ) u_uart_tx (\n    .clk_i  (clk),\n    .rst_i  (rst),\n    .valid_i(link_tx_valid),\n    .data_i (link_tx_data),\n    .ready_o(link_tx_ready),\n    .txd_o  ({txd})\n  );\n\n  // a framing error, or a byte the link could not take, is a lost byte (RX_ERRORS)\n  assign link_rx_err = link_rx_ferr | (link_rx_valid & ~link_rx_ready);",
                real(clock_mhz(ck) * 1e6 / uart_clks as f64),
                real(clock_mhz(ck)),
            );
        }
        LinkPhy::Xdma(x) => {
            w.push_str(&xdma_link_verilog(board, x));
            unused.push("h2c_core_tlast".into());
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
            "  // pins and clocks declared for the XDC but not used yet (the memory IP comes\n  // later), outputs nothing reads, and status bits without an LED"
        );
        let _ = writeln!(w, "  wire unused_pins = ^{{{}}};", unused.join(", "));
    }
    w.push_str("endmodule\n`default_nettype wire\n");
    s
}

/// The host link's PCIe PHY in the shell (the text after the link's byte
/// wires): the reference clock's `IBUFDS_GTE4`, the XDMA IP, the two
/// clock-crossing `xpm_fifo_axis`, the byte adapters and the user BAR's
/// AXI4-Lite slave.
fn xdma_link_verilog(board: &Board, x: &Xdma) -> String {
    let lanes = x.lanes;
    let d = x.data_w;
    let k = x.data_w / 8;
    let perst = match board.reset.port() {
        Some(p) if board.reset.active_low => p,
        Some(p) => format!("~{p}"),
        None => "1'b1".into(),
    };
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "\n  // PCIe: the XDMA IP {XDMA_IP} ({XDMA_TCL}), a Gen{} x{lanes} endpoint with AXI-Stream DMA: one\n  // host-to-card (h2c) and one card-to-host (c2h) channel of {d} bits on its axi_aclk\n  // ({} MHz), the user BAR on its AXI4-Lite master. The streams cross between axi_aclk\n  // and the core clock in xpm_fifo_axis (independent clocks, {XDMA_FIFO_DEPTH} beats; the macro\n  // carries its own clock-crossing constraints) and meet the link's bytes in\n  // snn_axis_to_bytes (h2c) and snn_bytes_to_axis (c2h: TLAST at the end of every\n  // response frame, which the driver's read of /dev/xdma0_c2h_0 waits for).",
        x.generation, x.axi_mhz
    );
    let _ = writeln!(
        w,
        "\n  // the reference clock: O into the GTs (sys_clk_gt), ODIV2 ({} MHz, undivided)\n  // for the IP's logic (sys_clk)\n  wire pcie_refclk_gt;\n  wire pcie_refclk;\n\n  IBUFDS_GTE4 #(\n    .REFCLK_EN_TX_PATH (1'b0),\n    .REFCLK_HROW_CK_SEL(2'b00),\n    .REFCLK_ICNTL_RX   (2'b00)\n  ) u_ibufds_pcie_refclk (\n    .I    (pcie_refclk_p_i),\n    .IB   (pcie_refclk_n_i),\n    .CEB  (1'b0),\n    .O    (pcie_refclk_gt),\n    .ODIV2(pcie_refclk)\n  );",
        real(x.refclk_mhz)
    );
    let _ = writeln!(
        w,
        "\n  // h2c: XDMA -> u_h2c_fifo (axi_aclk to the core clock) -> u_h2c_bytes\n  wire [{dm}:0] h2c_tdata;\n  wire [{km}:0]  h2c_tkeep;\n  wire         h2c_tlast;\n  wire         h2c_tvalid;\n  wire         h2c_tready;\n  wire [{dm}:0] h2c_core_tdata;\n  wire [{km}:0]  h2c_core_tkeep;\n  wire         h2c_core_tlast;\n  wire         h2c_core_tvalid;\n  wire         h2c_core_tready;\n  // c2h: u_c2h_axis -> u_c2h_fifo (the core clock to axi_aclk) -> XDMA\n  wire [{dm}:0] c2h_core_tdata;\n  wire [{km}:0]  c2h_core_tkeep;\n  wire         c2h_core_tlast;\n  wire         c2h_core_tvalid;\n  wire         c2h_core_tready;\n  wire [{dm}:0] c2h_tdata;\n  wire [{km}:0]  c2h_tkeep;\n  wire         c2h_tlast;\n  wire         c2h_tvalid;\n  wire         c2h_tready;\n  // the user BAR (AXI4-Lite, axi_aclk)\n  wire [{am}:0] bar_awaddr;\n  wire [2:0]  bar_awprot;\n  wire        bar_awvalid;\n  wire        bar_awready;\n  wire [31:0] bar_wdata;\n  wire [3:0]  bar_wstrb;\n  wire        bar_wvalid;\n  wire        bar_wready;\n  wire        bar_bvalid;\n  wire [1:0]  bar_bresp;\n  wire        bar_bready;\n  wire [{am}:0] bar_araddr;\n  wire [2:0]  bar_arprot;\n  wire        bar_arvalid;\n  wire        bar_arready;\n  wire        bar_rvalid;\n  wire [31:0] bar_rdata;\n  wire [1:0]  bar_rresp;\n  wire        bar_rready;",
        dm = d - 1,
        km = k - 1,
        am = USER_BAR_ADDR_W - 1
    );
    let xconns: Vec<(&str, String)> = vec![
        ("sys_clk", "pcie_refclk".into()),
        ("sys_clk_gt", "pcie_refclk_gt".into()),
        ("sys_rst_n", perst),
        ("pci_exp_txp", "pcie_tx_p_o".into()),
        ("pci_exp_txn", "pcie_tx_n_o".into()),
        ("pci_exp_rxp", "pcie_rx_p_i".into()),
        ("pci_exp_rxn", "pcie_rx_n_i".into()),
        ("axi_aclk", "xdma_clk".into()),
        ("axi_aresetn", "xdma_rst_n".into()),
        ("usr_irq_req", "1'b0".into()),
        ("m_axil_awaddr", "bar_awaddr".into()),
        ("m_axil_awprot", "bar_awprot".into()),
        ("m_axil_awvalid", "bar_awvalid".into()),
        ("m_axil_awready", "bar_awready".into()),
        ("m_axil_wdata", "bar_wdata".into()),
        ("m_axil_wstrb", "bar_wstrb".into()),
        ("m_axil_wvalid", "bar_wvalid".into()),
        ("m_axil_wready", "bar_wready".into()),
        ("m_axil_bvalid", "bar_bvalid".into()),
        ("m_axil_bresp", "bar_bresp".into()),
        ("m_axil_bready", "bar_bready".into()),
        ("m_axil_araddr", "bar_araddr".into()),
        ("m_axil_arprot", "bar_arprot".into()),
        ("m_axil_arvalid", "bar_arvalid".into()),
        ("m_axil_arready", "bar_arready".into()),
        ("m_axil_rdata", "bar_rdata".into()),
        ("m_axil_rresp", "bar_rresp".into()),
        ("m_axil_rvalid", "bar_rvalid".into()),
        ("m_axil_rready", "bar_rready".into()),
        ("s_axis_c2h_tdata_0", "c2h_tdata".into()),
        ("s_axis_c2h_tkeep_0", "c2h_tkeep".into()),
        ("s_axis_c2h_tlast_0", "c2h_tlast".into()),
        ("s_axis_c2h_tvalid_0", "c2h_tvalid".into()),
        ("s_axis_c2h_tready_0", "c2h_tready".into()),
        ("m_axis_h2c_tdata_0", "h2c_tdata".into()),
        ("m_axis_h2c_tkeep_0", "h2c_tkeep".into()),
        ("m_axis_h2c_tlast_0", "h2c_tlast".into()),
        ("m_axis_h2c_tvalid_0", "h2c_tvalid".into()),
        ("m_axis_h2c_tready_0", "h2c_tready".into()),
    ];
    let _ = writeln!(
        w,
        "\n  // The IP's other outputs (usr_irq_ack, msi_enable, msi_vector_width, user_lnk_up)\n  // are left open; no interrupt is raised (usr_irq_req low).\n  {XDMA_IP} u_xdma ("
    );
    instance_conns(w, &xconns);
    let fifo = |w: &mut String,
                name: &str,
                sclk: &str,
                srst: &str,
                mclk: &str,
                si: &str,
                mi: &str| {
        let conns: Vec<(&str, String)> = vec![
            ("s_aclk", sclk.into()),
            ("m_aclk", mclk.into()),
            ("s_aresetn", srst.into()),
            ("s_axis_tvalid", format!("{si}_tvalid")),
            ("s_axis_tready", format!("{si}_tready")),
            ("s_axis_tdata", format!("{si}_tdata")),
            ("s_axis_tkeep", format!("{si}_tkeep")),
            ("s_axis_tstrb", format!("{si}_tkeep")),
            ("s_axis_tlast", format!("{si}_tlast")),
            ("s_axis_tid", "1'b0".into()),
            ("s_axis_tdest", "1'b0".into()),
            ("s_axis_tuser", "1'b0".into()),
            ("injectsbiterr_axis", "1'b0".into()),
            ("injectdbiterr_axis", "1'b0".into()),
            ("m_axis_tvalid", format!("{mi}_tvalid")),
            ("m_axis_tready", format!("{mi}_tready")),
            ("m_axis_tdata", format!("{mi}_tdata")),
            ("m_axis_tkeep", format!("{mi}_tkeep")),
            ("m_axis_tlast", format!("{mi}_tlast")),
        ];
        let _ = writeln!(
            w,
            "\n  xpm_fifo_axis #(\n    .CLOCKING_MODE   (\"independent_clock\"),\n    .FIFO_DEPTH      ({XDMA_FIFO_DEPTH}),\n    .FIFO_MEMORY_TYPE(\"auto\"),\n    .PACKET_FIFO     (\"false\"),\n    .CDC_SYNC_STAGES (3),\n    .RELATED_CLOCKS  (0),\n    .ECC_MODE        (\"no_ecc\"),\n    .TDATA_WIDTH     ({d}),\n    .TID_WIDTH       (1),\n    .TDEST_WIDTH     (1),\n    .TUSER_WIDTH     (1),\n    .USE_ADV_FEATURES(\"0000\"),\n    .SIM_ASSERT_CHK  (0)\n  ) {name} ("
        );
        instance_conns(w, &conns);
    };
    fifo(
        w,
        "u_h2c_fifo",
        "xdma_clk",
        "xdma_rst_n",
        "clk",
        "h2c",
        "h2c_core",
    );
    let _ = writeln!(
        w,
        "\n  // the bytes of each h2c beat whose TKEEP bit is set, byte 0 first\n  snn_axis_to_bytes #(\n    .DATA_W({d})\n  ) u_h2c_bytes (\n    .clk_i          (clk),\n    .rst_i          (rst),\n    .s_axis_tvalid_i(h2c_core_tvalid),\n    .s_axis_tready_o(h2c_core_tready),\n    .s_axis_tdata_i (h2c_core_tdata),\n    .s_axis_tkeep_i (h2c_core_tkeep),\n    .valid_o        (link_rx_valid),\n    .data_o         (link_rx_data),\n    .ready_i        (link_rx_ready)\n  );\n  // no byte is lost on the way: the stream waits while the link is not ready\n  assign link_rx_err = 1'b0;"
    );
    let _ = writeln!(
        w,
        "\n  // the response bytes in beats, TLAST on each frame's last (its length from the header)\n  snn_bytes_to_axis #(\n    .DATA_W ({d}),\n    .SYNC   (8'h{LINK_SYNC_RESP:02X}),\n    .MAX_LEN({LINK_MAX_PAYLOAD})\n  ) u_c2h_axis (\n    .clk_i          (clk),\n    .rst_i          (rst),\n    .valid_i        (link_tx_valid),\n    .data_i         (link_tx_data),\n    .ready_o        (link_tx_ready),\n    .m_axis_tvalid_o(c2h_core_tvalid),\n    .m_axis_tready_i(c2h_core_tready),\n    .m_axis_tdata_o (c2h_core_tdata),\n    .m_axis_tkeep_o (c2h_core_tkeep),\n    .m_axis_tlast_o (c2h_core_tlast)\n  );"
    );
    fifo(
        w,
        "u_c2h_fifo",
        "clk",
        "~rst",
        "xdma_clk",
        "c2h_core",
        "c2h",
    );
    let _ = writeln!(
        w,
        "\n  // the user BAR (/dev/xdma0_user): every read returns the link's MAGIC, writes are dropped\n  snn_axil_const #(\n    .ADDR_W    ({USER_BAR_ADDR_W}),\n    .READ_VALUE(32'h{USER_BAR_VALUE:08X})\n  ) u_user_bar ("
    );
    let bar: Vec<(&str, String)> = vec![
        ("clk_i", "xdma_clk".into()),
        ("rst_i", "~xdma_rst_n".into()),
        ("s_axil_awvalid_i", "bar_awvalid".into()),
        ("s_axil_awready_o", "bar_awready".into()),
        ("s_axil_awaddr_i", "bar_awaddr".into()),
        ("s_axil_awprot_i", "bar_awprot".into()),
        ("s_axil_wvalid_i", "bar_wvalid".into()),
        ("s_axil_wready_o", "bar_wready".into()),
        ("s_axil_wdata_i", "bar_wdata".into()),
        ("s_axil_wstrb_i", "bar_wstrb".into()),
        ("s_axil_bvalid_o", "bar_bvalid".into()),
        ("s_axil_bready_i", "bar_bready".into()),
        ("s_axil_bresp_o", "bar_bresp".into()),
        ("s_axil_arvalid_i", "bar_arvalid".into()),
        ("s_axil_arready_o", "bar_arready".into()),
        ("s_axil_araddr_i", "bar_araddr".into()),
        ("s_axil_arprot_i", "bar_arprot".into()),
        ("s_axil_rvalid_o", "bar_rvalid".into()),
        ("s_axil_rready_i", "bar_rready".into()),
        ("s_axil_rdata_o", "bar_rdata".into()),
        ("s_axil_rresp_o", "bar_rresp".into()),
    ];
    instance_conns(w, &bar);
    s
}

/// An instance's port list, the names aligned, and its closing `);`.
fn instance_conns(w: &mut String, conns: &[(&str, String)]) {
    let nw = conns.iter().map(|(n, _)| n.len()).max().unwrap_or(1);
    for (k, (n, v)) in conns.iter().enumerate() {
        let comma = if k + 1 < conns.len() { "," } else { "" };
        let _ = writeln!(w, "    .{n:<nw$} ({v}){comma}");
    }
    let _ = writeln!(w, "  );");
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

/// The script of the XDMA IP of a PCIe board (`xdma_ip.tcl`): creates the
/// IP [`XDMA_IP`] in AXI-Stream mode with one host-to-card and one
/// card-to-host channel, the link and stream settings of `x`, the user BAR
/// on its AXI4-Lite master, and generates it for synthesis in the run (no
/// out-of-context checkpoint). Written without Vivado having run it.
pub fn xdma_ip_tcl(head: &str, board: &Board, x: &Xdma) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "# {XDMA_TCL}: the PCIe DMA endpoint of the host link on the {} ({}) as IP",
        board.title, board.device.part
    );
    let _ = writeln!(
        w,
        "# {XDMA_IP} (XDMA {XDMA_VERSION}). Sourced by build.tcl inside its in-memory project."
    );
    let _ = writeln!(
        w,
        "# Written for Vivado {}, not run through Vivado: the property names and values are",
        board.vivado
    );
    let _ = writeln!(
        w,
        "# the IP's as public scripts use them, unchecked against this Vivado's catalog."
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# PCIe Gen{} x{} endpoint, {} MHz reference clock, AXI-Stream DMA: one host-to-card",
        x.generation,
        x.lanes,
        real(x.refclk_mhz)
    );
    let _ = writeln!(
        w,
        "# channel (h2c, /dev/xdma0_h2c_0) and one card-to-host channel (c2h, /dev/xdma0_c2h_0)"
    );
    let _ = writeln!(
        w,
        "# of {} bits at {} MHz (axi_aclk); the user BAR (1 MB, /dev/xdma0_user) on the",
        x.data_w, x.axi_mhz
    );
    let _ = writeln!(
        w,
        "# AXI4-Lite master, which the XDMA driver needs to create that device. One user"
    );
    let _ = writeln!(
        w,
        "# interrupt, never raised (usr_irq_req held low in the shell)."
    );
    let _ = writeln!(
        w,
        "# The PCIe block location and the GT quad (CONFIG.pcie_blk_locn, CONFIG.select_quad)"
    );
    let _ = writeln!(
        w,
        "# are the IP's defaults for the part: they must match the card's edge connector and"
    );
    let _ = writeln!(
        w,
        "# the reference clock pins of {}.xdc, which has not been checked (the card's user",
        board.name
    );
    let _ = writeln!(
        w,
        "# guide, UG1289 for the U250 or UG1468 for the U55C, was not opened)."
    );
    let _ = writeln!(
        w,
        "# The shell's instance u_xdma connects the ports of this setting's instantiation"
    );
    let _ = writeln!(
        w,
        "# template as public designs show it: on the first run, compare them with the"
    );
    let _ = writeln!(
        w,
        "# generated ip/{XDMA_IP}/{XDMA_IP}.veo (an input left open there would float)."
    );
    let _ = writeln!(w, "file mkdir ip");
    let _ = writeln!(
        w,
        "create_ip -name xdma -vendor xilinx.com -library ip -version {XDMA_VERSION} -module_name {XDMA_IP} -dir ip"
    );
    let speed = match x.generation {
        1 => "2.5_GT/s",
        2 => "5.0_GT/s",
        _ => "8.0_GT/s",
    };
    let props = [
        ("mode_selection", "Advanced".to_string()),
        ("pl_link_cap_max_link_width", format!("X{}", x.lanes)),
        ("pl_link_cap_max_link_speed", speed.to_string()),
        ("ref_clk_freq", format!("{}_MHz", x.refclk_mhz as u32)),
        ("axi_data_width", format!("{}_bit", x.data_w)),
        ("axisten_freq", x.axi_mhz.to_string()),
        ("xdma_axi_intf_mm", "AXI_Stream".to_string()),
        ("xdma_rnum_chnl", "1".to_string()),
        ("xdma_wnum_chnl", "1".to_string()),
        ("axilite_master_en", "true".to_string()),
        ("axilite_master_scale", "Megabytes".to_string()),
        ("axilite_master_size", "1".to_string()),
        ("xdma_axilite_slave", "false".to_string()),
        ("cfg_mgmt_if", "false".to_string()),
        ("xdma_num_usr_irq", "1".to_string()),
    ];
    let _ = writeln!(w, "set_property -dict [list \\");
    for (k, v) in props {
        let _ = writeln!(w, "  CONFIG.{k} {{{v}}} \\");
    }
    let _ = writeln!(w, "] [get_ips {XDMA_IP}]");
    let _ = writeln!(
        w,
        "# synthesized with the design in synth_design (no out-of-context checkpoint)"
    );
    let _ = writeln!(
        w,
        "set_property generate_synth_checkpoint false [get_files {XDMA_IP}.xci]"
    );
    let _ = writeln!(w, "generate_target all [get_ips {XDMA_IP}]");
    s
}
