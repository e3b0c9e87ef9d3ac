//! The SQL both backends run alike, written once with SQLite's `?N` placeholders;
//! [`postgres`] rewrites them to PostgreSQL's `$N`. Statements whose text differs per dialect
//! (migrations, bulk inserts, the latest-measurement lookup, the next run number) stay in their
//! backend. Each row shape is mapped once, over [`Columns`], which both backends' rows implement.

use crate::codec::{BenchRow, MetricRow, RunRow, SummaryRow};

/// The columns of a run summary.
pub(crate) const SUMMARY_COLUMNS: &str =
    "id, started_at, source, mode, git_commit, git_branch, fingerprint, benchmark_count, project";

pub(crate) const SCHEMA_VERSION: &str =
    "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations";

pub(crate) const RUN_EXISTS: &str = "SELECT 1 FROM runs WHERE id = ?1";

pub(crate) const INSERT_MIGRATION: &str =
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)";

/// A run's row; `?16` is its number (`seq`), which each backend draws its own way, `?17` its
/// project.
pub(crate) const INSERT_RUN: &str = "INSERT INTO runs (id, schema_tag, started_at, started_ns, \
     ended_at, source, mode, git_commit, git_branch, dirty, merge_base, tags, environment, \
     fingerprint, benchmark_count, seq, project) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

/// Records a project (runs are stored into it, or a token names it).
pub(crate) const INSERT_PROJECT: &str =
    "INSERT INTO projects (name) VALUES (?1) ON CONFLICT (name) DO NOTHING";

pub(crate) const PROJECT_EXISTS: &str = "SELECT 1 FROM projects WHERE name = ?1";

/// Every project with its number of runs and the start of its newest (both through
/// `runs_project`).
pub(crate) const PROJECTS: &str = "SELECT p.name, \
     (SELECT COUNT(*) FROM runs r WHERE r.project = p.name), \
     (SELECT r.started_at FROM runs r WHERE r.project = p.name \
      ORDER BY r.started_ns DESC, r.id DESC LIMIT 1) \
     FROM projects p";

/// The branches of a project's runs: per branch its number of runs and its newest run.
pub(crate) const BRANCHES: &str = "SELECT git_branch, runs, id, started_at, git_commit FROM ( \
     SELECT git_branch, id, started_at, git_commit, \
     COUNT(*) OVER (PARTITION BY git_branch) AS runs, \
     ROW_NUMBER() OVER (PARTITION BY git_branch ORDER BY started_ns DESC, id DESC) AS newest \
     FROM runs WHERE project = ?1) t WHERE newest = 1";

pub(crate) const SELECT_RUN: &str = "SELECT id, schema_tag, started_at, started_ns, ended_at, \
     source, mode, git_commit, git_branch, dirty, merge_base, tags, environment, fingerprint, \
     benchmark_count, seq FROM runs WHERE id = ?1";

/// A run's packed benchmarks (see [`crate::body`]).
pub(crate) const SELECT_BODY: &str = "SELECT body FROM run_bodies WHERE run_seq = ?1";

pub(crate) const INSERT_BODY: &str = "INSERT INTO run_bodies (run_seq, body) VALUES (?1, ?2)";

/// Interns a string: benchmark names, measures, sources and fingerprints are stored as ids.
pub(crate) const INSERT_NAME: &str =
    "INSERT INTO names (name) VALUES (?1) ON CONFLICT (name) DO NOTHING";

pub(crate) const ID_OF_NAME: &str = "SELECT id FROM names WHERE name = ?1";

pub(crate) const NAME_OF_ID: &str = "SELECT name FROM names WHERE id = ?1";

/// What deleting a run needs: its number, start time and packed body (which names its points).
pub(crate) const RUN_TO_DELETE: &str = "SELECT r.seq, r.started_ns, b.body FROM runs r \
     LEFT JOIN run_bodies b ON b.run_seq = r.seq WHERE r.id = ?1";

pub(crate) const INSERT_POINT: &str = "INSERT INTO points (name_id, started_ns, run_seq, \
     measure_id, source_id, fingerprint_id, mode, ok, median) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// One benchmark's points of a run, found by their key.
pub(crate) const DELETE_POINTS: &str =
    "DELETE FROM points WHERE name_id = ?1 AND started_ns = ?2 AND run_seq = ?3";

/// Every point of a run whose body no longer says which benchmarks it has (a full scan).
pub(crate) const DELETE_POINTS_OF_RUN: &str = "DELETE FROM points WHERE run_seq = ?1";

