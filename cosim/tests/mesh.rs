//! Meshes of cores (`hdl/snn_mesh_top.v`: snn_lif_core with MESH = 1 on the
//! snn_noc_mesh network-on-chip) in lockstep with the reference engine: the
//! same networks on meshes 1x1, 2x1, 2x2 and 3x2 must give bit-identical
//! records (every neuron update and spike, merged over the cores in core
//! order; weight writes in canonical order, by synapse) to the reference,
//! hence to each other, with and without STDP.
//!
//! Two sets of networks: fixed templates with seed variations
//! (`the_same_networks_match_the_reference_on_meshes_1x1_2x1_2x2_3x2`), and
//! random networks drawn by the generator of `support/random.rs`
//! (`the_same_random_networks_...`), each run on all four meshes. The random
//! networks fit one core of the mesh config (`hw(base)`: a 1x1 mesh holds the
//! whole network) and have at least 6 neurons (a 3x2 mesh gives every core
//! one). Per config: `odd` (static, odd widths, 13 delay slots) and `small`
//! (static, default numerics) 32 networks each, `stdp` 64 networks that all
//! have plastic projections (128 networks, 512 mesh runs);
//! `SPIKEFAB_COSIM_MESH_CASES=<n>` draws n per config instead. The runner
//! seeds are fixed per config and printed; `SPIKEFAB_COSIM_SEED=<u64>` pins
//! another (the same seed for every config), `SPIKEFAB_COSIM_SEED=random`
//! draws new ones. A failure shrinks to a minimal network (its seed is
//! persisted in `mesh.proptest-regressions`); the message names the mesh and
//! carries the network as TOML, written with the mesh config's TOML under
//! `CARGO_TARGET_TMPDIR/cosim-mesh-random/`, and the `spikefab cosim`
//! command that reproduces it.

mod support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner,
};
use spikefab_cosim::lockstep::{
    run_lockstep_on, Device, LockstepError, LockstepOptions, LockstepReport,
};
use spikefab_cosim::mesh::{self as cmesh, local_synapses, MeshDevice};
use spikefab_cosim::{build, ModelLib, RandReset};
use spikefab_gen::images::load_beats;
use spikefab_gen::mesh_gen::{mesh_top_params, DEFAULT_FIFO_DEPTH};
use spikefab_gen::{build_mesh_model, mesh_images, partition, HwConfig, Mesh, MeshError};
use spikefab_hdl::mesh::MeshTopParams;
use spikefab_sim::load::load_file;
use spikefab_sim::models::balanced::BalancedParams;
use spikefab_sim::Network;
use support::hdl_dir;
use support::random::{build as build_case, case_toml, env_u64, net_spec, runner_seed, Caps, Case};

fn root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf()
}

/// Hardware configs of the comparison: `odd` (odd widths, 13 slots) and
/// `small` (default numerics, 64 slots), with cores large enough that one
/// holds each whole network (the 1x1 mesh): 300 neurons, 12,000 synapses,
/// rows for 300 sources. The partition spreads a network over every core of
/// a larger mesh, balancing neurons and synapses.
fn hw(base: &str) -> HwConfig {
    let named = HwConfig::named(base).expect("named config");
    let stdp = named.stdp;
    HwConfig {
        name: format!("{base}-mesh"),
        neurons_per_core: 300,
        max_rows: 300,
        syn_depth: 12_000,
        inc_depth: if stdp { 12_000 } else { named.inc_depth },
        ..named
    }
}

fn net(file: &str, seed: u64) -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let mut n = load_file(&p).unwrap_or_else(|e| panic!("{file}: {e}"));
    n.simulation.seed = seed;
    n
}

fn balanced(n: u32, seed: u64) -> Network {
    spikefab_sim::models::balanced::balanced(&BalancedParams {
        n,
        seed,
        duration_ms: 10.0,
        ..BalancedParams::default()
    })
    .expect("balanced")
}

/// The networks of the comparison (name, network, hw config): the odd-width
/// generator network with 8 seeds (connectivity, initial potentials and
/// background change with the seed), balanced E/I networks of 157 and 299
/// neurons with 6 seeds each, and a multapse burst.
fn networks() -> Vec<(String, Network, &'static str)> {
    let mut v = Vec::new();
    for seed in 1..=8u64 {
        let n = net("../gen/tests/nets/tiny.toml", seed * 7919);
        v.push((format!("tiny seed {}", seed * 7919), n, "odd"));
    }
    for n in [157u32, 299] {
        for seed in 1..=6u64 {
            v.push((
                format!("balanced n={n} seed {seed}"),
                balanced(n, seed),
                "small",
            ));
        }
    }
    v.push((
        "corner_burst".into(),
        net("tests/nets/corner_burst.toml", 1),
        "odd",
    ));
    // plastic: both STDP test networks (excitatory and inhibitory rules,
    // pre and post spikes in one step), five seeds each, on `stdp` cores
    for (file, short) in [
        ("../gen/tests/nets/tiny_stdp.toml", "tiny_stdp"),
        ("tests/nets/stdp_odd.toml", "stdp_odd"),
    ] {
        for seed in 1..=5u64 {
            v.push((
                format!("{short} seed {}", seed * 104_729),
                net(file, seed * 104_729),
                "stdp",
            ));
        }
    }
    v
}

