//! Integration tests of the TOML loader: one fixture per error class under
//! `tests/fixtures/`, each checked for the object, the field and the exact
//! line:col of the report.

use std::path::{Path, PathBuf};

use spikefab_sim::diag::{Diagnostic, Diagnostics, Seg};
use spikefab_sim::load::{load_file, load_str, locate, validate, LoadError};
use spikefab_sim::net::Rule;
use spikefab_sim::path;
use spikefab_sim::Network;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.toml"))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(format!("{name}.toml"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of `path` starting at 1-based `line`:`col` (columns in characters).
fn text_at(path: &Path, line: usize, col: usize) -> String {
    let text = read(path);
    let l = text
        .lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("no line {line}"));
    l.chars().skip(col - 1).collect()
}

/// Load a fixture that must fail validation; returns its diagnostics.
fn invalid(name: &str) -> Vec<Diagnostic> {
    match load_file(&fixture(name)) {
        Err(LoadError::Invalid(d)) => d.0,
        Err(e) => panic!("{name}: expected validation errors, got {e}"),
        Ok(_) => panic!("{name}: expected validation errors, but it loaded"),
    }
}

/// Load a fixture that must fail to parse; returns (line, col, message, display).
fn parse_error(name: &str) -> (usize, usize, String, String) {
    match load_file(&fixture(name)) {
        Err(e @ LoadError::Parse { .. }) => {
            let shown = e.to_string();
            let LoadError::Parse {
                line, col, message, ..
            } = e
            else {
                unreachable!()
            };
            (line, col, message, shown)
        }
        Err(e) => panic!("{name}: expected a parse error, got {e}"),
        Ok(_) => panic!("{name}: expected a parse error, but it loaded"),
    }
}

/// Find the diagnostic about `field` and check object, location, message and
/// that the source text at the location starts with `at`.
#[track_caller]
fn expect(
    name: &str,
    diags: &[Diagnostic],
    object: &str,
    field: &str,
    (line, col): (usize, usize),
    at: &str,
    message_part: &str,
) {
    let d = diags
        .iter()
        .find(|d| d.field() == field)
        .unwrap_or_else(|| panic!("{name}: no diagnostic for `{field}` in {diags:#?}"));
    assert_eq!(d.object, object, "{d}");
    assert!(
        d.message.contains(message_part),
        "{d}\nshould contain: {message_part}"
    );
    let loc = d.location.as_ref().expect("located");
    assert_eq!((loc.line, loc.col), (line, col), "{d}");
    assert!(loc.file.ends_with(&format!("{name}.toml")), "{d}");
    let shown = d.to_string();
    assert!(
        shown.contains(&format!(
            "{name}.toml:{line}:{col}: {object}: field `{field}`"
        )),
        "{shown}"
    );
    let src = text_at(&fixture(name), line, col);
    assert!(
        src.starts_with(at),
        "{name}:{line}:{col} is {src:?}, expected {at:?}"
    );
}

// ---------------------------------------------------------------------------
// Valid files
// ---------------------------------------------------------------------------

#[test]
fn valid_fixture_and_examples_load() {
    let net = load_file(&fixture("valid")).expect("valid fixture loads");
    assert_eq!(net.populations.len(), 2);
    assert_eq!(net.projections.len(), 2);

    let ei = load_file(&example("two_populations")).expect("two_populations loads");
    assert_eq!(ei.num_neurons(), 100);
    assert_eq!(ei.num_steps(), 2000);
    assert!(ei
        .populations
        .iter()
        .all(|p| p.background.poisson.is_some()));

    let stdp = load_file(&example("stdp_pair")).expect("stdp_pair loads");
    assert!(stdp.plasticity.is_some());
    assert!(stdp.projections.iter().any(|p| p.stdp.is_some()));
    assert!(stdp
        .projections
        .iter()
        .any(|p| matches!(p.rule, Rule::Explicit { .. })));
}

