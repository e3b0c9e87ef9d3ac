//! A simulated backend for in-process tests and examples: seeded latency, a failure rate and
//! "fail the first K calls" schedules, counting calls, failures and the maximum number of calls
//! in flight at once. The fate of call n (its latency, whether it fails) is a pure function of the
//! seed and n, so a run replays exactly however the calls interleave — unlike a shared counter
//! taken modulo a rate, which races.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::rng::SplitMix64;

/// How long one call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    Fixed(Duration),
    /// Uniform in [min, max], to the nanosecond.
    Uniform {
        min: Duration,
        max: Duration,
    },
}

impl Latency {
    fn draw(self, rng: &mut SplitMix64) -> Duration {
        match self {
            Latency::Fixed(latency) => latency,
            Latency::Uniform { min, max } => {
                let span = u64::try_from((max - min).as_nanos()).unwrap_or(u64::MAX);
                min + Duration::from_nanos(rng.up_to(span))
            }
        }
    }
}

/// Failures forced in order, on top of the random failure rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    #[default]
    None,
    /// The first K calls of the backend fail.
    FailFirst(u64),
    /// The first K calls of each key fail (e.g. each VM's first two delete calls).
    FailFirstPerKey(u64),
}

/// A simulated backend's behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    pub latency: Latency,
    /// Probability in [0, 1] that a call not already failed by the schedule fails.
    pub fail_rate: f64,
    pub schedule: Schedule,
    pub seed: u64,
}

impl SimConfig {
    /// Every call succeeds after `latency`.
    pub fn fixed(latency: Duration) -> Self {
        Self {
            latency: Latency::Fixed(latency),
            fail_rate: 0.0,
            schedule: Schedule::None,
            seed: 0,
        }
    }

    pub fn with_fail_rate(mut self, fail_rate: f64) -> Self {
        self.fail_rate = fail_rate;
        self
    }

    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// A simulator configuration that does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimConfigError {
    #[error("fail_rate must be between 0 and 1, got {0}")]
    FailRate(f64),
    #[error("uniform latency minimum {min:?} is above its maximum {max:?}")]
    LatencyRange { min: Duration, max: Duration },
}

/// Why a simulated call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCause {
    /// Forced by the [`Schedule`].
    Scheduled,
    /// Drawn at the configured failure rate.
    Random,
}

/// A failed simulated call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("simulated failure of call {call} (key {key}, {cause:?})")]
pub struct SimError {
    /// The call's number on this backend, from 1.
    pub call: u64,
    pub key: u64,
    pub cause: FailureCause,
}

/// A successful simulated call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimReply {
    pub call: u64,
    pub latency: Duration,
}

/// Counters since creation or the last [`SimBackend::reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SimStats {
    /// Calls started.
    pub calls: u64,
    pub successes: u64,
    pub failures: u64,
    /// The most calls in flight at one moment.
    pub max_concurrent: u64,
    pub in_flight: u64,
}

/// The simulated backend. Share it between tasks with an `Arc`.
#[derive(Debug)]
pub struct SimBackend {
    config: SimConfig,
    calls: AtomicU64,
    successes: AtomicU64,
    failures: AtomicU64,
    in_flight: AtomicU64,
    max_concurrent: AtomicU64,
    calls_per_key: Mutex<HashMap<u64, u64>>,
}

impl SimBackend {
    pub fn new(config: SimConfig) -> Result<Self, SimConfigError> {
        if !(0.0..=1.0).contains(&config.fail_rate) {
            return Err(SimConfigError::FailRate(config.fail_rate));
        }
        if let Latency::Uniform { min, max } = config.latency
            && min > max
        {
            return Err(SimConfigError::LatencyRange { min, max });
        }
        Ok(Self {
            config,
            calls: AtomicU64::new(0),
            successes: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_concurrent: AtomicU64::new(0),
            calls_per_key: Mutex::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// One call about `key` (only [`Schedule::FailFirstPerKey`] looks at it): waits the drawn
    /// latency on tokio's clock, then succeeds or fails. A call dropped mid-way still counts as
    /// started and leaves the in-flight count.
    pub async fn call(&self, key: u64) -> Result<SimReply, SimError> {
        let call = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let _in_flight = InFlight::enter(&self.in_flight, &self.max_concurrent);
        let mut rng = SplitMix64::for_index(self.config.seed, call);
        let latency = self.config.latency.draw(&mut rng);
        // Drawn for every call so a schedule does not shift the random stream of later calls.
        let random_failure = rng.chance(self.config.fail_rate);
        let scheduled_failure = match self.config.schedule {
            Schedule::None => false,
            Schedule::FailFirst(k) => call <= k,
            Schedule::FailFirstPerKey(k) => {
                let mut per_key = self
                    .calls_per_key
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let seen = per_key.entry(key).or_insert(0);
                *seen += 1;
                *seen <= k
            }
        };
        tokio::time::sleep(latency).await;
        let cause = if scheduled_failure {
            FailureCause::Scheduled
        } else if random_failure {
            FailureCause::Random
        } else {
            self.successes.fetch_add(1, Ordering::Relaxed);
            return Ok(SimReply { call, latency });
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        Err(SimError { call, key, cause })
    }

    pub fn stats(&self) -> SimStats {
        SimStats {
            calls: self.calls.load(Ordering::Relaxed),
            successes: self.successes.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            max_concurrent: self.max_concurrent.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
        }
    }

    /// Zeroes the counters and the per-key schedule; calls in flight stay counted in flight.
    /// Call numbering restarts too, so a reset backend replays its seed from the start.
    pub fn reset(&self) {
        self.calls.store(0, Ordering::Relaxed);
        self.successes.store(0, Ordering::Relaxed);
        self.failures.store(0, Ordering::Relaxed);
        self.max_concurrent
            .store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
        self.calls_per_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Counts a call in flight from creation to drop (also when the call's future is dropped).
struct InFlight<'a> {
    in_flight: &'a AtomicU64,
}

impl<'a> InFlight<'a> {
    fn enter(in_flight: &'a AtomicU64, max_concurrent: &AtomicU64) -> Self {
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max_concurrent.fetch_max(now, Ordering::SeqCst);
        Self { in_flight }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsense_configurations_are_refused_with_the_reason() {
        let err =
            SimBackend::new(SimConfig::fixed(Duration::ZERO).with_fail_rate(1.5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fail_rate must be between 0 and 1, got 1.5"
        );
        let err = SimBackend::new(SimConfig::fixed(Duration::ZERO).with_fail_rate(f64::NAN));
        assert!(matches!(err, Err(SimConfigError::FailRate(r)) if r.is_nan()));
        let config = SimConfig {
            latency: Latency::Uniform {
                min: Duration::from_millis(5),
                max: Duration::from_millis(1),
            },
            ..SimConfig::fixed(Duration::ZERO)
        };
        let err = SimBackend::new(config).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform latency minimum 5ms is above its maximum 1ms"
        );
    }

    #[test]
    fn uniform_latency_stays_in_its_range() {
        let latency = Latency::Uniform {
            min: Duration::from_millis(2),
            max: Duration::from_millis(8),
        };
        let mut rng = SplitMix64::new(5);
        for _ in 0..1000 {
            let d = latency.draw(&mut rng);
            assert!(
                d >= Duration::from_millis(2) && d <= Duration::from_millis(8),
                "{d:?}"
            );
        }
    }
}
