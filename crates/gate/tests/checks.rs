//! `[[check]]`s judged against a run: each one verdict, the outcome decided with them, values
//! read from metrics or from a load level's numeric labels, a skipped benchmark skipping the
//! check and a missing one failing it; families and single benchmarks chosen by a selection in
//! benchstat's filter language, and a check's `filter`.

mod common;

use benchgate_gate::{Check, CompareOptions, apply_checks, check_results, judge_without_baseline};
use benchgate_model::{
    Benchmark, CheckResult, CheckStatus, Direction, Measure, Metric, Outcome, Run, Severity,
    Source, Status, Unit, VerdictKind,
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

/// A benchmark with its name's `key=value` parts as parameters (as every source sets them).
fn with_params(name: &str, metrics: Vec<Metric>) -> Benchmark {
    let mut b = bench(name, metrics);
    for part in name.split('/').skip(1) {
        if let Some((k, v)) = part.split_once('=') {
            b.params.insert(k.into(), v.into());
        }
    }
    b
}

/// `steps/mode=fast/n=N` (2 ms + 1 ms per step: a line) and `steps/mode=slow/n=N` (N² ms),
/// N = 1, 2, 4, 8, and a `restore` that is neither.
fn steps_run() -> Run {
    let mut benchmarks = Vec::new();
    for n in [1.0, 2.0, 4.0, 8.0] {
        benchmarks.push(with_params(
            &format!("steps/mode=fast/n={n}"),
            vec![wall(2.0 + n)],
        ));
        benchmarks.push(with_params(
            &format!("steps/mode=slow/n={n}"),
            vec![wall(n * n)],
        ));
    }
    benchmarks.push(bench("restore", vec![wall(5.0)]));
    run(benchmarks)
}

fn one(check: Check, current: &Run) -> CheckResult {
    let [result] = check_results(&[check], current).try_into().unwrap();
    result
}

fn check(name: &str, expr: &str) -> Check {
    Check::new(name, expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

#[test]
fn fits_over_a_selection_order_by_a_parameter() {
    let current = steps_run();
    let fast = "{.name:steps /mode:fast}";
    let slow = "{.name:steps /mode:slow}";
    // slope: 1 ms per step holds ≤ 1.2ms; the quadratic family's 9.26 ms does not.
    let result = one(
        check("slope", &format!("slope({fast}, by: /n) <= 1.2ms")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(1e6));
    assert_eq!(
        result.reason,
        "check \"slope\": slope({.name:steps /mode:fast}, by: /n) is 1ms, holds ≤ 1.2ms, \
         headroom 16.7%; slope({.name:steps /mode:fast}, by: /n) = 1ms (4 benchmarks, parameter \
         1…8; slope 1ms per unit, intercept 2ms, r² 1, largest residual 0%)"
    );
    let result = one(
        check("slope", &format!("slope({slow}, by: /n) <= 1.2ms")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Fail);
    // In ms: Sxx = 28.75, Sxy = 266.25.
    let slope = 266.25 / 28.75 * 1e6;
    assert!((result.value.unwrap() - slope).abs() < 1e-6, "{result:?}");
    // r2: 1 for the line; Sxy² / (Sxx · Syy) = 0.9621… for the squares.
    let result = one(
        check("r2", &format!("r2({fast}, wall_time, by: /n) >= 0.98")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(1.0));
    let result = one(
        check("r2", &format!("r2({slow}, wall_time, by: /n) >= 0.98")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Fail);
    let r2 = 266.25f64.powi(2) / (28.75 * 2562.75);
    assert!((result.value.unwrap() - r2).abs() < 1e-12, "{result:?}");
    assert!(
        result.reason.starts_with(
            "check \"r2\": r2({.name:steps /mode:slow}, wall_time, by: /n) is 0.962, breaks ≥ \
             0.98, headroom -1.8%; "
        ),
        "{}",
        result.reason
    );
    // residual: 0 off the line; the squares' n = 1 point is 522 % off.
    let result = one(
        check("residual", &format!("residual({fast}, by: /n) <= 10%")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(0.0));
    let result = one(
        check("residual", &format!("residual({slow}, by: /n) <= 10%")),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Fail);
    let at_one = 21.25 - 266.25 / 28.75 * 2.75;
    assert!(
        (result.value.unwrap() - (1.0 - at_one)).abs() < 1e-9,
        "{result:?}"
    );
    // The same selection written with a regular expression and a value list.
    let result = one(
        check(
            "slope",
            "slope({.fullname:/^steps/ /mode:(fast OR quick)}, by: /n) <= 1.2ms",
        ),
        &current,
    );
    assert_eq!(result.value, Some(1e6));
}

/// `go test -cpu 1,2,4` of `Encode` on linux and of `Decode` on darwin, ingested: Go writes no
/// `-N` suffix at GOMAXPROCS 1, so the bare name has no `/procs`.
fn go_cpu_run(encode: [f64; 3], decode: [f64; 3]) -> Run {
    let mut benchmarks = Vec::new();
    for (name, goos, values) in [("Encode", "linux", encode), ("Decode", "darwin", decode)] {
        for (procs, value) in [1, 2, 4].into_iter().zip(values) {
            let mut b = bench(
                &if procs == 1 {
                    name.to_string()
                } else {
                    format!("{name}-{procs}")
                },
                vec![throughput(value)],
            );
            if procs > 1 {
                b.params.insert("procs".into(), procs.to_string());
            }
            b.labels.insert("goos".into(), goos.into());
            benchmarks.push(b);
        }
    }
    let mut current = run(benchmarks);
    current.source = Source::Ingest("go".into());
    current
}

#[test]
fn efficiency_over_a_selection_by_gomaxprocs_and_labels() {
    // Encode: 1000, 1900, 3200 per second (0.95 at 2, 0.8 at 4); Decode: 1000, 1500, 2000.
    let current = go_cpu_run([1000.0, 1900.0, 3200.0], [1000.0, 1500.0, 2000.0]);
    let result = one(
        check(
            "encode",
            "efficiency({.name:Encode}, throughput, by: /procs) >= 0.7",
        ),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(0.8));
    assert_eq!(
        result.reason,
        "check \"encode\": efficiency({.name:Encode}, throughput, by: /procs) is 0.8, holds ≥ \
         0.7, headroom 14.3%; efficiency({.name:Encode}, throughput, by: /procs) = 0.8 (3 \
         benchmarks, parameter 1…4; lowest at 4 against 1 (higher is better))"
    );
    // Selected by a label: Go's configuration line `goos: darwin`.
    let result = one(
        check(
            "darwin",
            "efficiency({goos:darwin}, throughput, by: /procs) >= 0.7",
        ),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Fail);
    assert_eq!(result.value, Some(0.5));
    let result = one(
        check(
            "linux",
            "efficiency({goos:linux}, throughput, by: /procs) >= 0.7",
        ),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    // One benchmark by label and parameter.
    let result = one(
        check("one", "{goos:linux /procs:4}.throughput >= 3k/s"),
        &current,
    );
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(3200.0));
    // Outside Go input a missing /procs is missing.
    let mut command = current.clone();
    command.source = Source::Command;
    let result = one(
        check(
            "encode",
            "efficiency({.name:Encode}, throughput, by: /procs) >= 0.7",
        ),
        &command,
    );
    assert_eq!(result.status, CheckStatus::Error);
    assert_eq!(
        result.reason,
        "check \"encode\" cannot be evaluated: efficiency({.name:Encode}, by: /procs): \
         \"Encode\" has no /procs to order by; efficiency({.name:Encode}, throughput, by: \
         /procs) >= 0.7"
    );
}

#[test]
fn a_selection_that_matches_nothing_or_too_much_is_an_error_verdict() {
    let current = steps_run();
    let mut comparison = judge_without_baseline(&current, "run", &CompareOptions::default());
    let checks = [
        check("none", "r2({.name:stesp}, by: /n) >= 0.98"),
        check("several", "{/mode:fast} < 10ms"),
        check("one", "{.name:restore} < 10ms"),
    ];
    apply_checks(&mut comparison, &checks, &current);
    let statuses: Vec<CheckStatus> = comparison.checks.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [CheckStatus::Error, CheckStatus::Error, CheckStatus::Pass]
    );
    assert_eq!(
        comparison.checks[0].reason,
        "check \"none\" cannot be evaluated: r2({.name:stesp}, by: /n) matches no benchmark; \
         r2({.name:stesp}, by: /n) >= 0.98"
    );
    assert_eq!(
        comparison.checks[1].reason,
        "check \"several\" cannot be evaluated: {/mode:fast} must match exactly one benchmark, \
         matches 4: \"steps/mode=fast/n=1\", \"steps/mode=fast/n=2\", \"steps/mode=fast/n=4\", \
         \"steps/mode=fast/n=8\"; {/mode:fast} < 10ms"
    );
    assert_eq!(comparison.outcome, Outcome::Failed);
}

#[test]
fn a_check_s_filter_restricts_what_it_reads() {
    let current = go_cpu_run([1000.0, 1900.0, 3200.0], [1000.0, 1500.0, 2000.0]);
    // `{*}` is every benchmark the filter keeps: here Encode's three levels.
    let linux = check("linux", "efficiency({*}, throughput, by: /procs) >= 0.7")
        .with_filter("goos:linux")
        .unwrap();
    let result = one(linux, &current);
    assert_eq!(result.status, CheckStatus::Pass);
    assert_eq!(result.value, Some(0.8));
    assert_eq!(
        result.reason,
        "check \"linux\" (filter \"goos:linux\"): efficiency({*}, throughput, by: /procs) is \
         0.8, holds ≥ 0.7, headroom 14.3%; efficiency({*}, throughput, by: /procs) = 0.8 (3 \
         benchmarks, parameter 1…4; lowest at 4 against 1 (higher is better))"
    );
    // Quoted names and patterns read only what it keeps, and say so.
    let excluded = check("excluded", r#""Decode-4" / "Encode-4" < 1"#)
        .with_filter("goos:linux")
        .unwrap();
    assert_eq!(
        one(excluded, &current).reason,
        "check \"excluded\" (filter \"goos:linux\") cannot be evaluated: \"Decode-4\" is left \
         out by the check's filter; \"Decode-4\" / \"Encode-4\" < 1"
    );
    let pattern = check("pattern", r#"efficiency("Decode", throughput) >= 0.1"#)
        .with_filter("-goos:darwin")
        .unwrap();
    assert_eq!(
        one(pattern, &current).reason,
        "check \"pattern\" (filter \"-goos:darwin\") cannot be evaluated: efficiency(\"Decode\") \
         matches no benchmark; efficiency(\"Decode\", throughput) >= 0.1"
    );
    // A filter in error is refused where it goes wrong.
    let error = check("x", "{*} > 0")
        .with_filter("goos:(linux")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "at character 12: expected OR or ) in a value list"
    );
}

#[test]
fn selections_and_keys_are_parsed_when_the_check_is_made() {
    let error = |expr: &str| Check::new("x", expr).unwrap_err();
    let e = error("r2({.name:steps .nme:x}, by: /n) >= 1");
    assert_eq!(e.column, 17);
    assert_eq!(e.offset, 16);
    assert_eq!(
        e.message,
        "in the selection {.name:steps .nme:x}: unknown key \".nme\": expected .name, .fullname, \
         .file, .config, .unit, .measure, /PARAM or a label"
    );
    let e = error("r2({.name:steps}, by: .name) >= 1");
    assert_eq!(e.column, 23);
    assert_eq!(
        e.message,
        "by: .name: expected a parameter (/n) or a label (concurrency) whose values are numbers, \
         found .name"
    );
    let e = error("{.file:a.json} > 1");
    assert_eq!(e.column, 2);
    assert_eq!(
        e.message,
        "in the selection {.file:a.json}: .file names an input of compare or report; a check \
         reads one run"
    );
}