#[test]
fn valid_networks_round_trip_through_to_toml() {
    for path in [
        fixture("valid"),
        example("two_populations"),
        example("stdp_pair"),
    ] {
        let net = load_file(&path).unwrap();
        let text = net.to_toml().expect("serializes");
        let again = load_str(&text, "roundtrip.toml").unwrap_or_else(|e| {
            panic!(
                "{}: re-loading to_toml output failed: {e}\n{text}",
                path.display()
            )
        });
        assert_eq!(net, again, "{}", path.display());
    }
}

#[test]
fn documented_complete_example_loads_and_matches_the_example_file() {
    let doc = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/network-format.md"));
    let section = doc
        .split("## A complete example")
        .nth(1)
        .expect("docs/network-format.md has a complete example");
    let code = section
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a toml code block");
    let from_doc = load_str(code, "network-format.md").unwrap_or_else(|e| panic!("{e}"));
    let from_file = load_file(&example("two_populations")).unwrap();
    assert_eq!(from_doc, from_file);
}

#[test]
fn valid_network_passes_validate() {
    let net = load_file(&example("two_populations")).unwrap();
    assert_eq!(validate(&net), Ok(()));
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = load_file(Path::new("/nonexistent/spikefab/net.toml")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/spikefab/net.toml"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Parse errors (syntax and shape)
// ---------------------------------------------------------------------------

#[test]
fn malformed_toml_is_a_parse_error_with_line_and_column() {
    let (line, col, message, shown) = parse_error("malformed");
    assert_eq!((line, col), (11, 19));
    assert!(message.contains("invalid table header"), "{message}");
    assert!(!message.contains('\n'), "one-line message: {message:?}");
    assert!(
        shown.ends_with(&format!("malformed.toml:11:19: {message}")),
        "{shown}"
    );
}

#[test]
fn unknown_field_is_a_parse_error_naming_the_field() {
    let (line, col, message, _) = parse_error("unknown_field");
    assert_eq!((line, col), (12, 1));
    assert!(
        message.contains("`population[0].neuron.tau_mm`"),
        "{message}"
    );
    assert!(message.contains("unknown field `tau_mm`"), "{message}");
    assert!(
        message.contains("`tau_m_ms`"),
        "lists the expected fields: {message}"
    );
    assert!(text_at(&fixture("unknown_field"), line, col).starts_with("tau_mm"));
}

#[test]
fn wrong_type_is_a_parse_error_naming_the_field() {
    let (line, col, message, _) = parse_error("wrong_type");
    assert_eq!((line, col), (8, 8));
    assert!(message.contains("`population[0].size`"), "{message}");
    assert!(
        message.contains("invalid type: string \"eight\", expected u32"),
        "{message}"
    );
}

#[test]
fn an_array_of_tables_where_one_table_belongs_names_the_table() {
    let (line, col, message, _) = parse_error("simulation_array_of_tables");
    assert_eq!((line, col), (2, 1));
    assert_eq!(
        message,
        "field `simulation`: `simulation` must be a single table (`[simulation]` or \
         `simulation = { ... }`), not an array of tables (`[[simulation]]`)"
    );
    let (line, col, message, _) = parse_error("neuron_array_of_tables");
    assert_eq!((line, col), (11, 1));
    assert!(
        message.starts_with(
            "field `population[0].neuron`: `neuron` must be a single table (`[population.neuron]`"
        ),
        "{message}"
    );
}

#[test]
fn a_single_table_where_an_array_of_tables_belongs_names_the_table() {
    let (line, col, message, _) = parse_error("population_single_table");
    assert_eq!((line, col), (6, 1));
    assert_eq!(
        message,
        "field `population`: `population` must be an array of tables: write \
         `[[population]]` before each population, not `[population]`"
    );
}

#[test]
fn an_array_for_a_number_is_still_a_type_error_of_that_number() {
    let text = read(&fixture("valid")).replace("dt_ms = 0.1", "dt_ms = [0.1]");
    match load_str(&text, "x.toml") {
        Err(LoadError::Parse { message, .. }) => {
            assert!(message.contains("`simulation.dt_ms`"), "{message}");
            assert!(message.contains("invalid type: sequence"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn missing_field_is_a_parse_error_naming_the_field_and_its_table() {
    let (line, col, message, _) = parse_error("missing_field");
    assert_eq!((line, col), (11, 1));
    assert!(message.contains("missing field `c_m_pf`"), "{message}");
    assert!(message.contains("`population[0].neuron`"), "{message}");
    assert!(text_at(&fixture("missing_field"), line, col).starts_with("[population.neuron]"));
}

#[test]
fn unknown_field_inside_tagged_v_init_is_rejected_at_the_key() {
    let (line, col, message, _) = parse_error("unknown_field_in_v_init");
    assert_eq!((line, col), (9, 45));
    assert!(
        message.contains("`population[0].v_init.sd_mv`"),
        "{message}"
    );
    assert!(message.contains("unknown field `sd_mv`"), "{message}");
    assert!(text_at(&fixture("unknown_field_in_v_init"), line, col).starts_with("sd_mv"));
}

#[test]
fn unknown_field_inside_tagged_rule_is_rejected_at_the_key() {
    let (line, col, message, _) = parse_error("unknown_field_in_rule");
    assert_eq!((line, col), (31, 42));
    assert!(message.contains("`projection[0].rule.p`"), "{message}");
    assert!(message.contains("unknown field `p`"), "{message}");
    assert!(text_at(&fixture("unknown_field_in_rule"), line, col).starts_with("p = 0.1"));
}

#[test]
fn unknown_field_inside_one_to_one_rule_is_rejected() {
    // serde alone accepts this (unit variant of an internally tagged enum);
    // the loader rejects it.
    let (line, col, message, _) = parse_error("unknown_field_in_unit_rule");
    assert_eq!((line, col), (31, 31));
    assert!(message.contains("`projection[0].rule.k`"), "{message}");
    assert!(message.contains("unknown field `k`"), "{message}");
}

#[test]
fn wrong_type_inside_tagged_rule_names_the_field_and_points_at_the_value() {
    let (line, col, message, _) = parse_error("wrong_type_in_rule");
    assert_eq!((line, col), (31, 53));
    assert!(
        message.contains("`projection[0].rule.autapses`"),
        "{message}"
    );
    assert!(message.contains("expected a boolean"), "{message}");
    assert!(text_at(&fixture("wrong_type_in_rule"), line, col).starts_with("\"no\""));
}

#[test]
fn wrong_type_inside_tagged_v_init_names_the_field() {
    let text = read(&fixture("valid")).replace("mean_mv = -60.0", "mean_mv = true");
    let err = load_str(&text, "x.toml").unwrap_err();
    let LoadError::Parse {
        line, col, message, ..
    } = err
    else {
        panic!("{err}")
    };
    assert!(
        message.contains("`population[1].v_init.mean_mv`"),
        "{message}"
    );
    assert_eq!(line, 24);
    let l = text.lines().nth(line - 1).unwrap();
    assert!(
        l.chars()
            .skip(col - 1)
            .collect::<String>()
            .starts_with("true"),
        "{l} {col}"
    );
}

#[test]
fn integer_too_large_for_toml_names_the_key() {
    let text = read(&fixture("valid")).replace(
        "duration_ms = 100.0",
        "duration_ms = 100.0\nseed = 18446744073709551615",
    );
    let err = load_str(&text, "x.toml").unwrap_err();
    let LoadError::Parse { line, message, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*line, 5);
    assert!(
        message.contains("`seed`") && message.contains("[simulation]"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------
// Validation errors
// ---------------------------------------------------------------------------

#[test]
fn negative_tau_is_an_error_naming_population_and_field() {
    let d = invalid("negative_tau");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "negative_tau",
        &d,
        "population \"E\"",
        "population[0].neuron.tau_m_ms",
        (12, 12),
        "-10.0",
        "must be positive",
    );
}

#[test]
fn delay_below_one_step_is_an_error() {
    let d = invalid("delay_below_one_step");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "delay_below_one_step",
        &d,
        "projection \"E->I\" (#0)",
        "projection[0].delay.mean_ms",
        (33, 21),
        "0.04",
        "delay below one step",
    );
}

#[test]
fn delay_above_maximum_and_negative_sd_are_errors() {
    let d = invalid("delay_above_maximum");
    assert_eq!(d.len(), 2, "{d:#?}");
    expect(
        "delay_above_maximum",
        &d,
        "projection \"E->I\" (#0)",
        "projection[0].delay.sd_ms",
        (33, 34),
        "-0.5",
        "must not be negative",
    );
    expect(
        "delay_above_maximum",
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].delay.mean_ms",
        (41, 21),
        "10.0",
        "max_delay_steps = 40 (= 4 ms)",
    );
}

#[test]
fn unknown_population_is_an_error_naming_the_projection_and_field() {
    let d = invalid("unknown_population");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "unknown_population",
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].target",
        (38, 10),
        "\"Exc\"",
        "unknown population \"Exc\" (known populations: \"E\", \"I\")",
    );
}

#[test]
fn v_reset_above_threshold_is_an_error() {
    let d = invalid("v_reset_above_threshold");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "v_reset_above_threshold",
        &d,
        "population \"E\"",
        "population[0].neuron.v_reset_mv",
        (16, 14),
        "-45.0",
        "must be below v_th_mv",
    );
}

#[test]
fn stdp_bounds_straddling_zero_are_an_error() {
    let d = invalid("stdp_bounds_straddle_zero");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "stdp_bounds_straddle_zero",
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].stdp.w_min_pa",
        (42, 56),
        "-300.0",
        "straddle zero",
    );
}

#[test]
fn stdp_without_plasticity_table_is_an_error() {
    let d = invalid("stdp_without_plasticity");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "stdp_without_plasticity",
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].stdp",
        (42, 8),
        "{",
        "[plasticity]",
    );
}

