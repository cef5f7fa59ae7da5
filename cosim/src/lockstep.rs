//! Lockstep co-simulation of one generated neuron core (`spikefab_top`, the
//! generator's top around `hdl/snn_lif_core.v`) with the reference engine.
//!
//! The verilated top is configured the way a host configures a board: reset,
//! then every memory word and configuration register through the load port
//! (`spikefab_gen::images::load_beats`). Each step is then started with
//! `start_i` and run until `done_o`; every observation record (neuron
//! update, weight write) and every spike-out handshake of the step is
//! collected into a [`StepRecords`], each record with the step the RTL
//! reported for it (`obs_step_o`, `wobs_step_o`, `spk_step_o`), and compared
//! with the engine's records of the same step by
//! [`spikefab_sim::records::compare_step`], the one comparator. The first
//! divergence stops the run and is reported with the last records of both
//! sides, the core and local neuron where a device has several cores
//! ([`Device::locate`]), the command that reproduces it and, optionally, a
//! VCD of a window of steps before it (the run is replayed from configuration
//! with tracing on, so the window costs nothing until then). When the RTL
//! stops itself ($stop, $fatal, a failed assertion) during a step, the error
//! ([`StopReport`]) names the step, the phase, the cycle and the message, with
//! the same waveform window and command. A step that does not complete
//! within a watchdog bound is an error naming the cycle count and the phase
//! (`phase_o`) it is stuck in.

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use spikefab_gen::images::Beat;
use spikefab_hdl::core::CoreParams;
use spikefab_hdl::Role;
use spikefab_sim::engine::{Engine, NeuronRecord, NeuronState, WeightRecord};
use spikefab_sim::records::{compare_step, Divergence, RecordKind, StepRecords};
use thiserror::Error;

use crate::error::CosimError;
use crate::library::ModelLib;
use crate::model::{Model, PortId, RandReset};
use crate::spec::Port;

/// The model ports of a generated single-core top (`spikefab_top` with
/// observation ports): every port of `snn_lif_core` but the clock, the
/// mesh link and (on chip) the memory port, from the one description
/// ([`CoreParams::ports`]).
pub fn top_ports(core: &CoreParams) -> Vec<Port> {
    core.ports()
        .iter()
        .filter(|p| !matches!(p.role, Role::Clock | Role::MeshLink))
        .filter(|p| p.role != Role::Memory || core.ext.is_some())
        .map(Port::from_hdl)
        .collect()
}

/// Cycles after which a step of `core` is declared stuck: a generous
/// multiple of the worst case (every neuron, every synapse and incoming
/// entry once), scaled for spike-out stalls.
pub fn watchdog(core: &CoreParams, spk_pct: u32) -> u64 {
    let work = 4 * (core.n_neurons + core.syn_depth + core.inc_depth) + 1000;
    work * 100 / spk_pct.clamp(1, 100) as u64
}

/// A model spec of `snn_lif_core` itself (the modules of
/// [`spikefab_hdl::sources::CORE`] in `hdl_dir`) with parameters `core`
/// (no memory images, initial values at their defaults), so that every
/// network of that shape runs on one cached model, configured through the
/// load port. Every port but the clock; the mesh link stays idle.
pub fn core_spec(hdl_dir: &Path, core: &CoreParams) -> crate::ModelSpec {
    let sources = spikefab_hdl::sources::CORE
        .iter()
        .map(|s| hdl_dir.join(s.file))
        .collect();
    let mut spec = crate::ModelSpec::new(spikefab_hdl::core::MODULE, sources, "clk_i");
    for p in core.ports().iter().filter(|p| p.role != Role::Clock) {
        spec = spec.port(Port::from_hdl(p));
    }
    for p in core.params() {
        spec = spec.param(p.name, p.value.to_string());
    }
    spec
}

/// The names of `phase_o`'s values.
pub use spikefab_hdl::core::phase_name;

/// Failures of a lockstep run other than the plumbing's own.
#[derive(Debug, Error)]
pub enum LockstepError {
    #[error(transparent)]
    Cosim(#[from] CosimError),
    /// A step did not complete.
    #[error(
        "watchdog: step {step} did not complete within {cycles} cycles; stuck in {phase} \
         (phase_o = {phase_code}) at simulated cycle {at_cycle}{cores}"
    )]
    Watchdog {
        step: u64,
        cycles: u64,
        phase: &'static str,
        phase_code: u64,
        at_cycle: u64,
        /// Every core's phase on a mesh (` [core 0: ...; core 1: ...]`),
        /// else empty.
        cores: String,
    },
    /// The top broke its own protocol (e.g. not ready to load while idle).
    #[error("protocol violation at simulated cycle {cycle}: {what}")]
    Protocol { cycle: u64, what: String },
    /// The RTL computed something else than the reference.
    #[error("{0}")]
    Diverged(Box<DivergenceReport>),
    /// The RTL stopped itself ($stop, $fatal, a failed assertion) during a
    /// step.
    #[error("{0}")]
    Stopped(Box<StopReport>),
    /// The [`RecordSink`] failed.
    #[error("cannot write the record trace: {0}")]
    Record(#[source] std::io::Error),
    /// The external-memory bus broke the AXI4 protocol (the memory model's
    /// checks), or a core raised `mem_err_o`.
    #[error("external memory, step {step}, simulated cycle {cycle}: {what}")]
    Memory { step: u64, cycle: u64, what: String },
}

/// The timing of the external memory model behind a core's (or every mesh
/// core's) AXI4 port in a co-simulation (`cosim::axi::AxiMem`; the bus
/// widths come from the core's parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct MemTiming {
    /// Cycles from the AR handshake to the first beat (>= 1).
    pub latency: u32,
    /// Random extra latency per burst, `0..=jitter` cycles.
    pub jitter: u32,
    /// Bytes per cycle per port (`None`: one beat every cycle).
    pub bytes_per_cycle: Option<f64>,
    /// Percent of cycles ARREADY is high (100: never stalls requests).
    pub ar_ready_pct: u32,
    /// Percent of cycles a ready beat is offered (100: no gaps).
    pub r_valid_pct: u32,
    /// Responses of different IDs returned out of order and interleaved.
    pub reorder: bool,
    /// Seed of the model's random choices (lane `k` uses `seed + k`).
    pub seed: u64,
}

