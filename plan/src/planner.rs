//! The whole plan of a network on a part ([`plan`]): build the network,
//! run the reference simulator for the activity, evaluate every candidate
//! ([`crate::design`]), add Yosys logic to the fastest ones until one fits,
//! fix the clock ([`crate::clock`]) and name the bottleneck.

use std::path::PathBuf;

use serde::Serialize;
use spikefab_eda::parts::Part;
use spikefab_gen::NetModel;
use spikefab_sim::connect::key_delay;
use spikefab_sim::engine::Engine;
use spikefab_sim::Network;
use thiserror::Error;

use crate::clock::Clock;
use crate::design::{add_logic, core_counts, evaluate, Candidate, Inputs, StoreKind};

/// LUT levels the provisional clock assumes before any core is synthesized
/// (the named configs' cores measure 5 and 6).
pub const PROVISIONAL_LUT_LEVELS: u32 = 6;

#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Steps of the reference simulator the activity is taken from.
    pub steps: u64,
    /// The clock (MHz) instead of the estimate.
    pub clock_mhz: Option<f64>,
    /// Memory latency at the AXI port (ns).
    pub mem_latency_ns: f64,
    /// Yosys result cache.
    pub cache: PathBuf,
    /// Most Yosys runs (cache misses) of one plan.
    pub max_synth: usize,
    /// Threads of the build and the simulator (0: one per core).
    pub threads: usize,
}

#[derive(Debug, Error)]
pub enum PlanError {
    #[error("network '{network}': {message}")]
    Build { network: String, message: String },
    #[error(
        "network '{network}' has plastic projections: the plan covers static networks (the cycle \
         model of a plastic mesh's trace pass is not built)"
    )]
    Plastic { network: String },
    #[error("--steps must be at least 1")]
    NoSteps,
    #[error("--clock-mhz {0} must be a positive number of MHz")]
    BadClock(f64),
    #[error("--mem-latency-ns {0} must be a positive number of ns")]
    BadLatency(f64),
    #[error("no candidate design could be evaluated for network '{network}': {why}")]
    NoCandidate { network: String, why: String },
    #[error(transparent)]
    Logic(#[from] crate::logic::LogicError),
}

/// What limits a design that does not fit.
#[derive(Debug, Clone, Serialize)]
pub struct Limit {
    pub resource: String,
    pub used: f64,
    pub available: f64,
    /// `used / available`.
    pub ratio: f64,
}

/// A plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub network: String,
    pub neurons: u64,
    pub synapses: u64,
    pub part: &'static str,
    pub card: &'static str,
    pub external_memory: String,
    pub steps: u64,
    pub dt_ms: f64,
    /// The design (the fastest that fits, else the closest).
    pub design: Candidate,
    pub fits: bool,
    /// When it does not fit: the resources over capacity, worst first.
    pub limits: Vec<Limit>,
    pub clock: Clock,
    pub cycles_mean: f64,
    pub cycles_worst: u64,
    /// Predicted real-time factor: wall time per step / biological time.
    pub rtf_mean: f64,
    pub rtf_worst: f64,
    /// The parts of the mean step, largest first: (what, mean cycles).
    pub breakdown: Vec<(String, f64)>,
    pub bottleneck: String,
    pub next_bottleneck: String,
    /// Candidates evaluated, and those that fit.
    pub candidates: usize,
    pub candidates_fitting_memory: usize,
    /// Yosys runs (cache misses) of this plan.
    pub yosys_runs: usize,
    pub notes: Vec<String>,
}

/// The network of `net` built as the hardware builds it (its own
/// numerics), static.
fn build(net: &Network, threads: usize) -> Result<NetModel, PlanError> {
    let name = net.name.clone().unwrap_or_else(|| "network".to_string());
    let err = |message: String| PlanError::Build {
        network: name.clone(),
        message,
    };
    spikefab_sim::load::validate(net).map_err(|d| err(d.to_string()))?;
    let model = spikefab_sim::quant::quantize(net).map_err(|d| err(d.to_string()))?;
    let syn =
        spikefab_sim::engine::with_threads(threads, || spikefab_sim::connect::build(net, &model))
            .map_err(|e| err(e.to_string()))?
            .map_err(|d| err(d.to_string()))?;
    if syn.rule.iter().any(|&r| r != 0) {
        return Err(PlanError::Plastic { network: name });
    }
    Ok(NetModel::new(model, syn))
}

