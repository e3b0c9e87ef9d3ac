//! Pure statistics for benchgate: summaries, confidence intervals, significance tests and
//! multiple-comparison control. No I/O, no knowledge of benchmarks or verdicts (like Go's benchmath).
//!
//! Every function works on raw `f64` samples (nanoseconds, bytes, …) and never panics: inputs it
//! cannot handle (empty, non-finite, too small) give `None` or a documented value instead.
//!
//! The two statistics benchstat prints are computed exactly as benchstat (golang.org/x/perf
//! `benchmath.AssumeNothing`, on github.com/aclements/go-moremath) computes them:
//! - [`mann_whitney_u`]: go-moremath's `MannWhitneyUTest` — exact (tie-aware with ties) up to
//!   its size limits, the tie- and continuity-corrected normal approximation beyond; see
//!   [`mann_whitney`] for the limits and the one guard against an impossible p;
//! - [`median_ci`] (the `± x%` of [`Summary`]): the order statistics of go-moremath's
//!   `QuantileCI(n, 0.5, 0.95)`, asymmetric by one rank where go-moremath's are; see
//!   [`median_ranks`].
//!
//! `tests/gomoremath_agreement.rs` checks both against go-moremath's own output;
//! `tests/scipy_agreement.rs` and `tests/paired_agreement.rs` check the other statistics (and
//! Mann–Whitney on tie-free data and in its forced asymptotic form) against SciPy/NumPy fixtures.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod bootstrap;
pub mod changepoint;
pub mod fdr;
pub mod hodges_lehmann;
pub mod mann_whitney;
pub mod mean;
pub mod memory_growth;
pub mod rng;
pub mod summary;
pub mod wilcoxon;

pub use bootstrap::ratio_of_medians_ci;
pub use changepoint::{
    ChangePoint, ChangePointOptions, Penalty, auto_penalty, change_points, l2_segmentation,
};
pub use fdr::benjamini_hochberg;
pub use hodges_lehmann::{HodgesLehmann, hodges_lehmann};
pub use mann_whitney::{
    MannWhitney, Method, mann_whitney_u, mann_whitney_u_with, min_attainable_p,
};
pub use mean::{geometric_mean, mean};
pub use memory_growth::{MemoryGrowth, MemoryPoint, memory_growth};
pub use rng::Rng;
pub use summary::{
    Interval, MedianRanks, Summary, median, median_ci, median_ranks, percentile, quantile,
};
pub use wilcoxon::{
    WilcoxonSignedRank, min_attainable_p as wilcoxon_min_attainable_p, wilcoxon_signed_rank,
    wilcoxon_signed_rank_with,
};
