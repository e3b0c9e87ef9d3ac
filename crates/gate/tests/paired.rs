//! Verdicts on paired A/B samples: fixed pairs and adaptive stopping, on synthetic data whose
//! effect is known.

use benchgate_gate::{Sequential, judge_pair_sets, judge_pairs, log_ratios};
use benchgate_model::{Direction, Severity, Thresholds, VerdictKind};
use benchgate_stats::Rng;

/// `n` base times around 1 ms with drift and ±2 % noise; head = base × `factor` × its own noise.
fn pairs(n: usize, factor: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::seed_from_u64(seed);
    let mut noise = || 1.0 + 0.04 * (rng.next_f64() - 0.5);
    let mut base = Vec::new();
    let mut head = Vec::new();
    for i in 0..n {
        // Slow drift of the machine: both members of a pair share it.
        let drift = 1.0 + 0.2 * (i as f64 / n as f64);
        base.push(1e6 * drift * noise());
        head.push(1e6 * drift * factor * noise());
    }
    (base, head)
}

#[test]
fn log_ratios_need_positive_pairs() {
    assert_eq!(
        log_ratios(&[1.0, 2.0], &[2.0, 2.0]),
        Some(vec![2f64.ln(), 0.0])
    );
    assert_eq!(log_ratios(&[1.0], &[1.0, 2.0]), None);
    assert_eq!(log_ratios(&[0.0], &[1.0]), None);
    assert_eq!(log_ratios(&[1.0], &[f64::NAN]), None);
}

#[test]
fn fixed_pairs_grade_the_effect() {
    let t = Thresholds::default();
    let (base, head) = pairs(30, 1.20, 1);
    let j = judge_pairs(&base, &head, Direction::LowerIsBetter, &t);
    assert_eq!(
        (j.kind, j.severity),
        (VerdictKind::Regressed, Some(Severity::Fail)),
        "{j:?}"
    );
    let ratio = j.effect.unwrap().ratio;
    assert!((ratio - 1.20).abs() < 0.01, "{ratio}");
    assert!(j.p_value.unwrap() < 1e-6);
    assert!(
        j.reason.contains("reaches the 10% fail threshold"),
        "{}",
        j.reason
    );

    // The drift (20 % over the run) would swamp an unpaired comparison; pairs cancel it.
    let (base, head) = pairs(30, 1.0, 2);
    let j = judge_pairs(&base, &head, Direction::LowerIsBetter, &t);
    assert_eq!(j.kind, VerdictKind::Unchanged, "{j:?}");
    assert!((j.effect.unwrap().ratio - 1.0).abs() < 0.01);

    let (base, head) = pairs(30, 0.8, 3);
    let j = judge_pairs(&base, &head, Direction::LowerIsBetter, &t);
    assert_eq!(j.kind, VerdictKind::Improved, "{j:?}");
    // Higher is better turns the same data into a regression.
    let j = judge_pairs(&base, &head, Direction::HigherIsBetter, &t);
    assert_eq!(
        (j.kind, j.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );

    // 4 pairs can never reach p < 0.05 (the smallest two-sided p is 2/2⁴).
    let (base, head) = pairs(4, 2.0, 4);
    let j = judge_pairs(&base, &head, Direction::LowerIsBetter, &t);
    assert_eq!(j.kind, VerdictKind::InsufficientData, "{j:?}");
}

#[test]
fn several_benchmarks_share_one_false_discovery_rate() {
    let t = Thresholds {
        warn: 0.0,
        ..Thresholds::default()
    };
    // Twenty unchanged benchmarks and one with a real 10 % slowdown.
    let mut data: Vec<(Vec<f64>, Vec<f64>)> = (0..20).map(|s| pairs(12, 1.0, 100 + s)).collect();
    data.push(pairs(12, 1.10, 7));
    let sets: Vec<(&[f64], &[f64])> = data
        .iter()
        .map(|(b, h)| (b.as_slice(), h.as_slice()))
        .collect();
    let js = judge_pair_sets(&sets, Direction::LowerIsBetter, &t);
    assert_eq!(js.len(), 21);
    let flagged: Vec<usize> = js
        .iter()
        .enumerate()
        .filter(|(_, j)| j.kind == VerdictKind::Regressed)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(flagged, [20]);
    for j in &js {
        assert!(j.q_value.unwrap() >= j.p_value.unwrap());
    }
}

#[test]
fn the_spent_error_rate_stays_below_alpha() {
    let total: f64 = (1..=10_000).map(|k| Sequential::alpha_at(0.05, k)).sum();
    assert!(total < 0.05 && total > 0.0499, "{total}");
    assert_eq!(
        Sequential::alpha_at(0.05, 1),
        0.05 * 6.0 / (std::f64::consts::PI.powi(2))
    );
}

#[test]
fn adaptive_stopping_decides_as_soon_as_the_interval_is_clear() {
    let t = Thresholds::default();
    // Identical, deterministic inputs: every log-ratio is 0, the interval is [0, 0]: unchanged
    // at the first look that has an interval.
    let same: Vec<f64> = (0..10).map(|i| 1e6 + i as f64).collect();
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    let j = s.look(&same, &same).expect("decided");
    assert_eq!(j.kind, VerdictKind::Unchanged, "{j:?}");
    assert!(j.reason.ends_with(" lies within ±5%"), "{}", j.reason);
    // A 2× slowdown: regressed, failing, at once.
    let (base, head) = pairs(10, 2.0, 5);
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    let j = s.look(&base, &head).expect("decided");
    assert_eq!(
        (j.kind, j.severity),
        (VerdictKind::Regressed, Some(Severity::Fail))
    );
    // A change right at the edge of the band cannot be decided: sampling goes on, and when
    // time is up the verdict is inconclusive, never a pass.
    let (base, head) = pairs(12, 1.05, 6);
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    assert!(s.look(&base, &head).is_none());
    let j = s.conclude(&base, &head);
    assert_eq!(j.kind, VerdictKind::Inconclusive, "{j:?}");
    assert!(
        j.reason.ends_with("stopped by the time or pair limit"),
        "{}",
        j.reason
    );
    assert_eq!(s.looks(), 2);
    // Too few pairs for an interval: insufficient data.
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    let j = s.conclude(&base[..3], &head[..3]);
    assert_eq!(j.kind, VerdictKind::InsufficientData, "{j:?}");
}

/// Times around 1 ms, one per pair, rising slowly.
fn bases(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1e6 + 1e4 * i as f64).collect()
}

