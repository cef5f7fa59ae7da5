//! Diagnostics: every model error names the object, the field and, when the
//! network came from a file, the line and column.

use std::fmt;

/// One step of a path into the network description (`population[2].neuron.tau_m_ms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A position in a source file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// One problem with a network description.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Human name of the object: `population "L23E"`, `projection "E->I" (#3)`, `simulation`.
    pub object: String,
    /// Path of the offending field in the description, used to find its position.
    pub path: Vec<Seg>,
    /// What is wrong, in words, with the offending value.
    pub message: String,
    /// Where it is, once located in a file.
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(object: impl Into<String>, path: Vec<Seg>, message: impl Into<String>) -> Self {
        Diagnostic {
            object: object.into(),
            path,
            message: message.into(),
            location: None,
        }
    }

    /// The field path as text: `population[2].neuron.tau_m_ms`.
    pub fn field(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}:{}:{}: ", loc.file, loc.line, loc.col)?;
        }
        write!(
            f,
            "{}: field `{}`: {}",
            self.object,
            self.field(),
            self.message
        )
    }
}

/// Build a path from string keys and indices: `path!["population", 2, "size"]`.
#[macro_export]
macro_rules! path {
    ($($seg:expr),* $(,)?) => {
        vec![$($crate::diag::IntoSeg::into_seg($seg)),*]
    };
}

/// Conversion into a path segment (used by `path!`).
pub trait IntoSeg {
    fn into_seg(self) -> Seg;
}
impl IntoSeg for &str {
    fn into_seg(self) -> Seg {
        Seg::Key(self.to_string())
    }
}
impl IntoSeg for String {
    fn into_seg(self) -> Seg {
        Seg::Key(self)
    }
}
impl IntoSeg for usize {
    fn into_seg(self) -> Seg {
        Seg::Index(self)
    }
}

/// A list of diagnostics, all collected before giving up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} error{} in the network description:",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}
