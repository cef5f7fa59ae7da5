//! Directed corners of the numerics contract (docs/numerics.md), each a
//! small network in `cosim/tests/nets/corner_*.toml` run through the
//! generated RTL and the reference engine in lockstep (every record of every
//! step must match), with the property itself asserted on the reference's
//! records. Reproduce one with `spikefab cosim cosim/tests/nets/<file>
//! --hw <config>`.
//!
//! Also here: the verilated core's random initial values
//! (`--x-initial unique`) never matter, with four seeds.

mod support;

use spikefab_gen::GenOptions;
use spikefab_sim::engine::{Engine, NeuronRecord, WeightRecord};
use spikefab_sim::net::{Network, Rule};
use spikefab_sim::numerics::{smax, smin};
use spikefab_sim::records::StepRecords;
use support::build_engine;
use support::{engine_records, expect_match, hw, load_net, net_path, opts, prepare_on};

/// Run `net` on config `config` in lockstep for `steps` steps; returns the
/// reference's records of those steps (from an engine of its own) and an
/// engine of the network at step 0.
fn lockstep_and_records(
    file: &str,
    net: &Network,
    config: &str,
    steps: u64,
) -> (Vec<StepRecords>, Engine) {
    let h = hw(config);
    let mut p = prepare_on(
        net,
        &h,
        &GenOptions::default(),
        &format!("corner-{config}-{file}"),
    );
    let repro = format!(
        "spikefab cosim {} --hw {config} --steps {steps}",
        net_path(file).display()
    );
    let r = expect_match(
        support::run_prepared(&mut p, &opts(steps, 1, 100, 1, repro)),
        &format!("{file} on '{config}'"),
    );
    println!("{file} on '{config}': {}", r.marker());
    let mut e = build_engine(net, &h, 1).expect("the network builds");
    let recs = engine_records(&mut e, steps);
    (recs, build_engine(net, &h, 1).expect("the network builds"))
}

/// The record of neuron `n` in every step.
fn trace_of(recs: &[StepRecords], n: u32) -> Vec<NeuronRecord> {
    recs.iter()
        .map(|r| {
            *r.neurons
                .iter()
                .find(|x| x.neuron == n)
                .expect("one record per neuron and step")
        })
        .collect()
}

/// The first neuron of population `name`.
fn first_of(e: &Engine, name: &str) -> u32 {
    e.model
        .pops
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no population {name}"))
        .start
}

fn first_spike(tr: &[NeuronRecord]) -> usize {
    tr.iter()
        .position(|r| r.spike)
        .expect("the neuron spikes in the run")
}

#[test]
fn potential_exactly_at_threshold_spikes_and_one_lsb_below_does_not() {
    const T: usize = 20;
    let file = "corner_threshold.toml";
    let probe = load_net(file);
    let h = hw("odd");
    let mut e = build_engine(&probe, &h, 1).expect("probe builds");
    let recs = engine_records(&mut e, T as u64 + 5);
    let v = trace_of(&recs, 0);
    assert!(
        v.iter().all(|r| !r.spike),
        "the probe never reaches its threshold"
    );
    let v_star = v[T].state.v;
    assert!(
        v[T - 1].state.v < v_star - 1 && v_star + 1 < v[T + 1].state.v,
        "the probe's potential rises by more than one LSB per step: {:?}",
        &v[T - 1..=T + 1]
    );
    let lsb = (-(h.numerics.v_frac as f64)).exp2();
    let mut net = probe.clone();
    for (pop, theta) in [(0, v_star), (1, v_star + 1)] {
        let n = &mut net.populations[pop].neuron;
        n.v_th_mv = n.e_l_mv + theta as f64 * lsb;
    }
    let (recs, e) = lockstep_and_records(file, &net, "odd", 40);
    assert_eq!(
        e.model.pops[0].theta, v_star as i64,
        "theta of 'at' quantizes to V*"
    );
    assert_eq!(e.model.pops[1].theta, v_star as i64 + 1);
    let (at, above) = (trace_of(&recs, 0), trace_of(&recs, 1));
    assert_eq!(first_spike(&at), T, "V == theta spikes, in step {T}");
    assert!(!above[T].spike, "V == theta - 1 LSB does not spike");
    assert_eq!(
        above[T].state.v, v_star,
        "'above' holds V* = theta - 1 in step {T}"
    );
    assert_eq!(first_spike(&above), T + 1, "and spikes one step later");
    println!(
        "threshold corner on 'odd': V* = {v_star} LSBs spikes at theta = V* (step {T}), \
         not at theta = V* + 1 (spikes in step {})",
        T + 1
    );
}

