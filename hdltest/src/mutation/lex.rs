//! A small Verilog tokenizer: identifiers, keywords, numbers, operators,
//! compiler directives, system names and strings, with their byte spans and
//! lines. Whitespace and comments are skipped; no parsing beyond that.

use super::MutationError;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A simple identifier that is not a keyword.
    Ident,
    /// A Verilog-2005 keyword.
    Keyword,
    /// A number: `12`, `5'b01111`, `'d3`, `32'hFF`.
    Number,
    /// An operator or punctuation: `+`, `<=`, `>>>`, `+:`, `(`, `;`.
    Op,
    /// A compiler directive: `` `ifdef ``, `` `default_nettype ``.
    Directive,
    /// A system task or function name: `$clog2`, `$display`.
    SysName,
    /// A string literal, quotes included.
    Str,
}

/// One token: its kind, its byte span in the source and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub line: u32,
}

impl Token {
    /// The token's text in `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

const KEYWORDS: &[&str] = &[
    "always",
    "and",
    "assign",
    "automatic",
    "begin",
    "case",
    "casex",
    "casez",
    "default",
    "else",
    "end",
    "endcase",
    "endfunction",
    "endgenerate",
    "endmodule",
    "endtask",
    "for",
    "function",
    "generate",
    "genvar",
    "if",
    "initial",
    "inout",
    "input",
    "integer",
    "localparam",
    "module",
    "negedge",
    "or",
    "output",
    "parameter",
    "posedge",
    "reg",
    "signed",
    "task",
    "while",
    "wire",
];

/// Operators and punctuation, longest first (the tokenizer takes the
/// longest match).
const OPS: &[&str] = &[
    "<<<", ">>>", "===", "!==", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "~&", "~|", "~^",
    "^~", "**", "+:", "-:", "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "?", ":",
    "=", "(", ")", "[", "]", "{", "}", ",", ";", "@", "#", ".",
];

/// Whether `word` is a keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Tokenize `src` (the file is named `file` in errors).
pub fn lex(file: &str, src: &str) -> Result<Vec<Token>, MutationError> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let open = line;
            i += 2;
            loop {
                if i + 1 >= b.len() {
                    return Err(MutationError::Lex {
                        file: file.to_string(),
                        line: open,
                        what: "unterminated block comment".into(),
                    });
                }
                if b[i] == b'*' && b[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                if b[i] == b'\n' {
                    line += 1;
                }
                i += 1;
            }
            continue;
        }
        let start = i;
        let kind = if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    return Err(MutationError::Lex {
                        file: file.to_string(),
                        line,
                        what: "newline in a string".into(),
                    });
                }
                i += 1;
            }
            if i >= b.len() {
                return Err(MutationError::Lex {
                    file: file.to_string(),
                    line,
                    what: "unterminated string".into(),
                });
            }
            i += 1;
            Kind::Str
        } else if c == b'`' {
            i += 1;
            while i < b.len() && ident_char(b[i]) {
                i += 1;
            }
            Kind::Directive
        } else if c == b'$' {
            i += 1;
            while i < b.len() && ident_char(b[i]) {
                i += 1;
            }
            Kind::SysName
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && ident_char(b[i]) {
                i += 1;
            }
            if is_keyword(&src[start..i]) {
                Kind::Keyword
            } else {
                Kind::Ident
            }
        } else if c.is_ascii_digit()
            || (c == b'\'' && b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()))
        {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && b[i] == b'.' && b.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                i += 1;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                    i += 1;
                }
            }
            if i < b.len() && b[i] == b'\'' {
                i += 1;
                if i < b.len() && (b[i] == b's' || b[i] == b'S') {
                    i += 1;
                }
                if i < b.len() && b"bBoOdDhH".contains(&b[i]) {
                    i += 1;
                }
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'?')
                {
                    i += 1;
                }
            }
            Kind::Number
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            i += op.len();
            Kind::Op
        } else {
            return Err(MutationError::Lex {
                file: file.to_string(),
                line,
                what: format!("unexpected character {:?}", c as char),
            });
        };
        toks.push(Token {
            kind,
            start,
            end: i,
            line,
        });
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        lex("t.v", src)
            .unwrap()
            .iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn comments_and_strings_are_skipped_or_kept_whole() {
        let src = "a = b >>> 2; // x + y\n/* c - d\n */ $display(\"p + q\"); 5'b0_1 + 'd3";
        let k = kinds(src);
        assert_eq!(
            k,
            vec![
                (Kind::Ident, "a"),
                (Kind::Op, "="),
                (Kind::Ident, "b"),
                (Kind::Op, ">>>"),
                (Kind::Number, "2"),
                (Kind::Op, ";"),
                (Kind::SysName, "$display"),
                (Kind::Op, "("),
                (Kind::Str, "\"p + q\""),
                (Kind::Op, ")"),
                (Kind::Op, ";"),
                (Kind::Number, "5'b0_1"),
                (Kind::Op, "+"),
                (Kind::Number, "'d3"),
            ]
        );
        let t = lex("t.v", src).unwrap();
        assert_eq!(t.last().unwrap().line, 3);
    }

    #[test]
    fn an_unterminated_comment_is_an_error_naming_its_line() {
        let e = lex("t.v", "a;\n/* open").unwrap_err().to_string();
        assert!(e.contains("t.v:2"), "{e}");
    }
}
