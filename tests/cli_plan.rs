//! `spikefab plan`: the report and its JSON, exit status 0 whether the
//! design fits or not, 2 for bad input (an unknown part names the known
//! ones). Yosys runs for the logic, cached under the target's temporary
//! directory.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cache() -> String {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-plan-cache")
        .display()
        .to_string()
}

fn spikefab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run spikefab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn plan_prints_the_mapping_resources_clock_rtf_and_bottleneck_of_a_design_that_fits() {
    let c = cache();
    let o = spikefab(&[
        "plan",
        "gen/tests/nets/tiny.toml",
        "--part",
        "xc7a100t",
        "--steps",
        "100",
        "--cache",
        &c,
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    for want in [
        "fastest design that fits",
        "mapping",
        "neurons/core",
        "BRAM36",
        "URAM",
        "LUT",
        "DSP",
        "logic (Yosys estimates)",
        "an estimate",
        "cycles per step",
        "real-time factor",
        "bottleneck",
    ] {
        assert!(out.contains(want), "no '{want}' in:\n{out}");
    }
}

#[test]
fn plan_json_is_one_object_with_the_design_and_a_design_that_does_not_fit_exits_0() {
    let c = cache();
    let o = spikefab(&[
        "plan",
        "balanced",
        "--part",
        "xc7a35t",
        "--steps",
        "30",
        "--clock-mhz",
        "100",
        "--cache",
        &c,
        "--json",
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["fits"], false, "{v}");
    assert_eq!(v["part"], "xc7a35t");
    assert_eq!(v["clock"]["mhz"], 100.0);
    assert_eq!(v["clock"]["source"], "given");
    let lim = &v["limits"][0];
    assert!(
        lim["used"].as_f64().unwrap() > lim["available"].as_f64().unwrap(),
        "{v}"
    );
    for f in [
        "cycles_mean",
        "cycles_worst",
        "rtf_mean",
        "rtf_worst",
        "bottleneck",
        "next_bottleneck",
    ] {
        assert!(!v[f].is_null(), "no {f} in {v}");
    }
    for f in [
        "cores",
        "mesh",
        "neurons_per_core",
        "uses",
        "misfits",
        "part_use",
    ] {
        assert!(!v["design"][f].is_null(), "no design.{f} in {v}");
    }
}

#[test]
fn plan_refuses_an_unknown_part_naming_the_known_ones() {
    let o = spikefab(&["plan", "gen/tests/nets/tiny.toml", "--part", "xc9z999"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("xc9z999"), "{err}");
    assert!(err.contains("xcu55c") && err.contains("xc7a100t"), "{err}");
}

#[test]
fn plan_refuses_a_clock_that_is_not_positive() {
    let o = spikefab(&[
        "plan",
        "gen/tests/nets/tiny.toml",
        "--part",
        "xc7a35t",
        "--clock-mhz",
        "0",
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--clock-mhz"), "{err}");
}
