use std::path::PathBuf;

use thiserror::Error;
use uuid::Uuid;

/// Why a store operation failed. Messages describe what was being done; the underlying database or
/// I/O error is only ever the [`source`](std::error::Error::source), never repeated in the message.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The URL names no backend this build knows, or is malformed.
    #[error("unsupported store URL {url:?}: {reason}")]
    BadUrl { url: String, reason: &'static str },

    /// The directory that should hold the SQLite file could not be created.
    #[error("cannot create the store directory {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// An SQLite operation failed; `context` says which.
    #[error("SQLite store: {context}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    /// A PostgreSQL operation failed; `context` says which.
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL store: {context}")]
    Postgres {
        context: String,
        #[source]
        source: postgres::Error,
    },

    /// The database was written by a newer benchgate whose schema this one does not know.
    #[error(
        "the database schema is at version {found}, newer than the newest this benchgate knows ({supported}); upgrade benchgate to use this store"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    /// The database belongs to something else: it has tables, but not benchgate's schema.
    #[error(
        "{location} is not a benchgate store: it holds other tables ({tables}) and no benchgate schema; name another store (--db)"
    )]
    Foreign { location: String, tables: String },

    /// The disk holding the SQLite store is full; nothing of the write was kept.
    #[error("disk full while writing {}", path.display())]
    DiskFull { path: PathBuf },

    /// A run is stored but cannot be read back (damaged, or written by something else).
    #[error("stored run {id} cannot be read")]
    UnreadableRun {
        id: Uuid,
        #[source]
        source: Box<StoreError>,
    },

    /// A run with this id is already stored.
    #[error("run {id} is already stored")]
    DuplicateRun { id: Uuid },

    /// The run is inconsistent and was not stored.
    #[error("run {id} is invalid and was not stored")]
    InvalidRun {
        id: Uuid,
        #[source]
        source: benchgate_model::ModelError,
    },

    /// A run cannot be represented in the store (e.g. a timestamp outside RFC 3339).
    #[error("run {id} cannot be stored: {reason}")]
    Unstorable { id: Uuid, reason: String },

    /// A baseline name that could never be used as one: empty, holding control characters,
    /// starting with `-`, or read as another selector (`last`, `run:…`, `window:3`, …).
    #[error("cannot name a baseline {name:?}: {reason}")]
    BadBaselineName { name: String, reason: String },

    /// A project name outside [`crate::PROJECT_NAME_RULE`].
    #[error("bad project name {name:?}: {reason}; a project name is {rule}", rule = crate::PROJECT_NAME_RULE)]
    BadProjectName { name: String, reason: String },

    /// A baseline name that is not saved.
    #[error("no baseline named {name:?}")]
    UnknownBaseline { name: String },

    /// Runs that named baselines point at, which were not deleted.
    #[error("run {id} is the run of baseline {names}", names = names.join(", "))]
    RunHasBaselines { id: Uuid, names: Vec<String> },

    /// A run id that is not stored.
    #[error("no stored run has id {id}")]
    UnknownRun { id: Uuid },

    /// An argument that can never match anything (an empty name or prefix).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// Stored data that does not decode (written by something else, or damaged).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn sqlite(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Sqlite { context, source }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(
        context: impl Into<String>,
    ) -> impl FnOnce(postgres::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Postgres { context, source }
    }
}
