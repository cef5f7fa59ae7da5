//! The `$readmemh` memory images of `hdl/snn_lif_core.v` (single core, static
//! networks), written from an [`Engine`] in exactly the formats the core
//! reads (docs/hdl-leaf-modules.md, `snn_lif_core`, "Memory images"):
//!
//! | image | words x bits | word (least significant field first) |
//! |---|---|---|
//! | state | `N_NEURONS` x `V_BITS + 2 I_BITS + REF_BITS` | `v`, `i_ex`, `i_in`, `refr` |
//! | pop | `N_NEURONS` x `max(1, clog2(N_POPS))` | population index |
//! | param | `N_POPS` x `5 COEF_BITS + (V_BITS + COEF_FRAC) + 2 V_BITS + REF_BITS + W_BITS` | `p22`, `p21_ex`, `p21_in`, `p11_ex`, `p11_in`, `dc_term`, `theta`, `v_reset`, `ref_steps`, `w_bg` |
//! | cdf | `N_POPS` x `32 TABLE_LEN` | entry `k` in bits `32k+31 : 32k` |
//! | syn | synapses x `W_BITS + SLOT_W + TGT_W` | `target`, `delay`, `weight` |
//! | row | `N_NEURONS` x `2 PTR_W` | `start`, `end` |
//! | rule (plastic) | synapses x `clog2(N_RULES + 1)` | rule id: 0 static, else 1 + projection index |
//! | stdp (plastic) | `N_RULES` x `4 W_BITS` | `a_plus`, `a_minus`, `w_min`, `w_max` |
//! | inc_row (plastic) | `N_NEURONS` x `2 IPTR_W` | `start`, `end` of the neuron's incoming plastic synapses |
//! | inc (plastic) | plastic synapses x `SYN_AW + NRN_W` | `syn` (synapse address), `src` |
//!
//! `IPTR_W = clog2(INC_DEPTH + 1)`, `SYN_AW = max(1, clog2(SYN_DEPTH))`,
//! `NRN_W = max(1, clog2(N_NEURONS))`. The core's STDP traces start at zero
//! and have no image.
//!
//! The memories are sized by a [`CoreShape`] (the hardware config's
//! capacities, or the network's own size), so that one core built for a
//! config can run any network that fits it: the network enters through the
//! images, the initial values `N_ACTIVE`, `P_PLUS`, `P_MINUS`, and the
//! background key, which the load port ([`load_beats`]) can also write at
//! run time, the way a board is configured.
//!
//! The same writer feeds the RTL test of the core
//! (`hdltest/tests/snn_lif_core.rs`), which proves these images bit-exact
//! against the reference engine, and the generator ([`crate::generate`]).
//! The texts returned here carry no header line; the generator prepends one
//! (`$readmemh` accepts `//` comments).

use serde::Serialize;
use spikefab_sim::connect::{key_delay, key_target};
use spikefab_sim::engine::Engine;
use spikefab_sim::numerics::{smax, smin, umax};
use spikefab_sim::rng::{self, Stream};

