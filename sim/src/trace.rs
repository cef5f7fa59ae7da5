//! The trace files that the simulator, the co-simulation and the boards
//! write, their strict reader, and the one way two traces are compared: step
//! by step through [`crate::records::compare_step`], the one comparator.
//!
//! All traces are UTF-8 text: a magic line naming kind and version, a header
//! of `key=value` tokens (no spaces in values), a column line, the body, and
//! an end line that tells a complete file from a cut one. Every line ends in
//! `\n`; a last line without one was cut short.
//!
//! **Record trace** (`records.txt`), everything observable about each step:
//! ```text
//! # spikefab record trace v1
//! # dt_ms=0.1 model=balanced neurons=1250 numerics=0123456789abcdef seed=1 source=sim steps=200 weight_order=processing
//! # t step | n step neuron v i_ex i_in refr spike | w step synapse old new | s step neuron
//! t 0
//! n 0 0 -1187 0 0 0 0
//! n 0 1 -1065 0 0 20 1
//! w 0 117 812 809
//! s 0 1
//! t 1
//! n 1 0 -1170 12 0 0 0
//! # end steps=2
//! ```
//! Each step is a `t` line, then its neuron updates (`n`: step, neuron, V,
//! I_ex, I_in, refractory count, spike 0/1; raw integers of
//! docs/numerics.md; neurons strictly ascending), its weight writes (`w`:
//! step, synapse, old and new weight) and its spikes (`s`: step, neuron,
//! strictly ascending), in that order. Steps run 0, 1, 2, ... without gaps;
//! the end line says how many the file holds (at most the header's `steps`: a
//! co-simulation that stops at a divergence writes the steps it ran).
//! Required header keys: `model`, `neurons`, `steps`, `dt_ms`, `seed`,
//! `numerics` (hash of the numerics), `source` (`sim`, `cosim` or `board`)
//! and `weight_order`: `processing` (the reference's order: pre pass, then
//! post pass) or `canonical` (by synapse, each synapse's writes in time
//! order; a mesh reports this order, its cores depress in network arrival
//! order). Writes in canonical order must have non-decreasing synapses.
//!
//! **Spike trace** (`spikes.txt`), the spikes only:
//! ```text
//! # spikefab spike trace v2
//! # dt_ms=0.1 model=balanced neurons=1250 numerics=0123456789abcdef seed=1 source=sim steps=10000
//! step neuron
//! 3 17
//! 3 905
//! # end steps=10000
//! ```
//! `step neuron` lines sorted by step, then neuron, without repeats. Required
//! header keys: `neurons`, `steps`, `dt_ms`. Version 1 is the same without
//! the end line (read as covering the header's `steps`; a v1 file cut at a
//! line boundary cannot be told from a complete one).
//!
//! **Reading is strict**: a missing magic line (an empty file included), a
//! missing required header key, a repeated, out-of-order, out-of-range or
//! malformed line, and a missing end line are errors naming the line.
//!
//! **Comparing** ([`compare_traces`]): the headers must agree on `neurons`,
//! `steps` and `dt_ms` (else [`CompareError::Header`]; other differing keys
//! are warnings). Both files are then walked step by step and each pair of
//! steps goes through [`compare_step`]. Two record traces are compared on
//! every record, in canonical weight order when either file is canonical; a
//! spike trace against anything is compared on the spikes (the projection of
//! a record trace to its `s` lines). A state trace (`# spikefab state trace
//! v1`, `step neuron v i_ex i_in refr` of sampled neurons) is written by `sim`
//! for plots and is not compared.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};
use std::str::FromStr;

use crate::engine::{Engine, NeuronRecord, NeuronState, WeightRecord};
use crate::records::{compare_step, Divergence, RecordKind, StepRecords};

/// Magic first line of a spike trace (the version written).
pub const SPIKE_MAGIC: &str = "# spikefab spike trace v2";
/// Magic first line of a version 1 spike trace (read, no longer written).
pub const SPIKE_MAGIC_V1: &str = "# spikefab spike trace v1";
/// Magic first line of a record trace.
pub const RECORD_MAGIC: &str = "# spikefab record trace v1";
/// Magic first line of a state trace.
pub const STATE_MAGIC: &str = "# spikefab state trace v1";
/// Column line of a spike trace.
pub const SPIKE_COLUMNS: &str = "step neuron";
/// Column line of a record trace.
pub const RECORD_COLUMNS: &str =
    "# t step | n step neuron v i_ex i_in refr spike | w step synapse old new | s step neuron";
/// Header keys every record trace has.
pub const RECORD_KEYS: [&str; 8] = [
    "model",
    "neurons",
    "steps",
    "dt_ms",
    "seed",
    "numerics",
    "source",
    "weight_order",
];
/// Header keys every spike trace has.
pub const SPIKE_KEYS: [&str; 3] = ["neurons", "steps", "dt_ms"];
/// The values of a record trace's `source`.
pub const SOURCES: [&str; 3] = ["sim", "cosim", "board"];

/// Errors reading a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
}

fn bad(line: usize, message: impl Into<String>) -> TraceError {
    TraceError::Format {
        line,
        message: message.into(),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Header fields of a trace (`key=value`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header(pub BTreeMap<String, String>);

impl Header {
    pub fn set(&mut self, k: &str, v: impl fmt::Display) -> &mut Self {
        self.0.insert(k.to_string(), v.to_string());
        self
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    /// The header of a run of `engine` (from step 0) for `steps` steps:
    /// `model` (a token without spaces), `neurons`, `steps`, `seed`,
    /// `dt_ms`, `numerics` (hash) and `source`.
    pub fn of_run(model: &str, engine: &Engine, steps: u64, source: &str) -> Header {
        let mut h = Header::default();
        h.set("model", model)
            .set("neurons", engine.neurons())
            .set("steps", steps)
            .set("seed", engine.model.seed)
            .set("dt_ms", engine.model.dt_ms)
            .set("numerics", engine.model.numerics.hash_hex())
            .set("source", source);
        h
    }
    fn line(&self) -> io::Result<String> {
        let mut parts = Vec::with_capacity(self.0.len());
        for (k, v) in &self.0 {
            let token = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace());
            if !token(k) || k.contains('=') || !token(v) {
                return Err(invalid(format!(
                    "trace header entry `{k}={v}`: keys and values must be non-empty and \
                     without spaces"
                )));
            }
            parts.push(format!("{k}={v}"));
        }
        Ok(format!("# {}", parts.join(" ")))
    }
}

/// The order of a step's weight writes in a record trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightOrder {
    /// The reference's processing order (pre pass, then post pass).
    Processing,
    /// By synapse, each synapse's writes in time order.
    Canonical,
}

impl WeightOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            WeightOrder::Processing => "processing",
            WeightOrder::Canonical => "canonical",
        }
    }
}

impl fmt::Display for WeightOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WeightOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "processing" => Ok(WeightOrder::Processing),
            "canonical" => Ok(WeightOrder::Canonical),
            _ => Err(format!(
                "bad weight_order `{s}` (expected processing or canonical)"
            )),
        }
    }
}

/// Sort a step's weight writes into canonical order (by synapse; stable, so
/// each synapse's writes keep their time order).
pub fn canonicalize(weights: &mut [WeightRecord]) {
    weights.sort_by_key(|w| w.synapse);
}

/// A neuron record as a record-trace line (without the newline).
struct NeuronLine<'a>(&'a NeuronRecord);

