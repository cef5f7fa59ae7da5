//! Integration tests of the `spikefab` binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use spikefab_sim::trace::SpikeTrace;

/// A small E/I network: 2500 neurons (more than one parallel work chunk of the
/// engine), Poisson-driven, 100 ms, with state recording.
const FIXTURE: &str = r#"
name = "fixture_ei"

[simulation]
dt_ms = 0.1
duration_ms = 100.0
seed = 42

[recording]
spikes = true

[recording.state]
neurons_per_population = 3
every_steps = 10

[[population]]
name = "E"
size = 2000
neuron = { tau_m_ms = 20.0, c_m_pf = 250.0, e_l_mv = -70.0, v_th_mv = -50.0, v_reset_mv = -60.0, t_ref_ms = 2.0, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.5 }
v_init = { kind = "uniform", low_mv = -70.0, high_mv = -50.0 }
background = { poisson = { rate_hz = 14.0, indegree = 240, weight_pa = 330.0 } }

[[population]]
name = "I"
size = 500
neuron = { tau_m_ms = 20.0, c_m_pf = 250.0, e_l_mv = -70.0, v_th_mv = -50.0, v_reset_mv = -60.0, t_ref_ms = 2.0, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.5 }
v_init = { kind = "uniform", low_mv = -70.0, high_mv = -50.0 }
background = { poisson = { rate_hz = 14.0, indegree = 240, weight_pa = 330.0 } }

[[projection]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", k = 100, autapses = false }
weight = { mean_pa = 330.0, sd_pa = 33.0 }
delay = { mean_ms = 1.5, sd_ms = 0.5 }

[[projection]]
source = "E"
target = "I"
rule = { kind = "fixed_indegree", k = 100 }
weight = { mean_pa = 330.0, sd_pa = 33.0 }
delay = { mean_ms = 1.5, sd_ms = 0.5 }

[[projection]]
source = "I"
target = "E"
rule = { kind = "fixed_indegree", k = 25 }
weight = { mean_pa = -1650.0, sd_pa = 165.0 }
delay = { mean_ms = 0.8, sd_ms = 0.3 }

[[projection]]
source = "I"
target = "I"
rule = { kind = "fixed_indegree", k = 25, autapses = false }
weight = { mean_pa = -1650.0, sd_pa = 165.0 }
delay = { mean_ms = 0.8, sd_ms = 0.3 }
"#;

const RUN_FILES: [&str; 8] = [
    "network.toml",
    "spikes.txt",
    "state.txt",
    "rates.csv",
    "raster.png",
    "rates.png",
    "quantization.csv",
    "run.json",
];

fn spikefab(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run the spikefab binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Assert success and return stdout.
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A temporary directory holding the fixture as `net.toml`.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = dir.path().join("net.toml");
    fs::write(&net, FIXTURE).expect("write fixture");
    (dir, net)
}

fn read_trace(p: &Path) -> SpikeTrace {
    let f = fs::File::open(p).unwrap_or_else(|e| panic!("open {}: {e}", p.display()));
    SpikeTrace::read(std::io::BufReader::new(f)).expect("parse spike trace")
}

fn no_panic(out: &Output) {
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "panic in stderr:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "panic in stderr:\n{err}");
}

#[test]
fn sim_writes_a_complete_run_directory() {
    let (dir, _) = setup();
    let d = dir.path();
    let stdout = ok(&spikefab(
        d,
        &["sim", "net.toml", "-o", "out", "--threads", "2"],
    ));
    assert!(stdout.contains("fixture_ei"), "{stdout}");
    assert!(stdout.contains("out"), "{stdout}");
    let out = d.join("out");
    for f in RUN_FILES {
        let p = out.join(f);
        assert!(p.is_file(), "missing {f}");
        assert!(fs::metadata(&p).unwrap().len() > 0, "empty {f}");
    }

    let trace = read_trace(&out.join("spikes.txt"));
    let h = &trace.header;
    assert_eq!(h.get("model"), Some("fixture_ei"));
    assert_eq!(h.get("neurons"), Some("2500"));
    assert_eq!(h.get("steps"), Some("1000"));
    assert_eq!(h.get("seed"), Some("42"));
    assert_eq!(h.get("dt_ms"), Some("0.1"));
    assert_eq!(h.get("source"), Some("sim"));
    assert_eq!(h.get("numerics").map(str::len), Some(16));
    assert!(
        trace.spikes.len() > 100,
        "only {} spikes",
        trace.spikes.len()
    );
    assert!(trace.spikes.iter().all(|&(t, n)| t < 1000 && n < 2500));

    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap())
            .expect("run.json is JSON");
    assert_eq!(run["tool"], "spikefab");
    assert_eq!(run["model"], "fixture_ei");
    assert_eq!(run["neurons"], 2500);
    assert_eq!(run["synapses"], 2000 * 125 + 500 * 125);
    assert_eq!(run["steps"], 1000);
    assert_eq!(run["threads"], 2);
    assert_eq!(run["spikes"].as_u64(), Some(trace.spikes.len() as u64));
    assert!(run["synaptic_events"].as_u64().unwrap() > run["spikes"].as_u64().unwrap());
    assert!(run["real_time_factor"].as_f64().unwrap() > 0.0);
    assert!(run["peak_rss_bytes"].as_u64().unwrap() > 0);
    assert!(run["bytes_per_synapse"].as_f64().unwrap() > 0.0);
    assert_eq!(run["numerics_hash"].as_str(), trace.header.get("numerics"));
    assert!(run["command_line"].as_array().unwrap().len() >= 4);

    let rates = fs::read_to_string(out.join("rates.csv")).unwrap();
    let lines: Vec<&str> = rates.lines().collect();
    assert_eq!(lines[0], "population,size,spikes,rate_hz");
    assert!(lines[1].starts_with("E,2000,"), "{rates}");
    assert!(lines[2].starts_with("I,500,"), "{rates}");
    let total: u64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, trace.spikes.len() as u64);

    let q = fs::read_to_string(out.join("quantization.csv")).unwrap();
    assert!(
        q.starts_with("object,param,exact,quantized,rel_err\n"),
        "{q}"
    );
    assert!(q.lines().count() > 10);

    let state = fs::read_to_string(out.join("state.txt")).unwrap();
    assert!(state.starts_with("# spikefab state trace v1\n"));
    // 3 neurons of each of 2 populations, every 10th of 1000 steps.
    assert_eq!(
        state.lines().filter(|l| !l.starts_with('#')).count(),
        1 + 6 * 100
    );

    for png in ["raster.png", "rates.png"] {
        let b = fs::read(out.join(png)).unwrap();
        assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{png} is not a PNG");
    }
}

