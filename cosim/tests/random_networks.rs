//! Random networks that fit a hardware config, generated, verilated and run
//! in lockstep with the reference engine: every record of every step must
//! match, bit for bit.
//!
//! One proptest per named config (`odd`: static, odd widths, 13 delay
//! slots; `stdp`: plastic core; `w7`: 7-bit weights, 1000 neurons;
//! `small`: the default numerics, 32-bit accumulators). The
//! config's model is built once through `flow::prepare`; every further
//! network is built the way `prepare` builds it (`build_core_model` with the
//! config's numerics and capacities, `core_images`, `load_beats`) and
//! configured into a fresh instance of that model through the load port;
//! the core depends on the config only, which each case checks
//! (`TopShape::of_images == shape`).
//!
//! The strategy (`support/random.rs`, shared with `mesh.rs`) draws
//! 1..=min(4, max_pops) populations of any size up to the config's capacity
//! (non-powers of two included), DC drive from none to saturating (both
//! signs), Poisson drive up to the table's limit with weights up to the
//! rails, thresholds from a few mV to exactly the top of the potential
//! range, refractory periods up to the counter's maximum, projections of
//! every rule (explicit multapse lists and fixed-indegree bursts onto small
//! populations included) with weights up to the rails, delays from 1 step
//! to `max_delay_steps`, STDP on and off (stdp config only; excitatory and
//! inhibitory bounds, rail bounds included), spike-out backpressure and
//! Verilator's random initial values. Accumulator and capacity budgets are
//! respected by construction; networks the build still rejects are skipped
//! and counted.
//!
//! Cases per config: 64 by default, `SPIKEFAB_COSIM_CASES=<n>` for more;
//! the runner's seed is fixed per config (reproducible CI runs) and printed;
//! `SPIKEFAB_COSIM_SEED=<u64>` pins another, `SPIKEFAB_COSIM_SEED=random`
//! draws a new one per run (soaks). A failure shrinks to a minimal network, its seed is persisted in
//! `random_networks.proptest-regressions`, and the message carries the
//! network as TOML (also written to a file) with the `spikefab cosim`
//! command that reproduces it.

mod support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner,
};
use spikefab_cosim::lockstep::{LockstepError, MemTiming};
use spikefab_gen::GenError;
use spikefab_sim::connect::key_delay;
use spikefab_sim::engine::Engine;
use spikefab_sim::net::Network;
use spikefab_sim::numerics::{smax, smin, umax, NumericsConfig};
use spikefab_sim::records::StepRecords;
use support::random::{build, case_toml, env_u64, net_spec, runner_seed, Caps, Case};
use support::{hw, opts, ConfigModel};

/// Where failing seeds are persisted (replayed first by every run).
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/random_networks.proptest-regressions"
);

/// Default cases per config (4 configs: 256 networks).
const DEFAULT_CASES: u32 = 64;

/// What the networks of one config exercised, beyond the lockstep counts.
#[derive(Debug, Default)]
struct Stats {
    networks: u64,
    neuron_updates: u64,
    spikes: u64,
    weight_writes: u64,
    steps: u64,
    neurons_max: u32,
    full_neurons: u64,
    syn_fill: f64,
    inc_fill: f64,
    odd_sizes: u64,
    with_spikes: u64,
    plastic: u64,
    with_weight_writes: u64,
    pop_counts: BTreeMap<usize, u64>,
    delay_1: u64,
    delay_max: u64,
    multapses: u64,
    acc_peak: f64,
    v_rail: u64,
    i_ex_rail: u64,
    i_in_rail: u64,
    theta_rail: u64,
    stalled: u64,
    clamped_writes: u64,
    trace_rail: u64,
    rejected: BTreeMap<String, u64>,
}

