//! Fuzzing the whole way from a network file to a running engine: no input
//! crashes, hangs or aborts `check`, the memory estimate, the connectivity
//! build or the first steps. (`load_fuzz.rs` fuzzes the loader's error
//! reports; this file follows accepted networks further.)
//!
//! Each case loads a mutated network, as `spikefab check` does; estimates
//! its memory for every job; and, when the loader accepts it and the
//! estimate is small, builds the engine and runs a few steps. A case runs
//! in its own thread with a deadline: one that does not finish in time
//! fails the test, naming its input. Huge, tiny and special values (2^32 +
//! 16 synapses from one neuron, p = 1e-300, NaN, inf, sizes at the neuron
//! limit) are drawn often.
//!
//! The run is bounded in wall-clock time: `SPIKEFAB_FUZZ_SECONDS` (default
//! 25) for each of the two properties, which the test harness runs side by
//! side, after which remaining cases pass without running;
//! `SPIKEFAB_FUZZ_CASES` (default 10000) caps the cases. Failing cases are
//! persisted in `build_fuzz.proptest-regressions` and replayed first.

use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use spikefab_sim::engine::Engine;
use spikefab_sim::load::{load_str, LoadError};
use spikefab_sim::memory::{estimate, Job};
use spikefab_sim::net::{DelayDist, Network, PoissonDrive, Rule, StateRecording, WeightDist};

const TWO_POPULATIONS: &str = include_str!("../../examples/two_populations.toml");
const STDP_PAIR: &str = include_str!("../../examples/stdp_pair.toml");
const VALID: &str = include_str!("fixtures/valid.toml");
const PER_SOURCE: &str = include_str!("fixtures/synapses_per_source_above_limit.toml");

/// Networks whose estimate is at most this are built and run.
const SMALL_BYTES: u64 = 64 << 20;
/// Steps run after a build.
const STEPS: u64 = 3;
/// A case (load, estimate, build, steps) must end within this. Generous:
/// the largest network built takes well under a second; a hang never ends.
const DEADLINE: Duration = Duration::from_secs(20);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: env_or("SPIKEFAB_FUZZ_CASES", 10_000) as u32,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // Shrinking a case that timed out waits out the deadline at each
        // step: stop shrinking after a minute (the input is named anyway).
        max_shrink_iters: 64,
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    }
}

/// Whether the property's time budget is spent (the clock starts at its
/// first case).
fn out_of_time(start: &OnceLock<Instant>) -> bool {
    let t0 = *start.get_or_init(Instant::now);
    t0.elapsed() > Duration::from_secs(env_or("SPIKEFAB_FUZZ_SECONDS", 25))
}

/// What one case did (for the statistics printed at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Rejected,
    TooBig,
    BuildError,
    Ran,
}

/// Load `text` like `spikefab check`, estimate, and build and step it when
/// it is accepted and small.
fn exercise(text: &str) -> Outcome {
    let net = match load_str(text, "fuzz.toml") {
        Ok(net) => net,
        Err(LoadError::Invalid(d)) => {
            assert!(!d.0.is_empty());
            return Outcome::Rejected;
        }
        Err(LoadError::Parse { message, .. }) => {
            assert!(!message.is_empty());
            return Outcome::Rejected;
        }
        Err(e @ LoadError::Io { .. }) => panic!("load_str cannot fail with Io: {e}"),
    };
    exercise_net(&net)
}

fn exercise_net(net: &Network) -> Outcome {
    for job in [
        Job::Simulate,
        Job::Generate { mesh: true },
        Job::Cosimulate { mesh: false },
    ] {
        let e = estimate(net, job, 2);
        assert!(e.total() >= e.items.iter().map(|i| i.bytes).max().unwrap_or(0));
        let _ = e.to_string();
    }
    if estimate(net, Job::Simulate, 2).total() > SMALL_BYTES {
        return Outcome::TooBig;
    }
    match Engine::from_network(net) {
        Ok(mut e) => {
            assert_eq!(e.state.len() as u64, net.num_neurons());
            assert_eq!(e.syn.row_start.len() as u64, net.num_neurons() + 1);
            for _ in 0..STEPS.min(net.num_steps()) {
                let spikes = e.step();
                assert!(spikes.windows(2).all(|w| w[0] < w[1]));
            }
            Outcome::Ran
        }
        Err(d) => {
            assert!(!d.0.is_empty());
            Outcome::BuildError
        }
    }
}

