//! The mesh generator: a network placed on an `R x C` mesh of identical
//! cores ([`crate::mapping`]), the images of every core
//! ([`crate::images::mesh_core_images`]) and the mesh accelerator
//! (`spikefab gen NET --hw CFG --mesh RxC`).
//!
//! [`generate_mesh`] writes:
//!
//! - **config files** (header `... config hash C; DO NOT EDIT`, `C` =
//!   [`mesh_config_hash`] of the generator version, the config, the mesh
//!   size and the router FIFO depth): `spikefab_mesh_top.v`
//!   ([`mesh_top_verilog`]: module `spikefab_mesh_top`, one `snn_mesh_top`
//!   with the parameters of [`mesh_top_params`], every port passed through,
//!   the observation ports only with `observe`, the memory ports only with
//!   an external synapse store), and copies of the `hdl/`
//!   modules ([`spikefab_hdl::sources::mesh`]);
//! - **network files** (header `... config hash C; network hash N; DO NOT
//!   EDIT`): the images of every core `core<k>_<name>.hex` (with an
//!   external synapse store no `syn` image but the raw region
//!   `core<k>_syn_ext.bin`, placed on channel `k % channels`), the load-port
//!   beats `load.txt` ([`load_text`]: one line per beat, `core mem addr last
//!   data`), the mapping report `mapping.txt` and `manifest.json`
//!   ([`MeshManifest`]).
//!
//! `snn_mesh_top` has no `$readmemh` parameters: a mesh is configured
//! through its load port, with the beats of `load.txt` (memory 11 is a
//! core's route memory, configuration register 5 its base); the `.hex`
//! images hold the same words.

use std::fmt::Write as _;
use std::path::Path;

use spikefab_hdl::core::{self, Mem};
use spikefab_hdl::mesh::{self as hdl_mesh, MeshTopParams};
use spikefab_hdl::{sources, Port, Role};
use spikefab_sim::Network;

use crate::build::build_mesh_model;
use crate::capacity::{cores_needed, CoreMisfit};
use crate::emit;
use crate::error::{MeshError, MAX_FIFO_DEPTH, MIN_FIFO_DEPTH};
use crate::generate::copy_sources;
use crate::hwconfig::{ExtStore, HwConfig};
use crate::images::{self, load_beats, CoreImages, DelayGroups, Range};
use crate::layout::ExtGeometry;
use crate::manifest::{
    ext_file, header, manifest_params, mesh_config_hash, mesh_images_hash, network_hash,
    network_header, ExtMemoryEntry, Hashes, LoadInfo, MemoryEntry, MeshCoreEntry, MeshManifest,
    Out, WriteError, LOAD_FILE, MANIFEST, MAPPING_FILE, MESH_TOP, VERSION,
};
use crate::mapping::{partition_with, plastic_refusal, Mapping, Rates};
use crate::model::{apply_numerics, numerics_note, NetModel};
use crate::topology::Mesh;

/// Router input FIFO depth (packets) without `--fifo-depth`.
pub const DEFAULT_FIFO_DEPTH: u32 = 4;
/// Steps of the reference simulator whose firing rates feed the traffic
/// estimates of a generated mesh's mapping report.
pub const DEFAULT_RATE_STEPS: u64 = 200;

/// Options of [`generate_mesh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeshGenOptions {
    /// Threads for building the network (0: one per core); the output
    /// never depends on it.
    pub threads: usize,
    /// Depth of every router input FIFO (`FIFO_DEPTH`, packets); part of
    /// the config hash.
    pub fifo_depth: u32,
    /// Steps of the reference simulator whose rates feed the traffic
    /// estimates (0: [`crate::mapping::DEFAULT_RATE_HZ`] for every neuron).
    pub rate_steps: u64,
}

impl Default for MeshGenOptions {
    fn default() -> Self {
        MeshGenOptions {
            threads: 0,
            fifo_depth: DEFAULT_FIFO_DEPTH,
            rate_steps: DEFAULT_RATE_STEPS,
        }
    }
}

impl From<WriteError> for MeshError {
    fn from(e: WriteError) -> MeshError {
        MeshError::Io {
            what: e.what,
            path: e.path,
            source: e.source,
        }
    }
}

