//! A real SQLite store in a temporary directory, runs to put in it, and requests answered by
//! the router in process.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use benchgate_server::ReadAccess;
use benchgate_store::{Store, TokenScope, token_hash};
use http_body_util::BodyExt;
use serde_json::Value;
use time::OffsetDateTime;
use tower::ServiceExt;

pub struct Server {
    pub dir: tempfile::TempDir,
    pub store: Arc<dyn Store>,
    pub app: Router,
}

/// The write token every [`server`] knows and [`post`] sends.
pub const WRITE_TOKEN: &str = "test-write-token";

/// A server with public reads over a new SQLite store that knows [`WRITE_TOKEN`].
pub fn server() -> Server {
    server_with(ReadAccess::Public)
}

pub fn server_with(access: ReadAccess) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("history.db").display());
    let store = benchgate_server::open_store(&url).unwrap();
    store
        .save_token(TokenScope::Write, &token_hash(WRITE_TOKEN), None)
        .unwrap();
    let app = benchgate_server::router_with_access(Arc::clone(&store), access);
    Server { dir, store, app }
}

/// A run measured at `started` (seconds after an origin) with one benchmark per `(name, ms)`.
pub fn run_at(started: i64, benches: &[(&str, f64)]) -> Run {
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000 + started).unwrap();
    let mut run = Run::new(
        Source::Command,
        at,
        Provenance {
            mode: Mode::Real,
            commit: Some(format!("{started:040x}")),
            branch: Some("main".into()),
            dirty: Some(false),
            merge_base: None,
            tags: Default::default(),
        },
        Environment {
            hostname: "h".into(),
            os: "linux".into(),
            logical_cores: 2,
            ..Default::default()
        }
        .with_fingerprint(),
    );
    run.ended_at = at;
    for (name, ms) in benches {
        let samples = vec![ms * 1e6, ms * 1e6 * 1.01, ms * 1e6 * 0.99];
        let metric = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        )
        .unwrap();
        run.benchmarks.push(Benchmark {
            mode: None,
            name: (*name).into(),
            params: Default::default(),
            labels: Default::default(),
            command: None,
            status: Status::Ok,
            metrics: vec![metric],
            series: Vec::new(),
        });
    }
    run
}

pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A POST with [`WRITE_TOKEN`].
pub async fn post(app: &Router, uri: &str, body: impl Into<Body>) -> Answer {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {WRITE_TOKEN}"))
        .body(body.into())
        .unwrap();
    send(app, request).await
}

/// A run at `started` (seconds after the origin of [`run_at`]) whose benchmarks each have
/// twenty wall-time samples spread ±2 % around `ms`: enough for the judge to call a change.
pub fn judged_run_at(started: i64, benches: &[(&str, f64)]) -> Run {
    let mut run = run_at(started, &[]);
    for (name, ms) in benches {
        let samples = (0..20)
            .map(|i| ms * 1e6 * (1.0 + 0.002 * (f64::from(i) - 9.5)))
            .collect();
        let metric = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        )
        .unwrap();
        run.benchmarks.push(Benchmark {
            mode: None,
            name: (*name).into(),
            params: Default::default(),
            labels: Default::default(),
            command: None,
            status: Status::Ok,
            metrics: vec![metric],
            series: Vec::new(),
        });
    }
    run
}

/// A POST of `body` to `uri` with `Authorization: Bearer token`.
pub async fn post_as(app: &Router, uri: &str, token: &str, body: impl Into<Body>) -> Answer {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(body.into())
        .unwrap();
    send(app, request).await
}

/// A GET of `uri` with `Authorization: Bearer token`.
pub async fn get_as(app: &Router, uri: &str, token: &str) -> Answer {
    let request = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}
