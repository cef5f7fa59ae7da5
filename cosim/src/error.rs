//! The one error type of spikefab-cosim.

use std::path::PathBuf;

use spikefab_eda::verilator::ToolchainError;
use thiserror::Error;

/// Everything that can go wrong while finding the tools, building a model
/// library, loading it or driving an instance.
#[derive(Debug, Error)]
pub enum CosimError {
    /// Verilator, the C++ compiler or make is missing, does not run or is
    /// too old (the message is the tool chain's own).
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),

    /// The model spec is inconsistent (before any tool runs).
    #[error("invalid model spec: {0}")]
    InvalidSpec(String),

    /// A source file or include folder could not be read.
    #[error("cannot read Verilog source {path}: {source}")]
    SourceRead {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A file-system operation on the cache failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The cache root could be changed by another user: its libraries are
    /// loaded into this process, so it is refused (see [`crate::cache`]).
    #[error("refusing the model cache {}: {problem}; a library in it is loaded into this process, so it must be writable by you alone (fix: {fix}, or use another --cache / SPIKEFAB_CACHE_DIR)", path.display())]
    UnsafeCache {
        /// The folder at fault (the cache root or a folder above it).
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// A command that fixes it.
        fix: String,
    },

    /// Verilator rejected the design (syntax, elaboration or a warning).
    #[error("verilator failed on top `{top}` (exit status {status}):\n{log}")]
    Verilate {
        /// The top module.
        top: String,
        /// Exit status text.
        status: String,
        /// Verilator's output (last lines).
        log: String,
    },

    /// The verilated top's ports differ from the spec's port list.
    #[error("ports of the verilated top `{top}` do not match the spec:\n  {}", problems.join("\n  "))]
    PortMismatch {
        /// The top module.
        top: String,
        /// One line per difference.
        problems: Vec<String>,
    },

    /// Compiling or linking the C++ failed.
    #[error(
        "compiling the verilated model of `{top}` failed ({step}, exit status {status}):\n{log}"
    )]
    Compile {
        /// The top module.
        top: String,
        /// `make` or `link`.
        step: String,
        /// Exit status text.
        status: String,
        /// The tool's output (last lines).
        log: String,
    },

    /// dlopen/dlsym of a model library failed.
    #[error("cannot load model library {path}: {message}")]
    Load {
        /// The `.so`.
        path: PathBuf,
        /// dlerror() text.
        message: String,
    },

    /// A loaded library was generated for a different port list (the cache
    /// directory was modified by hand, or a spec was paired with another
    /// spec's library).
    #[error("model library {path} does not match its spec: library ports `{found}`, spec ports `{expected}`")]
    LibraryMismatch {
        /// The `.so`.
        path: PathBuf,
        /// The spec's port signature.
        expected: String,
        /// The library's port signature.
        found: String,
    },

    /// Seed 0 would make Verilator pick a non-reproducible seed.
    #[error("seed 0 is not allowed: Verilator treats it as \"pick a random seed\", which would not be reproducible; use a nonzero seed")]
    ZeroSeed,

    /// `port(name)` for a name the model does not have.
    #[error("model `{top}` has no port `{name}`; its ports are: {known}")]
    UnknownPort {
        /// The top module.
        top: String,
        /// The name asked for.
        name: String,
        /// Every port name, comma separated (clock last).
        known: String,
    },

    /// A `PortId` from a model of another library.
    #[error("port id {index} belongs to another model library, not `{top}`")]
    ForeignPort {
        /// The top module of this model.
        top: String,
        /// The id's index.
        index: u32,
    },

    /// `set` on an output port.
    #[error("port `{port}` is an output; only inputs can be set")]
    NotAnInput {
        /// The port.
        port: String,
    },

    /// A value that does not fit the port.
    #[error("value {value} does not fit {width}-bit {kind} port `{port}`")]
    ValueOutOfRange {
        /// The port.
        port: String,
        /// Its width.
        width: u32,
        /// `unsigned` or `signed`.
        kind: &'static str,
        /// The value, as given.
        value: String,
    },

    /// `set`/`get` (one `u64`) on a port wider than 64 bits.
    #[error(
        "port `{port}` is {width} bits wide: {call} moves at most 64 bits; use set_wide/get_wide"
    )]
    WidePort {
        /// The port.
        port: String,
        /// Its width.
        width: u32,
        /// The call that was refused.
        call: &'static str,
    },

    /// `set_wide`/`get_wide` with a word count other than the port's.
    #[error("port `{port}` ({width} bits) takes {expected} 64-bit words, not {got}")]
    WordCount {
        /// The port.
        port: String,
        /// Its width.
        width: u32,
        /// `ceil(width / 64)`.
        expected: usize,
        /// The words given.
        got: usize,
    },

    /// The model library refused a wide-port call the Rust side had
    /// checked (a library out of step with its spec).
    #[error("the model library refused a wide access to port `{port}`: {message}")]
    Wrapper {
        /// The port.
        port: String,
        /// The wrapper's text.
        message: String,
    },

    /// The simulation stopped with a fatal error ($stop, $fatal, a failed
    /// assertion, $readmem of a missing file, ...); the instance is unusable.
    #[error("simulation of `{top}` failed at cycle {cycle}: {message}")]
    Simulation {
        /// The top module.
        top: String,
        /// Completed clock cycles when it happened.
        cycle: u64,
        /// Verilator's message.
        message: String,
    },

    /// A VCD file could not be opened (or one is open already).
    #[error("cannot trace `{top}` to {path}: {message}")]
    Trace {
        /// The top module.
        top: String,
        /// The VCD path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
