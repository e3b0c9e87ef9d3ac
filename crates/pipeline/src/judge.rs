//! Judging a run: against its (pooled) baseline, the budgets and the gated measures, into one
//! comparison whose outcome every output renders.

use benchgate_gate::{
    Budget, CompareOptions, apply_budgets, apply_checks, check_budgets, check_gated_measures,
    compare_runs, compare_within_run, judge_without_baseline, record_command_failure,
    replace_verdict, unmatched_budgets,
};
use std::collections::BTreeMap;

use benchgate_model::{Benchmark, Comparison, Measure, Outcome, Run, Status, Verdict};
use benchgate_store::Store;

use crate::PipelineError;
use crate::noise::with_noise_floors;

/// A stored run's judgement: the comparison (its verdicts, warnings and outcome), the notes the
/// steps before it gathered (to show before the report), and the outcome.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub comparison: Comparison,
    pub notes: Vec<String>,
    pub outcome: Outcome,
}

/// What the steps before judging found: notes for the report, the commands that failed (one
/// line each), and the verdicts paired confirmation decided, which replace the unpaired ones.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub notes: Vec<String>,
    pub command_failures: Vec<String>,
    pub confirmed: Vec<Verdict>,
    /// A FILTER chose the benchmarks: a budget that matches none of them is not worth a word.
    pub filtered: bool,
}

/// Stores `run`, then judges it against the (pooled) `baseline`, `budgets` and the checks of
/// `options`, with the noise floors of its machine. A gated measure no benchmark has is refused before anything is stored
/// (an unknown one) or becomes a warning of the comparison (a well-known one);
/// `command_failures` (one line each) make the outcome `command_failed`.
pub fn store_and_judge(
    store: &dyn Store,
    run: &Run,
    baseline: Option<(Run, String)>,
    options: &CompareOptions,
    budgets: &[Budget],
    findings: Findings,
) -> Result<Judgement, PipelineError> {
    let Findings {
        notes,
        command_failures,
        confirmed,
        filtered,
    } = findings;
    let measure_warnings = check_measures(
        &options.gated_measures,
        baseline.as_ref().map(|(b, _)| b),
        run,
    )?;
    store.put_run(run).map_err(PipelineError::StoreRun)?;
    let options = with_noise_floors(store, run, options)?;
    let current_label = format!("run {}", run.id);
    let mut comparison = match &baseline {
        Some((base, label)) => compare_runs(base, label, run, &current_label, &options),
        None => judge_without_baseline(run, &current_label, &options),
    };
    for verdict in confirmed {
        replace_verdict(&mut comparison, verdict);
    }
    let checks = check_budgets(budgets, run, baseline.as_ref().map(|(b, _)| b));
    if !filtered {
        comparison
            .warnings
            .extend(unmatched_budgets(budgets, &checks, run));
    }
    apply_budgets(&mut comparison, checks);
    apply_checks(&mut comparison, &options.checks, run);
    comparison.warnings.extend(measure_warnings);
    for failure in command_failures {
        record_command_failure(&mut comparison, failure);
    }
    let outcome = comparison.outcome;
    Ok(Judgement {
        comparison,
        notes,
        outcome,
    })
}

/// The commands of an ad-hoc run (`run -- A -- B`) judged among themselves: with several, how
/// each compares with the first (wall time, max RSS, instructions). Nothing is gated, so the
/// outcome is `command_failed` when a command failed, else passed.
/// The parameters that name a load level (`…/concurrency=10`, an open model's `rate`).
const LEVEL_PARAMS: [&str; 2] = ["concurrency", "rate"];

/// What commands run as load are compared on.
const LOAD_MEASURES: [Measure; 4] = [
    Measure::Throughput,
    Measure::LatencyP50,
    Measure::LatencyP99,
    Measure::ErrorRate,
];

/// Whether `run`'s commands ran as load: their levels report the in-flight maximum they reached.
fn is_load(run: &Run) -> bool {
    let in_flight = Measure::Custom("max_concurrency".to_string());
    run.benchmarks
        .iter()
        .any(|b| b.metric(&in_flight).is_some())
}

