//! Every memory layout of the cores, defined once: the fields of each
//! memory's words (least significant first), their widths from the core's
//! parameters ([`spikefab_hdl::core::CoreParams`]), and the packing of one
//! word into a `$readmemh` line. The image writer ([`crate::images`]), the
//! capacity figures ([`crate::capacity`]) and the mapping's memory table
//! ([`crate::mapping`]) all read widths from here.
//!
//! | memory | word (least significant field first) |
//! |---|---|
//! | state | `v` (`V_BITS`), `i_ex`, `i_in` (`I_BITS`), `refr` (`REF_BITS`) |
//! | pop | population index (`max(1, clog2(N_POPS))`) |
//! | param | `p22`, `p21_ex`, `p21_in`, `p11_ex`, `p11_in` (`COEF_BITS` each), `dc_term` (`V_BITS + COEF_FRAC`), `theta`, `v_reset` (`V_BITS`), `ref_steps` (`REF_BITS`), `w_bg` (`W_BITS`) |
//! | cdf | entry `k` in bits `32k+31 : 32k`, `TABLE_LEN` entries |
//! | syn | `target` (`NRN_W`), `delay` (`clog2(SLOTS)`), `weight` (`W_BITS`) |
//! | row | on chip: `start`, `end` (`clog2(SYN_DEPTH + 1)` each); external: `start_beat` (`BEAT_AW`), `last` (`LCNT_W`), `beats` (`BCNT_W`) |
//! | rule | rule id (`clog2(N_RULES + 1)`): 0 static, else 1 + projection index |
//! | stdp | `a_plus`, `a_minus`, `w_min`, `w_max` (`W_BITS` each) |
//! | inc_row | `start`, `end` (`clog2(INC_DEPTH + 1)` each) |
//! | inc | `syn` (`SYN_AW`), `src` (`ROW_W`: a global source id on a mesh) |
//! | route | `mesh_row0` .. `mesh_row{R-1}` (`C` bits each; bit `c` the core at column `c`) |
//!
//! `NRN_W = max(1, clog2(N_NEURONS))`, `SYN_AW = max(1, clog2(SYN_DEPTH))`,
//! `ROW_W = max(1, clog2(ROWS))` (`ROWS = N_NEURONS` on a single core).
//!
//! A core with an external synapse store (`CoreParams::ext`) has no `syn`
//! memory: its rows are in a region of external memory ([`ExtGeometry`]:
//! `LANES = AXI_DATA_W / SYN_W` synapse words per beat, each non-empty row
//! from a fresh beat; `BEAT_AW = max(1, clog2(EXT_BEATS))`, `BCNT_W =
//! clog2(EXT_BEATS + 1)`, `LCNT_W = clog2(LANES + 1)`, `EXT_BEATS =
//! ceil(SYN_DEPTH / LANES)`), and the regions of a mesh's cores are placed
//! in the memory channels by [`ext_placement`]. With the row index in
//! external memory too (`SYN_EXT = 2`, [`IndexGeometry`]) the region
//! starts with the index beats and the synapse beats follow.

use serde::Serialize;
use spikefab_hdl::core::{CoreParams, Mem};
use spikefab_hdl::{clog2, index_width};
use spikefab_sim::numerics::{smax, smin, umax};

use crate::topology::Mesh;

/// A value that does not fit its field (the integer model's own checks make
/// this impossible for a network that built; reported, never a panic).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{image} image, word {word}: {field} = {value} does not fit {} {bits} bits", if *.signed { "signed" } else { "unsigned" })]
pub struct ImageError {
    pub image: &'static str,
    pub word: u64,
    pub field: String,
    pub value: i64,
    pub bits: u32,
    pub signed: bool,
}

/// One field of a memory word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    /// Least significant bit of the field in the word.
    pub lsb: u32,
    pub bits: u32,
    /// Two's complement (signed) or unsigned.
    pub signed: bool,
}

/// The fields of a memory word, least significant first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub fields: Vec<Field>,
}

impl Layout {
    pub fn push(&mut self, name: impl Into<String>, bits: u32, signed: bool) -> &mut Self {
        let lsb = self.width();
        self.fields.push(Field {
            name: name.into(),
            lsb,
            bits,
            signed,
        });
        self
    }

    /// Word width in bits.
    pub fn width(&self) -> u32 {
        self.fields.iter().map(|f| f.bits).sum()
    }

