//! Mann–Whitney U test (Wilcoxon rank-sum), two-sided, computed as benchstat computes it: a port
//! of go-moremath's `stats.MannWhitneyUTest(x1, x2, LocationDiffers)`
//! (github.com/aclements/go-moremath, `stats/utest.go` and `stats/udist.go`), which
//! golang.org/x/perf's `benchmath.AssumeNothing.Compare` calls with the old sample first.
//! (go-moremath: Copyright 2015 The Go Authors, BSD-style license.)
//!
//! # Which method, when
//! - **No ties, both samples ≤ [`EXACT_MAX_N`] (50):** the exact null distribution of U
//!   (Mann & Whitney 1947). p = 2·P(U ≤ min(U₁, U₂)), or 1 when U₁ = U₂.
//! - **Ties, both samples ≤ [`EXACT_TIES_MAX_N`] (25):** the exact distribution of U₁
//!   *conditional on the observed ties* (Klotz 1966; Cheung & Klotz 1997): every one of the
//!   C(n₁+n₂, n₁) ways to split the pooled values between the samples is equally likely, ties
//!   counting ½ in U. p = 2·P(U₁ ≤ min(U₁, U₂)) under that distribution, or 1 when U₁ = U₂.
//! - **Otherwise:** the normal approximation with the tie correction and the continuity
//!   correction, `z = (|U₁ − n₁n₂/2| − ½) / σ`, `σ² = n₁n₂/12 · ((N+1) − Σ(t³−t)/(N(N−1)))`,
//!   p = 2·Φ(−z) (0 before the correction gives p = 1).
//! - **Every value equal** (any size): go-moremath fails with `ErrSamplesEqual` and benchstat
//!   reports p = 1 (`~`, "all samples are equal"); so does [`mann_whitney_u`].
//!
//! The limits are go-moremath's `MannWhitneyExactLimit` and `MannWhitneyTiesExactLimit`. Within
//! them the exact computation is cheap: tie-free it counts arrangements with the Gaussian
//! binomial in O(min(n1, n2)·U) integer additions (about 125 000 at 50 × 50), 25 × 25 with ties
//! takes about two million multiply-adds (`cargo bench -p benchgate-stats --bench stats --
//! mann_whitney`).
//!
//! # go-moremath's tie quirk, copied, and where benchgate stops copying
//! With ties, go-moremath evaluates the distribution *of U₁* at min(U₁, U₂). When U₂ < U₁ (the
//! second sample tends to be lower: a benchmark got faster, or a throughput dropped) and the tie
//! pattern is not symmetric, that is not the upper tail of U₁; it is what benchstat prints all
//! the same (p = 0.008 where the upper tail gives 0.010 in benchstat's own golden output
//! `crcIgnore.stdout`, and 24 such rows there), so benchgate computes it too. Three results of
//! that rule are not probabilities of anything, and there benchgate departs from go-moremath:
//! - p above 1 (U₁'s distribution is skewed by uneven ties, so its lower tail up to the centre
//!   holds more than ½): benchgate caps p at 1 (go-moremath prints e.g. 1.190).
//! - p below [`min_attainable_p`], down to 0 (go-moremath's own test of {1, 2, 3, 5} against
//!   {1, 1, 1, 1, 1}): no two-sided rank test can go below `2 / C(n₁+n₂, n₁)` (ties only make
//!   extreme splits more likely), so benchgate reports that bound.
//! - Two distinct values in all, U₂ below the least U₁ can be, and
//!   0 < n₁(t₀ − n₁) − 2U₂ < n₁ + n₂ (t₀ the count of the lower value): go-moremath's
//!   `makeUmemo` base case divides a negative bound with Go's truncation toward zero and counts
//!   C(t₀, n₁) splits where there are none. For {6, 6, 6} against {5, 5, 5, 5, 5} (an
//!   `allocs/op` that dropped) it gives p = 0.357 (`~`); benchgate counts 0 splits and reports
//!   the bound, 2/56 = 0.036.
//!
//! None of the three occurs on benchstat's published test data, where benchgate's p-values are
//! benchstat's (`crates/gate/tests/benchstat_golden.rs`); `tests/gomoremath_agreement.rs` checks
//! the rest against go-moremath's output on ~270 samples.
//!
//! Exact tie-aware counts are exact integers up to 2⁵³ (C(50, 25) ≈ 1.3·10¹⁴ at the limit), so
//! p is the exact ratio rounded once; go-moremath's own `Choose` goes through `Lgamma` above 20
//! and agrees to about 1e-14.

/// Largest size of *each* sample for which [`mann_whitney_u`] uses the exact distribution on
/// tie-free data (go-moremath's `MannWhitneyExactLimit`).
pub const EXACT_MAX_N: usize = 50;

/// Largest size of *each* sample for which [`mann_whitney_u`] uses the exact tie-aware
/// distribution on tied data (go-moremath's `MannWhitneyTiesExactLimit`).
pub const EXACT_TIES_MAX_N: usize = 25;

