//! Lockstep co-simulation of `hdl/snn_lif_core.v`, verilated, against the
//! reference engine: whole networks, every record of every step.

use std::path::{Path, PathBuf};

use spikefab_cosim::lockstep::{core_spec, run_lockstep, LockstepError, LockstepOptions};
use spikefab_cosim::{build, ModelLib};
use spikefab_gen::images::{core_images, load_beats, network_core, CoreImages};
use spikefab_gen::NetModel;
use spikefab_hdl::core::CoreParams;
use spikefab_sim::engine::Engine;
use spikefab_sim::load::load_file;

/// `hdl/`, or `$SPIKEFAB_HDL_DIR` when set (the mutation tool's copy).
fn hdl_dir() -> PathBuf {
    match std::env::var_os("SPIKEFAB_HDL_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../hdl"),
    }
}

fn cache_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-lockstep")
}

fn net(name: &str) -> Engine {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/nets")
        .join(name);
    let net = load_file(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
    Engine::from_network(&net).unwrap_or_else(|d| panic!("{name}: {d:?}"))
}

fn opts(steps: u64, spk_pct: u32) -> LockstepOptions {
    LockstepOptions {
        steps,
        spk_pct,
        stall_seed: 0x2545,
        x_seed: 7,
        history: 6,
        wave: None,
        wave_window: 3,
        repro: "cargo test -p spikefab-cosim --test lockstep".into(),
    }
}

/// An STDP core of odd sizes for `e`'s network (its numerics).
fn stdp_core(e: &Engine) -> CoreParams {
    CoreParams {
        n_neurons: 45,
        rows: 45,
        n_pops: 3,
        syn_depth: 333,
        plastic: true,
        n_rules: 3,
        inc_depth: 250,
        ..network_core(&model_of(e), None)
    }
}

fn model_of(e: &Engine) -> NetModel {
    NetModel::new(e.model.clone(), e.syn.clone())
}

fn images(e: &Engine, core: &CoreParams) -> CoreImages {
    core_images(&model_of(e), core).expect("images")
}

/// Build the model of `core` (fault included) and run `e` on it.
fn run(
    e: &mut Engine,
    core: CoreParams,
    o: &LockstepOptions,
) -> (
    Result<spikefab_cosim::lockstep::LockstepReport, LockstepError>,
    ModelLib,
) {
    let img = images(e, &core);
    let spec = core_spec(&hdl_dir(), &core);
    let lib = build(&spec, &cache_root()).unwrap_or_else(|err| panic!("build: {err}"));
    println!("{}", lib.describe());
    let r = run_lockstep(&lib, &core, &load_beats(&img), e, o);
    (r, lib)
}

#[test]
fn stdp_network_matches_in_lockstep_with_spike_out_stalls() {
    for pct in [100, 23] {
        let mut e = net("stdp_odd.toml");
        let core = stdp_core(&e);
        let (r, _) = run(&mut e, core, &opts(300, pct));
        let r = r.unwrap_or_else(|err| panic!("{err}"));
        assert!(r.weight_writes > 0 && r.spikes > 0);
        println!(
            "{} (spike-out ready {pct}%; {} cycles, {:.0} cycles/s)",
            r.marker(),
            r.total_cycles,
            r.cycles_per_second()
        );
    }
}

#[test]
fn injected_faults_are_reported_at_their_step_with_a_waveform() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-faults");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let probe = |from: u64, weights: bool| -> u64 {
        let mut e = net("stdp_odd.toml");
        loop {
            let r = spikefab_sim::records::StepRecords::of_engine_step(&mut e);
            let active = if weights {
                !r.weights.is_empty()
            } else {
                !r.spikes.is_empty()
            };
            if r.step >= from && active {
                return r.step;
            }
            assert!(r.step < from + 500, "no active step");
        }
    };
    for (kind, step) in [(1u32, 40u64), (2, probe(52, false)), (3, probe(61, true))] {
        let mut e = net("stdp_odd.toml");
        let mut o = opts(step + 10, 100);
        o.wave = Some(dir.join(format!("fault{kind}.vcd")));
        let core = CoreParams {
            fault: kind,
            fault_step: step as u32,
            ..stdp_core(&e)
        };
        let (r, _) = run(&mut e, core, &o);
        match r {
            Err(LockstepError::Diverged(d)) => {
                println!("FAULT {kind} at step {step}: {d}");
                assert_eq!(d.divergence.step, step, "FAULT {kind}: {d}");
                let (p, a, b) = d.vcd.clone().expect("a waveform");
                assert_eq!((a, b), (step - 3, step));
                let text = std::fs::read_to_string(&p).expect("vcd");
                assert!(text.contains("obs_v_o") && text.contains("$enddefinitions"));
            }
            Ok(r) => panic!("FAULT {kind} at step {step} not caught: {}", r.marker()),
            Err(e) => panic!("FAULT {kind}: unexpected error {e}"),
        }
    }
}

