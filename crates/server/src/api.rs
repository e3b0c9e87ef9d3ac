//! The `/api/v1` routes: each handler reads its parameters strictly, asks the store on a
//! blocking thread, and answers JSON.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use benchgate_gate::canonical_unit;
use benchgate_model::{Measure, ModelError, Run};
use benchgate_pipeline::history::{
    BenchHistory, DEFAULT_MIN_SEGMENT, HistoryQuery, project_history, series_rows,
};
use benchgate_pipeline::judge::judge_stored;
use benchgate_pipeline::judging::LoadedConfig;
use benchgate_store::{
    BranchSummary, DEFAULT_PROJECT, PROJECT_NAME_RULE, ProjectSummary, RunSummary, SeriesPoint,
    Store, StoreError, check_project_name,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::auth::{self, Caller, Guard, ReadAccess};
use crate::error::ApiError;
use crate::openapi;

/// The largest run upload accepted; a larger body is answered 413 before it is read whole.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// How many runs or points a list answers without `?limit=`.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `?limit=` accepted.
pub const MAX_LIMIT: usize = 10_000;

type Shared = Arc<dyn Store>;

/// The API over `store` with public reads: every route under `/api/v1`, JSON errors for
/// unknown paths; writes need a write token.
pub fn router(store: Shared) -> Router {
    router_with_access(store, ReadAccess::Public)
}

/// The API over `store`; with [`ReadAccess::Private`] reads need a read or write token too.
/// Runs are judged with the defaults.
pub fn router_with_access(store: Shared, access: ReadAccess) -> Router {
    router_with(store, access, Arc::new(LoadedConfig::default()))
}

/// [`router_with_access`], judging comparisons and verdicts with `config`.
pub fn router_with(store: Shared, access: ReadAccess, config: Arc<LoadedConfig>) -> Router {
    let guard = Guard {
        store: Arc::clone(&store),
        access,
    };
    Router::new()
        .route("/api/v1/runs", get(list_runs).post(upload_run))
        .route("/api/v1/runs/{id}", get(get_run))
        .route("/api/v1/runs/{id}/verdicts", get(run_verdicts))
        .route("/api/v1/projects", get(projects))
        .route("/api/v1/projects/{project}/branches", get(branches))
        .route("/api/v1/comparisons", get(comparison))
        .route("/api/v1/benchmarks", get(benchmarks))
        .route("/api/v1/series", get(series))
        .route("/api/v1/series.csv", get(series_csv))
        .route("/api/v1/openapi.json", get(openapi_document))
        // On matched routes only: an unknown path stays a 404 and a wrong method a 405.
        .route_layer(axum::middleware::from_fn_with_state(guard, auth::check))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(Extension(config))
        .with_state(store)
}

/// Runs `work` with the store on a blocking thread (the store's API is synchronous).
async fn with_store<T: Send + 'static>(
    store: &Shared,
    work: impl FnOnce(&dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || work(store.as_ref()))
        .await
        .map_err(|e| ApiError::internal(format!("the store call failed: {e}")))?
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::internal(error)
}

/// The query string as pairs; a parameter the endpoint does not know, or one given twice, is a
/// mistake worth a 400 rather than a silent default.
fn query_pairs(raw: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = match raw {
        None => Vec::new(),
        Some(raw) => decode_query(raw)?,
    };
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !known.contains(&name.as_str()) {
            let expected = if known.is_empty() {
                "this endpoint takes no parameters".to_string()
            } else {
                format!("expected {}", known.join(", "))
            };
            return Err(ApiError::parameter(
                name,
                format!("unknown parameter; {expected}"),
            ));
        }
        if pairs[..i].iter().any(|(n, _)| n == name) {
            return Err(ApiError::parameter(name, "given twice"));
        }
    }
    Ok(pairs)
}

