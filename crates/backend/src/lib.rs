//! benchgate-backend has one job: to be a fault-injecting mock HTTP backend (SPEC §4.5) — a
//! real loopback server whose latency, failure rate, failure kind and failure schedule are
//! configured and seeded, and which counts what it saw (calls, failures by kind, the maximum
//! number of requests in flight) so a load run or a retry benchmark can be checked against it.

pub mod latency;
pub mod rng;

pub use latency::{LatencyDist, LatencyParseError};
pub mod fault;
pub use fault::{
    CallDecision, Failure, FailureCause, FailureKind, FaultConfigError, FaultModel, FaultPlan,
    KeySource,
};
pub mod server;
pub use server::{BackendConfig, BackendError, BackendStats, MockBackend};
