//! Mann–Whitney U test (Wilcoxon rank-sum), two-sided, with SciPy's conventions
//! (`scipy.stats.mannwhitneyu(a, b, alternative='two-sided')`).

/// Largest `n1·n2` for which [`mann_whitney_u`] uses the exact null distribution on tie-free data.
///
/// The exact computation costs O(n1·n2·min(U1, U2)) ≤ (n1·n2)²/2 flops (≈ 2·10⁷ at the limit:
/// 100 vs 100 samples take about 12 ms on the development machine, `cargo bench -p
/// benchgate-stats --bench stats -- mann_whitney`); beyond it the normal approximation is
/// accurate anyway. (SciPy's own `method='auto'` is stricter: exact only when one sample has
/// ≤ 8 values.)
pub const EXACT_MAX_PAIRS: usize = 10_000;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact permutation distribution of the statistic assuming no ties (and, for the
    /// signed-rank test, no zeros).
    Exact,
    /// Normal approximation with tie correction and continuity correction.
    Asymptotic,
}

/// Result of a two-sided Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U statistic of the first sample (SciPy's U1): pairs (x from a, y from b) with x > y, ties
    /// counting ½. `U1 + U2 = n1·n2`.
    pub u: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    pub method: Method,
}

/// Two-sided Mann–Whitney U test of `a` against `b`, choosing the method automatically: exact
/// when the pooled data have no ties and `n1·n2 ≤` [`EXACT_MAX_PAIRS`], asymptotic otherwise.
///
/// `None` if either sample is empty or any value is non-finite.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    let ranked = RankSums::of(a, b)?;
    let method = if !ranked.has_ties && a.len().saturating_mul(b.len()) <= EXACT_MAX_PAIRS {
        Method::Exact
    } else {
        Method::Asymptotic
    };
    Some(ranked.test(method))
}

/// Two-sided Mann–Whitney U test with a forced `method`, matching
/// `scipy.stats.mannwhitneyu(a, b, method=…, use_continuity=True)`.
///
/// Forced [`Method::Exact`] on tied data uses the tie-free distribution at U rounded down, as
/// SciPy does (a slightly conservative p-value). `None` if either sample is empty, any value is
/// non-finite, or `Exact` is forced with `n1·n2 >` [`EXACT_MAX_PAIRS`] (too costly).
pub fn mann_whitney_u_with(a: &[f64], b: &[f64], method: Method) -> Option<MannWhitney> {
    if method == Method::Exact && a.len().saturating_mul(b.len()) > EXACT_MAX_PAIRS {
        return None;
    }
    Some(RankSums::of(a, b)?.test(method))
}

/// The smallest two-sided p-value the exact test can produce for these sample sizes,
/// `2 / C(n1+n2, n1)` capped at 1: with fewer samples than this allows, no difference can be
/// significant at that level. 1 if either size is 0.
pub fn min_attainable_p(n1: usize, n2: usize) -> f64 {
    // C(n1+n2, n1) as the product of (long + i)/i for i in 1..=short. Each factor is ≥ 2, so the
    // loop overflows to +inf (p = 0, correct within f64 range) after at most ~1024 steps.
    let (short, long) = (n1.min(n2), n1.max(n2));
    let mut arrangements = 1.0f64;
    for i in 1..=short {
        arrangements *= (long as f64 + i as f64) / i as f64;
        if arrangements.is_infinite() {
            return 0.0;
        }
    }
    (2.0 / arrangements).min(1.0)
}

/// Rank information of two pooled samples.
struct RankSums {
    n1: usize,
    n2: usize,
    /// U of the first sample.
    u1: f64,
    /// Σ (t³ − t) over groups of t tied values.
    tie_term: f64,
    has_ties: bool,
}

