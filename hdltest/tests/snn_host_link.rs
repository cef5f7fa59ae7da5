//! hdl/snn_host_link.v (the board side of the host link, docs/runtime.md)
//! driven by frames that `spikefab_host::proto` makes and checked by its
//! decoder: the protocol is written once, in host/src/proto.rs.
//!
//! The bench (hdltest/tb/tb_snn_host_link.v) plays a stop-and-wait host
//! from a script written here (request bytes with random gaps or exact
//! ones, waits for responses), a byte sink with random backpressure, a load
//! port with random ready and long stalls, a core (start -> busy for a
//! drawn number of clocks, a step counter), a spike buffer (a FIFO) and
//! room_i (held or toggled at random), and records every byte, beat, start,
//! step end, popped spike and clr_o pulse. Each exchange starts with a mark,
//! so the bytes sent back after it are that request's response; they must
//! scan (proto::Scanner) to exactly one frame that echoes the request's
//! sequence number and command, or to nothing where the frame was to be
//! dropped. The drift test compares the RTL's constants with proto.rs.

use std::collections::BTreeMap;
use std::fs;

use spikefab_hdltest::{compile_tb, hdl_file, hex_record, scratch_dir, Gen};
use spikefab_host::proto::{
    self, encode, read_payload, request, spike_records, words, write_payload, Cmd, Frame, LoadBeat,
    LoadRun, Reg, Scan, Scanner, SpikeRecord, Status, SYNC_REQ, SYNC_RESP,
};

// ------------------------------------------------------------------ script ops
const OP_BYTE: u32 = 1;
const OP_WAITRESP: u32 = 2;
const OP_IDLE: u32 = 3;
const OP_ROOM: u32 = 4;
const OP_LDPCT: u32 = 5;
const OP_LDSTALL: u32 = 6;
const OP_SPKSTEP: u32 = 7;
const OP_SPKPUSH: u32 = 8;
const OP_RXERR: u32 = 9;
const OP_MARK: u32 = 10;
const OP_COREDUR: u32 = 11;
const OP_WAITSTEPS: u32 = 12;
const OP_RXPCT: u32 = 13;
const OP_TXPCT: u32 = 14;
const OP_EXTBUSY: u32 = 15;
const OP_MEMERR: u32 = 16;
const OP_RESET: u32 = 17;

// ------------------------------------------------------------------ records
const R_TX: i128 = 1;
const R_LD: i128 = 2;
const R_START: i128 = 3;
const R_MARK: i128 = 4;
const R_SPK: i128 = 5;
const R_CLR: i128 = 6;
const R_END: i128 = 7;
const R_RX: i128 = 8;
const R_OVR: i128 = 9;

/// Clocks from a step's end (busy_o falls) to the next start_o, with room
/// and no pace: the link sees busy low one clock later, its start register
/// is set the clock after that.
const RESTART: i64 = 3;

/// The link's parameters for one bench.
#[derive(Debug, Clone, Copy)]
struct Cfg {
    core_w: u32,
    /// N_CORES: a LOAD naming a core at or above it is BAD_ADDRESS.
    n_cores: u32,
    idle: u32,
    hash: u64,
}

const CFG: Cfg = Cfg {
    core_w: 3,
    n_cores: 7,
    idle: 50,
    hash: 0xA1B2_C3D4_5E6F_0718,
};

/// One request sent (or bytes meant as one): its mark, and what its
/// response must echo.
#[derive(Debug, Clone)]
struct Ex {
    mark: u32,
    seq: u8,
    cmd: u8,
    bytes: Vec<u8>,
}

/// The bench script, written as a host would talk.
struct Host {
    lines: Vec<String>,
    marks: u32,
    seq: u8,
}

impl Host {
    /// A host with random gaps between the bytes it sends (`rx_pct`) and a
    /// sink that is ready in `tx_pct` percent of the clocks.
    fn new(rx_pct: u32, tx_pct: u32) -> Host {
        let mut h = Host {
            lines: Vec::new(),
            marks: 0,
            seq: 0,
        };
        h.op(OP_RXPCT, rx_pct);
        h.op(OP_TXPCT, tx_pct);
        h
    }

    fn op(&mut self, op: u32, arg: u32) {
        self.lines
            .push(hex_record(&[u64::from(arg), u64::from(op)], 32));
    }

    fn mark(&mut self) -> u32 {
        let m = self.marks;
        self.marks += 1;
        self.op(OP_MARK, m);
        m
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.op(OP_BYTE, u32::from(x));
        }
    }

    /// Byte `b`, taken exactly `gap` clocks after the previous one.
    fn byte_at_gap(&mut self, b: u8, gap: u32) {
        assert!(gap >= 2);
        self.op(OP_BYTE, u32::from(b) | (gap << 8));
    }

    /// Bytes that make no response: a mark, the bytes, `wait` clocks.
    fn send_silent(&mut self, bytes: &[u8], wait: u32) -> Ex {
        let mark = self.mark();
        self.bytes(bytes);
        self.op(OP_IDLE, wait);
        Ex {
            mark,
            seq: bytes.get(1).copied().unwrap_or(0),
            cmd: bytes.get(2).copied().unwrap_or(0),
            bytes: bytes.to_vec(),
        }
    }

    /// A frame's bytes, then the wait for its response.
    fn send(&mut self, bytes: &[u8]) -> Ex {
        let mark = self.mark();
        self.bytes(bytes);
        self.op(OP_WAITRESP, 0);
        Ex {
            mark,
            seq: bytes[1],
            cmd: bytes[2],
            bytes: bytes.to_vec(),
        }
    }

    /// A new request (the next sequence number) with a raw command byte.
    fn req_raw(&mut self, cmd: u8, payload: &[u8]) -> Ex {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        self.send(&encode(SYNC_REQ, seq, cmd, 0, payload).unwrap())
    }

    fn req(&mut self, cmd: Cmd, payload: &[u8]) -> Ex {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        self.send(&request(seq, cmd, payload).unwrap())
    }

    /// The same request again (a retry after a lost response).
    fn retry(&mut self, ex: &Ex) -> Ex {
        self.send(&ex.bytes.clone())
    }

    fn read(&mut self, addr: u8, count: u8) -> Ex {
        self.req(Cmd::Read, &read_payload(addr, count))
    }

    fn write(&mut self, reg: Reg, v: u32) -> Ex {
        self.req(Cmd::Write, &write_payload(reg.addr(), v))
    }

    fn spikes(&mut self, max: u8) -> Ex {
        self.req(Cmd::Spikes, &[max])
    }

    fn load(&mut self, run: &LoadRun) -> Ex {
        self.req(Cmd::Load, &run.payload())
    }

    fn wait_steps(&mut self, n: u32) {
        self.op(OP_WAITSTEPS, n);
    }

    fn idle(&mut self, n: u32) {
        self.op(OP_IDLE, n);
    }

    fn core_dur(&mut self, lo: u32, hi: u32) {
        self.op(OP_COREDUR, lo | (hi << 16));
    }

    fn room(&mut self, pct: u32) {
        self.op(OP_ROOM, pct);
    }
}

/// What a bench run recorded.
struct Out {
    recs: Vec<Vec<i128>>,
    /// Index in `recs` of each mark's record.
    marks: Vec<usize>,
}

