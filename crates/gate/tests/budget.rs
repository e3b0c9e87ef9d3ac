//! Budgets with exact headroom numbers, outcomes and reasons.

mod common;

use common::{bench, run};

use benchgate_gate::{Budget, budget_verdicts, check_budgets, unmatched_budgets};
use benchgate_model::BudgetStatus;
use benchgate_model::{Direction, Measure, Metric, Severity, Status, Unit, VerdictKind};

fn metric(measure: Measure, unit: Unit, direction: Direction, median: f64) -> Metric {
    // Symmetric around the median so the median is exact.
    let samples = vec![median * 0.9, median, median * 1.1];
    Metric::from_samples(measure, unit, direction, samples).unwrap()
}

fn wall(ms: f64) -> Metric {
    metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        ms * 1e6,
    )
}

fn wall_budget(glob: Option<&str>, max_ms: f64) -> Budget {
    Budget {
        bench: glob.map(str::to_string),
        max: Some(max_ms * 1e6),
        ..Budget::new(Measure::WallTime)
    }
}

#[test]
fn max_headroom_and_fail() {
    let current = run(vec![
        bench("helios/commit", vec![wall(40.0)]),
        bench("helios/status", vec![wall(62.5)]),
        bench("other/x", vec![wall(500.0)]),
    ]);
    let checks = check_budgets(&[wall_budget(Some("helios/*"), 50.0)], &current, None);
    assert_eq!(checks.len(), 2, "glob selects the two helios benchmarks");

    let ok = &checks[0];
    assert_eq!(ok.benchmark, "helios/commit");
    assert_eq!(ok.label, "wall_time ≤ 50ms on helios/*");
    assert_eq!(ok.value, Some(40e6));
    assert_eq!(ok.limit, Some(50e6));
    assert_eq!(ok.headroom_percent, Some(20.0));
    assert_eq!(ok.status, BudgetStatus::Ok);

    let broken = &checks[1];
    assert_eq!(broken.status, BudgetStatus::Fail);
    assert_eq!(broken.headroom_percent, Some(-25.0));
    assert_eq!(
        broken.reason,
        "budget #1 wall_time ≤ 50ms on helios/*: helios/status wall_time 62.5ms above max 50ms, headroom -25%"
    );

    let verdicts = budget_verdicts(&checks);
    assert_eq!(verdicts.len(), 1);
    let v = &verdicts[0];
    assert_eq!(v.benchmark, "helios/status");
    assert_eq!(v.kind, VerdictKind::BudgetExceeded);
    assert_eq!(v.severity, Some(Severity::Fail));
    assert!(v.gating);
    assert_eq!(v.reason, broken.reason);
}

#[test]
fn budget_without_glob_applies_to_all_and_equal_is_within() {
    let current = run(vec![
        bench("a", vec![wall(50.0)]),
        bench("b", vec![wall(10.0)]),
    ]);
    let checks = check_budgets(&[wall_budget(None, 50.0)], &current, None);
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].status, BudgetStatus::Ok);
    assert_eq!(checks[0].headroom_percent, Some(0.0));
    assert_eq!(checks[1].headroom_percent, Some(80.0));
    assert_eq!(
        checks[1].reason,
        "budget #1 wall_time ≤ 50ms on *: b wall_time 10ms within max 50ms, headroom 80%"
    );
}

#[test]
fn target_warns_lower_is_better() {
    let current = run(vec![bench("api/get", vec![wall(45.0)])]);
    let budget = Budget {
        target: Some(40e6),
        ..wall_budget(Some("api/*"), 50.0)
    };
    let checks = check_budgets(&[budget], &current, None);
    let c = &checks[0];
    assert_eq!(c.status, BudgetStatus::Warn);
    assert_eq!(c.limit, Some(40e6));
    assert_eq!(c.headroom_percent, Some(-12.5));
    assert_eq!(
        c.reason,
        "budget #1 wall_time ≤ 50ms, target 40ms on api/*: api/get wall_time 45ms above target 40ms, headroom -12.5%"
    );
    let v = budget_verdicts(&checks);
    assert_eq!(v[0].severity, Some(Severity::Warn));
    assert_eq!(v[0].kind, VerdictKind::BudgetExceeded);
}

fn throughput(per_s: f64) -> Metric {
    metric(
        Measure::Throughput,
        Unit::PerSecond,
        Direction::HigherIsBetter,
        per_s,
    )
}

fn throughput_budget() -> Budget {
    Budget {
        bench: Some("api/*".into()),
        target: Some(10000.0),
        min: Some(5000.0),
        ..Budget::new(Measure::Throughput)
    }
}