impl RankSums {
    fn of(a: &[f64], b: &[f64]) -> Option<RankSums> {
        if a.is_empty() || b.is_empty() || a.iter().chain(b).any(|x| !x.is_finite()) {
            return None;
        }
        let mut pooled: Vec<(f64, bool)> = a
            .iter()
            .map(|&x| (x, true))
            .chain(b.iter().map(|&y| (y, false)))
            .collect();
        // partial_cmp (all finite here) so that −0.0 and 0.0 tie, as in SciPy.
        pooled.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut rank_sum_a = 0.0f64;
        let mut tie_term = 0.0f64;
        let mut has_ties = false;
        let mut start = 0;
        while start < pooled.len() {
            let mut end = start + 1;
            while end < pooled.len() && pooled[end].0 == pooled[start].0 {
                end += 1;
            }
            // Ranks start+1 ..= end share their average.
            let tied = (end - start) as f64;
            let average_rank = (start + 1 + end) as f64 / 2.0;
            let from_a = pooled[start..end].iter().filter(|v| v.1).count();
            rank_sum_a += from_a as f64 * average_rank;
            if end - start > 1 {
                has_ties = true;
                tie_term += tied * tied * tied - tied;
            }
            start = end;
        }
        let n1 = a.len();
        let u1 = rank_sum_a - (n1 as f64) * (n1 as f64 + 1.0) / 2.0;
        Some(RankSums {
            n1,
            n2: b.len(),
            u1,
            tie_term,
            has_ties,
        })
    }

    fn test(&self, method: Method) -> MannWhitney {
        let pairs = self.n1 as f64 * self.n2 as f64;
        // Two-sided: the tail beyond the larger of U1, U2, doubled.
        let u_max = self.u1.max(pairs - self.u1);
        let p_value = match method {
            Method::Exact => {
                // U < n1·n2 ≤ EXACT_MAX_PAIRS here, so the cast is exact.
                let u_min = (pairs - u_max.floor()) as usize;
                2.0 * exact_cdf(self.n1, self.n2, u_min)
            }
            Method::Asymptotic => self.asymptotic_p(u_max),
        };
        MannWhitney {
            u: self.u1,
            p_value: p_value.clamp(0.0, 1.0),
            method,
        }
    }

    /// `2·P(Z ≥ z)` with SciPy's tie-corrected variance and continuity correction.
    fn asymptotic_p(&self, u_max: f64) -> f64 {
        let (n1, n2) = (self.n1 as f64, self.n2 as f64);
        let n = n1 + n2;
        let mu = n1 * n2 / 2.0;
        let variance = n1 * n2 / 12.0 * ((n + 1.0) - self.tie_term / (n * (n - 1.0)));
        let sd = variance.max(0.0).sqrt();
        if sd <= 0.0 {
            // Every value tied: U1 = U2 = μ, no evidence of a difference.
            return 1.0;
        }
        // Subtracting ½ always moves toward μ since U is the upper of U1, U2.
        let z = (u_max - mu - 0.5) / sd;
        2.0 * standard_normal_cdf(-z)
    }
}

