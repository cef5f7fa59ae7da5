//! The accumulator fixture driven through set/tick/get against its Rust
//! model: every output every cycle over thousands of random cycles, signed
//! ports, value checks, port lookup errors, and the per-cycle cost.

mod common;

use std::time::Instant;

use common::{acc_spec, build_shared, AccModel, Rng};
use spikefab_cosim::{CosimError, RandReset};

const CYCLES: u64 = 5000;

#[test]
fn outputs_match_the_rust_model_every_cycle_over_random_stimuli() {
    let lib = build_shared(&acc_spec());
    let mut m = lib.instantiate(7, RandReset::Random).unwrap();
    let rst = m.port("rst_i").unwrap();
    let en = m.port("en_i").unwrap();
    let din = m.port("din_i").unwrap();
    let acc = m.port("acc_o").unwrap();
    let wide = m.port("wide_o").unwrap();
    let count = m.port("count_o").unwrap();
    let scratch = m.port("scratch_o").unwrap();

    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    let mut model = AccModel::default();
    model.clock(true, false, 0);

    let mut rng = Rng::new(0x5EED);
    let mut matched = 0u64;
    let mut resets = 0u64;
    for cycle in 0..CYCLES {
        let r = rng.chance(1, 250);
        let e = rng.chance(3, 4);
        let d = rng.below(128);
        m.set(rst, r as u64).unwrap();
        m.set(en, e as u64).unwrap();
        m.set(din, d).unwrap();
        m.tick().unwrap();
        model.clock(r, e, d);
        resets += r as u64;
        assert_eq!(m.get(din).unwrap(), d, "input read-back, cycle {cycle}");
        assert_eq!(
            m.get_signed(acc).unwrap(),
            model.acc,
            "acc_o, cycle {cycle}"
        );
        assert_eq!(m.get(wide).unwrap(), model.wide, "wide_o, cycle {cycle}");
        assert_eq!(
            m.get(count).unwrap(),
            model.count as u64,
            "count_o, cycle {cycle}"
        );
        if let Some(s) = model.scratch {
            assert_eq!(
                m.get(scratch).unwrap(),
                s as u64,
                "scratch_o, cycle {cycle}"
            );
        }
        matched += 1;
    }
    assert_eq!(m.cycles(), CYCLES + 1);
    assert!(resets > 5, "the stimulus exercised reset ({resets} times)");
    println!("cosim fixture: matched {matched} cycles of cosim_acc against the Rust model ({resets} resets)");
}

#[test]
fn signed_33_bit_output_is_sign_extended_and_wraps_like_the_rtl() {
    let lib = build_shared(&acc_spec());
    let mut m = lib.instantiate(3, RandReset::Random).unwrap();
    let (rst, en, din, acc) = (
        m.port("rst_i").unwrap(),
        m.port("en_i").unwrap(),
        m.port("din_i").unwrap(),
        m.port("acc_o").unwrap(),
    );
    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    m.set(rst, 0).unwrap();
    m.set(en, 1).unwrap();
    m.set_signed(din, -1).unwrap();
    m.ticks(5).unwrap();
    assert_eq!(m.get_signed(acc).unwrap(), -5);
    assert_eq!(
        m.get(acc).unwrap(),
        (1u64 << 33) - 5,
        "raw bits are zero-extended"
    );

    // Past the top of the 33-bit range: 2^32 - 1 is the largest value, one
    // more wraps to -2^32. Get there with +63 steps from a known start.
    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    m.set(rst, 0).unwrap();
    m.set_signed(din, 63).unwrap();
    let steps = (1u64 << 32) / 63; // 68174084 steps: acc = 63 * steps
    m.ticks(steps).unwrap();
    let acc_now = 63 * steps as i64;
    assert_eq!(m.get_signed(acc).unwrap(), acc_now);
    m.ticks(1).unwrap();
    let wrapped = acc_now + 63 - (1i64 << 33);
    assert!(wrapped < 0);
    assert_eq!(m.get_signed(acc).unwrap(), wrapped);
    println!(
        "cosim fixture: 33-bit acc_o wrapped to {wrapped} after {} cycles",
        m.cycles()
    );
}

