//! Retry policies as pure values: which delay follows which failed attempt, and when to give up.
//! No clock and no runtime here; [`crate::retry`] drives a policy on tokio.

use std::fmt;
use std::time::Duration;

use crate::rng::SplitMix64;

/// The delay ceiling after each failed attempt, before jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backoff {
    /// The same delay after every failure (what a "sleep 1s and retry" loop does).
    Fixed(Duration),
    /// `min(cap, base · factor^(k−1))` after failed attempt k (k = 1, 2, …): base, base·factor, …
    Exponential {
        base: Duration,
        factor: f64,
        cap: Duration,
    },
}

impl Backoff {
    /// The delay ceiling after failed attempt `attempt` (1-based; 0 is treated as 1).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        match *self {
            Backoff::Fixed(delay) => delay,
            Backoff::Exponential { base, factor, cap } => {
                let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
                let nanos = base.as_nanos() as f64 * factor.powi(exponent);
                let cap_nanos = cap.as_nanos() as f64;
                // Written so NaN and overflow land on the cap, never in a panicking conversion.
                if nanos.is_nan() || nanos >= cap_nanos {
                    cap
                } else if nanos <= 0.0 {
                    Duration::ZERO
                } else {
                    duration_from_nanos(nanos.round() as u128)
                }
            }
        }
    }

    fn check(&self) -> Result<(), PolicyError> {
        if let Backoff::Exponential { base, factor, cap } = *self {
            if !factor.is_finite() || factor < 1.0 {
                return Err(PolicyError::Factor(factor));
            }
            if base > cap {
                return Err(PolicyError::BaseAboveCap { base, cap });
            }
        }
        Ok(())
    }
}

fn duration_from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    Duration::new(secs, (nanos % NANOS_PER_SEC) as u32)
}

/// How the actual delay is drawn below the ceiling (AWS Architecture Blog, "Exponential Backoff
/// and Jitter", 2015): jitter spreads retries of many clients so they do not arrive in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Jitter {
    /// Exactly the ceiling.
    #[default]
    None,
    /// Uniform in [0, ceiling].
    Full,
    /// ceiling/2 + uniform in [0, ceiling/2].
    Equal,
}

impl Jitter {
    /// The delay for `ceiling`, drawing from `rng` (to the nanosecond).
    pub fn apply(self, ceiling: Duration, rng: &mut SplitMix64) -> Duration {
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        match self {
            Jitter::None => ceiling,
            Jitter::Full => Duration::from_nanos(rng.up_to(nanos)),
            Jitter::Equal => {
                let half = nanos / 2;
                Duration::from_nanos((nanos - half) + rng.up_to(half))
            }
        }
    }
}

/// Which errors are worth another attempt.
pub enum RetryOn<E> {
    /// Every error.
    AnyError,
    /// Errors for which the function returns true (e.g. timeouts and 5xx, not 4xx).
    Only(fn(&E) -> bool),
}

impl<E> RetryOn<E> {
    pub fn retries(&self, error: &E) -> bool {
        match self {
            RetryOn::AnyError => true,
            RetryOn::Only(predicate) => predicate(error),
        }
    }
}

impl<E> Clone for RetryOn<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for RetryOn<E> {}

impl<E> fmt::Debug for RetryOn<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryOn::AnyError => f.write_str("AnyError"),
            RetryOn::Only(_) => f.write_str("Only(<predicate>)"),
        }
    }
}

/// A policy that does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("max_attempts must be at least 1 (the first call counts), got 0")]
    NoAttempts,
    #[error("backoff factor must be a finite number ≥ 1, got {0}")]
    Factor(f64),
    #[error("backoff base {base:?} is above its cap {cap:?}")]
    BaseAboveCap { base: Duration, cap: Duration },
}

/// Why a retry loop stopped without a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The last allowed attempt failed.
    MaxAttempts,
    /// The next attempt would start at or after the deadline.
    Deadline,
    /// The error is not one the policy retries.
    NotRetryable,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    RetryAfter(Duration),
    GiveUp(GaveUp),
}

/// Max attempts, backoff, jitter, an optional deadline and which errors retry.
pub struct RetryPolicy<E> {
    max_attempts: u32,
    backoff: Backoff,
    jitter: Jitter,
    deadline: Option<Duration>,
    retry_on: RetryOn<E>,
}

