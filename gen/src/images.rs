//! The memory images of the cores, written from a [`NetModel`] (integer
//! model, synapses, initial state) in exactly the layouts of
//! [`crate::layout`], and the load-port beats that write them into a core
//! the way a host configures a board.
//!
//! - One core ([`core_images`]): every neuron of the network, rows by
//!   source neuron in the synapse matrix's order; a core of any capacity that
//!   holds the network, so that one core built for a config runs any
//!   network that fits it.
//! - Mesh cores ([`mesh_core_images`]): core `k` holds the contiguous neuron
//!   range `[lo_k, hi_k)` (local neuron `i` is global `lo_k + i`): the state
//!   and population slices of its range, every population's parameters and
//!   Poisson table, the synapses onto its neurons (target-side storage:
//!   `target - lo`), a row per **global** source neuron `j` (`{start, end}`
//!   into its own synapse memory; an empty row has `start = end` = the
//!   running address), and its route memory (per local neuron, the cores
//!   holding at least one of its synapses, bit `r * C + c`). With STDP, the
//!   rule ids of its synapses, the rule table, and the incoming lists of its
//!   neurons with **global** source ids (the core keeps a presynaptic trace
//!   per global row). A 1x1 mesh gives the single core's images plus the
//!   route image.
//!
//! - External synapse store (`CoreParams::ext`): no `syn` image; the rows
//!   are laid out in the core's region of external memory by the one image
//!   writer [`ext_region`] (bytes as they sit in memory, docs/hardware.md
//!   "External synapse memory"), the row image holds `{beats, last,
//!   start_beat}` per row (no row image when the row index is external
//!   too: the region starts with it), and [`CoreImages::ext`] carries the region and
//!   its place ([`place_ext`]: a single core at byte 0 of channel 0, a
//!   mesh's cores round robin on the channels).
//!
//! Image texts carry no header line; the generator prepends one
//! (`$readmemh` accepts `//` comments). A memory with no word to hold gets
//! one zero word (an empty `$readmemh` file is an error in some tools).

use serde::Serialize;
use spikefab_hdl::core::{CfgReg, CoreInit, CoreParams, Mem};
use spikefab_sim::connect::{key_delay, key_target};
use spikefab_sim::rng::{self, Stream};

use crate::hwconfig::numerics_core;
use crate::layout::{self, ExtGeometry, ExtPlace, ImageError, Layout};
use crate::model::NetModel;
use crate::topology::{Mesh, MAX_CORES};

/// One memory image.
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    /// The memory it fills.
    pub mem: Mem,
    /// Memory words of the core (`depth`); the image may hold fewer.
    pub depth: u64,
    /// Words in the image.
    pub words: u64,
    /// Word layout; its width is the memory width.
    pub layout: Layout,
    /// The `$readmemh` text, one word per line, no header.
    #[serde(skip)]
    pub text: String,
}

impl Image {
    /// Short name (`state`, `inc_row`, ...).
    pub fn name(&self) -> &'static str {
        self.mem.name()
    }

    /// Word width in bits.
    pub fn width(&self) -> u32 {
        self.layout.width()
    }
}

/// Everything one core is configured with: its parameters (the hardware),
/// its initial values and its memory images (the network).
#[derive(Debug, Clone)]
pub struct CoreImages {
    /// The parameters of the core the images are shaped for.
    pub core: CoreParams,
    /// Initial values (parameters and configuration registers).
    pub init: CoreInit,
    /// state, pop, param, cdf, syn, row, then (plastic core) rule, stdp,
    /// inc_row, inc, then (mesh core) route.
    pub images: Vec<Image>,
    /// Synapses the core holds.
    pub synapses: u64,
    /// Plastic synapses the core holds (incoming-list entries).
    pub plastic_synapses: u64,
    /// An external-store core's synapse region and where it lies in
    /// external memory (its base is also `init.ext_base`); `None` on chip.
    pub ext: Option<ExtImage>,
}

/// A core's synapse rows in external memory: the region ([`ext_region`])
/// and its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtImage {
    pub place: ExtPlace,
    pub region: ExtRegion,
}

/// One row word of an external-store core's row memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtRow {
    /// The row's first beat (0 for an empty row).
    pub start_beat: u64,
    /// Its beats (`ceil(n / LANES)`; 0: empty).
    pub beats: u64,
    /// Synapses in its last beat (`1..=LANES`; 0 for an empty row).
    pub last: u64,
}

impl ExtRow {
    /// Synapses of the row.
    pub fn synapses(&self, lanes: u64) -> u64 {
        if self.beats == 0 {
            0
        } else {
            (self.beats - 1) * lanes + self.last
        }
    }
}

/// A core's synapse rows laid out as its region of external memory
/// ([`ext_region`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtRegion {
    pub geometry: ExtGeometry,
    /// The region as it sits in memory from the core's base: the row
    /// index's beats (external index only), then the synapse beats; beat
    /// `b` of the region in bytes `[b * beat_bytes, (b + 1) * beat_bytes)`,
    /// little-endian (bit `i` of a beat in byte `i / 8`, bit `i % 8`);
    /// `(index beats + beats) * beat_bytes` bytes.
    pub bytes: Vec<u8>,
    /// Synapse beats of the region.
    pub beats: u64,
    /// Synapses laid out.
    pub synapses: u64,
    /// The row words, one per row in row order.
    pub rows: Vec<ExtRow>,
}

