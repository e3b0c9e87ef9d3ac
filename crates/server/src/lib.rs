//! benchgate's team server (SPEC §9): one job — put the history store behind a REST API under
//! `/api/v1`, so every CI run of a team lands in one place and can be read back.
//!
//! The server keeps no rules of its own: an uploaded run is read and validated by the model
//! (`Run::from_json`, as `benchgate import` does) and stored through the store the pipeline opens;
//! series are the store's, as `benchgate history` reads them. The store's API is synchronous, so
//! every call runs on a blocking thread (`spawn_blocking`).
//!
//! Endpoints: `GET /api/v1/projects`, `GET /api/v1/projects/{project}/branches`,
//! `GET /api/v1/runs?project=P&limit=N`, `GET /api/v1/runs/{id}`, `POST /api/v1/runs`,
//! `GET /api/v1/runs/{id}/verdicts` (the run judged against the run before it in its project,
//! on its branch, machine and mode), `GET /api/v1/comparisons?base=RUN&head=RUN` (the verdict
//! document of `benchgate compare --format json`; both judged by the pipeline's `judge_stored`),
//! `GET /api/v1/benchmarks?project=P`, `GET /api/v1/series?bench=NAME&measure=M&limit=N&project=P`
//! (read through the pipeline's `project_history()`), `GET /api/v1/series.csv` (the same, as
//! CSV), `GET /api/v1/openapi.json`. A read's `project` defaults to `default` (where the CLI's
//! runs are); an unknown one is 404. Errors are JSON: `{"error": MESSAGE}` with, where known, the
//! `parameter` or JSON `path` at fault.
//!
//! `POST /api/v1/runs` needs `Authorization: Bearer TOKEN` of a write token (401 without one or
//! with an unknown one, 403 with a read token) and stores into the token's project, or for a
//! token of no project into `?project=NAME` (default `default`); a token of one project naming
//! another is 403. With [`ReadAccess::Private`] reads need a read or write token too, and a
//! token of one project reads only that project (403 otherwise). The store keeps only the
//! SHA-256 of each token.

mod api;
mod auth;
pub mod dashboard;
mod error;
mod openapi;

use std::future::Future;
use std::sync::Arc;

use benchgate_pipeline::PipelineError;
pub use benchgate_pipeline::judging::LoadedConfig;
use benchgate_pipeline::store::StoreLocation;
use benchgate_store::Store;

pub use crate::api::{DEFAULT_LIMIT, MAX_BODY_BYTES, MAX_LIMIT, router, router_with_access};
pub use crate::auth::ReadAccess;
pub use crate::error::ApiError;

/// The whole server: the REST API under `/api/v1` and the dashboard's pages ([`dashboard`]),
/// reads open to anyone, runs judged with the defaults.
pub fn app(store: Arc<dyn Store>) -> axum::Router {
    app_with_access(store, ReadAccess::Public)
}

/// The whole server with `access` to reads, runs judged with the defaults.
pub fn app_with_access(store: Arc<dyn Store>, access: ReadAccess) -> axum::Router {
    app_with(store, access, Arc::new(LoadedConfig::default()))
}

/// The whole server with `access` to reads, judging with `config` (`serve --config FILE`: its
/// `[gate]` and budgets for comparisons, verdicts and the dashboard, whose history charts draw
/// the budgets' bounds). A private server serves the API only: a browser cannot send the bearer
/// token the dashboard's pages would need, so they are not served rather than served to anyone.
pub fn app_with(
    store: Arc<dyn Store>,
    access: ReadAccess,
    config: Arc<LoadedConfig>,
) -> axum::Router {
    let api = api::router_with(Arc::clone(&store), access, Arc::clone(&config));
    match access {
        ReadAccess::Public => api.merge(dashboard::router_with(store, config)),
        ReadAccess::Private => api,
    }
}

/// Opens (creating and migrating as needed) the store the server serves, as every CLI command
/// opens it: `sqlite://PATH` or `postgres://…`.
pub fn open_store(url: &str) -> Result<Arc<dyn Store>, PipelineError> {
    let store = benchgate_pipeline::store::open_store(&StoreLocation::new(url))?;
    Ok(Arc::from(store))
}

/// Serves `store` on `listener` until `shutdown` completes; requests in flight then finish.
/// Writes need a write token; reads need a token too when `access` is private; runs are judged
/// with `config`.
///
/// Keep a reference to `store` outside the runtime and drop the last one there: closing a
/// PostgreSQL store blocks, which a thread driving async tasks must not do.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    access: ReadAccess,
    config: Arc<LoadedConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app_with(store, access, config))
        .with_graceful_shutdown(shutdown)
        .await
}
