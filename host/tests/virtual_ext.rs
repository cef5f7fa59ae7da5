//! An external-store design on the virtual board: the board core's AXI4
//! port on a memory model whose image starts empty, the host writing the
//! synapse region through the link (load-port memory id `EXT_LOAD_ID`,
//! `snn_ext_write`), the cores reading it back while they run. Real
//! Verilator and g++: a missing tool fails these tests, never skips them.

use std::path::PathBuf;
use std::time::Duration;

use spikefab_build::virtual_board::{virtual_design, VirtualDesign};
use spikefab_cosim::axi::AxiMemConfig;
use spikefab_cosim::{Port, RandReset};
use spikefab_gen::HwConfig;
use spikefab_hdl::core::EXT_LOAD_ID;
use spikefab_host::proto::{LoadBeat, SpikeRecord};
use spikefab_host::virtual_board::{spec, MemorySpec, VirtualBoard};
use spikefab_host::{Board, BoardConfig, LinkConfig};
use spikefab_sim::models::{balanced, BalancedParams};
use spikefab_sim::net::DelayDist;

mod common;

const CLOCK_HZ: f64 = 100e6;

/// A 75-neuron balanced network (g = 3.5 and delays of 1 ms, within the
/// weight format and the ring of every config here) on the external-store config `hw`, and the memory model of its
/// design (latency 23 cycles, a beat every other cycle, ARREADY and RVALID
/// gaps).
fn design(name: &str, hw: &str) -> (VirtualDesign, MemorySpec, spikefab_cosim::ModelLib) {
    let mut net = balanced(&BalancedParams {
        n: 75,
        g: 3.5,
        ..BalancedParams::default()
    })
    .unwrap();
    for p in &mut net.projections {
        p.delay = Some(DelayDist {
            mean_ms: 1.0,
            sd_ms: 0.0,
        });
    }
    let hw = HwConfig::resolve(hw).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let d = virtual_design(&net, &hw, None, 1, &dir).unwrap();
    let axi = d.axi.expect("an external-store design has an AXI4 port");
    let mem = MemorySpec {
        ports: d.memory_ports.iter().map(Port::from_hdl).collect(),
        config: AxiMemConfig {
            latency: 23,
            bytes_per_cycle: Some(f64::from(axi.data_w / 16)),
            ar_ready_pct: 70,
            r_valid_pct: 80,
            seed: 7,
            ..AxiMemConfig::for_port(&axi)
        },
    };
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vboard-cache");
    let lib = spikefab_cosim::build(&spec(d.top, &d.sources, &mem.ports), &cache).unwrap();
    (d, mem, lib)
}

fn beats(d: &VirtualDesign, keep: impl Fn(u8) -> bool) -> Vec<LoadBeat> {
    common::board_beats(&d.load.beats, keep)
}

fn cfg() -> BoardConfig {
    BoardConfig {
        link: LinkConfig {
            timeout: Duration::from_millis(2),
            retries: 3,
            first_seq: None,
        },
        poll_interval: Duration::from_micros(20),
        max_idle: Duration::from_millis(100),
    }
}

fn board(mem: &MemorySpec, lib: &spikefab_cosim::ModelLib) -> Board<VirtualBoard> {
    let m = lib.instantiate(5, RandReset::Random).unwrap();
    let vb = VirtualBoard::from_model_with(m, Some(mem.config.clone()), CLOCK_HZ).unwrap();
    Board::open(vb, cfg()).unwrap()
}

#[test]
fn an_external_store_runs_from_the_image_the_host_wrote_through_the_link() {
    for hw in ["ext", "ext_idx", "ext_odd"] {
        let (mut d, mem, lib) = design(&format!("vboard-{hw}"), hw);
        let mut b = board(&mem, &lib);
        b.check_config_hash(d.load.config_hash).unwrap();
        let all = beats(&d, |_| true);
        let ext_words = all.iter().filter(|b| b.mem == EXT_LOAD_ID).count();
        assert!(
            ext_words > 0,
            "{hw}: the design's image has an external part"
        );
        b.configure(&all, &mut |_| {}).unwrap();
        let steps = 200;
        let (mut got, _) = b.run_collect(steps, 0).unwrap();
        got.sort_unstable();
        let mut want = Vec::new();
        for t in 0..steps {
            for &n in d.load.engine.step() {
                want.push(SpikeRecord { step: t, neuron: n });
            }
        }
        want.sort_unstable();
        assert!(!want.is_empty(), "{hw}: the network must spike");
        assert_eq!(got, want, "{hw}");
        let vb = b.into_link().into_transport();
        let m = vb.memory().expect("a memory");
        let axi = d.axi.unwrap();
        let words_per_beat = (axi.data_w / 32) as usize;
        assert_eq!(
            m.beats_written as usize,
            ext_words.div_ceil(words_per_beat),
            "{hw}: one AXI write per image beat"
        );
        assert_eq!(m.bytes_written as usize, 4 * ext_words, "{hw}");
        assert!(m.read_stats().beats > 0, "{hw}: the cores read the store");
    }
}

#[test]
fn the_external_store_board_core_lints_clean() {
    let (d, _, _) = design("vboard-ext-lint", "ext_odd");
    let v = spikefab_cosim::Toolchain::detect().unwrap().verilator;
    let o = std::process::Command::new(&v.path)
        .args(["--lint-only", "-Wall", "--top-module", d.top])
        .args(&d.sources)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_store_the_host_did_not_write_stops_the_run_with_a_clear_error() {
    let (d, mem, lib) = design("vboard-ext-unwritten", "ext");
    let mut b = board(&mem, &lib);
    b.configure(&beats(&d, |m| m != EXT_LOAD_ID), &mut |_| {})
        .unwrap();
    let e = b.run_collect(50, 0).unwrap_err().to_string();
    assert!(
        e.contains("external memory") && e.contains("written"),
        "the error must say the run read memory nobody wrote: {e}"
    );
}

#[test]
fn a_write_the_memory_refuses_is_a_memory_error_after_the_configuration() {
    let (d, mem, lib) = design("vboard-ext-refused", "ext_odd");
    let m = lib.instantiate(9, RandReset::Random).unwrap();
    let mut vb = VirtualBoard::from_model_with(m, Some(mem.config.clone()), CLOCK_HZ).unwrap();
    // the image's last beats lie above this address
    let top = d
        .load
        .beats
        .iter()
        .filter(|(_, b)| b.mem == EXT_LOAD_ID)
        .map(|(_, b)| u64::from(b.addr))
        .max()
        .unwrap();
    let beat_bytes = u64::from(d.axi.unwrap().data_w / 8);
    vb.memory_mut()
        .unwrap()
        .refuse_writes_from(Some(top * beat_bytes));
    let mut b = Board::open(vb, cfg()).unwrap();
    let e = b.configure(&beats(&d, |_| true), &mut |_| {}).unwrap_err();
    assert!(
        matches!(e, spikefab_host::BoardError::MemoryError { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("memory error"), "{e}");
}