/// Run `f` on `input` in a thread; fail naming the input if it panics or
/// does not finish within the deadline.
fn within_deadline<I: std::fmt::Debug + Send + 'static>(input: I, f: fn(&I) -> Outcome) -> Outcome {
    let shown = format!("{input:?}");
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("fuzz-case".into())
        .spawn(move || {
            let _ = tx.send(f(&input));
        })
        .expect("spawn a case thread");
    match rx.recv_timeout(DEADLINE) {
        Ok(o) => {
            let _ = worker.join();
            o
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("case did not finish within {DEADLINE:?} (a hang?): input {shown}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // the case panicked; its message is on stderr
            let _ = worker.join();
            panic!("case panicked: input {shown}")
        }
    }
}

// ---------------------------------------------------------------------------
// (a) network files with their numbers replaced
// ---------------------------------------------------------------------------

/// Numbers that drive counts, sizes and loops, and the special ones.
const WILD: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "0.0",
    "-0.0",
    "1e-300",
    "5e-324",
    "1e-17",
    "0.9999999999999999",
    "1e-9",
    "0.5",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e9",
    "1000000000",
    "100000000",
    "4000000000",
    "4294967295",
    "4294967296",
    "4294967280",
    "4294967312",
    "16777000",
    "16777216",
    "16777217",
    "68719476736",
    "68719476737",
    "255",
    "256",
    "65535",
    "9223372036854775807",
    "18446744073709551615",
];

/// Byte ranges of the number literals in `text` (not inside words).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_digit());
        let in_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if starts && !in_word {
            let s = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.'
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

/// `text` with its `i`-th number (of `numbers`) replaced by `with`.
fn swap(text: &str, i: usize, with: &str) -> String {
    let nums = numbers(text);
    if nums.is_empty() {
        return text.to_string();
    }
    let (s, e) = nums[i % nums.len()];
    format!("{}{with}{}", &text[..s], &text[e..])
}

fn base_text() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(TWO_POPULATIONS),
        Just(STDP_PAIR),
        Just(VALID),
        Just(PER_SOURCE),
    ]
}

fn wild_or_any() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WILD).prop_map(str::to_string),
        1 => any::<u64>().prop_map(|x| (x >> (x % 64)).to_string()),
        1 => any::<f64>().prop_map(|x| format!("{x:e}")),
    ]
}

#[derive(Debug, Clone)]
struct Swapped(String);

fn swapped_file() -> impl Strategy<Value = Swapped> {
    (
        base_text(),
        prop::collection::vec((any::<usize>(), wild_or_any()), 1..5),
    )
        .prop_map(|(base, swaps)| {
            let mut text = base.to_string();
            for (i, w) in &swaps {
                text = swap(&text, *i, w);
            }
            Swapped(text)
        })
}

// ---------------------------------------------------------------------------
// (b) valid networks with numeric fields set to extreme values
// ---------------------------------------------------------------------------

fn wild_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => 0u32..50,
        1 => prop::sample::select(vec![
            0u32, 1, 2, 255, 256, 65_535, 1 << 24, 16_777_000, 100_000_000,
            4_000_000_000, u32::MAX - 1, u32::MAX,
        ]),
        1 => any::<u32>(),
    ]
}

fn wild_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..5000,
        1 => prop::sample::select(vec![
            0u64, 1, 1_000_000_000, (1 << 32) - 16, (1 << 32) - 1, 1 << 32, (1 << 32) + 16,
            1 << 36, (1 << 36) + 1, i64::MAX as u64,
        ]),
        1 => 0u64..=i64::MAX as u64,
    ]
}

fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..1.0f64,
        1 => prop::sample::select(vec![
            0.0, -0.0, 1.0, 1e-300, 5e-324, 1e-17, 1e-16, 5e-17, 1.0 - f64::EPSILON,
            f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, -1.0, 0.5,
        ]),
        1 => any::<f64>(),
    ]
}

/// One field of a valid network set to a drawn value.
#[derive(Debug, Clone)]
enum Field {
    Size(usize, u32),
    TotalNumber(usize, u64, bool),
    Indegree(usize, u32, bool),
    Probability(usize, f64, bool),
    OneToOne(usize),
    MaxDelay(u32),
    Dt(f64),
    Duration(f64),
    Weight(usize, f64, f64),
    Delay(usize, f64, f64),
    Poisson(usize, f64, u32, f64),
    State(u32, u32),
    Seed(u64),
}

