//! constraints/<board>.xdc against boards/<board>.toml, in both directions,
//! and proof that the check fails: mutants of the XDC text (a pin, a
//! standard, a period changed; a line dropped or added) and of the board are
//! caught, each at the right line and object.

use std::path::Path;

use spikefab_boards::xdc::{check, glob, mismatches, parse, CheckError, Command};
use spikefab_boards::{builtin, builtin_xdc, Board, BUILTIN_XDC};

fn xdc_file(board: &str) -> String {
    format!("constraints/{board}.xdc")
}

/// The mismatches of `text` against `board` (parse errors fail the test).
fn problems(board: &Board, text: &str) -> Vec<String> {
    let x = parse(text).unwrap_or_else(|e| panic!("{}: {e}", board.name));
    mismatches(board, &x)
        .iter()
        .map(|m| m.to_string())
        .collect()
}

#[test]
fn every_builtin_board_has_constraints_that_match_it() {
    let boards = builtin().unwrap();
    assert_eq!(BUILTIN_XDC.len(), boards.len());
    for b in &boards {
        let text = builtin_xdc(&b.name).unwrap_or_else(|| panic!("{} has no XDC", b.name));
        if let Err(e) = check(b, &xdc_file(&b.name), text) {
            panic!("{e}");
        }
    }
}

#[test]
fn the_embedded_constraints_are_the_files_in_constraints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (name, text) in BUILTIN_XDC {
        let on_disk = std::fs::read_to_string(root.join(xdc_file(name))).unwrap();
        assert_eq!(&on_disk, text, "{name}");
    }
}

#[test]
fn every_pin_fact_is_placed_with_its_standard_and_every_clock_declared() {
    // The check's first direction, counted: each board's XDC holds exactly
    // one PACKAGE_PIN per pin fact and one create_clock per clock fact.
    for b in builtin().unwrap() {
        let x = parse(builtin_xdc(&b.name).unwrap()).unwrap();
        let pins = x
            .commands
            .iter()
            .filter(|l| matches!(&l.command, Command::PortProps { props, .. } if props.iter().any(|(k, _)| k == "PACKAGE_PIN")))
            .count();
        let clocks = x
            .commands
            .iter()
            .filter(|l| matches!(l.command, Command::Clock { .. }))
            .count();
        assert_eq!(pins, b.pin_facts().len(), "{}", b.name);
        assert_eq!(clocks, b.clock_facts().len(), "{}", b.name);
    }
}

/// Every `PACKAGE_PIN <pin>` of the XDC changed, one at a time, to a pin the
/// board does not use: each mutant is caught at its line, naming the object.
#[test]
fn a_pin_changed_in_a_copy_of_the_xdc_is_caught() {
    let mut mutants = 0;
    for b in builtin().unwrap() {
        let text = builtin_xdc(&b.name).unwrap();
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("PACKAGE_PIN ") else {
                continue;
            };
            if line.trim_start().starts_with('#') {
                continue;
            }
            let rest = &line[at + "PACKAGE_PIN ".len()..];
            let pin: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let mutant_line = line.replacen(&format!("PACKAGE_PIN {pin}"), "PACKAGE_PIN Y99", 1);
            let mutant: String = text
                .lines()
                .enumerate()
                .map(|(j, l)| if j == i { mutant_line.as_str() } else { l })
                .collect::<Vec<_>>()
                .join("\n");
            let p = problems(&b, &mutant);
            let needle = format!("line {}: ", i + 1);
            assert!(
                p.iter().any(|m| m.starts_with(&needle)
                    && m.contains("is Y99")
                    && m.contains(&format!("the board says {pin}"))),
                "{}: mutant of line {} not caught: {p:?}",
                b.name,
                i + 1
            );
            mutants += 1;
        }
    }
    // Arty 8 pins, PYNQ-Z2 5, ZCU104 8, KV260 0, U250 14, U55C 10
    assert_eq!(mutants, 8 + 5 + 8 + 14 + 10);
}

