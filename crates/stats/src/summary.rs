//! Descriptive summaries of one sample set.

use crate::mean::mean_of_finite;

/// A two-sided interval at a confidence level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    /// The confidence actually attained (order-statistic intervals are conservative); for
    /// bootstrap intervals, the nominal confidence.
    pub confidence: f64,
}

/// The §2 summary of a sample set.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Sample standard deviation (n − 1 denominator); 0 for n = 1.
    pub stddev: f64,
    /// Median absolute deviation from the median, unscaled
    /// (`scipy.stats.median_abs_deviation(x, scale=1.0)`).
    pub mad: f64,
    /// 95th percentile, NumPy's default linear interpolation.
    pub p95: f64,
    /// 99th percentile, NumPy's default linear interpolation.
    pub p99: f64,
    /// 95 % order-statistic interval of the median; `None` when n is too small to reach 95 %
    /// (n < 6).
    pub median_ci: Option<Interval>,
}

impl Summary {
    /// Summarises `samples` (any order). `None` for no samples or any non-finite sample.
    ///
    /// Results are finite except when a true value exceeds `f64::MAX` (e.g. the spread of samples
    /// near ±`f64::MAX`), which gives `+inf`.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mean = mean_of_finite(&sorted);
        let median = median_of_sorted(&sorted);
        let mut deviations: Vec<f64> = sorted.iter().map(|x| (x - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        Some(Summary {
            n,
            mean,
            median,
            min: sorted[0],
            max: sorted[n - 1],
            stddev: sample_stddev(&sorted, mean),
            mad: median_of_sorted(&deviations),
            p95: percentile(&sorted, 95.0),
            p99: percentile(&sorted, 99.0),
            median_ci: median_ci(&sorted, 0.95),
        })
    }
}

/// Median of `samples` (any order), as `numpy.median`. `None` for no samples or any non-finite
/// sample.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut scratch = samples.to_vec();
    Some(median_in_place(&mut scratch))
}

/// Median of non-empty finite data, reordering it (selection, not a full sort). Equals
/// [`median_of_sorted`] of the sorted data exactly, since both pick the same order statistics.
pub(crate) fn median_in_place(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let (left, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    midpoint(lower, upper)
}

/// Median of sorted data: the middle value, or the mean of the two middle values (NaN if empty).
pub(crate) fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

/// `(a + b) / 2` as NumPy computes it, without overflowing for values near ±`f64::MAX`.
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let sum = a + b;
    if sum.is_finite() {
        sum / 2.0
    } else {
        a / 2.0 + b / 2.0
    }
}

/// Sample standard deviation (ddof = 1) of finite data around its `mean`; 0 for one value.
fn sample_stddev(values: &[f64], mean: f64) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let sum_sq: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    if sum_sq.is_finite() {
        return (sum_sq / (n - 1) as f64).sqrt();
    }
    // Squares overflowed (deviations beyond ~1e154): redo the sum on values scaled by an exact
    // power of two, 2⁻⁶⁰⁰; values small enough to lose bits to that are negligible next to them.
    const SCALE: f64 = f64::from_bits((1023 - 600) << 52);
    let scaled_sum_sq: f64 = values
        .iter()
        .map(|x| (x * SCALE - mean * SCALE) * (x * SCALE - mean * SCALE))
        .sum();
    (scaled_sum_sq / (n - 1) as f64).sqrt() / SCALE
}

/// Linear-interpolated percentile of sorted data (numpy's default, Hyndman–Fan type 7); `p` in
/// [0, 100], clamped. NaN for empty data or NaN `p`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    quantile(sorted, p / 100.0)
}

/// Linear-interpolated quantile of sorted data (`numpy.quantile`, method `linear`); `q` in [0, 1],
/// clamped. NaN for empty data or NaN `q`. Interpolates exactly as NumPy does, so results match it
/// bit for bit on the same data.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let below = virtual_index.floor();
    // `below` is in 0..=n-1 because q was clamped, so the cast is exact.
    let lo = below as usize;
    let hi = (lo + 1).min(n - 1);
    numpy_lerp(sorted[lo], sorted[hi], virtual_index - below)
}

