//! The virtual board's external memory: one AXI4 slave on the board core's
//! `m_axi_*` port (an external-store design's), whose read channels are
//! the co-simulation's checked memory model ([`spikefab_cosim::axi`]: its
//! protocol checks, and an error for a read of a byte nobody wrote) and
//! whose write channels (the host's synapse image, through
//! `snn_ext_write`) write into that model's image. So a run on the virtual
//! board reads exactly what the host wrote through the link, and a byte
//! the host did not write stops the run with an error.
//!
//! The write side accepts single-beat bursts only (AWLEN 0, AWSIZE the full
//! beat, INCR: what `snn_ext_write` issues; anything else is an error
//! naming the field), takes an address and a data beat whenever they come
//! (AWREADY and WREADY high), writes the strobed bytes when it holds both,
//! and answers OKAY on B in the next cycle, held until BREADY (SLVERR, and
//! nothing written, at or above [`VirtualMemory::refuse_writes_from`]).

use std::collections::VecDeque;

use spikefab_cosim::axi::{AxiMem, AxiMemConfig, AxiSlave};
use spikefab_cosim::{Model, PortId};

/// An error of the virtual external memory.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("external memory: {0}")]
    Axi(#[from] spikefab_cosim::axi::AxiError),
    #[error("external memory: {0}")]
    Cosim(#[from] spikefab_cosim::CosimError),
    #[error("external memory: the board wrote with {field} = {value} ({rule})")]
    Write {
        field: &'static str,
        value: u64,
        rule: &'static str,
    },
}

/// BRESP values.
const OKAY: u64 = 0;
const SLVERR: u64 = 2;

struct WritePorts {
    awvalid: PortId,
    awready: PortId,
    awaddr: PortId,
    awlen: PortId,
    awsize: PortId,
    awburst: PortId,
    awid: PortId,
    wvalid: PortId,
    wready: PortId,
    wdata: PortId,
    wstrb: PortId,
    wlast: PortId,
    bvalid: PortId,
    bready: PortId,
    bresp: PortId,
    bid: PortId,
}

/// The external memory behind a verilated board core.
pub struct VirtualMemory {
    slave: AxiSlave,
    w: WritePorts,
    beat_bytes: usize,
    aw: VecDeque<(u64, u64)>,
    data: VecDeque<(Vec<u8>, Vec<bool>)>,
    /// (ID, BRESP) of the writes done and not yet answered, in order.
    b: VecDeque<(u64, u64)>,
    refuse_from: Option<u64>,
    words: Vec<u64>,
    /// Beats written, and bytes (strobed) written.
    pub beats_written: u64,
    pub bytes_written: u64,
}

impl VirtualMemory {
    /// Binds a memory with `cfg` (an empty image) to the `m_axi_*` ports
    /// of `m`.
    pub fn attach(m: &Model, cfg: AxiMemConfig) -> Result<VirtualMemory, MemoryError> {
        let beat_bytes = cfg.beat_bytes() as usize;
        let slave = AxiSlave::new(m, vec![AxiMem::new(cfg)?])?;
        let p = |n: &str| m.port(n);
        let w = WritePorts {
            awvalid: p("m_axi_awvalid_o")?,
            awready: p("m_axi_awready_i")?,
            awaddr: p("m_axi_awaddr_o")?,
            awlen: p("m_axi_awlen_o")?,
            awsize: p("m_axi_awsize_o")?,
            awburst: p("m_axi_awburst_o")?,
            awid: p("m_axi_awid_o")?,
            wvalid: p("m_axi_wvalid_o")?,
            wready: p("m_axi_wready_i")?,
            wdata: p("m_axi_wdata_o")?,
            wstrb: p("m_axi_wstrb_o")?,
            wlast: p("m_axi_wlast_o")?,
            bvalid: p("m_axi_bvalid_i")?,
            bready: p("m_axi_bready_o")?,
            bresp: p("m_axi_bresp_i")?,
            bid: p("m_axi_bid_i")?,
        };
        Ok(VirtualMemory {
            slave,
            w,
            beat_bytes,
            aw: VecDeque::new(),
            data: VecDeque::new(),
            b: VecDeque::new(),
            words: vec![0; beat_bytes.div_ceil(8)],
            refuse_from: None,
            beats_written: 0,
            bytes_written: 0,
        })
    }

    /// The bus idle (the cycles the board core is in reset).
    pub fn drive_idle(&mut self, m: &mut Model) -> Result<(), MemoryError> {
        self.slave.drive_idle(m)?;
        m.set(self.w.awready, 0)?;
        m.set(self.w.wready, 0)?;
        m.set(self.w.bvalid, 0)?;
        m.set(self.w.bresp, 0)?;
        m.set(self.w.bid, 0)?;
        Ok(())
    }

    /// This cycle's slave outputs, before the model settles.
    pub fn drive(&mut self, m: &mut Model) -> Result<(), MemoryError> {
        self.slave.drive(m)?;
        m.set(self.w.awready, 1)?;
        m.set(self.w.wready, 1)?;
        m.set(self.w.bvalid, u64::from(!self.b.is_empty()))?;
        let (id, resp) = self.b.front().copied().unwrap_or((0, 0));
        m.set(self.w.bresp, resp)?;
        m.set(self.w.bid, id)?;
        Ok(())
    }

    /// Answer every write at or above byte address `addr` with SLVERR
    /// (nothing written), as a memory controller does for an address
    /// outside its memory; `None`: accept every write.
    pub fn refuse_writes_from(&mut self, addr: Option<u64>) {
        self.refuse_from = addr;
    }

    /// The rising edge: the master's settled outputs, handshakes, writes.
    pub fn sample(&mut self, m: &Model) -> Result<(), MemoryError> {
        self.slave.sample(m)?;
        let w = &self.w;
        if m.get(w.bvalid)? != 0 && m.get(w.bready)? != 0 {
            self.b.pop_front();
        }
        if m.get(w.awvalid)? != 0 {
            let bad = |field, value, rule| Err(MemoryError::Write { field, value, rule });
            let len = m.get(w.awlen)?;
            if len != 0 {
                return bad("AWLEN", len, "single-beat writes only");
            }
            let size = m.get(w.awsize)?;
            if 1u64 << size != self.beat_bytes as u64 {
                return bad("AWSIZE", size, "a whole beat");
            }
            let burst = m.get(w.awburst)?;
            if burst != 1 {
                return bad("AWBURST", burst, "INCR");
            }
            let addr = m.get(w.awaddr)?;
            if addr % self.beat_bytes as u64 != 0 {
                return bad("AWADDR", addr, "aligned to the beat");
            }
            self.aw.push_back((addr, m.get(w.awid)?));
        }
        if m.get(w.wvalid)? != 0 {
            if m.get(w.wlast)? != 1 {
                return Err(MemoryError::Write {
                    field: "WLAST",
                    value: 0,
                    rule: "high on a single-beat burst",
                });
            }
            m.get_wide_into(w.wdata, &mut self.words)?;
            let bytes: Vec<u8> = self
                .words
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .take(self.beat_bytes)
                .collect();
            let strb_words = m.get_wide(w.wstrb)?;
            let strb: Vec<bool> = (0..self.beat_bytes)
                .map(|i| (strb_words[i / 64] >> (i % 64)) & 1 == 1)
                .collect();
            self.data.push_back((bytes, strb));
        }
        while !self.aw.is_empty() && !self.data.is_empty() {
            let (addr, id) = self.aw.pop_front().expect("an address");
            let (bytes, strb) = self.data.pop_front().expect("a beat");
            if self.refuse_from.is_some_and(|a| addr >= a) {
                self.b.push_back((id, SLVERR));
                continue;
            }
            let mem = &mut self.slave.mems_mut()[0];
            // runs of strobed bytes
            let mut i = 0;
            while i < bytes.len() {
                if !strb[i] {
                    i += 1;
                    continue;
                }
                let j = (i..bytes.len()).find(|&k| !strb[k]).unwrap_or(bytes.len());
                mem.write(addr + i as u64, &bytes[i..j])?;
                self.bytes_written += (j - i) as u64;
                i = j;
            }
            self.beats_written += 1;
            self.b.push_back((id, OKAY));
        }
        Ok(())
    }

    /// The read model's counters.
    pub fn read_stats(&self) -> &spikefab_cosim::axi::AxiStats {
        self.slave.mems()[0].stats()
    }

    /// Bytes of the image written so far.
    pub fn image_bytes(&self) -> u64 {
        self.slave.mems()[0].image().written_bytes()
    }
}
