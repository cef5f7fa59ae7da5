//! Finding Verilator through the lookup that takes the environment as
//! arguments: a missing Verilator says how to install it, `VERILATOR_ROOT`
//! takes precedence over `PATH`, and Verilator 4 is refused.
//!
//! Verilator 5 must be installed (`apt-get install verilator`,
//! scripts/setup.sh): the fallback to `PATH` is checked against the real one.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use spikefab_eda::verilator::{find_verilator, find_verilator_with, ToolchainError};

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("eda-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fake `verilator` script under `<root>/bin/` printing `version`.
fn fake_verilator_root(dir: &Path, version: &str) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("verilator");
    fs::write(&exe, format!("#!/bin/sh\necho '{version}'\n")).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    dir.to_path_buf()
}

#[test]
fn a_missing_verilator_is_an_error_that_says_how_to_install_it() {
    let empty = scratch("no-verilator");
    let e = find_verilator_with(None, Some(empty.as_os_str())).unwrap_err();
    assert!(matches!(e, ToolchainError::VerilatorNotFound), "{e}");
    assert_eq!(
        e.to_string(),
        "Verilator not found (looked in $VERILATOR_ROOT/bin and PATH): install it with \
         `apt-get install -y verilator` (scripts/setup.sh does this) or set VERILATOR_ROOT"
    );
    // No PATH at all, and a VERILATOR_ROOT without a bin/verilator.
    let e = find_verilator_with(Some(empty.as_os_str()), None).unwrap_err();
    assert!(matches!(e, ToolchainError::VerilatorNotFound), "{e}");
}

#[test]
fn verilator_root_takes_precedence_over_path_and_old_versions_are_refused() {
    let dir = scratch("verilator-root");
    let path = std::env::var_os("PATH");
    let root = fake_verilator_root(&dir.join("v5"), "Verilator 5.999 2030-01-01 rev fake");
    let v = find_verilator_with(Some(root.as_os_str()), path.as_deref()).unwrap();
    assert_eq!(v.path, root.join("bin").join("verilator"));
    assert_eq!(v.version, "Verilator 5.999 2030-01-01 rev fake");

    let old = fake_verilator_root(&dir.join("v4"), "Verilator 4.228 2022-10-01 rev fake");
    let e = find_verilator_with(Some(old.as_os_str()), path.as_deref()).unwrap_err();
    assert!(matches!(e, ToolchainError::VerilatorTooOld { .. }), "{e}");
    assert!(e.to_string().contains("needs Verilator 5"), "{e}");

    // A VERILATOR_ROOT without the executable falls back to PATH (the real one).
    let v = find_verilator_with(Some(dir.join("nothing").as_os_str()), path.as_deref()).unwrap();
    let real =
        find_verilator().unwrap_or_else(|e| panic!("the Verilator lookup tests need it: {e}"));
    assert_eq!(v, real, "PATH's verilator, as find_verilator found it");
}
