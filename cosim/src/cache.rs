//! The default cache folder of model libraries (the layout inside it is
//! [`crate::library`]'s), and the check that a cache is the user's own
//! ([`prepare_cache_root`]).
//!
//! The lookup has an inner `*_with` function that takes the environment
//! values as arguments, so that tests can exercise it without mutating the
//! process environment.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::CosimError;

/// The default cache folder of model libraries: `$SPIKEFAB_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/spikefab/cosim`, else `$HOME/.cache/spikefab/cosim`.
pub fn default_cache_root() -> Result<PathBuf, CosimError> {
    default_cache_root_with(
        std::env::var_os("SPIKEFAB_CACHE_DIR").as_deref(),
        std::env::var_os("XDG_CACHE_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
    )
}

/// [`default_cache_root`] with the values of `SPIKEFAB_CACHE_DIR`,
/// `XDG_CACHE_HOME` and `HOME` given (empty values count as unset, and
/// `XDG_CACHE_HOME` must be absolute, as the XDG spec says).
pub fn default_cache_root_with(
    spikefab_cache_dir: Option<&OsStr>,
    xdg_cache_home: Option<&OsStr>,
    home: Option<&OsStr>,
) -> Result<PathBuf, CosimError> {
    let set = |v: Option<&OsStr>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(spikefab_cache_dir) {
        return Ok(dir);
    }
    if let Some(dir) = set(xdg_cache_home).filter(|d| d.is_absolute()) {
        return Ok(dir.join("spikefab").join("cosim"));
    }
    if let Some(home) = set(home) {
        return Ok(home.join(".cache").join("spikefab").join("cosim"));
    }
    Err(CosimError::Io {
        context: "no cache folder for co-simulation models: none of SPIKEFAB_CACHE_DIR, \
                  XDG_CACHE_HOME, HOME is set"
            .into(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })
}

/// Creates the cache root when missing (private: mode 0700, like the folders
/// above it that this creates) and checks that nobody but the current user
/// (and root) can change what is in it: the libraries in a cache are loaded
/// into this process, and the cache key names a library by what it was
/// built *from*, not by its own bytes, so a library someone else put there
/// could not be told apart. Rather than re-hash the libraries against a
/// digest that would have to live in the same cache, an untrusted cache
/// is refused ([`CosimError::UnsafeCache`]):
///
/// - the cache root must be a folder owned by the current user (or root)
///   and not writable by its group or by others;
/// - every folder above it must be owned by the current user or root, and
///   not writable by group or others unless it is sticky (as `/tmp` is:
///   others cannot rename or remove what is not theirs).
///
/// Returns the canonical path of the root.
pub fn prepare_cache_root(root: &Path) -> Result<PathBuf, CosimError> {
    let io = |what: &str, p: &Path, source: std::io::Error| CosimError::Io {
        context: format!("{what} {}", p.display()),
        source,
    };
    match fs::metadata(root) {
        Ok(m) if !m.is_dir() => {
            return Err(CosimError::Io {
                context: format!(
                "the model cache {} is not a folder (--cache / SPIKEFAB_CACHE_DIR name a folder)",
                root.display()
            ),
                source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            })
        }
        Ok(_) => {}
        Err(_) => {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                b.mode(0o700);
            }
            b.create(root)
                .map_err(|e| io("creating the model cache", root, e))?;
        }
    }
    let root = fs::canonicalize(root).map_err(|e| io("resolving", root, e))?;
    check_trusted(&root)?;
    Ok(root)
}

#[cfg(unix)]
fn check_trusted(root: &Path) -> Result<(), CosimError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    for (i, dir) in root.ancestors().enumerate() {
        let m = fs::metadata(dir).map_err(|e| CosimError::Io {
            context: format!("checking {}", dir.display()),
            source: e,
        })?;
        let is_root = i == 0;
        let unsafe_cache = |problem: String, fix: String| CosimError::UnsafeCache {
            path: dir.to_path_buf(),
            problem,
            fix,
        };
        if m.uid() != me && m.uid() != 0 {
            return Err(unsafe_cache(
                format!(
                    "{} is owned by another user (uid {})",
                    if is_root { "it" } else { "a folder above it" },
                    m.uid()
                ),
                "use a folder of your own".into(),
            ));
        }
        let sticky = m.mode() & 0o1000 != 0;
        let open = m.mode() & 0o022;
        if open != 0 && (is_root || !sticky) {
            let who = match open {
                0o020 => "its group",
                0o002 => "others",
                _ => "its group and others",
            };
            return Err(unsafe_cache(
                format!(
                    "{} is writable by {who} (mode {:o})",
                    if is_root { "it" } else { "a folder above it" },
                    m.mode() & 0o7777
                ),
                format!("chmod go-w {}", dir.display()),
            ));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_trusted(_root: &Path) -> Result<(), CosimError> {
    Ok(())
}
