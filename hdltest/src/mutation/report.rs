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
    /// suites differ from it (the report's commit column).
    pub commit: String,
    /// `git rev-parse HEAD`: the raw line's `commit` (results/README.md).
    pub revision: String,
    /// The machine: `cpu` (model name), `cores`, `memory_bytes`, `os`.
    pub machine: serde_json::Value,
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

/// The columns of the per-module table.
const TABLE_HEAD: &str = "| module | commit | mutants | killed by a test | killed by elaboration/lint | timed out | equivalent | survived | score | time |\n\
|---|---|---|---|---|---|---|---|---|---|\n";

/// The table row of one module's run.
fn row(run: &RunInfo, m: &ModuleResult) -> String {
    let t = Tally::of(m);
    let of = if t.mutants < m.enumerated {
        format!("{} (sample of {})", t.mutants, m.enumerated)
    } else {
        t.mutants.to_string()
    };
    format!(
        "| `{}` | `{}` | {of} | {} | {} | {} | {} | {} | {} | {:.0} s |",
        m.suite.module,
        run.commit,
        t.killed_test + t.equivalent_killed,
        t.killed_compile,
        t.timed_out,
        t.equivalent,
        t.survived,
        pct(t.score()),
        m.seconds
    )
}

/// The run line: when, where, what command, how loaded.
fn run_line(run: &RunInfo) -> String {
    format!(
        "Run of {} at commit `{}`: `{}`; {:.0} s on {} CPUs (load average {:.1} at the start, {:.1} at the end).",
        run.date, run.commit, run.command, run.seconds, run.cpus, run.load_start[0], run.load_end[0]
    )
}

/// Marker lines around one module's block in a document.
fn block_begin(module: &str) -> String {
    format!("<!-- mutation-module {module} -->")
}
fn block_end(module: &str) -> String {
    format!("<!-- mutation-module-end {module} -->")
}

