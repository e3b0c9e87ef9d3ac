//! `benchgate completions SHELL`: generated from the clap definitions, so they never drift from
//! the real command line.

use clap::CommandFactory;

use super::Conclusion;
use crate::cli::Cli;
use crate::output::print;

pub fn execute(shell: clap_complete::Shell) -> anyhow::Result<Conclusion> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "benchgate", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(Conclusion::Passed)
}
