//! The readers of Vivado's reports on hand-written fixtures in Vivado's
//! layout (`tests/fixtures/`, figures made up), the reports of a run read
//! back from a directory, and `--run` without Vivado.

use std::fs;
use std::path::{Path, PathBuf};

use spikefab_build::reports::{read_power, read_timing, read_utilization};
use spikefab_build::vivado::{self, find_vivado};
use spikefab_build::BuildError;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn utilization_7_series() {
    let u = read_utilization(&fixture("utilization_xc7.rpt")).unwrap();
    assert_eq!((u.lut.used, u.lut.available), (4321.0, 63400.0));
    assert_eq!((u.ff.used, u.ff.available), (3210.0, 126800.0));
    assert_eq!((u.bram36.used, u.bram36.available), (12.5, 135.0));
    assert_eq!(u.uram, None);
    assert_eq!((u.dsp.used, u.dsp.available), (6.0, 240.0));
}

#[test]
fn utilization_ultrascale() {
    let u = read_utilization(&fixture("utilization_xcup.rpt")).unwrap();
    assert_eq!((u.lut.used, u.lut.available), (23456.0, 1303680.0));
    assert_eq!((u.ff.used, u.ff.available), (34567.0, 2607360.0));
    assert_eq!(u.bram36.used, 140.0);
    let uram = u.uram.unwrap();
    assert_eq!((uram.used, uram.available), (48.0, 960.0));
    assert_eq!(u.dsp.used, 12.0);
}

#[test]
fn utilization_without_a_resource_is_refused_naming_it() {
    let text = fixture("utilization_xc7.rpt").replace("| DSPs  ", "| DSPx  ");
    let e = read_utilization(&text).unwrap_err();
    assert!(e.contains("DSPs"), "{e}");
    let e = read_utilization("no tables here").unwrap_err();
    assert!(e.contains("Slice LUTs or CLB LUTs"), "{e}");
}

#[test]
fn timing_summary_met_and_failed() {
    let t = read_timing(&fixture("timing_met.rpt")).unwrap();
    assert_eq!(
        (t.wns_ns, t.tns_ns, t.tns_failing_endpoints),
        (1.234, 0.0, 0)
    );
    assert_eq!(
        (t.whs_ns, t.ths_ns, t.ths_failing_endpoints),
        (0.045, 0.0, 0)
    );
    assert_eq!(t.wpws_ns, Some(3.75));
    assert!(t.met);
    let f = read_timing(&fixture("timing_failed.rpt")).unwrap();
    assert_eq!(
        (f.wns_ns, f.tns_ns, f.tns_failing_endpoints),
        (-0.512, -37.208, 143)
    );
    assert_eq!(
        (f.whs_ns, f.ths_ns, f.ths_failing_endpoints),
        (-0.021, -0.063, 4)
    );
    assert!(!f.met);
}

#[test]
fn timing_summary_with_a_missing_value_is_refused() {
    let text = fixture("timing_met.rpt").replace("      1.234        0.000 ", "      1.234 ");
    let e = read_timing(&text).unwrap_err();
    assert!(e.contains("columns"), "{e}");
    let e = read_timing("Timing Summary Report\n").unwrap_err();
    assert!(e.contains("Design Timing Summary"), "{e}");
}

#[test]
fn power_vectorless_and_with_saif() {
    let p = read_power(&fixture("power_vectorless.rpt")).unwrap();
    assert_eq!((p.total_w, p.dynamic_w, p.static_w), (0.213, 0.116, 0.097));
    assert_eq!(p.junction_c, Some(26.0));
    assert_eq!(p.confidence.as_deref(), Some("Low"));
    assert_eq!(p.activity_file.as_deref(), Some("---"));
    let s = read_power(&fixture("power_saif.rpt")).unwrap();
    assert_eq!((s.total_w, s.dynamic_w, s.static_w), (0.187, 0.090, 0.097));
    assert_eq!(s.confidence.as_deref(), Some("Medium"));
    assert_eq!(s.activity_file.as_deref(), Some("activity.saif"));
    let e =
        read_power(&fixture("power_vectorless.rpt").replace("Dynamic (W)", "Dyn (W)")).unwrap_err();
    assert!(e.contains("Dynamic (W)"), "{e}");
}

