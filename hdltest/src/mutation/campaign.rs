//! Running mutants: each one is a copy of `hdl/` with one file mutated, in a
//! scratch folder of its own; it is elaborated (Icarus, then Verilator's
//! lint, as the project's lint test does), then judged by its module's
//! suite, test after test, with a timeout per test; the first failure kills
//! it.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::equivalent::{self, Equivalent};
use super::suite::{Suite, TestRef};
use super::{sample, Mutant, MutationError};

/// How a mutant ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A test of the suite failed.
    KilledByTest { test: String, why: String },
    /// The mutant does not elaborate, or the lint (or a test's own
    /// elaboration or Verilator build) rejects it.
    KilledByCompile { stage: String, why: String },
    /// A test ran past its time limit (a hang).
    TimedOut { test: String, limit_s: f64 },
    /// Declared equivalent in `equivalent.toml` (not run unless asked).
    Equivalent { reason: String },
    /// Declared equivalent, run anyway, and killed: the declaration is wrong.
    EquivalentKilled { reason: String, by: String },
    /// Every test passed.
    Survived,
}

impl Outcome {
    /// Short status word (reports, JSON).
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::KilledByTest { .. } => "killed",
            Outcome::KilledByCompile { .. } => "compile",
            Outcome::TimedOut { .. } => "timeout",
            Outcome::Equivalent { .. } => "equivalent",
            Outcome::EquivalentKilled { .. } => "equivalent-killed",
            Outcome::Survived => "survived",
        }
    }

    /// What killed it, or why it is equivalent.
    pub fn detail(&self) -> String {
        match self {
            Outcome::KilledByTest { test, why } => format!("{test}: {why}"),
            Outcome::KilledByCompile { stage, why } => format!("{stage}: {why}"),
            Outcome::TimedOut { test, limit_s } => format!("{test} ran past {limit_s:.0} s"),
            Outcome::Equivalent { reason } => reason.clone(),
            Outcome::EquivalentKilled { reason, by } => {
                format!("declared equivalent ({reason}) but killed by {by}")
            }
            Outcome::Survived => String::new(),
        }
    }
}

/// One mutant's result.
#[derive(Debug, Clone)]
pub struct MutantResult {
    pub mutant: Mutant,
    /// The original and the mutated line(s), trimmed.
    pub before: String,
    pub after: String,
    pub outcome: Outcome,
    /// For a survivor listed as a known gap: why the suite misses it.
    pub note: Option<String>,
    pub seconds: f64,
}

/// One module's results.
#[derive(Debug, Clone)]
pub struct ModuleResult {
    pub suite: &'static Suite,
    /// Mutants the file has (before sampling).
    pub enumerated: usize,
    pub results: Vec<MutantResult>,
    /// Entries of `equivalent.toml` for this file that matched no mutant.
    pub stale: Vec<Equivalent>,
    /// Seconds the suite took on the unmutated sources, per test.
    pub baseline: Vec<(String, f64)>,
    pub seconds: f64,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Mutants per module (a reproducible sample); None: all.
    pub limit: Option<usize>,
    /// Seed of the sample.
    pub seed: u64,
    /// Mutants run side by side.
    pub jobs: usize,
    /// Run declared equivalents too (a kill means the declaration is wrong).
    pub check_equivalents: bool,
    /// Only these mutants (`file#index` or `#index`); empty: all.
    pub only: Vec<String>,
    /// Only the first n tests of each suite (None: all).
    pub max_tests: Option<usize>,
    /// Keep each mutant's folder (sources and logs).
    pub keep: bool,
    /// Print one line per mutant to stderr.
    pub verbose: bool,
    /// The equivalent-mutant list.
    pub equivalents: Vec<Equivalent>,
    /// Known gaps (`[[gap]]` of the same file): survivors with a reason.
    pub gaps: Vec<Equivalent>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limit: None,
            seed: 1,
            jobs: 1,
            check_equivalents: false,
            only: Vec::new(),
            max_tests: None,
            keep: false,
            verbose: true,
            equivalents: Vec::new(),
            gaps: Vec::new(),
        }
    }
}

