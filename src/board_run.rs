//! `spikefab run`: a network on a board through its host link
//! (docs/runtime.md). The design's config hash is checked against the
//! network's hardware config, the network is configured through the load
//! port, the steps run, and the spikes stream back into the spike trace
//! `spikes.txt` of a run directory (source `board`). With `--verify` the
//! reference simulator runs the same steps into `reference.txt` and the one
//! comparator (`spikefab_sim::trace::compare_traces`) decides: a pass prints
//! "board run matched the reference: S spikes over N steps"; a divergence
//! is exit status 1.
//!
//! `--board sim` is the virtual board: the very board core a build holds
//! (`spikefab_fpga_core`, with its host link and spike buffer) around the
//! accelerator's network-independent top, verilated, reached in-process or,
//! with `--serial-pty`, through the serial transport over a pseudo-terminal
//! pair. Any other board is reached through `--port` (its UART) or
//! `--xdma` (the PCIe DMA devices).

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use spikefab_build::virtual_board::{board_load, virtual_design, BoardLoad};
use spikefab_cosim::axi::AxiMemConfig;
use spikefab_gen::HwConfig;
use spikefab_host::fault::{FaultConfig, Faulty};
use spikefab_host::proto::{status_bits, LoadBeat, SpikeRecord};
use spikefab_host::serial::{Pty, Serial};
use spikefab_host::virtual_board::{self, MemorySpec, VirtualBoard};
use spikefab_host::xdma::{Xdma, XdmaPaths};
use spikefab_host::{Board, BoardConfig, LinkConfig, RunReport, Transport};
use spikefab_sim::memory::Job;
use spikefab_sim::trace::{compare_traces, CompareError, Header, SpikeWriter, TraceReader};

use crate::cli::RunArgs;
use crate::cosim::{cache_root, WorkDir};
use crate::error::CliError;
use crate::gen::check_hw_memory;
use crate::model::{self, Length};
use crate::run::{check_run_dir, prepare_run_dir};
use crate::util::{self, header_token};

/// The virtual board's clock: what its deadlines and figures are measured in.
pub const VIRTUAL_CLOCK_HZ: f64 = 100e6;
/// Read latency of the virtual board's external memory, in cycles (a DDR4
/// controller's order of magnitude at 100 MHz: 400 ns).
pub const VIRTUAL_MEMORY_LATENCY: u32 = 40;

fn host_err(e: impl std::fmt::Display) -> CliError {
    CliError::Host(e.to_string())
}

/// How `--board` is reached.
enum Reach {
    Virtual,
    Serial(PathBuf),
    Xdma(u32),
}

fn reach(a: &RunArgs) -> Result<Reach, CliError> {
    let sim = a.board == "sim";
    if !sim && (a.serial_pty || a.faults.is_some()) {
        return Err(CliError::Usage(format!(
            "--board {}: --serial-pty and --faults are for the virtual board (--board sim)",
            a.board
        )));
    }
    if a.mesh.is_some() && !sim {
        return Err(CliError::Usage(
            "--mesh: the board shells hold one core so far; a mesh runs on --board sim".into(),
        ));
    }
    match (sim, &a.port, a.xdma) {
        (true, None, None) => Ok(Reach::Virtual),
        (true, _, _) => Err(CliError::Usage(
            "--board sim is the virtual board in this process: no --port or --xdma \
             (--serial-pty reaches it through the serial transport)"
                .into(),
        )),
        (false, Some(p), None) => Ok(Reach::Serial(p.clone())),
        (false, None, Some(n)) => Ok(Reach::Xdma(n)),
        (false, Some(_), Some(_)) => Err(CliError::Usage(
            "give --port (a UART) or --xdma (PCIe), not both".into(),
        )),
        (false, None, None) => Err(CliError::Usage(format!(
            "--board {}: say how to reach it: --port DEV (its UART, e.g. /dev/ttyUSB1) or \
             --xdma N (the PCIe DMA devices /dev/xdmaN_*); --board sim is the virtual board",
            a.board
        ))),
    }
}