pub fn judge_commands(run: &Run, options: &CompareOptions) -> (Vec<Verdict>, Outcome) {
    let comparisons = if is_load(run) {
        // Each level of every command against the same level of the first command.
        let mut levels: BTreeMap<(&str, &str), Vec<&Benchmark>> = BTreeMap::new();
        for bench in &run.benchmarks {
            let level = LEVEL_PARAMS
                .iter()
                .find_map(|&p| Some((p, bench.params.get(p)?.as_str())))
                .unwrap_or(("", ""));
            levels.entry(level).or_default().push(bench);
        }
        let mut in_order: Vec<Vec<&Benchmark>> = levels.into_values().collect();
        // In the run's order of their first benchmark, so the report follows the commands.
        in_order.sort_by_key(|group| {
            run.benchmarks
                .iter()
                .position(|b| b.name == group[0].name)
                .unwrap_or(usize::MAX)
        });
        in_order
            .into_iter()
            .filter(|group| group.len() > 1)
            .flat_map(|group| {
                let level = Run {
                    benchmarks: group.into_iter().cloned().collect(),
                    ..run.clone()
                };
                compare_within_run(&level, &LOAD_MEASURES, options)
            })
            .collect()
    } else if run.benchmarks.len() > 1 {
        compare_within_run(
            run,
            &[Measure::WallTime, Measure::MaxRss, Measure::Instructions],
            options,
        )
    } else {
        Vec::new()
    };
    let outcome = if run.any_failed() {
        Outcome::CommandFailed
    } else {
        Outcome::Passed
    };
    (comparisons, outcome)
}

/// Judges `current` against `baseline` without storing anything (`compare`, `report`), with the
/// `budgets` when there are any and the checks of `options`. `options` should carry the noise floors already.
pub fn judge_runs(
    (baseline, baseline_label): (&Run, &str),
    (current, current_label): (&Run, &str),
    options: &CompareOptions,
    budgets: &[Budget],
) -> Comparison {
    let mut comparison = compare_runs(baseline, baseline_label, current, current_label, options);
    if !budgets.is_empty() {
        let checks = check_budgets(budgets, current, Some(baseline));
        comparison
            .warnings
            .extend(unmatched_budgets(budgets, &checks, current));
        apply_budgets(&mut comparison, checks);
    }
    apply_checks(&mut comparison, &options.checks, current);
    comparison
}

/// `current` judged against `baseline`, two stored runs, as `benchgate compare BASE HEAD
/// --config FILE` judges them: `loaded`'s `[gate]` and budgets where they judge `current`'s source
/// (the defaults without a file), the noise floors of `current`'s machine in `store`, each run
/// labelled `run ID`. What the server's comparisons, verdicts and dashboard answer.
pub fn judge_stored(
    store: &dyn Store,
    loaded: &crate::judging::LoadedConfig,
    baseline: &Run,
    current: &Run,
) -> Result<Comparison, PipelineError> {
    let judging = judging_of_inputs(
        loaded,
        &crate::judging::ThresholdFlags::default(),
        &[],
        (Some(baseline), current),
        Some(store),
    )?;
    let mut comparison = judge_runs(
        (baseline, &format!("run {}", baseline.id)),
        (current, &format!("run {}", current.id)),
        &judging.options,
        &judging.budgets,
    );
    // A file whose [gate] does not judge this source is set aside: say so, or its budgets
    // would seem to have passed.
    comparison.warnings.extend(judging.note);
    comparison.warnings.extend(judging.warnings);
    Ok(comparison)
}

/// How runs that are already measured are judged (`compare`, `report`, the server): as `run` and
/// `ingest` judge runs of the current run's source — the same settings, the same verdict.
#[derive(Debug, Clone)]
pub struct InputJudging {
    /// With the noise floors of the current run's machine when there is a store to learn them
    /// from.
    pub options: CompareOptions,
    pub budgets: Vec<Budget>,
    /// Why the file's `[gate]` does not judge this source, when it does not.
    pub note: Option<String>,
    /// Gated measures no benchmark has.
    pub warnings: Vec<String>,
}

