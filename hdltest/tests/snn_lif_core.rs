//! hdl/snn_lif_core.v (one time-multiplexed neuron core, static or STDP)
//! against the reference engine, step after step: every observation record
//! (step, neuron, v, i_ex, i_in, refr, spike) and every weight-write record
//! (step, synapse, old, new) of `Engine::step_observed`, and every spike,
//! must come out of the RTL bit for bit.
//!
//! Variants: memories initialised from `$readmemh` images, or written through
//! the load port (random gaps) the way a host configures a board; a core
//! larger than the network (N_ACTIVE < N_NEURONS); and the fault-injection
//! parameter, whose faults must show up at their step.
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

use spikefab_gen::images::{core_images, load_beats, network_core};
use spikefab_gen::NetModel;
use spikefab_hdl::core::Mem;
use spikefab_hdltest::{compile_tb_with_strings, scratch_dir, Testbench};
use spikefab_sim::connect::key_delay;
use spikefab_sim::engine::{Engine, NeuronRecord, Observer, WeightRecord};
use spikefab_sim::load::load_str;

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

/// Post-pass cycles per spiking neuron of a plastic core beyond its incoming
/// synapses: spike-list read, incoming-row read, pointer load.
const POST_PER_SPIKE: i64 = 3;

/// Phase B of a plastic core without spikes: the static core's 3, the post
/// pass's final spike-list check and its drain state.
const B_IDLE_PLASTIC: i64 = 5;

/// Phase B of a plastic core beyond synapses + post-pass work when the step
/// has spikes (the static core's 8, the post pass's entry, final check, E1,
/// E2 and drain) ...
const PLASTIC_FILL: i64 = 12;

/// ... plus up to this many cycles while the last depression and the last
/// potentiation leave snn_stdp.
const PLASTIC_DRAIN: i64 = 4;

/// Spike-out stall patterns: (name, percent of cycles `spk_ready_i` is high).
const MODES: [(&str, u32); 2] = [("no-stalls", 100), ("spike-out-stalls", 15)];

/// Collects the engine's neuron and weight records.
#[derive(Default)]
struct Records(Vec<NeuronRecord>, Vec<WeightRecord>);

impl Observer for Records {
    fn neuron(&mut self, rec: &NeuronRecord) {
        self.0.push(*rec);
    }
    fn weight(&mut self, rec: &WeightRecord) {
        self.1.push(*rec);
    }
}

/// How the core is built and configured for one run.
#[derive(Debug, Clone, Copy)]
struct Variant {
    /// Write every memory through the load port (else `$readmemh` images).
    load_port: bool,
    /// Neurons / synapses of capacity beyond the network's.
    spare: u64,
    /// FAULT and FAULT_STEP parameters (0: none).
    fault: (i64, i64),
}

const PLAIN: Variant = Variant {
    load_port: false,
    spare: 0,
    fault: (0, 0),
};

