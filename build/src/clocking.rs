//! The accelerator clock of a board: from the board's main input clock,
//! an MMCM setting (7-series `MMCME2_BASE`, UltraScale+ `MMCME4_BASE`) that
//! makes [`CORE_MHZ`] exactly, or the PS's programmable-logic clock set to
//! it by the block design.

use serde::Serialize;
use spikefab_eda::parts::Family;

/// The accelerator clock of every shell, in MHz. A conservative choice: the
/// Yosys logic-depth estimate (`spikefab synth`, `spikefab plan`) is a
/// guide only, and no Vivado timing result exists here (docs/build.md).
pub const CORE_MHZ: f64 = 100.0;

/// One MMCM setting: `CLKOUT0 = f_in * mult / (divclk * out_div)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mmcm {
    /// `MMCME2_BASE` or `MMCME4_BASE`.
    pub primitive: &'static str,
    /// Input clock period in ns (`CLKIN1_PERIOD`).
    pub clkin_period_ns: f64,
    /// `DIVCLK_DIVIDE`.
    pub divclk: u32,
    /// `CLKFBOUT_MULT_F` (an integer here).
    pub mult: u32,
    /// `CLKOUT0_DIVIDE_F` (an integer here).
    pub out_div: u32,
    /// The VCO frequency in MHz.
    pub vco_mhz: f64,
    /// The output frequency in MHz.
    pub out_mhz: f64,
}

/// VCO range (MHz) of the MMCM of a family at the slowest speed grade of
/// the boards here (7-series -1: DS181; UltraScale+: DS922/DS923).
pub fn vco_range(family: Family) -> (f64, f64) {
    match family {
        Family::Xc7 => (600.0, 1200.0),
        Family::Xcup => (800.0, 1600.0),
    }
}

/// Phase-detector input range (MHz) of the MMCM of a family.
pub fn pfd_range(family: Family) -> (f64, f64) {
    match family {
        Family::Xc7 => (10.0, 450.0),
        Family::Xcup => (10.0, 500.0),
    }
}

/// The MMCM primitive of a family.
pub fn primitive(family: Family) -> &'static str {
    match family {
        Family::Xc7 => "MMCME2_BASE",
        Family::Xcup => "MMCME4_BASE",
    }
}

/// An exact integer MMCM setting from `in_mhz` to `out_mhz` on `family`:
/// the smallest input divider, then the VCO nearest the middle of its
/// range (away from both limits). `None` when no integer setting is exact.
pub fn mmcm(family: Family, in_mhz: f64, out_mhz: f64) -> Option<Mmcm> {
    let (vlo, vhi) = vco_range(family);
    let (plo, phi) = pfd_range(family);
    for divclk in 1..=10u32 {
        let pfd = in_mhz / f64::from(divclk);
        if pfd < plo || pfd > phi {
            continue;
        }
        let mut best: Option<Mmcm> = None;
        for mult in 2..=64u32 {
            let vco = pfd * f64::from(mult);
            if vco < vlo || vco > vhi {
                continue;
            }
            let div = vco / out_mhz;
            let out_div = div.round();
            if !(1.0..=128.0).contains(&out_div) || (div - out_div).abs() > 1e-9 {
                continue;
            }
            let mid = (vlo + vhi) / 2.0;
            if best.is_some_and(|b| (b.vco_mhz - mid).abs() <= (vco - mid).abs()) {
                continue;
            }
            best = Some(Mmcm {
                primitive: primitive(family),
                clkin_period_ns: 1000.0 / in_mhz,
                divclk,
                mult,
                out_div: out_div as u32,
                vco_mhz: vco,
                out_mhz: vco / out_div,
            });
        }
        if best.is_some() {
            return best;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_clocks_get_exact_settings_in_range() {
        // Arty 100 MHz single-ended, U250 300 MHz, U55C 100 MHz
        for (fam, f) in [
            (Family::Xc7, 100.0),
            (Family::Xcup, 300.0),
            (Family::Xcup, 100.0),
        ] {
            let m = mmcm(fam, f, CORE_MHZ).expect("a setting");
            let (lo, hi) = vco_range(fam);
            assert!(m.vco_mhz >= lo && m.vco_mhz <= hi, "{m:?}");
            assert!((m.out_mhz - CORE_MHZ).abs() < 1e-9, "{m:?}");
            assert!(
                (f / f64::from(m.divclk) * f64::from(m.mult) / f64::from(m.out_div) - CORE_MHZ)
                    .abs()
                    < 1e-9
            );
        }
        // VCO nearest the middle of the range: 900 MHz on 7-series, 1,200
        // on UltraScale+
        let a = mmcm(Family::Xc7, 100.0, 100.0).unwrap();
        assert_eq!((a.divclk, a.mult, a.out_div), (1, 9, 9));
        let u = mmcm(Family::Xcup, 300.0, 100.0).unwrap();
        assert_eq!((u.divclk, u.mult, u.out_div), (1, 4, 12));
        let c = mmcm(Family::Xcup, 100.0, 100.0).unwrap();
        assert_eq!((c.divclk, c.mult, c.out_div), (1, 12, 12));
    }

    #[test]
    fn an_impossible_ratio_has_no_setting() {
        // 100 MHz in, 99.7 MHz out: no integer multiply/divide is exact
        assert!(mmcm(Family::Xc7, 100.0, 99.7).is_none());
    }
}
