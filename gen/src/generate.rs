//! The generator: a network and a hardware config in, a self-contained
//! directory out, ready for `spikefab synth <dir> --top spikefab_net`.
//!
//! Scope: **one core** (`hdl/snn_lif_core.v`); static networks on any
//! config, plastic (STDP) networks on a config with `stdp = true`. The whole
//! network must fit the one core of the config.
//!
//! The network is re-quantized with the **config's** numerics
//! ([`apply_numerics`]): the images, the reference engine ([`build_engine`])
//! and the RTL all use the hw config's widths. When the network's own
//! `[numerics]` differ, the config wins and [`numerics_note`] says so in one
//! line (manifest `numerics_source`, `spikefab gen` output).
//!
//! The output is split by what it depends on:
//!
//! - **config files** (header `... config hash C; DO NOT EDIT`): determined
//!   by the generator version, the hw config (numerics included) and the
//!   fault option alone, hashed by [`config_hash`]:
//!   - `spikefab_top.v`: module `spikefab_top`, one `snn_lif_core` with every
//!     network-independent parameter set from the config; the
//!     network-dependent initial values (`N_ACTIVE`, `P_PLUS`, `P_MINUS`,
//!     `BG_KEY`, `*_MEM_FILE`) are parameters of `spikefab_top` with the
//!     core's neutral defaults (a blank core, loaded through the `ld_*` port);
//!     one verilated model of it runs any network that fits;
//!   - copies of the `hdl/*.v` modules the core needs;
//! - **network files** (header `... config hash C; network hash N; DO NOT
//!   EDIT`):
//!   - the `$readmemh` images `<name>.hex` ([`crate::images`]), file names
//!     relative to the directory (run simulators from it);
//!   - `spikefab_net.v`: module `spikefab_net`, `spikefab_top` with this
//!     network's initial values and image files (the accelerator of the
//!     network, for synthesis and plain simulation);
//!   - `manifest.json`: config, parameters, memory layouts, usage, hashes
//!     and which files are config or network files.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use spikefab_sim::connect::{self, key_delay};
use spikefab_sim::engine::{self, Engine};
use spikefab_sim::rng::{self, Stream};
use spikefab_sim::{load, quant, Diagnostics, Network};

use crate::hwconfig::{ConfigError, HwConfig};
use crate::images::{self, clog2, CoreImageError, CoreImages, CoreShape, Layout};

/// Version of this generator (in every header).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The generated config-only top module (and its file stem).
pub const TOP: &str = "spikefab_top";
/// The generated network top module (and its file stem): [`TOP`] with the
/// network's initial values and images.
pub const NET_TOP: &str = "spikefab_net";
/// The neuron core the top instantiates.
pub const CORE: &str = "snn_lif_core";
/// The manifest file.
pub const MANIFEST: &str = "manifest.json";

/// The `hdl/` modules the core needs, copied into the output directory.
pub const CORE_SOURCES: [(&str, &str); 6] = [
    ("snn_rng.v", include_str!("../../hdl/snn_rng.v")),
    ("snn_poisson.v", include_str!("../../hdl/snn_poisson.v")),
    (
        "snn_lif_update.v",
        include_str!("../../hdl/snn_lif_update.v"),
    ),
    ("snn_syn_event.v", include_str!("../../hdl/snn_syn_event.v")),
    ("snn_stdp.v", include_str!("../../hdl/snn_stdp.v")),
    ("snn_lif_core.v", include_str!("../../hdl/snn_lif_core.v")),
];

/// Kinds of fault the core can inject (its `FAULT` parameter): a
/// verification aid that proves a co-simulation can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// `FAULT=1`: truncating instead of rounding in phase A at the step.
    Rounding,
    /// `FAULT=2`: the step's first spike is neither delivered nor sent.
    DropSpike,
    /// `FAULT=3`: the step's first weight write is skipped (STDP cores).
    SkipWeightWrite,
}

impl FaultKind {
    pub const ALL: [FaultKind; 3] = [
        FaultKind::Rounding,
        FaultKind::DropSpike,
        FaultKind::SkipWeightWrite,
    ];

    /// The core's `FAULT` value.
    pub fn code(self) -> u64 {
        match self {
            FaultKind::Rounding => 1,
            FaultKind::DropSpike => 2,
            FaultKind::SkipWeightWrite => 3,
        }
    }

    /// The name in `--inject-fault` and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Rounding => "rounding",
            FaultKind::DropSpike => "drop-spike",
            FaultKind::SkipWeightWrite => "skip-weight-write",
        }
    }

    fn what(self) -> &'static str {
        match self {
            FaultKind::Rounding => "truncating rounding in phase A",
            FaultKind::DropSpike => "first spike neither delivered nor sent",
            FaultKind::SkipWeightWrite => "first weight write skipped",
        }
    }
}

/// A fault injected at one step (`kind@step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fault {
    pub kind: FaultKind,
    /// The core's `FAULT_STEP`.
    pub step: u32,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.kind.name(), self.step)
    }
}

