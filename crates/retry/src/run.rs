//! Driving a [`RetryPolicy`] on tokio. Time is tokio's (`tokio::time::Instant`), so tests with a
//! paused clock see exact virtual durations.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::policy::{GaveUp, RetryPolicy, Step};
use crate::rng::SplitMix64;

/// How a retried operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<T, E> {
    /// The first success, or the last error.
    pub result: Result<T, E>,
    /// Calls made (the first one included).
    pub attempts: u32,
    /// From the first call's start to the end of the last one (no sleep after the last failure).
    pub elapsed: Duration,
    /// The part of `elapsed` spent waiting between attempts.
    pub slept: Duration,
    /// `None` on success.
    pub gave_up_because: Option<GaveUp>,
}

/// Calls `op(attempt)` (attempt = 1, 2, …) until it succeeds or `policy` gives up, sleeping the
/// policy's delay between attempts. Jitter draws from `SplitMix64::new(jitter_seed)`; give each
/// operation its own seed (e.g. `SplitMix64::for_index(seed, op).next_u64()`) so concurrent
/// operations do not retry in lockstep.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy<E>,
    jitter_seed: u64,
    mut op: F,
) -> Outcome<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut rng = SplitMix64::new(jitter_seed);
    let start = Instant::now();
    let mut slept = Duration::ZERO;
    let mut attempt = 1;
    loop {
        let error = match op(attempt).await {
            Ok(value) => {
                return Outcome {
                    result: Ok(value),
                    attempts: attempt,
                    elapsed: start.elapsed(),
                    slept,
                    gave_up_because: None,
                };
            }
            Err(error) => error,
        };
        match policy.after_failure(attempt, &error, start.elapsed(), &mut rng) {
            Step::RetryAfter(delay) => {
                tokio::time::sleep(delay).await;
                slept = slept.saturating_add(delay);
                attempt += 1;
            }
            Step::GiveUp(reason) => {
                return Outcome {
                    result: Err(error),
                    attempts: attempt,
                    elapsed: start.elapsed(),
                    slept,
                    gave_up_because: Some(reason),
                };
            }
        }
    }
}
