//! `benchgate man [DIR]`: manual pages generated from the clap definitions, so they never drift
//! from the real command line.

use std::path::Path;

use anyhow::Context;
use benchgate_model::Outcome;
use clap::CommandFactory;

use crate::cli::{Cli, GlobalArgs};
use crate::output::{print, write_file};

pub fn execute(dir: Option<&Path>, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let Some(dir) = dir else {
        print(&render(Cli::command())?)?;
        return Ok(Outcome::Passed);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut command = Cli::command().disable_help_subcommand(true);
    // Built, subcommands have their display names (benchgate-run), which name their pages.
    command.build();
    let mut pages = Vec::new();
    collect(command, &mut pages);
    let mut written = String::new();
    for page in pages {
        let name = format!(
            "{}.1",
            page.get_display_name().unwrap_or_else(|| page.get_name())
        );
        let path = dir.join(&name);
        write_file(&path, &render(page)?)?;
        written.push_str(&format!("{}\n", path.display()));
    }
    if !global.quiet {
        print(&written)?;
    }
    Ok(Outcome::Passed)
}

/// The command and every visible subcommand, depth first.
fn collect(command: clap::Command, pages: &mut Vec<clap::Command>) {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub.clone(), pages);
    }
    pages.push(command);
}

fn render(command: clap::Command) -> anyhow::Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
