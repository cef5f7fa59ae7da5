//! The bit-exact reference engine. Semantics: docs/numerics.md.
//!
//! One step `t` has two phases:
//! - **A, neuron update** (parallel over neurons): read and clear the delay
//!   slot of step `t`, add the Poisson background, update V, I_ex, I_in, the
//!   refractory counter and the STDP traces with [`update_neuron`], threshold.
//! - **B, spike processing**: for every spike of step `t` (ascending neuron),
//!   walk its synapse row, add each weight into the target's slot `t + delay`,
//!   and apply depression to plastic synapses; then, for every spike, apply
//!   potentiation to the plastic synapses onto that neuron.
//!
//! Delivery uses integer adds into a wide accumulator that cannot overflow
//! (checked when the matrix is built), so the order and the thread count
//! never change a result.

use rayon::prelude::*;

use crate::connect::{self, key_delay, key_target, Synapses};
use crate::diag::{Diagnostic, Diagnostics};
use crate::memory;
use crate::net::Network;
use crate::numerics::{rshift_round, sat_s, smax, smin, umax, NumericsConfig};
use crate::path;
use crate::quant::{self, IntModel, PopParams, StdpParams, TraceParams, VInitQ};
use crate::rng::{self, Counter, Stream};

/// The integer state of one neuron.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NeuronState {
    /// Membrane potential relative to E_L, V LSBs.
    pub v: i32,
    /// Excitatory synaptic current, I LSBs.
    pub i_ex: i32,
    /// Inhibitory synaptic current, I LSBs.
    pub i_in: i32,
    /// Refractory steps left.
    pub refr: u32,
    /// Presynaptic STDP trace (potentiation), Q(trace_frac).
    pub x_pre: u32,
    /// Postsynaptic STDP trace (depression), Q(trace_frac).
    pub y_post: u32,
}

/// The input delivered to one neuron for one step (sums of the two channels,
/// background included), in current LSBs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Input {
    pub ex: i64,
    pub inh: i64,
}

/// One neuron update of step `t`, exactly as docs/numerics.md orders it.
/// Returns whether the neuron spiked. This is the reference the hardware's
/// neuron pipeline is checked against.
#[inline(always)]
pub fn update_neuron(
    nc: &NumericsConfig,
    p: &PopParams,
    tr: Option<&TraceParams>,
    s: &mut NeuronState,
    input: Input,
) -> bool {
    Kernel::new(nc, p, tr).update(s, input)
}

/// The constants of [`update_neuron`] for one population, with the
/// saturation bounds and rounding offsets precomputed.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    p22: i64,
    p21_ex: i64,
    p21_in: i64,
    p11_ex: i64,
    p11_in: i64,
    dc: i64,
    theta: i64,
    v_reset: i32,
    ref_steps: u32,
    cf: u32,
    half: i64,
    v_lo: i64,
    v_hi: i64,
    i_lo: i64,
    i_hi: i64,
    plastic: bool,
    p_plus: i64,
    p_minus: i64,
    t_inc: i64,
    t_hi: i64,
}

impl Kernel {
    pub fn new(nc: &NumericsConfig, p: &PopParams, tr: Option<&TraceParams>) -> Kernel {
        let cf = nc.coef_frac;
        Kernel {
            p22: p.p22,
            p21_ex: p.p21_ex,
            p21_in: p.p21_in,
            p11_ex: p.p11_ex,
            p11_in: p.p11_in,
            dc: p.dc_term,
            theta: p.theta,
            v_reset: p.v_reset as i32,
            ref_steps: p.ref_steps,
            cf,
            half: if cf == 0 { 0 } else { 1 << (cf - 1) },
            v_lo: smin(nc.v_bits),
            v_hi: smax(nc.v_bits),
            i_lo: smin(nc.i_bits),
            i_hi: smax(nc.i_bits),
            plastic: tr.is_some(),
            p_plus: tr.map_or(0, |t| t.p_plus),
            p_minus: tr.map_or(0, |t| t.p_minus),
            t_inc: 1i64 << nc.trace_frac,
            t_hi: umax(nc.trace_bits) as i64,
        }
    }

