//! Everything one level of load reports, built from operation outcomes as they arrive: latencies
//! of successful operations (level histogram and per-window summaries), errors by kind, counts.
//! Pure: outcomes carry their own times (offsets from the level's start), so tests feed fixed ones.

use std::time::Duration;

use crate::error_kind::{ErrorCounts, ErrorKind};
use crate::latency::{LatencyHistogram, Percentiles, error_rate, throughput};

/// One finished operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// When it finished, measured from the level's start; decides its window.
    pub finished_at: Duration,
    /// How long it took, from just before it was started to just after it was reaped.
    pub latency: Duration,
    /// `None` on success.
    pub error: Option<ErrorKind>,
}

/// One time window of a level: the windows give a level several latency samples, so relative
/// verdicts compare distributions rather than one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSummary {
    /// Window number: it covers finish times `[index * width, (index + 1) * width)`.
    pub index: u64,
    pub successes: u64,
    pub errors: u64,
    /// Percentiles of this window's successful operations; `None` when it had none.
    pub percentiles: Option<Percentiles>,
}

/// Collects outcomes into a [`LevelResult`]. Windows are keyed by finish time and closed in
/// order, so only the current window's histogram is live (memory stays constant). An outcome that
/// arrives after its window closed (finishes reported out of order by a few microseconds) counts
/// in the current window.
#[derive(Debug)]
pub struct LevelRecorder {
    window_width: Duration,
    latency: LatencyHistogram,
    errors: ErrorCounts,
    operations: u64,
    windows: Vec<WindowSummary>,
    current_index: u64,
    current_latency: LatencyHistogram,
    current_errors: u64,
}

impl LevelRecorder {
    /// `window_width` must not be zero (the runner validates it); a zero width is treated as 1 ns.
    pub fn new(window_width: Duration) -> Self {
        Self {
            window_width: window_width.max(Duration::from_nanos(1)),
            latency: LatencyHistogram::new(),
            errors: ErrorCounts::default(),
            operations: 0,
            windows: Vec::new(),
            current_index: 0,
            current_latency: LatencyHistogram::new(),
            current_errors: 0,
        }
    }

    /// The window a finish time falls in.
    pub fn window_of(&self, finished_at: Duration) -> u64 {
        let index = finished_at.as_nanos() / self.window_width.as_nanos();
        u64::try_from(index).unwrap_or(u64::MAX)
    }

    pub fn record(&mut self, outcome: Outcome) {
        let index = self.window_of(outcome.finished_at);
        while index > self.current_index {
            self.close_current_window();
        }
        self.operations += 1;
        match outcome.error {
            // Failed operations are errors, never latency samples.
            Some(kind) => {
                self.errors.record(kind);
                self.current_errors += 1;
            }
            None => {
                self.latency.record(outcome.latency);
                self.current_latency.record(outcome.latency);
            }
        }
    }

    fn close_current_window(&mut self) {
        if !self.current_latency.is_empty() || self.current_errors > 0 {
            self.windows.push(WindowSummary {
                index: self.current_index,
                successes: self.current_latency.len(),
                errors: self.current_errors,
                percentiles: self.current_latency.percentiles(),
            });
        }
        self.current_latency.reset();
        self.current_errors = 0;
        self.current_index += 1;
    }

    /// Closes the last window. `wall` is the level's measured duration; `max_in_flight` the most
    /// operations the runner saw running at once.
    pub fn finish(
        mut self,
        concurrency: usize,
        wall: Duration,
        max_in_flight: usize,
    ) -> LevelResult {
        self.close_current_window();
        LevelResult {
            concurrency,
            max_in_flight,
            operations: self.operations,
            wall,
            latency: self.latency,
            errors: self.errors,
            window_width: self.window_width,
            windows: self.windows,
        }
    }
}

/// What one level of load measured.
#[derive(Debug, Clone)]
pub struct LevelResult {
    /// Operations asked to be in flight at once.
    pub concurrency: usize,
    /// Operations actually in flight at once at the peak, as the runner counted them.
    pub max_in_flight: usize,
    /// Operations that finished, successful or not.
    pub operations: u64,
    /// From the level's start until its last operation finished.
    pub wall: Duration,
    /// Latencies of the successful operations.
    pub latency: LatencyHistogram,
    pub errors: ErrorCounts,
    pub window_width: Duration,
    /// Non-empty windows in time order.
    pub windows: Vec<WindowSummary>,
}

