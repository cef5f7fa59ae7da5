//! spikefab-sim: the network model, the fixed-point numerics contract and the
//! bit-exact reference simulator (the golden model of spikefab).
//!
//! Data flow: network description ([`net`]) → validated and quantized integer
//! model ([`quant`]) → connectivity ([`connect`]) → engine ([`engine`]) → trace
//! ([`trace`]). The numeric contract is `docs/numerics.md`. [`memory`]
//! estimates what a network takes before anything large is allocated.

pub mod alloc;
pub mod connect;
pub mod diag;
pub mod engine;
pub mod input;
pub mod load;
pub mod memory;
pub mod models;
pub mod net;
pub mod numerics;
pub mod quant;
pub mod records;
pub mod rng;
pub mod trace;

pub use diag::{Diagnostic, Diagnostics, Seg};
pub use net::Network;
pub use numerics::NumericsConfig;
