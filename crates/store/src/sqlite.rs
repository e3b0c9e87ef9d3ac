//! The embedded SQLite backend.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use benchgate_model::{Measure, Mode, Run, Source};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::codec::{self, to_i64};
use crate::schema;
use crate::token::{self, TokenRecord, TokenScope};
use crate::{
    Baseline, BaselinedRuns, BranchSummary, Deleted, LatestMeasurement, NoiseFloor, ProjectSummary,
    Result, RunSummary, SeriesPoint, Store, StoreError,
};
use crate::{body, queries};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A history store in one SQLite file (WAL journal, so readers never block the writer).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Names by id, as read (an id's name never changes once committed).
    names: Mutex<HashMap<i64, String>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens or creates the database at `path` (creating its parent directories) and brings its
    /// schema up to date.
    pub fn open(path: impl Into<PathBuf>) -> Result<SqliteStore> {
        let path = path.into();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let shown = path.display().to_string();
        let mut conn =
            Connection::open(&path).map_err(StoreError::sqlite(format!("cannot open {shown}")))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(StoreError::sqlite("cannot set the busy timeout"))?;
        enable_wal(&conn).map_err(StoreError::sqlite(format!(
            "cannot switch {shown} to the WAL journal"
        )))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(StoreError::sqlite("cannot configure the connection"))?;
        migrate(&mut conn, &path).map_err(|e| disk_full(&path, e))?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
            names: Mutex::new(HashMap::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        self.lock()
            .query_row(queries::SCHEMA_VERSION, [], |r| r.get(0))
            .map_err(StoreError::sqlite("cannot read the schema version"))
    }

    /// Runs `PRAGMA integrity_check` and returns its report (`"ok"` for a sound database).
    pub fn integrity_check(&self) -> Result<String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .map_err(StoreError::sqlite("cannot check integrity"))?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(StoreError::sqlite("cannot check integrity"))?;
        Ok(lines.join("\n"))
    }

    fn put_runs_now(&self, project: &str, runs: &[Run]) -> Result<()> {
        crate::check_project_name(project)?;
        let encoded = codec::encode_batch(runs)?;
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::sqlite(
                "cannot store runs: cannot start the transaction",
            ))?;
        tx.execute(queries::INSERT_PROJECT, [project])
            .map_err(StoreError::sqlite(format!(
                "cannot store runs: cannot record project {project:?}"
            )))?;
        for (run, enc) in runs.iter().zip(&encoded) {
            insert_run(&tx, project, run, enc)?;
        }
        let context = match runs {
            [run] => format!("cannot store run {}: cannot commit", run.id),
            _ => format!("cannot store {} runs: cannot commit", runs.len()),
        };
        tx.commit().map_err(StoreError::sqlite(context))
    }

    fn delete_runs_now(&self, ids: &[Uuid], baselines: BaselinedRuns) -> Result<Deleted> {
        let err = || StoreError::sqlite("cannot delete runs");
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err())?;
        let mut deleted = Deleted::default();
        let mut seen = std::collections::HashSet::new();
        for &id in ids {
            if !seen.insert(id) {
                continue;
            }
            let text = id.to_string();
            let found = tx
                .query_row(queries::RUN_TO_DELETE, [&text], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<Vec<u8>>>(2)?,
                    ))
                })
                .optional()
                .map_err(err())?;
            let Some((seq, started_ns, packed)) = found else {
                return Err(StoreError::UnknownRun { id });
            };
            let rows = {
                let mut stmt = tx
                    .prepare_cached(queries::BASELINES_OF_RUN)
                    .map_err(err())?;
                stmt.query_map([&text], |r| queries::baseline_row(r))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(err())?
            };
            let pointing = rows
                .into_iter()
                .map(|(name, run_id, at)| codec::decode_baseline(name, &run_id, &at))
                .collect::<Result<Vec<_>>>()?;
            if !codec::may_delete(id, pointing, baselines, &mut deleted)? {
                continue;
            }
            match packed.as_deref().and_then(body::name_ids) {
                Some(name_ids) => {
                    let mut stmt = tx.prepare_cached(queries::DELETE_POINTS).map_err(err())?;
                    for name_id in name_ids {
                        stmt.execute(params![name_id, started_ns, seq])
                            .map_err(err())?;
                    }
                }
                None => {
                    tx.execute(queries::DELETE_POINTS_OF_RUN, [seq])
                        .map_err(err())?;
                }
            }
            // Its body and baselines go with it (ON DELETE CASCADE).
            tx.execute(queries::DELETE_RUN, [&text]).map_err(err())?;
            deleted.runs.push(id);
        }
        tx.commit().map_err(err())?;
        Ok(deleted)
    }

    fn save_baseline_now(&self, name: &str, run_id: Uuid) -> Result<()> {
        codec::check_name(name)?;
        let err = || StoreError::sqlite(format!("cannot save baseline {name:?}"));
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err())?;
        let id = run_id.to_string();
        let exists = tx
            .query_row(queries::RUN_EXISTS, [&id], |_| Ok(()))
            .optional()
            .map_err(err())?
            .is_some();
        if !exists {
            return Err(StoreError::UnknownRun { id: run_id });
        }
        tx.execute(queries::UPSERT_BASELINE, params![name, id, codec::now()])
            .map_err(err())?;
        tx.commit().map_err(err())
    }

    fn save_noise_floor_now(&self, floor: &NoiseFloor) -> Result<()> {
        let (at, samples) = codec::encode_noise_floor(floor)?;
        self.lock()
            .execute(
                queries::UPSERT_NOISE_FLOOR,
                params![
                    floor.fingerprint,
                    floor.benchmark,
                    floor.measure.as_str(),
                    floor.relative,
                    samples,
                    floor.method,
                    at
                ],
            )
            .map_err(StoreError::sqlite("cannot save a noise floor"))?;
        Ok(())
    }

    /// A full disk said as such, with the file: SQLite only says "database or disk is full".
    fn said_plainly(&self, error: StoreError) -> StoreError {
        disk_full(&self.path, error)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written run: the transaction rolls
        // back when dropped, so the connection is still usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The points of [`queries::SERIES`] or [`queries::SERIES_IN`], oldest first.
    fn read_series(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
        benchmark: &str,
        measure: &Measure,
    ) -> Result<Vec<SeriesPoint>> {
        let conn = self.lock();
        let err =
            || StoreError::sqlite(format!("cannot read the series of {benchmark} / {measure}"));
        let mut stmt = conn.prepare_cached(sql).map_err(err())?;
        let rows = stmt
            .query_map(params, |r| queries::series_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        let mut points = rows
            .into_iter()
            .map(|(id, at, commit, fp, median)| codec::decode_point(&id, &at, commit, fp, median))
            .collect::<Result<Vec<_>>>()?;
        points.reverse();
        Ok(points)
    }

    fn summaries(
        &self,
        where_clause: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<RunSummary>> {
        let conn = self.lock();
        let sql = queries::summaries(where_clause, params.len());
        let mut stmt = conn
            .prepare_cached(&sql)
            .map_err(StoreError::sqlite("cannot list runs"))?;
        let rows = stmt
            .query_map(params, |r| queries::summary_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(StoreError::sqlite("cannot list runs"))?;
        rows.into_iter().map(codec::decode_summary).collect()
    }
}

/// Switches to WAL. The switch needs an exclusive lock, which several processes opening a new file
/// at once may contend for; retry within the busy timeout.
fn enable_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// [`StoreError::DiskFull`] for an SQLite error that says the disk is full; any other error
/// as it is.
pub(crate) fn disk_full(path: &Path, error: StoreError) -> StoreError {
    match &error {
        StoreError::Sqlite { source, .. }
            if source.sqlite_error_code() == Some(ErrorCode::DiskFull) =>
        {
            StoreError::DiskFull {
                path: path.to_path_buf(),
            }
        }
        _ => error,
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let err = StoreError::sqlite;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("cannot start the migration transaction"))?;
    // Another program's database is never given benchgate's tables.
    let tables = {
        let mut stmt = tx
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
            )
            .map_err(err("cannot list the tables"))?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err("cannot list the tables"))?
    };
    let marker_columns = {
        let mut stmt = tx
            .prepare("SELECT name FROM pragma_table_info('schema_migrations')")
            .map_err(err("cannot read schema_migrations"))?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err("cannot read schema_migrations"))?
    };
    schema::check_ours(&path.display().to_string(), &tables, &marker_columns)?;
    tx.execute(schema::CREATE_MIGRATIONS_TABLE, [])
        .map_err(err("cannot create schema_migrations"))?;
    let current: i64 = tx
        .query_row(queries::SCHEMA_VERSION, [], |r| r.get(0))
        .map_err(err("cannot read the schema version"))?;
    for (version, sql) in schema::pending(current, &schema::SQLITE)? {
        tx.execute_batch(sql).map_err(StoreError::sqlite(format!(
            "cannot apply migration {version}"
        )))?;
        if version == schema::PACKED {
            pack_v5_runs(&tx)?;
            tx.execute_batch(schema::SQLITE_V6_DROP)
                .map_err(StoreError::sqlite(format!(
                    "cannot apply migration {version}: cannot drop the old tables"
                )))?;
        }
        tx.execute(queries::INSERT_MIGRATION, params![version, codec::now()])
            .map_err(StoreError::sqlite(format!(
                "cannot record migration {version}"
            )))?;
    }
    tx.commit().map_err(err("cannot commit the migrations"))
}