impl fmt::Display for NeuronLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, s) = (self.0, &self.0.state);
        write!(
            f,
            "n {} {} {} {} {} {} {}",
            r.step, r.neuron, s.v, s.i_ex, s.i_in, s.refr, r.spike as u8
        )
    }
}

/// A weight record as a record-trace line.
struct WeightLine<'a>(&'a WeightRecord);

impl fmt::Display for WeightLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        write!(f, "w {} {} {} {}", r.step, r.synapse, r.old, r.new)
    }
}

/// A spike as it appears in a trace of `kind`.
fn spike_line(kind: TraceKind, step: u64, neuron: u32) -> String {
    match kind {
        TraceKind::Records => format!("s {step} {neuron}"),
        TraceKind::Spikes { .. } => format!("{step} {neuron}"),
    }
}

/// A spike: (step, neuron).
pub type Spike = (u64, u32);

/// Streams spikes into a spike trace; [`SpikeWriter::step`] is called for
/// every step in order, also those without spikes.
pub struct SpikeWriter<W: Write> {
    w: W,
    pub count: u64,
    steps: u64,
}

impl<W: Write> SpikeWriter<W> {
    pub fn new(mut w: W, header: &Header) -> io::Result<Self> {
        let line = header.line()?;
        writeln!(w, "{SPIKE_MAGIC}")?;
        writeln!(w, "{line}")?;
        writeln!(w, "{SPIKE_COLUMNS}")?;
        Ok(SpikeWriter {
            w,
            count: 0,
            steps: 0,
        })
    }
    /// Write the spikes of step `step` (the next one; neurons ascending).
    pub fn step(&mut self, step: u64, neurons: &[u32]) -> io::Result<()> {
        if step != self.steps {
            return Err(invalid(format!(
                "spike trace: step {step} written where step {} is next (every step, in order)",
                self.steps
            )));
        }
        for n in neurons {
            writeln!(self.w, "{step} {n}")?;
        }
        self.count += neurons.len() as u64;
        self.steps += 1;
        Ok(())
    }
    /// Write the end line and flush.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.w, "# end steps={}", self.steps)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Streams the records of each step into a record trace.
pub struct RecordWriter<W: Write> {
    w: W,
    steps: u64,
    pub neuron_updates: u64,
    pub weight_writes: u64,
    pub spikes: u64,
}

impl<W: Write> RecordWriter<W> {
    /// Write the magic, `header` with `weight_order` set, and the column
    /// line. The header must have every key of [`RECORD_KEYS`] but
    /// `weight_order`, and a `source` of [`SOURCES`].
    pub fn new(mut w: W, header: &Header, order: WeightOrder) -> io::Result<Self> {
        let mut h = header.clone();
        h.set("weight_order", order);
        if let Some(k) = RECORD_KEYS.iter().find(|k| h.get(k).is_none()) {
            return Err(invalid(format!("record trace header lacks `{k}`")));
        }
        let source = h.get("source").unwrap_or_default();
        if !SOURCES.contains(&source) {
            return Err(invalid(format!(
                "record trace source `{source}` (expected one of {})",
                SOURCES.join(", ")
            )));
        }
        let line = h.line()?;
        writeln!(w, "{RECORD_MAGIC}")?;
        writeln!(w, "{line}")?;
        writeln!(w, "{RECORD_COLUMNS}")?;
        Ok(RecordWriter {
            w,
            steps: 0,
            neuron_updates: 0,
            weight_writes: 0,
            spikes: 0,
        })
    }

    /// Write the records of the next step (`r.step` must be it). The records
    /// are written as given; a reader rejects records out of the format's
    /// order.
    pub fn step(&mut self, r: &StepRecords) -> io::Result<()> {
        if r.step != self.steps {
            return Err(invalid(format!(
                "record trace: step {} written where step {} is next (every step, in order)",
                r.step, self.steps
            )));
        }
        writeln!(self.w, "t {}", r.step)?;
        for n in &r.neurons {
            writeln!(self.w, "{}", NeuronLine(n))?;
        }
        for w in &r.weights {
            writeln!(self.w, "{}", WeightLine(w))?;
        }
        for (i, s) in r.spikes.iter().enumerate() {
            writeln!(self.w, "s {} {s}", r.spike_step(i))?;
        }
        self.steps += 1;
        self.neuron_updates += r.neurons.len() as u64;
        self.weight_writes += r.weights.len() as u64;
        self.spikes += r.spikes.len() as u64;
        Ok(())
    }

    /// Steps written so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Write the end line and flush.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.w, "# end steps={}", self.steps)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// What a trace file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A spike trace of this version (1 or 2).
    Spikes { version: u32 },
    /// A record trace (version 1).
    Records,
}

impl fmt::Display for TraceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceKind::Spikes { version } => write!(f, "spike trace v{version}"),
            TraceKind::Records => write!(f, "record trace v1"),
        }
    }
}

/// Lines of a trace, numbered from 1; a last line without `\n` is an error.
struct Lines<R> {
    r: R,
    line: usize,
    buf: String,
}

impl<R: BufRead> Lines<R> {
    fn next(&mut self) -> Result<Option<(usize, String)>, TraceError> {
        self.buf.clear();
        let n = match self.r.read_line(&mut self.buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(bad(self.line + 1, "not UTF-8 text"))
            }
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if !self.buf.ends_with('\n') {
            return Err(bad(
                self.line,
                format!(
                    "truncated line `{}` (the file ends in the middle of a line)",
                    self.buf
                ),
            ));
        }
        self.buf.pop();
        if self.buf.ends_with('\r') {
            self.buf.pop();
        }
        Ok(Some((self.line, std::mem::take(&mut self.buf))))
    }
}

/// One step of a trace, with the line of each record (for reports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceStep {
    pub records: StepRecords,
    /// The line of each neuron record, weight write and spike.
    pub neuron_lines: Vec<usize>,
    pub weight_lines: Vec<usize>,
    pub spike_lines: Vec<usize>,
}

impl TraceStep {
    fn new(step: u64) -> TraceStep {
        TraceStep {
            records: StepRecords {
                step,
                ..StepRecords::default()
            },
            ..TraceStep::default()
        }
    }

    /// Sort the weight writes into canonical order (see [`canonicalize`]),
    /// their lines with them.
    pub fn canonicalize(&mut self) {
        let mut idx: Vec<usize> = (0..self.records.weights.len()).collect();
        idx.sort_by_key(|&i| self.records.weights[i].synapse);
        let w = &self.records.weights;
        let weights = idx.iter().map(|&i| w[i]).collect();
        let lines = idx
            .iter()
            .map(|&i| self.weight_lines.get(i).copied().unwrap_or(0))
            .collect();
        self.records.weights = weights;
        self.weight_lines = lines;
    }

    /// Keep the spikes only.
    pub fn project_spikes(&mut self) {
        self.records.neurons.clear();
        self.records.weights.clear();
        self.neuron_lines.clear();
        self.weight_lines.clear();
    }

    /// The line number and text of the record `kind` names, if this step has
    /// it (`kind` as a trace of `trace` writes it).
    pub fn locate(&self, kind: &RecordKind, trace: TraceKind) -> Option<(usize, String)> {
        let r = &self.records;
        match kind {
            RecordKind::Neuron { neuron } => {
                let i = r.neurons.iter().position(|n| n.neuron == *neuron)?;
                Some((
                    self.neuron_lines.get(i).copied().unwrap_or(0),
                    NeuronLine(&r.neurons[i]).to_string(),
                ))
            }
            RecordKind::Weight { index, .. } => r.weights.get(*index).map(|w| {
                (
                    self.weight_lines.get(*index).copied().unwrap_or(0),
                    WeightLine(w).to_string(),
                )
            }),
            RecordKind::Spike { index, .. } => r.spikes.get(*index).map(|&s| {
                (
                    self.spike_lines.get(*index).copied().unwrap_or(0),
                    spike_line(trace, r.spike_step(*index), s),
                )
            }),
        }
    }
}

