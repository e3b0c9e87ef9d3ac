//! A whole run against a baseline run: pairing benchmarks and measures, false-discovery-rate
//! control across the gated comparisons, what it cannot reach (underpowered rows, and the
//! family-wise interval of a sole large change), then the geomean rows (`geomean.rs`) and the
//! outcome (`outcome.rs`).

use std::collections::{BTreeMap, BTreeSet};

use benchgate_model::{
    BudgetCheck, COMPARISON_SCHEMA, Caveat, Comparison, DeclaredBounds, Direction, Measure, Metric,
    Outcome, Run, RunRef, Severity, Side, Source, Status, Thresholds, Unit, Verdict, VerdictKind,
};
use benchgate_stats::min_attainable_p;

use crate::budget::budget_verdicts;
use crate::declared::judge_declared;
use crate::geomean::geomean_rows;
use crate::metric::{MetricJudgement, adjust, judge_metric, precision_caveat};
use crate::outcome::settle;

/// How to judge.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    pub thresholds: Thresholds,
    /// Measures that can fail the gate (exact measures always can); the rest is reported.
    pub gated_measures: Vec<Measure>,
    /// Bootstrap resamples for effect intervals.
    pub resamples: usize,
    /// Seed of the bootstrap, so a comparison is reproducible.
    pub seed: u64,
    /// Learned noise floors (SPEC §7.4) by benchmark and measure, as fractions: on a metric
    /// with a floor, a change is a regression or an improvement only beyond
    /// max(threshold, floor), since noise alone reaches the floor on this machine.
    pub noise_floors: BTreeMap<(String, Measure), f64>,
    /// Warnings fail the gate (`--deny-warnings`).
    pub deny_warnings: bool,
    /// `[[check]]`s across the current run's benchmarks, applied by [`crate::apply_checks`]
    /// where the judging steps add budgets.
    pub checks: Vec<crate::Check>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            thresholds: Thresholds::default(),
            gated_measures: vec![Measure::WallTime],
            // Enough for stable 95 % percentile endpoints (the 2.5 % tail holds 125 resamples),
            // and a 100-benchmark comparison against a pooled window:30 stays well under 500 ms.
            resamples: 5_000,
            seed: 0x6265_6e63_6867_6174, // "benchgat"
            noise_floors: BTreeMap::new(),
            deny_warnings: false,
            checks: Vec::new(),
        }
    }
}

/// Mixed into the seed of family-wise intervals, so they are not the same resamples as the
/// 95 % interval's.
const FAMILY_WISE_SEED: u64 = 0x6661_6d69_6c79; // "family"

/// One row waiting for the run-wide adjustment.
struct Pending {
    benchmark: String,
    measure: Measure,
    baseline: Option<Metric>,
    current: Option<Metric>,
    state: PendingState,
}

enum PendingState {
    /// Both sides present: to be judged with this bootstrap seed.
    ToJudge {
        seed: u64,
    },
    Judged(MetricJudgement),
    /// Against a declared baseline (SPEC §7.3): thresholds on its value only.
    Declared(DeclaredBounds),
    Fixed {
        kind: VerdictKind,
        severity: Option<Severity>,
        reason: String,
    },
}

/// Judges `current` against `baseline`, benchmark by benchmark and measure by measure.
pub fn compare_runs(
    baseline: &Run,
    baseline_label: &str,
    current: &Run,
    current_label: &str,
    options: &CompareOptions,
) -> Comparison {
    judge(
        Some((baseline, baseline_label)),
        current,
        current_label,
        options,
    )
}

/// A run with nothing to compare with (the first one): every metric is `new`, skipped and failed
/// benchmarks are still reported as such.
pub fn judge_without_baseline(
    current: &Run,
    current_label: &str,
    options: &CompareOptions,
) -> Comparison {
    judge(None, current, current_label, options)
}

