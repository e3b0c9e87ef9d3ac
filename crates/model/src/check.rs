//! The outcome of one `[[check]]` (SPEC §6, §7.3): an expression over measured values, such as
//! a ratio between two benchmarks or the linearity of a benchmark over a parameter. The language
//! lives in benchgate-check, the judging in benchgate-gate; this is the data reports render and
//! JSON carries.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Direction, Measure, Unit};

/// The measure of every check's verdict: checks are told apart from (benchmark, measure)
/// verdicts by it, and their `benchmark` is the check's name.
pub const CHECK_MEASURE: &str = "check";

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The comparison holds.
    Pass,
    /// It does not hold, and the check only warns (`severity = "warn"`).
    Warn,
    /// It does not hold.
    Fail,
    /// It could not be evaluated: a benchmark it names does not exist or has no such measure, a
    /// division by zero, too few benchmarks for a fit. Fails the gate: never a silent pass.
    Error,
    /// A benchmark it reads was skipped (its `requires` were not met).
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        }
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check evaluated against the current run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// Index of the check in the configuration's list.
    pub check: usize,
    pub name: String,
    /// The expression as written.
    pub expr: String,
    /// The measure a quoted benchmark name stands for when the expression names none.
    pub measure: Measure,
    /// The unit of `value` and `bound` (`count` for plain numbers such as ratios and r²).
    pub unit: Unit,
    /// The left side of the comparison; `None` when it could not be evaluated.
    pub value: Option<f64>,
    /// The right side.
    pub bound: Option<f64>,
    /// Which side of the bound the value must stay on: `higher_is_better` for `>=` and `>`.
    pub direction: Direction,
    /// How far the value is from its bound, in percent of the bound, negative when broken;
    /// `None` when the bound is 0 or either side is missing.
    pub headroom_percent: Option<f64>,
    pub status: CheckStatus,
    /// One line a human can read: what the check saw and what it concluded.
    pub reason: String,
}
