//! The link over the in-process model board: every typed call, and every
//! way it fails.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{beats, model, model_config, sim_link, Rewrite};
use spikefab_host::fault::{FaultConfig, Faulty};
use spikefab_host::model::ModelConfig;
use spikefab_host::proto::{pack_beats, Cmd, LoadRun, Reg, Status, MAGIC, VERSION};
use spikefab_host::{Deadline, Link, LinkConfig, LinkError, Transport, TransportError};

#[test]
fn hello_reports_the_identity_of_the_board() {
    let cfg = ModelConfig {
        config_hash: 0x0123_4567_89AB_CDEF,
        ..model_config()
    };
    let (link, id) = Link::open(model(cfg), sim_link()).unwrap();
    assert_eq!(id.magic, MAGIC);
    assert_eq!(id.version, VERSION);
    assert_eq!(id.config_hash, 0x0123_4567_89AB_CDEF);
    // the first request the board saw was HELLO
    let ex = link.transport().model().executed();
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].cmd, Cmd::Hello as u8);
}

#[test]
fn sequence_numbers_start_anywhere_and_count_up_one_per_request() {
    let cfg = LinkConfig {
        first_seq: Some(254),
        ..sim_link()
    };
    let (mut link, _) = Link::open(model(model_config()), cfg).unwrap();
    link.read_reg(Reg::Magic).unwrap();
    link.read_reg(Reg::Magic).unwrap();
    let seqs: Vec<u8> = link
        .transport()
        .model()
        .executed()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![254, 255, 0]);
    // two links opened from the clock need not start alike; each counts up
    let (mut a, _) = Link::open(model(model_config()), sim_link()).unwrap();
    let s = a.next_seq();
    a.read_reg(Reg::Status).unwrap();
    assert_eq!(a.next_seq(), s.wrapping_add(1));
}

#[test]
fn registers_read_and_write_through_the_link() {
    let (mut link, _) = Link::open(model(model_config()), sim_link()).unwrap();
    let w = link.read(Reg::Magic, 4).unwrap();
    assert_eq!(w[0], MAGIC);
    assert_eq!(w[1], VERSION);
    let all = link.read(Reg::Magic, Reg::READABLE).unwrap();
    assert_eq!(all.len(), 17);
    // paced far apart: the first step starts at once, the others wait
    link.write_reg(Reg::Pace, 1_000_000).unwrap();
    link.write_reg(Reg::Run, 3).unwrap();
    assert_eq!(link.read_reg(Reg::StepsLeft).unwrap(), 2);
    link.write_reg(Reg::Stop, 1).unwrap();
    assert_eq!(link.read_reg(Reg::StepsLeft).unwrap(), 0);
    // locally refused: never sent
    let sent = link.stats().frames_sent;
    assert!(matches!(
        link.write_reg(Reg::Magic, 1),
        Err(LinkError::Invalid(_))
    ));
    assert!(matches!(
        link.read(Reg::RxErrors, 2),
        Err(LinkError::Invalid(_))
    ));
    assert!(matches!(
        link.read(Reg::Magic, 0),
        Err(LinkError::Invalid(_))
    ));
    assert!(matches!(link.spikes(31), Err(LinkError::Invalid(_))));
    assert_eq!(link.stats().frames_sent, sent);
}

#[test]
fn load_puts_exactly_the_beats_sent_on_the_load_port() {
    let b = beats(500, 3);
    let runs = pack_beats(&b).unwrap();
    let (mut link, _) = Link::open(model(model_config()), sim_link()).unwrap();
    let mut last = None;
    link.load(&runs, &mut |p| last = Some(p)).unwrap();
    let p = last.unwrap();
    assert_eq!((p.runs_done, p.runs), (runs.len(), runs.len()));
    assert_eq!((p.beats_done, p.beats), (b.len(), b.len()));
    assert_eq!(link.transport().model().beats(), b);
    assert_eq!(link.transport().model().loads(), &runs[..]);
}

#[test]
fn spikes_come_back_in_order_and_each_once() {
    let (mut link, _) = Link::open(model(model_config()), sim_link()).unwrap();
    link.write_reg(Reg::Run, 20).unwrap();
    link.wait(Duration::from_millis(1)).unwrap();
    let mut got = Vec::new();
    loop {
        let r = link.spikes(30).unwrap();
        if r.is_empty() {
            break;
        }
        got.extend(r);
    }
    assert_eq!(got, model_config().spikes(0, 20));
    assert_eq!(link.read_reg(Reg::SpkSent).unwrap() as usize, got.len());
}

