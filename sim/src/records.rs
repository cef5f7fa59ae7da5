//! Observation records of one time step, and the one comparator that every
//! verification path uses: the co-simulation of generated RTL in lockstep,
//! `spikefab compare` of two trace files ([`crate::trace::compare_traces`]:
//! record traces on every record, spike traces as their projection to
//! spikes) and, later, board read-back. It checks the reference's records of
//! a step against the records another implementation produced for the same
//! step.
//!
//! A step's records are, in the reference's deterministic order
//! ([`crate::engine::Observer`]): one [`NeuronRecord`] per neuron in
//! ascending order, the [`WeightRecord`]s in processing order (pre pass, then
//! post pass), and the spikes of the step in ascending neuron order. Every
//! record carries the step it belongs to, as its producer reported it (a
//! spike's in [`StepRecords::spike_steps`]), so a record of the wrong step is
//! a divergence like any other field. [`compare_step`] reports the first
//! divergence with every differing field and both values.

use std::fmt;

use crate::engine::{Engine, NeuronRecord, Observer, WeightRecord};

/// Everything observable about one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepRecords {
    pub step: u64,
    pub neurons: Vec<NeuronRecord>,
    pub weights: Vec<WeightRecord>,
    /// Spiking neurons, ascending.
    pub spikes: Vec<u32>,
    /// The step each spike was reported in, by index into `spikes`, as far
    /// as the producer reports one (a co-simulated core's `spk_step_o`); a
    /// spike without an entry (the reference, a trace file) is of `step`.
    /// See [`StepRecords::spike_step`].
    pub spike_steps: Vec<u64>,
}

impl Observer for StepRecords {
    fn neuron(&mut self, rec: &NeuronRecord) {
        self.neurons.push(*rec);
    }
    fn weight(&mut self, rec: &WeightRecord) {
        self.weights.push(*rec);
    }
}

impl StepRecords {
    /// Run one step of `e`, recording everything.
    pub fn of_engine_step(e: &mut Engine) -> StepRecords {
        let mut r = StepRecords {
            step: e.step_index(),
            ..StepRecords::default()
        };
        let spikes = e.step_observed(Some(&mut r)).to_vec();
        r.spikes = spikes;
        r
    }

    /// The step spike `index` was reported in: its entry of
    /// [`StepRecords::spike_steps`], else the record's `step`.
    pub fn spike_step(&self, index: usize) -> u64 {
        self.spike_steps.get(index).copied().unwrap_or(self.step)
    }
}

/// One field that differs: its name and both values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    pub field: &'static str,
    pub expected: i64,
    pub got: i64,
}

/// Which record a divergence is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    /// The neuron update of `neuron`.
    Neuron { neuron: u32 },
    /// The `index`-th weight write of the step (synapse of the reference's
    /// record, or of the other side's where the reference has none).
    Weight { index: usize, synapse: u64 },
    /// The `index`-th spike of the step (neuron of the reference's spike,
    /// or of the other side's where the reference has none).
    Spike { index: usize, neuron: u32 },
}

/// The first difference between two records of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    pub step: u64,
    pub kind: RecordKind,
    /// Differing fields (a missing or extra record has the field `present`).
    pub diffs: Vec<FieldDiff>,
}

impl Divergence {
    /// The divergence with the two sides named `expected` and `got` (its
    /// `Display` names them "reference" and "other").
    pub fn describe(&self, expected: &str, got: &str) -> String {
        let mut s = format!("step {}, ", self.step);
        match &self.kind {
            RecordKind::Neuron { neuron } => s.push_str(&format!("neuron {neuron}")),
            RecordKind::Weight { index, synapse } => s.push_str(&format!(
                "weight write {index} of the step (synapse {synapse})"
            )),
            RecordKind::Spike { index, neuron } => {
                s.push_str(&format!("spike {index} of the step (neuron {neuron})"))
            }
        }
        for d in &self.diffs {
            s.push_str(&format!(
                "; {}: {expected} {}, {got} {}",
                d.field, d.expected, d.got
            ));
        }
        s
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("reference", "other"))
    }
}

