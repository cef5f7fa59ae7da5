//! The random network generator of the co-simulation tests
//! (`random_networks.rs`: one core per config; `mesh.rs`: the same network
//! on meshes 1x1, 2x1, 2x2 and 3x2): a proptest strategy that draws a
//! network fitting a hardware config's capacities, numerics and budgets.
//!
//! [`net_spec`] draws 1..=min(4, max_pops) populations of any size up to
//! the config's capacity (non-powers of two included), DC drive from none
//! to saturating (both signs), Poisson drive up to the table's limit with
//! weights up to the rails, thresholds from a few mV to exactly the top of
//! the potential range, refractory periods up to the counter's maximum,
//! projections of every rule (explicit multapse lists and fixed-indegree
//! bursts onto small populations included) with weights up to the rails,
//! delays from 1 step to `max_delay_steps`, STDP on and off (plastic
//! configs only; excitatory and inhibitory bounds, rail bounds included),
//! and how to run it (steps, Verilator's random initial values, spike-out
//! backpressure). [`build`] turns a draw into a [`Case`]: accumulator and
//! capacity budgets are respected by construction (the build may still
//! reject a rare network, which the tests skip and count).

use std::collections::BTreeMap;

use proptest::prelude::*;
use spikefab_gen::HwConfig;
use spikefab_sim::net::*;
use spikefab_sim::numerics::{smax, umax, NumericsConfig};

/// What the strategy needs to know about a config.
#[derive(Debug, Clone)]
pub struct Caps {
    pub name: String,
    /// The config's numerics (those of every network drawn).
    pub numerics: NumericsConfig,
    pub neurons: u32,
    pub pops: usize,
    pub syn_depth: u64,
    pub stdp: bool,
    pub n_rules: usize,
    pub inc_depth: u64,
    /// Potential LSB and the largest potential, mV.
    pub v_lsb: f64,
    pub vmax_mv: f64,
    /// Weight LSB (pA) and the largest weight in LSBs.
    pub w_lsb: f64,
    pub wmax: i64,
    /// Per neuron and channel: the largest sum of |w| in weight LSBs.
    pub acc_budget: i64,
    pub max_delay: u32,
    pub ref_max: u32,
    /// The largest Poisson mean per step the table holds (with margin).
    pub lambda_max: f64,
    /// `dt / C` must stay below this (P21 fits the propagator format).
    pub dt_per_c_max: f64,
    /// Largest population the strategy draws directly.
    pub max_size: u32,
}

