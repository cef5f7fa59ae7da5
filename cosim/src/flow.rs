//! From a network and a hardware config to a running lockstep comparison:
//! the path `spikefab cosim` and the co-simulation tests share.
//!
//! 1. The network is built once for the config
//!    (`spikefab_gen::build_core_model`: re-quantized with the config's
//!    numerics, checked, connected).
//! 2. `spikefab_gen::generate::generate_from` writes the accelerator into a
//!    work folder: `spikefab_top.v` and the `hdl/` copies depend on the
//!    config only, so their verilated model is cached once per config (and
//!    fault); the load-port beats are written from the same images.
//! 3. The built network becomes the reference engine; [`crate::build`]
//!    verilates the generated top (or finds it in the cache);
//!    [`crate::lockstep::run_lockstep`] runs both.

use std::path::{Path, PathBuf};

use spikefab_gen::generate::{core_images, generate_from};
use spikefab_gen::images::{load_beats, local_synapses, Beat, CoreImages};
use spikefab_gen::{build_core_model, GenError, GenOptions, HwConfig, Manifest};
use spikefab_hdl::core::CoreParams;
use spikefab_hdl::mesh::MeshTopParams;
use spikefab_sim::engine::Engine;
use spikefab_sim::Network;
use thiserror::Error;

use crate::error::CosimError;
use crate::library::{build, ModelLib};
use crate::lockstep::top_ports;
use crate::spec::ModelSpec;