fn simulate(name: &str, cfg: Cfg, h: &Host, seed: u64, max_cycles: u64) -> Out {
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_host_link-{name}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_host_link",
        &["snn_host_link.v"],
        &[
            ("CORE_W", i64::from(cfg.core_w)),
            ("N_CORES", i64::from(cfg.n_cores)),
            ("IDLE_CYCLES", i64::from(cfg.idle)),
            ("HASH_LO", (cfg.hash & 0xFFFF_FFFF) as i64),
            ("HASH_HI", (cfg.hash >> 32) as i64),
            ("N", h.lines.len() as i64),
        ],
    );
    let out = tb.run(
        name,
        &h.lines,
        &[format!("seed={seed}"), format!("max_cycles={max_cycles}")],
    );
    let mut marks = vec![usize::MAX; h.marks as usize];
    for (i, r) in out.records.iter().enumerate() {
        if r[0] == R_MARK {
            marks[r[2] as usize] = i;
        }
    }
    assert!(
        marks.iter().all(|&m| m != usize::MAX),
        "{name}: a mark is missing"
    );
    let _ = fs::remove_dir_all(&dir);
    Out {
        recs: out.records,
        marks,
    }
}

impl Out {
    fn of(&self, kind: i128) -> Vec<&Vec<i128>> {
        self.recs.iter().filter(|r| r[0] == kind).collect()
    }

    /// The records after mark `m`, up to the next mark.
    fn section(&self, m: u32) -> &[Vec<i128>] {
        let from = self.marks[m as usize] + 1;
        let to = self
            .marks
            .get(m as usize + 1)
            .copied()
            .unwrap_or(self.recs.len());
        &self.recs[from..to]
    }

    fn mark_cycle(&self, m: u32) -> i64 {
        self.recs[self.marks[m as usize]][1] as i64
    }

    /// (cycle, byte) of every response byte after the exchange's mark.
    fn tx(&self, ex: &Ex) -> Vec<(i64, u8)> {
        self.section(ex.mark)
            .iter()
            .filter(|r| r[0] == R_TX)
            .map(|r| (r[1] as i64, r[2] as u8))
            .collect()
    }

    /// (cycle, byte) of every request byte the link took after the mark.
    fn rx(&self, ex: &Ex) -> Vec<(i64, u8)> {
        self.section(ex.mark)
            .iter()
            .filter(|r| r[0] == R_RX)
            .map(|r| (r[1] as i64, r[2] as u8))
            .collect()
    }

    fn raw(&self, ex: &Ex) -> Vec<u8> {
        self.tx(ex).into_iter().map(|(_, b)| b).collect()
    }

    /// The exchange's response: exactly one frame, nothing else, echoing
    /// the request's sequence number and command.
    fn resp(&self, ex: &Ex) -> Frame {
        let bytes = self.raw(ex);
        let mut s = Scanner::new(SYNC_RESP);
        let got = s.push(&bytes);
        assert_eq!(
            s.pending(),
            0,
            "mark {}: a cut response {bytes:02x?}",
            ex.mark
        );
        let frames: Vec<Frame> = got
            .into_iter()
            .map(|x| match x {
                Scan::Frame(f) => f,
                Scan::Dropped { bytes: n, why } => {
                    panic!(
                        "mark {}: {n} bad response bytes ({why}): {bytes:02x?}",
                        ex.mark
                    )
                }
            })
            .collect();
        assert_eq!(
            frames.len(),
            1,
            "mark {} (request {:02x?}): {} responses",
            ex.mark,
            ex.bytes,
            frames.len()
        );
        let f = frames.into_iter().next().unwrap();
        assert_eq!(f.sync, SYNC_RESP);
        assert_eq!(f.seq, ex.seq, "mark {}: the response's seq", ex.mark);
        assert_eq!(f.cmd, ex.cmd, "mark {}: the response's cmd", ex.mark);
        f
    }

    /// The response's status is `st`; its payload.
    fn status(&self, ex: &Ex, st: Status) -> Vec<u8> {
        let f = self.resp(ex);
        assert_eq!(
            Status::from_u8(f.status),
            Some(st),
            "mark {} (request {:02x?}): status {}",
            ex.mark,
            ex.bytes,
            f.status
        );
        f.payload
    }

    /// An error response: the status, an empty payload.
    fn error(&self, ex: &Ex, st: Status) {
        let p = self.status(ex, st);
        assert!(p.is_empty(), "mark {}: an error with a payload", ex.mark);
    }

    fn ok(&self, ex: &Ex) -> Vec<u8> {
        self.status(ex, Status::Ok)
    }

    fn regs(&self, ex: &Ex) -> Vec<u32> {
        words(&self.ok(ex)).expect("whole registers")
    }

    fn reg(&self, ex: &Ex) -> u32 {
        let v = self.regs(ex);
        assert_eq!(v.len(), 1);
        v[0]
    }

    fn silent(&self, ex: &Ex) {
        let b = self.raw(ex);
        assert!(
            b.is_empty(),
            "mark {} (bytes {:02x?}): answered {b:02x?}, expected no response",
            ex.mark,
            ex.bytes
        );
    }

    /// The cycle of the last request byte the link took for this exchange.
    fn last_rx(&self, ex: &Ex) -> i64 {
        self.rx(ex).last().expect("request bytes").0
    }

    /// Start cycles, checking that each was decided with room and an idle core.
    fn starts(&self) -> Vec<i64> {
        self.of(R_START)
            .iter()
            .map(|r| {
                assert_eq!(r[2], 1, "a start at cycle {} without room", r[1]);
                assert_eq!(r[3], 0, "a start at cycle {} while the core was busy", r[1]);
                r[1] as i64
            })
            .collect()
    }

    fn starts_in(&self, m: u32) -> Vec<i64> {
        self.section(m)
            .iter()
            .filter(|r| r[0] == R_START)
            .map(|r| r[1] as i64)
            .collect()
    }

    fn ends(&self) -> Vec<i64> {
        self.of(R_END).iter().map(|r| r[1] as i64).collect()
    }

    /// Every start is followed by its step's end before the next start:
    /// one start, one step.
    fn one_step_per_start(&self) {
        let mut ev: Vec<(i64, bool)> = self.starts().into_iter().map(|c| (c, true)).collect();
        ev.extend(self.ends().into_iter().map(|c| (c, false)));
        ev.sort();
        let mut open = false;
        for (c, is_start) in ev {
            if is_start {
                assert!(!open, "a second start at cycle {c} before the step ended");
                open = true;
            } else {
                assert!(open, "a step ended at cycle {c} without a start");
                open = false;
            }
        }
    }

    fn beats(&self) -> Vec<(i64, LoadBeat)> {
        self.of(R_LD)
            .iter()
            .map(|r| {
                (
                    r[1] as i64,
                    LoadBeat {
                        core: r[2] as u16,
                        mem: r[3] as u8,
                        addr: r[4] as u32,
                        data: r[5] as u32,
                        last: r[6] == 1,
                    },
                )
            })
            .collect()
    }

    fn popped(&self) -> Vec<SpikeRecord> {
        self.of(R_SPK)
            .iter()
            .map(|r| SpikeRecord {
                step: r[2] as u32,
                neuron: r[3] as u32,
            })
            .collect()
    }
}

