//! Self-tests of the harness: the vector packing the testbenches read with
//! `$readmemh` and the tool check (a missing simulator is a failure, not a skip).

use proptest::prelude::*;
use spikefab_hdltest::{hex_record, mask, parse_hex_record, parse_line, require_tool, sext, Gen};

proptest! {
    #[test]
    fn mask_then_sign_extend_round_trips(v in any::<i64>(), bits in 1u32..=64) {
        let lo = if bits == 64 { i64::MIN } else { -(1i64 << (bits - 1)) };
        let hi = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
        let x = v.clamp(lo, hi);
        prop_assert_eq!(sext(mask(x, bits), bits), x);
        prop_assert!(bits == 64 || mask(x, bits) < (1u64 << bits));
    }

    #[test]
    fn hex_records_put_field_zero_in_the_low_slot(
        fields in proptest::collection::vec(any::<u64>(), 1..40),
        slot in prop_oneof![Just(32u32), Just(64u32)],
    ) {
        let f: Vec<u64> = fields.iter().map(|&x| if slot == 64 { x } else { x & 0xFFFF_FFFF }).collect();
        let line = hex_record(&f, slot);
        prop_assert_eq!(line.len(), f.len() * slot as usize / 4);
        // the last hex digits are field 0 (the least significant bits of the word)
        let digits = slot as usize / 4;
        prop_assert_eq!(u64::from_str_radix(&line[line.len() - digits..], 16).unwrap(), f[0]);
        prop_assert_eq!(parse_hex_record(&line, slot, f.len()), f);
    }

    #[test]
    fn output_lines_parse_signed_and_64_bit_values(a in any::<i64>(), b in any::<u64>()) {
        prop_assert_eq!(parse_line(&format!("{a} {b}\n")), vec![a as i128, b as i128]);
    }

    #[test]
    fn gen_range_stays_in_range(seed in any::<u64>(), lo in any::<i64>(), span in any::<u64>()) {
        let hi = (lo as i128 + (span >> 1) as i128).min(i64::MAX as i128) as i64;
        let mut g = Gen::new(seed);
        for _ in 0..16 {
            let x = g.range(lo, hi);
            prop_assert!(lo <= x && x <= hi);
            let y = g.interesting(lo, hi);
            prop_assert!(lo <= y && y <= hi);
        }
    }
}

#[test]
#[should_panic(expected = "apt-get install iverilog")]
fn a_missing_simulator_is_a_failure_that_says_how_to_install_it() {
    require_tool("iverilog-that-does-not-exist", "iverilog");
}

#[test]
fn the_installed_tools_are_found() {
    require_tool("iverilog", "iverilog");
    require_tool("vvp", "iverilog");
    require_tool("verilator", "verilator");
}
