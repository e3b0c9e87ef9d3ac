use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Direction, Interval, Measure, Mode, Source, Summary, Unit};

/// The schema tag of the comparison (verdicts) format.
pub const COMPARISON_SCHEMA: &str = "benchgate/comparison/v1";

/// What the judge concluded about one (benchmark, measure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Improved,
    Unchanged,
    Regressed,
    BudgetExceeded,
    InsufficientData,
    Inconclusive,
    New,
    Missing,
    Skipped,
    /// The benchmark ran but failed in the current run.
    Failed,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Improved => "improved",
            VerdictKind::Unchanged => "unchanged",
            VerdictKind::Regressed => "regressed",
            VerdictKind::BudgetExceeded => "budget_exceeded",
            VerdictKind::InsufficientData => "insufficient_data",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::New => "new",
            VerdictKind::Missing => "missing",
            VerdictKind::Skipped => "skipped",
            VerdictKind::Failed => "failed",
        }
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a regression (or broken budget) is: a warning passes the gate, a failure does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warn,
    Fail,
}

/// The estimated change: current / baseline, with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Ratio of the central values (medians; the single values of exact measures).
    pub ratio: f64,
    /// Absolute change of the central values, in the metric's unit.
    pub delta: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Interval>,
}

impl Effect {
    /// The change in percent: +10 means 10 % larger than the baseline.
    pub fn percent(&self) -> f64 {
        (self.ratio - 1.0) * 100.0
    }
}

/// The verdict on one (benchmark, measure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    pub benchmark: String,
    pub measure: Measure,
    pub unit: Unit,
    pub direction: Direction,
    pub exact: bool,
    pub kind: VerdictKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether this verdict can fail the gate (gated measures and exact measures do).
    pub gating: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Summary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Summary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// Two-sided p-value of the significance test, before multiple-comparison adjustment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted p-value across all tested comparisons of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q_value: Option<f64>,
    /// One line a human can read.
    pub reason: String,
}

/// The geometric mean of one measure across the benchmarks present in both runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeomeanRow {
    pub measure: Measure,
    pub unit: Unit,
    pub benchmarks: usize,
    pub baseline: f64,
    pub current: f64,
    pub ratio: f64,
}

/// The thresholds a comparison was judged with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Relative change (0.05 = 5 %) that makes a warning.
    pub warn: f64,
    /// Relative change that fails the gate.
    pub fail: f64,
    /// Significance level after false-discovery-rate control.
    pub alpha: f64,
    /// Smallest absolute change of a time measure worth flagging, in nanoseconds.
    pub min_delta_ns: f64,
    /// Confidence level of effect intervals.
    pub confidence: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warn: 0.05,
            fail: 0.10,
            alpha: 0.05,
            min_delta_ns: 0.0,
            confidence: 0.95,
        }
    }
}

/// Identifies a run inside a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRef {
    pub id: Uuid,
    /// Where the run was read from (a file path, a stored id, a baseline name).
    pub label: String,
    pub source: Source,
    pub mode: Mode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub fingerprint: String,
}

/// What the gate says about the whole comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Warned,
    Failed,
}

/// A judged comparison of a current run against a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    pub schema: String,
    /// `None` when there was nothing to compare with (a first run): every verdict is then `new`
    /// and only budgets can fail the gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<RunRef>,
    pub current: RunRef,
    pub thresholds: Thresholds,
    pub verdicts: Vec<Verdict>,
    pub geomean: Vec<GeomeanRow>,
    pub outcome: Outcome,
    /// Every budget checked against the current run, with its headroom (broken ones also appear
    /// among the verdicts as `budget_exceeded`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<crate::BudgetCheck>,
    /// Caveats about the comparison as a whole (different machines, simulated data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Comparison {
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(bytes: &[u8]) -> Result<Comparison, crate::ModelError> {
        let comparison: Comparison = crate::run::parse(bytes)?;
        if comparison.schema != COMPARISON_SCHEMA {
            return Err(crate::ModelError::Schema {
                found: format!("{:?}", comparison.schema),
                expected: COMPARISON_SCHEMA,
            });
        }
        Ok(comparison)
    }
}
