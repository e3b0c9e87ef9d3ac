//! Bearer tokens over a real SQLite store: writes need a write token, reads are open unless the
//! server is private.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use benchgate_server::ReadAccess;
use benchgate_store::{TokenScope, token_hash};
use common::{Answer, WRITE_TOKEN, run_at, send, server, server_with};
use serde_json::json;

async fn upload(app: &axum::Router, authorization: Option<&str>, run: &str) -> Answer {
    let mut request = Request::post("/api/v1/runs").header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(app, request.body(Body::from(run.to_string())).unwrap()).await
}

async fn upload_to(
    app: &axum::Router,
    project: &str,
    authorization: Option<&str>,
    run: &str,
) -> Answer {
    let mut request = Request::post(format!("/api/v1/runs?project={project}"))
        .header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(app, request.body(Body::from(run.to_string())).unwrap()).await
}

async fn read(app: &axum::Router, uri: &str, authorization: Option<&str>) -> Answer {
    let mut request = Request::get(uri);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn an_upload_needs_a_write_token() {
    let s = server();
    s.store
        .save_token(TokenScope::Read, &token_hash("a-read-token"), None)
        .unwrap();
    let run = run_at(0, &[("parse", 1.0)]);
    let json = run.to_json_pretty();

    let answer = upload(&s.app, None, &json).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_eq!(
        answer.json()["error"],
        "a write token is needed: send Authorization: Bearer TOKEN (benchgate token create --scope write makes one)"
    );
    let answer = upload(&s.app, Some("Bearer not-a-stored-token"), &json).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"], "unknown token");
    let answer = upload(&s.app, Some(&format!("Basic {WRITE_TOKEN}")), &json).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.json()["error"],
        "the Authorization header is not `Bearer TOKEN`"
    );
    let answer = upload(&s.app, Some("Bearer a-read-token"), &json).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.json()["error"],
        "this token may only read; uploading a run needs a write token"
    );
    assert!(s.store.get_run(run.id).unwrap().is_none());

    let answer = upload(&s.app, Some(&format!("bearer {WRITE_TOKEN}")), &json).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(s.store.get_run(run.id).unwrap(), Some(run));
}

#[tokio::test]
async fn a_401_names_the_bearer_scheme() {
    let s = server();
    let request = Request::post("/api/v1/runs")
        .body(Body::from("{}"))
        .unwrap();
    let response = tower::ServiceExt::oneshot(s.app.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers().get("www-authenticate").unwrap(),
        "Bearer"
    );
}

