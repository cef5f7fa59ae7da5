//! `spikefab sim`: build a network, run it, and write a run directory.
//!
//! Also the pieces `bench`, `gen` and `cosim` share: the per-population
//! spike statistics, the progress display, the memory check and the engine
//! build with located diagnostics.

use std::fs::{self, File};
use std::io::{BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use spikefab_sim::connect::BuildProgress;
use spikefab_sim::engine::{self, Engine};
use spikefab_sim::input::InputSpikes;
use spikefab_sim::memory::{self, Estimate, MemoryLimit};
use spikefab_sim::quant::QuantEntry;
use spikefab_sim::records::StepRecords;
use spikefab_sim::trace::{Header, RecordWriter, SpikeWriter, StateWriter, WeightOrder};

use crate::cli::SimArgs;
use crate::error::CliError;
use crate::model::{self, Length, Resolved};
use crate::plot::{self, RasterGrid};
pub use crate::rates::PopRate;
use crate::util::{self, csv_field, header_token, human_bytes};

/// Warm-up excluded from the "after warm-up" rates (ms).
pub const WARMUP_MS: f64 = 500.0;

/// Files a run directory may contain (all written by `sim`).
pub const RUN_FILES: [&str; 10] = [
    "network.toml",
    "spikes.txt",
    "records.txt",
    "state.txt",
    "rates.csv",
    "raster.png",
    "rates.png",
    "quantization.csv",
    "run.json",
    "run.json.tmp",
];

/// Spike counts per population and synaptic events, accumulated step by step.
#[derive(Debug, Clone)]
pub struct Stats {
    pub counts: Vec<u64>,
    pub counts_late: Vec<u64>,
    /// First step counted in `counts_late`.
    pub warm_steps: u64,
    pub spikes: u64,
    pub syn_events: u64,
}

impl Stats {
    pub fn new(pops: usize, dt_ms: f64) -> Stats {
        Stats {
            counts: vec![0; pops],
            counts_late: vec![0; pops],
            warm_steps: (WARMUP_MS / dt_ms).round() as u64,
            spikes: 0,
            syn_events: 0,
        }
    }

    /// Count the spikes of step `t`.
    #[inline]
    pub fn record(&mut self, t: u64, spikes: &[u32], eng: &Engine) {
        let late = t >= self.warm_steps;
        self.spikes += spikes.len() as u64;
        for &n in spikes {
            let p = eng.pop_of(n);
            self.counts[p] += 1;
            if late {
                self.counts_late[p] += 1;
            }
            self.syn_events += eng.syn.out_degree(n);
        }
    }
}

/// Per-population rates of a run of `steps` steps.
pub fn pop_rates(pops: &[(String, u32)], stats: &Stats, steps: u64, dt_ms: f64) -> Vec<PopRate> {
    let bio_s = steps as f64 * dt_ms * 1e-3;
    let late_steps = steps.saturating_sub(stats.warm_steps);
    let late_s = late_steps as f64 * dt_ms * 1e-3;
    let long = bio_s * 1e3 > WARMUP_MS && late_steps > 0;
    pops.iter()
        .enumerate()
        .map(|(i, (name, size))| {
            let per = |c: u64, s: f64| {
                if *size == 0 || s <= 0.0 {
                    0.0
                } else {
                    c as f64 / *size as f64 / s
                }
            };
            PopRate {
                name: name.clone(),
                size: *size,
                spikes: stats.counts[i],
                rate_hz: per(stats.counts[i], bio_s),
                rate_late_hz: long.then(|| per(stats.counts_late[i], late_s)),
            }
        })
        .collect()
}

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Nothing (quiet, or stderr is not a terminal).
    Off,
    /// A bar (stderr is a terminal).
    Bar,
    /// A line every few seconds (`--progress` with stderr not a terminal).
    Lines,
}

impl ProgressMode {
    /// The mode of an invocation: `quiet` silences it, `forced`
    /// (`--progress`) shows it even when stderr is not a terminal.
    pub fn of(quiet: bool, forced: bool) -> ProgressMode {
        let tty = std::io::stderr().is_terminal();
        match (tty, forced, quiet) {
            (true, _, false) | (true, true, _) => ProgressMode::Bar,
            (false, true, _) => ProgressMode::Lines,
            _ => ProgressMode::Off,
        }
    }
}