/// Compile the bench with integer and string parameters (the memory image
/// paths); fails on any iverilog warning.
fn compile_bench(dir: &Path, params: &[(&str, i64)], strings: &[(&str, &Path)]) -> Testbench {
    let sources: Vec<&str> = spikefab_hdl::sources::CORE.iter().map(|s| s.file).collect();
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

/// What one RTL run produced.
struct RtlRun {
    obs: Vec<Vec<i128>>,
    weights: Vec<Vec<i128>>,
    spikes: Vec<(u64, u32)>,
    stats: Vec<Vec<i128>>,
}

/// The first divergence of an RTL run from the engine's records, as a
/// message naming the step, the record and the field (None: identical).
fn divergence(
    e: &Engine,
    expected: &[NeuronRecord],
    weights: &[WeightRecord],
    spikes_ref: &[(u64, u32)],
    got: &RtlRun,
) -> Option<(u64, String)> {
    let mut first: Vec<(u64, String)> = Vec::new();
    for (i, g) in got.obs.iter().enumerate() {
        let Some(exp) = expected.get(i) else {
            first.push((g[1] as u64, format!("extra neuron record {g:?}")));
            break;
        };
        if let Some((field, want, have)) = first_diff(exp, g) {
            let pi = e.model.pop_of(exp.neuron);
            first.push((
                exp.step,
                format!(
                    "neuron record at step {}, neuron {} (population '{}'), field {field}: engine {want}, RTL {have}\n  \
                     engine (step neuron v i_ex i_in refr spike): {} {} {} {} {} {} {}\n  RTL: {:?}",
                    exp.step,
                    exp.neuron,
                    e.model.pops[pi].name,
                    exp.step,
                    exp.neuron,
                    exp.state.v,
                    exp.state.i_ex,
                    exp.state.i_in,
                    exp.state.refr,
                    exp.spike as u8,
                    &g[1..]
                ),
            ));
            break;
        }
    }
    if got.obs.len() < expected.len() {
        let exp = &expected[got.obs.len()];
        first.push((exp.step, format!("missing neuron record {exp:?}")));
    }
    for (i, g) in got.weights.iter().enumerate() {
        let Some(w) = weights.get(i) else {
            first.push((g[1] as u64, format!("extra weight record {g:?}")));
            break;
        };
        let want = [
            w.step as i128,
            w.synapse as i128,
            w.old as i128,
            w.new as i128,
        ];
        if g[1..5] != want {
            first.push((
                w.step.min(g[1] as u64),
                format!(
                    "weight record {i}: engine (step synapse old new) {want:?}, RTL {:?}",
                    &g[1..5]
                ),
            ));
            break;
        }
    }
    if got.weights.len() < weights.len() {
        let w = &weights[got.weights.len()];
        first.push((w.step, format!("missing weight record {w:?}")));
    }
    if let Some(k) = got.spikes.iter().zip(spikes_ref).position(|(a, b)| a != b) {
        first.push((
            got.spikes[k].0.min(spikes_ref[k].0),
            format!(
                "spike-out record {k}: RTL {:?}, engine {:?}",
                got.spikes[k], spikes_ref[k]
            ),
        ));
    } else if got.spikes.len() != spikes_ref.len() {
        let k = got.spikes.len().min(spikes_ref.len());
        let t = got.spikes.get(k).or(spikes_ref.get(k)).map_or(0, |s| s.0);
        first.push((
            t,
            format!(
                "spike-out records: RTL {}, engine {}",
                got.spikes.len(),
                spikes_ref.len()
            ),
        ));
    }
    first.into_iter().min_by_key(|f| f.0)
}

/// Build `toml`, run the engine and the RTL for `steps` steps in variant
/// `v`, and compare every record. With a fault, returns the step of the
/// first divergence (which must exist); without, asserts that there is none
/// and returns None.
fn run_variant(name: &str, toml: &str, steps: u64, stall_seed: u32, v: Variant) -> Option<u64> {
    let net = load_str(toml, name).unwrap_or_else(|e| panic!("load {name}: {e:?}"));
    let mut e = Engine::from_network(&net).unwrap_or_else(|d| panic!("build {name}: {d:?}"));
    let plastic = !e.syn.rule.is_empty();
    // the images are spikefab-gen's (the generator writes the same ones)
    let src = NetModel::new(e.model.clone(), e.syn.clone());
    let mut shape = network_core(&src, None);
    shape.n_neurons += v.spare;
    shape.rows += v.spare;
    shape.syn_depth += v.spare;
    shape.inc_depth += v.spare;
    let img = core_images(&src, &shape).unwrap_or_else(|err| panic!("{name}: images: {err}"));
    let n = e.model.neurons as usize;

    // the reference
    let mut rec = Records::default();
    let mut spikes_ref: Vec<(u64, u32)> = Vec::new();
    for _ in 0..steps {
        let t = e.step_index();
        let s = e.step_observed(Some(&mut rec));
        spikes_ref.extend(s.iter().map(|&k| (t, k)));
    }
    let Records(expected, weights) = rec;
    assert_eq!(expected.len(), steps as usize * n);
    assert_eq!(
        plastic,
        !weights.is_empty(),
        "{name}: weight writes iff plastic"
    );
    // synapses delivered per step (for the cycle count)
    let mut syn_of_step = vec![0i64; steps as usize];
    let mut spk_of_step = vec![0i64; steps as usize];
    let mut empty_of_step = vec![0i64; steps as usize];
    // post pass work per step: 3 + max(1, incoming plastic synapses) per spike
    let mut post_of_step = vec![0i64; steps as usize];
    let mut inc_of_step = vec![0i64; steps as usize];
    for &(t, k) in &spikes_ref {
        syn_of_step[t as usize] += e.syn.out_degree(k) as i64;
        spk_of_step[t as usize] += 1;
        empty_of_step[t as usize] += (e.syn.out_degree(k) == 0) as i64;
        if plastic {
            let inc = &e.syn.incoming;
            let m = (inc.start[k as usize + 1] - inc.start[k as usize]) as i64;
            inc_of_step[t as usize] += m;
            post_of_step[t as usize] += POST_PER_SPIKE + m.max(1);
        }
    }

    let cov = coverage(&e, &expected, &spikes_ref);

    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_lif_core");
    let mut paths = Vec::new();
    if !v.load_port {
        for im in &img.images {
            let param = im
                .mem
                .file_param()
                .expect("a core image has a file parameter");
            let p = dir.join(format!("{}.hex", param.to_lowercase()));
            fs::write(&p, &im.text).expect("write image");
            paths.push((param, p));
        }
    }
    let load = dir.join("load.txt");
    let mut beats = 0;
    if v.load_port {
        let mut text = String::new();
        for b in load_beats(&img) {
            // the bench loads the background key itself (+bg_key)
            if b.mem == Mem::Cfg.load_id() && b.addr >= 3 {
                continue;
            }
            text.push_str(&format!(
                "{} {} {} {:08x}\n",
                b.mem, b.addr, b.last as u8, b.data
            ));
            beats += 1;
        }
        fs::write(&load, text).expect("write load beats");
    }
    // the core's parameters (without the fault, which the variant sets) and
    // its initial values
    let mut params: Vec<(&str, i64)> = img
        .core
        .config_params()
        .iter()
        .chain(&img.init.params(img.core.coef_bits))
        .filter(|p| !matches!(p.name, "FAULT" | "FAULT_STEP" | "BG_KEY"))
        .map(|p| (p.name, p.value.as_u64().unwrap_or(0) as i64))
        .collect();
    if v.load_port {
        // everything must come through the load port: start from wrong
        // initial values
        for (k, val) in params.iter_mut() {
            if matches!(*k, "N_ACTIVE" | "P_PLUS" | "P_MINUS") {
                *val = 1;
            }
        }
    }
    params.push(("STEPS", steps as i64));
    params.push(("FAULT", v.fault.0));
    params.push(("FAULT_STEP", v.fault.1));
    let strings: Vec<(&str, &Path)> = paths.iter().map(|(k, p)| (*k, p.as_path())).collect();
    let tb = compile_bench(&dir, &params, &strings);
    let what = format!(
        "{name} [{}{}{}]",
        if v.load_port {
            "load port"
        } else {
            "$readmemh"
        },
        if v.spare > 0 {
            format!(", {} spare neurons", v.spare)
        } else {
            String::new()
        },
        if v.fault.0 > 0 {
            format!(", FAULT {} at step {}", v.fault.0, v.fault.1)
        } else {
            String::new()
        }
    );

    let mut fault_steps = Vec::new();
    for (mode, pct) in MODES {
        let mut plus = vec![
            format!("bg_key={:016x}", img.init.bg_key),
            format!("seed={stall_seed}"),
            format!("spk_pct={pct}"),
        ];
        if v.load_port {
            plus.push(format!("load={}", load.display()));
            plus.push(format!("ld_pct={}", if pct == 100 { 100 } else { 37 }));
        }
        let out = tb.run(mode, &["0".to_string()], &plus);
        let pick = |k: i128| -> Vec<Vec<i128>> {
            out.records.iter().filter(|r| r[0] == k).cloned().collect()
        };
        let got = RtlRun {
            obs: pick(0),
            stats: pick(1),
            spikes: pick(2).iter().map(|r| (r[1] as u64, r[2] as u32)).collect(),
            weights: pick(3),
        };
        let div = divergence(&e, &expected, &weights, &spikes_ref, &got);
        if v.fault.0 > 0 {
            let (t, msg) = div.unwrap_or_else(|| {
                panic!("{what} ({mode}): the injected fault was not caught: every record matched")
            });
            println!("snn_lif_core {what} ({mode}): fault caught at step {t}: {msg}");
            fault_steps.push(t);
            continue;
        }
        if let Some((_, msg)) = div {
            panic!(
                "snn_lif_core {what} ({mode}) {}: first divergence: {msg}",
                img.desc()
            );
        }
        // cycles per step
        let stats = &got.stats;
        assert_eq!(stats.len(), steps as usize, "{what} ({mode}): step records");
        let mut pinned = 0;
        let mut total_cycles = 0i64;
        for (t, st) in stats.iter().enumerate() {
            let (cycles, cycles_a, ns) = (st[2] as i64, st[3] as i64, st[4] as i64);
            assert_eq!(st[1] as usize, t, "{what}: step order");
            assert_eq!(ns, spk_of_step[t], "{what} step {t}: spikes out");
            assert_eq!(
                cycles_a,
                n as i64 + LAT_A,
                "{what} ({mode}) step {t}: phase A must take N + {LAT_A} cycles"
            );
            let b = cycles - cycles_a;
            let k = syn_of_step[t];
            if pct == 100 && plastic {
                // pre pass as a static core, then the post pass: per spike
                // POST_PER_SPIKE + max(1, incoming); PLASTIC_FILL in all, plus
                // up to PLASTIC_DRAIN while the last depression and the last
                // potentiation leave snn_stdp
                let (k, m, post) = (syn_of_step[t], inc_of_step[t], post_of_step[t]);
                let (lo, hi) = if ns == 0 {
                    (B_IDLE_PLASTIC, B_IDLE_PLASTIC)
                } else {
                    let base = k + empty_of_step[t] + post + PLASTIC_FILL;
                    (base, base + PLASTIC_DRAIN)
                };
                assert!(
                    (lo..=hi).contains(&b),
                    "{what} step {t}: phase B of {ns} spikes, {k} synapses, {m} incoming plastic \
                     synapses took {b} cycles, expected {lo}..={hi}"
                );
                pinned += (ns > 0) as usize;
            }
            if pct == 100 && !plastic {
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
                    "{what} step {t}: phase B of {ns} spikes ({empty} empty rows) and {k} synapses \
                     took {b} cycles, expected {lo}..={hi}"
                );
                pinned += (ns > 0 && empty == 0) as usize;
            }
            total_cycles += cycles;
        }
        println!(
            "snn_lif_core: matched {} neuron updates, {} spikes, {} weight writes over {steps} steps ({what}, {mode}, {}; \
             {} synapses ({} plastic), {} spike deliveries, {beats} load beats; {cov}; {total_cycles} cycles: phase A N + {LAT_A}, \
             phase B {B_IDLE} without spikes, synapses + {B_FILL} with spikes, plastic: {B_IDLE_PLASTIC} without spikes, synapses + post pass ({POST_PER_SPIKE} + incoming per spike) + {PLASTIC_FILL}..{} ({pinned} steps checked))",
            got.obs.len(),
            got.spikes.len(),
            got.weights.len(),
            img.desc(),
            img.synapses,
            img.plastic_synapses,
            syn_of_step.iter().sum::<i64>(),
            PLASTIC_FILL + PLASTIC_DRAIN,
        );
    }
    let _ = fs::remove_dir_all(&dir);
    if v.fault.0 > 0 {
        assert!(
            fault_steps.iter().all(|&t| t == fault_steps[0]),
            "{what}: the fault was caught at different steps in the stall modes: {fault_steps:?}"
        );
        return Some(fault_steps[0]);
    }
    None
}

