//! Connectivity: instantiate the projections of a network as a compressed
//! sparse row (CSR) matrix ordered by source neuron.
//!
//! Every synapse is drawn from the counter-based generator keyed by
//! (seed, projection, synapse ordinal), so the matrix never depends on the
//! number of threads. The build takes two passes (count per source, then
//! place) and finally sorts each row by (delay, target, weight): the order in
//! which threads placed synapses is erased, and each row is laid out for
//! cache-friendly delivery. Memory: 4 bytes (target and delay) + 2 bytes
//! (weight) per synapse, plus one byte per synapse when any projection is
//! plastic ([`crate::memory`] estimates all of it before anything is built).
//!
//! Limits: a source neuron has at most [`MAX_ROW_SYNAPSES`] synapses (the
//! first pass counts them in 32 bits, and a row's partition offsets are
//! 32-bit) and a network at most [`MAX_SYNAPSES`]. The validator enforces
//! both from the rules' counts ([`planned`]; for `pairwise_bernoulli` the
//! expectation), and the build checks the counts it actually draws, so that
//! no counter can wrap and no write can leave its row.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use crate::alloc::try_zeroed;
use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{DelayDist, Network, Projection, Rule, WeightDist};
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

/// Most synapses one source neuron can have: 2^32 - 1 (the first pass counts
/// each row in a 32-bit counter, and [`Synapses::part_start`] holds 32-bit
/// offsets within a row).
pub const MAX_ROW_SYNAPSES: u64 = u32::MAX as u64;

/// Most synapses a network can have: 2^36 = 68,719,476,736 (at 6 bytes
/// each, 384 GiB, beyond any machine this runs on). The bound keeps every
/// count, product and memory sum of the build far inside 64-bit arithmetic
/// and the list of work chunks small; what a machine can actually hold is
/// the memory estimate's business ([`crate::memory`]).
pub const MAX_SYNAPSES: u64 = 1 << 36;

/// What a projection's rule makes, from the description alone (no draw).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planned {
    /// Synapses: exact for every rule but `pairwise_bernoulli`, whose count
    /// is random (its expectation, rounded and saturated, is given).
    pub synapses: u64,
    /// Whether `synapses` is exact.
    pub exact: bool,
    /// Expected synapses of one source neuron (exact for `one_to_one`; an
    /// upper bound for `explicit`, the whole list).
    pub per_source: f64,
}

/// The synapses projection `p` of `net` makes (see [`Planned`]); `None`
/// when its source or target population does not exist.
pub fn planned(net: &Network, p: &Projection) -> Option<Planned> {
    let ns = net.populations[net.population_index(&p.source)?].size;
    let nt = net.populations[net.population_index(&p.target)?].size;
    let same = p.source == p.target;
    let per = |total: f64| if ns == 0 { 0.0 } else { total / f64::from(ns) };
    Some(match &p.rule {
        Rule::FixedTotalNumber { n, .. } => Planned {
            synapses: *n,
            exact: true,
            per_source: per(*n as f64),
        },
        Rule::FixedIndegree { k, .. } => {
            // <= 2^32 * 2^32: never overflows
            let total = u64::from(*k) * u64::from(nt);
            Planned {
                synapses: total,
                exact: true,
                per_source: per(total as f64),
            }
        }
        Rule::PairwiseBernoulli { p: prob, autapses } => {
            let targets = if same && !autapses {
                f64::from(nt.saturating_sub(1))
            } else {
                f64::from(nt)
            };
            // NaN (rejected by validation) counts as 0.
            let prob = if prob.is_nan() {
                0.0
            } else {
                prob.clamp(0.0, 1.0)
            };
            Planned {
                synapses: (prob * f64::from(ns) * targets).round() as u64,
                exact: prob == 0.0 || prob == 1.0,
                per_source: prob * targets,
            }
        }
        Rule::OneToOne => Planned {
            synapses: u64::from(ns),
            exact: true,
            per_source: 1.0,
        },
        Rule::Explicit { synapses } => Planned {
            synapses: synapses.len() as u64,
            exact: true,
            per_source: synapses.len() as f64,
        },
    })
}