impl ExtRegion {
    /// Lanes the rows take, padding included (`beats * LANES`: what
    /// `SYN_DEPTH` counts).
    pub fn lanes_used(&self) -> u64 {
        self.beats * self.geometry.lanes
    }

    /// The synapse word in lane `lane` of synapse beat `beat`, read back
    /// from the bytes bit by bit (0 outside the region).
    pub fn word(&self, beat: u64, lane: u64) -> u64 {
        let g = &self.geometry;
        let first = (g.index_beats() + beat) * g.beat_bytes * 8 + lane * u64::from(g.syn_w);
        self.bits(first, g.syn_w)
    }

    /// Row `r`'s word `{beats, last, start_beat}` read back from the
    /// region's row index (`None` without an external index).
    pub fn index_word(&self, r: u64) -> Option<u64> {
        let x = self.geometry.index?;
        Some(self.bits(x.bit_of(r, self.geometry.beat_bytes), x.word_w))
    }

    /// `n` bits (at most 64) from bit `first` of the region on.
    fn bits(&self, first: u64, n: u32) -> u64 {
        (0..u64::from(n)).fold(0u64, |acc, i| {
            let bit = first + i;
            let byte = self.bytes.get((bit / 8) as usize).copied().unwrap_or(0);
            acc | (u64::from((byte >> (bit % 8)) & 1) << i)
        })
    }
}

/// ORs the `bits` low bits of `w` into `bytes` from bit `at` on (little-endian).
fn put_bits(bytes: &mut [u8], at: u64, w: u64, bits: u32) {
    let shift = (at % 8) as u32;
    let mut v = u128::from(w) << shift;
    let n = (bits + shift).div_ceil(8) as usize;
    let first = (at / 8) as usize;
    for b in &mut bytes[first..first + n] {
        *b |= v as u8;
        v >>= 8;
    }
}

/// Lays out rows of packed synapse words as the region of `g`: the row
/// index first when `g` has one (`rows` entries; a mesh core's `ROWS` may
/// exceed the rows given, the rest are empty), then the synapse beats.
fn lay_out(g: ExtGeometry, rows: &[u64], words: &[u64]) -> ExtRegion {
    let beats: u64 = rows.iter().map(|&n| g.row_beats(n)).sum();
    let front = g.index_beats();
    let mut bytes = vec![0u8; ((front + beats) * g.beat_bytes) as usize];
    let mut out = Vec::with_capacity(rows.len());
    let (mut beat, mut k0) = (0u64, 0usize);
    for &n in rows {
        let rb = g.row_beats(n);
        if rb == 0 {
            out.push(ExtRow {
                start_beat: 0,
                beats: 0,
                last: 0,
            });
            continue;
        }
        for (k, &w) in words[k0..k0 + n as usize].iter().enumerate() {
            let (b, lane) = (front + beat + k as u64 / g.lanes, k as u64 % g.lanes);
            put_bits(
                &mut bytes,
                b * g.beat_bytes * 8 + lane * u64::from(g.syn_w),
                w,
                g.syn_w,
            );
        }
        out.push(ExtRow {
            start_beat: beat,
            beats: rb,
            last: n - (rb - 1) * g.lanes,
        });
        beat += rb;
        k0 += n as usize;
    }
    if let Some(x) = g.index {
        for (r, row) in out.iter().enumerate() {
            let r = r as u64;
            put_bits(
                &mut bytes,
                x.bit_of(r, g.beat_bytes),
                x.word(row.beats, row.last, row.start_beat),
                x.word_w,
            );
        }
    }
    ExtRegion {
        geometry: g,
        bytes,
        beats,
        synapses: words.len() as u64,
        rows: out,
    }
}

/// **The external image writer**: the synapse rows of one external-store
/// core (`core.ext` set) laid out exactly as its region of external memory
/// holds them (docs/hardware.md, "External synapse memory"), for the
/// generator, the host and the co-simulation's memory model alike.
///
/// `rows` gives every row of the core in row order (a single core: one per
/// neuron; a mesh core: one per source neuron of the whole network), each
/// its synapses in the engine's order as `[target, delay, weight]` (the
/// fields of the `syn` layout; `target` local to the core). Row `r` of
/// `n_r` synapses takes beats `[start_r, start_r + ceil(n_r / LANES))`
/// from a fresh beat, synapse `k` in lane `k % LANES` of beat `start_r + k
/// / LANES`; unused lanes and bits are 0. The region's bytes start at the
/// core's base (beat `b` at byte `b * AXI_DATA_W / 8`). With the row index
/// in external memory (`SYN_EXT = 2`) the region starts with its
/// `IDX_BEATS` beats (row `r`'s word `{beats, last, start_beat}` in lane `r
/// % IDX_LANES` of beat `r / IDX_LANES`, a lane `IDX_W` bits) and synapse
/// beat `b` is region beat `IDX_BEATS + b`.
///
/// Errors: an on-chip core, a value that does not fit its field, rows
/// that take more lanes than `SYN_DEPTH`, or (external index) more rows
/// than `ROWS`.
pub fn ext_region<R, S>(core: &CoreParams, rows: R) -> Result<ExtRegion, CoreImageError>
where
    R: IntoIterator<Item = S>,
    S: IntoIterator<Item = [i64; 3]>,
{
    let g = ExtGeometry::of(core).ok_or(ShapeError::NotExternal)?;
    let l = layout::core(Mem::Syn, core);
    let (mut sizes, mut words) = (Vec::new(), Vec::new());
    for row in rows {
        let before = words.len();
        for v in row {
            words.push(l.pack_u64("syn_ext", words.len() as u64, &v)?);
        }
        sizes.push((words.len() - before) as u64);
    }
    let need = g.lanes_of(sizes.iter().copied());
    if need > core.syn_depth {
        return Err(ShapeError::TooSmall {
            what: "synapse lanes (rows padded to whole beats)",
            cap: core.syn_depth,
            need,
        }
        .into());
    }
    if let Some(e) = index_room(g, core, sizes.len()) {
        return Err(e.into());
    }
    Ok(lay_out(g, &sizes, &words))
}

