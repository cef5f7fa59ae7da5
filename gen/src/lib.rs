//! spikefab hardware generation: from a network and a hardware config to
//! the RTL of an accelerator, its memory images and its manifest.
//!
//! Organised by job (each module imports only modules listed above it):
//!
//! - [`fault`], [`topology`], [`hash`]: a fault to build in; a mesh's
//!   shape; the generator's hash function;
//! - [`hwconfig`]: hardware configs (`gen/configs/*.toml`) and the typed
//!   core parameters they give ([`HwConfig::core_params`]; the interfaces
//!   themselves are `spikefab_hdl`'s);
//! - [`layout`]: every memory layout, defined once;
//! - [`capacity`]: usage and misfits of a core, a mesh and a part;
//! - [`model`]: the network as the hardware holds it ([`NetModel`]:
//!   integer model, synapses, initial state);
//! - [`images`]: memory images and load-port beats from a [`NetModel`];
//! - [`error`]: [`GenError`] and [`MeshError`];
//! - [`build`]: a network built for one core or a mesh, checked against
//!   the capacities;
//! - [`mapping`]: placing a network on a mesh, the mapping report;
//! - [`emit`]: the one Verilog emitter of every generated top and wrapper;
//! - [`manifest`]: file names, hashes, headers, `manifest.json`;
//! - [`generate`]: the single-core generator; [`mesh_gen`]: the mesh
//!   generator.
//!
//! The EDA tool drivers (Yosys, Verilator discovery) and the parts table
//! are `spikefab_eda`'s.

pub mod build;
pub mod capacity;
pub mod emit;
pub mod error;
pub mod fault;
pub mod generate;
pub mod hash;
pub mod hwconfig;
pub mod images;
pub mod layout;
pub mod manifest;
pub mod mapping;
pub mod mesh_gen;
pub mod model;
pub mod topology;

pub use build::{build_core_model, build_mesh_model};
pub use error::{GenError, MeshError};
pub use fault::{Fault, FaultKind};
pub use generate::{generate, generate_with, GenOptions};
pub use hwconfig::{ConfigError, HwConfig};
pub use manifest::{config_hash, Manifest, MeshManifest};
pub use mapping::{partition, partition_with, Mapping, Rates};
pub use mesh_gen::{generate_mesh, mesh_images, MeshGenOptions};
pub use model::NetModel;
pub use topology::{Mesh, MeshParseError};
