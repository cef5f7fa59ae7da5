//! The generator (`spikefab_gen::generate`) on every named hardware config:
//! the output directory lints clean with `verilator --lint-only -Wall` (any
//! message fails) for both tops, every generated text file carries its
//! header, the copied `hdl/` modules are exact copies, the config-only top
//! depends on the config alone, the network is re-quantized with the
//! config's numerics, networks that do not fit are rejected naming the field
//! and the excess, and the output for every named config matches the
//! goldens in `gen/golden/<config>/`.
//!
//! Goldens: `SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test generate
//! output_matches_goldens` rewrites `gen/golden/` from the current generator
//! (review the diff).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use spikefab_gen::build_core_model;
use spikefab_gen::generate::{self, GenOptions};
use spikefab_gen::hash::{fnv1a64, hex64};
use spikefab_gen::hwconfig::{known_configs, HwConfig};
use spikefab_gen::manifest::{
    config_hash, header, manifest_params, network_header, Manifest, MANIFEST, NET_TOP, TOP,
};
use spikefab_gen::model;
use spikefab_gen::GenError;
use spikefab_gen::{Fault, FaultKind};
use spikefab_hdl::sources;
use spikefab_sim::load::load_str;
use spikefab_sim::models::{balanced, BalancedParams};
use spikefab_sim::Network;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn net_file(name: &str) -> Network {
    let p = root().join("tests/nets").join(format!("{name}.toml"));
    let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    load_str(&text, &p.display().to_string()).unwrap_or_else(|e| panic!("load {name}: {e:?}"))
}

/// The fixed small static network of the tests and goldens (33 neurons, 330 synapses).
fn tiny() -> Network {
    net_file("tiny")
}

/// `tiny` with STDP on two of its four projections (200 plastic synapses).
fn tiny_stdp() -> Network {
    net_file("tiny_stdp")
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

/// The network each named config is generated (and blessed) with.
fn network_for(config: &str) -> Network {
    match config {
        "stdp" => tiny_stdp(),
        // one core of a delay-group config holds delays up to its ring's
        // span only (4 steps on ext_dg): tiny with every delay 0.3 ms
        "ext_dg" => {
            let mut n = tiny();
            for p in &mut n.projections {
                p.delay = Some(spikefab_sim::net::DelayDist {
                    mean_ms: 0.3,
                    sd_ms: 0.0,
                });
            }
            n
        }
        _ => tiny(),
    }
}

fn named(name: &str) -> HwConfig {
    HwConfig::named(name).unwrap_or_else(|e| panic!("{e}"))
}

/// `verilator --lint-only -Wall` over every `*.v` of `dir` with `top` as
/// the top module; any output fails.
fn lint(dir: &Path, top: &str) {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    files.sort();
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .arg("--top-module")
        .arg(top)
        .args(&files)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("verilator not runnable ({e}); install it: apt-get install verilator")
        });
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && log.trim().is_empty(),
        "verilator -Wall --top-module {top} on {}:\n{log}",
        dir.display()
    );
}

