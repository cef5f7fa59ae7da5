//! hdl/snn_lif_core.v (one time-multiplexed neuron core for static networks)
//! against the reference engine, step after step: every observation record
//! (step, neuron, v, i_ex, i_in, refr, spike) of `Engine::step_observed` and
//! every spike must come out of the RTL bit for bit.
//!
//! Each network is built in Rust from a TOML description
//! (`Engine::from_network`); the core's memory images are written from
//! `engine.model` (population parameters and Poisson tables), `engine.syn`
//! (synapse and row images in snn_syn_event's format, rows in the engine's
//! order) and `engine.state` (the initial state) by the generator's own
//! writer, `spikefab_gen::images::core_images` (so the images `spikefab gen`
//! writes are the ones proven bit-exact here), and the Icarus testbench
//! (`hdltest/tb/tb_snn_lif_core.v`) runs the core for the same number of steps.

use std::fs;
use std::path::Path;

use spikefab_gen::images::core_images;
use spikefab_hdltest::{compile_tb_with_strings, scratch_dir, Testbench};
use spikefab_sim::connect::key_delay;
use spikefab_sim::engine::{Engine, NeuronRecord, Observer, WeightRecord};
use spikefab_sim::load::load_str;
use spikefab_sim::rng::{self, Stream};

/// Cycles of phase A beyond one per neuron, from the start handshake to the
/// last observation record: the first issue (1), snn_rng (6), stage X (1),
/// snn_lif_update (3), less one (the N issues overlap the pipeline).
const LAT_A: i64 = 10;

/// Cycles of phase B (from the last observation record to `done_o`) of a
/// step without spikes: phase B start, wait, done.
const B_IDLE: i64 = 3;

/// Cycles of phase B beyond one per synapse when the step has spikes (all
/// rows non-empty): the holding register (1), snn_syn_event's `k + 5` and the
/// wait and done transitions (2).
const B_FILL: i64 = 8;

/// Spike-out stall patterns: (name, percent of cycles `spk_ready_i` is high).
const MODES: [(&str, u32); 2] = [("no-stalls", 100), ("spike-out-stalls", 15)];

/// Collects the engine's neuron records.
#[derive(Default)]
struct Records(Vec<NeuronRecord>);

impl Observer for Records {
    fn neuron(&mut self, rec: &NeuronRecord) {
        self.0.push(*rec);
    }
    fn weight(&mut self, _rec: &WeightRecord) {
        panic!("a static network wrote a weight");
    }
}

/// Compile the bench with integer and string parameters (the memory image
/// paths); fails on any iverilog warning.
fn compile_bench(dir: &Path, params: &[(&str, i64)], strings: &[(&str, &Path)]) -> Testbench {
    let sources = [
        "snn_rng.v",
        "snn_poisson.v",
        "snn_lif_update.v",
        "snn_syn_event.v",
        "snn_lif_core.v",
    ];
    compile_tb_with_strings(dir, "tb_snn_lif_core", &sources, params, strings)
}

/// The first field in which an RTL record differs from the engine's, as
/// (field, expected, got).
fn first_diff(exp: &NeuronRecord, got: &[i128]) -> Option<(&'static str, i128, i128)> {
    let s = &exp.state;
    let fields: [(&str, i128); 7] = [
        ("step", exp.step as i128),
        ("neuron", exp.neuron as i128),
        ("v", s.v as i128),
        ("i_ex", s.i_ex as i128),
        ("i_in", s.i_in as i128),
        ("refr", s.refr as i128),
        ("spike", exp.spike as i128),
    ];
    fields
        .iter()
        .enumerate()
        .find(|(k, (_, v))| got[k + 1] != *v)
        .map(|(k, (name, v))| (*name, *v, got[k + 1]))
}

