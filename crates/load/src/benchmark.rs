//! A level's result as the canonical [`Benchmark`] the pipeline stores and judges: one per level,
//! `{bench}/concurrency={N}` (closed model, params `concurrency`) or `{bench}` (open model,
//! params `rate` as written). Samples are one per kept window of the level, so relative verdicts
//! compare distributions:
//!
//! | measure | unit | samples |
//! | --- | --- | --- |
//! | `throughput` | 1/s | successes / time the window covers (windows with ≥ 1 operation; see below) |
//! | `latency_p50` … `latency_p999` | ns | that percentile of the window's successful operations (open model: from the intended start) |
//! | `error_rate` | ratio | errors / operations of the window |
//! | `service_time_p50` … `service_time_p999` | ns | open model: the same from the actual start |
//! | `max_concurrency` | count | one: the most operations in flight at once |
//! | `scaling_efficiency` | ratio | closed model with a reference level N0: window throughput / (N/N0 · throughput(N0)) |
//! | `planned`, `started`, `late`, `dropped` | count | open model: one each (`planned` exact: the schedule decides it) |
//! | each output metric | its own | the window's mean of the operations' values |
//!
//! The last window usually covers less than the window width (the level ends inside it); its
//! throughput is that of the time it covers, and it is left out of `throughput` and
//! `scaling_efficiency` when it covers less than half the width (a handful of operations over a
//! sliver of time would read as a spike) unless it is the only window.
//!
//! Failed operations are never timing samples. A level without a successful operation is
//! `failed`, with a message naming the error kinds, and has no metrics; its labels still say what
//! happened. Labels: `ops`, `errors`, `errors.<kind>`, `error_example.<kind>`, `duration_ns`,
//! `windows`, `window_ns`, `reached` (`yes`/`no`, see [`LevelResult::reached`]), and when they
//! apply `scaling_reference` (N0), `window_stride` (windows were thinned),
//! `late_tolerance_ns` (open model), `mean_in_flight` (when the runner measured it: every
//! engine does) and `littles_law` (the check of [`crate::littles_law()`], e.g.
//! `in flight 49.8 ≈ 9 960/s × 5.00 ms = 49.8 (+0.0%)`). The whole level's own figures, which
//! the per-window samples can hide (a stall in one window of ten moves the level's p99, not the
//! windows' median p99): `whole.throughput` (successes per second of the level) and
//! `whole.latency_{p50,p90,p95,p99,p999,max}_ns` (and `whole.service_time_…_ns`, open model).

use std::collections::BTreeMap;
use std::time::Duration;

use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};

use crate::latency::{LatencyHistogram, Percentiles};
use crate::level::LevelResult;

/// An output metric read from each operation's stdout: its name, unit and which way is better.
/// Their order is the order of the values the output inspector returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputMetric {
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
}

/// A closed-model level as `{bench}/concurrency={N}`. `reference` is the level scaling efficiency
/// is computed against (the sweep's lowest level; it may be `level` itself); `None` for no
/// `scaling_efficiency`.
pub fn closed_level_benchmark(
    bench: &str,
    level: &LevelResult,
    reference: Option<&LevelResult>,
    output_metrics: &[OutputMetric],
) -> Benchmark {
    let concurrency = level.concurrency.to_string();
    level_benchmark(
        format!("{bench}/concurrency={concurrency}"),
        BTreeMap::from([("concurrency".to_string(), concurrency)]),
        level,
        reference,
        output_metrics,
    )
}

/// An open-model level as `{bench}` with the parameter `rate` as the user wrote it (`"200/s"`).
pub fn open_level_benchmark(
    bench: &str,
    rate: &str,
    level: &LevelResult,
    output_metrics: &[OutputMetric],
) -> Benchmark {
    level_benchmark(
        bench.to_string(),
        BTreeMap::from([("rate".to_string(), rate.to_string())]),
        level,
        None,
        output_metrics,
    )
}

