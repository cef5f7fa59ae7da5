//! Co-simulation of a mesh of cores (`hdl/snn_mesh_top.v`): the same
//! lockstep comparison as one core, with the records of all cores merged in a
//! deterministic order before comparison. Cores hold contiguous, ascending
//! neuron ranges (core k = row-major mesh position), so concatenating the
//! cores' neuron records (local index + the core's base) and spikes (global
//! ids) in core order gives the reference's ascending order.
//!
//! `snn_mesh_top`'s observation ports are flattened vectors, wider than a
//! model port may be; [`wrapper_verilog`] writes a thin top, `cosim_mesh_top`,
//! that splits them into per-core ports.

use std::path::Path;

use spikefab_gen::images::{clog2, Beat, CoreImages};
use spikefab_sim::engine::{NeuronRecord, NeuronState, WeightRecord};
use spikefab_sim::records::StepRecords;

use crate::error::CosimError;
use crate::lockstep::{phase_name, Device, LockstepError};
use crate::model::{Model, PortId};
use crate::spec::{ModelSpec, Port};

/// The wrapper's module name.
pub const WRAPPER_TOP: &str = "cosim_mesh_top";

/// The shape of a mesh of identical cores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeshShape {
    pub rows: u32,
    pub cols: u32,
    /// `snn_mesh_top`'s core parameters (name, value), from the hardware
    /// config: N_NEURONS, ROWS, N_POPS, SLOTS, widths, TABLE_LEN, SYN_DEPTH.
    pub params: Vec<(String, i64)>,
}

const CORE_PARAMS: [&str; 19] = [
    "N_NEURONS",
    "ROWS",
    "N_POPS",
    "SLOTS",
    "V_BITS",
    "I_BITS",
    "COEF_BITS",
    "COEF_FRAC",
    "REF_BITS",
    "ACC_BITS",
    "W_BITS",
    "W_SHIFT",
    "TABLE_LEN",
    "SYN_DEPTH",
    "PLASTIC",
    "TRACE_BITS",
    "TRACE_FRAC",
    "N_RULES",
    "INC_DEPTH",
];

impl MeshShape {
    /// The shape of a `rows x cols` mesh of cores like `img`'s (a mesh
    /// core's images: they carry `ROWS`).
    pub fn new(rows: u32, cols: u32, img: &CoreImages) -> MeshShape {
        let params = CORE_PARAMS
            .iter()
            .map(|k| (k.to_string(), img.param(k).unwrap_or(1)))
            .collect();
        MeshShape { rows, cols, params }
    }

    /// Cores.
    pub fn cores(&self) -> usize {
        (self.rows * self.cols) as usize
    }

    fn p(&self, k: &str) -> u64 {
        self.params
            .iter()
            .find(|(n, _)| n == k)
            .map_or(1, |p| p.1.max(1) as u64)
    }

    fn syn_w(&self) -> (u32, u32) {
        (clog2(self.p("SYN_DEPTH")).max(1), self.p("W_BITS") as u32)
    }

    fn widths(&self) -> (u32, u32, u32, u32, u32, u32) {
        let core_w = clog2(self.cores() as u64).max(1);
        let nrn_w = clog2(self.p("N_NEURONS")).max(1);
        let row_w = clog2(self.p("ROWS")).max(1);
        (
            core_w,
            nrn_w,
            row_w,
            self.p("V_BITS") as u32,
            self.p("I_BITS") as u32,
            self.p("REF_BITS") as u32,
        )
    }

