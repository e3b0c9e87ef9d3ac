//! `benchgate ingest FILE…`: read what other harnesses wrote (the pipeline's `sources`), make one
//! run of it, store it and gate it the way `run` gates the configured suite.

use benchgate_model::{Outcome, Run};
use benchgate_pipeline::ingest::{FileRunGate, GateOptions};
use benchgate_pipeline::judging::load_config;
use benchgate_pipeline::sources::{Git, build_run, combine, read_input};
use time::OffsetDateTime;

use super::measuring::mode_of;
use super::parse_measures;
use crate::cli::{GateArgs, GlobalArgs, IngestArgs};
use crate::exports::Exports;
use crate::render::{Rendering, render_judgement};
use crate::upload::Upload;

pub fn execute(args: &IngestArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let (gate, upload) = load_gate(&args.gate)?;
    // Every input is read and checked before anything is stored.
    let inputs = args
        .files
        .iter()
        .map(|f| read_input(f, args.adapter.format()))
        .collect::<Result<Vec<_>, _>>()?;
    let (format, parsed) = combine(inputs)?;
    let now = OffsetDateTime::now_utc();
    let run = build_run(
        format,
        parsed,
        mode_of(args.gate.mode),
        (now, now),
        Git::FromDirectory,
    )?;
    judge_and_render(gate, upload, &run, &args.gate, Vec::new(), global)
}

/// The judging settings of `ingest` and `exec`, read and checked (the export paths and the
/// upload's URL and token too) before anything runs or is read.
pub fn load_gate(args: &GateArgs) -> anyhow::Result<(FileRunGate, Option<Upload>)> {
    let config = load_config(args.config.as_deref())?;
    let gate = FileRunGate::new(
        config,
        GateOptions {
            baseline: args.baseline.clone(),
            flags: args.judge.flags(args.deny_warnings),
            measures: parse_measures(&args.measure)?,
            allow_mode_mismatch: args.allow_mode_mismatch,
        },
    )?;
    exports(args).check()?;
    let upload = args.upload.as_deref().map(Upload::new).transpose()?;
    Ok((gate, upload))
}

/// Stores and judges `run` (see [`FileRunGate::store_and_judge`]), reports it, then uploads it
/// when asked. `command_failures`: the harness that produced it failed (the outcome is then
/// `command_failed`).
pub fn judge_and_render(
    gate: FileRunGate,
    upload: Option<Upload>,
    run: &Run,
    args: &GateArgs,
    command_failures: Vec<String>,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    let judgement = gate.store_and_judge(run, &global.store(), command_failures)?;
    let rendering = Rendering {
        format: args.format,
        exports: &exports(args),
    };
    let outcome = render_judgement(run, &judgement, &rendering, global)?;
    crate::upload::send(upload.as_ref(), run, global)?;
    Ok(outcome)
}

/// The export files of `ingest` and `exec`.
fn exports(args: &GateArgs) -> Exports {
    Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref())
}