fn judge(
    baseline_run: Option<(&Run, &str)>,
    current: &Run,
    current_label: &str,
    options: &CompareOptions,
) -> Comparison {
    let empty = current.clone_header();
    let baseline = baseline_run.map_or(&empty, |(run, _)| run);
    let declared = baseline_run.is_some() && baseline.source == Source::Declared;
    let mut pending = Vec::new();
    for bench in &current.benchmarks {
        let base = baseline.benchmark(&bench.name);
        match (&bench.status, base) {
            (Status::Skipped { reason }, _) => pending.push(fixed(
                &bench.name,
                primary_measure(bench.metrics.first(), options),
                VerdictKind::Skipped,
                None,
                reason.clone(),
            )),
            (Status::Failed { message }, _) => pending.push(fixed(
                &bench.name,
                primary_measure(bench.metrics.first(), options),
                VerdictKind::Failed,
                Some(Severity::Fail),
                message.clone(),
            )),
            (Status::Ok, None) => {
                for metric in &bench.metrics {
                    let why = if baseline_run.is_some() {
                        "not in the baseline"
                    } else {
                        "no baseline yet"
                    };
                    let mut row = fixed(
                        &bench.name,
                        metric.measure.clone(),
                        VerdictKind::New,
                        None,
                        why.into(),
                    );
                    row.current = Some(metric.clone());
                    pending.push(row);
                }
            }
            (Status::Ok, Some(base)) => {
                let base_note = match &base.status {
                    Status::Ok => None,
                    Status::Failed { message } => Some(format!("baseline failed: {message}")),
                    Status::Skipped { reason } => Some(format!("baseline skipped: {reason}")),
                };
                for metric in &bench.metrics {
                    let base_metric = base.metric(&metric.measure).filter(|_| base_note.is_none());
                    let mut row = match base_metric {
                        Some(base_metric) => Pending {
                            benchmark: bench.name.clone(),
                            measure: metric.measure.clone(),
                            baseline: Some(base_metric.clone()),
                            current: None,
                            state: if declared {
                                PendingState::Declared(DeclaredBounds::of(base, &metric.measure))
                            } else {
                                PendingState::ToJudge {
                                    seed: seed_for(options.seed, &bench.name, &metric.measure),
                                }
                            },
                        },
                        None => fixed(
                            &bench.name,
                            metric.measure.clone(),
                            VerdictKind::New,
                            None,
                            base_note
                                .clone()
                                .unwrap_or_else(|| "measure not in the baseline".into()),
                        ),
                    };
                    row.current = Some(metric.clone());
                    pending.push(row);
                }
                let current_measures: BTreeSet<&Measure> =
                    bench.metrics.iter().map(|m| &m.measure).collect();
                for metric in base
                    .metrics
                    .iter()
                    .filter(|m| !current_measures.contains(&m.measure))
                {
                    let mut row = fixed(
                        &bench.name,
                        metric.measure.clone(),
                        VerdictKind::Missing,
                        None,
                        "measure not in the current run".into(),
                    );
                    row.baseline = Some(metric.clone());
                    pending.push(row);
                }
            }
        }
    }
    for base in baseline
        .benchmarks
        .iter()
        .filter(|b| current.benchmark(&b.name).is_none())
    {
        let mut row = fixed(
            &base.name,
            primary_measure(base.metrics.first(), options),
            VerdictKind::Missing,
            None,
            "benchmark not in the current run".into(),
        );
        row.baseline = base.metrics.first().cloned();
        pending.push(row);
    }

    let mut warnings = Vec::new();
    // Declared values come from no machine and no mode.
    if baseline_run.is_some()
        && !declared
        && baseline.environment.fingerprint != current.environment.fingerprint
    {
        warnings.push(format!(
            "the runs come from different machines (fingerprint {} vs {}): differences may be the \
             machine's, not the code's",
            baseline.environment.fingerprint, current.environment.fingerprint
        ));
    }
    if baseline_run.is_some() && !declared && baseline.provenance.mode != current.provenance.mode {
        warnings.push(format!(
            "the baseline is {} and the current run is {}: they measure different things",
            baseline.provenance.mode.as_str(),
            current.provenance.mode.as_str()
        ));
    }

    let verdicts = finish(pending, options);
    // Without a baseline there is nothing to summarise a change of.
    let geomean = if baseline_run.is_some() {
        geomean_rows(&verdicts)
    } else {
        Vec::new()
    };
    for row in geomean.iter().filter(|g| g.sets_differ) {
        warnings.push(format!(
            "{}: benchmark set differs from baseline ({} vs {} benchmarks); geomeans may not be \
             comparable (the change is the geomean of the ratios of the benchmarks in both)",
            row.measure, row.baseline_benchmarks, row.benchmarks
        ));
    }
    for v in &verdicts {
        for caveat in &v.caveats {
            if let Caveat::ExactVaries { side, min, max } = caveat {
                warnings.push(format!(
                    "{} · {}: exact distribution expected, but values range from {min} to {max} \
                     in the {}",
                    v.benchmark,
                    v.measure,
                    side.as_str()
                ));
            }
        }
    }
    if let Some(note) = underpowered_note(&verdicts) {
        warnings.push(note);
    }
    let mut comparison = Comparison {
        schema: COMPARISON_SCHEMA.to_string(),
        baseline: baseline_run.map(|(run, label)| {
            if declared && !label.starts_with("declared") {
                run_ref(run, &format!("declared baseline {label}"))
            } else {
                run_ref(run, label)
            }
        }),
        current: run_ref(current, current_label),
        thresholds: options.thresholds,
        geomean,
        outcome: Outcome::Passed,
        deny_warnings: options.deny_warnings,
        command_failures: Vec::new(),
        verdicts,
        budgets: Vec::new(),
        checks: Vec::new(),
        warnings,
        profiles: Vec::new(),
    };
    settle(&mut comparison);
    comparison
}

