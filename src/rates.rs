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

/// Below this rate (Hz) a population counts as silent.
pub const SILENT_HZ: f64 = 0.1;

/// A population is judged silent only when the run covers at least this
/// many neuron-seconds of it (so that `SILENT_HZ` would have given it 5
/// spikes): a short run of a small population proves nothing.
const SILENT_MIN_NEURON_S: f64 = 50.0;

/// A population counts as saturated at this fraction of its refractory
/// limit `1 / (t_ref + dt)`.
pub const SATURATED_FRACTION: f64 = 0.5;

/// A saturated population must have fired at least this many spikes.
const SATURATED_MIN_SPIKES: u64 = 50;

/// Warnings about a run whose populations are silent or saturated, one line
/// each (none for a healthy run). `t_ref_ms` gives each population's
/// refractory period (by name; a missing one counts as 0), `bio_s` the
/// biological time of the run. The rates judged are those after the
/// warm-up when the run has them, else those of the whole run.
pub fn activity_warnings(
    rates: &[PopRate],
    t_ref_ms: &dyn Fn(&str) -> f64,
    dt_ms: f64,
    bio_s: f64,
    warmup_ms: f64,
) -> Vec<String> {
    let late = rates.iter().any(|p| p.rate_late_hz.is_some());
    let secs = if late {
        (bio_s - warmup_ms * 1e-3).max(0.0)
    } else {
        bio_s
    };
    let rate = |p: &PopRate| p.rate_late_hz.unwrap_or(p.rate_hz);
    let when = if late {
        format!(" after the {warmup_ms:.0} ms warm-up")
    } else {
        String::new()
    };
    let mut out = Vec::new();
    let silent: Vec<String> = rates
        .iter()
        .filter(|p| f64::from(p.size) * secs >= SILENT_MIN_NEURON_S && rate(p) < SILENT_HZ)
        .map(|p| format!("{} {:.3} Hz", p.name, rate(p)))
        .collect();
    if !silent.is_empty() {
        out.push(format!(
            "warning: {} of {} populations are silent (below {SILENT_HZ} Hz{when}): {}; \
             the drive is probably too weak (background in docs/network-format.md; \
             pd14 with --drive dc below --k-scale 0.5: docs/models.md)",
            silent.len(),
            rates.len(),
            silent.join(", ")
        ));
    }
    let saturated: Vec<String> = rates
        .iter()
        .filter(|p| {
            let limit = 1e3 / (t_ref_ms(&p.name).max(0.0) + dt_ms);
            p.spikes >= SATURATED_MIN_SPIKES && rate(p) >= SATURATED_FRACTION * limit
        })
        .map(|p| {
            format!(
                "{} {:.1} Hz (limit {:.0} Hz)",
                p.name,
                rate(p),
                1e3 / (t_ref_ms(&p.name).max(0.0) + dt_ms)
            )
        })
        .collect();
    if !saturated.is_empty() {
        out.push(format!(
            "warning: {} of {} populations are saturated (at least {:.0}% of the refractory \
             limit 1/(t_ref + dt){when}): {}; the drive or the excitation is probably too strong",
            saturated.len(),
            rates.len(),
            SATURATED_FRACTION * 100.0,
            saturated.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pop(name: &str, size: u32, spikes: u64, rate: f64) -> PopRate {
        PopRate {
            name: name.into(),
            size,
            spikes,
            rate_hz: rate,
            rate_late_hz: Some(rate),
        }
    }

    #[test]
    fn silent_and_saturated_populations_are_named_with_their_rates() {
        let rates = [
            pop("E", 2000, 0, 0.0),
            pop("I", 500, 2_000_000, 400.0),
            pop("ok", 1000, 5000, 5.0),
            pop("tiny", 10, 0, 0.0),
        ];
        let w = activity_warnings(&rates, &|_| 2.0, 0.1, 1.0, 500.0);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("1 of 4 populations are silent"), "{}", w[0]);
        assert!(w[0].contains("E 0.000 Hz"), "{}", w[0]);
        assert!(!w[0].contains("tiny"), "{}", w[0]);
        assert!(w[1].contains("I 400.0 Hz (limit 476 Hz)"), "{}", w[1]);
        assert!(!w[1].contains("ok"), "{}", w[1]);
        let healthy = [pop("ok", 1000, 5000, 5.0)];
        assert!(activity_warnings(&healthy, &|_| 2.0, 0.1, 1.0, 500.0).is_empty());
    }
}