fn check_fifo_depth(depth: u32) -> Result<(), MeshError> {
    if (MIN_FIFO_DEPTH..=MAX_FIFO_DEPTH).contains(&depth) {
        Ok(())
    } else {
        Err(MeshError::FifoDepth { depth })
    }
}

/// The parameters of the `snn_mesh_top` a `mesh` of `hw` cores is built
/// from.
pub fn mesh_top_params(hw: &HwConfig, mesh: &Mesh, fifo_depth: u32) -> MeshTopParams {
    MeshTopParams {
        mrows: mesh.rows(),
        mcols: mesh.cols(),
        fifo_depth,
        core: hw.mesh_core_params(),
        delay_groups: hw.delay_groups(),
    }
}

/// The ports of `snn_mesh_top` that `spikefab_mesh_top` exposes: all, the
/// observation ports only with `observe`, the memory ports (every core's
/// AXI4 master and `mem_err_o`, flattened) only with an external synapse
/// store.
fn exposed_ports(hw: &HwConfig, top: &MeshTopParams) -> Vec<Port> {
    top.ports()
        .into_iter()
        .filter(|p| {
            (hw.observe || p.role != Role::Observe) && (hw.external() || p.role != Role::Memory)
        })
        .collect()
}

/// The text of `spikefab_mesh_top.v` (header included): a function of the
/// config, the mesh size and the FIFO depth only.
pub fn mesh_top_verilog(hw: &HwConfig, mesh: &Mesh, fifo_depth: u32) -> String {
    let head = header(&mesh_config_hash(hw, mesh, fifo_depth));
    let top = mesh_top_params(hw, mesh, fifo_depth);
    let all = top.ports();
    let k = mesh.cores();
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {MESH_TOP}: a {mesh} mesh ({k} cores) of {} on hw config '{}' ({}):",
        core::MODULE,
        hw.name,
        hdl_mesh::MODULE
    );
    let _ = writeln!(w, "//   per core {}.", hw.summary());
    let _ = writeln!(
        w,
        "//   Rows: {} source neurons of the whole network per core; router input FIFOs: {fifo_depth} packets.",
        hw.max_rows
    );
    let _ = writeln!(
        w,
        "// Network-independent: the cores start blank; a network enters through the load port"
    );
    let _ = writeln!(
        w,
        "// (ld_core_i selects the core; memory {} is its route memory, {} its configuration",
        Mem::Route.load_id(),
        Mem::Cfg.load_id()
    );
    let _ = writeln!(
        w,
        "// registers, register {} its base). {LOAD_FILE} of a generated directory holds the beats;",
        core::CfgReg::Base.addr()
    );
    let _ = writeln!(
        w,
        "// layouts and the mapping are in {MANIFEST}. Flattened per-core ports: core k in slice k."
    );
    if let Some(x) = &hw.synapse_store {
        let _ = writeln!(
            w,
            "// External synapse store: core k reads its rows through lane k of m_axi_* from its region"
        );
        let _ = writeln!(
            w,
            "// on channel k mod {} (channel c at byte address c x {}; the base is config registers {}, {}).",
            x.channels,
            x.channel_bytes,
            core::CfgReg::ExtBaseLo.addr(),
            core::CfgReg::ExtBaseHi.addr()
        );
    }
    w.push_str(emit::NETTYPE_NONE);
    let ports = exposed_ports(hw, &top);
    let refs: Vec<&Port> = ports.iter().collect();
    w.push_str(&emit::module_head(MESH_TOP, &[], &refs));
    if !hw.observe {
        w.push_str(&emit::hidden_observation("the cores", &all));
    }
    let tied = |p: &&Port| !hw.external() && p.role == Role::Memory;
    let mut conns: Vec<(String, String)> = all
        .iter()
        .filter(|p| !tied(p))
        .map(|p| emit::observed_conn(p, hw.observe))
        .collect();
    let mem: Vec<&Port> = all.iter().filter(tied).collect();
    let (c, unused_mem) = emit::tie_off(&mem);
    conns.extend(c);
    w.push_str(&emit::instance(
        hdl_mesh::MODULE,
        "u_mesh",
        &emit::param_args(&top.params()),
        &conns,
    ));
    if !unused_mem.is_empty() {
        w.push_str(&emit::unused_nets(
            emit::MEMORY_TIED_OFF,
            &unused_mem,
            "unused_mem",
        ));
    }
    w.push_str(emit::MODULE_END);
    s
}

