//! hdl/snn_axil_const.v (the AXI4-Lite slave behind the Alveo shells' user
//! BAR) through hdltest/tb/tb_snn_axil_const.v: writes and reads with every
//! channel's valid or ready drawn at random (always, 70%, 30%), address
//! widths 1, 12, 32 and 64.
//!
//! - Every write gets exactly one response, OKAY, after both its address
//!   and its data were taken (in either order); every read gets exactly one,
//!   READ_VALUE and OKAY, after its address; responses in request order.
//! - The bench flags a response withdrawn or changed before its handshake.
//! - Without stalls a read takes two clocks and a write two.

use spikefab_hdltest::{compile_tb, scratch_dir, TbOutput};

/// One recorded handshake.
#[derive(Debug, Clone, Copy)]
struct Hs {
    cycle: i64,
    index: i64,
    value: u64,
    resp: i64,
}

/// The handshakes of each channel: AW, W, B, AR, R.
fn channels(out: &TbOutput) -> [Vec<Hs>; 5] {
    let mut ch: [Vec<Hs>; 5] = Default::default();
    for r in &out.records {
        assert_eq!(r.len(), 5, "{r:?}");
        ch[r[1] as usize].push(Hs {
            cycle: r[0] as i64,
            index: r[2] as i64,
            value: r[3] as u64,
            resp: r[4] as i64,
        });
    }
    for (k, c) in ch.iter().enumerate() {
        for (i, h) in c.iter().enumerate() {
            assert_eq!(h.index, i as i64, "channel {k}: handshake {i} out of order");
        }
    }
    ch
}

fn run(addr_w: u32, value: u32, n_wr: usize, n_rd: usize, seed: u32, pct: u32) -> TbOutput {
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_axil_const-a{addr_w}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_axil_const",
        &["snn_axil_const.v"],
        &[
            ("ADDR_W", i64::from(addr_w)),
            ("READ_VALUE", i64::from(value)),
            ("N_WR", n_wr as i64),
            ("N_RD", n_rd as i64),
        ],
    );
    let out = tb.run(
        &format!("p{pct}"),
        &["00".to_string()],
        &[format!("seed={seed}"), format!("pct={pct}")],
    );
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn every_request_gets_one_okay_response_in_order_under_random_valid_and_ready() {
    let value = 0x464B_5053u32;
    for (addr_w, seed) in [(1u32, 3u32), (12, 5), (32, 7), (64, 11)] {
        for pct in [100u32, 70, 30] {
            let (n_wr, n_rd) = (150usize, 170usize);
            let what = format!("ADDR_W={addr_w} pct={pct}");
            let out = run(addr_w, value, n_wr, n_rd, seed + pct, pct);
            let [aw, w, b, ar, r] = channels(&out);
            assert_eq!(
                (aw.len(), w.len(), b.len()),
                (n_wr, n_wr, n_wr),
                "{what}: writes"
            );
            assert_eq!((ar.len(), r.len()), (n_rd, n_rd), "{what}: reads");
            let mask = if addr_w >= 64 {
                u64::MAX
            } else {
                (1u64 << addr_w) - 1
            };
            for k in 0..n_wr {
                assert_eq!(
                    aw[k].value,
                    (k as u64).wrapping_mul(0x0101_0101_0101_0101) & mask,
                    "{what}"
                );
                assert_eq!(w[k].value, k as u64 * 0x0101_0101, "{what}");
                assert!(
                    b[k].cycle > aw[k].cycle.max(w[k].cycle),
                    "{what}: write response {k} at {} before its address ({}) or data ({})",
                    b[k].cycle,
                    aw[k].cycle,
                    w[k].cycle
                );
                assert_eq!(b[k].resp, 0, "{what}: BRESP of write {k}");
            }
            for k in 0..n_rd {
                assert!(
                    r[k].cycle > ar[k].cycle,
                    "{what}: read response {k} at {} before its address ({})",
                    r[k].cycle,
                    ar[k].cycle
                );
                assert_eq!(
                    (r[k].value, r[k].resp),
                    (u64::from(value), 0),
                    "{what}: read {k}"
                );
                // one read at a time: the next address after this response
                if k + 1 < n_rd {
                    assert!(ar[k + 1].cycle > r[k].cycle, "{what}: reads overlap");
                }
            }
            if pct == 100 {
                // address taken at edge t, response out after it, taken at
                // t + 1, the next address at t + 2
                for k in 1..n_rd {
                    assert_eq!(ar[k].cycle - ar[k - 1].cycle, 2, "{what}: read rate");
                }
                for k in 1..n_wr {
                    assert_eq!(b[k].cycle - b[k - 1].cycle, 2, "{what}: write rate");
                }
            }
        }
    }
}
