//! `spikefab gen`: the accelerator generator (one core). Resolves NET like
//! `spikefab sim`, loads the hardware config by name or path, writes the
//! output directory and prints a summary.

use std::path::PathBuf;

use spikefab_gen::generate::generate_with;
use spikefab_gen::{GenOptions, HwConfig, Manifest};

use crate::cli::GenArgs;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::util;

pub fn gen(a: &GenArgs) -> Result<(), CliError> {
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let opts = GenOptions {
        threads: a.threads as usize,
        fault: a.inject_fault,
    };
    let m = generate_with(&r.net, &hw, &a.output, &opts)?;
    util::out(&summary(&m, &r.source.describe(), &a.output))
        .map_err(|e| CliError::io("cannot write", &PathBuf::from("<stdout>"), e))
}

fn summary(m: &Manifest, source: &str, out: &std::path::Path) -> String {
    let mut s = String::new();
    let hw = &m.hw;
    s.push_str(&format!(
        "spikefab-gen {}: network '{}' ({source}) on hw config '{}' ({})\n",
        m.version, m.network.name, hw.name, m.scope
    ));
    s.push_str(&format!(
        "config hash {} ({} and the verilated model), network hash {}\n",
        m.hashes.config, m.top, m.hashes.network
    ));
    s.push_str(&format!("{}\n", m.numerics_source));
    if let Some(f) = &m.fault {
        s.push_str(&format!(
            "FAULT INJECTED: {f} (verification aid; not a working accelerator)\n"
        ));
    }
    s.push_str(&format!(
        "{} neurons in {} populations, {} synapses ({} plastic), largest delay {} steps\n\n",
        m.network.neurons,
        m.network.populations.len(),
        m.network.synapses,
        m.network.plastic_synapses,
        m.network.max_delay_steps
    ));
    s.push_str(&format!(
        "{:<46} {:<30} {:>10} {:>10} {:>8}\n",
        "count", "limit", "used", "available", "percent"
    ));
    for u in &m.usage {
        s.push_str(&format!(
            "{:<46} {:<30} {:>10} {:>10} {:>7.2}%\n",
            u.what,
            u.field,
            u.used,
            u.capacity,
            100.0 * u.used as f64 / u.capacity.max(1) as f64
        ));
    }
    s.push_str(&format!(
        "\n{:<10} {:>10} {:>10} {:>6} {:>12}  file\n",
        "memory", "depth", "words", "width", "bits"
    ));
    for mem in &m.memories {
        s.push_str(&format!(
            "{:<10} {:>10} {:>10} {:>6} {:>12}  {}\n",
            mem.name, mem.depth, mem.words, mem.width, mem.bits, mem.file
        ));
    }
    s.push_str(&format!(
        "\nwrote {} files to {}: {}\n",
        m.files.len(),
        out.display(),
        m.files.join(", ")
    ));
    s.push_str(&format!(
        "config files (config hash only): {}\n",
        m.config_files.join(", ")
    ));
    s.push_str(&format!(
        "next: spikefab synth {} --top {} --part <PART>\n",
        out.display(),
        m.network_top
    ));
    s
}
