//! Integration tests of `spikefab cosim` (real Verilator and g++; a missing
//! tool fails them with the install hint, never skips them).

use std::path::{Path, PathBuf};
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

/// `spikefab` without `--cache` (sim, compare), in the repository.
fn plain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run spikefab")
}

/// A fresh folder for one test's outputs.
fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Co-simulate `cosim` with `--work DIR/cosim`, simulate `sim` with
/// `--records -o DIR/sim` for the same steps, and compare the two record
/// traces: the compare's stdout, and both paths.
fn cosim_against_sim(dir: &Path, cosim: &[&str], sim: &[&str]) -> (String, PathBuf, PathBuf) {
    let (work, run) = (dir.join("cosim"), dir.join("sim"));
    let mut args = cosim.to_vec();
    args.extend(["--work", work.to_str().unwrap()]);
    let o = spikefab(&args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    let marker = out
        .lines()
        .find(|l| l.starts_with("matched "))
        .unwrap_or_else(|| panic!("no marker:\n{out}"))
        .to_string();
    let rtl = work.join("records.txt");
    assert!(
        out.contains("record trace of the RTL ") && out.contains(rtl.to_str().unwrap()),
        "{out}"
    );
    let mut args = sim.to_vec();
    args.extend(["--records", "--no-plot", "-q", "-o", run.to_str().unwrap()]);
    let o = plain(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let reference = run.join("records.txt");
    let o = plain(&[
        "compare",
        rtl.to_str().unwrap(),
        reference.to_str().unwrap(),
    ]);
    let (cmp, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{cmp}\n{err}");
    // the same positive marker, with the same counts, as the lockstep run
    assert_eq!(cmp.lines().last(), Some(marker.as_str()), "{cmp}");
    (cmp, rtl, reference)
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
    assert!(
        err.contains("record trace of the RTL (24 steps, up to the failing one): "),
        "{err}"
    );
    let rec = std::fs::read_to_string(work.join("records.txt")).expect("record trace written");
    assert!(rec.contains("\nt 23\n") && rec.ends_with("\n# end steps=24\n"));
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

/// `spikefab bench cosim --json` on an external-store config takes the
/// memory model's options and reports them with the phase-B figures: the
/// same network on `odd` (on chip, same numerics) and `ext_odd` has the same
/// events and spikes, phase A is N + 10 cycles per step, and a longer memory
/// latency or a narrower bandwidth costs the external core cycles, and the
/// cycle model predicts every run within 5%.
#[test]
fn bench_cosim_json_reports_phase_b_and_the_memory_model_of_an_external_store() {
    let bench = |hw: &str, mem: &[&str]| {
        let mut args = vec![
            "bench",
            "cosim",
            "gen/tests/nets/tiny.toml",
            "--hw",
            hw,
            "--steps",
            "33",
            "--json",
        ];
        args.extend_from_slice(mem);
        let o = spikefab(&args);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert!(o.status.success(), "{out}\n{err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        v
    };
    let on_chip = bench("odd", &[]);
    let near = bench("ext_odd", &["--mem-latency", "7"]);
    let far = bench("ext_odd", &["--mem-latency", "301"]);
    let thin = bench("ext_odd", &["--mem-latency", "7", "--mem-bandwidth", "0.5"]);
    assert_eq!(on_chip["synapse_store"]["kind"], "on-chip", "{on_chip}");
    assert!(on_chip["mem"].is_null(), "{on_chip}");
    assert!(on_chip["model_ratio"].as_f64().is_some(), "{on_chip}");
    assert_eq!(far["synapse_store"]["kind"], "external", "{far}");
    assert_eq!(far["synapse_store"]["lanes"], 5, "{far}");
    assert_eq!(far["mem"]["latency"], 301, "{far}");
    assert_eq!(thin["mem"]["bytes_per_cycle"], 0.5, "{thin}");
    // the cycle model covers the external store too
    for v in [&near, &far, &thin] {
        let r = v["model_ratio"].as_f64().expect("a model ratio");
        assert!((r - 1.0).abs() <= 0.05, "{v}");
    }
    for v in [&near, &far, &thin] {
        assert_eq!(v["events"], on_chip["events"], "{v}\n{on_chip}");
        assert_eq!(v["spikes"], on_chip["spikes"], "{v}\n{on_chip}");
        assert_eq!(v["phase_a_cycles"], (33 + 10) * 33, "{v}");
        let (a, b, all) = (
            v["phase_a_cycles"].as_u64().unwrap(),
            v["phase_b_cycles"].as_u64().unwrap(),
            v["step_cycles"].as_u64().unwrap(),
        );
        assert_eq!(a + b, all, "{v}");
    }
    assert!(on_chip["events"].as_u64().unwrap() > 0, "{on_chip}");
    let cycles = |v: &serde_json::Value| v["step_cycles"].as_u64().unwrap();
    assert!(cycles(&far) > cycles(&near), "{far}\n{near}");
    assert!(cycles(&thin) > cycles(&near), "{thin}\n{near}");
    assert!(cycles(&near) > cycles(&on_chip), "{near}\n{on_chip}");
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

/// Issue 9, item 3: any back end -> one trace file -> one comparator. The
/// record trace `spikefab cosim` writes for the RTL matches the one `spikefab
/// sim --records` writes for the reference, record by record; one altered
/// line fails with the divergence named.
#[test]
fn cosim_record_trace_matches_the_simulators_and_an_altered_line_fails() {
    let dir = scratch("cli-cosim-records");
    let (cmp, rtl, reference) = cosim_against_sim(
        &dir,
        &["cosim", "balanced", "--hw", "balanced", "--steps", "60"],
        &["sim", "balanced", "--steps", "60"],
    );
    print!("{cmp}");
    assert!(
        cmp.starts_with("matched 75000 neuron updates, ") && cmp.contains(" over 60 steps"),
        "{cmp}"
    );
    let text_rtl = std::fs::read_to_string(&rtl).unwrap();
    assert!(text_rtl.lines().nth(1).unwrap().contains(" source=cosim "));
    // alter one neuron's current in step 41
    let lines: Vec<&str> = text_rtl.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("n 41 600 "))
        .unwrap();
    let f: Vec<&str> = lines[i].split(' ').collect();
    let i_ex: i64 = f[4].parse().unwrap();
    let changed = format!("n 41 600 {} {} {}", f[3], i_ex - 1, f[5..].join(" "));
    let mut alt = lines.clone();
    alt[i] = &changed;
    let altered = dir.join("altered.txt");
    std::fs::write(&altered, alt.join("\n") + "\n").unwrap();
    let o = plain(&[
        "compare",
        reference.to_str().unwrap(),
        altered.to_str().unwrap(),
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(
        out.starts_with("traces diverge at step 41, neuron 600; i_ex: "),
        "{out}"
    );
    assert!(
        out.contains(&format!("altered.txt line {}: {changed}", i + 1)),
        "{out}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// A mesh reports weight writes in canonical order (its header says so);
/// the comparator sorts the reference's alike. The network is
/// `tiny_stdp.toml` with the `stdp` config's numerics, so that `spikefab
/// sim` computes what the hardware does.
#[test]
fn mesh_record_trace_in_canonical_order_matches_the_simulators() {
    let dir = scratch("cli-cosim-mesh-records");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let net = std::fs::read_to_string(root.join("gen/tests/nets/tiny_stdp.toml")).unwrap();
    let cfg = std::fs::read_to_string(root.join("gen/configs/stdp.toml")).unwrap();
    let (a, b) = (
        net.find("[numerics]").unwrap(),
        net.find("[plasticity]").unwrap(),
    );
    let numerics = &cfg[cfg.find("[numerics]").unwrap()..];
    let toml = format!("{}{}\n\n{}", &net[..a], numerics.trim(), &net[b..]);
    let path = dir.join("tiny_stdp_hw.toml");
    std::fs::write(&path, toml).unwrap();
    let p = path.to_str().unwrap();
    let (cmp, rtl, _) = cosim_against_sim(
        &dir,
        &[
            "cosim", p, "--hw", "stdp", "--mesh", "3x2", "--steps", "200",
        ],
        &["sim", p, "--steps", "200"],
    );
    print!("{cmp}");
    assert!(
        cmp.contains("weight writes compared in canonical order"),
        "{cmp}"
    );
    let marker = cmp.lines().last().unwrap();
    assert!(
        marker.starts_with("matched 6600 neuron updates, ") && !marker.contains(" 0 weight writes"),
        "{marker}"
    );
    let header = std::fs::read_to_string(&rtl).unwrap();
    assert!(header
        .lines()
        .nth(1)
        .unwrap()
        .contains(" weight_order=canonical"));
}

/// `spikefab ARGS` with `TMPDIR` set (the folder a work folder goes to
/// without `--work`), without adding `--cache`.
fn with_tmpdir(tmpdir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .env("TMPDIR", tmpdir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run spikefab")
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A fault at a step the run never reaches would let the run pass without
/// the fault ever happening: it is a usage error, before anything is built.
#[test]
fn cosim_refuses_a_fault_at_a_step_the_run_never_reaches() {
    for (fault, steps) in [("rounding@1000", "10"), ("drop-spike@10", "10")] {
        let o = spikefab(&[
            "cosim",
            "gen/tests/nets/tiny.toml",
            "--hw",
            "odd",
            "--steps",
            steps,
            "--inject-fault",
            fault,
        ]);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
        assert!(
            err.contains(&format!("--inject-fault {fault}: step"))
                && err.contains("is never reached, the run has steps 0..=9 (--steps 10)"),
            "{err}"
        );
        assert!(out.is_empty(), "nothing ran: {out}");
    }
}

/// `--cache` naming a file is an error that leaves no work folder behind
/// (it used to leave /tmp/spikefab-cosim-<pid>).
#[test]
fn cosim_with_a_cache_that_is_a_file_fails_and_leaves_no_work_folder() {
    let dir = scratch("cli-cosim-cache-file");
    let tmpdir = dir.join("tmp");
    std::fs::create_dir_all(&tmpdir).unwrap();
    let file = dir.join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let o = with_tmpdir(
        &tmpdir,
        &[
            "cosim",
            "gen/tests/nets/tiny.toml",
            "--hw",
            "odd",
            "--steps",
            "5",
            "--cache",
            file.to_str().unwrap(),
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the model cache") && err.contains("is not a folder"),
        "{err}"
    );
    assert_eq!(entries(&tmpdir), Vec::<String>::new(), "left behind");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

/// A cache whose libraries another user could replace is refused before
/// anything in it is loaded: writable by group or others, or under a
/// folder others can write to that is not sticky.
#[cfg(unix)]
#[test]
fn cosim_refuses_a_cache_that_others_can_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("cli-cosim-open-cache");
    let open = dir.join("open");
    std::fs::create_dir_all(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let under = open.join("cache");
    let group = dir.join("group");
    std::fs::create_dir_all(&group).unwrap();
    std::fs::set_permissions(&group, std::fs::Permissions::from_mode(0o770)).unwrap();
    for (cache, bad, who) in [
        (
            &open,
            &open,
            "it is writable by its group and others (mode 777)",
        ),
        (
            &under,
            &open,
            "a folder above it is writable by its group and others (mode 777)",
        ),
        (&group, &group, "it is writable by its group (mode 770)"),
    ] {
        let o = with_tmpdir(
            &dir,
            &[
                "cosim",
                "gen/tests/nets/tiny.toml",
                "--hw",
                "odd",
                "--steps",
                "5",
                "--cache",
                cache.to_str().unwrap(),
            ],
        );
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("refusing the model cache {}", bad.display()))
                && err.contains(who)
                && err.contains(&format!("chmod go-w {}", bad.display())),
            "{cache:?}: {err}"
        );
    }
    // A private cache under a sticky world-writable folder (as /tmp) is fine:
    // it is created with mode 0700 and accepted.
    let sticky = dir.join("sticky");
    std::fs::create_dir_all(&sticky).unwrap();
    std::fs::set_permissions(&sticky, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let mine = sticky.join("mine");
    spikefab_cosim::prepare_cache_root(&mine).expect("a private cache under a sticky folder");
    let mode = std::fs::metadata(&mine).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

/// Without `--work` the RTL goes to a new folder with an unpredictable name
/// and mode 0700 (not /tmp/spikefab-cosim-<pid>, which another user could
/// create first): kept after a failure, removed after a pass.
#[cfg(unix)]
#[test]
fn cosim_without_work_uses_a_private_unpredictable_folder() {
    use std::os::unix::fs::PermissionsExt;
    let tmpdir = scratch("cli-cosim-private-work");
    let cache = cache();
    let failing = with_tmpdir(
        &tmpdir,
        &[
            "cosim",
            "gen/tests/nets/tiny.toml",
            "--hw",
            "odd",
            "--steps",
            "30",
            "--inject-fault",
            "rounding@23",
            "--cache",
            cache.to_str().unwrap(),
        ],
    );
    let err = text(&failing.stderr);
    assert_eq!(failing.status.code(), Some(1), "{err}");
    let kept = entries(&tmpdir);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let name = &kept[0];
    assert!(name.starts_with("spikefab-cosim-"), "{name}");
    let suffix = &name["spikefab-cosim-".len()..];
    assert!(
        suffix.len() >= 6 && suffix.parse::<u32>().is_err(),
        "not a pid: {name}"
    );
    let work = tmpdir.join(name);
    assert!(
        err.contains(&format!("generated RTL kept in {}", work.display())),
        "{err}"
    );
    let mode = std::fs::metadata(&work).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{name}");
    assert!(work.join("records.txt").is_file());
    std::fs::remove_dir_all(&work).unwrap();

    let passing = with_tmpdir(
        &tmpdir,
        &[
            "cosim",
            "gen/tests/nets/tiny.toml",
            "--hw",
            "odd",
            "--steps",
            "5",
            "--cache",
            cache.to_str().unwrap(),
        ],
    );
    let (out, err) = (text(&passing.stdout), text(&passing.stderr));
    assert!(passing.status.success(), "{out}\n{err}");
    assert_eq!(entries(&tmpdir), Vec::<String>::new(), "a pass removes it");
}
