//! `spikefab synth`: Yosys synthesis of Verilog sources for a Xilinx part,
//! reported as a resource table (or one JSON object) with the logic depth.

use std::path::PathBuf;
use std::time::Duration;

use spikefab_eda::parts::{self, Part};
use spikefab_eda::yosys::{self, SynthError, SynthOptions, SynthReport};
use spikefab_eda::yosys_mem::{self, Blocks, MemoryMode, MemoryOptions, Treatment};
use spikefab_gen::capacity;

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
    let memories = memory_options(&a.memories, a.blank_above)?;
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
        memories,
    };
    let mut report = match yosys::synthesize(&opts, part) {
        Ok(r) => r,
        Err(SynthError::Top(msg)) => {
            return Err(SynthError::Top(msg + &gen_hint(&a.inputs)).into());
        }
        Err(e) => return Err(e.into()),
    };
    count_blackboxes(&mut report, part)?;
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

/// `--memories` and `--blank-above`, checked.
pub fn memory_options(mode: &str, blank_above: Option<u64>) -> Result<MemoryOptions, CliError> {
    let mode: MemoryMode = mode
        .parse()
        .map_err(|e: yosys_mem::MemoryOptionError| CliError::Usage(e.to_string()))?;
    MemoryOptions::new(mode, blank_above).map_err(|e| CliError::Usage(e.to_string()))
}

/// The block RAM of the black-box memories of `report`, counted by the
/// capacity report's placement rules (`capacity::place_memories`) on
/// `part`, added to the report (and its report.json).
fn count_blackboxes(report: &mut SynthReport, part: &Part) -> Result<(), CliError> {
    let shapes: Vec<(u64, u32)> = report
        .memories
        .with(Treatment::Blackbox)
        .map(|m| (m.depth, u32::try_from(m.width).unwrap_or(u32::MAX)))
        .collect();
    if shapes.is_empty() {
        return Ok(());
    }
    let blocks: Vec<Blocks> = capacity::place_memories(&shapes, part)
        .into_iter()
        .map(|p| Blocks {
            lutram: p.lutram,
            bram36: p.bram36,
            uram: p.uram,
        })
        .collect();
    yosys_mem::add_counted(report, &blocks, part)?;
    Ok(())
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
    let counted = r.memories.counted;
    if let Some(c) = counted {
        s.push_str(&format!(
            "used = synthesized + counted (black-box memories: {} BRAM36, {} URAM counted from their shape, not synthesized)\n",
            c.bram36, c.uram
        ));
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
    s.push_str(&memory_table(r));
    if !r.fits {
        let over: Vec<String> = r
            .utilisation
            .iter()
            .filter(|u| u.percent.is_some_and(|p| p > 100.0))
            .map(|u| format!("{} {:.0}%", u.resource, u.percent.unwrap_or(0.0)))
            .collect();
        s.push_str(&format!(
            "the design exceeds this part ({}): it does not fit\n",
            over.join(", ")
        ));
    }
    s.push_str(&format!(
        "{} in {:.1} s; log: {}\n",
        r.yosys_version,
        r.yosys_seconds,
        r.log.display()
    ));
    s
}

/// The memories of the run: mode, limit, and each `snn_mem` instance with
/// its shape and treatment.
fn memory_table(r: &SynthReport) -> String {
    let m = &r.memories;
    let mut s = String::new();
    let Some(limit) = m.blank_above else {
        s.push_str("memories: kept as written (--memories keep; not listed)\n");
        return s;
    };
    if m.instances.is_empty() {
        s.push_str(&format!(
            "memories: --memories {} above {limit} bits; the design has no snn_mem instance\n",
            m.mode
        ));
        return s;
    }
    let n = |t| m.with(t).count();
    s.push_str(&format!(
        "\nmemories (--memories {} above {limit} bits): {} kept, {} blank, {} black box\n",
        m.mode,
        n(Treatment::Kept),
        n(Treatment::Blank),
        n(Treatment::Blackbox)
    ));
    s.push_str(&format!(
        "{:<9} {:>8} {:>6} {:>10} {:>10}  {:<44} why\n",
        "memory", "depth", "width", "bits", "counted", "instance"
    ));
    for i in &m.instances {
        let t = match i.treatment {
            Treatment::Kept => "kept",
            Treatment::Blank => "blank",
            Treatment::Blackbox => "blackbox",
        };
        let counted = match i.counted {
            Some(b) if b.lutram => "LUTRAM".to_string(),
            Some(b) if b.uram > 0 => format!("{} URAM", b.uram),
            Some(b) => format!("{} BRAM36", b.bram36),
            None => "-".to_string(),
        };
        s.push_str(&format!(
            "{:<9} {:>8} {:>6} {:>10} {:>10}  {:<44} {}\n",
            t, i.depth, i.width, i.bits, counted, i.path, i.reason
        ));
    }
    s
}
