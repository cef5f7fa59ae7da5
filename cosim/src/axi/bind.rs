//! Binding memory models to a verilated model's AXI4 read ports
//! (`m_axi_*`, docs/hardware.md and `CoreParams::memory_ports`): an
//! ordinary core's ports (one lane), or a mesh top's flattened ones (core
//! `k` in lane `k`, bits `[k*w +: w]`, `Port::lanes` of `spikefab_hdl`),
//! where every port carries all lanes and is read and driven once per
//! cycle for all of them (wide ones through `Model::set_wide/get_wide`).
//!
//! One cycle of a harness:
//!
//! While the master is in reset its outputs are not AXI yet (registers
//! come out of reset at the first edge): hold the bus idle with
//! [`AxiSlave::drive_idle`] and start the cycles below after it.
//!
//! ```text
//! slave.drive(&mut model)?;   // ARREADY, RVALID, RDATA, RID, RRESP, RLAST of every lane
//! model.eval()?;              // the master's outputs settle (RREADY may follow RVALID)
//! slave.sample(&model)?;      // ARVALID .. RREADY of every lane: handshakes and checks
//! model.tick()?;              // the same rising edge in the RTL
//! ```

use crate::model::{Model, PortId};
use crate::spec::{Dir, Port};

use super::{ArSample, AxiDrive, AxiError, AxiMem};

/// The master's outputs of one lane at a clock edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LaneSample {
    /// The read-address channel.
    pub ar: ArSample,
    /// `RREADY`.
    pub rready: bool,
}

/// One port of the bus: its id, lane width and a word buffer of its whole
/// (all lanes) value.
#[derive(Debug, Clone)]
struct Field {
    id: PortId,
    lane_w: u32,
    words: Vec<u64>,
}

/// The `m_axi_*` ports of a model, resolved once, for `lanes` lanes.
#[derive(Debug, Clone)]
pub struct AxiBus {
    top: String,
    lanes: u32,
    // Master outputs.
    arvalid: Field,
    araddr: Field,
    arlen: Field,
    arsize: Field,
    arburst: Field,
    arid: Field,
    arcache: Field,
    arprot: Field,
    rready: Field,
    // Master inputs.
    arready: Field,
    rvalid: Field,
    rdata: Field,
    rid: Field,
    rresp: Field,
    rlast: Field,
    samples: Vec<LaneSample>,
}

/// Bits `lo .. lo + w` (`w <= 64`) of little-endian words.
fn get_bits(words: &[u64], lo: u32, w: u32) -> u64 {
    let (i, s) = ((lo / 64) as usize, lo % 64);
    let mut v = words[i] >> s;
    if s != 0 && s + w > 64 {
        v |= words[i + 1] << (64 - s);
    }
    if w < 64 {
        v &= (1u64 << w) - 1;
    }
    v
}

/// Sets bits `lo .. lo + w` (`w <= 64`, which must be 0 before) to `v`.
fn put_bits(words: &mut [u64], lo: u32, w: u32, v: u64) {
    let v = if w < 64 { v & ((1u64 << w) - 1) } else { v };
    let (i, s) = ((lo / 64) as usize, lo % 64);
    words[i] |= v << s;
    if s != 0 && s + w > 64 {
        words[i + 1] |= v >> (64 - s);
    }
}

impl AxiBus {
    /// Resolves the `m_axi_*` ports of `m` for `lanes` lanes (1 for an
    /// ordinary core; a mesh top's core count, `Port::lanes`).
    pub fn resolve(m: &Model, lanes: u32) -> Result<AxiBus, AxiError> {
        AxiBus::resolve_prefixed(m, "m_axi_", lanes)
    }

