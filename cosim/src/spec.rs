//! What to verilate: sources, top module, clock and the port list.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::error::CosimError;

/// Direction of a top-level port: `In` is driven from Rust (`set`), `Out`
/// read from Rust (`get`); the interface descriptions' own type.
pub use spikefab_hdl::Dir;

/// One top-level port of the model, other than the clock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Port {
    /// The Verilog port name (a plain identifier, e.g. `obs_v_o`).
    pub name: String,
    /// Width in bits, 1..=[`MAX_PORT_WIDTH`]. Ports up to 64 bits are
    /// moved as one `u64` (`Model::set/get`); every port, and a wider one
    /// only, also as little-endian 64-bit words (`Model::set_wide/get_wide`).
    pub width: u32,
    /// Input or output.
    pub dir: Dir,
    /// Whether the value is two's complement (only affects `get_signed` /
    /// `set_signed` range checks; Verilator does not record signedness in
    /// the port declaration, so it is not checked against the RTL).
    pub signed: bool,
}

impl Port {
    /// An unsigned input port.
    pub fn input(name: impl Into<String>, width: u32) -> Self {
        Port {
            name: name.into(),
            width,
            dir: Dir::In,
            signed: false,
        }
    }

    /// An unsigned output port.
    pub fn output(name: impl Into<String>, width: u32) -> Self {
        Port {
            name: name.into(),
            width,
            dir: Dir::Out,
            signed: false,
        }
    }

    /// The model port of a port of a `spikefab_hdl` description (name,
    /// direction, width, signedness of its value).
    pub fn from_hdl(p: &spikefab_hdl::Port) -> Self {
        Port {
            name: p.name.clone(),
            width: p.width,
            dir: p.dir,
            signed: p.signed,
        }
    }

    /// The same port, marked signed.
    pub fn signed(mut self) -> Self {
        self.signed = true;
        self
    }

    /// The mask of the port's `width` low bits (all ones for a port wider
    /// than 64 bits).
    pub fn mask(&self) -> u64 {
        width_mask(self.width)
    }

    /// Whether the port is wider than 64 bits: moved only as words
    /// (`Model::set_wide/get_wide`), never as one `u64`.
    pub fn is_wide(&self) -> bool {
        self.width > 64
    }

    /// 64-bit words of the port's value in `Model::set_wide/get_wide`:
    /// `ceil(width / 64)`.
    pub fn words(&self) -> usize {
        self.width.div_ceil(64) as usize
    }

    /// The mask of the valid bits of the port's most significant 64-bit
    /// word (all ones when the width is a multiple of 64).
    pub fn top_word_mask(&self) -> u64 {
        width_mask(self.width - 64 * (self.words() as u32 - 1))
    }
}

/// The widest port the wrapper moves (bits): a flattened mesh port of
/// many cores' 1024-bit AXI data buses stays well inside it.
pub const MAX_PORT_WIDTH: u32 = 8192;

/// The mask of `width` low bits (all ones from 64 bits up).
pub(crate) fn width_mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// Everything that determines a verilated model. Two specs with the same
/// field values and the same source contents share one cached library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// Name of the top module.
    pub top: String,
    /// Verilog source files (and `.vlt` Verilator configuration files), in
    /// the order they are given to Verilator.
    pub sources: Vec<PathBuf>,
    /// `+incdir+` folders for `` `include``. Their Verilog files (`.v`,
    /// `.vh`, `.sv`, `.svh`, `.vlt`, `.inc`) are part of the cache key.
    pub include_dirs: Vec<PathBuf>,
    /// The clock input (1 bit) that `tick` toggles; not listed in `ports`.
    pub clock: String,
    /// Every other top-level port, in the order that defines the port
    /// indices. Checked against the verilated top: each of its ports must be
    /// listed with the right direction and width, and nothing else.
    pub ports: Vec<Port>,
    /// Top-level parameter overrides, `-G<name>=<value>`. The value is
    /// Verilog literal text: `"16"`, `"64'h9E37"`, or a quoted string
    /// (see [`ModelSpec::param_str`]).
    pub params: Vec<(String, String)>,
    /// Preprocessor defines, `-D<name>=<value>` (an empty value gives
    /// `-D<name>`).
    pub defines: Vec<(String, String)>,
}

impl ModelSpec {
    /// A spec with the given top, sources and clock, no ports yet.
    pub fn new(top: impl Into<String>, sources: Vec<PathBuf>, clock: impl Into<String>) -> Self {
        ModelSpec {
            top: top.into(),
            sources,
            include_dirs: Vec::new(),
            clock: clock.into(),
            ports: Vec::new(),
            params: Vec::new(),
            defines: Vec::new(),
        }
    }

    /// Adds a port (builder style).
    pub fn port(mut self, port: Port) -> Self {
        self.ports.push(port);
        self
    }

    /// Adds an integer or literal parameter override (builder style).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds a string parameter override (builder style): the value is
    /// quoted for Verilator (`-GNAME="text"`).
    pub fn param_str(mut self, name: impl Into<String>, value: &str) -> Self {
        self.params.push((name.into(), format!("\"{value}\"")));
        self
    }