fn field() -> impl Strategy<Value = Field> {
    let i = 0usize..4;
    prop_oneof![
        (i.clone(), wild_u32()).prop_map(|(i, n)| Field::Size(i, n)),
        (i.clone(), wild_u64(), any::<bool>()).prop_map(|(i, n, a)| Field::TotalNumber(i, n, a)),
        (i.clone(), wild_u32(), any::<bool>()).prop_map(|(i, k, a)| Field::Indegree(i, k, a)),
        (i.clone(), wild_f64(), any::<bool>()).prop_map(|(i, p, a)| Field::Probability(i, p, a)),
        i.clone().prop_map(Field::OneToOne),
        wild_u32().prop_map(Field::MaxDelay),
        wild_f64().prop_map(Field::Dt),
        (wild_f64(), 0u32..3).prop_map(|(x, k)| Field::Duration(x * 10f64.powi(k as i32))),
        (i.clone(), wild_f64(), wild_f64()).prop_map(|(i, m, s)| Field::Weight(i, 400.0 * m, s)),
        (i.clone(), wild_f64(), wild_f64()).prop_map(|(i, m, s)| Field::Delay(i, 5.0 * m, s)),
        (i.clone(), wild_f64(), wild_u32(), wild_f64()).prop_map(|(i, r, k, w)| Field::Poisson(
            i,
            100.0 * r,
            k,
            100.0 * w
        )),
        (wild_u32(), wild_u32()).prop_map(|(n, e)| Field::State(n, e)),
        wild_u64().prop_map(Field::Seed),
    ]
}

fn apply(net: &mut Network, f: &Field) {
    let np = net.populations.len();
    let nj = net.projections.len();
    match *f {
        Field::Size(i, n) => net.populations[i % np].size = n,
        Field::TotalNumber(i, n, autapses) => {
            net.projections[i % nj].rule = Rule::FixedTotalNumber { n, autapses }
        }
        Field::Indegree(i, k, autapses) => {
            net.projections[i % nj].rule = Rule::FixedIndegree { k, autapses }
        }
        Field::Probability(i, p, autapses) => {
            net.projections[i % nj].rule = Rule::PairwiseBernoulli { p, autapses }
        }
        Field::OneToOne(i) => net.projections[i % nj].rule = Rule::OneToOne,
        Field::MaxDelay(m) => net.numerics.max_delay_steps = m,
        Field::Dt(x) => net.simulation.dt_ms = x,
        Field::Duration(x) => net.simulation.duration_ms = x,
        Field::Weight(i, mean_pa, sd_pa) => {
            let p = &mut net.projections[i % nj];
            if !matches!(p.rule, Rule::Explicit { .. }) {
                p.weight = Some(WeightDist { mean_pa, sd_pa });
            }
        }
        Field::Delay(i, mean_ms, sd_ms) => {
            let p = &mut net.projections[i % nj];
            if !matches!(p.rule, Rule::Explicit { .. }) {
                p.delay = Some(DelayDist { mean_ms, sd_ms });
            }
        }
        Field::Poisson(i, rate_hz, indegree, weight_pa) => {
            net.populations[i % np].background.poisson = Some(PoissonDrive {
                rate_hz,
                indegree,
                weight_pa,
            })
        }
        Field::State(n, e) => {
            net.recording.state = Some(StateRecording {
                neurons_per_population: n,
                every_steps: e,
            })
        }
        Field::Seed(s) => net.simulation.seed = s,
    }
    // An explicit rule replaced by a drawn one needs a weight and a delay.
    for p in &mut net.projections {
        if !matches!(p.rule, Rule::Explicit { .. }) {
            p.weight.get_or_insert(WeightDist {
                mean_pa: -20.0,
                sd_pa: 2.0,
            });
            p.delay.get_or_insert(DelayDist {
                mean_ms: 1.0,
                sd_ms: 0.0,
            });
        }
    }
}

#[derive(Debug, Clone)]
struct Mutated(Network);

