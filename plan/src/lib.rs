//! spikefab-plan: the cycle model of the generated hardware ([`cycles`],
//! over the rows of a network on cores, [`rows`]) and the activity it is
//! applied to ([`activity`]).

pub mod activity;
pub mod clock;
pub mod cycles;
pub mod design;
pub mod logic;
pub mod planner;
pub mod rows;

pub use cycles::{Machine, StepCost, Store, Summary};
pub use rows::RowMap;
