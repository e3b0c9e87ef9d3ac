//! benchgate-load: the load engine's core. It runs a command as real child processes, N at a
//! time (closed model: each finishing operation starts the next) or on a schedule (open model:
//! `rate` starts per second, latency from the intended start), until a duration or an operation
//! count is reached, and reports per level: an HDR latency histogram of the successful
//! operations, percentiles, throughput, errors by kind, the in-flight maximum actually reached,
//! per-window summaries and output-metric means; [`benchmark`] turns a level into the canonical
//! `benchgate_model::Benchmark`.
//!
//! Pure parts (error kinds, percentiles, throughput, window bucketing, the open model's schedule,
//! scaling efficiency) live in [`error_kind`], [`latency`], [`level`], [`open::Schedule`] and
//! [`sweep`] and do no I/O; [`command`] runs one operation, [`closed`] and [`open`] spawn the
//! processes and read the [`clock`]. No async runtime: one thread per in-flight slot, blocked on
//! its child.
//!
//! With the `async` feature, [`asynchronous`] drives the same levels with a Rust async closure
//! on tokio (in-process load), measuring also the mean number in flight for the Little's law
//! check of [`littles_law()`] (pure); with the `http` feature (which enables `async`), [`http`]
//! is that engine with HTTP/1.1 (or h2c) requests as the operation: URL lists, live progress,
//! and a [`http::probe`] before a load.

#[cfg(feature = "async")]
pub mod asynchronous;
pub mod benchmark;
pub mod clock;
pub mod closed;
pub mod command;
pub mod error_kind;
#[cfg(feature = "http")]
pub mod http;
pub mod latency;
pub mod level;
pub mod littles_law;
pub mod open;
pub mod sweep;

#[cfg(feature = "async")]
pub use asynchronous::{
    AsyncClosedLoad, AsyncLoadError, AsyncOpenLoad, AsyncRuntime, LiveStatus, OperationError,
    Progress, ProgressReport, run_async_closed, run_async_open,
};
pub use benchmark::{OutputMetric, closed_level_benchmark, level_benchmark, open_level_benchmark};
pub use clock::{Clock, MonotonicClock};
pub use closed::{ClosedLoad, CommandSpec, LoadError, Stop, run_closed, run_closed_with_clock};
pub use command::{MAX_OUTPUT_BYTES, OutputInspector, STDERR_TAIL_BYTES, StartHook, StartWatch};
pub use error_kind::{ErrorCounts, ErrorKind, MAX_EXAMPLE_CHARS};
pub use latency::{LatencyHistogram, Percentiles, error_rate, throughput};
pub use level::{LevelRecorder, LevelResult, MAX_WINDOWS, OpenCounts, Outcome, WindowSummary};
pub use littles_law::{LittlesLaw, littles_law};
pub use open::{
    Arrivals, Burst, OpenLoad, Schedule, late_tolerance, run_open, run_open_with_clock,
};
pub use sweep::{run_sweep, scaling_efficiency, sweep_efficiencies};
