//! The virtual board: the verilated board core (`spikefab_fpga_core`, the
//! very wrapper a board build holds, with its host link and spike buffer)
//! driven through its byte streams, cycle by cycle. It is a
//! [`Transport`](crate::transport::Transport): the same [`Link`](crate::link::Link)
//! and [`Board`](crate::board::Board) that talk to a board over a UART talk
//! to it. Time is simulated time at [`VirtualBoard::clock_hz`]: a deadline
//! of 1 ms waits 100,000 cycles at 100 MHz, whatever the wall clock says.
//!
//! The byte streams are the wrapper's: a byte enters when `rx_valid_i` and
//! `rx_ready_o` are high at a rising edge, and leaves when `tx_valid_o` and
//! `tx_ready_i` are. No UART bit timing: the PHY has its own unit tests, so
//! the virtual board runs at co-simulation speed.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use spikefab_cosim::axi::AxiMemConfig;
use spikefab_cosim::{build, Model, ModelSpec, Port, PortId, RandReset};

use crate::transport::{Deadline, Transport, TransportError};
use crate::virtual_memory::{MemoryError, VirtualMemory};

/// The wrapper's ports besides the clock: (name, input?, width).
const PORTS: [(&str, bool, u32); 9] = [
    ("rst_i", true, 1),
    ("rx_valid_i", true, 1),
    ("rx_data_i", true, 8),
    ("rx_ready_o", false, 1),
    ("rx_err_i", true, 1),
    ("tx_valid_o", false, 1),
    ("tx_data_o", false, 8),
    ("tx_ready_i", true, 1),
    ("status_o", false, 4),
];

/// Cycles run between two looks at `tx_valid_o` while nothing is to be
/// sent (the board holds a byte it offers, so nothing is lost; it only
/// waits up to this many cycles longer).
const IDLE_BATCH: u64 = 32;

