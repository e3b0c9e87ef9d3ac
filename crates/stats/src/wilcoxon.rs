//! Wilcoxon signed-rank test of one sample of differences against 0, two-sided, with SciPy's
//! conventions (`scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True,
//! alternative='two-sided')`).
//!
//! Used for the paired, interleaved A/B comparison (SPEC §7.2): the differences are per-pair
//! log-ratios `ln(b_i / a_i)`, so drift between pairs cancels. Zero differences carry no sign and
//! are dropped (Wilcoxon's original rule, SciPy's `zero_method='wilcox'`); the absolute values of
//! the rest are ranked, tied values sharing their average rank, and `W+` is the sum of the ranks of
//! the positive differences.
//!
//! Three ways to get the p-value, the first two as in SciPy:
//! - exact: the null distribution of `W+` for n tie-free differences (each rank positive with
//!   probability ½ independently), computed by dynamic programming over rank sums;
//! - saddlepoint: the same tie-free distribution by the Lugannani–Rice formula with Daniels'
//!   (1987) second continuity correction, for large samples where the exact tail would cost
//!   too much (n·min(W+, W−) additions: 50 ms at n = 1000). Within 1.2·10⁻⁴ of the exact
//!   p-value (relative) from n = 300 down to p = 10⁻²⁰, within 10⁻⁵ at n = 1000
//!   (unit tests here), where the normal approximation is 30 % and 9 % off at p = 10⁻⁶;
//! - asymptotic: `W+` is approximately normal with mean n(n+1)/4 and variance
//!   (n(n+1)(2n+1) − Σ(t³−t)/2)/24 (the tie correction sums over groups of t tied |d|), with a
//!   continuity correction of ½ toward the mean.
//!
//! Reference: F. Wilcoxon, "Individual comparisons by ranking methods", Biometrics Bulletin 1(6),
//! 1945; the tie correction as in SciPy and Hollander, Wolfe & Chicken, *Nonparametric Statistical
//! Methods* (3rd ed., 2014), §3.1.

use crate::mann_whitney::{Method, standard_normal_cdf};

/// Largest number of nonzero differences for which [`wilcoxon_signed_rank`] uses the exact null
/// distribution on tie-free data (and [`wilcoxon_signed_rank_with`] allows it at all).
///
/// The exact distribution up to rank sum k costs about n·k additions, with k = min(W+, W−) at most
/// n(n+1)/4: at the limit ≈ 1.3·10⁸ (≈ 40 ms) for data near the null, far less for a clear
/// effect. The limit also keeps the counts of sign patterns (up to 2ⁿ) and their probabilities
/// (down to 2⁻ⁿ) inside the normal `f64` range, which ends at 2¹⁰²³ and 2⁻¹⁰²². At this size
/// the normal approximation is within 0.06 % of the exact p-value at p ≈ 0.05, but 1.4 % off at
/// p ≈ 10⁻³ and 8 % at 10⁻⁶ (tails that matter after a Benjamini–Hochberg correction over many
/// benchmarks). SciPy's own `method='auto'` is exact only up to n = 50.
pub const EXACT_MAX_N: usize = 1000;

/// Most additions the automatic choice spends on an exact p-value: the whole n = 300 case
/// (n·(n(n+1)/4 + 1), about 1 ms). Beyond, [`wilcoxon_signed_rank`] takes the saddlepoint.
pub const EXACT_WORK_MAX: usize = 300 * (300 * 301 / 4 + 1);

/// Result of a two-sided Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonSignedRank {
    /// `min(W+, W−)`, the statistic SciPy reports for the two-sided test. It does not say which
    /// way the differences lean; [`Self::w_plus`] (or the Hodges–Lehmann estimate) does.
    pub statistic: f64,
    /// `W+`: the sum of the ranks of the positive differences. `W+ + W− = n(n+1)/2`.
    pub w_plus: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    pub method: Method,
    /// Number of differences used: the nonzero ones.
    pub n: usize,
}

