//! The mesh mapping (`spikefab_gen::mapping`, `spikefab_gen::mesh_gen`): mesh shapes, the balanced
//! partition and its capacity errors, the per-core images decoded back to
//! the engine's synapses (exact multiset and row order), the route masks, a
//! 1x1 mesh against the single-core images, the load beats, the traffic
//! estimates and the capacity report of full-scale PD14 (from counts, no
//! build).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use spikefab_gen::capacity::{capacity_report, count_misfits, network_counts};
use spikefab_gen::generate;
use spikefab_gen::images::{load_beats, CoreImages, Image};
use spikefab_gen::mapping::{partition, partition_with, Mapping, Rates};
use spikefab_gen::mesh_gen::mesh_images;
use spikefab_gen::{build_core_model, build_mesh_model, NetModel};
use spikefab_gen::{HwConfig, Mesh, MeshError};
use spikefab_hdl::core::{CfgReg, Mem};
use spikefab_sim::connect::{key_delay, key_target};
use spikefab_sim::engine::Engine;
use spikefab_sim::load::load_str;
use spikefab_sim::models::{balanced, pd14, BalancedParams, Pd14Params};
use spikefab_sim::Network;

fn net_file(name: &str) -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/nets/{name}.toml"));
    let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    load_str(&text, &p.display().to_string()).unwrap_or_else(|e| panic!("load {name}: {e:?}"))
}

fn balanced_net(n: u32) -> Network {
    let mut net = balanced(&BalancedParams {
        n,
        ..BalancedParams::default()
    })
    .expect("balanced");
    net.name = Some("balanced".into());
    net
}

/// A static mesh core: `neurons` neurons, `syn` synapse words, `rows` rows
/// (may exceed `neurons`: a mesh core indexes every source of the network).
fn core_cfg(neurons: u64, syn: u64, rows: u64) -> HwConfig {
    HwConfig {
        name: format!("mesh{neurons}"),
        description: String::new(),
        neurons_per_core: neurons,
        syn_depth: syn,
        max_rows: rows,
        max_pops: 4,
        ..HwConfig::default()
    }
}

fn mesh(s: &str) -> Mesh {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn engine(net: &Network, hw: &HwConfig, m: &Mesh) -> NetModel {
    build_mesh_model(net, hw, m, 1).unwrap_or_else(|e| panic!("{e}"))
}

/// The message of a build that must fail.
fn build_err(net: &Network, hw: &HwConfig, m: &Mesh) -> String {
    match build_mesh_model(net, hw, m, 1) {
        Ok(_) => panic!("the build of {:?} on {m} succeeded", net.name),
        Err(e) => e.to_string(),
    }
}

/// The field values of one `$readmemh` line of `im` (sign-extended where signed).
fn decode(im: &Image, line: &str) -> Vec<i64> {
    let digits: Vec<u32> = line
        .trim()
        .chars()
        .rev()
        .map(|c| c.to_digit(16).expect("hex"))
        .collect();
    let bit = |b: u32| {
        digits
            .get((b / 4) as usize)
            .is_some_and(|d| (d >> (b % 4)) & 1 == 1)
    };
    assert!(
        digits.len() as u32 * 4 < im.width() + 4,
        "{}: line '{line}' longer than {} bits",
        im.name(),
        im.width()
    );
    im.layout
        .fields
        .iter()
        .map(|f| {
            let mut v: i64 = 0;
            for b in 0..f.bits {
                if bit(f.lsb + b) {
                    v |= 1 << b;
                }
            }
            if f.signed && f.bits > 0 && (v >> (f.bits - 1)) & 1 == 1 {
                v -= 1 << f.bits;
            }
            v
        })
        .collect()
}

fn image<'a>(c: &'a CoreImages, name: &str) -> &'a Image {
    Mem::from_name(name)
        .and_then(|m| c.image(m))
        .unwrap_or_else(|| panic!("core has no {name} image"))
}

fn words(im: &Image) -> Vec<Vec<i64>> {
    im.text.lines().map(|l| decode(im, l)).collect()
}