/// More rows than an external row index holds (`ROWS`), if so.
fn index_room(g: ExtGeometry, core: &CoreParams, rows: usize) -> Option<ShapeError> {
    (g.index.is_some() && rows as u64 > core.rows).then_some(ShapeError::TooSmall {
        what: "rows in the external row index",
        cap: core.rows,
        need: rows as u64,
    })
}

/// Places the external regions of `cores` (in core order) in `channels`
/// channels of `channel_bytes` bytes ([`layout::ext_placement`]: core `k`
/// on channel `k % channels`, 4 KiB-aligned) and sets each core's
/// `ext_base`. Returns the bytes each channel needs; on-chip cores are left
/// as they are.
pub fn place_ext(cores: &mut [CoreImages], channels: u32, channel_bytes: u64) -> Vec<u64> {
    let bytes: Vec<u64> = cores
        .iter()
        .map(|c| c.ext.as_ref().map_or(0, |x| x.region.bytes.len() as u64))
        .collect();
    let (places, need) = layout::ext_placement(&bytes, channels, channel_bytes);
    for (c, p) in cores.iter_mut().zip(places) {
        if let Some(x) = c.ext.as_mut() {
            x.place = p;
            c.init.ext_base = p.base;
        }
    }
    need
}

impl CoreImages {
    /// `NAME=value ...` of the core's parameters and initial values.
    pub fn desc(&self) -> String {
        let mut v: Vec<String> = self
            .core
            .config_params()
            .iter()
            .chain(&self.init.params(self.core.coef_bits))
            .map(|p| format!("{}={}", p.name, p.value.as_u64().unwrap_or(0)))
            .collect();
        if self.core.mesh {
            v.push(format!("ROWS={} base={}", self.core.rows, self.init.base));
        }
        v.join(" ")
    }

    /// The image of memory `mem`.
    pub fn image(&self, mem: Mem) -> Option<&Image> {
        self.images.iter().find(|i| i.mem == mem)
    }
}

/// A core that does not hold the network (the generator checks
/// capacities first and reports them by config field; this is the image
/// writer's own guard).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("the core holds {cap} {what}, the network needs {need}")]
    TooSmall {
        what: &'static str,
        cap: u64,
        need: u64,
    },
    #[error("the network has plastic synapses; the core is static (PLASTIC = 0)")]
    NotPlastic,
    #[error("the core keeps its synapses on chip (no external synapse store: SYN_EXT = 0)")]
    NotExternal,
    #[error("the network was quantized with {field} = {model}, the core has {field} = {core}")]
    Numerics {
        field: &'static str,
        model: u64,
        core: u64,
    },
}

/// Errors of [`core_images`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreImageError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

/// The smallest single core for `src` (plastic when it has plastic
/// synapses), with a synapse memory of `syn_depth` words (`None`: the
/// synapse count, at least 1).
pub fn network_core(src: &NetModel, syn_depth: Option<u64>) -> CoreParams {
    let m = &src.model;
    let n = u64::from(m.neurons);
    CoreParams {
        n_neurons: n,
        n_pops: m.pops.len() as u64,
        syn_depth: syn_depth.unwrap_or(src.syn.len()).max(1),
        plastic: src.plastic(),
        rows: n,
        n_rules: (m.stdp.len() as u64).max(1),
        inc_depth: (src.syn.incoming.syn.len() as u64).max(1),
        ..numerics_core(&m.numerics)
    }
}

