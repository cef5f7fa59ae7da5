//! The topology of a mesh of cores: `R x C` cores, row-major (core `k = r *
//! C + c` at mesh row `r`, column `c`), each dimension 1..=[`MAX_MESH_DIM`].

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Largest number of mesh rows and of mesh columns.
pub const MAX_MESH_DIM: u32 = 16;
/// Largest number of cores (`MAX_MESH_DIM^2`).
pub const MAX_CORES: usize = (MAX_MESH_DIM * MAX_MESH_DIM) as usize;

/// The shape of a mesh of cores: `rows x cols`, each 1..=16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Mesh {
    rows: u32,
    cols: u32,
}

/// A mesh shape that is not `RxC` with `R` and `C` in 1..=16.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad mesh '{text}': {why} (expected RxC with R and C in 1..={MAX_MESH_DIM}, e.g. 2x2 or 3x2)"
)]
pub struct MeshParseError {
    pub text: String,
    pub why: String,
}

impl Mesh {
    /// A `rows x cols` mesh.
    pub fn new(rows: u32, cols: u32) -> Result<Mesh, MeshParseError> {
        let text = format!("{rows}x{cols}");
        for (what, v) in [("rows", rows), ("columns", cols)] {
            if !(1..=MAX_MESH_DIM).contains(&v) {
                return Err(MeshParseError {
                    text,
                    why: format!("{what} = {v} is outside 1..={MAX_MESH_DIM}"),
                });
            }
        }
        Ok(Mesh { rows, cols })
    }

    /// Mesh rows.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Mesh columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Number of cores, `rows * cols`.
    pub fn cores(&self) -> usize {
        (self.rows * self.cols) as usize
    }

    /// `(row, column)` of core `k` (row-major: `k = row * cols + column`).
    pub fn position(&self, k: usize) -> (u32, u32) {
        (k as u32 / self.cols, k as u32 % self.cols)
    }
}

impl fmt::Display for Mesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.rows, self.cols)
    }
}

impl FromStr for Mesh {
    type Err = MeshParseError;

    fn from_str(s: &str) -> Result<Mesh, MeshParseError> {
        let err = |why: String| MeshParseError {
            text: s.to_string(),
            why,
        };
        let t = s.trim();
        let (r, c) = t
            .split_once(['x', 'X'])
            .ok_or_else(|| err("no 'x' between rows and columns".into()))?;
        let num = |what: &str, v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|e| err(format!("{what} '{}': {e}", v.trim())))
        };
        let (rows, cols) = (num("rows", r)?, num("columns", c)?);
        Mesh::new(rows, cols).map_err(|e| err(e.why))
    }
}
