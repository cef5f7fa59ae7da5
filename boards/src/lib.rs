//! spikefab's Xilinx boards as data.
//!
//! Each board is one TOML file, `boards/<name>.toml`: the FPGA part and its
//! family, the input clocks (pin and I/O standard, a differential pair, or a
//! clock of the processing system), the reset, the host link (USB-UART, the
//! processing system, or PCIe with DMA), the user LEDs, other pins the shell
//! must drive, the external memory, and the Vivado version the constraints
//! were written for. Every section names its sources (ids into the file's
//! `[sources]` table) and says whether its facts were verified against them
//! (`verified`, `unverified = [fields]`, `note`). The format, the port names
//! a board's facts become and the constraints conventions are documented in
//! docs/boards.md.
//!
//! - [`builtin`]: the six boards compiled into the binary (`include_str!`),
//!   so the tool works from any directory;
//! - [`load_file`] / [`parse`]: a board file of one's own, validated the same
//!   way ([`Board::validate`]: the part is in the parts table of
//!   `spikefab-eda`, frequencies are positive, pins are unique, I/O standards
//!   are known and fit single-ended or differential use, differential pairs
//!   are complete, sources exist);
//! - [`lookup`]: a board by name, alias or file path;
//! - [`Board::pin_facts`], [`Board::clock_facts`]: the top-level ports of the
//!   board shell with their pins, standards and clock periods, what the
//!   constraints must say;
//! - [`xdc`]: the XDC files of `constraints/`, a parser for the subset they
//!   are written in and the check of an XDC against its board.
//!
//! Errors name the file, the object (the board, a clock, the reset, ...) and
//! the field; nothing here panics on a user's file.

pub mod xdc;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use spikefab_eda::parts::{self, Part};

/// The board files compiled into the binary: (file name, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("arty_a7_100t.toml", include_str!("../arty_a7_100t.toml")),
    ("pynq_z2.toml", include_str!("../pynq_z2.toml")),
    ("zcu104.toml", include_str!("../zcu104.toml")),
    ("kv260.toml", include_str!("../kv260.toml")),
    ("alveo_u250.toml", include_str!("../alveo_u250.toml")),
    ("alveo_u55c.toml", include_str!("../alveo_u55c.toml")),
];

/// The constraints of the built-in boards: (board name, XDC text).
pub const BUILTIN_XDC: &[(&str, &str)] = &[
    (
        "arty_a7_100t",
        include_str!("../../constraints/arty_a7_100t.xdc"),
    ),
    ("pynq_z2", include_str!("../../constraints/pynq_z2.xdc")),
    ("zcu104", include_str!("../../constraints/zcu104.xdc")),
    ("kv260", include_str!("../../constraints/kv260.xdc")),
    (
        "alveo_u250",
        include_str!("../../constraints/alveo_u250.xdc"),
    ),
    (
        "alveo_u55c",
        include_str!("../../constraints/alveo_u55c.xdc"),
    ),
];

/// The I/O standards a board file may name (those of 7-series and
/// UltraScale+ user I/O that board clocks, resets, UARTs and LEDs use).
pub const SINGLE_ENDED_STANDARDS: &[&str] = &[
    "LVCMOS12",
    "LVCMOS15",
    "LVCMOS18",
    "LVCMOS25",
    "LVCMOS33",
    "LVTTL",
    "SSTL12",
    "SSTL135",
    "SSTL15",
    "HSTL_I_18",
];

/// Differential I/O standards a clock pair may use.
pub const DIFFERENTIAL_STANDARDS: &[&str] = &[
    "LVDS",
    "LVDS_25",
    "DIFF_SSTL12",
    "DIFF_SSTL12_DCI",
    "DIFF_SSTL135",
    "DIFF_SSTL15",
    "DIFF_HSTL_I_18",
    "DIFF_POD12",
];

/// Any error of loading, validating or finding a board. Every variant names
/// the file (or the name asked for); validation errors name the object and
/// the field.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// The board file could not be read.
    #[error("{file}: cannot read the board file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, a field is missing or unknown, or a value has
    /// the wrong type (the message gives the line and the field).
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// A value is out of range or inconsistent with another one.
    #[error("{file}: {object}: field `{field}`: {message}")]
    Invalid {
        file: String,
        object: String,
        field: String,
        message: String,
    },
    /// No board has this name or alias.
    #[error("unknown board '{name}'; known boards: {known}")]
    Unknown { name: String, known: String },
    /// The name is an alias of more than one board.
    #[error("board name '{name}' is ambiguous: it names {}; use a full board name", boards.join(" and "))]
    Ambiguous { name: String, boards: Vec<String> },
}

/// Where a section's facts come from and whether they were checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance<'a> {
    /// Ids into the board's `[sources]`.
    pub source: &'a [String],
    /// All facts of the section were checked against the sources.
    pub verified: bool,
    /// Fields that could not be checked (the rest of the section was).
    pub unverified: &'a [String],
    /// Why something is unverified, or a remark on the sources.
    pub note: Option<&'a str>,
}

