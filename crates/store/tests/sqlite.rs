//! The SQLite backend against real database files.

mod common;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use benchgate_store::{SqliteStore, Store, StoreError, schema};
use common::{ChildTask, big_run, spawn_child};

fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("history.db")).unwrap();
    (dir, store)
}

#[test]
fn child_writer() {
    common::child_writer();
}

#[test]
fn round_trip() {
    let (_dir, store) = temp_store();
    common::check_round_trip(&store);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn series_round_trip() {
    let (_dir, store) = temp_store();
    common::check_series_round_trip(&store);
}

#[test]
fn selectors_and_series() {
    let (_dir, store) = temp_store();
    common::check_selectors(&store);
}

#[test]
fn selectors_resolve() {
    let (_dir, store) = temp_store();
    common::check_resolve(&store);
}

#[test]
fn noise_floors() {
    let (_dir, store) = temp_store();
    common::check_noise_floors(&store);
}

#[test]
fn tokens() {
    let (_dir, store) = temp_store();
    common::check_tokens(&store);
}

#[test]
fn declared_baselines_round_trip() {
    let (_dir, store) = temp_store();
    common::check_declared_round_trip(&store);
}

#[test]
fn baselines() {
    let (_dir, store) = temp_store();
    common::check_baselines(&store);
}

#[test]
fn bad_baseline_names_are_refused() {
    let (_dir, store) = temp_store();
    common::check_bad_baseline_names(&store);
}

#[test]
fn mode_and_precision_round_trip() {
    let (_dir, store) = temp_store();
    common::check_mode_and_precision_round_trip(&store);
}

#[test]
fn last_is_per_benchmark() {
    let (_dir, store) = temp_store();
    common::check_last_per_benchmark(&store);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn last_with_more_benchmarks_than_sqlite_binds_parameters() {
    let (_dir, store) = temp_store();
    common::check_many_wanted_benchmarks(&store);
}

/// Writes a real schema version 5 store at `path` holding `runs`, with the old schema's own
/// migrations and the rows its SQL wrote (see `common::v5_rows`).
fn write_v5_store(path: &std::path::Path, runs: &[benchgate_model::Run]) {
    use common::V5Value;
    use rusqlite::types::Value;
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);",
    )
    .unwrap();
    for (i, sql) in schema::SQLITE[..5].iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, '2026-01-01T00:00:00Z')",
            [i as i64 + 1],
        )
        .unwrap();
    }
    let value = |v: &V5Value| match v {
        V5Value::Text(Some(s)) => Value::Text(s.clone()),
        V5Value::Int(i) => Value::Integer(*i),
        V5Value::Real(Some(f)) => Value::Real(*f),
        V5Value::Blob(Some(b)) => Value::Blob(b.clone()),
        V5Value::Bool(Some(b)) => Value::Integer(i64::from(*b)),
        V5Value::Text(None) | V5Value::Real(None) | V5Value::Blob(None) | V5Value::Bool(None) => {
            Value::Null
        }
    };
    for run in runs {
        for (sql, values) in common::v5_rows(run) {
            conn.execute(sql, rusqlite::params_from_iter(values.iter().map(value)))
                .unwrap();
        }
    }
}

/// The tables of an SQLite file, by name.
fn tables(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap()
}

