//! Regression pin: the exact spikes, final state and weights of
//! `examples/two_populations.toml`, `examples/stdp_pair.toml` and the first
//! 200 ms of the default balanced network. Any change
//! to the engine, quantizer, connectivity or RNG that moves a single bit
//! changes these hashes. A deliberate change of the contract updates them in
//! the same commit, with docs/numerics.md; anything else is a bug.

use spikefab_sim::engine::{with_threads, Engine};
use spikefab_sim::load::load_file;
use spikefab_sim::models::{balanced, BalancedParams};
use spikefab_sim::rng::fnv1a64;

fn fingerprint(file: &str) -> (u64, u64, u64) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(file);
    fingerprint_net(&load_file(&path).expect("example loads"))
}

fn fingerprint_net(net: &spikefab_sim::Network) -> (u64, u64, u64) {
    with_threads(2, || {
        let mut e = Engine::from_network(net).expect("example builds");
        let mut bytes = Vec::new();
        let mut spikes = 0u64;
        for _ in 0..net.num_steps() {
            let t = e.step_index();
            for &n in e.step() {
                bytes.extend_from_slice(&t.to_le_bytes());
                bytes.extend_from_slice(&n.to_le_bytes());
                spikes += 1;
            }
        }
        for s in &e.state {
            for x in [
                s.v,
                s.i_ex,
                s.i_in,
                s.refr as i32,
                s.x_pre as i32,
                s.y_post as i32,
            ] {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        for w in &e.syn.weight {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        (spikes, e.syn.len(), fnv1a64(&bytes))
    })
    .expect("thread pool")
}

#[test]
fn two_populations_example_is_bit_for_bit_unchanged() {
    let got = fingerprint("examples/two_populations.toml");
    println!("{got:?}");
    assert_eq!(got, GOLDEN_TWO_POPULATIONS);
}

#[test]
fn stdp_example_is_bit_for_bit_unchanged() {
    let got = fingerprint("examples/stdp_pair.toml");
    println!("{got:?}");
    assert_eq!(got, GOLDEN_STDP);
}

#[test]
fn balanced_default_is_bit_for_bit_unchanged() {
    let mut net = balanced(&BalancedParams::default()).expect("balanced");
    net.simulation.duration_ms = 200.0;
    let got = fingerprint_net(&net);
    println!("{got:?}");
    assert_eq!(got, GOLDEN_BALANCED);
}

const GOLDEN_BALANCED: (u64, u64, u64) = (5697, 156250, 7984509254704194546);
const GOLDEN_TWO_POPULATIONS: (u64, u64, u64) = (4, 1000, 15961243751746227726);
const GOLDEN_STDP: (u64, u64, u64) = (132, 10, 13711211263199403662);
