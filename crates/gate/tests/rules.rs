//! The verdict rules pinned at their edges, so that a one-token change to any of them fails a
//! test: which end of the interval counts, equality at a threshold, min_delta both ways, noise
//! floors raising both thresholds, relative budgets on both directions, inclusive bounds, lost
//! and failed benchmarks, false-discovery control on paired verdicts, and the one outcome.

mod common;

use common::{bench, judged, run};

use benchgate_gate::{
    Budget, CompareOptions, MetricJudgement, budget_verdicts, check_budgets, compare_runs, decide,
    judge_pair_sets,
};
use benchgate_model::{
    Benchmark, BudgetStatus, Caveat, Direction, Measure, Metric, Outcome, Precision, Severity,
    Side, Status, Thresholds, Unit, VerdictKind,
};

fn thresholds() -> Thresholds {
    Thresholds::default() // warn 5 %, fail 10 %, α 0.05
}

fn exact(ratio: f64, direction: Direction) -> MetricJudgement {
    MetricJudgement {
        exact: true,
        p_value: None,
        unit: Unit::Count,
        ..judged(ratio, None, 1.0, direction)
    }
}

#[test]
fn the_conservative_end_of_the_interval_decides() {
    // +11 % estimated, but the interval reaches down to +3 %: not surely beyond warn.
    let c = judged(1.11, Some((1.03, 1.20)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!((c.kind, c.severity), (VerdictKind::Unchanged, None));
    assert!(c.reason.starts_with("significant +11.0%"), "{}", c.reason);
    // The same interval for a higher-is-better measure (throughput 11 % lower at the estimate):
    // the conservative end is the ratio closest to 1.
    let c = judged(0.89, Some((0.80, 0.97)), 0.001, Direction::HigherIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!((c.kind, c.severity), (VerdictKind::Unchanged, None));
    // Interval wholly beyond fail: a failure; wholly between warn and fail: a warning.
    let fail = judged(1.2, Some((1.12, 1.3)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!(
        (fail.kind, fail.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    let warn = judged(1.08, Some((1.06, 1.3)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!(
        (warn.kind, warn.severity),
        (VerdictKind::Regressed, Some(Severity::Warn))
    );
    // Improvements need their conservative end beyond warn too.
    let better = judged(0.8, Some((0.7, 0.96)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!(better.kind, VerdictKind::Unchanged);
    let better = judged(0.8, Some((0.7, 0.94)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &thresholds(),
        None,
    );
    assert_eq!(better.kind, VerdictKind::Improved);
}

#[test]
fn significance_is_decided_on_the_adjusted_q_and_is_strict() {
    let t = thresholds();
    let j = judged(1.5, Some((1.4, 1.6)), 0.01, Direction::LowerIsBetter);
    // q exactly α is not significant; just below is.
    assert_eq!(
        j.classify(Some(0.05), &t, None).kind,
        VerdictKind::Unchanged
    );
    assert_eq!(
        j.classify(Some(0.049_999), &t, None).severity,
        Some(Severity::Fail)
    );
}

#[test]
fn thresholds_are_reached_at_equality() {
    // 1.25/1 − 1 = 0.25 exactly in binary floating point.
    let t = Thresholds {
        warn: 0.125,
        fail: 0.25,
        ..thresholds()
    };
    let at_fail = judged(1.25, Some((1.25, 1.5)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &t,
        None,
    );
    assert_eq!(at_fail.severity, Some(Severity::Fail), "{}", at_fail.reason);
    let at_warn = judged(1.2, Some((1.125, 1.5)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &t,
        None,
    );
    assert_eq!(at_warn.severity, Some(Severity::Warn), "{}", at_warn.reason);
    // Exact measures: the change itself, at equality too.
    let e = exact(1.25, Direction::LowerIsBetter).classify(None, &t, None);
    assert_eq!(
        (e.kind, e.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert!(
        e.reason
            .ends_with("(exact measure) reaches the 25% fail threshold"),
        "{}",
        e.reason
    );
    let e = exact(1.125, Direction::LowerIsBetter).classify(None, &t, None);
    assert_eq!(e.severity, Some(Severity::Warn));
    let e = exact(0.875, Direction::LowerIsBetter).classify(None, &t, None);
    assert_eq!((e.kind, e.severity), (VerdictKind::Improved, None));
    let e = exact(1.0625, Direction::LowerIsBetter).classify(None, &t, None);
    assert_eq!((e.kind, e.severity), (VerdictKind::Unchanged, None));
    let e = exact(1.0, Direction::LowerIsBetter).classify(None, &t, None);
    assert_eq!(e.reason, "identical (exact measure)");
    // Higher is better: a drop is the regression.
    let e = exact(0.75, Direction::HigherIsBetter).classify(None, &t, None);
    assert_eq!(e.severity, Some(Severity::Fail));
}

#[test]
fn min_delta_judges_regressions_and_improvements_alike() {
    let t = Thresholds {
        min_delta_ns: 20_000.0, // 20 µs
        ..thresholds()
    };
    // +50 % of 30 µs = 15 µs: significant and beyond fail, but below min_delta.
    let mut j = judged(1.5, Some((1.4, 1.6)), 0.001, Direction::LowerIsBetter);
    j.effect.as_mut().unwrap().delta = 15_000.0;
    let c = j.classify(Some(0.001), &t, None);
    assert_eq!((c.kind, c.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        c.caveats,
        vec![Caveat::BelowMinDelta {
            min_delta: 20_000.0
        }]
    );
    assert!(
        c.reason.contains("is below min_delta 20.00µs"),
        "{}",
        c.reason
    );
    // The same size the good way: not an improvement either.
    let mut j = judged(0.5, Some((0.4, 0.6)), 0.001, Direction::LowerIsBetter);
    j.effect.as_mut().unwrap().delta = -15_000.0;
    let c = j.classify(Some(0.001), &t, None);
    assert_eq!(c.kind, VerdictKind::Unchanged);
    assert_eq!(c.caveats.len(), 1);
    // At min_delta exactly it counts.
    let mut j = judged(1.5, Some((1.4, 1.6)), 0.001, Direction::LowerIsBetter);
    j.effect.as_mut().unwrap().delta = 20_000.0;
    assert_eq!(
        j.classify(Some(0.001), &t, None).severity,
        Some(Severity::Fail)
    );
    // Not a time: min_delta does not apply.
    let mut j = judged(1.5, Some((1.4, 1.6)), 0.001, Direction::LowerIsBetter);
    j.unit = Unit::Bytes;
    j.effect.as_mut().unwrap().delta = 15_000.0;
    assert_eq!(
        j.classify(Some(0.001), &t, None).severity,
        Some(Severity::Fail)
    );
}

#[test]
fn a_noise_floor_raises_both_thresholds_and_says_so() {
    let t = thresholds();
    // Surely +12 % … +30 %: a failure without a floor.
    let j = judged(1.2, Some((1.12, 1.3)), 0.001, Direction::LowerIsBetter);
    assert_eq!(
        j.classify(Some(0.001), &t, None).severity,
        Some(Severity::Fail)
    );
    // A 15 % floor raises fail (and warn) to 15 %: within the floor, said so.
    let c = j.classify(Some(0.001), &t, Some(0.15));
    assert_eq!((c.kind, c.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        c.caveats,
        vec![Caveat::NoiseFloor {
            floor: 0.15,
            swallowed: true
        }]
    );
    // Beyond the raised fail threshold it still fails, and says the thresholds were raised.
    let j = judged(1.4, Some((1.2, 1.6)), 0.001, Direction::LowerIsBetter);
    let c = j.classify(Some(0.001), &t, Some(0.15));
    assert_eq!(c.severity, Some(Severity::Fail));
    assert_eq!(
        c.caveats,
        vec![Caveat::NoiseFloor {
            floor: 0.15,
            swallowed: false
        }]
    );
    assert!(
        c.reason.ends_with(
            "reaches the 15% fail threshold (thresholds raised to this benchmark's 15% noise floor)"
        ),
        "{}",
        c.reason
    );
    // A floor between warn and fail raises warn only: +9 % sure is a warning at a 8 % floor…
    let j = judged(1.1, Some((1.09, 1.11)), 0.001, Direction::LowerIsBetter);
    let c = j.classify(Some(0.001), &t, Some(0.08));
    assert_eq!(c.severity, Some(Severity::Warn));
    // …and within a 9.5 % floor.
    let c = j.classify(Some(0.001), &t, Some(0.095));
    assert_eq!(c.severity, None);
    // A floor below warn changes nothing and is not mentioned.
    let c = j.classify(Some(0.001), &t, Some(0.02));
    assert_eq!(c.severity, Some(Severity::Warn));
    assert!(c.caveats.is_empty());
    // Exact measures ignore floors.
    let e = exact(1.2, Direction::LowerIsBetter).classify(None, &t, Some(0.5));
    assert_eq!(e.severity, Some(Severity::Fail));
    assert!(e.caveats.is_empty());
}

fn metric(measure: Measure, unit: Unit, direction: Direction, samples: Vec<f64>) -> Metric {
    Metric::from_samples(measure, unit, direction, samples).unwrap()
}

fn wall(center: f64) -> Metric {
    let samples = (0..20)
        .map(|i| center * (0.99 + 0.001 * f64::from(i)))
        .collect();
    metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        samples,
    )
}

#[test]
fn relative_budgets_bound_the_bad_side_of_the_baseline() {
    let budget = |measure: Measure| Budget {
        warn: Some(0.05),
        fail: Some(0.10),
        ..Budget::new(measure)
    };
    let base = run(vec![bench("a", vec![wall(1e6)])]);
    // Unchanged: within both bounds; the fail bound sits 10 % above the baseline's median.
    let checks = check_budgets(&[budget(Measure::WallTime)], &base, Some(&base));
    assert_eq!(checks[0].status, BudgetStatus::Ok);
    let baseline = checks[0].baseline.unwrap();
    assert_eq!(checks[0].limit, Some(baseline * 1.1));
    assert!((checks[0].headroom_percent.unwrap() - 100.0 / 11.0).abs() < 1e-9);
    // 7 % slower: warn; 12 % slower: fail; 20 % faster: fine.
    for (center, status) in [
        (1.07e6, BudgetStatus::Warn),
        (1.12e6, BudgetStatus::Fail),
        (0.8e6, BudgetStatus::Ok),
    ] {
        let cur = run(vec![bench("a", vec![wall(center)])]);
        let checks = check_budgets(&[budget(Measure::WallTime)], &cur, Some(&base));
        assert_eq!(checks[0].status, status, "{center}: {}", checks[0].reason);
    }
    // Higher is better (throughput): the bad side is below the baseline.
    let tput = |v: f64| {
        metric(
            Measure::Throughput,
            Unit::PerSecond,
            Direction::HigherIsBetter,
            vec![v * 0.99, v, v * 1.01],
        )
    };
    let base = run(vec![bench("a", vec![tput(1000.0)])]);
    for (v, status) in [
        (1000.0, BudgetStatus::Ok),
        (1200.0, BudgetStatus::Ok),
        (930.0, BudgetStatus::Warn),
        (880.0, BudgetStatus::Fail),
    ] {
        let cur = run(vec![bench("a", vec![tput(v)])]);
        let checks = check_budgets(&[budget(Measure::Throughput)], &cur, Some(&base));
        assert_eq!(checks[0].status, status, "{v}: {}", checks[0].reason);
    }
}

#[test]
fn absolute_bounds_and_targets_are_inclusive() {
    let exactly = |v: f64| {
        metric(
            Measure::Throughput,
            Unit::PerSecond,
            Direction::HigherIsBetter,
            vec![v],
        )
    };
    let budget = Budget {
        min: Some(5000.0),
        max: Some(20_000.0),
        target: Some(10_000.0),
        ..Budget::new(Measure::Throughput)
    };
    for (v, status) in [
        (5000.0, BudgetStatus::Warn), // at min: not broken, but below target
        (4999.0, BudgetStatus::Fail),
        (10_000.0, BudgetStatus::Ok), // at target: met
        (9999.0, BudgetStatus::Warn),
        (20_000.0, BudgetStatus::Ok), // at max: not broken
        (20_001.0, BudgetStatus::Fail),
    ] {
        let cur = run(vec![bench("a", vec![exactly(v)])]);
        let checks = check_budgets(std::slice::from_ref(&budget), &cur, None);
        assert_eq!(checks[0].status, status, "{v}: {}", checks[0].reason);
    }
}

#[test]
fn a_budget_on_a_measure_no_benchmark_has_fails_naming_it() {
    let cur = run(vec![
        bench("a", vec![wall(1e6)]),
        bench("b", vec![wall(1e6)]),
    ]);
    let budget = Budget {
        max: Some(64.0 * 1024.0 * 1024.0),
        ..Budget::new(Measure::MaxRss)
    };
    let checks = check_budgets(&[budget], &cur, None);
    assert!(
        checks.iter().all(|c| c.status == BudgetStatus::Unmeasured),
        "{checks:#?}"
    );
    assert_eq!(
        checks[0].reason,
        "budget #1 max_rss ≤ 64MiB on *: a not checked: no benchmark it applies to has max_rss measured (measures here: wall_time)"
    );
    let verdicts = budget_verdicts(&checks);
    assert_eq!(verdicts.len(), 2);
    assert!(verdicts.iter().all(|v| v.gating && v.is_failure()));
    assert_eq!(verdicts[1].measure, Measure::MaxRss);
    assert_eq!(decide(&verdicts, false, false), Outcome::Failed);
}

#[test]
fn lost_failed_and_skipped_benchmarks_are_never_a_silent_pass() {
    let base = run(vec![
        bench("kept", vec![wall(1e6)]),
        bench("lost", vec![wall(1e6)]),
        Benchmark {
            status: Status::Failed {
                message: "exit 1".into(),
            },
            ..bench("broken-before", vec![wall(1e6)])
        },
    ]);
    let cur = run(vec![
        bench("kept", vec![wall(1e6)]),
        bench("broken-before", vec![wall(1e6)]),
    ]);
    let c = compare_runs(&base, "a", &cur, "b", &CompareOptions::default());
    let lost = c.verdicts.iter().find(|v| v.benchmark == "lost").unwrap();
    assert_eq!(lost.kind, VerdictKind::Missing);
    assert!(lost.gating);
    assert_eq!(lost.reason, "benchmark not in the current run");
    assert_eq!(c.outcome, Outcome::Warned);
    // A baseline that failed is nothing to compare with: new, and said why.
    let before = c
        .verdicts
        .iter()
        .find(|v| v.benchmark == "broken-before")
        .unwrap();
    assert_eq!(before.kind, VerdictKind::New);
    assert_eq!(before.reason, "baseline failed: exit 1");
    // A benchmark failing now fails the gate.
    let mut now = cur.clone();
    now.benchmarks[0].status = Status::Failed {
        message: "exit 2".into(),
    };
    let c = compare_runs(&base, "a", &now, "b", &CompareOptions::default());
    assert_eq!(c.outcome, Outcome::Failed);
}

#[test]
fn insufficient_precision_is_a_warning() {
    let mut imprecise = wall(1e6);
    imprecise.precision = Some(Precision {
        target: 0.02,
        reached: Some(0.2),
    });
    let mut precise = wall(1e6);
    precise.precision = Some(Precision {
        target: 0.02,
        reached: Some(0.02),
    });
    let base = run(vec![
        bench("a", vec![wall(1e6)]),
        bench("b", vec![wall(1e6)]),
    ]);
    let cur = run(vec![bench("a", vec![imprecise]), bench("b", vec![precise])]);
    let c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    let a = c.verdicts.iter().find(|v| v.benchmark == "a").unwrap();
    assert_eq!(
        a.caveats,
        vec![Caveat::InsufficientPrecision {
            side: Side::Current,
            target: 0.02,
            reached: Some(0.2)
        }]
    );
    assert!(a.is_warning());
    let b = c.verdicts.iter().find(|v| v.benchmark == "b").unwrap();
    assert!(b.caveats.is_empty(), "reached exactly the target: met");
    assert_eq!(c.outcome, Outcome::Warned);
}

#[test]
fn the_outcome_ranks_command_failures_then_failures_then_inconclusive_then_warnings() {
    let base = run(vec![bench("a", vec![wall(1e6)])]);
    let warned = run(vec![bench("a", vec![wall(1.07e6)])]);
    let c = compare_runs(&base, "x", &warned, "y", &CompareOptions::default());
    assert_eq!(c.outcome, Outcome::Warned);
    let denied = CompareOptions {
        deny_warnings: true,
        ..CompareOptions::default()
    };
    let c = compare_runs(&base, "x", &warned, "y", &denied);
    assert_eq!(c.outcome, Outcome::Failed);
    assert!(c.deny_warnings);
    let verdicts = c.verdicts.clone();
    assert_eq!(decide(&verdicts, false, true), Outcome::CommandFailed);
    let mut inconclusive = verdicts.clone();
    inconclusive[0].kind = VerdictKind::Inconclusive;
    inconclusive[0].severity = None;
    assert_eq!(decide(&inconclusive, false, false), Outcome::Inconclusive);
    assert_eq!(decide(&inconclusive, true, false), Outcome::Inconclusive);
    // Non-gating verdicts never move the outcome.
    let mut informational = verdicts;
    informational[0].gating = false;
    assert_eq!(decide(&informational, true, false), Outcome::Passed);
    assert_eq!(Outcome::Failed.exit_code(), 1);
    assert_eq!(Outcome::CommandFailed.exit_code(), 3);
    assert_eq!(Outcome::Inconclusive.exit_code(), 4);
    assert_eq!(Outcome::Warned.exit_code(), 0);
}

#[test]
fn paired_verdicts_are_adjusted_across_benchmarks() {
    // Three benchmarks of 12 pairs: one clearly slower, two unchanged (alternating ±1 %).
    let base: Vec<f64> = (0..12).map(|i| 1e6 + f64::from(i)).collect();
    let slower: Vec<f64> = base.iter().map(|b| b * 1.3).collect();
    let same: Vec<f64> = base
        .iter()
        .enumerate()
        .map(|(i, b)| if i % 2 == 0 { b * 1.01 } else { b * 0.99 })
        .collect();
    let sets: Vec<(&[f64], &[f64])> = vec![(&base, &slower), (&base, &same), (&base, &same)];
    let judged = judge_pair_sets(&sets, Direction::LowerIsBetter, &thresholds());
    let alone = judge_pair_sets(&sets[..1], Direction::LowerIsBetter, &thresholds());
    let (p, q) = (judged[0].p_value.unwrap(), judged[0].q_value.unwrap());
    assert_eq!(alone[0].p_value, Some(p));
    // Benjamini–Hochberg: the smallest of three p-values is multiplied by 3.
    assert!((q - (p * 3.0).min(1.0)).abs() < 1e-15, "p={p} q={q}");
    assert!(q > p);
    assert_eq!(judged[0].severity, Some(Severity::Fail));
}

fn wall_of(samples: Vec<f64>) -> Metric {
    metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        samples,
    )
}

/// Six samples around `center`, distinct, ±1 %.
fn six(center: f64) -> Vec<f64> {
    (0..6)
        .map(|i| center * (0.99 + 0.004 * f64::from(i)))
        .collect()
}

#[test]
fn a_relative_budget_needs_a_positive_baseline() {
    let budget = Budget {
        warn: Some(0.05),
        ..Budget::new(Measure::WallTime)
    };
    let zero = run(vec![bench("a", vec![wall_of(vec![0.0, 0.0, 0.0])])]);
    let cur = run(vec![bench("a", vec![wall(1e6)])]);
    let checks = check_budgets(std::slice::from_ref(&budget), &cur, Some(&zero));
    assert_eq!(checks[0].status, BudgetStatus::Unchecked, "{:?}", checks[0]);
    assert_eq!(checks[0].baseline, None);
    assert_eq!(checks[0].limit, None);
}

#[test]
fn the_gated_family_is_adjusted_on_its_own() {
    // One gated comparison (6 vs 6, fully separated: p = 2/924) beside five reported measures
    // with no change: reporting more measures never costs the gate power, so q = p.
    let extra = |m: Measure| metric(m, Unit::Count, Direction::LowerIsBetter, six(100.0));
    let side = |center: f64| {
        let mut metrics = vec![wall_of(six(center))];
        for name in ["a", "b", "c", "d", "e"] {
            metrics.push(extra(Measure::Custom(name.into())));
        }
        run(vec![bench("x", metrics)])
    };
    let c = compare_runs(
        &side(1e6),
        "a",
        &side(1.3e6),
        "b",
        &CompareOptions::default(),
    );
    let wall = c
        .verdicts
        .iter()
        .find(|v| v.measure == Measure::WallTime)
        .unwrap();
    assert_eq!(wall.p_value, wall.q_value);
    assert_eq!(wall.severity, Some(Severity::Fail));
    // The reported ones are adjusted among themselves.
    let other = c
        .verdicts
        .iter()
        .find(|v| v.measure == Measure::Custom("a".into()))
        .unwrap();
    assert!(!other.gating);
    assert_eq!(other.q_value, Some(1.0));
}

#[test]
fn significant_rows_are_never_called_underpowered() {
    // 31 benchmarks all 30 % slower, 6 vs 6: each p = 2/924 and, all being discoveries, q = p.
    // A sole such change could not be significant among 31 (that is what `underpowered` says of
    // unflagged rows), but these are: every one fails, none is insufficient data.
    let base: Vec<Benchmark> = (0..31)
        .map(|i| bench(&format!("b{i}"), vec![wall_of(six(1e6))]))
        .collect();
    let cur: Vec<Benchmark> = (0..31)
        .map(|i| bench(&format!("b{i}"), vec![wall_of(six(1.3e6))]))
        .collect();
    let c = compare_runs(&run(base), "a", &run(cur), "b", &CompareOptions::default());
    assert_eq!(c.verdicts.len(), 31);
    for v in &c.verdicts {
        assert_eq!(
            (v.kind, v.severity),
            (VerdictKind::Regressed, Some(Severity::Fail)),
            "{v:#?}"
        );
        assert!(v.caveats.is_empty(), "{v:#?}");
        assert!(!v.reason.contains("family-wise"), "{}", v.reason);
    }
}

#[test]
fn commands_compared_within_a_run_fail_when_one_failed() {
    let mut r = run(vec![
        bench("first", vec![wall(1e6)]),
        bench("second", vec![wall(1e6)]),
    ]);
    r.benchmarks[1].status = Status::Failed {
        message: "exit 1".into(),
    };
    let verdicts =
        benchgate_gate::compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default());
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].kind, VerdictKind::Failed);
    assert_eq!(verdicts[0].reason, "one of the commands failed");
    // Both fine: judged.
    r.benchmarks[1].status = Status::Ok;
    let verdicts =
        benchgate_gate::compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default());
    assert_eq!(verdicts[0].kind, VerdictKind::Unchanged);
}

#[test]
fn the_outcome_is_decided_again_whenever_the_comparison_changes() {
    let base = run(vec![
        bench("a", vec![wall(1e6)]),
        bench("b", vec![wall(1e6)]),
    ]);
    let cur = run(vec![
        bench("a", vec![wall(1e6)]),
        bench("b", vec![wall(1e6)]),
    ]);
    let mut c = compare_runs(&base, "x", &cur, "y", &CompareOptions::default());
    assert_eq!(c.outcome, Outcome::Passed);

    // A paired judgement replaces the verdict on the same benchmark and measure, only that one.
    let mut warned = c.verdicts[1].clone();
    assert_eq!(warned.benchmark, "b");
    warned.kind = VerdictKind::Regressed;
    warned.severity = Some(Severity::Warn);
    warned.reason = "paired".into();
    benchgate_gate::replace_verdict(&mut c, warned);
    assert_eq!(c.verdicts.len(), 2);
    assert_eq!(c.verdicts[0].kind, VerdictKind::Unchanged);
    assert_eq!(c.verdicts[1].reason, "paired");
    assert_eq!(c.outcome, Outcome::Warned);
    // A verdict on another measure is added, not put in place of one.
    let mut rss = c.verdicts[0].clone();
    rss.measure = Measure::MaxRss;
    rss.gating = false;
    benchgate_gate::replace_verdict(&mut c, rss);
    assert_eq!(c.verdicts.len(), 3);
    assert_eq!(c.verdicts[0].measure, Measure::WallTime);

    // Warnings denied: failed.
    benchgate_gate::deny_warnings(&mut c, true);
    assert!(c.deny_warnings);
    assert_eq!(c.outcome, Outcome::Failed);
    benchgate_gate::deny_warnings(&mut c, false);
    assert_eq!(c.outcome, Outcome::Warned);

    // A broken budget fails it.
    let budget = Budget {
        max: Some(1.0),
        ..Budget::new(Measure::WallTime)
    };
    let checks = check_budgets(&[budget], &cur, Some(&base));
    benchgate_gate::apply_budgets(&mut c, checks);
    assert_eq!(c.budgets.len(), 2);
    assert_eq!(c.outcome, Outcome::Failed);

    // A command that failed while measuring outranks everything.
    benchgate_gate::record_command_failure(&mut c, "a failed: exit 1".into());
    assert_eq!(c.command_failures, vec!["a failed: exit 1".to_string()]);
    assert_eq!(c.outcome, Outcome::CommandFailed);
}
