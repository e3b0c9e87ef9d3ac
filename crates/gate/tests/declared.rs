//! A declared baseline (SPEC §7.3) is judged by thresholds on its value only: exact verdicts and
//! reasons, never a p-value.

mod common;

use common::bench;

use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{
    Comparison, DeclaredBounds, Direction, Measure, Metric, Outcome, Run, Severity, Source,
    Thresholds, Unit, VerdictKind,
};

const NOTE: &str = "(declared baseline: judged by thresholds on its value, no significance test)";

fn metric(measure: Measure, unit: Unit, direction: Direction, values: &[f64]) -> Metric {
    Metric::from_samples(measure, unit, direction, values.to_vec()).unwrap()
}

fn wall(values: &[f64]) -> Metric {
    metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        values,
    )
}

/// A declared run: `index` wall_time 500 ms with `bounds`.
fn declared(bounds: DeclaredBounds) -> Run {
    let mut b = bench("index", vec![wall(&[500e6])]);
    bounds.write(&Measure::WallTime, &mut b.labels);
    let mut run = common::run(vec![b]);
    run.source = Source::Declared;
    run.environment.fingerprint = "declared".into();
    run
}

fn judge(baseline: &Run, current_ms: &[f64], warn: f64, fail: f64) -> Comparison {
    let values: Vec<f64> = current_ms.iter().map(|ms| ms * 1e6).collect();
    let mut current = common::run(vec![bench("index", vec![wall(&values)])]);
    current.environment.fingerprint = "this-machine".into();
    let options = CompareOptions {
        thresholds: Thresholds {
            warn,
            fail,
            ..Thresholds::default()
        },
        ..CompareOptions::default()
    };
    compare_runs(baseline, "main", &current, "current", &options)
}

#[test]
fn fifteen_percent_slower_warns_at_a_ten_percent_warn_and_fails_at_a_ten_percent_fail() {
    let baseline = declared(DeclaredBounds::default());
    let c = judge(&baseline, &[570.0, 575.0, 580.0], 0.10, 0.20);
    let v = &c.verdicts[0];
    assert_eq!(v.kind, VerdictKind::Regressed);
    assert_eq!(v.severity, Some(Severity::Warn));
    assert_eq!(
        v.reason,
        format!("+15.0% against the declared 500ms reaches the 10% warn threshold {NOTE}")
    );
    assert_eq!((v.p_value, v.q_value), (None, None));
    assert!((v.effect.unwrap().ratio - 1.15).abs() < 1e-12);
    assert!(v.effect.unwrap().ci.is_none());
    assert_eq!(c.outcome, Outcome::Warned);
    // The baseline says what it is; a declared run comes from no machine to warn about.
    assert_eq!(c.baseline.as_ref().unwrap().label, "declared baseline main");
    assert_eq!(c.baseline.as_ref().unwrap().source, Source::Declared);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);

    let c = judge(&baseline, &[570.0, 575.0, 580.0], 0.05, 0.10);
    let v = &c.verdicts[0];
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert_eq!(
        v.reason,
        format!("+15.0% against the declared 500ms reaches the 10% fail threshold {NOTE}")
    );
    assert_eq!(c.outcome, Outcome::Failed);
}

#[test]
fn one_current_sample_is_judged_too_since_no_test_needs_more() {
    let baseline = declared(DeclaredBounds::default());
    let v = &judge(&baseline, &[600.0], 0.05, 0.10).verdicts[0];
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert_eq!(v.p_value, None);
}

#[test]
fn a_run_within_the_declared_spread_is_unchanged() {
    let baseline = declared(DeclaredBounds {
        spread: Some(0.08),
        ..DeclaredBounds::default()
    });
    // +6 % is beyond the 5 % warn threshold but within the ±8 % spread.
    let v = &judge(&baseline, &[530.0], 0.05, 0.10).verdicts[0];
    assert_eq!((v.kind, v.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        v.reason,
        format!("+6.0% against the declared 500ms is within its declared ±8% spread {NOTE}")
    );
    // Beyond the spread the thresholds judge.
    let v = &judge(&baseline, &[560.0], 0.05, 0.10).verdicts[0];
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
}

#[test]
fn an_entrys_own_thresholds_come_before_the_gates() {
    let baseline = declared(DeclaredBounds {
        warn: Some(0.20),
        fail: Some(0.30),
        ..DeclaredBounds::default()
    });
    let v = &judge(&baseline, &[575.0], 0.05, 0.10).verdicts[0];
    assert_eq!((v.kind, v.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        v.reason,
        format!("+15.0% against the declared 500ms, within ±20% {NOTE}")
    );
    let v = &judge(&baseline, &[400.0], 0.05, 0.10).verdicts[0];
    assert_eq!((v.kind, v.severity), (VerdictKind::Improved, None));
    assert_eq!(
        v.reason,
        format!("-20.0% against the declared 500ms {NOTE}")
    );
}

#[test]
fn higher_is_better_measures_regress_when_they_fall() {
    let throughput = |v: f64| {
        metric(
            Measure::Throughput,
            Unit::PerSecond,
            Direction::HigherIsBetter,
            &[v],
        )
    };
    let mut baseline = common::run(vec![bench("api", vec![throughput(10_000.0)])]);
    baseline.source = Source::Declared;
    let current = common::run(vec![bench("api", vec![throughput(8_500.0)])]);
    let options = CompareOptions {
        thresholds: Thresholds {
            warn: 0.10,
            fail: 0.20,
            ..Thresholds::default()
        },
        gated_measures: vec![Measure::Throughput],
        ..CompareOptions::default()
    };
    let c = compare_runs(&baseline, "tps", &current, "current", &options);
    let v = &c.verdicts[0];
    assert_eq!(
        (v.kind, v.severity),
        (VerdictKind::Regressed, Some(Severity::Warn))
    );
    assert!(
        v.reason
            .starts_with("-15.0% against the declared 10000/s reaches the 10% warn")
    );
}

#[test]
fn a_declared_value_of_zero_is_insufficient_data() {
    let mut baseline = declared(DeclaredBounds::default());
    baseline.benchmarks[0].metrics[0] = wall(&[0.0]);
    let v = &judge(&baseline, &[500.0], 0.05, 0.10).verdicts[0];
    assert_eq!(v.kind, VerdictKind::InsufficientData);
    assert_eq!(
        v.reason,
        format!("the declared value is 0ns, so a relative change is undefined {NOTE}")
    );
}