/// A `--inject-fault` value that is not `<kind>@<step>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault '{text}': {why} (expected <rounding|drop-spike|skip-weight-write>@<step>, e.g. drop-spike@10)")]
pub struct FaultParseError {
    pub text: String,
    pub why: String,
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Fault, FaultParseError> {
        let err = |why: String| FaultParseError {
            text: s.to_string(),
            why,
        };
        let (kind, step) = s
            .split_once('@')
            .ok_or_else(|| err("no '@<step>'".into()))?;
        let kind = FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == kind.trim())
            .ok_or_else(|| err(format!("unknown kind '{}'", kind.trim())))?;
        let step = step
            .trim()
            .parse::<u32>()
            .map_err(|e| err(format!("step '{}': {e}", step.trim())))?;
        Ok(Fault { kind, step })
    }
}

/// Options of [`generate_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenOptions {
    /// Threads for building the network (0: one per core); the output
    /// never depends on it.
    pub threads: usize,
    /// A fault built into the core (sets `FAULT`, `FAULT_STEP`; changes
    /// the config hash).
    pub fault: Option<Fault>,
}

/// One capacity the network exceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misfit {
    /// What is counted (`neurons`, `synapses`, ...).
    pub what: &'static str,
    /// The config field (or core limit) that bounds it.
    pub field: &'static str,
    pub need: u64,
    pub capacity: u64,
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the network needs {}, {} is {} ({} over)",
            self.what,
            self.need,
            self.field,
            self.capacity,
            self.need - self.capacity
        )
    }
}

/// Errors of [`generate`] and [`build_engine`].
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The hw config breaks its own rules (a config built in code).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The network does not validate, quantize or connect with the config's numerics.
    #[error("network '{network}' with the numerics of hw config '{config}': {diags}")]
    Build {
        network: String,
        config: String,
        diags: Diagnostics,
    },
    /// The rayon pool could not be created.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// A plastic network on a config without the STDP core.
    #[error("network '{network}' has plastic projections ({}); hw config '{config}' has stdp = false (use a config with stdp = true, e.g. --hw stdp)", .projections.join(", "))]
    Plastic {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// A fault that cannot act on the config.
    #[error("fault {fault} needs weight writes, but hw config '{config}' has stdp = false")]
    FaultNeedsStdp { fault: Fault, config: String },
    /// The network exceeds the config's (or the core's) capacities.
    #[error("network '{network}' does not fit hw config '{config}' (one core):\n  {}", .misfits.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n  "))]
    DoesNotFit {
        network: String,
        config: String,
        misfits: Vec<Misfit>,
    },
    /// A memory image could not be formed.
    #[error("{0}")]
    Image(#[from] CoreImageError),
    /// The image writer shaped the memories for other parameters than the
    /// config's (generator and image writer disagree).
    #[error("memory images were formed for {param} = {images}, but hw config '{config}' gives {param} = {expected}")]
    ImageShape {
        config: String,
        param: String,
        images: i64,
        expected: u64,
    },
    /// The image writer returned an image the config's core has no memory for.
    #[error("memory image '{image}' ({param}) has no memory in the core of hw config '{config}'")]
    UnexpectedImage {
        config: String,
        image: String,
        param: String,
    },
    /// Writing the output failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// FNV-1a, 64 bits (stable across platforms and releases).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn hex64(h: u64) -> String {
    format!("{h:016x}")
}

fn hash_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).expect("serializable");
    hex64(fnv1a64(s.as_bytes()))
}

/// The hash of everything that determines `spikefab_top.v` (and so the
/// verilated model): the generator version, the hw config (numerics,
/// capacities, options, name) and the fault option. Never the network.
pub fn config_hash(hw: &HwConfig, fault: Option<&Fault>) -> String {
    #[derive(Serialize)]
    struct Key<'a> {
        generator: &'static str,
        version: &'static str,
        hw: &'a HwConfig,
        fault: Option<&'a Fault>,
    }
    hash_json(&Key {
        generator: "spikefab-gen",
        version: VERSION,
        hw,
        fault,
    })
}

/// The hash of a network description (after [`apply_numerics`]).
pub fn network_hash(net: &Network) -> String {
    hash_json(net)
}

/// The hash of the `hdl/` sources the output copies. An edit of `hdl/`
/// changes the RTL without changing [`config_hash`] (nor the goldens, which
/// leave the copies out): a cache of verilated models keys on both. Not in
/// the manifest, so that the goldens do not change with `hdl/`.
pub fn hdl_hash() -> String {
    let mut h = Vec::new();
    for (f, src) in CORE_SOURCES {
        h.extend_from_slice(f.as_bytes());
        h.push(0);
        h.extend_from_slice(src.as_bytes());
        h.push(0);
    }
    hex64(fnv1a64(&h))
}