/// Failures before the lockstep run starts.
#[derive(Debug, Error)]
pub enum FlowError {
    #[error(transparent)]
    Gen(#[from] GenError),
    #[error(transparent)]
    Mesh(#[from] spikefab_gen::MeshError),
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
    /// The core's parameters (the generated top's, fault included).
    pub core: CoreParams,
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
    let src = build_core_model(net, hw, opts.threads)?;
    let manifest = generate_from(net, &src, hw, work, opts.fault.as_ref())?;
    let images = core_images(&src, hw)?;
    let engine = src.into_engine();
    let core = hw.core_params(opts.fault.as_ref());
    let sources = manifest
        .config_files
        .iter()
        .filter(|f| f.ends_with(".v"))
        .map(|f| work.join(f))
        .collect();
    let mut spec = ModelSpec::new(manifest.top.clone(), sources, "clk_i");
    for p in top_ports(&core) {
        spec = spec.port(p);
    }
    let lib = build(&spec, cache_root)?;
    Ok(Prepared {
        lib,
        core,
        beats: load_beats(&images),
        engine,
        images,
        manifest,
        dir: work.to_path_buf(),
    })
}

impl Prepared {
    /// The external memory of a core with `SYN_EXT` (its region at its
    /// base, as the host writes it), with `timing`; `None` on chip.
    pub fn ext_memory(
        &self,
        timing: &crate::lockstep::MemTiming,
    ) -> Option<crate::lockstep::ExtMemory> {
        self.images
            .ext
            .as_ref()
            .map(|x| crate::lockstep::ExtMemory {
                timing: timing.clone(),
                lanes: vec![vec![(x.place.base, x.region.bytes.clone())]],
            })
    }
}

/// Everything a lockstep run of a mesh needs.
pub struct PreparedMesh {
    /// The verilated mesh (its co-simulation wrapper).
    pub lib: ModelLib,
    /// The mesh's parameters.
    pub top: MeshTopParams,
    /// Per core, its load-port configuration.
    pub beats: Vec<Vec<Beat>>,
    /// Per core, the global id of its local neuron 0.
    pub bases: Vec<u32>,
    /// Per core, the global synapse index of each local synapse address.
    pub synapses: Vec<Vec<u64>>,
    /// The generator's manifest of the work folder (mapping included).
    pub manifest: spikefab_gen::MeshManifest,
    /// Per core, its external synapse region (byte address, contents);
    /// empty on chip.
    pub ext_regions: Vec<(u64, Vec<u8>)>,
}

impl PreparedMesh {
    /// A function that creates and configures an instance with Verilator's
    /// initial values from `x_seed` (for [`crate::lockstep::run_lockstep_on`]).
    pub fn opener(
        &self,
        x_seed: u32,
    ) -> impl Fn() -> Result<(Box<dyn crate::lockstep::Device>, u64), crate::lockstep::LockstepError> + '_
    {
        self.opener_ext(x_seed, None)
    }

    /// The external memory of a mesh of cores with `SYN_EXT` (lane `k`:
    /// core `k`'s region), with `timing`; `None` on chip.
    pub fn ext_memory(
        &self,
        timing: &crate::lockstep::MemTiming,
    ) -> Option<crate::lockstep::ExtMemory> {
        (!self.ext_regions.is_empty()).then(|| crate::lockstep::ExtMemory {
            timing: timing.clone(),
            lanes: self.ext_regions.iter().map(|r| vec![r.clone()]).collect(),
        })
    }

    /// [`PreparedMesh::opener`] with the external memory `mem` attached.
    pub fn opener_ext<'a>(
        &'a self,
        x_seed: u32,
        mem: Option<&'a crate::lockstep::ExtMemory>,
    ) -> impl Fn() -> Result<(Box<dyn crate::lockstep::Device>, u64), crate::lockstep::LockstepError> + 'a
    {
        move || {
            let model = self
                .lib
                .instantiate(x_seed.max(1), crate::model::RandReset::Random)?;
            let mut dev = crate::mesh::MeshDevice::new(
                model,
                &self.top,
                self.bases.clone(),
                self.synapses.clone(),
            )?;
            if let Some(m) = mem {
                dev.attach_memory(&self.top, m)?;
            }
            dev.reset()?;
            let mut load = 0;
            for (k, b) in self.beats.iter().enumerate() {
                load += dev.load(k as u32, b)?;
            }
            Ok((Box::new(dev) as Box<dyn crate::lockstep::Device>, load))
        }
    }
}

/// Generate `net` on an `mesh` of `hw` cores into `work` (the mesh
/// accelerator, whose `hdl/` copies the model is built from), build (or
/// find) the verilated mesh in `cache_root`, and build the reference engine
/// (returned beside, at step 0).
pub fn prepare_mesh(
    net: &Network,
    hw: &HwConfig,
    mesh: &spikefab_gen::Mesh,
    threads: usize,
    work: &Path,
    cache_root: &Path,
) -> Result<(PreparedMesh, Engine), FlowError> {
    use spikefab_gen::mesh_gen::{
        generate_mesh_from, mesh_images, mesh_top_params, MeshGenOptions,
    };
    if !hw.observe {
        return Err(FlowError::NoObservation {
            config: hw.name.clone(),
        });
    }
    let opts = MeshGenOptions {
        threads,
        ..MeshGenOptions::default()
    };
    let src = spikefab_gen::build_mesh_model(net, hw, mesh, threads)?;
    let manifest = generate_mesh_from(net, &src, hw, mesh, work, &opts)?;
    let imgs = mesh_images(&src, hw, &manifest.mapping)?;
    let top = mesh_top_params(hw, mesh, opts.fifo_depth);
    let spec = crate::mesh::spec(&top, work, work)?;
    let lib = build(&spec, cache_root)?;
    let ranges: Vec<(u32, u32)> = manifest
        .mapping
        .cores
        .iter()
        .map(|c| (c.lo, c.hi))
        .collect();
    let synapses = local_synapses(&src, &ranges);
    Ok((
        PreparedMesh {
            lib,
            top,
            beats: imgs.iter().map(load_beats).collect(),
            bases: imgs.iter().map(|i| i.init.base as u32).collect(),
            synapses,
            manifest,
            ext_regions: imgs
                .iter()
                .filter_map(|i| i.ext.as_ref())
                .map(|x| (x.place.base, x.region.bytes.clone()))
                .collect(),
        },
        src.into_engine(),
    ))
}