impl Default for MemTiming {
    /// 100 cycles of latency, no jitter, one beat per cycle, no
    /// backpressure, in order.
    fn default() -> MemTiming {
        MemTiming {
            latency: 100,
            jitter: 0,
            bytes_per_cycle: None,
            ar_ready_pct: 100,
            r_valid_pct: 100,
            reorder: false,
            seed: 1,
        }
    }
}

impl MemTiming {
    /// The memory model of lane `lane` for a port with parameters `p`.
    pub fn config(&self, p: &spikefab_hdl::core::AxiParams, lane: u32) -> crate::axi::AxiMemConfig {
        crate::axi::AxiMemConfig {
            latency: self.latency,
            jitter: self.jitter,
            bytes_per_cycle: self.bytes_per_cycle,
            ar_ready_pct: self.ar_ready_pct,
            r_valid_pct: self.r_valid_pct,
            reorder: self.reorder,
            seed: self.seed.wrapping_add(u64::from(lane)),
            ..crate::axi::AxiMemConfig::for_port(p)
        }
    }

    /// A one-line description for reports.
    pub fn describe(&self) -> String {
        format!(
            "latency {}{} cycles, {}, ARREADY {} %, RVALID {} %, {}",
            self.latency,
            if self.jitter > 0 {
                format!(" + 0..={}", self.jitter)
            } else {
                String::new()
            },
            match self.bytes_per_cycle {
                Some(b) => format!("{b} bytes/cycle"),
                None => "one beat/cycle".to_string(),
            },
            self.ar_ready_pct,
            self.r_valid_pct,
            if self.reorder {
                "responses reordered across IDs"
            } else {
                "in order"
            }
        )
    }

    /// Extra watchdog cycles per step for a port with parameters `p` and
    /// at most `beats` beats per step: each beat may wait for its own
    /// burst's full latency, bandwidth and backpressure.
    pub fn watchdog_extra(&self, p: &spikefab_hdl::core::AxiParams, beats: u64) -> u64 {
        let per_beat = match self.bytes_per_cycle {
            Some(b) if b > 0.0 => (p.beat_bytes() as f64 / b).ceil() as u64 + 1,
            _ => 1,
        };
        let stall = 100 / u64::from(self.ar_ready_pct.clamp(1, 100))
            + 100 / u64::from(self.r_valid_pct.clamp(1, 100));
        beats * (u64::from(self.latency + self.jitter) + per_beat + stall + 8) + 1000
    }
}

/// The external memory of a co-simulated core or mesh: the timing, and
/// per lane (core) the regions written into its model before it runs
/// (byte address, contents: the generator's image writer's).
#[derive(Debug, Clone, Default)]
pub struct ExtMemory {
    pub timing: MemTiming,
    pub lanes: Vec<Vec<(u64, Vec<u8>)>>,
}

impl ExtMemory {
    /// The memory models of a bus with parameters `p`, one per lane, each
    /// holding its lane's regions.
    pub fn models(
        &self,
        p: &spikefab_hdl::core::AxiParams,
    ) -> Result<Vec<crate::axi::AxiMem>, crate::axi::AxiError> {
        let mut v = Vec::new();
        for (k, regions) in self.lanes.iter().enumerate() {
            let mut m = crate::axi::AxiMem::new(self.timing.config(p, k as u32))?;
            for (addr, bytes) in regions {
                m.write(*addr, bytes)?;
            }
            v.push(m);
        }
        Ok(v)
    }
}

/// The AXI slave of a device and its memory-error flag.
pub(crate) struct ExtPort {
    pub slave: crate::axi::AxiSlave,
    pub err: PortId,
}

impl ExtPort {
    /// The slave of a model's `m_axi_*` bus (one lane per entry of
    /// `mem.lanes`) for cores with parameters `core`, and the watchdog
    /// cycles a step may take longer (per lane's worst case, times lanes).
    pub fn attach(
        model: &Model,
        core: &CoreParams,
        mem: &ExtMemory,
    ) -> Result<(ExtPort, u64), LockstepError> {
        let wrap = |e: crate::axi::AxiError| LockstepError::Memory {
            step: 0,
            cycle: 0,
            what: e.to_string(),
        };
        let a = core.axi();
        let models = mem.models(&a).map_err(wrap)?;
        let slave = crate::axi::AxiSlave::new(model, models).map_err(wrap)?;
        let extra = mem.timing.watchdog_extra(&a, core.ext_beats() + core.rows)
            * mem.lanes.len().max(1) as u64;
        Ok((
            ExtPort {
                slave,
                err: model.port("mem_err_o")?,
            },
            extra,
        ))
    }

    /// The memory models' counters, one per lane (none without a port).
    pub fn stats(port: Option<&ExtPort>) -> Vec<crate::axi::AxiStats> {
        port.map(|e| e.slave.mems().iter().map(|m| *m.stats()).collect())
            .unwrap_or_default()
    }

    /// One cycle of the bus before the clock edge: the memory drives its
    /// outputs, the model settles, the memory samples the master.
    pub fn cycle(&mut self, m: &mut Model, step: u64) -> Result<(), LockstepError> {
        let cyc = m.cycles();
        let wrap = |e: crate::axi::AxiError| LockstepError::Memory {
            step,
            cycle: cyc,
            what: e.to_string(),
        };
        self.slave.drive(m).map_err(wrap)?;
        m.eval()?;
        self.slave.sample(m).map_err(wrap)
    }