/// The core's widths against the model's numerics.
fn check_numerics(src: &NetModel, core: &CoreParams) -> Result<(), ShapeError> {
    let want = numerics_core(&src.model.numerics);
    let pairs: [(&'static str, u64, u64); 12] = [
        ("SLOTS", want.slots, core.slots),
        ("V_BITS", want.v_bits.into(), core.v_bits.into()),
        ("I_BITS", want.i_bits.into(), core.i_bits.into()),
        ("COEF_BITS", want.coef_bits.into(), core.coef_bits.into()),
        ("COEF_FRAC", want.coef_frac.into(), core.coef_frac.into()),
        ("REF_BITS", want.ref_bits.into(), core.ref_bits.into()),
        ("ACC_BITS", want.acc_bits.into(), core.acc_bits.into()),
        ("W_BITS", want.w_bits.into(), core.w_bits.into()),
        ("W_SHIFT", want.w_shift.into(), core.w_shift.into()),
        ("TABLE_LEN", want.table_len.into(), core.table_len.into()),
        ("TRACE_BITS", want.trace_bits.into(), core.trace_bits.into()),
        ("TRACE_FRAC", want.trace_frac.into(), core.trace_frac.into()),
    ];
    for (field, model, core) in pairs {
        // a delay ring with fewer slots than the delays (delay groups: the
        // rows carry each delay within its group) is the one allowed
        // difference; a delay that does not fit the ring's field is an
        // error of the image writer
        let groups = field == "SLOTS" && (2..model).contains(&core);
        if model != core && !groups {
            return Err(ShapeError::Numerics { field, model, core });
        }
    }
    Ok(())
}

/// Whether `core` holds the whole network of `src` (a single core).
fn check_holds(src: &NetModel, core: &CoreParams) -> Result<(), ShapeError> {
    let m = &src.model;
    let need = [
        ("neurons", core.n_neurons, u64::from(m.neurons)),
        ("populations", core.n_pops, m.pops.len() as u64),
        ("synapses", core.syn_depth, src.syn.len()),
    ];
    for (what, cap, need) in need {
        if need > cap {
            return Err(ShapeError::TooSmall { what, cap, need });
        }
    }
    if src.plastic() {
        if !core.plastic {
            return Err(ShapeError::NotPlastic);
        }
        let rules = m.stdp.len() as u64;
        if rules > core.n_rules {
            return Err(ShapeError::TooSmall {
                what: "STDP rules",
                cap: core.n_rules,
                need: rules,
            });
        }
        let inc = src.syn.incoming.syn.len() as u64;
        if inc > core.inc_depth {
            return Err(ShapeError::TooSmall {
                what: "plastic synapses (incoming-list words)",
                cap: core.inc_depth,
                need: inc,
            });
        }
    }
    Ok(())
}

/// Appends one word (or, when `words` is 0, the single zero word).
fn pad_empty(text: &mut String, words: u64) -> u64 {
    if words == 0 {
        text.push_str("0\n");
        1
    } else {
        words
    }
}

/// The state words of neurons `lo..hi`.
fn state_text(src: &NetModel, l: &Layout, lo: u32, hi: u32) -> Result<String, ImageError> {
    let mut s = String::new();
    for (k, st) in src.init[lo as usize..hi as usize].iter().enumerate() {
        s.push_str(&l.word(
            "state",
            k as u64,
            &[
                i64::from(st.v),
                i64::from(st.i_ex),
                i64::from(st.i_in),
                i64::from(st.refr),
            ],
        )?);
    }
    Ok(s)
}

/// The population ids of neurons `lo..hi`.
fn pop_text(src: &NetModel, l: &Layout, lo: u32, hi: u32) -> Result<String, ImageError> {
    let mut s = String::new();
    for (k, n) in (lo..hi).enumerate() {
        s.push_str(&l.word("pop", k as u64, &[src.model.pop_of(n) as i64])?);
    }
    Ok(s)
}

/// The parameter and Poisson-table words of every population (zeros and
/// `w_bg = 0` without background).
fn param_cdf_text(
    src: &NetModel,
    lp: &Layout,
    lc: &Layout,
    table: u32,
) -> Result<(String, String), ImageError> {
    let (mut param, mut cdf) = (String::new(), String::new());
    for (pi, p) in src.model.pops.iter().enumerate() {
        param.push_str(&lp.word(
            "param",
            pi as u64,
            &[
                p.p22,
                p.p21_ex,
                p.p21_in,
                p.p11_ex,
                p.p11_in,
                p.dc_term,
                p.theta,
                p.v_reset,
                p.ref_steps as i64,
                p.poisson.as_ref().map_or(0, |b| b.weight),
            ],
        )?);
        let entries: Vec<i64> = (0..table as usize)
            .map(|k| {
                p.poisson
                    .as_ref()
                    .map_or(0, |b| b.cdf.get(k).copied().unwrap_or(0)) as i64
            })
            .collect();
        cdf.push_str(&lc.word("cdf", pi as u64, &entries)?);
    }
    Ok((param, cdf))
}

/// The STDP rule table (one word per projection; zeros for a static one).
fn stdp_text(src: &NetModel, l: &Layout) -> Result<(String, u64), ImageError> {
    let mut s = String::new();
    for (ri, r) in src.model.stdp.iter().enumerate() {
        let v = r
            .as_ref()
            .map_or([0; 4], |p| [p.a_plus, p.a_minus, p.w_min, p.w_max]);
        s.push_str(&l.word("stdp", ri as u64, &v)?);
    }
    let words = pad_empty(&mut s, src.model.stdp.len() as u64);
    Ok((s, words))
}

/// The rule id of each synapse in `syns` (global synapse indices).
fn rule_text(src: &NetModel, l: &Layout, syns: &[u64]) -> Result<(String, u64), ImageError> {
    let mut s = String::new();
    for (a, &g) in syns.iter().enumerate() {
        let r = src.syn.rule.get(g as usize).copied().unwrap_or(0);
        s.push_str(&l.word("rule", a as u64, &[i64::from(r)])?);
    }
    let words = pad_empty(&mut s, syns.len() as u64);
    Ok((s, words))
}

/// The incoming lists of neurons `lo..hi`: `inc_row` words per neuron
/// (`{start, end}` into this core's list) and `inc` words (`syn`: the
/// local synapse address `addr[global synapse]`, `src`: the global source).
fn incoming_text(
    src: &NetModel,
    core: &CoreParams,
    lo: u32,
    hi: u32,
    addr: &dyn Fn(u64) -> u64,
) -> Result<(String, String, u64), ImageError> {
    let (l_irow, l_inc) = (
        layout::core(Mem::IncRow, core),
        layout::core(Mem::Inc, core),
    );
    let inc = &src.syn.incoming;
    let (mut irow, mut incs) = (String::new(), String::new());
    let mut ptr = 0u64;
    for t in lo..hi {
        let (a, b) = if inc.start.is_empty() {
            (0, 0)
        } else {
            (inc.start[t as usize], inc.start[t as usize + 1])
        };
        let start = ptr;
        for k in a..b {
            let w = l_inc.word(
                "inc",
                ptr,
                &[
                    addr(inc.syn[k as usize]) as i64,
                    i64::from(inc.src[k as usize]),
                ],
            )?;
            incs.push_str(&w);
            ptr += 1;
        }
        irow.push_str(&l_irow.word("inc_row", u64::from(t - lo), &[start as i64, ptr as i64])?);
    }
    let words = pad_empty(&mut incs, ptr);
    let _ = words;
    Ok((irow, incs, ptr))
}

fn image(mem: Mem, core: &CoreParams, words: u64, layout: Layout, text: String) -> Image {
    Image {
        mem,
        depth: layout::depth(mem, core),
        words,
        layout,
        text,
    }
}

/// The initial values of a core holding `n_active` neurons of `src`.
fn init_of(src: &NetModel, core: &CoreParams, n_active: u64, base: u32) -> CoreInit {
    let m = &src.model;
    let (p_plus, p_minus) = match (&m.traces, core.plastic) {
        (Some(t), true) => (t.p_plus as u64, t.p_minus as u64),
        _ => (0, 0),
    };
    CoreInit {
        n_active,
        p_plus,
        p_minus,
        bg_key: rng::key(m.seed, Stream::Background, 0),
        base: base.into(),
        ext_base: 0,
    }
}

/// The images and initial values of a single core with parameters `core`
/// holding the whole network of `src`.
pub fn core_images(src: &NetModel, core: &CoreParams) -> Result<CoreImages, CoreImageError> {
    check_holds(src, core)?;
    check_numerics(src, core)?;
    let m = &src.model;
    let n = m.neurons;
    let total = src.syn.len();
    let l = |mem| layout::core(mem, core);
    let state = state_text(src, &l(Mem::State), 0, n)?;
    let pop = pop_text(src, &l(Mem::Pop), 0, n)?;
    let (param, cdf) = param_cdf_text(src, &l(Mem::Param), &l(Mem::Cdf), core.table_len)?;
    let nn = u64::from(n);
    let pops = m.pops.len() as u64;
    let mut images = vec![
        image(Mem::State, core, nn, l(Mem::State), state),
        image(Mem::Pop, core, nn, l(Mem::Pop), pop),
        image(Mem::Param, core, pops, l(Mem::Param), param),
        image(Mem::Cdf, core, pops, l(Mem::Cdf), cdf),
    ];
    let l_row = l(Mem::Row);
    let mut ext = None;
    if core.ext.is_some() {
        // the rows in external memory, {beats, last, start_beat} on chip
        let region = ext_region(
            core,
            (0..n).map(|j| {
                src.syn.row(j).map(|s| {
                    let k = src.syn.key[s];
                    [
                        i64::from(key_target(k)),
                        i64::from(key_delay(k)),
                        i64::from(src.syn.weight[s]),
                    ]
                })
            }),
        )?;
        if !core.row_ext() {
            let row = ext_row_text(&l_row, &region.rows)?;
            images.push(image(Mem::Row, core, nn, l_row, row));
        }
        ext = Some(ExtImage {
            place: ExtPlace {
                channel: 0,
                offset: 0,
                base: 0,
            },
            region,
        });
    } else {
        // synapses {target, delay, weight} and rows {start, end}, the matrix's order
        let l_syn = l(Mem::Syn);
        let mut syn = String::with_capacity(total as usize * 8);
        let mut row = String::new();
        for j in 0..n {
            let r = src.syn.row(j);
            row.push_str(&l_row.word("row", u64::from(j), &[r.start as i64, r.end as i64])?);
            for s in r {
                let k = src.syn.key[s];
                syn.push_str(&l_syn.word(
                    "syn",
                    s as u64,
                    &[
                        i64::from(key_target(k)),
                        i64::from(key_delay(k)),
                        i64::from(src.syn.weight[s]),
                    ],
                )?);
            }
        }
        let syn_words = pad_empty(&mut syn, total);
        images.push(image(Mem::Syn, core, syn_words, l_syn, syn));
        images.push(image(Mem::Row, core, nn, l_row, row));
    }
    let plastic_synapses = src.syn.incoming.syn.len() as u64;
    if core.plastic {
        let all: Vec<u64> = (0..total).collect();
        let (rule, rule_words) = rule_text(src, &l(Mem::Rule), &all)?;
        let (stdp, stdp_words) = stdp_text(src, &l(Mem::Stdp))?;
        let (irow, inc, ptr) = incoming_text(src, core, 0, n, &|s| s)?;
        images.push(image(Mem::Rule, core, rule_words, l(Mem::Rule), rule));
        images.push(image(Mem::Stdp, core, stdp_words, l(Mem::Stdp), stdp));
        images.push(image(Mem::IncRow, core, nn, l(Mem::IncRow), irow));
        images.push(image(Mem::Inc, core, ptr.max(1), l(Mem::Inc), inc));
    }
    Ok(CoreImages {
        core: *core,
        init: init_of(src, core, nn, 0),
        images,
        synapses: total,
        plastic_synapses,
        ext,
    })
}

/// The row image of an external-store core: `{beats, last, start_beat}`
/// per row.
fn ext_row_text(l: &Layout, rows: &[ExtRow]) -> Result<String, ImageError> {
    let mut s = String::with_capacity(rows.len() * 8);
    for (j, r) in rows.iter().enumerate() {
        s.push_str(&l.word(
            "row",
            j as u64,
            &[r.start_beat as i64, r.last as i64, r.beats as i64],
        )?);
    }
    Ok(s)
}

/// One core's neuron range `[lo, hi)`.
pub type Range = (u32, u32);

/// The core of every neuron, for contiguous `ranges`.
fn core_of(src: &NetModel, ranges: &[Range]) -> Vec<usize> {
    let mut core_of = vec![usize::MAX; src.neurons() as usize];
    for (c, &(lo, hi)) in ranges.iter().enumerate() {
        core_of[lo as usize..hi as usize].fill(c);
    }
    core_of
}

/// Per core, the global synapse index of each local synapse address: for
/// every global source in order, its synapses onto the core's neurons in
/// the matrix's row order (the order of the mesh images).
pub fn local_synapses(src: &NetModel, ranges: &[Range]) -> Vec<Vec<u64>> {
    let mut out = vec![Vec::new(); ranges.len()];
    let core_of = core_of(src, ranges);
    for j in 0..src.neurons() {
        for s in src.syn.row(j) {
            let c = core_of[key_target(src.syn.key[s]) as usize];
            if c != usize::MAX {
                out[c].push(s as u64);
            }
        }
    }
    out
}

/// How a mesh core's delay ring and rows divide the delays
/// (docs/hardware.md, "Delay groups"): `groups` delay groups of `steps`
/// steps each (`steps = SLOTS - 1`); group `g`'s rows start at row `g *
/// source_rows`. One group: the rows are the sources, the delays as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayGroups {
    /// `DELAY_GROUPS`; >= 1.
    pub groups: u32,
    /// Steps per group, `SLOTS - 1`.
    pub steps: u32,
    /// Rows per group (`ROWS` of the mesh, the core's row memory over
    /// `groups`).
    pub source_rows: u64,
}

