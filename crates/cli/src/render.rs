//! What the pipeline returns, rendered: the renderer for standard output, and a judgement's
//! notes, report in the chosen format, exports and CI step summary, with the exit outcome
//! concluded from them. The judging itself is the pipeline's (`benchgate_pipeline`).

use benchgate_model::{Comparison, Outcome, Run};
use benchgate_pipeline::judge::Judgement;
use benchgate_report::escape::terminal::lines;
use benchgate_report::{Csv, Format, Html, Json, Junit, Markdown, Terminal};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exports::{Exported, Exports};
use crate::output::print;

/// How a judged run is reported: the format of standard output and the files asked for.
pub struct Rendering<'a> {
    pub format: OutputFormat,
    pub exports: &'a Exports,
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
        crate::output::eprint_line(&format!("note: {}", lines(note)));
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
    let judged = Exported::Judged { run, comparison };
    rendering.exports.write(&judged, judgement.outcome)
}

/// Prints a comparison in the chosen format, then writes it where it was asked for
/// (`exports`, the CI step summary), and concludes from its one outcome (see [`Exports::write`]
/// for write failures).
pub fn write_comparison(
    comparison: &Comparison,
    exports: &Exports,
    format: OutputFormat,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    print(&formatter(format, global).comparison(comparison))?;
    exports.write(&Exported::Comparison(comparison), comparison.outcome)
}

/// The renderer for standard output.
pub fn formatter(format: OutputFormat, global: &GlobalArgs) -> Box<dyn Format> {
    let format = if global.json {
        OutputFormat::Json
    } else {
        format
    };
    match format {
        OutputFormat::Terminal => Box::new(Terminal {
            color: use_color(global),
        }),
        OutputFormat::Markdown => Box::new(Markdown),
        OutputFormat::Json => Box::new(Json),
        OutputFormat::Junit => Box::new(Junit),
        OutputFormat::Html => Box::new(Html),
        OutputFormat::Csv => Box::new(Csv),
    }
}

fn use_color(global: &GlobalArgs) -> bool {
    !global.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && crate::output::console().stdout_is_terminal()
}
