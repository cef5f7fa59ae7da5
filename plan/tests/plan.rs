//! `spikefab_plan`: the cycle model on hand-checked steps, the clock rule,
//! the mesh shapes, and whole plans of small networks on small parts (a
//! design that fits, one that does not with its limiting resource). Yosys
//! runs for the logic (cached under the target's temporary directory).

use std::path::{Path, PathBuf};

use spikefab_eda::parts::lookup;
use spikefab_plan::clock::{Clock, ClockRule, SEVEN_SERIES, ULTRASCALE_PLUS};
use spikefab_plan::cycles::{self, ExtTiming, Machine, Store};
use spikefab_plan::design::{core_counts, mesh_of};
use spikefab_plan::planner::{plan, PlanError, PlanOptions};
use spikefab_plan::RowMap;
use spikefab_sim::load::load_file;
use spikefab_sim::Network;

fn net_file(name: &str) -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../gen/tests/nets")
        .join(name);
    load_file(&p).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn tiny() -> Network {
    net_file("tiny.toml")
}

fn opts(steps: u64) -> PlanOptions {
    PlanOptions {
        steps,
        clock_mhz: None,
        mem_latency_ns: 100.0,
        cache: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plan-cache"),
        max_synth: 8,
        threads: 1,
    }
}

fn syn(net: &Network) -> spikefab_sim::connect::Synapses {
    let m = spikefab_sim::quant::quantize(net).expect("quantize");
    spikefab_sim::connect::build(net, &m).expect("connect")
}

fn single(store: Store) -> Machine {
    Machine {
        mesh_rows: 1,
        mesh_cols: 1,
        store,
        hist_words: 0,
    }
}

#[test]
fn a_single_core_step_costs_n_plus_k_plus_17_cycles_on_chip() {
    let s = syn(&tiny());
    let rows = RowMap::new(&s, 33, &[(0, 33)], None);
    let m = single(Store::OnChip);
    assert_eq!(cycles::step(&m, &rows, &[]).cycles, 33 + 12);
    let k: u64 = [3u32, 20].iter().map(|&j| s.out_degree(j)).sum();
    let c = cycles::step(&m, &rows, &[3, 20]);
    assert_eq!(c.cycles, 33 + k + 17);
    assert_eq!((c.neurons, c.events), (33, k));
    assert_eq!(
        c.cycles,
        cycles::single_core_on_chip(33, 2, k, false, &[]),
        "one formula"
    );
}

#[test]
fn external_memory_latency_is_paid_once_per_step_when_hidden() {
    let s = syn(&tiny());
    let timing = |latency| ExtTiming {
        lanes: 5,
        beat_bytes: 16,
        burst_beats: 7,
        outstanding: 5,
        index_beats: 0,
        latency,
        bytes_per_cycle: None,
    };
    let rows = RowMap::new(&s, 33, &[(0, 33)], Some(5));
    let at = |l| cycles::step(&single(Store::External(timing(l))), &rows, &[7]).cycles;
    assert_eq!(at(300) - at(100), 200);
    // 1 byte per cycle: every 16-byte beat takes 16 cycles
    let narrow = Store::External(ExtTiming {
        bytes_per_cycle: Some(1.0),
        ..timing(100)
    });
    let slow = cycles::step(&single(narrow), &rows, &[7, 8, 9]);
    let fast = cycles::step(&single(Store::External(timing(100))), &rows, &[7, 8, 9]);
    assert!(slow.cycles > fast.cycles, "{slow:?} {fast:?}");
    assert!(slow.memory > fast.memory, "{slow:?} {fast:?}");
}