/// `P(U ≤ k)` under the null hypothesis for sizes n1, n2, without ties.
///
/// Uses the recurrence on the largest pooled value: it comes from the first sample with
/// probability i/(i+j), adding j to U, so
/// `P_{i,j}(u) = i/(i+j)·P_{i−1,j}(u−j) + j/(i+j)·P_{i,j−1}(u)`.
/// Every step is a convex combination of non-negative numbers, so relative error stays within a
/// few (n1+n2) ulps even deep in the tail, unlike recurrences with alternating signs. Only
/// u ≤ k is needed, which also bounds the work.
fn exact_cdf(n1: usize, n2: usize, k: usize) -> f64 {
    // The null distribution is symmetric in the roles of the samples; iterate the shorter one.
    let (short, long) = (n1.min(n2), n1.max(n2));
    let support = |i: usize, j: usize| (i * j).min(k) + 1;
    // Row j of level i (P_{i,j}(0..=min(ij, k))) lives at offsets[j]..offsets[j + 1] of one flat
    // buffer per level; two buffers are reused for all levels. (A `Vec` per row cost ~10 000
    // allocations and ~100 MB of allocation traffic per 100 × 100 test.)
    let offsets = |i: usize, into: &mut Vec<usize>| {
        into.clear();
        into.push(0);
        let mut end = 0;
        for j in 0..=long {
            end += support(i, j);
            into.push(end);
        }
    };
    let (mut previous_at, mut current_at) = (Vec::new(), Vec::new());
    offsets(0, &mut previous_at);
    // For i = 0, U is 0 with certainty.
    let mut previous: Vec<f64> = vec![1.0; long + 1];
    let mut current: Vec<f64> = Vec::new();
    for i in 1..=short {
        offsets(i, &mut current_at);
        current.clear();
        current.resize(current_at[long + 1], 0.0);
        current[0] = 1.0;
        for j in 1..=long {
            let weight_first = i as f64 / (i + j) as f64;
            let weight_second = j as f64 / (i + j) as f64;
            let from_first = &previous[previous_at[j]..previous_at[j + 1]];
            let (done, rest) = current.split_at_mut(current_at[j]);
            let from_second = &done[current_at[j - 1]..];
            let row = &mut rest[..support(i, j)];
            // cell u = weight_first·P_{i−1,j}(u−j) + weight_second·P_{i,j−1}(u), each term zero
            // outside its row; two passes over slices (which vectorise) give the same sums, as
            // floating-point addition is commutative.
            for (cell, second) in row.iter_mut().zip(from_second) {
                *cell = weight_second * second;
            }
            if let Some(shifted) = row.get_mut(j..) {
                for (cell, first) in shifted.iter_mut().zip(from_first) {
                    *cell += weight_first * first;
                }
            }
        }
        std::mem::swap(&mut previous, &mut current);
        std::mem::swap(&mut previous_at, &mut current_at);
    }
    previous[previous_at[long]..previous_at[long + 1]]
        .iter()
        .sum()
}

