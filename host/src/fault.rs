//! Fault injection: [`Faulty`] wraps any transport and, from a schedule
//! seeded by one `u64` (the same seed, the same faults for the same
//! traffic), drops, corrupts, duplicates, delays, splits, thins out or
//! prefixes with garbage the frames going either way.
//!
//! What a frame is, for the schedule:
//! - **send**: the bytes of one [`Transport::send`] call (the link sends one
//!   request frame per call);
//! - **receive**: a response frame as its header delimits it (sync byte
//!   `0x5A`, then 6 + length + 4 bytes; the CRC is not checked), each run
//!   of bytes between frames as a unit of its own, and the bytes of a
//!   frame still incomplete when the inner transport's deadline passes, as
//!   a unit then.
//!
//! Each unit draws at most one fault; the probabilities are of each kind,
//! so `p_drop + p_corrupt + ...` (at most 1) is the fraction of frames
//! faulted. A delayed unit is held back until the next time a `recv`
//! reaches its deadline, i.e. past the deadline of the attempt it belonged
//! to: a delayed request reaches the board then, a delayed response is
//! delivered to the next `recv`.

use std::collections::VecDeque;
use std::time::Duration;

use crate::proto::{CRC_LEN, HEADER_LEN, MAX_PAYLOAD, SYNC_REQ, SYNC_RESP};
use crate::rng::Rng;
use crate::transport::{Deadline, Transport, TransportError};

/// The fault schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    pub seed: u64,
    /// Drop the whole frame.
    pub p_drop: f64,
    /// Flip bits of one byte.
    pub p_corrupt: f64,
    /// Deliver the frame twice.
    pub p_dup: f64,
    /// Hold the frame back past the deadline.
    pub p_delay: f64,
    /// Deliver the frame in 2 to 4 pieces (separate `send` calls, or
    /// separate `recv` returns).
    pub p_split: f64,
    /// Drop 1 to 3 single bytes of the frame.
    pub p_drop_bytes: f64,
    /// Put 1 to 8 garbage bytes before the frame, half the time starting
    /// with the direction's sync byte and a plausible header.
    pub p_garbage: f64,
    /// Fault the frames sent (requests).
    pub send: bool,
    /// Fault the frames received (responses).
    pub recv: bool,
}

impl FaultConfig {
    /// No faults (but counted frames), both directions enabled.
    pub fn none(seed: u64) -> FaultConfig {
        FaultConfig {
            seed,
            p_drop: 0.0,
            p_corrupt: 0.0,
            p_dup: 0.0,
            p_delay: 0.0,
            p_split: 0.0,
            p_drop_bytes: 0.0,
            p_garbage: 0.0,
            send: true,
            recv: true,
        }
    }

    /// Every kind of fault, each with `total / 7`: `total` of the frames in
    /// each direction faulted.
    pub fn uniform(seed: u64, total: f64) -> FaultConfig {
        let p = total.clamp(0.0, 1.0) / 7.0;
        FaultConfig {
            p_drop: p,
            p_corrupt: p,
            p_dup: p,
            p_delay: p,
            p_split: p,
            p_drop_bytes: p,
            p_garbage: p,
            ..FaultConfig::none(seed)
        }
    }

    /// Only drops, of `p` of the frames.
    pub fn drops(seed: u64, p: f64) -> FaultConfig {
        FaultConfig {
            p_drop: p,
            ..FaultConfig::none(seed)
        }
    }

    fn pick(&self, u: f64) -> Option<Fault> {
        let mut acc = 0.0;
        for (p, f) in [
            (self.p_drop, Fault::Drop),
            (self.p_corrupt, Fault::Corrupt),
            (self.p_dup, Fault::Dup),
            (self.p_delay, Fault::Delay),
            (self.p_split, Fault::Split),
            (self.p_drop_bytes, Fault::DropBytes),
            (self.p_garbage, Fault::Garbage),
        ] {
            acc += p.max(0.0);
            if u < acc {
                return Some(f);
            }
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Drop,
    Corrupt,
    Dup,
    Delay,
    Split,
    DropBytes,
    Garbage,
}

/// What was injected in one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Units seen (frames, and runs of bytes between frames on receive).
    pub frames: u64,
    pub dropped: u64,
    pub corrupted: u64,
    pub duplicated: u64,
    pub delayed: u64,
    pub split: u64,
    /// Units that lost single bytes, and the bytes they lost.
    pub thinned: u64,
    pub bytes_dropped: u64,
    /// Units garbage was put before, and the garbage bytes.
    pub garbaged: u64,
    pub garbage_bytes: u64,
}

impl FaultCounts {
    /// Units that were faulted in any way.
    pub fn faulted(&self) -> u64 {
        self.dropped
            + self.corrupted
            + self.duplicated
            + self.delayed
            + self.split
            + self.thinned
            + self.garbaged
    }
}

/// Injected faults, each direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    pub send: FaultCounts,
    pub recv: FaultCounts,
}