    /// The wrapper's ports (clock excluded).
    pub fn ports(&self) -> Vec<Port> {
        let (core_w, nrn_w, row_w, v, i, r) = self.widths();
        let mut p = vec![
            Port::input("rst_i", 1),
            Port::input("start_i", 1),
            Port::output("busy_o", 1),
            Port::output("done_o", 1),
            Port::output("step_o", 32),
            Port::output("phase_o", 3),
            Port::input("ld_valid_i", 1),
            Port::output("ld_ready_o", 1),
            Port::input("ld_last_i", 1),
            Port::input("ld_core_i", core_w),
            Port::input("ld_mem_i", 4),
            Port::input("ld_addr_i", 32),
            Port::input("ld_data_i", 32),
        ];
        for k in 0..self.cores() {
            p.extend([
                Port::output(format!("obs_valid_{k}_o"), 1),
                Port::output(format!("obs_step_{k}_o"), 32),
                Port::output(format!("obs_neuron_{k}_o"), nrn_w),
                Port::output(format!("obs_v_{k}_o"), v).signed(),
                Port::output(format!("obs_i_ex_{k}_o"), i).signed(),
                Port::output(format!("obs_i_in_{k}_o"), i).signed(),
                Port::output(format!("obs_refr_{k}_o"), r),
                Port::output(format!("obs_spike_{k}_o"), 1),
                Port::output(format!("spk_valid_{k}_o"), 1),
                Port::output(format!("spk_gid_{k}_o"), row_w),
                Port::output(format!("wobs_valid_{k}_o"), 1),
                Port::output(format!("wobs_syn_{k}_o"), self.syn_w().0),
                Port::output(format!("wobs_old_{k}_o"), self.syn_w().1).signed(),
                Port::output(format!("wobs_new_{k}_o"), self.syn_w().1).signed(),
            ]);
        }
        p
    }

    /// Verilog of `cosim_mesh_top`: `snn_mesh_top` with this shape, its
    /// flattened observation vectors split into per-core ports.
    pub fn wrapper_verilog(&self) -> String {
        let (core_w, nrn_w, row_w, v, i, r) = self.widths();
        let n = self.cores();
        let mut s = String::new();
        s.push_str("// Generated by spikefab-cosim: a co-simulation wrapper of snn_mesh_top\n");
        s.push_str("// that splits its per-core observation vectors into ports. DO NOT EDIT.\n");
        s.push_str("`default_nettype none\n");
        s.push_str(&format!("module {WRAPPER_TOP} (\n"));
        let mut ports = vec![
            "  input  wire clk_i".to_string(),
            "  input  wire rst_i".to_string(),
            "  input  wire start_i".to_string(),
            "  output wire busy_o".to_string(),
            "  output wire done_o".to_string(),
            "  output wire [31:0] step_o".to_string(),
            "  output wire [2:0] phase_o".to_string(),
            "  input  wire ld_valid_i".to_string(),
            "  output wire ld_ready_o".to_string(),
            "  input  wire ld_last_i".to_string(),
            format!("  input  wire [{}:0] ld_core_i", core_w - 1),
            "  input  wire [3:0] ld_mem_i".to_string(),
            "  input  wire [31:0] ld_addr_i".to_string(),
            "  input  wire [31:0] ld_data_i".to_string(),
        ];
        for k in 0..n {
            ports.extend([
                format!("  output wire obs_valid_{k}_o"),
                format!("  output wire [31:0] obs_step_{k}_o"),
                format!("  output wire [{}:0] obs_neuron_{k}_o", nrn_w - 1),
                format!("  output wire [{}:0] obs_v_{k}_o", v - 1),
                format!("  output wire [{}:0] obs_i_ex_{k}_o", i - 1),
                format!("  output wire [{}:0] obs_i_in_{k}_o", i - 1),
                format!("  output wire [{}:0] obs_refr_{k}_o", r - 1),
                format!("  output wire obs_spike_{k}_o"),
                format!("  output wire spk_valid_{k}_o"),
                format!("  output wire [{}:0] spk_gid_{k}_o", row_w - 1),
                format!("  output wire wobs_valid_{k}_o"),
                format!("  output wire [{}:0] wobs_syn_{k}_o", self.syn_w().0 - 1),
                format!("  output wire [{}:0] wobs_old_{k}_o", self.syn_w().1 - 1),
                format!("  output wire [{}:0] wobs_new_{k}_o", self.syn_w().1 - 1),
            ]);
        }
        s.push_str(&ports.join(",\n"));
        s.push_str("\n);\n");
        let (saw, wb) = self.syn_w();
        let vecs: [(&str, u32); 14] = [
            ("obs_valid", 1),
            ("obs_step", 32),
            ("obs_neuron", nrn_w),
            ("obs_v", v),
            ("obs_i_ex", i),
            ("obs_i_in", i),
            ("obs_refr", r),
            ("obs_spike", 1),
            ("spk_valid", 1),
            ("spk_gid", row_w),
            ("wobs_valid", 1),
            ("wobs_syn", saw),
            ("wobs_old", wb),
            ("wobs_new", wb),
        ];
        for (name, w) in vecs {
            s.push_str(&format!("  wire [{}:0] {name}_v;\n", n as u32 * w - 1));
        }
        s.push_str("  snn_mesh_top #(\n");
        let mut params = vec![
            format!("    .MROWS({})", self.rows),
            format!("    .MCOLS({})", self.cols),
        ];
        params.extend(self.params.iter().map(|(k, v)| format!("    .{k}({v})")));
        s.push_str(&params.join(",\n"));
        s.push_str("\n  ) u_mesh (\n");
        let mut conns: Vec<String> = [
            "clk_i",
            "rst_i",
            "start_i",
            "busy_o",
            "done_o",
            "step_o",
            "phase_o",
            "ld_valid_i",
            "ld_ready_o",
            "ld_last_i",
            "ld_core_i",
            "ld_mem_i",
            "ld_addr_i",
            "ld_data_i",
        ]
        .iter()
        .map(|p| format!("    .{p}({p})"))
        .collect();
        for (name, _) in vecs {
            conns.push(format!("    .{name}_o({name}_v)"));
        }
        s.push_str(&conns.join(",\n"));
        s.push_str("\n  );\n");
        for k in 0..n {
            for (name, w) in vecs {
                s.push_str(&format!(
                    "  assign {name}_{k}_o = {name}_v[{}:{}];\n",
                    (k as u32 + 1) * w - 1,
                    k as u32 * w
                ));
            }
        }
        s.push_str("endmodule\n`default_nettype wire\n");
        s
    }

