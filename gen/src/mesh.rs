//! Mapping a **static** network onto an `R x C` mesh of identical neuron
//! cores (each core has the hardware config's capacities), the memory
//! images of every core, and the generated mesh accelerator.
//!
//! # The multi-core model
//!
//! Core `k = r * C + c` (mesh row `r`, column `c`, row-major) holds the
//! contiguous neuron range `[lo_k, hi_k)`; core 0 the first range. Local
//! neuron `i` is global neuron `lo_k + i`. Every core has:
//!
//! | image | depth | words | word (least significant field first) | load id |
//! |---|---|---|---|---|
//! | state | `N_NEURONS` | `hi - lo` | `v`, `i_ex`, `i_in`, `refr` (single-core format) | 0 |
//! | pop | `N_NEURONS` | `hi - lo` | population index (single-core format) | 1 |
//! | param | `N_POPS` | every population of the network | single-core format | 2 |
//! | cdf | `N_POPS` | every population of the network | single-core format | 3 |
//! | syn | `SYN_DEPTH` | the core's synapses (at least 1) | `target - lo` (`NRN_W`), `delay` (`clog2(SLOTS)`), `weight` (`W_BITS`, signed) | 4 |
//! | row | `ROWS` | `N_total` | `start`, `end` (`PTR_W` each) | 5 |
//! | route | `N_NEURONS` | `hi - lo` | `mesh_row0`, ..., `mesh_row{R-1}` (`C` bits each) | 11 |
//!
//! `NRN_W = max(1, clog2(N_NEURONS))`, `PTR_W = clog2(SYN_DEPTH + 1)`,
//! `ROWS = max_rows` (at least the network's neuron count and at least
//! `N_NEURONS`). Field `mesh_row{r}` holds the route bits of mesh row `r`,
//! its bit `c` the core at column `c`. The core's parameters are the
//! single core's for the config (`N_NEURONS = neurons_per_core`, `N_POPS =
//! max_pops`, `SYN_DEPTH = syn_depth`, `PLASTIC = 0`, ...) with `N_ACTIVE
//! = hi - lo`, plus `ROWS = max_rows` and `BASE = lo`.
//!
//! - **row** is indexed by the **global** source neuron `j`: row `j` is the
//!   engine's row of `j` restricted to the targets in `[lo, hi)`, in the
//!   engine's order, `{start, end}` addresses into this core's synapse
//!   memory (an empty row has `start = end` = the running address).
//! - **route** of local neuron `i` is the set of cores holding at least one
//!   synapse of source `lo + i` (the core itself included when it does):
//!   bit `r * C + c` of the word is the core at mesh row `r`, column `c`.
//! - Configuration registers (load id 15): 0 `n_active = hi - lo` (>= 1),
//!   1 `p_plus` = 0, 2 `p_minus` = 0, 3 and 4 the network's background key
//!   (the same in every core), and 5 `base = lo` (the global id of local
//!   neuron 0: the core draws its background with `base + i` and the
//!   network interface sends `base + i` as the spike's source).
//!
//! A 1x1 mesh gives exactly the single-core images of
//! [`crate::images::core_images_for`] (shaped by the config), plus the
//! route image; the row memory is `max_rows` deep (the single core's is
//! `neurons_per_core` deep: the same whenever `max_rows = neurons_per_core`).
//!
//! # Partition
//!
//! [`partition`] cuts the neuron order into `R * C` contiguous, non-empty
//! ranges minimising the largest core load, where the load of a range is
//! `max(neurons / neurons_per_core, incoming synapses / syn_depth)` (its
//! use of the tighter of the two memories): bisection on the load bound
//! with a greedy feasibility test (the load of a range only grows as the
//! range grows, so packing each core up to the bound is optimal), then
//! neighbouring cuts are evened out without raising the largest load.
//!
//! Plastic networks are not mapped on a mesh (STDP across cores is not
//! supported yet); they run on one core through [`crate::generate`].
//!
//! # Generation
//!
//! [`generate_mesh`] writes a mesh accelerator directory (`spikefab gen NET
//! --hw CFG --mesh RxC`):
//!
//! - **config files** (header `... config hash C; DO NOT EDIT`, `C` =
//!   [`mesh_config_hash`] of the generator version, the config, the mesh
//!   size and the router FIFO depth): `spikefab_mesh_top.v`
//!   ([`mesh_top_verilog`]: module [`MESH_TOP`], one `snn_mesh_top` with
//!   [`mesh_parameters`], every port passed through, the observation ports
//!   only with `observe`), and copies of the `hdl/` modules
//!   ([`CORE_SOURCES`] and [`NOC_SOURCES`]);
//! - **network files** (header `... config hash C; network hash N; DO NOT
//!   EDIT`): the images of every core `core<k>_<name>.hex` ([`mesh_images`]),
//!   the load-port beats [`LOAD_FILE`] ([`load_text`]: one line per beat,
//!   `core mem addr last data`), the mapping report [`MAPPING_FILE`] and
//!   `manifest.json` ([`MeshManifest`]).
//!
//! `snn_mesh_top` has no `$readmemh` parameters: a mesh is configured
//! through its load port, with the beats of `load.txt`; the `.hex` images
//! hold the same words in the single core's image format.

use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use spikefab_sim::connect::{self, key_delay, key_target};
use spikefab_sim::engine::{self, Engine};
use spikefab_sim::net::Rule;
use spikefab_sim::{load, quant, Diagnostics, Network};

use crate::generate::{
    self, apply_numerics, core_parameters, fnv1a64, hash_json, header, hex64, hw_summary,
    network_hash, network_header, network_info, numerics_note, port_list, Hashes, NetworkInfo,
    Param, Port, CORE, CORE_SOURCES, NOC_SOURCES, VERSION,
};
use crate::hwconfig::{ConfigError, HwConfig, CORE_MAX_NEURONS};
use crate::images::{
    self, clog2, load_beats, Beat, CoreImageError, CoreImages, CoreShape, Image, ImageError,
    Layout, LOAD_CFG,
};
use spikefab_eda::parts::{Part, PARTS};

/// Largest number of mesh rows and of mesh columns.
pub const MAX_MESH_DIM: u32 = 16;
/// Largest number of cores (`MAX_MESH_DIM^2`).
pub const MAX_CORES: usize = (MAX_MESH_DIM * MAX_MESH_DIM) as usize;
/// The firing rate assumed by [`partition`] for the traffic estimates.
pub const DEFAULT_RATE_HZ: f64 = 10.0;
/// Load-port memory id of the route image.
pub const LOAD_ROUTE: u8 = 11;
/// Configuration register (load id 15) of `base`, the global id of local
/// neuron 0.
pub const CFG_BASE: u32 = 5;
/// Bits in a 36 Kb block RAM.
pub const BRAM36_BITS: u64 = 36 * 1024;
/// Bits in a 288 Kb UltraRAM.
pub const URAM_BITS: u64 = 288 * 1024;

/// The shape of a mesh of cores: `rows x cols`, each 1..=16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Mesh {
    rows: u32,
    cols: u32,
}

/// A mesh shape that is not `RxC` with `R` and `C` in 1..=16.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad mesh '{text}': {why} (expected RxC with R and C in 1..={MAX_MESH_DIM}, e.g. 2x2 or 3x2)"
)]
pub struct MeshParseError {
    pub text: String,
    pub why: String,
}

impl Mesh {
    /// A `rows x cols` mesh.
    pub fn new(rows: u32, cols: u32) -> Result<Mesh, MeshParseError> {
        let text = format!("{rows}x{cols}");
        for (what, v) in [("rows", rows), ("columns", cols)] {
            if !(1..=MAX_MESH_DIM).contains(&v) {
                return Err(MeshParseError {
                    text,
                    why: format!("{what} = {v} is outside 1..={MAX_MESH_DIM}"),
                });
            }
        }
        Ok(Mesh { rows, cols })
    }

    /// Mesh rows.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Mesh columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Number of cores, `rows * cols`.
    pub fn cores(&self) -> usize {
        (self.rows * self.cols) as usize
    }

    /// `(row, column)` of core `k` (row-major: `k = row * cols + column`).
    pub fn position(&self, k: usize) -> (u32, u32) {
        (k as u32 / self.cols, k as u32 % self.cols)
    }
}

impl fmt::Display for Mesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.rows, self.cols)
    }
}

impl FromStr for Mesh {
    type Err = MeshParseError;

    fn from_str(s: &str) -> Result<Mesh, MeshParseError> {
        let err = |why: String| MeshParseError {
            text: s.to_string(),
            why,
        };
        let t = s.trim();
        let (r, c) = t
            .split_once(['x', 'X'])
            .ok_or_else(|| err("no 'x' between rows and columns".into()))?;
        let num = |what: &str, v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|e| err(format!("{what} '{}': {e}", v.trim())))
        };
        let (rows, cols) = (num("rows", r)?, num("columns", c)?);
        Mesh::new(rows, cols).map_err(|e| err(e.why))
    }
}

