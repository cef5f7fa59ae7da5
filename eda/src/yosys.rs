//! Out-of-context synthesis with Yosys `synth_xilinx` and the resource report
//! it yields against a [`Part`].
//!
//! The flow: collect the Verilog sources (all `*.v` of a directory, or
//! explicit files), pick the top module, write `synth.ys` into the output
//! directory and run
//!
//! ```text
//! read_verilog -defer [-DSNN_MEM_...]... <sources> [spikefab_mem_cells.v]
//! hierarchy -check -top <top> [-chparam NAME VALUE]...
//! [proc; flatten; tee -q -o memories.txt dump t:spikefab_mem_probe; delete t:spikefab_mem_probe]
//! synth_xilinx -family <xc7|xcup> -top <top> -flatten -noiopad -noclkbuf
//! tee -o stat.txt stat
//! write_json netlist.json
//! ```
//!
//! with a timeout, the full Yosys log kept as `yosys.log`. I/O and clock
//! buffers are not inserted (`-noiopad -noclkbuf`): the report is of the core
//! logic, as a module inside a larger design. The bracketed parts are the
//! memory treatment of [`crate::yosys_mem`] (by default memories above
//! 64 Kibit are synthesized blank); `--memories keep` leaves them out.
//!
//! Resources come from the `stat` cell counts ([`parse_stat`],
//! [`Resources::from_cells`]). The logic depth ([`logic_depth`]) is computed
//! here from the mapped netlist, not with Yosys `ltp`: after `synth_xilinx`
//! the flip-flops are Xilinx primitives (`FDRE`, ...), which `ltp -noff` does
//! not recognise as flip-flops, so `ltp` runs through registers (it reports
//! loops and a path length that is neither combinational nor in LUTs). The
//! depth reported is the largest number of LUTs on any combinational path
//! between sequential elements, hard blocks (DSP, block RAM, UltraRAM) and
//! module ports; `logic_levels` also counts carry, wide-mux and inverter
//! cells on the path (one level each, like Vivado's "logic levels"). Neither
//! includes routing or the delay inside a DSP or block RAM.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::parts::{Family, Part};
use crate::yosys_mem::{self, MemoryOptions, MemoryReport};

/// Default limit on one Yosys run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Names of the files written into the output directory.
pub const SCRIPT_FILE: &str = "synth.ys";
/// The full Yosys log.
pub const LOG_FILE: &str = "yosys.log";
/// Output of `stat` on the mapped design.
pub const STAT_FILE: &str = "stat.txt";
/// The mapped netlist (Yosys JSON).
pub const NETLIST_FILE: &str = "netlist.json";
/// The report written by [`synthesize`] (same object as `--json`).
pub const REPORT_FILE: &str = "report.json";