/// [`run_variant`] with `$readmemh` images of exactly the network's size.
fn run(name: &str, toml: &str, steps: u64, stall_seed: u32) {
    run_variant(name, toml, steps, stall_seed, PLAIN);
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

/// 27 + 11 neurons, odd widths (11-bit weights, 13-bit traces), 9 delay
/// slots; two plastic projections with different rules (one excitatory, one
/// inhibitory with negative bounds), a static one, and a dense plastic
/// fixed-indegree projection so that pre and post spikes meet in one step.
const NET_STDP: &str = r#"
name = "core_stdp"
[simulation]
dt_ms = 0.1
duration_ms = 30.0
seed = 9001

[numerics]
v_bits = 21
v_frac = 11
i_bits = 19
i_frac = 2
w_bits = 11
w_shift = 2
acc_bits = 19
coef_bits = 19
coef_frac = 17
max_delay_steps = 8
ref_bits = 5
trace_bits = 13
trace_frac = 9
poisson_table_len = 13

[plasticity]
tau_plus_ms = 1.7
tau_minus_ms = 3.4

[[population]]
name = "E"
size = 27
neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 0.5, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.8 }
v_init = { kind = "uniform", low_mv = -65.0, high_mv = -50.0 }
background = { dc_pa = 200.0, poisson = { rate_hz = 8.0, indegree = 1000, weight_pa = 110.0 } }