impl DelayGroups {
    /// The groups of a mesh core `core` whose row memory holds `groups`
    /// groups.
    pub fn of(core: &CoreParams, groups: u32) -> DelayGroups {
        DelayGroups {
            groups: groups.max(1),
            steps: (core.slots.max(2) - 1) as u32,
            source_rows: core.rows / u64::from(groups.max(1)),
        }
    }

    /// The group of a delay `d >= 1` and the delay within it (`1 ..=
    /// steps`).
    pub fn split(&self, d: u32) -> (u32, u32) {
        if self.groups == 1 {
            return (0, d);
        }
        let g = (d.max(1) - 1) / self.steps;
        (g, d - g * self.steps)
    }
}

/// The lanes each core's rows take in its external region of geometry `g`
/// (every global source's synapses onto the core's neurons, each delay
/// group's apart, padded to whole beats), for contiguous `ranges`.
pub fn ext_lanes_per_core(
    src: &NetModel,
    ranges: &[Range],
    g: &ExtGeometry,
    dg: &DelayGroups,
) -> Vec<u64> {
    let core_of = core_of(src, ranges);
    let k = ranges.len();
    let groups = dg.groups as usize;
    let (mut lanes, mut count) = (vec![0u64; k], vec![0u64; k * groups]);
    for j in 0..src.neurons() {
        count.fill(0);
        for s in src.syn.row(j) {
            let key = src.syn.key[s];
            let c = core_of[key_target(key) as usize];
            if c != usize::MAX {
                let (grp, _) = dg.split(key_delay(key));
                count[c * groups + grp as usize] += 1;
            }
        }
        for c in 0..k {
            for grp in 0..groups {
                lanes[c] += g.row_lanes(count[c * groups + grp]);
            }
        }
    }
    lanes
}

