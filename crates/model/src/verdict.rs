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
    /// A `[[check]]` holds (its `benchmark` is the check's name).
    CheckPassed,
    /// A `[[check]]` does not hold (severity warn or fail).
    CheckFailed,
    /// A `[[check]]` could not be evaluated (a benchmark it names does not exist, a division by
    /// zero…): it fails the gate.
    CheckError,
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
            VerdictKind::CheckPassed => "check_passed",
            VerdictKind::CheckFailed => "check_failed",
            VerdictKind::CheckError => "check_error",
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
    /// What the reader must know besides the kind: why a change was not flagged (below
    /// `min_delta`, within a noise floor) or why the verdict is weaker than it looks (too little
    /// precision or data). Warning caveats make a gating verdict a warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

/// Which run of a comparison something refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Baseline,
    Current,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Baseline => "baseline",
            Side::Current => "current",
        }
    }
}

/// A caveat on one verdict (see [`Verdict::caveats`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Caveat {
    /// A significant change smaller than `min_delta` (in the metric's unit) in absolute terms:
    /// not flagged.
    BelowMinDelta { min_delta: f64 },
    /// The warn and fail thresholds were raised to this benchmark's learned noise floor (a
    /// fraction). `swallowed`: without the floor the change would have been flagged.
    NoiseFloor { floor: f64, swallowed: bool },
    /// Adaptive sampling of one side stopped (at its time or run limit) before the median was
    /// known to its precision target (fractions; `reached` is `None` without any interval).
    InsufficientPrecision {
        side: Side,
        target: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reached: Option<f64>,
    },
    /// With false-discovery-rate control across `comparisons` tests, `n_baseline` vs `n_current`
    /// samples cannot reach significance at `alpha` even for the largest possible change;
    /// `needed` samples per side can.
    Underpowered {
        n_baseline: usize,
        n_current: usize,
        comparisons: usize,
        alpha: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        needed: Option<usize>,
    },
    /// A measure declared exact (deterministic) varies between samples of one side.
    ExactVaries { side: Side, min: f64, max: f64 },
    /// The benchmark looked changed (or not clearly unchanged) against a stored baseline, and was
    /// judged again paired and interleaved against the baseline's commit (SPEC §7.2): `result`
    /// says what that did to the first, unpaired verdict (`unpaired`, its change `unpaired_ratio`).
    /// A confirmed or refuted verdict is the paired one; an inconclusive confirmation keeps the
    /// unpaired verdict (and is a warning).
    PairedConfirmation {
        result: Confirmation,
        unpaired: VerdictKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unpaired_ratio: Option<f64>,
        /// The baseline's commit, checked out and built to pair with.
        commit: String,
        pairs: usize,
    },
}

/// What a paired confirmation made of a suspect's unpaired verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// The paired comparison found the change the unpaired one suspected.
    Confirmed,
    /// The paired comparison found no such change (the other way, or none beyond ± warn).
    Refuted,
    /// The paired comparison could not decide in its time; the unpaired verdict stands.
    Inconclusive,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Confirmed => "confirmed",
            Confirmation::Refuted => "refuted",
            Confirmation::Inconclusive => "inconclusive",
        }
    }
}

impl Caveat {
    /// Whether this caveat makes a gating verdict a warning (one `--deny-warnings` fails).
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Caveat::InsufficientPrecision { .. }
                | Caveat::Underpowered { .. }
                | Caveat::ExactVaries { .. }
                | Caveat::PairedConfirmation {
                    result: Confirmation::Inconclusive,
                    ..
                }
        )
    }
}

impl Verdict {
    /// Whether this verdict makes the gate warn (without failing it): a warn-level regression or
    /// budget, an undecidable or lost comparison, or a warning caveat.
    pub fn is_warning(&self) -> bool {
        self.severity == Some(Severity::Warn)
            || matches!(
                self.kind,
                VerdictKind::InsufficientData | VerdictKind::Inconclusive | VerdictKind::Missing
            )
            || self.caveats.iter().any(Caveat::is_warning)
    }

    /// Whether this is a `[[check]]`'s verdict (its `benchmark` is the check's name).
    pub fn is_check(&self) -> bool {
        self.measure.as_str() == crate::CHECK_MEASURE
    }

    /// Whether this verdict fails the gate by itself.
    pub fn is_failure(&self) -> bool {
        self.severity == Some(Severity::Fail) || self.kind == VerdictKind::Failed
    }
}

/// The geometric mean of one measure, as benchstat computes it: each side's own over the
/// benchmarks it has, and the change as the geometric mean of the per-benchmark ratios of the
/// benchmarks both have (the same thing when the sets match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeomeanRow {
    pub measure: Measure,
    pub unit: Unit,
    /// Benchmarks behind the current side's geometric mean.
    pub benchmarks: usize,
    /// Benchmarks behind the baseline side's geometric mean.
    #[serde(default)]
    pub baseline_benchmarks: usize,
    /// `None` when a value is not positive (a geometric mean needs every value > 0).
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    /// Geometric mean of current/baseline over the benchmarks both sides have (0/0 counts as no
    /// change); `None` when a ratio is undefined or not positive (a baseline of 0).
    pub ratio: Option<f64>,
    /// The two sides' benchmark sets differ, so their geometric means may not be comparable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sets_differ: bool,
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

/// What the gate says about the whole comparison: the one outcome every output renders and the
/// exit code comes from. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing to object to.
    Passed,
    /// Passed, with warnings (that `--deny-warnings` would fail).
    Warned,
    /// A paired comparison could not decide within its time: neither a pass nor a failure.
    Inconclusive,
    /// The gate failed: a fail-level regression, a broken budget, a failed benchmark in the
    /// judged data, or warnings under `--deny-warnings`.
    Failed,
    /// A benchmarked command or harness failed while measuring.
    CommandFailed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Warned => "warned",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Failed => "failed",
            Outcome::CommandFailed => "command_failed",
        }
    }

    /// The process exit code (SPEC §3): 0 passed (warnings allowed), 1 the gate failed, 3 a
    /// benchmarked command failed, 4 inconclusive.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed | Outcome::Warned => 0,
            Outcome::Failed => 1,
            Outcome::CommandFailed => 3,
            Outcome::Inconclusive => 4,
        }
    }

    /// Whether the gate let the change through.
    pub fn passed(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::Warned)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// Whether warnings fail the gate (`--deny-warnings`): then every warning is a failure in
    /// every output, not only in the exit code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deny_warnings: bool,
    /// Commands or harnesses that failed while measuring the current run (the outcome is then
    /// `command_failed`), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_failures: Vec<String>,
    /// Every budget checked against the current run, with its headroom (broken ones also appear
    /// among the verdicts as `budget_exceeded`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<crate::BudgetCheck>,
    /// Every `[[check]]` evaluated against the current run (each also appears among the
    /// verdicts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<crate::CheckResult>,
    /// Caveats about the comparison as a whole (different machines, simulated data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Profiles taken of the current run's benchmarks (`--profile`), linked from every report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<crate::ProfileLink>,
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
