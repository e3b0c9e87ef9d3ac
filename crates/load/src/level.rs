//! Everything one level of load reports, built from operation outcomes as they arrive: latencies
//! of successful operations (level histogram and per-window summaries), service times (open
//! model), output-metric means per window, errors by kind with an example message, counts.
//! Pure: outcomes carry their own times (offsets from the level's start), so tests feed fixed ones.
//!
//! Memory is constant in the number of operations: one live window at a time, and at most
//! [`MAX_WINDOWS`] window summaries per level. When a level would keep more, its windows are
//! thinned evenly: only every 2nd window (by index) is kept, then every 4th, and so on, so the
//! kept windows still spread over the whole level; the level's totals and histograms count every
//! operation whatever is thinned.

use std::time::Duration;

use crate::error_kind::{ErrorCounts, ErrorKind};
use crate::latency::{LatencyHistogram, Percentiles, error_rate, throughput};

/// Most window summaries a level keeps (see the module's doc for how more are thinned).
pub const MAX_WINDOWS: usize = 10_000;

/// One finished operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// When it finished, measured from the level's start; decides its window.
    pub finished_at: Duration,
    /// How long it took: closed model, from just before it was started to just after it was
    /// reaped; open model, from its *intended* start (coordinated omission corrected).
    pub latency: Duration,
    /// Open model: from its actual start to just after it was reaped.
    pub service_time: Option<Duration>,
    /// `None` on success.
    pub error: Option<ErrorKind>,
    /// Why it failed, for the error kind's example.
    pub message: Option<String>,
    /// Output-metric values of a successful operation, by metric definition order.
    pub values: Vec<f64>,
}

impl Outcome {
    /// A successful operation without output metrics or service time.
    pub fn success(finished_at: Duration, latency: Duration) -> Self {
        Self {
            finished_at,
            latency,
            service_time: None,
            error: None,
            message: None,
            values: Vec::new(),
        }
    }

    /// A failed operation.
    pub fn failure(finished_at: Duration, latency: Duration, kind: ErrorKind) -> Self {
        Self {
            error: Some(kind),
            ..Self::success(finished_at, latency)
        }
    }
}

/// One time window of a level: the windows give a level several latency samples, so relative
/// verdicts compare distributions rather than one number.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSummary {
    /// Window number: it covers finish times `[index * width, (index + 1) * width)`.
    pub index: u64,
    pub successes: u64,
    pub errors: u64,
    /// Percentiles of this window's successful operations; `None` when it had none.
    pub percentiles: Option<Percentiles>,
    /// Open model: service-time percentiles of this window's successful operations.
    pub service_percentiles: Option<Percentiles>,
    /// Mean of each output metric (by definition order) over this window's successful
    /// operations; `None` for a metric without a value in this window.
    pub output_means: Vec<Option<f64>>,
}

/// Open model: what happened to the scheduled starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCounts {
    /// Starts scheduled before the stop bound.
    pub planned: u64,
    /// Of those, started (on time or late).
    pub started: u64,
    /// Of the started, those that started more than `late_tolerance` after their intended start.
    pub late: u64,
    /// Of those planned, dropped because the backlog was full when they came due.
    pub dropped: u64,
    pub late_tolerance: Duration,
}

/// Collects outcomes into a [`LevelResult`]. Windows are keyed by finish time and closed in
/// order, so only the current window's histogram is live (memory stays constant). An outcome that
/// arrives after its window closed (finishes reported out of order by a few microseconds) counts
/// in the current window.
#[derive(Debug)]
pub struct LevelRecorder {
    window_width: Duration,
    latency: LatencyHistogram,
    service: Option<LatencyHistogram>,
    errors: ErrorCounts,
    operations: u64,
    windows: Vec<WindowSummary>,
    max_windows: usize,
    /// Only windows whose index is a multiple of this are kept (doubles on each thinning).
    window_stride: u64,
    current_index: u64,
    current_latency: LatencyHistogram,
    current_service: Option<LatencyHistogram>,
    current_errors: u64,
    /// Sum and count of each output metric's values in the current window.
    current_outputs: Vec<(f64, u64)>,
}