/// The test binaries of the suites, by (package, target).
#[derive(Debug, Clone, Default)]
pub struct Binaries {
    exe: HashMap<(String, String), PathBuf>,
    /// `<target>` of `<target>/<profile>/deps/<binary>`.
    target: Option<PathBuf>,
}

impl Binaries {
    /// Builds (or finds fresh) the test binaries `tests` need, with the
    /// cargo that runs this program (`$CARGO`, else `cargo`), in the test
    /// profile a plain `cargo test` uses, and copies them into `dir` (a
    /// build during the campaign cannot replace them under it).
    pub fn build(tests: &[TestRef], dir: &Path) -> Result<Binaries, MutationError> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut b = Binaries::default();
        let mut packages: Vec<&str> = tests.iter().map(|t| t.package).collect();
        packages.sort_unstable();
        packages.dedup();
        for pkg in packages {
            let mut cmd = Command::new(&cargo);
            cmd.current_dir(crate::repo_root()).args([
                "test",
                "--no-run",
                "--message-format=json",
                "-p",
                pkg,
            ]);
            let mut targets: Vec<&str> = tests
                .iter()
                .filter(|t| t.package == pkg)
                .map(|t| t.target)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for t in &targets {
                cmd.args(["--test", t]);
            }
            let out = cmd
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| MutationError::Build(format!("cannot run {cargo}: {e}")))?;
            if !out.status.success() {
                return Err(MutationError::Build(format!(
                    "cargo test --no-run -p {pkg} failed ({})",
                    out.status
                )));
            }
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                let (Some(exe), Some(name)) = (
                    v.get("executable").and_then(|e| e.as_str()),
                    v.pointer("/target/name").and_then(|n| n.as_str()),
                ) else {
                    continue;
                };
                b.exe
                    .insert((pkg.to_string(), name.to_string()), PathBuf::from(exe));
            }
            for t in targets {
                if !b.exe.contains_key(&(pkg.to_string(), t.to_string())) {
                    return Err(MutationError::Build(format!(
                        "cargo built no test binary {t} of {pkg}"
                    )));
                }
            }
        }
        b.target = b
            .exe
            .values()
            .next()
            .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()));
        fs::create_dir_all(dir).map_err(|source| MutationError::Io {
            context: format!("cannot create {}", dir.display()),
            source,
        })?;
        for ((pkg, target), exe) in b.exe.iter_mut() {
            let copy = dir.join(format!("{pkg}-{target}"));
            let _ = fs::remove_file(&copy);
            fs::copy(&*exe, &copy).map_err(|source| MutationError::Io {
                context: format!("cannot copy {} to {}", exe.display(), copy.display()),
                source,
            })?;
            *exe = copy;
        }
        Ok(b)
    }

    fn get(&self, t: &TestRef) -> Result<&Path, MutationError> {
        self.exe
            .get(&(t.package.to_string(), t.target.to_string()))
            .map(PathBuf::as_path)
            .ok_or_else(|| {
                MutationError::Build(format!("no binary for {}::{}", t.package, t.target))
            })
    }

    /// The cargo target directory the binaries were built in.
    fn target_dir(&self) -> Option<PathBuf> {
        self.target.clone()
    }
}

/// How a child process ended.
enum Run {
    Done { ok: bool, log: String },
    TimedOut,
}

/// Runs `cmd` (stdout and stderr to `log`) in a process group of its own;
/// past `limit` the whole group is killed.
fn run_limited(cmd: Command, log: &Path, limit: Duration) -> Result<Run, MutationError> {
    Ok(run_limited_pid(cmd, log, limit)?.0)
}

