//! Checks across benchmarks (`[[check]]`, SPEC §6, §7.3): an expression of benchgate-check's
//! language evaluated against the current run, each a verdict with its value, its bound and its
//! headroom. A check that cannot be evaluated (a benchmark it names does not exist, a division
//! by zero) is an error verdict that fails the gate: never a silent pass. Pure: no I/O.

use benchgate_check::{Data, EvalError, Evaluation, Measured, ParseError, Unavailable, evaluate};
use benchgate_model::display::{format_percent, format_plain};
use benchgate_model::{
    CHECK_MEASURE, CheckResult, CheckStatus, Comparison, Direction, Measure, Run, Severity, Status,
    Summary, Unit, Verdict, VerdictKind,
};

use crate::outcome::settle;

/// Most checks one configuration may hold: each is evaluated on every judged run.
pub const MAX_CHECKS: usize = 256;

/// One `[[check]]`: a name, a parsed expression, the measure a quoted benchmark name stands for
/// and how bad a broken check is.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub expr: benchgate_check::Check,
    /// What `"name"` alone reads (default `wall_time`).
    pub measure: Measure,
    /// `Fail` (default) fails the gate when the comparison does not hold; `Warn` warns.
    pub severity: Severity,
}

impl Check {
    /// A check that fails the gate, reading `wall_time` by default; the expression's errors
    /// name their column.
    pub fn new(name: &str, expr: &str) -> Result<Check, ParseError> {
        Ok(Check {
            name: name.to_string(),
            expr: benchgate_check::parse(expr)?,
            measure: Measure::WallTime,
            severity: Severity::Fail,
        })
    }
}

/// A run's benchmarks as the values a check reads: the median of a metric, else a label that
/// holds a number (a load level's `ops`, `errors`).
struct RunData<'r>(&'r Run);

impl Data for RunData<'_> {
    fn names(&self) -> Vec<String> {
        self.0.benchmarks.iter().map(|b| b.name.clone()).collect()
    }

    fn value(&self, name: &str, measure: &str) -> Result<Measured, Unavailable> {
        let bench = self.0.benchmark(name).ok_or(Unavailable::NoBenchmark)?;
        match &bench.status {
            Status::Ok => {}
            Status::Skipped { reason } => return Err(Unavailable::Skipped(reason.clone())),
            Status::Failed { message } => return Err(Unavailable::Failed(message.clone())),
        }
        if let Some(metric) = bench.metric(&Measure::parse(measure)) {
            return Ok(Measured {
                value: metric.summary.median,
                unit: metric.unit.clone(),
                higher_is_better: metric.direction == Direction::HigherIsBetter,
            });
        }
        if let Some(value) = bench
            .labels
            .get(measure)
            .and_then(|text| text.trim().parse::<f64>().ok())
        {
            return Ok(Measured {
                value,
                unit: Unit::Count,
                higher_is_better: false,
            });
        }
        let numeric_labels = bench
            .labels
            .iter()
            .filter(|(_, v)| v.trim().parse::<f64>().is_ok())
            .map(|(k, _)| k.clone());
        Err(Unavailable::NoMeasure {
            available: bench
                .metrics
                .iter()
                .map(|m| m.measure.to_string())
                .chain(numeric_labels)
                .collect(),
        })
    }
}

fn symbol(cmp: benchgate_check::Cmp) -> &'static str {
    match cmp {
        benchgate_check::Cmp::Ge => "≥",
        benchgate_check::Cmp::Le => "≤",
        benchgate_check::Cmp::Gt => ">",
        benchgate_check::Cmp::Lt => "<",
    }
}

/// Evaluates every check against `run`, in order.
pub fn check_results(checks: &[Check], run: &Run) -> Vec<CheckResult> {
    checks
        .iter()
        .enumerate()
        .map(|(index, check)| check_result(index, check, run))
        .collect()
}

fn check_result(index: usize, check: &Check, run: &Run) -> CheckResult {
    let expr = check.expr.text.clone();
    let mut result = CheckResult {
        check: index,
        name: check.name.clone(),
        expr: expr.clone(),
        measure: check.measure.clone(),
        unit: Unit::Count,
        value: None,
        bound: None,
        direction: if check.expr.cmp.is_lower_bound() {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        },
        headroom_percent: None,
        status: CheckStatus::Error,
        reason: String::new(),
    };
    let prefix = format!("check {:?}", check.name);
    match evaluate(&check.expr, check.measure.as_str(), &RunData(run)) {
        Ok(evaluation) => judge(check, &evaluation, &prefix, &mut result),
        Err(EvalError::Skipped { name, reason }) => {
            result.status = CheckStatus::Skipped;
            result.reason =
                format!("{prefix} not evaluated: \"{name}\" was skipped ({reason}); {expr}");
        }
        Err(error) => {
            result.reason = format!("{prefix} cannot be evaluated: {error}; {expr}");
        }
    }
    result
}

