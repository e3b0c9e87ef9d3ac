//! Judges performance (SPEC §7.1): given a baseline and a current set of samples it decides
//! `improved`, `unchanged`, `regressed` (warn or fail), `insufficient_data` or `inconclusive`, with the
//! effect, its interval, the p-value and a reason a human can read. Pure domain logic over the
//! canonical model: no I/O, no formatting beyond the one-line reasons.

mod compare;
mod metric;

pub use compare::{CompareOptions, compare_runs, compare_within_run};
pub use metric::{Classification, MetricJudgement, judge_metric};
