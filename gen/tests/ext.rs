//! The external image writer (`spikefab_gen::images::ext_region`) against
//! the on-chip synapse image, synapse by synapse: rows of 0, 1, 7, 8, 15,
//! 21 and 22 synapses in beats of LANES = 7 (33-bit words in 256 bits) and
//! LANES = 5 (22-bit words in 128 bits), the region's bytes rebuilt bit by
//! bit from the `syn` image (so every padding bit is checked to be 0), its
//! size, the row words, the writer's own guards, and on a mesh every core's
//! region and its 4 KiB-aligned base on its channel. With the row index in
//! external memory (`ext_idx`), the region is the row words rebuilt bit by
//! bit from the twin config's row image, in front of the twin's region.

use std::fs;
use std::path::{Path, PathBuf};

use spikefab_gen::build_core_model;
use spikefab_gen::hwconfig::{ExtStore, HwConfig};
use spikefab_gen::images::{
    core_images, ext_region, CoreImageError, CoreImages, ExtRegion, ShapeError,
};
use spikefab_gen::layout::{ExtGeometry, Layout};
use spikefab_gen::{build_mesh_model, mesh_images, partition, Mesh, NetModel};
use spikefab_hdl::core::Mem;
use spikefab_sim::load::load_str;
use spikefab_sim::net::{Projection, Rule};
use spikefab_sim::Network;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn net_file(name: &str) -> Network {
    let p = root().join("tests/nets").join(format!("{name}.toml"));
    let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    load_str(&text, &p.display().to_string()).unwrap_or_else(|e| panic!("load {name}: {e:?}"))
}

/// Out-degrees of the excitatory (20) and inhibitory (13) sources.
const E_ROWS: [u32; 20] = [
    0, 1, 7, 8, 15, 2, 0, 14, 21, 6, 22, 0, 1, 13, 9, 0, 7, 3, 15, 5,
];
const I_ROWS: [u32; 13] = [15, 0, 7, 1, 8, 0, 0, 22, 6, 14, 2, 0, 1];

/// tiny.toml's populations with explicit projections of the row sizes
/// above (targets spread over E, weights and delays varied).
fn odd_rows_net() -> Network {
    let mut net = net_file("tiny");
    net.name = Some("odd_rows".into());
    let explicit = |rows: &[u32], sign: f64| {
        let mut v = Vec::new();
        for (i, &n) in rows.iter().enumerate() {
            for k in 0..n {
                let t = (i as u32 * 3 + k * 7) % 20;
                let w = sign * (40.0 + 11.0 * f64::from(k));
                let d = 0.1 * f64::from(1 + (i as u32 + k) % 6);
                v.push((i as u32, t, w, d));
            }
        }
        Rule::Explicit { synapses: v }
    };
    net.projections = vec![
        Projection {
            name: Some("E->E".into()),
            source: "E".into(),
            target: "E".into(),
            rule: explicit(&E_ROWS, 1.0),
            weight: None,
            delay: None,
            stdp: None,
        },
        Projection {
            name: Some("I->E".into()),
            source: "I".into(),
            target: "E".into(),
            rule: explicit(&I_ROWS, -3.0),
            weight: None,
            delay: None,
            stdp: None,
        },
    ];
    net
}

/// A core of 2048 neurons (11-bit targets), 64 slots (6 bits), 16-bit
/// weights: 33-bit synapse words; `ext` puts them in external memory with
/// the default 256-bit beats (LANES = 7).
fn lanes7(ext: bool) -> HwConfig {
    HwConfig {
        name: if ext { "lanes7-ext" } else { "lanes7" }.into(),
        syn_depth: 1000,
        max_pops: 2,
        synapse_store: ext.then_some(ExtStore::DEFAULT),
        ..HwConfig::default()
    }
}

/// `ext_odd` (22-bit words, LANES = 5) and its on-chip twin `odd`.
fn lanes5(ext: bool) -> HwConfig {
    HwConfig::named(if ext { "ext_odd" } else { "odd" }).unwrap()
}

/// The words of an image's text.
fn words(img: &CoreImages, mem: Mem) -> Vec<u128> {
    img.image(mem)
        .unwrap_or_else(|| panic!("no {} image", mem.name()))
        .text
        .lines()
        .map(|l| u128::from_str_radix(l, 16).unwrap())
        .collect()
}

/// Field `i` of a word in layout `l`.
fn field(l: &Layout, w: u128, i: usize) -> u64 {
    let f = &l.fields[i];
    ((w >> f.lsb) & ((1u128 << f.bits) - 1)) as u64
}

