//! The generator's errors: [`GenError`] for a single core, [`MeshError`]
//! for a mesh of cores. Each names the network, the hw config and the field
//! or capacity at fault.

use std::path::PathBuf;

use spikefab_sim::Diagnostics;

use crate::capacity::{CoreMisfit, Misfit};
use crate::fault::Fault;
use crate::hwconfig::ConfigError;
use crate::images::CoreImageError;
use crate::topology::Mesh;

/// Why a plastic network is refused on an external synapse store (issue
/// 10, item 4: the weight write-back is left for later).
pub const PLASTIC_OFF_CHIP: &str = "plastic synapses off chip are not supported yet (no weight write-back): use an on-chip synapse store";

/// Smallest router input FIFO depth (`snn_noc_router`: >= 2).
pub const MIN_FIFO_DEPTH: u32 = 2;
/// Largest router input FIFO depth the generator accepts.
pub const MAX_FIFO_DEPTH: u32 = 64;

/// Errors of generating one core ([`crate::generate::generate_with`],
/// [`crate::build::build_core_model`]).
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The hw config breaks its own rules (a config built in code).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The network does not validate, quantize or connect with the config's numerics.
    #[error("network '{network}' with the numerics of hw config '{config}': {diags}")]
    Build {
        network: String,
        config: String,
        diags: Diagnostics,
    },
    /// The rayon pool could not be created.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// A plastic network on a config without the STDP core.
    #[error("network '{network}' has plastic projections ({}); hw config '{config}' has stdp = false (use a config with stdp = true, e.g. --hw stdp)", .projections.join(", "))]
    Plastic {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// A plastic network on a config with an external synapse store.
    #[error("network '{network}' has plastic projections ({}); hw config '{config}' keeps its synapses in external memory: {PLASTIC_OFF_CHIP}", .projections.join(", "))]
    PlasticOffChip {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// A fault that cannot act on the config.
    #[error("fault {fault} needs weight writes, but hw config '{config}' has stdp = false")]
    FaultNeedsStdp { fault: Fault, config: String },
    /// The network exceeds the config's (or the core's) capacities.
    #[error("network '{network}' does not fit hw config '{config}' (one core):\n  {}", .misfits.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n  "))]
    DoesNotFit {
        network: String,
        config: String,
        misfits: Vec<Misfit>,
    },
    /// A memory image could not be formed.
    #[error("{0}")]
    Image(#[from] CoreImageError),
    /// Writing the output failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Errors of the mesh mapping.
#[derive(Debug, thiserror::Error)]
pub enum MeshError {
    /// The hw config breaks its own rules.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The network does not validate, quantize or connect with the config's numerics.
    #[error("network '{network}' with the numerics of hw config '{config}': {diags}")]
    Build {
        network: String,
        config: String,
        diags: Diagnostics,
    },
    /// The rayon pool could not be created.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// A plastic network on a mesh of static cores.
    #[error("network '{network}' has plastic projections ({}), but the cores of hw config '{config}' are static (stdp = false); use a config with stdp = true", .projections.join(", "))]
    Plastic {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// A plastic network on a mesh of external-store cores.
    #[error("network '{network}' has plastic projections ({}); the cores of hw config '{config}' keep their synapses in external memory: {PLASTIC_OFF_CHIP}", .projections.join(", "))]
    PlasticOffChip {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// The external regions of the cores on one memory channel exceed it.
    #[error("network '{network}' on a {mesh} mesh of hw config '{config}' cores: memory channel {channel} holds the synapse regions of cores {}: {need} bytes, synapse_store.channel_bytes is {capacity} ({} over); use more channels or a larger mesh", .cores.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "), .need - .capacity)]
    ExtChannel {
        network: String,
        config: String,
        mesh: Mesh,
        channel: u32,
        cores: Vec<usize>,
        need: u64,
        capacity: u64,
    },
    /// Per-core STDP capacity (incoming-list words) exceeded.
    #[error("network '{network}': core {core} holds {need} plastic synapses, inc_depth of hw config '{config}' is {capacity} ({} over)", .need - .capacity)]
    IncDepth {
        network: String,
        config: String,
        core: usize,
        need: u64,
        capacity: u64,
    },
    /// Fewer neurons than cores (every core needs `n_active >= 1`).
    #[error("network '{network}' has {neurons} neurons, fewer than the {cores} cores of the {mesh} mesh (every core needs at least one neuron: n_active >= 1); use a smaller mesh")]
    TooFewNeurons {
        network: String,
        neurons: u64,
        cores: usize,
        mesh: Mesh,
    },
    /// A rate estimate that is not a finite non-negative number per neuron.
    #[error("rate estimate: {0}")]
    Rates(String),
    /// The network exceeds the capacities of the mesh's cores.
    #[error("network '{network}' does not fit a {mesh} mesh of hw config '{config}' cores (at least {needed_cores} cores of this config are needed):\n  {}", .misfits.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n  "))]
    DoesNotFit {
        network: String,
        config: String,
        mesh: Mesh,
        needed_cores: u64,
        misfits: Vec<CoreMisfit>,
    },
    /// An engine quantized with other numerics than the config's (build it
    /// with [`crate::build::build_mesh_model`], which applies the config's numerics).
    #[error("network '{network}' was quantized with other numerics than hw config '{config}' (build it with the config's numerics: build::build_mesh_model or build::build_core_model)")]
    Numerics { network: String, config: String },
    /// A mapping used with another network or config than it was made for.
    #[error("the mapping was made for {made_for}, not for {given}")]
    Mismatch { made_for: String, given: String },
    /// A memory image could not be formed.
    #[error("core {core}: {source}")]
    Image {
        core: usize,
        #[source]
        source: CoreImageError,
    },
    /// The images shared by every core could not be formed.
    #[error("{0}")]
    Shared(#[from] CoreImageError),
    /// A router FIFO depth outside the range `snn_mesh_top` accepts.
    #[error("router FIFO depth {depth} must be in {MIN_FIFO_DEPTH}..={MAX_FIFO_DEPTH} (packets per router input)")]
    FifoDepth { depth: u32 },
    /// Writing the output failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
