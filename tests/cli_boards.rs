//! Integration tests of `spikefab boards`: the list, one board in full, JSON,
//! a user's board file, and clear errors with a non-zero exit for bad names.

use std::process::{Command, Output};

/// Runs spikefab from a temporary directory: the boards are compiled in, so
/// the command must not depend on the working directory.
fn spikefab(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_spikefab"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("run spikefab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn boards_lists_every_board_with_part_clocks_link_memory_and_capacity() {
    let o = spikefab(&["boards"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    for needle in [
        "arty_a7_100t (arty, arty_a7, arty_a7_100)",
        "xc7a100tcsg324-1 (Artix-7)",
        "63400 LUT, 126800 FF, 135 BRAM36, 0 URAM, 240 DSP",
        "clk_100mhz 100 MHz on E3 (LVCMOS33) [main]",
        "UART: FPGA TX on D10, RX on A9 (LVCMOS33)",
        "pynq_z2",
        "clk_125mhz 125 MHz on H16 (LVCMOS33)",
        "zcu104",
        "clk_125mhz 125 MHz on F23/E23 (LVDS)",
        "clk_300mhz 300 MHz on AH18/AH17",
        "kv260",
        "xck26-sfvc784-2LV-c",
        "pl_clk0 100 MHz from the PS (pl_clk0) [main]",
        "117120 LUT, 234240 FF, 144 BRAM36, 64 URAM, 1248 DSP",
        "alveo_u250 (u250)",
        "PCIe Gen3 x16, XDMA",
        "DDR4 64 GiB (4 x 16 GiB, 64-bit, 77 GB/s",
        "alveo_u55c (u55c)",
        "clk_100mhz_0 100 MHz on BK10/BL10 (LVDS) [main]",
        "HBM2 16 GiB (32 x 512 MiB, 256-bit, 460 GB/s",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn boards_json_is_one_array_of_six_boards_with_capacity() {
    let o = spikefab(&["boards", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 6);
    assert_eq!(a[0]["name"], "arty_a7_100t");
    assert_eq!(a[0]["clocks"][0]["pin"], "E3");
    assert_eq!(a[0]["capacity"]["luts"], 63_400);
    assert_eq!(a[4]["memory"][0]["total_bytes"], 64u64 << 30);
    assert_eq!(a[5]["memory"][0]["channels"], 32);
    assert_eq!(a[5]["capacity"]["uram"], 960);
    assert_eq!(a[3]["capacity"]["bram36"], 144);
}

#[test]
fn one_board_in_full_shows_sources_ports_and_what_is_unverified() {
    let o = spikefab(&["boards", "U55C"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    for needle in [
        "alveo_u55c (u55c): AMD/Xilinx Alveo U55C",
        "constraints/alveo_u55c.xdc, written for Vivado 2023.2",
        "reset: port pcie_perst_ni on BF41 (LVCMOS18), active low",
        "verified except refclk_p, refclk_n",
        "hbm_cattrip_o on BE45 (LVCMOS18), held at 0",
        "pcie_refclk_p_i      input  AR15  (GT reference, no I/O standard)",
        "sources:",
        "ds978: AMD DS978",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn one_board_as_json_has_the_board_ports_and_input_clocks() {
    let o = spikefab(&["boards", "arty", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["board"]["name"], "arty_a7_100t");
    assert!(v["board"]["sources"]["digilent_xdc"]
        .as_str()
        .unwrap()
        .contains("Arty-A7-100-Master.xdc"));
    let ports = v["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 8);
    assert!(ports
        .iter()
        .any(|p| p["port"] == "uart_tx_o" && p["pin"] == "D10" && p["dir"] == "output"));
    assert_eq!(v["input_clocks"][0]["period_ns"], 10.0);
    assert_eq!(v["constraints"], "constraints/arty_a7_100t.xdc");
}

#[test]
fn an_unknown_board_fails_listing_the_known_ones() {
    let o = spikefab(&["boards", "zcu102"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: unknown board 'zcu102'; known boards: arty_a7_100t (arty"),
        "{err}"
    );
    assert!(err.contains("alveo_u55c (u55c)"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_users_board_file_is_shown_and_a_broken_one_names_file_object_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = spikefab_boards::BUILTIN_FILES[1]
        .1
        .replace("name = \"pynq_z2\"", "name = \"lab_pynq\"");
    let path = dir.path().join("lab_pynq.toml");
    std::fs::write(&path, &good).unwrap();
    let o = spikefab(&["boards", path.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        out.starts_with("lab_pynq (pynq, pynqz2): TUL PYNQ-Z2"),
        "{out}"
    );
    assert!(out.contains("(none: not a built-in board)"), "{out}");

    let bad_path = dir.path().join("bad.toml");
    std::fs::write(
        &bad_path,
        good.replace("name = \"lab_pynq\"", "name = \"bad\"")
            .replace("pin = \"H16\"", "pin = \"R14\""),
    )
    .unwrap();
    let o = spikefab(&["boards", bad_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "bad.toml: leds: field `pins[0]`: pin R14 is also used by clock clk_125mhz (pin)"
        ),
        "{err}"
    );

    let o = spikefab(&["boards", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("missing.toml: cannot read the board file"),
        "{err}"
    );
}