/// Puts `verdict` in the place of the comparison's verdict on the same benchmark and measure
/// (or adds it) and decides the outcome again: how a paired A/B judgement replaces the unpaired
/// one of a comparison of the two builds' runs.
pub fn replace_verdict(comparison: &mut Comparison, verdict: Verdict) {
    match comparison
        .verdicts
        .iter_mut()
        .find(|v| v.benchmark == verdict.benchmark && v.measure == verdict.measure)
    {
        Some(slot) => *slot = verdict,
        None => comparison.verdicts.push(verdict),
    }
    settle(comparison);
}

/// Adds budget checks to a comparison: broken budgets become `budget_exceeded` verdicts and the
/// outcome is decided again.
pub fn apply_budgets(comparison: &mut Comparison, checks: Vec<BudgetCheck>) {
    comparison.verdicts.extend(budget_verdicts(&checks));
    comparison.budgets = checks;
    settle(comparison);
}

/// Judges every benchmark of one run against its first benchmark (the ad-hoc `run -- A -- B` case):
/// `measures` are compared, the rest ignored.
pub fn compare_within_run(
    run: &Run,
    measures: &[Measure],
    options: &CompareOptions,
) -> Vec<Verdict> {
    let Some((first, rest)) = run.benchmarks.split_first() else {
        return Vec::new();
    };
    let mut pending = Vec::new();
    for bench in rest {
        for measure in measures {
            let (Some(base), Some(cur)) = (first.metric(measure), bench.metric(measure)) else {
                continue;
            };
            let state = if bench.status == Status::Ok && first.status == Status::Ok {
                PendingState::ToJudge {
                    seed: seed_for(options.seed, &bench.name, measure),
                }
            } else {
                PendingState::Fixed {
                    kind: VerdictKind::Failed,
                    severity: None,
                    reason: "one of the commands failed".into(),
                }
            };
            pending.push(Pending {
                benchmark: bench.name.clone(),
                measure: measure.clone(),
                baseline: Some(base.clone()),
                current: Some(cur.clone()),
                state,
            });
        }
    }
    finish(pending, options)
}

/// Judges every `ToJudge` row. The bootstrap dominates a comparison's cost, and each row has its
/// own seed, so rows are spread over the available cores with the same results as in sequence.
fn judge_pending(pending: &mut [Pending], options: &CompareOptions) {
    let judge_row = |row: &mut Pending| {
        if let (PendingState::ToJudge { seed }, Some(base), Some(cur)) =
            (&row.state, &row.baseline, &row.current)
        {
            let judgement = judge_metric(base, cur, &options.thresholds, options.resamples, *seed);
            row.state = PendingState::Judged(judgement);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || pending.len() < 2 {
        pending.iter_mut().for_each(judge_row);
        return;
    }
    let chunk = pending.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for rows in pending.chunks_mut(chunk) {
            scope.spawn(move || rows.iter_mut().for_each(judge_row));
        }
    });
}