impl<E> RetryPolicy<E> {
    /// `max_attempts` counts every call, the first one included (3 = one call and two retries).
    /// No jitter, no deadline and every error retried until changed.
    pub fn new(max_attempts: u32, backoff: Backoff) -> Result<Self, PolicyError> {
        if max_attempts == 0 {
            return Err(PolicyError::NoAttempts);
        }
        backoff.check()?;
        Ok(Self {
            max_attempts,
            backoff,
            jitter: Jitter::None,
            deadline: None,
            retry_on: RetryOn::AnyError,
        })
    }

    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Measured from the first attempt's start: no attempt starts at or after it.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    pub fn with_retry_on(mut self, retry_on: RetryOn<E>) -> Self {
        self.retry_on = retry_on;
        self
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }
    pub fn retry_on(&self) -> RetryOn<E> {
        self.retry_on
    }

    /// The decision after attempt `attempt` (1-based) failed with `error`, `elapsed` after the
    /// first attempt started. Checks, in order: retryable, attempts left, deadline.
    pub fn after_failure(
        &self,
        attempt: u32,
        error: &E,
        elapsed: Duration,
        rng: &mut SplitMix64,
    ) -> Step {
        if !self.retry_on.retries(error) {
            return Step::GiveUp(GaveUp::NotRetryable);
        }
        if attempt >= self.max_attempts {
            return Step::GiveUp(GaveUp::MaxAttempts);
        }
        let delay = self.delay_after(attempt, rng);
        match self.deadline {
            Some(deadline) if elapsed.saturating_add(delay) >= deadline => {
                Step::GiveUp(GaveUp::Deadline)
            }
            _ => Step::RetryAfter(delay),
        }
    }

    /// The delay after failed attempt `attempt` (1-based): the backoff's ceiling, jittered.
    pub fn delay_after(&self, attempt: u32, rng: &mut SplitMix64) -> Duration {
        self.jitter.apply(self.backoff.ceiling(attempt), rng)
    }

    /// The delays slept if every attempt fails and no deadline intervenes: one after each of
    /// attempts 1..max_attempts−1.
    pub fn schedule(&self, rng: &mut SplitMix64) -> Vec<Duration> {
        (1..self.max_attempts)
            .map(|attempt| self.delay_after(attempt, rng))
            .collect()
    }
}

impl<E> Clone for RetryPolicy<E> {
    fn clone(&self) -> Self {
        Self {
            max_attempts: self.max_attempts,
            backoff: self.backoff,
            jitter: self.jitter,
            deadline: self.deadline,
            retry_on: self.retry_on,
        }
    }
}

