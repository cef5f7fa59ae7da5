//! Test-only helpers of `tests/noc.rs` around the harness of
//! `spikefab_cosim::noc` (wrapper, model spec, traffic generator,
//! scoreboard, latency figures): the repository's `hdl/` sources, the tool
//! chain detected once per test binary, and a model cache and wrapper
//! folder under cargo's `CARGO_TARGET_TMPDIR`.
#![allow(dead_code)] // not every helper is used by every test

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use spikefab_cosim::noc::{
    curve_run, run, Failure, MeshCfg, MeshSim, NocSources, Pattern, Report, Rng, RunCfg,
    CURVE_RATES, CURVE_X_SEED,
};
use spikefab_cosim::{build_with, noc, ModelLib, ModelSpec, Toolchain};

/// `hdl/<name>`, from `$SPIKEFAB_HDL_DIR` instead of the repository's
/// `hdl/` when set (the mutation tool's copy with one file mutated).
pub fn hdl(name: &str) -> PathBuf {
    match std::env::var_os("SPIKEFAB_HDL_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d).join(name),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("hdl")
            .join(name),
    }
}

/// The tool chain, detected once per test binary; panics with the install
/// hint when Verilator, the C++ compiler or make is missing.
pub fn tools() -> &'static Toolchain {
    static TOOLS: OnceLock<Toolchain> = OnceLock::new();
    TOOLS.get_or_init(|| {
        Toolchain::detect().unwrap_or_else(|e| panic!("the NoC tests need it: {e}"))
    })
}

/// The cache of the NoC models (kept between runs, under cargo's per-target tmp dir).
pub fn cache_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-noc-cache")
}

/// Builds `spec` in the NoC cache and prints how (built with timings, or cached).
pub fn build(spec: &ModelSpec) -> ModelLib {
    let lib = build_with(tools(), spec, &cache_root())
        .unwrap_or_else(|e| panic!("building `{}` failed: {e}", spec.top));
    println!("cosim build {}: {}", spec.top, lib.describe());
    lib
}

/// Writes the wrapper for `cfg` (atomically; concurrent tests may write the
/// same file) and returns its path.
pub fn wrapper_file(cfg: MeshCfg) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("noc-wrappers");
    noc::write_wrapper(&dir, cfg).unwrap_or_else(|e| panic!("noc wrapper: {e}"))
}

/// The spec of the wrapped mesh from the repository's `hdl/`; `router` is
/// the router source (normally `hdl/snn_noc_router.v`, a mutant in the
/// mutation test).
pub fn mesh_spec(cfg: MeshCfg, router: PathBuf) -> ModelSpec {
    let sources = NocSources {
        mesh: hdl("snn_noc_mesh.v"),
        router,
    };
    noc::mesh_spec(cfg, &wrapper_file(cfg), &sources)
        .unwrap_or_else(|e| panic!("mesh spec {}: {e}", cfg.name()))
}

/// Builds (or finds) the mesh model of `cfg`.
pub fn mesh_lib(cfg: MeshCfg) -> ModelLib {
    build(&mesh_spec(cfg, hdl("snn_noc_router.v")))
}

/// An instance of `lib`; panics with the error.
pub fn mesh_sim(lib: &ModelLib, cfg: MeshCfg, seed: u32) -> MeshSim {
    MeshSim::new(lib, cfg, seed).unwrap_or_else(|e| panic!("mesh {}: {e}", cfg.name()))
}
