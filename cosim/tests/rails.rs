//! Generated corner networks: every saturation and clamp point of
//! docs/numerics.md driven to its rail, on both signs, exactly at the rail
//! and one LSB inside it, for several numerics (odd widths v21/i19,
//! v23/i21, 7-bit weights, the defaults v24/i24, and the `wide` formats
//! v32/i32, REF_BITS 16, W_SHIFT 8, 24.20 traces, 256 delay slots).
//!
//! The networks are built here from the config's `NumericsConfig`, so they
//! follow its widths: every parameter is chosen as an integer first (a
//! propagator, a DC term, a weight) and turned into the physical value that
//! quantizes to it. Each runs in lockstep with the reference (every record of
//! every step must match), and each property is asserted on the reference's
//! own records, with the value before saturation recomputed from the
//! quantized model: the rail is reached, and reached the way the test says
//! (exactly, one LSB inside, or clamped while more input arrives).
//!
//! - currents: `I_ex` settles exactly at `I_MAX` and at `I_MAX - 1`, `I_in`
//!   at `I_MIN` and `I_MIN + 1` (fixed points `rnd(I P11) + in = I` of a
//!   constant input), and sits clamped at each rail for many steps while
//!   more input arrives;
//! - potential: `V` exactly at `V_MAX = theta` (spikes), at `V_MAX - 1` (does
//!   not), clamped above `V_MAX` (spikes; a wrap would not), exactly at
//!   `V_MIN`, at `V_MIN + 1`, and clamped below `V_MIN`;
//! - refractory count loaded at `2^ref_bits - 1` and counted down;
//! - STDP (plastic configs): both traces at `2^trace_bits - 1` (the
//!   weight changes they drive are those of the rail value), potentiation
//!   clamped at `w_max`, depression clamped at `w_min` on the weight rail;
//! - delays (the `wide` config's 256 slots): every delay class up to 255.

mod support;

use spikefab_gen::{GenOptions, HwConfig};
use spikefab_sim::engine::{Engine, NeuronRecord, WeightRecord};
use spikefab_sim::numerics::{rshift_round, smax, smin, NumericsConfig};
use spikefab_sim::quant::{p20_mv_per_pa, PopParams};
use spikefab_sim::records::StepRecords;
use spikefab_sim::Network;
use support::{build_engine, engine_records, expect_match, hw, opts, prepare_on, run_prepared};

const DT: f64 = 0.1;
const C_M: f64 = 250.0;

/// The test config derived from `wide`: its numerics exactly, observation
/// on, STDP on, a core small enough to verilate in seconds.
fn wide_obs() -> HwConfig {
    let mut h = hw("wide");
    h.name = "wide_obs".into();
    h.description =
        "the wide numerics (v32/i32, w16<<8, acc32, ref16, trace 24.20, 256 slots) on a \
                     48-neuron plastic core with observation ports"
            .into();
    h.neurons_per_core = 48;
    h.max_rows = 48;
    h.syn_depth = 1024;
    h.max_pops = 4;
    h.stdp = true;
    h.n_rules = 4;
    h.inc_depth = 64;
    h.observe = true;
    h.check().expect("wide_obs is a legal config");
    h
}

fn config(name: &str) -> HwConfig {
    if name == "wide_obs" {
        wide_obs()
    } else {
        hw(name)
    }
}

// ------------------------------------------------------------ integers to physics

/// `tau` (ms) whose propagator `exp(-dt/tau)` quantizes to `p` in Q(cf):
/// 0 (a tiny tau), `2^cf` (a huge one: exactly 1.0) or anything between.
fn tau_for(p: i64, cf: u32) -> f64 {
    let cs = (1u64 << cf) as f64;
    if p == 0 {
        DT / 40.0
    } else if p as f64 >= cs {
        DT * (1u64 << (cf + 3)) as f64
    } else {
        -DT / (p as f64 / cs).ln()
    }
}

/// The DC (pA) whose term `P20 I_dc` quantizes to `dc` (V LSBs x 2^cf).
fn dc_pa(dc: i64, tau_m: f64, nc: &NumericsConfig) -> f64 {
    let scale = (1u64 << nc.v_frac) as f64 * (1u64 << nc.coef_frac) as f64;
    dc as f64 / (p20_mv_per_pa(tau_m, C_M, DT) * scale)
}

fn mv(x: i64, nc: &NumericsConfig) -> f64 {
    x as f64 / (1u64 << nc.v_frac) as f64
}

