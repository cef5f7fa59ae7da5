//! Hardware configurations of the generator: the capacities of the one
//! neuron core (`hdl/snn_lif_core.v`) and its memory-sizing option.
//!
//! A config holds **no widths**: every width (`V_BITS`, `W_BITS`, ...) and
//! the Poisson table length come from the network's `[numerics]`
//! (`NumericsConfig`), the one source of widths. Scope today: a single core
//! and static networks (no STDP), the scope of `snn_lif_core`.
//!
//! Named configs live in `gen/configs/<name>.toml` (compiled in); any other
//! TOML file of the same form is loaded by path ([`HwConfig::resolve`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// `snn_lif_core`'s limit on `N_NEURONS`.
pub const CORE_MAX_NEURONS: u64 = 1 << 24;
/// `snn_lif_core`'s limit on `SLOTS` (`max_delay_steps + 1`).
pub const CORE_MAX_SLOTS: u64 = 256;
/// `snn_lif_core`'s limit on `TABLE_LEN` (`poisson_table_len`).
pub const CORE_MAX_TABLE_LEN: u64 = 256;

/// How the core's synapse memory (`SYN_DEPTH`) is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SynSizing {
    /// The network's synapse count (at least 1): the smallest memory.
    #[default]
    Network,
    /// The config's `syn_depth`: another network of at most that many
    /// synapses can be loaded by replacing the images (same widths).
    Capacity,
}

/// Capacities of the single neuron core.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HwConfig {
    /// Config name (reports, manifest).
    pub name: String,
    /// One line for reports.
    #[serde(default)]
    pub description: String,
    /// Neurons one core holds (state and population memories); 1..2^24.
    pub neurons_per_core: u64,
    /// Synapse memory words (one synapse each); >= 1.
    pub syn_depth: u64,
    /// Row memory words (one row per source neuron; `snn_lif_core` has one
    /// row per neuron of the core); >= 1.
    pub max_rows: u64,
    /// Populations (parameter and Poisson-table entries); >= 1.
    pub max_pops: u64,
    /// Delay-ring slots (`max_delay_steps + 1`); 2..256.
    pub max_slots: u64,
    /// Sizing of the synapse memory.
    #[serde(default)]
    pub syn_sizing: SynSizing,
}

impl Default for HwConfig {
    /// The config used without `--hw`: 1024 neurons, 131072 synapses, 16
    /// populations, 64 delay slots, synapse memory sized to the network.
    fn default() -> Self {
        HwConfig {
            name: "default".into(),
            description: "default single core: up to 1024 neurons, 131072 synapses, 16 populations, 64 delay slots".into(),
            neurons_per_core: 1024,
            syn_depth: 131_072,
            max_rows: 1024,
            max_pops: 16,
            max_slots: 64,
            syn_sizing: SynSizing::Network,
        }
    }
}

/// The named configs compiled in: (name, TOML text). `default` is
/// [`HwConfig::default`].
pub const NAMED: [(&str, &str); 4] = [
    ("small", include_str!("../configs/small.toml")),
    ("odd", include_str!("../configs/odd.toml")),
    ("balanced", include_str!("../configs/balanced.toml")),
    ("wide", include_str!("../configs/wide.toml")),
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
        let c: HwConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        c.check()?;
        Ok(c)
    }

    /// A named config (`default`, `small`, `odd`, `balanced`, `wide`).
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

    /// The ranges every config must respect.
    pub fn check(&self) -> Result<(), ConfigError> {
        let mut bad = Vec::new();
        let mut range = |field: &str, v: u64, lo: u64, hi: u64| {
            if v < lo || v > hi {
                bad.push(format!("{field} = {v} must be in {lo}..={hi}"));
            }
        };
        range(
            "neurons_per_core",
            self.neurons_per_core,
            1,
            CORE_MAX_NEURONS,
        );
        range("syn_depth", self.syn_depth, 1, 1 << 32);
        range("max_rows", self.max_rows, 1, CORE_MAX_NEURONS);
        range("max_pops", self.max_pops, 1, CORE_MAX_NEURONS);
        range("max_slots", self.max_slots, 2, CORE_MAX_SLOTS);
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

    #[test]
    fn every_named_config_loads() {
        for name in known_configs() {
            let c = HwConfig::named(name).unwrap();
            assert_eq!(c.name, name);
        }
    }

    #[test]
    fn unknown_name_lists_known_configs() {
        let e = HwConfig::resolve("nosuch").unwrap_err().to_string();
        for n in known_configs() {
            assert!(e.contains(n), "{e}");
        }
    }

    #[test]
    fn unknown_fields_and_bad_ranges_are_rejected() {
        let e = HwConfig::from_toml(
            "name='x'\nneurons_per_core=1\nsyn_depth=1\nmax_rows=1\nmax_pops=1\nmax_slots=2\nv_bits=3\n",
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("v_bits"), "{e}");
        let e = HwConfig::from_toml(
            "name='x'\nneurons_per_core=1\nsyn_depth=1\nmax_rows=1\nmax_pops=1\nmax_slots=257\n",
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("max_slots = 257"), "{e}");
    }
}