#[test]
fn throughput_min_and_target() {
    let current = run(vec![
        bench("api/fast", vec![throughput(12000.0)]),
        bench("api/slow", vec![throughput(8000.0)]),
        bench("api/dead", vec![throughput(4000.0)]),
    ]);
    let checks = check_budgets(&[throughput_budget()], &current, None);
    // Fine: headroom against the hard minimum.
    assert_eq!(checks[0].status, BudgetStatus::Ok);
    assert_eq!(checks[0].limit, Some(5000.0));
    assert_eq!(checks[0].headroom_percent, Some(140.0));
    // Below target: warn, headroom against the target.
    assert_eq!(checks[1].status, BudgetStatus::Warn);
    assert_eq!(checks[1].limit, Some(10000.0));
    assert_eq!(checks[1].headroom_percent, Some(-20.0));
    // Below the minimum: fail.
    assert_eq!(checks[2].status, BudgetStatus::Fail);
    assert_eq!(checks[2].limit, Some(5000.0));
    assert_eq!(checks[2].headroom_percent, Some(-20.0));
    assert_eq!(
        checks[2].reason,
        "budget #1 throughput ≥ 5000/s, target 10000/s on api/*: api/dead throughput 4000/s below min 5000/s, headroom -20%"
    );
}

#[test]
fn relative_fail_against_baseline() {
    let budget = Budget {
        fail: Some(0.2),
        warn: Some(0.1),
        ..throughput_budget()
    };
    let baseline = run(vec![
        bench("api/a", vec![throughput(20000.0)]),
        bench("api/b", vec![throughput(20000.0)]),
    ]);
    let current = run(vec![
        bench("api/a", vec![throughput(15000.0)]),
        bench("api/b", vec![throughput(17000.0)]),
        bench("api/new", vec![throughput(17000.0)]),
    ]);
    let checks = check_budgets(&[budget], &current, Some(&baseline));
    // 15000 is 25 % below 20000: broken fail bound of 16000.
    assert_eq!(checks[0].status, BudgetStatus::Fail);
    assert_eq!(checks[0].baseline, Some(20000.0));
    assert_eq!(checks[0].limit, Some(16000.0));
    assert_eq!(checks[0].headroom_percent, Some(-6.25));
    assert_eq!(
        checks[0].reason,
        "budget #1 throughput ≥ 5000/s, target 10000/s, warn -10% vs baseline, fail -20% vs baseline on api/*: api/a throughput 15000/s below the fail bound 16000/s (baseline 20000/s -20%), headroom -6.25%"
    );
    // 17000 is 15 % below: warn bound of 18000 broken, fail bound of 16000 holds.
    assert_eq!(checks[1].status, BudgetStatus::Warn);
    assert_eq!(checks[1].limit, Some(18000.0));
    // Not in the baseline: only the absolute bounds apply.
    assert_eq!(checks[2].status, BudgetStatus::Ok);
    assert_eq!(checks[2].baseline, None);
    assert_eq!(checks[2].limit, Some(5000.0));
}

#[test]
fn relative_only_without_baseline_is_unchecked() {
    let budget = Budget {
        fail: Some(0.1),
        ..Budget::new(Measure::WallTime)
    };
    let checks = check_budgets(&[budget], &run(vec![bench("a", vec![wall(1.0)])]), None);
    assert_eq!(checks[0].status, BudgetStatus::Unchecked);
    assert_eq!(
        checks[0].reason,
        "budget #1 wall_time fail +10% vs baseline on *: a not checked: no baseline wall_time to compare with"
    );
    assert!(budget_verdicts(&checks).is_empty());
}

#[test]
fn error_rate_max_one_in_a_thousand() {
    let rate = |r: f64| metric(Measure::ErrorRate, Unit::Ratio, Direction::LowerIsBetter, r);
    let budget = Budget {
        max: Some(0.001),
        ..Budget::new(Measure::ErrorRate)
    };
    let current = run(vec![
        bench("api/ok", vec![rate(0.0005)]),
        bench("api/bad", vec![rate(0.002)]),
        bench("cpu/only", vec![wall(1.0)]),
    ]);
    let checks = check_budgets(&[budget], &current, None);
    assert_eq!(checks.len(), 3);
    assert_eq!(checks[0].status, BudgetStatus::Ok);
    assert_eq!(checks[0].headroom_percent, Some(50.0));
    assert_eq!(checks[1].status, BudgetStatus::Fail);
    assert_eq!(checks[1].headroom_percent, Some(-100.0));
    assert_eq!(
        checks[1].reason,
        "budget #1 error_rate ≤ 0.1% on *: api/bad error_rate 0.2% above max 0.1%, headroom -100%"
    );
    assert_eq!(checks[2].status, BudgetStatus::Unchecked);
    assert_eq!(
        checks[2].reason,
        "budget #1 error_rate ≤ 0.1% on *: cpu/only not checked: no error_rate measured (measures here: wall_time)"
    );
}