/// `a=1&b=x%20y` decoded (`+` is a space), refusing bad percent-encoding or UTF-8.
fn decode_query(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = decode(name).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("query: {name:?} is not valid percent-encoded UTF-8"),
                )
            })?;
            let value = decode(value)
                .ok_or_else(|| ApiError::parameter(&name, "not valid percent-encoded UTF-8"))?;
            Ok((name, value))
        })
        .collect()
}

fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `?limit=`: a whole number from 1 to [`MAX_LIMIT`], else [`DEFAULT_LIMIT`].
fn limit(pairs: &[(String, String)]) -> Result<usize, ApiError> {
    let Some(text) = value(pairs, "limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(ApiError::parameter(
            "limit",
            format!("expected a whole number from 1 to {MAX_LIMIT}, got {text:?}"),
        )),
    }
}

/// A project name from `parameter` (a query or path parameter), checked against the store's
/// rule: 400 naming the parameter otherwise.
fn project_name(parameter: &str, name: &str) -> Result<(), ApiError> {
    check_project_name(name).map_err(|e| match e {
        StoreError::BadProjectName { reason, .. } => ApiError::parameter(
            parameter,
            format!("{reason}; a project name is {PROJECT_NAME_RULE}"),
        ),
        e => store_error(e),
    })
}

/// The project a read asks for (`name`, else the default one) once the caller may read it
/// (403 otherwise) and it exists (404 otherwise).
async fn readable_project(
    store: &Shared,
    caller: &Caller,
    parameter: &str,
    name: Option<&str>,
) -> Result<String, ApiError> {
    let name = name.unwrap_or(DEFAULT_PROJECT).to_string();
    project_name(parameter, &name)?;
    caller.may_read(&name)?;
    let wanted = name.clone();
    let exists = with_store(store, move |s| {
        s.project_exists(&wanted).map_err(store_error)
    })
    .await?;
    if !exists {
        return Err(ApiError::not_found(format!(
            "no project is named {name:?}; GET /api/v1/projects lists them"
        )));
    }
    Ok(name)
}

/// The stored run `id` (404 `no stored run has id …`, prefixed by `parameter` when given) with
/// its summary, once the caller may read its project (403 otherwise).
async fn readable_run(
    store: &Shared,
    caller: &Caller,
    parameter: Option<&str>,
    id: Uuid,
) -> Result<(Run, RunSummary), ApiError> {
    let prefix = parameter.map(|p| format!("{p}: ")).unwrap_or_default();
    let caller = caller.clone();
    with_store(store, move |s| {
        let unknown = || ApiError::not_found(format!("{prefix}no stored run has id {id}"));
        let summary = s
            .run_summary(id)
            .map_err(store_error)?
            .ok_or_else(unknown)?;
        // Refused before the run is read.
        caller.may_read(&summary.project)?;
        let run = s.get_run(id).map_err(store_error)?.ok_or_else(unknown)?;
        Ok((run, summary))
    })
    .await
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A run's line in a list: the same fields as `benchgate runs list --json`.
fn summary_json(r: &RunSummary) -> Value {
    json!({
        "id": r.id.to_string(),
        "project": r.project,
        "started_at": rfc3339(r.started_at),
        "source": r.source.to_string(),
        "mode": r.mode.as_str(),
        "commit": r.commit,
        "branch": r.branch,
        "fingerprint": r.fingerprint,
        "benchmarks": r.benchmarks,
    })
}

/// A point of a series: the same fields as `benchgate history --json`.
fn point_json(p: &SeriesPoint) -> Value {
    json!({
        "run_id": p.run_id.to_string(),
        "started_at": rfc3339(p.started_at),
        "commit": p.commit,
        "fingerprint": p.fingerprint,
        "median": p.median,
    })
}

/// The runs of one project (`?project=`, default `default`), newest first.
async fn list_runs(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(query.as_deref(), &["limit", "project"])?;
    let limit = limit(&pairs)?;
    let project = readable_project(&store, &caller, "project", value(&pairs, "project")).await?;
    let runs = with_store(&store, move |s| {
        s.list_runs_in(&project, limit).map_err(store_error)
    })
    .await?;
    Ok(Json(Value::Array(runs.iter().map(summary_json).collect())))
}

fn parse_run_id(parameter: &str, text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text.strip_prefix("run:").unwrap_or(text)).map_err(|_| {
        ApiError::parameter(
            parameter,
            format!("expected a run id (a UUID), got {text:?}"),
        )
    })
}