#[test]
fn a_mesh_step_waits_for_its_slowest_core_and_the_barrier() {
    let s = syn(&tiny());
    let ranges = [(0, 9), (9, 17), (17, 25), (25, 33)];
    let rows = RowMap::new(&s, 33, &ranges, None);
    let m = Machine {
        mesh_rows: 2,
        mesh_cols: 2,
        store: Store::OnChip,
        hist_words: 0,
    };
    // no spikes: the largest phase A (9 neurons) + 10 + 3
    assert_eq!(cycles::step(&m, &rows, &[]).cycles, 22);
    let c = cycles::step(&m, &rows, &[0, 1, 2, 30]);
    assert!(c.cycles > 22, "{c:?}");
    assert_eq!(
        c.cycles,
        c.neurons + c.events + c.memory + c.noc + c.fixed,
        "{c:?}"
    );
}

#[test]
fn the_clock_falls_with_logic_depth_and_is_capped_at_the_dsp_fmax() {
    assert_eq!(ULTRASCALE_PLUS.mhz(1), 410.0);
    assert!((ULTRASCALE_PLUS.mhz(7) - 1000.0 / 4.15).abs() < 1e-9);
    assert!((SEVEN_SERIES.mhz(5) - 1000.0 / 5.4).abs() < 1e-9);
    assert!(SEVEN_SERIES.mhz(8) < SEVEN_SERIES.mhz(5));
    let u55 = lookup("xcu55c").expect("part");
    assert_eq!(ClockRule::of(u55).family, "UltraScale+");
    let a35 = lookup("xc7a35t").expect("part");
    let c = Clock::estimate(a35, 5);
    assert_eq!(c.source, "estimated");
    assert!(c.text.contains("estimate"), "{}", c.text);
    let g = Clock::given(a35, 123.0);
    assert_eq!((g.mhz, g.source), (123.0, "given"));
}

#[test]
fn candidate_meshes_are_the_squarest_within_16_by_16() {
    assert_eq!(mesh_of(1), Some((1, 1)));
    assert_eq!(mesh_of(7), Some((1, 7)));
    assert_eq!(mesh_of(15), Some((3, 5)));
    assert_eq!(mesh_of(33), Some((3, 11)));
    assert_eq!(mesh_of(256), Some((16, 16)));
    assert_eq!(mesh_of(17), None);
    assert!(core_counts(33)
        .iter()
        .all(|&k| k <= 33 && mesh_of(k).is_some()));
    assert_eq!(core_counts(1), vec![1]);
}

#[test]
fn a_small_network_on_a_small_part_gets_the_fastest_design_that_fits() {
    let part = lookup("xc7a35t").expect("part");
    let p = plan(&tiny(), part, &opts(100)).expect("a plan");
    assert!(p.fits, "{:?}", p.design.misfits);
    assert!(p.limits.is_empty());
    // 41 DSP per core: at most two cores on 90 DSP
    assert!(p.design.cores <= 2, "{}", p.design.cores);
    assert!(p.design.core_logic.is_some());
    assert_eq!(p.clock.source, "estimated");
    assert!(p.cycles_mean > 0.0 && p.cycles_worst as f64 >= p.cycles_mean);
    let rtf = p.cycles_mean / (p.clock.mhz * 1e6) / (p.dt_ms * 1e-3);
    assert!((p.rtf_mean - rtf).abs() < 1e-12);
    assert_ne!(p.bottleneck, p.next_bottleneck);
    for u in &p.design.uses {
        assert!(u.used <= u.available, "{u:?}");
    }
    // a given clock is used as given
    let q = plan(
        &tiny(),
        part,
        &PlanOptions {
            clock_mhz: Some(50.0),
            ..opts(100)
        },
    )
    .expect("a plan");
    assert_eq!((q.clock.mhz, q.clock.source), (50.0, "given"));
}

#[test]
fn a_network_too_big_for_the_part_names_the_limiting_resource() {
    // 1,250 neurons and 156,250 synapses of 33 bits (5.2 Mbit): the xc7a35t
    // has 50 BRAM36 (1.8 Mbit) and DSPs for two cores
    let net =
        spikefab_sim::models::balanced::balanced(&spikefab_sim::models::balanced::BalancedParams {
            duration_ms: 10.0,
            ..Default::default()
        })
        .expect("balanced");
    let part = lookup("xc7a35t").expect("part");
    let p = plan(&net, part, &opts(50)).expect("a plan, even if nothing fits");
    assert!(!p.fits);
    assert!(!p.design.misfits.is_empty());
    let l = &p.limits[0];
    assert!(l.used > l.available && l.ratio > 1.0, "{l:?}");
    assert!(
        ["BRAM36", "DSP", "LUT"].contains(&l.resource.as_str()),
        "{l:?}"
    );
}

