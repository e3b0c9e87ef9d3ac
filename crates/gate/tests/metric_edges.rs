//! The verdict on one metric pinned at its edges: the central value of exact measures, the
//! judgement's own refusals (a baseline of 0, too few samples for α), the wording of p and q,
//! improvements without an interval, and the family-wise fail rule (its confidence, its
//! resamples, the floor, min_delta, the direction, which end of the interval counts).

mod common;

use common::judged;

use benchgate_gate::{MetricJudgement, judge_metric};
use benchgate_model::{
    Caveat, Direction, Effect, Measure, Metric, Severity, Side, Thresholds, Unit, VerdictKind,
};
use benchgate_stats::ratio_of_medians_ci;

fn t() -> Thresholds {
    Thresholds::default() // warn 5 %, fail 10 %, α 0.05, confidence 0.95
}

fn wall(samples: Vec<f64>) -> Metric {
    Metric::from_samples(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        samples,
    )
    .unwrap()
}

fn count(samples: &[f64]) -> Metric {
    Metric::from_samples(
        Measure::Instructions,
        Unit::Count,
        Direction::LowerIsBetter,
        samples.to_vec(),
    )
    .unwrap()
    .exact(true)
}

// ---- judge_metric ----------------------------------------------------------------------------

/// An exact measure's center is its most frequent value, the smallest of equally frequent ones,
/// and the effect is the change between those centers.
#[test]
fn the_center_of_an_exact_measure_is_its_smallest_most_frequent_value() {
    let base = count(&[200.0, 100.0, 200.0]);
    let cur = count(&[400.0, 300.0, 400.0, 300.0]);
    let j = judge_metric(&base, &cur, &t(), 100, 1);
    assert!(j.exact);
    assert_eq!(
        j.effect,
        Some(Effect {
            ratio: 1.5,
            delta: 100.0,
            ci: None
        })
    );
    assert_eq!(j.p_value, None);
    assert_eq!(j.insufficient, None);
    assert_eq!(j.sizes, (3, 4));
    assert_eq!(
        j.caveats,
        vec![
            Caveat::ExactVaries {
                side: Side::Baseline,
                min: 100.0,
                max: 200.0
            },
            Caveat::ExactVaries {
                side: Side::Current,
                min: 300.0,
                max: 400.0
            },
        ]
    );
    // One value throughout: no caveat.
    let j = judge_metric(&count(&[7.0; 3]), &count(&[9.0; 2]), &t(), 100, 1);
    assert!(j.caveats.is_empty());
    assert_eq!(j.effect.unwrap().delta, 2.0);
}

/// A metric is judged as exact when either side says it is exact.
#[test]
fn one_exact_side_makes_the_comparison_exact() {
    let plain = |v: f64| {
        Metric::from_samples(
            Measure::Instructions,
            Unit::Count,
            Direction::LowerIsBetter,
            vec![v; 3],
        )
        .unwrap()
    };
    for (base, cur) in [
        (count(&[100.0, 100.0]), plain(150.0)),
        (plain(100.0), count(&[150.0, 150.0])),
    ] {
        let j = judge_metric(&base, &cur, &t(), 100, 1);
        assert!(j.exact, "{j:?}");
        // Judged on the thresholds alone: no test, and 2 vs 3 samples are no obstacle.
        assert_eq!(j.insufficient, None);
        assert_eq!(j.p_value, None);
        assert_eq!(j.effect.unwrap().ratio, 1.5);
    }
}

