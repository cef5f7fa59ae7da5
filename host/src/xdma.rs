//! The host link over PCIe, through the character devices of Xilinx's XDMA
//! driver: the link's bytes go out on the host-to-card stream
//! (`/dev/xdma0_h2c_0`, written) and come back on the card-to-host stream
//! (`/dev/xdma0_c2h_0`, read); the user BAR (`/dev/xdma0_user`) is mapped
//! for 32-bit register access ([`Xdma::read_user32`],
//! [`Xdma::write_user32`]; the link uses none yet).
//!
//! **Reads with a deadline.** A read of the c2h stream device blocks until
//! the card ends a transfer (the stream's `TLAST`) or the buffer is full,
//! and the driver offers neither `poll` nor non-blocking reads on it. So a
//! reader thread does the blocking reads ([`XdmaPaths::read_len`] bytes
//! each, at least a whole frame: the board is expected to end every
//! response frame with `TLAST`) and hands the bytes to `recv` through a
//! channel, which `recv` waits on with its deadline. The thread ends when
//! the stream ends or fails, or at its next read after the transport is
//! dropped.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};

use memmap2::{MmapMut, MmapOptions};
use thiserror::Error;

use crate::proto::MAX_FRAME;
use crate::transport::{Deadline, Transport, TransportError};

/// The device files of one XDMA card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XdmaPaths {
    /// Host-to-card stream (written).
    pub h2c: PathBuf,
    /// Card-to-host stream (read).
    pub c2h: PathBuf,
    /// The user BAR (mapped).
    pub user: PathBuf,
    /// Bytes of the user BAR mapped.
    pub user_len: usize,
    /// Bytes one read of the c2h stream asks for (at least a frame).
    pub read_len: usize,
}

impl XdmaPaths {
    /// `/dev/xdma<n>_h2c_0`, `/dev/xdma<n>_c2h_0`, `/dev/xdma<n>_user`
    /// (its first 4 KiB).
    pub fn for_index(n: u32) -> XdmaPaths {
        XdmaPaths {
            h2c: format!("/dev/xdma{n}_h2c_0").into(),
            c2h: format!("/dev/xdma{n}_c2h_0").into(),
            user: format!("/dev/xdma{n}_user").into(),
            user_len: 4096,
            read_len: 4096,
        }
    }
}

/// A register access outside the mapped BAR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BarError {
    #[error("user BAR offset {offset:#x} is not 4-byte aligned")]
    Unaligned { offset: u64 },
    #[error("user BAR offset {offset:#x} is past the {len:#x} bytes mapped")]
    OutOfRange { offset: u64, len: usize },
}

/// The mapped user BAR.
pub struct UserBar {
    map: MmapMut,
    path: PathBuf,
}