#[test]
fn a_changed_standard_period_or_clock_name_is_caught() {
    let boards = builtin().unwrap();
    let arty = &boards[0];
    let text = builtin_xdc("arty_a7_100t").unwrap();
    let p = problems(
        arty,
        &text.replacen(
            "PACKAGE_PIN A9 IOSTANDARD LVCMOS33",
            "PACKAGE_PIN A9 IOSTANDARD LVCMOS25",
            1,
        ),
    );
    assert!(
        p.iter().any(|m| m.contains("host_link (rx_pin)")
            && m.contains("IOSTANDARD of uart_rx_i is LVCMOS25, the board says LVCMOS33")),
        "{p:?}"
    );
    let p = problems(arty, &text.replacen("-period 10.000", "-period 8.000", 1));
    assert!(
        p.iter().any(|m| m.contains("clock clk_100mhz")
            && m.contains("period 8 ns, the board says 10.000 ns")),
        "{p:?}"
    );
    let p = problems(arty, &text.replacen("-name clk_100mhz", "-name sys_clk", 1));
    assert!(p.iter().any(|m| m.contains("is named sys_clk")), "{p:?}");
    // a 300 MHz clock written with three decimals is accepted, with two not
    let u250 = &boards[4];
    let t = builtin_xdc("alveo_u250").unwrap();
    assert!(t.contains("-period 3.333 "));
    assert!(problems(u250, t).is_empty());
    let p = problems(u250, &t.replacen("-period 3.333 ", "-period 3.33 ", 1));
    assert!(
        p.iter()
            .any(|m| m.contains("clock clk_300mhz_0") && m.contains("3.333 ns")),
        "{p:?}"
    );
}

#[test]
fn a_board_fact_missing_from_the_xdc_is_caught() {
    let boards = builtin().unwrap();
    let u55c = &boards[5];
    let text = builtin_xdc("alveo_u55c").unwrap();
    let drop = |needle: &str| -> String {
        assert!(text.contains(needle), "{needle}");
        text.lines()
            .filter(|l| !l.contains(needle))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let p = problems(u55c, &drop("[get_ports {hbm_cattrip_o}]"));
    assert!(
        p.iter()
            .any(|m| m.contains("aux hbm_cattrip (pin)") && m.contains("no PACKAGE_PIN")),
        "{p:?}"
    );
    let p = problems(u55c, &drop("-name pcie_refclk"));
    assert!(
        p.iter().any(|m| m.contains("host_link")
            && m.contains("no create_clock on pcie_refclk_p_i (10.000 ns)")),
        "{p:?}"
    );
    let p = problems(u55c, &drop("clk_100mhz_1_n_i"));
    assert!(
        p.iter().any(|m| m.contains("clock clk_100mhz_1 (pin_n)")),
        "{p:?}"
    );
    let p = problems(u55c, &drop("ASYNC_REG"));
    assert!(
        p.iter()
            .any(|m| m.contains("reset") && m.contains("ASYNC_REG")),
        "{p:?}"
    );
    let p = problems(u55c, &drop("u_rst_sync/sync_q_reg[0]"));
    assert!(
        p.iter()
            .any(|m| m.contains("set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]")),
        "{p:?}"
    );
    let p = problems(
        u55c,
        &text.replace("Written for Vivado 2023.2", "Written for Vivado"),
    );
    assert!(p.iter().any(|m| m.contains("Vivado version")), "{p:?}");
}

#[test]
fn an_xdc_fact_the_board_lacks_is_caught() {
    let boards = builtin().unwrap();
    let arty = &boards[0];
    let text = builtin_xdc("arty_a7_100t").unwrap();
    let n = text.lines().count();
    let extra = format!(
        "{text}set_property -dict {{PACKAGE_PIN D9 IOSTANDARD LVCMOS33}} [get_ports {{btn_i[0]}}]\n\
         create_clock -period 20.000 -name btn_clk [get_ports {{btn_i[0]}}]\n\
         set_false_path -to [get_ports {{uart_rx_i}}]\n\
         set_false_path -from [get_ports {{gpio_i}}]\n\
         set_false_path -to [get_cells {{u_core/x_reg}}]\n"
    );
    let p = problems(arty, &extra);
    let at = |k: usize| format!("line {}: ", n + k);
    assert!(
        p.iter()
            .any(|m| m.starts_with(&at(1))
                && m.contains("port btn_i[0] is not a pin of the board file")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with(&at(2)) && m.contains("not an input clock of the board")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with(&at(3))
                && m.contains("set_false_path -to on uart_rx_i, an input")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with(&at(4)) && m.contains("gpio_i, which matches no port")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.starts_with(&at(5))
            && m.contains("u_core/x_reg is not one of the shell's documented cells")),
        "{p:?}"
    );
    // the same port placed twice on different pins
    let twice = format!("{text}set_property PACKAGE_PIN E4 [get_ports {{clk_100mhz_i}}]\n");
    let p = problems(arty, &twice);
    assert!(
        p.iter()
            .any(|m| m.contains("PACKAGE_PIN of clk_100mhz_i is E4 here but E3")),
        "{p:?}"
    );
}

#[test]
fn a_board_changed_under_its_xdc_is_caught() {
    let mut boards = builtin().unwrap();
    let zcu = &mut boards[2];
    zcu.leds.as_mut().unwrap().pins[2] = "B6".into();
    zcu.clocks[2].frequency_mhz = 333.0;
    let e = check(
        zcu,
        "constraints/zcu104.xdc",
        builtin_xdc("zcu104").unwrap(),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, CheckError::Mismatch { .. }));
    assert!(
        msg.starts_with("constraints/zcu104.xdc disagrees with boards/zcu104.toml"),
        "{msg}"
    );
    assert!(
        msg.contains("leds (pins[2]): PACKAGE_PIN of led_o[2] is A5, the board says B6"),
        "{msg}"
    );
    assert!(
        msg.contains("clock clk_300mhz") && msg.contains("the board says 3.003 ns"),
        "{msg}"
    );
}

