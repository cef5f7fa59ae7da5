//! Capacities: what a network needs of a core, a mesh and a part, against
//! what they hold. [`usage`] and [`misfits`] for one core (by config field),
//! [`count_misfits`] and [`cores_needed`] for a mesh from the network's
//! description alone, and [`capacity_report`]: cores, synapse and row
//! memory of a network, and per part ([`part_use`]) the cores' on-chip
//! memories against its block RAM and UltraRAM and their synapse regions
//! against the external memory of its reference card.
//!
//! Placement on a part ([`part_use`]): a memory of at most
//! [`LUTRAM_MAX_DEPTH`] words is distributed RAM (LUTs, not counted); one
//! of at least [`URAM_DEPTH`] words that takes fewer UltraRAM blocks (4K x
//! 72) than 36 Kb block RAMs goes to UltraRAM, largest first, as many
//! cores' copies as the part's UltraRAM holds; every other copy to 36 Kb
//! block RAM (the cheapest of its aspect ratios 32K x 1 .. 512 x 72).

use std::fmt::{self, Write as _};

use serde::Serialize;
use spikefab_eda::parts::{Part, PARTS};
use spikefab_hdl::core::{CoreParams, Mem};
use spikefab_sim::net::Rule;
use spikefab_sim::Network;

use crate::hwconfig::HwConfig;
use crate::layout;
use crate::topology::{Mesh, MAX_CORES, MAX_MESH_DIM};

/// Bits in a 36 Kb block RAM.
pub const BRAM36_BITS: u64 = 36 * 1024;
/// Bits in a 288 Kb UltraRAM.
pub const URAM_BITS: u64 = 288 * 1024;
/// Words of an UltraRAM block (4K x 72): memories at least this deep go to
/// UltraRAM on parts that have it.
pub const URAM_DEPTH: u64 = 4096;
/// Width of an UltraRAM block.
pub const URAM_WIDTH: u32 = 72;
/// Memories of at most this many words are distributed RAM (LUTs).
pub const LUTRAM_MAX_DEPTH: u64 = 64;
/// The aspect ratios of a 36 Kb block RAM (words, bits).
const BRAM36_SHAPES: [(u64, u32); 7] = [
    (32_768, 1),
    (16_384, 2),
    (8_192, 4),
    (4_096, 9),
    (2_048, 18),
    (1_024, 36),
    (512, 72),
];

/// One capacity the network exceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misfit {
    /// What is counted (`neurons`, `synapses`, ...).
    pub what: &'static str,
    /// The config field (or core limit) that bounds it.
    pub field: &'static str,
    pub need: u64,
    pub capacity: u64,
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the network needs {}, {} is {} ({} over)",
            self.what,
            self.need,
            self.field,
            self.capacity,
            self.need - self.capacity
        )
    }
}

/// Use of one memory (or count) against its capacity.
#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub what: &'static str,
    pub field: &'static str,
    pub used: u64,
    pub capacity: u64,
}

/// Counts of the network against the config (before the images).
pub struct Counts {
    pub neurons: u64,
    pub pops: u64,
    pub synapses: Option<u64>,
    pub plastic: u64,
    /// STDP rule table entries the network fills on an STDP core (one
    /// per projection: rule id = 1 + projection index).
    pub rules: u64,
    pub max_delay: Option<u64>,
    /// On an external-store core: the lanes the rows take in its region,
    /// each row padded to whole beats (what `syn_depth` counts there).
    pub ext_lanes: Option<u64>,
}

