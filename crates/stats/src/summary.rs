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
    /// benchstat's 95 % order-statistic interval of the median ([`median_ci`]); `None` when n
    /// is too small for both ends to be sample values (n < 6).
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
pub(crate) fn numpy_lerp(a: f64, b: f64, t: f64) -> f64 {
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

/// Which order statistics bound the confidence interval of the median, and the confidence they
/// attain: go-moremath's `QuantileCI(n, 0.5, confidence)` (github.com/aclements/go-moremath,
/// `stats/quantileci.go`, Copyright 2020 The Go Authors, BSD-style license; ported in
/// [`median_ranks`]), the interval benchstat prints as `± x%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianRanks {
    /// 1-based order statistic of the lower end; 0 means −∞ (the sample is too small).
    pub lo_order: usize,
    /// 1-based order statistic of the upper end; n + 1 means +∞.
    pub hi_order: usize,
    /// The confidence attained, ≥ the confidence asked for (1 for the infinite interval).
    pub confidence: f64,
}

impl MedianRanks {
    /// Whether both ends are sample values (`1 ≤ lo_order` and `hi_order ≤ n`).
    pub fn is_finite(&self, n: usize) -> bool {
        self.lo_order >= 1 && self.hi_order <= n
    }
}

/// Up to this n, go-moremath sums exact binomial probabilities; beyond, it uses the normal
/// approximation (its `quantileCIApproxThreshold`).
const QUANTILE_CI_EXACT_MAX_N: usize = 30;

/// The order statistics of the median's interval for n samples at `confidence`, exactly as
/// go-moremath's `QuantileCI(n, 0.5, confidence)` chooses them (benchstat calls it with 0.95).
///
/// - `confidence ≥ 1`: the whole line, orders 0 and n + 1, confidence 1.
/// - n ≤ 30: start at the Binomial(n, ½) mode (the lower one of two) and add the larger of the
///   two neighbouring probabilities, the left one when they are equal, until the sum reaches
///   `confidence`. The result is symmetric or one rank longer on one side (`[x_(1), x_(7)]` for
///   n = 8: the outlier x_(8) is outside). The probabilities are go-moremath's `Choose(n, k)·2⁻ⁿ`:
///   exact integers up to n = 20, `exp(lgamma)` above, where a probability and its mirror image
///   can differ in the last bits, which then decides the side of the longer end (n = 24 at 95 %:
///   orders 8 and 18, not 7 and 17). benchgate evaluates the same formulas with `libm`, whose
///   lgamma gives Go's bits at every argument used here, so each mirror-image comparison comes out
///   as in go-moremath; its exp may differ from Go's in the last bit (as Go's own amd64 assembly
///   and pure-Go `Exp` do), which matters only for a confidence within about 1e-15 of a coverage
///   the search attains (`tests/gomoremath_agreement.rs` checks all of them).
/// - n > 30: the normal approximation N(n/2, n/4) with continuity correction, rounded out to
///   whole ranks (symmetric), then narrowed by one rank on the right when that still reaches
///   `confidence` and lowers the attained confidence (go-moremath's "left-biasing").
///
/// Orders below 1 or above n are infinite ends (the sample is too small): n ≤ 5 at 95 %, where
/// n = 5 gives `[−∞, x_(5)]` with confidence 31/32. `confidence` NaN gives `None`; below 0 it is
/// taken as 0 (the narrowest interval around the median). O(n) up to n = 30 and O(1) beyond.
pub fn median_ranks(n: usize, confidence: f64) -> Option<MedianRanks> {
    if confidence.is_nan() {
        return None;
    }
    if confidence >= 1.0 {
        return Some(MedianRanks {
            lo_order: 0,
            hi_order: n.saturating_add(1),
            confidence: 1.0,
        });
    }
    let confidence = confidence.max(0.0);
    Some(if n <= QUANTILE_CI_EXACT_MAX_N {
        exact_median_ranks(n, confidence)
    } else {
        approximate_median_ranks(n, confidence)
    })
}

/// go-moremath's `mathx.Choose(n, k)` for n ≤ 30: exact below 21, `exp(lgamma)` otherwise.
fn go_choose(n: usize, k: usize) -> f64 {
    if k == 0 || k == n {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if n <= 20 {
        // n!/(n−k)! fits in 63 bits for n ≤ 20 (Go's int64 arithmetic; exact here too).
        let numerator: u64 = ((n - k + 1) as u64..=n as u64).product();
        let denominator: u64 = (1..=k as u64).product();
        return (numerator / denominator) as f64;
    }
    let lgamma = |x: usize| libm::lgamma_r(x as f64).0;
    libm::exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1))
}