fn judge(check: &Check, evaluation: &Evaluation, prefix: &str, result: &mut CheckResult) {
    let unit = evaluation.value.unit.clone().unwrap_or(Unit::Count);
    let show = |q: &benchgate_check::Quantity| {
        format_plain(q.value, q.unit.as_ref().unwrap_or(&Unit::Count))
    };
    let in_unit = |x: f64, unit: &Unit| format_plain(x, unit);
    let (value, bound) = (evaluation.value.value, evaluation.bound.value);
    let headroom = (bound != 0.0).then(|| {
        // Multiply first so round numbers give round percentages.
        if check.expr.cmp.is_lower_bound() {
            (value - bound) * 100.0 / bound.abs()
        } else {
            (bound - value) * 100.0 / bound.abs()
        }
    });
    result.unit = unit;
    result.value = Some(value);
    result.bound = Some(bound);
    result.headroom_percent = headroom;
    result.status = match (evaluation.holds, check.severity) {
        (true, _) => CheckStatus::Pass,
        (false, Severity::Warn) => CheckStatus::Warn,
        (false, Severity::Fail) => CheckStatus::Fail,
    };
    let lhs = check.expr.source(check.expr.lhs.span).trim();
    let terms: Vec<String> = evaluation
        .terms
        .iter()
        // The left side itself needs no repeating.
        .filter(|t| t.text != lhs || t.detail.is_some())
        .map(|t| match &t.detail {
            Some(detail) => format!(
                "{} = {} ({})",
                t.text,
                show(&t.value),
                detail.describe(&in_unit)
            ),
            None => format!("{} = {}", t.text, show(&t.value)),
        })
        .collect();
    let seen = if terms.is_empty() {
        String::new()
    } else {
        format!("; {}", terms.join(", "))
    };
    let headroom = headroom.map_or_else(String::new, |h| {
        format!(", headroom {}", format_percent(round(h)))
    });
    result.reason = format!(
        "{prefix}: {lhs} is {}, {} {} {}{headroom}{seen}",
        show(&evaluation.value),
        if evaluation.holds { "holds" } else { "breaks" },
        symbol(check.expr.cmp),
        show(&evaluation.bound),
    );
}

/// `x` to one decimal, for headroom percentages in reasons.
fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The verdict of one check: `check_passed`, `check_failed` (warn or fail), `check_error` (fails
/// the gate) or `skipped`; its `benchmark` is the check's name and its measure `check`.
pub fn check_verdict(result: &CheckResult) -> Verdict {
    let (kind, severity) = match result.status {
        CheckStatus::Pass => (VerdictKind::CheckPassed, None),
        CheckStatus::Warn => (VerdictKind::CheckFailed, Some(Severity::Warn)),
        CheckStatus::Fail => (VerdictKind::CheckFailed, Some(Severity::Fail)),
        CheckStatus::Error => (VerdictKind::CheckError, Some(Severity::Fail)),
        CheckStatus::Skipped => (VerdictKind::Skipped, None),
    };
    Verdict {
        benchmark: result.name.clone(),
        measure: Measure::Custom(CHECK_MEASURE.to_string()),
        unit: result.unit.clone(),
        direction: result.direction,
        exact: true,
        kind,
        severity,
        gating: true,
        baseline: None,
        current: result.value.and_then(|v| Summary::of(&[v])),
        effect: None,
        p_value: None,
        q_value: None,
        reason: result.reason.clone(),
        caveats: Vec::new(),
    }
}

/// Evaluates `checks` against `current` and adds each as a verdict of `comparison` (and to its
/// `checks`), deciding the outcome again.
pub fn apply_checks(comparison: &mut Comparison, checks: &[Check], current: &Run) {
    if checks.is_empty() {
        return;
    }
    let results = check_results(checks, current);
    comparison
        .verdicts
        .extend(results.iter().map(check_verdict));
    comparison.checks = results;
    settle(comparison);
}