/// Readable registers by address, as a READ of 0..=16 returns them.
fn by_addr(v: &[u32], first: u8) -> BTreeMap<u8, u32> {
    v.iter()
        .enumerate()
        .map(|(i, &x)| (first + i as u8, x))
        .collect()
}

fn status_bits(running: bool, busy: bool, mem_err: bool, overrun: bool, ld_ready: bool) -> u32 {
    use proto::status_bits as s;
    let mut v = 0;
    for (on, bit) in [
        (running, s::RUNNING),
        (busy, s::CORE_BUSY),
        (mem_err, s::MEM_ERR),
        (overrun, s::OVERRUN),
        (ld_ready, s::LOAD_READY),
    ] {
        if on {
            v |= bit;
        }
    }
    v
}

// ==================================================================== tests

#[test]
fn hello_returns_magic_version_and_the_config_hash() {
    for (k, cfg) in [
        CFG,
        Cfg {
            core_w: 16,
            n_cores: 65536,
            idle: 7,
            hash: 0x0000_0001_8000_0003,
        },
    ]
    .into_iter()
    .enumerate()
    {
        let mut h = Host::new(65, 55);
        h.seq = 200 + k as u8;
        let hello = h.req(Cmd::Hello, &[]);
        let read = h.read(Reg::Magic.addr(), 4);
        let again = h.req(Cmd::Hello, &[]);
        let out = simulate(&format!("hello-{k}"), cfg, &h, 11 + k as u64, 200_000);
        let want = vec![
            proto::MAGIC,
            proto::VERSION,
            cfg.hash as u32,
            (cfg.hash >> 32) as u32,
        ];
        assert_eq!(out.regs(&hello), want, "HELLO of {cfg:?}");
        assert_eq!(out.regs(&read), want, "READ 0..=3 of {cfg:?}");
        assert_eq!(out.regs(&again), want);
        assert_eq!(out.ok(&hello).len(), 16);
    }
}

#[test]
fn every_register_reads_as_the_map_says_and_clear_zeroes_the_counters() {
    let mut h = Host::new(60, 50);
    h.core_dur(20, 20);
    // 11 spikes of two steps in the buffer
    h.op(OP_SPKSTEP, 9);
    for n in 0..6 {
        h.op(OP_SPKPUSH, 1000 + n);
    }
    h.op(OP_SPKSTEP, 10);
    for n in 0..5 {
        h.op(OP_SPKPUSH, 77_000 + n);
    }
    // 5 lost bytes
    for _ in 0..5 {
        h.op(OP_RXERR, 0);
        h.idle(3);
    }
    h.op(OP_MEMERR, 1);
    // 3 steps
    let run3 = h.write(Reg::Run, 3);
    h.wait_steps(3);
    // one frame with a bad CRC, one retry
    let mut bad = request(h.seq, Cmd::Read, &read_payload(0, 1)).unwrap();
    let n = bad.len();
    bad[n - 1] ^= 0x40;
    let bad_ex = h.send_silent(&bad, 3 * CFG.idle);
    let rd5 = h.read(Reg::StepsDone.addr(), 1);
    let rd5_again = h.retry(&rd5);
    // 4 spikes sent
    let sp = h.spikes(4);
    // stall cycles: no room while a step is due
    h.room(0);
    let run1 = h.write(Reg::Run, 1);
    h.idle(150);
    let st_run = h.read(Reg::Status.addr(), 1);
    h.room(100);
    h.wait_steps(4);
    // an overrun: pace 10 with 20-clock steps
    let pace = h.write(Reg::Pace, 10);
    let run2 = h.write(Reg::Run, 2);
    h.wait_steps(6);
    let all = h.read(0, 17);
    // each register alone
    let singles: Vec<(u8, Ex)> = (0..Reg::READABLE).map(|a| (a, h.read(a, 1))).collect();
    // core busy (a configuration clear), load port not ready
    h.op(OP_EXTBUSY, 2000);
    h.op(OP_LDSTALL, 3000);
    h.idle(20);
    let st_busy = h.read(Reg::Status.addr(), 1);
    h.idle(3000);
    // CLEAR
    let clear = h.write(Reg::Clear, 0xDEAD_BEEF);
    let after = h.read(Reg::SpkEmitted.addr(), 8);
    let st_after = h.read(Reg::Status.addr(), 1);
    // reset: everything back to zero
    h.op(OP_RESET, 4);
    h.idle(5);
    let reset = h.read(0, 17);
    let out = simulate("registers", CFG, &h, 5, 400_000);

    out.ok(&run3);
    out.silent(&bad_ex);
    assert_eq!(out.reg(&rd5), 3, "STEPS_DONE");
    assert_eq!(out.raw(&rd5_again), out.raw(&rd5));
    assert_eq!(spike_records(&out.ok(&sp)).unwrap().len(), 4);
    out.ok(&run1);
    // running (a step left), memory error, load port ready
    assert_eq!(
        out.reg(&st_run),
        status_bits(true, false, true, false, true),
        "STATUS with a step waiting for room"
    );
    out.ok(&pace);
    out.ok(&run2);
    let starts = out.starts_in(run2.mark);
    assert_eq!(starts.len(), 2);
    assert!(
        starts[1] - starts[0] > 10,
        "20-clock steps at pace 10 are late"
    );
    out.one_step_per_start();

    let v = by_addr(&out.regs(&all), 0);
    let stall = v[&Reg::StallCycles.addr()];
    assert!(
        (150..=1500).contains(&stall),
        "STALL_CYCLES {stall} for ~150 clocks without room"
    );
    let want: Vec<(Reg, u32)> = vec![
        (Reg::Magic, proto::MAGIC),
        (Reg::Version, proto::VERSION),
        (Reg::HashLo, CFG.hash as u32),
        (Reg::HashHi, (CFG.hash >> 32) as u32),
        (Reg::Status, status_bits(false, false, true, true, true)),
        (Reg::StepsDone, 6),
        (Reg::StepsLeft, 0),
        // the snapshot taken as the READ starts: the clock after its last byte
        (Reg::CyclesLo, out.last_rx(&all) as u32),
        (Reg::CyclesHi, 0),
        (Reg::SpkEmitted, 11),
        (Reg::SpkSent, 4),
        (Reg::SpkLevel, 7),
        (Reg::StallCycles, stall),
        (Reg::BadFrames, 1),
        (Reg::DupFrames, 1),
        (Reg::Overruns, 1),
        (Reg::RxErrors, 5),
    ];
    assert_eq!(want.len(), Reg::READABLE as usize);
    for (r, w) in &want {
        assert_eq!(v[&r.addr()], *w, "register {} in READ 0..=16", r.name());
    }
    for (a, ex) in &singles {
        let got = out.reg(ex);
        let r = want[*a as usize].0;
        match r {
            Reg::CyclesLo => assert_eq!(got, out.last_rx(ex) as u32, "CYCLES_LO alone"),
            _ => assert_eq!(got, want[*a as usize].1, "register {} alone", r.name()),
        }
    }
    assert_eq!(
        out.reg(&st_busy),
        status_bits(false, true, true, true, false),
        "STATUS with the core busy and the load port stalled"
    );
    // CLEAR: one clr_o pulse, the link's counters 0, the sticky bit kept
    out.ok(&clear);
    let clr = out.of(R_CLR);
    assert_eq!(clr.len(), 1, "clr_o pulses once");
    let a = by_addr(&out.regs(&after), Reg::SpkEmitted.addr());
    for (r, w) in [
        (Reg::SpkEmitted, 0),
        (Reg::SpkSent, 0),
        (Reg::SpkLevel, 7),
        (Reg::StallCycles, 0),
        (Reg::BadFrames, 0),
        (Reg::DupFrames, 0),
        (Reg::Overruns, 0),
        (Reg::RxErrors, 0),
    ] {
        assert_eq!(a[&r.addr()], w, "{} after CLEAR", r.name());
    }
    assert_eq!(
        out.reg(&st_after),
        status_bits(false, false, true, true, true),
        "the overrun bit is sticky until reset"
    );
    let z = by_addr(&out.regs(&reset), 0);
    for r in Reg::ALL.iter().filter(|r| r.addr() < Reg::READABLE) {
        let w = match r {
            Reg::Magic => proto::MAGIC,
            Reg::Version => proto::VERSION,
            Reg::HashLo => CFG.hash as u32,
            Reg::HashHi => (CFG.hash >> 32) as u32,
            Reg::Status => status_bits(false, false, true, false, true),
            Reg::CyclesLo => z[&r.addr()],
            Reg::SpkEmitted => 0,
            Reg::SpkLevel => 7,
            _ => 0,
        };
        assert_eq!(z[&r.addr()], w, "{} after reset", r.name());
    }
    let reset_at = out.mark_cycle(reset.mark);
    assert!(
        z[&Reg::CyclesLo.addr()] < 200 && (z[&Reg::CyclesLo.addr()] as i64) < reset_at,
        "CYCLES restarts at reset"
    );
}

