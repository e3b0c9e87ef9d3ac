//! Judges performance (SPEC §7.1): given a baseline and a current set of samples it decides
//! `improved`, `unchanged`, `regressed` (warn or fail), `insufficient_data` or `inconclusive`, with the
//! effect, its interval, the p-value and a reason a human can read. Pure domain logic over the
//! canonical model: no I/O, no formatting beyond the one-line reasons.

mod budget;
mod check;
mod compare;
mod confirm;
mod declared;
mod geomean;
mod glob;
mod leak;
mod measures;
mod metric;
mod noise;
mod outcome;
mod paired;
mod pool;
pub mod projection;

/// The budget of a [`leak_check`] (the rule is the model's, shared with the harness).
pub use benchgate_model::LeakBudget;
pub use budget::{
    Budget, budget_verdict, budget_verdicts, canonical_unit, check_budgets, default_direction,
    unmatched_budgets,
};
pub use check::{
    Check, MAX_CHECKS, MAX_FILTER_CHARS, apply_checks, check_results, check_verdict, parse_by_key,
    parse_check_filter,
};
pub use compare::{
    CompareOptions, apply_budgets, compare_runs, compare_within_run, judge_without_baseline,
    replace_verdict, samples_needed,
};
pub use confirm::{confirmed_verdict, suspects};
pub use declared::{DECLARED_NOTE, judge_declared};
pub use glob::{GlobError, NameGlob, glob_match};
pub use leak::{LeakCheck, LeakVerdict, leak_check, leak_check_points, leak_check_series};
pub use measures::{UnknownMeasure, check_gated_measures};
pub use metric::{Classification, MetricJudgement, judge_metric};
pub use noise::{
    FLOOR_MIN_CHANGES, FLOOR_MIN_RUNS, FloorEstimate, FloorRefusal, floor_from_changes,
    floor_from_history,
};
pub use outcome::{decide, deny_warnings, record_command_failure, settle};
pub use paired::{PairedJudgement, Sequential, judge_pair_sets, judge_pairs, log_ratios};
pub use pool::pool_runs;
