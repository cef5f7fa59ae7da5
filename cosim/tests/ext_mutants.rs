//! The co-simulation catches a broken external-memory front end: copies of
//! `hdl/snn_syn_fetch.v` with one fault each (a read beat dropped, a burst
//! read from the wrong address, the address bus off by one beat; with the
//! row index in external memory, on `ext_idx`: a row word taken from the
//! wrong lane, an index read one beat too far, synapse bursts that do not
//! skip the index) run the same network on `ext_odd` or `ext_idx` in
//! lockstep, and each run must fail (a divergence, a protocol error of the
//! memory model or a watchdog), while the unmodified sources match on both.
//! The first three are the faults issue 10 names for the mutation check ("a
//! dropped beat and a wrong burst address"), written by hand because an
//! operator mutation tool does not produce them as such.

mod support;

use std::fs;
use std::path::Path;

use spikefab_cosim::lockstep::{configured_ext, run_lockstep_on, ExtMemory, MemTiming};
use spikefab_gen::GenOptions;
use support::{hdl_dir, hw, load_net, opts, prepare_from_hdl_dir, work_dir};

/// (what, hw config, text in snn_syn_fetch.v, replacement)
const MUTANTS: &[(&str, &str, &str, &str)] = &[
    (
        "the second beat of every burst dropped",
        "ext_odd",
        ".we_i   (r_take),",
        ".we_i   (r_take & (s_rcv_q[r_slot] != LEN_ONE)),",
    ),
    (
        "a row's first burst read one beat too far",
        "ext_odd",
        "wire [AX_W-1:0] f_addr    = f_base_x + ((IDX_BEATS_X + f_start_x) << SIZE);",
        "wire [AX_W-1:0] f_addr    = f_base_x + ((IDX_BEATS_X + f_start_x + 1) << SIZE);",
    ),
    (
        "every burst's address one beat low",
        "ext_odd",
        "assign m_axi_araddr_o  = ar_addr_q[AXI_ADDR_W-1:0];",
        "assign m_axi_araddr_o  = ar_addr_q[AXI_ADDR_W-1:0] - BEAT_BYTES[AXI_ADDR_W-1:0];",
    ),
    (
        "every row word taken from the next lane of its index beat",
        "ext_idx",
        "wire [IL_W-1:0]       ix_lane = ix_rrow[IL_W-1:0] & IL_MASK;",
        "wire [IL_W-1:0]       ix_lane = (ix_rrow[IL_W-1:0] + 1'b1) & IL_MASK;",
    ),
    (
        "every index read one beat too far",
        "ext_idx",
        "wire [AX_W-1:0] ia_addr  = f_base_x + ((ia_row_x >> IL_SH) << SIZE);",
        "wire [AX_W-1:0] ia_addr  = f_base_x + (((ia_row_x >> IL_SH) + 1) << SIZE);",
    ),
    (
        "synapse bursts that do not skip the row index",
        "ext_idx",
        "wire [AX_W-1:0] f_addr    = f_base_x + ((IDX_BEATS_X + f_start_x) << SIZE);",
        "wire [AX_W-1:0] f_addr    = f_base_x + (f_start_x << SIZE);",
    ),
];

/// Run `tiny.toml` on `config` with the hand-written sources from `hdl`;
/// `Ok` with the marker, or the failure's text.
fn run(hdl: &Path, config: &str, name: &str) -> Result<String, String> {
    let hwc = hw(config);
    let net = load_net("../../../gen/tests/nets/tiny.toml");
    let mut p = prepare_from_hdl_dir(&net, &hwc, &GenOptions::default(), &work_dir(name), hdl)?;
    let timing = MemTiming {
        latency: 23,
        jitter: 9,
        reorder: true,
        ..MemTiming::default()
    };
    let mem: ExtMemory = p
        .ext_memory(&timing)
        .expect("the config has an external store");
    let o = opts(
        40,
        5,
        100,
        1,
        format!("cargo test -p spikefab-cosim --test ext_mutants ({name})"),
    );
    let open = || configured_ext(&p.lib, &p.core, &p.beats, Some(&mem), &o);
    run_lockstep_on(&open, &mut p.engine, &o, None)
        .map(|r| r.marker())
        .map_err(|e| e.to_string())
}

#[test]
fn cosim_catches_a_dropped_beat_and_a_wrong_burst_or_index_address_in_the_fetch() {
    for config in ["ext_odd", "ext_idx"] {
        let ok = run(&hdl_dir(), config, &format!("ext-mutant-none-{config}"))
            .expect("the unmodified sources must match");
        println!("unmodified on {config}: {ok}");
    }
    let src = fs::read_to_string(hdl_dir().join("snn_syn_fetch.v")).expect("snn_syn_fetch.v");
    for (k, (what, config, from, to)) in MUTANTS.iter().enumerate() {
        assert_eq!(
            src.matches(from).count(),
            1,
            "`{from}` is not once in snn_syn_fetch.v"
        );
        let dir = work_dir(&format!("ext-mutant-hdl-{k}"));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the mutant's folder");
        for e in fs::read_dir(hdl_dir()).expect("read hdl/") {
            let e = e.expect("entry");
            if e.path().extension().is_some_and(|x| x == "v") {
                fs::copy(e.path(), dir.join(e.file_name())).expect("copy");
            }
        }
        fs::write(dir.join("snn_syn_fetch.v"), src.replace(from, to)).expect("write the mutant");
        match run(&dir, config, &format!("ext-mutant-{k}")) {
            Ok(m) => panic!("mutant `{what}` on {config} was not caught: {m}"),
            Err(e) => println!(
                "mutant `{what}` on {config}: caught: {}",
                e.lines().next().unwrap_or_default()
            ),
        }
    }
}
