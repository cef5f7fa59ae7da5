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
//! max_slots = 13           # optional; must equal numerics.max_delay_steps + 1
//! [numerics]               # NumericsConfig; missing fields take its defaults
//! w_bits = 7
//! max_delay_steps = 12
//! ```
//!
//! Named configs live in `gen/configs/<name>.toml` (compiled in); any other
//! TOML file of the same form is loaded by path ([`HwConfig::resolve`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use spikefab_hdl::core::CoreParams;
use spikefab_sim::NumericsConfig;

use crate::fault::Fault;
use crate::topology::Mesh;

/// `snn_lif_core`'s limit on `N_NEURONS`.
pub const CORE_MAX_NEURONS: u64 = 1 << 24;
/// `snn_lif_core`'s limit on `SLOTS` (`max_delay_steps + 1`).
pub const CORE_MAX_SLOTS: u64 = 256;
/// `snn_lif_core`'s limit on `TABLE_LEN` (`poisson_table_len`).
pub const CORE_MAX_TABLE_LEN: u64 = 256;
/// `snn_syn_event`'s limit on `W_SHIFT`.
pub const CORE_MAX_W_SHIFT: u32 = 16;
/// Largest synapse memory a config may describe (32-bit addresses).
pub const CORE_MAX_SYN_DEPTH: u64 = 1 << 32;
/// Largest STDP rule table (the engine numbers rules with 8 bits).
pub const CORE_MAX_RULES: u64 = 255;
/// `n_rules` of an stdp config that does not set it.
pub const DEFAULT_N_RULES: u64 = 8;

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
    /// is given (`mesh = "2x2"` in TOML); none: a single core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mesh: Option<Mesh>,
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
    /// Accepted for clarity; must equal `numerics.max_delay_steps + 1`.
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
}

fn yes() -> bool {
    true
}

impl TryFrom<HwConfigToml> for HwConfig {
    type Error = ConfigError;

    fn try_from(t: HwConfigToml) -> Result<HwConfig, ConfigError> {
        let mut bad = Vec::new();
        let slots = u64::from(t.numerics.max_delay_steps) + 1;
        if let Some(s) = t.max_slots {
            if s != slots {
                bad.push(format!(
                    "max_slots = {s} must equal numerics.max_delay_steps + 1 = {slots} \
                     (the core's SLOTS is one parameter: set numerics.max_delay_steps = {} or drop max_slots)",
                    s.saturating_sub(1)
                ));
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
        }
    }
}

/// The named configs compiled in: (name, TOML text). `default` is
/// [`HwConfig::default`].
pub const NAMED: [(&str, &str); 7] = [
    ("small", include_str!("../configs/small.toml")),
    ("odd", include_str!("../configs/odd.toml")),
    ("stdp", include_str!("../configs/stdp.toml")),
    ("w7", include_str!("../configs/w7.toml")),
    ("balanced", include_str!("../configs/balanced.toml")),
    ("wide", include_str!("../configs/wide.toml")),
    ("mesh", include_str!("../configs/mesh.toml")),
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

    /// Delay-ring slots of the core (`SLOTS = numerics.max_delay_steps + 1`).
    pub fn slots(&self) -> u64 {
        u64::from(self.numerics.max_delay_steps) + 1
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
            fault: fault.map_or(0, |f| f.kind.code() as u32),
            fault_step: fault.map_or(0, |f| f.step),
            ..numerics_core(&self.numerics)
        }
    }

    /// The parameters of a mesh core of this config (`MESH = 1`, `ROWS =
    /// max_rows`, no fault).
    pub fn mesh_core_params(&self) -> CoreParams {
        CoreParams {
            mesh: true,
            rows: self.max_rows,
            ..self.core_params(None)
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
        format!(
            "{} neurons, {} synapse words, {} populations, {} delay slots, v{} i{} w{}<<{} acc{}, {stdp}, observation ports {}",
            self.neurons_per_core,
            self.syn_depth,
            self.max_pops,
            self.slots(),
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
    fn max_slots_must_match_max_delay_steps() {
        let c = HwConfig::from_toml(
            &format!("{MIN}max_slots=13\n[numerics]\nmax_delay_steps=12\n"),
            "t",
        );
        assert_eq!(c.unwrap().slots(), 13);
        let e = HwConfig::from_toml(&format!("{MIN}max_slots=13\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("max_slots = 13") && e.contains("numerics.max_delay_steps + 1 = 64"),
            "{e}"
        );
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
}
