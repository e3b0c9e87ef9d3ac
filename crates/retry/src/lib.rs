//! benchgate-retry: retry policies and an in-process backend simulator, so a team can benchmark
//! its cleanup/retry logic properly (SPEC §4.5): calls per operation, max concurrent calls,
//! success rate and time to give up.
//!
//! - [`policy`] (pure): [`Backoff`] (fixed, or exponential with a cap), [`Jitter`] (none, full,
//!   equal, as in the AWS Architecture Blog's "Exponential Backoff and Jitter"), [`RetryPolicy`]
//!   (max attempts, optional deadline, which errors retry); delays are drawn from a seeded
//!   [`SplitMix64`] ([`rng`]), never a global RNG.
//! - [`retry()`] drives a policy on tokio's clock (so `start_paused` tests are exact) and returns
//!   an [`Outcome`]: the result, calls made, elapsed time and why it gave up.
//! - [`grace`]: [`CancelToken`] and [`with_grace`]: after cancellation, work may continue for a
//!   grace period before it is dropped; the outcome says whether it finished in time.
//! - [`sim`]: [`SimBackend`], a seeded simulated backend (latency, failure rate, "fail the first
//!   K calls" schedules) counting calls, failures and the maximum concurrency it saw. Each call's
//!   fate is a pure function of the seed and the call's number, so concurrent runs replay exactly;
//!   it is decided by benchgate-backend's fault model, as `benchgate mock-backend` decides it
//!   ([`SimConfig::fault_plan`] is the plan the mock would serve).
//!
//! ```
//! use std::time::Duration;
//! use benchgate_retry::{Backoff, GaveUp, Jitter, RetryPolicy, SimBackend, SimConfig, retry};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ms = Duration::from_millis(1);
//! let backend = SimBackend::new(SimConfig::fixed(ms).with_fail_rate(1.0).with_seed(7))?;
//! let policy = RetryPolicy::new(3, Backoff::Exponential { base: ms * 2, factor: 2.0, cap: ms * 50 })?
//!     .with_jitter(Jitter::Full);
//! let outcome = retry(&policy, 7, |_attempt| backend.call(0)).await;
//! assert_eq!(outcome.attempts, 3);
//! assert_eq!(outcome.gave_up_because, Some(GaveUp::MaxAttempts));
//! assert_eq!(backend.stats().calls, 3);
//! # Ok(())
//! # }
//! ```

pub mod grace;
pub mod policy;
pub mod rng;
pub mod run;
pub mod sim;

pub use grace::{CancelToken, GraceOutcome, with_grace};
pub use policy::{Backoff, GaveUp, Jitter, PolicyError, RetryOn, RetryPolicy, Step};
pub use rng::SplitMix64;
pub use run::{Outcome, retry};
pub use sim::{
    FailureCause, Latency, Schedule, SimBackend, SimConfig, SimConfigError, SimError, SimReply,
    SimStats,
};