/// Plastic synapses onto each core's neurons (its incoming-list words).
pub fn plastic_per_core(src: &NetModel, ranges: &[Range]) -> Vec<u64> {
    let inc = &src.syn.incoming;
    ranges
        .iter()
        .map(|&(lo, hi)| {
            if inc.start.is_empty() {
                0
            } else {
                inc.start[hi as usize] - inc.start[lo as usize]
            }
        })
        .collect()
}

/// The images of the mesh cores (parameters `core`, a mesh core's, with
/// the delay groups `dg`) holding the contiguous, non-empty `ranges` of
/// `src` on `mesh`, in core order. With one group the rows are the
/// network's sources in order; with more, group `g`'s rows are rows `g *
/// source_rows ..` (every source row, empty where the network has no such
/// neuron), each holding the synapses of its group with their delay within
/// it. The caller has checked every capacity; an error names the core
/// whose value does not fit its field.
pub fn mesh_core_images(
    src: &NetModel,
    core: &CoreParams,
    dg: &DelayGroups,
    mesh: &Mesh,
    ranges: &[Range],
) -> Result<Vec<CoreImages>, (usize, CoreImageError)> {
    let k = ranges.len();
    let n = src.neurons();
    let l = |mem| layout::core(mem, core);
    let (l_syn, l_row) = (l(Mem::Syn), l(Mem::Row));
    let l_route = layout::of(Mem::Route, core, Some(mesh)).unwrap_or_default();
    let (param, cdf) = param_cdf_text(src, &l(Mem::Param), &l(Mem::Cdf), core.table_len)
        .map_err(|e| (0, e.into()))?;
    let core_of = core_of(src, ranges);
    let geometry = ExtGeometry::of(core);
    // on chip: the syn and row image texts; external: the packed synapse
    // words and the row sizes of each core
    let mut syn_text = vec![String::new(); k];
    let mut row_text = vec![String::new(); k];
    let mut ext_words: Vec<Vec<u64>> = vec![Vec::new(); k];
    let mut ext_sizes: Vec<Vec<u64>> = vec![Vec::new(); k];
    let mut ptr = vec![0u64; k];
    let mut masks: Vec<[u64; MAX_CORES / 64]> = vec![[0; MAX_CORES / 64]; n as usize];
    let mut start = vec![0u64; k];
    // rows per group: the network's sources (one group), or every source
    // row of the core (groups: row g * source_rows + j)
    let group_rows = if dg.groups == 1 {
        u64::from(n)
    } else {
        dg.source_rows
    };
    let rows_total = group_rows * u64::from(dg.groups);
    for (grp, j) in (0..dg.groups).flat_map(|g| (0..group_rows).map(move |j| (g, j))) {
        start.copy_from_slice(&ptr);
        let row_id = u64::from(grp) * group_rows + j;
        let synapses = if j < u64::from(n) {
            src.syn.row(j as u32)
        } else {
            0..0
        };
        for s in synapses {
            let key = src.syn.key[s];
            let (g_of, delay) = dg.split(key_delay(key));
            if g_of != grp {
                continue;
            }
            let t = key_target(key);
            let c = core_of[t as usize];
            let mask = &mut masks[j as usize];
            mask[c / 64] |= 1 << (c % 64);
            let values = [
                i64::from(t - ranges[c].0),
                i64::from(delay),
                i64::from(src.syn.weight[s]),
            ];
            if geometry.is_some() {
                let w = l_syn
                    .pack_u64("syn_ext", ptr[c], &values)
                    .map_err(|e| (c, e.into()))?;
                ext_words[c].push(w);
            } else {
                let word = l_syn
                    .word("syn", ptr[c], &values)
                    .map_err(|e| (c, e.into()))?;
                syn_text[c].push_str(&word);
            }
            ptr[c] += 1;
        }
        for c in 0..k {
            if geometry.is_some() {
                ext_sizes[c].push(ptr[c] - start[c]);
                continue;
            }
            let word = l_row
                .word("row", row_id, &[start[c] as i64, ptr[c] as i64])
                .map_err(|e| (c, e.into()))?;
            row_text[c].push_str(&word);
        }
    }
    let local = if core.plastic {
        local_synapses(src, ranges)
    } else {
        Vec::new()
    };
    // global synapse -> local address in its (target's) core
    let mut addr = Vec::new();
    if core.plastic {
        addr = vec![0u64; src.syn.len() as usize];
        for l in &local {
            for (a, &s) in l.iter().enumerate() {
                addr[s as usize] = a as u64;
            }
        }
    }
    let mut out = Vec::with_capacity(k);
    for (c, &(lo, hi)) in ranges.iter().enumerate() {
        let err = |e: ImageError| (c, CoreImageError::from(e));
        let nn = u64::from(hi - lo);
        let mut route = String::new();
        for (i, mask) in masks[lo as usize..hi as usize].iter().enumerate() {
            let values: Vec<i64> = (0..mesh.rows())
                .map(|r| {
                    (0..mesh.cols()).fold(0i64, |acc, col| {
                        let b = (r * mesh.cols() + col) as usize;
                        acc | (i64::from((mask[b / 64] >> (b % 64)) & 1 == 1) << col)
                    })
                })
                .collect();
            route.push_str(&l_route.word("route", i as u64, &values).map_err(err)?);
        }
        let mut syn = std::mem::take(&mut syn_text[c]);
        let syn_words = pad_empty(&mut syn, ptr[c]);
        let pops = src.model.pops.len() as u64;
        let mut images = vec![
            image(
                Mem::State,
                core,
                nn,
                l(Mem::State),
                state_text(src, &l(Mem::State), lo, hi).map_err(err)?,
            ),
            image(
                Mem::Pop,
                core,
                nn,
                l(Mem::Pop),
                pop_text(src, &l(Mem::Pop), lo, hi).map_err(err)?,
            ),
            image(Mem::Param, core, pops, l(Mem::Param), param.clone()),
            image(Mem::Cdf, core, pops, l(Mem::Cdf), cdf.clone()),
        ];
        let mut ext = None;
        if let Some(g) = geometry {
            let need = g.lanes_of(ext_sizes[c].iter().copied());
            if need > core.syn_depth {
                return Err((
                    c,
                    ShapeError::TooSmall {
                        what: "synapse lanes (rows padded to whole beats)",
                        cap: core.syn_depth,
                        need,
                    }
                    .into(),
                ));
            }
            if let Some(e) = index_room(g, core, ext_sizes[c].len()) {
                return Err((c, e.into()));
            }
            let region = lay_out(g, &ext_sizes[c], &ext_words[c]);
            ext_words[c] = Vec::new();
            if !core.row_ext() {
                let row = ext_row_text(&l_row, &region.rows).map_err(err)?;
                images.push(image(Mem::Row, core, rows_total, l_row.clone(), row));
            }
            ext = Some(ExtImage {
                place: ExtPlace {
                    channel: 0,
                    offset: 0,
                    base: 0,
                },
                region,
            });
        } else {
            images.push(image(Mem::Syn, core, syn_words, l_syn.clone(), syn));
            images.push(image(
                Mem::Row,
                core,
                rows_total,
                l_row.clone(),
                std::mem::take(&mut row_text[c]),
            ));
        }
        let mut plastic_synapses = 0;
        if core.plastic {
            let (rule, rule_words) = rule_text(src, &l(Mem::Rule), &local[c]).map_err(err)?;
            let (stdp, stdp_words) = stdp_text(src, &l(Mem::Stdp)).map_err(err)?;
            let (irow, inc, p) =
                incoming_text(src, core, lo, hi, &|s| addr[s as usize]).map_err(err)?;
            images.push(image(Mem::Rule, core, rule_words, l(Mem::Rule), rule));
            images.push(image(Mem::Stdp, core, stdp_words, l(Mem::Stdp), stdp));
            images.push(image(Mem::IncRow, core, nn, l(Mem::IncRow), irow));
            images.push(image(Mem::Inc, core, p.max(1), l(Mem::Inc), inc));
            plastic_synapses = p;
        }
        images.push(image(Mem::Route, core, nn, l_route.clone(), route));
        out.push(CoreImages {
            core: *core,
            init: init_of(src, core, nn, lo),
            images,
            synapses: ptr[c],
            plastic_synapses,
            ext,
        });
    }
    Ok(out)
}