/// The external-memory section of a mesh's `mapping.txt`: the channels
/// and, per core, its channel, base, region and lanes used.
pub fn ext_report(x: &ExtStore, cores: &[MeshCoreEntry], syn_depth: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "external synapse memory: {} channel{} of {} bytes (channel c at byte address c x {}); core k on channel k mod {}",
        x.channels,
        if x.channels == 1 { "" } else { "s" },
        x.channel_bytes,
        x.channel_bytes,
        x.channels
    );
    let _ = writeln!(
        s,
        "{:>4} {:>7} {:>14} {:>12} {:>12} {:>9} {:>21}  file",
        "core", "channel", "base", "offset", "bytes", "beats", "lanes used/syn_depth"
    );
    for c in cores {
        if let Some(e) = &c.ext_memory {
            let _ = writeln!(
                s,
                "{:>4} {:>7} {:>#14x} {:>#12x} {:>12} {:>9} {:>21}  {}",
                c.index,
                e.channel,
                e.base,
                e.offset,
                e.bytes,
                e.beats,
                format!("{}/{syn_depth}", e.lanes_used),
                e.file
            );
        }
    }
    s
}

/// The text of `load.txt` after `head`: the format line, then one line per
/// load-port beat, `core mem addr last data` (core, mem and addr decimal,
/// last 0 or 1, data 8 hex digits), core 0's beats first ([`load_beats`] of
/// each core: images, route memory, configuration registers).
pub fn load_text(head: &str, cores: &[CoreImages]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{head}");
    let _ = writeln!(
        s,
        "// load-port beats of {MESH_TOP}, one per line: core mem addr last data (ld_core_i, ld_mem_i, ld_addr_i decimal; ld_last_i 0/1; ld_data_i 8 hex digits)"
    );
    for (k, img) in cores.iter().enumerate() {
        for b in load_beats(img) {
            let _ = writeln!(
                s,
                "{k} {} {} {} {:08x}",
                b.mem,
                b.addr,
                u8::from(b.last),
                b.data
            );
        }
    }
    s
}