/// Receives the progress of a connectivity build ([`build_with`]), from
/// worker threads: keep both methods cheap (an atomic add).
pub trait BuildProgress: Sync {
    /// A new phase begins: `what` it does, and the synapses it goes
    /// through (`total`; for the first pass the rules' count, exact but
    /// for `pairwise_bernoulli`).
    fn phase(&self, what: &'static str, total: u64) {
        let _ = (what, total);
    }
    /// `n` more units of the current phase are done.
    fn advance(&self, n: u64) {
        let _ = n;
    }
}

/// No progress reporting.
pub struct NoProgress;
impl BuildProgress for NoProgress {}

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
                    // ln(1 - p) as f64 computes it, except where 1 - p rounds
                    // to 1 (p below about 1.1e-16): there it would be 0, every
                    // gap -inf and the loop endless; ln_1p(-p) keeps p. (Using
                    // ln_1p for all p would move results of existing networks.)
                    let q = 1.0 - p;
                    let ln_q = if q < 1.0 { q.ln() } else { (-p).ln_1p() };
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

/// Pass 1's per-source counters: 32 bits each, with overflow detected
/// exactly (each add is 1, so a counter wraps only on an add that finds
/// `u32::MAX`).
struct RowCounts {
    counts: Vec<AtomicU32>,
    /// The first source whose counter overflowed, `u64::MAX` while none.
    overflow: AtomicU64,
}

impl RowCounts {
    fn new(n: usize) -> RowCounts {
        RowCounts {
            counts: (0..n).map(|_| AtomicU32::new(0)).collect(),
            overflow: AtomicU64::new(u64::MAX),
        }
    }

    /// Count one synapse of `src`; false when its row already held
    /// `u32::MAX` synapses (the count is then wrong and must not be used).
    #[inline(always)]
    fn add(&self, src: u32) -> bool {
        if self.counts[src as usize].fetch_add(1, Relaxed) == u32::MAX {
            let _ = self
                .overflow
                .compare_exchange(u64::MAX, u64::from(src), Relaxed, Relaxed);
            return false;
        }
        true
    }

    /// The first source whose row overflowed, if any.
    fn overflowed(&self) -> Option<u32> {
        let s = self.overflow.load(Relaxed);
        (s != u64::MAX).then_some(s as u32)
    }

    /// Row offsets (`n + 1` entries, from 0 to the total).
    fn offsets(self) -> Vec<u64> {
        let mut row_start = Vec::with_capacity(self.counts.len() + 1);
        let mut acc = 0u64;
        row_start.push(0);
        for c in self.counts {
            acc += u64::from(c.into_inner());
            row_start.push(acc);
        }
        row_start
    }
}

/// Whether `row_start` cuts `0..len` into consecutive rows: it starts at
/// 0, never decreases and ends at `len`.
fn rows_tile(row_start: &[u64], len: usize) -> bool {
    row_start.first() == Some(&0)
        && row_start.last() == Some(&(len as u64))
        && row_start.windows(2).all(|w| w[0] <= w[1])
}

/// The rows of the synapse arrays, shared by the worker threads of one
/// pass: each thread writes only what it owns (an index handed out by a
/// row's cursor, or a whole row). Borrows the arrays for its lifetime.
struct Rows<'a> {
    row_start: &'a [u64],
    /// Per row, the next free index (pass 2).
    cursors: Vec<AtomicU64>,
    key: *mut u32,
    weight: *mut i16,
    /// Null when no projection is plastic.
    rule: *mut u8,
    _arrays: std::marker::PhantomData<(&'a mut [u32], &'a mut [i16], &'a mut [u8])>,
}

// SAFETY: `Rows` holds pointers into arrays it borrows mutably for its
// lifetime; threads dereference them only at indices they own (a unique
// cursor value of a row, or a whole row visited once), which is what
// handing each thread disjoint `&mut` sub-slices would give.
unsafe impl Sync for Rows<'_> {}

