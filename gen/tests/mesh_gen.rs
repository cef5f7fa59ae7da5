//! The mesh generator (`spikefab_gen::mesh_gen::generate_mesh`): generated 2x1,
//! 2x2 and 3x2 meshes lint clean with `verilator --lint-only -Wall --top-module
//! spikefab_mesh_top` (any message fails), the top sets every parameter and
//! port of `hdl/snn_mesh_top.v`, every file carries its header, the hdl
//! copies are exact, the top depends on the config and the mesh size alone,
//! `load.txt`, the core images and `mapping.txt` are those of the mapping,
//! bad input is refused writing nothing, a mesh of external-store cores gets
//! its regions on the channels round robin, and the output of two small
//! meshes matches `gen/golden/mesh-2x2/` (on chip) and
//! `gen/golden/mesh-ext-2x2/` (external store).
//!
//! Goldens: `SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test mesh_gen
//! mesh_output_matches_golden` rewrites both (review the diff).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use spikefab_gen::build_mesh_model;
use spikefab_gen::hash::{fnv1a64, hex64};
use spikefab_gen::hwconfig::HwConfig;
use spikefab_gen::images::load_beats;
use spikefab_gen::manifest::{
    config_hash, header, mesh_config_hash, network_header, MeshManifest, LOAD_FILE, MANIFEST,
    MAPPING_FILE, MESH_TOP,
};
use spikefab_gen::mapping::{partition_with, Rates};
use spikefab_gen::mesh_gen::{
    generate_mesh, mesh_images, mesh_top_params, mesh_top_verilog, MeshGenOptions,
    DEFAULT_RATE_STEPS,
};
use spikefab_gen::{Mesh, MeshError};
use spikefab_hdl::core::CfgReg;
use spikefab_hdl::sources;
use spikefab_sim::load::load_str;
use spikefab_sim::Network;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn net_file(name: &str) -> Network {
    let p = root().join("tests/nets").join(format!("{name}.toml"));
    let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    load_str(&text, &p.display().to_string()).unwrap_or_else(|e| panic!("load {name}: {e:?}"))
}

/// The fixed small static network (33 neurons, 330 synapses).
fn tiny() -> Network {
    net_file("tiny")
}

/// The named mesh core: 64 neurons, 512 synapses, 256 rows, 13 slots.
fn mesh_cfg() -> HwConfig {
    HwConfig::named("mesh").unwrap_or_else(|e| panic!("{e}"))
}