#[test]
fn potential_and_currents_saturate_at_their_rails() {
    let h = hw("odd");
    let nc = h.numerics;
    let (vmin, vmax) = (smin(nc.v_bits) as i32, smax(nc.v_bits) as i32);
    let (imin, imax) = (smin(nc.i_bits) as i32, smax(nc.i_bits) as i32);

    let file = "corner_saturation.toml";
    let (recs, e) = lockstep_and_records(file, &load_net(file), "odd", 60);
    let drive = trace_of(&recs, first_of(&e, "drive"));
    assert!(
        drive.iter().all(|r| r.spike),
        "the drivers spike in every step"
    );
    let t0 = first_of(&e, "targets");
    let exc = trace_of(&recs, t0);
    let burst = (16 * 1023) << nc.w_shift;
    assert_eq!(exc[1].state.i_ex, burst, "one step of the 16-synapse burst");
    let sat = exc
        .iter()
        .position(|r| r.state.i_ex == imax)
        .expect("I_ex reaches its upper rail");
    assert!(sat >= 2, "it takes several bursts");
    assert!(
        exc[sat..].iter().all(|r| r.state.i_ex == imax),
        "and stays there"
    );

    let inh = trace_of(&recs, t0 + 1);
    let bound = smax(nc.acc_bits) as i32;
    let input: i32 = (15 * 1024 + 1023) << nc.w_shift;
    assert!(
        bound - input < 1 << nc.w_shift,
        "the accumulator at its bound"
    );
    assert_eq!(
        inh[1].state.i_in, -input,
        "one step of the inhibitory burst"
    );
    let isat = inh
        .iter()
        .position(|r| r.state.i_in == imin)
        .expect("I_in reaches its lower rail");
    assert!(inh[isat..].iter().all(|r| r.state.i_in == imin));
    let vsat = inh
        .iter()
        .position(|r| r.state.v == vmin)
        .expect("V reaches its lower rail under saturated inhibition");
    assert!(inh[vsat..].iter().all(|r| r.state.v == vmin && !r.spike));

    let file = "corner_rails.toml";
    let (recs, e) = lockstep_and_records(file, &load_net(file), "odd", 30);
    let neg = trace_of(&recs, first_of(&e, "dc_negative"));
    assert!(neg[0].state.v > vmin && neg[1].state.v == vmin);
    assert!(
        neg[1..].iter().all(|r| r.state.v == vmin),
        "V stays at the rail"
    );
    let top = trace_of(&recs, first_of(&e, "top"));
    assert_eq!(
        e.model.pops[1].theta, vmax as i64,
        "theta at the top of the range"
    );
    assert!(!top[0].spike && top[0].state.v < vmax);
    assert!(
        top[1].spike,
        "V saturates at vmax = theta in step 1 and spikes (a wrap would not)"
    );
    println!(
        "saturation corner on 'odd': I_ex at {imax} from step {sat}, I_in at {imin} from step \
         {isat} (accumulator {input} of {bound}), V at {vmin} from step {vsat} (inhibition) and \
         step 1 (DC), V at {vmax} = theta spikes in step 1"
    );
}

#[test]
fn potential_is_held_for_ref_steps_and_integrates_again_after() {
    let file = "corner_refractory.toml";
    let (recs, e) = lockstep_and_records(file, &load_net(file), "w7", 80);
    for (pop, r) in [("ref0", 0u32), ("ref1", 1), ("ref5", 5), ("ref31", 31)] {
        let p = e.model.pops.iter().find(|p| p.name == pop).expect("pop");
        let v_reset = p.v_reset as i32;
        assert_eq!(p.ref_steps, r, "{pop}");
        let tr = trace_of(&recs, p.start);
        let t = first_spike(&tr);
        assert!(
            t + r as usize + 1 < tr.len(),
            "{pop}: the run covers the edge"
        );
        assert_eq!(
            (tr[t].state.v, tr[t].state.refr),
            (v_reset, r),
            "{pop} at the spike"
        );
        for k in 1..=r as usize {
            let x = &tr[t + k];
            assert_eq!(
                (x.state.v, x.state.refr, x.spike),
                (v_reset, r - k as u32, false),
                "{pop}: held in step t+{k}"
            );
        }
        let after = &tr[t + r as usize + 1];
        assert!(
            after.state.v > v_reset,
            "{pop}: integrates again in step t+{} ({after:?})",
            r + 1
        );
        println!(
            "refractory corner on 'w7': {pop} spikes in step {t}, held at v_reset through step \
             {}, integrates in step {}",
            t + r as usize,
            t + r as usize + 1
        );
    }
}