    /// A model spec of the wrapper: the `hdl/` modules in `hdl_dir` and
    /// the wrapper written to `work`.
    pub fn spec(&self, hdl_dir: &Path, work: &Path) -> Result<ModelSpec, CosimError> {
        std::fs::create_dir_all(work).map_err(|source| CosimError::Io {
            context: format!("cannot create {}", work.display()),
            source,
        })?;
        let wrapper = work.join(format!("{WRAPPER_TOP}.v"));
        std::fs::write(&wrapper, self.wrapper_verilog()).map_err(|source| CosimError::Io {
            context: format!("cannot write {}", wrapper.display()),
            source,
        })?;
        // the modules the generator copies into a mesh directory
        use spikefab_gen::generate::{CORE_SOURCES, NOC_SOURCES};
        let mut sources: Vec<_> = CORE_SOURCES
            .iter()
            .chain(&NOC_SOURCES)
            .map(|(f, _)| hdl_dir.join(f))
            .collect();
        sources.push(wrapper);
        let mut spec = ModelSpec::new(WRAPPER_TOP, sources, "clk_i");
        for p in self.ports() {
            spec = spec.port(p);
        }
        Ok(spec)
    }

    /// Cycles after which a step is declared stuck.
    pub fn watchdog(&self) -> u64 {
        let n = self.p("N_NEURONS") + self.p("SYN_DEPTH") + self.p("ROWS");
        (4 * n + 1000) * self.cores() as u64
    }
}

