//! Checks across benchmarks (`[[check]]`, SPEC §6, §7.3): an expression of benchgate-check's
//! language evaluated against the current run, each a verdict with its value, its bound and its
//! headroom. A check that cannot be evaluated (a benchmark it names does not exist, a division
//! by zero) is an error verdict that fails the gate: never a silent pass. Selections (`{…}` in
//! an expression, a check's `filter`) are benchstat's filter language, evaluated by
//! [`crate::projection`]: the one implementation of it. Pure: no I/O.

use benchgate_check::{
    Data, EvalError, Evaluation, Measured, ParseError, Selected, Unavailable, evaluate,
};
use benchgate_model::display::{format_percent, format_plain};
use benchgate_model::{
    Benchmark, CHECK_MEASURE, CheckResult, CheckStatus, Comparison, Direction, Measure, Run,
    Severity, Source, Status, Summary, Unit, Verdict, VerdictKind,
};

use crate::outcome::settle;
use crate::projection::{Filter, Key, SyntaxError, parse_filter, parse_keys, selects};

/// Most checks one configuration may hold: each is evaluated on every judged run.
pub const MAX_CHECKS: usize = 256;
/// Longest `filter` of a check, in characters (a selection is bounded by its expression's
/// length).
pub const MAX_FILTER_CHARS: usize = benchgate_check::MAX_EXPR_CHARS;

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
    /// A filter (benchstat's language) restricting the benchmarks the whole check reads: its
    /// quoted names, patterns and selections see only the benchmarks it keeps.
    pub filter: Option<String>,
}

impl Check {
    /// A check that fails the gate, reading `wall_time` by default; the expression's errors,
    /// its selections' and its `by:` keys' included, name their column.
    pub fn new(name: &str, expr: &str) -> Result<Check, ParseError> {
        let expr = benchgate_check::parse(expr)?;
        for (selection, by) in expr.selections() {
            parse_check_filter(&selection.text).map_err(|e| {
                located(&expr.text, selection.span.start, &selection.text, &e, |m| {
                    format!("in the selection {{{}}}: {m}", selection.text)
                })
            })?;
            if let Some(by) = by {
                parse_by_key(&by.text).map_err(|e| {
                    located(&expr.text, by.span.start, &by.text, &e, |m| {
                        format!("by: {}: {m}", by.text)
                    })
                })?;
            }
        }
        Ok(Check {
            name: name.to_string(),
            expr,
            measure: Measure::WallTime,
            severity: Severity::Fail,
            filter: None,
        })
    }

    /// The same check reading only the benchmarks `filter` keeps; a filter that does not
    /// parse is an error at its character.
    pub fn with_filter(self, filter: &str) -> Result<Check, SyntaxError> {
        parse_check_filter(filter)?;
        Ok(Check {
            filter: Some(filter.to_string()),
            ..self
        })
    }
}

/// A syntax error of a piece of an expression (a selection, a key) that starts at byte `start`
/// of `expr`, as the expression's error at that character.
fn located(
    expr: &str,
    start: usize,
    piece: &str,
    error: &SyntaxError,
    message: impl FnOnce(&str) -> String,
) -> ParseError {
    let within = piece
        .char_indices()
        .nth(error.position.saturating_sub(1))
        .map_or(piece.len(), |(k, _)| k);
    let offset = (start + within).min(expr.len());
    ParseError {
        column: expr.get(..offset).map_or(0, |t| t.chars().count()) + 1,
        offset,
        message: message(&error.message),
    }
}

/// A check's selection or filter: benchstat's filter language without `.file` (a check reads
/// one run, not the inputs of `compare` or `report`).
pub fn parse_check_filter(text: &str) -> Result<Filter, SyntaxError> {
    let chars = text.chars().count();
    if chars > MAX_FILTER_CHARS {
        return Err(SyntaxError {
            position: MAX_FILTER_CHARS + 1,
            message: format!("longer than {MAX_FILTER_CHARS} characters ({chars})"),
        });
    }
    let filter = parse_filter(text)?;
    if reads_file(&filter) {
        return Err(SyntaxError {
            position: text
                .find(".file")
                .map_or(1, |k| text[..k].chars().count() + 1),
            message: ".file names an input of compare or report; a check reads one run".into(),
        });
    }
    Ok(filter)
}