/// NumPy's `_lerp`: interpolates from the nearer end for accuracy and exact endpoints.
fn numpy_lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if !diff.is_finite() {
        // a and b are finite but far apart; weights ≤ 1 cannot overflow.
        return a * (1.0 - t) + b * t;
    }
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

const RESCALE_EXPONENT: i64 = 900;
const RESCALE_ABOVE: f64 = 1e250;
const RESCALE_BY: f64 = pow2(-900);

/// 2^e for e in the normal range [−1022, 1023], built from its bits.
const fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// `value · 2^exponent`, for `value` below 2⁸⁵⁰; 0 once that is far below anything a coverage
/// can resolve.
fn scaled(value: f64, exponent: i64) -> f64 {
    if exponent >= -1022 {
        value * pow2(exponent.min(1023))
    } else if exponent >= -2000 {
        value * pow2(-1000) * pow2((exponent + 1000).max(-1022))
    } else {
        0.0
    }
}

/// Distribution-free confidence interval of the median from order statistics: the narrowest
/// symmetric pair of ranks whose Binomial(n, ½) coverage reaches `confidence`.
///
/// With 1-based ranks, the interval is `[x_(k), x_(n−k+1)]` for the largest k with
/// `1 − 2·P(B ≤ k−1) ≥ confidence`, B ~ Binomial(n, ½); `confidence` of the result is that
/// coverage. This is the interval of `scipy.stats.quantile_test(x, q, p=0.5)
/// .confidence_interval(confidence)` (SciPy picks the same ranks via `binom.ppf`/`binom.isf`).
/// `sorted` must be sorted ascending. `None` when empty, when n is too small to reach
/// `confidence`, or when `confidence` is NaN or above 1.
pub fn median_ci(sorted: &[f64], confidence: f64) -> Option<Interval> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    // P(B = j) = C(n, j)·2⁻ⁿ. 2⁻ⁿ underflows for n > 1074 and C(n, j) overflows later, so the
    // running terms are kept as `value · 2^exponent`, rescaled whenever they grow large. This keeps
    // the loop to a few multiplications per rank (no exp/ln), which matters because adaptive
    // sampling asks for this interval again and again.
    let mut exponent = -i64::try_from(n).unwrap_or(i64::MAX);
    let mut pmf = 1.0f64; // C(n, k−1), scaled by 2^(exponent + n)
    let mut cdf = 0.0f64; // P(B ≤ k−1) · 2^(−exponent)
    let mut best: Option<(usize, f64)> = None;
    for k in 1..=n.div_ceil(2) {
        cdf += pmf;
        let coverage_k = 1.0 - 2.0 * scaled(cdf, exponent);
        // Coverage falls as k grows, so the first miss ends the search.
        if coverage_k >= confidence {
            best = Some((k, coverage_k));
        } else {
            break;
        }
        pmf *= (n - (k - 1)) as f64 / k as f64;
        if pmf > RESCALE_ABOVE {
            pmf *= RESCALE_BY;
            cdf *= RESCALE_BY;
            exponent += RESCALE_EXPONENT;
        }
    }
    best.map(|(k, coverage)| Interval {
        lo: sorted[k - 1],
        hi: sorted[n - k],
        confidence: coverage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_rejects_empty_and_non_finite() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[1.0, f64::NAN]), None);
        assert_eq!(Summary::of(&[1.0, f64::INFINITY]), None);
        assert_eq!(Summary::of(&[f64::NEG_INFINITY]), None);
    }

    #[test]
    fn summary_of_one_sample() {
        let s = Summary::of(&[1.5e6]).unwrap();
        assert_eq!(s.n, 1);
        assert_eq!(
            (s.mean, s.median, s.min, s.max),
            (1.5e6, 1.5e6, 1.5e6, 1.5e6)
        );
        assert_eq!((s.stddev, s.mad, s.p95, s.p99), (0.0, 0.0, 1.5e6, 1.5e6));
        assert_eq!(s.median_ci, None);
    }

    #[test]
    fn summary_of_small_known_case() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, 10.0]).unwrap();
        assert_eq!(s.mean, 4.0);
        assert_eq!(s.median, 3.0);
        assert_eq!((s.min, s.max), (1.0, 10.0));
        // Deviations from 3: 1, 2, 0, 1, 7 → median 1.
        assert_eq!(s.mad, 1.0);
        // Σ(x−4)² = 0 + 9 + 1 + 4 + 36 = 50, /4 → 12.5.
        assert!((s.stddev - 12.5f64.sqrt()).abs() < 1e-15);
        // Virtual index 4·0.95 = 3.8: 4 + 0.8·(10 − 4).
        assert!((s.p95 - 8.8).abs() < 1e-12);
    }

    #[test]
    fn all_equal_samples_have_zero_spread() {
        let s = Summary::of(&[7.0; 20]).unwrap();
        assert_eq!((s.stddev, s.mad, s.p99), (0.0, 0.0, 7.0));
        assert_eq!(s.median_ci.map(|ci| (ci.lo, ci.hi)), Some((7.0, 7.0)));
    }

    #[test]
    fn extreme_magnitudes_do_not_overflow_to_nan() {
        let s = Summary::of(&[f64::MAX, -f64::MAX, f64::MAX]).unwrap();
        assert!(!s.mean.is_nan() && !s.stddev.is_nan() && !s.mad.is_nan());
        assert_eq!(s.median, f64::MAX);
        let s = Summary::of(&[f64::MAX, f64::MAX / 2.0]).unwrap();
        assert_eq!(s.mean, 0.75 * f64::MAX);
        assert!((s.stddev / (0.5 * f64::MAX / 2f64.sqrt()) - 1.0).abs() < 1e-15);
        assert_eq!(percentile(&[-f64::MAX, f64::MAX], 0.0), -f64::MAX);
        assert_eq!(percentile(&[-f64::MAX, f64::MAX], 50.0), 0.0);
    }

    #[test]
    fn percentile_edges() {
        assert!(percentile(&[], 50.0).is_nan());
        assert!(percentile(&[1.0, 2.0], f64::NAN).is_nan());
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], -5.0), 1.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 250.0), 3.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), 2.5);
    }

    #[test]
    fn median_helper() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn median_ci_known_small_cases() {
        let sorted: Vec<f64> = (1..=5).map(f64::from).collect();
        // n = 5: best symmetric interval [x1, x5] covers 1 − 2/32 = 0.9375 < 0.95.
        assert_eq!(median_ci(&sorted, 0.95), None);
        let ci = median_ci(&sorted, 0.9).unwrap();
        assert_eq!((ci.lo, ci.hi, ci.confidence), (1.0, 5.0, 0.9375));
        let sorted: Vec<f64> = (1..=6).map(f64::from).collect();
        let ci = median_ci(&sorted, 0.95).unwrap();
        assert_eq!((ci.lo, ci.hi, ci.confidence), (1.0, 6.0, 1.0 - 2.0 / 64.0));
        // n = 10: P(B ≤ 1) = 11/1024 → coverage 0.978515625 with ranks 2 and 9.
        let sorted: Vec<f64> = (1..=10).map(f64::from).collect();
        let ci = median_ci(&sorted, 0.95).unwrap();
        assert_eq!(
            (ci.lo, ci.hi, ci.confidence),
            (2.0, 9.0, 1.0 - 22.0 / 1024.0)
        );
    }

    #[test]
    fn median_ci_edges() {
        assert_eq!(median_ci(&[], 0.95), None);
        assert_eq!(median_ci(&[1.0], 0.95), None);
        assert_eq!(median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], f64::NAN), None);
        assert_eq!(median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1.5), None);
    }

    #[test]
    fn median_ci_large_n_does_not_underflow() {
        // 2⁻ⁿ underflows to 0 here; a naive recurrence would collapse to the median itself.
        let n = 5000;
        let sorted: Vec<f64> = (0..n).map(f64::from).collect();
        let ci = median_ci(&sorted, 0.95).unwrap();
        // Normal approximation: half-width ≈ 1.96·√n/2 ≈ 69 ranks.
        let half_width = (ci.hi - ci.lo) / 2.0;
        assert!((65.0..75.0).contains(&half_width), "{ci:?}");
        assert!(ci.confidence >= 0.95 && ci.confidence < 0.96);
    }
}
