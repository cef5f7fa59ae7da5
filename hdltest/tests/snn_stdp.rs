//! hdl/snn_stdp.v against spikefab_sim::engine::stdp_delta and the clamp of
//! the contract (engine::stdp_write: `(w + dw).clamp(w_min, w_max)`).

use spikefab_hdltest::{compile_tb, hex_record, mask, run_streaming, scratch_dir, Gen, STALLS};
use spikefab_sim::connect::key_target;
use spikefab_sim::engine::{stdp_delta, Engine, NeuronRecord, Observer, WeightRecord};
use spikefab_sim::load::load_file;
use spikefab_sim::numerics::{smax, smin, umax};
use spikefab_sim::NumericsConfig;

/// Register stages of snn_stdp (its LATENCY localparam, docs/hdl-leaf-modules.md).
const LATENCY: i64 = 3;
const N: usize = 5000;

/// One parameter set of the module (the NumericsConfig names in upper case).
#[derive(Debug, Clone, Copy)]
struct Cfg {
    w_bits: u32,
    trace_bits: u32,
    trace_frac: u32,
    user_bits: u32,
}

const DEFAULT: Cfg = Cfg {
    w_bits: 16,
    trace_bits: 16,
    trace_frac: 12,
    user_bits: 32,
};

impl Cfg {
    fn params(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("W_BITS", self.w_bits as i64),
            ("TRACE_BITS", self.trace_bits as i64),
            ("TRACE_FRAC", self.trace_frac as i64),
            ("USER_BITS", self.user_bits as i64),
        ]
    }

    fn describe(&self) -> String {
        self.params()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The contract's config with these widths (checked legal).
    fn numerics(&self) -> NumericsConfig {
        let nc = NumericsConfig {
            w_bits: self.w_bits,
            trace_bits: self.trace_bits,
            trace_frac: self.trace_frac,
            ..NumericsConfig::default()
        };
        assert!(
            nc.check().is_empty(),
            "test config is not a legal contract config: {:?}",
            nc.check()
        );
        nc
    }

    fn w(&self) -> (i64, i64) {
        (smin(self.w_bits), smax(self.w_bits))
    }

    fn trace_max(&self) -> i64 {
        umax(self.trace_bits) as i64
    }

    /// Amplitudes are >= 0 and fit the weight format: 0..=smax(W_BITS).
    fn amp_max(&self) -> i64 {
        smax(self.w_bits)
    }

    /// 2^(TRACE_FRAC-1), the rounding half (0 without rounding).
    fn half(&self) -> i64 {
        if self.trace_frac == 0 {
            0
        } else {
            1i64 << (self.trace_frac - 1)
        }
    }
}

/// One update request.
#[derive(Debug, Clone, Copy)]
struct Rec {
    potentiate: bool,
    w: i64,
    trace: u32,
    amp: i64,
    w_min: i64,
    w_max: i64,
}

impl Rec {
    /// The reference: the new weight, as engine::process_plastic computes it
    /// (`dw = -stdp_delta(A-, y_post)` or `+stdp_delta(A+, x_pre)`, then
    /// stdp_write's clamp).
    fn expected(&self, nc: &NumericsConfig) -> i64 {
        let d = stdp_delta(nc, self.amp, self.trace);
        let dw = if self.potentiate { d } else { -d };
        (self.w + dw).clamp(self.w_min, self.w_max)
    }

    /// The unclamped sum `w -/+ rnd(A trace)`.
    fn sum(&self, nc: &NumericsConfig) -> i64 {
        let d = stdp_delta(nc, self.amp, self.trace);
        if self.potentiate {
            self.w + d
        } else {
            self.w - d
        }
    }

    fn hex(&self, cfg: &Cfg) -> String {
        self.assert_fits(cfg);
        let f = [
            self.potentiate as u64,
            mask(self.w, 64),
            self.trace as u64,
            self.amp as u64,
            mask(self.w_min, 64),
            mask(self.w_max, 64),
        ];
        hex_record(&f, 64)
    }

