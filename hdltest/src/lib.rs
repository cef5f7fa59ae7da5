//! Test harness for spikefab's hand-written Verilog leaf modules (`hdl/`).
//!
//! Each integration test in `tests/` generates input records in Rust, computes
//! the expected outputs with the `spikefab_sim` reference functions, writes the
//! inputs as `$readmemh` hex, runs an Icarus Verilog testbench
//! (`hdltest/tb/tb_<module>.v`) that drives the module (with random valid/ready
//! stalls for streaming modules) and records every output, and compares the
//! records here. The tools are required: a missing `iverilog`/`verilator` is
//! a test failure that says how to install it, never a skip.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use spikefab_sim::rng::{self, Counter};

pub mod mutation;

/// The repository root (the workspace that holds `hdl/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("hdltest lives inside the workspace")
        .to_path_buf()
}

/// The folder of the Verilog sources: `$SPIKEFAB_HDL_DIR` when set (the
/// mutation tool points the benches at a copy of `hdl/` with one file
/// mutated), else the repository's `hdl/`.
pub fn hdl_dir() -> PathBuf {
    match std::env::var_os("SPIKEFAB_HDL_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_root().join("hdl"),
    }
}

/// The testbenches (`hdltest/tb/`): kept out of `hdl/`, which holds
/// synthesizable RTL only and lints clean as a whole.
pub fn tb_dir() -> PathBuf {
    repo_root().join("hdltest").join("tb")
}

/// Adds what every testbench compile needs besides its DUT sources and
/// `hdltest/tb/<top>.v`: the include path of the shared `hdltest/tb/*.vh`
/// and the shared modules (`tb_stall_gen.v`).
fn add_tb_shared(cmd: &mut Command) {
    cmd.arg("-I").arg(tb_dir());
    cmd.arg(tb_dir().join("tb_stall_gen.v"));
}

/// Path of `hdl/<name>`.
pub fn hdl_file(name: &str) -> PathBuf {
    hdl_dir().join(name)
}

/// Every `hdl/*.v` file (not the testbenches), sorted.
pub fn hdl_sources() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(hdl_dir())
        .expect("read hdl/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .collect();
    v.sort();
    v
}

/// Panics (a test failure, never a skip) unless `tool` runs; the message says
/// which Debian package to install.
pub fn require_tool(tool: &str, package: &str) {
    let arg = if tool == "iverilog" {
        "-V"
    } else {
        "--version"
    };
    match Command::new(tool).arg(arg).output() {
        Ok(_) => {}
        Err(e) => panic!(
            "`{tool}` is required by the HDL tests but could not be run ({e}): install it with \
             `apt-get install {package}` (as root: `apt-get update && apt-get install -y {package}`)"
        ),
    }
}