/// Every file of `dir` (sorted names).
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The headers on every generated text file (config files name the config
/// hash, network files both hashes); the copies of `hdl/` intact.
fn check_headers(dir: &Path, m: &Manifest) {
    let chead = header(&m.hashes.config);
    let nhead = network_header(&m.hashes.config, &m.hashes.network);
    let mut written = m.files.clone();
    written.sort();
    assert_eq!(
        files(dir),
        written,
        "files in the directory vs the manifest"
    );
    let mut split: Vec<String> = m
        .config_files
        .iter()
        .chain(&m.network_files)
        .cloned()
        .collect();
    split.sort();
    assert_eq!(split, written, "config_files + network_files = files");
    for f in &m.files {
        if f.ends_with(".bin") {
            // a raw external-memory image: no header; the manifest's hash and size
            let x = m
                .ext_memory
                .as_ref()
                .expect("a .bin file only with ext_memory");
            assert_eq!(&x.file, f);
            let bytes = fs::read(dir.join(f)).expect("read");
            assert_eq!(bytes.len() as u64, x.bytes, "{f}");
            assert_eq!(hex64(fnv1a64(&bytes)), x.hash, "{f}");
            assert!(m.network_files.contains(f), "{f} is a network file");
            continue;
        }
        let text = fs::read_to_string(dir.join(f)).expect("read");
        if f == MANIFEST {
            let v: serde_json::Value = serde_json::from_str(&text).expect("manifest json");
            assert_eq!(
                v["generated"].as_str(),
                Some(nhead.trim_start_matches("// ")),
                "manifest header"
            );
            continue;
        }
        let want = if m.config_files.contains(f) {
            &chead
        } else {
            &nhead
        };
        assert_eq!(
            text.lines().next(),
            Some(want.as_str()),
            "{f}: first line must be the header"
        );
    }
    for s in sources::CORE {
        let (f, src) = (s.file, s.text);
        let text = fs::read_to_string(dir.join(f)).expect("read copy");
        let orig = fs::read_to_string(root().join("../hdl").join(f)).expect("read hdl");
        assert_eq!(
            src, orig,
            "{f}: compiled-in copy differs from hdl/{f} (rebuild)"
        );
        assert!(text.ends_with(&orig), "{f}: not a copy of hdl/{f}");
        assert_eq!(text.lines().count(), orig.lines().count() + 2, "{f}");
    }
}

fn gen_ok(net: &Network, hw: &HwConfig, dir: &Path) -> Manifest {
    let m = generate::generate(net, hw, dir)
        .unwrap_or_else(|e| panic!("generate on '{}': {e}", hw.name));
    lint(dir, NET_TOP);
    lint(dir, TOP);
    check_headers(dir, &m);
    m
}

fn read(dir: &Path, f: &str) -> String {
    fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("read {f}: {e}"))
}

#[test]
fn every_named_config_generates_lint_clean_rtl() {
    let mut clean = 0;
    for name in known_configs() {
        let hw = named(name);
        let net = network_for(name);
        let tmp = tempfile::tempdir().unwrap();
        let m = gen_ok(&net, &hw, tmp.path());
        clean += 1;
        assert_eq!(m.network.neurons, 33);
        assert_eq!(m.network.synapses, 330);
        // the top's core parameters are the config's
        let top = read(tmp.path(), &format!("{TOP}.v"));
        for p in manifest_params(&hw.core_params(None).config_params()) {
            assert!(
                top.contains(&format!(".{}({})", p.name, p.value)),
                "{name}: {TOP}.v lacks .{}({})",
                p.name,
                p.value
            );
        }
        assert_eq!(
            m.parameters,
            manifest_params(&hw.core_params(None).config_params()),
            "{name}"
        );
        assert_eq!(
            top.contains("obs_valid_o,") || top.contains("obs_valid_o\n"),
            hw.observe,
            "{name}: observation ports iff observe"
        );
        // the manifest's ports are the top's port list, declaration by declaration
        for p in &m.ports {
            assert!(
                top.lines().any(|l| l.trim_start().starts_with(&p.decl())
                    && l.trim_end()
                        .trim_end_matches(',')
                        .ends_with(&format!(" {}", p.name))),
                "{name}: manifest port {} ({}) not declared in {TOP}.v",
                p.name,
                p.decl()
            );
        }
        assert_eq!(
            m.ports.len(),
            top.lines()
                .take_while(|l| !l.starts_with(");"))
                .filter(|l| l.trim_start().starts_with("input ")
                    || l.trim_start().starts_with("output "))
                .count(),
            "{name}: the manifest lists every port of {TOP}"
        );
        // the manifest's layouts describe the image lines
        for mem in &m.memories {
            let text = read(tmp.path(), &mem.file);
            let words: Vec<&str> = text.lines().skip(1).collect();
            assert_eq!(words.len() as u64, mem.words, "{name} {}", mem.file);
            assert!(mem.words <= mem.depth, "{name} {}", mem.file);
            let digits = (mem.width as usize).div_ceil(4);
            assert!(
                words.iter().all(|w| w.len() == digits),
                "{name} {}: words of {digits} hex digits",
                mem.file
            );
        }
        // the external store: AXI ports, parameters and the region file
        // only on an external config; no syn image there
        let ext = hw.synapse_store.is_some();
        assert_eq!(
            m.ports.iter().any(|p| p.name == "m_axi_araddr_o"),
            ext,
            "{name}: memory ports on the top iff external"
        );
        let idx = hw
            .synapse_store
            .is_some_and(|x| x.row_index == spikefab_gen::hwconfig::RowIndex::External);
        assert_eq!(top.contains(".SYN_EXT(1)"), ext && !idx, "{name}");
        assert_eq!(top.contains(".SYN_EXT(2)"), idx, "{name}");
        assert_eq!(top.contains("parameter SYN_MEM_FILE"), !ext, "{name}");
        assert_eq!(top.contains("parameter ROW_MEM_FILE"), !idx, "{name}");
        assert_eq!(
            m.memories.iter().any(|x| x.name == "row"),
            !idx,
            "{name}: row image iff the row index is on chip"
        );
        assert_eq!(
            m.memories.iter().any(|x| x.name == "syn"),
            !ext,
            "{name}: syn image iff on chip"
        );
        assert_eq!(m.ext_memory.is_some(), ext, "{name}");
        if !ext {
            assert!(
                top.contains(".m_axi_rdata_i(256'd0)")
                    && top.contains("wire unused_mem = &{1'b0, unused_m_axi_arvalid,"),
                "{name}: the memory ports tied off"
            );
        }
        let stdp_images = ["rule", "stdp", "inc_row", "inc"]
            .iter()
            .filter(|i| m.memories.iter().any(|x| x.name == **i))
            .count();
        assert_eq!(stdp_images, if hw.stdp { 4 } else { 0 }, "{name}");
    }
    assert!(clean >= 4, "at least four named configs lint clean");
}

