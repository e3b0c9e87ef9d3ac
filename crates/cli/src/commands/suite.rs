//! `benchgate run [FILTER]` on benchgate.toml: the flags as a [`SuiteRequest`], the pipeline's
//! [`Suite`] (plan, baseline, measure, confirm, store, judge; SPEC §3), then the report and the
//! exports. Everything that can be refused is refused before anything is measured or written.

use anyhow::bail;
use benchgate_config::{Config, ConfirmMode};
use benchgate_model::Outcome;
use benchgate_pipeline::suite::{Suite, SuiteOutcome, SuiteRequest};

use super::measuring::suite_options;
use crate::cli::{GlobalArgs, RunArgs};
use crate::exports::Exports;
use crate::progress::Reporter;
use crate::render::{Rendering, render_judgement};

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let path = &args.config;
    if args.load.any() {
        bail!(
            "--concurrency, --rate, --duration, --operations, --memory-every and --watch-pid apply to \
             commands after `--`; a configured bench sets `concurrency`, `rate`, `memory` and \
             `watch` in {}",
            path.display()
        );
    }
    if !path.exists() {
        bail!(
            "{}: no such file; write one (see docs/config.md) or benchmark commands directly with \
             `benchgate run -- CMD`",
            path.display()
        );
    }
    let config = Config::load(path)?;
    benchgate_measure::install_interrupt_handlers()?;
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
    let confirm = match (args.confirm, args.no_confirm) {
        (Some(flag), _) => Some(flag.into()),
        (None, true) => Some(ConfirmMode::Off),
        (None, false) => None,
    };
    let request = SuiteRequest {
        path: path.clone(),
        options: suite_options(args),
        flags: args.judge.flags(args.deny_warnings),
        baseline: args.baseline.clone(),
        allow_mode_mismatch: args.allow_mode_mismatch,
        confirm,
        store: global.store(),
        profile: args.profile.request()?,
    };
    let upload = args
        .upload
        .as_deref()
        .map(crate::upload::Upload::new)
        .transpose()?;
    let suite = Suite::prepare(config, request)?;
    let exports = Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref());
    exports.check()?;
    let SuiteOutcome { run, judgement } = suite.run(&mut Reporter::new(global))?;
    let rendering = Rendering {
        format: args.format,
        exports: &exports,
    };
    let outcome = render_judgement(&run, &judgement, &rendering, global)?;
    crate::upload::send(upload.as_ref(), &run, global)?;
    Ok(outcome)
}
