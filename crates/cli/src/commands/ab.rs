//! `benchgate ab`: a paired, interleaved A/B comparison of two builds on this machine (SPEC §7.2):
//! run both alternately in balanced pairs and judge the change from the per-pair ratios, with
//! adaptive stopping on the comparison itself. `--base/--head` compares two command lines;
//! `--base-dir/--head-dir` runs the configured suite from two checkouts. Nothing is stored.

use std::path::Path;

use anyhow::{Context, bail};
use benchgate_config::{Config, RunnerSettings};
use benchgate_gate::{PairedJudgement, compare_runs};
use benchgate_measure::{
    AuxCommands, CommandSpec, CommandTemplate, PairedResult, RunnerOptions, expand, preflight,
};
use benchgate_model::{Comparison, Measure, Outcome, Run};
use benchgate_pipeline::ab::{
    Pairing, configured_pairings, judge_paired, named, record_failed_sides,
};
use benchgate_pipeline::convert;
use benchgate_pipeline::measure::{new_run, unmeasured};
use benchgate_pipeline::profiles::{ProfileTarget, capture_profiles};
use benchgate_report::escape::terminal::lines;

use super::measuring::{count_instructions, mode_of, sampling_settings};
use crate::cli::{AbArgs, GlobalArgs, MeasureArg};
use crate::exports::Exports;
use crate::progress::{Progress, Reporter};
use crate::render::write_comparison;

/// The default time budget of one benchmark's pairs.
const DEFAULT_MAX_TIME_SECS: u64 = 60;

pub fn execute(args: &AbArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let judging = args.judge.options(
        benchgate_model::Thresholds::default(),
        vec![Measure::WallTime],
        args.deny_warnings,
    )?;
    let thresholds = judging.thresholds;
    exports(args).check()?;
    let pairings = pairings(args)?;
    if pairings.is_empty() {
        bail!("nothing to compare");
    }
    for p in &pairings {
        preflight(&[p.base.clone(), p.head.clone()]).with_context(|| p.name.clone())?;
    }
    benchgate_measure::install_interrupt_handlers()?;
    let options = runner_options(args)?;

    let environment = benchgate_provenance::detect_environment();
    let mode = mode_of(args.mode);
    let mut base_run = new_run(mode, environment.clone())?;
    let mut head_run = new_run(mode, environment)?;
    let base_label = side_label("base", args.base.as_deref(), args.base_dir.as_deref());
    let head_label = side_label("head", args.head.as_deref(), args.head_dir.as_deref());

    if args.measure == Some(MeasureArg::Instructions) {
        // Deterministic: one count each, compared exactly (no pairs needed).
        for p in &pairings {
            let mut base = vec![named(convert::benchmark(&unmeasured(&p.base)), &p.name)];
            let mut head = vec![named(convert::benchmark(&unmeasured(&p.head)), &p.name)];
            count_instructions(&mut base, &[&p.base], &options, global)?;
            count_instructions(&mut head, &[&p.head], &options, global)?;
            base_run.benchmarks.extend(base);
            head_run.benchmarks.extend(head);
        }
        let mut comparison = compare_runs(&base_run, &base_label, &head_run, &head_label, &judging);
        record_failed_sides(&mut comparison, &base_run, &head_run);
        profile(
            args,
            global,
            &head_run,
            &mut comparison,
            &pairings,
            &options,
        )?;
        return write_comparison(&comparison, &exports(args), args.format, global);
    }

    // Adaptive stopping spends α across the benchmarks too (Bonferroni), so a suite does not
    // raise more false alarms than one benchmark.
    let mut sequential_thresholds = thresholds;
    sequential_thresholds.alpha /= pairings.len() as f64;
    let mut results: Vec<(PairedResult, Option<PairedJudgement>)> = Vec::new();
    for p in &pairings {
        let names = vec![format!("{} (base)", p.name), format!("{} (head)", p.name)];
        let mut progress = Progress::new(
            names,
            global.quiet,
            crate::output::console().stderr_is_terminal(),
        );
        let (result, judgement) = benchgate_pipeline::ab::run_pairs(
            &p.base,
            &p.head,
            &options,
            sequential_thresholds,
            &mut progress,
        )?;
        super::measuring::note_leftovers(&[&result.base, &result.head]);
        progress.finish();
        results.push((result, judgement));
    }
    let names: Vec<String> = pairings.iter().map(|p| p.name.clone()).collect();
    let mut comparison = judge_paired(
        &names,
        results,
        (&mut base_run, &base_label),
        (&mut head_run, &head_label),
        &judging,
    )?;
    profile(
        args,
        global,
        &head_run,
        &mut comparison,
        &pairings,
        &options,
    )?;
    write_comparison(&comparison, &exports(args), args.format, global)
}

