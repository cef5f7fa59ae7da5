//! The generator's one hash: FNV-1a over 64 bits (stable across platforms
//! and releases), of bytes or of a value's JSON.

use serde::Serialize;

/// FNV-1a, 64 bits (stable across platforms and releases).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub fn hex64(h: u64) -> String {
    format!("{h:016x}")
}

pub fn hash_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).expect("serializable");
    hex64(fnv1a64(s.as_bytes()))
}
