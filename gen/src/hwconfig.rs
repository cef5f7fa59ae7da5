//! Hardware configurations of the generator: everything that determines the
//! generated RTL of the one neuron core (`hdl/snn_lif_core.v`), and nothing
//! that depends on a network.
//!
//! A config holds the core's capacities (neurons, synapse memory, rows,
//! populations, and with `stdp` the rule table and the incoming list), its
//! generator options (`stdp`, `observe`) and its fixed-point formats, a full
//! [`NumericsConfig`] (the one Rust source of widths; the delay ring has
//! `numerics.max_delay_steps + 1` slots). The network is re-quantized with
//! the config's numerics ([`crate::model::apply_numerics`]), so one
//! verilated model per config runs any network that fits.
//!
//! TOML form (every field but the capacities is optional):
//!
//! ```toml
//! name = "w7"
//! description = "..."
//! neurons_per_core = 1000
//! syn_depth = 100000
//! max_pops = 4
//! max_rows = 1000          # default: neurons_per_core (at least that; a mesh core's ROWS)
//! mesh = "2x2"             # optional: the default mesh of such cores (else one core)
//! stdp = false             # default false: PLASTIC=1 core when true
//! observe = true           # default true: obs_* / wobs_* ports on the top
//! n_rules = 4              # stdp only (default 8): STDP rule table entries
//! inc_depth = 5000         # stdp only (default syn_depth): incoming-list words
//! max_slots = 13           # optional; default numerics.max_delay_steps + 1 (see delay groups)
//! [numerics]               # NumericsConfig; missing fields take its defaults
//! w_bits = 7
//! max_delay_steps = 12
//! [synapse_store]          # optional; absent: the synapses are on chip
//! kind = "external"        # "on-chip" | "external"
//! data_bits = 256          # AXI_DATA_W (default 256)
//! addr_bits = 34           # AXI_ADDR_W (default 34)
//! id_bits = 4              # AXI_ID_W (default 4)
//! burst_beats = 16         # AXI_BURST (default 16)
//! outstanding = 16         # AXI_OUTSTANDING (default 16)
//! row_index = "on-chip"    # "on-chip" (default) | "external": the row index in the region too
//! channels = 1             # memory channels (default 1)
//! channel_bytes = 536870912  # bytes per channel (default 512 MiB)
//! ```
//!
//! With `kind = "external"` the cores read their synapse rows from external
//! memory through an AXI4 read master ([`ExtStore`]; docs/hardware.md,
//! "External synapse memory"); `syn_depth` then counts the lanes of the
//! external region (each row padded to whole beats). With `row_index =
//! "external"` the row words (one per source row: `max_rows` on a mesh
//! core) are read from the front of the region too (`SYN_EXT = 2`), for
//! cores whose sources outnumber what their row memory could hold; the index
//! reads take ID `outstanding`, so `outstanding < 2^id_bits`.
//!
//! Delay groups: `max_slots` below `numerics.max_delay_steps + 1` gives the
//! cores a delay ring of `max_slots` slots covering delays `1 ..= S` (`S =
//! max_slots - 1`) and `G = ceil(max_delay_steps / S)` delay groups
//! ([`HwConfig::delay_groups`]): a synapse of delay `d` lies in group
//! `(d - 1) / S`, in row `g * max_rows + source` with delay `d - g * S`, and the
//! mesh's network interfaces replay each spike to group `g`'s rows `g * S`
//! steps later (`hdl/snn_noc_ni.v`). The ring's memory shrinks by
//! `max_slots / (max_delay_steps + 1)`; the rows grow `G` times. Static mesh
//! cores only (a single core has no network interface).
//!
//! Named configs live in `gen/configs/<name>.toml` (compiled in); any other
//! TOML file of the same form is loaded by path ([`HwConfig::resolve`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use spikefab_hdl::core::{AxiParams, CoreParams};
use spikefab_sim::NumericsConfig;

use crate::fault::Fault;
use crate::topology::Mesh;

/// `snn_lif_core`'s limit on `N_NEURONS`.
pub const CORE_MAX_NEURONS: u64 = 1 << 24;
/// `snn_lif_core`'s limit on `SLOTS` (`max_delay_steps + 1`).
pub const CORE_MAX_SLOTS: u64 = 256;
/// `snn_lif_core`'s limit on `TABLE_LEN` (`poisson_table_len`).
pub const CORE_MAX_TABLE_LEN: u64 = 256;
/// `snn_noc_ni`'s limit on `DELAY_GROUPS`.
pub const MAX_DELAY_GROUPS: u64 = 64;
/// `snn_syn_event`'s limit on `W_SHIFT`.
pub const CORE_MAX_W_SHIFT: u32 = 16;
/// Largest synapse memory a config may describe (32-bit addresses).
pub const CORE_MAX_SYN_DEPTH: u64 = 1 << 32;
/// Largest STDP rule table (the engine numbers rules with 8 bits).
pub const CORE_MAX_RULES: u64 = 255;
/// `n_rules` of an stdp config that does not set it.
pub const DEFAULT_N_RULES: u64 = 8;
/// The AXI burst boundary and the alignment of every external region.
pub const EXT_ALIGN: u64 = 4096;

