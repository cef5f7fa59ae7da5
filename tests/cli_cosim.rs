//! Integration tests of `spikefab cosim` (real Verilator and g++; a missing
//! tool fails them with the install hint, never skips them).

use std::path::PathBuf;
use std::process::{Command, Output};

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-cosim-cache")
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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The acceptance run: the built-in balanced network (1,250
/// neurons) for 200 steps on its config, bit-exact, with the marker, the
/// cycles per step and the simulation speed.
#[test]
fn cosim_of_builtin_balanced_network_matches_for_200_steps() {
    let o = spikefab(&["cosim", "balanced", "--hw", "balanced", "--steps", "200"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    print!("{out}");
    let marker = out
        .lines()
        .find(|l| l.starts_with("matched "))
        .unwrap_or_else(|| panic!("no marker:\n{out}"));
    assert!(
        marker.starts_with("matched 250000 neuron updates, ")
            && marker.ends_with(" over 200 steps"),
        "{marker}"
    );
    assert!(out.contains("cycles per step: mean"), "{out}");
    assert!(out.contains("M cycles/s"), "{out}");
    // cycles per step within 10% of neurons + events + pipeline latency
    let ratio: f64 = out
        .split("measured/model = ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no measured/model ratio:\n{out}"));
    assert!((0.9..=1.1).contains(&ratio), "measured/model = {ratio}");
}

/// A fault built in by the generator option makes the run fail at its step,
/// with the divergence, both sides' records, the repro command and a VCD.
#[test]
fn cosim_reports_an_injected_fault_at_its_step_with_a_waveform() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-cosim-fault");
    let _ = std::fs::remove_dir_all(&work);
    let o = spikefab(&[
        "cosim",
        "gen/tests/nets/tiny.toml",
        "--hw",
        "odd",
        "--steps",
        "80",
        "--inject-fault",
        "rounding@23",
        "--wave",
        "--work",
        work.to_str().unwrap(),
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("FAULT INJECTED"), "{out}");
    assert!(
        err.contains("RTL diverges from the reference at step 23, neuron"),
        "{err}"
    );
    assert!(err.contains("reproduce with: "), "{err}");
    assert!(err.contains("--inject-fault rounding@23"), "{err}");
    assert!(err.contains("waveform of steps 20..=23"), "{err}");
    let vcd = std::fs::read_to_string(work.join("divergence.vcd")).expect("vcd written");
    assert!(vcd.contains("$enddefinitions") && vcd.contains("obs_v_o"));
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn cosim_rejects_unknown_config_and_too_small_config() {
    let o = spikefab(&["cosim", "balanced", "--hw", "nosuch"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("nosuch") && err.contains("small"), "{err}");
    let o = spikefab(&["cosim", "balanced", "--hw", "small"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("1250") && err.contains("128"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `spikefab bench cosim` prints the co-simulation speed figures (and, being
/// a verified run, the marker).
#[test]
fn bench_cosim_prints_cycles_and_updates_per_second() {
    let bench = |steps: &str, json: bool| {
        let mut args = vec![
            "bench",
            "cosim",
            "gen/tests/nets/tiny_stdp.toml",
            "--hw",
            "stdp",
            "--steps",
            steps,
        ];
        if json {
            args.push("--json");
        }
        let o = spikefab(&args);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert!(o.status.success(), "{out}\n{err}");
        out
    };
    let out = bench("300", false);
    print!("{out}");
    assert!(out.contains("matched 9900 neuron updates, "), "{out}");
    assert!(
        out.contains("M cycles/s") && out.contains("M neuron updates/s"),
        "{out}"
    );
    let out = bench("50", true);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert!(v["cycles_per_s"].as_f64().unwrap() > 0.0, "{out}");
    assert_eq!(v["steps"].as_u64(), Some(50));
}

/// The example: `spikefab cosim balanced --mesh 2x2` (the built-in
/// balanced network partitioned over 4 cores of its config), bit-exact, with
/// the cores' neuron ranges; and an STDP network on a 3x2 mesh.
#[test]
fn cosim_of_meshes_matches_with_and_without_stdp() {
    let o = spikefab(&[
        "cosim", "balanced", "--hw", "balanced", "--mesh", "2x2", "--steps", "60",
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    print!("{out}");
    assert!(
        out.contains("cores (neuron ranges): [0, 313) [313, 626) [626, 938) [938, 1250)"),
        "{out}"
    );
    assert!(
        out.contains("matched 75000 neuron updates, ") && out.contains(" over 60 steps"),
        "{out}"
    );
    let o = spikefab(&[
        "cosim",
        "gen/tests/nets/tiny_stdp.toml",
        "--hw",
        "stdp",
        "--mesh",
        "3x2",
        "--steps",
        "200",
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    print!("{out}");
    let marker = out
        .lines()
        .find(|l| l.starts_with("matched 6600 neuron updates, "))
        .unwrap_or_else(|| panic!("no marker:\n{out}"));
    assert!(!marker.contains(" 0 weight writes"), "{marker}");
    let o = spikefab(&[
        "cosim",
        "balanced",
        "--hw",
        "balanced",
        "--mesh",
        "2x2",
        "--inject-fault",
        "rounding@3",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}
