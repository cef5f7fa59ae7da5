//! The checked-in list of mutants known to be equivalent
//! (`hdltest/mutation/equivalent.toml`): each entry names the file, the
//! line, the original line and the mutated line (both trimmed, as the
//! report prints them) and a one-line reason. An entry matches the mutant
//! with those texts at that line, or, when the file has moved, the one
//! mutant of the file with those texts.

use std::path::Path;

use serde::Deserialize;

use super::{Mutant, MutationError};

/// One known equivalent mutant.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    pub file: String,
    pub line: u32,
    pub original: String,
    pub mutant: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EquivalentFile {
    #[serde(default)]
    equivalent: Vec<Equivalent>,
    /// Known survivors that are not equivalent (gaps not closed yet): the
    /// same fields, the reason saying why the suite misses them. They stay
    /// counted as survivors; the report prints the reason.
    #[serde(default)]
    gap: Vec<Equivalent>,
}

/// The default list, `hdltest/mutation/equivalent.toml`.
pub fn default_path() -> std::path::PathBuf {
    crate::repo_root()
        .join("hdltest")
        .join("mutation")
        .join("equivalent.toml")
}

/// Reads the list at `path`.
pub fn load(path: &Path) -> Result<Vec<Equivalent>, MutationError> {
    Ok(load_both(path)?.0)
}

/// Reads the list at `path`: its equivalents and its known gaps (`[[gap]]`).
pub fn load_both(path: &Path) -> Result<(Vec<Equivalent>, Vec<Equivalent>), MutationError> {
    let text = std::fs::read_to_string(path).map_err(|source| MutationError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    })?;
    parse_both(&path.display().to_string(), &text)
}

/// Parses the text of a list (named `name` in errors): its equivalents.
pub fn parse(name: &str, text: &str) -> Result<Vec<Equivalent>, MutationError> {
    Ok(parse_both(name, text)?.0)
}

/// Parses the text of a list: its equivalents and its known gaps.
pub fn parse_both(
    name: &str,
    text: &str,
) -> Result<(Vec<Equivalent>, Vec<Equivalent>), MutationError> {
    let f: EquivalentFile = toml::from_str(text).map_err(|e| MutationError::Equivalents {
        file: name.to_string(),
        what: e.to_string(),
    })?;
    for e in f.equivalent.iter().chain(&f.gap) {
        if e.reason.trim().is_empty() {
            return Err(MutationError::Equivalents {
                file: name.to_string(),
                what: format!("{}:{}: an equivalent mutant needs a reason", e.file, e.line),
            });
        }
    }
    Ok((f.equivalent, f.gap))
}

/// For each mutant of one file (`src` its text), the index in `list` of the
/// entry that declares it equivalent; and the entries of that file that
/// matched no mutant (stale).
pub fn classify(
    list: &[Equivalent],
    src: &str,
    mutants: &[Mutant],
) -> (Vec<Option<usize>>, Vec<usize>) {
    let diffs: Vec<(String, String)> = mutants.iter().map(|m| m.diff(src)).collect();
    let mut of = vec![None; mutants.len()];
    let mut stale = Vec::new();
    for (k, e) in list.iter().enumerate() {
        let Some(file) = mutants.first().map(|m| m.file.as_str()) else {
            continue;
        };
        if e.file != file {
            continue;
        }
        let same = |i: usize| diffs[i].0 == e.original && diffs[i].1 == e.mutant;
        let at_line: Vec<usize> = (0..mutants.len())
            .filter(|&i| mutants[i].line == e.line && same(i))
            .collect();
        let hit = if at_line.len() == 1 {
            Some(at_line[0])
        } else {
            let anywhere: Vec<usize> = (0..mutants.len()).filter(|&i| same(i)).collect();
            (anywhere.len() == 1).then(|| anywhere[0])
        };
        match hit {
            Some(i) => of[i] = Some(k),
            None => stale.push(k),
        }
    }
    (of, stale)
}
