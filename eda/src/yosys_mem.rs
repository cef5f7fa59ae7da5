//! Memories in synthesis estimates: which `snn_mem` instances Yosys
//! synthesizes with their contents, which blank and which as black boxes.
//!
//! Yosys 0.23 elaborates the zero-initialisation loop of a memory without an
//! image in time quadratic in its depth (8,000 words: 30 s; the 80,000-word
//! accumulator memory of the `balanced` core did not finish), and a large
//! `$readmemh` image costs another minute in the later passes. Neither
//! changes the logic or the block RAM that is inferred: the host configures
//! the network through the load port, and block RAM without an `INIT` is
//! zeros. So [`synthesize`](crate::yosys::synthesize) by default
//! synthesizes every memory of more than [`DEFAULT_BLANK_ABOVE`] bits
//! **blank** (no initial block at all) and keeps the images and zeros of
//! the smaller ones (Poisson tables, parameters).
//!
//! The mechanism is in `hdl/snn_mem.v` behind macros that only this flow
//! defines ([`MemoryOptions::defines`]): `SNN_MEM_PROBE` puts a
//! `spikefab_mem_probe` black box into every instance whose constant inputs
//! are its width, depth, image flag and treatment; the script lists them
//! after flattening (`dump`, into [`PROBE_FILE`]) and deletes them before
//! `synth_xilinx`, so they cost nothing. `SNN_MEM_BLANK_ABOVE=BITS` blanks
//! the memories above the limit; with `SNN_MEM_BLACKBOX` they become
//! `spikefab_mem_blackbox` instances instead, whose block RAM is then
//! counted from their shape (by the caller: `spikefab synth` uses the
//! placement rules of `spikefab_gen::capacity`, see [`add_counted`]) and
//! reported apart from what Yosys synthesized. [`MemoryMode::Keep`] is the
//! flow without any of this (every image and zero loop elaborated; no
//! memory list).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::parts::Part;
use crate::yosys::{utilisation, SynthError, SynthReport, Utilisation, REPORT_FILE};

/// Memories of more bits than this are blank by default (64 Kibit: under
/// two 36 Kb block RAMs; keeps the Poisson tables and parameter memories).
pub const DEFAULT_BLANK_ABOVE: u64 = 65_536;
/// The largest `--blank-above` (a Verilog `integer`).
pub const MAX_BLANK_ABOVE: u64 = i32::MAX as u64;
/// The probe listing written by the Yosys run.
pub const PROBE_FILE: &str = "memories.txt";
/// The black-box modules of the probe and the black-box memory.
pub const STUB_FILE: &str = "spikefab_mem_cells.v";
/// The macro whose presence in a source defining `snn_mem` shows that it
/// has the hook.
pub const HOOK_MACRO: &str = "SNN_MEM_PROBE";
/// The module of the hook.
pub const MEM_MODULE: &str = "snn_mem";

/// The two black boxes the hook instantiates (written as [`STUB_FILE`]).
pub const STUBS: &str = r#"// Written by spikefab synth: the black boxes of hdl/snn_mem.v's synthesis
// hook (eda/src/yosys_mem.rs). Not hardware.
`default_nettype none
// One per snn_mem instance: its shape and treatment (0 kept, 1 blank,
// 2 black box) as constant inputs; listed and deleted before synthesis.
(* blackbox *)
module spikefab_mem_probe (
  input wire [31:0] width_i,
  input wire [31:0] depth_i,
  input wire        image_i,
  input wire [1:0]  treat_i
);
endmodule

// A memory left out of synthesis; its block RAM is counted from its shape.
(* blackbox *)
module spikefab_mem_blackbox #(
  parameter integer WIDTH = 1,
  parameter integer DEPTH = 1,
  parameter integer LANES = 1,
  parameter integer RD_PORTS = 1
) (
  input  wire                                                  clk_i,
  input  wire                                                  we_i,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0]          waddr_i,
  input  wire [WIDTH-1:0]                                      wdata_i,
  input  wire [LANES-1:0]                                      wlane_i,
  input  wire [RD_PORTS-1:0]                                   re_i,
  input  wire [RD_PORTS*((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] raddr_i,
  output wire [RD_PORTS*WIDTH-1:0]                             rdata_o
);
endmodule
`default_nettype wire
"#;