/// Inserts one encoded run inside `tx`; an id already stored is [`StoreError::DuplicateRun`].
fn insert_run(
    tx: &rusqlite::Transaction<'_>,
    project: &str,
    run: &Run,
    enc: &codec::Encoded,
) -> Result<()> {
    let id = run.id;
    let context = |what: &str| format!("cannot store run {id}: {what}");
    let exists = tx
        .query_row(queries::RUN_EXISTS, [&enc.run.id], |_| Ok(()))
        .optional()
        .map_err(StoreError::sqlite(context("cannot look the id up")))?
        .is_some();
    if exists {
        return Err(StoreError::DuplicateRun { id });
    }
    let seq: i64 = tx
        .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM runs", [], |r| {
            r.get(0)
        })
        .map_err(StoreError::sqlite(context("cannot number the run")))?;
    let r = &enc.run;
    tx.execute(
        queries::INSERT_RUN,
        params![
            r.id,
            r.schema_tag,
            r.started_at,
            r.started_ns,
            r.ended_at,
            r.source,
            r.mode,
            r.commit,
            r.branch,
            r.dirty,
            r.merge_base,
            r.tags,
            r.environment,
            r.fingerprint,
            r.benchmark_count,
            seq,
            project
        ],
    )
    .map_err(StoreError::sqlite(context("cannot insert the run")))?;
    insert_body(tx, run, seq, r.started_ns, &enc.strings)
}