/// The run as canonical JSON, exactly as `benchgate export` prints it.
async fn get_run(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    query_pairs(query.as_deref(), &[])?;
    let id = parse_run_id("id", &id)?;
    let (run, _) = readable_run(&store, &caller, None, id).await?;
    let mut text = run.to_json_pretty();
    text.push('\n');
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response())
}

/// A run upload: read and validated as `benchgate import` reads a file, stored in one
/// transaction into the token's project (or, for a token of no project, the one `?project=`
/// names, else the default one); 201 with its id and project.
async fn upload_run(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref(), &["project"])?;
    let asked = value(&pairs, "project");
    if let Some(asked) = asked {
        project_name("project", asked)?;
    }
    let project = caller.upload_project(asked)?;
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                format!(
                    "the run is larger than {MAX_BODY_BYTES} bytes (16 MiB); nothing was stored"
                ),
            )
        } else {
            ApiError::new(status, rejection.body_text())
        }
    })?;
    let run = Run::from_json(&body).map_err(invalid_run)?;
    let id = run.id;
    let into = project.clone();
    with_store(&store, move |s| {
        s.put_run_in(&into, &run).map_err(|e| match e {
            StoreError::DuplicateRun { .. } => ApiError::new(
                StatusCode::CONFLICT,
                format!("run {id} is already stored; nothing was stored"),
            ),
            e => store_error(e),
        })
    })
    .await?;
    let body = json!({
        "id": id.to_string(),
        "project": project,
        "url": format!("/api/v1/runs/{id}"),
    });
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, format!("/api/v1/runs/{id}"))],
        Json(body),
    )
        .into_response())
}

/// A run the model refuses: 400, with the JSON path of the problem when there is one.
fn invalid_run(error: ModelError) -> ApiError {
    let path = match &error {
        ModelError::Json { path, .. } | ModelError::Invalid { path, .. } => Some(path.clone()),
        ModelError::Schema { .. } => Some("$.schema".to_string()),
    };
    ApiError {
        path,
        ..ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not a valid run: {error}; nothing was stored"),
        )
    }
}

/// Every project (only its own for a token limited to one), by name.
async fn projects(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    query_pairs(query.as_deref(), &[])?;
    let mut projects = with_store(&store, |s| s.projects().map_err(store_error)).await?;
    if let Some(own) = caller.limited_to() {
        projects.retain(|p| p.name == own);
    }
    Ok(Json(Value::Array(
        projects.iter().map(project_json).collect(),
    )))
}

fn project_json(p: &ProjectSummary) -> Value {
    json!({
        "name": p.name,
        "runs": p.runs,
        "newest_run_at": p.newest_run_at.map(rfc3339),
    })
}

/// The branches of a project's runs, by name (runs without a branch last, as `null`).
async fn branches(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    query_pairs(query.as_deref(), &[])?;
    let project = readable_project(&store, &caller, "project", Some(&project)).await?;
    let branches = with_store(&store, move |s| s.branches(&project).map_err(store_error)).await?;
    Ok(Json(Value::Array(
        branches.iter().map(branch_json).collect(),
    )))
}

fn branch_json(b: &BranchSummary) -> Value {
    json!({
        "name": b.name,
        "runs": b.runs,
        "newest_run_id": b.newest_run_id.to_string(),
        "newest_run_at": rfc3339(b.newest_run_at),
        "newest_commit": b.newest_commit,
    })
}

/// A required run id of the query (`base`, `head`).
fn run_parameter(pairs: &[(String, String)], name: &str) -> Result<Uuid, ApiError> {
    match value(pairs, name) {
        Some(text) => parse_run_id(name, text),
        None => Err(ApiError::parameter(
            name,
            "missing: give a run id, e.g. ?base=RUN&head=RUN",
        )),
    }
}

