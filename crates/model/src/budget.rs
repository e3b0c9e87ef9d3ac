//! The outcome of checking one budget against one benchmark (SPEC §2, §6). The budgets themselves
//! and the checking live in benchgate-gate; this is the data reports render and JSON carries.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Direction, Measure, Unit};

/// What a budget check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetStatus {
    /// Within every bound.
    Ok,
    /// A target or the relative warn bound is broken.
    Warn,
    /// An absolute `max`/`min` or the relative fail bound is broken.
    Fail,
    /// Could not be checked (benchmark skipped or failed, no baseline for a purely relative
    /// budget). Never counts as passing.
    Unchecked,
    /// The benchmark ran but has no value of the budget's measure (a misspelt measure, or one
    /// this source does not report): a failure naming the measure, never a silent pass.
    Unmeasured,
}

impl BudgetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetStatus::Ok => "ok",
            BudgetStatus::Warn => "warn",
            BudgetStatus::Fail => "fail",
            BudgetStatus::Unchecked => "unchecked",
            BudgetStatus::Unmeasured => "unmeasured",
        }
    }
}

impl fmt::Display for BudgetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One budget applied to one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetCheck {
    /// Index of the budget in the list given to `check_budgets` (benchgate-gate).
    pub budget: usize,
    /// The budget's `Budget::label`.
    pub label: String,
    pub benchmark: String,
    pub measure: Measure,
    pub unit: Unit,
    pub direction: Direction,
    /// The current value (the median of the samples); `None` when unchecked.
    pub value: Option<f64>,
    /// The baseline median, when a baseline has this benchmark and measure.
    pub baseline: Option<f64>,
    /// The limit the headroom is measured against: the tightest broken-or-closest hard bound
    /// (`max`, `min`, relative `fail`), else the closest soft one (`target`, relative `warn`).
    pub limit: Option<f64>,
    /// How far the value is from `limit`, in percent of the limit: (limit − value)/limit × 100
    /// for an upper limit, (value − limit)/limit × 100 for a lower one; negative when broken.
    pub headroom_percent: Option<f64>,
    pub status: BudgetStatus,
    /// One line a human can read.
    pub reason: String,
}
