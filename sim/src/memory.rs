//! Memory: what building and running a network will take, estimated from
//! its description before anything large is allocated ([`estimate`]); the
//! limit it is held against ([`MemoryLimit`]: `--max-memory SIZE`, else
//! `MemAvailable` of `/proc/meminfo`); and fallible zeroed allocation
//! ([`try_zeroed`]), so that a buffer the machine cannot hold is an error,
//! not an abort.
//!
//! The estimate counts the large buffers, each from the network's counts
//! (for `pairwise_bernoulli` the expected synapse count):
//!
//! - **synapse matrix** ([`crate::connect::Synapses`]): 6 bytes per synapse
//!   (key and weight), 1 more when any projection is plastic, 8 bytes of row
//!   offset and `4 (partitions + 1)` bytes of partition offsets per neuron;
//!   with plasticity the incoming index (8 bytes per neuron, 12 per plastic
//!   synapse);
//! - **connectivity build**, transient: the per-row cursors (8 bytes per
//!   neuron), the list of work chunks (16 bytes per chunk), the sort
//!   buffers (16 bytes per synapse of the largest row, per thread), the
//!   accumulator check (16 bytes per neuron);
//! - **neuron state**: 26 bytes per neuron (state and population index);
//!   `gen` and `cosim` keep a second copy of the initial state;
//! - **delay ring** (`sim`, `cosim`): 2 channels x 4 bytes x neurons x
//!   (`numerics.max_delay_steps` + 1) slots;
//! - **memory images** (`gen`, `cosim`): the hex text of every memory word
//!   and its copy with a header, about [`IMAGE_BYTES_PER_SYNAPSE`] per
//!   synapse and [`IMAGE_BYTES_PER_NEURON`] per neuron;
//! - with a mesh, the engine copy that measures firing rates for the
//!   mapping (a second synapse matrix and delay ring).
//!
//! It leaves out what does not grow with the network (the program, thread
//! stacks, the verilated model of a hardware config) and the output files.

use std::fmt;

use crate::connect::{partitions_for, planned, MAX_ROW_SYNAPSES};
use crate::net::projection_object;
use crate::net::{Network, Rule};

/// Bytes of memory images per synapse (estimate: hex text of the synapse
/// word, its copy with a header, load-port beats).
pub const IMAGE_BYTES_PER_SYNAPSE: u64 = 48;
/// Bytes of memory images per neuron (estimate: state, population and row
/// words, route masks of a mesh).
pub const IMAGE_BYTES_PER_NEURON: u64 = 160;

pub use crate::alloc::{try_zeroed, Zeroable};

/// What is done with the network: which buffers exist at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `spikefab sim` / `bench sim`: connect, then run the engine.
    Simulate,
    /// `spikefab gen`: connect, then form and write the memory images
    /// (`mesh`: with the engine copy that measures rates for the mapping).
    Generate { mesh: bool },
    /// `spikefab cosim`: generate, then run the reference engine beside
    /// the RTL.
    Cosimulate { mesh: bool },
}

impl Job {
    /// The command, for messages.
    pub fn command(self) -> &'static str {
        match self {
            Job::Simulate => "simulating",
            Job::Generate { .. } => "generating",
            Job::Cosimulate { .. } => "co-simulating",
        }
    }
}

/// One large buffer (or group of buffers) of the estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What it holds: `synapse matrix`, `delay ring`, ...
    pub what: &'static str,
    pub bytes: u64,
    /// How it is counted, naming the fields of the description that drive
    /// it: `4294967280 synapses x 6 bytes (projection[0].rule.n = ...)`.
    pub detail: String,
}

/// The memory a job needs for a network, by item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub job: Job,
    pub neurons: u64,
    /// Synapses (expected, for `pairwise_bernoulli`).
    pub synapses: u64,
    /// Whether `synapses` is exact.
    pub exact: bool,
    pub items: Vec<Item>,
}

impl Estimate {
    /// The whole estimate (saturating).
    pub fn total(&self) -> u64 {
        self.items
            .iter()
            .fold(0u64, |a, i| a.saturating_add(i.bytes))
    }

    /// Check the estimate against `limit`.
    pub fn check(&self, limit: &MemoryLimit) -> Result<(), MemoryError> {
        if self.total() > limit.bytes {
            Err(MemoryError::TooLarge {
                estimate: self.clone(),
                limit: *limit,
            })
        } else {
            Ok(())
        }
    }

