//! The rate summary of a population: what `spikefab sim` reports and plots.

/// Rate summary of one population.
#[derive(Debug, Clone)]
pub struct PopRate {
    pub name: String,
    pub size: u32,
    pub spikes: u64,
    pub rate_hz: f64,
    /// Rate excluding the warm-up, for runs longer than the warm-up.
    pub rate_late_hz: Option<f64>,
}
