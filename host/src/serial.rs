//! The host link over a serial port (a UART: `/dev/ttyUSB1`, `/dev/ttyPS1`):
//! 8 data bits, no parity, 1 stop bit, no flow control, raw mode. A
//! `recv` waits at most its deadline (the port's read timeout, on the wall
//! clock).
//!
//! [`Pty`] opens a pseudo-terminal pair in raw mode, for running a board
//! stand-in ([`crate::model::serve`], or the virtual board) on the master
//! side with the serial transport on the slave device, in one process.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits};

use crate::transport::{Deadline, Transport, TransportError};

/// A serial port as a [`Transport`].
pub struct Serial {
    port: Box<dyn SerialPort>,
    path: PathBuf,
    baud: u32,
}

impl Serial {
    /// Open `path` at `baud`, 8N1, no flow control.
    pub fn open(path: impl AsRef<Path>, baud: u32) -> Result<Serial, TransportError> {
        let path = path.as_ref().to_path_buf();
        let port = serialport::new(path.to_string_lossy(), baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| {
                TransportError::Other(format!(
                    "cannot open serial port {} at {baud} baud: {e}",
                    path.display()
                ))
            })?;
        Ok(Serial { port, path, baud })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// The time `n` bytes take on the wire (10 bits each).
    fn wire_time(&self, n: usize) -> Duration {
        Duration::from_secs_f64(n as f64 * 10.0 / f64::from(self.baud.max(1)))
    }

    fn io(&self, what: &str, e: std::io::Error) -> TransportError {
        TransportError::io(format!("{what} {}", self.path.display()), e)
    }
}

impl Transport for Serial {
    fn name(&self) -> String {
        format!("serial {} at {} baud", self.path.display(), self.baud)
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        // a write waits for room in the driver's buffer: allow it twice the
        // wire time and a second
        let t = self.wire_time(bytes.len()) * 2 + Duration::from_secs(1);
        self.port
            .set_timeout(t)
            .map_err(|e| TransportError::Other(format!("{}: {e}", self.name())))?;
        self.port
            .write_all(bytes)
            .map_err(|e| self.io("writing to", e))?;
        self.port.flush().map_err(|e| self.io("flushing", e))
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        self.port
            .set_timeout(deadline.wait)
            .map_err(|e| TransportError::Other(format!("{}: {e}", self.name())))?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(TransportError::Closed),
            Err(e) => Err(self.io("reading from", e)),
        }
    }
}

/// A pseudo-terminal pair, both ends in raw mode (no echo, no line
/// editing, no CR/LF translation): `master` is the board's end, the slave
/// device at `slave_path` the host's (open it with [`Serial::open`]).
///
/// The pair holds the slave open too (`slave`) until [`Pty::close_slave`]:
/// while no slave is open, reads of the master fail with `EIO`, so a board
/// served on the master stops there. Close it once the host has opened the
/// device; the master then reads `EIO` when the host closes it.
pub struct Pty {
    pub master: File,
    pub slave_path: PathBuf,
    slave: Option<OwnedFd>,
}

/// `cfmakeraw` on an open terminal.
fn make_raw(fd: &impl std::os::fd::AsRawFd) -> std::io::Result<()> {
    let fd = fd.as_raw_fd();
    let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: `fd` is an open descriptor owned by the caller for the whole
    // call; `tcgetattr` writes a whole `termios` to the pointer, which
    // points to storage of that type, and we read it only when it returned 0.
    if unsafe { libc::tcgetattr(fd, t.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: tcgetattr returned 0, so it initialized `t`.
    let mut t = unsafe { t.assume_init() };
    // SAFETY: `t` is a valid, initialized termios owned here.
    unsafe { libc::cfmakeraw(&mut t) };
    // SAFETY: `fd` is open; `t` is a valid termios that outlives the call.
    if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Pty {
    /// Open a pair, both ends raw.
    pub fn open() -> std::io::Result<Pty> {
        let mut master: libc::c_int = -1;
        let mut slave: libc::c_int = -1;
        // SAFETY: the two out-pointers point to live c_ints; the name,
        // termios and window-size arguments may be null (openpty then uses
        // defaults and writes no name).
        let r = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: openpty succeeded, so both are open descriptors that
        // nothing else owns; each is wrapped exactly once.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let slave_path = std::fs::read_link(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&slave)
        ))?;
        make_raw(&master)?;
        make_raw(&slave)?;
        Ok(Pty {
            master,
            slave_path,
            slave: Some(slave),
        })
    }

    /// Stop holding the slave open (see the type's doc).
    pub fn close_slave(&mut self) {
        self.slave = None;
    }

    /// Whether the terminal at `fd` is in raw mode (no echo, no canonical
    /// input, no output processing, no CR/LF input translation).
    pub fn is_raw(fd: &impl std::os::fd::AsRawFd) -> std::io::Result<bool> {
        let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: as in `make_raw`: an open descriptor, a pointer to
        // termios storage, read only after success.
        if unsafe { libc::tcgetattr(fd.as_raw_fd(), t.as_mut_ptr()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: tcgetattr returned 0, so it initialized `t`.
        let t = unsafe { t.assume_init() };
        Ok(t.c_lflag & (libc::ECHO | libc::ICANON) == 0
            && t.c_oflag & libc::OPOST == 0
            && t.c_iflag & (libc::ICRNL | libc::INLCR | libc::IGNCR) == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pty_pair_is_raw_on_both_ends_and_passes_every_byte_value() {
        let mut pty = Pty::open().unwrap();
        assert!(Pty::is_raw(&pty.master).unwrap());
        let mut s = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&pty.slave_path)
            .unwrap();
        assert!(Pty::is_raw(&s).unwrap());
        pty.close_slave();
        let all: Vec<u8> = (0..=255).collect();
        s.write_all(&all).unwrap();
        let mut got = vec![0u8; 256];
        pty.master.read_exact(&mut got).unwrap();
        assert_eq!(got, all);
        pty.master.write_all(&all).unwrap();
        s.read_exact(&mut got).unwrap();
        assert_eq!(got, all);
    }

    #[test]
    fn a_serial_port_that_does_not_exist_is_a_clear_error() {
        let e = Serial::open("/dev/spikefab-no-such-port", 115_200)
            .err()
            .unwrap();
        assert!(e.to_string().contains("/dev/spikefab-no-such-port"), "{e}");
    }
}