pub fn run(a: &RunArgs) -> Result<bool, CliError> {
    let how = reach(a)?;
    if let Some(t) = a.timeout {
        if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
            return Err(CliError::Usage(format!(
                "--timeout {t}: seconds in (0, 3600]"
            )));
        }
    }
    if !matches!(how, Reach::Virtual) {
        // a board must be a known one (its name in messages and run.json)
        spikefab_boards::lookup(&a.board)?;
    }
    check_run_dir(a.output.as_deref())?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let hw = match &a.hw {
        Some(spec) => HwConfig::resolve(spec)?,
        None => {
            spikefab_gen::build::sized_config(&r.net, &HwConfig::default(), a.threads as usize)?
        }
    };
    check_hw_memory(
        &r.net,
        &hw,
        a.mesh.as_ref(),
        Job::Generate {
            mesh: a.mesh.is_some(),
        },
        a.threads as usize,
        a.max_memory,
    )?;
    let threads = a.threads as usize;
    let t0 = Instant::now();
    let show = a.progress || std::io::stderr().is_terminal();

    // ---- the transport and the network's configuration
    let mut work: Option<WorkDir> = None;
    let mut server: Option<std::thread::JoinHandle<Result<(), String>>> = None;
    let stop = Arc::new(AtomicBool::new(false));
    let (transport, load, virt): (Box<dyn Transport>, BoardLoad, bool) = match &how {
        Reach::Virtual => {
            let cache = cache_root(a.cache.as_deref())?;
            let w = WorkDir::new(None, "spikefab-vboard-")?;
            let d = virtual_design(&r.net, &hw, a.mesh.as_ref(), threads, w.path())?;
            eprintln!(
                "virtual board: {} ({} spike lane{}), verilating or found in the cache ...",
                d.top,
                d.lanes,
                if d.lanes == 1 { "" } else { "s" }
            );
            let memory = d.axi.as_ref().map(|axi| MemorySpec {
                ports: d
                    .memory_ports
                    .iter()
                    .map(spikefab_cosim::Port::from_hdl)
                    .collect(),
                config: AxiMemConfig {
                    latency: VIRTUAL_MEMORY_LATENCY,
                    ..AxiMemConfig::for_port(axi)
                },
            });
            if let Some(axi) = &d.axi {
                eprintln!(
                    "virtual board: external synapse store behind a {}-bit AXI4 port \
                     ({VIRTUAL_MEMORY_LATENCY} cycles of read latency); the host writes its image",
                    axi.data_w
                );
            }
            let vb = VirtualBoard::open_with_memory(
                d.top,
                &d.sources,
                memory.as_ref(),
                &cache,
                a.x_seed,
                VIRTUAL_CLOCK_HZ,
            )
            .map_err(host_err)?;
            work = Some(w);
            let t: Box<dyn Transport> = if a.serial_pty {
                let pty = Pty::open().map_err(|e| {
                    CliError::Host(format!("cannot open a pseudo-terminal pair: {e}"))
                })?;
                let slave = pty.slave_path.clone();
                let mut master = pty
                    .master
                    .try_clone()
                    .map_err(|e| CliError::Host(format!("pseudo-terminal: {e}")))?;
                let stop2 = Arc::clone(&stop);
                let mut vb = vb;
                server = Some(std::thread::spawn(move || {
                    let _keep = pty;
                    virtual_board::serve(&mut vb, &mut master, 1000, &stop2)
                }));
                Box::new(Serial::open(&slave, a.baud).map_err(host_err)?)
            } else {
                Box::new(vb)
            };
            (t, d.load, true)
        }
        Reach::Serial(p) => {
            let load = board_load(&r.net, &hw, a.mesh.as_ref(), threads)?;
            (
                Box::new(Serial::open(p, a.baud).map_err(host_err)?),
                load,
                false,
            )
        }
        Reach::Xdma(n) => {
            let load = board_load(&r.net, &hw, a.mesh.as_ref(), threads)?;
            (
                Box::new(Xdma::open(&XdmaPaths::for_index(*n)).map_err(host_err)?),
                load,
                false,
            )
        }
    };
    let transport: Box<dyn Transport> = match a.faults {
        Some(p) if p > 0.0 => Box::new(Faulty::new(
            transport,
            FaultConfig::uniform(a.fault_seed, p / 100.0),
        )),
        _ => transport,
    };
    let setup = t0.elapsed().as_secs_f64();

    let res = drive(a, transport, &load, virt, show);
    stop.store(true, Ordering::Relaxed);
    if let Some(h) = server {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("virtual board server: {e}"),
            Err(_) => eprintln!("virtual board server: the thread panicked"),
        }
    }
    let (records, report, conf, run_link) = match res {
        Ok(x) => x,
        Err(e) => {
            if let Some(w) = work.as_mut() {
                w.keep();
                eprintln!("virtual board files kept in {}", w.path().display());
            }
            return Err(e);
        }
    };

    // ---- the trace
    let dir = prepare_run_dir(a.output.as_deref(), &r.model)?;
    let mut engine = load.engine;
    let header = Header::of_run(&header_token(&r.model), &engine, a.steps, "board");
    let spikes_path = dir.join("spikes.txt");
    write_trace(&spikes_path, &header, a.steps, &records)?;

    let mut matched: Option<bool> = None;
    let mut verify_text = String::new();
    if a.verify {
        let ref_path = dir.join("reference.txt");
        let rh = Header::of_run(&header_token(&r.model), &engine, a.steps, "sim");
        {
            let f =
                File::create(&ref_path).map_err(|e| CliError::io("cannot create", &ref_path, e))?;
            let mut w = SpikeWriter::new(BufWriter::new(f), &rh)
                .map_err(|e| CliError::io("cannot write", &ref_path, e))?;
            for t in 0..a.steps {
                let mut s: Vec<u32> = engine.step().to_vec();
                s.sort_unstable();
                w.step(t, &s)
                    .map_err(|e| CliError::io("cannot write", &ref_path, e))?;
            }
            w.finish()
                .map_err(|e| CliError::io("cannot write", &ref_path, e))?;
        }
        let open = |p: &Path| -> Result<_, CliError> {
            let f = File::open(p).map_err(|e| CliError::io("cannot open", p, e))?;
            TraceReader::open(BufReader::new(f)).map_err(|source| CliError::Trace {
                path: p.to_path_buf(),
                source,
            })
        };
        let (mut x, mut y) = (open(&ref_path)?, open(&spikes_path)?);
        let c = compare_traces(&mut x, &mut y).map_err(|e| match e {
            CompareError::Read { source, .. } => CliError::Trace {
                path: spikes_path.clone(),
                source,
            },
            e => CliError::TraceMismatch(e.to_string()),
        })?;
        let (rn, bn) = (
            ref_path.display().to_string(),
            spikes_path.display().to_string(),
        );
        if c.matched() {
            verify_text = format!(
                "board run matched the reference: {} spikes over {} steps\n",
                c.spikes, c.steps
            );
        } else {
            verify_text = format!(
                "board run DIVERGED from the reference\n{}\n",
                c.report(&rn, &bn)
            );
        }
        matched = Some(c.matched());
    }

    // ---- run.json and the summary
    let wall = report.wall.as_secs_f64().max(1e-9);
    let sim_s = report.cycles as f64 / VIRTUAL_CLOCK_HZ;
    let j = json!({
        "tool": "spikefab",
        "command": "run",
        "board": a.board,
        "virtual": virt,
        "serial_pty": a.serial_pty,
        "network": r.model,
        "hw_config": hw.name,
        "mesh": a.mesh.map(|m| m.to_string()),
        "config_hash": format!("{:016x}", load.config_hash),
        "steps": report.steps,
        "spikes": report.spikes,
        "cycles": report.cycles,
        "stall_cycles": report.stall_cycles,
        "bad_frames": report.bad_frames,
        "dup_frames": report.dup_frames,
        "rx_errors": report.rx_errors,
        "overruns": report.overruns,
        "retries": report.retries,
        "bytes_sent": report.bytes_sent,
        "bytes_received": report.bytes_received,
        "configure": {
            "beats": conf.beats,
            "requests": conf.requests,
            "bytes_sent": conf.bytes_sent,
            "bytes_received": conf.bytes_received,
            "wall_s": conf.wall_s,
            "clock_s": conf.clock_s,
        },
        "run_link": run_link,
        "run_wall_s": wall,
        "setup_s": setup,
        "faults_pct": a.faults,
        "verified": matched,
    });
    let p = dir.join("run.json");
    let mut text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Serialize {
        what: "run.json",
        message: e.to_string(),
    })?;
    text.push('\n');
    fs::write(&p, &text).map_err(|e| CliError::io("cannot write", &p, e))?;
    if a.json {
        let line = serde_json::to_string(&j).map_err(|e| CliError::Serialize {
            what: "run.json",
            message: e.to_string(),
        })?;
        util::out(&format!("{line}\n"))
            .map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
        if !verify_text.is_empty() {
            eprint!("{verify_text}");
        }
        return Ok(matched.unwrap_or(true));
    }
    let mut s = format!(
        "ran {} steps on {}: {} spikes, {} cycles{} ({} retries, {} bad frames, {} duplicates, {} stall cycles)\n",
        report.steps,
        if virt { "the virtual board".to_string() } else { a.board.clone() },
        report.spikes,
        report.cycles,
        if virt {
            format!(" ({:.3} s simulated at 100 MHz, {:.1} s wall)", sim_s, wall)
        } else {
            format!(" ({wall:.1} s)")
        },
        report.retries,
        report.bad_frames,
        report.dup_frames,
        report.stall_cycles,
    );
    s.push_str(&format!(
        "wrote {} (source=board) and run.json to {}\n",
        spikes_path.display(),
        dir.display()
    ));
    s.push_str(&verify_text);
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    Ok(matched.unwrap_or(true))
}

