//! The Potjans & Diesmann (2014) cortical microcircuit ("PD14").
//!
//! Every parameter comes from `sim/data/pd14_microcircuit.json`, which lists
//! the values of the INM-6 reference implementation with their sources; the
//! construction (scaling, synapse numbers, weights, delays, drive, DC
//! compensation) follows the INM-6 / NEST PyNEST reference step by step.
//! See `docs/models.md`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{check_positive, np_round, psc_over_psp};
use crate::connect::{limit_problems, MAX_SYNAPSES};
use crate::net::{
    Background, DelayDist, Network, NeuronParams, PoissonDrive, Population, Projection, Recording,
    Rule, Simulation, VInit, WeightDist,
};
use crate::numerics::NumericsConfig;

/// The parameter file, embedded at compile time.
pub const PD14_JSON: &str = include_str!("../../data/pd14_microcircuit.json");

/// The part of `pd14_microcircuit.json` the builder reads (the file holds
/// more: sources, notes, derived checks).
#[derive(Debug, Clone, Deserialize)]
pub struct Pd14Data {
    pub populations: PopulationsData,
    pub connectivity: ConnectivityData,
    pub synapses: SynapsesData,
    pub neuron: NeuronData,
    pub external_input: ExternalData,
    pub simulation: SimulationData,
    #[serde(rename = "reference_rates_Hz")]
    pub reference_rates_hz: ReferenceRates,
}

/// Population names, order and full-scale sizes.
#[derive(Debug, Clone, Deserialize)]
pub struct PopulationsData {
    /// Population order of every matrix and list.
    pub order: Vec<String>,
    #[serde(rename = "N_full")]
    pub n_full: BTreeMap<String, u32>,
    #[serde(rename = "N_total")]
    pub n_total: u64,
}

/// Connection probabilities (target × source).
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectivityData {
    pub conn_probs_target_by_source: Vec<Vec<f64>>,
}

/// Synaptic parameters.
#[derive(Debug, Clone, Deserialize)]
pub struct SynapsesData {
    #[serde(rename = "PSP_exc_mean_mV")]
    pub psp_exc_mean_mv: f64,
    pub g_relative_inhibitory: f64,
    #[serde(rename = "L4E_to_L23E_factor")]
    pub l4e_to_l23e_factor: f64,
    pub weight_rel_std: f64,
    pub tau_syn_ms: f64,
    pub delay_exc_mean_ms: f64,
    pub delay_inh_mean_ms: f64,
    pub delay_rel_std: f64,
}

/// `iaf_psc_exp` parameters and initial membrane potentials.
#[derive(Debug, Clone, Deserialize)]
pub struct NeuronData {
    pub tau_m_ms: f64,
    #[serde(rename = "C_m_pF")]
    pub c_m_pf: f64,
    #[serde(rename = "E_L_mV")]
    pub e_l_mv: f64,
    #[serde(rename = "V_th_mV")]
    pub v_th_mv: f64,
    #[serde(rename = "V_reset_mV")]
    pub v_reset_mv: f64,
    pub t_ref_ms: f64,
    pub tau_syn_ex_ms: f64,
    pub tau_syn_in_ms: f64,
    #[serde(rename = "V0_mean_mV")]
    pub v0_mean_mv: V0Table,
    #[serde(rename = "V0_std_mV")]
    pub v0_std_mv: V0Table,
}

/// One V0 statistic: a single "original" value and per-population "optimized" values.
#[derive(Debug, Clone, Deserialize)]
pub struct V0Table {
    pub original: f64,
    pub optimized: BTreeMap<String, f64>,
}

/// External (background) input.
#[derive(Debug, Clone, Deserialize)]
pub struct ExternalData {
    #[serde(rename = "bg_rate_Hz")]
    pub bg_rate_hz: f64,
    #[serde(rename = "K_ext")]
    pub k_ext: BTreeMap<String, f64>,
}

/// Simulation defaults of the reference.
#[derive(Debug, Clone, Deserialize)]
pub struct SimulationData {
    pub dt_ms: f64,
    pub t_sim_ms_default: f64,
    pub rng_seed_default: u64,
}

/// Single-run reference rates (used for the K-scaling DC compensation).
#[derive(Debug, Clone, Deserialize)]
pub struct ReferenceRates {
    pub order: Vec<String>,
    #[serde(rename = "NEST_current_2022_onward")]
    pub nest_current: RateList,
}