    /// Every field fits its port (the bench must never truncate silently),
    /// and the bounds are ordered as the contract requires.
    fn assert_fits(&self, cfg: &Cfg) {
        let (lo, hi) = cfg.w();
        let s = |x: i64| lo <= x && x <= hi;
        let ok = s(self.w)
            && s(self.w_min)
            && s(self.w_max)
            && self.w_min <= self.w_max
            && (self.trace as i64) <= cfg.trace_max()
            && (0..=cfg.amp_max()).contains(&self.amp);
        assert!(
            ok,
            "record does not fit the ports of {}: {self:?}",
            cfg.describe()
        );
    }
}

/// A pair of bounds `w_min <= w_max`: the contract's (not straddling zero),
/// the full range, a single value, or random.
fn bounds(g: &mut Gen, cfg: &Cfg) -> (i64, i64) {
    let (lo, hi) = cfg.w();
    match g.below(6) {
        0 => (0, g.pick(&[hi, hi / 2, 1.min(hi)])),
        1 => (g.pick(&[lo, lo / 2, -1]), 0),
        2 => (lo, hi),
        3 => {
            let v = g.interesting(lo, hi);
            (v, v)
        }
        _ => {
            let a = g.interesting(lo, hi);
            let b = g.interesting(lo, hi);
            (a.min(b), a.max(b))
        }
    }
}

/// A trace: 0, 1, saturated, one spike (2^TRACE_FRAC), small, or uniform.
fn trace(g: &mut Gen, cfg: &Cfg) -> u32 {
    let tmax = cfg.trace_max();
    let one = 1i64 << cfg.trace_frac;
    (match g.below(6) {
        0 => g.pick(&[0, 1, tmax, tmax - 1, one, one - 1, (one + 1).min(tmax)]),
        1 => g.range(0, one.min(tmax)),
        _ => g.range(0, tmax),
    }) as u32
}

fn amp(g: &mut Gen, cfg: &Cfg) -> i64 {
    let m = cfg.amp_max();
    match g.below(5) {
        0 => g.pick(&[0, 1, m, (m - 1).max(0)]),
        1 => g.range(0, m.min(16)),
        _ => g.range(0, m),
    }
}

fn random_rec(g: &mut Gen, cfg: &Cfg) -> Rec {
    let (w_min, w_max) = bounds(g, cfg);
    let (lo, hi) = cfg.w();
    let w = match g.below(4) {
        // at a bound
        0 => g.pick(&[w_min, w_max]),
        // inside the bounds
        1 => g.range(w_min, w_max),
        // anywhere (also outside the bounds: the clamp still applies)
        _ => g.interesting(lo, hi),
    };
    Rec {
        potentiate: g.chance(50),
        w,
        trace: trace(g, cfg),
        amp: amp(g, cfg),
        w_min,
        w_max,
    }
}

/// `amp * trace` with the fractional part `frac` (mod 2^TRACE_FRAC), e.g. the
/// tie `half` or one LSB around it, for a random amplitude/trace pair.
fn with_fraction(g: &mut Gen, cfg: &Cfg, frac: i64) -> Option<(i64, u32)> {
    let tf = cfg.trace_frac;
    let one = 1i64 << tf;
    let (tmax, amax) = (cfg.trace_max(), cfg.amp_max());
    if g.chance(50) || tf == 0 {
        // amp = 1: trace = k 2^TRACE_FRAC + frac
        let k = g.range(0, (tmax - frac) >> tf);
        (amax >= 1).then_some((1, (k * one + frac) as u32))
    } else if frac == one >> 1 {
        // a tie from two factors: amp = odd << e, trace = odd' << (TRACE_FRAC-1-e)
        let e = g.range(0, (tf as i64 - 1).min(cfg.w_bits as i64 - 2)) as u32;
        let a_odd_max = amax >> e;
        let t_shift = tf - 1 - e;
        let t_odd_max = tmax >> t_shift;
        if a_odd_max < 1 || t_odd_max < 1 {
            return None;
        }
        let a = (g.range(0, (a_odd_max - 1) / 2) * 2 + 1) << e;
        let t = (g.range(0, (t_odd_max - 1) / 2) * 2 + 1) << t_shift;
        Some((a, t as u32))
    } else {
        // an odd amplitude a: trace = frac * a^-1 (mod 2^TRACE_FRAC) + k 2^TRACE_FRAC
        let a = (g.range(0, (amax - 1).max(0) / 2) * 2 + 1).min(amax);
        if a < 1 {
            return None;
        }
        let inv = inverse_mod_pow2(a, tf);
        let base = (frac.rem_euclid(one) * inv).rem_euclid(one);
        if base > tmax {
            return None;
        }
        let k = g.range(0, (tmax - base) >> tf);
        Some((a, (base + k * one) as u32))
    }
}

