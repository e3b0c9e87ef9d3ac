//! What can stop the pipeline. The lower crates' errors pass through unchanged (their messages
//! already say what went wrong); the pipeline's own steps say which step, with the cause as the
//! source, so no message repeats in a chain.

use std::path::PathBuf;

use benchgate_adapters::{Format, MergeError, ParseError};
use benchgate_config::ConfigError;
use benchgate_gate::UnknownMeasure;
use benchgate_measure::MeasureError;
use benchgate_model::ModelError;
use benchgate_store::StoreError;

use crate::input_limit::ReadError;

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
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    HttpTarget(#[from] benchgate_load::http::HttpTargetError),

    /// Projections (`--filter`, `--row`, `--col`, `--table`, `--ignore`).
    #[error(transparent)]
    Projection(#[from] benchgate_gate::projection::ProjectionError),
    #[error("nothing to compare: {0}")]
    NothingToCompare(String),

    /// Profiles (`--profile`).
    #[error("--profile: {0}")]
    Profile(String),
    #[error(transparent)]
    ProfileDir(#[from] benchgate_profile::ProfileError),
    #[error("cannot write {}", path.display())]
    ProfileManifest {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a manifest of profiles: {why}", path.display())]
    ProfileManifestUnreadable { path: PathBuf, why: String },

    /// Reaching the history store.
    #[error("cannot open the history store")]
    OpenStore(#[source] StoreError),
    #[error(
        "cannot open the history store: {}: {why}; nothing was measured",
        path.display()
    )]
    StoreNotWritable { path: PathBuf, why: Unwritable },
    #[error("{url}: no runs stored here yet (`benchgate run` or `benchgate import` stores some)")]
    NoRunsStored { url: String },

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
    #[error("{}: no [[bench]] to compare", path.display())]
    NoBenches { path: PathBuf },
    #[error("[[bench]] {bench}")]
    BenchSpecs {
        bench: String,
        #[source]
        source: Box<MeasureError>,
    },
    #[error("{}: no [[bench]] to run", path.display())]
    NoBench { path: PathBuf },
    #[error("a load bench (`concurrency` or `rate`) cannot have {what}")]
    NotUnderLoad { what: String },
    #[error(
        "`watch` samples a server while load drives it: give the bench `concurrency` or `rate` (a command run one at a time has its own memory sampled with `memory`)"
    )]
    WatchWithoutLoad,
    /// An HTTP bench or `benchgate load` without a URL.
    #[error("no URL to send requests to: give `url` or `urls_file`")]
    NoUrl,
    #[error("an HTTP bench is load: give it `concurrency` (closed model) or `rate` (open model)")]
    HttpNeedsLoad,
    #[error("{}: {message}", path.display())]
    UrlList { path: PathBuf, message: String },
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
    #[error("cannot read the history of {benchmark}")]
    ReadHistory {
        benchmark: String,
        #[source]
        source: StoreError,
    },
}

