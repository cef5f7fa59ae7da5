//! A board file with a mistake is refused with an error that names the file,
//! the object and the field; none of these panics.

use spikefab_boards::{parse, BoardError, BUILTIN_FILES};

fn arty() -> &'static str {
    BUILTIN_FILES[0].1
}

fn u55c() -> &'static str {
    BUILTIN_FILES[5].1
}

/// Replaces `from` (which must occur) by `to` in `text`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replacen(from, to, 1)
}

/// Parses and expects a validation error naming `object` and `field`.
fn invalid(text: &str, object: &str, field: &str, needle: &str) {
    let e = parse("my/board.toml", text).unwrap_err();
    let msg = e.to_string();
    match &e {
        BoardError::Invalid {
            file,
            object: o,
            field: f,
            ..
        } => {
            assert_eq!(file, "my/board.toml", "{msg}");
            assert_eq!((o.as_str(), f.as_str()), (object, field), "{msg}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(
        msg.starts_with("my/board.toml: ") && msg.contains(object) && msg.contains(field),
        "{msg}"
    );
    assert!(msg.contains(needle), "{msg} lacks {needle:?}");
}

#[test]
fn the_fixtures_are_valid() {
    parse("a", arty()).unwrap();
    parse("b", u55c()).unwrap();
}

#[test]
fn a_missing_clock_pin_names_the_clock_and_the_field() {
    invalid(
        &edit(arty(), "pin = \"E3\"\n", ""),
        "clock clk_100mhz",
        "pin",
        "missing",
    );
}

#[test]
fn a_non_positive_frequency_is_refused() {
    for bad in ["0.0", "-100.0", "nan", "inf"] {
        invalid(
            &edit(
                arty(),
                "frequency_mhz = 100.0",
                &format!("frequency_mhz = {bad}"),
            ),
            "clock clk_100mhz",
            "frequency_mhz",
            "not a positive number",
        );
    }
}

#[test]
fn a_pin_used_twice_names_both_uses() {
    invalid(
        &edit(arty(), "pins = [\"H5\",", "pins = [\"E3\","),
        "leds",
        "pins[0]",
        "pin E3 is also used by clock clk_100mhz (pin)",
    );
}

#[test]
fn an_unknown_io_standard_lists_the_known_ones() {
    invalid(
        &edit(
            arty(),
            "tx_pin = \"D10\"\nrx_pin = \"A9\"\niostandard = \"LVCMOS33\"",
            "tx_pin = \"D10\"\nrx_pin = \"A9\"\niostandard = \"LVCMOS34\"",
        ),
        "host_link",
        "iostandard",
        "unknown I/O standard 'LVCMOS34'; known single-ended standards: LVCMOS12",
    );
}

#[test]
fn a_differential_standard_on_a_single_pin_and_the_reverse_are_refused() {
    invalid(
        &edit(
            arty(),
            "pin = \"E3\"\niostandard = \"LVCMOS33\"",
            "pin = \"E3\"\niostandard = \"LVDS\"",
        ),
        "clock clk_100mhz",
        "iostandard",
        "differential standard on a single-ended pin",
    );
    invalid(
        &edit(
            u55c(),
            "pin_n = \"BL10\"\niostandard = \"LVDS\"",
            "pin_n = \"BL10\"\niostandard = \"LVCMOS18\"",
        ),
        "clock clk_100mhz_0",
        "iostandard",
        "single-ended standard on a differential pair",
    );
}

#[test]
fn an_incomplete_differential_pair_is_refused() {
    invalid(
        &edit(u55c(), "pin_n = \"BK44\"\n", ""),
        "clock clk_100mhz_1",
        "pin_n",
        "a differential pair needs both pins",
    );
    invalid(
        &edit(u55c(), "refclk_n = \"AR14\"\n", ""),
        "host_link",
        "refclk_n",
        "a differential pair needs both pins",
    );
}

#[test]
fn a_part_missing_from_the_parts_table_is_refused() {
    invalid(
        &edit(
            arty(),
            "part = \"xc7a100tcsg324-1\"",
            "part = \"xc7a200tsbg484-1\"",
        ),
        "device",
        "part",
        "'xc7a200tsbg484-1' is not in the parts table; known parts: xc7a35t",
    );
    invalid(
        &edit(arty(), "family = \"Artix-7\"", "family = \"Kintex-7\""),
        "device",
        "family",
        "disagrees with the parts table's 'Artix-7'",
    );
}

#[test]
fn a_source_must_exist_and_be_cited() {
    invalid(
        &edit(
            arty(),
            "source = [\"digilent_xdc\", \"litex_arty\"]\nverified = true\n\n[reset]",
            "source = [\"digilent_xdc\", \"litex_artyy\"]\nverified = true\n\n[reset]",
        ),
        "clock clk_100mhz",
        "source",
        "'litex_artyy' is not in [sources]",
    );
    invalid(
        &edit(
            arty(),
            "[sources]\n",
            "[sources]\nnever_cited = \"a document no section cites\"\n",
        ),
        "board",
        "sources",
        "'never_cited' is cited by no section",
    );
}

#[test]
fn an_unverified_fact_needs_a_note_and_a_real_field() {
    invalid(
        &edit(
            arty(),
            "source = [\"digilent_xdc\", \"litex_arty\"]\nverified = true\n\n[reset]",
            "source = [\"digilent_xdc\", \"litex_arty\"]\nverified = false\n\n[reset]",
        ),
        "clock clk_100mhz",
        "note",
        "needs a note",
    );
    invalid(
        &edit(
            arty(),
            "unverified = [\"active_low\"]",
            "unverified = [\"colour\"]",
        ),
        "reset",
        "unverified",
        "'colour' is not a field here",
    );
}

#[test]
fn exactly_one_main_clock() {
    invalid(
        &edit(arty(), "main = true\n", ""),
        "board",
        "clocks",
        "0 clocks have main = true",
    );
}

#[test]
fn a_ps_clock_has_no_pin_and_a_ps_link_no_uart_pins() {
    let kv = BUILTIN_FILES[3].1;
    invalid(
        &edit(
            kv,
            "ps_clock = \"pl_clk0\"\n",
            "ps_clock = \"pl_clk0\"\npin = \"E12\"\n",
        ),
        "clock pl_clk0",
        "pin",
        "a PS clock has no pin",
    );
    invalid(
        &edit(
            kv,
            "[host_link]\nkind = \"ps\"\n",
            "[host_link]\nkind = \"ps\"\ntx_pin = \"E12\"\n",
        ),
        "host_link",
        "tx_pin",
        "not allowed",
    );
}

#[test]
fn a_bad_pin_name_and_lane_count_are_refused() {
    invalid(
        &edit(arty(), "pin = \"E3\"", "pin = \"e3\""),
        "clock clk_100mhz",
        "pin",
        "'e3' is not a package pin",
    );
    invalid(
        &edit(u55c(), "lanes = 16", "lanes = 15"),
        "host_link",
        "lanes",
        "15 is not 1, 2, 4, 8 or 16",
    );
}

#[test]
fn a_memory_reference_clock_must_be_a_board_clock() {
    invalid(
        &edit(
            u55c(),
            "ref_clock = \"clk_100mhz_0\"",
            "ref_clock = \"clk_33mhz\"",
        ),
        "memory hbm",
        "ref_clock",
        "'clk_33mhz' is not one of the board's clocks",
    );
    invalid(
        &edit(u55c(), "channels = 32", "channels = 0"),
        "memory hbm",
        "channels",
        "0",
    );
}

#[test]
fn an_aux_output_needs_a_level() {
    invalid(
        &edit(u55c(), "value = 0\n", "value = 7\n"),
        "aux hbm_cattrip",
        "value",
        "7 is not 0 or 1",
    );
}

#[test]
fn a_typo_in_a_field_name_names_the_file_line_and_field() {
    let e = parse(
        "my/board.toml",
        &edit(
            arty(),
            "iostandard = \"LVCMOS33\"",
            "io_standard = \"LVCMOS33\"",
        ),
    )
    .unwrap_err();
    assert!(matches!(e, BoardError::Parse { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("my/board.toml: "), "{msg}");
    assert!(msg.contains("line") && msg.contains("io_standard"), "{msg}");
}

#[test]
fn a_wrong_type_and_broken_toml_are_parse_errors_with_a_line() {
    for text in [
        edit(arty(), "frequency_mhz = 100.0", "frequency_mhz = \"fast\""),
        edit(arty(), "[reset]", "[reset"),
        String::new(),
    ] {
        let e = parse("x.toml", &text).unwrap_err();
        assert!(matches!(e, BoardError::Parse { .. }), "{e:?}");
        assert!(e.to_string().starts_with("x.toml: "), "{e}");
    }
}

#[test]
fn a_board_file_whose_name_differs_from_its_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.toml");
    std::fs::write(&path, arty()).unwrap();
    let e = spikefab_boards::load_file(&path).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("other.toml") && msg.contains("board: field `name`"),
        "{msg}"
    );
}
