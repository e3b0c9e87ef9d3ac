//! The gate's judgement rendered: the notes, the report in the chosen format, the exports and
//! the CI step summary, and the exit outcome concluded from them. The judging itself is the
//! pipeline's (`benchgate_pipeline`).

use std::path::Path;

use anyhow::bail;
use benchgate_model::{Comparison, Outcome, Run};
use benchgate_pipeline::judge::Judgement;
use benchgate_report::escape::terminal::{line, lines};
use benchgate_report::{Format, Json, Markdown};

use super::formatter;
use crate::cli::{GlobalArgs, OutputFormat};
use crate::output::{append_step_summary, print, write_file};

/// How a judged run is reported: the format of standard output and the files asked for.
pub struct Rendering<'a> {
    pub format: OutputFormat,
    pub export_json: Option<&'a Path>,
    pub export_markdown: Option<&'a Path>,
}

/// Prints the notes of `judgement`, then the report of `run` and its comparison, then writes the
/// exports, and concludes from the one outcome: a failed command is exit 3, a failed gate 1
/// (warnings too with `--deny-warnings`). An export that cannot be written after the run is
/// stored is reported after the report; it turns a passing gate into exit 2 only when the file
/// was asked for.
pub fn render_judgement(
    run: &Run,
    judgement: &Judgement,
    rendering: &Rendering<'_>,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    let comparison = &judgement.comparison;
    for note in &judgement.notes {
        eprintln!("note: {}", lines(note));
    }
    let format = if global.json {
        OutputFormat::Json
    } else {
        rendering.format
    };
    let report = match format {
        // On a terminal the measurements come first, then the judgement.
        OutputFormat::Terminal => {
            let terminal = formatter(format, global);
            format!(
                "{}\n{}",
                terminal.run(run, &[]),
                terminal.comparison(comparison)
            )
        }
        _ => formatter(format, global).comparison(comparison),
    };
    print(&report)?;
    let markdown = Markdown.comparison(comparison);
    let mut exports = Exports::default();
    if let Some(path) = rendering.export_json {
        exports.asked(write_file(path, &Json.run(run, &[])));
    }
    if let Some(path) = rendering.export_markdown {
        exports.asked(write_file(path, &markdown));
    }
    exports.automatic(append_step_summary(&markdown));
    exports.conclude(judgement.outcome)
}

/// Writes that follow the report: their failures are reported after it, and only the ones the
/// user asked for (`--export-*`) can change the exit code, and only of a passing gate.
#[derive(Default)]
pub struct Exports {
    asked_failed: bool,
}

impl Exports {
    /// A file the user asked for.
    pub fn asked(&mut self, result: anyhow::Result<()>) {
        if let Err(e) = result {
            eprintln!("error: {}", line(&format!("{e:#}")));
            self.asked_failed = true;
        }
    }

    /// A write benchgate does by itself (`$GITHUB_STEP_SUMMARY`): a warning.
    pub fn automatic(&mut self, result: anyhow::Result<()>) {
        if let Err(e) = result {
            eprintln!("warning: {}", line(&format!("{e:#}")));
        }
    }

    /// The conclusion: the gate's, unless it passed and an asked-for file could not be written.
    pub fn conclude(self, outcome: Outcome) -> anyhow::Result<Outcome> {
        if self.asked_failed && outcome.passed() {
            bail!("the report above passed, but an export asked for could not be written");
        }
        Ok(outcome)
    }
}

/// Prints a comparison in the chosen format, then writes it where it was asked for
/// (`--export-json`, `--export-markdown`, the CI step summary), and concludes from its one
/// outcome (see [`Exports`] for write failures).
pub fn write_comparison(
    comparison: &Comparison,
    export_json: Option<&Path>,
    export_markdown: Option<&Path>,
    format: OutputFormat,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    print(&formatter(format, global).comparison(comparison))?;
    let markdown = Markdown.comparison(comparison);
    let mut exports = Exports::default();
    if let Some(path) = export_json {
        exports.asked(write_file(path, &Json.comparison(comparison)));
    }
    if let Some(path) = export_markdown {
        exports.asked(write_file(path, &markdown));
    }
    exports.automatic(append_step_summary(&markdown));
    exports.conclude(comparison.outcome)
}