/// (global source, global target, delay, weight) of every synapse in the
/// images, per core in row order.
fn decoded_synapses(cores: &[CoreImages]) -> Vec<Vec<(u32, u32, u32, i64)>> {
    cores
        .iter()
        .map(|c| {
            let base = c.init.base as u32;
            let syn = words(image(c, "syn"));
            let mut v = Vec::new();
            for (j, r) in words(image(c, "row")).iter().enumerate() {
                let (start, end) = (r[0] as usize, r[1] as usize);
                assert!(start <= end && end <= c.synapses as usize, "row {j}: {r:?}");
                for w in &syn[start..end] {
                    v.push((j as u32, base + w[0] as u32, w[1] as u32, w[2]));
                }
            }
            assert_eq!(v.len() as u64, c.synapses, "rows cover the synapse memory");
            v
        })
        .collect()
}

#[test]
fn mesh_parses_rxc_and_rejects_bad_shapes() {
    let m = mesh("3x2");
    assert_eq!((m.rows(), m.cols(), m.cores()), (3, 2, 6));
    assert_eq!(m.to_string(), "3x2");
    assert_eq!(m.position(5), (2, 1));
    assert_eq!(mesh(" 16X16 ").cores(), 256);
    for (bad, why) in [
        ("0x2", "rows = 0 is outside 1..=16"),
        ("2x17", "columns = 17 is outside 1..=16"),
        ("4", "no 'x'"),
        ("ax2", "rows 'a'"),
        ("2x", "columns ''"),
        ("-1x2", "rows '-1'"),
    ] {
        let e = bad.parse::<Mesh>().unwrap_err().to_string();
        assert!(
            e.contains(&format!("bad mesh '{bad}'")) && e.contains(why),
            "{bad}: {e}"
        );
    }
    assert!(Mesh::new(1, 16).is_ok() && Mesh::new(17, 1).is_err());
}

