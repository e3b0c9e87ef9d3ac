//! Every endpoint of `/api/v1`, with good and bad input, answered by the router in process over
//! a real SQLite store.

mod common;

use axum::http::StatusCode;
use benchgate_server::{MAX_BODY_BYTES, MAX_LIMIT};
use common::{get, post, run_at, server};
use serde_json::json;

#[tokio::test]
async fn runs_are_listed_newest_first_up_to_the_limit() {
    let s = server();
    let runs: Vec<_> = (0..3).map(|i| run_at(i * 60, &[("parse", 1.0)])).collect();
    for run in &runs {
        s.store.put_run(run).unwrap();
    }
    let answer = get(&s.app, "/api/v1/runs").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let list = answer.json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = runs.iter().rev().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, expected);
    assert_eq!(list[0]["source"], "command");
    assert_eq!(list[0]["branch"], "main");
    assert_eq!(list[0]["benchmarks"], 1);
    assert_eq!(list[0]["started_at"], "2026-09-21T14:15:20Z");

    let two = get(&s.app, "/api/v1/runs?limit=2").await.json();
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(two[0]["id"], expected[0].as_str());
}

#[tokio::test]
async fn an_empty_store_lists_no_runs() {
    let s = server();
    let answer = get(&s.app, "/api/v1/runs").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!([]));
}

#[tokio::test]
async fn bad_limits_and_unknown_parameters_are_400_naming_the_parameter() {
    let s = server();
    for bad in ["0", "-1", "ten", "", "10001", "1.5"] {
        let answer = get(&s.app, &format!("/api/v1/runs?limit={bad}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "limit={bad}");
        let body = answer.json();
        assert_eq!(body["parameter"], "limit", "limit={bad}");
        assert_eq!(
            body["error"],
            format!("limit: expected a whole number from 1 to {MAX_LIMIT}, got {bad:?}")
        );
    }
    let answer = get(&s.app, "/api/v1/runs?limt=5").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": "limt: unknown parameter; expected limit", "parameter": "limt"})
    );
    let answer = get(&s.app, "/api/v1/runs?limit=1&limit=2").await;
    assert_eq!(answer.json()["error"], "limit: given twice");
    let answer = get(&s.app, "/api/v1/runs?limit=%FF").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json()["error"],
        "limit: not valid percent-encoded UTF-8"
    );
}

#[tokio::test]
async fn a_run_reads_back_exactly_as_export_prints_it() {
    let s = server();
    let run = run_at(0, &[("parse", 1.5), ("gzip", 20.0)]);
    s.store.put_run(&run).unwrap();
    for uri in [
        format!("/api/v1/runs/{}", run.id),
        format!("/api/v1/runs/run:{}", run.id),
    ] {
        let answer = get(&s.app, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        assert_eq!(answer.text, format!("{}\n", run.to_json_pretty()));
    }
}

#[tokio::test]
async fn an_unknown_run_is_404_and_a_malformed_id_400() {
    let s = server();
    let answer = get(&s.app, "/api/v1/runs/0190a7c4-0000-7000-8000-000000000000").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "no stored run has id 0190a7c4-0000-7000-8000-000000000000"})
    );
    let answer = get(&s.app, "/api/v1/runs/last").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": "id: expected a run id (a UUID), got \"last\"", "parameter": "id"})
    );
}

#[tokio::test]
async fn an_uploaded_run_is_stored_and_answered_201_with_its_id() {
    let s = server();
    let run = run_at(0, &[("parse", 1.5)]);
    let answer = post(&s.app, "/api/v1/runs", run.to_json_pretty()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({"id": run.id.to_string(), "url": format!("/api/v1/runs/{}", run.id)})
    );
    assert_eq!(s.store.get_run(run.id).unwrap().as_ref(), Some(&run));
    let back = get(&s.app, &format!("/api/v1/runs/{}", run.id)).await;
    assert_eq!(back.text, format!("{}\n", run.to_json_pretty()));

    // The same run again: a conflict, and still one run stored.
    let again = post(&s.app, "/api/v1/runs", run.to_json_pretty()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json()["error"],
        format!("run {} is already stored; nothing was stored", run.id)
    );
    assert_eq!(s.store.list_runs(10).unwrap().len(), 1);
}