    /// Whether every value fits its field (the first that does not is the
    /// error).
    fn check(&self, image: &'static str, word: u64, values: &[i64]) -> Result<(), ImageError> {
        debug_assert_eq!(values.len(), self.fields.len());
        for (f, &v) in self.fields.iter().zip(values) {
            let fits = if f.signed {
                v >= smin(f.bits) && v <= smax(f.bits)
            } else {
                v >= 0 && (v as u64) <= umax(f.bits)
            };
            if !fits {
                return Err(ImageError {
                    image,
                    word,
                    field: f.name.clone(),
                    value: v,
                    bits: f.bits,
                    signed: f.signed,
                });
            }
        }
        Ok(())
    }

    /// The bits of one word of at most 64 bits (a synapse word), from the
    /// field values in layout order; bits above the width are 0.
    pub fn pack_u64(
        &self,
        image: &'static str,
        word: u64,
        values: &[i64],
    ) -> Result<u64, ImageError> {
        debug_assert!(self.width() <= 64);
        self.check(image, word, values)?;
        let mut w = 0u64;
        for (f, &v) in self.fields.iter().zip(values) {
            let mask = if f.bits >= 64 {
                u64::MAX
            } else {
                (1u64 << f.bits) - 1
            };
            if f.lsb < 64 {
                w |= ((v as u64) & mask) << f.lsb;
            }
        }
        Ok(w)
    }

    /// The `$readmemh` line of one word (hex digits, most significant
    /// first, `ceil(width / 4)` of them) from the field values in layout
    /// order.
    pub fn word(
        &self,
        image: &'static str,
        word: u64,
        values: &[i64],
    ) -> Result<String, ImageError> {
        self.check(image, word, values)?;
        let mut bits: Vec<bool> = Vec::with_capacity(self.width() as usize);
        for (f, &v) in self.fields.iter().zip(values) {
            for b in 0..f.bits {
                bits.push(if b < 64 { (v >> b) & 1 == 1 } else { v < 0 });
            }
        }
        let digits = bits.len().div_ceil(4).max(1);
        let mut s = String::with_capacity(digits + 1);
        for d in (0..digits).rev() {
            let mut nib = 0u32;
            for b in 0..4 {
                if bits.get(4 * d + b).copied().unwrap_or(false) {
                    nib |= 1 << b;
                }
            }
            s.push(char::from_digit(nib, 16).expect("nibble"));
        }
        s.push('\n');
        Ok(s)
    }
}

/// Signed or unsigned, for [`Layout::push`].
const S: bool = true;
const U: bool = false;

/// The layout of memory `mem` of a core with parameters `core` (`mesh`
/// for the route memory of a mesh core's network interface); `None` for
/// the configuration registers and the trace memory, which have no image.
pub fn of(mem: Mem, core: &CoreParams, mesh: Option<&Mesh>) -> Option<Layout> {
    let mut l = Layout::default();
    match mem {
        Mem::State => {
            l.push("v", core.v_bits, S)
                .push("i_ex", core.i_bits, S)
                .push("i_in", core.i_bits, S)
                .push("refr", core.ref_bits, U);
        }
        Mem::Pop => {
            l.push("pop", index_width(core.n_pops), U);
        }
        Mem::Param => {
            let cb = core.coef_bits;
            l.push("p22", cb, U)
                .push("p21_ex", cb, U)
                .push("p21_in", cb, U)
                .push("p11_ex", cb, U)
                .push("p11_in", cb, U)
                .push("dc_term", core.v_bits + core.coef_frac, S)
                .push("theta", core.v_bits, S)
                .push("v_reset", core.v_bits, S)
                .push("ref_steps", core.ref_bits, U)
                .push("w_bg", core.w_bits, S);
        }
        Mem::Cdf => {
            for k in 0..core.table_len {
                l.push(format!("cdf[{k}]"), 32, U);
            }
        }
        Mem::Syn => {
            l.push("target", core.nrn_w(), U)
                .push("delay", clog2(core.slots), U)
                .push("weight", core.w_bits, S);
        }
        Mem::Row if core.ext.is_some() => {
            l.push("start_beat", core.beat_aw(), U)
                .push("last", core.lcnt_w(), U)
                .push("beats", core.bcnt_w(), U);
        }
        Mem::Row => {
            let w = clog2(core.syn_depth + 1);
            l.push("start", w, U).push("end", w, U);
        }
        Mem::Rule => {
            l.push("rule", clog2(core.n_rules.max(1) + 1), U);
        }
        Mem::Stdp => {
            l.push("a_plus", core.w_bits, S)
                .push("a_minus", core.w_bits, S)
                .push("w_min", core.w_bits, S)
                .push("w_max", core.w_bits, S);
        }
        Mem::IncRow => {
            let w = clog2(core.inc_depth.max(1) + 1);
            l.push("start", w, U).push("end", w, U);
        }
        Mem::Inc => {
            l.push("syn", core.syn_aw(), U).push("src", core.row_w(), U);
        }
        Mem::Route => {
            let m = mesh?;
            for r in 0..m.rows() {
                l.push(format!("mesh_row{r}"), m.cols(), U);
            }
        }
        Mem::Trace | Mem::Cfg => return None,
    }
    Some(l)
}