#[test]
fn partition_balances_neurons_and_synapses() {
    let hw = core_cfg(512, 50_000, 2048);
    let m = mesh("2x2");
    let e = engine(&balanced_net(1250), &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    println!("{}", map.report());
    assert_eq!(map.cores.len(), 4);
    assert_eq!(map.cores[0].lo, 0);
    assert_eq!(map.cores[3].hi, 1250);
    for w in map.cores.windows(2) {
        assert_eq!(w[0].hi, w[1].lo, "contiguous ranges");
    }
    for (k, c) in map.cores.iter().enumerate() {
        assert_eq!((c.index, c.row, c.col), (k, k as u32 / 2, k as u32 % 2));
        assert!(c.neurons() >= 1);
        let incoming = e
            .syn
            .key
            .iter()
            .filter(|&&key| (c.lo..c.hi).contains(&key_target(key)))
            .count() as u64;
        assert_eq!(c.synapses, incoming, "core {k} synapses");
    }
    assert_eq!(
        map.cores.iter().map(|c| c.synapses).sum::<u64>(),
        e.syn.len()
    );
    // fixed in-degree: neurons and synapses balance together
    assert!(map.imbalance_neurons < 1.01, "{}", map.imbalance_neurons);
    assert!(map.imbalance_synapses < 1.01, "{}", map.imbalance_synapses);
    let report = map.report();
    assert!(report.contains("imbalance (max/mean): neurons"), "{report}");
    assert!(report.contains("mesh 2x2 (4 cores)"), "{report}");
}

/// The largest load of `ends` (range boundaries).
fn max_load(pre: &[u64], ends: &[usize], hw: &HwConfig) -> f64 {
    ends.windows(2)
        .map(|w| {
            ((w[1] - w[0]) as f64 / hw.neurons_per_core as f64)
                .max((pre[w[1]] - pre[w[0]]) as f64 / hw.syn_depth as f64)
        })
        .fold(0.0, f64::max)
}

#[test]
fn partition_minimises_the_largest_core_load() {
    // tiny: 33 neurons with uneven in-degrees; 3 cores, every placement of
    // the two cuts tried, for a synapse-bound and a neuron-bound core
    let net = net_file("tiny");
    for hw in [core_cfg(64, 200, 64), core_cfg(12, 4096, 64)] {
        let m = mesh("1x3");
        let e = engine(&net, &hw, &m);
        let map = partition(&e, &hw, &m).unwrap();
        let n = e.model.neurons as usize;
        let mut pre = vec![0u64; n + 1];
        for &k in &e.syn.key {
            pre[key_target(k) as usize + 1] += 1;
        }
        for i in 0..n {
            pre[i + 1] += pre[i];
        }
        let mut best = f64::INFINITY;
        for a in 1..n - 1 {
            for b in a + 1..n {
                best = best.min(max_load(&pre, &[0, a, b, n], &hw));
            }
        }
        let ends: Vec<usize> = std::iter::once(0)
            .chain(map.cores.iter().map(|c| c.hi as usize))
            .collect();
        let got = max_load(&pre, &ends, &hw);
        assert!(
            (got - best).abs() <= 1e-12 * best,
            "{}: partition load {got}, optimum {best}",
            hw.name
        );
        assert!((map.max_load - got).abs() <= 1e-12);
    }
}

#[test]
fn cores_over_capacity_are_named_with_field_and_excess() {
    // balanced 1250 needs 5 cores of 38,000 synapses; a 2x2 mesh has 4
    let hw = core_cfg(512, 38_000, 2048);
    let m = mesh("2x2");
    let big = core_cfg(512, 50_000, 2048);
    let e = engine(&balanced_net(1250), &big, &m);
    let err = partition(&e, &hw, &m).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            MeshError::DoesNotFit {
                needed_cores: 5,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("at least 5 cores"), "{msg}");
    assert!(msg.contains("syn_depth is 38000"), "{msg}");
    assert!(msg.contains("core 0: synapses: needs"), "{msg}");
    assert!(msg.contains("over)"), "{msg}");
    // the whole-mesh counts are checked before connecting
    let e = build_err(&balanced_net(1250), &core_cfg(128, 4096, 2048), &m);
    assert!(
        e.contains("neurons (all cores): needs 1250, neurons_per_core x cores is 512 (738 over)"),
        "{e}"
    );
    assert!(
        e.contains("synapses (all cores): needs 156250, syn_depth x cores is 16384"),
        "{e}"
    );
    assert!(e.contains("at least 39 cores"), "{e}");
}

#[test]
fn rows_populations_and_core_count_are_checked() {
    let net = net_file("tiny");
    let m = mesh("2x2");
    let e = engine(&net, &core_cfg(64, 4096, 64), &m);
    let mut hw = core_cfg(16, 4096, 20);
    let msg = partition(&e, &hw, &m).unwrap_err().to_string();
    assert!(
        msg.contains("rows (in every core: one per source neuron of the network): needs 33, max_rows is 20 (13 over)"),
        "{msg}"
    );
    hw.max_rows = 64;
    hw.max_pops = 1;
    let msg = core_cfg(64, 4096, 63).check_mesh().unwrap_err().to_string();
    assert!(
        msg.contains("hw config 'mesh64'") && msg.contains("max_rows = 63 must be in 64..="),
        "{msg}"
    );
    let msg = partition(&e, &hw, &m).unwrap_err().to_string();
    assert!(msg.contains("max_pops is 1"), "{msg}");
    let msg = partition(&e, &core_cfg(64, 4096, 64), &mesh("6x6"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("33 neurons, fewer than the 36 cores of the 6x6 mesh"),
        "{msg}"
    );
    assert_eq!(
        count_misfits(33, 330, &core_cfg(16, 4096, 20), &m)[0].field,
        "max_rows"
    );
}

/// A plastic network needs STDP cores: on static cores it is an error naming
/// its plastic projections and the config; on an STDP config it maps, and
/// every core gets the STDP images (incoming lists with GLOBAL source ids).
#[test]
fn plastic_networks_need_stdp_cores_and_map_onto_them() {
    let net = net_file("tiny_stdp");
    let m = mesh("2x1");
    let e = build_err(&net, &core_cfg(64, 4096, 64), &m);
    assert!(e.contains("stdp = false"), "{e}");
    let names: Vec<String> = net
        .projections
        .iter()
        .filter(|p| p.stdp.is_some())
        .map(|p| {
            p.name
                .clone()
                .unwrap_or_else(|| format!("{}->{}", p.source, p.target))
        })
        .collect();
    assert!(!names.is_empty());
    for n in &names {
        assert!(e.contains(n.as_str()), "{n}: {e}");
    }
    // on STDP cores (the stdp config: 100 rows hold the whole network)
    let stdp = HwConfig::named("stdp").unwrap();
    let pe = engine(&net, &stdp, &m);
    let map = partition(&pe, &stdp, &m).unwrap();
    let imgs = mesh_images(&pe, &stdp, &map).unwrap();
    let mut plastic = 0;
    for (img, c) in imgs.iter().zip(&map.cores) {
        assert!(img.core.plastic);
        for mem in [Mem::Rule, Mem::Stdp, Mem::IncRow, Mem::Inc] {
            assert!(img.image(mem).is_some(), "core image {}", mem.name());
        }
        assert_eq!(
            img.image(Mem::IncRow).unwrap().words,
            (c.hi - c.lo) as u64,
            "one incoming row per local neuron"
        );
        plastic += img.plastic_synapses;
    }
    assert_eq!(plastic, pe.syn.incoming.syn.len() as u64);
    // a static network on an STDP config is fine as well
    let se = engine(&net_file("tiny"), &stdp, &m);
    partition(&se, &stdp, &m).unwrap();
}

#[test]
fn images_hold_exactly_the_engines_synapses_in_row_order() {
    for (net, hw, m) in [
        (net_file("tiny"), core_cfg(16, 4096, 64), mesh("1x3")),
        (balanced_net(1250), core_cfg(512, 50_000, 2048), mesh("2x2")),
        (balanced_net(400), core_cfg(64, 8_000, 512), mesh("3x3")),
    ] {
        let e = engine(&net, &hw, &m);
        let map = partition(&e, &hw, &m).unwrap();
        let cores = mesh_images(&e, &hw, &map).unwrap();
        assert_eq!(cores.len(), m.cores());
        let per_core = decoded_synapses(&cores);
        // exact multiset
        let mut got: Vec<(u32, u32, u32, i64)> = per_core.iter().flatten().copied().collect();
        let mut want: Vec<(u32, u32, u32, i64)> = Vec::new();
        for j in 0..e.model.neurons {
            for s in e.syn.row(j) {
                let k = e.syn.key[s];
                want.push((j, key_target(k), key_delay(k), i64::from(e.syn.weight[s])));
            }
        }
        got.sort_unstable();
        let mut sorted = want.clone();
        sorted.sort_unstable();
        assert_eq!(
            got,
            sorted,
            "{}: synapse multiset",
            net.name.as_deref().unwrap_or("")
        );
        // each core: the engine's rows restricted to its targets, order kept
        for (c, cm) in map.cores.iter().enumerate() {
            let restricted: Vec<_> = want
                .iter()
                .filter(|s| (cm.lo..cm.hi).contains(&s.1))
                .copied()
                .collect();
            assert_eq!(per_core[c], restricted, "core {c} order");
            assert_eq!(cores[c].synapses, cm.synapses);
            // every synapse's local target is in the core's range
            let syn = image(&cores[c], "syn");
            for w in words(syn).iter().take(cm.synapses as usize) {
                assert!(
                    (w[0] as u64) < cm.neurons(),
                    "core {c}: local target {}",
                    w[0]
                );
            }
        }
    }
}

#[test]
fn route_masks_are_the_cores_holding_each_sources_targets() {
    let hw = core_cfg(64, 8_000, 512);
    let m = mesh("2x3");
    let e = engine(&balanced_net(300), &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    let cores = mesh_images(&e, &hw, &map).unwrap();
    for (c, cm) in map.cores.iter().enumerate() {
        let route = image(&cores[c], "route");
        assert_eq!(route.width(), 6);
        assert_eq!((route.depth, route.words), (64, cm.neurons()));
        let names: Vec<&str> = route
            .layout
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["mesh_row0", "mesh_row1"]);
        for (i, w) in words(route).iter().enumerate() {
            let j = cm.lo + i as u32;
            let want: BTreeSet<usize> = e
                .syn
                .row(j)
                .map(|s| map.core_of(key_target(e.syn.key[s])).unwrap())
                .collect();
            let got: BTreeSet<usize> = (0..6)
                .filter(|&k| {
                    let (r, col) = m.position(k);
                    (w[r as usize] >> col) & 1 == 1
                })
                .collect();
            assert_eq!(got, want, "core {c} neuron {j}");
        }
        let used = (0..e.model.neurons)
            .filter(|&j| {
                e.syn
                    .row(j)
                    .any(|s| map.core_of(key_target(e.syn.key[s])) == Some(c))
            })
            .count() as u64;
        assert_eq!(cm.rows_used, used, "core {c} rows used");
    }
}

#[test]
fn one_by_one_mesh_equals_the_single_core_images_plus_route() {
    let hw = HwConfig::named("small").unwrap();
    let net = net_file("tiny");
    let single_e = build_core_model(&net, &hw, 1).unwrap();
    let single = generate::core_images(&single_e, &hw).unwrap();
    let m = mesh("1x1");
    let e = engine(&net, &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    let cores = mesh_images(&e, &hw, &map).unwrap();
    let core = &cores[0];
    assert_eq!(core.init.bg_key, single.init.bg_key);
    for im in &single.images {
        let got = image(core, im.name());
        assert_eq!(got.text, im.text, "{} text", im.name());
        assert_eq!(got.layout, im.layout, "{} layout", im.name());
        assert_eq!(
            (got.mem, got.depth, got.words),
            (im.mem, im.depth, im.words),
            "{}",
            im.name()
        );
    }
    // the only extra image is the route: every neuron with a synapse sends to core 0
    let names: Vec<&str> = core.images.iter().map(|i| i.name()).collect();
    assert_eq!(
        names,
        ["state", "pop", "param", "cdf", "syn", "row", "route"]
    );
    for (j, w) in words(image(core, "route")).iter().enumerate() {
        assert_eq!(
            w[0],
            i64::from(e.syn.out_degree(j as u32) > 0),
            "neuron {j}"
        );
    }
    // parameters: the single core's as a mesh core (MESH, ROWS), base 0
    let mut want = single.core;
    want.mesh = true;
    want.rows = hw.max_rows;
    assert_eq!(core.core, want);
    assert_eq!(core.init, single.init);
    // load beats: the single core's, the route before the config registers, then BASE
    let sb = load_beats(&single);
    let mb = load_beats(core);
    let cfg_at = sb.iter().position(|b| b.mem == Mem::Cfg.load_id()).unwrap();
    assert_eq!(mb[..cfg_at], sb[..cfg_at]);
    let route: Vec<_> = mb[cfg_at..]
        .iter()
        .take_while(|b| b.mem == Mem::Route.load_id())
        .collect();
    assert_eq!(route.len(), 33);
    assert_eq!(mb[cfg_at + route.len()..mb.len() - 1], sb[cfg_at..]);
    let last = mb.last().unwrap();
    assert_eq!(
        (last.mem, last.addr, last.data),
        (Mem::Cfg.load_id(), CfgReg::Base.addr(), 0)
    );
}

#[test]
fn mesh_load_beats_write_every_route_word_and_the_base_register() {
    // 6x6 = 36-bit route words: two beats each, most significant first
    let hw = core_cfg(64, 8_000, 512);
    let m = mesh("6x6");
    let e = engine(&balanced_net(400), &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    let cores = mesh_images(&e, &hw, &map).unwrap();
    for (c, (img, cm)) in cores.iter().zip(&map.cores).enumerate() {
        let beats = load_beats(img);
        let cfg: BTreeMap<u32, u32> = beats
            .iter()
            .filter(|b| b.mem == Mem::Cfg.load_id())
            .map(|b| (b.addr, b.data))
            .collect();
        assert_eq!(cfg[&0], cm.hi - cm.lo, "core {c} n_active");
        assert_eq!((cfg[&1], cfg[&2]), (0, 0));
        assert_eq!(cfg[&CfgReg::Base.addr()], cm.lo, "core {c} base");
        assert_eq!(
            u64::from(cfg[&3]) | (u64::from(cfg[&4]) << 32),
            img.init.bg_key
        );
        let route: Vec<_> = beats
            .iter()
            .filter(|b| b.mem == Mem::Route.load_id())
            .collect();
        assert_eq!(route.len() as u64, 2 * cm.neurons());
        let im = image(img, "route");
        for (a, pair) in route.chunks(2).enumerate() {
            assert_eq!((pair[0].addr, pair[0].last), (a as u32, false));
            assert_eq!((pair[1].addr, pair[1].last), (a as u32, true));
            let word = u64::from(pair[1].data) | (u64::from(pair[0].data) << 32);
            let w = decode(im, im.text.lines().nth(a).unwrap());
            let mask = w
                .iter()
                .enumerate()
                .fold(0u64, |acc, (r, v)| acc | ((*v as u64) << (6 * r)));
            assert_eq!(word, mask, "core {c} route word {a}");
        }
        assert_eq!(img.init.n_active, u64::from(cm.hi - cm.lo));
        assert_eq!(img.init.base, u64::from(cm.lo));
        assert_eq!(img.core.rows, 512);
        assert_eq!(img.core.n_neurons, 64);
        assert_eq!(img.core.syn_depth, 8_000);
        assert_eq!(img.core.n_pops, 4);
    }
}

#[test]
fn mapping_memories_match_the_image_layouts() {
    let hw = core_cfg(300, 50_000, 2048);
    let m = mesh("2x3");
    let e = engine(&balanced_net(1250), &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    let cores = mesh_images(&e, &hw, &map).unwrap();
    for (cm, img) in map.cores.iter().zip(&cores) {
        for im in &img.images {
            let mem = cm
                .memory(im.name())
                .unwrap_or_else(|| panic!("{}", im.name()));
            assert_eq!(
                (mem.depth, mem.words, mem.width),
                (im.depth, im.words, im.width()),
                "core {} {}",
                cm.index,
                im.name()
            );
            assert_eq!(im.text.lines().count() as u64, im.words, "{}", im.name());
        }
    }
}

#[test]
fn traffic_estimates_follow_the_rates() {
    let hw = core_cfg(512, 50_000, 2048);
    let m = mesh("2x2");
    let e = engine(&balanced_net(1250), &hw, &m);
    let map = partition(&e, &hw, &m).unwrap();
    let p = 10.0 * e.model.dt_ms * 1e-3;
    for c in &map.cores {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.max(1.0);
        assert!(close(c.events_per_step, c.synapses as f64 * p), "{c:?}");
        assert!(
            close(c.packets_in_per_step, c.rows_used as f64 * p),
            "{c:?}"
        );
        assert!(c.packets_out_per_step <= c.neurons() as f64 * p + 1e-9);
    }
    let measured = Rates::measure(&e, 200);
    let mm = partition_with(&e, &hw, &m, &measured).unwrap();
    assert!(mm.rates.contains("measured over 200 steps"), "{}", mm.rates);
    let events: f64 = mm.cores.iter().map(|c| c.events_per_step).sum();
    assert!(events > 0.0);
    assert_eq!(
        mm.cores.iter().map(|c| (c.lo, c.hi)).collect::<Vec<_>>(),
        map.cores.iter().map(|c| (c.lo, c.hi)).collect::<Vec<_>>(),
        "the rates do not move the cuts"
    );
    let bad = partition_with(&e, &hw, &m, &Rates::Uniform { hz: f64::NAN })
        .unwrap_err()
        .to_string();
    assert!(bad.contains("rate estimate"), "{bad}");
    println!("{}", mm.report());
}

#[test]
fn images_of_a_mapping_for_another_network_or_smaller_cores_are_refused() {
    let hw = core_cfg(128, 8_000, 512);
    let m = mesh("2x2");
    let e = engine(&balanced_net(300), &hw, &m);
    let other = engine(&balanced_net(400), &hw, &m);
    let map: Mapping = partition(&other, &hw, &m).unwrap();
    let msg = mesh_images(&e, &hw, &map).unwrap_err().to_string();
    assert!(
        msg.contains("the mapping was made for") && msg.contains("400 neurons"),
        "{msg}"
    );
    // an engine quantized with the network's own numerics
    let own = Engine::from_network(&net_file("tiny")).unwrap();
    let own = NetModel::new(own.model, own.syn);
    let small_cfg = HwConfig::named("small").unwrap();
    let own_map = partition(&own, &small_cfg, &m).unwrap();
    let msg = mesh_images(&own, &small_cfg, &own_map)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("quantized with other numerics"), "{msg}");
    // the same config name with a smaller synapse memory
    let map = partition(&e, &hw, &m).unwrap();
    let most = map.cores.iter().map(|c| c.synapses).max().unwrap();
    let mut small = hw.clone();
    small.syn_depth = most - 1;
    let msg = mesh_images(&e, &small, &map).unwrap_err().to_string();
    assert!(
        msg.contains(&format!("syn_depth is {} (1 over)", most - 1)),
        "{msg}"
    );
}

#[test]
fn pd14_full_scale_capacity_report_from_counts() {
    let net = pd14(&Pd14Params::default()).unwrap();
    let c = network_counts(&net);
    assert_eq!(
        (c.neurons, c.synapses, c.exact),
        (77_169, 298_880_968, true)
    );
    let hw = HwConfig::default();
    let r = capacity_report(c.neurons, c.synapses, &hw);
    println!("{r}");
    assert!(r.contains("cores needed: 38 by neurons, 1,141 by synapses: at least 1,141 cores (more than the largest mesh, 16x16 = 256 cores)"), "{r}");
    // 33-bit words: target 11 (2048 neurons) + delay 6 (64 slots) + weight 16
    assert!(
        r.contains("298,880,968 words x 33 bits (target 11 + delay 6 + weight 16) = 9,863,071,944 bits = 1,232,883,993 bytes"),
        "{r}"
    );
    // xcu250: 2,688 x 36 Kb + 1,280 x 288 Kb
    assert!(
        r.contains("xcu250") && r.contains("= 476,577,792 bits"),
        "{r}"
    );
    assert!(r.contains("does not fit on chip"), "{r}");
    assert!(r.contains("20.7x"), "{r}");
    let misfits = count_misfits(c.neurons, c.synapses, &hw, &mesh("4x4"));
    let fields: Vec<&str> = misfits.iter().map(|m| m.field).collect();
    assert_eq!(
        fields,
        ["neurons_per_core x cores", "syn_depth x cores", "max_rows"]
    );
}

/// Full-scale PD14 on cores of `ext` with a synapse region of 2^25 lanes
/// each (about 140 MiB of external memory) and a row per neuron of the
/// network: 10 cores by neurons, 9 by synapses
/// (`examples/hw_pd14_full_ext.toml`, cited in docs/hardware.md).
fn ext_full() -> HwConfig {
    let hw = HwConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hw_pd14_full_ext.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ext = HwConfig::named("ext").unwrap();
    assert_eq!(
        (
            hw.neurons_per_core,
            hw.numerics,
            hw.synapse_store.map(|x| x.axi())
        ),
        (
            ext.neurons_per_core,
            ext.numerics,
            ext.synapse_store.map(|x| x.axi())
        ),
        "the study's cores are those of ext"
    );
    hw
}

#[test]
fn pd14_full_scale_with_external_synapses_capacity_per_part() {
    let net = pd14(&Pd14Params::default()).unwrap();
    let c = network_counts(&net);
    let hw = ext_full();
    hw.check_mesh().unwrap();
    let r = capacity_report(c.neurons, c.synapses, &hw);
    println!("{r}");
    assert!(
        r.contains("cores needed: 10 by neurons, 9 by synapses: at least 10 cores"),
        "{r}"
    );
    // 35-bit words (target 13 + delay 6 + weight 16), 7 per 256-bit beat:
    // 42,697,282 beats of 32 bytes unpadded
    assert!(
        r.contains("synapse regions in external memory: 7 words per beat of 32 bytes: 1,366,313,024 bytes (1.27 GiB) unpadded, at most 1,391,007,104 bytes (1.30 GiB)"),
        "{r}"
    );
    assert!(r.contains("none of it is on chip"), "{r}");
    // the fetch buffer (16 bursts of 16 beats) instead of a synapse memory
    assert!(
        r.contains("fetch (AXI beat buffer) 256x256") && !r.contains(", syn "),
        "{r}"
    );
    let line = |part: &str| {
        r.lines()
            .find(|l| l.trim_start().starts_with(&format!("{part} (")))
            .unwrap_or_else(|| panic!("no line for {part}:\n{r}"))
            .to_string()
    };
    // external memory: fits both Alveo cards' memories, none elsewhere
    assert!(
        line("xcu55c").contains("external 1.30 GiB of 16.00 GiB HBM2"),
        "{r}"
    );
    assert!(
        line("xcu250").contains("external 1.30 GiB of 64.00 GiB DDR4"),
        "{r}"
    );
    assert!(
        line("xc7a100t").contains("no reference card with external memory"),
        "{r}"
    );
    // the accumulators (53 slots x 8192 neurons, acc_ex and acc_in in one
    // 64-bit word) fit the U250's UltraRAM; on the U55C the row memories
    // (77,169 x 49 bits per core) leave BRAM36 184 over
    assert!(line("xcu250").ends_with(": fits"), "{r}");
    let l = line("xcu55c");
    assert!(
        l.contains("does not fit: BRAM36: needs 2,200, has 2,016 (184 over") && l.contains("row"),
        "{l}"
    );
    assert!(!l.contains("external memory:"), "{l}");
    assert!(r.contains("acc 434,176x64"), "{r}");
}

#[test]
fn part_use_places_deep_memories_in_uram_and_names_what_does_not_fit() {
    use spikefab_eda::lookup;
    use spikefab_gen::capacity::{bram36_blocks, part_use, uram_blocks, OnChipMem};
    // a 1K x 36 BRAM36 holds 1024 x 33; 4096 x 80 takes 9 of 4K x 9 (12 of
    // 1K x 36, 16 of 512 x 72); a URAM block is 4K x 72
    assert_eq!(bram36_blocks(1024, 33), 1);
    assert_eq!(bram36_blocks(4096, 80), 9);
    assert_eq!(bram36_blocks(32_768, 1), 1);
    assert_eq!(uram_blocks(4096, 72), 1);
    assert_eq!(uram_blocks(4097, 73), 4);
    let mems = [
        OnChipMem {
            name: "deep",
            depth: 40_000,
            width: 32,
        },
        OnChipMem {
            name: "small",
            depth: 1000,
            width: 20,
        },
        OnChipMem {
            name: "tiny",
            depth: 8,
            width: 500,
        },
    ];
    // xczu7ev: 96 URAM; deep takes 10 per core: 9 cores' copies fit
    let u = part_use(&mems, 10, None, lookup("xczu7ev").unwrap());
    assert_eq!(u.uram, 90);
    assert_eq!(u.in_uram(), ["deep (in 9 of 10 cores)"]);
    // one deep copy in BRAM36 (40 of 1K x 36) and ten small ones (1 each)
    assert_eq!(u.bram36, 40 + 10);
    assert!(u.fits(), "{u}");
    // xc7a35t: no URAM, 50 BRAM36
    let u = part_use(&mems, 10, Some(1 << 20), lookup("xc7a35t").unwrap());
    assert_eq!((u.uram, u.bram36), (0, 410));
    assert!(!u.fits());
    let text = u.to_string();
    assert!(
        text.contains("BRAM36: needs 410, has 50 (360 over; in BRAM36: deep, small)")
            && text.contains("no reference card with external memory"),
        "{text}"
    );
}

#[test]
fn network_counts_match_the_built_synapses() {
    let net = net_file("tiny");
    let c = network_counts(&net);
    let e = engine(&net, &core_cfg(64, 4096, 64), &mesh("1x1"));
    assert_eq!((c.neurons, c.synapses, c.exact), (33, e.syn.len(), true));
    let b = balanced_net(500);
    let c = network_counts(&b);
    let e = engine(&b, &core_cfg(512, 50_000, 512), &mesh("1x1"));
    assert_eq!(c.neurons, 500);
    assert_eq!(c.synapses, e.syn.len(), "fixed in-degree counts are exact");
}

/// The full-scale study config with its row indexes in external memory
/// (examples/hw_pd14_full_ext_idx.toml): no row memory on chip (77,169 x
/// 49 bits per core), the indexes' 6.2 MB in external memory, and the 10
/// cores fit one U55C or one U250.
#[test]
fn pd14_full_scale_with_external_row_indexes_moves_the_row_memory_off_chip() {
    let net = pd14(&Pd14Params::default()).unwrap();
    let c = network_counts(&net);
    let hw = HwConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hw_pd14_full_ext_idx.toml"),
    )
    .unwrap();
    hw.check_mesh().unwrap();
    let on = capacity_report(c.neurons, c.synapses, &ext_full());
    let r = capacity_report(c.neurons, c.synapses, &hw);
    println!("{r}");
    // 49-bit row words in 64-bit lanes, 4 per beat: 19,293 beats per core
    assert!(
        r.contains("row index: in external memory (synapse_store.row_index = \"external\"): every core indexes all 77,169 source neurons in 77,169 lanes of 64 bits = 617,376 bytes (0.59 MiB) per core, 6,173,760 bytes (5.89 MiB) in 10 cores"),
        "{r}"
    );
    assert!(!r.contains(" row 77,169x49"), "{r}");
    assert!(r.contains("fetch (row index ring) 16x72"), "{r}");
    let bram = |report: &str, part: &str| -> u64 {
        let l = report
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{part} (")))
            .unwrap_or_else(|| panic!("no line for {part}"));
        let at = l.find("BRAM36 ").unwrap() + 7;
        l[at..]
            .split(' ')
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap()
    };
    // on the U55C every row memory is in BRAM36, at its cheapest shape 4K x
    // 9: ceil(77,169 / 4,096) x ceil(49 / 9) = 19 x 6 = 114 per core saved
    let saved = bram(&on, "xcu55c") - bram(&r, "xcu55c");
    assert_eq!(saved, 10 * 114, "{saved}");
    // with them off chip, full-scale PD14's 10 cores fit both Alveo parts
    for part in ["xcu55c", "xcu250"] {
        let l = r
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{part} (")))
            .unwrap();
        assert!(l.ends_with(": fits"), "{l}");
    }
}