#[test]
fn stdp_weight_outside_bounds_negative_amplitude_and_bad_trace_tau_are_errors() {
    let name = "stdp_weight_outside_bounds";
    let d = invalid(name);
    assert_eq!(d.len(), 3, "{d:#?}");
    expect(
        name,
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].weight.mean_pa",
        (40, 22),
        "-200.0",
        "outside the STDP bounds",
    );
    expect(
        name,
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].stdp.a_minus_pa",
        (42, 40),
        "-1.0",
        "must not be negative",
    );
    expect(
        name,
        &d,
        "plasticity",
        "plasticity.tau_minus_ms",
        (46, 16),
        "0.0",
        "must be positive",
    );
}

#[test]
fn tau_syn_equal_to_tau_m_is_rejected_as_singular() {
    let d = invalid("tau_syn_equals_tau_m");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "tau_syn_equals_tau_m",
        &d,
        "population \"E\"",
        "population[0].neuron.tau_syn_ex_ms",
        (18, 17),
        "10.0",
        "tau_syn_ex_ms must differ from tau_m_ms (propagator is singular)",
    );
}

#[test]
fn all_problems_are_collected_not_just_the_first() {
    let name = "three_problems";
    let d = invalid(name);
    assert_eq!(d.len(), 3, "{d:#?}");
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].neuron.tau_syn_in_ms",
        (19, 17),
        "0.0",
        "must be positive",
    );
    expect(
        name,
        &d,
        "projection \"E->J\" (#0)",
        "projection[0].target",
        (30, 10),
        "\"J\"",
        "unknown population \"J\"",
    );
    expect(
        name,
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].rule.p",
        (39, 43),
        "1.5",
        "[0, 1]",
    );
    // Reported in file order, and the Display names the count.
    let lines: Vec<usize> = d
        .iter()
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(lines, vec![19, 30, 39]);
    let err = load_file(&fixture(name)).unwrap_err().to_string();
    assert!(
        err.starts_with("3 errors in the network description"),
        "{err}"
    );
}

