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

/// The `small` core (a 4,096-word synapse image and an 8,192-word
/// accumulator memory, whose zero loop Yosys 0.23 elaborates in time
/// quadratic in its depth: 83 s with every memory kept) synthesizes with
/// both memories blank by default, and the output says which and why.
#[test]
fn synth_of_a_generated_core_blanks_its_large_memories_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let acc = dir.path().join("acc");
    let o = spikefab(&[
        "gen",
        "gen/tests/nets/tiny.toml",
        "--hw",
        "small",
        "-o",
        acc.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = dir.path().join("synth");
    let o = spikefab(&[
        "synth",
        acc.to_str().unwrap(),
        "--top",
        "spikefab_net",
        "--part",
        "xc7a100t",
        "--timeout-s",
        "300",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout
            .contains("memories (--memories blank above 65536 bits): 6 kept, 2 blank, 0 black box"),
        "{stdout}"
    );
    let line = |path: &str| {
        stdout
            .lines()
            .find(|l| l.contains(path))
            .unwrap_or_else(|| panic!("{path} not listed:\n{stdout}"))
            .to_string()
    };
    let syn = line("u_top.u_core.u_syn.g_onchip.u_syn_mem");
    assert!(syn.starts_with("blank"), "{syn}");
    assert!(
        syn.contains("118,784 bits > 65,536: image dropped"),
        "{syn}"
    );
    let acc_mem = line("u_top.u_core.u_syn.u_acc ");
    assert!(acc_mem.starts_with("blank"), "{acc_mem}");
    assert!(acc_mem.contains("zero initialisation dropped"), "{acc_mem}");
    let cdf = line("u_top.u_core.u_cdf_mem");
    assert!(
        cdf.starts_with("kept") && cdf.contains("image kept"),
        "{cdf}"
    );

    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["memories"]["mode"], "blank");
    assert_eq!(v["memories"]["blank_above"], 65_536);
    let blank: Vec<&str> = v["memories"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["treatment"] == "blank")
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        blank,
        [
            "u_top.u_core.u_syn.g_onchip.u_syn_mem",
            "u_top.u_core.u_syn.u_acc"
        ]
    );
    assert!(v["resources"]["bram36"].as_f64().unwrap() > 0.0);
    let script = std::fs::read_to_string(out.join("synth.ys")).unwrap();
    assert!(
        script.contains("-DSNN_MEM_PROBE -DSNN_MEM_BLANK_ABOVE=65536"),
        "{script}"
    );
}

/// Black boxes of odd shapes: 15 x 33 is distributed RAM (not counted),
/// 4097 x 7 two BRAM36 (4096 x 9 twice), as the capacity module places
/// them; the utilisation is what Yosys synthesized plus that.
#[test]
fn synth_counts_black_box_memories_of_odd_shapes_by_the_placement_rules() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy("hdl/snn_mem.v", src.join("snn_mem.v")).unwrap();
    std::fs::write(
        src.join("two_mems.v"),
        r#"`default_nettype none
module two_mems (
  input  wire        clk_i,
  input  wire        we_i,
  input  wire [12:0] waddr_i,
  input  wire [32:0] wdata_i,
  input  wire [12:0] raddr_i,
  output wire [39:0] rdata_o
);
  snn_mem #(.WIDTH(33), .DEPTH(15), .RD_REG(0)) u_small (
    .clk_i(clk_i), .we_i(we_i), .waddr_i(waddr_i[3:0]), .wdata_i(wdata_i),
    .wlane_i(1'b1), .re_i(1'b1), .raddr_i(raddr_i[3:0]), .rdata_o(rdata_o[32:0])
  );
  snn_mem #(.WIDTH(7), .DEPTH(4097)) u_deep (
    .clk_i(clk_i), .we_i(we_i), .waddr_i(waddr_i), .wdata_i(wdata_i[6:0]),
    .wlane_i(1'b1), .re_i(1'b1), .raddr_i(raddr_i), .rdata_o(rdata_o[39:33])
  );
endmodule
`default_nettype wire
"#,
    )
    .unwrap();
    let out = dir.path().join("synth");
    let o = spikefab(&[
        "synth",
        src.to_str().unwrap(),
        "--part",
        "xc7a100t",
        "--memories",
        "blackbox",
        "--blank-above",
        "0",
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let mems = v["memories"]["instances"].as_array().unwrap();
    assert_eq!(mems.len(), 2, "{mems:?}");
    let (deep, small) = (&mems[0], &mems[1]);
    assert_eq!(deep["path"], "u_deep");
    assert_eq!(
        (deep["depth"].as_u64(), deep["width"].as_u64()),
        (Some(4097), Some(7))
    );
    assert_eq!(deep["treatment"], "blackbox");
    assert_eq!(deep["counted"]["bram36"], 2);
    assert_eq!(deep["counted"]["lutram"], false);
    assert_eq!(small["path"], "u_small");
    assert_eq!(small["treatment"], "blackbox");
    assert_eq!(small["counted"]["lutram"], true);
    assert_eq!(small["counted"]["bram36"], 0);
    assert_eq!(v["memories"]["counted"]["bram36"], 2);
    // nothing of either memory was synthesized; the utilisation adds the count
    assert_eq!(v["resources"]["bram36"], 0.0);
    let bram = v["utilisation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["resource"] == "BRAM36")
        .unwrap();
    assert_eq!(bram["used"], 2.0);
    let cells = v["cells"].as_object().unwrap();
    assert_eq!(
        cells
            .iter()
            .filter(|(k, _)| k.ends_with("spikefab_mem_blackbox"))
            .map(|(_, n)| n.as_u64().unwrap())
            .sum::<u64>(),
        2,
        "{cells:?}"
    );
}

#[test]
fn synth_memory_options_are_checked_before_yosys_runs() {
    for (args, needle) in [
        (
            &["--memories", "blanks"][..],
            "--memories 'blanks': expected keep, blank or blackbox",
        ),
        (
            &["--memories", "keep", "--blank-above", "15"][..],
            "--blank-above 15 with --memories keep",
        ),
        (
            &["--blank-above", "4294967296"][..],
            "--blank-above 4294967296: at most 2147483647 bits",
        ),
    ] {
        let mut all = vec![
            "synth",
            "hdl",
            "--top",
            "snn_lif_update",
            "--part",
            "xc7a100t",
        ];
        all.extend_from_slice(args);
        let o = spikefab(&all);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// A directory generated before the hook: blank and blackbox refuse it,
/// naming the file (they would silently keep every memory), keep runs.
#[test]
fn synth_refuses_to_blank_an_snn_mem_without_the_hook() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("old");
    std::fs::create_dir_all(&src).unwrap();
    // as before the hook: no SNN_MEM_PROBE (the other macros do nothing without it here)
    let stripped = std::fs::read_to_string("hdl/snn_mem.v")
        .unwrap()
        .replace("SNN_MEM_PROBE", "SNN_MEM_LISTING");
    std::fs::write(src.join("snn_mem.v"), stripped).unwrap();
    let o = spikefab(&[
        "synth",
        src.to_str().unwrap(),
        "--part",
        "xc7a100t",
        "-o",
        dir.path().join("synth").to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{} define snn_mem without its synthesis hook",
            src.join("snn_mem.v").canonicalize().unwrap().display()
        )),
        "{err}"
    );
    assert!(err.contains("--memories keep"), "{err}");
}
