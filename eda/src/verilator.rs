//! Finding and version-checking Verilator, the C++ compiler and make: the
//! [`Toolchain`] that `spikefab-cosim` verilates and compiles models with.
//!
//! Every lookup that depends on the environment has an inner `*_with`
//! function that takes the environment values as arguments, so that tests can
//! exercise it without mutating the process environment.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

/// A tool of the co-simulation tool chain is missing, does not run or is too
/// old.
#[derive(Debug, Error)]
pub enum ToolchainError {
    /// No `verilator` executable in `$VERILATOR_ROOT/bin` or on `PATH`.
    #[error(
        "Verilator not found (looked in $VERILATOR_ROOT/bin and PATH): install it with \
         `apt-get install -y verilator` (scripts/setup.sh does this) or set VERILATOR_ROOT"
    )]
    VerilatorNotFound,

    /// A tool was found but did not run, or said something unexpected.
    #[error("`{tool}` could not be used: {detail}")]
    ToolUnusable {
        /// The executable.
        tool: String,
        /// What happened.
        detail: String,
    },

    /// A Verilator older than 5 (the co-simulation wrapper uses the
    /// Verilator 5 API).
    #[error("Verilator {version} is too old: spikefab-cosim needs Verilator 5 or newer")]
    VerilatorTooOld {
        /// The version line it printed.
        version: String,
    },

    /// The C++ compiler or make is missing.
    #[error(
        "`{tool}` not found ({detail}): install the C++ tool chain with \
         `apt-get install -y g++ make` (scripts/setup.sh does this)"
    )]
    BuildToolNotFound {
        /// `g++` (or `$CXX`) or `make`.
        tool: String,
        /// The spawn error.
        detail: String,
    },
}

/// A usable Verilator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verilator {
    /// The executable that was found.
    pub path: PathBuf,
    /// The first line of `verilator --version`, e.g.
    /// `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
    pub version: String,
}

/// Finds Verilator: `$VERILATOR_ROOT/bin/verilator` when `VERILATOR_ROOT` is
/// set and holds one, else `verilator` on `PATH`; runs `--version` and
/// requires Verilator 5 or newer.
pub fn find_verilator() -> Result<Verilator, ToolchainError> {
    find_verilator_with(
        std::env::var_os("VERILATOR_ROOT").as_deref(),
        std::env::var_os("PATH").as_deref(),
    )
}

/// [`find_verilator`] with the values of `VERILATOR_ROOT` and `PATH` given.
pub fn find_verilator_with(
    verilator_root: Option<&OsStr>,
    path_var: Option<&OsStr>,
) -> Result<Verilator, ToolchainError> {
    let path =
        locate_verilator(verilator_root, path_var).ok_or(ToolchainError::VerilatorNotFound)?;
    let version = first_line_of(&path, "--version")?;
    check_version(&version)?;
    Ok(Verilator { path, version })
}

/// Where the `verilator` executable is, without running it.
pub fn locate_verilator(
    verilator_root: Option<&OsStr>,
    path_var: Option<&OsStr>,
) -> Option<PathBuf> {
    if let Some(root) = verilator_root.filter(|r| !r.is_empty()) {
        let candidate = Path::new(root).join("bin").join("verilator");
        if is_executable_file(&candidate) {
            return Some(candidate);
        }
    }
    find_on_path("verilator", path_var)
}

/// `name` in the folders of a `PATH` value.
pub fn find_on_path(name: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let path_var = path_var?;
    std::env::split_paths(path_var)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The first nonempty line a tool prints for `arg` (stdout, else stderr).
fn first_line_of(tool: &Path, arg: &str) -> Result<String, ToolchainError> {
    let out = Command::new(tool)
        .arg(arg)
        .output()
        .map_err(|e| ToolchainError::ToolUnusable {
            tool: tool.display().to_string(),
            detail: format!("running `{} {arg}` failed: {e}", tool.display()),
        })?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match (out.status.success(), line) {
        (true, Some(line)) => Ok(line.to_string()),
        _ => Err(ToolchainError::ToolUnusable {
            tool: tool.display().to_string(),
            detail: format!(
                "`{} {arg}` exited with {} and printed {:?}",
                tool.display(),
                out.status,
                text.trim()
            ),
        }),
    }
}

/// Accepts `Verilator 5.x` and newer.
fn check_version(version: &str) -> Result<(), ToolchainError> {
    let major = version
        .strip_prefix("Verilator ")
        .and_then(|rest| rest.split('.').next())
        .and_then(|m| m.trim().parse::<u32>().ok());
    match major {
        Some(m) if m >= 5 => Ok(()),
        Some(_) => Err(ToolchainError::VerilatorTooOld {
            version: version.to_string(),
        }),
        None => Err(ToolchainError::ToolUnusable {
            tool: "verilator".into(),
            detail: format!("unexpected `--version` output {version:?}"),
        }),
    }
}

/// The C++ compiler used for the model libraries: `$CXX` when set, else
/// `g++`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiler {
    /// The command.
    pub command: OsString,
    /// The first line of `--version` (part of the cache key).
    pub version: String,
}

impl Compiler {
    /// Finds `$CXX` (else `g++`) and checks that `make` runs too.
    pub fn detect() -> Result<Self, ToolchainError> {
        Self::detect_with(std::env::var_os("CXX").as_deref())
    }

    /// [`Compiler::detect`] with the value of `CXX` given.
    pub fn detect_with(cxx_var: Option<&OsStr>) -> Result<Self, ToolchainError> {
        let command: OsString = cxx_var
            .filter(|c| !c.is_empty())
            .map(OsStr::to_os_string)
            .unwrap_or_else(|| "g++".into());
        let version = build_tool_version(Path::new(&command))?;
        build_tool_version(Path::new("make"))?;
        Ok(Compiler { command, version })
    }
}

fn build_tool_version(tool: &Path) -> Result<String, ToolchainError> {
    match Command::new(tool).arg("--version").output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(ToolchainError::BuildToolNotFound {
                tool: tool.display().to_string(),
                detail: e.to_string(),
            })
        }
        _ => first_line_of(tool, "--version"),
    }
}

/// Everything a build needs, detected once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// Verilator.
    pub verilator: Verilator,
    /// The C++ compiler (make is checked to exist).
    pub cxx: Compiler,
    /// Parallel compile jobs (`make -j`).
    pub jobs: usize,
}

impl Toolchain {
    /// Finds Verilator, the C++ compiler and make; `jobs` = the available
    /// parallelism.
    pub fn detect() -> Result<Self, ToolchainError> {
        Ok(Toolchain {
            verilator: find_verilator()?,
            cxx: Compiler::detect()?,
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_5_and_later_are_accepted_and_4_is_not() {
        check_version("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)").unwrap();
        check_version("Verilator 6.000 devel").unwrap();
        let e = check_version("Verilator 4.228 2022-10-01").unwrap_err();
        assert!(e.to_string().contains("too old"), "{e}");
        let e = check_version("something else").unwrap_err();
        assert!(e.to_string().contains("unexpected"), "{e}");
    }
}