impl<'a> Rows<'a> {
    /// The rows `row_start` cuts `key`, `weight` and `rule` into. Panics
    /// unless the rows tile the arrays exactly (the ground of every unsafe
    /// access below).
    fn new(
        row_start: &'a [u64],
        key: &'a mut [u32],
        weight: &'a mut [i16],
        rule: Option<&'a mut [u8]>,
    ) -> Rows<'a> {
        let len = key.len();
        assert!(
            rows_tile(row_start, len)
                && weight.len() == len
                && rule.as_ref().is_none_or(|r| r.len() == len),
            "synapse rows do not tile the synapse arrays"
        );
        let n = row_start.len() - 1;
        Rows {
            row_start,
            cursors: row_start[..n].iter().map(|&s| AtomicU64::new(s)).collect(),
            key: key.as_mut_ptr(),
            weight: weight.as_mut_ptr(),
            rule: rule.map_or(std::ptr::null_mut(), |r| r.as_mut_ptr()),
            _arrays: std::marker::PhantomData,
        }
    }

    /// Write one synapse of row `src` at the row's next free index; false
    /// (nothing written) when the row is already full.
    #[inline(always)]
    fn place(&self, src: u32, key: u32, weight: i16, rule: u8) -> bool {
        let src = src as usize;
        let pos = self.cursors[src].fetch_add(1, Relaxed);
        if pos >= self.row_start[src + 1] {
            return false;
        }
        let pos = pos as usize;
        // SAFETY: `row_start[src] <= pos < row_start[src + 1] <= len` (the
        // rows tile the arrays, checked in `new`), so `pos` is in bounds of
        // all three arrays; the cursor of row `src` hands out each of its
        // indices once, and rows are disjoint, so no other thread touches
        // `pos`.
        unsafe {
            self.key.add(pos).write(key);
            self.weight.add(pos).write(weight);
            if !self.rule.is_null() {
                self.rule.add(pos).write(rule);
            }
        }
        true
    }

    /// Whether every row received exactly its count.
    fn complete(&self) -> bool {
        self.cursors
            .iter()
            .zip(&self.row_start[1..])
            .all(|(c, &end)| c.load(Relaxed) == end)
    }

    /// The keys, weights and (when plastic) rule indices of row `src`.
    ///
    /// # Safety
    /// No other thread accesses row `src` while the slices live.
    #[allow(clippy::mut_from_ref, clippy::type_complexity)]
    unsafe fn row(&self, src: usize) -> (&mut [u32], &mut [i16], Option<&mut [u8]>) {
        let (a, b) = (
            self.row_start[src] as usize,
            self.row_start[src + 1] as usize,
        );
        // SAFETY: `a <= b <= len` (the rows tile the arrays, checked in
        // `new`; `row_start[src + 1]` is bounds-checked), so the ranges are
        // in bounds; the caller owns the row.
        unsafe {
            (
                std::slice::from_raw_parts_mut(self.key.add(a), b - a),
                std::slice::from_raw_parts_mut(self.weight.add(a), b - a),
                (!self.rule.is_null())
                    .then(|| std::slice::from_raw_parts_mut(self.rule.add(a), b - a)),
            )
        }
    }
}

/// A buffer of `stride` entries per row, shared by the threads that each
/// own some rows.
struct PerRow<'a, T> {
    ptr: *mut T,
    rows: usize,
    stride: usize,
    _buf: std::marker::PhantomData<&'a mut [T]>,
}

// SAFETY: as for `Rows`: each row's entries are touched by the one thread
// that owns the row.
unsafe impl<T: Send> Sync for PerRow<'_, T> {}

impl<'a, T> PerRow<'a, T> {
    fn new(buf: &'a mut [T], stride: usize) -> PerRow<'a, T> {
        PerRow {
            ptr: buf.as_mut_ptr(),
            rows: buf.len().checked_div(stride).unwrap_or(0),
            stride,
            _buf: std::marker::PhantomData,
        }
    }

    /// The entries of row `r`.
    ///
    /// # Safety
    /// No other thread accesses row `r` while the slice lives.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self, r: usize) -> &mut [T] {
        assert!(r < self.rows, "row {r} of {}", self.rows);
        // SAFETY: `(r + 1) * stride <= rows * stride <= len` (checked
        // above), so the range is in bounds; the caller owns the row.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(r * self.stride), self.stride) }
    }
}

/// Rows sorted per parallel work item.
const SORT_BLOCK: usize = 256;

/// The field of a rule that sets its synapse count.
fn count_field(rule: &Rule) -> &'static str {
    match rule {
        Rule::FixedTotalNumber { .. } => "n",
        Rule::FixedIndegree { .. } => "k",
        Rule::PairwiseBernoulli { .. } => "p",
        Rule::OneToOne => "kind",
        Rule::Explicit { .. } => "synapses",
    }
}