    /// `rshift_round(x, coef_frac)`.
    #[inline(always)]
    fn rnd(&self, x: i64) -> i64 {
        (x + self.half) >> self.cf
    }

    /// Phase A for one neuron (docs/numerics.md, items 2 to 5).
    #[inline(always)]
    pub fn update(&self, s: &mut NeuronState, input: Input) -> bool {
        self.update_forced(s, input, false)
    }

    /// [`Kernel::update`] of a neuron that a run's input may force to spike
    /// (an input population's): with `force`, it spikes whatever its
    /// potential, with the reset, refractoriness and trace increment of any
    /// spike (docs/numerics.md, item 4).
    #[inline(always)]
    pub fn update_forced(&self, s: &mut NeuronState, input: Input, force: bool) -> bool {
        // 1. Membrane: exact propagation with the currents of the previous step.
        if s.refr == 0 {
            let acc = s.v as i64 * self.p22
                + s.i_ex as i64 * self.p21_ex
                + s.i_in as i64 * self.p21_in
                + self.dc;
            s.v = self.rnd(acc).clamp(self.v_lo, self.v_hi) as i32;
        } else {
            s.refr -= 1;
        }
        // 2. Currents: decay, then add this step's input (the one saturation point of input).
        s.i_ex =
            (self.rnd(s.i_ex as i64 * self.p11_ex) + input.ex).clamp(self.i_lo, self.i_hi) as i32;
        s.i_in =
            (self.rnd(s.i_in as i64 * self.p11_in) + input.inh).clamp(self.i_lo, self.i_hi) as i32;
        // 3. Threshold, reset, refractoriness.
        let spike = force || s.v as i64 >= self.theta;
        if spike {
            s.v = self.v_reset;
            s.refr = self.ref_steps;
        }
        // 4. STDP traces: decay, then add one spike.
        if self.plastic {
            let inc = if spike { self.t_inc } else { 0 };
            s.x_pre = (self.rnd(s.x_pre as i64 * self.p_plus) + inc).clamp(0, self.t_hi) as u32;
            s.y_post = (self.rnd(s.y_post as i64 * self.p_minus) + inc).clamp(0, self.t_hi) as u32;
        }
        spike
    }
}

/// The weight change of one STDP event: `round(a * trace / 2^trace_frac)`.
#[inline(always)]
pub fn stdp_delta(nc: &NumericsConfig, a: i64, trace: u32) -> i64 {
    rshift_round(a * trace as i64, nc.trace_frac)
}

/// One observed neuron update (the co-simulation compares these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeuronRecord {
    pub step: u64,
    pub neuron: u32,
    pub state: NeuronState,
    pub spike: bool,
}

/// One observed weight write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightRecord {
    pub step: u64,
    pub synapse: u64,
    pub old: i16,
    pub new: i16,
}

/// Receives observation records, in a deterministic order: neuron updates in
/// ascending neuron order, then weight writes in processing order.
pub trait Observer {
    fn neuron(&mut self, rec: &NeuronRecord);
    fn weight(&mut self, rec: &WeightRecord);
}

/// Neuron updates processed per parallel work item.
const CHUNK: usize = 4096;

/// What phase A of one step needs besides the neuron state.
struct PhaseA<'a> {
    nc: NumericsConfig,
    pops: &'a [PopParams],
    /// One kernel per population.
    kernels: Vec<Kernel>,
    bg_key: u64,
    ring: RingPtr,
    /// Index of this step's delay slot in the ring (`(t mod S) * N`).
    slot_base: usize,
    t: u64,
    /// The input neurons forced to spike in this step, ascending.
    forced: &'a [u32],
}

