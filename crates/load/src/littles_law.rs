//! Little's law as a check on a level: in a steady state the mean number of operations in
//! flight `L` equals throughput `λ` times mean latency `W`. A measured `L` far from `λ·W` says
//! the level was not what it seemed (a client-side queue not counted in the latency, a
//! throughput over a wall time that includes idle tails, time spent on failures). Pure: no I/O.

use std::time::Duration;

use crate::level::LevelResult;

/// The three sides of Little's law for one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LittlesLaw {
    /// `L`, measured: operations in flight averaged over the level.
    pub mean_in_flight: f64,
    /// `λ`: successful operations per second over the level.
    pub throughput_per_s: f64,
    /// `W`: mean latency of the successful operations (open model: their service time, the time
    /// they were actually in flight, not the wait for their intended start).
    pub mean_latency: Duration,
    /// `λ·W`.
    pub predicted_in_flight: f64,
    /// `(predicted − measured) / measured`: +0.10 means λ·W is 10 % above the measured mean.
    /// Failed operations spend time in flight too but are in neither λ nor W, so a level with
    /// an error rate e whose failures take as long as its successes reads about −e.
    pub deviation: f64,
}

/// The check for `level`, or `None` when it cannot be made: the runner did not measure the
/// mean in flight, nothing succeeded, or nothing was ever in flight.
pub fn littles_law(level: &LevelResult) -> Option<LittlesLaw> {
    let mean_in_flight = level.mean_in_flight.filter(|mean| *mean > 0.0)?;
    let latencies = level.service_time.as_ref().unwrap_or(&level.latency);
    if latencies.is_empty() {
        return None;
    }
    let mean_nanos = latencies.histogram().mean();
    let throughput_per_s = level.throughput();
    let predicted_in_flight = throughput_per_s * mean_nanos / 1e9;
    Some(LittlesLaw {
        mean_in_flight,
        throughput_per_s,
        mean_latency: Duration::from_nanos(mean_nanos.round() as u64),
        predicted_in_flight,
        deviation: (predicted_in_flight - mean_in_flight) / mean_in_flight,
    })
}

impl LittlesLaw {
    /// `in flight 49.8 ≈ 9 960/s × 5.00 ms = 49.8 (+0.0%)`: measured, then λ × W = predicted.
    pub fn describe(&self) -> String {
        format!(
            "in flight {} ≈ {}/s × {} = {} ({:+.1}%)",
            in_flight(self.mean_in_flight),
            rate(self.throughput_per_s),
            latency(self.mean_latency),
            in_flight(self.predicted_in_flight),
            self.deviation * 100.0
        )
    }
}

fn in_flight(count: f64) -> String {
    if count >= 100.0 {
        group_thousands(count.round() as u64)
    } else if count >= 10.0 {
        format!("{count:.1}")
    } else {
        format!("{count:.2}")
    }
}

pub(crate) fn rate(per_second: f64) -> String {
    if per_second >= 100.0 {
        group_thousands(per_second.round() as u64)
    } else {
        format!("{per_second:.1}")
    }
}

pub(crate) fn latency(duration: Duration) -> String {
    let nanos = duration.as_nanos() as f64;
    if nanos >= 1e9 {
        format!("{:.2} s", nanos / 1e9)
    } else if nanos >= 1e6 {
        format!("{:.2} ms", nanos / 1e6)
    } else if nanos >= 1e3 {
        format!("{:.2} µs", nanos / 1e3)
    } else {
        format!("{nanos:.0} ns")
    }
}

/// `9960` → `9 960`, `1234567` → `1 234 567`.
pub(crate) fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::{LevelRecorder, Outcome};

    /// `successes` operations of `latency_ns` each (exact in HDR below 2048 ns) over `wall`.
    fn level(successes: u64, latency_ns: u64, wall: Duration, mean: Option<f64>) -> LevelResult {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for _ in 0..successes {
            recorder.record(Outcome::success(
                Duration::ZERO,
                Duration::from_nanos(latency_ns),
            ));
        }
        let mut level = recorder.finish(4, wall, 4);
        level.mean_in_flight = mean;
        level
    }

    #[test]
    fn the_law_compares_the_measured_mean_in_flight_with_throughput_times_mean_latency() {
        // 2000 operations of 1000 ns over 1 ms: λ = 2 000 000/s, W = 1 µs, λ·W = 2.
        let check = littles_law(&level(2000, 1000, Duration::from_millis(1), Some(1.6))).unwrap();
        assert_eq!(check.mean_in_flight, 1.6);
        assert!((check.throughput_per_s - 2e6).abs() < 1e-6, "{check:?}");
        assert_eq!(check.mean_latency, Duration::from_nanos(1000));
        assert!((check.predicted_in_flight - 2.0).abs() < 1e-9, "{check:?}");
        assert!((check.deviation - 0.25).abs() < 1e-9, "{check:?}");
        assert_eq!(
            check.describe(),
            "in flight 1.60 ≈ 2 000 000/s × 1.00 µs = 2.00 (+25.0%)"
        );
    }

    #[test]
    fn the_open_model_uses_service_time_not_the_corrected_latency() {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for _ in 0..1000 {
            recorder.record(Outcome {
                service_time: Some(Duration::from_nanos(500)),
                ..Outcome::success(Duration::ZERO, Duration::from_nanos(1500))
            });
        }
        let mut open = recorder.finish(4, Duration::from_millis(1), 4);
        open.mean_in_flight = Some(0.5);
        let check = littles_law(&open).unwrap();
        assert_eq!(check.mean_latency, Duration::from_nanos(500));
        assert!((check.predicted_in_flight - 0.5).abs() < 1e-9, "{check:?}");
        assert!(check.deviation.abs() < 1e-9, "{check:?}");
    }

    #[test]
    fn no_check_without_a_measured_mean_a_success_or_anything_in_flight() {
        assert_eq!(
            littles_law(&level(10, 1000, Duration::from_secs(1), None)),
            None
        );
        assert_eq!(
            littles_law(&level(0, 1000, Duration::from_secs(1), Some(2.0))),
            None
        );
        assert_eq!(
            littles_law(&level(10, 1000, Duration::from_secs(1), Some(0.0))),
            None
        );
    }

    #[test]
    fn the_description_rounds_like_a_report() {
        let check = LittlesLaw {
            mean_in_flight: 49.8,
            throughput_per_s: 9960.0,
            mean_latency: Duration::from_millis(5),
            predicted_in_flight: 49.8,
            deviation: 0.0,
        };
        assert_eq!(
            check.describe(),
            "in flight 49.8 ≈ 9 960/s × 5.00 ms = 49.8 (+0.0%)"
        );
        let slow = LittlesLaw {
            mean_in_flight: 200.4,
            throughput_per_s: 12.345,
            mean_latency: Duration::from_millis(1500),
            predicted_in_flight: 18.5175,
            deviation: -0.9076,
        };
        assert_eq!(
            slow.describe(),
            "in flight 200 ≈ 12.3/s × 1.50 s = 18.5 (-90.8%)"
        );
        assert_eq!(group_thousands(1_234_567), "1 234 567");
        assert_eq!(group_thousands(999), "999");
    }
}