#[test]
fn lost_bytes_and_stall_cycles_count_exactly() {
    let mut h = Host::new(70, 60);
    h.core_dur(5, 9);
    for _ in 0..7 {
        h.op(OP_RXERR, 0);
        h.idle(1);
    }
    // RX_ERRORS: 7; STALL_CYCLES grows by exactly the clocks between two
    // READs while a step waits for room, by none while room is there
    h.room(0);
    let run = h.write(Reg::Run, 3);
    h.idle(211);
    let a = h.read(Reg::CyclesLo.addr(), 10);
    h.idle(333);
    let b = h.read(Reg::CyclesLo.addr(), 10);
    h.room(100);
    h.wait_steps(3);
    let c = h.read(Reg::CyclesLo.addr(), 10);
    h.idle(97);
    let d = h.read(Reg::CyclesLo.addr(), 10);
    // steps with room all along: no stall
    let run5 = h.write(Reg::Run, 5);
    h.wait_steps(8);
    let e = h.read(Reg::CyclesLo.addr(), 10);
    let out = simulate("stall", CFG, &h, 9, 200_000);
    out.ok(&run5);
    out.ok(&run);
    let field = |ex: &Ex, r: Reg| by_addr(&out.regs(ex), Reg::CyclesLo.addr())[&r.addr()];
    for ex in [&a, &b, &c, &d] {
        assert_eq!(field(ex, Reg::RxErrors), 7, "RX_ERRORS");
    }
    let dc = field(&b, Reg::CyclesLo) - field(&a, Reg::CyclesLo);
    let ds = field(&b, Reg::StallCycles) - field(&a, Reg::StallCycles);
    assert!(dc > 333);
    assert_eq!(
        ds, dc,
        "every clock without room while a step is due stalls"
    );
    assert!(field(&a, Reg::StallCycles) >= 211);
    assert_eq!(
        field(&d, Reg::StallCycles),
        field(&c, Reg::StallCycles),
        "no stall without steps"
    );
    assert_eq!(
        field(&e, Reg::StallCycles),
        field(&d, Reg::StallCycles),
        "no stall while room is there"
    );
    let starts = out.starts();
    assert_eq!(starts.len(), 8);
    assert!(starts[0] > out.mark_cycle(b.mark), "no start without room");
    out.one_step_per_start();
}

#[test]
fn errors_get_their_status_and_an_empty_payload_and_change_nothing() {
    let mut h = Host::new(75, 60);
    let mut exs: Vec<(Ex, Status)> = Vec::new();
    use Status::*;
    for cmd in [5u8, 6, 0x42, 0x80, 0xFF] {
        exs.push((h.req_raw(cmd, &[]), BadCommand));
    }
    exs.push((h.req_raw(7, &[1, 2, 3]), BadCommand));
    exs.push((h.req(Cmd::Hello, &[0]), BadLength));
    // READ
    for p in [&[][..], &[0], &[0, 1, 0], &[0, 0], &[0, 61], &[0, 255]] {
        exs.push((h.req(Cmd::Read, p), BadLength));
    }
    for (a, c) in [(17u8, 1u8), (16, 2), (0, 18), (255, 1), (200, 60), (10, 8)] {
        exs.push((h.read(a, c), BadAddress));
    }
    // WRITE
    for n in [0usize, 4, 7, 9, 12] {
        let mut p = write_payload(Reg::Run.addr(), 5);
        p.resize(n, 0);
        exs.push((h.req(Cmd::Write, &p), BadLength));
    }
    for a in [0u8, 4, 16, 17, 31, 36, 99, 255] {
        exs.push((h.req(Cmd::Write, &write_payload(a, 5)), BadAddress));
    }
    // LOAD
    let good = LoadRun {
        core: 1,
        mem: 2,
        bpw: 3,
        addr: 40,
        data: (0..6).map(|i| 0x1111_1111 * i).collect(),
    };
    for n in [0usize, 4, 7, 8, 9, 10, 11, 13] {
        let mut p = good.payload();
        p.truncate(n);
        exs.push((h.req(Cmd::Load, &p), BadLength));
    }
    for (bpw, k) in [(0u8, 2usize), (3, 4), (5, 4), (4, 6), (255, 58)] {
        let r = LoadRun {
            bpw,
            data: vec![7; k],
            ..good.clone()
        };
        exs.push((h.load(&r), BadLength));
    }
    // a core the design does not have (N_CORES = 7), also one whose low
    // CORE_W bits name a real core
    for core in [7u16, 8, 9, 0xFFFF] {
        let r = LoadRun {
            core,
            ..good.clone()
        };
        exs.push((h.load(&r), BadAddress));
    }
    // SPIKES
    for p in [&[][..], &[0], &[31], &[255], &[1, 0]] {
        exs.push((h.req(Cmd::Spikes, p), BadLength));
    }
    // the boundaries are fine
    let rd_all = h.read(0, 17);
    let rd_last = h.read(16, 1);
    let rd_60 = h.req(Cmd::Read, &read_payload(0, 60));
    // LOAD while steps are left: BUSY, no beat
    h.room(0);
    let run = h.write(Reg::Run, 2);
    exs.push((h.load(&good), Busy));
    let stop = h.write(Reg::Stop, 0);
    // LOAD while a step runs (none left): BUSY; after it: OK
    h.room(100);
    h.core_dur(3000, 3000);
    let run1 = h.write(Reg::Run, 1);
    h.idle(40);
    let st = h.read(Reg::Status.addr(), 2);
    exs.push((h.load(&good), Busy));
    h.wait_steps(1);
    let ld = h.load(&good);
    let left = h.read(Reg::StepsLeft.addr(), 1);
    let out = simulate("errors", CFG, &h, 3, 400_000);

    for (ex, st) in &exs {
        out.error(ex, *st);
    }
    assert_eq!(out.regs(&rd_all).len(), 17);
    assert_eq!(out.regs(&rd_last).len(), 1);
    // READ of 60 from 0 reaches 59: not readable
    out.error(&rd_60, BadAddress);
    out.ok(&run);
    out.ok(&stop);
    out.ok(&run1);
    let s = out.regs(&st);
    assert_eq!(
        s,
        vec![status_bits(true, true, false, false, true), 0],
        "STATUS and STEPS_DONE while the one step runs"
    );
    out.ok(&ld);
    assert_eq!(out.reg(&left), 0);
    // no beat but the good LOAD's, one start only, no clear
    let beats: Vec<LoadBeat> = out.beats().into_iter().map(|(_, b)| b).collect();
    let want: Vec<LoadBeat> = good
        .beats()
        .into_iter()
        .map(|b| LoadBeat {
            core: b.core & 7,
            ..b
        })
        .collect();
    assert_eq!(beats, want);
    assert_eq!(out.starts().len(), 1, "only RUN 1 started a step");
    assert!(out.of(R_CLR).is_empty());
}