/// The region an on-chip core's `syn` and `row` images describe, rebuilt
/// bit by bit in the external layout of `g` (every row from a fresh beat,
/// synapse k in lane k % LANES of beat start + k / LANES, nothing else set),
/// and each row's (start, beats, last).
fn expected_region(on: &CoreImages, g: &ExtGeometry) -> (Vec<u8>, Vec<(u64, u64, u64)>) {
    let syn = words(on, Mem::Syn);
    let rows = words(on, Mem::Row);
    let lr = &on.image(Mem::Row).unwrap().layout;
    let mut bits: Vec<bool> = Vec::new();
    let mut out = Vec::new();
    let mut beat = 0u64;
    for r in rows {
        let (s, e) = (field(lr, r, 0), field(lr, r, 1));
        let n = e - s;
        if n == 0 {
            out.push((0, 0, 0));
            continue;
        }
        let beats = n.div_ceil(g.lanes);
        bits.resize(((beat + beats) * g.beat_bytes * 8) as usize, false);
        for k in 0..n {
            let at = (beat + k / g.lanes) * g.beat_bytes * 8 + (k % g.lanes) * u64::from(g.syn_w);
            for b in 0..u64::from(g.syn_w) {
                bits[(at + b) as usize] = (syn[(s + k) as usize] >> b) & 1 == 1;
            }
        }
        out.push((beat, beats, n - (beats - 1) * g.lanes));
        beat += beats;
    }
    let bytes = bits
        .chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |a, (i, &b)| a | (u8::from(b) << i))
        })
        .collect();
    (bytes, out)
}

/// The external core's region equals the on-chip syn image laid out; its
/// row words say where each row is.
fn check_against_on_chip(on: &CoreImages, ext: &CoreImages) {
    let x = ext.ext.as_ref().expect("an external region");
    let g = x.region.geometry;
    assert!(ext.image(Mem::Syn).is_none(), "no syn image off chip");
    let (bytes, rows) = expected_region(on, &g);
    assert_eq!(x.region.bytes.len(), bytes.len(), "region size");
    assert!(
        x.region.bytes == bytes,
        "region bytes differ from the syn image laid out"
    );
    assert_eq!(x.region.bytes.len() as u64, x.region.beats * g.beat_bytes);
    assert!(x.region.beats <= g.max_beats, "region within EXT_BEATS");
    assert!(x.region.lanes_used() <= ext.core.syn_depth);
    let lr = &ext.image(Mem::Row).unwrap().layout;
    let names: Vec<&str> = lr.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["start_beat", "last", "beats"]);
    assert_eq!(lr.width(), ext.core.row_word_w());
    let got: Vec<(u64, u64, u64)> = words(ext, Mem::Row)
        .into_iter()
        .map(|w| (field(lr, w, 0), field(lr, w, 2), field(lr, w, 1)))
        .collect();
    assert_eq!(got, rows, "row words {{start_beat, beats, last}}");
    // the library's own read-back agrees synapse by synapse
    let syn = words(on, Mem::Syn);
    let lo = &on.image(Mem::Row).unwrap().layout;
    for (j, r) in words(on, Mem::Row).into_iter().enumerate() {
        let s = field(lo, r, 0);
        let xr = x.region.rows[j];
        assert_eq!(xr.synapses(g.lanes), field(lo, r, 1) - s, "row {j}");
        for k in 0..xr.synapses(g.lanes) {
            assert_eq!(
                u128::from(x.region.word(xr.start_beat + k / g.lanes, k % g.lanes)),
                syn[(s + k) as usize],
                "row {j} synapse {k}"
            );
        }
    }
}

