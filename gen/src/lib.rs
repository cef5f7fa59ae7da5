//! spikefab hardware generation.
//!
//! - [`generate`]: the accelerator generator for **one core and static
//!   networks** (the scope of `hdl/snn_lif_core.v`): a network and a
//!   hardware config ([`hwconfig`]) in, a self-contained directory out (the
//!   `$readmemh` images of [`images`], the top `spikefab_top.v`, copies of
//!   the `hdl/` modules it needs and `manifest.json`), which
//!   [`synth::synthesize`] reads;
//! - the table of supported Xilinx parts ([`parts`]) and out-of-context
//!   synthesis with Yosys `synth_xilinx`, reporting resource use against a
//!   part and a logic-depth figure ([`synth`]).

pub mod generate;
pub mod hwconfig;
pub mod images;
pub mod parts;
pub mod synth;

pub use generate::{generate, GenError, Manifest};
pub use hwconfig::{ConfigError, HwConfig};
pub use parts::{lookup, Family, Part, UnknownPart, PARTS};
pub use synth::{synthesize, SynthError, SynthOptions, SynthReport};
