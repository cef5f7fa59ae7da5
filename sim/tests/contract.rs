//! The numeric contract of docs/numerics.md, pinned at its edges with
//! integers worked out by hand. The parameters are chosen so that the
//! arithmetic is easy to follow: coef_frac = 4, so a propagator of 8 is 0.5
//! and 16 is 1.0.

use spikefab_sim::connect::{pack, Incoming, Synapses};
use spikefab_sim::engine::{
    update_neuron, Engine, Input, NeuronRecord, NeuronState, Observer, WeightRecord,
};
use spikefab_sim::numerics::{rshift_round, NumericsConfig};
use spikefab_sim::quant::{IntModel, PopParams, StdpParams, TraceParams, VInitQ};

fn nc() -> NumericsConfig {
    NumericsConfig {
        v_bits: 9, // -256 ..= 255
        v_frac: 0,
        i_bits: 8, // -128 ..= 127
        i_frac: 0,
        w_bits: 8,
        w_shift: 0,
        acc_bits: 16,
        coef_bits: 6,
        coef_frac: 4,
        max_delay_steps: 6, // 7 slots: not a power of two
        ref_bits: 3,
        trace_bits: 7, // 0 ..= 127
        trace_frac: 4, // one spike adds 16
        poisson_table_len: 4,
    }
}

fn pop(start: u32, size: u32) -> PopParams {
    PopParams {
        name: "P".into(),
        start,
        size,
        p22: 8,     // 0.5
        p11_ex: 8,  // 0.5
        p11_in: 8,  // 0.5
        p21_ex: 16, // 1.0
        p21_in: 16, // 1.0
        dc_term: 0,
        theta: 100,
        v_reset: -20,
        ref_steps: 2,
        poisson: None,
        v_init: VInitQ::Constant(0.0),
        input: false,
    }
}

fn st(v: i32, i_ex: i32, i_in: i32) -> NeuronState {
    NeuronState {
        v,
        i_ex,
        i_in,
        ..Default::default()
    }
}

fn upd(p: &PopParams, s: &mut NeuronState, ex: i64, inh: i64) -> bool {
    update_neuron(&nc(), p, None, s, Input { ex, inh })
}

#[test]
fn threshold_exactly_reached_spikes_and_resets() {
    // V = round(200 * 8 / 16) = 100 = theta: spike, reset to -20, refractory 2.
    let p = pop(0, 1);
    let mut s = st(200, 0, 0);
    assert!(upd(&p, &mut s, 0, 0));
    assert_eq!((s.v, s.refr), (-20, 2));
}

#[test]
fn threshold_missed_by_one_lsb_does_not_spike() {
    // V = (198 * 8 + 8) >> 4 = 1592 >> 4 = 99 = theta - 1.
    let p = pop(0, 1);
    let mut s = st(198, 0, 0);
    assert!(!upd(&p, &mut s, 0, 0));
    assert_eq!((s.v, s.refr), (99, 0));
    // 199 * 0.5 = 99.5 rounds half up to 100: spikes.
    let mut s = st(199, 0, 0);
    assert!(upd(&p, &mut s, 0, 0));
}

#[test]
fn negative_values_round_half_up_not_toward_zero_nor_floor() {
    assert_eq!(rshift_round(-24, 4), -1); // -1.5 -> -1
    assert_eq!(rshift_round(-40, 4), -2); // -2.5 -> -2
    assert_eq!(rshift_round(-8, 4), 0); // -0.5 -> 0
    assert_eq!(rshift_round(-44, 4), -3); // -2.75 -> -3 (truncation would give -2)
    assert_eq!(rshift_round(-36, 4), -2); // -2.25 -> -2 (floor would give -3)
    assert_eq!(rshift_round(-36, 0), -36); // no shift, no rounding
                                           // Through the neuron: V = -11 * 0.25 with p22 = 4.
    let mut p = pop(0, 1);
    p.p22 = 4;
    let mut s = st(-11, 0, 0);
    upd(&p, &mut s, 0, 0);
    assert_eq!(s.v, -3);
    // Current decay of a negative inhibitory current: -7 * 0.5 = -3.5 -> -3.
    let mut s = st(0, 0, -7);
    upd(&p, &mut s, 0, 0);
    assert_eq!(s.i_in, -3);
}

