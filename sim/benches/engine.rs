//! `cargo bench -p spikefab-sim`: throughput of the reference engine on the
//! built-in models, printed as figures (criterion), not asserted.
//!
//! - `neuron_update`: phase A alone (one step of a network with no synapses);
//! - `balanced_step`: a whole step of the default balanced network;
//! - `pd14_0.1_step`: a whole step of PD14 at n_scale = k_scale = 0.1.
//!
//! Whole-model figures (real-time factor, events/s, memory) come from
//! `spikefab bench sim <model>`; docs/benchmarks.md records both.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spikefab_sim::engine::Engine;
use spikefab_sim::models::{balanced, pd14, BalancedParams, Pd14Params};

fn warmed(net: &spikefab_sim::Network, steps: u64) -> Engine {
    let mut e = Engine::from_network(net).expect("built-in model builds");
    for _ in 0..steps {
        e.step();
    }
    e
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);

    let mut net = balanced(&BalancedParams::default()).expect("balanced");
    net.projections.clear();
    let mut e = warmed(&net, 10);
    g.throughput(Throughput::Elements(e.neurons() as u64));
    g.bench_function("neuron_update", |b| b.iter(|| e.step().len()));

    let net = balanced(&BalancedParams::default()).expect("balanced");
    let mut e = warmed(&net, 2000);
    g.throughput(Throughput::Elements(e.neurons() as u64));
    g.bench_function("balanced_step", |b| b.iter(|| e.step().len()));

    let net = pd14(&Pd14Params {
        n_scale: 0.1,
        k_scale: 0.1,
        ..Default::default()
    })
    .expect("pd14");
    let mut e = warmed(&net, 2000);
    g.throughput(Throughput::Elements(e.neurons() as u64));
    g.bench_function("pd14_0.1_step", |b| b.iter(|| e.step().len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
