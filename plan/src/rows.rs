//! What a spike of each source neuron costs each core: the synapses of its
//! row on every core that holds some (a single core: one row per neuron,
//! empty rows included; a mesh core: the row's synapses onto the core's own
//! neurons, as `spikefab_gen::mapping` places them), and with an external
//! synapse store where the row starts in the core's region (in beats), so
//! that the cycle model can split it into bursts as the fetch unit does.
//! With delay groups (docs/hardware.md, "Delay groups") each source has a
//! row per group, `g * sources + j`, holding its synapses of delays
//! `g * steps + 1 ..= (g + 1) * steps`, in the order the generator lays
//! the rows out (group-major).

use serde::Serialize;
use spikefab_sim::connect::{key_delay, key_target, Synapses};

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
    /// Delay groups (1: none) and the steps of each.
    groups: u32,
    steps: u32,
}

impl RowMap {
    /// The rows of `syn` (a network of `neurons` neurons) on cores holding
    /// the contiguous neuron ranges `ranges` (one range: a single core, whose
    /// empty rows are kept as parts of 0 synapses). `lanes`: synapses per
    /// beat of an external store (`None`: on chip, no beats).
    pub fn new(syn: &Synapses, neurons: u32, ranges: &[(u32, u32)], lanes: Option<u64>) -> RowMap {
        RowMap::grouped(syn, neurons, ranges, lanes, 1, 0)
    }

    /// [`RowMap::new`] with `groups` delay groups of `steps` steps each (a
    /// mesh: `ranges` has more than one core; `groups = 1`: none).
    pub fn grouped(
        syn: &Synapses,
        neurons: u32,
        ranges: &[(u32, u32)],
        lanes: Option<u64>,
        groups: u32,
        steps: u32,
    ) -> RowMap {
        RowMap::grouped_many(syn, neurons, ranges, lanes, &[(groups, steps)])
            .pop()
            .expect("one map per option")
    }

    /// [`RowMap::grouped`] for each `(groups, steps)` of `options`, in one
    /// pass over the synapses.
    pub fn grouped_many(
        syn: &Synapses,
        neurons: u32,
        ranges: &[(u32, u32)],
        lanes: Option<u64>,
        options: &[(u32, u32)],
    ) -> Vec<RowMap> {
        let k = ranges.len().max(1);
        let mut core_of = vec![0u16; neurons as usize];
        for (c, &(lo, hi)) in ranges.iter().enumerate() {
            core_of[lo as usize..hi as usize].fill(c as u16);
        }
        let single = ranges.len() <= 1;
        let nn = neurons as usize;
        struct Acc {
            groups: u32,
            steps: u32,
            count: Vec<u32>,
            touched: Vec<usize>,
            synapses: Vec<u64>,
            // per group, its rows' parts (core, synapses) in row order, and
            // where each row ends (appended in order: no vector per row)
            parts: Vec<Vec<(u16, u32)>>,
            ends: Vec<Vec<usize>>,
        }
        let mut accs: Vec<Acc> = options
            .iter()
            .map(|&(groups, steps)| {
                let groups = groups.max(1);
                let g = groups as usize;
                Acc {
                    groups,
                    steps: if groups == 1 { steps } else { steps.max(1) },
                    count: vec![0; k * g],
                    touched: Vec::new(),
                    synapses: vec![0; k],
                    parts: vec![Vec::new(); g],
                    ends: vec![Vec::with_capacity(nn); g],
                }
            })
            .collect();
        for j in 0..neurons {
            for s in syn.row(j) {
                let key = syn.key[s];
                let c = core_of[key_target(key) as usize] as usize;
                let d = key_delay(key).max(1);
                for a in accs.iter_mut() {
                    let g = a.groups as usize;
                    let grp = if g == 1 {
                        0
                    } else {
                        (((d - 1) / a.steps) as usize).min(g - 1)
                    };
                    let i = c * g + grp;
                    if a.count[i] == 0 {
                        a.touched.push(i);
                    }
                    a.count[i] += 1;
                }
            }
            for a in accs.iter_mut() {
                let g = a.groups as usize;
                if single && a.count[0] == 0 {
                    // a single core reads its empty rows too
                    a.parts[0].push((0, 0));
                }
                // core-major order: each group's parts by ascending core
                a.touched.sort_unstable();
                for &i in &a.touched {
                    let (c, grp) = (i / g, i % g);
                    let n = a.count[i];
                    a.synapses[c] += u64::from(n);
                    a.parts[grp].push((c as u16, n));
                    a.count[i] = 0;
                }
                a.touched.clear();
                for grp in 0..g {
                    let end = a.parts[grp].len();
                    a.ends[grp].push(end);
                }
            }
        }
        accs.into_iter()
            .map(|mut a| {
                let mut next_beat = vec![0u64; k];
                let g = a.groups as usize;
                let mut start = Vec::with_capacity(nn * g + 1);
                let mut parts = Vec::with_capacity(a.parts.iter().map(Vec::len).sum());
                start.push(0);
                // group-major rows; each group's buffer freed once copied
                for grp in 0..g {
                    let gp = std::mem::take(&mut a.parts[grp]);
                    let mut from = 0;
                    for &end in &a.ends[grp] {
                        for &(c, n) in &gp[from..end] {
                            let beats = lanes.map_or(0, |l| u64::from(n).div_ceil(l.max(1)));
                            parts.push(RowPart {
                                core: c,
                                synapses: n,
                                start_beat: next_beat[usize::from(c)],
                            });
                            next_beat[usize::from(c)] += beats;
                        }
                        start.push(parts.len());
                        from = end;
                    }
                }
                RowMap {
                    ranges: ranges.to_vec(),
                    core_of: core_of.clone(),
                    start,
                    parts,
                    synapses: a.synapses,
                    beats: next_beat,
                    groups: a.groups,
                    steps: a.steps,
                }
            })
            .collect()
    }

    /// Delay groups (1: none).
    pub fn groups(&self) -> u32 {
        self.groups
    }

    /// Steps per delay group (0 without groups).
    pub fn group_steps(&self) -> u32 {
        self.steps
    }

    /// The parts of source `j`'s row of delay group `g`.
    pub fn group_row(&self, g: u32, j: u32) -> &[RowPart] {
        let i = g as usize * self.core_of.len() + j as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.parts[a..b],
            _ => &[],
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

    /// The parts of source `j`'s row (group 0's with delay groups).
    pub fn row(&self, j: u32) -> &[RowPart] {
        let j = j as usize;
        match (self.start.get(j), self.start.get(j + 1)) {
            (Some(&a), Some(&b)) => &self.parts[a..b],
            _ => &[],
        }
    }

    /// Source neurons.
    pub fn sources(&self) -> u32 {
        self.core_of.len() as u32
    }
}
