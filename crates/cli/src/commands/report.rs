//! `benchgate report [RUN] [--baseline SEL]`: renders a stored run, or its comparison with a
//! baseline, in any output format.

use benchgate_model::Outcome;
use benchgate_pipeline::baseline::{parse_selector, resolve_baseline, select_run};
use benchgate_pipeline::judge::judge_runs;
use benchgate_pipeline::judging::{judging_for, load_config};
use benchgate_pipeline::noise::with_noise_floors;
use benchgate_pipeline::store::open_existing_store;

use super::parse_measures;
use crate::cli::{GlobalArgs, ReportArgs};
use crate::output::print;
use crate::render::formatter;

pub fn execute(args: &ReportArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let (run, label) = select_run(store.as_ref(), &args.run)?;
    let format = formatter(args.format, global);
    let Some(baseline) = &args.baseline else {
        print(&format.run(&run, &[]))?;
        return Ok(Outcome::Passed);
    };
    // Judged as `run` judged it: the same settings and noise floors give the same verdict.
    let (config, config_path) = load_config(args.config.as_deref())?;
    let judging = judging_for(
        &config,
        config_path.as_deref(),
        &run.source,
        &args.judge.flags(false),
        &parse_measures(&args.measure)?,
    )?;
    let options = with_noise_floors(store.as_ref(), &run, &judging.options)?;
    let selector = parse_selector(baseline)?;
    // `last` as `run` resolved it: each benchmark's latest earlier measurement.
    let (pooled, pooled_label) = resolve_baseline(store.as_ref(), &selector, &run)?
        .ok_or_else(|| anyhow::anyhow!("baseline {baseline}: no stored run to compare with"))?;
    let comparison = judge_runs(
        (&pooled, &pooled_label),
        (&run, &label),
        &options,
        &judging.budgets,
    );
    print(&format.comparison(&comparison))?;
    // `report` renders; it does not gate.
    Ok(Outcome::Passed)
}
