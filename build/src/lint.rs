//! `verilator --lint-only -Wall` over a build directory: every `*.v` of it,
//! the shell as the top, with lint-only black boxes of the vendor
//! primitives, macros, IP and PS wrappers the shell instantiates
//! (`build/lint/vendor/`, never part of a build directory).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::shell::SHELL;

/// The lint-only black boxes: (file, text).
pub const VENDOR_STUBS: &[(&str, &str)] = &[
    ("BUFG.v", include_str!("../lint/vendor/BUFG.v")),
    ("IBUFDS.v", include_str!("../lint/vendor/IBUFDS.v")),
    (
        "IBUFDS_GTE4.v",
        include_str!("../lint/vendor/IBUFDS_GTE4.v"),
    ),
    (
        "MMCME2_BASE.v",
        include_str!("../lint/vendor/MMCME2_BASE.v"),
    ),
    (
        "MMCME4_BASE.v",
        include_str!("../lint/vendor/MMCME4_BASE.v"),
    ),
    (
        "spikefab_ps7_wrapper.v",
        include_str!("../lint/vendor/spikefab_ps7_wrapper.v"),
    ),
    (
        "spikefab_psu_wrapper.v",
        include_str!("../lint/vendor/spikefab_psu_wrapper.v"),
    ),
    (
        "spikefab_xdma.v",
        include_str!("../lint/vendor/spikefab_xdma.v"),
    ),
    (
        "xpm_fifo_axis.v",
        include_str!("../lint/vendor/xpm_fifo_axis.v"),
    ),
];

/// Lints the build directory `dir` (top [`SHELL`]); `Ok(log)` when Verilator
/// exits cleanly with no output, `Err(message)` with its output otherwise
/// (or when it cannot be run).
pub fn lint_build_dir(dir: &Path) -> Result<(), String> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let stubs = std::env::temp_dir().join(format!(
        "spikefab-lint-vendor-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&stubs).map_err(|e| format!("cannot create {}: {e}", stubs.display()))?;
    for (f, t) in VENDOR_STUBS {
        fs::write(stubs.join(f), t).map_err(|e| format!("cannot write {f}: {e}"))?;
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    files.sort();
    for f in &files {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if VENDOR_STUBS.iter().any(|(s, _)| *s == name) {
            let _ = fs::remove_dir_all(&stubs);
            return Err(format!(
                "{} holds {name}, a name of a lint-only vendor black box",
                dir.display()
            ));
        }
    }
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .arg("--top-module")
        .arg(SHELL)
        .args(&files)
        .args(VENDOR_STUBS.iter().map(|(f, _)| stubs.join(f)))
        .current_dir(dir)
        .output();
    let _ = fs::remove_dir_all(&stubs);
    let out = out.map_err(|e| {
        format!("cannot run verilator ({e}): install it (apt-get install verilator)")
    })?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && log.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "verilator --lint-only -Wall --top-module {SHELL} in {}:\n{log}",
            dir.display()
        ))
    }
}