/// A store written by schema version 5 (row per benchmark and metric, JSON summaries) is
/// converted in place when opened: every run reads back exactly, the series and `last` see them,
/// the old tables are gone. A run whose old rows were damaged stays, unreadable by id, and can
/// be deleted.
#[test]
fn v5_store_is_packed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let mut damaged = common::small_run(
        time::macros::datetime!(2026-02-01 00:00 UTC),
        "bad",
        "here",
        7.0,
    );
    damaged.id = uuid::Uuid::from_u128(0xbad);
    let converted = common::v5_runs();
    let mut runs = converted.clone();
    runs.push(damaged.clone());
    write_v5_store(&path, &runs);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE metrics SET samples = x'010203' WHERE run_id = ?1",
            [damaged.id.to_string()],
        )
        .unwrap();
    assert!(tables(&path).contains(&"metrics".to_string()));

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    assert_eq!(
        tables(&path),
        [
            "baselines",
            "names",
            "noise_floors",
            "points",
            "projects",
            "run_bodies",
            "runs",
            "schema_migrations",
            "tokens"
        ]
    );
    let err = store.get_run(damaged.id).unwrap_err();
    assert!(
        matches!(&err, StoreError::UnreadableRun { id, .. } if *id == damaged.id),
        "{err}"
    );
    let done = store
        .delete_runs(&[damaged.id], benchgate_store::BaselinedRuns::Refuse)
        .unwrap();
    assert_eq!(done.runs, [damaged.id]);
    common::check_packed_from_v5(&store, &converted);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    // Opening again converts nothing twice.
    let store = SqliteStore::open(&path).unwrap();
    for run in &converted {
        assert_eq!(store.get_run(run.id).unwrap().as_ref(), Some(run));
    }
}

/// A version 4 database (written by version 5's SQL, then stripped of what version 5 added)
/// upgrades in place: its runs read back unchanged and `last` finds their measurements.
#[test]
fn v4_database_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    write_v5_store(&path, &common::v4_runs());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(common::DOWNGRADE_TO_V4).unwrap();
        let version: i64 = conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(version, 4);
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    common::check_upgraded_from_v4(&store);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn open_url_creates_parent_directories_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/history.db");
    let store = benchgate_store::open(&format!("sqlite://{}", path.display())).unwrap();
    assert_eq!(store.backend(), "sqlite");
    assert!(path.exists());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn uncreatable_directory_is_a_clear_error() {
    let err = benchgate_store::open("sqlite:///proc/definitely/not/here.db").unwrap_err();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("cannot create the store directory /proc/definitely/not")
    );
}

#[test]
fn reopening_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let run = common::rich_run();
    {
        let store = SqliteStore::open(&path).unwrap();
        store.put_run(&run).unwrap();
    }
    for _ in 0..2 {
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
        assert_eq!(store.get_run(run.id).unwrap().unwrap(), run);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, (1..=schema::SCHEMA_VERSION).collect::<Vec<_>>());
}

#[test]
fn older_database_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::SQLITE[0]).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    let tables = tables(&path);
    for table in ["points", "run_bodies", "names"] {
        assert!(tables.contains(&table.to_string()), "{table}: {tables:?}");
    }
    assert!(!tables.contains(&"metrics".to_string()), "{tables:?}");
    common::check_selectors(&store);
}

/// A run written before benchmarks had labels (schema version 2) reads back with none.
#[test]
fn runs_stored_before_labels_read_back_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let id = "01900000-0000-7000-8000-000000000001";
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::SQLITE[0]).unwrap();
        conn.execute_batch(schema::SQLITE[1]).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00Z'), (2, '2026-01-01T00:00:00Z');
             INSERT INTO runs VALUES ('{id}', 'benchgate/run/v1', '2026-11-01T10:00:00Z', 1793527200000000000,
                 '2026-11-01T10:00:01Z', 'command', 'real', NULL, NULL, NULL, NULL, '{{}}',
                 '{{\"hostname\":\"h\",\"os\":\"linux\",\"kernel\":\"6\",\"arch\":\"x86_64\",\"cpu_model\":\"c\",\"logical_cores\":2,\"memory_bytes\":1,\"fingerprint\":\"f\"}}',
                 'f', 1);
             INSERT INTO benchmarks VALUES ('{id}', 0, 'old/bench', '{{}}', NULL, 'ok', NULL);
             INSERT INTO metrics VALUES ('{id}', 0, 0, 'old/bench', 'wall_time', 'ns', 'lower_is_better', 0,
                 '{{\"n\":1,\"mean\":5.0,\"median\":5.0,\"min\":5.0,\"max\":5.0,\"stddev\":0.0,\"mad\":0.0,\"p95\":5.0,\"p99\":5.0}}',
                 5.0, X'0000000000001440', NULL);"
        ))
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    let run = store
        .get_run(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(run.benchmarks[0].name, "old/bench");
    assert!(run.benchmarks[0].labels.is_empty());
    assert_eq!(run.benchmarks[0].metrics[0].samples, [5.0]);
}

