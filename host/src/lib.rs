//! spikefab's host link (docs/runtime.md): the frame protocol, written once
//! ([`proto`]).

pub mod proto;