fn finish(mut pending: Vec<Pending>, options: &CompareOptions) -> Vec<Verdict> {
    judge_pending(&mut pending, options);
    // Two families for false-discovery control: the comparisons that can fail the gate, and the
    // informational rest, so reporting more measures never costs the gate power.
    let gating: Vec<bool> = pending.iter().map(|row| is_gating(row, options)).collect();
    let tested = |family: bool| -> Vec<Option<f64>> {
        pending
            .iter()
            .zip(&gating)
            .map(|(row, &g)| match &row.state {
                PendingState::Judged(j) if j.insufficient.is_none() && g == family => j.p_value,
                _ => None,
            })
            .collect()
    };
    let (gated_p, other_p) = (tested(true), tested(false));
    let family_size = |ps: &[Option<f64>]| ps.iter().flatten().count();
    let (gated_m, other_m) = (family_size(&gated_p), family_size(&other_p));
    let (gated_q, other_q) = (adjust(&gated_p), adjust(&other_p));
    let q_values: Vec<Option<f64>> = gated_q
        .into_iter()
        .zip(other_q)
        .map(|(a, b)| a.or(b))
        .collect();
    let alpha = options.thresholds.alpha;
    pending
        .into_iter()
        .zip(q_values)
        .zip(gating)
        .map(|((row, q), gating)| {
            let (unit, direction) = row
                .current
                .as_ref()
                .or(row.baseline.as_ref())
                .map_or((Unit::Nanoseconds, Direction::LowerIsBetter), |m| {
                    (m.unit.clone(), m.direction)
                });
            // Exact when either side is, as the row was judged (`judge_metric`, `is_gating`).
            let exact = [&row.current, &row.baseline]
                .into_iter()
                .flatten()
                .any(|m| m.exact);
            let mut caveats = Vec::new();
            let (kind, severity, reason, effect, p_value) = match row.state {
                PendingState::Judged(judgement) => {
                    let floor = options
                        .noise_floors
                        .get(&(row.benchmark.clone(), row.measure.clone()))
                        .copied();
                    let mut c = judgement.classify(q, &options.thresholds, floor);
                    let family = if gating { gated_m } else { other_m };
                    // A sole large change among many comparisons with few samples: the
                    // false-discovery control cannot reach it, its family-wise interval can.
                    let family_wise = match (gating, &row.baseline, &row.current, q) {
                        (true, Some(base), Some(cur), Some(q)) if q >= alpha => judgement
                            .family_wise_fail(
                                base,
                                cur,
                                &options.thresholds,
                                floor,
                                family,
                                seed_for(
                                    options.seed ^ FAMILY_WISE_SEED,
                                    &row.benchmark,
                                    &row.measure,
                                ),
                            ),
                        _ => None,
                    };
                    if let Some(fail) = family_wise {
                        c = fail;
                    } else if let Some(caveat) = underpowered(&judgement, q, family, alpha) {
                        // Not significant, and no change could have been: say so, never `~ ok`.
                        c.kind = VerdictKind::InsufficientData;
                        c.severity = None;
                        c.reason = format!("{}; {}", caveat_text(&caveat), c.reason);
                        c.caveats.push(caveat);
                    }
                    caveats = c.caveats;
                    (
                        c.kind,
                        c.severity,
                        c.reason,
                        judgement.effect,
                        judgement.p_value,
                    )
                }
                PendingState::Declared(bounds) => match (&row.baseline, &row.current) {
                    (Some(base), Some(cur)) => {
                        let (c, effect) = judge_declared(base, cur, &bounds, &options.thresholds);
                        (c.kind, c.severity, c.reason, effect, None)
                    }
                    _ => (
                        VerdictKind::InsufficientData,
                        None,
                        "nothing to compare".to_string(),
                        None,
                        None,
                    ),
                },
                // Only a row missing one side stays unjudged; there is nothing to compare.
                PendingState::ToJudge { .. } => (
                    VerdictKind::InsufficientData,
                    None,
                    "nothing to compare".to_string(),
                    None,
                    None,
                ),
                PendingState::Fixed {
                    kind,
                    severity,
                    reason,
                } => {
                    // A new measurement that missed its precision target says so too.
                    caveats.extend(
                        row.current
                            .as_ref()
                            .and_then(|m| precision_caveat(m, Side::Current)),
                    );
                    (kind, severity, reason, None, None)
                }
            };
            Verdict {
                benchmark: row.benchmark,
                measure: row.measure,
                unit,
                direction,
                exact,
                kind,
                severity,
                gating,
                baseline: row.baseline.map(|m| verdict_summary(m, exact)),
                current: row.current.map(|m| verdict_summary(m, exact)),
                effect,
                p_value,
                q_value: q,
                reason,
                caveats,
            }
        })
        .collect()
}

