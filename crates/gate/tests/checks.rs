//! `[[check]]`s judged against a run: each one verdict, the outcome decided with them, values
//! read from metrics or from a load level's numeric labels, a skipped benchmark skipping the
//! check and a missing one failing it.

mod common;

use benchgate_gate::{Check, CompareOptions, apply_checks, check_results, judge_without_baseline};
use benchgate_model::{
    CheckStatus, Direction, Measure, Metric, Outcome, Severity, Status, Unit, VerdictKind,
};
use common::{bench, run};

fn wall(ms: f64) -> Metric {
    // One sample: the median is exact.
    Metric::from_samples(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        vec![ms * 1e6],
    )
    .unwrap()
}

fn throughput(per_s: f64) -> Metric {
    Metric::from_samples(
        Measure::Throughput,
        Unit::PerSecond,
        Direction::HigherIsBetter,
        vec![per_s],
    )
    .unwrap()
}

#[test]
fn each_check_is_one_verdict_and_decides_the_outcome() {
    let current = run(vec![
        bench("restore/cold", vec![wall(120.0)]),
        bench("restore/warm", vec![wall(2.0)]),
    ]);
    let holds = Check::new("fast", r#""restore/cold" / "restore/warm" >= 50"#).unwrap();
    let breaks = Check::new("faster", r#""restore/cold" / "restore/warm" >= 100"#).unwrap();
    let mut comparison = judge_without_baseline(&current, "run", &CompareOptions::default());
    let before = comparison.verdicts.len();
    apply_checks(&mut comparison, &[holds.clone(), breaks.clone()], &current);
    assert_eq!(comparison.verdicts.len(), before + 2);
    let fast = &comparison.verdicts[before];
    assert_eq!(fast.benchmark, "fast");
    assert_eq!(fast.measure.as_str(), "check");
    assert_eq!(fast.kind, VerdictKind::CheckPassed);
    assert_eq!(fast.current.as_ref().map(|s| s.median), Some(60.0));
    let faster = &comparison.verdicts[before + 1];
    assert_eq!(faster.kind, VerdictKind::CheckFailed);
    assert_eq!(faster.severity, Some(Severity::Fail));
    assert_eq!(faster.direction, Direction::HigherIsBetter);
    assert_eq!(comparison.outcome, Outcome::Failed);
    assert_eq!(comparison.checks[1].value, Some(60.0));
    assert_eq!(comparison.checks[1].bound, Some(100.0));
    assert_eq!(comparison.checks[1].headroom_percent, Some(-40.0));
    // A check that only warns.
    let mut comparison = judge_without_baseline(&current, "run", &CompareOptions::default());
    let warn = Check {
        severity: Severity::Warn,
        ..breaks
    };
    apply_checks(&mut comparison, &[holds, warn], &current);
    assert_eq!(comparison.outcome, Outcome::Warned);
    assert_eq!(comparison.checks[1].status, CheckStatus::Warn);
}

#[test]
fn an_upper_bound_reports_its_headroom_below_the_bound() {
    let current = run(vec![bench("commit", vec![wall(40.0)])]);
    let check = Check::new("commit under 50ms", r#""commit" <= 50ms"#).unwrap();
    let [result] = check_results(&[check], &current).try_into().unwrap();
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.unit, Unit::Nanoseconds);
    assert_eq!(result.value, Some(40e6));
    assert_eq!(result.headroom_percent, Some(20.0));
    assert_eq!(result.direction, Direction::LowerIsBetter);
    assert_eq!(
        result.reason,
        "check \"commit under 50ms\": \"commit\" is 40ms, holds ≤ 50ms, headroom 20%"
    );
}

#[test]
fn a_load_level_s_operation_count_label_is_a_value() {
    // A load level's totals: `ops` is a label, `backend_calls` a custom metric.
    let mut level = bench(
        "cleanup/concurrency=4",
        vec![
            throughput(100.0),
            Metric::from_samples(
                Measure::parse("backend_calls"),
                Unit::Count,
                Direction::LowerIsBetter,
                vec![1200.0],
            )
            .unwrap(),
        ],
    );
    level.labels.insert("ops".into(), "400".into());
    level.labels.insert("reached".into(), "yes".into());
    let current = run(vec![level]);
    let per_op = Check::new(
        "calls per op",
        r#""cleanup/concurrency=4".backend_calls / "cleanup/concurrency=4".ops <= 3"#,
    )
    .unwrap();
    let [result] = check_results(&[per_op], &current).try_into().unwrap();
    assert_eq!(result.value, Some(3.0));
    assert_eq!(result.status, CheckStatus::Pass);
    // A measure it has neither as a metric nor as a number: the error lists what it has.
    let missing = Check::new("x", r#""cleanup/concurrency=4".retries < 1"#).unwrap();
    let [result] = check_results(&[missing], &current).try_into().unwrap();
    assert_eq!(result.status, CheckStatus::Error);
    assert!(
        result.reason.contains(
            "\"cleanup/concurrency=4\" has no retries (it has: throughput, backend_calls, ops)"
        ),
        "{}",
        result.reason
    );
}

#[test]
fn a_skipped_benchmark_skips_the_check_and_a_missing_one_fails_it() {
    let mut skipped = bench("helios/commit", vec![]);
    skipped.status = Status::Skipped {
        reason: "requires: environment variable HELIOS_CLI_PATH is not set".into(),
    };
    let current = run(vec![skipped, bench("helios/restore", vec![wall(10.0)])]);
    let checks = [
        Check::new(
            "commit vs restore",
            r#""helios/commit" / "helios/restore" < 5"#,
        )
        .unwrap(),
        Check::new("typo", r#""helios/restor" < 25ms"#).unwrap(),
    ];
    let mut comparison = judge_without_baseline(&current, "run", &CompareOptions::default());
    apply_checks(&mut comparison, &checks, &current);
    assert_eq!(comparison.checks[0].status, CheckStatus::Skipped);
    assert_eq!(
        comparison.checks[0].reason,
        "check \"commit vs restore\" not evaluated: \"helios/commit\" was skipped (requires: \
         environment variable HELIOS_CLI_PATH is not set); \"helios/commit\" / \"helios/restore\" < 5"
    );
    let kinds: Vec<VerdictKind> = comparison
        .verdicts
        .iter()
        .filter(|v| v.is_check())
        .map(|v| v.kind)
        .collect();
    assert_eq!(kinds, [VerdictKind::Skipped, VerdictKind::CheckError]);
    assert_eq!(
        comparison.checks[1].reason,
        "check \"typo\" cannot be evaluated: no benchmark named \"helios/restor\" (did you mean \
         \"helios/restore\"?); \"helios/restor\" < 25ms"
    );
    assert_eq!(comparison.outcome, Outcome::Failed);
}