    /// Fails when a core's `mem_err_o` is set (`lanes` cores).
    pub fn check_err(&self, m: &Model, step: u64, lanes: u32) -> Result<(), LockstepError> {
        let e = m.get(self.err)?;
        if e != 0 {
            let cores: Vec<String> = (0..lanes)
                .filter(|k| e >> k & 1 == 1)
                .map(|k| k.to_string())
                .collect();
            return Err(LockstepError::Memory {
                step,
                cycle: m.cycles(),
                what: format!(
                    "mem_err_o set by core {} (an error response, an unknown RID or a wrong RLAST)",
                    cores.join(", ")
                ),
            });
        }
        Ok(())
    }
}

/// The first divergence of a lockstep run, with its context.
#[derive(Debug)]
pub struct DivergenceReport {
    pub divergence: Divergence,
    /// Where the divergent neuron or spike is on a device of several cores
    /// (`core 2 (row 1, col 0), local neuron 5`; [`Device::locate`]).
    pub location: Option<String>,
    /// The last records of the reference up to the divergent one.
    pub reference_tail: Vec<String>,
    /// The last records of the RTL up to the divergent one.
    pub rtl_tail: Vec<String>,
    /// The command (with seeds) that reproduces the run.
    pub repro: String,
    /// The waveform of the window around the divergence, and its steps.
    pub vcd: Option<(PathBuf, u64, u64)>,
    /// Why no waveform was written, if one was asked for and failed.
    pub vcd_error: Option<String>,
}

impl fmt::Display for DivergenceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "RTL diverges from the reference at {}", self.divergence)?;
        if let Some(l) = &self.location {
            writeln!(f, "on {l}")?;
        }
        writeln!(
            f,
            "last {} records of the reference:",
            self.reference_tail.len()
        )?;
        for l in &self.reference_tail {
            writeln!(f, "  {l}")?;
        }
        writeln!(f, "last {} records of the RTL:", self.rtl_tail.len())?;
        for l in &self.rtl_tail {
            writeln!(f, "  {l}")?;
        }
        if let Some((p, a, b)) = &self.vcd {
            writeln!(f, "waveform of steps {a}..={b}: {}", p.display())?;
        }
        if let Some(e) = &self.vcd_error {
            writeln!(f, "no waveform: {e}")?;
        }
        write!(f, "reproduce with: {}", self.repro)
    }
}

/// The RTL stopped itself during a step: where and why.
#[derive(Debug)]
pub struct StopReport {
    /// The step the run was in.
    pub step: u64,
    /// The phase the device was in when it stopped ([`Device::phase`]).
    pub phase: String,
    /// Completed clock cycles of the simulation when it stopped.
    pub cycle: u64,
    /// The simulator's message (file, line and text of the $stop).
    pub message: String,
    /// The command (with seeds) that reproduces the run.
    pub repro: String,
    /// The waveform of the window up to the stop, and its steps.
    pub vcd: Option<(PathBuf, u64, u64)>,
    /// Why no waveform was written, if one was asked for and failed.
    pub vcd_error: Option<String>,
}

impl fmt::Display for StopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "RTL stopped itself in step {}, {}, at simulated cycle {}: {}",
            self.step, self.phase, self.cycle, self.message
        )?;
        if let Some((p, a, b)) = &self.vcd {
            writeln!(
                f,
                "waveform of steps {a}..={b} (up to the stop): {}",
                p.display()
            )?;
        }
        if let Some(e) = &self.vcd_error {
            writeln!(f, "no waveform: {e}")?;
        }
        write!(f, "reproduce with: {}", self.repro)
    }
}

/// The step of a record whose RTL step port (32 bits, wrapping) reads
/// `observed` during step `t`: `t`'s upper bits with the port's.
pub fn observed_step(t: u64, observed: u64) -> u64 {
    (t & !0xffff_ffff) | (observed & 0xffff_ffff)
}

/// `phase_o`'s value `code` with its name: `phase A (neuron updates)
/// (phase_o = 1)`.
pub fn phase_text(code: u64) -> String {
    format!("{} (phase_o = {code})", phase_name(code))
}

/// The ports of the top, resolved once.
struct Ids {
    rst: PortId,
    start: PortId,
    busy: PortId,
    done: PortId,
    step: PortId,
    phase: PortId,
    ld_valid: PortId,
    ld_ready: PortId,
    ld_last: PortId,
    ld_mem: PortId,
    ld_addr: PortId,
    ld_data: PortId,
    obs_valid: PortId,
    obs_step: PortId,
    obs_neuron: PortId,
    obs_v: PortId,
    obs_i_ex: PortId,
    obs_i_in: PortId,
    obs_refr: PortId,
    obs_spike: PortId,
    wobs_valid: PortId,
    wobs_step: PortId,
    wobs_syn: PortId,
    wobs_old: PortId,
    wobs_new: PortId,
    spk_valid: PortId,
    spk_ready: PortId,
    spk_step: PortId,
    spk_neuron: PortId,
}

impl Ids {
    fn resolve(m: &Model) -> Result<Ids, CosimError> {
        Ok(Ids {
            rst: m.port("rst_i")?,
            start: m.port("start_i")?,
            busy: m.port("busy_o")?,
            done: m.port("done_o")?,
            step: m.port("step_o")?,
            phase: m.port("phase_o")?,
            ld_valid: m.port("ld_valid_i")?,
            ld_ready: m.port("ld_ready_o")?,
            ld_last: m.port("ld_last_i")?,
            ld_mem: m.port("ld_mem_i")?,
            ld_addr: m.port("ld_addr_i")?,
            ld_data: m.port("ld_data_i")?,
            obs_valid: m.port("obs_valid_o")?,
            obs_step: m.port("obs_step_o")?,
            obs_neuron: m.port("obs_neuron_o")?,
            obs_v: m.port("obs_v_o")?,
            obs_i_ex: m.port("obs_i_ex_o")?,
            obs_i_in: m.port("obs_i_in_o")?,
            obs_refr: m.port("obs_refr_o")?,
            obs_spike: m.port("obs_spike_o")?,
            wobs_valid: m.port("wobs_valid_o")?,
            wobs_step: m.port("wobs_step_o")?,
            wobs_syn: m.port("wobs_syn_o")?,
            wobs_old: m.port("wobs_old_o")?,
            wobs_new: m.port("wobs_new_o")?,
            spk_valid: m.port("spk_valid_o")?,
            spk_ready: m.port("spk_ready_i")?,
            spk_step: m.port("spk_step_o")?,
            spk_neuron: m.port("spk_neuron_o")?,
        })
    }
}