/// Weight `w` (weight LSBs) in pA.
fn w_pa(w: i64, nc: &NumericsConfig) -> f64 {
    w as f64 * (1u64 << nc.w_shift) as f64 / (1u64 << nc.i_frac) as f64
}

/// One population of generated parameters (all in integers but `t_ref`).
#[derive(Clone)]
struct Pop {
    name: &'static str,
    size: u32,
    p22: i64,
    dc: i64,
    theta: i64,
    v_reset: i64,
    ref_steps: u64,
    p11_ex: i64,
    p11_in: i64,
    v_init: i64,
}

impl Pop {
    fn new(name: &'static str, size: u32, nc: &NumericsConfig) -> Pop {
        Pop {
            name,
            size,
            p22: 0,
            dc: 0,
            theta: smax(nc.v_bits) / 2,
            v_reset: 0,
            ref_steps: 0,
            p11_ex: (1i64 << nc.coef_frac) / 4,
            p11_in: (1i64 << nc.coef_frac) / 4,
            v_init: 0,
        }
    }
    /// A population that spikes in every step: V = rnd(dc) just under V_MAX.
    fn driver(name: &'static str, size: u32, nc: &NumericsConfig) -> Pop {
        Pop {
            dc: (smax(nc.v_bits) << nc.coef_frac) - (1 << (nc.coef_frac - 2)),
            ..Pop::new(name, size, nc)
        }
    }
    fn toml(&self, nc: &NumericsConfig) -> String {
        let cf = nc.coef_frac;
        let mut tau_ex = tau_for(self.p11_ex, cf);
        let mut tau_in = tau_for(self.p11_in, cf);
        let tau_m = tau_for(self.p22, cf);
        // tau_syn == tau_m is singular; nudge (the propagator is unchanged).
        if tau_ex == tau_m {
            tau_ex *= 1.0 + 1e-15;
        }
        if tau_in == tau_m {
            tau_in *= 1.0 + 1e-15;
        }
        format!(
            "[[population]]\nname = \"{}\"\nsize = {}\nneuron = {{ tau_m_ms = {:e}, c_m_pf = {C_M:e}, \
             e_l_mv = 0.0, v_th_mv = {:e}, v_reset_mv = {:e}, t_ref_ms = {:e}, tau_syn_ex_ms = {:e}, \
             tau_syn_in_ms = {:e} }}\nv_init = {{ kind = \"constant\", v_mv = {:e} }}\n\
             background = {{ dc_pa = {:e} }}\n\n",
            self.name,
            self.size,
            tau_m,
            mv(self.theta, nc),
            mv(self.v_reset, nc),
            self.ref_steps as f64 * DT,
            tau_ex,
            tau_in,
            mv(self.v_init, nc),
            dc_pa(self.dc, tau_m, nc),
        )
    }
}

/// Explicit synapses `(source, target, weight LSBs, delay steps)`, local
/// indices, with an optional STDP rule `(A+, A-, w_min, w_max)` in LSBs.
struct Proj {
    name: String,
    source: &'static str,
    target: &'static str,
    syn: Vec<(u32, u32, i64, u32)>,
    stdp: Option<(i64, i64, i64, i64)>,
}

impl Proj {
    fn toml(&self, nc: &NumericsConfig) -> String {
        let syn: Vec<String> = self
            .syn
            .iter()
            .map(|&(s, t, w, d)| format!("[{s}, {t}, {:e}, {:e}]", w_pa(w, nc), d as f64 * DT))
            .collect();
        let mut t = format!(
            "[[projection]]\nname = \"{}\"\nsource = \"{}\"\ntarget = \"{}\"\nrule = {{ kind = \
             \"explicit\", synapses = [{}] }}\n",
            self.name,
            self.source,
            self.target,
            syn.join(", ")
        );
        if let Some((ap, am, lo, hi)) = self.stdp {
            t += &format!(
                "stdp = {{ a_plus_pa = {:e}, a_minus_pa = {:e}, w_min_pa = {:e}, w_max_pa = {:e} }}\n",
                w_pa(ap, nc),
                w_pa(am, nc),
                w_pa(lo, nc),
                w_pa(hi, nc)
            );
        }
        t + "\n"
    }
}

