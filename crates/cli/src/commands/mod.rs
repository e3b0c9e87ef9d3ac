//! One module per subcommand: thin use-cases that wire sources, the gate and outputs together.

pub mod ab;
pub mod baseline;
pub mod compare;
pub mod completions;
pub mod doctor;
pub mod exec;
pub mod export;
mod gate;
pub mod history;
pub mod import;
pub mod ingest;
pub mod man;
mod measuring;
mod paired;
pub mod report;
pub mod run;
pub mod runs;
mod stored;
pub mod suite;

use benchgate_gate::CompareOptions;
use benchgate_model::display::format_percent;
use benchgate_model::{Measure, Thresholds};
use benchgate_report::{Format, Json, Junit, Markdown, Terminal};

use crate::cli::{GlobalArgs, JudgeArgs, OutputFormat};

/// The measures named on the command line (`--measure`): a misspelling of a well-known measure
/// is an error, never a gate on nothing.
pub fn parse_measures(names: &[String]) -> anyhow::Result<Vec<Measure>> {
    names
        .iter()
        .map(|name| {
            let name = name.trim();
            match Measure::closest_known(name) {
                Some(known) => {
                    anyhow::bail!("--measure {name:?}: unknown measure (did you mean {known:?}?)")
                }
                None if name.is_empty() => anyhow::bail!("--measure: empty measure name"),
                None => Ok(Measure::parse(name)),
            }
        })
        .collect()
}

impl JudgeArgs {
    /// The judging options: `base` (defaults, or a config's `[gate]`) with these flags on top;
    /// `deny_warnings` makes every warning a failure.
    pub fn options(
        &self,
        base: Thresholds,
        gated: Vec<Measure>,
        deny_warnings: bool,
    ) -> anyhow::Result<CompareOptions> {
        let thresholds = Thresholds {
            warn: self.warn.map_or(base.warn, |p| p.fraction),
            fail: self.fail.map_or(base.fail, |p| p.fraction),
            alpha: self.alpha.unwrap_or(base.alpha),
            min_delta_ns: self.min_delta.map_or(base.min_delta_ns, |d| d.nanos),
            ..base
        };
        if !(thresholds.alpha > 0.0 && thresholds.alpha < 1.0) {
            anyhow::bail!(
                "--alpha must be between 0 and 1 (exclusive), got {}",
                thresholds.alpha
            );
        }
        if thresholds.warn > thresholds.fail {
            anyhow::bail!(
                "--warn ({}) is larger than --fail ({})",
                format_percent(thresholds.warn * 100.0),
                format_percent(thresholds.fail * 100.0)
            );
        }
        Ok(CompareOptions {
            thresholds,
            gated_measures: gated,
            deny_warnings,
            ..CompareOptions::default()
        })
    }
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
    }
}

fn use_color(global: &GlobalArgs) -> bool {
    use std::io::IsTerminal;
    !global.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}
