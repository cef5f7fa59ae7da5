//! `spikefab bench sim`: build a model (timed), run it without writing spikes
//! and report throughput and memory. `spikefab bench noc`: the
//! network-on-chip's latency/throughput curve per mesh size.

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use spikefab_cosim::noc::{self, MeshCfg, MeshSim, NocSources};
use spikefab_cosim::{build_with, CosimError, Toolchain};
use spikefab_sim::engine;

use crate::cli::{BenchNocArgs, BenchSimArgs};
use crate::cosim::WorkDir;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::run::{self, pop_rates, rates_json, rates_table, Progress, ProgressMode, Stats};
use crate::util::{self, human_bytes, human_count};

struct Measured {
    build_s: f64,
    sim_s: f64,
    stats: Stats,
    steps: u64,
    neurons: u32,
    synapses: u64,
    pops: Vec<(String, u32)>,
    threads: usize,
    engine_bytes: u64,
}

/// `spikefab bench sim`.
pub fn bench_sim(args: &BenchSimArgs) -> Result<(), CliError> {
    let mut m = args.model.clone();
    if let Some(s) = args.scale {
        m.n_scale = Some(s);
        m.k_scale = Some(s);
    }
    let r = model::resolve(&args.model_name, &m, Length::Ms(args.duration_ms))?;
    run::check_memory(
        &spikefab_sim::memory::estimate(
            &r.net,
            spikefab_sim::memory::Job::Simulate,
            args.threads as usize,
        ),
        args.max_memory,
    )?;
    // No file output in a benchmark: spikes and state are counted, not written.
    let progress = ProgressMode::of(args.json, args.progress);
    let res = engine::with_threads(args.threads as usize, || {
        let (mut e, build_s) = match run::build_engine(&r, progress) {
            Ok(x) => x,
            Err(mut d) => {
                r.source.locate(&mut d);
                return Err(CliError::Diagnostics(d));
            }
        };
        let steps = e.model.steps;
        let mut stats = Stats::new(e.model.pops.len(), e.model.dt_ms);
        let mut prog = Progress::new(steps, progress);
        let mut buf: Vec<u32> = Vec::new();
        let t0 = Instant::now();
        for t in 0..steps {
            buf.clear();
            buf.extend_from_slice(e.step());
            stats.record(t, &buf, &e);
            prog.update(t + 1);
        }
        let sim_s = t0.elapsed().as_secs_f64();
        prog.finish();
        Ok(Measured {
            build_s,
            sim_s,
            stats,
            steps,
            neurons: e.neurons(),
            synapses: e.syn.len(),
            pops: e
                .model
                .pops
                .iter()
                .map(|p| (p.name.clone(), p.size))
                .collect(),
            threads: rayon::current_num_threads(),
            engine_bytes: e.bytes(),
        })
    })
    .map_err(|e| CliError::Threads {
        threads: args.threads as usize,
        message: e.to_string(),
    })??;
    let peak = util::peak_rss_bytes();
    let dt = r.net.simulation.dt_ms;
    let bio_s = res.steps as f64 * dt * 1e-3;
    let per_s = |x: f64| {
        if res.sim_s > 0.0 {
            x / res.sim_s
        } else {
            f64::NAN
        }
    };
    let updates_per_s = per_s(res.neurons as f64 * res.steps as f64);
    let events_per_s = per_s(res.stats.syn_events as f64);
    let rtf = if bio_s > 0.0 {
        res.sim_s / bio_s
    } else {
        f64::NAN
    };
    let bps = match peak {
        Some(p) if res.synapses > 0 => p as f64 / res.synapses as f64,
        _ => f64::NAN,
    };
    let rates = pop_rates(&res.pops, &res.stats, res.steps, dt);
    let text = if args.json {
        let v = json!({
            "model": r.model,
            "scale": r.scale,
            "threads": res.threads,
            "neurons": res.neurons,
            "synapses": res.synapses,
            "steps": res.steps,
            "dt_ms": dt,
            "bio_s": bio_s,
            "build_s": res.build_s,
            "sim_s": res.sim_s,
            "real_time_factor": rtf,
            "spikes": res.stats.spikes,
            "synaptic_events": res.stats.syn_events,
            "neuron_updates_per_s": updates_per_s,
            "synaptic_events_per_s": events_per_s,
            "peak_rss_bytes": peak,
            "bytes_per_synapse": bps,
            "engine_bytes": res.engine_bytes,
            "seed": r.net.simulation.seed,
            "numerics_hash": r.net.numerics.hash_hex(),
            "spikefab_version": env!("CARGO_PKG_VERSION"),
            "populations": rates_json(&rates),
        });
        format!("{v}\n")
    } else {
        let mut s = format!(
            "bench sim {}: {} neurons, {} synapses, {} steps ({:.3} s biological), {} thread{}\n",
            r.model,
            res.neurons,
            res.synapses,
            res.steps,
            bio_s,
            res.threads,
            if res.threads == 1 { "" } else { "s" }
        );
        s.push_str(&format!("  build time            {:.3} s\n", res.build_s));
        s.push_str(&format!("  simulation time       {:.3} s\n", res.sim_s));
        s.push_str(&format!("  real-time factor      {rtf:.3}\n"));
        s.push_str(&format!(
            "  neuron updates/s      {}\n",
            human_count(updates_per_s)
        ));
        s.push_str(&format!(
            "  synaptic events/s     {} ({} events, {} spikes)\n",
            human_count(events_per_s),
            res.stats.syn_events,
            res.stats.spikes
        ));
        s.push_str(&format!(
            "  peak memory (VmHWM)   {}\n",
            peak.map(human_bytes).unwrap_or_else(|| "n/a".into())
        ));
        s.push_str(&format!("  bytes per synapse     {bps:.1}\n"));
        s.push_str(&rates_table(&rates));
        for w in run::activity_warnings(&rates, &r.net, bio_s) {
            s.push_str(&format!("  {w}\n"));
        }
        s
    };
    util::out(&text).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}