/// Errors of the virtual board.
#[derive(Debug, thiserror::Error)]
pub enum VirtualError {
    #[error("virtual board: {0}")]
    Cosim(#[from] spikefab_cosim::CosimError),
    #[error("virtual board: {0}")]
    Memory(#[from] MemoryError),
}

struct Ports {
    rst: PortId,
    rx_valid: PortId,
    rx_data: PortId,
    rx_ready: PortId,
    rx_err: PortId,
    tx_valid: PortId,
    tx_data: PortId,
    tx_ready: PortId,
    status: PortId,
}

/// A verilated board core behind a byte pipe.
pub struct VirtualBoard {
    model: Model,
    p: Ports,
    inbox: VecDeque<u8>,
    outbox: VecDeque<u8>,
    clock_hz: f64,
    name: String,
    /// Bytes the board took, and gave.
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// With [`VirtualBoard::set_lossy_rx`]: bytes lost because the link was
    /// not ready for them.
    pub bytes_lost: u64,
    lossy_rx: bool,
    mem: Option<VirtualMemory>,
}

/// The model spec of the virtual board whose sources (leaves first, the
/// wrapper `top` last) are `sources`, with `memory_ports` (the wrapper's
/// external-memory AXI4 port of an external-store design; none on chip).
pub fn spec(top: &str, sources: &[PathBuf], memory_ports: &[Port]) -> ModelSpec {
    let mut s = ModelSpec::new(top, sources.to_vec(), "clk_i");
    for (name, input, width) in PORTS {
        s = s.port(if input {
            Port::input(name, width)
        } else {
            Port::output(name, width)
        });
    }
    for p in memory_ports {
        s = s.port(p.clone());
    }
    s
}

/// The external memory of an external-store design: the wrapper's AXI4
/// ports and the memory model's configuration (its latency, bandwidth and
/// backpressure; the image starts empty: the host writes it).
#[derive(Debug, Clone)]
pub struct MemorySpec {
    pub ports: Vec<Port>,
    pub config: AxiMemConfig,
}

impl VirtualBoard {
    /// Verilate (or find in `cache_root`) the board core `top` of
    /// `sources`, instantiate it with Verilator's random initial values
    /// from `seed`, and hold it in reset for 4 cycles.
    pub fn open(
        top: &str,
        sources: &[PathBuf],
        cache_root: &Path,
        seed: u32,
        clock_hz: f64,
    ) -> Result<VirtualBoard, VirtualError> {
        VirtualBoard::open_with_memory(top, sources, None, cache_root, seed, clock_hz)
    }

    /// [`VirtualBoard::open`] for a design with an external synapse store:
    /// `memory` binds a memory model to its AXI4 port.
    pub fn open_with_memory(
        top: &str,
        sources: &[PathBuf],
        memory: Option<&MemorySpec>,
        cache_root: &Path,
        seed: u32,
        clock_hz: f64,
    ) -> Result<VirtualBoard, VirtualError> {
        let ports = memory.map_or(&[][..], |m| &m.ports[..]);
        let lib = build(&spec(top, sources, ports), cache_root)?;
        let model = lib.instantiate(seed.max(1), RandReset::Random)?;
        VirtualBoard::from_model_with(model, memory.map(|m| m.config.clone()), clock_hz)
    }

    /// A board around an instantiated model of the wrapper.
    pub fn from_model(model: Model, clock_hz: f64) -> Result<VirtualBoard, VirtualError> {
        VirtualBoard::from_model_with(model, None, clock_hz)
    }

    /// A board around an instantiated model of the wrapper, with a memory
    /// model of `memory` on its AXI4 port.
    pub fn from_model_with(
        mut model: Model,
        memory: Option<AxiMemConfig>,
        clock_hz: f64,
    ) -> Result<VirtualBoard, VirtualError> {
        let mut mem = match memory {
            Some(cfg) => Some(VirtualMemory::attach(&model, cfg)?),
            None => None,
        };
        let p = Ports {
            rst: model.port("rst_i")?,
            rx_valid: model.port("rx_valid_i")?,
            rx_data: model.port("rx_data_i")?,
            rx_ready: model.port("rx_ready_o")?,
            rx_err: model.port("rx_err_i")?,
            tx_valid: model.port("tx_valid_o")?,
            tx_data: model.port("tx_data_o")?,
            tx_ready: model.port("tx_ready_i")?,
            status: model.port("status_o")?,
        };
        model.set(p.rst, 1)?;
        model.set(p.rx_valid, 0)?;
        model.set(p.rx_data, 0)?;
        model.set(p.rx_err, 0)?;
        model.set(p.tx_ready, 0)?;
        if let Some(m) = mem.as_mut() {
            m.drive_idle(&mut model)?;
        }
        model.ticks(4)?;
        model.set(p.rst, 0)?;
        Ok(VirtualBoard {
            model,
            p,
            inbox: VecDeque::new(),
            outbox: VecDeque::new(),
            clock_hz,
            name: "virtual board (verilated spikefab_fpga_core)".into(),
            bytes_in: 0,
            bytes_out: 0,
            bytes_lost: 0,
            lossy_rx: false,
            mem,
        })
    }

    /// The external memory (an external-store design's), if any.
    pub fn memory(&self) -> Option<&VirtualMemory> {
        self.mem.as_ref()
    }

    /// The external memory, to change its behaviour.
    pub fn memory_mut(&mut self) -> Option<&mut VirtualMemory> {
        self.mem.as_mut()
    }

    /// Clock edges with the inputs as they are (and the memory served).
    fn ticks(&mut self, k: u64) -> Result<(), VirtualError> {
        match self.mem.as_mut() {
            None => self.model.ticks(k)?,
            Some(mem) => {
                for _ in 0..k {
                    mem.drive(&mut self.model)?;
                    self.model.eval()?;
                    mem.sample(&self.model)?;
                    self.model.tick()?;
                }
            }
        }
        Ok(())
    }

    /// Take bytes as a UART delivers them: a byte the link is not ready for
    /// in the cycle it comes is lost, with a pulse on `rx_err_i` (the board
    /// shell's `RX_ERRORS` path), instead of waiting for `rx_ready_o`.
    pub fn set_lossy_rx(&mut self, on: bool) {
        self.lossy_rx = on;
    }

    /// The simulated clock.
    pub fn clock_hz(&self) -> f64 {
        self.clock_hz
    }

    /// Cycles simulated since the model was created.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    /// The status bits (heartbeat, step bit, spike signature, overrun).
    pub fn status(&self) -> Result<u64, VirtualError> {
        Ok(self.model.get(self.p.status)?)
    }

    /// Queue bytes for the board.
    pub fn push(&mut self, bytes: &[u8]) {
        self.inbox.extend(bytes);
    }

    /// Bytes the board sent that nobody has taken.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.outbox.drain(..).collect()
    }

    /// Bytes queued for the board, not yet taken by it.
    pub fn pending_input(&self) -> usize {
        self.inbox.len()
    }

    /// Run at most `max_cycles` cycles, feeding queued bytes and taking the
    /// board's; returns early, at a byte boundary, once the board has sent
    /// something and no input is pending. Returns the cycles run.
    pub fn run(&mut self, max_cycles: u64) -> Result<u64, VirtualError> {
        let mut n = 0u64;
        while n < max_cycles {
            if self.inbox.is_empty() {
                if !self.outbox.is_empty() {
                    break;
                }
                // nothing to feed: look at the output every few cycles only
                let (m, p) = (&mut self.model, &self.p);
                m.set(p.rx_valid, 0)?;
                m.set(p.tx_ready, 0)?;
                m.eval()?;
                if m.get(p.tx_valid)? == 0 {
                    let k = IDLE_BATCH.min(max_cycles - n);
                    self.ticks(k)?;
                    n += k;
                    continue;
                }
            }
            let (m, p) = (&mut self.model, &self.p);
            if let Some(mem) = self.mem.as_mut() {
                mem.drive(m)?;
            }
            let feed = self.inbox.front().copied();
            m.set(p.rx_valid, u64::from(feed.is_some()))?;
            m.set(p.rx_data, u64::from(feed.unwrap_or(0)))?;
            m.set(p.tx_ready, 1)?;
            m.eval()?;
            let took = feed.is_some() && m.get(p.rx_ready)? != 0;
            // a UART cannot wait: a byte the link does not take is lost,
            // and the PHY's lost-byte pulse says so
            let lost = self.lossy_rx && feed.is_some() && !took;
            m.set(p.rx_err, u64::from(lost))?;
            let gave = (m.get(p.tx_valid)? != 0).then(|| m.get(p.tx_data));
            if let Some(mem) = self.mem.as_mut() {
                // rx_err_i does not reach the memory port within the cycle
                mem.sample(m)?;
            }
            m.tick()?;
            n += 1;
            if lost {
                m.set(p.rx_err, 0)?;
                self.inbox.pop_front();
                self.bytes_lost += 1;
            }
            if took {
                self.inbox.pop_front();
                self.bytes_in += 1;
            }
            if let Some(b) = gave {
                self.outbox.push_back(b? as u8);
                self.bytes_out += 1;
            }
        }
        self.model.set(self.p.rx_valid, 0)?;
        self.model.set(self.p.tx_ready, 0)?;
        Ok(n)
    }

    fn cycles_of(&self, d: Duration) -> u64 {
        (d.as_secs_f64() * self.clock_hz).ceil().max(1.0) as u64
    }
}

impl Transport for VirtualBoard {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.push(bytes);
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Deadline) -> Result<usize, TransportError> {
        if self.outbox.is_empty() {
            let max = self.cycles_of(deadline.wait);
            self.run(max)
                .map_err(|e| TransportError::Other(format!("{}: {e}", self.name)))?;
        }
        let n = buf.len().min(self.outbox.len());
        for (k, b) in self.outbox.drain(..n).enumerate() {
            buf[k] = b;
        }
        Ok(n)
    }

