use serde::{Deserialize, Serialize};

use crate::Unit;

/// Most points one series may hold: 10 000 readings is over 8 minutes at one per 50 ms; a
/// longer run samples less often (or thins its series) rather than growing a run without bound.
pub const MAX_SERIES_POINTS: usize = 10_000;

/// Most series one benchmark may hold (`rss`, `pss` and a few more).
pub const MAX_SERIES_PER_BENCHMARK: usize = 8;

/// A bounded time series kept with a benchmark: the RSS (or PSS) of a process tree sampled every
/// few milliseconds during the run (SPEC §4.4). Raw readings, as samples are: the metrics derived
/// from it (`rss_peak`, `rss_growth`, …) are ordinary metrics beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// What was sampled: `rss`, `pss`, … unique within the benchmark.
    pub name: String,
    /// The unit of every value (bytes for memory).
    pub unit: Unit,
    /// The readings in time order (`t` never decreases).
    pub points: Vec<SeriesPoint>,
}

/// One reading of a [`Series`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesPoint {
    /// Seconds since the run (or load level) started.
    pub t: f64,
    pub value: f64,
}

impl SeriesPoint {
    pub fn new(t: f64, value: f64) -> SeriesPoint {
        SeriesPoint { t, value }
    }
}

impl Series {
    /// What is wrong with this series, as (JSON path below the series, message); `None` when it is
    /// valid: a name, at most [`MAX_SERIES_POINTS`] points, finite values, times that are finite,
    /// not negative and never go back.
    pub fn problem(&self) -> Option<(String, String)> {
        if self.name.trim().is_empty() {
            return Some((".name".into(), "series name is empty".into()));
        }
        if self.points.len() > MAX_SERIES_POINTS {
            return Some((
                ".points".into(),
                format!(
                    "{} points in series {:?}: at most {MAX_SERIES_POINTS} are kept",
                    self.points.len(),
                    self.name
                ),
            ));
        }
        let mut previous = 0.0;
        for (k, point) in self.points.iter().enumerate() {
            if !point.t.is_finite() || point.t < 0.0 {
                return Some((
                    format!(".points[{k}].t"),
                    format!(
                        "time {} is not a finite number of seconds from the start",
                        point.t
                    ),
                ));
            }
            if point.t < previous {
                return Some((
                    format!(".points[{k}].t"),
                    format!(
                        "time {} s comes before the previous point's {previous} s",
                        point.t
                    ),
                ));
            }
            if !point.value.is_finite() {
                return Some((format!(".points[{k}].value"), "value is not finite".into()));
            }
            previous = point.t;
        }
        None
    }
}
