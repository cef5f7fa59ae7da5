//! spikefab's EDA tool drivers: the external tools a design goes through after
//! generation, each in a module of its own. Nothing here knows about networks
//! or the generator; `spikefab-gen` and `spikefab-cosim` build on this crate.
//!
//! - [`parts`]: the table of supported Xilinx parts (the six boards' parts among
//!   them, `spikefab-boards`) and their resources, with
//!   lookup by device, part string or board name;
//! - [`yosys`]: out-of-context synthesis with Yosys `synth_xilinx`, reporting
//!   resource use against a [`Part`] and a logic-depth figure;
//! - [`yosys_mem`]: which memories a synthesis estimate keeps, blanks or
//!   black-boxes (the `snn_mem` hook) and the cost counted for black boxes;
//! - [`verilator`]: finding and version-checking Verilator, the C++ compiler
//!   and make (the [`Toolchain`] a co-simulation build runs on).
//!
//! Vivado (script generation for implementation) will be a `vivado` module
//! beside [`yosys`], on the same [`parts`] table.

pub mod parts;
pub mod verilator;
pub mod yosys;
pub mod yosys_mem;

pub use parts::{lookup, ExtMemory, Family, Part, UnknownPart, PARTS};
pub use verilator::{Compiler, Toolchain, ToolchainError, Verilator};
pub use yosys::{synthesize, SynthError, SynthOptions, SynthReport};
