//! `spikefab gen`: the accelerator generator. Resolves NET like `spikefab
//! sim`, loads the hardware config by name or path, writes the output
//! directory and prints a summary. With `--mesh RxC` (more than one core) it
//! places the network on the mesh and writes the mesh accelerator
//! (`spikefab_gen::mesh_gen::generate_mesh`), printing the mapping report; for a
//! network too big for the mesh it prints the capacity report from its
//! counts and writes nothing.

use std::path::PathBuf;

use spikefab_gen::capacity;
use spikefab_gen::generate::generate_with;
use spikefab_gen::mesh_gen::{self, MeshGenOptions};
use spikefab_gen::{model as gen_model, Mesh, MeshError, MeshManifest};
use spikefab_gen::{GenOptions, HwConfig, Manifest};

use spikefab_sim::memory::{self, Job};

use crate::cli::GenArgs;
use crate::error::CliError;
use crate::model::{self, Length, Resolved};
use crate::run::check_memory;
use crate::util;

pub fn gen(a: &GenArgs) -> Result<(), CliError> {
    let hw = HwConfig::resolve(&a.hw)?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    if let Some(m) = a.mesh.or(hw.mesh).filter(|m| m.cores() > 1) {
        return gen_mesh(a, &hw, &r, &m);
    }
    if a.fifo_depth.is_some() {
        return Err(CliError::Usage(
            "--fifo-depth sizes the routers of a mesh; a 1x1 mesh is one core without routers (drop --fifo-depth or use a larger --mesh)".into(),
        ));
    }
    check_hw_memory(
        &r.net,
        &hw,
        None,
        Job::Generate { mesh: false },
        a.threads as usize,
        a.max_memory,
    )?;
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
    if let Some(x) = &m.ext_memory {
        s.push_str(&format!(
            "\nexternal synapse memory: {} ({} bytes = {} beats of {} bytes, {} synapse words of {} bits per beat; {} synapses in {} lanes) at byte address {:#x}, channel {}\n",
            x.file, x.bytes, x.beats, x.beat_bytes, x.lanes, x.syn_w, x.synapses, x.lanes_used, x.base, x.channel
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

fn print(text: &str) -> Result<(), CliError> {
    util::out(text).map_err(|e| CliError::io("cannot write", &PathBuf::from("<stdout>"), e))
}

/// `--mesh RxC` with more than one core: the mesh accelerator (or, for a
/// network too big for the mesh, the capacity report and an error).
fn gen_mesh(a: &GenArgs, hw: &HwConfig, r: &Resolved, m: &Mesh) -> Result<(), CliError> {
    if a.inject_fault.is_some() {
        return Err(CliError::Usage(
            "--inject-fault builds one core; it cannot be used with --mesh (drop one of them)"
                .into(),
        ));
    }
    let name = r.net.name.clone().unwrap_or_else(|| "network".into());
    let plastic = gen_model::plastic_projections(&r.net);
    if !plastic.is_empty() && hw.external() {
        return Err(MeshError::PlasticOffChip {
            network: name,
            config: hw.name.clone(),
            projections: plastic,
        }
        .into());
    }
    if !plastic.is_empty() && !hw.stdp {
        return Err(MeshError::Plastic {
            network: name,
            config: hw.name.clone(),
            projections: plastic,
        }
        .into());
    }
    hw.check_mesh().map_err(MeshError::from)?;
    let c = capacity::network_counts(&r.net);
    let misfits = capacity::count_misfits(c.neurons, c.synapses, hw, m);
    if !misfits.is_empty() {
        print(&format!(
            "spikefab-gen {}: network '{name}' ({}) on a {m} mesh of hw config '{}' cores: counts only, not built, nothing written\n{}",
            spikefab_gen::manifest::VERSION,
            r.source.describe(),
            hw.name,
            capacity::capacity_report(c.neurons, c.synapses, hw)
        ))?;
        let (by_n, by_s) = capacity::cores_needed(c.neurons, c.synapses, hw);
        return Err(MeshError::DoesNotFit {
            network: name,
            config: hw.name.clone(),
            mesh: *m,
            needed_cores: by_n.max(by_s),
            misfits,
        }
        .into());
    }
    check_hw_memory(
        &r.net,
        hw,
        Some(m),
        Job::Generate { mesh: true },
        a.threads as usize,
        a.max_memory,
    )?;
    let opts = MeshGenOptions {
        threads: a.threads as usize,
        fifo_depth: a.fifo_depth.unwrap_or(mesh_gen::DEFAULT_FIFO_DEPTH),
        rate_steps: mesh_gen::DEFAULT_RATE_STEPS,
    };
    let man = mesh_gen::generate_mesh(&r.net, hw, m, &a.output, &opts)?;
    print(&mesh_summary(&man, &r.source.describe(), &a.output))
}

fn mesh_summary(m: &MeshManifest, source: &str, out: &std::path::Path) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "spikefab-gen {}: network '{}' ({source}) on a {} mesh of hw config '{}' cores ({})\n",
        m.version, m.network.name, m.mesh, m.hw.name, m.scope
    ));
    s.push_str(&format!(
        "config hash {} ({}: config, mesh size, router FIFO depth {}), network hash {}\n",
        m.hashes.config, m.top, m.fifo_depth, m.hashes.network
    ));
    s.push_str(&format!("{}\n", m.numerics_source));
    s.push_str(&format!(
        "{} neurons in {} populations, {} synapses, largest delay {} steps\n\n",
        m.network.neurons,
        m.network.populations.len(),
        m.network.synapses,
        m.network.max_delay_steps
    ));
    s.push_str(&m.mapping.report());
    let bits: u64 = m
        .core_images
        .iter()
        .flat_map(|c| &c.memories)
        .map(|mem| mem.bits)
        .sum();
    s.push_str(&format!(
        "\nimages of the {} cores: {} memory bits in all; {} load-port beats in {}\n",
        m.cores, bits, m.load.beats, m.load.file
    ));
    // the memories of every core (the accumulators included) against the
    // largest part's block RAM and UltraRAM
    let all: u64 = m
        .mapping
        .cores
        .iter()
        .flat_map(|c| &c.memories)
        .map(|mem| mem.bits())
        .sum();
    if let Some(p) = spikefab_eda::PARTS
        .iter()
        .max_by_key(|p| capacity::part_memory_bits(p))
    {
        let chip = capacity::part_memory_bits(p).max(1);
        s.push_str(&format!(
            "memories of all cores (accumulators included): {all} bits, {:.2}% of the on-chip memory of the largest part ({}, {chip} bits){}\n",
            100.0 * all as f64 / chip as f64,
            p.name,
            if all > chip {
                ": does not fit on chip"
            } else {
                ""
            }
        ));
    }
    let ext: Vec<_> = m
        .core_images
        .iter()
        .filter_map(|c| c.ext_memory.as_ref())
        .collect();
    if !ext.is_empty() {
        s.push_str(&format!(
            "external synapse memory: {} bytes in {} regions (core<k>_syn_ext.bin; channels and bases in {})\n",
            ext.iter().map(|x| x.bytes).sum::<u64>(),
            ext.len(),
            spikefab_gen::manifest::MAPPING_FILE
        ));
    }
    s.push_str(&format!(
        "wrote {} files to {}: {}, {} core image files (core<k>_<name>.hex), {}\n",
        m.files.len(),
        out.display(),
        m.config_files.join(", "),
        m.core_images
            .iter()
            .map(|c| c.memories.len())
            .sum::<usize>(),
        m.network_files
            .iter()
            .filter(|f| !f.ends_with(".hex"))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.push_str(&format!(
        "next: spikefab synth {} --top {} --part <PART>\n",
        out.display(),
        m.top
    ));
    s
}

/// The memory check of generating or co-simulating `net` on `hw` (one core,
/// or a `mesh`): the estimate of `job` against `--max-memory` (else what is
/// available). Skipped for a network whose counts already exceed the
/// config's capacities: the generator refuses it before connecting, naming
/// the capacity, which says more than the memory would.
pub fn check_hw_memory(
    net: &spikefab_sim::Network,
    hw: &HwConfig,
    mesh: Option<&Mesh>,
    job: Job,
    threads: usize,
    max_memory: Option<u64>,
) -> Result<(), CliError> {
    let net = gen_model::apply_numerics(net, hw);
    let c = capacity::network_counts(&net);
    let fits = match mesh {
        Some(m) => capacity::count_misfits(c.neurons, c.synapses, hw, m).is_empty(),
        None => !c.exact || (c.synapses <= hw.syn_depth && c.neurons <= hw.neurons_per_core),
    };
    if fits {
        check_memory(&memory::estimate(&net, job, threads), max_memory)?;
    }
    Ok(())
}
