//! The spike-routing network-on-chip (`hdl/snn_noc_mesh.v` with
//! `hdl/snn_noc_router.v`) under Verilator, driven from Rust: the harness
//! behind `spikefab bench noc` and `cosim/tests/noc.rs`.
//!
//! - [`wrapper_source`], [`write_wrapper`], [`NocSources`], [`mesh_spec`]:
//!   the model. The mesh's flattened vectors are `N * (N + DATA_W)` bits,
//!   and this harness predates wide ports (`Model::set_wide`), so the mesh
//!   is verilated under a thin generated wrapper ([`WRAPPER_TOP`], one per mesh
//!   size and FIFO depth) that only splits those vectors into per-core
//!   ports, from the one description of `snn_noc_mesh`
//!   ([`spikefab_hdl::noc::NocMeshParams`]).
//! - [`MeshSim`]: one instance with its ports resolved once.
//! - [`RunCfg`], [`Pattern`], [`run`]: the traffic generator and the checks
//!   of one run (stream rules, busy flag, deadlock watchdog); [`curve_run`]
//!   is one point of the latency/throughput curve.
//! - [`Scoreboard`]: every packet reaches every core of its mask exactly
//!   once and no other core; [`LatencyStats`]: mean, quantiles, maximum.
//! - [`Report`] (the figures of a clean run) and [`Failure`] (why a run
//!   failed).
//!
//! ```no_run
//! use spikefab_cosim::noc::{curve_run, mesh_spec, run, write_wrapper, MeshCfg, MeshSim, NocSources};
//! use spikefab_cosim::{build, default_cache_root};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join("noc-example");
//! let cfg = MeshCfg::new(2, 2, 4);
//! let sources = NocSources::write_embedded(&dir)?;
//! let spec = mesh_spec(cfg, &write_wrapper(&dir, cfg)?, &sources)?;
//! let lib = build(&spec, &default_cache_root()?)?;
//! let mut sim = MeshSim::new(&lib, cfg, 11)?;
//! let r = run(&mut sim, &curve_run(50, 20_000), "2x2 at 50%")?;
//! println!("accepted {:.3}, mean latency {:.2}", r.throughput, r.mean_latency);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use spikefab_gen::emit;
use spikefab_hdl::noc::{self, NocMeshParams};
use spikefab_hdl::Role;

use crate::error::CosimError;
use crate::library::ModelLib;
use crate::model::{Model, PortId, RandReset};
use crate::spec::{ModelSpec, Port};

/// Payload width of the meshes: a 24-bit packet id and 5 check bits.
pub const DATA_W: u32 = 29;
/// Bits of the packet id in the payload (it wraps; see [`Scoreboard`]).
pub const ID_BITS: u32 = 24;
/// Port index names of snn_noc_router (pending_o bit order).
pub const PORT_NAMES: [&str; 5] = ["local", "north", "east", "south", "west"];
/// The generated wrapper's module name.
pub const WRAPPER_TOP: &str = "noc_tb";
/// Largest mesh dimension (rows or columns) of `snn_noc_mesh`.
pub const MAX_DIM: usize = 16;
/// Most cores of a wrapped mesh: the per-core mask ports are at most 64 bits.
pub const MAX_CORES: usize = 64;
/// Offered loads of the latency/throughput curve, percent per core and cycle.
pub const CURVE_RATES: [u32; 10] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
/// Seed of the instances of the curve ([`MeshSim::new`]).
pub const CURVE_X_SEED: u32 = 11;
/// Source queue capacity per core.
pub const SRC_CAP: usize = 8;
/// Cycles between redraws of the ejection stall fractions.
pub const STALL_PHASE: u64 = 997;
/// Longest listing of missing or spurious packets in a failure message.
pub const LIST_MAX: usize = 40;
/// Latency histogram size (larger latencies count in the last bucket).
const LAT_BUCKETS: usize = 1 << 16;

/// SplitMix64: a small deterministic generator for stimuli.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: u32) -> bool {
        self.below(100) < u64::from(pct)
    }
}

// ------------------------------------------------------------------ model

/// A mesh shape and its FIFO depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeshCfg {
    pub rows: usize,
    pub cols: usize,
    pub fifo_depth: usize,
}

impl MeshCfg {
    pub fn new(rows: usize, cols: usize, fifo_depth: usize) -> Self {
        MeshCfg {
            rows,
            cols,
            fifo_depth,
        }
    }

    /// Cores (and routers).
    pub fn n(&self) -> usize {
        self.rows * self.cols
    }

    /// `ROWSxCOLS`, as in the printed figures.
    pub fn name(&self) -> String {
        format!("{}x{}", self.rows, self.cols)
    }