/// `head` judged against `base`: the verdict document `benchgate compare BASE HEAD --format
/// json` prints (judged by the pipeline, with the defaults and the machine's noise floors).
async fn comparison(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    Extension(config): Extension<Arc<LoadedConfig>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(query.as_deref(), &["base", "head"])?;
    let base = run_parameter(&pairs, "base")?;
    let head = run_parameter(&pairs, "head")?;
    let (baseline, _) = readable_run(&store, &caller, Some("base"), base).await?;
    let (current, _) = readable_run(&store, &caller, Some("head"), head).await?;
    let comparison = with_store(&store, move |s| {
        judge_stored(s, &config, &baseline, &current).map_err(ApiError::internal)
    })
    .await?;
    let document = serde_json::to_value(&comparison).map_err(ApiError::internal)?;
    Ok(Json(document))
}

/// Which earlier run `/runs/{id}/verdicts` judges a run against, said in its answer.
const PREVIOUS_RUN_RULE: &str = "the newest earlier run of the same project, branch, machine \
     (environment fingerprint), mode and source";

/// A run judged against the run before it (the store's `previous_run`): which run that is and
/// the verdict document; with no such run, 200 with `baseline` and `comparison` null.
async fn run_verdicts(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    Extension(config): Extension<Arc<LoadedConfig>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    query_pairs(query.as_deref(), &[])?;
    let id = parse_run_id("id", &id)?;
    let (current, summary) = readable_run(&store, &caller, None, id).await?;
    let judged = with_store(&store, move |s| {
        let Some(previous) = s.previous_run(id).map_err(store_error)? else {
            return Ok(None);
        };
        let baseline = s
            .get_run(previous.id)
            .map_err(store_error)?
            .ok_or_else(|| ApiError::internal(format!("run {} vanished", previous.id)))?;
        let comparison =
            judge_stored(s, &config, &baseline, &current).map_err(ApiError::internal)?;
        Ok(Some((previous, comparison)))
    })
    .await?;
    let mut answer = json!({
        "schema": "benchgate/run-verdicts/v1",
        "run_id": id.to_string(),
        "project": summary.project,
        "baseline_rule": PREVIOUS_RUN_RULE,
        "baseline": null,
        "comparison": null,
    });
    match judged {
        Some((previous, comparison)) => {
            answer["baseline"] = summary_json(&previous);
            answer["comparison"] = serde_json::to_value(&comparison).map_err(ApiError::internal)?;
        }
        None => {
            answer["note"] = format!("no baseline: {PREVIOUS_RUN_RULE} does not exist").into();
        }
    }
    Ok(Json(answer))
}

/// The benchmarks of one project (`?project=`, default `default`) by name.
async fn benchmarks(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(query.as_deref(), &["project"])?;
    let project = readable_project(&store, &caller, "project", value(&pairs, "project")).await?;
    let names = with_store(&store, move |s| {
        s.benchmark_names_in(&project).map_err(store_error)
    })
    .await?;
    Ok(Json(Value::Array(
        names
            .into_iter()
            .map(|name| json!({ "name": name }))
            .collect(),
    )))
}

/// The answer of a series request: what was asked and what the pipeline's history found.
struct SeriesAnswer {
    project: String,
    bench: String,
    measure: Measure,
    fingerprint: Option<String>,
    history: BenchHistory,
}

