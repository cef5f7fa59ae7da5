//! The inputs that once crashed, hung or aborted `spikefab` (issue 16) now
//! end fast with a clear error and a non-zero exit, before anything large
//! is allocated or any long loop starts; and the memory estimate and
//! `--max-memory` behave as documented.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run `spikefab args` in `cwd`; fail the test, naming the command line,
/// if it has not ended within `limit` (the child is killed).
fn spikefab_within(cwd: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the spikefab binary");
    let t0 = Instant::now();
    loop {
        match child.try_wait().expect("wait for spikefab") {
            Some(_) => return child.wait_with_output().expect("collect output"),
            None if t0.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("spikefab {} ran longer than {limit:?}", args.join(" "));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Fail-fast paths: a second is plenty even on a loaded machine (they take
/// milliseconds); what matters is that nothing is built or looped over.
const FAST: Duration = Duration::from_secs(5);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exit status 1, no panic, and stderr returned.
fn fails(out: &Output) -> String {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{err}",
        text(&out.stdout)
    );
    assert!(!err.contains("panicked"), "panic:\n{err}");
    err
}

fn example(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(format!("{name}.toml")),
    )
    .expect("example")
}

/// One source neuron, one target neuron, `fixed_total_number` with `n`.
fn one_to_one_neuron(n: &str) -> String {
    let pop = |name: &str| {
        format!(
            "[[population]]\nname = \"{name}\"\nsize = 1\nv_init = {{ kind = \"constant\", v_mv = -65.0 }}\n\
             neuron = {{ tau_m_ms = 10.0, c_m_pf = 250.0, e_l_mv = -65.0, v_th_mv = -50.0, v_reset_mv = -65.0, \
             t_ref_ms = 2.0, tau_syn_ex_ms = 0.5, tau_syn_in_ms = 0.5 }}\n\n"
        )
    };
    format!(
        "[simulation]\ndt_ms = 0.1\nduration_ms = 10.0\n\n{}{}[[projection]]\nsource = \"A\"\ntarget = \"B\"\n\
         rule = {{ kind = \"fixed_total_number\", n = {n} }}\nweight = {{ mean_pa = 50.0 }}\ndelay = {{ mean_ms = 1.0 }}\n",
        pop("A"),
        pop("B")
    )
}

#[test]
fn a_row_of_more_than_2_pow_32_synapses_is_rejected_by_every_command() {
    // Once: a wrapped 32-bit count, 16 synapses allocated, a segfault.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("seg.toml"), one_to_one_neuron("4294967312")).unwrap();
    for args in [
        &["check", "seg.toml"][..],
        &["sim", "seg.toml", "-o", "out"],
        &["gen", "seg.toml", "-o", "gen"],
        &["cosim", "seg.toml"],
    ] {
        let err = fails(&spikefab_within(d, args, FAST));
        assert!(
            err.contains("seg.toml:20:43: projection \"A->B\" (#0): field `projection[0].rule.n`"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(
                "more than the limit of 4294967295 (2^32 - 1) synapses from one source neuron"
            ),
            "{args:?}: {err}"
        );
    }
    assert!(!d.join("out").exists() && !d.join("gen").exists());
}

#[test]
fn a_row_just_below_the_limit_is_refused_by_the_memory_estimate_not_an_abort() {
    // Once: an abort allocating 17 GB.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("big.toml"), one_to_one_neuron("4294967280")).unwrap();
    let err = fails(&spikefab_within(
        d,
        &["sim", "big.toml", "-o", "out", "--max-memory", "16G"],
        FAST,
    ));
    assert!(
        err.starts_with(
            "error: not enough memory: simulating this network needs about 88.0 GiB, more than the \
             limit of 16.0 GiB (--max-memory); nothing was built:"
        ),
        "{err}"
    );
    assert!(
        err.contains("projection \"A->B\" (#0): projection[0].rule.n = 4294967280"),
        "{err}"
    );
    assert!(!d.join("out").exists(), "nothing written");
    // `plan` simulates the network too: refused before it is built
    let err = fails(&spikefab_within(
        d,
        &[
            "plan",
            "big.toml",
            "--part",
            "xcu55c",
            "--max-memory",
            "16G",
        ],
        FAST,
    ));
    assert!(
        err.starts_with(
            "error: not enough memory: simulating this network needs about 88.0 GiB, more than the \
             limit of 16.0 GiB (--max-memory); nothing was built:"
        ),
        "{err}"
    );
    // The default limit is the memory available: no machine this runs on
    // has 88 GiB free for it... unless it does, so only `check` is asked.
    let out = spikefab_within(d, &["check", "big.toml"], FAST);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("memory estimate for simulating: 88.0 GiB (2 neurons, 4294967280 synapses)"),
        "{s}"
    );
}

#[test]
fn a_billion_synapses_or_a_full_delay_ring_above_max_memory_are_refused() {
    // Once: aborts after 6 s (n = 1e9) and 53 s (16,777,000 neurons).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("ftn.toml"), one_to_one_neuron("1000000000")).unwrap();
    let err = fails(&spikefab_within(
        d,
        &["sim", "ftn.toml", "--max-memory", "4G"],
        FAST,
    ));
    assert!(err.contains("projection[0].rule.n = 1000000000"), "{err}");
    let huge = example("two_populations").replacen("size = 80", "size = 16777000", 1);
    fs::write(d.join("huge.toml"), huge).unwrap();
    let err = fails(&spikefab_within(
        d,
        &["sim", "huge.toml", "--max-memory", "4G", "-o", "out"],
        FAST,
    ));
    assert!(err.contains("not enough memory"), "{err}");
    assert!(
        err.contains(
            "delay ring             8.0 GiB  16777020 neurons (population[*].size of 2 populations) x 64 slots \
             (numerics.max_delay_steps + 1)"
        ),
        "{err}"
    );
    assert!(!d.join("out").exists());
}

#[test]
fn gen_and_cosim_check_their_memory_estimate_before_building() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("net.toml"), example("two_populations")).unwrap();
    let err = fails(&spikefab_within(
        d,
        &["gen", "net.toml", "-o", "gen", "--max-memory", "1K"],
        FAST,
    ));
    assert!(
        err.starts_with("error: not enough memory: generating this network needs about"),
        "{err}"
    );
    assert!(err.contains("memory images"), "{err}");
    assert!(!d.join("gen").exists());
    // before any RTL is generated or verilated
    let err = fails(&spikefab_within(
        d,
        &["cosim", "net.toml", "--work", "w", "--max-memory", "1K"],
        FAST,
    ));
    assert!(
        err.starts_with("error: not enough memory: co-simulating this network needs about"),
        "{err}"
    );
    assert!(!d.join("w").exists());
}