#[test]
fn bad_options_and_plastic_networks_are_refused_naming_why() {
    let part = lookup("xc7a35t").expect("part");
    let e = plan(&tiny(), part, &opts(0)).expect_err("no steps");
    assert!(matches!(e, PlanError::NoSteps), "{e}");
    let e = plan(
        &tiny(),
        part,
        &PlanOptions {
            clock_mhz: Some(-3.0),
            ..opts(10)
        },
    )
    .expect_err("negative clock");
    assert!(e.to_string().contains("--clock-mhz"), "{e}");
    let e = plan(&net_file("tiny_stdp.toml"), part, &opts(10)).expect_err("plastic");
    assert!(matches!(e, PlanError::Plastic { .. }), "{e}");
}

/// Rows with delay groups, every option of one pass over the synapses, are
/// the hand count: per source and group, the synapses onto each core (cores
/// ascending, no empty part on a mesh), each part's first beat following the
/// core's earlier parts (groups, then sources, in order); and each option
/// built in the pass equals the same option built alone.
#[test]
fn grouped_rows_count_each_sources_synapses_per_core_and_delay_group() {
    use spikefab_sim::connect::{key_delay, key_target};
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cosim/tests/nets/delay_groups.toml");
    let net = load_file(&p).expect("delay_groups.toml");
    let s = syn(&net);
    let n = 37u32;
    let ranges = [(0, 7), (7, 22), (22, 37)];
    let lanes = 5u64;
    let options = [(1u32, 12u32), (3, 4), (2, 6), (4, 3)];
    let many = RowMap::grouped_many(&s, n, &ranges, Some(lanes), &options);
    assert_eq!(many.len(), options.len());
    let core_of = |t: u32| {
        ranges
            .iter()
            .position(|&(lo, hi)| t >= lo && t < hi)
            .unwrap()
    };
    for (&(g, steps), rows) in options.iter().zip(&many) {
        assert_eq!(rows.groups(), g);
        let alone = RowMap::grouped(&s, n, &ranges, Some(lanes), g, steps);
        assert_eq!(
            &alone, rows,
            "{g} groups: the one-pass rows differ from the rows built alone"
        );
        let mut beat = [0u64; 3];
        let mut spread = 0;
        for grp in 0..g {
            for j in 0..n {
                let mut want = [0u32; 3];
                for i in s.row(j) {
                    let d = key_delay(s.key[i]).max(1);
                    let gg = if g == 1 {
                        0
                    } else {
                        ((d - 1) / steps).min(g - 1)
                    };
                    if gg == grp {
                        want[core_of(key_target(s.key[i]))] += 1;
                    }
                }
                let got = rows.group_row(grp, j);
                let expect: Vec<(u16, u32, u64)> = (0..3)
                    .filter(|&c| want[c] > 0)
                    .map(|c| {
                        let b = beat[c];
                        beat[c] += u64::from(want[c]).div_ceil(lanes);
                        (c as u16, want[c], b)
                    })
                    .collect();
                let got: Vec<(u16, u32, u64)> = got
                    .iter()
                    .map(|p| (p.core, p.synapses, p.start_beat))
                    .collect();
                assert_eq!(got, expect, "{g} groups: source {j}, group {grp}");
                spread += usize::from(grp > 0 && !got.is_empty());
            }
        }
        for (c, &b) in beat.iter().enumerate() {
            assert_eq!(rows.beats(c), b, "{g} groups: core {c}'s beats");
        }
        if g > 1 {
            assert!(
                spread > 0,
                "{g} groups: the network must have synapses past group 0"
            );
        }
    }
}