/// The core parameters that numerics decide (every width, `SLOTS =
/// max_delay_steps + 1`, `TABLE_LEN`), for a single static core of one
/// neuron, one population, one synapse word and no fault: callers set the
/// capacities with struct update syntax.
pub fn numerics_core(nc: &NumericsConfig) -> CoreParams {
    CoreParams {
        n_neurons: 1,
        n_pops: 1,
        slots: u64::from(nc.max_delay_steps) + 1,
        v_bits: nc.v_bits,
        i_bits: nc.i_bits,
        coef_bits: nc.coef_bits,
        coef_frac: nc.coef_frac,
        ref_bits: nc.ref_bits,
        acc_bits: nc.acc_bits,
        w_bits: nc.w_bits,
        w_shift: nc.w_shift,
        table_len: nc.poisson_table_len,
        syn_depth: 1,
        plastic: false,
        trace_bits: nc.trace_bits,
        trace_frac: nc.trace_frac,
        mesh: false,
        rows: 1,
        n_rules: 1,
        inc_depth: 1,
        ext: None,
        fault: 0,
        fault_step: 0,
    }
}

/// A hardware config: the single neuron core's capacities, options and
/// numerics (resolved: defaults filled in, checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HwConfigToml")]
pub struct HwConfig {
    /// Config name (reports, manifest, the top's comment).
    pub name: String,
    /// One line for reports.
    pub description: String,
    /// Neurons one core holds (`N_NEURONS`); 1..2^24.
    pub neurons_per_core: u64,
    /// Synapse memory words (`SYN_DEPTH`), one synapse each; >= 1.
    pub syn_depth: u64,
    /// Source rows of a mesh core (`ROWS`: one per neuron of the whole
    /// network on a mesh); at least `neurons_per_core` (a single core uses
    /// one per neuron).
    pub max_rows: u64,
    /// Populations (`N_POPS`: parameter and Poisson-table entries);
    /// 1..=neurons_per_core.
    pub max_pops: u64,
    /// Build the core with its STDP machinery (`PLASTIC=1`).
    pub stdp: bool,
    /// STDP rule table entries (`N_RULES`); 1 when `stdp` is false.
    pub n_rules: u64,
    /// Incoming-list words for plastic synapses (`INC_DEPTH`); 1 when
    /// `stdp` is false.
    pub inc_depth: u64,
    /// The observation ports (`obs_*`, `wobs_*`) exist on the generated top.
    pub observe: bool,
    /// Fixed-point formats (all widths, `SLOTS = max_delay_steps + 1`).
    pub numerics: NumericsConfig,
    /// The mesh of such cores `spikefab gen`/`cosim` build when no `--mesh`
    /// is given (`mesh = "2x2"` in TOML); none: a single core. Serialized
    /// as its TOML text.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "mesh_text")]
    pub mesh: Option<Mesh>,
    /// Delay-ring slots when fewer than `numerics.max_delay_steps + 1`
    /// (delay groups, [`HwConfig::delay_groups`]); `None`: the full ring.
    /// Not serialized when `None`, so the config hash of every config
    /// without delay groups is what it was before the option existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_slots: Option<u64>,
    /// Where the synapse rows live: `None` on chip (the `syn` memory),
    /// `Some` in external memory read over AXI4 (`[synapse_store]` with
    /// `kind = "external"`). Not serialized when on chip, so that the
    /// config hash of every on-chip config is what it was before the option
    /// existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synapse_store: Option<ExtStore>,
}

/// An external synapse store (`[synapse_store]`, `kind = "external"`): the
/// AXI4 read master of every core and the memory channels the cores'
/// regions are placed in (a mesh's core `k` on channel `k % channels`).
/// Serialized with `kind = "external"` (the TOML form reads it back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename = "external")]
pub struct ExtStore {
    /// `AXI_DATA_W`: a power of two in 32..=1024, at least the synapse word.
    pub data_bits: u32,
    /// `AXI_ADDR_W`: 12..=64, holding `channels * channel_bytes`.
    pub addr_bits: u32,
    /// `AXI_ID_W`: 1..=8.
    pub id_bits: u32,
    /// `AXI_BURST`: most beats per burst, 1..=256.
    pub burst_beats: u32,
    /// `AXI_OUTSTANDING`: bursts in flight, 1..=min(64, 2^id_bits)
    /// (below 2^id_bits with an external row index).
    pub outstanding: u32,
    /// Where the row index lives (`SYN_EXT` 1 or 2); left out of the
    /// serialized form when on chip, so configs without it hash as before.
    #[serde(skip_serializing_if = "RowIndex::on_chip")]
    pub row_index: RowIndex,
    /// Memory channels (>= 1); channel `c` starts at byte `c * channel_bytes`.
    pub channels: u32,
    /// Bytes per channel: a power of two, at least 4096.
    pub channel_bytes: u64,
}

impl ExtStore {
    /// The defaults of a `[synapse_store]` table with `kind = "external"`
    /// (the RTL's AXI defaults; one channel of 512 MiB, an HBM2
    /// pseudo-channel of an Alveo U55C).
    pub const DEFAULT: ExtStore = ExtStore {
        data_bits: AxiParams::DEFAULT.data_w,
        addr_bits: AxiParams::DEFAULT.addr_w,
        id_bits: AxiParams::DEFAULT.id_w,
        burst_beats: AxiParams::DEFAULT.burst,
        outstanding: AxiParams::DEFAULT.outstanding,
        row_index: RowIndex::OnChip,
        channels: 1,
        channel_bytes: 1 << 29,
    };

    /// The core's AXI parameters.
    pub fn axi(&self) -> AxiParams {
        AxiParams {
            data_w: self.data_bits,
            addr_w: self.addr_bits,
            id_w: self.id_bits,
            burst: self.burst_beats,
            outstanding: self.outstanding,
            row_ext: self.row_index == RowIndex::External,
        }
    }

    /// Bytes per beat (`data_bits / 8`).
    pub fn beat_bytes(&self) -> u64 {
        u64::from(self.data_bits / 8)
    }

