//! The byte pipe under the link: a [`Transport`] moves bytes to the board
//! and back, nothing more. Framing, checksums, retries and deadlines per
//! request are the [`Link`](crate::link::Link)'s.
//!
//! Time: a [`Deadline`] is "wait at most this long from now", measured on
//! the transport's own clock ([`Transport::now`]). A real link (serial,
//! PCIe) measures it on the wall clock, the default; a simulated transport
//! (the in-process [model](crate::model), a verilated board) maps it to
//! clock cycles at its own clock and overrides [`Transport::now`] with its
//! simulated time, so that a slow simulation never times out early.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use thiserror::Error;

/// How long a [`Transport::recv`] may wait: at most `wait` from now, on the
/// transport's clock ([`Transport::now`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Deadline {
    pub wait: Duration,
}

impl Deadline {
    /// Wait at most `wait` from now.
    pub fn after(wait: Duration) -> Deadline {
        Deadline { wait }
    }
}

/// A transport failed (a timeout is not a failure: `recv` returns 0).
#[derive(Debug, Error)]
pub enum TransportError {
    /// An I/O call failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The other end went away (end of stream, hang-up).
    #[error("closed by the other end")]
    Closed,
    /// Anything else, said in words.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> TransportError {
        TransportError::Io {
            what: what.into(),
            source,
        }
    }
}

/// A byte pipe to a board, both directions.
pub trait Transport: Send {
    /// What this is, for messages: "serial /dev/ttyUSB1 at 3000000 baud",
    /// "virtual board".
    fn name(&self) -> String;

    /// Send all of `bytes` (one request frame, as the link uses it).
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError>;

    /// Wait at most `deadline` for bytes; returns how many were put at the
    /// start of `buf` (more than 0), or 0 when the deadline passed with
    /// nothing. Never waits (much) longer than the deadline.
    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError>;

    /// The time on the clock that deadlines are measured on, from any fixed
    /// origin: the wall clock by default. A simulated transport must
    /// return its simulated time (its cycles over its clock frequency): the
    /// link takes what is left of an attempt's deadline from this clock, so
    /// a slow simulation would otherwise time out early.
    fn now(&self) -> Duration {
        wall_now()
    }
}

/// The wall clock as a [`Transport::now`]: time since the first call in this
/// process.
pub fn wall_now() -> Duration {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed()
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        (**self).recv(buf, deadline)
    }
    fn now(&self) -> Duration {
        (**self).now()
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn name(&self) -> String {
        (**self).name()
    }
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        (**self).recv(buf, deadline)
    }
    fn now(&self) -> Duration {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wall_clock_moves_forward() {
        let a = wall_now();
        std::thread::sleep(Duration::from_millis(2));
        assert!(wall_now() >= a + Duration::from_millis(2));
    }
}
