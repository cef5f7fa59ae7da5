//! The protocol's reference model of the board side: a pure-Rust
//! [`BoardModel`] that parses, executes and answers requests exactly as
//! docs/runtime.md says the board does (hunt for `0xA5`, header checks,
//! CRC, the gap limit, exactly-once with a kept response, `HELLO` always
//! executed, every command, status and register), in front of a trivial
//! stand-in for the accelerator: a step counter whose steps each emit a
//! deterministic pseudo-random set of spikes into a bounded spike buffer,
//! and a load port that records the beats it is given.
//!
//! It is **not the RTL** (`hdl/snn_host_link.v`): it is what the RTL is meant
//! to do, written in Rust, to test the host driver against and as a test
//! double for users' own drivers. It runs in-process as a transport
//! ([`ModelTransport`], in simulated time) or behind any byte stream
//! ([`serve`], in wall-clock time: a pseudo-terminal, named pipes).
//!
//! Time is clock cycles ([`ModelConfig::clock_hz`]). Bytes arrive at the
//! current cycle ([`BoardModel::feed`]); [`BoardModel::advance`] moves time
//! on, running steps, stalling on a full buffer and dropping a frame whose
//! bytes stopped for more than [`ModelConfig::idle_cycles`].

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use crate::proto::{
    self, status_bits, Cmd, LoadBeat, LoadRun, Reg, SpikeRecord, Status, CRC_LEN, HEADER_LEN,
    LOAD_HEADER, MAGIC, MAX_LOAD_BEATS, MAX_PAYLOAD, MAX_READ, MAX_SPIKES, SYNC_REQ, SYNC_RESP,
    VERSION,
};
use crate::rng::mix;
use crate::transport::{Deadline, Transport, TransportError};

/// The model's identity, its accelerator stand-in and its timing.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Register `MAGIC` (a wrong one tests the host's check).
    pub magic: u32,
    /// Register `VERSION`.
    pub version: u32,
    /// Registers `HASH_LO`, `HASH_HI`.
    pub config_hash: u64,
    /// Cores behind the load port (`N_CORES`): a `LOAD` naming core
    /// `cores` or above is `BAD_ADDRESS`.
    pub cores: u32,
    /// Neurons of the stand-in network: each step emits at most one spike
    /// of each, and a step starts only when the buffer has room for all.
    pub neurons: u32,
    /// Probability of a spike per neuron and step.
    pub rate: f64,
    /// Seed of the spike pattern.
    pub seed: u64,
    /// Cycles of one step.
    pub step_cycles: u64,
    /// Spike records the buffer holds (at least `neurons`).
    pub buffer: usize,
    /// Largest gap, in cycles, between two bytes of one frame.
    pub idle_cycles: u64,
    /// The clock.
    pub clock_hz: f64,
}

impl Default for ModelConfig {
    fn default() -> ModelConfig {
        ModelConfig {
            magic: MAGIC,
            version: VERSION,
            config_hash: 0x5EED_C0DE_0123_4567,
            cores: 1,
            neurons: 64,
            rate: 0.05,
            seed: 1,
            step_cycles: 1000,
            buffer: 256,
            idle_cycles: 10_000,
            clock_hz: 100e6,
        }
    }
}

impl ModelConfig {
    /// The spikes step `step` emits, in neuron order: the same for a given
    /// seed whatever the timing.
    pub fn step_spikes(&self, step: u32) -> Vec<SpikeRecord> {
        let rate = self.rate.clamp(0.0, 1.0);
        let threshold = (rate * 2f64.powi(64)) as u64;
        (0..self.neurons)
            .filter(|&n| {
                let h = mix(self.seed ^ mix(u64::from(step) | (u64::from(n) << 32)));
                rate >= 1.0 || h < threshold
            })
            .map(|neuron| SpikeRecord { step, neuron })
            .collect()
    }

    /// The spikes of steps `first .. first + steps`, in the order the board
    /// sends them.
    pub fn spikes(&self, first: u32, steps: u32) -> Vec<SpikeRecord> {
        (first..first.saturating_add(steps))
            .flat_map(|s| self.step_spikes(s))
            .collect()
    }
}

/// One request the model executed (retries answered from the kept response
/// are not executions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed {
    pub seq: u8,
    pub cmd: u8,
    pub status: u8,
    pub cycle: u64,
}