/// Stores the packed benchmarks of `run` (number `seq`) and its points; `strings` are those of
/// [`body::strings`].
fn insert_body(
    tx: &rusqlite::Transaction<'_>,
    run: &Run,
    seq: i64,
    started_ns: i64,
    strings: &[String],
) -> Result<()> {
    let context = |what: &str| format!("cannot store run {}: {what}", run.id);
    let mut ids = HashMap::with_capacity(strings.len());
    {
        let mut insert = tx
            .prepare_cached(queries::INSERT_NAME)
            .map_err(StoreError::sqlite(context("cannot store the names")))?;
        let mut select = tx
            .prepare_cached(queries::ID_OF_NAME)
            .map_err(StoreError::sqlite(context("cannot store the names")))?;
        for s in strings {
            insert
                .execute([s])
                .map_err(StoreError::sqlite(context("cannot store a name")))?;
            let id: i64 = select
                .query_row([s], |r| r.get(0))
                .map_err(StoreError::sqlite(context("cannot store a name")))?;
            ids.insert(s.clone(), id);
        }
    }
    let (packed, points) = body::encode(run, &ids)?;
    tx.execute(queries::INSERT_BODY, params![seq, packed])
        .map_err(StoreError::sqlite(context("cannot insert the benchmarks")))?;
    let source_id = ids.get(&run.source.to_string()).copied();
    let fingerprint_id = ids.get(&run.environment.fingerprint).copied();
    let mut stmt = tx
        .prepare_cached(queries::INSERT_POINT)
        .map_err(StoreError::sqlite(context("cannot index the metrics")))?;
    for p in &points {
        stmt.execute(params![
            p.name_id,
            started_ns,
            seq,
            p.measure_id,
            source_id,
            fingerprint_id,
            p.mode,
            p.ok,
            p.median
        ])
        .map_err(StoreError::sqlite(context("cannot index a metric")))?;
    }
    Ok(())
}