/// Largest `n1·n2` for which [`mann_whitney_u_with`] computes a forced [`Method::Exact`] test
/// beyond the automatic limits (SciPy comparisons, studies). Tie-free, that costs
/// O(min(n1, n2)·min(U1, U2)) additions (100 vs 100 samples: about a million); with ties
/// O(n1·n1·n2·N), under 0.1 s for 100 vs 100 in a release build.
pub const EXACT_MAX_PAIRS: usize = 10_000;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact permutation distribution of the statistic. For Mann–Whitney it is conditional on the
    /// observed ties (tie-aware); for the signed-rank test it assumes no ties and no zeros.
    Exact,
    /// Normal approximation with tie correction and continuity correction.
    Asymptotic,
    /// Saddlepoint approximation of the exact tie-free distribution (Lugannani–Rice with
    /// Daniels' continuity correction): only the signed-rank test, for large tie-free samples.
    Saddlepoint,
}

/// Result of a two-sided Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U statistic of the first sample (SciPy's and go-moremath's U1): pairs (x from a, y from b)
    /// with x > y, ties counting ½. `U1 + U2 = n1·n2`.
    pub u: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    pub method: Method,
}

/// Two-sided Mann–Whitney U test of `a` (the baseline, go-moremath's x1) against `b`, with
/// benchstat's choice of method (see the module documentation): exact when tie-free and both
/// samples ≤ [`EXACT_MAX_N`], exact tie-aware when tied and both ≤ [`EXACT_TIES_MAX_N`],
/// asymptotic otherwise. p = 1 when every value is equal.
///
/// `None` if either sample is empty or any value is non-finite.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    let ranked = RankSums::of(a, b)?;
    let (n1, n2) = (a.len(), b.len());
    let limit = if ranked.has_ties() {
        EXACT_TIES_MAX_N
    } else {
        EXACT_MAX_N
    };
    let method = if n1 <= limit && n2 <= limit {
        Method::Exact
    } else {
        Method::Asymptotic
    };
    Some(ranked.test(method))
}

/// Two-sided Mann–Whitney U test with a forced `method`: [`Method::Asymptotic`] is
/// `scipy.stats.mannwhitneyu(a, b, method='asymptotic', use_continuity=True)` and
/// go-moremath's approximation; [`Method::Exact`] is the exact distribution (tie-aware on tied
/// data, as go-moremath with its size limits lifted; on tie-free data also SciPy's
/// `method='exact'`).
///
/// `None` if either sample is empty, any value is non-finite, `Exact` is forced with
/// `n1·n2 >` [`EXACT_MAX_PAIRS`] (too costly), or `Saddlepoint` is asked for (signed-rank only).
pub fn mann_whitney_u_with(a: &[f64], b: &[f64], method: Method) -> Option<MannWhitney> {
    if method == Method::Saddlepoint {
        return None;
    }
    if method == Method::Exact && a.len().saturating_mul(b.len()) > EXACT_MAX_PAIRS {
        return None;
    }
    Some(RankSums::of(a, b)?.test(method))
}

/// The smallest two-sided p-value the exact test can produce for these sample sizes,
/// `2 / C(n1+n2, n1)` capped at 1: with fewer samples than this allows, no difference can be
/// significant at that level. 1 if either size is 0. (Ties only make extreme splits more likely,
/// so this bounds the tie-aware test too.)
pub fn min_attainable_p(n1: usize, n2: usize) -> f64 {
    (2.0 / arrangements(n1, n2)).min(1.0)
}

/// C(n1+n2, n1) as an `f64`: exact up to 2⁵³, correctly rounded products beyond, `+inf` once it
/// leaves the `f64` range.
fn arrangements(n1: usize, n2: usize) -> f64 {
    // The product of (long + i)/i for i in 1..=short. Each factor is ≥ 2 in the limit, so the
    // loop overflows to +inf after at most ~1024 steps.
    let (short, long) = (n1.min(n2), n1.max(n2));
    let mut count = 1.0f64;
    for i in 1..=short {
        // (count·(long + i)) is divisible by i while it is exact.
        count = count * (long as f64 + i as f64) / i as f64;
        if count.is_infinite() {
            return f64::INFINITY;
        }
    }
    count
}

