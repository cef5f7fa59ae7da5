//! Loading a network description from TOML: parsing, full validation and
//! precise error locations.
//!
//! [`load_file`] / [`load_str`] parse the text with serde (every table has
//! `deny_unknown_fields`), then [`validate`] checks every constraint of the
//! format (`docs/network-format.md`) and collects *all* problems, and finally
//! [`locate`] maps each problem's field path back to a line and column of the
//! source text. Nothing in here panics on any input.

use std::ops::Range;
use std::path::Path;

use toml_edit::{ImDocument, Item, Value};

use crate::connect;
use crate::diag::{Diagnostic, Diagnostics, Location, Seg};
use crate::net::{
    Background, DelayDist, Network, NeuronParams, Projection, Rule, Stdp, VInit, WeightDist,
};
use crate::path;

/// Why a network file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax error, or a shape error found by serde (unknown field,
    /// wrong type, missing field). The message names the offending field.
    #[error("{file}:{line}:{col}: {message}")]
    Parse {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    /// The file is well-formed but describes an invalid network.
    #[error("{0}")]
    Invalid(Diagnostics),
}

pub use crate::net::{population_object, projection_object, MAX_NEURONS};

/// Largest number of steps of a run.
pub const MAX_STEPS: f64 = 4_294_967_296.0; // 2^32

/// Relative tolerance of "a whole number of steps" checks.
pub const GRID_TOL: f64 = 1e-9;

/// At most this many diagnostics are listed for the entries of one explicit
/// synapse list; the rest are summarised in one extra diagnostic.
const MAX_EXPLICIT_DIAGS: usize = 50;

/// Read, parse, validate and locate a network file.
pub fn load_file(path: &Path) -> Result<Network, LoadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: name.clone(),
        source,
    })?;
    load_str(&text, &name)
}

/// Parse, validate and locate a network description; `file` names the source
/// in messages.
pub fn load_str(text: &str, file: &str) -> Result<Network, LoadError> {
    let net: Network = toml::from_str(text).map_err(|e| {
        // a population's kind and fields disagree (Population's conversion,
        // whose error serde places on the whole array): say where
        if e.message().contains("kind = \"input\"") {
            if let Err(located) = population_kinds(text, file) {
                return located;
            }
        }
        parse_error(text, file, &e)
    })?;
    unit_variant_fields(&net, text, file)?;
    if let Err(mut diags) = validate(&net) {
        locate(text, file, &mut diags);
        // Report in file order (stable: same-place problems keep their order).
        diags
            .0
            .sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.col)));
        return Err(LoadError::Invalid(diags));
    }
    Ok(net)
}

// ---------------------------------------------------------------------------
// Parse errors
// ---------------------------------------------------------------------------

fn parse_error(text: &str, file: &str, e: &toml::de::Error) -> LoadError {
    let start = e.span().map(|s| s.start).unwrap_or(0);
    // Syntax errors come as several lines ("invalid table header\nexpected ...").
    let raw = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    let raw = if raw.is_empty() {
        // Some syntax errors (e.g. a control character in a comment) come
        // without a message.
        match text.get(start..).and_then(|t| t.chars().next()) {
            Some(c) => format!("invalid TOML syntax: unexpected character {c:?}"),
            None => "invalid TOML syntax".to_string(),
        }
    } else {
        raw
    };
    let mut pos = start;
    // serde's shape errors ("invalid type: ...", "missing field `x`") do not
    // say where they are; name the innermost field around the error.
    let message = match ImDocument::parse(text) {
        Ok(doc) => {
            let mut finder = Finder {
                pos: start,
                cur: Vec::new(),
                best: Vec::new(),
            };
            finder.item(doc.as_item());
            let mut path = finder.best;
            // `[[simulation]]` for `[simulation]` (or the reverse): serde
            // only says what it found inside; say what the table must be.
            if let Some(msg) = table_kind_error(doc.as_item(), &path) {
                let (line, col) = line_col(text, pos);
                return LoadError::Parse {
                    file: file.to_string(),
                    line,
                    col,
                    message: msg,
                };
            }
            // Errors inside internally tagged enums (`v_init`, `rule`) are
            // reported by serde at the enclosing table: find the field.
            if let Some((key, span)) = refine_table_error(text, doc.as_item(), &path, &raw) {
                path.push(Seg::Key(key));
                pos = span.start;
            }
            if path.is_empty() {
                raw
            } else {
                let field = Diagnostic::new("", path, "").field();
                format!("field `{field}`: {raw}")
            }
        }
        Err(_) => match syntax_error_key(text, start) {
            Some(key) => format!("{key}: {raw}"),
            None => raw,
        },
    };
    let (line, col) = line_col(text, pos);
    LoadError::Parse {
        file: file.to_string(),
        line,
        col,
        message,
    }
}

/// The keys whose value is an array: `[[population]]` and `[[projection]]`
/// at the top level, and an explicit rule's `synapses`. Every other table
/// of the format is a single table.
fn is_array_key(parent: &[Seg], key: &str) -> bool {
    (parent.is_empty() && (key == "population" || key == "projection")) || key == "synapses"
}

