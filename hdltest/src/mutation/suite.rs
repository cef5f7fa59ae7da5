//! The fixed suite of tests that judges the mutants of each module: the
//! project's own tests, run with `SPIKEFAB_HDL_DIR` pointing at a copy of
//! `hdl/` that holds the mutant. Tests run in the order listed and the first
//! failure kills the mutant, so the fast, sharp ones come first.
//!
//! Leaf modules and the core's step controller are judged by the Icarus
//! benches of `hdltest/` (a compile takes well under a second); the router
//! and the mesh's network interface exist under Verilator only, so their
//! suites build one verilated model per mutant and test (the small NoC
//! models take seconds, a mesh of cores tens of seconds).

use super::{mutants_of, Mutant, MutationError};

/// One test of a test binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestRef {
    /// The cargo package (`spikefab-hdltest`).
    pub package: &'static str,
    /// The integration-test target (`snn_stdp` for `tests/snn_stdp.rs`).
    pub target: &'static str,
    /// The test function, run with `--exact`.
    pub name: &'static str,
    /// Extra environment of the run (e.g. shorter soaks).
    pub env: &'static [(&'static str, &'static str)],
}

/// The mutants of one module and the tests that judge them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// The module (`snn_core_ctrl`); also the top of the elaboration check.
    pub module: &'static str,
    /// Its file in `hdl/`.
    pub file: &'static str,
    /// What the suite runs, in a few words (for the report).
    pub what: &'static str,
    pub tests: &'static [TestRef],
    /// Where in the file the mutants are taken from: (first line containing
    /// the start text, first line after it containing the end text) pairs;
    /// empty: the whole module body.
    pub regions: &'static [(&'static str, &'static str)],
    /// Model caches (under the cargo target directory) that the tests fill
    /// with one verilated model per mutant; entries a mutant's run added
    /// are removed after it.
    pub caches: &'static [&'static str],
}

const fn hdltest(target: &'static str, name: &'static str) -> TestRef {
    TestRef {
        package: "spikefab-hdltest",
        target,
        name,
        env: &[],
    }
}

const fn cosim(
    target: &'static str,
    name: &'static str,
    env: &'static [(&'static str, &'static str)],
) -> TestRef {
    TestRef {
        package: "spikefab-cosim",
        target,
        name,
        env,
    }
}

const CORE_STDP: TestRef = hdltest(
    "snn_lif_core",
    "snn_lif_core_stdp_matches_engine_weight_writes_included",
);
const CORE_ODD: TestRef = hdltest(
    "snn_lif_core",
    "snn_lif_core_matches_engine_odd_widths_7_slots",
);
const CORE_FAULTS: TestRef = hdltest(
    "snn_lif_core",
    "snn_lif_core_injected_faults_are_caught_at_their_step",
);
const MESH_STATIC: TestRef = cosim(
    "mesh",
    "a_static_network_matches_the_reference_on_a_2x2_mesh",
    &[],
);
const MESH_CONGESTION: TestRef = cosim(
    "mesh",
    "a_synchronous_burst_backs_up_the_network_and_still_matches_on_a_3x2_mesh",
    &[],
);
const MESH_PLASTIC: TestRef = cosim(
    "mesh",
    "a_plastic_network_matches_the_reference_on_a_2x2_mesh",
    &[],
);

