//! Latency histograms (HDR, constant memory), the percentiles read from them, throughput and error
//! rate. Pure: no I/O, no clock.

use std::time::Duration;

use hdrhistogram::Histogram;

/// Largest latency a histogram holds exactly enough (one hour); longer ones are recorded as this.
pub const MAX_TRACKED_NANOS: u64 = 3_600 * 1_000_000_000;
/// Significant decimal digits the histograms keep (values within 0.1 %).
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// An HDR histogram of latencies in nanoseconds: its memory is fixed by its range, not by the
/// number of samples.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    nanos: Histogram<u64>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    pub fn new() -> Self {
        // Bounds and digits are constants within hdrhistogram's limits, so this cannot fail.
        #[allow(clippy::expect_used)]
        let nanos = Histogram::new_with_bounds(1, MAX_TRACKED_NANOS, SIGNIFICANT_DIGITS)
            .expect("constant histogram bounds are valid");
        Self { nanos }
    }

    /// Records one latency; below 1 ns counts as 1 ns, above an hour as an hour.
    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos())
            .unwrap_or(u64::MAX)
            .clamp(1, MAX_TRACKED_NANOS);
        self.nanos.saturating_record(nanos);
    }

    /// Number of latencies recorded.
    pub fn len(&self) -> u64 {
        self.nanos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nanos.is_empty()
    }

    pub fn reset(&mut self) {
        self.nanos.reset();
    }

    /// p50/p90/p95/p99/p99.9/max, or `None` with no samples. Each is the highest value the
    /// histogram cannot tell apart from the recorded one (exact below 2048 ns, within 0.1 % above).
    pub fn percentiles(&self) -> Option<Percentiles> {
        if self.nanos.is_empty() {
            return None;
        }
        let at = |quantile: f64| Duration::from_nanos(self.nanos.value_at_quantile(quantile));
        Some(Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p95: at(0.95),
            p99: at(0.99),
            p99_9: at(0.999),
            max: Duration::from_nanos(self.nanos.max()),
        })
    }

    /// The underlying histogram, for merging or exporting.
    pub fn histogram(&self) -> &Histogram<u64> {
        &self.nanos
    }
}

/// The latency percentiles a level reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentiles {
    pub p50: Duration,
    pub p90: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub p99_9: Duration,
    pub max: Duration,
}

/// Operations per second over `wall`; 0 when no time passed (nothing to divide by).
pub fn throughput(operations: u64, wall: Duration) -> f64 {
    let seconds = wall.as_secs_f64();
    if seconds > 0.0 {
        operations as f64 / seconds
    } else {
        0.0
    }
}

/// Failed operations as a fraction of all operations; 0 when there were none.
pub fn error_rate(errors: u64, operations: u64) -> f64 {
    if operations == 0 {
        0.0
    } else {
        errors as f64 / operations as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(n: u64) -> Duration {
        Duration::from_nanos(n)
    }

    #[test]
    fn percentiles_of_one_to_thousand_are_exact() {
        let mut histogram = LatencyHistogram::new();
        for n in 1..=1000 {
            histogram.record(nanos(n));
        }
        assert_eq!(histogram.len(), 1000);
        assert_eq!(
            histogram.percentiles(),
            Some(Percentiles {
                p50: nanos(500),
                p90: nanos(900),
                p95: nanos(950),
                p99: nanos(990),
                p99_9: nanos(999),
                max: nanos(1000),
            })
        );
    }

    #[test]
    fn one_slow_sample_in_a_thousand_shows_only_at_the_top() {
        let mut histogram = LatencyHistogram::new();
        for _ in 0..999 {
            histogram.record(nanos(100));
        }
        histogram.record(nanos(2000));
        let p = histogram.percentiles().unwrap();
        assert_eq!(
            (p.p50, p.p99, p.p99_9),
            (nanos(100), nanos(100), nanos(100))
        );
        assert_eq!(p.max, nanos(2000));
    }

    #[test]
    fn large_values_are_within_a_tenth_of_a_percent() {
        let mut histogram = LatencyHistogram::new();
        histogram.record(Duration::from_millis(250));
        let max = histogram.percentiles().unwrap().max;
        // 250e6 ns lies in [2^27, 2^28), where buckets are 2^(27-10) = 131 072 ns wide; the
        // reported value is the top of its bucket.
        assert_eq!(max, nanos(250_000_000 / 131_072 * 131_072 + 131_071));
        assert!(max.as_nanos() - 250_000_000 <= 250_000);
    }

    #[test]
    fn out_of_range_latencies_are_clamped_not_lost() {
        let mut histogram = LatencyHistogram::new();
        histogram.record(Duration::ZERO);
        histogram.record(Duration::from_secs(7200));
        assert_eq!(histogram.len(), 2);
        let p = histogram.percentiles().unwrap();
        assert_eq!(p.p50, nanos(1));
        assert!(p.max >= Duration::from_secs(3600) && p.max < Duration::from_secs(3604));
    }

    #[test]
    fn empty_histogram_has_no_percentiles() {
        assert_eq!(LatencyHistogram::new().percentiles(), None);
    }

    #[test]
    fn throughput_and_error_rate_on_fixed_inputs() {
        assert_eq!(throughput(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(throughput(3, Duration::ZERO), 0.0);
        assert_eq!(error_rate(1, 4), 0.25);
        assert_eq!(error_rate(0, 0), 0.0);
    }
}
