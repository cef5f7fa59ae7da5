//! `export`, `check` and `compare`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use spikefab_sim::memory::{self, MemoryLimit};
use spikefab_sim::quant;
use spikefab_sim::trace::{compare_traces, CompareError, Side, TraceKind, TraceReader};

use crate::cli::{CheckArgs, CompareArgs, ExportArgs};
use crate::error::CliError;
use crate::model::{self, Length};
use crate::run::write_file;
use crate::util;

fn stdout_err(e: std::io::Error) -> CliError {
    CliError::io("cannot write", Path::new("<stdout>"), e)
}

/// `spikefab export`.
pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    let length = args.duration_ms.map(Length::Ms).unwrap_or(Length::Default);
    let r = model::resolve(&args.model_name, &args.model, length)?;
    let body = r.net.to_toml().map_err(|e| CliError::Serialize {
        what: "the network",
        message: e.to_string(),
    })?;
    let text = format!(
        "# {} network exported by spikefab {} ({})\n\n{body}",
        r.model,
        env!("CARGO_PKG_VERSION"),
        r.source.describe()
    );
    match &args.output {
        Some(p) => write_file(p, &text),
        None => util::out(&text).map_err(stdout_err),
    }
}

/// `spikefab check`: exit 0 with the memory estimate and the quantization
/// report, or the diagnostics.
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    let r = model::resolve(&args.net, &args.model, Length::Default)?;
    let q = match quant::quantize(&r.net) {
        Ok(q) => q,
        Err(mut d) => {
            r.source.locate(&mut d);
            return Err(CliError::Diagnostics(d));
        }
    };
    let net = &r.net;
    let mut s = format!(
        "{}: ok: model {}, {} population{} ({} neurons), {} projection{}, {} steps of {} ms, numerics {}\n",
        r.source.describe(),
        r.model,
        net.populations.len(),
        if net.populations.len() == 1 { "" } else { "s" },
        net.num_neurons(),
        net.projections.len(),
        if net.projections.len() == 1 { "" } else { "s" },
        net.num_steps(),
        net.simulation.dt_ms,
        net.numerics.hash_hex()
    );
    // What building and simulating it would take, against what is free.
    let est = memory::estimate(net, memory::Job::Simulate, 0);
    s.push_str(&est.to_string());
    match MemoryLimit::resolve(None) {
        Some(limit) if est.total() > limit.bytes => s.push_str(&format!(
            "note: more than {limit}: spikefab sim would refuse it\n"
        )),
        Some(limit) => s.push_str(&format!(
            "within {limit}; sim, gen, cosim and plan check their own estimate before building\n"
        )),
        None => {}
    }
    let mut rep: Vec<&quant::QuantEntry> = q.report.iter().collect();
    rep.sort_by(|a, b| b.rel_err().total_cmp(&a.rel_err()));
    s.push_str(&format!(
        "quantization report ({} parameters, worst relative error first):\n",
        rep.len()
    ));
    let ow = rep
        .iter()
        .map(|e| e.object.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let pw = rep
        .iter()
        .map(|e| e.param.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    s.push_str(&format!(
        "  {:>10}  {:<ow$}  {:<pw$}  {:>14}  {:>14}\n",
        "rel_err", "object", "param", "exact", "quantized"
    ));
    for e in rep {
        s.push_str(&format!(
            "  {:>10.3e}  {:<ow$}  {:<pw$}  {:>14.7}  {:>14.7}\n",
            e.rel_err(),
            e.object,
            e.param,
            e.exact,
            e.quantized
        ));
    }
    util::out(&s).map_err(stdout_err)
}

fn open_trace(path: &Path) -> Result<TraceReader<BufReader<File>>, CliError> {
    let f = File::open(path).map_err(|e| CliError::io("cannot open", path, e))?;
    TraceReader::open(BufReader::new(f)).map_err(|source| CliError::Trace {
        path: path.to_path_buf(),
        source,
    })
}

/// `spikefab compare`: both traces walked step by step through the one
/// comparator; `Ok(true)` when they match.
pub fn compare(args: &CompareArgs) -> Result<bool, CliError> {
    let mut a = open_trace(&args.a)?;
    let mut b = open_trace(&args.b)?;
    let (an, bn) = (args.a.display().to_string(), args.b.display().to_string());
    let c = compare_traces(&mut a, &mut b).map_err(|e| match e {
        CompareError::Read { side, source } => CliError::Trace {
            path: match side {
                Side::Left => args.a.clone(),
                Side::Right => args.b.clone(),
            },
            source,
        },
        CompareError::Header {
            key,
            left,
            right,
            left_line,
            right_line,
        } => CliError::TraceMismatch(format!(
            "{an} and {bn} are not traces of the same run: header {key}={left} in {an} \
             (line {left_line}) but {key}={right} in {bn} (line {right_line})"
        )),
    })?;
    for (key, x, y) in &c.warnings {
        eprintln!("warning: header {key} differs: {x} in {an}, {y} in {bn}");
    }
    let mut s = String::new();
    if c.spikes_only && (a.kind() == TraceKind::Records || b.kind() == TraceKind::Records) {
        let (rec, spk) = if a.kind() == TraceKind::Records {
            (&an, &bn)
        } else {
            (&bn, &an)
        };
        s.push_str(&format!(
            "compared on spikes: {spk} is a spike trace (the record trace {rec} projected to its spikes)\n"
        ));
    }
    if c.canonical && !c.spikes_only {
        s.push_str("weight writes compared in canonical order (by synapse)\n");
    }
    s.push_str(&c.report(&an, &bn));
    s.push('\n');
    util::out(&s).map_err(stdout_err)?;
    Ok(c.matched())
}
