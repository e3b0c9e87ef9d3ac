//! Turns the runner's raw results into the canonical model.

use benchgate_config::MemorySettings;
use benchgate_measure::{CommandResult, OutputSpec, Sample};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Precision, Status, Unit};

/// One benchmark per command: wall, user and system time in nanoseconds and per-run peak RSS in
/// bytes, every sample kept.
pub fn benchmark(result: &CommandResult) -> Benchmark {
    benchmark_with(result, &OutputSpec::default(), None)
}

/// [`benchmark`] with the values `output` read from each run's standard output as metrics of
/// their own, and with `memory` the tree's peak RSS per run (`rss_peak`) and the last run's
/// growth and series.
pub fn benchmark_with(
    result: &CommandResult,
    output: &OutputSpec,
    memory: Option<&MemorySettings>,
) -> Benchmark {
    let status = match &result.failure {
        None => Status::Ok,
        Some(failure) => {
            // A failure its output caused names the run itself (`run 3: metric "tps": …`).
            let mut message = if failure.output.is_some() {
                failure.message.clone()
            } else {
                format!("{}: {}", failure.phase, failure.message)
            };
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
    let mut bench = Benchmark {
        mode: None,
        name: result.spec.name.clone(),
        params: result.spec.params.clone(),
        labels: Default::default(),
        command: Some(result.spec.display.clone()),
        status,
        metrics,
        series: Vec::new(),
    };
    add_output_metrics(&mut bench, result, output);
    if let Some(memory) = memory {
        let peaks: Vec<f64> = samples
            .iter()
            .filter_map(|s| s.tree_rss_peak_bytes)
            .map(|b| b as f64)
            .collect();
        bench.metrics.extend(Metric::from_samples(
            Measure::Custom("rss_peak".to_string()),
            Unit::Bytes,
            Direction::LowerIsBetter,
            peaks,
        ));
        // The growth of the last measured run: one run's series is what a leak shows in.
        if let Some(series) = &result.memory_series {
            crate::load::add_memory(&mut bench, series, memory, None);
        }
    }
    if result.rejected_runs > 0 {
        bench.labels.insert(
            "rejected_runs".to_string(),
            result.rejected_runs.to_string(),
        );
        if let Some(first) = &result.first_rejection {
            bench
                .labels
                .insert("rejected_example".to_string(), first.message.clone());
        }
    }
    bench
}

/// Each output metric's values, one sample per measured run, as a metric of its own name, unit
/// and direction.
fn add_output_metrics(bench: &mut Benchmark, result: &CommandResult, output: &OutputSpec) {
    for (i, metric) in crate::load::output_definitions(output)
        .into_iter()
        .enumerate()
    {
        let values: Vec<f64> = result
            .samples
            .iter()
            .filter_map(|s| s.values.get(i).copied())
            .collect();
        bench.metrics.extend(Metric::from_samples(
            Measure::parse(&metric.name),
            metric.unit,
            metric.direction,
            values,
        ));
    }
}