    /// Simulated time: the cycles run over the clock.
    fn now(&self) -> Duration {
        Duration::from_secs_f64(self.model.cycles() as f64 / self.clock_hz)
    }
}

/// Serve `board` on a byte stream in wall-clock time (the master side of a
/// pseudo-terminal pair, for the serial transport on its slave side): bytes
/// read from `io` are fed to the board, which runs in chunks of `chunk`
/// cycles whether or not bytes come (a step runs while the host waits;
/// keep `chunk` below the board's gap limit, `IDLE_CYCLES`), and
/// its bytes are written back. `io` is switched to non-blocking reads.
/// Returns when the other side is closed (a read of 0 bytes, or `EIO`,
/// what a pseudo-terminal's master reads once its slave is closed) or when
/// `stop` is set.
pub fn serve(
    board: &mut VirtualBoard,
    io: &mut std::fs::File,
    chunk: u64,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<(), String> {
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::AsRawFd;
    let fd = io.as_raw_fd();
    // SAFETY: `fd` is the open descriptor of `io`, borrowed for the whole
    // call; F_GETFL/F_SETFL read and set its status flags and touch no
    // memory of ours.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(format!(
            "cannot make the served stream non-blocking: {}",
            std::io::Error::last_os_error()
        ));
    }
    let closed = |e: &std::io::Error| {
        e.raw_os_error() == Some(libc::EIO) || e.kind() == ErrorKind::BrokenPipe
    };
    let mut buf = [0u8; 4096];
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        // every byte waiting, before the board runs on (a frame written in
        // pieces must not meet the board's gap limit between reads)
        loop {
            match io.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => board.push(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if closed(&e) => return Ok(()),
                Err(e) => return Err(format!("virtual board: reading the host's bytes: {e}")),
            }
        }
        board.run(chunk).map_err(|e| e.to_string())?;
        let out = board.take_output();
        let mut rest: &[u8] = &out;
        while !rest.is_empty() {
            match io.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted =>
                {
                    std::thread::sleep(Duration::from_micros(100));
                }
                Err(e) if closed(&e) => return Ok(()),
                Err(e) => return Err(format!("virtual board: writing to the host: {e}")),
            }
        }
    }
    Ok(())
}
