//! Network description: the serde types behind a spikefab network TOML file.
//!
//! Everything here is in physical units (ms, mV, pA, pF, Hz). The integer
//! model that the simulator and the hardware execute is derived from it by
//! [`crate::quant`]. The file format is documented in `docs/network-format.md`.

use serde::{Deserialize, Serialize};

use crate::numerics::NumericsConfig;

/// A whole network: populations, projections, simulation and recording settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Free-form name of the model (shown in reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub simulation: Simulation,
    #[serde(default)]
    pub recording: Recording,
    /// Fixed-point formats; the defaults of [`NumericsConfig`] when absent.
    #[serde(default)]
    pub numerics: NumericsConfig,
    /// Trace time constants of trace-based STDP (shared by all plastic projections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plasticity: Option<Plasticity>,
    #[serde(rename = "population", default)]
    pub populations: Vec<Population>,
    #[serde(rename = "projection", default)]
    pub projections: Vec<Projection>,
}

/// Time step, duration and seed of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Integration step in ms (the grid of spike times and delays).
    pub dt_ms: f64,
    /// Simulated (biological) time in ms; rounded to whole steps.
    pub duration_ms: f64,
    /// Seed of every random draw (connectivity, initial state, background).
    #[serde(default)]
    pub seed: u64,
}

/// What a run records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// Record every spike (step, neuron).
    #[serde(default = "yes")]
    pub spikes: bool,
    /// Record the integer state of some neurons every `every_steps` steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StateRecording>,
}

fn yes() -> bool {
    true
}

impl Default for Recording {
    fn default() -> Self {
        Recording {
            spikes: true,
            state: None,
        }
    }
}

/// Sampled state recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateRecording {
    /// The first `neurons_per_population` neurons of each population are sampled.
    pub neurons_per_population: u32,
    /// Sampling interval in steps (>= 1).
    #[serde(default = "one_u32")]
    pub every_steps: u32,
}

fn one_u32() -> u32 {
    1
}

/// Trace time constants for trace-based pair STDP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plasticity {
    /// Decay time constant of the presynaptic trace (potentiation window).
    pub tau_plus_ms: f64,
    /// Decay time constant of the postsynaptic trace (depression window).
    pub tau_minus_ms: f64,
}

/// A population: identical LIF neurons, or (`kind = "input"`) neurons
/// that spike only when a run's input says so (docs/network-format.md,
/// "Input populations").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PopulationToml", into = "PopulationToml")]
pub struct Population {
    pub name: String,
    pub size: u32,
    pub kind: PopulationKind,
    /// An input population's are [`NeuronParams::input`] (not in its TOML).
    pub neuron: NeuronParams,
    /// An input population's is [`VInit::input`] (not in its TOML).
    pub v_init: VInit,
    /// None for an input population.
    pub background: Background,
}

/// What a population's neurons are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationKind {
    /// Leaky integrate-and-fire neurons (the default).
    #[default]
    Lif,
    /// Input neurons: no parameters, no incoming synapses, no background;
    /// each spikes in the steps a run's input names (and in no other).
    Input,
}

impl Population {
    /// An input population of `size` neurons.
    pub fn input(name: &str, size: u32) -> Population {
        Population {
            name: name.to_string(),
            size,
            kind: PopulationKind::Input,
            neuron: NeuronParams::input(),
            v_init: VInit::input(),
            background: Background::default(),
        }
    }

    pub fn is_input(&self) -> bool {
        self.kind == PopulationKind::Input
    }
}

/// A `[[population]]` table as written: `neuron` and `v_init` required of a
/// LIF population, refused (with `background`) on an input population.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PopulationToml {
    name: String,
    size: u32,
    #[serde(default, skip_serializing_if = "is_lif")]
    kind: PopulationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    neuron: Option<NeuronParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v_init: Option<VInit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    background: Option<Background>,
}

fn is_lif(k: &PopulationKind) -> bool {
    *k == PopulationKind::Lif
}

impl TryFrom<PopulationToml> for Population {
    type Error = String;

    fn try_from(t: PopulationToml) -> Result<Population, String> {
        match t.kind {
            PopulationKind::Lif => Ok(Population {
                neuron: t.neuron.ok_or_else(|| missing(&t.name, "neuron"))?,
                v_init: t.v_init.ok_or_else(|| missing(&t.name, "v_init"))?,
                background: t.background.unwrap_or_default(),
                name: t.name,
                size: t.size,
                kind: t.kind,
            }),
            PopulationKind::Input => {
                for (field, given) in [
                    ("neuron", t.neuron.is_some()),
                    ("v_init", t.v_init.is_some()),
                    ("background", t.background.is_some()),
                ] {
                    if given {
                        return Err(not_for_input(&t.name, field));
                    }
                }
                Ok(Population::input(&t.name, t.size))
            }
        }
    }
}

/// The message for a field an input population does not take.
pub(crate) fn not_for_input(name: &str, field: &str) -> String {
    format!(
        "population \"{name}\": an input population (kind = \"input\") takes no `{field}`: \
         its neurons spike only when the run's input says so"
    )
}

/// The message for a field a LIF population lacks.
pub(crate) fn missing(name: &str, field: &str) -> String {
    format!(
        "population \"{name}\": missing field `{field}` (a LIF population needs it; \
         kind = \"input\" makes an input population, which has none)"
    )
}

impl From<Population> for PopulationToml {
    fn from(p: Population) -> PopulationToml {
        let lif = !p.is_input();
        PopulationToml {
            name: p.name,
            size: p.size,
            kind: p.kind,
            neuron: lif.then_some(p.neuron),
            v_init: lif.then_some(p.v_init),
            background: lif.then_some(p.background),
        }
    }
}

