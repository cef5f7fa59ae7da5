//! Tests of the standard-model builders (`spikefab_sim::models`): PD14 against
//! the derived values stored in `sim/data/pd14_microcircuit.json`, the
//! balanced network's sizes and parameters, TOML export, and the activity of
//! the default balanced network in the reference engine.

use serde_json::Value;
use spikefab_sim::engine::{with_threads, Engine};
use spikefab_sim::models::{
    balanced, pd14, pd14_data, psc_over_psp, BalancedParams, Pd14Drive, Pd14Params, Pd14V0,
};
use spikefab_sim::net::{Network, Rule, VInit};

const JSON: &str = include_str!("../data/pd14_microcircuit.json");

fn json() -> Value {
    serde_json::from_str(JSON).unwrap()
}

fn order(j: &Value) -> Vec<String> {
    j["populations"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// Synapse number of projection source -> target, 0 when absent.
fn n_syn(net: &Network, src: &str, tgt: &str) -> u64 {
    net.projections
        .iter()
        .filter(|p| p.source == src && p.target == tgt)
        .map(|p| match p.rule {
            Rule::FixedTotalNumber { n, autapses } => {
                assert!(autapses, "PD14 allows autapses");
                n
            }
            ref r => panic!("unexpected rule {r:?}"),
        })
        .sum()
}

fn proj<'a>(net: &'a Network, src: &str, tgt: &str) -> &'a spikefab_sim::net::Projection {
    net.projections
        .iter()
        .find(|p| p.source == src && p.target == tgt)
        .unwrap_or_else(|| panic!("no projection {src}->{tgt}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn pd14_full_scale_sizes_and_synapse_numbers() {
    let j = json();
    let net = pd14(&Pd14Params::default()).unwrap();
    assert_eq!(net.name.as_deref(), Some("pd14"));
    let names = order(&j);
    assert_eq!(
        net.populations
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>(),
        names
    );
    assert_eq!(net.num_neurons(), 77169);
    for p in &net.populations {
        assert_eq!(
            p.size as u64,
            j["populations"]["N_full"][&p.name].as_u64().unwrap()
        );
    }
    let m = &j["connectivity"]["derived_num_synapses_target_by_source"]["matrix"];
    let mut total = 0u64;
    for (y, tgt) in names.iter().enumerate() {
        for (x, src) in names.iter().enumerate() {
            let want = m[y][x].as_u64().unwrap();
            assert_eq!(n_syn(&net, src, tgt), want, "{src}->{tgt}");
            total += want;
        }
    }
    // The reference rounds every projection separately: the instantiated total
    // is 298 880 968. The JSON's `total` (298 880 969) is the rounded sum of the
    // unrounded numbers, one more.
    assert_eq!(total, 298_880_968);
    let built: u64 = net
        .projections
        .iter()
        .map(|p| match p.rule {
            Rule::FixedTotalNumber { n, .. } => n,
            _ => unreachable!(),
        })
        .sum();
    assert_eq!(built, total);
    let unrounded: f64 = pd14_data().full_num_synapses().iter().flatten().sum();
    assert_eq!(
        unrounded.round() as u64,
        j["connectivity"]["derived_num_synapses_target_by_source"]["total"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(unrounded.round() as u64, 298_880_969);
    // Zero-probability projections are omitted: 64 - 9 zero entries.
    assert_eq!(net.projections.len(), 55);
    assert_eq!(net.simulation.dt_ms, 0.1);
    assert_eq!(net.simulation.duration_ms, 1000.0);
    assert_eq!(net.simulation.seed, 55);
}

#[test]
fn pd14_weights_and_psc_conversion() {
    let j = json();
    let s = &j["synapses"];
    let n = &j["neuron"];
    let k = psc_over_psp(f(&n["C_m_pF"]), f(&n["tau_m_ms"]), f(&s["tau_syn_ms"]));
    assert!(close(k, f(&s["PSC_over_PSP_pA_per_mV"]), 0.005), "{k}");
    assert!(close(0.15 * k, f(&s["weight_exc_pA"]), 1e-4));
    let net = pd14(&Pd14Params::default()).unwrap();
    let check = |src: &str, tgt: &str, mean: f64, delay: f64| {
        let p = proj(&net, src, tgt);
        let w = p.weight.as_ref().unwrap();
        assert!(
            close(w.mean_pa, mean, 1e-3),
            "{src}->{tgt}: {} vs {mean}",
            w.mean_pa
        );
        assert!(close(w.sd_pa, 0.1 * mean.abs(), 1e-4));
        let d = p.delay.as_ref().unwrap();
        assert_eq!(d.mean_ms, delay);
        assert_eq!(d.sd_ms, 0.5 * delay);
        assert!(p.stdp.is_none());
    };
    check("L23E", "L23E", f(&s["weight_exc_pA"]), 1.5);
    check("L4E", "L23E", f(&s["weight_L4E_to_L23E_pA"]), 1.5);
    check("L4E", "L4I", f(&s["weight_exc_pA"]), 1.5);
    check("L23I", "L23E", f(&s["weight_inh_pA"]), 0.75);
    check("L6I", "L6I", f(&s["weight_inh_pA"]), 0.75);
    check("L5E", "L6E", f(&s["weight_exc_pA"]), 1.5);
    for p in &net.populations {
        let nn = &p.neuron;
        assert_eq!(nn.tau_m_ms, 10.0);
        assert_eq!(nn.c_m_pf, 250.0);
        assert_eq!(nn.e_l_mv, -65.0);
        assert_eq!(nn.v_th_mv, -50.0);
        assert_eq!(nn.v_reset_mv, -65.0);
        assert_eq!(nn.t_ref_ms, 2.0);
        assert_eq!(nn.tau_syn_ex_ms, 0.5);
        assert_eq!(nn.tau_syn_in_ms, 0.5);
        assert_eq!(
            p.v_init,
            VInit::Normal {
                mean_mv: f(&n["V0_mean_mV"]["optimized"][&p.name]),
                std_mv: f(&n["V0_std_mV"]["optimized"][&p.name]),
            }
        );
    }
    let orig = pd14(&Pd14Params {
        v0: Pd14V0::Original,
        ..Default::default()
    })
    .unwrap();
    for p in &orig.populations {
        assert_eq!(
            p.v_init,
            VInit::Normal {
                mean_mv: -58.0,
                std_mv: 10.0
            }
        );
    }
}

#[test]
fn pd14_dc_drive_full_scale() {
    let j = json();
    let net = pd14(&Pd14Params::default()).unwrap();
    let want = &j["external_input"]["DC_amp_full_scale_pA_derived"]["values"];
    for p in &net.populations {
        assert!(
            close(p.background.dc_pa, f(&want[&p.name]), 0.005),
            "{}: {} vs {}",
            p.name,
            p.background.dc_pa,
            want[&p.name]
        );
        assert!(p.background.poisson.is_none());
    }
    // Full-scale Poisson drive: no DC, K_ext inputs at 8 Hz with the excitatory weight.
    let pn = pd14(&Pd14Params {
        drive: Pd14Drive::Poisson,
        ..Default::default()
    })
    .unwrap();
    for p in &pn.populations {
        assert_eq!(p.background.dc_pa, 0.0);
        let pd = p.background.poisson.as_ref().unwrap();
        assert_eq!(pd.rate_hz, 8.0);
        assert_eq!(
            pd.indegree as f64,
            f(&j["external_input"]["K_ext"][&p.name])
        );
        assert!(close(
            pd.weight_pa,
            f(&j["synapses"]["weight_exc_pA"]),
            1e-4
        ));
    }
}

/// The drive `spikefab` uses without `--drive`: the reference's DC wherever
/// the compensated DC keeps every population at or above rheobase (the
/// JSON's `scaling.constraint`), Poisson where it does not (at 0.1 / 0.1,
/// the README's scaled example, DC leaves all but L6I silent).
#[test]
fn pd14_default_drive_is_dc_only_where_dc_reaches_rheobase() {
    let d = pd14_data();
    assert_eq!(d.rheobase_pa(), 375.0);
    for k in [1.0, 2.0, 0.9, 0.5] {
        assert_eq!(Pd14Drive::default_for(k), Pd14Drive::Dc, "k_scale {k}");
        assert!(d.dc_below_rheobase(k).is_empty(), "k_scale {k}");
    }
    for k in [0.4, 0.25, 0.1, 0.01] {
        assert_eq!(Pd14Drive::default_for(k), Pd14Drive::Poisson, "k_scale {k}");
    }
    let below: Vec<String> = d.dc_below_rheobase(0.1).into_iter().map(|b| b.0).collect();
    assert_eq!(below, ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E"]);
    // The helper gives the builder's DC bit for bit.
    for (k, drive) in [
        (0.1, Pd14Drive::Dc),
        (0.3, Pd14Drive::Poisson),
        (1.0, Pd14Drive::Dc),
    ] {
        let net = pd14(&Pd14Params {
            n_scale: 0.02,
            k_scale: k,
            drive,
            ..Default::default()
        })
        .unwrap();
        let dc: Vec<f64> = net.populations.iter().map(|p| p.background.dc_pa).collect();
        assert_eq!(dc, d.dc_currents(drive, k));
    }
}

/// The reference DC compensation term of target population `y` for
/// `k_scale`, computed independently from the JSON's derived values.
fn compensation(j: &Value, y: usize, k_scale: f64, poisson: bool) -> f64 {
    let names = order(j);
    let s = &j["synapses"];
    let m = &j["connectivity"]["derived_num_synapses_target_by_source"]["matrix"];
    let nu = &j["reference_rates_Hz"]["NEST_current_2022_onward"]["values"];
    let n_y = f(&j["populations"]["N_full"][&names[y]]);
    let mut input = 0.0;
    for (x, src) in names.iter().enumerate() {
        let w = if src.ends_with('I') {
            f(&s["weight_inh_pA"])
        } else if src == "L4E" && names[y] == "L23E" {
            f(&s["weight_L4E_to_L23E_pA"])
        } else {
            f(&s["weight_exc_pA"])
        };
        input += w * f(&m[y][x]) / n_y * f(&nu[x]);
    }
    if poisson {
        input += f(&s["weight_exc_pA"]) * f(&j["external_input"]["K_ext"][&names[y]]) * 8.0;
    }
    0.001 * 0.5 * (1.0 - k_scale.sqrt()) * input
}

#[test]
fn pd14_scaled_sizes_synapses_and_compensation() {
    let j = json();
    let names = order(&j);
    let m = &j["connectivity"]["derived_num_synapses_target_by_source"]["matrix"];
    let dc_full = &j["external_input"]["DC_amp_full_scale_pA_derived"]["values"];
    for (ns, ks) in [(0.1, 0.1), (0.1, 1.0), (1.0, 0.5), (0.5, 0.5), (0.02, 0.25)] {
        for drive in [Pd14Drive::Dc, Pd14Drive::Poisson] {
            let p = Pd14Params {
                n_scale: ns,
                k_scale: ks,
                drive,
                ..Default::default()
            };
            let net = pd14(&p).unwrap();
            for (y, pop) in net.populations.iter().enumerate() {
                let full = j["populations"]["N_full"][&names[y]].as_u64().unwrap() as f64;
                assert_eq!(
                    pop.size as f64,
                    (full * ns).round_ties_even(),
                    "{}",
                    pop.name
                );
                // Synapse numbers: round(K * n_scale * k_scale) (K unrounded, so allow 1).
                for (x, src) in names.iter().enumerate() {
                    let want = f(&m[y][x]) * ns * ks;
                    let got = n_syn(&net, src, &names[y]) as f64;
                    assert!(
                        (got - want).abs() <= 1.0,
                        "{src}->{}: {got} vs {want}",
                        names[y]
                    );
                }
                // Weights scale by 1/sqrt(k_scale).
                let w = proj(&net, "L4E", &names[y])
                    .weight
                    .as_ref()
                    .unwrap()
                    .mean_pa;
                let base = if names[y] == "L23E" { 175.617 } else { 87.8085 };
                assert!(close(w, base / ks.sqrt(), 1e-3), "{w}");
                // Drive and DC compensation.
                let comp = if ks != 1.0 {
                    compensation(&j, y, ks, drive == Pd14Drive::Poisson)
                } else {
                    0.0
                };
                let dc0 = match drive {
                    Pd14Drive::Dc => f(&dc_full[&names[y]]),
                    Pd14Drive::Poisson => 0.0,
                };
                assert!(
                    close(pop.background.dc_pa, dc0 + comp, 0.01),
                    "n={ns} k={ks} {drive:?} {}: {} vs {}",
                    pop.name,
                    pop.background.dc_pa,
                    dc0 + comp
                );
                match drive {
                    Pd14Drive::Dc => assert!(pop.background.poisson.is_none()),
                    Pd14Drive::Poisson => {
                        let pd = pop.background.poisson.as_ref().unwrap();
                        let k_ext = f(&j["external_input"]["K_ext"][&names[y]]);
                        assert_eq!(pd.indegree as f64, (k_ext * ks).round_ties_even());
                        assert!(close(pd.weight_pa, 87.8085 / ks.sqrt(), 1e-3));
                        assert_eq!(pd.rate_hz, 8.0);
                    }
                }
            }
        }
    }
    // Concrete values at n_scale = k_scale = 0.1 (numpy rounding: 2191.5 -> 2192, 106.5 -> 106).
    let net = pd14(&Pd14Params {
        n_scale: 0.1,
        k_scale: 0.1,
        ..Default::default()
    })
    .unwrap();
    let sizes: Vec<u32> = net.populations.iter().map(|p| p.size).collect();
    assert_eq!(sizes, vec![2068, 583, 2192, 548, 485, 106, 1440, 295]);
    assert_eq!(n_syn(&net, "L23E", "L23E"), 454_998);
    // The compensation lowers the DC of L23E (its net recurrent input is inhibitory).
    assert!(net.populations[0].background.dc_pa < 561.97);
    // numpy's ties-to-even at n_scale = 0.5: 1065/2 = 532.5 -> 532, 5479/2 -> 2740.
    let half = pd14(&Pd14Params {
        n_scale: 0.5,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(half.populations[5].size, 532);
    assert_eq!(half.populations[3].size, 2740);
    assert_eq!(half.populations[0].size, 10342);
}

#[test]
fn pd14_rejects_bad_scales() {
    for (n, k) in [
        (0.0, 1.0),
        (-0.1, 1.0),
        (f64::NAN, 1.0),
        (1.0, 0.0),
        (1.0, f64::NAN),
        (1.0, -2.0),
        (f64::INFINITY, 1.0),
    ] {
        let r = pd14(&Pd14Params {
            n_scale: n,
            k_scale: k,
            ..Default::default()
        });
        assert!(r.is_err(), "n={n} k={k}");
    }
    // So small that a population would be empty.
    assert!(pd14(&Pd14Params {
        n_scale: 1e-4,
        ..Default::default()
    })
    .is_err());
}

#[test]
fn pd14_scales_beyond_the_format_limits_are_errors_naming_the_scale() {
    let err = |p: Pd14Params| match pd14(&p) {
        Ok(net) => panic!(
            "n_scale {} k_scale {}: built {} projections",
            p.n_scale,
            p.k_scale,
            net.projections.len()
        ),
        Err(e) => e,
    };
    // Synapse numbers beyond what TOML (and the format) can hold.
    let e = err(Pd14Params {
        k_scale: 1e30,
        ..Default::default()
    });
    assert!(
        e.starts_with(
            "k_scale = 1000000000000000000000000000000 with n_scale = 1 gives projection"
        ),
        "{e}"
    );
    assert!(
        e.contains("more than the limit of 68719476736 (2^36) synapses"),
        "{e}"
    );
    // Each projection below 2^36 but the network above it.
    let e = err(Pd14Params {
        k_scale: 300.0,
        ..Default::default()
    });
    assert!(
        e.starts_with("k_scale = 300 with n_scale = 1 makes the model too large"),
        "{e}"
    );
    assert!(e.contains("2^36"), "{e}");
    // A Poisson indegree beyond u32 (once silently saturated).
    let e = err(Pd14Params {
        n_scale: 1e-3,
        k_scale: 2e6,
        drive: Pd14Drive::Poisson,
        ..Default::default()
    });
    assert!(e.starts_with("k_scale = 2000000 gives population"), "{e}");
    assert!(e.contains("Poisson indegree"), "{e}");
    // Large scales that fit still build a network that validates.
    let ok = pd14(&Pd14Params {
        k_scale: 50.0,
        n_scale: 0.01,
        ..Default::default()
    })
    .expect("k_scale = 50 at n_scale = 0.01 fits");
    assert!(spikefab_sim::load::validate(&ok).is_ok());
}

#[test]
fn balanced_default_sizes_and_parameters() {
    let p = BalancedParams::default();
    assert_eq!(
        (p.n, p.duration_ms, p.seed, p.dt_ms, p.g, p.eta, p.epsilon),
        (1250, 1000.0, 1, 0.1, 5.0, 1.0, 0.1)
    );
    let net = balanced(&p).unwrap();
    assert_eq!(net.name.as_deref(), Some("balanced"));
    assert_eq!(net.populations.len(), 2);
    assert_eq!(
        (net.populations[0].name.as_str(), net.populations[0].size),
        ("E", 1000)
    );
    assert_eq!(
        (net.populations[1].name.as_str(), net.populations[1].size),
        ("I", 250)
    );
    let w = p.j_psp_mv * psc_over_psp(250.0, 20.0, 0.5);
    assert!(close(psc_over_psp(250.0, 20.0, 0.5), 549.6022, 1e-3));
    for pr in &net.projections {
        let (k, mean) = if pr.source == "E" {
            (100, w)
        } else {
            (25, -5.0 * w)
        };
        assert_eq!(
            pr.rule,
            Rule::FixedIndegree { k, autapses: false },
            "{:?}",
            pr.name
        );
        let wd = pr.weight.as_ref().unwrap();
        assert!(close(wd.mean_pa, mean, 1e-9));
        assert_eq!(wd.sd_pa, 0.0);
        let d = pr.delay.as_ref().unwrap();
        assert_eq!((d.mean_ms, d.sd_ms), (1.5, 0.0));
    }
    assert_eq!(net.projections.len(), 4);
    let nu_thr = 1000.0 * 20.0 / (p.j_psp_mv * 100.0 * 20.0);
    for pop in &net.populations {
        let n = &pop.neuron;
        assert_eq!(
            (
                n.tau_m_ms,
                n.c_m_pf,
                n.e_l_mv,
                n.v_th_mv,
                n.v_reset_mv,
                n.t_ref_ms
            ),
            (20.0, 250.0, -70.0, -50.0, -60.0, 2.0)
        );
        assert_eq!((n.tau_syn_ex_ms, n.tau_syn_in_ms), (0.5, 0.5));
        assert_eq!(
            pop.v_init,
            VInit::Uniform {
                low_mv: -70.0,
                high_mv: -50.0
            }
        );
        let bg = pop.background.poisson.as_ref().unwrap();
        assert_eq!(bg.indegree, 100);
        assert!(close(bg.rate_hz, p.eta * nu_thr, 1e-9));
        assert!(close(bg.weight_pa, w, 1e-9));
        assert_eq!(pop.background.dc_pa, 0.0);
    }
    // Other sizes: 80/20 split and epsilon in-degrees.
    let big = balanced(&BalancedParams {
        n: 12500,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        (big.populations[0].size, big.populations[1].size),
        (10000, 2500)
    );
    assert_eq!(
        big.projections[0].rule,
        Rule::FixedIndegree {
            k: 1000,
            autapses: false
        }
    );
    assert_eq!(
        big.projections[2].rule,
        Rule::FixedIndegree {
            k: 250,
            autapses: false
        }
    );
    // Errors.
    for bad in [
        BalancedParams {
            n: 1,
            ..Default::default()
        },
        BalancedParams {
            epsilon: 0.0,
            ..Default::default()
        },
        BalancedParams {
            epsilon: 1.5,
            ..Default::default()
        },
        BalancedParams {
            j_psp_mv: f64::NAN,
            ..Default::default()
        },
        BalancedParams {
            g: -1.0,
            ..Default::default()
        },
        BalancedParams {
            n: 10,
            epsilon: 0.01,
            ..Default::default()
        },
    ] {
        assert!(balanced(&bad).is_err(), "{bad:?}");
    }
}

fn roundtrip(net: &Network) {
    let text = net.to_toml().unwrap();
    let back: Network = toml::from_str(&text).unwrap();
    assert_eq!(&back, net);
    spikefab_sim::load::validate(net).unwrap_or_else(|d| panic!("{d:?}"));
}

#[test]
fn models_export_to_toml_and_parse_back() {
    roundtrip(&pd14(&Pd14Params::default()).unwrap());
    roundtrip(
        &pd14(&Pd14Params {
            n_scale: 0.1,
            k_scale: 0.1,
            drive: Pd14Drive::Poisson,
            v0: Pd14V0::Original,
            ..Default::default()
        })
        .unwrap(),
    );
    roundtrip(&balanced(&BalancedParams::default()).unwrap());
}

/// Run a network in the reference engine; mean rate (Hz) per population.
fn rates(net: &Network, threads: usize) -> Vec<f64> {
    with_threads(threads, || {
        let mut e = Engine::from_network(net).unwrap_or_else(|d| panic!("{d:?}"));
        let mut counts = vec![0u64; net.populations.len()];
        for _ in 0..net.num_steps() {
            let spikes = e.step().to_vec();
            for s in spikes {
                counts[e.pop_of(s)] += 1;
            }
        }
        let secs = net.simulation.duration_ms / 1000.0;
        counts
            .iter()
            .zip(&net.populations)
            .map(|(&c, p)| c as f64 / p.size as f64 / secs)
            .collect()
    })
    .expect("thread pool")
}

/// The default balanced network (g = 5, eta = 1, J = 0.5 mV) fires at about
/// 22 Hz in the reference engine (docs/models.md); this guards the regime.
#[test]
fn balanced_default_rates_in_band() {
    let net = balanced(&BalancedParams::default()).unwrap();
    let r = rates(&net, 2);
    for (name, rate) in ["E", "I"].iter().zip(&r) {
        assert!(
            (10.0..=35.0).contains(rate),
            "{name} rate {rate} Hz outside 10..35 Hz"
        );
    }
}