/// A list of rates in `order`.
#[derive(Debug, Clone, Deserialize)]
pub struct RateList {
    pub values: Vec<f64>,
}

/// The parsed parameter file (parsed once).
pub fn pd14_data() -> &'static Pd14Data {
    static DATA: OnceLock<Pd14Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let d: Pd14Data =
            serde_json::from_str(PD14_JSON).expect("sim/data/pd14_microcircuit.json parses");
        d.check()
            .expect("sim/data/pd14_microcircuit.json is consistent");
        d
    })
}

impl Pd14Data {
    /// Number of populations.
    pub fn num_pops(&self) -> usize {
        self.populations.order.len()
    }

    /// Whether population `i` is excitatory (its name ends in `E`).
    pub fn is_excitatory(&self, i: usize) -> bool {
        self.populations.order[i].ends_with('E')
    }

    /// Full-scale population sizes in `order`.
    pub fn full_sizes(&self) -> Vec<u32> {
        self.populations
            .order
            .iter()
            .map(|n| self.populations.n_full[n])
            .collect()
    }

    /// Full-scale (unrounded) synapse numbers, `[target][source]`:
    /// `K = ln(1 - C) / ln(1 - 1/(N_post N_pre))` (the reference's
    /// `num_synapses_from_conn_probs`, written as it computes it).
    pub fn full_num_synapses(&self) -> Vec<Vec<f64>> {
        let n = self.full_sizes();
        let c = &self.connectivity.conn_probs_target_by_source;
        (0..self.num_pops())
            .map(|y| {
                (0..self.num_pops())
                    .map(|x| {
                        let prod = n[y] as f64 * n[x] as f64;
                        (1.0 - c[y][x]).ln() / ((prod - 1.0) / prod).ln()
                    })
                    .collect()
            })
            .collect()
    }

    /// PSC amplitude per mV of PSP peak (pA/mV) for the PD14 neuron.
    pub fn psc_over_psp(&self) -> f64 {
        psc_over_psp(
            self.neuron.c_m_pf,
            self.neuron.tau_m_ms,
            self.synapses.tau_syn_ms,
        )
    }

    /// Mean full-scale PSC matrix `[target][source]` in pA: excitatory PSP
    /// converted to a current, times `g` for inhibitory sources, times the
    /// L4E→L23E factor for that projection.
    pub fn mean_psc_matrix(&self) -> Vec<Vec<f64>> {
        let w_exc = self.synapses.psp_exc_mean_mv * self.psc_over_psp();
        let order = &self.populations.order;
        let l23e = order.iter().position(|n| n == "L23E");
        let l4e = order.iter().position(|n| n == "L4E");
        (0..self.num_pops())
            .map(|y| {
                (0..self.num_pops())
                    .map(|x| {
                        let mut w = if self.is_excitatory(x) {
                            w_exc
                        } else {
                            w_exc * self.synapses.g_relative_inhibitory
                        };
                        if Some(y) == l23e && Some(x) == l4e {
                            w *= self.synapses.l4e_to_l23e_factor;
                        }
                        w
                    })
                    .collect()
            })
            .collect()
    }

    /// External weight (pA) at full scale: the excitatory PSP as a current.
    pub fn weight_ext(&self) -> f64 {
        self.synapses.psp_exc_mean_mv * self.psc_over_psp()
    }

    /// Full-scale DC amplitude replacing the Poisson background, per
    /// population: `0.001 * tau_syn * bg_rate * K_ext * w_ext` (pA).
    pub fn dc_full_scale(&self) -> Vec<f64> {
        let w = self.weight_ext();
        self.populations
            .order
            .iter()
            .map(|n| {
                0.001
                    * self.synapses.tau_syn_ms
                    * self.external_input.bg_rate_hz
                    * self.external_input.k_ext[n]
                    * w
            })
            .collect()
    }

