//! The cycle model (`spikefab_plan::cycles`) against co-simulated cycles:
//! single cores on chip and with external memory (row index on chip and
//! off; PD14 at n = k = 0.1 among them), and meshes on chip, with external memory and with delay groups
//! (replayed spikes), each run in lockstep
//! with the reference (so the cycles are those of a correct run). The mean
//! cycles per step must be within 5% of the model's; the worst step's
//! ratio is printed, and one JSON line per run (`scripts/measure.sh
//! cycle-model`). `SPIKEFAB_CYCLE_MODEL_STEPS=1` prints every step.

use std::path::{Path, PathBuf};

use spikefab_cosim::flow::{prepare, prepare_mesh};
use spikefab_cosim::lockstep::{
    configured_ext, run_lockstep_on, Cost, LockstepOptions, LockstepReport, MemTiming,
};
use spikefab_gen::{GenOptions, HwConfig, Mesh};
use spikefab_sim::load::load_file;
use spikefab_sim::models::balanced::BalancedParams;
use spikefab_sim::Network;

fn root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cycle-model")
}

fn cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-cache")
}

fn tiny(seed: u64) -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gen/tests/nets/tiny.toml");
    let mut n = load_file(&p).expect("tiny.toml");
    n.simulation.seed = seed;
    n
}

/// The built-in balanced network of `n` neurons; where `small` (configs
/// with 11-bit weights and 13 delay slots) with 0.3 mV PSPs, a stronger
/// drive and delays of 1 ms.
fn balanced(n: u32, seed: u64, small: bool) -> Network {
    let mut net = spikefab_sim::models::balanced::balanced(&BalancedParams {
        n,
        seed,
        duration_ms: 10.0,
        j_psp_mv: if small { 0.3 } else { 0.5 },
        eta: if small { 1.5 } else { 1.0 },
        ..BalancedParams::default()
    })
    .expect("balanced");
    if small {
        for p in &mut net.projections {
            if let Some(d) = p.delay.as_mut() {
                d.mean_ms = 1.0;
            }
        }
    }
    net
}

fn opts(steps: u64, what: &str) -> LockstepOptions {
    LockstepOptions {
        steps,
        spk_pct: 100,
        stall_seed: 1,
        x_seed: 1,
        history: 4,
        wave: None,
        wave_window: 0,
        repro: what.to_string(),
    }
}

/// The measured and predicted cycles of a run: mean ratio within 5%.
fn check(what: &str, r: &LockstepReport) -> (f64, f64) {
    assert_eq!(
        r.model_cycles_per_step.len(),
        r.cycles_per_step.len(),
        "{what}: a prediction per step"
    );
    assert!(r.spikes > 0, "{what}: the run must have spikes");
    let measured: u64 = r.cycles_per_step.iter().sum();
    let model: u64 = r.model_cycles_per_step.iter().sum();
    let ratio = measured as f64 / model as f64;
    let worst = r
        .cycles_per_step
        .iter()
        .zip(&r.model_cycles_per_step)
        .map(|(&m, &p)| m as f64 / p as f64)
        .fold(1.0f64, |w, x| {
            if (x - 1.0).abs() > (w - 1.0).abs() {
                x
            } else {
                w
            }
        });
    if std::env::var_os("SPIKEFAB_CYCLE_MODEL_STEPS").is_some() {
        for (t, (m, p)) in r
            .cycles_per_step
            .iter()
            .zip(&r.model_cycles_per_step)
            .enumerate()
        {
            println!(
                "{what} step {t}: measured {m} model {p} events {}",
                r.events_per_step[t]
            );
        }
    }
    let n = r.steps as f64;
    println!(
        "{what}: {} steps, measured {:.1} cycles/step, model {:.1}, measured/model {ratio:.4}, \
         worst step measured/model {worst:.4}",
        r.steps,
        measured as f64 / n,
        model as f64 / n
    );
    // one JSON line per run (scripts/measure.sh cycle-model records them)
    println!(
        "{{\"run\": \"{what}\", \"steps\": {}, \"measured_cycles_per_step\": {:.2}, \
         \"model_cycles_per_step\": {:.2}, \"ratio\": {ratio:.5}, \"worst_step_ratio\": {worst:.5}}}",
        r.steps,
        measured as f64 / n,
        model as f64 / n
    );
    assert!(
        (ratio - 1.0).abs() <= 0.05,
        "{what}: measured/model = {ratio:.4} is more than 5% off"
    );
    (ratio, worst)
}