impl PhaseA<'_> {
    /// Update the neurons `first ..` of population `p` held in `states`,
    /// appending the ones that spike to `spikes`.
    ///
    /// # Safety
    /// `first + states.len()` is at most the neuron count `N` of the ring
    /// (`slot_base = (t mod S) * N` with the ring `S * N` entries long), and
    /// no other thread touches the ring entries of these neurons meanwhile.
    #[inline(always)]
    unsafe fn update_range(
        &self,
        pi: usize,
        first: usize,
        states: &mut [NeuronState],
        spikes: &mut Vec<u32>,
    ) {
        let p = &self.pops[pi];
        let kernel = self.kernels[pi];
        let shift = self.nc.w_shift;
        // only an input population's neurons are forced (set_input checks)
        let forced: &[u32] = if p.input { self.forced } else { &[] };
        for (k, s) in states.iter_mut().enumerate() {
            let n = first + k;
            let idx = self.slot_base + n;
            // SAFETY: `n < first + states.len() <= N`, so `idx < (S - 1) N + N`
            // is in bounds, and it is this neuron's entry of the current
            // slot, which no other thread touches (the caller's contract).
            let mut input = unsafe {
                let i = Input {
                    ex: *self.ring.ex.add(idx) as i64,
                    inh: *self.ring.inh.add(idx) as i64,
                };
                *self.ring.ex.add(idx) = 0;
                *self.ring.inh.add(idx) = 0;
                i
            };
            if let Some(bg) = &p.poisson {
                let u = rng::neuron_step_u32(self.bg_key, n as u32, self.t as u32);
                let w = (bg.count(u) as i64 * bg.weight) << shift;
                if bg.weight >= 0 {
                    input.ex += w;
                } else {
                    input.inh += w;
                }
            }
            let force = !forced.is_empty() && forced.binary_search(&(n as u32)).is_ok();
            if kernel.update_forced(s, input, force) {
                spikes.push(n as u32);
            }
        }
    }
}

/// An input that names a neuron which is not an input population's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "step {step}: neuron {neuron} {}: only neurons of input populations (kind = \"input\") take input spikes",
    match population { Some(p) => format!("is in population \"{p}\""), None => "does not exist".to_string() }
)]
pub struct InputError {
    pub neuron: u32,
    pub step: u64,
    pub population: Option<String>,
}

/// The simulator: integer model, synapses, state and the delay ring.
pub struct Engine {
    pub model: IntModel,
    pub syn: Synapses,
    pub state: Vec<NeuronState>,
    pop_of: Vec<u16>,
    /// Delay ring, `[slot][neuron]`, excitatory and inhibitory channel.
    ring_ex: Vec<i32>,
    ring_in: Vec<i32>,
    slots: u64,
    bg_key: u64,
    step: u64,
    spikes: Vec<u32>,
    /// The input neurons forced to spike in the next step, ascending
    /// ([`Engine::set_input`]; emptied by the step).
    input: Vec<u32>,
    /// When set, phase B processes each step's spikes in an order shuffled
    /// with this key (a test of order independence; results must not change).
    pub shuffle_delivery: Option<u64>,
    /// Steps with fewer synapses to deliver than this run delivery on one
    /// thread (fork-join costs more than it saves). Tests set 0.
    pub parallel_min_synapses: u64,
    /// Networks with fewer neurons than this update them on the calling
    /// thread. Tests set 0.
    pub parallel_min_neurons: usize,
}

impl Engine {
    /// Quantize and build a network in the current rayon pool.
    pub fn from_network(net: &Network) -> Result<Engine, Diagnostics> {
        Engine::from_network_with(net, &connect::NoProgress)
    }

