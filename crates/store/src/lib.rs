//! benchgate's history store (SPEC §9): every [`Run`] is kept, with all of its raw samples, so that
//! later runs can be judged against any earlier one.
//!
//! Two real backends implement the [`Store`] trait with the same logical schema:
//!
//! - **SQLite** (`sqlite://path/to/history.db`, the embedded default): WAL journal, a 30 s busy
//!   timeout and `BEGIN IMMEDIATE` writes, so concurrent writer processes wait for each other instead
//!   of failing; one transaction per run, so a killed writer leaves either the whole run or nothing.
//! - **PostgreSQL** (`postgres://…` or `postgresql://…`, for a team), without TLS.
//!
//! The schema is created and upgraded by hand-written, versioned migrations (see [`schema`]) applied
//! in one transaction when a store is opened; a database written by a newer benchgate is refused.
//!
//! A run's benchmarks and metrics are packed into one blob (see `body`): samples as little-endian
//! `f64`s, iterations as little-endian `u64`s, each summary stored once (only when it is not what
//! the samples give), names and measures by id; a `points` table holds each metric's median for
//! series queries and the `last` selector. Timestamps are RFC 3339 text plus integer nanoseconds
//! for ordering, the run's tags and environment JSON, so a run reads back exactly as it was
//! stored (about 145 bytes per metric of 10 samples on SQLite).
//!
//! Every run belongs to a project (schema version 8): the team server stores uploads into the
//! uploader's, and the `*_in` methods read one project; the CLI's runs, and every run stored
//! before projects, are in [`DEFAULT_PROJECT`], and the methods without a project read them all.
//!
//! PostgreSQL support is the default Cargo feature `postgres`; a build without it refuses
//! `postgres://` URLs with an error saying so.
//!
//! ```no_run
//! # fn main() -> Result<(), benchgate_store::StoreError> {
//! let store = benchgate_store::open("sqlite://.benchgate/history.db")?;
//! for run in store.list_runs(10)? {
//!     println!("{} {} {} benchmarks", run.id, run.source, run.benchmarks);
//! }
//! # Ok(())
//! # }
//! ```

mod body;
mod codec;
mod error;
#[cfg(feature = "postgres")]
mod postgres;
mod project;
mod queries;
pub mod schema;
mod selector;
mod sqlite;
mod token;

use std::path::PathBuf;

use benchgate_model::{Measure, Mode, Run, Source};
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::error::StoreError;
#[cfg(feature = "postgres")]
pub use crate::postgres::PostgresStore;
pub use crate::project::{
    BranchSummary, DEFAULT_PROJECT, MAX_PROJECT_NAME, PROJECT_NAME_RULE, ProjectSummary,
    check_project_name,
};
pub use crate::selector::{
    DEFAULT_MERGE_BASE_BRANCH, Resolved, Scope, Selector, resolve, resolve_for_source,
    resolve_in_scope,
};
pub use crate::sqlite::SqliteStore;
pub use crate::token::{TokenRecord, TokenScope, token_hash};

/// The result type of every store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The URL the CLI uses when none is given.
pub const DEFAULT_URL: &str = "sqlite://.benchgate/history.db";

/// One line of the run history: enough to list runs and resolve baselines without loading samples.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub id: Uuid,
    /// The project it belongs to ([`DEFAULT_PROJECT`] for the CLI's runs).
    pub project: String,
    pub started_at: OffsetDateTime,
    pub source: Source,
    pub mode: Mode,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub fingerprint: String,
    /// How many benchmarks the run holds.
    pub benchmarks: usize,
}

/// A named pointer to a stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub name: String,
    pub run_id: Uuid,
    pub created_at: OffsetDateTime,
}

/// How much a benchmark's measure moves by noise alone on one kind of machine: a change smaller
/// than `relative` (a fraction: 0.02 = 2 %) is not called a regression there (SPEC §7.4).
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseFloor {
    pub fingerprint: String,
    pub benchmark: String,
    pub measure: Measure,
    pub relative: f64,
    /// How many comparisons (A/A pairs, history runs) it was learned from.
    pub samples: usize,
    /// How it was learned: `aa` (an A/A calibration) or `history`.
    pub method: String,
    pub learned_at: OffsetDateTime,
}

