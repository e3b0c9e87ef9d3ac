//! The `benchgate` binary: parses the command line and wires the crates together. Each
//! subcommand is a thin use-case in `commands/`; everything else lives in the library crates.

mod cli;
mod commands;
mod exports;
mod output;
mod progress;
mod quantity;
mod render;

use std::process::ExitCode;

use benchgate_pipeline::PipelineError;
use benchgate_report::escape::terminal::line;
use benchgate_store::StoreError;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, RunsCommand};

fn main() -> ExitCode {
    // benchgate-measure's spawner: forked first, while benchgate is one thread and small, it
    // starts every benchmarked process so their max RSS does not include benchgate's own. (In
    // the spawner itself, this same program executed afresh, the call serves and never returns.)
    if let Err(error) = benchgate_measure::start_spawner() {
        eprintln!("warning: {error}; benchmarked processes are started by benchgate itself");
    }
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    if let Some(format) = json_and_another_format(&matches) {
        eprintln!(
            "error: --json and --format {format} ask for two output formats; give one (see --help)"
        );
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Run(args) => commands::run::execute(args, &cli.global),
        Command::Ingest(args) => commands::ingest::execute(args, &cli.global),
        Command::Exec(args) => commands::exec::execute(args, &cli.global),
        Command::Ab(args) => commands::ab::execute(args, &cli.global),
        Command::Doctor(args) => commands::doctor::execute(args, &cli.global),
        Command::History(args) => commands::history::execute(args, &cli.global),
        Command::Compare(args) => commands::compare::execute(args, &cli.global),
        Command::Runs(RunsCommand::List { limit }) => {
            commands::runs::list(*limit as usize, &cli.global)
        }
        Command::Runs(RunsCommand::Delete(args)) => commands::runs::delete(args, &cli.global),
        Command::Runs(RunsCommand::Prune(args)) => commands::runs::prune(args, &cli.global),
        Command::Export(args) => commands::export::execute(args, &cli.global),
        Command::Import(args) => commands::import::execute(args, &cli.global),
        Command::Baseline(command) => commands::baseline::execute(command, &cli.global),
        Command::Report(args) => commands::report::execute(args, &cli.global),
        Command::Completions { shell } => commands::completions::execute(*shell),
        Command::Man { dir } => commands::man::execute(dir.as_deref(), &cli.global),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            eprintln!("error: {}", line(&one_line(&error)));
            ExitCode::from(2)
        }
    }
}

/// The format `--format` names when `--json` was given too and asks for another: the two
/// conflict (`--format json` with `--json` agrees).
fn json_and_another_format(matches: &ArgMatches) -> Option<String> {
    let (_, sub) = matches.subcommand()?;
    let json = sub.try_get_one::<bool>("json").ok().flatten().copied() == Some(true)
        || matches.try_get_one::<bool>("json").ok().flatten().copied() == Some(true);
    // Not every subcommand has --format: ask for its value first (no panic on an unknown id).
    let format = sub.try_get_raw("format").ok().flatten()?.next_back()?;
    if !json || sub.value_source("format") != Some(ValueSource::CommandLine) {
        return None;
    }
    let format = format.to_string_lossy();
    (format != "json").then(|| format.into_owned())
}

/// An error as one line: its context chain joined by ": ", leaving out a cause that only says
/// again what the line already says (an I/O error that its wrapper quotes; SQLite's
/// "Error code 14: unable to open database file" after "unable to open database file: PATH").
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let bare = text
            .strip_prefix("Error code ")
            .and_then(|rest| rest.split_once(": "))
            .map_or(text.as_str(), |(_, message)| message);
        if line.contains(bare) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    // A stored run that no longer reads would stop every command that reads it: say how to
    // remove it.
    let unreadable = error.chain().find_map(|cause| {
        // The pipeline passes store errors on inside its own.
        let store_error = cause.downcast_ref::<StoreError>().or_else(|| {
            cause
                .downcast_ref::<PipelineError>()
                .and_then(PipelineError::store_error)
        });
        match store_error {
            Some(StoreError::UnreadableRun { id, .. }) => Some(*id),
            _ => None,
        }
    });
    if let Some(id) = unreadable {
        line.push_str(&format!(" (`benchgate runs delete run:{id}` deletes it)"));
    }
    line
}

/// Help and version go to standard output as clap renders them; a real usage error becomes one
/// line on standard error and exit code 2.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        // A closed pipe while printing help is not worth a complaint.
        let _ = output::print(&error.render().to_string());
        return ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprint!("{rendered}");
        return ExitCode::from(2);
    }
    // The first line, and the indented lines that complete it ("the following required
    // arguments were not provided:" is followed by their names).
    let mut lines = rendered.lines().skip_while(|l| l.trim().is_empty());
    let mut first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string();
    if first.ends_with(':') {
        let more: Vec<&str> = lines
            .take_while(|l| l.starts_with(' ') && !l.trim().is_empty())
            .map(str::trim)
            .collect();
        if !more.is_empty() {
            first = format!("{} {}", first, more.join(", "));
        }
    }
    eprintln!("error: {} (see --help)", line(&first));
    ExitCode::from(2)
}