/// Reads the parameters of `/series` and `/series.csv` strictly and the history through the
/// pipeline (one copy of the series, fingerprint and change-point rules); 404 when it is empty.
async fn read_series(
    store: &Shared,
    caller: &Caller,
    query: Option<&str>,
) -> Result<SeriesAnswer, ApiError> {
    let pairs = query_pairs(
        query,
        &[
            "bench",
            "measure",
            "limit",
            "fingerprint",
            "min_segment",
            "project",
        ],
    )?;
    let bench = match value(&pairs, "bench") {
        Some(name) if !name.trim().is_empty() => name.to_string(),
        Some(_) => return Err(ApiError::parameter("bench", "empty benchmark name")),
        None => {
            return Err(ApiError::parameter(
                "bench",
                "missing: give the benchmark's name, e.g. ?bench=parse/json",
            ));
        }
    };
    let measure = match value(&pairs, "measure").map(str::trim) {
        None => Measure::parse("wall_time"),
        Some("") => return Err(ApiError::parameter("measure", "empty measure name")),
        Some(name) => match Measure::closest_known(name) {
            Some(known) => {
                return Err(ApiError::parameter(
                    "measure",
                    format!("unknown measure {name:?} (did you mean {known:?}?)"),
                ));
            }
            None => Measure::parse(name),
        },
    };
    let limit = limit(&pairs)?;
    let min_segment = match value(&pairs, "min_segment") {
        None => DEFAULT_MIN_SEGMENT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::parameter(
                    "min_segment",
                    format!("expected a whole number from 1 to {MAX_LIMIT}, got {text:?}"),
                ));
            }
        },
    };
    let fingerprint = value(&pairs, "fingerprint").map(str::to_string);
    let project = readable_project(store, caller, "project", value(&pairs, "project")).await?;
    let (name, wanted, machine) = (bench.clone(), measure.clone(), fingerprint.clone());
    let of_project = project.clone();
    let history = with_store(store, move |s| {
        let query = HistoryQuery {
            benchmark: &name,
            measure: &wanted,
            fingerprint: machine.as_deref(),
            through_run: None,
            limit,
            min_segment,
        };
        project_history(s, &of_project, &query).map_err(ApiError::internal)
    })
    .await?;
    if history.points.is_empty() {
        return Err(ApiError::not_found(format!(
            "{bench} / {measure}: no stored run{} has it{}",
            if project == DEFAULT_PROJECT {
                String::new()
            } else {
                format!(" of project {project:?}")
            },
            if fingerprint.is_some() {
                " on that machine"
            } else {
                ""
            }
        )));
    }
    Ok(SeriesAnswer {
        project,
        bench,
        measure,
        fingerprint,
        history,
    })
}

/// One benchmark's history of one measure, oldest first, the newest `limit` points, with the
/// shifts of level in them (as `benchgate history --all-machines --json` gives it;
/// `fingerprint=` keeps one machine's).
async fn series(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let SeriesAnswer {
        project,
        bench,
        measure,
        fingerprint,
        history,
    } = read_series(&store, &caller, query.as_deref()).await?;
    let points = &history.points;
    Ok(Json(json!({
        "schema": "benchgate/history/v1",
        "project": project,
        "benchmark": bench,
        "measure": measure.as_str(),
        "fingerprint": fingerprint,
        "points": points.iter().map(point_json).collect::<Vec<_>>(),
        "change_points": history.change_points.iter().map(|c| json!({
            "index": c.index,
            "run_id": points.get(c.index).map(|p| p.run_id.to_string()),
            "before_median": c.before_median,
            "after_median": c.after_median,
            "relative_shift": c.relative_shift,
        })).collect::<Vec<_>>(),
    })))
}

/// The same points as `/series`, as the CSV `benchgate export --format csv` writes.
async fn series_csv(
    State(store): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let answer = read_series(&store, &caller, query.as_deref()).await?;
    let unit = canonical_unit(&answer.measure);
    let text = benchgate_report::series_csv(
        &answer.bench,
        &answer.measure,
        &unit,
        &series_rows(&answer.history.points),
    );
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        text,
    )
        .into_response())
}

async fn openapi_document() -> Json<Value> {
    Json(openapi::document())
}

async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no such endpoint: {}; GET /api/v1/openapi.json lists them",
        uri.path()
    ))
}

async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{method} {} is not served; GET /api/v1/openapi.json lists what is",
            uri.path()
        ),
    )
}