/// Coverage figures of one network, from a reference run of its own.
fn observe(stats: &mut Stats, e: &mut Engine, case: &Case, caps: &Caps, nc: &NumericsConfig) {
    let (nc_v, nc_i) = (nc.v_bits, nc.i_bits);
    let trace_max = umax(nc.trace_bits) as u32;
    let net = &case.net;
    stats.neurons_max = stats.neurons_max.max(e.neurons());
    stats.full_neurons += u64::from(e.neurons() == caps.neurons);
    stats.syn_fill = stats
        .syn_fill
        .max(e.syn.len() as f64 / caps.syn_depth as f64);
    if caps.stdp {
        let inc = e.syn.incoming.syn.len() as f64;
        stats.inc_fill = stats.inc_fill.max(inc / caps.inc_depth as f64);
    }
    stats.odd_sizes += net
        .populations
        .iter()
        .filter(|p| !p.size.is_power_of_two())
        .count() as u64;
    *stats.pop_counts.entry(net.populations.len()).or_insert(0) += 1;
    let delays: Vec<u32> = e.syn.key.iter().map(|&k| key_delay(k)).collect();
    stats.delay_1 += u64::from(delays.contains(&1));
    stats.delay_max += u64::from(delays.contains(&caps.max_delay));
    let mut acc: BTreeMap<(u32, bool), i64> = BTreeMap::new();
    let mut multapses = 0;
    for src in 0..e.neurons() {
        let r = e.syn.row(src);
        for i in r.clone() {
            let k = e.syn.key[i];
            if i > r.start && e.syn.key[i - 1] == k {
                multapses += 1;
            }
            let w = e.syn.weight[i] as i64;
            *acc.entry((k & 0xff_ffff, w < 0)).or_insert(0) += w.abs();
        }
    }
    stats.multapses += multapses;
    if let Some(&worst) = acc.values().max() {
        stats.acc_peak = stats.acc_peak.max(worst as f64 / caps.acc_budget as f64);
    }
    stats.theta_rail += net
        .populations
        .iter()
        .filter(|p| (p.neuron.v_th_mv - p.neuron.e_l_mv - caps.vmax_mv).abs() < 1e-9)
        .count() as u64;
    stats.stalled += u64::from(case.spk_pct < 100);
    let (vmin, imax, imin) = (smin(nc_v) as i32, smax(nc_i) as i32, smin(nc_i) as i32);
    let (mut v, mut ie, mut ii, mut clamped) = (false, false, false, 0u64);
    let mut traces = false;
    for _ in 0..case.steps {
        let r = StepRecords::of_engine_step(e);
        for n in &r.neurons {
            v |= n.state.v == vmin;
            ie |= n.state.i_ex == imax;
            ii |= n.state.i_in == imin;
        }
        clamped += r.weights.iter().filter(|w| w.old == w.new).count() as u64;
        traces |= e
            .state
            .iter()
            .any(|s| s.x_pre == trace_max || s.y_post == trace_max);
    }
    stats.trace_rail += u64::from(traces && !e.syn.rule.is_empty());
    stats.v_rail += u64::from(v);
    stats.i_ex_rail += u64::from(ie);
    stats.i_in_rail += u64::from(ii);
    stats.clamped_writes += clamped;
}

fn failure_file(config: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-random");
    std::fs::create_dir_all(&d).expect("mkdir");
    d.join(format!("{config}-failing.toml"))
}

/// A network every config holds, to build the config's model with.
fn first_network(caps: &Caps) -> Network {
    let text = r#"
        name = "model-builder"
        [simulation]
        dt_ms = 0.1
        duration_ms = 1.0
        [[population]]
        name = "A"
        size = 3
        neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 0.5, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.8 }
        v_init = { kind = "constant", v_mv = -65.0 }
        background = { dc_pa = 500.0 }
    "#;
    spikefab_sim::load::load_str(text, &format!("model builder for '{}'", caps.name))
        .expect("a valid network")
}

/// The external memory's timing for a case (configs with an external
/// store): drawn from the case's seeds, latency 1..=400 with up to 63
/// cycles of jitter, request and response backpressure, bandwidth from a
/// quarter beat per cycle to unlimited, responses reordered across IDs in
/// half the cases.
fn mem_timing(case: &Case) -> MemTiming {
    let a = u64::from(case.x_seed).wrapping_mul(0x9E37_79B9) ^ u64::from(case.stall_seed);
    MemTiming {
        latency: 1 + (a % 400) as u32,
        jitter: ((a >> 9) % 64) as u32,
        bytes_per_cycle: match (a >> 15) % 3 {
            0 => None,
            1 => Some(4.0),
            _ => Some(16.0),
        },
        ar_ready_pct: 40 + ((a >> 17) % 61) as u32,
        r_valid_pct: 40 + ((a >> 23) % 61) as u32,
        reorder: (a >> 29) & 1 == 1,
        seed: a,
    }
}

/// The `spikefab cosim` options of a memory timing.
fn mem_flags(t: &MemTiming) -> String {
    format!(
        " --mem-latency {} --mem-jitter {}{} --mem-ar-ready {} --mem-r-valid {}{} --mem-seed {}",
        t.latency,
        t.jitter,
        t.bytes_per_cycle
            .map(|b| format!(" --mem-bandwidth {b}"))
            .unwrap_or_default(),
        t.ar_ready_pct,
        t.r_valid_pct,
        if t.reorder { " --mem-reorder" } else { "" },
        t.seed
    )
}

