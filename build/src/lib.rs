//! `spikefab build`: a network, a hardware config and a board in, a
//! self-contained Vivado build directory out.
//!
//! The directory holds, flat (so that every `$readmemh` name resolves in
//! the directory Vivado runs in):
//!
//! - the accelerator as `spikefab gen` writes it (`spikefab_net.v`,
//!   `spikefab_top.v`, the copies of `hdl/`, the memory images `*.hex`,
//!   `manifest.json`);
//! - [`core`]: `spikefab_fpga_core.v`, the accelerator behind the host link
//!   (docs/runtime.md) with its spike buffer, heartbeat and status bits, and
//!   copies of the board modules of `hdl/` (`snn_rst_sync.v`,
//!   `snn_heartbeat.v`, `snn_host_link.v`, `snn_spike_merge.v`, the UART
//!   PHYs, the XDMA stream adapters): simulates like any RTL; [`virtual_board`] makes the same core
//!   around the network-independent top for `spikefab run --board sim`;
//! - [`shell`]: `spikefab_shell.v`, the board's top (pins, clocking,
//!   reset synchronizer, the host link's PHY; the only file with vendor
//!   primitives) and, on a Zynq board, `ps_bd.tcl` (the PS as a block
//!   design), on an Alveo card `xdma_ip.tcl` (the PCIe DMA endpoint);
//! - `<board>.xdc`, a copy of `constraints/<board>.xdc`;
//! - [`tcl`]: `build.tcl` (Vivado non-project flow) and `program.tcl`;
//! - `README.txt` and `build.json` (board, part, hashes, fit, files).
//!
//! Before anything is written, [`fit`] places the core's on-chip memories on
//! the board's part and refuses a design that does not fit, naming the
//! resource and by how much. [`vivado`] runs `build.tcl` where Vivado is
//! installed, and [`reports`] reads its reports back.

pub mod clocking;
pub mod core;
pub mod error;
pub mod lint;
pub mod reports;
pub mod shell;
pub mod tcl;
pub mod virtual_board;
pub mod vivado;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use spikefab_boards::Board;
use spikefab_gen::capacity::{self, PartUse};
use spikefab_gen::generate::generate_from;
use spikefab_gen::hash::hash_json;
use spikefab_gen::{build_core_model, HwConfig, Manifest};
use spikefab_hdl::sources;
use spikefab_sim::Network;

pub use error::BuildError;

use crate::clocking::CORE_MHZ;
use crate::shell::{Clocking, LinkPhy, PS_BD_TCL, SHELL, XDMA_TCL};

/// Version of this generator (in every header).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The build's description file.
pub const BUILD_JSON: &str = "build.json";
/// The directory's read-me.
pub const README: &str = "README.txt";

/// Options of [`build`].
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Threads for building the network (0: one per core).
    pub threads: usize,
    /// A SAIF file of a simulation of the design: copied into the
    /// directory; `build.tcl` writes a second power report with it.
    pub saif: Option<PathBuf>,
    /// The instance path of the shell in that simulation
    /// (`read_saif -strip_path`).
    pub saif_strip: Option<String>,
    /// Baud rate of the host link's UART (0: [`shell::DEFAULT_BAUD`]).
    pub baud: u32,
}

/// The host link of a build in `build.json`.
#[derive(Debug, Clone, Serialize)]
pub struct LinkInfo {
    /// `uart` (a PL UART on the board's pins), `ps-uart` (the PS's UART1
    /// on EMIO) or `pcie` (the XDMA IP's AXI-Stream channels).
    pub kind: &'static str,
    /// Baud rate as built (the nearest the clock gives), 8N1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baud: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clks_per_bit: Option<u64>,
    /// PCIe: the XDMA IP's setting (lanes, generation, stream width and
    /// clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcie: Option<PcieInfo>,
    /// What the host opens.
    pub host_side: String,
}

