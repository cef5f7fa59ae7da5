//! Placing a network on an `R x C` mesh of identical cores (each with the
//! hardware config's capacities): contiguous neuron ranges in core order,
//! the traffic each core sees, and the mapping report.
//!
//! # Partition
//!
//! [`partition`] cuts the neuron order into `R * C` contiguous, non-empty
//! ranges minimising the largest core load, where the load of a range is
//! `max(neurons / neurons_per_core, incoming synapses / syn_depth)` (its
//! use of the tighter of the two memories): bisection on the load bound
//! with a greedy feasibility test (the load of a range only grows as the
//! range grows, so packing each core up to the bound is optimal), then
//! neighbouring cuts are evened out without raising the largest load.
//! Plastic networks are placed the same way on STDP cores (synapses live
//! with their targets).

use std::fmt::Write as _;

use serde::Serialize;
use spikefab_hdl::core::Mem;
use spikefab_sim::connect::key_target;
use spikefab_sim::engine::Engine;

use crate::capacity::{cores_needed, CoreMisfit};
use crate::error::MeshError;
use crate::hwconfig::HwConfig;
use crate::layout;
use crate::model::NetModel;
use crate::topology::{Mesh, MAX_CORES};

/// The firing rate assumed by [`partition`] for the traffic estimates.
pub const DEFAULT_RATE_HZ: f64 = 10.0;

/// The firing rates behind the traffic estimates of a [`Mapping`].
#[derive(Debug, Clone, PartialEq)]
pub enum Rates {
    /// Every neuron fires at `hz`.
    Uniform { hz: f64 },
    /// A rate per neuron (Hz), and where it comes from.
    PerNeuron { hz: Vec<f64>, source: String },
}

impl Default for Rates {
    fn default() -> Self {
        Rates::Uniform {
            hz: DEFAULT_RATE_HZ,
        }
    }
}

impl Rates {
    /// The rates of a run of `steps` steps of the reference simulator on `e`
    /// (from its initial state).
    pub fn measure(e: &NetModel, steps: u64) -> Rates {
        let mut r = Engine::new(e.model.clone(), e.syn.clone());
        let mut count = vec![0u64; e.model.neurons as usize];
        for _ in 0..steps {
            for &n in r.step() {
                count[n as usize] += 1;
            }
        }
        let secs = steps as f64 * e.model.dt_ms * 1e-3;
        let hz = count
            .iter()
            .map(|&c| if secs > 0.0 { c as f64 / secs } else { 0.0 })
            .collect();
        Rates::PerNeuron {
            hz,
            source: format!("measured over {steps} steps of the reference engine"),
        }
    }

    /// One line: where the rates come from and their mean.
    pub fn describe(&self) -> String {
        match self {
            Rates::Uniform { hz } => format!("assumed {hz} Hz for every neuron"),
            Rates::PerNeuron { hz, source } => {
                let mean = hz.iter().sum::<f64>() / hz.len().max(1) as f64;
                format!("{source} (mean {mean:.2} Hz)")
            }
        }
    }

    /// Spike probability per step of every neuron (`rate * dt`).
    fn per_step(&self, n: usize, dt_ms: f64) -> Result<Vec<f64>, MeshError> {
        let dt = dt_ms * 1e-3;
        let bad = |v: f64| !v.is_finite() || v < 0.0;
        match self {
            Rates::Uniform { hz } => {
                if bad(*hz) {
                    return Err(MeshError::Rates(format!(
                        "rate {hz} Hz must be finite and >= 0"
                    )));
                }
                Ok(vec![hz * dt; n])
            }
            Rates::PerNeuron { hz, .. } => {
                if hz.len() != n {
                    return Err(MeshError::Rates(format!(
                        "{} rates for a network of {n} neurons",
                        hz.len()
                    )));
                }
                if let Some((i, v)) = hz.iter().enumerate().find(|(_, &v)| bad(v)) {
                    return Err(MeshError::Rates(format!(
                        "neuron {i}: rate {v} Hz must be finite and >= 0"
                    )));
                }
                Ok(hz.iter().map(|h| h * dt).collect())
            }
        }
    }
}

/// One memory of a mesh core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemUse {
    pub name: &'static str,
    /// Words of the memory.
    pub depth: u64,
    /// Words the network fills.
    pub words: u64,
    /// Word width in bits.
    pub width: u32,
}

impl MemUse {
    /// `depth * width`: the memory's bits.
    pub fn bits(&self) -> u64 {
        self.depth * u64::from(self.width)
    }

    /// `words * width`: the bits the network fills.
    pub fn used_bits(&self) -> u64 {
        self.words * u64::from(self.width)
    }
}