/// The load port's signals (a core's or a mesh's).
pub(crate) struct LoadPorts {
    pub valid: PortId,
    pub mem: PortId,
    pub addr: PortId,
    pub last: PortId,
    pub data: PortId,
    pub ready: PortId,
}

/// Offer `b` on the load port and hold it until `ld_ready_o` takes it; a
/// port closed for more than `load_wait` cycles while the `device` is idle
/// is a protocol error.
pub(crate) fn send_beat(
    model: &mut Model,
    p: &LoadPorts,
    b: &Beat,
    load_wait: u64,
    device: &str,
) -> Result<(), LockstepError> {
    model.set(p.valid, 1)?;
    model.set(p.mem, b.mem as u64)?;
    model.set(p.addr, b.addr as u64)?;
    model.set(p.last, b.last as u64)?;
    model.set(p.data, b.data as u64)?;
    let mut waited = 0;
    loop {
        let ready = model.get(p.ready)? == 1;
        model.tick()?;
        if ready {
            return Ok(());
        }
        waited += 1;
        if waited > load_wait {
            return Err(LockstepError::Protocol {
                cycle: model.cycles(),
                what: format!(
                    "ld_ready_o low for {waited} cycles while the {device} is idle \
                     (a configuration clear takes at most {})",
                    load_wait - 1
                ),
            });
        }
    }
}

/// Cycles a load beat may wait for `ld_ready_o` while the core is idle:
/// the configuration clear of a core that has run a step (docs/hardware.md,
/// "Reconfiguration"): `max(SLOTS x N_NEURONS, trace rows) + 1`, and one
/// more.
pub fn load_wait(core: &CoreParams) -> u64 {
    (core.slots * core.n_neurons).max(core.rows) + 2
}

/// One verilated core, driven cycle by cycle.
pub struct Core {
    model: Model,
    p: Ids,
    /// The external memory (a core with `SYN_EXT`).
    ext: Option<ExtPort>,
    watchdog: u64,
    load_wait: u64,
    spk_pct: u32,
    /// xorshift32 state of the spike-out stalls.
    stall: u32,
}

impl Core {
    /// Wrap a model instance of the generated top; `spk_pct` is the percent
    /// of cycles `spk_ready_i` is high (stalls drawn from `stall_seed`).
    pub fn new(
        model: Model,
        core: &CoreParams,
        spk_pct: u32,
        stall_seed: u32,
    ) -> Result<Core, CosimError> {
        let p = Ids::resolve(&model)?;
        Ok(Core {
            model,
            p,
            ext: None,
            watchdog: watchdog(core, spk_pct),
            load_wait: load_wait(core),
            spk_pct: spk_pct.clamp(1, 100),
            stall: stall_seed.max(1),
        })
    }

    /// Simulated cycles so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    /// Attach the external memory of a core with `SYN_EXT` (its regions
    /// written into the memory model); before [`Core::reset`].
    pub fn attach_memory(
        &mut self,
        core: &CoreParams,
        mem: &ExtMemory,
    ) -> Result<(), LockstepError> {
        let (port, extra) = ExtPort::attach(&self.model, core, mem)?;
        self.ext = Some(port);
        self.watchdog += extra;
        Ok(())
    }

    /// The memory model's counters, one per lane (none on chip).
    pub fn memory_stats(&self) -> Vec<crate::axi::AxiStats> {
        ExtPort::stats(self.ext.as_ref())
    }

    /// Replace the watchdog bound (cycles per step; default
    /// [`watchdog`]).
    pub fn set_watchdog(&mut self, cycles: u64) {
        self.watchdog = cycles;
    }

    /// The model (for tracing).
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// Synchronous reset for 3 cycles, inputs idle.
    pub fn reset(&mut self) -> Result<(), CosimError> {
        let p = &self.p;
        for id in [
            p.start, p.ld_valid, p.ld_last, p.ld_mem, p.ld_addr, p.ld_data,
        ] {
            self.model.set(id, 0)?;
        }
        self.model.set(p.spk_ready, 1)?;
        self.model.set(p.rst, 1)?;
        if let Some(e) = self.ext.as_mut() {
            e.slave.drive_idle(&mut self.model).map_err(|e| match e {
                crate::axi::AxiError::Cosim(c) => c,
                other => CosimError::InvalidSpec(other.to_string()),
            })?;
        }
        self.model.ticks(3)?;
        self.model.set(p.rst, 0)?;
        self.model.tick()?;
        Ok(())
    }

    /// Send every beat through the load port, each held until
    /// `ld_ready_o` takes it (one per clock once the port is open; a core
    /// that has run steps first clears, [`load_wait`]); returns the cycles
    /// it took. A port closed longer than that is a protocol error.
    pub fn load(&mut self, beats: &[Beat]) -> Result<u64, LockstepError> {
        let c0 = self.model.cycles();
        let p = &self.p;
        let ports = LoadPorts {
            valid: p.ld_valid,
            mem: p.ld_mem,
            addr: p.ld_addr,
            last: p.ld_last,
            data: p.ld_data,
            ready: p.ld_ready,
        };
        for b in beats {
            send_beat(&mut self.model, &ports, b, self.load_wait, "core")?;
        }
        self.model.set(p.ld_valid, 0)?;
        self.model.set(p.ld_last, 0)?;
        Ok(self.model.cycles() - c0)
    }