/// Seconds between two progress lines.
const LINE_EVERY_S: f64 = 5.0;

/// Progress of the step loop on stderr: appears only once the run is
/// expected to take longer than about two seconds, and never when off.
pub struct Progress {
    mode: ProgressMode,
    total: u64,
    start: Instant,
    bar: Option<ProgressBar>,
    last_line: f64,
}

impl Progress {
    pub fn new(total: u64, mode: ProgressMode) -> Progress {
        Progress {
            mode,
            total,
            start: Instant::now(),
            bar: None,
            last_line: 0.0,
        }
    }

    /// `done` steps are complete. Cheap enough to call every step.
    #[inline]
    pub fn update(&mut self, done: u64) {
        if self.mode == ProgressMode::Off || !done.is_multiple_of(32) {
            return;
        }
        let el = self.start.elapsed().as_secs_f64();
        if self.mode == ProgressMode::Lines {
            if el - self.last_line >= LINE_EVERY_S {
                self.last_line = el;
                eprintln!(
                    "progress: simulating: step {done} of {} ({:.1}%, {el:.0} s)",
                    self.total,
                    100.0 * done as f64 / self.total.max(1) as f64
                );
            }
            return;
        }
        match &self.bar {
            Some(b) => b.set_position(done),
            None => {
                let projected = if done > 0 {
                    el * self.total as f64 / done as f64
                } else {
                    0.0
                };
                if el > 2.0 || (el > 0.3 && projected > 2.0) {
                    let style = ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} steps (eta {eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                    let b = ProgressBar::with_draw_target(
                        Some(self.total),
                        ProgressDrawTarget::stderr(),
                    )
                    .with_style(style)
                    .with_elapsed(self.start.elapsed());
                    b.set_position(done);
                    self.bar = Some(b);
                }
            }
        }
    }

    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

/// The progress of a connectivity build on stderr: the phase (counting,
/// placing, sorting) and its synapses done of its total. As a bar, it
/// appears only if the build takes longer than half a second; as lines,
/// one per phase and one every few seconds.
pub struct BuildBar {
    state: Arc<BuildState>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the worker threads update and the drawing thread reads.
struct BuildState {
    mode: ProgressMode,
    pb: ProgressBar,
    start: Instant,
    pos: AtomicU64,
    phase: Mutex<(&'static str, u64)>,
    done: AtomicBool,
}

impl BuildState {
    fn line(&self) {
        let (what, total) = *self.phase.lock().unwrap_or_else(|e| e.into_inner());
        let pos = self.pos.load(Ordering::Relaxed);
        eprintln!(
            "progress: building network: {what}: {pos} of {total} ({:.1}%, {:.0} s)",
            100.0 * pos as f64 / total.max(1) as f64,
            self.start.elapsed().as_secs_f64()
        );
    }

    /// The drawing thread: shows the bar after half a second and keeps it
    /// current, or prints a line every few seconds.
    fn draw(&self) {
        let mut shown = false;
        let mut last_line = 0.0;
        while !self.done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            let el = self.start.elapsed().as_secs_f64();
            if self.mode == ProgressMode::Bar {
                if !shown && el > 0.5 {
                    shown = true;
                    self.pb.set_draw_target(ProgressDrawTarget::stderr());
                    self.pb.enable_steady_tick(Duration::from_millis(120));
                }
                self.pb.set_position(self.pos.load(Ordering::Relaxed));
            } else if el - last_line >= LINE_EVERY_S {
                last_line = el;
                self.line();
            }
        }
    }
}

impl BuildBar {
    pub fn start(mode: ProgressMode) -> Option<BuildBar> {
        if mode == ProgressMode::Off {
            return None;
        }
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        if let Ok(st) = ProgressStyle::with_template(
            "{spinner} building network: {msg} {wide_bar} {human_pos}/{human_len} [{elapsed}, eta {eta}]",
        ) {
            pb.set_style(st);
        }
        let state = Arc::new(BuildState {
            mode,
            pb,
            start: Instant::now(),
            pos: AtomicU64::new(0),
            phase: Mutex::new(("starting", 0)),
            done: AtomicBool::new(false),
        });
        let s2 = state.clone();
        let thread = std::thread::Builder::new()
            .name("spikefab-build-progress".into())
            .spawn(move || s2.draw())
            .ok();
        Some(BuildBar { state, thread })
    }

    /// Stop drawing and clear the bar.
    pub fn finish(mut self) {
        self.state.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.state.pb.finish_and_clear();
    }
}

impl BuildProgress for BuildBar {
    fn phase(&self, what: &'static str, total: u64) {
        let s = &self.state;
        *s.phase.lock().unwrap_or_else(|e| e.into_inner()) = (what, total);
        s.pos.store(0, Ordering::Relaxed);
        s.pb.set_message(what);
        s.pb.set_length(total);
        s.pb.set_position(0);
        if s.mode == ProgressMode::Lines {
            s.line();
        }
    }

    fn advance(&self, n: u64) {
        self.state.pos.fetch_add(n, Ordering::Relaxed);
    }
}

/// The memory limit of an invocation (`--max-memory`, else what the
/// system says is available) against the estimate of its job; an error
/// naming the fields that drive it when it does not fit.
pub fn check_memory(est: &Estimate, max_memory: Option<u64>) -> Result<(), CliError> {
    match MemoryLimit::resolve(max_memory) {
        Some(limit) => est.check(&limit).map_err(CliError::from),
        None => Ok(()),
    }
}

/// Build the engine (quantize + connectivity) in the current rayon pool,
/// showing the build's progress per `progress`. Diagnostics come back
/// unlocated (locate them outside, with the source text).
pub fn build_engine(
    r: &Resolved,
    progress: ProgressMode,
) -> Result<(Engine, f64), spikefab_sim::Diagnostics> {
    let bar = BuildBar::start(progress);
    let t0 = Instant::now();
    let e = match &bar {
        Some(b) => Engine::from_network_with(&r.net, b),
        None => Engine::from_network(&r.net),
    };
    let build_s = t0.elapsed().as_secs_f64();
    if let Some(b) = bar {
        b.finish();
    }
    e.map(|e| (e, build_s))
}

/// Is `dir` the output of an earlier `spikefab sim`?
fn is_run_dir(dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dir.join("run.json")) else {
        return false;
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    v.get("tool").and_then(Value::as_str) == Some("spikefab")
}

/// Check, without touching anything, that `output` may receive a run (so
/// that a long build is not wasted on a directory that will be refused).
pub fn check_run_dir(output: Option<&Path>) -> Result<(), CliError> {
    let Some(d) = output else { return Ok(()) };
    if !d.exists() {
        return Ok(());
    }
    if !d.is_dir() {
        return Err(CliError::Usage(format!(
            "-o {}: exists and is not a directory",
            d.display()
        )));
    }
    let mut entries = fs::read_dir(d).map_err(|e| CliError::io("cannot list", d, e))?;
    if entries.next().is_some() && !is_run_dir(d) {
        return Err(CliError::RunDirInUse(d.to_path_buf()));
    }
    Ok(())
}

/// Create (or claim) the output directory. Never touches a non-empty
/// directory that is not a previous run; in a previous run directory only the
/// files a run writes are replaced.
pub fn prepare_run_dir(output: Option<&Path>, model: &str) -> Result<PathBuf, CliError> {
    let dir = match output {
        Some(d) => {
            if d.exists() {
                if !d.is_dir() {
                    return Err(CliError::Usage(format!(
                        "-o {}: exists and is not a directory",
                        d.display()
                    )));
                }
                let mut entries = fs::read_dir(d).map_err(|e| CliError::io("cannot list", d, e))?;
                if entries.next().is_some() {
                    if !is_run_dir(d) {
                        return Err(CliError::RunDirInUse(d.to_path_buf()));
                    }
                    for f in RUN_FILES {
                        let p = d.join(f);
                        if p.is_file() {
                            fs::remove_file(&p)
                                .map_err(|e| CliError::io("cannot remove", &p, e))?;
                        }
                    }
                }
            } else {
                fs::create_dir_all(d).map_err(|e| CliError::io("cannot create directory", d, e))?;
            }
            d.to_path_buf()
        }
        None => {
            let runs = Path::new("runs");
            fs::create_dir_all(runs)
                .map_err(|e| CliError::io("cannot create directory", runs, e))?;
            let base = format!("{}-{}", util::file_token(model), util::utc_stamp());
            let mut k = 1u32;
            loop {
                let name = if k == 1 {
                    base.clone()
                } else {
                    format!("{base}-{k}")
                };
                let p = runs.join(name);
                match fs::create_dir(&p) {
                    Ok(()) => break p,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && k < 10_000 => k += 1,
                    Err(e) => return Err(CliError::io("cannot create directory", &p, e)),
                }
            }
        }
    };
    // Mark the directory as a spikefab run right away, so that a run that
    // fails half-way can be re-run into the same directory.
    write_file(
        &dir.join("run.json"),
        &format!("{}\n", json!({ "tool": "spikefab", "status": "running" })),
    )?;
    Ok(dir)
}

/// Write a whole file.
pub fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    fs::write(path, text).map_err(|e| CliError::io("cannot write", path, e))
}

fn create(path: &Path) -> Result<BufWriter<File>, CliError> {
    let f = File::create(path).map_err(|e| CliError::io("cannot create", path, e))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

/// Everything the step loop produced.
struct Outcome {
    stats: Stats,
    grid: RasterGrid,
    build_s: f64,
    sim_s: f64,
    synapses: u64,
    neurons: u32,
    steps: u64,
    pops: Vec<(String, u32)>,
    report: Vec<QuantEntry>,
    threads: usize,
    saturated_weights: u64,
    engine_bytes: u64,
}

/// Errors of the pool closure: diagnostics still to be located, or anything else.
enum RunError {
    Diags(spikefab_sim::Diagnostics),
    Other(CliError),
}

impl From<CliError> for RunError {
    fn from(e: CliError) -> Self {
        RunError::Other(e)
    }
}

/// `spikefab sim`.
pub fn sim(args: &SimArgs) -> Result<(), CliError> {
    let length = match (args.steps, args.duration_ms) {
        (Some(s), _) => Length::Steps(s),
        (None, Some(ms)) => Length::Ms(ms),
        (None, None) => Length::Default,
    };
    let r = model::resolve(&args.net, &args.model, length)?;
    let toml = r.net.to_toml().map_err(|e| CliError::Serialize {
        what: "the network",
        message: e.to_string(),
    })?;
    check_run_dir(args.output.as_deref())?;
    let input = match &args.input {
        None => None,
        Some(p) => Some(read_input(p, &r.net)?),
    };
    let threads = args.threads as usize;
    check_memory(
        &memory::estimate(&r.net, memory::Job::Simulate, threads),
        args.max_memory,
    )?;

    let progress = ProgressMode::of(args.quiet, args.progress);
    // The directory is created once the engine is built: a network that
    // fails to quantize or connect leaves nothing behind.
    let prepare = || -> Result<PathBuf, CliError> {
        let dir = prepare_run_dir(args.output.as_deref(), &r.model)?;
        write_file(&dir.join("network.toml"), &toml)?;
        Ok(dir)
    };
    let (dir, outcome) = engine::with_threads(threads, || {
        run_in_pool(&r, progress, args.records, input.as_ref(), prepare).map_err(|e| match e {
            RunError::Diags(mut d) => {
                r.source.locate(&mut d);
                CliError::Diagnostics(d)
            }
            RunError::Other(e) => e,
        })
    })
    .map_err(|e| CliError::Threads {
        threads,
        message: e.to_string(),
    })??;
    let peak = util::peak_rss_bytes();

    let net = &r.net;
    let dt = net.simulation.dt_ms;
    let rates = pop_rates(&outcome.pops, &outcome.stats, outcome.steps, dt);
    let mut files = vec!["network.toml"];
    if net.recording.spikes {
        files.push("spikes.txt");
    }
    if args.records {
        files.push("records.txt");
    }
    if net.recording.state.is_some() {
        files.push("state.txt");
    }

    // rates.csv
    let long = rates.iter().any(|p| p.rate_late_hz.is_some());
    let mut csv = String::from("population,size,spikes,rate_hz");
    if long {
        csv.push_str(",rate_hz_after_500ms");
    }
    csv.push('\n');
    for p in &rates {
        csv.push_str(&format!(
            "{},{},{},{:.6}",
            csv_field(&p.name),
            p.size,
            p.spikes,
            p.rate_hz
        ));
        if let Some(l) = p.rate_late_hz {
            csv.push_str(&format!(",{l:.6}"));
        }
        csv.push('\n');
    }
    write_file(&dir.join("rates.csv"), &csv)?;
    files.push("rates.csv");

    // quantization.csv
    write_file(&dir.join("quantization.csv"), &quant_csv(&outcome.report))?;
    files.push("quantization.csv");

    // plots
    if !args.no_plot {
        let title = format!(
            "{} ({} neurons, seed {})",
            r.model, outcome.neurons, net.simulation.seed
        );
        plot::raster(&dir.join("raster.png"), &outcome.grid, &title)?;
        plot::rates(&dir.join("rates.png"), &rates, &r.model)?;
        files.push("raster.png");
        files.push("rates.png");
    }

    // run.json
    let bio_s = outcome.steps as f64 * dt * 1e-3;
    let rtf = if bio_s > 0.0 {
        Some(outcome.sim_s / bio_s)
    } else {
        None
    };
    let bps = match (peak, outcome.synapses) {
        (Some(p), s) if s > 0 => Some(p as f64 / s as f64),
        _ => None,
    };
    files.push("run.json");
    let warnings = activity_warnings(&rates, net, bio_s);
    let run = json!({
        "tool": "spikefab",
        "status": "complete",
        "spikefab_version": env!("CARGO_PKG_VERSION"),
        "model": r.model,
        "source": r.source.describe(),
        "scale": r.scale,
        "seed": net.simulation.seed,
        "threads": outcome.threads,
        "threads_requested": args.threads,
        "neurons": outcome.neurons,
        "synapses": outcome.synapses,
        "saturated_weights": outcome.saturated_weights,
        "steps": outcome.steps,
        "dt_ms": dt,
        "biological_s": bio_s,
        "build_s": outcome.build_s,
        "sim_s": outcome.sim_s,
        "real_time_factor": rtf,
        "spikes": outcome.stats.spikes,
        "synaptic_events": outcome.stats.syn_events,
        "peak_rss_bytes": peak,
        "bytes_per_synapse": bps,
        "engine_bytes": outcome.engine_bytes,
        "numerics": net.numerics,
        "numerics_hash": net.numerics.hash_hex(),
        "populations": rates_json(&rates),
        "warnings": warnings,
        "files": files,
        "command_line": std::env::args().collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&run).map_err(|e| CliError::Serialize {
        what: "run.json",
        message: e.to_string(),
    })?;
    // Replace the "running" marker atomically.
    let tmp = dir.join("run.json.tmp");
    write_file(&tmp, &(text + "\n"))?;
    let fin = dir.join("run.json");
    fs::rename(&tmp, &fin).map_err(|e| CliError::io("cannot write", &fin, e))?;

    // Summary.
    let dirs = dir.display().to_string();
    if args.quiet {
        for w in &warnings {
            eprintln!("{w}");
        }
        util::out(&format!("{dirs}\n"))
            .map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
        return Ok(());
    }
    let mut s = String::new();
    s.push_str(&format!(
        "{}: {} neurons, {} synapses, {} steps of {} ms ({:.3} s biological), seed {}\n",
        r.model, outcome.neurons, outcome.synapses, outcome.steps, dt, bio_s, net.simulation.seed
    ));
    s.push_str(&format!(
        "  build {:.3} s, simulate {:.3} s on {} thread{}, real-time factor {}\n",
        outcome.build_s,
        outcome.sim_s,
        outcome.threads,
        if outcome.threads == 1 { "" } else { "s" },
        rtf.map(|x| format!("{x:.3}"))
            .unwrap_or_else(|| "n/a".into())
    ));
    s.push_str(&format!(
        "  {} spikes, {} synaptic events, peak memory {}{}\n",
        outcome.stats.spikes,
        outcome.stats.syn_events,
        peak.map(human_bytes).unwrap_or_else(|| "n/a".into()),
        bps.map(|b| format!(" ({b:.1} B/synapse)"))
            .unwrap_or_default()
    ));
    s.push_str(&rates_table(&rates));
    for w in &warnings {
        s.push_str(&format!("  {w}\n"));
    }
    if outcome.saturated_weights > 0 {
        s.push_str(&format!(
            "  note: {} drawn weights were saturated to the weight format\n",
            outcome.saturated_weights
        ));
    }
    s.push_str(&format!("  output: {dirs}/ ({})\n", files.join(", ")));
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    Ok(())
}

/// The engine work of `sim`, run inside the rayon pool.
fn run_in_pool(
    r: &Resolved,
    progress: ProgressMode,
    records: bool,
    input: Option<&InputSpikes>,
    prepare: impl FnOnce() -> Result<PathBuf, CliError>,
) -> Result<(PathBuf, Outcome), RunError> {
    let (mut e, build_s) = build_engine(r, progress).map_err(RunError::Diags)?;
    if let Some(last) = input.and_then(InputSpikes::last_step) {
        if last >= e.model.steps {
            eprintln!(
                "warning: the input has spikes up to step {last}, past the run's {} steps: those are not used",
                e.model.steps
            );
        }
    }
    let dir = prepare()?;
    let spikes_path = &dir.join("spikes.txt");
    let state_path = &dir.join("state.txt");
    let records_path = &dir.join("records.txt");
    let net = &r.net;
    let steps = e.model.steps;
    let dt = e.model.dt_ms;
    let neurons = e.neurons();
    let pops: Vec<(String, u32)> = e
        .model
        .pops
        .iter()
        .map(|p| (p.name.clone(), p.size))
        .collect();
    let header = Header::of_run(&header_token(&r.model), &e, steps, "sim");

    let mut spikes_w = if net.recording.spikes {
        let w = create(spikes_path)?;
        Some(
            SpikeWriter::new(w, &header)
                .map_err(|x| CliError::io("cannot write", spikes_path, x))?,
        )
    } else {
        None
    };
    let mut records_w = if records {
        let w = create(records_path)?;
        Some(
            RecordWriter::new(w, &header, WeightOrder::Processing)
                .map_err(|x| CliError::io("cannot write", records_path, x))?,
        )
    } else {
        None
    };
    // State recording: the first k neurons of each population every m steps.
    let mut state_w = None;
    let mut state_neurons: Vec<u32> = Vec::new();
    let mut every = 1u64;
    if let Some(sr) = &net.recording.state {
        every = sr.every_steps.max(1) as u64;
        for p in &e.model.pops {
            let k = sr.neurons_per_population.min(p.size);
            state_neurons.extend(p.start..p.start + k);
        }
        let mut h = header.clone();
        h.set("every_steps", every)
            .set("neurons_per_population", sr.neurons_per_population);
        let w = create(state_path)?;
        state_w =
            Some(StateWriter::new(w, &h).map_err(|x| CliError::io("cannot write", state_path, x))?);
    }

    let mut grid = RasterGrid::new(&e.model.pops, steps, dt);
    let mut stats = Stats::new(pops.len(), dt);
    let mut prog = Progress::new(steps, progress);
    let mut buf: Vec<u32> = Vec::new();
    let t0 = Instant::now();
    for t in 0..steps {
        buf.clear();
        if let Some(i) = input {
            e.set_input(i.at(t))
                .map_err(|x| RunError::Other(x.into()))?;
        }
        match records_w.as_mut() {
            Some(w) => {
                let rec = StepRecords::of_engine_step(&mut e);
                buf.extend_from_slice(&rec.spikes);
                w.step(&rec)
                    .map_err(|x| CliError::io("cannot write", records_path, x))?;
            }
            None => buf.extend_from_slice(e.step()),
        }
        stats.record(t, &buf, &e);
        grid.record(t, &buf);
        if let Some(w) = spikes_w.as_mut() {
            w.step(t, &buf)
                .map_err(|x| CliError::io("cannot write", spikes_path, x))?;
        }
        if let Some(w) = state_w.as_mut() {
            if t.is_multiple_of(every) {
                for &n in &state_neurons {
                    w.record(t, n, &e.state[n as usize])
                        .map_err(|x| CliError::io("cannot write", state_path, x))?;
                }
            }
        }
        prog.update(t + 1);
    }
    if let Some(w) = spikes_w {
        w.finish()
            .map_err(|x| CliError::io("cannot write", spikes_path, x))?;
    }
    if let Some(w) = records_w {
        w.finish()
            .map_err(|x| CliError::io("cannot write", records_path, x))?;
    }
    if let Some(w) = state_w {
        w.finish()
            .map_err(|x| CliError::io("cannot write", state_path, x))?;
    }
    let sim_s = t0.elapsed().as_secs_f64();
    prog.finish();
    Ok((
        dir,
        Outcome {
            stats,
            grid,
            build_s,
            sim_s,
            synapses: e.syn.len(),
            neurons,
            steps,
            pops,
            report: e.model.report.clone(),
            threads: rayon::current_num_threads(),
            saturated_weights: e.syn.saturated_weights,
            engine_bytes: e.bytes(),
        },
    ))
}

/// The input spikes of `net` in the file `path` (`--input`).
pub fn read_input(path: &Path, net: &spikefab_sim::Network) -> Result<InputSpikes, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::io("cannot read", path, e))?;
    Ok(InputSpikes::parse(&text, &path.display().to_string(), net)?)
}

/// quantization.csv: one line per quantized parameter.
pub fn quant_csv(report: &[QuantEntry]) -> String {
    let mut s = String::from("object,param,exact,quantized,rel_err\n");
    for q in report {
        s.push_str(&format!(
            "{},{},{:e},{:e},{:e}\n",
            csv_field(&q.object),
            csv_field(&q.param),
            q.exact,
            q.quantized,
            q.rel_err()
        ));
    }
    s
}

/// The silent/saturated warnings of a run of `net` ([`crate::rates::activity_warnings`]).
pub fn activity_warnings(
    rates: &[PopRate],
    net: &spikefab_sim::Network,
    bio_s: f64,
) -> Vec<String> {
    let t_ref = |name: &str| {
        net.populations
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| p.neuron.t_ref_ms)
    };
    crate::rates::activity_warnings(rates, &t_ref, net.simulation.dt_ms, bio_s, WARMUP_MS)
}

/// Population rates as a JSON array (in population order).
pub fn rates_json(rates: &[PopRate]) -> Value {
    Value::Array(
        rates
            .iter()
            .map(|p| {
                json!({
                    "population": p.name,
                    "size": p.size,
                    "spikes": p.spikes,
                    "rate_hz": p.rate_hz,
                    "rate_hz_after_500ms": p.rate_late_hz,
                })
            })
            .collect(),
    )
}

/// The human rate table.
pub fn rates_table(rates: &[PopRate]) -> String {
    let w = rates
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    let long = rates.iter().any(|p| p.rate_late_hz.is_some());
    let mut s = format!(
        "  {:<w$} {:>9} {:>10} {:>10}",
        "population", "size", "spikes", "rate (Hz)"
    );
    if long {
        s.push_str(&format!(" {:>14}", "after 500 ms"));
    }
    s.push('\n');
    for p in rates {
        s.push_str(&format!(
            "  {:<w$} {:>9} {:>10} {:>10.3}",
            p.name, p.size, p.spikes, p.rate_hz
        ));
        if let Some(l) = p.rate_late_hz {
            s.push_str(&format!(" {l:>14.3}"));
        }
        s.push('\n');
    }
    s
}