    /// Bytes of all channels together.
    pub fn total_bytes(&self) -> u128 {
        u128::from(self.channels) * u128::from(self.channel_bytes)
    }
}

/// Where the synapses of a config's cores live (`[synapse_store] kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// The `syn` memory of each core (the default).
    OnChip,
    /// External memory through an AXI4 read master ([`ExtStore`]).
    External,
}

/// Where an external store's row index lives (`[synapse_store] row_index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowIndex {
    /// The row memory of each core (`SYN_EXT = 1`; the default).
    OnChip,
    /// In front of the synapse beats of each core's region (`SYN_EXT = 2`).
    External,
}

impl RowIndex {
    /// Whether it is [`RowIndex::OnChip`].
    pub fn on_chip(&self) -> bool {
        *self == RowIndex::OnChip
    }
}

/// The TOML form of `[synapse_store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynapseStoreToml {
    pub kind: StoreKind,
    #[serde(default)]
    pub data_bits: Option<u32>,
    #[serde(default)]
    pub addr_bits: Option<u32>,
    #[serde(default)]
    pub id_bits: Option<u32>,
    #[serde(default)]
    pub burst_beats: Option<u32>,
    #[serde(default)]
    pub outstanding: Option<u32>,
    #[serde(default)]
    pub row_index: Option<RowIndex>,
    #[serde(default)]
    pub channels: Option<u32>,
    #[serde(default)]
    pub channel_bytes: Option<u64>,
}

impl SynapseStoreToml {
    /// The fields set besides `kind`.
    fn set_fields(&self) -> Vec<&'static str> {
        [
            ("data_bits", self.data_bits.is_some()),
            ("addr_bits", self.addr_bits.is_some()),
            ("id_bits", self.id_bits.is_some()),
            ("burst_beats", self.burst_beats.is_some()),
            ("outstanding", self.outstanding.is_some()),
            ("row_index", self.row_index.is_some()),
            ("channels", self.channels.is_some()),
            ("channel_bytes", self.channel_bytes.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(f, _)| f)
        .collect()
    }

    /// The external store with defaults filled in (`None` on chip).
    fn resolve(&self) -> Option<ExtStore> {
        let d = ExtStore::DEFAULT;
        (self.kind == StoreKind::External).then(|| ExtStore {
            data_bits: self.data_bits.unwrap_or(d.data_bits),
            addr_bits: self.addr_bits.unwrap_or(d.addr_bits),
            id_bits: self.id_bits.unwrap_or(d.id_bits),
            burst_beats: self.burst_beats.unwrap_or(d.burst_beats),
            outstanding: self.outstanding.unwrap_or(d.outstanding),
            row_index: self.row_index.unwrap_or(d.row_index),
            channels: self.channels.unwrap_or(d.channels),
            channel_bytes: self.channel_bytes.unwrap_or(d.channel_bytes),
        })
    }
}

/// The TOML form of a config (before defaults and checks).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HwConfigToml {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub neurons_per_core: u64,
    pub syn_depth: u64,
    #[serde(default)]
    pub max_rows: Option<u64>,
    pub max_pops: u64,
    /// Delay-ring slots; default `numerics.max_delay_steps + 1`, fewer
    /// for delay groups.
    #[serde(default)]
    pub max_slots: Option<u64>,
    #[serde(default)]
    pub stdp: bool,
    #[serde(default)]
    pub n_rules: Option<u64>,
    #[serde(default)]
    pub inc_depth: Option<u64>,
    #[serde(default = "yes")]
    pub observe: bool,
    #[serde(default)]
    pub numerics: NumericsConfig,
    /// `"RxC"`: the default mesh of such cores.
    #[serde(default)]
    pub mesh: Option<String>,
    /// Where the synapses live (absent: on chip).
    #[serde(default)]
    pub synapse_store: Option<SynapseStoreToml>,
}

/// `mesh` as the TOML form writes it (`"2x2"`), so that a serialized config
/// reads back.
fn mesh_text<S: serde::Serializer>(m: &Option<Mesh>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(&m.to_string()),
        None => s.serialize_none(),
    }
}

fn yes() -> bool {
    true
}

impl TryFrom<HwConfigToml> for HwConfig {
    type Error = ConfigError;

