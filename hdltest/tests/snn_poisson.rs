//! hdl/snn_poisson.v against spikefab_sim::quant::PoissonParams::count.

use spikefab_hdltest::{compile_tb, hex_record, scratch_dir, Gen};
use spikefab_sim::quant::{poisson_table, PoissonParams};

const N: usize = 3000;

/// A table of `len` entries: mostly real inverse-CDF tables
/// (`quant::poisson_table`), plus sorted random tables with duplicates and
/// rails, and unsorted ones (where the reference's scan stops at the first
/// entry above u).
fn table(g: &mut Gen, len: usize) -> Vec<u32> {
    match g.below(6) {
        0..=2 => {
            let lambda = g.pick(&[
                0.01,
                0.3,
                1.0,
                2.32,
                5.0,
                0.5 * len as f64,
                len as f64,
                3.0 * len as f64,
            ]);
            poisson_table(lambda, len).0
        }
        3 => {
            let mut t: Vec<u32> = (0..len).map(|_| g.u32()).collect();
            t.sort_unstable();
            t
        }
        4 => {
            // few distinct values: duplicates, 0 and u32::MAX entries
            let vals = [
                0u32,
                0,
                1,
                g.u32(),
                g.u32(),
                u32::MAX - 1,
                u32::MAX,
                u32::MAX,
            ];
            let mut t: Vec<u32> = (0..len).map(|_| g.pick(&vals)).collect();
            t.sort_unstable();
            t
        }
        _ => (0..len).map(|_| g.u32()).collect(),
    }
}

/// A uniform `u` for `t`: at, just below and just above entries, rails, or random.
fn draw_u(g: &mut Gen, t: &[u32]) -> u32 {
    let c = t[g.below(t.len() as u64) as usize];
    match g.below(6) {
        0 => c,
        1 => c.wrapping_sub(1),
        2 => c.wrapping_add(1),
        3 => g.pick(&[0, 1, u32::MAX, u32::MAX - 1]),
        _ => g.u32(),
    }
}

fn run(table_len: usize, seed: u64) {
    let mut g = Gen::new(seed);
    let mut recs: Vec<(u32, Vec<u32>)> = Vec::with_capacity(N);
    // corners: the all-zero and all-ones tables, u at 0 and all-ones
    for fill in [0u32, u32::MAX] {
        for u in [0u32, u32::MAX] {
            recs.push((u, vec![fill; table_len]));
        }
    }
    while recs.len() < N {
        let t = table(&mut g, table_len);
        // several u per table
        for _ in 0..4 {
            let u = draw_u(&mut g, &t);
            recs.push((u, t.clone()));
        }
    }
    recs.truncate(N);

    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_poisson-{table_len}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_poisson",
        &["snn_poisson.v"],
        &[("TABLE_LEN", table_len as i64), ("N", N as i64)],
    );
    let lines: Vec<String> = recs
        .iter()
        .map(|(u, t)| {
            let mut f = vec![*u as u64];
            f.extend(t.iter().map(|&c| c as u64));
            hex_record(&f, 32)
        })
        .collect();
    let out = tb.run("vectors", &lines, &[]);
    for (i, got) in out.records.iter().enumerate() {
        let (u, t) = &recs[i];
        let p = PoissonParams {
            lambda: 0.0,
            cdf: t.clone(),
            weight: 0,
        };
        let exp = [i as i128, p.count(*u) as i128];
        assert_eq!(
            got.as_slice(),
            exp.as_slice(),
            "snn_poisson (TABLE_LEN={table_len}): first mismatch at record {i} of {N}:\n  u = {u:#010x}\n  cdf = {t:08x?}\n  expected (index, count) = {exp:?}, got {got:?}"
        );
    }
    assert_eq!(out.records.len(), N, "one output record per input record");
    println!(
        "snn_poisson: matched {} of {N} records (TABLE_LEN={table_len})",
        out.records.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snn_poisson_matches_reference_table_len_32() {
    run(32, 11);
}

#[test]
fn snn_poisson_matches_reference_table_len_7() {
    run(7, 12);
}

#[test]
fn snn_poisson_matches_reference_table_len_33() {
    run(33, 13);
}

#[test]
fn snn_poisson_matches_reference_table_len_1() {
    run(1, 14);
}
