//! The network as the hardware holds it: the integer model quantized with
//! the hw config's numerics, its synapse matrix and its initial state
//! ([`NetModel`], built by [`crate::build`]). The image writer
//! ([`crate::images`]) and the mapping ([`crate::mapping`]) read it; only
//! the co-simulation turns it into a running reference
//! ([`NetModel::into_engine`]).

use serde::Serialize;
use spikefab_sim::connect::{key_delay, Synapses};
use spikefab_sim::engine::{self, Engine, NeuronState};
use spikefab_sim::quant::IntModel;
use spikefab_sim::rng::{self, Stream};
use spikefab_sim::Network;

use crate::capacity::Counts;
use crate::hash::hex64;
use crate::hwconfig::HwConfig;
use crate::layout::ExtGeometry;

/// A network built for the hardware: integer model, synapses, state at step 0.
#[derive(Debug, Clone)]
pub struct NetModel {
    pub model: IntModel,
    pub syn: Synapses,
    /// The state of every neuron at step 0 ([`engine::initial_state`]).
    pub init: Vec<NeuronState>,
}

impl NetModel {
    /// The model with its synapses and initial state.
    pub fn new(model: IntModel, syn: Synapses) -> NetModel {
        let init = engine::initial_state(&model);
        NetModel { model, syn, init }
    }

    /// Neurons.
    pub fn neurons(&self) -> u32 {
        self.model.neurons
    }

    /// Whether any synapse is plastic.
    pub fn plastic(&self) -> bool {
        !self.syn.rule.is_empty()
    }

    /// The reference simulator of this network, at step 0 (the state the
    /// images hold).
    pub fn into_engine(self) -> Engine {
        Engine::new(self.model, self.syn)
    }

    /// Its counts against a core ([`capacity::usage`]).
    pub fn counts(&self) -> Counts {
        Counts {
            neurons: self.model.neurons.into(),
            pops: self.model.pops.len() as u64,
            synapses: Some(self.syn.len()),
            plastic: self.syn.rule.iter().filter(|&&r| r != 0).count() as u64,
            rules: self.model.stdp.len() as u64,
            max_delay: Some(
                self.syn
                    .key
                    .iter()
                    .map(|&k| u64::from(key_delay(k)))
                    .max()
                    .unwrap_or(0),
            ),
            ext_lanes: None,
        }
    }

    /// [`NetModel::counts`] on one core of `hw`: with an external synapse
    /// store, also the lanes its rows take in the region (each row padded
    /// to whole beats).
    pub fn counts_for(&self, hw: &HwConfig) -> Counts {
        let g = ExtGeometry::of(&hw.core_params(None));
        Counts {
            ext_lanes: g
                .map(|g| g.lanes_of((0..self.model.neurons).map(|j| self.syn.out_degree(j)))),
            ..self.counts()
        }
    }

    /// The counts of the network (its name, neurons, synapses,
    /// populations, largest delay, seed and background key).
    pub fn info(&self, net: &Network) -> NetworkInfo {
        let c = self.counts();
        let m = &self.model;
        NetworkInfo {
            name: net_name(net),
            neurons: c.neurons,
            synapses: self.syn.len(),
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
        }
    }
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

/// The network's name (`network` when it has none).
pub fn net_name(net: &Network) -> String {
    net.name.clone().unwrap_or_else(|| "network".into())
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
