//! Readers of Vivado's text reports: `report_utilization`,
//! `report_timing_summary` and `report_power`, as Vivado writes them (ASCII
//! tables of `|`-separated cells; the timing summary's column block). Each
//! reader returns what it found and refuses a report without the figures
//! it must hold, naming what is missing.

use std::collections::BTreeMap;

use serde::Serialize;

/// One resource of a utilization report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Resource {
    /// Used (block RAM tiles can be halves: 1.5).
    pub used: f64,
    /// Available on the device.
    pub available: f64,
}

/// The resources of `report_utilization` (7-series and UltraScale names).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Utilization {
    /// `Slice LUTs` (7-series) or `CLB LUTs` (UltraScale).
    pub lut: Resource,
    /// `Slice Registers` or `CLB Registers`.
    pub ff: Resource,
    /// `Block RAM Tile` (36 Kb tiles).
    pub bram36: Resource,
    /// `URAM` (absent on 7-series).
    pub uram: Option<Resource>,
    /// `DSPs`.
    pub dsp: Resource,
}

/// The design timing summary of `report_timing_summary`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    /// Worst negative slack, setup (ns).
    pub wns_ns: f64,
    /// Total negative slack, setup (ns).
    pub tns_ns: f64,
    /// Setup endpoints failing.
    pub tns_failing_endpoints: u64,
    /// Worst hold slack (ns).
    pub whs_ns: f64,
    /// Total hold slack (ns).
    pub ths_ns: f64,
    /// Hold endpoints failing.
    pub ths_failing_endpoints: u64,
    /// Worst pulse-width slack (ns).
    pub wpws_ns: Option<f64>,
    /// "All user specified timing constraints are met."
    pub met: bool,
}

/// The summary of `report_power`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Power {
    /// Total on-chip power (W).
    pub total_w: f64,
    /// Dynamic power (W).
    pub dynamic_w: f64,
    /// Device static power (W).
    pub static_w: f64,
    /// Junction temperature (C).
    pub junction_c: Option<f64>,
    /// Confidence level (`Low`, `Medium`, `High`).
    pub confidence: Option<String>,
    /// The simulation activity file (`---` when vectorless).
    pub activity_file: Option<String>,
}

/// The cells of a `| a | b |` table row (trimmed), or `None` for other
/// lines (borders, text).
fn cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') || !t.ends_with('|') || t.len() < 2 {
        return None;
    }
    Some(
        t[1..t.len() - 1]
            .split('|')
            .map(|c| c.trim().to_string())
            .collect(),
    )
}

/// A number in a report cell: `1234`, `0.19`, `<0.01`, `12.5`.
fn number(s: &str) -> Option<f64> {
    s.trim()
        .trim_start_matches('<')
        .replace(',', "")
        .parse()
        .ok()
}

/// Reads `report_utilization`: every table with a `Site Type` / `Used` /
/// `Available` header, rows by their site type (first occurrence).
pub fn read_utilization(text: &str) -> Result<Utilization, String> {
    let mut rows: BTreeMap<String, Resource> = BTreeMap::new();
    let mut header: Option<(usize, usize)> = None;
    for line in text.lines() {
        let Some(c) = cells(line) else {
            continue;
        };
        if c.first().is_some_and(|h| h == "Site Type") {
            let used = c.iter().position(|h| h == "Used");
            let avail = c.iter().position(|h| h == "Available");
            header = used.zip(avail);
            continue;
        }
        let Some((iu, ia)) = header else {
            continue;
        };
        let name = c[0].trim_end_matches('*').trim().to_string();
        if let (Some(u), Some(a)) = (
            c.get(iu).and_then(|v| number(v)),
            c.get(ia).and_then(|v| number(v)),
        ) {
            rows.entry(name).or_insert(Resource {
                used: u,
                available: a,
            });
        }
    }
    let get = |names: &[&str]| -> Result<Resource, String> {
        names
            .iter()
            .find_map(|n| rows.get(*n).copied())
            .ok_or_else(|| {
                format!(
                    "no row {} in a Site Type / Used / Available table",
                    names.join(" or ")
                )
            })
    };
    Ok(Utilization {
        lut: get(&["Slice LUTs", "CLB LUTs"])?,
        ff: get(&["Slice Registers", "CLB Registers"])?,
        bram36: get(&["Block RAM Tile"])?,
        uram: rows.get("URAM").copied(),
        dsp: get(&["DSPs"])?,
    })
}

/// Reads the "Design Timing Summary" of `report_timing_summary`: the
/// header line with `WNS(ns)`, a line of dashes, the values.
pub fn read_timing(text: &str) -> Result<Timing, String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("Design Timing Summary"))
        .ok_or("no \"Design Timing Summary\" section")?;
    let h = (start..lines.len())
        .find(|&k| lines[k].contains("WNS(ns)"))
        .ok_or("no WNS(ns) header after \"Design Timing Summary\"")?;
    // the header's columns are separated by two or more spaces
    let heads: Vec<String> = lines[h]
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let vals_line = lines[h + 1..]
        .iter()
        .find(|l| {
            let t = l.trim();
            !t.is_empty() && !t.chars().all(|c| c == '-' || c == ' ')
        })
        .ok_or("no values under the WNS(ns) header")?;
    let vals: Vec<&str> = vals_line.split_whitespace().collect();
    if vals.len() != heads.len() {
        return Err(format!(
            "the timing summary has {} columns ({}) but {} values ({vals_line:?})",
            heads.len(),
            heads.join(", "),
            vals.len()
        ));
    }
    let get = |name: &str| -> Result<f64, String> {
        let k = heads
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column {name} in the timing summary"))?;
        number(vals[k]).ok_or_else(|| format!("{name}: {:?} is not a number", vals[k]))
    };
    let met = text.contains("All user specified timing constraints are met.");
    Ok(Timing {
        wns_ns: get("WNS(ns)")?,
        tns_ns: get("TNS(ns)")?,
        tns_failing_endpoints: get("TNS Failing Endpoints")? as u64,
        whs_ns: get("WHS(ns)")?,
        ths_ns: get("THS(ns)")?,
        ths_failing_endpoints: get("THS Failing Endpoints")? as u64,
        wpws_ns: get("WPWS(ns)").ok(),
        met,
    })
}

/// Reads the summary table of `report_power` (`| Total On-Chip Power (W) |
/// 0.123 |` and the rows after it).
pub fn read_power(text: &str) -> Result<Power, String> {
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines() {
        if let Some(c) = cells(line) {
            if c.len() == 2 {
                rows.entry(c[0].clone()).or_insert_with(|| c[1].clone());
            }
        }
    }
    let num = |k: &str| -> Result<f64, String> {
        let v = rows
            .get(k)
            .ok_or_else(|| format!("no row \"{k}\" in the power summary"))?;
        number(v).ok_or_else(|| format!("\"{k}\": {v:?} is not a number"))
    };
    Ok(Power {
        total_w: num("Total On-Chip Power (W)")?,
        dynamic_w: num("Dynamic (W)")?,
        static_w: num("Device Static (W)")?,
        junction_c: num("Junction Temperature (C)").ok(),
        confidence: rows.get("Confidence Level").cloned(),
        activity_file: rows.get("Simulation Activity File").cloned(),
    })
}
