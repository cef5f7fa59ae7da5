//! The errors of the command-line tool. Every one becomes a message on stderr
//! and a non-zero exit status; none of them is a panic.

use std::path::{Path, PathBuf};

use spikefab_sim::load::LoadError;
use spikefab_sim::trace::TraceError;
use spikefab_sim::Diagnostics;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The worker thread pool could not be created.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    /// `spikefab plan` could not plan (the network, Yosys).
    #[error("plan: {0}")]
    Plan(String),
    /// Bad combination of command-line options (exit status 2, like clap's).
    #[error("{0}")]
    Usage(String),
    /// A file or directory operation failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A network file could not be read.
    #[error("cannot read {path}: {source}{hint}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
        hint: String,
    },
    /// A run's input file (`--input`) does not fit its network.
    #[error("input file {0}")]
    Input(#[from] spikefab_sim::input::InputParseError),
    /// An input spike names a neuron that takes none.
    #[error("input: {0}")]
    InputNeuron(#[from] spikefab_sim::engine::InputError),
    /// The network file could not be loaded.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// Quantization or connectivity problems of a network.
    #[error("{0}")]
    Diagnostics(Diagnostics),
    /// A built-in model rejected its parameters.
    #[error("model {model}: {message}")]
    Model { model: String, message: String },
    /// Two traces of different runs (neurons, steps, dt) cannot be compared.
    #[error("{0}")]
    TraceMismatch(String),
    /// A trace could not be read.
    #[error("{}: {source}", path.display())]
    Trace {
        path: PathBuf,
        #[source]
        source: TraceError,
    },
    /// The output directory exists, is not empty and is not a spikefab run.
    #[error(
        "refusing to write into {}: the directory is not empty and is not a previous spikefab run directory (choose another -o DIR)",
        .0.display()
    )]
    RunDirInUse(PathBuf),
    /// Drawing a plot failed.
    #[error("cannot draw {}: {message}", path.display())]
    Plot { path: PathBuf, message: String },
    /// Synthesis (part lookup, Yosys run or its reports) failed.
    #[error("{0}")]
    Synth(#[from] spikefab_eda::SynthError),
    /// An unknown or invalid board (name, alias or board file).
    #[error("{0}")]
    Board(#[from] spikefab_boards::BoardError),
    /// An unknown --part.
    #[error("{0}")]
    Part(#[from] spikefab_eda::UnknownPart),
    /// Accelerator generation failed (config, fit, output).
    #[error("{0}")]
    Gen(#[from] spikefab_gen::GenError),
    /// Mapping a network on a mesh of cores failed (plastic, capacities).
    #[error("{0}")]
    Mesh(#[from] spikefab_gen::MeshError),
    /// An unknown or invalid hardware config.
    #[error("{0}")]
    HwConfig(#[from] spikefab_gen::ConfigError),
    /// Co-simulation set-up (generation, Verilator, model) failed.
    #[error("{0}")]
    CosimFlow(#[from] spikefab_cosim::flow::FlowError),
    /// The co-simulation failed (divergence, watchdog, protocol).
    #[error("{0}")]
    Cosim(#[from] spikefab_cosim::lockstep::LockstepError),
    /// The network needs more memory than the limit (`--max-memory`, else
    /// what is available).
    #[error("{0}")]
    Memory(#[from] spikefab_sim::memory::MemoryError),
    /// `spikefab build`: fit, board shells, output directory, Vivado.
    #[error("{0}")]
    Build(#[from] spikefab_build::BuildError),
    /// Serializing an output failed.
    /// The host link, a transport or the virtual board.
    #[error("{0}")]
    Host(String),

    #[error("cannot serialize {what}: {message}")]
    Serialize { what: &'static str, message: String },
}

impl CliError {
    /// Exit status of the process for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Shorthand for an I/O error on `path`.
    pub fn io(what: &'static str, path: &Path, source: std::io::Error) -> CliError {
        CliError::Io {
            what,
            path: path.to_path_buf(),
            source,
        }
    }
}
