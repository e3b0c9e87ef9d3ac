//! Every format of a fixed comparison and run, pinned by snapshots.

use benchgate_gate::{CompareOptions, compare_runs, compare_within_run};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use benchgate_report::{Format, Json, Junit, Markdown, Terminal};
use time::macros::datetime;
use uuid::Uuid;

fn samples(center: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| center * (0.98 + 0.04 * ((i * 7) % n) as f64 / n as f64))
        .collect()
}

fn bench(name: &str, wall: f64, rss: f64) -> Benchmark {
    let metric = |measure, unit, center| {
        Metric::from_samples(measure, unit, Direction::LowerIsBetter, samples(center, 12)).unwrap()
    };
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: Some(format!("./{name}")),
        status: Status::Ok,
        metrics: vec![
            metric(Measure::WallTime, Unit::Nanoseconds, wall),
            metric(Measure::MaxRss, Unit::Bytes, rss),
        ],
    }
}

fn run(id: u128, mode: Mode, benchmarks: Vec<Benchmark>) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode,
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: Some(false),
            ..Default::default()
        },
        Environment {
            os: "linux".into(),
            cpu_model: "test".into(),
            ..Default::default()
        }
        .with_fingerprint(),
    );
    run.id = Uuid::from_u128(id);
    run.benchmarks = benchmarks;
    run
}

fn comparison() -> benchgate_model::Comparison {
    let base = run(
        1,
        Mode::Real,
        vec![
            bench("parse", 1_718.0, 3.0 * 1024.0 * 1024.0),
            bench("compress", 20_150_000.0, 8.0 * 1024.0 * 1024.0),
            bench("render", 1.5e9, 64.0 * 1024.0 * 1024.0),
            bench("gone", 1e6, 1e6),
        ],
    );
    let mut skipped = bench("helios/commit", 1.0, 1.0);
    skipped.status = Status::Skipped {
        reason: "HELIOS_CLI_PATH is not set".into(),
    };
    skipped.metrics.clear();
    let current = run(
        2,
        Mode::Real,
        vec![
            bench("parse", 1_423.0, 3.0 * 1024.0 * 1024.0),
            bench("compress", 23_000_000.0, 8.0 * 1024.0 * 1024.0),
            bench("render", 1.57e9, 64.0 * 1024.0 * 1024.0),
            bench("fresh", 5e5, 1e6),
            skipped,
        ],
    );
    compare_runs(
        &base,
        "base.json",
        &current,
        "head.json",
        &CompareOptions::default(),
    )
}

#[test]
fn terminal_comparison() {
    insta::assert_snapshot!(Terminal { color: false }.comparison(&comparison()));
}

#[test]
fn markdown_comparison() {
    insta::assert_snapshot!(Markdown.comparison(&comparison()));
}

#[test]
fn json_comparison_round_trips() {
    let c = comparison();
    let text = Json.comparison(&c);
    assert_eq!(
        benchgate_model::Comparison::from_json(text.as_bytes()).unwrap(),
        c
    );
}

#[test]
fn terminal_and_markdown_run() {
    let r = run(
        3,
        Mode::Simulated,
        vec![bench("a", 1e6, 1e6), bench("b", 1.5e6, 2e6)],
    );
    let verdicts = compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default());
    insta::assert_snapshot!("terminal_run", Terminal { color: false }.run(&r, &verdicts));
    insta::assert_snapshot!("markdown_run", Markdown.run(&r, &verdicts));
}

#[test]
fn colour_marks_failures_red() {
    let text = Terminal { color: true }.comparison(&comparison());
    assert!(text.contains("\x1b[1;31mFAIL\x1b[0m"), "{text}");
    assert!(
        !Terminal { color: false }
            .comparison(&comparison())
            .contains('\x1b')
    );
}

#[test]
fn junit_comparison() {
    insta::assert_snapshot!(Junit.comparison(&comparison()));
}