/// The board side of the protocol, with an accelerator stand-in.
#[derive(Debug, Clone)]
pub struct BoardModel {
    cfg: ModelConfig,
    cycle: u64,
    // parser
    rx: Vec<u8>,
    last_byte: u64,
    kept: Option<(u8, Vec<u8>)>,
    // accelerator stand-in
    steps_left: u32,
    steps_done: u32,
    step_end: Option<u64>,
    pace: u32,
    next_start: u64,
    overrun_flag: bool,
    buffer: VecDeque<SpikeRecord>,
    // counters 9..=16 (SPK_LEVEL is the buffer's length)
    emitted: u64,
    sent: u64,
    stall: u64,
    bad_frames: u64,
    dup_frames: u64,
    overruns: u64,
    rx_errors: u64,
    // what happened, for tests
    loads: Vec<LoadRun>,
    executed: Vec<Executed>,
}

impl BoardModel {
    pub fn new(mut cfg: ModelConfig) -> BoardModel {
        cfg.buffer = cfg.buffer.max(cfg.neurons as usize);
        BoardModel {
            cfg,
            cycle: 0,
            rx: Vec::new(),
            last_byte: 0,
            kept: None,
            steps_left: 0,
            steps_done: 0,
            step_end: None,
            pace: 0,
            next_start: 0,
            overrun_flag: false,
            buffer: VecDeque::new(),
            emitted: 0,
            sent: 0,
            stall: 0,
            bad_frames: 0,
            dup_frames: 0,
            overruns: 0,
            rx_errors: 0,
            loads: Vec::new(),
            executed: Vec::new(),
        }
    }

    pub fn config(&self) -> &ModelConfig {
        &self.cfg
    }

    /// Clock cycles since the model was made.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// The `LOAD` runs executed, in order.
    pub fn loads(&self) -> &[LoadRun] {
        &self.loads
    }

    /// The beats that entered the load port, in order.
    pub fn beats(&self) -> Vec<LoadBeat> {
        self.loads.iter().flat_map(|r| r.beats()).collect()
    }

    /// The requests executed, in order.
    pub fn executed(&self) -> &[Executed] {
        &self.executed
    }

    /// Bytes of a frame held by the parser (0: hunting).
    pub fn parser_pending(&self) -> usize {
        self.rx.len()
    }

    /// A register as `READ` would give it now (a write-only one reads 0).
    pub fn reg(&self, reg: Reg) -> u32 {
        self.read_addr(reg.addr()).unwrap_or(0)
    }

    fn running(&self) -> bool {
        self.steps_left > 0 || self.step_end.is_some()
    }

    fn read_addr(&self, addr: u8) -> Option<u32> {
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        let status = bit(self.running(), status_bits::RUNNING)
            | bit(self.step_end.is_some(), status_bits::CORE_BUSY)
            | bit(self.overrun_flag, status_bits::OVERRUN)
            | bit(!self.running(), status_bits::LOAD_READY);
        Some(match addr {
            0 => self.cfg.magic,
            1 => self.cfg.version,
            2 => self.cfg.config_hash as u32,
            3 => (self.cfg.config_hash >> 32) as u32,
            4 => status,
            5 => self.steps_done,
            6 => self.steps_left,
            7 => self.cycle as u32,
            8 => (self.cycle >> 32) as u32,
            9 => self.emitted as u32,
            10 => self.sent as u32,
            11 => self.buffer.len() as u32,
            12 => self.stall as u32,
            13 => self.bad_frames as u32,
            14 => self.dup_frames as u32,
            15 => self.overruns as u32,
            16 => self.rx_errors as u32,
            _ => return None,
        })
    }

    /// Move time on by `cycles`.
    pub fn advance(&mut self, cycles: u64) {
        self.advance_to(self.cycle.saturating_add(cycles));
    }

    /// Move time on to cycle `to` (nothing if it has passed): the gap limit
    /// of a frame in progress, then the steps that start and end meanwhile.
    pub fn advance_to(&mut self, to: u64) {
        if to <= self.cycle {
            return;
        }
        if !self.rx.is_empty() && to - self.last_byte > self.cfg.idle_cycles {
            self.bad_frames += 1;
            self.rx.clear();
        }
        while self.cycle < to {
            if let Some(end) = self.step_end {
                if end > to {
                    self.cycle = to;
                    break;
                }
                self.cycle = end;
                self.finish_step();
                continue;
            }
            if self.steps_left == 0 {
                self.cycle = to;
                break;
            }
            if self.pace > 0 && self.next_start > self.cycle {
                if self.next_start >= to {
                    self.cycle = to;
                    break;
                }
                self.cycle = self.next_start;
            }
            if self.cfg.buffer - self.buffer.len() < self.cfg.neurons as usize {
                // only SPIKES makes room, and it comes with bytes, after this
                self.stall += to - self.cycle;
                self.cycle = to;
                break;
            }
            self.start_step();
        }
    }

