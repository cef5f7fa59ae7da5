//! The cycle model: cycles per step of one core or a mesh of cores, static
//! or (one core) plastic, with its synapses on chip or in external memory,
//! from the activity of the step (which neurons spiked) and the rows of
//! the network on the cores ([`RowMap`]). One definition, used by the
//! co-simulation's reports (`cosim::lockstep`), the validation test
//! (`cosim/tests/cycle_model.rs`) and `spikefab plan`; the derivation from
//! the RTL is in docs/hardware.md, "Cycle cost of a step".
//!
//! A step, as the RTL runs it (`snn_core_ctrl`, `snn_syn_event`,
//! `snn_syn_fetch`, `snn_mesh_top`, `snn_noc_router`):
//!
//! - every core starts phase A at once and streams its `N_k` neurons, one
//!   per clock: `N_k + PHASE_A_FIXED` cycles;
//! - a single core then replays its spikes, one per clock, into its event
//!   pipeline; a mesh core offers them to its network interface, one packet
//!   per spike with targets (one per clock), which reaches core `c` after
//!   `hops + 1` clocks (XY routing) and enters its event pipeline;
//! - an event pipeline walks one synapse per clock, rows back to back
//!   (on chip); with an external store the fetch unit turns each row into
//!   bursts of at most `burst_beats` beats (never across 4 KiB), at most
//!   `outstanding` in flight, the first beat `latency` cycles after the
//!   request, beats at the port's bandwidth, and hands out one synapse per
//!   clock from the oldest burst;
//! - the step ends a fixed number of cycles after the last synapse (the
//!   pipeline's drain, done; on a mesh the barrier).
//!
//! - with delay groups (`rows.groups() > 1`), from the start of the step
//!   each network interface replays the spikes of steps `t - g * S` to
//!   group `g`'s rows: per group it reads its history words (3 cycles a
//!   word without spikes, `2 + b` with `b`), each replayed spike a packet;
//!   a core's event pipeline walks nothing during its own phase A (every
//!   drain stalls it), but its fetch unit requests ahead; the barrier also
//!   waits for the replay scan and the history writes (`hist_words` after
//!   the core's phase A at the least).
//!
//! What the model leaves out (documented as approximations): contention in
//! the network-on-chip (packets are assumed to meet no other packet: each
//! link carries one per clock and the traffic of a step is a few packets
//! per core), spike-out stalls, memory jitter and backpressure.

use serde::Serialize;

use crate::rows::RowMap;

/// Phase A: `N + PHASE_A_FIXED` cycles (the first issue, `snn_rng` 6,
/// stage X 1, `snn_lif_update` 3, less one).
pub const PHASE_A_FIXED: u64 = 10;
/// Phase B of a static single core without spikes.
pub const PHASE_B_QUIET: u64 = 3;
/// Phase B of a static single core with spikes: `K + PHASE_B_FIXED` (the
/// holding register 1, `snn_syn_event`'s `K + 5`, wait and done 2).
pub const PHASE_B_FIXED: u64 = 8;
/// Cycles from an event's arrival at the fetch unit to its burst request
/// on the AR channel (F reads the row word, Q splits it, the AR register).
pub const FETCH_ISSUE: u64 = 3;
/// Cycles from a beat's arrival to its first synapse leaving the fetch
/// unit (the beat buffer's write and registered read, X): with
/// [`FETCH_ISSUE`] the measured `latency + 6` of an idle fetch.
pub const FETCH_OUT: u64 = 3;
/// Cycles from an index beat's arrival to its row word in F, beyond
/// [`FETCH_ISSUE`] (the index ring's registered read and the lane select).
pub const INDEX_WORD: u64 = 3;
/// The cycle `start_i` is taken in: the core's testbench counts it in a
/// step (the documented `N + K + 18`), the co-simulation and this model do
/// not (from the cycle after the start handshake to `done_o`).
pub const START_HANDSHAKE: u64 = 1;
/// Cycles of the fetch unit's lead (event to first synapse, less the
/// memory latency) that overlap the on-chip pipeline's fixed latency (the
/// row read the fetch replaces).
pub const EXT_OVERLAP: u64 = 4;
/// Cycles from the start of a mesh step to a core's first packet
/// injection after its phase A (the spike list, the holding register, the
/// network interface's register).
pub const MESH_SEND: u64 = 2;
/// Cycles from a mesh step's last synapse written to `done` (the event
/// pipeline's drain, the barrier's detection and release).
pub const MESH_TAIL: u64 = 7;
/// A mesh step without events: the largest phase A plus this.
pub const MESH_QUIET: u64 = 3;

