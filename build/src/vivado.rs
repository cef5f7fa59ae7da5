//! Running `build.tcl` with Vivado (`spikefab build --run`) and reading its
//! reports back into `run.json`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::error::BuildError;
use crate::reports::{self, Power, Timing, Utilization};
use crate::tcl;

/// The file the results of a run go to.
pub const RUN_JSON: &str = "run.json";
/// Vivado's log of the run.
pub const LOG: &str = "vivado.log";

/// `vivado` on `path` (a `PATH`-like list), if there is one.
pub fn find_vivado(path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join("vivado"))
        .find(|p| p.is_file())
}

/// What a Vivado run measured, from its reports.
#[derive(Debug, Clone, Serialize)]
pub struct RunResults {
    pub board: String,
    pub part: String,
    /// The first line of `vivado -version`, as that Vivado printed it.
    pub vivado_version: Option<String>,
    pub utilization: Utilization,
    pub timing: Timing,
    /// Vectorless power.
    pub power: Power,
    /// Power with the SAIF activity, where a SAIF file was given.
    pub power_saif: Option<Power>,
}

fn read(dir: &Path, rel: &str) -> Result<String, BuildError> {
    let p = dir.join(rel);
    fs::read_to_string(&p).map_err(|e| BuildError::io("cannot read the Vivado report", &p, e))
}

/// Reads the reports `build.tcl` wrote in `dir`.
pub fn read_reports(
    dir: &Path,
    board: &str,
    part: &str,
    vivado_version: Option<String>,
) -> Result<RunResults, BuildError> {
    let bad = |rel: &str, why: String| BuildError::Report {
        path: dir.join(rel),
        why,
    };
    let utilization = reports::read_utilization(&read(dir, tcl::UTILIZATION_RPT)?)
        .map_err(|w| bad(tcl::UTILIZATION_RPT, w))?;
    let timing =
        reports::read_timing(&read(dir, tcl::TIMING_RPT)?).map_err(|w| bad(tcl::TIMING_RPT, w))?;
    let power =
        reports::read_power(&read(dir, tcl::POWER_RPT)?).map_err(|w| bad(tcl::POWER_RPT, w))?;
    let power_saif = if dir.join(tcl::POWER_SAIF_RPT).is_file() {
        Some(
            reports::read_power(&read(dir, tcl::POWER_SAIF_RPT)?)
                .map_err(|w| bad(tcl::POWER_SAIF_RPT, w))?,
        )
    } else {
        None
    };
    Ok(RunResults {
        board: board.to_string(),
        part: part.to_string(),
        vivado_version,
        utilization,
        timing,
        power,
        power_saif,
    })
}

/// Runs `vivado -mode batch -source build.tcl` in `dir` (Vivado found on
/// `path`), then reads the reports and writes `run.json`.
pub fn run(
    dir: &Path,
    board: &str,
    part: &str,
    target_version: &str,
    path: &std::ffi::OsStr,
) -> Result<RunResults, BuildError> {
    let vivado = find_vivado(path).ok_or_else(|| BuildError::VivadoMissing {
        path: path.to_string_lossy().into_owned(),
        version: target_version.to_string(),
        dir: dir.to_path_buf(),
    })?;
    let version = Command::new(&vivado)
        .arg("-version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(|l| l.trim().to_string())
        });
    let status = Command::new(&vivado)
        .args([
            "-mode",
            "batch",
            "-source",
            "build.tcl",
            "-log",
            LOG,
            "-nojournal",
        ])
        .current_dir(dir)
        .status()
        .map_err(|e| BuildError::io("cannot run", &vivado, e))?;
    if !status.success() {
        return Err(BuildError::VivadoFailed {
            dir: dir.to_path_buf(),
            status: status.to_string(),
            log: dir.join(LOG),
        });
    }
    let r = read_reports(dir, board, part, version)?;
    let mut json = serde_json::to_string_pretty(&r).expect("serializable");
    json.push('\n');
    let p = dir.join(RUN_JSON);
    fs::write(&p, json).map_err(|e| BuildError::io("cannot write", &p, e))?;
    Ok(r)
}
