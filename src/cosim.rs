//! `spikefab cosim`: the generated RTL of a hardware config, verilated, in
//! lockstep with the reference engine on one network. A pass prints the
//! positive marker "matched N neuron updates, S spikes, W weight writes over
//! T steps"; anything else is a non-zero exit with the first divergence.
//! The RTL's records of every step run (the divergent one included) go to
//! the record trace `records.txt` in the work folder.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use spikefab_cosim::default_cache_root;
use spikefab_cosim::flow::{prepare, prepare_mesh};
use spikefab_cosim::lockstep::{
    configured_ext, run_lockstep_on, run_lockstep_recorded, Cost, LockstepError, LockstepOptions,
    RecordSink,
};
use spikefab_gen::{GenOptions, HwConfig};
use spikefab_sim::memory::Job;
use spikefab_sim::records::StepRecords;
use spikefab_sim::trace::{Header, RecordWriter, WeightOrder};

use crate::cli::{BenchCosimArgs, CosimArgs};
use crate::error::CliError;
use crate::gen::check_hw_memory;
use crate::model::{self, Length, Resolved};
use crate::util::{self, header_token};

/// The RTL side's record trace of a co-simulation.
struct RecordFile {
    path: PathBuf,
    header: Header,
    w: Option<RecordWriter<BufWriter<File>>>,
}

impl RecordFile {
    fn new(path: PathBuf, header: Header) -> RecordFile {
        RecordFile {
            path,
            header,
            w: None,
        }
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }

    /// Write the end line; the steps written (`None`: never started).
    fn finish(self) -> Result<Option<u64>, CliError> {
        let Some(w) = self.w else { return Ok(None) };
        let steps = w.steps();
        w.finish()
            .map_err(|e| CliError::io("cannot write", &self.path, e))?;
        Ok(Some(steps))
    }
}

impl RecordSink for RecordFile {
    fn start(&mut self, canonical_weights: bool) -> io::Result<()> {
        let order = if canonical_weights {
            WeightOrder::Canonical
        } else {
            WeightOrder::Processing
        };
        let f = File::create(&self.path).map_err(|e| self.named(e))?;
        let w = RecordWriter::new(BufWriter::with_capacity(1 << 20, f), &self.header, order)
            .map_err(|e| self.named(e))?;
        self.w = Some(w);
        Ok(())
    }

    fn step(&mut self, records: &StepRecords) -> io::Result<()> {
        let r = match self.w.as_mut() {
            Some(w) => w.step(records),
            None => Err(io::Error::other("written before it was started")),
        };
        r.map_err(|e| self.named(e))
    }
}

/// Finish the record trace of a run that ended with `res`: the line that
/// says where it is (`None` when a pass leaves no work folder behind).
fn finish_records<T>(
    rec: RecordFile,
    res: &Result<T, LockstepError>,
    temp: bool,
) -> Result<Option<String>, CliError> {
    let path = rec.path.clone();
    Ok(match (rec.finish()?, res) {
        (Some(n), Err(_)) => Some(format!(
            "record trace of the RTL ({n} steps, up to the failing one): {}",
            path.display()
        )),
        (Some(n), Ok(_)) if !temp => Some(format!(
            "record trace of the RTL ({n} steps): {} (spikefab compare it with the records of \
             spikefab sim NET --steps {n} --records)",
            path.display()
        )),
        _ => None,
    })
}

/// Without `--wave`, the hint that it writes a waveform of the steps before a
/// divergence or a stop.
fn wave_hint(e: &LockstepError, wave: bool) {
    if wave {
        return;
    }
    match e {
        LockstepError::Diverged(_) => {
            eprintln!("(add --wave for a VCD of the steps before the divergence)")
        }
        LockstepError::Stopped(_) => {
            eprintln!("(add --wave for a VCD of the steps up to the stop)")
        }
        _ => {}
    }
}

