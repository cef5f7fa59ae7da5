//! The errors of `spikefab build`: each names what is wrong and, where there
//! is one, what to do instead.

use std::path::PathBuf;

/// Why a build directory could not be written, or a Vivado run could not be
/// made or read.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Generating the accelerator failed (config, fit of the network in
    /// the core, output).
    #[error("{0}")]
    Gen(#[from] spikefab_gen::GenError),
    /// The board's data is invalid (its part is not in the parts table).
    #[error("{0}")]
    Board(#[from] spikefab_boards::BoardError),
    /// The accelerator's on-chip memories do not fit the board's part.
    #[error(
        "the accelerator of hw config '{config}' does not fit board {board} ({part}): {}; \
         nothing was written. Use a smaller hardware config (--hw) or a smaller network \
         (docs/build.md lists builds that fit each board)",
        misfits.join("; ")
    )]
    DoesNotFit {
        board: String,
        part: String,
        config: String,
        misfits: Vec<String>,
    },
    /// A hardware config the board shells cannot hold yet.
    #[error("hw config '{config}': {why}; nothing was written")]
    Unsupported { config: String, why: String },
    /// The board's main clock cannot be turned into the accelerator clock.
    #[error("board {board}: {why}")]
    Clocking { board: String, why: String },
    /// The board's host link has no PHY the shells know (a PCIe link other
    /// than the XDMA setting's).
    #[error("board {board}: its host link: {why}")]
    HostLink { board: String, why: String },
    /// A board without constraints in the tool (a board file of one's own).
    #[error(
        "board {board}: no constraints/{board}.xdc; only the built-in boards have constraints \
         (docs/boards.md, \"Adding a board\")"
    )]
    NoConstraints { board: String },
    /// A file or folder could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output directory holds files that are neither an earlier build's
    /// nor an earlier generation's.
    #[error("refusing to build into {}: {why}", path.display())]
    OutputInUse { path: PathBuf, why: String },
    /// `--run` without Vivado on PATH.
    #[error(
        "--run needs Vivado: `vivado` was not found on PATH ({path}). Install Vivado \
         {version} (or source its settings64.sh) and rerun, or run it yourself: \
         cd {} && vivado -mode batch -source build.tcl",
        dir.display()
    )]
    VivadoMissing {
        path: String,
        version: String,
        dir: PathBuf,
    },
    /// Vivado ran and failed.
    #[error("vivado -mode batch -source build.tcl in {} failed ({status}); its log: {}", dir.display(), log.display())]
    VivadoFailed {
        dir: PathBuf,
        status: String,
        log: PathBuf,
    },
    /// A Vivado report could not be read.
    #[error("{}: {why}", path.display())]
    Report { path: PathBuf, why: String },
}

impl BuildError {
    /// Shorthand for an I/O error on `path`.
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> BuildError {
        BuildError::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