    /// Run step `t` (the core's next step) to `done_o`; returns its records
    /// and its cycles from the start handshake to `done_o`.
    pub fn step(&mut self, t: u64) -> Result<(StepRecords, u64), LockstepError> {
        let p = &self.p;
        let m = &mut self.model;
        if m.get(p.busy)? != 0 || m.get(p.step)? != t & 0xffff_ffff {
            return Err(LockstepError::Protocol {
                cycle: m.cycles(),
                what: format!(
                    "step {t} cannot start: busy_o = {}, step_o = {}",
                    m.get(p.busy)?,
                    m.get(p.step)?
                ),
            });
        }
        m.set(p.start, 1)?;
        m.tick()?;
        m.set(p.start, 0)?;
        let c0 = m.cycles();
        let mut rec = StepRecords {
            step: t,
            ..StepRecords::default()
        };
        loop {
            let m = &mut self.model;
            if m.get(p.obs_valid)? == 1 {
                rec.neurons.push(NeuronRecord {
                    step: observed_step(t, m.get(p.obs_step)?),
                    neuron: m.get(p.obs_neuron)? as u32,
                    state: NeuronState {
                        v: m.get_signed(p.obs_v)? as i32,
                        i_ex: m.get_signed(p.obs_i_ex)? as i32,
                        i_in: m.get_signed(p.obs_i_in)? as i32,
                        refr: m.get(p.obs_refr)? as u32,
                        ..NeuronState::default()
                    },
                    spike: m.get(p.obs_spike)? == 1,
                });
            }
            if m.get(p.wobs_valid)? == 1 {
                rec.weights.push(WeightRecord {
                    step: observed_step(t, m.get(p.wobs_step)?),
                    synapse: m.get(p.wobs_syn)?,
                    old: m.get_signed(p.wobs_old)? as i16,
                    new: m.get_signed(p.wobs_new)? as i16,
                });
            }
            let valid = m.get(p.spk_valid)? == 1;
            if m.get(p.done)? == 1 {
                break;
            }
            let ready = xorshift32(&mut self.stall) % 100 < self.spk_pct;
            let m = &mut self.model;
            m.set(p.spk_ready, ready as u64)?;
            if valid && ready {
                rec.spike_steps.push(observed_step(t, m.get(p.spk_step)?));
                rec.spikes.push(m.get(p.spk_neuron)? as u32);
            }
            if let Some(e) = self.ext.as_mut() {
                e.cycle(m, t)?;
            }
            m.tick()?;
            if m.cycles() - c0 > self.watchdog {
                let code = m.get(p.phase)?;
                return Err(LockstepError::Watchdog {
                    step: t,
                    cycles: m.cycles() - c0,
                    phase: phase_name(code),
                    phase_code: code,
                    at_cycle: m.cycles(),
                    cores: String::new(),
                });
            }
        }
        if let Some(e) = &self.ext {
            e.check_err(&self.model, t, 1)?;
        }
        let cycles = self.model.cycles() - c0;
        Ok((rec, cycles))
    }
}

/// The cycles of one single-core step by the core's documented cost
/// without spike-out stalls: `spikefab_plan::cycles::single_core_on_chip`
/// (the one definition; kept here under its old name for callers).
pub fn model_cycles(n: u64, spikes: u64, events: u64, plastic: bool, incoming: &[u64]) -> u64 {
    spikefab_plan::cycles::single_core_on_chip(n, spikes, events, plastic, incoming)
}

/// What the cycle model (`spikefab_plan::cycles`) needs to predict every
/// step of a lockstep run: the machine (one core or a mesh, its store and
/// memory timing), the network's rows on its cores, and whether the single
/// core is plastic (its post pass).
#[derive(Debug, Clone)]
pub struct Cost {
    pub machine: spikefab_plan::Machine,
    pub rows: spikefab_plan::RowMap,
    pub plastic: bool,
}

/// The cycle model's view of the external memory `mem` behind a core with
/// parameters `core` (`None` on chip).
pub fn store_of(core: &CoreParams, mem: Option<&MemTiming>) -> spikefab_plan::Store {
    match (core.ext, mem) {
        (Some(a), Some(m)) => spikefab_plan::Store::External(spikefab_plan::cycles::ExtTiming {
            lanes: core.ext_lanes(),
            beat_bytes: a.beat_bytes(),
            burst_beats: u64::from(a.burst),
            outstanding: u64::from(a.outstanding),
            index_beats: core.idx_beats(),
            latency: u64::from(m.latency),
            bytes_per_cycle: m.bytes_per_cycle,
        }),
        _ => spikefab_plan::Store::OnChip,
    }
}

impl Cost {
    /// The cost of a single core with parameters `core` running the
    /// network of `engine`, with external memory `mem` (external store).
    pub fn single(core: &CoreParams, engine: &Engine, mem: Option<&MemTiming>) -> Cost {
        let n = engine.neurons();
        let store = store_of(core, mem);
        let lanes = core.ext.map(|_| core.ext_lanes());
        Cost {
            machine: spikefab_plan::Machine {
                mesh_rows: 1,
                mesh_cols: 1,
                store,
                hist_words: 0,
            },
            rows: spikefab_plan::RowMap::new(&engine.syn, n, &[(0, n)], lanes),
            plastic: core.plastic,
        }
    }

    /// The cost of a static mesh (`None` for a plastic one: its trace pass
    /// and second barrier are not modelled) of `rows x cols` cores with
    /// parameters `core` holding the neuron ranges `ranges` of `engine`'s
    /// network, with external memory `mem` (external store).
    pub fn mesh(
        rows: u32,
        cols: u32,
        core: &CoreParams,
        groups: u32,
        ranges: &[(u32, u32)],
        engine: &Engine,
        mem: Option<&MemTiming>,
    ) -> Option<Cost> {
        if core.plastic {
            return None;
        }
        let lanes = core.ext.map(|_| core.ext_lanes());
        Some(Cost {
            machine: spikefab_plan::Machine {
                mesh_rows: rows,
                mesh_cols: cols,
                store: store_of(core, mem),
                hist_words: spikefab_plan::Machine::hist_words(groups, core.n_neurons),
            },
            rows: spikefab_plan::RowMap::grouped(
                &engine.syn,
                engine.neurons(),
                ranges,
                lanes,
                groups,
                (core.slots.max(2) - 1) as u32,
            ),
            plastic: false,
        })
    }
}