fn network(name: &str, steps: u64, nc: &NumericsConfig, pops: &[Pop], projs: &[Proj]) -> Network {
    let mut t = format!(
        "name = \"{name}\"\n\n[simulation]\ndt_ms = {DT:e}\nduration_ms = {:e}\nseed = 5\n\n",
        steps as f64 * DT
    );
    // The config's numerics (the load checks delays against them).
    t += &format!(
        "[numerics]\nv_bits = {}\nv_frac = {}\ni_bits = {}\ni_frac = {}\nw_bits = {}\n\
         w_shift = {}\nacc_bits = {}\ncoef_bits = {}\ncoef_frac = {}\nmax_delay_steps = {}\n\
         ref_bits = {}\ntrace_bits = {}\ntrace_frac = {}\npoisson_table_len = {}\n\n",
        nc.v_bits,
        nc.v_frac,
        nc.i_bits,
        nc.i_frac,
        nc.w_bits,
        nc.w_shift,
        nc.acc_bits,
        nc.coef_bits,
        nc.coef_frac,
        nc.max_delay_steps,
        nc.ref_bits,
        nc.trace_bits,
        nc.trace_frac,
        nc.poisson_table_len
    );
    if projs.iter().any(|p| p.stdp.is_some()) {
        // P+ = P- = 0.99: the traces' fixed point, 100 spikes' worth, is far
        // above the 16-spike rail of every config here.
        t += "[plasticity]\ntau_plus_ms = 9.95\ntau_minus_ms = 9.95\n\n";
    }
    for p in pops {
        t += &p.toml(nc);
    }
    for p in projs {
        t += &p.toml(nc);
    }
    spikefab_sim::load::load_str(&t, name).unwrap_or_else(|e| panic!("{name}: {e}\n{t}"))
}

/// `n` synapses from driver 0 to `target` of the pop, summing to `total`
/// weight LSBs (each within the weight format), delay 1.
fn split(total: i64, target: u32, nc: &NumericsConfig) -> Vec<(u32, u32, i64, u32)> {
    let wmax = smax(nc.w_bits);
    let q = total.abs();
    let n = (q + wmax - 1) / wmax;
    (0..n)
        .map(|k| {
            let w = q / n + i64::from(k < q % n);
            (0, target, w * total.signum(), 1)
        })
        .collect()
}

// ------------------------------------------------------------ running

/// Lockstep `net` on `h` for `steps` steps; the reference's records and an
/// engine of the network at step 0.
fn lockstep(h: &HwConfig, net: &Network, steps: u64) -> (Vec<StepRecords>, Engine) {
    let name = net.name.clone().unwrap_or_default();
    lockstep_named(h, net, &name, steps)
}

fn lockstep_named(
    h: &HwConfig,
    net: &Network,
    name: &str,
    steps: u64,
) -> (Vec<StepRecords>, Engine) {
    let mut p = prepare_on(
        net,
        h,
        &GenOptions::default(),
        &format!("rails-{}-{name}", h.name),
    );
    let repro = format!(
        "cargo test -p spikefab-cosim --test rails (network '{name}' on '{}', {steps} steps)",
        h.name
    );
    let r = expect_match(
        run_prepared(&mut p, &opts(steps, 1, 100, 1, repro)),
        &format!("{name} on '{}'", h.name),
    );
    println!("{name} on '{}': {}", h.name, r.marker());
    // the figure line that scripts/measure.sh verif-rails records
    println!(
        "{{\"test\": \"{name}\", \"config\": \"{}\", \"steps\": {}, \"neuron_updates\": {}, \
         \"spikes\": {}, \"weight_writes\": {}}}",
        h.name, r.steps, r.neuron_updates, r.spikes, r.weight_writes
    );
    let mut e = build_engine(net, h, 1).expect("the network builds");
    let recs = engine_records(&mut e, steps);
    (recs, build_engine(net, h, 1).expect("the network builds"))
}

fn trace_of(recs: &[StepRecords], n: u32) -> Vec<NeuronRecord> {
    recs.iter()
        .map(|r| *r.neurons.iter().find(|x| x.neuron == n).expect("record"))
        .collect()
}

fn pop<'a>(e: &'a Engine, name: &str) -> &'a PopParams {
    e.model.pops.iter().find(|p| p.name == name).expect("pop")
}

// ------------------------------------------------------------ currents

/// From 0 under constant input `a` (current propagator `p`): the step in
/// which the current first lands exactly on `x`, if it does so within
/// `steps` steps without passing it.
fn reaches(x: i64, p: i64, a: i64, steps: usize, cf: u32) -> Option<usize> {
    let mut i = 0i64;
    for t in 1..=steps {
        let u = rshift_round(i * p, cf) + a;
        if u == x {
            return Some(t);
        }
        if (a > 0 && u > x) || (a < 0 && u < x) {
            return None;
        }
        i = u;
    }
    None
}