/// Parameters of the leaky integrate-and-fire neuron with exponential
/// post-synaptic currents (NEST `iaf_psc_exp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronParams {
    pub tau_m_ms: f64,
    pub c_m_pf: f64,
    pub e_l_mv: f64,
    pub v_th_mv: f64,
    pub v_reset_mv: f64,
    pub t_ref_ms: f64,
    pub tau_syn_ex_ms: f64,
    pub tau_syn_in_ms: f64,
}

impl NeuronParams {
    /// The stand-in parameters of an input population's neurons (never
    /// quantized: [`crate::quant`] gives input populations fixed integer
    /// parameters under which a neuron stays at rest).
    pub fn input() -> NeuronParams {
        NeuronParams {
            tau_m_ms: 10.0,
            c_m_pf: 250.0,
            e_l_mv: 0.0,
            v_th_mv: 15.0,
            v_reset_mv: 0.0,
            t_ref_ms: 0.0,
            tau_syn_ex_ms: 0.5,
            tau_syn_in_ms: 0.5,
        }
    }
}

/// Distribution of the initial membrane potential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum VInit {
    Constant { v_mv: f64 },
    Normal { mean_mv: f64, std_mv: f64 },
    Uniform { low_mv: f64, high_mv: f64 },
}

impl VInit {
    /// An input population's: at rest.
    pub fn input() -> VInit {
        VInit::Constant { v_mv: 0.0 }
    }
}

/// External drive of a population: a constant current and/or Poisson input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Background {
    /// Constant input current in pA (NEST's `I_e` plus any DC drive).
    #[serde(default)]
    pub dc_pa: f64,
    /// Poisson input generated on chip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poisson: Option<PoissonDrive>,
}

/// Poisson background: `indegree` independent sources at `rate_hz` each, every
/// one with weight `weight_pa` (one Poisson count of mean rate*indegree*dt per step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoissonDrive {
    pub rate_hz: f64,
    pub indegree: u32,
    pub weight_pa: f64,
}

/// Synapses from one population onto another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub source: String,
    pub target: String,
    pub rule: Rule,
    /// Weight distribution; required unless the rule is `explicit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<WeightDist>,
    /// Delay distribution; required unless the rule is `explicit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelayDist>,
    /// Trace-based STDP on this projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdp: Option<Stdp>,
}

/// Connection rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Exactly `n` synapses, source and target of each drawn uniformly
    /// (with replacement: multapses; autapses allowed unless disabled), as PD14.
    FixedTotalNumber {
        n: u64,
        #[serde(default = "yes")]
        autapses: bool,
    },
    /// Every (source, target) pair connected independently with probability `p`.
    PairwiseBernoulli {
        p: f64,
        #[serde(default = "yes")]
        autapses: bool,
    },
    /// Every target receives exactly `k` synapses from sources drawn uniformly
    /// with replacement (Brunel 2000).
    FixedIndegree {
        k: u32,
        #[serde(default = "yes")]
        autapses: bool,
    },
    /// Source i onto target i (populations of equal size).
    OneToOne,
    /// An explicit list of `[source_index, target_index, weight_pa, delay_ms]`
    /// (indices within the populations).
    Explicit { synapses: Vec<(u32, u32, f64, f64)> },
}

/// Normal weight distribution; draws whose sign differs from the mean's are
/// redrawn (the PD14 convention: excitatory >= 0, inhibitory <= 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightDist {
    pub mean_pa: f64,
    #[serde(default)]
    pub sd_pa: f64,
}

/// Normal delay distribution, rounded to the step grid; draws below
/// `dt/2` or above the maximum delay are redrawn (PD14 / NEST convention).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayDist {
    pub mean_ms: f64,
    #[serde(default)]
    pub sd_ms: f64,
}

/// Trace-based additive pair STDP parameters of a projection (see docs/numerics.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stdp {
    /// Potentiation amplitude per pre-before-post pair at trace value 1.
    pub a_plus_pa: f64,
    /// Depression amplitude per post-before-pre pair at trace value 1.
    pub a_minus_pa: f64,
    /// Lower weight bound.
    pub w_min_pa: f64,
    /// Upper weight bound.
    pub w_max_pa: f64,
}

impl Network {
    /// Total number of neurons.
    pub fn num_neurons(&self) -> u64 {
        self.populations.iter().map(|p| p.size as u64).sum()
    }

    /// Index of a population by name.
    pub fn population_index(&self, name: &str) -> Option<usize> {
        self.populations.iter().position(|p| p.name == name)
    }

    /// First global neuron index of each population, plus the total at the end.
    pub fn population_offsets(&self) -> Vec<u32> {
        let mut offs = Vec::with_capacity(self.populations.len() + 1);
        let mut acc = 0u32;
        for p in &self.populations {
            offs.push(acc);
            acc = acc.saturating_add(p.size);
        }
        offs.push(acc);
        offs
    }

    /// Number of whole steps of the run.
    pub fn num_steps(&self) -> u64 {
        (self.simulation.duration_ms / self.simulation.dt_ms)
            .round()
            .max(0.0) as u64
    }

    /// Serialize to TOML text.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}

/// Largest total neuron count: the simulator packs target ids in 24 bits.
pub const MAX_NEURONS: u64 = 1 << 24;

/// Human name of a projection: `projection "E->I" (#3)`.
pub fn projection_object(i: usize, p: &Projection) -> String {
    match &p.name {
        Some(n) => format!("projection \"{n}\" (#{i})"),
        None => format!("projection \"{}->{}\" (#{i})", p.source, p.target),
    }
}

/// Human name of a population: `population "L23E"`, or `population #2` when unnamed.
pub fn population_object(i: usize, p: &Population) -> String {
    if p.name.is_empty() {
        format!("population #{i}")
    } else {
        format!("population \"{}\"", p.name)
    }
}