    /// [`Engine::from_network`], reporting the progress of the
    /// connectivity build to `progress`. A buffer the machine cannot hold
    /// is an error (out of memory), not an abort.
    pub fn from_network_with(
        net: &Network,
        progress: &dyn connect::BuildProgress,
    ) -> Result<Engine, Diagnostics> {
        let model = quant::quantize(net)?;
        let syn = connect::build_with(net, &model, progress)?;
        Engine::try_new(model, syn)
    }

    /// An engine at step 0 with the initial state drawn from the seed.
    /// Aborts, as any allocation does, when the delay ring does not fit in
    /// memory; [`Engine::try_new`] says so instead.
    pub fn new(model: IntModel, syn: Synapses) -> Engine {
        let len = model.neurons as usize * model.numerics.delay_slots() as usize;
        Engine::assemble(model, syn, vec![0; len], vec![0; len])
    }

    /// [`Engine::new`], or an error naming the fields that size the delay
    /// ring when it cannot be allocated.
    pub fn try_new(model: IntModel, syn: Synapses) -> Result<Engine, Diagnostics> {
        let n = model.neurons as usize;
        let slots = model.numerics.delay_slots() as usize;
        let ring = || n.checked_mul(slots).and_then(memory::try_zeroed::<i32>);
        match (ring(), ring()) {
            (Some(ex), Some(inh)) => Ok(Engine::assemble(model, syn, ex, inh)),
            _ => Err(Diagnostics(vec![Diagnostic::new(
                "network",
                path!["numerics", "max_delay_steps"],
                format!(
                    "out of memory: cannot allocate the delay ring of {n} neurons x {slots} slots \
                     (numerics.max_delay_steps + 1) x 2 channels x 4 bytes = {} bytes",
                    n as u128 * slots as u128 * 8
                ),
            )])),
        }
    }

    fn assemble(model: IntModel, syn: Synapses, ring_ex: Vec<i32>, ring_in: Vec<i32>) -> Engine {
        let slots = model.numerics.delay_slots() as usize;
        let pop_of = pop_index(&model);
        let state = initial_state_with(&model, &pop_of);
        Engine {
            bg_key: rng::key(model.seed, Stream::Background, 0),
            ring_ex,
            ring_in,
            slots: slots as u64,
            model,
            syn,
            state,
            pop_of,
            step: 0,
            spikes: Vec::new(),
            input: Vec::new(),
            shuffle_delivery: None,
            parallel_min_synapses: 16_384,
            parallel_min_neurons: 512,
        }
    }

    /// The next step to run.
    pub fn step_index(&self) -> u64 {
        self.step
    }

    /// Number of neurons.
    pub fn neurons(&self) -> u32 {
        self.model.neurons
    }

    /// Bytes held by the engine (synapses, state, ring).
    pub fn bytes(&self) -> u64 {
        self.syn.bytes()
            + (self.state.len() * std::mem::size_of::<NeuronState>()) as u64
            + (self.pop_of.len() * 2) as u64
            + (self.ring_ex.len() * 8) as u64
    }

    /// Run one step; returns the neurons that spiked (ascending).
    pub fn step(&mut self) -> &[u32] {
        self.step_observed(None)
    }

