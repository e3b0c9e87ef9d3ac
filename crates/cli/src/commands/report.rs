//! `benchgate report [RUN] [--baseline SEL]`: renders a stored run, or its comparison with a
//! baseline, in any output format.

use benchgate_gate::{compare_runs, pool_runs};
use benchgate_store::resolve_for_source;

use super::stored::{open_existing_store, parse_selector, select_run};
use super::{Conclusion, formatter};
use crate::cli::{GlobalArgs, ReportArgs};
use crate::output::print;

pub fn execute(args: &ReportArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    let store = open_existing_store(global)?;
    let (run, label) = select_run(store.as_ref(), &args.run)?;
    let format = formatter(args.format, global);
    let Some(baseline) = &args.baseline else {
        print(&format.run(&run, &[]))?;
        return Ok(Conclusion::Passed);
    };
    let options = args.judge.options(
        benchgate_model::Thresholds::default(),
        vec![benchgate_model::Measure::WallTime],
    )?;
    let selector = parse_selector(baseline)?;
    let resolved = resolve_for_source(
        store.as_ref(),
        &selector,
        &run.environment.fingerprint,
        Some(run.id),
        &run.source,
    )?
    .ok_or_else(|| anyhow::anyhow!("baseline {baseline}: no stored run to compare with"))?;
    let Some(pooled) = pool_runs(&resolved.runs) else {
        anyhow::bail!("baseline {baseline}: no stored run to compare with");
    };
    let comparison = compare_runs(&pooled, &resolved.label, &run, &label, &options);
    print(&format.comparison(&comparison))?;
    Ok(Conclusion::Passed)
}
