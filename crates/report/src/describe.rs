//! Wording shared by the human formats: spreads, change cells, verdict labels and headlines.

use benchgate_model::{
    Benchmark, Caveat, Comparison, Measure, Metric, Mode, Outcome, Run, Severity, Summary, Unit,
    Verdict, VerdictKind,
};

use crate::units::{format_plain, format_value, p_value, percent};

/// How far the median's 95 % confidence interval reaches from the median, relative to it (the
/// farther end: benchstat's `± 1%`, and the quantity `--precision` targets); `± ∞` when there are
/// too few samples for one.
pub fn spread(summary: &Summary) -> String {
    match summary.median_ci {
        Some(ci) if summary.median != 0.0 => {
            // benchstat's convention: the farther end of the interval, relative to the median.
            let c = summary.median;
            let percent = (ci.hi / c - 1.0).max(1.0 - ci.lo / c).abs() * 100.0;
            if percent < 10.0 {
                format!("± {percent:.1}%")
            } else {
                format!("± {percent:.0}%")
            }
        }
        Some(_) => "± 0%".into(),
        None => "± ∞".into(),
    }
}

/// `median ± spread`.
pub fn center(summary: &Summary, unit: &Unit) -> String {
    format!("{} {}", format_value(summary.median, unit), spread(summary))
}

/// A run table's wall-time cell: `median ± spread`, followed by `(target ±2%)` when adaptive
/// sampling stopped before reaching its precision target.
pub fn wall_center(metric: &Metric) -> String {
    let text = center(&metric.summary, &metric.unit);
    match metric.precision {
        Some(p) if !p.met() => format!(
            "{text} (target ±{})",
            crate::units::format_percent(p.target * 100.0)
        ),
        _ => text,
    }
}

/// An exact measure's value: every digit when all samples agree (`6123456`, `1024 B`), else its
/// median and how far its range reaches from it (`101 ± 1%`, benchstat's form for an exact
/// measure that varies).
pub fn exact_center(summary: &Summary, unit: &Unit) -> String {
    if summary.min == summary.max {
        return exact_value(summary.median, unit);
    }
    let c = summary.median;
    let reach = if c == 0.0 {
        f64::INFINITY
    } else {
        ((summary.max / c - 1.0).max(1.0 - summary.min / c)).abs() * 100.0
    };
    let reach = if reach.is_infinite() {
        "∞".to_string()
    } else if reach < 10.0 {
        format!("{reach:.1}%")
    } else {
        format!("{reach:.0}%")
    };
    format!("{} ± {reach}", exact_value(c, unit))
}

/// A value of an exact measure written out in full: integers keep every digit.
pub fn exact_value(value: f64, unit: &Unit) -> String {
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() != 0.0 || value.abs() >= EXACT_INTEGERS {
        return format_value(value, unit);
    }
    // The cast is exact: an integer below 2^53.
    let digits = format!("{}", value as i64);
    match unit {
        Unit::Count => digits,
        Unit::Custom(u) => format!("{digits} {u}"),
        other => format!("{digits} {}", other.as_str()),
    }
}

/// The baseline and current columns of a verdict: `median ± spread` (exact measures: their
/// value), or `-` where absent.
pub fn sides(v: &Verdict) -> (String, String) {
    let single = one_value(v);
    let side = |s: &Option<Summary>| {
        s.as_ref().map_or_else(
            || "-".into(),
            |s| {
                if single {
                    // One value has no spread to show.
                    format_value(s.median, &v.unit)
                } else if v.exact {
                    exact_center(s, &v.unit)
                } else {
                    center(s, &v.unit)
                }
            },
        )
    };
    (side(&v.baseline), side(&v.current))
}

/// The median of one measure of a benchmark, scaled (exact measures in full), or `-` when it has
/// none.
pub fn median_of(bench: &Benchmark, measure: &Measure) -> String {
    bench.metric(measure).map_or_else(
        || "-".to_string(),
        |m| {
            if m.exact {
                exact_center(&m.summary, &m.unit)
            } else {
                format_value(m.summary.median, &m.unit)
            }
        },
    )
}

/// How many measures besides wall time a run table shows; the rest are in the JSON.
pub const MAX_EXTRA_COLUMNS: usize = 6;

