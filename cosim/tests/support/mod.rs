//! Helpers shared by the network-level co-simulation tests
//! (`random_networks.rs`, `mesh.rs`, `corners.rs`, `mutation.rs`): one
//! cache of verilated models under cargo's per-target tmp dir, the
//! generator flow (`spikefab_cosim::flow::prepare`) once per hardware
//! config, the per-network path that reuses that config's model, and the
//! random network generator ([`random`]).
//!
//! A missing Verilator or C++ compiler makes `prepare` fail, and these
//! helpers panic with its message: the tests fail, they never skip.
#![allow(dead_code)] // each test binary uses a different subset

pub mod random;

use std::path::{Path, PathBuf};

use spikefab_cosim::flow::{prepare, Prepared};
use spikefab_cosim::lockstep::top_ports;
use spikefab_cosim::lockstep::{run_lockstep, LockstepError, LockstepOptions, LockstepReport};
use spikefab_cosim::ModelLib;
use spikefab_cosim::{build, ModelSpec};
use spikefab_gen::generate::{core_images, generate_from};
use spikefab_gen::images::{load_beats, Beat};
use spikefab_gen::{build_core_model, GenError, GenOptions, HwConfig};
use spikefab_hdl::core::CoreParams;
use spikefab_sim::engine::Engine;
use spikefab_sim::records::StepRecords;
use spikefab_sim::Network;

/// The folder of the Verilog sources: `$SPIKEFAB_HDL_DIR` when set (the
/// mutation tool, `spikefab-hdltest`'s `mutate`, points the tests at a copy
/// of `hdl/` with one file mutated), else the repository's `hdl/`.
pub fn hdl_dir() -> PathBuf {
    match std::env::var_os("SPIKEFAB_HDL_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../hdl"),
    }
}

/// The cache of verilated models these tests share (kept between runs).
pub fn cache_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-cache")
}

/// A work folder for generated files (created, emptied first).
pub fn work_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cosim-work")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create the work folder");
    d
}

/// `cosim/tests/nets/<name>`.
pub fn net_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/nets")
        .join(name)
}