/// Asserts that the workload exercises what the core must get right, and
/// describes it: spikes in every population, refractory records, steps with
/// several spikes, multapses, delays 1 and `max_delay_steps`, both weight
/// signs.
fn coverage(e: &Engine, expected: &[NeuronRecord], spikes: &[(u64, u32)]) -> String {
    let m = &e.model;
    let max_d = m.numerics.max_delay_steps;
    let mut per_pop = vec![0usize; m.pops.len()];
    for &(_, k) in spikes {
        per_pop[m.pop_of(k)] += 1;
    }
    assert!(
        per_pop.iter().all(|&c| c > 0),
        "a population never spikes: {per_pop:?}"
    );
    let refractory = expected.iter().filter(|r| r.state.refr > 0).count();
    assert!(refractory > 0, "no refractory records");
    let mut multi_steps = 0;
    for (i, &(t, _)) in spikes.iter().enumerate() {
        multi_steps += (i > 0 && spikes[i - 1].0 == t && (i < 2 || spikes[i - 2].0 != t)) as usize;
    }
    assert!(multi_steps > 0, "no step with two or more spikes");
    let (mut multapses, mut d1, mut dmax, mut neg, mut pos) = (0, 0, 0, 0, 0);
    for src in 0..m.neurons {
        let r = e.syn.row(src);
        for s in r.clone() {
            let d = key_delay(e.syn.key[s]);
            d1 += (d == 1) as usize;
            dmax += (d == max_d) as usize;
            neg += (e.syn.weight[s] < 0) as usize;
            pos += (e.syn.weight[s] >= 0) as usize;
            multapses += (s > r.start && e.syn.key[s - 1] == e.syn.key[s]) as usize;
        }
    }
    assert!(
        multapses > 0 && d1 > 0 && dmax > 0 && neg > 0 && pos > 0,
        "workload lacks multapses ({multapses}), delay 1 ({d1}), delay {max_d} ({dmax}) or a weight sign ({neg} < 0, {pos} >= 0)"
    );
    format!(
        "spikes per population {per_pop:?}, {refractory} refractory records, {multi_steps} steps with >= 2 spikes, \
         {multapses} multapses, {d1} synapses of delay 1, {dmax} of delay {max_d}, {neg} inhibitory"
    )
}