/// Errors of the synthesis flow.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Yosys is not installed.
    #[error(
        "yosys not found on PATH; install it (Debian/Ubuntu: `apt-get install yosys`, or run scripts/setup.sh)"
    )]
    YosysMissing,
    /// A file or directory operation failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// No Verilog sources were given or found.
    #[error("no Verilog sources: {0}")]
    NoSources(String),
    /// The top module could not be determined or does not exist.
    #[error("{0}")]
    Top(String),
    /// A source whose module header could not be parsed.
    #[error("{}:{line}: {message}", path.display())]
    ModuleHeader {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A `--param` is malformed.
    #[error("invalid parameter '{0}': {1}")]
    Param(String, String),
    /// A path cannot be written into a Yosys script.
    #[error("unsupported path {}: {reason}", path.display())]
    Path { path: PathBuf, reason: &'static str },
    /// A memory option is invalid (`--memories`, `--blank-above`).
    #[error(transparent)]
    MemoryOption(#[from] yosys_mem::MemoryOptionError),
    /// Sources define `snn_mem` without the synthesis hook that blank and
    /// blackbox need.
    #[error(
        "{} define snn_mem without its synthesis hook (`{}`; generated before it): regenerate the \
         directory with spikefab gen, or synthesize every memory as written with --memories keep",
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        yosys_mem::HOOK_MACRO
    )]
    MemoryHook { paths: Vec<PathBuf> },
    /// Yosys failed; `excerpt` quotes the relevant log lines.
    #[error("yosys failed ({status}); see {}:\n{excerpt}", log.display())]
    Yosys {
        status: String,
        log: PathBuf,
        excerpt: String,
    },
    /// Yosys ran past the time limit and was killed.
    #[error("yosys did not finish within {seconds} s and was stopped; partial log: {}", log.display())]
    Timeout { seconds: u64, log: PathBuf },
    /// A Yosys output could not be understood.
    #[error("cannot parse {what}: {message}")]
    Parse { what: &'static str, message: String },
}

impl SynthError {
    fn io(what: &'static str, path: &Path, source: io::Error) -> SynthError {
        SynthError::Io {
            what,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What to synthesize and where to put the results.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// One directory (all its `*.v` files) or Verilog files (directories among
    /// them contribute their `*.v` files).
    pub inputs: Vec<PathBuf>,
    /// Top module; `None`: the only module that no other module instantiates.
    pub top: Option<String>,
    /// Parameter overrides of the top module, `(NAME, VALUE)`.
    pub params: Vec<(String, String)>,
    /// Output directory (created): script, log, stat, netlist, report.
    pub out_dir: PathBuf,
    /// Limit on the Yosys run.
    pub timeout: Duration,
    /// Which memories are synthesized blank or as black boxes ([`yosys_mem`]).
    pub memories: MemoryOptions,
}

impl SynthOptions {
    /// Options with the default top selection, no parameters and the default timeout.
    pub fn new(inputs: Vec<PathBuf>, out_dir: PathBuf) -> SynthOptions {
        SynthOptions {
            inputs,
            top: None,
            params: Vec::new(),
            out_dir,
            timeout: DEFAULT_TIMEOUT,
            memories: MemoryOptions::default(),
        }
    }
}

/// Resources of the mapped design.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resources {
    /// LUT sites used: `lut_logic + lut_memory` (what is compared with the part).
    pub luts: u64,
    /// LUT1..LUT6 (and LUT6_2) cells.
    pub lut_logic: u64,
    /// LUTs used as shift registers or distributed RAM (SRL16E/SRLC32E: 1 each,
    /// RAMxxXnx/RAM32M/RAM64M by their LUT count).
    pub lut_memory: u64,
    /// Flip-flops (FD* cells).
    pub ffs: u64,
    /// Latches (LD* cells).
    pub latches: u64,
    /// 36 Kb block RAMs: RAMB36/FIFO36 count 1, RAMB18/FIFO18 count 0.5.
    pub bram36: f64,
    /// DSP48E1 / DSP48E2 cells.
    pub dsp: u64,
    /// URAM288 cells.
    pub uram: u64,
    /// CARRY4 / CARRY8 cells.
    pub carry: u64,
    /// MUXF7 / MUXF8 / MUXF9 cells.
    pub muxf: u64,
    /// INV cells (absorbed into neighbouring LUTs or primitives by Vivado).
    pub inv: u64,
    /// Cells of any other type (buffers, unmapped internal cells, ...).
    pub other: u64,
}

/// LUT sites used by a LUT-based memory primitive, `None` for other cells.
fn lut_memory_sites(cell: &str) -> Option<u64> {
    let n = match cell {
        "SRL16" | "SRL16E" | "SRLC16" | "SRLC16E" | "SRLC32E" | "CFGLUT5" => 1,
        "RAM16X1S" | "RAM16X1S_1" | "RAM32X1S" | "RAM32X1S_1" | "RAM64X1S" | "RAM64X1S_1" => 1,
        "RAM16X1D" | "RAM16X1D_1" | "RAM32X1D" | "RAM32X1D_1" | "RAM64X1D" | "RAM64X1D_1" => 2,
        "RAM128X1S" | "RAM128X1S_1" => 2,
        "RAM128X1D" | "RAM256X1S" | "RAM32M" | "RAM64M" => 4,
        "RAM256X1D" | "RAM512X1S" | "RAM32M16" | "RAM64M8" | "RAM32X16DR8" => 8,
        _ => return None,
    };
    Some(n)
}

impl Resources {
    /// Classifies the cell counts of `stat` (cell type -> count).
    pub fn from_cells(cells: &BTreeMap<String, u64>) -> Resources {
        let mut r = Resources::default();
        let mut half_brams = 0u64;
        for (cell, &n) in cells {
            let c = cell.as_str();
            if matches!(
                c,
                "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" | "LUT6_2"
            ) {
                r.lut_logic += n;
            } else if let Some(sites) = lut_memory_sites(c) {
                r.lut_memory += n * sites;
            } else if c.starts_with("FD") {
                r.ffs += n;
            } else if matches!(c, "LDCE" | "LDPE" | "LDCPE") {
                r.latches += n;
            } else if c.starts_with("RAMB36") || c.starts_with("FIFO36") {
                half_brams += 2 * n;
            } else if c.starts_with("RAMB18") || c.starts_with("FIFO18") {
                half_brams += n;
            } else if matches!(c, "DSP48E1" | "DSP48E2") {
                r.dsp += n;
            } else if c.starts_with("URAM288") {
                r.uram += n;
            } else if matches!(c, "CARRY4" | "CARRY8") {
                r.carry += n;
            } else if matches!(c, "MUXF7" | "MUXF8" | "MUXF9") {
                r.muxf += n;
            } else if c == "INV" {
                r.inv += n;
            } else {
                r.other += n;
            }
        }
        r.luts = r.lut_logic + r.lut_memory;
        r.bram36 = half_brams as f64 / 2.0;
        r
    }
}

/// Logic depth of the mapped netlist (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Most LUTs on one combinational path (the Fmax proxy).
    pub lut_levels: u32,
    /// Most combinational cells (LUT, CARRY, MUXF, INV) on one path.
    pub logic_levels: u32,
    /// Combinational loops found (their back edges were ignored); 0 normally.
    pub loops: u32,
}

/// One line of the utilisation table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Utilisation {
    /// `LUT`, `FF`, `BRAM36`, `DSP`, `URAM`.
    pub resource: &'static str,
    pub used: f64,
    pub available: u64,
    /// `used / available` in percent; `None` where the part has none of it.
    pub percent: Option<f64>,
}