/// `netw` on `mesh` of config `hw(base)` for `steps` steps in lockstep with
/// the reference; the mesh's wrapper is written under `work`-`base`-`mesh`.
fn run_on(
    mesh: &Mesh,
    name: &str,
    netw: &Network,
    base: &str,
    steps: u64,
    work: &str,
) -> Result<String, String> {
    run_on_hw(
        mesh,
        name,
        netw,
        &hw(base),
        base,
        steps,
        work,
        DEFAULT_FIFO_DEPTH,
    )
}

/// [`run_on`] with cores of config `hw` (`base` names its work folder) and
/// router FIFOs of `fifo_depth` packets.
#[allow(clippy::too_many_arguments)]
fn run_on_hw(
    mesh: &Mesh,
    name: &str,
    netw: &Network,
    hw: &HwConfig,
    base: &str,
    steps: u64,
    work: &str,
    fifo_depth: u32,
) -> Result<String, String> {
    let src = build_mesh_model(netw, hw, mesh, 1).map_err(|e| format!("{name}: {e}"))?;
    let mapping = partition(&src, hw, mesh).map_err(|e| format!("{name}: {e}"))?;
    let imgs = mesh_images(&src, hw, &mapping).map_err(|e| format!("{name}: {e}"))?;
    let top = mesh_top_params(hw, mesh, fifo_depth);
    let spec = cmesh::spec(
        &top,
        &hdl_dir(),
        &root().join(format!("{work}-{base}-{mesh}-fifo{fifo_depth}")),
    )
    .map_err(|e| e.to_string())?;
    let lib = build(&spec, &root().join("cosim-cache")).map_err(|e| e.to_string())?;
    let bases: Vec<u32> = imgs.iter().map(|i| i.init.base as u32).collect();
    let beats: Vec<_> = imgs.iter().map(load_beats).collect();
    let ranges: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
    let synapses = local_synapses(&src, &ranges);
    let mut e = src.into_engine();
    let open = || -> Result<(Box<dyn Device>, u64), LockstepError> {
        let model = lib.instantiate(3, RandReset::Random)?;
        let mut dev = MeshDevice::new(model, &top, bases.clone(), synapses.clone())?;
        dev.reset()?;
        let mut load = 0;
        for (k, b) in beats.iter().enumerate() {
            load += dev.load(k as u32, b)?;
        }
        Ok((Box::new(dev), load))
    };
    let opts = LockstepOptions {
        steps,
        spk_pct: 100,
        stall_seed: 1,
        x_seed: 3,
        history: 6,
        wave: None,
        wave_window: 0,
        repro: format!("cargo test -p spikefab-cosim --test mesh ({name} on {mesh})"),
    };
    let r = run_lockstep_on(&open, &mut e, &opts, None)
        .map_err(|e| format!("{name} on {mesh}: {e}"))?;
    Ok(format!(
        "{} (cores: {}; {} cycles, {:.1} per step)",
        r.marker(),
        mapping
            .cores
            .iter()
            .map(|c| format!("[{}, {})", c.lo, c.hi))
            .collect::<Vec<_>>()
            .join(" "),
        r.step_cycles,
        r.step_cycles as f64 / r.steps.max(1) as f64
    ))
}

#[test]
fn the_same_networks_match_the_reference_on_meshes_1x1_2x1_2x2_3x2() {
    let nets = networks();
    let mut total = (0, 0);
    let plastic = nets.iter().filter(|n| n.2 == "stdp").count();
    println!(
        "meshes: {} networks ({plastic} with STDP) on meshes 1x1, 2x1, 2x2, 3x2",
        nets.len()
    );
    for mesh in ["1x1", "2x1", "2x2", "3x2"] {
        let mesh: Mesh = mesh.parse().expect("mesh");
        let mut matched = 0;
        for (name, n, base) in &nets {
            match run_on(&mesh, name, n, base, 100, "mesh-work") {
                Ok(m) => {
                    println!("mesh {mesh}: {name}: {m}");
                    matched += 1;
                }
                Err(e) => panic!("mesh {mesh}: {e}"),
            }
        }
        println!("mesh {mesh}: {matched} networks bit-identical to the reference");
        total.0 += matched;
        total.1 += 1;
    }
    println!(
        "meshes: {} network runs on {} mesh sizes, every one bit-identical to the reference (and so to each other)",
        total.0, total.1
    );
}

/// One static network (the odd-width generator network: 33 neurons, 330
/// synapses, Poisson and DC drive) on a 2x2 mesh for 100 steps: a quick
/// check of the network interfaces, the barrier and the cores' mesh paths,
/// and the static half of the mutation tool's mesh suite.
#[test]
fn a_static_network_matches_the_reference_on_a_2x2_mesh() {
    let mesh: Mesh = "2x2".parse().expect("mesh");
    let n = net("../gen/tests/nets/tiny.toml", 7919);
    match run_on(&mesh, "tiny seed 7919", &n, "odd", 100, "mesh-quick") {
        Ok(m) => println!("mesh {mesh}: tiny seed 7919: {m}"),
        Err(e) => panic!("mesh {mesh}: {e}"),
    }
}