/// Reads a trace step by step, checking everything as it goes.
pub struct TraceReader<R> {
    lines: Lines<R>,
    kind: TraceKind,
    header: Header,
    header_lines: BTreeMap<String, usize>,
    neurons: u32,
    steps: u64,
    dt_ms: f64,
    order: WeightOrder,
    /// A line read ahead (record traces).
    pending: Option<(usize, String)>,
    /// A spike read ahead (spike traces): step, neuron, line.
    pending_spike: Option<(u64, u32, usize)>,
    /// The last spike read (spike traces), for the order checks.
    last_spike: Option<(u64, u32, usize)>,
    /// The next step to return.
    next: u64,
    /// Steps the end line says the file holds, once read.
    end: Option<u64>,
    done: bool,
}

/// Parse `# end steps=N`.
fn parse_end(l: &str) -> Option<u64> {
    l.strip_prefix("# end steps=")?.parse().ok()
}

fn field<T: FromStr>(toks: &[&str], i: usize, name: &str, ln: usize) -> Result<T, TraceError> {
    toks[i].parse().map_err(|_| {
        bad(
            ln,
            format!("bad {name} `{}` in `{}`", toks[i], toks.join(" ")),
        )
    })
}

impl<R: BufRead> TraceReader<R> {
    /// Read the magic line and the header.
    pub fn open(r: R) -> Result<Self, TraceError> {
        let mut lines = Lines {
            r,
            line: 0,
            buf: String::new(),
        };
        let Some((_, first)) = lines.next()? else {
            return Err(bad(
                1,
                format!("empty file: not a trace (expected a magic line such as `{RECORD_MAGIC}`)"),
            ));
        };
        let kind = match first.trim_end() {
            SPIKE_MAGIC_V1 => TraceKind::Spikes { version: 1 },
            SPIKE_MAGIC => TraceKind::Spikes { version: 2 },
            RECORD_MAGIC => TraceKind::Records,
            STATE_MAGIC => {
                return Err(bad(
                    1,
                    "a state trace (sampled neuron state) is not compared; compare spike or \
                     record traces",
                ))
            }
            m if m.starts_with("# spikefab ") => {
                let known = [SPIKE_MAGIC_V1, SPIKE_MAGIC, RECORD_MAGIC].join("`, `");
                return Err(bad(
                    1,
                    format!("unknown trace kind or version `{m}` (this spikefab reads `{known}`)"),
                ));
            }
            _ => {
                return Err(bad(
                    1,
                    format!(
                        "not a spikefab trace: the first line must be a magic line such as \
                         `{RECORD_MAGIC}` or `{SPIKE_MAGIC}`"
                    ),
                ))
            }
        };
        let columns = match kind {
            TraceKind::Records => RECORD_COLUMNS,
            TraceKind::Spikes { .. } => SPIKE_COLUMNS,
        };
        let mut header = Header::default();
        let mut header_lines = BTreeMap::new();
        let col_line = loop {
            let Some((ln, l)) = lines.next()? else {
                return Err(bad(
                    lines.line.max(1),
                    format!("truncated: the file ends in its header, before the column line `{columns}`"),
                ));
            };
            if l == columns {
                break ln;
            }
            let Some(h) = l.strip_prefix('#') else {
                return Err(bad(
                    ln,
                    format!("expected the column line `{columns}`, found `{l}`"),
                ));
            };
            for tok in h.split_whitespace() {
                let Some((k, v)) = tok
                    .split_once('=')
                    .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                else {
                    return Err(bad(
                        ln,
                        format!("bad header entry `{tok}` (expected key=value)"),
                    ));
                };
                if let Some(prev) = header_lines.get(k) {
                    return Err(bad(
                        ln,
                        format!("header key `{k}` given twice (also on line {prev})"),
                    ));
                }
                header.set(k, v);
                header_lines.insert(k.to_string(), ln);
            }
        };
        let keys: &[&str] = match kind {
            TraceKind::Records => &RECORD_KEYS,
            TraceKind::Spikes { .. } => &SPIKE_KEYS,
        };
        let hline = col_line.saturating_sub(1).max(2);
        if let Some(k) = keys.iter().find(|k| header.get(k).is_none()) {
            return Err(bad(
                hline,
                format!("the header lacks `{k}=` (a {kind} has {})", keys.join(", ")),
            ));
        }
        let at = |k: &str| header_lines.get(k).copied().unwrap_or(hline);
        let get = |k: &str| header.get(k).unwrap_or_default();
        let neurons: u32 = get("neurons")
            .parse()
            .map_err(|_| bad(at("neurons"), format!("bad neurons=`{}`", get("neurons"))))?;
        let steps: u64 = get("steps")
            .parse()
            .map_err(|_| bad(at("steps"), format!("bad steps=`{}`", get("steps"))))?;
        let dt_ms: f64 = get("dt_ms")
            .parse()
            .ok()
            .filter(|d: &f64| d.is_finite() && *d > 0.0)
            .ok_or_else(|| bad(at("dt_ms"), format!("bad dt_ms=`{}`", get("dt_ms"))))?;
        let mut order = WeightOrder::Processing;
        if kind == TraceKind::Records {
            order = get("weight_order")
                .parse()
                .map_err(|e: String| bad(at("weight_order"), e))?;
            if !SOURCES.contains(&get("source")) {
                return Err(bad(
                    at("source"),
                    format!(
                        "bad source=`{}` (expected one of {})",
                        get("source"),
                        SOURCES.join(", ")
                    ),
                ));
            }
        }
        Ok(TraceReader {
            lines,
            kind,
            header,
            header_lines,
            neurons,
            steps,
            dt_ms,
            order,
            pending: None,
            pending_spike: None,
            last_spike: None,
            next: 0,
            end: None,
            done: false,
        })
    }

    pub fn kind(&self) -> TraceKind {
        self.kind
    }
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The line a header key is on.
    pub fn header_line(&self, key: &str) -> Option<usize> {
        self.header_lines.get(key).copied()
    }
    pub fn neurons(&self) -> u32 {
        self.neurons
    }
    /// The header's `steps` (the run's length).
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    /// The order of the weight writes (record traces; spike traces have none).
    pub fn weight_order(&self) -> WeightOrder {
        self.order
    }

