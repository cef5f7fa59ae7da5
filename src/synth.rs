//! `spikefab synth`: Yosys synthesis of Verilog sources for a Xilinx part,
//! reported as a resource table (or one JSON object) with the logic depth.

use std::path::PathBuf;
use std::time::Duration;

use spikefab_eda::parts;
use spikefab_eda::yosys::{self, SynthOptions, SynthReport};

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
    let report = yosys::synthesize(&opts, part)?;
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
