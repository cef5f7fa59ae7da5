//! Allocation that reports failure instead of aborting: the buffers whose
//! size a network decides (synapse arrays, the delay ring) are asked for
//! here, so that a network too large for the machine is an error.

use std::alloc::Layout;

mod sealed {
    pub trait Sealed {}
}

/// Plain integers: all-zero bytes are a valid value.
pub trait Zeroable: Copy + sealed::Sealed {}
macro_rules! zeroable {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Zeroable for $t {}
    )*};
}
zeroable!(u8, i16, u16, i32, u32, i64, u64);

/// A vector of `len` zeros, or `None` when the memory cannot be had (where
/// `vec![0; len]` would abort the process). Like `vec!`, it asks the
/// allocator for zeroed memory, which the system provides lazily.
pub fn try_zeroed<T: Zeroable>(len: usize) -> Option<Vec<T>> {
    if len == 0 {
        return Some(Vec::new());
    }
    // Fails when `len * size_of::<T>()` exceeds isize::MAX.
    let layout = Layout::array::<T>(len).ok()?;
    // SAFETY: the layout's size is non-zero (`len > 0`, and every
    // `Zeroable` type has a non-zero size).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of
    // `[T; len]`: T's alignment and exactly `len * size_of::<T>()` bytes,
    // which is capacity `len`; all `len` elements are zero bytes, a valid
    // value of a `Zeroable` type.
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}
