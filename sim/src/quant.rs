//! Quantization: the one step that turns a network description in physical
//! units into the integer model that the simulator and the hardware execute,
//! and reports the quantization error of every parameter.
//!
//! Formulas are those of NEST's `iaf_psc_exp` exact integration (Rotter &
//! Diesmann 1999), evaluated in f64 and rounded to nearest; see docs/numerics.md.

use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{Network, VInit};
use crate::numerics::{smax, umax, NumericsConfig};
use crate::path;

/// Integer parameters of one population (shared by all its neurons).
#[derive(Debug, Clone, PartialEq)]
pub struct PopParams {
    pub name: String,
    /// First global neuron index.
    pub start: u32,
    pub size: u32,
    /// Membrane decay exp(-dt/tau_m), unsigned Q(coef_frac).
    pub p22: i64,
    /// Excitatory current decay exp(-dt/tau_syn_ex), unsigned Q(coef_frac).
    pub p11_ex: i64,
    /// Inhibitory current decay exp(-dt/tau_syn_in), unsigned Q(coef_frac).
    pub p11_in: i64,
    /// Excitatory current-to-voltage propagator, V LSBs per I LSB, unsigned Q(coef_frac).
    pub p21_ex: i64,
    /// Inhibitory current-to-voltage propagator, V LSBs per I LSB, unsigned Q(coef_frac).
    pub p21_in: i64,
    /// Constant drive P20 * I_dc in V LSBs scaled by 2^coef_frac (signed).
    pub dc_term: i64,
    /// Threshold V_th - E_L in V LSBs.
    pub theta: i64,
    /// Reset V_reset - E_L in V LSBs.
    pub v_reset: i64,
    /// Refractory period in steps.
    pub ref_steps: u32,
    /// Poisson background, if any.
    pub poisson: Option<PoissonParams>,
    /// Initial potential distribution (physical, relative to E_L, in V LSBs as f64).
    pub v_init: VInitQ,
    /// An input population (`kind = "input"`): its neurons spike when a
    /// run's input forces them ([`crate::engine::Engine::set_input`]); the
    /// parameters above keep them at rest otherwise ([`PopParams::input`]).
    pub input: bool,
}

impl PopParams {
    /// The integer parameters of an input population of `v_bits`-bit
    /// potentials: no decay terms, no drive, a threshold no potential
    /// reaches (the largest), reset to rest, no refractoriness, no
    /// background, starting at rest. A neuron of it stays at 0 and spikes
    /// only when forced; a forced spike resets it to 0, as it was.
    pub fn input(name: &str, start: u32, size: u32, v_bits: u32) -> PopParams {
        PopParams {
            name: name.to_string(),
            start,
            size,
            p22: 0,
            p11_ex: 0,
            p11_in: 0,
            p21_ex: 0,
            p21_in: 0,
            dc_term: 0,
            theta: smax(v_bits),
            v_reset: 0,
            ref_steps: 0,
            poisson: None,
            v_init: VInitQ::Constant(0.0),
            input: true,
        }
    }
}

/// Initial-potential distribution in V LSBs relative to E_L (drawn, then rounded).
#[derive(Debug, Clone, PartialEq)]
pub enum VInitQ {
    Constant(f64),
    Normal { mean: f64, std: f64 },
    Uniform { low: f64, high: f64 },
}

/// On-chip Poisson background of a population.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonParams {
    /// Mean count per step (rate * indegree * dt).
    pub lambda: f64,
    /// cdf[k] = floor(P(count <= k) * 2^32), saturated to 2^32-1; length `poisson_table_len`.
    pub cdf: Vec<u32>,
    /// Weight of one background event, in weight LSBs.
    pub weight: i64,
}

