//! benchgate-backend has one job: to be a fault-injecting mock HTTP backend (SPEC §4.5) — a
//! real loopback server whose latency, failure rate, failure kind and failure schedule are
//! configured and seeded, and which counts what it saw (calls, failures by kind, the maximum
//! number of requests in flight) so a load run or a retry benchmark can be checked against it.
//!
//! - [`latency`]: [`LatencyDist`], parsed from text (`lognormal(median=10ms, sigma=0.5)`) and
//!   sampled from a seed.
//! - [`fault`]: [`FaultPlan`] (fail rate, [`FailureKind`], first-K-per-key and always-failing
//!   keys) and [`FaultModel`], the pure, deterministic per-call decision (its documentation
//!   says why it is deterministic under concurrency, and where a call's key comes from).
//! - [`server`] (feature `server`, on by default): [`MockBackend`], the HTTP/1.1 server with
//!   `GET /_stats` and `POST /_reset`. Without the feature the crate is the pure fate model on
//!   std alone, which benchgate-retry's in-process simulator decides through, so the simulator
//!   and the HTTP mock decide alike for the same seed and plan.
//! - [`rng`]: the seeded SplitMix64 behind all of it (and behind benchgate-retry's jitter).
//!
//! ```no_run
//! # async fn demo() -> Result<(), benchgate_backend::BackendError> {
//! use benchgate_backend::{BackendConfig, FailureKind, FaultPlan, LatencyDist, MockBackend};
//! let latency = LatencyDist::parse("lognormal(median=10ms, sigma=0.5)").expect("valid text");
//! let plan = FaultPlan { fail_rate: 0.4, kind: FailureKind::Status5xx, ..FaultPlan::default() };
//! let backend = MockBackend::start(BackendConfig { seed: 7, latency, plan, ..BackendConfig::default() }).await?;
//! println!("listening on http://{}", backend.local_addr());
//! // ... drive load against it ...
//! let stats = backend.stats();
//! println!("{} calls, at most {} at once", stats.calls, stats.max_concurrency);
//! backend.shutdown(std::time::Duration::from_secs(5)).await;
//! # Ok(())
//! # }
//! ```

/// The response header every answer of the mock backend carries, with the value
/// [`MODE_SIMULATED`]: what is measured against it is `mode = simulated` (SPEC §4.5).
pub const MODE_HEADER: &str = "x-benchgate-mode";
/// The value of [`MODE_HEADER`]: `benchgate_model::Mode::Simulated.as_str()` (benchgate-load
/// checks the two agree; the model is not a dependency here, to keep this crate std-only
/// without `server`).
pub const MODE_SIMULATED: &str = "simulated";

pub mod latency;
pub mod rng;

pub use latency::{LatencyDist, LatencyParseError};
pub mod fault;
pub use fault::{
    CallDecision, DEFAULT_STATUS, Failure, FailureCause, FailureKind, FaultConfigError, FaultModel,
    FaultPlan, KeySource, MAX_KEY_BYTES, MAX_KEYS, parse_fail_rate,
};
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub use server::{BackendConfig, BackendError, BackendStats, MAX_BODY_BYTES, MockBackend};