/// The external memory behind each core's AXI4 read port, and the core's
/// port parameters, as far as the timing depends on them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExtTiming {
    /// Synapse words per beat (`LANES`).
    pub lanes: u64,
    /// Bytes per beat (`AXI_DATA_W / 8`).
    pub beat_bytes: u64,
    /// Most beats per burst (`AXI_BURST`).
    pub burst_beats: u64,
    /// Bursts in flight (`AXI_OUTSTANDING`).
    pub outstanding: u64,
    /// Beats of the row index in front of the synapses (0: the row index
    /// is on chip).
    pub index_beats: u64,
    /// Cycles from a request's handshake to its first beat.
    pub latency: u64,
    /// Bytes per cycle the port delivers (`None`: one beat per cycle).
    pub bytes_per_cycle: Option<f64>,
}

impl ExtTiming {
    /// Cycles per beat on the read channel (at least 1).
    pub fn beat_cycles(&self) -> f64 {
        match self.bytes_per_cycle {
            Some(b) if b > 0.0 => (self.beat_bytes as f64 / b).max(1.0),
            _ => 1.0,
        }
    }
}

/// Where the cores keep their synapse rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Store {
    OnChip,
    External(ExtTiming),
}

/// The hardware of the model: a single core (1 x 1) or a mesh, its store.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Machine {
    pub mesh_rows: u32,
    pub mesh_cols: u32,
    pub store: Store,
    /// Words of a network interface's spike history per step (delay
    /// groups: `ceil(N_NEURONS / HIST_W)`; 0 without): [`Machine::hist_words`].
    pub hist_words: u64,
}

/// Bits of a network interface's spike-history word (`snn_noc_ni`).
const HIST_W: u64 = spikefab_hdl::mesh::NI_HIST_W as u64;

impl Machine {
    /// The words of spike history a network interface keeps per step for a
    /// core of `neurons` neurons with `groups` delay groups (0 with one).
    pub fn hist_words(groups: u32, neurons: u64) -> u64 {
        if groups > 1 {
            neurons.div_ceil(HIST_W)
        } else {
            0
        }
    }

    pub fn cores(&self) -> usize {
        (self.mesh_rows.max(1) * self.mesh_cols.max(1)) as usize
    }

    /// Hops between cores `a` and `b` (XY routing, row-major core order).
    pub fn hops(&self, a: usize, b: usize) -> u64 {
        let c = self.mesh_cols.max(1) as usize;
        let (ra, ca) = (a / c, a % c);
        let (rb, cb) = (b / c, b % c);
        (ra.abs_diff(rb) + ca.abs_diff(cb)) as u64
    }
}

/// The predicted cycles of one step and where they went: `cycles` is
/// `neurons + events + memory + noc + fixed` along the step's critical
/// path (the core that finished last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepCost {
    pub cycles: u64,
    /// Neuron updates: phase A of the critical core (`N_k`).
    pub neurons: u64,
    /// Synaptic events: the synapses the critical core's pipeline walked
    /// after its phase A.
    pub events: u64,
    /// Cycles the critical core's pipeline waited for external memory
    /// (latency not hidden, bandwidth, the read window).
    pub memory: u64,
    /// Cycles the critical core's pipeline waited for packets (injection
    /// order and hops on a mesh).
    pub noc: u64,
    /// Fixed pipeline latencies, done and (mesh) the barrier.
    pub fixed: u64,
}

impl StepCost {
    fn add(&mut self, o: &StepCost) {
        self.cycles += o.cycles;
        self.neurons += o.neurons;
        self.events += o.events;
        self.memory += o.memory;
        self.noc += o.noc;
        self.fixed += o.fixed;
    }
}

