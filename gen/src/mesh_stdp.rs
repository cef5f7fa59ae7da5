//! The STDP images of mesh cores (`snn_lif_core` with `MESH = 1` and
//! `PLASTIC = 1`), added to the static images of [`crate::mesh::mesh_images`].
//!
//! A core holds the synapses onto its own neurons (target-side storage), so
//! both plastic updates find their synapse locally: depression on delivery
//! reads the target's `y_post` (the core's own trace memory), and the post
//! pass walks the incoming list of each spiking local neuron. Its sources may
//! live on other cores; their `x_pre` comes from the core's presynaptic trace
//! memory, one entry per global source row, which the core updates every step
//! from the events it received (docs/hardware.md, "Mesh"). Hence the
//! incoming lists carry GLOBAL source ids.
//!
//! | image | depth | words | word (least significant field first) |
//! |---|---|---|---|
//! | rule | `SYN_DEPTH` | the core's synapses | rule id (0 static, else 1 + projection index), `clog2(N_RULES + 1)` bits |
//! | stdp | `N_RULES` | one per projection | `a_plus`, `a_minus`, `w_min`, `w_max` (`W_BITS` each, signed) |
//! | inc_row | `N_NEURONS` | the core's neurons | `start`, `end` into the core's incoming list (`clog2(INC_DEPTH + 1)` bits each) |
//! | inc | `INC_DEPTH` | the core's plastic synapses | `syn` (local synapse address, `max(1, clog2(SYN_DEPTH))` bits), `src` (global source id, `max(1, clog2(ROWS))` bits) |
//!
//! Local synapse addresses follow the static images: for every global source
//! in order, its synapses onto the core's neurons in the engine's row order.

use spikefab_sim::connect::key_target;
use spikefab_sim::engine::Engine;

use crate::hwconfig::HwConfig;
use crate::images::{clog2, CoreImages, Image, ImageError, Layout};

/// One core's neuron range `[lo, hi)`.
pub type Range = (u32, u32);

/// Per core, the global synapse index of each local synapse address.
pub fn local_synapses(e: &Engine, ranges: &[Range]) -> Vec<Vec<u64>> {
    let mut out = vec![Vec::new(); ranges.len()];
    let mut core_of = vec![usize::MAX; e.neurons() as usize];
    for (c, &(lo, hi)) in ranges.iter().enumerate() {
        core_of[lo as usize..hi as usize].fill(c);
    }
    for j in 0..e.neurons() {
        for s in e.syn.row(j) {
            let c = core_of[key_target(e.syn.key[s]) as usize];
            if c != usize::MAX {
                out[c].push(s as u64);
            }
        }
    }
    out
}

/// Plastic synapses onto each core's neurons (its incoming-list words).
pub fn plastic_per_core(e: &Engine, ranges: &[Range]) -> Vec<u64> {
    let inc = &e.syn.incoming;
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

fn set_param(img: &mut CoreImages, k: &'static str, v: i64) {
    match img.params.iter_mut().find(|(n, _)| *n == k) {
        Some(p) => p.1 = v,
        None => img.params.push((k, v)),
    }
}

/// Add the STDP images and parameters to the static mesh images `imgs`
/// (one per core, cores holding `ranges`) of the plastic network `e` on the
/// STDP config `hw`. Errors only when a value does not fit its field (the
/// capacities are checked by the caller).
pub fn add_plastic_images(
    e: &Engine,
    hw: &HwConfig,
    ranges: &[Range],
    imgs: &mut [CoreImages],
) -> Result<(), (usize, ImageError)> {
    let m = &e.model;
    let nc = &m.numerics;
    let rules = hw.n_rules.max(1);
    let inc_depth = hw.inc_depth.max(1);
    let syn_aw = clog2(hw.syn_depth).max(1);
    let row_w = clog2(hw.max_rows).max(1);
    let iptr_w = clog2(inc_depth + 1);
    let local = local_synapses(e, ranges);
    // global synapse -> local address in its (target's) core
    let mut addr = vec![0u64; e.syn.len() as usize];
    for l in &local {
        for (a, &s) in l.iter().enumerate() {
            addr[s as usize] = a as u64;
        }
    }
    let inc = &e.syn.incoming;
    let (p_plus, p_minus) = m.traces.as_ref().map_or((0, 0), |t| (t.p_plus, t.p_minus));
    for (c, (&(lo, hi), img)) in ranges.iter().zip(imgs.iter_mut()).enumerate() {
        let err = |x: ImageError| (c, x);
        let mut l_rule = Layout::default();
        l_rule.push("rule", clog2(rules + 1), false);
        let mut rule = String::new();
        for (a, &s) in local[c].iter().enumerate() {
            let r = e.syn.rule.get(s as usize).copied().unwrap_or(0);
            rule.push_str(&l_rule.word("rule", a as u64, &[r as i64]).map_err(err)?);
        }
        let rule_words = (local[c].len() as u64).max(1);
        if local[c].is_empty() {
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
            stdp.push_str(&l_stdp.word("stdp", ri as u64, &v).map_err(err)?);
        }
        if m.stdp.is_empty() {
            stdp.push_str("0\n");
        }
        let mut l_irow = Layout::default();
        l_irow
            .push("start", iptr_w, false)
            .push("end", iptr_w, false);
        let mut l_inc = Layout::default();
        l_inc.push("syn", syn_aw, false).push("src", row_w, false);
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
                let s = inc.syn[k as usize];
                let w = l_inc
                    .word(
                        "inc",
                        ptr,
                        &[addr[s as usize] as i64, inc.src[k as usize] as i64],
                    )
                    .map_err(err)?;
                incs.push_str(&w);
                ptr += 1;
            }
            irow.push_str(
                &l_irow
                    .word("inc_row", (t - lo) as u64, &[start as i64, ptr as i64])
                    .map_err(err)?,
            );
        }
        if ptr == 0 {
            incs.push_str("0\n");
        }
        let img_of = |name, param, depth, words, layout, text| Image {
            name,
            param,
            depth,
            words,
            layout,
            text,
        };
        img.images.push(img_of(
            "rule",
            "RULE_MEM_FILE",
            hw.syn_depth,
            rule_words,
            l_rule,
            rule,
        ));
        img.images.push(img_of(
            "stdp",
            "STDP_MEM_FILE",
            rules,
            (m.stdp.len() as u64).max(1),
            l_stdp,
            stdp,
        ));
        img.images.push(img_of(
            "inc_row",
            "INC_ROW_MEM_FILE",
            hw.neurons_per_core,
            (hi - lo) as u64,
            l_irow,
            irow,
        ));
        img.images.push(img_of(
            "inc",
            "INC_MEM_FILE",
            inc_depth,
            ptr.max(1),
            l_inc,
            incs,
        ));
        set_param(img, "PLASTIC", 1);
        set_param(img, "N_RULES", rules as i64);
        set_param(img, "INC_DEPTH", inc_depth as i64);
        set_param(img, "P_PLUS", p_plus);
        set_param(img, "P_MINUS", p_minus);
        img.plastic_synapses = ptr;
    }
    Ok(())
}