#[test]
fn lines_outside_the_subset_are_errors_naming_the_line() {
    for (text, needle) in [
        ("set_property PULLUP true [get_ports {x}]\n", "line 1: set_property"),
        ("\n\nset_input_delay 0 [get_ports {x}]\n", "line 3: command 'set_input_delay' is outside"),
        ("create_clock -period 10 -name c -waveform {0 5} [get_ports {c}]\n", "'-waveform' is outside"),
        ("set_property -dict {PACKAGE_PIN E3 DRIVE 8} [get_ports {x}]\n", "property DRIVE is outside"),
        ("set_property -dict {PACKAGE_PIN E3} [get_ports {a b}]\n", "exactly one port"),
        ("set_property PACKAGE_PIN E3 [get_ports {x}]; set_property PACKAGE_PIN E4 [get_ports {y}]\n", "one command per line"),
        ("set_property PACKAGE_PIN E3 [get_ports {x}\n", "unbalanced '['"),
        ("create_clock -period ten -name c [get_ports {c}]\n", "-period 'ten' is not a number"),
        ("set_false_path -from [get_cells {u_rst_sync/sync_q_reg[0]}]\n", "-from takes ports"),
        ("set_property PACKAGE_PIN $pin [get_ports {x}]\n", "outside the XDC subset"),
    ] {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text:?}: {e}");
    }
    // a trailing ';#' comment is allowed
    let x = parse("set_property PACKAGE_PIN E3 [get_ports {x}] ;# bank 35\n").unwrap();
    assert_eq!(x.commands.len(), 1);
}

#[test]
fn glob_matches_stars_and_literal_brackets() {
    assert!(glob("led_o[*]", "led_o[0]"));
    assert!(glob("led_o[*]", "led_o[12]"));
    assert!(!glob("led_o[*]", "led_o0"));
    assert!(glob("u_rst_sync/sync_q_reg[0]", "u_rst_sync/sync_q_reg[0]"));
    assert!(!glob(
        "u_rst_sync/sync_q_reg[0]",
        "u_rst_sync/sync_q_reg[1]"
    ));
    assert!(glob("*", ""));
}
