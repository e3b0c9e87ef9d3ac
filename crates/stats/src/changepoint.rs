//! Change-point detection over a benchmark's history (SPEC §7.3): where does the level of a
//! series of per-run values (e.g. each stored run's median wall time, oldest first) shift, and by
//! how much.
//!
//! # Objective
//! The segmentation of the series, every segment at least `min_segment` long, that minimises
//!
//! ```text
//! Σ over segments of  Σ (x_i − mean of the segment)²   +   penalty × (number of change points)
//! ```
//!
//! exactly: the penalised changes-in-mean objective of PELT (Killick, Fearnhead & Eckley 2012,
//! "Optimal detection of changepoints with a linear computational cost", JASA 107(500)). The cost
//! is ruptures' `l2` cost (`CostL2`: the sum of squared deviations from the segment mean, not
//! their variance) and the penalty is added once per change point, so this is the objective of
//! `ruptures.Pelt(model="l2", jump=1, min_size=…).predict(pen=…)` (ruptures adds the penalty once
//! per *segment*, one more than per change point, which picks the same segmentation).
//! [`l2_segmentation`] is that raw segmentation. It is solved with pruning that stays exact under
//! a minimum segment length (ruptures 1.1.10's does not, see [`l2_segmentation`]) plus FPOP's
//! functional pruning (Maidstone, Hocking, Rigaill & Fearnhead 2017) so that flat series cost
//! O(n), not O(n²). `tests/changepoint.rs` checks it against a brute-force dynamic programme and
//! against ruptures (identical breakpoints wherever ruptures finds the optimum) on
//! `tests/fixtures/changepoint.json`.
//!
//! # On benchmark histories
//! [`change_points`] segments the natural logarithm of the values, because benchmark times are
//! multiplicative: a regression makes every run ~10 % slower and noise is a percentage of the
//! time, so on the log scale a shift has the same size at 1 µs and at 1 s and the noise is roughly
//! constant. Values must therefore be positive and finite; any other value makes the whole call
//! `None` rather than being skipped, since skipping would silently move every reported index.
//!
//! Before segmenting, excursions shorter than `min_segment` runs (one noisy-neighbour run 1.5×
//! slower) are pulled back to the level around them by a Hampel-type filter (Hampel 1974; see
//! `despike`): the l2 cost is not robust, and would otherwise box a big enough single outlier
//! into a `min_segment`-long segment of its own — two change points, up and straight back down.
//! Segment levels are reported as medians of the original values.
//!
//! Default penalty ([`Penalty::Auto`]): `β · σ̂² · ln n` with β = [`AUTO_PENALTY_BETA`], where σ̂
//! is a robust estimate of the noise of the log values: the median absolute deviation of their
//! first differences divided by `√2 · Φ⁻¹(¾)` (differences of independent noise have √2 times its
//! spread, and `Φ⁻¹(¾)` makes the MAD consistent for a normal; a shift disturbs only the one
//! difference that straddles it, which the median ignores). `σ² ln n` per change is the form of
//! the Schwarz/BIC penalty (which is `2σ² ln n`); β was raised by simulation until flat noise
//! almost never shows a shift — see [`AUTO_PENALTY_BETA`] for the measured rates. The noise model
//! is independent runs: a history that drifts slowly is a staircase of level shifts to this
//! method, as it should be for "when did it get slower".

use std::ops::Range;

use crate::summary::median_in_place;

