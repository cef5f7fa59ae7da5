//! `spikefab plan`: the fastest design of a network on a part that fits.
//!
//! Candidates: every number of cores `k` of [`core_counts`] (as the most
//! square `R x C` mesh with `R, C <= 16`, a single core for 1), times the
//! synapse stores the part allows (on chip; with an external synapse store
//! on the part's reference card, the row index on chip or in external
//! memory). Each candidate's cores are sized from the network: the
//! partition (`spikefab_gen::partition_with`, neurons and synapses balanced
//! together) gives every core its neurons and synapses (lanes, rows padded
//! to whole beats, with an external store); a core holds the largest share
//! (`neurons_per_core`, `syn_depth`), a row per source neuron of the
//! network on a mesh, the network's populations and its largest delay + 1
//! slots, with the network's numerics. Its on-chip memories are
//! `spikefab_gen::capacity::onchip_memories` (and on a mesh each network
//! interface's route memory, from `spikefab_gen::layout`), placed on the part
//! by `capacity::part_use`; its synapse regions go to the card's channels
//! (core `k` on channel `k % channels`, as the generator places them),
//! each channel against its bytes; its logic is the Yosys figure of one core
//! times `k` plus one router per core (`crate::logic`). The cycles per step
//! are the cycle model's ([`crate::cycles`]) over the activity the
//! reference simulator produced, with the memory's latency in cycles at the
//! plan's clock and each core's share of its channel's bandwidth.
//!
//! The plan is the candidate with the fewest predicted cycles per step that
//! fits; when none fits, the candidate that misses by the least (the
//! smallest largest ratio of need to capacity) with what does not fit.

use serde::Serialize;
use spikefab_eda::parts::{ExtMemory, Part};
use spikefab_gen::capacity::{onchip_memories, part_use, OnChipMem, PartUse};
use spikefab_gen::hwconfig::{ExtStore, RowIndex};
use spikefab_gen::{HwConfig, Mesh, NetModel};
use spikefab_hdl::core::{CoreParams, Mem};

use crate::cycles::{ExtTiming, Machine, Store, Summary};
use crate::rows::RowMap;

/// Assumed latency of the external memory at the AXI port (ns): from a
/// read request to its first beat through the memory controller. An
/// assumption of the plan (`--mem-latency-ns` overrides it).
pub const DEFAULT_MEM_LATENCY_NS: f64 = 100.0;
/// Bus width of the external store (bits), bursts and reads in flight.
pub const EXT_DATA_BITS: u32 = 256;
pub const EXT_BURST: u32 = 16;
pub const EXT_OUTSTANDING: u32 = 16;
/// Input FIFO depth of the routers.
pub const FIFO_DEPTH: u32 = 4;

/// The numbers of cores a plan tries.
pub fn core_counts(neurons: u64) -> Vec<u32> {
    let mut v = vec![
        1u32, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 24, 25, 30, 32, 36, 42, 48, 49, 56, 64, 72,
        80, 90, 96, 100, 110, 120, 128, 144, 160, 176, 192, 208, 224, 240, 256,
    ];
    v.retain(|&k| u64::from(k) <= neurons.max(1));
    v
}

/// The most square mesh of `k` cores with sides of at most 16 (`None`: no
/// such mesh).
pub fn mesh_of(k: u32) -> Option<(u32, u32)> {
    let mut best = None;
    for r in 1..=16u32 {
        if k.is_multiple_of(r) && k / r <= 16 && r <= k / r {
            best = Some((r, k / r));
        }
    }
    best
}

/// Where a candidate keeps its synapses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    OnChip,
    External,
    ExternalIndex,
}

impl StoreKind {
    pub fn text(self) -> &'static str {
        match self {
            StoreKind::OnChip => "synapses on chip",
            StoreKind::External => "synapses in external memory, row index on chip",
            StoreKind::ExternalIndex => "synapses and row index in external memory",
        }
    }
}

/// A resource against its capacity.
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub resource: &'static str,
    pub used: f64,
    pub available: f64,
}

impl Use {
    pub fn ratio(&self) -> f64 {
        if self.available > 0.0 {
            self.used / self.available
        } else if self.used > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }
}

/// One external memory channel's contents.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub channel: u32,
    pub cores: Vec<u32>,
    pub bytes: u64,
    pub capacity: u64,
}

