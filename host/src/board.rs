//! The driver a user calls: [`Board`] opens the link (`HELLO`), configures
//! the design (`LOAD` of the load-port beats), runs it and streams its
//! spikes back, and checks that none was lost on the way.
//!
//! A run ([`Board::run`]): the board must be idle; records left in its
//! spike buffer from an earlier run are drained (counted in
//! [`RunReport::stale_spikes`], not delivered); `CLEAR` zeroes counters
//! 9..=16; `PACE`, then `RUN n`. Then it polls: `SPIKES` (again at once
//! while they come full), and `READ` of the status registers, until the
//! board reports `STEPS_LEFT == 0`, not running and `SPK_LEVEL == 0`, and a
//! last `SPIKES` returns nothing. At the end `SPK_SENT` and `SPK_EMITTED`
//! (since the `CLEAR`) must both equal the records received, and
//! `STEPS_DONE` must have grown by `n`: anything else is an error, never a
//! silent loss. A run that makes no progress (no step, no record) for
//! [`BoardConfig::max_idle`] on the transport's clock stops with an error.

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::link::{BoardId, Link, LinkConfig, LinkError, LinkStats, LoadProgress};
use crate::proto::{pack_beats, status_bits, LoadBeat, PackError, Reg, SpikeRecord, MAX_SPIKES};
use crate::transport::Transport;

/// How a [`Board`] talks and polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardConfig {
    pub link: LinkConfig,
    /// How long a run waits between two polls that found nothing new.
    pub poll_interval: Duration,
    /// A run with no new step and no new record for this long (on the
    /// transport's clock) stops with [`BoardError::Stuck`].
    pub max_idle: Duration,
}

impl Default for BoardConfig {
    fn default() -> BoardConfig {
        BoardConfig {
            link: LinkConfig::default(),
            poll_interval: Duration::from_millis(1),
            max_idle: Duration::from_secs(10),
        }
    }
}

/// Registers 4..=16 at one `READ`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardStatus {
    /// Register `STATUS` ([`status_bits`]).
    pub status: u32,
    pub steps_done: u32,
    pub steps_left: u32,
    pub cycles: u64,
    pub spk_emitted: u32,
    pub spk_sent: u32,
    pub spk_level: u32,
    pub stall_cycles: u32,
    pub bad_frames: u32,
    pub dup_frames: u32,
    pub overruns: u32,
    pub rx_errors: u32,
}

impl BoardStatus {
    pub fn running(&self) -> bool {
        self.status & status_bits::RUNNING != 0
    }

    fn from_words(w: &[u32]) -> BoardStatus {
        BoardStatus {
            status: w[0],
            steps_done: w[1],
            steps_left: w[2],
            cycles: u64::from(w[3]) | (u64::from(w[4]) << 32),
            spk_emitted: w[5],
            spk_sent: w[6],
            spk_level: w[7],
            stall_cycles: w[8],
            bad_frames: w[9],
            dup_frames: w[10],
            overruns: w[11],
            rx_errors: w[12],
        }
    }
}

/// How far a run has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    pub steps_done: u64,
    pub steps: u64,
    pub spikes: u64,
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Steps run (`STEPS_DONE` grew by this).
    pub steps: u64,
    /// Spike records received (and delivered).
    pub spikes: u64,
    /// Board clock cycles from the start of the run to its last poll.
    pub cycles: u64,
    /// Counters of the board over the run (zeroed by `CLEAR` at its start).
    pub stall_cycles: u64,
    pub bad_frames: u64,
    pub dup_frames: u64,
    pub rx_errors: u64,
    pub overruns: u64,
    /// Requests sent again (the host's count).
    pub retries: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Records of an earlier run drained before this one started.
    pub stale_spikes: u64,
    /// Wall-clock time of the run.
    pub wall: Duration,
}

