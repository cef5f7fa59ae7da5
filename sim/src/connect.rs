//! Connectivity: instantiate the projections of a network as a compressed
//! sparse row (CSR) matrix ordered by source neuron.
//!
//! Every synapse is drawn from the counter-based generator keyed by
//! (seed, projection, synapse ordinal), so the matrix never depends on the
//! number of threads. The build takes two passes (count per source, then
//! place) and finally sorts each row by (delay, target, weight): the order in
//! which threads placed synapses is erased, and each row is laid out for
//! cache-friendly delivery. Memory: 4 bytes (target and delay) + 2 bytes
//! (weight) per synapse, plus one byte per synapse when any projection is plastic.

use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{DelayDist, Network, Rule, WeightDist};
use crate::numerics::smax;
use crate::path;
use crate::quant::IntModel;
use crate::rng::{self, below, Counter, Stream};

/// Bits of a synapse key that hold the target neuron.
pub const TARGET_BITS: u32 = 24;
/// Mask of the target bits of a key.
pub const TARGET_MASK: u32 = (1 << TARGET_BITS) - 1;

/// Synapses drawn per chunk of work.
const CHUNK: u64 = 1 << 14;

/// Pack a target and a delay (in steps) into a synapse key.
#[inline(always)]
pub fn pack(target: u32, delay: u32) -> u32 {
    (delay << TARGET_BITS) | target
}

/// Target of a synapse key.
#[inline(always)]
pub fn key_target(k: u32) -> u32 {
    k & TARGET_MASK
}

/// Delay (steps) of a synapse key.
#[inline(always)]
pub fn key_delay(k: u32) -> u32 {
    k >> TARGET_BITS
}

/// Plastic synapses seen from their target (for potentiation on a post spike).
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Per target neuron, the first entry of its plastic incoming synapses (N+1 entries).
    pub start: Vec<u64>,
    /// Synapse index into the CSR arrays.
    pub syn: Vec<u64>,
    /// Source neuron of that synapse.
    pub src: Vec<u32>,
}

/// Number of target partitions for `n` neurons: a function of the network
/// only (never of the thread count), so synapse order and indices are fixed.
pub fn partitions_for(n: u32) -> u32 {
    (n / 8).clamp(1, 16)
}

/// Partition of target `t` among `parts` partitions of `n` neurons
/// (contiguous, ascending target ranges).
#[inline(always)]
pub fn partition_of(t: u32, parts: u32, n: u32) -> u32 {
    (t as u64 * parts as u64 / n.max(1) as u64) as u32
}

/// The synapse matrix.
#[derive(Debug, Clone, Default)]
pub struct Synapses {
    /// Row offsets by source neuron (N+1 entries).
    pub row_start: Vec<u64>,
    /// Target partitions: each row is ordered by (partition, delay, target,
    /// weight), so that workers delivering different partitions write
    /// disjoint target ranges.
    pub parts: u32,
    /// Per row, `parts + 1` offsets (relative to the row start) of its partitions.
    pub part_start: Vec<u32>,
    /// `delay << 24 | target` of each synapse.
    pub key: Vec<u32>,
    /// Weight of each synapse in weight LSBs.
    pub weight: Vec<i16>,
    /// Per synapse: 0 for a static synapse, else 1 + index of its STDP rule
    /// (`IntModel::stdp` index = projection). Empty when nothing is plastic.
    pub rule: Vec<u8>,
    /// Plastic synapses by target (empty when nothing is plastic).
    pub incoming: Incoming,
    /// Drawn weights that fell outside the weight format and were saturated.
    pub saturated_weights: u64,
}

impl Synapses {
    /// Number of synapses.
    pub fn len(&self) -> u64 {
        self.key.len() as u64
    }

    /// True when there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// Index range of the row of `src`.
    #[inline(always)]
    pub fn row(&self, src: u32) -> std::ops::Range<usize> {
        self.row_start[src as usize] as usize..self.row_start[src as usize + 1] as usize
    }