/// How the large memories are synthesized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryMode {
    /// Every memory with its image or zeros (the flow before the hook).
    Keep,
    /// Memories above the limit without contents.
    Blank,
    /// Memories above the limit as black boxes, their block RAM counted.
    Blackbox,
}

impl fmt::Display for MemoryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemoryMode::Keep => "keep",
            MemoryMode::Blank => "blank",
            MemoryMode::Blackbox => "blackbox",
        })
    }
}

/// A memory option that is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryOptionError {
    #[error("--memories '{0}': expected keep, blank or blackbox")]
    UnknownMode(String),
    #[error(
        "--blank-above {0} with --memories keep: the limit applies to blank and blackbox only"
    )]
    LimitWithKeep(u64),
    #[error("--blank-above {0}: at most {MAX_BLANK_ABOVE} bits (a Verilog integer)")]
    LimitTooLarge(u64),
}

impl FromStr for MemoryMode {
    type Err = MemoryOptionError;
    fn from_str(s: &str) -> Result<MemoryMode, MemoryOptionError> {
        match s.trim() {
            "keep" => Ok(MemoryMode::Keep),
            "blank" => Ok(MemoryMode::Blank),
            "blackbox" | "black-box" => Ok(MemoryMode::Blackbox),
            _ => Err(MemoryOptionError::UnknownMode(s.to_string())),
        }
    }
}

/// The memory treatment of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryOptions {
    pub mode: MemoryMode,
    /// Memories of more bits than this are blank or black boxes (not used
    /// by [`MemoryMode::Keep`]).
    pub blank_above: u64,
}

impl Default for MemoryOptions {
    /// Blank above [`DEFAULT_BLANK_ABOVE`] bits.
    fn default() -> MemoryOptions {
        MemoryOptions {
            mode: MemoryMode::Blank,
            blank_above: DEFAULT_BLANK_ABOVE,
        }
    }
}

impl MemoryOptions {
    /// Every memory as written (no hook).
    pub fn keep() -> MemoryOptions {
        MemoryOptions {
            mode: MemoryMode::Keep,
            blank_above: DEFAULT_BLANK_ABOVE,
        }
    }

    /// `mode` with the limit `blank_above` (default [`DEFAULT_BLANK_ABOVE`];
    /// 0: every memory); a limit with `keep` or above [`MAX_BLANK_ABOVE`]
    /// is an error.
    pub fn new(
        mode: MemoryMode,
        blank_above: Option<u64>,
    ) -> Result<MemoryOptions, MemoryOptionError> {
        match (mode, blank_above) {
            (MemoryMode::Keep, Some(b)) => Err(MemoryOptionError::LimitWithKeep(b)),
            (_, Some(b)) if b > MAX_BLANK_ABOVE => Err(MemoryOptionError::LimitTooLarge(b)),
            (mode, b) => Ok(MemoryOptions {
                mode,
                blank_above: b.unwrap_or(DEFAULT_BLANK_ABOVE),
            }),
        }
    }

    /// The `read_verilog -D` macros of the hook (none for keep).
    pub fn defines(&self) -> Vec<String> {
        match self.mode {
            MemoryMode::Keep => Vec::new(),
            MemoryMode::Blank => vec![
                HOOK_MACRO.to_string(),
                format!("SNN_MEM_BLANK_ABOVE={}", self.blank_above),
            ],
            MemoryMode::Blackbox => vec![
                HOOK_MACRO.to_string(),
                format!("SNN_MEM_BLANK_ABOVE={}", self.blank_above),
                "SNN_MEM_BLACKBOX".to_string(),
            ],
        }
    }

    /// Script lines between `hierarchy` and `synth_xilinx`: list the
    /// probes, then delete them (none for keep).
    pub fn probe_commands(&self) -> String {
        if self.mode == MemoryMode::Keep {
            return String::new();
        }
        format!(
            "proc\nflatten\ntee -q -o {PROBE_FILE} dump t:spikefab_mem_probe\ndelete t:spikefab_mem_probe\n"
        )
    }
}

/// What the run did with one memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    /// Synthesized with its image or zeros.
    Kept,
    /// Synthesized without contents.
    Blank,
    /// Left out of synthesis; its cost counted.
    Blackbox,
}