    /// Run one step, reporting every neuron update and weight write to `obs`.
    pub fn step_observed(&mut self, mut obs: Option<&mut dyn Observer>) -> &[u32] {
        let t = self.step;
        let nc = self.model.numerics;
        let tr = self.model.traces.clone();
        // The ring is sized for the state at construction; the unsafe ring
        // accesses below rely on it (`state` is a public field).
        let n = self.state.len();
        assert!(
            self.ring_ex.len() == n * self.slots as usize
                && self.ring_in.len() == self.ring_ex.len(),
            "the engine's state no longer matches its delay ring ({n} neurons, ring of {} entries)",
            self.ring_ex.len()
        );
        // Phase A: neuron updates.
        let ctx = PhaseA {
            nc,
            pops: &self.model.pops,
            kernels: self
                .model
                .pops
                .iter()
                .map(|p| Kernel::new(&nc, p, tr.as_ref()))
                .collect(),
            bg_key: self.bg_key,
            ring: RingPtr {
                ex: self.ring_ex.as_mut_ptr(),
                inh: self.ring_in.as_mut_ptr(),
            },
            slot_base: (t % self.slots) as usize * n,
            t,
            forced: &self.input,
        };
        self.spikes.clear();
        if self.state.len() < self.parallel_min_neurons || rayon::current_num_threads() == 1 {
            // Small networks: fork-join would cost more than the updates.
            for (pi, p) in ctx.pops.iter().enumerate() {
                let r = p.start as usize..(p.start + p.size) as usize;
                // SAFETY: `r` indexes `self.state` (checked), so it ends at or
                // before `N`; one thread, every neuron once.
                unsafe { ctx.update_range(pi, r.start, &mut self.state[r], &mut self.spikes) };
            }
        } else {
            let pop_of = &self.pop_of;
            let ctx = &ctx;
            // One item per thread for mid-size networks, CHUNK-sized items beyond.
            let chunk = self
                .state
                .len()
                .div_ceil(rayon::current_num_threads())
                .min(CHUNK);
            let chunks: Vec<Vec<u32>> = self
                .state
                .par_chunks_mut(chunk)
                .enumerate()
                .map(|(ci, items)| {
                    let mut spk = Vec::new();
                    let mut base = ci * chunk;
                    let mut rest = items;
                    // Split the chunk at population boundaries.
                    while !rest.is_empty() {
                        let pi = pop_of[base] as usize;
                        let p = &ctx.pops[pi];
                        let len = ((p.start + p.size) as usize - base).min(rest.len());
                        let (head, tail) = rest.split_at_mut(len);
                        // SAFETY: `head` is the part of the chunk at offset `base`
                        // of `self.state`, so `base + len <= N`; chunks are
                        // disjoint, so these neurons belong to this item only.
                        unsafe { ctx.update_range(pi, base, head, &mut spk) };
                        base += len;
                        rest = tail;
                    }
                    spk
                })
                .collect();
            for c in chunks {
                self.spikes.extend_from_slice(&c);
            }
        }
        if let Some(o) = obs.as_deref_mut() {
            let mut si = 0;
            for (n, s) in self.state.iter().enumerate() {
                let spike = si < self.spikes.len() && self.spikes[si] == n as u32;
                if spike {
                    si += 1;
                }
                o.neuron(&NeuronRecord {
                    step: t,
                    neuron: n as u32,
                    state: *s,
                    spike,
                });
            }
        }
        // Phase B: spike processing.
        let sorted = std::mem::take(&mut self.spikes);
        let shuffled;
        let order: &[u32] = match self.shuffle_delivery {
            None => &sorted,
            Some(k) => {
                // Fisher-Yates with draws keyed by (k, step).
                let mut v = sorted.clone();
                let mut r = Counter::new(rng::draw(k, t), 0);
                for i in (1..v.len()).rev() {
                    let j = rng::below(r.next_u64(), i as u32 + 1) as usize;
                    v.swap(i, j);
                }
                shuffled = v;
                &shuffled
            }
        };
        if self.syn.rule.is_empty() {
            self.deliver_parallel(t, order);
        } else {
            self.process_plastic(t, order, obs);
        }
        self.spikes = sorted;
        self.input.clear();
        self.step += 1;
        &self.spikes
    }

    /// Force the neurons `neurons` (global ids, any order; a repeated one
    /// counts once) of input populations to spike in the next step
    /// (docs/numerics.md, item 4); replaces what an earlier call set for
    /// that step. Refused, setting nothing, when one is not an input
    /// population's neuron.
    pub fn set_input(&mut self, neurons: &[u32]) -> Result<(), InputError> {
        let mut v = neurons.to_vec();
        v.sort_unstable();
        v.dedup();
        for &n in &v {
            if n >= self.model.neurons || !self.model.pops[self.pop_of(n)].input {
                return Err(InputError {
                    neuron: n,
                    step: self.step,
                    population: (n < self.model.neurons)
                        .then(|| self.model.pops[self.pop_of(n)].name.clone()),
                });
            }
        }
        self.input = v;
        Ok(())
    }

