//! Builders for standard models. Each returns a [`crate::net::Network`], the
//! same description a network TOML file gives, so `Network::to_toml()` exports
//! it. The models, their parameters, sources and scaling rules are documented
//! in `docs/models.md`.
//!
//! - [`pd14`]: the Potjans & Diesmann (2014) cortical microcircuit, built the
//!   way the INM-6 / NEST PyNEST reference implementation builds it.
//! - [`balanced`]: a Brunel (2000)-style sparse balanced E/I network of
//!   `iaf_psc_exp` neurons.

pub mod balanced;
pub mod pd14;

pub use balanced::{balanced, BalancedParams};
pub use pd14::{pd14, pd14_data, Pd14Data, Pd14Drive, Pd14Params, Pd14V0};

/// Amplitude of the exponential post-synaptic current (pA) that gives a
/// post-synaptic potential peak of 1 mV in an `iaf_psc_exp` neuron, i.e. the
/// PSC/PSP conversion factor in pA/mV.
///
/// This is the closed form of the PSP peak of a current-based LIF neuron with
/// an exponential PSC (the NEST example helper
/// `postsynaptic_potential_to_current`, see `docs/models.md`):
/// `1 / (tau_m tau_s / (C_m (tau_s - tau_m)) * ((tau_m/tau_s)^(tau_m/(tau_s-tau_m)) - (tau_m/tau_s)^(tau_s/(tau_s-tau_m))))`.
/// Undefined (non-finite) for `tau_s == tau_m`.
pub fn psc_over_psp(c_m_pf: f64, tau_m_ms: f64, tau_syn_ms: f64) -> f64 {
    let sub = 1.0 / (tau_syn_ms - tau_m_ms);
    let pre = tau_m_ms * tau_syn_ms / c_m_pf * sub;
    let frac = (tau_m_ms / tau_syn_ms).powf(sub);
    1.0 / (pre * (frac.powf(tau_m_ms) - frac.powf(tau_syn_ms)))
}

/// `round` as numpy does it (ties to even), so that scaled sizes match the
/// Python reference exactly (`np.round(0.5 * 1065) == 532`).
pub(crate) fn np_round(x: f64) -> f64 {
    x.round_ties_even()
}

/// Check that a scale factor is a positive finite number.
pub(crate) fn check_positive(name: &str, x: f64) -> Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(format!("{name} must be a positive finite number, got {x}"))
    }
}
