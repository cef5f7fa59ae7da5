//! The mutation operators: which tokens of a module body may be mutated,
//! and every mutant of a file, in a stable order (by position, then by
//! operator).
//!
//! Not mutated: comments and strings, anything outside `module` ..
//! `endmodule`, the module header (parameter and port declarations),
//! `localparam integer` declarations (the derived sizes of exact
//! intermediate values: a wider one is equivalent by construction),
//! conditional-compilation blocks (`` `ifdef `` .. `` `endif ``: tool- or
//! simulation-only code), the parameter checks (`if (..) begin : g_err_*`),
//! declarations' ranges, `genvar` and `integer` declarations, `unused_*`
//! sinks, `for (..)` headers and sensitivity lists (`@(..)`).

use super::lex::{Kind, Token};
use super::{Mutant, Operator};

/// Binding strength of a binary operator (higher binds tighter); None for
/// anything that is not one.
fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "**" => 12,
        "*" | "/" | "%" => 11,
        "+" | "-" => 10,
        "<<" | ">>" | "<<<" | ">>>" => 9,
        "<" | "<=" | ">" | ">=" => 8,
        "==" | "!=" | "===" | "!==" => 7,
        "&" | "~&" => 6,
        "^" | "^~" | "~^" => 5,
        "|" | "~|" => 4,
        "&&" => 3,
        "||" => 2,
        _ => return None,
    })
}

const UNARY: &[&str] = &["+", "-", "!", "~", "&", "|", "^", "~&", "~|", "~^", "^~"];

/// The token stream of one file with what the operators need to know.
struct Ctx<'a> {
    src: &'a str,
    t: &'a [Token],
    /// Index of the matching bracket of each `(`, `[`, `{` and `)`, `]`, `}`.
    pair: Vec<Option<usize>>,
    /// The token may be mutated.
    ok: Vec<bool>,
    /// A `<=` that is a non-blocking assignment (not a comparison).
    nba: Vec<bool>,
    /// The token is inside the brackets of a select (`x[..]`).
    in_select: Vec<bool>,
}