/// Two-sided Wilcoxon signed-rank test of `differences` against 0, choosing the method
/// automatically. When the nonzero differences have no tied absolute values and there were no
/// zeros: exact when n ≤ [`EXACT_MAX_N`] and the exact tail costs at most [`EXACT_WORK_MAX`]
/// additions (n·(min(W+, W−) + 1): always up to n = 300, and far in the tails beyond),
/// saddlepoint otherwise. With ties or zeros: asymptotic. (SciPy's `method='auto'` differs:
/// exact only up to n = 50, the normal approximation beyond, and a permutation test for small
/// samples with ties or zeros.)
///
/// `None` if any value is non-finite or fewer than 2 differences are nonzero (empty, all zeros,
/// a single pair): one nonzero difference can never give p < 1 (see [`min_attainable_p`]).
pub fn wilcoxon_signed_rank(differences: &[f64]) -> Option<WilcoxonSignedRank> {
    let ranked = SignedRanks::of(differences)?;
    let method = if ranked.has_ties || ranked.had_zeros {
        Method::Asymptotic
    } else if ranked.n <= EXACT_MAX_N
        && ranked.n.saturating_mul(ranked.lower_tail_at() + 1) <= EXACT_WORK_MAX
    {
        Method::Exact
    } else {
        Method::Saddlepoint
    };
    ranked.test(method)
}

/// Two-sided Wilcoxon signed-rank test with a forced `method`, matching
/// `scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True, method=…)`.
///
/// Forced [`Method::Exact`] on data with ties or zeros uses the tie-free distribution for the
/// nonzero count, at `W+` rounded down for the upper tail and up for the lower tail, as SciPy does
/// (a slightly conservative p-value). `None` on the same inputs as [`wilcoxon_signed_rank`], when
/// `Exact` is forced with more than [`EXACT_MAX_N`] nonzero differences, and when `Saddlepoint`
/// is forced on differences with ties or zeros (it approximates the tie-free distribution).
pub fn wilcoxon_signed_rank_with(
    differences: &[f64],
    method: Method,
) -> Option<WilcoxonSignedRank> {
    SignedRanks::of(differences)?.test(method)
}

/// The smallest two-sided p-value the exact signed-rank test can produce from `n` nonzero
/// differences: `2 / 2ⁿ` (all differences of one sign), capped at 1. With fewer pairs than a
/// significance level needs (e.g. n < 6 for 0.05), no effect can be significant at that level.
/// 0 once `2 / 2ⁿ` underflows (n > 1075).
pub fn min_attainable_p(n: usize) -> f64 {
    // ldexp is exact for powers of two, including subnormal results; clamping n keeps the i32
    // exponent in range and still underflows to 0.
    let exponent = 1 - i32::try_from(n.min(2000)).unwrap_or(2000);
    libm::ldexp(1.0, exponent).min(1.0)
}

/// Ranks of the nonzero differences.
struct SignedRanks {
    /// Number of nonzero differences.
    n: usize,
    w_plus: f64,
    /// Σ (t³ − t) over groups of t tied absolute values.
    tie_term: f64,
    has_ties: bool,
    had_zeros: bool,
}