    /// The items, one line each (indented by two spaces), largest first.
    pub fn lines(&self) -> String {
        let mut items: Vec<&Item> = self.items.iter().filter(|i| i.bytes > 0).collect();
        items.sort_by_key(|i| std::cmp::Reverse(i.bytes));
        let w = items.iter().map(|i| i.what.len()).max().unwrap_or(0);
        let mut s = String::new();
        for i in items {
            s.push_str(&format!(
                "  {:<w$}  {:>10}  {}\n",
                i.what,
                human_bytes(i.bytes),
                i.detail
            ));
        }
        s
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "memory estimate for {}: {} ({} neurons, {}{} synapses)\n{}",
            self.job.command(),
            human_bytes(self.total()),
            self.neurons,
            if self.exact { "" } else { "about " },
            self.synapses,
            self.lines()
        )
    }
}

/// `1536` as `1.5 KiB`.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < UNITS.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

fn sat(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// The memory `job` needs for `net` (valid or not: every count is
/// saturating) with `threads` worker threads (0: one per core).
pub fn estimate(net: &Network, job: Job, threads: usize) -> Estimate {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    } as u128;
    let n = net.num_neurons() as u128;
    let pops = net.populations.len();
    let plastic = net.projections.iter().any(|p| p.stdp.is_some());
    let mut synapses = 0u128;
    let mut plastic_synapses = 0u128;
    let mut exact = true;
    let mut chunks = 0u128;
    let mut row = vec![0.0f64; pops];
    // (synapses, field text) of each projection, for the details
    let mut by_projection: Vec<(u64, String)> = Vec::new();
    for (i, p) in net.projections.iter().enumerate() {
        let Some(pl) = planned(net, p) else { continue };
        let s = u128::from(pl.synapses);
        synapses += s;
        exact &= pl.exact;
        if p.stdp.is_some() {
            plastic_synapses += s;
        }
        let ns = net
            .population_index(&p.source)
            .map_or(0, |k| net.populations[k].size);
        chunks += match p.rule {
            Rule::PairwiseBernoulli { .. } => u128::from(ns),
            _ => s.div_ceil(1 << 14),
        };
        if let Some(si) = net.population_index(&p.source) {
            row[si] += pl.per_source;
        }
        let (field, value) = match &p.rule {
            Rule::FixedTotalNumber { n, .. } => ("n", n.to_string()),
            Rule::FixedIndegree { k, .. } => ("k", k.to_string()),
            Rule::PairwiseBernoulli { p, .. } => ("p", p.to_string()),
            Rule::OneToOne => ("kind", "\"one_to_one\"".to_string()),
            Rule::Explicit { synapses } => ("synapses", format!("[{} entries]", synapses.len())),
        };
        by_projection.push((
            pl.synapses,
            format!(
                "{}: projection[{i}].rule.{field} = {value}: {}{} synapses",
                projection_object(i, p),
                if pl.exact { "" } else { "about " },
                pl.synapses
            ),
        ));
    }
    by_projection.sort_by_key(|p| std::cmp::Reverse(p.0));
    let largest: Vec<String> = by_projection
        .iter()
        .filter(|(s, _)| *s > 0)
        .take(3)
        .map(|(_, t)| t.clone())
        .collect();
    let more = by_projection.iter().filter(|(s, _)| *s > 0).count() - largest.len();
    let mut drivers = largest.join("; ");
    if more > 0 {
        drivers.push_str(&format!(
            "; {more} more projection{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    let (big_row, big_pop) = row
        .iter()
        .enumerate()
        .map(|(i, &r)| (r.min(MAX_ROW_SYNAPSES as f64), i))
        .fold((0.0f64, 0usize), |a, b| if b.0 > a.0 { b } else { a });
    let big_row = big_row.ceil() as u128;
    let parts = u128::from(partitions_for(n.min(u128::from(u32::MAX)) as u32));
    let slots = u128::from(net.numerics.max_delay_steps) + 1;

    // The synapse matrix (also the engine copy of a mesh's rate measurement).
    let per_syn = 6 + u128::from(plastic);
    let mut matrix = synapses * per_syn + 8 * (n + 1) + 4 * n * (parts + 1);
    if plastic {
        matrix += 8 * (n + 1) + 12 * plastic_synapses;
    }
    let matrix_detail = format!(
        "{}{} synapses x {per_syn} bytes + {} bytes per neuron of row offsets{}",
        if exact { "" } else { "about " },
        synapses,
        8 + 4 * (parts + 1),
        if drivers.is_empty() {
            String::new()
        } else {
            format!(" ({drivers})")
        }
    );
    let sort = 16 * (big_row * threads).min(synapses.max(big_row));
    let build = 8 * n + 16 * chunks + sort + 16 * n;
    let build_detail = if big_row > 1 {
        let pop = &net.populations[big_pop];
        format!(
            "row cursors, work list, accumulator check, and sorting rows of up to {big_row} synapses (population[{big_pop}] \"{}\", size {}, and its projections' counts) on {threads} thread{}",
            pop.name,
            pop.size,
            if threads == 1 { "" } else { "s" }
        )
    } else {
        "row cursors, work list, accumulator check".to_string()
    };
    let pop_fields = if pops == 1 {
        "population[0].size".to_string()
    } else {
        format!("population[*].size of {pops} populations")
    };
    let copies = if matches!(job, Job::Simulate) { 1 } else { 2 };
    let state = n * (24 * copies + 2);
    let ring = 8 * n * slots;
    let ring_detail = format!(
        "{n} neurons ({pop_fields}) x {slots} slots (numerics.max_delay_steps + 1) x 2 channels x 4 bytes"
    );
    let mut items = vec![
        Item {
            what: "synapse matrix",
            bytes: sat(matrix),
            detail: matrix_detail.clone(),
        },
        Item {
            what: "connectivity build",
            bytes: sat(build),
            detail: build_detail,
        },
        Item {
            what: "neuron state",
            bytes: sat(state),
            detail: format!("{n} neurons ({pop_fields}) x {} bytes", 24 * copies + 2),
        },
    ];
    let mesh = matches!(
        job,
        Job::Generate { mesh: true } | Job::Cosimulate { mesh: true }
    );
    if matches!(job, Job::Simulate | Job::Cosimulate { .. }) {
        items.push(Item {
            what: "delay ring",
            bytes: sat(ring),
            detail: ring_detail.clone(),
        });
    }
    if !matches!(job, Job::Simulate) {
        items.push(Item {
            what: "memory images",
            bytes: sat(
                synapses * u128::from(IMAGE_BYTES_PER_SYNAPSE)
                    + n * u128::from(IMAGE_BYTES_PER_NEURON),
            ),
            detail: format!(
                "about {IMAGE_BYTES_PER_SYNAPSE} bytes per synapse and {IMAGE_BYTES_PER_NEURON} per neuron of hex text"
            ),
        });
    }
    if mesh {
        items.push(Item {
            what: "rate measurement engine",
            bytes: sat(matrix + ring + 24 * n),
            detail: "a copy of the synapse matrix and a delay ring, to measure the rates the mapping balances".to_string(),
        });
    }
    Estimate {
        job,
        neurons: sat(n),
        synapses: sat(synapses),
        exact,
        items,
    }
}

/// Where a memory limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    /// `--max-memory SIZE`.
    Flag,
    /// `MemAvailable` of `/proc/meminfo`.
    MemAvailable,
}

/// The memory a job may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit {
    pub bytes: u64,
    pub source: LimitSource,
}

impl MemoryLimit {
    /// `max_memory` when given, else the memory available now (`None` when
    /// the system does not say: no check then).
    pub fn resolve(max_memory: Option<u64>) -> Option<MemoryLimit> {
        match max_memory {
            Some(bytes) => Some(MemoryLimit {
                bytes,
                source: LimitSource::Flag,
            }),
            None => available_bytes().map(|bytes| MemoryLimit {
                bytes,
                source: LimitSource::MemAvailable,
            }),
        }
    }
}

impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            LimitSource::Flag => write!(f, "the limit of {} (--max-memory)", human_bytes(self.bytes)),
            LimitSource::MemAvailable => write!(
                f,
                "the {} available (MemAvailable in /proc/meminfo; --max-memory SIZE sets another limit)",
                human_bytes(self.bytes)
            ),
        }
    }
}

