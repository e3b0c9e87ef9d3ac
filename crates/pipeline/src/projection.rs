//! Projected comparisons (`compare`/`report` with `--filter`, `--row`, `--col`, `--table`,
//! `--ignore`): the gate's projection places every benchmark of the inputs in a table, row and
//! column; each later column of a table is judged against the table's first exactly as two runs
//! are ([`judge_runs`]: the same options, budgets and statistics), and the one outcome is the
//! worst of those judgements.

use benchgate_gate::projection::{Projected, Projection, ProjectionFlags};
use benchgate_gate::{Budget, CompareOptions};
use benchgate_model::{Outcome, Run};
use benchgate_report::{ProjectedReport, ProjectedTable};

use crate::PipelineError;
use crate::judge::judge_runs;

/// A projection of the inputs, each table's columns judged.
#[derive(Debug, Clone)]
pub struct JudgedProjection {
    pub filter: Option<String>,
    pub considered: usize,
    pub filtered_out: usize,
    pub warnings: Vec<String>,
    pub tables: Vec<ProjectedTable>,
    pub outcome: Outcome,
}

impl JudgedProjection {
    /// What every format renders.
    pub fn report(&self) -> ProjectedReport<'_> {
        ProjectedReport {
            filter: self.filter.as_deref(),
            considered: self.considered,
            filtered_out: self.filtered_out,
            warnings: &self.warnings,
            tables: &self.tables,
            outcome: self.outcome,
        }
    }
}

/// Projects `inputs` by `flags` and judges each table's columns with `options` and `budgets`.
/// Nothing to compare at all — the filter removed everything, or every table has one column —
/// is an input error naming the keys that keep the inputs apart.
pub fn project_and_judge(
    flags: &ProjectionFlags<'_>,
    inputs: &[(&str, &Run)],
    options: &CompareOptions,
    budgets: &[Budget],
) -> Result<JudgedProjection, PipelineError> {
    let projection = Projection::parse(flags)?;
    let projected = projection.project(inputs);
    let filtered_out = projected.filtered_out;
    let considered = projected.considered;
    let mut warnings = projected.warnings.clone();
    if projected.tables.is_empty() {
        return Err(PipelineError::NothingToCompare(format!(
            "--filter {:?} removed all {filtered_out} benchmark(s)",
            flags.filter.unwrap_or_default()
        )));
    }
    let (tables, outcome, judging_warnings) = judge_projected(projected, options, budgets);
    warnings.extend(judging_warnings);
    if tables.iter().all(|t| t.comparisons.is_empty()) {
        let keys = differing_keys(&tables);
        return Err(PipelineError::NothingToCompare(if keys.is_empty() {
            "every table has one column (--col names what to compare across, e.g. --col /size)"
                .to_string()
        } else {
            format!(
                "the inputs differ in {} (--ignore {} to compare across them)",
                keys.join(", "),
                keys.join(",")
            )
        }));
    }
    Ok(JudgedProjection {
        filter: flags.filter.map(str::to_string),
        considered,
        filtered_out,
        warnings,
        tables,
        outcome,
    })
}

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