impl SignedRanks {
    fn of(differences: &[f64]) -> Option<SignedRanks> {
        if differences.iter().any(|d| !d.is_finite()) {
            return None;
        }
        // (|d|, positive); −0.0 == 0.0, so both are dropped.
        let mut nonzero: Vec<(f64, bool)> = differences
            .iter()
            .filter(|&&d| d != 0.0)
            .map(|&d| (d.abs(), d > 0.0))
            .collect();
        let n = nonzero.len();
        if n < 2 {
            return None;
        }
        nonzero.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut w_plus = 0.0f64;
        let mut tie_term = 0.0f64;
        let mut has_ties = false;
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n && nonzero[end].0 == nonzero[start].0 {
                end += 1;
            }
            // Ranks start+1 ..= end share their average, a multiple of ½, so W+ is exact.
            let tied = (end - start) as f64;
            let average_rank = (start + 1 + end) as f64 / 2.0;
            let positive = nonzero[start..end].iter().filter(|v| v.1).count();
            w_plus += positive as f64 * average_rank;
            if end - start > 1 {
                has_ties = true;
                tie_term += tied * tied * tied - tied;
            }
            start = end;
        }
        Some(SignedRanks {
            n,
            w_plus,
            tie_term,
            has_ties,
            had_zeros: n < differences.len(),
        })
    }

    /// Where the exact two-sided p reads the lower tail: SciPy's 2·min(P(T ≥ ⌊W+⌋),
    /// P(T ≤ ⌈W+⌉)), and by the symmetry of T around n(n+1)/4, P(T ≥ a) = P(T ≤ n(n+1)/2 − a).
    /// A whole number ≤ n(n+1)/4 + ½.
    fn lower_tail_at(&self) -> usize {
        let n = self.n as f64;
        let total = n * (n + 1.0) / 2.0;
        (total - self.w_plus.floor()).min(self.w_plus.ceil()) as usize
    }

    fn test(&self, method: Method) -> Option<WilcoxonSignedRank> {
        let n = self.n as f64;
        let total = n * (n + 1.0) / 2.0;
        let w_minus = total - self.w_plus;
        let p_value = match method {
            Method::Exact => {
                if self.n > EXACT_MAX_N {
                    return None;
                }
                let cumulative = exact_cumulative(self.n, self.lower_tail_at())?;
                2.0 * cumulative.last().copied().unwrap_or(1.0)
            }
            Method::Saddlepoint => {
                if self.has_ties || self.had_zeros {
                    return None;
                }
                2.0 * saddlepoint_cdf(self.n, self.lower_tail_at())
            }
            Method::Asymptotic => self.asymptotic_p(),
        };
        Some(WilcoxonSignedRank {
            statistic: self.w_plus.min(w_minus),
            w_plus: self.w_plus,
            p_value: p_value.clamp(0.0, 1.0),
            method,
            n: self.n,
        })
    }

    /// `2·P(Z ≥ z)` with SciPy's tie-corrected variance and continuity correction.
    fn asymptotic_p(&self) -> f64 {
        let n = self.n as f64;
        let mean = n * (n + 1.0) / 4.0;
        let variance = (n * (n + 1.0) * (2.0 * n + 1.0) - self.tie_term / 2.0) / 24.0;
        let sd = variance.max(0.0).sqrt();
        let deviation = (self.w_plus - mean).abs();
        if sd <= 0.0 || deviation == 0.0 {
            // SciPy applies no correction at the mean (sign(z) = 0): z = 0, p = 1.
            return 1.0;
        }
        // W+ and the mean are multiples of ½, so a nonzero deviation is ≥ ½ and the corrected z
        // never changes sign.
        let z = (deviation - 0.5) / sd;
        2.0 * standard_normal_cdf(-z)
    }
}