/// A fresh, empty scratch folder for one test run (under cargo's per-target tmp dir).
pub fn scratch_dir(base: &Path, name: &str) -> PathBuf {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let d = base.join(format!(
        "{name}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).expect("create scratch dir");
    d
}

/// The low `bits` bits of `v` (two's complement for negative values).
pub fn mask(v: i64, bits: u32) -> u64 {
    if bits >= 64 {
        v as u64
    } else {
        (v as u64) & ((1u64 << bits) - 1)
    }
}

/// Sign-extend the low `bits` bits of `v`.
pub fn sext(v: u64, bits: u32) -> i64 {
    if bits >= 64 {
        v as i64
    } else {
        ((v << (64 - bits)) as i64) >> (64 - bits)
    }
}

/// One `$readmemh` line: `fields` in slots of `slot_bits` bits each (a
/// multiple of 4, at most 64), field 0 in the least significant slot.
pub fn hex_record(fields: &[u64], slot_bits: u32) -> String {
    assert!(slot_bits.is_multiple_of(4) && slot_bits > 0 && slot_bits <= 64);
    let digits = (slot_bits / 4) as usize;
    let mut s = String::with_capacity(fields.len() * digits);
    for &f in fields.iter().rev() {
        assert!(
            slot_bits == 64 || f < (1u64 << slot_bits),
            "field {f:#x} does not fit {slot_bits} bits"
        );
        write!(s, "{f:0digits$x}").expect("write to string");
    }
    s
}

/// Inverse of [`hex_record`] (used by the harness self-test).
pub fn parse_hex_record(line: &str, slot_bits: u32, n: usize) -> Vec<u64> {
    let digits = (slot_bits / 4) as usize;
    assert_eq!(line.len(), digits * n, "record length");
    (0..n)
        .map(|k| {
            let hi = line.len() - k * digits;
            u64::from_str_radix(&line[hi - digits..hi], 16).expect("hex")
        })
        .collect()
}

/// Parse one output line of a testbench: whitespace-separated decimal integers.
pub fn parse_line(line: &str) -> Vec<i128> {
    line.split_whitespace()
        .map(|t| {
            t.parse::<i128>()
                .unwrap_or_else(|e| panic!("bad number {t:?} in {line:?}: {e}"))
        })
        .collect()
}

/// The `TB_DONE` summary a streaming testbench prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TbDone {
    pub sent: i64,
    pub recv: i64,
    /// Cycles from the first input handshake to the first output handshake.
    pub first_latency: i64,
    /// Cycles from the first input handshake to the last output handshake.
    pub span: i64,
}

fn parse_done(log: &str) -> Option<TbDone> {
    let line = log.lines().find(|l| l.starts_with("TB_DONE"))?;
    let get = |k: &str| -> i64 {
        line.split_whitespace()
            .find_map(|t| t.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1)
    };
    Some(TbDone {
        sent: get("sent"),
        recv: get("recv"),
        first_latency: get("first_latency"),
        span: get("span"),
    })
}

/// A compiled testbench (one parameter set).
pub struct Testbench {
    pub dir: PathBuf,
    pub vvp: PathBuf,
    pub top: String,
}

/// Compile `hdltest/tb/<top>.v` with the given DUT sources and parameters
/// (`-P<top>.<name>=<value>`). Fails on any iverilog warning.
pub fn compile_tb(dir: &Path, top: &str, sources: &[&str], params: &[(&str, i64)]) -> Testbench {
    compile_tb_with_strings(dir, top, sources, params, &[])
}

/// [`compile_tb`] with string parameters too (e.g. `$readmemh` image paths),
/// passed as `-P<top>.<name>="<path>"`.
pub fn compile_tb_with_strings(
    dir: &Path,
    top: &str,
    sources: &[&str],
    params: &[(&str, i64)],
    strings: &[(&str, &Path)],
) -> Testbench {
    compile_tb_from(&hdl_dir(), dir, top, sources, params, strings)
}

/// [`compile_tb_with_strings`] with the DUT sources taken from `hdl`
/// instead of [`hdl_dir`] (a bench's self-test compiles it against a
/// deliberately broken copy of its module).
pub fn compile_tb_from(
    hdl: &Path,
    dir: &Path,
    top: &str,
    sources: &[&str],
    params: &[(&str, i64)],
    strings: &[(&str, &Path)],
) -> Testbench {
    require_tool("iverilog", "iverilog");
    require_tool("vvp", "iverilog");
    let vvp = dir.join(format!("{top}.vvp"));
    let mut cmd = Command::new("iverilog");
    cmd.arg("-g2005")
        .arg("-Wall")
        .arg("-o")
        .arg(&vvp)
        .arg("-s")
        .arg(top);
    for (k, v) in params {
        cmd.arg(format!("-P{top}.{k}={v}"));
    }
    for (k, p) in strings {
        let p = p.display().to_string();
        assert!(!p.contains('"'), "path with a quote: {p}");
        cmd.arg(format!("-P{top}.{k}=\"{p}\""));
    }
    for s in sources {
        cmd.arg(hdl.join(s));
    }
    add_tb_shared(&mut cmd);
    cmd.arg(tb_dir().join(format!("{top}.v")));
    let out = cmd.output().expect("run iverilog");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && log.trim().is_empty(),
        "iverilog failed or warned for {top} {params:?}:\n{log}"
    );
    Testbench {
        dir: dir.to_path_buf(),
        vvp,
        top: top.to_string(),
    }
}

/// What one testbench run produced.
pub struct TbOutput {
    pub log: String,
    /// One entry per output record (per output handshake), in order.
    pub records: Vec<Vec<i128>>,
    pub done: Option<TbDone>,
}

impl Testbench {
    /// Write `vec_lines` as the `+vec` file, run the bench with `plusargs`
    /// (e.g. `seed=3`), and read every output record back. Fails on any
    /// `TB_ERROR` line or when the bench did not finish.
    pub fn run(&self, tag: &str, vec_lines: &[String], plusargs: &[String]) -> TbOutput {
        let out = self.run_unchecked(tag, vec_lines, plusargs);
        let errors: Vec<&str> = out
            .log
            .lines()
            .filter(|l| l.contains("TB_ERROR") || l.contains("ERROR:") || l.contains("WARNING:"))
            .collect();
        assert!(
            errors.is_empty(),
            "{} ({tag}) reported errors:\n{}",
            self.top,
            errors.join("\n")
        );
        assert!(
            out.done.is_some(),
            "{} ({tag}) did not finish:\n{}",
            self.top,
            out.log
        );
        out
    }