pub fn usage(c: &Counts, hw: &HwConfig) -> Vec<Usage> {
    let mut u = vec![
        Usage {
            what: "neurons",
            field: "neurons_per_core",
            used: c.neurons,
            capacity: hw.neurons_per_core,
        },
        Usage {
            what: "rows (one per neuron)",
            field: "max_rows",
            used: c.neurons,
            capacity: hw.max_rows,
        },
        Usage {
            what: "populations",
            field: "max_pops",
            used: c.pops,
            capacity: hw.max_pops,
        },
    ];
    if let Some(s) = c.synapses {
        u.push(Usage {
            what: "synapses",
            field: "syn_depth",
            used: s,
            capacity: hw.syn_depth,
        });
    }
    if let Some(l) = c.ext_lanes {
        u.push(Usage {
            what: "synapse lanes (rows padded to whole beats)",
            field: "syn_depth",
            used: l,
            capacity: hw.syn_depth,
        });
    }
    if let Some(d) = c.max_delay {
        // one core's ring holds every delay: with delay groups (max_slots)
        // only a mesh's network interfaces replay the longer ones
        let (what, field) = match hw.max_slots {
            None => ("delay slots (largest delay + 1)", "numerics.max_delay_steps + 1"),
            Some(_) => (
                "delay slots (largest delay + 1; one core has no network interface to replay longer delays: use a mesh)",
                "max_slots",
            ),
        };
        u.push(Usage {
            what,
            field,
            used: d + 1,
            capacity: hw.slots(),
        });
    }
    if hw.stdp {
        u.push(Usage {
            what: "STDP rule table entries (one per projection)",
            field: "n_rules",
            used: c.rules,
            capacity: hw.n_rules,
        });
        u.push(Usage {
            what: "plastic synapses (incoming list)",
            field: "inc_depth",
            used: c.plastic,
            capacity: hw.inc_depth,
        });
    }
    u
}

pub fn misfits(u: &[Usage]) -> Vec<Misfit> {
    u.iter()
        .filter(|x| x.used > x.capacity)
        .map(|x| Misfit {
            what: x.what,
            field: x.field,
            need: x.used,
            capacity: x.capacity,
        })
        .collect()
}

/// One capacity a core (or the whole mesh) exceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoreMisfit {
    /// The core, or `None` for the whole mesh or every core alike (`what`
    /// says which).
    pub core: Option<usize>,
    /// What is counted (`neurons`, `synapses`, ...).
    pub what: &'static str,
    /// The config field that bounds it.
    pub field: &'static str,
    pub need: u64,
    pub capacity: u64,
}

impl CoreMisfit {
    /// The misfits among `checks` (`(what, field, need, capacity)`) of core
    /// `core` (`None`: the whole mesh or every core alike).
    pub fn check(
        core: Option<usize>,
        checks: &[(&'static str, &'static str, u64, u64)],
    ) -> Vec<CoreMisfit> {
        checks
            .iter()
            .filter(|&&(_, _, need, cap)| need > cap)
            .map(|&(what, field, need, capacity)| CoreMisfit {
                core,
                what,
                field,
                need,
                capacity,
            })
            .collect()
    }
}

impl fmt::Display for CoreMisfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.core {
            write!(f, "core {k}: ")?;
        }
        write!(
            f,
            "{}: needs {}, {} is {} ({} over)",
            self.what,
            self.need,
            self.field,
            self.capacity,
            self.need.saturating_sub(self.capacity)
        )
    }
}

/// Counts of a network from its description, without connecting it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetCounts {
    pub neurons: u64,
    /// Synapses (the expectation for `pairwise_bernoulli`, rounded).
    pub synapses: u64,
    /// True when `synapses` is the exact count (no `pairwise_bernoulli`).
    pub exact: bool,
}

/// The neurons and synapses of `net`, from its populations and connection
/// rules alone (no build): `fixed_total_number` `n`, `fixed_indegree`
/// `k * target size`, `one_to_one` the source size, `explicit` its list,
/// `pairwise_bernoulli` `p` times the pairs (less the autapses when they
/// are excluded).
pub fn network_counts(net: &Network) -> NetCounts {
    let size = |name: &str| {
        net.populations
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| f64::from(p.size))
    };
    let mut exact = true;
    let mut syn = 0.0f64;
    for p in &net.projections {
        let (ns, nt) = (size(&p.source), size(&p.target));
        let same = p.source == p.target;
        syn += match &p.rule {
            Rule::FixedTotalNumber { n, .. } => *n as f64,
            Rule::FixedIndegree { k, .. } => f64::from(*k) * nt,
            Rule::OneToOne => ns,
            Rule::Explicit { synapses } => synapses.len() as f64,
            Rule::PairwiseBernoulli { p, autapses } => {
                exact = false;
                let pairs = if same && !autapses {
                    ns * (ns - 1.0)
                } else {
                    ns * nt
                };
                p.clamp(0.0, 1.0) * pairs
            }
        };
    }
    NetCounts {
        neurons: net.populations.iter().map(|p| u64::from(p.size)).sum(),
        synapses: syn.round() as u64,
        exact,
    }
}

