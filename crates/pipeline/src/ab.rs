//! The paired, interleaved A/B engine (SPEC §7.2) that `benchgate ab` and paired confirmation
//! share: both commands run alternately in balanced pairs, and adaptive stopping looks at the
//! per-pair ratios until the interval of the change is clear or the time is spent.

use benchgate_gate::{
    CompareOptions, PairedJudgement, Sequential, compare_runs, judge_pair_sets,
    record_command_failure, replace_verdict,
};
use benchgate_measure::{CommandSpec, MeasureError, Observer, PairedResult, RunnerOptions, Sample};
use benchgate_model::{Benchmark, Comparison, Direction, Measure, Run, Status, Thresholds};
use time::OffsetDateTime;

use crate::PipelineError;
use crate::convert;

/// The pairs of a benchmark are looked at after `min_runs` pairs and then each time their number
/// has grown by half: the error rate each look spends shrinks with the number of looks, so
/// looking less often keeps the intervals narrow.
const LOOK_GROWTH: f64 = 1.5;

/// Runs `base` and `head` in pairs under `options` and judges their wall times paired with
/// `thresholds` (whose α the caller has already divided among the benchmarks it pairs). With a
/// fixed number of pairs (`options.runs`) nothing is judged here (`None`): fixed pairs are judged
/// together by [`benchgate_gate::judge_pair_sets`]. Otherwise sampling stops as soon as a look
/// decides, or at `options.max_time` with one last look.
pub fn run_pairs(
    base: &CommandSpec,
    head: &CommandSpec,
    options: &RunnerOptions,
    thresholds: Thresholds,
    observer: &mut dyn Observer,
) -> Result<(PairedResult, Option<PairedJudgement>), MeasureError> {
    let mut sequential = Sequential::new(Direction::LowerIsBetter, thresholds);
    let mut decided: Option<PairedJudgement> = None;
    let mut next_look = options.min_runs as usize;
    let mut stop = |base: &[Sample], head: &[Sample]| -> bool {
        if base.len() < next_look {
            return false;
        }
        next_look = ((base.len() as f64) * LOOK_GROWTH).ceil() as usize;
        decided = sequential.look(&wall(base), &wall(head));
        decided.is_some()
    };
    let result = benchgate_measure::run_paired(base, head, options, &mut stop, observer)?;
    let judgement = if options.runs.is_some() {
        None
    } else {
        Some(match decided {
            Some(j) => j,
            None => sequential.conclude(&wall(&result.base.samples), &wall(&result.head.samples)),
        })
    };
    Ok((result, judgement))
}

/// The wall times of `samples`, in nanoseconds.
pub fn wall(samples: &[Sample]) -> Vec<f64> {
    samples.iter().map(|s| s.wall_ns as f64).collect()
}

/// The comparison of paired measurements: each of `results` (the benchmark `names[i]`, measured
/// by [`run_pairs`]) joins `base` and `head`, and its wall-time verdict is its adaptive judgement,
/// else the fixed pairs' (judged together, with the false-discovery rate controlled across
/// them). A benchmark that failed on either side keeps the comparison's `failed` verdict; the
/// failed commands are recorded by [`record_failed_sides`].
pub fn judge_paired(
    names: &[String],
    results: Vec<(PairedResult, Option<PairedJudgement>)>,
    (base, base_label): (&mut Run, &str),
    (head, head_label): (&mut Run, &str),
    options: &CompareOptions,
) -> Result<Comparison, PipelineError> {
    let walls: Vec<(Vec<f64>, Vec<f64>)> = results
        .iter()
        .map(|(r, _)| (wall(&r.base.samples), wall(&r.head.samples)))
        .collect();
    let sets: Vec<(&[f64], &[f64])> = walls
        .iter()
        .map(|(b, h)| (b.as_slice(), h.as_slice()))
        .collect();
    let fixed = judge_pair_sets(&sets, Direction::LowerIsBetter, &options.thresholds);

    base.ended_at = OffsetDateTime::now_utc();
    head.ended_at = base.ended_at;
    let mut judgements = Vec::new();
    for ((name, (result, adaptive)), fixed) in names.iter().zip(results).zip(fixed) {
        base.benchmarks
            .push(named(convert::benchmark(&result.base), name));
        head.benchmarks
            .push(named(convert::benchmark(&result.head), name));
        judgements.push(adaptive.unwrap_or(fixed));
    }
    base.validate()?;
    head.validate()?;
    let mut comparison = compare_runs(base, base_label, head, head_label, options);
    for ((name, judgement), (b, h)) in names
        .iter()
        .zip(judgements)
        .zip(base.benchmarks.iter().zip(&head.benchmarks))
    {
        if b.status != Status::Ok || h.status != Status::Ok {
            continue; // a failed side keeps the comparison's `failed` verdict
        }
        let verdict = judgement.into_verdict(
            name,
            Measure::WallTime,
            b.metric(&Measure::WallTime),
            h.metric(&Measure::WallTime),
        );
        replace_verdict(&mut comparison, verdict);
    }
    record_failed_sides(&mut comparison, base, head);
    Ok(comparison)
}

