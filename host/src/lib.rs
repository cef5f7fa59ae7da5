//! spikefab's host link (docs/runtime.md): the frame protocol, written once
//! ([`proto`]); the byte pipe a link runs over ([`transport`]) and its
//! transports ([`serial`], [`xdma`], fault injection in [`fault`]); the
//! host side of the protocol ([`link`]) and the driver a user calls
//! ([`board`]); and the protocol's reference model of the board side
//! ([`model`]), to test against; the virtual board ([`virtual_board`]):
//! the verilated board core behind the same transport trait.

pub mod board;
pub mod fault;
pub mod link;
pub mod model;
// proto.rs is the protocol written once and changes only by additions; its
// `len % n != 0` checks predate this lint
#[allow(clippy::manual_is_multiple_of)]
pub mod proto;
mod rng;
pub mod serial;
pub mod transport;
pub mod virtual_board;
pub mod virtual_memory;
pub mod xdma;

pub use board::{Board, BoardConfig, BoardError, BoardStatus, RunProgress, RunReport};
pub use link::{BoardId, Link, LinkConfig, LinkError, LinkStats, LoadProgress, RequestId};
pub use transport::{Deadline, Transport, TransportError};