/// The keys whose value is a single table in the format.
const TABLE_KEYS: [&str; 13] = [
    "simulation",
    "recording",
    "numerics",
    "plasticity",
    "state",
    "neuron",
    "v_init",
    "background",
    "poisson",
    "rule",
    "weight",
    "delay",
    "stdp",
];

/// When `path` (where serde failed) runs through an array where the format
/// has a single table, or through a single table where it has an array of
/// tables, the message that says so.
fn table_kind_error(root: &Item, path: &[Seg]) -> Option<String> {
    let mut cur = root;
    for (i, seg) in path.iter().enumerate() {
        let (_, next) = child(cur, seg)?;
        if let Seg::Key(k) = seg {
            let parent = &path[..i];
            let field = Diagnostic::new("", path[..=i].to_vec(), "").field();
            let header: Vec<&str> = path[..=i]
                .iter()
                .filter_map(|s| match s {
                    Seg::Key(k) => Some(k.as_str()),
                    Seg::Index(_) => None,
                })
                .collect();
            let header = header.join(".");
            let array = matches!(next, Item::ArrayOfTables(_) | Item::Value(Value::Array(_)));
            let table = matches!(next, Item::Table(_) | Item::Value(Value::InlineTable(_)));
            if array && TABLE_KEYS.contains(&k.as_str()) && !is_array_key(parent, k) {
                let written = if matches!(next, Item::ArrayOfTables(_)) {
                    format!("an array of tables (`[[{header}]]`)")
                } else {
                    "an array".to_string()
                };
                return Some(format!(
                    "field `{field}`: `{k}` must be a single table (`[{header}]` or `{k} = {{ ... }}`), not {written}"
                ));
            }
            if table && is_array_key(parent, k) && k != "synapses" {
                return Some(format!(
                    "field `{field}`: `{k}` must be an array of tables: write `[[{header}]]` before each {k}, not `[{header}]`"
                ));
            }
        }
        cur = next;
    }
    None
}

/// For a syntax error inside the value of a simple `key = value` line, the
/// key and the header of the table it is in, as written in the file.
fn syntax_error_key(text: &str, pos: usize) -> Option<String> {
    let mut pos = pos.min(text.len());
    while pos > 0 && !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let line_start = text[..pos].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = &text[line_start..pos];
    let (key, _) = before.split_once('=')?;
    let key = key.trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    if key.is_empty() || !key.chars().all(bare) {
        return None;
    }
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['));
    Some(match header {
        Some(h) => format!("field `{key}` in table {h}"),
        None => format!("field `{key}`"),
    })
}

/// Keys of the table or inline table at `path`, with the spans of each key
/// and of its value.
type KeySpans = Vec<(String, Option<Range<usize>>, Option<Range<usize>>)>;

fn table_keys(root: &Item, path: &[Seg]) -> Option<KeySpans> {
    match walk(root, path)? {
        Item::Table(t) => Some(
            t.iter()
                .map(|(k, v)| (k.to_string(), t.key(k).and_then(|k| k.span()), v.span()))
                .collect(),
        ),
        Item::Value(Value::InlineTable(t)) => Some(
            t.iter()
                .map(|(k, v)| (k.to_string(), t.key(k).and_then(|k| k.span()), v.span()))
                .collect(),
        ),
        _ => None,
    }
}

/// When serde blames a whole table, find the key responsible: the one named
/// in an "unknown field" message, or the one whose removal changes the error.
fn refine_table_error(
    text: &str,
    root: &Item,
    path: &[Seg],
    message: &str,
) -> Option<(String, Range<usize>)> {
    let keys = table_keys(root, path)?;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next()?;
        if path.last() == Some(&Seg::Key(name.to_string())) {
            return None; // serde already pointed at the key itself
        }
        return keys
            .into_iter()
            .find(|(k, _, _)| k == name)
            .and_then(|(k, span, _)| Some((k, span?)));
    }
    if !(message.starts_with("invalid type") || message.starts_with("invalid value")) {
        return None;
    }
    // The tag goes last: removing it always changes the error.
    let (tags, others): (Vec<_>, Vec<_>) = keys.into_iter().partition(|(k, _, _)| k == "kind");
    for (key, key_span, value_span) in others.into_iter().chain(tags) {
        let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
            return None;
        };
        if !remove_key(doc.as_item_mut(), path, &key) {
            continue;
        }
        let changed = match toml::from_str::<Network>(&doc.to_string()) {
            Ok(_) => true,
            Err(e) => e.message().trim_end() != message,
        };
        if changed {
            return Some((key, value_span.or(key_span)?));
        }
    }
    None
}

