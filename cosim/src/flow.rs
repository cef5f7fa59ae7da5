//! From a network and a hardware config to a running lockstep comparison:
//! the path `spikefab cosim` and the co-simulation tests share.
//!
//! 1. `spikefab_gen::generate_with` writes the accelerator for the config
//!    (the network re-quantized with the config's numerics) into a work
//!    folder: `spikefab_top.v` and the `hdl/` copies depend on the config
//!    only, so their verilated model is cached once per config (and fault).
//! 2. The reference engine is built the same way (`build_engine`), and the
//!    load-port beats are written from its images.
//! 3. [`crate::build`] verilates the generated top (or finds it in the
//!    cache); [`crate::lockstep::run_lockstep`] runs both.

use std::path::{Path, PathBuf};

use spikefab_gen::generate::{build_engine, core_images, generate_with};
use spikefab_gen::images::{load_beats, Beat, CoreImages};
use spikefab_gen::{GenError, GenOptions, HwConfig, Manifest};
use spikefab_sim::engine::Engine;
use spikefab_sim::Network;
use thiserror::Error;

use crate::error::CosimError;
use crate::library::{build, ModelLib};
use crate::lockstep::TopShape;
use crate::spec::ModelSpec;

/// Failures before the lockstep run starts.
#[derive(Debug, Error)]
pub enum FlowError {
    #[error(transparent)]
    Gen(#[from] GenError),
    #[error(transparent)]
    Cosim(#[from] CosimError),
    /// The config has no observation ports to compare.
    #[error(
        "hw config '{config}' has observe = false: its top has no observation ports, so there \
         is nothing to co-simulate (use a config with observe = true)"
    )]
    NoObservation { config: String },
}

/// Everything a lockstep run needs.
pub struct Prepared {
    /// The verilated generated top.
    pub lib: ModelLib,
    pub shape: TopShape,
    /// The load-port configuration of the network.
    pub beats: Vec<Beat>,
    /// The reference engine at step 0 (the state the images hold).
    pub engine: Engine,
    pub images: CoreImages,
    /// The generator's manifest of the work folder.
    pub manifest: Manifest,
    /// Where the generated files are.
    pub dir: PathBuf,
}

/// Generate `net` on `hw` into `work`, build (or find) the verilated model
/// in `cache_root`, and build the reference engine.
pub fn prepare(
    net: &Network,
    hw: &HwConfig,
    opts: &GenOptions,
    work: &Path,
    cache_root: &Path,
) -> Result<Prepared, FlowError> {
    if !hw.observe {
        return Err(FlowError::NoObservation {
            config: hw.name.clone(),
        });
    }
    let manifest = generate_with(net, hw, work, opts)?;
    let engine = build_engine(net, hw, opts.threads)?;
    let images = core_images(&engine, hw)?;
    let shape = TopShape::of_images(&images);
    let sources = manifest
        .config_files
        .iter()
        .filter(|f| f.ends_with(".v"))
        .map(|f| work.join(f))
        .collect();
    let mut spec = ModelSpec::new(manifest.top.clone(), sources, "clk_i");
    for p in shape.ports() {
        spec = spec.port(p);
    }
    let lib = build(&spec, cache_root)?;
    Ok(Prepared {
        lib,
        shape,
        beats: load_beats(&images),
        engine,
        images,
        manifest,
        dir: work.to_path_buf(),
    })
}