    fn ring_ptr(&mut self) -> RingPtr {
        RingPtr {
            ex: self.ring_ex.as_mut_ptr(),
            inh: self.ring_in.as_mut_ptr(),
        }
    }

    /// Delivery for a static network. Each row is split into target
    /// partitions; a worker takes a partition and delivers every spike's
    /// synapses into it, so workers write disjoint ring entries with plain
    /// integer adds (exact, hence order-free).
    fn deliver_parallel(&mut self, t: u64, spikes: &[u32]) {
        // The ring's neuron count (equal to the model's; checked per step).
        let n = self.state.len();
        let shift = self.model.numerics.w_shift;
        let slots = self.slots;
        let ring = self.ring_ptr();
        let syn = &self.syn;
        let bounds = partition_bounds(syn.parts, n as u32);
        let deliver_part = |p: u32| {
            // Partition `p`'s targets, lo..hi: disjoint from every other
            // partition's by construction, whatever the matrix holds.
            let (lo, hi) = (bounds[p as usize] as usize, bounds[p as usize + 1] as usize);
            for &src in spikes {
                let r = syn.row_part(src, p);
                let keys = &syn.key[r.clone()];
                let ws = &syn.weight[r];
                let mut cur_d = u32::MAX;
                let mut base = 0usize;
                for (k, w) in keys.iter().zip(ws) {
                    let d = key_delay(*k);
                    if d != cur_d {
                        cur_d = d;
                        base = ((t + d as u64) % slots) as usize * n;
                    }
                    let tgt = key_target(*k) as usize;
                    if tgt < lo || tgt >= hi {
                        foreign_target(src, tgt, p);
                    }
                    let idx = base + tgt;
                    let w = (*w as i32) << shift;
                    // SAFETY: `tgt < hi <= n` and `base = slot * n` with
                    // `slot < slots`, so `idx < slots * n`, the ring's length;
                    // `tgt` lies in partition `p`'s range (checked above),
                    // which only this worker writes.
                    unsafe { ring.add(idx, w) };
                }
            }
        };
        let work: u64 = spikes.iter().map(|&s| syn.row(s).len() as u64).sum();
        if work < self.parallel_min_synapses || syn.parts == 1 {
            (0..syn.parts).for_each(deliver_part);
        } else {
            (0..syn.parts).into_par_iter().for_each(deliver_part);
        }
    }

    /// Delivery plus STDP, in the documented order (sequential).
    fn process_plastic(&mut self, t: u64, spikes: &[u32], mut obs: Option<&mut dyn Observer>) {
        let n = self.model.neurons as usize;
        let nc = self.model.numerics;
        let shift = nc.w_shift;
        // Pre pass: deliver with the current weight, then depress.
        for &src in spikes {
            for s in self.syn.row(src) {
                let k = self.syn.key[s];
                let tgt = key_target(k) as usize;
                let idx = ((t + key_delay(k) as u64) % self.slots) as usize * n + tgt;
                let w = self.syn.weight[s];
                let wl = (w as i32) << shift;
                if wl >= 0 {
                    self.ring_ex[idx] += wl;
                } else {
                    self.ring_in[idx] += wl;
                }
                let r = self.syn.rule[s];
                if r != 0 {
                    let p = self.model.stdp[r as usize - 1].as_ref().expect("rule");
                    let dw = -stdp_delta(&nc, p.a_minus, self.state[tgt].y_post);
                    stdp_write(&mut self.syn.weight[s], p, dw, t, s, obs.as_deref_mut());
                }
            }
        }
        // Post pass: potentiate the plastic synapses onto each spiking neuron.
        for &tgt in spikes {
            let inc = &self.syn.incoming;
            for e in inc.start[tgt as usize] as usize..inc.start[tgt as usize + 1] as usize {
                let s = inc.syn[e] as usize;
                let src = inc.src[e] as usize;
                let r = self.syn.rule[s];
                let p = self.model.stdp[r as usize - 1].as_ref().expect("rule");
                let dw = stdp_delta(&nc, p.a_plus, self.state[src].x_pre);
                stdp_write(&mut self.syn.weight[s], p, dw, t, s, obs.as_deref_mut());
            }
        }
    }

