//! Verilator `--lint-only -Wall` over every hdl/*.v module with several
//! parameter sets (any warning fails), and illegal parameters failing
//! elaboration in both Verilator and Icarus with a message naming the parameter.

use std::path::Path;
use std::process::Command;

use spikefab_hdltest::{hdl_dir, hdl_file, hdl_sources, require_tool, scratch_dir};

type Params = &'static [(&'static str, i64)];

/// Parameter sets each module is linted with (defaults first).
const LINT_SETS: &[(&str, &[Params])] = &[
    (
        "snn_pipe_ctrl",
        &[
            &[],
            &[("STAGES", 1)],
            &[("STAGES", 2)],
            &[("STAGES", 6)],
            &[("STAGES", 7)],
        ],
    ),
    (
        "snn_mem",
        &[
            &[],
            &[("WIDTH", 1), ("DEPTH", 1)],
            &[("WIDTH", 33), ("DEPTH", 7), ("LANE_W", 15), ("RD_PORTS", 2)],
            &[("WIDTH", 7), ("DEPTH", 15), ("RD_REG", 0)],
            &[
                ("WIDTH", 15),
                ("DEPTH", 33),
                ("LANE_W", 1),
                ("RD_REG", 0),
                ("RD_PORTS", 2),
            ],
            &[("WIDTH", 416), ("DEPTH", 3), ("LANE_W", 32), ("RD_REG", 0)],
        ],
    ),
    ("snn_rng", &[&[], &[("USER_BITS", 1)], &[("USER_BITS", 13)]]),
    ("snn_rst_sync", &[&[], &[("STAGES", 2)], &[("STAGES", 5)]]),
    (
        "snn_heartbeat",
        &[
            &[],
            &[("DIV", 1)],
            &[("DIV", 2)],
            &[("DIV", 7)],
            &[("DIV", 2147483647)],
        ],
    ),
    (
        "snn_host_link",
        &[
            &[],
            &[("CORE_W", 16), ("N_CORES", 65536)],
            &[("CORE_W", 5), ("N_CORES", 31), ("IDLE_CYCLES", 1)],
            &[("CORE_W", 7), ("N_CORES", 7), ("IDLE_CYCLES", 53)],
        ],
    ),
    (
        "snn_uart_rx",
        &[
            &[],
            &[("CLKS_PER_BIT", 4)],
            &[("CLKS_PER_BIT", 7)],
            &[("CLKS_PER_BIT", 8)],
            &[("CLKS_PER_BIT", 100000)],
        ],
    ),
    (
        "snn_uart_tx",
        &[
            &[],
            &[("CLKS_PER_BIT", 4)],
            &[("CLKS_PER_BIT", 5)],
            &[("CLKS_PER_BIT", 8)],
            &[("CLKS_PER_BIT", 100000)],
        ],
    ),
    (
        "snn_axis_to_bytes",
        &[
            &[],
            &[("DATA_W", 8)],
            &[("DATA_W", 24)],
            &[("DATA_W", 56)],
            &[("DATA_W", 512)],
            &[("DATA_W", 1024)],
        ],
    ),
    (
        "snn_bytes_to_axis",
        &[
            &[],
            &[("DATA_W", 8)],
            &[("DATA_W", 24), ("MAX_LEN", 0)],
            &[("DATA_W", 56), ("MAX_LEN", 65535)],
            &[("DATA_W", 512)],
            &[("DATA_W", 1024), ("MAX_LEN", 7)],
        ],
    ),
    (
        "snn_axil_const",
        &[&[], &[("ADDR_W", 1)], &[("ADDR_W", 12)], &[("ADDR_W", 64)]],
    ),
    (
        "snn_spike_merge",
        &[
            &[],
            &[("LANES", 3), ("GID_W", 17), ("DEPTH", 33), ("ROOM", 1)],
            &[("LANES", 7), ("DEPTH", 5), ("ROOM", 5)],
            &[("LANES", 2), ("GID_W", 1), ("DEPTH", 2), ("ROOM", 1)],
            &[("LANES", 256), ("GID_W", 32), ("DEPTH", 2), ("ROOM", 2)],
            &[("LANES", 255), ("DEPTH", 4096), ("ROOM", 4000)],
        ],
    ),
    (
        "snn_ext_write",
        &[
            &[],
            &[("DATA_W", 32), ("ADDR_W", 12), ("ID_W", 1)],
            &[("DATA_W", 64), ("ADDR_W", 37), ("ID_W", 16)],
            &[("DATA_W", 128), ("ADDR_W", 33), ("ID_W", 3)],
            &[("DATA_W", 1024), ("ADDR_W", 64), ("ID_W", 16)],
        ],
    ),
    (
        "snn_poisson",
        &[
            &[],
            &[("TABLE_LEN", 1)],
            &[("TABLE_LEN", 7)],
            &[("TABLE_LEN", 33)],
            &[("TABLE_LEN", 256)],
        ],
    ),
    (
        "snn_lif_update",
        &[
            &[],
            &[("PLASTIC", 0)],
            &[
                ("V_BITS", 15),
                ("I_BITS", 13),
                ("COEF_BITS", 11),
                ("COEF_FRAC", 9),
                ("REF_BITS", 3),
                ("TRACE_BITS", 11),
                ("TRACE_FRAC", 7),
                ("IN_BITS", 19),
                ("USER_BITS", 13),
            ],
            &[
                ("V_BITS", 15),
                ("I_BITS", 13),
                ("COEF_BITS", 11),
                ("COEF_FRAC", 9),
                ("REF_BITS", 3),
                ("TRACE_BITS", 11),
                ("TRACE_FRAC", 7),
                ("IN_BITS", 19),
                ("PLASTIC", 0),
                ("USER_BITS", 1),
            ],
            &[
                ("V_BITS", 32),
                ("I_BITS", 32),
                ("COEF_BITS", 28),
                ("COEF_FRAC", 28),
                ("REF_BITS", 1),
                ("TRACE_BITS", 24),
                ("TRACE_FRAC", 0),
                ("IN_BITS", 48),
            ],
            &[
                ("V_BITS", 4),
                ("I_BITS", 4),
                ("COEF_BITS", 2),
                ("COEF_FRAC", 0),
                ("REF_BITS", 16),
                ("TRACE_BITS", 2),
                ("TRACE_FRAC", 1),
                ("IN_BITS", 2),
            ],
        ],
    ),
    (
        "snn_stdp",
        &[
            &[],
            &[
                ("W_BITS", 7),
                ("TRACE_BITS", 11),
                ("TRACE_FRAC", 7),
                ("USER_BITS", 13),
            ],
            &[("W_BITS", 15), ("TRACE_BITS", 11), ("TRACE_FRAC", 7)],
            &[("TRACE_BITS", 24), ("TRACE_FRAC", 23), ("USER_BITS", 1)],
            &[("TRACE_BITS", 24), ("TRACE_FRAC", 0)],
            &[
                ("W_BITS", 2),
                ("TRACE_BITS", 2),
                ("TRACE_FRAC", 1),
                ("USER_BITS", 1),
            ],
        ],
    ),
    (
        "snn_syn_event",
        &[
            &[],
            &[
                ("N_NEURONS", 33),
                ("SLOTS", 7),
                ("ACC_BITS", 13),
                ("W_BITS", 7),
                ("W_SHIFT", 3),
                ("ROWS", 41),
                ("SYN_DEPTH", 137),
            ],
            &[
                ("N_NEURONS", 33),
                ("SLOTS", 7),
                ("ACC_BITS", 19),
                ("W_BITS", 15),
                ("ROWS", 29),
                ("SYN_DEPTH", 155),
            ],
            &[
                ("N_NEURONS", 1),
                ("SLOTS", 2),
                ("ACC_BITS", 4),
                ("W_BITS", 2),
                ("ROWS", 1),
                ("SYN_DEPTH", 1),
            ],
            &[
                ("N_NEURONS", 100),
                ("SLOTS", 256),
                ("ACC_BITS", 32),
                ("W_BITS", 16),
                ("W_SHIFT", 16),
                ("ROWS", 5),
                ("SYN_DEPTH", 4096),
            ],
            &[
                ("ACC_BITS", 16),
                ("W_BITS", 16),
                ("ROWS", 2),
                ("SYN_DEPTH", 2),
            ],
        ],
    ),
    (
        "snn_syn_fetch",
        &[
            &[],
            &[
                ("ROWS", 45),
                ("SYN_DEPTH", 3910),
                ("SYN_W", 22),
                ("SLOT_W", 5),
                ("AXI_DATA_W", 128),
                ("AXI_ID_W", 3),
                ("AXI_BURST", 7),
                ("AXI_OUTSTANDING", 5),
            ],
            &[
                ("ROWS", 37),
                ("SYN_DEPTH", 1553),
                ("SYN_W", 33),
                ("SLOT_W", 7),
                ("AXI_DATA_W", 64),
                ("AXI_ADDR_W", 64),
                ("AXI_BURST", 13),
                ("AXI_OUTSTANDING", 11),
            ],
            &[
                ("ROWS", 23),
                ("SYN_DEPTH", 5611),
                ("SYN_W", 20),
                ("SLOT_W", 3),
                ("AXI_DATA_W", 1024),
                ("AXI_ADDR_W", 20),
                ("AXI_ID_W", 1),
                ("AXI_BURST", 256),
                ("AXI_OUTSTANDING", 1),
            ],
            &[
                ("ROWS", 1),
                ("SYN_DEPTH", 1),
                ("SYN_W", 32),
                ("SLOT_W", 1),
                ("AXI_DATA_W", 32),
                ("AXI_ADDR_W", 12),
                ("AXI_ID_W", 1),
                ("AXI_BURST", 1),
                ("AXI_OUTSTANDING", 1),
            ],
            &[
                ("ROWS", 40),
                ("SYN_DEPTH", 3691),
                ("SYN_W", 9),
                ("SLOT_W", 2),
                ("AXI_DATA_W", 64),
                ("AXI_ADDR_W", 24),
                ("AXI_ID_W", 8),
                ("AXI_BURST", 2),
                ("AXI_OUTSTANDING", 64),
            ],
            // the row index in the region (ROW_EXT = 1): 4 index lanes of
            // 32 bits in 128; one 64-bit row word per 64-bit beat
            &[
                ("ROWS", 45),
                ("SYN_DEPTH", 3910),
                ("SYN_W", 22),
                ("SLOT_W", 5),
                ("AXI_DATA_W", 128),
                ("AXI_ID_W", 3),
                ("AXI_BURST", 7),
                ("AXI_OUTSTANDING", 5),
                ("ROW_EXT", 1),
            ],
            &[
                ("ROWS", 33),
                ("SYN_DEPTH", 70001),
                ("SYN_W", 33),
                ("SLOT_W", 7),
                ("AXI_DATA_W", 64),
                ("AXI_ADDR_W", 33),
                ("AXI_ID_W", 1),
                ("AXI_BURST", 1),
                ("AXI_OUTSTANDING", 1),
                ("ROW_EXT", 1),
            ],
        ],
    ),
    (
        "snn_lif_core",
        &[
            &[],
            // external synapse rows and row index (SYN_EXT = 2), odd sizes
            &[
                ("N_NEURONS", 33),
                ("SLOTS", 7),
                ("ACC_BITS", 17),
                ("W_BITS", 11),
                ("SYN_DEPTH", 330),
                ("SYN_EXT", 2),
                ("AXI_DATA_W", 128),
                ("AXI_ID_W", 3),
                ("AXI_BURST", 7),
                ("AXI_OUTSTANDING", 5),
            ],
            &[
                ("N_NEURONS", 33),
                ("N_POPS", 2),
                ("SLOTS", 7),
                ("V_BITS", 21),
                ("I_BITS", 19),
                ("COEF_BITS", 19),
                ("COEF_FRAC", 17),
                ("REF_BITS", 5),
                ("ACC_BITS", 17),
                ("W_BITS", 11),
                ("W_SHIFT", 2),
                ("TABLE_LEN", 13),
                ("SYN_DEPTH", 330),
            ],
            &[
                ("N_NEURONS", 1),
                ("N_POPS", 1),
                ("SLOTS", 2),
                ("V_BITS", 4),
                ("I_BITS", 4),
                ("COEF_BITS", 2),
                ("COEF_FRAC", 0),
                ("REF_BITS", 1),
                ("ACC_BITS", 4),
                ("W_BITS", 2),
                ("TABLE_LEN", 1),
                ("SYN_DEPTH", 1),
            ],
            &[
                ("N_NEURONS", 100),
                ("N_POPS", 7),
                ("SLOTS", 256),
                ("V_BITS", 32),
                ("I_BITS", 32),
                ("COEF_BITS", 28),
                ("COEF_FRAC", 28),
                ("REF_BITS", 16),
                ("W_SHIFT", 16),
                ("TABLE_LEN", 256),
                ("SYN_DEPTH", 4096),
            ],
            // STDP cores: odd sizes and widths (7-bit weights, 1000 neurons)
            &[
                ("N_NEURONS", 1000),
                ("N_POPS", 3),
                ("SLOTS", 13),
                ("V_BITS", 21),
                ("I_BITS", 19),
                ("COEF_BITS", 19),
                ("COEF_FRAC", 17),
                ("REF_BITS", 5),
                ("ACC_BITS", 17),
                ("W_BITS", 7),
                ("W_SHIFT", 5),
                ("TABLE_LEN", 13),
                ("SYN_DEPTH", 3333),
                ("PLASTIC", 1),
                ("TRACE_BITS", 11),
                ("TRACE_FRAC", 7),
                ("N_RULES", 5),
                ("INC_DEPTH", 777),
                ("N_ACTIVE", 999),
                ("FAULT", 3),
                ("FAULT_STEP", 9),
            ],
            // one core of a mesh: rows of 257 global sources, 33 local neurons
            &[
                ("N_NEURONS", 33),
                ("N_POPS", 3),
                ("SLOTS", 13),
                ("MESH", 1),
                ("ROWS", 257),
                ("SYN_DEPTH", 777),
                ("W_BITS", 7),
                ("W_SHIFT", 5),
            ],
            &[
                ("N_NEURONS", 1),
                ("N_POPS", 1),
                ("SLOTS", 2),
                ("W_BITS", 2),
                ("TABLE_LEN", 1),
                ("SYN_DEPTH", 1),
                ("PLASTIC", 1),
                ("TRACE_BITS", 2),
                ("TRACE_FRAC", 0),
                ("N_RULES", 1),
                ("INC_DEPTH", 1),
            ],
        ],
    ),
    (
        "snn_core_ctrl",
        &[
            &[],
            &[("N_NEURONS", 1), ("SLOTS", 2)],
            &[("N_NEURONS", 33), ("SLOTS", 7), ("PLASTIC", 1)],
            &[("N_NEURONS", 15), ("SLOTS", 13), ("MESH", 1)],
            &[
                ("N_NEURONS", 1000),
                ("SLOTS", 256),
                ("PLASTIC", 1),
                ("MESH", 1),
            ],
            &[
                ("N_NEURONS", 7),
                ("SLOTS", 3),
                ("PLASTIC", 1),
                ("MESH", 1),
                ("ROWS", 33),
            ],
        ],
    ),
    (
        "snn_core_load",
        &[
            &[],
            &[("N_NEURONS", 1), ("COEF_BITS", 2), ("WORD_W", 64)],
            &[
                ("N_NEURONS", 33),
                ("COEF_BITS", 19),
                ("WORD_W", 215),
                ("N_ACTIVE", 7),
            ],
            &[("N_NEURONS", 1000), ("COEF_BITS", 28), ("WORD_W", 1000)],
        ],
    ),
    (
        "snn_core_fault",
        &[
            &[],
            &[("FAULT", 1), ("FAULT_STEP", 37)],
            &[("FAULT", 2)],
            &[("FAULT", 2), ("FAULT_STEP", 41)],
            &[("FAULT", 3), ("FAULT_STEP", 29)],
        ],
    ),
    (
        "snn_core_stdp",
        &[
            &[],
            &[("MESH", 1), ("ROWS", 100)],
            &[
                ("N_NEURONS", 33),
                ("ROWS", 33),
                ("SYN_DEPTH", 330),
                ("W_BITS", 7),
                ("COEF_BITS", 19),
                ("COEF_FRAC", 17),
                ("TRACE_BITS", 11),
                ("TRACE_FRAC", 7),
                ("N_RULES", 5),
                ("INC_DEPTH", 77),
            ],
            &[
                ("N_NEURONS", 33),
                ("ROWS", 257),
                ("SYN_DEPTH", 777),
                ("W_BITS", 15),
                ("TRACE_BITS", 13),
                ("TRACE_FRAC", 9),
                ("N_RULES", 255),
                ("INC_DEPTH", 1000),
                ("MESH", 1),
            ],
            &[
                ("N_NEURONS", 1),
                ("ROWS", 1),
                ("SYN_DEPTH", 1),
                ("W_BITS", 2),
                ("COEF_BITS", 2),
                ("COEF_FRAC", 0),
                ("TRACE_BITS", 2),
                ("TRACE_FRAC", 0),
            ],
        ],
    ),
    (
        "snn_noc_router",
        &[
            &[],
            &[
                ("ROWS", 3),
                ("COLS", 2),
                ("X", 1),
                ("Y", 2),
                ("DATA_W", 29),
                ("FIFO_DEPTH", 3),
            ],
            &[
                ("ROWS", 1),
                ("COLS", 1),
                ("X", 0),
                ("Y", 0),
                ("DATA_W", 1),
                ("FIFO_DEPTH", 2),
            ],
            &[
                ("ROWS", 5),
                ("COLS", 7),
                ("X", 3),
                ("Y", 2),
                ("FIFO_DEPTH", 5),
            ],
            &[("ROWS", 7), ("COLS", 1), ("X", 0), ("Y", 6), ("DATA_W", 13)],
            &[
                ("ROWS", 16),
                ("COLS", 16),
                ("X", 15),
                ("Y", 15),
                ("DATA_W", 40),
                ("FIFO_DEPTH", 17),
            ],
        ],
    ),
    (
        "snn_noc_mesh",
        &[
            &[],
            &[("ROWS", 1), ("COLS", 1), ("DATA_W", 1), ("FIFO_DEPTH", 2)],
            &[("ROWS", 2), ("COLS", 1), ("FIFO_DEPTH", 2)],
            &[("ROWS", 3), ("COLS", 2), ("DATA_W", 29), ("FIFO_DEPTH", 3)],
            &[("ROWS", 5), ("COLS", 3), ("DATA_W", 13), ("FIFO_DEPTH", 5)],
            &[("ROWS", 1), ("COLS", 16), ("DATA_W", 7), ("FIFO_DEPTH", 6)],
        ],
    ),
    (
        "snn_noc_ni",
        &[
            &[],
            &[("N_CORES", 1), ("N_NEURONS", 1), ("ROWS", 1)],
            &[
                ("N_CORES", 7),
                ("N_NEURONS", 33),
                ("ROWS", 199),
                ("DELAY_GROUPS", 3),
                ("GROUP_STEPS", 4),
            ],
            &[
                ("N_CORES", 15),
                ("N_NEURONS", 7),
                ("ROWS", 15),
                ("DELAY_GROUPS", 5),
                ("GROUP_STEPS", 13),
                ("HIST_W", 1),
            ],
            &[
                ("N_CORES", 2),
                ("N_NEURONS", 100),
                ("ROWS", 331),
                ("DELAY_GROUPS", 64),
                ("GROUP_STEPS", 1),
                ("HIST_W", 64),
            ],
        ],
    ),
    (
        "snn_mesh_top",
        &[
            &[],
            &[
                ("MROWS", 1),
                ("MCOLS", 1),
                ("N_NEURONS", 1),
                ("ROWS", 1),
                ("N_POPS", 1),
            ],
            &[
                ("MROWS", 3),
                ("MCOLS", 2),
                ("N_NEURONS", 33),
                ("ROWS", 199),
                ("N_POPS", 3),
                ("SLOTS", 13),
                ("V_BITS", 21),
                ("I_BITS", 19),
                ("W_BITS", 7),
                ("W_SHIFT", 5),
                ("ACC_BITS", 17),
                ("SYN_DEPTH", 777),
                ("FIFO_DEPTH", 3),
            ],
            &[
                ("MROWS", 1),
                ("MCOLS", 3),
                ("N_NEURONS", 33),
                ("ROWS", 99),
                ("SLOTS", 5),
                ("DELAY_GROUPS", 3),
                ("FIFO_DEPTH", 3),
            ],
        ],
    ),
];

