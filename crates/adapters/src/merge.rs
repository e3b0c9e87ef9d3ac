//! Pooling several inputs into one run: the same benchmark in several files (repeated runs of one
//! harness) becomes one benchmark whose metrics hold every file's samples, in file order.

use std::collections::HashMap;

use benchgate_model::{Benchmark, Metric, Mode, Status, Summary};
use thiserror::Error;

use crate::Parsed;
use crate::collect::worse_status;

/// Why inputs cannot be pooled: the same benchmark and measure disagree on unit or direction.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct MergeError(String);

/// Pools `inputs` (each with a label naming where it came from, for errors) into one.
///
/// Benchmarks keep the order they are first seen in. A benchmark in several inputs gets every
/// input's samples per measure; iterations are kept when every input has them. Its status is the
/// worst one seen (failed over skipped over ok), params and labels are united (the first value
/// of a key wins). The context takes each fact from the first input that has it; tags are united.
pub fn merge(inputs: Vec<(String, Parsed)>) -> Result<Parsed, MergeError> {
    let mut out = Parsed::default();
    let mut index: HashMap<String, (usize, String)> = HashMap::new();
    for (label, parsed) in inputs {
        merge_context(&mut out.context, parsed.context);
        for bench in parsed.benchmarks {
            match index.get(&bench.name) {
                None => {
                    index.insert(bench.name.clone(), (out.benchmarks.len(), label.clone()));
                    out.benchmarks.push(bench);
                }
                Some((i, first)) => {
                    let first = first.clone();
                    if let Some(into) = out.benchmarks.get_mut(*i) {
                        merge_benchmark(into, bench, &first, &label)?;
                    }
                }
            }
        }
    }
    Ok(out)
}

fn merge_benchmark(
    into: &mut Benchmark,
    from: Benchmark,
    first: &str,
    second: &str,
) -> Result<(), MergeError> {
    into.status = worse_status(std::mem::replace(&mut into.status, Status::Ok), from.status);
    for (k, v) in from.params {
        into.params.entry(k).or_insert(v);
    }
    for (k, v) in from.labels {
        into.labels.entry(k).or_insert(v);
    }
    if into.command.is_none() {
        into.command = from.command;
    }
    for metric in from.metrics {
        match into
            .metrics
            .iter_mut()
            .find(|m| m.measure == metric.measure)
        {
            None => into.metrics.push(metric),
            Some(existing) => {
                if existing.unit != metric.unit {
                    return Err(MergeError(format!(
                        "{second}: {} / {} is in {} but {first} has it in {}",
                        into.name, metric.measure, metric.unit, existing.unit
                    )));
                }
                if existing.direction != metric.direction {
                    return Err(MergeError(format!(
                        "{second}: {} / {} is better the other way round than in {first}",
                        into.name, metric.measure
                    )));
                }
                append(existing, metric);
            }
        }
    }
    Ok(())
}

fn append(into: &mut Metric, from: Metric) {
    into.iterations = match (into.iterations.take(), from.iterations) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            Some(a)
        }
        _ => None,
    };
    into.exact &= from.exact;
    into.samples.extend(from.samples);
    if let Some(summary) = Summary::of(&into.samples) {
        into.summary = summary;
    }
}

fn merge_context(into: &mut crate::Context, from: crate::Context) {
    macro_rules! first {
        ($($field:ident),*) => { $( if into.$field.is_none() { into.$field = from.$field; } )* };
    }
    first!(
        hostname,
        os,
        kernel,
        arch,
        cpu_model,
        logical_cores,
        memory_bytes,
        commit,
        branch,
        dirty,
        merge_base,
        started_at,
        source
    );
    // One simulated input makes the pooled run simulated.
    into.mode = match (into.mode, from.mode) {
        (Some(Mode::Simulated), _) | (_, Some(Mode::Simulated)) => Some(Mode::Simulated),
        (a, b) => a.or(b),
    };
    // The run ends when its last input does.
    into.ended_at = match (into.ended_at, from.ended_at) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    for (k, v) in from.tags {
        into.tags.entry(k).or_insert(v);
    }
}

#[cfg(test)]
mod tests {
    use benchgate_model::{Direction, Measure, Unit};

    use super::*;

    fn bench(name: &str, samples: &[f64], iterations: Option<Vec<u64>>) -> Benchmark {
        let mut metric = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples.to_vec(),
        )
        .unwrap();
        metric.iterations = iterations;
        Benchmark {
            mode: None,
            name: name.into(),
            params: Default::default(),
            labels: Default::default(),
            command: None,
            status: Status::Ok,
            metrics: vec![metric],
            series: Vec::new(),
        }
    }

    fn parsed(benchmarks: Vec<Benchmark>) -> Parsed {
        Parsed {
            benchmarks,
            context: Default::default(),
        }
    }

    #[test]
    fn the_same_benchmark_in_several_inputs_pools_its_samples() {
        let a = parsed(vec![
            bench("x", &[1.0, 2.0], Some(vec![10, 10])),
            bench("y", &[5.0], None),
        ]);
        let b = parsed(vec![
            bench("z", &[7.0], None),
            bench("x", &[3.0], Some(vec![20])),
        ]);
        let merged = merge(vec![("a".into(), a), ("b".into(), b)]).unwrap();
        let names: Vec<&str> = merged.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["x", "y", "z"]);
        let x = &merged.benchmarks[0].metrics[0];
        assert_eq!(x.samples, [1.0, 2.0, 3.0]);
        assert_eq!(x.iterations.as_deref(), Some(&[10, 10, 20][..]));
        assert_eq!(x.summary.n, 3);
        assert_eq!(x.summary.median, 2.0);
    }

    #[test]
    fn a_unit_mismatch_names_both_inputs() {
        let a = parsed(vec![bench("x", &[1.0], None)]);
        let mut other = bench("x", &[1.0], None);
        other.metrics[0].unit = Unit::Bytes;
        let err = merge(vec![
            ("a.txt".into(), a),
            ("b.txt".into(), parsed(vec![other])),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.txt: x / wall_time is in B but a.txt has it in ns"
        );
    }
}