fn xorshift32(s: &mut u32) -> u32 {
    let mut x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    x
}

/// Options of one lockstep run.
#[derive(Debug, Clone)]
pub struct LockstepOptions {
    /// Steps to run.
    pub steps: u64,
    /// Percent of cycles the spike-out stream is ready (100: no stalls).
    pub spk_pct: u32,
    /// Seed of the spike-out stalls.
    pub stall_seed: u32,
    /// Seed of Verilator's `--x-initial unique` values (nonzero).
    pub x_seed: u32,
    /// Records of each side shown with a divergence.
    pub history: usize,
    /// Where to write a VCD of the window before a divergence (None: no
    /// waveform).
    pub wave: Option<PathBuf>,
    /// Steps of the window before the divergent step.
    pub wave_window: u64,
    /// The command that reproduces this run (shown with a divergence).
    pub repro: String,
}

/// What a passing lockstep run compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockstepReport {
    pub steps: u64,
    pub neuron_updates: u64,
    pub spikes: u64,
    pub weight_writes: u64,
    /// Cycles of the steps (start handshake to `done_o`), summed.
    pub step_cycles: u64,
    /// Cycles of each step.
    pub cycles_per_step: Vec<u64>,
    /// The cycle count the cycle model predicts for each step ([`Cost`],
    /// `spikefab_plan::cycles`), for the comparison in reports; empty when
    /// the run had no model.
    pub model_cycles_per_step: Vec<u64>,
    /// Synaptic events (synapses of the spiking neurons) of each step.
    pub events_per_step: Vec<u64>,
    /// Cycles spent configuring through the load port.
    pub load_cycles: u64,
    /// Every simulated cycle (reset, load, steps).
    pub total_cycles: u64,
    /// Wall-clock seconds of the RTL side only.
    pub rtl_seconds: f64,
    /// Wall-clock seconds of the reference side only.
    pub ref_seconds: f64,
}

impl LockstepReport {
    /// The positive marker of a pass.
    pub fn marker(&self) -> String {
        format!(
            "matched {} neuron updates, {} spikes, {} weight writes over {} steps",
            self.neuron_updates, self.spikes, self.weight_writes, self.steps
        )
    }

    /// Simulated cycles per wall-clock second of the RTL side.
    pub fn cycles_per_second(&self) -> f64 {
        self.total_cycles as f64 / self.rtl_seconds.max(1e-9)
    }
}

fn record_lines(r: &StepRecords) -> Vec<String> {
    let mut v = Vec::with_capacity(r.neurons.len() + r.weights.len() + r.spikes.len());
    for n in &r.neurons {
        v.push(format!(
            "neuron  step {} neuron {} v {} i_ex {} i_in {} refr {} spike {}",
            n.step, n.neuron, n.state.v, n.state.i_ex, n.state.i_in, n.state.refr, n.spike as u8
        ));
    }
    for w in &r.weights {
        v.push(format!(
            "weight  step {} synapse {} old {} new {}",
            w.step, w.synapse, w.old, w.new
        ));
    }
    for (i, s) in r.spikes.iter().enumerate() {
        v.push(format!("spike   step {} neuron {s}", r.spike_step(i)));
    }
    v
}

/// Index of the divergent record in [`record_lines`] order (for the tails).
fn divergence_index(r: &StepRecords, d: &Divergence) -> usize {
    match &d.kind {
        RecordKind::Neuron { neuron } => r
            .neurons
            .iter()
            .position(|n| n.neuron == *neuron)
            .unwrap_or(r.neurons.len()),
        RecordKind::Weight { index, .. } => r.neurons.len() + index,
        RecordKind::Spike { index, .. } => r.neurons.len() + r.weights.len() + index,
    }
}

struct Tail {
    lines: VecDeque<String>,
    cap: usize,
}

impl Tail {
    fn new(cap: usize) -> Tail {
        Tail {
            lines: VecDeque::with_capacity(cap + 1),
            cap,
        }
    }
    fn push(&mut self, l: String) {
        if self.cap == 0 {
            return;
        }
        if self.lines.len() == self.cap {
            self.lines.pop_front();
        }
        self.lines.push_back(l);
    }
    fn extend(&mut self, ls: impl IntoIterator<Item = String>) {
        for l in ls {
            self.push(l);
        }
    }
}

/// A device under test that runs whole steps: one core, or a mesh of cores.
pub trait Device {
    /// Run step `t` to its end; its records and its cycles.
    fn step(&mut self, t: u64) -> Result<(StepRecords, u64), LockstepError>;
    /// Simulated cycles so far.
    fn cycles(&self) -> u64;
    /// The model (for tracing).
    fn model_mut(&mut self) -> &mut Model;
    /// Whether the device reports a step's weight writes in canonical order
    /// (by synapse, each synapse's writes in time order) rather than the
    /// reference's processing order; the reference's are then sorted alike
    /// (a mesh's cores depress in network arrival order).
    fn canonical_weights(&self) -> bool {
        false
    }
    /// The phase the device is in, for reports of a stuck or stopped step
    /// ([`phase_text`] of `phase_o`; a mesh adds each core's).
    fn phase(&self) -> String;
    /// Where global neuron `neuron` lives on a device of several cores
    /// (`core 2 (row 1, col 0), local neuron 5`); `None` on a single core.
    fn locate(&self, _neuron: u32) -> Option<String> {
        None
    }
}

impl Device for Core {
    fn step(&mut self, t: u64) -> Result<(StepRecords, u64), LockstepError> {
        Core::step(self, t)
    }
    fn cycles(&self) -> u64 {
        Core::cycles(self)
    }
    fn model_mut(&mut self) -> &mut Model {
        Core::model_mut(self)
    }
    fn phase(&self) -> String {
        match self.model.get(self.p.phase) {
            Ok(code) => phase_text(code),
            Err(e) => format!("phase unknown ({e})"),
        }
    }
}

