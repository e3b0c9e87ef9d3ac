//! Noise floors on seeded synthetic histories: one slow run does not make the floor, a floor
//! estimates what it claims (noise stays within it about 95 % of the time), and A/A changes give
//! the known value.

use benchgate_gate::{FloorRefusal, floor_from_changes, floor_from_history};
use benchgate_stats::Rng;

/// A standard normal deviate (Box–Muller) from the seeded generator.
fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.next_f64().max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// `runs` run medians at 1 ms with lognormal run-to-run noise `sigma`.
fn history(rng: &mut Rng, runs: usize, sigma: f64) -> Vec<f64> {
    (0..runs)
        .map(|_| 1e6 * (sigma * normal(rng)).exp())
        .collect()
}

/// The old floor: the largest change between consecutive runs.
fn largest_change(level: &[f64]) -> f64 {
    level
        .windows(2)
        .map(|w| (w[1] / w[0] - 1.0).abs())
        .fold(0.0, f64::max)
}

#[test]
fn one_slow_run_in_thirty_does_not_make_the_floor() {
    let mut rng = Rng::seed_from_u64(20261206);
    let (mut robust_ok, mut old_inflated) = (0, 0);
    for _ in 0..200 {
        let clean = history(&mut rng, 30, 0.01);
        let mut spiked = clean.clone();
        let at = rng.index(30);
        spiked[at] *= 1.4; // one run 40 % slow (a noisy neighbour, a cold cache)
        let without = floor_from_history(&clean).unwrap().relative;
        let with = floor_from_history(&spiked).unwrap();
        assert!(with.outliers >= 1, "the slow run is left out: {with:?}");
        // Leaving one run out changes the floor by little.
        if (with.relative - without).abs() <= 0.25 * without {
            robust_ok += 1;
        }
        if largest_change(&spiked) > 0.13 {
            old_inflated += 1;
        }
        // The floor is about 1.96·√2·1 % ≈ 2.8 %, never the 40 % of the slow run.
        assert!(with.relative > 0.01 && with.relative < 0.06, "{with:?}");
    }
    assert!(robust_ok >= 190, "{robust_ok} of 200");
    // The largest consecutive change would have been at least 13 % in every one of them.
    assert_eq!(old_inflated, 200);
}

#[test]
fn the_floor_covers_95_percent_of_run_to_run_changes() {
    // Learn a floor from 30 runs, then count how often the change between two further runs of
    // the same code exceeds it: about 5 % of the time.
    let mut rng = Rng::seed_from_u64(7);
    let (mut beyond, mut total) = (0usize, 0usize);
    for _ in 0..300 {
        let floor = floor_from_history(&history(&mut rng, 30, 0.02))
            .unwrap()
            .relative;
        for _ in 0..20 {
            let pair = history(&mut rng, 2, 0.02);
            total += 1;
            if (pair[1] / pair[0] - 1.0).abs() > floor {
                beyond += 1;
            }
        }
    }
    let rate = beyond as f64 / total as f64;
    assert!(rate > 0.03 && rate < 0.09, "{rate}");
}

#[test]
fn aa_changes_give_the_known_floor() {
    // |ln(1.01)| = |ln(0.99)|·(1 + …): median |d| = ln 1.01 → 1.96 · 1.4826 · 0.00995 = 2.93 %.
    let f = floor_from_changes(&[0.01, 1.0 / 1.01 - 1.0, 0.01, 1.0 / 1.01 - 1.0]).unwrap();
    let expected = (1.959_963_984_540_054 * 1.482_602_218_505_602 * 1.01f64.ln()).exp_m1();
    assert!((f.relative - expected).abs() < 1e-15, "{}", f.relative);
    assert!((f.relative - 0.0293).abs() < 1e-4);
    // One disturbed round of five does not move it much; the largest change would be 30 %.
    let f2 = floor_from_changes(&[0.01, -0.0099, 0.30, 0.01, -0.0099]).unwrap();
    assert!(f2.relative < 0.03, "{}", f2.relative);
    assert_eq!(
        floor_from_changes(&[0.01; 3]),
        Err(FloorRefusal::TooFewChanges {
            changes: 3,
            needed: 4
        })
    );
}