#[tokio::test]
async fn a_malformed_upload_is_400_with_the_json_path_of_the_problem() {
    let s = server();
    let run = run_at(0, &[("parse", 1.5)]);
    let mut doc: serde_json::Value = serde_json::from_str(&run.to_json_pretty()).unwrap();

    let answer = post(&s.app, "/api/v1/runs", "{not json").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("not a valid run: "),
        "{}",
        answer.text
    );

    let answer = post(&s.app, "/api/v1/runs", r#"{"schema": "other/v9"}"#).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({
            "error": "not a valid run: not a benchgate run: schema is \"other/v9\", expected \"benchgate/run/v1\"; nothing was stored",
            "path": "$.schema"
        })
    );

    doc["benchmarks"][0]["metrics"][0]["samples"] = json!(["fast"]);
    let answer = post(&s.app, "/api/v1/runs", doc.to_string()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let path = answer.json()["path"].as_str().unwrap().to_string();
    assert!(
        path.starts_with("$.benchmarks[0].metrics[0].samples"),
        "{}",
        answer.text
    );

    doc["benchmarks"] = json!([]);
    let answer = post(&s.app, "/api/v1/runs", doc.to_string()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({
            "error": "not a valid run: $.benchmarks: no benchmarks: a run holds at least one; nothing was stored",
            "path": "$.benchmarks"
        })
    );
    assert!(s.store.list_runs(10).unwrap().is_empty());
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_stores_nothing() {
    let s = server();
    let run = run_at(0, &[("parse", 1.5)]);
    // A valid run padded with whitespace past the limit: only its size is wrong.
    let mut body = run.to_json_pretty();
    body.push_str(&" ".repeat(MAX_BODY_BYTES + 1 - body.len()));
    let answer = post(&s.app, "/api/v1/runs", body).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        answer.json(),
        json!({"error": format!("the run is larger than {MAX_BODY_BYTES} bytes (16 MiB); nothing was stored")})
    );
    assert!(s.store.list_runs(10).unwrap().is_empty());

    // Exactly at the limit it is taken.
    let mut body = run.to_json_pretty();
    body.push_str(&" ".repeat(MAX_BODY_BYTES - body.len()));
    let answer = post(&s.app, "/api/v1/runs", body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
}

#[tokio::test]
async fn sql_looking_names_are_stored_and_returned_literally() {
    let s = server();
    let evil = "x'); DROP TABLE runs; -- \" OR 1=1 %";
    let run = run_at(0, &[(evil, 2.0)]);
    let answer = post(&s.app, "/api/v1/runs", run.to_json_pretty()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);

    let names = get(&s.app, "/api/v1/benchmarks").await;
    assert_eq!(names.status, StatusCode::OK);
    assert_eq!(names.json(), json!([{"name": evil}]));

    let encoded = "x%27%29%3B+DROP+TABLE+runs%3B+--+%22+OR+1%3D1+%25";
    let series = get(&s.app, &format!("/api/v1/series?bench={encoded}")).await;
    assert_eq!(series.status, StatusCode::OK, "{}", series.text);
    assert_eq!(series.json()["benchmark"], evil);
    assert_eq!(series.json()["points"].as_array().unwrap().len(), 1);

    let runs = get(&s.app, "/api/v1/runs").await.json();
    assert_eq!(runs[0]["id"], run.id.to_string());
    let back = get(&s.app, &format!("/api/v1/runs/{}", run.id))
        .await
        .json();
    assert_eq!(back["benchmarks"][0]["name"], evil);
}

#[tokio::test]
async fn benchmarks_are_listed_by_name_once() {
    let s = server();
    s.store
        .put_run(&run_at(0, &[("parse", 1.0), ("gzip", 9.0)]))
        .unwrap();
    s.store
        .put_run(&run_at(60, &[("parse", 1.1), ("alloc", 3.0)]))
        .unwrap();
    let answer = get(&s.app, "/api/v1/benchmarks").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!([{"name": "alloc"}, {"name": "gzip"}, {"name": "parse"}])
    );
    let answer = get(&s.app, "/api/v1/benchmarks?limit=3").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json()["error"],
        "limit: unknown parameter; this endpoint takes no parameters"
    );
}