#[test]
fn load_beats_reach_the_load_port_exactly_under_random_and_long_stalls() {
    let mut g = Gen::new(0x10ad);
    for (k, cfg, stall) in [
        (0, CFG, 80_000u32),
        (
            1,
            Cfg {
                core_w: 16,
                n_cores: 65536,
                ..CFG
            },
            5_000,
        ),
    ] {
        let mut runs = vec![
            LoadRun {
                core: 0x0005,
                mem: 1,
                bpw: 1,
                addr: 0,
                data: vec![0xCAFE_F00D],
            },
            LoadRun {
                core: 0xFFFF,
                mem: 0xF7,
                bpw: 3,
                addr: 1234,
                data: vec![0; 57],
            },
            LoadRun {
                core: 0x1236,
                mem: 11,
                bpw: 29,
                addr: 77,
                data: vec![0; 58],
            },
            LoadRun {
                core: 3,
                mem: 4,
                bpw: 58,
                addr: 9,
                data: vec![0; 58],
            },
            LoadRun {
                core: 2,
                mem: 15,
                bpw: 1,
                addr: 0xFFFF_FFFE,
                data: vec![0; 5],
            },
            LoadRun {
                core: 0x8001,
                mem: 0,
                bpw: 7,
                addr: 0x8000_0000,
                data: vec![0; 35],
            },
            LoadRun {
                core: 1,
                mem: 9,
                bpw: 2,
                addr: 600,
                data: vec![0; 26],
            },
        ];
        for r in &mut runs {
            for d in &mut r.data {
                *d = g.u32();
            }
            // a core the design has (N_CORES)
            r.core = (u32::from(r.core) % cfg.n_cores) as u16;
        }
        let mut h = Host::new(70, 45);
        h.op(OP_LDPCT, 35);
        let mut exs = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            if i == 2 {
                // the load port closes for a long time (a configuration clear)
                h.op(OP_LDSTALL, stall);
            }
            exs.push(h.load(r));
        }
        let retry = h.retry(&exs[exs.len() - 1]);
        let out = simulate(&format!("load-{k}"), cfg, &h, 21 + k, 1_000_000);
        let mask = if cfg.core_w == 16 {
            0xFFFF
        } else {
            (1u16 << cfg.core_w) - 1
        };
        let got = out.beats();
        let want: Vec<LoadBeat> = runs
            .iter()
            .flat_map(|r| r.beats())
            .map(|b| LoadBeat {
                core: b.core & mask,
                mem: b.mem & 15,
                ..b
            })
            .collect();
        assert_eq!(got.len(), want.len(), "beats on the load port ({cfg:?})");
        for (i, ((_, g), w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "beat {i} ({cfg:?})");
        }
        // each LOAD is answered after its last beat, before the next LOAD
        let mut i = 0;
        for (r, ex) in runs.iter().zip(&exs) {
            out.ok(ex);
            let n = r.data.len();
            let last_beat = got[i + n - 1].0;
            let first_resp = out.tx(ex)[0].0;
            assert!(
                last_beat < first_resp,
                "LOAD at mark {} answered at {first_resp}, its last beat at {last_beat}",
                ex.mark
            );
            assert!(got[i].0 > out.mark_cycle(ex.mark));
            i += n;
        }
        // the long stall was waited out
        let s = got[runs[0].data.len() + runs[1].data.len()].0;
        assert!(s > out.mark_cycle(exs[2].mark) + i64::from(stall) - 1000);
        // a retried LOAD is answered from the kept response, no beat again
        assert_eq!(out.raw(&retry), out.raw(&exs[exs.len() - 1]));
    }
}

#[test]
fn run_n_makes_exactly_n_starts_one_per_step_only_with_room() {
    let mut h = Host::new(65, 50);
    h.core_dur(1, 40);
    h.room(70);
    let r7 = h.write(Reg::Run, 7);
    h.wait_steps(7);
    let st = h.read(Reg::StepsDone.addr(), 2);
    // more steps while running add up
    let r4 = h.write(Reg::Run, 4);
    let r9 = h.write(Reg::Run, 9);
    let running = h.read(Reg::Status.addr(), 1);
    h.wait_steps(20);
    let st2 = h.read(Reg::StepsDone.addr(), 2);
    // a configuration clear (busy without a step): nothing starts meanwhile
    h.room(0);
    let r2 = h.write(Reg::Run, 2);
    h.op(OP_EXTBUSY, 300);
    h.room(100);
    h.wait_steps(22);
    // saturation and STOP
    h.room(0);
    let big = h.write(Reg::Run, 0xFFFF_FFF0);
    let more = h.write(Reg::Run, 0x20);
    let one = h.write(Reg::Run, 1);
    let sat = h.read(Reg::StepsLeft.addr(), 1);
    let stop = h.write(Reg::Stop, 0x1234);
    h.room(100);
    let zero = h.write(Reg::Run, 0);
    h.idle(300);
    let fin = h.read(Reg::Status.addr(), 3);
    let out = simulate("run", CFG, &h, 17, 400_000);
    for ex in [&r7, &r4, &r9, &r2, &big, &more, &one, &stop, &zero] {
        out.ok(ex);
    }
    assert_eq!(
        out.regs(&st),
        vec![7, 0],
        "STEPS_DONE, STEPS_LEFT after RUN 7"
    );
    assert_eq!(
        out.reg(&running) & proto::status_bits::RUNNING,
        proto::status_bits::RUNNING
    );
    assert_eq!(out.regs(&st2), vec![20, 0]);
    assert_eq!(out.reg(&sat), u32::MAX, "RUN saturates");
    assert_eq!(
        out.regs(&fin),
        vec![status_bits(false, false, false, false, true), 22, 0],
        "STOP: no step starts"
    );
    let starts = out.starts();
    assert_eq!(starts.len(), 22, "starts");
    out.one_step_per_start();
    // without pace a step starts as soon as the last ended and room is there
    let ends = out.ends();
    assert_eq!(ends.len(), 22);
    for w in starts.windows(2).zip(&ends) {
        assert!(
            w.0[1] >= w.1 + RESTART,
            "a start {} clocks after a step end",
            w.0[1] - w.1
        );
    }
    // the EXTBUSY clocks: none of the two starts inside
    let ext = out.starts_in(r2.mark);
    assert_eq!(ext.len(), 2);
}