/// Where one benchmark's latest stored measurement is: what [`Store::latest_measurements`] finds
/// for each benchmark the `last` selector looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestMeasurement {
    /// The benchmark's name.
    pub benchmark: String,
    /// The mode it was measured in (its own, else its run's).
    pub mode: Mode,
    /// The newest run that measured it with status `ok`.
    pub run_id: Uuid,
}

/// What [`Store::delete_runs`] does with a run that a named baseline points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselinedRuns {
    /// Refuse to delete anything.
    Refuse,
    /// Keep that run (and its baselines), delete the others.
    Keep,
    /// Delete the run and the baselines that point at it.
    Delete,
}

/// What [`Store::delete_runs`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deleted {
    /// The runs deleted.
    pub runs: Vec<Uuid>,
    /// The baselines deleted with their runs ([`BaselinedRuns::Delete`]).
    pub baselines: Vec<Baseline>,
    /// The runs kept because baselines point at them ([`BaselinedRuns::Keep`]), with those
    /// baselines.
    pub kept: Vec<Baseline>,
}

/// One point of a benchmark's history for one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub run_id: Uuid,
    pub started_at: OffsetDateTime,
    pub commit: Option<String>,
    /// The environment fingerprint of the machine the run was measured on.
    pub fingerprint: String,
    /// The median of the metric's samples (from its summary).
    pub median: f64,
}

