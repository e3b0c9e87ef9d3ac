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