/// Standard normal CDF Φ(x), computed as Cephes `ndtr` (which SciPy uses) so tails keep full
/// relative precision.
pub(crate) fn standard_normal_cdf(x: f64) -> f64 {
    let scaled = x * std::f64::consts::FRAC_1_SQRT_2;
    let magnitude = scaled.abs();
    if magnitude < std::f64::consts::FRAC_1_SQRT_2 {
        0.5 + 0.5 * libm::erf(scaled)
    } else {
        let tail = 0.5 * libm::erfc(magnitude);
        if scaled > 0.0 { 1.0 - tail } else { tail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_non_finite() {
        assert_eq!(mann_whitney_u(&[], &[1.0]), None);
        assert_eq!(mann_whitney_u(&[1.0], &[]), None);
        assert_eq!(mann_whitney_u(&[1.0, f64::NAN], &[2.0]), None);
        assert_eq!(mann_whitney_u(&[1.0], &[f64::INFINITY]), None);
        assert_eq!(mann_whitney_u_with(&[], &[], Method::Asymptotic), None);
    }

    #[test]
    fn one_versus_one() {
        let r = mann_whitney_u(&[2.0], &[1.0]).unwrap();
        assert_eq!((r.u, r.p_value, r.method), (1.0, 1.0, Method::Exact));
        let r = mann_whitney_u_with(&[2.0], &[1.0], Method::Asymptotic).unwrap();
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn all_equal_samples_give_p_one() {
        let a = [5.0; 10];
        for method in [Method::Exact, Method::Asymptotic] {
            let r = mann_whitney_u_with(&a, &a, method).unwrap();
            assert_eq!((r.u, r.p_value), (50.0, 1.0));
        }
        let r = mann_whitney_u(&a, &a).unwrap();
        assert_eq!((r.p_value, r.method), (1.0, Method::Asymptotic));
    }

    #[test]
    fn fully_separated_small_samples_hit_the_minimum_p() {
        let low = [1.0, 2.0, 3.0];
        let high = [4.0, 5.0, 6.0, 7.0];
        let r = mann_whitney_u(&high, &low).unwrap();
        // C(7, 3) = 35 arrangements; only one is this extreme in each direction.
        assert_eq!((r.u, r.method), (12.0, Method::Exact));
        assert!((r.p_value - 2.0 / 35.0).abs() < 1e-16);
        assert_eq!(r.p_value, min_attainable_p(3, 4));
        let r = mann_whitney_u(&low, &high).unwrap();
        assert_eq!(r.u, 0.0);
        assert!((r.p_value - 2.0 / 35.0).abs() < 1e-16);
    }

    #[test]
    fn exact_known_small_case() {
        // a = {1, 4}, b = {2, 3}: U1 = 2 = μ; P(U ≤ 2) for n = (2, 2) is 4/6, doubled → capped.
        let r = mann_whitney_u(&[1.0, 4.0], &[2.0, 3.0]).unwrap();
        assert_eq!((r.u, r.p_value), (2.0, 1.0));
        // a = {3, 4}, b = {1, 2, 5}: U1 = 4, U2 = 2; P(U ≤ 2) = (1 + 1 + 2)/10 → p = 0.8.
        let r = mann_whitney_u(&[3.0, 4.0], &[1.0, 2.0, 5.0]).unwrap();
        assert_eq!(r.u, 4.0);
        assert!((r.p_value - 0.8).abs() < 1e-15);
    }

    #[test]
    fn exact_distribution_sums_to_one() {
        for (n1, n2) in [(1, 1), (3, 7), (10, 10), (20, 5)] {
            let total = exact_cdf(n1, n2, n1 * n2);
            assert!((total - 1.0).abs() < 1e-13, "{n1} {n2} {total}");
        }
    }

    #[test]
    fn ties_switch_to_asymptotic_and_halve_u() {
        let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0]).unwrap();
        assert_eq!((r.u, r.method), (0.5, Method::Asymptotic));
        // −0.0 and 0.0 are the same value.
        let r = mann_whitney_u(&[-0.0], &[0.0]).unwrap();
        assert_eq!((r.u, r.method), (0.5, Method::Asymptotic));
    }

    #[test]
    fn large_samples_use_asymptotic_and_forced_exact_is_bounded() {
        let a: Vec<f64> = (0..101).map(f64::from).collect();
        let b: Vec<f64> = (0..100).map(|x| f64::from(x) + 0.5).collect();
        assert_eq!(mann_whitney_u(&a, &b).unwrap().method, Method::Asymptotic);
        assert_eq!(mann_whitney_u_with(&a, &b, Method::Exact), None);
        let r = mann_whitney_u(&a[..100], &b).unwrap();
        assert_eq!(r.method, Method::Exact);
    }

    #[test]
    fn min_attainable_p_values() {
        assert_eq!(min_attainable_p(0, 5), 1.0);
        assert_eq!(min_attainable_p(1, 1), 1.0);
        assert_eq!(min_attainable_p(2, 2), 1.0 / 3.0);
        assert!((min_attainable_p(5, 5) - 2.0 / 252.0).abs() < 1e-17);
        assert_eq!(min_attainable_p(5, 5), min_attainable_p(5, 5));
        assert_eq!(min_attainable_p(100_000, 100_000), 0.0);
        assert_eq!(min_attainable_p(usize::MAX, usize::MAX), 0.0);
    }

    #[test]
    fn normal_cdf_tails() {
        assert_eq!(standard_normal_cdf(0.0), 0.5);
        assert!((standard_normal_cdf(-1.959963984540054) - 0.025).abs() < 1e-15);
        // Φ(−10) = 7.619853024160527e-24 (mpmath); relative precision is kept in the tail.
        assert!((standard_normal_cdf(-10.0) / 7.619853024160527e-24 - 1.0).abs() < 1e-13);
        assert_eq!(standard_normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(standard_normal_cdf(f64::NEG_INFINITY), 0.0);
    }
}
