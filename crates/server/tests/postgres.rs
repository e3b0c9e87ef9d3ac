//! The API over a real PostgreSQL store (skipped without `BENCHGATE_TEST_POSTGRES_URL`, required
//! in CI): the store's synchronous client is called off the async workers, and an upload reads
//! back, lists and forms a series exactly as on SQLite.

mod common;

use std::io::Write as _;
use std::sync::Arc;

use axum::http::StatusCode;
use common::{get, post, run_at};
use serde_json::json;

/// A new empty database on the server `BENCHGATE_TEST_POSTGRES_URL` names, or `None` (skipped).
fn fresh_database(test: &str) -> Option<String> {
    let base = std::env::var("BENCHGATE_TEST_POSTGRES_URL").unwrap_or_default();
    if base.is_empty() {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "BENCHGATE_TEST_POSTGRES_URL is not set but CI is: PostgreSQL tests must run in CI"
            );
        }
        let _ = writeln!(
            std::io::stderr(),
            "skipping: BENCHGATE_TEST_POSTGRES_URL not set ({test})"
        );
        return None;
    }
    let db = format!("benchgate_server_test_{test}");
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to BENCHGATE_TEST_POSTGRES_URL: {e}"));
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        admin
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }
    let (scheme, rest) = base.split_once("://").expect("a URL");
    let authority = rest.split('/').next().unwrap_or(rest);
    Some(format!("{scheme}://{authority}/{db}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_over_postgres() {
    // The synchronous client blocks on a runtime of its own: never on an async worker.
    let Some(url) = tokio::task::spawn_blocking(|| fresh_database("api"))
        .await
        .unwrap()
    else {
        return;
    };
    let store = tokio::task::spawn_blocking(move || benchgate_server::open_store(&url).unwrap())
        .await
        .unwrap();
    assert_eq!(store.backend(), "postgres");
    let writer = Arc::clone(&store);
    tokio::task::spawn_blocking(move || {
        writer
            .save_token(
                benchgate_store::TokenScope::Write,
                &benchgate_store::token_hash(common::WRITE_TOKEN),
                None,
            )
            .unwrap()
    })
    .await
    .unwrap();
    let app = benchgate_server::router(Arc::clone(&store));
    let evil = "x'); DROP TABLE runs; --";
    let first = run_at(0, &[(evil, 2.0)]);
    let second = run_at(60, &[(evil, 3.0)]);
    for run in [&first, &second] {
        let answer = post(&app, "/api/v1/runs", run.to_json_pretty()).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    let back = get(&app, &format!("/api/v1/runs/{}", first.id)).await;
    assert_eq!(back.text, format!("{}\n", first.to_json_pretty()));
    let runs = get(&app, "/api/v1/runs").await.json();
    assert_eq!(runs[0]["id"], second.id.to_string());
    assert_eq!(
        get(&app, "/api/v1/benchmarks").await.json(),
        json!([{"name": evil}])
    );
    let series = get(
        &app,
        "/api/v1/series?bench=x%27%29%3B%20DROP%20TABLE%20runs%3B%20--",
    )
    .await;
    assert_eq!(series.status, StatusCode::OK, "{}", series.text);
    let medians: Vec<f64> = series.json()["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["median"].as_f64().unwrap())
        .collect();
    assert_eq!(medians, [2.0e6, 3.0e6]);
    let again = post(&app, "/api/v1/runs", first.to_json_pretty()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // Closing the client blocks too: the last reference goes off the async workers.
    drop(app);
    tokio::task::spawn_blocking(move || drop(store))
        .await
        .unwrap();
}

/// Projects over PostgreSQL: uploads into a project (one with a SQL-looking name), series that
/// never mix, branches, a comparison and a run's verdicts, as on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_over_postgres() {
    let Some(url) = tokio::task::spawn_blocking(|| fresh_database("projects"))
        .await
        .unwrap()
    else {
        return;
    };
    let store = tokio::task::spawn_blocking(move || {
        let store = benchgate_server::open_store(&url).unwrap();
        store
            .save_token(
                benchgate_store::TokenScope::Write,
                &benchgate_store::token_hash(common::WRITE_TOKEN),
                None,
            )
            .unwrap();
        store
    })
    .await
    .unwrap();
    let app = benchgate_server::router(Arc::clone(&store));
    let evil = "x'); DROP TABLE runs; --";
    let encoded = "x%27%29%3B%20DROP%20TABLE%20runs%3B%20--";
    let web = [
        common::judged_run_at(0, &[("parse", 10.0)]),
        common::judged_run_at(60, &[("parse", 15.0)]),
    ];
    let odd = common::judged_run_at(30, &[("parse", 99.0)]);
    for run in &web {
        let answer = post(&app, "/api/v1/runs?project=web", run.to_json_pretty()).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    let answer = post(
        &app,
        &format!("/api/v1/runs?project={encoded}"),
        odd.to_json_pretty(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["project"], evil);

    assert_eq!(
        get(&app, "/api/v1/projects").await.json(),
        json!([
            {"name": "default", "runs": 0, "newest_run_at": null},
            {"name": "web", "runs": 2, "newest_run_at": "2026-09-21T14:14:20Z"},
            {"name": evil, "runs": 1, "newest_run_at": "2026-09-21T14:13:50Z"},
        ])
    );
    let series = get(&app, "/api/v1/series?bench=parse&project=web")
        .await
        .json();
    let medians: Vec<f64> = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["median"].as_f64().unwrap())
        .collect();
    assert_eq!(medians, [10.0e6, 15.0e6]);
    let series = get(
        &app,
        &format!("/api/v1/series?bench=parse&project={encoded}"),
    )
    .await
    .json();
    assert_eq!(series["points"].as_array().unwrap().len(), 1);
    assert_eq!(series["project"], evil);
    let branches = get(&app, "/api/v1/projects/web/branches").await.json();
    assert_eq!(
        branches,
        json!([{
            "name": "main", "runs": 2, "newest_run_id": web[1].id.to_string(),
            "newest_run_at": "2026-09-21T14:14:20Z", "newest_commit": format!("{:040x}", 60)
        }])
    );
    let verdicts = get(&app, &format!("/api/v1/runs/{}/verdicts", web[1].id))
        .await
        .json();
    assert_eq!(verdicts["baseline"]["id"], web[0].id.to_string());
    assert_eq!(verdicts["comparison"]["verdicts"][0]["kind"], "regressed");
    let compared = get(
        &app,
        &format!("/api/v1/comparisons?base={}&head={}", web[0].id, web[1].id),
    )
    .await
    .json();
    assert_eq!(compared, verdicts["comparison"]);
    let first = get(&app, &format!("/api/v1/runs/{}/verdicts", web[0].id))
        .await
        .json();
    assert_eq!(first["baseline"], json!(null));

    drop(app);
    tokio::task::spawn_blocking(move || drop(store))
        .await
        .unwrap();
}
