//! The Xilinx parts spikefab can target, with the resources a synthesis report
//! is measured against.
//!
//! Every figure is the device total from the vendor's product table named in
//! the entry's `source` (no resources reserved for shells or processors are
//! subtracted). LUT and flip-flop counts are CLB resources; `bram36` counts
//! 36 Kb block RAMs (each can be used as two 18 Kb halves); `uram` counts
//! 288 Kb UltraRAM blocks. `ext_memory` is the external memory of the part's
//! reference card (an Alveo card's DDR4 or HBM2; none for the other parts),
//! what a core's synapse region in external memory is measured against.

use std::fmt;

use serde::Serialize;

/// The Yosys `synth_xilinx -family` a part is synthesized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// 7-series (Artix-7, Kintex-7, Virtex-7, Zynq-7000): LUT6, CARRY4, DSP48E1, RAMB36E1.
    Xc7,
    /// UltraScale+ (Zynq UltraScale+, Virtex UltraScale+, Alveo): DSP48E2, RAMB36E2, URAM288.
    Xcup,
}

impl Family {
    /// The argument of `synth_xilinx -family`.
    pub fn yosys_name(self) -> &'static str {
        match self {
            Family::Xc7 => "xc7",
            Family::Xcup => "xcup",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.yosys_name())
    }
}

/// One external memory of a part's reference card (e.g. the HBM2 of an
/// Alveo U55C): its kind, size, channels and peak bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtMemory {
    /// `DDR4`, `HBM2`.
    pub kind: &'static str,
    /// Bytes in all.
    pub bytes: u64,
    /// Independent channels (AXI ports of the memory controllers: DDR4
    /// channels, HBM2 pseudo-channels).
    pub channels: u32,
    /// Peak bandwidth of all channels together, GB/s (10^9 bytes).
    pub gb_per_s: u32,
}

impl ExtMemory {
    /// Bytes per channel.
    pub fn channel_bytes(&self) -> u64 {
        self.bytes / u64::from(self.channels.max(1))
    }
}

const GIB: u64 = 1 << 30;

/// One FPGA part and its programmable-logic resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Short device name, e.g. `xc7a100t`.
    pub name: &'static str,
    /// Full part string (device, package, speed grade) of the reference board.
    pub part: &'static str,
    /// Device family in words.
    pub device_family: &'static str,
    /// Boards built around this part (accepted as names by [`lookup`]).
    pub boards: &'static [&'static str],
    /// Yosys synthesis family.
    pub family: Family,
    /// CLB look-up tables (6-input).
    pub luts: u64,
    /// CLB flip-flops.
    pub ffs: u64,
    /// 36 Kb block RAMs.
    pub bram36: u64,
    /// DSP slices (DSP48E1 on 7-series, DSP48E2 on UltraScale+).
    pub dsp: u64,
    /// 288 Kb UltraRAM blocks (0 where the part has none).
    pub uram: u64,
    /// The external memory of the part's reference card (empty: none).
    pub ext_memory: &'static [ExtMemory],
    /// Where the figures come from: data sheet, table and how a figure is derived.
    pub source: &'static str,
}

