//! `spikefab gen`: the accelerator generator (one core, static networks).
//! Resolves NET like `spikefab sim`, loads the hardware config by name or
//! path, writes the output directory and prints a summary.

use std::path::PathBuf;

use spikefab_gen::generate::generate_with_threads;
use spikefab_gen::{HwConfig, Manifest};

use crate::cli::GenArgs;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::util;

pub fn gen(a: &GenArgs) -> Result<(), CliError> {
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    let m = generate_with_threads(&r.net, &hw, &a.output, a.threads as usize)?;
    util::out(&summary(&m, &r.source.describe(), &a.output))
        .map_err(|e| CliError::io("cannot write", &PathBuf::from("<stdout>"), e))
}

fn summary(m: &Manifest, source: &str, out: &std::path::Path) -> String {
    let mut s = String::new();
    let hw = &m.hw;
    s.push_str(&format!(
        "spikefab-gen {}: network '{}' ({source}) on hw config '{}' ({}; config hash {})\n",
        m.version, m.network.name, hw.name, m.scope, m.hashes.config
    ));
    s.push_str(&format!(
        "{} neurons in {} populations, {} synapses, {} delay slots\n\n",
        m.network.neurons,
        m.network.populations.len(),
        m.network.synapses,
        m.network.delay_slots
    ));
    s.push_str(&format!(
        "{:<42} {:<28} {:>10} {:>10} {:>8}\n",
        "count", "limit", "used", "available", "percent"
    ));
    for u in &m.usage {
        s.push_str(&format!(
            "{:<42} {:<28} {:>10} {:>10} {:>7.2}%\n",
            u.what,
            u.field,
            u.used,
            u.capacity,
            100.0 * u.used as f64 / u.capacity.max(1) as f64
        ));
    }
    s.push_str(&format!(
        "\n{:<10} {:>10} {:>6} {:>12}  file\n",
        "memory", "words", "width", "bits"
    ));
    for mem in &m.memories {
        s.push_str(&format!(
            "{:<10} {:>10} {:>6} {:>12}  {}\n",
            mem.name, mem.depth, mem.width, mem.bits, mem.file
        ));
    }
    s.push_str(&format!(
        "\nwrote {} files to {}: {}\n",
        m.files.len(),
        out.display(),
        m.files.join(", ")
    ));
    s.push_str(&format!(
        "next: spikefab synth {} --top {} --part <PART>\n",
        out.display(),
        m.top
    ));
    s
}