/// The history store. The API is synchronous; implementations are internally synchronised, so one
/// store can be shared between threads (e.g. behind an `Arc` in the server, called from
/// `spawn_blocking`: the PostgreSQL client must not run on an async runtime's worker threads).
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which backend this is (`"sqlite"` or `"postgres"`), for messages.
    fn backend(&self) -> &'static str;

    /// Stores a run with all of its samples in one transaction, in [`DEFAULT_PROJECT`]. A run
    /// whose id is already stored is an error ([`StoreError::DuplicateRun`]); so is a run that
    /// fails [`Run::validate`].
    fn put_run(&self, run: &Run) -> Result<()> {
        self.put_runs(std::slice::from_ref(run))
    }

    /// Stores several runs in one transaction, in [`DEFAULT_PROJECT`]: all of them or, on any
    /// error, none. An id that appears twice in `runs` or is already stored is
    /// [`StoreError::DuplicateRun`].
    fn put_runs(&self, runs: &[Run]) -> Result<()> {
        self.put_runs_in(DEFAULT_PROJECT, runs)
    }

    /// [`Store::put_run`] into `project`.
    fn put_run_in(&self, project: &str, run: &Run) -> Result<()> {
        self.put_runs_in(project, std::slice::from_ref(run))
    }

    /// [`Store::put_runs`] into `project` (created with its first run); a name outside
    /// [`PROJECT_NAME_RULE`] is [`StoreError::BadProjectName`].
    fn put_runs_in(&self, project: &str, runs: &[Run]) -> Result<()>;

    /// Every project, by name: those holding runs, those a token names, and always
    /// [`DEFAULT_PROJECT`].
    fn projects(&self) -> Result<Vec<ProjectSummary>>;

    /// Whether `project` is one of [`Store::projects`].
    fn project_exists(&self, project: &str) -> Result<bool>;

    /// The branches of `project`'s runs, by name (runs without a branch last, as `name: None`),
    /// each with its number of runs and its newest run.
    fn branches(&self, project: &str) -> Result<Vec<BranchSummary>>;

    /// The newest `limit` runs of `project`, newest first.
    fn list_runs_in(&self, project: &str, limit: usize) -> Result<Vec<RunSummary>>;

    /// The summary of run `id` (with its project), or `None` if no run has this id.
    fn run_summary(&self, id: Uuid) -> Result<Option<RunSummary>>;

    /// The run stored before run `id` that it is naturally judged against: the newest one that
    /// started before it (ties broken by the smaller id) in the same project, on the same
    /// branch (or also without one), machine (fingerprint), mode and source. `None` when there
    /// is none or `id` is not stored.
    fn previous_run(&self, id: Uuid) -> Result<Option<RunSummary>>;

    /// [`Store::benchmark_names`] of `project`'s runs only.
    fn benchmark_names_in(&self, project: &str) -> Result<Vec<String>>;

    /// [`Store::series`] of `project`'s runs only.
    fn series_in(
        &self,
        project: &str,
        benchmark: &str,
        measure: &Measure,
        limit: usize,
    ) -> Result<Vec<SeriesPoint>>;

    /// Deletes the runs `ids` (with their benchmarks, samples and index rows) in one
    /// transaction. An unknown id is [`StoreError::UnknownRun`]. A run a named baseline points
    /// at is refused ([`StoreError::RunHasBaselines`]) unless `baselines` is
    /// [`BaselinedRuns::Delete`], which deletes those baselines too; with
    /// [`BaselinedRuns::Keep`] such runs are kept. Nothing is deleted on error.
    fn delete_runs(&self, ids: &[Uuid], baselines: BaselinedRuns) -> Result<Deleted>;

    /// The ids of the runs that started before `cutoff`, oldest first (for `runs prune`).
    fn runs_started_before(&self, cutoff: OffsetDateTime) -> Result<Vec<Uuid>>;

    /// Reads a run back exactly as it was stored, or `None` if no run has this id.
    fn get_run(&self, id: Uuid) -> Result<Option<Run>>;

    /// The newest `limit` runs of every project, newest first.
    fn list_runs(&self, limit: usize) -> Result<Vec<RunSummary>>;

    /// The newest run, if any.
    fn latest_run(&self) -> Result<Option<RunSummary>> {
        Ok(self.list_runs(1)?.into_iter().next())
    }

    /// Runs whose commit starts with `prefix` (a full or abbreviated SHA), newest first. An empty
    /// prefix is an error.
    fn runs_at_commit(&self, prefix: &str) -> Result<Vec<RunSummary>>;

    /// The newest `n` runs measured on machines with this environment fingerprint, newest first
    /// (the `window:N` baseline selector).
    fn latest_runs_with_fingerprint(&self, fingerprint: &str, n: usize) -> Result<Vec<RunSummary>>;

    /// The newest `n` runs produced by `source`, newest first, only those measured on machines
    /// with `fingerprint` when one is given (the `last` and `window:N` selectors scoped to one
    /// source, so that an ingested Go run is never the baseline of a command suite).
    fn latest_runs_of_source(
        &self,
        source: &Source,
        fingerprint: Option<&str>,
        n: usize,
    ) -> Result<Vec<RunSummary>>;

    /// For each wanted `(benchmark name, mode)`, the newest stored run (by start time, ties broken
    /// by the larger run id) that measured that benchmark with status `ok` in that mode (the
    /// benchmark's own mode, else its run's), produced by `source` on a machine with
    /// `fingerprint`; `exclude` (the run being judged) is never found. This is the `last`
    /// selector (SPEC §7.3): each benchmark's latest measurement, wherever it is.
    ///
    /// One query however long `wanted` is (no limit on its length); the answer follows the order
    /// of `wanted`, lists a repeated pair once, and leaves out benchmarks never measured so.
    fn latest_measurements(
        &self,
        source: &Source,
        fingerprint: &str,
        wanted: &[(String, Mode)],
        exclude: Option<Uuid>,
    ) -> Result<Vec<LatestMeasurement>>;

    /// Points the baseline `name` at a stored run, replacing any earlier target of that name.
    /// A name that could not be used as a baseline selector is refused
    /// ([`StoreError::BadBaselineName`]): empty, with control characters, starting with `-`, or
    /// one that reads as another selector (`last`, `run:…`, `window:3`, `merge-base`, …).
    fn save_baseline(&self, name: &str, run_id: Uuid) -> Result<()>;

    /// Every named baseline, by name.
    fn list_baselines(&self) -> Result<Vec<Baseline>>;

    /// Removes a named baseline; an unknown name is an error ([`StoreError::UnknownBaseline`]).
    fn delete_baseline(&self, name: &str) -> Result<()>;

    /// The run a named baseline points at, or `None` if there is no such baseline.
    fn baseline(&self, name: &str) -> Result<Option<Uuid>>;

    /// Saves a noise floor, replacing the one of the same fingerprint, benchmark and measure. A
    /// relative floor that is negative or not finite is an error.
    fn save_noise_floor(&self, floor: &NoiseFloor) -> Result<()>;

    /// Every noise floor learned on machines with `fingerprint`, by benchmark and measure.
    fn noise_floors(&self, fingerprint: &str) -> Result<Vec<NoiseFloor>>;

    /// The history of one measure of one benchmark in every project: the newest `limit` points,
    /// oldest first.
    fn series(&self, benchmark: &str, measure: &Measure, limit: usize) -> Result<Vec<SeriesPoint>>;

    /// The name of every benchmark with a stored measurement in any project, sorted.
    fn benchmark_names(&self) -> Result<Vec<String>>;

    /// Stores a new API token by its SHA-256 (`sha256`, as [`token_hash`] writes it) and returns
    /// its record. The token itself is never stored. A `project` outside [`PROJECT_NAME_RULE`]
    /// is [`StoreError::BadProjectName`]; a valid one becomes one of [`Store::projects`].
    fn save_token(
        &self,
        scope: TokenScope,
        sha256: &str,
        project: Option<&str>,
    ) -> Result<TokenRecord>;

    /// The token whose SHA-256 is `sha256`, if one is stored.
    fn token_by_hash(&self, sha256: &str) -> Result<Option<TokenRecord>>;

    /// Every stored token, oldest first.
    fn list_tokens(&self) -> Result<Vec<TokenRecord>>;

    /// Deletes the token with id `id` (as [`Store::list_tokens`] shows it): it no longer opens
    /// anything. `false` when there is no such token.
    fn revoke_token(&self, id: i64) -> Result<bool>;
}