/// The documented cost of one single-core step without spike-out stalls
/// (the formula the core's testbench pins, less [`START_HANDSHAKE`]): phase A `n + 10`; phase B of a
/// static core 3 without spikes, else `events + 8`; a plastic core adds its
/// post pass, 2 without spikes, else `sum(3 + max(1, incoming)) + 4` (the
/// lower end of its documented 4-cycle drain range).
pub fn single_core_on_chip(
    n: u64,
    spikes: u64,
    events: u64,
    plastic: bool,
    incoming: &[u64],
) -> u64 {
    let a = n + PHASE_A_FIXED;
    let b = if spikes == 0 {
        PHASE_B_QUIET
    } else {
        events + PHASE_B_FIXED
    };
    let post = match (plastic, spikes) {
        (false, _) => 0,
        (true, 0) => 2,
        (true, _) => incoming.iter().map(|&m| 3 + m.max(1)).sum::<u64>() + 4,
    };
    a + b + post - START_HANDSHAKE
}

/// One row part arriving at a core's event pipeline.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    /// Cycle the event is offered to the pipeline.
    at: u64,
    synapses: u64,
    start_beat: u64,
}

/// The event pipeline of one core: the cycle its last synapse leaves, and
/// the cycles it waited for memory (beyond the arrivals). No synapse is
/// walked before cycle `from` (the end of the core's phase A).
fn deliver(arrivals: &[Arrival], store: &Store, from: u64) -> (u64, u64) {
    match store {
        Store::OnChip => {
            let mut t = from;
            for a in arrivals {
                t = t.max(a.at) + a.synapses;
            }
            (t, 0)
        }
        Store::External(x) => {
            let (end, wait) = fetch(arrivals, x, from + EXT_OVERLAP);
            (end.saturating_sub(EXT_OVERLAP), wait)
        }
    }
}

/// The fetch unit (`snn_syn_fetch`) at burst level: see the module docs;
/// no synapse leaves before cycle `from`.
fn fetch(arrivals: &[Arrival], x: &ExtTiming, from: u64) -> (u64, u64) {
    let out = x.outstanding.max(1) as usize;
    let tau = x.beat_cycles();
    let page = (4096 / x.beat_bytes.max(1)).max(1);
    let burst = x.burst_beats.max(1);
    let lanes = x.lanes.max(1);
    // free time of each burst slot, in issue order (a ring)
    let mut slot_free: std::collections::VecDeque<u64> = std::collections::VecDeque::new();
    // index ring (row index in external memory): free times of its entries
    let mut idx_free: std::collections::VecDeque<u64> = std::collections::VecDeque::new();
    let mut ar = 0u64; // next cycle the AR channel is free for a burst
    let mut ar_idx = 0u64; // next cycle it is free for an index read
    let mut r = 0f64; // next cycle the R channel may deliver a burst's beat
    let mut r_idx = 0f64; // ... an index beat
    let mut c = from; // next cycle a synapse may leave
    let mut walked = 0u64;
    let mut first: Option<u64> = None;
    for a in arrivals {
        if a.synapses == 0 {
            continue;
        }
        let mut ready = a.at + FETCH_ISSUE;
        if x.index_beats > 0 {
            // a one-beat index read, issued ahead of the bursts (the AR
            // register takes a waiting index read first) as soon as the
            // event has a ring entry
            let mut t = a.at.max(ar_idx);
            if idx_free.len() == out {
                t = t.max(idx_free.pop_front().unwrap_or(0));
            }
            ar_idx = t + 1;
            // (its beat is not ordered against the bursts' beats here: an
            // index read is usually issued long before the bursts of the
            // rows ahead of it return)
            let beat_at = (t as f64 + x.latency as f64).max(r_idx);
            r_idx = beat_at + tau;
            ready = ready.max(beat_at.ceil() as u64 + FETCH_ISSUE + INDEX_WORD);
            idx_free.push_back(ready);
        }
        let beats = a.synapses.div_ceil(lanes);
        let mut left = a.synapses;
        let mut b = 0u64;
        while b < beats {
            let addr = x.index_beats + a.start_beat + b;
            let to_page = page - addr % page;
            let nb = burst.min(beats - b).min(to_page);
            let mut t = ready.max(ar);
            if slot_free.len() == out {
                t = t.max(slot_free.pop_front().unwrap_or(0));
            }
            ar = t + 1;
            let mut beat_at = (t as f64 + x.latency as f64).max(r);
            for _ in 0..nb {
                let s = left.min(lanes);
                left -= s;
                let avail = beat_at.ceil() as u64 + FETCH_OUT;
                first.get_or_insert(avail);
                c = c.max(avail) + s;
                walked += s;
                beat_at += tau;
            }
            r = beat_at;
            slot_free.push_back(c);
            b += nb;
        }
    }
    let start = first.unwrap_or(0).max(from);
    let wait = c.saturating_sub(start).saturating_sub(walked);
    (c, wait)
}