/// A baseline of 0 has no relative change (insufficient data), unless the current value is 0
/// too: 0 → 0 is no change.
#[test]
fn a_zero_baseline_has_no_ratio_but_zero_to_zero_is_no_change() {
    let j = judge_metric(&count(&[0.0, 0.0]), &count(&[5.0, 5.0]), &t(), 100, 1);
    assert_eq!(j.effect, None);
    assert_eq!(
        j.insufficient.as_deref(),
        Some("the baseline's median is 0, so a relative change is undefined")
    );
    let j = judge_metric(&count(&[0.0, 0.0]), &count(&[0.0, 0.0]), &t(), 100, 1);
    assert_eq!(j.insufficient, None);
    assert_eq!(
        j.effect,
        Some(Effect {
            ratio: 1.0,
            delta: 0.0,
            ci: None
        })
    );
    let c = j.classify(None, &t(), None);
    assert_eq!(
        (c.kind, c.reason.as_str()),
        (VerdictKind::Unchanged, "identical (exact measure)")
    );
    // The same for measured (not exact) samples.
    let j = judge_metric(&wall(vec![0.0; 6]), &wall(vec![0.0; 6]), &t(), 100, 1);
    assert_eq!(j.insufficient, None);
    assert_eq!(j.effect.unwrap().ratio, 1.0);
    let j = judge_metric(&wall(vec![0.0; 6]), &wall(vec![3.0; 6]), &t(), 100, 1);
    assert_eq!(j.effect, None);
    assert!(j.insufficient.is_some());
}

/// Samples reach significance when their smallest possible p is α exactly: 1 vs 7 samples can
/// give p = 2/8 = 0.25 at best.
#[test]
fn the_smallest_possible_p_may_equal_alpha() {
    let base = wall(vec![1e6]);
    let cur = wall((0..7).map(|i| 2e6 + f64::from(i)).collect());
    let at = Thresholds { alpha: 0.25, ..t() };
    let j = judge_metric(&base, &cur, &at, 100, 1);
    assert_eq!(j.insufficient, None);
    let p = j.p_value.unwrap();
    assert!((p - 0.25).abs() < 1e-12, "{p}");
    let below = Thresholds { alpha: 0.2, ..t() };
    let j = judge_metric(&base, &cur, &below, 100, 1);
    assert_eq!(
        j.insufficient.as_deref(),
        Some(
            "1 vs 7 samples cannot reach significance at α=0.2 (smallest possible p=0.250); run more"
        )
    );
    assert_eq!(j.p_value, None);
    assert_eq!(j.effect.unwrap().delta, 2e6 + 3.0 - 1e6);
}

// ---- classify --------------------------------------------------------------------------------

/// The reason shows p alone when the adjustment left it as it was, and p with q when not.
#[test]
fn the_reason_shows_q_only_when_it_differs_from_p() {
    let j = judged(1.2, Some((1.125, 1.25)), 0.01, Direction::LowerIsBetter);
    let c = j.classify(Some(0.01), &t(), None);
    assert_eq!(
        c.reason,
        "+20.0% (p=0.010, 95% interval [+12.5%, +25.0%]) reaches the 10% fail threshold"
    );
    let c = j.classify(Some(0.03), &t(), None);
    assert_eq!(
        c.reason,
        "+20.0% (p=0.010, adjusted q=0.030, 95% interval [+12.5%, +25.0%]) reaches the 10% fail \
         threshold"
    );
}

/// Without an interval the estimate itself is the conservative end, the good way too.
#[test]
fn without_an_interval_the_estimate_decides_improvements() {
    let c = judged(0.75, None, 0.001, Direction::LowerIsBetter).classify(Some(0.001), &t(), None);
    assert_eq!((c.kind, c.severity), (VerdictKind::Improved, None));
    assert_eq!(c.reason, "-25.0% (p=0.001)");
    let c = judged(1.25, None, 0.001, Direction::HigherIsBetter).classify(Some(0.001), &t(), None);
    assert_eq!((c.kind, c.severity), (VerdictKind::Improved, None));
    let c = judged(1.25, None, 0.001, Direction::LowerIsBetter).classify(Some(0.001), &t(), None);
    assert_eq!(c.severity, Some(Severity::Fail));
}