struct CorePorts {
    obs_valid: PortId,
    obs_step: PortId,
    obs_neuron: PortId,
    obs_v: PortId,
    obs_i_ex: PortId,
    obs_i_in: PortId,
    obs_refr: PortId,
    obs_spike: PortId,
    spk_valid: PortId,
    spk_gid: PortId,
    wobs_valid: PortId,
    wobs_syn: PortId,
    wobs_old: PortId,
    wobs_new: PortId,
}

/// A verilated mesh, driven cycle by cycle.
pub struct MeshDevice {
    model: Model,
    rst: PortId,
    start: PortId,
    busy: PortId,
    done: PortId,
    step: PortId,
    phase: PortId,
    ld: [PortId; 7],
    cores: Vec<CorePorts>,
    /// Global id of each core's local neuron 0.
    bases: Vec<u32>,
    /// Per core, the global synapse index of each local synapse address.
    synapses: Vec<Vec<u64>>,
    watchdog: u64,
}

impl MeshDevice {
    /// Wrap a model instance of `cosim_mesh_top` whose cores start at
    /// global neuron ids `bases`; `synapses[k][a]` is the global synapse
    /// index of core k's local synapse address a ([`local_synapses`]).
    pub fn new(
        model: Model,
        shape: &MeshShape,
        bases: Vec<u32>,
        synapses: Vec<Vec<u64>>,
    ) -> Result<MeshDevice, CosimError> {
        let m = &model;
        let mut cores = Vec::with_capacity(shape.cores());
        for k in 0..shape.cores() {
            let q = |n: &str| m.port(&format!("{n}_{k}_o"));
            cores.push(CorePorts {
                obs_valid: q("obs_valid")?,
                obs_step: q("obs_step")?,
                obs_neuron: q("obs_neuron")?,
                obs_v: q("obs_v")?,
                obs_i_ex: q("obs_i_ex")?,
                obs_i_in: q("obs_i_in")?,
                obs_refr: q("obs_refr")?,
                obs_spike: q("obs_spike")?,
                spk_valid: q("spk_valid")?,
                spk_gid: q("spk_gid")?,
                wobs_valid: q("wobs_valid")?,
                wobs_syn: q("wobs_syn")?,
                wobs_old: q("wobs_old")?,
                wobs_new: q("wobs_new")?,
            });
        }
        Ok(MeshDevice {
            rst: m.port("rst_i")?,
            start: m.port("start_i")?,
            busy: m.port("busy_o")?,
            done: m.port("done_o")?,
            step: m.port("step_o")?,
            phase: m.port("phase_o")?,
            ld: [
                m.port("ld_valid_i")?,
                m.port("ld_last_i")?,
                m.port("ld_core_i")?,
                m.port("ld_mem_i")?,
                m.port("ld_addr_i")?,
                m.port("ld_data_i")?,
                m.port("ld_ready_o")?,
            ],
            cores,
            bases,
            synapses,
            watchdog: shape.watchdog(),
            model,
        })
    }

    /// Synchronous reset for 3 cycles, inputs idle.
    pub fn reset(&mut self) -> Result<(), CosimError> {
        for id in &self.ld[..6] {
            self.model.set(*id, 0)?;
        }
        self.model.set(self.start, 0)?;
        self.model.set(self.rst, 1)?;
        self.model.ticks(3)?;
        self.model.set(self.rst, 0)?;
        self.model.tick()
    }

    /// Configure core `core` with `beats`; returns the cycles it took.
    pub fn load(&mut self, core: u32, beats: &[Beat]) -> Result<u64, LockstepError> {
        let [valid, last, sel, mem, addr, data, ready] = self.ld;
        let c0 = self.model.cycles();
        self.model.set(sel, core as u64)?;
        for b in beats {
            if self.model.get(ready)? != 1 {
                return Err(LockstepError::Protocol {
                    cycle: self.model.cycles(),
                    what: "ld_ready_o low while the mesh is idle".into(),
                });
            }
            self.model.set(valid, 1)?;
            self.model.set(mem, b.mem as u64)?;
            self.model.set(addr, b.addr as u64)?;
            self.model.set(last, b.last as u64)?;
            self.model.set(data, b.data as u64)?;
            self.model.tick()?;
        }
        self.model.set(valid, 0)?;
        self.model.set(last, 0)?;
        Ok(self.model.cycles() - c0)
    }
}