    /// Whether the wrapped mesh can be built: rows and columns in
    /// 1..=[`MAX_DIM`], at most [`MAX_CORES`] cores, a FIFO depth of at least 2.
    pub fn check(&self) -> Result<(), CosimError> {
        let bad = |why: String| {
            Err(CosimError::InvalidSpec(format!(
                "NoC mesh {}: {why}",
                self.name()
            )))
        };
        for (what, v) in [("rows", self.rows), ("columns", self.cols)] {
            if !(1..=MAX_DIM).contains(&v) {
                return bad(format!("{what} = {v} is outside 1..={MAX_DIM}"));
            }
        }
        if self.n() > MAX_CORES {
            return bad(format!(
                "{} cores; the wrapper's per-core mask ports allow at most {MAX_CORES}",
                self.n()
            ));
        }
        if self.fifo_depth < 2 {
            return bad(format!("FIFO depth {} must be at least 2", self.fifo_depth));
        }
        Ok(())
    }
}

impl MeshCfg {
    /// The parameters of `snn_noc_mesh` for this mesh ([`DATA_W`] payload).
    pub fn params(&self) -> NocMeshParams {
        NocMeshParams {
            rows: self.rows as u32,
            cols: self.cols as u32,
            data_w: DATA_W,
            fifo_depth: self.fifo_depth as u32,
        }
    }
}

/// The wrapper [`WRAPPER_TOP`] for `cfg`: `snn_noc_mesh` with its
/// parameters, every lane of its per-core vectors a port of its own
/// (`inj_valid_<k>_i`, ..., `pending_<k>_o`; the generator's one emitter,
/// `spikefab_gen::emit::lane_wrapper`).
pub fn wrapper_source(cfg: MeshCfg) -> String {
    let p = cfg.params();
    let head = format!(
        "// Generated by spikefab_cosim::noc: per-core ports around {} ({}, FIFO depth {}).\n",
        noc::MESH_MODULE,
        cfg.name(),
        cfg.fifo_depth
    );
    emit::lane_wrapper(
        WRAPPER_TOP,
        &head,
        noc::MESH_MODULE,
        &p.params(),
        &p.ports(),
    )
}

fn io_err(context: String, source: std::io::Error) -> CosimError {
    CosimError::Io { context, source }
}

/// Writes `text` to `path` unless it already holds it; atomically (through
/// a temporary file and a rename), as concurrent builders may write the
/// same file.
fn write_if_changed(path: &Path, text: &str) -> Result<(), CosimError> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io_err(format!("creating {}", dir.display()), e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.{}.{:?}",
        name.unwrap_or_default(),
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&tmp, text).map_err(|e| io_err(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        io_err(
            format!("renaming {} to {}", tmp.display(), path.display()),
            e,
        )
    })
}

/// Writes the wrapper for `cfg` into `dir` (`noc_tb_<R>x<C>_f<D>.v`,
/// atomically) and returns its path.
pub fn write_wrapper(dir: &Path, cfg: MeshCfg) -> Result<PathBuf, CosimError> {
    let path = dir.join(format!(
        "{WRAPPER_TOP}_{}x{}_f{}.v",
        cfg.rows, cfg.cols, cfg.fifo_depth
    ));
    write_if_changed(&path, &wrapper_source(cfg))?;
    Ok(path)
}

/// The Verilog files of the mesh (besides the wrapper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NocSources {
    /// `snn_noc_mesh.v`.
    pub mesh: PathBuf,
    /// `snn_noc_router.v` (a mutant in the mutation test).
    pub router: PathBuf,
}

impl NocSources {
    /// Writes the mesh and router sources embedded in `spikefab_hdl`
    /// ([`spikefab_hdl::sources::NOC`]) into `dir`, so a build does not need
    /// the repository's `hdl/` folder.
    pub fn write_embedded(dir: &Path) -> Result<NocSources, CosimError> {
        let write = |name: &str| {
            let src = spikefab_hdl::sources::NOC
                .iter()
                .find(|s| s.file == name)
                .ok_or_else(|| {
                    CosimError::InvalidSpec(format!("{name} is not among the embedded NoC sources"))
                })?;
            let path = dir.join(name);
            write_if_changed(&path, src.text)?;
            Ok::<PathBuf, CosimError>(path)
        };
        Ok(NocSources {
            mesh: write("snn_noc_mesh.v")?,
            router: write("snn_noc_router.v")?,
        })
    }
}

/// The spec of the wrapped mesh of `cfg`; `wrapper` from [`write_wrapper`]
/// for the same `cfg`.
pub fn mesh_spec(
    cfg: MeshCfg,
    wrapper: &Path,
    sources: &NocSources,
) -> Result<ModelSpec, CosimError> {
    cfg.check()?;
    let mut spec = ModelSpec::new(
        WRAPPER_TOP,
        vec![
            wrapper.to_path_buf(),
            sources.mesh.clone(),
            sources.router.clone(),
        ],
        "clk_i",
    );
    for p in emit::lane_ports(&cfg.params().ports())
        .iter()
        .filter(|p| p.role != Role::Clock)
    {
        spec = spec.port(Port::from_hdl(p));
    }
    Ok(spec)
}