/// The hashes of one generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hashes {
    /// [`config_hash`]: what determines `spikefab_top.v` and the verilated model.
    pub config: String,
    /// [`network_hash`] of the network with the config's numerics.
    pub network: String,
    /// The memory image contents and the network's initial values.
    pub images: String,
}

/// The first line of every config file.
pub fn header(config_hash: &str) -> String {
    format!("// Generated by spikefab-gen {VERSION}; config hash {config_hash}; DO NOT EDIT")
}

/// The first line of every network file.
pub fn network_header(config_hash: &str, network_hash: &str) -> String {
    format!(
        "// Generated by spikefab-gen {VERSION}; config hash {config_hash}; network hash {network_hash}; DO NOT EDIT"
    )
}

/// `net` with its numerics replaced by the hw config's (the config wins).
pub fn apply_numerics(net: &Network, hw: &HwConfig) -> Network {
    let mut n = net.clone();
    n.numerics = hw.numerics;
    n
}

/// One line on where the numerics come from:
/// `numerics from hw config 'w7' (network's [numerics] overridden: w_bits 16 -> 7, ...)`.
pub fn numerics_note(net: &Network, hw: &HwConfig) -> String {
    let a = serde_json::to_value(net.numerics).expect("serializable");
    let b = serde_json::to_value(hw.numerics).expect("serializable");
    let mut diffs = Vec::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, vb) in b {
            let va = a.get(k).cloned().unwrap_or_default();
            if &va != vb {
                diffs.push(format!("{k} {va} -> {vb}"));
            }
        }
    }
    if diffs.is_empty() {
        format!(
            "numerics from hw config '{}' (equal to the network's [numerics])",
            hw.name
        )
    } else {
        format!(
            "numerics from hw config '{}' (network's [numerics] overridden: {})",
            hw.name,
            diffs.join(", ")
        )
    }
}

/// Use of one memory (or count) against its capacity.
#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub what: &'static str,
    pub field: &'static str,
    pub used: u64,
    pub capacity: u64,
}

/// One memory image in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryEntry {
    pub name: &'static str,
    pub file: String,
    /// The core's file-name parameter.
    pub param: &'static str,
    /// Words of the memory in the core.
    pub depth: u64,
    /// Words in the image file.
    pub words: u64,
    /// Word width in bits.
    pub width: u32,
    /// `depth * width`.
    pub bits: u64,
    /// Fields, least significant first.
    pub layout: Layout,
    /// FNV-1a 64 of the file.
    pub hash: String,
}

/// Counts of the generated network.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkInfo {
    pub name: String,
    pub neurons: u64,
    pub synapses: u64,
    /// Synapses with an STDP rule.
    pub plastic_synapses: u64,
    pub populations: Vec<PopInfo>,
    /// Largest synaptic delay in steps (at most `numerics.max_delay_steps`).
    pub max_delay_steps: u64,
    pub seed: u64,
    /// `rng::key(seed, Stream::Background, 0)`, the value of `BG_KEY`.
    pub bg_key: String,
}

/// One population.
#[derive(Debug, Clone, Serialize)]
pub struct PopInfo {
    pub name: String,
    pub start: u32,
    pub size: u32,
}

/// One parameter of the core instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub name: String,
    pub value: u64,
}

fn param(name: &str, value: u64) -> Param {
    Param {
        name: name.to_string(),
        value,
    }
}

/// `manifest.json`, also returned by [`generate`].
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The network header text (without `// `).
    pub generated: String,
    pub generator: String,
    pub version: String,
    pub scope: String,
    /// The config-only top module (`spikefab_top`).
    pub top: String,
    /// The network top module (`spikefab_net`).
    pub network_top: String,
    pub core: String,
    pub hashes: Hashes,
    pub hw: HwConfig,
    /// Where the numerics come from (one line, see [`numerics_note`]).
    pub numerics_source: String,
    /// The injected fault, if any (verification aid).
    pub fault: Option<Fault>,
    pub network: NetworkInfo,
    /// Network-independent parameters of the core, in declaration order
    /// (set in `spikefab_top.v`).
    pub parameters: Vec<Param>,
    /// Network-dependent initial values (parameters of `spikefab_top`, set
    /// by `spikefab_net.v`; also config registers of the load port).
    pub network_parameters: Vec<Param>,
    pub memories: Vec<MemoryEntry>,
    pub usage: Vec<Usage>,
    /// Every file written, in the order written (the manifest last).
    pub files: Vec<String>,
    /// Files determined by the config hash alone.
    pub config_files: Vec<String>,
    /// Files that depend on the network.
    pub network_files: Vec<String>,
}

