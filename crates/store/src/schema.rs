//! The store schema as hand-written, versioned migrations, one ordered list per SQL dialect.
//!
//! Migration `i` (0-based) brings a database to version `i + 1`; the versions applied are recorded in
//! `schema_migrations(version)`. Both dialects describe the same logical schema:
//!
//! - `runs`: one row per run (timestamps as RFC 3339 text plus `started_ns` for ordering; tags and
//!   environment as JSON; the environment fingerprint and git fields as columns for the selectors);
//! - `benchmarks`: one row per benchmark (params and labels as JSON, status kind and text);
//! - `metrics`: one row per metric, the summary as JSON plus a `median` column for series queries,
//!   samples as a blob of little-endian `f64` and iterations as a blob of little-endian `u64`;
//! - `baselines`: named pointers to runs;
//! - `noise_floors`: per machine fingerprint, benchmark and measure, the relative change its noise
//!   alone reaches (learned from A/A runs or history);
//! - `measurements` (version 5): one row per benchmark a run measured with status `ok`, keyed by
//!   benchmark name, source, machine fingerprint, mode (the benchmark's own, else the run's) and
//!   start time, so that the `last` selector finds each benchmark's latest measurement with one
//!   index seek per benchmark instead of reading every run that ever measured it.
//!
//! Version 5 also stores a benchmark's own mode (`benchmarks.mode`, `NULL` = the run's mode) and a
//! metric's adaptive-sampling precision (`metrics.precision`, JSON, `NULL` = none).
//!
//! Version 6 stores a run's benchmarks and metrics packed into one blob (`run_bodies`, see
//! [`crate::body`]: samples as little-endian `f64`s, each summary once) instead of a row per
//! benchmark and per metric with JSON summaries, which took ~740 bytes for a metric of 10 samples:
//!
//! - `runs.seq`: a run's number, so other tables refer to it in a few bytes;
//! - `names`: every benchmark name, measure, source and fingerprint, stored once, by id;
//! - `run_bodies`: the packed benchmarks of each run;
//! - `points`: one row per metric (and per benchmark without metrics), keyed by benchmark, start
//!   time, run and measure, with the median, the mode and whether the benchmark was `ok`: the
//!   series query and the `last` selector read it backwards from a benchmark's newest point.
//!   It has no foreign key (which would make deleting a run scan it); a run's points are deleted
//!   by their key.
//!
//! Version 7 adds `tokens`: the team server's API tokens, by the SHA-256 of the token (never the
//! token), with their scope (`read` or `write`), an optional project and the creation time.
//!
//! Version 8 adds projects: `runs.project` (every run stored before it is in project
//! `default`) and `projects`, every project's name: `default`, those with runs, and those a
//! token names (the tokens' projects are copied in).
//!
//! Version 6's migration converts every stored run in place, in the migration's transaction: the SQL of
//! [`SQLITE`]`[5]` / [`POSTGRES`]`[5]` adds the new tables, the backend repacks each run, then
//! [`SQLITE_V6_DROP`] / [`POSTGRES_V6_DROP`] drops the old ones. A run whose old rows do not
//! decode is left without a body: it reads as unreadable, by id, and can be deleted.

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = 8;

/// The version whose migration converts rows (in Rust) between its SQL and the `*_V6_DROP` SQL.
pub(crate) const PACKED: i64 = 6;