fn reads_file(filter: &Filter) -> bool {
    match filter {
        Filter::All => false,
        Filter::Match { key, .. } => *key == Key::File,
        Filter::Not(inner) => reads_file(inner),
        Filter::And(terms) | Filter::Or(terms) => terms.iter().any(reads_file),
    }
}

/// The key a family over a selection orders by: one parameter (`/n`) or label (`procs`).
pub fn parse_by_key(text: &str) -> Result<Key, SyntaxError> {
    let not_numeric = |found: &str| SyntaxError {
        position: 1,
        message: format!(
            "expected a parameter (/n) or a label (concurrency) whose values are numbers, found \
             {found}"
        ),
    };
    // `.name`, `.unit`…: no key of the name's own is a number.
    if text.trim_start().starts_with('.') {
        return Err(not_numeric(text.trim()));
    }
    match parse_keys(text)?.as_slice() {
        [key @ (Key::Param(_) | Key::Label(_))] => Ok(key.clone()),
        [other] => Err(not_numeric(&other.spelling())),
        _ => Err(SyntaxError {
            position: 1,
            message: "expected one key".into(),
        }),
    }
}

/// A run's benchmarks as the values a check reads: the median of a metric, else a label that
/// holds a number (a load level's `ops`, `errors`); only those the check's filter keeps.
struct RunData<'r> {
    run: &'r Run,
    filter: Option<Filter>,
}

impl RunData<'_> {
    fn keeps(&self, bench: &Benchmark) -> bool {
        self.filter.as_ref().is_none_or(|f| selects(f, bench))
    }

    /// `bench`'s value of `key`, verbatim. Go writes no `-N` suffix at GOMAXPROCS 1, so an
    /// ingested Go benchmark without `/procs` (`/gomaxprocs`) ran with 1.
    fn key_value(&self, bench: &Benchmark, key: &Key) -> Option<String> {
        match key {
            Key::Param(p) => bench.params.get(p).cloned().or_else(|| {
                let go = matches!(&self.run.source,
                    Source::Ingest(format) if format == "go" || format == "go-json");
                (go && (p == "procs" || p == "gomaxprocs")).then(|| "1".to_string())
            }),
            Key::Label(l) => bench.labels.get(l).cloned(),
            _ => None,
        }
    }
}

impl Data for RunData<'_> {
    fn names(&self) -> Vec<String> {
        self.run
            .benchmarks
            .iter()
            .filter(|b| self.keeps(b))
            .map(|b| b.name.clone())
            .collect()
    }

    fn select(&self, selection: &str, by: Option<&str>) -> Result<Vec<Selected>, String> {
        let filter = parse_check_filter(selection).map_err(|e| e.to_string())?;
        let key = by
            .map(|text| parse_by_key(text).map_err(|e| format!("by: {text}: {e}")))
            .transpose()?;
        Ok(self
            .run
            .benchmarks
            .iter()
            .filter(|b| self.keeps(b) && selects(&filter, b))
            .map(|b| Selected {
                name: b.name.clone(),
                key: key.as_ref().and_then(|k| self.key_value(b, k)),
            })
            .collect())
    }

    fn value(&self, name: &str, measure: &str) -> Result<Measured, Unavailable> {
        let bench = self.run.benchmark(name).ok_or(Unavailable::NoBenchmark)?;
        if !self.keeps(bench) {
            return Err(Unavailable::Excluded);
        }
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
    // A filter is part of what the check read: every reason says it.
    let prefix = match &check.filter {
        Some(filter) => format!("check {:?} (filter {filter:?})", check.name),
        None => format!("check {:?}", check.name),
    };
    let filter = match check.filter.as_deref().map(parse_check_filter).transpose() {
        Ok(filter) => filter,
        Err(error) => {
            result.reason = format!("{prefix} cannot be evaluated: its filter {error}; {expr}");
            return result;
        }
    };
    match evaluate(
        &check.expr,
        check.measure.as_str(),
        &RunData { run, filter },
    ) {
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
