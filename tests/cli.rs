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

/// Run `sim` on the fixture into `out` for `steps` steps with the record trace.
fn sim_records(d: &Path, out: &str, steps: &str, extra: &[&str]) {
    let mut args = vec![
        "sim",
        "net.toml",
        "-o",
        out,
        "--no-plot",
        "-q",
        "--steps",
        steps,
        "--records",
    ];
    args.extend_from_slice(extra);
    ok(&spikefab(d, &args));
}

/// `spikefab compare A B`: exit status, stdout, stderr.
fn compare(d: &Path, a: &str, b: &str) -> (Option<i32>, String, String) {
    let out = spikefab(d, &["compare", a, b]);
    no_panic(&out);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn sim_records_writes_a_record_trace_that_compare_matches_record_by_record() {
    let (dir, _) = setup();
    let d = dir.path();
    sim_records(d, "a", "100", &[]);
    sim_records(d, "b", "100", &["--threads", "1"]);
    let rec = fs::read_to_string(d.join("a/records.txt")).unwrap();
    assert!(
        rec.starts_with("# spikefab record trace v1\n"),
        "{rec:.200}"
    );
    let header = rec.lines().nth(1).unwrap();
    for kv in [
        "model=fixture_ei",
        "neurons=2500",
        "steps=100",
        "dt_ms=0.1",
        "seed=42",
        "source=sim",
        "weight_order=processing",
    ] {
        assert!(header.contains(kv), "{header}");
    }
    assert!(rec.ends_with("\n# end steps=100\n"));
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("a/run.json")).unwrap()).unwrap();
    assert!(run["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "records.txt"));
    let spikes = run["spikes"].as_u64().unwrap();

    let (code, out, err) = compare(d, "a/records.txt", "b/records.txt");
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("matched 250000 neuron updates, {spikes} spikes, 0 weight writes over 100 steps")
    );
    // a record trace against a spike trace: compared on the spikes
    let (code, out, err) = compare(d, "a/records.txt", "b/spikes.txt");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("compared on spikes"), "{out}");
    assert!(
        out.contains(&format!("matched {spikes} spikes over 100 steps")),
        "{out}"
    );

    // one altered value: the divergence names step, neuron, field and lines
    let lines: Vec<&str> = rec.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("n 57 14 "))
        .unwrap();
    let f: Vec<&str> = lines[i].split(' ').collect();
    let v: i64 = f[3].parse().unwrap();
    let changed = format!("n 57 14 {} {}", v + 1, f[4..].join(" "));
    let mut alt = lines.clone();
    alt[i] = &changed;
    fs::write(d.join("alt.txt"), alt.join("\n") + "\n").unwrap();
    let (code, out, _) = compare(d, "a/records.txt", "alt.txt");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with(&format!(
            "traces diverge at step 57, neuron 14; v: a/records.txt {v}, alt.txt {}",
            v + 1
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("alt.txt line {}: {changed}", i + 1)),
        "{out}"
    );
}

#[test]
fn compare_rejects_repeated_cut_and_out_of_order_lines_with_file_and_line() {
    let (dir, _) = setup();
    let d = dir.path();
    sim_records(d, "a", "200", &[]);
    let spk = fs::read_to_string(d.join("a/spikes.txt")).unwrap();
    let lines: Vec<&str> = spk.lines().collect();
    let body: Vec<usize> = (3..lines.len() - 1).collect();
    assert!(body.len() > 10, "{spk}");

    // a repeated line used to match
    let k = body[5];
    let mut dup = lines.clone();
    dup.insert(k + 1, lines[k]);
    fs::write(d.join("dup.txt"), dup.join("\n") + "\n").unwrap();
    let (code, _, err) = compare(d, "a/spikes.txt", "dup.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!(
            "dup.txt: line {}: duplicated line `{}`",
            k + 2,
            lines[k]
        )),
        "{err}"
    );

    // two lines swapped
    let mut swap = lines.clone();
    swap.swap(k, k + 1);
    fs::write(d.join("swap.txt"), swap.join("\n") + "\n").unwrap();
    let (code, _, err) = compare(d, "swap.txt", "a/spikes.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!("swap.txt: line {}: ", k + 2)) && err.contains("out of order"),
        "{err}"
    );

    // the last spike line cut short (`57 143` -> `57 14`) used to read as
    // another neuron
    let last = lines[lines.len() - 2];
    let cut_at = spk.rfind(last).unwrap() + last.len() - 1;
    fs::write(d.join("cut.txt"), &spk[..cut_at]).unwrap();
    let (code, _, err) = compare(d, "a/spikes.txt", "cut.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!(
            "cut.txt: line {}: truncated line `{}`",
            lines.len() - 1,
            &last[..last.len() - 1]
        )),
        "{err}"
    );
    // ... or at a line boundary: no end line
    fs::write(d.join("cut2.txt"), &spk[..spk.rfind(last).unwrap()]).unwrap();
    let (code, _, err) = compare(d, "cut2.txt", "a/spikes.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("cut2.txt: line ") && err.contains("truncated"),
        "{err}"
    );

    // an empty file used to match an empty run; a file without magic
    fs::write(d.join("empty.txt"), "").unwrap();
    let (code, _, err) = compare(d, "empty.txt", "a/spikes.txt");
    assert_eq!(code, Some(1));
    assert!(err.contains("empty.txt: line 1: empty file"), "{err}");
    fs::write(d.join("bare.txt"), lines[3..].join("\n") + "\n").unwrap();
    let (code, _, err) = compare(d, "a/spikes.txt", "bare.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("bare.txt: line 1: not a spikefab trace"),
        "{err}"
    );

    // a repeated record line in a record trace
    let rec = fs::read_to_string(d.join("a/records.txt")).unwrap();
    let x = rec.find("\nn 3 7 ").unwrap() + 1;
    let line = &rec[x..x + rec[x..].find('\n').unwrap()];
    let rdup = rec.replacen(line, &format!("{line}\n{line}"), 1);
    fs::write(d.join("rdup.txt"), rdup).unwrap();
    let (code, _, err) = compare(d, "a/records.txt", "rdup.txt");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("rdup.txt: line ") && err.contains("duplicated record of neuron 7"),
        "{err}"
    );
}

