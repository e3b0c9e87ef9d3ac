//! Pure statistics for benchgate: summaries, confidence intervals, significance tests and
//! multiple-comparison control. No I/O, no knowledge of benchmarks or verdicts (like Go's benchmath).

pub mod summary;

pub use summary::{Interval, Summary, median_ci, percentile};