/// A side's summary as a verdict shows it: an exact measure's interval is its whole range, at
/// confidence 1 (benchstat's `assume=exact`: `± 0%` when the values agree, their spread when not).
fn verdict_summary(metric: Metric, exact: bool) -> benchgate_model::Summary {
    let mut summary = metric.summary;
    if exact {
        summary.median_ci = Some(benchgate_model::Interval {
            lo: summary.min,
            hi: summary.max,
            confidence: 1.0,
        });
    }
    summary
}

/// When false-discovery-rate control across `family` tests makes significance unreachable for
/// this row's sample sizes (even the most extreme samples give a smallest p whose adjusted value
/// as a sole discovery, p·family, is above `alpha`) and the row is not significant: the caveat
/// saying so and how many samples per side could reach it.
fn underpowered(
    judgement: &MetricJudgement,
    q: Option<f64>,
    family: usize,
    alpha: f64,
) -> Option<Caveat> {
    let q = q?;
    if judgement.exact || q < alpha || family == 0 {
        return None;
    }
    let (nb, nc) = judgement.sizes;
    let smallest_q = min_attainable_p(nb, nc) * family as f64;
    if smallest_q <= alpha {
        return None;
    }
    Some(Caveat::Underpowered {
        n_baseline: nb,
        n_current: nc,
        comparisons: family,
        alpha,
        needed: samples_needed(family, alpha),
    })
}

/// The fewest samples per side (equal sizes, up to 1000) whose smallest p, adjusted as a sole
/// discovery among `family` tests, reaches `alpha`.
pub fn samples_needed(family: usize, alpha: f64) -> Option<usize> {
    (1..=1000).find(|&n| min_attainable_p(n, n) * family as f64 <= alpha)
}

/// One line for an underpowered caveat.
fn caveat_text(caveat: &Caveat) -> String {
    match caveat {
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
                "insufficient data: {n} cannot reach α={alpha} across {comparisons} comparison{}{can}",
                if *comparisons == 1 { "" } else { "s" }
            )
        }
        other => format!("{other:?}"),
    }
}

/// The comparison-wide note when gated comparisons are underpowered.
fn underpowered_note(verdicts: &[Verdict]) -> Option<String> {
    let rows: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| {
            v.gating
                && v.caveats
                    .iter()
                    .any(|c| matches!(c, Caveat::Underpowered { .. }))
        })
        .collect();
    let first = rows.first()?;
    let caveat = first
        .caveats
        .iter()
        .find(|c| matches!(c, Caveat::Underpowered { .. }))?;
    Some(format!(
        "{} of the gated comparisons cannot detect any change: {}",
        rows.len(),
        caveat_text(caveat)
    ))
}

/// Whether a row can fail the gate: a gated measure, or an exact one.
fn is_gating(row: &Pending, options: &CompareOptions) -> bool {
    let exact = row
        .current
        .as_ref()
        .or(row.baseline.as_ref())
        .is_some_and(|m| m.exact)
        || matches!(&row.state, PendingState::Judged(j) if j.exact);
    exact || options.gated_measures.contains(&row.measure)
}

fn fixed(
    benchmark: &str,
    measure: Measure,
    kind: VerdictKind,
    severity: Option<Severity>,
    reason: String,
) -> Pending {
    Pending {
        benchmark: benchmark.to_string(),
        measure,
        baseline: None,
        current: None,
        state: PendingState::Fixed {
            kind,
            severity,
            reason,
        },
    }
}

fn primary_measure(metric: Option<&Metric>, options: &CompareOptions) -> Measure {
    metric
        .map(|m| m.measure.clone())
        .or_else(|| options.gated_measures.first().cloned())
        .unwrap_or(Measure::WallTime)
}

/// A per-row seed, so adding a benchmark does not change the intervals of the others.
fn seed_for(seed: u64, benchmark: &str, measure: &Measure) -> u64 {
    // FNV-1a: stable across Rust versions, unlike the std hasher.
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for byte in benchmark.bytes().chain([0]).chain(measure.as_str().bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn run_ref(run: &Run, label: &str) -> RunRef {
    RunRef {
        id: run.id,
        label: label.to_string(),
        source: run.source.clone(),
        mode: run.provenance.mode,
        commit: run.provenance.commit.clone(),
        started_at: run.started_at,
        fingerprint: run.environment.fingerprint.clone(),
    }
}