/// Utilisation of `r` on `part` (URAM only where the part has some or the design uses some).
pub fn utilisation(r: &Resources, part: &Part) -> Vec<Utilisation> {
    let mut rows = vec![
        ("LUT", r.luts as f64, part.luts),
        ("FF", r.ffs as f64, part.ffs),
        ("BRAM36", r.bram36, part.bram36),
        ("DSP", r.dsp as f64, part.dsp),
    ];
    if part.uram > 0 || r.uram > 0 {
        rows.push(("URAM", r.uram as f64, part.uram));
    }
    rows.into_iter()
        .map(|(resource, used, available)| Utilisation {
            resource,
            used,
            available,
            percent: (available > 0).then(|| 100.0 * used / available as f64),
        })
        .collect()
}

/// The part in the report.
#[derive(Debug, Clone, Serialize)]
pub struct PartInfo {
    pub name: &'static str,
    pub part: &'static str,
    pub device_family: &'static str,
    pub family: Family,
}

/// Everything one synthesis run found.
#[derive(Debug, Clone, Serialize)]
pub struct SynthReport {
    pub top: String,
    pub part: PartInfo,
    /// Parameter overrides, as given.
    pub params: BTreeMap<String, String>,
    pub sources: Vec<PathBuf>,
    pub resources: Resources,
    pub utilisation: Vec<Utilisation>,
    /// `true` when no resource exceeds 100 % of the part.
    pub fits: bool,
    pub depth: Depth,
    /// Cell counts of `stat` after `synth_xilinx`.
    pub cells: BTreeMap<String, u64>,
    /// The `snn_mem` instances and what the run did with each.
    pub memories: MemoryReport,
    pub yosys_version: String,
    /// Wall-clock time of the Yosys run.
    pub yosys_seconds: f64,
    pub out_dir: PathBuf,
    pub log: PathBuf,
}

// ------------------------------------------------------------------ sources

/// The Verilog files of `inputs`: directories contribute their `*.v` files
/// (not recursively, sorted), files are taken as given. Paths are made absolute.
pub fn collect_sources(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, SynthError> {
    if inputs.is_empty() {
        return Err(SynthError::NoSources(
            "give a directory or Verilog files".into(),
        ));
    }
    let mut out = Vec::new();
    for input in inputs {
        let meta = fs::metadata(input).map_err(|e| SynthError::io("cannot read", input, e))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            let rd = fs::read_dir(input).map_err(|e| SynthError::io("cannot list", input, e))?;
            for entry in rd {
                let entry = entry.map_err(|e| SynthError::io("cannot list", input, e))?;
                let p = entry.path();
                if p.extension().is_some_and(|x| x == "v") && p.is_file() {
                    files.push(p);
                }
            }
            if files.is_empty() {
                return Err(SynthError::NoSources(format!(
                    "no *.v files in {}",
                    input.display()
                )));
            }
            files.sort();
            out.extend(files);
        } else {
            out.push(input.clone());
        }
    }
    let mut abs = Vec::with_capacity(out.len());
    for p in out {
        let a = fs::canonicalize(&p).map_err(|e| SynthError::io("cannot resolve", &p, e))?;
        if !abs.contains(&a) {
            abs.push(a);
        }
    }
    Ok(abs)
}

