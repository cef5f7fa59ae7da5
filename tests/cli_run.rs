//! Integration tests of `spikefab run` on the virtual board (real
//! Verilator and g++; a missing tool fails them with the install hint,
//! never skips them): the network configured through the host link, run,
//! its spikes streamed back and compared with the reference's through the
//! one comparator.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-run-cache")
}

fn spikefab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .arg("--cache")
        .arg(cache())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run spikefab")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Runs `args` with `--verify -o DIR`, expects the positive marker, and
/// returns the spikes it names and run.json.
fn verified(name: &str, args: &[&str], steps: u64) -> (u64, serde_json::Value) {
    let out = scratch(name);
    let mut a = args.to_vec();
    let s = steps.to_string();
    a.extend(["--steps", &s, "--verify", "-o", out.to_str().unwrap()]);
    let o = spikefab(&a);
    let (so, se) = text(&o);
    assert!(o.status.success(), "{so}\n{se}");
    let marker = so
        .lines()
        .find(|l| l.starts_with("board run matched the reference: "))
        .unwrap_or_else(|| panic!("no marker:\n{so}\n{se}"));
    println!("{marker}");
    let spikes: u64 = marker
        .split_whitespace()
        .nth(5)
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{marker}"));
    assert!(marker.ends_with(&format!("over {steps} steps")), "{marker}");
    assert!(spikes > 0, "a run without spikes proves nothing: {marker}");
    let trace = std::fs::read_to_string(out.join("spikes.txt")).unwrap();
    assert!(trace.contains("source=board"), "the board's trace says so");
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(j["verified"], true);
    assert_eq!(j["steps"], steps);
    assert_eq!(j["spikes"], spikes);
    (spikes, j)
}

#[test]
fn balanced_on_the_virtual_board_matches_the_reference_over_2000_steps() {
    let (spikes, j) = verified(
        "run-vboard",
        &["run", "balanced", "--board", "sim", "--hw", "balanced"],
        2000,
    );
    assert_eq!(j["virtual"], true);
    assert_eq!(j["retries"], 0);
    assert_eq!(j["bad_frames"], 0);
    // the same network through the serial transport over a pseudo-terminal
    // pair: the same spikes
    let (s2, j2) = verified(
        "run-vboard-pty",
        &[
            "run",
            "balanced",
            "--board",
            "sim",
            "--hw",
            "balanced",
            "--serial-pty",
        ],
        2000,
    );
    assert_eq!(s2, spikes);
    assert_eq!(j2["serial_pty"], true);
}

#[test]
fn balanced_on_a_2x2_mesh_on_the_virtual_board_matches_the_reference() {
    verified(
        "run-vboard-mesh",
        &[
            "run", "balanced", "--board", "sim", "--hw", "balanced", "--mesh", "2x2",
        ],
        2000,
    );
}

#[test]
fn balanced_with_its_synapses_in_external_memory_matches_on_the_virtual_board() {
    // config `ext`: the synapse rows in external memory behind an AXI4
    // port; the host writes them through the link before the run
    verified(
        "run-vboard-ext",
        &["run", "balanced", "--board", "sim", "--hw", "ext"],
        300,
    );
}

#[test]
fn faults_on_the_link_leave_the_trace_exact() {
    let (_, j) = verified(
        "run-vboard-faults",
        &[
            "run",
            "balanced",
            "--n",
            "175",
            "--board",
            "sim",
            "--faults",
            "10",
            "--fault-seed",
            "7",
        ],
        300,
    );
    assert!(
        j["retries"].as_u64().unwrap() + j["bad_frames"].as_u64().unwrap() > 0,
        "10% faults must cost retries or bad frames: {j}"
    );
}

#[test]
fn a_board_without_a_way_to_reach_it_and_a_missing_port_are_clear_errors() {
    let o = spikefab(&["run", "balanced", "--board", "arty"]);
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("--port DEV") && se.contains("--xdma N"), "{se}");
    let o = spikefab(&[
        "run",
        "balanced",
        "--board",
        "arty",
        "--port",
        "/dev/spikefab-no-such-port",
    ]);
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(se.contains("/dev/spikefab-no-such-port"), "{se}");
    assert!(!se.contains("panicked"), "{se}");
    let o = spikefab(&["run", "balanced", "--board", "arty", "--faults", "5"]);
    let (_, se) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("virtual board"), "{se}");
}