/// One candidate design, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub cores: u32,
    pub mesh: (u32, u32),
    pub store: StoreKind,
    /// Delay groups (1: none; docs/hardware.md, "Delay groups"): the ring
    /// holds `core.slots` slots.
    pub delay_groups: u32,
    /// Neurons of the fullest core and of the emptiest.
    pub neurons_per_core: u64,
    pub min_neurons_per_core: u64,
    /// Synapse words (on chip) or lanes (external) of the fullest core.
    pub synapses_per_core: u64,
    pub core: CoreParams,
    pub onchip: Vec<OnChipMem>,
    #[serde(skip)]
    pub part_use: PartUse,
    pub channels: Vec<Channel>,
    /// Predicted cycles per step (mean, worst) and their parts.
    pub summary: Summary,
    /// Latency (cycles) and bandwidth (bytes per cycle) per core port the
    /// prediction assumed (external store).
    pub mem_latency_cycles: Option<u64>,
    pub mem_bytes_per_cycle: Option<f64>,
    /// Logic: per core, per router, and the totals (None: not synthesized).
    pub core_logic: Option<crate::logic::Logic>,
    pub router_logic: Option<crate::logic::Logic>,
    /// Every checked resource against the part.
    pub uses: Vec<Use>,
    /// What does not fit, in words.
    pub misfits: Vec<String>,
}

impl Candidate {
    pub fn fits(&self) -> bool {
        self.misfits.is_empty()
    }

    /// The largest ratio of need to capacity.
    pub fn worst_ratio(&self) -> f64 {
        self.uses.iter().map(Use::ratio).fold(0.0, f64::max)
    }
}

/// What is fixed across candidates.
pub struct Inputs<'a> {
    pub net: &'a NetModel,
    pub spikes: &'a [Vec<u32>],
    pub part: &'static Part,
    pub numerics: spikefab_sim::NumericsConfig,
    pub mem_latency_ns: f64,
    pub threads: usize,
}

/// The hw config a candidate's partition and core come from.
fn template(inp: &Inputs, store: StoreKind, ext: Option<&ExtMemory>) -> HwConfig {
    let n = u64::from(inp.net.neurons());
    let total = inp.net.syn.len().max(1);
    let mut hw = HwConfig::named("default").expect("the built-in default config");
    hw.name = "plan".to_string();
    hw.description = String::new();
    hw.neurons_per_core = n.max(1);
    hw.max_rows = n.max(1);
    hw.syn_depth = total;
    hw.max_pops = (inp.net.model.pops.len() as u64).max(1);
    hw.stdp = false;
    hw.observe = false;
    hw.mesh = None;
    hw.numerics = inp.numerics;
    hw.synapse_store = match (store, ext) {
        (StoreKind::OnChip, _) | (_, None) => None,
        (s, Some(m)) => {
            let bytes = m.bytes.max(1);
            Some(ExtStore {
                data_bits: EXT_DATA_BITS,
                addr_bits: (64 - (bytes - 1).leading_zeros()).max(12),
                id_bits: 5,
                burst_beats: EXT_BURST,
                outstanding: EXT_OUTSTANDING,
                row_index: if s == StoreKind::ExternalIndex {
                    RowIndex::External
                } else {
                    RowIndex::OnChip
                },
                channels: m.channels.max(1),
                channel_bytes: m.channel_bytes(),
            })
        }
    };
    hw
}

/// What the candidates of one number of cores share: the partition's
/// neuron ranges and the rows on them for a number of lanes.
#[derive(Default)]
pub struct Shared {
    /// Predict the cycles of candidates whose memories do not fit too (a
    /// search leaves them out: only fitting candidates compete on speed).
    pub predict_all: bool,
    /// The delay-group counts the rows are built for at once (in one pass
    /// over the synapses); empty: the one asked for.
    pub group_options: Vec<u32>,
    ranges: Option<Vec<(u32, u32)>>,
    rows: Vec<((Option<u64>, u32), RowMap)>,
}

impl Shared {
    /// Drop the rows built for `groups` delay groups (every candidate that
    /// needs them has been evaluated): a plan of full-scale PD14 holds
    /// gigabytes of rows.
    pub fn release(&mut self, groups: u32) {
        self.rows.retain(|((_, g), _)| *g != groups);
    }
}

/// The delay-group counts a plan tries for a mesh with an external store
/// and delays up to `max_delay` steps (1 first; each count once, by the
/// ring it gives).
pub fn group_options(max_delay: u32) -> Vec<u32> {
    let mut v: Vec<u32> = Vec::new();
    let mut spans = Vec::new();
    for g in [1u32, 2, 3, 4, 6, 8] {
        let span = max_delay.max(1).div_ceil(g);
        let groups = max_delay.max(1).div_ceil(span);
        if !spans.contains(&span) && span >= 1 {
            spans.push(span);
            v.push(groups);
        }
    }
    v
}

/// Evaluate `k` cores with store `store` and `groups` delay groups
/// (without logic), its cycles predicted whether it fits or not.
pub fn evaluate(
    inp: &Inputs,
    k: u32,
    store: StoreKind,
    groups: u32,
    clock_mhz: f64,
) -> Result<Candidate, String> {
    let mut shared = Shared {
        predict_all: true,
        ..Shared::default()
    };
    evaluate_shared(inp, k, store, groups, clock_mhz, &mut shared)
}