/// The judging of `current` (against `baseline`, if any) by `loaded`'s `[gate]`, budgets and
/// checks with `flags` and `measures` on top (see [`crate::judging::judging_for`]), the gated
/// measures checked against both runs (an unknown one is an error), and the noise floors of
/// `store`.
pub fn judging_of_inputs(
    loaded: &crate::judging::LoadedConfig,
    flags: &crate::judging::ThresholdFlags,
    measures: &[Measure],
    (baseline, current): (Option<&Run>, &Run),
    store: Option<&dyn Store>,
) -> Result<InputJudging, PipelineError> {
    let judging = crate::judging::judging_for(
        &loaded.config,
        loaded.path.as_deref(),
        &current.source,
        flags,
        measures,
    )?;
    let warnings = check_measures(&judging.options.gated_measures, baseline, current)?;
    let options = match store {
        Some(store) => with_noise_floors(store, current, &judging.options)?,
        None => judging.options,
    };
    Ok(InputJudging {
        options,
        budgets: judging.budgets,
        note: judging.note,
        warnings,
    })
}

/// Gated measures checked against the runs judged: an unknown one is an error before anything is
/// stored; a well-known one no benchmark has gives a warning for the comparison to carry.
pub fn check_measures(
    gated: &[Measure],
    baseline: Option<&Run>,
    current: &Run,
) -> Result<Vec<String>, PipelineError> {
    let runs: Vec<&Run> = baseline.into_iter().chain([current]).collect();
    Ok(check_gated_measures(gated, &runs)?)
}

/// One line per benchmark whose command failed while measuring.
pub fn command_failures(run: &Run) -> Vec<String> {
    run.benchmarks
        .iter()
        .filter_map(|b| match &b.status {
            Status::Failed { message } => Some(format!("{} failed: {message}", b.name)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchgate_model::Benchmark;

    fn run_with(statuses: &[(&str, Status)]) -> Run {
        let mut run = Run::new(
            benchgate_model::Source::Command,
            time::OffsetDateTime::UNIX_EPOCH,
            Default::default(),
            Default::default(),
        );
        run.benchmarks = statuses
            .iter()
            .map(|(name, status)| Benchmark {
                mode: None,
                name: name.to_string(),
                params: Default::default(),
                labels: Default::default(),
                command: None,
                status: status.clone(),
                metrics: Vec::new(),
                series: Vec::new(),
            })
            .collect();
        run
    }

    #[test]
    fn ad_hoc_commands_fail_only_when_a_command_failed() {
        let (comparisons, outcome) =
            judge_commands(&run_with(&[("a", Status::Ok)]), &CompareOptions::default());
        assert!(comparisons.is_empty());
        assert_eq!(outcome, Outcome::Passed);
        let failed = run_with(&[
            ("a", Status::Ok),
            (
                "b",
                Status::Failed {
                    message: "exit code 1".into(),
                },
            ),
        ]);
        let (_, outcome) = judge_commands(&failed, &CompareOptions::default());
        assert_eq!(outcome, Outcome::CommandFailed);
    }

    #[test]
    fn each_failed_command_is_one_line() {
        let run = run_with(&[
            ("a", Status::Ok),
            (
                "b",
                Status::Failed {
                    message: "exit code 1".into(),
                },
            ),
            (
                "c",
                Status::Skipped {
                    reason: "no".into(),
                },
            ),
        ]);
        assert_eq!(command_failures(&run), ["b failed: exit code 1"]);
    }

    #[test]
    fn an_unknown_gated_measure_is_refused_and_a_known_one_warns() {
        let run = run_with(&[("a", Status::Ok)]);
        let error = check_measures(&[Measure::parse("frobs")], None, &run).unwrap_err();
        assert!(
            matches!(error, PipelineError::UnknownMeasure(_)),
            "{error:?}"
        );
        assert_eq!(
            check_measures(&[Measure::Instructions], None, &run).unwrap(),
            ["gated measure instructions: no benchmark has it, so it gates nothing here"]
        );
    }
}
