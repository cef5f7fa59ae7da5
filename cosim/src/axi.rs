//! An AXI4 read-slave memory model with a protocol checker, for the
//! external synapse store (docs/hardware.md, "External synapse memory";
//! issue 10): pure Rust, usable without Verilator.
//!
//! - [`MemImage`]: the memory contents, sparse (4 KiB pages on first
//!   write), with a written-flag per byte: a burst that reads a byte no
//!   image was written to is a protocol error, which makes a wrong burst
//!   address loud.
//! - [`AxiMem`]: the slave. Fixed latency from the AR handshake to the
//!   first beat, random extra latency per burst, a bandwidth bound (a token
//!   bucket of bytes per cycle, which may be a fraction of a beat), random
//!   ARREADY / RVALID backpressure, and, with `reorder`, responses of
//!   different IDs out of order and interleaved beat by beat (as AXI4
//!   allows; one ID's bursts always in order). Deterministic from its seed.
//! - The checks of the master's requests ([`AxiRule`]): a burst never
//!   crosses a 4 KiB boundary, ARLEN+1 <= the master's `AXI_BURST` (and
//!   256), ARSIZE = log2(beat bytes), ARBURST = INCR, ARADDR aligned to the
//!   beat, the AR payload stable and ARVALID held while stalled, and every
//!   byte read written by an image. The model checks itself too: it never
//!   sends a beat for a burst that is not outstanding.
//! - [`AxiBus`] / [`AxiSlave`] (`axi/bind.rs`): bind models to a verilated
//!   model's `m_axi_*` ports, one model per lane of a flattened mesh port.
//!
//! # One cycle
//!
//! ```text
//! mem.drive()               // ARREADY, RVALID, RDATA, RID, RRESP, RLAST of this cycle:
//!                           // decided from the model's state only
//! (the master settles its outputs with those inputs)
//! mem.sample(&ar, rready)?  // the rising edge: handshakes, checks, next cycle's outputs
//! ```
//!
//! A beat handshakes when RVALID and RREADY are both high at the edge, an
//! AR request when ARVALID and ARREADY are. A burst accepted in cycle `c`
//! may show its first beat in cycle `c + latency + extra` (extra drawn from
//! `0..=jitter`), later when the bandwidth, RVALID gaps or, without
//! `reorder`, an older burst hold it back. RVALID, once high, stays high
//! with the same beat until RREADY takes it. While RVALID is low, RDATA,
//! RID, RRESP and RLAST carry random values (a master must not look at
//! them). RRESP is always OKAY.
//!
//! After a violation the model is not meant to continue; the harness stops
//! and reports it (with the step, which the model does not know).

mod bind;
mod image;

use std::sync::Arc;

use thiserror::Error;

pub use bind::{AxiBus, AxiSlave, LaneSample};
pub use image::{MemImage, PAGE_BYTES};

use crate::error::CosimError;

/// `ARBURST` value of an incrementing burst.
pub const BURST_INCR: u32 = 1;

/// Fraction bits of the bandwidth token bucket (bytes in units of 2^-16).
const TOKEN_FRAC: u32 = 16;

/// Everything that can go wrong configuring or binding a memory model, and
/// a protocol violation found while driving one through a port.
#[derive(Debug, Error)]
pub enum AxiError {
    /// A field of [`AxiMemConfig`] out of its range.
    #[error("AxiMemConfig.{field} = {value}: {rule}")]
    Config {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        rule: &'static str,
    },

    /// An image range past the end of the 64-bit address space.
    #[error("memory image range of {len} bytes at {addr:#x} runs past the end of the 64-bit address space")]
    ImageRange {
        /// The start address.
        addr: u64,
        /// The length in bytes.
        len: u64,
    },

    /// [`MemImage::read`] of a byte no image was written to.
    #[error("memory image read of unwritten memory at {addr:#x}")]
    Unwritten {
        /// The first unwritten address of the range.
        addr: u64,
    },