impl<E> fmt::Debug for RetryPolicy<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("jitter", &self.jitter)
            .field("deadline", &self.deadline)
            .field("retry_on", &self.retry_on)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn exponential(base_ms: u64, factor: f64, cap_ms: u64) -> Backoff {
        Backoff::Exponential {
            base: MS * base_ms as u32,
            factor,
            cap: MS * cap_ms as u32,
        }
    }

    fn policy(max_attempts: u32, backoff: Backoff) -> RetryPolicy<&'static str> {
        RetryPolicy::new(max_attempts, backoff).unwrap()
    }

    #[test]
    fn exponential_schedule_without_jitter_is_exact_and_capped() {
        let p = policy(7, exponential(10, 2.0, 250));
        let got = p.schedule(&mut SplitMix64::new(1));
        let want: Vec<Duration> = [10, 20, 40, 80, 160, 250]
            .iter()
            .map(|&ms| MS * ms)
            .collect();
        assert_eq!(got, want);

        let p = policy(4, exponential(10, 1.5, 1000));
        let got = p.schedule(&mut SplitMix64::new(1));
        assert_eq!(got, [MS * 10, MS * 15, Duration::from_micros(22_500)]);
    }

    #[test]
    fn fixed_backoff_repeats_the_same_delay() {
        let p = policy(4, Backoff::Fixed(MS * 100));
        assert_eq!(p.schedule(&mut SplitMix64::new(1)), [MS * 100; 3]);
    }

    #[test]
    fn huge_exponents_land_on_the_cap_without_panicking() {
        let b = exponential(10, 2.0, 60_000);
        assert_eq!(b.ceiling(5_000), MS * 60_000);
        assert_eq!(b.ceiling(u32::MAX), MS * 60_000);
        assert_eq!(b.ceiling(0), MS * 10);
        let max = Backoff::Exponential {
            base: Duration::MAX,
            factor: 1.0,
            cap: Duration::MAX,
        };
        assert_eq!(max.ceiling(3), Duration::MAX);
    }

    #[test]
    fn full_jitter_stays_within_zero_and_the_ceiling_and_spreads() {
        let p = policy(6, exponential(10, 2.0, 100)).with_jitter(Jitter::Full);
        let ceilings = [10u64, 20, 40, 80, 100];
        let mut sums = [0f64; 5];
        let runs = 2_000;
        for seed in 0..runs {
            let delays = p.schedule(&mut SplitMix64::new(seed));
            for (i, (delay, ceiling)) in delays.iter().zip(ceilings).enumerate() {
                assert!(
                    *delay <= MS * ceiling as u32,
                    "seed {seed}: {delay:?} > {ceiling} ms"
                );
                sums[i] += delay.as_secs_f64() * 1000.0;
            }
        }
        for (sum, ceiling) in sums.iter().zip(ceilings) {
            // Mean of U[0, c] is c/2; sd of the mean over 2000 draws is c/√(12·2000) ≈ 0.0065 c.
            let mean = sum / runs as f64;
            let half = ceiling as f64 / 2.0;
            assert!(
                (mean - half).abs() < 0.05 * ceiling as f64,
                "{mean} vs {half}"
            );
        }
    }

    #[test]
    fn equal_jitter_stays_in_the_upper_half() {
        let p = policy(5, exponential(10, 2.0, 1000)).with_jitter(Jitter::Equal);
        for seed in 0..500 {
            let delays = p.schedule(&mut SplitMix64::new(seed));
            for (delay, ceiling) in delays.iter().zip([10u32, 20, 40, 80]) {
                assert!(
                    *delay >= MS * ceiling / 2 && *delay <= MS * ceiling,
                    "{delay:?}"
                );
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_jittered_schedule() {
        let p = policy(6, exponential(10, 2.0, 1000)).with_jitter(Jitter::Full);
        let a = p.schedule(&mut SplitMix64::new(99));
        assert_eq!(a, p.schedule(&mut SplitMix64::new(99)));
        assert_ne!(a, p.schedule(&mut SplitMix64::new(100)));
    }

    #[test]
    fn gives_up_after_max_attempts_and_on_errors_it_does_not_retry() {
        let p = policy(3, exponential(10, 2.0, 1000))
            .with_retry_on(RetryOn::Only(|e: &&str| *e == "timeout"));
        let rng = &mut SplitMix64::new(1);
        assert_eq!(
            p.after_failure(1, &"timeout", MS, rng),
            Step::RetryAfter(MS * 10)
        );
        assert_eq!(
            p.after_failure(2, &"timeout", MS, rng),
            Step::RetryAfter(MS * 20)
        );
        assert_eq!(
            p.after_failure(3, &"timeout", MS, rng),
            Step::GiveUp(GaveUp::MaxAttempts)
        );
        assert_eq!(
            p.after_failure(1, &"404", MS, rng),
            Step::GiveUp(GaveUp::NotRetryable)
        );
    }

    #[test]
    fn a_deadline_stops_retrying_when_the_next_delay_would_reach_it() {
        let p = policy(10, exponential(10, 2.0, 1000)).with_deadline(MS * 100);
        let rng = &mut SplitMix64::new(1);
        // 45 ms in, after attempt 3: the 40 ms delay ends at 85 ms, before the deadline.
        assert_eq!(
            p.after_failure(3, &"x", MS * 45, rng),
            Step::RetryAfter(MS * 40)
        );
        // 90 ms in, after attempt 4: 80 ms more would end at 170 ms.
        assert_eq!(
            p.after_failure(4, &"x", MS * 90, rng),
            Step::GiveUp(GaveUp::Deadline)
        );
        // Ending exactly at the deadline leaves no time for the attempt.
        assert_eq!(
            p.after_failure(1, &"x", MS * 90, rng),
            Step::GiveUp(GaveUp::Deadline)
        );
    }

    #[test]
    fn nonsense_policies_are_refused_with_the_reason() {
        let err = RetryPolicy::<()>::new(0, Backoff::Fixed(MS)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "max_attempts must be at least 1 (the first call counts), got 0"
        );
        let err = RetryPolicy::<()>::new(3, exponential(10, 0.5, 100)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "backoff factor must be a finite number ≥ 1, got 0.5"
        );
        let err = RetryPolicy::<()>::new(3, exponential(10, f64::NAN, 100)).unwrap_err();
        assert!(
            matches!(err, PolicyError::Factor(f) if f.is_nan()),
            "{err:?}"
        );
        let err = RetryPolicy::<()>::new(3, exponential(200, 2.0, 100)).unwrap_err();
        assert_eq!(err.to_string(), "backoff base 200ms is above its cap 100ms");
    }
}