/// One plastic network (excitatory and inhibitory rules, pre and post
/// spikes in one step) on a 2x2 mesh for 100 steps: both barriers of a
/// plastic step, the trace pass and the post pass on every core; the
/// plastic half of the mutation tool's mesh suite.
#[test]
fn a_plastic_network_matches_the_reference_on_a_2x2_mesh() {
    let mesh: Mesh = "2x2".parse().expect("mesh");
    let n = net("tests/nets/stdp_odd.toml", 104_729);
    match run_on(&mesh, "stdp_odd seed 104729", &n, "stdp", 100, "mesh-quick") {
        Ok(m) => println!("mesh {mesh}: stdp_odd seed 104729: {m}"),
        Err(e) => panic!("mesh {mesh}: {e}"),
    }
}

/// A synchronous burst (cosim/tests/nets/mesh_congestion.toml: 240
/// identical neurons spiking in the same steps, each core sending to every
/// other) on a 3x2 mesh with router FIFOs of depth 2, the smallest legal:
/// the routers' injection ports back up, so a core's network interface must
/// hold a spike until it is taken, and the barrier must wait for the
/// network to drain. Part of the mutation tool's snn_mesh_top suite.
#[test]
fn a_synchronous_burst_backs_up_the_network_and_still_matches_on_a_3x2_mesh() {
    let mesh: Mesh = "3x2".parse().expect("mesh");
    let n = net("tests/nets/mesh_congestion.toml", 11);
    match run_on_hw(
        &mesh,
        "mesh_congestion",
        &n,
        &hw("odd"),
        "odd",
        60,
        "mesh-congestion",
        2,
    ) {
        Ok(m) => println!("mesh {mesh}, FIFO depth 2: mesh_congestion: {m}"),
        Err(e) => panic!("mesh {mesh}: {e}"),
    }
}

/// A host's session with a plastic 2x2 mesh and no resets: stdp_odd (one
/// seed) is loaded and run, then the mesh is reconfigured with stdp_odd of
/// another seed (another network), run, and reconfigured with that network
/// again and run. The first beat after a run reaches every core, all cores
/// clear (accumulators, traces, the presynaptic traces of every row, the
/// step counter) and every stage equals a fresh engine of its network.
#[test]
fn a_plastic_2x2_mesh_reconfigured_without_reset_matches_fresh_engines() {
    use spikefab_sim::records::{compare_step, StepRecords};
    let mesh: Mesh = "2x2".parse().expect("mesh");
    let hw = hw("stdp");
    let top = mesh_top_params(&hw, &mesh, DEFAULT_FIFO_DEPTH);
    let spec = cmesh::spec(
        &top,
        &hdl_dir(),
        &root().join(format!("mesh-quick-stdp-{mesh}")),
    )
    .expect("spec");
    let lib = build(&spec, &root().join("cosim-cache")).unwrap_or_else(|e| panic!("build: {e}"));
    let stages = [(104_729u64, 45u64), (7_777, 40), (7_777, 40)];
    let mut dev: Option<MeshDevice> = None;
    let mut clears = Vec::new();
    for (k, &(seed, steps)) in stages.iter().enumerate() {
        let netw = net("tests/nets/stdp_odd.toml", seed);
        let src = build_mesh_model(&netw, &hw, &mesh, 1).expect("model");
        let mapping = partition(&src, &hw, &mesh).expect("partition");
        let imgs = mesh_images(&src, &hw, &mapping).expect("images");
        let bases: Vec<u32> = imgs.iter().map(|i| i.init.base as u32).collect();
        let beats: Vec<_> = imgs.iter().map(load_beats).collect();
        let ranges: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
        let synapses = local_synapses(&src, &ranges);
        let mut e = src.into_engine();
        let d = match dev.as_mut() {
            None => {
                let model = lib.instantiate(3, RandReset::Random).expect("instance");
                let mut d = MeshDevice::new(model, &top, bases, synapses).expect("mesh device");
                d.reset().expect("reset");
                dev.insert(d)
            }
            Some(d) => {
                d.set_mapping(bases, synapses);
                d
            }
        };
        let mut load = 0;
        let n_beats: usize = beats.iter().map(Vec::len).sum();
        for (c, b) in beats.iter().enumerate() {
            load += d
                .load(c as u32, b)
                .unwrap_or_else(|e| panic!("stage {k}: load: {e}"));
        }
        clears.push(load - n_beats as u64);
        let (mut spikes, mut writes) = (0, 0);
        for t in 0..steps {
            let mut exp = StepRecords::of_engine_step(&mut e);
            exp.weights.sort_by_key(|w| w.synapse);
            let (got, _) = d
                .step(t)
                .unwrap_or_else(|e| panic!("stage {k} step {t}: {e}"));
            if let Some(div) = compare_step(&exp, &got) {
                panic!(
                    "stage {k} (stdp_odd seed {seed}, {}): {div:?}",
                    if k == 0 {
                        "first configuration"
                    } else {
                        "reconfigured without reset"
                    }
                );
            }
            spikes += got.spikes.len();
            writes += got.weights.len();
        }
        assert!(spikes > 0 && writes > 0, "stage {k}: no activity");
        println!(
            "mesh {mesh} stage {k}: stdp_odd seed {seed}: matched {steps} steps, {spikes} spikes, \
             {writes} weight writes (configuration {load} cycles for {n_beats} beats)"
        );
    }
    // each core clears max(SLOTS x N_NEURONS, ROWS) cycles, all at once,
    // plus one to start; the first configuration clears nothing
    let c = &top.core;
    let clear = (c.slots * c.n_neurons).max(c.rows) + 1;
    assert_eq!(clears, vec![0, clear, clear], "cycles beyond the beats");
}

