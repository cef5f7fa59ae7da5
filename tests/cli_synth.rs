//! Integration tests of `spikefab synth` (real Yosys; a missing yosys fails
//! them with the install hint, it never skips them).

use std::path::Path;
use std::process::{Command, Output};

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
fn synth_lif_update_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synth");
    let o = spikefab(&[
        "synth",
        "hdl",
        "--top",
        "snn_lif_update",
        "--part",
        "xc7a100t",
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON object: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["top"], "snn_lif_update");
    assert_eq!(v["part"]["name"], "xc7a100t");
    assert_eq!(v["part"]["family"], "xc7");
    assert!(v["resources"]["luts"].as_u64().unwrap() > 0);
    assert!(v["resources"]["ffs"].as_u64().unwrap() > 0);
    assert!(v["resources"]["dsp"].as_u64().unwrap() > 0);
    assert!(v["depth"]["lut_levels"].as_u64().unwrap() > 0);
    let rows = v["utilisation"].as_array().unwrap();
    let lut = rows.iter().find(|r| r["resource"] == "LUT").unwrap();
    assert_eq!(lut["available"], 63_400);
    for r in rows {
        let p = r["percent"].as_f64().unwrap();
        assert!((0.0..100.0).contains(&p), "{r}");
    }
    assert!(Path::new(&out).join("yosys.log").is_file());
    assert!(Path::new(&out).join("report.json").is_file());
}

#[test]
fn synth_table_with_params() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synth");
    let o = spikefab(&[
        "synth",
        "hdl/snn_lif_update.v",
        "hdl/snn_pipe_ctrl.v",
        "--part",
        "ZCU104",
        "--param",
        "V_BITS=16",
        "--param",
        "I_BITS=16",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in [
        "xczu7ev",
        "xcup",
        "resource",
        "LUT",
        "FF",
        "DSP",
        "URAM",
        "logic depth",
        "V_BITS=16",
    ] {
        assert!(stdout.contains(needle), "missing {needle}:\n{stdout}");
    }
}

#[test]
fn synth_unknown_part() {
    let o = spikefab(&[
        "synth",
        "hdl",
        "--top",
        "snn_lif_update",
        "--part",
        "xc9z999",
    ]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unknown part 'xc9z999'"), "{stderr}");
    for p in ["xc7a100t", "xc7z020", "xczu7ev", "xcu250", "arty-a7-100t"] {
        assert!(stderr.contains(p), "{p} not listed: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn synth_needs_top_when_ambiguous_and_rejects_bad_params() {
    // two independent modules: no top can be inferred
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("two");
    std::fs::create_dir_all(&src).unwrap();
    for f in ["snn_rng.v", "snn_poisson.v"] {
        std::fs::copy(Path::new("hdl").join(f), src.join(f)).unwrap();
    }
    let out = dir.path().join("synth");
    let o = spikefab(&[
        "synth",
        src.to_str().unwrap(),
        "--part",
        "xc7a100t",
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--top"), "{stderr}");

    let o = spikefab(&["synth", "hdl", "--part", "xc7a100t", "--param", "V_BITS"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("NAME=VALUE"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A broken module header: the error names the file and the line and says
/// that no `module NAME` header was parsed (it used to say "the sources
/// define no module").
#[test]
fn synth_names_the_file_and_line_of_a_broken_module_header() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("broken.v");
    std::fs::write(
        &src,
        "// counter\nmodlue cnt(input clk, output reg q);\n  always @(posedge clk) q <= ~q;\nendmodule\n",
    )
    .unwrap();
    let o = spikefab(&[
        "synth",
        src.to_str().unwrap(),
        "--part",
        "xc7a100t",
        "-o",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{}:4: `endmodule` without a `module NAME` header",
            src.display()
        )),
        "{err}"
    );
    assert!(!err.contains("define no module"), "{err}");
}

/// A Verilog file that is not part of a `spikefab gen` output next to it:
/// the error names the generated top and the file that is in the way.
#[test]
fn synth_of_a_gen_output_with_a_foreign_file_names_the_top_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acc");
    let o = spikefab(&[
        "gen",
        "gen/tests/nets/tiny.toml",
        "--hw",
        "odd",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::write(out.join("old.v"), "module old_top(input a);\nendmodule\n").unwrap();
    let o = spikefab(&[
        "synth",
        out.to_str().unwrap(),
        "--part",
        "xc7a100t",
        "-o",
        dir.path().join("synth").to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("2 modules are not instantiated by any other (old_top, spikefab_net)"),
        "{err}"
    );
    assert!(
        err.contains("its top is `spikefab_net` (add --top spikefab_net)")
            && err.contains("not part of that generation")
            && err.contains(": old.v"),
        "{err}"
    );
}