[[population]]
name = "I"
size = 11
neuron = { tau_m_ms = 8.0, c_m_pf = 200.0, e_l_mv = -70.0, v_th_mv = -52.0, v_reset_mv = -68.0, t_ref_ms = 0.3, tau_syn_ex_ms = 0.3, tau_syn_in_ms = 1.5 }
v_init = { kind = "normal", mean_mv = -58.0, std_mv = 6.0 }
background = { dc_pa = 900.0, poisson = { rate_hz = 10.0, indegree = 500, weight_pa = 40.0 } }

[[projection]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", k = 5 }
weight = { mean_pa = 90.0, sd_pa = 30.0 }
delay = { mean_ms = 0.3, sd_ms = 0.25 }
stdp = { a_plus_pa = 12.0, a_minus_pa = 14.5, w_min_pa = 0.0, w_max_pa = 300.0 }

[[projection]]
source = "E"
target = "I"
rule = { kind = "fixed_total_number", n = 60 }
weight = { mean_pa = 120.0, sd_pa = 40.0 }
delay = { mean_ms = 0.2, sd_ms = 0.2 }

[[projection]]
source = "I"
target = "E"
rule = { kind = "fixed_total_number", n = 70 }
weight = { mean_pa = -300.0, sd_pa = 80.0 }
delay = { mean_ms = 0.4, sd_ms = 0.3 }
stdp = { a_plus_pa = 30.0, a_minus_pa = 9.0, w_min_pa = -700.0, w_max_pa = -20.0 }
"#;

#[test]
fn snn_lif_core_stdp_matches_engine_weight_writes_included() {
    run("core_stdp", NET_STDP, 300, 0x5a5a);
}

#[test]
fn snn_lif_core_stdp_configured_through_the_load_port_on_a_larger_core() {
    run_variant(
        "core_stdp",
        NET_STDP,
        200,
        0x7777,
        Variant {
            load_port: true,
            spare: 7,
            fault: (0, 0),
        },
    );
}

#[test]
fn snn_lif_core_static_configured_through_the_load_port_on_a_larger_core() {
    run_variant(
        "core_odd",
        NET_ODD,
        200,
        0x3131,
        Variant {
            load_port: true,
            spare: 15,
            fault: (0, 0),
        },
    );
}

/// The first step at or after `from` in which the engine's network `toml`
/// spikes (`weights` false) or writes a weight (`weights` true).
fn first_active_step(toml: &str, from: u64, weights: bool) -> u64 {
    let net = load_str(toml, "probe").expect("load");
    let mut e = Engine::from_network(&net).expect("build");
    for _ in 0..from + 200 {
        let t = e.step_index();
        let mut rec = Records::default();
        let spiked = !e.step_observed(Some(&mut rec)).is_empty();
        let active = if weights { !rec.1.is_empty() } else { spiked };
        if t >= from && active {
            return t;
        }
    }
    panic!("no active step after {from}");
}

/// Each injected fault (FAULT 1 truncating rounding, 2 dropped spike, 3
/// skipped weight write) is seen by the record comparison at exactly its
/// step: the harness is able to fail.
#[test]
fn snn_lif_core_injected_faults_are_caught_at_their_step() {
    for (kind, net, name, step) in [
        (1, NET_ODD, "core_odd", 37),
        (
            2,
            NET_ODD,
            "core_odd",
            first_active_step(NET_ODD, 41, false),
        ),
        (
            3,
            NET_STDP,
            "core_stdp",
            first_active_step(NET_STDP, 29, true),
        ),
    ] {
        let v = Variant {
            load_port: false,
            spare: 0,
            fault: (kind, step as i64),
        };
        let got = run_variant(name, net, step + 20, 0x1111, v);
        assert_eq!(
            got,
            Some(step),
            "FAULT {kind} injected at step {step} was caught at {got:?}"
        );
    }
}

/// A static network with [`NET_STDP`]'s numerics (so that both run on one
/// core): 22 + 11 = 33 neurons, delays 1..8 steps, both weight signs.
const NET_RELOAD_STATIC: &str = r#"
name = "core_reload_static"
[simulation]
dt_ms = 0.1
duration_ms = 30.0
seed = 515

[numerics]
v_bits = 21
v_frac = 11
i_bits = 19
i_frac = 2
w_bits = 11
w_shift = 2
acc_bits = 19
coef_bits = 19
coef_frac = 17
max_delay_steps = 8
ref_bits = 5
trace_bits = 13
trace_frac = 9
poisson_table_len = 13

[[population]]
name = "E"
size = 22
neuron = { tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, t_ref_ms = 0.5, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.8 }
v_init = { kind = "uniform", low_mv = -65.0, high_mv = -50.0 }
background = { dc_pa = 420.0, poisson = { rate_hz = 9.0, indegree = 1000, weight_pa = 110.0 } }

[[population]]
name = "I"
size = 11
neuron = { tau_m_ms = 8.0, c_m_pf = 200.0, e_l_mv = -70.0, v_th_mv = -52.0, v_reset_mv = -68.0, t_ref_ms = 1.0, tau_syn_ex_ms = 0.3, tau_syn_in_ms = 1.5 }
v_init = { kind = "normal", mean_mv = -58.0, std_mv = 6.0 }
background = { dc_pa = 800.0, poisson = { rate_hz = 10.0, indegree = 500, weight_pa = -30.0 } }

[[projection]]
source = "E"
target = "E"
rule = { kind = "fixed_total_number", n = 110 }
weight = { mean_pa = 90.0, sd_pa = 30.0 }
delay = { mean_ms = 0.5, sd_ms = 0.3 }

[[projection]]
source = "E"
target = "I"
rule = { kind = "fixed_total_number", n = 70 }
weight = { mean_pa = 120.0, sd_pa = 40.0 }
delay = { mean_ms = 0.4, sd_ms = 0.3 }

[[projection]]
source = "I"
target = "E"
rule = { kind = "fixed_total_number", n = 80 }
weight = { mean_pa = -300.0, sd_pa = 80.0 }
delay = { mean_ms = 0.6, sd_ms = 0.2 }
"#;

/// One network run of a reload sequence: built from `toml`, run `steps`
/// steps from a fresh engine.
struct Stage {
    name: &'static str,
    toml: &'static str,
    steps: u64,
}

/// What a fresh engine of one stage produces, and what was in flight when
/// the core was reconfigured after it.
struct StageRef {
    engine: Engine,
    expected: Vec<NeuronRecord>,
    weights: Vec<WeightRecord>,
    spikes: Vec<(u64, u32)>,
    /// Synaptic input still in the delay ring after the last step (spike
    /// deliveries due at or after it).
    in_flight: usize,
    /// Neurons with a nonzero STDP trace after the last step.
    traces: usize,
}

fn stage_reference(s: &Stage) -> StageRef {
    let net = load_str(s.toml, s.name).unwrap_or_else(|e| panic!("load {}: {e:?}", s.name));
    let mut e = Engine::from_network(&net).unwrap_or_else(|d| panic!("build {}: {d:?}", s.name));
    let fresh = Engine::from_network(&net).expect("build");
    let mut rec = Records::default();
    let mut spikes = Vec::new();
    for _ in 0..s.steps {
        let t = e.step_index();
        let sp = e.step_observed(Some(&mut rec));
        spikes.extend(sp.iter().map(|&k| (t, k)));
    }
    let in_flight = spikes
        .iter()
        .map(|&(t, k)| {
            e.syn
                .row(k)
                .filter(|&syn| t + u64::from(key_delay(e.syn.key[syn])) >= s.steps)
                .count()
        })
        .sum();
    let traces = e
        .state
        .iter()
        .filter(|st| st.x_pre != 0 || st.y_post != 0)
        .count();
    let Records(expected, weights) = rec;
    StageRef {
        engine: fresh,
        expected,
        weights,
        spikes,
        in_flight,
        traces,
    }
}

/// Configure the core through the load port with the first stage's network,
/// run it, then reconfigure the running core WITHOUT a reset with each next
/// stage's network and run that: every record of every stage must equal a
/// fresh engine's of that network (steps from 0), so nothing of a previous
/// run (accumulators of input in flight, traces, the step counter) survives
/// a configuration. Returns the cycles of each reconfiguration without load
/// gaps (first beat offered to last beat taken) and the core it ran on.
fn run_reloads(stages: &[Stage], spare: u64, seed: u32) -> (Vec<i64>, u64, u64) {
    let refs: Vec<StageRef> = stages.iter().map(stage_reference).collect();
    // one core that holds every stage's network
    let srcs: Vec<NetModel> = refs
        .iter()
        .map(|r| NetModel::new(r.engine.model.clone(), r.engine.syn.clone()))
        .collect();
    let mut shape = network_core(&srcs[0], None);
    for src in &srcs[1..] {
        let c = network_core(src, None);
        shape.n_neurons = shape.n_neurons.max(c.n_neurons);
        shape.rows = shape.rows.max(c.rows);
        shape.n_pops = shape.n_pops.max(c.n_pops);
        shape.syn_depth = shape.syn_depth.max(c.syn_depth);
        shape.inc_depth = shape.inc_depth.max(c.inc_depth);
        shape.n_rules = shape.n_rules.max(c.n_rules);
        shape.plastic |= c.plastic;
    }
    shape.n_neurons += spare;
    shape.rows += spare;
    shape.syn_depth += spare;
    shape.inc_depth += spare;
    let imgs: Vec<_> = srcs
        .iter()
        .map(|src| core_images(src, &shape).unwrap_or_else(|e| panic!("images: {e}")))
        .collect();

    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_lif_core_reload");
    let beat_line = |b: &spikefab_gen::images::Beat| {
        format!("{} {} {} {:08x}\n", b.mem, b.addr, b.last as u8, b.data)
    };
    // the first configuration: the bench loads the background key itself
    let first: String = load_beats(&imgs[0])
        .iter()
        .filter(|b| !(b.mem == Mem::Cfg.load_id() && b.addr >= 3))
        .map(beat_line)
        .collect();
    let mut script = String::new();
    let mut reload_beats = Vec::new();
    for (img, s) in imgs.iter().zip(stages).skip(1) {
        let beats = load_beats(img);
        reload_beats.push(beats.len() as i64);
        script.extend(beats.iter().map(beat_line));
        script.push_str(&format!("99 {} 0 0\n", s.steps));
    }
    let load = dir.join("load.txt");
    let reload = dir.join("reload.txt");
    fs::write(&load, first).expect("write load beats");
    fs::write(&reload, script).expect("write reload script");
    let mut params: Vec<(&str, i64)> = imgs[0]
        .core
        .config_params()
        .iter()
        .chain(&imgs[0].init.params(imgs[0].core.coef_bits))
        .filter(|p| !matches!(p.name, "FAULT" | "FAULT_STEP" | "BG_KEY"))
        .map(|p| (p.name, p.value.as_u64().unwrap_or(0) as i64))
        .collect();
    for (k, val) in params.iter_mut() {
        if matches!(*k, "N_ACTIVE" | "P_PLUS" | "P_MINUS") {
            *val = 1;
        }
    }
    params.push(("STEPS", stages[0].steps as i64));
    params.push(("FAULT", 0));
    params.push(("FAULT_STEP", 0));
    let tb = compile_bench(&dir, &params, &[]);
    let names: Vec<&str> = stages.iter().map(|s| s.name).collect();
    let mut reload_cycles = Vec::new();
    for (mode, pct) in MODES {
        let plus = vec![
            format!("bg_key={:016x}", imgs[0].init.bg_key),
            format!("seed={seed}"),
            format!("spk_pct={pct}"),
            format!("load={}", load.display()),
            format!("reload={}", reload.display()),
            format!("ld_pct={}", if pct == 100 { 100 } else { 37 }),
        ];
        let out = tb.run(mode, &["0".to_string()], &plus);
        // the records of each stage, split at the reload markers
        let mut runs: Vec<RtlRun> = Vec::new();
        let mut cycles = Vec::new();
        let new_run = || RtlRun {
            obs: Vec::new(),
            weights: Vec::new(),
            spikes: Vec::new(),
            stats: Vec::new(),
        };
        runs.push(new_run());
        for r in &out.records {
            let cur = runs.last_mut().expect("a run");
            match r[0] {
                0 => cur.obs.push(r.clone()),
                1 => cur.stats.push(r.clone()),
                2 => cur.spikes.push((r[1] as u64, r[2] as u32)),
                3 => cur.weights.push(r.clone()),
                4 => {
                    cycles.push(r[2] as i64);
                    runs.push(new_run());
                }
                k => panic!("unknown record kind {k}"),
            }
        }
        assert_eq!(runs.len(), stages.len(), "{names:?} ({mode}): stages run");
        for (k, ((got, r), s)) in runs.iter().zip(&refs).zip(stages).enumerate() {
            assert_eq!(
                got.stats.len() as u64,
                s.steps,
                "{} ({mode}): steps",
                s.name
            );
            if let Some((_, msg)) = divergence(&r.engine, &r.expected, &r.weights, &r.spikes, got) {
                panic!(
                    "snn_lif_core reload sequence {names:?} ({mode}), stage {k} ({}{}): first divergence from a fresh engine: {msg}",
                    s.name,
                    if k == 0 { ", first configuration" } else { ", reconfigured without reset" }
                );
            }
        }
        for (k, r) in refs.iter().enumerate().take(stages.len() - 1) {
            println!(
                "snn_lif_core: reload after stage {k} ({}): {} deliveries in flight, {} neurons with nonzero traces; reconfiguration took {} cycles ({mode})",
                stages[k].name, r.in_flight, r.traces, cycles[k]
            );
        }
        let total: usize = runs.iter().map(|r| r.obs.len()).sum();
        let spikes: usize = runs.iter().map(|r| r.spikes.len()).sum();
        let weights: usize = runs.iter().map(|r| r.weights.len()).sum();
        println!(
            "snn_lif_core: matched {total} neuron updates, {spikes} spikes, {weights} weight writes over {} stages {names:?} reconfigured without reset ({mode}, {})",
            stages.len(),
            imgs[0].desc()
        );
        if pct == 100 {
            reload_cycles = cycles
                .iter()
                .zip(&reload_beats)
                .map(|(c, b)| c - b)
                .collect();
        }
    }
    // every reload must have had something to forget
    for (k, r) in refs.iter().enumerate().take(stages.len() - 1) {
        assert!(
            r.in_flight > 0,
            "stage {k} ({}) leaves no input in flight: the reload tests nothing",
            stages[k].name
        );
    }
    let _ = fs::remove_dir_all(&dir);
    (reload_cycles, shape.slots, shape.n_neurons)
}

/// A host loads a network, runs it, and loads another (or the same one
/// again) through the load port with no reset in between: a static network
/// reloaded, then an STDP network after it, then that STDP network again
/// (its traces are nonzero when it is reloaded). Each run equals a fresh
/// engine's, and each reconfiguration costs its beats plus the clear of
/// SLOTS x N_NEURONS cycles (and one to start it).
#[test]
fn snn_lif_core_reconfigured_without_reset_matches_fresh_engines() {
    let stages = [
        Stage {
            name: "core_reload_static",
            toml: NET_RELOAD_STATIC,
            steps: 45,
        },
        Stage {
            name: "core_reload_static",
            toml: NET_RELOAD_STATIC,
            steps: 30,
        },
        Stage {
            name: "core_stdp",
            toml: NET_STDP,
            steps: 40,
        },
        Stage {
            name: "core_stdp",
            toml: NET_STDP,
            steps: 40,
        },
    ];
    let (extra, slots, n) = run_reloads(&stages, 7, 0x4e4e);
    let clear = (slots * n + 1) as i64;
    assert!(
        extra.iter().all(|&c| c == clear),
        "reconfiguration cycles beyond the beats: {extra:?}, expected SLOTS x N_NEURONS + 1 = {slots} x {n} + 1 = {clear}"
    );
}