/// The built-in balanced network (1,250 neurons, 156,250 synapses, default
/// numerics) on a 4x4 mesh of 80-neuron cores, 16 cores in lockstep with the
/// reference for 1,000 steps (100 ms).
#[test]
#[ignore = "soak: 16 cores verilated, 1,000 steps; SPIKEFAB_SOAK=1 bash scripts/test.sh"]
fn the_balanced_network_matches_the_reference_on_a_4x4_mesh() {
    let named = HwConfig::named("small").expect("named config");
    let h = HwConfig {
        name: "small-mesh4x4".into(),
        neurons_per_core: 80,
        max_rows: 1_250,
        syn_depth: 12_000,
        max_pops: 2,
        ..named
    };
    let mesh: Mesh = "4x4".parse().expect("mesh");
    let net = spikefab_sim::models::balanced::balanced(&BalancedParams {
        duration_ms: 100.0,
        ..BalancedParams::default()
    })
    .expect("balanced");
    let t = std::time::Instant::now();
    let line = run_on_hw(
        &mesh,
        "balanced n=1250",
        &net,
        &h,
        "small4x4",
        1_000,
        "mesh4x4",
        DEFAULT_FIFO_DEPTH,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "balanced n=1250 on a 4x4 mesh: {line}; {secs:.1} s (load {})",
        load.trim()
    );
    // the figure line that scripts/measure.sh verif-mesh4x4 records
    println!(
        "{{\"test\": \"balanced n=1250 on a 4x4 mesh\", \"config\": \"{}\", \"cores\": 16, \
         \"steps\": 1000, \"marker\": \"{line}\", \"wall_s\": {secs:.1}}}",
        h.name
    );
}

// Random networks on every mesh size.

/// The mesh sizes every random network runs on, smallest first.
const MESHES: [&str; 4] = ["1x1", "2x1", "2x2", "3x2"];

/// Every random network has at least this many neurons: a 3x2 mesh gives
/// every core one.
const MIN_NEURONS: u32 = 6;

/// The largest population drawn (a whole network fits the 300 neurons of
/// one core of `hw(base)` by construction).
const MAX_POP: u32 = 300;

/// Default random networks per config: (base config, networks, plastic
/// only). 128 networks, 64 of them plastic.
const RANDOM_CONFIGS: [(&str, u32, bool); 3] =
    [("odd", 32, false), ("small", 32, false), ("stdp", 64, true)];

/// Where failing seeds of the random mesh networks are persisted (replayed
/// first by every run).
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/mesh.proptest-regressions"
);

/// A mesh config as a TOML file `spikefab cosim --hw` reads back.
fn hw_toml(hw: &HwConfig) -> String {
    let n = &hw.numerics;
    let mut s = format!(
        "name = {:?}\ndescription = {:?}\nneurons_per_core = {}\nsyn_depth = {}\nmax_rows = {}\n\
         max_pops = {}\nstdp = {}\nobserve = {}\n",
        hw.name,
        hw.description,
        hw.neurons_per_core,
        hw.syn_depth,
        hw.max_rows,
        hw.max_pops,
        hw.stdp,
        hw.observe
    );
    if hw.stdp {
        s.push_str(&format!(
            "n_rules = {}\ninc_depth = {}\n",
            hw.n_rules, hw.inc_depth
        ));
    }
    s.push_str(&format!(
        "[numerics]\nv_bits = {}\nv_frac = {}\ni_bits = {}\ni_frac = {}\nw_bits = {}\n\
         w_shift = {}\nacc_bits = {}\ncoef_bits = {}\ncoef_frac = {}\nmax_delay_steps = {}\n\
         ref_bits = {}\ntrace_bits = {}\ntrace_frac = {}\npoisson_table_len = {}\n",
        n.v_bits,
        n.v_frac,
        n.i_bits,
        n.i_frac,
        n.w_bits,
        n.w_shift,
        n.acc_bits,
        n.coef_bits,
        n.coef_frac,
        n.max_delay_steps,
        n.ref_bits,
        n.trace_bits,
        n.trace_frac,
        n.poisson_table_len
    ));
    s
}