/// The measures a run table shows besides wall time: user, sys and max RSS first (what the
/// command runner records), then the others in the order the run first has them. Returns the
/// shown measures and how many more the run holds.
pub fn extra_measures(run: &Run) -> (Vec<Measure>, usize) {
    let mut seen: Vec<Measure> = Vec::new();
    for metric in run.benchmarks.iter().flat_map(|b| &b.metrics) {
        if metric.measure != Measure::WallTime && !seen.contains(&metric.measure) {
            seen.push(metric.measure.clone());
        }
    }
    // A load level's headline figures come before its other percentiles and custom measures.
    let rank = |m: &Measure| match m {
        Measure::UserTime => 0,
        Measure::SysTime => 1,
        Measure::MaxRss => 2,
        Measure::Throughput => 3,
        Measure::LatencyP50 => 4,
        Measure::LatencyP95 => 5,
        Measure::LatencyP99 => 6,
        Measure::ErrorRate => 7,
        _ => 8,
    };
    // A stable sort keeps first-seen order among the rest.
    seen.sort_by_key(rank);
    let hidden = seen.len().saturating_sub(MAX_EXTRA_COLUMNS);
    seen.truncate(MAX_EXTRA_COLUMNS);
    (seen, hidden)
}

/// What a reader of a run must see about a benchmark besides its numbers, as plain text (each
/// output escapes it): that a load level did not reach its concurrency (`reached 37 of 100 in
/// flight`, from the `reached` label, the `concurrency` parameter and the `max_concurrency`
/// metric) and its errors by kind (`12 errors: 10 exit:1, 2 timeout; first exit:1: boom`, from the
/// `errors`, `errors.<kind>` and `error_example.<kind>` labels).
pub fn benchmark_notes(bench: &Benchmark) -> Vec<String> {
    let mut notes = Vec::new();
    if bench.labels.get("reached").map(String::as_str) == Some("no") {
        let reached = bench
            .metric(&Measure::Custom("max_concurrency".into()))
            .map(|m| m.summary.max);
        notes.push(match (reached, bench.params.get("concurrency")) {
            (Some(reached), Some(wanted)) => format!("reached {reached} of {wanted} in flight"),
            (None, Some(wanted)) => format!("did not reach {wanted} in flight"),
            (Some(reached), None) => format!("reached only {reached} in flight"),
            (None, None) => "did not reach its concurrency".to_string(),
        });
    }
    let mut kinds: Vec<(u64, &str)> = bench
        .labels
        .iter()
        .filter_map(|(key, count)| {
            let kind = key.strip_prefix("errors.")?;
            Some((count.parse().ok()?, kind))
        })
        .filter(|(count, _)| *count > 0)
        .collect();
    if !kinds.is_empty() {
        // Most frequent first; equal counts by kind.
        kinds.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let total = bench
            .labels
            .get("errors")
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or_else(|| kinds.iter().map(|(n, _)| n).sum());
        let by_kind: Vec<String> = kinds.iter().map(|(n, k)| format!("{n} {k}")).collect();
        let mut note = format!(
            "{}: {}",
            if total == 1 {
                "1 error".to_string()
            } else {
                format!("{total} errors")
            },
            by_kind.join(", ")
        );
        let (_, top) = kinds[0];
        if let Some(example) = bench.labels.get(&format!("error_example.{top}")) {
            note.push_str(&format!("; first {top}: {example}"));
        }
        notes.push(note);
    }
    if let Some(whole) = whole_level(bench) {
        notes.push(whole);
    }
    if let Some(law) = bench.labels.get("littles_law")
        && littles_law_is_off(law)
    {
        notes.push(format!(
            "Little's law check off by more than {LITTLES_LAW_TOLERANCE}%: {law}"
        ));
    }
    // Why a bench that asked for memory has no growth (a pid file that could not be read, too
    // few readings): budgets on it say only that the measure is missing.
    if let Some(memory) = bench.labels.get("memory") {
        notes.push(format!("memory {memory}"));
    }
    notes
}

/// How far (in percent) a load level's measured mean in flight may be from throughput × mean
/// latency before the report says so: beyond it, time went somewhere the latency did not count
/// (connecting, the client's own delays) or requests failed.
pub const LITTLES_LAW_TOLERANCE: f64 = 10.0;

/// Whether a `littles_law` label (`… (+12.3%)`) is off by more than the tolerance.
fn littles_law_is_off(label: &str) -> bool {
    label
        .rsplit_once('(')
        .and_then(|(_, tail)| tail.strip_suffix("%)"))
        .and_then(|d| d.parse::<f64>().ok())
        .is_some_and(|d| d.abs() > LITTLES_LAW_TOLERANCE)
}