/// [`run_limited`], and the child's process id.
fn run_limited_pid(
    mut cmd: Command,
    log: &Path,
    limit: Duration,
) -> Result<(Run, u32), MutationError> {
    use std::os::unix::process::CommandExt;
    let name = cmd_name(&cmd);
    let io = |e: std::io::Error| MutationError::Io {
        context: format!("cannot run {name}"),
        source: e,
    };
    let f = fs::File::create(log).map_err(|source| MutationError::Io {
        context: format!("cannot create {}", log.display()),
        source,
    })?;
    let f2 = f.try_clone().map_err(io)?;
    cmd.stdout(f)
        .stderr(f2)
        .stdin(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().map_err(io)?;
    let pid = child.id();
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(io)? {
            let text = fs::read(log)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            return Ok((
                Run::Done {
                    ok: status.success(),
                    log: text,
                },
                pid,
            ));
        }
        if t0.elapsed() > limit {
            // the child leads its own group: end it and whatever it started
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg("--")
                .arg(format!("-{}", child.id()))
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Ok((Run::TimedOut, pid));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cmd_name(cmd: &Command) -> String {
    cmd.get_program().to_string_lossy().into_owned()
}

/// The first lines of a panic message in a test's output (or the last
/// lines of the output when there is none), shortened.
fn failure_reason(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let msg = lines
        .iter()
        .position(|l| l.contains("panicked at"))
        .map(|p| {
            lines[p + 1..]
                .iter()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("note:"))
                .take(2)
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            lines
                .iter()
                .rev()
                .filter(|l| !l.trim().is_empty())
                .take(2)
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        });
    shorten(&msg, 240)
}

fn shorten(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// A failed test whose output says the failure was the mutant's
/// elaboration (a bench's iverilog compile) or Verilator build.
fn compile_failure(log: &str) -> Option<&'static str> {
    if log.contains("iverilog failed or warned") {
        Some("iverilog in a test")
    } else if log.contains("verilator failed on top")
        || log.contains("compiling the verilated model of")
    {
        Some("verilator build in a test")
    } else {
        None
    }
}

/// Writes the `hdl/` folder with `file` replaced by `text` into `dir`.
fn write_tree(dir: &Path, file: &str, text: &str) -> Result<(), MutationError> {
    let io = |what: String| {
        move |source| MutationError::Io {
            context: what,
            source,
        }
    };
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    let hdl = crate::repo_root().join("hdl");
    for e in fs::read_dir(&hdl).map_err(io(format!("cannot read {}", hdl.display())))? {
        let e = e.map_err(io(format!("cannot read {}", hdl.display())))?;
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let name = e.file_name();
        let to = dir.join(&name);
        if name.to_string_lossy() == file {
            fs::write(&to, text).map_err(io(format!("cannot write {}", to.display())))?;
        } else {
            fs::copy(&p, &to).map_err(io(format!("cannot copy {}", p.display())))?;
        }
    }
    Ok(())
}

/// Elaboration diagnostics of `module` from the sources in `dir`: Icarus
/// (`-g2005 -Wall`, its output) and Verilator's lint (`--lint-only -Wall`
/// with the project's waivers, as `tests/lint.rs` runs it).
fn elaborate(dir: &Path, module: &str) -> Result<(Run, Run), MutationError> {
    let src = dir.join(format!("{module}.v"));
    let mut iv = Command::new("iverilog");
    iv.arg("-g2005")
        .arg("-Wall")
        .arg("-o")
        .arg(dir.join("elab.vvp"))
        .arg("-s")
        .arg(module)
        .arg("-y")
        .arg(dir)
        .arg(&src);
    let a = run_limited(iv, &dir.join("iverilog.log"), Duration::from_secs(120))?;
    let mut vl = Command::new("verilator");
    vl.arg("--lint-only")
        .arg("-Wall")
        .arg("--top-module")
        .arg(module)
        .arg(dir.join("lint_waivers.vlt"))
        .arg(&src)
        .arg("-y")
        .arg(dir);
    let b = run_limited(vl, &dir.join("verilator.log"), Duration::from_secs(300))?;
    Ok((a, b))
}

/// The diagnostics lines of a tool's output with the folder name taken out
/// (so the original's and a mutant's compare equal).
fn normalize(log: &str, dir: &Path) -> String {
    log.replace(&dir.display().to_string(), "<hdl>")
}

/// Entries of the cache folders `caches` (under `target`).
fn cache_entries(target: &Path, caches: &[&str]) -> BTreeSet<PathBuf> {
    let mut s = BTreeSet::new();
    for c in caches {
        if let Ok(rd) = fs::read_dir(target.join(c)) {
            for e in rd.flatten() {
                s.insert(e.path());
            }
        }
    }
    s
}

/// Removes the cache entries not in `keep` (the Verilator runtime stays).
fn prune(target: &Path, caches: &[&str], keep: &BTreeSet<PathBuf>) {
    for p in cache_entries(target, caches) {
        let runtime = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("runtime"));
        if keep.contains(&p) || runtime {
            continue;
        }
        if p.is_dir() {
            let _ = fs::remove_dir_all(&p);
        } else {
            let _ = fs::remove_file(&p);
        }
    }
}

/// Time limit of a test that took `base` seconds on the original sources.
fn limit_for(base: f64) -> Duration {
    Duration::from_secs_f64(base * 4.0 + 30.0)
}

/// Runs test `t` of the suite on the sources in `dir` (its output in
/// `log`) with time limit `limit`.
fn run_test(
    bins: &Binaries,
    t: &TestRef,
    dir: &Path,
    log: &Path,
    limit: Duration,
) -> Result<Run, MutationError> {
    let exe = bins.get(t)?;
    let mut cmd = Command::new(exe);
    let pkg_dir = crate::repo_root().join(match t.package {
        "spikefab-cosim" => "cosim",
        _ => "hdltest",
    });
    cmd.current_dir(pkg_dir)
        .args(["--exact", t.name, "--test-threads", "1"])
        .env("SPIKEFAB_HDL_DIR", dir);
    for (key, v) in t.env {
        cmd.env(key, v);
    }
    let (run, pid) = run_limited_pid(cmd, log, limit)?;
    if let Some(target) = bins.target_dir() {
        remove_scratch(&target.join("tmp"), pid);
    }
    Ok(run)
}

/// Removes the scratch folders test process `pid` left in `tmp` (the
/// benches' `<name>-<pid>-<n>`, see `scratch_dir`: a failing bench, as on
/// every killed mutant, leaves its folder; hundreds of them filled
/// gigabytes). Only that process's folders: other runs' stay.
fn remove_scratch(tmp: &Path, pid: u32) {
    let mark = format!("-{pid}-");
    let Ok(rd) = fs::read_dir(tmp) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some((_, seq)) = name.rsplit_once(&mark) else {
            continue;
        };
        if !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) && e.path().is_dir() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a test that ran past `limit` on a mutant was slowed by the
/// machine rather than by the mutant: the same test, run again now on the
/// original sources in `orig`, needs a longer limit than `limit`; then
/// that longer limit.
fn slower_machine(
    module: &str,
    bins: &Binaries,
    t: &TestRef,
    orig: &Path,
    limit: Duration,
) -> Result<Option<Duration>, MutationError> {
    let s = Instant::now();
    let log = orig.join("retime.log");
    match run_test(bins, t, orig, &log, limit * 4)? {
        Run::Done { ok: true, .. } => {
            let now = limit_for(s.elapsed().as_secs_f64());
            Ok((now > limit).then_some(now))
        }
        // the original itself runs past 4 limits (or fails) now: the
        // machine, not the mutant, cannot judge; say so rather than count a kill
        _ => Err(MutationError::SuiteFailsOnOriginal {
            module: module.to_string(),
            why: format!(
                "{} no longer passes within {:.0} s on the original sources (machine overloaded?)",
                t.name,
                (limit * 4).as_secs_f64()
            ),
        }),
    }
}

/// Runs the suite's tests (the first `max` of them) on the sources in
/// `dir`; None when every one passed. A test that runs past its limit is
/// re-timed on the original sources (`orig`) and, when the machine has
/// become slower since the baseline, run again on the mutant with the
/// longer limit, so that load is not counted as a hang.
fn judge(
    suite: &Suite,
    bins: &Binaries,
    dir: &Path,
    orig: &Path,
    limits: &[Duration],
    max: usize,
) -> Result<Option<Outcome>, MutationError> {
    for (k, t) in suite.tests.iter().take(max).enumerate() {
        let exe = bins.get(t)?;
        let log = dir.join(format!("test-{k}.log"));
        let mut limit = limits[k];
        let mut run = run_test(bins, t, dir, &log, limit)?;
        if matches!(run, Run::TimedOut) {
            if let Some(longer) = slower_machine(suite.module, bins, t, orig, limit)? {
                limit = longer;
                run = run_test(bins, t, dir, &log, limit)?;
            }
        }
        match run {
            Run::TimedOut => {
                return Ok(Some(Outcome::TimedOut {
                    test: t.name.to_string(),
                    limit_s: limit.as_secs_f64(),
                }))
            }
            Run::Done { ok: true, log } => {
                if !log.contains("1 passed") {
                    return Err(MutationError::Build(format!(
                        "{} ran no test {} (is the name right?)",
                        exe.display(),
                        t.name
                    )));
                }
            }
            Run::Done { ok: false, log } => {
                let why = failure_reason(&log);
                return Ok(Some(match compile_failure(&log) {
                    Some(stage) => Outcome::KilledByCompile {
                        stage: format!("{stage} ({})", t.name),
                        why,
                    },
                    None => Outcome::KilledByTest {
                        test: t.name.to_string(),
                        why,
                    },
                }));
            }
        }
    }
    Ok(None)
}

/// Whether mutant `m` is selected by `only` (`file#index` or `#index`).
fn selected(only: &[String], m: &Mutant) -> bool {
    only.is_empty()
        || only
            .iter()
            .any(|s| *s == m.id() || *s == format!("#{}", m.index))
}

/// The indices (into `all`, the mutants of `suite`) to run: the ones
/// `opts.only` names (`file#index` of this suite's file, or `#index`),
/// whatever the sample; else the sample of `opts.limit`. A name of this
/// file with an index it does not have is an error, not an empty run.
pub fn pick(suite: &Suite, all: &[Mutant], opts: &Options) -> Result<Vec<usize>, MutationError> {
    if opts.only.is_empty() {
        return Ok(sample(
            all.len(),
            opts.limit.unwrap_or(usize::MAX),
            opts.seed,
        ));
    }
    for o in &opts.only {
        let Some((file, k)) = o.split_once('#') else {
            return Err(MutationError::Usage(format!(
                "--mutant {o}: expected FILE#INDEX or #INDEX"
            )));
        };
        if !file.is_empty() && file != suite.file {
            continue;
        }
        match k.parse::<usize>() {
            Ok(k) if k < all.len() => {}
            _ => {
                return Err(MutationError::Usage(format!(
                    "--mutant {o}: {} has {} mutants in the {} suite (#0 to #{})",
                    suite.file,
                    all.len(),
                    suite.module,
                    all.len().saturating_sub(1)
                )))
            }
        }
    }
    Ok((0..all.len())
        .filter(|&i| selected(&opts.only, &all[i]))
        .collect())
}

/// Runs the mutants of `suite`'s module with `bins`, in scratch folders
/// under `work`.
pub fn run_module(
    suite: &'static Suite,
    bins: &Binaries,
    work: &Path,
    opts: &Options,
) -> Result<ModuleResult, MutationError> {
    let t0 = Instant::now();
    let path = crate::repo_root().join("hdl").join(suite.file);
    let src = fs::read_to_string(&path).map_err(|source| MutationError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    })?;
    let all = suite.mutants(&src)?;
    let (equiv_of, stale) = equivalent::classify(&opts.equivalents, &src, &all);
    let (gap_of, _) = equivalent::classify(&opts.gaps, &src, &all);
    let picked = pick(suite, &all, opts)?;
    let max = opts.max_tests.unwrap_or(usize::MAX).min(suite.tests.len());
    let root = work.join(suite.module);
    let target = bins.target_dir().unwrap_or_else(|| work.to_path_buf());

    // the original: its elaboration output, and the suite must pass on it
    let orig_dir = root.join("original");
    write_tree(&orig_dir, suite.file, &src)?;
    let (iv0, vl0) = elaborate(&orig_dir, suite.module)?;
    let (iv0, vl0) = match (iv0, vl0) {
        (Run::Done { ok: true, log: a }, Run::Done { ok: true, log: b }) => {
            (normalize(&a, &orig_dir), normalize(&b, &orig_dir))
        }
        _ => {
            return Err(MutationError::SuiteFailsOnOriginal {
                module: suite.module.into(),
                why: "the original does not elaborate or lint clean".into(),
            })
        }
    };
    let needs_run = picked
        .iter()
        .any(|&i| opts.check_equivalents || equiv_of[i].is_none());
    let mut baseline = Vec::new();
    let mut limits = Vec::new();
    if needs_run {
        for (k, t) in suite.tests.iter().take(max).enumerate() {
            let s = Instant::now();
            let one = Suite {
                tests: std::slice::from_ref(t),
                ..*suite
            };
            if let Some(o) = judge(
                &one,
                bins,
                &orig_dir,
                &orig_dir,
                &[Duration::from_secs(3600)],
                1,
            )? {
                return Err(MutationError::SuiteFailsOnOriginal {
                    module: suite.module.into(),
                    why: format!("test {k}: {}", o.detail()),
                });
            }
            let secs = s.elapsed().as_secs_f64();
            baseline.push((t.name.to_string(), secs));
            limits.push(limit_for(secs));
        }
    }
    let keep = cache_entries(&target, suite.caches);

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<MutantResult>> = Mutex::new(Vec::new());
    let first_err: Mutex<Option<MutationError>> = Mutex::new(None);
    let one = |i: usize| -> Result<MutantResult, MutationError> {
        let m = &all[i];
        let s = Instant::now();
        let (before, after) = m.diff(&src);
        let declared = equiv_of[i].map(|k| opts.equivalents[k].reason.clone());
        if let (Some(reason), false) = (&declared, opts.check_equivalents) {
            return Ok(MutantResult {
                mutant: m.clone(),
                before,
                after,
                outcome: Outcome::Equivalent {
                    reason: reason.clone(),
                },
                note: None,
                seconds: 0.0,
            });
        }
        let dir = root.join(format!("m{}", m.index));
        write_tree(&dir, suite.file, &m.apply(&src))?;
        let (iv, vl) = elaborate(&dir, suite.module)?;
        let compile = match (iv, vl) {
            (Run::TimedOut, _) => Some(("iverilog", "elaboration hangs".to_string())),
            (Run::Done { ok: false, log }, _) => Some(("iverilog", first_lines(&log, &dir))),
            (Run::Done { log, .. }, _) if normalize(&log, &dir) != iv0 => {
                Some(("iverilog -Wall", first_lines(&log, &dir)))
            }
            (_, Run::TimedOut) => Some(("verilator lint", "lint hangs".to_string())),
            (_, Run::Done { ok: false, log }) => Some(("verilator lint", first_lines(&log, &dir))),
            (_, Run::Done { log, .. }) if normalize(&log, &dir) != vl0 => {
                Some(("verilator lint", first_lines(&log, &dir)))
            }
            _ => None,
        };
        let outcome = match compile {
            Some((stage, why)) => Outcome::KilledByCompile {
                stage: stage.into(),
                why,
            },
            None => match judge(suite, bins, &dir, &orig_dir, &limits, max)? {
                Some(o) => o,
                None => Outcome::Survived,
            },
        };
        let outcome = match (declared, outcome) {
            (Some(reason), Outcome::Survived) => Outcome::Equivalent { reason },
            (Some(reason), o) => Outcome::EquivalentKilled {
                reason,
                by: o.detail(),
            },
            (None, o) => o,
        };
        if !opts.keep {
            let _ = fs::remove_dir_all(&dir);
        }
        if opts.jobs <= 1 {
            prune(&target, suite.caches, &keep);
        }
        let note = match outcome {
            Outcome::Survived => gap_of[i].map(|k| opts.gaps[k].reason.clone()),
            _ => None,
        };
        Ok(MutantResult {
            mutant: m.clone(),
            before,
            after,
            outcome,
            note,
            seconds: s.elapsed().as_secs_f64(),
        })
    };
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            scope.spawn(|| loop {
                if first_err.lock().map(|e| e.is_some()).unwrap_or(true) {
                    return;
                }
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(&i) = picked.get(k) else {
                    return;
                };
                match one(i) {
                    Ok(r) => {
                        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                        if opts.verbose {
                            eprintln!(
                                "[{n}/{}] {} line {} {}: {} {} ({:.1} s)",
                                picked.len(),
                                r.mutant.id(),
                                r.mutant.line,
                                r.mutant.op,
                                r.outcome.status(),
                                shorten(&r.outcome.detail(), 120),
                                r.seconds
                            );
                        }
                        if let Ok(mut v) = results.lock() {
                            v.push(r);
                        }
                    }
                    Err(e) => {
                        if let Ok(mut f) = first_err.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    prune(&target, suite.caches, &keep);
    if !opts.keep {
        let _ = fs::remove_dir_all(&orig_dir);
    }
    if let Some(e) = first_err.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.mutant.index);
    Ok(ModuleResult {
        suite,
        enumerated: all.len(),
        results,
        stale: stale.iter().map(|&k| opts.equivalents[k].clone()).collect(),
        baseline,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// The first diagnostic lines of a tool's log, folder names taken out.
fn first_lines(log: &str, dir: &Path) -> String {
    let n = normalize(log, dir);
    shorten(
        &n.lines()
            .filter(|l| !l.trim().is_empty())
            .take(2)
            .collect::<Vec<_>>()
            .join(" | "),
        240,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::suite::find;

    fn stdp() -> (&'static Suite, Vec<Mutant>) {
        let s = find("snn_stdp").unwrap();
        let src = fs::read_to_string(crate::repo_root().join("hdl").join(s.file)).unwrap();
        (s, s.mutants(&src).unwrap())
    }

    #[test]
    fn a_named_mutant_runs_even_outside_the_sample() {
        let (s, all) = stdp();
        let last = all.len() - 1;
        let opts = Options {
            limit: Some(1),
            only: vec![format!("snn_stdp.v#{last}"), "#0".into()],
            ..Options::default()
        };
        assert_eq!(pick(s, &all, &opts).unwrap(), vec![0, last]);
        let sampled = Options {
            limit: Some(3),
            ..Options::default()
        };
        assert_eq!(pick(s, &all, &sampled).unwrap().len(), 3);
    }

    #[test]
    fn a_named_mutant_the_file_lacks_is_an_error_not_an_empty_run() {
        let (s, all) = stdp();
        for bad in [
            format!("snn_stdp.v#{}", all.len()),
            "#x".into(),
            "snn_stdp.v".into(),
        ] {
            let opts = Options {
                only: vec![bad.clone()],
                ..Options::default()
            };
            let e = pick(s, &all, &opts).expect_err(&bad);
            assert!(e.to_string().contains("--mutant"), "{bad}: {e}");
        }
        // another file's mutant selects none of this one's
        let other = Options {
            only: vec!["snn_lif_update.v#0".into()],
            ..Options::default()
        };
        assert!(pick(s, &all, &other).unwrap().is_empty());
    }

    #[test]
    fn only_the_scratch_folders_of_the_test_process_are_removed() {
        let tmp = std::env::temp_dir().join(format!("mutation-scratch-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        for d in [
            "snn_stdp-4242-0",
            "snn_lif_core-4242-17",
            "snn_stdp-14242-0",
            "cosim-cache",
            "x-4242-y",
        ] {
            fs::create_dir_all(tmp.join(d)).unwrap();
        }
        fs::write(tmp.join("file-4242-1"), "a file").unwrap();
        remove_scratch(&tmp, 4242);
        let mut left: Vec<String> = fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["cosim-cache", "file-4242-1", "snn_stdp-14242-0", "x-4242-y"]
        );
        let _ = fs::remove_dir_all(&tmp);
    }

    #[test]
    fn a_child_past_its_limit_is_ended_with_its_children() {
        let dir = std::env::temp_dir().join(format!("mutation-limit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new("sh");
        // the grandchild sleeps too: killing only the shell would leave it
        let pidfile = dir.join("pid");
        cmd.arg("-c")
            .arg(format!("sleep 30 & echo $! > {}; wait", pidfile.display()));
        let t0 = Instant::now();
        let r = run_limited(cmd, &dir.join("log"), Duration::from_millis(500)).unwrap();
        assert!(matches!(r, Run::TimedOut));
        assert!(t0.elapsed() < Duration::from_secs(10));
        let pid = fs::read_to_string(&pidfile).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        // gone, or a zombie waiting for its new parent to reap it
        let stat = fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        assert!(
            stat.is_empty() || state.starts_with('Z'),
            "the grandchild still runs: {stat}"
        );
        let mut ok = Command::new("sh");
        ok.args(["-c", "echo fine"]);
        match run_limited(ok, &dir.join("log2"), Duration::from_secs(30)).unwrap() {
            Run::Done { ok, log } => assert!(ok && log.contains("fine")),
            Run::TimedOut => panic!("a quick command timed out"),
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
