//! Capacities: what a network needs of a core, a mesh and a part, against
//! what they hold. [`usage`] and [`misfits`] for one core (by config field),
//! [`count_misfits`] and [`cores_needed`] for a mesh from the network's
//! description alone, and [`capacity_report`]: cores, synapse and row
//! memory of a network against the on-chip memory of the largest part.

use std::fmt::{self, Write as _};

use serde::Serialize;
use spikefab_eda::parts::{Part, PARTS};
use spikefab_hdl::core::Mem;
use spikefab_sim::net::Rule;
use spikefab_sim::Network;

use crate::hwconfig::HwConfig;
use crate::layout;
use crate::topology::{Mesh, MAX_CORES, MAX_MESH_DIM};

/// Bits in a 36 Kb block RAM.
pub const BRAM36_BITS: u64 = 36 * 1024;
/// Bits in a 288 Kb UltraRAM.
pub const URAM_BITS: u64 = 288 * 1024;

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
        u.push(Usage {
            what: "delay slots (largest delay + 1)",
            field: "numerics.max_delay_steps + 1",
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
/// whether its synapse memory fits on chip, from the counts alone (no
/// build): cores needed by neurons and by synapses (against the largest
/// mesh, 16x16), the synapse memory in bits and bytes (the mesh core's word:
/// target, delay and weight widths of the config), the row memory every
/// core would need, and the comparison with the on-chip memory (block RAM
/// and UltraRAM) of the largest part in [`PARTS`].
pub fn capacity_report(neurons: u64, synapses: u64, hw: &HwConfig) -> String {
    let mut s = String::new();
    let w = &mut s;
    let (by_n, by_s) = cores_needed(neurons, synapses, hw);
    let need = by_n.max(by_s).max(1);
    let _ = writeln!(
        w,
        "capacity: {} neurons, {} synapses on cores of hw config '{}' ({} neurons, {} synapse words, {} rows each)",
        group(neurons),
        group(synapses),
        hw.name,
        group(hw.neurons_per_core),
        group(hw.syn_depth),
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
    let ptr_w = u64::from(layout::core(Mem::Row, &hw.mesh_core_params()).fields[0].bits);
    let row_bits = neurons.saturating_mul(2 * ptr_w);
    let _ = writeln!(
        w,
        "row memory: every core indexes all {} source neurons: {} x {} bits = {} bits per core, {} in {} cores; max_rows = {} {}",
        group(neurons),
        group(neurons),
        2 * ptr_w,
        group(row_bits),
        bytes_text(row_bits.saturating_mul(need)),
        group(need),
        group(hw.max_rows),
        if hw.max_rows >= neurons {
            "holds them"
        } else {
            "does not hold them"
        }
    );
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
        if syn_bits > chip {
            let _ = writeln!(
                w,
                "does not fit on chip: the synapse memory alone is {:.1}x the on-chip memory of the largest part ({}); the synapses need off-chip memory (DRAM/HBM)",
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
    s
}