/// Block RAM of a black-boxed memory by the placement rules (counted, not synthesized).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Blocks {
    /// Distributed RAM (LUTs; not counted).
    pub lutram: bool,
    pub bram36: u64,
    pub uram: u64,
}

/// One `snn_mem` instance of the design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryInstance {
    /// Hierarchical instance name (`u_top.u_core.u_syn.g_onchip.u_syn_mem`).
    pub path: String,
    pub width: u64,
    pub depth: u64,
    pub bits: u64,
    /// It has a `$readmemh` image (else its contents are zeros).
    pub image: bool,
    pub treatment: Treatment,
    /// Why (`5,156,250 bits > 65,536: image dropped`).
    pub reason: String,
    /// A black box's counted cost ([`add_counted`]).
    pub counted: Option<Blocks>,
}

/// The memories of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryReport {
    pub mode: MemoryMode,
    /// The limit in bits (`None` for keep).
    pub blank_above: Option<u64>,
    /// Every `snn_mem` instance, by path (empty for keep, or without snn_mem).
    pub instances: Vec<MemoryInstance>,
    /// Block RAM of the black boxes, counted from their shapes, not
    /// synthesized (`None` where there are none).
    pub counted: Option<Blocks>,
}

impl MemoryReport {
    /// The report of a run with `opts` whose probes are `instances`.
    pub fn new(opts: &MemoryOptions, instances: Vec<MemoryInstance>) -> MemoryReport {
        MemoryReport {
            mode: opts.mode,
            blank_above: (opts.mode != MemoryMode::Keep).then_some(opts.blank_above),
            instances,
            counted: None,
        }
    }