/// The network-independent parameters of `snn_lif_core` for `hw`, in the
/// core's declaration order (docs/hardware.md).
pub fn core_parameters(hw: &HwConfig, fault: Option<&Fault>) -> Vec<Param> {
    let nc = &hw.numerics;
    vec![
        param("N_NEURONS", hw.neurons_per_core),
        param("N_POPS", hw.max_pops),
        param("SLOTS", hw.slots()),
        param("V_BITS", nc.v_bits.into()),
        param("I_BITS", nc.i_bits.into()),
        param("COEF_BITS", nc.coef_bits.into()),
        param("COEF_FRAC", nc.coef_frac.into()),
        param("REF_BITS", nc.ref_bits.into()),
        param("ACC_BITS", nc.acc_bits.into()),
        param("W_BITS", nc.w_bits.into()),
        param("W_SHIFT", nc.w_shift.into()),
        param("TABLE_LEN", nc.poisson_table_len.into()),
        param("SYN_DEPTH", hw.syn_depth),
        param("PLASTIC", hw.stdp.into()),
        param("TRACE_BITS", nc.trace_bits.into()),
        param("TRACE_FRAC", nc.trace_frac.into()),
        param("N_RULES", hw.n_rules),
        param("INC_DEPTH", hw.inc_depth),
        param("FAULT", fault.map_or(0, |f| f.kind.code())),
        param("FAULT_STEP", fault.map_or(0, |f| f.step.into())),
    ]
}

/// The `*_MEM_FILE` parameters of the core on `hw` (the STDP memories only
/// with `stdp`).
pub fn mem_file_params(hw: &HwConfig) -> Vec<&'static str> {
    let mut v = vec![
        "STATE_MEM_FILE",
        "POP_MEM_FILE",
        "PARAM_MEM_FILE",
        "CDF_MEM_FILE",
        "SYN_MEM_FILE",
        "ROW_MEM_FILE",
    ];
    if hw.stdp {
        v.extend([
            "RULE_MEM_FILE",
            "STDP_MEM_FILE",
            "INC_ROW_MEM_FILE",
            "INC_MEM_FILE",
        ]);
    }
    v
}

/// Counts of the network against the config (before the images).
struct Counts {
    neurons: u64,
    pops: u64,
    synapses: Option<u64>,
    plastic: u64,
    /// STDP rule table entries the network fills on an STDP core (one
    /// per projection: rule id = 1 + projection index).
    rules: u64,
    max_delay: Option<u64>,
}

fn usage(c: &Counts, hw: &HwConfig) -> Vec<Usage> {
    let mut u = vec![
        Usage {
            what: "neurons",
            field: "neurons_per_core",
            used: c.neurons,
            capacity: hw.neurons_per_core,
        },
        Usage {
            what: "rows (one per neuron)",
            field: "max_rows",
            used: c.neurons,
            capacity: hw.max_rows,
        },
        Usage {
            what: "populations",
            field: "max_pops",
            used: c.pops,
            capacity: hw.max_pops,
        },
    ];
    if let Some(s) = c.synapses {
        u.push(Usage {
            what: "synapses",
            field: "syn_depth",
            used: s,
            capacity: hw.syn_depth,
        });
    }
    if let Some(d) = c.max_delay {
        u.push(Usage {
            what: "delay slots (largest delay + 1)",
            field: "numerics.max_delay_steps + 1",
            used: d + 1,
            capacity: hw.slots(),
        });
    }
    if hw.stdp {
        u.push(Usage {
            what: "STDP rule table entries (one per projection)",
            field: "n_rules",
            used: c.rules,
            capacity: hw.n_rules,
        });
        u.push(Usage {
            what: "plastic synapses (incoming list)",
            field: "inc_depth",
            used: c.plastic,
            capacity: hw.inc_depth,
        });
    }
    u
}

fn misfits(u: &[Usage]) -> Vec<Misfit> {
    u.iter()
        .filter(|x| x.used > x.capacity)
        .map(|x| Misfit {
            what: x.what,
            field: x.field,
            need: x.used,
            capacity: x.capacity,
        })
        .collect()
}

fn net_name(net: &Network) -> String {
    net.name.clone().unwrap_or_else(|| "network".into())
}

fn fit(net: &Network, hw: &HwConfig, u: &[Usage]) -> Result<(), GenError> {
    let bad = misfits(u);
    if bad.is_empty() {
        Ok(())
    } else {
        Err(GenError::DoesNotFit {
            network: net_name(net),
            config: hw.name.clone(),
            misfits: bad,
        })
    }
}

fn counts(e: &Engine) -> Counts {
    let m = &e.model;
    Counts {
        neurons: m.neurons.into(),
        pops: m.pops.len() as u64,
        synapses: Some(e.syn.len()),
        plastic: e.syn.rule.iter().filter(|&&r| r != 0).count() as u64,
        rules: m.stdp.len() as u64,
        max_delay: Some(
            e.syn
                .key
                .iter()
                .map(|&k| u64::from(key_delay(k)))
                .max()
                .unwrap_or(0),
        ),
    }
}

