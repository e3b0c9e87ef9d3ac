//! Seeded percentile bootstrap of the ratio of medians.

use std::cell::RefCell;
use std::rc::Rc;

use crate::rng::Rng;
use crate::summary::{Interval, midpoint, numpy_lerp};

/// Largest sample for which a bootstrap median is found by drawing the resample's `n` indices
/// (step 2 below). Larger samples draw the median's rank directly from its exact distribution
/// ([`MedianTable`]): the same distribution for a small fraction of the cost (≈ n draws become
/// one or three), which keeps judging thousands of comparisons of thousands of samples in
/// seconds. At or below this size the resamples replay `tests/fixtures/make_fixtures.py`.
pub const DRAWN_MAX_N: usize = 100;

/// Percentile-bootstrap interval of `median(current) / median(baseline)`.
///
/// The procedure is fixed so that it can be replayed exactly (see
/// `tests/fixtures/make_fixtures.py`):
/// 1. `rng = Rng::seed_from_u64(seed)`.
/// 2. For each of `resamples` rounds: the median of a resample of the baseline, then the median
///    of a resample of the current values; record `median_current / median_baseline`. For a
///    sample of n ≤ [`DRAWN_MAX_N`] values the resample is n indices drawn with
///    `rng.index(n)`; above, its median is drawn from that median's exact distribution
///    (see [`MedianTable`]), which consumes one or three `rng.next_f64()`.
/// 3. Take `quantile(ratios, (1 − confidence)/2)` and `quantile(ratios, (1 + confidence)/2)` of
///    the sorted ratios ([`quantile`](crate::quantile) = NumPy's linear method).
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
    ratio_of_medians_ci_by(baseline, current, confidence, resamples, seed, DRAWN_MAX_N)
}

/// [`ratio_of_medians_ci`] with the size up to which resample indices are drawn one by one:
/// `usize::MAX` is the reference procedure at every size (all indices drawn), 0 the tabulated
/// median at every size.
#[doc(hidden)]
pub fn ratio_of_medians_ci_by(
    baseline: &[f64],
    current: &[f64],
    confidence: f64,
    resamples: usize,
    seed: u64,
    drawn_max_n: usize,
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
    let mut baseline = Resampler::new(baseline, drawn_max_n);
    let mut current = Resampler::new(current, drawn_max_n);
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let baseline_median = baseline.median(&mut rng);
        let current_median = current.median(&mut rng);
        let ratio = current_median / baseline_median;
        if baseline_median == 0.0 || !ratio.is_finite() {
            return None;
        }
        ratios.push(ratio);
    }
    Some(Interval {
        lo: quantile_unsorted(&mut ratios, (1.0 - confidence) / 2.0),
        hi: quantile_unsorted(&mut ratios, (1.0 + confidence) / 2.0),
        confidence,
    })
}

/// [`quantile`](crate::quantile) of `values` as if sorted by `f64::total_cmp`, by selecting the two order
/// statistics it interpolates between instead of sorting them all (the same values, so the same
/// result).
fn quantile_unsorted(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let below = virtual_index.floor();
    let (_, &mut at, above) = values.select_nth_unstable_by(below as usize, f64::total_cmp);
    let next = above.iter().copied().min_by(f64::total_cmp).unwrap_or(at);
    numpy_lerp(at, next, virtual_index - below)
}

/// Where one side's resample medians come from.
enum Resampler {
    Drawn(Ranked),
    Tabulated(MedianTable),
}

impl Resampler {
    fn new(values: &[f64], drawn_max_n: usize) -> Resampler {
        if values.len() <= drawn_max_n {
            Resampler::Drawn(Ranked::new(values))
        } else {
            Resampler::Tabulated(MedianTable::new(values))
        }
    }

    fn median(&mut self, rng: &mut Rng) -> f64 {
        match self {
            Resampler::Drawn(ranked) => ranked.resample_median(rng),
            Resampler::Tabulated(table) => table.resample_median(rng),
        }
    }
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

/// A sample whose resample medians are drawn from their exact distribution ([`MiddleRanks`])
/// instead of by drawing n indices.
#[derive(Debug)]
struct MedianTable {
    sorted: Vec<f64>,
    ranks: Rc<MiddleRanks>,
}

impl MedianTable {
    fn new(values: &[f64]) -> MedianTable {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let ranks = MiddleRanks::of_size(sorted.len());
        MedianTable { sorted, ranks }
    }