/// Splits a byte stream into response frames (by their header's length)
/// and runs of other bytes.
#[derive(Debug, Clone)]
struct Splitter {
    sync: u8,
    buf: Vec<u8>,
}

impl Splitter {
    fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            if self.buf.is_empty() {
                break;
            }
            if self.buf[0] != self.sync {
                let n = self
                    .buf
                    .iter()
                    .position(|&b| b == self.sync)
                    .unwrap_or(self.buf.len());
                out.push(self.buf.drain(..n).collect());
                continue;
            }
            if self.buf.len() < HEADER_LEN {
                break;
            }
            let len = u16::from_le_bytes([self.buf[4], self.buf[5]]) as usize;
            if len > MAX_PAYLOAD {
                out.push(self.buf.drain(..1).collect());
                continue;
            }
            let total = HEADER_LEN + len + CRC_LEN;
            if self.buf.len() < total {
                break;
            }
            out.push(self.buf.drain(..total).collect());
        }
        out
    }

    fn flush(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// A transport with faults injected on the way in and out.
pub struct Faulty<T: Transport> {
    inner: T,
    cfg: FaultConfig,
    rng: Rng,
    counts: Injected,
    held_send: Vec<Vec<u8>>,
    held_recv: Vec<Vec<u8>>,
    ready: VecDeque<Vec<u8>>,
    splitter: Splitter,
    tmp: Vec<u8>,
}

impl<T: Transport> Faulty<T> {
    pub fn new(inner: T, cfg: FaultConfig) -> Faulty<T> {
        Faulty {
            inner,
            rng: Rng::new(cfg.seed),
            cfg,
            counts: Injected::default(),
            held_send: Vec::new(),
            held_recv: Vec::new(),
            ready: VecDeque::new(),
            splitter: Splitter {
                sync: SYNC_RESP,
                buf: Vec::new(),
            },
            tmp: vec![0; 4096],
        }
    }

    /// What was injected so far.
    pub fn injected(&self) -> Injected {
        self.counts
    }

    pub fn config(&self) -> &FaultConfig {
        &self.cfg
    }

    /// Change the probabilities (the schedule's stream goes on).
    pub fn set_config(&mut self, cfg: FaultConfig) {
        self.cfg = cfg;
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }

    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The units `bytes` becomes under the fault drawn for it (`None`: held).
    fn apply(&mut self, bytes: &[u8], sync: u8, send: bool) -> Option<Vec<Vec<u8>>> {
        let u = self.rng.unit();
        let fault = self.cfg.pick(u);
        let c = if send {
            &mut self.counts.send
        } else {
            &mut self.counts.recv
        };
        c.frames += 1;
        let rng = &mut self.rng;
        let out = match fault {
            None => vec![bytes.to_vec()],
            Some(Fault::Drop) => {
                c.dropped += 1;
                vec![]
            }
            Some(Fault::Corrupt) => {
                c.corrupted += 1;
                let mut v = bytes.to_vec();
                let k = rng.range(0, v.len() - 1);
                v[k] ^= rng.range(1, 255) as u8;
                vec![v]
            }
            Some(Fault::Dup) => {
                c.duplicated += 1;
                vec![bytes.to_vec(), bytes.to_vec()]
            }
            Some(Fault::Delay) => {
                c.delayed += 1;
                return None;
            }
            Some(Fault::Split) if bytes.len() >= 2 => {
                c.split += 1;
                let pieces = rng.range(2, 4.min(bytes.len()));
                let mut cuts: Vec<usize> =
                    (1..pieces).map(|_| rng.range(1, bytes.len() - 1)).collect();
                cuts.sort_unstable();
                cuts.dedup();
                let mut v = Vec::new();
                let mut at = 0;
                for c in cuts.into_iter().chain([bytes.len()]) {
                    v.push(bytes[at..c].to_vec());
                    at = c;
                }
                v
            }
            Some(Fault::Split) => vec![bytes.to_vec()],
            Some(Fault::DropBytes) => {
                c.thinned += 1;
                let mut v = bytes.to_vec();
                let n = rng.range(1, 3).min(v.len());
                for _ in 0..n {
                    let k = rng.range(0, v.len() - 1);
                    v.remove(k);
                }
                c.bytes_dropped += n as u64;
                vec![v]
            }
            Some(Fault::Garbage) => {
                c.garbaged += 1;
                let n = rng.range(1, 8);
                let mut v: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
                if rng.range(0, 1) == 0 {
                    // a sync byte and what could be a header: the hard case
                    v[0] = sync;
                    if n >= 6 {
                        v[3] = 0;
                        v[5] = 0;
                        v[4] = rng.range(0, MAX_PAYLOAD) as u8;
                    }
                }
                c.garbage_bytes += n as u64;
                v.extend_from_slice(bytes);
                vec![v]
            }
        };
        Some(out)
    }

    fn release_held_sends(&mut self) -> Result<(), TransportError> {
        for b in std::mem::take(&mut self.held_send) {
            self.inner.send(&b)?;
        }
        Ok(())
    }

    fn deliver(&mut self, unit: Vec<u8>) {
        match self.apply(&unit, SYNC_RESP, false) {
            Some(pieces) => self
                .ready
                .extend(pieces.into_iter().filter(|p| !p.is_empty())),
            None => self.held_recv.push(unit),
        }
    }
}

impl<T: Transport> Transport for Faulty<T> {
    fn name(&self) -> String {
        format!(
            "{} (with injected faults, seed {})",
            self.inner.name(),
            self.cfg.seed
        )
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.release_held_sends()?;
        if !self.cfg.send || bytes.is_empty() {
            return self.inner.send(bytes);
        }
        match self.apply(bytes, SYNC_REQ, true) {
            Some(pieces) => {
                for p in pieces.iter().filter(|p| !p.is_empty()) {
                    self.inner.send(p)?;
                }
            }
            None => self.held_send.push(bytes.to_vec()),
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        let start = self.inner.now();
        loop {
            if let Some(front) = self.ready.front_mut() {
                let n = buf.len().min(front.len());
                buf[..n].copy_from_slice(&front[..n]);
                front.drain(..n);
                if front.is_empty() {
                    self.ready.pop_front();
                }
                return Ok(n);
            }
            let wait = deadline
                .wait
                .saturating_sub(self.inner.now().saturating_sub(start));
            let n = if wait.is_zero() && !deadline.wait.is_zero() {
                0
            } else {
                let mut tmp = std::mem::take(&mut self.tmp);
                let r = self.inner.recv(&mut tmp, Deadline::after(wait));
                self.tmp = tmp;
                r?
            };
            if n == 0 {
                // the deadline passed: what was held back comes now
                self.release_held_sends()?;
                let partial = self.splitter.flush();
                if !partial.is_empty() {
                    if self.cfg.recv {
                        self.deliver(partial);
                    } else {
                        self.ready.push_back(partial);
                    }
                }
                let held = std::mem::take(&mut self.held_recv);
                self.ready.extend(held);
                return Ok(0);
            }
            let tmp = std::mem::take(&mut self.tmp);
            let units = self.splitter.push(&tmp[..n]);
            self.tmp = tmp;
            for u in units {
                if self.cfg.recv {
                    self.deliver(u);
                } else {
                    self.ready.push_back(u);
                }
            }
        }
    }

    fn now(&self) -> Duration {
        self.inner.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{encode, Scan, Scanner};
    use proptest::prelude::*;

    /// A loopback: what is sent comes back; time moves by the deadline.
    struct Loop {
        q: VecDeque<u8>,
        t: Duration,
    }

    impl Transport for Loop {
        fn name(&self) -> String {
            "loopback".into()
        }
        fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
            self.q.extend(bytes);
            Ok(())
        }
        fn recv(&mut self, buf: &mut [u8], d: Deadline) -> Result<usize, TransportError> {
            if self.q.is_empty() {
                self.t += d.wait;
                return Ok(0);
            }
            let n = buf.len().min(self.q.len());
            for (k, b) in self.q.drain(..n).enumerate() {
                buf[k] = b;
            }
            Ok(n)
        }
        fn now(&self) -> Duration {
            self.t
        }
    }

    fn lo() -> Loop {
        Loop {
            q: VecDeque::new(),
            t: Duration::ZERO,
        }
    }

    fn drain(f: &mut Faulty<Loop>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 64];
        let mut zeros = 0;
        while zeros < 2 {
            let n = f
                .recv(&mut buf, Deadline::after(Duration::from_millis(1)))
                .unwrap();
            if n == 0 {
                zeros += 1;
            } else {
                zeros = 0;
                out.extend_from_slice(&buf[..n]);
            }
        }
        out
    }

    fn frames(bytes: &[u8]) -> Vec<crate::proto::Frame> {
        Scanner::new(SYNC_RESP)
            .push(bytes)
            .into_iter()
            .filter_map(|s| match s {
                Scan::Frame(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn without_faults_bytes_pass_unchanged_and_are_counted_per_frame() {
        let mut f = Faulty::new(lo(), FaultConfig::none(1));
        let a = encode(SYNC_RESP, 1, 2, 0, &[1, 2, 3]).unwrap();
        let b = encode(SYNC_RESP, 2, 2, 0, &[]).unwrap();
        let mut all = vec![0x11, 0x22];
        all.extend_from_slice(&a);
        all.extend_from_slice(&b);
        f.send(&all).unwrap();
        assert_eq!(drain(&mut f), all);
        let i = f.injected();
        assert_eq!((i.send.frames, i.recv.frames), (1, 3));
        assert_eq!(i.send.faulted() + i.recv.faulted(), 0);
    }

    #[test]
    fn the_same_seed_injects_the_same_faults() {
        let run = |seed| {
            let mut f = Faulty::new(lo(), FaultConfig::uniform(seed, 0.9));
            let mut got = Vec::new();
            for k in 0..50u8 {
                f.send(&encode(SYNC_RESP, k, 1, 0, &[k; 9]).unwrap())
                    .unwrap();
                got.extend(drain(&mut f));
            }
            (got, f.injected())
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7).0, run(8).0);
    }

    #[test]
    fn every_fault_kind_happens_and_a_delayed_frame_comes_after_a_deadline() {
        let mut f = Faulty::new(lo(), FaultConfig::uniform(3, 1.0));
        for k in 0..400u32 {
            f.send(&encode(SYNC_RESP, k as u8, 1, 0, &k.to_le_bytes()).unwrap())
                .unwrap();
            drain(&mut f);
        }
        for c in [f.injected().send, f.injected().recv] {
            assert!(c.dropped > 0 && c.corrupted > 0 && c.duplicated > 0);
            assert!(c.delayed > 0 && c.split > 0 && c.thinned > 0 && c.garbaged > 0);
        }
        // delay alone: nothing until a recv reaches its deadline
        let cfg = FaultConfig {
            p_delay: 1.0,
            send: false,
            ..FaultConfig::none(1)
        };
        let mut f = Faulty::new(lo(), cfg);
        let a = encode(SYNC_RESP, 5, 1, 0, &[]).unwrap();
        f.send(&a).unwrap();
        let mut buf = [0u8; 64];
        let d = Deadline::after(Duration::from_millis(1));
        assert_eq!(f.recv(&mut buf, d).unwrap(), 0);
        assert_eq!(f.recv(&mut buf, d).unwrap(), a.len());
    }

    proptest! {
        #[test]
        fn faulted_frames_are_lost_or_delivered_intact_never_forged(
            seed in any::<u64>(),
            total in 0.0f64..1.0,
            payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..20),
        ) {
            let mut f = Faulty::new(lo(), FaultConfig::uniform(seed, total));
            let sent: Vec<Vec<u8>> = payloads;
            let mut got = Vec::new();
            for (k, p) in sent.iter().enumerate() {
                f.send(&encode(SYNC_RESP, k as u8, 4, 0, p).unwrap()).unwrap();
                got.extend(drain(&mut f));
            }
            got.extend(drain(&mut f));
            for fr in frames(&got) {
                let k = fr.seq as usize;
                prop_assert!(k < sent.len());
                prop_assert_eq!(&fr.payload, &sent[k]);
                prop_assert_eq!(fr.cmd, 4);
            }
            if total == 0.0 {
                prop_assert_eq!(frames(&got).len(), sent.len());
            }
        }
    }
}