/// One core's ports.
struct CorePorts {
    inj_valid: PortId,
    inj_ready: PortId,
    inj_mask: PortId,
    inj_data: PortId,
    ej_valid: PortId,
    ej_ready: PortId,
    ej_data: PortId,
    pending: PortId,
}

/// A mesh instance with its ports resolved once.
pub struct MeshSim {
    pub cfg: MeshCfg,
    m: Model,
    rst: PortId,
    busy: PortId,
    cores: Vec<CorePorts>,
}

impl MeshSim {
    /// An instance of `lib` (built from [`mesh_spec`] of `cfg`); `seed`
    /// (nonzero) chooses Verilator's random initial values.
    pub fn new(lib: &ModelLib, cfg: MeshCfg, seed: u32) -> Result<MeshSim, CosimError> {
        let m = lib.instantiate(seed, RandReset::Random)?;
        let p = |name: String| m.port(&name);
        let cores = (0..cfg.n())
            .map(|k| {
                Ok(CorePorts {
                    inj_valid: p(format!("inj_valid_{k}_i"))?,
                    inj_ready: p(format!("inj_ready_{k}_o"))?,
                    inj_mask: p(format!("inj_mask_{k}_i"))?,
                    inj_data: p(format!("inj_data_{k}_i"))?,
                    ej_valid: p(format!("ej_valid_{k}_o"))?,
                    ej_ready: p(format!("ej_ready_{k}_i"))?,
                    ej_data: p(format!("ej_data_{k}_o"))?,
                    pending: p(format!("pending_{k}_o"))?,
                })
            })
            .collect::<Result<Vec<_>, CosimError>>()?;
        let (rst, busy) = (p("rst_i".into())?, p("busy_o".into())?);
        Ok(MeshSim {
            cfg,
            m,
            rst,
            busy,
            cores,
        })
    }

    /// Two reset cycles with every valid and ready low.
    pub fn reset(&mut self) -> Result<(), CosimError> {
        for c in &self.cores {
            self.m.set(c.inj_valid, 0)?;
            self.m.set(c.ej_ready, 0)?;
        }
        self.m.set(self.rst, 1)?;
        self.m.ticks(2)?;
        self.m.set(self.rst, 0)?;
        self.m.eval()
    }

    /// `pending_o` of every router, as text (`router 1 (row 0, col 1): [north,local]`).
    pub fn pending_text(&self) -> String {
        let mut s = Vec::new();
        for (k, c) in self.cores.iter().enumerate() {
            let v = self.m.get(c.pending).unwrap_or(0);
            let names: Vec<&str> = (0..5)
                .filter(|p| v >> p & 1 == 1)
                .map(|p| PORT_NAMES[p])
                .collect();
            s.push(format!(
                "router {k} (row {}, col {}): [{}]",
                k / self.cfg.cols,
                k % self.cfg.cols,
                names.join(",")
            ));
        }
        s.join("; ")
    }
}

// ---------------------------------------------------------------- traffic

/// Destination pattern of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Random masks: 40% one random core, 39% a random non-empty subset,
    /// 20% broadcast, 1% empty (dropped by the router, delivered nowhere).
    Uniform,
    /// One random core (the latency/throughput curve).
    UniformUnicast,
    /// Core (r, c) sends to core (c mod ROWS, r mod COLS).
    Transpose,
    /// 80% to one core (index n/2), 20% as `Uniform` without empty masks.
    Hotspot,
}

impl Pattern {
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Uniform => "uniform",
            Pattern::UniformUnicast => "uniform-unicast",
            Pattern::Transpose => "transpose",
            Pattern::Hotspot => "hotspot",
        }
    }

    fn mask(self, rng: &mut Rng, cfg: MeshCfg, src: usize) -> u64 {
        let n = cfg.n();
        let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let multi = |rng: &mut Rng| loop {
            let m = rng.next_u64() & all;
            if m != 0 {
                break m;
            }
        };
        match self {
            Pattern::Uniform => match rng.below(100) {
                0 => 0,
                1..=40 => 1 << rng.below(n as u64),
                41..=79 => multi(rng),
                _ => all,
            },
            Pattern::UniformUnicast => 1 << rng.below(n as u64),
            Pattern::Transpose => {
                let (r, c) = (src / cfg.cols, src % cfg.cols);
                1 << ((c % cfg.rows) * cfg.cols + r % cfg.cols)
            }
            Pattern::Hotspot => match rng.below(100) {
                0..=79 => 1 << (n / 2),
                80..=89 => 1 << rng.below(n as u64),
                90..=97 => multi(rng),
                _ => all,
            },
        }
    }
}

