//! Machine-readable JSON: the canonical run (`benchgate/run/v1`) and the comparison with its
//! verdicts (`benchgate/comparison/v1`).

use benchgate_model::{Comparison, Run, Verdict};

use crate::Format;

#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Format for Json {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::json(self, report))
    }

    /// The canonical run; ad-hoc comparisons are not part of a run and are rendered separately.
    fn run(&self, run: &Run, _comparisons: &[Verdict]) -> String {
        let mut out = run.to_json_pretty();
        out.push('\n');
        out
    }

    fn comparison(&self, comparison: &Comparison) -> String {
        let mut out = comparison.to_json_pretty();
        out.push('\n');
        out
    }
}