/// β of the automatic penalty `β · σ̂² · ln n`.
///
/// Calibrated by simulation (`calibration_of_the_default_penalty` in `tests/changepoint.rs`,
/// which asserts the β = 6 row): runs with i.i.d. 2 % log-normal noise, `min_segment` 3, 10 000
/// seeded series per row (2 000 for n = 1 000, 500 for n = 10 000). Flat noise, share of series
/// with any change point:
///
/// | n      | 10    | 20    | 30    | 50    | 100   | 200   | 1 000 | 10 000 |
/// |--------|-------|-------|-------|-------|-------|-------|-------|--------|
/// | β = 4  | 9.1 % | 5.9 % | 3.4 % | 1.6 % | 0.49 %| 0.14 %| 0     | 0      |
/// | β = 5  | 6.6 % | 3.4 % | 1.9 % | 0.72 %| 0.17 %| 0.03 %| 0     | 0      |
/// | **6**  | 4.9 % | 2.2 % | 1.1 % | 0.28 %| 0.06 %| 0.01 %| 0     | 0      |
/// | β = 7  | 3.7 % | 1.4 % | 0.64 %| 0.12 %| 0.02 %| 0     | 0     | 0      |
/// | β = 8  | 3.0 % | 0.98 %| 0.37 %| 0.06 %| 0.01 %| 0     | 0     | 0      |
///
/// Planted shifts, share found within one run of their index (β 4 / 5 / **6** / 7 / 8):
/// +5 % (2.5σ) halfway through 20 runs: 83 / 77 / **70** / 62 / 55 %; halfway through 50:
/// 91 / 91 / **91** / 90 / 89 % (here the ±1 location, not detection, is the limit); +5 % in the
/// last 5 of 50: 77 / 66 / **55** / 44 / 35 %; in the last 3 of 50: 47 / 33 / **23** / 16 / 11 %;
/// +10 % in the last 3 of 50: 99 / 98 / **97** / 95 / 92 %; +5 % in the last 5 of 200:
/// 72 / 56 / **40** / 26 / 16 %.
///
/// β = 6 keeps false shifts under 1 % from about 35 runs on and under 0.1 % from 100, at the
/// price of slow detection of a small shift in the last few runs (the gate, not the history,
/// judges the latest run). The `ln n` factor over-penalises long series for this purpose (flat
/// series of 1 000 runs and more show nothing at any β here); short histories (< 20 runs) are
/// inherently noisy because σ̂ itself is.
pub const AUTO_PENALTY_BETA: f64 = 6.0;

/// Default minimum number of points in a segment: a level must last three runs to count as a
/// shift, so one or two unusual runs are not reported as one.
pub const DEFAULT_MIN_SEGMENT: usize = 3;

/// Outlier threshold of the filter, in noise scales σ̂ (the classic 3 of Hampel's identifier): a
/// point this far from its local medians is an outlier, not noise.
pub const DESPIKE_THRESHOLD: f64 = 3.0;

/// Largest half-width of the filter's window (`min_segment − 1` up to this), so a large
/// `min_segment` keeps the filter O(n); excursions longer than this are left to the segmentation.
pub const MAX_DESPIKE_HALF_WIDTH: usize = 10;

/// Φ⁻¹(¾), the normal quantile that makes the MAD a consistent estimate of σ.
const NORMAL_MAD_QUANTILE: f64 = 0.674_489_750_196_081_7;

/// The cost added per change point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Penalty {
    /// `AUTO_PENALTY_BETA · σ̂² · ln n` from the series itself (see the module docs).
    Auto,
    /// This value, in squared log units (the scale of the l2 cost on the log values). Must be
    /// finite and ≥ 0.
    Fixed(f64),
}

/// Options of [`change_points`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePointOptions {
    pub penalty: Penalty,
    /// Minimum segment length; 0 is taken as 1 (as ruptures does).
    pub min_segment: usize,
}

impl Default for ChangePointOptions {
    fn default() -> Self {
        ChangePointOptions {
            penalty: Penalty::Auto,
            min_segment: DEFAULT_MIN_SEGMENT,
        }
    }
}

/// One detected shift of level.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    /// First index of the new segment (the first run at the new level).
    pub index: usize,
    /// The segment before the shift: from the previous change point (or 0) to `index`.
    pub before: Range<usize>,
    /// The segment after the shift: from `index` to the next change point (or the end).
    pub after: Range<usize>,
    /// Median of the original values in `before`.
    pub before_median: f64,
    /// Median of the original values in `after`.
    pub after_median: f64,
    /// `after_median / before_median − 1`: +0.10 is 10 % slower (or larger).
    pub relative_shift: f64,
}