/// Whole-mesh misfits of a network of `neurons` and `synapses` on `mesh`
/// (from counts alone): neurons against `cores * neurons_per_core`,
/// synapses against `cores * syn_depth`, and neurons against `max_rows`
/// (every core has a row per source neuron of the network).
pub fn count_misfits(neurons: u64, synapses: u64, hw: &HwConfig, mesh: &Mesh) -> Vec<CoreMisfit> {
    let k = mesh.cores() as u64;
    let all = [
        (
            "neurons (all cores)",
            "neurons_per_core x cores",
            neurons,
            hw.neurons_per_core.saturating_mul(k),
        ),
        (
            "synapses (all cores)",
            "syn_depth x cores",
            synapses,
            hw.syn_depth.saturating_mul(k),
        ),
        (
            "rows (in every core: one per source neuron of the network)",
            "max_rows",
            neurons,
            hw.max_rows,
        ),
    ];
    all.into_iter()
        .filter(|(_, _, need, cap)| need > cap)
        .map(|(what, field, need, capacity)| CoreMisfit {
            core: None,
            what,
            field,
            need,
            capacity,
        })
        .collect()
}

/// Cores of `hw` needed for `neurons` and `synapses`: (by neurons, by
/// synapses).
pub fn cores_needed(neurons: u64, synapses: u64, hw: &HwConfig) -> (u64, u64) {
    (
        neurons.div_ceil(hw.neurons_per_core.max(1)),
        synapses.div_ceil(hw.syn_depth.max(1)),
    )
}

/// Widths of a mesh core's synapse word (the `syn` layout of
/// [`crate::layout`]): target, delay, weight.
pub fn syn_word_bits(hw: &HwConfig) -> (u32, u32, u32) {
    let l = layout::core(Mem::Syn, &hw.mesh_core_params());
    (l.fields[0].bits, l.fields[1].bits, l.fields[2].bits)
}

/// On-chip memory bits of a part (36 Kb block RAMs and 288 Kb UltraRAMs).
pub fn part_memory_bits(p: &Part) -> u64 {
    p.bram36 * BRAM36_BITS + p.uram * URAM_BITS
}

/// One on-chip memory of a core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnChipMem {
    pub name: &'static str,
    pub depth: u64,
    pub width: u32,
}

impl OnChipMem {
    pub fn bits(&self) -> u64 {
        self.depth * u64::from(self.width)
    }
}

/// 36 Kb block RAMs for a memory of `depth` x `width` (its cheapest aspect
/// ratio).
pub fn bram36_blocks(depth: u64, width: u32) -> u64 {
    BRAM36_SHAPES
        .iter()
        .map(|&(d, w)| depth.div_ceil(d) * u64::from(width.div_ceil(w)))
        .min()
        .unwrap_or(0)
}

/// UltraRAM blocks (4K x 72) for a memory of `depth` x `width`.
pub fn uram_blocks(depth: u64, width: u32) -> u64 {
    depth.div_ceil(URAM_DEPTH) * u64::from(width.div_ceil(URAM_WIDTH))
}

/// Where `copies` copies of one memory went ([`place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placed {
    /// Distributed RAM (LUTs, not counted).
    pub lutram: bool,
    /// Copies in UltraRAM.
    pub uram_copies: u64,
    /// UltraRAM blocks of those copies.
    pub uram: u64,
    /// 36 Kb block RAMs of the other copies.
    pub bram36: u64,
}

/// The placement rule of [`part_use`] (module docs) for `copies` copies of
/// a `depth` x `width` memory with `uram_free` UltraRAM blocks left.
pub fn place(depth: u64, width: u32, copies: u64, uram_free: u64) -> Placed {
    let (u, b) = (uram_blocks(depth, width), bram36_blocks(depth, width));
    let lutram = depth <= LUTRAM_MAX_DEPTH;
    // as many copies in UltraRAM as it holds, the rest in BRAM36
    let in_uram = if !lutram && depth >= URAM_DEPTH && u > 0 && u < b {
        (uram_free / u).min(copies)
    } else {
        0
    };
    Placed {
        lutram,
        uram_copies: in_uram,
        uram: in_uram * u,
        bram36: if lutram { 0 } else { (copies - in_uram) * b },
    }
}

