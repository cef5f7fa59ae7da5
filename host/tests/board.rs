//! The driver over the in-process model board: configure, run, spikes
//! back, the counters checked, and the errors a run can end in.

mod common;

use std::time::Duration;

use common::{beats, model, model_config, sim_board, Rewrite};
use spikefab_host::model::ModelConfig;
use spikefab_host::proto::{Cmd, Reg};
use spikefab_host::{Board, BoardError, RunProgress};

#[test]
fn configure_then_run_returns_every_spike_in_order_with_consistent_counters() {
    let b = beats(300, 1);
    let mut board = Board::open(model(model_config()), sim_board()).unwrap();
    let mut last = None;
    let loads = board.configure(&b, &mut |p| last = Some(p)).unwrap();
    assert!(loads >= 6);
    assert_eq!(last.unwrap().beats_done, b.len());
    assert_eq!(board.link().transport().model().beats(), b);

    let mut got = Vec::new();
    let mut prog: Vec<RunProgress> = Vec::new();
    let r = board
        .run(
            200,
            0,
            &mut |s| {
                got.extend_from_slice(s);
                Ok(())
            },
            &mut |p| prog.push(p),
        )
        .unwrap();
    let want = model_config().spikes(0, 200);
    assert!(want.len() > 1000);
    assert_eq!(got, want);
    assert_eq!(r.steps, 200);
    assert_eq!(r.spikes, want.len() as u64);
    assert_eq!(
        (r.stale_spikes, r.retries, r.bad_frames, r.dup_frames),
        (0, 0, 0, 0)
    );
    assert!(r.cycles >= 200 * model_config().step_cycles, "{r:?}");
    assert!(r.bytes_sent > 0 && r.bytes_received > r.spikes * 8);
    let p = prog.last().unwrap();
    assert_eq!(
        (p.steps_done, p.steps, p.spikes),
        (200, 200, want.len() as u64)
    );
    assert!(prog.windows(2).all(|w| w[0].steps_done <= w[1].steps_done));
    let m = board.link().transport().model();
    assert_eq!(m.reg(Reg::SpkEmitted) as usize, want.len());
    assert_eq!(m.reg(Reg::SpkSent) as usize, want.len());
    assert_eq!(m.reg(Reg::SpkLevel), 0);
}

#[test]
fn runs_continue_the_step_count_and_a_full_buffer_stalls_without_losing_spikes() {
    let cfg = ModelConfig {
        neurons: 100,
        rate: 0.9,
        buffer: 100,
        step_cycles: 50,
        ..model_config()
    };
    let mut board = Board::open(model(cfg.clone()), sim_board()).unwrap();
    let (a, ra) = board.run_collect(30, 0).unwrap();
    let (b, rb) = board.run_collect(20, 0).unwrap();
    assert_eq!(a, cfg.spikes(0, 30));
    assert_eq!(b, cfg.spikes(30, 20));
    assert!(ra.stall_cycles > 0 && rb.stall_cycles > 0, "{ra:?}");
}

#[test]
fn paced_steps_take_the_pace_and_late_ones_count_as_overruns() {
    let cfg = ModelConfig {
        step_cycles: 400,
        ..model_config()
    };
    let mut board = Board::open(model(cfg.clone()), sim_board()).unwrap();
    let (_, r) = board.run_collect(50, 2000).unwrap();
    assert!(r.cycles >= 49 * 2000, "{r:?}");
    assert_eq!(r.overruns, 0);
    let (_, r) = board.run_collect(50, 300).unwrap();
    assert_eq!(r.overruns, 49, "{r:?}");
}

#[test]
fn records_left_from_an_earlier_run_are_drained_not_delivered() {
    let cfg = model_config();
    let mut board = Board::open(model(cfg.clone()), sim_board()).unwrap();
    board.link_mut().write_reg(Reg::Run, 5).unwrap();
    board.link_mut().wait(Duration::from_millis(1)).unwrap();
    let (got, r) = board.run_collect(10, 0).unwrap();
    assert_eq!(r.stale_spikes, cfg.spikes(0, 5).len() as u64);
    assert_eq!(got, cfg.spikes(5, 10));
}

#[test]
fn a_run_while_the_board_runs_is_refused() {
    let mut board = Board::open(model(model_config()), sim_board()).unwrap();
    board.link_mut().write_reg(Reg::Run, 1_000_000).unwrap();
    let e = board.run_collect(10, 0).err().unwrap();
    assert!(matches!(e, BoardError::Running { .. }), "{e}");
    board.stop().unwrap();
}

#[test]
fn a_lost_spike_record_is_an_error_not_a_silent_loss() {
    // a board that loses the last record of its first full SPIKES response
    let mut cut = false;
    let t = Rewrite::new(model(model_config()), move |f| {
        if f.cmd == Cmd::Spikes as u8 && f.payload.len() == 240 && !cut {
            f.payload.truncate(232);
            cut = true;
        }
    });
    let mut board = Board::open(t, sim_board()).unwrap();
    let e = board.run_collect(100, 0).err().unwrap();
    match e {
        BoardError::SpikesLost {
            emitted,
            sent,
            received,
        } => {
            assert_eq!(emitted, sent);
            assert_eq!(received + 1, sent);
        }
        e => panic!("{e}"),
    }
}

#[test]
fn a_board_that_makes_no_progress_stops_the_run_with_an_error() {
    let cfg = ModelConfig {
        step_cycles: 1 << 40,
        ..model_config()
    };
    let mut board = Board::open(model(cfg), sim_board()).unwrap();
    let e = board.run_collect(3, 0).err().unwrap();
    assert!(matches!(e, BoardError::Stuck { steps_left: 2, .. }), "{e}");
    assert!(e.to_string().contains("no progress"), "{e}");
}

#[test]
fn the_config_hash_is_checked_against_the_design_expected() {
    let cfg = ModelConfig {
        config_hash: 42,
        ..model_config()
    };
    let board = Board::open(model(cfg), sim_board()).unwrap();
    assert_eq!(board.config_hash(), 42);
    board.check_config_hash(42).unwrap();
    let e = board.check_config_hash(43).err().unwrap();
    assert!(e.to_string().contains("0x000000000000002a"), "{e}");
}

#[test]
fn configuring_unfinished_beats_is_refused_before_anything_is_sent() {
    let mut b = beats(10, 2);
    b.last_mut().unwrap().last = false;
    let mut board = Board::open(model(model_config()), sim_board()).unwrap();
    let sent = board.link().stats().frames_sent;
    let e = board.configure(&b, &mut |_| {}).err().unwrap();
    assert!(matches!(e, BoardError::Pack(_)), "{e}");
    assert_eq!(board.link().stats().frames_sent, sent);
}

#[test]
fn a_run_that_fails_after_its_start_stops_the_board() {
    let mut board = Board::open(model(model_config()), sim_board()).unwrap();
    board.configure(&beats(300, 1), &mut |_| {}).unwrap();
    // the sink fails at the first records: the run is given up
    let e = board
        .run(
            500,
            0,
            &mut |_| Err(std::io::Error::other("disk full")),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(e, BoardError::Sink(_)), "{e}");
    let m = board.link().transport().model();
    assert_eq!(m.reg(Reg::StepsLeft), 0, "the board was stopped");
    // and a run before it started (refused) does not stop anything
    let st = board.status().unwrap();
    assert_eq!(st.steps_left, 0);
}
