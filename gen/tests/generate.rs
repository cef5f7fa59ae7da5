//! The generator (`spikefab_gen::generate`) on every named hardware config:
//! the output directory lints clean with `verilator --lint-only -Wall`
//! (any message fails), every generated text file carries the header, the
//! copied `hdl/` modules are exact copies, networks that do not fit are
//! rejected naming the field and the excess, and the output for two configs
//! matches the goldens in `gen/golden/<config>/` byte for byte.
//!
//! Goldens: `SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test generate`
//! rewrites `gen/golden/` from the current generator (review the diff).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use spikefab_gen::generate::{self, header, CORE_SOURCES, MANIFEST, TOP};
use spikefab_gen::hwconfig::{known_configs, HwConfig};
use spikefab_gen::GenError;
use spikefab_sim::load::load_str;
use spikefab_sim::models::{balanced, BalancedParams};
use spikefab_sim::Network;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The fixed small network of the tests and goldens (33 neurons, 330 synapses).
fn tiny() -> Network {
    let p = root().join("tests/nets/tiny.toml");
    let text = fs::read_to_string(&p).expect("read tiny.toml");
    load_str(&text, &p.display().to_string()).expect("load tiny.toml")
}

fn balanced_net() -> Network {
    let mut net = balanced(&BalancedParams::default()).expect("balanced");
    net.name = Some("balanced".into());
    net
}