fn mesh(s: &str) -> Mesh {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn read(dir: &Path, f: &str) -> String {
    fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("read {f}: {e}"))
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

/// `verilator --lint-only -Wall` over every `*.v` of `dir` with `top` as the
/// top module; any output fails.
fn lint(dir: &Path, top: &str) {
    let mut vs: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    vs.sort();
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .arg("--top-module")
        .arg(top)
        .args(&vs)
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

fn gen(net: &Network, hw: &HwConfig, m: &Mesh, dir: &Path) -> MeshManifest {
    generate_mesh(net, hw, m, dir, &MeshGenOptions::default())
        .unwrap_or_else(|e| panic!("generate_mesh {m} on '{}': {e}", hw.name))
}

/// Files listed = files present; config files carry the config header,
/// network files the network header; the hdl copies are exact.
fn check_files(dir: &Path, m: &MeshManifest) {
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
            // a raw external-memory region: no header; its core's entry
            let x = m
                .core_images
                .iter()
                .filter_map(|c| c.ext_memory.as_ref())
                .find(|x| &x.file == f)
                .unwrap_or_else(|| panic!("{f}: no core lists it"));
            let bytes = fs::read(dir.join(f)).expect("read");
            assert_eq!(bytes.len() as u64, x.bytes, "{f}");
            assert_eq!(hex64(fnv1a64(&bytes)), x.hash, "{f}");
            assert!(m.network_files.contains(f), "{f} is a network file");
            continue;
        }
        let text = read(dir, f);
        if f == MANIFEST {
            let v: serde_json::Value = serde_json::from_str(&text).expect("manifest json");
            assert_eq!(
                v["generated"].as_str(),
                Some(nhead.trim_start_matches("// "))
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
    for s in sources::mesh() {
        let (f, src) = (s.file, s.text);
        let orig = fs::read_to_string(root().join("../hdl").join(f)).expect("read hdl");
        assert_eq!(
            src, orig,
            "{f}: compiled-in copy differs from hdl/{f} (rebuild)"
        );
        let text = read(dir, f);
        assert!(text.ends_with(&orig), "{f}: not a copy of hdl/{f}");
        assert!(m.config_files.contains(&f.to_string()), "{f}");
    }
}

#[test]
fn generated_meshes_lint_clean_with_verilator_wall() {
    let hw = mesh_cfg();
    for shape in ["2x1", "2x2", "3x2"] {
        let m = mesh(shape);
        let tmp = tempfile::tempdir().unwrap();
        let man = gen(&tiny(), &hw, &m, tmp.path());
        lint(tmp.path(), MESH_TOP);
        check_files(tmp.path(), &man);
        assert_eq!(man.cores, m.cores());
        assert_eq!(man.core_images.len(), m.cores());
        let top = read(tmp.path(), &format!("{MESH_TOP}.v"));
        for p in &man.parameters {
            assert!(
                top.contains(&format!(".{}({})", p.name, p.value)),
                "{shape}: {MESH_TOP}.v lacks .{}({})",
                p.name,
                p.value
            );
        }
        assert!(top.contains(&format!(".MROWS({})", m.rows())), "{top}");
        assert!(top.contains(&format!(".MCOLS({})", m.cols())), "{top}");
        assert!(top.contains(".ROWS(256)") && top.contains(".FIFO_DEPTH(4)"));
        // every core's images: 7 files, the words the manifest says
        for c in &man.core_images {
            assert_eq!(c.memories.len(), 7, "{shape} core {}", c.index);
            for mem in &c.memories {
                assert_eq!(mem.file, format!("core{}_{}.hex", c.index, mem.name));
                let text = read(tmp.path(), &mem.file);
                let words: Vec<&str> = text.lines().skip(1).collect();
                assert_eq!(words.len() as u64, mem.words, "{shape} {}", mem.file);
                assert!(mem.words <= mem.depth, "{shape} {}", mem.file);
                let digits = (mem.width as usize).div_ceil(4);
                assert!(
                    words.iter().all(|w| w.len() == digits),
                    "{shape} {}: words of {digits} hex digits",
                    mem.file
                );
            }
        }
    }
}

/// An STDP network on a mesh of STDP cores: the generated mesh lints clean
/// and every core gets the four STDP images (11 files) and PLASTIC = 1.
#[test]
fn stdp_meshes_lint_clean_and_carry_the_stdp_images() {
    let hw = HwConfig::named("stdp").unwrap();
    let net = net_file("tiny_stdp");
    for shape in ["2x1", "3x2"] {
        let m = mesh(shape);
        let tmp = tempfile::tempdir().unwrap();
        let man = gen(&net, &hw, &m, tmp.path());
        lint(tmp.path(), MESH_TOP);
        let top = read(tmp.path(), &format!("{MESH_TOP}.v"));
        assert!(top.contains(".PLASTIC(1)"), "{shape}: {top}");
        for c in &man.core_images {
            assert_eq!(c.memories.len(), 11, "{shape} core {}", c.index);
            for name in ["rule", "stdp", "inc_row", "inc"] {
                assert!(
                    c.memories.iter().any(|mem| mem.name == name),
                    "{shape} core {}: no {name} image",
                    c.index
                );
            }
        }
    }
}

#[test]
fn observe_off_keeps_observation_ports_off_the_mesh_top() {
    let hw = HwConfig {
        observe: false,
        ..mesh_cfg()
    };
    let tmp = tempfile::tempdir().unwrap();
    gen(&tiny(), &hw, &mesh("2x2"), tmp.path());
    lint(tmp.path(), MESH_TOP);
    let top = read(tmp.path(), &format!("{MESH_TOP}.v"));
    let header_end = top.find(");").unwrap();
    assert!(
        !top[..header_end].contains("obs_"),
        "observation port on the top:\n{top}"
    );
    assert!(
        top.contains("wire unused_obs = &{1'b0, obs_valid,"),
        "{top}"
    );
    assert!(top.contains(".wobs_new_o(wobs_new)"), "{top}");
}

/// Names of the parameters and of the ports in the header of `module`'s
/// source text (`parameter integer NAME`, `input|output wire ... NAME`).
fn module_interface(src: &str, module: &str) -> (Vec<String>, Vec<String>) {
    let start = src
        .find(&format!("module {module}"))
        .unwrap_or_else(|| panic!("no module {module}"));
    let code: Vec<&str> = src[start..]
        .lines()
        .map(|l| l.split("//").next().unwrap_or("").trim())
        .collect();
    let end = code
        .iter()
        .position(|l| l.starts_with(");"))
        .expect("end of the port list");
    let mut params = Vec::new();
    let mut ports = Vec::new();
    for &code in &code[..end] {
        let name = |s: &str| {
            s.trim_end_matches(',')
                .split_whitespace()
                .last()
                .unwrap_or("")
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        };
        if let Some(rest) = code.strip_prefix("parameter") {
            let decl = rest.split('=').next().unwrap_or("");
            params.push(name(decl));
        } else if code.starts_with("input") || code.starts_with("output") {
            ports.push(name(code));
        }
    }
    (params, ports)
}

#[test]
fn mesh_top_sets_every_parameter_and_port_of_snn_mesh_top() {
    let src = sources::get("snn_mesh_top.v")
        .expect("snn_mesh_top.v is embedded")
        .text;
    let (params, ports) = module_interface(src, "snn_mesh_top");
    assert!(
        params.len() >= 17 && ports.len() >= 20,
        "{params:?} {ports:?}"
    );
    let axi = |p: &String| p == "SYN_EXT" || p.starts_with("AXI_");
    let memory = |p: &String| p.starts_with("m_axi_") || p == "mem_err_o";
    assert_eq!(params.iter().filter(|p| axi(p)).count(), 6, "{params:?}");
    assert_eq!(ports.iter().filter(|p| memory(p)).count(), 16, "{ports:?}");
    let m = mesh("3x2");
    // on chip: every parameter but the external store's (at the RTL's
    // defaults), every port but the memory ports (tied off); external: all
    for (hw, ext) in [
        (mesh_cfg(), false),
        (HwConfig::named("ext_odd").unwrap(), true),
    ] {
        let set: Vec<String> = mesh_top_params(&hw, &m, 4)
            .params()
            .into_iter()
            .map(|p| p.name.to_string())
            .collect();
        let want: Vec<String> = params.iter().filter(|p| ext || !axi(p)).cloned().collect();
        assert_eq!(
            set, want,
            "{}: the generated top must set these parameters of snn_mesh_top, in its order",
            hw.name
        );
        let top = mesh_top_verilog(&hw, &m, 4);
        let (_, top_ports) = module_interface(&top, MESH_TOP);
        let want: Vec<String> = ports
            .iter()
            .filter(|p| ext || !memory(p))
            .cloned()
            .collect();
        assert_eq!(
            top_ports, want,
            "{}: {MESH_TOP} passes these ports of snn_mesh_top through, in its order",
            hw.name
        );
        for p in &ports {
            if ext || !memory(p) {
                assert!(top.contains(&format!(".{p}({p})")), "{p} not connected");
            } else if p.ends_with("_i") {
                let line = top.lines().find(|l| l.contains(&format!(".{p}("))).unwrap();
                assert!(
                    line.contains("'d0)") || line.contains("'b0)"),
                    "{p} tied to zero: {line}"
                );
            } else {
                let stem = p.trim_end_matches("_o");
                assert!(
                    top.contains(&format!(".{p}(unused_{stem})")),
                    "{p} into an unused wire"
                );
            }
        }
    }
}

#[test]
fn mesh_top_depends_on_config_mesh_size_and_fifo_depth_only() {
    let hw = mesh_cfg();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ma = gen(&tiny(), &hw, &mesh("2x2"), a.path());
    let mut other = tiny();
    other.simulation.seed += 1;
    let mb = gen(&other, &hw, &mesh("2x2"), b.path());
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
    assert_ne!(read(a.path(), LOAD_FILE), read(b.path(), LOAD_FILE));
    let h = |m: &str, d: u32| mesh_config_hash(&hw, &mesh(m), d);
    let all: BTreeSet<String> = [
        h("2x2", 4),
        h("2x1", 4),
        h("1x2", 4),
        h("3x2", 4),
        h("2x2", 8),
        config_hash(&hw, None),
        mesh_config_hash(&HwConfig::named("odd").unwrap(), &mesh("2x2"), 4),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        all.len(),
        7,
        "config, mesh size and FIFO depth each change the hash"
    );
    assert_eq!(ma.hashes.config, h("2x2", 4));
    assert_ne!(
        mesh_top_verilog(&hw, &mesh("2x2"), 4),
        mesh_top_verilog(&hw, &mesh("2x2"), 8)
    );
}

/// `load.txt` as (core, mem, addr, last, data) per line, comments skipped.
fn parse_load(text: &str) -> Vec<(usize, u8, u32, bool, u32)> {
    text.lines()
        .filter(|l| !l.starts_with("//"))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 5, "line '{l}'");
            assert_eq!(f[4].len(), 8, "line '{l}': data of 8 hex digits");
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                match f[3] {
                    "0" => false,
                    "1" => true,
                    x => panic!("last '{x}'"),
                },
                u32::from_str_radix(f[4], 16).unwrap(),
            )
        })
        .collect()
}

