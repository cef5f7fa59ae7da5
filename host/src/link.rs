//! The host side of the link protocol (docs/runtime.md, "What the host
//! does"): stop-and-wait requests with sequence numbers, a deadline per
//! attempt, bounded retries, and typed calls for every command.
//!
//! A [`Link`] always begins with `HELLO` (which the board executes
//! unconditionally and which makes it forget its kept response), so any
//! first sequence number is safe; it starts from one taken from the clock,
//! so that a late response of an earlier session is unlikely to carry the
//! number the new session waits for. Every request takes a new number, even
//! one that failed, so a later request is never mistaken for its retry.
//!
//! Nothing waits without a deadline: each attempt waits at most
//! [`LinkConfig::timeout`] on the transport's clock, and a request is sent at
//! most `retries + 1` times.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use thiserror::Error;

use crate::proto::{
    self, Cmd, Frame, LoadRun, Reg, Scan, Scanner, SpikeRecord, Status, MAGIC, MAX_LOAD_BEATS,
    MAX_READ, MAX_SPIKES, SPIKE_RECORD, SYNC_RESP, VERSION,
};
use crate::transport::{Deadline, Transport, TransportError};

/// How a [`Link`] waits and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    /// How long one attempt waits for its response, on the transport's
    /// clock. The default, 500 ms, covers the largest frame both ways at
    /// 9600 baud with room to spare.
    pub timeout: Duration,
    /// Times a request is sent again after its first attempt timed out.
    pub retries: u32,
    /// The first sequence number; `None`: one taken from the clock.
    pub first_seq: Option<u8>,
}

impl Default for LinkConfig {
    fn default() -> LinkConfig {
        LinkConfig {
            timeout: Duration::from_millis(500),
            retries: 8,
            first_seq: None,
        }
    }
}

/// One request: its sequence number and command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId {
    pub seq: u8,
    pub cmd: Cmd,
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (seq {})", self.cmd.name(), self.seq)
    }
}

fn fmt_last_ack(r: &Option<RequestId>) -> String {
    match r {
        Some(r) => r.to_string(),
        None => "none".into(),
    }
}

/// What the board said in `HELLO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BoardId {
    pub magic: u32,
    pub version: u32,
    /// The config hash of the built design (registers `HASH_LO`, `HASH_HI`).
    pub config_hash: u64,
}

/// Counts of a link's traffic since it was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Requests made (each counted once, however often sent).
    pub requests: u64,
    /// Request frames sent, retries included.
    pub frames_sent: u64,
    /// Request frames sent again after a timeout.
    pub retries: u64,
    /// Attempts that ended at their deadline without the response.
    pub timeouts: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Whole response frames skipped: another sequence number or command
    /// (a late answer to an earlier attempt, a duplicate).
    pub responses_skipped: u64,
    /// Received bytes that were no good frame (garbage, bad CRC, bad
    /// length), as the [`Scanner`] dropped them.
    pub bytes_skipped: u64,
}

/// How far a `LOAD` sequence has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    pub runs_done: usize,
    pub runs: usize,
    pub beats_done: usize,
    pub beats: usize,
}

/// Why a link call failed.
#[derive(Debug, Error)]
pub enum LinkError {
    /// The transport itself failed (not a timeout).
    #[error("{transport}: {source}")]
    Transport {
        transport: String,
        #[source]
        source: TransportError,
    },
    /// The retries are spent: the link is dead or too garbled.
    #[error(
        "{transport}: no response to {pending} after {attempts} attempts of {timeout:?} each \
         (last acknowledged request: {})",
        fmt_last_ack(.last_ack)
    )]
    NoResponse {
        transport: String,
        attempts: u32,
        timeout: Duration,
        last_ack: Option<RequestId>,
        pending: RequestId,
    },
    /// The board answered with a status other than `OK`.
    #[error("the board answered {request} with status {}", .status.name())]
    Status { request: RequestId, status: Status },
    /// The response's payload (or status byte) is not what the command
    /// answers.
    #[error("malformed response to {request}: expected {expected}, got {got}")]
    Malformed {
        request: RequestId,
        expected: String,
        got: String,
    },
    /// `HELLO` answered, but not as a spikefab board of this protocol.
    #[error(
        "not a spikefab board of this protocol: HELLO answered magic {magic:#010x} and version \
         {version}; expected magic {MAGIC:#010x} ('SPKF') and version {VERSION}"
    )]
    WrongBoard { magic: u32, version: u32 },
    /// The call's arguments cannot make a valid request.
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// The host end of the link over a transport.
pub struct Link<T: Transport> {
    t: T,
    cfg: LinkConfig,
    scanner: Scanner,
    frames: VecDeque<Frame>,
    next_seq: u8,
    last_ack: Option<RequestId>,
    stats: LinkStats,
    buf: Vec<u8>,
}

