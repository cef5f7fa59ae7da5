//! The six built-in boards: they load and validate, their facts are the
//! documented ones, and names, aliases and paths find them.

use spikefab_boards::{
    builtin, find, load_file, lookup, BoardError, ClockKind, HostLinkKind, MemoryAccess, ResetKind,
    BUILTIN_FILES,
};

#[test]
fn every_builtin_board_loads_validates_and_is_named_by_its_file() {
    let boards = builtin().unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = boards.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "arty_a7_100t",
            "pynq_z2",
            "zcu104",
            "kv260",
            "alveo_u250",
            "alveo_u55c"
        ]
    );
    assert_eq!(boards.len(), BUILTIN_FILES.len());
    for b in &boards {
        let part = b.part().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            part.luts > 0 && part.bram36 > 0 && part.dsp > 0,
            "{}",
            b.name
        );
        assert_eq!(b.vivado, "2023.2", "{}", b.name);
        assert!(b.main_clock().is_some(), "{}", b.name);
    }
}

#[test]
fn the_documented_facts_of_each_board() {
    let arty = lookup("arty").unwrap();
    assert_eq!(arty.device.part, "xc7a100tcsg324-1");
    let c = arty.main_clock().unwrap();
    assert_eq!((c.kind, c.pin.as_deref()), (ClockKind::Single, Some("E3")));
    assert_eq!(c.iostandard.as_deref(), Some("LVCMOS33"));
    assert!((c.period_ns() - 10.0).abs() < 1e-12);
    assert_eq!(arty.host_link.kind, HostLinkKind::Uart);
    assert_eq!(arty.host_link.tx_pin.as_deref(), Some("D10"));
    assert_eq!(arty.host_link.rx_pin.as_deref(), Some("A9"));
    assert_eq!(arty.reset.port().as_deref(), Some("rst_ni"));

    let pynq = lookup("pynq").unwrap();
    assert_eq!(pynq.device.part, "xc7z020clg400-1");
    let h16 = pynq.clocks.iter().find(|c| c.pin.as_deref() == Some("H16"));
    assert_eq!(h16.map(|c| c.frequency_mhz), Some(125.0));
    assert_eq!(pynq.host_link.kind, HostLinkKind::Ps);

    let zcu = lookup("zcu104").unwrap();
    let pairs: Vec<(f64, &str, &str, &str)> = zcu
        .clocks
        .iter()
        .filter(|c| c.kind == ClockKind::Differential)
        .map(|c| {
            (
                c.frequency_mhz,
                c.pin_p.as_deref().unwrap(),
                c.pin_n.as_deref().unwrap(),
                c.iostandard.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (125.0, "F23", "E23", "LVDS"),
            (300.0, "AH18", "AH17", "DIFF_SSTL12_DCI")
        ]
    );
    assert!(zcu.memory.iter().any(|m| m.access == MemoryAccess::Ps));

    let kv = lookup("kv260").unwrap();
    assert_eq!(kv.device.part, "xck26-sfvc784-2LV-c");
    let c = kv.main_clock().unwrap();
    assert_eq!(
        (c.kind, c.ps_clock.as_deref()),
        (ClockKind::Ps, Some("pl_clk0"))
    );
    assert_eq!(kv.reset.kind, ResetKind::Ps);
    assert!(
        kv.pin_facts().is_empty(),
        "the KV260 shell uses no fabric pin"
    );

    let u250 = lookup("u250").unwrap();
    assert_eq!(u250.device.part, "xcu250-figd2104-2L-e");
    assert_eq!(
        u250.clocks
            .iter()
            .filter(|c| c.frequency_mhz == 300.0 && c.kind == ClockKind::Differential)
            .count(),
        4
    );
    let m = &u250.memory[0];
    assert_eq!((m.kind.as_str(), m.channels), ("DDR4", 4));
    assert_eq!(m.total_bytes(), 64 << 30);
    assert_eq!(m.channel_bytes(), 16 << 30);
    assert_eq!(
        (u250.host_link.lanes, u250.host_link.generation),
        (Some(16), Some(3))
    );

    let u55c = lookup("u55c").unwrap();
    assert_eq!(u55c.device.part, "xcu55c-fsvh2892-2L-e");
    let c = u55c.main_clock().unwrap();
    assert_eq!(
        (c.frequency_mhz, c.iostandard.as_deref()),
        (100.0, Some("LVDS"))
    );
    let h = &u55c.memory[0];
    assert_eq!(
        (
            h.kind.as_str(),
            h.channels,
            h.total_bytes(),
            h.bandwidth_gb_s
        ),
        ("HBM2", 32, 16 << 30, 460.0)
    );
    assert_eq!(u55c.aux[0].port(), "hbm_cattrip_o");
    assert_eq!(u55c.aux[0].value, Some(0));
}

#[test]
fn the_board_memory_agrees_with_the_parts_table_of_the_alveo_cards() {
    for name in ["alveo_u250", "alveo_u55c"] {
        let b = lookup(name).unwrap();
        let part = b.part().unwrap();
        let (m, p) = (&b.memory[0], &part.ext_memory[0]);
        assert_eq!(m.kind, p.kind, "{name}");
        assert_eq!(m.channels, p.channels, "{name}");
        assert_eq!(m.total_bytes(), p.bytes, "{name}");
        assert!(
            (m.bandwidth_gb_s - f64::from(p.gb_per_s)).abs() < 1e-9,
            "{name}"
        );
    }
}

#[test]
fn names_and_aliases_find_boards_case_and_dash_insensitively() {
    for (name, board) in [
        ("arty_a7_100t", "arty_a7_100t"),
        ("Arty-A7-100T", "arty_a7_100t"),
        (" ARTY ", "arty_a7_100t"),
        ("pynq-z2", "pynq_z2"),
        ("pynq", "pynq_z2"),
        ("ZCU104", "zcu104"),
        ("kria", "kv260"),
        ("u250", "alveo_u250"),
        ("alveo-u55c", "alveo_u55c"),
        ("U55C", "alveo_u55c"),
    ] {
        let b = lookup(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(b.name, board, "{name}");
    }
}

#[test]
fn every_builtin_alias_names_exactly_one_board() {
    let boards = builtin().unwrap();
    for b in &boards {
        for a in &b.aliases {
            assert_eq!(find(&boards, a).unwrap().name, b.name, "alias {a}");
        }
    }
}

#[test]
fn an_unknown_board_lists_the_known_ones() {
    let e = lookup("zcu102").unwrap_err();
    assert!(matches!(e, BoardError::Unknown { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("unknown board 'zcu102'"), "{msg}");
    for b in builtin().unwrap() {
        assert!(msg.contains(&b.name), "{msg} lacks {}", b.name);
        for a in &b.aliases {
            assert!(msg.contains(a.as_str()), "{msg} lacks alias {a}");
        }
    }
}

#[test]
fn an_alias_shared_by_two_boards_is_an_error_naming_both() {
    let mut boards = builtin().unwrap();
    boards[4].aliases.push("alveo".into());
    boards[5].aliases.push("Alveo".into());
    let e = find(&boards, "alveo").unwrap_err();
    match &e {
        BoardError::Ambiguous { name, boards } => {
            assert_eq!(name, "alveo");
            assert_eq!(boards, &["alveo_u250", "alveo_u55c"]);
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("ambiguous") && msg.contains("alveo_u250 and alveo_u55c"),
        "{msg}"
    );
    // the full names still work
    assert_eq!(find(&boards, "alveo_u250").unwrap().name, "alveo_u250");
}

#[test]
fn an_alias_equal_to_another_boards_name_is_rejected() {
    let mut boards = builtin().unwrap();
    boards[0].aliases.push("pynq-z2".into());
    let e = spikefab_boards::check_names(&boards)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("boards/arty_a7_100t.toml") && e.contains("`aliases`"),
        "{e}"
    );
    assert!(e.contains("pynq-z2"), "{e}");
}

#[test]
fn a_users_board_file_loads_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = BUILTIN_FILES[0]
        .1
        .replace("name = \"arty_a7_100t\"", "name = \"my_arty\"")
        .replace(
            "aliases = [\"arty\", \"arty_a7\", \"arty_a7_100\"]",
            "aliases = []",
        );
    let path = dir.path().join("my_arty.toml");
    std::fs::write(&path, text).unwrap();
    let b = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.name, "my_arty");
    let b2 = lookup(path.to_str().unwrap()).unwrap();
    assert_eq!(b, b2);
    // a missing file names the path
    let missing = dir.path().join("nope.toml");
    let e = lookup(missing.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("nope.toml") && e.contains("cannot read"), "{e}");
}