/// `P(T ≤ k)` for the tie-free signed-rank statistic T of n differences, by the saddlepoint:
/// T = Σ i·Bᵢ with Bᵢ fair coins has cumulant generating function
/// K(t) = Σ ln((1 + e^(it))/2); with t̂ solving K′(t̂) = k + ½ (the continuity correction),
/// r = sign(t̂)·√(2(t̂(k + ½) − K(t̂))) and v = 2 sinh(t̂/2)·√K″(t̂) (Daniels' second correction
/// for lattice variables), P ≈ Φ(r) + φ(r)·(1/r − 1/v) (Lugannani & Rice 1980; Daniels,
/// "Tail probability approximations", Int. Stat. Review 55, 1987). Within a tenth of a
/// standard deviation of the mean, where r and v both vanish and 1/r − 1/v cancels, the
/// Edgeworth expansion to the fourth cumulant is used instead (as accurate there: T is
/// symmetric, so the third cumulant is 0). k ≥ n(n+1)/4 gives ½ or more (p ≥ 1).
fn saddlepoint_cdf(n: usize, k: usize) -> f64 {
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
    let x = k as f64 + 0.5;
    if x >= mean {
        return 1.0;
    }
    let z = (x - mean) / sd;
    if z > -0.1 {
        // κ₄ = −Σ i⁴/8, Σ i⁴ = n(n+1)(2n+1)(3n²+3n−1)/30.
        let fourth = -nf * (nf + 1.0) * (2.0 * nf + 1.0) * (3.0 * nf * nf + 3.0 * nf - 1.0) / 240.0;
        let excess = fourth / sd.powi(4);
        let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        return standard_normal_cdf(z) - excess / 24.0 * (z * z * z - 3.0 * z) * density;
    }
    // K, K′ and K″ at t < 0, with s = e^t and sⁱ by running products (sⁱ underflows to 0 for
    // large i, where the terms vanish anyway).
    let cumulants = |t: f64| {
        let s = t.exp();
        let (mut k0, mut k1, mut k2, mut power) = (0.0, 0.0, 0.0, 1.0);
        for i in 1..=n {
            power *= s;
            let i = i as f64;
            let share = power / (1.0 + power);
            k0 += libm::log1p(power);
            k1 += i * share;
            k2 += i * i * share / (1.0 + power);
        }
        (k0 - nf * std::f64::consts::LN_2, k1, k2)
    };
    // K′ rises from 0 (t → −∞) to the mean (t = 0): Newton from the normal guess, kept inside a
    // shrinking bracket by bisection.
    let (mut lo, mut hi) = (-745.0f64, 0.0f64);
    let mut t = (z / sd).max(-1.0);
    for _ in 0..100 {
        let (_, k1, k2) = cumulants(t);
        if k1 > x {
            hi = t;
        } else {
            lo = t;
        }
        let newton = t - (k1 - x) / k2;
        let next = if newton > lo && newton < hi && k2 > 0.0 {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - t).abs() <= 1e-15 * t.abs() {
            t = next;
            break;
        }
        t = next;
    }
    let (k0, _, k2) = cumulants(t);
    let r = -(2.0 * (t * x - k0)).max(0.0).sqrt();
    let v = 2.0 * (t / 2.0).sinh() * k2.sqrt();
    let density = (-0.5 * r * r).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (standard_normal_cdf(r) + density * (1.0 / r - 1.0 / v)).clamp(0.0, 1.0)
}