/// One module's block: its heading, the run, the suite, the survivors
/// (gaps) and the declared equivalents with their reasons, between markers.
fn block(run: &RunInfo, m: &ModuleResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", block_begin(m.suite.module));
    let _ = writeln!(s, "#### `{}` (`{}`)\n", m.suite.module, m.suite.file);
    let _ = writeln!(s, "{}\n", run_line(run));
    let _ = writeln!(s, "Suite (first failure kills): {}.", m.suite.what);
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
    if surv.is_empty() {
        let _ = writeln!(s, "\nNo survivors.");
    } else {
        let _ = writeln!(
            s,
            "\nSurvivors (unexplained: gaps):\n\n| mutant | line | operator | original | mutant | note |\n|---|---|---|---|---|---|"
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
                r.note
                    .clone()
                    .unwrap_or_else(|| r.outcome.detail())
                    .replace('|', "\\|")
            );
        }
    }
    if !eq.is_empty() {
        let _ = writeln!(
            s,
            "\nEquivalent ({}; `hdltest/mutation/equivalent.toml`):\n\n| line | operator | original | mutant | reason |\n|---|---|---|---|---|",
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
    let _ = writeln!(s, "{}", block_end(m.suite.module));
    s
}

/// The report of one run in Markdown: the run, the table (with a total
/// row when there are several modules), then one block per module.
pub fn markdown(run: &RunInfo, modules: &[ModuleResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}\n", run_line(run));
    s.push_str(TABLE_HEAD);
    let mut total = Tally::default();
    for m in modules {
        total.add(&Tally::of(m));
        let _ = writeln!(s, "{}", row(run, m));
    }
    if modules.len() > 1 {
        let _ = writeln!(
            s,
            "| all | | {} | {} | {} | {} | {} | {} | {} | |",
            total.mutants,
            total.killed_test + total.equivalent_killed,
            total.killed_compile,
            total.timed_out,
            total.equivalent,
            total.survived,
            pct(total.score())
        );
    }
    for m in modules {
        let _ = write!(s, "\n{}", block(run, m));
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
                        "original": r.before, "mutant": r.after, "status": r.outcome.status(), "note": r.note,
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
    // the provenance fields of every raw line under results/ (results/README.md)
    json!({
        "id": "mutation",
        "commit": run.revision,
        "dirty": run.commit.ends_with("+dirty"),
        "short": run.commit,
        "date": run.date,
        "command": run.command,
        "measure": measure_command(&run.command),
        "machine": run.machine,
        "load_before": run.load_start,
        "load_after": run.load_end,
        "cpus": run.cpus,
        "seconds": (run.seconds * 10.0).round() / 10.0,
        "modules": mods,
    })
    .to_string()
}

/// The cargo command that re-runs `command` (`mutate ARGS`).
pub fn measure_command(command: &str) -> String {
    let args = command.strip_prefix("mutate").unwrap_or(command);
    format!("cargo run --release -p spikefab-hdltest --bin mutate --{args}")
}

/// Markers around the report in a Markdown document.
pub const BEGIN: &str = "<!-- mutation-report:begin (written by the mutate tool) -->";
pub const END: &str = "<!-- mutation-report:end -->";

/// Updates the marked section (between [`BEGIN`] and [`END`]) of the
/// document at `path` with the modules of this run: their table rows and
/// blocks replace the ones already there, the other modules' rows and
/// blocks (earlier runs, maybe at other commits) stay; rows and blocks are
/// kept in the order of `order` (the suites), unknown ones last.
pub fn update_doc(
    path: &Path,
    run: &RunInfo,
    modules: &[ModuleResult],
    order: &[&str],
) -> Result<(), MutationError> {
    let text = std::fs::read_to_string(path).map_err(|source| MutationError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    })?;
    let new = merge_section(&path.display().to_string(), &text, run, modules, order)?;
    std::fs::write(path, new).map_err(|source| MutationError::Io {
        context: format!("cannot write {}", path.display()),
        source,
    })
}

/// The text of a document (named `name` in errors) with its marked section
/// updated as [`update_doc`] says.
pub fn merge_section(
    name: &str,
    text: &str,
    run: &RunInfo,
    modules: &[ModuleResult],
    order: &[&str],
) -> Result<String, MutationError> {
    let (Some(a), Some(b)) = (text.find(BEGIN), text.find(END)) else {
        return Err(MutationError::Usage(format!(
            "{name} has no `{BEGIN}` .. `{END}` section"
        )));
    };
    if b < a {
        return Err(MutationError::Usage(format!(
            "{name}: the end marker comes before the begin marker"
        )));
    }
    let old = &text[a + BEGIN.len()..b];
    // the rows and blocks already there, by module
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut lines = old.lines();
    while let Some(l) = lines.next() {
        if let Some(m) = l
            .strip_prefix("<!-- mutation-module ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            let end = block_end(m);
            let mut body = format!("{l}\n");
            let mut closed = false;
            for l2 in lines.by_ref() {
                body.push_str(l2);
                body.push('\n');
                if l2 == end {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(MutationError::Usage(format!(
                    "{name}: the block of {m} has no `{end}`"
                )));
            }
            blocks.push((m.to_string(), body));
        } else if let Some(m) = l
            .strip_prefix("| `")
            .and_then(|r| r.split_once("` |"))
            .map(|(m, _)| m)
        {
            rows.push((m.to_string(), l.to_string()));
        }
    }
    for m in modules {
        let name = m.suite.module.to_string();
        rows.retain(|(k, _)| *k != name);
        blocks.retain(|(k, _)| *k != name);
        rows.push((name.clone(), row(run, m)));
        blocks.push((name, block(run, m)));
    }
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
    rows.sort_by_key(|(k, _)| rank(k));
    blocks.sort_by_key(|(k, _)| rank(k));
    let mut s = String::from("\n");
    s.push_str(TABLE_HEAD);
    for (_, r) in &rows {
        s.push_str(r);
        s.push('\n');
    }
    for (_, bl) in &blocks {
        s.push('\n');
        s.push_str(bl);
    }
    Ok(format!("{}{BEGIN}{s}{}", &text[..a], &text[b..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::campaign::MutantResult;
    use crate::mutation::suite::find;
    use crate::mutation::{Mutant, Operator};

    fn run(commit: &str) -> RunInfo {
        RunInfo {
            commit: commit.into(),
            revision: "0123456789abcdef0123456789abcdef01234567".into(),
            machine: serde_json::json!({"cpu": "test", "cores": 2, "memory_bytes": 1, "os": "test"}),
            date: "2026-12-04T00:00:00Z".into(),
            command: format!("mutate at {commit}"),
            load_start: [1.0; 3],
            load_end: [1.0; 3],
            cpus: 2,
            seconds: 10.0,
        }
    }

    fn result(module: &str, outcomes: Vec<Outcome>) -> ModuleResult {
        let suite = find(module).expect("a known module");
        let results = outcomes
            .into_iter()
            .enumerate()
            .map(|(k, outcome)| MutantResult {
                mutant: Mutant {
                    file: suite.file.into(),
                    index: k,
                    line: 10 + k as u32,
                    op: Operator::Arithmetic,
                    start: 0,
                    end: 1,
                    original: "+".into(),
                    replacement: "-".into(),
                },
                before: format!("a{k} = b + c;"),
                after: format!("a{k} = b - c;"),
                note: None,
                outcome,
                seconds: 1.0,
            })
            .collect();
        ModuleResult {
            suite,
            enumerated: 7,
            results,
            stale: Vec::new(),
            baseline: Vec::new(),
            seconds: 5.0,
        }
    }

    fn killed() -> Outcome {
        Outcome::KilledByTest {
            test: "t".into(),
            why: "mismatch".into(),
        }
    }

    #[test]
    fn score_leaves_out_equivalents_and_elaboration_kills() {
        let m = result(
            "snn_stdp",
            vec![
                killed(),
                killed(),
                Outcome::Survived,
                Outcome::Equivalent { reason: "r".into() },
                Outcome::KilledByCompile {
                    stage: "lint".into(),
                    why: "w".into(),
                },
            ],
        );
        let t = Tally::of(&m);
        assert_eq!((t.mutants, t.killed_test, t.survived), (5, 2, 1));
        assert_eq!(t.score(), Some(2.0 / 3.0));
    }

    #[test]
    fn doc_update_keeps_the_other_modules_rows_and_blocks() {
        let doc = format!("# Title\n\nintro\n\n{BEGIN}\nold text\n{END}\n\ntail\n");
        let mut stdp = result("snn_stdp", vec![killed(), Outcome::Survived]);
        stdp.results[1].note = Some("a known gap: reset value".into());
        let once = merge_section(
            "doc",
            &doc,
            &run("aaa1111"),
            &[stdp],
            &["snn_lif_update", "snn_stdp"],
        )
        .unwrap();
        assert!(!once.contains("old text"));
        assert!(once.starts_with("# Title\n\nintro\n\n"));
        assert!(once.ends_with(&format!("{END}\n\ntail\n")));
        let lif = result(
            "snn_lif_update",
            vec![
                killed(),
                Outcome::Equivalent {
                    reason: "same value".into(),
                },
            ],
        );
        let twice = merge_section(
            "doc",
            &once,
            &run("bbb2222"),
            std::slice::from_ref(&lif),
            &["snn_lif_update", "snn_stdp"],
        )
        .unwrap();
        // both modules: the stdp row and block of the first run, at its commit
        let row_stdp = twice
            .lines()
            .find(|l| l.starts_with("| `snn_stdp` |"))
            .unwrap();
        assert!(
            row_stdp.contains("`aaa1111`") && row_stdp.contains("50.0 %"),
            "{row_stdp}"
        );
        let row_lif = twice
            .lines()
            .find(|l| l.starts_with("| `snn_lif_update` |"))
            .unwrap();
        assert!(
            row_lif.contains("`bbb2222`") && row_lif.contains("100.0 %"),
            "{row_lif}"
        );
        // suite order: lif before stdp, in the table and in the blocks
        assert!(twice.find("| `snn_lif_update` |") < twice.find("| `snn_stdp` |"));
        assert!(
            twice.find("<!-- mutation-module snn_lif_update -->")
                < twice.find("<!-- mutation-module snn_stdp -->")
        );
        assert!(
            twice.contains("snn_stdp.v#1"),
            "the stdp survivor is still listed"
        );
        assert!(twice.contains("same value"));
        // a re-run replaces its module's row and block, not adds one
        let thrice = merge_section(
            "doc",
            &twice,
            &run("ccc3333"),
            &[lif],
            &["snn_lif_update", "snn_stdp"],
        )
        .unwrap();
        assert_eq!(thrice.matches("| `snn_lif_update` |").count(), 1);
        assert_eq!(
            thrice
                .matches("<!-- mutation-module snn_lif_update -->")
                .count(),
            1
        );
        assert!(thrice.contains("`ccc3333`") && !thrice.contains("`bbb2222`"));
        assert!(thrice.contains("`aaa1111`"));
    }

    #[test]
    fn doc_update_rejects_a_document_without_markers_or_an_open_block() {
        let stdp = result("snn_stdp", vec![killed()]);
        let e = merge_section(
            "doc",
            "no markers",
            &run("a"),
            std::slice::from_ref(&stdp),
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("no `"), "{e}");
        let open = format!("{BEGIN}\n<!-- mutation-module snn_stdp -->\ntext\n{END}\n");
        let e = merge_section("doc", &open, &run("a"), &[stdp], &[]).unwrap_err();
        assert!(
            e.to_string().contains("mutation-module-end snn_stdp"),
            "{e}"
        );
    }
}