#[test]
fn explicit_synapse_problems_name_the_entry_and_element() {
    let name = "explicit_problems";
    let d = invalid(name);
    assert_eq!(d.len(), 4, "{d:#?}");
    let obj = "projection \"explicit\" (#2)";
    expect(
        name,
        &d,
        obj,
        "projection[2].rule.synapses[1][0]",
        (47, 61),
        "8,",
        "source index 8 is out of range",
    );
    expect(
        name,
        &d,
        obj,
        "projection[2].rule.synapses[2][1]",
        (47, 83),
        "2,",
        "target index 2 is out of range",
    );
    expect(
        name,
        &d,
        obj,
        "projection[2].rule.synapses[2][3]",
        (47, 92),
        "0.02",
        "delay below one step",
    );
    expect(
        name,
        &d,
        obj,
        "projection[2].rule.synapses[3][3]",
        (47, 112),
        "6.4",
        "delay above the maximum",
    );
    assert!(
        d.iter().all(|d| d.message.starts_with("synapse #")),
        "{d:#?}"
    );
}

#[test]
fn explicit_rule_must_not_have_weight_or_delay() {
    let d = invalid("explicit_with_weight");
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        "explicit_with_weight",
        &d,
        "projection \"E->E\" (#2)",
        "projection[2].weight",
        (47, 10),
        "{",
        "must be absent",
    );
}