#[test]
fn compare_rejects_traces_of_different_runs() {
    let (dir, _) = setup();
    let d = dir.path();
    sim_records(d, "a", "100", &[]);
    sim_records(d, "b", "50", &[]);
    let (code, out, err) = compare(d, "a/spikes.txt", "b/spikes.txt");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        err.contains(
            "a/spikes.txt and b/spikes.txt are not traces of the same run: header steps=100 in \
             a/spikes.txt (line 2) but steps=50 in b/spikes.txt (line 2)"
        ),
        "{err}"
    );
    let rec = fs::read_to_string(d.join("a/records.txt")).unwrap();
    for (from, to, key) in [
        ("dt_ms=0.1 ", "dt_ms=0.05 ", "dt_ms"),
        ("neurons=2500 ", "neurons=2501 ", "neurons"),
    ] {
        fs::write(d.join("h.txt"), rec.replacen(from, to, 1)).unwrap();
        let (code, out, err) = compare(d, "a/records.txt", "h.txt");
        assert_eq!(code, Some(1), "{out}");
        assert!(
            err.contains("not traces of the same run") && err.contains(&format!("header {key}=")),
            "{err}"
        );
    }
    // another seed is a warning; the traces then diverge
    sim_records(d, "s", "100", &["--seed", "7"]);
    let (code, out, err) = compare(d, "a/records.txt", "s/records.txt");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        err.contains("warning: header seed differs: 42 in a/records.txt, 7 in s/records.txt"),
        "{err}"
    );
    assert!(
        out.starts_with("traces diverge at step 0, neuron "),
        "{out}"
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
fn check_takes_the_model_options_as_sim_does() {
    let (dir, _) = setup();
    let d = dir.path();
    let out = ok(&spikefab(
        d,
        &[
            "check",
            "pd14",
            "--n-scale",
            "0.02",
            "--k-scale",
            "0.1",
            "--drive",
            "poisson",
            "--seed",
            "7",
        ],
    ));
    assert!(
        out.contains("model pd14, 8 populations (1544 neurons)"),
        "{out}"
    );
    let out = ok(&spikefab(d, &["check", "balanced", "--n", "33"]));
    assert!(out.contains("(33 neurons)"), "{out}");
    // the options of one model are refused for another, and for a file
    let out = spikefab(d, &["check", "balanced", "--n-scale", "0.5"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--n-scale"),
        "{}",
        text(&out.stderr)
    );
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

/// The README's second command, `spikefab sim pd14 --n-scale 0.1 --k-scale
/// 0.1`, runs an active network: below k-scale 0.5 the default drive is
/// Poisson (DC alone left every population but L6I silent), every
/// population fires, and no warning is printed. With `--drive dc` the run
/// is the old, nearly silent one, and says so, naming the populations.
#[test]
fn readme_scaled_pd14_is_active_by_default_and_a_silent_run_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let base = ["sim", "pd14", "--n-scale", "0.1", "--k-scale", "0.1"];
    let mut args = base.to_vec();
    args.extend(["--no-plot", "--threads", "2", "-o", "default"]);
    let out = ok(&spikefab(d, &args));
    assert!(!out.contains("warning"), "{out}");
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("default/run.json")).unwrap()).unwrap();
    assert_eq!(run["scale"]["drive"], "poisson", "{run}");
    assert_eq!(run["warnings"], serde_json::json!([]), "{run}");
    for p in run["populations"].as_array().unwrap() {
        let r = p["rate_hz_after_500ms"].as_f64().unwrap();
        assert!(r > 0.3, "{} at {r} Hz", p["population"]);
    }

    let mut args = base.to_vec();
    args.extend(["--drive", "dc", "--no-plot", "--threads", "2", "-o", "dc"]);
    let out = ok(&spikefab(d, &args));
    let line = out
        .lines()
        .find(|l| l.contains("warning:"))
        .unwrap_or_else(|| panic!("no warning:\n{out}"));
    assert!(
        line.contains("7 of 8 populations are silent (below 0.1 Hz after the 500 ms warm-up)")
            && line.contains("L23E 0.000 Hz")
            && line.contains("L5I 0.000 Hz")
            && !line.contains("L6I"),
        "{line}"
    );
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("dc/run.json")).unwrap()).unwrap();
    assert_eq!(run["scale"]["drive"], "dc");
    assert_eq!(run["warnings"].as_array().unwrap().len(), 1, "{run}");
    // --quiet prints the warning on stderr
    let mut args = base.to_vec();
    args.extend([
        "--drive",
        "dc",
        "--no-plot",
        "-q",
        "-o",
        "quiet",
        "--steps",
        "6000",
    ]);
    let o = spikefab(d, &args);
    ok(&o);
    assert!(
        text(&o.stderr).contains("populations are silent"),
        "{}",
        text(&o.stderr)
    );
}

