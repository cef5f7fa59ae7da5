//! Synthesis with the real Yosys on the hand-written leaf modules, plus the
//! parsers on hand-written excerpts of real Yosys 0.23 output.
//!
//! Yosys must be installed (`apt-get install yosys`, scripts/setup.sh): a
//! missing yosys fails these tests with that hint, it never skips them.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use spikefab_eda::parts::lookup;
use spikefab_eda::yosys::{
    choose_top, collect_sources, logic_depth, parse_param, parse_stat, scan_modules, synthesize,
    Resources, SynthError, SynthOptions, LOG_FILE, REPORT_FILE, SCRIPT_FILE,
};

fn hdl() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hdl")
}

fn run(opts: &SynthOptions, part: &str) -> spikefab_eda::SynthReport {
    let part = lookup(part).unwrap();
    synthesize(opts, part).unwrap_or_else(|e| panic!("synthesis failed: {e}"))
}

fn check_lif_report(r: &spikefab_eda::SynthReport) {
    assert_eq!(r.top, "snn_lif_update");
    assert!(r.resources.luts > 0, "{:?}", r.resources);
    assert!(r.resources.ffs > 0, "{:?}", r.resources);
    assert!(
        r.resources.dsp > 0,
        "the multipliers map to DSPs: {:?}",
        r.resources
    );
    assert!(r.depth.lut_levels > 0, "{:?}", r.depth);
    assert!(r.depth.logic_levels >= r.depth.lut_levels, "{:?}", r.depth);
    assert_eq!(r.depth.loops, 0);
    assert!(r.fits);
    for u in &r.utilisation {
        let p = u.percent.expect("every resource of the part is available");
        assert!((0.0..100.0).contains(&p), "{u:?}");
    }
    assert!(r.log.is_file(), "log kept at {}", r.log.display());
    assert!(r.out_dir.join(REPORT_FILE).is_file());
}

#[test]
fn lif_update_on_xc7a100t() {
    let dir = tempfile::tempdir().unwrap();
    // Its two files, no --top: the module the other does not instantiate
    // (snn_lif_update, not its snn_pipe_ctrl) is the top.
    let opts = SynthOptions::new(
        vec![
            hdl().join("snn_lif_update.v"),
            hdl().join("snn_pipe_ctrl.v"),
        ],
        dir.path().join("out"),
    );
    let r = run(&opts, "xc7a100t");
    check_lif_report(&r);
    assert_eq!(r.part.name, "xc7a100t");
    assert!(r.cells.contains_key("DSP48E1"), "{:?}", r.cells);
    assert!(r.utilisation.iter().all(|u| u.resource != "URAM"));
    let script = fs::read_to_string(r.out_dir.join(SCRIPT_FILE)).unwrap();
    assert!(
        script.contains("synth_xilinx -family xc7 -top snn_lif_update"),
        "{script}"
    );
    let log = fs::read_to_string(r.out_dir.join(LOG_FILE)).unwrap();
    assert!(
        log.contains("Printing statistics"),
        "the log is the full Yosys log"
    );
}

#[test]
fn lif_update_on_xczu7ev_with_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = SynthOptions::new(vec![hdl()], dir.path().join("out"));
    opts.top = Some("snn_lif_update".into());
    opts.params = vec![
        ("V_BITS".into(), "16".into()),
        ("I_BITS".into(), "16".into()),
        ("PLASTIC".into(), "0".into()),
    ];
    let r = run(&opts, "zcu104");
    check_lif_report(&r);
    assert_eq!(r.part.name, "xczu7ev");
    assert!(r.cells.contains_key("DSP48E2"), "{:?}", r.cells);
    assert!(r.utilisation.iter().any(|u| u.resource == "URAM"));
    assert_eq!(r.params.get("V_BITS").map(String::as_str), Some("16"));
    let script = fs::read_to_string(r.out_dir.join(SCRIPT_FILE)).unwrap();
    assert!(script.contains("-chparam V_BITS 16"), "{script}");
    assert!(script.contains("-family xcup"), "{script}");
}

#[test]
fn syntax_error_is_reported_with_the_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bad.v");
    fs::write(
        &src,
        "module bad(input a, output b);\n  assign b = a +;\nendmodule\n",
    )
    .unwrap();
    let opts = SynthOptions::new(vec![src], dir.path().join("out"));
    let err = synthesize(&opts, lookup("xc7a100t").unwrap()).unwrap_err();
    match &err {
        SynthError::Yosys { excerpt, log, .. } => {
            assert!(excerpt.contains("syntax error"), "{excerpt}");
            assert!(excerpt.contains("bad.v:2"), "{excerpt}");
            assert!(log.is_file());
        }
        other => panic!("expected a Yosys error, got: {other}"),
    }
}

