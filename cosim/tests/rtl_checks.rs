//! What the lockstep catches beyond computed values, on test-only copies of
//! `hdl/` (written under `CARGO_TARGET_TMPDIR`, one edit each, asserted to
//! apply):
//!
//! - a core that sends the spikes of one step with the wrong step
//!   (`spk_step_o` one too high in step [`WRONG_STEP`]) diverges at that
//!   step, through the one comparator, on a single core and on a 2x1 mesh
//!   alike; the mesh's report names the core and the local neuron;
//! - a core that stops the simulation ($stop, like an RTL assertion) in
//!   phase A of step [`STOP_STEP`] gives a report naming that step, the
//!   phase, the cycle and the message, with a waveform of the window up to
//!   the stop and the reproducing command, on a single core and on a mesh.

mod support;

use std::path::{Path, PathBuf};

use spikefab_cosim::lockstep::{
    core_spec, run_lockstep, run_lockstep_on, Device, LockstepError, LockstepOptions,
};
use spikefab_cosim::mesh::{self as cmesh, local_synapses, MeshDevice};
use spikefab_cosim::{build, RandReset};
use spikefab_gen::images::{core_images, load_beats, network_core};
use spikefab_gen::mesh_gen::{mesh_top_params, DEFAULT_FIFO_DEPTH};
use spikefab_gen::{
    build_core_model, build_mesh_model, mesh_images, partition, HwConfig, Mesh, NetModel,
};
use spikefab_sim::load::load_file;
use spikefab_sim::records::{RecordKind, StepRecords};
use spikefab_sim::Network;
use support::vcd_values;

/// The step whose spikes the wrong-step copy sends as of the next step.
const WRONG_STEP: u64 = 23;
/// The step in whose phase A the stopping copy executes `$stop`.
const STOP_STEP: u64 = 11;
/// Steps of the waveform window before the failing step.
const WINDOW: u64 = 3;

fn tmp() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-rtl-checks")
}

/// A copy of `hdl/` in `tmp()/name` with `from` replaced by `to` (exactly
/// once) in `snn_lif_core.v`.
fn hdl_copy(name: &str, from: &str, to: &str) -> PathBuf {
    let dir = tmp().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for e in std::fs::read_dir(support::hdl_dir()).expect("hdl/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "v") {
            let mut text = std::fs::read_to_string(&p).expect("read");
            if p.file_name().is_some_and(|f| f == "snn_lif_core.v") {
                assert_eq!(
                    text.matches(from).count(),
                    1,
                    "snn_lif_core.v must hold `{from}` once for the test edit"
                );
                text = text.replace(from, to);
            }
            std::fs::write(dir.join(p.file_name().expect("name")), text).expect("write");
        }
    }
    dir
}

/// The core whose spikes of step [`WRONG_STEP`] carry step + 1.
fn wrong_step_hdl() -> PathBuf {
    hdl_copy(
        "hdl-wrong-step",
        "assign spk_step_o   = step;",
        &format!("assign spk_step_o   = step + {{31'd0, step == 32'd{WRONG_STEP}}};"),
    )
}

/// The core that executes `$stop` in phase A of step [`STOP_STEP`].
fn stopping_hdl() -> PathBuf {
    hdl_copy(
        "hdl-stop",
        "endmodule",
        &format!(
            "  // test-only assertion (cosim/tests/rtl_checks.rs)\n  \
             always @(posedge clk_i) begin\n    \
             if (!rst_i && step == 32'd{STOP_STEP} && phase_o == 3'd1) begin\n      \
             $stop;\n    end\n  end\nendmodule"
        ),
    )
}

/// The odd-width generator network (33 neurons, Poisson and DC drive).
fn network() -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gen/tests/nets/tiny.toml");
    let mut n = load_file(&p).unwrap_or_else(|e| panic!("tiny.toml: {e}"));
    n.simulation.seed = 7919;
    n
}

fn opts(steps: u64, wave: Option<PathBuf>, repro: &str) -> LockstepOptions {
    LockstepOptions {
        steps,
        spk_pct: 100,
        stall_seed: 1,
        x_seed: 3,
        history: 4,
        wave,
        wave_window: WINDOW,
        repro: repro.into(),
    }
}

/// The network as the generator builds it for hw config `odd` (its
/// numerics; the mesh config has the same).
fn model(net: &Network) -> NetModel {
    build_core_model(net, &HwConfig::named("odd").expect("odd"), 1).expect("builds on 'odd'")
}

/// `net` on one core of its own shape, verilated from `hdl`.
fn on_core(net: &Network, hdl: &Path, o: &LockstepOptions) -> Result<u64, LockstepError> {
    let model = model(net);
    let core = network_core(&model, None);
    let img = core_images(&model, &core).expect("images");
    let mut e = model.into_engine();
    let lib = build(&core_spec(hdl, &core), &tmp().join("cache"))
        .unwrap_or_else(|err| panic!("build: {err}"));
    run_lockstep(&lib, &core, &load_beats(&img), &mut e, o).map(|r| r.steps)
}

