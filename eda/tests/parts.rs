//! The part table: lookups, the unknown-part error, sources and sanity of the figures.

use spikefab_eda::parts::{known_parts, lookup, Family, PARTS};

#[test]
fn lookup_by_device_part_string_and_board() {
    for name in [
        "xc7a100t",
        "XC7A100T",
        "xc7a100tcsg324-1",
        "Arty-A7-100T",
        " arty-a7-100t ",
    ] {
        let p = lookup(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name, "xc7a100t", "{name}");
    }
    assert_eq!(lookup("pynq-z2").unwrap().name, "xc7z020");
    assert_eq!(lookup("xc7z020clg400-1").unwrap().name, "xc7z020");
    assert_eq!(lookup("ZCU104").unwrap().name, "xczu7ev");
    assert_eq!(lookup("xczu7ev-ffvc1156-2-e").unwrap().name, "xczu7ev");
    assert_eq!(lookup("alveo-u250").unwrap().name, "xcu250");
    assert_eq!(lookup("xcu250-figd2104-2L-e").unwrap().name, "xcu250");
    assert_eq!(lookup("Alveo-U55C").unwrap().name, "xcu55c");
    assert_eq!(lookup("xcu280-fsvh2892-2L-e").unwrap().name, "xcu280");
}

#[test]
fn families() {
    assert_eq!(lookup("xc7a100t").unwrap().family, Family::Xc7);
    assert_eq!(lookup("xc7z020").unwrap().family, Family::Xc7);
    assert_eq!(lookup("xczu7ev").unwrap().family, Family::Xcup);
    assert_eq!(lookup("xcu250").unwrap().family, Family::Xcup);
    assert_eq!(Family::Xcup.yosys_name(), "xcup");
}

#[test]
fn unknown_part_lists_the_known_ones() {
    let e = lookup("xc7k999t").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("unknown part 'xc7k999t'"), "{msg}");
    for p in PARTS {
        assert!(msg.contains(p.name), "{msg} lacks {}", p.name);
        assert!(msg.contains(p.part), "{msg} lacks {}", p.part);
    }
    assert!(known_parts().matches("xc").count() >= PARTS.len());
}

#[test]
fn every_part_has_a_source_and_sane_figures() {
    for p in PARTS {
        assert!(p.source.len() > 40, "{}: source too short", p.name);
        assert!(
            p.source.contains("DS"),
            "{}: source names no data sheet",
            p.name
        );
        assert!(
            p.luts > 0 && p.ffs > 0 && p.bram36 > 0 && p.dsp > 0,
            "{}",
            p.name
        );
        // Every CLB LUT has two flip-flops on 7-series and UltraScale+.
        assert_eq!(p.ffs, 2 * p.luts, "{}", p.name);
        assert!(
            p.part.to_ascii_lowercase().starts_with(p.name),
            "{}",
            p.name
        );
        assert_eq!(p.uram > 0, p.family == Family::Xcup, "{}", p.name);
        assert_eq!(lookup(p.name).unwrap(), p);
        assert_eq!(lookup(p.part).unwrap(), p);
        for b in p.boards {
            assert_eq!(lookup(b).unwrap(), p);
        }
    }
}

#[test]
fn reference_figures() {
    // The figures the documentation cites (see each part's source).
    let a = lookup("xc7a100t").unwrap();
    assert_eq!(
        (a.luts, a.ffs, a.bram36, a.dsp, a.uram),
        (63_400, 126_800, 135, 240, 0)
    );
    let z = lookup("xc7z020").unwrap();
    assert_eq!(
        (z.luts, z.ffs, z.bram36, z.dsp, z.uram),
        (53_200, 106_400, 140, 220, 0)
    );
    let u = lookup("xczu7ev").unwrap();
    assert_eq!(
        (u.luts, u.ffs, u.bram36, u.dsp, u.uram),
        (230_400, 460_800, 312, 1_728, 96)
    );
    let k = lookup("kv260").unwrap();
    assert_eq!(k.part, "xck26-sfvc784-2LV-c");
    assert_eq!(
        (k.luts, k.ffs, k.bram36, k.dsp, k.uram),
        (117_120, 234_240, 144, 1_248, 64)
    );
    let v = lookup("xcu250").unwrap();
    assert_eq!(
        (v.luts, v.ffs, v.bram36, v.dsp, v.uram),
        (1_728_000, 3_456_000, 2_688, 12_288, 1_280)
    );
    for name in ["xcu55c", "xcu280"] {
        let h = lookup(name).unwrap();
        assert_eq!(
            (h.luts, h.ffs, h.bram36, h.dsp, h.uram),
            (1_303_680, 2_607_360, 2_016, 9_024, 960),
            "{name}"
        );
    }
}

#[test]
fn the_alveo_cards_name_their_external_memory_and_other_parts_none() {
    let gib = 1u64 << 30;
    let mem = |name: &str| {
        lookup(name)
            .unwrap()
            .ext_memory
            .iter()
            .map(|m| (m.kind, m.bytes / gib, m.channels, m.gb_per_s))
            .collect::<Vec<_>>()
    };
    assert_eq!(mem("alveo-u250"), [("DDR4", 64, 4, 77)]);
    assert_eq!(mem("u55c"), [("HBM2", 16, 32, 460)]);
    assert_eq!(mem("xcu280"), [("HBM2", 8, 32, 460), ("DDR4", 32, 2, 38)]);
    // an HBM2 pseudo-channel of the U55C: 512 MiB
    assert_eq!(
        lookup("u55c").unwrap().ext_memory[0].channel_bytes(),
        512 << 20
    );
    for p in PARTS.iter().filter(|p| !p.name.starts_with("xcu")) {
        assert!(p.ext_memory.is_empty(), "{}", p.name);
    }
}
