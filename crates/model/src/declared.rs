//! What a declared baseline (SPEC §7.3) knows beyond its one value per measure: the spread the
//! team gave it and its own warn/fail thresholds. Kept in the benchmark's labels
//! (`declared.<measure>.spread|warn|fail`, fractions), so a declared run is stored and read like
//! any other.

use std::collections::BTreeMap;

use crate::{Benchmark, Measure};

/// The declared settings of one (benchmark, measure), as fractions (0.05 = 5 %).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeclaredBounds {
    /// Values within ± this fraction of the declared value are the same value.
    pub spread: Option<f64>,
    /// This entry's own warn threshold, instead of the gate's.
    pub warn: Option<f64>,
    /// This entry's own fail threshold, instead of the gate's.
    pub fail: Option<f64>,
}

fn key(measure: &Measure, what: &str) -> String {
    format!("declared.{measure}.{what}")
}

impl DeclaredBounds {
    /// The bounds of `measure` stored in `bench`'s labels; a label that is not a finite,
    /// non-negative number counts as absent.
    pub fn of(bench: &Benchmark, measure: &Measure) -> DeclaredBounds {
        let get = |what: &str| {
            bench
                .labels
                .get(&key(measure, what))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        DeclaredBounds {
            spread: get("spread"),
            warn: get("warn"),
            fail: get("fail"),
        }
    }

    /// Writes these bounds of `measure` into `labels`.
    pub fn write(&self, measure: &Measure, labels: &mut BTreeMap<String, String>) {
        for (what, value) in [
            ("spread", self.spread),
            ("warn", self.warn),
            ("fail", self.fail),
        ] {
            if let Some(value) = value {
                labels.insert(key(measure, what), value.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn bounds_survive_the_labels() {
        let bounds = DeclaredBounds {
            spread: Some(0.05),
            warn: None,
            fail: Some(0.2),
        };
        let mut bench = Benchmark {
            name: "index".into(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            mode: None,
            status: Status::Ok,
            metrics: Vec::new(),
            series: Vec::new(),
        };
        bounds.write(&Measure::WallTime, &mut bench.labels);
        assert_eq!(
            bench
                .labels
                .get("declared.wall_time.spread")
                .map(String::as_str),
            Some("0.05")
        );
        assert_eq!(DeclaredBounds::of(&bench, &Measure::WallTime), bounds);
        assert_eq!(
            DeclaredBounds::of(&bench, &Measure::Throughput),
            DeclaredBounds::default()
        );
    }
}