/// go-moremath's `BinomialDist{N: n, P: 0.5}.PMF(k)`, for k in any range.
fn binomial_half_pmf(n: usize, k: isize) -> f64 {
    match usize::try_from(k) {
        // Choose(n, k)·0.5^k·0.5^(n−k): scaling by exact powers of two (n ≤ 30, no underflow).
        Ok(k) if k <= n => go_choose(n, k) * pow2(-(n as i64)),
        _ => 0.0,
    }
}

/// The exact branch of `QuantileCI`, step by step as go-moremath takes it (the same additions in
/// the same order, so the same attained confidence).
fn exact_median_ranks(n: usize, confidence: f64) -> MedianRanks {
    // Mode: ceil((n+1)·0.5) − 1 = ⌊(n+1)/2⌋ rounded up, minus 1, i.e. ⌈(n+1)/2⌉ − 1.
    let x = (n + 1).div_ceil(2) as isize - 1;
    let mut accum = binomial_half_pmf(n, x);
    let (mut l, mut r) = (x, x + 1);
    let (mut lp, mut rp) = (binomial_half_pmf(n, l - 1), binomial_half_pmf(n, r));
    while accum < confidence && (lp > 0.0 || rp > 0.0) {
        if lp >= rp {
            accum += lp;
            l -= 1;
            lp = binomial_half_pmf(n, l - 1);
        } else {
            accum += rp;
            r += 1;
            rp = binomial_half_pmf(n, r);
        }
    }
    MedianRanks {
        lo_order: usize::try_from(l).unwrap_or(0),
        hi_order: usize::try_from(r).unwrap_or(0).min(n + 1),
        confidence: accum,
    }
}

/// The normal-approximation branch of `QuantileCI` (n > 30).
fn approximate_median_ranks(n: usize, confidence: f64) -> MedianRanks {
    let nf = n as f64;
    let mu = nf * 0.5;
    let sigma = libm::sqrt(nf * 0.5 * 0.5);
    let cdf = |x: f64| libm::erfc(-(x - mu) / (sigma * std::f64::consts::SQRT_2)) / 2.0;
    let alpha = (1.0 - confidence) / 2.0;
    let l1 = mu + sigma * go_inverse_normal_cdf(alpha);
    let r1 = 2.0 * mu - l1;
    // Round out to the bands [k − ½, k + ½] of the binomial distribution.
    let mut l = (libm::floor(l1 - 0.5) + 0.5).floor() + 1.0;
    let mut r = (libm::ceil(r1 - 0.5) + 0.5).floor() + 1.0;
    let band = |l: f64, r: f64| cdf(r - 0.5) - cdf(l - 0.5);
    let mut attained = band(l, r);
    let biased = band(l, r - 1.0);
    if biased >= confidence && biased < attained {
        attained = biased;
        r -= 1.0;
    }
    if l <= 0.0 && r >= nf + 1.0 {
        attained = 1.0;
    }
    l = l.max(0.0);
    r = r.min(nf + 1.0);
    MedianRanks {
        // Both are whole numbers in [0, n + 1] now.
        lo_order: l as usize,
        hi_order: r as usize,
        confidence: attained,
    }
}