/// Where a failing network of `config` and the config itself are written.
fn failure_files(config: &str) -> (PathBuf, PathBuf) {
    let d = root().join("cosim-mesh-random");
    std::fs::create_dir_all(&d).expect("mkdir");
    (
        d.join(format!("{config}-failing.toml")),
        d.join(format!("{config}.hw.toml")),
    )
}

/// Why one run of a network on one mesh did not match.
enum MeshRun {
    /// The build rejected the network (1x1 only: before any run); the key
    /// says why, for the count.
    Rejected(String),
    /// Anything else: a divergence, a lockstep or mapping error.
    Failed(String),
}

/// The verilated model of one mesh of a config.
struct MeshModel {
    top: MeshTopParams,
    lib: ModelLib,
}

/// What one network gave on one mesh.
struct MeshOutcome {
    report: LockstepReport,
    neurons: u32,
    synapses: u64,
    cores: Vec<(u32, u32)>,
}

/// One mesh config (`hw(base)`) and its verilated models, one per mesh of
/// [`MESHES`], each built on first use and reused for every network (the
/// RTL depends on the config and the mesh only; each run checks that its
/// images are shaped for the model's cores).
struct MeshRig {
    hw: HwConfig,
    meshes: Vec<Mesh>,
    models: RefCell<Vec<Option<MeshModel>>>,
}

impl MeshRig {
    fn new(base: &str) -> MeshRig {
        let hw = hw(base);
        MeshRig {
            meshes: MESHES.iter().map(|m| m.parse().expect("mesh")).collect(),
            models: RefCell::new(MESHES.iter().map(|_| None).collect()),
            hw,
        }
    }

    /// The command that reproduces a run of `case` on mesh `k` from the
    /// files of [`failure_files`].
    fn repro(&self, k: usize, case: &Case) -> String {
        let (net, hw) = failure_files(&self.hw.name);
        let one = if k == 0 {
            " (a 1x1 mesh runs as a single core there)"
        } else {
            ""
        };
        format!(
            "spikefab cosim {} --hw {} --mesh {} --steps {} --x-seed {}{one}",
            net.display(),
            hw.display(),
            self.meshes[k],
            case.steps,
            case.x_seed
        )
    }

    /// `case` on mesh `k` in lockstep with the reference.
    fn run(&self, k: usize, case: &Case) -> Result<MeshOutcome, MeshRun> {
        let hw = &self.hw;
        let mesh = &self.meshes[k];
        let failed =
            |what: &str, e: &dyn std::fmt::Display| MeshRun::Failed(format!("{what}: {e}"));
        let src = match build_mesh_model(&case.net, hw, mesh, 1) {
            Ok(e) => e,
            Err(e @ (MeshError::Build { .. } | MeshError::DoesNotFit { .. })) if k == 0 => {
                let why = e.to_string();
                let key = if why.contains("accumulator") {
                    "accumulator bound".to_string()
                } else if matches!(e, MeshError::DoesNotFit { .. }) {
                    "capacity".to_string()
                } else {
                    why.lines().next().unwrap_or("").chars().take(160).collect()
                };
                return Err(MeshRun::Rejected(key));
            }
            Err(e) => return Err(failed("building the reference engine", &e)),
        };
        let mapping = partition(&src, hw, mesh).map_err(|e| failed("partition", &e))?;
        let imgs = mesh_images(&src, hw, &mapping).map_err(|e| failed("mesh images", &e))?;
        let top = mesh_top_params(hw, mesh, DEFAULT_FIFO_DEPTH);
        let mut models = self.models.borrow_mut();
        if models[k].is_none() {
            let work = root().join(format!("mesh-random-work-{}-{mesh}", hw.name));
            let spec = cmesh::spec(&top, &hdl_dir(), &work).map_err(|e| failed("mesh spec", &e))?;
            let lib = build(&spec, &root().join("cosim-cache"))
                .map_err(|e| failed("verilating the mesh", &e))?;
            models[k] = Some(MeshModel { top, lib });
        }
        let model = models[k].as_ref().expect("built above");
        if let Some(i) = imgs.iter().find(|i| i.core != model.top.core) {
            return Err(MeshRun::Failed(format!(
                "the images describe another core than the config's model: {:?}, model {:?}",
                i.core, model.top.core
            )));
        }
        let bases: Vec<u32> = imgs.iter().map(|i| i.init.base as u32).collect();
        let beats: Vec<_> = imgs.iter().map(load_beats).collect();
        let cores: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
        let synapses = local_synapses(&src, &cores);
        let mut e = src.into_engine();
        let top = model.top;
        let (lib, x_seed) = (&model.lib, case.x_seed);
        let open = || -> Result<(Box<dyn Device>, u64), LockstepError> {
            let m = lib.instantiate(x_seed, RandReset::Random)?;
            let mut dev = MeshDevice::new(m, &top, bases.clone(), synapses.clone())?;
            dev.reset()?;
            let mut load = 0;
            for (c, b) in beats.iter().enumerate() {
                load += dev.load(c as u32, b)?;
            }
            Ok((Box::new(dev), load))
        };
        let opts = LockstepOptions {
            steps: case.steps,
            spk_pct: 100,
            stall_seed: 1,
            x_seed,
            history: 6,
            wave: None,
            wave_window: 0,
            repro: self.repro(k, case),
        };
        let (neurons, n_syn) = (e.neurons(), e.syn.len() as u64);
        match run_lockstep_on(&open, &mut e, &opts, None) {
            Ok(report) => Ok(MeshOutcome {
                report,
                neurons,
                synapses: n_syn,
                cores,
            }),
            Err(e @ LockstepError::Diverged(_)) => Err(failed("DIVERGED", &e)),
            Err(e) => Err(failed("lockstep failed", &e)),
        }
    }
}