/// `whole level: 9 960/s, p50 1.20ms, p99 4.50ms, max 1.02s; service time p99 2.10ms`: a load
/// level's own figures (its measures' samples are per window, and their center can hide a
/// stall in one window).
fn whole_level(bench: &Benchmark) -> Option<String> {
    let ns = |key: &str| -> Option<String> {
        let value = bench.labels.get(key)?.parse::<f64>().ok()?;
        Some(format_value(value, &Unit::Nanoseconds))
    };
    let throughput = bench.labels.get("whole.throughput")?.parse::<f64>().ok()?;
    let mut note = format!(
        "whole level: {}",
        format_value(throughput, &Unit::PerSecond)
    );
    for (name, key) in [
        ("p50", "whole.latency_p50_ns"),
        ("p99", "whole.latency_p99_ns"),
        ("max", "whole.latency_max_ns"),
    ] {
        if let Some(value) = ns(key) {
            note.push_str(&format!(", {name} {value}"));
        }
    }
    if let Some(service) = ns("whole.service_time_p99_ns") {
        note.push_str(&format!(
            "; service time p99 {service} (latency counts from each intended start)"
        ));
    }
    Some(note)
}

/// Whether any benchmark of `run` was timed: a run of load levels only (or of counts only) has
/// no wall time, and its tables leave those columns out rather than fill them with `-`.
pub fn any_timed(run: &Run) -> bool {
    run.benchmarks
        .iter()
        .any(|b| b.metric(&Measure::WallTime).is_some())
}

/// A run table's column title for a measure.
pub fn column_title(measure: &Measure) -> String {
    match measure {
        Measure::UserTime => "user".into(),
        Measure::SysTime => "sys".into(),
        Measure::MaxRss => "max RSS".into(),
        other => other.as_str().replace('_', " "),
    }
}

/// `+99.1% (p=0.000 n=10+10)` or `~ (p=0.432 n=10)`, benchstat's delta column, followed by
/// what kept a change from being flagged or weakens the verdict (`below min_delta 20µs`,
/// `within noise floor 45.5%`, `insufficient precision ±20% (target 2%)`).
pub fn change(v: &Verdict) -> String {
    let base = change_only(v);
    let notes: Vec<String> = v.caveats.iter().map(|c| caveat_short(c, &v.unit)).collect();
    if notes.is_empty() {
        base
    } else {
        format!("{base} {}", notes.join("; "))
    }
}

/// A caveat in a few words, for table cells.
pub fn caveat_short(caveat: &Caveat, unit: &Unit) -> String {
    let pct = |f: f64| crate::units::format_percent(f * 100.0);
    match caveat {
        Caveat::BelowMinDelta { min_delta } => {
            format!("below min_delta {}", format_plain(*min_delta, unit))
        }
        Caveat::NoiseFloor {
            floor,
            swallowed: true,
        } => format!("within noise floor {}", pct(*floor)),
        Caveat::NoiseFloor {
            floor,
            swallowed: false,
        } => format!("thresholds raised to noise floor {}", pct(*floor)),
        Caveat::InsufficientPrecision {
            side,
            target,
            reached,
        } => {
            let reached = reached.map_or_else(|| "± ∞".to_string(), |r| format!("±{}", pct(r)));
            let which = match side {
                benchgate_model::Side::Current => String::new(),
                benchgate_model::Side::Baseline => " in the baseline".to_string(),
            };
            format!(
                "insufficient precision{which}: {reached} (target ±{})",
                pct(*target)
            )
        }
        Caveat::Underpowered {
            n_baseline,
            n_current,
            comparisons,
            alpha,
            needed,
        } => {
            let n = if n_baseline == n_current {
                format!("n={n_current}")
            } else {
                format!("n={n_baseline}+{n_current}")
            };
            let can = needed.map_or_else(String::new, |k| format!("; n≥{k} can"));
            format!(
                "insufficient data: {n} cannot reach α={alpha} across {}{can}",
                benchgate_model::display::plural(*comparisons, "comparison")
            )
        }
        Caveat::ExactVaries { side, min, max } => format!(
            "exact measure varies in the {}: {} … {}",
            side.as_str(),
            format_plain(*min, unit),
            format_plain(*max, unit)
        ),
        Caveat::PairedConfirmation {
            result,
            unpaired,
            unpaired_ratio,
            commit,
            pairs,
        } => {
            let change = unpaired_ratio.map_or_else(String::new, |r| {
                format!(" {}", benchgate_model::display::percent((r - 1.0) * 100.0))
            });
            let short: String = commit.chars().take(10).collect();
            let how = match result {
                benchgate_model::Confirmation::Inconclusive => "undecided, unpaired verdict kept",
                _ => "paired verdict",
            };
            format!(
                "paired vs {short}: {} the unpaired {unpaired}{change} ({}; {how})",
                result.as_str(),
                benchgate_model::display::plural(*pairs, "pair"),
            )
        }
    }
}

