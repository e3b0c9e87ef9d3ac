//! `benchgate run [FILTER]` on benchgate.toml: measure the configured suite, store the run, judge
//! it against the baseline and the budgets, report, and set the exit code (SPEC §3). Everything
//! that can be refused (the file, the store, the baseline, a mode mismatch) is refused before
//! anything is measured or written.

use anyhow::{Context, bail};
use benchgate_config::{Config, ConfirmMode};
use benchgate_model::{Outcome, Source};
use benchgate_pipeline::baseline::{BaselineChoice, Judged, find_baseline, pooled_baseline};
use benchgate_pipeline::confirm::{Confirmation, Origin, confirm};
use benchgate_pipeline::judge::{Findings, command_failures, store_and_judge};
use benchgate_pipeline::judging::{check_command_measures, judging_for};
use benchgate_pipeline::measure::{measure_plan, redact_failures};
use benchgate_pipeline::plan::plan_suite;
use benchgate_pipeline::store::{check_store_writable, open_if_exists, open_or_create};

use super::measuring::suite_options;
use crate::cli::{GlobalArgs, RunArgs};
use crate::exports::Exports;
use crate::progress::Reporter;
use crate::render::{Rendering, render_judgement};

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let path = &args.config;
    if !path.exists() {
        bail!(
            "{}: no such file; write one (see docs/config.md) or benchmark commands directly with \
             `benchgate run -- CMD`",
            path.display()
        );
    }
    let config = Config::load(path)?;
    // An error may quote an expanded command (one that cannot be split into words, a program
    // not found): the values of variables not marked safe to record are shown as `${NAME}`.
    run_suite(args, global, &config)
        .map_err(|e| anyhow::anyhow!("{}", config.redact(&format!("{e:#}"))))
}

fn run_suite(args: &RunArgs, global: &GlobalArgs, config: &Config) -> anyhow::Result<Outcome> {
    let path = &args.config;
    // These describe ad-hoc commands; a configured bench says them in benchgate.toml.
    let adhoc_only = [
        ("--prepare", !args.prepare.is_empty()),
        ("--conclude", !args.conclude.is_empty()),
        ("--setup", !args.setup.is_empty()),
        ("--cleanup", !args.cleanup.is_empty()),
        ("--parameter-scan", !args.parameter_scan.is_empty()),
        ("--parameter-list", !args.parameter_list.is_empty()),
        ("--name", !args.name.is_empty()),
        ("--mode", args.mode != crate::cli::ModeArg::Real),
    ];
    if let Some((flag, _)) = adhoc_only.iter().find(|(_, given)| *given) {
        bail!(
            "{flag} applies to commands given after `--`; for the benches of {} set it in the file \
             (see docs/config.md)",
            path.display()
        );
    }
    let judging = judging_for(
        config,
        Some(path),
        &Source::Command,
        &args.judge.flags(args.deny_warnings),
        &[],
    )?;
    check_command_measures(path, &judging.options)?;
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    exports.check()?;
    check_store_writable(&global.store())?;
    let plan = plan_suite(config, path, &suite_options(args))?;

    // The baseline is found before anything is measured (children are spawned from a small
    // process of their own, so opening the store here does not move their peak RSS). A store
    // that does not exist yet is created only when there is a run to put in it.
    let environment = benchgate_provenance::detect_environment();
    let mut notes = Vec::new();
    let choice = BaselineChoice::new(
        args.baseline.as_deref(),
        config.gate.baseline.as_deref(),
        Some(path),
    );
    let existing = open_if_exists(&global.store())?;
    let benchmarks = plan.benchmarks();
    let judged = Judged {
        source: &Source::Command,
        fingerprint: &environment.fingerprint,
        benchmarks: &benchmarks,
        filtered: plan.filtered,
    };
    let baseline = find_baseline(
        existing.as_deref(),
        &choice,
        &judged,
        args.allow_mode_mismatch,
        &mut notes,
    )?;

    let mut progress = Reporter::new(global);
    let mut run = measure_plan(&plan, config, environment, &mut progress)?;
    let store = open_or_create(existing, &global.store())?;
    let origins: Vec<Origin> = baseline
        .as_ref()
        .map_or_else(Vec::new, |b| b.runs.iter().map(Origin::of).collect());
    let baseline = pooled_baseline(baseline, &run, plan.filtered);
    let mode = match (args.confirm, args.no_confirm) {
        (Some(flag), _) => flag.into(),
        (None, true) => ConfirmMode::Off,
        (None, false) => config.gate.confirm.unwrap_or_default(),
    };
    let mut confirmed = Vec::new();
    if let Some(baseline) = &baseline {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let confirmation = Confirmation {
            mode,
            store: store.as_ref(),
            baseline,
            origins: &origins,
            entries: &plan.entries,
            options: &judging.options,
            config,
            cwd: &cwd,
        };
        confirmed = confirm(&confirmation, &mut run, &mut notes, &mut progress)?;
    }
    notes.extend(judging.note.clone());
    redact_failures(&mut run, config);
    let findings = Findings {
        command_failures: command_failures(&run),
        notes,
        confirmed,
    };
    let judgement = store_and_judge(
        store.as_ref(),
        &run,
        baseline,
        &judging.options,
        &judging.budgets,
        findings,
    )?;
    let rendering = Rendering {
        format: args.format,
        exports: &exports,
    };
    render_judgement(&run, &judgement, &rendering, global)
}
