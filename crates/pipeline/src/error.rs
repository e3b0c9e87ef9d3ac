//! What can stop the pipeline. The lower crates' errors pass through unchanged (their messages
//! already say what went wrong); the pipeline's own steps say which step, with the cause as the
//! source, so no message repeats in a chain.

use std::path::PathBuf;

use benchgate_config::ConfigError;
use benchgate_gate::UnknownMeasure;
use benchgate_measure::MeasureError;
use benchgate_model::ModelError;
use benchgate_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Measure(#[from] MeasureError),
    #[error(transparent)]
    InvalidRun(#[from] ModelError),
    #[error(transparent)]
    UnknownMeasure(#[from] UnknownMeasure),
    #[error(transparent)]
    Confirm(#[from] crate::confirm::ConfirmError),

    /// The judging flags on top of the configured thresholds.
    #[error("--alpha must be between 0 and 1 (exclusive), got {alpha}")]
    AlphaOutOfRange { alpha: f64 },
    #[error("--warn ({warn}) is larger than --fail ({fail})")]
    WarnAboveFail { warn: String, fail: String },

    /// A configured suite gates a measure commands cannot report.
    #[error(
        "{}: [gate] measures: unknown measure {measure:?}: commands report wall_time, user_time, \
         sys_time, max_rss and instructions",
        path.display()
    )]
    UnknownCommandMeasure { path: PathBuf, measure: String },
    #[error("{}: no [[bench]] matches {filter:?}", path.display())]
    NoBenchMatches { path: PathBuf, filter: String },
    #[error("{}: no [[bench]] to run", path.display())]
    NoBench { path: PathBuf },
    /// Something wrong with one configured bench.
    #[error("[[bench]] {bench}")]
    Bench {
        bench: String,
        #[source]
        source: Box<PipelineError>,
    },
    #[error("{what} {}: is a directory; expected a file to feed to standard input", path.display())]
    InputIsDirectory { what: String, path: PathBuf },
    #[error("cannot read {what} {}", path.display())]
    UnreadableInput {
        what: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the current directory")]
    CurrentDirectory(#[source] std::io::Error),

    /// Finding the baseline.
    #[error("baseline {selector}")]
    Baseline {
        selector: String,
        #[source]
        source: StoreError,
    },
    #[error("baseline {selector}: the store holds no runs yet")]
    NoStoredRuns { selector: String },
    #[error("baseline {selector}: {why}")]
    MergeBase { selector: String, why: String },
    #[error("{text}: window:N names several runs; use it as a baseline, not as a run")]
    WindowIsNotOneRun { text: String },
    #[error("{text}: no stored run")]
    NoSuchRun { text: String },
    #[error("{text}: the store holds no runs yet")]
    EmptyStore { text: String },
    #[error("cannot read the stored runs")]
    StoredRuns(#[source] StoreError),
    #[error(
        "baseline {label}: {benchmark} is {there} there but {here} here: they measure different \
         things; pass --allow-mode-mismatch to compare them anyway"
    )]
    ModeMismatch {
        label: String,
        benchmark: String,
        there: &'static str,
        here: &'static str,
    },

    /// Storing and judging.
    #[error("cannot store the run")]
    StoreRun(#[source] StoreError),
    #[error("cannot read the noise floors")]
    NoiseFloors(#[source] StoreError),
}

impl PipelineError {
    /// `error` as the cause of a problem with the configured bench `bench`.
    pub fn in_bench(bench: &str, error: impl Into<PipelineError>) -> PipelineError {
        PipelineError::Bench {
            bench: bench.to_string(),
            source: Box::new(error.into()),
        }
    }
}