impl PoissonParams {
    /// The count drawn from a 32-bit uniform `u`: the number of table entries <= u.
    #[inline(always)]
    pub fn count(&self, u: u32) -> u32 {
        // The length of the prefix of entries <= u (the hardware's comparator
        // chain with a priority encoder). Most draws stop within the first
        // four entries: those are compared without branches, so the random
        // outcome costs no mispredicted jump.
        let c = &self.cdf;
        if c.len() >= 4 {
            let (a, b, d, e) = (c[0] <= u, c[1] <= u, c[2] <= u, c[3] <= u);
            let head = a as u32 + (a & b) as u32 + (a & b & d) as u32 + (a & b & d & e) as u32;
            if head < 4 {
                return head;
            }
        }
        let mut k = if c.len() >= 4 { 4 } else { 0 };
        while (k as usize) < c.len() && c[k as usize] <= u {
            k += 1;
        }
        k
    }
}

/// Integer STDP parameters of one plastic projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdpParams {
    /// Potentiation amplitude, weight LSBs at trace 1.0.
    pub a_plus: i64,
    /// Depression amplitude, weight LSBs at trace 1.0.
    pub a_minus: i64,
    pub w_min: i64,
    pub w_max: i64,
}

/// Trace decay factors (shared by all neurons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceParams {
    /// exp(-dt/tau_plus), unsigned Q(coef_frac): presynaptic trace.
    pub p_plus: i64,
    /// exp(-dt/tau_minus), unsigned Q(coef_frac): postsynaptic trace.
    pub p_minus: i64,
}

/// One line of the quantization report.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantEntry {
    pub object: String,
    pub param: String,
    pub exact: f64,
    pub quantized: f64,
}

impl QuantEntry {
    /// Relative error |q - x| / |x| (absolute error when x is 0).
    pub fn rel_err(&self) -> f64 {
        let d = (self.quantized - self.exact).abs();
        if self.exact == 0.0 {
            d
        } else {
            d / self.exact.abs()
        }
    }
}

/// The integer model: everything the engine and the generator need except connectivity.
#[derive(Debug, Clone)]
pub struct IntModel {
    pub name: String,
    pub numerics: NumericsConfig,
    pub dt_ms: f64,
    pub steps: u64,
    pub seed: u64,
    pub neurons: u32,
    pub pops: Vec<PopParams>,
    pub traces: Option<TraceParams>,
    /// STDP rule of each projection (None for static projections).
    pub stdp: Vec<Option<StdpParams>>,
    /// Weight LSB in pA (a weight integer w means w * w_lsb_pa).
    pub w_lsb_pa: f64,
    pub report: Vec<QuantEntry>,
}

impl IntModel {
    /// Population index of a global neuron index.
    pub fn pop_of(&self, n: u32) -> usize {
        match self.pops.binary_search_by(|p| p.start.cmp(&n)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Convert a weight in pA to weight LSBs (rounded, not range-checked).
    pub fn weight_to_int(&self, pa: f64) -> i64 {
        (pa / self.w_lsb_pa).round() as i64
    }

    /// Worst relative error over the report.
    pub fn worst_error(&self) -> Option<&QuantEntry> {
        self.report
            .iter()
            .max_by(|a, b| a.rel_err().total_cmp(&b.rel_err()))
    }
}

/// The exact-integration propagator from synaptic current to membrane
/// potential over one step, in mV per pA (NEST `propagator_32`).
pub fn p21_mv_per_pa(tau_syn: f64, tau_m: f64, c_m: f64, h: f64) -> f64 {
    tau_syn * tau_m / (c_m * (tau_m - tau_syn)) * ((-h / tau_m).exp() - (-h / tau_syn).exp())
}

/// The propagator from a constant current to membrane potential, mV per pA.
pub fn p20_mv_per_pa(tau_m: f64, c_m: f64, h: f64) -> f64 {
    tau_m / c_m * (1.0 - (-h / tau_m).exp())
}

struct Q<'a> {
    report: &'a mut Vec<QuantEntry>,
    errs: &'a mut Vec<Diagnostic>,
}

impl Q<'_> {
    /// Round `exact * scale` to an integer that must lie in lo..=hi.
    #[allow(clippy::too_many_arguments)]
    fn int(
        &mut self,
        object: &str,
        path: Vec<crate::diag::Seg>,
        param: &str,
        exact: f64,
        scale: f64,
        lo: i64,
        hi: i64,
        what: &str,
    ) -> i64 {
        let x = exact * scale;
        if !x.is_finite() || x.round() < lo as f64 || x.round() > hi as f64 {
            self.errs.push(Diagnostic::new(
                object,
                path,
                format!(
                    "{param} = {exact} does not fit {what}: representable range is {} ..= {}",
                    lo as f64 / scale,
                    hi as f64 / scale
                ),
            ));
            return 0;
        }
        let q = x.round() as i64;
        self.report.push(QuantEntry {
            object: object.to_string(),
            param: param.to_string(),
            exact,
            quantized: q as f64 / scale,
        });
        q
    }
}

