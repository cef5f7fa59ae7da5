//! hdl/snn_rst_sync.v against a cycle model: rst_o is the request delayed by
//! STAGES rising edges, high from power-up, and held high for STAGES cycles
//! after the request is first sampled low.

use spikefab_hdltest::{compile_tb, scratch_dir, Gen};

/// rst_o after rising edge `k` for requests `req` (one per cycle): the chain
/// starts all ones, so `req[k - STAGES + 1]`, or 1 before that exists.
fn model(req: &[u8], stages: usize) -> Vec<u8> {
    (0..req.len())
        .map(|k| {
            if k + 1 >= stages {
                req[k + 1 - stages]
            } else {
                1
            }
        })
        .collect()
}

/// Requests: low from power-up, a long pulse, then runs of random length
/// (single-cycle glitches among them), then low to the end.
fn requests(stages: usize, seed: u64) -> Vec<u8> {
    let mut g = Gen::new(seed);
    let mut v = vec![0u8; 3 * stages];
    v.extend(std::iter::repeat_n(1u8, 4 * stages));
    v.extend(std::iter::repeat_n(0u8, 4 * stages));
    let mut level = 1u8;
    while v.len() < 1500 {
        let run = 1 + g.below(3 * stages as u64) as usize;
        v.extend(std::iter::repeat_n(level, run));
        level ^= 1;
    }
    v.extend(std::iter::repeat_n(0u8, 2 * stages));
    v
}

fn run(stages: usize, seed: u64) {
    let req = requests(stages, seed);
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_rst_sync-s{stages}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_rst_sync",
        &["snn_rst_sync.v"],
        &[("STAGES", stages as i64), ("N", req.len() as i64)],
    );
    let lines: Vec<String> = req.iter().map(|r| format!("{r:x}")).collect();
    let out = tb.run(&format!("s{stages}"), &lines, &[]);
    assert_eq!(out.records.len(), req.len() + 1, "one record per cycle");
    // power-up, before the first edge: in reset
    assert_eq!(out.records[0], vec![-1, 1], "rst_o at power-up");
    let got: Vec<u8> = out.records[1..]
        .iter()
        .enumerate()
        .map(|(k, r)| {
            assert_eq!(r[0], k as i128, "record order");
            r[1] as u8
        })
        .collect();
    let exp = model(&req, stages);
    for k in 0..req.len() {
        assert_eq!(
            got[k],
            exp[k],
            "STAGES={stages}: rst_o after edge {k} is {}, expected {} (requests {:?}..)",
            got[k],
            exp[k],
            &req[k.saturating_sub(stages)..=k]
        );
    }
    // the long pulse: the request falls before edge f = 7 * STAGES; rst_o
    // stays high after edges f .. f + STAGES - 2 and is low after
    // f + STAGES - 1 (STAGES cycles of reset after the request ends)
    let f = 7 * stages;
    assert_eq!(req[f - 1], 1);
    assert_eq!(req[f], 0);
    for (k, r) in got.iter().enumerate().take(f + stages - 1).skip(f) {
        assert_eq!(*r, 1, "STAGES={stages}: rst_o must be held at edge {k}");
    }
    assert_eq!(got[f + stages - 1], 0, "STAGES={stages}: rst_o must end");
    // power-up: the first request is low, yet reset lasts STAGES - 1 edges
    assert!(got[..stages - 1].iter().all(|&r| r == 1));
    assert_eq!(got[stages - 1], 0);
    // a request is never lost: every high request appears on rst_o
    assert_eq!(
        req.iter().filter(|&&r| r == 1).count(),
        got[stages - 1..].iter().filter(|&&r| r == 1).count()
            + req[req.len() + 1 - stages..]
                .iter()
                .filter(|&&r| r == 1)
                .count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_stages() {
    run(2, 1);
}

#[test]
fn three_stages_the_default() {
    run(3, 2);
}

#[test]
fn five_stages() {
    run(5, 3);
}