    fn try_from(t: HwConfigToml) -> Result<HwConfig, ConfigError> {
        let mut bad = Vec::new();
        let slots = u64::from(t.numerics.max_delay_steps) + 1;
        let mut max_slots = None;
        if let Some(s) = t.max_slots {
            if s < 2 || s > slots {
                bad.push(format!(
                    "max_slots = {s} must be in 2..={slots} (numerics.max_delay_steps + 1; fewer slots \
                     than that divide the delays into groups)"
                ));
            } else if s < slots {
                let groups = u64::from(t.numerics.max_delay_steps).div_ceil(s - 1);
                if t.stdp {
                    bad.push(format!(
                        "max_slots = {s} below numerics.max_delay_steps + 1 = {slots} (delay groups) \
                         needs a static core (stdp = false)"
                    ));
                } else if groups > MAX_DELAY_GROUPS {
                    bad.push(format!(
                        "max_slots = {s} gives {groups} delay groups for numerics.max_delay_steps = {}, \
                         above the network interface's limit {MAX_DELAY_GROUPS}",
                        t.numerics.max_delay_steps
                    ));
                } else {
                    max_slots = Some(s);
                }
            }
        }
        if !t.stdp {
            for (field, v) in [("n_rules", t.n_rules), ("inc_depth", t.inc_depth)] {
                if let Some(v) = v.filter(|&v| v != 1) {
                    bad.push(format!(
                        "{field} = {v} is set but stdp = false (only the STDP core has a rule table and an incoming list)"
                    ));
                }
            }
        }
        if let Some(st) = t
            .synapse_store
            .as_ref()
            .filter(|st| st.kind == StoreKind::OnChip)
        {
            let set = st.set_fields();
            if !set.is_empty() {
                bad.push(format!(
                    "synapse_store.{} set but synapse_store.kind = \"on-chip\" (only an external store has an AXI port and channels)",
                    set.join(", synapse_store.")
                ));
            }
        }
        let mesh = match t.mesh.as_deref().map(str::parse::<Mesh>) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                bad.push(format!("mesh: {e}"));
                None
            }
        };
        let c = HwConfig {
            mesh,
            max_rows: t.max_rows.unwrap_or(t.neurons_per_core),
            n_rules: if t.stdp {
                t.n_rules.unwrap_or(DEFAULT_N_RULES)
            } else {
                1
            },
            inc_depth: if t.stdp {
                t.inc_depth.unwrap_or(t.syn_depth)
            } else {
                1
            },
            name: t.name,
            description: t.description,
            neurons_per_core: t.neurons_per_core,
            syn_depth: t.syn_depth,
            max_pops: t.max_pops,
            stdp: t.stdp,
            observe: t.observe,
            numerics: t.numerics,
            max_slots,
            synapse_store: t.synapse_store.as_ref().and_then(SynapseStoreToml::resolve),
        };
        if !bad.is_empty() {
            return Err(ConfigError::Invalid {
                name: c.name,
                message: bad.join("; "),
            });
        }
        c.check()?;
        Ok(c)
    }
}

impl Default for HwConfig {
    /// The config used without `--hw`: 2048 neurons, 262144 synapses, 16
    /// populations, the default numerics (64 delay slots), static; it holds
    /// the built-in `balanced` network.
    fn default() -> Self {
        HwConfig {
            name: "default".into(),
            description: "default single core: up to 2048 neurons, 262144 synapses, 16 populations, default numerics (64 delay slots), static".into(),
            neurons_per_core: 2048,
            syn_depth: 262_144,
            max_rows: 2048,
            max_pops: 16,
            stdp: false,
            n_rules: 1,
            inc_depth: 1,
            observe: true,
            numerics: NumericsConfig::default(),
            mesh: None,
            max_slots: None,
            synapse_store: None,
        }
    }
}

/// The named configs compiled in: (name, TOML text). `default` is
/// [`HwConfig::default`].
pub const NAMED: [(&str, &str); 14] = [
    ("small", include_str!("../configs/small.toml")),
    ("odd", include_str!("../configs/odd.toml")),
    ("stdp", include_str!("../configs/stdp.toml")),
    ("w7", include_str!("../configs/w7.toml")),
    ("balanced", include_str!("../configs/balanced.toml")),
    ("wide", include_str!("../configs/wide.toml")),
    ("mesh", include_str!("../configs/mesh.toml")),
    ("ext", include_str!("../configs/ext.toml")),
    ("ext_mesh", include_str!("../configs/ext_mesh.toml")),
    ("ext_odd", include_str!("../configs/ext_odd.toml")),
    ("ext_idx", include_str!("../configs/ext_idx.toml")),
    ("ext_dg", include_str!("../configs/ext_dg.toml")),
    ("ext_idx_mesh", include_str!("../configs/ext_idx_mesh.toml")),
    (
        "ext_idx_mesh_dg",
        include_str!("../configs/ext_idx_mesh_dg.toml"),
    ),
];

/// Names accepted by [`HwConfig::named`] (and `--hw`).
pub fn known_configs() -> Vec<&'static str> {
    let mut v = vec!["default"];
    v.extend(NAMED.iter().map(|(n, _)| *n));
    v
}

/// A config could not be found, read or accepted.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown hw config '{name}': known configs are {}, or give the path of a config TOML file", known_configs().join(", "))]
    Unknown { name: String },
    #[error("cannot read hw config {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("hw config {path}: {message}")]
    Parse { path: String, message: String },
    #[error("hw config '{name}': {message}")]
    Invalid { name: String, message: String },
}

impl HwConfig {
    /// Parse and check a config from TOML text (`origin` names it in errors).
    pub fn from_toml(text: &str, origin: &str) -> Result<HwConfig, ConfigError> {
        let t: HwConfigToml = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        HwConfig::try_from(t)
    }