/// The migrations for SQLite, oldest first.
pub const SQLITE: [&str; 8] = [
    r#"
CREATE TABLE runs (
    id              TEXT PRIMARY KEY NOT NULL,
    schema_tag      TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_ns      INTEGER NOT NULL,
    ended_at        TEXT NOT NULL,
    source          TEXT NOT NULL,
    mode            TEXT NOT NULL,
    git_commit      TEXT,
    git_branch      TEXT,
    dirty           INTEGER,
    merge_base      TEXT,
    tags            TEXT NOT NULL,
    environment     TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    benchmark_count INTEGER NOT NULL
);
CREATE INDEX runs_started ON runs (started_ns);
CREATE INDEX runs_commit ON runs (git_commit);
CREATE INDEX runs_fingerprint ON runs (fingerprint, started_ns);
CREATE TABLE benchmarks (
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    params      TEXT NOT NULL,
    command     TEXT,
    status_kind TEXT NOT NULL,
    status_text TEXT,
    PRIMARY KEY (run_id, ordinal)
);
CREATE TABLE metrics (
    run_id        TEXT NOT NULL,
    bench_ordinal INTEGER NOT NULL,
    ordinal       INTEGER NOT NULL,
    bench_name    TEXT NOT NULL,
    measure       TEXT NOT NULL,
    unit          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    exact         INTEGER NOT NULL,
    summary       TEXT NOT NULL,
    median        REAL,
    samples       BLOB NOT NULL,
    iterations    BLOB,
    PRIMARY KEY (run_id, bench_ordinal, ordinal),
    FOREIGN KEY (run_id, bench_ordinal) REFERENCES benchmarks (run_id, ordinal) ON DELETE CASCADE
);
CREATE TABLE baselines (
    name       TEXT PRIMARY KEY NOT NULL,
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
"#,
    r#"
CREATE INDEX metrics_series ON metrics (bench_name, measure);
"#,
    r#"
ALTER TABLE benchmarks ADD COLUMN labels TEXT;
CREATE INDEX runs_source ON runs (source, started_ns);
"#,
    r#"
CREATE TABLE noise_floors (
    fingerprint TEXT NOT NULL,
    benchmark   TEXT NOT NULL,
    measure     TEXT NOT NULL,
    relative    REAL NOT NULL,
    samples     INTEGER NOT NULL,
    method      TEXT NOT NULL,
    learned_at  TEXT NOT NULL,
    PRIMARY KEY (fingerprint, benchmark, measure)
);
"#,
    r#"
ALTER TABLE benchmarks ADD COLUMN mode TEXT;
ALTER TABLE metrics ADD COLUMN precision TEXT;
CREATE TABLE measurements (
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    mode        TEXT NOT NULL,
    started_ns  INTEGER NOT NULL,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    PRIMARY KEY (name, source, fingerprint, mode, started_ns, run_id)
) WITHOUT ROWID;
INSERT INTO measurements (name, source, fingerprint, mode, started_ns, run_id)
SELECT b.name, r.source, r.fingerprint, r.mode, r.started_ns, r.id
FROM benchmarks b JOIN runs r ON r.id = b.run_id
WHERE b.status_kind = 'ok';
"#,
    r#"
ALTER TABLE runs ADD COLUMN seq INTEGER;
UPDATE runs SET seq = rowid;
CREATE UNIQUE INDEX runs_seq ON runs (seq);
CREATE TABLE names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE run_bodies (
    run_seq INTEGER PRIMARY KEY REFERENCES runs (seq) ON DELETE CASCADE,
    body    BLOB NOT NULL
);
CREATE TABLE points (
    name_id        INTEGER NOT NULL,
    started_ns     INTEGER NOT NULL,
    run_seq        INTEGER NOT NULL,
    measure_id     INTEGER NOT NULL,
    source_id      INTEGER NOT NULL,
    fingerprint_id INTEGER NOT NULL,
    mode           TEXT NOT NULL,
    ok             INTEGER NOT NULL,
    median         REAL,
    PRIMARY KEY (name_id, started_ns, run_seq, measure_id)
) WITHOUT ROWID;
"#,
    r#"
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    sha256     TEXT NOT NULL UNIQUE,
    project    TEXT,
    created_at TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE runs ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
CREATE INDEX runs_project ON runs (project, started_ns);
CREATE TABLE projects (
    name TEXT PRIMARY KEY NOT NULL
);
INSERT INTO projects (name) VALUES ('default');
INSERT INTO projects (name) SELECT DISTINCT project FROM tokens WHERE project IS NOT NULL
ON CONFLICT (name) DO NOTHING;
"#,
];

/// What the version 6 migration of SQLite drops once every run is converted.
pub const SQLITE_V6_DROP: &str = "
DROP TABLE measurements;
DROP TABLE metrics;
DROP TABLE benchmarks;
";

/// The migrations for PostgreSQL, oldest first.
pub const POSTGRES: [&str; 8] = [
    r#"
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    schema_tag      TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_ns      BIGINT NOT NULL,
    ended_at        TEXT NOT NULL,
    source          TEXT NOT NULL,
    mode            TEXT NOT NULL,
    git_commit      TEXT,
    git_branch      TEXT,
    dirty           BOOLEAN,
    merge_base      TEXT,
    tags            TEXT NOT NULL,
    environment     TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    benchmark_count BIGINT NOT NULL
);
CREATE INDEX runs_started ON runs (started_ns);
CREATE INDEX runs_commit ON runs (git_commit);
CREATE INDEX runs_fingerprint ON runs (fingerprint, started_ns);
CREATE TABLE benchmarks (
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal     BIGINT NOT NULL,
    name        TEXT NOT NULL,
    params      TEXT NOT NULL,
    command     TEXT,
    status_kind TEXT NOT NULL,
    status_text TEXT,
    PRIMARY KEY (run_id, ordinal)
);
CREATE TABLE metrics (
    run_id        TEXT NOT NULL,
    bench_ordinal BIGINT NOT NULL,
    ordinal       BIGINT NOT NULL,
    bench_name    TEXT NOT NULL,
    measure       TEXT NOT NULL,
    unit          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    exact         BOOLEAN NOT NULL,
    summary       TEXT NOT NULL,
    median        DOUBLE PRECISION,
    samples       BYTEA NOT NULL,
    iterations    BYTEA,
    PRIMARY KEY (run_id, bench_ordinal, ordinal),
    FOREIGN KEY (run_id, bench_ordinal) REFERENCES benchmarks (run_id, ordinal) ON DELETE CASCADE
);
CREATE TABLE baselines (
    name       TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
"#,
    r#"
CREATE INDEX metrics_series ON metrics (bench_name, measure);
"#,
    r#"
ALTER TABLE benchmarks ADD COLUMN labels TEXT;
CREATE INDEX runs_source ON runs (source, started_ns);
"#,
    r#"
CREATE TABLE noise_floors (
    fingerprint TEXT NOT NULL,
    benchmark   TEXT NOT NULL,
    measure     TEXT NOT NULL,
    relative    DOUBLE PRECISION NOT NULL,
    samples     BIGINT NOT NULL,
    method      TEXT NOT NULL,
    learned_at  TEXT NOT NULL,
    PRIMARY KEY (fingerprint, benchmark, measure)
);
"#,
    r#"
ALTER TABLE benchmarks ADD COLUMN mode TEXT;
ALTER TABLE metrics ADD COLUMN precision TEXT;
CREATE TABLE measurements (
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    mode        TEXT NOT NULL,
    started_ns  BIGINT NOT NULL,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    PRIMARY KEY (name, source, fingerprint, mode, started_ns, run_id)
);
INSERT INTO measurements (name, source, fingerprint, mode, started_ns, run_id)
SELECT b.name, r.source, r.fingerprint, r.mode, r.started_ns, r.id
FROM benchmarks b JOIN runs r ON r.id = b.run_id
WHERE b.status_kind = 'ok';
"#,
    r#"
ALTER TABLE runs ADD COLUMN seq BIGSERIAL;
ALTER TABLE runs ADD CONSTRAINT runs_seq UNIQUE (seq);
CREATE TABLE names (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE run_bodies (
    run_seq BIGINT PRIMARY KEY REFERENCES runs (seq) ON DELETE CASCADE,
    body    BYTEA NOT NULL
);
CREATE TABLE points (
    name_id        BIGINT NOT NULL,
    started_ns     BIGINT NOT NULL,
    run_seq        BIGINT NOT NULL,
    measure_id     BIGINT NOT NULL,
    source_id      BIGINT NOT NULL,
    fingerprint_id BIGINT NOT NULL,
    mode           TEXT NOT NULL,
    ok             BOOLEAN NOT NULL,
    median         DOUBLE PRECISION,
    PRIMARY KEY (name_id, started_ns, run_seq, measure_id)
);
"#,
    r#"
CREATE TABLE tokens (
    id         BIGSERIAL PRIMARY KEY,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    sha256     TEXT NOT NULL UNIQUE,
    project    TEXT,
    created_at TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE runs ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
CREATE INDEX runs_project ON runs (project, started_ns);
CREATE TABLE projects (
    name TEXT PRIMARY KEY NOT NULL
);
INSERT INTO projects (name) VALUES ('default');
INSERT INTO projects (name) SELECT DISTINCT project FROM tokens WHERE project IS NOT NULL
ON CONFLICT (name) DO NOTHING;
"#,
];

/// What the version 6 migration of PostgreSQL drops once every run is converted.
pub const POSTGRES_V6_DROP: &str = "
DROP TABLE measurements;
DROP TABLE metrics;
DROP TABLE benchmarks;
";

/// Creates the bookkeeping table (inside the migration transaction).
pub(crate) const CREATE_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)";

/// Refuses a database that is not benchgate's: one holding tables but no `schema_migrations`
/// with benchgate's columns (`version`, `applied_at`). An empty database is benchgate's to set up.
pub(crate) fn check_ours(
    location: &str,
    tables: &[String],
    marker_columns: &[String],
) -> crate::Result<()> {
    let marked = ["version", "applied_at"]
        .iter()
        .all(|c| marker_columns.iter().any(|m| m == c));
    if tables.is_empty() || marked {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut shown = tables
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if tables.len() > SHOWN {
        shown.push_str(", …");
    }
    Err(crate::StoreError::Foreign {
        location: location.to_string(),
        tables: shown,
    })
}

/// Which migrations a database at `current` still needs, or the error for a newer database.
pub(crate) fn pending(
    current: i64,
    migrations: &[&'static str],
) -> crate::Result<Vec<(i64, &'static str)>> {
    if current > SCHEMA_VERSION {
        return Err(crate::StoreError::SchemaTooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(migrations
        .iter()
        .enumerate()
        .map(|(i, sql)| (crate::codec::to_i64(i) + 1, *sql))
        .filter(|(version, _)| *version > current)
        .collect())
}
