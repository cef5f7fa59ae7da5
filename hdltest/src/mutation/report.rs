//! The results of a campaign: the per-module table, the survivors and the
//! equivalents with their lines and reasons (Markdown), and one JSON line
//! per run (`results/mutation.jsonl`).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::campaign::{ModuleResult, Outcome};
use super::MutationError;

/// Where and how a campaign ran.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `git rev-parse --short HEAD`, with `+dirty` when `hdl/` or the
    /// suites differ from it.
    pub commit: String,
    /// UTC, `2026-11-26T10:00:00Z`.
    pub date: String,
    /// The command line.
    pub command: String,
    /// 1-, 5- and 15-minute load averages at the start and at the end.
    pub load_start: [f64; 3],
    pub load_end: [f64; 3],
    pub cpus: usize,
    pub seconds: f64,
}

/// One module's counts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    pub mutants: usize,
    pub killed_test: usize,
    pub killed_compile: usize,
    pub timed_out: usize,
    pub equivalent: usize,
    /// Declared equivalent but killed: a wrong declaration (counted as killed).
    pub equivalent_killed: usize,
    pub survived: usize,
}

impl Tally {
    /// Counts the outcomes of `m`.
    pub fn of(m: &ModuleResult) -> Tally {
        let mut t = Tally {
            mutants: m.results.len(),
            ..Tally::default()
        };
        for r in &m.results {
            match r.outcome {
                Outcome::KilledByTest { .. } => t.killed_test += 1,
                Outcome::KilledByCompile { .. } => t.killed_compile += 1,
                Outcome::TimedOut { .. } => t.timed_out += 1,
                Outcome::Equivalent { .. } => t.equivalent += 1,
                Outcome::EquivalentKilled { .. } => t.equivalent_killed += 1,
                Outcome::Survived => t.survived += 1,
            }
        }
        t
    }

    fn add(&mut self, o: &Tally) {
        self.mutants += o.mutants;
        self.killed_test += o.killed_test;
        self.killed_compile += o.killed_compile;
        self.timed_out += o.timed_out;
        self.equivalent += o.equivalent;
        self.equivalent_killed += o.equivalent_killed;
        self.survived += o.survived;
    }

    /// Killed (by a test or a timeout) over the mutants that are neither
    /// equivalent nor rejected by elaboration or lint; None when none are.
    pub fn score(&self) -> Option<f64> {
        let killed = self.killed_test + self.timed_out + self.equivalent_killed;
        let judged = self.mutants - self.equivalent - self.killed_compile;
        (judged > 0).then(|| killed as f64 / judged as f64)
    }
}

fn pct(s: Option<f64>) -> String {
    s.map_or("-".into(), |s| format!("{:.1} %", s * 100.0))
}

fn cell(s: &str) -> String {
    format!("`{}`", s.replace('|', "\\|").replace('`', "'"))
}