/// Any level under the given name and params (the two functions above fix those).
pub fn level_benchmark(
    name: String,
    params: BTreeMap<String, String>,
    level: &LevelResult,
    reference: Option<&LevelResult>,
    output_metrics: &[OutputMetric],
) -> Benchmark {
    let mut labels = BTreeMap::new();
    let mut label = |key: String, value: String| {
        labels.insert(key, value);
    };
    label("ops".into(), level.operations.to_string());
    label("errors".into(), level.errors.total().to_string());
    for (kind, count) in level.errors.iter() {
        label(format!("errors.{kind}"), count.to_string());
        if let Some(example) = level.errors.example(kind) {
            label(format!("error_example.{kind}"), example.to_string());
        }
    }
    label("duration_ns".into(), level.wall.as_nanos().to_string());
    label("windows".into(), level.windows.len().to_string());
    label(
        "window_ns".into(),
        level.window_width.as_nanos().to_string(),
    );
    let reached = if level.reached() { "yes" } else { "no" };
    label("reached".into(), reached.to_string());
    if let Some(mean) = level.mean_in_flight {
        label("mean_in_flight".into(), format!("{mean:.2}"));
    }
    if let Some(check) = crate::littles_law::littles_law(level) {
        label("littles_law".into(), check.describe());
    }
    // The whole level's figures, beside the per-window samples the measures hold: a stall in one
    // window of ten moves the level's p99, not the windows' median p99.
    label(
        "whole.throughput".into(),
        format!("{:.3}", level.throughput()),
    );
    for (prefix, histogram) in [
        ("whole.latency", Some(&level.latency)),
        ("whole.service_time", level.service_time.as_ref()),
    ] {
        if let Some(p) = histogram.and_then(LatencyHistogram::percentiles) {
            for (name, value) in [
                ("p50", p.p50),
                ("p90", p.p90),
                ("p95", p.p95),
                ("p99", p.p99),
                ("p999", p.p99_9),
                ("max", p.max),
            ] {
                label(format!("{prefix}_{name}_ns"), value.as_nanos().to_string());
            }
        }
    }
    if level.window_stride > 1 {
        label("window_stride".into(), level.window_stride.to_string());
    }
    if let Some(open) = &level.open {
        label(
            "late_tolerance_ns".into(),
            open.late_tolerance.as_nanos().to_string(),
        );
    }
    let reference = reference.filter(|reference| reference.throughput() > 0.0);
    if let Some(reference) = reference {
        label(
            "scaling_reference".into(),
            reference.concurrency.to_string(),
        );
    }
    let (status, metrics) = if level.successes() == 0 {
        let message = failure_message(level);
        (Status::Failed { message }, Vec::new())
    } else {
        (Status::Ok, metrics(level, reference, output_metrics))
    };
    Benchmark {
        name,
        params,
        labels,
        command: None,
        mode: None,
        status,
        metrics,
        series: Vec::new(),
    }
}

/// `all 40 operations failed: 38 × exit:3 (exit:3: nope), 2 × timeout (timeout: killed after 1s)`.
fn failure_message(level: &LevelResult) -> String {
    if level.operations == 0 {
        return match &level.open {
            Some(open) if open.dropped > 0 => format!(
                "no operation ran: all {} planned starts were dropped",
                open.planned
            ),
            _ => "no operation ran".to_string(),
        };
    }
    let kinds: Vec<String> = level
        .errors
        .iter()
        .map(|(kind, count)| match level.errors.example(kind) {
            Some(example) => format!("{count} × {kind} ({example})"),
            None => format!("{count} × {kind}"),
        })
        .collect();
    format!(
        "all {} operations failed: {}",
        level.operations,
        kinds.join(", ")
    )
}

/// Reads one percentile.
type Pick = fn(&Percentiles) -> Duration;

const LATENCY_MEASURES: [(Measure, Pick); 5] = [
    (Measure::LatencyP50, |p| p.p50),
    (Measure::LatencyP90, |p| p.p90),
    (Measure::LatencyP95, |p| p.p95),
    (Measure::LatencyP99, |p| p.p99),
    (Measure::LatencyP999, |p| p.p99_9),
];

const SERVICE_MEASURES: [&str; 5] = [
    "service_time_p50",
    "service_time_p90",
    "service_time_p95",
    "service_time_p99",
    "service_time_p999",
];

fn custom(name: &str) -> Measure {
    Measure::Custom(name.to_string())
}

fn nanos(duration: Duration) -> f64 {
    duration.as_nanos() as f64
}

