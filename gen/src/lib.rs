//! spikefab hardware generation.
//!
//! - [`generate`]: the accelerator generator for **one core** (the scope of
//!   `hdl/snn_lif_core.v`; static networks, and plastic ones on an STDP
//!   config): a network and a hardware config ([`hwconfig`]) in, a
//!   self-contained directory out (the `$readmemh` images of [`images`], the
//!   config-only top `spikefab_top.v`, the network top `spikefab_net.v`,
//!   copies of the `hdl/` modules and `manifest.json`), which
//!   [`synth::synthesize`] reads;
//! - the table of supported Xilinx parts ([`parts`]) and out-of-context
//!   synthesis with Yosys `synth_xilinx`, reporting resource use against a
//!   part and a logic-depth figure ([`synth`]);
//! - the placement of a static network on an `R x C` mesh of identical
//!   cores, its mapping report, the per-core memory images and load beats,
//!   the capacity report of a network too big for on-chip memory, and the
//!   mesh accelerator generator ([`mesh::generate_mesh`]: `spikefab_mesh_top.v`
//!   on `hdl/snn_mesh_top.v`, per-core images, `load.txt`, `mapping.txt`,
//!   `manifest.json`) ([`mesh`]).

pub mod generate;
pub mod hwconfig;
pub mod images;
pub mod mesh;
pub mod mesh_stdp;
pub mod parts;
pub mod synth;

pub use generate::{
    apply_numerics, build_engine, config_hash, generate, generate_with, Fault, FaultKind, GenError,
    GenOptions, Manifest,
};
pub use hwconfig::{ConfigError, HwConfig};
pub use mesh::{
    build_mesh_engine, capacity_report, generate_mesh, mesh_images, mesh_load_beats, partition,
    partition_with, Mapping, Mesh, MeshError, MeshGenOptions, MeshManifest, MeshParseError, Rates,
};
pub use parts::{lookup, Family, Part, UnknownPart, PARTS};
pub use synth::{synthesize, SynthError, SynthOptions, SynthReport};