/// Verilog text without comments and string literals (replaced by spaces).
fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'/' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'*' {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && i + 1 < b.len() && b[i + 1] == b'/') {
                if b[i] == b'\n' {
                    out.push(b'\n');
                }
                i += 1;
            }
            i += 2;
            out.push(b' ');
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(b' ');
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Identifier tokens of Verilog text (comments and strings removed).
fn identifiers(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(&src[start..i]);
        } else if c.is_ascii_digit() || c == b'\'' || c == b'$' {
            // numbers (8'hff), system tasks ($display): skip the whole token
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The modules defined in `sources`, each with the identifiers used in its body.
///
/// A `module` keyword not followed by a name, or a file whose `endmodule`
/// has no `module NAME` header before it and that defines no module, is an
/// error naming the file and line ([`SynthError::ModuleHeader`]).
pub fn scan_modules(sources: &[PathBuf]) -> Result<BTreeMap<String, BTreeSet<String>>, SynthError> {
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources {
        let text = fs::read_to_string(path).map_err(|e| SynthError::io("cannot read", path, e))?;
        let stripped = strip_comments(&text);
        let toks = identifiers(&stripped);
        // strip_comments keeps every newline, so lines count as in `text`
        let offset = |t: &str| t.as_ptr() as usize - stripped.as_ptr() as usize;
        let line_of = |t: &str| stripped[..offset(t)].matches('\n').count() + 1;
        let header_err = |t: &str, message: String| SynthError::ModuleHeader {
            path: path.clone(),
            line: line_of(t),
            message,
        };
        let mut current: Option<(String, BTreeSet<String>)> = None;
        let mut defined = 0usize;
        let mut orphan_end: Option<&str> = None;
        let mut k = 0;
        while k < toks.len() {
            let t = toks[k];
            if (t == "module" || t == "macromodule") && current.is_none() {
                // the name follows the keyword (and SystemVerilog's lifetime)
                let mut n = k + 1;
                if toks
                    .get(n)
                    .is_some_and(|x| *x == "automatic" || *x == "static")
                {
                    n += 1;
                }
                let prev_end = offset(toks[n - 1]) + toks[n - 1].len();
                let named = toks.get(n).is_some_and(|name| {
                    stripped[prev_end..offset(name)]
                        .chars()
                        .all(char::is_whitespace)
                });
                if !named {
                    return Err(header_err(
                        t,
                        format!(
                            "`{t}` is not followed by a module name, so no `module NAME` header \
                             was parsed here"
                        ),
                    ));
                }
                current = Some((toks[n].to_string(), BTreeSet::new()));
                defined += 1;
                k = n + 1;
                continue;
            }
            if t == "endmodule" {
                match current.take() {
                    Some((name, body)) => modules.entry(name).or_default().extend(body),
                    None => {
                        orphan_end.get_or_insert(t);
                    }
                }
            } else if let Some((_, body)) = current.as_mut() {
                body.insert(t.to_string());
            }
            k += 1;
        }
        if let (0, Some(t)) = (defined, orphan_end) {
            return Err(header_err(
                t,
                "`endmodule` without a `module NAME` header before it: no module header was \
                 parsed in this file (is `module` misspelt?)"
                    .into(),
            ));
        }
    }
    Ok(modules)
}

/// The top module: `requested` if it is defined, else the only module that
/// no other module instantiates (mentions).
pub fn choose_top(
    modules: &BTreeMap<String, BTreeSet<String>>,
    requested: Option<&str>,
) -> Result<String, SynthError> {
    let names: Vec<&str> = modules.keys().map(String::as_str).collect();
    if let Some(top) = requested {
        if modules.contains_key(top) {
            return Ok(top.to_string());
        }
        return Err(SynthError::Top(format!(
            "top module '{top}' is not defined in the sources; modules: {}",
            names.join(", ")
        )));
    }
    if modules.is_empty() {
        return Err(SynthError::NoSources(
            "no `module NAME` header was parsed in any of them".into(),
        ));
    }
    let roots: Vec<&str> = modules
        .keys()
        .filter(|m| {
            !modules
                .iter()
                .any(|(other, body)| other != *m && body.contains(*m))
        })
        .map(String::as_str)
        .collect();
    match roots.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(SynthError::Top(format!(
            "every module is instantiated by another one; choose the top with --top (modules: {})",
            names.join(", ")
        ))),
        many => Err(SynthError::Top(format!(
            "{} modules are not instantiated by any other ({}); choose one with --top",
            many.len(),
            many.join(", ")
        ))),
    }
}