/// [`of`] for a memory that always has a layout on `core`.
pub fn core(mem: Mem, core: &CoreParams) -> Layout {
    of(mem, core, None).unwrap_or_default()
}

/// The words of memory `mem` in a core (its depth; the route memory has one
/// word per neuron).
pub fn depth(mem: Mem, core: &CoreParams) -> u64 {
    match mem {
        Mem::State | Mem::Pop | Mem::IncRow | Mem::Route => core.n_neurons,
        Mem::Param | Mem::Cdf => core.n_pops,
        Mem::Syn | Mem::Rule => core.syn_depth,
        Mem::Row => core.rows,
        Mem::Stdp => core.n_rules.max(1),
        Mem::Inc => core.inc_depth.max(1),
        Mem::Trace => core.rows,
        Mem::Cfg => 6,
    }
}

/// The geometry of a core's region of external memory (ext-spec, docs/hardware.md
/// "External synapse memory"): beats of `beat_bytes` bytes, each holding
/// `lanes` synapse words of `syn_w` bits, lane `l` in bits `[l*syn_w +:
/// syn_w]`; every non-empty row from a fresh beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtGeometry {
    /// `SYN_W`: the synapse word `{weight, delay, target}`.
    pub syn_w: u32,
    /// `LANES = AXI_DATA_W / SYN_W` (rounded down).
    pub lanes: u64,
    /// `AXI_DATA_W / 8`.
    pub beat_bytes: u64,
    /// `EXT_BEATS = ceil(SYN_DEPTH / LANES)`: the most synapse beats of a
    /// region.
    pub max_beats: u64,
    /// The external row index in front of the synapse beats (`SYN_EXT =
    /// 2`); `None` when the row words are on chip.
    pub index: Option<IndexGeometry>,
}

/// The row index at the start of a region (`SYN_EXT = 2`): row word `r` in
/// lane `r % lanes` (bits `[lane * lane_w, lane * lane_w + word widths)`)
/// of beat `r / lanes`; the synapse beats follow its `beats` beats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexGeometry {
    /// `IDX_W`: a row word's lane, its width rounded up to a power of two.
    pub lane_w: u32,
    /// `IDX_LANES = AXI_DATA_W / IDX_W`.
    pub lanes: u64,
    /// `IDX_BEATS = ceil(ROWS / IDX_LANES)`.
    pub beats: u64,
    /// The row word's width (`BCNT_W + LCNT_W + BEAT_AW`).
    pub word_w: u32,
    /// `BEAT_AW`, `LCNT_W`: the row word `{beats, last, start_beat}` has
    /// `start_beat` in its low `beat_aw` bits, `last` in the next `lcnt_w`.
    pub beat_aw: u32,
    pub lcnt_w: u32,
}

impl IndexGeometry {
    /// A row word `{beats, last, start_beat}` as an integer.
    pub fn word(&self, beats: u64, last: u64, start_beat: u64) -> u64 {
        start_beat | last << self.beat_aw | beats << (self.beat_aw + self.lcnt_w)
    }

    /// The first bit of row `r`'s word in the region, beats of `beat_bytes`.
    pub fn bit_of(&self, r: u64, beat_bytes: u64) -> u64 {
        (r / self.lanes) * beat_bytes * 8 + (r % self.lanes) * u64::from(self.lane_w)
    }
}

impl ExtGeometry {
    /// The geometry of `core`'s region; `None` on an on-chip core.
    pub fn of(core: &CoreParams) -> Option<ExtGeometry> {
        let a = core.ext?;
        Some(ExtGeometry {
            syn_w: core.syn_w(),
            lanes: core.ext_lanes(),
            beat_bytes: a.beat_bytes(),
            max_beats: core.ext_beats(),
            index: core.row_ext().then(|| IndexGeometry {
                lane_w: core.idx_w(),
                lanes: core.idx_lanes(),
                beats: core.idx_beats(),
                word_w: core.row_word_w(),
                beat_aw: core.beat_aw(),
                lcnt_w: core.lcnt_w(),
            }),
        })
    }

    /// Beats in front of the synapse beats (the row index's; 0 without one).
    pub fn index_beats(&self) -> u64 {
        self.index.map_or(0, |i| i.beats)
    }

    /// Beats of a row of `n` synapses (`ceil(n / LANES)`).
    pub fn row_beats(&self, n: u64) -> u64 {
        n.div_ceil(self.lanes)
    }