    fn resample_median(&self, rng: &mut Rng) -> f64 {
        let (lower, upper) = self.ranks.draw(rng);
        if lower == upper {
            self.sorted[lower]
        } else {
            midpoint(self.sorted[lower], self.sorted[upper])
        }
    }
}

/// The exact distribution of the middle ranks of a resample (n draws with replacement) of a
/// sample of n values: which only depends on n, not on the values.
///
/// With the values sorted, a draw picks rank r (0-based) with probability 1/n, so the number of
/// draws at or below rank r is Binomial(n, (r+1)/n), and the j-th smallest drawn rank (j the
/// lower middle, 1-based: ⌈n/2⌉) is ≤ r with probability `P(Binomial(n, (r+1)/n) ≥ j)`: `cdf`,
/// sampled by inversion. For even n the median also needs the next drawn rank: it is the same
/// rank unless exactly j draws are at or below it (probability `pmf(j)·(1 − (r/(r+1))ʲ)` jointly
/// with the lower middle being r: one of those j draws is r itself), and then it is the least of
/// the other n − j draws, uniform over the ranks above, drawn as the minimum of n − j uniforms.
/// Ranks whose cumulative probability is below 2⁻⁶⁰ (far beyond what a 53-bit uniform resolves)
/// are left out of the table.
#[derive(Debug)]
struct MiddleRanks {
    n: usize,
    /// The rank `cdf[0]` is for.
    first: usize,
    /// `cdf[i]`: probability that the lower middle rank is ≤ `first + i`; the last is 1.
    cdf: Vec<f64>,
    /// Even n only, `same[i]`: probability that the upper middle rank equals the lower one,
    /// given that the lower one is `first + i`.
    same: Vec<f64>,
    /// `guide[g]`: the first i with `cdf[i] > g / guide.len()`, where the search for a uniform
    /// u in [g, g+1) / guide.len() starts (a guide table: about one step per draw).
    guide: Vec<u32>,
}

/// Cumulative probability below which a rank is left out of a [`MiddleRanks`] table.
const NEGLIGIBLE: f64 = 1.0 / (1u64 << 60) as f64;

/// Sizes whose [`MiddleRanks`] a thread keeps: a comparison of many benchmarks meets the same
/// few sample sizes again and again.
const KEPT_SIZES: usize = 32;

thread_local! {
    static MIDDLE_RANKS: RefCell<Vec<Rc<MiddleRanks>>> = const { RefCell::new(Vec::new()) };
}

impl MiddleRanks {
    /// The table for samples of n values, computed once per thread for the last
    /// [`KEPT_SIZES`] sizes (it depends on n only).
    fn of_size(n: usize) -> Rc<MiddleRanks> {
        MIDDLE_RANKS.with(|kept| {
            let mut kept = kept.borrow_mut();
            if let Some(found) = kept.iter().find(|t| t.n == n) {
                return Rc::clone(found);
            }
            if kept.len() == KEPT_SIZES {
                kept.remove(0);
            }
            let table = Rc::new(MiddleRanks::new(n));
            kept.push(Rc::clone(&table));
            table
        })
    }