/// A mesh config whose cores each hold the whole network (as in mesh.rs).
fn mesh_hw() -> HwConfig {
    HwConfig {
        name: "odd-mesh".into(),
        neurons_per_core: 300,
        max_rows: 300,
        syn_depth: 12_000,
        ..HwConfig::named("odd").expect("odd")
    }
}

/// `net` on a 2x1 mesh verilated from `hdl`.
fn on_mesh(net: &Network, hdl: &Path, o: &LockstepOptions) -> Result<u64, LockstepError> {
    let hw = mesh_hw();
    let mesh: Mesh = "2x1".parse().expect("mesh");
    let src = build_mesh_model(net, &hw, &mesh, 1).expect("mesh model");
    let mapping = partition(&src, &hw, &mesh).expect("partition");
    let imgs = mesh_images(&src, &hw, &mapping).expect("images");
    let top = mesh_top_params(&hw, &mesh, DEFAULT_FIFO_DEPTH);
    let name = hdl.file_name().expect("name").to_string_lossy();
    let spec = cmesh::spec(&top, hdl, &tmp().join(format!("mesh-{name}"))).expect("spec");
    let lib = build(&spec, &tmp().join("cache")).unwrap_or_else(|err| panic!("build: {err}"));
    let bases: Vec<u32> = imgs.iter().map(|i| i.init.base as u32).collect();
    let beats: Vec<_> = imgs.iter().map(load_beats).collect();
    let ranges: Vec<(u32, u32)> = mapping.cores.iter().map(|c| (c.lo, c.hi)).collect();
    assert!(
        ranges.iter().all(|r| r.1 > r.0),
        "both cores hold neurons: {ranges:?}"
    );
    let synapses = local_synapses(&src, &ranges);
    let mut e = src.into_engine();
    let open = || -> Result<(Box<dyn Device>, u64), LockstepError> {
        let model = lib.instantiate(o.x_seed, RandReset::Random)?;
        let mut dev = MeshDevice::new(model, &top, bases.clone(), synapses.clone())?;
        dev.reset()?;
        let mut load = 0;
        for (k, b) in beats.iter().enumerate() {
            load += dev.load(k as u32, b)?;
        }
        Ok((Box::new(dev), load))
    };
    run_lockstep_on(&open, &mut e, o, None).map(|r| r.steps)
}

/// The reference's spikes of step `t` of `net`.
fn reference_spikes(net: &Network, t: u64) -> Vec<u32> {
    let mut e = model(net).into_engine();
    let mut r = StepRecords::default();
    for _ in 0..=t {
        r = StepRecords::of_engine_step(&mut e);
    }
    r.spikes
}

/// Checks a wrong-step divergence: at [`WRONG_STEP`], spike 0 of the step
/// (the reference's first spiking neuron), field `step` one too high.
fn check_wrong_step(r: Result<u64, LockstepError>, spikes: &[u32], on: &str) -> String {
    let d = match r {
        Err(LockstepError::Diverged(d)) => d,
        Ok(steps) => panic!("{on}: spikes of the wrong step not caught over {steps} steps"),
        Err(e) => panic!("{on}: unexpected error {e}"),
    };
    let dv = &d.divergence;
    assert_eq!(dv.step, WRONG_STEP, "{on}:\n{d}");
    assert_eq!(
        dv.kind,
        RecordKind::Spike {
            index: 0,
            neuron: spikes[0]
        },
        "{on}:\n{d}"
    );
    assert_eq!(dv.diffs.len(), 1, "{on}:\n{d}");
    let f = &dv.diffs[0];
    assert_eq!(
        (f.field, f.expected, f.got),
        ("step", WRONG_STEP as i64, WRONG_STEP as i64 + 1),
        "{on}:\n{d}"
    );
    let text = d.to_string();
    assert!(
        text.contains(&format!(
            "at step {WRONG_STEP}, spike 0 of the step (neuron {}); step: reference {WRONG_STEP}, other {}",
            spikes[0],
            WRONG_STEP + 1
        )),
        "{on}:\n{text}"
    );
    text
}