/// The FPGA part of a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Full part string (device, package, speed grade, temperature grade).
    pub part: String,
    /// Device family in words, e.g. `Artix-7`, `Zynq UltraScale+ MPSoC`.
    pub family: String,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// How a clock reaches the programmable logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// One pin, a single-ended I/O standard.
    Single,
    /// A P/N pin pair, a differential I/O standard.
    Differential,
    /// A clock the processing system drives into the fabric (no pin).
    Ps,
}

/// One input clock of a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// Clock name: the `create_clock -name` and the stem of the shell's
    /// port(s): `<name>_i`, or `<name>_p_i` / `<name>_n_i`.
    pub name: String,
    /// Frequency in MHz (for a PS clock: what the shell requests).
    pub frequency_mhz: f64,
    pub kind: ClockKind,
    /// The clock the shell runs the accelerator from (exactly one per board).
    #[serde(default)]
    pub main: bool,
    /// What the clock is for on the board (system clock, DDR4 reference, ...).
    pub purpose: String,
    /// Single-ended pin.
    #[serde(default)]
    pub pin: Option<String>,
    /// Differential pair.
    #[serde(default)]
    pub pin_p: Option<String>,
    #[serde(default)]
    pub pin_n: Option<String>,
    #[serde(default)]
    pub iostandard: Option<String>,
    /// A PS clock's name (`pl_clk0`, `FCLK_CLK0`).
    #[serde(default)]
    pub ps_clock: Option<String>,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Clock {
    /// Period in ns.
    pub fn period_ns(&self) -> f64 {
        1000.0 / self.frequency_mhz
    }

    /// The shell port the clock arrives on (the P side of a pair); `None`
    /// for a PS clock.
    pub fn port(&self) -> Option<String> {
        match self.kind {
            ClockKind::Single => Some(format!("{}_i", self.name)),
            ClockKind::Differential => Some(format!("{}_p_i", self.name)),
            ClockKind::Ps => None,
        }
    }
}

/// Where the shell's reset comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetKind {
    /// A board pin (a push button, PCIe PERST#).
    Pin,
    /// A reset the processing system drives into the fabric.
    Ps,
}

/// The board reset the shell synchronizes (`u_rst_sync`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    pub kind: ResetKind,
    /// Stem of the port: `<name>_ni` (active low) or `<name>_i`.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub pin: Option<String>,
    #[serde(default)]
    pub iostandard: Option<String>,
    /// Asserted at 0.
    pub active_low: bool,
    /// A PS reset's name (`pl_resetn0`, `FCLK_RESET0_N`).
    #[serde(default)]
    pub ps_reset: Option<String>,
    /// What asserts it (button, PCIe PERST#, the PS).
    pub purpose: String,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Reset {
    /// The shell port of a pin reset.
    pub fn port(&self) -> Option<String> {
        match (self.kind, &self.name) {
            (ResetKind::Pin, Some(n)) => Some(if self.active_low {
                format!("{n}_ni")
            } else {
                format!("{n}_i")
            }),
            _ => None,
        }
    }
}

/// How the host talks to the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostLinkKind {
    /// A USB-UART bridge wired to two fabric pins.
    Uart,
    /// Through the processing system (its UART/Ethernet to the host, AXI
    /// from the PS into the fabric).
    Ps,
    /// PCIe with a DMA engine in the fabric.
    Pcie,
}

/// The host link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLink {
    pub kind: HostLinkKind,
    /// In words: the bridge, the PS ports, the PCIe block.
    pub description: String,
    /// UART: the FPGA's output (to the host), port `uart_tx_o`.
    #[serde(default)]
    pub tx_pin: Option<String>,
    /// UART: the FPGA's input (from the host), port `uart_rx_i`.
    #[serde(default)]
    pub rx_pin: Option<String>,
    #[serde(default)]
    pub iostandard: Option<String>,
    /// PCIe: lanes.
    #[serde(default)]
    pub lanes: Option<u32>,
    /// PCIe: generation (3: 8 GT/s).
    #[serde(default)]
    pub generation: Option<u32>,
    /// PCIe: the DMA IP (`xdma`).
    #[serde(default)]
    pub dma: Option<String>,
    /// PCIe: the reference clock pair (GT reference pins: no I/O standard),
    /// ports `pcie_refclk_p_i` / `pcie_refclk_n_i`.
    #[serde(default)]
    pub refclk_p: Option<String>,
    #[serde(default)]
    pub refclk_n: Option<String>,
    #[serde(default)]
    pub refclk_mhz: Option<f64>,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// User LEDs: port `led_o[k]` on `pins[k]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leds {
    pub pins: Vec<String>,
    pub iostandard: String,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Direction of an auxiliary pin, seen from the FPGA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

/// A pin the shell must drive or watch besides the above (e.g. the U55C's
/// HBM over-temperature output): port `<name>_o` or `<name>_i`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuxPin {
    pub name: String,
    pub direction: Direction,
    pub pin: String,
    pub iostandard: String,
    /// The constant an output is held at (0 or 1).
    #[serde(default)]
    pub value: Option<u8>,
    pub purpose: String,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl AuxPin {
    /// The shell port.
    pub fn port(&self) -> String {
        match self.direction {
            Direction::In => format!("{}_i", self.name),
            Direction::Out => format!("{}_o", self.name),
        }
    }
}