impl<T: Transport> fmt::Debug for Link<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("transport", &self.t.name())
            .field("cfg", &self.cfg)
            .field("next_seq", &self.next_seq)
            .field("last_ack", &self.last_ack)
            .field("stats", &self.stats)
            .finish()
    }
}

fn seq_from_clock() -> u8 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (crate::rng::mix(n as u64) >> 56) as u8
}

impl<T: Transport> Link<T> {
    /// Open the link: `HELLO`, checked ([`Link::hello`]).
    pub fn open(t: T, cfg: LinkConfig) -> Result<(Link<T>, BoardId), LinkError> {
        let next_seq = cfg.first_seq.unwrap_or_else(seq_from_clock);
        let mut link = Link {
            t,
            cfg,
            scanner: Scanner::new(SYNC_RESP),
            frames: VecDeque::new(),
            next_seq,
            last_ack: None,
            stats: LinkStats::default(),
            buf: vec![0; 4096],
        };
        let id = link.hello()?;
        Ok((link, id))
    }

    pub fn config(&self) -> &LinkConfig {
        &self.cfg
    }

    /// Change the timeout and retries from the next request on.
    pub fn set_config(&mut self, timeout: Duration, retries: u32) {
        self.cfg.timeout = timeout;
        self.cfg.retries = retries;
    }

    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The last request the board answered.
    pub fn last_acknowledged(&self) -> Option<RequestId> {
        self.last_ack
    }

    /// The sequence number the next request takes.
    pub fn next_seq(&self) -> u8 {
        self.next_seq
    }