#[test]
fn delays_of_one_step_and_of_max_delay_steps_arrive_on_time() {
    let file = "corner_delays.toml";
    for config in ["odd", "stdp", "w7"] {
        let h = hw(config);
        let max = h.numerics.max_delay_steps;
        let mut net = load_net(file);
        let dt = net.simulation.dt_ms;
        if let Rule::Explicit { synapses } = &mut net.projections[1].rule {
            synapses[0].3 = max as f64 * dt;
        }
        let steps = 20 + max as u64 + 5;
        let (recs, e) = lockstep_and_records(file, &net, config, steps);
        let src = trace_of(&recs, first_of(&e, "src"));
        let t0 = first_spike(&src);
        for (pop, d) in [("d1", 1usize), ("dmax", max as usize)] {
            let tr = trace_of(&recs, first_of(&e, pop));
            let first_i = tr
                .iter()
                .position(|r| r.state.i_ex != 0)
                .expect("input arrives");
            let first_v = tr.iter().position(|r| r.state.v != 0).expect("V moves");
            assert_eq!(first_i, t0 + d, "'{config}' {pop}: I changes in step t + d");
            assert_eq!(
                first_v,
                t0 + d + 1,
                "'{config}' {pop}: V changes in step t + d + 1"
            );
        }
        println!(
            "delay corner on '{config}': a spike of step {t0} reaches I in step {} (delay 1) and \
             in step {} (delay {max} = max_delay_steps)",
            t0 + 1,
            t0 + max as usize
        );
    }
}

#[test]
fn a_burst_of_multapses_onto_one_target_sums_exactly_in_one_step() {
    let file = "corner_burst.toml";
    let h = hw("odd");
    let (recs, e) = lockstep_and_records(file, &load_net(file), "odd", 60);
    let target = first_of(&e, "target");
    let sources: Vec<u32> = (0..e.neurons())
        .filter(|&s| {
            e.syn
                .row(s)
                .any(|i| spikefab_sim::connect::key_target(e.syn.key[i]) == target)
        })
        .collect();
    let inc: usize = (0..e.neurons())
        .map(|s| {
            e.syn
                .row(s)
                .filter(|&i| spikefab_sim::connect::key_target(e.syn.key[i]) == target)
                .count()
        })
        .sum();
    assert_eq!(inc, 16, "fixed_indegree 16");
    assert!(sources.len() <= 5, "from at most 5 sources: multapses");
    let d0 = first_of(&e, "drivers");
    let drivers: Vec<_> = (0..5).map(|k| trace_of(&recs, d0 + k)).collect();
    let t = first_spike(&drivers[0]);
    assert!(
        drivers.iter().all(|d| first_spike(d) == t),
        "the drivers spike together"
    );
    let tr = trace_of(&recs, target);
    assert_eq!(tr[t].state.i_ex, 0);
    let burst = (16 * 1023) << h.numerics.w_shift;
    assert_eq!(
        tr[t + 1].state.i_ex,
        burst,
        "all 16 synapses land in the one step"
    );
    assert!(burst as i64 <= smax(h.numerics.acc_bits));
    println!(
        "burst corner on 'odd': 16 synapses from {} sources deliver {burst} current LSBs in step \
         {} (accumulator bound {})",
        sources.len(),
        t + 1,
        smax(h.numerics.acc_bits)
    );
}

/// The weight records of synapse `syn`, by step.
fn writes_of(recs: &[StepRecords], syn: u64) -> Vec<WeightRecord> {
    recs.iter()
        .flat_map(|r| r.weights.iter().filter(|w| w.synapse == syn).copied())
        .collect()
}

/// The index of the only synapse `src -> tgt` with weight `w`.
fn synapse(e: &Engine, src: u32, tgt: u32, w: i16) -> u64 {
    e.syn
        .row(src)
        .find(|&i| spikefab_sim::connect::key_target(e.syn.key[i]) == tgt && e.syn.weight[i] == w)
        .unwrap_or_else(|| panic!("no synapse {src} -> {tgt} of weight {w}")) as u64
}

#[test]
fn pre_and_post_in_the_same_step_depress_first_then_potentiate() {
    let file = "corner_stdp_same_step.toml";
    let (recs, e) = lockstep_and_records(file, &load_net(file), "stdp", 60);
    let (a, b) = (trace_of(&recs, 0), trace_of(&recs, 1));
    let t = first_spike(&a);
    assert_eq!(first_spike(&b), t, "pre and post spike in the same step");
    let s = synapse(&e, 0, 1, 400);
    let w = writes_of(&recs, s);
    let rule = e.model.stdp[0].as_ref().expect("plastic");
    assert_eq!((rule.a_plus, rule.a_minus), (10, 15));
    assert_eq!(
        w[..2],
        [
            WeightRecord {
                step: t as u64,
                synapse: s,
                old: 400,
                new: 385
            },
            WeightRecord {
                step: t as u64,
                synapse: s,
                old: 385,
                new: 395
            },
        ],
        "depression (A- = 15) first, then potentiation (A+ = 10), both at trace value 1"
    );
    println!(
        "STDP same-step corner on 'stdp': step {t}: w 400 -> 385 (depression) -> 395 \
         (potentiation); {} weight writes of the synapse in the run",
        w.len()
    );
}

