//! The virtual board's design: the very core wrapper a board build holds
//! (`spikefab_fpga_core.v`, [`crate::core`]) around the accelerator's
//! network-independent top (`spikefab_top` of a single core,
//! `spikefab_mesh_top` of a mesh: blank memories, the host configures
//! them), with the host link and the spike buffer. `spikefab run --board
//! sim` verilates it and drives its byte streams; the network enters
//! through the link, as on a board.
//!
//! [`board_load`] gives the load-port beats and the reference engine of a
//! network for any design (virtual or built), and the config hash the
//! design must report.

use std::fs;
use std::path::{Path, PathBuf};

use spikefab_gen::generate::{core_images, generate_from};
use spikefab_gen::images::{ext_load_beats, load_beats, Beat};
use spikefab_gen::mesh_gen::{
    generate_mesh_from, mesh_images, mesh_mapping, mesh_top_params, MeshGenOptions,
};
use spikefab_gen::{build_core_model, build_mesh_model, HwConfig, Mesh};
use spikefab_hdl::sources;
use spikefab_sim::engine::Engine;
use spikefab_sim::Network;

use crate::core::{fpga_core_verilog, CoreDesign, FPGA_CORE};
use crate::{hash_u64, BuildError, VERSION};

/// Heartbeat half period of the virtual board, in cycles.
pub const VIRTUAL_HEARTBEAT_DIV: u64 = 1000;
/// The virtual board's gap limit inside a frame, in cycles: the virtual
/// transport feeds a frame's bytes back to back, so a short limit only
/// matters for frames cut by fault injection.
pub const VIRTUAL_IDLE_CYCLES: u64 = 2000;

/// A network's configuration of a design: the load-port beats (core, beat)
/// in the order a host sends them, the config hash the design reports, and
/// the reference engine at step 0.
pub struct BoardLoad {
    pub beats: Vec<(u32, Beat)>,
    pub config_hash: u64,
    pub engine: Engine,
}

/// The virtual board's files, generated into a folder.
pub struct VirtualDesign {
    /// Verilog sources, leaves first, the wrapper last.
    pub sources: Vec<PathBuf>,
    /// The top module ([`FPGA_CORE`]).
    pub top: &'static str,
    /// Spike lanes (cores).
    pub lanes: u32,
    /// The wrapper's external-memory ports (an AXI4 master), empty on chip
    /// ([`crate::core::memory_ports`]).
    pub memory_ports: Vec<spikefab_hdl::Port>,
    /// That port's parameters, `None` on chip.
    pub axi: Option<spikefab_hdl::core::AxiParams>,
    /// The network's configuration of it.
    pub load: BoardLoad,
}

/// The load-port beats of cores' images, in core order: (core, beat);
/// first, an external-store core's synapse region (memory id
/// `EXT_LOAD_ID`, which the board core writes to external memory), then
/// its memories and registers.
fn beats_of(imgs: &[spikefab_gen::images::CoreImages]) -> Result<Vec<(u32, Beat)>, BuildError> {
    let mut v = Vec::new();
    for (k, img) in imgs.iter().enumerate() {
        let ext = ext_load_beats(img).map_err(spikefab_gen::GenError::from)?;
        v.extend(
            ext.into_iter()
                .chain(load_beats(img))
                .map(|b| (k as u32, b)),
        );
    }
    Ok(v)
}

fn mesh_of(hw: &HwConfig, mesh: Option<&Mesh>) -> Option<Mesh> {
    mesh.copied()
        .or(hw.mesh)
        .filter(|m| m.cores() > 1 || mesh.is_some())
}

/// The beats, config hash and reference engine of `net` on `hw` (on
/// `mesh` when given, or on the config's own mesh), without writing files.
pub fn board_load(
    net: &Network,
    hw: &HwConfig,
    mesh: Option<&Mesh>,
    threads: usize,
) -> Result<BoardLoad, BuildError> {
    match mesh_of(hw, mesh) {
        None => {
            let src = build_core_model(net, hw, threads)?;
            let img = core_images(&src, hw)?;
            Ok(BoardLoad {
                beats: beats_of(std::slice::from_ref(&img))?,
                config_hash: hash_u64(&spikefab_gen::manifest::config_hash(hw, None)),
                engine: src.into_engine(),
            })
        }
        Some(m) => {
            let opts = MeshGenOptions {
                threads,
                ..MeshGenOptions::default()
            };
            let src = build_mesh_model(net, hw, &m, threads).map_err(mesh_err(hw))?;
            // the mapping `spikefab gen --mesh` makes
            let mapping = mesh_mapping(&src, hw, &m, &opts).map_err(mesh_err(hw))?;
            let imgs = mesh_images(&src, hw, &mapping).map_err(mesh_err(hw))?;
            let beats = beats_of(&imgs)?;
            Ok(BoardLoad {
                beats,
                config_hash: hash_u64(&spikefab_gen::manifest::mesh_config_hash(
                    hw,
                    &m,
                    opts.fifo_depth,
                )),
                engine: src.into_engine(),
            })
        }
    }
}