/// `MemAvailable` of `/proc/meminfo`, in bytes (`None` where there is none).
pub fn available_bytes() -> Option<u64> {
    parse_meminfo(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// The `MemAvailable` line of a `/proc/meminfo` text, in bytes.
pub fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut it = line["MemAvailable:".len()..].split_whitespace();
    let value: u64 = it.next()?.parse().ok()?;
    match it.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// A memory job that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    #[error(
        "not enough memory: {} this network needs about {}, more than {limit}; nothing was built:\n{}",
        .estimate.job.command(),
        human_bytes(.estimate.total()),
        .estimate.lines().trim_end()
    )]
    TooLarge {
        estimate: Estimate,
        limit: MemoryLimit,
    },
}

/// Why a `--max-memory` size is not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("empty size (expected a number of bytes with an optional unit: 512M, 4G, 1.5GiB)")]
    Empty,
    #[error(
        "'{0}' is not a size (expected a number of bytes with an optional unit: 512M, 4G, 1.5GiB)"
    )]
    NotANumber(String),
    #[error("'{0}': a size cannot be negative")]
    Negative(String),
    #[error("'{0}': unknown unit (use B, K, M, G, T or KiB, MiB, GiB, TiB; powers of 1024)")]
    Unit(String),
    #[error("'{0}' is more than 2^64 bytes")]
    TooLarge(String),
}