/// The reference engine of `net` on `hw`: the network re-quantized with
/// the config's numerics ([`apply_numerics`]), validated, checked against
/// the capacities and connected, in a rayon pool of `threads` threads (0:
/// one per core). The engine the generated images are written from.
pub fn build_engine(net: &Network, hw: &HwConfig, threads: usize) -> Result<Engine, GenError> {
    hw.check()?;
    let net = apply_numerics(net, hw);
    let build = |diags| GenError::Build {
        network: net_name(&net),
        config: hw.name.clone(),
        diags,
    };
    load::validate(&net).map_err(build)?;
    let model = quant::quantize(&net).map_err(build)?;
    let plastic: Vec<String> = net
        .projections
        .iter()
        .filter(|p| p.stdp.is_some())
        .map(|p| {
            p.name
                .clone()
                .unwrap_or_else(|| format!("{}->{}", p.source, p.target))
        })
        .collect();
    if !plastic.is_empty() && !hw.stdp {
        return Err(GenError::Plastic {
            network: net_name(&net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    let pre = Counts {
        neurons: model.neurons.into(),
        pops: model.pops.len() as u64,
        synapses: None,
        plastic: 0,
        rules: 0,
        max_delay: None,
    };
    fit(&net, hw, &usage(&pre, hw))?;
    let syn = engine::with_threads(threads, || connect::build(&net, &model))
        .map_err(|e| GenError::Threads(e.to_string()))?
        .map_err(build)?;
    let e = Engine::new(model, syn);
    fit(&net, hw, &usage(&counts(&e), hw))?;
    Ok(e)
}

fn write(out: &Path, name: &str, text: &str, files: &mut Vec<String>) -> Result<(), GenError> {
    let p = out.join(name);
    fs::write(&p, text).map_err(|source| GenError::Io {
        what: "cannot write",
        path: p,
        source,
    })?;
    files.push(name.to_string());
    Ok(())
}

/// The core's memory sizes for `hw`.
pub fn core_shape(hw: &HwConfig) -> CoreShape {
    CoreShape {
        neurons: hw.neurons_per_core,
        pops: hw.max_pops,
        syn_depth: hw.syn_depth,
        plastic: hw.stdp,
        rules: hw.n_rules,
        inc_depth: hw.inc_depth,
    }
}

/// The memory images of `e` shaped for `hw`'s core ([`core_shape`]),
/// checked against the config's parameters.
pub fn core_images(e: &Engine, hw: &HwConfig) -> Result<CoreImages, GenError> {
    let img = images::core_images_for(e, &core_shape(hw))?;
    let files = mem_file_params(hw);
    if let Some(im) = img.images.iter().find(|im| !files.contains(&im.param)) {
        return Err(GenError::UnexpectedImage {
            config: hw.name.clone(),
            image: im.name.to_string(),
            param: im.param.to_string(),
        });
    }
    let params = core_parameters(hw, None);
    for (k, v) in &img.params {
        if let Some(p) = params
            .iter()
            .find(|p| p.name == *k && p.name != "FAULT" && p.name != "FAULT_STEP")
        {
            if u64::try_from(*v).ok() != Some(p.value) {
                return Err(GenError::ImageShape {
                    config: hw.name.clone(),
                    param: k.to_string(),
                    images: *v,
                    expected: p.value,
                });
            }
        }
    }
    Ok(img)
}

/// The network-dependent initial values of the core (`N_ACTIVE`, `P_PLUS`,
/// `P_MINUS`, `BG_KEY`) from its images.
pub fn network_parameters(img: &CoreImages) -> Vec<Param> {
    let mut v: Vec<Param> = ["N_ACTIVE", "P_PLUS", "P_MINUS"]
        .into_iter()
        .map(|k| param(k, img.param(k).map_or(0, |x| x.max(0) as u64)))
        .collect();
    v.push(param("BG_KEY", img.bg_key));
    v
}

/// Generate the accelerator for `net` on `hw` into `out` (created), with
/// the default [`GenOptions`].
pub fn generate(net: &Network, hw: &HwConfig, out: &Path) -> Result<Manifest, GenError> {
    generate_with(net, hw, out, &GenOptions::default())
}

/// Generate the accelerator for `net` on `hw` into `out` (created).
/// Nothing is written when the network does not fit.
pub fn generate_with(
    net: &Network,
    hw: &HwConfig,
    out: &Path,
    opts: &GenOptions,
) -> Result<Manifest, GenError> {
    let fault = opts.fault.as_ref();
    if let Some(f) = fault {
        if f.kind == FaultKind::SkipWeightWrite && !hw.stdp {
            return Err(GenError::FaultNeedsStdp {
                fault: *f,
                config: hw.name.clone(),
            });
        }
    }
    let e = build_engine(net, hw, opts.threads)?;
    let params = core_parameters(hw, fault);
    let img = core_images(&e, hw)?;
    let net_params = network_parameters(&img);
    let c = counts(&e);
    let mut use_ = usage(&c, hw);
    for im in &img.images {
        if im.words > im.depth {
            use_.push(Usage {
                what: "memory image words",
                field: im.param,
                used: im.words,
                capacity: im.depth,
            });
        }
    }
    fit(net, hw, &use_)?;

    let requant = apply_numerics(net, hw);
    let cfg_hash = config_hash(hw, fault);
    let net_hash = network_hash(&requant);
    let images_hash = {
        let mut b = Vec::new();
        for im in &img.images {
            b.extend_from_slice(im.param.as_bytes());
            b.push(0);
            b.extend_from_slice(im.text.as_bytes());
            b.push(0);
        }
        for p in &net_params {
            b.extend_from_slice(format!("{}={};", p.name, p.value).as_bytes());
        }
        hex64(fnv1a64(&b))
    };
    let hashes = Hashes {
        config: cfg_hash.clone(),
        network: net_hash.clone(),
        images: images_hash,
    };
    let chead = header(&cfg_hash);
    let nhead = network_header(&cfg_hash, &net_hash);
    let m = &e.model;
    let info = NetworkInfo {
        name: net_name(net),
        neurons: c.neurons,
        synapses: e.syn.len(),
        plastic_synapses: c.plastic,
        populations: m
            .pops
            .iter()
            .map(|p| PopInfo {
                name: p.name.clone(),
                start: p.start,
                size: p.size,
            })
            .collect(),
        max_delay_steps: c.max_delay.unwrap_or(0),
        seed: m.seed,
        bg_key: hex64(rng::key(m.seed, Stream::Background, 0)),
    };

    fs::create_dir_all(out).map_err(|source| GenError::Io {
        what: "cannot create",
        path: out.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut config_files = Vec::new();
    let mut network_files = Vec::new();
    let mut memories = Vec::new();
    for im in &img.images {
        let file = format!("{}.hex", im.name);
        let text = format!("{nhead}\n{}", im.text);
        write(out, &file, &text, &mut files)?;
        network_files.push(file.clone());
        memories.push(MemoryEntry {
            name: im.name,
            file,
            param: im.param,
            depth: im.depth,
            words: im.words,
            width: im.width(),
            bits: im.depth * im.width() as u64,
            layout: im.layout.clone(),
            hash: hex64(fnv1a64(text.as_bytes())),
        });
    }
    let top = top_verilog(&chead, hw, &params, fault);
    let f = format!("{TOP}.v");
    write(out, &f, &top, &mut files)?;
    config_files.push(f);
    let image_files: Vec<(&str, String)> =
        memories.iter().map(|m| (m.param, m.file.clone())).collect();
    let nettop = net_verilog(&nhead, hw, &info, &net_params, &image_files);
    let f = format!("{NET_TOP}.v");
    write(out, &f, &nettop, &mut files)?;
    network_files.push(f);
    for (file, src) in CORE_SOURCES {
        let text = format!(
            "{chead}\n// Copy of hdl/{file} (spikefab-gen {VERSION}); edit hdl/{file} instead.\n{src}"
        );
        write(out, file, &text, &mut files)?;
        config_files.push(file.to_string());
    }
    files.push(MANIFEST.to_string());
    network_files.push(MANIFEST.to_string());
    let manifest = Manifest {
        generated: nhead.trim_start_matches("// ").to_string(),
        generator: "spikefab-gen".into(),
        version: VERSION.into(),
        scope: format!(
            "one {CORE} (single core), {} network on a {} core",
            if c.plastic > 0 { "plastic" } else { "static" },
            if hw.stdp { "STDP" } else { "static" }
        ),
        top: TOP.into(),
        network_top: NET_TOP.into(),
        core: CORE.into(),
        hashes,
        hw: hw.clone(),
        numerics_source: numerics_note(net, hw),
        fault: opts.fault,
        network: info,
        parameters: params,
        network_parameters: net_params,
        memories,
        usage: use_,
        files,
        config_files,
        network_files,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("serializable");
    json.push('\n');
    let p = out.join(MANIFEST);
    fs::write(&p, json).map_err(|source| GenError::Io {
        what: "cannot write",
        path: p,
        source,
    })?;
    Ok(manifest)
}

/// One port of the generated tops (the core's ports).
struct Port {
    decl: String,
    name: &'static str,
    /// An observation port (`obs_*`, `wobs_*`): on the tops only with `observe`.
    obs: bool,
}

impl Port {
    /// The internal wire of an observation output when `observe` is off.
    fn wire(&self) -> &'static str {
        self.name.trim_end_matches("_o")
    }
}

/// The core's ports in its declaration order (docs/hardware.md).
fn core_ports(hw: &HwConfig) -> Vec<Port> {
    let nc = &hw.numerics;
    let n = hw.neurons_per_core;
    let nrn_w = if n > 1 { clog2(n) } else { 1 };
    let syn_aw = if hw.syn_depth > 1 {
        clog2(hw.syn_depth)
    } else {
        1
    };
    let decl = |dir: &str, signed: bool, bits: u32| {
        let s = if signed { " signed" } else { "" };
        if bits == 1 && !signed {
            format!("{dir} wire")
        } else {
            format!("{dir} wire{s} [{}:0]", bits - 1)
        }
    };
    let i = |bits: u32| decl("input ", false, bits);
    let o = |bits: u32| decl("output", false, bits);
    let os = |bits: u32| decl("output", true, bits);
    let p = |decl: String, name: &'static str| Port {
        decl,
        name,
        obs: false,
    };
    let q = |decl: String, name: &'static str| Port {
        decl,
        name,
        obs: true,
    };
    vec![
        p(i(1), "clk_i"),
        p(i(1), "rst_i"),
        p(i(1), "start_i"),
        p(o(1), "busy_o"),
        p(o(1), "done_o"),
        p(o(32), "step_o"),
        p(o(3), "phase_o"),
        p(i(1), "ld_valid_i"),
        p(o(1), "ld_ready_o"),
        p(i(1), "ld_last_i"),
        p(i(4), "ld_mem_i"),
        p(i(32), "ld_addr_i"),
        p(i(32), "ld_data_i"),
        q(o(1), "obs_valid_o"),
        q(o(32), "obs_step_o"),
        q(o(nrn_w), "obs_neuron_o"),
        q(os(nc.v_bits), "obs_v_o"),
        q(os(nc.i_bits), "obs_i_ex_o"),
        q(os(nc.i_bits), "obs_i_in_o"),
        q(o(nc.ref_bits), "obs_refr_o"),
        q(o(1), "obs_spike_o"),
        q(o(1), "wobs_valid_o"),
        q(o(32), "wobs_step_o"),
        q(o(syn_aw), "wobs_syn_o"),
        q(os(nc.w_bits), "wobs_old_o"),
        q(os(nc.w_bits), "wobs_new_o"),
        p(o(1), "spk_valid_o"),
        p(i(1), "spk_ready_i"),
        p(o(32), "spk_step_o"),
        p(o(nrn_w), "spk_neuron_o"),
    ]
}

/// The ports of the generated tops: the core's, less the observation
/// ports without `observe`.
fn top_ports<'a>(hw: &HwConfig, ports: &'a [Port]) -> Vec<&'a Port> {
    ports.iter().filter(|p| hw.observe || !p.obs).collect()
}

fn port_list(w: &mut String, ports: &[&Port]) {
    let width = ports.iter().map(|p| p.decl.len()).max().unwrap_or(0);
    for (k, p) in ports.iter().enumerate() {
        let comma = if k + 1 < ports.len() { "," } else { "" };
        let _ = writeln!(w, "  {:<width$} {}{comma}", p.decl, p.name);
    }
}

fn hw_summary(hw: &HwConfig) -> String {
    let nc = &hw.numerics;
    let stdp = if hw.stdp {
        format!(
            "STDP core ({} rules, {} incoming-list words)",
            hw.n_rules, hw.inc_depth
        )
    } else {
        "static core".to_string()
    };
    format!(
        "{} neurons, {} synapse words, {} populations, {} delay slots, v{} i{} w{}<<{} acc{}, {stdp}, observation ports {}",
        hw.neurons_per_core,
        hw.syn_depth,
        hw.max_pops,
        hw.slots(),
        nc.v_bits,
        nc.i_bits,
        nc.w_bits,
        nc.w_shift,
        nc.acc_bits,
        if hw.observe { "on" } else { "off" }
    )
}

/// The text of `spikefab_top.v`: a function of the config (and fault) only.
fn top_verilog(head: &str, hw: &HwConfig, params: &[Param], fault: Option<&Fault>) -> String {
    let all = core_ports(hw);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {TOP}: one {CORE} on hw config '{}' (single core):",
        hw.name
    );
    let _ = writeln!(w, "//   {}.", hw_summary(hw));
    let _ = writeln!(
        w,
        "// Network-independent: a network enters through the parameters below (defaults:"
    );
    let _ = writeln!(
        w,
        "// a blank core) or the load port ld_* (config registers: memory 15). {NET_TOP}.v"
    );
    let _ = writeln!(
        w,
        "// sets them for the generated network; layouts are in {MANIFEST}."
    );
    if let Some(f) = fault {
        let _ = writeln!(
            w,
            "// FAULT INJECTED (verification aid, not a working accelerator): {} at step {} ({}).",
            f.kind.name(),
            f.step,
            f.kind.what()
        );
    }
    let _ = writeln!(w, "`default_nettype none");
    let _ = writeln!(w, "module {TOP} #(");
    let (cb, cf) = (hw.numerics.coef_bits, hw.numerics.coef_frac);
    let mut decls = vec![
        format!(
            "  // Neurons in use, 1..{} (the network's neuron count; config register 0).\n  parameter integer N_ACTIVE = {}",
            hw.neurons_per_core, hw.neurons_per_core
        ),
        format!(
            "  // Decay of the presynaptic STDP trace, unsigned {cb} bits with {cf} fractional (config register 1).\n  parameter [{}:0] P_PLUS = {cb}'d0",
            cb - 1
        ),
        format!(
            "  // Decay of the postsynaptic STDP trace, unsigned {cb} bits with {cf} fractional (config register 2).\n  parameter [{}:0] P_MINUS = {cb}'d0",
            cb - 1
        ),
        "  // Background key rng::key(seed, Background, 0) (config registers 3, 4).\n  parameter [63:0] BG_KEY = 64'h0".to_string(),
    ];
    for f in mem_file_params(hw) {
        decls.push(format!(
            "  // $readmemh image of the core's {} (\"\" = zeros).\n  parameter {f} = \"\"",
            f.trim_end_matches("_MEM_FILE").to_lowercase()
        ));
    }
    let _ = writeln!(w, "{}", decls.join(",\n"));
    let _ = writeln!(w, ") (");
    port_list(w, &top_ports(hw, &all));
    let _ = writeln!(w, ");");
    if !hw.observe {
        let _ = writeln!(
            w,
            "  // Observation outputs of the core, unused (observe = false): synthesis removes them."
        );
        let obs: Vec<&Port> = all.iter().filter(|p| p.obs).collect();
        let decls: Vec<String> = obs
            .iter()
            .map(|p| p.decl.replacen("output wire", "wire", 1))
            .collect();
        let width = decls.iter().map(String::len).max().unwrap_or(0);
        for (p, d) in obs.iter().zip(&decls) {
            let _ = writeln!(w, "  {d:<width$} {};", p.wire());
        }
        let names: Vec<&str> = obs.iter().map(|p| p.wire()).collect();
        let _ = writeln!(w, "  wire unused_obs = &{{1'b0, {}}};", names.join(", "));
    }
    let _ = writeln!(w, "  {CORE} #(");
    let mut args: Vec<String> = params
        .iter()
        .map(|p| format!("    .{}({})", p.name, p.value))
        .collect();
    for k in ["N_ACTIVE", "P_PLUS", "P_MINUS", "BG_KEY"] {
        args.push(format!("    .{k}({k})"));
    }
    for f in mem_file_params(hw) {
        args.push(format!("    .{f}({f})"));
    }
    let _ = writeln!(w, "{}", args.join(",\n"));
    let _ = writeln!(w, "  ) u_core (");
    let conns: Vec<String> = all
        .iter()
        .map(|p| {
            if p.obs && !hw.observe {
                format!("    .{}({})", p.name, p.wire())
            } else {
                format!("    .{0}({0})", p.name)
            }
        })
        .collect();
    let _ = writeln!(w, "{}", conns.join(",\n"));
    let _ = writeln!(w, "  );");
    let _ = writeln!(w, "endmodule");
    let _ = writeln!(w, "`default_nettype wire");
    s
}

/// The text of `spikefab_net.v`: `spikefab_top` with the network's initial
/// values and image files.
fn net_verilog(
    head: &str,
    hw: &HwConfig,
    net: &NetworkInfo,
    net_params: &[Param],
    image_files: &[(&str, String)],
) -> String {
    let all = core_ports(hw);
    let ports = top_ports(hw, &all);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {NET_TOP}: network '{}' ({} neurons in {} populations, {} synapses, {} plastic; seed {})",
        net.name,
        net.neurons,
        net.populations.len(),
        net.synapses,
        net.plastic_synapses,
        net.seed
    );
    let _ = writeln!(
        w,
        "// on {TOP} (hw config '{}'): its initial values and $readmemh images (*.hex of this",
        hw.name
    );
    let _ = writeln!(
        w,
        "// directory; run simulators from it). Layouts in {MANIFEST}."
    );
    let _ = writeln!(w, "`default_nettype none");
    let _ = writeln!(w, "module {NET_TOP} (");
    port_list(w, &ports);
    let _ = writeln!(w, ");");
    let _ = writeln!(w, "  {TOP} #(");
    let mut args: Vec<String> = net_params
        .iter()
        .map(|p| match p.name.as_str() {
            "BG_KEY" => format!("    .{}(64'h{:016x})", p.name, p.value),
            "P_PLUS" | "P_MINUS" => {
                format!("    .{}({}'d{})", p.name, hw.numerics.coef_bits, p.value)
            }
            _ => format!("    .{}({})", p.name, p.value),
        })
        .collect();
    for (param, file) in image_files {
        args.push(format!("    .{param}(\"{file}\")"));
    }
    let _ = writeln!(w, "{}", args.join(",\n"));
    let _ = writeln!(w, "  ) u_top (");
    let conns: Vec<String> = ports
        .iter()
        .map(|p| format!("    .{0}({0})", p.name))
        .collect();
    let _ = writeln!(w, "{}", conns.join(",\n"));
    let _ = writeln!(w, "  );");
    let _ = writeln!(w, "endmodule");
    let _ = writeln!(w, "`default_nettype wire");
    s
}
