//! Descriptive summaries of one sample set.

/// A two-sided interval at a confidence level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    /// The confidence actually attained (order-statistic intervals are conservative).
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
    /// Median absolute deviation, unscaled.
    pub mad: f64,
    pub p95: f64,
    pub p99: f64,
    /// 95 % order-statistic interval of the median; `None` when n is too small to reach 95 %.
    pub median_ci: Option<Interval>,
}

/// Linear-interpolated percentile of sorted data (numpy's default, Hyndman–Fan type 7); `p` in [0, 100].
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * (p / 100.0).clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Distribution-free confidence interval of the median from order statistics: the narrowest symmetric
/// pair of ranks whose binomial(n, ½) coverage reaches `confidence`. `None` when n is too small.
pub fn median_ci(sorted: &[f64], confidence: f64) -> Option<Interval> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    // Coverage of [x_(k), x_(n-k+1)] (1-based) is 1 - 2·P(B ≤ k-1), B ~ Binomial(n, ½).
    let mut cdf = 0.0f64; // P(B ≤ k-1)
    let mut pmf = 0.5f64.powi(n as i32); // P(B = k-1), starting at k = 1
    let mut best: Option<(usize, f64)> = None;
    for k in 1..=n.div_ceil(2) {
        cdf += pmf;
        let coverage_k = 1.0 - 2.0 * cdf;
        if coverage_k >= confidence {
            best = Some((k, coverage_k));
        } else {
            break;
        }
        pmf *= (n - (k - 1)) as f64 / k as f64;
    }
    best.map(|(k, coverage)| Interval { lo: sorted[k - 1], hi: sorted[n - k], confidence: coverage })
}