fn change_only(v: &Verdict) -> String {
    let n = match (&v.baseline, &v.current) {
        (Some(b), Some(c)) if b.n == c.n => format!("n={}", b.n),
        (Some(b), Some(c)) => format!("n={}+{}", b.n, c.n),
        _ => String::new(),
    };
    let Some(effect) = v.effect else {
        return match v.kind {
            VerdictKind::New => "(new)".into(),
            VerdictKind::Missing => "(missing)".into(),
            other => format!("({other})"),
        };
    };
    if one_value(v) {
        return format!("{} ({n})", percent(effect.percent()));
    }
    if v.exact {
        return if effect.ratio == 1.0 {
            format!(
                "~ (exact{})",
                if n.is_empty() {
                    String::new()
                } else {
                    format!(" {n}")
                }
            )
        } else {
            format!("{} (exact)", percent(effect.percent()))
        };
    }
    // The raw p, as benchstat prints it; significance itself is decided on the adjusted q.
    let p_text = v.p_value.map(p_value);
    let detail = [p_text.as_deref(), (!n.is_empty()).then_some(n.as_str())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    // A significant change that a rule kept from being flagged still shows its size; the
    // caveat after it says which rule.
    let held_back = v.caveats.iter().any(|c| {
        matches!(
            c,
            Caveat::BelowMinDelta { .. }
                | Caveat::NoiseFloor {
                    swallowed: true,
                    ..
                }
        )
    });
    let significant = matches!(v.kind, VerdictKind::Regressed | VerdictKind::Improved)
        || (v.kind == VerdictKind::Unchanged && (held_back || v.reason.starts_with("significant")));
    if significant {
        format!("{} ({detail})", percent(effect.percent()))
    } else if v.kind == VerdictKind::InsufficientData {
        format!("? ({detail})")
    } else {
        format!("~ ({detail})")
    }
}

/// Whether `v` is a measure that is reported, not gated, with one value on each side (hyperfine's
/// user and system means): shown as the two values and their change, not as an
/// `insufficient data` verdict no number of runs could ever reach.
pub fn one_value(v: &Verdict) -> bool {
    !v.gating
        && v.kind == VerdictKind::InsufficientData
        && v.effect.is_some()
        && matches!((&v.baseline, &v.current), (Some(b), Some(c)) if b.n == 1 && c.n == 1)
}

/// A short word for the verdict column.
pub fn label(v: &Verdict) -> &'static str {
    if one_value(v) {
        return "one value";
    }
    // A warning caveat on an otherwise quiet verdict is what the reader must see.
    if matches!(
        v.kind,
        VerdictKind::Unchanged | VerdictKind::Improved | VerdictKind::New
    ) {
        for caveat in &v.caveats {
            match caveat {
                Caveat::InsufficientPrecision { .. } => return "insufficient precision",
                Caveat::ExactVaries { .. } => return "exact varies",
                Caveat::PairedConfirmation {
                    result: benchgate_model::Confirmation::Inconclusive,
                    ..
                } => return "unconfirmed",
                _ => {}
            }
        }
    }
    match (v.kind, v.severity) {
        // Reported, but it cannot fail the gate: no shouting.
        (VerdictKind::Regressed, _) if !v.gating => "regressed",
        (VerdictKind::Regressed, Some(Severity::Fail)) => "FAIL",
        (VerdictKind::Regressed, _) => "warn",
        (VerdictKind::BudgetExceeded, Some(Severity::Fail)) => "BUDGET",
        (VerdictKind::BudgetExceeded, _) => "budget",
        (VerdictKind::Improved, _) => "improved",
        (VerdictKind::Unchanged, _) => "ok",
        // Nothing to judge where something had to be (a budget whose measure no benchmark
        // has): it fails the gate.
        (VerdictKind::InsufficientData, Some(Severity::Fail)) => "ERROR",
        (VerdictKind::InsufficientData, _) => "insufficient data",
        (VerdictKind::Inconclusive, _) => "inconclusive",
        (VerdictKind::New, _) => "new",
        (VerdictKind::Missing, _) => "missing",
        (VerdictKind::Skipped, _) => "skipped",
        (VerdictKind::Failed, _) => "FAILED",
        (VerdictKind::CheckPassed, _) => "ok",
        (VerdictKind::CheckFailed, Some(Severity::Fail)) => "CHECK",
        (VerdictKind::CheckFailed, _) => "check",
        (VerdictKind::CheckError, _) => "ERROR",
    }
}

