//! Confirming suspects before failing: a benchmark whose time looks regressed against the
//! baseline is measured once more and judged on the new measurement. A burst of noise during the
//! first measurement rarely repeats itself; a real slowdown always does.

use std::collections::BTreeSet;

use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{Measure, Metric, Run, VerdictKind};
use benchgate_store::Store;
use time::OffsetDateTime;

use crate::PipelineError;
use crate::measure::{Progress, entry_benchmark, measure_entries};
use crate::noise::with_noise_floors;
use crate::plan::Entry;

/// Measures again the timed entries whose benchmarks regress against `baseline` (judged with the
/// noise floors of `store`), and replaces their measurements in `run`; a note in `notes` and the
/// tag `measured_twice` say which. Their peak RSS stays the first measurement's (the store is
/// open now, and a child's peak RSS is floored at ours); instruction counts are kept.
pub fn confirm_suspects(
    store: &dyn Store,
    run: &mut Run,
    entries: &[Entry],
    (base, label): &(Run, String),
    options: &CompareOptions,
    notes: &mut Vec<String>,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    let options = with_noise_floors(store, run, options)?;
    let first = compare_runs(base, label, run, "first measurement", &options);
    let suspects: BTreeSet<&str> = first
        .verdicts
        .iter()
        .filter(|v| v.gating && !v.exact && v.kind == VerdictKind::Regressed)
        .map(|v| v.benchmark.as_str())
        .collect();
    let which: Vec<usize> = (0..entries.len())
        .filter(|&k| {
            entries[k].time
                && entries[k].load.is_none()
                && suspects.contains(entries[k].spec.name.as_str())
        })
        .collect();
    if which.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = which
        .iter()
        .map(|&k| entries[k].spec.name.clone())
        .collect();
    progress.status(&format!(
        "measuring again before judging: {}",
        names.join(", ")
    ));
    for (k, result) in measure_entries(entries, &which, progress)? {
        let fresh = entry_benchmark(&entries[k], &result);
        let Some(slot) = run
            .benchmarks
            .iter_mut()
            .find(|b| b.name == entries[k].spec.name)
        else {
            continue;
        };
        let kept: Vec<Metric> = slot
            .metrics
            .iter()
            .filter(|m| matches!(m.measure, Measure::MaxRss | Measure::Instructions))
            .cloned()
            .collect();
        slot.status = fresh.status;
        slot.metrics = fresh
            .metrics
            .into_iter()
            .filter(|m| m.measure != Measure::MaxRss)
            .chain(kept)
            .collect();
    }
    run.provenance
        .tags
        .insert("measured_twice".into(), names.join(","));
    notes.push(format!(
        "measured again before judging (they looked regressed): {}",
        names.join(", ")
    ));
    run.ended_at = OffsetDateTime::now_utc();
    run.validate()?;
    Ok(())
}