/// A significant change whose estimate is no change at all is not "not surely beyond the warn
/// threshold" of a regression: it is within ±warn.
#[test]
fn an_estimate_of_no_change_is_judged_against_the_band() {
    let c = judged(1.0, Some((0.98, 1.02)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &t(),
        None,
    );
    assert_eq!((c.kind, c.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        c.reason,
        "significant +0.0% (p=0.001, 95% interval [-2.0%, +2.0%]) but not surely beyond ±5%"
    );
    let c = judged(1.01, Some((1.0, 1.02)), 0.001, Direction::LowerIsBetter).classify(
        Some(0.001),
        &t(),
        None,
    );
    assert!(
        c.reason
            .ends_with("but not surely beyond the 5% warn threshold"),
        "{}",
        c.reason
    );
}

/// A noise floor raises the thresholds only when it lies above warn: a floor of exactly warn
/// changes nothing and is not mentioned.
#[test]
fn a_floor_at_the_warn_threshold_is_no_floor() {
    let j = judged(1.08, Some((1.06, 1.3)), 0.001, Direction::LowerIsBetter);
    let c = j.classify(Some(0.001), &t(), Some(0.05));
    assert_eq!(c.severity, Some(Severity::Warn));
    assert!(c.caveats.is_empty(), "{:?}", c.caveats);
    assert!(
        c.reason.ends_with("reaches the 5% warn threshold"),
        "{}",
        c.reason
    );
    // Not finite: ignored as well.
    let c = j.classify(Some(0.001), &t(), Some(f64::INFINITY));
    assert_eq!(c.severity, Some(Severity::Warn));
    assert!(c.caveats.is_empty(), "{:?}", c.caveats);
}

// ---- family_wise_fail ------------------------------------------------------------------------

/// Bimodal samples: a tight core of 20 (around 1 ms × `core`) between 10 low and 10 high values
/// shared by both sides. The medians sit in the cores, so the ratio of medians is known tightly,
/// while the rank test sees mostly the shared values: p ≈ 0.055, never significant.
fn bimodal(core: f64) -> Vec<f64> {
    let mut v = Vec::new();
    for i in 0..10 {
        v.push(1e6 * (0.2 + 0.04 * f64::from(i)));
    }
    for i in 0..20 {
        v.push(1e6 * core * (0.98 + 0.002 * f64::from((i * 7) % 20)));
    }
    for i in 0..10 {
        v.push(1e6 * (3.0 + 0.7 * f64::from(i)));
    }
    v
}

/// The 30 % regression of [`bimodal`] samples, judged.
fn bimodal_change() -> (Metric, Metric, MetricJudgement) {
    let (base, cur) = (wall(bimodal(1.0)), wall(bimodal(1.3)));
    let j = judge_metric(&base, &cur, &t(), 5_000, 3);
    assert_eq!(j.insufficient, None);
    let p = j.p_value.unwrap();
    assert!(p > 0.05 && p < 0.06, "{p}");
    (base, cur, j)
}

fn interval_text(ci: benchgate_stats::Interval) -> String {
    format!(
        "{:.2}% interval [{:+.1}%, {:+.1}%]",
        ci.confidence * 100.0,
        (ci.lo - 1.0) * 100.0,
        (ci.hi - 1.0) * 100.0
    )
}

/// The family-wise interval has confidence 1 − α/family and at least 50 bootstrap resamples in
/// each tail (α/family/2), at least 5000; the reason gives p, the family and the interval.
#[test]
fn the_family_wise_interval_is_at_confidence_one_minus_alpha_over_the_family() {
    let (base, cur, j) = bimodal_change();
    let seed = 17;
    let c = j
        .family_wise_fail(&base, &cur, &t(), None, 10, seed)
        .expect("fails");
    assert_eq!(
        (c.kind, c.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    assert!(c.caveats.is_empty());
    // α/10/2 = 0.0025 in each tail: 50/0.0025 = 20 000 resamples at 99.5 %.
    let expected = ratio_of_medians_ci(&base.samples, &cur.samples, 0.995, 20_000, seed).unwrap();
    assert_eq!(
        c.reason,
        format!(
            "+30.0% (p=0.055; not significant after Benjamini–Hochberg across 10, but its {}, \
             family-wise over 10 comparisons, lies wholly beyond the 10% fail threshold)",
            interval_text(expected)
        )
    );
    assert!(c.reason.contains("99.50% interval [+26."), "{}", c.reason);
    // The resample count shows in the interval: fewer resamples give another one.
    for fewer in [10_000, 5_000] {
        let other = ratio_of_medians_ci(&base.samples, &cur.samples, 0.995, fewer, seed).unwrap();
        assert_ne!(interval_text(other), interval_text(expected), "{fewer}");
    }
    // A family of one: 95 %, and the floor of 5000 resamples.
    let c = j
        .family_wise_fail(&base, &cur, &t(), None, 1, seed)
        .unwrap();
    let expected = ratio_of_medians_ci(&base.samples, &cur.samples, 0.95, 5_000, seed).unwrap();
    assert!(
        c.reason.contains(&format!(
            "across 1, but its {}, family-wise over 1 comparisons",
            interval_text(expected)
        )),
        "{}",
        c.reason
    );
    // No p-value: the reason says nothing of one.
    let mut no_p = j.clone();
    no_p.p_value = None;
    let c = no_p
        .family_wise_fail(&base, &cur, &t(), None, 1, seed)
        .unwrap();
    assert!(
        c.reason.starts_with("+30.0% (but its 95.00% interval"),
        "{}",
        c.reason
    );
}

/// Exact measures, judgements that could not be made, and an empty family never fail this way.
#[test]
fn only_tested_measured_comparisons_can_fail_family_wise() {
    let (base, cur, j) = bimodal_change();
    assert!(j.family_wise_fail(&base, &cur, &t(), None, 4, 1).is_some());
    let exact = MetricJudgement {
        exact: true,
        ..j.clone()
    };
    assert_eq!(exact.family_wise_fail(&base, &cur, &t(), None, 4, 1), None);
    let insufficient = MetricJudgement {
        insufficient: Some("too few".into()),
        ..j.clone()
    };
    assert_eq!(
        insufficient.family_wise_fail(&base, &cur, &t(), None, 4, 1),
        None
    );
    assert_eq!(j.family_wise_fail(&base, &cur, &t(), None, 0, 1), None);
}

/// The fail threshold is raised to a finite floor above warn (and the caveat says so); a floor
/// of exactly warn or an infinite one is ignored.
#[test]
fn the_family_wise_fail_threshold_is_raised_to_the_noise_floor() {
    let (base, cur, j) = bimodal_change();
    // The 99.5 % interval starts near +27 %: a 35 % floor swallows it, a 20 % one does not.
    assert_eq!(
        j.family_wise_fail(&base, &cur, &t(), Some(0.35), 10, 1),
        None
    );
    let c = j
        .family_wise_fail(&base, &cur, &t(), Some(0.2), 10, 1)
        .unwrap();
    assert!(
        c.reason
            .ends_with("lies wholly beyond the 20% fail threshold)"),
        "{}",
        c.reason
    );
    assert_eq!(
        c.caveats,
        vec![Caveat::NoiseFloor {
            floor: 0.2,
            swallowed: false
        }]
    );
    for ignored in [0.05, f64::INFINITY, f64::NAN] {
        let c = j
            .family_wise_fail(&base, &cur, &t(), Some(ignored), 10, 1)
            .unwrap_or_else(|| panic!("{ignored}"));
        assert!(c.caveats.is_empty(), "{ignored}: {:?}", c.caveats);
        assert!(
            c.reason.ends_with("beyond the 10% fail threshold)"),
            "{}",
            c.reason
        );
    }
    // The judgement's own caveats come first.
    let mut with_caveat = j.clone();
    with_caveat.caveats = vec![Caveat::InsufficientPrecision {
        side: Side::Current,
        target: 0.01,
        reached: None,
    }];
    let c = with_caveat
        .family_wise_fail(&base, &cur, &t(), Some(0.2), 10, 1)
        .unwrap();
    assert_eq!(c.caveats.len(), 2);
    assert!(matches!(c.caveats[0], Caveat::InsufficientPrecision { .. }));
}

/// The whole interval must lie beyond fail: its near end decides, whatever the estimate.
#[test]
fn the_family_wise_interval_must_lie_wholly_beyond_fail() {
    let (base, cur, j) = bimodal_change();
    // The estimate (+30 %) reaches a 28 % fail threshold, the interval's near end does not.
    let high = Thresholds { fail: 0.28, ..t() };
    assert_eq!(j.family_wise_fail(&base, &cur, &high, None, 10, 1), None);
    // An estimate below fail is not failed, even by an interval beyond it.
    let mut small = j.clone();
    small.effect.as_mut().unwrap().ratio = 1.05;
    assert_eq!(small.family_wise_fail(&base, &cur, &t(), None, 10, 1), None);
    // Higher is better: the same data are a 30 % improvement, never a failure.
    let mut better = j.clone();
    better.direction = Direction::HigherIsBetter;
    assert_eq!(
        better.family_wise_fail(&base, &cur, &t(), None, 10, 1),
        None
    );
    // …and 30 % less throughput is.
    let mut worse = j.clone();
    worse.direction = Direction::HigherIsBetter;
    let (lower, upper) = (wall(bimodal(1.3)), wall(bimodal(1.0)));
    worse.effect.as_mut().unwrap().ratio = 1.0 / 1.3;
    let c = worse
        .family_wise_fail(&lower, &upper, &t(), None, 10, 1)
        .unwrap();
    assert!(c.reason.starts_with("-23.1% (p=0.055;"), "{}", c.reason);
}

/// Fail is reached at equality, by the estimate and by the interval's near end: a constant
/// baseline and a current side mostly at exactly +25 % fail a 25 % threshold.
#[test]
fn the_family_wise_fail_threshold_is_reached_at_equality() {
    let base = wall(vec![1e6; 7]);
    let cur = wall(vec![1.25e6, 1.25e6, 2e6, 1.25e6, 1.25e6, 2e6, 1.25e6]);
    let at = Thresholds {
        warn: 0.125,
        fail: 0.25,
        ..t()
    };
    let j = judge_metric(&base, &cur, &at, 1_000, 1);
    assert_eq!(j.effect.unwrap().ratio, 1.25);
    let c = j.family_wise_fail(&base, &cur, &at, None, 3, 1).unwrap();
    assert!(
        c.reason
            .contains("interval [+25.0%, +100.0%], family-wise over 3 comparisons"),
        "{}",
        c.reason
    );
    let above = Thresholds { fail: 0.2501, ..at };
    assert_eq!(j.family_wise_fail(&base, &cur, &above, None, 3, 1), None);
}

/// min_delta holds for family-wise failures too: a time change smaller in absolute terms is not
/// failed (at min_delta it is); other units have no min_delta.
#[test]
fn min_delta_keeps_small_absolute_changes_from_failing_family_wise() {
    let (base, cur, j) = bimodal_change();
    let delta = j.effect.unwrap().delta;
    assert!((delta - 0.2997e6).abs() < 1.0, "{delta}");
    let above = Thresholds {
        min_delta_ns: delta + 1.0,
        ..t()
    };
    assert_eq!(j.family_wise_fail(&base, &cur, &above, None, 10, 1), None);
    let at = Thresholds {
        min_delta_ns: delta,
        ..t()
    };
    assert!(j.family_wise_fail(&base, &cur, &at, None, 10, 1).is_some());
    // Bytes: min_delta (a duration) does not apply.
    let mut bytes = j.clone();
    bytes.unit = Unit::Bytes;
    assert!(
        bytes
            .family_wise_fail(&base, &cur, &above, None, 10, 1)
            .is_some()
    );
}