#[test]
fn unknown_parameter_is_a_yosys_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = SynthOptions::new(
        vec![hdl().join("snn_rng.v"), hdl().join("snn_pipe_ctrl.v")],
        dir.path().join("out"),
    );
    opts.params = vec![("NO_SUCH_PARAM".into(), "3".into())];
    let err = synthesize(&opts, lookup("xc7a100t").unwrap()).unwrap_err();
    assert!(err.to_string().contains("NO_SUCH_PARAM"), "{err}");
}

#[test]
fn top_selection() {
    let sources = collect_sources(&[hdl()]).unwrap();
    assert!(sources.len() >= 3);
    let modules = scan_modules(&sources).unwrap();
    assert!(modules.contains_key("snn_lif_update"));
    // Two independent modules: --top is needed, and the error names both
    // (a fixture: which hdl/ modules are roots changes as the core grows).
    let two = tempfile::tempdir().unwrap();
    fs::write(
        two.path().join("p.v"),
        "module p_m(input a, output y);\n  assign y = a;\nendmodule\n",
    )
    .unwrap();
    fs::write(
        two.path().join("q.v"),
        "module q_m(input a, output y);\n  assign y = ~a;\nendmodule\n",
    )
    .unwrap();
    let m2 = scan_modules(&collect_sources(&[two.path().to_path_buf()]).unwrap()).unwrap();
    let msg = choose_top(&m2, None).unwrap_err().to_string();
    assert!(
        msg.contains("--top") && msg.contains("p_m") && msg.contains("q_m"),
        "{msg}"
    );
    assert_eq!(choose_top(&modules, Some("snn_rng")).unwrap(), "snn_rng");
    let e = choose_top(&modules, Some("nope")).unwrap_err();
    assert!(e.to_string().contains("'nope' is not defined"), "{e}");

    // A hierarchy: the module nobody instantiates is the top; comments and
    // error-module instantiations of undefined names do not count.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.v"),
        "// module fake; endmodule\nmodule leaf #(parameter W = 1) (input [W-1:0] a, output y);\n  assign y = ^a;\nendmodule\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("b.v"),
        "module top_m(input [3:0] a, output y);\n  /* leaf u0 (); */\n  leaf #(.W(4)) u_leaf (.a(a), .y(y));\n  if (0) begin : g\n    undefined_error_module e ();\n  end\nendmodule\n",
    )
    .unwrap();
    let m = scan_modules(&collect_sources(&[dir.path().to_path_buf()]).unwrap()).unwrap();
    assert_eq!(m.len(), 2, "{m:?}");
    assert_eq!(choose_top(&m, None).unwrap(), "top_m");
}

/// A broken module header names the file and line, instead of "the
/// sources define no module".
#[test]
fn a_broken_module_header_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let misspelt = dir.path().join("misspelt.v");
    fs::write(
        &misspelt,
        "// a counter\nmodlue cnt(input clk, output reg q);\n  always @(posedge clk) q <= ~q;\nendmodule\n",
    )
    .unwrap();
    let e = scan_modules(std::slice::from_ref(&misspelt)).unwrap_err();
    assert!(matches!(e, SynthError::ModuleHeader { line: 4, .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{}:4: ", misspelt.display())),
        "{msg}"
    );
    assert!(msg.contains("no module header was parsed"), "{msg}");

    let nameless = dir.path().join("nameless.v");
    fs::write(&nameless, "\nmodule (input a, output y);\nendmodule\n").unwrap();
    let msg = scan_modules(std::slice::from_ref(&nameless))
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!("{}:2: ", nameless.display())),
        "{msg}"
    );
    assert!(
        msg.contains("`module` is not followed by a module name"),
        "{msg}"
    );

    // SystemVerilog's lifetime is not the name
    let sv = dir.path().join("sv.v");
    fs::write(&sv, "module automatic m(input a, output y);\nendmodule\n").unwrap();
    assert!(scan_modules(&[sv]).unwrap().contains_key("m"));

    // No module anywhere (no orphan endmodule either): every file is named.
    let empty = dir.path().join("empty.v");
    fs::write(&empty, "`define W 8\n").unwrap();
    let opts = SynthOptions::new(vec![empty.clone()], dir.path().join("out"));
    let msg = synthesize(&opts, lookup("xc7a100t").unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("no `module NAME` header was parsed in") && msg.contains("empty.v"),
        "{msg}"
    );
}

#[test]
fn missing_top_module_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = SynthOptions::new(vec![hdl()], dir.path().join("out"));
    opts.top = Some("snn_nothing".into());
    let err = synthesize(&opts, lookup("xc7a100t").unwrap()).unwrap_err();
    assert!(matches!(err, SynthError::Top(_)), "{err}");
}

