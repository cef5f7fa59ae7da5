//! `spikefab synth`: Yosys synthesis of Verilog sources for a Xilinx part,
//! reported as a resource table (or one JSON object) with the logic depth.

use std::path::PathBuf;
use std::time::Duration;

use spikefab_eda::parts;
use spikefab_eda::yosys::{self, SynthError, SynthOptions, SynthReport};

use crate::cli::SynthArgs;
use crate::error::CliError;
use crate::util;

pub fn synth(a: &SynthArgs) -> Result<(), CliError> {
    let part = parts::lookup(&a.part)?;
    let mut params = Vec::with_capacity(a.params.len());
    for p in &a.params {
        params.push(yosys::parse_param(p).map_err(|e| CliError::Usage(e.to_string()))?);
    }
    if a.timeout_s == 0 {
        return Err(CliError::Usage("--timeout-s must be at least 1".into()));
    }
    let out_dir = a.output.clone().unwrap_or_else(|| {
        let top = a.top.as_deref().map(util::file_token);
        PathBuf::from("runs").join(match top {
            Some(t) => format!("synth-{t}-{}", part.name),
            None => format!("synth-{}", part.name),
        })
    });
    let opts = SynthOptions {
        inputs: a.inputs.clone(),
        top: a.top.clone(),
        params,
        out_dir,
        timeout: Duration::from_secs(a.timeout_s),
    };
    let report = match yosys::synthesize(&opts, part) {
        Ok(r) => r,
        Err(SynthError::Top(msg)) => {
            return Err(SynthError::Top(msg + &gen_hint(&a.inputs)).into());
        }
        Err(e) => return Err(e.into()),
    };
    let text = if a.json {
        let mut s = serde_json::to_string(&report).map_err(|e| CliError::Serialize {
            what: "synthesis report",
            message: e.to_string(),
        })?;
        s.push('\n');
        s
    } else {
        table(&report)
    };
    util::out(&text).map_err(|e| CliError::io("cannot write", &PathBuf::from("<stdout>"), e))
}

/// For a top that could not be chosen in the output directory of `spikefab
/// gen`: the top its manifest names, and the Verilog files that manifest
/// does not list (left over from something else). Empty otherwise.
fn gen_hint(inputs: &[PathBuf]) -> String {
    let [dir] = inputs else {
        return String::new();
    };
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return String::new();
    };
    let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
        return String::new();
    };
    if m["generator"] != "spikefab-gen" {
        return String::new();
    }
    let Some(top) = m["network_top"].as_str().or(m["top"].as_str()) else {
        return String::new();
    };
    let listed: Vec<&str> = m["files"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".v") && !listed.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    let mut s = format!(
        "\n{} is the output of spikefab gen; its top is `{top}` (add --top {top})",
        dir.display()
    );
    if !extra.is_empty() {
        s.push_str(&format!(
            ", and these Verilog files there are not part of that generation (left over or \
             added by hand; move them away): {}",
            extra.join(", ")
        ));
    }
    s
}

fn table(r: &SynthReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "top {} on {} ({}, {}; yosys synth_xilinx -family {})\n",
        r.top, r.part.name, r.part.part, r.part.device_family, r.part.family
    ));
    if !r.params.is_empty() {
        let ps: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!("parameters: {}\n", ps.join(" ")));
    }
    s.push_str(&format!(
        "\n{:<10} {:>10} {:>10} {:>8}\n",
        "resource", "used", "available", "percent"
    ));
    for u in &r.utilisation {
        let used = if u.used.fract() == 0.0 {
            format!("{}", u.used as u64)
        } else {
            format!("{:.1}", u.used)
        };
        let pct = match u.percent {
            Some(p) => format!("{p:.2}%"),
            None => "n/a".into(),
        };
        s.push_str(&format!(
            "{:<10} {:>10} {:>10} {:>8}\n",
            u.resource, used, u.available, pct
        ));
    }
    let res = &r.resources;
    s.push_str(&format!(
        "\nLUTs: {} logic + {} as shift register/RAM; CARRY: {}, MUXF: {}, INV: {}\n",
        res.lut_logic, res.lut_memory, res.carry, res.muxf, res.inv
    ));
    s.push_str(&format!(
        "logic depth: {} LUT levels ({} levels counting CARRY/MUXF/INV) on the longest register-to-register path\n",
        r.depth.lut_levels, r.depth.logic_levels
    ));
    if !r.fits {
        s.push_str("warning: the design does not fit this part\n");
    }
    s.push_str(&format!(
        "{} in {:.1} s; log: {}\n",
        r.yosys_version,
        r.yosys_seconds,
        r.log.display()
    ));
    s
}