    /// A named config (see [`known_configs`]).
    pub fn named(name: &str) -> Result<HwConfig, ConfigError> {
        if name == "default" {
            return Ok(HwConfig::default());
        }
        match NAMED.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => HwConfig::from_toml(text, &format!("gen/configs/{n}.toml")),
            None => Err(ConfigError::Unknown {
                name: name.to_string(),
            }),
        }
    }

    /// A config TOML file.
    pub fn load(path: &Path) -> Result<HwConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        HwConfig::from_toml(&text, &path.display().to_string())
    }

    /// `spec` is a known name (unless a file of that name exists), else a
    /// path; a spec that is neither names the known configs.
    pub fn resolve(spec: &str) -> Result<HwConfig, ConfigError> {
        let path = Path::new(spec);
        let is_name = known_configs().contains(&spec);
        if is_name && !path.is_file() {
            return HwConfig::named(spec);
        }
        if path.is_file() || spec.ends_with(".toml") || spec.contains(std::path::MAIN_SEPARATOR) {
            return HwConfig::load(path);
        }
        Err(ConfigError::Unknown {
            name: spec.to_string(),
        })
    }

    /// Delay-ring slots of the core (`SLOTS`): `numerics.max_delay_steps +
    /// 1`, or `max_slots` with delay groups.
    pub fn slots(&self) -> u64 {
        self.max_slots
            .unwrap_or(u64::from(self.numerics.max_delay_steps) + 1)
    }

    /// Delay groups `G` (`DELAY_GROUPS`): `ceil(max_delay_steps / (SLOTS -
    /// 1))`, 1 without `max_slots`.
    pub fn delay_groups(&self) -> u32 {
        let s = self.slots() - 1;
        (u64::from(self.numerics.max_delay_steps).div_ceil(s)).max(1) as u32
    }

    /// The parameters of a single core of this config (`MESH = 0`, `ROWS =
    /// N_NEURONS`), with `fault` built in.
    pub fn core_params(&self, fault: Option<&Fault>) -> CoreParams {
        CoreParams {
            n_neurons: self.neurons_per_core,
            n_pops: self.max_pops,
            syn_depth: self.syn_depth,
            plastic: self.stdp,
            rows: self.neurons_per_core,
            n_rules: self.n_rules,
            inc_depth: self.inc_depth,
            ext: self.synapse_store.map(|s| s.axi()),
            fault: fault.map_or(0, |f| f.kind.code() as u32),
            fault_step: fault.map_or(0, |f| f.step),
            slots: self.slots(),
            ..numerics_core(&self.numerics)
        }
    }

    /// Whether the synapse rows are in external memory.
    pub fn external(&self) -> bool {
        self.synapse_store.is_some()
    }

    /// The parameters of a mesh core of this config (`MESH = 1`, `ROWS =
    /// delay_groups * max_rows`, no fault).
    pub fn mesh_core_params(&self) -> CoreParams {
        CoreParams {
            mesh: true,
            rows: u64::from(self.delay_groups()) * self.max_rows,
            ..self.core_params(None)
        }
    }

    /// "64 delay slots", or with delay groups "16 delay slots, 5 delay
    /// groups".
    pub fn ring_text(&self) -> String {
        match self.delay_groups() {
            1 => format!("{} delay slots", self.slots()),
            g => format!("{} delay slots, {g} delay groups", self.slots()),
        }
    }

    /// One line: capacities, widths and options.
    pub fn summary(&self) -> String {
        let nc = &self.numerics;
        let stdp = if self.stdp {
            format!(
                "STDP core ({} rules, {} incoming-list words)",
                self.n_rules, self.inc_depth
            )
        } else {
            "static core".to_string()
        };
        let store = match &self.synapse_store {
            None => format!("{} synapse words", self.syn_depth),
            Some(x) => format!(
                "{} synapse lanes{} in external memory (AXI4 {} bits, {} beats/burst, {} outstanding, {} channel{} of {} bytes)",
                self.syn_depth,
                if x.row_index == RowIndex::External {
                    " and their row index"
                } else {
                    ""
                },
                x.data_bits,
                x.burst_beats,
                x.outstanding,
                x.channels,
                if x.channels == 1 { "" } else { "s" },
                x.channel_bytes
            ),
        };
        format!(
            "{} neurons, {store}, {} populations, {}, v{} i{} w{}<<{} acc{}, {stdp}, observation ports {}",
            self.neurons_per_core,
            self.max_pops,
            self.ring_text(),
            nc.v_bits,
            nc.i_bits,
            nc.w_bits,
            nc.w_shift,
            nc.acc_bits,
            if self.observe { "on" } else { "off" }
        )
    }

    /// The config checked as a mesh core: every rule of [`HwConfig::check`]
    /// except `max_rows <= neurons_per_core` (a mesh core has a row per
    /// source neuron of the whole network: `ROWS = max_rows`), with
    /// `neurons_per_core <= max_rows <= 2^24` instead.
    pub fn check_mesh(&self) -> Result<(), ConfigError> {
        let mut c = self.clone();
        c.max_rows = c.max_rows.min(c.neurons_per_core);
        c.check()?;
        if self.max_rows < self.neurons_per_core || self.max_rows > CORE_MAX_NEURONS {
            return Err(ConfigError::Invalid {
                name: self.name.clone(),
                message: format!(
                    "max_rows = {} must be in {}..={CORE_MAX_NEURONS} for a mesh core (one row per source neuron of the network; the core's ROWS >= N_NEURONS = neurons_per_core)",
                    self.max_rows, self.neurons_per_core
                ),
            });
        }
        Ok(())
    }

    /// The rules of an external synapse store (`[synapse_store]`), each
    /// broken one as a message naming its field.
    fn check_ext(&self, x: &ExtStore) -> Vec<String> {
        let mut bad = Vec::new();
        let syn_w = self.core_params(None).syn_w();
        let d = x.data_bits;
        if !(32..=1024).contains(&d) || !d.is_power_of_two() {
            bad.push(format!(
                "synapse_store.data_bits = {d} must be a power of two in 32..=1024 (AXI_DATA_W)"
            ));
        } else if d < syn_w {
            bad.push(format!(
                "synapse_store.data_bits = {d} is narrower than the synapse word of this config ({syn_w} bits: weight, delay, target)"
            ));
        }
        let mut range = |field: &str, v: u64, lo: u64, hi: u64, why: &str| {
            if v < lo || v > hi {
                bad.push(format!(
                    "synapse_store.{field} = {v} must be in {lo}..={hi}{why}"
                ));
            }
        };
        range("addr_bits", x.addr_bits.into(), 12, 64, " (AXI_ADDR_W)");
        range("id_bits", x.id_bits.into(), 1, 8, " (AXI_ID_W)");
        range("burst_beats", x.burst_beats.into(), 1, 256, " (AXI_BURST)");
        let ids = 1u64 << x.id_bits.clamp(1, 8);
        // with an external row index the index reads take ID `outstanding`
        let (most, why) = match x.row_index {
            RowIndex::External => (
                ids - 1,
                " (AXI_OUTSTANDING: at most 64, and below 2^id_bits: with row_index = \"external\" the bursts take IDs 0..outstanding and the index reads ID outstanding)",
            ),
            RowIndex::OnChip => (
                ids,
                " (AXI_OUTSTANDING: at most 64 and at most one burst per read ID, 2^id_bits)",
            ),
        };
        range("outstanding", x.outstanding.into(), 1, most.min(64), why);
        range("channels", x.channels.into(), 1, u32::MAX.into(), "");
        if x.channel_bytes < EXT_ALIGN || !x.channel_bytes.is_power_of_two() {
            bad.push(format!(
                "synapse_store.channel_bytes = {} must be a power of two of at least {EXT_ALIGN}",
                x.channel_bytes
            ));
        }
        if (12..=64).contains(&x.addr_bits) && x.total_bytes() > 1u128 << x.addr_bits {
            bad.push(format!(
                "synapse_store.addr_bits = {} addresses {} bytes, less than channels x channel_bytes = {} x {} = {} bytes",
                x.addr_bits,
                1u128 << x.addr_bits,
                x.channels,
                x.channel_bytes,
                x.total_bytes()
            ));
        }
        if (32..=1024).contains(&d) && d >= syn_w {
            let core = self.mesh_core_params();
            if core.row_ext() && core.idx_w() > d {
                bad.push(format!(
                    "synapse_store.data_bits = {d} is narrower than a row word's lane in the external row index ({} bits); use row_index = \"on-chip\" or a wider bus",
                    core.idx_w()
                ));
            }
            let index = core.idx_beats() * x.beat_bytes();
            let region = core.ext_beats() * x.beat_bytes() + index;
            if region > x.channel_bytes {
                bad.push(format!(
                    "syn_depth = {} synapse lanes{} need a region of {region} bytes ({} bytes per beat), more than synapse_store.channel_bytes = {} (a core's region lies in one channel)",
                    self.syn_depth,
                    if index > 0 {
                        format!(" and a row index of max_rows = {} rows ({index} bytes)", self.max_rows)
                    } else {
                        String::new()
                    },
                    x.beat_bytes(),
                    x.channel_bytes
                ));
            }
        }
        if self.stdp {
            bad.push(
                "stdp = true with synapse_store.kind = \"external\": plastic synapses off chip are not supported yet (no weight write-back); use an on-chip synapse store"
                    .into(),
            );
        }
        bad
    }

    /// The ranges every config must respect (the core's limits included).
    pub fn check(&self) -> Result<(), ConfigError> {
        let mut bad = Vec::new();
        let mut range = |field: &str, v: u64, lo: u64, hi: u64, why: &str| {
            if v < lo || v > hi {
                bad.push(format!("{field} = {v} must be in {lo}..={hi}{why}"));
            }
        };
        let n = self.neurons_per_core;
        range("neurons_per_core", n, 1, CORE_MAX_NEURONS, "");
        range("syn_depth", self.syn_depth, 1, CORE_MAX_SYN_DEPTH, "");
        range(
            "max_rows",
            self.max_rows,
            n.max(1),
            CORE_MAX_NEURONS,
            " (rows of source neurons: a single core has one per neuron, a mesh core one per \
             neuron of the whole network)",
        );
        range(
            "max_pops",
            self.max_pops,
            1,
            n.max(1),
            " (at most neurons_per_core)",
        );
        if self.stdp {
            range("n_rules", self.n_rules, 1, CORE_MAX_RULES, "");
            range(
                "inc_depth",
                self.inc_depth,
                1,
                self.syn_depth.max(1),
                " (one word per plastic synapse: at most syn_depth)",
            );
        } else if self.n_rules != 1 || self.inc_depth != 1 {
            bad.push(format!(
                "n_rules = {} and inc_depth = {} must be 1 when stdp = false",
                self.n_rules, self.inc_depth
            ));
        }
        for (field, msg) in self.numerics.check() {
            bad.push(format!("numerics.{field}: {msg}"));
        }
        let nc = &self.numerics;
        if nc.w_shift > CORE_MAX_W_SHIFT {
            bad.push(format!(
                "numerics.w_shift = {} exceeds the core's limit {CORE_MAX_W_SHIFT} (snn_syn_event W_SHIFT)",
                nc.w_shift
            ));
        }
        if self.slots() > CORE_MAX_SLOTS {
            bad.push(format!(
                "numerics.max_delay_steps = {} gives {} delay slots, above the core's limit {CORE_MAX_SLOTS}",
                nc.max_delay_steps,
                self.slots()
            ));
        }
        if u64::from(nc.poisson_table_len) > CORE_MAX_TABLE_LEN {
            bad.push(format!(
                "numerics.poisson_table_len = {} exceeds the core's TABLE_LEN limit {CORE_MAX_TABLE_LEN}",
                nc.poisson_table_len
            ));
        }
        if let Some(x) = &self.synapse_store {
            bad.extend(self.check_ext(x));
        }
        if self.name.trim().is_empty() {
            bad.push("name must not be empty".into());
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                name: self.name.clone(),
                message: bad.join("; "),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = "name='x'\nneurons_per_core=10\nsyn_depth=20\nmax_pops=2\n";

    #[test]
    fn every_named_config_loads_under_its_name() {
        for name in known_configs() {
            let c = HwConfig::named(name).unwrap();
            assert_eq!(c.name, name);
            c.check().unwrap();
        }
    }

    #[test]
    fn default_config_is_valid() {
        HwConfig::default().check().unwrap();
    }

    #[test]
    fn unknown_name_lists_known_configs() {
        let e = HwConfig::resolve("nosuch").unwrap_err().to_string();
        for n in known_configs() {
            assert!(e.contains(n), "{e}");
        }
    }

    #[test]
    fn missing_fields_take_defaults() {
        let c = HwConfig::from_toml(MIN, "t").unwrap();
        assert_eq!(c.max_rows, 10);
        assert!(!c.stdp && c.observe);
        assert_eq!((c.n_rules, c.inc_depth), (1, 1));
        assert_eq!(c.numerics, NumericsConfig::default());
        assert_eq!(c.slots(), 64);
        let c =
            HwConfig::from_toml(&format!("{MIN}stdp=true\n[numerics]\nw_bits=7\n"), "t").unwrap();
        assert_eq!((c.n_rules, c.inc_depth), (DEFAULT_N_RULES, 20));
        assert_eq!(c.numerics.w_bits, 7);
        assert_eq!(c.numerics.v_bits, NumericsConfig::default().v_bits);
    }

    #[test]
    fn unknown_fields_are_rejected_naming_them() {
        let e = HwConfig::from_toml(&format!("{MIN}v_bits=3\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("v_bits"), "{e}");
        let e = HwConfig::from_toml(&format!("{MIN}[numerics]\nw_bitz=3\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("w_bitz"), "{e}");
    }

    #[test]
    fn a_config_may_name_its_default_mesh() {
        let c = HwConfig::from_toml(&format!("{MIN}mesh = \"3x2\"\n"), "t").unwrap();
        let m = c.mesh.expect("mesh");
        assert_eq!((m.rows(), m.cols()), (3, 2));
        assert!(HwConfig::from_toml(MIN, "t").unwrap().mesh.is_none());
        let e = HwConfig::from_toml(&format!("{MIN}mesh = \"0x2\"\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("hw config 'x'") && e.contains("mesh"), "{e}");
    }

    #[test]
    fn bad_ranges_name_the_config_and_field() {
        let e = HwConfig::from_toml(&format!("{MIN}max_rows=9\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("hw config 'x'") && e.contains("max_rows = 9"),
            "{e}"
        );
        let e = HwConfig::from_toml(&format!("{MIN}[numerics]\nw_bits=17\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("hw config 'x'") && e.contains("numerics.w_bits"),
            "{e}"
        );
        let e = HwConfig::from_toml(
            &format!("{MIN}[numerics]\nw_shift=17\nacc_bits=32\ni_bits=32\n"),
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("numerics.w_shift = 17"), "{e}");
        let e = HwConfig::from_toml(&format!("{MIN}stdp=true\ninc_depth=21\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("inc_depth = 21"), "{e}");
    }

    #[test]
    fn max_slots_at_the_full_ring_changes_nothing() {
        let c = HwConfig::from_toml(
            &format!("{MIN}max_slots=13\n[numerics]\nmax_delay_steps=12\n"),
            "t",
        )
        .unwrap();
        assert_eq!((c.slots(), c.delay_groups(), c.max_slots), (13, 1, None));
    }

    #[test]
    fn fewer_slots_than_delays_give_delay_groups() {
        let c = HwConfig::from_toml(
            &format!("{MIN}max_slots=5\n[numerics]\nmax_delay_steps=15\n"),
            "t",
        )
        .unwrap();
        // S = 4: delays 1..4, 5..8, 9..12, 13..15
        assert_eq!((c.slots(), c.delay_groups()), (5, 4));
        assert_eq!(c.core_params(None).slots, 5);
        assert_eq!(c.mesh_core_params().rows, 4 * c.max_rows);
        assert!(c.summary().contains("5 delay slots, 4 delay groups"));
    }

    #[test]
    fn max_slots_outside_its_range_or_with_stdp_is_rejected() {
        for (toml, want) in [
            (
                format!("{MIN}max_slots=14\n[numerics]\nmax_delay_steps=12\n"),
                "must be in 2..=13",
            ),
            (format!("{MIN}max_slots=1\n"), "must be in 2..=64"),
            (
                format!("{MIN}max_slots=3\n[numerics]\nmax_delay_steps=200\n"),
                "100 delay groups",
            ),
            (
                format!("{MIN}stdp=true\nmax_slots=3\n"),
                "needs a static core",
            ),
        ] {
            let e = HwConfig::from_toml(&toml, "t").unwrap_err().to_string();
            assert!(e.contains("max_slots = ") && e.contains(want), "{e}");
        }
    }

    #[test]
    fn stdp_fields_on_a_static_config_are_rejected() {
        let e = HwConfig::from_toml(&format!("{MIN}n_rules=3\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("n_rules = 3") && e.contains("stdp = false"),
            "{e}"
        );
    }

    #[test]
    fn serialized_config_reads_back_equal() {
        for name in known_configs() {
            let c = HwConfig::named(name).unwrap();
            let json = serde_json::to_string(&c).unwrap();
            let back: HwConfig = serde_json::from_str(&json).unwrap();
            assert_eq!(back, c);
        }
    }

    const EXT: &str = "[synapse_store]\nkind = \"external\"\n";

    fn ext_err(extra: &str) -> String {
        HwConfig::from_toml(&format!("{MIN}{EXT}{extra}"), "t")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_external_store_takes_the_rtl_defaults() {
        let c = HwConfig::from_toml(&format!("{MIN}{EXT}"), "t").unwrap();
        assert_eq!(c.synapse_store, Some(ExtStore::DEFAULT));
        let p = c.core_params(None);
        assert_eq!(p.ext, Some(AxiParams::DEFAULT));
        assert_eq!(c.mesh_core_params().ext, Some(AxiParams::DEFAULT));
        // absent or on chip: no store, no AXI parameters
        for t in [
            MIN.to_string(),
            format!("{MIN}[synapse_store]\nkind = \"on-chip\"\n"),
        ] {
            let c = HwConfig::from_toml(&t, "t").unwrap();
            assert_eq!(c.synapse_store, None);
            assert_eq!(c.core_params(None).ext, None);
        }
        let c = HwConfig::from_toml(
            &format!("{MIN}{EXT}data_bits = 128\nburst_beats = 7\noutstanding = 5\nid_bits = 3\nchannels = 3\nchannel_bytes = 16384\naddr_bits = 16\n"),
            "t",
        )
        .unwrap();
        let a = c.core_params(None).ext.unwrap();
        assert_eq!(
            (a.data_w, a.addr_w, a.id_w, a.burst, a.outstanding),
            (128, 16, 3, 7, 5)
        );
    }

    #[test]
    fn external_store_fields_out_of_range_name_the_config_and_field() {
        for (extra, want) in [
            ("data_bits = 96\n", "synapse_store.data_bits = 96 must be a power of two"),
            ("data_bits = 16\n", "synapse_store.data_bits = 16 must be a power of two in 32..=1024"),
            ("data_bits = 2048\n", "synapse_store.data_bits = 2048"),
            ("addr_bits = 11\n", "synapse_store.addr_bits = 11 must be in 12..=64"),
            ("addr_bits = 65\n", "synapse_store.addr_bits = 65"),
            ("id_bits = 0\n", "synapse_store.id_bits = 0 must be in 1..=8"),
            ("id_bits = 9\n", "synapse_store.id_bits = 9"),
            ("burst_beats = 0\n", "synapse_store.burst_beats = 0 must be in 1..=256"),
            ("burst_beats = 257\n", "synapse_store.burst_beats = 257"),
            ("outstanding = 0\n", "synapse_store.outstanding = 0 must be in 1..=16"),
            ("id_bits = 3\noutstanding = 9\n", "synapse_store.outstanding = 9 must be in 1..=8"),
            ("id_bits = 8\noutstanding = 65\n", "synapse_store.outstanding = 65 must be in 1..=64"),
            ("channels = 0\n", "synapse_store.channels = 0 must be in 1.."),
            ("channel_bytes = 2048\n", "synapse_store.channel_bytes = 2048 must be a power of two of at least 4096"),
            ("channel_bytes = 12288\n", "synapse_store.channel_bytes = 12288"),
            ("addr_bits = 16\nchannels = 3\nchannel_bytes = 32768\n", "synapse_store.addr_bits = 16 addresses 65536 bytes, less than channels x channel_bytes = 3 x 32768"),
            ("bogus = 1\n", "bogus"),
        ] {
            let e = ext_err(extra);
            assert!(e.contains(want), "{extra}: {e}");
            if extra != "bogus = 1\n" {
                assert!(e.contains("hw config 'x'"), "{extra}: {e}");
            }
        }
    }

    #[test]
    fn external_data_bits_must_hold_the_synapse_word() {
        // 16-bit weights, 64 slots (6 bits), 2^20 neurons (20 bits): 42 bits
        let t = "name='x'\nneurons_per_core=1048576\nsyn_depth=20\nmax_pops=2\n";
        let e = HwConfig::from_toml(&format!("{t}{EXT}data_bits = 32\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("synapse_store.data_bits = 32 is narrower than the synapse word of this config (42 bits"),
            "{e}"
        );
        HwConfig::from_toml(&format!("{t}{EXT}data_bits = 64\n"), "t").unwrap();
    }

    #[test]
    fn a_core_region_larger_than_a_channel_is_refused_naming_syn_depth() {
        // 26-bit words, 9 per 256-bit beat: 2000 lanes are 223 beats of 32
        // bytes, 7136 bytes, more than a channel of 4096
        let t = "name='x'\nneurons_per_core=10\nsyn_depth=2000\nmax_pops=2\n";
        let e = HwConfig::from_toml(
            &format!("{t}{EXT}channel_bytes = 4096\naddr_bits = 12\n"),
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("syn_depth = 2000 synapse lanes need a region of 7136 bytes")
                && e.contains("synapse_store.channel_bytes = 4096"),
            "{e}"
        );
    }

    #[test]
    fn stdp_with_an_external_store_is_refused() {
        let e = HwConfig::from_toml(&format!("{MIN}stdp = true\n{EXT}"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("hw config 'x'")
                && e.contains("stdp = true with synapse_store.kind = \"external\"")
                && e.contains("no weight write-back"),
            "{e}"
        );
    }

    #[test]
    fn on_chip_store_with_external_fields_is_refused() {
        let e = HwConfig::from_toml(
            &format!("{MIN}[synapse_store]\nkind = \"on-chip\"\ndata_bits = 64\nchannels = 2\n"),
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("synapse_store.data_bits, synapse_store.channels set but synapse_store.kind = \"on-chip\""),
            "{e}"
        );
        let e = HwConfig::from_toml(&format!("{MIN}[synapse_store]\nkind = \"dram\"\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("dram") && e.contains("on-chip"), "{e}");
    }
}