/// A current driven exactly onto `x`: a constant input `a` settles it on
/// `j`, `kick` (a whole number of weight LSBs, maybe 0) from `x`, and one
/// extra spike of weight `kick` lands it on `x`, unclamped.
#[derive(Clone, Copy)]
struct Target {
    x: i64,
    a: i64,
    j: i64,
    kick: i64,
}

/// One synaptic channel (I_ex towards I_MAX, I_in towards I_MIN) with its
/// propagator and the inputs that land it exactly on the rail and one LSB
/// inside.
struct Channel {
    p: i64,
    at: Target,
    inside: Target,
}

/// Search the propagators for one under which both targets work. A constant
/// input alone often cannot settle a current exactly on a given value: the
/// current, rising from 0, stops at the first of the fixed points
/// `rnd(I p) + a == I` (one LSB inside the rail also is one, for the input
/// that makes the rail one), and inputs are whole weights (multiples of
/// 2^w_shift) within the accumulator bound; hence the kick.
fn channel(rail: i64, nc: &NumericsConfig) -> Channel {
    let cf = nc.coef_frac;
    let cs = 1i64 << cf;
    let step = 1i64 << nc.w_shift;
    let acc = smax(nc.acc_bits);
    let sign = rail.signum();
    let fits = |a: i64| a != 0 && a % step == 0 && a.abs() <= acc;
    let target = |x: i64, p: i64| {
        (0..=64).find_map(|m| {
            let kick = sign * m * step;
            let j = x - kick;
            let a = j - rshift_round(j * p, cf);
            (fits(a) && (a + kick).abs() <= acc && reaches(j, p, a, 180, cf).is_some())
                .then_some(Target { x, a, j, kick })
        })
    };
    for p in (cs * 76 / 100..=cs * 84 / 100).rev() {
        if let Some(at) = target(rail, p) {
            if let Some(inside) = target(rail - sign, p) {
                return Channel { p, at, inside };
            }
        }
    }
    panic!("no propagator drives a current to {rail} for {nc:?}");
}