impl Caps {
    /// The capacities and formats of `hw`; no population drawn larger than
    /// `max_size` (nor than the config's `neurons_per_core`).
    pub fn of(hw: &HwConfig, max_size: u32) -> Caps {
        let nc = hw.numerics;
        let v_lsb = (-(nc.v_frac as f64)).exp2();
        let w_lsb = (nc.w_shift as f64 - nc.i_frac as f64).exp2();
        let table = nc.poisson_table_len as usize;
        let (mut lo, mut hi) = (0.0f64, 300.0f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if spikefab_sim::quant::poisson_table(mid, table).1 <= 1e-6 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let coef_max = umax(nc.coef_bits) as f64 / (nc.coef_frac as f64).exp2();
        let vi = (nc.v_frac as f64 - nc.i_frac as f64).exp2();
        Caps {
            name: hw.name.clone(),
            numerics: nc,
            neurons: hw.neurons_per_core as u32,
            pops: hw.max_pops as usize,
            syn_depth: hw.syn_depth,
            stdp: hw.stdp,
            n_rules: hw.n_rules as usize,
            inc_depth: hw.inc_depth,
            v_lsb,
            vmax_mv: smax(nc.v_bits) as f64 * v_lsb,
            w_lsb,
            wmax: smax(nc.w_bits),
            acc_budget: smax(nc.acc_bits) >> nc.w_shift,
            max_delay: nc.max_delay_steps,
            ref_max: umax(nc.ref_bits) as u32,
            lambda_max: 0.95 * lo,
            dt_per_c_max: 0.9 * coef_max / vi,
            max_size,
        }
    }

    /// Round a potential (mV above E_L) to the grid.
    pub fn v_grid(&self, mv: f64) -> f64 {
        (mv / self.v_lsb).round() * self.v_lsb
    }
}

/// One population as drawn (fractions and regimes that [`build`] scales to
/// the config).
#[derive(Debug, Clone)]
pub struct PopSpec {
    pub size: u32,
    pub tau_m: f64,
    pub c_frac: f64,
    pub e_l_quarter: u32,
    pub theta: (u8, f64),
    pub reset_frac: f64,
    pub t_ref: u32,
    pub tau_syn: (f64, f64),
    pub v_init: (u8, f64, f64),
    pub dc: (u8, f64),
    /// Mean fraction, indegree, weight regime, weight fraction.
    pub poisson: Option<(f64, u32, u8, f64)>,
}

/// One projection as drawn.
#[derive(Debug, Clone)]
pub struct ProjSpec {
    pub src: usize,
    pub tgt: usize,
    pub rule: u8,
    pub amount: f64,
    pub k: u32,
    pub autapses: bool,
    pub weight: (u8, f64, bool, f64),
    pub delay: (u8, f64, f64),
    /// A+ fraction, A- fraction, bound regime, bound fraction.
    pub stdp: Option<(f64, f64, u8, f64)>,
    /// Source, target, weight regime, delay regime.
    pub explicit: Vec<(u32, u32, u8, u8)>,
}

/// One network as drawn.
#[derive(Debug, Clone)]
pub struct NetSpec {
    pub pops: Vec<PopSpec>,
    pub projs: Vec<ProjSpec>,
    pub seed: u64,
    pub steps: u64,
    pub dt: u8,
    pub taus: (f64, f64),
    pub run: (u32, u32, u32),
}

/// One network and how to run it.
#[derive(Debug, Clone)]
pub struct Case {
    pub net: Network,
    pub steps: u64,
    pub x_seed: u32,
    pub spk_pct: u32,
    pub stall_seed: u32,
}

fn pop_spec(sizes: BoxedStrategy<u32>) -> impl Strategy<Value = PopSpec> {
    (
        sizes,
        (5.0f64..30.0, 0.0f64..1.0, 0u32..=40),
        ((0u8..4, 0.0f64..1.0), 0.0f64..1.0),
        prop_oneof![0u32..=3, 0u32..=255, Just(u32::MAX)],
        (0.2f64..4.5, 0.2f64..4.5),
        (0u8..3, 0.0f64..1.2, 0.0f64..1.0),
        (0u8..6, 0.0f64..1.0),
        prop::option::of((0.0f64..1.0, 1u32..=2000, 0u8..4, 0.0f64..1.0)),
    )
        .prop_map(
            |(
                size,
                (tau_m, c_frac, e_l_quarter),
                (theta, reset_frac),
                t_ref,
                tau_syn,
                v_init,
                dc,
                poisson,
            )| {
                PopSpec {
                    size,
                    tau_m,
                    c_frac,
                    e_l_quarter,
                    theta,
                    reset_frac,
                    t_ref,
                    tau_syn,
                    v_init,
                    dc,
                    poisson,
                }
            },
        )
}

fn proj_spec(stdp: bool) -> impl Strategy<Value = ProjSpec> {
    let plastic = if stdp {
        prop::option::of((0.0f64..1.0, 0.0f64..1.0, 0u8..3, 0.0f64..1.0)).boxed()
    } else {
        Just(None).boxed()
    };
    (
        (0usize..4, 0usize..4),
        (0u8..5, 0.0f64..1.0, 1u32..=48, any::<bool>()),
        (0u8..4, 0.0f64..1.0, any::<bool>(), 0.0f64..1.0),
        (0u8..4, 0.0f64..1.0, 0.0f64..1.0),
        plastic,
        prop::collection::vec(
            (
                prop_oneof![0u32..3, 0u32..1000],
                prop_oneof![0u32..2, 0u32..1000],
                0u8..3,
                0u8..3,
            ),
            1..24,
        ),
    )
        .prop_map(
            |((src, tgt), (rule, amount, k, autapses), weight, delay, stdp, explicit)| ProjSpec {
                src,
                tgt,
                rule,
                amount,
                k,
                autapses,
                weight,
                delay,
                stdp,
                explicit,
            },
        )
}

/// The strategy of networks for `caps` (turn a draw into a network with
/// [`build`]).
pub fn net_spec(caps: &Caps) -> impl Strategy<Value = NetSpec> {
    let max = caps.max_size.min(caps.neurons);
    let sizes = if caps.neurons > 300 {
        prop_oneof![
            3 => 1u32..=40,
            1 => Just(33u32),
            1 => Just(100u32),
            1 => Just(257u32),
            1 => 41u32..=300.min(max),
            1 => 301u32.min(max)..=max,
        ]
        .boxed()
    } else {
        prop_oneof![2 => 1u32..=8, 3 => 1u32..=max, 1 => Just(33u32.min(max))].boxed()
    };
    let max_pops = caps.pops.min(4);
    let max_projs = if caps.stdp { caps.n_rules } else { 6 };
    let steps = if caps.neurons > 300 {
        60u64..=120
    } else {
        60u64..=150
    };
    (
        prop::collection::vec(pop_spec(sizes), 1..=max_pops),
        prop::collection::vec(proj_spec(caps.stdp), 0..=max_projs),
        0u64..=i64::MAX as u64,
        steps,
        prop_oneof![3 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        (1.0f64..40.0, 1.0f64..40.0),
        (
            prop_oneof![2 => Just(100u32), 1 => 5u32..100],
            1u32..=u32::MAX,
            1u32..=u32::MAX,
        ),
    )
        .prop_map(|(pops, projs, seed, steps, dt, taus, run)| NetSpec {
            pops,
            projs,
            seed,
            steps,
            dt,
            taus,
            run,
        })
}

/// Budget bookkeeping of the builder: per target population and channel,
/// the sum of |w| (weight LSBs) one neuron can receive, and the synapse
/// counts against the memories.
struct Budget {
    acc: Vec<[i64; 2]>,
    synapses: f64,
    plastic: f64,
}

/// An upper estimate of a random indegree of mean `m` (nearly never
/// exceeded; the build rejects the rare network that does).
fn indegree_bound(m: f64, cap: f64) -> f64 {
    (m + 5.0 * m.sqrt() + 3.0).min(cap).ceil()
}

/// The network of a draw, fitted to `caps` (budgets respected by
/// construction), and how to run it.
pub fn build(spec: &NetSpec, caps: &Caps) -> Case {
    let dt = [0.1, 0.05, 0.2][spec.dt as usize % 3];
    let c_min = (dt / caps.dt_per_c_max).max(100.0);
    let wmax = caps.wmax;
    let mut pops = Vec::new();
    let mut left = caps.neurons;
    let n_pops = spec.pops.len();
    for (i, p) in spec.pops.iter().enumerate() {
        let room = left - (n_pops - i - 1) as u32;
        let size = p.size.clamp(1, room.max(1));
        left -= size;
        let tau_m = p.tau_m;
        let c_m = c_min * (1.0 + 2.0 * p.c_frac);
        let e_l = -70.0 + 0.25 * p.e_l_quarter as f64;
        let theta = match p.theta.0 {
            0 | 1 => caps.v_grid(4.0 + 21.0 * p.theta.1),
            2 => caps.v_grid(caps.vmax_mv * (0.7 + 0.3 * p.theta.1)),
            _ => caps.vmax_mv,
        };
        let reset = if p.reset_frac < 0.1 {
            theta - caps.v_lsb
        } else {
            caps.v_grid(theta - p.reset_frac * (theta + 20.0))
                .min(theta - caps.v_lsb)
        };
        let t_ref = if p.t_ref == u32::MAX {
            caps.ref_max
        } else {
            p.t_ref % (caps.ref_max + 1)
        };
        let v_init = match p.v_init.0 {
            0 => VInit::Constant {
                v_mv: e_l + caps.v_grid(theta * p.v_init.1),
            },
            1 => VInit::Uniform {
                low_mv: e_l - 10.0,
                high_mv: e_l + theta * p.v_init.1,
            },
            _ => VInit::Normal {
                mean_mv: e_l + theta * 0.5,
                std_mv: theta * 0.3 * p.v_init.2,
            },
        };
        let dc_cap = 0.95 * caps.vmax_mv * c_m / dt;
        let dc_pa = match p.dc.0 {
            0 => 0.0,
            1..=3 => (theta * (0.8 + 3.0 * p.dc.1) * c_m / tau_m).min(dc_cap),
            4 => dc_cap * (0.3 + 0.7 * p.dc.1),
            _ => -dc_cap * (0.3 + 0.7 * p.dc.1),
        };
        let poisson = p.poisson.map(|(lf, indegree, wr, wf)| {
            let lambda = caps.lambda_max * (0.05 + 0.95 * lf);
            let w_lsb = match wr {
                0 => (1.0 + wf * 0.3 * wmax as f64).round() as i64,
                1 => wmax,
                2 => -(1.0 + wf * 0.3 * wmax as f64).round() as i64,
                _ => -wmax - 1,
            };
            PoissonDrive {
                rate_hz: lambda / (indegree as f64 * dt * 1e-3),
                indegree,
                weight_pa: w_lsb as f64 * caps.w_lsb,
            }
        });
        pops.push(Population {
            kind: spikefab_sim::net::PopulationKind::Lif,
            name: format!("P{i}"),
            size,
            neuron: NeuronParams {
                tau_m_ms: tau_m,
                c_m_pf: c_m,
                e_l_mv: e_l,
                v_th_mv: e_l + theta,
                v_reset_mv: e_l + reset,
                t_ref_ms: t_ref as f64 * dt,
                tau_syn_ex_ms: p.tau_syn.0,
                tau_syn_in_ms: p.tau_syn.1,
            },
            v_init,
            background: Background { dc_pa, poisson },
        });
    }

    let mut b = Budget {
        acc: vec![[0, 0]; pops.len()],
        synapses: 0.0,
        plastic: 0.0,
    };
    let syn_cap = caps.syn_depth as f64;
    let inc_cap = caps.inc_depth as f64;
    let mut projections = Vec::new();
    for s in &spec.projs {
        let (si, ti) = (s.src % pops.len(), s.tgt % pops.len());
        let (ns, nt) = (pops[si].size, pops[ti].size);
        let (fs, ft) = (ns as f64, nt as f64);
        let same_single = si == ti && ns == 1;
        let d_steps = |regime: u8, frac: f64| -> u32 {
            match regime {
                0 => 1,
                1 => caps.max_delay,
                _ => 1 + (frac * (caps.max_delay - 1) as f64).round() as u32,
            }
        };
        if s.rule == 4 {
            // Explicit list: rail weights, multapses, delays 1 / max / mid.
            let mut syn = Vec::new();
            let mut per_target: BTreeMap<(u32, usize), i64> = BTreeMap::new();
            for &(a, t, wr, dr) in &s.explicit {
                let (a, t) = (a % ns, t % nt);
                let w = match wr {
                    0 => wmax,
                    1 => -wmax - 1,
                    _ => (wmax / 7).max(1),
                };
                let ch = usize::from(w < 0);
                let used = per_target.entry((t, ch)).or_insert(0);
                if b.acc[ti][ch] + *used + w.abs() > caps.acc_budget
                    || b.synapses + syn.len() as f64 + 1.0 > syn_cap
                {
                    continue;
                }
                *used += w.abs();
                let d = d_steps(dr, 0.5);
                syn.push((a, t, w as f64 * caps.w_lsb, d as f64 * dt));
            }
            if syn.is_empty() {
                continue;
            }
            for ch in 0..2 {
                let worst = per_target
                    .iter()
                    .filter(|((_, c), _)| *c == ch)
                    .map(|(_, v)| *v)
                    .max()
                    .unwrap_or(0);
                b.acc[ti][ch] += worst;
            }
            b.synapses += syn.len() as f64;
            projections.push(Projection {
                name: None,
                source: pops[si].name.clone(),
                target: pops[ti].name.clone(),
                rule: Rule::Explicit { synapses: syn },
                weight: None,
                delay: None,
                stdp: None,
            });
            continue;
        }
        let (wr, wf, inh, sdf) = s.weight;
        // weight mean and sd in LSBs (magnitudes)
        let (mut mean, mut sd) = match wr {
            0 | 1 => (1.0 + wf * 0.3 * wmax as f64, sdf * 0.1 * wmax as f64 * wf),
            2 => (wmax as f64, 0.0),
            _ => {
                let m = wmax as f64 * (0.8 + 0.2 * wf);
                (m, sdf * (wmax as f64 - m) / 5.0)
            }
        };
        let plastic = s.stdp.filter(|_| caps.stdp);
        // plastic bounds in LSBs, as magnitudes [lo, hi]
        let mut bounds = plastic.map(|(_, _, br, bf)| match br {
            0 => (0.0, wmax as f64 + if inh { 1.0 } else { 0.0 }),
            1 => (mean * (1.0 - bf), (mean * (1.0 + bf)).min(wmax as f64)),
            _ => (mean * 0.5 * bf, mean),
        });
        // The largest |w| a synapse can have: its drawn weight (mean + 5 sd;
        // a drawn plastic weight is not clamped to its bounds) or, once STDP
        // has updated it, its bound. (The build bounds a plastic synapse by
        // its bound alone, which is unsound: see
        // corners.rs::plastic_weights_drawn_beyond_w_max_respect_the_accumulator_bound.)
        let worst_w = |mean: f64, sd: f64, bounds: Option<(f64, f64)>| -> f64 {
            let drawn = (mean + 5.0 * sd).round().min(wmax as f64 + 1.0) + 1.0;
            match bounds {
                Some((_, hi)) => drawn.max(hi.round()),
                None => drawn,
            }
        };
        let rule = match s.rule {
            0 => 0u8,
            1 => 1,
            2 => 2,
            _ if ns == nt => 3,
            _ => 0,
        };
        let mut k = s.k;
        let mut p_conn = s.amount * 0.5;
        // synapse memory (and incoming list) left
        let mut room_syn = syn_cap - b.synapses;
        if plastic.is_some() {
            room_syn = room_syn.min(inc_cap - b.plastic);
        }
        // fixed_total_number: an exact count; amount > 0.97 fills the
        // memory that is left (to the word, when no Bernoulli projection
        // came first)
        let mut n_total = if s.amount > 0.97 {
            room_syn.floor()
        } else {
            (s.amount * 0.5 * fs * ft).round()
        };
        let est = |rule: u8, n_total: f64, p: f64, k: u32| -> (f64, f64) {
            // (indegree bound, synapses: exact but for Bernoulli's bound)
            match rule {
                0 => (indegree_bound(n_total / ft, n_total), n_total),
                1 => (indegree_bound(p * fs, fs), p * fs * ft * 1.2 + 10.0),
                2 => (k as f64, k as f64 * ft),
                _ => (1.0, ft),
            }
        };
        let ch = usize::from(inh);
        let room = (caps.acc_budget - b.acc[ti][ch]) as f64;
        let (deg, _) = est(rule, n_total, p_conn, k);
        let w = worst_w(mean, sd, bounds);
        if deg * w > room {
            if rule == 2 {
                k = (room / w).floor() as u32;
                if k == 0 {
                    continue;
                }
            } else {
                let f = (room / deg - 1.0) / w;
                if f <= 0.0 {
                    continue;
                }
                mean *= f;
                sd *= f;
                bounds = bounds.map(|(lo, hi)| (lo * f, hi * f));
                if mean < 1.0 {
                    continue;
                }
            }
        }
        let (_, n_syn) = est(rule, n_total, p_conn, k);
        if n_syn > room_syn {
            match rule {
                0 => n_total = room_syn.floor(),
                1 => p_conn *= 0.8 * room_syn / n_syn,
                2 => k = (room_syn / ft).floor() as u32,
                _ => continue,
            }
        }
        let (deg, n_syn) = est(rule, n_total, p_conn, k);
        if n_syn < 1.0 || n_syn > room_syn || (rule == 2 && k == 0) {
            continue;
        }
        let w = worst_w(mean, sd, bounds);
        b.acc[ti][ch] += (deg * w).ceil() as i64;
        b.synapses += n_syn;
        if plastic.is_some() {
            b.plastic += n_syn;
        }
        let sign = if inh { -1.0 } else { 1.0 };
        let rule = match rule {
            0 => Rule::FixedTotalNumber {
                n: n_total as u64,
                autapses: s.autapses || same_single,
            },
            1 => Rule::PairwiseBernoulli {
                p: p_conn,
                autapses: s.autapses,
            },
            2 => Rule::FixedIndegree {
                k,
                autapses: s.autapses || same_single,
            },
            _ => Rule::OneToOne,
        };
        let (dr, df, dsd) = s.delay;
        let d = d_steps(dr, df);
        let d_sd = if dr >= 2 { dsd * 3.0 * dt } else { 0.0 };
        let mean_lsb = mean.round().max(1.0);
        let stdp = plastic.zip(bounds).map(|((ap, am, _, _), (lo, hi))| {
            let (lo, hi) = (lo.round().min(mean_lsb), hi.round().max(mean_lsb));
            let (w_min, w_max) = if inh { (-hi, -lo) } else { (lo, hi) };
            Stdp {
                a_plus_pa: (ap * 0.1 * wmax as f64).round() * caps.w_lsb,
                a_minus_pa: (am * 0.1 * wmax as f64).round() * caps.w_lsb,
                w_min_pa: w_min * caps.w_lsb,
                w_max_pa: w_max * caps.w_lsb,
            }
        });
        projections.push(Projection {
            name: None,
            source: pops[si].name.clone(),
            target: pops[ti].name.clone(),
            rule,
            weight: Some(WeightDist {
                mean_pa: sign * mean_lsb * caps.w_lsb,
                sd_pa: sd * caps.w_lsb,
            }),
            delay: Some(DelayDist {
                mean_ms: d as f64 * dt,
                sd_ms: d_sd,
            }),
            stdp,
        });
    }
    let plastic = projections.iter().any(|p| p.stdp.is_some());
    let (x_seed, spk_pct, stall_seed) = (spec.run.1, spec.run.0, spec.run.2);
    Case {
        net: Network {
            name: Some(format!("random-{}", caps.name)),
            simulation: Simulation {
                dt_ms: dt,
                duration_ms: spec.steps as f64 * dt,
                seed: spec.seed,
            },
            recording: Recording::default(),
            numerics: caps.numerics,
            plasticity: plastic.then_some(Plasticity {
                tau_plus_ms: spec.taus.0,
                tau_minus_ms: spec.taus.1,
            }),
            populations: pops,
            projections,
        },
        steps: spec.steps,
        x_seed,
        spk_pct,
        stall_seed,
    }
}

/// The network of `case` as TOML (what a failure message carries).
pub fn case_toml(case: &Case) -> String {
    case.net
        .to_toml()
        .unwrap_or_else(|e| format!("<cannot serialize: {e}>"))
}

/// A number from the environment (`None` when unset or not a number).
pub fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The proptest runner seed of the run keyed `key`: fixed per key by
/// default (CI runs are reproducible), `SPIKEFAB_COSIM_SEED=<u64>` pins
/// another, `SPIKEFAB_COSIM_SEED=random` draws a new one per run (soaks).
pub fn runner_seed(key: &str) -> u64 {
    let fixed = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    match std::env::var("SPIKEFAB_COSIM_SEED").ok().as_deref() {
        Some("random") => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1);
            t ^ (std::process::id() as u64).rotate_left(32) ^ fixed
        }
        _ => env_u64("SPIKEFAB_COSIM_SEED").unwrap_or(fixed),
    }
}