fn random_networks_on(config: &str, max_size: u32) -> Stats {
    let hwc = hw(config);
    let nc = hwc.numerics;
    let caps = Caps::of(&hwc, max_size);
    let model = ConfigModel::new(hwc, &first_network(&caps));
    let cases = env_u64("SPIKEFAB_COSIM_CASES").unwrap_or(DEFAULT_CASES as u64) as u32;
    // A fixed seed per config by default (CI runs are reproducible);
    // SPIKEFAB_COSIM_SEED=random draws a new one (soaks), a number pins it.
    let seed = runner_seed(config);
    println!(
        "cosim random networks on '{config}': {cases} cases, runner seed {seed} \
         (SPIKEFAB_COSIM_SEED={seed} reproduces this run; SPIKEFAB_COSIM_CASES sets the count)"
    );
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        max_shrink_iters: 400,
        max_global_rejects: 4 * cases.max(64),
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    });
    let stats = RefCell::new(Stats::default());
    let strategy = net_spec(&caps).prop_map({
        let caps = caps.clone();
        move |s| build(&s, &caps)
    });
    let result = runner.run(&strategy, |case| {
        // The TOML in a failure message must reproduce the network exactly.
        let back = spikefab_sim::load::load_str(&case_toml(&case), "random network");
        prop_assert_eq!(
            back.as_ref().ok(),
            Some(&case.net),
            "TOML round trip: {:?}",
            back.as_ref().err()
        );
        let mut n = match model.network(&case.net) {
            Ok(n) => n,
            Err(e @ (GenError::Build { .. } | GenError::DoesNotFit { .. })) => {
                let why = e.to_string();
                let key = if why.contains("accumulator") {
                    "accumulator bound".to_string()
                } else if why.contains("does not fit hw config") {
                    "capacity".to_string()
                } else {
                    why.lines().next().unwrap_or("").chars().take(160).collect()
                };
                *stats.borrow_mut().rejected.entry(key).or_insert(0) += 1;
                return Err(TestCaseError::reject("network rejected by the build"));
            }
            Err(e) => return Err(TestCaseError::fail(format!("generation failed: {e}"))),
        };
        let file = failure_file(config);
        let mut o = opts(
            case.steps,
            case.x_seed,
            case.spk_pct,
            case.stall_seed,
            String::new(),
        );
        o.repro = model.repro(&file, &o);
        let timing = mem_timing(&case);
        if n.ext.is_some() {
            o.repro.push_str(&mem_flags(&timing));
        }
        match model.run_with(&mut n, &o, &timing) {
            Ok(r) => {
                let mut s = stats.borrow_mut();
                s.networks += 1;
                s.neuron_updates += r.neuron_updates;
                s.spikes += r.spikes;
                s.weight_writes += r.weight_writes;
                s.steps += r.steps;
                s.with_spikes += u64::from(r.spikes > 0);
                let plastic = case.net.projections.iter().any(|p| p.stdp.is_some());
                s.plastic += u64::from(plastic);
                s.with_weight_writes += u64::from(r.weight_writes > 0);
                let mut e = model.network(&case.net).expect("built once already").engine;
                observe(&mut s, &mut e, &case, &caps, &nc);
                Ok(())
            }
            Err(e) => {
                let text = case_toml(&case);
                let _ = std::fs::write(&file, &text);
                let kind = match &e {
                    LockstepError::Diverged(_) => "DIVERGED",
                    _ => "lockstep failed",
                };
                Err(TestCaseError::fail(format!("{kind} on '{config}': {e}")))
            }
        }
    });
    let stats = stats.into_inner();
    match result {
        Ok(()) => stats,
        Err(TestError::Fail(why, case)) => {
            let file = failure_file(config);
            let text = case_toml(&case);
            std::fs::write(&file, &text).expect("write the failing network");
            let o = opts(
                case.steps,
                case.x_seed,
                case.spk_pct,
                case.stall_seed,
                String::new(),
            );
            panic!(
                "random network on hw config '{config}' failed (minimal case after shrinking; \
                 runner seed {seed}):\n{why}\n\nreproduce with: {}\n(written to {})\n\n\
                 network as TOML:\n{text}",
                model.repro(&file, &o),
                file.display()
            );
        }
        Err(TestError::Abort(why)) => panic!(
            "random networks on '{config}' aborted: {why}; rejected so far: {:?}",
            stats.rejected
        ),
    }
}