    /// Spike counts per population accumulated by the caller's recorder.
    pub fn pop_of(&self, n: u32) -> usize {
        self.pop_of[n as usize] as usize
    }
}

/// Change a plastic weight by `dw` within its bounds and report the write.
fn stdp_write<'o>(
    w: &mut i16,
    p: &StdpParams,
    dw: i64,
    step: u64,
    synapse: usize,
    obs: Option<&mut (dyn Observer + 'o)>,
) {
    let old = *w;
    *w = (old as i64 + dw).clamp(p.w_min, p.w_max) as i16;
    if let Some(o) = obs {
        o.weight(&WeightRecord {
            step,
            synapse: synapse as u64,
            old,
            new: *w,
        });
    }
}

/// Draw the initial state: V from each population's distribution with the
/// counter-based generator keyed by (seed, InitialState, neuron); currents,
/// counters and traces start at zero.
/// The state of every neuron at step 0, drawn from the model's seed: the
/// state [`Engine::new`] starts from, and what a hardware image of the
/// network holds.
pub fn initial_state(model: &IntModel) -> Vec<NeuronState> {
    initial_state_with(model, &pop_index(model))
}

/// Population index of every neuron.
fn pop_index(model: &IntModel) -> Vec<u16> {
    let mut pop_of = vec![0u16; model.neurons as usize];
    for (pi, p) in model.pops.iter().enumerate() {
        pop_of[p.start as usize..(p.start + p.size) as usize].fill(pi as u16);
    }
    pop_of
}

fn initial_state_with(model: &IntModel, pop_of: &[u16]) -> Vec<NeuronState> {
    let key = rng::key(model.seed, Stream::InitialState, 0);
    let vb = model.numerics.v_bits;
    (0..model.neurons as usize)
        .into_par_iter()
        .map(|n| {
            let p = &model.pops[pop_of[n] as usize];
            let mut r = Counter::new(rng::draw(key, n as u64), 0);
            let v = match p.v_init {
                VInitQ::Constant(v) => v,
                VInitQ::Normal { mean, std } => mean + std * r.normal(),
                VInitQ::Uniform { low, high } => low + (high - low) * r.unit(),
            };
            NeuronState {
                v: sat_s(v.round() as i64, vb) as i32,
                ..Default::default()
            }
        })
        .collect()
}