#[test]
fn a_wrong_magic_or_version_is_an_error_naming_both() {
    for (magic, version) in [(0x1234_5678, VERSION), (MAGIC, 2)] {
        let cfg = ModelConfig {
            magic,
            version,
            ..model_config()
        };
        let e = Link::open(model(cfg), sim_link()).err().unwrap();
        assert!(
            matches!(e, LinkError::WrongBoard { magic: m, version: v } if m == magic && v == version)
        );
        let s = e.to_string();
        assert!(s.contains(&format!("{magic:#010x}")), "{s}");
        assert!(s.contains(&format!("version {version}")), "{s}");
        assert!(s.contains("0x464b5053") && s.contains("version 1"), "{s}");
    }
}

#[test]
fn a_dead_link_fails_after_exactly_retries_plus_one_attempts_naming_the_requests() {
    let retries = 5;
    let cfg = LinkConfig {
        retries,
        ..sim_link()
    };
    let t = Faulty::new(model(model_config()), FaultConfig::none(1));
    let (mut link, _) = Link::open(t, cfg).unwrap();
    link.write_reg(Reg::Pace, 7).unwrap();
    // from now on every request is lost
    link.transport_mut().set_config(FaultConfig {
        recv: false,
        ..FaultConfig::drops(1, 1.0)
    });
    let before = link.transport().injected().send.dropped;
    let start = link.transport().now();
    let e = link.read_reg(Reg::Status).err().unwrap();
    let waited = link.transport().now() - start;
    assert_eq!(
        link.transport().injected().send.dropped - before,
        u64::from(retries) + 1
    );
    // each attempt waited its timeout, and no more (simulated time)
    assert!(waited >= Duration::from_millis(6), "{waited:?}");
    assert!(waited < Duration::from_millis(7), "{waited:?}");
    match &e {
        LinkError::NoResponse {
            attempts,
            last_ack,
            pending,
            ..
        } => {
            assert_eq!(*attempts, retries + 1);
            assert_eq!(last_ack.unwrap().cmd, Cmd::Write);
            assert_eq!(pending.cmd, Cmd::Read);
            assert_eq!(pending.seq, last_ack.unwrap().seq.wrapping_add(1));
        }
        e => panic!("{e}"),
    }
    let s = e.to_string();
    assert!(s.contains("model board"), "{s}");
    assert!(s.contains("READ (seq") && s.contains("WRITE (seq"), "{s}");
    assert!(s.contains("6 attempts"), "{s}");
}

/// Swallows everything; `recv` sleeps out its deadline on the wall clock.
struct Void {
    sends: Arc<AtomicU64>,
}

impl Transport for Void {
    fn name(&self) -> String {
        "the void".into()
    }
    fn send(&mut self, _: &[u8]) -> Result<(), TransportError> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn recv(&mut self, _: &mut [u8], d: Deadline) -> Result<usize, TransportError> {
        std::thread::sleep(d.wait);
        Ok(0)
    }
}