fn report(config: &str, s: &Stats) {
    let rejected: u64 = s.rejected.values().sum();
    println!(
        "cosim random networks on '{config}': matched {} networks, {} neuron updates, {} spikes, \
         {} weight writes, {} steps, 0 divergences",
        s.networks, s.neuron_updates, s.spikes, s.weight_writes, s.steps
    );
    println!(
        "  '{config}' coverage: {} with spikes, {} plastic ({} with weight writes, {} writes that \
         left the weight unchanged, STDP traces at their rail in {}), populations per network {:?}, largest network {} neurons ({} at the \
         config's capacity), synapse memory filled up to {:.1}% (incoming list {:.1}%), {} \
         populations of a non-power-of-two size, {} with delay 1, {} with the maximum delay, {} same-slot \
         multapses, accumulator bound reached up to {:.1}%, V at its lower rail in {}, I_ex at \
         its rail in {}, I_in at its rail in {}, {} thresholds at the top of the V range, {} \
         runs with spike-out stalls",
        s.with_spikes,
        s.plastic,
        s.with_weight_writes,
        s.clamped_writes,
        s.trace_rail,
        s.pop_counts,
        s.neurons_max,
        s.full_neurons,
        100.0 * s.syn_fill,
        100.0 * s.inc_fill,
        s.odd_sizes,
        s.delay_1,
        s.delay_max,
        s.multapses,
        100.0 * s.acc_peak,
        s.v_rail,
        s.i_ex_rail,
        s.i_in_rail,
        s.theta_rail,
        s.stalled
    );
    println!(
        "  '{config}' rejected {rejected} generated networks: {:?}",
        s.rejected
    );
}

/// Networks, updates, spikes, weight writes, steps and configs of every
/// config's run in this process, for the total line (printed after each
/// config; the last one printed covers them all).
static TOTAL: Mutex<[u64; 6]> = Mutex::new([0; 6]);

fn check(config: &str, s: &Stats, plastic: bool) {
    report(config, s);
    {
        let mut t = TOTAL.lock().unwrap_or_else(|p| p.into_inner());
        for (i, v) in [
            s.networks,
            s.neuron_updates,
            s.spikes,
            s.weight_writes,
            s.steps,
            1,
        ]
        .into_iter()
        .enumerate()
        {
            t[i] += v;
        }
        println!(
            "cosim random networks, total over {} configs so far: matched {} networks, {} neuron \
             updates, {} spikes, {} weight writes, {} steps, 0 divergences",
            t[5], t[0], t[1], t[2], t[3], t[4]
        );
    }
    let cases = env_u64("SPIKEFAB_COSIM_CASES").unwrap_or(DEFAULT_CASES as u64);
    assert!(
        s.networks >= cases,
        "'{config}': only {} networks matched, expected {cases}",
        s.networks
    );
    assert!(s.spikes > 0, "'{config}': the random networks never spiked");
    if s.networks >= 10 {
        assert!(
            s.with_spikes * 2 >= s.networks,
            "'{config}': most networks should spike: {s:?}"
        );
    }
    if plastic {
        assert!(
            s.plastic > 0 && s.weight_writes > 0,
            "'{config}': no STDP activity: {s:?}"
        );
    }
}

#[test]
fn random_static_networks_on_odd_match_the_reference_bit_exactly() {
    let s = random_networks_on("odd", 100);
    check("odd", &s, false);
}

#[test]
fn random_plastic_and_static_networks_on_stdp_match_the_reference_bit_exactly() {
    let s = random_networks_on("stdp", 100);
    check("stdp", &s, true);
}

#[test]
fn random_networks_on_ext_odd_with_random_memory_timing_match_the_reference_bit_exactly() {
    // synapses in external memory behind an AXI model with random latency,
    // jitter, bandwidth, backpressure and reordering (mem_timing)
    let s = random_networks_on("ext_odd", 100);
    check("ext_odd", &s, false);
}

#[test]
fn random_networks_on_ext_idx_with_external_row_index_and_random_memory_timing_match_the_reference_bit_exactly(
) {
    // the row words read from external memory too (SYN_EXT = 2), behind
    // the same random memory timing
    let s = random_networks_on("ext_idx", 100);
    check("ext_idx", &s, false);
}

#[test]
fn random_networks_with_7_bit_weights_on_w7_match_the_reference_bit_exactly() {
    let s = random_networks_on("w7", 1000);
    check("w7", &s, false);
}

#[test]
fn random_networks_with_default_numerics_on_small_match_the_reference_bit_exactly() {
    let s = random_networks_on("small", 128);
    check("small", &s, false);
}