    fn start_step(&mut self) {
        if self.pace > 0 && self.cycle > self.next_start {
            self.overruns += 1;
            self.overrun_flag = true;
        }
        self.steps_left -= 1;
        self.step_end = Some(self.cycle + self.cfg.step_cycles.max(1));
        self.next_start = self.cycle + u64::from(self.pace);
    }

    fn finish_step(&mut self) {
        let s = self.cfg.step_spikes(self.steps_done);
        self.emitted += s.len() as u64;
        self.buffer.extend(s);
        self.steps_done = self.steps_done.wrapping_add(1);
        self.step_end = None;
    }

    /// Bytes arriving now; returns the response bytes they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in bytes {
            if let Some(r) = self.byte(b) {
                out.extend_from_slice(&r);
            }
        }
        out
    }

    fn byte(&mut self, b: u8) -> Option<Vec<u8>> {
        self.last_byte = self.cycle;
        if self.rx.is_empty() {
            // hunting
            if b == SYNC_REQ {
                self.rx.push(b);
            }
            return None;
        }
        self.rx.push(b);
        if self.rx.len() < HEADER_LEN {
            return None;
        }
        let len = u16::from_le_bytes([self.rx[4], self.rx[5]]) as usize;
        if self.rx.len() == HEADER_LEN && (self.rx[3] != 0 || len > MAX_PAYLOAD) {
            self.bad_frames += 1;
            self.rx.clear();
            return None;
        }
        if self.rx.len() < HEADER_LEN + len + CRC_LEN {
            return None;
        }
        let f = std::mem::take(&mut self.rx);
        let body = &f[1..HEADER_LEN + len];
        let crc = u32::from_le_bytes([
            f[HEADER_LEN + len],
            f[HEADER_LEN + len + 1],
            f[HEADER_LEN + len + 2],
            f[HEADER_LEN + len + 3],
        ]);
        if proto::crc32(body) != crc {
            self.bad_frames += 1;
            return None;
        }
        Some(self.execute(f[1], f[2], &f[HEADER_LEN..HEADER_LEN + len]))
    }

    fn execute(&mut self, seq: u8, cmd: u8, p: &[u8]) -> Vec<u8> {
        let hello = cmd == Cmd::Hello as u8;
        if !hello {
            if let Some((kseq, resp)) = &self.kept {
                if *kseq == seq {
                    self.dup_frames += 1;
                    return resp.clone();
                }
            }
        }
        let (status, payload) = match Cmd::from_u8(cmd) {
            None => (Status::BadCommand, Vec::new()),
            Some(c) => self.command(c, p),
        };
        let resp = proto::encode(SYNC_RESP, seq, cmd, status as u8, &payload)
            .expect("response payloads are at most 240 bytes");
        self.kept = if hello {
            None
        } else {
            Some((seq, resp.clone()))
        };
        self.executed.push(Executed {
            seq,
            cmd,
            status: status as u8,
            cycle: self.cycle,
        });
        resp
    }

    fn command(&mut self, c: Cmd, p: &[u8]) -> (Status, Vec<u8>) {
        let words = |w: &[u32]| w.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        match c {
            Cmd::Hello => {
                if !p.is_empty() {
                    return (Status::BadLength, Vec::new());
                }
                let r: Vec<u32> = (0..4).filter_map(|a| self.read_addr(a)).collect();
                (Status::Ok, words(&r))
            }
            Cmd::Read => {
                if p.len() != 2 || p[1] == 0 || p[1] as usize > MAX_READ {
                    return (Status::BadLength, Vec::new());
                }
                let (addr, count) = (p[0] as usize, p[1] as usize);
                if addr + count > Reg::READABLE as usize {
                    return (Status::BadAddress, Vec::new());
                }
                let r: Vec<u32> = (addr..addr + count)
                    .filter_map(|a| self.read_addr(a as u8))
                    .collect();
                (Status::Ok, words(&r))
            }
            Cmd::Write => {
                if p.len() != 8 {
                    return (Status::BadLength, Vec::new());
                }
                let v = u32::from_le_bytes([p[4], p[5], p[6], p[7]]);
                match p[0] {
                    32 => {
                        if !self.running() {
                            self.next_start = self.cycle;
                        }
                        self.steps_left = self.steps_left.saturating_add(v);
                    }
                    33 => self.steps_left = 0,
                    34 => self.pace = v,
                    35 => {
                        self.emitted = 0;
                        self.sent = 0;
                        self.stall = 0;
                        self.bad_frames = 0;
                        self.dup_frames = 0;
                        self.overruns = 0;
                        self.rx_errors = 0;
                    }
                    _ => return (Status::BadAddress, Vec::new()),
                }
                (Status::Ok, Vec::new())
            }
            Cmd::Load => {
                if p.len() < LOAD_HEADER || !(p.len() - LOAD_HEADER).is_multiple_of(4) {
                    return (Status::BadLength, Vec::new());
                }
                let k = (p.len() - LOAD_HEADER) / 4;
                let bpw = p[1] as usize;
                if bpw == 0 || k == 0 || k > MAX_LOAD_BEATS || !k.is_multiple_of(bpw) {
                    return (Status::BadLength, Vec::new());
                }
                if u32::from(u16::from_le_bytes([p[2], p[3]])) >= self.cfg.cores {
                    return (Status::BadAddress, Vec::new());
                }
                if self.running() {
                    return (Status::Busy, Vec::new());
                }
                self.loads.push(LoadRun {
                    mem: p[0],
                    bpw: p[1],
                    core: u16::from_le_bytes([p[2], p[3]]),
                    addr: u32::from_le_bytes([p[4], p[5], p[6], p[7]]),
                    data: p[LOAD_HEADER..]
                        .chunks_exact(4)
                        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                });
                // a configuration: steps count from 0 again
                self.steps_done = 0;
                (Status::Ok, Vec::new())
            }
            Cmd::Spikes => {
                if p.len() != 1 || p[0] == 0 || p[0] as usize > MAX_SPIKES {
                    return (Status::BadLength, Vec::new());
                }
                let n = (p[0] as usize).min(self.buffer.len());
                let mut out = Vec::with_capacity(n * 8);
                for r in self.buffer.drain(..n) {
                    out.extend_from_slice(&r.step.to_le_bytes());
                    out.extend_from_slice(&r.neuron.to_le_bytes());
                }
                self.sent += n as u64;
                (Status::Ok, out)
            }
        }
    }
}

