//! The PostgreSQL backend against a real server: `BENCHGATE_TEST_POSTGRES_URL` (start one with
//! `source .ci/postgres.sh`). Each test works in its own, freshly created database.

mod common;

use benchgate_store::{PostgresStore, SqliteStore, Store, StoreError, schema};
use std::io::Write;

/// A fresh database named after the test, or `None` (skip) when no server is configured outside CI.
fn fresh_database(test: &str) -> Option<String> {
    let base = std::env::var("BENCHGATE_TEST_POSTGRES_URL").unwrap_or_default();
    if base.is_empty() {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "BENCHGATE_TEST_POSTGRES_URL is not set but CI is: PostgreSQL tests must run in CI \
                 (source .ci/postgres.sh first)"
            );
        }
        // Straight to the terminal: libtest would swallow eprintln! of a passing test, and a
        // skipped test must say so.
        let _ = writeln!(
            std::io::stderr(),
            "skipping: BENCHGATE_TEST_POSTGRES_URL not set ({test})"
        );
        return None;
    }
    let db = format!("benchgate_test_{test}");
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to BENCHGATE_TEST_POSTGRES_URL: {e}"));
    // Separate statements: CREATE DATABASE cannot run in the implicit transaction of a batch.
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        admin
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }
    Some(with_database(&base, &db))
}

/// `base` with its database name replaced by `db`.
fn with_database(base: &str, db: &str) -> String {
    let (scheme, rest) = base.split_once("://").expect("a URL");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{db}{query}")
}

#[test]
fn child_writer() {
    common::child_writer();
}

