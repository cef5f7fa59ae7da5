//! The fault soak: many seeded runs of configure + run over the model
//! board with up to 10% of the frames in each direction dropped,
//! corrupted, duplicated, delayed, split, thinned or prefixed with garbage.
//! Every run must give exactly the fault-free beats and spikes, or stop
//! with a clear link error; never hang, never give something else.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{beats, model, model_config, sim_board};
use spikefab_host::fault::{FaultConfig, Faulty, Injected};
use spikefab_host::proto::{LoadBeat, SpikeRecord};
use spikefab_host::{Board, BoardError};

const STEPS: u32 = 60;

enum Outcome {
    Identical(Injected, u64),
    ClearError(String),
    Different(String),
}

/// One run of seed `seed` with `total` of the frames in each direction
/// faulted.
fn one(
    seed: u64,
    total: f64,
    retries: u32,
    want_beats: &[LoadBeat],
    want_spikes: &[SpikeRecord],
) -> Outcome {
    let t = Faulty::new(model(model_config()), FaultConfig::uniform(seed, total));
    let mut cfg = sim_board();
    cfg.link.retries = retries;
    let result = (|| -> Result<_, BoardError> {
        let mut board = Board::open(t, cfg)?;
        board.configure(want_beats, &mut |_| {})?;
        let (spikes, report) = board.run_collect(STEPS, 0)?;
        Ok((board, spikes, report))
    })();
    match result {
        Ok((board, spikes, report)) => {
            let got_beats = board.link().transport().inner().model().beats();
            if got_beats != want_beats {
                return Outcome::Different(format!(
                    "seed {seed}: {} beats reached the load port, {} sent",
                    got_beats.len(),
                    want_beats.len()
                ));
            }
            if spikes != want_spikes {
                return Outcome::Different(format!(
                    "seed {seed}: {} spikes, {} expected",
                    spikes.len(),
                    want_spikes.len()
                ));
            }
            Outcome::Identical(board.link().transport().injected(), report.retries)
        }
        // a link that gave up says why: the transport, the requests
        Err(BoardError::Link(e)) => Outcome::ClearError(e.to_string()),
        // anything else (spikes lost, wrong step count, stuck) would be
        // the protocol failing under faults
        Err(e) => Outcome::Different(format!("seed {seed}: {e}")),
    }
}

#[derive(Debug, Default)]
struct Summary {
    runs: u64,
    identical: u64,
    errors: u64,
    hangs: u64,
    different: u64,
    sent: u64,
    sent_faulted: u64,
    received: u64,
    received_faulted: u64,
    retries: u64,
    slowest: Duration,
    messages: Vec<String>,
}

/// `runs` seeded runs, run `k` with `lo + (hi - lo) * (k % 11) / 10` of the
/// frames faulted, `retries` per request; a run that takes 20 s counts as a
/// hang and ends it.
fn soak(first_seed: u64, runs: u64, lo: f64, hi: f64, retries: u32) -> Summary {
    let want_beats = beats(200, 9);
    let want_spikes = model_config().spikes(0, STEPS);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for k in 0..runs {
            let total = lo + (hi - lo) * ((k % 11) as f64 / 10.0);
            let t0 = Instant::now();
            let o = one(first_seed + k, total, retries, &want_beats, &want_spikes);
            if tx.send((o, t0.elapsed())).is_err() {
                return;
            }
        }
    });
    let mut s = Summary {
        runs,
        ..Summary::default()
    };
    for _ in 0..runs {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok((o, took)) => {
                s.slowest = s.slowest.max(took);
                match o {
                    Outcome::Identical(i, r) => {
                        s.identical += 1;
                        s.retries += r;
                        s.sent += i.send.frames;
                        s.sent_faulted += i.send.faulted();
                        s.received += i.recv.frames;
                        s.received_faulted += i.recv.faulted();
                    }
                    Outcome::ClearError(m) => {
                        s.errors += 1;
                        s.messages.push(m);
                    }
                    Outcome::Different(m) => {
                        s.different += 1;
                        s.messages.push(m);
                    }
                }
            }
            Err(_) => {
                s.hangs += 1;
                break;
            }
        }
    }
    println!(
        "fault soak: {} runs, {} identical, {} clear errors, {} hangs, {} different",
        s.runs, s.identical, s.errors, s.hangs, s.different
    );
    println!(
        "  (identical runs) faulted frames: {} of {} sent, {} of {} received; {} retries; \
         slowest run {:?}",
        s.sent_faulted, s.sent, s.received_faulted, s.received, s.retries, s.slowest
    );
    for m in s.messages.iter().take(5) {
        println!("  {m}");
    }
    s
}

fn check(s: &Summary) {
    assert_eq!(s.hangs, 0);
    assert_eq!(s.different, 0, "{:#?}", s.messages);
    assert_eq!(s.identical + s.errors, s.runs);
    for m in &s.messages {
        assert!(
            m.contains("model board") && m.contains("no response to"),
            "{m}"
        );
        assert!(m.contains("last acknowledged request"), "{m}");
    }
}

#[test]
fn fault_soak_up_to_ten_percent_every_run_is_exact_or_a_clear_error() {
    let s = soak(0, 500, 0.0, 0.10, 8);
    check(&s);
    // the faults happened, and the link got through them
    assert!(s.sent_faulted > 500 && s.received_faulted > 500, "{s:?}");
    assert!(s.identical >= s.runs * 99 / 100, "{s:?}");
}

#[test]
fn fault_soak_heavy_faults_end_in_exact_results_or_clear_errors_only() {
    // a third to a half of all frames faulted and 2 retries: many runs
    // give up, and each must say so clearly
    let s = soak(10_000, 200, 0.35, 0.5, 2);
    check(&s);
    assert!(s.errors > 0 && s.identical > 0, "{s:?}");
}