#[test]
fn named_configs_cover_odd_sizes_and_widths() {
    let all: Vec<HwConfig> = known_configs().into_iter().map(named).collect();
    assert!(all.iter().any(|c| c.neurons_per_core == 1000));
    assert!(all
        .iter()
        .any(|c| c.stdp && !c.neurons_per_core.is_power_of_two()));
    assert!(all.iter().any(|c| !c.observe));
    let w7 = named("w7");
    assert_eq!(
        (
            w7.numerics.w_bits,
            w7.numerics.v_bits,
            w7.numerics.i_bits,
            w7.numerics.acc_bits,
            w7.slots()
        ),
        (7, 21, 19, 17, 17)
    );
    // the built-in balanced network (1250 neurons) fits some config
    let net = balanced_net(1250);
    assert!(all.iter().any(|c| build_core_model(&net, c, 0).is_ok()));
}

#[test]
fn balanced_network_on_balanced_config() {
    let hw = named("balanced");
    let tmp = tempfile::tempdir().unwrap();
    let m = gen_ok(&balanced_net(1250), &hw, tmp.path());
    assert_eq!(m.network.neurons, 1250);
    assert_eq!(m.network.synapses, 156_250);
    assert!(m.usage.iter().all(|u| u.used <= u.capacity));
    let syn = m.memories.iter().find(|x| x.name == "syn").unwrap();
    assert_eq!((syn.depth, syn.words), (156_250, 156_250));
}

#[test]
fn balanced_1000_fits_the_7_bit_config() {
    let hw = named("w7");
    let e = build_core_model(&balanced_net(1000), &hw, 0)
        .unwrap_or_else(|e| panic!("balanced --n 1000 on w7: {e}"));
    assert_eq!(e.model.neurons, 1000);
    assert_eq!(e.model.numerics, hw.numerics);
    assert!(e.syn.len() <= hw.syn_depth);
    assert!(e.syn.weight.iter().all(|&w| (-64..=63).contains(&w)));
}