#[test]
fn membrane_potential_saturates_at_both_ends_of_its_width() {
    let mut p = pop(0, 1);
    p.p22 = 16; // 1.0
    p.theta = 1000; // unreachable: V can hold at most 255
    let mut s = st(250, 100, 0);
    upd(&p, &mut s, 0, 0);
    assert_eq!(s.v, 255); // 250 + 100 = 350 -> 255
    let mut s = st(-250, 0, -100);
    upd(&p, &mut s, 0, 0);
    assert_eq!(s.v, -256); // -350 -> -256
}

#[test]
fn synaptic_currents_saturate_once_after_adding_the_input() {
    let p = pop(0, 1);
    // 100 * 0.5 + 90 = 140 -> 127; -100 * 0.5 - 90 = -140 -> -128.
    let mut s = st(0, 100, -100);
    upd(&p, &mut s, 90, -90);
    assert_eq!((s.i_ex, s.i_in), (127, -128));
    // Input that is huge but exact in the wide accumulator still lands on the rail.
    let mut s = st(0, 0, 0);
    upd(&p, &mut s, 40_000, -40_000);
    assert_eq!((s.i_ex, s.i_in), (127, -128));
}

#[test]
fn membrane_uses_the_currents_of_the_previous_step() {
    // Input arriving this step changes I now but V only next step.
    let p = pop(0, 1);
    let mut s = st(0, 0, 0);
    upd(&p, &mut s, 40, 0);
    assert_eq!((s.v, s.i_ex), (0, 40));
    upd(&p, &mut s, 0, 0);
    assert_eq!((s.v, s.i_ex), (40, 20)); // V = 0*0.5 + 40*1.0; I = 40*0.5
}

#[test]
fn refractory_period_holds_v_at_reset_for_exactly_ref_steps() {
    let p = pop(0, 1); // ref_steps = 2, v_reset = -20
    let mut s = st(200, 0, 0);
    assert!(upd(&p, &mut s, 0, 0)); // step t: spike
    assert_eq!((s.v, s.refr), (-20, 2));
    upd(&p, &mut s, 100, 0); // t+1: held, counter 2 -> 1, current still integrates
    assert_eq!((s.v, s.refr, s.i_ex), (-20, 1, 100));
    upd(&p, &mut s, 0, 0); // t+2: held, counter 1 -> 0
    assert_eq!((s.v, s.refr, s.i_ex), (-20, 0, 50));
    upd(&p, &mut s, 0, 0); // t+3: free again: V = -20*0.5 + 50*1.0 = 40
    assert_eq!((s.v, s.refr, s.i_ex), (40, 0, 25));
}

#[test]
fn stdp_traces_decay_add_one_spike_and_saturate() {
    let p = pop(0, 1);
    let tr = TraceParams {
        p_plus: 8,
        p_minus: 12,
    }; // 0.5 and 0.75
    let mut s = st(200, 0, 0);
    s.x_pre = 20;
    s.y_post = 20;
    assert!(update_neuron(
        &nc(),
        &p,
        Some(&tr),
        &mut s,
        Input::default()
    ));
    assert_eq!((s.x_pre, s.y_post), (26, 31)); // 20*0.5 + 16, 20*0.75 + 16
    let mut s = st(200, 0, 0);
    s.x_pre = 120;
    s.y_post = 127;
    update_neuron(&nc(), &p, Some(&tr), &mut s, Input::default());
    assert_eq!((s.x_pre, s.y_post), (76, 111)); // 60+16, round(95.25)+16
    let tr1 = TraceParams {
        p_plus: 16,
        p_minus: 16,
    };
    let mut s = st(200, 0, 0);
    s.x_pre = 120;
    update_neuron(&nc(), &p, Some(&tr1), &mut s, Input::default());
    assert_eq!(s.x_pre, 127); // 120 + 16 = 136 -> saturates at 127
}

