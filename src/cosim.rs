//! `spikefab cosim`: the generated RTL of a hardware config, verilated, in
//! lockstep with the reference engine on one network. A pass prints the
//! positive marker "matched N neuron updates, S spikes, W weight writes over
//! T steps"; anything else is a non-zero exit with the first divergence.

use std::path::{Path, PathBuf};

use spikefab_cosim::default_cache_root;
use spikefab_cosim::flow::prepare;
use spikefab_cosim::lockstep::{run_lockstep, LockstepError, LockstepOptions};
use spikefab_gen::{GenOptions, HwConfig};

use crate::cli::CosimArgs;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::util;

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

pub fn cosim(a: &CosimArgs) -> Result<(), CliError> {
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let cache = match &a.cache {
        Some(c) => c.clone(),
        None => default_cache_root().map_err(spikefab_cosim::flow::FlowError::from)?,
    };
    let (work, temp) = match &a.work {
        Some(w) => (w.clone(), false),
        None => (
            std::env::temp_dir().join(format!("spikefab-cosim-{}", std::process::id())),
            true,
        ),
    };
    let opts = GenOptions {
        threads: a.threads as usize,
        fault: a.inject_fault,
    };
    let mut p = prepare(&r.net, &hw, &opts, &work, &cache)?;
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
        wave: a.wave.then(|| work.join("divergence.vcd")),
        wave_window: a.window,
        repro: repro(),
    };
    let res = run_lockstep(&p.lib, &p.shape, &p.beats, &mut p.engine, &lopts);
    let rep = match res {
        Ok(rep) => rep,
        Err(e) => {
            if matches!(e, LockstepError::Diverged(_)) && !a.wave {
                eprintln!("(add --wave for a VCD of the steps before the divergence)");
            }
            eprintln!("generated RTL kept in {}", work.display());
            return Err(e.into());
        }
    };
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
    s.push_str(&format!(
        "cycles per step: mean {mean:.1} (min {}, max {}); {:.2} synaptic events per step; \
         cost model (neurons + events + pipeline latency) predicts {:.1}, measured/model = {:.4}\n",
        rep.cycles_per_step.iter().min().unwrap_or(&0),
        rep.cycles_per_step.iter().max().unwrap_or(&0),
        events as f64 / n,
        model as f64 / n,
        rep.step_cycles as f64 / model.max(1) as f64
    ));
    s.push_str(&format!(
        "simulated {} cycles in {:.3} s: {:.3} M cycles/s, {:.3} M neuron updates/s (reference engine {:.3} s)\n",
        rep.total_cycles,
        rep.rtl_seconds,
        rep.cycles_per_second() / 1e6,
        rep.neuron_updates as f64 / rep.rtl_seconds.max(1e-9) / 1e6,
        rep.ref_seconds
    ));
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))?;
    if temp {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        let _: PathBuf = work;
    }
    Ok(())
}