#[test]
fn generated_rule_requires_weight_and_delay_pointing_at_the_projection() {
    let name = "missing_weight_and_delay";
    let d = invalid(name);
    assert_eq!(d.len(), 2, "{d:#?}");
    let obj = "projection \"E->I\" (#0)";
    expect(
        name,
        &d,
        obj,
        "projection[0].weight",
        (28, 1),
        "[[projection]]",
        "missing `weight`",
    );
    expect(
        name,
        &d,
        obj,
        "projection[0].delay",
        (28, 1),
        "[[projection]]",
        "missing `delay`",
    );
}

#[test]
fn duration_and_refractory_period_off_the_step_grid_are_errors() {
    let name = "simulation_problems";
    let d = invalid(name);
    assert_eq!(d.len(), 3, "{d:#?}");
    expect(
        name,
        &d,
        "simulation",
        "simulation.duration_ms",
        (4, 15),
        "100.1",
        "not a whole number of steps",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].neuron.t_ref_ms",
        (17, 12),
        "2.0",
        "not a whole number of steps",
    );
    expect(
        name,
        &d,
        "population \"I\"",
        "population[1].neuron.t_ref_ms",
        (25, 109),
        "2.0",
        "not a whole number",
    );
}

#[test]
fn non_positive_dt_and_nan_duration_are_errors() {
    let name = "bad_dt";
    let d = invalid(name);
    assert_eq!(d.len(), 2, "{d:#?}");
    expect(
        name,
        &d,
        "simulation",
        "simulation.dt_ms",
        (3, 9),
        "0.0",
        "must be positive",
    );
    expect(
        name,
        &d,
        "simulation",
        "simulation.duration_ms",
        (4, 15),
        "nan",
        "finite",
    );
}

#[test]
fn absurd_step_count_is_an_error() {
    let name = "absurd_step_count";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "simulation",
        "simulation.duration_ms",
        (4, 15),
        "1e12",
        "2^32",
    );
}

#[test]
fn numerics_check_entries_are_reported_without_overflow() {
    let name = "numerics_out_of_range";
    let d = invalid(name);
    assert_eq!(d.len(), 3, "{d:#?}");
    expect(
        name,
        &d,
        "numerics",
        "numerics.w_bits",
        (44, 10),
        "40",
        "outside the supported range",
    );
    expect(
        name,
        &d,
        "numerics",
        "numerics.v_frac",
        (45, 10),
        "30",
        "must be below v_bits",
    );
    expect(
        name,
        &d,
        "numerics",
        "numerics.w_shift",
        (46, 11),
        "4294967295",
        "overflows",
    );
}

#[test]
fn numerics_check_entries_map_to_numerics_fields() {
    let mut net = load_file(&fixture("valid")).unwrap();
    net.numerics.max_delay_steps = 0;
    net.numerics.trace_frac = 40;
    let expected = net.numerics.check();
    assert!(!expected.is_empty());
    let d = validate(&net).unwrap_err().0;
    for (field, msg) in expected {
        assert!(
            d.iter().any(|d| d.object == "numerics"
                && d.path == path!["numerics", field]
                && d.message == msg),
            "{field}: {msg} not in {d:#?}"
        );
    }
}