    /// The next step (0, 1, ...), or `None` after the last one.
    pub fn next_step(&mut self) -> Result<Option<TraceStep>, TraceError> {
        if self.done {
            return Ok(None);
        }
        let r = match self.kind {
            TraceKind::Records => self.next_record_step(),
            TraceKind::Spikes { version } => self.next_spike_step(version),
        };
        match r {
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Ok(Some(s)) => {
                self.next += 1;
                Ok(Some(s))
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    fn take_line(&mut self) -> Result<Option<(usize, String)>, TraceError> {
        match self.pending.take() {
            Some(p) => Ok(Some(p)),
            None => self.lines.next(),
        }
    }

    fn truncated(&self, what: &str) -> TraceError {
        bad(
            self.lines.line.max(1),
            format!(
                "truncated: the file ends {what} without its end line `# end steps=N` \
                 (it was cut short)"
            ),
        )
    }

    /// The file ends between steps without its end line.
    fn truncated_after_steps(&self) -> TraceError {
        match self.next {
            0 => self.truncated("before its first step"),
            n => self.truncated(&format!("after step {}", n - 1)),
        }
    }

    /// The end line at `ln` says `n` steps; the file must end there.
    fn end_at(&mut self, ln: usize, n: u64) -> Result<(), TraceError> {
        if n > self.steps {
            return Err(bad(
                ln,
                format!(
                    "the end line says {n} steps, more than the header's steps={}",
                    self.steps
                ),
            ));
        }
        if let Some((l2, text)) = self.lines.next()? {
            return Err(bad(l2, format!("`{text}` after the end line (line {ln})")));
        }
        self.end = Some(n);
        Ok(())
    }

    fn next_record_step(&mut self) -> Result<Option<TraceStep>, TraceError> {
        let t = self.next;
        let Some((ln, l)) = self.take_line()? else {
            return Err(self.truncated_after_steps());
        };
        if l.starts_with('#') {
            let Some(n) = parse_end(&l) else {
                return Err(bad(
                    ln,
                    format!("unexpected `{l}` (expected `t {t}` or the end line `# end steps=N`)"),
                ));
            };
            if n != t {
                return Err(bad(
                    ln,
                    format!("the end line says {n} steps, but the file holds {t}"),
                ));
            }
            self.end_at(ln, n)?;
            return Ok(None);
        }
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 2 || toks[0] != "t" {
            return Err(bad(
                ln,
                format!("expected the step line `t {t}`, found `{l}`"),
            ));
        }
        let step: u64 = field(&toks, 1, "step", ln)?;
        if step != t {
            let why = if step + 1 == t {
                format!("step {step} repeated (duplicated step line)")
            } else {
                format!("step {step} out of order: expected step {t} (steps run 0, 1, 2, ...)")
            };
            return Err(bad(ln, why));
        }
        let mut ts = TraceStep::new(t);
        // 0: neurons, 1: weights, 2: spikes
        let mut section = 0;
        loop {
            let Some((ln, l)) = self.lines.next()? else {
                return Err(self.truncated(&format!("inside step {t}")));
            };
            if l.starts_with('#') || l.starts_with("t ") || l == "t" {
                self.pending = Some((ln, l));
                break;
            }
            let toks: Vec<&str> = l.split_whitespace().collect();
            let (want, sec, name) = match toks.first() {
                Some(&"n") => (8, 0, "neuron update (n step neuron v i_ex i_in refr spike)"),
                Some(&"w") => (5, 1, "weight write (w step synapse old new)"),
                Some(&"s") => (3, 2, "spike (s step neuron)"),
                Some(_) => {
                    return Err(bad(
                        ln,
                        format!("unknown record `{l}` (lines start with t, n, w, s or `# end`)"),
                    ))
                }
                None => return Err(bad(ln, "empty line")),
            };
            if toks.len() != want {
                return Err(bad(
                    ln,
                    format!(
                        "{} fields in `{l}`, a {name} has {want}: a cut or malformed line",
                        toks.len()
                    ),
                ));
            }
            let s: u64 = field(&toks, 1, "step", ln)?;
            if s != t {
                return Err(bad(
                    ln,
                    format!("record of step {s} inside step {t} (out of order)"),
                ));
            }
            if sec < section {
                let names = ["neuron updates", "weight writes", "spikes"];
                return Err(bad(
                    ln,
                    format!(
                        "`{l}` after the {} of the step: out of order (a step lists neuron \
                         updates, then weight writes, then spikes)",
                        names[section]
                    ),
                ));
            }
            section = sec;
            let r = &mut ts.records;
            match sec {
                0 => {
                    let neuron: u32 = field(&toks, 2, "neuron", ln)?;
                    self.check_neuron(neuron, ln)?;
                    if let Some(prev) = r.neurons.last() {
                        let pl = ts.neuron_lines.last().copied().unwrap_or(0);
                        if neuron == prev.neuron {
                            return Err(bad(
                                ln,
                                format!("duplicated record of neuron {neuron} (also on line {pl})"),
                            ));
                        }
                        if neuron < prev.neuron {
                            return Err(bad(
                                ln,
                                format!(
                                    "neuron {neuron} after neuron {} (line {pl}): out of order \
                                     (neurons ascend)",
                                    prev.neuron
                                ),
                            ));
                        }
                    }
                    let spike: u8 = field(&toks, 7, "spike", ln)?;
                    if spike > 1 {
                        return Err(bad(ln, format!("bad spike `{spike}` in `{l}` (0 or 1)")));
                    }
                    r.neurons.push(NeuronRecord {
                        step: s,
                        neuron,
                        state: NeuronState {
                            v: field(&toks, 3, "v", ln)?,
                            i_ex: field(&toks, 4, "i_ex", ln)?,
                            i_in: field(&toks, 5, "i_in", ln)?,
                            refr: field(&toks, 6, "refr", ln)?,
                            ..NeuronState::default()
                        },
                        spike: spike == 1,
                    });
                    ts.neuron_lines.push(ln);
                }
                1 => {
                    let synapse: u64 = field(&toks, 2, "synapse", ln)?;
                    if self.order == WeightOrder::Canonical {
                        if let Some(prev) = r.weights.last().filter(|p| p.synapse > synapse) {
                            return Err(bad(
                                ln,
                                format!(
                                    "synapse {synapse} after synapse {} (line {}): out of order \
                                     (weight_order=canonical: synapses ascend)",
                                    prev.synapse,
                                    ts.weight_lines.last().copied().unwrap_or(0)
                                ),
                            ));
                        }
                    }
                    r.weights.push(WeightRecord {
                        step: s,
                        synapse,
                        old: field(&toks, 3, "old", ln)?,
                        new: field(&toks, 4, "new", ln)?,
                    });
                    ts.weight_lines.push(ln);
                }
                _ => {
                    let neuron: u32 = field(&toks, 2, "neuron", ln)?;
                    self.check_neuron(neuron, ln)?;
                    if let Some(&prev) = r.spikes.last() {
                        let pl = ts.spike_lines.last().copied().unwrap_or(0);
                        if neuron == prev {
                            return Err(bad(
                                ln,
                                format!("duplicated spike of neuron {neuron} (also on line {pl})"),
                            ));
                        }
                        if neuron < prev {
                            return Err(bad(
                                ln,
                                format!(
                                    "spike of neuron {neuron} after neuron {prev} (line {pl}): out \
                                     of order (spikes ascend)"
                                ),
                            ));
                        }
                    }
                    r.spikes.push(neuron);
                    ts.spike_lines.push(ln);
                }
            }
        }
        Ok(Some(ts))
    }

    fn check_neuron(&self, neuron: u32, ln: usize) -> Result<(), TraceError> {
        if neuron >= self.neurons {
            return Err(bad(
                ln,
                format!(
                    "neuron {neuron} out of range (the header says neurons={})",
                    self.neurons
                ),
            ));
        }
        Ok(())
    }

    /// The next spike line: step, neuron, line; `None` at the end line or
    /// the end of the file.
    fn read_spike(&mut self, version: u32) -> Result<Option<(u64, u32, usize)>, TraceError> {
        if let Some(p) = self.pending_spike.take() {
            return Ok(Some(p));
        }
        let Some((ln, l)) = self.lines.next()? else {
            if version >= 2 {
                return Err(self.truncated("here"));
            }
            self.end = Some(self.steps);
            return Ok(None);
        };
        if l.starts_with('#') {
            let n = match parse_end(&l) {
                Some(n) if version >= 2 => n,
                _ => return Err(bad(ln, format!("unexpected `{l}` after the column line"))),
            };
            if let Some((s, _, sl)) = self.last_spike.filter(|&(s, _, _)| s >= n) {
                return Err(bad(
                    ln,
                    format!("the end line says {n} steps, but line {sl} has a spike at step {s}"),
                ));
            }
            self.end_at(ln, n)?;
            return Ok(None);
        }
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 2 {
            let why = if toks.is_empty() {
                "empty line".to_string()
            } else {
                format!(
                    "{} fields in `{l}`, a spike line has 2 (step neuron): a cut or malformed line",
                    toks.len()
                )
            };
            return Err(bad(ln, why));
        }
        let step: u64 = field(&toks, 0, "step", ln)?;
        let neuron: u32 = field(&toks, 1, "neuron", ln)?;
        self.check_neuron(neuron, ln)?;
        if step >= self.steps {
            return Err(bad(
                ln,
                format!(
                    "step {step} out of range (the header says steps={})",
                    self.steps
                ),
            ));
        }
        if let Some((ps, pn, pl)) = self.last_spike {
            if (step, neuron) == (ps, pn) {
                return Err(bad(
                    ln,
                    format!("duplicated line `{l}` (same as line {pl})"),
                ));
            }
            if (step, neuron) < (ps, pn) {
                return Err(bad(
                    ln,
                    format!(
                        "`{l}` after `{ps} {pn}` (line {pl}): out of order (lines are sorted by \
                         step, then neuron)"
                    ),
                ));
            }
        }
        self.last_spike = Some((step, neuron, ln));
        Ok(Some((step, neuron, ln)))
    }

    fn next_spike_step(&mut self, version: u32) -> Result<Option<TraceStep>, TraceError> {
        let t = self.next;
        let mut ts = TraceStep::new(t);
        while self.end.is_none() {
            match self.read_spike(version)? {
                Some((s, n, ln)) if s == t => {
                    ts.records.spikes.push(n);
                    ts.spike_lines.push(ln);
                }
                Some(p) => {
                    // a later step (earlier ones are out of order)
                    self.pending_spike = Some(p);
                    return Ok(Some(ts));
                }
                None => {}
            }
        }
        Ok((t < self.end.unwrap_or(0)).then_some(ts))
    }
}

/// A whole spike trace in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpikeTrace {
    pub header: Header,
    /// Steps the trace covers (0 .. steps).
    pub steps: u64,
    pub spikes: Vec<Spike>,
}

impl SpikeTrace {
    /// Read a spike trace (v1 or v2), strictly.
    pub fn read(r: impl BufRead) -> Result<SpikeTrace, TraceError> {
        let mut rd = TraceReader::open(r)?;
        if rd.kind() == TraceKind::Records {
            return Err(bad(1, "a record trace, not a spike trace"));
        }
        let mut t = SpikeTrace {
            header: rd.header().clone(),
            ..SpikeTrace::default()
        };
        while let Some(s) = rd.next_step()? {
            t.steps = s.records.step + 1;
            t.spikes
                .extend(s.records.spikes.iter().map(|&n| (s.records.step, n)));
        }
        Ok(t)
    }

    /// Write the trace (v2: spikes sorted, steps below `self.steps`).
    pub fn write(&self, w: impl Write) -> io::Result<()> {
        if !self.spikes.windows(2).all(|w| w[0] < w[1])
            || self.spikes.last().is_some_and(|s| s.0 >= self.steps)
        {
            return Err(invalid(
                "spike trace: spikes must be sorted, without repeats, within the steps".into(),
            ));
        }
        let mut sw = SpikeWriter::new(w, &self.header)?;
        let mut i = 0;
        let mut ns = Vec::new();
        for t in 0..self.steps {
            ns.clear();
            while i < self.spikes.len() && self.spikes[i].0 == t {
                ns.push(self.spikes[i].1);
                i += 1;
            }
            sw.step(t, &ns)?;
        }
        sw.finish()?;
        Ok(())
    }
}

/// One of the two traces compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// Why two traces could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// One side is not a valid trace.
    #[error("{source}")]
    Read {
        side: Side,
        #[source]
        source: TraceError,
    },
    /// The headers describe different runs.
    #[error(
        "the traces are not of the same run: header {key} is {left} (left, line {left_line}) \
         but {right} (right, line {right_line})"
    )]
    Header {
        key: &'static str,
        left: String,
        right: String,
        left_line: usize,
        right_line: usize,
    },
}