/// `--profile`: both builds' commands of each benchmark that regressed (or of every one), run
/// once more under the profiler, linked from the comparison.
fn profile(
    args: &AbArgs,
    global: &GlobalArgs,
    head: &Run,
    comparison: &mut Comparison,
    pairings: &[Pairing],
    options: &RunnerOptions,
) -> anyhow::Result<()> {
    let Some(request) = args.profile.request()? else {
        return Ok(());
    };
    let targets = ProfileTarget::of_pairs(
        pairings.iter().map(|p| (p.name.as_str(), &p.base, &p.head)),
        options.stdin.as_deref(),
    );
    let profiled = capture_profiles(
        &request,
        head.id,
        &comparison.verdicts,
        &targets,
        &mut Reporter::new(global),
    )?;
    if let Some(note) = profiled.note {
        crate::output::eprint_line(&format!("note: {}", lines(&note)));
    }
    comparison.profiles = profiled.links;
    Ok(())
}

fn exports(args: &AbArgs) -> Exports {
    Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref())
}

fn side_label(side: &str, command: Option<&str>, dir: Option<&Path>) -> String {
    match (command, dir) {
        (Some(c), _) => format!("{side}: {c}"),
        (None, Some(d)) => format!("{side}: {}", d.display()),
        (None, None) => side.to_string(),
    }
}

/// The runner's options: pairs, warm-up, limits and wiring from the flags.
fn runner_options(args: &AbArgs) -> anyhow::Result<RunnerOptions> {
    // The pairs of one benchmark get a longer budget than one command's runs.
    let ab_defaults = RunnerSettings {
        max_time: Some(std::time::Duration::from_secs(DEFAULT_MAX_TIME_SECS)),
        ..RunnerSettings::default()
    };
    let flags = RunnerSettings {
        shell: args.shell.clone(),
        ..sampling_settings(&args.sampling)
    };
    let mut options = RunnerSettings::layered(&[&ab_defaults, &flags]).runner_options();
    if let Some(input) = &args.input {
        benchgate_pipeline::plan::check_input("--input", input)?;
        options.stdin = Some(input.clone());
    }
    options.show_output = args.show_output;
    options.validate()?;
    Ok(options)
}

/// What to compare: the two command lines, or each configured bench in the two directories.
fn pairings(args: &AbArgs) -> anyhow::Result<Vec<Pairing>> {
    let shell = args.shell.as_deref();
    let aux = match &args.prepare {
        Some(prepare) => vec![AuxCommands {
            prepare: Some(prepare.clone()),
            ..AuxCommands::default()
        }],
        None => Vec::new(),
    };
    if let (Some(base), Some(head)) = (&args.base, &args.head) {
        if args.filter.is_some() {
            bail!(
                "a FILTER selects configured benchmarks (with --base-dir/--head-dir), not --base/--head"
            );
        }
        let one = |command: &str| -> anyhow::Result<CommandSpec> {
            let template = CommandTemplate {
                name: None,
                tokens: vec![command.to_string()],
            };
            expand(&[template], &aux, &[], shell)?
                .pop()
                .ok_or_else(|| anyhow::anyhow!("{command:?}: no command"))
        };
        let name = args.name.clone().unwrap_or_else(|| head.clone());
        return Ok(vec![Pairing {
            name,
            base: one(base)?,
            head: one(head)?,
        }]);
    }
    let (Some(base_dir), Some(head_dir)) = (&args.base_dir, &args.head_dir) else {
        bail!(
            "give --base and --head (two commands) or --base-dir and --head-dir (the configured suite from two directories)"
        );
    };
    for dir in [base_dir, head_dir] {
        if !dir.is_dir() {
            bail!("{}: no such directory", dir.display());
        }
    }
    if args.name.is_some() {
        bail!("--name names the --base/--head comparison; configured benches have their names");
    }
    if !args.config.exists() {
        bail!(
            "{}: no such file (ab --base-dir/--head-dir runs the configured suite)",
            args.config.display()
        );
    }
    let config = Config::load(&args.config)?;
    let (pairings, notes) = configured_pairings(
        &config,
        &args.config,
        args.filter.as_deref(),
        shell,
        (base_dir, head_dir),
    )?;
    for note in notes {
        crate::output::eprint_line(&format!("note: {}", lines(&note)));
    }
    Ok(pairings)
}