    /// [`Testbench::run`] without judging the log: the bench's `TB_ERROR`
    /// lines are left in [`TbOutput::log`] and `done` is `None` when it did
    /// not finish (a bench's self-test expects its checks to fire). Fails
    /// only when `vvp` itself fails.
    pub fn run_unchecked(&self, tag: &str, vec_lines: &[String], plusargs: &[String]) -> TbOutput {
        let vec = self.dir.join(format!("{tag}.hex"));
        let outp = self.dir.join(format!("{tag}.out"));
        fs::write(&vec, vec_lines.join("\n") + "\n").expect("write vectors");
        let mut cmd = Command::new("vvp");
        cmd.arg("-n")
            .arg(&self.vvp)
            .arg(format!("+vec={}", vec.display()))
            .arg(format!("+out={}", outp.display()));
        for p in plusargs {
            cmd.arg(format!("+{p}"));
        }
        let out = cmd.output().expect("run vvp (part of iverilog)");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "vvp {} failed:\n{log}", self.top);
        let done = parse_done(&log);
        let text = fs::read_to_string(&outp).expect("read testbench output");
        let records = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(parse_line)
            .collect();
        TbOutput { log, records, done }
    }
}

/// Compares output record `index` (its decimal fields) with the reference;
/// `Err` describes the mismatch (inputs and both outputs).
pub type RecordCheck<'a> = dyn Fn(usize, &[i128]) -> Result<(), String> + 'a;

/// Stall settings each streaming module is run with: (name, in_pct, out_pct).
/// The first one has no stalls at all (it pins latency and throughput).
pub const STALLS: [(&str, u32, u32); 4] = [
    ("no-stalls", 100, 100),
    ("random-stalls", 55, 45),
    ("slow-source", 20, 95),
    ("slow-sink", 95, 20),
];

/// Run `tb` under every [`STALLS`] setting and compare each output record with
/// `check(index, record)`, which returns `Err(description)` on a mismatch.
/// Asserts that exactly `n` records came back (none lost or duplicated), that
/// the stall-free run has the module's `latency` and initiation interval 1,
/// and returns the number of matched records per run (all of them).
pub fn run_streaming(
    tb: &Testbench,
    vec_lines: &[String],
    latency: i64,
    seed: u64,
    check: &RecordCheck<'_>,
) -> usize {
    let n = vec_lines.len();
    let mut matched = 0;
    for (k, (name, in_pct, out_pct)) in STALLS.iter().enumerate() {
        let stall_seed = (seed.wrapping_mul(0x9E37_79B9).wrapping_add(k as u64 * 7919) as u32) | 1;
        let out = tb.run(
            name,
            vec_lines,
            &[
                format!("seed={stall_seed}"),
                format!("in_pct={in_pct}"),
                format!("out_pct={out_pct}"),
            ],
        );
        let done = out.done.expect("checked by run");
        for (i, rec) in out.records.iter().enumerate() {
            if let Err(e) = check(i, rec) {
                panic!(
                    "{} ({name}: in {in_pct}%, out {out_pct}%): first mismatch at output record {i} of {n}:\n{e}",
                    tb.top
                );
            }
        }
        assert_eq!(
            out.records.len(),
            n,
            "{} ({name}): {} output records for {n} inputs (lost or duplicated records)",
            tb.top,
            out.records.len()
        );
        assert_eq!(
            done.sent as usize, n,
            "{} ({name}): inputs accepted",
            tb.top
        );
        if *in_pct == 100 && *out_pct == 100 {
            assert_eq!(done.first_latency, latency, "{} latency", tb.top);
            assert_eq!(
                done.span,
                latency + n as i64 - 1,
                "{}: without stalls, {n} records must take latency + n - 1 cycles (initiation interval 1)",
                tb.top
            );
        }
        matched = out.records.len();
    }
    matched
}

/// A deterministic generator of test inputs (the reference's own
/// counter-based draws, so the same seed gives the same vectors everywhere).
pub struct Gen(Counter);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(Counter::new(rng::mix64(seed ^ 0x6864_6c74_6573_7400), 0))
    }
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub fn u32(&mut self) -> u32 {
        (self.u64() >> 32) as u32
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.u64() as u128 * n as u128) >> 64) as u64
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi);
        let span = (hi as i128 - lo as i128 + 1) as u128;
        let x = ((self.u64() as u128 * span) >> 64) as i128;
        (lo as i128 + x) as i64
    }
    /// One element of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// A value in `lo..=hi` biased toward the edges: the rails, their
    /// neighbours, zero, and small magnitudes, or uniform.
    pub fn interesting(&mut self, lo: i64, hi: i64) -> i64 {
        match self.below(8) {
            0 => {
                let edges = [lo, lo.saturating_add(1), -1, 0, 1, hi.saturating_sub(1), hi];
                self.pick(&edges).clamp(lo, hi)
            }
            1 | 2 => {
                let m = self.range(0, 12);
                self.range(-(1i64 << m), 1i64 << m).clamp(lo, hi)
            }
            _ => self.range(lo, hi),
        }
    }
}