/// The PCIe endpoint of a build in `build.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PcieInfo {
    /// The IP (`spikefab_xdma`, created by `xdma_ip.tcl`).
    pub ip: &'static str,
    pub lanes: u32,
    pub generation: u32,
    /// TDATA width of the h2c and c2h streams, in bits.
    pub stream_bits: u32,
    /// The IP's `axi_aclk`, in MHz (the streams cross to the core clock).
    pub axi_mhz: u32,
}

/// The core clock of a build in `build.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ClockInfo {
    /// `mmcm` or `ps`.
    pub source: &'static str,
    /// The board clock it comes from (`clk_100mhz`, `pl_clk0`).
    pub from: String,
    pub mhz: f64,
    /// The MMCM setting, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmcm: Option<clocking::Mmcm>,
}

/// `build.json`.
#[derive(Debug, Clone, Serialize)]
pub struct BuildManifest {
    pub generated: String,
    pub generator: &'static str,
    pub version: &'static str,
    pub board: String,
    pub board_title: String,
    pub part: String,
    /// The Vivado version the scripts and the XDC were written for.
    pub vivado: String,
    /// What determines the shell, the core wrapper and the scripts.
    pub config_hash: String,
    /// The accelerator's config hash (`manifest.json`).
    pub accelerator_config_hash: String,
    pub network_hash: String,
    pub network: String,
    pub hw_config: String,
    pub top: &'static str,
    pub clock: ClockInfo,
    pub link: LinkInfo,
    /// Clock cycles per network step (real time at the core clock).
    pub step_cycles: u64,
    /// The core's on-chip memories on the part (the fit check).
    pub fit: PartUse,
    pub saif: Option<String>,
    /// Every file of the directory (the accelerator's included).
    pub files: Vec<String>,
    /// The files this build wrote besides the accelerator's.
    pub build_files: Vec<String>,
    /// Vivado was not run to write this: no figure here is a Vivado result.
    pub note: &'static str,
}

/// The fit check: the on-chip memories of one core of `hw` and the host
/// link's spike buffer placed on the board's part (UltraRAM first where the part has it, then block RAM,
/// small ones in LUTs: [`capacity::part_use`]). An external synapse store
/// or a mesh is refused ([`BuildError::Unsupported`]); a design that does
/// not fit is refused naming the resource and by how much.
pub fn fit(hw: &HwConfig, board: &Board) -> Result<PartUse, BuildError> {
    if hw.external() {
        return Err(BuildError::Unsupported {
            config: hw.name.clone(),
            why: "its synapses are in external memory, and the board shells do not have the memory IP (DDR4/HBM controller) yet; use a config with on-chip synapses".into(),
        });
    }
    if hw.mesh.is_some_and(|m| m.cores() > 1) {
        return Err(BuildError::Unsupported {
            config: hw.name.clone(),
            why: "it is a mesh of cores, and the board shells hold one core so far; use a single-core config".into(),
        });
    }
    let part = board.part()?;
    let core = hw.core_params(None);
    let mut mems = capacity::onchip_memories(&core);
    // the host link's spike buffer (snn_spike_merge): one lane
    mems.push(capacity::OnChipMem {
        name: "spikes (host link buffer)",
        depth: core::spike_depth(core.n_neurons),
        width: 32 + core.nrn_w(),
    });
    let u = capacity::part_use(&mems, 1, None, part);
    if !u.fits() {
        return Err(BuildError::DoesNotFit {
            board: board.name.clone(),
            part: board.device.part.clone(),
            config: hw.name.clone(),
            misfits: u.misfits.clone(),
        });
    }
    Ok(u)
}