/// Rank information of two pooled samples.
struct RankSums {
    n1: usize,
    n2: usize,
    /// U of the first sample.
    u1: f64,
    /// Sizes of the groups of equal values, in ascending order of value (go-moremath's tie
    /// vector T; all 1 without ties).
    groups: Vec<usize>,
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
        // partial_cmp (all finite here) so that −0.0 and 0.0 tie, as in Go and SciPy.
        pooled.sort_unstable_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut rank_sum_a = 0.0f64;
        let mut groups = Vec::new();
        let mut start = 0;
        while start < pooled.len() {
            let mut end = start + 1;
            while end < pooled.len() && pooled[end].0 == pooled[start].0 {
                end += 1;
            }
            // Ranks start+1 ..= end share their average.
            let average_rank = (start + 1 + end) as f64 / 2.0;
            let from_a = pooled[start..end].iter().filter(|v| v.1).count();
            rank_sum_a += from_a as f64 * average_rank;
            groups.push(end - start);
            start = end;
        }
        let n1 = a.len();
        let u1 = rank_sum_a - (n1 as f64) * (n1 as f64 + 1.0) / 2.0;
        Some(RankSums {
            n1,
            n2: b.len(),
            u1,
            groups,
        })
    }

    fn has_ties(&self) -> bool {
        self.groups.len() < self.n1 + self.n2
    }

    fn test(&self, method: Method) -> MannWhitney {
        let pairs = self.n1 as f64 * self.n2 as f64;
        let u2 = pairs - self.u1;
        let p_value = if self.groups.len() == 1 {
            // Every value equal: go-moremath's ErrSamplesEqual, which benchstat reports as p = 1.
            1.0
        } else {
            match method {
                Method::Exact if self.u1 == u2 => 1.0,
                Method::Exact if self.has_ties() => {
                    // 2U is an integer (U counts halves) below n1·n2 ≤ EXACT_MAX_PAIRS here.
                    let two_u_small = (2.0 * self.u1.min(u2)) as usize;
                    let below = tied_count_at_most(&self.groups, self.n1, two_u_small);
                    let p = 2.0 * below / arrangements(self.n1, self.n2);
                    // Never below what is attainable (see the module documentation); the cap at
                    // 1 is applied below.
                    p.max(min_attainable_p(self.n1, self.n2))
                }
                Method::Exact => {
                    // U is an integer without ties, and ≤ n1·n2 ≤ EXACT_MAX_PAIRS here.
                    let u_small = self.u1.min(u2) as usize;
                    let below = arrangements_with_u_at_most(self.n1, self.n2, u_small).count;
                    2.0 * below / arrangements(self.n1, self.n2)
                }
                // Refused by mann_whitney_u_with.
                Method::Asymptotic | Method::Saddlepoint => self.asymptotic_p(),
            }
        };
        MannWhitney {
            u: self.u1,
            p_value: p_value.clamp(0.0, 1.0),
            method,
        }
    }

    /// `2·P(Z ≥ z)` with the tie-corrected variance and the continuity correction (go-moremath's
    /// and SciPy's formula).
    fn asymptotic_p(&self) -> f64 {
        let (n1, n2) = (self.n1 as f64, self.n2 as f64);
        let n = n1 + n2;
        let mu = n1 * n2 / 2.0;
        let tie_term: f64 = self
            .groups
            .iter()
            .map(|&t| {
                let t = t as f64;
                t * t * t - t
            })
            .sum();
        let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
        let sd = variance.max(0.0).sqrt();
        if sd <= 0.0 {
            return 1.0;
        }
        // |U1 − μ| is a multiple of ½, so the corrected distance is ≥ 0 except at U1 = μ, where
        // go-moremath's numerator is 0 and p = 1 (here Φ(½/σ) > ½, clamped to 1 by the caller).
        let z = ((self.u1 - mu).abs() - 0.5) / sd;
        // Φ(−z) rather than go-moremath's 1 − Φ(z): the same value, without cancellation deep
        // in the tail.
        2.0 * standard_normal_cdf(-z)
    }
}

/// The number of ways to choose which `n1` of the pooled values belong to the first sample such
/// that `2·U1 ≤ two_u_max`, for the tie vector `groups` (sizes of the groups of equal values, in
/// ascending order): Klotz's enumeration of the u vectors, as a dynamic program over the groups.
///
/// Taking r of the t values of a group into the first sample, when c values precede the group
/// and k of them are in the first sample, adds r·(c − k) + r·(t − r)/2 to U1 (pairs beaten, ties
/// counting ½) and multiplies the count by C(t, r). The state is (k, 2U1 so far); as U only grows,
/// states above `two_u_max` are dropped. Counts are exact below 2⁵³.
fn tied_count_at_most(groups: &[usize], n1: usize, two_u_max: usize) -> f64 {
    let total: usize = groups.iter().sum();
    let width = two_u_max + 1;
    // counts[k·width + w]: ways with k first-sample values among the groups so far and 2U1 = w.
    let mut counts = vec![0.0f64; (n1 + 1) * width];
    let mut next = vec![0.0f64; (n1 + 1) * width];
    counts[0] = 1.0;
    let mut before = 0usize;
    let mut binomial: Vec<f64> = Vec::new();
    for &t in groups {
        // C(t, r) for r in 0..=t, by Pascal's rule (exact: at most C(50, 25) within the limits).
        binomial.clear();
        binomial.push(1.0);
        for r in 1..=t {
            let previous = binomial[r - 1];
            binomial.push(previous * (t + 1 - r) as f64 / r as f64);
        }
        next.iter_mut().for_each(|c| *c = 0.0);
        let after = total - before - t;
        // The first sample must still fit into the values after this group.
        let k_min = n1.saturating_sub(after + t);
        for k in k_min..=n1.min(before) {
            let row = &counts[k * width..(k + 1) * width];
            for r in 0..=t.min(n1 - k) {
                if k + r + after < n1 {
                    continue;
                }
                let step = r * (2 * (before - k) + (t - r));
                if step > two_u_max {
                    continue;
                }
                let ways = binomial[r];
                let target = &mut next[(k + r) * width + step..(k + r + 1) * width];
                for (cell, &count) in target.iter_mut().zip(row) {
                    *cell += ways * count;
                }
            }
        }
        std::mem::swap(&mut counts, &mut next);
        before += t;
    }
    counts[n1 * width..].iter().sum()
}