/// What the random networks of one config gave.
#[derive(Debug, Default)]
struct MeshStats {
    seed: u64,
    networks: u64,
    plastic: u64,
    neuron_updates: u64,
    spikes: u64,
    weight_writes: u64,
    steps: u64,
    with_spikes: u64,
    with_weight_writes: u64,
    neurons: (u32, u32),
    synapses_max: u64,
    /// Per mesh: step cycles and steps (for cycles per step).
    cycles: [(u64, u64); 4],
    /// The fewest neurons a core of a 3x2 mesh held.
    core_min: u32,
    rejected: BTreeMap<String, u64>,
    seconds: f64,
}

/// `cases` random networks fitting one core of `hw(base)` (all with STDP
/// when `plastic_only`), each run on every mesh of [`MESHES`]; `Err` with
/// the message of the minimal failing network.
fn random_networks_on_meshes(
    base: &str,
    cases: u32,
    plastic_only: bool,
) -> Result<MeshStats, String> {
    let t0 = std::time::Instant::now();
    let rig = MeshRig::new(base);
    let config = rig.hw.name.clone();
    let caps = Caps::of(&rig.hw, MAX_POP);
    let seed = runner_seed(&format!("mesh-{base}"));
    println!(
        "meshes, random networks on '{config}': {cases} networks{}, runner seed {seed} \
         (SPIKEFAB_COSIM_SEED={seed} reproduces this run; SPIKEFAB_COSIM_MESH_CASES sets the count per config)",
        if plastic_only { ", all with STDP" } else { "" }
    );
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        max_shrink_iters: 200,
        max_global_rejects: 4 * cases.max(64),
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    });
    let strategy = net_spec(&caps)
        .prop_map(|mut s| {
            // at least MIN_NEURONS neurons (the build clamps sizes only at
            // the config's capacity, far above)
            let n: u32 = s.pops.iter().map(|p| p.size).sum();
            if n < MIN_NEURONS {
                s.pops[0].size += MIN_NEURONS - n;
            }
            s
        })
        .prop_map({
            let caps = caps.clone();
            move |s| build_case(&s, &caps)
        })
        .prop_filter("a network with STDP", move |c| {
            !plastic_only || c.net.projections.iter().any(|p| p.stdp.is_some())
        });
    let stats = RefCell::new(MeshStats {
        seed,
        neurons: (u32::MAX, 0),
        core_min: u32::MAX,
        ..MeshStats::default()
    });
    let result = runner.run(&strategy, |case| {
        // The TOML in a failure message must reproduce the network exactly.
        let back = spikefab_sim::load::load_str(&case_toml(&case), "random network");
        prop_assert_eq!(
            back.as_ref().ok(),
            Some(&case.net),
            "TOML round trip: {:?}",
            back.as_ref().err()
        );
        let mut runs = Vec::new();
        for (k, mesh) in rig.meshes.iter().enumerate() {
            match rig.run(k, &case) {
                Ok(o) => runs.push(o),
                Err(MeshRun::Rejected(key)) => {
                    *stats.borrow_mut().rejected.entry(key).or_insert(0) += 1;
                    return Err(TestCaseError::reject("network rejected by the build"));
                }
                Err(MeshRun::Failed(why)) => {
                    let (net_file, hw_file) = failure_files(&config);
                    let _ = std::fs::write(&net_file, case_toml(&case));
                    let _ = std::fs::write(&hw_file, hw_toml(&rig.hw));
                    // a divergence report carries the command already
                    let repro = if why.contains("reproduce with") {
                        String::new()
                    } else {
                        format!("\nreproduce with: {}", rig.repro(k, &case))
                    };
                    return Err(TestCaseError::fail(format!(
                        "on the {mesh} mesh of hw config '{config}': {why}{repro}"
                    )));
                }
            }
        }
        let one = &runs[0];
        prop_assert!(one.neurons >= MIN_NEURONS, "{} neurons", one.neurons);
        let counts = |r: &LockstepReport| (r.steps, r.neuron_updates, r.spikes, r.weight_writes);
        for (o, mesh) in runs.iter().zip(&rig.meshes) {
            prop_assert_eq!(counts(&o.report), counts(&one.report), "counts on {}", mesh);
        }
        let plastic = case.net.projections.iter().any(|p| p.stdp.is_some());
        let r = &one.report;
        let mut s = stats.borrow_mut();
        s.networks += 1;
        s.plastic += u64::from(plastic);
        s.neuron_updates += r.neuron_updates;
        s.spikes += r.spikes;
        s.weight_writes += r.weight_writes;
        s.steps += r.steps;
        s.with_spikes += u64::from(r.spikes > 0);
        s.with_weight_writes += u64::from(r.weight_writes > 0);
        s.neurons = (s.neurons.0.min(one.neurons), s.neurons.1.max(one.neurons));
        s.synapses_max = s.synapses_max.max(one.synapses);
        for (c, o) in s.cycles.iter_mut().zip(&runs) {
            c.0 += o.report.step_cycles;
            c.1 += o.report.steps;
        }
        let last = runs.last().expect("four runs");
        let smallest = last.cores.iter().map(|c| c.1 - c.0).min().unwrap_or(0);
        s.core_min = s.core_min.min(smallest);
        println!(
            "meshes, random '{config}' #{}: {} neurons, {} synapses{}, {} steps: {} on each of \
             1x1, 2x1, 2x2, 3x2 (cycles per step {}; 3x2 cores {})",
            s.networks,
            one.neurons,
            one.synapses,
            if plastic { ", STDP" } else { "" },
            r.steps,
            r.marker(),
            runs.iter()
                .map(|o| format!(
                    "{:.0}",
                    o.report.step_cycles as f64 / o.report.steps.max(1) as f64
                ))
                .collect::<Vec<_>>()
                .join(" / "),
            last.cores
                .iter()
                .map(|c| format!("[{}, {})", c.0, c.1))
                .collect::<Vec<_>>()
                .join(" ")
        );
        Ok(())
    });
    let mut stats = stats.into_inner();
    stats.seconds = t0.elapsed().as_secs_f64();
    match result {
        Ok(()) => Ok(stats),
        Err(TestError::Fail(why, case)) => {
            let (net_file, hw_file) = failure_files(&config);
            let text = case_toml(&case);
            std::fs::write(&net_file, &text).expect("write the failing network");
            std::fs::write(&hw_file, hw_toml(&rig.hw)).expect("write the mesh config");
            Err(format!(
                "random network on the meshes of hw config '{config}' failed (minimal case after \
                 shrinking; runner seed {seed}: SPIKEFAB_COSIM_SEED={seed} cargo test -p \
                 spikefab-cosim --test mesh random):\n{why}\n(network written to {}, mesh config \
                 to {})\n\nnetwork as TOML:\n{text}",
                net_file.display(),
                hw_file.display()
            ))
        }
        Err(TestError::Abort(why)) => Err(format!(
            "random networks on the meshes of '{config}' aborted: {why}; rejected so far: {:?}",
            stats.rejected
        )),
    }
}