/// The images of every core of `mapping` (made by [`partition`] for `e` on
/// `hw`), in core order ([`images::mesh_core_images`]): parameters those of
/// a mesh core of `hw` ([`HwConfig::mesh_core_params`]), initial values
/// `n_active = hi - lo` and `base = lo`. The mapping is checked against the
/// network and the config first.
pub fn mesh_images(
    e: &NetModel,
    hw: &HwConfig,
    mapping: &Mapping,
) -> Result<Vec<CoreImages>, MeshError> {
    hw.check_mesh()?;
    let m = &e.model;
    let n = m.neurons as usize;
    let mesh = mapping.mesh;
    let k = mesh.cores();
    let contiguous = mapping.cores.len() == k
        && mapping.cores.first().is_some_and(|c| c.lo == 0)
        && mapping.cores.last().is_some_and(|c| c.hi as usize == n)
        && mapping.cores.windows(2).all(|w| w[0].hi == w[1].lo)
        && mapping.cores.iter().all(|c| c.hi > c.lo);
    if !contiguous
        || mapping.network != m.name
        || mapping.neurons != n as u64
        || mapping.synapses != e.syn.len()
        || mapping.config != hw.name
    {
        return Err(MeshError::Mismatch {
            made_for: format!(
                "network '{}' ({} neurons, {} synapses) on hw config '{}', {} cores",
                mapping.network,
                mapping.neurons,
                mapping.synapses,
                mapping.config,
                mapping.cores.len()
            ),
            given: format!(
                "network '{}' ({n} neurons, {} synapses) on hw config '{}', {k} cores",
                m.name,
                e.syn.len(),
                hw.name
            ),
        });
    }
    if m.numerics != hw.numerics {
        return Err(MeshError::Numerics {
            network: m.name.clone(),
            config: hw.name.clone(),
        });
    }
    let mut misfits = Vec::new();
    for (c, cm) in mapping.cores.iter().enumerate() {
        misfits.extend(CoreMisfit::check(
            Some(c),
            &[
                (
                    "neurons",
                    "neurons_per_core",
                    cm.neurons(),
                    hw.neurons_per_core,
                ),
                ("synapses", "syn_depth", cm.synapses, hw.syn_depth),
                (
                    "rows (one per source neuron of the network)",
                    "max_rows",
                    n as u64,
                    hw.max_rows,
                ),
            ],
        ));
    }
    if !misfits.is_empty() {
        let (a, b) = cores_needed(n as u64, e.syn.len(), hw);
        return Err(MeshError::DoesNotFit {
            network: m.name.clone(),
            config: hw.name.clone(),
            mesh,
            needed_cores: a.max(b),
            misfits,
        });
    }
    if let Some(err) = plastic_refusal(e, hw) {
        return Err(err);
    }
    let ranges: Vec<Range> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
    if hw.stdp {
        for (c, need) in images::plastic_per_core(e, &ranges).into_iter().enumerate() {
            if need > hw.inc_depth {
                return Err(MeshError::IncDepth {
                    network: m.name.clone(),
                    config: hw.name.clone(),
                    core: c,
                    need,
                    capacity: hw.inc_depth,
                });
            }
        }
    }
    let core = hw.mesh_core_params();
    let dg = DelayGroups::of(&core, hw.delay_groups());
    if let Some(g) = ExtGeometry::of(&core) {
        let misfits: Vec<CoreMisfit> = images::ext_lanes_per_core(e, &ranges, &g, &dg)
            .into_iter()
            .enumerate()
            .flat_map(|(c, lanes)| {
                CoreMisfit::check(
                    Some(c),
                    &[(
                        "synapse lanes (rows padded to whole beats)",
                        "syn_depth",
                        lanes,
                        hw.syn_depth,
                    )],
                )
            })
            .collect();
        if !misfits.is_empty() {
            let (a, b) = cores_needed(n as u64, e.syn.len(), hw);
            return Err(MeshError::DoesNotFit {
                network: m.name.clone(),
                config: hw.name.clone(),
                mesh,
                needed_cores: a.max(b),
                misfits,
            });
        }
    }
    let mut cores = images::mesh_core_images(e, &core, &dg, &mesh, &ranges)
        .map_err(|(core, source)| MeshError::Image { core, source })?;
    if let Some(x) = &hw.synapse_store {
        let need = images::place_ext(&mut cores, x.channels, x.channel_bytes);
        if let Some((ch, &bytes)) = need.iter().enumerate().find(|(_, &b)| b > x.channel_bytes) {
            return Err(MeshError::ExtChannel {
                network: m.name.clone(),
                config: hw.name.clone(),
                mesh,
                channel: ch as u32,
                cores: (0..k).filter(|c| c % x.channels as usize == ch).collect(),
                need: bytes,
                capacity: x.channel_bytes,
            });
        }
    }
    Ok(cores)
}

/// Generate the mesh accelerator for the static network `net` on a `mesh`
/// of `hw` cores into `out` (created): `spikefab_mesh_top.v` (config
/// files: `snn_mesh_top` with the config's parameters, and copies of the
/// `hdl/` modules it needs), the images of every core `core<k>_<name>.hex`,
/// the load-port beats `load.txt`, the mapping report `mapping.txt` and
/// `manifest.json` (network files). Nothing is written when the network
/// does not fit.
pub fn generate_mesh(
    net: &Network,
    hw: &HwConfig,
    mesh: &Mesh,
    out: &Path,
    opts: &MeshGenOptions,
) -> Result<MeshManifest, MeshError> {
    check_fifo_depth(opts.fifo_depth)?;
    let e = build_mesh_model(net, hw, mesh, opts.threads)?;
    generate_mesh_from(net, &e, hw, mesh, out, opts)
}

/// The mapping [`generate_mesh_from`] makes of `e` on `mesh`: partitioned
/// with the rates of `opts.rate_steps` reference steps (none: the default
/// rates). A host that configures a mesh without generating it (the
/// load-port beats of `spikefab run`) maps the same way.
pub fn mesh_mapping(
    e: &NetModel,
    hw: &HwConfig,
    mesh: &Mesh,
    opts: &MeshGenOptions,
) -> Result<Mapping, MeshError> {
    let rates = if opts.rate_steps > 0 {
        Rates::measure(e, opts.rate_steps)
    } else {
        Rates::default()
    };
    partition_with(e, hw, mesh, &rates)
}