/// A two-population engine built by hand: `pre` neurons drive `post` through
/// the given synapses `(src, tgt, weight, delay, plastic)`.
fn engine(
    neurons: u32,
    syns: &[(u32, u32, i16, u32, bool)],
    stdp: Option<StdpParams>,
    v0: &[i32],
) -> Engine {
    let mut p = pop(0, neurons);
    p.p22 = 16; // no leak: V only moves with input, easy to follow
    p.p21_ex = 0; // currents do not move V: only V0 decides who spikes
    p.p21_in = 0;
    let model = IntModel {
        name: "hand".into(),
        numerics: nc(),
        dt_ms: 0.1,
        steps: 20,
        seed: 1,
        neurons,
        pops: vec![p],
        traces: Some(TraceParams {
            p_plus: 8,
            p_minus: 8,
        }),
        stdp: vec![stdp],
        w_lsb_pa: 1.0,
        report: vec![],
    };
    let mut sorted: Vec<_> = syns.to_vec();
    sorted.sort_by_key(|s| (s.0, s.3, s.1));
    let mut row_start = vec![0u64; neurons as usize + 1];
    for s in &sorted {
        row_start[s.0 as usize + 1] += 1;
    }
    for i in 0..neurons as usize {
        row_start[i + 1] += row_start[i];
    }
    let plastic = sorted.iter().any(|s| s.4);
    // One target partition: each row's partition offsets are [0, len].
    let part_start = row_start
        .windows(2)
        .flat_map(|w| [0, (w[1] - w[0]) as u32])
        .collect();
    let mut syn = Synapses {
        row_start,
        parts: 1,
        part_start,
        key: sorted.iter().map(|s| pack(s.1, s.3)).collect(),
        weight: sorted.iter().map(|s| s.2).collect(),
        rule: if plastic {
            sorted.iter().map(|s| s.4 as u8).collect()
        } else {
            vec![]
        },
        incoming: Incoming::default(),
        saturated_weights: 0,
    };
    if plastic {
        let mut start = vec![0u64; neurons as usize + 1];
        let mut list: Vec<(u32, u64, u32)> = Vec::new();
        for (i, s) in sorted.iter().enumerate() {
            if s.4 {
                list.push((s.1, i as u64, s.0));
            }
        }
        list.sort();
        for l in &list {
            start[l.0 as usize + 1] += 1;
        }
        for i in 0..neurons as usize {
            start[i + 1] += start[i];
        }
        syn.incoming = Incoming {
            start,
            syn: list.iter().map(|l| l.1).collect(),
            src: list.iter().map(|l| l.2).collect(),
        };
    }
    let mut e = Engine::new(model, syn);
    for (s, &v) in e.state.iter_mut().zip(v0) {
        s.v = v;
    }
    e
}

#[derive(Default)]
struct Rec {
    neurons: Vec<NeuronRecord>,
    weights: Vec<WeightRecord>,
}
impl Observer for Rec {
    fn neuron(&mut self, r: &NeuronRecord) {
        self.neurons.push(*r);
    }
    fn weight(&mut self, r: &WeightRecord) {
        self.weights.push(*r);
    }
}

/// I_ex of `neuron` after each of the first `steps` steps.
fn i_ex_trace(e: &mut Engine, neuron: usize, steps: usize) -> Vec<i32> {
    (0..steps)
        .map(|_| {
            e.step();
            e.state[neuron].i_ex
        })
        .collect()
}

#[test]
fn a_one_step_delay_arrives_in_the_next_step() {
    // Neuron 0 spikes at step 0 (V0 = 150 >= 100); weight 64 with delay 1 reaches
    // neuron 1's current at step 1, then halves each step.
    let mut e = engine(2, &[(0, 1, 64, 1, false)], None, &[150, 0]);
    assert_eq!(i_ex_trace(&mut e, 1, 4), vec![0, 64, 32, 16]);
}

#[test]
fn the_maximum_delay_arrives_exactly_max_delay_steps_later() {
    // max_delay_steps = 6: spike at step 0, input visible at step 6.
    let mut e = engine(2, &[(0, 1, 64, 6, false)], None, &[150, 0]);
    assert_eq!(i_ex_trace(&mut e, 1, 8), vec![0, 0, 0, 0, 0, 0, 64, 32]);
}

