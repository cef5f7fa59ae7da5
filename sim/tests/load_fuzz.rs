//! Property tests: the loader never panics, whatever it is given, and its
//! errors are always well-formed.
//!
//! Failing cases are persisted next to this file, in
//! `load_fuzz.proptest-regressions`, and replayed first on later runs.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use spikefab_sim::load::{load_str, validate, LoadError};
use spikefab_sim::net::{
    Background, DelayDist, Network, NeuronParams, Plasticity, PoissonDrive, Population, Projection,
    Recording, Rule, Simulation, StateRecording, Stdp, VInit, WeightDist,
};
use spikefab_sim::NumericsConfig;

const CASES: u32 = 512;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

const TWO_POPULATIONS: &str = include_str!("../../examples/two_populations.toml");
const STDP_PAIR: &str = include_str!("../../examples/stdp_pair.toml");
const VALID: &str = include_str!("fixtures/valid.toml");

/// Load and check the shape of the outcome: errors carry sane positions and
/// every validation diagnostic is located.
fn check_outcome(text: &str) {
    match load_str(text, "fuzz.toml") {
        Ok(net) => {
            assert_eq!(validate(&net), Ok(()), "a loaded network validates");
        }
        Err(LoadError::Parse {
            file,
            line,
            col,
            message,
        }) => {
            assert_eq!(file, "fuzz.toml");
            let lines = text.split('\n').count();
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            assert!(col >= 1, "col {col}");
            assert!(!message.is_empty());
        }
        Err(LoadError::Invalid(d)) => {
            assert!(!d.0.is_empty(), "Invalid carries at least one diagnostic");
            for diag in &d.0 {
                let loc = diag.location.as_ref().expect("every diagnostic is located");
                assert!(loc.line >= 1 && loc.col >= 1);
                assert!(!diag.object.is_empty() && !diag.message.is_empty());
            }
            let _ = d.to_string();
        }
        Err(e @ LoadError::Io { .. }) => panic!("load_str cannot fail with Io: {e}"),
    }
}

// ---------------------------------------------------------------------------
// (a) arbitrary strings
// ---------------------------------------------------------------------------

/// TOML-flavoured tokens, so that random text gets past the first character.
fn toml_token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[".to_string()),
        Just("]".to_string()),
        Just("[[population]]\n".to_string()),
        Just("[[projection]]\n".to_string()),
        Just("[simulation]\n".to_string()),
        Just("[numerics]\n".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(" = ".to_string()),
        Just(", ".to_string()),
        Just("\n".to_string()),
        Just("\"".to_string()),
        Just("'''".to_string()),
        Just("kind".to_string()),
        Just("\"explicit\"".to_string()),
        Just("dt_ms".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("1e400".to_string()),
        Just("#".to_string()),
        Just(".".to_string()),
        "[a-z_]{1,12}",
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?(e-?[0-9]{1,3})?",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

// ---------------------------------------------------------------------------
// (b) byte-level mutations of valid files
// ---------------------------------------------------------------------------

const WILD_NUMBERS: &[&str] = &[
    "nan",
    "+nan",
    "-nan",
    "inf",
    "-inf",
    "-1e308",
    "1e308",
    "1e400",
    "-1e400",
    "5e-324",
    "0",
    "0.0",
    "-0.0",
    "-1",
    "-1.0",
    "4294967295",
    "4294967296",
    "16777216",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e-9",
    "0.05",
    "\"x\"",
    "true",
    "[]",
    "{}",
    "[[1, 2, 3.0, 4.0]]",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, char),
    Replace(usize, char),
    /// Replace the n-th number of the text with one of `WILD_NUMBERS`.
    Number(usize, usize),
    /// Duplicate a line (duplicate keys, repeated tables).
    DuplicateLine(usize),
    /// Delete a line (missing fields).
    DeleteLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ch = prop_oneof![
        Just('['),
        Just(']'),
        Just('{'),
        Just('}'),
        Just('='),
        Just('"'),
        Just(','),
        Just('\n'),
        Just('.'),
        Just('-'),
        Just('e'),
        Just('0'),
        Just('9'),
        Just('é'),
        any::<char>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), ch).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<usize>(), 0..WILD_NUMBERS.len()).prop_map(|(i, k)| Mutation::Number(i, k)),
        (any::<usize>(), any::<usize>())
            .prop_map(|(i, k)| Mutation::Number(i, k % WILD_NUMBERS.len())),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DeleteLine),
    ]
}

