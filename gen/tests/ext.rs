//! The external image writer (`spikefab_gen::images::ext_region`) against
//! the on-chip synapse image, synapse by synapse: rows of 0, 1, 7, 8, 15,
//! 21 and 22 synapses in beats of LANES = 7 (33-bit words in 256 bits) and
//! LANES = 5 (22-bit words in 128 bits), the region's bytes rebuilt bit by
//! bit from the `syn` image (so every padding bit is checked to be 0), its
//! size, the row words, the writer's own guards, and on a mesh every core's
//! region and its 4 KiB-aligned base on its channel.

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
