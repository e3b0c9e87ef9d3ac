//! Pooling several stored runs into one baseline (`window:N`): more samples, and machine drift
//! between runs becomes part of the baseline's spread instead of a false change.

use benchgate_model::{Benchmark, Metric, Run, Status, Summary};

/// Merges `runs` (newest first) into one run: the header of the newest, and for every benchmark
/// that is `ok` somewhere, each measure's samples from all runs that have it, in run order.
/// `None` when there are no runs.
pub fn pool_runs(runs: &[Run]) -> Option<Run> {
    let newest = runs.first()?;
    let mut pooled = newest.clone_header();
    for run in runs {
        for bench in run.benchmarks.iter().filter(|b| b.status == Status::Ok) {
            let target = match pooled.benchmarks.iter().position(|b| b.name == bench.name) {
                Some(i) => &mut pooled.benchmarks[i],
                None => {
                    pooled.benchmarks.push(Benchmark {
                        metrics: Vec::new(),
                        ..bench.clone()
                    });
                    let last = pooled.benchmarks.len() - 1;
                    &mut pooled.benchmarks[last]
                }
            };
            for metric in &bench.metrics {
                match target
                    .metrics
                    .iter_mut()
                    .find(|m| m.measure == metric.measure)
                {
                    Some(existing) => append(existing, metric),
                    None => target.metrics.push(metric.clone()),
                }
            }
        }
    }
    for metric in pooled
        .benchmarks
        .iter_mut()
        .flat_map(|b| b.metrics.iter_mut())
    {
        if let Some(summary) = Summary::of(&metric.samples) {
            metric.summary = summary;
        }
    }
    Some(pooled)
}

fn append(into: &mut Metric, from: &Metric) {
    // Iteration counts only stay meaningful if every pooled metric has them.
    into.iterations = match (into.iterations.take(), &from.iterations) {
        (Some(mut a), Some(b)) => {
            a.extend_from_slice(b);
            Some(a)
        }
        _ => None,
    };
    into.samples.extend_from_slice(&from.samples);
    into.exact |= from.exact;
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchgate_model::{Direction, Environment, Measure, Provenance, Source, Unit};

    fn run(values: &[(&str, Vec<f64>)]) -> Run {
        let mut run = Run::new(
            Source::Command,
            time::OffsetDateTime::UNIX_EPOCH,
            Provenance::default(),
            Environment::default(),
        );
        for (name, samples) in values {
            run.benchmarks.push(Benchmark {
                mode: None,
                name: (*name).into(),
                params: Default::default(),
                labels: Default::default(),
                command: None,
                status: Status::Ok,
                metrics: vec![
                    Metric::from_samples(
                        Measure::WallTime,
                        Unit::Nanoseconds,
                        Direction::LowerIsBetter,
                        samples.clone(),
                    )
                    .unwrap(),
                ],
                series: Vec::new(),
            });
        }
        run
    }

    #[test]
    fn pools_samples_of_matching_benchmarks() {
        let newest = run(&[("a", vec![1.0, 2.0]), ("b", vec![10.0])]);
        let mut failed = run(&[("b", vec![99.0])]);
        failed.benchmarks[0].status = Status::Failed {
            message: "x".into(),
        };
        let older = run(&[("a", vec![3.0]), ("c", vec![5.0])]);
        let pooled = pool_runs(&[newest.clone(), failed, older]).unwrap();
        assert_eq!(pooled.id, newest.id);
        let names: Vec<&str> = pooled.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let a = &pooled.benchmarks[0].metrics[0];
        assert_eq!(a.samples, [1.0, 2.0, 3.0]);
        assert_eq!(a.summary.median, 2.0);
        assert_eq!(a.summary.n, 3);
        // The failed run's sample is not pooled.
        assert_eq!(pooled.benchmarks[1].metrics[0].samples, [10.0]);
        assert_eq!(pool_runs(&[]), None);
    }
}