/// The model as an in-process [`Transport`], in simulated time: each byte
/// either way takes [`ModelTransport::cycles_per_byte`] cycles, and a
/// `recv` with nothing to give lets the deadline's cycles pass.
#[derive(Debug, Clone)]
pub struct ModelTransport {
    model: BoardModel,
    out: VecDeque<u8>,
    cycles_per_byte: u64,
}

impl ModelTransport {
    /// The model behind a link of 100 cycles per byte (a 10 Mbyte/s link
    /// at the default 100 MHz).
    pub fn new(model: BoardModel) -> ModelTransport {
        ModelTransport {
            model,
            out: VecDeque::new(),
            cycles_per_byte: 100,
        }
    }

    pub fn with_cycles_per_byte(mut self, c: u64) -> ModelTransport {
        self.cycles_per_byte = c;
        self
    }

    pub fn cycles_per_byte(&self) -> u64 {
        self.cycles_per_byte
    }

    pub fn model(&self) -> &BoardModel {
        &self.model
    }

    pub fn model_mut(&mut self) -> &mut BoardModel {
        &mut self.model
    }

    pub fn into_model(self) -> BoardModel {
        self.model
    }
}

impl Transport for ModelTransport {
    fn name(&self) -> String {
        "model board (the protocol's reference model, in-process)".into()
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        for &b in bytes {
            self.model.advance(self.cycles_per_byte);
            let r = self.model.feed(&[b]);
            self.out.extend(r);
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        if self.out.is_empty() {
            let cycles = (deadline.wait.as_secs_f64() * self.model.cfg.clock_hz).ceil() as u64;
            self.model.advance(cycles);
            return Ok(0);
        }
        let n = buf.len().min(self.out.len());
        for (k, b) in self.out.drain(..n).enumerate() {
            buf[k] = b;
        }
        self.model.advance(self.cycles_per_byte * n as u64);
        Ok(n)
    }

    fn now(&self) -> Duration {
        Duration::from_secs_f64(self.model.cycle as f64 / self.model.cfg.clock_hz)
    }
}

/// Serve `model` on a byte stream until it ends: bytes read from `input`
/// are fed to the model, its responses written to `output`, and time is the
/// wall clock at the model's clock frequency. Returns at the end of
/// `input` (a read of 0 bytes, or `EIO`, what a pseudo-terminal's master
/// reads once its slave is closed) or when `output` is closed; other I/O
/// errors are returned.
pub fn serve<R: Read, W: Write>(
    model: &mut BoardModel,
    mut input: R,
    mut output: W,
) -> io::Result<()> {
    let start = Instant::now();
    let c0 = model.cycle();
    let mut buf = [0u8; 4096];
    let closed = |e: &io::Error| {
        e.raw_os_error() == Some(libc::EIO) || e.kind() == io::ErrorKind::BrokenPipe
    };
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if closed(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let now = c0 + (start.elapsed().as_secs_f64() * model.cfg.clock_hz) as u64;
        model.advance_to(now);
        let out = model.feed(&buf[..n]);
        if !out.is_empty() {
            match output.write_all(&out).and_then(|_| output.flush()) {
                Ok(()) => {}
                Err(e) if closed(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{request, Scan, Scanner};
    use proptest::prelude::*;

    fn responses(bytes: &[u8]) -> Vec<proto::Frame> {
        Scanner::new(SYNC_RESP)
            .push(bytes)
            .into_iter()
            .filter_map(|s| match s {
                Scan::Frame(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    fn ask(m: &mut BoardModel, seq: u8, cmd: Cmd, p: &[u8]) -> proto::Frame {
        let r = responses(&m.feed(&request(seq, cmd, p).unwrap()));
        assert_eq!(r.len(), 1);
        r[0].clone()
    }

    #[test]
    fn hello_answers_identity_and_is_never_taken_for_a_retry() {
        let mut m = BoardModel::new(ModelConfig::default());
        let f = ask(&mut m, 9, Cmd::Hello, &[]);
        let w = proto::words(&f.payload).unwrap();
        assert_eq!(w[..2], [MAGIC, VERSION]);
        assert_eq!(
            u64::from(w[2]) | u64::from(w[3]) << 32,
            m.config().config_hash
        );
        ask(&mut m, 9, Cmd::Hello, &[]);
        assert_eq!(m.executed().len(), 2);
        assert_eq!(m.reg(Reg::DupFrames), 0);
    }

    #[test]
    fn a_retry_gets_the_kept_response_and_executes_nothing() {
        let mut m = BoardModel::new(ModelConfig::default());
        ask(&mut m, 1, Cmd::Hello, &[]);
        let w = proto::write_payload(Reg::Run.addr(), 5);
        ask(&mut m, 2, Cmd::Write, &w);
        let again = ask(&mut m, 2, Cmd::Write, &w);
        assert_eq!(again.status, 0);
        assert_eq!(m.reg(Reg::StepsLeft), 5);
        assert_eq!(m.reg(Reg::DupFrames), 1);
        // HELLO forgets the kept response: seq 2 is new again
        ask(&mut m, 2, Cmd::Hello, &[]);
        ask(&mut m, 2, Cmd::Write, &w);
        assert_eq!(m.reg(Reg::StepsLeft), 10);
    }

    #[test]
    fn bad_header_crc_and_gap_each_drop_a_frame_and_count_it() {
        let mut m = BoardModel::new(ModelConfig::default());
        let mut f = request(1, Cmd::Hello, &[]).unwrap();
        f[3] = 1; // reserved byte
        assert!(m.feed(&f).is_empty());
        let mut f = request(1, Cmd::Hello, &[]).unwrap();
        f[6] ^= 1; // CRC
        assert!(m.feed(&f).is_empty());
        let mut f = request(1, Cmd::Read, &[0, 1]).unwrap();
        f[4] = 241; // length
        f[5] = 0;
        assert!(m.feed(&f[..6]).is_empty());
        assert_eq!(m.reg(Reg::BadFrames), 3);
        let f = request(1, Cmd::Hello, &[]).unwrap();
        assert!(m.feed(&f[..4]).is_empty());
        m.advance(m.config().idle_cycles + 1);
        assert_eq!(m.parser_pending(), 0);
        assert_eq!(m.reg(Reg::BadFrames), 4);
        assert!(m.feed(&f[4..]).is_empty());
        assert_eq!(responses(&m.feed(&f)).len(), 1);
    }

    #[test]
    fn every_status_is_given_where_the_spec_says() {
        let mut m = BoardModel::new(ModelConfig::default());
        let st = |m: &mut BoardModel, seq, cmd: u8, p: &[u8]| {
            let r = responses(&m.feed(&proto::encode(SYNC_REQ, seq, cmd, 0, p).unwrap()));
            r[0].status
        };
        assert_eq!(st(&mut m, 1, 7, &[]), Status::BadCommand as u8);
        assert_eq!(st(&mut m, 2, 1, &[0]), Status::BadLength as u8);
        assert_eq!(st(&mut m, 3, 1, &[0, 61]), Status::BadLength as u8);
        assert_eq!(st(&mut m, 4, 1, &[16, 2]), Status::BadAddress as u8);
        assert_eq!(st(&mut m, 5, 1, &[16, 1]), Status::Ok as u8);
        assert_eq!(
            st(&mut m, 6, 2, &proto::write_payload(4, 1)),
            Status::BadAddress as u8
        );
        assert_eq!(st(&mut m, 7, 4, &[31]), Status::BadLength as u8);
        let run = LoadRun {
            core: 0,
            mem: 1,
            bpw: 2,
            addr: 0,
            data: vec![1, 2, 3],
        };
        assert_eq!(st(&mut m, 8, 3, &run.payload()), Status::BadLength as u8);
        st(&mut m, 9, 2, &proto::write_payload(32, 3));
        let run = LoadRun {
            data: vec![1, 2],
            ..run
        };
        assert_eq!(st(&mut m, 10, 3, &run.payload()), Status::Busy as u8);
        assert_eq!(st(&mut m, 11, 0, &[1]), Status::BadLength as u8);
        // a core the board does not have (one core: only core 0)
        let run = LoadRun { core: 1, ..run };
        assert_eq!(st(&mut m, 12, 3, &run.payload()), Status::BadAddress as u8);
    }

    #[test]
    fn steps_run_over_time_fill_the_buffer_and_stall_when_it_is_full() {
        let cfg = ModelConfig {
            neurons: 8,
            rate: 1.0,
            buffer: 16,
            step_cycles: 100,
            ..ModelConfig::default()
        };
        let mut m = BoardModel::new(cfg);
        ask(&mut m, 1, Cmd::Write, &proto::write_payload(32, 5));
        m.advance(1000);
        // two steps fit the buffer; the third waits for room
        assert_eq!(m.reg(Reg::StepsDone), 2);
        assert_eq!(m.reg(Reg::SpkLevel), 16);
        assert!(m.reg(Reg::StallCycles) > 0);
        assert_ne!(m.reg(Reg::Status) & status_bits::RUNNING, 0);
        let f = ask(&mut m, 2, Cmd::Spikes, &[30]);
        let recs = proto::spike_records(&f.payload).unwrap();
        assert_eq!(recs, m.config().spikes(0, 2));
        m.advance(1000);
        assert_eq!(m.reg(Reg::StepsDone), 4);
    }

    #[test]
    fn a_paced_step_that_starts_late_is_an_overrun() {
        let cfg = ModelConfig {
            step_cycles: 300,
            ..ModelConfig::default()
        };
        let mut m = BoardModel::new(cfg);
        ask(&mut m, 1, Cmd::Write, &proto::write_payload(34, 500));
        ask(&mut m, 2, Cmd::Write, &proto::write_payload(32, 3));
        m.advance(10_000);
        assert_eq!((m.reg(Reg::StepsDone), m.reg(Reg::Overruns)), (3, 0));
        ask(&mut m, 3, Cmd::Write, &proto::write_payload(34, 200));
        ask(&mut m, 4, Cmd::Write, &proto::write_payload(32, 3));
        m.advance(10_000);
        assert_eq!((m.reg(Reg::StepsDone), m.reg(Reg::Overruns)), (6, 2));
        assert_ne!(m.reg(Reg::Status) & status_bits::OVERRUN, 0);
    }

    proptest! {
        #[test]
        fn any_bytes_leave_the_model_answering_only_whole_frames(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            sync_at in proptest::collection::vec(0usize..600, 0..8),
        ) {
            let mut bytes = bytes;
            for k in sync_at {
                if k < bytes.len() {
                    bytes[k] = SYNC_REQ;
                }
            }
            let mut m = BoardModel::new(ModelConfig::default());
            let out = m.feed(&bytes);
            let mut s = Scanner::new(SYNC_RESP);
            for x in s.push(&out) {
                prop_assert!(matches!(x, Scan::Frame(_)));
            }
            prop_assert_eq!(s.pending(), 0);
            // and a good request right after a gap is answered
            m.advance(m.config().idle_cycles + 1);
            prop_assert_eq!(responses(&m.feed(&request(3, Cmd::Hello, &[]).unwrap())).len(), 1);
        }
    }
}