enum NodeMut<'a> {
    Item(&'a mut Item),
    Table(&'a mut toml_edit::Table),
    Value(&'a mut Value),
}

/// Remove `key` from the table or inline table at `path`; false when absent.
fn remove_key(root: &mut Item, path: &[Seg], key: &str) -> bool {
    let mut node = NodeMut::Item(root);
    for seg in path {
        let next = match (node, seg) {
            (NodeMut::Item(Item::Table(t)) | NodeMut::Table(t), Seg::Key(k)) => {
                t.get_mut(k).map(NodeMut::Item)
            }
            (NodeMut::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => {
                a.get_mut(*i).map(NodeMut::Table)
            }
            (NodeMut::Item(Item::Value(v)) | NodeMut::Value(v), seg) => match (v, seg) {
                (Value::InlineTable(t), Seg::Key(k)) => t.get_mut(k).map(NodeMut::Value),
                (Value::Array(a), Seg::Index(i)) => a.get_mut(*i).map(NodeMut::Value),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match node {
        NodeMut::Item(Item::Table(t)) | NodeMut::Table(t) => t.remove(key).is_some(),
        NodeMut::Item(Item::Value(Value::InlineTable(t)))
        | NodeMut::Value(Value::InlineTable(t)) => t.remove(key).is_some(),
        _ => false,
    }
}

/// serde's internally tagged enums accept (and drop) any extra keys next to
/// the tag of a unit variant, despite `deny_unknown_fields`: reject them here
/// (`rule = { kind = "one_to_one", k = 3 }`).
fn unit_variant_fields(net: &Network, text: &str, file: &str) -> Result<(), LoadError> {
    if !net
        .projections
        .iter()
        .any(|p| matches!(p.rule, Rule::OneToOne))
    {
        return Ok(());
    }
    let Ok(doc) = ImDocument::parse(text) else {
        return Ok(());
    };
    for (i, p) in net.projections.iter().enumerate() {
        if !matches!(p.rule, Rule::OneToOne) {
            continue;
        }
        let path = path!["projection", i, "rule"];
        for (key, span, _) in table_keys(doc.as_item(), &path).unwrap_or_default() {
            if key == "kind" {
                continue;
            }
            let mut field = path.clone();
            field.push(Seg::Key(key.clone()));
            let (line, col) = line_col(text, span.map(|s| s.start).unwrap_or(0));
            return Err(LoadError::Parse {
                file: file.to_string(),
                line,
                col,
                message: format!(
                    "field `{}`: unknown field `{key}`, rule kind one_to_one takes no parameters (expected only `kind`)",
                    Diagnostic::new("", field, "").field()
                ),
            });
        }
    }
    Ok(())
}

/// The fields a population's kind requires or refuses (`neuron` and
/// `v_init` of a LIF population; `neuron`, `v_init` and `background` of an
/// input population), checked on the text when `Population`'s conversion
/// refuses a table, so that the error points at the population (serde
/// blames the whole array of tables).
fn population_kinds(text: &str, file: &str) -> Result<(), LoadError> {
    let Ok(doc) = ImDocument::parse(text) else {
        return Ok(());
    };
    let Some(Item::ArrayOfTables(pops)) = doc.as_item().get("population") else {
        return Ok(());
    };
    for (i, t) in pops.iter().enumerate() {
        let name = t.get("name").and_then(Item::as_str).unwrap_or("");
        let at = |span: Option<Range<usize>>, field: Option<&str>, message: String| {
            let mut p = path!["population", i];
            if let Some(f) = field {
                p.push(Seg::Key(f.to_string()));
            }
            let (line, col) = line_col(text, span.map_or(0, |s| s.start));
            LoadError::Parse {
                file: file.to_string(),
                line,
                col,
                message: format!("field `{}`: {message}", Diagnostic::new("", p, "").field()),
            }
        };
        match t.get("kind").and_then(Item::as_str).unwrap_or("lif") {
            "input" => {
                for f in ["neuron", "v_init", "background"] {
                    if let Some(k) = t.key(f) {
                        return Err(at(k.span(), Some(f), crate::net::not_for_input(name, f)));
                    }
                }
            }
            "lif" => {
                for f in ["neuron", "v_init"] {
                    if !t.contains_key(f) {
                        return Err(at(t.span(), None, crate::net::missing(name, f)));
                    }
                }
            }
            // an unknown kind: serde names it
            _ => {}
        }
    }
    Ok(())
}

fn contains(span: Option<Range<usize>>, pos: usize) -> bool {
    matches!(span, Some(s) if s.start <= pos && pos < s.end.max(s.start + 1))
}

/// Depth-first search for the longest path whose key or value span contains
/// a byte offset (tables of arrays and sub-tables do not nest spans, so the
/// whole tree is visited).
struct Finder {
    pos: usize,
    cur: Vec<Seg>,
    best: Vec<Seg>,
}

impl Finder {
    fn enter(&mut self, seg: Seg, spans: [Option<Range<usize>>; 2]) {
        self.cur.push(seg);
        if spans.into_iter().any(|s| contains(s, self.pos)) && self.cur.len() > self.best.len() {
            self.best = self.cur.clone();
        }
    }

    fn leave(&mut self) {
        self.cur.pop();
    }

    fn table(&mut self, t: &toml_edit::Table) {
        for (k, child) in t.iter() {
            let key_span = t.key(k).and_then(|k| k.span());
            self.enter(Seg::Key(k.to_string()), [key_span, child.span()]);
            self.item(child);
            self.leave();
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::None => {}
            Item::Table(t) => self.table(t),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    self.enter(Seg::Index(i), [t.span(), None]);
                    self.table(t);
                    self.leave();
                }
            }
            Item::Value(v) => self.value(v),
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::InlineTable(t) => {
                for (k, child) in t.iter() {
                    let key_span = t.key(k).and_then(|k| k.span());
                    self.enter(Seg::Key(k.to_string()), [key_span, child.span()]);
                    self.value(child);
                    self.leave();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    self.enter(Seg::Index(i), [child.span(), None]);
                    self.value(child);
                    self.leave();
                }
            }
            _ => {}
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

// ---------------------------------------------------------------------------
// Locating diagnostics
// ---------------------------------------------------------------------------

/// Fill in `Diagnostic::location` from `Diagnostic::path`: the position of the
/// offending value in `text`, or of the nearest enclosing table/key that exists
/// when the field itself is absent. Diagnostics that already have a location
/// are left alone; if `text` is not valid TOML nothing is located.
pub fn locate(text: &str, file: &str, diags: &mut Diagnostics) {
    let Ok(doc) = ImDocument::parse(text) else {
        return;
    };
    for d in diags.0.iter_mut().filter(|d| d.location.is_none()) {
        let start = find_span(doc.as_item(), &d.path)
            .map(|s| s.start)
            .unwrap_or(0);
        let (line, col) = line_col(text, start);
        d.location = Some(Location {
            file: file.to_string(),
            line,
            col,
        });
    }
}

/// One step down the document tree.
fn child<'a>(cur: &'a Item, seg: &Seg) -> Option<(Option<Range<usize>>, &'a Item)> {
    match seg {
        Seg::Key(k) => {
            let (key, item) = match cur {
                Item::Table(t) => t.get_key_value(k)?,
                Item::Value(Value::InlineTable(t)) => t.get_key_value(k)?,
                _ => return None,
            };
            Some((key.span(), item))
        }
        Seg::Index(i) => cur.get(*i).map(|item| (None, item)),
    }
}

/// The item at `path`, if it exists.
fn walk<'a>(root: &'a Item, path: &[Seg]) -> Option<&'a Item> {
    let mut cur = root;
    for seg in path {
        cur = child(cur, seg)?.1;
    }
    Some(cur)
}

/// Span of the item at `path`, or of its nearest existing ancestor.
fn find_span(root: &Item, path: &[Seg]) -> Option<Range<usize>> {
    let mut best: Option<Range<usize>> = None;
    let mut cur: &Item = root;
    for seg in path {
        let Some((key_span, next)) = child(cur, seg) else {
            break;
        };
        // Point at values themselves, at table headers, or at the key of a
        // table that has no span of its own (dotted keys, implicit tables).
        let span = match next {
            Item::ArrayOfTables(a) => a.get(0).and_then(|t| t.span()).or(key_span),
            other => other.span().or(key_span),
        };
        if span.is_some() {
            best = span;
        }
        cur = next;
    }
    best
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// Check every constraint of the format; collects all problems.
pub fn validate(net: &Network) -> Result<(), Diagnostics> {
    let mut v = Validator {
        out: Vec::new(),
        dt: None,
        max_delay_steps: net.numerics.max_delay_steps,
    };
    v.simulation(net);
    v.numerics(net);
    v.plasticity(net);
    v.populations(net);
    for (i, p) in net.projections.iter().enumerate() {
        v.projection(net, i, p);
    }
    // Synapse counts: at most 2^32 - 1 from one source neuron, 2^36 in all
    // (not repeated for populations already too large).
    if net.num_neurons() <= MAX_NEURONS {
        v.out.extend(connect::limit_problems(net));
    }
    v.recording(net);
    if v.out.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(v.out))
    }
}

struct Validator {
    out: Vec<Diagnostic>,
    /// The time step, when it is valid (finite and positive).
    dt: Option<f64>,
    max_delay_steps: u32,
}

fn quoted_list(names: &[&str]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if !seen.contains(n) {
            seen.push(n);
        }
    }
    seen.iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A computed number for a message, without float noise (`6.300000000000001` -> `6.3`).
fn num(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e15 && (x == 0.0 || x.abs() >= 1e-6) {
        let s = format!("{x:.9}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".to_string()
        } else {
            s.to_string()
        }
    } else if x.is_finite() {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Is `x` within the relative grid tolerance of a whole multiple of `dt`?
fn on_grid(x: f64, dt: f64) -> bool {
    let n = (x / dt).round();
    (n * dt - x).abs() <= GRID_TOL * x.abs().max(dt)
}

impl Validator {
    fn err(&mut self, object: &str, path: Vec<Seg>, message: impl Into<String>) {
        self.out.push(Diagnostic::new(object, path, message));
    }

    /// Report a non-finite float; returns whether it is finite.
    fn finite(&mut self, object: &str, path: Vec<Seg>, x: f64) -> bool {
        if x.is_finite() {
            true
        } else {
            self.err(object, path, format!("must be a finite number, got {x}"));
            false
        }
    }

    /// Finite and > 0.
    fn positive(&mut self, object: &str, path: Vec<Seg>, x: f64, unit: &str) -> bool {
        if !self.finite(object, path.clone(), x) {
            return false;
        }
        if x <= 0.0 {
            self.err(
                object,
                path,
                format!("must be positive, got {} {unit}", num(x)),
            );
            return false;
        }
        true
    }

    /// Finite and >= 0.
    fn non_negative(&mut self, object: &str, path: Vec<Seg>, x: f64, unit: &str) -> bool {
        if !self.finite(object, path.clone(), x) {
            return false;
        }
        if x < 0.0 {
            self.err(
                object,
                path,
                format!("must not be negative, got {} {unit}", num(x)),
            );
            return false;
        }
        true
    }

    fn simulation(&mut self, net: &Network) {
        let s = &net.simulation;
        let obj = "simulation";
        if s.seed > i64::MAX as u64 {
            // TOML integers are signed 64-bit: a larger seed could not be written back.
            self.err(
                obj,
                path!["simulation", "seed"],
                format!(
                    "{} is above 2^63 - 1, the largest seed a TOML file can hold",
                    s.seed
                ),
            );
        }
        let dt_ok = self.positive(obj, path!["simulation", "dt_ms"], s.dt_ms, "ms");
        let dur_ok =
            self.non_negative(obj, path!["simulation", "duration_ms"], s.duration_ms, "ms");
        if !dt_ok {
            return;
        }
        self.dt = Some(s.dt_ms);
        if !dur_ok {
            return;
        }
        let steps = s.duration_ms / s.dt_ms;
        if !steps.is_finite() || steps > MAX_STEPS {
            self.err(
                obj,
                path!["simulation", "duration_ms"],
                format!(
                    "absurd step count: {} ms at dt_ms = {} is {steps:e} steps, more than 2^32",
                    s.duration_ms, s.dt_ms
                ),
            );
        } else if !on_grid(s.duration_ms, s.dt_ms) {
            self.err(
                obj,
                path!["simulation", "duration_ms"],
                format!(
                    "{} ms is not a whole number of steps of dt_ms = {} ms ({} steps)",
                    s.duration_ms,
                    s.dt_ms,
                    num(steps)
                ),
            );
        }
    }

    fn numerics(&mut self, net: &Network) {
        let n = &net.numerics;
        let mut safe = *n;
        let overflow = n.w_bits.checked_add(n.w_shift).is_none();
        if overflow {
            // `check()` adds w_bits + w_shift; keep it from overflowing.
            safe.w_shift = 0;
            self.err(
                "numerics",
                path!["numerics", "w_shift"],
                format!("{} is far too large: w_bits + w_shift overflows", n.w_shift),
            );
        }
        for (field, msg) in safe.check() {
            if overflow && (field == "w_shift" || msg.contains("w_bits + w_shift")) {
                continue;
            }
            self.err("numerics", path!["numerics", field], msg);
        }
    }

    fn plasticity(&mut self, net: &Network) {
        if let Some(pl) = &net.plasticity {
            self.positive(
                "plasticity",
                path!["plasticity", "tau_plus_ms"],
                pl.tau_plus_ms,
                "ms",
            );
            self.positive(
                "plasticity",
                path!["plasticity", "tau_minus_ms"],
                pl.tau_minus_ms,
                "ms",
            );
        }
    }

    fn populations(&mut self, net: &Network) {
        if net.populations.is_empty() {
            self.err(
                "network",
                path!["population"],
                "the network has no populations (add at least one [[population]] table)",
            );
            return;
        }
        let mut total: u64 = 0;
        let mut reported_total = false;
        for (i, p) in net.populations.iter().enumerate() {
            let obj = population_object(i, p);
            if p.name.is_empty() {
                self.err(
                    &obj,
                    path!["population", i, "name"],
                    "name must not be empty",
                );
            } else if let Some(first) = net.populations[..i].iter().position(|q| q.name == p.name) {
                self.err(
                    &obj,
                    path!["population", i, "name"],
                    format!(
                        "duplicate population name \"{}\" (population #{i} has the same name as population #{first})",
                        p.name
                    ),
                );
            }
            if p.size == 0 {
                self.err(
                    &obj,
                    path!["population", i, "size"],
                    "size must be at least 1, got 0",
                );
            }
            total = total.saturating_add(u64::from(p.size));
            if total > MAX_NEURONS && !reported_total {
                reported_total = true;
                let all = net
                    .populations
                    .iter()
                    .fold(0u64, |acc, q| acc.saturating_add(u64::from(q.size)));
                self.err(
                    &obj,
                    path!["population", i, "size"],
                    format!(
                        "the network has {all} neurons in total, more than the limit of 2^24 = {MAX_NEURONS} \
                         (target ids are packed in 24 bits); the limit is crossed at this population"
                    ),
                );
            }
            if p.is_input() {
                // fixed: a network built in code cannot give them
                if p.neuron != NeuronParams::input()
                    || p.v_init != VInit::input()
                    || p.background != Background::default()
                {
                    self.err(
                        &obj,
                        path!["population", i, "kind"],
                        "an input population has no neuron parameters, initial potential or background \
                         (use Population::input)",
                    );
                }
                continue;
            }
            self.neuron(&obj, i, &p.neuron);
            self.v_init(&obj, i, &p.v_init);
            self.background(&obj, i, &p.background);
        }
    }

    fn neuron(&mut self, obj: &str, i: usize, n: &NeuronParams) {
        let f = |field: &str| path!["population", i, "neuron", field];
        let tau_m = self.positive(obj, f("tau_m_ms"), n.tau_m_ms, "ms");
        self.positive(obj, f("c_m_pf"), n.c_m_pf, "pF");
        self.finite(obj, f("e_l_mv"), n.e_l_mv);
        let th = self.finite(obj, f("v_th_mv"), n.v_th_mv);
        let reset = self.finite(obj, f("v_reset_mv"), n.v_reset_mv);
        if self.non_negative(obj, f("t_ref_ms"), n.t_ref_ms, "ms") {
            if let Some(dt) = self.dt {
                if !on_grid(n.t_ref_ms, dt) {
                    self.err(
                        obj,
                        f("t_ref_ms"),
                        format!(
                            "{} ms is not a whole number of steps of dt_ms = {dt} ms ({} steps)",
                            n.t_ref_ms,
                            num(n.t_ref_ms / dt)
                        ),
                    );
                }
            }
        }
        for (field, tau_s) in [
            ("tau_syn_ex_ms", n.tau_syn_ex_ms),
            ("tau_syn_in_ms", n.tau_syn_in_ms),
        ] {
            if self.positive(obj, f(field), tau_s, "ms")
                && tau_m
                && (tau_s - n.tau_m_ms).abs() <= GRID_TOL * n.tau_m_ms
            {
                self.err(
                    obj,
                    f(field),
                    format!(
                        "{field} must differ from tau_m_ms (propagator is singular): \
                         both are {} ms",
                        n.tau_m_ms
                    ),
                );
            }
        }
        if th && reset && n.v_reset_mv >= n.v_th_mv {
            self.err(
                obj,
                f("v_reset_mv"),
                format!(
                    "v_reset_mv ({} mV) must be below v_th_mv ({} mV)",
                    n.v_reset_mv, n.v_th_mv
                ),
            );
        }
    }

    fn v_init(&mut self, obj: &str, i: usize, v: &VInit) {
        let f = |field: &str| path!["population", i, "v_init", field];
        match *v {
            VInit::Constant { v_mv } => {
                self.finite(obj, f("v_mv"), v_mv);
            }
            VInit::Normal { mean_mv, std_mv } => {
                self.finite(obj, f("mean_mv"), mean_mv);
                self.non_negative(obj, f("std_mv"), std_mv, "mV");
            }
            VInit::Uniform { low_mv, high_mv } => {
                let lo = self.finite(obj, f("low_mv"), low_mv);
                let hi = self.finite(obj, f("high_mv"), high_mv);
                if lo && hi && low_mv > high_mv {
                    self.err(
                        obj,
                        f("low_mv"),
                        format!("low_mv ({low_mv} mV) must not exceed high_mv ({high_mv} mV)"),
                    );
                }
            }
        }
    }

    fn background(&mut self, obj: &str, i: usize, b: &Background) {
        self.finite(obj, path!["population", i, "background", "dc_pa"], b.dc_pa);
        if let Some(p) = &b.poisson {
            let f = |field: &str| path!["population", i, "background", "poisson", field];
            self.non_negative(obj, f("rate_hz"), p.rate_hz, "Hz");
            self.finite(obj, f("weight_pa"), p.weight_pa);
        }
    }

    fn projection(&mut self, net: &Network, i: usize, p: &Projection) {
        let obj = projection_object(i, p);
        let known: Vec<&str> = net.populations.iter().map(|q| q.name.as_str()).collect();
        let endpoint = |v: &mut Self, field: &str, name: &str| -> Option<usize> {
            let idx = net.population_index(name);
            if idx.is_none() {
                let list = if known.is_empty() {
                    "there are no populations".to_string()
                } else {
                    format!("known populations: {}", quoted_list(&known))
                };
                v.err(
                    &obj,
                    path!["projection", i, field],
                    format!("unknown population \"{name}\" ({list})"),
                );
            }
            idx
        };
        let src = endpoint(self, "source", &p.source);
        let tgt = endpoint(self, "target", &p.target);
        if tgt.is_some_and(|t| net.populations[t].is_input()) {
            self.err(
                &obj,
                path!["projection", i, "target"],
                format!(
                    "\"{}\" is an input population: its neurons take no synapses (they spike only when \
                     the run's input says so); an input population can only be a source",
                    p.target
                ),
            );
        }
        let src_size = src.map(|s| net.populations[s].size);
        let tgt_size = tgt.map(|t| net.populations[t].size);
        let same_single = src.is_some() && src == tgt && src_size == Some(1);
        let rule_path = |field: &str| path!["projection", i, "rule", field];

        match &p.rule {
            Rule::FixedTotalNumber { n, autapses } => {
                if *n > 0 && !autapses && same_single {
                    self.err(
                        &obj,
                        rule_path("autapses"),
                        format!(
                            "impossible: {n} synapses requested within a population of one neuron with autapses = false"
                        ),
                    );
                }
            }
            Rule::PairwiseBernoulli { p: prob, .. } => {
                if self.finite(&obj, rule_path("p"), *prob) && !(0.0..=1.0).contains(prob) {
                    self.err(
                        &obj,
                        rule_path("p"),
                        format!("connection probability must lie in [0, 1], got {prob}"),
                    );
                }
            }
            Rule::FixedIndegree { k, autapses } => {
                if *k > 0 && !autapses && same_single {
                    self.err(
                        &obj,
                        rule_path("autapses"),
                        format!(
                            "impossible: indegree {k} within a population of one neuron with autapses = false"
                        ),
                    );
                }
            }
            Rule::OneToOne => {
                if let (Some(a), Some(b)) = (src_size, tgt_size) {
                    if a != b {
                        self.err(
                            &obj,
                            path!["projection", i, "rule", "kind"],
                            format!(
                                "one_to_one needs populations of equal size, but source \"{}\" has {a} neurons and target \"{}\" has {b}",
                                p.source, p.target
                            ),
                        );
                    }
                }
            }
            Rule::Explicit { synapses } => {
                self.explicit(&obj, i, p, synapses, src_size, tgt_size);
            }
        }

        let explicit = matches!(p.rule, Rule::Explicit { .. });
        if explicit {
            for (field, present) in [("weight", p.weight.is_some()), ("delay", p.delay.is_some())] {
                if present {
                    self.err(
                        &obj,
                        path!["projection", i, field],
                        format!(
                            "`{field}` must be absent for rule kind explicit (each synapse lists its own {field})"
                        ),
                    );
                }
            }
        } else {
            let kind = rule_kind(&p.rule);
            match &p.weight {
                Some(w) => self.weight(&obj, i, w),
                None => self.err(
                    &obj,
                    path!["projection", i, "weight"],
                    format!("missing `weight` (mean_pa, sd_pa): required for rule kind {kind}"),
                ),
            }
            match &p.delay {
                Some(d) => self.delay(&obj, i, d),
                None => self.err(
                    &obj,
                    path!["projection", i, "delay"],
                    format!("missing `delay` (mean_ms, sd_ms): required for rule kind {kind}"),
                ),
            }
        }

        if let Some(s) = &p.stdp {
            self.stdp(net, &obj, i, p, s);
        }
    }

    fn weight(&mut self, obj: &str, i: usize, w: &WeightDist) {
        self.finite(obj, path!["projection", i, "weight", "mean_pa"], w.mean_pa);
        self.non_negative(
            obj,
            path!["projection", i, "weight", "sd_pa"],
            w.sd_pa,
            "pA",
        );
    }

    /// Steps of a delay on the grid; `None` when dt is invalid.
    fn delay_steps(&self, d: f64) -> Option<f64> {
        self.dt.map(|dt| (d / dt).round())
    }

    /// Message when a finite delay lies off the supported range, else None.
    fn delay_range_problem(&self, d: f64, what: &str) -> Option<String> {
        let dt = self.dt?;
        let steps = self.delay_steps(d)?;
        let max = self.max_delay_steps;
        if steps < 1.0 {
            Some(format!(
                "delay below one step: {what} {} ms rounds to {} steps of dt_ms = {dt} ms (at least 1 step is needed)",
                num(d),
                num(steps)
            ))
        } else if steps > f64::from(max) {
            Some(format!(
                "delay above the maximum: {what} {} ms is {} steps, but numerics.max_delay_steps = {max} (= {} ms)",
                num(d),
                num(steps),
                num(f64::from(max) * dt)
            ))
        } else {
            None
        }
    }

    fn delay(&mut self, obj: &str, i: usize, d: &DelayDist) {
        let mean_path = path!["projection", i, "delay", "mean_ms"];
        if self.finite(obj, mean_path.clone(), d.mean_ms) {
            if let Some(msg) = self.delay_range_problem(d.mean_ms, "mean_ms =") {
                self.err(obj, mean_path, msg);
            }
        }
        self.non_negative(obj, path!["projection", i, "delay", "sd_ms"], d.sd_ms, "ms");
    }

    fn explicit(
        &mut self,
        obj: &str,
        i: usize,
        p: &Projection,
        synapses: &[(u32, u32, f64, f64)],
        src_size: Option<u32>,
        tgt_size: Option<u32>,
    ) {
        let before = self.out.len();
        let mut suppressed = 0usize;
        let mut bad_entries = 0usize;
        for (j, &(s, t, w, d)) in synapses.iter().enumerate() {
            let mut problems: Vec<(usize, String)> = Vec::new();
            if let Some(n) = src_size {
                if s >= n {
                    problems.push((
                        0,
                        format!(
                            "synapse #{j}: source index {s} is out of range for population \"{}\" of size {n}",
                            p.source
                        ),
                    ));
                }
            }
            if let Some(n) = tgt_size {
                if t >= n {
                    problems.push((
                        1,
                        format!(
                            "synapse #{j}: target index {t} is out of range for population \"{}\" of size {n}",
                            p.target
                        ),
                    ));
                }
            }
            if !w.is_finite() {
                problems.push((
                    2,
                    format!("synapse #{j}: weight must be a finite number, got {w}"),
                ));
            }
            if !d.is_finite() {
                problems.push((
                    3,
                    format!("synapse #{j}: delay must be a finite number, got {d}"),
                ));
            } else if let Some(msg) = self.delay_range_problem(d, "delay") {
                problems.push((3, format!("synapse #{j}: {msg}")));
            }
            if !problems.is_empty() {
                bad_entries += 1;
            }
            for (elem, msg) in problems {
                if self.out.len() - before < MAX_EXPLICIT_DIAGS {
                    self.err(
                        obj,
                        path!["projection", i, "rule", "synapses", j, elem],
                        msg,
                    );
                } else {
                    suppressed += 1;
                }
            }
        }
        if suppressed > 0 {
            self.err(
                obj,
                path!["projection", i, "rule", "synapses"],
                format!(
                    "{suppressed} more problems in the explicit synapse list are not listed \
                     ({bad_entries} of {} synapses have problems)",
                    synapses.len()
                ),
            );
        }
    }

    fn stdp(&mut self, net: &Network, obj: &str, i: usize, p: &Projection, s: &Stdp) {
        let f = |field: &str| path!["projection", i, "stdp", field];
        if net.plasticity.is_none() {
            self.err(
                obj,
                path!["projection", i, "stdp"],
                "STDP needs the top-level [plasticity] table (tau_plus_ms, tau_minus_ms)",
            );
        }
        self.non_negative(obj, f("a_plus_pa"), s.a_plus_pa, "pA");
        self.non_negative(obj, f("a_minus_pa"), s.a_minus_pa, "pA");
        let lo_ok = self.finite(obj, f("w_min_pa"), s.w_min_pa);
        let hi_ok = self.finite(obj, f("w_max_pa"), s.w_max_pa);
        if !(lo_ok && hi_ok) {
            return;
        }
        let (lo, hi) = (s.w_min_pa, s.w_max_pa);
        if lo > hi {
            self.err(
                obj,
                f("w_min_pa"),
                format!("w_min_pa ({lo} pA) must not exceed w_max_pa ({hi} pA)"),
            );
            return;
        }
        if lo < 0.0 && hi > 0.0 {
            self.err(
                obj,
                f("w_min_pa"),
                format!(
                    "STDP bounds [{lo}, {hi}] pA straddle zero: both must be >= 0 (excitatory) or both <= 0 \
                     (inhibitory), because the weight's sign selects the excitatory/inhibitory channel"
                ),
            );
            return;
        }
        let inside = |w: f64| lo <= w && w <= hi;
        match &p.rule {
            Rule::Explicit { synapses } => {
                let mut listed = 0usize;
                for (j, &(_, _, w, _)) in synapses.iter().enumerate() {
                    if w.is_finite() && !inside(w) {
                        listed += 1;
                        if listed <= MAX_EXPLICIT_DIAGS {
                            self.err(
                                obj,
                                path!["projection", i, "rule", "synapses", j, 2usize],
                                format!(
                                    "synapse #{j}: weight {w} pA lies outside the STDP bounds [w_min_pa, w_max_pa] = [{lo}, {hi}] pA"
                                ),
                            );
                        }
                    }
                }
                if listed > MAX_EXPLICIT_DIAGS {
                    self.err(
                        obj,
                        path!["projection", i, "rule", "synapses"],
                        format!(
                            "{} more synapse weights lie outside the STDP bounds (not listed)",
                            listed - MAX_EXPLICIT_DIAGS
                        ),
                    );
                }
            }
            _ => {
                if let Some(w) = &p.weight {
                    if w.mean_pa.is_finite() && !inside(w.mean_pa) {
                        self.err(
                            obj,
                            path!["projection", i, "weight", "mean_pa"],
                            format!(
                                "mean weight {} pA lies outside the STDP bounds [w_min_pa, w_max_pa] = [{lo}, {hi}] pA",
                                w.mean_pa
                            ),
                        );
                    }
                }
            }
        }
    }

    fn recording(&mut self, net: &Network) {
        if let Some(s) = &net.recording.state {
            if s.every_steps == 0 {
                self.err(
                    "recording",
                    path!["recording", "state", "every_steps"],
                    "every_steps must be at least 1, got 0",
                );
            }
        }
    }
}

fn rule_kind(r: &Rule) -> &'static str {
    match r {
        Rule::FixedTotalNumber { .. } => "fixed_total_number",
        Rule::PairwiseBernoulli { .. } => "pairwise_bernoulli",
        Rule::FixedIndegree { .. } => "fixed_indegree",
        Rule::OneToOne => "one_to_one",
        Rule::Explicit { .. } => "explicit",
    }
}