#[test]
fn a_spike_of_the_wrong_step_diverges_on_a_core_and_on_a_mesh_naming_core_and_neuron() {
    let net = network();
    let spikes = reference_spikes(&net, WRONG_STEP);
    assert!(!spikes.is_empty(), "step {WRONG_STEP} has spikes");
    let hdl = wrong_step_hdl();
    let repro = "cargo test -p spikefab-cosim --test rtl_checks wrong_step";

    let core = check_wrong_step(
        on_core(&net, &hdl, &opts(WRONG_STEP + 5, None, repro)),
        &spikes,
        "single core",
    );
    assert!(
        !core.contains("\non core"),
        "a single core names no core:\n{core}"
    );
    println!("wrong spike step on a single core:\n{core}");

    let mesh = check_wrong_step(
        on_mesh(&net, &hdl, &opts(WRONG_STEP + 5, None, repro)),
        &spikes,
        "2x1 mesh",
    );
    // the 2x1 mesh's cores hold [0, b) and [b, 33): the first spike's core
    let hw = mesh_hw();
    let m: Mesh = "2x1".parse().expect("mesh");
    let src = build_mesh_model(&net, &hw, &m, 1).expect("mesh model");
    let cores = partition(&src, &hw, &m).expect("partition").cores;
    let k = cores
        .iter()
        .position(|c| (c.lo..c.hi).contains(&spikes[0]))
        .expect("a core holds the neuron");
    let want = format!(
        "\non core {k} (row {k}, col 0), local neuron {}\n",
        spikes[0] - cores[k].lo
    );
    assert!(mesh.contains(&want), "the mesh names `{want}`:\n{mesh}");
    assert!(mesh.contains("reproduce with: cargo test"), "{mesh}");
    println!(
        "wrong spike step on a 2x1 mesh (neuron {} on core {k}):\n{mesh}",
        spikes[0]
    );

    // the same network on the healthy RTL matches over the same steps
    let ok = on_mesh(
        &net,
        &support::hdl_dir(),
        &opts(WRONG_STEP + 5, None, repro),
    )
    .unwrap_or_else(|e| panic!("the healthy mesh: {e}"));
    println!("the healthy 2x1 mesh: matched {ok} steps");
}

/// Checks a stop report and its waveform; `wave` is where it was asked for.
fn check_stop(r: Result<u64, LockstepError>, wave: &Path, on: &str, phase: &str) -> String {
    let s = match r {
        Err(LockstepError::Stopped(s)) => s,
        Ok(steps) => panic!("{on}: the $stop never fired over {steps} steps"),
        Err(e) => panic!("{on}: unexpected error {e}"),
    };
    let text = s.to_string();
    assert_eq!(s.step, STOP_STEP, "{on}:\n{text}");
    assert!(s.message.contains("Verilog $stop"), "{on}:\n{text}");
    assert!(s.message.contains("snn_lif_core.v"), "{on}:\n{text}");
    assert!(s.cycle > 0, "{on}:\n{text}");
    assert!(
        text.starts_with(&format!(
            "RTL stopped itself in step {STOP_STEP}, {phase}, at simulated cycle {}: ",
            s.cycle
        )),
        "{on}:\n{text}"
    );
    assert!(
        text.ends_with("reproduce with: cargo test -p spikefab-cosim --test rtl_checks rtl_stop"),
        "{on}:\n{text}"
    );
    let (path, first, last) = s
        .vcd
        .clone()
        .unwrap_or_else(|| panic!("{on}: no waveform:\n{text}"));
    assert_eq!(path, wave);
    assert_eq!((first, last), (STOP_STEP - WINDOW, STOP_STEP), "{on}");
    assert!(
        text.contains(&format!(
            "waveform of steps {first}..={last} (up to the stop): {}",
            wave.display()
        )),
        "{on}:\n{text}"
    );
    let vcd = std::fs::read_to_string(wave).expect("the VCD exists");
    assert!(vcd.contains("$enddefinitions"), "{on}");
    let steps = vcd_values(&vcd, "step_o");
    for t in first..=last {
        assert!(
            steps.contains(&t),
            "{on}: the VCD covers step {t}: step_o took {steps:?}"
        );
    }
    assert!(
        steps.iter().all(|&t| t <= last),
        "{on}: the VCD ends at the stop: step_o took {steps:?}"
    );
    println!(
        "$stop on {on}:\n{text}\n(VCD: {} bytes, step_o {steps:?})",
        vcd.len()
    );
    text
}

#[test]
fn an_rtl_stop_names_step_phase_cycle_and_message_with_a_waveform_on_a_core_and_a_mesh() {
    let net = network();
    let hdl = stopping_hdl();
    let repro = "cargo test -p spikefab-cosim --test rtl_checks rtl_stop";
    let phase_a = "phase A (neuron updates) (phase_o = 1)";

    let wave = tmp().join("stop-core.vcd");
    let _ = std::fs::remove_file(&wave);
    check_stop(
        on_core(&net, &hdl, &opts(STOP_STEP + 5, Some(wave.clone()), repro)),
        &wave,
        "a single core",
        phase_a,
    );

    let wave = tmp().join("stop-mesh.vcd");
    let _ = std::fs::remove_file(&wave);
    check_stop(
        on_mesh(&net, &hdl, &opts(STOP_STEP + 5, Some(wave.clone()), repro)),
        &wave,
        "a 2x1 mesh",
        &format!(
            "{phase_a} [core 0: phase A (neuron updates) (1); core 1: phase A (neuron updates) (1)]"
        ),
    );
}
