//! `benchgate run -- CMD [-- CMD2 …]`: benchmark commands, print the table and, with several
//! commands, how each compares with the first. Without commands, `run` is the configured suite
//! (`suite.rs`); the pieces both share live here.

use std::io::IsTerminal;

use anyhow::{Context, bail};
use benchgate_config::{Measurement, RunnerDefaults};
use benchgate_gate::compare_within_run;
use benchgate_measure::{
    AuxCommands, CommandResult, CommandSpec, CommandTemplate, InstructionOptions, MeasureError,
    Parameter, RunnerOptions, expand, preflight,
};
use benchgate_model::display::plural;
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Outcome, Run, Source, Status,
    Thresholds, Unit,
};
use benchgate_report::escape::terminal::line;
use benchgate_report::{Format, Json, Markdown};
use time::OffsetDateTime;

use super::gate::Exports;
use super::{Conclusion, formatter};
use crate::cli::{GlobalArgs, MeasureArg, ModeArg, RunArgs};
use crate::convert;
use crate::output::{print, write_file};
use crate::progress::Progress;

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    if args.commands.is_empty() {
        return super::suite::execute(args, global);
    }
    if let Some(filter) = &args.filter {
        bail!(
            "{filter:?}: a FILTER selects configured benchmarks; it cannot be combined with commands after `--`"
        );
    }
    benchgate_measure::install_interrupt_handlers()?;
    let templates = templates(args)?;
    let aux = aux_commands(args, templates.len())?;
    let params = parameters(args)?;
    let specs = expand(&templates, &aux, &params, args.shell.as_deref())?;
    preflight(&specs)?;
    let mut options = RunnerOptions::default();
    sampling_flags(args).apply(&mut options);
    io_flags(args, &mut options)?;
    options.validate()?;
    let compare = args
        .judge
        .options(Thresholds::default(), vec![Measure::WallTime], false)?;
    check_exports(args)?;

    let (time, instructions) = measurements(&sampling_flags(args));
    let mut run = new_run(
        mode_of(args.mode),
        benchgate_provenance::detect_environment(),
    )?;
    let results = if time {
        measure(&specs, &options, global)?
    } else {
        specs.iter().map(unmeasured).collect()
    };
    run.benchmarks = results.iter().map(convert::benchmark).collect();
    if instructions {
        let refs: Vec<&CommandSpec> = specs.iter().collect();
        count_instructions(&mut run.benchmarks, &refs, &options, global)?;
    }
    run.ended_at = OffsetDateTime::now_utc();
    run.validate()?;

    let comparisons = if run.benchmarks.len() > 1 {
        compare_within_run(
            &run,
            &[Measure::WallTime, Measure::MaxRss, Measure::Instructions],
            &compare,
        )
    } else {
        Vec::new()
    };
    // The report first, then the files: a file that cannot be written never hides the results.
    print(&formatter(args.format, global).run(&run, &comparisons))?;
    let mut exports = Exports::default();
    if let Some(path) = &args.export_json {
        exports.asked(write_file(path, &Json.run(&run, &comparisons)));
    }
    if let Some(path) = &args.export_markdown {
        exports.asked(write_file(path, &Markdown.run(&run, &comparisons)));
    }
    let failed = run
        .benchmarks
        .iter()
        .any(|b| matches!(b.status, Status::Failed { .. }));
    exports.conclude(if failed {
        Outcome::CommandFailed
    } else {
        Outcome::Passed
    })
}