    /// A port of the AXI bus missing or of the wrong width.
    #[error("AXI bus of `{top}`: port `{port}` {problem}")]
    Port {
        /// The model's top module.
        top: String,
        /// The port.
        port: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A lane's memory model does not fit the bus.
    #[error("AXI bus of `{top}`, lane {lane}: the memory model's {field} is {mem}, the port's is {port}")]
    LaneMismatch {
        /// The model's top module.
        top: String,
        /// The lane.
        lane: u32,
        /// The config field (`data_bits`, `id_bits`).
        field: &'static str,
        /// The memory model's value.
        mem: u32,
        /// The bus's value.
        port: u32,
    },

    /// Not one memory model (or drive) per lane.
    #[error("AXI bus of `{top}` has {lanes} lane(s), given {got} memory model(s)")]
    LaneCount {
        /// The model's top module.
        top: String,
        /// Lanes of the bus.
        lanes: u32,
        /// Memory models given.
        got: usize,
    },

    /// The master broke an AXI rule on a lane (or the model a rule of its
    /// own).
    #[error("AXI memory lane {lane}: {violation}")]
    Violation {
        /// The lane (0 on an ordinary port).
        lane: u32,
        /// What happened.
        #[source]
        violation: AxiViolation,
    },

    /// Reading or driving the model's ports failed.
    #[error(transparent)]
    Cosim(#[from] CosimError),
}

/// The configuration of one memory model (one port, one lane).
#[derive(Debug, Clone, PartialEq)]
pub struct AxiMemConfig {
    /// Data bus width in bits (`AXI_DATA_W`): a power of two, 8..=1024.
    pub data_bits: u32,
    /// ID width in bits (`AXI_ID_W`): 1..=16.
    pub id_bits: u32,
    /// Most beats per burst the master may ask for (its `AXI_BURST`),
    /// 1..=256: a longer burst is a violation.
    pub max_burst: u32,
    /// Cycles from the AR handshake to the first beat (>= 1: a burst
    /// accepted in cycle `c` shows its first beat in cycle `c + latency`
    /// at the earliest).
    pub latency: u32,
    /// Random extra latency per burst, drawn from `0..=jitter`.
    pub jitter: u32,
    /// Bandwidth in bytes per cycle (`None`: one beat every cycle). A token
    /// bucket of at most `max(beat, rate)` bytes, refilled every cycle
    /// (in units of 2^-16 byte); a beat takes its bytes when RVALID rises.
    /// 8 with 32-byte beats is one beat every 4 cycles; 12.5 with 64-byte
    /// beats 25 beats in 128 cycles. Over any `n` cycles at most one beat
    /// more than `rate x n` bytes.
    pub bytes_per_cycle: Option<f64>,
    /// Percent of cycles ARREADY is high, 1..=100 (100: always).
    pub ar_ready_pct: u32,
    /// Percent of the cycles a ready beat is offered (RVALID raised),
    /// 1..=100 (100: no gaps).
    pub r_valid_pct: u32,
    /// Responses of different IDs may return out of order and interleaved
    /// beat by beat; one ID's in order. Without it, bursts return whole,
    /// in the order they were accepted.
    pub reorder: bool,
    /// Seed of the model's random choices (xorshift64; any value).
    pub seed: u64,
}

impl AxiMemConfig {
    /// An ideal memory for a bus: latency 1, no jitter, unlimited
    /// bandwidth, no backpressure, in order, seed 1.
    pub fn new(data_bits: u32, id_bits: u32, max_burst: u32) -> AxiMemConfig {
        AxiMemConfig {
            data_bits,
            id_bits,
            max_burst,
            latency: 1,
            jitter: 0,
            bytes_per_cycle: None,
            ar_ready_pct: 100,
            r_valid_pct: 100,
            reorder: false,
            seed: 1,
        }
    }

    /// An ideal memory for a core's AXI port (`AXI_DATA_W`, `AXI_ID_W`,
    /// `AXI_BURST`).
    pub fn for_port(p: &spikefab_hdl::core::AxiParams) -> AxiMemConfig {
        AxiMemConfig::new(p.data_w, p.id_w, p.burst)
    }

    /// Bytes per beat.
    pub fn beat_bytes(&self) -> u64 {
        u64::from(self.data_bits / 8)
    }

    /// `ARSIZE` of a full-width beat.
    pub fn arsize(&self) -> u32 {
        self.beat_bytes().trailing_zeros()
    }

    /// 64-bit words of one beat's data (`ceil(data_bits / 64)`).
    pub fn data_words(&self) -> usize {
        self.data_bits.div_ceil(64) as usize
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), AxiError> {
        let bad = |field, value: String, rule| Err(AxiError::Config { field, value, rule });
        if !self.data_bits.is_power_of_two() || !(8..=1024).contains(&self.data_bits) {
            return bad(
                "data_bits",
                self.data_bits.to_string(),
                "must be a power of two in 8..=1024",
            );
        }
        if !(1..=16).contains(&self.id_bits) {
            return bad("id_bits", self.id_bits.to_string(), "must be in 1..=16");
        }
        if !(1..=256).contains(&self.max_burst) {
            return bad(
                "max_burst",
                self.max_burst.to_string(),
                "must be in 1..=256 (AXI4 INCR bursts)",
            );
        }
        if self.latency == 0 {
            return bad(
                "latency",
                "0".into(),
                "must be at least 1 (the first beat follows the AR handshake's cycle)",
            );
        }
        if let Some(b) = self.bytes_per_cycle {
            if !(b.is_finite() && b * f64::from(1u32 << TOKEN_FRAC) >= 1.0 && b <= 1e9) {
                return bad(
                    "bytes_per_cycle",
                    b.to_string(),
                    "must be a finite number of bytes in 2^-16..=1e9 (None: unlimited)",
                );
            }
        }
        for (field, v) in [
            ("ar_ready_pct", self.ar_ready_pct),
            ("r_valid_pct", self.r_valid_pct),
        ] {
            if !(1..=100).contains(&v) {
                return bad(field, v.to_string(), "must be a percentage in 1..=100");
            }
        }
        Ok(())
    }
}

/// The master's read-address channel at a clock edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArSample {
    /// `ARVALID`.
    pub valid: bool,
    /// `ARADDR`: byte address of the first beat.
    pub addr: u64,
    /// `ARLEN`: beats - 1 (8 bits on the bus; a wider value is a
    /// violation).
    pub len: u32,
    /// `ARSIZE`: log2 of the bytes per beat.
    pub size: u32,
    /// `ARBURST` (INCR = 1).
    pub burst: u32,
    /// `ARID`.
    pub id: u64,
    /// `ARCACHE` (only checked for stability).
    pub cache: u32,
    /// `ARPROT` (only checked for stability).
    pub prot: u32,
}

/// What the slave puts on its outputs in one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxiDrive {
    /// `ARREADY`.
    pub arready: bool,
    /// `RVALID`.
    pub rvalid: bool,
    /// `RDATA` as little-endian 64-bit words ([`AxiMemConfig::data_words`]
    /// of them; bits above `data_bits` 0).
    pub rdata: Vec<u64>,
    /// `RID`.
    pub rid: u64,
    /// `RRESP` (OKAY = 0 on every beat).
    pub rresp: u32,
    /// `RLAST`.
    pub rlast: bool,
}

