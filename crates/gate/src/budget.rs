//! Budgets (SPEC §2, §6): bounds on one measure of the benchmarks whose names match a glob.
//! Absolute bounds (`max`, `min`) fail the gate when broken, a `target` warns, and relative
//! bounds (`warn`, `fail` fractions) compare the current median with the baseline median.
//! Every check reports its headroom: how far the value is from its limit, in percent.
//! Pure: no I/O.

use benchgate_model::display::{format_percent, format_plain as format_value};

use crate::glob::{NameGlob, glob_match};
use benchgate_model::{
    BudgetCheck, BudgetStatus, Direction, Measure, Run, Severity, Status, Unit, Verdict,
    VerdictKind,
};

/// A bound on one measure of the benchmarks matching `bench`. Values are in the measure's
/// canonical unit ([`canonical_unit`]): ns, bytes, per second, ratio or count.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Glob over benchmark names (`*` any run of characters, `?` one character, see
    /// [`NameGlob`]); `None` = all.
    pub bench: Option<String>,
    pub measure: Measure,
    /// Fail when the value is above this.
    pub max: Option<f64>,
    /// Fail when the value is below this.
    pub min: Option<f64>,
    /// Warn when the value is on the wrong side of this (above for lower-is-better measures,
    /// below for higher-is-better ones).
    pub target: Option<f64>,
    /// Warn when the value is worse than the baseline median by more than this fraction (0.05 = 5 %).
    pub warn: Option<f64>,
    /// Fail when the value is worse than the baseline median by more than this fraction.
    pub fail: Option<f64>,
}

impl Budget {
    /// A budget on `measure` for every benchmark, with no bounds yet.
    pub fn new(measure: Measure) -> Budget {
        Budget {
            bench: None,
            measure,
            max: None,
            min: None,
            target: None,
            warn: None,
            fail: None,
        }
    }

    /// Whether this budget applies to the benchmark called `name`.
    pub fn matches(&self, name: &str) -> bool {
        self.bench
            .as_deref()
            .is_none_or(|pattern| glob_match(pattern, name))
    }

    /// A human label such as `wall_time ≤ 50ms on helios/*`.
    pub fn label(&self) -> String {
        self.label_in(&canonical_unit(&self.measure))
    }

    /// [`Budget::label`] with the bounds shown in `unit`: a custom measure's bounds are in the
    /// unit its metrics have (`commit_time ≤ 100ms`, not `≤ 100000000`).
    pub fn label_in(&self, unit: &Unit) -> String {
        let v = |x: f64| format_value(x, unit);
        let mut parts = Vec::new();
        if let Some(max) = self.max {
            parts.push(format!("≤ {}", v(max)));
        }
        if let Some(min) = self.min {
            parts.push(format!("≥ {}", v(min)));
        }
        if let Some(target) = self.target {
            parts.push(format!("target {}", v(target)));
        }
        let sign = match default_direction(&self.measure) {
            Direction::LowerIsBetter => "+",
            Direction::HigherIsBetter => "-",
        };
        if let Some(warn) = self.warn {
            parts.push(format!(
                "warn {sign}{} vs baseline",
                format_percent(warn * 100.0)
            ));
        }
        if let Some(fail) = self.fail {
            parts.push(format!(
                "fail {sign}{} vs baseline",
                format_percent(fail * 100.0)
            ));
        }
        let bounds = if parts.is_empty() {
            "(no bounds)".to_string()
        } else {
            parts.join(", ")
        };
        let on = self.bench.as_deref().unwrap_or("*");
        format!("{} {bounds} on {on}", self.measure)
    }
}

/// The canonical unit a budget on `measure` is expressed in.
pub fn canonical_unit(measure: &Measure) -> Unit {
    // Other custom measures have no unit of their own: their budgets are plain counts.
    measure
        .canonical_unit()
        .or_else(|| measure.engine_unit())
        .unwrap_or(Unit::Count)
}