impl LevelRecorder {
    /// `window_width` must not be zero (the runner validates it); a zero width is treated as 1 ns.
    pub fn new(window_width: Duration) -> Self {
        Self {
            window_width: window_width.max(Duration::from_nanos(1)),
            latency: LatencyHistogram::new(),
            service: None,
            errors: ErrorCounts::default(),
            operations: 0,
            windows: Vec::new(),
            max_windows: MAX_WINDOWS,
            window_stride: 1,
            current_index: 0,
            current_latency: LatencyHistogram::new(),
            current_service: None,
            current_errors: 0,
            current_outputs: Vec::new(),
        }
    }

    /// Keeps at most `max_windows` (at least 1) window summaries instead of [`MAX_WINDOWS`].
    pub fn with_max_windows(mut self, max_windows: usize) -> Self {
        self.max_windows = max_windows.max(1);
        self
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
                self.errors
                    .record_with_message(kind, outcome.message.as_deref());
                self.current_errors += 1;
            }
            None => {
                self.latency.record(outcome.latency);
                self.current_latency.record(outcome.latency);
                if let Some(service) = outcome.service_time {
                    self.service
                        .get_or_insert_with(LatencyHistogram::new)
                        .record(service);
                    self.current_service
                        .get_or_insert_with(LatencyHistogram::new)
                        .record(service);
                }
                if self.current_outputs.len() < outcome.values.len() {
                    self.current_outputs.resize(outcome.values.len(), (0.0, 0));
                }
                // A non-finite value has no mean to join; the inspector should refuse it.
                for (slot, value) in self.current_outputs.iter_mut().zip(&outcome.values) {
                    if value.is_finite() {
                        slot.0 += value;
                        slot.1 += 1;
                    }
                }
            }
        }
    }

    fn close_current_window(&mut self) {
        let has_ops = !self.current_latency.is_empty() || self.current_errors > 0;
        if has_ops && self.current_index.is_multiple_of(self.window_stride) {
            self.windows.push(WindowSummary {
                index: self.current_index,
                successes: self.current_latency.len(),
                errors: self.current_errors,
                percentiles: self.current_latency.percentiles(),
                service_percentiles: self
                    .current_service
                    .as_ref()
                    .and_then(LatencyHistogram::percentiles),
                output_means: self
                    .current_outputs
                    .iter()
                    .map(|&(sum, count)| (count > 0).then(|| sum / count as f64))
                    .collect(),
            });
            while self.windows.len() > self.max_windows {
                self.window_stride = self.window_stride.saturating_mul(2);
                let stride = self.window_stride;
                self.windows
                    .retain(|window| window.index.is_multiple_of(stride));
            }
        }
        self.current_latency.reset();
        if let Some(service) = &mut self.current_service {
            service.reset();
        }
        self.current_errors = 0;
        self.current_outputs
            .iter_mut()
            .for_each(|slot| *slot = (0.0, 0));
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
            service_time: self.service,
            errors: self.errors,
            window_width: self.window_width,
            window_stride: self.window_stride,
            windows: self.windows,
            open: None,
            mean_in_flight: None,
        }
    }

    /// The latencies of the successful operations recorded so far (for a live p99).
    pub fn latency(&self) -> &LatencyHistogram {
        &self.latency
    }
}

/// What one level of load measured.
#[derive(Debug, Clone)]
pub struct LevelResult {
    /// Operations asked to be in flight at once (closed model: N; open model: `max_in_flight`).
    pub concurrency: usize,
    /// Operations actually in flight at once at the peak, as the runner counted them.
    pub max_in_flight: usize,
    /// Operations that finished, successful or not.
    pub operations: u64,
    /// From the level's start until its last operation finished.
    pub wall: Duration,
    /// Latencies of the successful operations (open model: from their intended starts).
    pub latency: LatencyHistogram,
    /// Open model: service times (from the actual start) of the successful operations.
    pub service_time: Option<LatencyHistogram>,
    pub errors: ErrorCounts,
    pub window_width: Duration,
    /// 1, or the thinning stride: only windows whose index is a multiple of it were kept.
    pub window_stride: u64,
    /// Non-empty windows in time order (at most [`MAX_WINDOWS`]).
    pub windows: Vec<WindowSummary>,
    /// Open model: planned, started, late and dropped starts.
    pub open: Option<OpenCounts>,
    /// Operations in flight averaged over the level's wall time (the in-flight count integrated
    /// over time, divided by the wall), when the runner measured it: the `L` of Little's law.
    pub mean_in_flight: Option<f64>,
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

