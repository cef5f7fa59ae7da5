//! What a loaded model library is: its shared object, cache key, top,
//! clock, ports and C ABI signature, shared by the library
//! ([`crate::ModelLib`]) and its instances ([`crate::Model`]).

use std::path::PathBuf;

use crate::spec::Port;

/// A built library's identity.
#[derive(Debug)]
pub(crate) struct LibInfo {
    pub(crate) so_path: PathBuf,
    pub(crate) key: String,
    pub(crate) top: String,
    pub(crate) clock: String,
    pub(crate) ports: Vec<Port>,
    pub(crate) signature: String,
    /// The first 64 bits of the key: marks the `PortId`s of this library.
    pub(crate) tag: u64,
}