/// [`evaluate`] with `groups` delay groups (a mesh with an external store
/// only), reusing (and filling) `shared`, which must belong to `k`.
pub fn evaluate_shared(
    inp: &Inputs,
    k: u32,
    store: StoreKind,
    groups: u32,
    clock_mhz: f64,
    shared: &mut Shared,
) -> Result<Candidate, String> {
    let n = inp.net.neurons();
    let (mr, mc) = mesh_of(k).ok_or_else(|| format!("{k} cores form no mesh of sides <= 16"))?;
    let ext = inp.part.ext_memory.first();
    let mut hw = template(inp, store, ext);
    let groups = groups.max(1);
    if groups > 1 {
        if k == 1 || store == StoreKind::OnChip {
            return Err("delay groups need a mesh with an external store".into());
        }
        let d = inp.numerics.max_delay_steps.max(1);
        hw.max_slots = Some(u64::from(d.div_ceil(groups)) + 1);
    }
    let ranges: Vec<(u32, u32)> = if let Some(r) = &shared.ranges {
        r.clone()
    } else if k == 1 {
        vec![(0, n)]
    } else {
        let mesh = Mesh::new(mr, mc).map_err(|e| e.to_string())?;
        let on_chip = HwConfig {
            synapse_store: None,
            ..hw.clone()
        };
        let m = spikefab_gen::partition_with(
            inp.net,
            &on_chip,
            &mesh,
            &spikefab_gen::Rates::Uniform { hz: 0.0 },
        )
        .map_err(|e| e.to_string())?;
        m.cores.iter().map(|c| (c.lo, c.hi)).collect()
    };
    let mut core = if k == 1 {
        hw.core_params(None)
    } else {
        hw.mesh_core_params()
    };
    shared.ranges = Some(ranges.clone());
    let lanes = core.ext.map(|_| core.ext_lanes());
    let steps = (core.slots - 1) as u32;
    if !shared.rows.iter().any(|(key, _)| *key == (lanes, groups)) {
        // every option's rows in one pass (the synapses are the cost)
        let d = inp.numerics.max_delay_steps.max(1);
        // delay groups only where they exist: a mesh with an external store
        let mut opts: Vec<u32> = if lanes.is_some() && k > 1 {
            shared.group_options.clone()
        } else {
            Vec::new()
        };
        if !opts.contains(&groups) {
            opts.push(groups);
        }
        let options: Vec<(u32, u32)> = opts
            .iter()
            .map(|&g| {
                if g == groups {
                    (g, steps)
                } else {
                    (g, d.div_ceil(g.max(1)))
                }
            })
            .collect();
        let maps = RowMap::grouped_many(&inp.net.syn, n, &ranges, lanes, &options);
        shared.rows.retain(|((l, _), _)| *l == lanes);
        shared
            .rows
            .extend(opts.into_iter().map(|g| (lanes, g)).zip(maps));
    }
    let at = shared
        .rows
        .iter()
        .position(|(key, _)| *key == (lanes, groups))
        .expect("built above");
    let rows = shared.rows.swap_remove(at).1;
    let counts: Vec<u64> = (0..rows.cores()).map(|c| rows.neurons(c)).collect();
    let npc = counts.iter().copied().max().unwrap_or(1).max(1);
    let syn_per_core = match lanes {
        Some(l) => (0..rows.cores()).map(|c| rows.beats(c) * l).max(),
        None => (0..rows.cores()).map(|c| rows.synapses(c)).max(),
    }
    .unwrap_or(1)
    .max(1);
    core.n_neurons = npc;
    core.rows = if k == 1 {
        npc
    } else {
        u64::from(n) * u64::from(groups)
    };
    core.syn_depth = syn_per_core;
    core.inc_depth = 1;
    let mut mems = onchip_memories(&core);
    if k > 1 {
        let mesh = Mesh::new(mr, mc).map_err(|e| e.to_string())?;
        if let Some(l) = spikefab_gen::layout::of(Mem::Route, &core, Some(&mesh)) {
            mems.push(OnChipMem {
                name: "route (network interface)",
                depth: spikefab_gen::layout::depth(Mem::Route, &core),
                width: l.width(),
            });
        }
        mems.extend(spikefab_gen::capacity::ni_history(groups, core.slots, npc));
    }
    // external regions: index + synapse beats per core, 4 KiB aligned
    let mut channels = Vec::new();
    let mut ext_bytes = None;
    let mut bytes_per_cycle = None;
    let mut latency = None;
    if let (Some(a), Some(m)) = (core.ext, ext) {
        let bb = a.beat_bytes();
        let nch = m.channels.max(1);
        let mut ch: Vec<Channel> = (0..nch)
            .map(|c| Channel {
                channel: c,
                cores: Vec::new(),
                bytes: 0,
                capacity: m.channel_bytes(),
            })
            .collect();
        let mut total = 0u64;
        for c in 0..rows.cores() {
            let region = (core.idx_beats() + rows.beats(c)) * bb;
            let aligned = region.div_ceil(4096) * 4096;
            let slot = &mut ch[c % nch as usize];
            slot.cores.push(c as u32);
            slot.bytes += aligned;
            total += aligned;
        }
        ext_bytes = Some(total);
        let per_channel = m.gb_per_s as f64 * 1e9 / f64::from(nch);
        let sharing = rows.cores().div_ceil(nch as usize).max(1) as f64;
        let bpc = per_channel / (clock_mhz * 1e6) / sharing;
        bytes_per_cycle = Some(bpc);
        latency = Some((inp.mem_latency_ns * clock_mhz / 1000.0).ceil() as u64);
        channels = ch.into_iter().filter(|c| !c.cores.is_empty()).collect();
    }
    let pu = part_use(&mems, u64::from(k), ext_bytes, inp.part);
    let machine = Machine {
        hist_words: Machine::hist_words(groups, npc),
        mesh_rows: if k == 1 { 1 } else { mr },
        mesh_cols: if k == 1 { 1 } else { mc },
        store: match core.ext {
            None => Store::OnChip,
            Some(a) => Store::External(ExtTiming {
                lanes: core.ext_lanes(),
                beat_bytes: a.beat_bytes(),
                burst_beats: u64::from(a.burst),
                outstanding: u64::from(a.outstanding),
                index_beats: core.idx_beats(),
                latency: latency.unwrap_or(1),
                bytes_per_cycle,
            }),
        },
    };
    let mem_fits = pu.misfits.is_empty() && channels.iter().all(|c| c.bytes <= c.capacity);
    // the cycles (the costly part of a candidate) only where they compete:
    // a candidate whose memories fit; [`evaluate`] predicts any
    let summary = if mem_fits || shared.predict_all {
        crate::activity::predict(&machine, &rows, inp.spikes).0
    } else {
        Summary::default()
    };
    shared.rows.push(((lanes, groups), rows));
    let mut uses = vec![
        Use {
            resource: "BRAM36",
            used: pu.bram36 as f64,
            available: pu.bram36_have as f64,
        },
        Use {
            resource: "URAM",
            used: pu.uram as f64,
            available: pu.uram_have as f64,
        },
    ];
    let mut misfits = pu.misfits.clone();
    for c in &channels {
        uses.push(Use {
            resource: "external memory channel",
            used: c.bytes as f64,
            available: c.capacity as f64,
        });
        if c.bytes > c.capacity {
            misfits.push(format!(
                "external memory channel {}: cores {:?} need {} bytes, it has {} ({} over)",
                c.channel,
                c.cores,
                c.bytes,
                c.capacity,
                c.bytes - c.capacity
            ));
        }
    }
    Ok(Candidate {
        cores: k,
        mesh: (mr, mc),
        store,
        delay_groups: groups,
        neurons_per_core: npc,
        min_neurons_per_core: counts.iter().copied().min().unwrap_or(0),
        synapses_per_core: syn_per_core,
        core,
        onchip: mems,
        part_use: pu,
        channels,
        summary,
        mem_latency_cycles: latency,
        mem_bytes_per_cycle: bytes_per_cycle,
        core_logic: None,
        router_logic: None,
        uses,
        misfits,
    })
}

/// Add the logic (`core` per core and `router` per core on a mesh) to `c`
/// and check it against the part.
pub fn add_logic(
    c: &mut Candidate,
    part: &Part,
    core: crate::logic::Logic,
    router: Option<crate::logic::Logic>,
) {
    let k = u64::from(c.cores);
    let r = router.unwrap_or_default();
    let total = |a: u64, b: u64| a * k + if c.cores > 1 { b * k } else { 0 };
    for (name, used, have) in [
        ("LUT", total(core.luts, r.luts), part.luts),
        ("FF", total(core.ffs, r.ffs), part.ffs),
        ("DSP", total(core.dsp, r.dsp), part.dsp),
    ] {
        c.uses.push(Use {
            resource: name,
            used: used as f64,
            available: have as f64,
        });
        if used > have {
            c.misfits.push(format!(
                "{name}: needs {used}, has {have} ({} over; Yosys estimate: {} per core{} x {k})",
                used - have,
                match name {
                    "LUT" => core.luts,
                    "FF" => core.ffs,
                    _ => core.dsp,
                },
                if c.cores > 1 { " + a router" } else { "" }
            ));
        }
    }
    c.core_logic = Some(core);
    c.router_logic = router;
}
