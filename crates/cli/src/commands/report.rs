//! `benchgate report [RUN] [--baseline SEL] [-o FILE]`: renders a stored run, or its comparison
//! with a baseline, in any output format, to standard output or a file.

use anyhow::Context;
use benchgate_gate::canonical_unit;
use benchgate_model::{Measure, Outcome, Run};
use benchgate_pipeline::baseline::{parse_selector, resolve_baseline, select_run};
use benchgate_pipeline::history::{HistoryQuery, history};
use benchgate_pipeline::judge::{judge_runs, judging_of_inputs};
use benchgate_pipeline::judging::LoadedConfig;
use benchgate_pipeline::profiles::stored_profiles;
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::{Format, History, Html, HtmlReport, Terminal};
use benchgate_store::Store;

use super::parse_measures;
use super::projection;
use crate::cli::{GlobalArgs, OutputFormat, ReportArgs};
use crate::output::{print, write_file};
use crate::render::formatter;
use benchgate_pipeline::projection::project_and_judge;

/// The most history charts one page draws (benchmarks × gated measures, in the run's order), and
/// the newest runs each shows: a page of a large suite stays readable and quick to write.
const MAX_HISTORY_CHARTS: usize = 50;
const HISTORY_RUNS: usize = 100;

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
    // Judged as `run` judged it: the same settings and noise floors give the same verdict.
    let judging = |baseline: Option<&Run>| -> anyhow::Result<_> {
        let loaded = LoadedConfig::from_flag(args.config.as_deref())?;
        Ok(judging_of_inputs(
            &loaded,
            &args.judge.flags(false),
            &parse_measures(&args.measure)?,
            (baseline, &run),
            Some(store.as_ref()),
        )?)
    };
    let projecting = args.projection.flags().any();
    // What `run --profile` took of this run, linked from the report.
    let profiles = stored_profiles(&args.profile_dir, run.id)?;
    let Some(baseline) = &args.baseline else {
        if projecting {
            // One run, compared inside itself across --col.
            let judging = judging(None)?;
            let mut judged = project_and_judge(
                &args.projection.flags(),
                &[(&label, &run)],
                &judging.options,
                &judging.budgets,
            )?;
            judged.warnings.extend(judging.warnings);
            emit(&projection::render(
                &judged,
                format.as_ref(),
                &format_name(args, global),
            )?)?;
            // `report` renders; it does not gate.
            return Ok(Outcome::Passed);
        }
        if html {
            let judging = judging(None)?;
            let history = histories(
                store.as_ref(),
                &run,
                &judging.options.gated_measures,
                &judging.budgets,
            )?;
            emit(&Html.render(&HtmlReport {
                run: Some(&run),
                history: &history,
                profiles: &profiles,
                ..HtmlReport::default()
            }))?;
        } else {
            let mut report = format.run(&run, &[]);
            if let Some(links) = format.profiles(&profiles) {
                report.push('\n');
                report.push_str(&links);
            }
            emit(&report)?;
        }
        return Ok(Outcome::Passed);
    };
    let selector = parse_selector(baseline)?;
    // `last` as `run` resolved it: each benchmark's latest earlier measurement.
    let (pooled, pooled_label) = resolve_baseline(store.as_ref(), &selector, &run)?
        .ok_or_else(|| anyhow::anyhow!("baseline {baseline}: no stored run to compare with"))?;
    let judging = judging(Some(&pooled))?;
    let options = &judging.options;
    let inputs = [(&*pooled_label, &pooled), (&*label, &run)];
    if projection::wanted(&args.projection) {
        let mut judged =
            project_and_judge(&args.projection.flags(), &inputs, options, &judging.budgets)?;
        judged.warnings.extend(judging.warnings);
        emit(&projection::render(
            &judged,
            format.as_ref(),
            &format_name(args, global),
        )?)?;
        return Ok(Outcome::Passed);
    }
    let mut comparison = judge_runs(
        (&pooled, &pooled_label),
        (&run, &label),
        options,
        &judging.budgets,
    );
    comparison.warnings.extend(judging.warnings.iter().cloned());
    comparison.profiles = profiles;
    if html {
        let history = histories(
            store.as_ref(),
            &run,
            &options.gated_measures,
            &judging.budgets,
        )?;
        // The page draws both runs' samples beside the verdicts.
        emit(&Html.render(&HtmlReport {
            run: Some(&run),
            baseline: Some(&pooled),
            comparison: Some(&comparison),
            history: &history,
            profiles: &[],
        }))?;
    } else {
        emit(&format.comparison(&comparison))?;
    }
    // `report` renders; it does not gate.
    Ok(Outcome::Passed)
}

/// The name of the format standard output gets, for messages.
fn format_name(args: &ReportArgs, global: &GlobalArgs) -> String {
    let format = if global.json {
        OutputFormat::Json
    } else {
        args.format
    };
    format!("{format:?}").to_lowercase()
}

/// The stored history, up to `run`, of each benchmark of `run` in each `gated` measure it has, on
/// `run`'s machine: at most [`MAX_HISTORY_CHARTS`] of them, each of the newest [`HISTORY_RUNS`]
/// runs, with the absolute bounds of `budgets` drawn across. A benchmark stored once has no
/// history to draw.
fn histories(
    store: &dyn Store,
    run: &Run,
    gated: &[Measure],
    budgets: &[benchgate_gate::Budget],
) -> anyhow::Result<Vec<History>> {
    let mut drawn = Vec::new();
    let wanted = run.benchmarks.iter().flat_map(|bench| {
        gated
            .iter()
            .filter(|measure| bench.metrics.iter().any(|m| &m.measure == *measure))
            .map(move |measure| (bench, measure))
    });
    for (bench, measure) in wanted {
        if drawn.len() == MAX_HISTORY_CHARTS {
            break;
        }
        let found = history(
            store,
            &HistoryQuery {
                benchmark: &bench.name,
                measure,
                fingerprint: Some(&run.environment.fingerprint),
                through_run: Some(run.id),
                limit: HISTORY_RUNS,
                min_segment: benchgate_pipeline::history::DEFAULT_MIN_SEGMENT,
            },
        )
        .context("cannot draw the history charts")?;
        if found.points.len() < 2 {
            continue;
        }
        drawn.push(found.chart(&bench.name, measure, canonical_unit(measure), budgets));
    }
    Ok(drawn)
}