/// Which way is better for `measure` when no metric says so.
pub fn default_direction(measure: &Measure) -> Direction {
    match measure {
        Measure::Throughput | Measure::BytesPerSecond => Direction::HigherIsBetter,
        _ => Direction::LowerIsBetter,
    }
}

/// The verdict for a broken budget (`Warn` or `Fail`) or one whose measure none of its
/// benchmarks has (a failure: a misspelt measure must not pass); `None` for other checks.
pub fn budget_verdict(check: &BudgetCheck) -> Option<Verdict> {
    let (kind, severity) = match check.status {
        BudgetStatus::Warn => (VerdictKind::BudgetExceeded, Some(Severity::Warn)),
        BudgetStatus::Fail => (VerdictKind::BudgetExceeded, Some(Severity::Fail)),
        // A budget that cannot see its measure cannot be evaluated: it fails, so a misspelt or
        // unreported measure is never a pass.
        BudgetStatus::Unmeasured => (VerdictKind::InsufficientData, Some(Severity::Fail)),
        BudgetStatus::Ok | BudgetStatus::Unchecked => return None,
    };
    Some(Verdict {
        benchmark: check.benchmark.clone(),
        measure: check.measure.clone(),
        unit: check.unit.clone(),
        direction: check.direction,
        exact: false,
        kind,
        severity,
        gating: true,
        baseline: None,
        current: None,
        effect: None,
        p_value: None,
        q_value: None,
        reason: check.reason.clone(),
        caveats: Vec::new(),
    })
}

/// The verdicts of every broken budget among `checks`, in order.
pub fn budget_verdicts(checks: &[BudgetCheck]) -> Vec<Verdict> {
    checks.iter().filter_map(budget_verdict).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Upper,
    Lower,
}

#[derive(Clone, Copy)]
struct Limit {
    value: f64,
    side: Side,
    hard: bool,
    what: &'static str,
}

impl Limit {
    fn headroom(&self, value: f64) -> f64 {
        // Multiply first so round numbers give round percentages.
        match self.side {
            Side::Upper => (self.value - value) * 100.0 / self.value.abs(),
            Side::Lower => (value - self.value) * 100.0 / self.value.abs(),
        }
    }

    fn broken(&self, value: f64) -> bool {
        match self.side {
            Side::Upper => value > self.value,
            Side::Lower => value < self.value,
        }
    }
}

/// Applies every budget to every matching benchmark of `current`, in budget order then benchmark
/// order. Relative bounds use the median of the same benchmark and measure in `baseline`.
pub fn check_budgets(
    budgets: &[Budget],
    current: &Run,
    baseline: Option<&Run>,
) -> Vec<BudgetCheck> {
    let mut checks = Vec::new();
    for (index, budget) in budgets.iter().enumerate() {
        let first = checks.len();
        check_budget(index, budget, current, baseline, &mut checks);
        // A budget whose measure none of its benchmarks has (a misspelt or unreported measure)
        // checks nothing: it fails the gate, naming the measure, never a silent pass. Benchmarks without the measure beside
        // ones that have it (an error-rate budget on `*` over commands and load tests) are not.
        let mine = &mut checks[first..];
        let ran: Vec<&mut BudgetCheck> = mine
            .iter_mut()
            .filter(|c| {
                current
                    .benchmark(&c.benchmark)
                    .is_some_and(|b| b.status == Status::Ok)
            })
            .collect();
        if !ran.is_empty() && ran.iter().all(|c| c.value.is_none()) {
            for check in ran {
                check.status = BudgetStatus::Unmeasured;
                check.reason = check.reason.replace(
                    "not checked: no ",
                    "not checked: no benchmark it applies to has ",
                );
            }
        }
    }
    checks
}