#[test]
fn paced_steps_start_pace_clocks_apart_and_late_ones_count_as_overruns() {
    const P: i64 = 37;
    let mut h = Host::new(70, 60);
    let pace = h.write(Reg::Pace, P as u32);
    // fast steps: exactly P apart, nothing late
    h.core_dur(5, 20);
    let fast = h.write(Reg::Run, 9);
    h.wait_steps(9);
    let o1 = h.read(Reg::Overruns.addr(), 1);
    // a new run after a long pause: its first start is not late
    h.idle(500);
    let fast2 = h.write(Reg::Run, 2);
    h.wait_steps(11);
    let o2 = h.read(Reg::Overruns.addr(), 1);
    // steps about as long as the pace: some late
    h.core_dur(25, 45);
    let slow = h.write(Reg::Run, 13);
    h.wait_steps(24);
    let o3 = h.read(Reg::Overruns.addr(), 1);
    let s3 = h.read(Reg::Status.addr(), 1);
    // no pace: a step starts as soon as the last one ended
    let nopace = h.write(Reg::Pace, 0);
    h.core_dur(4, 11);
    let free = h.write(Reg::Run, 6);
    h.wait_steps(30);
    let o4 = h.read(Reg::Overruns.addr(), 1);
    let out = simulate("pace", CFG, &h, 23, 400_000);
    for ex in [&pace, &fast, &fast2, &slow, &nopace, &free] {
        out.ok(ex);
    }
    out.one_step_per_start();
    let _ = out.starts();
    let ends = out.ends();
    let end_after = |s: i64| *ends.iter().find(|&&e| e > s).expect("the step ends");
    // start k+1 = max(start k + P, end k + RESTART) with pace P
    let check = |m: u32, pace: i64, n: usize| -> u32 {
        let s = out.starts_in(m);
        assert_eq!(s.len(), n, "starts of the run at mark {m}");
        let mut late = 0;
        for w in s.windows(2) {
            let e = end_after(w[0]);
            let due = if pace > 0 { w[0] + pace } else { w[0] };
            assert_eq!(
                w[1],
                due.max(e + RESTART),
                "start after {} (step end {e}, pace {pace})",
                w[0]
            );
            if pace > 0 && w[1] - w[0] > pace {
                late += 1;
            }
        }
        late
    };
    assert_eq!(check(fast.mark, P, 9), 0);
    assert_eq!(out.reg(&o1), 0, "no overrun with fast steps");
    assert_eq!(check(fast2.mark, P, 2), 0);
    assert_eq!(out.reg(&o2), 0, "the first start of a run is not late");
    let late = check(slow.mark, P, 13);
    assert!((2..12).contains(&late), "{late} late starts: draw again");
    assert_eq!(out.reg(&o3), late, "OVERRUNS counts the late starts");
    assert_eq!(
        out.reg(&s3) & proto::status_bits::OVERRUN,
        proto::status_bits::OVERRUN
    );
    // overrun_o rises with the first late start
    let rise = out.of(R_OVR);
    assert_eq!(rise.len(), 1);
    let s = out.starts_in(slow.mark);
    let first_late = s
        .windows(2)
        .find(|w| w[1] - w[0] > P)
        .map(|w| w[1])
        .unwrap();
    assert_eq!(rise[0][1] as i64, first_late);
    assert_eq!(check(free.mark, 0, 6), 0);
    assert_eq!(out.reg(&o4), late);
}

#[test]
fn spikes_come_back_in_order_and_are_counted_once_even_when_retried() {
    let mut g = Gen::new(0x5b1e);
    let mut h = Host::new(60, 45);
    let mut pushed = Vec::new();
    let mut step = 3u32;
    for i in 0..47 {
        if i % 5 == 0 {
            step += 1 + g.below(3) as u32;
            h.op(OP_SPKSTEP, step);
        }
        let neuron = g.u32();
        h.op(OP_SPKPUSH, neuron);
        pushed.push(SpikeRecord { step, neuron });
    }
    let a = h.spikes(30);
    let a2 = h.retry(&a);
    let a3 = h.retry(&a);
    let mid = h.read(Reg::SpkEmitted.addr(), 3);
    let b = h.spikes(13);
    let c = h.spikes(30);
    let d = h.spikes(7);
    let d2 = h.retry(&d);
    h.op(OP_SPKSTEP, 99);
    h.op(OP_SPKPUSH, 5);
    h.op(OP_SPKPUSH, 6);
    h.op(OP_SPKPUSH, 7);
    pushed.extend([5, 6, 7].map(|neuron| SpikeRecord { step: 99, neuron }));
    let e = h.spikes(1);
    let regs = h.read(Reg::SpkEmitted.addr(), 6);
    let clear = h.write(Reg::Clear, 0);
    let clear2 = h.retry(&clear);
    let after = h.read(Reg::SpkEmitted.addr(), 3);
    let out = simulate("spikes", CFG, &h, 31, 300_000);
    let recs = |ex: &Ex| spike_records(&out.ok(ex)).expect("whole records");
    let ra = recs(&a);
    assert_eq!(ra, pushed[..30].to_vec());
    for r in [&a2, &a3] {
        assert_eq!(out.raw(r), out.raw(&a), "a retry gets the kept bytes");
    }
    assert_eq!(out.regs(&mid), vec![47, 30, 17], "EMITTED, SENT, LEVEL");
    assert_eq!(recs(&b), pushed[30..43].to_vec());
    assert_eq!(recs(&c), pushed[43..47].to_vec());
    assert!(recs(&d).is_empty(), "an empty buffer: OK, no records");
    assert_eq!(out.raw(&d2), out.raw(&d));
    assert_eq!(recs(&e), pushed[47..48].to_vec());
    // the records left the buffer once each, in order
    assert_eq!(out.popped(), pushed[..48].to_vec());
    let v = by_addr(&out.regs(&regs), Reg::SpkEmitted.addr());
    assert_eq!(v[&Reg::SpkEmitted.addr()], 50);
    assert_eq!(
        v[&Reg::SpkSent.addr()],
        48,
        "SPK_SENT counts each record once"
    );
    assert_eq!(v[&Reg::SpkLevel.addr()], 2);
    assert_eq!(v[&Reg::DupFrames.addr()], 3);
    out.ok(&clear);
    assert_eq!(out.raw(&clear2), out.raw(&clear));
    assert_eq!(
        out.of(R_CLR).len(),
        1,
        "a retried CLEAR does not clear again"
    );
    assert_eq!(out.regs(&after), vec![0, 0, 2]);
}

