//! Ports wider than 64 bits (`set_wide`/`get_wide`): round trips through
//! the wide-port fixture (100, 257, 33 and 133 bits, none a power of two),
//! the bits above a port's width, and the errors of the plain calls.

mod common;

use common::{build_shared, wide_spec, Rng};
use spikefab_cosim::{CosimError, RandReset};

/// `n` random words with the bits above `width` cleared.
fn random_words(rng: &mut Rng, width: u32) -> Vec<u64> {
    let n = width.div_ceil(64) as usize;
    let mut w: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let top_bits = width - 64 * (n as u32 - 1);
    if top_bits < 64 {
        w[n - 1] &= (1u64 << top_bits) - 1;
    }
    w
}

/// Bit `i` of little-endian words.
fn bit(words: &[u64], i: u32) -> u64 {
    (words[(i / 64) as usize] >> (i % 64)) & 1
}

#[test]
fn wide_ports_round_trip_bit_exact_and_read_back_with_the_bits_above_the_width_clear() {
    let lib = build_shared(&wide_spec());
    let mut m = lib.instantiate(5, RandReset::Random).unwrap();
    let [a_i, b_i, c_i, a_o, nb_o, c_o, cat_o] =
        ["a_i", "b_i", "c_i", "a_o", "nb_o", "c_o", "cat_o"].map(|n| m.port(n).unwrap());
    let mut rng = Rng::new(0x71DE);
    for cycle in 0..200 {
        let a = random_words(&mut rng, 100);
        let b = random_words(&mut rng, 257);
        // Every few cycles the extremes: all ones, all zeros.
        let c = match cycle % 7 {
            0 => (1u64 << 33) - 1,
            1 => 0,
            _ => rng.next_u64() & ((1u64 << 33) - 1),
        };
        m.set_wide(a_i, &a).unwrap();
        m.set_wide(b_i, &b).unwrap();
        if cycle % 2 == 0 {
            m.set(c_i, c).unwrap();
        } else {
            m.set_wide(c_i, &[c]).unwrap();
        }
        m.tick().unwrap();

        assert_eq!(m.get_wide(a_o).unwrap(), a, "a_o, cycle {cycle}");
        let nb = m.get_wide(nb_o).unwrap();
        assert_eq!(nb.len(), 5);
        for i in 0..257 {
            assert_eq!(bit(&nb, i), 1 - bit(&b, i), "nb_o bit {i}, cycle {cycle}");
        }
        assert_eq!(
            nb[4] >> 1,
            0,
            "nb_o: the bits above 257 read as 0, cycle {cycle}"
        );
        let c_next = (c + 1) & ((1u64 << 33) - 1);
        assert_eq!(m.get(c_o).unwrap(), c_next, "c_o, cycle {cycle}");
        assert_eq!(m.get_wide(c_o).unwrap(), vec![c_next], "c_o as words");
        let cat = m.get_wide(cat_o).unwrap();
        assert_eq!(cat.len(), 3);
        for i in 0..100 {
            assert_eq!(bit(&cat, i), bit(&a, i), "cat_o bit {i}, cycle {cycle}");
        }
        for i in 0..33 {
            assert_eq!(bit(&cat, 100 + i), (c >> i) & 1, "cat_o bit {}", 100 + i);
        }
        assert_eq!(cat[2] >> 5, 0, "cat_o: the bits above 133 read as 0");
    }
    // An input reads back as it was set, before any edge.
    let a = random_words(&mut rng, 100);
    m.set_wide(a_i, &a).unwrap();
    assert_eq!(m.get_wide(a_i).unwrap(), a);
    let mut into = [0u64; 2];
    m.get_wide_into(a_i, &mut into).unwrap();
    assert_eq!(into[..], a[..]);
}

#[test]
fn plain_set_and_get_on_a_wide_port_and_wrong_word_counts_are_errors_naming_the_port() {
    let lib = build_shared(&wide_spec());
    let mut m = lib.instantiate(6, RandReset::Zeros).unwrap();
    let [a_i, b_i, c_i, nb_o] = ["a_i", "b_i", "c_i", "nb_o"].map(|n| m.port(n).unwrap());

    let e = m.set(a_i, 1).unwrap_err();
    assert!(matches!(e, CosimError::WidePort { .. }), "{e}");
    assert!(e.to_string().contains("`a_i` is 100 bits wide"), "{e}");
    let e = m.get(nb_o).unwrap_err().to_string();
    assert!(
        e.contains("`nb_o` is 257 bits wide") && e.contains("get_wide"),
        "{e}"
    );
    let e = m.get_signed(nb_o).unwrap_err().to_string();
    assert!(e.contains("`nb_o`"), "{e}");
    let e = m.set_signed(b_i, -1).unwrap_err().to_string();
    assert!(e.contains("`b_i`"), "{e}");

    let e = m.set_wide(b_i, &[0; 4]).unwrap_err();
    assert!(
        matches!(
            e,
            CosimError::WordCount {
                expected: 5,
                got: 4,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("`b_i` (257 bits) takes 5 64-bit words, not 4"),
        "{e}"
    );
    let e = m
        .get_wide(c_i)
        .map(|_| ())
        .and_then(|_| m.set_wide(c_i, &[1, 0]));
    assert!(e
        .unwrap_err()
        .to_string()
        .contains("`c_i` (33 bits) takes 1"));
    let mut three = [0u64; 3];
    let e = m.get_wide_into(nb_o, &mut three).unwrap_err().to_string();
    assert!(e.contains("`nb_o` (257 bits) takes 5"), "{e}");

    // Bits above the width are refused, not silently dropped.
    let e = m.set_wide(a_i, &[0, 1 << 36]).unwrap_err();
    assert!(matches!(e, CosimError::ValueOutOfRange { .. }), "{e}");
    assert!(e.to_string().contains("`a_i`"), "{e}");
    m.set_wide(a_i, &[0, (1 << 36) - 1]).unwrap();
    let e = m.set_wide(nb_o, &[0; 5]).unwrap_err().to_string();
    assert!(e.contains("`nb_o` is an output"), "{e}");

    // The instance is still usable after the refusals.
    m.tick().unwrap();
    assert_eq!(
        m.get_wide(m.port("a_o").unwrap()).unwrap(),
        vec![0, (1 << 36) - 1]
    );
}