#[test]
fn stdp_updates_clamp_at_w_min_and_w_max() {
    let file = "corner_stdp_clamp.toml";
    let (recs, e) = lockstep_and_records(file, &load_net(file), "stdp", 60);
    let t = first_spike(&trace_of(&recs, 0));
    assert_eq!(first_spike(&trace_of(&recs, 1)), t);
    let tt = t as u64;
    let at_max = synapse(&e, 0, 1, 2047);
    let at_min = synapse(&e, 1, 0, 20);
    let inh = synapse(&e, 0, 1, -2048);
    let wr = |syn, old, new| WeightRecord {
        step: tt,
        synapse: syn,
        old,
        new,
    };
    assert_eq!(
        writes_of(&recs, at_max)[..2],
        [wr(at_max, 2047, 2037), wr(at_max, 2037, 2047)],
        "potentiation by 20 from 2037 clamps at w_max = 2047"
    );
    assert_eq!(
        writes_of(&recs, at_min)[..2],
        [wr(at_min, 20, 20), wr(at_min, 20, 20)],
        "depression by 100 clamps at w_min = 20 (recorded, unchanged)"
    );
    assert_eq!(
        writes_of(&recs, inh)[..2],
        [wr(inh, -2048, -2048), wr(inh, -2048, -2048)],
        "depression by 40 clamps at w_min = -2048, the rail"
    );
    let later: Vec<_> = recs[t + 1..]
        .iter()
        .flat_map(|r| r.weights.iter().copied())
        .collect();
    assert!(!later.is_empty(), "later spikes update again");
    for w in &later {
        let (lo, hi) = match w.synapse {
            s if s == at_max => (0, 2047),
            s if s == at_min => (20, 1000),
            _ => (-2048, -20),
        };
        assert!((lo..=hi).contains(&w.new), "{w:?} within its bounds");
    }
    println!(
        "STDP clamp corner on 'stdp': step {t}: 2047 -> 2037 -> 2047 (w_max), 20 -> 20 (w_min), \
         -2048 -> -2048 (w_min at the rail); {} later writes all within bounds",
        later.len()
    );
}

#[test]
fn random_initial_values_of_the_core_never_matter() {
    let file = "stdp_odd.toml";
    let net = load_net(file);
    let h = hw("stdp");
    for x_seed in 1..=4u32 {
        let mut p = prepare_on(&net, &h, &GenOptions::default(), "x-seed");
        let repro = format!(
            "spikefab cosim {} --hw stdp --steps 200 --x-seed {x_seed}",
            net_path(file).display()
        );
        let r = expect_match(
            support::run_prepared(&mut p, &opts(200, x_seed, 100, 1, repro)),
            &format!("x_seed {x_seed}"),
        );
        assert!(r.spikes > 0 && r.weight_writes > 0);
        println!("x-seed {x_seed} ({file} on 'stdp'): {}", r.marker());
    }
}

/// Regression (found by this suite): the accumulator proof used to bound a
/// plastic synapse by its `w_max` (`w_min`) alone, but its initial weight is
/// drawn from `weight` and may lie beyond the bounds until STDP first moves
/// it, so the proof passed a network whose 19-bit RTL accumulator wrapped
/// where the reference's i32 did not. The bound now takes the larger of the
/// two magnitudes: the build rejects this network, or both sides agree.
#[test]
fn plastic_weights_drawn_beyond_w_max_respect_the_accumulator_bound() {
    let file = "plastic_weights_outside_bounds.toml";
    let net = load_net(file);
    let h = hw("stdp");
    let e = match build_engine(&net, &h, 1) {
        Err(err) => {
            let msg = err.to_string();
            assert!(
                msg.contains("accumulator"),
                "rejected for another reason: {msg}"
            );
            println!("{file} on 'stdp' is rejected by the accumulator bound: {msg}");
            return;
        }
        Ok(e) => e,
    };
    let limit = smax(h.numerics.acc_bits);
    let sum: i64 = e
        .syn
        .weight
        .iter()
        .map(|&w| (w as i64) << h.numerics.w_shift)
        .sum();
    assert!(
        sum <= limit,
        "the build accepted a target whose synapses sum to {sum} current LSBs, above the \
         {}-bit accumulator's {limit}",
        h.numerics.acc_bits
    );
    lockstep_and_records(file, &net, "stdp", 20);
}
