//! The hand-written Verilog of `hdl/` and its interface, written once.
//!
//! The `hdl/snn_*.v` files are the product; this crate sits next to them and
//! is the one place where Rust learns what they are:
//!
//! - [`sources`]: the Verilog text of every module, embedded at build time,
//!   and the file sets each block needs ([`sources::CORE`],
//!   [`sources::MESH`], [`sources::NOC`]);
//! - [`iface`]: the types of an interface: [`Port`] (name, direction, width,
//!   signedness, role, lanes of a flattened per-core vector), [`Param`] and
//!   its [`Value`];
//! - one module per block with a typed parameter set whose `params()` and
//!   `ports()` give the module's parameter and port lists, widths resolved:
//!   [`core::CoreParams`] (`snn_lif_core`), with the core's load-port memory
//!   map ([`core::Mem`], [`core::CfgReg`]) and initial values
//!   ([`core::CoreInit`]); [`mesh::MeshTopParams`] (`snn_mesh_top`);
//!   [`noc::NocMeshParams`] (`snn_noc_mesh`) and [`noc::NocRouterParams`]
//!   (`snn_noc_router`).
//!
//! The generator emits every top and wrapper from these descriptions, the
//! co-simulation builds its model specs from them, and the manifests
//! serialize them. `tests/drift.rs` elaborates each block with Verilator for
//! several parameter sets (widths that are not powers of two among them) and
//! checks the port list Verilator reports against [`Port`]s of the
//! description, so a port added to the Verilog only (or to the Rust only)
//! fails the test suite.

pub mod core;
pub mod iface;
pub mod mesh;
pub mod noc;
pub mod sources;

pub use iface::{clog2, index_width, Dir, Param, Port, Role, Value};