    /// Number of synapses leaving neuron `src`.
    #[inline(always)]
    pub fn out_degree(&self, src: u32) -> u64 {
        self.row_start[src as usize + 1] - self.row_start[src as usize]
    }

    /// Index range of the synapses of row `src` whose targets are in partition `p`.
    #[inline(always)]
    pub fn row_part(&self, src: u32, p: u32) -> std::ops::Range<usize> {
        let base = self.row_start[src as usize] as usize;
        let o = src as usize * (self.parts as usize + 1) + p as usize;
        base + self.part_start[o] as usize..base + self.part_start[o + 1] as usize
    }

    /// Source of synapse `s` (binary search over the row offsets).
    pub fn source_of(&self, s: u64) -> u32 {
        (self.row_start.partition_point(|&r| r <= s) - 1) as u32
    }

    /// Bytes held by the matrix.
    pub fn bytes(&self) -> u64 {
        (self.row_start.len() * 8
            + self.key.len() * 4
            + self.weight.len() * 2
            + self.rule.len()
            + self.part_start.len() * 4
            + self.incoming.start.len() * 8
            + self.incoming.syn.len() * 8
            + self.incoming.src.len() * 4) as u64
    }
}

/// A projection resolved to global indices and integer parameters.
struct ProjGen<'a> {
    key: u64,
    src_off: u32,
    src_n: u32,
    tgt_off: u32,
    tgt_n: u32,
    same_pop: bool,
    rule: &'a Rule,
    weight: Option<&'a WeightDist>,
    delay: Option<&'a DelayDist>,
    rule_id: u8,
    dt: f64,
    max_delay: u32,
    w_lsb: f64,
    w_lo: i64,
    w_hi: i64,
}

/// One drawn synapse: global source, global target, weight LSBs, delay steps.
#[derive(Debug, Clone, Copy)]
struct Drawn {
    src: u32,
    tgt: u32,
    w: i64,
    d: u32,
}

