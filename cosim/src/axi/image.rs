//! The memory contents behind an AXI memory model: a sparse byte image
//! (4 KiB pages allocated on first write, so a region of hundreds of MB
//! costs its own size and nothing of the address space around it), which
//! remembers which bytes were written: reading one that never was is how
//! the model makes a wrong burst address loud.

use std::collections::HashMap;

use super::AxiError;

/// Bytes per page of the image (also AXI's burst boundary).
pub const PAGE_BYTES: u64 = 4096;

/// One page: its bytes and one bit per byte, set once the byte is written.
#[derive(Clone)]
struct Page {
    data: [u8; PAGE_BYTES as usize],
    written: [u64; (PAGE_BYTES / 64) as usize],
}

impl Page {
    fn new() -> Box<Page> {
        Box::new(Page {
            data: [0; PAGE_BYTES as usize],
            written: [0; (PAGE_BYTES / 64) as usize],
        })
    }

    fn is_written(&self, off: usize) -> bool {
        self.written[off / 64] >> (off % 64) & 1 == 1
    }
}

/// A sparse byte-addressed memory image over the 64-bit address space.
#[derive(Clone, Default)]
pub struct MemImage {
    pages: HashMap<u64, Box<Page>>,
    written: u64,
}

impl std::fmt::Debug for MemImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemImage")
            .field("pages", &self.pages.len())
            .field("written_bytes", &self.written)
            .finish()
    }
}

/// The page number and offset of `addr`.
fn split(addr: u64) -> (u64, usize) {
    (addr / PAGE_BYTES, (addr % PAGE_BYTES) as usize)
}

impl MemImage {
    /// An empty image (nothing written).
    pub fn new() -> MemImage {
        MemImage::default()
    }

    /// Copies `bytes` to `addr..addr + len` (pages allocated as needed;
    /// bytes written before are overwritten). A range past the end of the
    /// 64-bit address space is refused.
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), AxiError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let len = bytes.len() as u64;
        if addr.checked_add(len - 1).is_none() {
            return Err(AxiError::ImageRange { addr, len });
        }
        let mut done = 0usize;
        while done < bytes.len() {
            let (page, off) = split(addr + done as u64);
            let n = (PAGE_BYTES as usize - off).min(bytes.len() - done);
            let p = self.pages.entry(page).or_insert_with(Page::new);
            p.data[off..off + n].copy_from_slice(&bytes[done..done + n]);
            for i in off..off + n {
                if !p.is_written(i) {
                    p.written[i / 64] |= 1 << (i % 64);
                    self.written += 1;
                }
            }
            done += n;
        }
        Ok(())
    }

    /// The first address of `addr..addr + len` never written, `None`
    /// when every byte was. The range is clamped to the 64-bit address
    /// space (a burst never crosses its end: that is a 4 KiB boundary).
    pub fn first_unwritten(&self, addr: u64, len: u64) -> Option<u64> {
        let end = (u128::from(addr) + u128::from(len)).min(1 << 64);
        let mut a = u128::from(addr);
        while a < end {
            let (page, off) = split(a as u64);
            let Some(p) = self.pages.get(&page) else {
                return Some(a as u64);
            };
            let n = (PAGE_BYTES as u128 - off as u128).min(end - a) as usize;
            if let Some(i) = (off..off + n).find(|&i| !p.is_written(i)) {
                return Some(page * PAGE_BYTES + i as u64);
            }
            a += n as u128;
        }
        None
    }

    /// Copies `addr..addr + out.len()` into `out`. A byte never written
    /// ([`AxiError::Unwritten`] with the first such address) or a range
    /// past the end of the address space is an error (`out` is then
    /// unspecified).
    pub fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), AxiError> {
        let len = out.len() as u64;
        if len > 0 && addr.checked_add(len - 1).is_none() {
            return Err(AxiError::ImageRange { addr, len });
        }
        if let Some(a) = self.first_unwritten(addr, len) {
            return Err(AxiError::Unwritten { addr: a });
        }
        self.copy_out(addr, out);
        Ok(())
    }

    /// [`read`](MemImage::read) of a range known to be written (pages of
    /// unwritten bytes read as 0).
    pub(crate) fn copy_out(&self, addr: u64, out: &mut [u8]) {
        let mut done = 0usize;
        while done < out.len() {
            let (page, off) = split(addr.wrapping_add(done as u64));
            let n = (PAGE_BYTES as usize - off).min(out.len() - done);
            match self.pages.get(&page) {
                Some(p) => out[done..done + n].copy_from_slice(&p.data[off..off + n]),
                None => out[done..done + n].fill(0),
            }
            done += n;
        }
    }

    /// Bytes written at least once.
    pub fn written_bytes(&self) -> u64 {
        self.written
    }

    /// Pages allocated (4 KiB each, plus 512 bytes of written-flags).
    pub fn pages(&self) -> usize {
        self.pages.len()
    }
}