/// `a^-1 mod 2^bits` for odd `a` (Newton iteration).
fn inverse_mod_pow2(a: i64, bits: u32) -> i64 {
    let m = 1i128 << bits;
    let a = a as i128;
    let mut x: i128 = 1;
    for _ in 0..6 {
        x = (x * (2 - a * x)).rem_euclid(m);
    }
    assert_eq!((a * x).rem_euclid(m), 1 % m);
    x as i64
}

/// Records with a constructed edge case (`kind` selects which).
fn edge_rec(g: &mut Gen, cfg: &Cfg, nc: &NumericsConfig, kind: u64) -> Rec {
    let mut x = random_rec(g, cfg);
    let (lo, hi) = cfg.w();
    match kind {
        // rounding tie, one LSB below and one above it
        0..=2 if cfg.trace_frac > 0 => {
            let frac = cfg.half() + kind as i64 - 1;
            if let Some((a, t)) = with_fraction(g, cfg, frac) {
                x.amp = a;
                x.trace = t;
            }
            // keep the sum away from the bounds half of the time, so the
            // rounded value itself reaches the output
            if g.chance(50) {
                x.w_min = lo;
                x.w_max = hi;
                x.w = g.range(lo / 2, hi / 2);
            }
        }
        // the sum lands exactly on a bound, or one LSB past it (clamped)
        3 | 4 => {
            let d = stdp_delta(nc, x.amp, x.trace);
            let past = kind == 4;
            let target = if x.potentiate {
                x.w_max + past as i64
            } else {
                x.w_min - past as i64
            };
            let w = if x.potentiate { target - d } else { target + d };
            if (lo..=hi).contains(&w) {
                x.w = w;
            }
        }
        // a weight at the bound it moves away from or toward, small trace
        5 => {
            x.w = g.pick(&[x.w_min, x.w_max]);
            x.trace = g.pick(&[0, 1, (1u32 << cfg.trace_frac) >> 1]);
        }
        // a weight far outside the bounds with a zero change: the clamp alone moves it
        6 => {
            x.amp = if g.chance(50) { 0 } else { x.amp };
            x.trace = if x.amp == 0 { x.trace } else { 0 };
            x.w = g.pick(&[lo, hi]);
        }
        _ => {}
    }
    x
}

fn vectors(cfg: &Cfg, nc: &NumericsConfig, seed: u64) -> Vec<Rec> {
    let mut g = Gen::new(seed);
    (0..N)
        .map(|_| {
            if g.chance(50) {
                let kind = g.below(7);
                edge_rec(&mut g, cfg, nc, kind)
            } else {
                random_rec(&mut g, cfg)
            }
        })
        .collect()
}

/// How often each edge case occurs in a vector set.
#[derive(Debug, Default)]
struct Coverage {
    depression: usize,
    potentiation: usize,
    w_at_min: usize,
    w_at_max: usize,
    clamped_low: usize,
    clamped_high: usize,
    exactly_at_min: usize,
    exactly_at_max: usize,
    trace_zero: usize,
    trace_one: usize,
    trace_saturated: usize,
    amp_zero: usize,
    amp_max: usize,
    tie: usize,
    below_tie: usize,
    above_tie: usize,
    unchanged: usize,
}