/// Creates a configured device (and the cycles its configuration took).
pub type Opener<'a> = dyn Fn() -> Result<(Box<dyn Device>, u64), LockstepError> + 'a;

/// Receives the device's records of every step of a lockstep run (e.g. a
/// record trace writer, `spikefab_sim::trace::RecordWriter`), each step
/// before it is compared, so that a divergent step is recorded too.
pub trait RecordSink {
    /// Called once the device is configured, before step 0: whether the
    /// device reports weight writes in canonical order
    /// ([`Device::canonical_weights`]).
    fn start(&mut self, canonical_weights: bool) -> std::io::Result<()>;
    /// The device's records of one step, as it reported them.
    fn step(&mut self, records: &StepRecords) -> std::io::Result<()>;
}

/// Instantiate, reset and configure a core (the opener of [`run_lockstep`]).
pub fn configured(
    lib: &ModelLib,
    core: &CoreParams,
    beats: &[Beat],
    opts: &LockstepOptions,
) -> Result<(Box<dyn Device>, u64), LockstepError> {
    configured_ext(lib, core, beats, None, opts)
}

/// [`configured`] with the external memory of a core with `SYN_EXT`.
pub fn configured_ext(
    lib: &ModelLib,
    core: &CoreParams,
    beats: &[Beat],
    mem: Option<&ExtMemory>,
    opts: &LockstepOptions,
) -> Result<(Box<dyn Device>, u64), LockstepError> {
    let model = lib.instantiate(opts.x_seed.max(1), RandReset::Random)?;
    let mut dev = Core::new(model, core, opts.spk_pct, opts.stall_seed)?;
    if let Some(m) = mem {
        dev.attach_memory(core, m)?;
    }
    dev.reset()?;
    let load = dev.load(beats)?;
    Ok((Box::new(dev), load))
}

/// The waveform of a report ending at step `t` (`opts.wave`: the
/// `opts.wave_window` steps before it and `t`), or why it could not be
/// written; none without `--wave`.
fn wave_window(
    open: &Opener,
    opts: &LockstepOptions,
    t: u64,
    stops: bool,
) -> (Option<(PathBuf, u64, u64)>, Option<String>) {
    let first = t.saturating_sub(opts.wave_window);
    match &opts.wave {
        None => (None, None),
        Some(path) => match write_window(open, path, first, t, stops) {
            Ok(()) => (Some((path.clone(), first, t)), None),
            Err(e) => (None, Some(e.to_string())),
        },
    }
}

/// Replay the run up to step `last` with tracing on from step `first`;
/// with `stops`, step `last` must end in the simulation stopping itself
/// (the trace then ends at the stop).
fn write_window(
    open: &Opener,
    path: &Path,
    first: u64,
    last: u64,
    stops: bool,
) -> Result<(), LockstepError> {
    let (mut dev, _) = open()?;
    for t in 0..=last {
        if t == first {
            dev.model_mut().trace_open(path)?;
        }
        match dev.step(t) {
            Err(LockstepError::Cosim(CosimError::Simulation { .. })) if stops && t == last => {}
            Err(e) => {
                dev.model_mut().trace_close();
                return Err(e);
            }
            Ok(_) if stops && t == last => {
                dev.model_mut().trace_close();
                return Err(LockstepError::Protocol {
                    cycle: dev.cycles(),
                    what: format!("the replay did not stop in step {t}"),
                });
            }
            Ok(_) => {}
        }
    }
    dev.model_mut().trace_close();
    Ok(())
}

/// Run `engine` (at step 0, the state the images were written from) and the
/// core of `lib` (configured with `beats`) in lockstep for `opts.steps`
/// steps, comparing every record of every step.
pub fn run_lockstep(
    lib: &ModelLib,
    core: &CoreParams,
    beats: &[Beat],
    engine: &mut Engine,
    opts: &LockstepOptions,
) -> Result<LockstepReport, LockstepError> {
    let open = || configured(lib, core, beats, opts);
    let cost = Cost::single(core, engine, None);
    run_lockstep_on(&open, engine, opts, Some(&cost))
}

/// One network of a reconfiguration sequence ([`run_reconfigured`]): its
/// load beats, an engine of it at step 0, and the steps to run.
pub struct Stage<'a> {
    pub beats: &'a [Beat],
    pub engine: &'a mut Engine,
    pub steps: u64,
}

/// A host's session with one core: reset, configure it with the first
/// stage's network and run it; then reconfigure the same core, WITHOUT a
/// reset, with each next stage's network and run that. Every step of every
/// stage is compared with the stage's engine (steps from 0: a
/// reconfigured core must behave as a fresh one). Returns a report per
/// stage (its `load_cycles` are that configuration's, clear included); the
/// first divergence is an error naming the stage in its step's records.
pub fn run_reconfigured(
    lib: &ModelLib,
    core: &CoreParams,
    stages: &mut [Stage],
    opts: &LockstepOptions,
) -> Result<Vec<LockstepReport>, LockstepError> {
    let model = lib.instantiate(opts.x_seed.max(1), RandReset::Random)?;
    let mut dev = Core::new(model, core, opts.spk_pct, opts.stall_seed)?;
    dev.reset()?;
    let mut reports = Vec::new();
    for (k, st) in stages.iter_mut().enumerate() {
        let t0 = Instant::now();
        let load_cycles = dev.load(st.beats)?;
        let mut report = LockstepReport {
            load_cycles,
            ..LockstepReport::default()
        };
        let (mut ref_tail, mut rtl_tail) = (Tail::new(opts.history), Tail::new(opts.history));
        for t in 0..st.steps {
            let exp = StepRecords::of_engine_step(st.engine);
            let (got, cycles) = dev.step(t)?;
            if let Some(d) = compare_step(&exp, &got) {
                let (le, lg) = (record_lines(&exp), record_lines(&got));
                ref_tail.extend(le.into_iter().take(divergence_index(&exp, &d) + 1));
                rtl_tail.extend(lg.into_iter().take(divergence_index(&got, &d) + 1));
                return Err(LockstepError::Diverged(Box::new(DivergenceReport {
                    divergence: d,
                    location: None,
                    reference_tail: ref_tail.lines.into(),
                    rtl_tail: rtl_tail.lines.into(),
                    repro: format!("{} (stage {k} of a reconfiguration sequence)", opts.repro),
                    vcd: None,
                    vcd_error: None,
                })));
            }
            ref_tail.extend(record_lines(&exp));
            rtl_tail.extend(record_lines(&got));
            report.steps += 1;
            report.neuron_updates += got.neurons.len() as u64;
            report.spikes += got.spikes.len() as u64;
            report.weight_writes += got.weights.len() as u64;
            report.step_cycles += cycles;
            report.cycles_per_step.push(cycles);
        }
        report.total_cycles = dev.cycles();
        report.rtl_seconds = t0.elapsed().as_secs_f64();
        reports.push(report);
    }
    Ok(reports)
}

