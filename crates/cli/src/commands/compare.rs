//! `benchgate compare A B`: judge run B against run A and print a benchstat-style report.

use std::path::Path;

use benchgate_model::{Outcome, Run};
use benchgate_pipeline::baseline::{parse_selector, resolve_baseline, select_run};
use benchgate_pipeline::judge::{InputJudging, judge_runs, judging_of_inputs};
use benchgate_pipeline::judging::LoadedConfig;
use benchgate_pipeline::sources::run_from_file;
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::escape::terminal::lines;
use benchgate_store::Store;

use super::parse_measures;
use super::projection;
use crate::cli::{CompareArgs, GlobalArgs, OutputFormat};
use crate::exports::{Exported, Exports};
use crate::output::print;
use crate::render::{formatter, write_comparison};
use benchgate_pipeline::projection::project_and_judge;

pub fn execute(args: &CompareArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    // A file that cannot be read is refused before any run is read.
    let loaded = LoadedConfig::from_flag(args.config.as_deref())?;
    let mut store = None;
    let Some(current_text) = &args.current else {
        // One run: compared inside itself, across the columns of --col.
        if args.projection.col.is_none() {
            anyhow::bail!(
                "compare needs two runs (BASELINE CURRENT), or one run with --col KEYS to compare inside it"
            );
        }
        let (run, label) = operand(&args.baseline, args, global, &mut store, None)?;
        return projected(args, global, &loaded, &[(&label, &run)], store.as_deref());
    };
    let (current, current_label) = operand(current_text, args, global, &mut store, None)?;
    let (baseline, baseline_label) =
        operand(&args.baseline, args, global, &mut store, Some(&current))?;
    let inputs = [(&*baseline_label, &baseline), (&*current_label, &current)];
    if projection::wanted(&args.projection) {
        return projected(args, global, &loaded, &inputs, store.as_deref());
    }
    let judging = judging(args, &loaded, (Some(&baseline), &current), store.as_deref())?;
    let mut comparison = judge_runs(
        (&baseline, &baseline_label),
        (&current, &current_label),
        &judging.options,
        &judging.budgets,
    );
    comparison.warnings.extend(judging.warnings);
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    write_comparison(&comparison, &exports, args.format, global)
}

/// `inputs` projected by `--filter`/`--table`/`--row`/`--col`/`--ignore`, each table's columns
/// judged as two runs are, printed and exported; the outcome is the worst of the tables'.
fn projected(
    args: &CompareArgs,
    global: &GlobalArgs,
    loaded: &LoadedConfig,
    inputs: &[(&str, &Run)],
    store: Option<&dyn Store>,
) -> anyhow::Result<Outcome> {
    let Some((_, current)) = inputs.last() else {
        anyhow::bail!("compare needs a run");
    };
    let baseline = (inputs.len() > 1).then(|| inputs[0].1);
    let judging = judging(args, loaded, (baseline, current), store)?;
    let mut judged = project_and_judge(
        &args.projection.flags(),
        inputs,
        &judging.options,
        &judging.budgets,
    )?;
    judged.warnings.extend(judging.warnings);
    let format = if global.json {
        OutputFormat::Json
    } else {
        args.format
    };
    let name = format!("{format:?}").to_lowercase();
    print(&projection::render(
        &judged,
        formatter(format, global).as_ref(),
        &name,
    )?)?;
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    exports.write(&Exported::Projected(&judged.report()), judged.outcome)
}

/// The file's judging of `runs` with the flags on top (the pipeline's, as every judging command
/// has it); its note, if the file does not judge this source, is shown at once.
fn judging(
    args: &CompareArgs,
    loaded: &LoadedConfig,
    runs: (Option<&Run>, &Run),
    store: Option<&dyn Store>,
) -> anyhow::Result<InputJudging> {
    let judging = judging_of_inputs(
        loaded,
        &args.judge.flags(args.deny_warnings),
        &parse_measures(&args.measure)?,
        runs,
        store,
    )?;
    if let Some(note) = &judging.note {
        crate::output::eprint_line(&format!("note: {}", lines(note)));
    }
    Ok(judging)
}

/// A run named on the command line: a results file (or criterion directory, or `DIR@NAME`)
/// when it looks like one (has a `/`, ends in `.json`, exists, or is `DIR@NAME` with DIR a
/// directory), otherwise a stored run's
/// selector. For the baseline side (`judged` is the current run) `last` and `window:N` look at
/// runs of the current run's source, and `window:N` at its machine.
fn operand(
    text: &str,
    args: &CompareArgs,
    global: &GlobalArgs,
    store: &mut Option<Box<dyn Store>>,
    judged: Option<&Run>,
) -> anyhow::Result<(Run, String)> {
    let path = Path::new(text);
    // `criterion@before`: a bare directory name with a criterion baseline.
    let criterion_baseline = text
        .rsplit_once('@')
        .is_some_and(|(dir, _)| !dir.is_empty() && Path::new(dir).is_dir());
    if text.contains('/') || text.ends_with(".json") || path.exists() || criterion_baseline {
        return Ok((
            run_from_file(text, args.adapter.format())?,
            text.to_string(),
        ));
    }
    let store = match store {
        Some(store) => store,
        None => store.insert(open_existing_store(&global.store())?),
    };
    let Some(judged) = judged else {
        return Ok(select_run(store.as_ref(), text)?);
    };
    let selector = parse_selector(text)?;
    resolve_baseline(store.as_ref(), &selector, judged)?
        .ok_or_else(|| anyhow::anyhow!("{text}: no stored run to compare with"))
}