fn build(hw: &HwConfig) -> NetModel {
    build_core_model(&odd_rows_net(), hw, 1).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rows_in_beats_of_seven_lanes_decode_to_the_on_chip_syn_image() {
    let (hw_on, hw_ext) = (lanes7(false), lanes7(true));
    let src = build(&hw_ext);
    let sizes: Vec<u64> = (0..src.neurons()).map(|j| src.syn.out_degree(j)).collect();
    for n in [0, 1, 7, 8, 15, 21, 22] {
        assert!(sizes.contains(&n), "a row of {n} synapses");
    }
    let core = hw_ext.core_params(None);
    assert_eq!((core.syn_w(), core.ext_lanes()), (33, 7));
    let on = core_images(&src, &hw_on.core_params(None)).unwrap();
    let ext = core_images(&src, &core).unwrap();
    check_against_on_chip(&on, &ext);
    let x = ext.ext.as_ref().unwrap();
    // rows of 0 take no beat, 1..7 one, 8..14 two, 15..21 three, 22 four
    let beats: u64 = sizes.iter().map(|n| n.div_ceil(7)).sum();
    assert_eq!(x.region.beats, beats);
    assert_eq!(x.region.synapses, src.syn.len());
    assert_eq!((x.place.base, x.place.channel), (0, 0));
    assert_eq!(ext.init.ext_base, 0);
}

#[test]
fn rows_in_beats_of_five_lanes_decode_to_the_on_chip_syn_image() {
    let (hw_on, hw_ext) = (lanes5(false), lanes5(true));
    let src = build(&hw_ext);
    let core = hw_ext.core_params(None);
    assert_eq!((core.syn_w(), core.ext_lanes()), (22, 5));
    let on = core_images(&src, &hw_on.core_params(None)).unwrap();
    let ext = core_images(&src, &core).unwrap();
    check_against_on_chip(&on, &ext);
}

#[test]
fn the_writer_takes_rows_of_field_values() {
    // the public writer on explicit rows: [target, delay, weight]
    let core = lanes5(true).core_params(None);
    let rows: Vec<Vec<[i64; 3]>> = [0usize, 1, 5, 6, 11]
        .iter()
        .map(|&n| {
            (0..n as i64)
                .map(|k| [k * 7 % 100, k % 13, 1023 - 97 * k])
                .collect()
        })
        .collect();
    let r: ExtRegion = ext_region(&core, rows.iter().map(|r| r.iter().copied())).unwrap();
    // 0 + 1 + 1 + 2 + 3 beats of 16 bytes
    assert_eq!((r.beats, r.bytes.len()), (7, 112));
    assert_eq!(r.lanes_used(), 35);
    let starts: Vec<(u64, u64, u64)> = r
        .rows
        .iter()
        .map(|x| (x.start_beat, x.beats, x.last))
        .collect();
    assert_eq!(
        starts,
        [(0, 0, 0), (0, 1, 1), (1, 1, 5), (2, 2, 1), (4, 3, 1)]
    );
    // synapse 6 of the last row: beat 4 + 1, lane 1: target 42, delay 6, weight 441
    let w = r.word(5, 1);
    assert_eq!((w & 0x7f, (w >> 7) & 0xf, w >> 11), (42, 6, 441));
    // bits 110..127 of every beat (above 5 lanes of 22) stay 0
    for b in 0..r.beats as usize {
        assert_eq!(r.bytes[b * 16 + 15] & 0xc0, 0, "beat {b}");
    }
}

#[test]
fn the_writer_refuses_on_chip_cores_overfull_regions_and_bad_values() {
    let rows = || [[[1i64, 2, 3]; 6]].into_iter().map(|r| r.into_iter());
    let e = ext_region(&lanes5(false).core_params(None), rows()).unwrap_err();
    assert_eq!(e, CoreImageError::Shape(ShapeError::NotExternal));
    // 6 synapses take 10 lanes (two beats of 5)
    let mut core = lanes5(true).core_params(None);
    core.syn_depth = 9;
    let e = ext_region(&core, rows()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the core holds 9 synapse lanes (rows padded to whole beats), the network needs 10"
    );
    core.syn_depth = 10;
    ext_region(&core, rows()).unwrap();
    let e = ext_region(&core, [[[1i64, 16, 3]].into_iter()]).unwrap_err();
    assert!(
        e.to_string()
            .contains("syn_ext image, word 0: delay = 16 does not fit unsigned 4 bits"),
        "{e}"
    );
}

#[test]
fn mesh_cores_regions_decode_to_their_on_chip_syn_images_on_aligned_bases() {
    let m: Mesh = "2x2".parse().unwrap();
    let (hw_on, hw_ext) = (lanes5(false), lanes5(true));
    let x = hw_ext.synapse_store.unwrap();
    let src = build_mesh_model(&odd_rows_net(), &hw_ext, &m, 1).unwrap();
    let map = partition(&src, &hw_ext, &m).unwrap();
    let ext = mesh_images(&src, &hw_ext, &map).unwrap();
    let mut map_on = map.clone();
    map_on.config = hw_on.name.clone();
    let on = mesh_images(&src, &hw_on, &map_on).unwrap();
    for (k, (a, b)) in on.iter().zip(&ext).enumerate() {
        check_against_on_chip(a, b);
        let p = b.ext.as_ref().unwrap().place;
        assert_eq!(p.channel as usize, k % x.channels as usize, "core {k}");
        assert_eq!(p.base % 4096, 0, "core {k}");
        assert_eq!(p.base, u64::from(p.channel) * x.channel_bytes + p.offset);
        assert_eq!(b.init.ext_base, p.base);
    }
    // core 3 follows core 0 on channel 0, at the next 4 KiB boundary
    let r0 = ext[0].ext.as_ref().unwrap();
    let p3 = ext[3].ext.as_ref().unwrap().place;
    assert_eq!(
        p3.offset,
        (r0.region.bytes.len() as u64).div_ceil(4096) * 4096
    );
}

/// `ext_idx`: `ext_odd` with its row index in external memory too.
fn lanes5_idx() -> HwConfig {
    HwConfig::named("ext_idx").unwrap()
}

/// The row index of `rows` words `{beats, last, start_beat}` rebuilt bit by
/// bit: `ROWS` words (the rest empty) of `lane_w`-bit lanes, `lanes` per
/// beat of `beat_bytes`, a word's widths `(beat_aw, lcnt_w)`.
fn expected_index(
    rows: &[(u64, u64, u64)],
    n_rows: u64,
    lane_w: u64,
    beat_bytes: u64,
    (beat_aw, lcnt_w): (u32, u32),
) -> Vec<u8> {
    let lanes = beat_bytes * 8 / lane_w;
    let beats = n_rows.div_ceil(lanes);
    let mut bytes = vec![0u8; (beats * beat_bytes) as usize];
    for (r, &(start, beats, last)) in rows.iter().enumerate() {
        let w = u128::from(start)
            | u128::from(last) << beat_aw
            | u128::from(beats) << (beat_aw + lcnt_w);
        let at = r as u64 * lane_w;
        for b in 0..lane_w {
            if (w >> b) & 1 == 1 {
                bytes[((at + b) / 8) as usize] |= 1 << ((at + b) % 8);
            }
        }
    }
    bytes
}

/// An external-index core's region is the index of its twin's row words
/// followed by the twin's region byte for byte; it has no row image.
fn check_index_against_twin(twin: &CoreImages, idx: &CoreImages) {
    assert!(
        idx.image(Mem::Row).is_none(),
        "no row image with an external index"
    );
    assert!(idx.image(Mem::Syn).is_none());
    let (xt, xi) = (twin.ext.as_ref().unwrap(), idx.ext.as_ref().unwrap());
    let lr = &twin.image(Mem::Row).unwrap().layout;
    let rows: Vec<(u64, u64, u64)> = words(twin, Mem::Row)
        .into_iter()
        .map(|w| (field(lr, w, 0), field(lr, w, 2), field(lr, w, 1)))
        .collect();
    let core = &idx.core;
    assert!(core.row_ext());
    let lane_w = u64::from(core.row_word_w().next_power_of_two());
    let index = expected_index(
        &rows,
        core.rows,
        lane_w,
        xi.region.geometry.beat_bytes,
        (core.beat_aw(), core.lcnt_w()),
    );
    assert_eq!(
        xi.region.bytes.len(),
        index.len() + xt.region.bytes.len(),
        "index then synapses"
    );
    assert!(
        xi.region.bytes[..index.len()] == index[..],
        "row index bytes"
    );
    assert!(
        xi.region.bytes[index.len()..] == xt.region.bytes[..],
        "synapse beats as without the index"
    );
    assert_eq!(xi.region.beats, xt.region.beats);
    assert_eq!(xi.region.rows, xt.region.rows);
    let g = xi.region.geometry.index.expect("index geometry");
    assert_eq!(u64::from(g.lane_w), lane_w);
    assert_eq!(g.beats * xi.region.geometry.beat_bytes, index.len() as u64);
    for (r, &(start, beats, last)) in rows.iter().enumerate() {
        assert_eq!(
            xi.region.index_word(r as u64),
            Some(g.word(beats, last, start)),
            "index word of row {r}"
        );
    }
    // the library's synapse read-back skips the index
    for (j, row) in xi.region.rows.iter().enumerate() {
        for k in 0..row.synapses(xi.region.geometry.lanes) {
            let (b, l) = (
                row.start_beat + k / xi.region.geometry.lanes,
                k % xi.region.geometry.lanes,
            );
            assert_eq!(
                xi.region.word(b, l),
                xt.region.word(b, l),
                "row {j} synapse {k}"
            );
        }
    }
}

#[test]
fn external_row_index_holds_the_row_words_in_front_of_the_same_synapse_beats() {
    let src = build(&lanes5_idx());
    let twin = core_images(&src, &lanes5(true).core_params(None)).unwrap();
    let core = lanes5_idx().core_params(None);
    // 23-bit row words in 32-bit lanes, 4 per 128-bit beat: 100 rows in 25 beats
    assert_eq!(
        (core.row_word_w(), core.idx_w(), core.idx_lanes()),
        (23, 32, 4)
    );
    assert_eq!(core.idx_beats(), 25);
    let idx = core_images(&src, &core).unwrap();
    check_index_against_twin(&twin, &idx);
}

#[test]
fn mesh_cores_with_external_row_indexes_index_every_source_row() {
    let m: Mesh = "2x2".parse().unwrap();
    let hw = lanes5_idx();
    let src = build_mesh_model(&odd_rows_net(), &hw, &m, 1).unwrap();
    let map = partition(&src, &hw, &m).unwrap();
    let idx = mesh_images(&src, &hw, &map).unwrap();
    let mut map_twin = map.clone();
    map_twin.config = "ext_odd".into();
    let twin = mesh_images(&src, &lanes5(true), &map_twin).unwrap();
    for (k, (t, i)) in twin.iter().zip(&idx).enumerate() {
        assert_eq!(i.core.rows, hw.max_rows, "core {k}: ROWS = max_rows");
        check_index_against_twin(t, i);
        assert_eq!(i.init.ext_base % 4096, 0, "core {k}");
    }
}

#[test]
fn the_writer_refuses_more_rows_than_an_external_index_holds() {
    let mut core = lanes5_idx().core_params(None);
    core.rows = 7;
    let rows = |n: usize| (0..n).map(|_| [[1i64, 2, 3]].into_iter());
    ext_region(&core, rows(7)).unwrap();
    let e = ext_region(&core, rows(8)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the core holds 7 rows in the external row index, the network needs 8"
    );
}

#[test]
fn external_row_index_config_needs_a_free_read_id_and_a_wide_enough_bus() {
    let hw = lanes5_idx();
    hw.check().unwrap();
    // 8 bursts in flight take every 3-bit ID: none left for the index reads
    let mut full = hw.clone();
    full.synapse_store.as_mut().unwrap().outstanding = 8;
    let e = full.check().unwrap_err().to_string();
    assert!(
        e.contains("synapse_store.outstanding = 8 must be in 1..=7")
            && e.contains("index reads ID outstanding"),
        "{e}"
    );
    // the same on chip is fine
    full.synapse_store.as_mut().unwrap().row_index = spikefab_gen::hwconfig::RowIndex::OnChip;
    full.check().unwrap();
    // 70,000 lanes on a 32-bit bus: 35-bit row words need 64-bit lanes
    let mut narrow = hw.clone();
    narrow.syn_depth = 70_000;
    let x = narrow.synapse_store.as_mut().unwrap();
    x.data_bits = 32;
    x.channel_bytes = 1 << 20;
    x.addr_bits = 24;
    let e = narrow.check().unwrap_err().to_string();
    assert!(
        e.contains("synapse_store.data_bits = 32 is narrower than a row word's lane in the external row index (64 bits)"),
        "{e}"
    );
}

#[test]
fn external_row_index_is_read_from_toml_and_named_in_errors() {
    let text = |v: &str| {
        format!(
            "name = \"t\"\nneurons_per_core = 100\nmax_pops = 2\nsyn_depth = 3000\n[synapse_store]\nkind = \"external\"\nid_bits = 5\nrow_index = \"{v}\"\n"
        )
    };
    let hw = HwConfig::from_toml(&text("external"), "t.toml").unwrap();
    assert!(hw.core_params(None).row_ext());
    let hw = HwConfig::from_toml(&text("on-chip"), "t.toml").unwrap();
    assert!(!hw.core_params(None).row_ext());
    let e = HwConfig::from_toml(&text("dram"), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("row_index"), "{e}");
    let e = HwConfig::from_toml(
        "name = \"t\"\nneurons_per_core = 100\nmax_pops = 2\nsyn_depth = 300\n[synapse_store]\nkind = \"on-chip\"\nrow_index = \"external\"\n",
        "t.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("synapse_store.row_index"), "{e}");
}