/// The AXI rules the model checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AxiRule {
    /// A burst must not cross a 4 KiB boundary.
    Boundary4K,
    /// ARLEN+1 must not exceed the master's `AXI_BURST` nor 256.
    BurstLength,
    /// ARSIZE must be log2 of the bytes per beat (full-width beats).
    BurstSize,
    /// ARBURST must be INCR.
    BurstType,
    /// ARADDR must be aligned to the beat.
    Alignment,
    /// ARID must fit the ID width.
    IdWidth,
    /// While ARVALID && !ARREADY, ARVALID stays high and the AR payload
    /// does not change.
    StableWhileStalled,
    /// Every byte a burst reads was written by an image.
    UnwrittenMemory,
    /// No R beat without an outstanding request of its ID (the model's own
    /// rule, checked on every beat).
    ResponseWithoutRequest,
}

impl AxiRule {
    /// A short name of the rule.
    pub fn name(self) -> &'static str {
        match self {
            AxiRule::Boundary4K => "4 KiB boundary",
            AxiRule::BurstLength => "burst length",
            AxiRule::BurstSize => "ARSIZE",
            AxiRule::BurstType => "ARBURST",
            AxiRule::Alignment => "address alignment",
            AxiRule::IdWidth => "ARID width",
            AxiRule::StableWhileStalled => "AR stable while stalled",
            AxiRule::UnwrittenMemory => "unwritten memory",
            AxiRule::ResponseWithoutRequest => "no response without request",
        }
    }
}