    /// [`resolve`](AxiBus::resolve) with another port-name prefix
    /// (`<prefix>arvalid_o`, ..., `<prefix>rlast_i`).
    pub fn resolve_prefixed(m: &Model, prefix: &str, lanes: u32) -> Result<AxiBus, AxiError> {
        let top = m.top().to_string();
        let err = |port: &str, problem: String| AxiError::Port {
            top: top.clone(),
            port: port.to_string(),
            problem,
        };
        if lanes == 0 {
            return Err(err(prefix, "resolved for 0 lanes".into()));
        }
        // `fixed`: the lane width the protocol fixes, if it does.
        let field = |suffix: &str, dir: Dir, fixed: Option<u32>| -> Result<Field, AxiError> {
            let name = format!("{prefix}{suffix}");
            let id = m
                .port(&name)
                .map_err(|_| err(&name, "is not a port of the model".into()))?;
            let p: &Port = m.port_info(id)?;
            if p.dir != dir {
                return Err(err(
                    &name,
                    format!(
                        "is an {}, the bus needs an {}",
                        p.dir.as_str(),
                        dir.as_str()
                    ),
                ));
            }
            if !p.width.is_multiple_of(lanes) {
                return Err(err(
                    &name,
                    format!("is {} bits wide, not a multiple of {lanes} lanes", p.width),
                ));
            }
            let lane_w = p.width / lanes;
            if let Some(f) = fixed {
                if lane_w != f {
                    return Err(err(
                        &name,
                        format!("has {lane_w} bits per lane, AXI4 says {f}"),
                    ));
                }
            }
            Ok(Field {
                id,
                lane_w,
                words: vec![0; p.words()],
            })
        };
        let bus = AxiBus {
            arvalid: field("arvalid_o", Dir::Out, Some(1))?,
            araddr: field("araddr_o", Dir::Out, None)?,
            arlen: field("arlen_o", Dir::Out, Some(8))?,
            arsize: field("arsize_o", Dir::Out, Some(3))?,
            arburst: field("arburst_o", Dir::Out, Some(2))?,
            arid: field("arid_o", Dir::Out, None)?,
            arcache: field("arcache_o", Dir::Out, Some(4))?,
            arprot: field("arprot_o", Dir::Out, Some(3))?,
            rready: field("rready_o", Dir::Out, Some(1))?,
            arready: field("arready_i", Dir::In, Some(1))?,
            rvalid: field("rvalid_i", Dir::In, Some(1))?,
            rdata: field("rdata_i", Dir::In, None)?,
            rid: field("rid_i", Dir::In, None)?,
            rresp: field("rresp_i", Dir::In, Some(2))?,
            rlast: field("rlast_i", Dir::In, Some(1))?,
            samples: vec![LaneSample::default(); lanes as usize],
            top: top.clone(),
            lanes,
        };
        if bus.araddr.lane_w > 64 {
            return Err(err(
                &format!("{prefix}araddr_o"),
                format!("has {} bits per lane, at most 64", bus.araddr.lane_w),
            ));
        }
        if bus.arid.lane_w > 16 || bus.rid.lane_w != bus.arid.lane_w {
            return Err(err(
                &format!("{prefix}rid_i"),
                format!(
                    "has {} bits per lane and ARID {}: they must be equal, at most 16",
                    bus.rid.lane_w, bus.arid.lane_w
                ),
            ));
        }
        let dw = bus.rdata.lane_w;
        if !dw.is_power_of_two() || !(8..=1024).contains(&dw) {
            return Err(err(
                &format!("{prefix}rdata_i"),
                format!("has {dw} bits per lane, not a power of two in 8..=1024"),
            ));
        }
        Ok(bus)
    }

    /// Lanes of the bus.
    pub fn lanes(&self) -> u32 {
        self.lanes
    }

    /// Data bits per lane (`AXI_DATA_W`).
    pub fn data_bits(&self) -> u32 {
        self.rdata.lane_w
    }

    /// ID bits per lane (`AXI_ID_W`).
    pub fn id_bits(&self) -> u32 {
        self.arid.lane_w
    }

    /// Address bits per lane (`AXI_ADDR_W`).
    pub fn addr_bits(&self) -> u32 {
        self.araddr.lane_w
    }

