//! The CLI's measuring toolkit, shared by `run` (commands and the configured suite), `ab`,
//! `doctor`, `ingest` and `exec`: the sampling and I/O flags as runner options, measuring a
//! spec, counting its instructions, and the checks made before anything is measured.

use anyhow::{Context, bail};
use benchgate_config::{Measurement, RunnerDefaults};
use benchgate_measure::{
    CommandResult, CommandSpec, InstructionOptions, MeasureError, RunnerOptions,
};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Run, Source, Status, Unit,
};
use benchgate_report::escape::terminal::line;
use time::OffsetDateTime;

use crate::cli::{GlobalArgs, MeasureArg, ModeArg, RunArgs};
use crate::progress::Progress;

/// A spec that is not timed (only its instructions are counted): no samples, no failure.
pub fn unmeasured(spec: &CommandSpec) -> CommandResult {
    CommandResult {
        spec: spec.clone(),
        samples: Vec::new(),
        warmup_runs: 0,
        failure: None,
        precision: None,
        leftover_processes: 0,
    }
}

/// A note for each command whose runs left processes running (killed by the runner): `killed 2
/// leftover processes of `sh -c 'server & exit 0'``.
pub fn note_leftovers(results: &[&CommandResult]) {
    for r in results.iter().filter(|r| r.leftover_processes > 0) {
        let n = r.leftover_processes;
        crate::output::eprint_line(&format!(
            "note: {}",
            line(&format!(
                "killed {n} leftover process{} of `{}`",
                if n == 1 { "" } else { "es" },
                r.spec.display
            ))
        ));
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

/// How much longer than a plain run a run under valgrind may take before it is killed.
const VALGRIND_TIMEOUT_FACTOR: u32 = 50;

/// Adds the exact instruction count of each spec (one run under callgrind) to its benchmark. A
/// command that fails under valgrind fails its benchmark; valgrind missing is an error.
pub fn count_instructions(
    benchmarks: &mut [Benchmark],
    specs: &[&CommandSpec],
    options: &RunnerOptions,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    let counting = InstructionOptions {
        timeout: options.timeout.map(|t| t * VALGRIND_TIMEOUT_FACTOR),
        stdin: options.stdin.clone(),
        ignore_failure: options.ignore_failure,
        show_output: options.show_output,
        ..InstructionOptions::default()
    };
    for (bench, spec) in benchmarks.iter_mut().zip(specs) {
        if !global.quiet {
            crate::output::eprint_line(&format!(
                "counting the instructions of {} under valgrind",
                line(&spec.name)
            ));
        }
        match benchgate_measure::count_instructions(spec, &counting) {
            Ok(count) => {
                let metric = Metric::from_samples(
                    Measure::Instructions,
                    Unit::Count,
                    Direction::LowerIsBetter,
                    vec![count.instructions as f64],
                )
                .map(|m| m.exact(true));
                bench.metrics.extend(metric);
            }
            Err(e @ MeasureError::ValgrindNotFound { .. }) => return Err(e.into()),
            Err(e) => {
                if bench.status == Status::Ok {
                    bench.status = Status::Failed {
                        message: format!("under valgrind: {e}"),
                    };
                }
            }
        }
    }
    Ok(())
}

/// The measurements asked for (`--measure`, a bench's `measure`), time when none.
pub fn measurements(flags: &RunnerDefaults) -> (bool, bool) {
    match &flags.measure {
        None => (true, false),
        Some(m) => (
            m.contains(&Measurement::Time),
            m.contains(&Measurement::Instructions),
        ),
    }
}

/// Refuses, before anything runs, a standard-input file that every run would fail to read: a
/// directory, a missing or unreadable file.
pub fn check_input(what: &str, path: &std::path::Path) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!(
            "{what} {}: is a directory; expected a file to feed to standard input",
            path.display()
        );
    }
    std::fs::File::open(path)
        .map(drop)
        .with_context(|| format!("cannot read {what} {}", path.display()))
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

/// A new command-sourced run with the working directory's git provenance.
pub fn new_run(mode: Mode, environment: Environment) -> anyhow::Result<Run> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(Run::new(
        Source::Command,
        OffsetDateTime::now_utc(),
        benchgate_provenance::git_provenance(&cwd, mode),
        environment,
    ))
}

/// Runs `specs` with a progress display.
pub fn measure(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    global: &GlobalArgs,
) -> anyhow::Result<Vec<CommandResult>> {
    let names = specs.iter().map(|s| s.name.clone()).collect();
    let mut progress = Progress::new(
        names,
        global.quiet,
        crate::output::console().stderr_is_terminal(),
    );
    let results = benchgate_measure::run(specs, options, &mut progress);
    progress.finish();
    let results = results?;
    note_leftovers(&results.iter().collect::<Vec<_>>());
    Ok(results)
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