/// `P(T ≤ w)` for w in `0..=upto`, where T is the null distribution of `W+` for `n` tie-free
/// nonzero differences (each rank 1..=n counted with probability ½, independently).
///
/// Counts sign patterns cumulatively: with `C_i(w)` the number of the 2ⁱ patterns of ranks 1..=i
/// whose positive ranks sum to ≤ w, rank i is either negative or adds i, so
/// `C_i(w) = C_{i−1}(w) + C_{i−1}(w − i)` (0 for negative arguments). Only additions of
/// non-negative numbers: each count has relative error ≤ n ulps even deep in the tail (no
/// `1 − cdf` cancellation, unlike SciPy's upper tail), and the final scaling by 2⁻ⁿ is exact.
/// Costs n·(upto + 1) additions.
///
/// `None` if n > [`EXACT_MAX_N`] (2ⁿ would leave the normal range).
pub(crate) fn exact_cumulative(n: usize, upto: usize) -> Option<Vec<f64>> {
    if n > EXACT_MAX_N {
        return None;
    }
    // Beyond n(n+1)/2 every pattern is counted; capping keeps the work bounded.
    let upto = upto.min(n * (n + 1) / 2);
    let mut previous = vec![1.0f64; upto + 1];
    let mut current = vec![0.0f64; upto + 1];
    // C_i(w) = 2ⁱ for w ≥ i(i+1)/2, so only w ≤ valid = min(upto, i(i+1)/2) is computed; this
    // about halves the work for the lower half of the distribution.
    let mut valid = 0;
    let mut saturated = 1.0f64; // 2^(i−1)
    for i in 1..=n {
        let next_valid = (i * (i + 1) / 2).min(upto);
        previous[valid + 1..=next_valid].fill(saturated);
        let shift = i.min(next_valid + 1);
        current[..shift].copy_from_slice(&previous[..shift]);
        // Two buffers rather than an in-place update so this zip vectorises.
        for ((out, &same), &shifted) in current[shift..=next_valid]
            .iter_mut()
            .zip(&previous[shift..=next_valid])
            .zip(&previous[..])
        {
            *out = same + shifted;
        }
        std::mem::swap(&mut previous, &mut current);
        valid = next_valid;
        saturated *= 2.0;
    }
    // n ≤ 1000, so 2⁻ⁿ is a normal number and the scaling is exact.
    let scale = libm::ldexp(1.0, -i32::try_from(n).unwrap_or(0));
    for p in &mut previous {
        *p *= scale;
    }
    Some(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_zeros_single_and_non_finite() {
        assert_eq!(wilcoxon_signed_rank(&[]), None);
        assert_eq!(wilcoxon_signed_rank(&[0.0, -0.0, 0.0]), None);
        assert_eq!(wilcoxon_signed_rank(&[0.5]), None);
        assert_eq!(wilcoxon_signed_rank(&[0.0, 0.5, 0.0]), None);
        assert_eq!(wilcoxon_signed_rank(&[1.0, f64::NAN, 2.0]), None);
        assert_eq!(wilcoxon_signed_rank(&[1.0, f64::INFINITY]), None);
        assert_eq!(
            wilcoxon_signed_rank_with(&[f64::NEG_INFINITY, 1.0], Method::Asymptotic),
            None
        );
    }

    #[test]
    fn two_pairs() {
        // Ranks 1 (−0.1) and 2 (+0.2): W+ = 2, W− = 1; P(T ≤ 1) = 2/4 → p = 1.
        let r = wilcoxon_signed_rank(&[0.2, -0.1]).unwrap();
        assert_eq!((r.statistic, r.w_plus, r.p_value), (1.0, 2.0, 1.0));
        assert_eq!((r.method, r.n), (Method::Exact, 2));
        // Both positive: P(T ≤ 0) = 1/4 → p = ½, the minimum for n = 2.
        let r = wilcoxon_signed_rank(&[0.2, 0.1]).unwrap();
        assert_eq!((r.statistic, r.w_plus, r.p_value), (0.0, 3.0, 0.5));
        assert_eq!(r.p_value, min_attainable_p(2));
    }

    #[test]
    fn symmetric_differences_give_p_one() {
        let d = [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 0.5, -0.5];
        for method in [Method::Exact, Method::Asymptotic] {
            let r = wilcoxon_signed_rank_with(&d, method).unwrap();
            // Ties in |d| pair each rank with its mirror: W+ = W− = 18.
            assert_eq!((r.statistic, r.w_plus, r.p_value), (18.0, 18.0, 1.0));
        }
        // Tie-free with balanced ranks: {1, 2, 4, 7} positive, {3, 5, 6} negative, W+ = W− = 14.
        let d = [1.0, 2.0, -3.0, 4.0, -5.0, -6.0, 7.0];
        let r = wilcoxon_signed_rank(&d).unwrap();
        assert_eq!((r.statistic, r.w_plus, r.p_value), (14.0, 14.0, 1.0));
        assert_eq!(r.method, Method::Exact);
    }

    #[test]
    fn zeros_are_dropped_and_force_asymptotic() {
        let with_zeros = wilcoxon_signed_rank(&[0.0, 0.3, -0.1, 0.2, -0.0, 0.4]).unwrap();
        assert_eq!((with_zeros.n, with_zeros.method), (4, Method::Asymptotic));
        let forced = wilcoxon_signed_rank_with(&[0.0, 0.3, -0.1, 0.2, 0.4], Method::Exact).unwrap();
        let without = wilcoxon_signed_rank(&[0.3, -0.1, 0.2, 0.4]).unwrap();
        assert_eq!(without.method, Method::Exact);
        assert_eq!(forced.p_value, without.p_value);
        // Ranks: 0.1 → 1 (−), the rest positive: W− = 1, P(T ≤ 1) = 2/16 → p = ¼.
        assert_eq!(
            (without.statistic, without.w_plus, without.p_value),
            (1.0, 9.0, 0.25)
        );
    }

    #[test]
    fn ties_in_magnitude_force_asymptotic() {
        let r = wilcoxon_signed_rank(&[0.1, -0.1, 0.2, 0.3]).unwrap();
        assert_eq!((r.w_plus, r.method), (8.5, Method::Asymptotic));
    }

    #[test]
    fn all_one_sign_hits_the_minimum_p() {
        for n in [2usize, 5, 10, 30, 200, EXACT_MAX_N] {
            let d: Vec<f64> = (1..=n).map(|i| i as f64 * 1e-3).collect();
            let r = wilcoxon_signed_rank(&d).unwrap();
            assert_eq!((r.method, r.statistic), (Method::Exact, 0.0));
            // 2·2⁻ⁿ exactly: the deep tail keeps full precision.
            assert_eq!(r.p_value, min_attainable_p(n), "n = {n}");
            let negated: Vec<f64> = d.iter().map(|x| -x).collect();
            assert_eq!(wilcoxon_signed_rank(&negated).unwrap().p_value, r.p_value);
        }
    }

    #[test]
    fn large_samples_use_the_saddlepoint_and_forced_exact_is_bounded() {
        let d: Vec<f64> = (1..=EXACT_MAX_N + 1).map(|i| i as f64).collect();
        assert_eq!(
            wilcoxon_signed_rank(&d).unwrap().method,
            Method::Saddlepoint
        );
        assert_eq!(wilcoxon_signed_rank_with(&d, Method::Exact), None);
    }

    #[test]
    fn exact_distribution_known_values() {
        // n = 3: W+ ∈ {0,1,2,3,3,4,5,6} over 8 patterns.
        let c = exact_cumulative(3, 10).unwrap();
        let expected = [1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 8.0].map(|x| x / 8.0);
        assert_eq!(c, expected);
        for n in [1usize, 7, 40, 300] {
            let total = n * (n + 1) / 2;
            let c = exact_cumulative(n, total).unwrap();
            assert!((c[total] - 1.0).abs() < 1e-13, "{n}");
            // Symmetry: P(T ≤ w) + P(T ≤ total − w − 1) = 1.
            let w = total / 3;
            assert!((c[w] + c[total - w - 1] - 1.0).abs() < 1e-13, "{n}");
        }
        assert_eq!(exact_cumulative(EXACT_MAX_N + 1, 5), None);
        assert_eq!(exact_cumulative(0, 5).unwrap(), vec![1.0]);
    }

    #[test]
    fn min_attainable_p_values() {
        assert_eq!(min_attainable_p(0), 1.0);
        assert_eq!(min_attainable_p(1), 1.0);
        assert_eq!(min_attainable_p(2), 0.5);
        assert_eq!(min_attainable_p(6), 1.0 / 32.0);
        assert_eq!(min_attainable_p(1074), f64::from_bits(2)); // 2⁻¹⁰⁷³, subnormal
        assert_eq!(min_attainable_p(1075), f64::from_bits(1));
        assert_eq!(min_attainable_p(1076), 0.0);
        assert_eq!(min_attainable_p(usize::MAX), 0.0);
    }

    /// Differences ±1 … ±n with W+ = w (the largest ranks that fit are the positive ones).
    fn with_w_plus(n: usize, w: usize) -> Vec<f64> {
        let mut left = w;
        (1..=n)
            .rev()
            .map(|i| {
                if i <= left {
                    left -= i;
                    i as f64
                } else {
                    -(i as f64)
                }
            })
            .collect()
    }

    #[test]
    fn saddlepoint_is_close_to_exact_from_n_300() {
        // Relative errors found: n = 300 1.2·10⁻⁴ at p = 10⁻²⁰ and 3.8·10⁻⁴ at 10⁻⁴⁰; n = 1000
        // 9.4·10⁻⁶ and 2.0·10⁻⁵; below 5·10⁻⁶ for p ≥ 0.1 at every n.
        for (n, tolerance) in [(300usize, 4e-4), (500, 1e-4), (1000, 2.5e-5)] {
            let half = n * (n + 1) / 4;
            let exact = exact_cumulative(n, half).unwrap();
            let mut worst: f64 = 0.0;
            for target in [0.99, 0.9, 0.5, 0.1, 1e-2, 1e-3, 1e-6, 1e-10, 1e-20, 1e-40] {
                // The largest k with 2·P(T ≤ k) ≤ target.
                let k = exact
                    .partition_point(|&c| 2.0 * c <= target)
                    .saturating_sub(1);
                let got = saddlepoint_cdf(n, k);
                let relative = (got / exact[k] - 1.0).abs();
                worst = worst.max(relative);
                println!("n = {n} p = {target:e}: relative error {relative:.2e}");
                assert!(
                    relative <= tolerance,
                    "n = {n} k = {k}: {got:e} vs {:e}",
                    exact[k]
                );
                if target >= 0.1 {
                    assert!(
                        relative < 5e-6,
                        "n = {n} k = {k}: {got:e} vs {:e}",
                        exact[k]
                    );
                }
            }
            println!("n = {n}: worst relative error {worst:.2e}");
            // At and beyond the centre the two-sided p is 1.
            assert_eq!(saddlepoint_cdf(n, half + 1), 1.0);
        }
    }

    #[test]
    fn large_tie_free_samples_take_the_saddlepoint() {
        // Near the null at n = 1000 the exact tail would cost 1000 × ~240 000 additions.
        let d = with_w_plus(1000, 240_000);
        let auto = wilcoxon_signed_rank(&d).unwrap();
        assert_eq!((auto.method, auto.w_plus), (Method::Saddlepoint, 240_000.0));
        let exact = wilcoxon_signed_rank_with(&d, Method::Exact).unwrap();
        assert!(
            (auto.p_value / exact.p_value - 1.0).abs() < 1e-5,
            "{auto:?} vs {exact:?}"
        );
        // The whole of n = 300 stays exact, and so do far tails beyond (cheap to count).
        let d = with_w_plus(300, 300 * 301 / 4);
        assert_eq!(wilcoxon_signed_rank(&d).unwrap().method, Method::Exact);
        let d = with_w_plus(1000, 5000);
        assert_eq!(wilcoxon_signed_rank(&d).unwrap().method, Method::Exact);
        let d = with_w_plus(1000, 7000);
        assert_eq!(
            wilcoxon_signed_rank(&d).unwrap().method,
            Method::Saddlepoint
        );
        // Beyond the exact limit too, tie-free.
        let d = with_w_plus(5000, 5000 * 5001 / 5);
        let r = wilcoxon_signed_rank(&d).unwrap();
        assert_eq!(r.method, Method::Saddlepoint);
        assert!(r.p_value > 0.0 && r.p_value < 1e-20, "{r:?}");
        // Ties or zeros: the normal approximation, and no saddlepoint on demand.
        let tied = [0.1, -0.1, 0.2, 0.3];
        assert_eq!(wilcoxon_signed_rank_with(&tied, Method::Saddlepoint), None);
        assert_eq!(
            wilcoxon_signed_rank_with(&[0.0, 0.1, 0.2], Method::Saddlepoint),
            None
        );
    }
}