/// Byte ranges of the number literals in `text`.
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            || ((b[i] == b'-' || b[i] == b'+') && i + 1 < b.len() && b[i + 1].is_ascii_digit());
        let after_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if starts && !after_word {
            let s = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || b[i] == b'.'
                    || b[i] == b'e'
                    || b[i] == b'E'
                    || b[i] == b'_'
                    || ((b[i] == b'-' || b[i] == b'+') && (b[i - 1] == b'e' || b[i - 1] == b'E')))
            {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

fn apply(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    match *m {
        Mutation::Delete(i) => {
            let mut c = chars;
            if !c.is_empty() {
                c.remove(i % n);
            }
            c.into_iter().collect()
        }
        Mutation::Insert(i, ch) => {
            let mut c = chars;
            c.insert(i % (c.len() + 1), ch);
            c.into_iter().collect()
        }
        Mutation::Replace(i, ch) => {
            let mut c = chars;
            if !c.is_empty() {
                c[i % n] = ch;
            }
            c.into_iter().collect()
        }
        Mutation::Number(i, k) => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let (s, e) = nums[i % nums.len()];
            format!(
                "{}{}{}",
                &text[..s],
                WILD_NUMBERS[k % WILD_NUMBERS.len()],
                &text[e..]
            )
        }
        Mutation::DuplicateLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let j = i % lines.len();
                lines.insert(j, lines[j]);
            }
            lines.join("\n")
        }
        Mutation::DeleteLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                lines.remove(i % lines.len());
            }
            lines.join("\n")
        }
    }
}

fn base_text() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(TWO_POPULATIONS), Just(STDP_PAIR), Just(VALID)]
}

// ---------------------------------------------------------------------------
// (c) structurally valid networks with random field values
// ---------------------------------------------------------------------------

/// Floats: mostly plausible, often extreme or special.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -100.0..100.0f64,
        2 => 0.0..5.0f64,
        1 => Just(0.0),
        1 => Just(0.1),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(5e-324),
        1 => any::<f64>(),
    ]
}

fn small_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..20,
        1 => Just(u32::MAX),
        1 => Just(1u32 << 24),
        1 => any::<u32>(),
    ]
}

fn neuron() -> impl Strategy<Value = NeuronParams> {
    (
        (float(), float(), float(), float()),
        (float(), float(), float(), float()),
    )
        .prop_map(
            |(
                (tau_m_ms, c_m_pf, e_l_mv, v_th_mv),
                (v_reset_mv, t_ref_ms, tau_syn_ex_ms, tau_syn_in_ms),
            )| {
                NeuronParams {
                    tau_m_ms,
                    c_m_pf,
                    e_l_mv,
                    v_th_mv,
                    v_reset_mv,
                    t_ref_ms,
                    tau_syn_ex_ms,
                    tau_syn_in_ms,
                }
            },
        )
}

fn v_init() -> impl Strategy<Value = VInit> {
    prop_oneof![
        float().prop_map(|v_mv| VInit::Constant { v_mv }),
        (float(), float()).prop_map(|(mean_mv, std_mv)| VInit::Normal { mean_mv, std_mv }),
        (float(), float()).prop_map(|(low_mv, high_mv)| VInit::Uniform { low_mv, high_mv }),
    ]
}