/// The suites, one per module under mutation.
pub const SUITES: &[Suite] = &[
    Suite {
        module: "snn_lif_update",
        file: "snn_lif_update.v",
        what: "its bench (7 parameter sets x 4 stall patterns), the core's fault injection, the generated rail corners on odd widths (Verilator)",
        tests: &[
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_default_widths"),
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_odd_widths"),
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_without_plasticity"),
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_widest"),
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_narrowest_no_rounding"),
            hdltest("snn_lif_update", "snn_lif_update_matches_reference_one_fraction_bit"),
            hdltest(
                "snn_lif_update",
                "snn_lif_update_matches_reference_input_wider_than_the_products",
            ),
            CORE_FAULTS,
            cosim(
                "rails",
                "currents_potential_and_refractory_rails_on_odd_widths_v21_i19",
                &[],
            ),
        ],
        regions: &[],
        caches: &["tmp/cosim-cache"],
    },
    Suite {
        module: "snn_syn_event",
        file: "snn_syn_event.v",
        what: "its bench (4 parameter sets x 5 runs), the core (static, STDP, load port)",
        tests: &[
            hdltest("snn_syn_event", "snn_syn_event_matches_reference_odd_sizes_w7_shift3"),
            hdltest("snn_syn_event", "snn_syn_event_matches_reference_smallest"),
            hdltest("snn_syn_event", "snn_syn_event_matches_reference_odd_sizes_w15"),
            hdltest("snn_syn_event", "snn_syn_event_matches_reference_default_widths"),
            CORE_STDP,
            hdltest(
                "snn_lif_core",
                "snn_lif_core_stdp_configured_through_the_load_port_on_a_larger_core",
            ),
            CORE_ODD,
        ],
        regions: &[],
        caches: &[],
    },
    Suite {
        module: "snn_syn_fetch",
        file: "snn_syn_fetch.v",
        what: "its bench (7 parameter sets, 7 of them again with the row index in the region (ROW_EXT = 1); in-order, reordered and interleaved responses with random latency and stalls; injected memory and index faults; one synapse per clock at latency 60..400)",
        tests: &[
            hdltest(
                "snn_syn_fetch",
                "fetch_flags_each_memory_fault_and_keeps_the_stream_five_lanes",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_row_ext_flags_each_memory_and_index_fault_and_keeps_the_stream_five_lanes",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_reads_row_index_five_lanes_in_128_bits_bursts_of_7_five_in_flight",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_rows_five_lanes_in_128_bits_bursts_of_7_five_in_flight",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_one_synapse_per_clock_at_latency_60_five_lanes",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_one_synapse_per_clock_at_latency_90_one_lane",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_flags_each_memory_fault_and_keeps_the_stream_one_id_bit",
            ),
            hdltest("snn_syn_fetch", "fetch_streams_rows_one_beat_bursts_on_every_id"),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_rows_one_33_bit_lane_in_64_bits_at_the_top_of_64_bit_addresses",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_rows_word_as_wide_as_a_32_bit_bus",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_rows_51_lanes_in_1024_bits_one_burst_in_flight",
            ),
            hdltest("snn_syn_fetch", "fetch_streams_rows_default_parameters"),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_rows_64_bursts_in_flight_on_8_id_bits",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_reads_row_words_written_through_the_load_port",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_one_synapse_per_clock_at_latency_200_word_as_wide_as_the_bus",
            ),
            hdltest(
                "snn_syn_fetch",
                "fetch_streams_one_synapse_per_clock_at_latency_400_default_parameters",
            ),
        ],
        regions: &[],
        caches: &[],
    },
    Suite {
        module: "snn_stdp",
        file: "snn_stdp.v",
        what: "its bench (6 parameter sets x 4 stall patterns, the engine's records), the STDP core",
        tests: &[
            hdltest("snn_stdp", "snn_stdp_matches_reference_default_widths"),
            hdltest("snn_stdp", "snn_stdp_matches_reference_odd_widths"),
            hdltest("snn_stdp", "snn_stdp_matches_reference_narrowest"),
            hdltest("snn_stdp", "snn_stdp_matches_reference_no_rounding"),
            hdltest("snn_stdp", "snn_stdp_matches_reference_odd_widths_w15"),
            hdltest("snn_stdp", "snn_stdp_matches_reference_widest_trace"),
            hdltest(
                "snn_stdp",
                "snn_stdp_reproduces_the_engine_weight_records_in_contract_order",
            ),
            CORE_STDP,
        ],
        regions: &[],
        caches: &[],
    },
    Suite {
        module: "snn_core_ctrl",
        file: "snn_core_ctrl.v",
        what: "the core in Icarus (static, reloads without reset, STDP, load port, faults; cycles per step), then a 2x2 mesh under Verilator (static, STDP)",
        tests: &[
            CORE_ODD,
            hdltest(
                "snn_lif_core",
                "snn_lif_core_reconfigured_without_reset_matches_fresh_engines",
            ),
            CORE_STDP,
            hdltest(
                "snn_lif_core",
                "snn_lif_core_matches_engine_default_numerics_64_slots",
            ),
            hdltest(
                "snn_lif_core",
                "snn_lif_core_static_configured_through_the_load_port_on_a_larger_core",
            ),
            hdltest(
                "snn_lif_core",
                "snn_lif_core_stdp_configured_through_the_load_port_on_a_larger_core",
            ),
            CORE_FAULTS,
            MESH_STATIC,
            MESH_PLASTIC,
        ],
        regions: &[],
        caches: &["tmp/cosim-cache"],
    },
    Suite {
        module: "snn_noc_router",
        file: "snn_noc_router.v",
        what: "NoC soak on a 3x2 mesh (15 pattern/rate runs of 20,000 cycles), the 3x3 centre router alone (fairness, order, sub-masks, one packet per output per clock)",
        tests: &[
            cosim(
                "noc",
                "soak_3x2_every_pattern_and_rate_exactly_once",
                &[("SPIKEFAB_NOC_SOAK_CYCLES", "20000")],
            ),
            cosim("noc", "router_is_fair_keeps_order_and_routes_sub_masks", &[]),
            cosim("noc", "router_sends_one_packet_per_output_per_clock", &[]),
        ],
        regions: &[],
        caches: &["tmp/cosim-noc-cache"],
    },
    Suite {
        module: "snn_mesh_top",
        file: "snn_mesh_top.v",
        what: "a 2x2 mesh of cores under Verilator in lockstep with the reference (static, STDP) and a synchronous burst on a 3x2 mesh with FIFOs of depth 2 (backed-up injection); mutants of the barrier and the network interface",
        tests: &[MESH_STATIC, MESH_CONGESTION, MESH_PLASTIC],
        regions: &[
            ("// ---------------------------------------------------------------- barrier", "// ---------------------------------------------------------------- cores"),
            ("// ---- network interface", "endgenerate"),
        ],
        caches: &["tmp/cosim-cache"],
    },
];