/// `base[i] × factors[i]`.
fn times(base: &[f64], factors: &[f64]) -> Vec<f64> {
    base.iter().zip(factors).map(|(b, f)| b * f).collect()
}

/// A ratio of times needs both times positive: a head time of 0 (or below) has no log-ratio.
#[test]
fn a_zero_head_time_has_no_log_ratio() {
    assert_eq!(log_ratios(&[1.0], &[0.0]), None);
    assert_eq!(log_ratios(&[1.0, 1.0], &[2.0, -1.0]), None);
}

/// The effect's delta is the difference of the two sides' medians, in their unit.
#[test]
fn the_paired_delta_is_the_difference_of_the_medians() {
    let base: Vec<f64> = (1..=7).map(|i| f64::from(i) * 1e6).collect();
    let head: Vec<f64> = base.iter().map(|b| b * 1.5).collect();
    let j = judge_pairs(
        &base,
        &head,
        Direction::LowerIsBetter,
        &Thresholds::default(),
    );
    let effect = j.effect.unwrap();
    assert_eq!(effect.delta, 2e6);
    assert!((effect.ratio - 1.5).abs() < 1e-12, "{}", effect.ratio);
}

/// Higher is better: a drop of 6–8 % is a warning (not a failure), a rise an improvement.
#[test]
fn higher_is_better_grades_drops_by_their_size() {
    let t = Thresholds::default();
    let base = bases(12);
    let factors: Vec<f64> = (0..12)
        .map(|i| 0.93 + 0.001 * ((i * 5) % 12) as f64)
        .collect();
    let j = judge_pairs(
        &base,
        &times(&base, &factors),
        Direction::HigherIsBetter,
        &t,
    );
    assert_eq!(
        (j.kind, j.severity),
        (VerdictKind::Regressed, Some(Severity::Warn)),
        "{j:?}"
    );
    let factors: Vec<f64> = factors.iter().map(|f| f + 0.27).collect();
    let j = judge_pairs(
        &base,
        &times(&base, &factors),
        Direction::HigherIsBetter,
        &t,
    );
    assert_eq!((j.kind, j.severity), (VerdictKind::Improved, None), "{j:?}");
}

