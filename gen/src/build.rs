//! Building a network for the hardware: re-quantized with the hw config's
//! numerics, validated, checked against the capacities of one core
//! ([`build_core_model`]) or of a mesh ([`build_mesh_model`]), and
//! connected, into a [`NetModel`].

use spikefab_sim::{connect, engine, load, quant, Network};

use crate::capacity::{self, cores_needed, count_misfits, network_counts, Counts};
use crate::error::{GenError, MeshError};
use crate::hwconfig::HwConfig;
use crate::model::{apply_numerics, net_name, plastic_projections, NetModel};
use crate::topology::Mesh;

fn fit(net: &Network, hw: &HwConfig, c: &Counts) -> Result<(), GenError> {
    let bad = capacity::misfits(&capacity::usage(c, hw));
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

/// `net` built for one core of `hw`: re-quantized with the config's
/// numerics ([`apply_numerics`]), validated, checked against the core's
/// capacities (before connecting, from the model and the rules' exact
/// synapse counts; after, from the synapses)
/// and connected in a rayon pool of `threads` threads (0: one per core).
pub fn build_core_model(
    net: &Network,
    hw: &HwConfig,
    threads: usize,
) -> Result<NetModel, GenError> {
    hw.check()?;
    let net = apply_numerics(net, hw);
    let build = |diags| GenError::Build {
        network: net_name(&net),
        config: hw.name.clone(),
        diags,
    };
    load::validate(&net).map_err(build)?;
    let model = quant::quantize(&net).map_err(build)?;
    let plastic = plastic_projections(&net);
    if !plastic.is_empty() && hw.external() {
        return Err(GenError::PlasticOffChip {
            network: net_name(&net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    if !plastic.is_empty() && !hw.stdp {
        return Err(GenError::Plastic {
            network: net_name(&net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    // The synapse count is known before connecting for every rule but
    // pairwise_bernoulli: a network too big for the core is refused before
    // its synapses are drawn and held.
    let planned = network_counts(&net);
    let pre = Counts {
        neurons: model.neurons.into(),
        pops: model.pops.len() as u64,
        synapses: planned.exact.then_some(planned.synapses),
        plastic: 0,
        rules: 0,
        max_delay: None,
        ext_lanes: None,
    };
    fit(&net, hw, &pre)?;
    let syn = engine::with_threads(threads, || connect::build(&net, &model))
        .map_err(|e| GenError::Threads(e.to_string()))?
        .map_err(build)?;
    let m = NetModel::new(model, syn);
    fit(&net, hw, &m.counts_for(hw))?;
    Ok(m)
}

/// `net` built for a `mesh` of `hw` cores: re-quantized with the config's
/// numerics, validated, checked (plasticity against the config; whole-mesh
/// capacities from the description's counts, before connecting) and
/// connected in a pool of `threads` threads (0: one per core).
pub fn build_mesh_model(
    net: &Network,
    hw: &HwConfig,
    mesh: &Mesh,
    threads: usize,
) -> Result<NetModel, MeshError> {
    let plastic = plastic_projections(net);
    if !plastic.is_empty() && hw.external() {
        return Err(MeshError::PlasticOffChip {
            network: net_name(net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    if !plastic.is_empty() && !hw.stdp {
        return Err(MeshError::Plastic {
            network: net_name(net),
            config: hw.name.clone(),
            projections: plastic,
        });
    }
    hw.check_mesh()?;
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
    Ok(NetModel::new(model, syn))
}

/// A single-core config sized to `net` (what `spikefab build` uses without
/// `--hw`): `base` (its numerics, STDP rules, store) with exactly the
/// network's neurons, rows, populations and synapses, the delay ring cut
/// to the network's largest delay (`numerics.max_delay_steps`, so `SLOTS`
/// is one more), STDP on when the network is plastic, and no observation
/// ports. The network is built once with a generous template to count;
/// its quantization does not change (its delays all fit the ring).
pub fn sized_config(net: &Network, base: &HwConfig, threads: usize) -> Result<HwConfig, GenError> {
    let counts = network_counts(net);
    let plastic = !plastic_projections(net).is_empty();
    let mut t = base.clone();
    t.neurons_per_core = counts.neurons.clamp(1, crate::hwconfig::CORE_MAX_NEURONS);
    t.max_rows = t.neurons_per_core;
    t.max_pops = (net.populations.len() as u64).max(1);
    t.syn_depth = crate::hwconfig::CORE_MAX_SYN_DEPTH;
    t.stdp = t.stdp || plastic;
    t.observe = false;
    t.mesh = None;
    t.max_slots = None;
    let m = build_core_model(net, &t, threads)?;
    let c = m.counts_for(&t);
    let mut hw = t;
    hw.name = "sized".into();
    hw.syn_depth = c.synapses.unwrap_or(1).max(1);
    if plastic {
        hw.inc_depth = c.plastic.max(1);
        hw.n_rules = c.rules.max(1);
    }
    let d = c.max_delay.unwrap_or(1).max(1);
    hw.numerics.max_delay_steps = u32::try_from(d).unwrap_or(u32::MAX);
    hw.description = format!(
        "sized for network '{}': {} neurons, {} synapses, {} populations, delays up to {} steps ({} slots){}",
        net_name(net),
        hw.neurons_per_core,
        hw.syn_depth,
        hw.max_pops,
        d,
        d + 1,
        if plastic { ", STDP" } else { ", static" }
    );
    hw.check()?;
    Ok(hw)
}
