//! Turns the runner's raw results into the canonical model.

use benchgate_measure::{CommandResult, Sample};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Precision, Status, Unit};

/// One benchmark per command: wall, user and system time in nanoseconds and per-run peak RSS in
/// bytes, every sample kept.
pub fn benchmark(result: &CommandResult) -> Benchmark {
    let status = match &result.failure {
        None => Status::Ok,
        Some(failure) => {
            let mut message = format!("{}: {}", failure.phase, failure.message);
            let tail = failure.stderr_tail.trim();
            if !tail.is_empty() {
                message.push_str("; stderr: ");
                message.push_str(tail);
            }
            Status::Failed { message }
        }
    };
    let samples = &result.samples;
    let series = |f: fn(&Sample) -> u64| samples.iter().map(|s| f(s) as f64).collect::<Vec<f64>>();
    let metrics = [
        (Measure::WallTime, Unit::Nanoseconds, series(|s| s.wall_ns)),
        (Measure::UserTime, Unit::Nanoseconds, series(|s| s.user_ns)),
        (Measure::SysTime, Unit::Nanoseconds, series(|s| s.sys_ns)),
        (Measure::MaxRss, Unit::Bytes, series(|s| s.max_rss_bytes)),
    ]
    .into_iter()
    .filter_map(|(measure, unit, values)| {
        Metric::from_samples(measure, unit, Direction::LowerIsBetter, values)
    })
    .map(|mut metric| {
        // Adaptive sampling aims the median of the wall time at its precision target.
        if metric.measure == Measure::WallTime {
            metric.precision = result.precision.map(|p| Precision {
                target: p.target,
                reached: p.reached,
            });
        }
        metric
    })
    .collect();
    Benchmark {
        mode: None,
        name: result.spec.name.clone(),
        params: result.spec.params.clone(),
        labels: Default::default(),
        command: Some(result.spec.display.clone()),
        status,
        metrics,
        series: Vec::new(),
    }
}