fn coverage(cfg: &Cfg, nc: &NumericsConfig, recs: &[Rec]) -> Coverage {
    let one = 1i64 << cfg.trace_frac;
    let half = cfg.half();
    let mut c = Coverage::default();
    for x in recs {
        let sum = x.sum(nc);
        let frac = (x.amp * x.trace as i64).rem_euclid(one);
        c.depression += !x.potentiate as usize;
        c.potentiation += x.potentiate as usize;
        c.w_at_min += (x.w == x.w_min) as usize;
        c.w_at_max += (x.w == x.w_max) as usize;
        c.clamped_low += (sum < x.w_min) as usize;
        c.clamped_high += (sum > x.w_max) as usize;
        c.exactly_at_min += (sum == x.w_min && x.w != x.w_min) as usize;
        c.exactly_at_max += (sum == x.w_max && x.w != x.w_max) as usize;
        c.trace_zero += (x.trace == 0) as usize;
        c.trace_one += (x.trace == 1) as usize;
        c.trace_saturated += (x.trace as i64 == cfg.trace_max()) as usize;
        c.amp_zero += (x.amp == 0) as usize;
        c.amp_max += (x.amp == cfg.amp_max()) as usize;
        if cfg.trace_frac > 0 && x.amp * x.trace as i64 >= one {
            c.tie += (frac == half) as usize;
            c.below_tie += (frac == half - 1) as usize;
            c.above_tie += (frac == half + 1) as usize;
        }
        c.unchanged += (x.expected(nc) == x.w) as usize;
    }
    c
}