fn verilator_lint(module: &str, params: &[(&str, i64)]) -> (bool, String) {
    require_tool("verilator", "verilator");
    let mut cmd = Command::new("verilator");
    cmd.arg("--lint-only")
        .arg("-Wall")
        .arg("--top-module")
        .arg(module)
        .arg(hdl_file("lint_waivers.vlt"))
        .arg(hdl_file(&format!("{module}.v")))
        // submodules (snn_lif_core's leaf modules) are found in hdl/ by name
        .arg("-y")
        .arg(hdl_dir());
    for (k, v) in params {
        cmd.arg(format!("-G{k}={v}"));
    }
    let out = cmd.output().expect("run verilator");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), log)
}

fn iverilog_elaborate(dir: &Path, module: &str, params: &[(&str, i64)]) -> (bool, String) {
    require_tool("iverilog", "iverilog");
    let mut cmd = Command::new("iverilog");
    cmd.arg("-g2005")
        .arg("-Wall")
        .arg("-o")
        .arg(dir.join(format!("{module}.vvp")))
        .arg("-s")
        .arg(module);
    for (k, v) in params {
        cmd.arg(format!("-P{module}.{k}={v}"));
    }
    // submodules (snn_lif_core's leaf modules) are found in hdl/ by name
    cmd.arg("-y").arg(hdl_dir());
    cmd.arg(hdl_file(&format!("{module}.v")));
    let out = cmd.output().expect("run iverilog");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), log)
}