    /// Lanes a row of `n` synapses takes, its last beat's padding included
    /// (what `SYN_DEPTH` counts on an external core).
    pub fn row_lanes(&self, n: u64) -> u64 {
        self.row_beats(n) * self.lanes
    }

    /// Lanes of rows of `sizes` synapses.
    pub fn lanes_of(&self, sizes: impl IntoIterator<Item = u64>) -> u64 {
        sizes.into_iter().map(|n| self.row_lanes(n)).sum()
    }
}

/// Where a core's region of external memory lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtPlace {
    /// The memory channel (`core % channels`).
    pub channel: u32,
    /// Byte offset within the channel (a multiple of 4096).
    pub offset: u64,
    /// Byte address (`channel * channel_bytes + offset`): the core's
    /// `ext_base` (configuration registers 6, 7).
    pub base: u64,
}

pub use crate::hwconfig::EXT_ALIGN;

/// The places of regions of `bytes[k]` bytes (core `k`), mapped onto
/// `channels` channels of `channel_bytes` bytes round robin (core `k` on
/// channel `k % channels`), in core order within a channel, each
/// 4 KiB-aligned. Also the bytes each channel then needs (its last region's
/// end; may exceed `channel_bytes`: the caller checks).
pub fn ext_placement(
    bytes: &[u64],
    channels: u32,
    channel_bytes: u64,
) -> (Vec<ExtPlace>, Vec<u64>) {
    let channels = channels.max(1);
    let mut end = vec![0u64; channels as usize];
    let places: Vec<ExtPlace> = bytes
        .iter()
        .enumerate()
        .map(|(k, &b)| {
            let channel = (k % channels as usize) as u32;
            let offset = end[channel as usize];
            end[channel as usize] = offset + b.div_ceil(EXT_ALIGN) * EXT_ALIGN;
            ExtPlace {
                channel,
                offset,
                base: u64::from(channel) * channel_bytes + offset,
            }
        })
        .collect();
    // a channel's need: up to the end of its last region (not its padding)
    let mut need = vec![0u64; channels as usize];
    for (p, &b) in places.iter().zip(bytes) {
        need[p.channel as usize] = need[p.channel as usize].max(p.offset + b);
    }
    (places, need)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_packs_fields_lsb_first() {
        let mut l = Layout::default();
        l.push("a", 4, true).push("b", 3, false).push("c", 5, true);
        // a = -1 (f), b = 5 (101), c = -2 (11110): bits c|b|a = 11110 101 1111
        assert_eq!(l.word("t", 0, &[-1, 5, -2]).unwrap(), "f5f\n");
        assert_eq!(l.width(), 12);
        assert_eq!(l.fields[2].lsb, 7);
        let e = l.word("t", 3, &[8, 0, 0]).unwrap_err();
        assert_eq!(e.field, "a");
        assert!(e.to_string().contains("a = 8 does not fit signed 4 bits"));
    }

    #[test]
    fn regions_go_round_robin_onto_channels_4k_aligned() {
        // 5 cores on 3 channels of 64 KiB: core k on channel k % 3
        let bytes = [5000, 0, 4096, 1, 12_289];
        let (p, need) = ext_placement(&bytes, 3, 1 << 16);
        let ch: Vec<u32> = p.iter().map(|x| x.channel).collect();
        assert_eq!(ch, [0, 1, 2, 0, 1]);
        // core 3 follows core 0 (5000 bytes -> 8192); core 4 follows the empty core 1
        let off: Vec<u64> = p.iter().map(|x| x.offset).collect();
        assert_eq!(off, [0, 0, 0, 8192, 0]);
        let base: Vec<u64> = p.iter().map(|x| x.base).collect();
        assert_eq!(base, [0, 65_536, 131_072, 8192, 65_536]);
        assert!(p.iter().all(|x| x.base % EXT_ALIGN == 0));
        assert_eq!(need, [8193, 12_289, 4096]);
        // one channel: every region after the last, aligned
        let (p, need) = ext_placement(&[33, 4097, 7], 1, 1 << 20);
        assert_eq!(
            p.iter().map(|x| x.base).collect::<Vec<_>>(),
            [0, 4096, 12_288]
        );
        assert_eq!(need, [12_295]);
    }

    #[test]
    fn row_lanes_pad_each_row_to_whole_beats() {
        let g = ExtGeometry {
            syn_w: 33,
            lanes: 7,
            beat_bytes: 32,
            max_beats: 100,
            index: None,
        };
        let sizes = [0u64, 1, 7, 8, 15];
        assert_eq!(sizes.map(|n| g.row_beats(n)), [0, 1, 1, 2, 3]);
        assert_eq!(g.lanes_of(sizes), 7 + 7 + 14 + 21);
    }
}