impl UserBar {
    /// Map the first `len` bytes of `path`, read-write and shared.
    pub fn open(path: &Path, len: usize) -> Result<UserBar, TransportError> {
        let what = |s: &str| format!("{s} {}", path.display());
        if len == 0 || !len.is_multiple_of(4) {
            return Err(TransportError::Other(format!(
                "{}: {len} bytes is no whole number of registers",
                what("mapping")
            )));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| TransportError::io(what("opening"), e))?;
        let meta = file
            .metadata()
            .map_err(|e| TransportError::io(what("reading the metadata of"), e))?;
        // a regular file (a stand-in) must hold the bytes mapped, or
        // touching them past its end would fault; a device has no length
        if meta.is_file() && meta.len() < len as u64 {
            return Err(TransportError::Other(format!(
                "{}: the file has {} bytes, fewer than the {len} to map",
                what("mapping"),
                meta.len()
            )));
        }
        // SAFETY: the mapping is shared with the device (or a stand-in
        // file), so others may change its bytes at any time: we never make a
        // Rust reference into it, only volatile, aligned, bounds-checked
        // u32 accesses (`read_u32`, `write_u32`). Its length was checked
        // against a regular file's size above; a device maps what its BAR
        // has.
        let map = unsafe { MmapOptions::new().len(len).map_mut(&file) }
            .map_err(|e| TransportError::io(what("mapping"), e))?;
        Ok(UserBar {
            map,
            path: path.to_path_buf(),
        })
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check(&self, offset: u64) -> Result<usize, BarError> {
        if !offset.is_multiple_of(4) {
            return Err(BarError::Unaligned { offset });
        }
        match usize::try_from(offset) {
            Ok(o) if o.checked_add(4).is_some_and(|e| e <= self.map.len()) => Ok(o),
            _ => Err(BarError::OutOfRange {
                offset,
                len: self.map.len(),
            }),
        }
    }

    /// The little-endian u32 at `offset`.
    pub fn read_u32(&self, offset: u64) -> Result<u32, BarError> {
        let o = self.check(offset)?;
        // SAFETY: `check` made `o .. o + 4` lie inside the mapping and `o` a
        // multiple of 4; the mapping starts on a page boundary, so the
        // pointer is aligned for u32. The mapping lives as long as `self`.
        let v = unsafe { std::ptr::read_volatile(self.map.as_ptr().add(o).cast::<u32>()) };
        Ok(u32::from_le(v))
    }

    /// Write the little-endian u32 `value` at `offset`.
    pub fn write_u32(&mut self, offset: u64, value: u32) -> Result<(), BarError> {
        let o = self.check(offset)?;
        // SAFETY: as in `read_u32`: in bounds, aligned, the mapping alive
        // and writable (mapped read-write), and `&mut self` is the only
        // Rust access to it.
        unsafe {
            std::ptr::write_volatile(self.map.as_mut_ptr().add(o).cast::<u32>(), value.to_le())
        };
        Ok(())
    }
}

/// One XDMA card's streams and user BAR as a [`Transport`].
pub struct Xdma {
    paths: XdmaPaths,
    h2c: File,
    rx: Receiver<std::io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    at: usize,
    user: UserBar,
}

impl Xdma {
    /// Open the user BAR, then the h2c stream (for writing), then the c2h
    /// stream (for reading), and start the reader thread.
    pub fn open(paths: &XdmaPaths) -> Result<Xdma, TransportError> {
        let user = UserBar::open(&paths.user, paths.user_len)?;
        let h2c = OpenOptions::new()
            .write(true)
            .open(&paths.h2c)
            .map_err(|e| TransportError::io(format!("opening {}", paths.h2c.display()), e))?;
        let mut c2h = File::open(&paths.c2h)
            .map_err(|e| TransportError::io(format!("opening {}", paths.c2h.display()), e))?;
        let read_len = paths.read_len.max(MAX_FRAME);
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("xdma-c2h".into())
            .spawn(move || loop {
                let mut b = vec![0u8; read_len];
                match c2h.read(&mut b) {
                    Ok(0) => break,
                    Ok(n) => {
                        b.truncate(n);
                        if tx.send(Ok(b)).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            })
            .map_err(|e| TransportError::io("starting the c2h reader thread", e))?;
        Ok(Xdma {
            paths: paths.clone(),
            h2c,
            rx,
            pending: Vec::new(),
            at: 0,
            user,
        })
    }

    pub fn paths(&self) -> &XdmaPaths {
        &self.paths
    }

    /// The u32 register of the user BAR at byte `offset`.
    pub fn read_user32(&self, offset: u64) -> Result<u32, BarError> {
        self.user.read_u32(offset)
    }

    /// Write the u32 register of the user BAR at byte `offset`.
    pub fn write_user32(&mut self, offset: u64, value: u32) -> Result<(), BarError> {
        self.user.write_u32(offset, value)
    }
}

impl Transport for Xdma {
    fn name(&self) -> String {
        format!(
            "PCIe XDMA {} / {}",
            self.paths.h2c.display(),
            self.paths.c2h.display()
        )
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.h2c
            .write_all(bytes)
            .and_then(|_| self.h2c.flush())
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    TransportError::Closed
                } else {
                    TransportError::io(format!("writing {}", self.paths.h2c.display()), e)
                }
            })
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        if self.at == self.pending.len() {
            match self.rx.recv_timeout(deadline.wait) {
                Ok(Ok(v)) => {
                    self.pending = v;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    return Err(TransportError::io(
                        format!("reading {}", self.paths.c2h.display()),
                        e,
                    ))
                }
                Err(RecvTimeoutError::Timeout) => return Ok(0),
                Err(RecvTimeoutError::Disconnected) => return Err(TransportError::Closed),
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar_file(len: usize) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&vec![0u8; len]).unwrap();
        f.flush().unwrap();
        f
    }

    #[test]
    fn user_bar_accesses_are_bounds_and_alignment_checked_at_every_edge() {
        let f = bar_file(4096);
        let mut bar = UserBar::open(f.path(), 4096).unwrap();
        assert_eq!(bar.len(), 4096);
        bar.write_u32(0, 0x1122_3344).unwrap();
        bar.write_u32(4092, 0xDEAD_BEEF).unwrap();
        assert_eq!(bar.read_u32(0).unwrap(), 0x1122_3344);
        assert_eq!(bar.read_u32(4092).unwrap(), 0xDEAD_BEEF);
        assert_eq!(
            bar.read_u32(4096),
            Err(BarError::OutOfRange {
                offset: 4096,
                len: 4096
            })
        );
        assert!(bar.write_u32(u64::MAX - 3, 1).is_err());
        assert_eq!(bar.read_u32(2), Err(BarError::Unaligned { offset: 2 }));
        // shared: the bytes are in the file, little-endian
        drop(bar);
        let bytes = std::fs::read(f.path()).unwrap();
        assert_eq!(&bytes[..4], &[0x44, 0x33, 0x22, 0x11]);
        assert_eq!(&bytes[4092..], &0xDEAD_BEEFu32.to_le_bytes());
    }

    #[test]
    fn a_bar_file_shorter_than_the_mapping_is_refused() {
        let f = bar_file(1024);
        let e = UserBar::open(f.path(), 4096).err().unwrap();
        assert!(e.to_string().contains("fewer than the 4096"), "{e}");
        assert!(UserBar::open(f.path(), 6).is_err());
    }

    #[test]
    fn xdma_paths_follow_the_driver_names() {
        let p = XdmaPaths::for_index(1);
        assert_eq!(p.h2c, PathBuf::from("/dev/xdma1_h2c_0"));
        assert_eq!(p.c2h, PathBuf::from("/dev/xdma1_c2h_0"));
        assert_eq!(p.user, PathBuf::from("/dev/xdma1_user"));
    }
}