#[test]
fn database_url_rewriting() {
    assert_eq!(
        with_database("postgres://u@h:1/postgres", "x"),
        "postgres://u@h:1/x"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/postgres?sslmode=disable", "x"),
        "postgresql://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

#[test]
fn round_trip() {
    let Some(url) = fresh_database("round_trip") else {
        return;
    };
    let store = benchgate_store::open(&url).unwrap();
    assert_eq!(store.backend(), "postgres");
    common::check_round_trip(store.as_ref());
}

#[test]
fn series_round_trip() {
    let Some(url) = fresh_database("series_round_trip") else {
        return;
    };
    common::check_series_round_trip(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn both_backends_read_back_identical_runs() {
    let Some(url) = fresh_database("both_backends") else {
        return;
    };
    let pg = PostgresStore::connect(&url).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lite = SqliteStore::open(dir.path().join("h.db")).unwrap();
    for run in [common::rich_run(), common::big_run(3)] {
        pg.put_run(&run).unwrap();
        lite.put_run(&run).unwrap();
        let from_pg = pg.get_run(run.id).unwrap().unwrap();
        let from_lite = lite.get_run(run.id).unwrap().unwrap();
        assert_eq!(from_pg, from_lite);
        assert_eq!(
            common::sample_bits(&from_pg),
            common::sample_bits(&from_lite)
        );
        assert_eq!(from_pg.to_json_pretty(), from_lite.to_json_pretty());
        assert_eq!(from_pg, run);
    }
    assert_eq!(pg.list_runs(10).unwrap(), lite.list_runs(10).unwrap());
    let measure = benchgate_model::Measure::WallTime;
    assert_eq!(
        pg.series("big/3", &measure, 10).unwrap(),
        lite.series("big/3", &measure, 10).unwrap()
    );
}

#[test]
fn selectors_and_series() {
    let Some(url) = fresh_database("selectors") else {
        return;
    };
    common::check_selectors(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn selectors_resolve() {
    let Some(url) = fresh_database("selectors_resolve") else {
        return;
    };
    common::check_resolve(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn noise_floors() {
    let Some(url) = fresh_database("noise_floors") else {
        return;
    };
    common::check_noise_floors(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn tokens() {
    let Some(url) = fresh_database("tokens") else {
        return;
    };
    common::check_tokens(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn declared_baselines_round_trip() {
    let Some(url) = fresh_database("declared_baselines") else {
        return;
    };
    common::check_declared_round_trip(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn baselines() {
    let Some(url) = fresh_database("baselines") else {
        return;
    };
    common::check_baselines(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn bad_baseline_names_are_refused() {
    let Some(url) = fresh_database("bad_baseline_names") else {
        return;
    };
    common::check_bad_baseline_names(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn mode_and_precision_round_trip() {
    let Some(url) = fresh_database("mode_and_precision") else {
        return;
    };
    common::check_mode_and_precision_round_trip(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn last_is_per_benchmark() {
    let Some(url) = fresh_database("last_per_benchmark") else {
        return;
    };
    common::check_last_per_benchmark(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn last_with_more_benchmarks_than_sqlite_binds_parameters() {
    let Some(url) = fresh_database("last_many") else {
        return;
    };
    common::check_many_wanted_benchmarks(&PostgresStore::connect(&url).unwrap());
}

/// Writes a real schema version 5 store into the database at `url` holding `runs`, with the
/// old schema's own migrations and the rows its SQL wrote (see `common::v5_rows`).
fn write_v5_store(url: &str, runs: &[benchgate_model::Run]) -> postgres::Client {
    use common::V5Value;
    use postgres::types::ToSql;
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);",
        )
        .unwrap();
    for (i, sql) in schema::POSTGRES[..5].iter().enumerate() {
        client.batch_execute(sql).unwrap();
        client
            .execute(
                "INSERT INTO schema_migrations VALUES ($1, '2026-01-01T00:00:00Z')",
                &[&(i as i64 + 1)],
            )
            .unwrap();
    }
    let value = |v: &V5Value| -> Box<dyn ToSql + Sync> {
        match v.clone() {
            V5Value::Text(s) => Box::new(s),
            V5Value::Int(i) => Box::new(i),
            V5Value::Real(f) => Box::new(f),
            V5Value::Blob(b) => Box::new(b),
            V5Value::Bool(b) => Box::new(b),
        }
    };
    for run in runs {
        for (sql, values) in common::v5_rows(run) {
            let mut numbered = sql.to_string();
            for n in (1..=values.len()).rev() {
                numbered = numbered.replace(&format!("?{n}"), &format!("${n}"));
            }
            let boxed: Vec<Box<dyn ToSql + Sync>> = values.iter().map(value).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
            client.execute(&numbered, &refs).unwrap();
        }
    }
    client
}

/// The tables of the database, by name.
fn tables(client: &mut postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             ORDER BY tablename",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A store written by schema version 5 is converted in place when opened: every run reads back
/// exactly, the series and `last` see them, the old tables are gone; a run whose old rows were
/// damaged stays, unreadable by id, and can be deleted.
#[test]
fn v5_store_is_packed_in_place() {
    let Some(url) = fresh_database("v5_packed") else {
        return;
    };
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
    let mut client = write_v5_store(&url, &runs);
    client
        .execute(
            "UPDATE metrics SET samples = '\\x010203'::bytea WHERE run_id = $1",
            &[&damaged.id.to_string()],
        )
        .unwrap();
    let store = PostgresStore::connect(&url).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    assert_eq!(
        tables(&mut client),
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
    drop(store);
    let store = PostgresStore::connect(&url).unwrap();
    for run in &converted {
        assert_eq!(store.get_run(run.id).unwrap().as_ref(), Some(run));
    }
}

/// A version 4 database (written by version 5's SQL, then stripped of what version 5 added)
/// upgrades in place: its runs read back unchanged and `last` finds their measurements.
#[test]
fn v4_database_is_upgraded() {
    let Some(url) = fresh_database("v4_upgrade") else {
        return;
    };
    let mut client = write_v5_store(&url, &common::v4_runs());
    client.batch_execute(common::DOWNGRADE_TO_V4).unwrap();
    let version: i64 = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 4);
    let store = PostgresStore::connect(&url).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    common::check_upgraded_from_v4(&store);
}

#[test]
fn migrations_are_idempotent_upgrade_and_refuse_newer() {
    let Some(url) = fresh_database("migrations") else {
        return;
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // An older database: only the first migration applied.
    client.batch_execute(schema::POSTGRES[0]).unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    let run = common::rich_run();
    for _ in 0..3 {
        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
        if store.get_run(run.id).unwrap().is_none() {
            store.put_run(&run).unwrap();
        }
        assert_eq!(store.get_run(run.id).unwrap().unwrap(), run);
    }
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=schema::SCHEMA_VERSION).collect::<Vec<_>>());
    let tables = tables(&mut client);
    for table in ["points", "run_bodies", "names"] {
        assert!(tables.contains(&table.to_string()), "{table}: {tables:?}");
    }
    assert!(!tables.contains(&"metrics".to_string()), "{tables:?}");

    client
        .execute(
            "INSERT INTO schema_migrations VALUES (99, '2030-01-01T00:00:00Z')",
            &[],
        )
        .unwrap();
    let err = PostgresStore::connect(&url).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade benchgate"));
}

#[test]
fn unreachable_server_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let err = benchgate_store::open("postgres://u:secret@127.0.0.1:1/x").unwrap_err();
    assert!(matches!(err, StoreError::Postgres { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "PostgreSQL store: cannot connect to postgres://u:***@127.0.0.1:1/x"
    );
}

#[test]
fn concurrent_writer_processes() {
    let Some(url) = fresh_database("concurrency") else {
        return;
    };
    common::check_concurrent_writers(&url);
}

#[test]
fn batch_is_all_or_nothing() {
    let Some(url) = fresh_database("batch_all_or_nothing") else {
        return;
    };
    common::check_batch_is_all_or_nothing(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn delete_and_prune() {
    let Some(url) = fresh_database("delete_and_prune") else {
        return;
    };
    common::check_delete_and_prune(&PostgresStore::connect(&url).unwrap());
}

/// Another program's database is refused and left as it was: no benchgate table is added.
#[test]
fn a_foreign_database_is_refused_untouched() {
    let Some(url) = fresh_database("foreign") else {
        return;
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE users (id INTEGER); CREATE TABLE schema_migrations (version TEXT)",
        )
        .unwrap();
    let err = PostgresStore::connect(&url).unwrap_err();
    assert!(
        matches!(&err, StoreError::Foreign { tables, .. } if tables == "schema_migrations, users"),
        "{err}"
    );
    assert!(err.to_string().contains(" is not a benchgate store: it holds other tables (schema_migrations, users) and no benchgate schema"), "{err}");
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 2);
}

#[test]
fn benchmark_names() {
    let Some(url) = fresh_database("benchmark_names") else {
        return;
    };
    common::check_benchmark_names(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn projects() {
    let Some(url) = fresh_database("projects") else {
        return;
    };
    common::check_projects(&PostgresStore::connect(&url).unwrap());
}

#[test]
fn previous_run() {
    let Some(url) = fresh_database("previous_run") else {
        return;
    };
    common::check_previous_run(&PostgresStore::connect(&url).unwrap());
}

/// A database written by schema version 7 (before projects) opens, its runs in `default`.
#[test]
fn v7_database_runs_are_in_the_default_project() {
    let Some(url) = fresh_database("v7_upgrade") else {
        return;
    };
    let runs = common::v7_contents(&PostgresStore::connect(&url).unwrap());
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client.batch_execute(common::DOWNGRADE_TO_V7).unwrap();
    let version: i64 = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 7);
    let store = PostgresStore::connect(&url).unwrap();
    assert_eq!(store.schema_version().unwrap(), 8);
    common::check_upgraded_from_v7(&store, &runs);
}