#[test]
fn verilator_lint_wall_is_clean_for_every_module_and_parameter_set() {
    // every hdl/*.v has lint parameter sets (a new module cannot skip lint)
    for src in hdl_sources() {
        let m = src.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            LINT_SETS.iter().any(|(name, _)| *name == m),
            "hdl/{m}.v has no entry in LINT_SETS of hdltest/tests/lint.rs"
        );
    }
    let mut runs = 0;
    for (module, sets) in LINT_SETS {
        for params in *sets {
            let (ok, log) = verilator_lint(module, params);
            assert!(
                ok && log.trim().is_empty(),
                "verilator --lint-only -Wall {module} {params:?} is not clean:\n{log}"
            );
            runs += 1;
        }
    }
    println!("lint: verilator --lint-only -Wall clean for {runs} module/parameter sets");
}

/// hdl/ as a whole (every module, defaults, with the waivers file): not a
/// single message, so `verilator --lint-only -Wall` over the directory is
/// clean as it is for each module alone.
#[test]
fn verilator_lint_wall_is_clean_over_all_of_hdl_together() {
    require_tool("verilator", "verilator");
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .arg(hdl_file("lint_waivers.vlt"))
        .args(hdl_sources())
        .output()
        .expect("run verilator");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && log.trim().is_empty(),
        "verilator --lint-only -Wall hdl/lint_waivers.vlt hdl/*.v is not clean:\n{log}"
    );
}

