//! Integration tests of `spikefab build`: each of the six boards builds a
//! complete directory (the balanced network at 600 neurons on the Arty and
//! the PYNQ-Z2, the whole balanced network on the Zynq UltraScale+ boards, a
//! scaled PD14 on the Alveo cards) whose XDC is the board's and whose RTL,
//! shell included, lints clean; the refusals (fit, board name, external
//! store, options) and `--run` without Vivado are clear errors with a
//! non-zero exit.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spikefab(args: &[&str], path: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_spikefab"));
    c.args(args).current_dir(repo());
    if let Some(p) = path {
        c.env("PATH", p);
    }
    c.output().expect("run spikefab")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// (board, the network and its options) as docs/build.md gives them.
const BUILDS: &[(&str, &[&str])] = &[
    (
        "arty_a7_100t",
        &[
            "balanced",
            "--n",
            "600",
            "--hw",
            "examples/hw_balanced_600.toml",
        ],
    ),
    (
        "pynq_z2",
        &[
            "balanced",
            "--n",
            "600",
            "--hw",
            "examples/hw_balanced_600.toml",
        ],
    ),
    // no --hw: the default numerics sized to the network
    ("zcu104", &["balanced"]),
    ("kv260", &["balanced"]),
    (
        "alveo_u250",
        &[
            "pd14",
            "--n-scale",
            "0.05",
            "--k-scale",
            "0.05",
            "--hw",
            "examples/hw_pd14_005_onchip.toml",
        ],
    ),
    (
        "alveo_u55c",
        &[
            "pd14",
            "--n-scale",
            "0.05",
            "--k-scale",
            "0.05",
            "--hw",
            "examples/hw_pd14_005_onchip.toml",
        ],
    ),
];

#[test]
fn every_board_builds_a_directory_whose_xdc_is_the_boards_and_whose_rtl_lints_clean() {
    for (board, net) in BUILDS {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("b");
        let mut args = vec!["build"];
        args.extend_from_slice(net);
        args.extend(["--board", board, "-o", out.to_str().unwrap()]);
        let o = spikefab(&args, None);
        let (so, se) = text(&o);
        assert!(o.status.success(), "{board}: {so}\n{se}");
        assert!(so.contains(&format!("board {board} (")), "{so}");
        assert!(so.contains(": fits"), "{so}");
        assert!(so.contains("Vivado was not run"), "{so}");
        let j: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("build.json")).unwrap()).unwrap();
        assert_eq!(j["board"], *board);
        let files: Vec<String> = j["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        for f in &files {
            assert!(out.join(f).is_file(), "{board}: {f} missing");
        }
        for f in [
            "build.tcl",
            "program.tcl",
            "spikefab_shell.v",
            "spikefab_fpga_core.v",
            "syn.hex",
        ] {
            assert!(files.iter().any(|x| x == f), "{board}: no {f}");
        }
        let xdc = fs::read_to_string(out.join(format!("{board}.xdc"))).unwrap();
        let want = fs::read_to_string(repo().join(format!("constraints/{board}.xdc"))).unwrap();
        assert_eq!(xdc, want, "{board}: XDC");
        spikefab_build::lint::lint_build_dir(&out).unwrap_or_else(|e| panic!("{board}: {e}"));
        println!("{board}: {} files, lint clean", files.len());
    }
}

#[test]
fn balanced_on_the_arty_is_refused_naming_the_resource_and_the_excess() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--hw",
            "balanced",
            "--board",
            "arty",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        se.contains("does not fit board arty_a7_100t (xc7a100tcsg324-1): BRAM36: needs 323, has 135 (188 over"),
        "{se}"
    );
    assert!(se.contains("docs/build.md"), "{se}");
    assert!(!se.contains("panicked"), "{se}");
    assert!(!out.exists(), "nothing may be written");
    // without --hw the config is sized to the network (the delay ring cut to
    // its largest delay): smaller, and still too big for the Arty's BRAM
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--board",
            "arty",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        se.contains(
            "hw config 'sized' does not fit board arty_a7_100t (xc7a100tcsg324-1): BRAM36: needs"
        ),
        "{se}"
    );
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn run_without_vivado_is_a_clear_error_after_writing_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let empty = tmp.path().join("bin");
    fs::create_dir_all(&empty).unwrap();
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--n",
            "600",
            "--hw",
            "examples/hw_balanced_600.toml",
            "--board",
            "pynq",
            "--run",
            "-o",
            out.to_str().unwrap(),
        ],
        Some(&empty),
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        se.contains("--run needs Vivado: `vivado` was not found on PATH"),
        "{se}"
    );
    assert!(se.contains("Vivado 2023.2"), "{se}");
    assert!(out.join("build.tcl").is_file());
    assert!(!out.join("run.json").exists());
}

#[test]
fn a_bad_board_name_lists_the_boards() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--board",
            "nexys",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    for b in [
        "nexys",
        "arty_a7_100t",
        "pynq_z2",
        "zcu104",
        "kv260",
        "alveo_u250",
        "alveo_u55c",
    ] {
        assert!(se.contains(b), "{b}: {se}");
    }
    assert!(!out.exists());
    // a board file of one's own has no constraints here
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--board",
            "boards/kv260.toml",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("built-in board"), "{se}");
}

#[test]
fn an_external_store_and_an_orphan_saif_strip_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--hw",
            "ext",
            "--board",
            "u55c",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        se.contains("external memory") && se.contains("memory IP"),
        "{se}"
    );
    assert!(!out.exists());
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--board",
            "u55c",
            "--saif-strip",
            "tb/dut",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("--saif"), "{se}");
}

#[test]
fn a_saif_file_is_copied_and_read_by_build_tcl_and_a_missing_one_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let saif = tmp.path().join("sim.saif");
    fs::write(&saif, "(SAIFILE\n(SAIFVERSION \"2.0\")\n)\n").unwrap();
    let out = tmp.path().join("b");
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--hw",
            "balanced",
            "--board",
            "zcu104",
            "--saif",
            saif.to_str().unwrap(),
            "--saif-strip",
            "tb/u_shell",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (so, se) = text(&o);
    assert!(o.status.success(), "{so}\n{se}");
    assert_eq!(
        fs::read(out.join("activity.saif")).unwrap(),
        fs::read(&saif).unwrap()
    );
    let t = fs::read_to_string(out.join("build.tcl")).unwrap();
    assert!(t.contains("set saif {activity.saif}"), "{t}");
    assert!(t.contains("set saif_strip {tb/u_shell}"), "{t}");
    let missing = tmp.path().join("none.saif");
    let out2 = tmp.path().join("c");
    let o = spikefab(
        &[
            "build",
            "balanced",
            "--hw",
            "balanced",
            "--board",
            "zcu104",
            "--saif",
            missing.to_str().unwrap(),
            "-o",
            out2.to_str().unwrap(),
        ],
        None,
    );
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        se.contains("cannot read the SAIF file") && se.contains("none.saif"),
        "{se}"
    );
    assert!(!out2.exists());
}