/// The files an earlier build in `dir` wrote besides the accelerator (from
/// its `build.json`); empty when there is none.
fn previous_build_files(dir: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(dir.join(BUILD_JSON)) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    if v.get("generator").and_then(|g| g.as_str()) != Some("spikefab-build") {
        return Vec::new();
    }
    v.get("build_files")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str())
                .filter(|f| {
                    let p = Path::new(f);
                    p.file_name().is_some_and(|n| n == p.as_os_str())
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn write(dir: &Path, name: &str, text: &str, files: &mut Vec<String>) -> Result<(), BuildError> {
    let p = dir.join(name);
    fs::write(&p, text).map_err(|e| BuildError::io("cannot write", &p, e))?;
    files.push(name.to_string());
    Ok(())
}

/// The 64-bit value of a generator hash (16 hex digits); 0 for text that
/// is not one (never: the generator writes them).
pub fn hash_u64(hex: &str) -> u64 {
    u64::from_str_radix(hex, 16).unwrap_or(0)
}

/// The host link's gap limit inside a frame at `mhz`: 50 ms, far longer
/// than a byte at any baud rate and than a USB-serial adapter's latency.
pub fn idle_cycles(mhz: f64) -> u64 {
    ((mhz * 50_000.0).round() as u64).max(1)
}

/// The baud rate of a build's UART: `baud`, or [`shell::DEFAULT_BAUD`]
/// for 0.
fn link_baud(baud: u32) -> u32 {
    if baud == 0 {
        shell::DEFAULT_BAUD
    } else {
        baud
    }
}

/// Clock cycles per step of `dt_ms` at `mhz` (at least 1).
pub fn step_cycles(dt_ms: f64, mhz: f64) -> u64 {
    ((dt_ms * 1000.0 * mhz).round() as u64).max(1)
}

/// Build `net` on `hw` for `board` into `out`: the fit check, the
/// accelerator (`spikefab gen`), the core wrapper, the shell, the XDC, the
/// scripts, `README.txt` and `build.json`. Nothing is written when the
/// design does not fit or the network does not fit the config. `out` must
/// be new, empty, or the output of an earlier build or generation.
pub fn build(
    net: &Network,
    hw: &HwConfig,
    board: &Board,
    out: &Path,
    opts: &BuildOptions,
) -> Result<BuildManifest, BuildError> {
    let part = board.part()?;
    let ck = shell::clocking(board).map_err(|why| BuildError::Clocking {
        board: board.name.clone(),
        why,
    })?;
    let phy =
        shell::link_phy(board, &ck, link_baud(opts.baud)).map_err(|why| BuildError::HostLink {
            board: board.name.clone(),
            why,
        })?;
    let fit = fit(hw, board)?;
    let xdc =
        spikefab_boards::builtin_xdc(&board.name).ok_or_else(|| BuildError::NoConstraints {
            board: board.name.clone(),
        })?;
    let saif_text = match &opts.saif {
        Some(p) => {
            Some(fs::read(p).map_err(|e| BuildError::io("cannot read the SAIF file", p, e))?)
        }
        None => None,
    };
    // the network is built (and checked against the config) before
    // anything in `out` changes
    let src = build_core_model(net, hw, opts.threads)?;
    for f in previous_build_files(out) {
        let p = out.join(&f);
        if fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
            fs::remove_file(&p)
                .map_err(|e| BuildError::io("cannot remove the earlier build's", &p, e))?;
        }
    }
    let m: Manifest = generate_from(net, &src, hw, out, None)?;

    let clock = match &ck {
        Clocking::Mmcm { clock, mmcm } => ClockInfo {
            source: "mmcm",
            from: clock.clone(),
            mhz: mmcm.out_mhz,
            mmcm: Some(*mmcm),
        },
        Clocking::Ps(ps) => ClockInfo {
            source: "ps",
            from: ps.clock_reset().0.to_string(),
            mhz: CORE_MHZ,
            mmcm: None,
        },
    };
    let steps = step_cycles(net.simulation.dt_ms, clock.mhz);
    let baud = link_baud(opts.baud);
    let uclks = shell::uart_clks(&ck, baud);
    let ubaud = clock.mhz * 1e6 / uclks as f64;
    let link = match board.host_link.kind {
        spikefab_boards::HostLinkKind::Uart => LinkInfo {
            kind: "uart",
            baud: Some(ubaud),
            clks_per_bit: Some(uclks),
            pcie: None,
            host_side:
                "the board's USB-UART (/dev/ttyUSB1 on Linux for the Arty A7's FT2232: port B)"
                    .into(),
        },
        spikefab_boards::HostLinkKind::Ps => LinkInfo {
            kind: "ps-uart",
            baud: Some(ubaud),
            clks_per_bit: Some(uclks),
            pcie: None,
            host_side: "the PS's UART1 on EMIO: /dev/ttyPS1 under the PS's Linux".into(),
        },
        spikefab_boards::HostLinkKind::Pcie => LinkInfo {
            kind: "pcie",
            baud: None,
            clks_per_bit: None,
            pcie: match &phy {
                LinkPhy::Xdma(x) => Some(PcieInfo {
                    ip: shell::XDMA_IP,
                    lanes: x.lanes,
                    generation: x.generation,
                    stream_bits: x.data_w,
                    axi_mhz: x.axi_mhz,
                }),
                LinkPhy::Uart { .. } => None,
            },
            host_side: "the XDMA driver's /dev/xdma<N>_h2c_0 (written), _c2h_0 (read) and _user \
                        (the user BAR): spikefab run --xdma N"
                .into(),
        },
    };
    let heartbeat_div = (clock.mhz * 500_000.0).round() as u64;
    #[derive(Serialize)]
    struct Key<'a> {
        generator: &'static str,
        version: &'static str,
        accelerator: &'a str,
        board: &'a Board,
        clock: &'a ClockInfo,
        step_cycles: u64,
        saif: bool,
        saif_strip: &'a Option<String>,
        uart_clks: u64,
    }
    let cfg_hash = hash_json(&Key {
        generator: "spikefab-build",
        version: VERSION,
        accelerator: &m.hashes.config,
        board,
        clock: &clock,
        step_cycles: steps,
        saif: opts.saif.is_some(),
        saif_strip: &opts.saif_strip,
        uart_clks: uclks,
    });
    let gen_line = format!(
        "Generated by spikefab-build {VERSION}; config hash {cfg_hash}; network hash {}; board {}; DO NOT EDIT",
        m.hashes.network, board.name
    );
    let vhead = format!("// {gen_line}");
    let thead = format!("# {gen_line}");

    let mut files: Vec<String> = Vec::new();
    // the board modules of hdl/
    for s in sources::BOARD {
        let text = format!(
            "{vhead}\n// Copy of hdl/{0} (spikefab-build {VERSION}); edit hdl/{0} instead.\n{1}",
            s.file, s.text
        );
        write(out, s.file, &text, &mut files)?;
    }
    let core_text = core::fpga_core_verilog(
        &vhead,
        &core::CoreDesign {
            net_top: &m.network_top,
            ports: &m.ports,
            config_hash: hash_u64(&m.hashes.config),
            lane_neurons: hw.core_params(None).n_neurons,
            heartbeat_div,
            idle_cycles: idle_cycles(clock.mhz),
            clock_mhz: clock.mhz,
        },
    )
    .map_err(|why| BuildError::Unsupported {
        config: hw.name.clone(),
        why,
    })?;
    write(
        out,
        &format!("{}.v", core::FPGA_CORE),
        &core_text,
        &mut files,
    )?;
    write(
        out,
        &format!("{SHELL}.v"),
        &shell::shell_verilog(&vhead, board, &ck, &phy),
        &mut files,
    )?;
    let xdma = match &phy {
        LinkPhy::Xdma(x) => {
            write(
                out,
                XDMA_TCL,
                &shell::xdma_ip_tcl(&thead, board, x),
                &mut files,
            )?;
            true
        }
        LinkPhy::Uart { .. } => false,
    };
    let ps = match ck {
        Clocking::Ps(ps) => {
            write(
                out,
                PS_BD_TCL,
                &shell::ps_bd_tcl(&thead, board, ps),
                &mut files,
            )?;
            Some(ps)
        }
        Clocking::Mmcm { .. } => None,
    };
    let xdc_name = format!("{}.xdc", board.name);
    write(out, &xdc_name, xdc, &mut files)?;
    if let Some(t) = &saif_text {
        let p = out.join(tcl::SAIF_FILE);
        fs::write(&p, t).map_err(|e| BuildError::io("cannot write", &p, e))?;
        files.push(tcl::SAIF_FILE.to_string());
    }

    // Verilog sources, leaves first: the accelerator's copies of hdl/, its
    // tops, the board modules, the core wrapper, the shell
    let mut srcs: Vec<String> = sources::CORE.iter().map(|s| s.file.to_string()).collect();
    srcs.push(format!("{}.v", spikefab_gen::manifest::TOP));
    srcs.push(format!("{}.v", m.network_top));
    srcs.extend(sources::BOARD.iter().map(|s| s.file.to_string()));
    srcs.push(format!("{}.v", core::FPGA_CORE));
    srcs.push(format!("{SHELL}.v"));
    for s in &srcs {
        if !m.files.contains(s) && !files.contains(s) {
            return Err(BuildError::Unsupported {
                config: hw.name.clone(),
                why: format!("the generated accelerator has no {s}"),
            });
        }
    }
    let images: Vec<String> = m.memories.iter().map(|x| x.file.clone()).collect();
    let bt = tcl::BuildTcl {
        sources: &srcs,
        xdc: &xdc_name,
        images: &images,
        ps,
        xdma,
        saif: saif_text.as_ref().map(|_| tcl::SAIF_FILE),
        saif_strip: opts.saif_strip.as_deref(),
    };
    write(
        out,
        "build.tcl",
        &tcl::build_tcl(&thead, board, &bt),
        &mut files,
    )?;
    write(
        out,
        "program.tcl",
        &tcl::program_tcl(&thead, board, part.name),
        &mut files,
    )?;
    let readme = readme_text(
        &gen_line,
        board,
        &link,
        &m,
        &clock,
        steps,
        &fit,
        ps.is_some(),
        xdma,
    );
    write(out, README, &readme, &mut files)?;
    files.push(BUILD_JSON.to_string());
    let mut all = m.files.clone();
    all.extend(files.iter().cloned());
    let bm = BuildManifest {
        generated: gen_line,
        generator: "spikefab-build",
        version: VERSION,
        board: board.name.clone(),
        board_title: board.title.clone(),
        part: board.device.part.clone(),
        vivado: board.vivado.clone(),
        config_hash: cfg_hash,
        accelerator_config_hash: m.hashes.config.clone(),
        network_hash: m.hashes.network.clone(),
        network: m.network.name.clone(),
        hw_config: hw.name.clone(),
        top: SHELL,
        clock,
        link,
        step_cycles: steps,
        fit,
        saif: saif_text.as_ref().map(|_| tcl::SAIF_FILE.to_string()),
        files: all,
        build_files: files,
        note: "written without running Vivado: the fit is the parts table's memory placement, not a Vivado result",
    };
    let mut json = serde_json::to_string_pretty(&bm).map_err(|e| BuildError::Io {
        what: "cannot serialize",
        path: out.join(BUILD_JSON),
        source: std::io::Error::other(e.to_string()),
    })?;
    json.push('\n');
    let p = out.join(BUILD_JSON);
    fs::write(&p, json).map_err(|e| BuildError::io("cannot write", &p, e))?;
    Ok(bm)
}

