//! `spikefab plan NET --part P`: the fastest design of a network on a part
//! that fits, or the closest and what limits it (`spikefab_plan`). Exit
//! status 0 for a plan, whether the design fits or not (`fits` says which);
//! 2 for bad input (unknown part, bad options); 1 when the network cannot
//! be built or Yosys fails.

use std::fmt::Write as _;
use std::path::Path;

use spikefab_plan::planner::{plan as make_plan, Plan, PlanError, PlanOptions};

use crate::cli::PlanArgs;
use crate::error::CliError;
use crate::model::{self, Length};
use crate::util;

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn plan(a: &PlanArgs) -> Result<(), CliError> {
    let part = spikefab_eda::parts::lookup(&a.part).map_err(|e| {
        CliError::Usage(format!(
            "--part {}: {e}; known parts: {}",
            a.part,
            spikefab_eda::parts::known_parts()
        ))
    })?;
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    // the plan builds and simulates the network: refuse, before building,
    // one that would not fit in memory (the rows of the search come on top)
    crate::run::check_memory(
        &spikefab_sim::memory::estimate(
            &r.net,
            spikefab_sim::memory::Job::Simulate,
            a.threads as usize,
        ),
        a.max_memory,
    )?;
    let o = PlanOptions {
        steps: a.steps,
        clock_mhz: a.clock_mhz,
        mem_latency_ns: a.mem_latency_ns,
        cache: a
            .cache
            .clone()
            .unwrap_or_else(spikefab_plan::logic::default_cache),
        max_synth: a.max_synth,
        threads: a.threads as usize,
    };
    let p = make_plan(&r.net, part, &o).map_err(|e| match e {
        PlanError::NoSteps
        | PlanError::BadClock(_)
        | PlanError::BadLatency(_)
        | PlanError::Plastic { .. } => CliError::Usage(e.to_string()),
        other => CliError::Plan(other.to_string()),
    })?;
    let s = if a.json {
        let mut v = serde_json::to_value(&p).map_err(|e| CliError::Plan(e.to_string()))?;
        v["design"]["part_use"] = serde_json::json!({
            "bram36": p.design.part_use.bram36,
            "bram36_have": p.design.part_use.bram36_have,
            "uram": p.design.part_use.uram,
            "uram_have": p.design.part_use.uram_have,
            "in_uram": p.design.part_use.in_uram(),
            "ext_bytes": p.design.part_use.ext_bytes,
            "ext_have": p.design.part_use.ext_have,
        });
        format!("{v}\n")
    } else {
        text(&p)
    };
    util::out(&s).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}

/// The human report.
pub fn text(p: &Plan) -> String {
    let d = &p.design;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "spikefab plan: network '{}' ({} neurons, {} synapses) on {} ({}; external memory: {})",
        p.network,
        group(p.neurons),
        group(p.synapses),
        p.part,
        p.card,
        p.external_memory
    );
    let _ = writeln!(
        w,
        "{}: {} of {} candidates fit by memory; activity from {} steps of the reference simulator (dt {} ms)",
        if p.fits {
            "fastest design that fits"
        } else {
            "NO DESIGN FITS; the closest"
        },
        p.candidates_fitting_memory,
        p.candidates,
        p.steps,
        p.dt_ms
    );
    let _ = writeln!(w, "\nmapping");
    let _ = writeln!(
        w,
        "  cores            {} ({})",
        d.cores,
        if d.cores == 1 {
            "a single core".to_string()
        } else {
            format!("{}x{} mesh", d.mesh.0, d.mesh.1)
        }
    );
    let _ = writeln!(
        w,
        "  neurons/core     {} (fullest), {} (emptiest)",
        group(d.neurons_per_core),
        group(d.min_neurons_per_core)
    );
    let _ = writeln!(
        w,
        "  synapses/core    {} {} ({})",
        group(d.synapses_per_core),
        if d.core.ext.is_some() {
            "lanes"
        } else {
            "words"
        },
        d.store.text()
    );
    let groups = if d.delay_groups > 1 {
        format!(
            " ({} delay groups of {} steps: the network interfaces replay the longer delays)",
            d.delay_groups,
            d.core.slots - 1
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        w,
        "  core             {} slots{groups}, {} populations, {} rows",
        d.core.slots,
        d.core.n_pops,
        group(d.core.rows)
    );
    for c in &d.channels {
        let _ = writeln!(
            w,
            "  memory channel {:>2} cores {:?}: {} of {} bytes",
            c.channel,
            c.cores,
            group(c.bytes),
            group(c.capacity)
        );
    }
    let _ = writeln!(w, "\nresources (of the part)");
    let _ = writeln!(
        w,
        "  {:<24} {:>14} {:>14} {:>8}",
        "resource", "used", "available", "use"
    );
    for u in &d.uses {
        if u.resource == "external memory channel" {
            continue;
        }
        let _ = writeln!(
            w,
            "  {:<24} {:>14} {:>14} {:>7.1}%",
            u.resource,
            group(u.used.round() as u64),
            group(u.available as u64),
            100.0 * u.ratio()
        );
    }
    let inu = d.part_use.in_uram();
    if !inu.is_empty() {
        let _ = writeln!(w, "  in UltraRAM: {}", inu.join(", "));
    }
    if let Some(l) = d.core_logic {
        let _ = writeln!(
            w,
            "  logic (Yosys estimates): {} LUT, {} FF, {} DSP, {} LUT levels per core{}",
            l.luts,
            l.ffs,
            l.dsp,
            l.lut_levels,
            match d.router_logic {
                Some(r) => format!(
                    "; {} LUT, {} FF, {} LUT levels per router",
                    r.luts, r.ffs, r.lut_levels
                ),
                None => String::new(),
            }
        );
    }
    if !p.fits {
        let _ = writeln!(w, "\ndoes not fit:");
        for m in &d.misfits {
            let _ = writeln!(w, "  {m}");
        }
        for l in &p.limits {
            let _ = writeln!(
                w,
                "  limiting: {} needs {:.0}, has {:.0}: {:.2}x",
                l.resource, l.used, l.available, l.ratio
            );
        }
    }
    let _ = writeln!(w, "\ntiming");
    let _ = writeln!(w, "  clock            {}", p.clock.text);
    if let (Some(l), Some(b)) = (d.mem_latency_cycles, d.mem_bytes_per_cycle) {
        let _ = writeln!(
            w,
            "  memory           latency {l} cycles, {b:.1} bytes/cycle per core port (its share of its channel)"
        );
    }
    let _ = writeln!(
        w,
        "  cycles per step  {:.1} mean, {} worst (cycle model, spikefab_plan::cycles)",
        p.cycles_mean,
        group(p.cycles_worst)
    );
    let _ = writeln!(
        w,
        "  real-time factor {:.3} mean, {:.3} worst step (predicted: wall time / biological time)",
        p.rtf_mean, p.rtf_worst
    );
    let _ = writeln!(
        w,
        "  bottleneck       {} ; next: {}",
        p.bottleneck, p.next_bottleneck
    );
    let _ = writeln!(
        w,
        "  mean step        {}",
        p.breakdown
            .iter()
            .map(|(k, v)| format!("{k} {v:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for n in &p.notes {
        let _ = writeln!(w, "note: {n}");
    }
    s
}
