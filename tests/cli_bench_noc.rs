//! Integration tests of `spikefab bench noc` (real Verilator and g++; a
//! missing tool fails them with the install hint, never skips them). The
//! command runs outside the repository: the NoC sources come from the
//! binary, not from `hdl/`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// `spikefab bench noc ARGS --cache <target tmp>`, run from a folder outside the repository.
fn bench_noc(args: &[&str]) -> Output {
    let cwd = tmp("cli-bench-noc-cwd");
    std::fs::create_dir_all(&cwd).expect("create the working folder");
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(["bench", "noc"])
        .args(args)
        .arg("--cache")
        .arg(tmp("cli-bench-noc-cache"))
        .current_dir(cwd)
        .output()
        .expect("run spikefab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The table rows `| offered | accepted | mean | p99 |` of the output, parsed.
fn rows(out: &str) -> Vec<(f64, f64, f64, u64)> {
    out.lines()
        .filter(|l| l.starts_with("| 0.") || l.starts_with("| 1."))
        .map(|l| {
            let f: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(f.len(), 4, "row `{l}`");
            let num = |s: &str| {
                s.parse::<f64>()
                    .unwrap_or_else(|_| panic!("`{s}` in `{l}`"))
            };
            (num(f[0]), num(f[1]), num(f[2]), num(f[3]) as u64)
        })
        .collect()
}

#[test]
fn bench_noc_2x2_prints_the_curve_and_exits_0() {
    let t0 = std::time::Instant::now();
    let o = bench_noc(&["--mesh", "2x2", "--cycles", "3000"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    print!("{out}");
    println!("(bench noc 2x2 in {:.1} s)", t0.elapsed().as_secs_f64());
    assert!(out.contains("mesh 2x2 (4 cores): model `noc_tb`"), "{out}");
    assert!(
        out.contains("| offered | accepted | mean latency | p99 latency |"),
        "{out}"
    );
    let r = rows(&out);
    let offered: Vec<f64> = r.iter().map(|x| x.0).collect();
    let want: Vec<f64> = (1..=10).map(|i| f64::from(i) / 10.0).collect();
    assert_eq!(offered, want, "{out}");
    for &(off, acc, mean, p99) in &r {
        // below saturation everything offered is accepted; latency at least one hop
        if off <= 0.3 {
            assert!((acc - off).abs() < 0.03, "accepted {acc} of {off}");
        }
        assert!(acc > 0.0 && acc <= 1.0, "accepted {acc}");
        assert!(mean >= 1.0 && p99 as f64 >= mean.floor(), "{mean} / {p99}");
    }
    // 2x2 unicast: mean hop count 1, plus one cycle
    assert!(
        (1.9..2.3).contains(&r[0].2),
        "mean latency at 0.1: {}",
        r[0].2
    );
    assert!(
        out.contains("each delivered exactly once (0 lost, 0 duplicated, 0 misrouted)"),
        "{out}"
    );
}

#[test]
fn bench_noc_json_prints_one_clean_object_per_offered_load() {
    let o = bench_noc(&["--mesh", "2x2", "--cycles", "1000", "--json"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("`{l}`: {e}")))
        .collect();
    assert_eq!(lines.len(), 10, "{out}");
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["mesh"], "2x2");
        assert_eq!(v["cores"], 4);
        assert_eq!(v["measured_cycles"], 1000);
        let offered = v["offered"].as_f64().unwrap();
        assert!((offered - (i + 1) as f64 / 10.0).abs() < 1e-9, "{v}");
        for k in ["lost", "duplicated", "misrouted", "corrupt"] {
            assert_eq!(v[k], 0, "{k}: {v}");
        }
        assert!(v["accepted"].as_f64().unwrap() > 0.0, "{v}");
        assert!(v["p99_latency"].as_u64().unwrap() >= 1, "{v}");
    }
}

#[test]
fn bad_mesh_exits_2_with_a_message() {
    for (mesh, want) in [("0x3", "rows = 0"), ("9x9", "81 cores"), ("2by2", "no 'x'")] {
        let o = bench_noc(&["--mesh", mesh]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--mesh {mesh}: {err}");
        assert!(
            err.contains(&format!("'{mesh}'")) && err.contains(want),
            "--mesh {mesh}: {err}"
        );
        assert!(o.stdout.is_empty(), "--mesh {mesh}: nothing on stdout");
    }
}

#[test]
fn bad_fifo_depth_and_cycles_exit_2() {
    for args in [["--fifo-depth", "1"], ["--cycles", "0"]] {
        let o = bench_noc(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(args[0]), "{}", text(&o.stderr));
    }
}