/// The summary line of one config's random networks.
fn report_random(config: &str, s: &MeshStats) {
    let per_step: Vec<String> = MESHES
        .iter()
        .zip(&s.cycles)
        .map(|(m, c)| format!("{m} {:.0}", c.0 as f64 / c.1.max(1) as f64))
        .collect();
    println!(
        "meshes, random networks on '{config}': matched {} networks ({} with STDP, {} with weight \
         writes) on 1x1, 2x1, 2x2, 3x2: {} neuron updates, {} spikes, {} weight writes over {} \
         steps on each mesh, 0 divergences; {} with spikes, {}..={} neurons, up to {} synapses, \
         3x2 cores of {} neurons or more, cycles per step {}; rejected {:?}; runner seed {}, {:.1} s",
        s.networks,
        s.plastic,
        s.with_weight_writes,
        s.neuron_updates,
        s.spikes,
        s.weight_writes,
        s.steps,
        s.with_spikes,
        s.neurons.0,
        s.neurons.1,
        s.synapses_max,
        s.core_min,
        per_step.join(", "),
        s.rejected,
        s.seed,
        s.seconds
    );
}

#[test]
fn the_same_random_networks_with_and_without_stdp_match_the_reference_on_meshes_1x1_2x1_2x2_3x2() {
    for base in ["odd", "small", "stdp"] {
        let hw = hw(base);
        let back = HwConfig::from_toml(&hw_toml(&hw), "hw_toml")
            .unwrap_or_else(|e| panic!("the mesh config TOML of '{base}' does not load: {e}"));
        assert_eq!(
            back, hw,
            "the mesh config TOML of '{base}' does not round-trip"
        );
    }
    let per_config = env_u64("SPIKEFAB_COSIM_MESH_CASES").map(|n| n.max(1) as u32);
    let plan: Vec<(&str, u32, bool)> = RANDOM_CONFIGS
        .iter()
        .map(|&(b, n, p)| (b, per_config.unwrap_or(n), p))
        .collect();
    // two threads (the static configs, the plastic one): the models of
    // different configs run side by side
    let (stat, plas): (Vec<_>, Vec<_>) = plan.iter().partition(|c| !c.2);
    let results: Vec<(String, u32, bool, Result<MeshStats, String>)> = std::thread::scope(|sc| {
        let handles: Vec<_> = [stat, plas]
            .into_iter()
            .map(|group| {
                sc.spawn(move || {
                    group
                        .into_iter()
                        .map(|&(b, n, p)| (hw(b).name, n, p, random_networks_on_meshes(b, n, p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a config's thread panicked"))
            .collect()
    });
    let failures: Vec<&String> = results.iter().filter_map(|r| r.3.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let mut total = MeshStats::default();
    for (config, cases, plastic_only, r) in &results {
        let s = r.as_ref().expect("no failures");
        report_random(config, s);
        // at least the planned cases: proptest replays persisted
        // regressions (cosim/tests/mesh.proptest-regressions) first
        assert!(
            s.networks >= u64::from(*cases),
            "'{config}': {} networks matched, {cases} planned",
            s.networks
        );
        assert!(
            s.spikes > 0,
            "'{config}': the random networks never spiked: {s:?}"
        );
        if *plastic_only {
            assert_eq!(s.plastic, s.networks, "'{config}': every network has STDP");
            assert!(
                s.weight_writes > 0,
                "'{config}': no STDP weight writes: {s:?}"
            );
        }
        total.networks += s.networks;
        total.plastic += s.plastic;
        total.neuron_updates += s.neuron_updates;
        total.spikes += s.spikes;
        total.weight_writes += s.weight_writes;
        total.with_spikes += s.with_spikes;
    }
    let want: u32 = plan.iter().map(|c| c.1).sum();
    let want_plastic: u32 = plan.iter().filter(|c| c.2).map(|c| c.1).sum();
    assert!(total.networks >= u64::from(want) && total.plastic >= u64::from(want_plastic));
    assert!(
        total.with_spikes * 2 >= total.networks,
        "most random networks should spike: {} of {}",
        total.with_spikes,
        total.networks
    );
    println!(
        "meshes: matched {} random networks ({} with STDP) on 1x1, 2x1, 2x2, 3x2: {} neuron \
         updates, {} spikes, {} weight writes, 0 divergences",
        total.networks, total.plastic, total.neuron_updates, total.spikes, total.weight_writes
    );
}

/// Cores whose synapse rows are in external memory, on meshes: every core
/// reads its own region through its own AXI4 port (one memory model per
/// core) while the memory answers late, out of order across IDs and with
/// backpressure; every record matches the reference.
#[test]
fn external_memory_cores_match_the_reference_on_meshes_1x3_and_2x2() {
    ext_mesh_runs("ext_odd");
}

/// The same with every core's row index in external memory too
/// (`SYN_EXT = 2`): each event's row word is a read of its own.
#[test]
fn external_row_index_cores_match_the_reference_on_meshes_1x3_and_2x2() {
    ext_mesh_runs("ext_idx");
}

/// Delay groups (`ext_dg`: a 5-slot ring for delays up to 12 steps, three
/// groups): every network interface replays its core's spikes 4 and 8 steps
/// later to the group rows; a network with delays in every group matches
/// the reference on both meshes, under the same memory timing.
#[test]
fn delay_group_cores_match_the_reference_on_meshes_1x3_and_2x2() {
    ext_mesh_net_runs("ext_dg", "tests/nets/delay_groups.toml", 120);
}

fn ext_mesh_runs(config: &str) {
    ext_mesh_net_runs(config, "../gen/tests/nets/tiny.toml", 60);
}

fn ext_mesh_net_runs(config: &str, file: &str, steps: u64) {
    use spikefab_cosim::flow::prepare_mesh;
    use spikefab_cosim::lockstep::MemTiming;
    let hwc = HwConfig::named(config).expect("a named config");
    let net = net(file, 7919);
    for (mesh, timing) in [
        (
            "1x3",
            MemTiming {
                latency: 77,
                jitter: 41,
                ar_ready_pct: 60,
                r_valid_pct: 70,
                reorder: true,
                seed: 5,
                ..MemTiming::default()
            },
        ),
        (
            "2x2",
            MemTiming {
                latency: 333,
                bytes_per_cycle: Some(3.0),
                ..MemTiming::default()
            },
        ),
    ] {
        let m: Mesh = mesh.parse().expect("mesh");
        let work = root().join(format!("{config}-mesh-{mesh}"));
        let _ = std::fs::remove_dir_all(&work);
        let (p, mut e) = prepare_mesh(&net, &hwc, &m, 1, &work, &root().join("cosim-cache"))
            .unwrap_or_else(|err| panic!("prepare {mesh}: {err}"));
        let mem = p.ext_memory(&timing).expect("an external store");
        assert_eq!(mem.lanes.len(), m.cores());
        let opts = LockstepOptions {
            steps,
            spk_pct: 70,
            stall_seed: 9,
            x_seed: 3,
            history: 6,
            wave: None,
            wave_window: 0,
            repro: format!("spikefab cosim {file} --hw {config} --mesh {mesh}"),
        };
        let open = p.opener_ext(3, Some(&mem));
        let r = run_lockstep_on(&open, &mut e, &opts, None)
            .unwrap_or_else(|err| panic!("tiny on a {mesh} mesh of {config}: {err}"));
        assert!(r.spikes > 0, "{mesh}: the run must deliver spikes");
        println!("external-memory mesh {mesh} of {config}: {}", r.marker());
    }
}
