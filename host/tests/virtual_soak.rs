//! The driver against the RTL: the virtual board (the verilated board core
//! of `spikefab build`, with its host link and spike buffer) configured and
//! run through `Board`, with and without faults on the link, against the
//! reference simulator. Real Verilator and g++: a missing tool fails these
//! tests with the install hint, never skips them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use spikefab_build::virtual_board::{virtual_design, VirtualDesign};
use spikefab_cosim::{build, ModelLib, RandReset};
use spikefab_gen::HwConfig;
use spikefab_host::fault::{FaultConfig, Faulty};
use spikefab_host::proto::status_bits::LOAD_READY;
use spikefab_host::proto::{LoadBeat, SpikeRecord};
use spikefab_host::virtual_board::{spec, VirtualBoard};
use spikefab_host::{Board, BoardConfig, BoardError, LinkConfig};
use spikefab_sim::models::{balanced, BalancedParams};

mod common;

const CLOCK_HZ: f64 = 100e6;

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small balanced network (not a power of two: 75 neurons) on the
/// config `small`-sized core the design generator makes for it.
fn design(name: &str, n: u32) -> (VirtualDesign, ModelLib) {
    let net = balanced(&BalancedParams {
        n,
        ..BalancedParams::default()
    })
    .unwrap();
    let hw = spikefab_gen::build::sized_config(&net, &HwConfig::default(), 1).unwrap();
    let d = virtual_design(&net, &hw, None, 1, &dir(name)).unwrap();
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vboard-cache");
    let lib = build(&spec(d.top, &d.sources, &[]), &cache).unwrap();
    (d, lib)
}

fn beats(d: &VirtualDesign) -> Vec<LoadBeat> {
    common::board_beats(&d.load.beats, |_| true)
}

/// The reference's spikes of `steps` steps, as the board reports them.
fn reference(d: &mut VirtualDesign, steps: u32) -> Vec<SpikeRecord> {
    // the design's engine is at step 0; it runs once per test
    let e = &mut d.load.engine;
    let mut v = Vec::new();
    for t in 0..steps {
        for &n in e.step() {
            v.push(SpikeRecord { step: t, neuron: n });
        }
    }
    v.sort_unstable();
    v
}

fn cfg(retries: u32) -> BoardConfig {
    BoardConfig {
        link: LinkConfig {
            timeout: Duration::from_micros(500),
            retries,
            first_seq: None,
        },
        poll_interval: Duration::from_micros(20),
        max_idle: Duration::from_millis(100),
    }
}

#[test]
fn the_virtual_board_runs_a_network_exactly_as_the_reference() {
    let (mut d, lib) = design("vboard-exact", 75);
    let steps = 300;
    let vb =
        VirtualBoard::from_model(lib.instantiate(3, RandReset::Random).unwrap(), CLOCK_HZ).unwrap();
    let mut b = Board::open(vb, cfg(4)).unwrap();
    b.check_config_hash(d.load.config_hash).unwrap();
    b.configure(&beats(&d), &mut |_| {}).unwrap();
    // STATUS bit 4 (the load port ready) says no step has run since the
    // configuration: what `spikefab run --no-configure` relies on
    let ready = |b: &mut Board<VirtualBoard>| b.status().unwrap().status & LOAD_READY != 0;
    assert!(ready(&mut b), "configured, not run");
    let (mut got, rep) = b.run_collect(steps, 0).unwrap();
    assert!(
        !ready(&mut b),
        "run: the state is no longer the configuration's"
    );
    got.sort_unstable();
    let want = reference(&mut d, steps);
    assert!(
        !want.is_empty(),
        "the network must spike for the test to mean anything"
    );
    assert_eq!(got, want);
    assert_eq!(rep.steps, u64::from(steps));
    assert_eq!(rep.bad_frames + rep.dup_frames + rep.retries, 0);
    // a second configuration (the reconfiguration clear) and run: the same
    let vb2 = b.into_link().into_transport();
    let mut b = Board::open(vb2, cfg(4)).unwrap();
    b.configure(&beats(&d), &mut |_| {}).unwrap();
    let (mut again, _) = b.run_collect(steps, 0).unwrap();
    again.sort_unstable();
    assert_eq!(
        again, want,
        "a reconfigured board must run the network again from step 0"
    );
}