/// Why results could not be read into a run. Each names the input it is about.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading a file (or a directory) failed, or it is larger than the input limit.
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{label}: the file is empty; expected benchmark results (see `benchgate ingest --help`)"
    )]
    Empty { label: String },
    #[error(
        "{label}: cannot tell which harness wrote this; benchgate reads go test -bench text or \
         -json, hyperfine, Google Benchmark, pytest-benchmark and benchgate JSON, libtest bench \
         lines and criterion directories (name the format with --adapter)"
    )]
    UnknownFormat { label: String },
    /// The adapter's error, which says where in the input and what was expected (boxed: it is
    /// large).
    #[error("{label}: {error}")]
    Unparsable {
        label: String,
        error: Box<ParseError>,
    },
    #[error(
        "{label}: criterion results are a directory (target/criterion or DIR@NAME), not a file"
    )]
    CriterionIsADirectory { label: String },
    #[error("{label}: is a directory, but {format} results are a file")]
    DirectoryNotFile { label: String, format: Format },
    #[error(
        "{}: no criterion results in this directory (expected {})",
        .dir.display(),
        Format::Criterion.expected()
    )]
    NoCriterionResults { dir: PathBuf },
    /// `exec`: where the harness's criterion results should be.
    #[error(
        "{}: no criterion results (expected {}); pass --criterion-dir if they are elsewhere",
        .dir.display(),
        Format::Criterion.expected()
    )]
    NoCriterionDirectory { dir: PathBuf },
    #[error("{}: the command wrote no criterion results during this run", .dir.display())]
    NoFreshCriterionResults { dir: PathBuf },
    /// `exec`: the output is unreadable, and so are the criterion files (`criterion`, the
    /// reason why, with its causes).
    #[error("{criterion}")]
    NeitherOutputNorCriterion {
        criterion: String,
        #[source]
        output: Box<InputError>,
    },
    #[error("no input to read")]
    NoInput,
    #[error(
        "{label}: is {format} output but {first_label} is {first_format}: one run holds results of \
         one harness (ingest them separately)"
    )]
    MixedFormats {
        label: String,
        format: Format,
        first_label: String,
        first_format: Format,
    },
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("{label}: no benchmark results in it")]
    NoBenchmarks { label: String },
    #[error("the results do not form a valid run")]
    InvalidRun(#[source] ModelError),
    /// A benchgate run file that does not read as one.
    #[error("{}", .path.display())]
    RunFile {
        path: PathBuf,
        #[source]
        source: ModelError,
    },
}

/// Why an SQLite store cannot be written (see [`crate::store::check_store_writable`]).
#[derive(Debug, thiserror::Error)]
pub enum Unwritable {
    #[error("is a directory, not an SQLite file")]
    IsDirectory,
    #[error("{0}")]
    File(std::io::Error),
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("{} is not writable ({error})", directory.display())]
    Directory {
        directory: PathBuf,
        error: std::io::Error,
    },
}

impl From<ReadError> for PipelineError {
    fn from(error: ReadError) -> PipelineError {
        PipelineError::Input(InputError::Read(error))
    }
}

impl PipelineError {
    /// `error` as the cause of a problem with the configured bench `bench`.
    pub fn in_bench(bench: &str, error: impl Into<PipelineError>) -> PipelineError {
        PipelineError::Bench {
            bench: bench.to_string(),
            source: Box::new(error.into()),
        }
    }

    /// The store error this error is or was caused by, for advice that depends on it (how to
    /// delete a stored run that no longer reads). A store error passed on unchanged is no cause
    /// of its own in the error chain, so a front end asks here.
    pub fn store_error(&self) -> Option<&StoreError> {
        match self {
            PipelineError::Store(error)
            | PipelineError::OpenStore(error)
            | PipelineError::Baseline { source: error, .. }
            | PipelineError::StoredRuns(error)
            | PipelineError::StoreRun(error)
            | PipelineError::NoiseFloors(error)
            | PipelineError::ReadHistory { source: error, .. } => Some(error),
            PipelineError::Bench { source, .. } => source.store_error(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreadable(id: uuid::Uuid) -> StoreError {
        StoreError::UnreadableRun {
            id,
            source: Box::new(StoreError::Corrupt("bad samples".into())),
        }
    }

    #[test]
    fn a_store_error_passed_on_or_caused_is_found_also_inside_a_bench() {
        let id = uuid::Uuid::from_u128(7);
        let passed_on = PipelineError::Store(unreadable(id));
        assert!(matches!(
            passed_on.store_error(),
            Some(StoreError::UnreadableRun { id: found, .. }) if *found == id
        ));
        let in_bench = PipelineError::in_bench("parse", PipelineError::StoreRun(unreadable(id)));
        assert!(matches!(
            in_bench.store_error(),
            Some(StoreError::UnreadableRun { id: found, .. }) if *found == id
        ));
        let not_store = PipelineError::NoSuchRun {
            text: "run:1".into(),
        };
        assert!(not_store.store_error().is_none());
    }
}
