//! The constraints of a board (`constraints/<board>.xdc`), the small subset of
//! XDC they are written in, and the check that an XDC and its board file say
//! the same things.
//!
//! # The subset
//!
//! One command per line; `#` starts a comment at the start of a line or after
//! a `;`. Words are plain, `{braced}` (taken literally) or a `[bracketed]`
//! object query. The commands:
//!
//! - `set_property -dict {PACKAGE_PIN <pin> IOSTANDARD <std>} [get_ports {<port>}]`
//!   (`IOSTANDARD` may be left out) and
//!   `set_property PACKAGE_PIN|IOSTANDARD <value> [get_ports {<port>}]`;
//! - `set_property ASYNC_REG TRUE [get_cells {<pattern>}]`;
//! - `create_clock -period <ns> -name <name> [get_ports {<port>}]`;
//! - `set_false_path -from|-to [get_ports {<port or pattern> ...}]` and
//!   `set_false_path -to [get_cells {<pattern>}]`.
//!
//! Anything else (another command, option or property) is an error naming
//! the line, so a constraint the check cannot see cannot slip in.
//!
//! # The check ([`check`])
//!
//! Both directions: every pin fact of the board ([`Board::pin_facts`]) is
//! placed on its port with its I/O standard, every input clock
//! ([`Board::clock_facts`]) has its `create_clock` with the same name and
//! period (to 0.5 ps, the XDC writes three decimals); and every
//! `PACKAGE_PIN`, `IOSTANDARD`, `create_clock` and port false path of the XDC
//! belongs to a board fact. The shell's reset synchronizer constraints
//! (`ASYNC_REG` on [`RESET_SYNC_CELLS`], a false path to [`RESET_SYNC_FIRST`])
//! must be there, and the header must name the board, its part and the
//! Vivado version it was written for.

use std::collections::BTreeMap;
use std::fmt;

use crate::{Board, PinFact, RESET_SYNC_CELLS, RESET_SYNC_FIRST};

/// A malformed or unsupported line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XdcError {
    pub line: usize,
    pub message: String,
}

/// What a `[get_*]` query selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ports(Vec<String>),
    Cells(Vec<String>),
}

/// One command of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `PACKAGE_PIN` and/or `IOSTANDARD` of a port.
    PortProps {
        port: String,
        props: Vec<(String, String)>,
    },
    /// `ASYNC_REG TRUE` on cells.
    AsyncReg { cells: Vec<String> },
    /// `create_clock`.
    Clock {
        name: String,
        period_ns: f64,
        port: String,
    },
    /// `set_false_path -from` (`from = true`) or `-to`.
    FalsePath { from: bool, target: Target },
}

/// A command with its line number (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub line: usize,
    pub command: Command,
}

/// The parsed XDC.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Xdc {
    /// The comment lines at the top of the file, without `#`.
    pub header: Vec<String>,
    pub commands: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq)]
enum Word {
    Plain(String),
    Braced(String),
    Query(String),
}

impl Word {
    fn text(&self) -> &str {
        match self {
            Word::Plain(s) | Word::Braced(s) | Word::Query(s) => s,
        }
    }
}

