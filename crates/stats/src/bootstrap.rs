//! Seeded percentile bootstrap of the ratio of medians.

use crate::rng::Rng;
use crate::summary::{Interval, midpoint, quantile};

/// Percentile-bootstrap interval of `median(current) / median(baseline)`.
///
/// The procedure is fixed so that it can be replayed exactly (see
/// `tests/fixtures/make_fixtures.py`):
/// 1. `rng = Rng::seed_from_u64(seed)`.
/// 2. For each of `resamples` rounds: draw `baseline.len()` indices with
///    `rng.index(baseline.len())` and take the median of those baseline values; then draw
///    `current.len()` indices with `rng.index(current.len())` and take the median of those current
///    values; record `median_current / median_baseline`.
/// 3. Sort the ratios and take `quantile(ratios, (1 − confidence)/2)` and
///    `quantile(ratios, (1 + confidence)/2)` ([`quantile`] = NumPy's linear method).
///
/// Medians are NumPy's (mean of the middle two for even n). The returned `confidence` is the
/// nominal one. `None` if either group is empty or has a non-finite value, `resamples` is 0,
/// `confidence` is not strictly between 0 and 1, or any resampled baseline median is 0 or any
/// ratio is non-finite (a ratio to zero has no meaning).
pub fn ratio_of_medians_ci(
    baseline: &[f64],
    current: &[f64],
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Option<Interval> {
    let valid_group = |g: &[f64]| !g.is_empty() && g.iter().all(|x| x.is_finite());
    let valid_input = valid_group(baseline)
        && valid_group(current)
        && resamples > 0
        && confidence > 0.0
        && confidence < 1.0;
    if !valid_input {
        return None;
    }
    let mut rng = Rng::seed_from_u64(seed);
    let mut baseline = Ranked::new(baseline);
    let mut current = Ranked::new(current);
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let baseline_median = baseline.resample_median(&mut rng);
        let current_median = current.resample_median(&mut rng);
        let ratio = current_median / baseline_median;
        if baseline_median == 0.0 || !ratio.is_finite() {
            return None;
        }
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    Some(Interval {
        lo: quantile(&ratios, (1.0 - confidence) / 2.0),
        hi: quantile(&ratios, (1.0 + confidence) / 2.0),
        confidence,
    })
}

/// A sample prepared for fast bootstrap medians. A resample draws `n` indices into the sample;
/// its median is the value at the middle *rank* among the drawn indices, which counting finds in
/// O(n) without comparing floats. The draws and the result are exactly those of sorting (or
/// selecting among) the drawn values, several times faster on large (e.g. pooled) samples.
struct Ranked {
    /// The values in ascending order.
    sorted: Vec<f64>,
    /// `rank[i]`: where value `i` of the original sample sits in `sorted`.
    rank: Vec<usize>,
    /// How often each rank was drawn in the current resample.
    counts: Vec<u32>,
}

impl Ranked {
    fn new(values: &[f64]) -> Ranked {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
        let mut rank = vec![0; values.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        Ranked {
            sorted: order.iter().map(|&i| values[i]).collect(),
            rank,
            counts: vec![0; values.len()],
        }
    }

    /// The median of one resample with replacement (NumPy's: mean of the two middle values for
    /// even n).
    fn resample_median(&mut self, rng: &mut Rng) -> f64 {
        let n = self.sorted.len();
        self.counts.fill(0);
        for _ in 0..n {
            self.counts[self.rank[rng.index(n)]] += 1;
        }
        // The drawn ranks in order; the median needs the ((n−1)/2)-th and (n/2)-th of them.
        let (lo_k, hi_k) = ((n - 1) / 2, n / 2);
        let (mut lo, mut seen) = (None, 0usize);
        for (r, &c) in self.counts.iter().enumerate() {
            seen += c as usize;
            if lo.is_none() && seen > lo_k {
                lo = Some(r);
            }
            if seen > hi_k {
                let lo = lo.unwrap_or(r);
                return if n % 2 == 1 {
                    self.sorted[r]
                } else {
                    midpoint(self.sorted[lo], self.sorted[r])
                };
            }
        }
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_invalid_input() {
        let x = [1.0, 2.0, 3.0];
        assert_eq!(ratio_of_medians_ci(&[], &x, 0.95, 100, 1), None);
        assert_eq!(ratio_of_medians_ci(&x, &[], 0.95, 100, 1), None);
        assert_eq!(ratio_of_medians_ci(&x, &[f64::NAN], 0.95, 100, 1), None);
        assert_eq!(
            ratio_of_medians_ci(&[f64::INFINITY], &x, 0.95, 100, 1),
            None
        );
        assert_eq!(ratio_of_medians_ci(&x, &x, 0.95, 0, 1), None);
        for confidence in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert_eq!(ratio_of_medians_ci(&x, &x, confidence, 100, 1), None);
        }
    }

    #[test]
    fn zero_baseline_median_is_rejected() {
        assert_eq!(
            ratio_of_medians_ci(&[0.0, 0.0, 0.0], &[1.0], 0.95, 10, 1),
            None
        );
        // Occasional resamples with median 0 poison the whole interval.
        assert_eq!(
            ratio_of_medians_ci(&[0.0, 1.0], &[1.0], 0.95, 1000, 1),
            None
        );
    }

    #[test]
    fn a_ratio_that_overflows_is_rejected() {
        // Both medians are finite and non-zero, but their ratio is not.
        assert_eq!(
            ratio_of_medians_ci(&[1e-300; 3], &[1e300; 3], 0.95, 10, 1),
            None
        );
    }

    #[test]
    fn an_even_resample_takes_the_midpoint() {
        // Resamples of [1, 3] have median 1, 2 (either order of one of each) or 3 with
        // probabilities ¼, ½, ¼, so the middle 40 % of the ratios 2 / median are all 2 / 2.
        let ci = ratio_of_medians_ci(&[1.0, 3.0], &[2.0], 0.4, 4000, 3).unwrap();
        assert_eq!((ci.lo, ci.hi), (1.0, 1.0));
    }

    #[test]
    fn single_values_give_a_point_interval() {
        let ci = ratio_of_medians_ci(&[2.0], &[3.0], 0.95, 50, 9).unwrap();
        assert_eq!((ci.lo, ci.hi, ci.confidence), (1.5, 1.5, 0.95));
    }

    #[test]
    fn deterministic_per_seed_and_sensible() {
        let baseline: Vec<f64> = (0..30)
            .map(|i| 1.0e6 + f64::from(i * 37 % 30) * 1.0e3)
            .collect();
        let current: Vec<f64> = baseline.iter().map(|x| x * 1.1).collect();
        let a = ratio_of_medians_ci(&baseline, &current, 0.95, 2000, 5).unwrap();
        let b = ratio_of_medians_ci(&baseline, &current, 0.95, 2000, 5).unwrap();
        let c = ratio_of_medians_ci(&baseline, &current, 0.95, 2000, 6).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.lo < 1.1 && 1.1 < a.hi && a.lo > 1.0 && a.hi < 1.2,
            "{a:?}"
        );
    }
}