impl ProjGen<'_> {
    fn num_chunks(&self) -> u64 {
        match self.rule {
            Rule::FixedTotalNumber { n, .. } => n.div_ceil(CHUNK),
            Rule::FixedIndegree { k, .. } => (*k as u64 * self.tgt_n as u64).div_ceil(CHUNK),
            Rule::PairwiseBernoulli { .. } => self.src_n as u64,
            Rule::OneToOne => (self.src_n as u64).div_ceil(CHUNK),
            Rule::Explicit { synapses } => (synapses.len() as u64).div_ceil(CHUNK),
        }
    }

    fn draw_weight(&self, r: &mut Counter) -> f64 {
        let w = self
            .weight
            .expect("validated: weight present for drawn rules");
        if w.sd_pa == 0.0 {
            return w.mean_pa;
        }
        for _ in 0..1000 {
            let x = w.mean_pa + w.sd_pa * r.normal();
            if (w.mean_pa >= 0.0 && x >= 0.0) || (w.mean_pa < 0.0 && x <= 0.0) {
                return x;
            }
        }
        w.mean_pa
    }

    fn draw_delay(&self, r: &mut Counter) -> u32 {
        let d = self
            .delay
            .expect("validated: delay present for drawn rules");
        let clampd = |x: f64| ((x / self.dt).round().max(1.0) as u32).min(self.max_delay);
        if d.sd_ms == 0.0 {
            return clampd(d.mean_ms);
        }
        for _ in 0..1000 {
            let x = d.mean_ms + d.sd_ms * r.normal();
            let s = (x / self.dt).round();
            if s >= 1.0 && s <= self.max_delay as f64 {
                return s as u32;
            }
        }
        clampd(d.mean_ms)
    }

    fn quant_w(&self, pa: f64, sat: &mut u64) -> i64 {
        let q = (pa / self.w_lsb).round() as i64;
        if q < self.w_lo || q > self.w_hi {
            *sat += 1;
        }
        q.clamp(self.w_lo, self.w_hi)
    }

    /// Weight (LSBs) and delay (steps) of a synapse, drawn only when `full`.
    #[inline(always)]
    fn weight_delay(&self, r: &mut Counter, full: bool, sat: &mut u64) -> (i64, u32) {
        if !full {
            return (0, 0);
        }
        let wp = self.draw_weight(r);
        (self.quant_w(wp, sat), self.draw_delay(r))
    }

    /// Draw a source for target `tgt` (local), honouring `autapses`.
    #[inline(always)]
    fn draw_src(&self, r: &mut Counter, tgt: u32, autapses: bool) -> u32 {
        loop {
            let s = below(r.next_u64(), self.src_n);
            if autapses || !self.same_pop || s != tgt {
                return s;
            }
        }
    }

    /// Enumerate chunk `c`. With `full == false` only sources are guaranteed
    /// (weights and delays may be left undrawn).
    fn chunk(&self, c: u64, full: bool, sat: &mut u64, emit: &mut impl FnMut(Drawn)) {
        let no_autapse = match self.rule {
            Rule::FixedTotalNumber { autapses, .. }
            | Rule::FixedIndegree { autapses, .. }
            | Rule::PairwiseBernoulli { autapses, .. } => !autapses,
            _ => false,
        };
        if no_autapse && self.same_pop && self.src_n < 2 {
            // No synapse can satisfy the rule (validation reports it); never loop.
            return;
        }
        let range = |total: u64| (c * CHUNK)..((c + 1) * CHUNK).min(total);
        match self.rule {
            Rule::FixedTotalNumber { n, autapses } => {
                for s in range(*n) {
                    let mut r = Counter::new(rng::draw(self.key, s), 0);
                    let src = below(r.next_u64(), self.src_n);
                    let mut tgt = below(r.next_u64(), self.tgt_n);
                    while !autapses && self.same_pop && tgt == src {
                        tgt = below(r.next_u64(), self.tgt_n);
                    }
                    let (w, d) = self.weight_delay(&mut r, full, sat);
                    emit(Drawn {
                        src: self.src_off + src,
                        tgt: self.tgt_off + tgt,
                        w,
                        d,
                    });
                }
            }
            Rule::FixedIndegree { k, autapses } => {
                let total = *k as u64 * self.tgt_n as u64;
                for s in range(total) {
                    let tgt = (s / *k as u64) as u32;
                    let mut r = Counter::new(rng::draw(self.key, s), 0);
                    let src = self.draw_src(&mut r, tgt, *autapses);
                    let (w, d) = self.weight_delay(&mut r, full, sat);
                    emit(Drawn {
                        src: self.src_off + src,
                        tgt: self.tgt_off + tgt,
                        w,
                        d,
                    });
                }
            }
            Rule::PairwiseBernoulli { p, autapses } => {
                let src = c as u32;
                let mut r = Counter::new(rng::draw(self.key, c), 0);
                let mut accept = |tgt: u32, r: &mut Counter, sat: &mut u64| {
                    if !autapses && self.same_pop && tgt == src {
                        return;
                    }
                    let (w, d) = self.weight_delay(r, true, sat);
                    emit(Drawn {
                        src: self.src_off + src,
                        tgt: self.tgt_off + tgt,
                        w,
                        d,
                    });
                };
                if *p >= 1.0 {
                    for tgt in 0..self.tgt_n {
                        accept(tgt, &mut r, sat);
                    }
                } else if *p > 0.0 {
                    // Geometric skipping: the gap to the next accepted target.
                    let ln_q = (1.0 - p).ln();
                    let mut j: f64 = -1.0;
                    loop {
                        let u = 1.0 - r.unit(); // (0, 1]
                        j += 1.0 + (u.ln() / ln_q).floor();
                        if j >= self.tgt_n as f64 {
                            break;
                        }
                        accept(j as u32, &mut r, sat);
                    }
                }
            }
            Rule::OneToOne => {
                for s in range(self.src_n as u64) {
                    let mut r = Counter::new(rng::draw(self.key, s), 0);
                    let (w, d) = self.weight_delay(&mut r, full, sat);
                    let s = s as u32;
                    emit(Drawn {
                        src: self.src_off + s,
                        tgt: self.tgt_off + s,
                        w,
                        d,
                    });
                }
            }
            Rule::Explicit { synapses } => {
                for s in range(synapses.len() as u64) {
                    let (si, ti, wp, dms) = synapses[s as usize];
                    let w = self.quant_w(wp, sat);
                    let d = ((dms / self.dt).round().max(1.0) as u32).min(self.max_delay);
                    emit(Drawn {
                        src: self.src_off + si,
                        tgt: self.tgt_off + ti,
                        w,
                        d,
                    });
                }
            }
        }
    }
}

