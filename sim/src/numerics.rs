//! Fixed-point formats of the integer model: the one Rust config type that the
//! simulator, the quantizer and the hardware generator all read widths from.
//! Every field is described in `docs/numerics.md`.

use serde::{Deserialize, Serialize};

/// Widths and fractional bits of every state variable and parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NumericsConfig {
    /// Membrane potential relative to E_L: signed, `v_bits` wide, LSB = 2^-v_frac mV.
    pub v_bits: u32,
    /// Fractional bits of the membrane potential.
    pub v_frac: u32,
    /// Synaptic currents (excitatory and inhibitory): signed, `i_bits` wide, LSB = 2^-i_frac pA.
    pub i_bits: u32,
    /// Fractional bits of the synaptic currents.
    pub i_frac: u32,
    /// Synaptic weights: signed, `w_bits` wide (at most 16).
    pub w_bits: u32,
    /// A weight `w` adds `w << w_shift` current LSBs.
    pub w_shift: u32,
    /// Per-neuron, per-channel, per-delay-slot input accumulator: signed, `acc_bits` wide (at most 32).
    pub acc_bits: u32,
    /// Propagators (decay factors and the current-to-voltage factor): unsigned, `coef_bits` wide.
    pub coef_bits: u32,
    /// Fractional bits of the propagators.
    pub coef_frac: u32,
    /// Largest axonal delay in steps; the delay ring has `max_delay_steps + 1` slots.
    pub max_delay_steps: u32,
    /// Refractory counter: unsigned, `ref_bits` wide.
    pub ref_bits: u32,
    /// STDP traces: unsigned, `trace_bits` wide, one spike adds 2^trace_frac.
    pub trace_bits: u32,
    /// Fractional bits of the STDP traces.
    pub trace_frac: u32,
    /// Entries of the Poisson inverse-CDF table (largest count one step can draw).
    pub poisson_table_len: u32,
}

impl Default for NumericsConfig {
    fn default() -> Self {
        NumericsConfig {
            v_bits: 24,
            v_frac: 14,
            i_bits: 24,
            i_frac: 3,
            w_bits: 16,
            w_shift: 0,
            acc_bits: 32,
            coef_bits: 20,
            coef_frac: 18,
            max_delay_steps: 63,
            ref_bits: 8,
            trace_bits: 16,
            trace_frac: 12,
            poisson_table_len: 32,
        }
    }
}

/// Largest value of a signed `bits`-wide integer.
pub const fn smax(bits: u32) -> i64 {
    (1i64 << (bits - 1)) - 1
}

/// Smallest value of a signed `bits`-wide integer.
pub const fn smin(bits: u32) -> i64 {
    -(1i64 << (bits - 1))
}

/// Largest value of an unsigned `bits`-wide integer.
pub const fn umax(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Saturate `x` to a signed `bits`-wide integer.
#[inline(always)]
pub fn sat_s(x: i64, bits: u32) -> i64 {
    x.clamp(smin(bits), smax(bits))
}

/// Saturate `x` to an unsigned `bits`-wide integer (negative values become 0).
#[inline(always)]
pub fn sat_u(x: i64, bits: u32) -> i64 {
    x.clamp(0, umax(bits) as i64)
}

/// Round-half-up right shift: `(x + 2^(s-1)) >> s`, where `>>` is the
/// arithmetic shift (floor). Ties round toward plus infinity, for negative
/// values too: `rshift_round(-3, 1) == -1`, `rshift_round(-5, 1) == -2`.
#[inline(always)]
pub fn rshift_round(x: i64, s: u32) -> i64 {
    if s == 0 {
        x
    } else {
        (x + (1i64 << (s - 1))) >> s
    }
}

impl NumericsConfig {
    /// Number of slots of the delay ring.
    pub fn delay_slots(&self) -> u32 {
        self.max_delay_steps + 1
    }

    /// Hardware/format limits every config must respect. Returns (field, message) pairs.
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut errs = Vec::new();
        let mut range = |field: &'static str, v: u32, lo: u32, hi: u32| {
            if v < lo || v > hi {
                errs.push((
                    field,
                    format!("{v} is outside the supported range {lo}..={hi}"),
                ));
            }
        };
        range("v_bits", self.v_bits, 4, 32);
        range("i_bits", self.i_bits, 4, 32);
        range("w_bits", self.w_bits, 2, 16);
        range("acc_bits", self.acc_bits, 4, 32);
        range("coef_bits", self.coef_bits, 2, 28);
        range("max_delay_steps", self.max_delay_steps, 1, 255);
        range("ref_bits", self.ref_bits, 1, 16);
        range("trace_bits", self.trace_bits, 2, 24);
        range("poisson_table_len", self.poisson_table_len, 1, 256);
        if self.v_frac >= self.v_bits {
            errs.push((
                "v_frac",
                format!("{} must be below v_bits ({})", self.v_frac, self.v_bits),
            ));
        }
        if self.i_frac >= self.i_bits {
            errs.push((
                "i_frac",
                format!("{} must be below i_bits ({})", self.i_frac, self.i_bits),
            ));
        }
        if self.coef_frac > self.coef_bits {
            errs.push((
                "coef_frac",
                format!(
                    "{} must not exceed coef_bits ({})",
                    self.coef_frac, self.coef_bits
                ),
            ));
        }
        if self.trace_frac >= self.trace_bits {
            errs.push((
                "trace_frac",
                format!(
                    "{} must be below trace_bits ({})",
                    self.trace_frac, self.trace_bits
                ),
            ));
        }
        if self.w_bits.saturating_add(self.w_shift) > self.i_bits {
            errs.push((
                "w_shift",
                format!(
                    "w_bits + w_shift = {} exceeds i_bits ({}): a single weight could not be represented as a current",
                    self.w_bits.saturating_add(self.w_shift),
                    self.i_bits
                ),
            ));
        }
        if self.w_bits.saturating_add(self.w_shift) > self.acc_bits {
            errs.push((
                "acc_bits",
                format!(
                    "{} is narrower than w_bits + w_shift = {}",
                    self.acc_bits,
                    self.w_bits.saturating_add(self.w_shift)
                ),
            ));
        }
        errs
    }

    /// A stable short hash of the config (FNV-1a over the canonical JSON form).
    pub fn hash_hex(&self) -> String {
        let s = serde_json::to_string(self).expect("numerics config serializes");
        format!("{:016x}", crate::rng::fnv1a64(s.as_bytes()))
    }
}
