//! One module per subcommand: arguments become the pipeline's options (`benchgate_pipeline`),
//! the pipeline measures, stores and judges, and the command renders what it returns.

pub mod ab;
pub mod baseline;
pub mod comment;
pub mod compare;
pub mod completions;
pub mod doctor;
pub mod exec;
pub mod export;
pub mod r#gen; // `gen` is a reserved word in edition 2024
pub mod history;
pub mod import;
pub mod ingest;
pub mod init;
pub mod load;
pub mod man;
mod measuring;
pub mod mock_backend;
mod projection;
pub mod report;
pub mod run;
pub mod runs;
pub mod serve;
pub mod suite;
pub mod token;

use benchgate_gate::CompareOptions;
use benchgate_model::{Measure, Thresholds};
use benchgate_pipeline::judging::ThresholdFlags;
use benchgate_pipeline::store::StoreLocation;

use crate::cli::{Adapter, GlobalArgs, JudgeArgs};

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

impl GlobalArgs {
    /// The history store `--db` / `BENCHGATE_DB` names.
    pub fn store(&self) -> StoreLocation {
        StoreLocation::new(self.db.clone())
    }
}

impl Adapter {
    /// The format to read inputs as; `None` recognises each by its content.
    pub fn format(self) -> Option<benchgate_adapters::Format> {
        match self {
            Adapter::Auto => None,
            Adapter::Format(format) => Some(format),
        }
    }
}