fn background() -> impl Strategy<Value = Background> {
    (
        float(),
        proptest::option::of((float(), small_u32(), float()).prop_map(
            |(rate_hz, indegree, weight_pa)| PoissonDrive {
                rate_hz,
                indegree,
                weight_pa,
            },
        )),
    )
        .prop_map(|(dc_pa, poisson)| Background { dc_pa, poisson })
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["E", "I", "X"]).prop_map(str::to_string),
        1 => Just(String::new()),
        1 => "\\PC{0,8}",
    ]
}

fn population() -> impl Strategy<Value = Population> {
    (name(), small_u32(), neuron(), v_init(), background()).prop_map(
        |(name, size, neuron, v_init, background)| Population {
            kind: spikefab_sim::net::PopulationKind::Lif,
            name,
            size,
            neuron,
            v_init,
            background,
        },
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        (prop_oneof![0u64..100, Just(i64::MAX as u64)], any::<bool>())
            .prop_map(|(n, autapses)| Rule::FixedTotalNumber { n, autapses }),
        (float(), any::<bool>()).prop_map(|(p, autapses)| Rule::PairwiseBernoulli { p, autapses }),
        (small_u32(), any::<bool>()).prop_map(|(k, autapses)| Rule::FixedIndegree { k, autapses }),
        Just(Rule::OneToOne),
        prop::collection::vec((small_u32(), small_u32(), float(), float()), 0..6)
            .prop_map(|synapses| Rule::Explicit { synapses }),
    ]
}

fn projection() -> impl Strategy<Value = Projection> {
    (
        proptest::option::of(name()),
        name(),
        name(),
        rule(),
        proptest::option::of(
            (float(), float()).prop_map(|(mean_pa, sd_pa)| WeightDist { mean_pa, sd_pa }),
        ),
        proptest::option::of(
            (float(), float()).prop_map(|(mean_ms, sd_ms)| DelayDist { mean_ms, sd_ms }),
        ),
        proptest::option::of((float(), float(), float(), float()).prop_map(
            |(a_plus_pa, a_minus_pa, w_min_pa, w_max_pa)| Stdp {
                a_plus_pa,
                a_minus_pa,
                w_min_pa,
                w_max_pa,
            },
        )),
    )
        .prop_map(
            |(name, source, target, rule, weight, delay, stdp)| Projection {
                name,
                source,
                target,
                rule,
                weight,
                delay,
                stdp,
            },
        )
}

fn numerics() -> impl Strategy<Value = NumericsConfig> {
    prop_oneof![
        3 => Just(NumericsConfig::default()),
        1 => (
            (small_u32(), small_u32(), small_u32(), small_u32(), small_u32(), small_u32(), small_u32()),
            (small_u32(), small_u32(), small_u32(), small_u32(), small_u32(), small_u32(), small_u32()),
        )
            .prop_map(|(a, b)| NumericsConfig {
                v_bits: a.0,
                v_frac: a.1,
                i_bits: a.2,
                i_frac: a.3,
                w_bits: a.4,
                w_shift: a.5,
                acc_bits: a.6,
                coef_bits: b.0,
                coef_frac: b.1,
                max_delay_steps: b.2,
                ref_bits: b.3,
                trace_bits: b.4,
                trace_frac: b.5,
                poisson_table_len: b.6,
            }),
    ]
}

fn network() -> impl Strategy<Value = Network> {
    (
        (
            float(),
            float(),
            prop_oneof![Just(0u64), Just(i64::MAX as u64)],
        ),
        proptest::option::of((small_u32(), small_u32())),
        numerics(),
        proptest::option::of((float(), float())),
        prop::collection::vec(population(), 0..4),
        prop::collection::vec(projection(), 0..4),
    )
        .prop_map(
            |(
                (dt_ms, duration_ms, seed),
                state,
                numerics,
                plasticity,
                populations,
                projections,
            )| Network {
                name: None,
                simulation: Simulation {
                    dt_ms,
                    duration_ms,
                    seed,
                },
                recording: Recording {
                    spikes: true,
                    state: state.map(|(neurons_per_population, every_steps)| StateRecording {
                        neurons_per_population,
                        every_steps,
                    }),
                },
                numerics,
                plasticity: plasticity.map(|(tau_plus_ms, tau_minus_ms)| Plasticity {
                    tau_plus_ms,
                    tau_minus_ms,
                }),
                populations,
                projections,
            },
        )
}

