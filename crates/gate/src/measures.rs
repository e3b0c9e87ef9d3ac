//! Which measures can fail the gate, checked against the runs being judged: a gated measure
//! that no benchmark has would gate nothing and let every regression through.

use std::collections::BTreeSet;

use benchgate_model::{Measure, Run};

/// A gated measure that is neither well known nor present in any benchmark of the runs: a
/// typo (`wall_tme`) or a measure this source does not report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown measure {name:?}: no benchmark has it{}{}",
    suggestion.as_ref().map_or_else(String::new, |s| format!(" (did you mean {s:?}?)")),
    if available.is_empty() { String::new() } else { format!("; measures here: {}", available.join(", ")) }
)]
pub struct UnknownMeasure {
    pub name: String,
    /// The most likely intended measure.
    pub suggestion: Option<String>,
    /// The measures the runs have.
    pub available: Vec<String>,
}

/// Checks `gated` against `runs` (the baseline and the current run). A custom measure no
/// benchmark has is an error; a well-known one no benchmark has (instructions on a run that
/// counted none) gives a warning, returned as a line to show. Warnings never pass silently:
/// the caller shows them.
pub fn check_gated_measures(
    gated: &[Measure],
    runs: &[&Run],
) -> Result<Vec<String>, UnknownMeasure> {
    let present: BTreeSet<&Measure> = runs
        .iter()
        .flat_map(|r| &r.benchmarks)
        .flat_map(|b| &b.metrics)
        .map(|m| &m.measure)
        .collect();
    let mut warnings = Vec::new();
    for measure in gated {
        if present.contains(measure) {
            continue;
        }
        if measure.is_known() {
            warnings.push(format!(
                "gated measure {measure}: no benchmark has it, so it gates nothing here"
            ));
            continue;
        }
        let name = measure.as_str();
        let suggestion = Measure::closest_known(name)
            .map(str::to_string)
            .or_else(|| {
                present
                    .iter()
                    .map(|m| m.as_str())
                    .find(|m| m.eq_ignore_ascii_case(name))
                    .map(str::to_string)
            });
        return Err(UnknownMeasure {
            name: name.to_string(),
            suggestion,
            available: present.iter().map(|m| m.as_str().to_string()).collect(),
        });
    }
    Ok(warnings)
}
