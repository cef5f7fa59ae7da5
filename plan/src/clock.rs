//! The clock a plan assumes, until Vivado timing reports exist: from the
//! logic depth Yosys reports (LUT levels on the longest register-to-register
//! path, `spikefab_eda::yosys::Depth::lut_levels`), per device family,
//!
//! ```text
//! period = overhead + levels x (LUT delay + net delay)
//! clock  = min(1 / period, cap)
//! ```
//!
//! - `overhead`: a flip-flop's clock-to-out, its setup time and the clock
//!   uncertainty of a path;
//! - `LUT delay`: the LUT's propagation delay (`T_ILO`-class figures of the
//!   family's data sheet);
//! - `net delay`: the average routed delay of one level. The data sheets
//!   do not give it (it depends on placement); it is the assumption of the
//!   rule and dominates the period;
//! - `cap`: the slowest hard block every core has at its fastest clock: the
//!   DSP48 multiply of the counter-based generator, inferred by Yosys without
//!   its pipeline registers (`FMAX_NOPIPELINEREG`).
//!
//! Sources: UltraScale+: AMD DS923 (Virtex UltraScale+, the Alveo parts) and
//! DS925 (Zynq UltraScale+ MPSoC), tables "CLB Switching Characteristics"
//! and "DSP48 Slice Switching Characteristics" (`FMAX_NOPIPELINEREG` = 410
//! MHz at speed grade -2, 338 MHz at -1); 7-series: DS181 (Artix-7) and
//! DS187 (Zynq-7000), the same tables, speed grade -1. The figures below
//! are rounded and the net delay is an estimate: the clock is an estimate,
//! to be replaced by Vivado's timing report.

use serde::Serialize;
use spikefab_eda::parts::{Family, Part};

/// The delays of one family (nanoseconds) and its cap (MHz).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClockRule {
    pub family: &'static str,
    /// Speed grade the figures are for.
    pub speed_grade: &'static str,
    /// Clock-to-out + setup + clock uncertainty.
    pub overhead_ns: f64,
    pub lut_ns: f64,
    /// Assumed average routed net delay per level.
    pub net_ns: f64,
    pub cap_mhz: f64,
    /// What the cap is.
    pub cap_what: &'static str,
    /// Where the figures come from.
    pub source: &'static str,
}

/// UltraScale+ (-2, the Alveo cards' grade).
pub const ULTRASCALE_PLUS: ClockRule = ClockRule {
    family: "UltraScale+",
    speed_grade: "-2",
    overhead_ns: 0.3,
    lut_ns: 0.1,
    net_ns: 0.45,
    cap_mhz: 410.0,
    cap_what: "DSP48E2 FMAX_NOPIPELINEREG",
    source: "AMD DS923 / DS925 (CLB and DSP48 switching characteristics); net delay assumed",
};

/// 7-series (-1, the reference boards' grade).
pub const SEVEN_SERIES: ClockRule = ClockRule {
    family: "7-series",
    speed_grade: "-1",
    overhead_ns: 0.9,
    lut_ns: 0.15,
    net_ns: 0.75,
    cap_mhz: 250.0,
    cap_what: "DSP48E1 without pipeline registers (rounded down)",
    source: "AMD DS181 / DS187 (CLB and DSP48 switching characteristics); net delay assumed",
};

impl ClockRule {
    /// The rule of `part`'s family.
    pub fn of(part: &Part) -> ClockRule {
        match part.family {
            Family::Xcup => ULTRASCALE_PLUS,
            Family::Xc7 => SEVEN_SERIES,
        }
    }

    /// The period of a path of `levels` LUTs, in ns.
    pub fn period_ns(&self, levels: u32) -> f64 {
        self.overhead_ns + f64::from(levels) * (self.lut_ns + self.net_ns)
    }

    /// The clock (MHz) for a logic depth of `levels` LUTs.
    pub fn mhz(&self, levels: u32) -> f64 {
        (1000.0 / self.period_ns(levels)).min(self.cap_mhz)
    }
}

/// The clock a plan uses and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clock {
    pub mhz: f64,
    /// `"given"` (`--clock-mhz`) or `"estimated"` (the rule).
    pub source: &'static str,
    /// The LUT levels the estimate is from (`None` when given).
    pub lut_levels: Option<u32>,
    pub rule: ClockRule,
    /// One line for reports.
    pub text: String,
}

impl Clock {
    /// The estimate for `part` at a logic depth of `levels`.
    pub fn estimate(part: &Part, levels: u32) -> Clock {
        let rule = ClockRule::of(part);
        let mhz = rule.mhz(levels);
        let capped = mhz >= rule.cap_mhz;
        Clock {
            mhz,
            source: "estimated",
            lut_levels: Some(levels),
            rule,
            text: format!(
                "{mhz:.0} MHz, an estimate ({} LUT levels from Yosys: {:.2} + {levels} x ({:.2} + {:.2}) ns = {:.2} ns{}; {} {}; no Vivado timing)",
                levels,
                rule.overhead_ns,
                rule.lut_ns,
                rule.net_ns,
                rule.period_ns(levels),
                if capped {
                    format!(", capped at {} {:.0} MHz", rule.cap_what, rule.cap_mhz)
                } else {
                    String::new()
                },
                rule.family,
                rule.speed_grade
            ),
        }
    }

    /// A clock given on the command line.
    pub fn given(part: &Part, mhz: f64) -> Clock {
        Clock {
            mhz,
            source: "given",
            lut_levels: None,
            rule: ClockRule::of(part),
            text: format!("{mhz} MHz, given (--clock-mhz)"),
        }
    }
}