/// The reason gives the change, p (and q when adjusted), and the interval at its achieved
/// confidence; significance is strict and needed for an improvement too.
#[test]
fn fixed_pair_reasons_and_strict_significance() {
    // Seven pairs 20 % faster, one 1 % slower: p = 2·2/2⁸ = 0.016.
    let base = bases(8);
    let head = times(&base, &[0.80, 0.79, 0.81, 0.78, 1.01, 0.82, 0.77, 0.795]);
    let j = judge_pairs(
        &base,
        &head,
        Direction::LowerIsBetter,
        &Thresholds::default(),
    );
    assert_eq!(j.kind, VerdictKind::Improved);
    assert_eq!(
        j.reason,
        "-20.0% (p=0.016, 96.1% interval [-22.0%, -10.1%])"
    );
    assert_eq!(j.q_value, Some(0.015625));
    // At α = 0.01 it is not significant, so not an improvement, however far the interval.
    let strict = Thresholds {
        alpha: 0.01,
        ..Thresholds::default()
    };
    let j = judge_pairs(&base, &head, Direction::LowerIsBetter, &strict);
    assert_eq!((j.kind, j.severity), (VerdictKind::Unchanged, None));
    assert_eq!(
        j.reason,
        "no significant change: -20.0% (p=0.016, 96.1% interval [-22.0%, -10.1%])"
    );
    // Six pairs all 20–25 % slower: p = 2/2⁶ = 0.03125; at α = p exactly, not significant.
    let head6 = times(&base[..6], &[1.2, 1.21, 1.22, 1.23, 1.24, 1.25]);
    let at = Thresholds {
        alpha: 0.03125,
        ..Thresholds::default()
    };
    let j = judge_pairs(&base[..6], &head6, Direction::LowerIsBetter, &at);
    assert_eq!(
        (j.kind, j.severity),
        (VerdictKind::Unchanged, None),
        "{j:?}"
    );
    assert_eq!(
        j.reason,
        "no significant change: +22.5% (p=0.031, 96.9% interval [+20.0%, +25.0%])"
    );
    // Adjusted with an unchanged benchmark: q is shown beside p.
    let same = times(&base, &[1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.005]);
    let sets: Vec<(&[f64], &[f64])> = vec![(&base, &head), (&base, &same)];
    let js = judge_pair_sets(&sets, Direction::LowerIsBetter, &Thresholds::default());
    assert_eq!(js[0].q_value, Some(0.03125));
    assert!(
        js[0]
            .reason
            .starts_with("-20.0% (p=0.016, adjusted q=0.031, 96.1% interval"),
        "{}",
        js[0].reason
    );
}

/// A set whose pairs cannot reach α (though they have an interval) takes no part in the
/// adjustment of the others, and says it cannot reach significance.
#[test]
fn untestable_pair_sets_take_no_part_in_the_adjustment() {
    let t = Thresholds {
        alpha: 0.01,
        ..Thresholds::default()
    };
    let b12 = bases(12);
    let h12: Vec<f64> = b12
        .iter()
        .enumerate()
        .map(|(i, b)| b * (1.3 + 0.003 * i as f64))
        .collect();
    let b6 = bases(6);
    let h6 = times(&b6, &[1.2, 1.21, 1.22, 1.23, 1.24, 1.25]);
    let sets: Vec<(&[f64], &[f64])> = vec![(&b12, &h12), (&b6, &h6)];
    let js = judge_pair_sets(&sets, Direction::LowerIsBetter, &t);
    // 12 pairs all slower: p = 2/2¹², alone in its family.
    assert_eq!(js[0].p_value, Some(2.0 / 4096.0));
    assert_eq!(js[0].q_value, js[0].p_value);
    assert_eq!(js[0].severity, Some(Severity::Fail));
    assert!(js[1].effect.unwrap().ci.is_some());
    assert_eq!(js[1].q_value, None);
    assert_eq!(js[1].kind, VerdictKind::InsufficientData);
    assert_eq!(
        js[1].reason,
        "6 pairs cannot reach significance at α=0.01 (smallest possible p=0.031); run more"
    );
}

/// 20 pairs `factor` × base with a ±`noise` spread.
fn noisy(factor: f64, noise: f64) -> (Vec<f64>, Vec<f64>) {
    let base = bases(20);
    let factors: Vec<f64> = (0..20)
        .map(|i| factor + noise * (((i * 7) % 20) as f64 / 20.0 - 0.5))
        .collect();
    let head = times(&base, &factors);
    (base, head)
}