    /// The DC (pA) of every population with this drive and in-degree
    /// scaling: the DC drive (if any) plus the reference's compensation for
    /// `k_scale != 1` (see [`pd14`]).
    pub fn dc_currents(&self, drive: Pd14Drive, k_scale: f64) -> Vec<f64> {
        let np = self.num_pops();
        let order = &self.populations.order;
        let full_n = self.full_sizes();
        let full_k = self.full_num_synapses();
        let psc = self.mean_psc_matrix();
        let w_ext = self.weight_ext();
        let sqrt_k = k_scale.sqrt();
        let tau_syn = self.synapses.tau_syn_ms;
        let bg = self.external_input.bg_rate_hz;
        let nu = &self.reference_rates_hz.nest_current.values;
        let mut dc: Vec<f64> = match drive {
            Pd14Drive::Dc => self.dc_full_scale(),
            Pd14Drive::Poisson => vec![0.0; np],
        };
        if k_scale != 1.0 {
            for y in 0..np {
                // recurrent input of the full network (in-degrees K_yx / N_y)
                let input_rec: f64 = (0..np)
                    .map(|x| psc[y][x] * (full_k[y][x] / full_n[y] as f64) * nu[x])
                    .sum();
                dc[y] += 0.001 * tau_syn * (1.0 - sqrt_k) * input_rec;
                if drive == Pd14Drive::Poisson {
                    let input_ext = w_ext * self.external_input.k_ext[&order[y]] * bg;
                    dc[y] += 0.001 * tau_syn * (1.0 - sqrt_k) * input_ext;
                }
            }
        }
        dc
    }

    /// Rheobase of the PD14 neuron (pA): the smallest constant current that
    /// brings it to threshold, `C_m (V_th - E_L) / tau_m` (375 pA).
    pub fn rheobase_pa(&self) -> f64 {
        let n = &self.neuron;
        n.c_m_pf * (n.v_th_mv - n.e_l_mv) / n.tau_m_ms
    }

    /// The populations whose DC with DC drive at `k_scale` is below
    /// rheobase (the JSON's `scaling.constraint`: such a population is
    /// silent unless the network drives it), with their DC in pA.
    pub fn dc_below_rheobase(&self, k_scale: f64) -> Vec<(String, f64)> {
        let rh = self.rheobase_pa();
        self.dc_currents(Pd14Drive::Dc, k_scale)
            .into_iter()
            .zip(&self.populations.order)
            .filter(|(dc, _)| *dc < rh)
            .map(|(dc, n)| (n.clone(), dc))
            .collect()
    }

    fn check(&self) -> Result<(), String> {
        let np = self.num_pops();
        let order = &self.populations.order;
        for n in order {
            for (what, ok) in [
                ("N_full", self.populations.n_full.contains_key(n)),
                ("K_ext", self.external_input.k_ext.contains_key(n)),
                (
                    "V0_mean_mV.optimized",
                    self.neuron.v0_mean_mv.optimized.contains_key(n),
                ),
                (
                    "V0_std_mV.optimized",
                    self.neuron.v0_std_mv.optimized.contains_key(n),
                ),
            ] {
                if !ok {
                    return Err(format!("{what} has no entry for population {n}"));
                }
            }
            if !(n.ends_with('E') || n.ends_with('I')) {
                return Err(format!("population {n} is neither E nor I"));
            }
        }
        let c = &self.connectivity.conn_probs_target_by_source;
        if c.len() != np || c.iter().any(|r| r.len() != np) {
            return Err("conn_probs_target_by_source is not num_pops x num_pops".into());
        }
        if self.reference_rates_hz.order != *order
            || self.reference_rates_hz.nest_current.values.len() != np
        {
            return Err("reference rates are not in population order".into());
        }
        let total: u64 = self.full_sizes().iter().map(|&s| s as u64).sum();
        if total != self.populations.n_total {
            return Err(format!(
                "N_full sums to {total}, N_total is {}",
                self.populations.n_total
            ));
        }
        Ok(())
    }
}

/// External drive of the PD14 neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pd14Drive {
    /// Constant current replacing the Poisson background (the INM-6 reference
    /// default, `bg_input_type = 'dc'`; recommended for benchmarking).
    Dc,
    /// Poisson background generated on chip (the NEST example default).
    Poisson,
}

impl Pd14Drive {
    /// The drive that gives a working model at in-degree scaling `k_scale`
    /// (what `spikefab` uses when `--drive` is not given): DC, the INM-6
    /// reference default, as long as the compensated DC keeps every
    /// population at or above rheobase (the JSON's `scaling.constraint`;
    /// `k_scale >= 0.5` with the reference data, full scale included);
    /// Poisson below that, as the NEST example does for its downscaled
    /// default (0.1 / 0.1), because the DC alone would leave the network
    /// nearly silent. Depends on `k_scale` only: `n_scale` does not change
    /// the DC.
    pub fn default_for(k_scale: f64) -> Pd14Drive {
        if pd14_data().dc_below_rheobase(k_scale).is_empty() {
            Pd14Drive::Dc
        } else {
            Pd14Drive::Poisson
        }
    }
}