fn mutated_network() -> impl Strategy<Value = Mutated> {
    let bases: Vec<Network> = [TWO_POPULATIONS, STDP_PAIR, VALID]
        .iter()
        .map(|t| toml::from_str(t).expect("example parses"))
        .collect();
    (
        prop::sample::select(bases),
        prop::collection::vec(field(), 1..4),
    )
        .prop_map(|(mut net, fields)| {
            for f in &fields {
                apply(&mut net, f);
            }
            Mutated(net)
        })
}

/// A mutated network as `check` sees it: its TOML text through the loader
/// (when TOML can hold it), else the value itself validated.
fn exercise_mutated(m: &Mutated) -> Outcome {
    match m.0.to_toml() {
        Ok(text) => exercise(&text),
        Err(_) => match spikefab_sim::load::validate(&m.0) {
            Ok(()) => exercise_net(&m.0),
            Err(_) => Outcome::Rejected,
        },
    }
}

fn exercise_swapped(s: &Swapped) -> Outcome {
    exercise(&s.0)
}

/// Tally outcomes and print them when the property ends.
struct Tally {
    name: &'static str,
    counts: std::sync::Mutex<[u64; 5]>,
}

impl Tally {
    const fn new(name: &'static str) -> Tally {
        Tally {
            name,
            counts: std::sync::Mutex::new([0; 5]),
        }
    }
    fn add(&self, o: Option<Outcome>) {
        let k = match o {
            Some(Outcome::Rejected) => 0,
            Some(Outcome::TooBig) => 1,
            Some(Outcome::BuildError) => 2,
            Some(Outcome::Ran) => 3,
            None => 4,
        };
        let mut c = self.counts.lock().unwrap();
        c[k] += 1;
        if c.iter().sum::<u64>() % 500 == 0 {
            eprintln!(
                "{}: {} rejected by check, {} too big to build, {} build errors, {} built and ran, {} skipped (time budget)",
                self.name, c[0], c[1], c[2], c[3], c[4]
            );
        }
    }
}

static SWAPPED_START: OnceLock<Instant> = OnceLock::new();
static MUTATED_START: OnceLock<Instant> = OnceLock::new();
static SWAPPED: Tally = Tally::new("network files with wild numbers");
static MUTATED: Tally = Tally::new("networks with wild fields");

proptest! {
    #![proptest_config(config())]

    #[test]
    fn network_files_with_wild_numbers_never_crash_hang_or_abort(s in swapped_file()) {
        if out_of_time(&SWAPPED_START) {
            SWAPPED.add(None);
            return Ok(());
        }
        SWAPPED.add(Some(within_deadline(s, exercise_swapped)));
    }

    #[test]
    fn networks_with_wild_fields_never_crash_hang_or_abort(m in mutated_network()) {
        if out_of_time(&MUTATED_START) {
            MUTATED.add(None);
            return Ok(());
        }
        MUTATED.add(Some(within_deadline(m, exercise_mutated)));
    }
}

#[test]
fn the_issue_16_inputs_end_fast_with_errors_or_results() {
    // The segfault input: rejected by check...
    assert_eq!(exercise(PER_SOURCE), Outcome::Rejected);
    // ... and by the build itself, for a caller that skips validation.
    let net: Network = toml::from_str(PER_SOURCE).expect("parses");
    let model = spikefab_sim::quant::quantize(&net).expect("quantizes");
    let t0 = Instant::now();
    let err = spikefab_sim::connect::build(&net, &model).expect_err("refused");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(err.0[0].field(), "projection[0].rule.n", "{err}");
    assert!(err.0[0].message.contains("2^32 - 1"), "{err}");
    // Just below: accepted, but far too big to build here.
    let below = PER_SOURCE.replace("4294967312", "4294967280");
    assert_eq!(exercise(&below), Outcome::TooBig);
    // The hang input: builds and runs (the plastic projection has no synapse).
    for p in ["1e-300", "5e-324", "1e-17", "1e-16"] {
        let text = STDP_PAIR.replace("p = 1.0", &format!("p = {p}"));
        assert_eq!(
            within_deadline(Swapped(text), exercise_swapped),
            Outcome::Ran,
            "p = {p}"
        );
    }
}

#[test]
fn number_scanner_finds_whole_literals() {
    let t = "a = 1.5\nb_2 = -3e-4\nc = [0, 12]\nd = 4294967312\n";
    let found: Vec<&str> = numbers(t).into_iter().map(|(s, e)| &t[s..e]).collect();
    assert_eq!(found, vec!["1.5", "-3e-4", "0", "12", "4294967312"]);
}