/// A spec that is not timed (only its instructions are counted): no samples, no failure.
pub(super) fn unmeasured(spec: &CommandSpec) -> CommandResult {
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
pub(super) fn note_leftovers(results: &[&CommandResult]) {
    for r in results.iter().filter(|r| r.leftover_processes > 0) {
        let n = r.leftover_processes;
        eprintln!(
            "note: {}",
            line(&format!(
                "killed {n} leftover process{} of `{}`",
                if n == 1 { "" } else { "es" },
                r.spec.display
            ))
        );
    }
}

/// The sampling flags that were given, to layer over the runner's (or a config's) defaults.
pub(super) fn sampling_flags(args: &RunArgs) -> RunnerDefaults {
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
pub(super) fn count_instructions(
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
            eprintln!(
                "counting the instructions of {} under valgrind",
                line(&spec.name)
            );
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
pub(super) fn measurements(flags: &RunnerDefaults) -> (bool, bool) {
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
pub(super) fn check_input(what: &str, path: &std::path::Path) -> anyhow::Result<()> {
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
pub(super) fn io_flags(args: &RunArgs, options: &mut RunnerOptions) -> anyhow::Result<()> {
    if let Some(input) = &args.input {
        check_input("--input", input)?;
        options.stdin = Some(input.clone());
    }
    options.ignore_failure = args.ignore_failure;
    options.show_output = args.show_output;
    Ok(())
}

/// Refuses an export that cannot be written before spending minutes measuring.
pub(super) fn check_exports(args: &RunArgs) -> anyhow::Result<()> {
    for path in args.export_json.iter().chain(&args.export_markdown) {
        check_writable_parent(path)?;
    }
    Ok(())
}

pub(super) fn mode_of(mode: ModeArg) -> Mode {
    match mode {
        ModeArg::Real => Mode::Real,
        ModeArg::Simulated => Mode::Simulated,
    }
}

/// A new command-sourced run with the working directory's git provenance.
pub(super) fn new_run(mode: Mode, environment: Environment) -> anyhow::Result<Run> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(Run::new(
        Source::Command,
        OffsetDateTime::now_utc(),
        benchgate_provenance::git_provenance(&cwd, mode),
        environment,
    ))
}

/// Runs `specs` with a progress display.
pub(super) fn measure(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    global: &GlobalArgs,
) -> anyhow::Result<Vec<CommandResult>> {
    let names = specs.iter().map(|s| s.name.clone()).collect();
    let mut progress = Progress::new(names, global.quiet, std::io::stderr().is_terminal());
    let results = benchgate_measure::run(specs, options, &mut progress);
    progress.finish();
    let results = results?;
    note_leftovers(&results.iter().collect::<Vec<_>>());
    Ok(results)
}

pub(super) fn check_writable_parent(path: &std::path::Path) -> anyhow::Result<()> {
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

/// Splits the trailing arguments at each `--` into one template per command.
fn templates(args: &RunArgs) -> anyhow::Result<Vec<CommandTemplate>> {
    let groups: Vec<Vec<String>> = args
        .commands
        .split(|token| token == "--")
        .map(<[String]>::to_vec)
        .collect();
    if groups.iter().all(Vec::is_empty) {
        bail!("no command to benchmark: give one after `--`, e.g. benchgate run -- 'sleep 0.1'");
    }
    if let Some(i) = groups.iter().position(Vec::is_empty) {
        bail!("command {} is empty (two `--` in a row?)", i + 1);
    }
    if args.name.len() > groups.len() {
        bail!(
            "{} --name given for {}",
            args.name.len(),
            plural(groups.len(), "command")
        );
    }
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(i, tokens)| CommandTemplate {
            name: args.name.get(i).cloned(),
            tokens,
        })
        .collect())
}

/// `--prepare` etc. once for all commands or once per command.
fn aux_commands(args: &RunArgs, commands: usize) -> anyhow::Result<Vec<AuxCommands>> {
    let options = [
        ("--prepare", &args.prepare),
        ("--conclude", &args.conclude),
        ("--setup", &args.setup),
        ("--cleanup", &args.cleanup),
    ];
    for (flag, values) in options {
        if values.len() > 1 && values.len() != commands {
            bail!(
                "{flag} was given {} times for {}: give it once or once per command",
                values.len(),
                plural(commands, "command")
            );
        }
    }
    let pick = |values: &Vec<String>, i: usize| -> Option<String> {
        match values.len() {
            0 => None,
            1 => values.first().cloned(),
            _ => values.get(i).cloned(),
        }
    };
    let per_command = options.iter().any(|(_, v)| v.len() > 1);
    let count = if per_command { commands } else { 1 };
    if options.iter().all(|(_, v)| v.is_empty()) {
        return Ok(Vec::new());
    }
    Ok((0..count)
        .map(|i| AuxCommands {
            prepare: pick(&args.prepare, i),
            conclude: pick(&args.conclude, i),
            setup: pick(&args.setup, i),
            cleanup: pick(&args.cleanup, i),
        })
        .collect())
}

fn parameters(args: &RunArgs) -> anyhow::Result<Vec<Parameter>> {
    let mut params = Vec::new();
    for scan in args.parameter_scan.chunks(3) {
        if let [name, min, max] = scan {
            params.push(Parameter::scan(
                name,
                min,
                max,
                args.parameter_step_size.as_deref(),
            )?);
        }
    }
    for list in args.parameter_list.chunks(2) {
        if let [name, values] = list {
            params.push(Parameter::list(name, values)?);
        }
    }
    Ok(params)
}