/// Open the board, check its design, configure it, run: the records, the
/// report and the configuration time.
fn drive(
    a: &RunArgs,
    transport: Box<dyn Transport>,
    load: &BoardLoad,
    virt: bool,
    show: bool,
) -> Result<(Vec<SpikeRecord>, RunReport, Configure, serde_json::Value), CliError> {
    let (timeout, poll, idle) = if virt && !a.serial_pty {
        // simulated time: the longest a response waits is a configuration
        // clear (slots x neurons cycles), far below 2 ms at 100 MHz for
        // the cores here
        (
            a.timeout
                .map(Duration::from_secs_f64)
                .unwrap_or(Duration::from_millis(2)),
            Duration::from_micros(20),
            Duration::from_millis(200),
        )
    } else {
        (
            a.timeout
                .map(Duration::from_secs_f64)
                .unwrap_or(Duration::from_millis(500)),
            Duration::from_millis(1),
            Duration::from_secs(30),
        )
    };
    let cfg = BoardConfig {
        link: LinkConfig {
            timeout,
            retries: a.retries,
            first_seq: None,
        },
        poll_interval: poll,
        max_idle: idle,
    };
    let mut b = Board::open(transport, cfg).map_err(host_err)?;
    if let Err(e) = b.check_config_hash(load.config_hash) {
        return Err(CliError::Host(format!(
            "{e}: the design on the board was not built for hw config '{}'{} (rebuild it with \
             spikefab build, or name the config it was built with: --hw)",
            a.hw.as_deref().unwrap_or("sized"),
            a.mesh
                .map(|m| format!(" on a {m} mesh"))
                .unwrap_or_default()
        )));
    }
    let mut st = b.status().map_err(host_err)?;
    if st.running() || st.steps_left > 0 {
        // an earlier run left behind (an interrupted host): stop it, let its
        // step finish; its records are drained, not delivered, by run()
        eprintln!(
            "the board was still running ({} steps left): stopping it",
            st.steps_left
        );
        b.stop().map_err(host_err)?;
        let t = b.link().transport().now();
        while st.running() {
            if b.link().transport().now().saturating_sub(t) > idle {
                return Err(CliError::Host(format!(
                    "the board does not stop: STATUS {:#x} after STOP",
                    st.status
                )));
            }
            b.link_mut().wait(poll).map_err(host_err)?;
            st = b.status().map_err(host_err)?;
        }
    }
    let t0 = Instant::now();
    let s0 = b.link().stats();
    let c0 = b.link().transport().now();
    let mut beats_n = 0u64;
    if a.no_configure {
        if st.steps_done != 0 || st.status & status_bits::LOAD_READY == 0 {
            return Err(CliError::Usage(format!(
                "--no-configure: the board has run steps since its configuration (STEPS_DONE \
                 {}; a reset restarts the step counter but keeps the state of the run), and \
                 the trace starts at step 0 of the network: configure it (leave out \
                 --no-configure)",
                st.steps_done
            )));
        }
    } else {
        let beats: Vec<LoadBeat> = load
            .beats
            .iter()
            .map(|(core, x)| LoadBeat {
                core: *core as u16,
                mem: x.mem,
                addr: x.addr,
                last: x.last,
                data: x.data,
            })
            .collect();
        beats_n = beats.len() as u64;
        let pb = bar(
            show,
            beats.len() as u64,
            "configure {bar:30} {pos}/{len} beats {per_sec} {eta}",
        );
        b.configure(&beats, &mut |p| pb.set_position(p.beats_done as u64))
            .map_err(host_err)?;
        pb.finish_and_clear();
    }
    let s1 = b.link().stats();
    let conf = Configure {
        beats: beats_n,
        bytes_sent: s1.bytes_sent - s0.bytes_sent,
        bytes_received: s1.bytes_received - s0.bytes_received,
        requests: s1.requests - s0.requests,
        wall_s: t0.elapsed().as_secs_f64(),
        clock_s: (b.link().transport().now().saturating_sub(c0)).as_secs_f64(),
    };
    let mut records: Vec<SpikeRecord> = Vec::new();
    let pb = bar(
        show,
        a.steps,
        "run {bar:30} {pos}/{len} steps {per_sec} {msg}",
    );
    let start = Instant::now();
    let report = b
        .run(
            a.steps as u32, // clap bounds --steps to 1..=u32::MAX
            a.pace,
            &mut |s| {
                records.extend_from_slice(s);
                Ok(())
            },
            &mut |p| {
                pb.set_position(p.steps_done);
                let el = start.elapsed().as_secs_f64().max(1e-9);
                pb.set_message(format!("{:.0} spikes/s", p.spikes as f64 / el));
            },
        )
        .map_err(host_err)?;
    pb.finish_and_clear();
    let s2 = b.link().stats();
    let link = json!({
        "requests": s2.requests - s1.requests,
        "bytes_sent": s2.bytes_sent - s1.bytes_sent,
        "bytes_received": s2.bytes_received - s1.bytes_received,
    });
    Ok((records, report, conf, link))
}