#[tokio::test]
async fn reads_are_open_unless_the_server_is_private() {
    let open = server();
    assert_eq!(
        read(&open.app, "/api/v1/runs", None).await.status,
        StatusCode::OK
    );

    let private = server_with(ReadAccess::Private);
    private
        .store
        .save_token(TokenScope::Read, &token_hash("a-read-token"), None)
        .unwrap();
    let answer = read(&private.app, "/api/v1/runs", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.json()["error"],
        "this server is private: send Authorization: Bearer TOKEN (a read or write token)"
    );
    let answer = read(&private.app, "/api/v1/benchmarks", Some("Bearer nope")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    for token in ["a-read-token", WRITE_TOKEN] {
        let answer = read(
            &private.app,
            "/api/v1/runs",
            Some(&format!("Bearer {token}")),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{token}: {}", answer.text);
    }
}

#[tokio::test]
async fn a_project_token_uploads_into_its_project_only() {
    let s = server();
    s.store
        .save_token(TokenScope::Write, &token_hash("web-writer"), Some("web"))
        .unwrap();
    let web = Some("Bearer web-writer");

    let run = run_at(0, &[("parse", 1.0)]);
    let answer = upload(&s.app, web, &run.to_json_pretty()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["project"], "web");
    assert_eq!(s.store.run_summary(run.id).unwrap().unwrap().project, "web");

    let named = run_at(60, &[("parse", 1.0)]);
    let answer = upload_to(&s.app, "web", web, &named.to_json_pretty()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["project"], "web");

    for other in ["api", "default"] {
        let refused = run_at(120, &[("parse", 1.0)]);
        let answer = upload_to(&s.app, other, web, &refused.to_json_pretty()).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{other}");
        assert_eq!(
            answer.json(),
            json!({"error": format!(
                "this token is for project \"web\"; it cannot upload to project \"{other}\"; nothing was stored"
            )})
        );
        assert!(s.store.get_run(refused.id).unwrap().is_none());
    }
    assert!(!s.store.project_exists("api").unwrap());

    // A token of no project stores where it is told.
    let anywhere = run_at(180, &[("parse", 1.0)]);
    let answer = upload_to(
        &s.app,
        "api",
        Some(&format!("Bearer {WRITE_TOKEN}")),
        &anywhere.to_json_pretty(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(
        s.store.run_summary(anywhere.id).unwrap().unwrap().project,
        "api"
    );
}

#[tokio::test]
async fn a_private_server_lets_a_project_token_read_its_project_only() {
    let s = server_with(ReadAccess::Private);
    for (token, scope, project) in [
        ("web-reader", TokenScope::Read, Some("web")),
        ("web-writer", TokenScope::Write, Some("web")),
        ("any-reader", TokenScope::Read, None),
    ] {
        s.store
            .save_token(scope, &token_hash(token), project)
            .unwrap();
    }
    let web_1 = run_at(0, &[("parse", 1.0)]);
    let web_2 = run_at(60, &[("parse", 1.2)]);
    let api_1 = run_at(120, &[("parse", 5.0)]);
    s.store.put_run_in("web", &web_1).unwrap();
    s.store.put_run_in("web", &web_2).unwrap();
    s.store.put_run_in("api", &api_1).unwrap();
    s.store.put_run(&run_at(180, &[("parse", 9.0)])).unwrap();

    let refused = [
        ("/api/v1/runs".to_string(), "default"),
        ("/api/v1/runs?project=api".to_string(), "api"),
        ("/api/v1/runs?project=nope".to_string(), "nope"),
        ("/api/v1/benchmarks?project=api".to_string(), "api"),
        ("/api/v1/series?bench=parse&project=api".to_string(), "api"),
        (
            "/api/v1/series.csv?bench=parse&project=api".to_string(),
            "api",
        ),
        ("/api/v1/projects/api/branches".to_string(), "api"),
        (format!("/api/v1/runs/{}", api_1.id), "api"),
        (format!("/api/v1/runs/{}/verdicts", api_1.id), "api"),
        (
            format!("/api/v1/comparisons?base={}&head={}", web_1.id, api_1.id),
            "api",
        ),
        (
            format!("/api/v1/comparisons?base={}&head={}", api_1.id, web_2.id),
            "api",
        ),
    ];
    let allowed = [
        "/api/v1/runs?project=web".to_string(),
        "/api/v1/benchmarks?project=web".to_string(),
        "/api/v1/series?bench=parse&project=web".to_string(),
        "/api/v1/series.csv?bench=parse&project=web".to_string(),
        "/api/v1/projects/web/branches".to_string(),
        format!("/api/v1/runs/{}", web_1.id),
        format!("/api/v1/runs/{}/verdicts", web_2.id),
        format!("/api/v1/comparisons?base={}&head={}", web_1.id, web_2.id),
    ];
    for token in ["web-reader", "web-writer"] {
        let bearer = format!("Bearer {token}");
        for (uri, project) in &refused {
            let answer = read(&s.app, uri, Some(&bearer)).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token} {uri}");
            assert_eq!(
                answer.json(),
                json!({"error": format!(
                    "this token is for project \"web\"; it cannot read project \"{project}\""
                )}),
                "{token} {uri}"
            );
        }
        for uri in &allowed {
            let answer = read(&s.app, uri, Some(&bearer)).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{token} {uri}: {}",
                answer.text
            );
        }
        let projects = read(&s.app, "/api/v1/projects", Some(&bearer)).await;
        assert_eq!(
            projects.json(),
            json!([{"name": "web", "runs": 2, "newest_run_at": "2026-09-21T14:14:20Z"}])
        );
    }
    let runs = read(
        &s.app,
        "/api/v1/runs?project=web",
        Some("Bearer web-reader"),
    )
    .await
    .json();
    assert_eq!(runs[0]["id"], web_2.id.to_string());
    assert_eq!(runs.as_array().unwrap().len(), 2);

    // A token of no project reads every project.
    for (uri, _) in &refused[..2] {
        let answer = read(&s.app, uri, Some("Bearer any-reader")).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text);
    }
    let projects = read(&s.app, "/api/v1/projects", Some("Bearer any-reader"))
        .await
        .json();
    assert_eq!(projects.as_array().unwrap().len(), 3, "{projects}");
    // Without a token, nothing.
    let answer = read(&s.app, "/api/v1/projects", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_project_token_reads_every_project_of_a_public_server() {
    let s = server();
    s.store
        .save_token(TokenScope::Read, &token_hash("web-reader"), Some("web"))
        .unwrap();
    s.store
        .put_run_in("api", &run_at(0, &[("parse", 1.0)]))
        .unwrap();
    let answer = read(
        &s.app,
        "/api/v1/runs?project=api",
        Some("Bearer web-reader"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json().as_array().unwrap().len(), 1);
}