impl Suite {
    /// The mutants of this suite's module: those of `src` (the text of
    /// [`Suite::file`]) inside its regions, numbered from 0 in file order.
    pub fn mutants(&self, src: &str) -> Result<Vec<Mutant>, MutationError> {
        let mut all = mutants_of(self.file, src)?;
        if self.regions.is_empty() {
            return Ok(all);
        }
        let mut spans = Vec::new();
        for (a, b) in self.regions {
            let bad = |what: &str| {
                MutationError::Usage(format!(
                    "{}: the region marker `{what}` of the {} suite is not in the file",
                    self.file, self.module
                ))
            };
            let s = src.find(a).ok_or_else(|| bad(a))?;
            let e = src[s..].find(b).map(|k| s + k).ok_or_else(|| bad(b))?;
            spans.push((s, e));
        }
        all.retain(|m| spans.iter().any(|&(s, e)| m.start >= s && m.end <= e));
        for (k, m) in all.iter_mut().enumerate() {
            m.index = k;
        }
        Ok(all)
    }
}

/// The suite of `module`.
pub fn find(module: &str) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.module == module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_test_is_a_test_of_its_target() {
        for s in SUITES {
            for t in s.tests.iter().filter(|t| t.package == "spikefab-hdltest") {
                let path = crate::repo_root()
                    .join("hdltest")
                    .join("tests")
                    .join(format!("{}.rs", t.target));
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(
                    text.contains(&format!("#[test]\nfn {}()", t.name)),
                    "suite {}: no test `{}` in {}",
                    s.module,
                    t.name,
                    path.display()
                );
            }
        }
    }
}