/// The verdicts grouped by measure, in first-seen order (the run's own order, so output is stable).
pub fn by_measure(verdicts: &[Verdict]) -> Vec<(&Measure, Vec<&Verdict>)> {
    let mut groups: Vec<(&Measure, Vec<&Verdict>)> = Vec::new();
    for v in verdicts {
        match groups.iter_mut().find(|(m, _)| *m == &v.measure) {
            Some((_, rows)) => rows.push(v),
            None => groups.push((&v.measure, vec![v])),
        }
    }
    groups
}

/// Verdicts worth a line of explanation: everything but plain `unchanged` (and `new`, when
/// there is no baseline and everything is new).
pub fn notable(comparison: &Comparison) -> impl Iterator<Item = &Verdict> {
    let first_run = comparison.baseline.is_none();
    comparison.verdicts.iter().filter(move |v| {
        (v.kind != VerdictKind::Unchanged || !v.caveats.is_empty())
            // A check that holds is in the checks table; only broken ones need a line.
            && v.kind != VerdictKind::CheckPassed
            && !(one_value(v) && v.caveats.is_empty())
            && !(first_run && v.kind == VerdictKind::New && v.caveats.is_empty())
    })
}

/// The verdicts shown in per-measure comparison tables: none without a baseline, and never the
/// broken budgets or the checks (they have their own tables).
pub fn compared(comparison: &Comparison) -> Vec<Verdict> {
    if comparison.baseline.is_none() {
        return Vec::new();
    }
    comparison
        .verdicts
        .iter()
        .filter(|v| v.kind != VerdictKind::BudgetExceeded && !v.is_check())
        .cloned()
        .collect()
}

/// The rows of the budget table: label, benchmark, value, limit, headroom, status.
pub fn budget_rows(comparison: &Comparison) -> Vec<[String; 6]> {
    comparison
        .budgets
        .iter()
        .map(|b| {
            let value = b
                .value
                .map_or_else(|| "-".to_string(), |v| format_value(v, &b.unit));
            let limit = b
                .limit
                .map_or_else(|| "-".to_string(), |v| format_plain(v, &b.unit));
            let headroom = b
                .headroom_percent
                .map_or_else(|| "-".to_string(), |h| format!("{h:+.1}%"));
            [
                b.label.clone(),
                b.benchmark.clone(),
                value,
                limit,
                headroom,
                b.status.to_string(),
            ]
        })
        .collect()
}

/// The rows of the checks table: name, expression, value, bound, headroom, status.
pub fn check_rows(comparison: &Comparison) -> Vec<[String; 6]> {
    comparison
        .checks
        .iter()
        .map(|c| {
            let shown =
                |x: Option<f64>| x.map_or_else(|| "-".to_string(), |v| format_plain(v, &c.unit));
            let bound = match c.bound {
                Some(b) => format!(
                    "{} {}",
                    if c.direction == benchgate_model::Direction::HigherIsBetter {
                        "≥"
                    } else {
                        "≤"
                    },
                    format_plain(b, &c.unit)
                ),
                None => "-".to_string(),
            };
            let headroom = c
                .headroom_percent
                .map_or_else(|| "-".to_string(), |h| format!("{h:+.1}%"));
            [
                c.name.clone(),
                c.expr.clone(),
                shown(c.value),
                bound,
                headroom,
                c.status.to_string(),
            ]
        })
        .collect()
}