/// The network `cosim/tests/nets/<name>`.
pub fn load_net(name: &str) -> Network {
    spikefab_sim::load::load_file(&net_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A named hardware config.
pub fn hw(name: &str) -> HwConfig {
    HwConfig::named(name).unwrap_or_else(|e| panic!("{e}"))
}

/// The reference engine of `net` on `hw` at step 0, the network built the
/// way the generator builds it (`build_core_model`).
pub fn build_engine(net: &Network, hw: &HwConfig, threads: usize) -> Result<Engine, GenError> {
    build_core_model(net, hw, threads).map(spikefab_gen::NetModel::into_engine)
}

/// `flow::prepare` of `net` on `hw` (generation, verilation or a cache
/// hit, reference engine, load beats); panics with the flow's message.
///
/// The generator writes the Verilog it was compiled with; with
/// `$SPIKEFAB_HDL_DIR` set (the mutation tool's copy of `hdl/`), the same
/// flow runs with each generated `.v` file that `hdl/` has replaced by the
/// copy's, so that these tests judge the mutant, not the repository's file.
pub fn prepare_on(net: &Network, hw: &HwConfig, opts: &GenOptions, work: &str) -> Prepared {
    let what = |e: &dyn std::fmt::Display| format!("prepare on hw config '{}': {e}", hw.name);
    if std::env::var_os("SPIKEFAB_HDL_DIR").is_some_and(|d| !d.is_empty()) {
        return prepare_from_hdl_dir(net, hw, opts, &work_dir(work), &hdl_dir())
            .unwrap_or_else(|e| panic!("{}", what(&e)));
    }
    prepare(net, hw, opts, &work_dir(work), &cache_root())
        .unwrap_or_else(|e| panic!("{}", what(&e)))
}

/// `flow::prepare`, with the hand-written sources taken from `hdl`.
pub fn prepare_from_hdl_dir(
    net: &Network,
    hw: &HwConfig,
    opts: &GenOptions,
    work: &Path,
    hdl: &Path,
) -> Result<Prepared, String> {
    let src = build_core_model(net, hw, opts.threads).map_err(|e| e.to_string())?;
    let manifest =
        generate_from(net, &src, hw, work, opts.fault.as_ref()).map_err(|e| e.to_string())?;
    let images = core_images(&src, hw).map_err(|e| e.to_string())?;
    let engine = src.into_engine();
    let core = hw.core_params(opts.fault.as_ref());
    let mut sources = Vec::new();
    for f in manifest.config_files.iter().filter(|f| f.ends_with(".v")) {
        let path = work.join(f);
        let name = path.file_name().expect("a file name");
        if hdl.join(name).is_file() {
            std::fs::copy(hdl.join(name), &path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        sources.push(path);
    }
    let mut spec = ModelSpec::new(manifest.top.clone(), sources, "clk_i");
    for p in top_ports(&core) {
        spec = spec.port(p);
    }
    let lib = build(&spec, &cache_root()).map_err(|e| e.to_string())?;
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

/// Lockstep options: no waveform, 8 records of history.
pub fn opts(
    steps: u64,
    x_seed: u32,
    spk_pct: u32,
    stall_seed: u32,
    repro: String,
) -> LockstepOptions {
    LockstepOptions {
        steps,
        spk_pct,
        stall_seed,
        x_seed,
        history: 8,
        wave: None,
        wave_window: 3,
        repro,
    }
}

/// The verilated model of one hardware config, built (or found in the
/// cache) once through `flow::prepare`, and reused for every network that
/// fits the config: the generated core depends on the config only.
pub struct ConfigModel {
    pub hw: HwConfig,
    pub lib: ModelLib,
    pub core: CoreParams,
}

/// One network made ready for a [`ConfigModel`]: the reference engine at
/// step 0 and the load-port beats written from its images.
pub struct NetOnConfig {
    pub engine: Engine,
    pub beats: Vec<Beat>,
    /// The external synapse region (byte address, contents) on a config
    /// with an external store.
    pub ext: Option<(u64, Vec<u8>)>,
}

impl ConfigModel {
    /// Build the model of `hw` by preparing `first` on it.
    pub fn new(hw: HwConfig, first: &Network) -> ConfigModel {
        let p = prepare_on(
            first,
            &hw,
            &GenOptions::default(),
            &format!("model-{}", hw.name),
        );
        ConfigModel {
            hw,
            lib: p.lib,
            core: p.core,
        }
    }

    /// The engine and beats of `net` on this config, the way `prepare`
    /// makes them (`build_core_model` with the config's numerics and
    /// capacities, `core_images` for the config's core, `load_beats`);
    /// panics when the images describe another core than the model's.
    pub fn network(&self, net: &Network) -> Result<NetOnConfig, GenError> {
        let src = build_core_model(net, &self.hw, 1)?;
        let images = core_images(&src, &self.hw)?;
        for im in &images.images {
            assert!(
                im.words <= im.depth,
                "image {} has {} words for a memory of {}",
                im.name(),
                im.words,
                im.depth
            );
        }
        assert_eq!(
            images.core, self.core,
            "the images of a network on '{}' describe another core than the config's model",
            self.hw.name
        );
        Ok(NetOnConfig {
            beats: load_beats(&images),
            ext: images
                .ext
                .as_ref()
                .map(|x| (x.place.base, x.region.bytes.clone())),
            engine: src.into_engine(),
        })
    }

    /// Run `n` in lockstep on this config's model.
    pub fn run(
        &self,
        n: &mut NetOnConfig,
        o: &LockstepOptions,
    ) -> Result<LockstepReport, LockstepError> {
        self.run_with(n, o, &spikefab_cosim::lockstep::MemTiming::default())
    }

    /// [`ConfigModel::run`] with the external memory model's `timing`
    /// (used on a config with an external store).
    pub fn run_with(
        &self,
        n: &mut NetOnConfig,
        o: &LockstepOptions,
        timing: &spikefab_cosim::lockstep::MemTiming,
    ) -> Result<LockstepReport, LockstepError> {
        let mem = n.ext.clone().map(|r| spikefab_cosim::lockstep::ExtMemory {
            timing: timing.clone(),
            lanes: vec![vec![r]],
        });
        let beats = n.beats.clone();
        let open = || {
            spikefab_cosim::lockstep::configured_ext(&self.lib, &self.core, &beats, mem.as_ref(), o)
        };
        let cost = spikefab_cosim::lockstep::Cost::single(
            &self.core,
            &n.engine,
            mem.as_ref().map(|m| &m.timing),
        );
        spikefab_cosim::lockstep::run_lockstep_on(&open, &mut n.engine, o, Some(&cost))
    }

    /// The command line that reproduces a run of the network in `file`.
    pub fn repro(&self, file: &Path, o: &LockstepOptions) -> String {
        format!(
            "spikefab cosim {} --hw {} --steps {} --x-seed {} --spk-ready {} --stall-seed {}",
            file.display(),
            self.hw.name,
            o.steps,
            o.x_seed,
            o.spk_pct,
            o.stall_seed.max(1)
        )
    }
}

/// Every record of the first `steps` steps of `e`.
pub fn engine_records(e: &mut Engine, steps: u64) -> Vec<StepRecords> {
    (0..steps).map(|_| StepRecords::of_engine_step(e)).collect()
}

/// Run a lockstep and panic with the full divergence report on failure.
pub fn expect_match(r: Result<LockstepReport, LockstepError>, what: &str) -> LockstepReport {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Run a prepared network in lockstep.
pub fn run_prepared(
    p: &mut Prepared,
    o: &LockstepOptions,
) -> Result<LockstepReport, LockstepError> {
    run_lockstep(&p.lib, &p.core, &p.beats, &mut p.engine, o)
}

/// The values a VCD's top-level `name` variable takes.
pub fn vcd_values(text: &str, name: &str) -> Vec<u64> {
    let id = text
        .lines()
        .take_while(|l| !l.contains("$enddefinitions"))
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5 && f[0] == "$var" && f[4] == name).then(|| f[3].to_string())
        })
        .unwrap_or_else(|| panic!("no variable {name} in the VCD"));
    text.lines()
        .skip_while(|l| !l.contains("$enddefinitions"))
        .filter_map(|l| {
            let (v, i) = l.split_once(' ')?;
            (i == id && v.starts_with('b')).then(|| u64::from_str_radix(&v[1..], 2).ok())?
        })
        .collect()
}