impl<'a> Ctx<'a> {
    fn text(&self, i: usize) -> &'a str {
        self.t[i].text(self.src)
    }

    fn is(&self, i: usize, s: &str) -> bool {
        i < self.t.len() && self.text(i) == s && matches!(self.t[i].kind, Kind::Op | Kind::Keyword)
    }

    /// Whether token `i` ends an operand (so an operator after it is binary).
    fn ends_operand(&self, i: usize) -> bool {
        match self.t[i].kind {
            Kind::Ident | Kind::Number | Kind::Str => true,
            Kind::Op => matches!(self.text(i), ")" | "]" | "}"),
            _ => false,
        }
    }

    fn new(src: &'a str, t: &'a [Token]) -> Ctx<'a> {
        let n = t.len();
        let mut pair = vec![None; n];
        let mut stack: Vec<usize> = Vec::new();
        for i in 0..n {
            if t[i].kind != Kind::Op {
                continue;
            }
            match t[i].text(src) {
                "(" | "[" | "{" => stack.push(i),
                ")" | "]" | "}" => {
                    if let Some(o) = stack.pop() {
                        pair[o] = Some(i);
                        pair[i] = Some(o);
                    }
                }
                _ => {}
            }
        }
        let mut c = Ctx {
            src,
            t,
            pair,
            ok: vec![false; n],
            nba: vec![false; n],
            in_select: vec![false; n],
        };
        c.regions();
        c.assignments();
        for i in 1..n {
            if c.is(i, "[") && c.ends_operand(i - 1) {
                if let Some(close) = c.pair[i] {
                    for k in i + 1..close {
                        c.in_select[k] = true;
                    }
                }
            }
        }
        c
    }

    /// Marks the tokens that may be mutated (see the module header).
    fn regions(&mut self) {
        let n = self.t.len();
        let mut in_body = false;
        let mut i = 0;
        let mut cond = 0i32;
        while i < n {
            let txt = self.text(i);
            match self.t[i].kind {
                Kind::Directive => {
                    match txt {
                        "`ifdef" | "`ifndef" => cond += 1,
                        "`endif" => cond -= 1,
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                Kind::Keyword if txt == "module" => {
                    // the header ends at the first `;` (none inside the lists)
                    while i < n && !self.is(i, ";") {
                        i += 1;
                    }
                    in_body = true;
                    i += 1;
                    continue;
                }
                Kind::Keyword if txt == "endmodule" => in_body = false,
                _ => {}
            }
            self.ok[i] = in_body && cond == 0;
            i += 1;
        }
        // parameter checks: `if (..) begin : g_err_*` .. its `end`
        for i in 0..n {
            if !(self.is(i, "begin")
                && self.is(i + 1, ":")
                && self
                    .t
                    .get(i + 2)
                    .is_some_and(|t| t.text(self.src).starts_with("g_err")))
            {
                continue;
            }
            let Some(open) = (i > 0 && self.is(i - 1, ")"))
                .then(|| self.pair[i - 1])
                .flatten()
            else {
                continue;
            };
            if open == 0 || !self.is(open - 1, "if") {
                continue;
            }
            let end = self.block_end(i);
            self.clear(open - 1, end);
        }
        // for headers and sensitivity lists
        for i in 0..n {
            if (self.is(i, "for") || self.is(i, "@")) && self.is(i + 1, "(") {
                if let Some(close) = self.pair[i + 1] {
                    self.clear(i, close);
                }
            } else if self.is(i, "@") {
                self.clear(i, (i + 1).min(n - 1));
            }
        }
        // declarations
        let mut i = 0;
        while i < n {
            let decl = self.t[i].kind == Kind::Keyword
                && matches!(
                    self.text(i),
                    "wire"
                        | "reg"
                        | "integer"
                        | "genvar"
                        | "localparam"
                        | "parameter"
                        | "input"
                        | "output"
                        | "inout"
                );
            if !decl {
                i += 1;
                continue;
            }
            let kw = self.text(i);
            let mut j = i;
            while j < n && !self.is(j, ";") {
                j += 1;
            }
            let end = j.min(n - 1);
            let name = (i..end)
                .find(|&k| self.t[k].kind == Kind::Ident)
                .map(|k| self.text(k));
            // unused sinks, loop variables and integers carry no logic;
            // `localparam integer` sizes the exact intermediate values
            // (a wider one is equivalent, and each leaves slack)
            let sizes = kw == "localparam" && self.is(i + 1, "integer");
            if matches!(kw, "genvar" | "integer")
                || sizes
                || name.is_some_and(|s| s.starts_with("unused_"))
            {
                self.clear(i, end);
                i = end + 1;
                continue;
            }
            // ranges before the initializer
            let mut k = i;
            while k < end && !self.is(k, "=") {
                if self.is(k, "[") {
                    let close = self.pair[k].unwrap_or(k);
                    self.clear(k, close);
                    k = close;
                }
                k += 1;
            }
            i = end + 1;
        }
    }

    /// Index of the `end` that closes the `begin` at `b`.
    fn block_end(&self, b: usize) -> usize {
        let mut depth = 0;
        for j in b..self.t.len() {
            if self.is(j, "begin") {
                depth += 1;
            } else if self.is(j, "end") {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
        }
        self.t.len() - 1
    }

    fn clear(&mut self, from: usize, to: usize) {
        for k in from..=to.min(self.t.len() - 1) {
            self.ok[k] = false;
        }
    }

    /// Finds the `<=` that are non-blocking assignments: the first `=` or
    /// `<=` outside brackets after the start of a statement assigns.
    fn assignments(&mut self) {
        let mut depth = 0i32;
        let mut assigned = false;
        // closing parens of `if (`, `case (`, `@(`, `for (`, `while (` headers
        let mut header_close: Vec<usize> = Vec::new();
        for i in 0..self.t.len() {
            let txt = self.text(i);
            let kind = self.t[i].kind;
            if kind == Kind::Keyword
                && matches!(
                    txt,
                    "begin" | "end" | "else" | "endcase" | "assign" | "generate"
                )
            {
                assigned = false;
                continue;
            }
            if kind != Kind::Op {
                continue;
            }
            match txt {
                "(" | "[" | "{" => {
                    if txt == "("
                        && i > 0
                        && matches!(
                            self.text(i - 1),
                            "if" | "case" | "casez" | "casex" | "@" | "for" | "while"
                        )
                    {
                        if let Some(c) = self.pair[i] {
                            header_close.push(c);
                        }
                    }
                    depth += 1;
                }
                ")" | "]" | "}" => {
                    depth -= 1;
                    if header_close.last() == Some(&i) {
                        header_close.pop();
                        assigned = false;
                    }
                }
                ";" => assigned = false,
                ":" if depth == 0 && !assigned => assigned = false,
                "=" if depth == 0 => assigned = true,
                "<=" if depth == 0 && !assigned => {
                    self.nba[i] = true;
                    assigned = true;
                }
                _ => {}
            }
        }
    }

    /// End (exclusive) of the primary that starts at `i`: unary operators,
    /// then an identifier with its selects or call, a number, a string, a
    /// parenthesized group or a concatenation.
    fn primary(&self, mut i: usize) -> Option<usize> {
        let n = self.t.len();
        while i < n && self.t[i].kind == Kind::Op && UNARY.contains(&self.text(i)) {
            i += 1;
        }
        if i >= n {
            return None;
        }
        match self.t[i].kind {
            Kind::Ident | Kind::SysName => {
                i += 1;
                if self.is(i, "(") {
                    i = self.pair[i]? + 1;
                }
                while self.is(i, "[") {
                    i = self.pair[i]? + 1;
                }
                Some(i)
            }
            Kind::Number | Kind::Str => Some(i + 1),
            Kind::Op if matches!(self.text(i), "(" | "{") => Some(self.pair[i]? + 1),
            _ => None,
        }
    }

    /// End (exclusive) of the operand starting at `i` of a binary operator
    /// of binding strength `prec`: primaries joined by tighter operators.
    fn operand(&self, i: usize, prec: u8) -> Option<usize> {
        let mut j = self.primary(i)?;
        while j < self.t.len()
            && self.t[j].kind == Kind::Op
            && binary_prec(self.text(j)).is_some_and(|p| p > prec)
        {
            j = self.primary(j + 1)?;
        }
        Some(j)
    }

    /// First token of the condition of the `?` at `q`.
    fn ternary_start(&self, q: usize) -> Option<usize> {
        let mut j = q.checked_sub(1)?;
        loop {
            let txt = self.text(j);
            let kind = self.t[j].kind;
            if kind == Kind::Op && matches!(txt, ")" | "]" | "}") {
                j = self.pair[j]?.checked_sub(1)?;
                continue;
            }
            let delim = match kind {
                Kind::Op => {
                    matches!(txt, "(" | "[" | "{" | "," | "=" | "?" | ":" | ";")
                        || (txt == "<=" && self.nba[j])
                }
                Kind::Keyword | Kind::Directive => true,
                _ => false,
            };
            if delim {
                return (j + 1 < q).then_some(j + 1);
            }
            j = j.checked_sub(1)?;
        }
    }

    /// Whether negating the condition in tokens `a..=b` would only repeat
    /// another operator: a single `==`/`!=` (the comparison operator flips
    /// it) or a single `!x`/`~x` (dropping the unary does).
    fn negation_is_redundant(&self, mut a: usize, mut b: usize) -> bool {
        while self.is(a, "(") && self.pair[a] == Some(b) && a < b {
            a += 1;
            b -= 1;
        }
        if a > b {
            return false;
        }
        if matches!(self.text(a), "!" | "~") && self.t[a].kind == Kind::Op {
            return self.primary(a) == Some(b + 1);
        }
        let mut ops = Vec::new();
        let mut k = a;
        while k <= b {
            if matches!(self.text(k), "(" | "[" | "{") && self.t[k].kind == Kind::Op {
                k = match self.pair[k] {
                    Some(c) => c + 1,
                    None => return false,
                };
                continue;
            }
            if self.t[k].kind == Kind::Op && k > a && self.ends_operand(k - 1) {
                ops.push(self.text(k));
            }
            k += 1;
        }
        ops.len() == 1 && matches!(ops[0], "==" | "!=")
    }

    /// Byte span of tokens `a..=b`.
    fn span(&self, a: usize, b: usize) -> (usize, usize) {
        (self.t[a].start, self.t[b].end)
    }
}

/// A parsed integer literal: width (None: unsized decimal), base letter,
/// signedness mark, value and digit count.
struct Lit {
    width: Option<u32>,
    base: char,
    signed: bool,
    value: u128,
    digits: usize,
}

fn parse_lit(text: &str) -> Option<Lit> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.split_once('\'') {
        None => Some(Lit {
            width: None,
            base: 'd',
            signed: false,
            value: clean.parse().ok()?,
            digits: clean.len(),
        }),
        Some((w, rest)) => {
            let width: u32 = if w.is_empty() { 32 } else { w.parse().ok()? };
            if width == 0 || width > 128 {
                return None;
            }
            let mut chars = rest.chars();
            let mut b = chars.next()?;
            let signed = b == 's' || b == 'S';
            if signed {
                b = chars.next()?;
            }
            let base = b.to_ascii_lowercase();
            let radix = match base {
                'b' => 2,
                'o' => 8,
                'd' => 10,
                'h' => 16,
                _ => return None,
            };
            let digits: &str = chars.as_str();
            if digits.is_empty() {
                return None;
            }
            let value = u128::from_str_radix(digits, radix).ok()?;
            Some(Lit {
                width: Some(width),
                base,
                signed,
                value,
                digits: digits.len(),
            })
        }
    }
}

/// `lit` with value `v`, written like the original (same width and base,
/// digits padded to the original count).
fn format_lit(text: &str, lit: &Lit, v: u128) -> String {
    let Some(w) = lit.width else {
        return v.to_string();
    };
    let d = lit.digits;
    let digits = match lit.base {
        'b' => format!("{v:0d$b}"),
        'o' => format!("{v:0d$o}"),
        'h' => format!("{v:0d$x}"),
        _ => v.to_string(),
    };
    let size = if text.starts_with('\'') {
        String::new()
    } else {
        w.to_string()
    };
    format!(
        "{size}'{}{}{digits}",
        if lit.signed { "s" } else { "" },
        lit.base
    )
}

/// Every mutant of `src` (file name `file`), in a stable order: by
/// position, then by operator; mutants that give the same text as an
/// earlier one are left out.
pub fn enumerate(file: &str, src: &str, toks: &[Token]) -> Vec<Mutant> {
    let c = Ctx::new(src, toks);
    let mut out: Vec<Mutant> = Vec::new();
    let mut push = |op: Operator, (start, end): (usize, usize), rep: String, line: u32| {
        if src[start..end] == rep {
            return;
        }
        out.push(Mutant {
            file: file.to_string(),
            index: 0,
            line,
            op,
            start,
            end,
            original: src[start..end].to_string(),
            replacement: rep,
        });
    };
    let n = toks.len();
    for i in 0..n {
        if !c.ok[i] {
            continue;
        }
        let t = toks[i];
        let txt = c.text(i);
        let line = t.line;
        let here = (t.start, t.end);
        match t.kind {
            Kind::Number => {
                if let Some(lit) = parse_lit(txt) {
                    let modulus = lit.width.map(|w| if w >= 128 { 0 } else { 1u128 << w });
                    let wrap = |v: u128| match modulus {
                        Some(m) if m > 0 => v % m,
                        _ => v,
                    };
                    let plus = wrap(lit.value.wrapping_add(1));
                    push(Operator::ConstPlus, here, format_lit(txt, &lit, plus), line);
                    if lit.width.is_some() || lit.value > 0 {
                        let minus = match modulus {
                            Some(m) if m > 0 => (lit.value + m - 1) % m,
                            _ => lit.value.wrapping_sub(1),
                        };
                        if minus != plus {
                            push(
                                Operator::ConstMinus,
                                here,
                                format_lit(txt, &lit, minus),
                                line,
                            );
                        }
                    }
                }
            }
            Kind::Keyword if txt == "if" && c.is(i + 1, "(") => {
                if let Some(close) = c.pair[i + 1] {
                    if close > i + 2 && !c.negation_is_redundant(i + 2, close - 1) {
                        let (a, b) = c.span(i + 2, close - 1);
                        push(
                            Operator::NegateCondition,
                            (a, b),
                            format!("!({})", &src[a..b]),
                            line,
                        );
                    }
                }
            }
            Kind::Op => {
                let binary = i > 0 && c.ends_operand(i - 1);
                // index arithmetic (`x[p*N + o]`) is left to the select
                // operators and the constants
                let index_arith = c.in_select[i] && matches!(txt, "+" | "-");
                if binary && !index_arith && !(txt == "<=" && c.nba[i]) {
                    let swaps: &[&str] = match txt {
                        "+" => &["-"],
                        "-" => &["+"],
                        "&" => &["|"],
                        "|" => &["&"],
                        "^" => &["|"],
                        "&&" => &["||"],
                        "||" => &["&&"],
                        "<" => &["<="],
                        "<=" => &["<"],
                        ">" => &[">="],
                        ">=" => &[">"],
                        "==" => &["!="],
                        "!=" => &["=="],
                        ">>>" => &[">>"],
                        ">>" => &[">>>", "<<"],
                        "<<" => &[">>"],
                        "<<<" => &["<<"],
                        _ => &[],
                    };
                    let op = match txt {
                        "+" | "-" => Operator::Arithmetic,
                        "&" | "|" | "^" | "&&" | "||" => Operator::Logic,
                        "<" | "<=" | ">" | ">=" | "==" | "!=" => Operator::Comparison,
                        _ => Operator::Shift,
                    };
                    for s in swaps {
                        push(op, here, s.to_string(), line);
                    }
                    // the right operand dropped: `a + b` -> `a`
                    if matches!(
                        txt,
                        "+" | "-" | "&" | "|" | "^" | "&&" | "||" | "<<" | ">>" | ">>>"
                    ) {
                        let p = binary_prec(txt).unwrap_or(0);
                        if let Some(e) = c.operand(i + 1, p) {
                            if e > i + 1 && e <= n {
                                push(
                                    Operator::DropTerm,
                                    (t.start, toks[e - 1].end),
                                    String::new(),
                                    line,
                                );
                            }
                        }
                    }
                } else if !binary {
                    match txt {
                        "~" | "!" | "-" => push(Operator::DropUnary, here, String::new(), line),
                        "&" => push(Operator::Reduction, here, "|".into(), line),
                        "|" => push(Operator::Reduction, here, "&".into(), line),
                        _ => {}
                    }
                }
                if txt == "?" {
                    if let Some(s) = c
                        .ternary_start(i)
                        .filter(|&s| !c.negation_is_redundant(s, i - 1))
                    {
                        let (a, b) = c.span(s, i - 1);
                        push(
                            Operator::NegateCondition,
                            (a, b),
                            format!("!({})", &src[a..b]),
                            line,
                        );
                    }
                }
                // selects: `x[i]` -> `x[i+1]`, `x[0]`; `x[b +: w]` -> `x[b+1 +: w]`
                if txt == "[" && i > 0 && c.ends_operand(i - 1) {
                    if let Some(close) = c.pair[i] {
                        if close > i + 1 {
                            let mut depth = 0;
                            let mut split = None;
                            for (k, tok) in toks.iter().enumerate().take(close).skip(i + 1) {
                                match tok.text(src) {
                                    "(" | "[" | "{" => depth += 1,
                                    ")" | "]" | "}" => depth -= 1,
                                    ":" | "+:" | "-:" if depth == 0 && tok.kind == Kind::Op => {
                                        split = Some(k);
                                        break;
                                    }
                                    _ => {}
                                }
                            }
                            let plus_one = |a: usize, b: usize| {
                                let (x, y) = c.span(a, b);
                                if a == b {
                                    format!("{}+1", &src[x..y])
                                } else {
                                    format!("({})+1", &src[x..y])
                                }
                            };
                            match split {
                                None => {
                                    let span = c.span(i + 1, close - 1);
                                    push(Operator::Index, span, plus_one(i + 1, close - 1), line);
                                    push(Operator::Index, span, "0".into(), line);
                                }
                                Some(k) if c.text(k) != ":" && k > i + 1 => {
                                    let span = c.span(i + 1, k - 1);
                                    push(Operator::Index, span, plus_one(i + 1, k - 1), line);
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // the same text from two operators counts once
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert((m.start, m.end, m.replacement.clone())));
    for (k, m) in out.iter_mut().enumerate() {
        m.index = k;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{mutants_of, Operator};

    const SRC: &str = r#"`default_nettype none
// a + b in a comment is not mutated
module m #(
  parameter integer W = 8
) (
  input  wire         clk_i,
  input  wire [W-1:0] a_i,
  output wire [W-1:0] y_o
);
  generate
    if (W < 2) begin : g_err_w
      m__W_too_small param_error ();
    end
  endgenerate
  localparam integer H = W - 1;
  localparam [W-1:0] ONE = 1;
  reg [W-1:0] q;
  wire unused_x = ^{a_i, 1'b0};
  integer i;
  always @(posedge clk_i) begin
    if (a_i <= ONE) q <= a_i + ONE;
    for (i = 0; i < 2; i = i + 1) q <= q;
  end
`ifndef SYNTHESIS
  always @(posedge clk_i) if (q == 3) $display("q + 1");
`endif
  assign y_o = (q >= a_i) ? q >> 1 : ~q[0 +: W];
endmodule
"#;

    fn changes() -> Vec<(Operator, String, String)> {
        mutants_of("m.v", SRC)
            .unwrap()
            .iter()
            .map(|m| (m.op, m.original.clone(), m.replacement.clone()))
            .collect()
    }

    #[test]
    fn headers_comments_checks_conditional_code_loops_and_sinks_are_not_mutated() {
        let ms = mutants_of("m.v", SRC).unwrap();
        let body = SRC.find("generate").unwrap();
        let ifndef = (SRC.find("`ifndef").unwrap(), SRC.find("`endif").unwrap());
        let checks = (
            SRC.find("if (W < 2)").unwrap(),
            SRC.find("endgenerate").unwrap(),
        );
        let sink = (
            SRC.find("wire unused_x").unwrap(),
            SRC.find("integer i;").unwrap(),
        );
        let lp = (SRC.find("for (").unwrap(), SRC.find(") q <= q;").unwrap());
        let size = (
            SRC.find("localparam integer").unwrap(),
            SRC.find("localparam [").unwrap(),
        );
        for m in &ms {
            let inside = |(a, b): (usize, usize)| m.start >= a && m.start < b;
            assert!(m.start > body, "mutant in the header: {m:?}");
            assert!(!inside(ifndef), "mutant in `ifndef: {m:?}");
            assert!(!inside(checks), "mutant in a parameter check: {m:?}");
            assert!(!inside(sink), "mutant of an unused sink: {m:?}");
            assert!(!inside(size), "mutant of a localparam integer: {m:?}");
            assert!(!inside(lp), "mutant in a for header: {m:?}");
            assert!(
                !SRC[..m.start].ends_with("reg ["),
                "mutant in a declaration range: {m:?}"
            );
        }
    }

    #[test]
    fn every_operator_applies_where_the_brief_says() {
        let c = changes();
        let has = |op: Operator, from: &str, to: &str| {
            c.iter().any(|(o, a, b)| *o == op && a == from && b == to)
        };
        // a comparison `<=` is mutated, the non-blocking `<=` never
        assert!(has(Operator::Comparison, "<=", "<"));
        assert_eq!(
            c.iter().filter(|(_, a, _)| a == "<=").count(),
            1,
            "only the comparison `<=`: {c:?}"
        );
        assert!(has(Operator::Arithmetic, "+", "-"));
        assert!(has(Operator::DropTerm, "+ ONE", ""));
        assert!(has(Operator::Comparison, ">=", ">"));
        assert!(has(Operator::Shift, ">>", ">>>"));
        assert!(has(Operator::Shift, ">>", "<<"));
        assert!(has(Operator::DropTerm, ">> 1", ""));
        assert!(has(Operator::DropUnary, "~", ""));
        assert!(has(Operator::ConstPlus, "1", "2"));
        assert!(has(Operator::ConstMinus, "1", "0"));
        assert!(has(
            Operator::NegateCondition,
            "a_i <= ONE",
            "!(a_i <= ONE)"
        ));
        assert!(has(
            Operator::NegateCondition,
            "(q >= a_i)",
            "!((q >= a_i))"
        ));
        assert!(has(Operator::Index, "0", "0+1"));
        // the declaration ranges ([W-1:0]) are not, ONE's value is
        assert_eq!(
            c.iter()
                .filter(|(o, a, _)| *o == Operator::ConstPlus && a == "1")
                .count(),
            2,
            "the 1 of ONE and the 1 of `>> 1`: {c:?}"
        );
    }

    #[test]
    fn sized_literals_keep_width_and_base_and_wrap() {
        let src =
            "module m; wire [4:0] a = 5'b01111; wire b = 1'b0; wire [7:0] c = 8'h00; endmodule\n";
        let reps: Vec<String> = mutants_of("m.v", src)
            .unwrap()
            .iter()
            .map(|m| m.replacement.clone())
            .collect();
        for want in ["5'b10000", "5'b01110", "1'b1", "8'h01", "8'hff"] {
            assert!(reps.contains(&want.to_string()), "{want} in {reps:?}");
        }
        // 1'b0 plus one and minus one are the same mutant: once
        assert_eq!(reps.iter().filter(|r| *r == "1'b1").count(), 1);
    }

    #[test]
    fn mutants_are_distinct_and_differ_from_the_original() {
        let ms = mutants_of("m.v", SRC).unwrap();
        let mut texts: Vec<String> = ms.iter().map(|m| m.apply(SRC)).collect();
        assert!(texts.iter().all(|t| t != SRC));
        let n = texts.len();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), n);
        assert!(ms.iter().enumerate().all(|(k, m)| m.index == k));
    }
}
