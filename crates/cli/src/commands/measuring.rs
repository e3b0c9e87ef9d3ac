//! The measuring flags as pipeline options, shared by `run` (commands and the configured suite),
//! `ab`, `doctor`, `ingest` and `exec`: the sampling and I/O flags as runner options, and the
//! pipeline's measuring with this terminal's progress display. Measuring itself is the
//! pipeline's (`benchgate_pipeline::measure`).

use benchgate_config::{Measurement, RunnerSettings};
use benchgate_measure::{CommandResult, CommandSpec, RunnerOptions};
use benchgate_model::{Benchmark, Mode};
use benchgate_pipeline::measure::leftover_note;
use benchgate_pipeline::plan::SuiteOptions;
use benchgate_pipeline::plan::check_input;
use benchgate_report::escape::terminal::line;

use crate::cli::{GlobalArgs, MeasureArg, ModeArg, RunArgs, SamplingArgs};
use crate::progress::Reporter;

/// A note for each command whose runs left processes running (killed by the runner).
pub fn note_leftovers(results: &[&CommandResult]) {
    for note in results.iter().filter_map(|r| leftover_note(r)) {
        crate::output::eprint_line(&format!("note: {}", line(&note)));
    }
}

/// The settings the shared sampling flags give (`None` where not given).
pub fn sampling_settings(flags: &SamplingArgs) -> RunnerSettings {
    RunnerSettings {
        warmup: flags.warmup,
        runs: flags.runs,
        min_runs: flags.min_runs,
        max_runs: flags.max_runs,
        max_time: flags.max_time.map(|d| d.to_std()),
        timeout: flags.timeout.map(|t| t.to_std()),
        ..RunnerSettings::default()
    }
}

/// `run`'s sampling flags that were given, to layer over the runner's (or a config's) defaults.
pub fn sampling_flags(args: &RunArgs) -> RunnerSettings {
    RunnerSettings {
        precision: args.precision.map(|p| p.fraction),
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
        ..sampling_settings(&args.sampling)
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
        watch_pid: None,
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
