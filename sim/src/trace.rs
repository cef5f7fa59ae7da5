//! The one trace format that the simulator, the co-simulation and the boards
//! all write, and the one comparator that checks two traces against each other.
//!
//! A spike trace is UTF-8 text:
//! ```text
//! # spikefab spike trace v1
//! # model=balanced neurons=1250 steps=10000 seed=1 dt_ms=0.1 numerics=0123456789abcdef source=sim
//! step neuron
//! 3 17
//! 3 905
//! ```
//! Lines after the column line are `step neuron` pairs in decimal, sorted by
//! step, then neuron. Header keys are `key=value` with no spaces in values;
//! unknown keys are kept and ignored by the comparator. A state trace has the
//! magic `# spikefab state trace v1` and the columns
//! `step neuron v i_ex i_in refr` (raw integers of docs/numerics.md).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};

/// Magic first line of a spike trace.
pub const SPIKE_MAGIC: &str = "# spikefab spike trace v1";
/// Magic first line of a state trace.
pub const STATE_MAGIC: &str = "# spikefab state trace v1";

/// Errors reading a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
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
    fn line(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("# {}", parts.join(" "))
    }
}

/// A spike: (step, neuron).
pub type Spike = (u64, u32);

/// Streams spikes into a trace file.
pub struct SpikeWriter<W: Write> {
    w: W,
    pub count: u64,
}

impl<W: Write> SpikeWriter<W> {
    pub fn new(mut w: W, header: &Header) -> io::Result<Self> {
        writeln!(w, "{SPIKE_MAGIC}")?;
        writeln!(w, "{}", header.line())?;
        writeln!(w, "step neuron")?;
        Ok(SpikeWriter { w, count: 0 })
    }
    /// Write the spikes of one step (neurons ascending).
    pub fn step(&mut self, step: u64, neurons: &[u32]) -> io::Result<()> {
        for n in neurons {
            writeln!(self.w, "{step} {n}")?;
        }
        self.count += neurons.len() as u64;
        Ok(())
    }
    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A whole spike trace in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpikeTrace {
    pub header: Header,
    pub spikes: Vec<Spike>,
}

impl SpikeTrace {
    /// Parse a spike trace.
    pub fn read(r: impl BufRead) -> Result<SpikeTrace, TraceError> {
        let mut t = SpikeTrace::default();
        let mut seen_cols = false;
        for (i, line) in r.lines().enumerate() {
            let line = line?;
            let ln = i + 1;
            if i == 0 {
                if line.trim() != SPIKE_MAGIC {
                    return Err(TraceError::Format {
                        line: ln,
                        message: format!("not a spike trace: expected `{SPIKE_MAGIC}`"),
                    });
                }
                continue;
            }
            if let Some(h) = line.strip_prefix('#') {
                for kv in h.split_whitespace() {
                    if let Some((k, v)) = kv.split_once('=') {
                        t.header.set(k, v);
                    }
                }
                continue;
            }
            if !seen_cols {
                if line.split_whitespace().collect::<Vec<_>>() != ["step", "neuron"] {
                    return Err(TraceError::Format {
                        line: ln,
                        message: "expected the column line `step neuron`".into(),
                    });
                }
                seen_cols = true;
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let mut it = line.split_whitespace();
            let parse = |s: Option<&str>, what: &str| -> Result<u64, TraceError> {
                s.and_then(|x| x.parse::<u64>().ok())
                    .ok_or_else(|| TraceError::Format {
                        line: ln,
                        message: format!("bad {what} in `{line}`"),
                    })
            };
            let step = parse(it.next(), "step")?;
            let n = parse(it.next(), "neuron")?;
            if n > u32::MAX as u64 || it.next().is_some() {
                return Err(TraceError::Format {
                    line: ln,
                    message: format!("bad spike line `{line}`"),
                });
            }
            t.spikes.push((step, n as u32));
        }
        if !t.spikes.windows(2).all(|w| w[0] < w[1]) {
            t.spikes.sort_unstable();
            t.spikes.dedup();
        }
        Ok(t)
    }

    /// Write the trace.
    pub fn write(&self, w: impl Write) -> io::Result<()> {
        let mut sw = SpikeWriter::new(w, &self.header)?;
        let mut i = 0;
        while i < self.spikes.len() {
            let step = self.spikes[i].0;
            let mut j = i;
            let mut ns = Vec::new();
            while j < self.spikes.len() && self.spikes[j].0 == step {
                ns.push(self.spikes[j].1);
                j += 1;
            }
            sw.step(step, &ns)?;
            i = j;
        }
        sw.finish()?;
        Ok(())
    }
}

/// The result of comparing two spike traces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Identical: this many spikes matched.
    Match { spikes: u64 },
    /// They differ first at `index` (in sorted order): the spike each side has
    /// there (None: that side ended).
    Diverge {
        index: u64,
        left: Option<Spike>,
        right: Option<Spike>,
    },
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::Match { spikes } => write!(f, "matched {spikes} spikes"),
            Comparison::Diverge { index, left, right } => {
                let show = |s: &Option<Spike>| match s {
                    Some((t, n)) => format!("step {t} neuron {n}"),
                    None => "end of trace".to_string(),
                };
                let step = match (left, right) {
                    (Some(a), Some(b)) => a.0.min(b.0),
                    (Some(a), None) | (None, Some(a)) => a.0,
                    (None, None) => 0,
                };
                write!(
                    f,
                    "traces diverge at step {step} (spike #{index}): left has {}, right has {}",
                    show(left),
                    show(right)
                )
            }
        }
    }
}

