//! The benchgate command line: parses the arguments and wires the crates together. Each
//! subcommand is a thin use-case in `commands/`; everything else lives in the library crates.
//! [`run`] is the whole program but for the process: the binary (`main.rs`) calls it with its
//! arguments and standard streams, the tests call it in-process with their own.

// Everything printed goes through the caller's console (`output`), not the process's streams.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod curl;
mod exports;
mod output;
mod progress;
mod quantity;
mod render;
mod upload;

use std::ffi::OsString;

use benchgate_pipeline::PipelineError;
use benchgate_report::escape::terminal::line;
use benchgate_store::StoreError;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, RunsCommand};
pub use crate::output::Console;

/// Runs benchgate with the command line `args` (the program's name first), printing to
/// `console`, and returns the exit status (0 passed, 1 failed the gate, 2 usage or input error,
/// 3 a benchmarked command failed, 4 inconclusive). It never exits the process: a closed
/// standard output ends the command quietly with status 0.
///
/// The current directory and the environment (`BENCHGATE_*`, `NO_COLOR`,
/// `GITHUB_STEP_SUMMARY`, what the benchmarked commands inherit) are the process's, so two
/// calls must not run at once with different ones. What benchgate prints goes to `console`;
/// the commands it starts keep the process's own streams (`--show-output`, `exec`'s standard
/// input), and its max RSS figures are only clean in the binary, whose spawner starts them.
pub fn run<I, T>(args: I, console: &Console) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let status = output::with_console(console, || execute(args));
    if console.stdout_closed() { 0 } else { status }
}

/// The command line's clap definition: what completions and the man pages are made from, and
/// what tests check documented command lines against.
pub fn command() -> clap::Command {
    Cli::command()
}

fn execute<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    if let Some(format) = json_and_another_format(&matches) {
        output::eprint_line(&format!(
            "error: --json and --format {format} ask for two output formats; give one (see --help)"
        ));
        return 2;
    }
    let result = match &cli.command {
        Command::Run(args) => commands::run::execute(args, &cli.global),
        Command::Ingest(args) => commands::ingest::execute(args, &cli.global),
        Command::Exec(args) => commands::exec::execute(args, &cli.global),
        Command::Ab(args) => commands::ab::execute(args, &cli.global),
        Command::Load(args) => commands::load::execute(args, &cli.global),
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
        Command::MockBackend(args) => commands::mock_backend::execute(args, &cli.global),
        Command::Serve(args) => commands::serve::execute(args, &cli.global),
        Command::Token(command) => commands::token::execute(command, &cli.global),
        Command::Completions { shell } => commands::completions::execute(*shell),
        Command::Man { dir } => commands::man::execute(dir.as_deref(), &cli.global),
        Command::Init(args) => commands::init::execute(args),
        Command::Comment(args) => commands::comment::execute(args),
        Command::Gen(command) => commands::r#gen::execute(command, &cli.global),
    };
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            output::eprint_line(&format!("error: {}", line(&one_line(&error))));
            2
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
fn usage_error(error: &clap::Error) -> u8 {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        // A closed pipe while printing help is not worth a complaint.
        let _ = output::print(&error.render().to_string());
        return 0;
    }
    let rendered = error.render().to_string();
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // Best effort, like every line on standard error.
        let _ = output::console().write_stderr(rendered.as_bytes());
        return 2;
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
    output::eprint_line(&format!("error: {} (see --help)", line(&first)));
    2
}
