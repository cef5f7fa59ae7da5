//! Faults the core can inject (its `FAULT` and `FAULT_STEP` parameters): a
//! verification aid that proves a co-simulation can fail. A fault is part of
//! the hardware build (it changes the config hash), never of a network.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Kinds of fault the core can inject (its `FAULT` parameter): a
/// verification aid that proves a co-simulation can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// `FAULT=1`: truncating instead of rounding in phase A at the step.
    Rounding,
    /// `FAULT=2`: the step's first spike is neither delivered nor sent.
    DropSpike,
    /// `FAULT=3`: the step's first weight write is skipped (STDP cores).
    SkipWeightWrite,
}

impl FaultKind {
    pub const ALL: [FaultKind; 3] = [
        FaultKind::Rounding,
        FaultKind::DropSpike,
        FaultKind::SkipWeightWrite,
    ];

    /// The core's `FAULT` value.
    pub fn code(self) -> u64 {
        match self {
            FaultKind::Rounding => 1,
            FaultKind::DropSpike => 2,
            FaultKind::SkipWeightWrite => 3,
        }
    }

    /// The name in `--inject-fault` and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Rounding => "rounding",
            FaultKind::DropSpike => "drop-spike",
            FaultKind::SkipWeightWrite => "skip-weight-write",
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            FaultKind::Rounding => "truncating rounding in phase A",
            FaultKind::DropSpike => "first spike neither delivered nor sent",
            FaultKind::SkipWeightWrite => "first weight write skipped",
        }
    }
}

/// A fault injected at one step (`kind@step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fault {
    pub kind: FaultKind,
    /// The core's `FAULT_STEP`.
    pub step: u32,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.kind.name(), self.step)
    }
}

/// A `--inject-fault` value that is not `<kind>@<step>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault '{text}': {why} (expected <rounding|drop-spike|skip-weight-write>@<step>, e.g. drop-spike@10)")]
pub struct FaultParseError {
    pub text: String,
    pub why: String,
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Fault, FaultParseError> {
        let err = |why: String| FaultParseError {
            text: s.to_string(),
            why,
        };
        let (kind, step) = s
            .split_once('@')
            .ok_or_else(|| err("no '@<step>'".into()))?;
        let kind = FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == kind.trim())
            .ok_or_else(|| err(format!("unknown kind '{}'", kind.trim())))?;
        let step = step
            .trim()
            .parse::<u32>()
            .map_err(|e| err(format!("step '{}': {e}", step.trim())))?;
        Ok(Fault { kind, step })
    }
}