/// The count setting of a rule, in words: `n = 4294967312`.
fn count_setting(net: &Network, p: &Projection) -> String {
    match &p.rule {
        Rule::FixedTotalNumber { n, .. } => format!("n = {n}"),
        Rule::FixedIndegree { k, .. } => {
            let nt = net
                .population_index(&p.target)
                .map_or(0, |t| net.populations[t].size);
            format!(
                "k = {k} onto the {nt} neurons of population \"{}\"",
                p.target
            )
        }
        Rule::PairwiseBernoulli { p: prob, .. } => format!("p = {prob}"),
        Rule::OneToOne => "one_to_one".to_string(),
        Rule::Explicit { synapses } => format!("an explicit list of {}", synapses.len()),
    }
}

/// The synapse-count limits of a network, from its rules' counts
/// ([`planned`]): at most [`MAX_SYNAPSES`] in all, at most
/// [`MAX_ROW_SYNAPSES`] from one source neuron (expected, for the random
/// rules). Each problem names the projection and the rule field that sets
/// the count; like the neuron limit, a total is reported once, at the
/// projection that crosses it. Projections with unknown populations are
/// skipped (validation reports them).
pub fn limit_problems(net: &Network) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let mut total_reported = false;
    let mut row = vec![0.0f64; net.populations.len()];
    let mut row_reported = vec![false; net.populations.len()];
    let mut row_projections = vec![0usize; net.populations.len()];
    for (i, p) in net.projections.iter().enumerate() {
        let Some(pl) = planned(net, p) else { continue };
        let Some(si) = net.population_index(&p.source) else {
            continue;
        };
        let obj = crate::net::projection_object(i, p);
        let field = path!["projection", i, "rule", count_field(&p.rule)];
        let setting = count_setting(net, p);
        let about = if pl.exact { "" } else { "about " };
        if pl.synapses > MAX_SYNAPSES {
            total_reported = true;
            out.push(Diagnostic::new(
                &obj,
                field.clone(),
                format!(
                    "{setting} makes {about}{} synapses, more than the limit of {MAX_SYNAPSES} (2^36) synapses in a network",
                    pl.synapses
                ),
            ));
        }
        total = total.saturating_add(pl.synapses);
        if total > MAX_SYNAPSES && !total_reported {
            total_reported = true;
            let all = net
                .projections
                .iter()
                .filter_map(|q| planned(net, q))
                .fold(0u64, |a, q| a.saturating_add(q.synapses));
            out.push(Diagnostic::new(
                &obj,
                field.clone(),
                format!(
                    "the network has {all} synapses in total, more than the limit of {MAX_SYNAPSES} (2^36) synapses in a network; the limit is crossed at this projection ({setting})"
                ),
            ));
        }
        row[si] += pl.per_source;
        row_projections[si] += 1;
        if row[si] > MAX_ROW_SYNAPSES as f64 && !row_reported[si] {
            row_reported[si] = true;
            let ns = net.populations[si].size;
            let each = if pl.exact && ns == 1 {
                "its neuron".to_string()
            } else {
                format!("each of its {ns} neurons")
            };
            let others = match row_projections[si] - 1 {
                0 => String::new(),
                1 => " (with the earlier projection from it; the limit is crossed at this one)"
                    .to_string(),
                k => format!(
                    " (with the {k} earlier projections from it; the limit is crossed at this one)"
                ),
            };
            let avg = if ns == 1 || !pl.exact || matches!(p.rule, Rule::Explicit { .. }) {
                ""
            } else {
                " on average"
            };
            out.push(Diagnostic::new(
                &obj,
                field,
                format!(
                    "{setting} gives {each} of population \"{}\" {about}{:.0} outgoing synapses{avg}{others}, more than the limit of {MAX_ROW_SYNAPSES} (2^32 - 1) synapses from one source neuron",
                    p.source, row[si]
                ),
            ));
        }
    }
    out
}

/// Build the synapse matrix of a (validated, quantized) network in the
/// current rayon pool.
pub fn build(net: &Network, model: &IntModel) -> Result<Synapses, Diagnostics> {
    build_with(net, model, &NoProgress)
}

fn network_problem(field: &str, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::new(
        "network",
        path![field.to_string()],
        message,
    )])
}