#[test]
fn top_is_a_function_of_the_config_only() {
    let hw = named("stdp");
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let ma = generate::generate(&tiny(), &hw, a.path()).unwrap();
    let mut other = tiny_stdp();
    other.simulation.seed += 1;
    let mb = generate::generate(&other, &hw, b.path()).unwrap();
    assert_eq!(ma.hashes.config, mb.hashes.config);
    assert_ne!(ma.hashes.network, mb.hashes.network);
    assert_ne!(ma.hashes.images, mb.hashes.images);
    for f in &ma.config_files {
        assert_eq!(
            read(a.path(), f),
            read(b.path(), f),
            "config file {f} depends on the network"
        );
    }
    assert_ne!(read(a.path(), "syn.hex"), read(b.path(), "syn.hex"));
    assert_ne!(
        read(a.path(), &format!("{NET_TOP}.v")),
        read(b.path(), &format!("{NET_TOP}.v"))
    );
    // another config: another top and hash
    let mc = generate::generate(&tiny(), &named("odd"), c.path()).unwrap();
    assert_ne!(mc.hashes.config, ma.hashes.config);
    assert_ne!(
        read(a.path(), "spikefab_top.v"),
        read(c.path(), "spikefab_top.v")
    );
}

#[test]
fn config_hash_tracks_every_config_field_and_the_fault() {
    let base = named("small");
    let h0 = config_hash(&base, None);
    let mut variants = vec![
        HwConfig {
            max_pops: 5,
            ..base.clone()
        },
        HwConfig {
            syn_depth: 4095,
            ..base.clone()
        },
        HwConfig {
            observe: false,
            ..base.clone()
        },
        HwConfig {
            stdp: true,
            ..base.clone()
        },
    ];
    let mut nc = base.clone();
    nc.numerics.w_bits = 15;
    variants.push(nc);
    let mut nc = base.clone();
    nc.numerics.max_delay_steps = 62;
    variants.push(nc);
    let ext = named("ext").synapse_store.expect("ext is external");
    variants.push(HwConfig {
        synapse_store: Some(ext),
        ..base.clone()
    });
    let mut x = ext;
    x.outstanding = 8;
    variants.push(HwConfig {
        synapse_store: Some(x),
        ..base.clone()
    });
    let mut x = ext;
    x.channels = 2;
    variants.push(HwConfig {
        synapse_store: Some(x),
        ..base.clone()
    });
    for v in &variants {
        assert_ne!(config_hash(v, None), h0, "{v:?}");
    }
    let f = Fault {
        kind: FaultKind::DropSpike,
        step: 3,
    };
    let g = Fault { step: 4, ..f };
    assert_ne!(config_hash(&base, Some(&f)), h0);
    assert_ne!(config_hash(&base, Some(&f)), config_hash(&base, Some(&g)));
    assert_eq!(config_hash(&base, None), h0, "deterministic");
}

#[test]
fn an_on_chip_config_serializes_without_a_synapse_store() {
    // so that the config hash of every on-chip config stays what it was
    // before the external store existed (the goldens' headers hold it)
    for name in known_configs() {
        let hw = named(name);
        let json = serde_json::to_string(&hw).unwrap();
        assert_eq!(
            json.contains("synapse_store"),
            hw.synapse_store.is_some(),
            "{name}: {json}"
        );
        if hw.synapse_store.is_some() {
            assert!(
                json.contains("\"synapse_store\":{\"kind\":\"external\""),
                "{json}"
            );
        }
    }
}