/// Each of the memories `shapes` (`(depth, width)`, one copy each) placed
/// on part `p` as [`part_use`] places a core's memories: UltraRAM to the
/// largest first while the part has some. In the order of `shapes`.
pub fn place_memories(shapes: &[(u64, u32)], p: &Part) -> Vec<Placed> {
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(shapes[i].0 * u64::from(shapes[i].1)));
    let mut out = vec![
        Placed {
            lutram: false,
            uram_copies: 0,
            uram: 0,
            bram36: 0
        };
        shapes.len()
    ];
    let mut uram = 0u64;
    for i in order {
        let (depth, width) = shapes[i];
        out[i] = place(depth, width, 1, p.uram - uram);
        uram += out[i].uram;
    }
    out
}

/// The on-chip memories of a core with parameters `core`: neuron state,
/// populations, parameters, Poisson tables, rows (unless the row index is
/// external), the delay accumulators (`SLOTS x N_NEURONS` words holding
/// both channels' sums, `acc_ex` and `acc_in`), the
/// synapse memory (on chip) or the AXI beat buffer (`AXI_OUTSTANDING x
/// AXI_BURST` beats, external store; with an external row index also the
/// ring of `AXI_OUTSTANDING` index entries), and the STDP memories of a
/// plastic core. What an external-store core keeps in external memory is
/// not among them.
pub fn onchip_memories(core: &CoreParams) -> Vec<OnChipMem> {
    let mem = |m: Mem| OnChipMem {
        name: m.name(),
        depth: layout::depth(m, core),
        width: layout::core(m, core).width(),
    };
    let mut v = vec![
        mem(Mem::State),
        mem(Mem::Pop),
        mem(Mem::Param),
        mem(Mem::Cdf),
    ];
    if !core.row_ext() {
        v.push(mem(Mem::Row));
    }
    match core.ext {
        None => v.push(mem(Mem::Syn)),
        Some(a) => {
            v.push(OnChipMem {
                name: "fetch (AXI beat buffer)",
                depth: u64::from(a.outstanding) * u64::from(a.burst),
                width: a.data_w,
            });
            if a.row_ext {
                v.push(OnChipMem {
                    name: "fetch (row index ring)",
                    depth: u64::from(a.outstanding),
                    width: core.row_w() + core.slot_w() + core.row_word_w(),
                });
            }
        }
    }
    // acc_ex and acc_in share one word per (slot, neuron) (snn_syn_event)
    v.push(OnChipMem {
        name: "acc",
        depth: core.slots * core.n_neurons,
        width: 2 * core.acc_bits,
    });
    if core.plastic {
        v.extend([
            mem(Mem::Rule),
            mem(Mem::Stdp),
            mem(Mem::IncRow),
            mem(Mem::Inc),
        ]);
        v.push(OnChipMem {
            name: "trace",
            depth: core.rows,
            width: 2 * core.trace_bits,
        });
    }
    v
}

/// The spike history of a mesh core's network interface with `groups`
/// delay groups of a `slots`-slot ring (`snn_noc_ni`: `(G - 1) *
/// (SLOTS - 1) + 1` step slots of `ceil(neurons / HIST_W)` words of
/// `HIST_W` bits); none with one group.
pub fn ni_history(groups: u32, slots: u64, neurons: u64) -> Option<OnChipMem> {
    let g = u64::from(groups);
    (g > 1).then(|| {
        let w = u64::from(spikefab_hdl::mesh::NI_HIST_W);
        OnChipMem {
            name: "hist (network interface)",
            depth: ((g - 1) * (slots.max(2) - 1) + 1) * neurons.div_ceil(w),
            width: w as u32,
        }
    })
}