/// Where two traces first differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceDivergence {
    /// A record differs ([`compare_step`]'s divergence, left as the
    /// reference), with the line and text of each side's record (`None`: that
    /// side has no such record).
    Record {
        divergence: Divergence,
        left: Option<(usize, String)>,
        right: Option<(usize, String)>,
    },
    /// `side` ends after `steps` steps while the other goes on.
    Ends { side: Side, steps: u64 },
}

/// The result of [`compare_traces`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceComparison {
    /// Steps that matched.
    pub steps: u64,
    /// Records that matched (neuron updates and weight writes stay 0 when
    /// compared on spikes).
    pub neuron_updates: u64,
    pub weight_writes: u64,
    pub spikes: u64,
    /// Compared on spikes only (a side is a spike trace).
    pub spikes_only: bool,
    /// Weight writes compared in canonical order (a side is canonical).
    pub canonical: bool,
    /// Header keys that differ without preventing the comparison: key, left
    /// value, right value.
    pub warnings: Vec<(&'static str, String, String)>,
    /// The first divergence (`None`: the traces match).
    pub divergence: Option<TraceDivergence>,
}

impl TraceComparison {
    pub fn matched(&self) -> bool {
        self.divergence.is_none()
    }

    /// One line: the positive marker with the counts, or the first divergence
    /// and where each side has it, with `left` and `right` naming the files.
    pub fn report(&self, left: &str, right: &str) -> String {
        match &self.divergence {
            None if self.spikes_only => {
                format!("matched {} spikes over {} steps", self.spikes, self.steps)
            }
            None => format!(
                "matched {} neuron updates, {} spikes, {} weight writes over {} steps",
                self.neuron_updates, self.spikes, self.weight_writes, self.steps
            ),
            Some(TraceDivergence::Record {
                divergence,
                left: l,
                right: r,
            }) => {
                let at = |name: &str, x: &Option<(usize, String)>| match x {
                    Some((ln, text)) => format!("\n  {name} line {ln}: {text}"),
                    None => format!("\n  {name}: no such record in step {}", divergence.step),
                };
                format!(
                    "traces diverge at {}{}{}",
                    divergence.describe(left, right),
                    at(left, l),
                    at(right, r)
                )
            }
            Some(TraceDivergence::Ends { side, steps }) => {
                let (ended, other) = match side {
                    Side::Left => (left, right),
                    Side::Right => (right, left),
                };
                format!(
                    "traces diverge at step {steps}: {ended} ends after {steps} steps, {other} \
                     goes on"
                )
            }
        }
    }
}