#[tokio::test]
async fn a_series_is_the_history_oldest_first() {
    let s = server();
    let runs: Vec<_> = [1.0, 1.2, 1.4, 1.6]
        .iter()
        .enumerate()
        .map(|(i, ms)| run_at(i as i64 * 60, &[("parse/json", *ms)]))
        .collect();
    for run in &runs {
        s.store.put_run(run).unwrap();
    }
    let answer = get(
        &s.app,
        "/api/v1/series?bench=parse%2Fjson&measure=wall_time",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let doc = answer.json();
    assert_eq!(doc["schema"], "benchgate/history/v1");
    assert_eq!(doc["benchmark"], "parse/json");
    assert_eq!(doc["measure"], "wall_time");
    let medians: Vec<f64> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["median"].as_f64().unwrap())
        .collect();
    assert_eq!(medians, [1.0e6, 1.2e6, 1.4e6, 1.6e6]);
    assert_eq!(doc["points"][0]["run_id"], runs[0].id.to_string());
    assert_eq!(doc["points"][0]["commit"], format!("{:040x}", 0));

    // The newest two, still oldest first; `measure` defaults to wall_time.
    let doc = get(&s.app, "/api/v1/series?bench=parse/json&limit=2")
        .await
        .json();
    let medians: Vec<f64> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["median"].as_f64().unwrap())
        .collect();
    assert_eq!(medians, [1.4e6, 1.6e6]);

    let fingerprint = runs[0].environment.fingerprint.clone();
    let doc = get(
        &s.app,
        &format!("/api/v1/series?bench=parse/json&fingerprint={fingerprint}"),
    )
    .await
    .json();
    assert_eq!(doc["points"].as_array().unwrap().len(), 4);
    let other = get(
        &s.app,
        "/api/v1/series?bench=parse/json&fingerprint=elsewhere",
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.json()["error"],
        "parse/json / wall_time: no stored run has it on that machine"
    );
}