/// Shifts of level in `values` (oldest first), by penalised segmentation of their logarithms
/// (see the module docs).
///
/// `None` when any value is not finite or not > 0, or when a fixed penalty is negative or not
/// finite. No change points (an empty list) when the series is shorter than
/// `2 · min_segment`, or, with [`Penalty::Auto`], when it has no measurable noise (all first
/// differences of the logs equal, e.g. a constant series).
pub fn change_points(values: &[f64], options: &ChangePointOptions) -> Option<Vec<ChangePoint>> {
    let logs = logs_of(values)?;
    let sigma = noise_scale(&logs);
    let penalty = match (options.penalty, sigma) {
        (Penalty::Fixed(p), _) if p.is_finite() && p >= 0.0 => p,
        (Penalty::Fixed(_), _) => return None,
        (Penalty::Auto, Some(sigma)) => auto_penalty_from(sigma, logs.len()),
        // No noise to scale a penalty by (all differences equal, e.g. a constant series).
        (Penalty::Auto, None) => return Some(Vec::new()),
    };
    let min_segment = options.min_segment.max(1);
    if values.len() < min_segment.saturating_mul(2) {
        return Some(Vec::new());
    }
    let cleaned = match sigma {
        Some(sigma) => despike(
            &logs,
            (min_segment - 1).min(MAX_DESPIKE_HALF_WIDTH),
            DESPIKE_THRESHOLD * sigma,
        ),
        None => logs,
    };
    let starts = l2_segmentation(&cleaned, penalty, min_segment)?;
    let mut bounds = Vec::with_capacity(starts.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(&starts);
    bounds.push(values.len());
    let mut scratch = Vec::new();
    let mut median_of = |range: Range<usize>| {
        scratch.clear();
        scratch.extend_from_slice(&values[range]);
        median_in_place(&mut scratch)
    };
    let medians: Vec<f64> = bounds.windows(2).map(|w| median_of(w[0]..w[1])).collect();
    Some(
        (1..bounds.len() - 1)
            .map(|k| ChangePoint {
                index: bounds[k],
                before: bounds[k - 1]..bounds[k],
                after: bounds[k]..bounds[k + 1],
                before_median: medians[k - 1],
                after_median: medians[k],
                relative_shift: medians[k] / medians[k - 1] - 1.0,
            })
            .collect(),
    )
}

/// The penalty [`Penalty::Auto`] gives for `values` (positive, oldest first), in squared log
/// units: `AUTO_PENALTY_BETA · σ̂² · ln n`.
///
/// `None` when any value is not finite or not > 0, when there are fewer than two values, or when
/// the noise scale is 0 (all first differences of the logs equal).
///
/// σ̂ is the MAD of the first differences of the logs over `√2 · Φ⁻¹(¾)`. When more than half of
/// the differences are equal (quantised values, e.g. integer nanoseconds of a very stable
/// benchmark), the MAD is 0 although the series varies; σ̂ is then the mean absolute deviation of
/// the differences from their median, times `√(π/2) / √2` (consistent for a normal), which is 0
/// only when all differences are equal.
pub fn auto_penalty(values: &[f64]) -> Option<f64> {
    let logs = logs_of(values)?;
    noise_scale(&logs).map(|sigma| auto_penalty_from(sigma, logs.len()))
}

/// Natural logarithms of `values`; `None` unless all are finite and > 0.
fn logs_of(values: &[f64]) -> Option<Vec<f64>> {
    values
        .iter()
        .map(|&v| (v.is_finite() && v > 0.0).then(|| v.ln()))
        .collect()
}

fn auto_penalty_from(sigma: f64, n: usize) -> f64 {
    // Logs of finite positive values lie within ±745 and distinct ones differ by more than
    // ~1e-17, so 0 < σ̂² < ~1e7 neither overflows nor underflows; with n ≥ 2 this is finite and > 0.
    AUTO_PENALTY_BETA * sigma * sigma * (n as f64).ln()
}

/// Robust σ of the noise of `x` from its first differences (see [`auto_penalty`]); `None` for
/// fewer than two points or a zero scale.
fn noise_scale(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let mut diffs: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let centre = median_in_place(&mut diffs);
    let mut deviations: Vec<f64> = diffs.iter().map(|d| (d - centre).abs()).collect();
    let mad = median_in_place(&mut deviations);
    let sigma = if mad > 0.0 {
        mad / (std::f64::consts::SQRT_2 * NORMAL_MAD_QUANTILE)
    } else {
        let mean_abs = deviations.iter().sum::<f64>() / deviations.len() as f64;
        // E|Z| = √(2/π) for a standard normal Z.
        mean_abs * (std::f64::consts::FRAC_PI_2.sqrt() / std::f64::consts::SQRT_2)
    };
    (sigma.is_finite() && sigma > 0.0).then_some(sigma)
}

/// Hampel-type filter for excursions shorter than a segment: replaces a point by the median of
/// the `2·half_width + 1` points centred on it when it is further than `threshold` from that
/// median *and*, in the same direction, from the median of the `2·half_width − 1` points just
/// before it and of those just after it. Near the ends the centred window slides inward instead
/// of shrinking (so it always has that many points), and a side with fewer than `half_width`
/// points has no say.
///
/// With `half_width = min_segment − 1`, a run of fewer than `min_segment` unusual points is a
/// minority of every window that covers it, so it is pulled back to the level around it; each
/// point of a level that lasts `min_segment` points has a majority of its own level in its
/// centred window, so it stays, also in the last runs of the series, where a new regression
/// shows first. The one-sided medians keep the points beside a real shift: such a point agrees
/// with the side of its own level, while the centred median (two points from the other level in
/// the window) can land on an extreme point of its own level. The threshold is a multiple of the
/// noise scale, so ordinary noise is left alone. Shorter input than the centred window is returned
/// unchanged.
fn despike(x: &[f64], half_width: usize, threshold: f64) -> Vec<f64> {
    let n = x.len();
    let mut out = x.to_vec();
    let width = 2 * half_width + 1;
    if half_width == 0 || n < width {
        return out;
    }
    let side = 2 * half_width - 1;
    let mut window = Vec::with_capacity(width);
    let mut median_of = |points: &[f64]| {
        window.clear();
        window.extend_from_slice(points);
        median_in_place(&mut window)
    };
    for (i, value) in out.iter_mut().enumerate() {
        let first = i.saturating_sub(half_width).min(n - width);
        let local = median_of(&x[first..first + width]);
        let deviation = x[i] - local;
        if deviation.abs() <= threshold {
            continue;
        }
        // Deviates from this side's level in the same direction, or the side is too short to
        // tell (fewer than half_width points: the start or the end of the series).
        let mut deviates_from = |points: &[f64]| {
            points.len() < half_width || {
                let d = x[i] - median_of(points);
                d.abs() > threshold && (d > 0.0) == (deviation > 0.0)
            }
        };
        if deviates_from(&x[i.saturating_sub(side)..i])
            && deviates_from(&x[i + 1..(i + 1 + side).min(n)])
        {
            *value = local;
        }
    }
    out
}

/// Exact penalised segmentation of `x` for changes in mean: the first index of each new segment,
/// in increasing order (ruptures' `predict` returns segment ends instead: these indices followed
/// by `x.len()`).
///
/// Minimises the sum over segments of the squared deviations from the segment mean (ruptures'
/// `l2` cost) plus `penalty` per change point, over all segmentations whose segments are at least
/// `min_segment` long (0 is taken as 1) — the objective of `ruptures.Pelt(model="l2", jump=1,
/// min_size=min_segment).predict(pen=penalty)`, solved exactly. Among exactly tied optima the
/// earliest last change point wins, as in ruptures.
///
/// `None` when `x` has a non-finite value or its sums of squares overflow (|x| beyond ~1e150), or
/// when `penalty` is negative or not finite. No change points when `x.len() < 2 · min_segment`.
///
/// # Why not ruptures' pruning
/// PELT discards a start τ at time t once `F(τ) + C(τ, t) > F(t)`: any later segment from τ
/// would do better split at t. With a minimum segment length that split is only legal for ends at
/// least `min_segment` after t, and ruptures 1.1.10 prunes immediately, so it sometimes returns a
/// segmentation that is not optimal (ruptures pull request #383: `[0, 1, 0, 0, 1]`, `min_size=2`,
/// `pen=0.1` gives `[2]` where the optimum is no change; we saw it in 11 of 2 938 short random
/// series with `min_size` 2–5, and in one ordinary step series of the fixture). Here a start
/// only enters the search, and only prunes others, once it is a legal start (`min_segment` after
/// its position), which keeps every pruning step valid; `tests/changepoint.rs` checks the result
/// against a brute-force dynamic programme, and against ruptures wherever ruptures is optimal.
///
/// # Speed
/// On a series without shifts PELT's inequality prunes nothing (splitting flat noise anywhere
/// lowers the squared error, so every old start stays plausible) and costs O(n²). So this adds
/// the functional pruning of FPOP (Maidstone, Hocking, Rigaill & Fearnhead 2017, "On optimal
/// multiple changepoint algorithms for large data", Statistics and Computing 27): each start τ
/// is kept with the set of segment means μ for which its cost `F(τ) + penalty + Σ (x_i − μ)²` is
/// the lowest, and dropped when that set is empty, which subsumes PELT's test. Each step costs
/// O(k log k) in the number k of starts kept, and k stays small: on 100 000 points of flat
/// normal noise at most 17 (9 on average) with the automatic penalty's size, at most 13 with a
/// shift every 500 points. The worst case (no start ever dominated: a constant series with
/// penalty exactly 0, where every start ties — 3 s for 20 000 points) stays O(n²) time; memory
/// is O(n·k).
pub fn l2_segmentation(x: &[f64], penalty: f64, min_segment: usize) -> Option<Vec<usize>> {
    segmentation_and_most_starts(x, penalty, min_segment).map(|(changes, _)| changes)
}

/// [`l2_segmentation`] and the most starts it kept at once, which the tests pin: pruning that
/// is too weak still finds the optimum, only slowly.
fn segmentation_and_most_starts(
    x: &[f64],
    penalty: f64,
    min_segment: usize,
) -> Option<(Vec<usize>, usize)> {
    if !(penalty.is_finite() && penalty >= 0.0) {
        return None;
    }
    let min_segment = min_segment.max(1);
    let cost = L2Cost::new(x)?;
    let n = x.len();
    if n < min_segment.saturating_mul(2) {
        return Some((Vec::new(), 0));
    }
    // best[t]: the optimal total of x[..t] — costs plus one penalty per segment, ruptures'
    // convention, which differs from "per change point" by one penalty and so has the same
    // minimisers; last[t]: where its last segment starts. Defined for t = 0 and t ≥ min_segment.
    let mut best = vec![0.0f64; n + 1];
    let mut last = vec![0usize; n + 1];
    // Starts that may still begin the last segment of an optimum, ascending.
    let mut starts: Vec<Start> = Vec::new();
    let mut beaten: Vec<(f64, f64)> = Vec::new();
    let mut most_starts = 0;
    for end in min_segment..=n {
        // The newest start that leaves the last segment min_segment long; starts in
        // 1..min_segment would leave a first segment that is too short.
        let newest = end - min_segment;
        if newest == 0 || newest >= min_segment {
            admit(newest, &mut starts, &mut beaten, &best, &cost, penalty);
            most_starts = most_starts.max(starts.len());
        }
        let (mut best_total, mut best_start) = (f64::INFINITY, 0);
        for start in &starts {
            // Summed in ruptures' order (previous total, then cost + penalty), so equal inputs
            // give equal totals and the same tie-breaks.
            let total = best[start.at] + (cost.of(start.at, end) + penalty);
            if total < best_total {
                (best_total, best_start) = (total, start.at);
            }
        }
        best[end] = best_total;
        last[end] = best_start;
    }
    let mut changes = Vec::new();
    let mut end = n;
    while end > 0 {
        let start = last[end];
        if start > 0 {
            changes.push(start);
        }
        end = start;
    }
    changes.reverse();
    Some((changes, most_starts))
}

/// Relative slack on every pruning comparison: pruning only ever drops a start whose advantage
/// is below rounding noise by this margin, so rounding can make the search keep a start it could
/// have dropped (slower) but never drop one that is optimal.
const PRUNING_SLACK: f64 = 1e-9;

/// A candidate start τ of the last segment, with what is known of the means μ at which its cost
/// `q_τ(μ) = F(τ) + penalty + Σ_{i ≥ τ} (x_i − μ)²` is the lowest of all starts.
struct Start {
    at: usize,
    /// Newer starts beat τ outside `[lo, hi]`.
    lo: f64,
    hi: f64,
    /// Disjoint open intervals, sorted, on each of which an older start beats τ.
    beaten: Vec<(f64, f64)>,
}

/// Admits start `j` (now a legal start), narrowing every older start's region and dropping those
/// left with none.
///
/// For τ < j the two costs differ by a term that no later data changes (both add the same
/// `(x_i − μ)²` from j on): `q_τ(μ) − q_j(μ) = w (μ − x̄)² − d`, with `w = j − τ`, x̄ the mean of
/// `x[τ..j]` and `d = F(j) − F(τ) − C(τ, j)`. So τ is at least as good as j exactly on the
/// interval `|μ − x̄| ≤ √(d / w)` (nowhere when d < 0: PELT's test), and strictly better inside
/// it, which is where j can never be optimal.
fn admit(
    j: usize,
    starts: &mut Vec<Start>,
    beaten: &mut Vec<(f64, f64)>,
    best: &[f64],
    cost: &L2Cost,
    penalty: f64,
) {
    beaten.clear();
    let f_j = best[j];
    starts.retain_mut(|start| {
        let tau = start.at;
        let w = (j - tau) as f64;
        let c = cost.of(tau, j);
        let mean = cost.mean(tau, j);
        let d = f_j - best[tau] - c;
        let slack = PRUNING_SLACK * (f_j.abs() + best[tau].abs() + c + penalty);
        if d - slack > 0.0 {
            let r = ((d - slack) / w).sqrt();
            beaten.push((mean - r, mean + r));
        }
        if d + slack < 0.0 {
            return false;
        }
        let r = ((d + slack) / w).sqrt();
        start.lo = start.lo.max(mean - r);
        start.hi = start.hi.min(mean + r);
        // NaN bounds (from overflowing totals) fail neither test, so they keep the start.
        !(start.lo > start.hi || covered(&start.beaten, start.lo, start.hi))
    });
    beaten.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(beaten.len());
    for &(a, b) in beaten.iter() {
        match merged.last_mut() {
            // Open intervals that overlap (not merely touch) cover their union.
            Some(prev) if a < prev.1 => prev.1 = prev.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    starts.push(Start {
        at: j,
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
        beaten: merged,
    });
}

/// Whether `[lo, hi]` lies inside one of the disjoint sorted open intervals of `beaten`.
fn covered(beaten: &[(f64, f64)], lo: f64, hi: f64) -> bool {
    // The only interval that can contain lo is the last one starting below it.
    let k = beaten.partition_point(|&(a, _)| a < lo);
    k > 0 && hi < beaten[k - 1].1
}

/// The l2 segment cost `Σ (x_i − mean)²` in O(1) from prefix sums of `x` centred on its mean
/// (centring keeps the sums small, so `Σx² − (Σx)²/m` loses little to cancellation).
struct L2Cost {
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl L2Cost {
    /// `None` when `x` has a non-finite value or the sums overflow.
    fn new(x: &[f64]) -> Option<L2Cost> {
        if x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let centre = if x.is_empty() {
            0.0
        } else {
            x.iter().sum::<f64>() / x.len() as f64
        };
        let mut sum = Vec::with_capacity(x.len() + 1);
        let mut sum_sq = Vec::with_capacity(x.len() + 1);
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        sum.push(s);
        sum_sq.push(s2);
        for &v in x {
            let d = v - centre;
            s += d;
            s2 += d * d;
            sum.push(s);
            sum_sq.push(s2);
        }
        (centre.is_finite() && s.is_finite() && s2.is_finite()).then_some(L2Cost { sum, sum_sq })
    }

    /// Mean of `x[start..end]` minus the centre, `start < end`.
    fn mean(&self, start: usize, end: usize) -> f64 {
        (self.sum[end] - self.sum[start]) / (end - start) as f64
    }

    /// Cost of `x[start..end]`, `start < end`.
    fn of(&self, start: usize, end: usize) -> f64 {
        let m = (end - start) as f64;
        let s = self.sum[end] - self.sum[start];
        let s2 = self.sum_sq[end] - self.sum_sq[start];
        // Rounding can leave a tiny negative for a (near-)constant segment.
        (s2 - s * s / m).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_scale_of_known_differences() {
        // Differences 1, −1, 1, −1: median 0, MAD 1 → σ̂ = 1 / (√2 Φ⁻¹(¾)).
        let sigma = noise_scale(&[0.0, 1.0, 0.0, 1.0, 0.0]).unwrap();
        assert_eq!(
            sigma,
            1.0 / (std::f64::consts::SQRT_2 * NORMAL_MAD_QUANTILE)
        );
        // Differences 0, 0, 0, 2: MAD 0, so the mean absolute deviation 0.5 is scaled instead.
        let sigma = noise_scale(&[0.0, 0.0, 0.0, 0.0, 2.0]).unwrap();
        assert_eq!(
            sigma,
            0.5 * (std::f64::consts::FRAC_PI_2.sqrt() / std::f64::consts::SQRT_2)
        );
        assert_eq!(noise_scale(&[3.0; 5]), None);
        assert_eq!(noise_scale(&[3.0]), None);
        assert_eq!(noise_scale(&[]), None);
    }

    #[test]
    fn despike_removes_short_runs_and_keeps_levels() {
        let level = |i: usize| if i.is_multiple_of(2) { 0.01 } else { -0.01 };
        let base: Vec<f64> = (0..20).map(level).collect();
        // One and two outliers, at the start, inside and at the end: all pulled back.
        for positions in [&[0][..], &[7], &[7, 8], &[19], &[18, 19], &[0, 1]] {
            let mut x = base.clone();
            positions.iter().for_each(|&p| x[p] = 1.0);
            let cleaned = despike(&x, 2, 0.1);
            assert!(
                cleaned.iter().all(|v| v.abs() < 0.05),
                "{positions:?}: {cleaned:?}"
            );
        }
        // Levels lasting three points (half_width 2 ⇒ min_segment 3) stay, wherever they are.
        for first in [0, 8, 17] {
            let mut x = base.clone();
            x[first..first + 3].iter_mut().for_each(|v| *v += 1.0);
            assert_eq!(despike(&x, 2, 0.1), x, "{first}");
        }
        // A step stays, including a noisy run beside it.
        let mut x = base.clone();
        x[10..].iter_mut().for_each(|v| *v += 1.0);
        x[9] -= 0.05;
        x[8] += 0.05;
        assert_eq!(despike(&x, 2, 0.1), x);
        // Half-width 0 or too short: unchanged.
        assert_eq!(despike(&[0.0, 9.0, 0.0], 0, 0.1), [0.0, 9.0, 0.0]);
        assert_eq!(despike(&[0.0, 9.0, 0.0, 0.0], 2, 0.1), [0.0, 9.0, 0.0, 0.0]);
    }

    /// Seeded standard normal noise (Box–Muller).
    fn normal_noise(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::rng::Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let u = 1.0 - rng.next_f64();
                let v = rng.next_f64();
                (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            })
            .collect()
    }

    #[test]
    fn functional_pruning_keeps_few_starts() {
        // The module's speed rests on this (see `l2_segmentation`): weaker pruning finds the same
        // optimum but keeps hundreds of starts, so only this count shows it.
        let n = 4000;
        let flat = normal_noise(n, 7);
        let mut stepped = normal_noise(n, 8);
        for (i, v) in stepped.iter_mut().enumerate() {
            *v += if (i / 500) % 2 == 1 { 4.0 } else { 0.0 };
        }
        for (x, name) in [(&flat, "flat"), (&stepped, "stepped")] {
            let penalty = auto_penalty_from(noise_scale(x).unwrap(), n);
            for min_segment in [1, 5] {
                let (changes, most) =
                    segmentation_and_most_starts(x, penalty, min_segment).unwrap();
                let expected: Vec<usize> = match name {
                    "flat" => Vec::new(),
                    _ => (1..8).map(|k| k * 500).collect(),
                };
                assert_eq!(changes, expected, "{name}, min_segment {min_segment}");
                // 9 to 12 with these seeds (deterministic); 20 without merging the intervals
                // where older starts win, 160 without dropping a start whose region they cover.
                assert!(
                    most <= 15,
                    "{name}, min_segment {min_segment}: {most} starts"
                );
            }
        }
    }

    #[test]
    fn despike_windows_at_their_edges() {
        // Half-widths 1 and 3: the centred window is 2·h + 1 points, each side 2·h − 1.
        let mut x = vec![0.0; 9];
        x[4] = 1.0;
        assert_eq!(despike(&x, 1, 0.1), vec![0.0; 9]);
        x[4..6].iter_mut().for_each(|v| *v = 1.0);
        // Two points are a level for h = 1 (min_segment 2) but a spike for h = 3.
        assert_eq!(despike(&x, 1, 0.1), x);
        let mut long = vec![0.0; 15];
        long[6..9].iter_mut().for_each(|v| *v = 1.0);
        assert_eq!(despike(&long, 3, 0.1), vec![0.0; 15]);
        // Each side is 2·h − 1 points: one for h = 1, so x[3] is a spike beside x[2] alone,
        // while the median of x[1] and x[2] would agree with it.
        assert_eq!(
            despike(&[0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0], 1, 0.1)[3],
            0.0
        );
        // Exactly one centred window long: filtered, not returned unchanged.
        assert_eq!(despike(&[0.0, 0.0, 9.0, 0.0, 0.0], 2, 0.1), [0.0; 5]);
        // A side of exactly h points has its say: x[2] agrees with the median of [2, 0], so it
        // stays although the centred window's median is 0 (x[0] has no side before it).
        let x = [2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            despike(&x, 2, 0.1),
            [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
        // A side exactly `threshold` away does not count as deviating: x[5] stays.
        let x = [0.0, 0.0, 0.5, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(despike(&x, 2, 0.5), x);
        let x = [0.0, 0.0, 0.5, 0.0, 0.5, 1.25, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(despike(&x, 2, 0.5)[5], 0.0);
    }

    #[test]
    fn covered_needs_one_interval_around_the_whole_range() {
        let beaten = [(0.0, 1.0), (2.0, 3.0)];
        assert!(covered(&beaten, 0.5, 0.9));
        assert!(covered(&beaten, 2.1, 2.9));
        assert!(!covered(&beaten, 0.5, 2.5)); // spans the gap
        assert!(!covered(&beaten, 0.0, 0.5)); // open interval: 0 itself is not beaten
        assert!(!covered(&beaten, 0.5, 1.0)); // nor is 1
        assert!(!covered(&beaten, -1.0, -0.5));
        assert!(!covered(&beaten, 3.5, 4.0));
        assert!(!covered(&[], 0.0, 0.0));
    }
}
