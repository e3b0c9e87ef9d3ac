//! benchgate's in-process benchmark harness, for `cargo bench` targets with `harness = false`.
//!
//! ```no_run
//! use benchgate_harness::{black_box, CountingAllocator, Suite};
//!
//! #[global_allocator]
//! static ALLOC: CountingAllocator = CountingAllocator::system();
//!
//! fn main() {
//!     let mut suite = Suite::from_args(); // libtest-like flags; `--format json` prints JSON
//!     suite.bench("parse/small", |b| b.iter(|| black_box("1,2,3".split(',').count())));
//!     suite.finish(); // table on stdout, JSON to target/benchgate/<bench>.json
//! }
//! ```
//!
//! - [`Suite`] / [`Bencher`]: timing with calibrated iterations per sample, warm-up, per-iteration
//!   setup outside the timed loop, outliers flagged (never dropped), custom counters.
//! - [`CountingAllocator`] ([`alloc`]): exact allocations and bytes per operation, peak live bytes.
//! - [`concurrent`]: the same operation on N threads at once, for each N of a sweep.
//! - [`leak`]: live-heap growth over repeated rounds, judged by a budget.
//! - Figures a benchmark works out itself ([`Bencher::metric`]: a simulator's calls per
//!   operation, its maximum concurrency), `mode = simulated` ([`Bencher::mode`]) and iterations
//!   of several operations each ([`Bencher::operations`]).
//!
//! Results are benchgate's canonical run (`benchgate/run/v1`, source `harness`), which
//! `benchgate exec -- cargo bench` stores and judges. Without `--bench` (as `cargo test` runs a
//! bench target) every benchmark runs once, as a smoke test, and nothing is written.

pub mod alloc;
mod args;
mod bencher;
pub mod concurrent;
mod counters;
pub mod leak;
mod outliers;
mod output;
mod record;
mod suite;

pub use alloc::CountingAllocator;
pub use args::{Args, ArgsError, Format};
pub use bencher::{BatchSize, Bencher};
pub use concurrent::{Ctx, Outcome, SweepOptions};
pub use counters::count;
pub use leak::LeakOptions;
pub use suite::{Config, Group, OUTPUT_ENV, Suite};

/// The model's types a benchmark uses to report figures of its own ([`Bencher::metric`]) and
/// its mode ([`Bencher::mode`]).
pub use benchgate_model::{Direction, Measure, Metric, Mode, Unit};

/// Keeps the optimiser from deleting a benchmark's work or hoisting it out of the loop.
pub use std::hint::black_box;