impl LevelResult {
    pub fn successes(&self) -> u64 {
        self.latency.len()
    }

    /// Percentiles of the successful operations' latencies; `None` when none succeeded.
    pub fn percentiles(&self) -> Option<Percentiles> {
        self.latency.percentiles()
    }

    /// Successful operations per second of wall time.
    pub fn throughput(&self) -> f64 {
        throughput(self.successes(), self.wall)
    }

    /// Failed operations as a fraction of all operations.
    pub fn error_rate(&self) -> f64 {
        error_rate(self.errors.total(), self.operations)
    }

    /// Whether the level ever had `concurrency` operations in flight; a level that did not cannot
    /// speak for that concurrency and should say so.
    pub fn reached_concurrency(&self) -> bool {
        self.max_in_flight >= self.concurrency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(finished_ms: u64, latency_ns: u64) -> Outcome {
        Outcome {
            finished_at: Duration::from_millis(finished_ms),
            latency: Duration::from_nanos(latency_ns),
            error: None,
        }
    }

    fn failed(finished_ms: u64, kind: ErrorKind) -> Outcome {
        Outcome {
            finished_at: Duration::from_millis(finished_ms),
            latency: Duration::from_secs(5),
            error: Some(kind),
        }
    }

    #[test]
    fn finish_times_bucket_into_windows_of_the_width() {
        let recorder = LevelRecorder::new(Duration::from_millis(100));
        assert_eq!(recorder.window_of(Duration::ZERO), 0);
        assert_eq!(recorder.window_of(Duration::from_nanos(99_999_999)), 0);
        assert_eq!(recorder.window_of(Duration::from_millis(100)), 1);
        assert_eq!(recorder.window_of(Duration::from_millis(1234)), 12);
    }

    #[test]
    fn failures_are_errors_and_never_latency_samples() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        recorder.record(ok(10, 100));
        recorder.record(failed(20, ErrorKind::Exit(3)));
        recorder.record(ok(30, 300));
        recorder.record(failed(40, ErrorKind::Timeout));
        let level = recorder.finish(2, Duration::from_millis(500), 2);
        assert_eq!(level.operations, 4);
        assert_eq!(level.successes(), 2);
        assert_eq!(level.errors.count(ErrorKind::Exit(3)), 1);
        assert_eq!(level.errors.count(ErrorKind::Timeout), 1);
        assert_eq!(level.error_rate(), 0.5);
        assert_eq!(level.throughput(), 4.0);
        // The failures' 5 s would be the max if they were samples.
        assert_eq!(level.percentiles().unwrap().max, Duration::from_nanos(300));
        assert!(level.reached_concurrency());
    }

    #[test]
    fn windows_summarise_their_own_operations_and_skip_empty_ones() {
        let mut recorder = LevelRecorder::new(Duration::from_millis(100));
        recorder.record(ok(5, 100));
        recorder.record(ok(50, 200));
        recorder.record(ok(150, 1000));
        recorder.record(failed(160, ErrorKind::Signal(9)));
        // Window 2 stays empty; window 3 gets one sample.
        recorder.record(ok(350, 700));
        // Reported just after window 3 opened though it finished in window 2's time: current.
        recorder.record(ok(299, 800));
        let level = recorder.finish(1, Duration::from_millis(400), 1);
        type Row = (u64, u64, u64, Option<Duration>, Option<Duration>);
        let summary: Vec<Row> = level
            .windows
            .iter()
            .map(|w| {
                (
                    w.index,
                    w.successes,
                    w.errors,
                    w.percentiles.map(|p| p.p50),
                    w.percentiles.map(|p| p.max),
                )
            })
            .collect();
        let ns = Duration::from_nanos;
        assert_eq!(
            summary,
            [
                (0, 2, 0, Some(ns(100)), Some(ns(200))),
                (1, 1, 1, Some(ns(1000)), Some(ns(1000))),
                (3, 2, 0, Some(ns(700)), Some(ns(800))),
            ]
        );
        assert_eq!(level.operations, 6);
        assert_eq!(level.successes(), 5);
    }

    #[test]
    fn a_level_short_of_its_concurrency_says_so() {
        let level = LevelRecorder::new(Duration::from_secs(1)).finish(50, Duration::ZERO, 37);
        assert!(!level.reached_concurrency());
        assert_eq!(level.percentiles(), None);
        assert!(level.windows.is_empty());
        assert_eq!(level.throughput(), 0.0);
        assert_eq!(level.error_rate(), 0.0);
    }
}