/// Compare two sorted spike lists; report the first difference.
pub fn compare(left: &[Spike], right: &[Spike]) -> Comparison {
    let n = left.len().min(right.len());
    for i in 0..n {
        if left[i] != right[i] {
            return Comparison::Diverge {
                index: i as u64,
                left: Some(left[i]),
                right: Some(right[i]),
            };
        }
    }
    if left.len() != right.len() {
        return Comparison::Diverge {
            index: n as u64,
            left: left.get(n).copied(),
            right: right.get(n).copied(),
        };
    }
    Comparison::Match { spikes: n as u64 }
}

/// Streams sampled neuron state into a state trace.
pub struct StateWriter<W: Write> {
    w: W,
}

impl<W: Write> StateWriter<W> {
    pub fn new(mut w: W, header: &Header) -> io::Result<Self> {
        writeln!(w, "{STATE_MAGIC}")?;
        writeln!(w, "{}", header.line())?;
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

    #[test]
    fn spike_trace_round_trips_through_text() {
        let mut h = Header::default();
        h.set("model", "x").set("neurons", 7);
        let t = SpikeTrace {
            header: h,
            spikes: vec![(0, 1), (0, 5), (3, 2), (15, 6)],
        };
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        let back = SpikeTrace::read(&buf[..]).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn comparator_reports_the_first_difference_and_missing_tails() {
        let a = vec![(1, 2), (3, 4), (5, 6)];
        assert_eq!(compare(&a, &a), Comparison::Match { spikes: 3 });
        let b = vec![(1, 2), (3, 5), (5, 6)];
        assert_eq!(
            compare(&a, &b),
            Comparison::Diverge {
                index: 1,
                left: Some((3, 4)),
                right: Some((3, 5))
            }
        );
        let c = vec![(1, 2), (3, 4)];
        assert_eq!(
            compare(&a, &c),
            Comparison::Diverge {
                index: 2,
                left: Some((5, 6)),
                right: None
            }
        );
        assert!(compare(&a, &c).to_string().contains("step 5"));
    }

    #[test]
    fn reading_rejects_garbage_with_a_line_number() {
        let bad = format!("{SPIKE_MAGIC}\n# a=b\nstep neuron\n1 x\n");
        match SpikeTrace::read(bad.as_bytes()) {
            Err(TraceError::Format { line, .. }) => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
    }
}