/// The version 6 conversion: each run's benchmark and metric rows (schema 5) packed into its
/// body, with its points. A run whose rows do not decode is left without a body (it then reads
/// as unreadable and can be deleted) rather than making the whole store unopenable.
fn pack_v5_runs(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let err = || StoreError::sqlite("cannot apply migration 6: cannot convert the stored runs");
    let ids = {
        let mut stmt = tx.prepare(queries::V5_RUNS).map_err(err())?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?
    };
    for id in ids {
        let row = tx
            .query_row(queries::SELECT_RUN, [&id], |r| queries::run_row(r))
            .map_err(err())?;
        let benches = {
            let mut stmt = tx
                .prepare_cached(queries::V5_SELECT_BENCHMARKS)
                .map_err(err())?;
            stmt.query_map([&id], |r| queries::bench_row(r))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(err())?
        };
        let metrics = {
            let mut stmt = tx
                .prepare_cached(queries::V5_SELECT_METRICS)
                .map_err(err())?;
            stmt.query_map([&id], |r| queries::metric_row(r))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(err())?
        };
        let (Some(seq), started_ns) = (row.seq, row.started_ns) else {
            continue;
        };
        let Ok(run) = codec::decode_v5(row, benches, metrics) else {
            continue;
        };
        insert_body(tx, &run, seq, started_ns, &body::strings(&run))?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn put_runs_in(&self, project: &str, runs: &[Run]) -> Result<()> {
        self.put_runs_now(project, runs)
            .map_err(|e| self.said_plainly(e))
    }

    fn projects(&self) -> Result<Vec<ProjectSummary>> {
        let err = || StoreError::sqlite("cannot list the projects");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(queries::PROJECTS).map_err(err())?;
        let rows = stmt
            .query_map([], |r| queries::project_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        codec::decode_projects(rows)
    }

    fn project_exists(&self, project: &str) -> Result<bool> {
        Ok(self
            .lock()
            .query_row(queries::PROJECT_EXISTS, [project], |_| Ok(()))
            .optional()
            .map_err(StoreError::sqlite(format!(
                "cannot look project {project:?} up"
            )))?
            .is_some())
    }

    fn branches(&self, project: &str) -> Result<Vec<BranchSummary>> {
        let err = || StoreError::sqlite(format!("cannot list the branches of {project:?}"));
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(queries::BRANCHES).map_err(err())?;
        let rows = stmt
            .query_map([project], |r| queries::branch_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        codec::decode_branches(rows)
    }

    fn list_runs_in(&self, project: &str, limit: usize) -> Result<Vec<RunSummary>> {
        self.summaries(queries::IN_PROJECT, &[&project, &to_i64(limit)])
    }

    fn run_summary(&self, id: Uuid) -> Result<Option<RunSummary>> {
        let found = self.summaries(queries::WITH_ID, &[&id.to_string(), &1_i64])?;
        Ok(found.into_iter().next())
    }

    fn previous_run(&self, id: Uuid) -> Result<Option<RunSummary>> {
        let found = self.summaries(queries::BEFORE_RUN, &[&id.to_string(), &1_i64])?;
        Ok(found.into_iter().next())
    }

    fn benchmark_names_in(&self, project: &str) -> Result<Vec<String>> {
        let conn = self.lock();
        let err = || StoreError::sqlite(format!("cannot read the benchmark names of {project:?}"));
        let mut stmt = conn
            .prepare_cached(queries::BENCHMARK_NAMES_IN)
            .map_err(err())?;
        stmt.query_map([project], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(err())
    }

    fn series_in(
        &self,
        project: &str,
        benchmark: &str,
        measure: &Measure,
        limit: usize,
    ) -> Result<Vec<SeriesPoint>> {
        self.read_series(
            queries::SERIES_IN,
            params![benchmark, measure.as_str(), to_i64(limit), project],
            benchmark,
            measure,
        )
    }

    fn delete_runs(&self, ids: &[Uuid], baselines: BaselinedRuns) -> Result<Deleted> {
        self.delete_runs_now(ids, baselines)
            .map_err(|e| self.said_plainly(e))
    }

    fn runs_started_before(&self, cutoff: OffsetDateTime) -> Result<Vec<Uuid>> {
        let err = || StoreError::sqlite("cannot list old runs");
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(queries::RUNS_STARTED_BEFORE)
            .map_err(err())?;
        let ids = stmt
            .query_map([codec::cutoff_ns(cutoff)], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        ids.iter().map(|id| codec::parse_uuid(id)).collect()
    }

    fn get_run(&self, id: Uuid) -> Result<Option<Run>> {
        let context = || format!("cannot read run {id}");
        let uuid = id;
        let id = id.to_string();
        let mut conn = self.lock();
        // One read transaction, so the run and its rows come from one snapshot.
        let tx = conn.transaction().map_err(StoreError::sqlite(context()))?;
        let row = tx
            .query_row(queries::SELECT_RUN, [&id], |r| queries::run_row(r))
            .optional()
            .map_err(StoreError::sqlite(context()))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let packed: Option<Vec<u8>> = match row.seq {
            Some(seq) => tx
                .query_row(queries::SELECT_BODY, [seq], |r| r.get(0))
                .optional()
                .map_err(StoreError::sqlite(context()))?,
            None => None,
        };
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        let mut name = |name_id: i64| -> Result<String> {
            if let Some(name) = names.get(&name_id) {
                return Ok(name.clone());
            }
            let found: Option<String> = tx
                .query_row(queries::NAME_OF_ID, [name_id], |r| r.get(0))
                .optional()
                .map_err(StoreError::sqlite(context()))?;
            let found = found.ok_or_else(|| {
                StoreError::Corrupt(format!("name id {name_id} is not in the names table"))
            })?;
            names.insert(name_id, found.clone());
            Ok(found)
        };
        codec::decode_stored(uuid, row, packed, &mut name)
    }

    fn list_runs(&self, limit: usize) -> Result<Vec<RunSummary>> {
        self.summaries("", &[&to_i64(limit)])
    }

    fn runs_at_commit(&self, prefix: &str) -> Result<Vec<RunSummary>> {
        let prefix = codec::check_prefix(prefix)?;
        self.summaries(
            queries::AT_COMMIT_PREFIX,
            &[&prefix, &to_i64(prefix.chars().count()), &i64::MAX],
        )
    }

    fn latest_runs_with_fingerprint(&self, fingerprint: &str, n: usize) -> Result<Vec<RunSummary>> {
        self.summaries(queries::WITH_FINGERPRINT, &[&fingerprint, &to_i64(n)])
    }

    fn latest_runs_of_source(
        &self,
        source: &Source,
        fingerprint: Option<&str>,
        n: usize,
    ) -> Result<Vec<RunSummary>> {
        let source = source.to_string();
        match fingerprint {
            Some(fp) => self.summaries(
                queries::OF_SOURCE_AND_FINGERPRINT,
                &[&source, &fp, &to_i64(n)],
            ),
            None => self.summaries(queries::OF_SOURCE, &[&source, &to_i64(n)]),
        }
    }

    fn latest_measurements(
        &self,
        source: &Source,
        fingerprint: &str,
        wanted: &[(String, Mode)],
        exclude: Option<Uuid>,
    ) -> Result<Vec<LatestMeasurement>> {
        let wanted = codec::distinct_wanted(wanted);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // The wanted pairs travel as one JSON parameter, so any number of them fits in one
        // statement (SQLite binds at most 32 766 parameters); each is a backward scan of the
        // benchmark's `points`, usually stopped at its first row.
        let pairs: Vec<(&str, &str)> = wanted.iter().map(|(n, m)| (*n, m.as_str())).collect();
        let pairs = serde_json::to_string(&pairs).map_err(|e| {
            StoreError::InvalidArgument(format!("cannot encode the benchmark names ({e})"))
        })?;
        let err = || StoreError::sqlite("cannot find the latest measurements");
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "WITH wanted (ord, name, mode) AS ( \
                     SELECT key, value ->> 0, value ->> 1 FROM json_each(?1)) \
                 SELECT w.ord, ( \
                     SELECT r.id FROM points p JOIN runs r ON r.seq = p.run_seq \
                     WHERE p.name_id = (SELECT id FROM names WHERE name = w.name) \
                       AND p.source_id = (SELECT id FROM names WHERE name = ?2) \
                       AND p.fingerprint_id = (SELECT id FROM names WHERE name = ?3) \
                       AND p.mode = w.mode AND p.ok AND r.id IS NOT ?4 \
                     ORDER BY p.started_ns DESC, r.id DESC LIMIT 1) \
                 FROM wanted w ORDER BY w.ord",
            )
            .map_err(err())?;
        let rows = stmt
            .query_map(
                params![
                    pairs,
                    source.to_string(),
                    fingerprint,
                    exclude.map(|id| id.to_string())
                ],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        codec::decode_latest(&wanted, rows)
    }

    fn save_baseline(&self, name: &str, run_id: Uuid) -> Result<()> {
        self.save_baseline_now(name, run_id)
            .map_err(|e| self.said_plainly(e))
    }

    fn list_baselines(&self) -> Result<Vec<Baseline>> {
        let conn = self.lock();
        let err = || StoreError::sqlite("cannot list baselines");
        let mut stmt = conn
            .prepare_cached(queries::LIST_BASELINES)
            .map_err(err())?;
        let rows = stmt
            .query_map([], |r| queries::baseline_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        rows.into_iter()
            .map(|(name, id, at)| codec::decode_baseline(name, &id, &at))
            .collect()
    }

    fn delete_baseline(&self, name: &str) -> Result<()> {
        let deleted = self
            .lock()
            .execute(queries::DELETE_BASELINE, [name])
            .map_err(StoreError::sqlite(format!(
                "cannot delete baseline {name:?}"
            )))?;
        if deleted == 0 {
            return Err(StoreError::UnknownBaseline {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    fn baseline(&self, name: &str) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .lock()
            .query_row(queries::BASELINE_RUN, [name], |r| r.get(0))
            .optional()
            .map_err(StoreError::sqlite(format!("cannot read baseline {name:?}")))?;
        id.as_deref().map(codec::parse_uuid).transpose()
    }

    fn save_noise_floor(&self, floor: &NoiseFloor) -> Result<()> {
        self.save_noise_floor_now(floor)
            .map_err(|e| self.said_plainly(e))
    }

    fn noise_floors(&self, fingerprint: &str) -> Result<Vec<NoiseFloor>> {
        let conn = self.lock();
        let err = || StoreError::sqlite("cannot read noise floors");
        let mut stmt = conn.prepare_cached(queries::NOISE_FLOORS).map_err(err())?;
        let rows = stmt
            .query_map([fingerprint], |r| queries::noise_floor_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        rows.into_iter()
            .map(|(f, b, m, rel, n, method, at)| {
                codec::decode_noise_floor(f, b, &m, rel, n, method, &at)
            })
            .collect::<Result<Vec<_>>>()
            .map(codec::sort_noise_floors)
    }

    fn series(&self, benchmark: &str, measure: &Measure, limit: usize) -> Result<Vec<SeriesPoint>> {
        self.read_series(
            queries::SERIES,
            params![benchmark, measure.as_str(), to_i64(limit)],
            benchmark,
            measure,
        )
    }

    fn benchmark_names(&self) -> Result<Vec<String>> {
        let conn = self.lock();
        let err = || StoreError::sqlite("cannot read the benchmark names".to_string());
        let mut stmt = conn
            .prepare_cached(queries::BENCHMARK_NAMES)
            .map_err(err())?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(err())
    }

    fn save_token(
        &self,
        scope: TokenScope,
        sha256: &str,
        project: Option<&str>,
    ) -> Result<TokenRecord> {
        token::check_hash(sha256)?;
        if let Some(project) = project {
            crate::check_project_name(project)?;
        }
        let created_at = codec::now();
        let err = || StoreError::sqlite("cannot save the token");
        let saved = || -> Result<i64> {
            let mut conn = self.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err())?;
            if let Some(project) = project {
                tx.execute(queries::INSERT_PROJECT, [project])
                    .map_err(err())?;
            }
            let id = tx
                .query_row(
                    queries::INSERT_TOKEN,
                    params![scope.as_str(), sha256, project, created_at],
                    |r| r.get(0),
                )
                .map_err(err())?;
            tx.commit().map_err(err())?;
            Ok(id)
        };
        let id = saved().map_err(|e| self.said_plainly(e))?;
        token::decode_token(id, scope.as_str(), project.map(str::to_string), &created_at)
    }

    fn token_by_hash(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        let row = self
            .lock()
            .query_row(queries::TOKEN_BY_HASH, [sha256], |r| queries::token_row(r))
            .optional()
            .map_err(StoreError::sqlite("cannot look the token up"))?;
        row.map(|(id, scope, project, at)| token::decode_token(id, &scope, project, &at))
            .transpose()
    }

    fn list_tokens(&self) -> Result<Vec<TokenRecord>> {
        let conn = self.lock();
        let err = || StoreError::sqlite("cannot list the tokens");
        let mut stmt = conn.prepare_cached(queries::LIST_TOKENS).map_err(err())?;
        let rows = stmt
            .query_map([], |r| queries::token_row(r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err())?;
        rows.into_iter()
            .map(|(id, scope, project, at)| token::decode_token(id, &scope, project, &at))
            .collect()
    }

    fn revoke_token(&self, id: i64) -> Result<bool> {
        let conn = self.lock();
        let deleted = conn
            .execute(queries::DELETE_TOKEN, params![id])
            .map_err(StoreError::sqlite(format!("cannot revoke token {id}")))?;
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's SQLITE_FULL ("database or disk is full") reads as a full disk with the file it
    /// was writing; other errors are left alone. (Seen for real on a 200 KiB tmpfs.)
    #[test]
    fn a_full_disk_is_said_plainly() {
        let path = Path::new("/ci/.benchgate/history.db");
        let sqlite = |code| StoreError::Sqlite {
            context: "cannot store run x: cannot commit".into(),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        };
        let full = disk_full(path, sqlite(rusqlite::ffi::SQLITE_FULL));
        assert_eq!(
            full.to_string(),
            "disk full while writing /ci/.benchgate/history.db"
        );
        let busy = disk_full(path, sqlite(rusqlite::ffi::SQLITE_BUSY));
        assert!(matches!(busy, StoreError::Sqlite { .. }), "{busy}");
    }
}