/// The one-line verdict on the whole comparison, rendered from its one outcome.
pub fn headline(comparison: &Comparison) -> String {
    let count =
        |pred: &dyn Fn(&Verdict) -> bool| comparison.verdicts.iter().filter(|v| pred(v)).count();
    let failing = count(&|v| v.gating && v.is_failure());
    let warning = count(&|v| v.gating && !v.is_failure() && v.is_warning());
    let improved = count(&|v| v.gating && v.kind == VerdictKind::Improved);
    let skipped = count(&|v| v.kind == VerdictKind::Skipped);
    // Nothing to compare with is not "unchanged".
    let new = count(&|v| v.gating && v.kind == VerdictKind::New);
    let judged = count(&|v| v.gating);
    let mut parts = Vec::new();
    if failing > 0 {
        parts.push(format!("{failing} failing"));
    }
    if warning > 0 {
        parts.push(format!(
            "{warning} warning{}",
            if warning == 1 { "" } else { "s" }
        ));
    }
    if improved > 0 {
        parts.push(format!("{improved} improved"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    if new > 0 {
        parts.push(format!("{new} new"));
    }
    let detail = if parts.is_empty() {
        format!(
            "{judged} gated comparison{} unchanged",
            if judged == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{} of {judged} gated comparison{}",
            parts.join(", "),
            if judged == 1 { "" } else { "s" }
        )
    };
    match comparison.outcome {
        Outcome::Passed => format!("PASSED: {detail}"),
        Outcome::Warned => format!("PASSED with warnings: {detail}"),
        Outcome::Inconclusive => format!("INCONCLUSIVE: {detail}"),
        Outcome::Failed if failing == 0 && comparison.deny_warnings => {
            format!("FAILED (warnings denied): {detail}")
        }
        Outcome::Failed => format!("FAILED: {detail}"),
        Outcome::CommandFailed => {
            let n = comparison.command_failures.len();
            format!(
                "FAILED: {n} command{} failed while measuring; {detail}",
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

/// A short description of a run for headers: label, source, mode, commit.
pub fn run_line(label: &str, mode: Mode, commit: Option<&str>, dirty: Option<bool>) -> String {
    let mut out = format!("{label} ({}", mode.as_str());
    if let Some(commit) = commit {
        out.push_str(", commit ");
        out.push_str(benchgate_model::display::short_commit(commit));
        if dirty == Some(true) {
            out.push_str("+dirty");
        }
    }
    out.push(')');
    out
}

/// The run's header line.
pub fn run_header(run: &Run) -> String {
    let mut line = format!(
        "run {} · {} · {}",
        run.id,
        run.source,
        run.provenance.mode.as_str()
    );
    if let Some(commit) = &run.provenance.commit {
        line.push_str(&format!(
            " · commit {}",
            benchgate_model::display::short_commit(commit)
        ));
        if run.provenance.dirty == Some(true) {
            line.push_str("+dirty");
        }
    }
    line
}

/// `min … max` of a metric.
pub fn range(metric: &Metric) -> String {
    format!(
        "{} … {}",
        format_value(metric.summary.min, &metric.unit),
        format_value(metric.summary.max, &metric.unit)
    )
}

/// `mean ± σ`.
pub fn mean_sd(metric: &Metric) -> String {
    format!(
        "{} ± {}",
        format_value(metric.summary.mean, &metric.unit),
        format_value(metric.summary.stddev, &metric.unit)
    )
}

/// How a later command compares with the first in an ad-hoc run: `1.52× slower` for a time,
/// `1.20× larger` for a size, `1.50× more` for a count, `2.00× lower` for anything else (a
/// throughput, a ratio).
pub fn relative(v: &Verdict) -> String {
    let Some(effect) = v.effect else {
        return String::new();
    };
    let (more, less) = match v.unit {
        Unit::Nanoseconds => ("slower", "faster"),
        Unit::Bytes => ("larger", "smaller"),
        Unit::Count => ("more", "fewer"),
        _ => ("higher", "lower"),
    };
    if effect.ratio >= 1.0 {
        format!("{:.2}× {more}", effect.ratio)
    } else if effect.ratio > 0.0 {
        format!("{:.2}× {less}", 1.0 / effect.ratio)
    } else {
        String::new()
    }
}

/// `[+50.1%, +54.6%]`.
pub fn interval(v: &Verdict) -> String {
    v.effect
        .and_then(|e| e.ci)
        .map(|ci| {
            format!(
                "[{}, {}]",
                percent((ci.lo - 1.0) * 100.0),
                percent((ci.hi - 1.0) * 100.0)
            )
        })
        .unwrap_or_default()
}