#[test]
fn newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations VALUES (99, '2030-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, supported } if supported == schema::SCHEMA_VERSION),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the database schema is at version 99, newer than the newest this benchgate knows ({}); upgrade benchgate to use this store",
            schema::SCHEMA_VERSION
        )
    );
}

#[test]
fn garbage_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Sqlite { .. }), "{err}");
    // The message names the operation; the SQLite error is the source, not repeated.
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(!err.to_string().contains(&source), "{err} / {source}");
}

/// When to SIGKILL the writer.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// Let it finish.
    Never,
    /// This long after spawning it.
    AfterSpawn(Duration),
    /// This long after it announced it is calling `put_run` (i.e. inside the write).
    InsidePut(Duration),
}

/// Writes `big_run(seed)` in a child process to a fresh file, kills it as told and checks the file:
/// sound, and the run either complete or absent. Returns (how long `put_run` took if the child
/// finished, whether it was killed, whether the run is present).
fn write_and_kill(dir: &std::path::Path, seed: u64, kill: Kill) -> (Option<Duration>, bool, bool) {
    let path = dir.join(format!("crash-{seed}.db"));
    let marker = dir.join(format!("crash-{seed}.writing"));
    // Most files exist before the writer starts, so kills land in the run's transaction rather
    // than in schema creation.
    if !seed.is_multiple_of(4) {
        drop(SqliteStore::open(&path).unwrap());
    }
    let url = format!("sqlite://{}", path.display());
    let mut child = spawn_child(&ChildTask::Big {
        url,
        seed,
        marker: marker.clone(),
    });
    let delay = match kill {
        Kill::Never => None,
        Kill::AfterSpawn(delay) => Some(delay),
        Kill::InsidePut(delay) => {
            let waiting = Instant::now();
            while !marker.exists() {
                assert!(
                    waiting.elapsed() < Duration::from_secs(60),
                    "the writer never started"
                );
                std::thread::sleep(Duration::from_micros(200));
            }
            Some(delay)
        }
    };
    if let Some(delay) = delay {
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; the child may already be done.
    }
    let status = child.wait().unwrap();
    let killed = status.signal() == Some(libc::SIGKILL);
    assert!(killed || status.success(), "writer failed: {status}");
    let took = std::fs::read_to_string(marker.with_extension("writing.took"))
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_micros);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let expected = big_run(seed);
    let present = match store.get_run(expected.id).unwrap() {
        Some(run) => {
            assert_eq!(run, expected, "a partial run after {kill:?}");
            true
        }
        None => {
            assert!(store.list_runs(10).unwrap().is_empty());
            false
        }
    };
    (took, killed, present)
}

#[test]
fn killed_writer_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // An unkilled writer tells how long `put_run` of 100 000 samples takes.
    let (took, killed, present) = write_and_kill(dir.path(), 1000, Kill::Never);
    assert!(!killed && present);
    let put = took.expect("the writer reports its put_run time");
    let mut kills: Vec<Kill> = [0, 5, 20, 80]
        .map(|ms| Kill::AfterSpawn(Duration::from_millis(ms)))
        .to_vec();
    kills.extend((0..12).map(|i| Kill::InsidePut(put.mul_f64(f64::from(i) / 10.0))));
    let mut outcomes = Vec::new();
    for (seed, kill) in kills.into_iter().enumerate() {
        let (_, killed, present) = write_and_kill(dir.path(), seed as u64, kill);
        outcomes.push((kill, killed, present));
    }
    eprintln!("put_run of 100 000 samples took {put:.1?}; (kill, killed, run present):");
    for outcome in &outcomes {
        eprintln!("  {outcome:?}");
    }
    // Kills inside the write really interrupted some writes.
    assert!(
        outcomes
            .iter()
            .any(|(k, killed, present)| matches!(k, Kill::InsidePut(_)) && *killed && !present),
        "{outcomes:?}"
    );
}

