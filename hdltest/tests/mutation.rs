//! The mutation tool (`hdltest/src/mutation`, binary `mutate`) on two
//! chosen mutants of `hdl/snn_stdp.v`: one its suite kills and one
//! `hdltest/mutation/equivalent.toml` declares equivalent (run anyway, so a
//! wrong declaration or a suite that no longer passes on it fails here);
//! then their classification, score, Markdown report and JSON line. The
//! suite is cut to its first two tests (the bench at two parameter sets),
//! so this takes seconds.

use std::path::Path;
use std::process::Command;

use spikefab_hdltest::mutation::campaign::{run_module, Binaries, Options, Outcome};
use spikefab_hdltest::mutation::report::{json_line, markdown, RunInfo, Tally};
use spikefab_hdltest::mutation::{equivalent, suite};
use spikefab_hdltest::repo_root;

const ROUNDING: &str = "assign s2_delta = (s2_prod_x + HALF) >> TRACE_FRAC;";

#[test]
fn a_killed_and_an_equivalent_stdp_mutant_are_classified_and_reported() {
    let s = suite::find("snn_stdp").expect("the stdp suite");
    let src = std::fs::read_to_string(repo_root().join("hdl").join(s.file)).unwrap();
    let all = s.mutants(&src).unwrap();
    let eq_list = equivalent::load(&equivalent::default_path()).unwrap();
    let (declared, stale) = equivalent::classify(&eq_list, &src, &all);
    assert!(
        stale.is_empty(),
        "stale entries of equivalent.toml for snn_stdp.v"
    );
    // the rounding shift of the weight change: made arithmetic (declared
    // equivalent: the operand is unsigned) and turned left (wrong values)
    let find = |after: &str| {
        all.iter()
            .find(|m| m.diff(&src) == (ROUNDING.to_string(), after.to_string()))
            .unwrap_or_else(|| panic!("no mutant `{after}` of snn_stdp.v"))
    };
    let eq = find("assign s2_delta = (s2_prod_x + HALF) >>> TRACE_FRAC;");
    let kill = find("assign s2_delta = (s2_prod_x + HALF) << TRACE_FRAC;");
    assert!(
        declared[eq.index].is_some(),
        "{} is declared equivalent",
        eq.id()
    );
    assert!(declared[kill.index].is_none());

    let tmp =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mutation-ci-{}", std::process::id()));
    let opts = Options {
        only: vec![eq.id(), kill.id()],
        max_tests: Some(2),
        check_equivalents: true,
        verbose: false,
        equivalents: eq_list,
        ..Options::default()
    };
    let tests: Vec<_> = s.tests.iter().take(2).copied().collect();
    let bins = Binaries::build(&tests, &tmp.join("bin")).expect("the stdp bench binary");
    let r = run_module(s, &bins, &tmp.join("work"), &opts).expect("the campaign runs");
    let _ = std::fs::remove_dir_all(&tmp);

    assert_eq!(r.enumerated, all.len());
    assert_eq!(r.results.len(), 2);
    let of = |id: String| {
        &r.results
            .iter()
            .find(|x| x.mutant.id() == id)
            .unwrap()
            .outcome
    };
    match of(kill.id()) {
        Outcome::KilledByTest { test, why } => {
            assert_eq!(test, "snn_stdp_matches_reference_default_widths");
            assert!(why.contains("mismatch"), "{why}");
        }
        o => panic!("{} should be killed by the bench, got {o:?}", kill.id()),
    }
    match of(eq.id()) {
        Outcome::Equivalent { reason } => assert!(reason.contains("unsigned"), "{reason}"),
        o => panic!("{} should stay equivalent, got {o:?}", eq.id()),
    }
    let t = Tally::of(&r);
    assert_eq!(
        (t.killed_test, t.equivalent, t.survived, t.killed_compile),
        (1, 1, 0, 0)
    );
    assert_eq!(t.score(), Some(1.0));
    assert_eq!(r.baseline.len(), 2, "the suite was timed on the original");

    let run = RunInfo {
        commit: "abc1234".into(),
        revision: "abc1234abc1234abc1234abc1234abc1234abc12".into(),
        machine: serde_json::json!({"cpu": "x", "cores": 2, "memory_bytes": 1, "os": "linux"}),
        date: "2026-12-04T00:00:00Z".into(),
        command: "mutate --module snn_stdp".into(),
        load_start: [0.5; 3],
        load_end: [0.5; 3],
        cpus: 2,
        seconds: r.seconds,
    };
    let md = markdown(&run, std::slice::from_ref(&r));
    let row = md
        .lines()
        .find(|l| l.starts_with("| `snn_stdp` |"))
        .expect("a row");
    assert!(
        row.contains(&format!("2 (sample of {})", all.len())),
        "{row}"
    );
    assert!(row.contains("100.0 %"), "{row}");
    assert!(md.contains("No survivors."), "{md}");
    assert!(md.contains("is unsigned, so >>> shifts in zeros"), "{md}");
    let j: serde_json::Value = serde_json::from_str(&json_line(&run, &[r])).unwrap();
    let m = &j["modules"][0];
    assert_eq!(m["module"], "snn_stdp");
    assert_eq!(
        (m["mutants"].as_u64(), m["killed_test"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (m["equivalent"].as_u64(), m["survived"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(m["score"].as_f64(), Some(1.0));
    // the provenance of a results/ line (results/README.md, tests/figures.rs)
    assert_eq!(j["id"], "mutation");
    assert_eq!(j["commit"], "abc1234abc1234abc1234abc1234abc1234abc12");
    assert_eq!(j["short"], "abc1234");
    assert_eq!(j["machine"]["cores"], 2);
    assert!(j["load_before"].is_array() && j["load_after"].is_array());
}

#[test]
fn mutate_rejects_an_unknown_module_and_a_doc_update_of_a_partial_run() {
    let bin = env!("CARGO_BIN_EXE_mutate");
    let out = Command::new(bin)
        .args(["--module", "snn_nope", "--no-json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no module `snn_nope`") && err.contains("snn_stdp"),
        "{err}"
    );
    let out = Command::new(bin)
        .args(["--mutant", "snn_stdp.v#1", "--doc", "docs/verification.md"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--doc records whole-module runs"), "{err}");
    let out = Command::new(bin)
        .args(["--mutant", "snn_nope.v#1", "--no-json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("snn_nope.v is not the file of a module"),
        "{err}"
    );
}
