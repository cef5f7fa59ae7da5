//! `spikefab bench sim`: build a model (timed), run it without writing spikes
//! and report throughput and memory.

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use spikefab_sim::engine;

use crate::cli::BenchSimArgs;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::run::{self, pop_rates, rates_json, rates_table, Progress, Stats};
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
    // No file output in a benchmark: spikes and state are counted, not written.
    let progress = Progress::wanted(args.json);
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
        s
    };
    util::out(&text).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}