#[test]
fn a_retry_gets_the_kept_response_and_executes_nothing() {
    let mut h = Host::new(70, 40);
    h.core_dur(10, 30);
    let mut n_dup = 0u32;
    // RUN 3, retried twice: 3 steps
    let r = h.write(Reg::Run, 3);
    let r_a = h.retry(&r);
    let r_b = h.retry(&r);
    n_dup += 2;
    h.wait_steps(3);
    let left = h.read(Reg::StepsLeft.addr(), 1);
    // a kept error response
    let bad = h.req_raw(0x33, &[]);
    let bad2 = h.retry(&bad);
    n_dup += 1;
    // a retry of an older request is a new request
    let r1 = h.write(Reg::Run, 1);
    h.wait_steps(4);
    let old = h.retry(&r1);
    n_dup += 1;
    let r_again = h.retry(&r);
    h.wait_steps(7);
    // HELLO always executes, and forgets the kept response
    h.seq = 90;
    let hello = h.req(Cmd::Hello, &[]);
    let hello2 = h.retry(&hello);
    let run_same_seq =
        h.send(&request(90, Cmd::Write, &write_payload(Reg::Run.addr(), 1)).unwrap());
    h.wait_steps(8);
    let run_same2 = h.retry(&run_same_seq);
    n_dup += 1;
    let hello3 = h.req(Cmd::Hello, &[]);
    let after_hello = h.retry(&run_same_seq);
    h.wait_steps(9);
    // a HELLO with the kept response's seq is no retry
    let hello_same = h.send(&request(run_same_seq.seq, Cmd::Hello, &[]).unwrap());
    // after reset nothing is kept
    let before = h.write(Reg::Run, 1);
    h.wait_steps(10);
    let dup_count = h.read(Reg::DupFrames.addr(), 1);
    h.op(OP_RESET, 3);
    h.idle(5);
    let after_reset = h.retry(&before);
    h.wait_steps(1);
    let done = h.read(Reg::StepsDone.addr(), 2);
    let dup_after = h.read(Reg::DupFrames.addr(), 1);
    let out = simulate("exactly-once", CFG, &h, 41, 400_000);

    let kept = out.raw(&r);
    out.ok(&r);
    assert_eq!(out.raw(&r_a), kept, "a retry gets the kept response");
    assert_eq!(out.raw(&r_b), kept);
    assert_eq!(out.reg(&left), 0);
    out.error(&bad, Status::BadCommand);
    assert_eq!(
        out.raw(&bad2),
        out.raw(&bad),
        "error responses are kept too"
    );
    out.ok(&r1);
    assert_eq!(out.raw(&old), out.raw(&r1));
    out.ok(&r_again);
    assert_eq!(out.resp(&hello).payload.len(), 16);
    assert_eq!(
        out.raw(&hello2),
        out.raw(&hello),
        "HELLO again: the same answer"
    );
    out.ok(&run_same_seq);
    assert_eq!(out.raw(&run_same2), out.raw(&run_same_seq));
    out.ok(&hello3);
    out.ok(&after_hello);
    assert_eq!(
        out.regs(&hello_same)[..2],
        [proto::MAGIC, proto::VERSION],
        "a HELLO is executed whatever its seq"
    );
    out.ok(&before);
    assert_eq!(out.reg(&dup_count), n_dup, "DUP_FRAMES");
    out.ok(&after_reset);
    assert_eq!(
        out.regs(&done),
        vec![1, 0],
        "the request after reset executed"
    );
    assert_eq!(out.reg(&dup_after), 0);
    // starts: RUN 3, RUN 1, RUN 3 (old seq, new request), RUN 1 after
    // HELLO, RUN 1 after the second HELLO, RUN 1, RUN 1 after reset
    let starts = out.starts();
    assert_eq!(starts.len(), 3 + 1 + 3 + 1 + 1 + 1 + 1);
    out.one_step_per_start();
}

/// A frame whose bytes after the sync byte hold no 0xA5 (so that, once the
/// frame is dropped, hunting finds nothing in its rest).
fn clean_frame(seq: &mut u8, cmd: Cmd, payload: &[u8]) -> Vec<u8> {
    loop {
        let f = request(*seq, cmd, payload).unwrap();
        *seq = seq.wrapping_add(1);
        if !f[1..].contains(&SYNC_REQ) {
            return f;
        }
    }
}

#[test]
fn bad_frames_are_dropped_and_counted_and_the_next_good_frame_is_answered() {
    let idle = CFG.idle;
    let quiet = 3 * idle;
    let mut h = Host::new(75, 55);
    let mut seq = 0u8;
    let mut bad = 0u32;
    let mut silent = Vec::new();
    let mut good = Vec::new();
    // one flipped bit anywhere after the sync byte
    let payload = read_payload(Reg::BadFrames.addr(), 1);
    for k in 1..12 {
        let mut f = clean_frame(&mut seq, Cmd::Read, &payload);
        for bit in 0..8 {
            let x = f[k] ^ (1 << bit);
            if x != SYNC_REQ {
                f[k] = x;
                break;
            }
        }
        silent.push(h.send_silent(&f, quiet));
        bad += 1;
        let ok = clean_frame(&mut seq, Cmd::Read, &payload);
        good.push((h.send(&ok), bad));
    }
    // a length over 240 (the header alone; then a good frame at once)
    for len in [241u16, 0xFFFF] {
        let mut hd = vec![SYNC_REQ, seq, Cmd::Read as u8, 0];
        hd.extend_from_slice(&len.to_le_bytes());
        silent.push(h.send_silent(&hd, 0));
        bad += 1;
        let ok = clean_frame(&mut seq, Cmd::Read, &payload);
        good.push((h.send(&ok), bad));
    }
    // a nonzero reserved byte (with a good CRC)
    loop {
        let f = encode(SYNC_REQ, seq, Cmd::Read as u8, 1, &payload).unwrap();
        seq = seq.wrapping_add(1);
        if !f[1..].contains(&SYNC_REQ) {
            silent.push(h.send_silent(&f, quiet));
            break;
        }
    }
    bad += 1;
    let ok = clean_frame(&mut seq, Cmd::Read, &payload);
    good.push((h.send(&ok), bad));
    // cut short: the host gives up on it
    let f = clean_frame(&mut seq, Cmd::Read, &payload);
    silent.push(h.send_silent(&f[..7], idle + 5));
    bad += 1;
    let ok = clean_frame(&mut seq, Cmd::Read, &payload);
    good.push((h.send(&ok), bad));
    // a gap of exactly IDLE_CYCLES inside a frame is fine, one more is not
    let f = clean_frame(&mut seq, Cmd::Read, &payload);
    let m = h.mark();
    h.bytes(&f[..5]);
    h.byte_at_gap(f[5], idle);
    h.bytes(&f[6..9]);
    h.byte_at_gap(f[9], idle);
    h.bytes(&f[10..]);
    h.op(OP_WAITRESP, 0);
    let at_limit = Ex {
        mark: m,
        seq: f[1],
        cmd: f[2],
        bytes: f.clone(),
    };
    good.push((at_limit.clone(), bad));
    let f = clean_frame(&mut seq, Cmd::Read, &payload);
    let m = h.mark();
    h.bytes(&f[..8]);
    h.byte_at_gap(f[8], idle + 1);
    h.bytes(&f[9..]);
    h.idle(quiet);
    let over = Ex {
        mark: m,
        seq: f[1],
        cmd: f[2],
        bytes: f.clone(),
    };
    silent.push(over.clone());
    bad += 1;
    let ok = clean_frame(&mut seq, Cmd::Read, &payload);
    good.push((h.send(&ok), bad));
    // garbage without a sync byte before a frame: skipped, not counted
    let ok = clean_frame(&mut seq, Cmd::Read, &payload);
    let mut bytes = vec![0x00, 0x5A, 0xFF, 0x13, 0xA4, 0x5A];
    bytes.extend_from_slice(&ok);
    let m = h.mark();
    h.bytes(&bytes);
    h.op(OP_WAITRESP, 0);
    good.push((
        Ex {
            mark: m,
            seq: ok[1],
            cmd: ok[2],
            bytes: ok.clone(),
        },
        bad,
    ));
    // a false sync byte with a bad header right before a frame: one drop,
    // and hunting picks up the frame that follows
    let ok = clean_frame(&mut seq, Cmd::Read, &payload);
    let mut bytes = vec![0x11, SYNC_REQ, 0x01, 0x02, 0x03, 0x04, 0x05];
    bytes.extend_from_slice(&ok);
    let m = h.mark();
    h.bytes(&bytes);
    h.op(OP_WAITRESP, 0);
    bad += 1;
    good.push((
        Ex {
            mark: m,
            seq: ok[1],
            cmd: ok[2],
            bytes: ok.clone(),
        },
        bad,
    ));
    let out = simulate("bad-frames", CFG, &h, 51, 400_000);

    for ex in &silent {
        out.silent(ex);
    }
    for (ex, n) in &good {
        assert_eq!(
            out.reg(ex),
            *n,
            "BAD_FRAMES read by the good frame at mark {}",
            ex.mark
        );
    }
    // the exact gaps happened as scripted
    let gaps = |ex: &Ex| -> Vec<i64> {
        let rx = out.rx(ex);
        rx.windows(2).map(|w| w[1].0 - w[0].0).collect()
    };
    let g = gaps(&at_limit);
    assert_eq!((g[4], g[8]), (i64::from(idle), i64::from(idle)));
    let g = gaps(&over);
    assert_eq!(g[7], i64::from(idle) + 1);
}

