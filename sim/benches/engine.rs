//! `cargo bench -p spikefab-sim`: throughput of the reference engine on the
//! built-in models, printed as figures (criterion), not asserted.
//!
//! - `neuron_update`: phase A alone (the default balanced network without synapses);
//! - `balanced_step`: a whole step of the default balanced network;
//! - `pd14_0.1_step`: a whole step of PD14 at n_scale = k_scale = 0.1.
//!
//! Steps run inside a 2-thread rayon pool, as `spikefab sim` runs them
//! (stepping from outside a pool pays a cross-thread wake-up per parallel
//! region). Whole-model figures (real-time factor, events/s, memory) come
//! from `spikefab bench sim <model>`; docs/benchmarks.md records both.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spikefab_sim::engine::Engine;
use spikefab_sim::models::{balanced, pd14, BalancedParams, Pd14Params};
use spikefab_sim::Network;

const THREADS: usize = 2;

fn bench_steps(c: &mut Criterion, name: &str, net: &Network, warm_steps: u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("thread pool");
    let mut e = pool.install(|| {
        let mut e = Engine::from_network(net).expect("built-in model builds");
        for _ in 0..warm_steps {
            e.step();
        }
        e
    });
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);
    g.throughput(Throughput::Elements(e.neurons() as u64));
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            pool.install(|| {
                let t0 = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(e.step().len());
                }
                t0.elapsed()
            })
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let mut net = balanced(&BalancedParams::default()).expect("balanced");
    net.projections.clear();
    bench_steps(c, "neuron_update", &net, 10);

    let net = balanced(&BalancedParams::default()).expect("balanced");
    bench_steps(c, "balanced_step", &net, 2000);

    let net = pd14(&Pd14Params {
        n_scale: 0.1,
        k_scale: 0.1,
        ..Default::default()
    })
    .expect("pd14");
    bench_steps(c, "pd14_0.1_step", &net, 2000);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