/// One run of traffic.
#[derive(Debug, Clone)]
pub struct RunCfg {
    pub pattern: Pattern,
    /// Per core and cycle, the probability (percent) that a new packet is
    /// offered (into a source queue of [`SRC_CAP`] packets; refused when full).
    pub rate_pct: u32,
    /// Mean percentage of cycles with ej_ready low (each core draws its own
    /// fraction in 0..=2*stall_pct, capped at 95, every [`STALL_PHASE`] cycles).
    pub stall_pct: u32,
    /// Cycles of traffic; then the sources stop and the mesh drains.
    pub cycles: u64,
    /// Figures (throughput, latency) count deliveries from this cycle to `cycles`.
    pub warmup: u64,
    pub seed: u64,
    /// Deadlock watchdog: packets in flight and no delivery for this many cycles.
    pub watchdog: u64,
    /// Test of the test: the scoreboard expects a wrong mask (one bit
    /// flipped) for every this-many-th packet.
    pub wrong_expectation_every: Option<u64>,
    /// Test of the watchdog: this core's ejection is never ready.
    pub never_ready: Option<usize>,
}

impl RunCfg {
    pub fn new(pattern: Pattern, rate_pct: u32, stall_pct: u32, cycles: u64, seed: u64) -> Self {
        RunCfg {
            pattern,
            rate_pct,
            stall_pct,
            cycles,
            warmup: 0,
            seed,
            watchdog: 2000,
            wrong_expectation_every: None,
            never_ready: None,
        }
    }
}

/// Warm-up cycles of a curve point with `measured` cycles: a tenth, at most 2,000.
pub fn curve_warmup(measured: u64) -> u64 {
    (measured / 10).min(2_000)
}

/// One point of the latency/throughput curve: uniform unicast traffic
/// offered at `rate_pct` percent per core and cycle, no ejection stalls,
/// [`curve_warmup`] cycles of warm-up, then `measured` cycles in the
/// figures; the seed depends on the rate only.
pub fn curve_run(rate_pct: u32, measured: u64) -> RunCfg {
    let warmup = curve_warmup(measured);
    let mut rc = RunCfg::new(
        Pattern::UniformUnicast,
        rate_pct,
        0,
        warmup + measured,
        0xC0 + u64::from(rate_pct),
    );
    rc.warmup = warmup;
    rc
}

// ------------------------------------------------------- latency figures

/// Latencies (cycles) of delivered copies: count, mean, maximum and
/// quantiles from a histogram (latencies of 65,535 cycles or more share
/// its last bucket).
#[derive(Debug, Clone)]
pub struct LatencyStats {
    hist: Vec<u64>,
    sum: u64,
    n: u64,
    max: u64,
}

impl Default for LatencyStats {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyStats {
    pub fn new() -> Self {
        LatencyStats {
            hist: vec![0; LAT_BUCKETS],
            sum: 0,
            n: 0,
            max: 0,
        }
    }

    /// Counts one latency.
    pub fn record(&mut self, lat: u64) {
        self.hist[(lat as usize).min(LAT_BUCKETS - 1)] += 1;
        self.sum += lat;
        self.n += 1;
        self.max = self.max.max(lat);
    }

    /// Latencies counted.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean latency (0 without samples).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64
        }
    }

    /// Largest latency (0 without samples).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The smallest latency that at least `q` (0..1) of the samples do not
    /// exceed (0 without samples).
    pub fn quantile(&self, q: f64) -> u64 {
        let want = ((q * self.n as f64).ceil() as u64).max(1);
        let mut acc = 0;
        for (lat, &c) in self.hist.iter().enumerate() {
            acc += c;
            if acc >= want {
                return lat as u64;
            }
        }
        self.max
    }
}

// ------------------------------------------------------------- scoreboard

/// Every injected packet must reach every core of its mask exactly once and
/// no other core. Packets are numbered 0, 1, ... when they are generated
/// (before they wait in a source queue); the payload carries the low
/// [`ID_BITS`] bits of the number and 5 check bits (a hash of the full
/// number), so a corrupted payload is caught too. The full number of a
/// delivered payload is the latest number with those low bits (a packet
/// lives far shorter than 2^24 generations).
pub struct Scoreboard {
    /// number of the first packet kept in `pkts`
    base: u64,
    pkts: VecDeque<Pkt>,
    /// copies expected and not delivered yet (of injected packets)
    pub outstanding: u64,
    pub injected: u64,
    pub expected_copies: u64,
    pub delivered: u64,
    pub duplicated: u64,
    pub misrouted: u64,
    pub corrupt: u64,
    /// up to [`LIST_MAX`] spurious deliveries, described
    pub spurious: Vec<String>,
    /// latencies of the measured copies
    pub latency: LatencyStats,
}

