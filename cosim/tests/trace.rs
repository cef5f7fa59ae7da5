//! VCD tracing: the file names the design's signals and covers exactly the
//! traced window; a second window goes to a second file; errors are errors.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{acc_spec, build_shared};
use spikefab_cosim::{CosimError, RandReset};

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-trace");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `#<time>` stamps of a VCD file.
fn times(vcd: &str) -> Vec<u64> {
    vcd.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|t| t.trim().parse().unwrap())
        .collect()
}

#[test]
fn a_vcd_holds_the_signals_and_only_the_traced_cycles() {
    let lib = build_shared(&acc_spec());
    let mut m = lib.instantiate(4, RandReset::Random).unwrap();
    let (rst, en, din) = (
        m.port("rst_i").unwrap(),
        m.port("en_i").unwrap(),
        m.port("din_i").unwrap(),
    );
    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    m.set(rst, 0).unwrap();
    m.set(en, 1).unwrap();
    m.set(din, 3).unwrap();
    m.ticks(9).unwrap(); // cycles 0..=9: times 0..=19

    let first = out_dir().join("window1.vcd");
    let second = out_dir().join("window2.vcd");
    let _ = fs::remove_file(&first);
    let _ = fs::remove_file(&second);
    m.trace_open(&first).unwrap();
    let e = m.trace_open(&second).unwrap_err();
    assert!(matches!(e, CosimError::Trace { .. }), "{e}");
    assert!(e.to_string().contains("already open"), "{e}");
    m.ticks(5).unwrap(); // cycles 10..=14: times 20..=29
    m.trace_close();
    m.ticks(5).unwrap(); // cycles 15..=19, untraced
    m.trace_close(); // closing twice is harmless
    m.trace_open(&second).unwrap();
    m.ticks(3).unwrap(); // cycles 20..=22: times 40..=45
    m.trace_close();

    let vcd = fs::read_to_string(&first).unwrap();
    for signal in [
        "clk_i",
        "rst_i",
        "en_i",
        "din_i",
        "acc_o",
        "wide_o",
        "count_o",
        "scratch_o",
    ] {
        assert!(
            vcd.lines()
                .any(|l| l.trim_start().starts_with("$var")
                    && l.split_whitespace().any(|w| w == signal)),
            "{signal} is declared in the VCD"
        );
    }
    assert!(
        vcd.contains("$scope module cosim_acc"),
        "the design's scope is there"
    );
    let t1 = times(&vcd);
    assert_eq!(t1.first(), Some(&20));
    assert_eq!(t1.last(), Some(&29));
    assert_eq!(
        t1,
        (20..=29).collect::<Vec<u64>>(),
        "one stamp per half cycle of the window"
    );

    let t2 = times(&fs::read_to_string(&second).unwrap());
    assert_eq!(t2, (40..=45).collect::<Vec<u64>>());
    println!(
        "cosim trace: window 1 has {} time stamps ({}..={}), window 2 has {} ({}..={})",
        t1.len(),
        t1[0],
        t1[t1.len() - 1],
        t2.len(),
        t2[0],
        t2[t2.len() - 1]
    );
}

#[test]
fn a_trace_file_that_cannot_be_created_is_an_error_and_the_model_goes_on() {
    let lib = build_shared(&acc_spec());
    let mut m = lib.instantiate(4, RandReset::Zeros).unwrap();
    let path = out_dir().join("no-such-folder").join("x.vcd");
    let e = m.trace_open(&path).unwrap_err();
    assert!(matches!(e, CosimError::Trace { .. }), "{e}");
    assert!(e.to_string().contains("no-such-folder"), "{e}");
    m.ticks(3).unwrap();
    assert_eq!(m.cycles(), 3);
}