#[test]
fn inputs_with_equal_delay_sum_exactly_in_the_wide_accumulator() {
    // 3 sources x 100 = 300 exceeds the 8-bit current (127) but not the
    // 16-bit accumulator: the sum is exact and the current saturates once.
    let syns = [
        (0, 3, 100, 2, false),
        (1, 3, 100, 2, false),
        (2, 3, 100, 2, false),
        (2, 3, -90, 2, false),
    ];
    let mut e = engine(4, &syns, None, &[150, 150, 150, 0]);
    for _ in 0..3 {
        e.step();
    }
    assert_eq!((e.state[3].i_ex, e.state[3].i_in), (127, -90));
}

#[test]
fn simultaneous_pre_and_post_spikes_depress_then_potentiate() {
    // Both neurons spike at step 0. Traces after step 0: x_pre(0) = 16, y_post(1) = 16 (1.0).
    // Pre pass: deliver 100, then w = 100 - round(30 * 16 / 16) = 70.
    // Post pass: w = 70 + round(20 * 16 / 16) = 90.
    let stdp = StdpParams {
        a_plus: 20,
        a_minus: 30,
        w_min: 0,
        w_max: 120,
    };
    let mut e = engine(2, &[(0, 1, 100, 1, true)], Some(stdp), &[150, 150]);
    let mut rec = Rec::default();
    e.step_observed(Some(&mut rec));
    assert_eq!(
        rec.weights,
        vec![
            WeightRecord {
                step: 0,
                synapse: 0,
                old: 100,
                new: 70
            },
            WeightRecord {
                step: 0,
                synapse: 0,
                old: 70,
                new: 90
            },
        ]
    );
    // The spike carried the weight it had before the update.
    e.step();
    assert_eq!(e.state[1].i_ex, 100);
    assert_eq!(e.syn.weight[0], 90);
}

#[test]
fn stdp_deltas_round_half_up_with_a_decayed_trace() {
    // A post trace of 1.0 (16) decayed by 0.5 twice is 4: round(30 * 4 / 16) = round(7.5) = 8.
    let nc = nc();
    assert_eq!(spikefab_sim::engine::stdp_delta(&nc, 30, 4), 8);
    assert_eq!(spikefab_sim::engine::stdp_delta(&nc, 30, 1), 2); // round(1.875) = 2
    assert_eq!(spikefab_sim::engine::stdp_delta(&nc, 7, 1), 0); // round(0.4375) = 0
    assert_eq!(spikefab_sim::engine::stdp_delta(&nc, 8, 1), 1); // 0.5 rounds up
}

#[test]
fn weights_clamp_at_both_stdp_bounds() {
    // Depression past w_min clamps to w_min; potentiation past w_max clamps to w_max.
    let stdp = StdpParams {
        a_plus: 50,
        a_minus: 200,
        w_min: 10,
        w_max: 120,
    };
    let mut e = engine(2, &[(0, 1, 100, 1, true)], Some(stdp.clone()), &[150, 150]);
    let mut rec = Rec::default();
    e.step_observed(Some(&mut rec));
    // 100 - 200 -> 10 (w_min); 10 + 50 = 60.
    assert_eq!(
        rec.weights[0],
        WeightRecord {
            step: 0,
            synapse: 0,
            old: 100,
            new: 10
        }
    );
    assert_eq!(
        rec.weights[1],
        WeightRecord {
            step: 0,
            synapse: 0,
            old: 10,
            new: 60
        }
    );
    let stdp = StdpParams {
        a_plus: 200,
        a_minus: 0,
        w_min: 10,
        w_max: 120,
    };
    let mut e = engine(2, &[(0, 1, 100, 1, true)], Some(stdp), &[150, 150]);
    let mut rec = Rec::default();
    e.step_observed(Some(&mut rec));
    assert_eq!(
        rec.weights[1],
        WeightRecord {
            step: 0,
            synapse: 0,
            old: 100,
            new: 120
        }
    );
}

#[test]
fn observation_records_cover_every_neuron_in_order_with_spike_flags() {
    let mut e = engine(3, &[], None, &[150, 0, 100]);
    let mut rec = Rec::default();
    e.step_observed(Some(&mut rec));
    let got: Vec<(u32, bool, i32)> = rec
        .neurons
        .iter()
        .map(|r| (r.neuron, r.spike, r.state.v))
        .collect();
    assert_eq!(got, vec![(0, true, -20), (1, false, 0), (2, true, -20)]);
}
