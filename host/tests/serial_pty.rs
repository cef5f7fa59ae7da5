//! The serial transport over a pseudo-terminal pair, with the reference
//! model served on the master side in a thread: the same driver, a real
//! tty device, the wall clock.

mod common;

use std::thread;
use std::time::Duration;

use common::{beats, model_config};
use spikefab_host::fault::{FaultConfig, Faulty};
use spikefab_host::model::{serve, BoardModel};
use spikefab_host::serial::{Pty, Serial};
use spikefab_host::{Board, BoardConfig, LinkConfig, Transport};

fn wall_board() -> BoardConfig {
    BoardConfig {
        link: LinkConfig {
            timeout: Duration::from_millis(100),
            retries: 8,
            first_seq: None,
        },
        poll_interval: Duration::from_micros(200),
        max_idle: Duration::from_secs(5),
    }
}

/// A pty pair with the model served on its master; the host's port open.
fn board_on_a_pty() -> (Serial, thread::JoinHandle<BoardModel>) {
    let mut pty = Pty::open().unwrap();
    let r = pty.master.try_clone().unwrap();
    let w = pty.master.try_clone().unwrap();
    let server = thread::spawn(move || {
        let mut m = BoardModel::new(model_config());
        serve(&mut m, r, w).unwrap();
        m
    });
    let port = Serial::open(&pty.slave_path, 3_000_000).unwrap();
    assert!(
        port.name().starts_with("serial /dev/pts/"),
        "{}",
        port.name()
    );
    assert!(port.name().ends_with("at 3000000 baud"));
    // the host's port holds the slave now: when it closes, the server ends
    pty.close_slave();
    (port, server)
}

#[test]
fn serial_over_a_pty_configures_and_runs_the_model_exactly() {
    let (port, server) = board_on_a_pty();
    let b = beats(300, 5);
    let mut board = Board::open(port, wall_board()).unwrap();
    assert_eq!(board.config_hash(), model_config().config_hash);
    board.configure(&b, &mut |_| {}).unwrap();
    let (spikes, r) = board.run_collect(100, 0).unwrap();
    assert_eq!(spikes, model_config().spikes(0, 100));
    assert_eq!(r.spikes as usize, spikes.len());
    drop(board);
    let m = server.join().unwrap();
    assert_eq!(m.beats(), b);
}

#[test]
fn serial_over_a_pty_with_faults_still_delivers_every_spike() {
    let (port, server) = board_on_a_pty();
    let b = beats(100, 6);
    let t = Faulty::new(port, FaultConfig::uniform(11, 0.05));
    let mut board = Board::open(t, wall_board()).unwrap();
    board.configure(&b, &mut |_| {}).unwrap();
    let (spikes, _) = board.run_collect(60, 0).unwrap();
    assert_eq!(spikes, model_config().spikes(0, 60));
    let injected = board.link().transport().injected();
    assert!(injected.send.faulted() + injected.recv.faulted() > 0);
    drop(board);
    assert_eq!(server.join().unwrap().beats(), b);
}