/// Currents. Population `cur`: neuron 0 settles I_ex at I_MAX - 1 and
/// neuron 1 I_in at I_MIN + 1 (exactly, no clamp); neurons 2 and 3 settle
/// `kick` inside the rails and the one spike of `kick` (step KICK) lands
/// them exactly on I_MAX and I_MIN; neurons 4 and 5 get more input than the
/// rails need and sit clamped there while it keeps arriving.
fn currents(h: &HwConfig) {
    const KICK: u64 = 200;
    let nc = h.numerics;
    let cf = nc.coef_frac;
    let (imax, imin) = (smax(nc.i_bits), smin(nc.i_bits));
    let step = 1i64 << nc.w_shift;
    let acc = smax(nc.acc_bits);
    let (ex, inh) = (channel(imax, &nc), channel(imin, &nc));
    // More input per step than the rail needs, within the accumulator bound.
    let more = |a: i64| {
        let m = (a.abs() + a.abs() / 8).min(acc / step * step);
        assert!(m >= a.abs() + step, "room for more input than {a}");
        m * a.signum()
    };
    let (ae_over, ai_over) = (more(ex.inside.a), more(inh.inside.a));
    let lsb = |a: i64| a >> nc.w_shift;
    let cur = Pop {
        p11_ex: ex.p,
        p11_in: inh.p,
        p22: (1 << cf) * 9 / 10,
        ..Pop::new("cur", 6, &nc)
    };
    // An integrator of 1 mV per step with theta at KICK + 1 mV: one spike, in
    // step KICK.
    let mv1 = 1i64 << nc.v_frac;
    let kick = Pop {
        p22: 1 << cf,
        dc: mv1 << cf,
        theta: (KICK as i64 + 1) * mv1,
        ..Pop::new("kick", 1, &nc)
    };
    let mut syn = Vec::new();
    for (n, a) in [
        (0, ex.inside.a),
        (1, inh.inside.a),
        (2, ex.at.a),
        (3, inh.at.a),
        (4, ae_over),
        (5, ai_over),
    ] {
        syn.extend(split(lsb(a), n, &nc));
    }
    let projs = [
        Proj {
            name: "drive".into(),
            source: "drive",
            target: "cur",
            syn,
            stdp: None,
        },
        Proj {
            name: "kick".into(),
            source: "kick",
            target: "cur",
            syn: [(0, ex.inside), (1, inh.inside), (2, ex.at), (3, inh.at)]
                .iter()
                .filter(|(_, t)| t.kick != 0)
                .map(|&(n, t)| (0, n, lsb(t.kick), 1))
                .collect(),
            stdp: None,
        },
    ];
    let steps = KICK + 30;
    let net = network(
        "gen_currents",
        steps,
        &nc,
        &[Pop::driver("drive", 1, &nc), kick, cur],
        &projs,
    );
    let (recs, e) = lockstep(h, &net, steps);
    let d = trace_of(&recs, pop(&e, "drive").start);
    assert!(d.iter().all(|r| r.spike), "the driver spikes in every step");
    let k = trace_of(&recs, pop(&e, "kick").start);
    let kicks: Vec<usize> = (0..k.len()).filter(|&t| k[t].spike).collect();
    assert_eq!(kicks, [KICK as usize], "one kick, in step {KICK}");
    let c = pop(&e, "cur");
    assert_eq!((c.p11_ex, c.p11_in), (ex.p, inh.p), "propagators as chosen");
    let cur_of =
        |r: &NeuronRecord, exc: bool| i64::from(if exc { r.state.i_ex } else { r.state.i_in });
    let mut summary = Vec::new();
    // Clamped while more input keeps arriving.
    for (n, exc, p, a, rail, what) in [
        (4, true, ex.p, ae_over, imax, "I_ex clamped at I_MAX"),
        (5, false, inh.p, ai_over, imin, "I_in clamped at I_MIN"),
    ] {
        let tr = trace_of(&recs, c.start + n);
        let first = tr
            .iter()
            .position(|r| cur_of(r, exc) == rail)
            .unwrap_or_else(|| panic!("{what}: never reached on '{}'", h.name));
        assert!(
            steps as usize - first >= 20,
            "{what}: reached in step {first}, late"
        );
        for t in first..tr.len() {
            let u = rshift_round(cur_of(&tr[t - 1], exc) * p, cf) + a;
            assert_eq!(
                cur_of(&tr[t], exc),
                rail,
                "{what}: stays from step {first} (step {t})"
            );
            assert!(
                if exc { u > rail } else { u < rail },
                "{what}: step {t} clamps ({u} beyond the rail while input {a} arrives)"
            );
        }
        summary.push(format!("{what} from step {first}"));
    }
    // Exactly on the rail and one LSB inside, unclamped, in the step the
    // kick's input arrives (for a kick of 0: settled there).
    for (n, exc, p, tg, what) in [
        (0, true, ex.p, ex.inside, "I_ex at I_MAX - 1"),
        (1, false, inh.p, inh.inside, "I_in at I_MIN + 1"),
        (2, true, ex.p, ex.at, "I_ex exactly at I_MAX"),
        (3, false, inh.p, inh.at, "I_in exactly at I_MIN"),
    ] {
        let tr = trace_of(&recs, c.start + n);
        let t = KICK as usize + 1;
        assert_eq!(
            cur_of(&tr[t - 1], exc),
            tg.j,
            "{what}: settled {} inside",
            tg.kick.abs()
        );
        let u = rshift_round(tg.j * p, cf) + tg.a + tg.kick;
        assert_eq!(
            (u, cur_of(&tr[t], exc)),
            (tg.x, tg.x),
            "{what}: lands unclamped"
        );
        let rail = if exc { imax } else { imin };
        if tg.x == rail {
            assert!(
                tr[..t].iter().all(|r| cur_of(r, exc) != rail),
                "{what}: first in step {t}"
            );
        } else {
            assert!(
                tr.iter().all(|r| cur_of(r, exc) != rail),
                "{what}: never on the rail"
            );
        }
        summary.push(format!("{what} in step {t} (kick {})", tg.kick));
    }
    println!(
        "current rails on '{}' (i{} {}..={}): {}",
        h.name,
        nc.i_bits,
        imin,
        imax,
        summary.join(", ")
    );
}

// ------------------------------------------------------------ potential

