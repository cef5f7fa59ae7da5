//! The activity a cycle model is applied to: which neurons spiked in each
//! step of a run of the reference simulator.

use spikefab_sim::engine::Engine;

/// The spikes of `steps` steps of `engine` from its current state, one
/// ascending list of neuron ids per step.
pub fn record(engine: &mut Engine, steps: u64) -> Vec<Vec<u32>> {
    (0..steps).map(|_| engine.step().to_vec()).collect()
}

/// [`crate::cycles::step`] of every recorded step, summarized.
pub fn predict(
    machine: &crate::Machine,
    rows: &crate::RowMap,
    spikes: &[Vec<u32>],
) -> (crate::Summary, Vec<crate::StepCost>) {
    let mut s = crate::Summary::default();
    let mut per = Vec::with_capacity(spikes.len());
    for t in 0..spikes.len() {
        let c = crate::cycles::step_at(machine, rows, spikes, t);
        s.push(&c);
        per.push(c);
    }
    (s, per)
}