/// One beat of the load port (`ld_*`, docs/hardware.md): 32 data bits; the
/// beat with `last` writes the staged word to memory `mem` at `addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    pub mem: u8,
    pub addr: u32,
    pub last: bool,
    pub data: u32,
}

/// The load-port beats that configure a core with `img`, the way a host
/// configures a board: every image word in image order (words wider than 32
/// bits most significant chunk first; a Poisson table one 32-bit entry per
/// word at address `pop * 256 + entry`), then the configuration registers
/// ([`CoreInit::registers`]: `base` on a mesh core, `ext_base_lo/hi` on an
/// external-store core). An external-store core has no `syn` image: its
/// synapse region ([`CoreImages::ext`]) is written into external memory by
/// the host, not through the load port.
pub fn load_beats(img: &CoreImages) -> Vec<Beat> {
    let mut beats = Vec::new();
    for im in &img.images {
        let mem = im.mem.load_id();
        let w = im.width() as usize;
        for (a, line) in im.text.lines().enumerate() {
            // the word's bits from its hex digits (the writer's own text)
            let digits: Vec<u32> = line
                .trim()
                .chars()
                .rev()
                .map(|c| c.to_digit(16).unwrap_or(0))
                .collect();
            let bit = |b: usize| digits.get(b / 4).is_some_and(|d| (d >> (b % 4)) & 1 == 1);
            let chunk =
                |c: usize| (0..32).fold(0u32, |acc, b| acc | (u32::from(bit(32 * c + b)) << b));
            if im.mem == Mem::Cdf {
                for k in 0..w / 32 {
                    beats.push(Beat {
                        mem,
                        addr: (a * 256 + k) as u32,
                        last: true,
                        data: chunk(k),
                    });
                }
                continue;
            }
            let n = w.div_ceil(32).max(1);
            for c in (0..n).rev() {
                beats.push(Beat {
                    mem,
                    addr: a as u32,
                    last: c == 0,
                    data: chunk(c),
                });
            }
        }
    }
    for (reg, data) in img.init.registers(img.core.mesh, img.core.ext.is_some()) {
        beats.push(Beat {
            mem: Mem::Cfg.load_id(),
            addr: reg.addr(),
            last: true,
            data,
        });
    }
    beats
}