/// Records the commands that failed on either side: a base that fails is as fatal as a head
/// that does (nothing was compared), so either makes the outcome `command_failed`.
pub fn record_failed_sides(comparison: &mut Comparison, base: &Run, head: &Run) {
    for (side, run) in [("base", base), ("head", head)] {
        for bench in &run.benchmarks {
            if let Status::Failed { message } = &bench.status {
                record_command_failure(
                    comparison,
                    format!("{} ({side}) failed: {message}", bench.name),
                );
            }
        }
    }
}

/// `bench` renamed to `name` (a pairing's name, not its command's).
pub fn named(mut bench: Benchmark, name: &str) -> Benchmark {
    bench.name = name.to_string();
    bench
}

/// One benchmark `ab` compares: its name and the two builds' commands.
#[derive(Debug, Clone)]
pub struct Pairing {
    pub name: String,
    pub base: CommandSpec,
    pub head: CommandSpec,
}

/// The configured suite's benchmarks in two checkouts (`ab --base-dir --head-dir`): each command
/// bench `filter` selects, run from `base_dir` and from `head_dir`. A bench whose `requires` are
/// unmet, and an HTTP bench (load against one server, not two builds' commands), is left out
/// with a note for each — when the filter would have chosen it. A filter that chooses nothing is
/// an error.
pub fn configured_pairings(
    config: &benchgate_config::Config,
    path: &std::path::Path,
    filter: Option<&str>,
    shell: Option<&str>,
    (base_dir, head_dir): (&std::path::Path, &std::path::Path),
) -> Result<(Vec<Pairing>, Vec<String>), PipelineError> {
    use crate::plan::{matches_filter, selected_specs};
    if config.benches.is_empty() {
        return Err(PipelineError::NoBenches {
            path: path.to_path_buf(),
        });
    }
    let mut pairings = Vec::new();
    let mut notes = Vec::new();
    for bench in &config.benches {
        let chosen = filter.is_none_or(|f| matches_filter(f, &bench.name));
        if let Some(reason) = bench.skip_reason() {
            if chosen {
                notes.push(format!("{} skipped: {reason}", bench.name));
            }
            continue;
        }
        if bench.http.is_some() {
            if chosen {
                notes.push(format!(
                    "{} skipped: an HTTP bench is load against one server; ab pairs two builds' commands",
                    bench.name
                ));
            }
            continue;
        }
        let shell = shell.or(bench.shell(&config.defaults));
        let specs = bench
            .specs(shell)
            .map_err(|source| PipelineError::BenchSpecs {
                bench: bench.name.clone(),
                source: Box::new(source),
            })?;
        for spec in selected_specs(filter, &bench.name, specs) {
            let mut base = spec.clone();
            base.cwd = Some(base_dir.to_path_buf());
            let mut head = spec;
            head.cwd = Some(head_dir.to_path_buf());
            pairings.push(Pairing {
                name: head.name.clone(),
                base,
                head,
            });
        }
    }
    if pairings.is_empty()
        && let Some(f) = filter
    {
        return Err(PipelineError::NoBenchMatches {
            path: path.to_path_buf(),
            filter: f.to_string(),
        });
    }
    Ok((pairings, notes))
}