fn metrics(
    level: &LevelResult,
    reference: Option<&LevelResult>,
    output_metrics: &[OutputMetric],
) -> Vec<Metric> {
    use Direction::{HigherIsBetter, LowerIsBetter};
    let mut metrics = Vec::new();
    let mut add = |measure: Measure, unit: Unit, direction: Direction, samples: Vec<f64>| {
        metrics.extend(Metric::from_samples(measure, unit, direction, samples));
    };
    let throughputs = window_throughputs(level);
    add(
        Measure::Throughput,
        Unit::PerSecond,
        HigherIsBetter,
        throughputs.clone(),
    );
    for (index, (measure, pick)) in LATENCY_MEASURES.into_iter().enumerate() {
        let latencies = level
            .windows
            .iter()
            .filter_map(|w| w.percentiles.as_ref().map(|p| nanos(pick(p))))
            .collect();
        add(measure, Unit::Nanoseconds, LowerIsBetter, latencies);
        if level.service_time.is_some() {
            let service = level
                .windows
                .iter()
                .filter_map(|w| w.service_percentiles.as_ref().map(|p| nanos(pick(p))))
                .collect();
            add(
                custom(SERVICE_MEASURES[index]),
                Unit::Nanoseconds,
                LowerIsBetter,
                service,
            );
        }
    }
    let error_rates = level
        .windows
        .iter()
        .map(|w| crate::latency::error_rate(w.errors, w.successes + w.errors))
        .collect();
    add(Measure::ErrorRate, Unit::Ratio, LowerIsBetter, error_rates);
    // Counts, one sample each. Only `planned` is exact in the model's sense (the same schedule
    // plans the same starts every run): the others are what this run's machine managed, and an
    // exact measure gates on any change, which would turn scheduling noise into warnings.
    let mut count = |name: &str, direction: Direction, value: u64, exact: bool| {
        metrics.extend(
            Metric::from_samples(custom(name), Unit::Count, direction, vec![value as f64])
                .map(|metric| metric.exact(exact)),
        );
    };
    count(
        "max_concurrency",
        HigherIsBetter,
        level.max_in_flight as u64,
        false,
    );
    if let Some(open) = &level.open {
        count("planned", HigherIsBetter, open.planned, true);
        count("started", HigherIsBetter, open.started, false);
        count("late", LowerIsBetter, open.late, false);
        count("dropped", LowerIsBetter, open.dropped, false);
    }
    if let Some(reference) = reference
        && reference.concurrency > 0
    {
        let ideal =
            level.concurrency as f64 / reference.concurrency as f64 * reference.throughput();
        let efficiencies = throughputs.iter().map(|t| t / ideal).collect();
        metrics.extend(Metric::from_samples(
            custom("scaling_efficiency"),
            Unit::Ratio,
            HigherIsBetter,
            efficiencies,
        ));
    }
    for (index, output) in output_metrics.iter().enumerate() {
        let means = level
            .windows
            .iter()
            .filter_map(|w| w.output_means.get(index).copied().flatten())
            .collect();
        metrics.extend(Metric::from_samples(
            Measure::parse(&output.name),
            output.unit.clone(),
            output.direction,
            means,
        ));
    }
    metrics
}