/// A raw pointer that threads may write through at indices they own exclusively.
#[derive(Clone, Copy)]
struct SharedMut<T>(*mut T);
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}
impl<T> SharedMut<T> {
    /// # Safety
    /// `i` is in bounds and no other thread accesses index `i` concurrently.
    #[inline(always)]
    unsafe fn write(self, i: usize, v: T) {
        unsafe { self.0.add(i).write(v) }
    }
    /// # Safety
    /// The range is in bounds and owned exclusively by the caller.
    #[inline(always)]
    unsafe fn slice<'a>(self, r: std::ops::Range<usize>) -> &'a mut [T] {
        unsafe { std::slice::from_raw_parts_mut(self.0.add(r.start), r.end - r.start) }
    }
}

/// Build the synapse matrix of a (validated, quantized) network in the
/// current rayon pool.
pub fn build(net: &Network, model: &IntModel) -> Result<Synapses, Diagnostics> {
    let n = model.neurons as usize;
    let nc = &model.numerics;
    let offs = net.population_offsets();
    let plastic = model.stdp.iter().any(Option::is_some);
    let w_hi = smax(nc.w_bits);
    let gens: Vec<ProjGen> = net
        .projections
        .iter()
        .enumerate()
        .map(|(ji, pr)| {
            let si = net.population_index(&pr.source).expect("validated source");
            let ti = net.population_index(&pr.target).expect("validated target");
            ProjGen {
                key: rng::key(model.seed, Stream::Connectivity, ji as u64),
                src_off: offs[si],
                src_n: net.populations[si].size,
                tgt_off: offs[ti],
                tgt_n: net.populations[ti].size,
                same_pop: si == ti,
                rule: &pr.rule,
                weight: pr.weight.as_ref(),
                delay: pr.delay.as_ref(),
                rule_id: if model.stdp[ji].is_some() {
                    (ji + 1).min(255) as u8
                } else {
                    0
                },
                dt: model.dt_ms,
                max_delay: nc.max_delay_steps,
                w_lsb: model.w_lsb_pa,
                w_lo: -w_hi - 1,
                w_hi,
            }
        })
        .collect();
    if plastic && net.projections.len() > 254 {
        return Err(Diagnostics(vec![Diagnostic::new(
            "network",
            path!["projection"],
            "at most 254 projections are supported when any projection is plastic",
        )]));
    }
    let tasks: Vec<(usize, u64)> = gens
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| (0..g.num_chunks()).map(move |c| (gi, c)))
        .collect();

    // Pass 1: count synapses per source.
    let counts: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    tasks.par_iter().for_each(|&(gi, c)| {
        let mut sat = 0;
        gens[gi].chunk(c, false, &mut sat, &mut |d| {
            counts[d.src as usize].fetch_add(1, Relaxed);
        });
    });
    let mut row_start = Vec::with_capacity(n + 1);
    let mut acc = 0u64;
    row_start.push(0);
    for c in &counts {
        acc += c.load(Relaxed) as u64;
        row_start.push(acc);
    }
    drop(counts);
    let total = acc as usize;

    // Pass 2: place every synapse at its row's cursor.
    let mut key = vec![0u32; total];
    let mut weight = vec![0i16; total];
    let mut rule = if plastic {
        vec![0u8; total]
    } else {
        Vec::new()
    };
    let cursors: Vec<AtomicU64> = row_start[..n].iter().map(|&s| AtomicU64::new(s)).collect();
    let saturated = AtomicU64::new(0);
    {
        let kp = SharedMut(key.as_mut_ptr());
        let wp = SharedMut(weight.as_mut_ptr());
        let rp = SharedMut(rule.as_mut_ptr());
        tasks.par_iter().for_each(|&(gi, c)| {
            let g = &gens[gi];
            let mut sat = 0;
            g.chunk(c, true, &mut sat, &mut |d| {
                let pos = cursors[d.src as usize].fetch_add(1, Relaxed) as usize;
                // SAFETY: `pos` comes from a unique atomic cursor inside the row of
                // `d.src`, whose size pass 1 counted with the same draws.
                unsafe {
                    kp.write(pos, pack(d.tgt, d.d));
                    wp.write(pos, d.w as i16);
                    if plastic {
                        rp.write(pos, g.rule_id);
                    }
                }
            });
            if sat > 0 {
                saturated.fetch_add(sat, Relaxed);
            }
        });
    }
    drop(cursors);

    // Sort each row by (partition, delay, target, weight, rule): placement
    // order is erased; then record where each partition starts.
    let parts = partitions_for(n as u32);
    let mut part_start = vec![0u32; n * (parts as usize + 1)];
    {
        let kp = SharedMut(key.as_mut_ptr());
        let wp = SharedMut(weight.as_mut_ptr());
        let rp = SharedMut(rule.as_mut_ptr());
        let pp = SharedMut(part_start.as_mut_ptr());
        (0..n)
            .into_par_iter()
            .for_each_init(Vec::<u128>::new, |buf, src| {
                let r = row_start[src] as usize..row_start[src + 1] as usize;
                let stride = parts as usize + 1;
                // SAFETY: each row owns its own `parts + 1` offsets.
                let offs = unsafe { pp.slice(src * stride..(src + 1) * stride) };
                if r.len() < 2 {
                    let first = (!r.is_empty()).then(|| unsafe { *kp.0.add(r.start) });
                    let p0 = first.map_or(parts, |k| partition_of(key_target(k), parts, n as u32));
                    for (p, o) in offs.iter_mut().enumerate() {
                        *o = if (p as u32) <= p0 { 0 } else { r.len() as u32 };
                    }
                    return;
                }
                // SAFETY: rows are disjoint index ranges; each is visited once.
                let (ks, ws) = unsafe { (kp.slice(r.clone()), wp.slice(r.clone())) };
                let mut rs = if plastic {
                    Some(unsafe { rp.slice(r.clone()) })
                } else {
                    None
                };
                buf.clear();
                for i in 0..ks.len() {
                    let rl = rs.as_ref().map_or(0, |rs| rs[i]) as u128;
                    // weight biased to unsigned so that the order is numeric
                    let wb = (ws[i] as i32 + 32768) as u128;
                    let part = partition_of(key_target(ks[i]), parts, n as u32) as u128;
                    buf.push((part << 64) | ((ks[i] as u128) << 32) | (wb << 8) | rl);
                }
                buf.sort_unstable();
                let mut p = 0usize;
                for (i, &e) in buf.iter().enumerate() {
                    let part = (e >> 64) as usize;
                    while p <= part {
                        offs[p] = i as u32;
                        p += 1;
                    }
                    ks[i] = (e >> 32) as u32;
                    ws[i] = (((e >> 8) & 0xFFFF) as i32 - 32768) as i16;
                    if let Some(rs) = rs.as_deref_mut() {
                        rs[i] = (e & 0xFF) as u8;
                    }
                }
                while p <= parts as usize {
                    offs[p] = buf.len() as u32;
                    p += 1;
                }
            });
    }

    let mut syn = Synapses {
        row_start,
        parts,
        part_start,
        key,
        weight,
        rule,
        incoming: Incoming::default(),
        saturated_weights: saturated.load(Relaxed),
    };
    if plastic {
        syn.incoming = incoming_index(&syn, n);
    }
    check_accumulators(net, model, &syn)?;
    Ok(syn)
}

