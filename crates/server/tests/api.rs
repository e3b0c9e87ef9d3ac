//! Every endpoint of `/api/v1`, with good and bad input, answered by the router in process over
//! a real SQLite store.

mod common;

use axum::http::StatusCode;
use benchgate_server::{MAX_BODY_BYTES, MAX_LIMIT};
use benchgate_store::{TokenScope, token_hash};
use common::{get, judged_run_at, post, run_at, server};
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
        json!({"error": "limt: unknown parameter; expected limit, project", "parameter": "limt"})
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
        json!({
            "id": run.id.to_string(),
            "project": "default",
            "url": format!("/api/v1/runs/{}", run.id)
        })
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
        "limit: unknown parameter; expected project"
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
            "mesure: unknown parameter; expected bench, measure, limit, fingerprint, min_segment, project",
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
        ("get", "/api/v1/comparisons"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/projects"),
        ("get", "/api/v1/projects/{project}/branches"),
        ("get", "/api/v1/runs"),
        ("get", "/api/v1/runs/{id}"),
        ("get", "/api/v1/runs/{id}/verdicts"),
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

/// The rule of project names, as every 400 about one ends.
const RULE: &str = "a project name is 1 to 100 printable ASCII characters other than / \\ ? # %, \
                    not starting or ending with a space";

#[tokio::test]
async fn an_upload_goes_into_the_project_it_names() {
    let s = server();
    let run = run_at(0, &[("parse", 1.5)]);
    let answer = post(&s.app, "/api/v1/runs?project=web", run.to_json_pretty()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({
            "id": run.id.to_string(),
            "project": "web",
            "url": format!("/api/v1/runs/{}", run.id)
        })
    );
    assert_eq!(s.store.run_summary(run.id).unwrap().unwrap().project, "web");
    let listed = get(&s.app, "/api/v1/runs?project=web").await.json();
    assert_eq!(listed[0]["id"], run.id.to_string());
    assert_eq!(listed[0]["project"], "web");
    assert_eq!(get(&s.app, "/api/v1/runs").await.json(), json!([]));
    let back = get(&s.app, &format!("/api/v1/runs/{}", run.id)).await;
    assert_eq!(back.text, format!("{}\n", run.to_json_pretty()));
}

#[tokio::test]
async fn a_bad_project_name_is_400_naming_the_parameter_and_stores_nothing() {
    let s = server();
    let long = "p".repeat(101);
    let cases = [
        ("", "it is empty"),
        ("a%2Fb", "it holds '/'"),
        ("a%25b", "it holds '%'"),
        ("%C3%A9t%C3%A9", "it holds 'é'"),
        ("tab%09x", "it holds '\\t'"),
        ("%20web", "it starts or ends with a space"),
        (long.as_str(), "it is longer than 100 characters"),
    ];
    for (name, reason) in cases {
        let run = run_at(0, &[("parse", 1.5)]);
        let uri = format!("/api/v1/runs?project={name}");
        let answer = post(&s.app, &uri, run.to_json_pretty()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(
            answer.json(),
            json!({"error": format!("project: {reason}; {RULE}"), "parameter": "project"}),
            "{uri}"
        );
        assert!(s.store.get_run(run.id).unwrap().is_none(), "{uri}");
        for read in ["runs?", "benchmarks?", "series?bench=parse&"] {
            let uri = format!("/api/v1/{read}project={name}");
            let answer = get(&s.app, &uri).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(answer.json()["parameter"], "project", "{uri}");
        }
    }
    assert_eq!(s.store.list_runs(10).unwrap(), []);
    // A name of exactly 100 characters is fine.
    let run = run_at(0, &[("parse", 1.5)]);
    let name = "p".repeat(100);
    let answer = post(
        &s.app,
        &format!("/api/v1/runs?project={name}"),
        run.to_json_pretty(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["project"], name.as_str());
}

#[tokio::test]
async fn projects_are_listed_with_their_runs() {
    let s = server();
    let answer = get(&s.app, "/api/v1/projects").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!([{"name": "default", "runs": 0, "newest_run_at": null}])
    );
    s.store.put_run(&run_at(0, &[("parse", 1.0)])).unwrap();
    s.store
        .put_run_in("web", &run_at(60, &[("parse", 1.0)]))
        .unwrap();
    s.store
        .put_run_in("web", &run_at(120, &[("parse", 1.0)]))
        .unwrap();
    s.store
        .save_token(
            TokenScope::Read,
            &token_hash("mobile-token"),
            Some("mobile"),
        )
        .unwrap();
    assert_eq!(
        get(&s.app, "/api/v1/projects").await.json(),
        json!([
            {"name": "default", "runs": 1, "newest_run_at": "2026-09-21T14:13:20Z"},
            {"name": "mobile", "runs": 0, "newest_run_at": null},
            {"name": "web", "runs": 2, "newest_run_at": "2026-09-21T14:15:20Z"},
        ])
    );
    let answer = get(&s.app, "/api/v1/projects?limit=1").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": "limit: unknown parameter; this endpoint takes no parameters", "parameter": "limit"})
    );
    // A project a token names exists, with nothing in it yet.
    assert_eq!(
        get(&s.app, "/api/v1/runs?project=mobile").await.json(),
        json!([])
    );
}

#[tokio::test]
async fn branches_of_a_project_are_listed_with_their_newest_run() {
    let s = server();
    let main_1 = run_at(0, &[("parse", 1.0)]);
    let main_2 = run_at(60, &[("parse", 1.0)]);
    let mut feature = run_at(120, &[("parse", 1.0)]);
    feature.provenance.branch = Some("feature/x".into());
    let mut detached = run_at(180, &[("parse", 1.0)]);
    detached.provenance.branch = None;
    detached.provenance.commit = None;
    for run in [&main_1, &main_2, &feature, &detached] {
        s.store.put_run_in("web", run).unwrap();
    }
    s.store.put_run(&run_at(240, &[("parse", 1.0)])).unwrap();
    let answer = get(&s.app, "/api/v1/projects/web/branches").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!([
            {
                "name": "feature/x", "runs": 1, "newest_run_id": feature.id.to_string(),
                "newest_run_at": "2026-09-21T14:15:20Z", "newest_commit": format!("{:040x}", 120)
            },
            {
                "name": "main", "runs": 2, "newest_run_id": main_2.id.to_string(),
                "newest_run_at": "2026-09-21T14:14:20Z", "newest_commit": format!("{:040x}", 60)
            },
            {
                "name": null, "runs": 1, "newest_run_id": detached.id.to_string(),
                "newest_run_at": "2026-09-21T14:16:20Z", "newest_commit": null
            },
        ])
    );
    let default = get(&s.app, "/api/v1/projects/default/branches")
        .await
        .json();
    assert_eq!(default.as_array().unwrap().len(), 1);
    assert_eq!(default[0]["runs"], 1);

    let answer = get(&s.app, "/api/v1/projects/nope/branches").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "no project is named \"nope\"; GET /api/v1/projects lists them"})
    );
    let answer = get(&s.app, "/api/v1/projects/a%2Fb/branches").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": format!("project: it holds '/'; {RULE}"), "parameter": "project"})
    );
    let answer = get(&s.app, "/api/v1/projects/web/branches?limit=2").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn two_projects_with_the_same_benchmark_never_mix() {
    let s = server();
    let web: Vec<_> = [1.0, 1.1]
        .iter()
        .enumerate()
        .map(|(i, ms)| run_at(i as i64 * 60, &[("parse", *ms)]))
        .collect();
    let api: Vec<_> = [5.0, 5.5, 6.0]
        .iter()
        .enumerate()
        .map(|(i, ms)| run_at(30 + i as i64 * 60, &[("parse", *ms), ("only-api", 2.0)]))
        .collect();
    for run in &web {
        s.store.put_run_in("web", run).unwrap();
    }
    for run in &api {
        s.store.put_run_in("api", run).unwrap();
    }
    let medians = |doc: &serde_json::Value| -> Vec<f64> {
        doc["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["median"].as_f64().unwrap())
            .collect()
    };
    let doc = get(&s.app, "/api/v1/series?bench=parse&project=web")
        .await
        .json();
    assert_eq!(doc["project"], "web");
    assert_eq!(medians(&doc), [1.0e6, 1.1e6]);
    let doc = get(&s.app, "/api/v1/series?bench=parse&project=api")
        .await
        .json();
    assert_eq!(doc["project"], "api");
    assert_eq!(medians(&doc), [5.0e6, 5.5e6, 6.0e6]);
    let ids: Vec<&str> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["run_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = api.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, expected);

    let csv = get(&s.app, "/api/v1/series.csv?bench=parse&project=web").await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<&str> = csv.text.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", csv.text);
    for (row, run) in rows.iter().zip(&web) {
        assert!(row.contains(&run.id.to_string()), "{row}");
    }

    let answer = get(&s.app, "/api/v1/series?bench=parse").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "parse / wall_time: no stored run has it"})
    );
    let answer = get(&s.app, "/api/v1/series?bench=only-api&project=web").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": "only-api / wall_time: no stored run of project \"web\" has it"})
    );
    assert_eq!(
        get(&s.app, "/api/v1/benchmarks?project=web").await.json(),
        json!([{"name": "parse"}])
    );
    assert_eq!(
        get(&s.app, "/api/v1/benchmarks?project=api").await.json(),
        json!([{"name": "only-api"}, {"name": "parse"}])
    );
    assert_eq!(get(&s.app, "/api/v1/benchmarks").await.json(), json!([]));
    let runs = get(&s.app, "/api/v1/runs?project=api&limit=2").await.json();
    assert_eq!(runs[0]["id"], api[2].id.to_string());
    assert_eq!(runs[1]["id"], api[1].id.to_string());
    assert_eq!(runs.as_array().unwrap().len(), 2);

    for uri in [
        "/api/v1/runs?project=nope",
        "/api/v1/benchmarks?project=nope",
        "/api/v1/series?bench=parse&project=nope",
        "/api/v1/series.csv?bench=parse&project=nope",
    ] {
        let answer = get(&s.app, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            answer.json(),
            json!({"error": "no project is named \"nope\"; GET /api/v1/projects lists them"}),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn sql_looking_project_names_are_stored_and_returned_literally() {
    let s = server();
    let evil = "x'); DROP TABLE runs; --";
    let encoded = "x%27%29%3B%20DROP%20TABLE%20runs%3B%20--";
    let run = run_at(0, &[("parse", 1.5)]);
    let answer = post(
        &s.app,
        &format!("/api/v1/runs?project={encoded}"),
        run.to_json_pretty(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["project"], evil);
    let projects = get(&s.app, "/api/v1/projects").await.json();
    assert_eq!(projects[1]["name"], evil);
    assert_eq!(projects[1]["runs"], 1);
    let runs = get(&s.app, &format!("/api/v1/runs?project={encoded}"))
        .await
        .json();
    assert_eq!(runs[0]["id"], run.id.to_string());
    assert_eq!(runs[0]["project"], evil);
    let branches = get(&s.app, &format!("/api/v1/projects/{encoded}/branches")).await;
    assert_eq!(branches.status, StatusCode::OK, "{}", branches.text);
    assert_eq!(branches.json()[0]["newest_run_id"], run.id.to_string());
    let series = get(
        &s.app,
        &format!("/api/v1/series?bench=parse&project={encoded}"),
    )
    .await
    .json();
    assert_eq!(series["project"], evil);
    // The tables are all still there.
    s.store.put_run(&run_at(60, &[("parse", 1.0)])).unwrap();
    assert_eq!(s.store.list_runs(10).unwrap().len(), 2);
}

#[tokio::test]
async fn a_comparison_is_the_verdict_document_of_compare() {
    let s = server();
    let base = judged_run_at(0, &[("parse", 10.0), ("gzip", 2.0)]);
    let head = judged_run_at(60, &[("parse", 15.0), ("gzip", 2.0)]);
    s.store.put_run(&base).unwrap();
    s.store.put_run_in("web", &head).unwrap();
    let answer = get(
        &s.app,
        &format!("/api/v1/comparisons?base={}&head=run:{}", base.id, head.id),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let doc = answer.json();
    assert_eq!(doc["schema"], "benchgate/comparison/v1");
    assert_eq!(doc["baseline"]["id"], base.id.to_string());
    assert_eq!(doc["baseline"]["label"], format!("run {}", base.id));
    assert_eq!(doc["current"]["id"], head.id.to_string());
    assert_eq!(doc["outcome"], "failed");
    let verdict = |name: &str| {
        doc["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["benchmark"] == name)
            .unwrap_or_else(|| panic!("no verdict of {name}: {doc}"))
            .clone()
    };
    let parse = verdict("parse");
    assert_eq!(parse["measure"], "wall_time");
    assert_eq!(parse["kind"], "regressed");
    assert_eq!(parse["severity"], "fail");
    assert_eq!(parse["gating"], true);
    let gzip = verdict("gzip");
    assert_eq!(gzip["kind"], "unchanged");
    // The document is exactly the model's comparison, as `compare --format json` prints it.
    let comparison: benchgate_model::Comparison = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&comparison).unwrap(),
        doc,
        "round trip"
    );

    // Judged the other way round, the change is an improvement and the gate passes.
    let doc = get(
        &s.app,
        &format!("/api/v1/comparisons?base={}&head={}", head.id, base.id),
    )
    .await
    .json();
    assert_eq!(doc["outcome"], "passed");
    assert_eq!(
        doc["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["benchmark"] == "parse")
            .unwrap()["kind"],
        "improved"
    );
}

#[tokio::test]
async fn comparison_parameters_are_checked_by_name() {
    let s = server();
    let run = judged_run_at(0, &[("parse", 10.0)]);
    s.store.put_run(&run).unwrap();
    let unknown = "0190a7c4-0000-7000-8000-000000000000";
    let cases = [
        (
            format!("/api/v1/comparisons?head={}", run.id),
            StatusCode::BAD_REQUEST,
            json!({"error": "base: missing: give a run id, e.g. ?base=RUN&head=RUN", "parameter": "base"}),
        ),
        (
            format!("/api/v1/comparisons?base={}", run.id),
            StatusCode::BAD_REQUEST,
            json!({"error": "head: missing: give a run id, e.g. ?base=RUN&head=RUN", "parameter": "head"}),
        ),
        (
            format!("/api/v1/comparisons?base=last&head={}", run.id),
            StatusCode::BAD_REQUEST,
            json!({"error": "base: expected a run id (a UUID), got \"last\"", "parameter": "base"}),
        ),
        (
            format!("/api/v1/comparisons?base={}&head={}&x=1", run.id, run.id),
            StatusCode::BAD_REQUEST,
            json!({"error": "x: unknown parameter; expected base, head", "parameter": "x"}),
        ),
        (
            format!("/api/v1/comparisons?base={unknown}&head={}", run.id),
            StatusCode::NOT_FOUND,
            json!({"error": format!("base: no stored run has id {unknown}")}),
        ),
        (
            format!("/api/v1/comparisons?base={}&head={unknown}", run.id),
            StatusCode::NOT_FOUND,
            json!({"error": format!("head: no stored run has id {unknown}")}),
        ),
    ];
    for (uri, status, body) in cases {
        let answer = get(&s.app, &uri).await;
        assert_eq!(answer.status, status, "{uri}");
        assert_eq!(answer.json(), body, "{uri}");
    }
}

#[tokio::test]
async fn verdicts_judge_a_run_against_the_previous_run_of_its_project_branch_and_machine() {
    let s = server();
    let first = judged_run_at(0, &[("parse", 10.0)]);
    let previous = judged_run_at(60, &[("parse", 10.0)]);
    // Later than `previous`, but not its kind: another project, branch, machine.
    let other_project = judged_run_at(120, &[("parse", 30.0)]);
    let mut other_branch = judged_run_at(180, &[("parse", 30.0)]);
    other_branch.provenance.branch = Some("feature".into());
    let mut other_machine = judged_run_at(240, &[("parse", 30.0)]);
    other_machine.environment.logical_cores = 64;
    other_machine.environment = other_machine.environment.clone().with_fingerprint();
    let judged = judged_run_at(300, &[("parse", 15.0)]);
    for run in [&first, &previous, &other_branch, &other_machine, &judged] {
        s.store.put_run_in("web", run).unwrap();
    }
    s.store.put_run_in("api", &other_project).unwrap();

    let answer = get(&s.app, &format!("/api/v1/runs/{}/verdicts", judged.id)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let doc = answer.json();
    assert_eq!(doc["schema"], "benchgate/run-verdicts/v1");
    assert_eq!(doc["run_id"], judged.id.to_string());
    assert_eq!(doc["project"], "web");
    assert_eq!(
        doc["baseline_rule"],
        "the newest earlier run of the same project, branch, machine (environment fingerprint), \
         mode and source"
    );
    assert_eq!(doc["baseline"]["id"], previous.id.to_string());
    assert_eq!(doc["baseline"]["project"], "web");
    assert_eq!(doc["baseline"]["started_at"], "2026-09-21T14:14:20Z");
    assert_eq!(doc["comparison"]["baseline"]["id"], previous.id.to_string());
    assert_eq!(doc["comparison"]["current"]["id"], judged.id.to_string());
    assert_eq!(doc["comparison"]["outcome"], "failed");
    assert_eq!(doc["comparison"]["verdicts"][0]["benchmark"], "parse");
    assert_eq!(doc["comparison"]["verdicts"][0]["kind"], "regressed");
    assert!(doc.get("note").is_none(), "{doc}");
    // The same document as the comparison of the two runs.
    let compared = get(
        &s.app,
        &format!(
            "/api/v1/comparisons?base={}&head={}",
            previous.id, judged.id
        ),
    )
    .await
    .json();
    assert_eq!(doc["comparison"], compared);

    let doc = get(&s.app, &format!("/api/v1/runs/{}/verdicts", previous.id))
        .await
        .json();
    assert_eq!(doc["baseline"]["id"], first.id.to_string());
    assert_eq!(doc["comparison"]["verdicts"][0]["kind"], "unchanged");
    assert_eq!(doc["comparison"]["outcome"], "passed");

    // No earlier run of its kind: 200, no baseline, said why.
    for run in [&first, &other_branch, &other_machine, &other_project] {
        let answer = get(&s.app, &format!("/api/v1/runs/{}/verdicts", run.id)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let doc = answer.json();
        assert_eq!(doc["baseline"], json!(null), "{doc}");
        assert_eq!(doc["comparison"], json!(null), "{doc}");
        assert_eq!(
            doc["note"],
            "no baseline: the newest earlier run of the same project, branch, machine \
             (environment fingerprint), mode and source does not exist"
        );
    }

    let unknown = "0190a7c4-0000-7000-8000-000000000000";
    let answer = get(&s.app, &format!("/api/v1/runs/{unknown}/verdicts")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": format!("no stored run has id {unknown}")})
    );
    let answer = get(&s.app, "/api/v1/runs/nope/verdicts").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": "id: expected a run id (a UUID), got \"nope\"", "parameter": "id"})
    );
    let answer = get(&s.app, &format!("/api/v1/runs/{}/verdicts?x=1", judged.id)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_openapi_document_names_the_project_parameter_of_every_read_and_the_upload() {
    let s = server();
    let doc = get(&s.app, "/api/v1/openapi.json").await.json();
    let names = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has no parameters"))
            .iter()
            .map(|p| {
                format!(
                    "{}:{}",
                    p["in"].as_str().unwrap(),
                    p["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    for path in [
        "/api/v1/runs",
        "/api/v1/benchmarks",
        "/api/v1/series",
        "/api/v1/series.csv",
    ] {
        assert!(
            names(path, "get").contains(&"query:project".to_string()),
            "{path}"
        );
        assert!(
            doc["paths"][path]["get"]["responses"]["403"].is_object(),
            "{path}"
        );
    }
    assert_eq!(names("/api/v1/runs", "post"), ["query:project"]);
    assert_eq!(
        names("/api/v1/projects/{project}/branches", "get"),
        ["path:project"]
    );
    assert_eq!(
        names("/api/v1/comparisons", "get"),
        ["query:base", "query:head"]
    );
    assert_eq!(names("/api/v1/runs/{id}/verdicts", "get"), ["path:id"]);
    for schema in ["Project", "Branch", "Comparison", "RunVerdicts"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
