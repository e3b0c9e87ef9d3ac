//! `--filter`, `--table`, `--row`, `--col` and `--ignore` on `compare` and `report`: the inputs
//! projected (benchgate-gate), each table's columns judged (benchgate-pipeline), rendered in the
//! chosen format.

use anyhow::bail;
use benchgate_gate::projection::Projection;
use benchgate_gate::{Budget, CompareOptions};
use benchgate_model::{Outcome, Run};
use benchgate_pipeline::projection::{differing_keys, judge_projected};
use benchgate_report::{Format, ProjectedReport, ProjectedTable};

use crate::cli::ProjectionArgs;

/// A projection, judged.
pub struct Judged {
    pub filter: Option<String>,
    pub considered: usize,
    pub filtered_out: usize,
    pub warnings: Vec<String>,
    pub tables: Vec<ProjectedTable>,
    pub outcome: Outcome,
}

impl Judged {
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

    /// The report in `format`; an error for a format that does not render projections.
    pub fn render(&self, format: &dyn Format, name: &str) -> anyhow::Result<String> {
        match format.projected(&self.report()) {
            Some(text) => Ok(text),
            None => bail!(
                "--format {name} does not render projections (--filter, --row, --col, --table, \
                 --ignore)"
            ),
        }
    }
}

/// Whether the inputs are to be projected: a projection flag was given. Without one, `compare`
/// pairs benchmarks by name as it always has — across configurations too (two CI runners'
/// CPUs differ more often than not), with the environment's warning — where benchstat would
/// split them into tables with nothing to compare.
pub fn wanted(args: &ProjectionArgs) -> bool {
    args.flags().any()
}

/// Projects `inputs` by `args` and judges each table's columns with `options` and `budgets`.
/// Nothing to compare at all (every table one column) is an input error naming the keys that
/// keep the inputs apart.
pub fn judge(
    args: &ProjectionArgs,
    inputs: &[(&str, &Run)],
    options: &CompareOptions,
    budgets: &[Budget],
) -> anyhow::Result<Judged> {
    let projection = Projection::parse(&args.flags())?;
    let projected = projection.project(inputs);
    let filtered_out = projected.filtered_out;
    let considered = projected.considered;
    let mut warnings = projected.warnings.clone();
    if projected.tables.is_empty() {
        bail!(
            "nothing to compare: --filter {:?} removed all {filtered_out} benchmark(s)",
            args.filter.as_deref().unwrap_or_default()
        );
    }
    let (tables, outcome, judging_warnings) = judge_projected(projected, options, budgets);
    warnings.extend(judging_warnings);
    if tables.iter().all(|t| t.comparisons.is_empty()) {
        let keys = differing_keys(&tables);
        if keys.is_empty() {
            bail!(
                "nothing to compare: every table has one column (--col names what to compare \
                 across, e.g. --col /size)"
            );
        }
        bail!(
            "nothing to compare: the inputs differ in {} (--ignore {} to compare across them)",
            keys.join(", "),
            keys.join(",")
        );
    }
    Ok(Judged {
        filter: args.filter.clone(),
        considered,
        filtered_out,
        warnings,
        tables,
        outcome,
    })
}
