//! The Vivado scripts of a build directory: `build.tcl` (the non-project
//! flow from sources to bitstream, with the reports `spikefab build --run`
//! reads back) and `program.tcl` (the bitstream into the board over JTAG).

use std::fmt::Write as _;

use spikefab_boards::Board;

use crate::shell::{Ps, PS_BD_TCL, SHELL, XDMA_TCL};

/// The bitstream `build.tcl` writes.
pub const BITSTREAM: &str = "spikefab.bit";
/// The folder of the reports.
pub const REPORTS: &str = "reports";
/// The utilization report after routing.
pub const UTILIZATION_RPT: &str = "reports/utilization.rpt";
/// The timing summary after routing.
pub const TIMING_RPT: &str = "reports/timing_summary.rpt";
/// The vectorless power report.
pub const POWER_RPT: &str = "reports/power.rpt";
/// The power report with the SAIF activity.
pub const POWER_SAIF_RPT: &str = "reports/power_saif.rpt";
/// Where a `--saif` file is copied in the directory.
pub const SAIF_FILE: &str = "activity.saif";

/// What `build.tcl` reads.
#[derive(Debug, Clone)]
pub struct BuildTcl<'a> {
    /// Verilog sources, leaves first.
    pub sources: &'a [String],
    /// The XDC file.
    pub xdc: &'a str,
    /// `$readmemh` images (checked to be present).
    pub images: &'a [String],
    /// The PS block design, on a Zynq board.
    pub ps: Option<Ps>,
    /// The XDMA IP (`xdma_ip.tcl`), on a PCIe board.
    pub xdma: bool,
    /// A SAIF file in the directory (`report_power` with it as well).
    pub saif: Option<&'a str>,
    /// The hierarchy prefix `read_saif -strip_path` removes.
    pub saif_strip: Option<&'a str>,
}

/// The text of `build.tcl`.
pub fn build_tcl(head: &str, board: &Board, b: &BuildTcl<'_>) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "# build.tcl: Vivado non-project flow for the {} (board {}, part {}):",
        board.title, board.name, board.device.part
    );
    let _ = writeln!(
        w,
        "# synthesis, optimization, placement, routing, reports and the bitstream {BITSTREAM}."
    );
    let _ = writeln!(
        w,
        "# Written for Vivado {}. Run from anywhere: vivado -mode batch -source build.tcl",
        board.vivado
    );
    let _ = writeln!(
        w,
        "# (it works in its own directory; reports in {REPORTS}/, checkpoints *.dcp)."
    );
    let _ = writeln!(w, "set here [file dirname [file normalize [info script]]]");
    let _ = writeln!(w, "cd $here");
    let _ = writeln!(w, "set part {{{}}}", board.device.part);
    let _ = writeln!(w, "set top {SHELL}");
    let _ = writeln!(
        w,
        "# SAIF activity for a second power report (empty: vectorless only), and the"
    );
    let _ = writeln!(
        w,
        "# instance path read_saif -strip_path removes (the simulation's path to {SHELL})"
    );
    let _ = writeln!(w, "set saif {{{}}}", b.saif.unwrap_or(""));
    let _ = writeln!(w, "set saif_strip {{{}}}", b.saif_strip.unwrap_or(""));
    let _ = writeln!(w, "file mkdir {REPORTS}");
    let _ = writeln!(w);
    let _ = writeln!(w, "create_project -in_memory -part $part");
    if b.ps.is_some() {
        let _ = writeln!(w, "# the processing system (block design and its wrapper)");
        let _ = writeln!(w, "source {PS_BD_TCL}");
    }
    if b.xdma {
        let _ = writeln!(w, "# the PCIe DMA endpoint of the host link (the XDMA IP)");
        let _ = writeln!(w, "source {XDMA_TCL}");
    }
    let _ = writeln!(w, "read_verilog {{");
    for f in b.sources {
        let _ = writeln!(w, "  {f}");
    }
    let _ = writeln!(w, "}}");
    let _ = writeln!(w, "read_xdc {}", b.xdc);
    if !b.images.is_empty() {
        let _ = writeln!(
            w,
            "# memory images ($readmemh, names relative to this directory, the working directory)"
        );
        let _ = writeln!(w, "foreach f {{");
        for f in b.images {
            let _ = writeln!(w, "  {f}");
        }
        let _ = writeln!(w, "}} {{");
        let _ = writeln!(
            w,
            "  if {{![file exists $f]}} {{ error \"memory image $f is missing from $here\" }}"
        );
        let _ = writeln!(w, "}}");
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "synth_design -top $top -part $part");
    let _ = writeln!(w, "write_checkpoint -force post_synth.dcp");
    let _ = writeln!(
        w,
        "report_utilization -file {REPORTS}/post_synth_utilization.rpt"
    );
    let _ = writeln!(w, "opt_design");
    let _ = writeln!(w, "place_design");
    let _ = writeln!(w, "route_design");
    let _ = writeln!(w, "write_checkpoint -force post_route.dcp");
    let _ = writeln!(w, "report_utilization -file {UTILIZATION_RPT}");
    let _ = writeln!(w, "report_timing_summary -file {TIMING_RPT}");
    let _ = writeln!(w, "# vectorless: default toggle rates");
    let _ = writeln!(w, "report_power -file {POWER_RPT}");
    let _ = writeln!(w, "if {{$saif ne \"\"}} {{");
    let _ = writeln!(w, "  if {{$saif_strip ne \"\"}} {{");
    let _ = writeln!(w, "    read_saif -strip_path $saif_strip $saif");
    let _ = writeln!(w, "  }} else {{");
    let _ = writeln!(w, "    read_saif $saif");
    let _ = writeln!(w, "  }}");
    let _ = writeln!(w, "  report_power -file {POWER_SAIF_RPT}");
    let _ = writeln!(w, "}}");
    let _ = writeln!(w, "write_bitstream -force {BITSTREAM}");
    s
}