/// Opens (creating and migrating as needed) the store at `url`:
/// `sqlite://relative/or/absolute/path.db` (parent directories are created) or
/// `postgres://user@host:port/db` / `postgresql://…`.
pub fn open(url: &str) -> Result<Box<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(StoreError::BadUrl {
                url: url.to_string(),
                reason: "the SQLite path is empty",
            });
        }
        Ok(Box::new(SqliteStore::open(PathBuf::from(path))?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        open_postgres(url)
    } else {
        Err(StoreError::BadUrl {
            url: redact(url),
            reason: "expected sqlite://PATH, postgres://… or postgresql://…",
        })
    }
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<Box<dyn Store>> {
    Ok(Box::new(PostgresStore::connect(url)?))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(url: &str) -> Result<Box<dyn Store>> {
    Err(StoreError::BadUrl {
        url: redact(url),
        reason: "this benchgate was built without PostgreSQL support (the `postgres` Cargo feature)",
    })
}

/// Whether `url` names a store that already holds data: false only for an SQLite file that does
/// not exist yet, so a command that would fail anyway can refuse without creating one. Server
/// URLs (and malformed ones, which [`open`] reports) count as existing.
pub fn exists(url: &str) -> bool {
    match url.strip_prefix("sqlite://") {
        Some(path) if !path.is_empty() => std::path::Path::new(path).exists(),
        _ => true,
    }
}

/// Hides a password in a URL before it goes into a message.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_sqlite_file_does_not_exist() {
        assert!(!exists("sqlite:///nonexistent/benchgate/history.db"));
        assert!(exists("sqlite:///"));
        assert!(exists("postgres://u@127.0.0.1:1/x"));
        assert!(exists("mysql://x"));
    }

    #[test]
    fn unknown_scheme_is_refused_clearly() {
        let err = open("mysql://x/y").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "unsupported store URL \"mysql://x/y\": expected sqlite://PATH, postgres://… or postgresql://…"
            )
        );
        assert!(open("sqlite://").is_err());
        assert!(open("history.db").is_err());
    }

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn postgres_urls_say_the_build_lacks_postgres() {
        let err = open("postgres://u:secret@127.0.0.1:1/x")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "unsupported store URL \"postgres://u:***@127.0.0.1:1/x\": this benchgate was built without PostgreSQL support (the `postgres` Cargo feature)"
            )
        );
        assert!(open("postgresql://h/x").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
