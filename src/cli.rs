//! Command-line interface definition (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// spikefab: spiking neural networks -> bit-exact simulation -> FPGA accelerator.
#[derive(Debug, Parser)]
#[command(name = "spikefab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a network with the bit-exact reference engine and write a run directory.
    Sim(SimArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Write a built-in model (or a resolved network file) as network TOML.
    Export(ExportArgs),
    /// Load, validate and quantize a network file; print the quantization report.
    Check(CheckArgs),
    /// Compare two trace files (record or spike traces) step by step; report the first divergence.
    Compare(CompareArgs),
    /// Synthesize Verilog with Yosys for a Xilinx part; report resources and logic depth.
    Synth(SynthArgs),
    /// Generate the accelerator (one core): memory images, top levels, manifest.
    Gen(GenArgs),
    /// Co-simulate: run the generated RTL (Verilator) in lockstep with the reference engine.
    Cosim(CosimArgs),
    /// List the supported boards (part, clocks, host link, memory, capacity), or show one in full with its sources.
    Boards(BoardsArgs),
    /// Plan a network on a part: the fastest design that fits (cores, memory, logic, clock,
    /// predicted cycles per step and real-time factor, bottleneck).
    Plan(PlanArgs),
    /// Write a Vivado build directory for a board: the accelerator, a core wrapper, the
    /// board shell, the XDC, build.tcl and program.tcl (with --run, run Vivado).
    Build(BuildArgs),
    /// Run a network on a board through its host link: check the design, configure, run,
    /// stream spikes back into a run directory (--verify: compare with the reference).
    /// `--board sim` is the virtual board (the verilated board core).
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Board: `sim` (the virtual board: the board core verilated, driven through its
    /// byte streams), or a built-in board's name or alias whose design `spikefab build`
    /// made and that is programmed (reached through --port or --xdma).
    #[arg(long, value_name = "BOARD")]
    pub board: String,
    /// Hardware config the design was built with: a name or a config TOML file.
    /// Without it: the config `spikefab build` sizes to the network when it is
    /// given no --hw.
    #[arg(long = "hw", value_name = "CONFIG")]
    pub hw: Option<String>,
    /// A mesh of R x C cores of the config (the virtual board; R, C in 1..=16).
    #[arg(long, value_name = "RxC")]
    pub mesh: Option<spikefab_gen::Mesh>,
    /// Serial device of the board's host link (a UART: /dev/ttyUSB1, /dev/ttyPS1).
    #[arg(long, value_name = "DEV")]
    pub port: Option<PathBuf>,
    /// Baud rate of --port (as the design was built: build.json's link.baud).
    #[arg(long, default_value_t = 115_200, value_parser = clap::value_parser!(u32).range(300..=100_000_000))]
    pub baud: u32,
    /// The PCIe DMA devices /dev/xdma<N>_h2c_0, _c2h_0 and _user of the XDMA driver.
    #[arg(long, value_name = "N")]
    pub xdma: Option<u32>,
    /// With --board sim: reach the virtual board through the serial transport over a
    /// pseudo-terminal pair (the board on the master side, in this process).
    #[arg(long)]
    pub serial_pty: bool,
    /// Steps to run.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=4_294_967_295))]
    pub steps: u64,
    /// Clock cycles from one step start to the next (register PACE; 0: as fast as the
    /// accelerator goes). Real time is build.json's step_cycles.
    #[arg(long, default_value_t = 0, value_name = "CYCLES")]
    pub pace: u32,
    /// Compare the board's spikes with the reference simulator's through the one
    /// comparator; a divergence is exit status 1.
    #[arg(long)]
    pub verify: bool,
    /// Do not configure: the design already holds the network (its $readmemh images,
    /// or an earlier run's configuration).
    #[arg(long)]
    pub no_configure: bool,
    /// Seconds the host waits for a response before it sends a request again
    /// [default: 0.5 over a serial port or PCIe; 2 ms of simulated time on the
    /// virtual board].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Times a request is sent again before the run stops with an error.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub retries: u32,
    /// Fault injection on the link (virtual board only): percent of frames in each
    /// direction dropped, corrupted, duplicated, delayed or preceded by garbage.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub faults: Option<f64>,
    /// Seed of the fault schedule.
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,
    /// Seed of Verilator's random initial values of the virtual board; nonzero.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub x_seed: u32,
    /// Output run directory: spikes.txt (the board's spike trace), run.json; with
    /// --verify also reference.txt. Default: runs/board-<time>.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Cache of verilated models (as `spikefab cosim --cache`).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Worker threads for building the network (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Refuse a network whose memory estimate exceeds SIZE (as `spikefab gen`).
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
    /// Progress as lines on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
    /// Print run.json as one JSON line on stdout instead of the summary (the
    /// verification's line goes to stderr).
    #[arg(long)]
    pub json: bool,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of percent"))?;
    if !(0.0..=50.0).contains(&v) {
        return Err(format!("{v} is not a percentage of 0..=50"));
    }
    Ok(v)
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    /// Board: a built-in board's name or alias (`spikefab boards` lists them).
    #[arg(long, value_name = "BOARD")]
    pub board: String,
    /// Hardware config: a name (default, small, odd, stdp, w7, balanced, wide, ...) or a
    /// config TOML file. Its on-chip memories must fit the board's part; synapses in
    /// external memory and meshes are refused (the shells have no memory IP yet).
    /// Without it: the default config's numerics, sized to the network (its neurons,
    /// synapses and populations, the delay ring cut to its largest delay).
    #[arg(long = "hw", value_name = "CONFIG")]
    pub hw: Option<String>,
    /// A SAIF activity file of a simulation of the design: copied into the directory;
    /// build.tcl writes a second power report with it (read_saif).
    #[arg(long, value_name = "FILE")]
    pub saif: Option<PathBuf>,
    /// The instance path of spikefab_shell in the SAIF file (read_saif -strip_path).
    #[arg(long, value_name = "PATH")]
    pub saif_strip: Option<String>,
    /// Run `vivado -mode batch -source build.tcl` in the directory (Vivado on PATH) and
    /// read its utilization, timing and power reports into run.json.
    #[arg(long)]
    pub run: bool,
    /// Baud rate of the host link's UART (8N1; the nearest the core clock gives).
    #[arg(long, default_value_t = 115_200, value_parser = clap::value_parser!(u32).range(300..=25_000_000))]
    pub baud: u32,
    /// Output directory: new, empty, or the output of an earlier build or `spikefab gen`.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Worker threads for building the network (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Refuse to build a network whose memory estimate exceeds SIZE (as `spikefab gen`).
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

#[derive(Debug, Args)]
pub struct BoardsArgs {
    /// A board to show in full: a name (arty_a7_100t), an alias (arty) or a
    /// board file of one's own (path ending in .toml); without it, every
    /// built-in board.
    #[arg(value_name = "BOARD")]
    pub board: Option<String>,
    /// Print JSON (an array of boards, or the one board in full) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Target part: device (xcu55c), full part string or board, as `spikefab synth --part`.
    #[arg(long, value_name = "PART")]
    pub part: String,
    /// Clock in MHz instead of the estimate from the logic depth (docs/plan.md).
    #[arg(long, value_name = "MHZ")]
    pub clock_mhz: Option<f64>,
    /// Steps of the reference simulator whose activity the cycles are predicted for.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub steps: u64,
    /// External memory latency at the AXI port in ns (an assumption of the plan).
    #[arg(long, value_name = "NS", default_value_t = spikefab_plan::design::DEFAULT_MEM_LATENCY_NS)]
    pub mem_latency_ns: f64,
    /// Cache of Yosys results [default: $XDG_CACHE_HOME/spikefab/plan or ~/.cache/spikefab/plan].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<std::path::PathBuf>,
    /// Most Yosys runs (cache misses) of one plan.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_synth: usize,
    /// Worker threads for building and simulating the network (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Refuse a network whose simulation's memory estimate exceeds SIZE (as `spikefab sim`;
    /// default: the memory available). The planner's rows come on top (docs/plan.md).
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
    /// Print one JSON object instead of the tables.
    #[arg(long)]
    pub json: bool,
}

/// Options of the built-in models.
#[derive(Debug, Clone, Default, Args)]
pub struct ModelArgs {
    /// pd14: neuron-number scaling (N_scaling).
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub n_scale: Option<f64>,
    /// pd14: in-degree scaling (K_scaling).
    #[arg(long, value_name = "Y", allow_negative_numbers = true)]
    pub k_scale: Option<f64>,
    /// pd14: external drive [default: dc (the reference's) where the
    /// downscaled DC keeps every population at or above rheobase, i.e.
    /// k-scale >= 0.5; poisson below, where DC alone leaves the network
    /// nearly silent (docs/models.md)].
    #[arg(long, value_enum)]
    pub drive: Option<DriveArg>,
    /// balanced: total number of neurons.
    #[arg(long = "n", value_name = "N")]
    pub n: Option<u32>,
    /// Seed of every random draw (overrides the network's seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

/// The external memory model behind a core's AXI4 port (configs with an
/// external synapse store; ignored on chip).
#[derive(Debug, Clone, Args)]
pub struct MemArgs {
    /// External memory: cycles from a read request's handshake to its first beat.
    #[arg(long, default_value_t = 100, value_name = "CYCLES", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub mem_latency: u32,
    /// External memory: random extra latency per burst, 0..=CYCLES.
    #[arg(long, default_value_t = 0, value_name = "CYCLES", value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub mem_jitter: u32,
    /// External memory: bandwidth per port in bytes per cycle [default: one beat per cycle].
    #[arg(long, value_name = "BYTES", value_parser = parse_bandwidth)]
    pub mem_bandwidth: Option<f64>,
    /// External memory: percent of cycles ARREADY is high (100: no request backpressure).
    #[arg(long, default_value_t = 100, value_name = "PCT", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub mem_ar_ready: u32,
    /// External memory: percent of cycles a ready beat is offered (100: no gaps).
    #[arg(long, default_value_t = 100, value_name = "PCT", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub mem_r_valid: u32,
    /// External memory: return responses of different IDs out of order, interleaved.
    #[arg(long)]
    pub mem_reorder: bool,
    /// External memory: seed of the model's random choices.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub mem_seed: u64,
}

impl MemArgs {
    /// The memory model's timing.
    pub fn timing(&self) -> spikefab_cosim::lockstep::MemTiming {
        spikefab_cosim::lockstep::MemTiming {
            latency: self.mem_latency,
            jitter: self.mem_jitter,
            bytes_per_cycle: self.mem_bandwidth,
            ar_ready_pct: self.mem_ar_ready,
            r_valid_pct: self.mem_r_valid,
            reorder: self.mem_reorder,
            seed: self.mem_seed,
        }
    }
}

fn parse_bandwidth(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of bytes per cycle"))?;
    if v.is_finite() && (0.01..=65536.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} bytes per cycle is outside 0.01..=65536"))
    }
}

/// External drive of the PD14 model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriveArg {
    /// Constant current replacing the Poisson background.
    Dc,
    /// Poisson background generated on chip.
    Poisson,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Output directory (default: runs/<model>-<YYYYmmdd-HHMMSS>).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Number of steps to simulate (overrides the network's duration).
    #[arg(long, value_name = "N", conflicts_with = "duration_ms")]
    pub steps: Option<u64>,
    /// Biological time to simulate in ms (overrides the network's duration).
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub duration_ms: Option<f64>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// The spikes of the network's input populations (kind = "input"): a
    /// text file of `step population index` lines (docs/network-format.md,
    /// "Input populations"). Without it, input populations stay silent.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Also write records.txt: every neuron update, weight write and spike of
    /// every step (the record trace that `spikefab cosim` writes for the RTL;
    /// compare the two with `spikefab compare`). About 35 bytes per neuron
    /// and step.
    #[arg(long)]
    pub records: bool,
    /// Do not draw raster.png / rates.png.
    #[arg(long)]
    pub no_plot: bool,
    /// No progress bar; print only the output directory.
    #[arg(short, long)]
    pub quiet: bool,
    /// Show the progress of building the network and of the run on stderr
    /// even when it is not a terminal (a line every few seconds; on a
    /// terminal a bar is shown anyway).
    #[arg(long, conflicts_with = "quiet")]
    pub progress: bool,
    /// Refuse to build a network whose memory estimate exceeds SIZE (bytes,
    /// or with a unit: 512M, 4G, 1.5GiB; powers of 1024) [default: the
    /// memory available now, MemAvailable of /proc/meminfo]. `spikefab
    /// check` prints the estimate.
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Build and run a model without writing spikes; report throughput and memory.
    Sim(BenchSimArgs),
    /// Co-simulation speed: simulated cycles/s, neuron updates/s, synaptic events/s of the verilated core.
    Cosim(BenchCosimArgs),
    /// Network-on-chip latency/throughput curve per mesh size (verilated snn_noc_mesh, scoreboarded).
    Noc(BenchNocArgs),
}

#[derive(Debug, Args)]
pub struct BenchNocArgs {
    /// Mesh size R x C (R, C in 1..=16, at most 64 cores); repeatable
    /// [default: 1x1 2x1 2x2 3x2].
    #[arg(long, value_name = "RxC", num_args = 1.., value_parser = parse_noc_mesh)]
    pub mesh: Vec<spikefab_gen::Mesh>,
    /// Measured cycles per offered load (after a warm-up of a tenth of them, at most 2,000).
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(100..=100_000_000))]
    pub cycles: u64,
    /// Depth of the routers' input FIFOs in packets (as `spikefab gen --mesh`).
    #[arg(long, value_name = "D", default_value_t = spikefab_gen::mesh_gen::DEFAULT_FIFO_DEPTH, value_parser = clap::value_parser!(u32).range(2..=64))]
    pub fifo_depth: u32,
    /// Cache of verilated models (default as `spikefab cosim`).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Print one JSON object per line (one per mesh size and offered load) instead of the tables.
    #[arg(long)]
    pub json: bool,
}

