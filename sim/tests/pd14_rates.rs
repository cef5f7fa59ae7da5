//! PD14 population rates against the NEST reference rates of the shared data
//! file (`NEST_current_2022_onward`), measured after a 500 ms warm-up.
//!
//! The default suite runs the NEST example's own downscaled configuration
//! (n_scale = k_scale = 0.1, Poisson drive; 3.0e6 synapses): downscaling keeps
//! the mean input but not the fluctuations, so the band is wide (50%), and
//! the cell-type structure (inhibitory faster than excitatory in each layer)
//! must hold. The full-scale check (77,169 neurons, 3.0e8 synapses, 20% band,
//! several minutes and ~2 GB) is `#[ignore]`d and runs with
//! `SPIKEFAB_SOAK=1 bash scripts/test.sh`.

use spikefab_sim::engine::{with_threads, Engine};
use spikefab_sim::models::{pd14, pd14_data, Pd14Drive, Pd14Params};

/// Mean rate per population (Hz) from `warmup_ms` to the end.
fn rates(p: &Pd14Params, warmup_ms: f64) -> Vec<(String, f64)> {
    let net = pd14(p).expect("pd14 builds");
    with_threads(2, || {
        let mut e = Engine::from_network(&net).expect("pd14 quantizes");
        let warm = (warmup_ms / net.simulation.dt_ms).round() as u64;
        let steps = net.num_steps();
        let mut counts = vec![0u64; e.model.pops.len()];
        for t in 0..steps {
            let sp = e.step().to_vec();
            if t >= warm {
                for n in sp {
                    counts[e.pop_of(n)] += 1;
                }
            }
        }
        let secs = (steps - warm) as f64 * net.simulation.dt_ms * 1e-3;
        e.model
            .pops
            .iter()
            .zip(counts)
            .map(|(p, c)| (p.name.clone(), c as f64 / p.size as f64 / secs))
            .collect()
    })
    .expect("thread pool")
}

fn check(got: &[(String, f64)], tolerance: f64) {
    let reference = &pd14_data().reference_rates_hz.nest_current.values;
    let mut bad = Vec::new();
    for ((name, r), want) in got.iter().zip(reference) {
        println!(
            "{name:5} {r:7.3} Hz   reference {want:6.3} Hz   {:+6.1}%",
            100.0 * (r / want - 1.0)
        );
        if (r / want - 1.0).abs() > tolerance {
            bad.push(format!("{name}: {r:.3} Hz vs {want:.3} Hz"));
        }
    }
    assert!(
        bad.is_empty(),
        "rates outside +-{:.0}%: {bad:?}",
        tolerance * 100.0
    );
    for layer in got.chunks(2) {
        assert!(
            layer[1].1 > layer[0].1,
            "{} should fire faster than {}",
            layer[1].0,
            layer[0].0
        );
    }
}

#[test]
fn pd14_at_the_nest_example_scale_fires_near_the_reference_rates() {
    let p = Pd14Params {
        n_scale: 0.1,
        k_scale: 0.1,
        drive: Pd14Drive::Poisson,
        duration_ms: 1500.0,
        ..Default::default()
    };
    check(&rates(&p, 500.0), 0.5);
}

#[test]
#[ignore = "full scale: minutes and ~2 GB; run with SPIKEFAB_SOAK=1 bash scripts/test.sh"]
fn pd14_at_full_scale_matches_the_reference_rates_within_20_percent() {
    let p = Pd14Params {
        duration_ms: 1500.0,
        ..Default::default()
    };
    check(&rates(&p, 500.0), 0.2);
}