impl std::fmt::Display for AxiRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The burst a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstDesc {
    /// `ARID`.
    pub id: u64,
    /// `ARADDR`.
    pub addr: u64,
    /// `ARLEN` (beats - 1).
    pub len: u32,
}

impl std::fmt::Display for BurstDesc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "burst id {}, addr {:#x}, len {}",
            self.id, self.addr, self.len
        )
    }
}

impl From<&ArSample> for BurstDesc {
    fn from(a: &ArSample) -> BurstDesc {
        BurstDesc {
            id: a.id,
            addr: a.addr,
            len: a.len,
        }
    }
}

/// An AXI rule broken: which, when (the model's own cycle count, from 0 at
/// creation) and on which burst.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("AXI rule `{rule}` broken at memory cycle {cycle}: {detail} ({burst})")]
pub struct AxiViolation {
    /// The rule.
    pub rule: AxiRule,
    /// The model's cycle (number of `sample` calls before this one).
    pub cycle: u64,
    /// The burst.
    pub burst: BurstDesc,
    /// What exactly.
    pub detail: String,
}

/// Counters of one model, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxiStats {
    /// Cycles sampled.
    pub cycles: u64,
    /// Bursts accepted (AR handshakes).
    pub bursts: u64,
    /// Bursts whose last beat was taken.
    pub bursts_done: u64,
    /// Beats taken (R handshakes).
    pub beats: u64,
    /// Bytes taken (beats x beat bytes).
    pub bytes: u64,
    /// Most bursts outstanding at once (accepted, last beat not taken).
    pub max_outstanding: u64,
    /// Cycles with RVALID && !RREADY.
    pub r_stall_cycles: u64,
    /// Cycles with ARVALID && !ARREADY.
    pub ar_stall_cycles: u64,
    /// Shortest and longest time from an AR handshake to the handshake of
    /// its first beat, in cycles (0 before any), and their sum over
    /// `bursts_first_beat` bursts.
    pub first_beat_min: u64,
    /// See `first_beat_min`.
    pub first_beat_max: u64,
    /// See `first_beat_min`.
    pub first_beat_sum: u64,
    /// Bursts whose first beat was taken.
    pub bursts_first_beat: u64,
    /// Beats taken from a burst while an older one (of another ID) was
    /// still outstanding: responses out of order or interleaved (0
    /// without `reorder`).
    pub reordered_beats: u64,
}

/// One accepted burst.
#[derive(Debug, Clone)]
struct Burst {
    seq: u64,
    id: u64,
    addr: u64,
    len: u32,
    beats: u32,
    sent: u32,
    accepted: u64,
    ready_at: u64,
}

/// The AXI4 read slave (see the module documentation).
#[derive(Debug, Clone)]
pub struct AxiMem {
    cfg: AxiMemConfig,
    image: Arc<MemImage>,
    rng: u64,
    cycle: u64,
    next_seq: u64,
    /// Outstanding bursts in acceptance order.
    bursts: Vec<Burst>,
    /// Outstanding bursts per ID (the self-check).
    per_id: Vec<u32>,
    out: AxiDrive,
    /// The burst whose beat is on the bus (RVALID high).
    presented: Option<u64>,
    /// The AR payload of the last cycle when it was valid and not taken.
    stalled: Option<ArSample>,
    tokens: u64,
    rate: Option<u64>,
    cost: u64,
    cap: u64,
    stats: AxiStats,
    beat_buf: Vec<u8>,
    eligible: Vec<usize>,
}

impl AxiMem {
    /// A model with an empty image.
    pub fn new(cfg: AxiMemConfig) -> Result<AxiMem, AxiError> {
        AxiMem::with_image(cfg, Arc::new(MemImage::new()))
    }

