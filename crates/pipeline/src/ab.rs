//! The paired, interleaved A/B engine (SPEC §7.2) that `benchgate ab` and paired confirmation
//! share: both commands run alternately in balanced pairs, and adaptive stopping looks at the
//! per-pair ratios until the interval of the change is clear or the time is spent.

use benchgate_gate::{PairedJudgement, Sequential};
use benchgate_measure::{CommandSpec, MeasureError, Observer, PairedResult, RunnerOptions, Sample};
use benchgate_model::{Direction, Thresholds};

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