#[test]
fn a_dead_wall_clock_link_gives_up_in_bounded_time_with_nothing_acknowledged() {
    let sends = Arc::new(AtomicU64::new(0));
    let cfg = LinkConfig {
        timeout: Duration::from_millis(20),
        retries: 3,
        first_seq: Some(9),
    };
    let t0 = Instant::now();
    let e = Link::open(
        Void {
            sends: sends.clone(),
        },
        cfg,
    )
    .err()
    .unwrap();
    let took = t0.elapsed();
    assert_eq!(sends.load(Ordering::SeqCst), 4);
    assert!(took >= Duration::from_millis(80), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let s = e.to_string();
    assert!(
        s.starts_with("the void: no response to HELLO (seq 9)"),
        "{s}"
    );
    assert!(s.contains("last acknowledged request: none"), "{s}");
}

#[test]
fn non_ok_statuses_are_errors_naming_command_and_status() {
    let (mut link, _) = Link::open(model(model_config()), sim_link()).unwrap();
    let status = |r: Result<Vec<u8>, LinkError>| match r {
        Err(LinkError::Status { request, status }) => (request.cmd, status),
        r => panic!("{r:?}"),
    };
    assert_eq!(
        status(link.request(Cmd::Read, &[16, 2])),
        (Cmd::Read, Status::BadAddress)
    );
    assert_eq!(
        status(link.request(Cmd::Read, &[0])),
        (Cmd::Read, Status::BadLength)
    );
    assert_eq!(
        status(link.request(Cmd::Write, &[5, 0, 0, 0, 1, 0, 0, 0])),
        (Cmd::Write, Status::BadAddress)
    );
    link.write_reg(Reg::Run, 1000).unwrap();
    let run = LoadRun {
        core: 0,
        mem: 0,
        bpw: 1,
        addr: 0,
        data: vec![1],
    };
    let e = link.load(&[run], &mut |_| {}).err().unwrap();
    assert!(matches!(
        e,
        LinkError::Status {
            status: Status::Busy,
            ..
        }
    ));
    assert!(e.to_string().contains("LOAD (seq"), "{e}");
    assert!(e.to_string().contains("status BUSY"), "{e}");
}

#[test]
fn a_malformed_response_is_an_error_naming_what_was_expected() {
    // a board that answers READ with one register too few
    let t = Rewrite::new(model(model_config()), |f| {
        if f.cmd == Cmd::Read as u8 && f.payload.len() >= 8 {
            f.payload.truncate(f.payload.len() - 4);
        }
    });
    let (mut link, _) = Link::open(t, sim_link()).unwrap();
    let e = link.read(Reg::Status, 2).err().unwrap();
    assert!(matches!(e, LinkError::Malformed { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("expected 8 bytes (2 registers), got 4 bytes"),
        "{e}"
    );
    // a status byte outside the protocol
    let t = Rewrite::new(model(model_config()), |f| {
        if f.cmd == Cmd::Write as u8 {
            f.status = 9;
        }
    });
    let (mut link, _) = Link::open(t, sim_link()).unwrap();
    let e = link.write_reg(Reg::Pace, 1).err().unwrap();
    assert!(e.to_string().contains("status 9"), "{e}");
    // spike records cut in the middle
    let t = Rewrite::new(model(model_config()), |f| {
        if f.cmd == Cmd::Spikes as u8 {
            f.payload = vec![1, 2, 3];
        }
    });
    let (mut link, _) = Link::open(t, sim_link()).unwrap();
    let e = link.spikes(4).err().unwrap();
    assert!(e.to_string().contains("spike records"), "{e}");
    // HELLO of the wrong size
    let t = Rewrite::new(model(model_config()), |f| f.payload.truncate(8));
    let e = Link::open(t, sim_link()).err().unwrap();
    assert!(e.to_string().contains("16 bytes"), "{e}");
}

#[test]
fn responses_of_other_requests_are_skipped_and_counted() {
    // every response arrives twice: the second is a stale one for the next
    // request, which must skip it
    let cfg = FaultConfig {
        p_dup: 1.0,
        send: false,
        ..FaultConfig::none(4)
    };
    let (mut link, _) = Link::open(Faulty::new(model(model_config()), cfg), sim_link()).unwrap();
    for k in 0..10 {
        link.write_reg(Reg::Pace, k).unwrap();
        assert_eq!(link.read(Reg::Magic, 2).unwrap(), vec![MAGIC, VERSION]);
    }
    let s = link.stats();
    assert_eq!(s.retries, 0);
    assert!(s.responses_skipped >= 20, "{s:?}");
}

#[test]
fn a_transport_failure_names_the_transport() {
    struct Broken;
    impl Transport for Broken {
        fn name(&self) -> String {
            "broken pipe".into()
        }
        fn send(&mut self, _: &[u8]) -> Result<(), TransportError> {
            Err(TransportError::Closed)
        }
        fn recv(&mut self, _: &mut [u8], _: Deadline) -> Result<usize, TransportError> {
            Err(TransportError::Closed)
        }
    }
    let e = Link::open(Broken, LinkConfig::default()).err().unwrap();
    assert!(matches!(e, LinkError::Transport { .. }));
    assert_eq!(e.to_string(), "broken pipe: closed by the other end");
}