/// Why a board call failed.
#[derive(Debug, Error)]
pub enum BoardError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("cannot pack the configuration into LOAD requests: {0}")]
    Pack(#[from] PackError),
    #[error(
        "the board holds another design: config hash {board:#018x}, expected {expected:#018x}"
    )]
    ConfigHash { board: u64, expected: u64 },
    #[error("the board is running ({steps_left} steps left): STOP it first")]
    Running { steps_left: u32 },
    #[error("the board keeps sending spike records while it is not running")]
    SpikesWhileIdle,
    #[error(
        "spikes lost: the board emitted {emitted} and sent {sent} spike records, \
         the host received {received}"
    )]
    SpikesLost {
        emitted: u64,
        sent: u64,
        received: u64,
    },
    #[error("the board ran {done} steps of the {asked} asked")]
    Steps { done: u64, asked: u64 },
    #[error(
        "the run made no progress for {idle:?}: {steps_done} of {steps} steps done, \
         {steps_left} left, status {status:#x}"
    )]
    Stuck {
        idle: Duration,
        steps_done: u64,
        steps: u64,
        steps_left: u32,
        status: u32,
    },
    #[error("the spike sink failed: {0}")]
    Sink(#[source] std::io::Error),
    #[error(
        "the board reports a memory error (STATUS {status:#x}, bit 2) {when}: an external-memory \
         access was refused (AXI SLVERR/DECERR) or the synapse image did not fit the memory port"
    )]
    MemoryError { status: u32, when: &'static str },
}

/// A board behind a transport.
pub struct Board<T: Transport> {
    link: Link<T>,
    id: BoardId,
    cfg: BoardConfig,
}

impl<T: Transport> Board<T> {
    /// Open the link (`HELLO`, magic and version checked).
    pub fn open(transport: T, cfg: BoardConfig) -> Result<Board<T>, BoardError> {
        let (link, id) = Link::open(transport, cfg.link.clone())?;
        Ok(Board { link, id, cfg })
    }

    /// What `HELLO` said.
    pub fn id(&self) -> BoardId {
        self.id
    }

    /// The config hash of the design on the board.
    pub fn config_hash(&self) -> u64 {
        self.id.config_hash
    }

    /// An error unless the board's design has config hash `expected`.
    pub fn check_config_hash(&self, expected: u64) -> Result<(), BoardError> {
        if self.id.config_hash != expected {
            return Err(BoardError::ConfigHash {
                board: self.id.config_hash,
                expected,
            });
        }
        Ok(())
    }

    pub fn link(&self) -> &Link<T> {
        &self.link
    }

    pub fn link_mut(&mut self) -> &mut Link<T> {
        &mut self.link
    }

    pub fn into_link(self) -> Link<T> {
        self.link
    }

    pub fn config(&self) -> &BoardConfig {
        &self.cfg
    }

    /// Registers 4..=16.
    pub fn status(&mut self) -> Result<BoardStatus, BoardError> {
        let w = self
            .link
            .read(Reg::Status, Reg::READABLE - Reg::Status.addr())?;
        Ok(BoardStatus::from_words(&w))
    }

    /// `STOP`: no more steps start.
    pub fn stop(&mut self) -> Result<(), BoardError> {
        Ok(self.link.write_reg(Reg::Stop, 1)?)
    }