#[test]
fn max_memory_takes_sizes_with_binary_units_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("net.toml"), example("two_populations")).unwrap();
    for bad in ["4X", "-1G", "lots", ""] {
        let arg = format!("--max-memory={bad}");
        let out = spikefab_within(d, &["sim", "net.toml", &arg], FAST);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = text(&out.stderr);
        assert!(err.contains("--max-memory"), "{err}");
        assert!(
            err.contains("512M, 4G") || err.contains("negative") || err.contains("unit"),
            "{err}"
        );
    }
    let out = spikefab_within(
        d,
        &[
            "sim",
            "net.toml",
            "--max-memory",
            "1GiB",
            "--steps",
            "20",
            "-o",
            "o",
            "--no-plot",
        ],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_connection_probability_too_small_for_ln_1_minus_p_runs_instead_of_hanging() {
    // Once: ln(1 - 1e-300) = 0, an endless skip loop in sim, gen and cosim.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for p in ["1e-300", "5e-324", "1e-17"] {
        let net = example("stdp_pair").replace("p = 1.0", &format!("p = {p}"));
        fs::write(d.join("tiny.toml"), net).unwrap();
        let out = spikefab_within(
            d,
            &[
                "sim",
                "tiny.toml",
                "--steps",
                "50",
                "-o",
                "run",
                "--no-plot",
                "-q",
            ],
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "p = {p}: {}", text(&out.stderr));
        let run: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(d.join("run/run.json")).unwrap()).unwrap();
        assert_eq!(run["synapses"], 2, "p = {p}: only the explicit synapses");
        let out = spikefab_within(
            d,
            &["gen", "tiny.toml", "--hw", "stdp", "-o", "g"],
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "p = {p}: {}", text(&out.stderr));
    }
}

#[test]
fn a_huge_k_scale_names_k_scale() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for cmd in ["sim", "export"] {
        let err = fails(&spikefab_within(
            d,
            &[cmd, "pd14", "--k-scale", "1e30"],
            FAST,
        ));
        assert!(
            err.contains("model pd14: k_scale = 1000000000000000000000000000000 with n_scale = 1 gives projection"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("serializ"), "{cmd}: {err}");
    }
}

#[test]
fn an_array_of_simulation_tables_names_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let net = example("two_populations").replace("[simulation]", "[[simulation]]");
    fs::write(d.join("arr.toml"), net).unwrap();
    let err = fails(&spikefab_within(d, &["check", "arr.toml"], FAST));
    assert!(
        err.contains(
            "field `simulation`: `simulation` must be a single table (`[simulation]` or \
             `simulation = { ... }`), not an array of tables (`[[simulation]]`)"
        ),
        "{err}"
    );
}

#[test]
fn progress_is_shown_as_lines_on_request_and_not_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("net.toml"), example("two_populations")).unwrap();
    let out = spikefab_within(
        d,
        &[
            "sim",
            "net.toml",
            "--steps",
            "20",
            "-o",
            "a",
            "--no-plot",
            "--progress",
        ],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for phase in ["counting synapses", "placing synapses", "sorting rows"] {
        assert!(
            err.contains(&format!("progress: building network: {phase}: 0 of 1000")),
            "{err}"
        );
    }
    // stderr is not a terminal here: no progress without the flag
    let out = spikefab_within(
        d,
        &["sim", "net.toml", "--steps", "20", "-o", "b", "--no-plot"],
        Duration::from_secs(60),
    );
    assert!(out.status.success());
    assert!(
        !text(&out.stderr).contains("progress"),
        "{}",
        text(&out.stderr)
    );
    // --progress and --quiet contradict each other
    let out = spikefab_within(d, &["sim", "net.toml", "--progress", "-q"], FAST);
    assert_eq!(out.status.code(), Some(2));
}