/// Default `--mesh` sizes of `spikefab bench noc`.
const NOC_MESHES: [(usize, usize); 4] = [(1, 1), (2, 1), (2, 2), (3, 2)];

fn stdout(text: &str) -> Result<(), CliError> {
    util::out(text).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}

fn cosim_err(e: CosimError) -> CliError {
    CliError::CosimFlow(e.into())
}

/// `spikefab bench noc`: for each mesh size, verilate `snn_noc_mesh` (or
/// find it in the cache), sweep the offered load of uniform unicast traffic
/// over [`noc::CURVE_RATES`] without ejection stalls, scoreboard every run
/// and print offered load, accepted throughput, mean and p99 latency.
/// `Ok(false)` (exit status 1, the problem on stderr) when a run loses,
/// duplicates or misroutes a packet, deadlocks or breaks a stream rule.
pub fn bench_noc(args: &BenchNocArgs) -> Result<bool, CliError> {
    let meshes: Vec<MeshCfg> = if args.mesh.is_empty() {
        NOC_MESHES
            .iter()
            .map(|&(r, c)| MeshCfg::new(r, c, args.fifo_depth as usize))
            .collect()
    } else {
        args.mesh
            .iter()
            .map(|m| {
                MeshCfg::new(
                    m.rows() as usize,
                    m.cols() as usize,
                    args.fifo_depth as usize,
                )
            })
            .collect()
    };
    for cfg in &meshes {
        cfg.check().map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let cache = crate::cosim::cache_root(args.cache.as_deref())?;
    let tools = Toolchain::detect().map_err(|e| cosim_err(e.into()))?;
    // The generated Verilog only, in a private folder removed at the end.
    let work = WorkDir::new(None, "spikefab-bench-noc-")?;
    let sources = NocSources::write_embedded(work.path()).map_err(cosim_err)?;
    let measured = args.cycles;
    let warmup = noc::curve_warmup(measured);
    if !args.json {
        stdout(&format!(
            "spikefab bench noc: snn_noc_mesh (DATA_W {}, FIFO depth {}), uniform unicast traffic, \
             no ejection stalls; per offered load {warmup} warm-up + {measured} measured cycles\n\
             offered and accepted in packets per core per cycle; latency in cycles from the injection \
             to the ejection handshake\nmodel cache: {}\n",
            noc::DATA_W,
            args.fifo_depth,
            cache.display()
        ))?;
    }
    for cfg in meshes {
        let name = cfg.name();
        let t_build = Instant::now();
        let wrapper = noc::write_wrapper(work.path(), cfg).map_err(cosim_err)?;
        let spec = noc::mesh_spec(cfg, &wrapper, &sources).map_err(cosim_err)?;
        let lib = build_with(&tools, &spec, &cache).map_err(cosim_err)?;
        let build_s = t_build.elapsed().as_secs_f64();
        let mut sim = MeshSim::new(&lib, cfg, noc::CURVE_X_SEED).map_err(cosim_err)?;
        if !args.json {
            stdout(&format!(
                "\nmesh {name} ({} core{}): model {}\n\
                 | offered | accepted | mean latency | p99 latency |\n|---|---|---|---|\n",
                cfg.n(),
                if cfg.n() == 1 { "" } else { "s" },
                lib.describe()
            ))?;
        }
        let t_sim = Instant::now();
        let (mut packets, mut copies, mut cycles) = (0u64, 0u64, 0u64);
        let mut max_offer_dev = 0.0f64;
        for rate in noc::CURVE_RATES {
            let rc = noc::curve_run(rate, measured);
            let label = format!("mesh {name} at offered load {:.2}", f64::from(rate) / 100.0);
            let t_run = Instant::now();
            let r = match noc::run(&mut sim, &rc, &label) {
                Ok(r) => r,
                Err(f) => {
                    eprintln!(
                        "error: bench noc: {label} (FIFO depth {}, {measured} measured cycles) FAILED: {}",
                        cfg.fifo_depth,
                        f.to_string().trim_end()
                    );
                    return Ok(false);
                }
            };
            let run_s = t_run.elapsed().as_secs_f64();
            let nominal = f64::from(rate) / 100.0;
            packets += r.injected;
            copies += r.delivered;
            cycles += r.cycles;
            max_offer_dev = max_offer_dev.max((r.offered - nominal).abs());
            if args.json {
                let v = json!({
                    "mesh": name,
                    "rows": cfg.rows,
                    "cols": cfg.cols,
                    "cores": cfg.n(),
                    "fifo_depth": cfg.fifo_depth,
                    "data_w": noc::DATA_W,
                    "pattern": rc.pattern.name(),
                    "offered": nominal,
                    "offered_measured": r.offered,
                    "accepted": r.throughput,
                    "mean_latency": r.mean_latency,
                    "p99_latency": r.p99_latency,
                    "max_latency": r.max_latency,
                    "measured_cycles": measured,
                    "warmup_cycles": warmup,
                    "cycles": r.cycles,
                    "packets": r.injected,
                    "copies_delivered": r.delivered,
                    "lost": r.lost,
                    "duplicated": r.duplicated,
                    "misrouted": r.misrouted,
                    "corrupt": r.corrupt,
                    "refused_offers": r.refused,
                    "sim_s": run_s,
                    "model_built": lib.was_built(),
                    "build_s": build_s,
                    "spikefab_version": env!("CARGO_PKG_VERSION"),
                });
                stdout(&format!("{v}\n"))?;
            } else {
                stdout(&format!(
                    "| {nominal:.2} | {:.3} | {:.2} | {} |\n",
                    r.throughput, r.mean_latency, r.p99_latency
                ))?;
            }
        }
        let sim_s = t_sim.elapsed().as_secs_f64();
        if !args.json {
            stdout(&format!(
                "scoreboard: {packets} packets, {copies} copies each delivered exactly once \
                 (0 lost, 0 duplicated, 0 misrouted); measured offer within {max_offer_dev:.3} of nominal; \
                 {cycles} cycles simulated in {sim_s:.2} s ({:.2} us/cycle)\n",
                if cycles > 0 { sim_s * 1e6 / cycles as f64 } else { 0.0 }
            ))?;
        }
    }
    Ok(true)
}