/// Where a memory goes on a part: distributed RAM, or in `uram` of the
/// cores UltraRAM and in the others block RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub name: &'static str,
    /// Distributed RAM (LUTs) in every core.
    pub lutram: bool,
    /// Cores whose copy is in UltraRAM (the others' in BRAM36).
    pub uram: u64,
}

/// `cores` cores with the on-chip memories `mems` and, with an external
/// store, synapse regions of `ext_bytes` bytes in all, on one part.
#[derive(Debug, Clone, Serialize)]
pub struct PartUse {
    pub part: &'static str,
    pub card: &'static str,
    pub cores: u64,
    /// Each memory's placement, largest first.
    pub placement: Vec<Placement>,
    pub bram36: u64,
    pub bram36_have: u64,
    pub uram: u64,
    pub uram_have: u64,
    /// Bytes of the synapse regions (`None`: the synapses are on chip).
    pub ext_bytes: Option<u64>,
    /// Bytes of the card's external memory (0: none).
    pub ext_have: u64,
    /// The card's external memory in words (`16 GiB HBM2 in 32 channels`).
    pub ext_desc: String,
    /// What does not fit, in words (empty: everything fits).
    pub misfits: Vec<String>,
}

impl PartUse {
    pub fn fits(&self) -> bool {
        self.misfits.is_empty()
    }

    /// The memories in UltraRAM, with the cores whose copy is there when
    /// not all (`acc`, `row (in 9 of 12 cores)`).
    pub fn in_uram(&self) -> Vec<String> {
        self.placement
            .iter()
            .filter(|p| p.uram > 0)
            .map(|p| {
                if p.uram == self.cores {
                    p.name.to_string()
                } else {
                    format!(
                        "{} (in {} of {} cores)",
                        p.name,
                        group(p.uram),
                        group(self.cores)
                    )
                }
            })
            .collect()
    }
}