/// Turn a (validated) network into the integer model. All problems are
/// collected; each names the object and field.
pub fn quantize(net: &Network) -> Result<IntModel, Diagnostics> {
    let nc = net.numerics;
    let mut errs = Vec::new();
    for (field, msg) in nc.check() {
        errs.push(Diagnostic::new("numerics", path!["numerics", field], msg));
    }
    if net.populations.len() > u16::MAX as usize {
        errs.push(Diagnostic::new(
            "network",
            path!["population"],
            format!(
                "{} populations: at most {} are supported (the engine stores a 16-bit population index per neuron)",
                net.populations.len(),
                u16::MAX
            ),
        ));
    }
    if !errs.is_empty() {
        return Err(Diagnostics(errs));
    }
    let h = net.simulation.dt_ms;
    let mut report = Vec::new();
    let cs = (1u64 << nc.coef_frac) as f64;
    let coef_hi = umax(nc.coef_bits) as i64;
    let vs = (1u64 << nc.v_frac) as f64;
    let is = (1u64 << nc.i_frac) as f64;
    let w_lsb_pa = (1u64 << nc.w_shift) as f64 / is;
    let coef_what = format!(
        "the unsigned Q{}.{} propagator format",
        nc.coef_bits - nc.coef_frac,
        nc.coef_frac
    );
    let v_what = format!(
        "the signed {}-bit membrane format (LSB 2^-{} mV)",
        nc.v_bits, nc.v_frac
    );
    let w_what = format!(
        "the signed {}-bit weight format (LSB {} pA)",
        nc.w_bits, w_lsb_pa
    );
    let vmax = smax(nc.v_bits);
    let wmax = smax(nc.w_bits);
    let mut pops = Vec::with_capacity(net.populations.len());
    let offsets = net.population_offsets();
    {
        let mut q = Q {
            report: &mut report,
            errs: &mut errs,
        };
        for (pi, p) in net.populations.iter().enumerate() {
            if p.is_input() {
                pops.push(PopParams::input(&p.name, offsets[pi], p.size, nc.v_bits));
                continue;
            }
            let obj = format!("population \"{}\"", p.name);
            let n = &p.neuron;
            let np = |f: &str| path!["population", pi, "neuron", f];
            let p22 = q.int(
                &obj,
                np("tau_m_ms"),
                "P22 = exp(-dt/tau_m)",
                (-h / n.tau_m_ms).exp(),
                cs,
                0,
                coef_hi,
                &coef_what,
            );
            let p11_ex = q.int(
                &obj,
                np("tau_syn_ex_ms"),
                "P11ex = exp(-dt/tau_syn_ex)",
                (-h / n.tau_syn_ex_ms).exp(),
                cs,
                0,
                coef_hi,
                &coef_what,
            );
            let p11_in = q.int(
                &obj,
                np("tau_syn_in_ms"),
                "P11in = exp(-dt/tau_syn_in)",
                (-h / n.tau_syn_in_ms).exp(),
                cs,
                0,
                coef_hi,
                &coef_what,
            );
            let vi = vs / is; // V LSBs per I LSB per (mV/pA)
            let p21_ex = q.int(
                &obj,
                np("tau_syn_ex_ms"),
                "P21ex (V LSB per I LSB)",
                p21_mv_per_pa(n.tau_syn_ex_ms, n.tau_m_ms, n.c_m_pf, h) * vi,
                cs,
                0,
                coef_hi,
                &coef_what,
            );
            let p21_in = q.int(
                &obj,
                np("tau_syn_in_ms"),
                "P21in (V LSB per I LSB)",
                p21_mv_per_pa(n.tau_syn_in_ms, n.tau_m_ms, n.c_m_pf, h) * vi,
                cs,
                0,
                coef_hi,
                &coef_what,
            );
            let dc_mv = p20_mv_per_pa(n.tau_m_ms, n.c_m_pf, h) * p.background.dc_pa;
            let dc_term = q.int(
                &obj,
                path!["population", pi, "background", "dc_pa"],
                "P20*I_dc (mV per step)",
                dc_mv,
                vs * cs,
                -(vmax << nc.coef_frac),
                vmax << nc.coef_frac,
                &v_what,
            );
            let theta = q.int(
                &obj,
                np("v_th_mv"),
                "V_th - E_L (mV)",
                n.v_th_mv - n.e_l_mv,
                vs,
                -vmax - 1,
                vmax,
                &v_what,
            );
            let v_reset = q.int(
                &obj,
                np("v_reset_mv"),
                "V_reset - E_L (mV)",
                n.v_reset_mv - n.e_l_mv,
                vs,
                -vmax - 1,
                vmax,
                &v_what,
            );
            if theta <= v_reset && q.errs.is_empty() {
                q.errs.push(Diagnostic::new(
                    &obj,
                    np("v_reset_mv"),
                    format!(
                        "V_reset ({} mV) and V_th ({} mV) are less than one potential LSB apart after quantization (2^-{} mV)",
                        n.v_reset_mv, n.v_th_mv, nc.v_frac
                    ),
                ));
            }
            let ref_steps = q.int(
                &obj,
                np("t_ref_ms"),
                "t_ref (steps)",
                n.t_ref_ms / h,
                1.0,
                0,
                umax(nc.ref_bits) as i64,
                &format!("the {}-bit refractory counter", nc.ref_bits),
            ) as u32;
            let poisson = p.background.poisson.as_ref().map(|pd| {
                let lambda = pd.rate_hz * pd.indegree as f64 * h * 1e-3;
                let (cdf, tail) = poisson_table(lambda, nc.poisson_table_len as usize);
                if tail > 1e-6 {
                    q.errs.push(Diagnostic::new(
                        &obj,
                        path!["population", pi, "background", "poisson", "rate_hz"],
                        format!(
                            "a mean of {lambda:.3} background events per step needs more than poisson_table_len = {} table entries (truncated tail mass {tail:.2e} > 1e-6); raise numerics.poisson_table_len",
                            nc.poisson_table_len
                        ),
                    ));
                }
                q.report.push(QuantEntry {
                    object: obj.clone(),
                    param: "Poisson mean per step (table)".into(),
                    exact: lambda,
                    quantized: table_mean(&cdf),
                });
                let weight = q.int(&obj, path!["population", pi, "background", "poisson", "weight_pa"], "background weight (pA)", pd.weight_pa, 1.0 / w_lsb_pa, -wmax - 1, wmax, &w_what);
                PoissonParams { lambda, cdf, weight }
            });
            let v_init = match p.v_init {
                VInit::Constant { v_mv } => VInitQ::Constant((v_mv - n.e_l_mv) * vs),
                VInit::Normal { mean_mv, std_mv } => VInitQ::Normal {
                    mean: (mean_mv - n.e_l_mv) * vs,
                    std: std_mv * vs,
                },
                VInit::Uniform { low_mv, high_mv } => VInitQ::Uniform {
                    low: (low_mv - n.e_l_mv) * vs,
                    high: (high_mv - n.e_l_mv) * vs,
                },
            };
            pops.push(PopParams {
                name: p.name.clone(),
                start: offsets[pi],
                size: p.size,
                p22,
                p11_ex,
                p11_in,
                p21_ex,
                p21_in,
                dc_term,
                theta,
                v_reset,
                ref_steps,
                poisson,
                v_init,
                input: false,
            });
        }
    }
    let mut q = Q {
        report: &mut report,
        errs: &mut errs,
    };
    let traces = net.plasticity.as_ref().map(|pl| TraceParams {
        p_plus: q.int(
            "plasticity",
            path!["plasticity", "tau_plus_ms"],
            "exp(-dt/tau_plus)",
            (-h / pl.tau_plus_ms).exp(),
            cs,
            0,
            coef_hi,
            &coef_what,
        ),
        p_minus: q.int(
            "plasticity",
            path!["plasticity", "tau_minus_ms"],
            "exp(-dt/tau_minus)",
            (-h / pl.tau_minus_ms).exp(),
            cs,
            0,
            coef_hi,
            &coef_what,
        ),
    });
    let mut stdp = Vec::with_capacity(net.projections.len());
    for (ji, pr) in net.projections.iter().enumerate() {
        let obj = projection_object(net, ji);
        let wpath = |f: &str| path!["projection", ji, "weight", f];
        if let Some(w) = &pr.weight {
            // The drawn tail is saturated; mean +- 5 sd must fit.
            let lo = w.mean_pa - 5.0 * w.sd_pa;
            let hi = w.mean_pa + 5.0 * w.sd_pa;
            q.int(
                &obj,
                wpath("mean_pa"),
                "weight mean (pA)",
                w.mean_pa,
                1.0 / w_lsb_pa,
                -wmax - 1,
                wmax,
                &w_what,
            );
            for (edge, v) in [("mean - 5 sd", lo), ("mean + 5 sd", hi)] {
                if (v / w_lsb_pa).round().abs() > wmax as f64 && (v.signum() == w.mean_pa.signum())
                {
                    q.errs.push(Diagnostic::new(
                        &obj,
                        wpath("sd_pa"),
                        format!(
                            "weight {edge} = {v} pA does not fit {w_what}: representable range is {} ..= {} pA",
                            (-wmax - 1) as f64 * w_lsb_pa,
                            wmax as f64 * w_lsb_pa
                        ),
                    ));
                }
            }
        }
        if let crate::net::Rule::Explicit { synapses } = &pr.rule {
            for (k, s) in synapses.iter().enumerate() {
                let v = (s.2 / w_lsb_pa).round();
                if !(v >= (-wmax - 1) as f64 && v <= wmax as f64) {
                    q.errs.push(Diagnostic::new(
                        &obj,
                        path!["projection", ji, "rule", "synapses", k],
                        format!(
                            "weight {} pA does not fit {w_what}: representable range is {} ..= {} pA",
                            s.2,
                            (-wmax - 1) as f64 * w_lsb_pa,
                            wmax as f64 * w_lsb_pa
                        ),
                    ));
                }
            }
        }
        stdp.push(pr.stdp.as_ref().map(|s| {
            let sp = |f: &str| path!["projection", ji, "stdp", f];
            StdpParams {
                a_plus: q.int(
                    &obj,
                    sp("a_plus_pa"),
                    "STDP A+ (pA)",
                    s.a_plus_pa,
                    1.0 / w_lsb_pa,
                    0,
                    wmax,
                    &w_what,
                ),
                a_minus: q.int(
                    &obj,
                    sp("a_minus_pa"),
                    "STDP A- (pA)",
                    s.a_minus_pa,
                    1.0 / w_lsb_pa,
                    0,
                    wmax,
                    &w_what,
                ),
                w_min: q.int(
                    &obj,
                    sp("w_min_pa"),
                    "STDP w_min (pA)",
                    s.w_min_pa,
                    1.0 / w_lsb_pa,
                    -wmax - 1,
                    wmax,
                    &w_what,
                ),
                w_max: q.int(
                    &obj,
                    sp("w_max_pa"),
                    "STDP w_max (pA)",
                    s.w_max_pa,
                    1.0 / w_lsb_pa,
                    -wmax - 1,
                    wmax,
                    &w_what,
                ),
            }
        }));
    }
    if stdp.iter().any(Option::is_some) && traces.is_none() {
        errs.push(Diagnostic::new(
            "plasticity",
            path!["plasticity"],
            "a projection has `stdp` but the top-level [plasticity] table (trace time constants) is missing",
        ));
    }
    let steps = net.num_steps();
    if steps >= u32::MAX as u64 {
        errs.push(Diagnostic::new(
            "simulation",
            path!["simulation", "duration_ms"],
            format!("{steps} steps exceed the 32-bit step counter of the background sampler"),
        ));
    }
    if !errs.is_empty() {
        return Err(Diagnostics(errs));
    }
    Ok(IntModel {
        name: net.name.clone().unwrap_or_else(|| "network".into()),
        numerics: nc,
        dt_ms: h,
        steps,
        seed: net.simulation.seed,
        neurons: net.num_neurons() as u32,
        pops,
        traces,
        stdp,
        w_lsb_pa,
        report,
    })
}

