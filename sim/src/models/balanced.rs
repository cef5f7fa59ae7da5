//! A Brunel (2000)-style sparse balanced network of excitatory and inhibitory
//! `iaf_psc_exp` neurons with Poisson drive. See `docs/models.md`.

use super::{check_positive, np_round, psc_over_psp};
use crate::net::{
    Background, DelayDist, Network, NeuronParams, PoissonDrive, Population, Projection, Recording,
    Rule, Simulation, VInit, WeightDist,
};
use crate::numerics::NumericsConfig;

/// Membrane time constant (ms).
pub const TAU_M_MS: f64 = 20.0;
/// Membrane capacitance (pF).
pub const C_M_PF: f64 = 250.0;
/// Resting potential (mV).
pub const E_L_MV: f64 = -70.0;
/// Threshold (mV); `theta = V_th - E_L = 20 mV` as in Brunel (2000).
pub const V_TH_MV: f64 = -50.0;
/// Reset potential (mV); 10 mV above rest as in Brunel (2000).
pub const V_RESET_MV: f64 = -60.0;
/// Absolute refractory period (ms).
pub const T_REF_MS: f64 = 2.0;
/// Synaptic time constant of both channels (ms).
pub const TAU_SYN_MS: f64 = 0.5;
/// Transmission delay of every recurrent synapse (ms).
pub const DELAY_MS: f64 = 1.5;
/// Fraction of excitatory neurons.
pub const EXC_FRACTION: f64 = 0.8;

/// Parameters of [`balanced`].
#[derive(Debug, Clone, PartialEq)]
pub struct BalancedParams {
    /// Total number of neurons: `round(0.8 n)` excitatory, the rest inhibitory.
    pub n: u32,
    /// Biological time simulated (ms).
    pub duration_ms: f64,
    pub seed: u64,
    pub dt_ms: f64,
    /// Relative strength of inhibition: inhibitory weight = `-g` × excitatory weight.
    pub g: f64,
    /// External rate relative to the threshold rate: `nu_ext = eta * nu_thr`.
    pub eta: f64,
    /// Peak amplitude of the excitatory PSP (mV), converted to a PSC amplitude.
    pub j_psp_mv: f64,
    /// In-degree as a fraction of the presynaptic population size.
    pub epsilon: f64,
}

impl Default for BalancedParams {
    /// 1250 neurons, 1 s, seed 1, dt 0.1 ms, g = 5, eta = 1, epsilon = 0.1 and
    /// J = 0.5 mV: an asynchronous-irregular state at about 22 Hz (see
    /// `docs/models.md` for the scan that chose it).
    fn default() -> Self {
        BalancedParams {
            n: 1250,
            duration_ms: 1000.0,
            seed: 1,
            dt_ms: 0.1,
            g: 5.0,
            eta: 1.0,
            j_psp_mv: DEFAULT_J_PSP_MV,
            epsilon: 0.1,
        }
    }
}

/// Default excitatory PSP peak (mV), tuned with the reference engine (docs/models.md).
pub const DEFAULT_J_PSP_MV: f64 = 0.5;

/// Derived quantities of a balanced network (for reports and tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BalancedDerived {
    pub n_e: u32,
    pub n_i: u32,
    /// Excitatory in-degree `round(epsilon N_E)` (also the Poisson in-degree).
    pub c_e: u32,
    /// Inhibitory in-degree `round(epsilon N_I)`.
    pub c_i: u32,
    /// Excitatory PSC amplitude (pA).
    pub w_exc_pa: f64,
    /// Inhibitory PSC amplitude (pA), `-g w_exc`.
    pub w_inh_pa: f64,
    /// `nu_thr = theta / (J C_E tau_m)` (Hz).
    pub nu_thr_hz: f64,
    /// Rate of each external Poisson input, `eta nu_thr` (Hz).
    pub nu_ext_hz: f64,
}