impl Device for MeshDevice {
    fn step(&mut self, t: u64) -> Result<(StepRecords, u64), LockstepError> {
        let m = &mut self.model;
        if m.get(self.busy)? != 0 || m.get(self.step)? != t & 0xffff_ffff {
            return Err(LockstepError::Protocol {
                cycle: m.cycles(),
                what: format!("mesh step {t} cannot start"),
            });
        }
        m.set(self.start, 1)?;
        m.tick()?;
        m.set(self.start, 0)?;
        let c0 = m.cycles();
        let n = self.cores.len();
        let mut neurons: Vec<Vec<NeuronRecord>> = vec![Vec::new(); n];
        let mut spikes: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut weights: Vec<WeightRecord> = Vec::new();
        let tt = t & 0xffff_ffff;
        loop {
            for (k, c) in self.cores.iter().enumerate() {
                if m.get(c.obs_valid)? == 1 {
                    let step = m.get(c.obs_step)?;
                    if step != tt {
                        return Err(LockstepError::Protocol {
                            cycle: m.cycles(),
                            what: format!("core {k}: neuron record of step {step} during step {t}"),
                        });
                    }
                    neurons[k].push(NeuronRecord {
                        step: t,
                        neuron: self.bases[k] + m.get(c.obs_neuron)? as u32,
                        state: NeuronState {
                            v: m.get_signed(c.obs_v)? as i32,
                            i_ex: m.get_signed(c.obs_i_ex)? as i32,
                            i_in: m.get_signed(c.obs_i_in)? as i32,
                            refr: m.get(c.obs_refr)? as u32,
                            ..NeuronState::default()
                        },
                        spike: m.get(c.obs_spike)? == 1,
                    });
                }
                if m.get(c.spk_valid)? == 1 {
                    spikes[k].push(m.get(c.spk_gid)? as u32);
                }
                if m.get(c.wobs_valid)? == 1 {
                    let a = m.get(c.wobs_syn)? as usize;
                    let synapse =
                        *self.synapses[k]
                            .get(a)
                            .ok_or_else(|| LockstepError::Protocol {
                                cycle: m.cycles(),
                                what: format!(
                                    "core {k}: weight write of local synapse {a}, which holds none"
                                ),
                            })?;
                    weights.push(WeightRecord {
                        step: t,
                        synapse,
                        old: m.get_signed(c.wobs_old)? as i16,
                        new: m.get_signed(c.wobs_new)? as i16,
                    });
                }
            }
            if m.get(self.done)? == 1 {
                break;
            }
            m.tick()?;
            if m.cycles() - c0 > self.watchdog {
                let code = m.get(self.phase)?;
                return Err(LockstepError::Watchdog {
                    step: t,
                    cycles: m.cycles() - c0,
                    phase: phase_name(code),
                    phase_code: code,
                    at_cycle: m.cycles(),
                });
            }
        }
        // canonical order: by synapse, each synapse's writes in time order
        weights.sort_by_key(|w| w.synapse);
        let rec = StepRecords {
            step: t,
            neurons: neurons.into_iter().flatten().collect(),
            weights,
            spikes: spikes.into_iter().flatten().collect(),
        };
        Ok((rec, self.model.cycles() - c0))
    }

    fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    fn canonical_weights(&self) -> bool {
        true
    }
}

/// Per core, the global synapse index of each local synapse address (the
/// generator's own mapping, which the mesh images follow).
pub use spikefab_gen::mesh_stdp::local_synapses;
