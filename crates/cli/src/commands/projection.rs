//! `--filter`, `--table`, `--row`, `--col` and `--ignore` on `compare` and `report`: whether to
//! project, and the judged projection (benchgate-pipeline) rendered in the chosen format.

use anyhow::bail;
use benchgate_pipeline::projection::JudgedProjection;
use benchgate_report::Format;

use crate::cli::ProjectionArgs;

/// The report in `format`; an error for a format that does not render projections.
pub fn render(
    judged: &JudgedProjection,
    format: &dyn Format,
    name: &str,
) -> anyhow::Result<String> {
    match format.projected(&judged.report()) {
        Some(text) => Ok(text),
        None => bail!(
            "--format {name} does not render projections (--filter, --row, --col, --table, \
             --ignore)"
        ),
    }
}

/// Whether the inputs are to be projected: a projection flag was given. Without one, `compare`
/// pairs benchmarks by name as it always has — across configurations too (two CI runners'
/// CPUs differ more often than not), with the environment's warning — where benchstat would
/// split them into tables with nothing to compare.
pub fn wanted(args: &ProjectionArgs) -> bool {
    args.flags().any()
}
