//! Builders shared by the gate's tests: a benchmark, a real command run holding benchmarks, and
//! a judgement with a chosen effect, interval and p-value.

#![allow(dead_code)]

use benchgate_gate::MetricJudgement;
use benchgate_model::{
    Benchmark, Direction, Effect, Environment, Interval, Metric, Mode, Provenance, Run, Source,
    Status, Unit,
};
use time::macros::datetime;

pub fn bench(name: &str, metrics: Vec<Metric>) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: None,
        status: Status::Ok,
        metrics,
        series: Vec::new(),
    }
}

/// A real run of the `command` source with these benchmarks, on a default environment.
pub fn run(benchmarks: Vec<Benchmark>) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-12-06 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        Environment::default(),
    );
    run.benchmarks = benchmarks;
    run
}

/// A judgement of 20 against 20 samples with a chosen effect, interval and p-value.
pub fn judged(ratio: f64, ci: Option<(f64, f64)>, p: f64, direction: Direction) -> MetricJudgement {
    MetricJudgement {
        direction,
        unit: Unit::Nanoseconds,
        exact: false,
        effect: Some(Effect {
            ratio,
            delta: (ratio - 1.0) * 1e6,
            ci: ci.map(|(lo, hi)| Interval {
                lo,
                hi,
                confidence: 0.95,
            }),
        }),
        p_value: Some(p),
        insufficient: None,
        sizes: (20, 20),
        caveats: Vec::new(),
    }
}