    /// The instances with treatment `t`.
    pub fn with(&self, t: Treatment) -> impl Iterator<Item = &MemoryInstance> {
        self.instances.iter().filter(move |m| m.treatment == t)
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An RTLIL constant of `dump`: decimal (`80000`) or sized binary (`2'10`).
fn rtlil_const(s: &str) -> Option<u64> {
    match s.split_once('\'') {
        Some((_, bits)) => u64::from_str_radix(bits, 2).ok(),
        None => s.parse().ok(),
    }
}

/// The probes in the `dump` text of [`PROBE_FILE`], sorted by path, with
/// the treatment the hook chose and why (`blank_above`: the limit of the run).
pub fn parse_probes(text: &str, blank_above: u64) -> Result<Vec<MemoryInstance>, SynthError> {
    let perr = |m: String| SynthError::Parse {
        what: "memory probe listing",
        message: m,
    };
    let mut out = Vec::new();
    let mut cur: Option<(String, [Option<u64>; 4])> = None;
    for (n, line) in text.lines().enumerate() {
        let mut it = line.split_whitespace();
        match (it.next(), it.next(), it.next()) {
            (Some("cell"), Some(ty), Some(name)) if ty.ends_with("spikefab_mem_probe") => {
                let name = name.trim_start_matches('\\');
                let path = name.strip_suffix(".u_probe").unwrap_or(name);
                cur = Some((path.to_string(), [None; 4]));
            }
            (Some("connect"), Some(port), Some(value)) => {
                let Some((_, vals)) = cur.as_mut() else {
                    continue;
                };
                let k = match port {
                    "\\width_i" => 0,
                    "\\depth_i" => 1,
                    "\\image_i" => 2,
                    "\\treat_i" => 3,
                    _ => continue,
                };
                vals[k] = Some(rtlil_const(value).ok_or_else(|| {
                    perr(format!(
                        "line {}: {port} is not a constant: '{value}'",
                        n + 1
                    ))
                })?);
            }
            (Some("end"), None, None) => {
                let Some((path, vals)) = cur.take() else {
                    continue;
                };
                let [Some(width), Some(depth), Some(image), Some(treat)] = vals else {
                    return Err(perr(format!(
                        "line {}: probe of {path} lacks width, depth, image or treatment",
                        n + 1
                    )));
                };
                let bits = width * depth;
                let image = image == 1;
                let (treatment, reason) = match treat {
                    0 => (
                        Treatment::Kept,
                        format!(
                            "{} bits <= {}: {} kept",
                            group(bits),
                            group(blank_above),
                            if image { "image" } else { "zeros" }
                        ),
                    ),
                    1 | 2 => (
                        if treat == 1 {
                            Treatment::Blank
                        } else {
                            Treatment::Blackbox
                        },
                        format!(
                            "{} bits > {}: {}{}",
                            group(bits),
                            group(blank_above),
                            if image {
                                "image dropped (the host loads it)"
                            } else {
                                "zero initialisation dropped (block RAM is zeros without it)"
                            },
                            if treat == 2 {
                                "; block RAM counted from its shape"
                            } else {
                                ""
                            }
                        ),
                    ),
                    t => {
                        return Err(perr(format!(
                            "line {}: probe of {path} has treatment {t} (expected 0, 1 or 2)",
                            n + 1
                        )))
                    }
                };
                out.push(MemoryInstance {
                    path,
                    width,
                    depth,
                    bits,
                    image,
                    treatment,
                    reason,
                    counted: None,
                });
            }
            _ => {}
        }
    }
    if let Some((path, _)) = cur {
        return Err(perr(format!("probe of {path} has no `end`")));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The sources that define `snn_mem` without the hook (generated before
/// it): with them, blank and blackbox would silently keep every memory.
pub fn sources_without_hook(sources: &[PathBuf]) -> Result<Vec<PathBuf>, SynthError> {
    let mut out = Vec::new();
    for p in sources {
        let text = fs::read_to_string(p).map_err(|e| SynthError::Io {
            what: "cannot read",
            path: p.clone(),
            source: e,
        })?;
        let defines = text.match_indices("module").any(|(i, _)| {
            let rest = text[i + "module".len()..].trim_start();
            rest.strip_prefix(MEM_MODULE).is_some_and(|r| {
                !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$')
            })
        });
        if defines && !text.contains(HOOK_MACRO) {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Adds the counted cost of the black boxes (`blocks`, one per
/// [`Treatment::Blackbox`] instance in order) to `report`: each instance's
/// `counted`, the total in `memories.counted`, and the utilisation and
/// `fits` as synthesized plus counted. Rewrites `report.json`.
pub fn add_counted(
    report: &mut SynthReport,
    blocks: &[Blocks],
    part: &Part,
) -> Result<(), SynthError> {
    let boxes: Vec<&mut MemoryInstance> = report
        .memories
        .instances
        .iter_mut()
        .filter(|m| m.treatment == Treatment::Blackbox)
        .collect();
    if boxes.len() != blocks.len() {
        return Err(SynthError::Parse {
            what: "counted memories",
            message: format!(
                "{} black-box memories, {} counts",
                boxes.len(),
                blocks.len()
            ),
        });
    }
    let mut total = Blocks::default();
    for (m, b) in boxes.into_iter().zip(blocks) {
        m.counted = Some(*b);
        total.bram36 += b.bram36;
        total.uram += b.uram;
    }
    report.memories.counted = Some(total);
    report.utilisation = utilisation_with_counted(&report.resources, total, part);
    report.fits = fits(&report.utilisation);
    write_report(report)
}

/// [`utilisation`] with `counted` block RAM and UltraRAM added.
pub fn utilisation_with_counted(
    r: &crate::yosys::Resources,
    counted: Blocks,
    part: &Part,
) -> Vec<Utilisation> {
    let mut sum = r.clone();
    sum.bram36 += counted.bram36 as f64;
    sum.uram += counted.uram;
    utilisation(&sum, part)
}

/// No resource above 100 % (and none used that the part lacks).
pub fn fits(util: &[Utilisation]) -> bool {
    util.iter().all(|u| match u.percent {
        Some(p) => p <= 100.0,
        None => u.used == 0.0,
    })
}

/// Writes `report.json` into the report's output directory.
pub fn write_report(report: &SynthReport) -> Result<(), SynthError> {
    let json = serde_json::to_string_pretty(report).map_err(|e| SynthError::Parse {
        what: "report",
        message: e.to_string(),
    })?;
    let path: &Path = &report.out_dir.join(REPORT_FILE);
    fs::write(path, json + "\n").map_err(|e| SynthError::Io {
        what: "cannot write",
        path: path.to_path_buf(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_unknown_mode_names_the_choices() {
        assert_eq!("keep".parse(), Ok(MemoryMode::Keep));
        assert_eq!("blank".parse(), Ok(MemoryMode::Blank));
        assert_eq!("blackbox".parse(), Ok(MemoryMode::Blackbox));
        let e = "blanks".parse::<MemoryMode>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "--memories 'blanks': expected keep, blank or blackbox"
        );
    }

    #[test]
    fn limit_defaults_rejects_keep_and_overflow_and_zero_means_every_memory() {
        let d = MemoryOptions::new(MemoryMode::Blank, None).unwrap();
        assert_eq!(d, MemoryOptions::default());
        assert_eq!(d.blank_above, DEFAULT_BLANK_ABOVE);
        let zero = MemoryOptions::new(MemoryMode::Blackbox, Some(0)).unwrap();
        assert_eq!(
            zero.defines(),
            ["SNN_MEM_PROBE", "SNN_MEM_BLANK_ABOVE=0", "SNN_MEM_BLACKBOX"]
        );
        assert_eq!(
            MemoryOptions::new(MemoryMode::Keep, Some(15)),
            Err(MemoryOptionError::LimitWithKeep(15))
        );
        assert!(MemoryOptions::new(MemoryMode::Blank, Some(MAX_BLANK_ABOVE)).is_ok());
        let e = MemoryOptions::new(MemoryMode::Blank, Some(MAX_BLANK_ABOVE + 1)).unwrap_err();
        assert!(e.to_string().contains("at most 2147483647"), "{e}");
        assert!(MemoryOptions::keep().defines().is_empty());
        assert!(MemoryOptions::keep().probe_commands().is_empty());
    }

    const DUMP: &str = r#"
  attribute \keep 1
  cell \spikefab_mem_probe \u_top.u_core.u_syn.u_acc.u_probe
    connect \treat_i 2'10
    connect \image_i 1'0
    connect \depth_i 4097
    connect \width_i 7
  end

  cell \spikefab_mem_probe \u_top.u_core.u_cdf_mem.u_probe
    connect \treat_i 2'00
    connect \image_i 1'1
    connect \depth_i 15
    connect \width_i 33
  end
"#;

    #[test]
    fn probes_give_paths_shapes_and_reasons_sorted_by_path() {
        let m = parse_probes(DUMP, 65_536).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].path, "u_top.u_core.u_cdf_mem");
        assert_eq!((m[0].width, m[0].depth, m[0].bits), (33, 15, 495));
        assert_eq!(m[0].treatment, Treatment::Kept);
        assert_eq!(m[0].reason, "495 bits <= 65,536: image kept");
        assert_eq!(m[1].path, "u_top.u_core.u_syn.u_acc");
        assert_eq!((m[1].width, m[1].depth, m[1].bits), (7, 4097, 28_679));
        assert_eq!(m[1].treatment, Treatment::Blackbox);
        assert!(!m[1].image);
        assert!(
            m[1].reason
                .starts_with("28,679 bits > 65,536: zero initialisation dropped"),
            "{}",
            m[1].reason
        );
    }

    #[test]
    fn a_probe_without_its_shape_or_with_a_bad_treatment_is_an_error() {
        let e = parse_probes(&DUMP.replace("    connect \\depth_i 4097\n", ""), 1).unwrap_err();
        assert!(
            e.to_string()
                .contains("probe of u_top.u_core.u_syn.u_acc lacks width, depth"),
            "{e}"
        );
        let e = parse_probes(&DUMP.replace("2'10", "2'11"), 1).unwrap_err();
        assert!(e.to_string().contains("treatment 3"), "{e}");
    }

    #[test]
    fn sources_defining_snn_mem_without_the_hook_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("snn_mem.v");
        fs::write(&old, "module snn_mem #(parameter W = 1) ();\nendmodule\n").unwrap();
        let other = dir.path().join("snn_mem_wrap.v");
        fs::write(
            &other,
            "module snn_mem_wrap ();\n  snn_mem u ();\nendmodule\n",
        )
        .unwrap();
        let hooked = dir.path().join("hooked.v");
        fs::write(
            &hooked,
            "module snn_mem ();\n`ifdef SNN_MEM_PROBE\n`endif\nendmodule\n",
        )
        .unwrap();
        assert_eq!(
            sources_without_hook(&[old.clone(), other, hooked]).unwrap(),
            vec![old]
        );
    }
}