/// Initial membrane potentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pd14V0 {
    /// Per-population normal distributions that avoid the start transient (reference default).
    Optimized,
    /// N(-58 mV, 10 mV) for every population (the original model).
    Original,
}

/// Parameters of [`pd14`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pd14Params {
    /// Neuron-number scaling (`N_scaling`); sizes are `round(n_scale * N)`.
    pub n_scale: f64,
    /// In-degree scaling (`K_scaling`); weights scale by `1/sqrt(k_scale)`.
    pub k_scale: f64,
    pub drive: Pd14Drive,
    pub v0: Pd14V0,
    /// Biological time simulated (ms).
    pub duration_ms: f64,
    pub seed: u64,
    pub dt_ms: f64,
}

impl Default for Pd14Params {
    /// Full scale, DC drive, optimized V0, the reference's duration, seed and step.
    fn default() -> Self {
        let d = pd14_data();
        Pd14Params {
            n_scale: 1.0,
            k_scale: 1.0,
            drive: Pd14Drive::Dc,
            v0: Pd14V0::Optimized,
            duration_ms: d.simulation.t_sim_ms_default,
            seed: d.simulation.rng_seed_default,
            dt_ms: d.simulation.dt_ms,
        }
    }
}

/// The Potjans & Diesmann (2014) cortical microcircuit, built exactly as the
/// INM-6 / NEST PyNEST reference builds it.
///
/// Sources (all values read from `sim/data/pd14_microcircuit.json`, which
/// cites them): Potjans & Diesmann, Cereb. Cortex 24:785–806 (2014),
/// doi:10.1093/cercor/bhs358; INM-6/microcircuit-PD14-model @ fd40046
/// (`PyNEST/src/microcircuit/network_params.py`, `helpers.py`, `network.py`,
/// model description); nest/nest-simulator @ e0a0745
/// (`pynest/examples/Potjans_2014`).
///
/// Construction:
/// - sizes `N* = round(n_scale N)`;
/// - synapse numbers `round(K n_scale k_scale)` with the full-scale
///   `K = ln(1-C)/ln(1 - 1/(N_post N_pre))`, rule `fixed_total_number`
///   (multapses and autapses);
/// - weights: PSP 0.15 mV as a current (87.81 pA), ×2 for L4E→L23E, ×g = −4
///   for inhibitory sources, relative sd 0.1, all ×1/sqrt(k_scale);
/// - delays 1.5 ms (excitatory sources) / 0.75 ms (inhibitory), relative sd 0.5;
/// - DC drive: `0.001 tau_syn bg_rate K_ext w_ext` at full scale (the
///   reference uses the unscaled `K_ext` and `w_ext` here); Poisson drive:
///   `round(K_ext k_scale)` inputs at `bg_rate` with weight `w_ext/sqrt(k_scale)`;
/// - for `k_scale != 1` the reference DC compensation
///   `0.001 tau_syn (1 - sqrt(k_scale)) Σ_x J_yx K_yx ν_x` (full-scale mean
///   weights, full-scale in-degrees, reference rates), plus the same term for
///   the external input when the drive is Poisson.
///
/// Errors for non-positive or non-finite scales, a scale so small that a
/// population would be empty, or so large that the model exceeds a limit of
/// the format (neurons, synapses, Poisson indegree); each names the scale.
pub fn pd14(p: &Pd14Params) -> Result<Network, String> {
    check_positive("n_scale", p.n_scale)?;
    check_positive("k_scale", p.k_scale)?;
    check_positive("dt_ms", p.dt_ms)?;
    if !(p.duration_ms.is_finite() && p.duration_ms >= 0.0) {
        return Err(format!(
            "duration_ms must be a non-negative finite number, got {}",
            p.duration_ms
        ));
    }
    let d = pd14_data();
    let np = d.num_pops();
    let order = &d.populations.order;
    let full_n = d.full_sizes();
    let sizes: Vec<u32> = full_n
        .iter()
        .map(|&n| np_round(n as f64 * p.n_scale) as u32)
        .collect();
    if let Some(i) = sizes.iter().position(|&s| s == 0) {
        return Err(format!(
            "n_scale = {} leaves population {} empty",
            p.n_scale, order[i]
        ));
    }
    if sizes.iter().map(|&s| s as u64).sum::<u64>() >= 1 << crate::connect::TARGET_BITS {
        return Err(format!(
            "n_scale = {} gives more neurons than a synapse key can address",
            p.n_scale
        ));
    }

    let full_k = d.full_num_synapses();
    let psc = d.mean_psc_matrix();
    let w_ext = d.weight_ext();
    let sqrt_k = p.k_scale.sqrt();
    let bg = d.external_input.bg_rate_hz;

    // Per-population DC (pA).
    let dc = d.dc_currents(p.drive, p.k_scale);

    let nd = &d.neuron;
    let populations = (0..np)
        .map(|y| {
            let name = &order[y];
            let v_init = match p.v0 {
                Pd14V0::Optimized => VInit::Normal {
                    mean_mv: nd.v0_mean_mv.optimized[name],
                    std_mv: nd.v0_std_mv.optimized[name],
                },
                Pd14V0::Original => VInit::Normal {
                    mean_mv: nd.v0_mean_mv.original,
                    std_mv: nd.v0_std_mv.original,
                },
            };
            let poisson = match p.drive {
                Pd14Drive::Dc => Ok::<_, String>(None),
                Pd14Drive::Poisson => {
                    let k = np_round(d.external_input.k_ext[name] * p.k_scale);
                    if k > f64::from(u32::MAX) {
                        return Err(format!(
                            "k_scale = {} gives population {name} a Poisson indegree of {k:e}, more than the largest indegree, {} (2^32 - 1)",
                            p.k_scale,
                            u32::MAX
                        ));
                    }
                    let k = k as u32;
                    Ok((k > 0).then(|| PoissonDrive {
                        rate_hz: bg,
                        indegree: k,
                        weight_pa: w_ext / sqrt_k,
                    }))
                }
            }?;
            Ok(Population {
 kind: crate::net::PopulationKind::Lif,
                name: name.clone(),
                size: sizes[y],
                neuron: NeuronParams {
                    tau_m_ms: nd.tau_m_ms,
                    c_m_pf: nd.c_m_pf,
                    e_l_mv: nd.e_l_mv,
                    v_th_mv: nd.v_th_mv,
                    v_reset_mv: nd.v_reset_mv,
                    t_ref_ms: nd.t_ref_ms,
                    tau_syn_ex_ms: nd.tau_syn_ex_ms,
                    tau_syn_in_ms: nd.tau_syn_in_ms,
                },
                v_init,
                background: Background {
                    dc_pa: dc[y],
                    poisson,
                },
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let mut projections = Vec::new();
    for (y, tgt) in order.iter().enumerate() {
        for (x, src) in order.iter().enumerate() {
            let n = np_round(full_k[y][x] * p.n_scale * p.k_scale);
            if n < 1.0 {
                continue;
            }
            if n > MAX_SYNAPSES as f64 {
                return Err(format!(
                    "k_scale = {} with n_scale = {} gives projection {src}->{tgt} {n:e} synapses, more than the limit of {MAX_SYNAPSES} (2^36) synapses in a network",
                    p.k_scale, p.n_scale
                ));
            }
            let mean_w = psc[y][x] / sqrt_k;
            let mean_d = if d.is_excitatory(x) {
                d.synapses.delay_exc_mean_ms
            } else {
                d.synapses.delay_inh_mean_ms
            };
            projections.push(Projection {
                name: Some(format!("{src}->{tgt}")),
                source: src.clone(),
                target: tgt.clone(),
                rule: Rule::FixedTotalNumber {
                    n: n as u64,
                    autapses: true,
                },
                weight: Some(WeightDist {
                    mean_pa: mean_w,
                    sd_pa: (mean_w * d.synapses.weight_rel_std).abs(),
                }),
                delay: Some(DelayDist {
                    mean_ms: mean_d,
                    sd_ms: mean_d * d.synapses.delay_rel_std,
                }),
                stdp: None,
            });
        }
    }

    let net = Network {
        name: Some("pd14".into()),
        simulation: Simulation {
            dt_ms: p.dt_ms,
            duration_ms: p.duration_ms,
            seed: p.seed,
        },
        recording: Recording::default(),
        numerics: NumericsConfig::default(),
        plasticity: None,
        populations,
        projections,
    };
    // The synapse limits of the format (total, per source neuron).
    if let Some(d) = limit_problems(&net).first() {
        return Err(format!(
            "k_scale = {} with n_scale = {} makes the model too large: {}: {}",
            p.k_scale, p.n_scale, d.object, d.message
        ));
    }
    Ok(net)
}