#[test]
fn population_problems_are_all_reported() {
    let name = "population_problems";
    let d = invalid(name);
    assert_eq!(d.len(), 8, "{d:#?}");
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].neuron.t_ref_ms",
        (17, 12),
        "2.05",
        "not a whole number of steps",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[1].name",
        (22, 8),
        "\"E\"",
        "duplicate population name",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[1].size",
        (23, 8),
        "0",
        "at least 1",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[1].v_init.std_mv",
        (24, 55),
        "-2.0",
        "must not be negative",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[1].background.poisson.rate_hz",
        (26, 38),
        "-1.0",
        "must not be negative",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[1].background.poisson.weight_pa",
        (26, 72),
        "inf",
        "finite",
    );
    // Both projections refer to the renamed population "I".
    expect(
        name,
        &d,
        "projection \"E->I\" (#0)",
        "projection[0].target",
        (30, 10),
        "\"I\"",
        "known populations: \"E\")",
    );
}

#[test]
fn more_than_2_pow_24_neurons_is_an_error() {
    let name = "too_many_neurons";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "population \"I\"",
        "population[1].size",
        (23, 8),
        "2",
        "16777217 neurons",
    );
}

#[test]
fn more_synapses_from_one_neuron_than_a_row_holds_is_an_error() {
    let name = "synapses_per_source_above_limit";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "projection \"A->B\" (#0)",
        "projection[0].rule.n",
        (22, 43),
        "4294967312",
        "n = 4294967312 gives its neuron of population \"A\" 4294967312 outgoing synapses, \
         more than the limit of 4294967295 (2^32 - 1) synapses from one source neuron",
    );
}

#[test]
fn just_below_the_row_limit_passes_validation() {
    let text =
        read(&fixture("synapses_per_source_above_limit")).replace("4294967312", "4294967295");
    assert!(load_str(&text, "x.toml").is_ok());
    let text = text.replace("4294967295", "4294967296");
    assert!(load_str(&text, "x.toml").is_err());
}

#[test]
fn more_synapses_in_one_projection_than_a_network_holds_is_an_error() {
    let name = "synapses_of_one_projection_above_limit";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "projection \"A->B\" (#0)",
        "projection[0].rule.k",
        (21, 39),
        "4000000000",
        "k = 4000000000 onto the 20 neurons of population \"B\" makes 80000000000 synapses, \
         more than the limit of 68719476736 (2^36) synapses in a network",
    );
}

#[test]
fn more_synapses_in_all_than_a_network_holds_is_reported_where_crossed() {
    let name = "synapses_total_above_limit";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "projection \"B->A\" (#1)",
        "projection[1].rule.n",
        (28, 43),
        "40000000000",
        "the network has 80000000000 synapses in total, more than the limit of 68719476736 (2^36)",
    );
}

#[test]
fn huge_population_sizes_do_not_overflow() {
    let mut net = load_file(&fixture("valid")).unwrap();
    for p in &mut net.populations {
        p.size = u32::MAX;
    }
    let d = validate(&net).unwrap_err().0;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("8589934590 neurons"), "{}", d[0]);
}

#[test]
fn non_finite_parameters_are_errors() {
    let name = "non_finite_values";
    let d = invalid(name);
    assert_eq!(d.len(), 2, "{d:#?}");
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].neuron.c_m_pf",
        (13, 10),
        "nan",
        "finite",
    );
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].neuron.e_l_mv",
        (14, 10),
        "-inf",
        "finite",
    );
}

#[test]
fn a_network_without_populations_is_an_error() {
    let name = "no_populations";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "network",
        "population",
        (1, 1),
        "#",
        "no populations",
    );
}

#[test]
fn impossible_rules_are_errors() {
    let name = "impossible_rules";
    let d = invalid(name);
    assert_eq!(d.len(), 2, "{d:#?}");
    expect(
        name,
        &d,
        "projection \"E->I\" (#0)",
        "projection[0].rule.kind",
        (31, 17),
        "\"one_to_one\"",
        "equal size",
    );
    expect(
        name,
        &d,
        "projection \"I->E\" (#1)",
        "projection[1].rule.autapses",
        (39, 53),
        "false",
        "impossible",
    );
}

#[test]
fn zero_state_recording_interval_is_an_error() {
    let name = "every_steps_zero";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "recording",
        "recording.state.every_steps",
        (45, 15),
        "0",
        "at least 1",
    );
}

