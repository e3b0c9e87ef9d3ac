use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Measure, Metric, Mode, Series};

/// Whether a benchmark produced results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Status {
    Ok,
    Failed { message: String },
    Skipped { reason: String },
}

/// One benchmark of a run: a name in `group/function/param=value` style, its parameters, status and
/// metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// What the source said about this benchmark that is neither a parameter nor a measurement,
    /// kept verbatim: Go's `pkg` and `goos`, Google Benchmark's `label`, pytest-benchmark's
    /// `group` and `extra_info`, criterion's own estimates. Not part of the benchmark's identity.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The command line that was measured, for command-sourced benchmarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// `real` or `simulated` for this benchmark (SPEC §2, §4.7): a suite may mix both. `None`
    /// means the run's mode (`provenance.mode`), as in runs written before benchmarks had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    pub status: Status,
    pub metrics: Vec<Metric>,
    /// Time series sampled during the run (RSS and PSS of a process tree over time), at most
    /// [`crate::MAX_SERIES_PER_BENCHMARK`]. Absent from runs written before series existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
}

impl Benchmark {
    /// This benchmark's mode: its own, else the run's (`run_mode`).
    pub fn mode_or(&self, run_mode: Mode) -> Mode {
        self.mode.unwrap_or(run_mode)
    }

    /// The series named `name` (`rss`, `pss`), if this benchmark has one.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    pub fn metric(&self, measure: &Measure) -> Option<&Metric> {
        self.metrics.iter().find(|m| &m.measure == measure)
    }

    /// Whether this benchmark's command or harness failed (a skipped benchmark did not).
    pub fn failed(&self) -> bool {
        matches!(self.status, Status::Failed { .. })
    }
}