/// The load-port beats that write an external-store core's synapse region
/// into external memory through a board core (memory id
/// [`spikefab_hdl::core::EXT_LOAD_ID`], `snn_ext_write`): one image word
/// per AXI beat of the core's port, its 32-bit words least significant
/// first, each with the beat's index (byte address / beat bytes) as its
/// address; the region's last beat may be short. Empty for an on-chip core.
/// `Err` when a beat's index does not fit 32 bits.
pub fn ext_load_beats(img: &CoreImages) -> Result<Vec<Beat>, CoreImageError> {
    let Some(x) = img.ext.as_ref() else {
        return Ok(Vec::new());
    };
    let beat_bytes = u64::from(img.core.axi().data_w / 8);
    let base = x.place.base;
    let bytes = &x.region.bytes;
    let mut beats = Vec::with_capacity(bytes.len().div_ceil(4));
    for (k, chunk) in bytes.chunks(beat_bytes as usize).enumerate() {
        let index = (base + k as u64 * beat_bytes) / beat_bytes;
        let addr = u32::try_from(index).map_err(|_| ShapeError::TooSmall {
            what: "external memory beats addressable by the load port (32-bit beat index)",
            cap: 1 << 32,
            need: index + 1,
        })?;
        let words = chunk.len().div_ceil(4);
        for (j, w) in chunk.chunks(4).enumerate() {
            let mut le = [0u8; 4];
            le[..w.len()].copy_from_slice(w);
            beats.push(Beat {
                mem: spikefab_hdl::core::EXT_LOAD_ID,
                addr,
                last: j + 1 == words,
                data: u32::from_le_bytes(le),
            });
        }
    }
    Ok(beats)
}

/// The configuration register a beat writes, if any.
pub fn cfg_register(b: &Beat) -> Option<CfgReg> {
    if b.mem != Mem::Cfg.load_id() {
        return None;
    }
    [
        CfgReg::NActive,
        CfgReg::PPlus,
        CfgReg::PMinus,
        CfgReg::BgKeyLo,
        CfgReg::BgKeyHi,
        CfgReg::Base,
        CfgReg::ExtBaseLo,
        CfgReg::ExtBaseHi,
    ]
    .into_iter()
    .find(|r| r.addr() == b.addr)
}