    /// Whether the level ran as asked: closed model, `concurrency` operations were in flight at
    /// once; open model, no scheduled start was dropped (late ones still ran).
    pub fn reached(&self) -> bool {
        match &self.open {
            Some(open) => open.dropped == 0,
            None => self.reached_concurrency(),
        }
    }

    /// The time span window `index` covers within the level: `[index·width, (index+1)·width)`,
    /// the last one cut at the level's wall time. Zero for a window past the wall.
    pub fn window_span(&self, index: u64) -> Duration {
        let width = self.window_width.as_nanos();
        let start = u128::from(index) * width;
        let end = (start + width).min(self.wall.as_nanos());
        Duration::from_nanos(u64::try_from(end.saturating_sub(start)).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(finished_ms: u64, latency_ns: u64) -> Outcome {
        Outcome::success(
            Duration::from_millis(finished_ms),
            Duration::from_nanos(latency_ns),
        )
    }

    fn failed(finished_ms: u64, kind: ErrorKind) -> Outcome {
        Outcome::failure(
            Duration::from_millis(finished_ms),
            Duration::from_secs(5),
            kind,
        )
    }

    fn with_values(finished_ms: u64, values: &[f64]) -> Outcome {
        Outcome {
            values: values.to_vec(),
            ..ok(finished_ms, 100)
        }
    }

    #[test]
    fn output_values_average_per_window_and_failures_add_none() {
        let mut recorder = LevelRecorder::new(Duration::from_millis(100));
        recorder.record(with_values(10, &[1.0, 10.0]));
        recorder.record(with_values(20, &[3.0]));
        recorder.record(Outcome {
            values: vec![1000.0, 1000.0],
            ..failed(30, ErrorKind::OutputCheck)
        });
        recorder.record(with_values(150, &[5.0, 20.0]));
        recorder.record(with_values(160, &[7.0, f64::NAN]));
        recorder.record(ok(250, 100));
        let level = recorder.finish(1, Duration::from_millis(300), 1);
        let means: Vec<Vec<Option<f64>>> = level
            .windows
            .iter()
            .map(|w| w.output_means.clone())
            .collect();
        assert_eq!(
            means,
            [
                vec![Some(2.0), Some(10.0)],
                vec![Some(6.0), Some(20.0)],
                vec![None, None],
            ]
        );
    }

    #[test]
    fn a_long_level_keeps_at_most_the_cap_of_windows_thinned_evenly() {
        let mut recorder = LevelRecorder::new(Duration::from_millis(1)).with_max_windows(10);
        for ms in 0..25 {
            recorder.record(ok(ms, 100 + ms));
        }
        let level = recorder.finish(1, Duration::from_millis(25), 1);
        let kept: Vec<u64> = level.windows.iter().map(|w| w.index).collect();
        // 0..25 with 10 at most: every 2nd would leave 13, every 4th leaves 7.
        assert_eq!(kept, [0, 4, 8, 12, 16, 20, 24]);
        assert_eq!(level.window_stride, 4);
        assert_eq!(level.operations, 25);
        assert_eq!(level.latency.len(), 25);
        assert_eq!(
            level.windows[1].percentiles.map(|p| p.p50),
            Some(Duration::from_nanos(104))
        );
    }

    #[test]
    fn the_first_error_message_of_each_kind_is_kept() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for message in ["exit:2: first", "exit:2: second"] {
            recorder.record(Outcome {
                message: Some(message.to_string()),
                ..failed(1, ErrorKind::Exit(2))
            });
        }
        let level = recorder.finish(1, Duration::from_secs(1), 1);
        assert_eq!(
            level.errors.example(ErrorKind::Exit(2)),
            Some("exit:2: first")
        );
        assert_eq!(level.errors.count(ErrorKind::Exit(2)), 2);
    }

    #[test]
    fn window_spans_cut_the_last_window_at_the_wall() {
        let mut recorder = LevelRecorder::new(Duration::from_millis(100));
        recorder.record(ok(250, 1));
        let level = recorder.finish(1, Duration::from_millis(250), 1);
        assert_eq!(level.window_span(0), Duration::from_millis(100));
        assert_eq!(level.window_span(2), Duration::from_millis(50));
        assert_eq!(level.window_span(3), Duration::ZERO);
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