#[test]
fn uniform_v_init_with_low_above_high_is_an_error() {
    let name = "uniform_low_above_high";
    let d = invalid(name);
    assert_eq!(d.len(), 1, "{d:#?}");
    expect(
        name,
        &d,
        "population \"E\"",
        "population[0].v_init.low_mv",
        (9, 39),
        "-50.0",
        "must not exceed high_mv",
    );
}

#[test]
fn pairwise_probability_nan_is_an_error() {
    let text = read(&fixture("valid")).replace("p = 0.5", "p = nan");
    let Err(LoadError::Invalid(d)) = load_str(&text, "x.toml") else {
        panic!("expected an invalid network")
    };
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].field(), "projection[1].rule.p");
}

#[test]
fn explicit_diagnostics_are_capped_with_a_summary() {
    let entries: Vec<String> = (0..500).map(|_| "[99, 99, 1.0, 1.0]".to_string()).collect();
    let text = format!(
        "{}\n[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = {{ kind = \"explicit\", synapses = [{}] }}\n",
        read(&fixture("valid")),
        entries.join(", ")
    );
    let Err(LoadError::Invalid(d)) = load_str(&text, "x.toml") else {
        panic!("expected an invalid network")
    };
    assert_eq!(d.0.len(), 51, "50 listed + 1 summary");
    assert!(
        d.0.iter().any(|d| d.message.contains("950 more problems")),
        "{d}"
    );
    assert!(
        d.0.iter()
            .any(|d| d.message.contains("500 of 500 synapses")),
        "{d}"
    );
}

// ---------------------------------------------------------------------------
// validate / locate on their own
// ---------------------------------------------------------------------------

#[test]
fn validate_reports_unlocated_diagnostics_with_paths() {
    let mut net: Network = load_file(&fixture("valid")).unwrap();
    net.populations[1].neuron.tau_m_ms = f64::NAN;
    net.simulation.dt_ms = -0.1;
    let d = validate(&net).unwrap_err().0;
    assert!(d.iter().all(|d| d.location.is_none()));
    assert!(d
        .iter()
        .any(|d| d.path == path!["population", 1usize, "neuron", "tau_m_ms"]));
    assert!(d
        .iter()
        .any(|d| d.path == path!["simulation", "dt_ms"] && d.object == "simulation"));
}

#[test]
fn locate_points_at_the_nearest_existing_parent() {
    let text = read(&fixture("valid"));
    let mut d = Diagnostics(vec![
        // The key exists: point at its value.
        Diagnostic::new("x", path!["population", 1usize, "size"], "m"),
        // `background` is absent from the first population: its [[population]] header.
        Diagnostic::new("x", path!["population", 0usize, "background", "dc_pa"], "m"),
        // Missing last key in an inline table: the inline table.
        Diagnostic::new("x", path!["projection", 0usize, "delay", "sd_ms"], "m"),
        // Nothing of it exists: the start of the file.
        Diagnostic::new("x", path!["plasticity", "tau_plus_ms"], "m"),
        // Index past the end of an array of tables: the array's first table.
        Diagnostic::new("x", path!["projection", 7usize], "m"),
    ]);
    locate(&text, "v.toml", &mut d);
    let at: Vec<(usize, usize)> =
        d.0.iter()
            .map(|d| {
                let l = d.location.as_ref().unwrap();
                assert_eq!(l.file, "v.toml");
                (l.line, l.col)
            })
            .collect();
    assert_eq!(at, vec![(23, 8), (6, 1), (33, 9), (1, 1), (28, 1)]);
}

#[test]
fn locate_on_unparsable_text_leaves_locations_empty() {
    let mut d = Diagnostics(vec![Diagnostic::new("x", vec![Seg::Key("a".into())], "m")]);
    locate("[[[", "bad.toml", &mut d);
    assert!(d.0[0].location.is_none());
}
#[test]
fn syntax_errors_without_a_message_still_get_one() {
    let err = load_str("# comment\n# bad \u{0} char\n", "c.toml").unwrap_err();
    let LoadError::Parse {
        line, col, message, ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!((line, col), (2, 7));
    assert!(message.contains("unexpected character '\\0'"), "{message}");
}
