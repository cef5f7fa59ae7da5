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
    fn push(&mut self, name: impl Into<String>, bits: u32, signed: bool) -> &mut Self {
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
    fn word(&self, image: &'static str, word: u64, values: &[i64]) -> Result<String, ImageError> {
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
    /// state, pop, param, cdf, syn, row.
    pub images: Vec<Image>,
    /// Synapses of the network.
    pub synapses: u64,
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

/// The images and parameters of `snn_lif_core` for `e` (its model, synapses
/// and current state, normally the initial state of step 0), with a synapse
/// memory of `syn_depth` words (`None`: the network's synapse count, at
/// least 1). `syn_depth` sets `PTR_W = clog2(syn_depth + 1)` of the row
/// words. The caller checks that the network is static and fits.
pub fn core_images(e: &Engine, syn_depth: Option<u64>) -> Result<CoreImages, ImageError> {
    let m = &e.model;
    let nc = m.numerics;
    let n = m.neurons;
    let n_pops = m.pops.len() as u64;
    let slots = nc.delay_slots();
    let slot_w = clog2(slots as u64);
    let tgt_w = if n > 1 { clog2(n as u64) } else { 1 };
    let pop_w = if n_pops > 1 { clog2(n_pops) } else { 1 };
    let table = nc.poisson_table_len;
    let total = e.syn.len();
    let syn_depth = syn_depth.unwrap_or(total).max(1);
    let ptr_w = clog2(syn_depth + 1);

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
        .push("target", tgt_w, false)
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
    let params = vec![
        ("N_NEURONS", n as i64),
        ("N_POPS", n_pops as i64),
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
    ];
    let img = |name, param, depth, words, layout, text| Image {
        name,
        param,
        depth,
        words,
        layout,
        text,
    };
    Ok(CoreImages {
        params,
        images: vec![
            img(
                "state",
                "STATE_MEM_FILE",
                n as u64,
                n as u64,
                l_state,
                state,
            ),
            img("pop", "POP_MEM_FILE", n as u64, n as u64, l_pop, pop),
            img("param", "PARAM_MEM_FILE", n_pops, n_pops, l_param, param),
            img("cdf", "CDF_MEM_FILE", n_pops, n_pops, l_cdf, cdf),
            img("syn", "SYN_MEM_FILE", syn_depth, syn_words, l_syn, syn),
            img("row", "ROW_MEM_FILE", n as u64, n as u64, l_row, row),
        ],
        synapses: total,
    })
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