/// Successes per second of each window (see the module doc for the short last window).
fn window_throughputs(level: &LevelResult) -> Vec<f64> {
    let half = level.window_width / 2;
    let only_one = level.windows.len() == 1;
    level
        .windows
        .iter()
        .filter_map(|w| {
            let span = level.window_span(w.index);
            let usable = !span.is_zero() && (span >= half || only_one);
            usable.then(|| w.successes as f64 / span.as_secs_f64())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_kind::ErrorKind;
    use crate::level::{LevelRecorder, OpenCounts, Outcome};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn ok(finished_ms: u64, latency_ms: u64, values: &[f64]) -> Outcome {
        Outcome {
            values: values.to_vec(),
            ..Outcome::success(ms(finished_ms), ms(latency_ms))
        }
    }

    fn failed(finished_ms: u64, kind: ErrorKind, message: &str) -> Outcome {
        Outcome {
            message: Some(message.to_string()),
            ..Outcome::failure(ms(finished_ms), ms(900), kind)
        }
    }

    /// Windows of 1 s over 2.6 s: window 0 has 4 successes (10, 20, 30, 40 ms) and an exit:1,
    /// window 1 has 2 successes (50, 60 ms), a timeout and another exit:1, window 2 (0.6 s of
    /// the level) one success (70 ms).
    fn closed_level(concurrency: usize) -> LevelResult {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for (at, latency, tps) in [
            (100, 10, 1.0),
            (200, 20, 3.0),
            (300, 30, 5.0),
            (400, 40, 7.0),
        ] {
            recorder.record(ok(at, latency, &[tps]));
        }
        recorder.record(failed(500, ErrorKind::Exit(1), "exit:1: first"));
        recorder.record(ok(1100, 50, &[10.0]));
        recorder.record(ok(1200, 60, &[20.0]));
        recorder.record(failed(1300, ErrorKind::Timeout, "timeout: killed after 1s"));
        recorder.record(failed(1400, ErrorKind::Exit(1), "exit:1: second"));
        recorder.record(ok(2600, 70, &[]));
        recorder.finish(concurrency, ms(2600), concurrency - 1)
    }

    fn samples(bench: &Benchmark, name: &str) -> Vec<f64> {
        bench
            .metric(&Measure::parse(name))
            .unwrap_or_else(|| panic!("no {name}"))
            .samples
            .clone()
    }

    fn hdr(ms_value: u64) -> f64 {
        let mut histogram = crate::latency::LatencyHistogram::new();
        histogram.record(ms(ms_value));
        nanos(histogram.percentiles().unwrap().p50)
    }

    #[test]
    fn a_measured_mean_in_flight_adds_it_and_the_littles_law_check_as_labels() {
        // 2000 operations of 1000 ns over 1 ms: λ·W = 2, measured 1.6.
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for _ in 0..2000 {
            recorder.record(Outcome::success(ms(0), Duration::from_nanos(1000)));
        }
        let mut level = recorder.finish(2, ms(1), 2);
        let without = closed_level_benchmark("api", &level, None, &[]);
        assert!(!without.labels.contains_key("mean_in_flight"));
        assert!(!without.labels.contains_key("littles_law"));
        level.mean_in_flight = Some(1.6);
        let bench = closed_level_benchmark("api", &level, None, &[]);
        assert_eq!(bench.labels["mean_in_flight"], "1.60");
        assert_eq!(
            bench.labels["littles_law"],
            "in flight 1.60 ≈ 2 000 000/s × 1.00 µs = 2.00 (+25.0%)"
        );
    }

    #[test]
    fn a_closed_level_becomes_metrics_with_one_sample_per_window_and_labels() {
        let level = closed_level(4);
        let reference = {
            let mut recorder = LevelRecorder::new(Duration::from_secs(1));
            for at in 0..2 {
                recorder.record(Outcome::success(ms(at * 100), ms(5)));
            }
            recorder.finish(1, ms(1000), 1)
        };
        let tps = OutputMetric {
            name: "tps".to_string(),
            unit: Unit::Custom("tx/s".to_string()),
            direction: Direction::HigherIsBetter,
        };
        let bench = closed_level_benchmark("pool", &level, Some(&reference), &[tps]);
        assert_eq!(bench.name, "pool/concurrency=4");
        assert_eq!(bench.params["concurrency"], "4");
        assert_eq!(bench.status, Status::Ok);
        // 4, 2 and 1 successes over 1 s, 1 s and 0.6 s.
        assert_eq!(samples(&bench, "throughput"), [4.0, 2.0, 1.0 / 0.6]);
        assert_eq!(samples(&bench, "latency_p50"), [hdr(20), hdr(50), hdr(70)]);
        assert_eq!(samples(&bench, "latency_p999"), [hdr(40), hdr(60), hdr(70)]);
        assert_eq!(samples(&bench, "error_rate"), [0.2, 0.5, 0.0]);
        let max = bench.metric(&custom("max_concurrency")).unwrap();
        assert_eq!((max.samples.clone(), max.exact), (vec![3.0], false));
        // Reference: 2 ops/s at N0 = 1, so N = 4 ideally does 8/s.
        assert_eq!(
            samples(&bench, "scaling_efficiency"),
            [0.5, 0.25, 1.0 / 0.6 / 8.0]
        );
        let output = bench.metric(&custom("tps")).unwrap();
        assert_eq!(output.samples, [4.0, 15.0]);
        assert_eq!(output.unit, Unit::Custom("tx/s".to_string()));
        assert_eq!(output.direction, Direction::HigherIsBetter);
        assert!(bench.metric(&custom("service_time_p50")).is_none());
        assert!(bench.metric(&custom("planned")).is_none());
        let labels: Vec<(&str, &str)> = bench
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // The whole level's percentiles, of all 7 successes.
        let (p50, max) = ((hdr(40) as u64).to_string(), (hdr(70) as u64).to_string());
        assert_eq!(
            labels,
            [
                ("duration_ns", "2600000000"),
                ("error_example.exit:1", "exit:1: first"),
                ("error_example.timeout", "timeout: killed after 1s"),
                ("errors", "3"),
                ("errors.exit:1", "2"),
                ("errors.timeout", "1"),
                ("ops", "10"),
                ("reached", "no"),
                ("scaling_reference", "1"),
                ("whole.latency_max_ns", &max),
                ("whole.latency_p50_ns", &p50),
                ("whole.latency_p90_ns", &max),
                ("whole.latency_p95_ns", &max),
                ("whole.latency_p999_ns", &max),
                ("whole.latency_p99_ns", &max),
                // 7 successes in 2.6 s.
                ("whole.throughput", "2.692"),
                ("window_ns", "1000000000"),
                ("windows", "3"),
            ]
        );
    }

    #[test]
    fn a_short_last_window_is_left_out_of_throughput_but_not_of_latency() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        recorder.record(Outcome::success(ms(500), ms(10)));
        recorder.record(Outcome::success(ms(1100), ms(10)));
        let level = recorder.finish(1, ms(1100), 1);
        let bench = closed_level_benchmark("b", &level, None, &[]);
        assert_eq!(samples(&bench, "throughput"), [1.0]);
        assert_eq!(samples(&bench, "latency_p50").len(), 2);
        assert!(bench.metric(&custom("scaling_efficiency")).is_none());
        assert_eq!(bench.labels["reached"], "yes");
    }

    #[test]
    fn an_open_level_has_service_times_and_its_counts() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for (at, latency, service) in [(100, 900, 30), (200, 40, 40), (1500, 20, 10)] {
            recorder.record(Outcome {
                service_time: Some(ms(service)),
                ..Outcome::success(ms(at), ms(latency))
            });
        }
        let mut level = recorder.finish(2, ms(2000), 2);
        level.open = Some(OpenCounts {
            planned: 10,
            started: 3,
            late: 1,
            dropped: 7,
            late_tolerance: ms(2),
        });
        let bench = open_level_benchmark("api", "200/s", &level, &[]);
        assert_eq!(bench.name, "api");
        assert_eq!(bench.params["rate"], "200/s");
        assert_eq!(samples(&bench, "latency_p999"), [hdr(900), hdr(20)]);
        assert_eq!(samples(&bench, "service_time_p999"), [hdr(40), hdr(10)]);
        assert_eq!(samples(&bench, "service_time_p50"), [hdr(30), hdr(10)]);
        for (name, value, exact, direction) in [
            ("planned", 10.0, true, Direction::HigherIsBetter),
            ("started", 3.0, false, Direction::HigherIsBetter),
            ("late", 1.0, false, Direction::LowerIsBetter),
            ("dropped", 7.0, false, Direction::LowerIsBetter),
        ] {
            let metric = bench.metric(&custom(name)).unwrap();
            assert_eq!(
                (metric.samples.clone(), metric.exact, metric.direction),
                (vec![value], exact, direction),
                "{name}"
            );
        }
        assert_eq!(bench.labels["reached"], "no");
        assert_eq!(bench.labels["late_tolerance_ns"], "2000000");
    }

    #[test]
    fn a_level_without_a_success_fails_naming_the_error_kinds() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        recorder.record(failed(10, ErrorKind::Exit(3), "exit:3: nope"));
        recorder.record(failed(20, ErrorKind::Exit(3), "exit:3: again"));
        recorder.record(Outcome::failure(ms(30), ms(1), ErrorKind::OutputCheck));
        let level = recorder.finish(2, ms(30), 2);
        let bench = closed_level_benchmark("cli", &level, None, &[]);
        assert_eq!(
            bench.status,
            Status::Failed {
                message: "all 3 operations failed: 2 × exit:3 (exit:3: nope), 1 × output-check"
                    .to_string()
            }
        );
        assert!(bench.metrics.is_empty());
        assert_eq!(bench.labels["errors.exit:3"], "2");
        assert_eq!(bench.labels["errors.output-check"], "1");
        let mut nothing = LevelRecorder::new(Duration::from_secs(1)).finish(1, Duration::ZERO, 0);
        nothing.open = Some(OpenCounts {
            planned: 5,
            started: 0,
            late: 0,
            dropped: 5,
            late_tolerance: ms(1),
        });
        let bench = open_level_benchmark("api", "5/s", &nothing, &[]);
        assert_eq!(
            bench.status,
            Status::Failed {
                message: "no operation ran: all 5 planned starts were dropped".to_string()
            }
        );
    }
}