#[test]
fn load_txt_images_and_mapping_are_those_of_the_mapping() {
    let hw = mesh_cfg();
    let m = mesh("3x2");
    let tmp = tempfile::tempdir().unwrap();
    let man = gen(&tiny(), &hw, &m, tmp.path());
    let e = build_mesh_model(&tiny(), &hw, &m, 1).unwrap();
    let rates = Rates::measure(&e, DEFAULT_RATE_STEPS);
    let map = partition_with(&e, &hw, &m, &rates).unwrap();
    assert_eq!(man.mapping, map);
    let cores = mesh_images(&e, &hw, &map).unwrap();
    let nhead = network_header(&man.hashes.config, &man.hashes.network);
    // the beats, core by core
    let mut want = Vec::new();
    for (k, c) in cores.iter().enumerate() {
        let beats = load_beats(c);
        assert_eq!(man.core_images[k].load_beats, beats.len() as u64);
        want.extend(
            beats
                .into_iter()
                .map(|b| (k, b.mem, b.addr, b.last, b.data)),
        );
    }
    let text = read(tmp.path(), LOAD_FILE);
    assert_eq!(text.lines().next(), Some(nhead.as_str()));
    let got = parse_load(&text);
    assert_eq!(got, want);
    assert_eq!(man.load.beats, want.len() as u64);
    // every core ends with its base register (configuration register 5)
    for (k, cm) in map.cores.iter().enumerate() {
        let last = got.iter().rev().find(|b| b.0 == k).unwrap();
        assert_eq!(*last, (k, 15, CfgReg::Base.addr(), true, cm.lo), "core {k}");
        assert_eq!(man.core_images[k].base, cm.lo);
        assert_eq!(man.core_images[k].n_active, cm.neurons());
    }
    // the images, file by file
    for (k, c) in cores.iter().enumerate() {
        for im in &c.images {
            let f = format!("core{k}_{}.hex", im.name());
            assert_eq!(read(tmp.path(), &f), format!("{nhead}\n{}", im.text), "{f}");
        }
    }
    // the mapping report
    assert_eq!(
        read(tmp.path(), MAPPING_FILE),
        format!("{nhead}\n{}", map.report())
    );
}