/// Build `toml`, run the engine and the RTL for `steps` steps, and compare
/// every record.
fn run(name: &str, toml: &str, steps: u64, stall_seed: u32) {
    let net = load_str(toml, name).unwrap_or_else(|e| panic!("load {name}: {e:?}"));
    let mut e = Engine::from_network(&net).unwrap_or_else(|d| panic!("build {name}: {d:?}"));
    assert!(
        e.syn.rule.is_empty(),
        "{name}: snn_lif_core covers static networks only"
    );
    // the images are spikefab-gen's (the generator writes the same ones)
    let img = core_images(&e, None).unwrap_or_else(|err| panic!("{name}: images: {err}"));
    let n = e.model.neurons as usize;
    let bg_key = rng::key(e.model.seed, Stream::Background, 0);
    let w_bg: Vec<i64> = e
        .model
        .pops
        .iter()
        .map(|p| p.poisson.as_ref().map_or(0, |b| b.weight))
        .collect();

    // the reference
    let mut rec = Records::default();
    let mut spikes_ref: Vec<(u64, u32)> = Vec::new();
    for _ in 0..steps {
        let t = e.step_index();
        let s = e.step_observed(Some(&mut rec));
        spikes_ref.extend(s.iter().map(|&k| (t, k)));
    }
    let expected = rec.0;
    assert_eq!(expected.len(), steps as usize * n);
    // synapses delivered per step (for the cycle count)
    let mut syn_of_step = vec![0i64; steps as usize];
    for &(t, k) in &spikes_ref {
        syn_of_step[t as usize] += e.syn.out_degree(k) as i64;
    }
    let mut spk_of_step = vec![0i64; steps as usize];
    let mut empty_of_step = vec![0i64; steps as usize];
    for &(t, k) in &spikes_ref {
        spk_of_step[t as usize] += 1;
        empty_of_step[t as usize] += (e.syn.out_degree(k) == 0) as i64;
    }

    let cov = coverage(&e, &expected, &spikes_ref);

    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_lif_core");
    let mut paths = Vec::new();
    for im in &img.images {
        let p = dir.join(format!("{}.hex", im.param.to_lowercase()));
        fs::write(&p, &im.text).expect("write image");
        paths.push((im.param, p));
    }
    let mut params = img.params.clone();
    params.push(("STEPS", steps as i64));
    let strings: Vec<(&str, &Path)> = paths.iter().map(|(k, p)| (*k, p.as_path())).collect();
    let tb = compile_bench(&dir, &params, &strings);

    for (mode, pct) in MODES {
        let out = tb.run(
            mode,
            &["0".to_string()],
            &[
                format!("bg_key={bg_key:016x}"),
                format!("seed={stall_seed}"),
                format!("spk_pct={pct}"),
            ],
        );
        let obs: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 0).collect();
        let stats: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 1).collect();
        let spk: Vec<(u64, u32)> = out
            .records
            .iter()
            .filter(|r| r[0] == 2)
            .map(|r| (r[1] as u64, r[2] as u32))
            .collect();
        for (i, got) in obs.iter().enumerate() {
            let exp = expected
                .get(i)
                .unwrap_or_else(|| panic!("{name} ({mode}): more records than the engine's"));
            if let Some((field, want, have)) = first_diff(exp, got) {
                let pi = e.model.pop_of(exp.neuron);
                panic!(
                    "snn_lif_core {name} ({mode}) {}: first divergence at step {}, neuron {} \
                     (population {pi} '{}', w_bg {}), field {field}: engine {want}, RTL {have}\n  \
                     engine (step neuron v i_ex i_in refr spike): {} {} {} {} {} {} {}\n  RTL:    {:?}",
                    img.desc(),
                    exp.step,
                    exp.neuron,
                    e.model.pops[pi].name,
                    w_bg[pi],
                    exp.step,
                    exp.neuron,
                    exp.state.v,
                    exp.state.i_ex,
                    exp.state.i_in,
                    exp.state.refr,
                    exp.spike as u8,
                    &got[1..]
                );
            }
        }
        assert_eq!(
            obs.len(),
            expected.len(),
            "{name} ({mode}): {} observation records, the engine has {}",
            obs.len(),
            expected.len()
        );
        if let Some(k) = spk.iter().zip(&spikes_ref).position(|(a, b)| a != b) {
            panic!(
                "{name} ({mode}): spike-out record {k}: RTL {:?}, engine {:?}",
                spk[k], spikes_ref[k]
            );
        }
        assert_eq!(
            spk.len(),
            spikes_ref.len(),
            "{name} ({mode}): spike-out records"
        );
        // cycles per step
        assert_eq!(stats.len(), steps as usize, "{name} ({mode}): step records");
        let mut pinned = 0;
        let mut total_cycles = 0i64;
        for (t, st) in stats.iter().enumerate() {
            let (cycles, cycles_a, ns) = (st[2] as i64, st[3] as i64, st[4] as i64);
            assert_eq!(st[1] as usize, t, "{name}: step order");
            assert_eq!(ns, spk_of_step[t], "{name} step {t}: spikes out");
            assert_eq!(
                cycles_a,
                n as i64 + LAT_A,
                "{name} ({mode}) step {t}: phase A must take N + {LAT_A} cycles"
            );
            let b = cycles - cycles_a;
            let k = syn_of_step[t];
            if pct == 100 {
                // phase B: rows enter at one per clock while the walker is
                // busy, synapses at one per clock; an empty row costs up to one
                // more cycle
                let empty = empty_of_step[t];
                let (lo, hi) = if ns == 0 {
                    (B_IDLE, B_IDLE)
                } else {
                    (k + B_FILL, k + B_FILL + empty)
                };
                assert!(
                    (lo..=hi).contains(&b),
                    "{name} step {t}: phase B of {ns} spikes ({empty} empty rows) and {k} synapses \
                     took {b} cycles, expected {lo}..={hi}"
                );
                pinned += (ns > 0 && empty == 0) as usize;
            }
            total_cycles += cycles;
        }
        println!(
            "snn_lif_core: matched {} neuron updates, {} spikes over {steps} steps ({name}, {mode}, {}; \
             {} synapses, {} spike deliveries; {cov}; {total_cycles} cycles: phase A N + {LAT_A}, \
             phase B {B_IDLE} without spikes, synapses + {B_FILL} with spikes ({pinned} steps pinned))",
            obs.len(),
            spk.len(),
            img.desc(),
            img.synapses,
            syn_of_step.iter().sum::<i64>(),
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

/// 20 + 13 neurons, odd widths, 7 delay slots: Poisson drive (excitatory
/// and, for the second population, inhibitory background) plus DC,
/// fixed_total_number projections with multapses, delays 1..6, both signs.
const NET_ODD: &str = r#"
name = "core_odd"
[simulation]
dt_ms = 0.1
duration_ms = 30.0
seed = 4242

[numerics]
v_bits = 21
v_frac = 11
i_bits = 19
i_frac = 2
w_bits = 11
w_shift = 2
acc_bits = 17
coef_bits = 19
coef_frac = 17
max_delay_steps = 6
ref_bits = 5
poisson_table_len = 13

[[population]]
name = "E"
size = 20
neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 0.5, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.8 }
v_init = { kind = "uniform", low_mv = -65.0, high_mv = -50.0 }
background = { dc_pa = 300.0, poisson = { rate_hz = 8.0, indegree = 1000, weight_pa = 110.0 } }