/// V: exactly at V_MAX = theta (spikes), V_MAX - 1 (never spikes), clamped
/// above V_MAX (spikes in every step); exactly at V_MIN, at V_MIN + 1,
/// clamped below V_MIN.
fn potential(h: &HwConfig) {
    let nc = h.numerics;
    let cf = nc.coef_frac;
    let cs = 1i64 << cf;
    let (vmin, vmax) = (smin(nc.v_bits), smax(nc.v_bits));
    let q = 1i64 << (cf - 2);
    let top = |name, p22, dc, v_reset| Pop {
        p22,
        dc,
        theta: vmax,
        v_reset,
        ..Pop::new(name, 1, &nc)
    };
    let bottom = |name, p22, dc| Pop {
        p22,
        dc,
        ..Pop::new(name, 1, &nc)
    };
    let pops_top = [
        top("v_top_at", 0, (vmax << cf) - q, 0),
        top("v_top_inside", 0, (vmax - 1) << cf, 0),
        top("v_top_over", cs, (vmax << cf) - q, vmax / 2),
    ];
    let pops_bottom = [
        // V = rnd((V + V_MIN)/2 - 1/4): its only fixed point is V_MIN.
        bottom("v_bot_at", cs / 2, (vmin << (cf - 1)) - q),
        bottom("v_bot_inside", 0, (vmin + 1) << cf),
        bottom("v_bot_over", cs, (vmin + 1) << cf),
    ];
    let steps = 64;
    let mut lines = Vec::new();
    for (name, pops) in [("gen_v_top", &pops_top), ("gen_v_bottom", &pops_bottom)] {
        let net = network(name, steps, &nc, pops, &[]);
        let (recs, e) = lockstep(h, &net, steps);
        for p in pops.iter() {
            let q = pop(&e, p.name);
            assert_eq!((q.p22, q.theta), (p.p22, p.theta), "{}", p.name);
            let tr = trace_of(&recs, q.start);
            // V before saturation, from the previous record.
            let u = |t: usize| {
                let v = if t == 0 {
                    p.v_init
                } else {
                    i64::from(tr[t - 1].state.v)
                };
                rshift_round(v * q.p22 + q.dc_term, cf)
            };
            let v = |t: usize| i64::from(tr[t].state.v);
            match p.name {
                "v_top_at" => {
                    assert!(
                        (0..tr.len()).all(|t| u(t) == vmax && tr[t].spike),
                        "V lands on V_MAX = theta and spikes"
                    );
                }
                "v_top_inside" => {
                    assert!(
                        (0..tr.len()).all(|t| v(t) == vmax - 1 && !tr[t].spike),
                        "V = V_MAX - 1 = theta - 1 never spikes"
                    );
                }
                "v_top_over" => {
                    assert!(
                        tr.iter().all(|r| r.spike),
                        "clamped at V_MAX = theta: spikes in every step (a wrap would not)"
                    );
                    assert!(
                        (1..tr.len()).all(|t| u(t) > vmax),
                        "beyond V_MAX before the clamp"
                    );
                }
                "v_bot_at" => {
                    let first = (0..tr.len())
                        .position(|t| v(t) == vmin)
                        .expect("V reaches V_MIN");
                    assert!(first + 10 < tr.len());
                    assert!(
                        (first..tr.len()).all(|t| u(t) == vmin && v(t) == vmin),
                        "lands on V_MIN unclamped and stays"
                    );
                    assert!((0..first).all(|t| v(t) > vmin));
                    lines.push(format!("V exactly at V_MIN from step {first}"));
                }
                "v_bot_inside" => {
                    assert!((0..tr.len()).all(|t| v(t) == vmin + 1), "V = V_MIN + 1");
                }
                "v_bot_over" => {
                    assert!(
                        (1..tr.len()).all(|t| u(t) < vmin && v(t) == vmin),
                        "clamped at V_MIN"
                    );
                }
                _ => unreachable!(),
            }
        }
    }
    println!(
        "potential rails on '{}' (v{} {vmin}..={vmax}): V_MAX = theta spikes, V_MAX - 1 does \
         not, above V_MAX clamps and spikes; {}, V_MIN + 1 held, below V_MIN clamps",
        h.name,
        nc.v_bits,
        lines.join(", ")
    );
}

// ------------------------------------------------------------ refractory

