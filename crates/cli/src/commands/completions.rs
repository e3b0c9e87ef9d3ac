//! `benchgate completions SHELL`: generated from the clap definitions, so they never drift from
//! the real command line.

use benchgate_model::Outcome;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::print;

pub fn execute(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "benchgate", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Passed)
}
