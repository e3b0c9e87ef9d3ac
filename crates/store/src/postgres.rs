//! The PostgreSQL backend (a team's shared store), over the synchronous `postgres` client without
//! TLS.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use benchgate_model::{Measure, Mode, Run, Source};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::body;
use crate::codec::{self, to_i64};
use crate::queries::{self, postgres as pg};
use crate::schema;
use crate::token::{self, TokenRecord, TokenScope};
use crate::{
    Baseline, BaselinedRuns, BranchSummary, Deleted, LatestMeasurement, NoiseFloor, ProjectSummary,
    Result, RunSummary, SeriesPoint, Store, StoreError,
};

/// Serialises concurrent migrations of one database (`pg_advisory_xact_lock` key, "benchgat").
const MIGRATION_LOCK: i64 = 0x6265_6e63_6867_6174;

type Params<'a> = [&'a (dyn ToSql + Sync)];

/// A history store in a PostgreSQL database.
///
/// The synchronous `postgres` client drives its own small tokio runtime, so inside an async runtime
/// (the server) call the store from `tokio::task::spawn_blocking`, never directly from a task.
pub struct PostgresStore {
    client: Mutex<Client>,
    /// Names by id, as read (an id's name never changes once committed).
    names: Mutex<HashMap<i64, String>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`) and brings the schema
    /// up to date.
    pub fn connect(url: &str) -> Result<PostgresStore> {
        let mut client = Client::connect(url, NoTls).map_err(StoreError::postgres(format!(
            "cannot connect to {}",
            crate::redact(url)
        )))?;
        migrate(&mut client, &crate::redact(url))?;
        Ok(PostgresStore {
            client: Mutex::new(client),
            names: Mutex::new(HashMap::new()),
        })
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        self.lock()
            .query_one(&pg(queries::SCHEMA_VERSION), &[])
            .and_then(|r| r.try_get(0))
            .map_err(StoreError::postgres("cannot read the schema version"))
    }

    fn lock(&self) -> MutexGuard<'_, Client> {
        // A transaction dropped by a panic rolls back, so the client stays usable.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The points of [`queries::SERIES`] or [`queries::SERIES_IN`], oldest first.
    fn read_series(
        &self,
        sql: &str,
        params: &Params<'_>,
        benchmark: &str,
        measure: &Measure,
    ) -> Result<Vec<SeriesPoint>> {
        let err =
            || StoreError::postgres(format!("cannot read the series of {benchmark} / {measure}"));
        let rows = self.lock().query(&pg(sql), params).map_err(err())?;
        let mut points = rows
            .iter()
            .map(|r| {
                let (id, at, commit, fp, median) = queries::series_row(r).map_err(err())?;
                codec::decode_point(&id, &at, commit, fp, median)
            })
            .collect::<Result<Vec<_>>>()?;
        points.reverse();
        Ok(points)
    }

    fn summaries(&self, where_clause: &str, params: &Params<'_>) -> Result<Vec<RunSummary>> {
        let sql = pg(&queries::summaries(where_clause, params.len()));
        let rows = self
            .lock()
            .query(&sql, params)
            .map_err(StoreError::postgres("cannot list runs"))?;
        rows.iter()
            .map(|r| {
                queries::summary_row(r)
                    .map_err(StoreError::postgres("cannot list runs"))
                    .and_then(codec::decode_summary)
            })
            .collect()
    }
}

fn migrate(client: &mut Client, location: &str) -> Result<()> {
    let err = StoreError::postgres;
    let mut tx = client
        .transaction()
        .map_err(err("cannot start the migration transaction"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err("cannot take the migration lock"))?;
    // Another program's database is never given benchgate's tables.
    let names = |sql: &str, tx: &mut postgres::Transaction<'_>| -> Result<Vec<String>> {
        tx.query(sql, &[])
            .map_err(err("cannot list the tables"))?
            .iter()
            .map(|r| {
                r.try_get::<_, String>(0)
                    .map_err(err("cannot list the tables"))
            })
            .collect()
    };
    let tables = names(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() ORDER BY table_name",
        &mut tx,
    )?;
    let marker_columns = names(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
        &mut tx,
    )?;
    schema::check_ours(location, &tables, &marker_columns)?;
    tx.batch_execute(schema::CREATE_MIGRATIONS_TABLE)
        .map_err(err("cannot create schema_migrations"))?;
    let current: i64 = tx
        .query_one(&pg(queries::SCHEMA_VERSION), &[])
        .and_then(|r| r.try_get(0))
        .map_err(err("cannot read the schema version"))?;
    for (version, sql) in schema::pending(current, &schema::POSTGRES)? {
        tx.batch_execute(sql).map_err(StoreError::postgres(format!(
            "cannot apply migration {version}"
        )))?;
        if version == schema::PACKED {
            pack_v5_runs(&mut tx)?;
            tx.batch_execute(schema::POSTGRES_V6_DROP)
                .map_err(StoreError::postgres(format!(
                    "cannot apply migration {version}: cannot drop the old tables"
                )))?;
        }
        tx.execute(&pg(queries::INSERT_MIGRATION), &[&version, &codec::now()])
            .map_err(StoreError::postgres(format!(
                "cannot record migration {version}"
            )))?;
    }
    tx.commit().map_err(err("cannot commit the migrations"))
}

fn run_exists(client: &mut impl GenericClient, id: &str) -> Result<bool, postgres::Error> {
    Ok(client
        .query_opt(&pg(queries::RUN_EXISTS), &[&id])?
        .is_some())
}

/// Inserts one encoded run inside `tx`; an id already stored is [`StoreError::DuplicateRun`].
fn insert_run(
    tx: &mut postgres::Transaction<'_>,
    project: &str,
    run: &Run,
    enc: &codec::Encoded,
) -> Result<()> {
    let id = run.id;
    let context = |what: &str| format!("cannot store run {id}: {what}");
    let seq: i64 = tx
        .query_one("SELECT nextval(pg_get_serial_sequence('runs', 'seq'))", &[])
        .and_then(|r| r.try_get(0))
        .map_err(StoreError::postgres(context("cannot number the run")))?;
    let r = &enc.run;
    let inserted = tx.execute(
        &pg(queries::INSERT_RUN),
        &[
            &r.id,
            &r.schema_tag,
            &r.started_at,
            &r.started_ns,
            &r.ended_at,
            &r.source,
            &r.mode,
            &r.commit,
            &r.branch,
            &r.dirty,
            &r.merge_base,
            &r.tags,
            &r.environment,
            &r.fingerprint,
            &r.benchmark_count,
            &seq,
            &project,
        ],
    );
    match inserted {
        Ok(_) => {}
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::DuplicateRun { id });
        }
        Err(e) => return Err(StoreError::postgres(context("cannot insert the run"))(e)),
    }
    insert_body(tx, run, seq, r.started_ns, &enc.strings)
}

/// Stores the packed benchmarks of `run` (number `seq`) and its points; `strings` are those of
/// [`body::strings`]. One statement per table, the rows passed as arrays: a round trip per row
/// made a 100-benchmark run cost ~20 ms on loopback.
fn insert_body(
    tx: &mut postgres::Transaction<'_>,
    run: &Run,
    seq: i64,
    started_ns: i64,
    strings: &[String],
) -> Result<()> {
    let context = |what: &str| format!("cannot store run {}: {what}", run.id);
    tx.execute(
        "INSERT INTO names (name) SELECT * FROM UNNEST($1::text[]) ON CONFLICT (name) DO NOTHING",
        &[&strings],
    )
    .map_err(StoreError::postgres(context("cannot store the names")))?;
    let ids = tx
        .query(
            "SELECT name, id FROM names WHERE name = ANY($1::text[])",
            &[&strings],
        )
        .and_then(|rows| {
            rows.iter()
                .map(|r| Ok((r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)?)))
                .collect::<Result<HashMap<_, _>, postgres::Error>>()
        })
        .map_err(StoreError::postgres(context("cannot store the names")))?;
    let (packed, points) = body::encode(run, &ids)?;
    tx.execute(&pg(queries::INSERT_BODY), &[&seq, &packed])
        .map_err(StoreError::postgres(context(
            "cannot insert the benchmarks",
        )))?;
    let source_id = ids.get(&run.source.to_string()).copied();
    let fingerprint_id = ids.get(&run.environment.fingerprint).copied();
    tx.execute(
        "INSERT INTO points (name_id, started_ns, run_seq, measure_id, source_id, \
         fingerprint_id, mode, ok, median) \
         SELECT u.name_id, $1::int8, $2::int8, u.measure_id, $3::int8, $4::int8, u.mode, u.ok, \
         u.median FROM UNNEST($5::int8[], $6::int8[], $7::text[], $8::bool[], $9::float8[]) \
         AS u (name_id, measure_id, mode, ok, median)",
        &[
            &started_ns,
            &seq,
            &source_id,
            &fingerprint_id,
            &points.iter().map(|p| p.name_id).collect::<Vec<_>>(),
            &points.iter().map(|p| p.measure_id).collect::<Vec<_>>(),
            &points.iter().map(|p| p.mode).collect::<Vec<_>>(),
            &points.iter().map(|p| p.ok).collect::<Vec<_>>(),
            &points.iter().map(|p| p.median).collect::<Vec<_>>(),
        ],
    )
    .map_err(StoreError::postgres(context("cannot index the metrics")))?;
    Ok(())
}

/// The version 6 conversion: each run's benchmark and metric rows (schema 5) packed into its
/// body, with its points. A run whose rows do not decode is left without a body (it then reads
/// as unreadable and can be deleted) rather than making the whole store unopenable.
fn pack_v5_runs(tx: &mut postgres::Transaction<'_>) -> Result<()> {
    let err = || StoreError::postgres("cannot apply migration 6: cannot convert the stored runs");
    let ids = tx
        .query(&pg(queries::V5_RUNS), &[])
        .and_then(|rows| {
            rows.iter()
                .map(|r| r.try_get::<_, String>(0))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(err())?;
    for id in ids {
        let row = tx
            .query_one(&pg(queries::SELECT_RUN), &[&id])
            .and_then(|r| queries::run_row(&r))
            .map_err(err())?;
        let benches = tx
            .query(&pg(queries::V5_SELECT_BENCHMARKS), &[&id])
            .and_then(|rows| {
                rows.iter()
                    .map(queries::bench_row)
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(err())?;
        let metrics = tx
            .query(&pg(queries::V5_SELECT_METRICS), &[&id])
            .and_then(|rows| {
                rows.iter()
                    .map(queries::metric_row)
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(err())?;
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

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn put_runs_in(&self, project: &str, runs: &[Run]) -> Result<()> {
        crate::check_project_name(project)?;
        let encoded = codec::encode_batch(runs)?;
        let mut client = self.lock();
        let mut tx = client.transaction().map_err(StoreError::postgres(
            "cannot store runs: cannot start the transaction",
        ))?;
        tx.execute(&pg(queries::INSERT_PROJECT), &[&project])
            .map_err(StoreError::postgres(format!(
                "cannot store runs: cannot record project {project:?}"
            )))?;
        for (run, enc) in runs.iter().zip(&encoded) {
            insert_run(&mut tx, project, run, enc)?;
        }
        let context = match runs {
            [run] => format!("cannot store run {}: cannot commit", run.id),
            _ => format!("cannot store {} runs: cannot commit", runs.len()),
        };
        tx.commit().map_err(StoreError::postgres(context))
    }

    fn projects(&self) -> Result<Vec<ProjectSummary>> {
        let err = || StoreError::postgres("cannot list the projects");
        let rows = self
            .lock()
            .query(&pg(queries::PROJECTS), &[])
            .map_err(err())?;
        let rows = rows
            .iter()
            .map(queries::project_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(err())?;
        codec::decode_projects(rows)
    }

    fn project_exists(&self, project: &str) -> Result<bool> {
        Ok(self
            .lock()
            .query_opt(&pg(queries::PROJECT_EXISTS), &[&project])
            .map_err(StoreError::postgres(format!(
                "cannot look project {project:?} up"
            )))?
            .is_some())
    }

    fn branches(&self, project: &str) -> Result<Vec<BranchSummary>> {
        let err = || StoreError::postgres(format!("cannot list the branches of {project:?}"));
        let rows = self
            .lock()
            .query(&pg(queries::BRANCHES), &[&project])
            .map_err(err())?;
        let rows = rows
            .iter()
            .map(queries::branch_row)
            .collect::<Result<Vec<_>, _>>()
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
        let err =
            || StoreError::postgres(format!("cannot read the benchmark names of {project:?}"));
        let rows = self
            .lock()
            .query(&pg(queries::BENCHMARK_NAMES_IN), &[&project])
            .map_err(err())?;
        rows.iter().map(|r| r.try_get(0).map_err(err())).collect()
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
            &[&benchmark, &measure.as_str(), &to_i64(limit), &project],
            benchmark,
            measure,
        )
    }

    fn delete_runs(&self, ids: &[Uuid], baselines: BaselinedRuns) -> Result<Deleted> {
        let err = || StoreError::postgres("cannot delete runs");
        let mut client = self.lock();
        let mut tx = client.transaction().map_err(err())?;
        let mut deleted = Deleted::default();
        let mut seen = std::collections::HashSet::new();
        for &id in ids {
            if !seen.insert(id) {
                continue;
            }
            let text = id.to_string();
            let Some(found) = tx
                .query_opt(&pg(queries::RUN_TO_DELETE), &[&text])
                .map_err(err())?
            else {
                return Err(StoreError::UnknownRun { id });
            };
            let seq: i64 = found.try_get(0).map_err(err())?;
            let started_ns: i64 = found.try_get(1).map_err(err())?;
            let packed: Option<Vec<u8>> = found.try_get(2).map_err(err())?;
            let rows = tx
                .query(&pg(queries::BASELINES_OF_RUN), &[&text])
                .map_err(err())?;
            let pointing = rows
                .iter()
                .map(|row| {
                    let (name, run_id, at) = queries::baseline_row(row).map_err(err())?;
                    codec::decode_baseline(name, &run_id, &at)
                })
                .collect::<Result<Vec<_>>>()?;
            if !codec::may_delete(id, pointing, baselines, &mut deleted)? {
                continue;
            }
            match packed.as_deref().and_then(body::name_ids) {
                Some(name_ids) => tx.execute(
                    "DELETE FROM points WHERE name_id = ANY($1::int8[]) AND started_ns = $2 \
                     AND run_seq = $3",
                    &[&name_ids, &started_ns, &seq],
                ),
                None => tx.execute(&pg(queries::DELETE_POINTS_OF_RUN), &[&seq]),
            }
            .map_err(err())?;
            // Its body and baselines go with it (ON DELETE CASCADE).
            tx.execute(&pg(queries::DELETE_RUN), &[&text])
                .map_err(err())?;
            deleted.runs.push(id);
        }
        tx.commit().map_err(err())?;
        Ok(deleted)
    }

    fn runs_started_before(&self, cutoff: OffsetDateTime) -> Result<Vec<Uuid>> {
        let err = || StoreError::postgres("cannot list old runs");
        let cutoff_ns = codec::cutoff_ns(cutoff);
        let rows = self
            .lock()
            .query(&pg(queries::RUNS_STARTED_BEFORE), &[&cutoff_ns])
            .map_err(err())?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).map_err(err())?;
                codec::parse_uuid(&id)
            })
            .collect()
    }

    fn get_run(&self, id: Uuid) -> Result<Option<Run>> {
        let err = || StoreError::postgres(format!("cannot read run {id}"));
        let uuid = id;
        let id = id.to_string();
        let mut client = self.lock();
        // Runs are written in one transaction and never changed, so three reads agree.
        let row = client
            .query_opt(&pg(queries::SELECT_RUN), &[&id])
            .map_err(err())?;
        let Some(row) = row else {
            return Ok(None);
        };
        let row = queries::run_row(&row).map_err(err())?;
        let packed: Option<Vec<u8>> = match row.seq {
            Some(seq) => client
                .query_opt(&pg(queries::SELECT_BODY), &[&seq])
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(err())?,
            None => None,
        };
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        let mut name = |name_id: i64| -> Result<String> {
            if let Some(name) = names.get(&name_id) {
                return Ok(name.clone());
            }
            let found: Option<String> = client
                .query_opt(&pg(queries::NAME_OF_ID), &[&name_id])
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(err())?;
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
        let len = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
        self.summaries(queries::AT_COMMIT_PREFIX, &[&prefix, &len, &i64::MAX])
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
        let err = || StoreError::postgres("cannot find the latest measurements");
        // The wanted pairs travel as two array parameters; each is a backward index scan of the
        // benchmark's `points`, usually stopped at its first row.
        let rows = self
            .lock()
            .query(
                "SELECT w.ord - 1, m.id \
                 FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS w (name, mode, ord) \
                 CROSS JOIN LATERAL ( \
                     SELECT r.id FROM points p JOIN runs r ON r.seq = p.run_seq \
                     WHERE p.name_id = (SELECT id FROM names WHERE name = w.name) \
                       AND p.source_id = (SELECT id FROM names WHERE name = $3) \
                       AND p.fingerprint_id = (SELECT id FROM names WHERE name = $4) \
                       AND p.mode = w.mode AND p.ok AND r.id IS DISTINCT FROM $5::text \
                     ORDER BY p.started_ns DESC, r.id DESC LIMIT 1) m \
                 ORDER BY w.ord",
                &[
                    &wanted.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                    &wanted.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>(),
                    &source.to_string(),
                    &fingerprint,
                    &exclude.map(|id| id.to_string()),
                ],
            )
            .map_err(err())?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, Option<String>>(1)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(err())?;
        codec::decode_latest(&wanted, rows)
    }

    fn save_baseline(&self, name: &str, run_id: Uuid) -> Result<()> {
        codec::check_name(name)?;
        let err = || StoreError::postgres(format!("cannot save baseline {name:?}"));
        let mut client = self.lock();
        let mut tx = client.transaction().map_err(err())?;
        let id = run_id.to_string();
        if !run_exists(&mut tx, &id).map_err(err())? {
            return Err(StoreError::UnknownRun { id: run_id });
        }
        tx.execute(&pg(queries::UPSERT_BASELINE), &[&name, &id, &codec::now()])
            .map_err(err())?;
        tx.commit().map_err(err())
    }

    fn list_baselines(&self) -> Result<Vec<Baseline>> {
        let err = || StoreError::postgres("cannot list baselines");
        let rows = self
            .lock()
            .query(&pg(queries::LIST_BASELINES), &[])
            .map_err(err())?;
        rows.iter()
            .map(|r| {
                let (name, id, at) = queries::baseline_row(r).map_err(err())?;
                codec::decode_baseline(name, &id, &at)
            })
            .collect()
    }

    fn delete_baseline(&self, name: &str) -> Result<()> {
        let deleted = self
            .lock()
            .execute(&pg(queries::DELETE_BASELINE), &[&name])
            .map_err(StoreError::postgres(format!(
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
        let err = || StoreError::postgres(format!("cannot read baseline {name:?}"));
        let row = self
            .lock()
            .query_opt(&pg(queries::BASELINE_RUN), &[&name])
            .map_err(err())?;
        match row {
            None => Ok(None),
            Some(row) => {
                let id: String = row.try_get(0).map_err(err())?;
                codec::parse_uuid(&id).map(Some)
            }
        }
    }

    fn save_noise_floor(&self, floor: &NoiseFloor) -> Result<()> {
        let (at, samples) = codec::encode_noise_floor(floor)?;
        self.lock()
            .execute(
                &pg(queries::UPSERT_NOISE_FLOOR),
                &[
                    &floor.fingerprint,
                    &floor.benchmark,
                    &floor.measure.as_str(),
                    &floor.relative,
                    &samples,
                    &floor.method,
                    &at,
                ],
            )
            .map_err(StoreError::postgres("cannot save a noise floor"))?;
        Ok(())
    }

    fn noise_floors(&self, fingerprint: &str) -> Result<Vec<NoiseFloor>> {
        let err = || StoreError::postgres("cannot read noise floors");
        let rows = self
            .lock()
            .query(&pg(queries::NOISE_FLOORS), &[&fingerprint])
            .map_err(err())?;
        rows.iter()
            .map(|r| {
                let (f, b, m, rel, n, method, at) = queries::noise_floor_row(r).map_err(err())?;
                codec::decode_noise_floor(f, b, &m, rel, n, method, &at)
            })
            .collect::<Result<Vec<_>>>()
            .map(codec::sort_noise_floors)
    }

    fn series(&self, benchmark: &str, measure: &Measure, limit: usize) -> Result<Vec<SeriesPoint>> {
        self.read_series(
            queries::SERIES,
            &[&benchmark, &measure.as_str(), &to_i64(limit)],
            benchmark,
            measure,
        )
    }

    fn benchmark_names(&self) -> Result<Vec<String>> {
        let err = || StoreError::postgres("cannot read the benchmark names".to_string());
        let rows = self
            .lock()
            .query(&pg(queries::BENCHMARK_NAMES), &[])
            .map_err(err())?;
        rows.iter().map(|r| r.try_get(0).map_err(err())).collect()
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
        let err = || StoreError::postgres("cannot save the token");
        let mut client = self.lock();
        let mut tx = client.transaction().map_err(err())?;
        if let Some(project) = project {
            tx.execute(&pg(queries::INSERT_PROJECT), &[&project])
                .map_err(err())?;
        }
        let row = tx
            .query_one(
                &pg(queries::INSERT_TOKEN),
                &[&scope.as_str(), &sha256, &project, &created_at],
            )
            .map_err(err())?;
        let id: i64 = row.try_get(0).map_err(err())?;
        tx.commit().map_err(err())?;
        token::decode_token(id, scope.as_str(), project.map(str::to_string), &created_at)
    }

    fn token_by_hash(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        let err = || StoreError::postgres("cannot look the token up");
        let row = self
            .lock()
            .query_opt(&pg(queries::TOKEN_BY_HASH), &[&sha256])
            .map_err(err())?;
        row.map(|r| {
            let (id, scope, project, at) = queries::token_row(&r).map_err(err())?;
            token::decode_token(id, &scope, project, &at)
        })
        .transpose()
    }

    fn list_tokens(&self) -> Result<Vec<TokenRecord>> {
        let err = || StoreError::postgres("cannot list the tokens");
        let rows = self
            .lock()
            .query(&pg(queries::LIST_TOKENS), &[])
            .map_err(err())?;
        rows.iter()
            .map(|r| {
                let (id, scope, project, at) = queries::token_row(r).map_err(err())?;
                token::decode_token(id, &scope, project, &at)
            })
            .collect()
    }

    fn revoke_token(&self, id: i64) -> Result<bool> {
        let deleted = self
            .lock()
            .execute(&pg(queries::DELETE_TOKEN), &[&id])
            .map_err(StoreError::postgres(format!("cannot revoke token {id}")))?;
        Ok(deleted > 0)
    }
}
