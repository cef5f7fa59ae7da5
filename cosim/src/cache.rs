//! The default cache folder of model libraries (the layout inside it is
//! [`crate::library`]'s).
//!
//! The lookup has an inner `*_with` function that takes the environment
//! values as arguments, so that tests can exercise it without mutating the
//! process environment.

use std::ffi::OsStr;
use std::path::PathBuf;

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