#[derive(Debug, Clone, Copy)]
struct Pkt {
    src: usize,
    /// the cores the scoreboard expects it at
    mask: u64,
    got: u64,
    /// injection handshake cycle; None while in the source queue
    t_inj: Option<u64>,
}

/// The payload of packet `id`.
pub fn payload(id: u64) -> u64 {
    (check_bits(id) << ID_BITS) | (id & ((1 << ID_BITS) - 1))
}

fn check_bits(id: u64) -> u64 {
    (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) & ((1 << (DATA_W - ID_BITS)) - 1)
}

impl Default for Scoreboard {
    fn default() -> Self {
        Self::new()
    }
}

impl Scoreboard {
    pub fn new() -> Self {
        Scoreboard {
            base: 0,
            pkts: VecDeque::new(),
            outstanding: 0,
            injected: 0,
            expected_copies: 0,
            delivered: 0,
            duplicated: 0,
            misrouted: 0,
            corrupt: 0,
            spurious: Vec::new(),
            latency: LatencyStats::new(),
        }
    }

    /// A new packet of core `src`, expected at the cores of `mask`; returns its number.
    pub fn generate(&mut self, src: usize, mask: u64) -> u64 {
        let id = self.base + self.pkts.len() as u64;
        self.pkts.push_back(Pkt {
            src,
            mask,
            got: 0,
            t_inj: None,
        });
        // forget completed packets once a million newer ones exist
        while self.pkts.len() > 1 << 20 {
            let p = self.pkts[0];
            if p.t_inj.is_none() || p.got != p.mask {
                break;
            }
            self.pkts.pop_front();
            self.base += 1;
        }
        id
    }

    /// Packet `id` entered the mesh in `cycle` (injection handshake); an
    /// unknown packet or a second injection is a protocol failure.
    pub fn inject(&mut self, id: u64, cycle: u64) -> Result<(), Failure> {
        let p = id
            .checked_sub(self.base)
            .and_then(|i| self.pkts.get_mut(i as usize))
            .ok_or_else(|| {
                Failure::Protocol(format!(
                    "cycle {cycle}: packet {id} injected, never generated"
                ))
            })?;
        if p.t_inj.is_some() {
            return Err(Failure::Protocol(format!(
                "cycle {cycle}: packet {id} injected twice"
            )));
        }
        p.t_inj = Some(cycle);
        let copies = u64::from(p.mask.count_ones());
        self.injected += 1;
        self.expected_copies += copies;
        self.outstanding += copies;
        Ok(())
    }

    fn spurious(&mut self, what: String) {
        if self.spurious.len() < LIST_MAX {
            self.spurious.push(what);
        }
    }

    /// Core `core` took `data` off its ejection port in `cycle`; counts in
    /// the latency figures when `measure`.
    pub fn deliver(&mut self, core: usize, data: u64, cycle: u64, measure: bool) {
        self.delivered += 1;
        let low = data & ((1 << ID_BITS) - 1);
        let next = self.base + self.pkts.len() as u64;
        let id = next.checked_sub(1).and_then(|last| {
            let back = last.wrapping_sub(low) & ((1 << ID_BITS) - 1);
            last.checked_sub(back)
        });
        let found = id.filter(|&id| id >= self.base && payload(id) == data);
        let Some((id, p)) = found.map(|id| (id, &mut self.pkts[(id - self.base) as usize])) else {
            self.corrupt += 1;
            self.spurious(format!(
                "cycle {cycle}: core {core} received payload {data:#x}: no such packet (corrupt)"
            ));
            return;
        };
        let bit = 1u64 << core;
        let (src, mask) = (p.src, p.mask);
        let Some(t_inj) = p.t_inj else {
            self.corrupt += 1;
            self.spurious(format!(
                "cycle {cycle}: packet {id} (from core {src}) received at core {core} before it was injected"
            ));
            return;
        };
        if mask & bit == 0 {
            self.misrouted += 1;
            self.spurious(format!(
                "cycle {cycle}: packet {id} (from core {src}, mask {mask:#b}) MISROUTED to core {core}"
            ));
        } else if p.got & bit != 0 {
            self.duplicated += 1;
            self.spurious(format!(
                "cycle {cycle}: packet {id} (from core {src}, mask {mask:#b}) DUPLICATED at core {core}"
            ));
        } else {
            p.got |= bit;
            self.outstanding -= 1;
            if measure {
                self.latency.record(cycle - t_inj);
            }
        }
    }