/// Inverse of the standard normal CDF as go-moremath's `NormalDist.InvCDF`: Peter Acklam's
/// rational approximation and one step of Halley's method.
fn go_inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    const P_LOW: f64 = 0.02425;
    const P_HIGH: f64 = 1.0 - P_LOW;
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    } else if p == 0.0 {
        return f64::NEG_INFINITY;
    } else if p == 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let mut x = if p < P_LOW {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if P_HIGH < p {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * libm::sqrt(2.0 * std::f64::consts::PI) * libm::exp(x * x / 2.0);
    x -= u / (1.0 + x * u / 2.0);
    x
}

/// 2^e for e in the normal range [−1022, 1023], built from its bits.
const fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// Distribution-free confidence interval of the median from order statistics, as benchstat
/// computes it: the orders of [`median_ranks`] (go-moremath's `QuantileCI(n, 0.5, confidence)`)
/// applied to the sorted sample (its `SampleCI`). `confidence` of the result is the attained
/// confidence.
///
/// `sorted` must be sorted ascending. `None` when an end is infinite — n too small to reach
/// `confidence` (n ≤ 5 at 95 %, where benchstat prints `± ∞`; for n = 5 benchstat's interval is
/// the one-sided `[−∞, x_(5)]`, which is `None` here too), `confidence ≥ 1` — when empty, or when
/// `confidence` is NaN. Costs O(1) beyond 30 samples and O(n) floating-point operations up to it.
pub fn median_ci(sorted: &[f64], confidence: f64) -> Option<Interval> {
    let n = sorted.len();
    let ranks = median_ranks(n, confidence)?;
    if !ranks.is_finite(n) {
        return None;
    }
    Some(Interval {
        lo: sorted[ranks.lo_order - 1],
        hi: sorted[ranks.hi_order - 1],
        confidence: ranks.confidence,
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
    fn median_ranks_reach_both_infinite_ends_when_asked_to() {
        // n = 5: 31/32 leaves out x_(6)'s side, so 99 % takes both tails to their ends.
        let r = median_ranks(5, 0.99).unwrap();
        assert_eq!((r.lo_order, r.hi_order, r.confidence), (0, 6, 1.0));
        // The normal approximation (n > 30): both ends out of range is all of it.
        let r = median_ranks(31, 1.0 - 1e-12).unwrap();
        assert_eq!((r.lo_order, r.hi_order, r.confidence), (0, 32, 1.0));
    }

    #[test]
    fn inverse_normal_cdf_in_both_tails_and_the_middle() {
        // SciPy's norm.ppf; the rational approximation plus one Halley step is this close.
        for (p, z) in [
            (0.001, -3.090232306167813),
            (0.025, -1.9599639845400545),
            (0.5, 0.0),
            (0.9, 1.2815515655446004),
            (0.99, 2.3263478740408408),
            (0.999, 3.090232306167813),
        ] {
            let got = go_inverse_normal_cdf(p);
            assert!((got - z).abs() < 1e-13, "p = {p}: {got} against {z}");
        }
        assert_eq!(go_inverse_normal_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(go_inverse_normal_cdf(1.0), f64::INFINITY);
        assert!(go_inverse_normal_cdf(1.5).is_nan());
    }

    #[test]
    fn median_of_sorted_data_of_every_size() {
        assert!(median_of_sorted(&[]).is_nan());
        assert_eq!(median_of_sorted(&[3.0]), 3.0);
        assert_eq!(median_of_sorted(&[1.0, 4.0]), 2.5);
        assert_eq!(median_of_sorted(&[1.0, 2.0, 9.0]), 2.0);
    }

    #[test]
    fn stddev_sums_squared_deviations() {
        // Σ(x − x̄)(x + x̄) equals Σ(x − x̄)² on paper, but x̄ = 1e9 + ⅔ is rounded, so the
        // deviations do not sum to 0 and 2x̄ ≈ 2e9 magnifies that; squared deviations stay exact
        // to rounding: Σ = 4/9 + 1/9 + 1/9, over n − 1 = 2.
        let s = Summary::of(&[1e9, 1e9 + 1.0, 1e9 + 1.0]).unwrap();
        assert!(
            (s.stddev - (1.0f64 / 3.0).sqrt()).abs() < 1e-6,
            "{}",
            s.stddev
        );
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
        // Three values, so dividing by n − 1 = 2 shows: deviations ⅓, −⅙, −⅙ of MAX.
        let s = Summary::of(&[f64::MAX, f64::MAX / 2.0, f64::MAX / 2.0]).unwrap();
        assert!(
            (s.stddev / (f64::MAX / 12f64.sqrt()) - 1.0).abs() < 1e-15,
            "{}",
            s.stddev
        );
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
        // n = 5: benchstat's interval is [−∞, x5] at 31/32: no finite interval.
        assert_eq!(median_ci(&sorted, 0.95), None);
        let ranks = median_ranks(5, 0.95).unwrap();
        assert_eq!((ranks.lo_order, ranks.hi_order), (0, 5));
        assert_eq!(ranks.confidence, 0.96875);
        // At 90 %: [x1, x5] with 30/32.
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

    /// The review's case: one outlier in eight samples. benchstat's interval stops at x7
    /// (`± 3%`); a symmetric one would reach the outlier (`± 93%`).
    #[test]
    fn median_ci_is_asymmetric_like_benchstat() {
        let sorted = [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 200.0];
        let ci = median_ci(&sorted, 0.95).unwrap();
        assert_eq!((ci.lo, ci.hi), (100.0, 106.0));
        assert_eq!(ci.confidence, 246.0 / 256.0);
        let median = median_of_sorted(&sorted);
        let spread = (ci.hi / median - 1.0).max(1.0 - ci.lo / median);
        assert_eq!(format!("{:.0}%", 100.0 * spread), "3%");
    }

    /// go-moremath's TestQuantileCI at q = 0.5 (`stats/quantileci_test.go`): orders and
    /// attained confidence, exact branch (the normal-approximation cases there force
    /// n ≤ 30 into it, which go-moremath only allows through a test hook).
    #[test]
    fn go_moremath_quantile_ci_cases() {
        let check = |n: usize, confidence: f64, lo: usize, hi: usize, attained: f64| {
            let r = median_ranks(n, confidence).unwrap();
            assert_eq!((r.lo_order, r.hi_order), (lo, hi), "n={n} c={confidence}");
            assert!((r.confidence - attained).abs() < 1e-15, "{r:?}");
        };
        check(4, 0.001, 2, 3, 0.375);
        check(4, 0.375, 2, 3, 0.375);
        check(4, 0.3750001, 1, 3, 0.375 + 0.25);
        check(4, 1.0, 0, 5, 1.0);
        check(4, 0.99, 0, 5, 1.0);
        check(4, 0.99 - 0.0625, 0, 4, 0.375 + 2.0 * 0.25 + 0.0625);
        check(5, 0.001, 2, 3, 0.3125);
        check(5, 0.3125, 2, 3, 0.3125);
        check(5, 0.3125001, 2, 4, 0.3125 * 2.0);
        check(5, 1.0, 0, 6, 1.0);
        check(5, 0.99, 0, 6, 1.0);
        check(5, 0.99 - 0.03125, 0, 5, 1.0 - 0.03125);
    }

    /// golang.org/x/perf `benchmath/assumption_test.go`: TestSummaryNone and the sample sizes of
    /// TestMedianSamples (the smallest n with a finite interval: 6 at 95 %, 8 at 99 %, none up to
    /// 50 at 100 %, 2 at 0 %).
    #[test]
    fn benchmath_summary_none_cases() {
        let sorted = [-10.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let ci = median_ci(&sorted, 0.95).unwrap();
        assert_eq!((ci.lo, ci.hi, ci.confidence), (-10.0, 6.0, 1.0 - 0.03125));
        assert_eq!(median_ci(&sorted, 0.99), None);
        assert_eq!(median_ci(&sorted, 1.0), None);
        let ci = median_ci(&[1.0, 2.0], 0.0).unwrap();
        assert_eq!((ci.lo, ci.hi, ci.confidence), (1.0, 2.0, 0.5));
        assert_eq!(median_ci(&[1.0], 0.95), None);
        let smallest = |confidence: f64| {
            (2..=50).find(|&n| median_ranks(n, confidence).is_some_and(|r| r.is_finite(n)))
        };
        assert_eq!(smallest(0.95), Some(6));
        assert_eq!(smallest(0.99), Some(8));
        assert_eq!(smallest(1.0), None);
        assert_eq!(smallest(0.0), Some(2));
    }

    /// `go_choose` against go-moremath's `mathx.Choose` for every n ≤ 30 (the `choose` section
    /// of `tests/fixtures/gomoremath.json`): bit for bit up to n = 20 (exact integers); above,
    /// where both take exp of an lgamma sum, within an ulp.
    #[test]
    fn go_choose_matches_go_moremath() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/gomoremath.json")).unwrap();
        let entries = fixture["choose"].as_array().unwrap();
        // (n, k) for 0 ≤ k ≤ n ≤ 30.
        assert_eq!(entries.len(), 31 * 32 / 2);
        let (mut exact, mut off_by_an_ulp) = (0, 0);
        for entry in entries {
            let n = entry[0].as_u64().unwrap() as usize;
            let k = entry[1].as_u64().unwrap() as usize;
            let want = entry[2].as_f64().unwrap();
            let got = go_choose(n, k);
            if got == want {
                exact += 1;
            } else {
                assert!(n > 20, "C({n}, {k}): {got} vs go-moremath {want}");
                assert_eq!(got.to_bits().abs_diff(want.to_bits()), 1, "C({n}, {k})");
                off_by_an_ulp += 1;
            }
        }
        // All 231 with n ≤ 20, and 216 of the 265 above (libm's exp against Go's amd64 Exp).
        assert_eq!((exact, off_by_an_ulp), (447, 49));
    }

    #[test]
    fn median_ci_edges() {
        assert_eq!(median_ci(&[], 0.95), None);
        assert_eq!(median_ci(&[1.0], 0.95), None);
        assert_eq!(median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], f64::NAN), None);
        assert_eq!(median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1.5), None);
        assert_eq!(median_ranks(0, 0.95).map(|r| r.is_finite(0)), Some(false));
        // Negative confidence is 0: the narrowest interval around the median.
        assert_eq!(median_ranks(40, -3.0), median_ranks(40, 0.0));
        assert_eq!(median_ranks(7, -3.0), median_ranks(7, 0.0));
    }

    #[test]
    fn median_ci_large_n_uses_the_normal_approximation() {
        let n = 5000;
        let sorted: Vec<f64> = (0..n).map(f64::from).collect();
        let ci = median_ci(&sorted, 0.95).unwrap();
        // Half-width ≈ 1.96·√n/2 ≈ 69 ranks.
        let half_width = (ci.hi - ci.lo) / 2.0;
        assert!((65.0..75.0).contains(&half_width), "{ci:?}");
        assert!(ci.confidence >= 0.95 && ci.confidence < 0.96);
        let r = median_ranks(usize::MAX / 4, 0.95).unwrap();
        assert!(
            r.is_finite(usize::MAX / 4) && r.lo_order < r.hi_order,
            "{r:?}"
        );
    }
}