fn mesh_err(hw: &HwConfig) -> impl Fn(spikefab_gen::MeshError) -> BuildError + '_ {
    move |e| BuildError::Unsupported {
        config: hw.name.clone(),
        why: e.to_string(),
    }
}

/// Generate the virtual board of `net` on `hw` (on `mesh` when given)
/// into `dir`.
pub fn virtual_design(
    net: &Network,
    hw: &HwConfig,
    mesh: Option<&Mesh>,
    threads: usize,
    dir: &Path,
) -> Result<VirtualDesign, BuildError> {
    let io = |p: &Path, e| BuildError::io("cannot write", p, e);
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let (top, ports, config_files, hash, lane_neurons, lanes, load) = match mesh_of(hw, mesh) {
        None => {
            let src = build_core_model(net, hw, threads)?;
            let m = generate_from(net, &src, hw, dir, None)?;
            let img = core_images(&src, hw)?;
            let load = BoardLoad {
                beats: beats_of(std::slice::from_ref(&img))?,
                config_hash: hash_u64(&m.hashes.config),
                engine: src.into_engine(),
            };
            (
                m.top.clone(),
                m.ports.clone(),
                m.config_files.clone(),
                m.hashes.config.clone(),
                hw.core_params(None).n_neurons,
                1,
                load,
            )
        }
        Some(mesh) => {
            let opts = MeshGenOptions {
                threads,
                ..MeshGenOptions::default()
            };
            let src = build_mesh_model(net, hw, &mesh, threads).map_err(mesh_err(hw))?;
            let m = generate_mesh_from(net, &src, hw, &mesh, dir, &opts).map_err(mesh_err(hw))?;
            let imgs = mesh_images(&src, hw, &m.mapping).map_err(mesh_err(hw))?;
            let top = mesh_top_params(hw, &mesh, opts.fifo_depth);
            let load = BoardLoad {
                beats: beats_of(&imgs)?,
                config_hash: hash_u64(&m.hashes.config),
                engine: src.into_engine(),
            };
            (
                m.top.clone(),
                m.ports.clone(),
                m.config_files.clone(),
                m.hashes.config.clone(),
                top.core.n_neurons,
                top.cores(),
                load,
            )
        }
    };
    let head = format!(
        "// Generated by spikefab-build {VERSION}; config hash {hash}; virtual board; DO NOT EDIT"
    );
    let design = CoreDesign {
        net_top: &top,
        ports: &ports,
        config_hash: hash_u64(&hash),
        lane_neurons,
        heartbeat_div: VIRTUAL_HEARTBEAT_DIV,
        idle_cycles: VIRTUAL_IDLE_CYCLES,
        clock_mhz: crate::clocking::CORE_MHZ,
    };
    let unsupported = |why| BuildError::Unsupported {
        config: hw.name.clone(),
        why,
    };
    let text = fpga_core_verilog(&head, &design).map_err(unsupported)?;
    let memory_ports = crate::core::memory_ports(&design).map_err(unsupported)?;
    let axi = crate::core::external_port(&design).map_err(unsupported)?;
    let mut srcs: Vec<PathBuf> = config_files
        .iter()
        .filter(|f| f.ends_with(".v"))
        .map(|f| dir.join(f))
        .collect();
    for s in sources::BOARD {
        let p = dir.join(s.file);
        fs::write(&p, s.text).map_err(|e| io(&p, e))?;
        srcs.push(p);
    }
    let p = dir.join(format!("{FPGA_CORE}.v"));
    fs::write(&p, text).map_err(|e| io(&p, e))?;
    srcs.push(p);
    Ok(VirtualDesign {
        sources: srcs,
        top: FPGA_CORE,
        lanes,
        memory_ports,
        axi,
        load,
    })
}
