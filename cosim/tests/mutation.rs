//! The mutation check through the generator's fault option
//! (`GenOptions::fault`, `spikefab cosim --inject-fault KIND@STEP`): a core
//! generated with a fault must diverge from the reference, at the step the
//! fault acts, and the same network on the healthy core must match.
//!
//! - `rounding@X` truncates instead of rounding in phase A of step X: the
//!   divergence is in step X;
//! - `drop-spike@X` and `skip-weight-write@X` are one-shot faults on the
//!   first spike / weight write at or after step X: the divergence is in the
//!   first step >= X in which the reference has a spike / a weight write,
//!   computed here from the reference engine's own records. X is chosen in a
//!   quiet stretch of the run, so that this step lies strictly after X.

mod support;

use std::path::Path;

use spikefab_cosim::lockstep::LockstepError;
use spikefab_gen::{Fault, FaultKind, GenOptions};
use support::build_engine;
use support::{
    engine_records, expect_match, hw, load_net, net_path, opts, prepare_on, run_prepared,
    vcd_values,
};

/// Run `file` on `config` with `kind` injected at step `x`; returns the
/// step the lockstep caught it in, after checking it against `expected`.
fn caught(file: &str, config: &str, kind: FaultKind, x: u64, expected: u64, wave: bool) -> u64 {
    let net = load_net(file);
    let h = hw(config);
    let fault = Fault {
        kind,
        step: x as u32,
    };
    let work = format!("mutation-{}", kind.name());
    let mut p = prepare_on(
        &net,
        &h,
        &GenOptions {
            fault: Some(fault),
            ..GenOptions::default()
        },
        &work,
    );
    assert_eq!(
        p.manifest.fault,
        Some(fault),
        "the manifest names the fault"
    );
    let repro = format!(
        "spikefab cosim {} --hw {config} --inject-fault {fault}",
        net_path(file).display()
    );
    let mut o = opts(expected + 10, 3, 100, 1, repro);
    let vcd = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cosim-work")
        .join(&work)
        .join("divergence.vcd");
    if wave {
        o.wave = Some(vcd.clone());
    }
    let d = match run_prepared(&mut p, &o) {
        Err(LockstepError::Diverged(d)) => d,
        Ok(r) => panic!("FAULT {fault} on '{config}' not caught: {}", r.marker()),
        Err(e) => panic!("FAULT {fault} on '{config}': unexpected error {e}"),
    };
    let y = d.divergence.step;
    assert_eq!(y, expected, "FAULT {fault} on '{config}':\n{d}");
    if wave {
        let (path, first, last) = d.vcd.clone().unwrap_or_else(|| panic!("no waveform: {d}"));
        assert_eq!(path, vcd);
        assert_eq!(
            (first, last),
            (y - o.wave_window, y),
            "the window before the divergence"
        );
        let text = std::fs::read_to_string(&path).expect("the VCD exists");
        assert!(text.contains("$enddefinitions") && text.contains("obs_v_o"));
        let steps = vcd_values(&text, "step_o");
        for t in first..=last {
            assert!(
                steps.contains(&t),
                "the VCD covers step {t}: step_o took {steps:?}"
            );
        }
        println!(
            "mutation check: waveform of steps {first}..={last} ({} bytes, step_o {:?}) at {}",
            text.len(),
            steps,
            path.display()
        );
    }

    // The same network on the healthy core matches over the same steps.
    let mut ok = prepare_on(&net, &h, &GenOptions::default(), &format!("{work}-healthy"));
    let repro = format!("spikefab cosim {} --hw {config}", net_path(file).display());
    let r = expect_match(
        run_prepared(&mut ok, &opts(expected + 10, 3, 100, 1, repro)),
        "the healthy core",
    );
    println!(
        "mutation check: FAULT {} injected at step {x} caught at step {y} ({file} on '{config}'; \
         the healthy core: {})",
        kind.name(),
        r.marker()
    );
    y
}

/// The first step >= `x` in which the reference of `file` on `config` has a
/// spike (or, with `weights`, a weight write); asserts that step `x` itself
/// has none.
fn first_active(file: &str, config: &str, x: u64, weights: bool) -> u64 {
    let mut e = build_engine(&load_net(file), &hw(config), 1).expect("builds");
    let recs = engine_records(&mut e, x + 200);
    let active = |r: &spikefab_sim::records::StepRecords| {
        if weights {
            !r.weights.is_empty()
        } else {
            !r.spikes.is_empty()
        }
    };
    assert!(!active(&recs[x as usize]), "step {x} is quiet");
    recs[x as usize..]
        .iter()
        .find(|r| active(r))
        .expect("activity after the fault step")
        .step
}

#[test]
fn rounding_fault_is_caught_in_its_step() {
    caught("static_odd.toml", "odd", FaultKind::Rounding, 17, 17, false);
}

#[test]
fn dropped_spike_is_caught_at_the_first_spike_after_the_fault_step() {
    let x = 19;
    let y = first_active("static_odd.toml", "odd", x, false);
    assert!(y > x);
    caught("static_odd.toml", "odd", FaultKind::DropSpike, x, y, false);
}

#[test]
fn skipped_weight_write_is_caught_at_the_first_write_after_the_fault_step_with_a_waveform() {
    let x = 36;
    let y = first_active("stdp_odd.toml", "stdp", x, true);
    assert!(y > x);
    caught(
        "stdp_odd.toml",
        "stdp",
        FaultKind::SkipWeightWrite,
        x,
        y,
        true,
    );
}