#[test]
fn rerunning_the_emitted_network_reproduces_the_spikes() {
    let (dir, _) = setup();
    let d = dir.path();
    ok(&spikefab(
        d,
        &["sim", "net.toml", "-o", "a", "--no-plot", "-q"],
    ));
    ok(&spikefab(
        d,
        &["sim", "a/network.toml", "-o", "b", "--no-plot", "-q"],
    ));
    let a = fs::read(d.join("a/spikes.txt")).unwrap();
    let b = fs::read(d.join("b/spikes.txt")).unwrap();
    assert!(a == b, "spike files differ");
    let na = fs::read_to_string(d.join("a/network.toml")).unwrap();
    let nb = fs::read_to_string(d.join("b/network.toml")).unwrap();
    assert_eq!(na, nb);
}

#[test]
fn thread_count_does_not_change_the_spikes() {
    let (dir, _) = setup();
    let d = dir.path();
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "t1",
            "--threads",
            "1",
            "--no-plot",
            "-q",
        ],
    ));
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "t2",
            "--threads",
            "2",
            "--no-plot",
            "-q",
        ],
    ));
    let a = fs::read(d.join("t1/spikes.txt")).unwrap();
    let b = fs::read(d.join("t2/spikes.txt")).unwrap();
    assert!(
        !a.is_empty() && a == b,
        "--threads 1 and --threads 2 disagree"
    );
}

#[test]
fn seed_and_steps_overrides_are_applied_and_recorded() {
    let (dir, _) = setup();
    let d = dir.path();
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "s",
            "--steps",
            "300",
            "--seed",
            "7",
            "--no-plot",
            "-q",
        ],
    ));
    let t = read_trace(&d.join("s/spikes.txt"));
    assert_eq!(t.header.get("steps"), Some("300"));
    assert_eq!(t.header.get("seed"), Some("7"));
    let net = spikefab_sim::load::load_file(&d.join("s/network.toml")).expect("network.toml loads");
    assert_eq!(net.simulation.seed, 7);
    assert_eq!(net.num_steps(), 300);
}