/// [`run_lockstep`] on any [`Device`] that `open` creates and configures;
/// with `cost`, the cycle model's prediction of every step is reported
/// beside the measured cycles.
pub fn run_lockstep_on(
    open: &Opener,
    engine: &mut Engine,
    opts: &LockstepOptions,
    cost: Option<&Cost>,
) -> Result<LockstepReport, LockstepError> {
    run_lockstep_recorded(open, engine, opts, cost, None)
}

/// [`run_lockstep_on`], handing the device's records of each step to `sink`.
pub fn run_lockstep_recorded(
    open: &Opener,
    engine: &mut Engine,
    opts: &LockstepOptions,
    cost: Option<&Cost>,
    mut sink: Option<&mut dyn RecordSink>,
) -> Result<LockstepReport, LockstepError> {
    let t_rtl = Instant::now();
    let (mut core, load_cycles) = open()?;
    let mut rtl_seconds = t_rtl.elapsed().as_secs_f64();
    if let Some(s) = sink.as_mut() {
        s.start(core.canonical_weights())
            .map_err(LockstepError::Record)?;
    }
    let mut ref_seconds = 0.0;
    let mut report = LockstepReport {
        load_cycles,
        ..LockstepReport::default()
    };
    let (mut ref_tail, mut rtl_tail) = (Tail::new(opts.history), Tail::new(opts.history));
    let mut spike_history: Vec<Vec<u32>> = Vec::new();
    for t in 0..opts.steps {
        let t0 = Instant::now();
        let mut exp = StepRecords::of_engine_step(engine);
        if core.canonical_weights() {
            exp.weights.sort_by_key(|w| w.synapse);
        }
        ref_seconds += t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let (got, cycles) = match core.step(t) {
            Ok(r) => r,
            Err(LockstepError::Cosim(CosimError::Simulation { cycle, message, .. })) => {
                let phase = core.phase();
                drop(core);
                let (vcd, vcd_error) = wave_window(open, opts, t, true);
                return Err(LockstepError::Stopped(Box::new(StopReport {
                    step: t,
                    phase,
                    cycle,
                    message,
                    repro: opts.repro.clone(),
                    vcd,
                    vcd_error,
                })));
            }
            Err(e) => return Err(e),
        };
        rtl_seconds += t1.elapsed().as_secs_f64();
        if let Some(s) = sink.as_mut() {
            s.step(&got).map_err(LockstepError::Record)?;
        }
        if let Some(d) = compare_step(&exp, &got) {
            let (le, lg) = (record_lines(&exp), record_lines(&got));
            ref_tail.extend(le.into_iter().take(divergence_index(&exp, &d) + 1));
            rtl_tail.extend(lg.into_iter().take(divergence_index(&got, &d) + 1));
            let location = match d.kind {
                RecordKind::Neuron { neuron } | RecordKind::Spike { neuron, .. } => {
                    core.locate(neuron)
                }
                RecordKind::Weight { .. } => None,
            };
            let (vcd, vcd_error) = wave_window(open, opts, t, false);
            return Err(LockstepError::Diverged(Box::new(DivergenceReport {
                divergence: d,
                location,
                reference_tail: ref_tail.lines.into(),
                rtl_tail: rtl_tail.lines.into(),
                repro: opts.repro.clone(),
                vcd,
                vcd_error,
            })));
        }
        ref_tail.extend(record_lines(&exp));
        rtl_tail.extend(record_lines(&got));
        report.steps += 1;
        report.neuron_updates += got.neurons.len() as u64;
        report.spikes += got.spikes.len() as u64;
        report.weight_writes += got.weights.len() as u64;
        report.step_cycles += cycles;
        report.cycles_per_step.push(cycles);
        let events: u64 = exp.spikes.iter().map(|&s| engine.syn.out_degree(s)).sum();
        report.events_per_step.push(events);
        if let Some(cost) = cost {
            let m = if cost.plastic {
                let inc = &engine.syn.incoming;
                let post: Vec<u64> = if engine.syn.rule.is_empty() {
                    Vec::new()
                } else {
                    exp.spikes
                        .iter()
                        .map(|&s| inc.start[s as usize + 1] - inc.start[s as usize])
                        .collect()
                };
                model_cycles(
                    engine.neurons() as u64,
                    exp.spikes.len() as u64,
                    events,
                    true,
                    &post,
                )
            } else if cost.rows.groups() > 1 {
                // delay groups: this step replays earlier steps' spikes
                spike_history.push(exp.spikes.clone());
                let t = spike_history.len() - 1;
                spikefab_plan::cycles::step_at(&cost.machine, &cost.rows, &spike_history, t).cycles
            } else {
                spikefab_plan::cycles::step(&cost.machine, &cost.rows, &exp.spikes).cycles
            };
            report.model_cycles_per_step.push(m);
        }
    }
    report.total_cycles = core.cycles();
    report.rtl_seconds = rtl_seconds;
    report.ref_seconds = ref_seconds;
    Ok(report)
}