    pub fn transport(&self) -> &T {
        &self.t
    }

    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.t
    }

    pub fn into_transport(self) -> T {
        self.t
    }

    fn transport_error(&self, source: TransportError) -> LinkError {
        LinkError::Transport {
            transport: self.t.name(),
            source,
        }
    }

    /// Feed received bytes to the scanner; frames go to the queue.
    fn take_bytes(&mut self, n: usize) {
        self.stats.bytes_received += n as u64;
        let scans = self.scanner.push(&self.buf[..n]);
        self.take_scans(scans);
    }

    fn take_scans(&mut self, scans: Vec<Scan>) {
        for s in scans {
            match s {
                Scan::Frame(f) => self.frames.push_back(f),
                Scan::Dropped { bytes, .. } => self.stats.bytes_skipped += bytes as u64,
            }
        }
    }

    /// The queued frame answering `want`; the others before it skipped.
    fn answer(&mut self, want: RequestId) -> Option<Frame> {
        while let Some(f) = self.frames.pop_front() {
            if f.seq == want.seq && f.cmd == want.cmd as u8 {
                return Some(f);
            }
            self.stats.responses_skipped += 1;
        }
        None
    }

    /// Wait for the response to `want` until the attempt's deadline.
    fn await_response(&mut self, want: RequestId) -> Result<Option<Frame>, LinkError> {
        let start = self.t.now();
        loop {
            if let Some(f) = self.answer(want) {
                return Ok(Some(f));
            }
            let spent = self.t.now().saturating_sub(start);
            let wait = self.cfg.timeout.saturating_sub(spent);
            let n = if wait.is_zero() {
                0
            } else {
                match self.t.recv(&mut self.buf, Deadline::after(wait)) {
                    Ok(n) => n.min(self.buf.len()),
                    Err(e) => return Err(self.transport_error(e)),
                }
            };
            if n == 0 {
                // the deadline passed: bytes still held are a frame that
                // never completed, or garbage whose length field holds back
                // a good frame behind it; give them up one sync byte at a
                // time (a retry brings the response again anyway)
                while self.scanner.pending() > 0 {
                    let scans = self.scanner.resync();
                    self.take_scans(scans);
                }
                return Ok(self.answer(want));
            }
            self.take_bytes(n);
        }
    }

    /// Send a request and return its response frame (any status): the
    /// protocol's stop-and-wait with retries.
    fn transact(&mut self, cmd: Cmd, payload: &[u8]) -> Result<(RequestId, Frame), LinkError> {
        let seq = self.next_seq;
        let bytes = proto::request(seq, cmd, payload)
            .map_err(|e| LinkError::Invalid(format!("{}: {e}", cmd.name())))?;
        // a new number for every request, answered or not
        self.next_seq = seq.wrapping_add(1);
        self.stats.requests += 1;
        let pending = RequestId { seq, cmd };
        let attempts = self.cfg.retries.saturating_add(1);
        for attempt in 0..attempts {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            if let Err(e) = self.t.send(&bytes) {
                return Err(self.transport_error(e));
            }
            self.stats.frames_sent += 1;
            self.stats.bytes_sent += bytes.len() as u64;
            if let Some(f) = self.await_response(pending)? {
                self.last_ack = Some(pending);
                return Ok((pending, f));
            }
            self.stats.timeouts += 1;
        }
        Err(LinkError::NoResponse {
            transport: self.t.name(),
            attempts,
            timeout: self.cfg.timeout,
            last_ack: self.last_ack,
            pending,
        })
    }

    /// Send any request; the response's payload when its status is `OK`.
    pub fn request(&mut self, cmd: Cmd, payload: &[u8]) -> Result<Vec<u8>, LinkError> {
        let (request, f) = self.transact(cmd, payload)?;
        match Status::from_u8(f.status) {
            Some(Status::Ok) => Ok(f.payload),
            Some(status) => Err(LinkError::Status { request, status }),
            None => Err(LinkError::Malformed {
                request,
                expected: "a status byte of 0..=4".into(),
                got: format!("status {}", f.status),
            }),
        }
    }

    /// `HELLO`: the board's identity, its magic and version checked.
    pub fn hello(&mut self) -> Result<BoardId, LinkError> {
        let request = RequestId {
            seq: self.next_seq,
            cmd: Cmd::Hello,
        };
        let p = self.request(Cmd::Hello, &[])?;
        let w = match proto::words(&p) {
            Some(w) if w.len() == 4 => w,
            _ => {
                return Err(LinkError::Malformed {
                    request,
                    expected: "16 bytes (MAGIC, VERSION, HASH_LO, HASH_HI)".into(),
                    got: format!("{} bytes", p.len()),
                })
            }
        };
        if w[0] != MAGIC || w[1] != VERSION {
            return Err(LinkError::WrongBoard {
                magic: w[0],
                version: w[1],
            });
        }
        Ok(BoardId {
            magic: w[0],
            version: w[1],
            config_hash: u64::from(w[2]) | (u64::from(w[3]) << 32),
        })
    }

    /// `READ`: `count` registers from `start` on.
    pub fn read(&mut self, start: Reg, count: u8) -> Result<Vec<u32>, LinkError> {
        if count == 0 || count as usize > MAX_READ {
            return Err(LinkError::Invalid(format!(
                "READ of {count} registers (1..={MAX_READ})"
            )));
        }
        if start.addr() as usize + count as usize > Reg::READABLE as usize {
            return Err(LinkError::Invalid(format!(
                "READ of {count} registers from {} (address {}) passes the last readable, {}",
                start.name(),
                start.addr(),
                Reg::READABLE - 1
            )));
        }
        let request = RequestId {
            seq: self.next_seq,
            cmd: Cmd::Read,
        };
        let p = self.request(Cmd::Read, &proto::read_payload(start.addr(), count))?;
        match proto::words(&p) {
            Some(w) if w.len() == count as usize => Ok(w),
            _ => Err(LinkError::Malformed {
                request,
                expected: format!("{} bytes ({count} registers)", 4 * count as usize),
                got: format!("{} bytes", p.len()),
            }),
        }
    }

    /// `READ` of one register.
    pub fn read_reg(&mut self, reg: Reg) -> Result<u32, LinkError> {
        Ok(self.read(reg, 1)?[0])
    }

    /// `WRITE` of a writable register (`RUN`, `STOP`, `PACE`, `CLEAR`).
    pub fn write_reg(&mut self, reg: Reg, value: u32) -> Result<(), LinkError> {
        if !reg.writable() {
            return Err(LinkError::Invalid(format!(
                "{} (address {}) is not writable",
                reg.name(),
                reg.addr()
            )));
        }
        let request = RequestId {
            seq: self.next_seq,
            cmd: Cmd::Write,
        };
        let p = self.request(Cmd::Write, &proto::write_payload(reg.addr(), value))?;
        if !p.is_empty() {
            return Err(LinkError::Malformed {
                request,
                expected: "an empty payload".into(),
                got: format!("{} bytes", p.len()),
            });
        }
        Ok(())
    }

    /// `LOAD` of each run in turn; `progress` after each.
    pub fn load(
        &mut self,
        runs: &[LoadRun],
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<(), LinkError> {
        for (i, r) in runs.iter().enumerate() {
            let k = r.data.len();
            if r.bpw == 0 || k == 0 || k > MAX_LOAD_BEATS || k % r.bpw as usize != 0 {
                return Err(LinkError::Invalid(format!(
                    "LOAD run {i}: {k} beats of {} per word (1..={MAX_LOAD_BEATS} whole words)",
                    r.bpw
                )));
            }
        }
        let beats: usize = runs.iter().map(|r| r.data.len()).sum();
        let mut done = 0;
        for (i, r) in runs.iter().enumerate() {
            let request = RequestId {
                seq: self.next_seq,
                cmd: Cmd::Load,
            };
            let p = self.request(Cmd::Load, &r.payload())?;
            if !p.is_empty() {
                return Err(LinkError::Malformed {
                    request,
                    expected: "an empty payload".into(),
                    got: format!("{} bytes", p.len()),
                });
            }
            done += r.data.len();
            progress(LoadProgress {
                runs_done: i + 1,
                runs: runs.len(),
                beats_done: done,
                beats,
            });
        }
        Ok(())
    }

    /// `SPIKES`: up to `max` waiting spike records (maybe none).
    pub fn spikes(&mut self, max: u8) -> Result<Vec<SpikeRecord>, LinkError> {
        if max == 0 || max as usize > MAX_SPIKES {
            return Err(LinkError::Invalid(format!(
                "SPIKES of at most {max} records (1..={MAX_SPIKES})"
            )));
        }
        let request = RequestId {
            seq: self.next_seq,
            cmd: Cmd::Spikes,
        };
        let p = self.request(Cmd::Spikes, &[max])?;
        match proto::spike_records(&p) {
            Some(r) if r.len() <= max as usize => Ok(r),
            _ => Err(LinkError::Malformed {
                request,
                expected: format!("up to {max} spike records of {SPIKE_RECORD} bytes"),
                got: format!("{} bytes", p.len()),
            }),
        }
    }

    /// Let `d` pass on the transport's clock with no request pending;
    /// whatever arrives meanwhile is a late response and is skipped.
    pub fn wait(&mut self, d: Duration) -> Result<(), LinkError> {
        let start = self.t.now();
        loop {
            let wait = d.saturating_sub(self.t.now().saturating_sub(start));
            if wait.is_zero() {
                return Ok(());
            }
            let n = match self.t.recv(&mut self.buf, Deadline::after(wait)) {
                Ok(n) => n.min(self.buf.len()),
                Err(e) => return Err(self.transport_error(e)),
            };
            if n == 0 {
                return Ok(());
            }
            self.take_bytes(n);
            self.stats.responses_skipped += self.frames.len() as u64;
            self.frames.clear();
        }
    }
}