/// The budgets whose `bench` glob matches no benchmark of `current` — those with no row among
/// their `checks` (from [`check_budgets`], which has a row for every benchmark a budget matches) —
/// one line each for the comparison's warnings: such a budget checks nothing, and a misspelt glob
/// (`Handel*`) must be said, not silently pass. Not a failure: a file may budget benchmarks of
/// several sources, and the caller does not ask for a run a FILTER cut down on purpose. A run
/// without benchmarks has nothing to say here.
pub fn unmatched_budgets(budgets: &[Budget], checks: &[BudgetCheck], current: &Run) -> Vec<String> {
    if current.benchmarks.is_empty() {
        return Vec::new();
    }
    budgets
        .iter()
        .enumerate()
        .filter(|(index, _)| !checks.iter().any(|c| c.budget == *index))
        .filter_map(|(index, budget)| {
            let pattern = budget.bench.as_deref()?;
            Some(format!(
                "budget #{} {} checks nothing: no benchmark of this run matches {pattern:?}",
                index + 1,
                budget.label()
            ))
        })
        .collect()
}

/// The checks of one budget (`index` in the list) against every matching benchmark.
fn check_budget(
    index: usize,
    budget: &Budget,
    current: &Run,
    baseline: Option<&Run>,
    checks: &mut Vec<BudgetCheck>,
) {
    {
        let canonical_label = budget.label();
        // Compiled once for all benchmarks; one that does not compile matches nothing, as in
        // [`Budget::matches`] (config rejects such a glob where it is written).
        let glob = match budget.bench.as_deref().map(NameGlob::new).transpose() {
            Ok(glob) => glob,
            Err(_) => return,
        };
        for bench in current
            .benchmarks
            .iter()
            .filter(|b| glob.as_ref().is_none_or(|g| g.is_match(&b.name)))
        {
            let metric = bench.metric(&budget.measure);
            let unit = metric.map_or_else(|| canonical_unit(&budget.measure), |m| m.unit.clone());
            let label = match (&budget.measure, metric) {
                (Measure::Custom(_), Some(m)) => budget.label_in(&m.unit),
                _ => canonical_label.clone(),
            };
            let direction =
                metric.map_or_else(|| default_direction(&budget.measure), |m| m.direction);
            let mut check = BudgetCheck {
                budget: index,
                label: label.clone(),
                benchmark: bench.name.clone(),
                measure: budget.measure.clone(),
                unit: unit.clone(),
                direction,
                value: None,
                baseline: None,
                limit: None,
                headroom_percent: None,
                status: BudgetStatus::Unchecked,
                reason: String::new(),
            };
            let prefix = format!("budget #{} {label}: {}", index + 1, bench.name);
            match &bench.status {
                Status::Skipped { reason } => {
                    check.reason = format!("{prefix} not checked: skipped ({reason})");
                    checks.push(check);
                    continue;
                }
                Status::Failed { message } => {
                    check.reason = format!("{prefix} not checked: failed ({message})");
                    checks.push(check);
                    continue;
                }
                Status::Ok => {}
            }
            let Some(metric) = metric else {
                check.reason = format!(
                    "{prefix} not checked: no {} measured (measures here: {})",
                    budget.measure,
                    measure_list(bench)
                );
                checks.push(check);
                continue;
            };
            let value = metric.summary.median;
            check.value = Some(value);
            let base = baseline
                .and_then(|run| run.benchmark(&bench.name))
                .filter(|b| b.status == Status::Ok)
                .and_then(|b| b.metric(&budget.measure))
                .map(|m| m.summary.median)
                .filter(|m| m.is_finite() && *m > 0.0);
            check.baseline = base;
            judge(budget, &mut check, value, base, &prefix);
            checks.push(check);
        }
    }
}

