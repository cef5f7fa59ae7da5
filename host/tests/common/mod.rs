//! Helpers shared by the host tests: a configuration's beats, a model
//! board, configs in simulated time, and a transport that rewrites the
//! board's responses (a misbehaving board).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use spikefab_host::model::{BoardModel, ModelConfig, ModelTransport};
use spikefab_host::proto::{encode, Frame, LoadBeat, Scan, Scanner, SYNC_RESP};
use spikefab_host::{BoardConfig, Deadline, LinkConfig, Transport, TransportError};

/// Load-port beats of a made-up configuration: `words` words over a few
/// cores and memories, 1 to 4 beats each, mostly at consecutive addresses.
pub fn beats(words: usize, seed: u64) -> Vec<LoadBeat> {
    let mut v = Vec::new();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut core, mut mem, mut addr, mut bpw) = (0u16, 0u8, 0u32, 1usize);
    for w in 0..words {
        if w % 37 == 0 {
            core = (next() % 4) as u16;
            mem = (next() % 6) as u8;
            addr = (next() % 1000) as u32;
            bpw = 1 + (next() % 4) as usize;
        }
        for k in 0..bpw {
            v.push(LoadBeat {
                core,
                mem,
                addr,
                last: k + 1 == bpw,
                data: next() as u32,
            });
        }
        addr += 1;
    }
    v
}

/// A design's load-port beats, (core, beat) as `spikefab_build`'s
/// `BoardLoad` holds them, as the driver sends them: those whose memory id
/// `keep` accepts.
pub fn board_beats(
    beats: &[(u32, spikefab_gen::images::Beat)],
    keep: impl Fn(u8) -> bool,
) -> Vec<LoadBeat> {
    beats
        .iter()
        .filter(|(_, b)| keep(b.mem))
        .map(|(c, b)| LoadBeat {
            core: *c as u16,
            mem: b.mem,
            addr: b.addr,
            last: b.last,
            data: b.data,
        })
        .collect()
}

/// The model of most tests: 4 cores (those of [`beats`]), 64 neurons at
/// 10% a step.
pub fn model_config() -> ModelConfig {
    ModelConfig {
        cores: 4,
        neurons: 64,
        rate: 0.1,
        seed: 77,
        ..ModelConfig::default()
    }
}

pub fn model(cfg: ModelConfig) -> ModelTransport {
    ModelTransport::new(BoardModel::new(cfg))
}

/// Deadlines in simulated time: 1 ms (100,000 cycles) per attempt.
pub fn sim_link() -> LinkConfig {
    LinkConfig {
        timeout: Duration::from_millis(1),
        retries: 8,
        first_seq: None,
    }
}

pub fn sim_board() -> BoardConfig {
    BoardConfig {
        link: sim_link(),
        poll_interval: Duration::from_micros(50),
        max_idle: Duration::from_millis(100),
    }
}

/// A transport whose response frames pass through `f` (re-encoded with a
/// good CRC): a board that answers wrongly.
pub struct Rewrite<T: Transport> {
    pub inner: T,
    f: Box<dyn FnMut(&mut Frame) + Send>,
    scanner: Scanner,
    out: VecDeque<u8>,
}

impl<T: Transport> Rewrite<T> {
    pub fn new(inner: T, f: impl FnMut(&mut Frame) + Send + 'static) -> Rewrite<T> {
        Rewrite {
            inner,
            f: Box::new(f),
            scanner: Scanner::new(SYNC_RESP),
            out: VecDeque::new(),
        }
    }
}

impl<T: Transport> Transport for Rewrite<T> {
    fn name(&self) -> String {
        format!("{} (rewritten)", self.inner.name())
    }
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.inner.send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], d: Deadline) -> Result<usize, TransportError> {
        let mut tmp = vec![0u8; 4096];
        while self.out.is_empty() {
            let n = self.inner.recv(&mut tmp, d)?;
            if n == 0 {
                return Ok(0);
            }
            for s in self.scanner.push(&tmp[..n]) {
                if let Scan::Frame(mut fr) = s {
                    (self.f)(&mut fr);
                    self.out
                        .extend(encode(fr.sync, fr.seq, fr.cmd, fr.status, &fr.payload).unwrap());
                }
            }
        }
        let n = buf.len().min(self.out.len());
        for (k, b) in self.out.drain(..n).enumerate() {
            buf[k] = b;
        }
        Ok(n)
    }
    fn now(&self) -> Duration {
        self.inner.now()
    }
}