/// What the configuration cost: beats, link bytes and requests, wall time
/// and time on the transport's clock (simulated on the virtual board).
struct Configure {
    beats: u64,
    bytes_sent: u64,
    bytes_received: u64,
    requests: u64,
    wall_s: f64,
    clock_s: f64,
}

fn bar(show: bool, len: u64, template: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(st) = ProgressStyle::with_template(template) {
        pb.set_style(st);
    }
    pb
}

/// The board's records as a spike trace of `steps` steps: sorted by step,
/// then neuron; a record outside the run or repeated is an error (the
/// board sent something the reference cannot have).
fn write_trace(
    path: &Path,
    header: &Header,
    steps: u64,
    records: &[SpikeRecord],
) -> Result<(), CliError> {
    let mut v = records.to_vec();
    v.sort_unstable();
    if let Some(w) = v.windows(2).find(|w| w[0] == w[1]) {
        return Err(CliError::Host(format!(
            "the board sent neuron {} of step {} twice",
            w[0].neuron, w[0].step
        )));
    }
    if let Some(r) = v.iter().find(|r| u64::from(r.step) >= steps) {
        return Err(CliError::Host(format!(
            "the board sent a spike of step {} (neuron {}), outside the run's {steps} steps",
            r.step, r.neuron
        )));
    }
    let f = File::create(path).map_err(|e| CliError::io("cannot create", path, e))?;
    let mut w = SpikeWriter::new(BufWriter::new(f), header)
        .map_err(|e| CliError::io("cannot write", path, e))?;
    let mut k = 0usize;
    for t in 0..steps {
        let mut ns = Vec::new();
        while k < v.len() && u64::from(v[k].step) == t {
            ns.push(v[k].neuron);
            k += 1;
        }
        w.step(t, &ns)
            .map_err(|e| CliError::io("cannot write", path, e))?;
    }
    w.finish()
        .map_err(|e| CliError::io("cannot write", path, e))?;
    Ok(())
}
