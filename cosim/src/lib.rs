//! Verilator co-simulation plumbing for spikefab.
//!
//! A hardware configuration is chosen at run time, so its Verilog top is
//! verilated at run time too, not in a build script:
//!
//! 1. [`ModelSpec`] names the sources, the top module, its clock and every
//!    other port (name, width 1..=8192, direction, signedness; ports wider
//!    than 64 bits move as 64-bit words, [`Model::set_wide`]).
//! 2. [`build`] verilates the top (`--cc --trace --x-assign unique
//!    --x-initial unique -O3`; warnings stay fatal), generates a C++ wrapper
//!    with a small C ABI from the port list, compiles everything with `-fPIC
//!    -O2` and links one shared library. The library is cached under a key
//!    that hashes the source contents, the spec, the tool versions and the
//!    flags ([`default_cache_root`] says where), so the second build of the
//!    same design is a cache hit ([`ModelLib::was_built`]). The tools are
//!    `spikefab-eda`'s [`Toolchain`] (Verilator 5, the C++ compiler, make),
//!    re-exported here; its errors arrive as [`CosimError::Toolchain`].
//! 3. [`ModelLib::instantiate`] loads the library (dlopen, through a C++ shim
//!    bound with `cxx`) and creates a [`Model`]: resolve ports once with
//!    [`Model::port`], then [`Model::set`], [`Model::tick`], [`Model::get`]
//!    per cycle, or [`Model::ticks`] for many cycles in one call.
//!
//! Each instance has its own Verilator context, so several instances of one
//! library, and models of different libraries, run side by side in one
//! process; a `Model` is `Send`. See `cosim/README.md` for the design.
//!
//! ```no_run
//! use spikefab_cosim::{build, default_cache_root, ModelSpec, Port, RandReset};
//! # fn main() -> Result<(), spikefab_cosim::CosimError> {
//! let spec = ModelSpec::new("counter", vec!["counter.v".into()], "clk_i")
//!     .port(Port::input("rst_i", 1))
//!     .port(Port::output("count_o", 16));
//! let lib = build(&spec, &default_cache_root()?)?;
//! println!("{}", lib.describe());
//! let mut m = lib.instantiate(1, RandReset::Random)?;
//! let (rst, count) = (m.port("rst_i")?, m.port("count_o")?);
//! m.set(rst, 1)?;
//! m.tick()?;
//! m.set(rst, 0)?;
//! m.ticks(10)?;
//! assert_eq!(m.get(count)?, 10);
//! # Ok(())
//! # }
//! ```

pub mod axi;
mod cache;
mod error;
pub mod flow;
mod libinfo;
mod library;
pub mod lockstep;
pub mod mesh;
mod model;
pub mod noc;
mod spec;
mod wrapper;

pub use cache::{default_cache_root, default_cache_root_with, prepare_cache_root};
pub use error::CosimError;
pub use library::{build, build_with, cache_key, BuildOrigin, ModelLib, LIB_FILE};
pub use model::{Model, PortId, RandReset};
pub use spec::{Dir, ModelSpec, Port, MAX_PORT_WIDTH};
pub use spikefab_eda::verilator::{Compiler, Toolchain, ToolchainError, Verilator};
pub use wrapper::WRAPPER_ABI;