/// Compare two traces step by step through [`compare_step`] (`a` as the
/// reference): every record of two record traces (weight writes in canonical
/// order when either is canonical), the spikes when either is a spike trace.
/// The headers must agree on `neurons`, `steps` and `dt_ms`. Both files are
/// read to their end, also after a divergence, so that a malformed file is
/// always an error.
pub fn compare_traces<A: BufRead, B: BufRead>(
    a: &mut TraceReader<A>,
    b: &mut TraceReader<B>,
) -> Result<TraceComparison, CompareError> {
    let hdr = |key: &'static str, left: String, right: String| CompareError::Header {
        key,
        left,
        right,
        left_line: a.header_line(key).unwrap_or(0),
        right_line: b.header_line(key).unwrap_or(0),
    };
    if a.neurons() != b.neurons() {
        return Err(hdr(
            "neurons",
            a.neurons().to_string(),
            b.neurons().to_string(),
        ));
    }
    if a.steps() != b.steps() {
        return Err(hdr("steps", a.steps().to_string(), b.steps().to_string()));
    }
    if a.dt_ms() != b.dt_ms() {
        return Err(hdr("dt_ms", a.dt_ms().to_string(), b.dt_ms().to_string()));
    }
    let mut c = TraceComparison {
        steps: 0,
        neuron_updates: 0,
        weight_writes: 0,
        spikes: 0,
        spikes_only: a.kind() != TraceKind::Records || b.kind() != TraceKind::Records,
        canonical: a.weight_order() == WeightOrder::Canonical
            || b.weight_order() == WeightOrder::Canonical,
        warnings: Vec::new(),
        divergence: None,
    };
    for key in ["numerics", "seed", "model"] {
        if let (Some(x), Some(y)) = (a.header().get(key), b.header().get(key)) {
            if x != y {
                c.warnings.push((key, x.to_string(), y.to_string()));
            }
        }
    }
    let left = |e| CompareError::Read {
        side: Side::Left,
        source: e,
    };
    let right = |e| CompareError::Read {
        side: Side::Right,
        source: e,
    };
    loop {
        let (sa, sb) = (a.next_step().map_err(left)?, b.next_step().map_err(right)?);
        let (mut sa, mut sb) = match (sa, sb) {
            (None, None) => return Ok(c),
            (Some(_), None) => {
                c.divergence = Some(TraceDivergence::Ends {
                    side: Side::Right,
                    steps: c.steps,
                });
                break;
            }
            (None, Some(_)) => {
                c.divergence = Some(TraceDivergence::Ends {
                    side: Side::Left,
                    steps: c.steps,
                });
                break;
            }
            (Some(x), Some(y)) => (x, y),
        };
        for s in [&mut sa, &mut sb] {
            if c.spikes_only {
                s.project_spikes();
            } else if c.canonical {
                s.canonicalize();
            }
        }
        if let Some(d) = compare_step(&sa.records, &sb.records) {
            c.divergence = Some(TraceDivergence::Record {
                left: sa.locate(&d.kind, a.kind()),
                right: sb.locate(&d.kind, b.kind()),
                divergence: d,
            });
            break;
        }
        c.steps += 1;
        c.neuron_updates += sa.records.neurons.len() as u64;
        c.weight_writes += sa.records.weights.len() as u64;
        c.spikes += sa.records.spikes.len() as u64;
    }
    while a.next_step().map_err(left)?.is_some() {}
    while b.next_step().map_err(right)?.is_some() {}
    Ok(c)
}

/// Streams sampled neuron state into a state trace.
pub struct StateWriter<W: Write> {
    w: W,
}

impl<W: Write> StateWriter<W> {
    pub fn new(mut w: W, header: &Header) -> io::Result<Self> {
        let line = header.line()?;
        writeln!(w, "{STATE_MAGIC}")?;
        writeln!(w, "{line}")?;
        writeln!(w, "step neuron v i_ex i_in refr")?;
        Ok(StateWriter { w })
    }
    pub fn record(
        &mut self,
        step: u64,
        neuron: u32,
        s: &crate::engine::NeuronState,
    ) -> io::Result<()> {
        writeln!(
            self.w,
            "{step} {neuron} {} {} {} {}",
            s.v, s.i_ex, s.i_in, s.refr
        )
    }
    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(neurons: u32, steps: u64) -> Header {
        let mut h = Header::default();
        h.set("model", "x")
            .set("neurons", neurons)
            .set("steps", steps)
            .set("seed", 1)
            .set("dt_ms", 0.1)
            .set("numerics", "0123456789abcdef")
            .set("source", "sim");
        h
    }

    fn nrec(step: u64, neuron: u32, v: i32, spike: bool) -> NeuronRecord {
        NeuronRecord {
            step,
            neuron,
            state: NeuronState {
                v,
                i_ex: 3 * v,
                i_in: -v,
                refr: spike as u32 * 2,
                ..NeuronState::default()
            },
            spike,
        }
    }

    fn wrec(step: u64, synapse: u64, old: i16, new: i16) -> WeightRecord {
        WeightRecord {
            step,
            synapse,
            old,
            new,
        }
    }

    /// Three steps of three neurons; step 1 writes synapses 9, 2, 9.
    fn steps() -> Vec<StepRecords> {
        (0..3u64)
            .map(|t| StepRecords {
                step: t,
                neurons: (0..3)
                    .map(|n| nrec(t, n, (t as i32 + 1) * (n as i32 - 1), n == t as u32))
                    .collect(),
                weights: if t == 1 {
                    vec![wrec(1, 9, 5, 4), wrec(1, 2, -3, -3), wrec(1, 9, 4, 6)]
                } else {
                    Vec::new()
                },
                spikes: vec![t as u32],
                spike_steps: Vec::new(),
            })
            .collect()
    }