/// `verilator --lint-only -Wall` over every `*.v` of `dir`; any output fails.
fn lint(dir: &Path) {
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
        .arg(TOP)
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
        "verilator -Wall on {}:\n{log}",
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

/// The header on every generated text file; the copies of `hdl/` intact.
fn check_headers(dir: &Path, m: &generate::Manifest) {
    let head = header(&m.hashes.config);
    let mut written = m.files.clone();
    written.sort();
    assert_eq!(
        files(dir),
        written,
        "files in the directory vs the manifest"
    );
    for f in &m.files {
        let text = fs::read_to_string(dir.join(f)).expect("read");
        if f == MANIFEST {
            let v: serde_json::Value = serde_json::from_str(&text).expect("manifest json");
            assert_eq!(
                v["generated"].as_str(),
                Some(head.trim_start_matches("// ")),
                "manifest header"
            );
        } else {
            assert_eq!(
                text.lines().next(),
                Some(head.as_str()),
                "{f}: first line must be the header"
            );
        }
    }
    for (f, src) in CORE_SOURCES {
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

fn gen_ok(net: &Network, hw: &HwConfig, dir: &Path) -> generate::Manifest {
    let m = generate::generate(net, hw, dir)
        .unwrap_or_else(|e| panic!("generate on '{}': {e}", hw.name));
    lint(dir);
    check_headers(dir, &m);
    m
}

#[test]
fn every_named_config_generates_lint_clean_output() {
    let net = tiny();
    for name in known_configs() {
        let hw = HwConfig::named(name).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let m = gen_ok(&net, &hw, tmp.path());
        assert_eq!(m.network.neurons, 33);
        assert_eq!(m.network.synapses, 330);
        let depth = m
            .parameters
            .iter()
            .find(|p| p.name == "SYN_DEPTH")
            .unwrap()
            .value as u64;
        match hw.syn_sizing {
            spikefab_gen::hwconfig::SynSizing::Network => assert_eq!(depth, 330, "{name}"),
            spikefab_gen::hwconfig::SynSizing::Capacity => {
                assert_eq!(depth, hw.syn_depth, "{name}")
            }
        }
        // the manifest's layouts describe the image lines
        for mem in &m.memories {
            let text = fs::read_to_string(tmp.path().join(&mem.file)).unwrap();
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
    }
}

#[test]
fn balanced_network_on_balanced_config() {
    let hw = HwConfig::named("balanced").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let m = gen_ok(&balanced_net(), &hw, tmp.path());
    assert_eq!(m.network.neurons, 1250);
    assert_eq!(m.network.synapses, 156_250);
    assert!(m.usage.iter().all(|u| u.used <= u.capacity));
    let syn = m.memories.iter().find(|x| x.name == "syn").unwrap();
    assert_eq!((syn.depth, syn.words), (156_250, 156_250));
}

/// `hw` with one capacity set to `need - 1`.
fn expect_misfit(net: &Network, hw: HwConfig, field: &str, need: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let err = generate::generate(net, &hw, tmp.path()).unwrap_err();
    let text = err.to_string();
    match &err {
        GenError::DoesNotFit { misfits, .. } => {
            assert_eq!(misfits.len(), 1, "{text}");
            assert_eq!(misfits[0].field, field, "{text}");
            assert_eq!(misfits[0].need, need, "{text}");
            assert_eq!(misfits[0].capacity, need - 1, "{text}");
        }
        e => panic!("expected DoesNotFit for {field}, got {e}"),
    }
    assert!(
        text.contains(field) && text.contains("(1 over)") && text.contains("one core, static"),
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
    let base = HwConfig::named("small").unwrap();
    expect_misfit(
        &net,
        HwConfig {
            neurons_per_core: 32,
            max_rows: 33,
            ..base.clone()
        },
        "neurons_per_core",
        33,
    );
    expect_misfit(
        &net,
        HwConfig {
            max_rows: 32,
            ..base.clone()
        },
        "max_rows",
        33,
    );
    expect_misfit(
        &net,
        HwConfig {
            syn_depth: 329,
            ..base.clone()
        },
        "syn_depth",
        330,
    );
    expect_misfit(
        &net,
        HwConfig {
            max_pops: 1,
            ..base.clone()
        },
        "max_pops",
        2,
    );
    expect_misfit(
        &net,
        HwConfig {
            max_slots: 6,
            ..base.clone()
        },
        "max_slots",
        7,
    );
    // the balanced network is one neuron too big for a config of 1249
    let hw = HwConfig {
        neurons_per_core: 1249,
        ..HwConfig::named("balanced").unwrap()
    };
    let err = generate::generate(&balanced_net(), &hw, tempfile::tempdir().unwrap().path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("neurons: the network needs 1250, neurons_per_core is 1249 (1 over)"),
        "{err}"
    );
}

#[test]
fn plastic_networks_are_rejected() {
    let p = root().join("../examples/stdp_pair.toml");
    let net = load_str(&fs::read_to_string(&p).unwrap(), "stdp_pair.toml").unwrap();
    let err = generate::generate(
        &net,
        &HwConfig::default(),
        tempfile::tempdir().unwrap().path(),
    )
    .unwrap_err();
    assert!(matches!(err, GenError::Plastic { .. }), "{err}");
    assert!(err.to_string().contains("static networks only"), "{err}");
}

#[test]
fn generation_is_deterministic_and_hash_tracks_inputs() {
    let net = tiny();
    let hw = HwConfig::named("small").unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ma = generate::generate_with_threads(&net, &hw, a.path(), 1).unwrap();
    let mb = generate::generate_with_threads(&net, &hw, b.path(), 4).unwrap();
    assert_eq!(ma.hashes, mb.hashes);
    for f in &ma.files {
        assert_eq!(
            fs::read(a.path().join(f)).unwrap(),
            fs::read(b.path().join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
    let mut net2 = net.clone();
    net2.simulation.seed += 1;
    assert_ne!(generate::hashes(&net2, &hw).config, ma.hashes.config);
    let hw2 = HwConfig {
        max_pops: 5,
        ..hw.clone()
    };
    assert_ne!(generate::hashes(&net, &hw2).config, ma.hashes.config);
}

/// Configs with committed goldens of the tiny network.
const GOLDEN: [&str; 2] = ["small", "odd"];

/// Generated files compared with the goldens (the copies of `hdl/` are
/// checked against `hdl/` instead, so that an edit there does not need a
/// re-bless).
fn golden_files(m: &generate::Manifest) -> Vec<String> {
    m.files
        .iter()
        .filter(|f| !CORE_SOURCES.iter().any(|(c, _)| c == f))
        .cloned()
        .collect()
}

#[test]
fn output_matches_goldens() {
    let bless = std::env::var("SPIKEFAB_BLESS").is_ok_and(|v| v == "1");
    let net = tiny();
    let mut problems = Vec::new();
    for cfg in GOLDEN {
        let hw = HwConfig::named(cfg).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let m = generate::generate(&net, &hw, tmp.path()).unwrap();
        let gdir = root().join("golden").join(cfg);
        let want = golden_files(&m);
        if bless {
            let _ = fs::remove_dir_all(&gdir);
            fs::create_dir_all(&gdir).unwrap();
            for f in &want {
                fs::copy(tmp.path().join(f), gdir.join(f)).unwrap();
            }
            continue;
        }
        let mut have: Vec<String> = if gdir.is_dir() {
            files(&gdir)
        } else {
            Vec::new()
        };
        have.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        if have != want_sorted {
            problems.push(format!(
                "{cfg}: golden files {have:?}, generated {want_sorted:?}"
            ));
            continue;
        }
        for f in &want {
            let got = fs::read_to_string(tmp.path().join(f)).unwrap();
            let exp = fs::read_to_string(gdir.join(f)).unwrap();
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
                "{cfg}/{f}: first difference at line {}:\n  golden:    {}\n  generated: {}",
                k + 1,
                e.unwrap_or("<end of file>"),
                g.unwrap_or("<end of file>")
            ));
            break;
        }
    }
    assert!(
        problems.is_empty(),
        "generated output differs from gen/golden/ (if intended, re-bless with \
         SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test generate output_matches_goldens):\n{}",
        problems.join("\n")
    );
}