    /// A model reading `image` (shared, e.g. by the lanes of a mesh: a
    /// later [`write`](AxiMem::write) copies it first).
    pub fn with_image(cfg: AxiMemConfig, image: Arc<MemImage>) -> Result<AxiMem, AxiError> {
        cfg.validate()?;
        let cost = cfg.beat_bytes() << TOKEN_FRAC;
        let rate = cfg
            .bytes_per_cycle
            .map(|b| (b * f64::from(1u32 << TOKEN_FRAC)).round() as u64);
        let cap = rate.map_or(cost, |r| r.max(cost));
        let mut seed = cfg.seed ^ 0x9E37_79B9_7F4A_7C15;
        seed = splitmix(&mut seed);
        let mut m = AxiMem {
            out: AxiDrive {
                arready: false,
                rvalid: false,
                rdata: vec![0; cfg.data_words()],
                rid: 0,
                rresp: 0,
                rlast: false,
            },
            per_id: vec![0; 1usize << cfg.id_bits],
            beat_buf: vec![0; cfg.beat_bytes() as usize],
            cfg,
            image,
            rng: seed.max(1),
            cycle: 0,
            next_seq: 0,
            bursts: Vec::new(),
            presented: None,
            stalled: None,
            tokens: 0,
            rate,
            cost,
            cap,
            stats: AxiStats::default(),
            eligible: Vec::new(),
        };
        // Start with a full bucket (the refill of cycle 0 tops it up).
        m.tokens = cap;
        m.prepare();
        Ok(m)
    }

    /// The configuration.
    pub fn config(&self) -> &AxiMemConfig {
        &self.cfg
    }

