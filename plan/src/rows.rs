//! What a spike of each source neuron costs each core: the synapses of its
//! row on every core that holds some (a single core: one row per neuron,
//! empty rows included; a mesh core: the row's synapses onto the core's own
//! neurons, as `spikefab_gen::mapping` places them), and with an external
//! synapse store where the row starts in the core's region (in beats), so
//! that the cycle model can split it into bursts as the fetch unit does.

use serde::Serialize;
use spikefab_sim::connect::{key_target, Synapses};

/// One core's part of one source's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RowPart {
    /// The core holding the synapses.
    pub core: u16,
    /// Synapses of the row onto that core's neurons (0 only for an empty
    /// row of a single core, which the core still reads).
    pub synapses: u32,
    /// First beat of the part in the core's synapse region (rows in row
    /// order, each non-empty row from a fresh beat); 0 on chip.
    pub start_beat: u64,
}

/// The rows of a network placed on cores (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct RowMap {
    /// Each core's neuron range `[lo, hi)`, in core order.
    pub ranges: Vec<(u32, u32)>,
    /// The core of every neuron.
    core_of: Vec<u16>,
    /// Row `j`'s parts are `parts[start[j]..start[j + 1]]`.
    start: Vec<usize>,
    parts: Vec<RowPart>,
    /// Per core: its synapses and the beats of its region's synapse part.
    synapses: Vec<u64>,
    beats: Vec<u64>,
}

impl RowMap {
    /// The rows of `syn` (a network of `neurons` neurons) on cores holding
    /// the contiguous neuron ranges `ranges` (one range: a single core, whose
    /// empty rows are kept as parts of 0 synapses). `lanes`: synapses per
    /// beat of an external store (`None`: on chip, no beats).
    pub fn new(syn: &Synapses, neurons: u32, ranges: &[(u32, u32)], lanes: Option<u64>) -> RowMap {
        let k = ranges.len().max(1);
        let mut core_of = vec![0u16; neurons as usize];
        for (c, &(lo, hi)) in ranges.iter().enumerate() {
            core_of[lo as usize..hi as usize].fill(c as u16);
        }
        let single = ranges.len() <= 1;
        let mut count = vec![0u32; k];
        let mut synapses = vec![0u64; k];
        let mut next_beat = vec![0u64; k];
        let mut start = Vec::with_capacity(neurons as usize + 1);
        let mut parts = Vec::new();
        start.push(0);
        for j in 0..neurons {
            for s in syn.row(j) {
                count[core_of[key_target(syn.key[s]) as usize] as usize] += 1;
            }
            for (c, n) in count.iter_mut().enumerate() {
                synapses[c] += u64::from(*n);
                if *n > 0 || single {
                    let beats = lanes.map_or(0, |l| u64::from(*n).div_ceil(l.max(1)));
                    parts.push(RowPart {
                        core: c as u16,
                        synapses: *n,
                        start_beat: next_beat[c],
                    });
                    next_beat[c] += beats;
                }
                *n = 0;
            }
            start.push(parts.len());
        }
        RowMap {
            ranges: ranges.to_vec(),
            core_of,
            start,
            parts,
            synapses,
            beats: next_beat,
        }
    }

    /// Synapses held by core `c`.
    pub fn synapses(&self, c: usize) -> u64 {
        self.synapses.get(c).copied().unwrap_or(0)
    }

    /// Beats of core `c`'s synapse region (0 on chip).
    pub fn beats(&self, c: usize) -> u64 {
        self.beats.get(c).copied().unwrap_or(0)
    }

    /// Cores.
    pub fn cores(&self) -> usize {
        self.ranges.len().max(1)
    }

    /// Neurons of core `c`.
    pub fn neurons(&self, c: usize) -> u64 {
        self.ranges.get(c).map_or(0, |&(lo, hi)| u64::from(hi - lo))
    }

    /// The core that holds neuron `n`.
    pub fn core_of(&self, n: u32) -> usize {
        self.core_of.get(n as usize).map_or(0, |&c| usize::from(c))
    }

    /// The parts of source `j`'s row.
    pub fn row(&self, j: u32) -> &[RowPart] {
        let j = j as usize;
        match (self.start.get(j), self.start.get(j + 1)) {
            (Some(&a), Some(&b)) => &self.parts[a..b],
            _ => &[],
        }
    }

    /// Source neurons.
    pub fn sources(&self) -> u32 {
        self.start.len().saturating_sub(1) as u32
    }
}