    /// Injected packets with copies not delivered, oldest first, at most `max`.
    pub fn missing(&self, max: usize) -> Vec<String> {
        self.pkts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.t_inj.is_some() && p.got != p.mask)
            .take(max)
            .map(|(i, p)| {
                format!(
                    "packet {} from core {} injected in cycle {}: mask {:#b}, delivered to {:#b}, MISSING at {:#b}",
                    self.base + i as u64,
                    p.src,
                    p.t_inj.unwrap_or(0),
                    p.mask,
                    p.got,
                    p.mask & !p.got
                )
            })
            .collect()
    }

    /// Number of injected packets with copies not delivered.
    pub fn missing_packets(&self) -> usize {
        self.pkts
            .iter()
            .filter(|p| p.t_inj.is_some() && p.got != p.mask)
            .count()
    }

    pub fn mean_latency(&self) -> f64 {
        self.latency.mean()
    }

    pub fn max_latency(&self) -> u64 {
        self.latency.max()
    }

    /// The smallest latency that at least `q` (0..1) of the measured copies do not exceed.
    pub fn latency_quantile(&self, q: f64) -> u64 {
        self.latency.quantile(q)
    }

    /// The failure, if any copy was lost, duplicated, misrouted or corrupt.
    pub fn verdict(&self) -> Result<(), Failure> {
        if self.outstanding == 0 && self.duplicated == 0 && self.misrouted == 0 && self.corrupt == 0
        {
            return Ok(());
        }
        let mut listing = format!("missing ({} packets):\n", self.missing_packets());
        for m in self.missing(LIST_MAX) {
            listing += &format!("  {m}\n");
        }
        listing += &format!(
            "spurious ({}):\n",
            self.duplicated + self.misrouted + self.corrupt
        );
        for s in &self.spurious {
            listing += &format!("  {s}\n");
        }
        Err(Failure::Scoreboard {
            lost: self.outstanding,
            duplicated: self.duplicated,
            misrouted: self.misrouted,
            corrupt: self.corrupt,
            listing,
        })
    }
}

// ------------------------------------------------------------------- runs

/// The figures of a clean run.
#[derive(Debug, Clone)]
pub struct Report {
    pub label: String,
    pub injected: u64,
    pub expected_copies: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub misrouted: u64,
    pub corrupt: u64,
    /// cycles of traffic plus the drain
    pub cycles: u64,
    pub mean_latency: f64,
    pub p99_latency: u64,
    pub max_latency: u64,
    /// copies counted in the latency figures (delivered in the measurement window)
    pub measured_copies: u64,
    /// packets offered while the source queue was full
    pub refused: u64,
    /// copies delivered per core per cycle in the measurement window
    pub throughput: f64,
    /// packets offered per core per cycle in the measurement window
    pub offered: f64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: injected {}, delivered {} (copies), lost {}, duplicated {}, misrouted {}, cycles {}, mean latency {:.1}, max latency {}",
            self.label,
            self.injected,
            self.delivered,
            self.lost,
            self.duplicated,
            self.misrouted,
            self.cycles,
            self.mean_latency,
            self.max_latency
        )
    }
}

/// Why a run failed.
#[derive(Debug, Error)]
pub enum Failure {
    /// Packets in flight and no delivery for `RunCfg::watchdog` cycles.
    #[error("DEADLOCK watchdog: packets in flight and nothing delivered, cycle {cycle}; {state}")]
    Watchdog { cycle: u64, state: String },
    /// Lost, duplicated, misrouted or corrupt copies; the listing names them.
    #[error(
        "scoreboard: lost {lost}, duplicated {duplicated}, misrouted {misrouted}, corrupt {corrupt}\n{listing}"
    )]
    Scoreboard {
        lost: u64,
        duplicated: u64,
        misrouted: u64,
        corrupt: u64,
        listing: String,
    },
    /// A stream rule or the busy flag was violated.
    #[error("protocol: {0}")]
    Protocol(String),
    /// The simulation stopped ($stop of an assertion) or failed.
    #[error("simulation: {0}")]
    Sim(#[from] CosimError),
}

