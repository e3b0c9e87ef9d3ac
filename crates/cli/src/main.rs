//! The `benchgate` binary: parses the command line and wires the crates together. Each
//! subcommand is a thin use-case in `commands/`; everything else lives in the library crates.

mod cli;
mod commands;
mod convert;
mod limits;
mod output;
mod progress;
mod quantity;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, RunsCommand};
use crate::commands::Conclusion;

fn main() -> ExitCode {
    // benchgate-measure's spawner: forked first, while benchgate is one thread and small, it
    // starts every benchmarked process so their max RSS does not include benchgate's own. (In
    // the spawner itself, this same program executed afresh, the call serves and never returns.)
    if let Err(error) = benchgate_measure::start_spawner() {
        eprintln!("warning: {error}; benchmarked processes are started by benchgate itself");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let result = match &cli.command {
        Command::Run(args) => commands::run::execute(args, &cli.global),
        Command::Ingest(args) => commands::ingest::execute(args, &cli.global),
        Command::Exec(args) => commands::exec::execute(args, &cli.global),
        Command::Ab(args) => commands::ab::execute(args, &cli.global),
        Command::Doctor(args) => commands::doctor::execute(args, &cli.global),
        Command::History(args) => commands::series::execute(args, &cli.global),
        Command::Compare(args) => commands::compare::execute(args, &cli.global),
        Command::Runs(RunsCommand::List { limit }) => commands::history::list(*limit, &cli.global),
        Command::Export(args) => commands::history::export(args, &cli.global),
        Command::Import(args) => commands::history::import(args, &cli.global),
        Command::Baseline(command) => commands::baseline::execute(command, &cli.global),
        Command::Report(args) => commands::report::execute(args, &cli.global),
        Command::Completions { shell } => commands::docs::completions(*shell),
        Command::Man => commands::docs::man(),
    };
    match result {
        Ok(Conclusion::Passed) => ExitCode::SUCCESS,
        Ok(Conclusion::GateFailed) => ExitCode::from(1),
        Ok(Conclusion::CommandFailed) => ExitCode::from(3),
        Ok(Conclusion::Inconclusive) => ExitCode::from(4),
        Err(error) => {
            // One line: the context chain joined by ": ", no backtrace.
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
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
    eprintln!("error: {first} (see --help)");
    ExitCode::from(2)
}