/// One capacity a core (or the whole mesh) exceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoreMisfit {
    /// The core, or `None` for the whole mesh or every core alike (`what`
    /// says which).
    pub core: Option<usize>,
    /// What is counted (`neurons`, `synapses`, ...).
    pub what: &'static str,
    /// The config field that bounds it.
    pub field: &'static str,
    pub need: u64,
    pub capacity: u64,
}

impl fmt::Display for CoreMisfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.core {
            write!(f, "core {k}: ")?;
        }
        write!(
            f,
            "{}: needs {}, {} is {} ({} over)",
            self.what,
            self.need,
            self.field,
            self.capacity,
            self.need.saturating_sub(self.capacity)
        )
    }
}

/// Errors of the mesh mapping.
#[derive(Debug, thiserror::Error)]
pub enum MeshError {
    /// The hw config breaks its own rules.
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
    /// A plastic network on a mesh of static cores.
    #[error("network '{network}' has plastic projections ({}), but the cores of hw config '{config}' are static (stdp = false); use a config with stdp = true", .projections.join(", "))]
    Plastic {
        network: String,
        config: String,
        projections: Vec<String>,
    },
    /// Per-core STDP capacity (incoming-list words) exceeded.
    #[error("network '{network}': core {core} holds {need} plastic synapses, inc_depth of hw config '{config}' is {capacity} ({} over)", .need - .capacity)]
    IncDepth {
        network: String,
        config: String,
        core: usize,
        need: u64,
        capacity: u64,
    },
    /// Fewer neurons than cores (every core needs `n_active >= 1`).
    #[error("network '{network}' has {neurons} neurons, fewer than the {cores} cores of the {mesh} mesh (every core needs at least one neuron: n_active >= 1); use a smaller mesh")]
    TooFewNeurons {
        network: String,
        neurons: u64,
        cores: usize,
        mesh: Mesh,
    },
    /// A rate estimate that is not a finite non-negative number per neuron.
    #[error("rate estimate: {0}")]
    Rates(String),
    /// The network exceeds the capacities of the mesh's cores.
    #[error("network '{network}' does not fit a {mesh} mesh of hw config '{config}' cores (at least {needed_cores} cores of this config are needed):\n  {}", .misfits.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n  "))]
    DoesNotFit {
        network: String,
        config: String,
        mesh: Mesh,
        needed_cores: u64,
        misfits: Vec<CoreMisfit>,
    },
    /// An engine quantized with other numerics than the config's (build it
    /// with [`build_mesh_engine`], which applies the config's numerics).
    #[error("network '{network}' was quantized with other numerics than hw config '{config}' (build the engine with the config's numerics: mesh::build_mesh_engine or generate::build_engine)")]
    Numerics { network: String, config: String },
    /// A mapping used with another network or config than it was made for.
    #[error("the mapping was made for {made_for}, not for {given}")]
    Mismatch { made_for: String, given: String },
    /// A memory image could not be formed.
    #[error("core {core}: {source}")]
    Image {
        core: usize,
        #[source]
        source: ImageError,
    },
    /// The images shared by every core could not be formed.
    #[error("{0}")]
    Shared(#[from] CoreImageError),
    /// A router FIFO depth outside the range `snn_mesh_top` accepts.
    #[error("router FIFO depth {depth} must be in {MIN_FIFO_DEPTH}..={MAX_FIFO_DEPTH} (packets per router input)")]
    FifoDepth { depth: u32 },
    /// Writing the output failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Counts of a network from its description, without connecting it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetCounts {
    pub neurons: u64,
    /// Synapses (the expectation for `pairwise_bernoulli`, rounded).
    pub synapses: u64,
    /// True when `synapses` is the exact count (no `pairwise_bernoulli`).
    pub exact: bool,
}

/// The neurons and synapses of `net`, from its populations and connection
/// rules alone (no build): `fixed_total_number` `n`, `fixed_indegree`
/// `k * target size`, `one_to_one` the source size, `explicit` its list,
/// `pairwise_bernoulli` `p` times the pairs (less the autapses when they
/// are excluded).
pub fn network_counts(net: &Network) -> NetCounts {
    let size = |name: &str| {
        net.populations
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| f64::from(p.size))
    };
    let mut exact = true;
    let mut syn = 0.0f64;
    for p in &net.projections {
        let (ns, nt) = (size(&p.source), size(&p.target));
        let same = p.source == p.target;
        syn += match &p.rule {
            Rule::FixedTotalNumber { n, .. } => *n as f64,
            Rule::FixedIndegree { k, .. } => f64::from(*k) * nt,
            Rule::OneToOne => ns,
            Rule::Explicit { synapses } => synapses.len() as f64,
            Rule::PairwiseBernoulli { p, autapses } => {
                exact = false;
                let pairs = if same && !autapses {
                    ns * (ns - 1.0)
                } else {
                    ns * nt
                };
                p.clamp(0.0, 1.0) * pairs
            }
        };
    }
    NetCounts {
        neurons: net.populations.iter().map(|p| u64::from(p.size)).sum(),
        synapses: syn.round() as u64,
        exact,
    }
}

/// Whole-mesh misfits of a network of `neurons` and `synapses` on `mesh`
/// (from counts alone): neurons against `cores * neurons_per_core`,
/// synapses against `cores * syn_depth`, and neurons against `max_rows`
/// (every core has a row per source neuron of the network).
pub fn count_misfits(neurons: u64, synapses: u64, hw: &HwConfig, mesh: &Mesh) -> Vec<CoreMisfit> {
    let k = mesh.cores() as u64;
    let all = [
        (
            "neurons (all cores)",
            "neurons_per_core x cores",
            neurons,
            hw.neurons_per_core.saturating_mul(k),
        ),
        (
            "synapses (all cores)",
            "syn_depth x cores",
            synapses,
            hw.syn_depth.saturating_mul(k),
        ),
        (
            "rows (in every core: one per source neuron of the network)",
            "max_rows",
            neurons,
            hw.max_rows,
        ),
    ];
    all.into_iter()
        .filter(|(_, _, need, cap)| need > cap)
        .map(|(what, field, need, capacity)| CoreMisfit {
            core: None,
            what,
            field,
            need,
            capacity,
        })
        .collect()
}

/// Cores of `hw` needed for `neurons` and `synapses`: (by neurons, by
/// synapses).
pub fn cores_needed(neurons: u64, synapses: u64, hw: &HwConfig) -> (u64, u64) {
    (
        neurons.div_ceil(hw.neurons_per_core.max(1)),
        synapses.div_ceil(hw.syn_depth.max(1)),
    )
}

/// Width of a mesh core's synapse word: target (`max(1,
/// clog2(neurons_per_core))`), delay (`clog2(slots)`), weight (`w_bits`).
pub fn syn_word_bits(hw: &HwConfig) -> (u32, u32, u32) {
    (
        nrn_w(hw.neurons_per_core),
        clog2(hw.slots()),
        hw.numerics.w_bits,
    )
}

fn nrn_w(n: u64) -> u32 {
    if n > 1 {
        clog2(n)
    } else {
        1
    }
}