// ------------------------------------------------------------------ parameters

/// Splits `NAME=VALUE` and checks both (see [`check_param`]).
pub fn parse_param(s: &str) -> Result<(String, String), SynthError> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| SynthError::Param(s.into(), "expected NAME=VALUE".into()))?;
    let (name, value) = (name.trim().to_string(), value.trim().to_string());
    check_param(&name, &value)?;
    Ok((name, value))
}

/// A parameter name must be a Verilog identifier; a value a non-negative
/// decimal integer (`16`) or a sized literal (`8'hff`, `4'b1010`), the forms
/// `hierarchy -chparam` accepts.
pub fn check_param(name: &str, value: &str) -> Result<(), SynthError> {
    let bad = |why: &str| SynthError::Param(format!("{name}={value}"), why.to_string());
    let mut nc = name.chars();
    let ident_ok = nc
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && nc.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if !ident_ok {
        return Err(bad("the name is not a Verilog identifier"));
    }
    let decimal = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let value_ok = if let Some((size, rest)) = value.split_once('\'') {
        let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
        let mut rc = rest.chars();
        let base = rc.next();
        let digits: String = rc.collect();
        decimal(size)
            && matches!(base, Some('b' | 'B' | 'o' | 'O' | 'd' | 'D' | 'h' | 'H'))
            && !digits.is_empty()
            && digits
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, '_' | 'x' | 'X' | 'z' | 'Z'))
    } else {
        value.starts_with(|c: char| c.is_ascii_digit()) && decimal(value)
    };
    if !value_ok {
        return Err(bad(
            "the value must be a non-negative integer (16) or a sized Verilog literal (8'hff)",
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------ yosys

/// Finds `yosys` on `PATH`.
pub fn find_yosys() -> Result<PathBuf, SynthError> {
    let path = std::env::var_os("PATH").ok_or(SynthError::YosysMissing)?;
    for dir in std::env::split_paths(&path) {
        let cand = dir.join("yosys");
        if is_executable(&cand) {
            return Ok(cand);
        }
    }
    Err(SynthError::YosysMissing)
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// The first line of `yosys -V`.
pub fn yosys_version(yosys: &Path) -> Result<String, SynthError> {
    let out = Command::new(yosys)
        .arg("-V")
        .output()
        .map_err(|e| SynthError::io("cannot run", yosys, e))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string())
}

/// A path as a double-quoted Yosys script argument.
fn script_path(p: &Path) -> Result<String, SynthError> {
    let s = p.to_str().ok_or(SynthError::Path {
        path: p.to_path_buf(),
        reason: "not valid UTF-8",
    })?;
    if s.contains(['"', '\n', '\r', ';']) {
        return Err(SynthError::Path {
            path: p.to_path_buf(),
            reason: "contains a quote, semicolon or line break",
        });
    }
    Ok(format!("\"{s}\""))
}

/// The Yosys script of one run (see the module documentation), every
/// memory as written.
pub fn yosys_script(
    sources: &[PathBuf],
    top: &str,
    params: &[(String, String)],
    family: Family,
    out_dir: &Path,
) -> Result<String, SynthError> {
    yosys_script_mem(
        sources,
        top,
        params,
        family,
        out_dir,
        &MemoryOptions::keep(),
    )
}

/// [`yosys_script`] with the memory treatment `mem`: its macros on
/// `read_verilog`, the black boxes of [`yosys_mem::STUB_FILE`] (in
/// `out_dir`) among the sources, and the probe listing before `synth_xilinx`.
pub fn yosys_script_mem(
    sources: &[PathBuf],
    top: &str,
    params: &[(String, String)],
    family: Family,
    out_dir: &Path,
    mem: &MemoryOptions,
) -> Result<String, SynthError> {
    let mut s = String::from("# written by spikefab synth\n");
    s.push_str("read_verilog -defer");
    for d in mem.defines() {
        s.push_str(&format!(" -D{d}"));
    }
    let stub =
        (mem.mode != yosys_mem::MemoryMode::Keep).then(|| out_dir.join(yosys_mem::STUB_FILE));
    for src in sources.iter().chain(stub.as_ref()) {
        s.push(' ');
        s.push_str(&script_path(src)?);
    }
    s.push('\n');
    s.push_str(&format!("hierarchy -check -top {top}"));
    for (name, value) in params {
        check_param(name, value)?;
        s.push_str(&format!(" -chparam {name} {value}"));
    }
    s.push('\n');
    s.push_str(&mem.probe_commands());
    s.push_str(&format!(
        "synth_xilinx -family {} -top {top} -flatten -noiopad -noclkbuf\n",
        family.yosys_name()
    ));
    // Relative names: Yosys runs in the output directory (`tee -o` does not
    // take a quoted file name).
    s.push_str(&format!("tee -o {STAT_FILE} stat\n"));
    s.push_str(&format!("write_json {NETLIST_FILE}\n"));
    Ok(s)
}

/// The log lines that explain a failure: every `ERROR` line (with the line
/// before it), else the last lines of the log.
pub fn error_excerpt(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let mut picked: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.contains("ERROR") {
            if i > 0 && !lines[i - 1].trim().is_empty() && !picked.contains(&(i - 1)) {
                picked.push(i - 1);
            }
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
    }
    if picked.is_empty() {
        let start = lines.len().saturating_sub(12);
        picked = (start..lines.len()).collect();
    }
    let mut seen = BTreeSet::new();
    picked
        .into_iter()
        .filter(|&i| seen.insert(lines[i]))
        .take(16)
        .map(|i| format!("  | {}", lines[i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `yosys -q -l LOG -s SCRIPT` with a time limit.
fn run_yosys(
    yosys: &Path,
    script: &Path,
    out_dir: &Path,
    timeout: Duration,
) -> Result<(), SynthError> {
    let log = out_dir.join(LOG_FILE);
    let console = out_dir.join("yosys.console");
    let out_file =
        fs::File::create(&console).map_err(|e| SynthError::io("cannot create", &console, e))?;
    let err_file = out_file
        .try_clone()
        .map_err(|e| SynthError::io("cannot create", &console, e))?;
    let mut child = Command::new(yosys)
        .arg("-q")
        .arg("-l")
        .arg(&log)
        .arg("-s")
        .arg(script)
        .current_dir(out_dir)
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| SynthError::io("cannot run", yosys, e))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {}
            Err(e) => return Err(SynthError::io("cannot wait for", yosys, e)),
        }
        if start.elapsed() >= timeout {
            // Only the child we started; ignore a race with its own exit.
            let _ = child.kill();
            let _ = child.wait();
            return Err(SynthError::Timeout {
                seconds: timeout.as_secs(),
                log,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() {
        let mut text = fs::read_to_string(&log).unwrap_or_default();
        if let Ok(c) = fs::read_to_string(&console) {
            text.push('\n');
            text.push_str(&c);
        }
        return Err(SynthError::Yosys {
            status: status.to_string(),
            log,
            excerpt: error_excerpt(&text),
        });
    }
    Ok(())
}

// ------------------------------------------------------------------ parsing

/// Cell counts (type -> count) of module `top` in the text of Yosys `stat`
/// (Yosys 0.23 format: a `=== name ===` section with `Number of cells:`
/// followed by indented `TYPE COUNT` lines). If there is no section named
/// `top` but exactly one section, that one is used.
pub fn parse_stat(text: &str, top: &str) -> Result<BTreeMap<String, u64>, SynthError> {
    let mut sections: Vec<(String, BTreeMap<String, u64>)> = Vec::new();
    let mut in_cells = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t
            .strip_prefix("===")
            .and_then(|r| r.strip_suffix("==="))
            .map(str::trim)
        {
            sections.push((name.to_string(), BTreeMap::new()));
            in_cells = false;
            continue;
        }
        let Some((_, cells)) = sections.last_mut() else {
            continue;
        };
        if t.starts_with("Number of cells:") {
            in_cells = true;
            continue;
        }
        if in_cells {
            let mut it = t.split_whitespace();
            match (it.next(), it.next(), it.next()) {
                (Some(cell), Some(n), None) if n.parse::<u64>().is_ok() => {
                    *cells.entry(cell.to_string()).or_default() += n.parse::<u64>().unwrap_or(0);
                }
                _ => in_cells = false,
            }
        }
    }
    let sections: Vec<_> = sections
        .into_iter()
        .filter(|(n, _)| n != "design hierarchy")
        .collect();
    if let Some((_, cells)) = sections.iter().find(|(n, _)| n == top) {
        return Ok(cells.clone());
    }
    match sections.as_slice() {
        [(_, cells)] => Ok(cells.clone()),
        [] => Err(SynthError::Parse {
            what: "stat output",
            message: "no '=== module ===' section".into(),
        }),
        _ => Err(SynthError::Parse {
            what: "stat output",
            message: format!("no section for module '{top}'"),
        }),
    }
}

/// Combinational cell classes for the depth: `Some(true)` LUT, `Some(false)`
/// other combinational cell, `None` a path boundary (register, hard block, I/O).
fn comb_class(cell: &str) -> Option<bool> {
    match cell {
        "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" | "LUT6_2" => Some(true),
        "CARRY4" | "CARRY8" | "MUXF7" | "MUXF8" | "MUXF9" | "MUXCY" | "XORCY" | "INV" => {
            Some(false)
        }
        _ => None,
    }
}

/// Logic depth of module `top` (or of the module marked `top`) of a Yosys JSON
/// netlist: the longest combinational path counted in LUTs and in all
/// combinational cells, between registers, hard blocks and ports.
pub fn logic_depth(json: &str, top: &str) -> Result<Depth, SynthError> {
    let perr = |m: String| SynthError::Parse {
        what: "netlist JSON",
        message: m,
    };
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| perr(e.to_string()))?;
    let modules = v
        .get("modules")
        .and_then(|m| m.as_object())
        .ok_or_else(|| perr("no 'modules' object".into()))?;
    let is_top = |m: &serde_json::Value| {
        m.get("attributes")
            .and_then(|a| a.get("top"))
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.trim_start_matches('0') == "1")
    };
    let module = modules
        .get(top)
        .or_else(|| modules.values().find(|m| is_top(m)))
        .ok_or_else(|| perr(format!("no module '{top}'")))?;
    let empty = serde_json::Map::new();
    let cells = module
        .get("cells")
        .and_then(|c| c.as_object())
        .unwrap_or(&empty);

    // Combinational nodes: (is_lut, input bits); drivers: bit -> node.
    let mut nodes: Vec<(bool, Vec<u64>)> = Vec::new();
    let mut driver: HashMap<u64, usize> = HashMap::new();
    for cell in cells.values() {
        let Some(ty) = cell.get("type").and_then(|t| t.as_str()) else {
            continue;
        };
        let Some(is_lut) = comb_class(ty) else {
            continue;
        };
        let (Some(dirs), Some(conns)) = (
            cell.get("port_directions").and_then(|d| d.as_object()),
            cell.get("connections").and_then(|c| c.as_object()),
        ) else {
            continue;
        };
        let idx = nodes.len();
        let mut inputs = Vec::new();
        for (port, dir) in dirs {
            let bits = conns
                .get(port)
                .and_then(|b| b.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_u64()).collect::<Vec<_>>())
                .unwrap_or_default();
            match dir.as_str() {
                Some("output") => {
                    for b in bits {
                        driver.insert(b, idx);
                    }
                }
                Some("input") => inputs.extend(bits),
                _ => {}
            }
        }
        nodes.push((is_lut, inputs));
    }
    let preds: Vec<Vec<usize>> = nodes
        .iter()
        .map(|(_, inputs)| {
            let mut p: Vec<usize> = inputs
                .iter()
                .filter_map(|b| driver.get(b).copied())
                .collect();
            p.sort_unstable();
            p.dedup();
            p
        })
        .collect();

    // Longest path by iterative depth-first search (carry chains are long).
    let n = nodes.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut lut = vec![0u32; n];
    let mut lvl = vec![0u32; n];
    let mut loops = 0u32;
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        stack.push((start, 0));
        while let Some(top_entry) = stack.last_mut() {
            let (node, next) = *top_entry;
            if next < preds[node].len() {
                top_entry.1 += 1;
                let p = preds[node][next];
                match state[p] {
                    0 => {
                        state[p] = 1;
                        stack.push((p, 0));
                    }
                    1 => loops += 1,
                    _ => {}
                }
            } else {
                let (mut l, mut d) = (0, 0);
                for &p in &preds[node] {
                    if state[p] == 2 {
                        l = l.max(lut[p]);
                        d = d.max(lvl[p]);
                    }
                }
                lut[node] = l + u32::from(nodes[node].0);
                lvl[node] = d + 1;
                state[node] = 2;
                stack.pop();
            }
        }
    }
    Ok(Depth {
        lut_levels: lut.iter().copied().max().unwrap_or(0),
        logic_levels: lvl.iter().copied().max().unwrap_or(0),
        loops,
    })
}

// ------------------------------------------------------------------ flow

/// Synthesizes `opts.inputs` for `part` and reports resources and depth.
/// Writes `synth.ys`, `yosys.log`, `stat.txt`, `netlist.json` and
/// `report.json` into `opts.out_dir`.
pub fn synthesize(opts: &SynthOptions, part: &Part) -> Result<SynthReport, SynthError> {
    let yosys = find_yosys()?;
    let sources = collect_sources(&opts.inputs)?;
    let modules = scan_modules(&sources)?;
    if modules.is_empty() {
        let files: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
        return Err(SynthError::NoSources(format!(
            "no `module NAME` header was parsed in {}",
            files.join(", ")
        )));
    }
    let top = choose_top(&modules, opts.top.as_deref())?;
    for (name, value) in &opts.params {
        check_param(name, value)?;
    }
    fs::create_dir_all(&opts.out_dir)
        .map_err(|e| SynthError::io("cannot create", &opts.out_dir, e))?;
    let out_dir = fs::canonicalize(&opts.out_dir)
        .map_err(|e| SynthError::io("cannot resolve", &opts.out_dir, e))?;
    let mem = &opts.memories;
    if mem.mode != yosys_mem::MemoryMode::Keep {
        let paths = yosys_mem::sources_without_hook(&sources)?;
        if !paths.is_empty() {
            return Err(SynthError::MemoryHook { paths });
        }
        let stub = out_dir.join(yosys_mem::STUB_FILE);
        fs::write(&stub, yosys_mem::STUBS).map_err(|e| SynthError::io("cannot write", &stub, e))?;
    }
    let script = yosys_script_mem(&sources, &top, &opts.params, part.family, &out_dir, mem)?;
    let script_path = out_dir.join(SCRIPT_FILE);
    fs::write(&script_path, &script)
        .map_err(|e| SynthError::io("cannot write", &script_path, e))?;
    for stale in [STAT_FILE, NETLIST_FILE, REPORT_FILE, yosys_mem::PROBE_FILE] {
        let p = out_dir.join(stale);
        if p.exists() {
            fs::remove_file(&p).map_err(|e| SynthError::io("cannot remove", &p, e))?;
        }
    }

    let version = yosys_version(&yosys)?;
    let t0 = Instant::now();
    run_yosys(&yosys, &script_path, &out_dir, opts.timeout)?;
    let yosys_seconds = t0.elapsed().as_secs_f64();

    let stat_path = out_dir.join(STAT_FILE);
    let stat =
        fs::read_to_string(&stat_path).map_err(|e| SynthError::io("cannot read", &stat_path, e))?;
    let cells = parse_stat(&stat, &top)?;
    let net_path = out_dir.join(NETLIST_FILE);
    let net =
        fs::read_to_string(&net_path).map_err(|e| SynthError::io("cannot read", &net_path, e))?;
    let depth = logic_depth(&net, &top)?;
    let instances = if mem.mode == yosys_mem::MemoryMode::Keep {
        Vec::new()
    } else {
        let p = out_dir.join(yosys_mem::PROBE_FILE);
        let text = fs::read_to_string(&p).map_err(|e| SynthError::io("cannot read", &p, e))?;
        yosys_mem::parse_probes(&text, mem.blank_above)?
    };

    let resources = Resources::from_cells(&cells);
    let util = utilisation(&resources, part);
    let fits = util.iter().all(|u| match u.percent {
        Some(p) => p <= 100.0,
        None => u.used == 0.0,
    });
    let report = SynthReport {
        top,
        part: PartInfo {
            name: part.name,
            part: part.part,
            device_family: part.device_family,
            family: part.family,
        },
        params: opts.params.iter().cloned().collect(),
        sources,
        resources,
        utilisation: util,
        fits,
        depth,
        cells,
        memories: MemoryReport::new(mem, instances),
        yosys_version: version,
        yosys_seconds,
        log: out_dir.join(LOG_FILE),
        out_dir: out_dir.clone(),
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| SynthError::Parse {
        what: "report",
        message: e.to_string(),
    })?;
    let report_path = out_dir.join(REPORT_FILE);
    fs::write(&report_path, json + "\n")
        .map_err(|e| SynthError::io("cannot write", &report_path, e))?;
    Ok(report)
}