[[population]]
name = "I"
size = 13
neuron = { tau_m_ms = 8.0, c_m_pf = 200.0, e_l_mv = -70.0, v_th_mv = -52.0, v_reset_mv = -68.0, t_ref_ms = 1.0, tau_syn_ex_ms = 0.3, tau_syn_in_ms = 1.5 }
v_init = { kind = "normal", mean_mv = -58.0, std_mv = 6.0 }
background = { dc_pa = 800.0, poisson = { rate_hz = 10.0, indegree = 500, weight_pa = -30.0 } }

[[projection]]
source = "E"
target = "E"
rule = { kind = "fixed_total_number", n = 120 }
weight = { mean_pa = 90.0, sd_pa = 30.0 }
delay = { mean_ms = 0.3, sd_ms = 0.25 }

[[projection]]
source = "E"
target = "I"
rule = { kind = "fixed_total_number", n = 80 }
weight = { mean_pa = 120.0, sd_pa = 40.0 }
delay = { mean_ms = 0.2, sd_ms = 0.2 }

[[projection]]
source = "I"
target = "E"
rule = { kind = "fixed_total_number", n = 90 }
weight = { mean_pa = -300.0, sd_pa = 80.0 }
delay = { mean_ms = 0.4, sd_ms = 0.3 }

[[projection]]
source = "I"
target = "I"
rule = { kind = "fixed_total_number", n = 40, autapses = false }
weight = { mean_pa = -250.0, sd_pa = 60.0 }
delay = { mean_ms = 0.6, sd_ms = 0.1 }
"#;

/// Default numerics (64 slots), three populations: Poisson only, DC only,
/// and both; fixed-indegree and fixed-total-number projections.
const NET_DEFAULT: &str = r#"
name = "core_default"
[simulation]
dt_ms = 0.1
duration_ms = 30.0
seed = 77

[[population]]
name = "A"
size = 24
neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 2.0, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.5 }
v_init = { kind = "normal", mean_mv = -57.0, std_mv = 5.0 }
background = { poisson = { rate_hz = 8.0, indegree = 1500, weight_pa = 87.8 } }

[[population]]
name = "B"
size = 11
neuron = { tau_m_ms = 20.0, c_m_pf = 300.0, e_l_mv = -60.0, v_th_mv = -48.0, v_reset_mv = -60.0, t_ref_ms = 0.3, tau_syn_ex_ms = 2.0, tau_syn_in_ms = 4.0 }
v_init = { kind = "uniform", low_mv = -60.0, high_mv = -48.0 }
background = { dc_pa = 330.0 }

[[population]]
name = "C"
size = 6
neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 1.0, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.5 }
v_init = { kind = "constant", v_mv = -55.0 }
background = { dc_pa = 420.0, poisson = { rate_hz = 5.0, indegree = 400, weight_pa = -40.0 } }

[[projection]]
source = "A"
target = "B"
rule = { kind = "fixed_indegree", k = 6 }
weight = { mean_pa = 150.0, sd_pa = 20.0 }
delay = { mean_ms = 2.0, sd_ms = 1.5 }

[[projection]]
source = "B"
target = "A"
rule = { kind = "fixed_total_number", n = 70 }
weight = { mean_pa = -200.0, sd_pa = 50.0 }
delay = { mean_ms = 5.0, sd_ms = 2.5 }

[[projection]]
source = "A"
target = "C"
rule = { kind = "fixed_total_number", n = 40 }
weight = { mean_pa = 100.0, sd_pa = 10.0 }
delay = { mean_ms = 6.0, sd_ms = 0.5 }

[[projection]]
source = "C"
target = "A"
rule = { kind = "fixed_total_number", n = 30 }
weight = { mean_pa = 300.0, sd_pa = 30.0 }
delay = { mean_ms = 0.1, sd_ms = 0.1 }
"#;

#[test]
fn snn_lif_core_matches_engine_odd_widths_7_slots() {
    run("core_odd", NET_ODD, 300, 0x1357);
}

#[test]
fn snn_lif_core_matches_engine_default_numerics_64_slots() {
    run("core_default", NET_DEFAULT, 250, 0x2468);
}