/// One core of a [`Mapping`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoreMap {
    /// Core index `row * cols + col`.
    pub index: usize,
    pub row: u32,
    pub col: u32,
    /// First global neuron (`base`).
    pub lo: u32,
    /// One past the last global neuron.
    pub hi: u32,
    /// Synapses onto the core's neurons (its synapse memory words).
    pub synapses: u64,
    /// Source neurons with at least one synapse onto the core.
    pub rows_used: u64,
    /// The core's memories (the images and the delay accumulators).
    pub memories: Vec<MemUse>,
    /// Expected synaptic events per step: sum over the core's synapses of
    /// the source's spike probability per step.
    pub events_per_step: f64,
    /// Expected spike packets the core sends per step (spikes of its
    /// neurons with a non-empty route).
    pub packets_out_per_step: f64,
    /// Expected spike packets the core receives per step (spikes of the
    /// sources with a synapse onto it, its own included).
    pub packets_in_per_step: f64,
    /// Expected deliveries to other cores per step (each packet counts once
    /// per destination core other than this one).
    pub remote_deliveries_per_step: f64,
}

impl CoreMap {
    /// Neurons of the core.
    pub fn neurons(&self) -> u64 {
        u64::from(self.hi - self.lo)
    }

    /// The memory called `name`.
    pub fn memory(&self, name: &str) -> Option<&MemUse> {
        self.memories.iter().find(|m| m.name == name)
    }
}

/// The placement of a network on a mesh.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub mesh: Mesh,
    /// Name of the hw config.
    pub config: String,
    pub network: String,
    pub neurons: u64,
    pub synapses: u64,
    pub dt_ms: f64,
    /// Where the rates of the traffic estimates come from.
    pub rates: String,
    pub cores: Vec<CoreMap>,
    /// Largest core load `max(neurons / neurons_per_core, synapses /
    /// syn_depth)` (1.0: a memory of a core is full).
    pub max_load: f64,
    /// Largest over mean of the neurons per core.
    pub imbalance_neurons: f64,
    /// Largest over mean of the synapses per core.
    pub imbalance_synapses: f64,
}

impl Mapping {
    /// The core holding global neuron `n`.
    pub fn core_of(&self, n: u32) -> Option<usize> {
        self.cores.iter().position(|c| c.lo <= n && n < c.hi)
    }

    /// A table per core (position, neurons, synapses, rows used, synapse
    /// memory, traffic) and the imbalance line.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(
            w,
            "mesh {} ({} cores) for network '{}' on hw config '{}' cores: {} neurons, {} synapses",
            self.mesh,
            self.cores.len(),
            self.network,
            self.config,
            self.neurons,
            self.synapses
        );
        let _ = writeln!(w, "traffic: rates {}; dt {} ms", self.rates, self.dt_ms);
        let _ = writeln!(
            w,
            "{:>4} {:>7} {:>8} {:>17} {:>9} {:>9} {:>23} {:>11} {:>10} {:>10} {:>11}",
            "core",
            "pos",
            "neurons",
            "range",
            "synapses",
            "rows used",
            "syn mem bits used/all",
            "events/step",
            "pkts out",
            "pkts in",
            "remote out"
        );
        for c in &self.cores {
            let syn = c.memory("syn");
            let _ = writeln!(
                w,
                "{:>4} {:>7} {:>8} {:>17} {:>9} {:>9} {:>23} {:>11.2} {:>10.3} {:>10.3} {:>11.3}",
                c.index,
                format!("({},{})", c.row, c.col),
                c.neurons(),
                format!("[{}, {})", c.lo, c.hi),
                c.synapses,
                c.rows_used,
                syn.map_or(String::new(), |m| format!(
                    "{}/{}",
                    u64::from(m.width) * c.synapses,
                    m.bits()
                )),
                c.events_per_step,
                c.packets_out_per_step,
                c.packets_in_per_step,
                c.remote_deliveries_per_step
            );
        }
        let tot = |f: fn(&CoreMap) -> f64| self.cores.iter().map(f).sum::<f64>();
        let _ = writeln!(
            w,
            "total: {:.2} synaptic events/step, {:.3} packets out/step, {:.3} remote deliveries/step",
            tot(|c| c.events_per_step),
            tot(|c| c.packets_out_per_step),
            tot(|c| c.remote_deliveries_per_step)
        );
        if let Some(c) = self.cores.first() {
            let mems: Vec<String> = c
                .memories
                .iter()
                .map(|m| format!("{} {}x{}", m.name, m.depth, m.width))
                .collect();
            let bits: u64 = c.memories.iter().map(MemUse::bits).sum();
            let _ = writeln!(
                w,
                "memories per core (depth x width): {}; {} bits",
                mems.join(", "),
                bits
            );
        }
        let _ = writeln!(
            w,
            "imbalance (max/mean): neurons {:.3}, synapses {:.3}; fullest core at {:.1}% of its tighter memory",
            self.imbalance_neurons,
            self.imbalance_synapses,
            100.0 * self.max_load
        );
        s
    }
}