/// Plan `net` on `part`.
pub fn plan(net: &Network, part: &'static Part, o: &PlanOptions) -> Result<Plan, PlanError> {
    if o.steps == 0 {
        return Err(PlanError::NoSteps);
    }
    if let Some(c) = o.clock_mhz {
        if !(c.is_finite() && c > 0.0) {
            return Err(PlanError::BadClock(c));
        }
    }
    if !(o.mem_latency_ns.is_finite() && o.mem_latency_ns > 0.0) {
        return Err(PlanError::BadLatency(o.mem_latency_ns));
    }
    let name = net.name.clone().unwrap_or_else(|| "network".to_string());
    let nm = build(net, o.threads)?;
    let dt_ms = nm.model.dt_ms;
    // the activity: the reference simulator from step 0
    let mut engine = Engine::new(nm.model, nm.syn);
    let spikes = spikefab_sim::engine::with_threads(o.threads, || {
        crate::activity::record(&mut engine, o.steps)
    })
    .map_err(|e| PlanError::Build {
        network: name.clone(),
        message: e.to_string(),
    })?;
    let nm = NetModel::new(engine.model, engine.syn);
    let max_delay = nm.syn.key.iter().map(|&k| key_delay(k)).max().unwrap_or(1);
    let mut numerics = net.numerics;
    numerics.max_delay_steps = max_delay.max(1);
    let inp = Inputs {
        net: &nm,
        spikes: &spikes,
        part,
        numerics,
        mem_latency_ns: o.mem_latency_ns,
        threads: o.threads,
    };
    let provisional = match o.clock_mhz {
        Some(c) => Clock::given(part, c),
        None => Clock::estimate(part, PROVISIONAL_LUT_LEVELS),
    };
    let mut stores = vec![StoreKind::OnChip];
    if !part.ext_memory.is_empty() {
        stores.extend([StoreKind::External, StoreKind::ExternalIndex]);
    }
    // delay groups (a mesh with an external store): a shorter ring, the
    // longer delays replayed by the network interfaces
    let groups = crate::design::group_options(numerics.max_delay_steps);
    let mut cands = Vec::new();
    let mut why = Vec::new();
    for k in core_counts(u64::from(nm.neurons())) {
        let mut shared = crate::design::Shared::default();
        shared.group_options = groups.clone();
        // groups outside stores: the external stores share their rows
        for &g in &groups {
            for &s in &stores {
                if g > 1 && (k == 1 || s == StoreKind::OnChip) {
                    continue;
                }
                match crate::design::evaluate_shared(&inp, k, s, g, provisional.mhz, &mut shared) {
                    Ok(c) => cands.push(c),
                    Err(e) => why.push(format!("{k} cores, {}, {g} delay groups: {e}", s.text())),
                }
            }
            shared.release(g);
        }
    }
    if cands.is_empty() {
        return Err(PlanError::NoCandidate {
            network: name,
            why: why.join("; "),
        });
    }
    let n_cands = cands.len();
    let fit_mem = cands.iter().filter(|c| c.fits()).count();
    // fastest first among those whose memories fit; the rest by how far off
    cands.sort_by(|a, b| {
        b.fits()
            .cmp(&a.fits())
            .then(a.summary.mean().total_cmp(&b.summary.mean()))
            .then(a.worst_ratio().total_cmp(&b.worst_ratio()))
    });
    let mut runs = 0usize;
    let mut chosen: Option<Candidate> = None;
    let mut checked: Vec<Candidate> = Vec::new();
    let mut notes = Vec::new();
    // Logic per core hardly depends on the number of cores: a candidate
    // whose logic, estimated from a core (and router) synthesized for
    // another candidate, exceeds the part is passed over without a Yosys
    // run of its own.
    let mut known: Option<(crate::logic::Logic, Option<crate::logic::Logic>)> = None;
    for c in cands.iter().filter(|c| c.fits()) {
        let mut c = c.clone();
        if let Some((cl, rl)) = known {
            let mut est = c.clone();
            let rl = if est.cores > 1 { rl } else { None };
            add_logic(&mut est, part, cl, rl);
            if !est.fits() {
                checked.push(est);
                continue;
            }
        }
        if runs >= o.max_synth {
            notes.push(format!(
                "stopped after {runs} Yosys runs (--max-synth): candidates whose memories fit were left unchecked for logic"
            ));
            break;
        }
        logic_of(&mut c, part, o, &mut runs)?;
        known = Some((
            c.core_logic.unwrap_or_default(),
            c.router_logic.or(known.and_then(|k| k.1)),
        ));
        if c.fits() {
            chosen = Some(c);
            break;
        }
        checked.push(c);
    }
    let fits = chosen.is_some();
    let mut design = match chosen {
        Some(c) => c,
        None => {
            // the closest: least worst ratio among those checked for logic,
            // else among all (then with its logic)
            let mut pool: Vec<Candidate> = checked;
            if pool.is_empty() {
                let mut best = cands
                    .iter()
                    .min_by(|a, b| a.worst_ratio().total_cmp(&b.worst_ratio()))
                    .cloned()
                    .expect("candidates");
                logic_of(&mut best, part, o, &mut runs)?;
                pool.push(best);
            }
            pool.into_iter()
                .min_by(|a, b| a.worst_ratio().total_cmp(&b.worst_ratio()))
                .expect("a candidate")
        }
    };
    // the clock from the design's logic depth, and the prediction at it
    let levels = design
        .core_logic
        .map(|l| l.lut_levels)
        .unwrap_or(PROVISIONAL_LUT_LEVELS)
        .max(design.router_logic.map_or(0, |l| l.lut_levels));
    let clock = match o.clock_mhz {
        Some(c) => Clock::given(part, c),
        None => Clock::estimate(part, levels),
    };
    if (clock.mhz != provisional.mhz && design.core.ext.is_some()) || design.summary.steps == 0 {
        // memory latency and bandwidth per cycle change with the clock; a
        // design that does not fit has no prediction yet
        let (cl, rl) = (design.core_logic, design.router_logic);
        let again = evaluate(
            &inp,
            design.cores,
            design.store,
            design.delay_groups,
            clock.mhz,
        );
        let mut again = again.map_err(|why| PlanError::NoCandidate {
            network: name.clone(),
            why,
        })?;
        if let Some(cl) = cl {
            add_logic(&mut again, part, cl, rl);
        }
        design = again;
    }
    let s = &design.summary;
    let steps = s.steps.max(1) as f64;
    let t = &s.total;
    let mut breakdown = vec![
        ("neuron updates".to_string(), t.neurons as f64 / steps),
        ("synaptic events".to_string(), t.events as f64 / steps),
        (
            "external memory (latency, bandwidth)".to_string(),
            t.memory as f64 / steps,
        ),
        (
            "NoC (spikes not yet delivered)".to_string(),
            t.noc as f64 / steps,
        ),
        (
            "fixed latency (pipelines, done, barrier)".to_string(),
            t.fixed as f64 / steps,
        ),
    ];
    breakdown.sort_by(|a, b| b.1.total_cmp(&a.1));
    let step_s = dt_ms * 1e-3;
    let hz = clock.mhz * 1e6;
    let limits = if fits {
        Vec::new()
    } else {
        let mut l: Vec<Limit> = design
            .uses
            .iter()
            .filter(|u| u.used > u.available)
            .map(|u| Limit {
                resource: u.resource.to_string(),
                used: u.used,
                available: u.available,
                ratio: u.ratio(),
            })
            .collect();
        l.sort_by(|a, b| b.ratio.total_cmp(&a.ratio));
        l
    };
    notes.push(
        "logic figures are Yosys estimates of a core with shallow memories (docs/plan.md); \
         the clock is an estimate unless given"
            .to_string(),
    );
    Ok(Plan {
        network: name,
        neurons: u64::from(nm.neurons()),
        synapses: nm.syn.len(),
        part: part.name,
        card: part.device_family,
        external_memory: design.part_use.ext_desc.clone(),
        steps: o.steps,
        dt_ms,
        fits,
        limits,
        clock,
        cycles_mean: s.mean(),
        cycles_worst: s.worst,
        rtf_mean: s.mean() / hz / step_s,
        rtf_worst: s.worst as f64 / hz / step_s,
        bottleneck: breakdown[0].0.clone(),
        next_bottleneck: breakdown[1].0.clone(),
        breakdown,
        candidates: n_cands,
        candidates_fitting_memory: fit_mem,
        yosys_runs: runs,
        notes,
        design,
    })
}

fn logic_of(
    c: &mut Candidate,
    part: &'static Part,
    o: &PlanOptions,
    runs: &mut usize,
) -> Result<(), PlanError> {
    let (core, hit) = crate::logic::core_logic(&c.core, part, &o.cache)?;
    *runs += usize::from(!hit);
    let router = if c.cores > 1 {
        let (r, hit) = crate::logic::router_logic(
            c.mesh.0,
            c.mesh.1,
            c.core.row_w(),
            crate::design::FIFO_DEPTH,
            part,
            &o.cache,
        )?;
        *runs += usize::from(!hit);
        Some(r)
    } else {
        None
    };
    add_logic(c, part, core, router);
    Ok(())
}