    /// Checks that `mem` fits lane `lane` (data and ID widths).
    pub fn check_mem(&self, lane: u32, mem: &AxiMem) -> Result<(), AxiError> {
        let c = mem.config();
        for (field, mine, port) in [
            ("data_bits", c.data_bits, self.data_bits()),
            ("id_bits", c.id_bits, self.id_bits()),
        ] {
            if mine != port {
                return Err(AxiError::LaneMismatch {
                    top: self.top.clone(),
                    lane,
                    field,
                    mem: mine,
                    port,
                });
            }
        }
        Ok(())
    }

    /// Reads the master's outputs of every lane (one read per port); call
    /// after the model has settled with this cycle's inputs.
    pub fn sample(&mut self, m: &Model) -> Result<&[LaneSample], AxiError> {
        for f in [
            &mut self.arvalid,
            &mut self.araddr,
            &mut self.arlen,
            &mut self.arsize,
            &mut self.arburst,
            &mut self.arid,
            &mut self.arcache,
            &mut self.arprot,
            &mut self.rready,
        ] {
            m.get_wide_into(f.id, &mut f.words)?;
        }
        let lane = |f: &Field, k: u32| get_bits(&f.words, k * f.lane_w, f.lane_w);
        for k in 0..self.lanes {
            self.samples[k as usize] = LaneSample {
                ar: ArSample {
                    valid: lane(&self.arvalid, k) == 1,
                    addr: lane(&self.araddr, k),
                    len: lane(&self.arlen, k) as u32,
                    size: lane(&self.arsize, k) as u32,
                    burst: lane(&self.arburst, k) as u32,
                    id: lane(&self.arid, k),
                    cache: lane(&self.arcache, k) as u32,
                    prot: lane(&self.arprot, k) as u32,
                },
                rready: lane(&self.rready, k) == 1,
            };
        }
        Ok(&self.samples)
    }

    /// Drives every lane's ARREADY, RVALID, RDATA, RID, RRESP, RLAST (one
    /// write per port: the lanes assembled into one vector), lane `k` from
    /// the `k`-th drive; exactly one drive per lane.
    pub fn drive<'a, I>(&mut self, m: &mut Model, drives: I) -> Result<(), AxiError>
    where
        I: IntoIterator<Item = &'a AxiDrive>,
    {
        for f in [
            &mut self.arready,
            &mut self.rvalid,
            &mut self.rdata,
            &mut self.rid,
            &mut self.rresp,
            &mut self.rlast,
        ] {
            f.words.fill(0);
        }
        let mut n = 0u32;
        for d in drives {
            if n < self.lanes {
                let k = n;
                let put = |f: &mut Field, v: u64| put_bits(&mut f.words, k * f.lane_w, f.lane_w, v);
                put(&mut self.arready, d.arready as u64);
                put(&mut self.rvalid, d.rvalid as u64);
                put(&mut self.rid, d.rid);
                put(&mut self.rresp, u64::from(d.rresp));
                put(&mut self.rlast, d.rlast as u64);
                let dw = self.rdata.lane_w;
                for (j, &w) in d.rdata.iter().enumerate() {
                    let lo = 64 * j as u32;
                    if lo < dw {
                        put_bits(&mut self.rdata.words, k * dw + lo, (dw - lo).min(64), w);
                    }
                }
            }
            n += 1;
        }
        if n != self.lanes {
            return Err(AxiError::LaneCount {
                top: self.top.clone(),
                lanes: self.lanes,
                got: n as usize,
            });
        }
        for f in [
            &self.arready,
            &self.rvalid,
            &self.rdata,
            &self.rid,
            &self.rresp,
            &self.rlast,
        ] {
            m.set_wide(f.id, &f.words)?;
        }
        Ok(())
    }
}

impl AxiBus {
    /// Drives every lane's inputs low (ARREADY, RVALID, RDATA, RID, RRESP,
    /// RLAST = 0), as a slave does while the master is in reset.
    pub fn drive_idle(&mut self, m: &mut Model) -> Result<(), AxiError> {
        for f in [
            &mut self.arready,
            &mut self.rvalid,
            &mut self.rdata,
            &mut self.rid,
            &mut self.rresp,
            &mut self.rlast,
        ] {
            f.words.fill(0);
            m.set_wide(f.id, &f.words)?;
        }
        Ok(())
    }
}

