//! A simulated backend for in-process tests and examples: seeded latency, a failure rate and
//! "fail the first K calls" schedules, counting calls, failures and the maximum number of calls
//! in flight at once. Each call is decided by benchgate-backend's [`FaultModel`], the model
//! behind `benchgate mock-backend`: the fate of call n (its latency, whether it fails) is a pure
//! function of the seed and n, the same in-process as over HTTP for the same seed and plan, so
//! a run replays exactly however the calls interleave — unlike a shared counter taken modulo a
//! rate, which races.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use benchgate_backend::{FailureCause as ModelCause, FaultModel, FaultPlan, LatencyDist};

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
    /// The distribution the fate model samples (the HTTP mock's `--latency`).
    pub fn dist(self) -> LatencyDist {
        match self {
            Latency::Fixed(latency) => LatencyDist::Fixed(latency),
            Latency::Uniform { min, max } => LatencyDist::Uniform {
                low: min,
                high: max,
            },
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
    model: FaultModel,
    successes: AtomicU64,
    failures: AtomicU64,
    in_flight: AtomicU64,
    max_concurrent: AtomicU64,
}

/// The key every call is counted under when the schedule does not look at keys, so the
/// model's per-key count is the backend's call count.
const ONE_KEY: &str = "";

impl SimConfig {
    /// The plan `benchgate mock-backend` would serve this configuration with (5xx failures):
    /// `--latency`, `--fail-rate`, `--fail-first-per-key`, `--seed`. [`Schedule::FailFirst`]
    /// is the first K calls of one key (every call under the same key).
    pub fn fault_plan(&self) -> FaultPlan {
        FaultPlan {
            fail_rate: self.fail_rate,
            fail_first_per_key: match self.schedule {
                Schedule::None => 0,
                Schedule::FailFirst(k) | Schedule::FailFirstPerKey(k) => k,
            },
            ..FaultPlan::default()
        }
    }
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
        let model = FaultModel::new(config.seed, config.latency.dist(), config.fault_plan())
            .map_err(|_| SimConfigError::FailRate(config.fail_rate))?;
        Ok(Self {
            config,
            model,
            successes: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_concurrent: AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The fate model deciding the calls (counts per key, the plan, the seed).
    pub fn model(&self) -> &FaultModel {
        &self.model
    }

    /// One call about `key` (only [`Schedule::FailFirstPerKey`] looks at it): waits the drawn
    /// latency on tokio's clock, then succeeds or fails. A call dropped mid-way still counts as
    /// started and leaves the in-flight count.
    pub async fn call(&self, key: u64) -> Result<SimReply, SimError> {
        let decision = match self.config.schedule {
            Schedule::FailFirstPerKey(_) => self.model.decide(&key.to_string()),
            Schedule::None | Schedule::FailFirst(_) => self.model.decide(ONE_KEY),
        };
        let call = decision.call_index + 1;
        let _in_flight = InFlight::enter(&self.in_flight, &self.max_concurrent);
        tokio::time::sleep(decision.latency).await;
        let cause = match decision.failure.map(|f| f.cause) {
            None => {
                self.successes.fetch_add(1, Ordering::Relaxed);
                return Ok(SimReply {
                    call,
                    latency: decision.latency,
                });
            }
            Some(ModelCause::Random) => FailureCause::Random,
            Some(ModelCause::FirstCallsOfKey | ModelCause::KeyAlwaysFails) => {
                FailureCause::Scheduled
            }
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        Err(SimError { call, key, cause })
    }

    pub fn stats(&self) -> SimStats {
        SimStats {
            calls: self.model.calls(),
            successes: self.successes.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            max_concurrent: self.max_concurrent.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
        }
    }

    /// Zeroes the counters and the per-key schedule; calls in flight stay counted in flight.
    /// Call numbering restarts too, so a reset backend replays its seed from the start.
    pub fn reset(&self) {
        self.model.reset();
        self.successes.store(0, Ordering::Relaxed);
        self.failures.store(0, Ordering::Relaxed);
        self.max_concurrent
            .store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
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
}