/// The command line that reproduces this run (quoted where needed).
fn repro() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--cache`, else the default cache of verilated models; created if
/// missing and refused unless it is the user's own
/// ([`spikefab_cosim::prepare_cache_root`]), before anything is generated.
pub fn cache_root(opt: Option<&Path>) -> Result<PathBuf, CliError> {
    let root = match opt {
        Some(c) => c.to_path_buf(),
        None => default_cache_root().map_err(spikefab_cosim::flow::FlowError::from)?,
    };
    Ok(spikefab_cosim::prepare_cache_root(&root).map_err(spikefab_cosim::flow::FlowError::from)?)
}

/// A work folder: `--work DIR`, or a new private folder with an
/// unpredictable name under the system's temporary directory (created
/// atomically, mode 0700, by `tempfile`), removed when dropped unless kept.
pub struct WorkDir {
    path: PathBuf,
    temp: Option<tempfile::TempDir>,
}

impl WorkDir {
    /// `given`, or a fresh temporary folder named `<prefix>XXXXXX`.
    pub fn new(given: Option<&Path>, prefix: &str) -> Result<WorkDir, CliError> {
        match given {
            Some(w) => Ok(WorkDir {
                path: w.to_path_buf(),
                temp: None,
            }),
            None => {
                let mut b = tempfile::Builder::new();
                b.prefix(prefix);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    // tempfile keeps the default (umask) mode unless told
                    b.permissions(std::fs::Permissions::from_mode(0o700));
                }
                let t = b.tempdir().map_err(|e| {
                    CliError::io("cannot create a work folder in", &std::env::temp_dir(), e)
                })?;
                Ok(WorkDir {
                    path: t.path().to_path_buf(),
                    temp: Some(t),
                })
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the folder is a temporary one (removed after a pass).
    pub fn is_temp(&self) -> bool {
        self.temp.is_some()
    }

    /// Keep a temporary folder (to look at after a failure).
    pub fn keep(&mut self) {
        if let Some(t) = self.temp.take() {
            let _ = t.keep();
        }
    }
}

/// `--inject-fault` at a step the run never reaches would pass silently.
fn check_fault_step(a: &CosimArgs) -> Result<(), CliError> {
    match a.inject_fault {
        Some(f) if u64::from(f.step) >= a.steps => Err(CliError::Usage(format!(
            "--inject-fault {f}: step {} is never reached, the run has steps 0..={} \
             (--steps {}); inject the fault at a step below {} or run more --steps",
            f.step,
            a.steps - 1,
            a.steps,
            a.steps
        ))),
        _ => Ok(()),
    }
}

pub fn cosim(a: &CosimArgs) -> Result<(), CliError> {
    check_fault_step(a)?;
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let cache = cache_root(a.cache.as_deref())?;
    let mesh = a.mesh.or(hw.mesh).filter(|m| m.cores() > 1);
    check_hw_memory(
        &r.net,
        &hw,
        mesh.as_ref(),
        Job::Cosimulate {
            mesh: mesh.is_some(),
        },
        a.threads as usize,
        a.max_memory,
    )?;
    let mut work = WorkDir::new(a.work.as_deref(), "spikefab-cosim-")?;
    if let Some(m) = mesh {
        return cosim_mesh(a, &hw, &r, &m, &cache, &mut work);
    }
    let temp = work.is_temp();
    let work_dir = work.path().to_path_buf();
    let work_path = work_dir.as_path();
    let opts = GenOptions {
        threads: a.threads as usize,
        fault: a.inject_fault,
    };
    let mut p = prepare(&r.net, &hw, &opts, work_path, &cache)?;
    let m = &p.manifest;
    let mut s = format!(
        "spikefab cosim: network '{}' ({}) on hw config '{}': {} neurons, {} synapses ({} plastic)\n",
        m.network.name,
        r.source.describe(),
        hw.name,
        m.network.neurons,
        m.network.synapses,
        m.network.plastic_synapses
    );
    s.push_str(&format!("{}\n", m.numerics_source));
    if let Some(f) = &m.fault {
        s.push_str(&format!(
            "FAULT INJECTED: {f} (the run must diverge at step {}, or for drop-spike and \
             skip-weight-write at the first later step with a spike or weight write)\n",
            f.step
        ));
    }
    s.push_str(&format!(
        "model: {} (config hash {})\n",
        p.lib.describe(),
        m.hashes.config
    ));
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;

    let lopts = LockstepOptions {
        steps: a.steps,
        spk_pct: a.spk_ready,
        stall_seed: a.stall_seed,
        x_seed: a.x_seed,
        history: a.history,
        wave: a.wave.then(|| work_path.join("divergence.vcd")),
        wave_window: a.window,
        repro: repro(),
    };
    let mut rec = RecordFile::new(
        work_path.join("records.txt"),
        Header::of_run(&header_token(&r.model), &p.engine, a.steps, "cosim"),
    );
    let timing = a.mem.timing();
    let ext = p.ext_memory(&timing);
    if let Some(x) = &p.images.ext {
        util::out(&format!(
            "external synapse memory: {} bytes ({} beats of {} synapses{}) at {:#x}; model: {}\n",
            x.region.bytes.len(),
            x.region.beats,
            x.region.geometry.lanes,
            match x.region.geometry.index {
                Some(i) => format!(", after a row index of {} beats", i.beats),
                None => String::new(),
            },
            x.place.base,
            timing.describe()
        ))
        .map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    }
    let open = || configured_ext(&p.lib, &p.core, &p.beats, ext.as_ref(), &lopts);
    let cost = Cost::single(&p.core, &p.engine, ext.as_ref().map(|x| &x.timing));
    let res = run_lockstep_recorded(&open, &mut p.engine, &lopts, Some(&cost), Some(&mut rec));
    let records = finish_records(rec, &res, temp);
    let rep = match res {
        Ok(rep) => rep,
        Err(e) => {
            wave_hint(&e, a.wave);
            work.keep();
            eprintln!("generated RTL kept in {}", work_path.display());
            match records {
                Ok(Some(l)) => eprintln!("{l}"),
                Ok(None) => {}
                Err(r) => eprintln!("also: {r}"),
            }
            return Err(e.into());
        }
    };
    let records = records?;
    let n = rep.cycles_per_step.len().max(1) as f64;
    let mean = rep.step_cycles as f64 / n;
    let model: u64 = rep.model_cycles_per_step.iter().sum();
    let events: u64 = rep.events_per_step.iter().sum();
    let mut s = String::new();
    s.push_str(&format!(
        "configured through the load port: {} beats in {} cycles\n",
        p.beats.len(),
        rep.load_cycles
    ));
    s.push_str(&format!("{}\n", rep.marker()));
    let cost = format!(
        "; cycle model (spikefab_plan::cycles) predicts {:.1}, measured/model = {:.4}",
        model as f64 / n,
        rep.step_cycles as f64 / model.max(1) as f64
    );
    s.push_str(&format!(
        "cycles per step: mean {mean:.1} (min {}, max {}); {:.2} synaptic events per step{cost}\n",
        rep.cycles_per_step.iter().min().unwrap_or(&0),
        rep.cycles_per_step.iter().max().unwrap_or(&0),
        events as f64 / n,
    ));
    s.push_str(&format!(
        "simulated {} cycles in {:.3} s: {:.3} M cycles/s, {:.3} M neuron updates/s (reference engine {:.3} s)\n",
        rep.total_cycles,
        rep.rtl_seconds,
        rep.cycles_per_second() / 1e6,
        rep.neuron_updates as f64 / rep.rtl_seconds.max(1e-9) / 1e6,
        rep.ref_seconds
    ));
    if let Some(l) = records {
        s.push_str(&format!("{l}\n"));
    }
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    if let Some(f) = &m.fault {
        eprintln!(
            "warning: the injected fault {f} changed nothing the comparison sees in {} steps, \
             so this run proves nothing about the checker (drop-spike and skip-weight-write \
             act on the first spike or weight write at or after step {}; there was none)",
            a.steps, f.step
        );
    }
    Ok(())
}

/// `spikefab bench cosim`: the speed of the verilated core (a verified run:
/// every record is compared, the reference's time is reported apart).
pub fn bench_cosim(a: &BenchCosimArgs) -> Result<(), CliError> {
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let cache = cache_root(a.cache.as_deref())?;
    let work = WorkDir::new(None, "spikefab-bench-cosim-")?;
    let t0 = std::time::Instant::now();
    let mut p = prepare(&r.net, &hw, &GenOptions::default(), work.path(), &cache)?;
    let setup = t0.elapsed().as_secs_f64();
    let lopts = LockstepOptions {
        steps: a.steps,
        spk_pct: 100,
        stall_seed: 1,
        x_seed: 1,
        history: 8,
        wave: None,
        wave_window: 0,
        repro: repro(),
    };
    let timing = a.mem.timing();
    let ext = p.ext_memory(&timing);
    let open = || configured_ext(&p.lib, &p.core, &p.beats, ext.as_ref(), &lopts);
    let cost = Cost::single(&p.core, &p.engine, ext.as_ref().map(|x| &x.timing));
    let res = run_lockstep_on(&open, &mut p.engine, &lopts, Some(&cost));
    drop(work);
    let rep = res?;
    let secs = rep.rtl_seconds.max(1e-9);
    let events: u64 = rep.events_per_step.iter().sum();
    let model: u64 = rep.model_cycles_per_step.iter().sum();
    let cycles_per_s = rep.total_cycles as f64 / secs;
    let updates_per_s = rep.neuron_updates as f64 / secs;
    let events_per_s = events as f64 / secs;
    let steps = rep.steps.max(1);
    let mean = rep.step_cycles as f64 / steps as f64;
    // Phase A streams every active neuron once: N + 10 cycles per step
    // (docs/hardware.md, "Cycle cost of a step"); the rest of a step is
    // phase B, where the synaptic events are delivered.
    let phase_a = (p.manifest.network.neurons + 10) * rep.steps;
    let phase_b = rep.step_cycles.saturating_sub(phase_a);
    let b_rate = events as f64 / phase_b.max(1) as f64;
    let ratio = rep.step_cycles as f64 / model.max(1) as f64;
    let model_mean = model as f64 / steps as f64;
    let store = match &hw.synapse_store {
        Some(x) => serde_json::json!({
            "kind": "external",
            "data_bits": x.data_bits,
            "lanes": p.images.ext.as_ref().map_or(0, |e| e.region.geometry.lanes),
            "burst_beats": x.burst_beats,
            "outstanding": x.outstanding,
        }),
        None => serde_json::json!({ "kind": "on-chip" }),
    };
    let mem = match &ext {
        Some(_) => serde_json::json!({
            "latency": timing.latency,
            "jitter": timing.jitter,
            "bytes_per_cycle": timing.bytes_per_cycle,
            "ar_ready_pct": timing.ar_ready_pct,
            "r_valid_pct": timing.r_valid_pct,
            "reorder": timing.reorder,
            "seed": timing.seed,
        }),
        None => serde_json::Value::Null,
    };
    let s = if a.json {
        format!(
            "{{\"net\":{:?},\"hw\":{:?},\"neurons\":{},\"synapses\":{},\"steps\":{},\"setup_s\":{setup:.3},\
             \"rtl_s\":{secs:.4},\"ref_s\":{:.4},\"total_cycles\":{},\"cycles_per_s\":{cycles_per_s:.0},\
             \"neuron_updates_per_s\":{updates_per_s:.0},\"events_per_s\":{events_per_s:.0},\
             \"cycles_per_step\":{mean:.2},\"model_cycles_per_step\":{model_mean:.2},\"model_ratio\":{ratio:.5},\"spikes\":{},\"weight_writes\":{},\
             \"step_cycles\":{},\"min_step_cycles\":{},\"max_step_cycles\":{},\"events\":{events},\
             \"events_per_step\":{:.2},\"phase_a_cycles\":{phase_a},\"phase_b_cycles\":{phase_b},\
             \"phase_b_events_per_cycle\":{b_rate:.4},\"synapse_store\":{store},\"mem\":{mem}}}\n",
            p.manifest.network.name,
            hw.name,
            p.manifest.network.neurons,
            p.manifest.network.synapses,
            rep.steps,
            rep.ref_seconds,
            rep.total_cycles,
            rep.spikes,
            rep.weight_writes,
            rep.step_cycles,
            rep.cycles_per_step.iter().min().unwrap_or(&0),
            rep.cycles_per_step.iter().max().unwrap_or(&0),
            events as f64 / steps as f64,
        )
    } else {
        format!(
            "bench cosim: network '{}' on hw config '{}' ({} neurons, {} synapses), {} steps\n\
             set-up (generate, verilate or cache hit, build reference): {setup:.2} s ({})\n\
             {}{}\n\
             RTL (Verilator): {} cycles in {secs:.3} s = {:.3} M cycles/s, {:.3} M neuron updates/s, \
             {:.3} M synaptic events/s\n\
             cycles per step: {mean:.1} (cycle model predicts {model_mean:.1}, measured/model {ratio:.4}); reference engine {:.3} s for the same steps\n\
             phase B (step cycles minus N + 10 of phase A): {:.2} synaptic events per step in {:.1} \
             cycles, {b_rate:.4} events per cycle\n",
            p.manifest.network.name,
            hw.name,
            p.manifest.network.neurons,
            p.manifest.network.synapses,
            rep.steps,
            if p.lib.was_built() { "built" } else { "cache hit" },
            match &ext {
                Some(_) => format!("external memory model: {}\n", timing.describe()),
                None => String::new(),
            },
            rep.marker(),
            rep.total_cycles,
            cycles_per_s / 1e6,
            updates_per_s / 1e6,
            events_per_s / 1e6,
            rep.ref_seconds,
            events as f64 / steps as f64,
            phase_b as f64 / steps as f64,
        )
    };
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}

/// `spikefab cosim --mesh RxC`: the generated mesh in lockstep with the
/// reference.
fn cosim_mesh(
    a: &CosimArgs,
    hw: &HwConfig,
    r: &Resolved,
    m: &spikefab_gen::Mesh,
    cache: &Path,
    workdir: &mut WorkDir,
) -> Result<(), CliError> {
    let temp = workdir.is_temp();
    let work_buf = workdir.path().to_path_buf();
    let work = work_buf.as_path();
    if a.inject_fault.is_some() {
        return Err(CliError::Usage(
            "--inject-fault builds one core; it cannot be used with --mesh (drop one of them)"
                .into(),
        ));
    }
    if a.spk_ready != 100 {
        return Err(CliError::Usage(
            "--spk-ready stalls a single core's spike-out stream; a mesh core's goes to its \
             network interface (drop --spk-ready or --mesh)"
                .into(),
        ));
    }
    let (p, mut engine) = prepare_mesh(&r.net, hw, m, a.threads as usize, work, cache)?;
    let man = &p.manifest;
    let mut s = format!(
        "spikefab cosim: network '{}' ({}) on a {m} mesh of hw config '{}' cores: {} neurons, {} synapses\n",
        man.network.name,
        r.source.describe(),
        hw.name,
        man.network.neurons,
        man.network.synapses,
    );
    s.push_str(&format!("{}\n", man.numerics_source));
    let ranges: Vec<String> = man
        .mapping
        .cores
        .iter()
        .map(|c| format!("[{}, {})", c.lo, c.hi))
        .collect();
    s.push_str(&format!("cores (neuron ranges): {}\n", ranges.join(" ")));
    s.push_str(&format!(
        "model: {} (mesh config hash {})\n",
        p.lib.describe(),
        man.hashes.config
    ));
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    let lopts = LockstepOptions {
        steps: a.steps,
        spk_pct: 100,
        stall_seed: a.stall_seed,
        x_seed: a.x_seed,
        history: a.history,
        wave: a.wave.then(|| work.join("divergence.vcd")),
        wave_window: a.window,
        repro: repro(),
    };
    let mut rec = RecordFile::new(
        work.join("records.txt"),
        Header::of_run(&header_token(&r.model), &engine, a.steps, "cosim"),
    );
    let timing = a.mem.timing();
    let ext = p.ext_memory(&timing);
    if let Some(x) = &ext {
        let bytes: usize = x.lanes.iter().flatten().map(|(_, b)| b.len()).sum();
        util::out(&format!(
            "external synapse memory: {bytes} bytes in {} core regions; model per core port: {}\n",
            x.lanes.len(),
            timing.describe()
        ))
        .map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    }
    let open = p.opener_ext(a.x_seed, ext.as_ref());
    let ranges: Vec<(u32, u32)> = man.mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
    let cost = Cost::mesh(
        m.rows(),
        m.cols(),
        &p.top.core,
        p.top.delay_groups,
        &ranges,
        &engine,
        ext.as_ref().map(|x| &x.timing),
    );
    let res = run_lockstep_recorded(&open, &mut engine, &lopts, cost.as_ref(), Some(&mut rec));
    let records = finish_records(rec, &res, temp);
    let rep = match res {
        Ok(rep) => rep,
        Err(e) => {
            wave_hint(&e, a.wave);
            workdir.keep();
            eprintln!("generated RTL kept in {}", work.display());
            match records {
                Ok(Some(l)) => eprintln!("{l}"),
                Ok(None) => {}
                Err(r) => eprintln!("also: {r}"),
            }
            return Err(e.into());
        }
    };
    let records = records?;
    let n = rep.cycles_per_step.len().max(1) as f64;
    let model: u64 = rep.model_cycles_per_step.iter().sum();
    let cost = if rep.model_cycles_per_step.is_empty() {
        " (plastic mesh: the cycle model does not cover its trace pass)".to_string()
    } else {
        format!(
            "; cycle model (spikefab_plan::cycles) predicts {:.1}, measured/model = {:.4}",
            model as f64 / n,
            rep.step_cycles as f64 / model.max(1) as f64
        )
    };
    let mut s = format!(
        "configured through the load port: {} beats in {} cycles\n{}\n\
         cycles per step: mean {:.1} (min {}, max {}) on {} cores{cost}\n\
         simulated {} cycles in {:.3} s: {:.3} M cycles/s, {:.3} M neuron updates/s (reference engine {:.3} s)\n",
        p.beats.iter().map(Vec::len).sum::<usize>(),
        rep.load_cycles,
        rep.marker(),
        rep.step_cycles as f64 / n,
        rep.cycles_per_step.iter().min().unwrap_or(&0),
        rep.cycles_per_step.iter().max().unwrap_or(&0),
        m.cores(),
        rep.total_cycles,
        rep.rtl_seconds,
        rep.cycles_per_second() / 1e6,
        rep.neuron_updates as f64 / rep.rtl_seconds.max(1e-9) / 1e6,
        rep.ref_seconds
    );
    if let Some(l) = records {
        s.push_str(&format!("{l}\n"));
    }
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    Ok(())
}