/// The band is open: an interval whose near end touches ±warn exactly is not inside it, so
/// sampling goes on.
#[test]
fn an_interval_touching_the_band_edge_is_not_inside_it() {
    let probe = |base: &[f64], head: &[f64]| {
        let mut s = Sequential::new(
            Direction::LowerIsBetter,
            Thresholds {
                warn: 10.0,
                fail: 20.0,
                ..Thresholds::default()
            },
        );
        s.look(base, head).unwrap().effect.unwrap().ci.unwrap()
    };
    // About 10 % faster: the interval's far end (the lower one) at −warn.
    let (base, head) = noisy(0.9, 0.04);
    let ci = probe(&base, &head);
    let t = Thresholds {
        warn: 1.0 - ci.lo,
        fail: 1.0,
        ..Thresholds::default()
    };
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    assert_eq!(s.look(&base, &head), None);
    // About 10 % slower: the upper end at +warn.
    let (base, head) = noisy(1.1, 0.04);
    let ci = probe(&base, &head);
    let t = Thresholds {
        warn: ci.hi - 1.0,
        fail: 1.0,
        ..Thresholds::default()
    };
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    assert_eq!(s.look(&base, &head), None);
    let j = s.conclude(&base, &head);
    assert_eq!(j.kind, VerdictKind::Inconclusive, "{j:?}");
}

/// A decided "no change" says whether the change is nevertheless significant (p < α, strictly),
/// and the look's level is shown with four significant digits.
#[test]
fn a_change_within_the_band_says_whether_it_is_significant() {
    let t = Thresholds::default();
    // +1 %, every pair: p = 2/2²⁰.
    let (base, head) = noisy(1.01, 0.002);
    let mut s = Sequential::new(Direction::LowerIsBetter, t);
    let j = s.look(&base, &head).unwrap();
    assert_eq!(j.kind, VerdictKind::Unchanged);
    assert_eq!(
        j.reason,
        "significant +1.0% after 20 pairs (97.0% interval [+1.0%, +1.0%], look 1 at α=0.0304) \
         but lies within ±5%"
    );
    // +1 % ± 1.5 %: some pairs faster, p well above the smallest possible; at α = p exactly it
    // is not significant.
    let (base, head) = noisy(1.01, 0.03);
    let p = Sequential::new(Direction::LowerIsBetter, t)
        .look(&base, &head)
        .unwrap()
        .p_value
        .unwrap();
    assert!(p > 1e-4 && p < 0.001, "{p}");
    let at = Thresholds { alpha: p, ..t };
    let j = Sequential::new(Direction::LowerIsBetter, at)
        .look(&base, &head)
        .unwrap();
    assert_eq!(j.kind, VerdictKind::Unchanged, "{j:?}");
    assert!(!j.reason.starts_with("significant"), "{}", j.reason);
    assert!(j.reason.ends_with(" lies within ±5%"), "{}", j.reason);
    // The level of look 1 is p·6/π², written with significant digits when small.
    let level = Sequential::alpha_at(p, 1);
    assert!(level < 0.001);
    assert!(
        j.reason.contains(&format!("look 1 at α={level:.2e})")),
        "{}",
        j.reason
    );
}

/// The final verdict never reuses the last look's when that look was at other pairs: pairs
/// with a time of 0 have no estimate at all, so there is no verdict on them but insufficient
/// data.
#[test]
fn concluding_on_other_pairs_never_returns_an_earlier_verdict() {
    let (base, head) = pairs(12, 1.05, 6);
    let mut s = Sequential::new(Direction::LowerIsBetter, Thresholds::default());
    assert!(s.look(&base, &head).is_none());
    let (mut base, mut head) = (base, head);
    base.push(1e6);
    head.push(0.0);
    let j = s.conclude(&base, &head);
    assert_eq!(j.kind, VerdictKind::InsufficientData, "{j:?}");
    assert_eq!((j.pairs, j.effect), (13, None));
    // And it says why: more pairs would not help.
    assert_eq!(
        j.reason,
        "a time that is zero, negative or not finite has no ratio to judge"
    );
    // Too few pairs for any interval say that instead.
    let mut s = Sequential::new(Direction::LowerIsBetter, Thresholds::default());
    let j = s.conclude(&[1e6, 1e6], &[1e6, 1.1e6]);
    assert_eq!(j.reason, "2 pairs are too few for an interval; run more");
}