#[test]
fn a_wrong_design_is_refused_by_its_config_hash() {
    let (d, lib) = design("vboard-hash", 75);
    let vb =
        VirtualBoard::from_model(lib.instantiate(1, RandReset::Random).unwrap(), CLOCK_HZ).unwrap();
    let b = Board::open(vb, cfg(2)).unwrap();
    assert_eq!(b.config_hash(), d.load.config_hash);
    let e = b.check_config_hash(d.load.config_hash ^ 1).unwrap_err();
    assert!(matches!(e, BoardError::ConfigHash { .. }), "{e}");
}

/// 100 runs with random fault schedules (up to 10% of the frames in each
/// direction dropped, corrupted, duplicated, delayed, split, cut or
/// preceded by garbage; every other run takes bytes as a UART does, losing
/// those that come while the link is busy): each ends with the reference's
/// spikes exactly or
/// with a clear error; none hangs (each is bounded in wall time) and none
/// is silently different.
#[test]
fn fault_soak_on_the_rtl_every_run_is_exact_or_a_clear_error() {
    let (mut d, lib) = design("vboard-soak", 75);
    let steps = 60u32;
    let want = reference(&mut d, steps);
    let bs = beats(&d);
    let runs = std::env::var("SPIKEFAB_SOAK")
        .ok()
        .filter(|v| v == "1")
        .map_or(100, |_| 1000);
    let (mut exact, mut errors, mut faults) = (0, 0, 0u64);
    let mut worst = Duration::ZERO;
    let mut lost = 0u64;
    for seed in 1..=runs as u64 {
        let pct = (seed % 11) as f64 / 100.0; // 0 .. 10 %
        let t0 = Instant::now();
        let mut vb = VirtualBoard::from_model(
            lib.instantiate(seed as u32, RandReset::Random).unwrap(),
            CLOCK_HZ,
        )
        .unwrap();
        // every other run takes bytes as a UART does: a retry that comes
        // while the link executes or answers loses bytes (RX_ERRORS)
        vb.set_lossy_rx(seed % 2 == 0);
        let f = Faulty::new(vb, FaultConfig::uniform(seed, pct));
        let res = (|| {
            let mut b = Board::open(f, cfg(6))?;
            b.configure(&bs, &mut |_| {})?;
            let (mut got, _) = b.run_collect(steps, 0)?;
            got.sort_unstable();
            let inj = b.link().transport().injected();
            let lost = b.link().transport().inner().bytes_lost;
            Ok::<_, BoardError>((got, inj.send.faulted() + inj.recv.faulted(), lost))
        })();
        let el = t0.elapsed();
        worst = worst.max(el);
        assert!(
            el < Duration::from_secs(60),
            "run {seed} took {el:?}: a hang"
        );
        match res {
            Ok((got, n, l)) => {
                faults += n;
                lost += l;
                assert_eq!(got, want, "run {seed} ({pct}): a silently different trace");
                exact += 1;
            }
            Err(e) => {
                let m = e.to_string();
                assert!(
                    m.contains("virtual board") || m.contains("no response"),
                    "run {seed}: an error that does not say where: {m}"
                );
                errors += 1;
            }
        }
    }
    println!(
        "fault soak on the RTL: {runs} runs, {exact} identical, {errors} clear errors, 0 hangs, \
         0 different ({faults} faults injected, {lost} bytes lost at a busy link in the UART-like \
         runs, slowest run {worst:.2?})"
    );
    assert!(faults > 0, "no fault was injected: the soak tests nothing");
    assert!(
        lost > 0,
        "no byte met a busy link: the UART-like path was not tested"
    );
    assert!(
        exact >= runs * 9 / 10,
        "too few runs completed: {exact} of {runs}"
    );
}