/// A network that is valid except for one randomly chosen field value.
fn mostly_valid_network() -> impl Strategy<Value = Network> {
    let base: Network = toml::from_str(VALID).expect("valid fixture parses");
    (0usize..12, float(), small_u32()).prop_map(move |(which, x, n)| {
        let mut net = base.clone();
        match which {
            0 => net.simulation.dt_ms = x,
            1 => net.simulation.duration_ms = x,
            2 => net.populations[0].neuron.tau_m_ms = x,
            3 => net.populations[0].neuron.tau_syn_ex_ms = x,
            4 => net.populations[1].neuron.t_ref_ms = x,
            5 => net.populations[0].size = n,
            6 => {
                net.projections[0].delay = Some(DelayDist {
                    mean_ms: x,
                    sd_ms: 0.0,
                })
            }
            7 => {
                net.projections[1].weight = Some(WeightDist {
                    mean_pa: x,
                    sd_pa: x,
                })
            }
            8 => net.numerics.max_delay_steps = n,
            9 => net.numerics.w_shift = n,
            10 => {
                net.projections[0].rule = Rule::Explicit {
                    synapses: vec![(n, n, x, x)],
                }
            }
            _ => {
                net.projections[1].rule = Rule::PairwiseBernoulli {
                    p: x,
                    autapses: false,
                }
            }
        }
        net
    })
}

/// Serialize (when TOML can represent it) and load; never panics, and the
/// loader agrees with `validate` on the value itself.
fn check_network(net: &Network) {
    let verdict = validate(net);
    let Ok(text) = net.to_toml() else {
        return;
    };
    match (load_str(&text, "gen.toml"), verdict) {
        (Ok(loaded), Ok(())) => assert_eq!(&loaded, net),
        (Err(LoadError::Invalid(d)), Err(expected)) => {
            assert_eq!(d.0.len(), expected.0.len(), "{d}\nvs\n{expected}");
        }
        // Serializing can lose nothing but identity of NaN payloads; any other
        // disagreement is a bug.
        (got, want) => panic!("load_str: {got:?}\nvalidate: {want:?}\n{text}"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_outcome(&s);
    }

    #[test]
    fn arbitrary_toml_like_token_soup_never_panics(tokens in prop::collection::vec(toml_token(), 0..60)) {
        check_outcome(&tokens.concat());
    }

    #[test]
    fn mutated_valid_files_never_panic(
        base in base_text(),
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut text = base.to_string();
        for m in &muts {
            text = apply(&text, m);
        }
        check_outcome(&text);
    }

    #[test]
    fn valid_files_with_wild_numbers_never_panic(
        base in base_text(),
        swaps in prop::collection::vec((any::<usize>(), 0..WILD_NUMBERS.len()), 1..4),
    ) {
        let mut text = base.to_string();
        for &(i, k) in &swaps {
            text = apply(&text, &Mutation::Number(i, k));
        }
        check_outcome(&text);
    }

    #[test]
    fn structurally_valid_networks_with_random_values_never_panic(net in network()) {
        check_network(&net);
    }

    #[test]
    fn mostly_valid_networks_load_iff_they_validate(net in mostly_valid_network()) {
        check_network(&net);
    }
}

#[test]
fn number_scanner_finds_the_numbers_of_an_example() {
    let text = "a = 1.5\nb_2 = -3e-4\nc = [0, 12]\n";
    let found: Vec<&str> = numbers(text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect();
    assert_eq!(found, vec!["1.5", "-3e-4", "0", "12"]);
}