/// How many of the C(n1+n2, n1) equally likely arrangements of two tie-free samples give
/// U ≤ k, and the work that took.
struct CountAtMost {
    count: f64,
    /// Coefficient updates: the cost, which tests hold to O(min(n1, n2)·k).
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the cost test"))]
    updates: usize,
}

/// The number of arrangements with U ≤ k, tie-free: the coefficients of q⁰…qᵏ of the Gaussian
/// binomial `[n1+n2 choose s]_q = Π_{i=1..s} (1 − q^(l+i)) / (1 − q^i)` (s, l the shorter and
/// longer size; the coefficient of q^u counts the arrangements with U = u), multiplying in one
/// factor at a time, truncated at degree k: a subtraction and a strided running sum per factor,
/// O(s·k) in all (the recurrence over both sizes, [`exact_cdf`], is O(s·l·k): 12 ms instead of
/// 0.1 ms at 100 × 100). After factor i the series is `[l+i choose i]_q`, so every value met is
/// at most C(n1+n2, n1) in size: exact in `i128` while that stays below 2¹²⁶ (every automatic
/// case, up to 50 × 50: C(100, 50) ≈ 10²⁹); beyond (forced exact tests up to 100 × 100) in
/// `f64`, where each factor's subtraction only removes arrangements with a smaller U (lower,
/// unimodal coefficients), keeping the relative error within about k·ln(s) ulps.
fn arrangements_with_u_at_most(n1: usize, n2: usize, k: usize) -> CountAtMost {
    if arrangements(n1, n2) < 2f64.powi(126) {
        let (count, updates) = gaussian_binomial_prefix::<i128>(n1, n2, k);
        CountAtMost {
            count: count as f64,
            updates,
        }
    } else {
        let (count, updates) = gaussian_binomial_prefix::<f64>(n1, n2, k);
        CountAtMost { count, updates }
    }
}

/// Σ of the coefficients of q⁰…qᵏ of `[n1+n2 choose min(n1, n2)]_q`, and the updates made.
fn gaussian_binomial_prefix<T>(n1: usize, n2: usize, k: usize) -> (T, usize)
where
    T: Copy + Default + From<u8> + std::ops::Add<Output = T> + std::ops::Sub<Output = T>,
{
    let (short, long) = (n1.min(n2), n1.max(n2));
    let k = k.min(short * long);
    let mut series = vec![T::default(); k + 1];
    series[0] = T::from(1u8);
    let mut updates = 0;
    for i in 1..=short {
        // × (1 − q^(long+i)), from the top down so each term reads the series before the step.
        let drop = long + i;
        for w in (drop..=k).rev() {
            series[w] = series[w] - series[w - drop];
        }
        // ÷ (1 − q^i): a running sum with stride i.
        for w in i..=k {
            series[w] = series[w] + series[w - i];
        }
        updates += (k + 1).saturating_sub(drop) + (k + 1 - i.min(k + 1));
    }
    let count = series.iter().fold(T::default(), |sum, &c| sum + c);
    (count, updates)
}