fn diffs(fields: &[(&'static str, i64, i64)]) -> Vec<FieldDiff> {
    fields
        .iter()
        .filter(|(_, e, g)| e != g)
        .map(|&(field, expected, got)| FieldDiff {
            field,
            expected,
            got,
        })
        .collect()
}

fn presence(exp: bool) -> Vec<FieldDiff> {
    vec![FieldDiff {
        field: "present",
        expected: exp as i64,
        got: !exp as i64,
    }]
}

/// The fields of a neuron record, for reports.
pub fn neuron_fields(r: &NeuronRecord) -> [(&'static str, i64); 7] {
    [
        ("step", r.step as i64),
        ("neuron", r.neuron as i64),
        ("v", r.state.v as i64),
        ("i_ex", r.state.i_ex as i64),
        ("i_in", r.state.i_in as i64),
        ("refr", r.state.refr as i64),
        ("spike", r.spike as i64),
    ]
}

/// The fields of a weight record, for reports.
pub fn weight_fields(r: &WeightRecord) -> [(&'static str, i64); 4] {
    [
        ("step", r.step as i64),
        ("synapse", r.synapse as i64),
        ("old", r.old as i64),
        ("new", r.new as i64),
    ]
}

/// The first divergence of `got` from the reference `exp` (same step):
/// neuron records first (ascending neuron), then weight writes, then spikes
/// (neuron and step, [`StepRecords::spike_step`]). `None`: every record
/// matches bit for bit.
pub fn compare_step(exp: &StepRecords, got: &StepRecords) -> Option<Divergence> {
    let step = exp.step;
    for i in 0..exp.neurons.len().max(got.neurons.len()) {
        let (e, g) = (exp.neurons.get(i), got.neurons.get(i));
        let d = match (e, g) {
            (Some(e), Some(g)) => {
                let (fe, fg) = (neuron_fields(e), neuron_fields(g));
                let f: Vec<_> = fe.iter().zip(&fg).map(|(a, b)| (a.0, a.1, b.1)).collect();
                diffs(&f)
            }
            (Some(_), None) => presence(true),
            (None, Some(_)) => presence(false),
            (None, None) => unreachable!(),
        };
        if !d.is_empty() {
            let neuron = e.or(g).map_or(0, |r| r.neuron);
            return Some(Divergence {
                step,
                kind: RecordKind::Neuron { neuron },
                diffs: d,
            });
        }
    }
    for i in 0..exp.weights.len().max(got.weights.len()) {
        let (e, g) = (exp.weights.get(i), got.weights.get(i));
        let d = match (e, g) {
            (Some(e), Some(g)) => {
                let (fe, fg) = (weight_fields(e), weight_fields(g));
                let f: Vec<_> = fe.iter().zip(&fg).map(|(a, b)| (a.0, a.1, b.1)).collect();
                diffs(&f)
            }
            (Some(_), None) => presence(true),
            (None, Some(_)) => presence(false),
            (None, None) => unreachable!(),
        };
        if !d.is_empty() {
            let synapse = e.or(g).map_or(0, |r| r.synapse);
            return Some(Divergence {
                step,
                kind: RecordKind::Weight { index: i, synapse },
                diffs: d,
            });
        }
    }
    for i in 0..exp.spikes.len().max(got.spikes.len()) {
        let (e, g) = (exp.spikes.get(i), got.spikes.get(i));
        let d = match (e, g) {
            (Some(&e), Some(&g)) => diffs(&[
                ("step", exp.spike_step(i) as i64, got.spike_step(i) as i64),
                ("neuron", e as i64, g as i64),
            ]),
            (Some(_), None) => presence(true),
            (None, Some(_)) => presence(false),
            (None, None) => unreachable!(),
        };
        if !d.is_empty() {
            let neuron = e.or(g).copied().unwrap_or(0);
            return Some(Divergence {
                step,
                kind: RecordKind::Spike { index: i, neuron },
                diffs: d,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::NeuronState;

    fn nrec(step: u64, neuron: u32, v: i32, spike: bool) -> NeuronRecord {
        NeuronRecord {
            step,
            neuron,
            state: NeuronState {
                v,
                ..NeuronState::default()
            },
            spike,
        }
    }

    fn steprec() -> StepRecords {
        StepRecords {
            step: 7,
            neurons: vec![
                nrec(7, 0, 5, false),
                nrec(7, 1, -3, true),
                nrec(7, 2, 0, false),
            ],
            weights: vec![
                WeightRecord {
                    step: 7,
                    synapse: 11,
                    old: 4,
                    new: 3,
                },
                WeightRecord {
                    step: 7,
                    synapse: 2,
                    old: -9,
                    new: -9,
                },
            ],
            spikes: vec![1],
            spike_steps: Vec::new(),
        }
    }

    #[test]
    fn identical_steps_have_no_divergence() {
        assert_eq!(compare_step(&steprec(), &steprec()), None);
    }

    #[test]
    fn first_neuron_field_difference_is_reported_with_both_values() {
        let mut g = steprec();
        g.neurons[1].state.v = -2;
        g.neurons[2].state.refr = 1;
        let d = compare_step(&steprec(), &g).expect("diverges");
        assert_eq!(d.kind, RecordKind::Neuron { neuron: 1 });
        assert_eq!(
            d.diffs,
            vec![FieldDiff {
                field: "v",
                expected: -3,
                got: -2
            }]
        );
        assert_eq!(d.to_string(), "step 7, neuron 1; v: reference -3, other -2");
    }

    #[test]
    fn missing_and_extra_records_are_divergences() {
        let mut g = steprec();
        g.weights.pop();
        let d = compare_step(&steprec(), &g).expect("missing weight");
        assert_eq!(
            d.kind,
            RecordKind::Weight {
                index: 1,
                synapse: 2
            }
        );
        assert_eq!(d.diffs[0].field, "present");
        let mut g = steprec();
        g.spikes.push(2);
        let d = compare_step(&steprec(), &g).expect("extra spike");
        assert_eq!(
            d.kind,
            RecordKind::Spike {
                index: 1,
                neuron: 2
            }
        );
        assert_eq!((d.diffs[0].expected, d.diffs[0].got), (0, 1));
    }

    #[test]
    fn a_spike_of_another_step_is_a_divergence_naming_both_steps_and_the_neuron() {
        let mut g = steprec();
        g.spike_steps = vec![7];
        assert_eq!(
            compare_step(&steprec(), &g),
            None,
            "an entry equal to the step"
        );
        g.spike_steps = vec![8];
        let d = compare_step(&steprec(), &g).expect("a spike of step 8 in step 7");
        assert_eq!(
            d.kind,
            RecordKind::Spike {
                index: 0,
                neuron: 1
            }
        );
        assert_eq!(
            d.diffs,
            vec![FieldDiff {
                field: "step",
                expected: 7,
                got: 8
            }]
        );
        assert_eq!(
            d.to_string(),
            "step 7, spike 0 of the step (neuron 1); step: reference 7, other 8"
        );
    }

    #[test]
    fn weight_differences_name_the_synapse() {
        let mut g = steprec();
        g.weights[0].new = 4;
        let d = compare_step(&steprec(), &g).expect("diverges");
        assert!(d.to_string().contains("synapse 11"), "{d}");
        assert!(d.to_string().contains("new: reference 3, other 4"), "{d}");
    }
}