/// `--mesh` of `spikefab bench noc`: `RxC` as `spikefab gen --mesh`, with
/// at most `spikefab_cosim::noc::MAX_CORES` cores.
fn parse_noc_mesh(s: &str) -> Result<spikefab_gen::Mesh, String> {
    let m: spikefab_gen::Mesh = s
        .parse()
        .map_err(|e: spikefab_gen::MeshParseError| e.to_string())?;
    let max = spikefab_cosim::noc::MAX_CORES;
    if m.cores() > max {
        return Err(format!(
            "bad mesh '{s}': {} cores; the benchmark's wrapper allows at most {max} (e.g. 8x8)",
            m.cores()
        ));
    }
    Ok(m)
}

#[derive(Debug, Args)]
pub struct BenchCosimArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    /// Hardware config: a name or a config TOML file.
    #[arg(long = "hw", value_name = "CONFIG", default_value = "default")]
    pub hw: String,
    /// Steps to run (in lockstep with the reference: a benchmark run is a verified run).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub steps: u64,
    /// Cache of verilated models (default as `spikefab cosim`).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// The external memory model's timing (external-store configs only;
    /// ignored on chip).
    #[command(flatten)]
    pub mem: MemArgs,
    /// Print one JSON line instead of the human report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchSimArgs {
    /// Model: `balanced`, `pd14`, or a network TOML file.
    #[arg(value_name = "MODEL")]
    pub model_name: String,
    /// pd14: set both --n-scale and --k-scale.
    #[arg(long, value_name = "X", allow_negative_numbers = true, conflicts_with_all = ["n_scale", "k_scale"])]
    pub scale: Option<f64>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Biological time to simulate in ms.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000.0,
        allow_negative_numbers = true
    )]
    pub duration_ms: f64,
    /// Print one JSON line instead of the human report.
    #[arg(long)]
    pub json: bool,
    /// Show the progress of building the network and of the run on stderr
    /// even when it is not a terminal (a line every few seconds; on a
    /// terminal a bar is shown anyway).
    #[arg(long)]
    pub progress: bool,
    /// Refuse to build a network whose memory estimate exceeds SIZE (bytes,
    /// or with a unit: 512M, 4G, 1.5GiB; powers of 1024) [default: the
    /// memory available now, MemAvailable of /proc/meminfo]. `spikefab
    /// check` prints the estimate.
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Model: `balanced`, `pd14` (or a network TOML file, written back resolved).
    #[arg(value_name = "MODEL")]
    pub model_name: String,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Biological time of the exported network in ms.
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub duration_ms: Option<f64>,
    /// Output file (default: stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First trace (the reference): records.txt or spikes.txt.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Second trace; a record trace against a spike trace is compared on spikes.
    #[arg(value_name = "B")]
    pub b: PathBuf,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// A directory (all its *.v files) or Verilog files.
    #[arg(value_name = "DIR|FILES", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Target part: device (xc7a100t), full part string (xc7a100tcsg324-1) or board (arty-a7-100t).
    #[arg(long, value_name = "PART")]
    pub part: String,
    /// Top module (default: the only module no other module instantiates).
    #[arg(long, value_name = "NAME")]
    pub top: Option<String>,
    /// Parameter override of the top module (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output directory for the Yosys script, log, netlist and report (default: runs/synth-<top>-<part>).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Time limit of the Yosys run in seconds.
    #[arg(long, value_name = "S", default_value_t = 600)]
    pub timeout_s: u64,
    /// Memories (snn_mem instances) above --blank-above bits: blank =
    /// synthesized without contents (no $readmemh image, no zero loop: the
    /// host loads them; same logic and block RAM, and Yosys 0.23 is fast);
    /// blackbox = left out, their BRAM36/URAM counted from their shape by
    /// the placement rules of the capacity report and added to the
    /// utilisation (labelled as counted); keep = every memory as written
    /// (slow for large memories). The output lists each memory and what was
    /// done with it.
    #[arg(long, value_name = "keep|blank|blackbox", default_value = "blank")]
    pub memories: String,
    /// Size limit of --memories blank|blackbox in bits (0: every memory)
    /// [default: 65536].
    #[arg(long, value_name = "BITS")]
    pub blank_above: Option<u64>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    /// Hardware config: a name (default, small, odd, stdp, w7, balanced, wide, mesh, ext, ext_mesh, ext_odd, ext_idx, ext_dg, ext_idx_mesh, ext_idx_mesh_dg) or a config TOML file.
    #[arg(long = "hw", value_name = "CONFIG", default_value = "default")]
    pub hw: String,
    /// Verification aid: build the core with a fault at one step
    /// (rounding, drop-spike or skip-weight-write), e.g. drop-spike@10.
    /// The output is not a working accelerator; the config hash changes.
    #[arg(long, value_name = "KIND@STEP", hide_short_help = true)]
    pub inject_fault: Option<spikefab_gen::Fault>,
    /// Generate a mesh of R x C cores of the config (R, C in 1..=16) for a
    /// static network: spikefab_mesh_top.v, the hdl copies, per-core images
    /// core<k>_<name>.hex, load.txt (load-port beats), mapping.txt (the
    /// mapping report) and manifest.json (1x1: the single-core generator).
    /// A network too big for the mesh gets a capacity report from its
    /// counts, without building it, and nothing is written.
    #[arg(long, value_name = "RxC")]
    pub mesh: Option<spikefab_gen::Mesh>,
    /// Depth of the mesh routers' input FIFOs in packets (2..=64; with a mesh
    /// of several cores, from --mesh or the config's `mesh`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=64))]
    pub fifo_depth: Option<u32>,
    /// Output directory: new, empty, or the output of an earlier `spikefab
    /// gen` (the files its manifest.json lists are replaced, so none is left
    /// stale); any other non-empty directory is refused.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Worker threads for building the network (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Refuse to build a network whose memory estimate exceeds SIZE (bytes,
    /// or with a unit: 512M, 4G, 1.5GiB; powers of 1024) [default: the
    /// memory available now, MemAvailable of /proc/meminfo]. `spikefab
    /// check` prints the estimate.
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CosimArgs {
    /// Network: a TOML file, or a built-in model name (`balanced`, `pd14`).
    #[arg(value_name = "NET")]
    pub net: String,
    /// Hardware config: a name (default, small, odd, stdp, w7, balanced, wide, mesh, ext, ext_mesh, ext_odd, ext_idx, ext_dg, ext_idx_mesh, ext_idx_mesh_dg) or a config TOML file.
    #[arg(long = "hw", value_name = "CONFIG", default_value = "default")]
    pub hw: String,
    /// Steps to run in lockstep.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub steps: u64,
    /// On a divergence, or when the RTL stops itself ($stop, an assertion), write a VCD of the
    /// steps before it and of the failing step (see --window) into the work folder
    /// (divergence.vcd).
    #[arg(long)]
    pub wave: bool,
    /// Steps before the divergent (or stopped) one in the waveform.
    #[arg(long, default_value_t = 3, value_name = "STEPS")]
    pub window: u64,
    /// Records of each side shown with a divergence.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub history: usize,
    /// Seed of Verilator's random initial values (--x-initial unique); nonzero.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub x_seed: u32,
    /// Percent of cycles the spike-out stream is ready (100: no stalls).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub spk_ready: u32,
    /// Seed of the spike-out stalls.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub stall_seed: u32,
    /// Verification aid: build the core with a fault at one step
    /// (rounding, drop-spike or skip-weight-write), e.g. drop-spike@10; the
    /// run must then fail at that step.
    #[arg(long, value_name = "KIND@STEP", hide_short_help = true)]
    pub inject_fault: Option<spikefab_gen::Fault>,
    /// Co-simulate a mesh of R x C cores of the config (R, C in 1..=16):
    /// the network partitioned over the cores, spikes routed on the
    /// network-on-chip, records of all cores merged before comparison.
    /// Default: the config's `mesh`, else one core.
    #[arg(long, value_name = "RxC")]
    pub mesh: Option<spikefab_gen::Mesh>,
    /// Work folder for the generated RTL, the waveform and records.txt, the
    /// RTL's record trace; new, empty or an earlier work folder, as `gen -o`
    /// (default: a new private folder with an unpredictable name under the
    /// system's temporary directory, removed after a pass, kept after a
    /// failure).
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,
    /// Cache of verilated models (default: $SPIKEFAB_CACHE_DIR, else
    /// $XDG_CACHE_HOME/spikefab/cosim, else ~/.cache/spikefab/cosim);
    /// created private if missing. Its libraries are loaded into this
    /// process, so a cache that anyone but you (or root) can write to, or
    /// under such a folder (sticky ones like /tmp excepted), is refused.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub mem: MemArgs,
    /// Worker threads for building the network (0: one per core).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub threads: u32,
    /// Refuse to build a network whose memory estimate exceeds SIZE (bytes,
    /// or with a unit: 512M, 4G, 1.5GiB; powers of 1024) [default: the
    /// memory available now, MemAvailable of /proc/meminfo]. `spikefab
    /// check` prints the estimate.
    #[arg(long, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

/// `--max-memory SIZE`: bytes, or a number with a binary unit (4G, 512MiB).
fn parse_max_memory(s: &str) -> Result<u64, String> {
    spikefab_sim::memory::parse_size(s).map_err(|e| e.to_string())
}
