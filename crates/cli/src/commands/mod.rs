//! One module per subcommand: arguments become the pipeline's options (`benchgate_pipeline`),
//! the pipeline measures, stores and judges, and the command renders what it returns.

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
pub mod report;
pub mod run;
pub mod runs;
mod stored;
pub mod suite;

use benchgate_gate::CompareOptions;
use benchgate_model::{Measure, Thresholds};
use benchgate_pipeline::PipelineError;
use benchgate_pipeline::judging::ThresholdFlags;
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
    /// The thresholds these flags give, and whether warnings fail (`deny_warnings`).
    pub fn flags(&self, deny_warnings: bool) -> ThresholdFlags {
        ThresholdFlags {
            warn: self.warn.map(|p| p.fraction),
            fail: self.fail.map(|p| p.fraction),
            alpha: self.alpha,
            min_delta_ns: self.min_delta.map(|d| d.nanos),
            deny_warnings,
        }
    }

    /// The judging options: `base` (defaults, or a config's `[gate]`) with these flags on top;
    /// `deny_warnings` makes every warning a failure.
    pub fn options(
        &self,
        base: Thresholds,
        gated: Vec<Measure>,
        deny_warnings: bool,
    ) -> anyhow::Result<CompareOptions> {
        Ok(self.flags(deny_warnings).options(base, gated)?)
    }
}

/// A pipeline error for the command line's error chain: a store error the pipeline passed on
/// unchanged stays one, so `main` still recognises an unreadable stored run and says how to
/// delete it.
pub fn from_pipeline(error: PipelineError) -> anyhow::Error {
    match error {
        PipelineError::Store(error) => error.into(),
        other => other.into(),
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
    !global.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && crate::output::console().stdout_is_terminal()
}
