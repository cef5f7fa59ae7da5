//! hdl/snn_heartbeat.v against a cycle model: led_o toggles every DIV
//! cycles (a period of 2 * DIV) and is cleared by the synchronous reset.

use spikefab_hdltest::{compile_tb, scratch_dir, Gen};

/// led_o after rising edge `k` for the resets `rst` (one per edge).
fn model(rst: &[u8], div: u64) -> Vec<u8> {
    // power-up values are unknown (x) until the first reset; the bench
    // starts in reset
    let (mut cnt, mut led) = (0u64, 0u8);
    rst.iter()
        .map(|&r| {
            if r == 1 {
                cnt = 0;
                led = 0;
            } else if cnt == div - 1 {
                cnt = 0;
                led ^= 1;
            } else {
                cnt += 1;
            }
            led
        })
        .collect()
}

/// Resets: 3 cycles of reset, a long run, then random short resets among
/// runs, then another long run.
fn resets(div: u64, seed: u64) -> (Vec<u8>, usize) {
    let mut g = Gen::new(seed);
    let mut v = vec![1u8; 3];
    let long = (20 * div + 5) as usize;
    v.extend(std::iter::repeat_n(0u8, long));
    while v.len() < long + 600 {
        v.extend(std::iter::repeat_n(1u8, 1 + g.below(3) as usize));
        v.extend(std::iter::repeat_n(0u8, 1 + g.below(3 * div + 3) as usize));
    }
    v.extend(std::iter::repeat_n(0u8, long));
    (v, long)
}

fn run(div: u64, seed: u64) {
    let (rst, long) = resets(div, seed);
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_heartbeat-d{div}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_heartbeat",
        &["snn_heartbeat.v"],
        &[("DIV", div as i64), ("N", rst.len() as i64)],
    );
    let lines: Vec<String> = rst.iter().map(|r| format!("{r:x}")).collect();
    let out = tb.run(&format!("d{div}"), &lines, &[]);
    assert_eq!(out.records.len(), rst.len(), "one record per cycle");
    let got: Vec<u8> = out
        .records
        .iter()
        .enumerate()
        .map(|(k, r)| {
            assert_eq!(r[0], k as i128, "record order");
            r[1] as u8
        })
        .collect();
    let exp = model(&rst, div);
    for k in 0..rst.len() {
        assert_eq!(
            got[k], exp[k],
            "DIV={div}: led_o after edge {k} is {}, expected {}",
            got[k], exp[k]
        );
    }
    // the first long run (edges 3 .. 3 + long): low for DIV - 1 edges after
    // the reset, then a toggle every DIV edges, so the period is 2 * DIV
    let toggles: Vec<usize> = (3..3 + long).filter(|&k| got[k] != got[k - 1]).collect();
    assert_eq!(got[2], 0, "DIV={div}: led_o is low in reset");
    assert_eq!(
        toggles.first().copied(),
        Some(3 + div as usize - 1),
        "DIV={div}: first toggle DIV edges after reset"
    );
    assert!(toggles.len() >= 19, "DIV={div}: {} toggles", toggles.len());
    for w in toggles.windows(2) {
        assert_eq!(w[1] - w[0], div as usize, "DIV={div}: half period");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn div_7_toggles_every_7_cycles() {
    run(7, 1);
}

#[test]
fn div_1_toggles_every_cycle() {
    run(1, 2);
}

#[test]
fn div_2_and_13() {
    run(2, 3);
    run(13, 4);
}