/// How the fabric reaches an external memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryAccess {
    /// A memory controller in the fabric (MIG / DDR4 SDRAM IP) on fabric pins.
    PlMig,
    /// The HBM IP's hardened controllers (AXI ports into the fabric).
    PlHbm,
    /// Only through the processing system (its DDR controller; the fabric
    /// reaches it through the PS's AXI slave ports).
    Ps,
}

/// One external memory of a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memory {
    /// Short name, unique on the board (`ddr3`, `ps_ddr4`, `hbm`).
    pub name: String,
    /// `DDR3L`, `DDR4`, `HBM2`, ...
    pub kind: String,
    /// Independent channels (DDR channels, HBM pseudo-channels).
    pub channels: u32,
    /// MiB per channel.
    pub channel_mib: u64,
    /// Data bits per channel (without ECC bits).
    pub data_width_bits: u32,
    /// Peak bandwidth of all channels together, GB/s (10^9 bytes).
    pub bandwidth_gb_s: f64,
    pub access: MemoryAccess,
    /// The board clock the memory controller takes as reference (a clock's
    /// `name`), where the fabric runs the controller.
    #[serde(default)]
    pub ref_clock: Option<String>,
    pub source: Vec<String>,
    pub verified: bool,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Memory {
    /// Bytes in all channels.
    pub fn total_bytes(&self) -> u64 {
        self.channel_mib
            .saturating_mul(u64::from(self.channels))
            .saturating_mul(1 << 20)
    }

    /// Bytes per channel.
    pub fn channel_bytes(&self) -> u64 {
        self.channel_mib.saturating_mul(1 << 20)
    }
}

/// One board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// The file's stem; what the command line names the board by.
    pub name: String,
    /// The board in words (vendor and product).
    pub title: String,
    /// Short names accepted on the command line.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The Vivado version the board's constraints were written for.
    pub vivado: String,
    /// Source id -> document (number, title, where).
    pub sources: BTreeMap<String, String>,
    pub device: Device,
    pub clocks: Vec<Clock>,
    pub reset: Reset,
    pub host_link: HostLink,
    #[serde(default)]
    pub leds: Option<Leds>,
    #[serde(default)]
    pub aux: Vec<AuxPin>,
    #[serde(default)]
    pub memory: Vec<Memory>,
}

/// Direction of a shell port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortDir {
    Input,
    Output,
}

/// A top-level port of the board shell that sits on a pin: what the XDC must
/// place (`PACKAGE_PIN`) and, where the pin has one, its `IOSTANDARD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinFact {
    pub port: String,
    pub dir: PortDir,
    pub pin: String,
    /// `None` for GT reference clock pins (no I/O standard).
    pub iostandard: Option<String>,
    /// The board-file object the fact comes from, e.g. `clock clk_100mhz`.
    pub object: String,
    /// The field of that object holding the pin.
    pub field: String,
}

/// An input clock the XDC must declare with `create_clock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockFact {
    /// `create_clock -name`.
    pub name: String,
    /// The port it is declared on.
    pub port: String,
    pub period_ns: f64,
    /// The board-file object, e.g. `clock clk_300mhz_0` or `host_link`.
    pub object: String,
}

/// The name of the shell's reset synchronizer instance and the pattern of its
/// flip-flops (documented in docs/boards.md; the XDC's false path ends at the
/// first one, `sync_q_reg[0]`).
pub const RESET_SYNC_CELLS: &str = "u_rst_sync/sync_q_reg[*]";
/// The first flip-flop of the reset synchronizer.
pub const RESET_SYNC_FIRST: &str = "u_rst_sync/sync_q_reg[0]";

macro_rules! provenance {
    ($($t:ty),*) => {$(
        impl $t {
            /// Where the section's facts come from.
            pub fn provenance(&self) -> Provenance<'_> {
                Provenance {
                    source: &self.source,
                    verified: self.verified,
                    unverified: &self.unverified,
                    note: self.note.as_deref(),
                }
            }
        }
    )*};
}
provenance!(Device, Clock, Reset, HostLink, Leds, AuxPin, Memory);

impl fmt::Display for ClockKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClockKind::Single => "single-ended",
            ClockKind::Differential => "differential",
            ClockKind::Ps => "from the PS",
        })
    }
}

impl fmt::Display for HostLinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostLinkKind::Uart => "UART",
            HostLinkKind::Ps => "PS",
            HostLinkKind::Pcie => "PCIe",
        })
    }
}

impl fmt::Display for MemoryAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemoryAccess::PlMig => "fabric (memory controller IP)",
            MemoryAccess::PlHbm => "fabric (HBM IP)",
            MemoryAccess::Ps => "through the PS only",
        })
    }
}

/// Parses and validates a board file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Board, BoardError> {
    let board: Board = toml::from_str(text).map_err(|e| BoardError::Parse {
        file: file.to_string(),
        message: e.to_string().trim_end().replace('\n', "\n  "),
    })?;
    board.validate(file)?;
    Ok(board)
}

/// Reads, parses and validates a board file; its name must be the file's stem.
pub fn load_file(path: &Path) -> Result<Board, BoardError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BoardError::Read {
        file: file.clone(),
        source,
    })?;
    let board = parse(&file, &text)?;
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        if stem != board.name {
            return Err(invalid(
                &file,
                "board",
                "name",
                format!(
                    "'{}' differs from the file's name '{stem}' (a board is named by its file)",
                    board.name
                ),
            ));
        }
    }
    Ok(board)
}