pub(crate) const DELETE_RUN: &str = "DELETE FROM runs WHERE id = ?1";

/// The runs to convert to version 6, in the order they were stored.
pub(crate) const V5_RUNS: &str = "SELECT id FROM runs ORDER BY seq";

pub(crate) const V5_SELECT_BENCHMARKS: &str = "SELECT ordinal, name, params, command, \
     status_kind, status_text, labels, mode FROM benchmarks WHERE run_id = ?1 ORDER BY ordinal";

pub(crate) const V5_SELECT_METRICS: &str = "SELECT bench_ordinal, measure, unit, direction, \
     exact, summary, samples, iterations, precision \
     FROM metrics WHERE run_id = ?1 ORDER BY bench_ordinal, ordinal";

pub(crate) const RUNS_STARTED_BEFORE: &str =
    "SELECT id FROM runs WHERE started_ns < ?1 ORDER BY started_ns, id";

pub(crate) const BASELINES_OF_RUN: &str =
    "SELECT name, run_id, created_at FROM baselines WHERE run_id = ?1 ORDER BY name";

pub(crate) const LIST_BASELINES: &str =
    "SELECT name, run_id, created_at FROM baselines ORDER BY name";

pub(crate) const UPSERT_BASELINE: &str = "INSERT INTO baselines (name, run_id, created_at) \
     VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, \
     created_at = excluded.created_at";

pub(crate) const DELETE_BASELINE: &str = "DELETE FROM baselines WHERE name = ?1";

pub(crate) const BASELINE_RUN: &str = "SELECT run_id FROM baselines WHERE name = ?1";

pub(crate) const UPSERT_NOISE_FLOOR: &str = "INSERT INTO noise_floors (fingerprint, benchmark, \
     measure, relative, samples, method, learned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
     ON CONFLICT (fingerprint, benchmark, measure) DO UPDATE SET relative = excluded.relative, \
     samples = excluded.samples, method = excluded.method, learned_at = excluded.learned_at";

pub(crate) const NOISE_FLOORS: &str = "SELECT fingerprint, benchmark, measure, relative, \
     samples, method, learned_at FROM noise_floors WHERE fingerprint = ?1 \
     ORDER BY benchmark, measure";

/// A benchmark's points of one measure, newest first: a backward scan of `points`' key from
/// the benchmark's newest point, stopped after the limit.
pub(crate) const SERIES: &str = "SELECT r.id, r.started_at, r.git_commit, r.fingerprint, \
     p.median FROM points p JOIN runs r ON r.seq = p.run_seq \
     WHERE p.name_id = (SELECT id FROM names WHERE name = ?1) \
     AND p.measure_id = (SELECT id FROM names WHERE name = ?2) AND p.median IS NOT NULL \
     ORDER BY p.started_ns DESC, r.id DESC LIMIT ?3";

/// [`SERIES`] of one project's runs (`?4`).
pub(crate) const SERIES_IN: &str = "SELECT r.id, r.started_at, r.git_commit, r.fingerprint, \
     p.median FROM points p JOIN runs r ON r.seq = p.run_seq \
     WHERE p.name_id = (SELECT id FROM names WHERE name = ?1) \
     AND p.measure_id = (SELECT id FROM names WHERE name = ?2) AND p.median IS NOT NULL \
     AND r.project = ?4 ORDER BY p.started_ns DESC, r.id DESC LIMIT ?3";

/// [`BENCHMARK_NAMES`] of one project's runs.
pub(crate) const BENCHMARK_NAMES_IN: &str = "SELECT n.name FROM names n \
     WHERE EXISTS (SELECT 1 FROM points p JOIN runs r ON r.seq = p.run_seq \
     WHERE p.name_id = n.id AND r.project = ?1) ORDER BY n.name";

/// Every benchmark name that has a stored point, by name (`EXISTS` probes the start of
/// `points`' key).
pub(crate) const BENCHMARK_NAMES: &str = "SELECT n.name FROM names n \
     WHERE EXISTS (SELECT 1 FROM points p WHERE p.name_id = n.id) ORDER BY n.name";

/// The newest run summaries matching `filter` (a `WHERE …` clause or nothing), the limit being
/// the last of `params` parameters.
pub(crate) fn summaries(filter: &str, params: usize) -> String {
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM runs {filter} ORDER BY started_ns DESC, id DESC LIMIT ?{params}"
    )
}