#[test]
fn a_runs_reports_are_read_back_from_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("reports");
    fs::create_dir_all(&r).unwrap();
    for (from, to) in [
        ("utilization_xc7.rpt", "utilization.rpt"),
        ("timing_failed.rpt", "timing_summary.rpt"),
        ("power_vectorless.rpt", "power.rpt"),
    ] {
        fs::copy(fixture_path(from), r.join(to)).unwrap();
    }
    let res = vivado::read_reports(tmp.path(), "arty_a7_100t", "xc7a100tcsg324-1", None).unwrap();
    assert_eq!(res.utilization.lut.used, 4321.0);
    assert_eq!(res.timing.wns_ns, -0.512);
    assert_eq!(res.power.total_w, 0.213);
    assert!(res.power_saif.is_none());
    fs::copy(fixture_path("power_saif.rpt"), r.join("power_saif.rpt")).unwrap();
    let res = vivado::read_reports(tmp.path(), "arty_a7_100t", "xc7a100tcsg324-1", None).unwrap();
    assert_eq!(res.power_saif.unwrap().total_w, 0.187);
    // a missing report names its path
    fs::remove_file(r.join("timing_summary.rpt")).unwrap();
    let e = vivado::read_reports(tmp.path(), "a", "p", None).unwrap_err();
    assert!(e.to_string().contains("timing_summary.rpt"), "{e}");
}

#[test]
fn run_without_vivado_on_path_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = std::ffi::OsString::from(tmp.path());
    assert_eq!(find_vivado(&path), None);
    let e = vivado::run(
        tmp.path(),
        "arty_a7_100t",
        "xc7a100tcsg324-1",
        "2023.2",
        &path,
    )
    .unwrap_err();
    assert!(matches!(e, BuildError::VivadoMissing { .. }));
    let m = e.to_string();
    assert!(m.contains("`vivado` was not found on PATH"), "{m}");
    assert!(m.contains("Vivado 2023.2"), "{m}");
    assert!(m.contains("vivado -mode batch -source build.tcl"), "{m}");
}

/// A stand-in `vivado` (a shell script) in a fresh PATH folder: `-version`
/// prints a version line; a batch run writes the fixture reports (or exits
/// with `status`).
fn fake_vivado(bin: &Path, status: i32) {
    use std::os::unix::fs::PermissionsExt;
    let fx = fixture_path("");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'Vivado v2023.2 (64-bit)'; exit 0; fi\n\
         echo \"$@\" > args.txt\n\
         mkdir -p reports\n\
         cp {fx}/utilization_xcup.rpt reports/utilization.rpt\n\
         cp {fx}/timing_met.rpt reports/timing_summary.rpt\n\
         cp {fx}/power_vectorless.rpt reports/power.rpt\n\
         exit {status}\n",
        fx = fx.display()
    );
    let p = bin.join("vivado");
    fs::write(&p, script).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn run_calls_vivado_in_batch_mode_and_writes_run_json() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    let dir = tmp.path().join("d");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(&dir).unwrap();
    fake_vivado(&bin, 0);
    let path = std::env::join_paths([
        bin.clone(),
        PathBuf::from("/usr/bin"),
        PathBuf::from("/bin"),
    ])
    .unwrap();
    let r = vivado::run(&dir, "alveo_u55c", "xcu55c-fsvh2892-2L-e", "2023.2", &path).unwrap();
    assert_eq!(r.vivado_version.as_deref(), Some("Vivado v2023.2 (64-bit)"));
    assert_eq!(r.utilization.uram.unwrap().used, 48.0);
    let args = fs::read_to_string(dir.join("args.txt")).unwrap();
    assert!(args.starts_with("-mode batch -source build.tcl"), "{args}");
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join(vivado::RUN_JSON)).unwrap()).unwrap();
    assert_eq!(j["timing"]["wns_ns"], 1.234);
    assert_eq!(j["power"]["total_w"], 0.213);
    assert_eq!(j["board"], "alveo_u55c");
    // a failing run names its log
    fake_vivado(&bin, 3);
    let e = vivado::run(&dir, "alveo_u55c", "p", "2023.2", &path).unwrap_err();
    assert!(matches!(e, BuildError::VivadoFailed { .. }), "{e}");
    assert!(e.to_string().contains("vivado.log"), "{e}");
}