/// The refractory count at its largest value, 2^ref_bits - 1: loaded at the
/// spike, counted down with V held at v_reset; for counts that fit the run,
/// the neuron integrates and spikes again right after.
fn refractory(h: &HwConfig) {
    let nc = h.numerics;
    let rmax = (1u64 << nc.ref_bits) - 1;
    let steps = (rmax + 8).min(300);
    let p = Pop {
        ref_steps: rmax,
        ..Pop::driver("ref_max", 1, &nc)
    };
    let net = network("gen_refractory", steps, &nc, &[p], &[]);
    let (recs, e) = lockstep(h, &net, steps);
    let q = pop(&e, "ref_max");
    assert_eq!(q.ref_steps as u64, rmax);
    let tr = trace_of(&recs, q.start);
    assert!(
        tr[0].spike && tr[0].state.refr as u64 == rmax,
        "spikes in step 0, count at 2^ref_bits - 1"
    );
    for (t, r) in tr.iter().enumerate().take(rmax as usize + 1).skip(1) {
        assert_eq!(
            (r.state.refr as u64, i64::from(r.state.v), r.spike),
            (rmax - t as u64, q.v_reset, false),
            "held in step {t}"
        );
    }
    if (rmax as usize) + 1 < tr.len() {
        assert!(
            tr[rmax as usize + 1].spike,
            "integrates and spikes in step 2^ref_bits"
        );
    }
    println!(
        "refractory rail on '{}': count {} = 2^{} - 1 loaded, counted down over {} of its steps",
        h.name,
        rmax,
        nc.ref_bits,
        (steps - 1).min(rmax)
    );
}

fn rails_on(name: &str) {
    let h = config(name);
    currents(&h);
    potential(&h);
    refractory(&h);
}

#[test]
fn currents_potential_and_refractory_rails_on_odd_widths_v21_i19() {
    rails_on("odd");
}

#[test]
fn currents_potential_and_refractory_rails_on_v23_i21() {
    rails_on("stdp");
}

#[test]
fn currents_potential_and_refractory_rails_on_7_bit_weights() {
    rails_on("w7");
}

#[test]
fn currents_potential_and_refractory_rails_on_default_numerics() {
    rails_on("small");
}

#[test]
fn currents_potential_and_refractory_rails_on_wide_numerics() {
    rails_on("wide_obs");
}

// ------------------------------------------------------------ STDP

fn writes_of(recs: &[StepRecords], syn: u64) -> Vec<WeightRecord> {
    recs.iter()
        .flat_map(|r| r.weights.iter().filter(|w| w.synapse == syn).copied())
        .collect()
}

/// Both traces at 2^trace_bits - 1, and the weight changes they drive;
/// potentiation clamped at w_max, depression clamped at w_min = the weight
/// rail.
fn stdp_rails(name: &str) {
    let h = config(name);
    let nc = h.numerics;
    let wmax = smax(nc.w_bits);
    let wmin = smin(nc.w_bits);
    let a = (wmax / 64).max(1);
    let tmax = (1i64 << nc.trace_bits) - 1;
    let pair = Pop::driver("pair", 2, &nc);
    let projs = [
        Proj {
            name: "mid".into(),
            source: "pair",
            target: "pair",
            syn: vec![(0, 1, wmax / 2, 1)],
            stdp: Some((a, a, 0, wmax)),
        },
        Proj {
            name: "at_max".into(),
            source: "pair",
            target: "pair",
            syn: vec![(0, 1, wmax, 1)],
            stdp: Some((2 * a, a, 0, wmax)),
        },
        Proj {
            name: "at_min".into(),
            source: "pair",
            target: "pair",
            syn: vec![(0, 1, wmin, 1)],
            stdp: Some((a, 2 * a, wmin, -1)),
        },
    ];
    let steps = 60;
    let net = network("gen_stdp_rails", steps, &nc, &[pair], &projs);
    let (recs, e) = lockstep(&h, &net, steps);
    let (pre, post) = (trace_of(&recs, 0), trace_of(&recs, 1));
    assert!(
        pre.iter().chain(&post).all(|r| r.spike),
        "both spike in every step"
    );
    let first = post
        .iter()
        .position(|r| i64::from(r.state.y_post) == tmax)
        .expect("y_post reaches 2^trace_bits - 1");
    assert!(first + 20 < steps as usize);
    for t in first..steps as usize {
        assert_eq!(
            i64::from(post[t].state.y_post),
            tmax,
            "y_post stays at the rail"
        );
        assert_eq!(i64::from(pre[t].state.x_pre), tmax, "x_pre at the rail");
    }
    let rule = |k: usize| e.model.stdp[k].clone().expect("plastic");
    let syn_of = |w0: i64| {
        e.syn
            .row(0)
            .find(|&i| i64::from(e.syn.weight[i]) == w0)
            .expect("synapse") as u64
    };
    let tf = nc.trace_frac;
    let dw = |amp: i64| rshift_round(amp * tmax, tf);
    let (mid, top, bot) = (syn_of(wmax / 2), syn_of(wmax), syn_of(wmin));
    let (r_mid, r_top, r_bot) = (rule(0), rule(1), rule(2));
    let mut n_mid = 0;
    for w in writes_of(&recs, mid)
        .iter()
        .filter(|w| w.step as usize >= first)
    {
        let d = i64::from(w.new) - i64::from(w.old);
        assert!(
            d == -dw(r_mid.a_minus) || d == dw(r_mid.a_plus),
            "a change of the rail trace value: {w:?}"
        );
        n_mid += 1;
    }
    assert_eq!(
        n_mid,
        2 * (steps as usize - first),
        "one depression and one potentiation per step"
    );
    let tops = writes_of(&recs, top);
    let clamped_top = tops
        .iter()
        .filter(|w| {
            i64::from(w.new) == wmax
                && i64::from(w.old) + dw(r_top.a_plus) > wmax
                && w.step as usize >= first
        })
        .count();
    let bots = writes_of(&recs, bot);
    let clamped_bot = bots
        .iter()
        .filter(|w| {
            i64::from(w.new) == wmin
                && i64::from(w.old) - dw(r_bot.a_minus) < wmin
                && w.step as usize >= first
        })
        .count();
    assert_eq!(
        clamped_top,
        steps as usize - first,
        "potentiation clamps at w_max in every step"
    );
    assert_eq!(
        clamped_bot,
        steps as usize - first,
        "depression clamps at w_min = {wmin} in every step"
    );
    println!(
        "STDP rails on '{}': traces at {tmax} = 2^{} - 1 from step {first}; changes -{} / +{} at \
         the rail; {clamped_top} potentiations clamped at w_max = {wmax}, {clamped_bot} \
         depressions at w_min = {wmin}",
        h.name,
        nc.trace_bits,
        dw(r_mid.a_minus),
        dw(r_mid.a_plus)
    );
}