/// The filters of [`summaries`]; the limit comes after their parameters.
pub(crate) const AT_COMMIT_PREFIX: &str = "WHERE substr(git_commit, 1, ?2) = ?1";
pub(crate) const WITH_FINGERPRINT: &str = "WHERE fingerprint = ?1";
pub(crate) const OF_SOURCE: &str = "WHERE source = ?1";
pub(crate) const OF_SOURCE_AND_FINGERPRINT: &str = "WHERE source = ?1 AND fingerprint = ?2";
pub(crate) const IN_PROJECT: &str = "WHERE project = ?1";
pub(crate) const WITH_ID: &str = "WHERE id = ?1";
/// The runs before run `?1` in its project, on its branch, machine, mode and source.
pub(crate) const BEFORE_RUN: &str = "WHERE EXISTS (SELECT 1 FROM runs t WHERE t.id = ?1 \
     AND t.project = runs.project AND t.source = runs.source \
     AND t.fingerprint = runs.fingerprint AND t.mode = runs.mode \
     AND (t.git_branch = runs.git_branch OR (t.git_branch IS NULL AND runs.git_branch IS NULL)) \
     AND (runs.started_ns < t.started_ns OR (runs.started_ns = t.started_ns AND runs.id < t.id)))";

/// A value either backend can read from a column.
#[cfg(feature = "postgres")]
pub(crate) trait Column: rusqlite::types::FromSql + postgres::types::FromSqlOwned {}

#[cfg(feature = "postgres")]
impl<T: rusqlite::types::FromSql + postgres::types::FromSqlOwned> Column for T {}

/// A value the backend can read from a column (SQLite only in this build).
#[cfg(not(feature = "postgres"))]
pub(crate) trait Column: rusqlite::types::FromSql {}

#[cfg(not(feature = "postgres"))]
impl<T: rusqlite::types::FromSql> Column for T {}

/// A result row of either backend, read by column index.
pub(crate) trait Columns {
    type Error;
    fn column<T: Column>(&self, index: usize) -> Result<T, Self::Error>;
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn column<T: Column>(&self, index: usize) -> Result<T, rusqlite::Error> {
        self.get(index)
    }
}

#[cfg(feature = "postgres")]
impl Columns for postgres::Row {
    type Error = postgres::Error;
    fn column<T: Column>(&self, index: usize) -> Result<T, postgres::Error> {
        self.try_get(index)
    }
}

/// A row of [`summaries`].
pub(crate) fn summary_row<R: Columns>(r: &R) -> Result<SummaryRow, R::Error> {
    Ok(SummaryRow {
        id: r.column(0)?,
        started_at: r.column(1)?,
        source: r.column(2)?,
        mode: r.column(3)?,
        commit: r.column(4)?,
        branch: r.column(5)?,
        fingerprint: r.column(6)?,
        benchmark_count: r.column(7)?,
        project: r.column(8)?,
    })
}

/// The row of [`SELECT_RUN`].
pub(crate) fn run_row<R: Columns>(r: &R) -> Result<RunRow, R::Error> {
    Ok(RunRow {
        id: r.column(0)?,
        schema_tag: r.column(1)?,
        started_at: r.column(2)?,
        started_ns: r.column(3)?,
        ended_at: r.column(4)?,
        source: r.column(5)?,
        mode: r.column(6)?,
        commit: r.column(7)?,
        branch: r.column(8)?,
        dirty: r.column(9)?,
        merge_base: r.column(10)?,
        tags: r.column(11)?,
        environment: r.column(12)?,
        fingerprint: r.column(13)?,
        benchmark_count: r.column(14)?,
        seq: r.column(15)?,
    })
}

/// A row of [`V5_SELECT_BENCHMARKS`].
pub(crate) fn bench_row<R: Columns>(r: &R) -> Result<BenchRow, R::Error> {
    Ok(BenchRow {
        ordinal: r.column(0)?,
        name: r.column(1)?,
        params: r.column(2)?,
        command: r.column(3)?,
        status_kind: r.column(4)?,
        status_text: r.column(5)?,
        labels: r.column(6)?,
        mode: r.column(7)?,
    })
}

/// A row of [`V5_SELECT_METRICS`].
pub(crate) fn metric_row<R: Columns>(r: &R) -> Result<MetricRow, R::Error> {
    Ok(MetricRow {
        bench_ordinal: r.column(0)?,
        measure: r.column(1)?,
        unit: r.column(2)?,
        direction: r.column(3)?,
        exact: r.column(4)?,
        summary: r.column(5)?,
        samples: r.column(6)?,
        iterations: r.column(7)?,
        precision: r.column(8)?,
    })
}