/// A step that does not complete within the watchdog bound is an error that
/// names the step, the cycle count and the phase the core is stuck in (the
/// bound is set to 30 cycles, less than phase A of 38 neurons takes).
#[test]
fn a_step_past_the_watchdog_bound_names_its_cycles_and_phase() {
    use spikefab_cosim::lockstep::Core;
    use spikefab_cosim::RandReset;
    let e = net("stdp_odd.toml");
    let params = stdp_core(&e);
    let img = images(&e, &params);
    let spec = core_spec(&hdl_dir(), &params);
    let lib = build(&spec, &cache_root()).unwrap_or_else(|err| panic!("build: {err}"));
    let model = lib.instantiate(1, RandReset::Random).expect("instance");
    let mut core = Core::new(model, &params, 100, 7).expect("core");
    core.reset().expect("reset");
    core.load(&load_beats(&img)).expect("load");
    core.set_watchdog(30);
    let msg = match core.step(0) {
        Err(err @ LockstepError::Watchdog { .. }) => err.to_string(),
        Err(err) => panic!("unexpected error: {err}"),
        Ok(_) => panic!("the watchdog never fired"),
    };
    println!("watchdog: {msg}");
    assert!(
        msg.contains("step 0 did not complete within 31 cycles")
            && msg.contains("stuck in phase A (neuron updates)"),
        "{msg}"
    );
}

/// `stdp_odd.toml` without its plasticity (the same numerics, so that it
/// runs on the same core) and with another seed: a static network.
fn static_of_stdp_odd() -> Engine {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nets/stdp_odd.toml");
    let text = std::fs::read_to_string(&p).expect("read stdp_odd.toml");
    let toml: String = text
        .lines()
        .filter(|l| !l.starts_with("stdp = "))
        .map(|l| {
            if l.starts_with("seed = ") {
                "seed = 4141\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let net = spikefab_sim::load::load_str(&toml, "static_of_stdp_odd").expect("load");
    let e = Engine::from_network(&net).expect("build");
    assert!(e.syn.rule.iter().all(|&r| r == 0), "still plastic");
    e
}

/// A host's session without resets: the STDP core (odd sizes) is loaded
/// with a static network and run, reconfigured with an STDP network and
/// run, then reconfigured with that STDP network again and run; every step
/// of every stage must equal a fresh engine's of its network. The verilated
/// core runs through `Core::load` with the ready handshake, which waits out
/// the configuration clear (SLOTS x N_NEURONS cycles, one more to start it).
#[test]
fn a_core_reconfigured_without_reset_matches_fresh_engines_in_lockstep() {
    use spikefab_cosim::lockstep::{run_reconfigured, Stage};
    let stdp = net("stdp_odd.toml");
    let core = stdp_core(&stdp);
    let spec = core_spec(&hdl_dir(), &core);
    let lib = build(&spec, &cache_root()).unwrap_or_else(|err| panic!("build: {err}"));
    let mut engines = [
        static_of_stdp_odd(),
        net("stdp_odd.toml"),
        net("stdp_odd.toml"),
    ];
    let beats: Vec<_> = engines
        .iter()
        .map(|e| load_beats(&images(e, &core)))
        .collect();
    let steps = [70u64, 60, 60];
    for pct in [100, 31] {
        let mut fresh: Vec<Engine> = vec![
            static_of_stdp_odd(),
            net("stdp_odd.toml"),
            net("stdp_odd.toml"),
        ];
        let mut stages: Vec<Stage> = fresh
            .iter_mut()
            .zip(&beats)
            .zip(steps)
            .map(|((engine, beats), steps)| Stage {
                beats,
                engine,
                steps,
            })
            .collect();
        let reports = run_reconfigured(&lib, &core, &mut stages, &opts(0, pct))
            .unwrap_or_else(|err| panic!("spike-out ready {pct}%: {err}"));
        for (k, r) in reports.iter().enumerate() {
            println!(
                "stage {k}: {} (spike-out ready {pct}%; configuration {} cycles for {} beats)",
                r.marker(),
                r.load_cycles,
                beats[k].len()
            );
            assert_eq!(r.steps, steps[k]);
        }
        assert!(reports[0].spikes > 0 && reports[2].weight_writes > 0);
        // the first configuration (after reset) takes one cycle per beat;
        // each reconfiguration also the clear
        let clear = core.slots * core.n_neurons + 1;
        assert_eq!(reports[0].load_cycles, beats[0].len() as u64);
        for k in 1..3 {
            assert_eq!(
                reports[k].load_cycles,
                beats[k].len() as u64 + clear,
                "stage {k}: reconfiguration cycles"
            );
        }
    }
    // what each reconfiguration had to forget: input in flight and traces
    for (k, e) in engines.iter_mut().enumerate().take(2) {
        let mut in_flight = 0;
        for _ in 0..steps[k] {
            let t = e.step_index();
            let spikes = e.step().to_vec();
            for s in spikes {
                in_flight += e
                    .syn
                    .row(s)
                    .filter(|&y| {
                        t + u64::from(spikefab_sim::connect::key_delay(e.syn.key[y])) >= steps[k]
                    })
                    .count();
            }
        }
        let traces = e
            .state
            .iter()
            .filter(|s| s.x_pre != 0 || s.y_post != 0)
            .count();
        println!(
            "before reconfiguration {}: {in_flight} deliveries in flight, {traces} nonzero traces",
            k + 1
        );
        assert!(in_flight > 0, "stage {k} leaves nothing in flight");
        assert!(k == 0 || traces > 0, "stage {k} leaves no traces");
    }
}