impl BalancedParams {
    /// Sizes, in-degrees, weights and rates the builder uses.
    pub fn derived(&self) -> Result<BalancedDerived, String> {
        if self.n < 2 {
            return Err(format!("n must be at least 2, got {}", self.n));
        }
        check_positive("dt_ms", self.dt_ms)?;
        check_positive("j_psp_mv", self.j_psp_mv)?;
        check_positive("epsilon", self.epsilon)?;
        if self.epsilon > 1.0 {
            return Err(format!("epsilon must not exceed 1, got {}", self.epsilon));
        }
        if !(self.g.is_finite() && self.g >= 0.0) {
            return Err(format!(
                "g must be a non-negative finite number, got {}",
                self.g
            ));
        }
        if !(self.eta.is_finite() && self.eta >= 0.0) {
            return Err(format!(
                "eta must be a non-negative finite number, got {}",
                self.eta
            ));
        }
        if !(self.duration_ms.is_finite() && self.duration_ms >= 0.0) {
            return Err(format!(
                "duration_ms must be a non-negative finite number, got {}",
                self.duration_ms
            ));
        }
        let n_e = (np_round(EXC_FRACTION * self.n as f64) as u32).clamp(1, self.n - 1);
        let n_i = self.n - n_e;
        let c_e = np_round(self.epsilon * n_e as f64) as u32;
        let c_i = np_round(self.epsilon * n_i as f64) as u32;
        if c_e == 0 || c_i == 0 {
            return Err(format!(
                "epsilon = {} gives an in-degree of zero (C_E = {c_e}, C_I = {c_i})",
                self.epsilon
            ));
        }
        let w_exc_pa = self.j_psp_mv * psc_over_psp(C_M_PF, TAU_M_MS, TAU_SYN_MS);
        let theta = V_TH_MV - E_L_MV;
        let nu_thr_hz = 1000.0 * theta / (self.j_psp_mv * c_e as f64 * TAU_M_MS);
        Ok(BalancedDerived {
            n_e,
            n_i,
            c_e,
            c_i,
            w_exc_pa,
            w_inh_pa: -self.g * w_exc_pa,
            nu_thr_hz,
            nu_ext_hz: self.eta * nu_thr_hz,
        })
    }
}

/// A sparse balanced E/I network after Brunel (2000).
///
/// Sources: N. Brunel, "Dynamics of sparsely connected networks of excitatory
/// and inhibitory spiking neurons", J. Comput. Neurosci. 8:183–208 (2000)
/// (architecture: 80 % E / 20 % I, in-degrees `C = epsilon N`, `g`, `eta`,
/// `nu_thr = theta/(J C_E tau_m)`, theta = 20 mV, V_r = 10 mV, t_ref = 2 ms,
/// tau_m = 20 ms, D = 1.5 ms); the neuron is NEST's `iaf_psc_exp` with
/// C_m = 250 pF and tau_syn = 0.5 ms as in the NEST `brunel_*` examples, and
/// the PSP amplitude is converted to a PSC amplitude with
/// [`super::psc_over_psp`] (NEST Potjans_2014 example `helpers.py`).
///
/// Rule `fixed_indegree` without autapses, `C_E` excitatory and `C_I`
/// inhibitory inputs per neuron; excitatory weight from `j_psp_mv`, inhibitory
/// `-g` times it; constant delay 1.5 ms; every neuron receives `C_E` Poisson
/// inputs at `eta nu_thr` with the excitatory weight; V0 uniform in
/// [E_L, V_th].
pub fn balanced(p: &BalancedParams) -> Result<Network, String> {
    let d = p.derived()?;
    let neuron = NeuronParams {
        tau_m_ms: TAU_M_MS,
        c_m_pf: C_M_PF,
        e_l_mv: E_L_MV,
        v_th_mv: V_TH_MV,
        v_reset_mv: V_RESET_MV,
        t_ref_ms: T_REF_MS,
        tau_syn_ex_ms: TAU_SYN_MS,
        tau_syn_in_ms: TAU_SYN_MS,
    };
    let pop = |name: &str, size: u32| Population {
        kind: crate::net::PopulationKind::Lif,
        name: name.into(),
        size,
        neuron: neuron.clone(),
        v_init: VInit::Uniform {
            low_mv: E_L_MV,
            high_mv: V_TH_MV,
        },
        background: Background {
            dc_pa: 0.0,
            poisson: (d.nu_ext_hz > 0.0).then_some(PoissonDrive {
                rate_hz: d.nu_ext_hz,
                indegree: d.c_e,
                weight_pa: d.w_exc_pa,
            }),
        },
    };
    let proj = |src: &str, tgt: &str, k: u32, w: f64| Projection {
        name: Some(format!("{src}->{tgt}")),
        source: src.into(),
        target: tgt.into(),
        rule: Rule::FixedIndegree { k, autapses: false },
        weight: Some(WeightDist {
            mean_pa: w,
            sd_pa: 0.0,
        }),
        delay: Some(DelayDist {
            mean_ms: DELAY_MS,
            sd_ms: 0.0,
        }),
        stdp: None,
    };
    Ok(Network {
        name: Some("balanced".into()),
        simulation: Simulation {
            dt_ms: p.dt_ms,
            duration_ms: p.duration_ms,
            seed: p.seed,
        },
        recording: Recording::default(),
        numerics: NumericsConfig::default(),
        plasticity: None,
        populations: vec![pop("E", d.n_e), pop("I", d.n_i)],
        projections: vec![
            proj("E", "E", d.c_e, d.w_exc_pa),
            proj("E", "I", d.c_e, d.w_exc_pa),
            proj("I", "E", d.c_i, d.w_inh_pa),
            proj("I", "I", d.c_i, d.w_inh_pa),
        ],
    })
}