/// On-chip memory bits of a part (36 Kb block RAMs and 288 Kb UltraRAMs).
pub fn part_memory_bits(p: &Part) -> u64 {
    p.bram36 * BRAM36_BITS + p.uram * URAM_BITS
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn bytes_text(bits: u64) -> String {
    let bytes = bits.div_ceil(8);
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if gib >= 1.0 {
        format!("{} bytes ({gib:.2} GiB)", group(bytes))
    } else {
        format!("{} bytes ({mib:.2} MiB)", group(bytes))
    }
}

/// What a network of `neurons` and `synapses` needs in cores of `hw`, and
/// whether its synapse memory fits on chip, from the counts alone (no
/// build): cores needed by neurons and by synapses (against the largest
/// mesh, 16x16), the synapse memory in bits and bytes (the mesh core's word:
/// target, delay and weight widths of the config), the row memory every
/// core would need, and the comparison with the on-chip memory (block RAM
/// and UltraRAM) of the largest part in [`PARTS`].
pub fn capacity_report(neurons: u64, synapses: u64, hw: &HwConfig) -> String {
    let mut s = String::new();
    let w = &mut s;
    let (by_n, by_s) = cores_needed(neurons, synapses, hw);
    let need = by_n.max(by_s).max(1);
    let _ = writeln!(
        w,
        "capacity: {} neurons, {} synapses on cores of hw config '{}' ({} neurons, {} synapse words, {} rows each)",
        group(neurons),
        group(synapses),
        hw.name,
        group(hw.neurons_per_core),
        group(hw.syn_depth),
        group(hw.max_rows)
    );
    let _ = writeln!(
        w,
        "cores needed: {} by neurons, {} by synapses: at least {} cores ({})",
        group(by_n),
        group(by_s),
        group(need),
        if need as usize > MAX_CORES {
            format!("more than the largest mesh, {MAX_MESH_DIM}x{MAX_MESH_DIM} = {MAX_CORES} cores")
        } else {
            format!("the largest mesh, {MAX_MESH_DIM}x{MAX_MESH_DIM}, has {MAX_CORES}")
        }
    );
    let (tw, dw, ww) = syn_word_bits(hw);
    let word = u64::from(tw + dw + ww);
    let syn_bits = synapses.saturating_mul(word);
    let _ = writeln!(
        w,
        "synapse memory: {} words x {word} bits (target {tw} + delay {dw} + weight {ww}) = {} bits = {}",
        group(synapses),
        group(syn_bits),
        bytes_text(syn_bits)
    );
    let ptr_w = u64::from(clog2(hw.syn_depth + 1));
    let row_bits = neurons.saturating_mul(2 * ptr_w);
    let _ = writeln!(
        w,
        "row memory: every core indexes all {} source neurons: {} x {} bits = {} bits per core, {} in {} cores; max_rows = {} {}",
        group(neurons),
        group(neurons),
        2 * ptr_w,
        group(row_bits),
        bytes_text(row_bits.saturating_mul(need)),
        group(need),
        group(hw.max_rows),
        if hw.max_rows >= neurons {
            "holds them"
        } else {
            "does not hold them"
        }
    );
    if let Some(p) = PARTS.iter().max_by_key(|p| part_memory_bits(p)) {
        let chip = part_memory_bits(p);
        let _ = writeln!(
            w,
            "largest part: {} ({}): {} BRAM36 ({} bits) + {} URAM ({} bits) = {} bits = {} on chip",
            p.name,
            p.device_family,
            group(p.bram36),
            group(p.bram36 * BRAM36_BITS),
            group(p.uram),
            group(p.uram * URAM_BITS),
            group(chip),
            bytes_text(chip)
        );
        if syn_bits > chip {
            let _ = writeln!(
                w,
                "does not fit on chip: the synapse memory alone is {:.1}x the on-chip memory of the largest part ({}); the synapses need off-chip memory (DRAM/HBM)",
                syn_bits as f64 / chip as f64,
                p.name
            );
        } else {
            let _ = writeln!(
                w,
                "the synapse memory is {:.1}% of the on-chip memory of the largest part ({})",
                100.0 * syn_bits as f64 / chip.max(1) as f64,
                p.name
            );
        }
    }
    s
}

fn net_name(net: &Network) -> String {
    net.name.clone().unwrap_or_else(|| "network".into())
}

/// `hw` checked as a mesh core: every rule of [`HwConfig::check`] except
/// `max_rows <= neurons_per_core` (a mesh core has a row per source neuron
/// of the whole network: `ROWS = max_rows`), with `neurons_per_core <=
/// max_rows <= 2^24` instead; and a static core (`stdp = false`).
pub fn check_mesh_config(hw: &HwConfig) -> Result<(), MeshError> {
    let mut c = hw.clone();
    c.max_rows = c.max_rows.min(c.neurons_per_core);
    c.check()?;
    if hw.max_rows < hw.neurons_per_core || hw.max_rows > CORE_MAX_NEURONS {
        return Err(ConfigError::Invalid {
            name: hw.name.clone(),
            message: format!(
                "max_rows = {} must be in {}..={CORE_MAX_NEURONS} for a mesh core (one row per source neuron of the network; the core's ROWS >= N_NEURONS = neurons_per_core)",
                hw.max_rows, hw.neurons_per_core
            ),
        }
        .into());
    }
    Ok(())
}

/// The names of the plastic projections of `net` (`source->target` for an
/// unnamed one).
pub fn plastic_projections(net: &Network) -> Vec<String> {
    net.projections
        .iter()
        .filter(|p| p.stdp.is_some())
        .map(|p| {
            p.name
                .clone()
                .unwrap_or_else(|| format!("{}->{}", p.source, p.target))
        })
        .collect()
}

/// The reference engine of `net` for a mesh of `hw` cores: the network
/// re-quantized with the config's numerics, validated, checked (static;
/// whole-mesh capacities from its counts, before connecting) and connected
/// in a pool of `threads` threads (0: one per core).
pub fn build_mesh_engine(
    net: &Network,
    hw: &HwConfig,
    mesh: &Mesh,
    threads: usize,
) -> Result<Engine, MeshError> {
    let plastic = plastic_projections(net);
    if !plastic.is_empty() && !hw.stdp {
        return Err(MeshError::Plastic {
            network: net_name(net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    check_mesh_config(hw)?;
    let net = apply_numerics(net, hw);
    let name = net_name(&net);
    let build = |diags| MeshError::Build {
        network: name.clone(),
        config: hw.name.clone(),
        diags,
    };
    load::validate(&net).map_err(build)?;
    let model = quant::quantize(&net).map_err(build)?;
    let c = network_counts(&net);
    let misfits = count_misfits(c.neurons, c.synapses, hw, mesh);
    if !misfits.is_empty() {
        let (a, b) = cores_needed(c.neurons, c.synapses, hw);
        return Err(MeshError::DoesNotFit {
            network: name,
            config: hw.name.clone(),
            mesh: *mesh,
            needed_cores: a.max(b),
            misfits,
        });
    }
    let syn = engine::with_threads(threads, || connect::build(&net, &model))
        .map_err(|e| MeshError::Threads(e.to_string()))?
        .map_err(build)?;
    Ok(Engine::new(model, syn))
}

/// The firing rates behind the traffic estimates of a [`Mapping`].
#[derive(Debug, Clone, PartialEq)]
pub enum Rates {
    /// Every neuron fires at `hz`.
    Uniform { hz: f64 },
    /// A rate per neuron (Hz), and where it comes from.
    PerNeuron { hz: Vec<f64>, source: String },
}

impl Default for Rates {
    fn default() -> Self {
        Rates::Uniform {
            hz: DEFAULT_RATE_HZ,
        }
    }
}

impl Rates {
    /// The rates of a run of `steps` steps of a fresh engine of `e`'s model
    /// and synapses (from the initial state drawn from the seed).
    pub fn measure(e: &Engine, steps: u64) -> Rates {
        let mut r = Engine::new(e.model.clone(), e.syn.clone());
        let mut count = vec![0u64; e.model.neurons as usize];
        for _ in 0..steps {
            for &n in r.step() {
                count[n as usize] += 1;
            }
        }
        let secs = steps as f64 * e.model.dt_ms * 1e-3;
        let hz = count
            .iter()
            .map(|&c| if secs > 0.0 { c as f64 / secs } else { 0.0 })
            .collect();
        Rates::PerNeuron {
            hz,
            source: format!("measured over {steps} steps of the reference engine"),
        }
    }

    /// One line: where the rates come from and their mean.
    pub fn describe(&self) -> String {
        match self {
            Rates::Uniform { hz } => format!("assumed {hz} Hz for every neuron"),
            Rates::PerNeuron { hz, source } => {
                let mean = hz.iter().sum::<f64>() / hz.len().max(1) as f64;
                format!("{source} (mean {mean:.2} Hz)")
            }
        }
    }

    /// Spike probability per step of every neuron (`rate * dt`).
    fn per_step(&self, n: usize, dt_ms: f64) -> Result<Vec<f64>, MeshError> {
        let dt = dt_ms * 1e-3;
        let bad = |v: f64| !v.is_finite() || v < 0.0;
        match self {
            Rates::Uniform { hz } => {
                if bad(*hz) {
                    return Err(MeshError::Rates(format!(
                        "rate {hz} Hz must be finite and >= 0"
                    )));
                }
                Ok(vec![hz * dt; n])
            }
            Rates::PerNeuron { hz, .. } => {
                if hz.len() != n {
                    return Err(MeshError::Rates(format!(
                        "{} rates for a network of {n} neurons",
                        hz.len()
                    )));
                }
                if let Some((i, v)) = hz.iter().enumerate().find(|(_, &v)| bad(v)) {
                    return Err(MeshError::Rates(format!(
                        "neuron {i}: rate {v} Hz must be finite and >= 0"
                    )));
                }
                Ok(hz.iter().map(|h| h * dt).collect())
            }
        }
    }
}

/// One memory of a mesh core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemUse {
    pub name: &'static str,
    /// Words of the memory.
    pub depth: u64,
    /// Words the network fills.
    pub words: u64,
    /// Word width in bits.
    pub width: u32,
}

impl MemUse {
    /// `depth * width`: the memory's bits.
    pub fn bits(&self) -> u64 {
        self.depth * u64::from(self.width)
    }

    /// `words * width`: the bits the network fills.
    pub fn used_bits(&self) -> u64 {
        self.words * u64::from(self.width)
    }
}

/// One core of a [`Mapping`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoreMap {
    /// Core index `row * cols + col`.
    pub index: usize,
    pub row: u32,
    pub col: u32,
    /// First global neuron (`base`).
    pub lo: u32,
    /// One past the last global neuron.
    pub hi: u32,
    /// Synapses onto the core's neurons (its synapse memory words).
    pub synapses: u64,
    /// Source neurons with at least one synapse onto the core.
    pub rows_used: u64,
    /// The core's memories (the images and the delay accumulators).
    pub memories: Vec<MemUse>,
    /// Expected synaptic events per step: sum over the core's synapses of
    /// the source's spike probability per step.
    pub events_per_step: f64,
    /// Expected spike packets the core sends per step (spikes of its
    /// neurons with a non-empty route).
    pub packets_out_per_step: f64,
    /// Expected spike packets the core receives per step (spikes of the
    /// sources with a synapse onto it, its own included).
    pub packets_in_per_step: f64,
    /// Expected deliveries to other cores per step (each packet counts once
    /// per destination core other than this one).
    pub remote_deliveries_per_step: f64,
}

impl CoreMap {
    /// Neurons of the core.
    pub fn neurons(&self) -> u64 {
        u64::from(self.hi - self.lo)
    }

    /// The memory called `name`.
    pub fn memory(&self, name: &str) -> Option<&MemUse> {
        self.memories.iter().find(|m| m.name == name)
    }
}

/// The placement of a network on a mesh.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub mesh: Mesh,
    /// Name of the hw config.
    pub config: String,
    pub network: String,
    pub neurons: u64,
    pub synapses: u64,
    pub dt_ms: f64,
    /// Where the rates of the traffic estimates come from.
    pub rates: String,
    pub cores: Vec<CoreMap>,
    /// Largest core load `max(neurons / neurons_per_core, synapses /
    /// syn_depth)` (1.0: a memory of a core is full).
    pub max_load: f64,
    /// Largest over mean of the neurons per core.
    pub imbalance_neurons: f64,
    /// Largest over mean of the synapses per core.
    pub imbalance_synapses: f64,
}

impl Mapping {
    /// The core holding global neuron `n`.
    pub fn core_of(&self, n: u32) -> Option<usize> {
        self.cores.iter().position(|c| c.lo <= n && n < c.hi)
    }

    /// A table per core (position, neurons, synapses, rows used, synapse
    /// memory, traffic) and the imbalance line.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(
            w,
            "mesh {} ({} cores) for network '{}' on hw config '{}' cores: {} neurons, {} synapses",
            self.mesh,
            self.cores.len(),
            self.network,
            self.config,
            self.neurons,
            self.synapses
        );
        let _ = writeln!(w, "traffic: rates {}; dt {} ms", self.rates, self.dt_ms);
        let _ = writeln!(
            w,
            "{:>4} {:>7} {:>8} {:>17} {:>9} {:>9} {:>23} {:>11} {:>10} {:>10} {:>11}",
            "core",
            "pos",
            "neurons",
            "range",
            "synapses",
            "rows used",
            "syn mem bits used/all",
            "events/step",
            "pkts out",
            "pkts in",
            "remote out"
        );
        for c in &self.cores {
            let syn = c.memory("syn");
            let _ = writeln!(
                w,
                "{:>4} {:>7} {:>8} {:>17} {:>9} {:>9} {:>23} {:>11.2} {:>10.3} {:>10.3} {:>11.3}",
                c.index,
                format!("({},{})", c.row, c.col),
                c.neurons(),
                format!("[{}, {})", c.lo, c.hi),
                c.synapses,
                c.rows_used,
                syn.map_or(String::new(), |m| format!(
                    "{}/{}",
                    u64::from(m.width) * c.synapses,
                    m.bits()
                )),
                c.events_per_step,
                c.packets_out_per_step,
                c.packets_in_per_step,
                c.remote_deliveries_per_step
            );
        }
        let tot = |f: fn(&CoreMap) -> f64| self.cores.iter().map(f).sum::<f64>();
        let _ = writeln!(
            w,
            "total: {:.2} synaptic events/step, {:.3} packets out/step, {:.3} remote deliveries/step",
            tot(|c| c.events_per_step),
            tot(|c| c.packets_out_per_step),
            tot(|c| c.remote_deliveries_per_step)
        );
        if let Some(c) = self.cores.first() {
            let mems: Vec<String> = c
                .memories
                .iter()
                .map(|m| format!("{} {}x{}", m.name, m.depth, m.width))
                .collect();
            let bits: u64 = c.memories.iter().map(MemUse::bits).sum();
            let _ = writeln!(
                w,
                "memories per core (depth x width): {}; {} bits",
                mems.join(", "),
                bits
            );
        }
        let _ = writeln!(
            w,
            "imbalance (max/mean): neurons {:.3}, synapses {:.3}; fullest core at {:.1}% of its tighter memory",
            self.imbalance_neurons,
            self.imbalance_synapses,
            100.0 * self.max_load
        );
        s
    }
}