/// Per target, its plastic incoming synapses in ascending synapse order.
fn incoming_index(syn: &Synapses, n: usize) -> Incoming {
    let mut cnt = vec![0u64; n + 1];
    for (s, &r) in syn.rule.iter().enumerate() {
        if r != 0 {
            cnt[key_target(syn.key[s]) as usize + 1] += 1;
        }
    }
    for i in 0..n {
        cnt[i + 1] += cnt[i];
    }
    let total = cnt[n] as usize;
    let mut fill = cnt.clone();
    let mut inc = Incoming {
        start: cnt,
        syn: vec![0; total],
        src: vec![0; total],
    };
    for src in 0..n as u32 {
        for s in syn.row(src) {
            if syn.rule[s] != 0 {
                let t = key_target(syn.key[s]) as usize;
                let p = fill[t] as usize;
                inc.syn[p] = s as u64;
                inc.src[p] = src;
                fill[t] += 1;
            }
        }
    }
    inc
}

/// The accumulator contract: the input one neuron can receive in one step on
/// one channel (all its synapses of that sign, at their largest possible
/// weight) must fit `acc_bits`, so that summation never wraps and its order
/// cannot matter.
fn check_accumulators(net: &Network, model: &IntModel, syn: &Synapses) -> Result<(), Diagnostics> {
    let nc = &model.numerics;
    let n = model.neurons as usize;
    let limit = smax(nc.acc_bits);
    let trivially = (syn.len() as i128) << (nc.w_bits - 1 + nc.w_shift);
    if trivially <= limit as i128 {
        return Ok(());
    }
    let sums: Vec<AtomicI64> = (0..2 * n).map(|_| AtomicI64::new(0)).collect();
    let bound = |s: usize| -> i64 {
        let r = if syn.rule.is_empty() { 0 } else { syn.rule[s] };
        if r == 0 {
            syn.weight[s] as i64
        } else {
            // STDP keeps a plastic weight within its bounds once it has
            // been updated, but the drawn initial weight may lie beyond them
            // (only its mean is checked): the larger magnitude of the two
            // (same sign: bounds do not straddle zero, drawn weights keep
            // the mean's sign).
            let p = model.stdp[r as usize - 1].as_ref().expect("plastic rule");
            let b = if p.w_max > 0 { p.w_max } else { p.w_min };
            let w = syn.weight[s] as i64;
            if w.abs() > b.abs() {
                w
            } else {
                b
            }
        }
    };
    (0..n as u32).into_par_iter().for_each(|src| {
        for s in syn.row(src) {
            let w = bound(s) << nc.w_shift;
            let t = key_target(syn.key[s]) as usize;
            if w >= 0 {
                sums[2 * t].fetch_add(w, Relaxed);
            } else {
                sums[2 * t + 1].fetch_add(-w, Relaxed);
            }
        }
    });
    let (worst_i, worst) = sums
        .iter()
        .map(|a| a.load(Relaxed))
        .enumerate()
        .max_by_key(|&(_, v)| v)
        .unwrap_or((0, 0));
    if worst > limit {
        let t = (worst_i / 2) as u32;
        let pop = &net.populations[model.pop_of(t)].name;
        return Err(Diagnostics(vec![Diagnostic::new(
            "numerics",
            path!["numerics", "acc_bits"],
            format!(
                "neuron {t} (population \"{pop}\") can receive {worst} current LSBs of {} input in one step, more than the signed {}-bit accumulator holds ({limit}); widen acc_bits to at least {}",
                if worst_i % 2 == 0 { "excitatory" } else { "inhibitory" },
                nc.acc_bits,
                64 - (worst as u64).leading_zeros() + 1
            ),
        )]));
    }
    Ok(())
}