    fn record_text(order: WeightOrder, steps: &[StepRecords]) -> String {
        let mut w = RecordWriter::new(Vec::new(), &header(3, 3), order).unwrap();
        for s in steps {
            w.step(s).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    fn spike_text(spikes: &[Spike], steps: u64) -> String {
        let t = SpikeTrace {
            header: header(3, 3),
            steps,
            spikes: spikes.to_vec(),
        };
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn read_all(text: &str) -> Result<Vec<StepRecords>, TraceError> {
        let mut r = TraceReader::open(text.as_bytes())?;
        let mut v = Vec::new();
        while let Some(s) = r.next_step()? {
            v.push(s.records);
        }
        Ok(v)
    }

    /// The line number and message of a reading error.
    fn read_err(text: &str) -> (usize, String) {
        match read_all(text) {
            Err(TraceError::Format { line, message }) => (line, message),
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    fn compare_text(a: &str, b: &str) -> Result<TraceComparison, CompareError> {
        let mut ra = TraceReader::open(a.as_bytes()).expect("left opens");
        let mut rb = TraceReader::open(b.as_bytes()).expect("right opens");
        compare_traces(&mut ra, &mut rb)
    }

    /// Replace the line that is exactly `old` (once).
    fn edit(text: &str, old: &str, new: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.iter().filter(|l| **l == old).count(), 1, "{old}");
        let out: Vec<&str> = lines
            .iter()
            .map(|l| if *l == old { new } else { l })
            .collect();
        out.join("\n") + "\n"
    }

    #[test]
    fn record_trace_round_trips_through_text() {
        let text = record_text(WeightOrder::Processing, &steps());
        assert!(text.starts_with(&format!("{RECORD_MAGIC}\n")), "{text}");
        assert!(text.contains("\nt 1\nn 1 0 -2 -6 2 0 0\n"), "{text}");
        assert!(
            text.contains("\nw 1 9 5 4\nw 1 2 -3 -3\nw 1 9 4 6\ns 1 1\n"),
            "{text}"
        );
        assert!(text.ends_with("\n# end steps=3\n"), "{text}");
        assert_eq!(read_all(&text).unwrap(), steps());
        let r = TraceReader::open(text.as_bytes()).unwrap();
        assert_eq!(r.kind(), TraceKind::Records);
        assert_eq!(r.header().get("weight_order"), Some("processing"));
        assert_eq!(r.header().get("source"), Some("sim"));
    }

    #[test]
    fn spike_trace_round_trips_through_text_with_its_empty_steps() {
        let spikes = vec![(0, 1), (0, 2), (2, 0)];
        let text = spike_text(&spikes, 3);
        assert!(text.starts_with(&format!("{SPIKE_MAGIC}\n")), "{text}");
        assert!(text.ends_with("\n2 0\n# end steps=3\n"), "{text}");
        let back = SpikeTrace::read(text.as_bytes()).unwrap();
        assert_eq!((back.steps, back.spikes), (3, spikes));
        let steps = read_all(&text).unwrap();
        assert_eq!(steps.len(), 3);
        assert!(steps[1].spikes.is_empty());
    }

    #[test]
    fn version_1_spike_traces_stay_readable_and_cover_the_header_steps() {
        let v1 = format!("{SPIKE_MAGIC_V1}\n# neurons=3 steps=4 dt_ms=0.1\nstep neuron\n1 2\n");
        let t = SpikeTrace::read(v1.as_bytes()).unwrap();
        assert_eq!((t.steps, t.spikes), (4, vec![(1, 2)]));
        let v2 = spike_text(&[(1, 2)], 3);
        // same spikes, but v1 says steps=4, v2 steps=3: not the same run
        assert!(matches!(
            compare_text(&v1, &v2),
            Err(CompareError::Header { key: "steps", .. })
        ));
    }

    #[test]
    fn identical_record_traces_match_with_their_counts() {
        let text = record_text(WeightOrder::Processing, &steps());
        let c = compare_text(&text, &text).unwrap();
        assert!(c.matched());
        assert_eq!(
            c.report("a", "b"),
            "matched 9 neuron updates, 3 spikes, 3 weight writes over 3 steps"
        );
    }

    #[test]
    fn a_changed_record_is_reported_with_both_lines() {
        let a = record_text(WeightOrder::Processing, &steps());
        let b = edit(&a, "n 2 1 0 0 0 0 0", "n 2 1 1 0 0 0 0");
        let c = compare_text(&a, &b).unwrap();
        let ln = a.lines().position(|l| l == "n 2 1 0 0 0 0 0").unwrap() + 1;
        assert_eq!(
            c.report("a.txt", "b.txt"),
            format!(
                "traces diverge at step 2, neuron 1; v: a.txt 0, b.txt 1\n  \
                 a.txt line {ln}: n 2 1 0 0 0 0 0\n  b.txt line {ln}: n 2 1 1 0 0 0 0"
            )
        );
        // a missing weight write
        let b = a.replace("w 1 9 4 6\n", "");
        let c = compare_text(&a, &b).unwrap();
        let r = c.report("a", "b");
        assert!(
            r.starts_with("traces diverge at step 1, weight write 2 of the step (synapse 9)"),
            "{r}"
        );
        assert!(r.contains("present: a 1, b 0"), "{r}");
        assert!(r.ends_with("\n  b: no such record in step 1"), "{r}");
    }

    #[test]
    fn canonical_weight_order_on_either_side_canonicalizes_both() {
        let proc_ = record_text(WeightOrder::Processing, &steps());
        let mut canon_steps = steps();
        canonicalize(&mut canon_steps[1].weights);
        assert_eq!(
            canon_steps[1].weights,
            vec![wrec(1, 2, -3, -3), wrec(1, 9, 5, 4), wrec(1, 9, 4, 6)]
        );
        let canon = record_text(WeightOrder::Canonical, &canon_steps);
        assert!(compare_text(&proc_, &canon).unwrap().matched());
        assert!(compare_text(&canon, &proc_).unwrap().matched());
        // compared in processing order, the two differ
        let as_proc = canon.replace("weight_order=canonical", "weight_order=processing");
        assert!(!compare_text(&proc_, &as_proc).unwrap().matched());
        // a canonical file must be in canonical order
        let (line, msg) =
            read_err(&proc_.replace("weight_order=processing", "weight_order=canonical"));
        assert!(msg.contains("out of order"), "{msg}");
        assert_eq!(proc_.lines().nth(line - 1), Some("w 1 2 -3 -3"));
    }

    #[test]
    fn a_record_trace_against_a_spike_trace_is_compared_on_spikes() {
        let rec = record_text(WeightOrder::Processing, &steps());
        let spk = spike_text(&[(0, 0), (1, 1), (2, 2)], 3);
        let c = compare_text(&rec, &spk).unwrap();
        assert!(c.spikes_only && c.matched(), "{c:?}");
        assert_eq!(c.report("a", "b"), "matched 3 spikes over 3 steps");
        let spk = spike_text(&[(0, 0), (1, 1), (2, 1)], 3);
        let c = compare_text(&spk, &rec).unwrap();
        let ln = spk.lines().position(|l| l == "2 1").unwrap() + 1;
        assert_eq!(
            c.report("s", "r"),
            format!(
                "traces diverge at step 2, spike 0 of the step (neuron 1); neuron: s 1, r 2\n  \
                 s line {ln}: 2 1\n  r line 21: s 2 2"
            )
        );
    }

    #[test]
    fn a_trace_that_stops_early_diverges_where_it_ends() {
        let full = record_text(WeightOrder::Processing, &steps());
        let short = record_text(WeightOrder::Processing, &steps()[..2]);
        let c = compare_text(&full, &short).unwrap();
        assert_eq!(
            c.divergence,
            Some(TraceDivergence::Ends {
                side: Side::Right,
                steps: 2
            })
        );
        assert_eq!(
            c.report("a", "b"),
            "traces diverge at step 2: b ends after 2 steps, a goes on"
        );
    }

    #[test]
    fn a_repeated_line_is_an_error_not_a_match() {
        let spk = spike_text(&[(0, 1), (2, 0)], 3);
        let (line, msg) = read_err(&spk.replace("0 1\n", "0 1\n0 1\n"));
        assert_eq!(line, 5);
        assert!(
            msg.contains("duplicated line `0 1` (same as line 4)"),
            "{msg}"
        );
        let rec = record_text(WeightOrder::Processing, &steps());
        let dup = rec.replace("n 1 1 0 0 0 2 1\n", "n 1 1 0 0 0 2 1\nn 1 1 0 0 0 2 1\n");
        let (_, msg) = read_err(&dup);
        assert!(msg.contains("duplicated record of neuron 1"), "{msg}");
        let (_, msg) = read_err(&rec.replace("s 0 0\n", "s 0 0\ns 0 0\n"));
        assert!(msg.contains("duplicated spike of neuron 0"), "{msg}");
        let (_, msg) = read_err(&rec.replace("t 1\n", "t 0\n"));
        assert!(msg.contains("step 0 repeated"), "{msg}");
    }

    #[test]
    fn out_of_order_lines_are_errors() {
        let spk = spike_text(&[(0, 1), (0, 2), (2, 0)], 3);
        let (line, msg) = read_err(&spk.replace("0 1\n0 2\n", "0 2\n0 1\n"));
        assert_eq!(line, 5);
        assert!(msg.contains("out of order"), "{msg}");
        let rec = record_text(WeightOrder::Processing, &steps());
        let swapped = rec.replace(
            "n 0 0 -1 -3 1 2 1\nn 0 1 0 0 0 0 0\n",
            "n 0 1 0 0 0 0 0\nn 0 0 -1 -3 1 2 1\n",
        );
        assert!(read_err(&swapped).1.contains("out of order"));
        let (_, msg) = read_err(&rec.replace("t 2\n", "t 3\n"));
        assert!(
            msg.contains("step 3 out of order: expected step 2"),
            "{msg}"
        );
        let (_, msg) = read_err(&rec.replace("s 1 1\n", "s 1 1\nw 1 4 0 0\n"));
        assert!(msg.contains("after the spikes of the step"), "{msg}");
        let (_, msg) = read_err(&rec.replace("n 2 0", "n 1 0"));
        assert!(msg.contains("record of step 1 inside step 2"), "{msg}");
    }

    #[test]
    fn a_cut_line_is_an_error_not_a_smaller_neuron() {
        // `57 143` cut to `57 14` at the end of the file
        let mut h = header(200, 100);
        h.set("source", "sim");
        let t = SpikeTrace {
            header: h,
            steps: 100,
            spikes: vec![(3, 17), (57, 143)],
        };
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let cut = &text[..text.find("57 143").unwrap() + 5];
        assert!(cut.ends_with("57 14"));
        let (line, msg) = read_err(cut);
        assert_eq!(line, 5);
        assert!(msg.contains("truncated line `57 14`"), "{msg}");
        // cut at a line boundary: the end line is missing
        let cut = &text[..text.find("57 143").unwrap()];
        let (_, msg) = read_err(cut);
        assert!(msg.contains("truncated: the file ends"), "{msg}");
        // a record line cut short
        let rec = record_text(WeightOrder::Processing, &steps());
        let (_, msg) = read_err(&rec.replace("n 1 2 2 6 -2 0 0\n", "n 1 2 2 6\n"));
        assert!(msg.contains("a cut or malformed line"), "{msg}");
        let (_, msg) = read_err(&rec.replace("# end steps=3\n", ""));
        assert!(msg.contains("inside step 2"), "{msg}");
        let (_, msg) = read_err(&rec.replace("# end steps=3\n", "# end steps=2\n"));
        assert!(msg.contains("says 2 steps, but the file holds 3"), "{msg}");
    }

    #[test]
    fn a_file_without_magic_or_header_is_an_error_not_an_empty_trace() {
        assert_eq!(read_err("").0, 1);
        assert!(read_err("").1.contains("empty file"));
        assert!(read_err("3 17\n").1.contains("not a spikefab trace"));
        assert!(read_err(&format!("{SPIKE_MAGIC}\n"))
            .1
            .contains("ends in its header"));
        let (line, msg) = read_err(&format!(
            "{SPIKE_MAGIC}\n# neurons=3 dt_ms=0.1\nstep neuron\n"
        ));
        assert_eq!(line, 2);
        assert!(msg.contains("lacks `steps=`"), "{msg}");
        let (_, msg) = read_err(&format!("{STATE_MAGIC}\n"));
        assert!(msg.contains("state trace"), "{msg}");
        let (_, msg) = read_err("# spikefab record trace v9\n");
        assert!(msg.contains("unknown trace kind or version"), "{msg}");
        let rec = record_text(WeightOrder::Processing, &steps());
        let (line, msg) = read_err(&rec.replace(" weight_order=processing", ""));
        assert_eq!(line, 2);
        assert!(msg.contains("lacks `weight_order=`"), "{msg}");
        let (_, msg) = read_err(&rec.replace("source=sim", "source=fpga"));
        assert!(msg.contains("bad source=`fpga`"), "{msg}");
    }

    #[test]
    fn out_of_range_values_and_text_after_the_end_are_errors() {
        let spk = spike_text(&[(0, 1)], 3);
        assert!(read_err(&spk.replace("0 1\n", "0 3\n"))
            .1
            .contains("neuron 3 out of range"));
        assert!(read_err(&spk.replace("0 1\n", "3 1\n"))
            .1
            .contains("step 3 out of range"));
        assert!(read_err(&format!("{spk}0 2\n"))
            .1
            .contains("after the end line"));
        let rec = record_text(WeightOrder::Processing, &steps());
        let (_, msg) = read_err(&rec.replace("n 0 1 0 0 0 0 0", "n 0 1 0 0 0 0 2"));
        assert!(msg.contains("bad spike `2`"), "{msg}");
        let (_, msg) = read_err(&rec.replace("w 1 9 5 4", "w 1 9 5 40000"));
        assert!(msg.contains("bad new `40000`"), "{msg}");
    }

    #[test]
    fn header_mismatches_of_dt_neurons_or_steps_are_errors() {
        let a = record_text(WeightOrder::Processing, &steps());
        for (from, to, key) in [
            ("dt_ms=0.1", "dt_ms=0.2", "dt_ms"),
            ("neurons=3", "neurons=4", "neurons"),
            ("steps=3 ", "steps=4 ", "steps"),
        ] {
            let b = a.replacen(from, to, 1);
            match compare_text(&a, &b) {
                Err(CompareError::Header {
                    key: k,
                    left_line,
                    right_line,
                    ..
                }) => assert_eq!((k, left_line, right_line), (key, 2, 2)),
                other => panic!("{key}: {other:?}"),
            }
        }
        // a different seed is a warning, and (here) still a match
        let b = a.replacen("seed=1", "seed=2", 1);
        let c = compare_text(&a, &b).unwrap();
        assert_eq!(c.warnings, vec![("seed", "1".to_string(), "2".to_string())]);
    }

    #[test]
    fn a_malformed_file_is_an_error_even_after_a_divergence() {
        let a = record_text(WeightOrder::Processing, &steps());
        let b = edit(&a, "n 0 0 -1 -3 1 2 1", "n 0 0 -2 -3 1 2 1").replace("# end steps=3\n", "");
        assert!(matches!(
            compare_text(&a, &b),
            Err(CompareError::Read {
                side: Side::Right,
                ..
            })
        ));
    }

    #[test]
    fn writers_refuse_steps_out_of_order_and_bad_headers() {
        let mut w = SpikeWriter::new(Vec::new(), &header(3, 3)).unwrap();
        w.step(0, &[1]).unwrap();
        assert!(w.step(2, &[1]).is_err());
        let mut w = RecordWriter::new(Vec::new(), &header(3, 3), WeightOrder::Processing).unwrap();
        assert!(w.step(&steps()[1]).is_err());
        let mut h = header(3, 3);
        h.set("source", "somewhere");
        assert!(RecordWriter::new(Vec::new(), &h, WeightOrder::Processing).is_err());
        let mut h = header(3, 3);
        h.set("model", "two words");
        assert!(SpikeWriter::new(Vec::new(), &h).is_err());
    }

    #[test]
    fn the_reference_engine_records_of_an_stdp_network_match_themselves() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/stdp_pair.toml");
        let net = crate::load::load_file(&path).expect("stdp_pair loads");
        let mut e = Engine::from_network(&net).expect("builds");
        let steps = 300;
        let h = Header::of_run("stdp_pair", &e, steps, "sim");
        let mut w = RecordWriter::new(Vec::new(), &h, WeightOrder::Processing).unwrap();
        for _ in 0..steps {
            w.step(&StepRecords::of_engine_step(&mut e)).unwrap();
        }
        assert!(w.weight_writes > 0, "the network writes weights");
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let c = compare_text(&text, &text).unwrap();
        assert!(c.matched());
        assert_eq!(c.steps, steps);
        assert!(c.weight_writes > 0);
    }
}
