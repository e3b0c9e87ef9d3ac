//! Whether a run has a failed benchmark: asked in one place (`Run::any_failed`) by every caller
//! that turns a failed benchmark into a failed command.

use benchgate_model::{Benchmark, Environment, Mode, Provenance, Run, Source, Status};
use time::macros::datetime;

fn bench(name: &str, status: Status) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: None,
        status,
        metrics: Vec::new(),
        series: Vec::new(),
    }
}

fn run_of(statuses: Vec<Status>) -> Run {
    let mut run = Run::new(
        Source::Ingest("go".into()),
        datetime!(2026-11-24 10:00:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        Environment::default(),
    );
    for (i, status) in statuses.into_iter().enumerate() {
        run.benchmarks.push(bench(&format!("b{i}"), status));
    }
    run
}

#[test]
fn a_run_has_failed_only_when_a_benchmark_failed() {
    let failed = || Status::Failed {
        message: "exit status 1".into(),
    };
    let skipped = || Status::Skipped {
        reason: "not set".into(),
    };
    assert!(!run_of(vec![]).any_failed());
    assert!(!run_of(vec![Status::Ok, skipped()]).any_failed());
    assert!(run_of(vec![Status::Ok, failed(), skipped()]).any_failed());
    assert!(run_of(vec![failed()]).any_failed());

    assert!(bench("x", failed()).failed());
    assert!(!bench("x", skipped()).failed());
    assert!(!bench("x", Status::Ok).failed());
}