/// The report in Markdown: the run, the table, then per module the
/// survivors (gaps) and the declared equivalents with their reasons.
pub fn markdown(run: &RunInfo, modules: &[ModuleResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Run of {} at commit `{}`: `{}`; {:.0} s on {} CPUs (load average {:.1} at the start, {:.1} at the end).\n",
        run.date, run.commit, run.command, run.seconds, run.cpus, run.load_start[0], run.load_end[0]
    );
    s.push_str(
        "| module | mutants | killed by a test | killed by elaboration/lint | timed out | equivalent | survived | score | time |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut total = Tally::default();
    for m in modules {
        let t = Tally::of(m);
        total.add(&t);
        let of = if t.mutants < m.enumerated {
            format!("{} (sample of {})", t.mutants, m.enumerated)
        } else {
            t.mutants.to_string()
        };
        let _ = writeln!(
            s,
            "| `{}` | {of} | {} | {} | {} | {} | {} | {} | {:.0} s |",
            m.suite.module,
            t.killed_test + t.equivalent_killed,
            t.killed_compile,
            t.timed_out,
            t.equivalent,
            t.survived,
            pct(t.score()),
            m.seconds
        );
    }
    if modules.len() > 1 {
        let _ = writeln!(
            s,
            "| all | {} | {} | {} | {} | {} | {} | {} | |",
            total.mutants,
            total.killed_test + total.equivalent_killed,
            total.killed_compile,
            total.timed_out,
            total.equivalent,
            total.survived,
            pct(total.score())
        );
    }
    s.push_str("\nSuites (first failure kills):\n\n");
    for m in modules {
        let _ = writeln!(s, "- `{}`: {}.", m.suite.module, m.suite.what);
    }
    for m in modules {
        let surv: Vec<_> = m
            .results
            .iter()
            .filter(|r| {
                matches!(
                    r.outcome,
                    Outcome::Survived | Outcome::EquivalentKilled { .. }
                )
            })
            .collect();
        let eq: Vec<_> = m
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Equivalent { .. }))
            .collect();
        if surv.is_empty() && eq.is_empty() && m.stale.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n#### `{}`\n", m.suite.file);
        if !surv.is_empty() {
            let _ = writeln!(
                s,
                "Survivors (unexplained: gaps):\n\n| mutant | line | operator | original | mutant | note |\n|---|---|---|---|---|---|"
            );
            for r in surv {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    r.mutant.id(),
                    r.mutant.line,
                    r.mutant.op,
                    cell(&r.before),
                    cell(&r.after),
                    r.outcome.detail().replace('|', "\\|")
                );
            }
            s.push('\n');
        }
        if !eq.is_empty() {
            let _ = writeln!(
                s,
                "Equivalent ({}; `hdltest/mutation/equivalent.toml`):\n\n| line | operator | original | mutant | reason |\n|---|---|---|---|---|",
                eq.len()
            );
            for r in eq {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    r.mutant.line,
                    r.mutant.op,
                    cell(&r.before),
                    cell(&r.after),
                    r.outcome.detail().replace('|', "\\|")
                );
            }
        }
        for e in &m.stale {
            let _ = writeln!(
                s,
                "\nStale entry of `equivalent.toml` (matches no mutant): {}:{} `{}`",
                e.file, e.line, e.mutant
            );
        }
    }
    s
}

/// One JSON line: the run, and per module its counts, score and survivors.
pub fn json_line(run: &RunInfo, modules: &[ModuleResult]) -> String {
    let mods: Vec<_> = modules
        .iter()
        .map(|m| {
            let t = Tally::of(m);
            let surv: Vec<_> = m
                .results
                .iter()
                .filter(|r| {
                    matches!(
                        r.outcome,
                        Outcome::Survived | Outcome::EquivalentKilled { .. }
                    )
                })
                .map(|r| {
                    json!({
                        "id": r.mutant.id(), "line": r.mutant.line, "op": r.mutant.op.name(),
                        "original": r.before, "mutant": r.after, "status": r.outcome.status(),
                    })
                })
                .collect();
            json!({
                "module": m.suite.module,
                "file": m.suite.file,
                "enumerated": m.enumerated,
                "mutants": t.mutants,
                "killed_test": t.killed_test + t.equivalent_killed,
                "killed_compile": t.killed_compile,
                "timed_out": t.timed_out,
                "equivalent": t.equivalent,
                "survived": t.survived,
                "score": t.score(),
                "seconds": (m.seconds * 10.0).round() / 10.0,
                "survivors": surv,
            })
        })
        .collect();
    json!({
        "commit": run.commit,
        "date": run.date,
        "command": run.command,
        "load_start": run.load_start,
        "load_end": run.load_end,
        "cpus": run.cpus,
        "seconds": (run.seconds * 10.0).round() / 10.0,
        "modules": mods,
    })
    .to_string()
}

/// Markers around the report in a Markdown document.
pub const BEGIN: &str = "<!-- mutation-report:begin (written by the mutate tool) -->";
pub const END: &str = "<!-- mutation-report:end -->";

/// Replaces the text between [`BEGIN`] and [`END`] in the document at
/// `path` with `report`.
pub fn update_doc(path: &Path, report: &str) -> Result<(), MutationError> {
    let text = std::fs::read_to_string(path).map_err(|source| MutationError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    })?;
    let (Some(a), Some(b)) = (text.find(BEGIN), text.find(END)) else {
        return Err(MutationError::Usage(format!(
            "{} has no `{BEGIN}` .. `{END}` section",
            path.display()
        )));
    };
    if b < a {
        return Err(MutationError::Usage(format!(
            "{}: the end marker comes before the begin marker",
            path.display()
        )));
    }
    let new = format!(
        "{}{BEGIN}\n{}\n{}",
        &text[..a],
        report.trim_end(),
        &text[b..]
    );
    std::fs::write(path, new).map_err(|source| MutationError::Io {
        context: format!("cannot write {}", path.display()),
        source,
    })
}