#[test]
fn iverilog_elaborates_every_module_without_warnings() {
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "elab");
    let mut runs = 0;
    for (module, sets) in LINT_SETS {
        for params in *sets {
            let (ok, log) = iverilog_elaborate(&dir, module, params);
            assert!(
                ok && log.trim().is_empty(),
                "iverilog -Wall {module} {params:?}:\n{log}"
            );
            runs += 1;
        }
    }
    println!("lint: iverilog -g2005 -Wall clean for {runs} module/parameter sets");
    let _ = std::fs::remove_dir_all(&dir);
}

/// (module, illegal parameters, the parameter the message must name)
const ILLEGAL: &[(&str, Params, &str)] = &[
    (
        "snn_lif_core",
        &[("N_NEURONS", 33), ("N_ACTIVE", 34)],
        "N_ACTIVE",
    ),
    ("snn_lif_core", &[("PLASTIC", 1), ("N_RULES", 0)], "N_RULES"),
    (
        "snn_lif_core",
        &[("PLASTIC", 1), ("INC_DEPTH", 0)],
        "INC_DEPTH",
    ),
    ("snn_lif_core", &[("FAULT", 4)], "FAULT"),
    ("snn_lif_core", &[("N_NEURONS", 33), ("ROWS", 32)], "ROWS"),
    ("snn_syn_event", &[("SYN_EXT", 3)], "SYN_EXT"),
    (
        "snn_lif_core",
        &[("SYN_EXT", 2), ("PLASTIC", 1), ("AXI_ID_W", 5)],
        "SYN_EXT",
    ),
    ("snn_syn_fetch", &[("ROW_EXT", 2)], "ROW_EXT"),
    // the index reads' ID (AXI_OUTSTANDING) must fit AXI_ID_W
    (
        "snn_syn_fetch",
        &[("ROW_EXT", 1), ("AXI_ID_W", 2), ("AXI_OUTSTANDING", 4)],
        "ROW_EXT",
    ),
    // 70,001 one-lane beats: a 35-bit row word takes a 64-bit lane
    (
        "snn_syn_fetch",
        &[
            ("ROW_EXT", 1),
            ("SYN_DEPTH", 70001),
            ("SYN_W", 32),
            ("AXI_DATA_W", 32),
            ("AXI_ID_W", 5),
        ],
        "ROW_EXT",
    ),
    ("snn_lif_update", &[("COEF_FRAC", 21)], "COEF_FRAC"),
    (
        "snn_lif_update",
        &[("COEF_BITS", 7), ("COEF_FRAC", 9)],
        "COEF_FRAC",
    ),
    ("snn_lif_update", &[("TRACE_FRAC", 16)], "TRACE_FRAC"),
    ("snn_lif_update", &[("V_BITS", 3)], "V_BITS"),
    ("snn_lif_update", &[("I_BITS", 33)], "I_BITS"),
    (
        "snn_lif_update",
        &[("COEF_BITS", 29), ("COEF_FRAC", 18)],
        "COEF_BITS",
    ),
    ("snn_lif_update", &[("REF_BITS", 0)], "REF_BITS"),
    ("snn_lif_update", &[("TRACE_BITS", 25)], "TRACE_BITS"),
    ("snn_lif_update", &[("IN_BITS", 49)], "IN_BITS"),
    ("snn_lif_update", &[("PLASTIC", 2)], "PLASTIC"),
    ("snn_lif_update", &[("USER_BITS", 0)], "USER_BITS"),
    ("snn_poisson", &[("TABLE_LEN", 0)], "TABLE_LEN"),
    ("snn_poisson", &[("TABLE_LEN", 257)], "TABLE_LEN"),
    ("snn_rng", &[("USER_BITS", 0)], "USER_BITS"),
    ("snn_pipe_ctrl", &[("STAGES", 0)], "STAGES"),
    ("snn_rst_sync", &[("STAGES", 1)], "STAGES"),
    ("snn_heartbeat", &[("DIV", 0)], "DIV"),
    ("snn_host_link", &[("CORE_W", 0)], "CORE_W"),
    ("snn_host_link", &[("CORE_W", 17)], "CORE_W"),
    ("snn_host_link", &[("IDLE_CYCLES", 0)], "IDLE_CYCLES"),
    ("snn_host_link", &[("N_CORES", 0)], "N_CORES"),
    ("snn_host_link", &[("CORE_W", 2), ("N_CORES", 5)], "N_CORES"),
    ("snn_uart_rx", &[("CLKS_PER_BIT", 3)], "CLKS_PER_BIT"),
    ("snn_uart_tx", &[("CLKS_PER_BIT", 3)], "CLKS_PER_BIT"),
    ("snn_axis_to_bytes", &[("DATA_W", 0)], "DATA_W"),
    ("snn_axis_to_bytes", &[("DATA_W", 12)], "DATA_W"),
    ("snn_axis_to_bytes", &[("DATA_W", 1032)], "DATA_W"),
    ("snn_bytes_to_axis", &[("DATA_W", 4)], "DATA_W"),
    ("snn_bytes_to_axis", &[("DATA_W", 60)], "DATA_W"),
    ("snn_bytes_to_axis", &[("DATA_W", 2048)], "DATA_W"),
    ("snn_bytes_to_axis", &[("MAX_LEN", -1)], "MAX_LEN"),
    ("snn_bytes_to_axis", &[("MAX_LEN", 65536)], "MAX_LEN"),
    ("snn_axil_const", &[("ADDR_W", 0)], "ADDR_W"),
    ("snn_axil_const", &[("ADDR_W", 65)], "ADDR_W"),
    ("snn_spike_merge", &[("LANES", 0)], "LANES"),
    ("snn_spike_merge", &[("LANES", 257)], "LANES"),
    ("snn_spike_merge", &[("GID_W", 33)], "GID_W"),
    ("snn_spike_merge", &[("DEPTH", 1), ("ROOM", 1)], "DEPTH"),
    ("snn_spike_merge", &[("DEPTH", 33), ("ROOM", 34)], "ROOM"),
    ("snn_ext_write", &[("DATA_W", 48)], "DATA_W"),
    ("snn_ext_write", &[("DATA_W", 2048)], "DATA_W"),
    ("snn_ext_write", &[("ADDR_W", 11)], "ADDR_W"),
    ("snn_ext_write", &[("DATA_W", 16)], "DATA_W"),
    ("snn_ext_write", &[("ADDR_W", 65)], "ADDR_W"),
    ("snn_ext_write", &[("ID_W", 0)], "ID_W"),
    ("snn_ext_write", &[("ID_W", 17)], "ID_W"),
    ("snn_mem", &[("WIDTH", 0)], "WIDTH"),
    ("snn_mem", &[("DEPTH", 0)], "DEPTH"),
    ("snn_mem", &[("LANE_W", 0)], "LANE_W"),
    ("snn_mem", &[("WIDTH", 7), ("LANE_W", 8)], "LANE_W"),
    ("snn_mem", &[("RD_REG", 2)], "RD_REG"),
    ("snn_mem", &[("RD_PORTS", 3)], "RD_PORTS"),
    ("snn_core_ctrl", &[("PLASTIC", 2)], "PLASTIC"),
    ("snn_core_ctrl", &[("MESH", 2)], "MESH"),
    ("snn_core_ctrl", &[("N_NEURONS", 33), ("ROWS", 32)], "ROWS"),
    ("snn_core_load", &[("WORD_W", 63)], "WORD_W"),
    ("snn_core_fault", &[("FAULT", 4)], "FAULT"),
    ("snn_core_fault", &[("FAULT_STEP", -1)], "FAULT_STEP"),
    ("snn_core_stdp", &[("N_RULES", 0)], "N_RULES"),
    ("snn_core_stdp", &[("N_RULES", 256)], "N_RULES"),
    ("snn_core_stdp", &[("INC_DEPTH", 0)], "INC_DEPTH"),
    ("snn_core_stdp", &[("MESH", 2)], "MESH"),
    ("snn_core_stdp", &[("N_NEURONS", 33), ("ROWS", 32)], "ROWS"),
    ("snn_core_stdp", &[("W_BITS", 16), ("LD_W", 63)], "LD_W"),
    ("snn_stdp", &[("W_BITS", 17)], "W_BITS"),
    ("snn_stdp", &[("W_BITS", 1)], "W_BITS"),
    ("snn_stdp", &[("TRACE_BITS", 25)], "TRACE_BITS"),
    ("snn_stdp", &[("TRACE_FRAC", 16)], "TRACE_FRAC"),
    (
        "snn_stdp",
        &[("TRACE_BITS", 11), ("TRACE_FRAC", 12)],
        "TRACE_FRAC",
    ),
    ("snn_stdp", &[("USER_BITS", 0)], "USER_BITS"),
    ("snn_syn_event", &[("N_NEURONS", 0)], "N_NEURONS"),
    ("snn_syn_event", &[("SLOTS", 1)], "SLOTS"),
    ("snn_syn_event", &[("SLOTS", 257)], "SLOTS"),
    ("snn_syn_event", &[("ACC_BITS", 33)], "ACC_BITS"),
    ("snn_syn_event", &[("W_BITS", 17)], "W_BITS"),
    ("snn_syn_event", &[("W_BITS", 1)], "W_BITS"),
    ("snn_syn_event", &[("W_SHIFT", 17)], "W_SHIFT"),
    (
        "snn_syn_event",
        &[("ACC_BITS", 12), ("W_BITS", 8), ("W_SHIFT", 5)],
        "W_SHIFT",
    ),
    ("snn_syn_event", &[("ROWS", 0)], "ROWS"),
    ("snn_syn_event", &[("SYN_DEPTH", 0)], "SYN_DEPTH"),
    ("snn_syn_fetch", &[("ROWS", 0)], "ROWS"),
    ("snn_syn_fetch", &[("SYN_DEPTH", 0)], "SYN_DEPTH"),
    ("snn_syn_fetch", &[("AXI_DATA_W", 16)], "AXI_DATA_W"),
    ("snn_syn_fetch", &[("AXI_DATA_W", 96)], "AXI_DATA_W"),
    ("snn_syn_fetch", &[("AXI_DATA_W", 2048)], "AXI_DATA_W"),
    ("snn_syn_fetch", &[("SYN_W", 0)], "SYN_W"),
    (
        "snn_syn_fetch",
        &[("AXI_DATA_W", 32), ("SYN_W", 33)],
        "SYN_W",
    ),
    ("snn_syn_fetch", &[("AXI_ADDR_W", 11)], "AXI_ADDR_W"),
    ("snn_syn_fetch", &[("AXI_ADDR_W", 65)], "AXI_ADDR_W"),
    ("snn_syn_fetch", &[("AXI_ID_W", 0)], "AXI_ID_W"),
    ("snn_syn_fetch", &[("AXI_ID_W", 9)], "AXI_ID_W"),
    ("snn_syn_fetch", &[("AXI_BURST", 0)], "AXI_BURST"),
    ("snn_syn_fetch", &[("AXI_BURST", 257)], "AXI_BURST"),
    (
        "snn_syn_fetch",
        &[("AXI_OUTSTANDING", 0)],
        "AXI_OUTSTANDING",
    ),
    (
        "snn_syn_fetch",
        &[("AXI_ID_W", 8), ("AXI_OUTSTANDING", 65)],
        "AXI_OUTSTANDING",
    ),
    (
        "snn_syn_fetch",
        &[("AXI_ID_W", 2), ("AXI_OUTSTANDING", 5)],
        "AXI_OUTSTANDING",
    ),
    ("snn_lif_core", &[("N_POPS", 0)], "N_POPS"),
    ("snn_lif_core", &[("N_NEURONS", 3), ("N_POPS", 4)], "N_POPS"),
    ("snn_noc_router", &[("ROWS", 0)], "ROWS"),
    ("snn_noc_router", &[("ROWS", 17)], "ROWS"),
    ("snn_noc_router", &[("COLS", 0)], "COLS"),
    ("snn_noc_router", &[("COLS", 17)], "COLS"),
    ("snn_noc_router", &[("COLS", 3), ("X", 3)], "X"),
    ("snn_noc_router", &[("X", -1)], "X"),
    ("snn_noc_router", &[("ROWS", 3), ("Y", 3)], "Y"),
    ("snn_noc_router", &[("Y", -1)], "Y"),
    ("snn_noc_router", &[("DATA_W", 0)], "DATA_W"),
    ("snn_noc_router", &[("FIFO_DEPTH", 1)], "FIFO_DEPTH"),
    ("snn_noc_mesh", &[("ROWS", 0)], "ROWS"),
    ("snn_noc_mesh", &[("ROWS", 17)], "ROWS"),
    ("snn_noc_mesh", &[("COLS", 0)], "COLS"),
    ("snn_noc_mesh", &[("COLS", 17)], "COLS"),
    ("snn_noc_mesh", &[("DATA_W", 0)], "DATA_W"),
    ("snn_noc_mesh", &[("FIFO_DEPTH", 1)], "FIFO_DEPTH"),
    ("snn_noc_ni", &[("N_NEURONS", 33), ("ROWS", 32)], "ROWS"),
    ("snn_noc_ni", &[("DELAY_GROUPS", 0)], "DELAY_GROUPS"),
    ("snn_noc_ni", &[("DELAY_GROUPS", 65)], "DELAY_GROUPS"),
    ("snn_noc_ni", &[("GROUP_STEPS", 0)], "GROUP_STEPS"),
    ("snn_noc_ni", &[("HIST_W", 24)], "HIST_W"),
    ("snn_noc_ni", &[("N_CORES", 257)], "N_CORES"),
    (
        "snn_mesh_top",
        &[("DELAY_GROUPS", 2), ("SLOTS", 5), ("PLASTIC", 1)],
        "DELAY_GROUPS",
    ),
];

#[test]
fn illegal_parameters_fail_elaboration_naming_the_parameter() {
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "illegal");
    for (module, params, name) in ILLEGAL {
        // Verilator: $error in a generate block (USERERROR), with the values
        let (ok, log) = verilator_lint(module, params);
        assert!(!ok, "verilator accepted {module} {params:?}:\n{log}");
        let msg = log
            .lines()
            .find(|l| l.contains("USERERROR"))
            .unwrap_or_else(|| panic!("verilator: no USERERROR for {module} {params:?}:\n{log}"));
        assert!(
            msg.contains(&format!("{module}: {name} (")),
            "verilator's message for {module} {params:?} does not name {name}: {msg}"
        );
        // Icarus: instantiation of a module named after the violated rule
        let (ok, log) = iverilog_elaborate(&dir, module, params);
        assert!(!ok, "iverilog accepted {module} {params:?}:\n{log}");
        assert!(
            log.contains(&format!("Unknown module type: {module}__{name}_")),
            "iverilog's message for {module} {params:?} does not name {name}:\n{log}"
        );
        println!(
            "illegal: {module} {params:?} rejected by verilator ({}) and iverilog",
            msg.trim()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