/// A set of cores (at most [`MAX_CORES`]).
type CoreSet = [u64; MAX_CORES / 64];

fn set_has(m: &CoreSet, k: usize) -> bool {
    (m[k / 64] >> (k % 64)) & 1 == 1
}

fn set_len(m: &CoreSet) -> u32 {
    m.iter().map(|w| w.count_ones()).sum()
}

fn set_iter(m: &CoreSet) -> impl Iterator<Item = usize> + '_ {
    (0..MAX_CORES).filter(|&k| set_has(m, k))
}

/// Load of a range of `n` neurons with `s` incoming synapses.
fn load_of(n: u64, s: u64, hw: &HwConfig) -> f64 {
    (n as f64 / hw.neurons_per_core as f64).max(s as f64 / hw.syn_depth as f64)
}

/// Range ends `[0, b1, ..., N]` packing each range up to load `t`, or
/// `None` when more than `k` ranges (or a single neuron above `t`) are
/// needed. `pre` is the prefix sum of incoming synapses.
fn greedy(pre: &[u64], k: usize, t: f64, hw: &HwConfig) -> Option<Vec<usize>> {
    let n = pre.len() - 1;
    let ok = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw) <= t;
    let mut ends = vec![0usize];
    let mut i = 0usize;
    while i < n {
        if ends.len() > k || !ok(i, i + 1) {
            return None;
        }
        let (mut lo, mut hi) = (i + 1, n);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if ok(i, mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        ends.push(lo);
        i = lo;
    }
    Some(ends)
}

/// `k` contiguous non-empty ranges of `pre.len() - 1 >= k` neurons
/// minimising the largest load.
fn cut(pre: &[u64], k: usize, hw: &HwConfig) -> Vec<usize> {
    let n = pre.len() - 1;
    let total = pre[n];
    let mut hi = load_of(n as u64, total, hw);
    let single = (0..n)
        .map(|i| load_of(1, pre[i + 1] - pre[i], hw))
        .fold(0.0f64, f64::max);
    let mut lo = load_of(n as u64, total, hw) / k as f64;
    lo = lo.max(single);
    let mut best = greedy(pre, k, hi, hw).expect("one range holds everything");
    if let Some(e) = greedy(pre, k, lo, hw) {
        best = e;
    } else {
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if !(mid > lo && mid < hi) {
                break;
            }
            match greedy(pre, k, mid, hw) {
                Some(e) => {
                    hi = mid;
                    best = e;
                }
                None => lo = mid,
            }
        }
    }
    // Fewer ranges than cores: split the most loaded range that has two
    // neurons or more at its best point (splitting never raises the load).
    while best.len() - 1 < k {
        let load = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw);
        let r = (0..best.len() - 1)
            .filter(|&r| best[r + 1] - best[r] >= 2)
            .max_by(|&x, &y| {
                load(best[x], best[x + 1])
                    .total_cmp(&load(best[y], best[y + 1]))
                    .then(y.cmp(&x))
            })
            .expect("n >= k leaves a range of two neurons");
        let (a, b) = (best[r], best[r + 1]);
        let m = (a + 1..b)
            .min_by(|&x, &y| {
                load(a, x)
                    .max(load(x, b))
                    .total_cmp(&load(a, y).max(load(y, b)))
            })
            .expect("a range of two neurons has a split point");
        best.insert(r + 1, m);
    }
    smooth(pre, &mut best, hw);
    best
}

