//! The measuring flags as pipeline options, shared by `run` (commands and the configured suite),
//! `ab`, `doctor`, `ingest` and `exec`: the sampling and I/O flags as runner options, and the
//! pipeline's measuring with this terminal's progress display. Measuring itself is the
//! pipeline's (`benchgate_pipeline::measure`).

use anyhow::bail;
use benchgate_config::{Measurement, RunnerDefaults};
use benchgate_measure::{CommandResult, CommandSpec, RunnerOptions};
use benchgate_model::{Benchmark, Mode};
use benchgate_pipeline::measure::{check_input, leftover_note};
use benchgate_pipeline::plan::SuiteOptions;
use benchgate_report::escape::terminal::line;

use crate::cli::{GlobalArgs, MeasureArg, ModeArg, RunArgs};
use crate::progress::Reporter;

/// A note for each command whose runs left processes running (killed by the runner).
pub fn note_leftovers(results: &[&CommandResult]) {
    for note in results.iter().filter_map(|r| leftover_note(r)) {
        eprintln!("note: {}", line(&note));
    }
}

/// The sampling flags that were given, to layer over the runner's (or a config's) defaults.
pub fn sampling_flags(args: &RunArgs) -> RunnerDefaults {
    RunnerDefaults {
        warmup: args.warmup,
        runs: args.runs,
        min_runs: args.min_runs,
        max_runs: args.max_runs,
        max_time: args.max_time.map(|d| d.to_std()),
        precision: args.precision.map(|p| p.fraction),
        timeout: args.timeout.map(|t| t.to_std()),
        shell: args.shell.clone(),
        measure: (!args.measure.is_empty()).then(|| {
            args.measure
                .iter()
                .map(|m| match m {
                    MeasureArg::Time => Measurement::Time,
                    MeasureArg::Instructions => Measurement::Instructions,
                })
                .collect()
        }),
    }
}

/// What the flags of `run` add to every bench of the configured suite.
pub fn suite_options(args: &RunArgs) -> SuiteOptions {
    SuiteOptions {
        filter: args.filter.clone(),
        shell: args.shell.clone(),
        sampling: sampling_flags(args),
        input: args.input.clone(),
        ignore_failure: args.ignore_failure,
        show_output: args.show_output,
    }
}

/// Adds the exact instruction count of each spec to its benchmark (see
/// [`benchgate_pipeline::measure::count_instructions`]), saying so unless `--quiet`.
pub fn count_instructions(
    benchmarks: &mut [Benchmark],
    specs: &[&CommandSpec],
    options: &RunnerOptions,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    let mut progress = Reporter::new(global);
    Ok(benchgate_pipeline::measure::count_instructions(
        benchmarks,
        specs,
        options,
        &mut progress,
    )?)
}

/// Standard input, failure handling and output flags.
pub fn io_flags(args: &RunArgs, options: &mut RunnerOptions) -> anyhow::Result<()> {
    if let Some(input) = &args.input {
        check_input("--input", input)?;
        options.stdin = Some(input.clone());
    }
    options.ignore_failure = args.ignore_failure;
    options.show_output = args.show_output;
    Ok(())
}

/// Refuses an export that cannot be written before spending minutes measuring.
pub fn check_exports(args: &RunArgs) -> anyhow::Result<()> {
    for path in args.export_json.iter().chain(&args.export_markdown) {
        check_writable_parent(path)?;
    }
    Ok(())
}

pub fn mode_of(mode: ModeArg) -> Mode {
    match mode {
        ModeArg::Real => Mode::Real,
        ModeArg::Simulated => Mode::Simulated,
    }
}

/// Runs `specs` with a progress display.
pub fn measure(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    global: &GlobalArgs,
) -> anyhow::Result<Vec<CommandResult>> {
    let mut progress = Reporter::new(global);
    Ok(benchgate_pipeline::measure::measure(
        specs,
        options,
        &mut progress,
    )?)
}

pub fn check_writable_parent(path: &std::path::Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}