/// Full scale and every k-scale >= 0.5 keep the reference's DC drive (the
/// exported network of `export pd14 --n-scale 0.5` is unchanged); below,
/// the exported network is Poisson-driven.
#[test]
fn pd14_default_drive_is_dc_down_to_k_scale_one_half() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (k, poisson) in [("1.0", false), ("0.5", false), ("0.4", true), ("0.1", true)] {
        let out = ok(&spikefab(
            d,
            &["export", "pd14", "--n-scale", "0.02", "--k-scale", k],
        ));
        assert_eq!(
            out.contains("[population.background.poisson]"),
            poisson,
            "k-scale {k}"
        );
    }
    let a = ok(&spikefab(d, &["export", "pd14", "--n-scale", "0.5"]));
    let b = ok(&spikefab(
        d,
        &["export", "pd14", "--n-scale", "0.5", "--drive", "dc"],
    ));
    assert_eq!(a, b);
}

#[test]
fn sim_drives_input_populations_from_an_input_file_and_names_a_bad_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let net = root.join("examples/input_stimulus.toml");
    let input = root.join("examples/input_stimulus.txt");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok(&spikefab(
        dir.path(),
        &[
            "sim",
            net.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
        ],
    ));
    let t = read_trace(&out.join("spikes.txt"));
    let stim: Vec<(u64, u32)> = t.spikes.iter().copied().filter(|&(_, n)| n < 5).collect();
    assert_eq!(
        stim,
        vec![
            (10, 0),
            (10, 1),
            (10, 2),
            (40, 4),
            (100, 1),
            (100, 2),
            (100, 3)
        ],
        "the input neurons spike exactly as the file says"
    );
    let targets: Vec<u64> = t
        .spikes
        .iter()
        .filter(|&&(_, n)| n >= 5)
        .map(|&(s, _)| s)
        .collect();
    assert_eq!(
        targets.len(),
        14,
        "each of the 7 targets twice: {:?}",
        t.spikes
    );
    assert!(targets
        .iter()
        .all(|&s| (20..40).contains(&s) || (105..130).contains(&s)));
    // without --input: silent
    let quiet = dir.path().join("quiet");
    ok(&spikefab(
        dir.path(),
        &[
            "sim",
            net.to_str().unwrap(),
            "-o",
            quiet.to_str().unwrap(),
            "-q",
        ],
    ));
    assert!(read_trace(&quiet.join("spikes.txt")).spikes.is_empty());
    // a line naming a LIF population: exit 1, the file and line named,
    // nothing written
    let bad = dir.path().join("bad.txt");
    fs::write(&bad, "# ok\n3 stim 1\n4 out 0\n").unwrap();
    let none = dir.path().join("none");
    let o = spikefab(
        dir.path(),
        &[
            "sim",
            net.to_str().unwrap(),
            "--input",
            bad.to_str().unwrap(),
            "-o",
            none.to_str().unwrap(),
        ],
    );
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.txt:3:") && err.contains("not an input population"),
        "{err}"
    );
    assert!(!none.exists(), "nothing is written for a bad input");
}
