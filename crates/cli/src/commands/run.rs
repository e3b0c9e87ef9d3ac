//! `benchgate run -- CMD [-- CMD2 …]`: benchmark commands, print the table and, with several
//! commands, how each compares with the first.

use std::io::IsTerminal;

use anyhow::{Context, bail};
use benchgate_gate::compare_within_run;
use benchgate_measure::{
    AuxCommands, CommandTemplate, Parameter, RunnerOptions, expand, preflight,
};
use benchgate_model::{Measure, Mode, Run, Source};
use benchgate_report::{Json, Markdown};
use time::OffsetDateTime;

use super::{Conclusion, formatter};
use crate::cli::{GlobalArgs, ModeArg, RunArgs};
use crate::convert;
use crate::output::{print, write_file};
use crate::progress::Progress;

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    benchgate_measure::install_interrupt_handlers()?;
    let templates = templates(args)?;
    let aux = aux_commands(args, templates.len())?;
    let params = parameters(args)?;
    let specs = expand(&templates, &aux, &params, args.shell.as_deref())?;
    preflight(&specs)?;
    let options = RunnerOptions {
        warmup: args.warmup,
        runs: args.runs,
        min_runs: args.min_runs,
        max_runs: args.max_runs,
        max_time: args.max_time.to_std(),
        precision: args.precision.fraction,
        timeout: args.timeout.map(|t| t.to_std()),
        stdin: args.input.clone(),
        ignore_failure: args.ignore_failure,
        show_output: args.show_output,
    };
    options.validate()?;
    if let Some(input) = &args.input {
        std::fs::metadata(input)
            .with_context(|| format!("cannot read --input {}", input.display()))?;
    }
    let compare = args.judge.options(vec![Measure::WallTime])?;
    // Refuse an export that cannot be written before spending minutes measuring.
    for path in args.export_json.iter().chain(&args.export_markdown) {
        check_writable_parent(path)?;
    }

    let mode = match args.mode {
        ModeArg::Real => Mode::Real,
        ModeArg::Simulated => Mode::Simulated,
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut run = Run::new(
        Source::Command,
        OffsetDateTime::now_utc(),
        benchgate_provenance::git_provenance(&cwd, mode),
        benchgate_provenance::detect_environment(),
    );

    let names = specs.iter().map(|s| s.name.clone()).collect();
    let mut progress = Progress::new(names, global.quiet, std::io::stderr().is_terminal());
    let results = benchgate_measure::run(&specs, &options, &mut progress);
    progress.finish();
    let results = results?;
    run.ended_at = OffsetDateTime::now_utc();
    run.benchmarks = results.iter().map(convert::benchmark).collect();
    run.validate()?;

    let comparisons = if run.benchmarks.len() > 1 {
        compare_within_run(&run, &[Measure::WallTime, Measure::MaxRss], &compare)
    } else {
        Vec::new()
    };
    use benchgate_report::Format;
    if let Some(path) = &args.export_json {
        write_file(path, &Json.run(&run, &comparisons))?;
    }
    if let Some(path) = &args.export_markdown {
        write_file(path, &Markdown.run(&run, &comparisons))?;
    }
    print(&formatter(args.format, global).run(&run, &comparisons))?;

    let failed = results.iter().any(|r| r.failure.is_some());
    Ok(if failed {
        Conclusion::CommandFailed
    } else {
        Conclusion::Passed
    })
}

fn check_writable_parent(path: &std::path::Path) -> anyhow::Result<()> {
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
            "{} --name given for {} command(s)",
            args.name.len(),
            groups.len()
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
                "{flag} was given {} times for {commands} command(s): give it once or once per command",
                values.len()
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
