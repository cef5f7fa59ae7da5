//! Meshes of cores (`hdl/snn_mesh_top.v`: snn_lif_core with MESH = 1 on the
//! snn_noc_mesh network-on-chip) in lockstep with the reference engine: the
//! same networks on meshes 1x1, 2x1, 2x2 and 3x2 must give bit-identical
//! records (every neuron update and spike, merged over the cores in core
//! order; weight writes in canonical order, by synapse) to the reference,
//! hence to each other, with and without STDP.

use std::path::{Path, PathBuf};

use spikefab_cosim::build;
use spikefab_cosim::lockstep::{run_lockstep_on, Device, LockstepError, LockstepOptions};
use spikefab_cosim::mesh::{local_synapses, MeshDevice, MeshShape};
use spikefab_cosim::RandReset;
use spikefab_gen::{build_mesh_engine, mesh_images, mesh_load_beats, partition, HwConfig, Mesh};
use spikefab_sim::load::load_file;
use spikefab_sim::models::balanced::BalancedParams;
use spikefab_sim::Network;

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

fn run_on(
    mesh: &Mesh,
    name: &str,
    netw: &Network,
    base: &str,
    steps: u64,
) -> Result<String, String> {
    let hw = hw(base);
    let mut e = build_mesh_engine(netw, &hw, mesh, 1).map_err(|e| format!("{name}: {e}"))?;
    let mapping = partition(&e, &hw, mesh).map_err(|e| format!("{name}: {e}"))?;
    let imgs = mesh_images(&e, &hw, &mapping).map_err(|e| format!("{name}: {e}"))?;
    let shape = MeshShape::new(mesh.rows(), mesh.cols(), &imgs[0]);
    let hdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hdl");
    let spec = shape
        .spec(&hdl, &root().join(format!("mesh-work-{base}-{mesh}")))
        .map_err(|e| e.to_string())?;
    let lib = build(&spec, &root().join("cosim-cache")).map_err(|e| e.to_string())?;
    let bases: Vec<u32> = imgs
        .iter()
        .map(|i| i.param("BASE").expect("BASE") as u32)
        .collect();
    let beats: Vec<_> = imgs.iter().map(mesh_load_beats).collect();
    let ranges: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
    let synapses = local_synapses(&e, &ranges);
    let open = || -> Result<(Box<dyn Device>, u64), LockstepError> {
        let model = lib.instantiate(3, RandReset::Random)?;
        let mut dev = MeshDevice::new(model, &shape, bases.clone(), synapses.clone())?;
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
            match run_on(&mesh, name, n, base, 100) {
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