#[allow(clippy::too_many_arguments)]
fn readme_text(
    gen_line: &str,
    board: &Board,
    link: &LinkInfo,
    m: &Manifest,
    clock: &ClockInfo,
    steps: u64,
    fit: &PartUse,
    ps: bool,
    xdma: bool,
) -> String {
    let leds = board.leds.as_ref().map(|l| l.pins.len()).unwrap_or(0);
    let mut s = String::new();
    s.push_str(&format!("{gen_line}\n\n"));
    s.push_str(&format!(
        "spikefab build directory: network '{}' on hw config '{}', board {} ({}), part {}.\n\n",
        m.network.name, m.hw.name, board.name, board.title, board.device.part
    ));
    s.push_str(&format!(
        "Build (Vivado {} was the target; no Vivado was run to write this directory):\n\n    vivado -mode batch -source build.tcl\n\n",
        board.vivado
    ));
    s.push_str(
        "It writes spikefab.bit, post_synth.dcp, post_route.dcp and reports/ (utilization,\n\
         timing summary, power). `spikefab build ... --run` runs it and reads the reports\n\
         into run.json. Program the board over JTAG with\n\n    vivado -mode batch -source program.tcl\n\n",
    );
    s.push_str("Files:\n");
    s.push_str("  spikefab_shell.v       the top: the board's pins, clocking, reset synchronizer (vendor primitives only here)\n");
    s.push_str("  spikefab_fpga_core.v   the accelerator behind the host link, its spike buffer, heartbeat and status bits (no vendor primitives)\n");
    s.push_str("  spikefab_net.v, spikefab_top.v, snn_*.v, *.hex, manifest.json   the accelerator as `spikefab gen` writes it\n");
    s.push_str(&format!(
        "  {}.xdc{}pins, I/O standards, input clocks, reset-synchronizer constraints (constraints/{}.xdc)\n",
        board.name,
        " ".repeat(19usize.saturating_sub(board.name.len())),
        board.name
    ));
    if ps {
        s.push_str("  ps_bd.tcl              the processing system as a block design (sourced by build.tcl)\n");
    }
    if xdma {
        s.push_str(
            "  xdma_ip.tcl            the PCIe DMA endpoint, the XDMA IP (sourced by build.tcl)\n",
        );
    }
    s.push_str("  build.tcl, program.tcl the Vivado scripts; build.json: board, part, hashes, fit, files\n\n");
    s.push_str(&format!(
        "Clock: {} MHz from {} ({}); one network step every {steps} cycles is real time (register PACE).\n",
        clock.mhz, clock.from, clock.source
    ));
    s.push_str(
        "Status bits of the core: 0 heartbeat (1 Hz), 1 step counter bit 13, 2 spike\n\
         signature parity, 3 overrun (sticky: a paced step started late).\n",
    );
    match leds {
        0 => s.push_str(
            "This board has no user LEDs on fabric pins: the status bits are kept (DONT_TOUCH)\n\
             but not visible; register STATUS of the host link has the overrun.\n",
        ),
        n if n < 4 => s.push_str(&format!(
            "They drive the board's {n} LEDs (led_o[k] = status bit k); the others are kept\n\
             (DONT_TOUCH) but not visible.\n"
        )),
        _ => s.push_str("They drive LEDs 0..3 (led_o[k] = status bit k).\n"),
    }
    s.push_str(&format!(
        "\nFit (on-chip memories of the core on the part): {fit}\n"
    ));
    match link.kind {
        "pcie" => {
            let p = link.pcie.as_ref();
            s.push_str(&format!(
                "\nHost link: PCIe Gen{} x{} through the XDMA IP (xdma_ip.tcl): its AXI-Stream channels\n\
                 ({} bits at {} MHz) cross to the core clock and carry the link's bytes; every\n\
                 response frame ends with TLAST. The core is held in reset until the PCIe core is\n\
                 out of reset (the heartbeat blinks once it runs). With the XDMA driver loaded:\n\n    \
                 spikefab run NET --board {} --xdma 0 --verify\n\n\
                 (/dev/xdma0_h2c_0, _c2h_0, _user; docs/runtime.md: frames, registers, errors).\n\
                 Steps run only when the host says so. Programmed over JTAG in a running host,\n\
                 the card drops off the PCIe bus: remove it from the bus, program, rescan (or\n\
                 warm-reboot the host) (docs/build.md).\n",
                p.map_or(0, |p| p.generation),
                p.map_or(0, |p| p.lanes),
                p.map_or(0, |p| p.stream_bits),
                p.map_or(0, |p| p.axi_mhz),
                board.name,
            ));
        }
        _ => s.push_str(&format!(
            "\nHost link: 8N1 at {:.0} baud on {}.\n\
             Run a network on it (configure, run, read spikes back, compare with the reference):\n\n    \
             spikefab run NET --board {} --port DEVICE --baud {:.0} --verify\n\n\
             (docs/runtime.md: frames, registers, errors). Steps run only when the host says so.\n",
            link.baud.unwrap_or(0.0),
            link.host_side,
            board.name,
            link.baud.unwrap_or(0.0)
        )),
    }
    s.push_str("\nNot here yet: the memory IP for synapses in external memory; meshes of cores.\n");
    s
}