/// The built-in boards, in the order of [`BUILTIN_FILES`].
pub fn builtin() -> Result<Vec<Board>, BoardError> {
    let mut out = Vec::with_capacity(BUILTIN_FILES.len());
    for (file, text) in BUILTIN_FILES {
        let shown = format!("boards/{file}");
        let b = parse(&shown, text)?;
        if Some(b.name.as_str()) != file.strip_suffix(".toml") {
            return Err(invalid(
                &shown,
                "board",
                "name",
                format!("'{}' differs from the file's name", b.name),
            ));
        }
        out.push(b);
    }
    check_names(&out)?;
    Ok(out)
}

/// The XDC text of a built-in board.
pub fn builtin_xdc(board: &str) -> Option<&'static str> {
    BUILTIN_XDC
        .iter()
        .find(|(n, _)| *n == board)
        .map(|(_, t)| *t)
}

/// Names compared on the command line: lower case, `-` as `_`.
fn normalize(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// A board's name or aliases must not be another board's name.
pub fn check_names(boards: &[Board]) -> Result<(), BoardError> {
    let mut names = BTreeSet::new();
    for b in boards {
        if !names.insert(b.name.as_str()) {
            return Err(invalid(
                &format!("boards/{}.toml", b.name),
                "board",
                "name",
                format!("'{}' is the name of two boards", b.name),
            ));
        }
    }
    for b in boards {
        for a in &b.aliases {
            if names.contains(normalize(a).as_str()) && normalize(a) != b.name {
                return Err(invalid(
                    &format!("boards/{}.toml", b.name),
                    "board",
                    "aliases",
                    format!("'{a}' is the name of another board"),
                ));
            }
        }
    }
    Ok(())
}

/// Finds a board among `boards` by name or alias (case-insensitive, `-` and
/// `_` alike). An unknown name lists the known ones; an alias shared by two
/// boards is an error naming both.
pub fn find<'a>(boards: &'a [Board], name: &str) -> Result<&'a Board, BoardError> {
    let key = normalize(name);
    if let Some(b) = boards.iter().find(|b| b.name == key) {
        return Ok(b);
    }
    let hits: Vec<&Board> = boards
        .iter()
        .filter(|b| b.aliases.iter().any(|a| normalize(a) == key))
        .collect();
    match hits.as_slice() {
        [b] => Ok(b),
        [] => Err(BoardError::Unknown {
            name: name.to_string(),
            known: known_boards(boards),
        }),
        many => Err(BoardError::Ambiguous {
            name: name.to_string(),
            boards: many.iter().map(|b| b.name.clone()).collect(),
        }),
    }
}