    /// Checks the spec without touching the file system or any tool.
    pub fn validate(&self) -> Result<(), CosimError> {
        let bad = |reason: String| Err(CosimError::InvalidSpec(reason));
        if !is_identifier(&self.top) {
            return bad(format!(
                "top module name `{}` is not a Verilog identifier",
                self.top
            ));
        }
        if self.sources.is_empty() {
            return bad(format!("no source files given for top `{}`", self.top));
        }
        if !is_identifier(&self.clock) {
            return bad(format!(
                "clock port name `{}` is not a Verilog identifier",
                self.clock
            ));
        }
        let mut seen = HashSet::new();
        seen.insert(self.clock.as_str());
        for p in &self.ports {
            if !is_identifier(&p.name) {
                return bad(format!(
                    "port name `{}` is not a plain Verilog identifier (letters, digits, single underscores)",
                    p.name
                ));
            }
            if p.name == self.clock {
                return bad(format!(
                    "port `{}` is the clock; the clock is driven by tick() and must not be in the port list",
                    p.name
                ));
            }
            if !seen.insert(p.name.as_str()) {
                return bad(format!("port `{}` is listed twice", p.name));
            }
            if !(1..=MAX_PORT_WIDTH).contains(&p.width) {
                return bad(format!(
                    "port `{}` has width {}; supported widths are 1..={MAX_PORT_WIDTH}",
                    p.name, p.width
                ));
            }
        }
        if u32::try_from(self.ports.len()).is_err() {
            return bad(format!("{} ports is too many", self.ports.len()));
        }
        for (name, value) in &self.params {
            if !is_identifier(name) {
                return bad(format!(
                    "parameter name `{name}` is not a Verilog identifier"
                ));
            }
            if value.is_empty() || value.contains('\n') {
                return bad(format!(
                    "parameter `{name}` has an empty or multi-line value `{value}`"
                ));
            }
        }
        for (name, value) in &self.defines {
            if !is_identifier(name) {
                return bad(format!("define name `{name}` is not a Verilog identifier"));
            }
            if value.contains('\n') {
                return bad(format!("define `{name}` has a multi-line value"));
            }
        }
        Ok(())
    }
}

/// A Verilog identifier that Verilator keeps unchanged as a C++ member name:
/// `[A-Za-z_][A-Za-z0-9_]*` without a double underscore (Verilator mangles
/// `__`).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.contains("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ModelSpec {
        ModelSpec::new("top", vec![PathBuf::from("a.v")], "clk_i")
            .port(Port::input("a_i", 7))
            .port(Port::output("b_o", 33).signed())
    }

    #[test]
    fn valid_spec_passes() {
        spec().validate().unwrap();
    }

    #[test]
    fn width_outside_1_to_max_is_rejected_with_the_port_name() {
        for w in [0, MAX_PORT_WIDTH + 1] {
            let e = spec()
                .port(Port::input("w_i", w))
                .validate()
                .unwrap_err()
                .to_string();
            assert!(e.contains("`w_i`") && e.contains("1..=8192"), "{e}");
        }
        for w in [65, 257, MAX_PORT_WIDTH] {
            spec().port(Port::input("w_i", w)).validate().unwrap();
        }
    }

    #[test]
    fn word_counts_and_top_word_masks_follow_the_width() {
        let p = |w| Port::input("p_i", w);
        assert_eq!((p(1).words(), p(1).top_word_mask()), (1, 1));
        assert_eq!((p(33).words(), p(33).top_word_mask()), (1, (1 << 33) - 1));
        assert_eq!((p(64).words(), p(64).top_word_mask()), (1, u64::MAX));
        assert_eq!((p(100).words(), p(100).top_word_mask()), (2, (1 << 36) - 1));
        assert_eq!((p(257).words(), p(257).top_word_mask()), (5, 1));
        assert!(!p(64).is_wide() && p(65).is_wide());
    }

    #[test]
    fn duplicate_port_and_clock_in_port_list_are_rejected() {
        let e = spec().port(Port::input("a_i", 1)).validate().unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
        let e = spec().port(Port::input("clk_i", 1)).validate().unwrap_err();
        assert!(e.to_string().contains("is the clock"), "{e}");
    }

    #[test]
    fn names_verilator_would_mangle_are_rejected() {
        for name in ["a__b", "1a", "a-b", "", "a b"] {
            let e = spec().port(Port::input(name, 1)).validate().unwrap_err();
            assert!(e.to_string().contains("identifier"), "{name}: {e}");
        }
    }

    #[test]
    fn empty_sources_are_rejected() {
        let mut s = spec();
        s.sources.clear();
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no source files"));
    }

    #[test]
    fn masks_cover_exactly_the_width() {
        assert_eq!(width_mask(1), 1);
        assert_eq!(width_mask(33), (1u64 << 33) - 1);
        assert_eq!(width_mask(64), u64::MAX);
    }
}