#[test]
fn bad_fifo_depth_plastic_networks_and_misfits_write_nothing() {
    let hw = mesh_cfg();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for depth in [0, 1, 65] {
        let opts = MeshGenOptions {
            fifo_depth: depth,
            ..MeshGenOptions::default()
        };
        let err = generate_mesh(&tiny(), &hw, &mesh("2x2"), &out, &opts).unwrap_err();
        assert!(matches!(err, MeshError::FifoDepth { .. }), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("router FIFO depth {depth} must be in 2..=64")),
            "{err}"
        );
    }
    let err = generate_mesh(
        &net_file("tiny_stdp"),
        &hw,
        &mesh("2x2"),
        &out,
        &MeshGenOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, MeshError::Plastic { .. }), "{err}");
    // 33 neurons on 2 cores of 16: does not fit, names the field
    let small = HwConfig {
        neurons_per_core: 16,
        max_pops: 2,
        ..hw.clone()
    };
    let err = generate_mesh(
        &tiny(),
        &small,
        &mesh("2x1"),
        &out,
        &MeshGenOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("neurons_per_core"), "{err}");
    // fewer neurons than cores
    let err = generate_mesh(&tiny(), &hw, &mesh("6x6"), &out, &MeshGenOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("fewer than the 36 cores"), "{err}");
    assert!(!out.exists(), "nothing is written for refused input");
}