#[test]
fn malformed_toml_is_reported_with_a_position_and_no_panic() {
    let (dir, _) = setup();
    let d = dir.path();
    fs::write(
        d.join("bad.toml"),
        FIXTURE.replacen("[simulation]", "[simulation", 1),
    )
    .unwrap();
    let out = spikefab(d, &["sim", "bad.toml", "-o", "x"]);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml:4:12:"), "no file:line:col in\n{err}");
    assert!(
        !d.join("x").exists(),
        "an output directory was created for a bad network"
    );

    // A semantic error is located too, for `sim` and for `check`.
    fs::write(
        d.join("neg.toml"),
        FIXTURE.replacen("tau_m_ms = 20.0", "tau_m_ms = -20.0", 1),
    )
    .unwrap();
    for cmd in ["sim", "check"] {
        let out = spikefab(d, &[cmd, "neg.toml"]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        no_panic(&out);
        let err = text(&out.stderr);
        assert!(
            err.contains("neg.toml:19:23:"),
            "{cmd}: no file:line:col in\n{err}"
        );
        assert!(err.contains("tau_m_ms"), "{cmd}: {err}");
    }
}

#[test]
fn quantization_errors_are_located_and_leave_no_output() {
    let (dir, _) = setup();
    let d = dir.path();
    // Passes validation, but does not fit the 16-bit weight format.
    let big = FIXTURE.replacen(
        "mean_pa = 330.0, sd_pa = 33.0",
        "mean_pa = 5000.0, sd_pa = 33.0",
        1,
    );
    fs::write(d.join("big.toml"), big).unwrap();
    for args in [
        &["sim", "big.toml", "-o", "x"][..],
        &["check", "big.toml"][..],
    ] {
        let cmd = args[0];
        let out = spikefab(d, args);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        no_panic(&out);
        let err = text(&out.stderr);
        assert!(
            err.contains("big.toml:34:22:"),
            "{cmd}: no file:line:col in\n{err}"
        );
        assert!(err.contains("weight"), "{cmd}: {err}");
    }
    assert!(
        !d.join("x").exists(),
        "a failed build left an output directory"
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let (dir, _) = setup();
    let out = spikefab(dir.path(), &["sim", "no_such_net.toml"]);
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    let err = text(&out.stderr);
    assert!(err.contains("no_such_net.toml"), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert!(!dir.path().join("runs").exists());
}

#[test]
fn usage_errors_exit_with_status_2() {
    let (dir, _) = setup();
    let d = dir.path();
    for args in [
        &["sim", "balanced", "--n-scale", "0.1"][..],
        &["sim", "pd14", "--n", "100"][..],
        &["sim", "net.toml", "--n", "100"][..],
        &["sim", "net.toml", "--steps", "10", "--duration-ms", "1"][..],
        &["bench", "sim", "pd14", "--scale", "0.1", "--n-scale", "0.2"][..],
        &["sim"][..],
    ] {
        let out = spikefab(d, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        no_panic(&out);
    }
}

#[test]
fn a_foreign_output_directory_is_never_overwritten() {
    let (dir, _) = setup();
    let d = dir.path();
    fs::create_dir(d.join("mine")).unwrap();
    fs::write(d.join("mine/notes.txt"), "keep me").unwrap();
    let out = spikefab(d, &["sim", "net.toml", "-o", "mine", "--no-plot"]);
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    assert!(
        text(&out.stderr).contains("refusing"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(d.join("mine/notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(fs::read_dir(d.join("mine")).unwrap().count(), 1);

    // A previous run directory may be reused.
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "run",
            "--no-plot",
            "-q",
            "--steps",
            "50",
        ],
    ));
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "run",
            "--no-plot",
            "-q",
            "--steps",
            "60",
        ],
    ));
    assert_eq!(
        read_trace(&d.join("run/spikes.txt")).header.get("steps"),
        Some("60")
    );
}

#[test]
fn default_output_directory_is_under_runs() {
    let (dir, _) = setup();
    let d = dir.path();
    let out = ok(&spikefab(
        d,
        &["sim", "net.toml", "--steps", "20", "--no-plot", "-q"],
    ));
    let printed = out.trim();
    assert!(printed.starts_with("runs/fixture_ei-"), "{printed}");
    assert!(d.join(printed).join("spikes.txt").is_file());
    // A second run in the same second gets its own directory.
    let out2 = ok(&spikefab(
        d,
        &["sim", "net.toml", "--steps", "20", "--no-plot", "-q"],
    ));
    assert_ne!(out2.trim(), printed);
}

#[test]
fn compare_reports_equal_and_different_traces() {
    let (dir, _) = setup();
    let d = dir.path();
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "a",
            "--no-plot",
            "-q",
            "--steps",
            "200",
        ],
    ));
    ok(&spikefab(
        d,
        &[
            "sim",
            "net.toml",
            "-o",
            "b",
            "--no-plot",
            "-q",
            "--steps",
            "200",
            "--threads",
            "1",
        ],
    ));
    let out = spikefab(d, &["compare", "a/spikes.txt", "b/spikes.txt"]);
    let s = ok(&out);
    assert!(s.starts_with("matched "), "{s}");
    assert!(s.contains(" spikes"), "{s}");

    // Drop one spike line.
    let t = fs::read_to_string(d.join("a/spikes.txt")).unwrap();
    let mut lines: Vec<&str> = t.lines().collect();
    assert!(lines.len() > 10);
    lines.remove(8);
    fs::write(d.join("c.txt"), lines.join("\n") + "\n").unwrap();
    let out = spikefab(d, &["compare", "a/spikes.txt", "c.txt"]);
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    assert!(
        text(&out.stdout).contains("diverge"),
        "{}",
        text(&out.stdout)
    );

    // Not a trace at all.
    let out = spikefab(d, &["compare", "a/spikes.txt", "net.toml"]);
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    assert!(
        text(&out.stderr).contains("net.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn exported_balanced_model_loads_back() {
    let (dir, _) = setup();
    let d = dir.path();
    let toml = ok(&spikefab(d, &["export", "balanced", "--n", "400"]));
    fs::write(d.join("b.toml"), &toml).unwrap();
    let net = spikefab_sim::load::load_file(&d.join("b.toml")).expect("exported TOML loads");
    assert_eq!(net.num_neurons(), 400);
    ok(&spikefab(d, &["export", "balanced", "-o", "b2.toml"]));
    let net2 = spikefab_sim::load::load_file(&d.join("b2.toml")).expect("exported TOML loads");
    assert_eq!(net2.num_neurons(), 1250);
    let out = ok(&spikefab(d, &["check", "b2.toml"]));
    assert!(out.contains("quantization report"), "{out}");
}

#[test]
fn builtin_balanced_runs() {
    let (dir, _) = setup();
    let d = dir.path();
    ok(&spikefab(
        d,
        &[
            "sim",
            "balanced",
            "--n",
            "300",
            "--duration-ms",
            "50",
            "-o",
            "bal",
            "-q",
        ],
    ));
    let t = read_trace(&d.join("bal/spikes.txt"));
    assert_eq!(t.header.get("model"), Some("balanced"));
    assert_eq!(t.header.get("neurons"), Some("300"));
    assert!(d.join("bal/raster.png").is_file());
}

#[test]
fn bench_prints_parseable_json() {
    let (dir, _) = setup();
    let out = ok(&spikefab(
        dir.path(),
        &["bench", "sim", "balanced", "--json", "--duration-ms", "100"],
    ));
    let line = out.lines().next().expect("one line");
    let v: serde_json::Value = serde_json::from_str(line).expect("bench output is JSON");
    assert_eq!(v["model"], "balanced");
    assert_eq!(v["neurons"], 1250);
    assert!(v["synapses"].as_u64().unwrap() > 0);
    assert_eq!(v["steps"], 1000);
    assert!(v["synaptic_events_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["neuron_updates_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["sim_s"].as_f64().unwrap() > 0.0);
    assert!(v["bio_s"].as_f64().unwrap() > 0.09);
    assert!(v["threads"].as_u64().unwrap() >= 1);
    assert_eq!(v["populations"].as_array().unwrap().len(), 2);
}
