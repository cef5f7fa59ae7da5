//! A run's input: the steps in which neurons of input populations
//! (`kind = "input"`) spike, read from a text file
//! (docs/network-format.md, "Input populations"):
//!
//! ```text
//! # step population index
//! 0 stim 3
//! 12 stim 0
//! 12 stim 7
//! ```
//!
//! One spike per line: the step (0-based), the input population's name and
//! the neuron's index in it, separated by white space; `#` starts a
//! comment, blank lines are skipped. Lines may come in any order; a spike
//! given twice counts once.

use std::collections::BTreeMap;

use crate::net::Network;

/// An input file that cannot be used with its network: the file, the line
/// (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct InputParseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The input spikes of a run, by step: global neuron ids, ascending, once
/// each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputSpikes {
    steps: BTreeMap<u64, Vec<u32>>,
}

impl InputSpikes {
    /// Parse `text` (named `file` in errors) against `net`'s input
    /// populations.
    pub fn parse(text: &str, file: &str, net: &Network) -> Result<InputSpikes, InputParseError> {
        let offsets = net.population_offsets();
        let mut steps: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (k, raw) in text.lines().enumerate() {
            let err = |message: String| InputParseError {
                file: file.to_string(),
                line: k + 1,
                message,
            };
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let [step, pop, index] = f[..] else {
                return Err(err(format!(
                    "expected `step population index`, got {} field{}: {line:?}",
                    f.len(),
                    if f.len() == 1 { "" } else { "s" }
                )));
            };
            let step: u64 = step
                .parse()
                .map_err(|_| err(format!("step {step:?} is not a whole number >= 0")))?;
            let Some(pi) = net.population_index(pop) else {
                let inputs: Vec<String> = net
                    .populations
                    .iter()
                    .filter(|p| p.is_input())
                    .map(|p| format!("\"{}\"", p.name))
                    .collect();
                return Err(err(format!(
                    "no population \"{pop}\" (the network's input populations: {})",
                    if inputs.is_empty() {
                        "none".to_string()
                    } else {
                        inputs.join(", ")
                    }
                )));
            };
            let p = &net.populations[pi];
            if !p.is_input() {
                return Err(err(format!(
                    "population \"{pop}\" is not an input population (kind = \"input\"): its neurons take no input spikes"
                )));
            }
            let index: u32 = index.parse().ok().filter(|&i| i < p.size).ok_or_else(|| {
                err(format!(
                    "index {index:?}: population \"{pop}\" has neurons 0 ..= {}",
                    p.size - 1
                ))
            })?;
            steps.entry(step).or_default().push(offsets[pi] + index);
        }
        for v in steps.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Ok(InputSpikes { steps })
    }

    /// The neurons forced to spike in step `t` (ascending; empty when none).
    pub fn at(&self, t: u64) -> &[u32] {
        self.steps.get(&t).map_or(&[], Vec::as_slice)
    }

    /// Input spikes in all.
    pub fn len(&self) -> usize {
        self.steps.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The last step with an input spike.
    pub fn last_step(&self) -> Option<u64> {
        self.steps.keys().next_back().copied()
    }
}