#[test]
fn values_that_do_not_fit_a_port_are_errors_naming_the_port() {
    let lib = build_shared(&acc_spec());
    let mut m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let din = m.port("din_i").unwrap();
    let acc = m.port("acc_o").unwrap();
    for bad in [0x80u64, u64::MAX] {
        let e = m.set(din, bad).unwrap_err();
        assert!(matches!(e, CosimError::ValueOutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("7-bit unsigned port `din_i`"), "{e}");
    }
    for bad in [64i64, -65] {
        let e = m.set_signed(din, bad).unwrap_err();
        assert!(e.to_string().contains("7-bit signed port `din_i`"), "{e}");
    }
    m.set_signed(din, -64).unwrap();
    assert_eq!(m.get(din).unwrap(), 0x40);
    assert_eq!(m.get_signed(din).unwrap(), -64);
    m.set(din, 0x7f).unwrap();
    assert_eq!(m.get_signed(din).unwrap(), -1);
    let e = m.set(acc, 1).unwrap_err();
    assert!(e.to_string().contains("`acc_o` is an output"), "{e}");
}

#[test]
fn an_unknown_port_name_is_an_error_listing_the_ports() {
    let lib = build_shared(&acc_spec());
    let m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let e = m.port("acc").unwrap_err();
    assert!(matches!(e, CosimError::UnknownPort { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("model `cosim_acc` has no port `acc`"),
        "{text}"
    );
    for p in [
        "rst_i (input 1)",
        "din_i (input 7)",
        "acc_o (output 33)",
        "wide_o (output 64)",
        "scratch_o (output 32)",
        "clk_i (clock, driven by tick)",
    ] {
        assert!(text.contains(p), "missing {p:?} in: {text}");
    }
    let e = m.port("clk_i").unwrap_err();
    assert!(e.to_string().contains("has no port `clk_i`"), "{e}");
}

#[test]
fn ticks_n_equals_n_single_ticks_and_per_cycle_cost_is_reported() {
    let lib = build_shared(&acc_spec());
    let mut a = lib.instantiate(5, RandReset::Random).unwrap();
    let mut b = lib.instantiate(5, RandReset::Random).unwrap();
    let ports: Vec<_> = ["rst_i", "en_i", "din_i", "wide_o", "count_o"]
        .iter()
        .map(|n| a.port(n).unwrap())
        .collect();
    let (rst, en, din, wide, count) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
    for m in [&mut a, &mut b] {
        m.set(rst, 1).unwrap();
        m.tick().unwrap();
        m.set(rst, 0).unwrap();
        m.set(en, 1).unwrap();
        m.set(din, 0x35).unwrap();
    }
    const N: u64 = 200_000;
    let t = Instant::now();
    for _ in 0..N {
        a.tick().unwrap();
    }
    let single = t.elapsed();
    let t = Instant::now();
    b.ticks(N).unwrap();
    let batched = t.elapsed();
    assert_eq!(a.get(wide).unwrap(), b.get(wide).unwrap());
    assert_eq!(a.get(count).unwrap(), N % 65536);
    assert_eq!(a.cycles(), b.cycles());

    // The co-simulation loop the core tests will run: set 3 inputs, tick,
    // read 3 outputs, every cycle.
    let t = Instant::now();
    let mut sink = 0u64;
    for i in 0..N {
        a.set(din, i & 0x7f).unwrap();
        a.set(en, i & 1).unwrap();
        a.set(rst, 0).unwrap();
        a.tick().unwrap();
        sink ^= a.get(wide).unwrap() ^ a.get(count).unwrap() ^ a.get(din).unwrap();
    }
    let full = t.elapsed();
    assert_ne!(sink, 0);
    let ns = |d: std::time::Duration| d.as_nanos() as f64 / N as f64;
    println!(
        "cosim fixture: {N} cycles: tick() {:.1} ns/cycle, ticks(n) {:.1} ns/cycle, \
         3 set + tick + 3 get {:.1} ns/cycle",
        ns(single),
        ns(batched),
        ns(full)
    );
}
