//! Mutation testing of the hand-written Verilog (`hdl/`): systematic
//! mutants of a module's text, each run against a fixed suite of the
//! project's own tests, with a report of what killed it.
//!
//! - [`lex`]: a tokenizer that skips comments and strings;
//! - [`ops`]: the operators and the regions they apply to;
//! - [`mutants_of`]: every mutant of a file, in a stable order;
//! - [`suite`]: which tests judge the mutants of each module;
//! - [`campaign`]: running mutants (elaboration and lint first, then the
//!   suite with a timeout per test) and classifying them;
//! - [`equivalent`]: the checked-in list of mutants known to be equivalent
//!   (`hdltest/mutation/equivalent.toml`);
//! - [`report`]: the per-module table, the survivors and the JSON line.

pub mod campaign;
pub mod equivalent;
pub mod lex;
pub mod ops;
pub mod report;
pub mod suite;

use std::collections::HashSet;
use std::fmt;

use thiserror::Error;

/// What can go wrong while mutating or running a campaign.
#[derive(Debug, Error)]
pub enum MutationError {
    #[error("{file}:{line}: cannot tokenize: {what}")]
    Lex {
        file: String,
        line: u32,
        what: String,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {what}")]
    Equivalents { file: String, what: String },
    #[error("no module `{0}` in the mutation suites (known: {1})")]
    UnknownModule(String, String),
    #[error("the suite of {module} fails on the unmutated sources: {why}")]
    SuiteFailsOnOriginal { module: String, why: String },
    #[error("cannot build the test binaries: {0}")]
    Build(String),
    #[error("{0}")]
    Usage(String),
}

/// How a mutant differs from the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `+` <-> `-`.
    Arithmetic,
    /// `&` <-> `|`, `^` -> `|`, `&&` <-> `||`.
    Logic,
    /// `<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=`.
    Comparison,
    /// `>>>` <-> `>>`, `<<` <-> `>>`.
    Shift,
    /// An integer literal plus one (modulo its width).
    ConstPlus,
    /// An integer literal minus one (modulo its width).
    ConstMinus,
    /// The right operand of a binary operator dropped: `a + b` -> `a`.
    DropTerm,
    /// A unary `~`, `!` or `-` dropped.
    DropUnary,
    /// A reduction `&x` <-> `|x`.
    Reduction,
    /// A select moved: `x[i]` -> `x[i+1]`, `x[0]`; `x[b +: w]` -> `x[b+1 +: w]`.
    Index,
    /// The condition of an `if` or a `?:` negated.
    NegateCondition,
}

impl Operator {
    /// Every operator, in report order.
    pub const ALL: [Operator; 11] = [
        Operator::Arithmetic,
        Operator::Logic,
        Operator::Comparison,
        Operator::Shift,
        Operator::ConstPlus,
        Operator::ConstMinus,
        Operator::DropTerm,
        Operator::DropUnary,
        Operator::Reduction,
        Operator::Index,
        Operator::NegateCondition,
    ];

    /// Short name (reports, JSON, `equivalent.toml`).
    pub fn name(self) -> &'static str {
        match self {
            Operator::Arithmetic => "arith",
            Operator::Logic => "logic",
            Operator::Comparison => "compare",
            Operator::Shift => "shift",
            Operator::ConstPlus => "const+1",
            Operator::ConstMinus => "const-1",
            Operator::DropTerm => "drop-term",
            Operator::DropUnary => "drop-unary",
            Operator::Reduction => "reduction",
            Operator::Index => "index",
            Operator::NegateCondition => "negate-cond",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One mutant: the byte span `start..end` of `file` replaced by
/// `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// File name in `hdl/` (`snn_stdp.v`).
    pub file: String,
    /// Position in the file's enumeration (stable while the file is).
    pub index: usize,
    /// 1-based line of the mutated span's start.
    pub line: u32,
    pub op: Operator,
    pub start: usize,
    pub end: usize,
    /// The text replaced.
    pub original: String,
    pub replacement: String,
}

impl Mutant {
    /// `file#index` (`snn_stdp.v#12`).
    pub fn id(&self) -> String {
        format!("{}#{}", self.file, self.index)
    }

    /// The mutated file.
    pub fn apply(&self, src: &str) -> String {
        format!(
            "{}{}{}",
            &src[..self.start],
            self.replacement,
            &src[self.end..]
        )
    }

    /// The original line(s) the span touches and the same lines mutated,
    /// each with its runs of whitespace collapsed to one space and trimmed
    /// (lines joined by " / ").
    pub fn diff(&self, src: &str) -> (String, String) {
        let ls = src[..self.start].rfind('\n').map_or(0, |p| p + 1);
        let le = src[self.end..]
            .find('\n')
            .map_or(src.len(), |p| self.end + p);
        let before = &src[ls..le];
        let after = format!(
            "{}{}{}",
            &src[ls..self.start],
            self.replacement,
            &src[self.end..le]
        );
        let join = |s: &str| {
            s.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        (join(before), join(&after))
    }
}

/// Every mutant of the Verilog `src` (file name `file`), in a stable order
/// (by position, then operator); two mutants never give the same text, and
/// none gives the original.
pub fn mutants_of(file: &str, src: &str) -> Result<Vec<Mutant>, MutationError> {
    let toks = lex::lex(file, src)?;
    let mut all = ops::enumerate(file, src, &toks);
    all.sort_by_key(|m| m.start);
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(src.to_string());
    all.retain(|m| seen.insert(m.apply(src)));
    for (k, m) in all.iter_mut().enumerate() {
        m.index = k;
    }
    Ok(all)
}

/// A reproducible sample of `n` of `len` indices (all of them when `n >=
/// len`), ascending: a Fisher-Yates shuffle driven by SplitMix64 from
/// `seed`, cut to `n`.
pub fn sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    if n >= len {
        return idx;
    }
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..len).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        idx.swap(i, j);
    }
    idx.truncate(n);
    idx.sort_unstable();
    idx
}