/// A set of cores (at most [`MAX_CORES`]).
type CoreSet = [u64; MAX_CORES / 64];

fn set_has(m: &CoreSet, k: usize) -> bool {
    (m[k / 64] >> (k % 64)) & 1 == 1
}

fn set_len(m: &CoreSet) -> u32 {
    m.iter().map(|w| w.count_ones()).sum()
}

fn set_iter(m: &CoreSet) -> impl Iterator<Item = usize> + '_ {
    (0..MAX_CORES).filter(|&k| set_has(m, k))
}

/// Load of a range of `n` neurons with `s` incoming synapses.
fn load_of(n: u64, s: u64, hw: &HwConfig) -> f64 {
    (n as f64 / hw.neurons_per_core as f64).max(s as f64 / hw.syn_depth as f64)
}

/// Range ends `[0, b1, ..., N]` packing each range up to load `t`, or
/// `None` when more than `k` ranges (or a single neuron above `t`) are
/// needed. `pre` is the prefix sum of incoming synapses.
fn greedy(pre: &[u64], k: usize, t: f64, hw: &HwConfig) -> Option<Vec<usize>> {
    let n = pre.len() - 1;
    let ok = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw) <= t;
    let mut ends = vec![0usize];
    let mut i = 0usize;
    while i < n {
        if ends.len() > k || !ok(i, i + 1) {
            return None;
        }
        let (mut lo, mut hi) = (i + 1, n);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if ok(i, mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        ends.push(lo);
        i = lo;
    }
    Some(ends)
}

/// `k` contiguous non-empty ranges of `pre.len() - 1 >= k` neurons
/// minimising the largest load.
fn cut(pre: &[u64], k: usize, hw: &HwConfig) -> Vec<usize> {
    let n = pre.len() - 1;
    let total = pre[n];
    let mut hi = load_of(n as u64, total, hw);
    let single = (0..n)
        .map(|i| load_of(1, pre[i + 1] - pre[i], hw))
        .fold(0.0f64, f64::max);
    let mut lo = load_of(n as u64, total, hw) / k as f64;
    lo = lo.max(single);
    let mut best = greedy(pre, k, hi, hw).expect("one range holds everything");
    if let Some(e) = greedy(pre, k, lo, hw) {
        best = e;
    } else {
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if !(mid > lo && mid < hi) {
                break;
            }
            match greedy(pre, k, mid, hw) {
                Some(e) => {
                    hi = mid;
                    best = e;
                }
                None => lo = mid,
            }
        }
    }
    // Fewer ranges than cores: split the most loaded range that has two
    // neurons or more at its best point (splitting never raises the load).
    while best.len() - 1 < k {
        let load = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw);
        let r = (0..best.len() - 1)
            .filter(|&r| best[r + 1] - best[r] >= 2)
            .max_by(|&x, &y| {
                load(best[x], best[x + 1])
                    .total_cmp(&load(best[y], best[y + 1]))
                    .then(y.cmp(&x))
            })
            .expect("n >= k leaves a range of two neurons");
        let (a, b) = (best[r], best[r + 1]);
        let m = (a + 1..b)
            .min_by(|&x, &y| {
                load(a, x)
                    .max(load(x, b))
                    .total_cmp(&load(a, y).max(load(y, b)))
            })
            .expect("a range of two neurons has a split point");
        best.insert(r + 1, m);
    }
    smooth(pre, &mut best, hw);
    best
}