fn run(cfg: Cfg, seed: u64) {
    let nc = cfg.numerics();
    let recs = vectors(&cfg, &nc, seed);
    let expected: Vec<i64> = recs.iter().map(|x| x.expected(&nc)).collect();
    let c = coverage(&cfg, &nc, &recs);
    let min = 20;
    let mut need = vec![
        ("depression", c.depression),
        ("potentiation", c.potentiation),
        ("w_at_min", c.w_at_min),
        ("w_at_max", c.w_at_max),
        ("clamped_low", c.clamped_low),
        ("clamped_high", c.clamped_high),
        ("exactly_at_min", c.exactly_at_min),
        ("exactly_at_max", c.exactly_at_max),
        ("trace_zero", c.trace_zero),
        ("trace_one", c.trace_one),
        ("trace_saturated", c.trace_saturated),
        ("amp_zero", c.amp_zero),
        ("amp_max", c.amp_max),
        ("unchanged", c.unchanged),
    ];
    if cfg.trace_frac > 0 {
        need.push(("tie", c.tie));
    }
    if cfg.trace_frac > 1 {
        // with TRACE_FRAC = 1 the neighbours of the tie are multiples of 2^TRACE_FRAC
        need.push(("below_tie", c.below_tie));
        need.push(("above_tie", c.above_tie));
    }
    for (what, n) in need {
        assert!(
            n >= min,
            "only {n} records reach {what} ({}); coverage: {c:?}",
            cfg.describe()
        );
    }
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_stdp");
    let mut params = cfg.params();
    params.push(("N", N as i64));
    let tb = compile_tb(
        &dir,
        "tb_snn_stdp",
        &["snn_pipe_ctrl.v", "snn_stdp.v"],
        &params,
    );
    let lines: Vec<String> = recs.iter().map(|x| x.hex(&cfg)).collect();
    let check = |i: usize, got: &[i128]| -> Result<(), String> {
        let x = &recs[i];
        let exp = [
            mask(i as i64, cfg.user_bits) as i128,
            expected[i] as i128,
            x.w as i128,
            x.potentiate as i128,
        ];
        if got != exp {
            return Err(format!(
                "inputs: {x:?}\n  rnd(A*trace) = {}, unclamped sum = {}\n  fields: (user, w_new, w_old, potentiate)\n  expected {exp:?}\n  got      {got:?}",
                stdp_delta(&nc, x.amp, x.trace),
                x.sum(&nc)
            ));
        }
        Ok(())
    };
    let matched = run_streaming(&tb, &lines, LATENCY, seed, &check);
    println!(
        "snn_stdp: matched {matched} of {N} records ({}; {} clamped; each of {} stall patterns)",
        cfg.describe(),
        c.clamped_low + c.clamped_high,
        STALLS.len()
    );
    println!("  coverage: {c:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snn_stdp_matches_reference_default_widths() {
    run(DEFAULT, 31);
}

#[test]
fn snn_stdp_matches_reference_odd_widths() {
    run(
        Cfg {
            w_bits: 7,
            trace_bits: 11,
            trace_frac: 7,
            user_bits: 13,
        },
        32,
    );
}

#[test]
fn snn_stdp_matches_reference_odd_widths_w15() {
    run(
        Cfg {
            w_bits: 15,
            trace_bits: 11,
            trace_frac: 7,
            user_bits: 9,
        },
        33,
    );
}

#[test]
fn snn_stdp_matches_reference_widest_trace() {
    // the widest product (15 x 24 bits) with every trace bit but one fractional
    run(
        Cfg {
            w_bits: 16,
            trace_bits: 24,
            trace_frac: 23,
            user_bits: 20,
        },
        34,
    );
}

#[test]
fn snn_stdp_matches_reference_no_rounding() {
    // TRACE_FRAC = 0: rnd(x, 0) = x
    run(
        Cfg {
            w_bits: 16,
            trace_bits: 24,
            trace_frac: 0,
            user_bits: 1,
        },
        35,
    );
}

#[test]
fn snn_stdp_matches_reference_narrowest() {
    // W_BITS = 2 (a 1-bit amplitude), TRACE_BITS = 2, TRACE_FRAC = 1
    run(
        Cfg {
            w_bits: 2,
            trace_bits: 2,
            trace_frac: 1,
            user_bits: 7,
        },
        36,
    );
}

#[test]
fn inverse_mod_pow2_is_an_inverse() {
    for bits in 1..=23 {
        for a in [1i64, 3, 5, 7, 127, 32767, (1 << bits.min(15)) - 1] {
            if a % 2 == 1 {
                let m = 1i64 << bits;
                assert_eq!((a * inverse_mod_pow2(a, bits)).rem_euclid(m), 1 % m);
            }
        }
    }
}

/// Collects what the engine observes: per step, the neuron records (traces
/// after phase A, spikes) and the weight writes.
#[derive(Default)]
struct Obs {
    neurons: Vec<NeuronRecord>,
    weights: Vec<WeightRecord>,
}

impl Observer for Obs {
    fn neuron(&mut self, r: &NeuronRecord) {
        self.neurons.push(*r);
    }
    fn weight(&mut self, r: &WeightRecord) {
        self.weights.push(*r);
    }
}

#[test]
fn snn_stdp_reproduces_the_engine_weight_records_in_contract_order() {
    // examples/stdp_pair.toml: Poisson-driven pre neurons onto post neurons
    // through plastic synapses. The requests are formed the way
    // docs/hdl-leaf-modules.md tells the core to: pre pass (depression with
    // A- and the target's y_post), then post pass (potentiation with A+ and
    // the source's x_pre), each reading the weight as last written back.
    const STEPS: u64 = 20_000;
    let path = spikefab_hdltest::repo_root().join("examples/stdp_pair.toml");
    let net = load_file(&path).expect("load examples/stdp_pair.toml");
    let mut e = Engine::from_network(&net).expect("build stdp_pair");
    let nc = e.model.numerics;
    let n = e.neurons() as usize;
    let mut mem: Vec<i64> = e.syn.weight.iter().map(|&w| w as i64).collect();
    let mut reqs: Vec<(usize, Rec)> = Vec::new();
    let mut obs = Obs::default();
    let mut same_step_pairs = 0usize;
    for _ in 0..STEPS {
        obs.neurons.clear();
        e.step_observed(Some(&mut obs));
        assert_eq!(obs.neurons.len(), n);
        let state: Vec<_> = obs.neurons.iter().map(|r| r.state).collect();
        let spikes: Vec<u32> = obs
            .neurons
            .iter()
            .filter(|r| r.spike)
            .map(|r| r.neuron)
            .collect();
        let mut step_reqs: Vec<(usize, bool)> = Vec::new();
        // pre pass: every plastic synapse of each spiking source's row
        for &src in &spikes {
            for s in e.syn.row(src) {
                if e.syn.rule[s] != 0 {
                    step_reqs.push((s, false));
                }
            }
        }
        // post pass: every plastic synapse onto each spiking target
        for &tgt in &spikes {
            let inc = &e.syn.incoming;
            for k in inc.start[tgt as usize] as usize..inc.start[tgt as usize + 1] as usize {
                step_reqs.push((inc.syn[k] as usize, true));
            }
        }
        let depressed: Vec<usize> = step_reqs.iter().filter(|r| !r.1).map(|r| r.0).collect();
        same_step_pairs += step_reqs
            .iter()
            .filter(|r| r.1 && depressed.contains(&r.0))
            .count();
        for (s, potentiate) in step_reqs {
            let p = e.model.stdp[e.syn.rule[s] as usize - 1]
                .clone()
                .expect("plastic synapse has a rule");
            let (amp, trace) = if potentiate {
                (p.a_plus, state[e.syn.source_of(s as u64) as usize].x_pre)
            } else {
                (p.a_minus, state[key_target(e.syn.key[s]) as usize].y_post)
            };
            let x = Rec {
                potentiate,
                w: mem[s],
                trace,
                amp,
                w_min: p.w_min,
                w_max: p.w_max,
            };
            // write-back before the next request reads the weight
            mem[s] = x.expected(&nc);
            reqs.push((s, x));
        }
    }
    // the requests, in this order, are exactly the engine's weight writes
    assert_eq!(
        reqs.len(),
        obs.weights.len(),
        "one request per weight write"
    );
    for (k, ((s, x), r)) in reqs.iter().zip(&obs.weights).enumerate() {
        assert_eq!(
            (*s as u64, x.w, x.expected(&nc)),
            (r.synapse, r.old as i64, r.new as i64),
            "request {k} differs from the engine's weight record {r:?}"
        );
    }
    assert!(
        reqs.len() >= 100,
        "only {} weight writes in {STEPS} steps",
        reqs.len()
    );
    // and the RTL computes every one of them
    let cfg = Cfg {
        w_bits: nc.w_bits,
        trace_bits: nc.trace_bits,
        trace_frac: nc.trace_frac,
        user_bits: 32,
    };
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_stdp_engine");
    let mut params = cfg.params();
    params.push(("N", reqs.len() as i64));
    let tb = compile_tb(
        &dir,
        "tb_snn_stdp",
        &["snn_pipe_ctrl.v", "snn_stdp.v"],
        &params,
    );
    let lines: Vec<String> = reqs.iter().map(|(_, x)| x.hex(&cfg)).collect();
    let check = |i: usize, got: &[i128]| -> Result<(), String> {
        let r = &obs.weights[i];
        let exp = [
            i as i128,
            r.new as i128,
            r.old as i128,
            reqs[i].1.potentiate as i128,
        ];
        if got != exp {
            return Err(format!(
                "engine record {r:?}, request {:?}\n  expected {exp:?}\n  got      {got:?}",
                reqs[i].1
            ));
        }
        Ok(())
    };
    let matched = run_streaming(&tb, &lines, LATENCY, 37, &check);
    let pot = reqs.iter().filter(|r| r.1.potentiate).count();
    println!(
        "snn_stdp: matched {matched} of {} records (engine stdp_pair, {STEPS} steps: {} depressions, {pot} potentiations, {same_step_pairs} same-step depress+potentiate pairs; {}; each of {} stall patterns)",
        reqs.len(),
        reqs.len() - pot,
        cfg.describe(),
        STALLS.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