#[test]
fn parameter_syntax() {
    assert_eq!(
        parse_param("V_BITS=16").unwrap(),
        ("V_BITS".into(), "16".into())
    );
    assert_eq!(
        parse_param(" W = 8'hff ").unwrap(),
        ("W".into(), "8'hff".into())
    );
    assert!(parse_param("V_BITS").is_err());
    assert!(parse_param("V_BITS=-3").is_err());
    assert!(parse_param("V_BITS=abc").is_err());
    assert!(parse_param("1X=3").is_err());
    assert!(parse_param("X=3; shell").is_err());
    assert!(parse_param("X=8'q1").is_err());
}

/// Hand-copied from `stat` after `synth_xilinx -family xc7 -flatten` of
/// hdl/snn_lif_update.v (default parameters) with Yosys 0.23, with I/O
/// buffers (the run without -noiopad) and a made-up block RAM line added.
const STAT_EXCERPT: &str = "
4. Printing statistics.

=== snn_lif_update ===

   Number of wires:                363
   Number of wire bits:           5415
   Number of public wires:         104
   Number of public wire bits:    2732
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:               1688
     BUFG                            1
     CARRY4                         54
     DSP48E1                        12
     FDRE                          555
     FDSE                           32
     IBUF                          452
     INV                             9
     LUT2                           74
     LUT3                           50
     LUT4                           16
     LUT5                           72
     LUT6                          174
     MUXF7                           5
     MUXF8                           1
     OBUF                          147
     RAMB18E1                        1
     RAMB36E1                        1
     SRL16E                         32

   Estimated number of LCs:        316
";

#[test]
fn stat_parse() {
    let cells = parse_stat(STAT_EXCERPT, "snn_lif_update").unwrap();
    assert_eq!(cells.len(), 18);
    assert_eq!(cells["FDRE"], 555);
    assert_eq!(cells["SRL16E"], 32);
    let r = Resources::from_cells(&cells);
    assert_eq!(r.lut_logic, 74 + 50 + 16 + 72 + 174);
    assert_eq!(r.lut_memory, 32);
    assert_eq!(r.luts, 386 + 32);
    assert_eq!(r.ffs, 587);
    assert_eq!(r.dsp, 12);
    assert_eq!(r.bram36, 1.5);
    assert_eq!(r.carry, 54);
    assert_eq!(r.muxf, 6);
    assert_eq!(r.inv, 9);
    assert_eq!(r.other, 1 + 452 + 147);
    // The only section is used when the name differs (e.g. a $paramod name).
    assert_eq!(parse_stat(STAT_EXCERPT, "other").unwrap(), cells);
    assert!(parse_stat("nothing here", "x").is_err());
    let mut urams = BTreeMap::new();
    urams.insert("URAM288".to_string(), 3u64);
    urams.insert("DSP48E2".to_string(), 2u64);
    let r = Resources::from_cells(&urams);
    assert_eq!((r.uram, r.dsp), (3, 2));
}

#[test]
fn depth_of_a_small_netlist() {
    // ports -> LUT2 -> CARRY4 -> LUT3 -> FDRE -> LUT1 -> port; the FF cuts the path.
    let json = r#"{
      "modules": {
        "t": {
          "attributes": { "top": "00000000000000000000000000000001" },
          "cells": {
            "l1": { "type": "LUT2", "port_directions": { "I0": "input", "I1": "input", "O": "output" },
                    "connections": { "I0": [2], "I1": [3], "O": [10] } },
            "c1": { "type": "CARRY4", "port_directions": { "CI": "input", "S": "input", "CO": "output", "O": "output" },
                    "connections": { "CI": ["0"], "S": [10, 3, 3, 3], "CO": [11, 12, 13, 14], "O": [15, 16, 17, 18] } },
            "l2": { "type": "LUT3", "port_directions": { "I0": "input", "I1": "input", "I2": "input", "O": "output" },
                    "connections": { "I0": [14], "I1": [2], "I2": [3], "O": [20] } },
            "ff": { "type": "FDRE", "port_directions": { "C": "input", "CE": "input", "R": "input", "D": "input", "Q": "output" },
                    "connections": { "C": [1], "CE": ["1"], "R": ["0"], "D": [20], "Q": [21] } },
            "l3": { "type": "LUT1", "port_directions": { "I0": "input", "O": "output" },
                    "connections": { "I0": [21], "O": [22] } }
          }
        }
      }
    }"#;
    let d = logic_depth(json, "t").unwrap();
    assert_eq!((d.lut_levels, d.logic_levels, d.loops), (2, 3, 0));
    // The top attribute finds the module when the name differs.
    assert_eq!(logic_depth(json, "renamed").unwrap(), d);
}
