//! Large configurations in lockstep with the reference: a core of 16,384
//! neurons and about a million synapses, and one biological second (10,000
//! steps) of the built-in balanced network on its `balanced` core (both in
//! the default run: tens of seconds each on the 2-core machine). Each
//! prints the positive marker and one JSON line of figures (for
//! `results/verification.jsonl`, docs/verification.md).
//!
//! The 4x4 mesh is in `mesh.rs`.

mod support;

use std::time::Instant;

use spikefab_cosim::lockstep::LockstepReport;
use spikefab_gen::{GenOptions, HwConfig};
use spikefab_sim::models::balanced::{balanced, BalancedParams};
use spikefab_sim::Network;
use support::{expect_match, hw, opts, prepare_on, run_prepared};

fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Lockstep `net` on `h` for `steps` steps; prints the marker and a JSON
/// line of figures.
fn run(what: &str, net: &Network, h: &HwConfig, steps: u64, cmd: &str) -> LockstepReport {
    let t0 = Instant::now();
    let mut p = prepare_on(net, h, &GenOptions::default(), &format!("scale-{}", h.name));
    let prep_s = t0.elapsed().as_secs_f64();
    let synapses = p.engine.syn.key.len();
    let neurons = p.engine.neurons();
    let t1 = Instant::now();
    let r = expect_match(
        run_prepared(&mut p, &opts(steps, 1, 100, 1, cmd.to_string())),
        what,
    );
    let run_s = t1.elapsed().as_secs_f64();
    println!("{what} on '{}': {}", h.name, r.marker());
    println!(
        "{{\"test\": \"{what}\", \"config\": \"{}\", \"neurons\": {neurons}, \"synapses\": {synapses}, \
         \"steps\": {}, \"neuron_updates\": {}, \"spikes\": {}, \"weight_writes\": {}, \
         \"cycles\": {}, \"prepare_s\": {prep_s:.1}, \"lockstep_s\": {run_s:.1}, \
         \"load_average\": \"{}\", \"command\": \"{cmd}\"}}",
        h.name,
        r.steps,
        r.neuron_updates,
        r.spikes,
        r.weight_writes,
        r.total_cycles,
        load_avg()
    );
    assert_eq!(r.steps, steps);
    assert_eq!(r.neuron_updates, steps * neurons as u64);
    r
}

/// A `balanced` core of 16,384 neurons and 1,100,000 synapse words (default
/// numerics, 64 slots).
fn big_core() -> HwConfig {
    let mut h = hw("balanced");
    h.name = "big".into();
    h.description = "16,384 neurons, 1,100,000 synapses, 2 populations, default numerics".into();
    h.neurons_per_core = 16_384;
    h.max_rows = 16_384;
    h.syn_depth = 1_100_000;
    h.check().expect("a legal config");
    h
}

#[test]
fn a_core_of_16384_neurons_and_a_million_synapses_matches_the_reference() {
    // In-degree 0.4 % of each population: 52 excitatory + 13 inhibitory
    // inputs per neuron, 1,064,960 synapses.
    let net = balanced(&BalancedParams {
        n: 16_384,
        epsilon: 0.004,
        duration_ms: 3.0,
        ..BalancedParams::default()
    })
    .expect("balanced");
    let h = big_core();
    let steps = 100;
    let r = run(
        "balanced n=16384 epsilon=0.004",
        &net,
        &h,
        steps,
        "cargo test -p spikefab-cosim --test scale a_core_of_16384 -- --nocapture",
    );
    assert!(r.spikes > 0, "the network spikes");
}

/// 10,000 steps (about 33 s here, 23 s of them in lockstep: in the default
/// run).
#[test]
fn the_balanced_network_matches_for_one_biological_second() {
    let net = balanced(&BalancedParams::default()).expect("balanced");
    let h = hw("balanced");
    let r = run(
        "balanced 1 s",
        &net,
        &h,
        10_000,
        "cargo test -p spikefab-cosim --test scale one_biological_second -- --nocapture",
    );
    assert!(r.spikes > 0);
}