#[test]
fn skipped_and_failed_benchmarks_do_not_pass() {
    let mut skipped = bench("helios/commit", vec![]);
    skipped.status = Status::Skipped {
        reason: "HELIOS_CLI_PATH is not set".into(),
    };
    let mut failed = bench("helios/push", vec![wall(1.0)]);
    failed.status = Status::Failed {
        message: "exit code 2".into(),
    };
    let current = run(vec![skipped, failed]);
    let checks = check_budgets(&[wall_budget(Some("helios/*"), 50.0)], &current, None);
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.status == BudgetStatus::Unchecked));
    assert!(checks.iter().all(|c| c.headroom_percent.is_none()));
    assert_eq!(
        checks[0].reason,
        "budget #1 wall_time ≤ 50ms on helios/*: helios/commit not checked: skipped (HELIOS_CLI_PATH is not set)"
    );
    assert_eq!(
        checks[1].reason,
        "budget #1 wall_time ≤ 50ms on helios/*: helios/push not checked: failed (exit code 2)"
    );
}

#[test]
fn globs_with_question_mark() {
    let current = run(vec![
        bench("sort/n=1", vec![wall(1.0)]),
        bench("sort/n=10", vec![wall(1.0)]),
        bench("sort/n=2", vec![wall(1.0)]),
    ]);
    let checks = check_budgets(&[wall_budget(Some("sort/n=?"), 5.0)], &current, None);
    let names: Vec<&str> = checks.iter().map(|c| c.benchmark.as_str()).collect();
    assert_eq!(names, ["sort/n=1", "sort/n=2"]);
}

/// A budget's `bench` glob has only two wildcards (config.md): `*` any run of characters, `/`
/// included, and `?` one character; everything else, brackets, braces, backslashes and a `**`
/// path component included, matches itself as names such as `parse/[1,2]` need.
#[test]
fn globs_take_everything_but_star_and_question_mark_literally() {
    let current = run(vec![
        bench("parse/[1,2]", vec![wall(1.0)]),
        bench("parse/1", vec![wall(1.0)]),
        bench("fmt/{a,b}", vec![wall(1.0)]),
        bench("fmt/a", vec![wall(1.0)]),
        bench(r"win\path", vec![wall(1.0)]),
        bench("top", vec![wall(1.0)]),
        bench("deep/x/top", vec![wall(1.0)]),
    ]);
    let matched = |pattern: &str| -> Vec<String> {
        check_budgets(&[wall_budget(Some(pattern), 5.0)], &current, None)
            .into_iter()
            .map(|c| c.benchmark)
            .collect()
    };
    assert_eq!(matched("parse/[1,2]"), ["parse/[1,2]"]);
    assert_eq!(matched("parse/[12]"), Vec::<String>::new());
    assert_eq!(matched("fmt/{a,b}"), ["fmt/{a,b}"]);
    assert_eq!(matched(r"win\path"), [r"win\path"]);
    assert_eq!(matched(r"win\*"), [r"win\path"]);
    // `**/top` is `*` then `/top`: a slash is needed, as with one star.
    assert_eq!(matched("**/top"), ["deep/x/top"]);
    assert_eq!(matched("*/top"), ["deep/x/top"]);
    assert_eq!(matched("deep/**"), ["deep/x/top"]);
    assert_eq!(matched("?/x/top"), Vec::<String>::new());
    assert_eq!(matched("deep?x?top"), ["deep/x/top"]);
    assert_eq!(matched("[unclosed"), Vec::<String>::new());
}

/// A budget whose glob matches no benchmark checks nothing: said, by number, label and glob; an
/// empty run and budgets without a glob have nothing to say.
#[test]
fn a_budget_whose_glob_matches_nothing_is_said() {
    let current = run(vec![
        bench("Handle-2", vec![wall(4.0)]),
        bench("Encode-2", vec![wall(0.004)]),
    ]);
    let budgets = [
        wall_budget(Some("Handle*"), 50.0),
        wall_budget(Some("Handel*"), 50.0),
        wall_budget(None, 50.0),
        wall_budget(Some("Encode-?"), 50.0),
        wall_budget(Some("Encode-??"), 50.0),
    ];
    let checks = check_budgets(&budgets, &current, None);
    assert_eq!(
        unmatched_budgets(&budgets, &checks, &current),
        [
            "budget #2 wall_time ≤ 50ms on Handel* checks nothing: no benchmark of this run matches \"Handel*\"",
            "budget #5 wall_time ≤ 50ms on Encode-?? checks nothing: no benchmark of this run matches \"Encode-??\"",
        ]
    );
    // They check nothing indeed, and fail nothing.
    let checks = check_budgets(&budgets[1..2], &current, None);
    assert!(checks.is_empty());
    let empty = run(vec![]);
    assert!(unmatched_budgets(&budgets, &check_budgets(&budgets, &empty, None), &empty).is_empty());
}
