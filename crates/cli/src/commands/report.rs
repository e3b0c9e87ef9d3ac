//! `benchgate report [RUN] [--baseline SEL] [-o FILE]`: renders a stored run, or its comparison
//! with a baseline, in any output format, to standard output or a file.

use benchgate_model::Outcome;
use benchgate_pipeline::baseline::{parse_selector, resolve_baseline, select_run};
use benchgate_pipeline::judge::judge_runs;
use benchgate_pipeline::judging::{judging_for, load_config};
use benchgate_pipeline::noise::with_noise_floors;
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::{Format, Html, HtmlReport, Terminal};

use super::parse_measures;
use crate::cli::{GlobalArgs, OutputFormat, ReportArgs};
use crate::output::{print, write_file};
use crate::render::formatter;

pub fn execute(args: &ReportArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let (run, label) = select_run(store.as_ref(), &args.run)?;
    let html = !global.json && args.format == OutputFormat::Html;
    // A file gets no terminal colours.
    let format: Box<dyn Format> =
        if args.output.is_some() && !global.json && args.format == OutputFormat::Terminal {
            Box::new(Terminal { color: false })
        } else {
            formatter(args.format, global)
        };
    let emit = |text: &str| match &args.output {
        Some(path) => write_file(path, text),
        None => print(text),
    };
    let Some(baseline) = &args.baseline else {
        emit(&format.run(&run, &[]))?;
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
    if html {
        // The page draws both runs' samples beside the verdicts.
        emit(&Html.render(&HtmlReport {
            run: Some(&run),
            baseline: Some(&pooled),
            comparison: Some(&comparison),
            history: &[],
        }))?;
    } else {
        emit(&format.comparison(&comparison))?;
    }
    // `report` renders; it does not gate.
    Ok(Outcome::Passed)
}
