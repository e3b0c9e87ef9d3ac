//! `benchgate completions SHELL` and `benchgate man`: generated from the clap definitions, so
//! they never drift from the real command line.

use clap::CommandFactory;

use super::Conclusion;
use crate::cli::Cli;
use crate::output::print;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Conclusion> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "benchgate", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(Conclusion::Passed)
}

pub fn man() -> anyhow::Result<Conclusion> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    print(&String::from_utf8_lossy(&page))?;
    Ok(Conclusion::Passed)
}