/// Human name of projection `ji`.
pub fn projection_object(net: &Network, ji: usize) -> String {
    let pr = &net.projections[ji];
    match &pr.name {
        Some(n) => format!("projection \"{n}\" (#{ji})"),
        None => format!("projection \"{}->{}\" (#{ji})", pr.source, pr.target),
    }
}

/// The Poisson inverse-CDF table for mean `lambda`: entry k is
/// floor(P(K <= k) * 2^32) saturated to 2^32 - 1. Also returns the truncated
/// tail mass P(K >= len).
pub fn poisson_table(lambda: f64, len: usize) -> (Vec<u32>, f64) {
    let mut cdf = Vec::with_capacity(len);
    let mut pk = (-lambda).exp();
    let mut acc = 0.0f64;
    for k in 0..len {
        acc += pk;
        let v = (acc * 4294967296.0).floor();
        cdf.push(if v >= 4294967295.0 {
            u32::MAX
        } else {
            v as u32
        });
        pk *= lambda / (k as f64 + 1.0);
    }
    let tail = (1.0 - acc).max(0.0);
    (cdf, tail)
}

/// Mean of the distribution a table actually samples.
pub fn table_mean(cdf: &[u32]) -> f64 {
    let mut prev = 0.0;
    let mut mean = 0.0;
    for (k, &c) in cdf.iter().enumerate() {
        let p = c as f64 / 4294967296.0;
        mean += k as f64 * (p - prev);
        prev = p;
    }
    mean + cdf.len() as f64 * (1.0 - prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_table_samples_the_right_mean() {
        let (cdf, tail) = poisson_table(2.32, 32);
        assert!(tail < 1e-12);
        assert!((table_mean(&cdf) - 2.32).abs() < 1e-8);
        let p = PoissonParams {
            lambda: 2.32,
            cdf: cdf.clone(),
            weight: 1,
        };
        assert_eq!(p.count(0), 0);
        assert_eq!(p.count(cdf[0] - 1), 0);
        assert_eq!(p.count(cdf[0]), 1);
        assert_eq!(p.count(cdf[1]), 2);
    }

    #[test]
    fn more_populations_than_the_16_bit_index_is_an_error() {
        let one = crate::net::Population {
            kind: crate::net::PopulationKind::Lif,
            name: String::new(),
            size: 1,
            neuron: crate::net::NeuronParams {
                tau_m_ms: 10.0,
                c_m_pf: 250.0,
                e_l_mv: -65.0,
                v_th_mv: -50.0,
                v_reset_mv: -65.0,
                t_ref_ms: 2.0,
                tau_syn_ex_ms: 0.5,
                tau_syn_in_ms: 0.5,
            },
            v_init: VInit::Constant { v_mv: -65.0 },
            background: Default::default(),
        };
        let net = Network {
            name: None,
            simulation: crate::net::Simulation {
                dt_ms: 0.1,
                duration_ms: 1.0,
                seed: 1,
            },
            recording: Default::default(),
            numerics: NumericsConfig::default(),
            plasticity: None,
            populations: vec![one; u16::MAX as usize + 1],
            projections: vec![],
        };
        let e = quantize(&net).unwrap_err();
        assert!(e.to_string().contains("at most 65535"), "{e}");
    }

    #[test]
    fn pd14_propagators_match_nest_values() {
        // iaf_psc_exp with tau_m 10, C_m 250, tau_s 0.5, h 0.1 (PD14)
        let p21 = p21_mv_per_pa(0.5, 10.0, 250.0, 0.1);
        assert!((p21 - 3.6067e-4).abs() < 1e-7, "{p21}");
        let p20 = p20_mv_per_pa(10.0, 250.0, 0.1);
        assert!((p20 - 3.9801e-4).abs() < 1e-7, "{p20}");
    }
}