/// Evens out neighbouring ranges: each cut moves to where the larger load of
/// its two ranges is smallest (ties: where the two loads are closest), only
/// when that strictly improves the pair, so the largest load never grows.
/// Packing to the bound leaves the slack in the last ranges; this spreads it.
fn smooth(pre: &[u64], ends: &mut [usize], hw: &HwConfig) {
    let load = |a: usize, b: usize| load_of((b - a) as u64, pre[b] - pre[a], hw);
    let score = |a: usize, m: usize, b: usize| {
        let (x, y) = (load(a, m), load(m, b));
        (x.max(y), (x - y).abs())
    };
    let better = |p: (f64, f64), q: (f64, f64)| p.0 < q.0 || (p.0 == q.0 && p.1 < q.1);
    for _ in 0..64 {
        let mut moved = false;
        for i in 1..ends.len() - 1 {
            let (a, b) = (ends[i - 1], ends[i + 1]);
            if b - a < 2 {
                continue;
            }
            // first m with load(a, m) >= load(m, b) (the left load grows with m,
            // the right one shrinks)
            let (mut lo, mut hi) = (a + 1, b - 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if load(a, mid) >= load(mid, b) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            let mut m = ends[i];
            for c in [lo.saturating_sub(1).max(a + 1), lo] {
                if better(score(a, c, b), score(a, m, b)) {
                    m = c;
                }
            }
            if m != ends[i] {
                ends[i] = m;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// [`partition_with`] at the default rate estimate ([`DEFAULT_RATE_HZ`]
/// for every neuron).
pub fn partition(e: &Engine, hw: &HwConfig, mesh: &Mesh) -> Result<Mapping, MeshError> {
    partition_with(e, hw, mesh, &Rates::default())
}

/// Place the static network of `e` on `mesh` cores of `hw`: contiguous,
/// non-empty neuron ranges in core order minimising the largest core load
/// (see the module docs), checked against every core's capacities (a
/// misfit names the core, the field and the excess), with the traffic
/// estimated from `rates`.
pub fn partition_with(
    e: &Engine,
    hw: &HwConfig,
    mesh: &Mesh,
    rates: &Rates,
) -> Result<Mapping, MeshError> {
    let m = &e.model;
    let network = m.name.clone();
    if e.syn.rule.iter().any(|&r| r != 0) && !hw.stdp {
        let projections = m
            .stdp
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_some())
            .map(|(i, _)| format!("projection {i}"))
            .collect();
        return Err(MeshError::Plastic {
            network,
            config: hw.name.clone(),
            projections,
        });
    }
    check_mesh_config(hw)?;
    let n = m.neurons as usize;
    let k = mesh.cores();
    if n < k {
        return Err(MeshError::TooFewNeurons {
            network,
            neurons: n as u64,
            cores: k,
            mesh: *mesh,
        });
    }
    let p = rates.per_step(n, m.dt_ms)?;
    let total = e.syn.len();
    let mut misfits = Vec::new();
    if hw.max_rows < n as u64 {
        misfits.push(CoreMisfit {
            core: None,
            what: "rows (in every core: one per source neuron of the network)",
            field: "max_rows",
            need: n as u64,
            capacity: hw.max_rows,
        });
    }
    if hw.max_pops < m.pops.len() as u64 {
        misfits.push(CoreMisfit {
            core: None,
            what: "populations (every core holds them all)",
            field: "max_pops",
            need: m.pops.len() as u64,
            capacity: hw.max_pops,
        });
    }
    // incoming synapses per neuron, prefix sums
    let mut pre = vec![0u64; n + 1];
    for &key in &e.syn.key {
        pre[key_target(key) as usize + 1] += 1;
    }
    for i in 0..n {
        pre[i + 1] += pre[i];
    }
    let ends = cut(&pre, k, hw);
    let mut core_of = vec![0u16; n];
    for c in 0..k {
        core_of[ends[c]..ends[c + 1]].fill(c as u16);
    }
    for c in 0..k {
        let (nn, ns) = (
            (ends[c + 1] - ends[c]) as u64,
            pre[ends[c + 1]] - pre[ends[c]],
        );
        for (what, field, need, capacity) in [
            ("neurons", "neurons_per_core", nn, hw.neurons_per_core),
            ("synapses", "syn_depth", ns, hw.syn_depth),
        ] {
            if need > capacity {
                misfits.push(CoreMisfit {
                    core: Some(c),
                    what,
                    field,
                    need,
                    capacity,
                });
            }
        }
    }
    if !misfits.is_empty() {
        let (a, b) = cores_needed(n as u64, total, hw);
        return Err(MeshError::DoesNotFit {
            network,
            config: hw.name.clone(),
            mesh: *mesh,
            needed_cores: a.max(b),
            misfits,
        });
    }
    // traffic and rows
    let mut rows_used = vec![0u64; k];
    let mut events = vec![0f64; k];
    let mut out = vec![0f64; k];
    let mut inn = vec![0f64; k];
    let mut remote = vec![0f64; k];
    for j in 0..n {
        let mut mask: CoreSet = [0; MAX_CORES / 64];
        for s in e.syn.row(j as u32) {
            let c = core_of[key_target(e.syn.key[s]) as usize] as usize;
            mask[c / 64] |= 1 << (c % 64);
            events[c] += p[j];
        }
        let own = core_of[j] as usize;
        let dests = set_len(&mask);
        if dests > 0 {
            out[own] += p[j];
            remote[own] += p[j] * f64::from(dests - u32::from(set_has(&mask, own)));
        }
        for c in set_iter(&mask) {
            rows_used[c] += 1;
            inn[c] += p[j];
        }
    }
    let cores: Vec<CoreMap> = (0..k)
        .map(|c| {
            let (row, col) = mesh.position(c);
            let (lo, hi) = (ends[c] as u32, ends[c + 1] as u32);
            let synapses = pre[ends[c + 1]] - pre[ends[c]];
            CoreMap {
                index: c,
                row,
                col,
                lo,
                hi,
                synapses,
                rows_used: rows_used[c],
                memories: core_memories(e, hw, mesh, u64::from(hi - lo), synapses),
                events_per_step: events[c],
                packets_out_per_step: out[c],
                packets_in_per_step: inn[c],
                remote_deliveries_per_step: remote[c],
            }
        })
        .collect();
    let max_mean = |v: Vec<u64>| {
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        let max = v.iter().copied().max().unwrap_or(0) as f64;
        if mean > 0.0 {
            max / mean
        } else {
            1.0
        }
    };
    let max_load = cores
        .iter()
        .map(|c| load_of(c.neurons(), c.synapses, hw))
        .fold(0.0, f64::max);
    Ok(Mapping {
        mesh: *mesh,
        config: hw.name.clone(),
        network,
        neurons: n as u64,
        synapses: total,
        dt_ms: m.dt_ms,
        rates: rates.describe(),
        imbalance_neurons: max_mean(cores.iter().map(CoreMap::neurons).collect()),
        imbalance_synapses: max_mean(cores.iter().map(|c| c.synapses).collect()),
        max_load,
        cores,
    })
}

/// The memories of a mesh core of `hw` holding `neurons` neurons and
/// `synapses` synapses of `e`'s network (the widths of [`mesh_images`]'
/// layouts, and the two delay accumulators, which have no image).
fn core_memories(
    e: &Engine,
    hw: &HwConfig,
    mesh: &Mesh,
    neurons: u64,
    synapses: u64,
) -> Vec<MemUse> {
    let nc = &hw.numerics;
    let pops = e.model.pops.len() as u64;
    let npc = hw.neurons_per_core;
    let (tw, dw, ww) = syn_word_bits(hw);
    let mem = |name, depth, words, width| MemUse {
        name,
        depth,
        words,
        width,
    };
    vec![
        mem(
            "state",
            npc,
            neurons,
            nc.v_bits + 2 * nc.i_bits + nc.ref_bits,
        ),
        mem("pop", npc, neurons, nrn_w(hw.max_pops)),
        mem(
            "param",
            hw.max_pops,
            pops,
            5 * nc.coef_bits + (nc.v_bits + nc.coef_frac) + 2 * nc.v_bits + nc.ref_bits + nc.w_bits,
        ),
        mem("cdf", hw.max_pops, pops, 32 * nc.poisson_table_len),
        mem("syn", hw.syn_depth, synapses.max(1), tw + dw + ww),
        mem(
            "row",
            hw.max_rows,
            u64::from(e.model.neurons),
            2 * clog2(hw.syn_depth + 1),
        ),
        mem("route", npc, neurons, mesh.cores() as u32),
        mem(
            "acc (ex, in; no image)",
            hw.slots() * npc,
            hw.slots() * neurons,
            2 * nc.acc_bits,
        ),
    ]
}

/// The images of every core of `mapping` (made by [`partition`] for `e` on
/// `hw`), in core order, in the formats of the module docs. Parameters:
/// those of the single core shaped by `hw` (`N_NEURONS = neurons_per_core`,
/// `N_POPS = max_pops`, `SYN_DEPTH = syn_depth`, `PLASTIC = 0`, ...), with
/// `N_ACTIVE = hi - lo`, and `ROWS = max_rows`, `BASE = lo` appended.
pub fn mesh_images(
    e: &Engine,
    hw: &HwConfig,
    mapping: &Mapping,
) -> Result<Vec<CoreImages>, MeshError> {
    check_mesh_config(hw)?;
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
        for (what, field, need, capacity) in [
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
        ] {
            if need > capacity {
                misfits.push(CoreMisfit {
                    core: Some(c),
                    what,
                    field,
                    need,
                    capacity,
                });
            }
        }
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
    if e.syn.rule.iter().any(|&r| r != 0) && !hw.stdp {
        return Err(MeshError::Plastic {
            network: m.name.clone(),
            config: hw.name.clone(),
            projections: m
                .stdp
                .iter()
                .enumerate()
                .filter(|(_, r)| r.is_some())
                .map(|(i, _)| format!("projection {i}"))
                .collect(),
        });
    }
    // The images every core shares (param, cdf) and slices (state, pop),
    // from the single-core writer on a shape that holds the whole network.
    let shared = images::core_images_for(
        e,
        &CoreShape {
            neurons: (n as u64).max(hw.neurons_per_core),
            pops: hw.max_pops,
            syn_depth: e.syn.len().max(1),
            plastic: !e.syn.rule.is_empty(),
            rules: (m.stdp.len() as u64).max(1),
            inc_depth: (e.syn.incoming.syn.len() as u64).max(1),
        },
    )?;
    let shared_image = |name: &str| {
        shared
            .image(name)
            .expect("the single-core writer forms state, pop, param and cdf")
    };
    let lines = |name: &str| shared_image(name).text.lines().collect::<Vec<_>>();
    let (state_lines, pop_lines) = (lines("state"), lines("pop"));

    let npc = hw.neurons_per_core;
    let (tw, dw, ww) = syn_word_bits(hw);
    let mut l_syn = Layout::default();
    l_syn
        .push("target", tw, false)
        .push("delay", dw, false)
        .push("weight", ww, true);
    let ptr_w = clog2(hw.syn_depth + 1);
    let mut l_row = Layout::default();
    l_row.push("start", ptr_w, false).push("end", ptr_w, false);
    let mut l_route = Layout::default();
    for r in 0..mesh.rows() {
        l_route.push(format!("mesh_row{r}"), mesh.cols(), false);
    }

    let mut core_of = vec![0u16; n];
    for (c, cm) in mapping.cores.iter().enumerate() {
        core_of[cm.lo as usize..cm.hi as usize].fill(c as u16);
    }
    let mut syn_text = vec![String::new(); k];
    let mut row_text = vec![String::new(); k];
    let mut ptr = vec![0u64; k];
    let mut masks: Vec<CoreSet> = vec![[0; MAX_CORES / 64]; n];
    let lo_of: Vec<u32> = mapping.cores.iter().map(|c| c.lo).collect();
    let mut start = vec![0u64; k];
    for (j, mask) in masks.iter_mut().enumerate() {
        start.copy_from_slice(&ptr);
        for s in e.syn.row(j as u32) {
            let key = e.syn.key[s];
            let t = key_target(key);
            let c = core_of[t as usize] as usize;
            mask[c / 64] |= 1 << (c % 64);
            let word = l_syn
                .word(
                    "syn",
                    ptr[c],
                    &[
                        i64::from(t - lo_of[c]),
                        i64::from(key_delay(key)),
                        i64::from(e.syn.weight[s]),
                    ],
                )
                .map_err(|source| MeshError::Image { core: c, source })?;
            syn_text[c].push_str(&word);
            ptr[c] += 1;
        }
        for c in 0..k {
            let word = l_row
                .word("row", j as u64, &[start[c] as i64, ptr[c] as i64])
                .map_err(|source| MeshError::Image { core: c, source })?;
            row_text[c].push_str(&word);
        }
    }
    let mut out = Vec::with_capacity(k);
    for (c, cm) in mapping.cores.iter().enumerate() {
        let (lo, hi) = (cm.lo as usize, cm.hi as usize);
        let local = (hi - lo) as u64;
        let slice = |v: &[&str]| {
            let mut s = String::new();
            for l in &v[lo..hi] {
                s.push_str(l);
                s.push('\n');
            }
            s
        };
        let mut route = String::new();
        for (i, mask) in masks[lo..hi].iter().enumerate() {
            let values: Vec<i64> = (0..mesh.rows())
                .map(|r| {
                    (0..mesh.cols()).fold(0i64, |acc, col| {
                        let b = (r * mesh.cols() + col) as usize;
                        acc | (i64::from(set_has(mask, b)) << col)
                    })
                })
                .collect();
            route.push_str(
                &l_route
                    .word("route", i as u64, &values)
                    .map_err(|source| MeshError::Image { core: c, source })?,
            );
        }
        let mut syn = std::mem::take(&mut syn_text[c]);
        let syn_words = if ptr[c] == 0 {
            syn.push_str("0\n");
            1
        } else {
            ptr[c]
        };
        let img = |name, param, depth, words, layout, text| Image {
            name,
            param,
            depth,
            words,
            layout,
            text,
        };
        let si = shared_image("state");
        let pi = shared_image("pop");
        let param = shared_image("param");
        let cdf = shared_image("cdf");
        let images = vec![
            img(
                "state",
                si.param,
                npc,
                local,
                si.layout.clone(),
                slice(&state_lines),
            ),
            img(
                "pop",
                pi.param,
                npc,
                local,
                pi.layout.clone(),
                slice(&pop_lines),
            ),
            Image {
                depth: hw.max_pops,
                ..param.clone()
            },
            Image {
                depth: hw.max_pops,
                ..cdf.clone()
            },
            img(
                "syn",
                "SYN_MEM_FILE",
                hw.syn_depth,
                syn_words,
                l_syn.clone(),
                syn,
            ),
            img(
                "row",
                "ROW_MEM_FILE",
                hw.max_rows,
                n as u64,
                l_row.clone(),
                std::mem::take(&mut row_text[c]),
            ),
            img(
                "route",
                "ROUTE_MEM_FILE",
                npc,
                local,
                l_route.clone(),
                route,
            ),
        ];
        let mut params: Vec<(&'static str, i64)> = shared
            .params
            .iter()
            .map(|&(name, v)| {
                let v = match name {
                    "N_NEURONS" => npc as i64,
                    "N_POPS" => hw.max_pops as i64,
                    "SYN_DEPTH" => hw.syn_depth as i64,
                    "PLASTIC" => hw.stdp as i64,
                    "N_RULES" => hw.n_rules as i64,
                    "INC_DEPTH" => hw.inc_depth as i64,
                    "N_ACTIVE" => local as i64,
                    "P_PLUS" | "P_MINUS" => 0,
                    _ => v,
                };
                (name, v)
            })
            .collect();
        params.push(("ROWS", hw.max_rows as i64));
        params.push(("BASE", i64::from(cm.lo)));
        out.push(CoreImages {
            params,
            bg_key: shared.bg_key,
            images,
            synapses: ptr[c],
            plastic_synapses: 0,
        });
    }
    if hw.stdp {
        let ranges: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
        for (c, need) in crate::mesh_stdp::plastic_per_core(e, &ranges)
            .into_iter()
            .enumerate()
        {
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
        crate::mesh_stdp::add_plastic_images(e, hw, &ranges, &mut out)
            .map_err(|(core, source)| MeshError::Image { core, source })?;
    }
    Ok(out)
}

/// The load-port beats that configure mesh core `img` (from
/// [`mesh_images`]): those of [`load_beats`] for its single-core images,
/// then the route image (memory [`LOAD_ROUTE`], words wider than 32 bits
/// most significant chunk first), then the configuration registers of
/// [`load_beats`] and register [`CFG_BASE`] = `BASE`.
pub fn mesh_load_beats(img: &CoreImages) -> Vec<Beat> {
    let (route, rest): (Vec<&Image>, Vec<&Image>) =
        img.images.iter().partition(|im| im.name == "route");
    let single = CoreImages {
        params: img.params.clone(),
        bg_key: img.bg_key,
        images: rest.into_iter().cloned().collect(),
        synapses: img.synapses,
        plastic_synapses: img.plastic_synapses,
    };
    let (cfg, mut beats): (Vec<Beat>, Vec<Beat>) = load_beats(&single)
        .into_iter()
        .partition(|b| b.mem == LOAD_CFG);
    for im in route {
        let w = im.width() as usize;
        for (a, line) in im.text.lines().enumerate() {
            let digits: Vec<u32> = line
                .trim()
                .chars()
                .rev()
                .map(|c| c.to_digit(16).unwrap_or(0))
                .collect();
            let bit = |b: usize| digits.get(b / 4).is_some_and(|d| (d >> (b % 4)) & 1 == 1);
            let chunks = w.div_ceil(32).max(1);
            for ch in (0..chunks).rev() {
                beats.push(Beat {
                    mem: LOAD_ROUTE,
                    addr: a as u32,
                    last: ch == 0,
                    data: (0..32).fold(0u32, |acc, b| acc | (u32::from(bit(32 * ch + b)) << b)),
                });
            }
        }
    }
    beats.extend(cfg);
    beats.push(Beat {
        mem: LOAD_CFG,
        addr: CFG_BASE,
        last: true,
        data: img.param("BASE").unwrap_or(0) as u32,
    });
    beats
}

// ------------------------------------------------------------------ generation

/// The generated mesh top module (and its file stem).
pub const MESH_TOP: &str = "spikefab_mesh_top";
/// The hand-written mesh module the generated top instantiates
/// (`hdl/snn_mesh_top.v`).
pub const MESH_MODULE: &str = "snn_mesh_top";
/// The load-port beats of every core ([`load_text`]).
pub const LOAD_FILE: &str = "load.txt";
/// The mapping report ([`Mapping::report`]).
pub const MAPPING_FILE: &str = "mapping.txt";
/// Router input FIFO depth (packets) without `--fifo-depth`.
pub const DEFAULT_FIFO_DEPTH: u32 = 4;
/// Smallest router input FIFO depth (`snn_noc_router`: >= 2).
pub const MIN_FIFO_DEPTH: u32 = 2;
/// Largest router input FIFO depth the generator accepts.
pub const MAX_FIFO_DEPTH: u32 = 64;
/// Steps of the reference engine whose firing rates feed the traffic
/// estimates of a generated mesh's mapping report.
pub const DEFAULT_RATE_STEPS: u64 = 200;
/// The parameters of `snn_mesh_top` that the config's core parameters set
/// ([`core_parameters`]), in its declaration order, besides `MROWS`,
/// `MCOLS`, `FIFO_DEPTH` and `ROWS` (after `N_NEURONS`). The STDP ones are
/// those of a static core (`PLASTIC = 0`, `N_RULES = INC_DEPTH = 1`): the
/// mesh mapping is static.
const MESH_CORE_PARAMS: [&str; 18] = [
    "N_NEURONS",
    "N_POPS",
    "SLOTS",
    "V_BITS",
    "I_BITS",
    "COEF_BITS",
    "COEF_FRAC",
    "REF_BITS",
    "ACC_BITS",
    "W_BITS",
    "W_SHIFT",
    "TABLE_LEN",
    "SYN_DEPTH",
    "PLASTIC",
    "TRACE_BITS",
    "TRACE_FRAC",
    "N_RULES",
    "INC_DEPTH",
];

/// Options of [`generate_mesh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeshGenOptions {
    /// Threads for building the network (0: one per core); the output
    /// never depends on it.
    pub threads: usize,
    /// Depth of every router input FIFO (`FIFO_DEPTH`, packets); part of
    /// the config hash.
    pub fifo_depth: u32,
    /// Steps of the reference engine whose rates feed the traffic
    /// estimates (0: [`DEFAULT_RATE_HZ`] for every neuron).
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

/// The hash of everything that determines `spikefab_mesh_top.v` (and the
/// copies of `hdl/`): the generator version, the hw config, the mesh size
/// and the router FIFO depth. Never the network; never equal to a single
/// core's [`generate::config_hash`].
pub fn mesh_config_hash(hw: &HwConfig, mesh: &Mesh, fifo_depth: u32) -> String {
    #[derive(Serialize)]
    struct Key<'a> {
        generator: &'static str,
        version: &'static str,
        top: &'static str,
        hw: &'a HwConfig,
        mesh: &'a Mesh,
        fifo_depth: u32,
    }
    hash_json(&Key {
        generator: "spikefab-gen",
        version: VERSION,
        top: MESH_TOP,
        hw,
        mesh,
        fifo_depth,
    })
}

fn check_fifo_depth(depth: u32) -> Result<(), MeshError> {
    if (MIN_FIFO_DEPTH..=MAX_FIFO_DEPTH).contains(&depth) {
        Ok(())
    } else {
        Err(MeshError::FifoDepth { depth })
    }
}

/// The parameters of the `snn_mesh_top` instance in `spikefab_mesh_top`, in
/// the module's declaration order: `MROWS`, `MCOLS`, `FIFO_DEPTH`, then the
/// config's `N_NEURONS`, `ROWS = max_rows`, `N_POPS`, `SLOTS`, the numerics
/// widths, `TABLE_LEN`, `SYN_DEPTH` and the (static) STDP parameters
/// `PLASTIC`, `TRACE_BITS`, `TRACE_FRAC`, `N_RULES`, `INC_DEPTH`.
pub fn mesh_parameters(hw: &HwConfig, mesh: &Mesh, fifo_depth: u32) -> Vec<Param> {
    let p = |name: &str, value: u64| Param {
        name: name.to_string(),
        value,
    };
    let core = core_parameters(hw, None);
    let mut v = vec![
        p("MROWS", mesh.rows().into()),
        p("MCOLS", mesh.cols().into()),
        p("FIFO_DEPTH", fifo_depth.into()),
    ];
    for name in MESH_CORE_PARAMS {
        if let Some(c) = core.iter().find(|c| c.name == name) {
            v.push(c.clone());
        }
        if name == "N_NEURONS" {
            v.push(p("ROWS", hw.max_rows));
        }
    }
    v
}

/// The ports of `spikefab_mesh_top` (those of `snn_mesh_top`, widths
/// resolved), in its declaration order.
fn mesh_ports(hw: &HwConfig, mesh: &Mesh) -> Vec<Port> {
    let nc = &hw.numerics;
    let n = mesh.cores() as u32;
    let core_w = if n > 1 { clog2(n.into()) } else { 1 };
    let nrn = nrn_w(hw.neurons_per_core);
    let row_w = nrn_w(hw.max_rows);
    let syn_aw = nrn_w(hw.syn_depth);
    let decl = |dir: &str, bits: u32| {
        if bits == 1 {
            format!("{dir} wire")
        } else {
            format!("{dir} wire [{}:0]", bits - 1)
        }
    };
    let i = |bits: u32| decl("input ", bits);
    let o = |bits: u32| decl("output", bits);
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
        p(i(1), "ld_valid_i"),
        p(o(1), "ld_ready_o"),
        p(i(1), "ld_last_i"),
        p(i(core_w), "ld_core_i"),
        p(i(4), "ld_mem_i"),
        p(i(32), "ld_addr_i"),
        p(i(32), "ld_data_i"),
        q(o(n), "obs_valid_o"),
        q(o(32 * n), "obs_step_o"),
        q(o(nrn * n), "obs_neuron_o"),
        q(o(nc.v_bits * n), "obs_v_o"),
        q(o(nc.i_bits * n), "obs_i_ex_o"),
        q(o(nc.i_bits * n), "obs_i_in_o"),
        q(o(nc.ref_bits * n), "obs_refr_o"),
        q(o(n), "obs_spike_o"),
        q(o(n), "wobs_valid_o"),
        q(o(syn_aw * n), "wobs_syn_o"),
        q(o(nc.w_bits * n), "wobs_old_o"),
        q(o(nc.w_bits * n), "wobs_new_o"),
        p(o(n), "spk_valid_o"),
        p(o(row_w * n), "spk_gid_o"),
        p(o(3), "phase_o"),
    ]
}

/// The text of `spikefab_mesh_top.v` (header included): a function of the
/// config, the mesh size and the FIFO depth only.
pub fn mesh_top_verilog(hw: &HwConfig, mesh: &Mesh, fifo_depth: u32) -> String {
    let head = header(&mesh_config_hash(hw, mesh, fifo_depth));
    let all = mesh_ports(hw, mesh);
    let params = mesh_parameters(hw, mesh, fifo_depth);
    let k = mesh.cores();
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "// {MESH_TOP}: a {mesh} mesh ({k} cores) of {CORE} on hw config '{}' ({MESH_MODULE}):",
        hw.name
    );
    let _ = writeln!(w, "//   per core {}.", hw_summary(hw));
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
        "// (ld_core_i selects the core; memory 11 is its route memory, 15 its configuration"
    );
    let _ = writeln!(
        w,
        "// registers, register 5 its base). {LOAD_FILE} of a generated directory holds the beats;"
    );
    let _ = writeln!(
        w,
        "// layouts and the mapping are in {MANIFEST}. Flattened per-core ports: core k in slice k.",
        MANIFEST = generate::MANIFEST
    );
    let _ = writeln!(w, "`default_nettype none");
    let ports: Vec<&Port> = all.iter().filter(|p| hw.observe || !p.obs).collect();
    let _ = writeln!(w, "module {MESH_TOP} (");
    port_list(w, &ports);
    let _ = writeln!(w, ");");
    if !hw.observe {
        let _ = writeln!(
            w,
            "  // Observation outputs of the cores, unused (observe = false): synthesis removes them."
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
    let _ = writeln!(w, "  {MESH_MODULE} #(");
    let args: Vec<String> = params
        .iter()
        .map(|p| format!("    .{}({})", p.name, p.value))
        .collect();
    let _ = writeln!(w, "{}", args.join(",\n"));
    let _ = writeln!(w, "  ) u_mesh (");
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

/// The text of `load.txt` after `head`: the format line, then one line per
/// load-port beat, `core mem addr last data` (core, mem and addr decimal,
/// last 0 or 1, data 8 hex digits), core 0's beats first
/// ([`mesh_load_beats`] of each core: images, route memory, configuration
/// registers).
pub fn load_text(head: &str, cores: &[CoreImages]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{head}");
    let _ = writeln!(
        s,
        "// load-port beats of {MESH_TOP}, one per line: core mem addr last data (ld_core_i, ld_mem_i, ld_addr_i decimal; ld_last_i 0/1; ld_data_i 8 hex digits)"
    );
    for (k, img) in cores.iter().enumerate() {
        for b in mesh_load_beats(img) {
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

/// One memory image of one core in the mesh manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MeshMemoryEntry {
    pub name: &'static str,
    pub file: String,
    /// Load-port memory id (`ld_mem_i`).
    pub load_id: u8,
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

/// One core in the mesh manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MeshCoreEntry {
    /// Core index `row * cols + col` (`ld_core_i`, the slice of the
    /// flattened ports).
    pub index: usize,
    pub row: u32,
    pub col: u32,
    /// Global id of local neuron 0 (configuration register 5).
    pub base: u32,
    /// Neurons in use (configuration register 0).
    pub n_active: u64,
    /// Synapse memory words in use.
    pub synapses: u64,
    /// Its beats in `load.txt`.
    pub load_beats: u64,
    pub memories: Vec<MeshMemoryEntry>,
}

/// The load-port file in the mesh manifest.
#[derive(Debug, Clone, Serialize)]
pub struct LoadInfo {
    pub file: String,
    /// The line format.
    pub format: String,
    /// Beats of all cores.
    pub beats: u64,
}

/// `manifest.json` of a mesh directory, also returned by [`generate_mesh`].
#[derive(Debug, Clone, Serialize)]
pub struct MeshManifest {
    /// The network header text (without `// `).
    pub generated: String,
    pub generator: String,
    pub version: String,
    pub scope: String,
    /// The generated, network-independent top (`spikefab_mesh_top`).
    pub top: String,
    /// The mesh module it instantiates (`snn_mesh_top`).
    pub mesh_module: String,
    pub core: String,
    pub mesh: Mesh,
    pub cores: usize,
    /// Router input FIFO depth (packets).
    pub fifo_depth: u32,
    /// `config`: [`mesh_config_hash`]; `network`: the network with the
    /// config's numerics; `images`: every core's images and values.
    pub hashes: Hashes,
    pub hw: HwConfig,
    /// Where the numerics come from (one line).
    pub numerics_source: String,
    pub network: NetworkInfo,
    /// Parameters of the `snn_mesh_top` instance, in declaration order.
    pub parameters: Vec<Param>,
    /// The placement: per core its range, synapses, rows used, memories and
    /// traffic estimates.
    pub mapping: Mapping,
    /// Per core: its configuration values and image files.
    pub core_images: Vec<MeshCoreEntry>,
    pub load: LoadInfo,
    /// Every file written, in the order written (the manifest last).
    pub files: Vec<String>,
    /// Files determined by the config hash alone.
    pub config_files: Vec<String>,
    /// Files that depend on the network.
    pub network_files: Vec<String>,
}

fn write_file(
    out: &Path,
    name: &str,
    text: &str,
    files: &mut Vec<String>,
) -> Result<(), MeshError> {
    let p = out.join(name);
    fs::write(&p, text).map_err(|source| MeshError::Io {
        what: "cannot write",
        path: p,
        source,
    })?;
    files.push(name.to_string());
    Ok(())
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
    let e = build_mesh_engine(net, hw, mesh, opts.threads)?;
    let rates = if opts.rate_steps > 0 {
        Rates::measure(&e, opts.rate_steps)
    } else {
        Rates::default()
    };
    let mapping = partition_with(&e, hw, mesh, &rates)?;
    let cores = mesh_images(&e, hw, &mapping)?;

    let requant = apply_numerics(net, hw);
    let cfg_hash = mesh_config_hash(hw, mesh, opts.fifo_depth);
    let net_hash = network_hash(&requant);
    let images_hash = {
        let mut b = Vec::new();
        for (k, c) in cores.iter().enumerate() {
            b.extend_from_slice(format!("core {k};").as_bytes());
            for im in &c.images {
                b.extend_from_slice(im.name.as_bytes());
                b.push(0);
                b.extend_from_slice(im.text.as_bytes());
                b.push(0);
            }
            for (name, v) in &c.params {
                b.extend_from_slice(format!("{name}={v};").as_bytes());
            }
            b.extend_from_slice(format!("BG_KEY={};", c.bg_key).as_bytes());
        }
        hex64(fnv1a64(&b))
    };
    let chead = header(&cfg_hash);
    let nhead = network_header(&cfg_hash, &net_hash);

    fs::create_dir_all(out).map_err(|source| MeshError::Io {
        what: "cannot create",
        path: out.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut config_files = Vec::new();
    let mut network_files = Vec::new();

    let f = format!("{MESH_TOP}.v");
    write_file(
        out,
        &f,
        &mesh_top_verilog(hw, mesh, opts.fifo_depth),
        &mut files,
    )?;
    config_files.push(f);
    for (file, src) in CORE_SOURCES.iter().chain(&NOC_SOURCES) {
        let text = format!(
            "{chead}\n// Copy of hdl/{file} (spikefab-gen {VERSION}); edit hdl/{file} instead.\n{src}"
        );
        write_file(out, file, &text, &mut files)?;
        config_files.push(file.to_string());
    }

    let mut core_images = Vec::with_capacity(cores.len());
    for (k, (img, cm)) in cores.iter().zip(&mapping.cores).enumerate() {
        let mut memories = Vec::with_capacity(img.images.len());
        for im in &img.images {
            let file = format!("core{k}_{}.hex", im.name);
            let text = format!("{nhead}\n{}", im.text);
            write_file(out, &file, &text, &mut files)?;
            network_files.push(file.clone());
            memories.push(MeshMemoryEntry {
                name: im.name,
                file,
                load_id: if im.name == "route" {
                    LOAD_ROUTE
                } else {
                    images::load_mem_id(im.name).unwrap_or(LOAD_CFG)
                },
                depth: im.depth,
                words: im.words,
                width: im.width(),
                bits: im.depth * u64::from(im.width()),
                layout: im.layout.clone(),
                hash: hex64(fnv1a64(text.as_bytes())),
            });
        }
        core_images.push(MeshCoreEntry {
            index: k,
            row: cm.row,
            col: cm.col,
            base: cm.lo,
            n_active: cm.neurons(),
            synapses: img.synapses,
            load_beats: mesh_load_beats(img).len() as u64,
            memories,
        });
    }
    let load = load_text(&nhead, &cores);
    write_file(out, LOAD_FILE, &load, &mut files)?;
    network_files.push(LOAD_FILE.to_string());
    let report = format!("{nhead}\n{}", mapping.report());
    write_file(out, MAPPING_FILE, &report, &mut files)?;
    network_files.push(MAPPING_FILE.to_string());
    files.push(generate::MANIFEST.to_string());
    network_files.push(generate::MANIFEST.to_string());

    let manifest = MeshManifest {
        generated: nhead.trim_start_matches("// ").to_string(),
        generator: "spikefab-gen".into(),
        version: VERSION.into(),
        scope: format!(
            "a {mesh} mesh of {} static {CORE} cores on the network-on-chip ({MESH_MODULE}), static network",
            mesh.cores()
        ),
        top: MESH_TOP.into(),
        mesh_module: MESH_MODULE.into(),
        core: CORE.into(),
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
        network: network_info(net, &e),
        parameters: mesh_parameters(hw, mesh, opts.fifo_depth),
        core_images,
        load: LoadInfo {
            file: LOAD_FILE.into(),
            format: "core mem addr last data: ld_core_i, ld_mem_i, ld_addr_i decimal; ld_last_i 0/1; ld_data_i 8 hex digits; lines starting with // are comments".into(),
            beats: load.lines().filter(|l| !l.starts_with("//")).count() as u64,
        },
        mapping,
        files,
        config_files,
        network_files,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("serializable");
    json.push('\n');
    let p = out.join(generate::MANIFEST);
    fs::write(&p, json).map_err(|source| MeshError::Io {
        what: "cannot write",
        path: p,
        source,
    })?;
    Ok(manifest)
}
