//! A benchmark's raw measurements as the canonical [`Benchmark`]: `wall_time` per iteration
//! (with the iterations behind each sample), `allocs`, `alloc_bytes`, `reallocs` and
//! `peak_live_bytes` with the counting allocator, one metric per custom counter, and
//! `bytes_per_second` / `throughput` when the benchmark declared its work per iteration.
//!
//! Per-operation counts are `exact` (compared with thresholds alone) when every sample agrees,
//! as they do for deterministic code; code whose allocations vary keeps its statistics.

use std::collections::BTreeMap;

use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};

use crate::bencher::Measured;
use crate::outliers::Outliers;

pub(crate) fn benchmark(name: String, params: BTreeMap<String, String>, m: &Measured) -> Benchmark {
    let mut metrics = Vec::new();
    let mut labels = BTreeMap::new();
    if let Some(mut wall) = Metric::from_samples(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        m.ns_per_iter.clone(),
    ) {
        wall.iterations = Some(m.iterations.clone());
        metrics.push(wall);
    }
    let per_op = |totals: Vec<f64>| -> Vec<f64> {
        totals
            .iter()
            .zip(&m.iterations)
            .map(|(t, &i)| t / i as f64)
            .collect()
    };
    let mut push_count = |measure: Measure, unit: Unit, samples: Vec<f64>| {
        let exact = samples.windows(2).all(|w| w[0] == w[1]);
        if let Some(metric) = Metric::from_samples(measure, unit, Direction::LowerIsBetter, samples)
        {
            metrics.push(metric.exact(exact));
        }
    };
    if let Some(allocs) = &m.allocs {
        push_count(
            Measure::Allocs,
            Unit::Count,
            per_op(allocs.iter().map(|a| a.allocs as f64).collect()),
        );
        push_count(
            Measure::AllocBytes,
            Unit::Bytes,
            per_op(allocs.iter().map(|a| a.bytes_allocated as f64).collect()),
        );
        push_count(
            Measure::Custom("reallocs".into()),
            Unit::Count,
            per_op(allocs.iter().map(|a| a.reallocs as f64).collect()),
        );
    }
    if let Some(peaks) = &m.peak_live {
        // Peak live bytes above the sample's start, over the whole sample (not per operation).
        push_count(
            Measure::Custom("peak_live_bytes".into()),
            Unit::Bytes,
            peaks.iter().map(|&p| p.max(0) as f64).collect(),
        );
    }
    for (name, totals) in &m.counters {
        push_count(
            Measure::Custom(name.clone()),
            Unit::Count,
            per_op(totals.iter().map(|&t| t as f64).collect()),
        );
    }
    // `ns_per_iter` is per operation; bytes and elements were declared per iteration.
    let operations = m.operations_per_iter.max(1) as f64;
    let rate = |per_iter: u64| -> Vec<f64> {
        m.ns_per_iter
            .iter()
            .map(|&ns| per_iter as f64 / operations * 1e9 / ns.max(1e-3))
            .collect()
    };
    if m.operations_per_iter > 1 {
        labels.insert(
            "operations_per_iteration".into(),
            m.operations_per_iter.to_string(),
        );
    }
    if let Some(bytes) = m.bytes_per_iter
        && let Some(metric) = Metric::from_samples(
            Measure::BytesPerSecond,
            Unit::BytesPerSecond,
            Direction::HigherIsBetter,
            rate(bytes),
        )
    {
        labels.insert("bytes_per_iteration".into(), bytes.to_string());
        metrics.push(metric);
    }
    if let Some(elements) = m.elements_per_iter
        && let Some(metric) = Metric::from_samples(
            Measure::Throughput,
            Unit::PerSecond,
            Direction::HigherIsBetter,
            rate(elements),
        )
    {
        labels.insert("elements_per_iteration".into(), elements.to_string());
        metrics.push(metric);
    }
    let outliers = Outliers::of(&m.ns_per_iter);
    if outliers.total() > 0 {
        let parts: Vec<String> = [
            (outliers.low_severe, "low severe"),
            (outliers.low_mild, "low mild"),
            (outliers.high_mild, "high mild"),
            (outliers.high_severe, "high severe"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, kind)| format!("{n} {kind}"))
        .collect();
        labels.insert(
            "outliers".into(),
            format!(
                "{} of {} samples: {}",
                outliers.total(),
                m.ns_per_iter.len(),
                parts.join(", ")
            ),
        );
    }
    if let Some(planned) = m.cut_short {
        labels.insert(
            "cut_short".into(),
            format!(
                "{} of {planned} samples: the measurement passed 1.5 × its time",
                m.ns_per_iter.len()
            ),
        );
    }
    labels.insert(
        "warm_up".into(),
        format!(
            "{} iterations in {} ns",
            m.warm_up.0,
            m.warm_up.1.as_nanos()
        ),
    );
    Benchmark {
        mode: None,
        name,
        params,
        labels,
        command: None,
        status: Status::Ok,
        metrics,
        series: Vec::new(),
    }
}
