//! The geometric-mean row of a comparison, per measure, as benchstat computes it: each side over
//! the benchmarks it has, and the change as the geometric mean of the per-benchmark ratios of the
//! benchmarks both have (the same thing when the sets match, and still meaningful when not).

use std::collections::BTreeMap;

use benchgate_model::{GeomeanRow, Measure, Unit, Verdict, VerdictKind};
use benchgate_stats::geometric_mean;

/// Geometric means per measure as benchstat computes them: each side over the benchmarks it has
/// (failed and skipped ones left out), and the change as the geometric mean of the per-benchmark
/// ratios of the benchmarks both have.
pub(crate) fn geomean_rows(verdicts: &[Verdict]) -> Vec<GeomeanRow> {
    #[derive(Default)]
    struct Sides {
        unit: Option<Unit>,
        base: Vec<f64>,
        cur: Vec<f64>,
        ratios: Vec<f64>,
    }
    let mut by_measure: BTreeMap<&Measure, Sides> = BTreeMap::new();
    for v in verdicts.iter().filter(|v| {
        !matches!(
            v.kind,
            VerdictKind::Failed | VerdictKind::Skipped | VerdictKind::BudgetExceeded
        )
    }) {
        let entry = by_measure.entry(&v.measure).or_default();
        entry.unit.get_or_insert_with(|| v.unit.clone());
        if let Some(b) = &v.baseline {
            entry.base.push(b.median);
        }
        if let Some(c) = &v.current {
            entry.cur.push(c.median);
        }
        if let (Some(b), Some(c)) = (&v.baseline, &v.current) {
            entry.ratios.push(if b.median == c.median {
                1.0
            } else {
                c.median / b.median
            });
        }
    }
    by_measure
        .into_iter()
        .filter(|(_, sides)| !sides.base.is_empty() || !sides.cur.is_empty())
        .map(|(measure, sides)| {
            // 0/0 is no change, as benchstat takes it; x/0 has no ratio at all.
            let ratio = if sides.ratios.iter().any(|r| !r.is_finite()) {
                None
            } else {
                geometric_mean(&sides.ratios)
            };
            GeomeanRow {
                measure: measure.clone(),
                unit: sides.unit.unwrap_or(Unit::Count),
                benchmarks: sides.cur.len(),
                baseline_benchmarks: sides.base.len(),
                baseline: geometric_mean(&sides.base),
                current: geometric_mean(&sides.cur),
                ratio,
                sets_differ: sides.ratios.len() != sides.base.len()
                    || sides.ratios.len() != sides.cur.len(),
            }
        })
        .collect()
}
