//! The leak rule (SPEC §4.4), shared by the gate's verdict on a memory series
//! (`benchgate_gate::leak_check`) and the harness's leak check (`benchgate_harness::leak`), which
//! must stay light and so cannot depend on the gate: it lives here, beside the data it reads.
//!
//! Memory leaks when it grew (more than nothing) **and** the growth exceeds **every** budget
//! that is set: a percentage of the level after warm-up, an allowance in bytes, a growth per
//! operation. Growth exactly at a budget passes; memory that stayed the same or shrank never
//! leaks.

/// What memory may grow by before it is a leak. At least one bound must be set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LeakBudget {
    /// Growth over the run in percent of the level after warm-up (`max_growth = "10%"` → 10).
    pub max_growth_percent: Option<f64>,
    /// Growth over the run tolerated in bytes, whatever the percentage.
    pub max_growth_bytes: Option<f64>,
    /// Growth per operation, in bytes.
    pub max_bytes_per_op: Option<f64>,
}

/// How much memory grew, as the rule reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakGrowth {
    /// Growth over the measured span, in bytes (negative when memory shrank).
    pub growth_bytes: f64,
    /// The same in percent of the level at the start of the measured span.
    pub growth_percent: f64,
    /// Growth per operation, when operations were counted.
    pub bytes_per_op: Option<f64>,
}

impl LeakBudget {
    /// A budget of `percent` % growth and nothing else.
    pub fn percent(percent: f64) -> LeakBudget {
        LeakBudget {
            max_growth_percent: Some(percent),
            ..LeakBudget::default()
        }
    }

    /// Why this budget cannot judge anything (none set, a bound negative or NaN); `None` when it
    /// can.
    pub fn problem(&self) -> Option<String> {
        if self.max_growth_percent.is_none()
            && self.max_growth_bytes.is_none()
            && self.max_bytes_per_op.is_none()
        {
            return Some(
                "no leak budget: set a maximum growth (percent or bytes) or bytes per operation"
                    .into(),
            );
        }
        for (name, bound) in [
            ("maximum growth in percent", self.max_growth_percent),
            ("maximum growth in bytes", self.max_growth_bytes),
            ("maximum bytes per operation", self.max_bytes_per_op),
        ] {
            if let Some(bound) = bound.filter(|b| b.is_nan() || *b < 0.0) {
                return Some(format!("the {name} must be 0 or more (got {bound})"));
            }
        }
        None
    }

    /// Whether `growth` is a leak under this budget (see the [module docs](self)); `Err` with the
    /// reason when the budget cannot judge it: [`LeakBudget::problem`], or a per-operation bound
    /// without a per-operation growth.
    pub fn is_leak(&self, growth: &LeakGrowth) -> Result<bool, String> {
        if let Some(problem) = self.problem() {
            return Err(problem);
        }
        let per_op_over = match (self.max_bytes_per_op, growth.bytes_per_op) {
            (None, _) => true,
            (Some(bound), Some(per_op)) => per_op > bound,
            (Some(_), None) => {
                return Err(
                    "a budget in bytes per operation needs operation counts that grow during \
                     the run"
                        .into(),
                );
            }
        };
        let percent_over = self
            .max_growth_percent
            .is_none_or(|bound| growth.growth_percent > bound);
        let bytes_over = self
            .max_growth_bytes
            .is_none_or(|bound| growth.growth_bytes > bound);
        Ok(growth.growth_bytes > 0.0 && percent_over && bytes_over && per_op_over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn growth(bytes: f64, percent: f64) -> LeakGrowth {
        LeakGrowth {
            growth_bytes: bytes,
            growth_percent: percent,
            bytes_per_op: None,
        }
    }

    #[test]
    fn a_leak_exceeds_every_bound_set() {
        let ten = LeakBudget::percent(10.0);
        assert_eq!(ten.is_leak(&growth(100.0, 10.5)), Ok(true));
        assert_eq!(ten.is_leak(&growth(100.0, 10.0)), Ok(false));
        assert_eq!(ten.is_leak(&growth(-100.0, -50.0)), Ok(false));
        let zero = LeakBudget::percent(0.0);
        assert_eq!(zero.is_leak(&growth(0.0, 0.0)), Ok(false));
        let both = LeakBudget {
            max_growth_bytes: Some(1000.0),
            ..ten
        };
        assert_eq!(both.is_leak(&growth(1000.0, 50.0)), Ok(false));
        assert_eq!(both.is_leak(&growth(1001.0, 50.0)), Ok(true));
        assert_eq!(both.is_leak(&growth(5000.0, 5.0)), Ok(false));
    }

    #[test]
    fn a_budget_that_cannot_judge_says_why() {
        assert_eq!(
            LeakBudget::default().is_leak(&growth(1.0, 1.0)),
            Err(
                "no leak budget: set a maximum growth (percent or bytes) or bytes per operation"
                    .into()
            )
        );
        assert_eq!(
            LeakBudget::percent(f64::NAN).problem(),
            Some("the maximum growth in percent must be 0 or more (got NaN)".into())
        );
        let per_op = LeakBudget {
            max_bytes_per_op: Some(8.0),
            ..LeakBudget::default()
        };
        assert_eq!(
            per_op.is_leak(&growth(1.0, 1.0)),
            Err(
                "a budget in bytes per operation needs operation counts that grow during the run"
                    .into()
            )
        );
    }
}