/// The predicted cost of one step of `machine` holding `rows`, in which
/// the neurons `spikes` (ascending global ids) spiked. A single core's
/// plastic post pass is not covered here ([`single_core_on_chip`]).
/// Without delay groups; with them, [`step_at`].
pub fn step(machine: &Machine, rows: &RowMap, spikes: &[u32]) -> StepCost {
    step_replayed(machine, rows, spikes, &[])
}

/// The predicted cost of step `t` of a run whose spikes per step are
/// `history` (`history[t]` this step's): with delay groups, group `g`'s
/// replays are the spikes of step `t - g * S`.
pub fn step_at(machine: &Machine, rows: &RowMap, history: &[Vec<u32>], t: usize) -> StepCost {
    let s = rows.group_steps() as usize;
    let replays: Vec<(u32, &[u32])> = (1..rows.groups())
        .filter_map(|g| {
            let back = g as usize * s;
            (t >= back).then(|| (g, history[t - back].as_slice()))
        })
        .collect();
    step_replayed(machine, rows, &history[t], &replays)
}

/// [`step`] with the replays of this step: (group, the spikes replayed to
/// its rows), groups ascending.
pub fn step_replayed(
    machine: &Machine,
    rows: &RowMap,
    spikes: &[u32],
    replays: &[(u32, &[u32])],
) -> StepCost {
    let k = rows.cores();
    if k == 1 {
        let n = rows.neurons(0);
        let a = n + PHASE_A_FIXED;
        if spikes.is_empty() {
            return StepCost {
                cycles: a + PHASE_B_QUIET - START_HANDSHAKE,
                neurons: n,
                fixed: PHASE_A_FIXED + PHASE_B_QUIET - START_HANDSHAKE,
                ..StepCost::default()
            };
        }
        let arrivals: Vec<Arrival> = spikes
            .iter()
            .flat_map(|&j| rows.row(j))
            .map(|p| Arrival {
                at: 0,
                synapses: u64::from(p.synapses),
                start_beat: p.start_beat,
            })
            .collect();
        let events: u64 = arrivals.iter().map(|a| a.synapses).sum();
        let (end, _) = deliver(&arrivals, &machine.store, 0);
        // on chip `end` is `events`; with an external store it includes the
        // memory's latency and the waits for it
        let memory = end.saturating_sub(events);
        let fixed = PHASE_A_FIXED + PHASE_B_FIXED - START_HANDSHAKE;
        return StepCost {
            cycles: n + events + memory + fixed,
            neurons: n,
            events,
            memory,
            noc: 0,
            fixed,
        };
    }
    // mesh
    let a_end: Vec<u64> = (0..k).map(|c| rows.neurons(c) + PHASE_A_FIXED).collect();
    let a_max = a_end.iter().copied().max().unwrap_or(0);
    let mut sent = vec![0u64; k];
    let mut arrivals: Vec<Vec<Arrival>> = vec![Vec::new(); k];
    // the replay scan of every network interface, from the step's start
    let mut scan = vec![1u64; k];
    let nw = machine.hist_words.max(1);
    let mut word = vec![u64::MAX; k]; // the word being replayed per core
    for &(g, sp) in replays {
        // every core scans all its words of the group; packets per spike
        let mut seen = vec![false; k];
        for &j in sp {
            let s = rows.core_of(j);
            if !seen[s] {
                seen[s] = true;
                word[s] = u64::MAX;
            }
            let local = u64::from(j - rows.ranges.get(s).map_or(0, |r| r.0));
            let w = local / HIST_W;
            if word[s] != w {
                // the empty words before w (3 cycles each), then w's read
                let before = if word[s] == u64::MAX { 0 } else { word[s] + 1 };
                scan[s] += 3 * (w - before) + 2;
                word[s] = w;
            }
            let at = scan[s] + 2;
            scan[s] += 1;
            for p in rows.group_row(g, j) {
                let c = usize::from(p.core);
                arrivals[c].push(Arrival {
                    at: at + machine.hops(s, c) + 1,
                    synapses: u64::from(p.synapses),
                    start_beat: p.start_beat,
                });
            }
        }
        for s in 0..k {
            // the rest of the group's words
            let done = if seen[s] { word[s] + 1 } else { 0 };
            scan[s] += 3 * (nw - done);
            word[s] = u64::MAX;
        }
    }
    for &j in spikes {
        let s = rows.core_of(j);
        let at = a_end[s] + MESH_SEND + sent[s];
        sent[s] += 1;
        for p in rows.row(j) {
            let c = usize::from(p.core);
            arrivals[c].push(Arrival {
                at: at + machine.hops(s, c) + 1,
                synapses: u64::from(p.synapses),
                start_beat: p.start_beat,
            });
        }
    }
    let mut best = StepCost {
        cycles: a_max + MESH_QUIET,
        neurons: a_max - PHASE_A_FIXED,
        fixed: PHASE_A_FIXED + MESH_QUIET,
        ..StepCost::default()
    };
    if rows.groups() > 1 {
        // the network interfaces: the replay scan, and this step's history
        // written after the core's spikes (one word a cycle)
        for s in 0..k {
            let hist = a_end[s] + MESH_SEND + sent[s].max(nw);
            let busy = scan[s].max(hist) + MESH_QUIET;
            if busy > best.cycles {
                best = StepCost {
                    cycles: busy,
                    neurons: rows.neurons(s),
                    noc: busy - rows.neurons(s) - PHASE_A_FIXED - MESH_QUIET,
                    fixed: PHASE_A_FIXED + MESH_QUIET,
                    ..StepCost::default()
                };
            }
        }
    }
    for (c, arr) in arrivals.iter_mut().enumerate() {
        if arr.is_empty() {
            continue;
        }
        arr.sort_by_key(|a| a.at);
        let (end, wait) = deliver(arr, &machine.store, a_end[c]);
        let cycles = end + MESH_TAIL;
        if cycles > best.cycles {
            // critical path: this core's own phase A, then what its
            // pipeline walked after it, the memory waits, the rest is
            // packets not there yet
            let n = rows.neurons(c);
            let after: u64 = arr
                .iter()
                .map(|a| {
                    let lo = a_end[c].max(a.at);
                    if lo >= end {
                        0
                    } else {
                        a.synapses
                    }
                })
                .sum();
            let events = after.min(end.saturating_sub(a_end[c]));
            let memory = wait.min(end.saturating_sub(a_end[c] + events));
            let noc = end.saturating_sub(a_end[c] + events + memory);
            best = StepCost {
                cycles,
                neurons: n,
                events,
                memory,
                noc,
                fixed: PHASE_A_FIXED + MESH_TAIL,
            };
        }
    }
    best
}

/// Costs of many steps: the mean and the worst.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub steps: u64,
    /// Summed over the steps (divide by `steps` for the means).
    pub total: StepCost,
    /// The most cycles of one step, and which step.
    pub worst: u64,
    pub worst_step: u64,
}

impl Summary {
    pub fn push(&mut self, c: &StepCost) {
        if c.cycles > self.worst || self.steps == 0 {
            self.worst = c.cycles;
            self.worst_step = self.steps;
        }
        self.total.add(c);
        self.steps += 1;
    }

    /// Mean cycles per step.
    pub fn mean(&self) -> f64 {
        self.total.cycles as f64 / self.steps.max(1) as f64
    }
}