// ------------------------------------------------------------------ drift

/// A Verilog integer literal: `8'hA5`, `9'd17`, `32'h464B_5053`, `240`.
fn verilog_int(s: &str) -> Option<u64> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect();
    match s.split_once('\'') {
        Some((_, v)) => {
            let (base, digits) = v.split_at(1);
            let radix = match base {
                "h" | "H" => 16,
                "d" | "D" => 10,
                "b" | "B" => 2,
                _ => return None,
            };
            u64::from_str_radix(digits, radix).ok()
        }
        None => s.parse().ok(),
    }
}

/// The `localparam NAME = value;` constants of a Verilog text (those whose
/// value is a literal).
fn localparams(text: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("localparam") else {
            continue;
        };
        let Some((lhs, rhs)) = rest.split_once('=') else {
            continue;
        };
        let Some(name) = lhs.split_whitespace().last() else {
            continue;
        };
        let val = rhs.split(';').next().unwrap_or("");
        if let Some(v) = verilog_int(val) {
            m.insert(name.to_string(), v);
        }
    }
    m
}

/// Every difference between the RTL's protocol constants and proto.rs.
fn drift(text: &str) -> Vec<String> {
    let lp = localparams(text);
    let mut bad = Vec::new();
    let mut check_set = |prefix: &str, want: Vec<(String, u64)>| {
        for (name, v) in &want {
            let key = format!("{prefix}{name}");
            match lp.get(&key) {
                Some(got) if got == v => {}
                Some(got) => bad.push(format!("{key} is {got} in the RTL, {v} in proto.rs")),
                None => bad.push(format!("{key} ({v}) is missing from the RTL")),
            }
        }
        for key in lp.keys().filter(|k| k.starts_with(prefix)) {
            let name = &key[prefix.len()..];
            if !want.iter().any(|(n, _)| n == name) {
                bad.push(format!("{key} is in the RTL, not in proto.rs"));
            }
        }
    };
    check_set(
        "REG_",
        Reg::ALL
            .iter()
            .map(|r| (r.name().to_string(), u64::from(r.addr())))
            .collect(),
    );
    check_set(
        "CMD_",
        Cmd::ALL
            .iter()
            .map(|c| (c.name().to_string(), *c as u64))
            .collect(),
    );
    check_set(
        "ST_",
        Status::ALL
            .iter()
            .map(|s| (s.name().to_string(), *s as u64))
            .collect(),
    );
    for (name, v) in [
        ("MAGIC", u64::from(proto::MAGIC)),
        ("VERSION", u64::from(proto::VERSION)),
        ("MAX_PAYLOAD", proto::MAX_PAYLOAD as u64),
        ("SYNC_REQ", u64::from(SYNC_REQ)),
        ("SYNC_RESP", u64::from(SYNC_RESP)),
        ("MAX_READ", proto::MAX_READ as u64),
        ("MAX_LOAD_BEATS", proto::MAX_LOAD_BEATS as u64),
        ("LOAD_HEADER", proto::LOAD_HEADER as u64),
        ("MAX_SPIKES", proto::MAX_SPIKES as u64),
        ("READABLE", u64::from(Reg::READABLE)),
    ] {
        match lp.get(name) {
            Some(got) if *got == v => {}
            got => bad.push(format!("{name} is {got:?} in the RTL, {v} in proto.rs")),
        }
    }
    bad
}

#[test]
fn the_rtl_constants_match_proto_rs() {
    let text = fs::read_to_string(hdl_file("snn_host_link.v")).expect("hdl/snn_host_link.v");
    let d = drift(&text);
    assert!(
        d.is_empty(),
        "hdl/snn_host_link.v drifted from proto.rs:\n{}",
        d.join("\n")
    );
    // the check sees a changed value, a missing name, an extra name
    let swap = |from: &str, to: &str| {
        assert_eq!(text.matches(from).count(), 1, "`{from}` once in the RTL");
        text.replace(from, to)
    };
    for t in [
        swap("REG_CLEAR        = 8'd35;", "REG_CLEAR        = 8'd36;"),
        swap("localparam [7:0] REG_PACE ", "localparam [7:0] REG_PACED "),
        swap(
            "ST_BUSY        = 8'd4;",
            "ST_BUSY        = 8'd4;\n  localparam [7:0] ST_FULL = 8'd5;",
        ),
        swap("CMD_SPIKES = 8'h04;", "CMD_SPIKES = 8'h05;"),
        swap(
            "MAGIC          = 32'h464B5053;",
            "MAGIC          = 32'h464B5054;",
        ),
        swap("MAX_PAYLOAD    = 8'd240;", "MAX_PAYLOAD    = 8'd241;"),
        swap("VERSION        = 32'd1;", "VERSION        = 32'd2;"),
    ] {
        assert!(!drift(&t).is_empty(), "a drift went unnoticed");
    }
}
