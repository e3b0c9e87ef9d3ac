//! Projected comparisons (`compare`/`report` with `--filter`, `--row`, `--col`, `--table`,
//! `--ignore`): the gate's projection places every benchmark of the inputs in a table, row and
//! column; each later column of a table is judged against the table's first exactly as two runs
//! are ([`judge_runs`]: the same options, budgets and statistics), and the one outcome is the
//! worst of those judgements.

use benchgate_gate::projection::Projected;
use benchgate_gate::{Budget, CompareOptions};
use benchgate_model::Outcome;
use benchgate_report::ProjectedTable;

use crate::judge::judge_runs;

/// The judged tables of `projected`, their outcome, and warnings about the judging itself.
pub fn judge_projected(
    projected: Projected,
    options: &CompareOptions,
    budgets: &[Budget],
) -> (Vec<ProjectedTable>, Outcome, Vec<String>) {
    let mut warnings = Vec::new();
    let mut options = options.clone();
    if !options.checks.is_empty() {
        // A check names benchmarks of the run; a projected column names its rows otherwise.
        warnings.push(format!(
            "{} [[check]] entr(y/ies) not evaluated: checks judge runs, not projected tables",
            options.checks.len()
        ));
        options.checks.clear();
    }
    let mut outcome = Outcome::Passed;
    let tables = projected
        .tables
        .into_iter()
        .map(|table| {
            let comparisons: Vec<_> = table
                .pairs
                .iter()
                .map(|pair| {
                    judge_runs(
                        (&pair.baseline, &pair.baseline_column),
                        (&pair.current, &pair.column),
                        &options,
                        budgets,
                    )
                })
                .collect();
            for c in &comparisons {
                outcome = outcome.max(c.outcome);
            }
            ProjectedTable {
                key: table.key,
                alone: if comparisons.is_empty() {
                    table.first
                } else {
                    None
                },
                columns: table.columns,
                comparisons,
            }
        })
        .collect();
    (tables, outcome, warnings)
}

/// When nothing was compared: the table keys whose values differ between tables (what
/// `--ignore` would take out so that the inputs meet in one table).
pub fn differing_keys(tables: &[ProjectedTable]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for table in tables {
        for (k, v) in &table.key {
            let differs = tables
                .iter()
                .any(|other| other.key.iter().any(|(ok, ov)| ok == k && ov != v));
            if differs && !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}