/// First target of each of `parts` partitions of `n` targets, then `n`: the
/// target ranges of [`connect::partition_of`].
fn partition_bounds(parts: u32, n: u32) -> Vec<u32> {
    (0..=parts)
        .map(|p| {
            // the first target whose partition is p or later
            let (mut lo, mut hi) = (0u32, n);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if connect::partition_of(mid, parts, n) < p {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        })
        .collect()
}

/// A synapse outside the partition its row places it in: the matrix was not
/// built by [`connect::build`] for this model.
#[cold]
#[inline(never)]
fn foreign_target(src: u32, tgt: usize, p: u32) -> ! {
    panic!(
        "synapse of neuron {src} onto target {tgt} lies outside its row's partition {p}: the synapse matrix does not belong to this engine"
    )
}

/// Raw access to the delay ring for work items that own disjoint entries.
#[derive(Clone, Copy)]
struct RingPtr {
    ex: *mut i32,
    inh: *mut i32,
}
impl RingPtr {
    /// Add `w` to the channel its sign selects.
    ///
    /// # Safety
    /// `idx` is in bounds and no other thread touches entry `idx` meanwhile.
    #[inline(always)]
    unsafe fn add(self, idx: usize, w: i32) {
        // SAFETY: the caller's contract.
        unsafe {
            if w >= 0 {
                *self.ex.add(idx) += w;
            } else {
                *self.inh.add(idx) += w;
            }
        }
    }
}

// SAFETY: a `RingPtr` points into the engine's ring, which outlives every
// use; it is dereferenced only where each entry is touched by one work item
// (`update_range`, `deliver_parallel`).
unsafe impl Send for RingPtr {}
// SAFETY: as for `Send`.
unsafe impl Sync for RingPtr {}

/// Run `f` in a rayon pool of `threads` threads (0 = rayon's default). All
/// engine work (building, stepping) parallelizes inside this pool; results do
/// not depend on `threads`.
pub fn with_threads<R: Send>(
    threads: usize,
    f: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(pool.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_engine() -> Engine {
        let net = crate::load::load_str(
            include_str!("../../examples/two_populations.toml"),
            "two_populations.toml",
        )
        .expect("example loads");
        Engine::from_network(&net).expect("example builds")
    }

    #[test]
    fn partition_bounds_are_the_ranges_of_partition_of() {
        for n in [0u32, 1, 2, 7, 8, 9, 100, 1000, 65_537] {
            let parts = connect::partitions_for(n);
            let b = partition_bounds(parts, n);
            assert_eq!(b.len(), parts as usize + 1);
            assert_eq!((b[0], b[parts as usize]), (0, n));
            for t in 0..n {
                let p = connect::partition_of(t, parts, n) as usize;
                assert!(
                    b[p] <= t && t < b[p + 1],
                    "n {n}, t {t}, partition {p}: {b:?}"
                );
            }
        }
    }

    #[test]
    fn delivery_stays_in_bounds_of_a_well_built_matrix() {
        let mut e = example_engine();
        e.parallel_min_synapses = 0;
        let all: Vec<u32> = (0..e.neurons()).collect();
        e.deliver_parallel(0, &all);
        let sum: i64 = e.ring_ex.iter().chain(&e.ring_in).map(|&x| x as i64).sum();
        let want: i64 = e
            .syn
            .weight
            .iter()
            .map(|&w| (w as i64) << e.model.numerics.w_shift)
            .sum();
        assert_eq!(sum, want, "every synapse delivered once");
    }

    #[test]
    #[should_panic(expected = "does not belong to this engine")]
    fn a_synapse_beyond_the_neurons_panics_instead_of_writing_out_of_bounds() {
        let mut e = example_engine();
        let r = e.syn.row(0);
        assert!(!r.is_empty());
        e.syn.key[r.start] = connect::pack(connect::TARGET_MASK, 1);
        e.deliver_parallel(0, &[0]);
    }

    #[test]
    #[should_panic(expected = "does not belong to this engine")]
    fn a_synapse_in_another_partition_panics_instead_of_racing() {
        let mut e = example_engine();
        let n = e.neurons();
        let parts = e.syn.parts;
        // a synapse of row 0 moved to a target of another partition
        let s = e.syn.row(0).start;
        let t = connect::key_target(e.syn.key[s]);
        let p = connect::partition_of(t, parts, n);
        let other = (0..n)
            .find(|&u| connect::partition_of(u, parts, n) != p)
            .expect("several partitions");
        e.syn.key[s] = connect::pack(other, 1);
        e.deliver_parallel(0, &[0]);
    }

    #[test]
    #[should_panic(expected = "no longer matches its delay ring")]
    fn a_resized_state_panics_at_the_next_step() {
        let mut e = example_engine();
        e.state.push(NeuronState::default());
        e.step();
    }
}