/// The measures a benchmark has, for messages.
fn measure_list(bench: &benchgate_model::Benchmark) -> String {
    let names: Vec<&str> = bench.metrics.iter().map(|m| m.measure.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn judge(budget: &Budget, check: &mut BudgetCheck, value: f64, base: Option<f64>, prefix: &str) {
    let worse_side = match check.direction {
        Direction::LowerIsBetter => Side::Upper,
        Direction::HigherIsBetter => Side::Lower,
    };
    let relative = |fraction: f64| match worse_side {
        Side::Upper => 1.0 + fraction,
        Side::Lower => 1.0 - fraction,
    };
    let mut limits = Vec::new();
    if let Some(max) = budget.max {
        limits.push(Limit {
            value: max,
            side: Side::Upper,
            hard: true,
            what: "max",
        });
    }
    if let Some(min) = budget.min {
        limits.push(Limit {
            value: min,
            side: Side::Lower,
            hard: true,
            what: "min",
        });
    }
    if let Some(target) = budget.target {
        limits.push(Limit {
            value: target,
            side: worse_side,
            hard: false,
            what: "target",
        });
    }
    if let Some(base) = base {
        if let Some(fail) = budget.fail {
            limits.push(Limit {
                value: base * relative(fail),
                side: worse_side,
                hard: true,
                what: "fail",
            });
        }
        if let Some(warn) = budget.warn {
            limits.push(Limit {
                value: base * relative(warn),
                side: worse_side,
                hard: false,
                what: "warn",
            });
        }
    }
    if limits.is_empty() {
        check.reason = if budget.warn.is_some() || budget.fail.is_some() {
            format!(
                "{prefix} not checked: no baseline {} to compare with",
                budget.measure
            )
        } else {
            format!("{prefix} not checked: the budget has no bounds")
        };
        return;
    }
    let unit = check.unit.clone();
    let v = |x: f64| format_value(x, &unit);
    // The limit to report: a broken hard one, else a broken soft one, else the closest hard one,
    // else the closest soft one.
    let closest = |pred: &dyn Fn(&Limit) -> bool| {
        limits
            .iter()
            .filter(|l| pred(l))
            .min_by(|a, b| a.headroom(value).total_cmp(&b.headroom(value)))
            .copied()
    };
    let broken_hard = closest(&|l: &Limit| l.hard && l.broken(value));
    let broken_soft = closest(&|l: &Limit| !l.hard && l.broken(value));
    let (status, limit) = if let Some(l) = broken_hard {
        (BudgetStatus::Fail, l)
    } else if let Some(l) = broken_soft {
        (BudgetStatus::Warn, l)
    } else if let Some(l) = closest(&|l: &Limit| l.hard) {
        (BudgetStatus::Ok, l)
    } else if let Some(l) = closest(&|_| true) {
        (BudgetStatus::Ok, l)
    } else {
        return;
    };
    let headroom = limit.headroom(value);
    check.status = status;
    check.limit = Some(limit.value);
    check.headroom_percent = Some(headroom);
    let relation = match (limit.side, limit.broken(value)) {
        (Side::Upper, true) => "above",
        (Side::Lower, true) => "below",
        (Side::Upper, false) => "within",
        (Side::Lower, false) => "within",
    };
    let bound = match limit.what {
        "fail" | "warn" => {
            let fraction = if limit.what == "fail" {
                budget.fail
            } else {
                budget.warn
            };
            let sign = if limit.side == Side::Upper { "+" } else { "-" };
            format!(
                "the {} bound {} (baseline {} {sign}{})",
                limit.what,
                v(limit.value),
                v(base.unwrap_or(f64::NAN)),
                format_percent(fraction.unwrap_or(0.0) * 100.0)
            )
        }
        what => format!("{what} {}", v(limit.value)),
    };
    check.reason = format!(
        "{prefix} {} {} {relation} {bound}, headroom {}",
        check.measure,
        v(value),
        format_percent(headroom)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("helios/*", "helios/commit"));
        assert!(glob_match("helios/*", "helios/"));
        assert!(!glob_match("helios/*", "helio/commit"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*/threads=?", "x/y/threads=4"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn labels() {
        let mut b = Budget::new(Measure::WallTime);
        b.bench = Some("helios/*".into());
        b.max = Some(50e6);
        assert_eq!(b.label(), "wall_time ≤ 50ms on helios/*");
        let mut t = Budget::new(Measure::Throughput);
        t.min = Some(5000.0);
        t.target = Some(10000.0);
        t.fail = Some(0.2);
        assert_eq!(
            t.label(),
            "throughput ≥ 5000/s, target 10000/s, fail -20% vs baseline on *"
        );
    }
}