/// Evens out neighbouring ranges: each cut moves to where the larger load of
/// its two ranges is smallest (ties: where the two loads are closest), only
/// when that strictly improves the pair, so the largest load never grows.
/// Packing to the bound leaves the slack in the last ranges; this spreads it.
fn smooth(pre: &[u64], ends: &mut [usize], hw: &HwConfig) {
    let load = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw);
    let score = |a: usize, m: usize, b: usize| {
        let (x, y) = (load(a, m), load(m, b));
        (x.max(y), (x - y).abs())
    };
    let better = |p: (f64, f64), q: (f64, f64)| p.0 < q.0 || (p.0 == q.0 && p.1 < q.1);
    for _ in 0..64 {
        let mut moved = false;
        for i in 1..ends.len() - 1 {
            let (a, b) = (ends[i - 1], ends[i + 1]);
            if b - a < 2 {
                continue;
            }
            // first m with load(a, m) >= load(m, b) (the left load grows with m,
            // the right one shrinks)
            let (mut lo, mut hi) = (a + 1, b - 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if load(a, mid) >= load(mid, b) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            let mut m = ends[i];
            for c in [lo.saturating_sub(1).max(a + 1), lo] {
                if better(score(a, c, b), score(a, m, b)) {
                    m = c;
                }
            }
            if m != ends[i] {
                ends[i] = m;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// The error of a plastic network on `hw` cores that cannot hold it:
/// external-store cores (no weight write-back) or static cores.
pub fn plastic_refusal(e: &NetModel, hw: &HwConfig) -> Option<MeshError> {
    if !e.syn.rule.iter().any(|&r| r != 0) || (hw.stdp && !hw.external()) {
        return None;
    }
    let projections = e
        .model
        .stdp
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_some())
        .map(|(i, _)| format!("projection {i}"))
        .collect();
    let (network, config) = (e.model.name.clone(), hw.name.clone());
    Some(if hw.external() {
        MeshError::PlasticOffChip {
            network,
            config,
            projections,
        }
    } else {
        MeshError::Plastic {
            network,
            config,
            projections,
        }
    })
}

/// [`partition_with`] at the default rate estimate ([`DEFAULT_RATE_HZ`]
/// for every neuron).
pub fn partition(e: &NetModel, hw: &HwConfig, mesh: &Mesh) -> Result<Mapping, MeshError> {
    partition_with(e, hw, mesh, &Rates::default())
}

/// Place the static network of `e` on `mesh` cores of `hw`: contiguous,
/// non-empty neuron ranges in core order minimising the largest core load
/// (see the module docs), checked against every core's capacities (a
/// misfit names the core, the field and the excess), with the traffic
/// estimated from `rates`.
pub fn partition_with(
    e: &NetModel,
    hw: &HwConfig,
    mesh: &Mesh,
    rates: &Rates,
) -> Result<Mapping, MeshError> {
    let m = &e.model;
    let network = m.name.clone();
    if let Some(err) = plastic_refusal(e, hw) {
        return Err(err);
    }
    hw.check_mesh()?;
    let n = m.neurons as usize;
    let k = mesh.cores();
    if n < k {
        return Err(MeshError::TooFewNeurons {
            network,
            neurons: n as u64,
            cores: k,
            mesh: *mesh,
        });
    }
    let p = rates.per_step(n, m.dt_ms)?;
    let total = e.syn.len();
    let mut misfits = Vec::new();
    if hw.max_rows < n as u64 {
        misfits.push(CoreMisfit {
            core: None,
            what: "rows (in every core: one per source neuron of the network)",
            field: "max_rows",
            need: n as u64,
            capacity: hw.max_rows,
        });
    }
    if hw.max_pops < m.pops.len() as u64 {
        misfits.push(CoreMisfit {
            core: None,
            what: "populations (every core holds them all)",
            field: "max_pops",
            need: m.pops.len() as u64,
            capacity: hw.max_pops,
        });
    }
    // incoming synapses per neuron, prefix sums
    let mut pre = vec![0u64; n + 1];
    for &key in &e.syn.key {
        pre[key_target(key) as usize + 1] += 1;
    }
    for i in 0..n {
        pre[i + 1] += pre[i];
    }
    let ends = cut(&pre, k, hw);
    let mut core_of = vec![0u16; n];
    for c in 0..k {
        core_of[ends[c]..ends[c + 1]].fill(c as u16);
    }
    for c in 0..k {
        let (nn, ns) = (
            (ends[c + 1] - ends[c]) as u64,
            pre[ends[c + 1]] - pre[ends[c]],
        );
        misfits.extend(CoreMisfit::check(
            Some(c),
            &[
                ("neurons", "neurons_per_core", nn, hw.neurons_per_core),
                ("synapses", "syn_depth", ns, hw.syn_depth),
            ],
        ));
    }
    if !misfits.is_empty() {
        let (a, b) = cores_needed(n as u64, total, hw);
        return Err(MeshError::DoesNotFit {
            network,
            config: hw.name.clone(),
            mesh: *mesh,
            needed_cores: a.max(b),
            misfits,
        });
    }
    // traffic and rows
    let mut rows_used = vec![0u64; k];
    let mut events = vec![0f64; k];
    let mut out = vec![0f64; k];
    let mut inn = vec![0f64; k];
    let mut remote = vec![0f64; k];
    for j in 0..n {
        let mut mask: CoreSet = [0; MAX_CORES / 64];
        for s in e.syn.row(j as u32) {
            let c = core_of[key_target(e.syn.key[s]) as usize] as usize;
            mask[c / 64] |= 1 << (c % 64);
            events[c] += p[j];
        }
        let own = core_of[j] as usize;
        let dests = set_len(&mask);
        if dests > 0 {
            out[own] += p[j];
            remote[own] += p[j] * f64::from(dests - u32::from(set_has(&mask, own)));
        }
        for c in set_iter(&mask) {
            rows_used[c] += 1;
            inn[c] += p[j];
        }
    }
    let cores: Vec<CoreMap> = (0..k)
        .map(|c| {
            let (row, col) = mesh.position(c);
            let (lo, hi) = (ends[c] as u32, ends[c + 1] as u32);
            let synapses = pre[ends[c + 1]] - pre[ends[c]];
            CoreMap {
                index: c,
                row,
                col,
                lo,
                hi,
                synapses,
                rows_used: rows_used[c],
                memories: core_memories(e, hw, mesh, u64::from(hi - lo), synapses),
                events_per_step: events[c],
                packets_out_per_step: out[c],
                packets_in_per_step: inn[c],
                remote_deliveries_per_step: remote[c],
            }
        })
        .collect();
    let max_mean = |v: Vec<u64>| {
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        let max = v.iter().copied().max().unwrap_or(0) as f64;
        if mean > 0.0 {
            max / mean
        } else {
            1.0
        }
    };
    let max_load = cores
        .iter()
        .map(|c| load_of(c.neurons(), c.synapses, hw))
        .fold(0.0, f64::max);
    Ok(Mapping {
        mesh: *mesh,
        config: hw.name.clone(),
        network,
        neurons: n as u64,
        synapses: total,
        dt_ms: m.dt_ms,
        rates: rates.describe(),
        imbalance_neurons: max_mean(cores.iter().map(CoreMap::neurons).collect()),
        imbalance_synapses: max_mean(cores.iter().map(|c| c.synapses).collect()),
        max_load,
        cores,
    })
}

/// The on-chip memories of a mesh core of `hw` holding `neurons` neurons
/// and `synapses` synapses of `e`'s network (the widths of
/// [`crate::layout`], and the two delay accumulators, which have no image;
/// on an external-store core the AXI beat buffer instead of the `syn`
/// memory).
fn core_memories(
    e: &NetModel,
    hw: &HwConfig,
    mesh: &Mesh,
    neurons: u64,
    synapses: u64,
) -> Vec<MemUse> {
    let core = hw.mesh_core_params();
    let pops = e.model.pops.len() as u64;
    let rows = u64::from(e.model.neurons);
    let mems = [
        (Mem::State, neurons),
        (Mem::Pop, neurons),
        (Mem::Param, pops),
        (Mem::Cdf, pops),
        (Mem::Syn, synapses.max(1)),
        (Mem::Row, rows),
        (Mem::Route, neurons),
    ];
    let mut v: Vec<MemUse> = mems
        .into_iter()
        .filter(|(mem, _)| core.ext.is_none() || *mem != Mem::Syn)
        .map(|(mem, words)| MemUse {
            name: mem.name(),
            depth: layout::depth(mem, &core),
            words,
            width: layout::of(mem, &core, Some(mesh)).map_or(0, |l| l.width()),
        })
        .collect();
    if let Some(a) = core.ext {
        let beats = u64::from(a.outstanding) * u64::from(a.burst);
        v.push(MemUse {
            name: "fetch (AXI beat buffer; no image)",
            depth: beats,
            words: beats,
            width: a.data_w,
        });
    }
    v.push(MemUse {
        name: "acc (ex, in; no image)",
        depth: hw.slots() * hw.neurons_per_core,
        words: hw.slots() * neurons,
        width: 2 * hw.numerics.acc_bits,
    });
    if let Some(h) = ni_history(hw) {
        v.push(MemUse {
            name: "hist (network interface, delay groups; no image)",
            depth: h.depth,
            words: h.depth,
            width: h.width,
        });
    }
    v
}

/// The spike history of a mesh core's network interface with delay groups
/// ([`crate::capacity::ni_history`]); none without.
pub fn ni_history(hw: &HwConfig) -> Option<crate::capacity::OnChipMem> {
    crate::capacity::ni_history(hw.delay_groups(), hw.slots(), hw.neurons_per_core)
}