/// A row of [`BASELINES_OF_RUN`] or [`LIST_BASELINES`]: name, run id, creation time.
pub(crate) fn baseline_row<R: Columns>(r: &R) -> Result<(String, String, String), R::Error> {
    Ok((r.column(0)?, r.column(1)?, r.column(2)?))
}

/// A row of [`NOISE_FLOORS`], in its column order.
pub(crate) type NoiseFloorRow = (String, String, String, f64, i64, String, String);

/// A row of [`NOISE_FLOORS`].
pub(crate) fn noise_floor_row<R: Columns>(r: &R) -> Result<NoiseFloorRow, R::Error> {
    Ok((
        r.column(0)?,
        r.column(1)?,
        r.column(2)?,
        r.column(3)?,
        r.column(4)?,
        r.column(5)?,
        r.column(6)?,
    ))
}

/// A row of [`PROJECTS`]: name, number of runs, start of the newest.
pub(crate) fn project_row<R: Columns>(r: &R) -> Result<(String, i64, Option<String>), R::Error> {
    Ok((r.column(0)?, r.column(1)?, r.column(2)?))
}

/// A row of [`BRANCHES`]: branch, number of runs, newest run's id, start and commit.
pub(crate) type BranchRow = (Option<String>, i64, String, String, Option<String>);

/// A row of [`BRANCHES`].
pub(crate) fn branch_row<R: Columns>(r: &R) -> Result<BranchRow, R::Error> {
    Ok((
        r.column(0)?,
        r.column(1)?,
        r.column(2)?,
        r.column(3)?,
        r.column(4)?,
    ))
}

/// A row of [`SERIES`]: run id, start time, commit, fingerprint, median.
pub(crate) type SeriesRow = (String, String, Option<String>, String, f64);

/// A row of [`SERIES`].
pub(crate) fn series_row<R: Columns>(r: &R) -> Result<SeriesRow, R::Error> {
    Ok((
        r.column(0)?,
        r.column(1)?,
        r.column(2)?,
        r.column(3)?,
        r.column(4)?,
    ))
}

/// `sql` with each `?N` placeholder outside a quoted string written `$N`, as PostgreSQL wants.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            // A doubled quote inside a string closes and reopens it, which toggling handles.
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO tokens (scope, sha256, project, created_at) \
     VALUES (?1, ?2, ?3, ?4) RETURNING id";

pub(crate) const TOKEN_BY_HASH: &str =
    "SELECT id, scope, project, created_at FROM tokens WHERE sha256 = ?1";

pub(crate) const LIST_TOKENS: &str =
    "SELECT id, scope, project, created_at FROM tokens ORDER BY id";

pub(crate) const DELETE_TOKEN: &str = "DELETE FROM tokens WHERE id = ?1";

/// A row of [`TOKEN_BY_HASH`] or [`LIST_TOKENS`]: id, scope, project, creation time.
pub(crate) fn token_row<R: Columns>(
    r: &R,
) -> Result<(i64, String, Option<String>, String), R::Error> {
    Ok((r.column(0)?, r.column(1)?, r.column(2)?, r.column(3)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_for_postgres() {
        assert_eq!(
            postgres("SELECT a FROM t WHERE b = ?1 AND c = ?12 LIMIT ?3"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 LIMIT $3"
        );
        assert_eq!(postgres(RUN_EXISTS), "SELECT 1 FROM runs WHERE id = $1");
    }

    #[test]
    fn question_marks_in_quotes_or_without_a_number_are_left_alone() {
        assert_eq!(
            postgres("SELECT '?1', 'it''s ?2', \"col?3\" FROM t WHERE a = ?1 AND b ? 'k'"),
            "SELECT '?1', 'it''s ?2', \"col?3\" FROM t WHERE a = $1 AND b ? 'k'"
        );
    }

    #[test]
    fn summaries_take_the_limit_as_their_last_parameter() {
        assert_eq!(
            postgres(&summaries("WHERE fingerprint = ?1", 2)),
            "SELECT id, started_at, source, mode, git_commit, git_branch, fingerprint, \
             benchmark_count, project FROM runs WHERE fingerprint = $1 ORDER BY started_ns DESC, id DESC \
             LIMIT $2"
        );
    }
}