#[test]
fn mesh_generation_is_deterministic_across_thread_counts() {
    let hw = mesh_cfg();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let one = MeshGenOptions {
        threads: 1,
        ..MeshGenOptions::default()
    };
    let four = MeshGenOptions {
        threads: 4,
        ..MeshGenOptions::default()
    };
    let ma = generate_mesh(&tiny(), &hw, &mesh("2x2"), a.path(), &one).unwrap();
    let mb = generate_mesh(&tiny(), &hw, &mesh("2x2"), b.path(), &four).unwrap();
    assert_eq!(ma.hashes, mb.hashes);
    for f in &ma.files {
        assert_eq!(
            fs::read(a.path().join(f)).unwrap(),
            fs::read(b.path().join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
}

/// The meshes with a committed golden: tiny.toml on a 2x2 mesh of `mesh`
/// cores (on chip), of `ext_odd` cores (external store, 3 channels) and of
/// `ext_idx` cores (the same with external row indexes) and of `ext_dg`
/// cores (delay groups: tiny's delays of up to 10 steps in three groups of
/// 4 steps, each core's rows 3 x 331).
const GOLDEN: [(&str, &str); 4] = [
    ("mesh-2x2", "mesh"),
    ("mesh-ext-2x2", "ext_odd"),
    ("mesh-extidx-2x2", "ext_idx"),
    ("mesh-dg-2x2", "ext_dg"),
];

#[test]
fn mesh_output_matches_golden() {
    let bless = std::env::var("SPIKEFAB_BLESS").is_ok_and(|v| v == "1");
    let mut problems = Vec::new();
    for (dir, cfg) in GOLDEN {
        let hw = HwConfig::named(cfg).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let man = gen(&tiny(), &hw, &mesh("2x2"), tmp.path());
        // the copies of hdl/ are checked against hdl/ instead (check_files)
        let want: Vec<String> = man
            .files
            .iter()
            .filter(|f| !sources::mesh().iter().any(|c| c.file == f.as_str()))
            .cloned()
            .collect();
        let gdir = root().join("golden").join(dir);
        if bless {
            let _ = fs::remove_dir_all(&gdir);
            fs::create_dir_all(&gdir).unwrap();
            for f in &want {
                fs::copy(tmp.path().join(f), gdir.join(f)).unwrap();
            }
            continue;
        }
        let mut want_sorted = want.clone();
        want_sorted.sort();
        let have = if gdir.is_dir() {
            files(&gdir)
        } else {
            Vec::new()
        };
        if have != want_sorted {
            problems.push(format!(
                "{dir}: golden files {have:?}, generated {want_sorted:?}"
            ));
            continue;
        }
        for f in &want {
            let (got, exp) = (
                fs::read(tmp.path().join(f)).unwrap(),
                fs::read(gdir.join(f)).unwrap(),
            );
            if got == exp {
                continue;
            }
            if f.ends_with(".bin") {
                problems.push(format!("{dir}/{f}: the raw image differs"));
                continue;
            }
            let (got, exp) = (String::from_utf8_lossy(&got), String::from_utf8_lossy(&exp));
            let (k, (e, g)) = exp
                .lines()
                .map(Some)
                .chain(std::iter::repeat(None))
                .zip(got.lines().map(Some).chain(std::iter::repeat(None)))
                .enumerate()
                .find(|(_, (e, g))| e != g)
                .expect("a differing line");
            problems.push(format!(
                "{dir}/{f}: first difference at line {}:\n  golden:    {}\n  generated: {}\n  \
                 (full diff: cargo run -- gen gen/tests/nets/tiny.toml --hw {cfg} --mesh 2x2 \
                 -o /tmp/g && diff -r gen/golden/{dir} /tmp/g)",
                k + 1,
                e.unwrap_or("<end of file>"),
                g.unwrap_or("<end of file>")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "generated mesh output differs from gen/golden/ (if intended, re-bless with \
         SPIKEFAB_BLESS=1 cargo test -p spikefab-gen --test mesh_gen mesh_output_matches_golden \
         and review the diff):\n{}",
        problems.join("\n")
    );
}

/// A 2x2 mesh of `ext_odd` cores (3 channels of 16 KiB): lint clean, the
/// memory ports exposed per core, no syn image, every core's region on
/// channel `k % 3` at a 4 KiB-aligned base within its channel, its base in
/// `load.txt` (registers 6, 7), and `mapping.txt` naming the channels.
#[test]
fn an_external_mesh_places_each_core_on_a_channel_round_robin() {
    let hw = HwConfig::named("ext_odd").unwrap();
    let x = hw.synapse_store.unwrap();
    let m = mesh("2x2");
    let tmp = tempfile::tempdir().unwrap();
    let man = gen(&tiny(), &hw, &m, tmp.path());
    lint(tmp.path(), MESH_TOP);
    check_files(tmp.path(), &man);
    let top = read(tmp.path(), &format!("{MESH_TOP}.v"));
    assert!(
        top.contains(".SYN_EXT(1)") && top.contains(".AXI_BURST(7)"),
        "{top}"
    );
    // 4 lanes of 128 bits
    assert!(top.contains("input  wire [511:0] m_axi_rdata_i,"), "{top}");
    assert!(!top.contains("unused_mem"), "{top}");
    let load = parse_load(&read(tmp.path(), LOAD_FILE));
    let mut end = [0u64; 3];
    for c in &man.core_images {
        assert!(c.memories.iter().all(|mem| mem.name != "syn"));
        let e = c.ext_memory.as_ref().expect("an external region per core");
        assert_eq!(e.channel as usize, c.index % 3);
        assert_eq!(e.base % 4096, 0);
        assert_eq!(e.base, u64::from(e.channel) * x.channel_bytes + e.offset);
        // regions in core order within a channel, none overlapping
        assert!(e.offset >= end[e.channel as usize]);
        end[e.channel as usize] = e.offset + e.bytes;
        assert!(end[e.channel as usize] <= x.channel_bytes);
        assert_eq!((e.lanes, e.beat_bytes, e.syn_w), (5, 16, 22));
        assert_eq!(e.bytes, e.beats * 16);
        assert_eq!(e.synapses, c.synapses);
        // the base registers are the core's last two beats
        let regs: Vec<_> = load
            .iter()
            .filter(|b| b.0 == c.index && b.1 == 15)
            .collect();
        let n = regs.len();
        assert_eq!(regs[n - 2].2, CfgReg::ExtBaseLo.addr());
        assert_eq!(regs[n - 2].4 as u64, e.base & 0xffff_ffff);
        assert_eq!(regs[n - 1].2, CfgReg::ExtBaseHi.addr());
        assert_eq!(regs[n - 1].4 as u64, e.base >> 32);
        // no syn beats (load id 4)
        assert!(!load.iter().any(|b| b.0 == c.index && b.1 == 4));
    }
    // core 3 shares channel 0 with core 0, after it
    assert_eq!(man.core_images[3].ext_memory.as_ref().unwrap().offset, 4096);
    let report = read(tmp.path(), MAPPING_FILE);
    assert!(
        report.contains("external synapse memory: 3 channels of 16384 bytes")
            && report.contains("core k on channel k mod 3"),
        "{report}"
    );
    assert!(report.contains("core3_syn_ext.bin"), "{report}");
}

#[test]
fn an_external_mesh_refuses_a_full_channel_and_plastic_networks() {
    // 2x2 mesh of ext_odd cores on one channel of 8 KiB: cores 0..3 take
    // 4 KiB-aligned regions of about 500 bytes each, 12 KiB + ~500 bytes
    let mut hw = HwConfig::named("ext_odd").unwrap();
    let mut x = hw.synapse_store.unwrap();
    x.channels = 1;
    x.channel_bytes = 8192;
    hw.synapse_store = Some(x);
    hw.syn_depth = 1000;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err =
        generate_mesh(&tiny(), &hw, &mesh("2x2"), &out, &MeshGenOptions::default()).unwrap_err();
    assert!(matches!(err, MeshError::ExtChannel { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("memory channel 0 holds the synapse regions of cores 0, 1, 2, 3")
            && text.contains("synapse_store.channel_bytes is 8192"),
        "{text}"
    );
    let err = generate_mesh(
        &net_file("tiny_stdp"),
        &HwConfig::named("ext_odd").unwrap(),
        &mesh("2x2"),
        &out,
        &MeshGenOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, MeshError::PlasticOffChip { .. }), "{err}");
    assert!(
        err.to_string()
            .ends_with("plastic synapses off chip are not supported yet (no weight write-back): use an on-chip synapse store"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written for refused input");
}
