//! spikefab hardware generation.
//!
//! For now: the table of supported Xilinx parts ([`parts`]) and out-of-context
//! synthesis with Yosys `synth_xilinx`, reporting resource use against a part
//! and a logic-depth figure ([`synth`]). The generator of the accelerator top
//! level arrives later and writes a directory that [`synth::synthesize`] reads.

pub mod parts;
pub mod synth;

pub use parts::{lookup, Family, Part, UnknownPart, PARTS};
pub use synth::{synthesize, SynthError, SynthOptions, SynthReport};