    /// Writes image bytes at `addr` (the host-side image; any time).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), AxiError> {
        Arc::make_mut(&mut self.image).write(addr, bytes)
    }

    /// The image.
    pub fn image(&self) -> &MemImage {
        &self.image
    }

    /// The outputs of this cycle (decided from the model's state only).
    pub fn drive(&self) -> &AxiDrive {
        &self.out
    }

    /// The model's cycle: `sample` calls so far.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// The counters.
    pub fn stats(&self) -> &AxiStats {
        &self.stats
    }

    /// Bursts accepted whose last beat was not taken yet.
    pub fn outstanding(&self) -> usize {
        self.bursts.len()
    }

    /// The rising edge: `ar` and `rready` are the master's outputs in this
    /// cycle (settled with [`drive`](AxiMem::drive)'s values). Performs the
    /// handshakes, checks the rules, and decides the next cycle's outputs.
    pub fn sample(&mut self, ar: &ArSample, rready: bool) -> Result<(), AxiViolation> {
        // R channel.
        if self.out.rvalid {
            if rready {
                self.take_beat()?;
            } else {
                self.stats.r_stall_cycles += 1;
            }
        }
        // AR channel.
        if let Some(prev) = self.stalled.take() {
            if !ar.valid {
                return Err(self.violation(
                    AxiRule::StableWhileStalled,
                    &prev,
                    "ARVALID dropped before ARREADY took the request".into(),
                ));
            }
            if *ar != prev {
                return Err(self.violation(
                    AxiRule::StableWhileStalled,
                    &prev,
                    format!("the AR payload changed while stalled: now {}", show_ar(ar)),
                ));
            }
        }
        if ar.valid {
            self.check_request(ar)?;
            if self.out.arready {
                self.accept(ar);
            } else {
                self.stalled = Some(*ar);
                self.stats.ar_stall_cycles += 1;
            }
        }
        self.cycle += 1;
        self.stats.cycles = self.cycle;
        self.prepare();
        Ok(())
    }

    fn violation(&self, rule: AxiRule, ar: &ArSample, detail: String) -> AxiViolation {
        AxiViolation {
            rule,
            cycle: self.cycle,
            burst: ar.into(),
            detail,
        }
    }

    /// The rules of one request (checked in every cycle it is valid).
    fn check_request(&self, ar: &ArSample) -> Result<(), AxiViolation> {
        let bb = self.cfg.beat_bytes();
        let v = |rule, detail| Err(self.violation(rule, ar, detail));
        if ar.burst != BURST_INCR {
            return v(
                AxiRule::BurstType,
                format!("ARBURST = {} (only INCR = 1 is served)", ar.burst),
            );
        }
        if ar.size != self.cfg.arsize() {
            return v(
                AxiRule::BurstSize,
                format!(
                    "ARSIZE = {}, the {}-bit bus needs {} ({bb}-byte beats)",
                    ar.size,
                    self.cfg.data_bits,
                    self.cfg.arsize()
                ),
            );
        }
        if ar.len > 255 || ar.len + 1 > self.cfg.max_burst {
            return v(
                AxiRule::BurstLength,
                format!(
                    "ARLEN = {} asks for {} beats, more than {}",
                    ar.len,
                    u64::from(ar.len) + 1,
                    if ar.len > 255 {
                        "256 (ARLEN is 8 bits)".to_string()
                    } else {
                        format!("the master's AXI_BURST = {}", self.cfg.max_burst)
                    }
                ),
            );
        }
        if ar.id >> self.cfg.id_bits != 0 {
            return v(
                AxiRule::IdWidth,
                format!("ARID = {} does not fit {} bits", ar.id, self.cfg.id_bits),
            );
        }
        if !ar.addr.is_multiple_of(bb) {
            return v(
                AxiRule::Alignment,
                format!(
                    "ARADDR {:#x} is not a multiple of the {bb}-byte beat",
                    ar.addr
                ),
            );
        }
        let bytes = (u64::from(ar.len) + 1) * bb;
        let last = u128::from(ar.addr) + u128::from(bytes) - 1;
        if last / u128::from(PAGE_BYTES) != u128::from(ar.addr / PAGE_BYTES) {
            return v(
                AxiRule::Boundary4K,
                format!(
                    "{} beats x {bb} bytes from {:#x} end at {last:#x}, past the 4 KiB boundary at {:#x}",
                    u64::from(ar.len) + 1,
                    ar.addr,
                    (ar.addr / PAGE_BYTES + 1) * PAGE_BYTES
                ),
            );
        }
        if let Some(a) = self.image.first_unwritten(ar.addr, bytes) {
            return v(
                AxiRule::UnwrittenMemory,
                format!("read of unwritten memory at {a:#x}"),
            );
        }
        Ok(())
    }

    fn accept(&mut self, ar: &ArSample) {
        let extra = if self.cfg.jitter == 0 {
            0
        } else {
            self.below(u64::from(self.cfg.jitter) + 1)
        };
        self.bursts.push(Burst {
            seq: self.next_seq,
            id: ar.id,
            addr: ar.addr,
            len: ar.len,
            beats: ar.len + 1,
            sent: 0,
            accepted: self.cycle,
            ready_at: self.cycle + u64::from(self.cfg.latency) + extra,
        });
        self.next_seq += 1;
        self.per_id[ar.id as usize] += 1;
        self.stats.bursts += 1;
        self.stats.max_outstanding = self.stats.max_outstanding.max(self.bursts.len() as u64);
    }

    /// The handshake of the beat on the bus, checked against the model's
    /// own bookkeeping.
    fn take_beat(&mut self) -> Result<(), AxiViolation> {
        let seq = self.presented.take();
        let idx = seq.and_then(|s| self.bursts.iter().position(|b| b.seq == s));
        let rid = self.out.rid;
        let outstanding = self.per_id.get(rid as usize).copied().unwrap_or(0);
        let Some(i) = idx.filter(|_| outstanding > 0) else {
            return Err(AxiViolation {
                rule: AxiRule::ResponseWithoutRequest,
                cycle: self.cycle,
                burst: BurstDesc {
                    id: rid,
                    addr: 0,
                    len: 0,
                },
                detail: format!(
                    "the model sent a beat with RID {rid}, which has {outstanding} burst(s) outstanding"
                ),
            });
        };
        let b = &mut self.bursts[i];
        if b.id != rid || self.out.rlast != (b.sent + 1 == b.beats) {
            return Err(AxiViolation {
                rule: AxiRule::ResponseWithoutRequest,
                cycle: self.cycle,
                burst: BurstDesc {
                    id: b.id,
                    addr: b.addr,
                    len: b.len,
                },
                detail: format!(
                    "the model's beat {} carries RID {rid}, RLAST {}",
                    b.sent, self.out.rlast
                ),
            });
        }
        if b.sent == 0 {
            let t = self.cycle - b.accepted;
            let s = &mut self.stats;
            s.first_beat_min = if s.bursts_first_beat == 0 {
                t
            } else {
                s.first_beat_min.min(t)
            };
            s.first_beat_max = s.first_beat_max.max(t);
            s.first_beat_sum += t;
            s.bursts_first_beat += 1;
        }
        b.sent += 1;
        self.stats.reordered_beats += u64::from(i != 0);
        self.stats.beats += 1;
        self.stats.bytes += self.cfg.beat_bytes();
        if b.sent == b.beats {
            let id = b.id as usize;
            self.bursts.remove(i);
            self.per_id[id] -= 1;
            self.stats.bursts_done += 1;
        }
        Ok(())
    }

    /// Decides the outputs of cycle `self.cycle`.
    fn prepare(&mut self) {
        // This cycle's refill; capped after a beat takes its bytes, so a
        // fraction of a beat carried over is never lost.
        let avail = self.tokens + self.rate.unwrap_or(0);
        self.tokens = avail.min(self.cap);
        self.out.arready = self.chance(self.cfg.ar_ready_pct);
        if self.presented.is_some() {
            return; // RVALID holds its beat until RREADY takes it.
        }
        self.eligible.clear();
        if self.cfg.reorder {
            // The oldest burst of each ID, once its latency has passed.
            for (i, b) in self.bursts.iter().enumerate() {
                let oldest = !self.bursts[..i].iter().any(|o| o.id == b.id);
                if oldest && b.ready_at <= self.cycle {
                    self.eligible.push(i);
                }
            }
        } else if self
            .bursts
            .first()
            .is_some_and(|b| b.ready_at <= self.cycle)
        {
            self.eligible.push(0);
        }
        let offer = !self.eligible.is_empty()
            && self.chance(self.cfg.r_valid_pct)
            && (self.rate.is_none() || avail >= self.cost);
        if offer {
            let k = if self.eligible.len() == 1 {
                0
            } else {
                self.below(self.eligible.len() as u64) as usize
            };
            let b = &self.bursts[self.eligible[k]];
            let addr = b.addr + u64::from(b.sent) * self.cfg.beat_bytes();
            self.image.copy_out(addr, &mut self.beat_buf);
            for (j, w) in self.out.rdata.iter_mut().enumerate() {
                let mut bytes = [0u8; 8];
                let chunk = self.beat_buf.iter().skip(8 * j).take(8);
                for (d, s) in bytes.iter_mut().zip(chunk) {
                    *d = *s;
                }
                *w = u64::from_le_bytes(bytes);
            }
            self.out.rvalid = true;
            self.out.rid = b.id;
            self.out.rresp = 0;
            self.out.rlast = b.sent + 1 == b.beats;
            self.presented = Some(b.seq);
            if self.rate.is_some() {
                self.tokens = (avail - self.cost).min(self.cap);
            }
        } else {
            // Nothing valid: random values a master must ignore.
            self.out.rvalid = false;
            let mask = data_top_mask(self.cfg.data_bits);
            let n = self.out.rdata.len();
            for j in 0..n {
                self.out.rdata[j] = self.next_u64();
            }
            self.out.rdata[n - 1] &= mask;
            self.out.rid = self.next_u64() & ((1u64 << self.cfg.id_bits) - 1);
            let r = self.next_u64();
            self.out.rresp = (r & 3) as u32;
            self.out.rlast = r >> 2 & 1 == 1;
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    /// Uniform in `0..n` (`n >= 1`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True in `pct` percent of the calls (always at 100, drawing nothing).
    fn chance(&mut self, pct: u32) -> bool {
        pct >= 100 || self.below(100) < u64::from(pct)
    }
}

/// The valid bits of the top data word of a `bits`-wide bus.
fn data_top_mask(bits: u32) -> u64 {
    let top = bits - 64 * (bits.div_ceil(64) - 1);
    if top >= 64 {
        u64::MAX
    } else {
        (1u64 << top) - 1
    }
}

fn splitmix(s: &mut u64) -> u64 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn show_ar(a: &ArSample) -> String {
    format!(
        "ARADDR {:#x}, ARLEN {}, ARSIZE {}, ARBURST {}, ARID {}, ARCACHE {}, ARPROT {}",
        a.addr, a.len, a.size, a.burst, a.id, a.cache, a.prot
    )
}

#[cfg(test)]
mod tests;