#[test]
fn stdp_traces_and_weight_clamps_reach_their_rails_on_v23_w12() {
    stdp_rails("stdp");
}

#[test]
fn stdp_traces_and_weight_clamps_reach_their_rails_on_wide_numerics() {
    stdp_rails("wide_obs");
}

// ------------------------------------------------------------ 256 slots

/// Every delay class over the wide config's 256-slot ring (delays 1..=255)
/// arrives in step t + d.
#[test]
fn delays_up_to_255_steps_on_256_slots_arrive_on_time() {
    let h = wide_obs();
    let nc = h.numerics;
    let max = nc.max_delay_steps;
    assert_eq!(max, 255, "256 slots");
    let delays = [
        1u32, 2, 3, 7, 15, 33, 63, 64, 65, 127, 128, 129, 200, 254, 255,
    ];
    let src = Pop {
        p22: (1 << nc.coef_frac) * 9 / 10,
        theta: 1 << nc.v_frac,
        v_init: 2 << nc.v_frac,
        ..Pop::new("src", 1, &nc)
    };
    let tgt = Pop::new("tgt", delays.len() as u32, &nc);
    let w = smax(nc.w_bits) / 3;
    let proj = Proj {
        name: "delays".into(),
        source: "src",
        target: "tgt",
        syn: delays
            .iter()
            .enumerate()
            .map(|(k, &d)| (0, k as u32, w, d))
            .collect(),
        stdp: None,
    };
    let steps = max as u64 + 10;
    let net = network("gen_delays_256", steps, &nc, &[src, tgt], &[proj]);
    let (recs, e) = lockstep(&h, &net, steps);
    let s = trace_of(&recs, pop(&e, "src").start);
    assert!(
        s[0].spike && s[1..].iter().all(|r| !r.spike),
        "one spike, in step 0"
    );
    let t0 = pop(&e, "tgt").start;
    for (k, &d) in delays.iter().enumerate() {
        let tr = trace_of(&recs, t0 + k as u32);
        let first = tr.iter().position(|r| r.state.i_ex != 0).expect("arrives");
        assert_eq!(first, d as usize, "delay {d} arrives in step {d}");
        assert_eq!(i64::from(tr[first].state.i_ex), w << nc.w_shift);
    }
    println!(
        "256-slot delays on '{}': delays {delays:?} each arrive in step d",
        h.name
    );
}