/// Smallest `b` with `2^b >= x` (Verilog's `$clog2`).
pub fn clog2(x: u64) -> u32 {
    let mut b = 0;
    while b < 64 && (1u64 << b) < x {
        b += 1;
    }
    b
}

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
    pub(crate) fn push(&mut self, name: impl Into<String>, bits: u32, signed: bool) -> &mut Self {
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

    /// The `$readmemh` line of one word (hex digits, most significant
    /// first, `ceil(width / 4)` of them) from the field values in layout
    /// order.
    pub(crate) fn word(
        &self,
        image: &'static str,
        word: u64,
        values: &[i64],
    ) -> Result<String, ImageError> {
        debug_assert_eq!(values.len(), self.fields.len());
        let mut bits: Vec<bool> = Vec::with_capacity(self.width() as usize);
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

/// One memory image.
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    /// Short name (`state`, `pop`, `param`, `cdf`, `syn`, `row`).
    pub name: &'static str,
    /// The core's file-name parameter (`STATE_MEM_FILE`, ...).
    pub param: &'static str,
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
    /// Word width in bits.
    pub fn width(&self) -> u32 {
        self.layout.width()
    }
}

/// The parameters and memory images of one `snn_lif_core`.
#[derive(Debug, Clone)]
pub struct CoreImages {
    /// The core's integer parameters, in declaration order.
    pub params: Vec<(&'static str, i64)>,
    /// The core's `BG_KEY` parameter (64 bits; not in `params`, which are
    /// `i64`): `rng::key(seed, Background, 0)`.
    pub bg_key: u64,
    /// state, pop, param, cdf, syn, row (and rule, stdp, inc_row, inc for a
    /// plastic core).
    pub images: Vec<Image>,
    /// Synapses of the network.
    pub synapses: u64,
    /// Plastic synapses of the network (incoming-list entries).
    pub plastic_synapses: u64,
}

impl CoreImages {
    /// `NAME=value ...` of the integer parameters.
    pub fn desc(&self) -> String {
        self.params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The value of integer parameter `name`.
    pub fn param(&self, name: &str) -> Option<i64> {
        self.params.iter().find(|(k, _)| *k == name).map(|p| p.1)
    }

    /// The image called `name`.
    pub fn image(&self, name: &str) -> Option<&Image> {
        self.images.iter().find(|i| i.name == name)
    }
}

/// The memory sizes of one core (the parameters that size its memories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreShape {
    /// `N_NEURONS`: neuron capacity (state, population, row memories).
    pub neurons: u64,
    /// `N_POPS`: population table entries.
    pub pops: u64,
    /// `SYN_DEPTH`: synapse memory words.
    pub syn_depth: u64,
    /// `PLASTIC`: build the STDP machinery.
    pub plastic: bool,
    /// `N_RULES`: STDP rule table entries.
    pub rules: u64,
    /// `INC_DEPTH`: incoming-list words.
    pub inc_depth: u64,
}

/// A shape that does not hold the network (the generator checks capacities
/// first and reports them by config field; this is the images' own guard).
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
}

/// Errors of [`core_images_for`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreImageError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

impl CoreShape {
    /// The smallest core for `e`'s network (plastic when it has plastic
    /// synapses), with a synapse memory of `syn_depth` words (`None`: the
    /// synapse count, at least 1).
    pub fn of_network(e: &Engine, syn_depth: Option<u64>) -> CoreShape {
        let plastic = !e.syn.rule.is_empty();
        CoreShape {
            neurons: e.model.neurons as u64,
            pops: e.model.pops.len() as u64,
            syn_depth: syn_depth.unwrap_or(e.syn.len()).max(1),
            plastic,
            rules: (e.model.stdp.len() as u64).max(1),
            inc_depth: (e.syn.incoming.syn.len() as u64).max(1),
        }
    }

    fn check(&self, e: &Engine) -> Result<(), ShapeError> {
        let need = [
            ("neurons", self.neurons, e.model.neurons as u64),
            ("populations", self.pops, e.model.pops.len() as u64),
            ("synapses", self.syn_depth, e.syn.len()),
        ];
        for (what, cap, need) in need {
            if need > cap {
                return Err(ShapeError::TooSmall { what, cap, need });
            }
        }
        if !e.syn.rule.is_empty() {
            if !self.plastic {
                return Err(ShapeError::NotPlastic);
            }
            let rules = e.model.stdp.len() as u64;
            if rules > self.rules {
                return Err(ShapeError::TooSmall {
                    what: "STDP rules",
                    cap: self.rules,
                    need: rules,
                });
            }
            let inc = e.syn.incoming.syn.len() as u64;
            if inc > self.inc_depth {
                return Err(ShapeError::TooSmall {
                    what: "plastic synapses (incoming-list words)",
                    cap: self.inc_depth,
                    need: inc,
                });
            }
        }
        Ok(())
    }
}

/// The images and parameters of `snn_lif_core` for `e` (its model, synapses
/// and current state, normally the initial state of step 0), with a synapse
/// memory of `syn_depth` words (`None`: the network's synapse count, at
/// least 1): a core of exactly the network's size ([`CoreShape::of_network`]).
pub fn core_images(e: &Engine, syn_depth: Option<u64>) -> Result<CoreImages, ImageError> {
    match core_images_for(e, &CoreShape::of_network(e, syn_depth)) {
        Ok(i) => Ok(i),
        Err(CoreImageError::Image(i)) => Err(i),
        Err(CoreImageError::Shape(s)) => unreachable!("the network's own shape holds it: {s}"),
    }
}

/// The images and parameters of `snn_lif_core` of shape `shape` for `e`.
pub fn core_images_for(e: &Engine, shape: &CoreShape) -> Result<CoreImages, CoreImageError> {
    shape.check(e)?;
    let m = &e.model;
    let nc = m.numerics;
    let n = m.neurons;
    let cap_n = shape.neurons;
    let n_pops = m.pops.len() as u64;
    let slots = nc.delay_slots();
    let slot_w = clog2(slots as u64);
    let nrn_w = if cap_n > 1 { clog2(cap_n) } else { 1 };
    let pop_w = if shape.pops > 1 { clog2(shape.pops) } else { 1 };
    let table = nc.poisson_table_len;
    let total = e.syn.len();
    let syn_depth = shape.syn_depth;
    let ptr_w = clog2(syn_depth + 1);
    let syn_aw = if syn_depth > 1 { clog2(syn_depth) } else { 1 };

    // state: {refr, i_in, i_ex, v}
    let mut l_state = Layout::default();
    l_state
        .push("v", nc.v_bits, true)
        .push("i_ex", nc.i_bits, true)
        .push("i_in", nc.i_bits, true)
        .push("refr", nc.ref_bits, false);
    let mut state = String::new();
    for (k, s) in e.state.iter().enumerate() {
        state.push_str(&l_state.word(
            "state",
            k as u64,
            &[s.v as i64, s.i_ex as i64, s.i_in as i64, s.refr as i64],
        )?);
    }
    // population id per neuron
    let mut l_pop = Layout::default();
    l_pop.push("pop", pop_w, false);
    let mut pop = String::new();
    for k in 0..n {
        pop.push_str(&l_pop.word("pop", k as u64, &[m.pop_of(k) as i64])?);
    }
    // parameters and the Poisson table per population (zeros and w_bg = 0
    // without background)
    let cb = nc.coef_bits;
    let mut l_param = Layout::default();
    l_param
        .push("p22", cb, false)
        .push("p21_ex", cb, false)
        .push("p21_in", cb, false)
        .push("p11_ex", cb, false)
        .push("p11_in", cb, false)
        .push("dc_term", nc.v_bits + nc.coef_frac, true)
        .push("theta", nc.v_bits, true)
        .push("v_reset", nc.v_bits, true)
        .push("ref_steps", nc.ref_bits, false)
        .push("w_bg", nc.w_bits, true);
    let mut l_cdf = Layout::default();
    for k in 0..table {
        l_cdf.push(format!("cdf[{k}]"), 32, false);
    }
    let mut param = String::new();
    let mut cdf = String::new();
    for (pi, p) in m.pops.iter().enumerate() {
        param.push_str(&l_param.word(
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
        cdf.push_str(&l_cdf.word("cdf", pi as u64, &entries)?);
    }
    // synapses {w, delay, target} and rows {end, start}, the engine's order
    let mut l_syn = Layout::default();
    l_syn
        .push("target", nrn_w, false)
        .push("delay", slot_w, false)
        .push("weight", nc.w_bits, true);
    let mut l_row = Layout::default();
    l_row.push("start", ptr_w, false).push("end", ptr_w, false);
    let mut syn = String::with_capacity(total as usize * 8);
    let mut row = String::new();
    for src in 0..n {
        let r = e.syn.row(src);
        row.push_str(&l_row.word("row", src as u64, &[r.start as i64, r.end as i64])?);
        for s in r {
            let k = e.syn.key[s];
            syn.push_str(&l_syn.word(
                "syn",
                s as u64,
                &[
                    key_target(k) as i64,
                    key_delay(k) as i64,
                    e.syn.weight[s] as i64,
                ],
            )?);
        }
    }
    let syn_words = if total == 0 {
        syn.push_str("0\n");
        1
    } else {
        total
    };
    let img = |name, param, depth, words, layout, text| Image {
        name,
        param,
        depth,
        words,
        layout,
        text,
    };
    let mut images = vec![
        img("state", "STATE_MEM_FILE", cap_n, n as u64, l_state, state),
        img("pop", "POP_MEM_FILE", cap_n, n as u64, l_pop, pop),
        img(
            "param",
            "PARAM_MEM_FILE",
            shape.pops,
            n_pops,
            l_param,
            param,
        ),
        img("cdf", "CDF_MEM_FILE", shape.pops, n_pops, l_cdf, cdf),
        img("syn", "SYN_MEM_FILE", syn_depth, syn_words, l_syn, syn),
        img("row", "ROW_MEM_FILE", cap_n, n as u64, l_row, row),
    ];
    let rules = shape.rules.max(1);
    let inc_depth = shape.inc_depth.max(1);
    let plastic_synapses = e.syn.incoming.syn.len() as u64;
    let (mut p_plus, mut p_minus) = (0i64, 0i64);
    if shape.plastic {
        let rule_w = clog2(rules + 1);
        let iptr_w = clog2(inc_depth + 1);
        let mut l_rule = Layout::default();
        l_rule.push("rule", rule_w, false);
        let mut rule = String::with_capacity(total as usize * 2);
        for s in 0..total as usize {
            let r = e.syn.rule.get(s).copied().unwrap_or(0);
            rule.push_str(&l_rule.word("rule", s as u64, &[r as i64])?);
        }
        if total == 0 {
            rule.push_str("0\n");
        }
        let mut l_stdp = Layout::default();
        l_stdp
            .push("a_plus", nc.w_bits, true)
            .push("a_minus", nc.w_bits, true)
            .push("w_min", nc.w_bits, true)
            .push("w_max", nc.w_bits, true);
        let mut stdp = String::new();
        for (ri, r) in m.stdp.iter().enumerate() {
            let v = r
                .as_ref()
                .map_or([0; 4], |p| [p.a_plus, p.a_minus, p.w_min, p.w_max]);
            stdp.push_str(&l_stdp.word("stdp", ri as u64, &v)?);
        }
        if m.stdp.is_empty() {
            stdp.push_str("0\n");
        }
        let mut l_irow = Layout::default();
        l_irow
            .push("start", iptr_w, false)
            .push("end", iptr_w, false);
        let mut l_inc = Layout::default();
        l_inc.push("syn", syn_aw, false).push("src", nrn_w, false);
        let inc = &e.syn.incoming;
        let mut irow = String::new();
        let mut incs = String::new();
        for t in 0..n as usize {
            let (a, b) = if inc.start.is_empty() {
                (0, 0)
            } else {
                (inc.start[t], inc.start[t + 1])
            };
            irow.push_str(&l_irow.word("inc_row", t as u64, &[a as i64, b as i64])?);
        }
        for (k, (&sy, &src)) in inc.syn.iter().zip(&inc.src).enumerate() {
            incs.push_str(&l_inc.word("inc", k as u64, &[sy as i64, src as i64])?);
        }
        if inc.syn.is_empty() {
            incs.push_str("0\n");
        }
        let n_stdp = (m.stdp.len() as u64).max(1);
        images.push(img(
            "rule",
            "RULE_MEM_FILE",
            syn_depth,
            syn_words,
            l_rule,
            rule,
        ));
        images.push(img("stdp", "STDP_MEM_FILE", rules, n_stdp, l_stdp, stdp));
        images.push(img(
            "inc_row",
            "INC_ROW_MEM_FILE",
            cap_n,
            n as u64,
            l_irow,
            irow,
        ));
        images.push(img(
            "inc",
            "INC_MEM_FILE",
            inc_depth,
            plastic_synapses.max(1),
            l_inc,
            incs,
        ));
        if let Some(t) = &m.traces {
            p_plus = t.p_plus;
            p_minus = t.p_minus;
        }
    }
    let params = vec![
        ("N_NEURONS", cap_n as i64),
        ("N_POPS", shape.pops as i64),
        ("SLOTS", slots as i64),
        ("V_BITS", nc.v_bits as i64),
        ("I_BITS", nc.i_bits as i64),
        ("COEF_BITS", nc.coef_bits as i64),
        ("COEF_FRAC", nc.coef_frac as i64),
        ("REF_BITS", nc.ref_bits as i64),
        ("ACC_BITS", nc.acc_bits as i64),
        ("W_BITS", nc.w_bits as i64),
        ("W_SHIFT", nc.w_shift as i64),
        ("TABLE_LEN", table as i64),
        ("SYN_DEPTH", syn_depth as i64),
        ("PLASTIC", shape.plastic as i64),
        ("TRACE_BITS", nc.trace_bits as i64),
        ("TRACE_FRAC", nc.trace_frac as i64),
        ("N_RULES", rules as i64),
        ("INC_DEPTH", inc_depth as i64),
        ("N_ACTIVE", n as i64),
        ("P_PLUS", p_plus),
        ("P_MINUS", p_minus),
    ];
    Ok(CoreImages {
        params,
        bg_key: rng::key(m.seed, Stream::Background, 0),
        images,
        synapses: total,
        plastic_synapses,
    })
}

/// One beat of the core's load port (`ld_*`, docs/hardware.md): 32 data
/// bits; the beat with `last` writes the staged word to memory `mem` at
/// `addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    pub mem: u8,
    pub addr: u32,
    pub last: bool,
    pub data: u32,
}

/// Load-port memory id of an image (`ld_mem_i`).
pub fn load_mem_id(image: &str) -> Option<u8> {
    Some(match image {
        "state" => 0,
        "pop" => 1,
        "param" => 2,
        "cdf" => 3,
        "syn" => 4,
        "row" => 5,
        "rule" => 6,
        "stdp" => 7,
        "inc_row" => 8,
        "inc" => 9,
        "trace" => 10,
        _ => return None,
    })
}

/// Load-port id of the configuration registers.
pub const LOAD_CFG: u8 = 15;

/// The load-port beats that configure a core with `img` (every image word,
/// then the configuration registers n_active, p_plus, p_minus and the
/// background key), the way a host configures a board. Words wider than 32
/// bits go most significant chunk first; a Poisson table is written one
/// 32-bit entry per word at address `pop * 256 + entry`.
pub fn load_beats(img: &CoreImages) -> Vec<Beat> {
    let mut beats = Vec::new();
    for im in &img.images {
        let mem = load_mem_id(im.name).expect("every image has a load id");
        let w = im.width() as usize;
        for (a, line) in im.text.lines().enumerate() {
            // the word's bits from its hex digits
            let digits: Vec<u32> = line
                .trim()
                .chars()
                .rev()
                .map(|c| c.to_digit(16).expect("hex image"))
                .collect();
            let bit = |b: usize| digits.get(b / 4).is_some_and(|d| (d >> (b % 4)) & 1 == 1);
            let chunk =
                |c: usize| (0..32).fold(0u32, |acc, b| acc | ((bit(32 * c + b) as u32) << b));
            if im.name == "cdf" {
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
    let n_active = img.param("N_ACTIVE").unwrap_or(1) as u32;
    let p_plus = img.param("P_PLUS").unwrap_or(0) as u32;
    let p_minus = img.param("P_MINUS").unwrap_or(0) as u32;
    for (addr, data) in [
        (0, n_active),
        (1, p_plus),
        (2, p_minus),
        (3, img.bg_key as u32),
        (4, (img.bg_key >> 32) as u32),
    ] {
        beats.push(Beat {
            mem: LOAD_CFG,
            addr,
            last: true,
            data,
        });
    }
    beats
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
    fn clog2_matches_verilog() {
        assert_eq!(clog2(0), 0);
        assert_eq!(clog2(1), 0);
        assert_eq!(clog2(2), 1);
        assert_eq!(clog2(3), 2);
        assert_eq!(clog2(1024), 10);
        assert_eq!(clog2(1025), 11);
    }
}