    fn new(n: usize) -> MiddleRanks {
        let j = n.div_ceil(2);
        let tail = BinomialTail::new(n, j);
        // From the rank where the lower middle is most likely, down while the tail is not
        // negligible, then up until the cumulative probability reaches 1.
        let centre = j - 1;
        let mut below = Vec::new();
        for r in (0..centre).rev() {
            let (cdf, pmf) = tail.at_least(r);
            if cdf < NEGLIGIBLE {
                break;
            }
            below.push((cdf, pmf));
        }
        let first = centre - below.len();
        let mut rows: Vec<(f64, f64)> = below.into_iter().rev().collect();
        for r in centre..n {
            let (cdf, pmf) = tail.at_least(r);
            rows.push((cdf, pmf));
            if cdf >= 1.0 {
                break;
            }
        }
        let mut cdf: Vec<f64> = rows.iter().map(|&(c, _)| c.min(1.0)).collect();
        if let Some(last) = cdf.last_mut() {
            // At r = n − 1 every draw is at or below it; an earlier last row rounded to 1.
            *last = 1.0;
        }
        let same = if n.is_multiple_of(2) {
            let mut previous = 0.0;
            rows.iter()
                .zip(&cdf)
                .enumerate()
                .map(|(i, (&(_, pmf), &c))| {
                    let r = first + i;
                    let lower_here = c - previous;
                    previous = c;
                    // P(exactly j draws ≤ r, one of them r) = pmf(j)·(1 − (r/(r+1))ʲ).
                    let split = pmf * -libm::expm1(j as f64 * libm::log1p(-1.0 / (r as f64 + 1.0)));
                    if lower_here > 0.0 {
                        (1.0 - split / lower_here).clamp(0.0, 1.0)
                    } else {
                        1.0
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let slots = cdf.len();
        let guide = (0..slots)
            .map(|g| {
                let at = g as f64 / slots as f64;
                cdf.partition_point(|&c| c <= at) as u32
            })
            .collect();
        MiddleRanks {
            n,
            first,
            cdf,
            same,
            guide,
        }
    }

    /// The lower and upper middle ranks of one resample (equal for odd n).
    fn draw(&self, rng: &mut Rng) -> (usize, usize) {
        let u = rng.next_f64();
        // The first i with cdf[i] > u (the last cdf is 1 > u): the guide's start is ≤ it.
        let slot = ((u * self.guide.len() as f64) as usize).min(self.guide.len() - 1);
        let mut i = self.guide[slot] as usize;
        while self.cdf[i] <= u {
            i += 1;
        }
        let lower = self.first + i;
        let n = self.n;
        if !n.is_multiple_of(2) {
            return (lower, lower);
        }
        let ranks_above = n - 1 - lower;
        if ranks_above == 0 || rng.next_f64() < self.same[i] {
            return (lower, lower);
        }
        // The least of n/2 uniform ranks among `ranks_above`: the floor of the least of n/2
        // continuous uniforms, 1 − V^(2/n), scaled.
        let v = 1.0 - rng.next_f64(); // in (0, 1]
        let least = -libm::expm1(libm::log(v) / (n / 2) as f64);
        let upper = lower + 1 + ((ranks_above as f64 * least) as usize).min(ranks_above - 1);
        (lower, upper)
    }
}

/// `P(Binomial(n, (r+1)/n) ≥ j)` and `P(Binomial(n, (r+1)/n) = j)` for one n and j and any r.
struct BinomialTail {
    n: usize,
    j: usize,
    /// ln C(n, j).
    ln_choose: f64,
}

impl BinomialTail {
    fn new(n: usize, j: usize) -> BinomialTail {
        let lgamma = |x: usize| libm::lgamma(x as f64 + 1.0);
        BinomialTail {
            n,
            j,
            ln_choose: lgamma(n) - lgamma(j) - lgamma(n - j),
        }
    }

    /// Sums the pmf from j away from the mode, the side where terms only shrink, until they no
    /// longer change the sum; the other side is 1 minus that.
    fn at_least(&self, r: usize) -> (f64, f64) {
        let (n, j) = (self.n, self.j);
        if r + 1 >= n {
            return (1.0, if j == n { 1.0 } else { 0.0 });
        }
        let nf = n as f64;
        let p = (r + 1) as f64 / nf;
        let q = (n - r - 1) as f64 / nf;
        let pmf_j =
            libm::exp(self.ln_choose + j as f64 * libm::log(p) + (n - j) as f64 * libm::log(q));
        let odds = p / q;
        if j as f64 > nf * p {
            // Upper tail: terms fall from i = j on.
            let (mut term, mut sum, mut i) = (pmf_j, 0.0, j);
            loop {
                sum += term;
                if i == n || term <= sum * 1e-17 {
                    break;
                }
                term *= (n - i) as f64 / (i + 1) as f64 * odds;
                i += 1;
            }
            (sum, pmf_j)
        } else {
            // Lower tail below j: terms fall from i = j − 1 down.
            let (mut term, mut sum, mut i) = (pmf_j, 0.0, j);
            while i > 0 {
                term *= i as f64 / (n - i + 1) as f64 / odds;
                i -= 1;
                sum += term;
                if term <= sum * 1e-17 {
                    break;
                }
            }
            (1.0 - sum, pmf_j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::quantile;

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

    /// The exact distribution of (lower, upper) middle ranks of a resample of n values, from all
    /// nⁿ equally likely index tuples.
    fn enumerate_middle_ranks(n: usize) -> std::collections::BTreeMap<(usize, usize), f64> {
        let total = n.pow(n as u32);
        middle_rank_counts(n)
            .into_iter()
            .map(|(ranks, count)| (ranks, count as f64 / total as f64))
            .collect()
    }

    /// How many of the nⁿ index tuples have each (lower, upper) pair of middle ranks.
    fn middle_rank_counts(n: usize) -> std::collections::BTreeMap<(usize, usize), usize> {
        let mut found = std::collections::BTreeMap::new();
        let total = n.pow(n as u32);
        let mut drawn = vec![0usize; n];
        for mut code in 0..total {
            for d in &mut drawn {
                *d = code % n;
                code /= n;
            }
            drawn.sort_unstable();
            *found.entry((drawn[(n - 1) / 2], drawn[n / 2])).or_insert(0) += 1;
        }
        found
    }

    #[test]
    fn median_table_is_the_exact_distribution_for_small_samples() {
        for n in 1..=7 {
            let table = MedianTable::new(&(0..n).map(|i| i as f64).collect::<Vec<_>>());
            let exact = middle_rank_counts(n);
            let total = n.pow(n as u32) as f64;
            assert_eq!(table.ranks.first, 0, "n = {n}");
            assert_eq!(table.ranks.cdf.len(), n, "n = {n}");
            // Sums of counts, divided once: exact to an ulp.
            let probability = |keep: &dyn Fn(&(usize, usize)) -> bool| {
                exact
                    .iter()
                    .filter(|(k, _)| keep(k))
                    .map(|(_, c)| c)
                    .sum::<usize>() as f64
                    / total
            };
            for r in 0..n {
                let lower_here = probability(&|k| k.0 == r);
                let cumulative = probability(&|k| k.0 <= r);
                assert!(
                    (table.ranks.cdf[r] - cumulative).abs() < 1e-14,
                    "n = {n} r = {r}: {cumulative} {table:?}"
                );
                if n.is_multiple_of(2) && lower_here > 0.0 {
                    let same = probability(&|k| *k == (r, r)) / lower_here;
                    assert!(
                        (table.ranks.same[r] - same).abs() < 1e-13,
                        "n = {n} r = {r}: {table:?}"
                    );
                }
            }
            assert_eq!(table.ranks.same.is_empty(), !n.is_multiple_of(2));
        }
    }

    /// `P(Binomial(n, p) ≥ j)` by n convolutions with a Bernoulli (no lgamma, no tail sums).
    fn binomial_at_least_by_convolution(n: usize, p: f64, j: usize) -> f64 {
        let mut pmf = vec![1.0f64];
        for _ in 0..n {
            let mut next = vec![0.0; pmf.len() + 1];
            for (k, &mass) in pmf.iter().enumerate() {
                next[k] += mass * (1.0 - p);
                next[k + 1] += mass * p;
            }
            pmf = next;
        }
        pmf[j..].iter().sum()
    }

    #[test]
    fn median_table_of_large_samples_matches_the_binomial_by_convolution() {
        for n in [101usize, 200, 1000, 1683] {
            let table = MedianTable::new(&(0..n).map(|i| i as f64).collect::<Vec<_>>());
            let j = n.div_ceil(2);
            let last = table.ranks.first + table.ranks.cdf.len() - 1;
            // The ranks left out below the table are negligible, those in it are not.
            let below = binomial_at_least_by_convolution(n, table.ranks.first as f64 / n as f64, j);
            assert!(below < NEGLIGIBLE, "n = {n}: {below}");
            assert!(table.ranks.cdf[0] >= NEGLIGIBLE, "n = {n}");
            // About ±7 standard deviations (√n/2 ranks) of the median's rank.
            let width = table.ranks.cdf.len() as f64 / (n as f64).sqrt();
            assert!((6.0..10.0).contains(&width), "n = {n}: {width}");
            let spread = [
                0,
                table.ranks.cdf.len() / 4,
                j - 1 - table.ranks.first,
                table.ranks.cdf.len() * 3 / 5,
            ];
            for i in spread {
                let r = table.ranks.first + i;
                let exact = binomial_at_least_by_convolution(n, (r + 1) as f64 / n as f64, j);
                let got = table.ranks.cdf[i];
                assert!(
                    (got - exact).abs() <= 1e-13 + 1e-11 * exact,
                    "n = {n} r = {r}: {got} vs {exact}"
                );
            }
            assert_eq!(
                (table.ranks.cdf[table.ranks.cdf.len() - 1], last < n),
                (1.0, true)
            );
        }
    }

    #[test]
    fn tabulated_medians_come_with_their_exact_frequencies() {
        const DRAWS: usize = 200_000;
        for n in [5usize, 6] {
            // Powers of two: every midpoint of two of them is a different value.
            let values: Vec<f64> = (0..n).map(|i| f64::from(1u32 << i)).collect();
            let table = MedianTable::new(&values);
            let mut rng = Rng::seed_from_u64(17);
            let mut counts = std::collections::BTreeMap::new();
            for _ in 0..DRAWS {
                *counts
                    .entry(table.resample_median(&mut rng).to_bits())
                    .or_insert(0usize) += 1;
            }
            let exact = enumerate_middle_ranks(n);
            assert_eq!(counts.len(), exact.len(), "n = {n}");
            for ((lower, upper), p) in exact {
                let median = midpoint(values[lower], values[upper]);
                let seen =
                    counts.get(&median.to_bits()).copied().unwrap_or(0) as f64 / DRAWS as f64;
                let standard_error = (p * (1.0 - p) / DRAWS as f64).sqrt();
                assert!(
                    (seen - p).abs() < 5.0 * standard_error,
                    "n = {n} ({lower}, {upper}): {seen} vs {p}"
                );
            }
        }
    }

    #[test]
    fn large_samples_take_at_most_three_draws_per_median() {
        for n in [DRAWN_MAX_N + 1, 1683, 1684] {
            let values: Vec<f64> = (0..n).map(|i| (i % 97) as f64).collect();
            let mut resampler = Resampler::new(&values, DRAWN_MAX_N);
            assert!(matches!(resampler, Resampler::Tabulated(_)), "n = {n}");
            let mut rng = Rng::seed_from_u64(5);
            for _ in 0..1000 {
                let mut behind = rng.clone();
                resampler.median(&mut rng);
                let draws = (1..=3).find(|_| {
                    behind.next_u64();
                    behind == rng
                });
                assert!(draws.is_some(), "n = {n}");
            }
        }
        // At or below the limit the resample's n indices are drawn.
        let values: Vec<f64> = (0..DRAWN_MAX_N).map(|i| i as f64).collect();
        assert!(matches!(
            Resampler::new(&values, DRAWN_MAX_N),
            Resampler::Drawn(_)
        ));
    }

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let mut rng = Rng::seed_from_u64(3);
        for n in [1usize, 2, 3, 10, 101, 5000] {
            let values: Vec<f64> = (0..n)
                .map(|_| (rng.below(50) as f64 - 20.0) / 7.0)
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.0005, 0.025, 0.3, 0.5, 0.975, 0.9995, 1.0] {
                let got = quantile_unsorted(&mut values.clone(), q);
                assert_eq!(
                    got.to_bits(),
                    quantile(&sorted, q).to_bits(),
                    "n = {n} q = {q}"
                );
            }
        }
    }

    #[test]
    fn guided_inversion_finds_the_first_rank_above_the_uniform() {
        for n in [1usize, 2, 7, 101, 1683, 1684] {
            let ranks = MiddleRanks::new(n);
            let mut rng = Rng::seed_from_u64(n as u64);
            for _ in 0..20_000 {
                let u = rng.clone().next_f64();
                let inverted = ranks.first + ranks.cdf.partition_point(|&c| c <= u);
                assert_eq!(ranks.draw(&mut rng).0, inverted, "n = {n} u = {u}");
            }
        }
    }

    #[test]
    fn rank_tables_are_kept_per_size() {
        let a = MiddleRanks::of_size(1683);
        assert!(Rc::ptr_eq(&a, &MiddleRanks::of_size(1683)));
        assert_eq!(MiddleRanks::of_size(1684).n, 1684);
        // Older sizes make way once KEPT_SIZES are kept.
        for n in 0..KEPT_SIZES {
            MiddleRanks::of_size(2000 + n);
        }
        assert!(!Rc::ptr_eq(&a, &MiddleRanks::of_size(1683)));
    }
}
