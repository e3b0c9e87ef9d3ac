//! Bearer tokens over a real SQLite store: writes need a write token, reads are open unless the
//! server is private.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use benchgate_server::ReadAccess;
use benchgate_store::{TokenScope, token_hash};
use common::{Answer, WRITE_TOKEN, run_at, send, server, server_with};

async fn upload(app: &axum::Router, authorization: Option<&str>, run: &str) -> Answer {
    let mut request = Request::post("/api/v1/runs").header("content-type", "application/json");
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
