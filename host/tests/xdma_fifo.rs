//! The XDMA transport against a stand-in with the same file semantics:
//! named pipes for the h2c and c2h streams, with the reference model
//! served on their other ends in a thread, and a 4 KiB regular file for
//! the user BAR.

mod common;

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::thread;
use std::time::Duration;

use common::{beats, model_config};
use spikefab_host::model::{serve, BoardModel};
use spikefab_host::xdma::{BarError, Xdma, XdmaPaths};
use spikefab_host::{Board, BoardConfig, LinkConfig, LinkError, Transport, TransportError};

fn mkfifo(p: &Path) {
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a NUL-terminated path that lives across the call;
    // mkfifo reads it and keeps no pointer.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(
        r,
        0,
        "mkfifo {}: {}",
        p.display(),
        std::io::Error::last_os_error()
    );
}

/// Named pipes for the streams and a 4 KiB BAR file, in `dir`.
fn fifos(dir: &Path) -> XdmaPaths {
    let paths = XdmaPaths {
        h2c: dir.join("xdma0_h2c_0"),
        c2h: dir.join("xdma0_c2h_0"),
        user: dir.join("xdma0_user"),
        ..XdmaPaths::for_index(0)
    };
    mkfifo(&paths.h2c);
    mkfifo(&paths.c2h);
    std::fs::write(&paths.user, vec![0u8; 4096]).unwrap();
    paths
}

/// [`fifos`] with the model served on the pipes.
fn card(dir: &Path) -> (XdmaPaths, thread::JoinHandle<BoardModel>) {
    let paths = fifos(dir);
    let (h2c, c2h) = (paths.h2c.clone(), paths.c2h.clone());
    let server = thread::spawn(move || {
        // the host opens h2c, then c2h: the same order here
        let input = File::open(&h2c).unwrap();
        let output = OpenOptions::new().write(true).open(&c2h).unwrap();
        let mut m = BoardModel::new(model_config());
        serve(&mut m, input, output).unwrap();
        m
    });
    (paths, server)
}

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

#[test]
fn xdma_over_fifos_configures_and_runs_the_model_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, server) = card(dir.path());
    let x = Xdma::open(&paths).unwrap();
    assert!(x.name().contains("xdma0_h2c_0") && x.name().contains("xdma0_c2h_0"));
    let b = beats(300, 7);
    let mut board = Board::open(x, wall_board()).unwrap();
    board.configure(&b, &mut |_| {}).unwrap();
    let (spikes, r) = board.run_collect(100, 0).unwrap();
    assert_eq!(spikes, model_config().spikes(0, 100));
    assert_eq!(r.steps, 100);
    drop(board);
    assert_eq!(server.join().unwrap().beats(), b);
}

#[test]
fn the_user_bar_maps_the_file_with_checked_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, server) = card(dir.path());
    let mut x = Xdma::open(&paths).unwrap();
    x.write_user32(0x10, 0xCAFE_F00D).unwrap();
    x.write_user32(4092, 7).unwrap();
    assert_eq!(x.read_user32(0x10).unwrap(), 0xCAFE_F00D);
    assert_eq!(x.read_user32(4092).unwrap(), 7);
    assert!(matches!(
        x.read_user32(4096),
        Err(BarError::OutOfRange { .. })
    ));
    assert!(matches!(
        x.write_user32(0x11, 1),
        Err(BarError::Unaligned { .. })
    ));
    let bytes = std::fs::read(&paths.user).unwrap();
    assert_eq!(&bytes[0x10..0x14], &0xCAFE_F00Du32.to_le_bytes());
    drop(x);
    server.join().unwrap();
}

#[test]
fn when_the_card_side_closes_the_link_fails_at_once_naming_the_transport() {
    let dir = tempfile::tempdir().unwrap();
    let paths = fifos(dir.path());
    let (h2c, c2h) = (paths.h2c.clone(), paths.c2h.clone());
    // a card that opens its ends and closes its c2h stream at once
    let closer = thread::spawn(move || {
        let i = File::open(&h2c).unwrap();
        let o = OpenOptions::new().write(true).open(&c2h).unwrap();
        drop(o);
        i
    });
    let x = Xdma::open(&paths).unwrap();
    let _keep = closer.join().unwrap();
    let t0 = std::time::Instant::now();
    let e = Board::open(x, wall_board()).err().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(2));
    match e {
        spikefab_host::BoardError::Link(LinkError::Transport { transport, source }) => {
            assert!(transport.contains("xdma0_c2h_0"));
            assert!(matches!(source, TransportError::Closed));
        }
        e => panic!("{e}"),
    }
}