/// [`generate_mesh`] for a network already built for the mesh
/// ([`build_mesh_model`]): `net` is its description (names, hashes).
pub fn generate_mesh_from(
    net: &Network,
    e: &NetModel,
    hw: &HwConfig,
    mesh: &Mesh,
    out: &Path,
    opts: &MeshGenOptions,
) -> Result<MeshManifest, MeshError> {
    check_fifo_depth(opts.fifo_depth)?;
    let mapping = mesh_mapping(e, hw, mesh, opts)?;
    let cores = mesh_images(e, hw, &mapping)?;

    let requant = apply_numerics(net, hw);
    let cfg_hash = mesh_config_hash(hw, mesh, opts.fifo_depth);
    let net_hash = network_hash(&requant);
    let images_hash = mesh_images_hash(&cores);
    let chead = header(&cfg_hash);
    let nhead = network_header(&cfg_hash, &net_hash);

    let mut o = Out::create(out)?;
    let mut config_files = Vec::new();
    let mut network_files = Vec::new();

    let f = format!("{MESH_TOP}.v");
    o.write(&f, &mesh_top_verilog(hw, mesh, opts.fifo_depth))?;
    config_files.push(f);
    copy_sources(&mut o, &chead, &sources::mesh(), &mut config_files)?;

    let mut core_images = Vec::with_capacity(cores.len());
    for (k, (img, cm)) in cores.iter().zip(&mapping.cores).enumerate() {
        let mut memories = Vec::with_capacity(img.images.len());
        for im in &img.images {
            let file = format!("core{k}_{}.hex", im.name());
            let text = format!("{nhead}\n{}", im.text);
            o.write(&file, &text)?;
            network_files.push(file.clone());
            memories.push(MemoryEntry::of(im, file, &text, true));
        }
        let ext_memory = match &img.ext {
            Some(x) => {
                let file = ext_file(k);
                o.write_bytes(&file, &x.region.bytes)?;
                network_files.push(file.clone());
                Some(ExtMemoryEntry::of(x, &img.core, file))
            }
            None => None,
        };
        core_images.push(MeshCoreEntry {
            index: k,
            row: cm.row,
            col: cm.col,
            base: cm.lo,
            n_active: cm.neurons(),
            synapses: img.synapses,
            load_beats: load_beats(img).len() as u64,
            memories,
            ext_memory,
        });
    }
    let load = load_text(&nhead, &cores);
    o.write(LOAD_FILE, &load)?;
    network_files.push(LOAD_FILE.to_string());
    let mut report = format!("{nhead}\n{}", mapping.report());
    if let Some(x) = &hw.synapse_store {
        report.push_str(&ext_report(x, &core_images, hw.syn_depth));
    }
    o.write(MAPPING_FILE, &report)?;
    network_files.push(MAPPING_FILE.to_string());
    o.files.push(MANIFEST.to_string());
    network_files.push(MANIFEST.to_string());

    let manifest = MeshManifest {
        generated: nhead.trim_start_matches("// ").to_string(),
        generator: "spikefab-gen".into(),
        version: VERSION.into(),
        scope: format!(
            "a {mesh} mesh of {} static {} cores on the network-on-chip ({}){}, static network",
            mesh.cores(),
            core::MODULE,
            hdl_mesh::MODULE,
            if hw.external() {
                ", their synapses in external memory"
            } else {
                ""
            }
        ),
        top: MESH_TOP.into(),
        mesh_module: hdl_mesh::MODULE.into(),
        core: core::MODULE.into(),
        mesh: *mesh,
        cores: mesh.cores(),
        fifo_depth: opts.fifo_depth,
        hashes: Hashes {
            config: cfg_hash,
            network: net_hash,
            images: images_hash,
        },
        hw: hw.clone(),
        numerics_source: numerics_note(net, hw),
        network: e.info(net),
        parameters: manifest_params(&mesh_top_params(hw, mesh, opts.fifo_depth).params()),
        ports: exposed_ports(hw, &mesh_top_params(hw, mesh, opts.fifo_depth)),
        core_images,
        load: LoadInfo {
            file: LOAD_FILE.into(),
            format: "core mem addr last data: ld_core_i, ld_mem_i, ld_addr_i decimal; ld_last_i 0/1; ld_data_i 8 hex digits; lines starting with // are comments".into(),
            beats: load.lines().filter(|l| !l.starts_with("//")).count() as u64,
        },
        mapping,
        files: o.files.clone(),
        config_files,
        network_files,
    };
    o.write_manifest(&manifest)?;
    Ok(manifest)
}