/// A size in bytes: a non-negative number with an optional binary unit,
/// `K`, `M`, `G`, `T` (powers of 1024, also written `KB`, `KiB`, ...,
/// case-insensitive): `4G`, `512MiB`, `1.5g`, `1000000`.
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(SizeError::Empty);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if t.starts_with('-') {
        return Err(SizeError::Negative(text.to_string()));
    }
    if num.is_empty() || num.matches('.').count() > 1 || num == "." {
        return Err(SizeError::NotANumber(text.to_string()));
    }
    let unit = unit.trim().to_ascii_lowercase();
    let shift = match unit.as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(SizeError::Unit(text.to_string())),
    };
    let x: f64 = num
        .parse()
        .map_err(|_| SizeError::NotANumber(text.to_string()))?;
    let bytes = x * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= 18_446_744_073_709_551_616.0 {
        return Err(SizeError::TooLarge(text.to_string()));
    }
    Ok(bytes.floor() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_vectors_are_zero_and_of_the_asked_length() {
        assert_eq!(try_zeroed::<u32>(0), Some(Vec::new()));
        let v = try_zeroed::<i16>(1000).expect("a small allocation succeeds");
        assert_eq!(v.len(), 1000);
        assert!(v.capacity() >= 1000);
        assert!(v.iter().all(|&x| x == 0));
        let mut v = try_zeroed::<u64>(3).expect("small");
        v.push(7); // a vector like any other: it grows and frees normally
        assert_eq!(v, vec![0, 0, 0, 7]);
    }

    #[test]
    fn impossible_allocations_are_none_not_an_abort() {
        // more than isize::MAX bytes: the layout itself is refused
        assert_eq!(try_zeroed::<u32>(usize::MAX / 2), None);
        // a layout that exists but no machine holds (2^62 bytes)
        assert_eq!(try_zeroed::<u8>(1 << 62), None);
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64 KB"), Ok(64 << 10));
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("16T"), Ok(16 << 40));
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert_eq!(parse_size(""), Err(SizeError::Empty));
        assert!(matches!(parse_size("-4G"), Err(SizeError::Negative(_))));
        assert!(matches!(parse_size("G"), Err(SizeError::NotANumber(_))));
        assert!(matches!(
            parse_size("1.2.3G"),
            Err(SizeError::NotANumber(_))
        ));
        assert!(matches!(parse_size("4X"), Err(SizeError::Unit(_))));
        assert!(matches!(parse_size("nan"), Err(SizeError::NotANumber(_))));
        assert!(matches!(parse_size("inf"), Err(SizeError::NotANumber(_))));
        assert!(matches!(
            parse_size("99999999999T"),
            Err(SizeError::TooLarge(_))
        ));
    }

    #[test]
    fn meminfo_available_line_parses() {
        let t = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(parse_meminfo(t), Some(2048 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 1 kB\n"), None);
        assert_eq!(parse_meminfo("MemAvailable: x kB\n"), None);
    }

    #[test]
    fn human_bytes_use_binary_units() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
    }
}
