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