/// `name (alias, alias), ...`
pub fn known_boards(boards: &[Board]) -> String {
    boards
        .iter()
        .map(|b| {
            if b.aliases.is_empty() {
                b.name.clone()
            } else {
                format!("{} ({})", b.name, b.aliases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A board named on the command line: a path to a board file (a name ending
/// in `.toml` or containing a `/`), else a built-in board's name or alias.
pub fn lookup(name: &str) -> Result<Board, BoardError> {
    if name.ends_with(".toml") || name.contains('/') {
        return load_file(Path::new(name));
    }
    let all = builtin()?;
    find(&all, name).cloned()
}

fn invalid(file: &str, object: &str, field: &str, message: impl Into<String>) -> BoardError {
    BoardError::Invalid {
        file: file.to_string(),
        object: object.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A package pin name: one or two capital letters, then 1 to 2 digits
/// (E3, AH18, BK10).
pub fn is_pin(s: &str) -> bool {
    let letters = s.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = &s[letters..];
    (1..=2).contains(&letters)
        && (1..=2).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Checks of one section, collecting the file and object for the errors.
struct Ctx<'a> {
    file: &'a str,
    object: String,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> BoardError {
        invalid(self.file, &self.object, field, message)
    }

    fn require<'v, T>(
        &self,
        v: &'v Option<T>,
        field: &str,
        why: &str,
    ) -> Result<&'v T, BoardError> {
        v.as_ref()
            .ok_or_else(|| self.err(field, format!("missing ({why})")))
    }

    fn forbid<T>(&self, v: &Option<T>, field: &str, why: &str) -> Result<(), BoardError> {
        match v {
            Some(_) => Err(self.err(field, format!("not allowed ({why})"))),
            None => Ok(()),
        }
    }

    fn pin(&self, pin: &str, field: &str) -> Result<(), BoardError> {
        if is_pin(pin) {
            Ok(())
        } else {
            Err(self.err(
                field,
                format!("'{pin}' is not a package pin (letters then digits, e.g. E3, AH18)"),
            ))
        }
    }

    fn single_ended(&self, std: &str, field: &str) -> Result<(), BoardError> {
        if SINGLE_ENDED_STANDARDS.contains(&std) {
            Ok(())
        } else if DIFFERENTIAL_STANDARDS.contains(&std) {
            Err(self.err(
                field,
                format!("'{std}' is a differential standard on a single-ended pin"),
            ))
        } else {
            Err(self.err(
                field,
                format!(
                    "unknown I/O standard '{std}'; known single-ended standards: {}",
                    SINGLE_ENDED_STANDARDS.join(", ")
                ),
            ))
        }
    }

    fn differential(&self, std: &str, field: &str) -> Result<(), BoardError> {
        if DIFFERENTIAL_STANDARDS.contains(&std) {
            Ok(())
        } else if SINGLE_ENDED_STANDARDS.contains(&std) {
            Err(self.err(
                field,
                format!("'{std}' is a single-ended standard on a differential pair"),
            ))
        } else {
            Err(self.err(
                field,
                format!(
                    "unknown I/O standard '{std}'; known differential standards: {}",
                    DIFFERENTIAL_STANDARDS.join(", ")
                ),
            ))
        }
    }

    fn positive(&self, v: f64, field: &str) -> Result<(), BoardError> {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(self.err(field, format!("{v} is not a positive number")))
        }
    }

    fn provenance(
        &self,
        p: &Provenance<'_>,
        sources: &BTreeMap<String, String>,
        fields: &[&str],
        used: &mut BTreeSet<String>,
    ) -> Result<(), BoardError> {
        if p.source.is_empty() {
            return Err(self.err("source", "no source: every fact names where it comes from"));
        }
        for s in p.source {
            if !sources.contains_key(s) {
                return Err(self.err(
                    "source",
                    format!(
                        "'{s}' is not in [sources] (known: {})",
                        sources.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            used.insert(s.clone());
        }
        for u in p.unverified {
            if !fields.contains(&u.as_str()) {
                return Err(self.err(
                    "unverified",
                    format!("'{u}' is not a field here (fields: {})", fields.join(", ")),
                ));
            }
        }
        if (!p.verified || !p.unverified.is_empty()) && p.note.is_none_or(|n| n.trim().is_empty()) {
            return Err(self.err(
                "note",
                "missing: an unverified fact needs a note saying why it could not be verified",
            ));
        }
        Ok(())
    }
}

impl Board {
    /// The part's entry in the parts table of `spikefab-eda`.
    pub fn part(&self) -> Result<&'static Part, BoardError> {
        parts::PARTS
            .iter()
            .find(|p| p.part.eq_ignore_ascii_case(&self.device.part))
            .ok_or_else(|| {
                invalid(
                    &format!("boards/{}.toml", self.name),
                    "device",
                    "part",
                    format!(
                        "'{}' is not in the parts table; known parts: {}",
                        self.device.part,
                        parts::known_parts()
                    ),
                )
            })
    }

    /// The clock the accelerator runs from.
    pub fn main_clock(&self) -> Option<&Clock> {
        self.clocks.iter().find(|c| c.main)
    }

    /// Every shell port on a pin, with its pin and I/O standard, in the order
    /// clocks, reset, host link, LEDs, auxiliary pins.
    pub fn pin_facts(&self) -> Vec<PinFact> {
        let mut v = Vec::new();
        let mut push = |port: String,
                        dir: PortDir,
                        pin: &Option<String>,
                        std: Option<&String>,
                        object: String,
                        field: &str| {
            if let Some(pin) = pin {
                v.push(PinFact {
                    port,
                    dir,
                    pin: pin.clone(),
                    iostandard: std.cloned(),
                    object,
                    field: field.to_string(),
                });
            }
        };
        for c in &self.clocks {
            let object = format!("clock {}", c.name);
            match c.kind {
                ClockKind::Single => push(
                    format!("{}_i", c.name),
                    PortDir::Input,
                    &c.pin,
                    c.iostandard.as_ref(),
                    object,
                    "pin",
                ),
                ClockKind::Differential => {
                    push(
                        format!("{}_p_i", c.name),
                        PortDir::Input,
                        &c.pin_p,
                        c.iostandard.as_ref(),
                        object.clone(),
                        "pin_p",
                    );
                    push(
                        format!("{}_n_i", c.name),
                        PortDir::Input,
                        &c.pin_n,
                        c.iostandard.as_ref(),
                        object,
                        "pin_n",
                    );
                }
                ClockKind::Ps => {}
            }
        }
        if let Some(port) = self.reset.port() {
            push(
                port,
                PortDir::Input,
                &self.reset.pin,
                self.reset.iostandard.as_ref(),
                "reset".into(),
                "pin",
            );
        }
        let h = &self.host_link;
        match h.kind {
            HostLinkKind::Uart => {
                push(
                    "uart_tx_o".into(),
                    PortDir::Output,
                    &h.tx_pin,
                    h.iostandard.as_ref(),
                    "host_link".into(),
                    "tx_pin",
                );
                push(
                    "uart_rx_i".into(),
                    PortDir::Input,
                    &h.rx_pin,
                    h.iostandard.as_ref(),
                    "host_link".into(),
                    "rx_pin",
                );
            }
            HostLinkKind::Pcie => {
                push(
                    "pcie_refclk_p_i".into(),
                    PortDir::Input,
                    &h.refclk_p,
                    None,
                    "host_link".into(),
                    "refclk_p",
                );
                push(
                    "pcie_refclk_n_i".into(),
                    PortDir::Input,
                    &h.refclk_n,
                    None,
                    "host_link".into(),
                    "refclk_n",
                );
            }
            HostLinkKind::Ps => {}
        }
        if let Some(l) = &self.leds {
            for (k, pin) in l.pins.iter().enumerate() {
                push(
                    format!("led_o[{k}]"),
                    PortDir::Output,
                    &Some(pin.clone()),
                    Some(&l.iostandard),
                    "leds".into(),
                    &format!("pins[{k}]"),
                );
            }
        }
        for a in &self.aux {
            let dir = match a.direction {
                Direction::In => PortDir::Input,
                Direction::Out => PortDir::Output,
            };
            push(
                a.port(),
                dir,
                &Some(a.pin.clone()),
                Some(&a.iostandard),
                format!("aux {}", a.name),
                "pin",
            );
        }
        v
    }

    /// Every input clock the XDC declares (`create_clock`): the board's pin
    /// clocks and a PCIe reference clock. PS clocks are declared by the PS IP.
    pub fn clock_facts(&self) -> Vec<ClockFact> {
        let mut v: Vec<ClockFact> = self
            .clocks
            .iter()
            .filter_map(|c| {
                c.port().map(|port| ClockFact {
                    name: c.name.clone(),
                    port,
                    period_ns: c.period_ns(),
                    object: format!("clock {}", c.name),
                })
            })
            .collect();
        if let (HostLinkKind::Pcie, Some(mhz)) = (self.host_link.kind, self.host_link.refclk_mhz) {
            v.push(ClockFact {
                name: "pcie_refclk".into(),
                port: "pcie_refclk_p_i".into(),
                period_ns: 1000.0 / mhz,
                object: "host_link".into(),
            });
        }
        v
    }

    /// Checks everything a board file must satisfy; `file` names it in errors.
    pub fn validate(&self, file: &str) -> Result<(), BoardError> {
        let board = Ctx {
            file,
            object: "board".into(),
        };
        if !is_ident(&self.name) {
            return Err(board.err(
                "name",
                format!(
                    "'{}' must be lower case letters, digits and '_', starting with a letter",
                    self.name
                ),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(board.err("title", "empty"));
        }
        let mut seen_alias = BTreeSet::new();
        for a in &self.aliases {
            let n = normalize(a);
            if !is_ident(&n) {
                return Err(board.err(
                    "aliases",
                    format!("'{a}' must be letters, digits, '_' or '-', starting with a letter"),
                ));
            }
            if n == self.name || !seen_alias.insert(n) {
                return Err(board.err("aliases", format!("'{a}' is listed twice")));
            }
        }
        let v = self.vivado.split('.').collect::<Vec<_>>();
        let vivado_ok = v.len() == 2
            && v[0].len() == 4
            && v.iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !vivado_ok {
            return Err(board.err(
                "vivado",
                format!("'{}' is not a Vivado version (YYYY.N)", self.vivado),
            ));
        }
        if self.sources.is_empty() {
            return Err(board.err("sources", "empty: the board's facts need sources"));
        }
        for (id, doc) in &self.sources {
            if !is_ident(id) || doc.trim().is_empty() {
                return Err(board.err(
                    "sources",
                    format!("source '{id}' needs an identifier name and a document"),
                ));
            }
        }
        let mut used = BTreeSet::new();

        // Device.
        let dev = Ctx {
            file,
            object: "device".into(),
        };
        dev.provenance(
            &self.device.provenance(),
            &self.sources,
            &["part", "family"],
            &mut used,
        )?;
        let part = self.part().map_err(|e| match e {
            BoardError::Invalid { message, .. } => dev.err("part", message),
            e => e,
        })?;
        if !part.device_family.starts_with(self.device.family.as_str())
            || self.device.family.is_empty()
        {
            return Err(dev.err(
                "family",
                format!(
                    "'{}' disagrees with the parts table's '{}' for {}",
                    self.device.family, part.device_family, part.part
                ),
            ));
        }

        // Clocks.
        if self.clocks.is_empty() {
            return Err(board.err("clocks", "no clock"));
        }
        let mut clock_names = BTreeSet::new();
        for c in &self.clocks {
            let cx = Ctx {
                file,
                object: format!("clock {}", c.name),
            };
            if !is_ident(&c.name) {
                return Err(cx.err(
                    "name",
                    "must be lower case letters, digits and '_', starting with a letter",
                ));
            }
            if !clock_names.insert(c.name.as_str()) {
                return Err(cx.err("name", "two clocks have this name"));
            }
            cx.positive(c.frequency_mhz, "frequency_mhz")?;
            cx.provenance(
                &c.provenance(),
                &self.sources,
                &[
                    "frequency_mhz",
                    "purpose",
                    "pin",
                    "pin_p",
                    "pin_n",
                    "iostandard",
                    "ps_clock",
                ],
                &mut used,
            )?;
            match c.kind {
                ClockKind::Single => {
                    let pin = cx.require(&c.pin, "pin", "a single-ended clock has a pin")?;
                    cx.pin(pin, "pin")?;
                    let std =
                        cx.require(&c.iostandard, "iostandard", "a pin has an I/O standard")?;
                    cx.single_ended(std, "iostandard")?;
                    cx.forbid(&c.pin_p, "pin_p", "single-ended clock")?;
                    cx.forbid(&c.pin_n, "pin_n", "single-ended clock")?;
                    cx.forbid(&c.ps_clock, "ps_clock", "a pin clock")?;
                }
                ClockKind::Differential => {
                    let p = cx.require(&c.pin_p, "pin_p", "a differential pair needs both pins")?;
                    let n = cx.require(&c.pin_n, "pin_n", "a differential pair needs both pins")?;
                    cx.pin(p, "pin_p")?;
                    cx.pin(n, "pin_n")?;
                    let std =
                        cx.require(&c.iostandard, "iostandard", "a pair has an I/O standard")?;
                    cx.differential(std, "iostandard")?;
                    cx.forbid(&c.pin, "pin", "differential clock: use pin_p and pin_n")?;
                    cx.forbid(&c.ps_clock, "ps_clock", "a pin clock")?;
                }
                ClockKind::Ps => {
                    cx.require(&c.ps_clock, "ps_clock", "a PS clock is named, e.g. pl_clk0")?;
                    cx.forbid(&c.pin, "pin", "a PS clock has no pin")?;
                    cx.forbid(&c.pin_p, "pin_p", "a PS clock has no pin")?;
                    cx.forbid(&c.pin_n, "pin_n", "a PS clock has no pin")?;
                    cx.forbid(&c.iostandard, "iostandard", "a PS clock has no pin")?;
                }
            }
        }
        match self.clocks.iter().filter(|c| c.main).count() {
            1 => {}
            n => {
                return Err(board.err(
                    "clocks",
                    format!(
                        "{n} clocks have main = true; exactly one must (the accelerator's clock)"
                    ),
                ))
            }
        }

        // Reset.
        let r = &self.reset;
        let rx = Ctx {
            file,
            object: "reset".into(),
        };
        rx.provenance(
            &r.provenance(),
            &self.sources,
            &["pin", "iostandard", "active_low", "ps_reset", "purpose"],
            &mut used,
        )?;
        match r.kind {
            ResetKind::Pin => {
                let name = rx.require(&r.name, "name", "the stem of the reset port")?;
                if !is_ident(name) {
                    return Err(rx.err("name", format!("'{name}' is not a port stem")));
                }
                let pin = rx.require(&r.pin, "pin", "a pin reset has a pin")?;
                rx.pin(pin, "pin")?;
                let std = rx.require(&r.iostandard, "iostandard", "a pin has an I/O standard")?;
                rx.single_ended(std, "iostandard")?;
                rx.forbid(&r.ps_reset, "ps_reset", "a pin reset")?;
            }
            ResetKind::Ps => {
                rx.require(
                    &r.ps_reset,
                    "ps_reset",
                    "a PS reset is named, e.g. pl_resetn0",
                )?;
                rx.forbid(&r.pin, "pin", "a PS reset has no pin")?;
                rx.forbid(&r.iostandard, "iostandard", "a PS reset has no pin")?;
                rx.forbid(&r.name, "name", "a PS reset has no port")?;
            }
        }

        // Host link.
        let h = &self.host_link;
        let hx = Ctx {
            file,
            object: "host_link".into(),
        };
        hx.provenance(
            &h.provenance(),
            &self.sources,
            &[
                "description",
                "tx_pin",
                "rx_pin",
                "iostandard",
                "lanes",
                "generation",
                "dma",
                "refclk_p",
                "refclk_n",
                "refclk_mhz",
            ],
            &mut used,
        )?;
        let uart_fields = [
            (h.tx_pin.is_some(), "tx_pin"),
            (h.rx_pin.is_some(), "rx_pin"),
            (h.iostandard.is_some(), "iostandard"),
        ];
        let pcie_fields = [
            (h.lanes.is_some(), "lanes"),
            (h.generation.is_some(), "generation"),
            (h.dma.is_some(), "dma"),
            (h.refclk_p.is_some(), "refclk_p"),
            (h.refclk_n.is_some(), "refclk_n"),
            (h.refclk_mhz.is_some(), "refclk_mhz"),
        ];
        let forbid_all = |fields: &[(bool, &str)], why: &str| -> Result<(), BoardError> {
            match fields.iter().find(|(set, _)| *set) {
                Some((_, f)) => Err(hx.err(f, format!("not allowed ({why})"))),
                None => Ok(()),
            }
        };
        match h.kind {
            HostLinkKind::Uart => {
                let tx = hx.require(&h.tx_pin, "tx_pin", "the FPGA's UART output")?;
                let rxp = hx.require(&h.rx_pin, "rx_pin", "the FPGA's UART input")?;
                hx.pin(tx, "tx_pin")?;
                hx.pin(rxp, "rx_pin")?;
                let std = hx.require(
                    &h.iostandard,
                    "iostandard",
                    "UART pins have an I/O standard",
                )?;
                hx.single_ended(std, "iostandard")?;
                forbid_all(&pcie_fields, "a UART link")?;
            }
            HostLinkKind::Ps => {
                forbid_all(&uart_fields, "the PS link has no fabric pins")?;
                forbid_all(&pcie_fields, "the PS link has no fabric pins")?;
            }
            HostLinkKind::Pcie => {
                forbid_all(&uart_fields, "a PCIe link")?;
                let lanes = *hx.require(&h.lanes, "lanes", "PCIe lanes")?;
                if ![1, 2, 4, 8, 16].contains(&lanes) {
                    return Err(hx.err("lanes", format!("{lanes} is not 1, 2, 4, 8 or 16")));
                }
                let g = *hx.require(&h.generation, "generation", "PCIe generation")?;
                if !(1..=5).contains(&g) {
                    return Err(hx.err("generation", format!("{g} is not a PCIe generation 1..=5")));
                }
                hx.require(&h.dma, "dma", "the DMA engine, e.g. xdma")?;
                let p = hx.require(
                    &h.refclk_p,
                    "refclk_p",
                    "a differential pair needs both pins",
                )?;
                let n = hx.require(
                    &h.refclk_n,
                    "refclk_n",
                    "a differential pair needs both pins",
                )?;
                hx.pin(p, "refclk_p")?;
                hx.pin(n, "refclk_n")?;
                let mhz = *hx.require(&h.refclk_mhz, "refclk_mhz", "the reference clock")?;
                hx.positive(mhz, "refclk_mhz")?;
            }
        }

        // LEDs.
        if let Some(l) = &self.leds {
            let lx = Ctx {
                file,
                object: "leds".into(),
            };
            lx.provenance(
                &l.provenance(),
                &self.sources,
                &["pins", "iostandard"],
                &mut used,
            )?;
            if l.pins.is_empty() {
                return Err(lx.err("pins", "empty (leave [leds] out instead)"));
            }
            for (k, p) in l.pins.iter().enumerate() {
                lx.pin(p, &format!("pins[{k}]"))?;
            }
            lx.single_ended(&l.iostandard, "iostandard")?;
        }

        // Auxiliary pins.
        let mut aux_names = BTreeSet::new();
        for a in &self.aux {
            let ax = Ctx {
                file,
                object: format!("aux {}", a.name),
            };
            if !is_ident(&a.name) || !aux_names.insert(a.name.as_str()) {
                return Err(ax.err("name", "must be a unique lower-case port stem"));
            }
            ax.provenance(
                &a.provenance(),
                &self.sources,
                &["pin", "iostandard", "value", "purpose"],
                &mut used,
            )?;
            ax.pin(&a.pin, "pin")?;
            ax.single_ended(&a.iostandard, "iostandard")?;
            match (a.direction, a.value) {
                (Direction::Out, Some(0 | 1)) | (Direction::In, None) => {}
                (Direction::Out, Some(v)) => {
                    return Err(ax.err("value", format!("{v} is not 0 or 1")))
                }
                (Direction::Out, None) => {
                    return Err(ax.err("value", "missing: the level the shell holds the output at"))
                }
                (Direction::In, Some(_)) => return Err(ax.err("value", "not allowed on an input")),
            }
        }

        // Memory.
        let mut mem_names = BTreeSet::new();
        for m in &self.memory {
            let mx = Ctx {
                file,
                object: format!("memory {}", m.name),
            };
            if !is_ident(&m.name) || !mem_names.insert(m.name.as_str()) {
                return Err(mx.err("name", "must be a unique lower-case name"));
            }
            mx.provenance(
                &m.provenance(),
                &self.sources,
                &[
                    "kind",
                    "ref_clock",
                    "channels",
                    "channel_mib",
                    "data_width_bits",
                    "bandwidth_gb_s",
                    "access",
                ],
                &mut used,
            )?;
            if m.kind.trim().is_empty() {
                return Err(mx.err("kind", "empty"));
            }
            if m.channels == 0 {
                return Err(mx.err("channels", "0"));
            }
            if m.channel_mib == 0 {
                return Err(mx.err("channel_mib", "0"));
            }
            if m.data_width_bits == 0 {
                return Err(mx.err("data_width_bits", "0"));
            }
            mx.positive(m.bandwidth_gb_s, "bandwidth_gb_s")?;
            match (&m.ref_clock, m.access) {
                (Some(c), MemoryAccess::PlMig | MemoryAccess::PlHbm) => {
                    if !clock_names.contains(c.as_str()) {
                        return Err(mx.err(
                            "ref_clock",
                            format!("'{c}' is not one of the board's clocks"),
                        ));
                    }
                }
                (Some(_), MemoryAccess::Ps) => {
                    return Err(mx.err(
                        "ref_clock",
                        "not allowed: the PS's memory controller has its own clock",
                    ))
                }
                (None, _) => {}
            }
        }

        // Pins unique within the board.
        let mut pins: BTreeMap<&str, String> = BTreeMap::new();
        let facts = self.pin_facts();
        for f in &facts {
            let here = format!("{} ({})", f.object, f.field);
            if let Some(first) = pins.insert(f.pin.as_str(), here) {
                return Err(invalid(
                    file,
                    &f.object,
                    &f.field,
                    format!("pin {} is also used by {first}", f.pin),
                ));
            }
        }

        // Every source is cited.
        if let Some(unused) = self.sources.keys().find(|k| !used.contains(*k)) {
            return Err(board.err("sources", format!("'{unused}' is cited by no section")));
        }
        Ok(())
    }
}