/// The known parts.
pub static PARTS: &[Part] = &[
    Part {
        name: "xc7a35t",
        part: "xc7a35ticsg324-1L",
        device_family: "Artix-7",
        boards: &["arty-a7-35t", "arty-a7-35"],
        family: Family::Xc7,
        luts: 20_800,
        ffs: 41_600,
        bram36: 50,
        dsp: 90,
        uram: 0,
        ext_memory: &[],
        source: "AMD/Xilinx DS180 (7 Series FPGAs Data Sheet: Overview), table \
                 'Artix-7 FPGA Feature Summary by Device', XC7A35T row: 5,200 slices, \
                 90 DSP48E1 slices, 50 36 Kb block RAMs; LUTs = 4 x slices and \
                 flip-flops = 8 x slices (DS180: each 7-series slice has four LUTs \
                 and eight flip-flops)",
    },
    Part {
        name: "xc7a100t",
        part: "xc7a100tcsg324-1",
        device_family: "Artix-7",
        boards: &["arty-a7-100t", "arty-a7-100", "nexys-a7-100t"],
        family: Family::Xc7,
        luts: 63_400,
        ffs: 126_800,
        bram36: 135,
        dsp: 240,
        uram: 0,
        ext_memory: &[],
        source: "AMD/Xilinx DS180 (7 Series FPGAs Data Sheet: Overview), table \
                 'Artix-7 FPGA Feature Summary by Device', XC7A100T row: 15,850 slices, \
                 240 DSP48E1 slices, 135 36 Kb block RAMs (4,860 Kb); LUTs = 4 x slices \
                 and flip-flops = 8 x slices (DS180: each 7-series slice has four LUTs \
                 and eight flip-flops)",
    },
    Part {
        name: "xc7z020",
        part: "xc7z020clg400-1",
        device_family: "Zynq-7000",
        boards: &["pynq-z2", "pynq-z1"],
        family: Family::Xc7,
        luts: 53_200,
        ffs: 106_400,
        bram36: 140,
        dsp: 220,
        uram: 0,
        ext_memory: &[],
        source: "AMD/Xilinx DS190 (Zynq-7000 SoC Data Sheet: Overview), product table \
                 'Zynq-7000 SoC Family', Z-7020 column: 53,200 look-up tables, 106,400 \
                 flip-flops, 4.9 Mb block RAM (140 36 Kb blocks), 220 DSP slices",
    },
    Part {
        name: "xczu7ev",
        part: "xczu7ev-ffvc1156-2-e",
        device_family: "Zynq UltraScale+ MPSoC",
        boards: &["zcu104"],
        family: Family::Xcup,
        luts: 230_400,
        ffs: 460_800,
        bram36: 312,
        dsp: 1_728,
        uram: 96,
        ext_memory: &[],
        source: "AMD/Xilinx DS891 (Zynq UltraScale+ MPSoC Data Sheet: Overview), table \
                 'Zynq UltraScale+ MPSoC: EV Device-Feature Summary', ZU7EV column: \
                 230,400 CLB LUTs, 460,800 CLB flip-flops, 312 block RAM blocks \
                 (11.0 Mb), 96 UltraRAM blocks (27.0 Mb), 1,728 DSP slices",
    },
    Part {
        name: "xck26",
        part: "xck26-sfvc784-2LV-c",
        device_family: "Zynq UltraScale+ MPSoC (Kria K26 SOM)",
        boards: &["kv260", "kria-kv260", "k26"],
        family: Family::Xcup,
        luts: 117_120,
        ffs: 234_240,
        bram36: 144,
        dsp: 1_248,
        uram: 64,
        ext_memory: &[],
        source: "AMD/Xilinx DS987 (Kria K26 SOM Data Sheet), programmable-logic \
                 resources of the XCK26 (the production-grade equivalent of the ZU5EV \
                 column of DS891): 117,120 CLB LUTs, 234,240 CLB flip-flops, 144 36 Kb \
                 block RAMs (5.1 Mb), 64 UltraRAMs (18 Mb), 1,248 DSP slices; the same \
                 totals are the 'Available' column of a Vitis HLS csynth report for \
                 xck26-sfvc784-2LV-c (288 BRAM_18K = 144 BRAM36). The SOM's 4 GB DDR4 \
                 belongs to the processing system (boards/kv260.toml), not listed here",
    },
    Part {
        name: "xcu250",
        part: "xcu250-figd2104-2L-e",
        device_family: "Virtex UltraScale+ (Alveo U250)",
        boards: &["alveo-u250", "u250"],
        family: Family::Xcup,
        luts: 1_728_000,
        ffs: 3_456_000,
        bram36: 2_688,
        dsp: 12_288,
        uram: 1_280,
        ext_memory: &[ExtMemory {
            kind: "DDR4",
            bytes: 64 * GIB,
            channels: 4,
            gb_per_s: 77,
        }],
        source: "AMD/Xilinx DS962 (Alveo U250 Data Center Accelerator Card Data Sheet), \
                 card specifications table: 1,728K look-up tables, 3,456K registers, \
                 12,288 DSP slices, 54 MB internal SRAM, 64 GB DDR4 in four 16 GB \
                 channels at 77 GB/s; the block counts behind the \
                 SRAM figure (2,688 36 Kb block RAMs = 94.5 Mb, 1,280 UltraRAMs = 360 Mb) \
                 are those of the VU13P row of DS890 (UltraScale Architecture and Product \
                 Data Sheet: Overview), table 'Virtex UltraScale+ FPGA Feature Summary'. \
                 Whole device: the Alveo shell (static region) is not subtracted",
    },
    Part {
        name: "xcu55c",
        part: "xcu55c-fsvh2892-2L-e",
        device_family: "Virtex UltraScale+ HBM (Alveo U55C)",
        boards: &["alveo-u55c", "u55c"],
        family: Family::Xcup,
        luts: 1_303_680,
        ffs: 2_607_360,
        bram36: 2_016,
        dsp: 9_024,
        uram: 960,
        ext_memory: &[ExtMemory {
            kind: "HBM2",
            bytes: 16 * GIB,
            channels: 32,
            gb_per_s: 460,
        }],
        source: "AMD/Xilinx DS978 (Alveo U55C Data Center Accelerator Cards Data Sheet), \
                 card specifications table: 1,304K look-up tables, 2,607K registers, \
                 9,024 DSP slices, 16 GB HBM2 at 460 GB/s; the exact CLB counts and the \
                 blocks of its 43 MB internal SRAM (2,016 36 Kb block RAMs = 70.9 Mb, \
                 960 UltraRAMs = 270 Mb) are those of the VU47P row of DS890 \
                 (UltraScale Architecture and Product Data Sheet: Overview); the HBM's \
                 32 pseudo-channels of 512 MB each are those of UG1393 (Vitis, 'HBM \
                 Configuration and Use'). Whole device: the shell is not subtracted",
    },
    Part {
        name: "xcu280",
        part: "xcu280-fsvh2892-2L-e",
        device_family: "Virtex UltraScale+ HBM (Alveo U280)",
        boards: &["alveo-u280", "u280"],
        family: Family::Xcup,
        luts: 1_303_680,
        ffs: 2_607_360,
        bram36: 2_016,
        dsp: 9_024,
        uram: 960,
        ext_memory: &[
            ExtMemory {
                kind: "HBM2",
                bytes: 8 * GIB,
                channels: 32,
                gb_per_s: 460,
            },
            ExtMemory {
                kind: "DDR4",
                bytes: 32 * GIB,
                channels: 2,
                gb_per_s: 38,
            },
        ],
        source: "AMD/Xilinx DS963 (Alveo U280 Data Center Accelerator Cards Data Sheet), \
                 card specifications table: 1,304K look-up tables, 2,607K registers, \
                 9,024 DSP slices, 8 GB HBM2 at 460 GB/s and 32 GB DDR4 in two 16 GB \
                 channels at 38 GB/s; the exact CLB counts and the blocks of its 43 MB \
                 internal SRAM (2,016 36 Kb block RAMs = 70.9 Mb, 960 UltraRAMs = 270 Mb) \
                 are those of the VU37P row of DS890 (UltraScale Architecture and Product \
                 Data Sheet: Overview). Whole device: the shell is not subtracted",
    },
];

/// An unknown part name; the message lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown part '{name}'; known parts: {}", known_parts())]
pub struct UnknownPart {
    /// The name that was asked for.
    pub name: String,
}

/// The known parts in words: `xc7a100t (xc7a100tcsg324-1; arty-a7-100t, ...)`, ...
pub fn known_parts() -> String {
    PARTS
        .iter()
        .map(|p| {
            let mut s = format!("{} ({}", p.name, p.part);
            if !p.boards.is_empty() {
                s.push_str("; ");
                s.push_str(&p.boards.join(", "));
            }
            s.push(')');
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds a part by short device name (`xc7a100t`), full part string
/// (`xc7a100tcsg324-1`) or board name (`arty-a7-100t`), case-insensitively.
pub fn lookup(name: &str) -> Result<&'static Part, UnknownPart> {
    let key = name.trim().to_ascii_lowercase();
    PARTS
        .iter()
        .find(|p| {
            p.name == key
                || p.part.to_ascii_lowercase() == key
                || p.boards.iter().any(|b| *b == key)
        })
        .ok_or_else(|| UnknownPart {
            name: name.to_string(),
        })
}