    /// Configure: the load-port beats, packed into `LOAD` requests and sent
    /// in order. Returns the number of `LOAD` requests.
    pub fn configure(
        &mut self,
        beats: &[LoadBeat],
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<usize, BoardError> {
        let runs = pack_beats(beats)?;
        self.link.load(&runs, progress)?;
        // the external image's writes are done when their LOADs are
        // answered; a refused one is sticky in STATUS
        let status = self.status()?.status;
        if status & status_bits::MEM_ERR != 0 {
            return Err(BoardError::MemoryError {
                status,
                when: "after the configuration",
            });
        }
        Ok(runs.len())
    }

    /// Run `steps` steps at `pace` (register `PACE`: cycles from one step
    /// start to the next, 0 as fast as it goes), handing the spike records
    /// to `on_spikes` as they come, in the board's order, and the progress
    /// to `progress` after each poll.
    pub fn run(
        &mut self,
        steps: u32,
        pace: u32,
        on_spikes: &mut dyn FnMut(&[SpikeRecord]) -> std::io::Result<()>,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<RunReport, BoardError> {
        let mut started = false;
        let r = self.run_inner(steps, pace, on_spikes, progress, &mut started);
        if r.is_err() && started {
            // a run this call started and gives up on: stop the board (best
            // effort: the link may be what failed), so that it does not run
            // on until its spike buffer is full and wait there for ever
            let _ = self.link.write_reg(Reg::Stop, 1);
        }
        r
    }

    fn run_inner(
        &mut self,
        steps: u32,
        pace: u32,
        on_spikes: &mut dyn FnMut(&[SpikeRecord]) -> std::io::Result<()>,
        progress: &mut dyn FnMut(RunProgress),
        started: &mut bool,
    ) -> Result<RunReport, BoardError> {
        let wall = Instant::now();
        let s0: LinkStats = self.link.stats();
        let max = MAX_SPIKES as u8;

        let st = self.status()?;
        if st.status & status_bits::MEM_ERR != 0 {
            return Err(BoardError::MemoryError {
                status: st.status,
                when: "before the run",
            });
        }
        if st.running() || st.steps_left > 0 {
            return Err(BoardError::Running {
                steps_left: st.steps_left,
            });
        }
        // records of an earlier run: drained, not ours
        let mut stale = 0u64;
        let mut polls = u64::from(st.spk_level) / MAX_SPIKES as u64 + 3;
        loop {
            let r = self.link.spikes(max)?;
            if r.is_empty() {
                break;
            }
            stale += r.len() as u64;
            polls -= 1;
            if polls == 0 {
                return Err(BoardError::SpikesWhileIdle);
            }
        }
        self.link.write_reg(Reg::Clear, 1)?;
        self.link.write_reg(Reg::Pace, pace)?;
        let base = self.status()?;
        *started = true;
        self.link.write_reg(Reg::Run, steps)?;

        let asked = u64::from(steps);
        let mut received = 0u64;
        let mut last = base;
        let mut last_progress = self.link.transport().now();
        let end = loop {
            let recs = self.link.spikes(max)?;
            if !recs.is_empty() {
                received += recs.len() as u64;
                on_spikes(&recs).map_err(BoardError::Sink)?;
                last_progress = self.link.transport().now();
                if recs.len() == MAX_SPIKES {
                    continue;
                }
            }
            let st = self.status()?;
            if st.steps_done != last.steps_done {
                last_progress = self.link.transport().now();
            }
            last = st;
            progress(RunProgress {
                steps_done: u64::from(st.steps_done.wrapping_sub(base.steps_done)),
                steps: asked,
                spikes: received,
            });
            if st.steps_left == 0 && !st.running() && st.spk_level == 0 {
                let fin = self.link.spikes(max)?;
                if fin.is_empty() {
                    break st;
                }
                received += fin.len() as u64;
                on_spikes(&fin).map_err(BoardError::Sink)?;
                continue;
            }
            if recs.is_empty() {
                let idle = self.link.transport().now().saturating_sub(last_progress);
                if idle > self.cfg.max_idle {
                    return Err(BoardError::Stuck {
                        idle,
                        steps_done: u64::from(st.steps_done.wrapping_sub(base.steps_done)),
                        steps: asked,
                        steps_left: st.steps_left,
                        status: st.status,
                    });
                }
                self.link.wait(self.cfg.poll_interval)?;
            }
        };

        let emitted = u64::from(end.spk_emitted.wrapping_sub(base.spk_emitted));
        let sent = u64::from(end.spk_sent.wrapping_sub(base.spk_sent));
        if emitted != received || sent != received {
            return Err(BoardError::SpikesLost {
                emitted,
                sent,
                received,
            });
        }
        let done = u64::from(end.steps_done.wrapping_sub(base.steps_done));
        if done != asked {
            return Err(BoardError::Steps { done, asked });
        }
        let s1 = self.link.stats();
        Ok(RunReport {
            steps: done,
            spikes: received,
            cycles: end.cycles.wrapping_sub(base.cycles),
            stall_cycles: u64::from(end.stall_cycles.wrapping_sub(base.stall_cycles)),
            bad_frames: u64::from(end.bad_frames.wrapping_sub(base.bad_frames)),
            dup_frames: u64::from(end.dup_frames.wrapping_sub(base.dup_frames)),
            rx_errors: u64::from(end.rx_errors.wrapping_sub(base.rx_errors)),
            overruns: u64::from(end.overruns.wrapping_sub(base.overruns)),
            retries: s1.retries - s0.retries,
            bytes_sent: s1.bytes_sent - s0.bytes_sent,
            bytes_received: s1.bytes_received - s0.bytes_received,
            stale_spikes: stale,
            wall: wall.elapsed(),
        })
    }

    /// [`Board::run`] collecting the records into a vector.
    pub fn run_collect(
        &mut self,
        steps: u32,
        pace: u32,
    ) -> Result<(Vec<SpikeRecord>, RunReport), BoardError> {
        let mut v = Vec::new();
        let r = self.run(
            steps,
            pace,
            &mut |s| {
                v.extend_from_slice(s);
                Ok(())
            },
            &mut |_| {},
        )?;
        Ok((v, r))
    }
}