/// Runs `cfg` on a freshly reset mesh: traffic for `cfg.cycles` cycles, then
/// a drain until every source queue is empty and nothing is in flight.
/// Checked every cycle: the ejection streams hold valid and data until
/// taken; busy_o is high whenever a copy is in flight (and, without empty
/// masks, only then); the deadlock watchdog. At the end: no input FIFO holds
/// a packet, and the scoreboard.
pub fn run(sim: &mut MeshSim, cfg: &RunCfg, label: &str) -> Result<Report, Failure> {
    sim.reset()?;
    let mcfg = sim.cfg;
    let n = mcfg.n();
    let mut rng = Rng::new(cfg.seed);
    let mut sb = Scoreboard::new();
    // per core: the source queue (number, mask driven), whether the head is on the port
    let mut srcq: Vec<VecDeque<(u64, u64)>> = vec![VecDeque::new(); n];
    let mut shown = vec![false; n];
    let mut stall = vec![0u32; n];
    let mut ready = vec![false; n];
    // ejection data seen valid and not taken (must be held)
    let mut held: Vec<Option<u64>> = vec![None; n];
    let (mut refused, mut offered_window, mut window_delivered) = (0u64, 0u64, 0u64);
    let mut last_progress = 0u64;
    // empty masks sit in a FIFO without being counted in flight
    let exact_busy = cfg.pattern != Pattern::Uniform;
    let mut empty_with_outstanding = None;
    let mut cycle = 0u64;
    loop {
        let traffic = cycle < cfg.cycles;
        let measure = traffic && cycle >= cfg.warmup;
        // busy_o against the scoreboard (both: the state after the last edge)
        let busy = sim.m.get(sim.busy)? == 1;
        if sb.outstanding > 0 && !busy && empty_with_outstanding.is_none() {
            // the mesh is empty: the outstanding copies are lost (the verdict lists them)
            empty_with_outstanding = Some(cycle);
        }
        if exact_busy && busy && sb.outstanding == 0 {
            return Err(Failure::Protocol(format!(
                "cycle {cycle}: busy_o high with nothing in flight; {}",
                sim.pending_text()
            )));
        }
        if !traffic && !busy && srcq.iter().all(|q| q.is_empty()) {
            break;
        }
        if !busy && sb.outstanding == 0 {
            last_progress = cycle;
        } else if cycle - last_progress > cfg.watchdog {
            let mut state = format!(
                "busy_o {}, {} copies of {} packets outstanding; input FIFOs holding packets: {}; ",
                u8::from(busy),
                sb.outstanding,
                sb.missing_packets(),
                sim.pending_text()
            );
            for (k, c) in sim.cores.iter().enumerate() {
                state += &format!(
                    "core {k}: inj valid {} ready {}, ej valid {} stall {}%{}; ",
                    u8::from(!srcq[k].is_empty()),
                    sim.m.get(c.inj_ready)?,
                    sim.m.get(c.ej_valid)?,
                    stall[k],
                    if cfg.never_ready == Some(k) {
                        " (never ready)"
                    } else {
                        ""
                    }
                );
            }
            state += &format!("oldest: {}", sb.missing(4).join("; "));
            return Err(Failure::Watchdog { cycle, state });
        }
        if cycle.is_multiple_of(STALL_PHASE) {
            for s in stall.iter_mut() {
                *s = (rng.below(u64::from(2 * cfg.stall_pct) + 1) as u32).min(95);
            }
        }
        for k in 0..n {
            // offer a packet
            if traffic && rng.pct(cfg.rate_pct) {
                offered_window += u64::from(measure);
                if srcq[k].len() < SRC_CAP {
                    let mask = cfg.pattern.mask(&mut rng, mcfg, k);
                    let expect = match cfg.wrong_expectation_every {
                        Some(e) if rng.below(e) == 0 => mask ^ (1 << rng.below(n as u64)),
                        _ => mask,
                    };
                    let id = sb.generate(k, expect);
                    srcq[k].push_back((id, mask));
                } else {
                    refused += 1;
                }
            }
            // drive the head of the queue (held until taken)
            let c = &sim.cores[k];
            match srcq[k].front() {
                Some(&(id, mask)) => {
                    if !shown[k] {
                        sim.m.set(c.inj_mask, mask)?;
                        sim.m.set(c.inj_data, payload(id))?;
                        shown[k] = true;
                    }
                    sim.m.set(c.inj_valid, 1)?;
                }
                None => sim.m.set(c.inj_valid, 0)?,
            }
            ready[k] = cfg.never_ready != Some(k) && !rng.pct(stall[k]);
            sim.m.set(c.ej_ready, u64::from(ready[k]))?;
        }
        sim.m.eval()?;
        for k in 0..n {
            let c = &sim.cores[k];
            if shown[k] && sim.m.get(c.inj_ready)? == 1 {
                if let Some((id, _)) = srcq[k].pop_front() {
                    sb.inject(id, cycle)?;
                }
                shown[k] = false;
            }
            if sim.m.get(c.ej_valid)? == 1 {
                let data = sim.m.get(c.ej_data)?;
                if let Some(h) = held[k] {
                    if h != data {
                        return Err(Failure::Protocol(format!(
                            "cycle {cycle}: core {k}'s ejection data changed from {h:#x} to {data:#x} while stalled"
                        )));
                    }
                }
                if ready[k] {
                    sb.deliver(k, data, cycle, measure);
                    last_progress = cycle;
                    window_delivered += u64::from(measure);
                    held[k] = None;
                } else {
                    held[k] = Some(data);
                }
            } else if let Some(h) = held[k] {
                return Err(Failure::Protocol(format!(
                    "cycle {cycle}: core {k}'s ejection valid dropped while stalled (data {h:#x})"
                )));
            }
        }
        sim.m.tick()?;
        cycle += 1;
    }
    let pend: u64 = sim
        .cores
        .iter()
        .map(|c| sim.m.get(c.pending).unwrap_or(1))
        .sum();
    if pend != 0 {
        return Err(Failure::Protocol(format!(
            "drained, but input FIFOs still hold packets: {}",
            sim.pending_text()
        )));
    }
    if let Err(mut f) = sb.verdict() {
        if let (Failure::Scoreboard { listing, .. }, Some(c)) = (&mut f, empty_with_outstanding) {
            *listing =
                format!("busy_o went low in cycle {c} with copies outstanding (lost)\n{listing}");
        }
        return Err(f);
    }
    let window = cfg.cycles.saturating_sub(cfg.warmup).max(1) as f64;
    Ok(Report {
        label: label.to_string(),
        injected: sb.injected,
        expected_copies: sb.expected_copies,
        delivered: sb.delivered,
        lost: sb.outstanding,
        duplicated: sb.duplicated,
        misrouted: sb.misrouted,
        corrupt: sb.corrupt,
        cycles: cycle,
        mean_latency: sb.mean_latency(),
        p99_latency: sb.latency_quantile(0.99),
        max_latency: sb.max_latency(),
        measured_copies: sb.latency.count(),
        refused,
        throughput: window_delivered as f64 / (n as f64 * window),
        offered: offered_window as f64 / (n as f64 * window),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_quantiles_come_from_the_histogram() {
        let mut s = LatencyStats::new();
        assert_eq!((s.quantile(0.99), s.mean(), s.max()), (0, 0.0, 0));
        for lat in 1..=100 {
            s.record(lat);
        }
        assert_eq!(s.count(), 100);
        assert_eq!(s.quantile(0.99), 99);
        assert_eq!(s.quantile(0.5), 50);
        assert_eq!(s.max(), 100);
        assert!((s.mean() - 50.5).abs() < 1e-12);
    }

    #[test]
    fn scoreboard_counts_exactly_once_and_names_the_spurious_copy() {
        let mut sb = Scoreboard::new();
        let id = sb.generate(0, 0b0110);
        sb.inject(id, 5).unwrap();
        sb.deliver(1, payload(id), 7, true);
        sb.deliver(2, payload(id), 8, true);
        assert!(sb.verdict().is_ok());
        assert_eq!(sb.latency.count(), 2);
        sb.deliver(2, payload(id), 9, true);
        match sb.verdict() {
            Err(Failure::Scoreboard {
                duplicated: 1,
                listing,
                ..
            }) => assert!(listing.contains("DUPLICATED at core 2"), "{listing}"),
            other => panic!("a duplicate must fail: {other:?}"),
        }
    }

    #[test]
    fn second_injection_is_a_protocol_failure() {
        let mut sb = Scoreboard::new();
        let id = sb.generate(0, 1);
        sb.inject(id, 1).unwrap();
        assert!(matches!(sb.inject(id, 2), Err(Failure::Protocol(_))));
        assert!(matches!(sb.inject(id + 1, 2), Err(Failure::Protocol(_))));
    }

    #[test]
    fn mesh_cfg_rejects_shapes_the_wrapper_cannot_build() {
        assert!(MeshCfg::new(3, 2, 3).check().is_ok());
        for (cfg, want) in [
            (MeshCfg::new(0, 3, 3), "rows = 0"),
            (MeshCfg::new(2, 17, 3), "columns = 17"),
            (MeshCfg::new(9, 9, 3), "81 cores"),
            (MeshCfg::new(2, 2, 1), "FIFO depth 1"),
        ] {
            let e = cfg.check().unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn curve_point_is_unicast_without_stalls_after_a_tenth_of_warm_up() {
        let rc = curve_run(50, 20_000);
        assert_eq!(rc.pattern, Pattern::UniformUnicast);
        assert_eq!((rc.stall_pct, rc.cycles, rc.warmup), (0, 22_000, 2_000));
        assert_eq!(curve_run(50, 3_000).warmup, 300);
        assert_eq!(curve_run(50, 100_000).warmup, 2_000);
    }

    #[test]
    fn embedded_sources_and_wrapper_are_written_once() {
        let dir = std::env::temp_dir().join(format!("spikefab-noc-unit-{}", std::process::id()));
        let s = NocSources::write_embedded(&dir).unwrap();
        assert!(std::fs::read_to_string(&s.mesh)
            .unwrap()
            .contains("module snn_noc_mesh"));
        assert!(std::fs::read_to_string(&s.router)
            .unwrap()
            .contains("module snn_noc_router"));
        let cfg = MeshCfg::new(2, 3, 4);
        let w = write_wrapper(&dir, cfg).unwrap();
        assert_eq!(std::fs::read_to_string(&w).unwrap(), wrapper_source(cfg));
        let spec = mesh_spec(cfg, &w, &s).unwrap();
        assert_eq!(spec.top, WRAPPER_TOP);
        assert_eq!(spec.ports.len(), 1 + 6 * 8 + 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