/// [`build`], reporting its progress to `progress`.
///
/// Nothing here trusts that the network was validated: the count limits
/// are checked again before any work is listed, the counts drawn are
/// checked while they are drawn, and every buffer is allocated fallibly,
/// so that a network too big for the machine is an error, not an abort.
pub fn build_with(
    net: &Network,
    model: &IntModel,
    progress: &dyn BuildProgress,
) -> Result<Synapses, Diagnostics> {
    let n = model.neurons as usize;
    let nc = &model.numerics;
    if net.num_neurons() > crate::net::MAX_NEURONS || u64::from(model.neurons) != net.num_neurons()
    {
        return Err(network_problem(
            "population",
            format!(
                "{} neurons: a network has at most 2^24 = {} (the quantized model has {})",
                net.num_neurons(),
                crate::net::MAX_NEURONS,
                model.neurons
            ),
        ));
    }
    let problems = limit_problems(net);
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
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
    // At most MAX_SYNAPSES / CHUNK chunks per projection of a counted rule
    // (4 million) and one per source neuron of a random one.
    let tasks: Vec<(usize, u64)> = gens
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| (0..g.num_chunks()).map(move |c| (gi, c)))
        .collect();
    let planned_total = net
        .projections
        .iter()
        .filter_map(|p| planned(net, p))
        .fold(0u64, |a, p| a.saturating_add(p.synapses));

    // Pass 1: count synapses per source (checked 32-bit counters) and in
    // all; stop early on either limit.
    progress.phase("counting synapses", planned_total);
    let counts = RowCounts::new(n);
    let drawn = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    tasks.par_iter().for_each(|&(gi, c)| {
        if stop.load(Relaxed) {
            return;
        }
        let mut sat = 0;
        let mut k = 0u64;
        gens[gi].chunk(c, false, &mut sat, &mut |d| {
            k += 1;
            if !counts.add(d.src) {
                stop.store(true, Relaxed);
            }
        });
        // Chunks are at most 2^24 synapses: the sum stays far from u64::MAX.
        if drawn.fetch_add(k, Relaxed) + k > MAX_SYNAPSES {
            stop.store(true, Relaxed);
        }
        progress.advance(k);
    });
    if let Some(src) = counts.overflowed() {
        let pop = &net.populations[model.pop_of(src)].name;
        return Err(network_problem(
            "projection",
            format!(
                "neuron {src} (population \"{pop}\") draws more than {MAX_ROW_SYNAPSES} (2^32 - 1) outgoing synapses, the most one source neuron can have; make its projections smaller"
            ),
        ));
    }
    if drawn.load(Relaxed) > MAX_SYNAPSES {
        return Err(network_problem(
            "projection",
            format!(
                "the projections draw more than {MAX_SYNAPSES} (2^36) synapses, the most a network can have"
            ),
        ));
    }
    let row_start = counts.offsets();
    let total = row_start[n] as usize;

    // Pass 2: place every synapse at its row's cursor. The buffers are
    // zeroed, so that every element is initialized whatever pass 2 does.
    let oom = |what: &str, bytes: u128| {
        network_problem(
            "projection",
            format!(
                "out of memory: cannot allocate {bytes} bytes for the {what} of the network ({n} neurons, {total} synapses)"
            ),
        )
    };
    let per_syn = |size: usize| total as u128 * size as u128;
    let mut key: Vec<u32> =
        try_zeroed(total).ok_or_else(|| oom("synapse targets and delays", per_syn(4)))?;
    let mut weight: Vec<i16> = try_zeroed(total).ok_or_else(|| oom("weights", per_syn(2)))?;
    let mut rule: Vec<u8> = if plastic {
        try_zeroed(total).ok_or_else(|| oom("rule indices", per_syn(1)))?
    } else {
        Vec::new()
    };
    progress.phase("placing synapses", total as u64);
    let saturated = AtomicU64::new(0);
    let complete = {
        let rows = Rows::new(
            &row_start,
            &mut key,
            &mut weight,
            plastic.then_some(&mut rule),
        );
        tasks.par_iter().for_each(|&(gi, c)| {
            let g = &gens[gi];
            let mut sat = 0;
            let mut k = 0u64;
            g.chunk(c, true, &mut sat, &mut |d| {
                k += 1;
                // A synapse beyond what pass 1 counted is not written;
                // `complete` fails the build below.
                rows.place(d.src, pack(d.tgt, d.d), d.w as i16, g.rule_id);
            });
            if sat > 0 {
                saturated.fetch_add(sat, Relaxed);
            }
            progress.advance(k);
        });
        rows.complete()
    };
    if !complete {
        return Err(network_problem(
            "projection",
            "internal error: the two connectivity passes drew different synapses".to_string(),
        ));
    }

    // Sort each row by (partition, delay, target, weight, rule): placement
    // order is erased; then record where each partition starts.
    let parts = partitions_for(n as u32);
    let stride = parts as usize + 1;
    let mut part_start: Vec<u32> = try_zeroed(n * stride)
        .ok_or_else(|| oom("row partition offsets", (n * stride * 4) as u128))?;
    progress.phase("sorting rows", total as u64);
    let sort_failed = AtomicBool::new(false);
    {
        let rows = Rows::new(
            &row_start,
            &mut key,
            &mut weight,
            plastic.then_some(&mut rule),
        );
        let offsets = PerRow::new(&mut part_start, stride);
        let row_start = &row_start;
        (0..n.div_ceil(SORT_BLOCK)).into_par_iter().for_each_init(
            Vec::<u128>::new,
            |buf, block| {
                let block_rows = block * SORT_BLOCK..((block + 1) * SORT_BLOCK).min(n);
                let done = row_start[block_rows.end] - row_start[block_rows.start];
                for src in block_rows {
                    // SAFETY: blocks are disjoint ranges of sources and each
                    // block visits each of its sources once: row `src` is this
                    // item's alone while it is sorted.
                    let (offs, (ks, ws, mut rs)) = unsafe { (offsets.get(src), rows.row(src)) };
                    if ks.len() < 2 {
                        let p0 = ks
                            .first()
                            .map_or(parts, |&k| partition_of(key_target(k), parts, n as u32));
                        for (p, o) in offs.iter_mut().enumerate() {
                            *o = if (p as u32) <= p0 { 0 } else { ks.len() as u32 };
                        }
                        continue;
                    }
                    buf.clear();
                    // Exactly the row (no doubling), and an error, not an
                    // abort, when even that cannot be had.
                    if buf.try_reserve_exact(ks.len()).is_err() {
                        sort_failed.store(true, Relaxed);
                        return;
                    }
                    for i in 0..ks.len() {
                        let rl = rs.as_ref().map_or(0, |rs| rs[i]) as u128;
                        // weight biased to unsigned so that the order is numeric
                        let wb = (ws[i] as i32 + 32768) as u128;
                        let part = partition_of(key_target(ks[i]), parts, n as u32) as u128;
                        buf.push((part << 64) | ((ks[i] as u128) << 32) | (wb << 8) | rl);
                    }
                    buf.sort_unstable();
                    // A row holds at most u32::MAX synapses (pass 1), so
                    // offsets within it fit the 32-bit `part_start`.
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
                }
                progress.advance(done);
            },
        );
    }
    if sort_failed.load(Relaxed) {
        let longest = (0..n)
            .map(|s| row_start[s + 1] - row_start[s])
            .max()
            .unwrap_or(0);
        return Err(oom(
            "sort buffer of the longest row",
            u128::from(longest) * 16,
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_counter_detects_exactly_the_add_that_wraps() {
        let c = RowCounts::new(3);
        c.counts[1].store(u32::MAX - 1, Relaxed);
        assert!(c.add(1), "u32::MAX - 1 -> u32::MAX fits");
        assert_eq!(c.overflowed(), None);
        assert!(c.add(0));
        assert!(!c.add(1), "u32::MAX -> wrap is detected");
        assert_eq!(c.overflowed(), Some(1));
        c.counts[2].store(u32::MAX, Relaxed);
        assert!(!c.add(2), "a second row wraps too");
        assert_eq!(c.overflowed(), Some(1), "the first overflow is kept");
    }

    #[test]
    fn row_offsets_are_the_running_counts_in_64_bits() {
        let c = RowCounts::new(3);
        c.counts[0].store(u32::MAX, Relaxed);
        c.counts[2].store(u32::MAX, Relaxed);
        assert!(c.add(1));
        let max = u64::from(u32::MAX);
        assert_eq!(c.offsets(), vec![0, max, max + 1, 2 * max + 1]);
    }

    #[test]
    fn rows_tile_only_when_they_cover_the_arrays_in_order() {
        assert!(rows_tile(&[0, 2, 2, 5], 5));
        assert!(rows_tile(&[0], 0));
        assert!(!rows_tile(&[0, 2, 2, 6], 5), "past the end");
        assert!(!rows_tile(&[0, 2, 2, 4], 5), "short of the end");
        assert!(!rows_tile(&[0, 3, 2, 5], 5), "decreasing");
        assert!(!rows_tile(&[1, 2, 5], 5), "not from 0");
        assert!(!rows_tile(&[], 0));
    }

    #[test]
    fn placing_never_writes_past_a_full_row() {
        let row_start = [0u64, 2, 2, 3];
        let (mut key, mut weight, mut rule) = ([0u32; 3], [0i16; 3], [0u8; 3]);
        let complete = {
            let rows = Rows::new(&row_start, &mut key, &mut weight, Some(&mut rule));
            assert!(rows.place(0, 10, 1, 1));
            assert!(!rows.complete());
            assert!(rows.place(0, 11, 2, 1));
            assert!(!rows.place(0, 12, 3, 1), "row 0 holds 2");
            assert!(!rows.place(1, 13, 4, 1), "row 1 holds none");
            assert!(rows.place(2, 14, 5, 2));
            assert!(!rows.place(2, 15, 6, 2), "row 2 holds 1");
            rows.complete()
        };
        assert!(!complete, "cursors moved past their rows: not complete");
        assert_eq!(key, [10, 11, 14]);
        assert_eq!(weight, [1, 2, 5]);
        assert_eq!(rule, [1, 1, 2]);
    }

    #[test]
    fn rows_exactly_filled_are_complete_and_yield_their_slices() {
        let row_start = [0u64, 1, 3];
        let (mut key, mut weight) = ([0u32; 3], [0i16; 3]);
        let rows = Rows::new(&row_start, &mut key, &mut weight, None);
        for (src, k) in [(1, 7), (0, 5), (1, 8)] {
            assert!(rows.place(src, k, -1, 9));
        }
        assert!(rows.complete());
        // SAFETY: one thread.
        let (k0, w0, r0) = unsafe { rows.row(0) };
        assert_eq!(
            (&*k0, &*w0, r0.is_none()),
            (&[5u32][..], &[-1i16][..], true)
        );
        // SAFETY: one thread; row 0's slices are no longer used.
        let (k1, _, _) = unsafe { rows.row(1) };
        assert_eq!(k1, &[7, 8]);
    }

    #[test]
    #[should_panic(expected = "do not tile")]
    fn rows_that_do_not_tile_the_arrays_are_refused() {
        let (mut key, mut weight) = ([0u32; 2], [0i16; 2]);
        let _ = Rows::new(&[0, 3], &mut key, &mut weight, None);
    }

    #[test]
    #[should_panic(expected = "do not tile")]
    fn a_rule_array_of_another_length_is_refused() {
        let (mut key, mut weight, mut rule) = ([0u32; 2], [0i16; 2], [0u8; 1]);
        let _ = Rows::new(&[0, 2], &mut key, &mut weight, Some(&mut rule));
    }

    #[test]
    fn per_row_entries_are_the_rows_stride_slices() {
        let mut buf = [0u32; 6];
        {
            let rows = PerRow::new(&mut buf, 3);
            // SAFETY: one thread, each row once.
            unsafe {
                rows.get(0).copy_from_slice(&[1, 2, 3]);
                rows.get(1)[2] = 9;
            }
        }
        assert_eq!(buf, [1, 2, 3, 0, 0, 9]);
    }

    #[test]
    fn a_nan_probability_counts_nothing_and_leaves_the_row_limit_checked() {
        let mut net: Network = toml::from_str(include_str!(
            "../tests/fixtures/synapses_per_source_above_limit.toml"
        ))
        .expect("fixture parses");
        let mut nan = net.projections[0].clone();
        nan.rule = Rule::PairwiseBernoulli {
            p: f64::NAN,
            autapses: true,
        };
        net.projections.insert(0, nan);
        let pl = planned(&net, &net.projections[0]).expect("populations exist");
        assert_eq!((pl.synapses, pl.per_source), (0, 0.0));
        let d = limit_problems(&net);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].field(), "projection[1].rule.n");
        assert!(
            d[0].message
                .contains("with the earlier projection from it;"),
            "{}",
            d[0]
        );
    }

    #[test]
    #[should_panic(expected = "row 2 of 2")]
    fn per_row_access_beyond_the_last_row_panics() {
        let mut buf = [0u32; 6];
        let rows = PerRow::new(&mut buf, 3);
        // SAFETY: one thread (and it panics before any access).
        let _ = unsafe { rows.get(2) };
    }
}
