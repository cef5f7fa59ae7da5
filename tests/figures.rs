//! Every figure the docs cite has its raw JSON line under `results/` and a
//! command that re-measures it (results/README.md).
//!
//! A figure is cited as `fig:ID` in README.md, docs/*.md and the READMEs
//! listed in `CITING`; each cited id must have at least one line in
//! `results/*.jsonl` and be defined in `scripts/measure.py` (which re-runs
//! it). Every line of every `results/*.jsonl` must be a JSON object with the
//! provenance fields in `REQUIRED`. Every `results/....jsonl` path that the
//! figure documents (`FILES_NAMED_IN`) name must exist (other docs may name a
//! results file that a later step of their issue will record).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Documents that cite figures (besides docs/*.md).
const CITING: &[&str] = &[
    "README.md",
    "scripts/peers/README.md",
    "cosim/README.md",
    "results/README.md",
];

/// Documents whose named `results/*.jsonl` files must exist.
const FILES_NAMED_IN: &[&str] = &[
    "README.md",
    "docs/benchmarks.md",
    "docs/hardware.md",
    "docs/models.md",
    "scripts/peers/README.md",
    "results/README.md",
];

/// Provenance fields every raw line carries.
const REQUIRED: &[&str] = &[
    "id",
    "commit",
    "date",
    "command",
    "machine",
    "load_before",
    "load_after",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Problems with one raw line (empty: the line is well-formed).
fn line_problems(line: &str) -> Vec<String> {
    let v: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    let Some(o) = v.as_object() else {
        return vec!["not a JSON object".into()];
    };
    let mut p = Vec::new();
    for k in REQUIRED {
        if !o.contains_key(*k) {
            p.push(format!("missing field '{k}'"));
        }
    }
    let nonempty_str = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    for k in ["id", "command"] {
        if o.contains_key(k) && !nonempty_str(k) {
            p.push(format!("'{k}' is not a non-empty string"));
        }
    }
    if let Some(c) = o.get("commit") {
        let ok = c
            .as_str()
            .is_some_and(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ok {
            p.push(format!("'commit' is not a 40-digit hash: {c}"));
        }
    }
    if let Some(d) = o.get("date") {
        // 2026-11-25T19:00:00Z
        let ok = d.as_str().is_some_and(|s| {
            s.len() == 20 && s.ends_with('Z') && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T'
        });
        if !ok {
            p.push(format!(
                "'date' is not a UTC date like 2026-11-25T19:00:00Z: {d}"
            ));
        }
    }
    if let Some(m) = o.get("machine") {
        for k in ["cpu", "cores", "memory_bytes"] {
            if m.get(k).is_none_or(Value::is_null) {
                p.push(format!("'machine' has no '{k}'"));
            }
        }
    }
    for k in ["load_before", "load_after"] {
        if let Some(l) = o.get(k) {
            let ok = l
                .as_array()
                .is_some_and(|a| a.len() == 3 && a.iter().all(Value::is_number));
            if !ok {
                p.push(format!("'{k}' is not the three load averages: {l}"));
            }
        }
    }
    p
}

/// Figure ids cited as `fig:ID` in a text.
fn cited_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("fig:") {
        let after = &rest[i + 4..];
        let id: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.')
            .collect();
        let id = id.trim_end_matches(['.', '-']).to_string();
        if !id.is_empty() {
            out.push(id);
        }
        rest = after;
    }
    out
}

/// `results/NAME.jsonl` paths named in a text.
fn cited_files(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("results/") {
        let after = &rest[i..];
        let path: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'))
            .collect();
        if path.ends_with(".jsonl") && !path.contains('*') {
            out.push(path);
        }
        rest = &rest[i + 8..];
    }
    out
}

fn citing_docs() -> Vec<PathBuf> {
    let r = root();
    let mut docs: Vec<PathBuf> = CITING.iter().map(|p| r.join(p)).collect();
    for e in fs::read_dir(r.join("docs")).expect("docs/ is readable") {
        let p = e.expect("docs/ entry").path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    docs.sort();
    docs
}

/// All lines of results/*.jsonl by id, and the problems found.
fn read_results(dir: &Path) -> (BTreeMap<String, usize>, Vec<String>) {
    let mut ids = BTreeMap::new();
    let mut problems = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("results/ is readable")
        .map(|e| e.expect("results/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        let text = fs::read_to_string(&f).expect("results file is readable");
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            for p in line_problems(line) {
                problems.push(format!("{}:{}: {p}", f.display(), n + 1));
            }
            if let Some(id) = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            {
                *ids.entry(id).or_insert(0) += 1;
            }
        }
    }
    (ids, problems)
}

#[test]
fn every_results_line_carries_its_provenance() {
    let (ids, problems) = read_results(&root().join("results"));
    assert!(!ids.is_empty(), "results/ holds no raw lines");
    assert!(
        problems.is_empty(),
        "malformed raw lines:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_cited_figure_has_a_raw_line_and_a_measure_command() {
    let r = root();
    let (ids, _) = read_results(&r.join("results"));
    let script = fs::read_to_string(r.join("scripts/measure.py")).expect("scripts/measure.py");
    let mut problems = BTreeSet::new();
    let mut cited = 0;
    for doc in citing_docs() {
        let Ok(text) = fs::read_to_string(&doc) else {
            continue;
        };
        let name = doc.strip_prefix(&r).unwrap_or(&doc).display().to_string();
        for id in cited_ids(&text) {
            cited += 1;
            if !ids.contains_key(&id) {
                problems.insert(format!("{name}: fig:{id} has no line in results/*.jsonl"));
            }
            if !script.contains(&format!("\"{id}\"")) {
                problems.insert(format!(
                    "{name}: fig:{id} is not a figure of scripts/measure.py"
                ));
            }
        }
        let check_files = FILES_NAMED_IN.iter().any(|p| r.join(p) == doc);
        for f in cited_files(&text).into_iter().filter(|_| check_files) {
            if !r.join(&f).exists() && !doc.parent().unwrap_or(&r).join(&f).exists() {
                problems.insert(format!("{name}: names {f}, which does not exist"));
            }
        }
    }
    assert!(cited > 0, "no document cites a figure id (fig:ID)");
    assert!(
        problems.is_empty(),
        "figures without a source:\n{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_line_without_provenance_is_rejected() {
    let good = r#"{"id":"x","commit":"0123456789abcdef0123456789abcdef01234567","date":"2026-11-25T19:00:00Z","command":"spikefab bench sim balanced --json","machine":{"cpu":"c","cores":2,"memory_bytes":1},"load_before":[1,2,3],"load_after":[1,2,3],"result":{}}"#;
    assert_eq!(line_problems(good), Vec::<String>::new());
    let no_commit = good.replace(
        r#""commit":"0123456789abcdef0123456789abcdef01234567","#,
        "",
    );
    assert_eq!(line_problems(&no_commit), vec!["missing field 'commit'"]);
    let local_date = good.replace("2026-11-25T19:00:00Z", "2026-11-25 19:00");
    assert_eq!(line_problems(&local_date).len(), 1);
    let no_load = good.replace(r#""load_after":[1,2,3],"#, r#""load_after":[1],"#);
    assert_eq!(line_problems(&no_load).len(), 1);
    let no_cpu = good.replace(r#""cpu":"c","#, "");
    assert_eq!(line_problems(&no_cpu), vec!["'machine' has no 'cpu'"]);
    assert_eq!(line_problems("{not json").len(), 1);
}

#[test]
fn figure_ids_and_result_paths_are_found_in_text() {
    let t = "RTF **5.3** (`fig:pd14-full-t2`), ratio 6 (fig:peer-pd14-full-t1). \
             Raw: results/bench.jsonl and results/peers.jsonl; not results/*.jsonl.";
    assert_eq!(cited_ids(t), vec!["pd14-full-t2", "peer-pd14-full-t1"]);
    assert_eq!(
        cited_files(t),
        vec!["results/bench.jsonl", "results/peers.jsonl"]
    );
}