/// Memory models bound to a model's AXI bus, one per lane.
#[derive(Debug, Clone)]
pub struct AxiSlave {
    bus: AxiBus,
    mems: Vec<AxiMem>,
}

impl AxiSlave {
    /// Binds `mems` to the `m_axi_*` ports of `m`, lane `k` to `mems[k]`
    /// (one model on an ordinary core; a mesh top's core count of them).
    pub fn new(m: &Model, mems: Vec<AxiMem>) -> Result<AxiSlave, AxiError> {
        let lanes = u32::try_from(mems.len()).unwrap_or(u32::MAX);
        if lanes == 0 {
            return Err(AxiError::LaneCount {
                top: m.top().to_string(),
                lanes: 0,
                got: 0,
            });
        }
        AxiSlave::with_bus(AxiBus::resolve(m, lanes)?, mems)
    }

    /// Binds `mems` to a resolved bus (checked: one per lane, widths).
    pub fn with_bus(bus: AxiBus, mems: Vec<AxiMem>) -> Result<AxiSlave, AxiError> {
        if mems.len() != bus.lanes as usize {
            return Err(AxiError::LaneCount {
                top: bus.top.clone(),
                lanes: bus.lanes,
                got: mems.len(),
            });
        }
        for (k, mem) in mems.iter().enumerate() {
            bus.check_mem(k as u32, mem)?;
        }
        Ok(AxiSlave { bus, mems })
    }

    /// The bus.
    pub fn bus(&self) -> &AxiBus {
        &self.bus
    }

    /// The memory models, lane by lane.
    pub fn mems(&self) -> &[AxiMem] {
        &self.mems
    }

    /// The memory models, to write images into.
    pub fn mems_mut(&mut self) -> &mut [AxiMem] {
        &mut self.mems
    }

    /// Puts every lane's outputs of this cycle on the model's inputs.
    pub fn drive(&mut self, m: &mut Model) -> Result<(), AxiError> {
        self.bus.drive(m, self.mems.iter().map(AxiMem::drive))
    }

    /// Drives the bus idle (every input low) without clocking the models:
    /// for the cycles the master is in reset.
    pub fn drive_idle(&mut self, m: &mut Model) -> Result<(), AxiError> {
        self.bus.drive_idle(m)
    }

    /// Reads the master's outputs and clocks every lane's model (the
    /// rising edge); the first lane that finds a violation stops it
    /// ([`AxiError::Violation`] with the lane).
    pub fn sample(&mut self, m: &Model) -> Result<(), AxiError> {
        let samples = self.bus.sample(m)?;
        for (k, (mem, s)) in self.mems.iter_mut().zip(samples).enumerate() {
            mem.sample(&s.ar, s.rready)
                .map_err(|violation| AxiError::Violation {
                    lane: k as u32,
                    violation,
                })?;
        }
        Ok(())
    }

    /// Whether no lane has a burst outstanding.
    pub fn idle(&self) -> bool {
        self.mems.iter().all(|m| m.outstanding() == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_fields_straddling_word_boundaries_round_trip() {
        // 34-bit fields in 3 lanes: lane 1 straddles words 0 and 1.
        let mut words = vec![0u64; 2];
        let vals = [0x3_dead_beefu64, 0x2_1234_5678, 0x1_ffff_ffff];
        for (k, &v) in vals.iter().enumerate() {
            put_bits(&mut words, 34 * k as u32, 34, v);
        }
        for (k, &v) in vals.iter().enumerate() {
            assert_eq!(get_bits(&words, 34 * k as u32, 34), v, "lane {k}");
        }
        // A 64-bit field at an odd offset, and values wider than the field
        // cut to it.
        let mut w = vec![0u64; 3];
        put_bits(&mut w, 7, 64, u64::MAX - 5);
        put_bits(&mut w, 71, 3, 0xff);
        assert_eq!(get_bits(&w, 7, 64), u64::MAX - 5);
        assert_eq!(get_bits(&w, 71, 3), 7);
        assert_eq!(get_bits(&w, 74, 64), 0);
        assert_eq!(w[0] & 0x7f, 0);
    }
}