/// Splits one command into words; stops at a `;` comment.
fn words(s: &str, line: usize) -> Result<Vec<Word>, XdcError> {
    let err = |m: &str| XdcError {
        line,
        message: m.to_string(),
    };
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b';' {
            let rest = s[i + 1..].trim_start();
            if rest.is_empty() || rest.starts_with('#') {
                break;
            }
            return Err(err("one command per line (text after ';')"));
        }
        if c == b'{' || c == b'[' {
            let (open, close) = if c == b'{' {
                (b'{', b'}')
            } else {
                (b'[', b']')
            };
            let mut depth = 0usize;
            let start = i;
            while i < b.len() {
                if b[i] == open {
                    depth += 1;
                } else if b[i] == close {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
            if i >= b.len() {
                return Err(err(&format!("unbalanced '{}'", open as char)));
            }
            let inner = s[start + 1..i].to_string();
            out.push(if c == b'{' {
                Word::Braced(inner)
            } else {
                Word::Query(inner)
            });
            i += 1;
            continue;
        }
        if c == b'"' || c == b'$' || c == b'\\' {
            return Err(err(&format!(
                "'{}' is outside the XDC subset (quotes, variables, continuations)",
                c as char
            )));
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b';' {
            if matches!(b[i], b'{' | b'}' | b'[' | b']') {
                return Err(err("a brace or bracket inside a word"));
            }
            i += 1;
        }
        out.push(Word::Plain(s[start..i].to_string()));
    }
    Ok(out)
}

/// `get_ports {a b}` / `get_cells {x}` inside a `[...]`.
fn query(q: &str, line: usize) -> Result<Target, XdcError> {
    let w = words(q, line)?;
    let err = |m: String| XdcError { line, message: m };
    let (cmd, args) = match w.split_first() {
        Some((Word::Plain(c), rest)) => (c.as_str(), rest),
        _ => return Err(err(format!("[{q}]: expected get_ports or get_cells"))),
    };
    let mut names = Vec::new();
    for a in args {
        match a {
            Word::Plain(s) | Word::Braced(s) => {
                if s.starts_with('-') {
                    return Err(err(format!("[{q}]: option {s} is outside the subset")));
                }
                names.extend(s.split_whitespace().map(str::to_string));
            }
            Word::Query(_) => return Err(err(format!("[{q}]: nested query"))),
        }
    }
    if names.is_empty() {
        return Err(err(format!("[{q}]: no object named")));
    }
    match cmd {
        "get_ports" => Ok(Target::Ports(names)),
        "get_cells" => Ok(Target::Cells(names)),
        other => Err(err(format!("[{q}]: {other} is outside the subset"))),
    }
}

fn one_port(t: Target, line: usize, what: &str) -> Result<String, XdcError> {
    match t {
        Target::Ports(mut p) if p.len() == 1 => Ok(p.remove(0)),
        _ => Err(XdcError {
            line,
            message: format!("{what} must name exactly one port ([get_ports {{name}}])"),
        }),
    }
}

const PORT_PROPS: &[&str] = &["PACKAGE_PIN", "IOSTANDARD"];

fn command(w: &[Word], line: usize) -> Result<Command, XdcError> {
    let err = |m: String| XdcError { line, message: m };
    let name = w[0].text();
    let args = &w[1..];
    match name {
        "set_property" => match args {
            [Word::Plain(d), Word::Braced(dict), Word::Query(q)] if d == "-dict" => {
                let kv: Vec<&str> = dict.split_whitespace().collect();
                if kv.is_empty() || !kv.len().is_multiple_of(2) {
                    return Err(err("-dict needs property/value pairs".into()));
                }
                let mut props = Vec::new();
                for pair in kv.chunks(2) {
                    if !PORT_PROPS.contains(&pair[0]) {
                        return Err(err(format!(
                            "property {} is outside the subset (PACKAGE_PIN, IOSTANDARD)",
                            pair[0]
                        )));
                    }
                    if props.iter().any(|(k, _): &(String, String)| k == pair[0]) {
                        return Err(err(format!("{} given twice", pair[0])));
                    }
                    props.push((pair[0].to_string(), pair[1].to_string()));
                }
                let port = one_port(query(q, line)?, line, "set_property")?;
                Ok(Command::PortProps { port, props })
            }
            [Word::Plain(k), value, Word::Query(q)] if k == "ASYNC_REG" => {
                if !value.text().eq_ignore_ascii_case("true") {
                    return Err(err("ASYNC_REG must be TRUE".into()));
                }
                match query(q, line)? {
                    Target::Cells(cells) => Ok(Command::AsyncReg { cells }),
                    Target::Ports(_) => Err(err("ASYNC_REG applies to cells".into())),
                }
            }
            [Word::Plain(k), value, Word::Query(q)] if PORT_PROPS.contains(&k.as_str()) => {
                let port = one_port(query(q, line)?, line, "set_property")?;
                Ok(Command::PortProps {
                    port,
                    props: vec![(k.clone(), value.text().to_string())],
                })
            }
            _ => Err(err(
                "set_property: expected -dict {PACKAGE_PIN .. IOSTANDARD ..} [get_ports ..], \
                 PACKAGE_PIN|IOSTANDARD <value> [get_ports ..] or ASYNC_REG TRUE [get_cells ..]"
                    .into(),
            )),
        },
        "create_clock" => {
            let (mut period, mut cname, mut port) = (None, None, None);
            let mut i = 0;
            while i < args.len() {
                match (&args[i], args.get(i + 1)) {
                    (Word::Plain(o), Some(v)) if o == "-period" => {
                        let p: f64 = v.text().parse().map_err(|_| {
                            err(format!(
                                "create_clock: -period '{}' is not a number",
                                v.text()
                            ))
                        })?;
                        if !(p.is_finite() && p > 0.0) {
                            return Err(err(format!("create_clock: -period {p} is not positive")));
                        }
                        period = Some(p);
                        i += 2;
                    }
                    (Word::Plain(o), Some(v)) if o == "-name" => {
                        cname = Some(v.text().to_string());
                        i += 2;
                    }
                    (Word::Query(q), _) => {
                        port = Some(one_port(query(q, line)?, line, "create_clock")?);
                        i += 1;
                    }
                    (w, _) => {
                        return Err(err(format!(
                        "create_clock: '{}' is outside the subset (-period, -name, [get_ports])",
                        w.text()
                    )))
                    }
                }
            }
            match (period, cname, port) {
                (Some(period_ns), Some(name), Some(port)) => Ok(Command::Clock {
                    name,
                    period_ns,
                    port,
                }),
                _ => Err(err(
                    "create_clock needs -period, -name and [get_ports {port}]".into(),
                )),
            }
        }
        "set_false_path" => match args {
            [Word::Plain(o), Word::Query(q)] if o == "-from" || o == "-to" => {
                let target = query(q, line)?;
                if o == "-from" && matches!(target, Target::Cells(_)) {
                    return Err(err("set_false_path -from takes ports in the subset".into()));
                }
                Ok(Command::FalsePath {
                    from: o == "-from",
                    target,
                })
            }
            _ => Err(err(
                "set_false_path: expected -from [get_ports ..] or -to [get_ports|get_cells ..]"
                    .into(),
            )),
        },
        other => Err(err(format!("command '{other}' is outside the XDC subset"))),
    }
}

/// Parses XDC text in the subset.
pub fn parse(text: &str) -> Result<Xdc, XdcError> {
    let mut x = Xdc::default();
    let mut in_header = true;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if let Some(c) = t.strip_prefix('#') {
            if in_header {
                x.header.push(c.trim().to_string());
            }
            continue;
        }
        if t.is_empty() {
            if !x.header.is_empty() {
                in_header = false;
            }
            continue;
        }
        in_header = false;
        let w = words(t, line)?;
        if w.is_empty() {
            continue;
        }
        if !matches!(w[0], Word::Plain(_)) {
            return Err(XdcError {
                line,
                message: "a command starts with its name".into(),
            });
        }
        x.commands.push(Line {
            line,
            command: command(&w, line)?,
        });
    }
    Ok(x)
}

/// Glob match with `*` (brackets literal, as Vivado's object names use them).
pub fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|k| go(rest, &n[k..])),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// One disagreement between an XDC and its board file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// XDC line, where the XDC says something (`None`: the XDC lacks a fact).
    pub line: Option<usize>,
    /// Board-file object and field, where a board fact is concerned.
    pub object: Option<String>,
    pub message: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if let Some(o) = &self.object {
            write!(f, "{o}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why an XDC does not match its board.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("{file}: {source}")]
    Parse {
        file: String,
        #[source]
        source: XdcError,
    },
    #[error("{file} disagrees with boards/{board}.toml:\n  {}", mismatches.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n  "))]
    Mismatch {
        file: String,
        board: String,
        mismatches: Vec<Mismatch>,
    },
}

/// Checks XDC text against its board in both directions; `file` names the
/// XDC in the error.
pub fn check(board: &Board, file: &str, text: &str) -> Result<(), CheckError> {
    let x = parse(text).map_err(|source| CheckError::Parse {
        file: file.to_string(),
        source,
    })?;
    let m = mismatches(board, &x);
    if m.is_empty() {
        Ok(())
    } else {
        Err(CheckError::Mismatch {
            file: file.to_string(),
            board: board.name.clone(),
            mismatches: m,
        })
    }
}

/// Every disagreement between a parsed XDC and the board (empty: they agree).
pub fn mismatches(board: &Board, x: &Xdc) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut miss = |line: Option<usize>, object: Option<String>, message: String| {
        out.push(Mismatch {
            line,
            object,
            message,
        })
    };

    // Header.
    let header = x.header.join("\n").to_lowercase();
    let part = &board.device.part;
    for (what, needle) in [
        ("the board's name", board.name.clone()),
        ("the part", part.clone()),
        (
            "the Vivado version",
            format!("written for Vivado {}", board.vivado),
        ),
    ] {
        if !header.contains(&needle.to_lowercase()) {
            miss(
                None,
                None,
                format!("the header comment does not name {what} ('{needle}')"),
            );
        }
    }

    // Collect the XDC's port properties.
    let mut props: BTreeMap<(&str, &str), (&str, usize)> = BTreeMap::new();
    for l in &x.commands {
        if let Command::PortProps { port, props: ps } = &l.command {
            for (k, v) in ps {
                if let Some((old, first)) = props.insert((port, k), (v, l.line)) {
                    if old != v {
                        miss(
                            Some(l.line),
                            None,
                            format!("{k} of {port} is {v} here but {old} on line {first}"),
                        );
                    }
                }
            }
        }
    }
    let facts = board.pin_facts();
    let fact_of = |port: &str| -> Option<&PinFact> { facts.iter().find(|f| f.port == port) };

    // Board -> XDC: pins and standards.
    for f in &facts {
        let obj = Some(format!("{} ({})", f.object, f.field));
        match props.get(&(f.port.as_str(), "PACKAGE_PIN")) {
            None => miss(
                None,
                obj.clone(),
                format!("port {} has no PACKAGE_PIN (board: {})", f.port, f.pin),
            ),
            Some((pin, line)) if *pin != f.pin => miss(
                Some(*line),
                obj.clone(),
                format!(
                    "PACKAGE_PIN of {} is {pin}, the board says {}",
                    f.port, f.pin
                ),
            ),
            _ => {}
        }
        match (props.get(&(f.port.as_str(), "IOSTANDARD")), &f.iostandard) {
            (None, Some(std)) => miss(
                None,
                obj,
                format!("port {} has no IOSTANDARD (board: {std})", f.port),
            ),
            (Some((s, line)), Some(std)) if s != std => miss(
                Some(*line),
                obj,
                format!("IOSTANDARD of {} is {s}, the board says {std}", f.port),
            ),
            (Some((s, line)), None) => miss(
                Some(*line),
                obj,
                format!(
                    "IOSTANDARD {s} on {}, a pin the board gives no I/O standard (GT reference clock)",
                    f.port
                ),
            ),
            _ => {}
        }
    }
    // XDC -> board: every placed or standardized port is a board fact.
    for l in &x.commands {
        if let Command::PortProps { port, .. } = &l.command {
            if fact_of(port).is_none() {
                miss(
                    Some(l.line),
                    None,
                    format!("port {port} is not a pin of the board file"),
                );
            }
        }
    }

    // Clocks, both directions.
    let clocks = board.clock_facts();
    for c in &clocks {
        let found = x.commands.iter().find_map(|l| match &l.command {
            Command::Clock {
                name,
                period_ns,
                port,
            } if port == &c.port => Some((l.line, name, *period_ns)),
            _ => None,
        });
        match found {
            None => miss(
                None,
                Some(c.object.clone()),
                format!("no create_clock on {} ({:.3} ns)", c.port, c.period_ns),
            ),
            Some((line, name, period)) => {
                if (period - c.period_ns).abs() > 5e-4 {
                    miss(
                        Some(line),
                        Some(c.object.clone()),
                        format!(
                            "create_clock on {} has period {period} ns, the board says {:.3} ns",
                            c.port, c.period_ns
                        ),
                    );
                }
                if name != &c.name {
                    miss(
                        Some(line),
                        Some(c.object.clone()),
                        format!(
                            "create_clock on {} is named {name}, the board says {}",
                            c.port, c.name
                        ),
                    );
                }
            }
        }
    }
    let mut clocked = BTreeMap::new();
    for l in &x.commands {
        if let Command::Clock { name, port, .. } = &l.command {
            if !clocks.iter().any(|c| &c.port == port) {
                miss(
                    Some(l.line),
                    None,
                    format!(
                        "create_clock {name} on {port}, which is not an input clock of the board"
                    ),
                );
            }
            if let Some(first) = clocked.insert(port.as_str(), l.line) {
                miss(
                    Some(l.line),
                    None,
                    format!("a second create_clock on {port} (first on line {first})"),
                );
            }
        }
    }

    // False paths on ports: they must name board ports, inputs with -from,
    // outputs with -to.
    for l in &x.commands {
        if let Command::FalsePath {
            from,
            target: Target::Ports(pats),
        } = &l.command
        {
            for p in pats {
                let hits: Vec<&PinFact> = facts.iter().filter(|f| glob(p, &f.port)).collect();
                if hits.is_empty() {
                    miss(
                        Some(l.line),
                        None,
                        format!("set_false_path names {p}, which matches no port of the board"),
                    );
                }
                for f in hits {
                    let ok = if *from {
                        f.dir == crate::PortDir::Input
                    } else {
                        f.dir == crate::PortDir::Output
                    };
                    if !ok {
                        miss(
                            Some(l.line),
                            Some(f.object.clone()),
                            format!(
                                "set_false_path -{} on {}, an {}",
                                if *from { "from" } else { "to" },
                                f.port,
                                if *from { "output" } else { "input" }
                            ),
                        );
                    }
                }
            }
        }
    }

    // The shell's reset synchronizer.
    let async_reg = x.commands.iter().any(|l| {
        matches!(&l.command, Command::AsyncReg { cells } if cells.iter().any(|c| c == RESET_SYNC_CELLS))
    });
    if !async_reg {
        miss(
            None,
            Some("reset".into()),
            format!("no set_property ASYNC_REG TRUE [get_cells {{{RESET_SYNC_CELLS}}}]"),
        );
    }
    let sync_fp = x.commands.iter().any(|l| {
        matches!(&l.command, Command::FalsePath { from: false, target: Target::Cells(c) } if c.iter().any(|c| c == RESET_SYNC_FIRST))
    });
    if !sync_fp {
        miss(
            None,
            Some("reset".into()),
            format!("no set_false_path -to [get_cells {{{RESET_SYNC_FIRST}}}]"),
        );
    }
    for l in &x.commands {
        let cells = match &l.command {
            Command::AsyncReg { cells } => cells,
            Command::FalsePath {
                target: Target::Cells(c),
                ..
            } => c,
            _ => continue,
        };
        for c in cells {
            if c != RESET_SYNC_CELLS && c != RESET_SYNC_FIRST {
                miss(
                    Some(l.line),
                    None,
                    format!(
                        "cell pattern {c} is not one of the shell's documented cells ({RESET_SYNC_CELLS})"
                    ),
                );
            }
        }
    }
    out
}