/// The hardware-manager name pattern of a part's device: the part's
/// device name (`xc7a100t*`), for Zynq UltraScale+ without its `ev`/`eg`/`cg`
/// suffix (`xczu7*`, as the JTAG chain lists it).
pub fn hw_device_pattern(device: &str) -> String {
    if let Some(rest) = device.strip_prefix("xczu") {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        return format!("xczu{digits}*");
    }
    format!("{device}*")
}

/// The text of `program.tcl`.
pub fn program_tcl(head: &str, board: &Board, device: &str) -> String {
    let pat = hw_device_pattern(device);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{head}");
    let _ = writeln!(
        w,
        "# program.tcl: loads {BITSTREAM} into the FPGA of the {} ({}) over JTAG,",
        board.title, board.device.part
    );
    let _ = writeln!(
        w,
        "# through the hardware server on this machine (the board's USB-JTAG)."
    );
    let _ = writeln!(
        w,
        "# Written for Vivado {}: vivado -mode batch -source program.tcl",
        board.vivado
    );
    let _ = writeln!(w, "set here [file dirname [file normalize [info script]]]");
    let _ = writeln!(w, "set bit [file join $here {BITSTREAM}]");
    let _ = writeln!(
        w,
        "if {{![file exists $bit]}} {{ error \"$bit is missing: run build.tcl first\" }}"
    );
    let _ = writeln!(w, "open_hw_manager");
    let _ = writeln!(w, "connect_hw_server");
    let _ = writeln!(w, "open_hw_target");
    let _ = writeln!(w, "set dev [lindex [get_hw_devices {{{pat}}}] 0]");
    let _ = writeln!(
        w,
        "if {{$dev eq \"\"}} {{ error \"no {pat} device on the JTAG chain: [get_hw_devices]\" }}"
    );
    let _ = writeln!(w, "current_hw_device $dev");
    let _ = writeln!(w, "set_property PROGRAM.FILE $bit $dev");
    let _ = writeln!(w, "program_hw_devices $dev");
    let _ = writeln!(w, "close_hw_target");
    let _ = writeln!(w, "disconnect_hw_server");
    let _ = writeln!(w, "close_hw_manager");
    s
}

#[cfg(test)]
mod tests {
    use super::hw_device_pattern;

    #[test]
    fn device_patterns() {
        assert_eq!(hw_device_pattern("xc7a100t"), "xc7a100t*");
        assert_eq!(hw_device_pattern("xczu7ev"), "xczu7*");
        assert_eq!(hw_device_pattern("xck26"), "xck26*");
        assert_eq!(hw_device_pattern("xcu55c"), "xcu55c*");
    }
}