/// The memories of `cores` cores (each with `mems`) and their synapse
/// regions (`ext_bytes`, external store) on part `p` (see the module docs
/// for the placement), naming what does not fit.
pub fn part_use(
    mems: &[OnChipMem],
    cores: u64,
    ext_bytes: Option<u64>,
    p: &'static Part,
) -> PartUse {
    let mut order: Vec<&OnChipMem> = mems.iter().collect();
    order.sort_by_key(|m| std::cmp::Reverse(m.bits()));
    let (mut bram, mut uram) = (0u64, 0u64);
    let mut placement = Vec::new();
    for m in order {
        let placed = place(m.depth, m.width, cores, p.uram - uram);
        uram += placed.uram;
        bram += placed.bram36;
        placement.push(Placement {
            name: m.name,
            lutram: placed.lutram,
            uram: placed.uram_copies,
        });
    }
    let ext_have: u64 = p.ext_memory.iter().map(|m| m.bytes).sum();
    let ext_desc = if p.ext_memory.is_empty() {
        "none".to_string()
    } else {
        p.ext_memory
            .iter()
            .map(|m| {
                format!(
                    "{} {} in {} channel{} ({} GB/s)",
                    size_text(m.bytes),
                    m.kind,
                    m.channels,
                    if m.channels == 1 { "" } else { "s" },
                    m.gb_per_s
                )
            })
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let mut misfits = Vec::new();
    if bram > p.bram36 {
        let in_bram: Vec<&str> = placement
            .iter()
            .filter(|m| !m.lutram && m.uram < cores)
            .map(|m| m.name)
            .collect();
        misfits.push(format!(
            "BRAM36: needs {}, has {} ({} over; in BRAM36: {})",
            group(bram),
            group(p.bram36),
            group(bram - p.bram36),
            in_bram.join(", ")
        ));
    }
    if let Some(x) = ext_bytes {
        if ext_have == 0 {
            misfits.push(format!(
                "external memory: the synapse regions need {}, the part has no reference card with external memory",
                size_text(x)
            ));
        } else if x > ext_have {
            misfits.push(format!(
                "external memory: the synapse regions need {}, the card has {}",
                size_text(x),
                size_text(ext_have)
            ));
        }
    }
    PartUse {
        part: p.name,
        card: p.device_family,
        cores,
        placement,
        bram36: bram,
        bram36_have: p.bram36,
        uram,
        uram_have: p.uram,
        ext_bytes,
        ext_have,
        ext_desc,
        misfits,
    }
}

impl fmt::Display for PartUse {
    /// `xcu55c (Virtex UltraScale+ HBM (Alveo U55C)): BRAM36 1,234 of 2,016; URAM 106 of 960 (acc); external 13.13 MiB of 16 GiB HBM2 ...: fits`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): BRAM36 {} of {}; URAM {} of {}",
            self.part,
            self.card,
            group(self.bram36),
            group(self.bram36_have),
            group(self.uram),
            group(self.uram_have)
        )?;
        let u = self.in_uram();
        if !u.is_empty() {
            write!(f, " ({})", u.join(", "))?;
        }
        match self.ext_bytes {
            Some(x) if self.ext_have == 0 => {
                write!(f, "; external {}, none on this part", size_text(x))?
            }
            Some(x) => write!(f, "; external {} of {}", size_text(x), self.ext_desc)?,
            None => write!(f, "; external memory not used ({})", self.ext_desc)?,
        }
        if self.fits() {
            write!(f, ": fits")
        } else {
            write!(f, ": does not fit: {}", self.misfits.join("; "))
        }
    }
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `bytes` in GiB or MiB (two decimals).
fn size_text(bytes: u64) -> String {
    let gib = bytes as f64 / (1u64 << 30) as f64;
    if gib >= 1.0 {
        format!("{gib:.2} GiB")
    } else {
        format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

fn bytes_text(bits: u64) -> String {
    let bytes = bits.div_ceil(8);
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if gib >= 1.0 {
        format!("{} bytes ({gib:.2} GiB)", group(bytes))
    } else {
        format!("{} bytes ({mib:.2} MiB)", group(bytes))
    }
}

/// What a network of `neurons` and `synapses` needs in cores of `hw`, and
/// where its memories fit, from the counts alone (no build): cores needed
/// by neurons and by synapses (against the largest mesh, 16x16), the
/// synapse memory in bits and bytes (the mesh core's word: target, delay and
/// weight widths of the config), with an external store the synapse
/// regions' bytes (rows padded to whole beats: between the unpadded size
/// and one more beat per row and core; the larger is checked), the row
/// memory every core would need, the comparison with the on-chip memory of
/// the largest part, and one line per part of [`PARTS`] ([`part_use`]: the
/// cores' on-chip memories against its BRAM36 and URAM, the regions
/// against its card's external memory, what does not fit). The cores are
/// sized by the config, with a row per source neuron of the network when
/// more than one core is needed.
pub fn capacity_report(neurons: u64, synapses: u64, hw: &HwConfig) -> String {
    let mut s = String::new();
    let w = &mut s;
    let (by_n, by_s) = cores_needed(neurons, synapses, hw);
    let need = by_n.max(by_s).max(1);
    let _ = writeln!(
        w,
        "capacity: {} neurons, {} synapses on cores of hw config '{}' ({} neurons, {} synapse {}, {} rows each)",
        group(neurons),
        group(synapses),
        hw.name,
        group(hw.neurons_per_core),
        group(hw.syn_depth),
        if hw.external() {
            "lanes in external memory"
        } else {
            "words"
        },
        group(hw.max_rows)
    );
    let _ = writeln!(
        w,
        "cores needed: {} by neurons, {} by synapses: at least {} cores ({})",
        group(by_n),
        group(by_s),
        group(need),
        if need as usize > MAX_CORES {
            format!("more than the largest mesh, {MAX_MESH_DIM}x{MAX_MESH_DIM} = {MAX_CORES} cores")
        } else {
            format!("the largest mesh, {MAX_MESH_DIM}x{MAX_MESH_DIM}, has {MAX_CORES}")
        }
    );
    let (tw, dw, ww) = syn_word_bits(hw);
    let word = u64::from(tw + dw + ww);
    let syn_bits = synapses.saturating_mul(word);
    let _ = writeln!(
        w,
        "synapse memory: {} words x {word} bits (target {tw} + delay {dw} + weight {ww}) = {} bits = {}",
        group(synapses),
        group(syn_bits),
        bytes_text(syn_bits)
    );
    let core = CoreParams {
        rows: if need > 1 {
            hw.max_rows.max(neurons)
        } else {
            hw.neurons_per_core
        },
        ..hw.mesh_core_params()
    };
    let ext_bytes = layout::ExtGeometry::of(&core).map(|g| {
        let beats = synapses.div_ceil(g.lanes);
        let pad = neurons.saturating_mul(need).min(synapses);
        let (lo, hi) = (beats * g.beat_bytes, (beats + pad) * g.beat_bytes);
        let _ = writeln!(
            w,
            "synapse regions in external memory: {} words per beat of {} bytes: {} unpadded, at most {} with every row padded to whole beats",
            g.lanes,
            g.beat_bytes,
            bytes_text(lo * 8),
            bytes_text(hi * 8)
        );
        hi + g.index_beats().saturating_mul(g.beat_bytes).saturating_mul(need)
    });
    let row_w = u64::from(core.row_word_w());
    let row_bits = neurons.saturating_mul(row_w);
    let held = if hw.max_rows >= neurons {
        "holds them"
    } else {
        "does not hold them"
    };
    if core.row_ext() {
        let idx = core.idx_beats() * core.axi().beat_bytes();
        let _ = writeln!(
            w,
            "row index: in external memory (synapse_store.row_index = \"external\"): every core indexes all {} source neurons in {} lanes of {} bits = {} per core, {} in {} cores; max_rows = {} {held}",
            group(neurons),
            group(core.rows),
            core.idx_w(),
            bytes_text(idx * 8),
            bytes_text(idx.saturating_mul(need) * 8),
            group(need),
            group(hw.max_rows),
        );
    } else {
        let _ = writeln!(
            w,
            "row memory: every core indexes all {} source neurons: {} x {} bits = {} bits per core, {} in {} cores; max_rows = {} {held}{}",
            group(neurons),
            group(neurons),
            row_w,
            group(row_bits),
            bytes_text(row_bits.saturating_mul(need)),
            group(need),
            group(hw.max_rows),
            if hw.external() {
                " (synapse_store.row_index = \"external\" moves it to external memory)"
            } else {
                ""
            }
        );
    }
    if let Some(p) = PARTS.iter().max_by_key(|p| part_memory_bits(p)) {
        let chip = part_memory_bits(p);
        let _ = writeln!(
            w,
            "largest part: {} ({}): {} BRAM36 ({} bits) + {} URAM ({} bits) = {} bits = {} on chip",
            p.name,
            p.device_family,
            group(p.bram36),
            group(p.bram36 * BRAM36_BITS),
            group(p.uram),
            group(p.uram * URAM_BITS),
            group(chip),
            bytes_text(chip)
        );
        if hw.external() {
            let _ = writeln!(
                w,
                "the synapses are in external memory (synapse_store): the synapse memory is {:.1}x the on-chip memory of the largest part ({}), and none of it is on chip",
                syn_bits as f64 / chip.max(1) as f64,
                p.name
            );
        } else if syn_bits > chip {
            let _ = writeln!(
                w,
                "does not fit on chip: the synapse memory alone is {:.1}x the on-chip memory of the largest part ({}); the synapses need off-chip memory (DRAM/HBM: a config with [synapse_store] kind = \"external\")",
                syn_bits as f64 / chip as f64,
                p.name
            );
        } else {
            let _ = writeln!(
                w,
                "the synapse memory is {:.1}% of the on-chip memory of the largest part ({})",
                100.0 * syn_bits as f64 / chip.max(1) as f64,
                p.name
            );
        }
    }
    let mems = onchip_memories(&core);
    let _ = writeln!(
        w,
        "on-chip memories per core (depth x width): {}",
        mems.iter()
            .map(|m| format!("{} {}x{}", m.name, group(m.depth), m.width))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        w,
        "per part, {} cores (memories of at least {URAM_DEPTH} words in UltraRAM while it lasts where that takes fewer blocks, of at most {LUTRAM_MAX_DEPTH} in LUTs, the others in BRAM36):",
        group(need)
    );
    for p in PARTS {
        let _ = writeln!(w, "  {}", part_use(&mems, need, ext_bytes, p));
    }
    s
}
