//! The SQL both backends run alike, written once with SQLite's `?N` placeholders;
//! [`postgres`] rewrites them to PostgreSQL's `$N`. Statements whose text differs per dialect
//! (migrations, bulk inserts, the latest-measurement lookup) stay in their backend. Each row
//! shape is mapped once, over [`Columns`], which both backends' rows implement.

use crate::codec::{BenchRow, MetricRow, RunRow, SummaryRow};

/// The columns of a run summary.
pub(crate) const SUMMARY_COLUMNS: &str =
    "id, started_at, source, mode, git_commit, git_branch, fingerprint, benchmark_count";

pub(crate) const SCHEMA_VERSION: &str =
    "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations";

pub(crate) const RUN_EXISTS: &str = "SELECT 1 FROM runs WHERE id = ?1";

pub(crate) const INSERT_MIGRATION: &str =
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)";

pub(crate) const INSERT_RUN: &str = "INSERT INTO runs (id, schema_tag, started_at, started_ns, \
     ended_at, source, mode, git_commit, git_branch, dirty, merge_base, tags, environment, \
     fingerprint, benchmark_count) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

pub(crate) const SELECT_RUN: &str = "SELECT id, schema_tag, started_at, started_ns, ended_at, \
     source, mode, git_commit, git_branch, dirty, merge_base, tags, environment, fingerprint, \
     benchmark_count FROM runs WHERE id = ?1";

pub(crate) const SELECT_BENCHMARKS: &str = "SELECT ordinal, name, params, command, status_kind, \
     status_text, labels, mode FROM benchmarks WHERE run_id = ?1 ORDER BY ordinal";

pub(crate) const SELECT_METRICS: &str = "SELECT bench_ordinal, ordinal, bench_name, measure, \
     unit, direction, exact, summary, median, samples, iterations, precision \
     FROM metrics WHERE run_id = ?1 ORDER BY bench_ordinal, ordinal";

pub(crate) const DELETE_RUN: &str = "DELETE FROM runs WHERE id = ?1";

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

pub(crate) const SERIES: &str = "SELECT r.id, r.started_at, r.git_commit, r.fingerprint, \
     m.median FROM metrics m JOIN runs r ON r.id = m.run_id \
     WHERE m.bench_name = ?1 AND m.measure = ?2 AND m.median IS NOT NULL \
     ORDER BY r.started_ns DESC, r.id DESC LIMIT ?3";

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

/// A value either backend can read from a column.
pub(crate) trait Column: rusqlite::types::FromSql + postgres::types::FromSqlOwned {}

impl<T: rusqlite::types::FromSql + postgres::types::FromSqlOwned> Column for T {}

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
    })
}

/// A row of [`SELECT_BENCHMARKS`].
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

/// A row of [`SELECT_METRICS`].
pub(crate) fn metric_row<R: Columns>(r: &R) -> Result<MetricRow, R::Error> {
    Ok(MetricRow {
        bench_ordinal: r.column(0)?,
        ordinal: r.column(1)?,
        bench_name: r.column(2)?,
        measure: r.column(3)?,
        unit: r.column(4)?,
        direction: r.column(5)?,
        exact: r.column(6)?,
        summary: r.column(7)?,
        median: r.column(8)?,
        samples: r.column(9)?,
        iterations: r.column(10)?,
        precision: r.column(11)?,
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
             benchmark_count FROM runs WHERE fingerprint = $1 ORDER BY started_ns DESC, id DESC \
             LIMIT $2"
        );
    }
}