#[tokio::test]
async fn series_parameters_are_checked_by_name() {
    let s = server();
    s.store.put_run(&run_at(0, &[("parse", 1.0)])).unwrap();
    let cases = [
        (
            "/api/v1/series",
            "bench",
            "bench: missing: give the benchmark's name, e.g. ?bench=parse/json",
        ),
        (
            "/api/v1/series?bench=",
            "bench",
            "bench: empty benchmark name",
        ),
        (
            "/api/v1/series?bench=parse&measure=",
            "measure",
            "measure: empty measure name",
        ),
        (
            "/api/v1/series?bench=parse&measure=wall_tme",
            "measure",
            "measure: unknown measure \"wall_tme\" (did you mean \"wall_time\"?)",
        ),
        (
            "/api/v1/series?bench=parse&limit=0",
            "limit",
            "limit: expected a whole number from 1 to 10000, got \"0\"",
        ),
        (
            "/api/v1/series?bench=parse&min_segment=0",
            "min_segment",
            "min_segment: expected a whole number from 1 to 10000, got \"0\"",
        ),
        (
            "/api/v1/series?bench=parse&mesure=wall_time",
            "mesure",
            "mesure: unknown parameter; expected bench, measure, limit, fingerprint, min_segment",
        ),
    ];
    for (uri, parameter, error) in cases {
        let answer = get(&s.app, uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(
            answer.json(),
            json!({"error": error, "parameter": parameter}),
            "{uri}"
        );
    }
    let answer = get(&s.app, "/api/v1/series?bench=nope").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "nope / wall_time: no stored run has it"})
    );
    let answer = get(&s.app, "/api/v1/series?bench=parse&measure=max_rss").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let s = server();
    let answer = get(&s.app, "/api/v1/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = answer.json();
    assert_eq!(doc["openapi"], "3.0.3");
    let mut paths: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            paths.push((method.clone(), path.clone()));
        }
    }
    paths.sort();
    let expected = [
        ("get", "/api/v1/benchmarks"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/runs"),
        ("get", "/api/v1/runs/{id}"),
        ("get", "/api/v1/series"),
        ("get", "/api/v1/series.csv"),
        ("post", "/api/v1/runs"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(paths, expected);
    // Each documented GET without a path parameter is really served (not the 404 fallback).
    for (method, path) in &paths {
        if method == "get" && !path.contains('{') {
            let status = get(&s.app, path).await.status;
            assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[tokio::test]
async fn an_unknown_endpoint_is_a_json_404() {
    let s = server();
    let answer = get(&s.app, "/api/v1/nothing").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "no such endpoint: /api/v1/nothing; GET /api/v1/openapi.json lists them"})
    );
}

#[tokio::test]
async fn a_series_carries_its_shifts_of_level_as_history_finds_them() {
    let s = server();
    let medians = [
        1.00, 1.02, 0.99, 1.01, 1.00, 0.98, 2.00, 2.03, 1.98, 2.01, 2.00, 1.99,
    ];
    let runs: Vec<_> = medians
        .iter()
        .enumerate()
        .map(|(i, ms)| run_at(i as i64 * 60, &[("parse", *ms)]))
        .collect();
    for run in &runs {
        s.store.put_run(run).unwrap();
    }
    let doc = get(&s.app, "/api/v1/series?bench=parse").await.json();
    let shifts = doc["change_points"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{doc:#}");
    assert_eq!(shifts[0]["index"], 6);
    assert_eq!(shifts[0]["run_id"], runs[6].id.to_string());
    assert_eq!(shifts[0]["before_median"], 1.0e6);
    assert_eq!(shifts[0]["after_median"], 2.0e6);
    // A level must last 7 runs: none here.
    let doc = get(&s.app, "/api/v1/series?bench=parse&min_segment=7")
        .await
        .json();
    assert_eq!(doc["change_points"], json!([]));
}

#[tokio::test]
async fn a_method_an_endpoint_does_not_serve_is_a_json_405() {
    let s = server();
    let request = axum::http::Request::delete("/api/v1/runs")
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = common::send(&s.app, request).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        answer.json(),
        json!({"error": "DELETE /api/v1/runs is not served; GET /api/v1/openapi.json lists what is"})
    );
    let answer = post(&s.app, "/api/v1/series", "{}").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_series_reads_as_csv_with_the_same_parameters() {
    let s = server();
    let runs: Vec<_> = [1.0, 1.5, 2.0]
        .iter()
        .enumerate()
        .map(|(i, ms)| run_at(i as i64 * 60, &[("parse,\"json\"", *ms)]))
        .collect();
    for run in &runs {
        s.store.put_run(run).unwrap();
    }
    let answer = get(
        &s.app,
        "/api/v1/series.csv?bench=parse%2C%22json%22&measure=wall_time&limit=2",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let fingerprint = &runs[0].environment.fingerprint;
    let expected = format!(
        "benchmark,measure,run_id,started_at,commit,fingerprint,value,unit\n\
         \"parse,\"\"json\"\"\",wall_time,{},2026-09-21T14:14:20Z,{:040x},{fingerprint},1500000,ns\n\
         \"parse,\"\"json\"\"\",wall_time,{},2026-09-21T14:15:20Z,{:040x},{fingerprint},2000000,ns\n",
        runs[1].id, 60, runs[2].id, 120,
    );
    assert_eq!(answer.text, expected);

    // Its errors are the JSON errors of /series.
    let answer = get(&s.app, "/api/v1/series.csv?bench=parse&mesure=wall_time").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["parameter"], "mesure");
    let answer = get(&s.app, "/api/v1/series.csv?bench=nope").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json()["error"],
        "nope / wall_time: no stored run has it"
    );
}