#[test]
fn a_plastic_network_on_an_external_config_is_refused_off_chip() {
    let err = generate::generate(
        &tiny_stdp(),
        &named("ext_odd"),
        tempfile::tempdir().unwrap().path(),
    )
    .unwrap_err();
    assert!(matches!(err, GenError::PlasticOffChip { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "network 'gen_tiny_stdp' has plastic projections (E->E, E->I); hw config 'ext_odd' keeps \
         its synapses in external memory: plastic synapses off chip are not supported yet (no \
         weight write-back): use an on-chip synapse store"
    );
}

#[test]
fn padded_rows_beyond_syn_depth_name_the_field_and_the_excess() {
    // tiny on ext_odd: 330 synapses take 395 lanes (5 per beat, 33 rows)
    let hw = named("ext_odd");
    let tmp = tempfile::tempdir().unwrap();
    let m = generate::generate(&tiny(), &hw, tmp.path()).unwrap();
    let x = m.ext_memory.as_ref().unwrap();
    assert_eq!((x.synapses, x.lanes, x.lanes_used), (330, 5, 395));
    // 394 lanes hold the 330 synapses but not their padded rows
    expect_misfit(
        &tiny(),
        HwConfig {
            syn_depth: 394,
            ..hw
        },
        "syn_depth",
        395,
        394,
    );
}

#[test]
fn the_external_image_is_the_syn_image_laid_out_in_beats() {
    // ext_odd and odd differ only in the store: the same synapse words
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let on = generate::generate(&tiny(), &named("odd"), a.path()).unwrap();
    let off = gen_ok(&tiny(), &named("ext_odd"), b.path());
    let syn: Vec<u64> = read(a.path(), "syn.hex")
        .lines()
        .skip(1)
        .map(|l| u64::from_str_radix(l, 16).unwrap())
        .collect();
    let rows_on: Vec<(u64, u64)> = read(a.path(), "row.hex")
        .lines()
        .skip(1)
        .map(|l| {
            let w = u64::from_str_radix(l, 16).unwrap();
            let pw = on
                .memories
                .iter()
                .find(|m| m.name == "row")
                .unwrap()
                .layout
                .fields[0]
                .bits;
            (w & ((1 << pw) - 1), w >> pw)
        })
        .collect();
    let x = off.ext_memory.as_ref().unwrap();
    let bytes = fs::read(b.path().join(&x.file)).unwrap();
    let row_layout = &off
        .memories
        .iter()
        .find(|m| m.name == "row")
        .unwrap()
        .layout;
    let field = |w: u64, i: usize| {
        let f = &row_layout.fields[i];
        (w >> f.lsb) & ((1 << f.bits) - 1)
    };
    let word = |beat: u64, lane: u64| {
        let first = beat * x.beat_bytes * 8 + lane * u64::from(x.syn_w);
        (0..u64::from(x.syn_w)).fold(0u64, |acc, i| {
            let bit = first + i;
            acc | (u64::from((bytes[(bit / 8) as usize] >> (bit % 8)) & 1) << i)
        })
    };
    let mut checked = 0;
    for (j, line) in read(b.path(), "row.hex").lines().skip(1).enumerate() {
        let w = u64::from_str_radix(line, 16).unwrap();
        let (start, beats, last) = (field(w, 0), field(w, 2), field(w, 1));
        let (s, e) = rows_on[j];
        let n = e - s;
        assert_eq!(beats, n.div_ceil(x.lanes), "row {j}");
        assert_eq!(
            last,
            if n == 0 { 0 } else { n - (beats - 1) * x.lanes },
            "row {j}"
        );
        for k in 0..n {
            assert_eq!(
                word(start + k / x.lanes, k % x.lanes),
                syn[(s + k) as usize],
                "row {j} synapse {k}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 330);
}

#[test]
fn network_is_requantized_with_the_configs_numerics() {
    let net = tiny();
    let hw = named("small");
    let e = build_core_model(&net, &hw, 0).unwrap();
    assert_eq!(e.model.numerics, hw.numerics);
    assert_ne!(net.numerics, hw.numerics);
    let tmp = tempfile::tempdir().unwrap();
    let m = generate::generate(&net, &hw, tmp.path()).unwrap();
    assert!(
        m.numerics_source
            .starts_with("numerics from hw config 'small' (network's [numerics] overridden: ")
            && m.numerics_source.contains("w_bits 11 -> 16")
            && m.numerics_source.contains("max_delay_steps 6 -> 63"),
        "{}",
        m.numerics_source
    );
    let nc = hw.numerics;
    let state = m.memories.iter().find(|x| x.name == "state").unwrap();
    assert_eq!(state.width, nc.v_bits + 2 * nc.i_bits + nc.ref_bits);
    // equal numerics: said so
    let mut same = net.clone();
    same.numerics = hw.numerics;
    assert_eq!(
        model::numerics_note(&same, &hw),
        "numerics from hw config 'small' (equal to the network's [numerics])"
    );
    assert_eq!(model::apply_numerics(&net, &hw).numerics, hw.numerics);
}

#[test]
fn network_delays_beyond_the_configs_slots_name_the_projection() {
    let mut hw = named("small");
    hw.numerics.max_delay_steps = 5;
    let err = generate::generate(&tiny(), &hw, tempfile::tempdir().unwrap().path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("with the numerics of hw config 'small'")
            && err.contains("projection \"I->I\" (#3)")
            && err.contains("delay above the maximum"),
        "{err}"
    );
}

#[test]
fn plastic_network_on_a_static_config_names_both() {
    let err = generate::generate(
        &tiny_stdp(),
        &named("small"),
        tempfile::tempdir().unwrap().path(),
    )
    .unwrap_err();
    assert!(matches!(err, GenError::Plastic { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "network 'gen_tiny_stdp' has plastic projections (E->E, E->I); hw config 'small' has \
         stdp = false (use a config with stdp = true, e.g. --hw stdp)"
    );
}

#[test]
fn plastic_network_on_the_stdp_config_gets_stdp_images_and_trace_decays() {
    let hw = named("stdp");
    let tmp = tempfile::tempdir().unwrap();
    let m = gen_ok(&tiny_stdp(), &hw, tmp.path());
    assert_eq!(m.network.plastic_synapses, 200);
    for f in ["rule.hex", "stdp.hex", "inc_row.hex", "inc.hex"] {
        assert!(m.network_files.iter().any(|x| x == f), "{f}");
    }
    let e = build_core_model(&tiny_stdp(), &hw, 0).unwrap();
    let t = e.model.traces.as_ref().unwrap();
    let net_top = read(tmp.path(), &format!("{NET_TOP}.v"));
    let cb = hw.numerics.coef_bits;
    assert!(
        net_top.contains(&format!(".P_PLUS({cb}'d{})", t.p_plus)),
        "{net_top}"
    );
    assert!(
        net_top.contains(&format!(".P_MINUS({cb}'d{})", t.p_minus)),
        "{net_top}"
    );
    assert!(net_top.contains(".N_ACTIVE(33)"), "{net_top}");
    assert!(net_top.contains(".INC_MEM_FILE(\"inc.hex\")"), "{net_top}");
    assert!(read(tmp.path(), "spikefab_top.v").contains(".PLASTIC(1)"));
}

#[test]
fn observe_off_keeps_the_observation_ports_off_the_top() {
    let hw = HwConfig {
        observe: false,
        ..named("odd")
    };
    let tmp = tempfile::tempdir().unwrap();
    gen_ok(&tiny(), &hw, tmp.path());
    for f in ["spikefab_top.v", "spikefab_net.v"] {
        let text = read(tmp.path(), f);
        let header_end = text.find(");").unwrap();
        assert!(
            !text[..header_end].contains("obs_"),
            "{f}: observation port on the top"
        );
    }
    let top = read(tmp.path(), "spikefab_top.v");
    assert!(
        top.contains("wire unused_obs = &{1'b0, obs_valid,"),
        "{top}"
    );
    assert!(top.contains(".wobs_new_o(wobs_new)"), "{top}");
}

/// `generate` fails with exactly one misfit on `field`, needing `need`
/// where the config holds `cap`, and writes nothing.
fn expect_misfit(net: &Network, hw: HwConfig, field: &str, need: u64, cap: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let err = generate::generate(net, &hw, tmp.path()).unwrap_err();
    let text = err.to_string();
    match &err {
        GenError::DoesNotFit { misfits, .. } => {
            assert_eq!(misfits.len(), 1, "{text}");
            assert_eq!(misfits[0].field, field, "{text}");
            assert_eq!(
                (misfits[0].need, misfits[0].capacity),
                (need, cap),
                "{text}"
            );
        }
        e => panic!("expected DoesNotFit for {field}, got {e}"),
    }
    assert!(
        text.contains(field) && text.contains(&format!("({} over)", need - cap)),
        "{text}"
    );
    assert!(
        text.contains(&format!("does not fit hw config '{}'", hw.name)),
        "{text}"
    );
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing is written for a network that does not fit"
    );
}

#[test]
fn capacity_errors_name_the_field_and_the_excess() {
    let net = tiny();
    let base = named("small");
    expect_misfit(
        &net,
        HwConfig {
            syn_depth: 329,
            ..base.clone()
        },
        "syn_depth",
        330,
        329,
    );
    expect_misfit(
        &net,
        HwConfig {
            max_pops: 1,
            ..base.clone()
        },
        "max_pops",
        2,
        1,
    );
    let stdp = named("stdp");
    expect_misfit(
        &tiny_stdp(),
        HwConfig {
            n_rules: 3,
            ..stdp.clone()
        },
        "n_rules",
        4,
        3,
    );
    expect_misfit(
        &tiny_stdp(),
        HwConfig {
            inc_depth: 199,
            ..stdp.clone()
        },
        "inc_depth",
        200,
        199,
    );
    // the balanced network is one neuron too big for a config of 1249
    let hw = HwConfig {
        neurons_per_core: 1249,
        max_rows: 1249,
        ..named("balanced")
    };
    let err = generate::generate(
        &balanced_net(1250),
        &hw,
        tempfile::tempdir().unwrap().path(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("neurons: the network needs 1250, neurons_per_core is 1249 (1 over)")
            && err.contains("max_rows is 1249 (1 over)"),
        "{err}"
    );
}

#[test]
fn an_invalid_config_built_in_code_is_an_error_naming_the_field() {
    // fewer rows than neurons: max_rows must cover at least the core's own
    let hw = HwConfig {
        max_rows: 127,
        ..named("small")
    };
    let err = generate::generate(&tiny(), &hw, tempfile::tempdir().unwrap().path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("hw config 'small'") && err.contains("max_rows = 127"),
        "{err}"
    );
}

#[test]
fn fault_sets_the_core_parameters_and_the_config_hash() {
    let hw = named("small");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let plain = generate::generate(&tiny(), &hw, a.path()).unwrap();
    let fault: Fault = "drop-spike@7".parse().unwrap();
    let opts = GenOptions {
        fault: Some(fault),
        ..GenOptions::default()
    };
    let m = generate::generate_with(&tiny(), &hw, b.path(), &opts).unwrap();
    lint(b.path(), NET_TOP);
    assert_ne!(m.hashes.config, plain.hashes.config);
    assert_eq!(m.fault, Some(fault));
    let top = read(b.path(), "spikefab_top.v");
    assert!(
        top.contains(".FAULT(2)") && top.contains(".FAULT_STEP(7)"),
        "{top}"
    );
    assert!(top.contains("FAULT INJECTED"), "{top}");
    assert!(read(a.path(), "spikefab_top.v").contains(".FAULT(0)"));
    // a weight-write fault needs the STDP core
    let skip = GenOptions {
        fault: Some("skip-weight-write@3".parse().unwrap()),
        ..GenOptions::default()
    };
    let err = generate::generate_with(&tiny(), &hw, tempfile::tempdir().unwrap().path(), &skip)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("skip-weight-write@3") && err.contains("stdp = false"),
        "{err}"
    );
    let c = tempfile::tempdir().unwrap();
    generate::generate_with(&tiny_stdp(), &named("stdp"), c.path(), &skip).unwrap();
    assert!(read(c.path(), "spikefab_top.v").contains(".FAULT(3)"));
}

#[test]
fn fault_text_parses_kind_and_step() {
    for k in FaultKind::ALL {
        let f: Fault = format!("{}@12", k.name()).parse().unwrap();
        assert_eq!((f.kind, f.step), (k, 12));
        assert_eq!(f.to_string(), format!("{}@12", k.name()));
    }
    for bad in ["rounding", "bogus@1", "rounding@x", "rounding@-1", "@3"] {
        let e = bad.parse::<Fault>().unwrap_err().to_string();
        assert!(e.contains(bad) && e.contains("drop-spike"), "{e}");
    }
}

#[test]
fn generation_is_deterministic_across_thread_counts() {
    let net = tiny();
    let hw = named("small");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let one = GenOptions {
        threads: 1,
        ..GenOptions::default()
    };
    let four = GenOptions {
        threads: 4,
        ..GenOptions::default()
    };
    let ma = generate::generate_with(&net, &hw, a.path(), &one).unwrap();
    let mb = generate::generate_with(&net, &hw, b.path(), &four).unwrap();
    assert_eq!(ma.hashes, mb.hashes);
    for f in &ma.files {
        assert_eq!(
            fs::read(a.path().join(f)).unwrap(),
            fs::read(b.path().join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
}

/// Configs with committed goldens: (config, images committed too). The
/// network is [`network_for`]; configs with large capacities keep only the
/// tops and the manifest.
const GOLDEN: [(&str, bool); 15] = [
    ("default", false),
    ("small", true),
    ("odd", true),
    ("stdp", true),
    ("w7", true),
    ("balanced", false),
    ("wide", false),
    ("mesh", true),
    ("ext", false),
    ("ext_mesh", false),
    ("ext_odd", true),
    ("ext_idx", true),
    ("ext_idx_mesh", false),
    ("ext_dg", true),
    ("ext_idx_mesh_dg", false),
];

/// Generated files compared with the goldens (the copies of `hdl/` are
/// checked against `hdl/` instead, so that an edit there does not need a
/// re-bless; images only where `images`).
fn golden_files(m: &Manifest, images: bool) -> Vec<String> {
    m.files
        .iter()
        .filter(|f| !sources::CORE.iter().any(|c| c.file == f.as_str()))
        .filter(|f| images || !(f.ends_with(".hex") || f.ends_with(".bin")))
        .cloned()
        .collect()
}

#[test]
fn golden_list_covers_every_named_config() {
    let mut g: Vec<&str> = GOLDEN.iter().map(|(c, _)| *c).collect();
    let mut k = known_configs();
    g.sort();
    k.sort();
    assert_eq!(g, k);
}

#[test]
fn output_matches_goldens() {
    let bless = std::env::var("SPIKEFAB_BLESS").is_ok_and(|v| v == "1");
    let mut problems = Vec::new();
    for (cfg, images) in GOLDEN {
        let hw = named(cfg);
        let tmp = tempfile::tempdir().unwrap();
        let m = generate::generate(&network_for(cfg), &hw, tmp.path()).unwrap();
        let gdir = root().join("golden").join(cfg);
        let want = golden_files(&m, images);
        if bless {
            let _ = fs::remove_dir_all(&gdir);
            fs::create_dir_all(&gdir).unwrap();
            for f in &want {
                fs::copy(tmp.path().join(f), gdir.join(f)).unwrap();
            }
            continue;
        }
        let have: Vec<String> = if gdir.is_dir() {
            files(&gdir)
        } else {
            Vec::new()
        };
        let mut want_sorted = want.clone();
        want_sorted.sort();
        if have != want_sorted {
            problems.push(format!(
                "{cfg}: golden files {have:?}, generated {want_sorted:?}"
            ));
            continue;
        }
        for f in &want {
            if f.ends_with(".bin") {
                let (got, exp) = (
                    fs::read(tmp.path().join(f)).unwrap(),
                    fs::read(gdir.join(f)).unwrap(),
                );
                if got != exp {
                    problems.push(format!(
                        "{cfg}/{f}: the raw image differs ({} bytes generated, {} golden)",
                        got.len(),
                        exp.len()
                    ));
                }
                continue;
            }
            let got = read(tmp.path(), f);
            let exp = read(&gdir, f);
            if got == exp {
                continue;
            }
            let (k, (e, g)) = exp
                .lines()
                .map(Some)
                .chain(std::iter::repeat(None))
                .zip(got.lines().map(Some).chain(std::iter::repeat(None)))
                .enumerate()
                .find(|(_, (e, g))| e != g)
                .expect("a differing line");
            problems.push(format!(
                "{cfg}/{f}: first difference at line {}:\n  golden:    {}\n  generated: {}\n  \
                 (diff: cargo run -- gen gen/tests/nets/{}.toml --hw {cfg} -o /tmp/g && diff -r gen/golden/{cfg} /tmp/g)",
                k + 1,
                e.unwrap_or("<end of file>"),
                g.unwrap_or("<end of file>"),
                if cfg == "stdp" { "tiny_stdp" } else { "tiny" }
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "generated output differs from gen/golden/ (if intended, re-bless with \
         SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test generate output_matches_goldens \
         and review the diff):\n{}",
        problems.join("\n")
    );
}