fn single(what: &str, net: &Network, hw: &str, steps: u64, timing: &MemTiming) -> (f64, f64) {
    let hwc = HwConfig::named(hw).expect("named config");
    let work = root().join(what.replace(' ', "-"));
    let _ = std::fs::remove_dir_all(&work);
    let mut p = prepare(net, &hwc, &GenOptions::default(), &work, &cache())
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let ext = p.ext_memory(timing);
    let o = opts(steps, what);
    let cost = Cost::single(&p.core, &p.engine, ext.as_ref().map(|x| &x.timing));
    let open = || configured_ext(&p.lib, &p.core, &p.beats, ext.as_ref(), &o);
    let r = run_lockstep_on(&open, &mut p.engine, &o, Some(&cost))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    check(what, &r)
}

fn mesh(
    what: &str,
    net: &Network,
    hw: &str,
    mesh: &str,
    steps: u64,
    timing: &MemTiming,
) -> (f64, f64) {
    let hwc = HwConfig::named(hw).expect("named config");
    let m: Mesh = mesh.parse().expect("mesh");
    let work = root().join(what.replace(' ', "-"));
    let _ = std::fs::remove_dir_all(&work);
    let (p, mut e) =
        prepare_mesh(net, &hwc, &m, 1, &work, &cache()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let ext = p.ext_memory(timing);
    let ranges: Vec<(u32, u32)> = p
        .manifest
        .mapping
        .cores
        .iter()
        .map(|c| (c.lo, c.hi))
        .collect();
    let cost = Cost::mesh(
        m.rows(),
        m.cols(),
        &p.top.core,
        p.top.delay_groups,
        &ranges,
        &e,
        ext.as_ref().map(|x| &x.timing),
    )
    .expect("a static mesh has a cycle model");
    let o = opts(steps, what);
    let open = p.opener_ext(1, ext.as_ref());
    let r =
        run_lockstep_on(&open, &mut e, &o, Some(&cost)).unwrap_or_else(|e| panic!("{what}: {e}"));
    check(what, &r)
}

#[test]
fn cycle_model_predicts_a_single_core_on_chip_within_5_percent() {
    single(
        "tiny on odd",
        &tiny(4242),
        "odd",
        300,
        &MemTiming::default(),
    );
    single(
        "balanced on balanced",
        &balanced(1250, 1, false),
        "balanced",
        150,
        &MemTiming::default(),
    );
}

#[test]
fn cycle_model_predicts_a_single_core_with_external_memory_within_5_percent() {
    single(
        "tiny on ext_odd",
        &tiny(4242),
        "ext_odd",
        300,
        &MemTiming::default(),
    );
    single(
        "balanced 99 on ext_idx latency 37",
        &balanced(99, 3, true),
        "ext_idx",
        300,
        &MemTiming {
            latency: 37,
            ..MemTiming::default()
        },
    );
    single(
        "tiny on ext_odd latency 200 at 4 bytes per cycle",
        &tiny(7),
        "ext_odd",
        200,
        &MemTiming {
            latency: 200,
            bytes_per_cycle: Some(4.0),
            ..MemTiming::default()
        },
    );
}

/// The acceptance network: PD14 at n = k = 0.1 (7,717 neurons,
/// 3.0e6 synapses, Poisson drive) with its synapses in external memory,
/// 100 steps (what `spikefab bench cosim pd14 --n-scale 0.1 --k-scale 0.1
/// --hw ext` measures).
#[test]
fn cycle_model_predicts_pd14_at_a_tenth_with_external_memory_within_5_percent() {
    use spikefab_sim::models::pd14::{pd14, Pd14Drive, Pd14Params};
    let net = pd14(&Pd14Params {
        n_scale: 0.1,
        k_scale: 0.1,
        drive: Pd14Drive::Poisson,
        ..Pd14Params::default()
    })
    .expect("pd14 at 0.1");
    single("pd14 0.1 on ext", &net, "ext", 100, &MemTiming::default());
}

#[test]
fn cycle_model_predicts_meshes_within_5_percent() {
    mesh(
        "tiny on mesh 2x2",
        &tiny(4242),
        "mesh",
        "2x2",
        300,
        &MemTiming::default(),
    );
    mesh(
        "balanced 99 on mesh 1x3",
        &balanced(99, 5, true),
        "mesh",
        "1x3",
        200,
        &MemTiming::default(),
    );
    mesh(
        "tiny on ext_odd 2x2",
        &tiny(4242),
        "ext_odd",
        "2x2",
        200,
        &MemTiming::default(),
    );
}

/// Delay groups: the network interfaces' replay scans and the replayed
/// packets' row fetches (ext_dg: three groups of 4 steps, a network with
/// delays in all of them), on two mesh shapes.
#[test]
fn cycle_model_predicts_meshes_with_delay_groups_within_5_percent() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nets/delay_groups.toml");
    let net = load_file(&p).expect("delay_groups.toml");
    for m in ["1x3", "2x2"] {
        mesh(
            &format!("delay_groups on ext_dg {m}"),
            &net,
            "ext_dg",
            m,
            300,
            &MemTiming::default(),
        );
    }
}