#[test]
fn concurrent_writer_processes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    common::check_concurrent_writers(&url);
    let store = SqliteStore::open(dir.path().join("shared.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn batch_is_all_or_nothing() {
    let (_dir, store) = temp_store();
    common::check_batch_is_all_or_nothing(&store);
}

#[test]
fn delete_and_prune() {
    let (_dir, store) = temp_store();
    common::check_delete_and_prune(&store);
}

/// Another program's SQLite file is refused and left as it was: benchgate's tables are never
/// added to it. A `schema_migrations` of another tool (Rails has one, with `version` only) is
/// not benchgate's either; an empty file is benchgate's to set up.
#[test]
fn a_foreign_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let tables = |path: &std::path::Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<String>>>()
            .unwrap()
    };
    for (file, setup, shown) in [
        (
            "app.db",
            "CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER);",
            "orders, users",
        ),
        (
            "rails.db",
            "CREATE TABLE schema_migrations (version TEXT); CREATE TABLE posts (id INTEGER);",
            "posts, schema_migrations",
        ),
    ] {
        let path = dir.path().join(file);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(setup)
            .unwrap();
        let before = tables(&path);
        let err = SqliteStore::open(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is not a benchgate store: it holds other tables ({shown}) and no benchgate schema; name another store (--db)",
                path.display()
            )
        );
        assert_eq!(tables(&path), before, "{file} was left as it was");
    }
    let empty = dir.path().join("empty.db");
    drop(rusqlite::Connection::open(&empty).unwrap());
    let store = SqliteStore::open(&empty).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
}

/// A stored run whose data no longer decodes is reported as that run, by id, so that it can be
/// deleted (which does not need to read it).
#[test]
fn an_unreadable_run_is_named_and_can_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let store = SqliteStore::open(&path).unwrap();
    let run = common::rich_run();
    store.put_run(&run).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE run_bodies SET body = x'010203'", [])
        .unwrap();
    let err = store.get_run(run.id).unwrap_err();
    assert!(
        matches!(&err, StoreError::UnreadableRun { id, .. } if *id == run.id),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("stored run {} cannot be read", run.id)
    );
    let done = store
        .delete_runs(&[run.id], benchgate_store::BaselinedRuns::Refuse)
        .unwrap();
    assert_eq!(done.runs, vec![run.id]);
    assert!(store.list_runs(10).unwrap().is_empty());
}

/// Bytes per stored metric of the scale bench's shape (100 benchmarks × 1 metric × 10 samples
/// per run; the raw samples are 80 B): the whole SQLite file, checkpointed, over the metrics.
/// Goal (issue 12): at most 150 B. Run with `--nocapture` to see the figure.
#[test]
fn a_metric_of_ten_samples_takes_at_most_150_bytes() {
    const RUNS: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("size.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        for i in 0..RUNS {
            store.put_run(&common::scale_run(i)).unwrap();
        }
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let bytes = std::fs::metadata(&path).unwrap().len()
        + std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len());
    let metrics = RUNS * 100;
    let per_metric = bytes as f64 / metrics as f64;
    let _ = writeln!(
        std::io::stderr(),
        "{RUNS} runs × 100 metrics of 10 samples: {bytes} B, {per_metric:.1} B per metric"
    );
    assert!(per_metric <= 150.0, "{per_metric:.1} B per metric");
}

#[test]
fn benchmark_names() {
    let (_dir, store) = temp_store();
    common::check_benchmark_names(&store);
}

#[test]
fn projects() {
    let (_dir, store) = temp_store();
    common::check_projects(&store);
}

#[test]
fn previous_run() {
    let (_dir, store) = temp_store();
    common::check_previous_run(&store);
}

/// A store written by schema version 7 (before projects) opens, and its runs are in `default`.
#[test]
fn v7_store_runs_are_in_the_default_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.db");
    let runs = common::v7_contents(&SqliteStore::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(common::DOWNGRADE_TO_V7).unwrap();
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('runs')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!columns.contains(&"project".to_string()), "{columns:?}");
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 8);
    common::check_upgraded_from_v7(&store, &runs);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
