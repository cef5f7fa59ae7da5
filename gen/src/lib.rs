//! spikefab hardware generation.
//!
//! - [`generate`]: the accelerator generator for **one core** (the scope of
//!   `hdl/snn_lif_core.v`; static networks, and plastic ones on an STDP
//!   config): a network and a hardware config ([`hwconfig`]) in, a
//!   self-contained directory out (the `$readmemh` images of [`images`], the
//!   config-only top `spikefab_top.v`, the network top `spikefab_net.v`,
//!   copies of the `hdl/` modules and `manifest.json`), which
//!   `spikefab_eda::yosys::synthesize` reads;
//! - the placement of a static network on an `R x C` mesh of identical
//!   cores, its mapping report, the per-core memory images and load beats,
//!   the capacity report of a network too big for on-chip memory, and the
//!   mesh accelerator generator ([`mesh::generate_mesh`]: `spikefab_mesh_top.v`
//!   on `hdl/snn_mesh_top.v`, per-core images, `load.txt`, `mapping.txt`,
//!   `manifest.json`) ([`mesh`]).
//!
//! The Xilinx parts table (which the capacity report measures against) and
//! the Yosys driver live in `spikefab-eda`.

pub mod generate;
pub mod hwconfig;
pub mod images;
pub mod mesh;
pub mod mesh_stdp;

pub use generate::{
    apply_numerics, build_engine, config_hash, generate, generate_with, Fault, FaultKind, GenError,
    GenOptions, Manifest,
};
pub use hwconfig::{ConfigError, HwConfig};
pub use mesh::{
    build_mesh_engine, capacity_report, generate_mesh, mesh_images, mesh_load_beats, partition,
    partition_with, Mapping, Mesh, MeshError, MeshGenOptions, MeshManifest, MeshParseError, Rates,
};