/// `P(U ≤ k)` under the null hypothesis for sizes n1, n2, without ties.
///
/// Uses the recurrence on the largest pooled value: it comes from the first sample with
/// probability i/(i+j), adding j to U, so
/// `P_{i,j}(u) = i/(i+j)·P_{i−1,j}(u−j) + j/(i+j)·P_{i,j−1}(u)` (Mann & Whitney's, as
/// go-moremath's `UDist.p`). Every step is a convex combination of non-negative numbers, so
/// relative error stays within a few (n1+n2) ulps even deep in the tail, unlike recurrences with
/// alternating signs. Only u ≤ k is needed, which also bounds the work. O(n1·n2·k): the
/// reference the Gaussian-binomial count ([`arrangements_with_u_at_most`]) is tested against.
#[cfg(test)]
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

    fn close(actual: f64, expected: f64, relative: f64) -> bool {
        (actual - expected).abs() <= relative * expected.abs()
    }

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
        assert_eq!((r.p_value, r.method), (1.0, Method::Exact));
        // Beyond the exact limit too (go-moremath's σ = 0 case).
        let big = [5.0; 30];
        let r = mann_whitney_u(&big, &big).unwrap();
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
        // a = {1, 4}, b = {2, 3}: U1 = 2 = μ → p = 1.
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

    /// go-moremath's TestMannWhitneyUTest, two-sided column (`stats/utest_test.go`).
    #[test]
    fn go_moremath_utest_cases() {
        let s1 = [2.0, 1.0, 3.0, 5.0];
        let s2 = [12.0, 11.0, 13.0, 15.0];
        let s3 = [0.0, 4.0, 6.0, 7.0];
        let s4 = [2.0, 2.0, 2.0, 2.0];
        let s5 = [1.0, 1.0, 1.0, 1.0, 1.0];
        // Small samples, no ties.
        for (a, b, u, p) in [
            (&s1[..], &s2[..], 0.0, 0.028571428571428577),
            (&s2[..], &s1[..], 16.0, 0.028571428571428577),
            (&s1[..], &s3[..], 5.0, 0.48571428571428577),
            // Small samples, ties.
            (&s1[..], &s1[..], 8.0, 1.0),
            (&s1[..], &s4[..], 10.0, 0.7142857142857143),
        ] {
            let r = mann_whitney_u(a, b).unwrap();
            assert_eq!((r.u, r.method), (u, Method::Exact), "{a:?} {b:?}");
            assert!(close(r.p_value, p, 1e-12), "{a:?} {b:?}: {r:?}");
        }
        // go-moremath gives p = 0 here (U1's lower tail at U2 = 2.5, where U1 ≥ 4): benchgate
        // reports the smallest attainable p, 2 / C(9, 4), instead.
        let r = mann_whitney_u(&s1, &s5).unwrap();
        assert_eq!((r.u, r.method), (17.5, Method::Exact));
        assert_eq!(r.p_value, min_attainable_p(4, 5));
        assert!(close(r.p_value, 2.0 / 126.0, 1e-15));
        // The other way round, go-moremath's p is the regular lower tail: P(U1 ≤ 2.5) = 6/126.
        let r = mann_whitney_u(&s5, &s1).unwrap();
        assert_eq!(r.u, 2.5);
        assert!(close(r.p_value, 12.0 / 126.0, 1e-15), "{r:?}");
        // ErrSamplesEqual → p = 1.
        assert_eq!(mann_whitney_u(&s4, &s4).unwrap().p_value, 1.0);
    }

    /// The three places where benchgate departs from go-moremath (module documentation).
    #[test]
    fn departures_from_go_moremath() {
        // go-moremath: 1.1904761904761905 (U1's lower tail up to U1 = 11.5 < μ = 12, doubled).
        let a = [102.0, 101.0, 100.0, 102.0];
        let b = [102.0, 100.0, 102.0, 102.0, 101.0, 101.0];
        let r = mann_whitney_u(&a, &b).unwrap();
        assert_eq!((r.u, r.p_value, r.method), (11.5, 1.0, Method::Exact));
        // go-moremath: 0.35714285714285715, from its truncated bound; U1 = 15 is the most
        // extreme split of the 56.
        let r = mann_whitney_u(&[6.0; 3], &[5.0; 5]).unwrap();
        assert_eq!(r.u, 15.0);
        assert!(close(r.p_value, 2.0 / 56.0, 1e-15), "{r:?}");
        // go-moremath: 0.025974025974025976 (C(6, 5) = 6 splits counted instead of 0).
        let r = mann_whitney_u(&[6.0; 5], &[5.0; 6]).unwrap();
        assert!(close(r.p_value, 2.0 / 462.0, 1e-15), "{r:?}");
        // Where the bound is not truncated, go-moremath's p stands: 2·21/252.
        let r = mann_whitney_u(&[6.0; 5], &[5.0, 5.0, 5.0, 6.0, 6.0]).unwrap();
        assert!(close(r.p_value, 0.16666666666666666, 1e-15), "{r:?}");
    }

    /// go-moremath's large-sample cases (compared there with R's wilcox.test): 500 and 600 values,
    /// beyond the exact limit, so the normal approximation.
    #[test]
    fn go_moremath_large_samples() {
        let l1: Vec<f64> = (0..500).map(|i| f64::from(i * 2)).collect();
        let l2: Vec<f64> = (0..600).map(|i| f64::from(i * 2 - 41)).collect();
        let mut l3 = l2.clone();
        l3[..30].copy_from_slice(&l1[..30]);
        for (a, b, u, p) in [
            (&l1, &l2, 135250.0, 0.0049335360814172224),
            (&l1, &l1, 125000.0, 1.0),
            (&l1, &l3, 134845.0, 0.0038703814239617884),
        ] {
            let r = mann_whitney_u(a, b).unwrap();
            assert_eq!((r.u, r.method), (u, Method::Asymptotic));
            assert!(close(r.p_value, p, 1e-9), "{r:?} vs {p}");
        }
    }

    /// golang.org/x/perf `benchmath/assumption_test.go`, TestCompareNone.
    #[test]
    fn benchmath_compare_none_cases() {
        for (a, b, p) in [
            (&[-1.0, -1.0, -1.0][..], &[1.0, 1.0, 1.0][..], 0.1),
            (&[-1.0; 4][..], &[1.0; 4][..], 0.02857142857142857),
            (
                &[1.0, -1.0, -1.0, -1.0][..],
                &[-1.0, 1.0, 1.0, 1.0][..],
                0.4857142857142857,
            ),
            (&[1.0; 4][..], &[1.0; 4][..], 1.0),
        ] {
            let r = mann_whitney_u(a, b).unwrap();
            assert!(close(r.p_value, p, 1e-7), "{a:?} {b:?}: {r:?}");
        }
    }

    /// Klotz (1966) Table 1 and the tables of go-moremath's TestUDistTies: P(U1 ≤ U) for a tie
    /// vector, with U read from Klotz's statistic x as U = x − n1²/2.
    #[test]
    fn tie_aware_distribution_matches_klotz_tables() {
        let check = |n1: usize, groups: &[usize], table: &[(f64, f64)]| {
            let total: usize = groups.iter().sum();
            let all = arrangements(n1, total - n1);
            for &(x, want) in table {
                let u = x - (n1 * n1) as f64 / 2.0;
                let got = tied_count_at_most(groups, n1, (2.0 * u) as usize) / all;
                assert!(
                    (got - want).abs() < 5e-7,
                    "{groups:?} x={x}: {got} vs {want}"
                );
            }
        };
        check(
            5,
            &[1, 1, 2, 1, 1, 2, 1, 1],
            &[
                (12.5, 0.003968),
                (13.5, 0.007937),
                (15.0, 0.023810),
                (16.5, 0.047619),
                (17.5, 0.071429),
                (18.0, 0.087302),
                (19.0, 0.134921),
                (19.5, 0.138889),
            ],
        );
        check(
            10,
            &[6, 5, 4, 3, 2, 1],
            &[
                (52.0, 0.000014),
                (60.0, 0.000230),
                (64.5, 0.001165),
                (70.0, 0.005648),
                (74.0, 0.011111),
                (80.0, 0.038969),
                (82.0, 0.049581),
                (87.0, 0.101132),
            ],
        );
        check(
            8,
            &[2; 8],
            &[
                (32.0, 0.000078),
                (40.0, 0.005905),
                (46.0, 0.035664),
                (50.0, 0.086713),
                (54.0, 0.175369),
            ],
        );
    }

    /// The whole tie-aware distribution against brute force, on the tie vectors of go-moremath's
    /// checkRef calls: its udistRef (every vector u of how many values of each group are in the
    /// first sample, weighted by Π C(t_i, u_i)), and for the smaller ones every split of the
    /// pooled values as a bit mask, with U counted pair by pair.
    #[test]
    fn tie_aware_distribution_matches_enumeration() {
        for (n1, groups) in [
            (5, &[1, 1, 2, 1, 1, 2, 1, 1][..]),
            (5, &[1, 1, 2, 1, 1, 1, 2, 1][..]),
            (5, &[1, 3, 1, 2, 1, 1, 1][..]),
            (8, &[1, 2, 1, 1, 1, 1, 2, 2, 1, 2][..]),
            (12, &[3, 3, 4, 3, 4, 5][..]),
            (10, &[1, 2, 3, 4, 5, 6][..]),
        ] {
            let total: usize = groups.iter().sum();
            let max_two_u = 2 * n1 * (total - n1);
            let mut by_vectors = vec![0.0f64; max_two_u + 1];
            let mut u = vec![0usize; groups.len()];
            'vectors: loop {
                if u.iter().sum::<usize>() == n1 {
                    let (mut two_u, mut second_before, mut ways) = (0, 0, 1.0);
                    for (&u_i, &t_i) in u.iter().zip(groups) {
                        let v_i = t_i - u_i;
                        two_u += 2 * second_before * u_i + u_i * v_i;
                        second_before += v_i;
                        ways *= arrangements(u_i, v_i);
                    }
                    by_vectors[two_u] += ways;
                }
                for (u_i, &t_i) in u.iter_mut().zip(groups) {
                    if *u_i < t_i {
                        *u_i += 1;
                        continue 'vectors;
                    }
                    *u_i = 0;
                }
                break;
            }
            if total <= 16 {
                let group_of: Vec<usize> = groups
                    .iter()
                    .enumerate()
                    .flat_map(|(g, &t)| std::iter::repeat_n(g, t))
                    .collect();
                let mut by_masks = vec![0.0f64; max_two_u + 1];
                for mask in (0u32..(1 << total)).filter(|m| m.count_ones() as usize == n1) {
                    let mut two_u = 0;
                    for i in (0..total).filter(|i| mask & (1 << i) != 0) {
                        for j in (0..total).filter(|j| mask & (1 << j) == 0) {
                            two_u += match group_of[i].cmp(&group_of[j]) {
                                std::cmp::Ordering::Greater => 2,
                                std::cmp::Ordering::Equal => 1,
                                std::cmp::Ordering::Less => 0,
                            };
                        }
                    }
                    by_masks[two_u] += 1.0;
                }
                assert_eq!(by_masks, by_vectors, "{groups:?}");
            }
            let mut cumulative = 0.0;
            for (w, count) in by_vectors.iter().enumerate() {
                cumulative += count;
                assert_eq!(
                    tied_count_at_most(groups, n1, w),
                    cumulative,
                    "{groups:?} 2U={w}"
                );
            }
        }
    }

    #[test]
    fn method_follows_go_moremath_limits() {
        let distinct = |n: usize, offset: f64| -> Vec<f64> {
            (0..n).map(|i| i as f64 * 2.0 + offset).collect()
        };
        let method = |a: &[f64], b: &[f64]| mann_whitney_u(a, b).unwrap().method;
        assert_eq!(
            method(&distinct(50, 0.0), &distinct(50, 1.0)),
            Method::Exact
        );
        assert_eq!(
            method(&distinct(51, 0.0), &distinct(50, 1.0)),
            Method::Asymptotic
        );
        // Ties (shared values): 25 is the limit.
        assert_eq!(
            method(&distinct(25, 0.0), &distinct(25, 0.0)),
            Method::Exact
        );
        assert_eq!(
            method(&distinct(25, 0.0), &distinct(26, 0.0)),
            Method::Asymptotic
        );
        // −0.0 and 0.0 are the same value: a tie (½), and 1 > 0 (1).
        let r = mann_whitney_u(&[-0.0, 1.0], &[0.0, 2.0]).unwrap();
        assert_eq!(r.u, 1.5);
    }

    #[test]
    fn exact_with_ties_is_never_below_the_attainable_minimum() {
        // 5 + 5 fully separated with ties inside each sample (benchstat's issue19634): exact,
        // 2/252, where the normal approximation said 0.0056.
        let before = [115.0, 114.0, 115.0, 115.0, 115.0];
        let after = [78.8; 5];
        let r = mann_whitney_u(&before, &after).unwrap();
        assert_eq!(r.method, Method::Exact);
        assert!(close(r.p_value, 2.0 / 252.0, 1e-15), "{r:?}");
    }

    #[test]
    fn forced_methods() {
        let a: Vec<f64> = (0..101).map(f64::from).collect();
        let b: Vec<f64> = (0..100).map(|x| f64::from(x) + 0.5).collect();
        assert_eq!(mann_whitney_u(&a, &b).unwrap().method, Method::Asymptotic);
        assert_eq!(mann_whitney_u_with(&a, &b, Method::Exact), None);
        let r = mann_whitney_u_with(&a[..100], &b, Method::Exact).unwrap();
        assert_eq!(r.method, Method::Exact);
        // Forced asymptotic within the exact limits.
        let r = mann_whitney_u_with(&[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0], Method::Asymptotic);
        assert_eq!(r.unwrap().u, 0.5);
    }

    #[test]
    fn min_attainable_p_values() {
        assert_eq!(min_attainable_p(0, 5), 1.0);
        assert_eq!(min_attainable_p(1, 1), 1.0);
        assert_eq!(min_attainable_p(2, 2), 1.0 / 3.0);
        assert!((min_attainable_p(5, 5) - 2.0 / 252.0).abs() < 1e-17);
        // Symmetric in the two sizes, and exact: C(10, 3) = 120 either way.
        assert_eq!(min_attainable_p(3, 7), 2.0 / 120.0);
        assert_eq!(min_attainable_p(7, 3), 2.0 / 120.0);
        // The exact tie-free test reaches that minimum on fully separated samples, in either
        // order (U = 0 and U = n1·n2), and nothing less separated does. (Its recurrence over
        // probabilities lands within an ulp or two: 0.016666666666666663 here.)
        let low = [1.0, 2.0, 3.0];
        let high = [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        for (a, b, u) in [(&low[..], &high[..], 0.0), (&high[..], &low[..], 21.0)] {
            let r = mann_whitney_u(a, b).unwrap();
            assert_eq!((r.u, r.method), (u, Method::Exact));
            assert!(close(r.p_value, 2.0 / 120.0, 4.0 * f64::EPSILON), "{r:?}");
        }
        let r = mann_whitney_u(&[1.0, 2.0, 4.0], &[3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert_eq!(r.u, 1.0);
        assert!(r.p_value > min_attainable_p(3, 7), "{r:?}");
        // With ties inside each sample, the tie-aware count finds the one split that extreme
        // (not the floor the p-value is held to), so p is exactly the minimum again.
        let (low, high) = ([1.0, 1.0, 3.0], [5.0; 7]);
        assert_eq!(tied_count_at_most(&[2, 1, 7], 3, 0), 1.0);
        let r = mann_whitney_u(&low, &high).unwrap();
        assert_eq!(
            (r.u, r.method, r.p_value),
            (0.0, Method::Exact, 2.0 / 120.0)
        );
        // The other way round go-moremath reads U1's lower tail at U2 = 0, where U1 has no
        // mass (p = 0, its quirk): benchgate reports the same minimum.
        assert_eq!(tied_count_at_most(&[2, 1, 7], 7, 0), 0.0);
        let r = mann_whitney_u(&high, &low).unwrap();
        assert_eq!(
            (r.u, r.method, r.p_value),
            (21.0, Method::Exact, 2.0 / 120.0)
        );
        // benchmath's uTestMinP table (mktables.go): equal sizes 1..=9.
        for (n, p) in [
            (3, 0.1),
            (4, 0.02857142857142857),
            (6, 0.0021645021645021645),
            (9, 4.113533525298231e-05),
        ] {
            assert!(close(min_attainable_p(n, n), p, 1e-15), "{n}");
        }
        assert_eq!(min_attainable_p(100_000, 100_000), 0.0);
        assert_eq!(min_attainable_p(usize::MAX, usize::MAX), 0.0);
    }

    #[test]
    fn normal_cdf_tails() {
        assert_eq!(standard_normal_cdf(0.0), 0.5);
        assert!((standard_normal_cdf(-1.959963984540054) - 0.025).abs() < 1e-15);
        assert!((standard_normal_cdf(1.959963984540054) - 0.975).abs() < 1e-15);
        // Φ(−10) = 7.619853024160527e-24 (mpmath); relative precision is kept in the tail.
        assert!((standard_normal_cdf(-10.0) / 7.619853024160527e-24 - 1.0).abs() < 1e-13);
        assert_eq!(standard_normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(standard_normal_cdf(f64::NEG_INFINITY), 0.0);
    }

    /// The tie-free exact p as the recurrence over both sizes computes it.
    fn by_recurrence(n1: usize, n2: usize, k: usize) -> f64 {
        exact_cdf(n1, n2, k)
    }

    fn by_gaussian_binomial(n1: usize, n2: usize, k: usize) -> f64 {
        arrangements_with_u_at_most(n1, n2, k).count / arrangements(n1, n2)
    }

    #[test]
    fn gaussian_binomial_counts_match_the_recurrence() {
        for n1 in 1..=20usize {
            for n2 in 1..=20 {
                let pairs = n1 * n2;
                for k in [
                    0,
                    1,
                    2,
                    pairs / 5,
                    (pairs / 2).saturating_sub(1),
                    pairs / 2,
                    pairs - 1,
                    pairs,
                ] {
                    let (fast, reference) =
                        (by_gaussian_binomial(n1, n2, k), by_recurrence(n1, n2, k));
                    assert!(
                        close(fast, reference, 1e-13),
                        "{n1} × {n2}, U ≤ {k}: {fast} vs {reference}"
                    );
                }
            }
        }
        // The costliest automatic case and forced ones beyond i128 (f64 counts), deep tails
        // included: 2/C(100, 50) ≈ 2·10⁻²⁹ at U = 0.
        let large: [((usize, usize), &[usize]); 4] = [
            ((50, 50), &[0, 3, 312, 833, 1250]),
            ((37, 50), &[0, 3, 231, 616, 925]),
            // Forced beyond i128 (f64 counts); the recurrence is slow here unoptimised.
            ((80, 100), &[0, 3, 500]),
            ((100, 100), &[0, 3, 600]),
        ];
        for ((n1, n2), ks) in large {
            for &k in ks {
                let (fast, reference) = (by_gaussian_binomial(n1, n2, k), by_recurrence(n1, n2, k));
                assert!(
                    close(fast, reference, 1e-12),
                    "{n1} × {n2}, U ≤ {k}: {fast} vs {reference}"
                );
            }
        }
        // Exact integers: C(20, 10) = 184 756 arrangements, one with U = 0, one with U = 1.
        assert_eq!(arrangements_with_u_at_most(10, 10, 1).count, 2.0);
        assert_eq!(arrangements_with_u_at_most(10, 10, 100).count, 184_756.0);
    }

    #[test]
    fn exact_tie_free_counting_costs_the_shorter_size_times_u() {
        // 50 × 50 at U = 1 250 (the centre: the costliest automatic case). The recurrence over
        // both sizes made Σᵢ Σⱼ (min(ij, 1 250) + 1) ≈ 2.6 million updates.
        let count = arrangements_with_u_at_most(50, 50, 1250);
        assert!(count.updates <= 2 * 50 * 1251, "{}", count.updates);
        let count = arrangements_with_u_at_most(100, 100, 5000);
        assert!(count.updates <= 2 * 100 * 5001, "{}", count.updates);
        // Symmetric in the sizes.
        assert_eq!(
            arrangements_with_u_at_most(10, 40, 200).updates,
            arrangements_with_u_at_most(40, 10, 200).updates
        );
    }
}
