//! The dashboard (SPEC §9): server-rendered HTML pages with inline SVG and no script, drawn by the
//! report crate's HTML pieces and judged by the pipeline, as the CLI draws and judges.
//!
//! `GET /` lists every stored benchmark with its latest value, a sparkline and the verdict on its
//! newest run against the one before; `GET /bench?name=…&measure=…` is a benchmark's history
//! with its shifts of level, cut to a range by a form without a script (`from`/`to`: RFC 3339
//! dates or date-times, or run ids, both inclusive; `limit=N`: the newest N of the range, at
//! most [`MAX_HISTORY_LIMIT`]) of one machine (`machine=` fingerprint or hostname, `all`;
//! default: the newest run's), read by the pipeline's `history_range`, the shifts detected
//! among the runs shown; each point links to its run;
//! `GET /runs/{id}` is a run's HTML report; `GET /compare?base=ID&head=ID` judges one run against
//! another as `benchgate compare` does without a configuration. Every text from the store is
//! escaped by the report crate; bad parameters get a 400 page, an unknown run a 404 page.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html as HtmlBody, IntoResponse, Response};
use axum::routing::get;
use benchgate_model::{Comparison, Measure, Run, Severity, Unit, Verdict};
use benchgate_pipeline::history::{
    DEFAULT_MIN_SEGMENT, MachineFilter, RangeBound, RangeError, RangeQuery, RangedHistory,
    history_range,
};
use benchgate_pipeline::judge::judge_stored;
use benchgate_pipeline::judging::LoadedConfig;
use benchgate_report::charts;
use benchgate_report::escape::html::text as esc;
use benchgate_report::units::format_value;
use benchgate_report::{Html, HtmlReport};
use benchgate_store::{DEFAULT_PROJECT, SeriesPoint, Store, check_project_name};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

type Shared = Arc<dyn Store>;

/// How many of a benchmark's newest runs its sparkline on the list draws.
pub const SPARKLINE_RUNS: usize = 30;
/// The most runs a history page draws (`?limit=` above it is refused; without one, the newest
/// this many of the range): a chart of more points than pixels shows nothing more.
pub const MAX_HISTORY_LIMIT: usize = 10_000;

/// The measures the list looks for, in order, to show a benchmark by: wall time, else a load
/// level's throughput.
const LIST_MEASURES: [Measure; 2] = [Measure::WallTime, Measure::Throughput];

/// The dashboard's routes, to merge with the API's, judging with the defaults.
pub fn router(store: Shared) -> Router {
    router_with(store, Arc::new(LoadedConfig::default()))
}

/// The dashboard's routes, judging with `config` and drawing its budgets' bounds.
pub fn router_with(store: Shared, config: Arc<LoadedConfig>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/bench", get(bench_page))
        .route("/runs/{id}", get(run_page))
        .route("/compare", get(compare_page))
        .layer(Extension(config))
        .with_state(store)
}

/// A page that says what went wrong, with its status.
#[derive(Debug)]
struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    fn internal(error: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: error.to_string(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<h1>{} {}</h1>\n<p class=\"error\">{}</p>\n",
            self.status.as_u16(),
            esc(self.status.canonical_reason().unwrap_or("error")),
            esc(&self.message)
        );
        (self.status, HtmlBody(page("benchgate: error", &body))).into_response()
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd}\
td.n{text-align:right;font-variant-numeric:tabular-nums}nav{margin-bottom:1em}\
nav a{margin-right:1em}.error{color:#b00020}.caption{font-size:.85em;color:#555}\
svg{display:block;margin:.3em 0 1em}svg.sparkline{margin:0}\
.verdict.regressed,.verdict.failed,.verdict.budget_exceeded{color:#b00020;font-weight:bold}\
.verdict.improved{color:#2e7d32}";

const NAV: &str = "<nav><a href=\"/\">benchmarks</a></nav>\n";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{NAV}{body}</body>\n</html>\n",
        esc(title)
    )
}

/// Runs `work` with the store on a blocking thread (the store's API is synchronous).
async fn with_store<T: Send + 'static>(
    store: &Shared,
    work: impl FnOnce(&dyn Store) -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || work(store.as_ref()))
        .await
        .map_err(|e| PageError::internal(format!("the store call failed: {e}")))?
}

/// The query's parameters; one the page does not know is a mistake worth a 400.
fn parameters(
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
    known: &[&str],
) -> Result<BTreeMap<String, String>, PageError> {
    let Query(pairs) =
        query.map_err(|e| PageError::bad_request(format!("bad query string: {e}")))?;
    if let Some(unknown) = pairs.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(PageError::bad_request(format!(
            "unknown parameter {unknown:?} (this page takes {})",
            known.join(", ")
        )));
    }
    Ok(pairs)
}

fn parse_measure(text: Option<&str>) -> Result<Measure, PageError> {
    match text.map(str::trim) {
        None => Ok(Measure::WallTime),
        Some("") => Err(PageError::bad_request("measure: empty measure name")),
        Some(name) => match Measure::closest_known(name) {
            Some(known) => Err(PageError::bad_request(format!(
                "measure: unknown measure {name:?} (did you mean {known:?}?)"
            ))),
            None => Ok(Measure::parse(name)),
        },
    }
}

fn parse_run_id(parameter: &str, text: Option<&str>) -> Result<Uuid, PageError> {
    let text = text.ok_or_else(|| {
        PageError::bad_request(format!("{parameter}: missing: give a stored run's id"))
    })?;
    Uuid::parse_str(text.trim()).map_err(|_| {
        PageError::bad_request(format!("{parameter}: {text:?} is not a run id (a UUID)"))
    })
}

/// `text` for a query string: everything but unreserved characters percent-encoded.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn unit_of(measure: &Measure) -> Unit {
    measure
        .canonical_unit()
        .unwrap_or_else(|| Unit::Custom(String::new()))
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

fn short_commit(commit: &Option<String>) -> String {
    commit
        .as_deref()
        .map(benchgate_model::display::short_commit)
        .map(str::to_string)
        .unwrap_or_default()
}

/// A sparkline: the values as a small line, oldest at the left, highest at the top.
fn sparkline(values: &[f64], caption: &str) -> String {
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 24.0;
    const MARGIN: f64 = 2.0;
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let n = values.len();
    let x = |i: usize| {
        if n > 1 {
            MARGIN + i as f64 / (n - 1) as f64 * (WIDTH - 2.0 * MARGIN)
        } else {
            WIDTH / 2.0
        }
    };
    let y = |v: f64| {
        if hi > lo {
            MARGIN + (hi - v) / (hi - lo) * (HEIGHT - 2.0 * MARGIN)
        } else {
            HEIGHT / 2.0
        }
    };
    let coordinates: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    format!(
        "<svg class=\"sparkline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" data-points=\"{}\" \
         aria-label=\"{caption}\"><title>{caption}</title><polyline fill=\"none\" \
         stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        coordinates.len(),
        coordinates.join(" ")
    )
}

/// One row of the benchmark list: a benchmark, the measure it is shown by and its newest points.
struct Listed {
    name: String,
    measure: Option<Measure>,
    points: Vec<SeriesPoint>,
    /// The newest run judged against the one before it (for this benchmark): the pair and the
    /// verdict on this benchmark's measure.
    verdict: Option<(Uuid, Uuid, Verdict)>,
}

/// The `project` parameter of a page: a valid name (400 naming it otherwise), `default` when
/// not given.
fn project_parameter(parameters: &BTreeMap<String, String>) -> Result<String, PageError> {
    match optional(parameters, "project") {
        None => Ok(DEFAULT_PROJECT.to_string()),
        Some(name) => check_project_name(name)
            .map(|()| name.to_string())
            .map_err(|e| PageError::bad_request(format!("project: {e}"))),
    }
}

async fn index(
    State(store): State<Shared>,
    Extension(config): Extension<Arc<LoadedConfig>>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<HtmlBody<String>, PageError> {
    let parameters = parameters(query, &["project"])?;
    let project = project_parameter(&parameters)?;
    let wanted = project.clone();
    let (projects, listed) = with_store(&store, move |store| {
        let project = wanted;
        let projects = store.projects().map_err(PageError::internal)?;
        if !projects.iter().any(|p| p.name == project) {
            return Err(PageError::not_found(format!(
                "project {project:?}: no such project on this server"
            )));
        }
        let names = store
            .benchmark_names_in(&project)
            .map_err(PageError::internal)?;
        let mut listed = Vec::with_capacity(names.len());
        for name in names {
            let mut row = Listed {
                name,
                measure: None,
                points: Vec::new(),
                verdict: None,
            };
            for measure in &LIST_MEASURES {
                let points = store
                    .series_in(&project, &row.name, measure, SPARKLINE_RUNS)
                    .map_err(PageError::internal)?;
                if !points.is_empty() {
                    row.measure = Some(measure.clone());
                    row.points = points;
                    break;
                }
            }
            listed.push(row);
        }
        // Benchmarks measured together share their pair of runs: judge each pair once.
        let mut judged: BTreeMap<(Uuid, Uuid), Option<Comparison>> = BTreeMap::new();
        for row in &mut listed {
            let (Some(measure), [.., before, latest]) = (&row.measure, row.points.as_slice())
            else {
                continue;
            };
            let pair = (before.run_id, latest.run_id);
            if let Entry::Vacant(slot) = judged.entry(pair) {
                let runs = (
                    store.get_run(pair.0).map_err(PageError::internal)?,
                    store.get_run(pair.1).map_err(PageError::internal)?,
                );
                let comparison = match runs {
                    (Some(baseline), Some(current)) => Some(
                        judge_stored(store, &config, &baseline, &current)
                            .map_err(PageError::internal)?,
                    ),
                    _ => None,
                };
                slot.insert(comparison);
            }
            row.verdict = judged
                .get(&pair)
                .and_then(Option::as_ref)
                .and_then(|c| {
                    c.verdicts
                        .iter()
                        .find(|v| v.benchmark == row.name && &v.measure == measure)
                })
                .map(|v| (pair.0, pair.1, v.clone()));
        }
        Ok((projects, listed))
    })
    .await?;
    let mut body = String::from("<h1>Benchmarks</h1>\n");
    if projects.len() > 1 {
        let links: Vec<String> = projects
            .iter()
            .map(|p| {
                let label = format!("{} ({} runs)", esc(&p.name), p.runs);
                if p.name == project {
                    format!("<strong>{label}</strong>")
                } else {
                    format!(
                        "<a href=\"{}\">{label}</a>",
                        esc(&format!("/?project={}", url_encode(&p.name)))
                    )
                }
            })
            .collect();
        body.push_str(&format!(
            "<p class=\"projects\">Projects: {}</p>\n",
            links.join(" · ")
        ));
    }
    let for_project = Selection {
        project: (project != DEFAULT_PROJECT).then(|| project.clone()),
        ..Selection::default()
    };
    if listed.is_empty() {
        body.push_str("<p>No runs are stored yet.</p>\n");
    } else {
        body.push_str(
            "<table class=\"benchmarks\">\n<tr><th>benchmark</th><th>measure</th>\
             <th>latest</th><th>recent runs</th><th>latest run</th>\
             <th>vs the run before</th></tr>\n",
        );
    }
    for row in &listed {
        let name = esc(&row.name);
        match (&row.measure, row.points.last()) {
            (Some(measure), Some(latest)) => {
                let unit = unit_of(measure);
                let values: Vec<f64> = row.points.iter().map(|p| p.median).collect();
                let caption = esc(&format!("{}: the newest {} runs", row.name, values.len()));
                let verdict = match &row.verdict {
                    Some((base, head, v)) => format!(
                        "<a class=\"verdict {kind}\" href=\"/compare?base={base}&amp;head={head}\">\
                         {kind}{severity}</a>",
                        kind = v.kind.as_str(),
                        severity = match v.severity {
                            Some(Severity::Fail) => " (fail)",
                            Some(Severity::Warn) => " (warn)",
                            None => "",
                        }
                    ),
                    None => String::new(),
                };
                body.push_str(&format!(
                    "<tr><td><a href=\"{}\"><code>{name}</code></a></td><td>{}</td>\
                     <td class=\"n\">{}</td><td>{}</td><td><a href=\"/runs/{}\">{}</a></td>\
                     <td>{verdict}</td></tr>\n",
                    history_href(&row.name, measure, &for_project),
                    esc(measure.as_str()),
                    esc(&format_value(latest.median, &unit)),
                    sparkline(&values, &caption),
                    latest.run_id,
                    esc(&timestamp(latest.started_at)),
                ));
            }
            _ => body.push_str(&format!(
                "<tr><td><a href=\"{}\"><code>{name}</code></a></td><td colspan=\"5\">\
                 no wall time or throughput stored</td></tr>\n",
                history_href(&row.name, &Measure::WallTime, &for_project)
            )),
        }
    }
    if !listed.is_empty() {
        body.push_str("</table>\n");
    }
    Ok(HtmlBody(page("benchgate: benchmarks", &body)))
}

/// What a history page shows: the query parameters a link to it carries, as given.
#[derive(Debug, Clone, Default)]
struct Selection {
    /// Another project than the default one.
    project: Option<String>,
    machine: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
}

/// A link to the history page of `name`'s `measure` with `selection`, escaped for an attribute.
fn history_href(name: &str, measure: &Measure, selection: &Selection) -> String {
    let mut href = format!(
        "/bench?name={}&measure={}",
        url_encode(name),
        url_encode(measure.as_str())
    );
    for (key, value) in [
        ("project", selection.project.as_deref()),
        ("machine", selection.machine.as_deref()),
        ("from", selection.from.as_deref()),
        ("to", selection.to.as_deref()),
    ] {
        if let Some(value) = value {
            href.push_str(&format!("&{key}={}", url_encode(value)));
        }
    }
    if let Some(limit) = selection.limit {
        href.push_str(&format!("&limit={limit}"));
    }
    esc(&href)
}

/// The quick links of a history page: its newest runs, counted.
const QUICK_LIMITS: [usize; 3] = [10, 50, 200];

/// A parameter's value, `None` when absent or empty (a form's field left blank sends it empty).
fn optional<'a>(parameters: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    parameters
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

fn range_error(error: RangeError) -> PageError {
    match error.parameter() {
        Some(_) => PageError::bad_request(error.to_string()),
        None => PageError::internal(error),
    }
}

async fn bench_page(
    State(store): State<Shared>,
    Extension(config): Extension<Arc<LoadedConfig>>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<HtmlBody<String>, PageError> {
    let parameters = parameters(
        query,
        &[
            "project", "name", "measure", "machine", "from", "to", "limit",
        ],
    )?;
    let project = project_parameter(&parameters)?;
    let name = match parameters.get("name") {
        Some(name) if !name.trim().is_empty() => name.clone(),
        Some(_) => return Err(PageError::bad_request("name: empty benchmark name")),
        None => {
            return Err(PageError::bad_request(
                "name: missing: give the benchmark's name, e.g. /bench?name=parse/json",
            ));
        }
    };
    let measure = parse_measure(parameters.get("measure").map(String::as_str))?;
    let selection = Selection {
        project: (project != DEFAULT_PROJECT).then(|| project.clone()),
        machine: optional(&parameters, "machine").map(str::to_string),
        from: optional(&parameters, "from").map(str::to_string),
        to: optional(&parameters, "to").map(str::to_string),
        limit: match optional(&parameters, "limit") {
            None => None,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_HISTORY_LIMIT).contains(&n) => Some(n),
                _ => {
                    return Err(PageError::bad_request(format!(
                        "limit: expected a whole number from 1 to {MAX_HISTORY_LIMIT}, got {text:?}"
                    )));
                }
            },
        },
    };
    let from = selection
        .from
        .as_deref()
        .map(|text| RangeBound::parse("from", text))
        .transpose()
        .map_err(range_error)?;
    let to = selection
        .to
        .as_deref()
        .map(|text| RangeBound::parse("to", text))
        .transpose()
        .map_err(range_error)?;
    let (wanted, read, machine) = (name.clone(), measure.clone(), selection.machine.clone());
    let found = with_store(&store, move |store| {
        history_range(
            store,
            &RangeQuery {
                project: Some(&project),
                benchmark: &wanted,
                measure: &read,
                machine: match machine.as_deref() {
                    None => MachineFilter::Newest,
                    Some(ALL_MACHINES) => MachineFilter::All,
                    Some(named) => MachineFilter::Named(named),
                },
                from,
                to,
                limit: selection.limit.unwrap_or(MAX_HISTORY_LIMIT),
                min_segment: DEFAULT_MIN_SEGMENT,
            },
        )
        .map_err(range_error)
    })
    .await?;
    if found.machines.is_empty() {
        return Err(PageError::not_found(format!(
            "no stored {} of benchmark {name:?}",
            measure.as_str()
        )));
    }
    let points = &found.history.points;
    let unit = unit_of(&measure);
    let drawn = found
        .history
        .chart(&name, &measure, unit.clone(), &config.budgets());
    let mut body = format!(
        "<h1><code>{}</code> · {}</h1>\n",
        esc(&name),
        esc(measure.as_str())
    );
    body.push_str(&range_form(&name, &measure, &selection, &found));
    // Quick ranges: the newest runs of the machine shown.
    body.push_str("<p class=\"range\">show: ");
    let machine_only = Selection {
        machine: selection.machine.clone(),
        ..Selection::default()
    };
    let ranges: Vec<String> = QUICK_LIMITS
        .into_iter()
        .map(|n| {
            let newest = Selection {
                limit: Some(n),
                ..machine_only.clone()
            };
            format!(
                "<a href=\"{}\">newest {n}</a>",
                history_href(&name, &measure, &newest)
            )
        })
        .chain([format!(
            "<a href=\"{}\">all</a> (the newest {MAX_HISTORY_LIMIT} at most)",
            history_href(&name, &measure, &machine_only)
        )])
        .collect();
    body.push_str(&ranges.join(" · "));
    body.push_str("</p>\n");
    let machine = match &found.machine {
        Some(fingerprint) => {
            let hostname = found
                .machines
                .iter()
                .find(|m| &m.fingerprint == fingerprint)
                .map_or("", |m| m.hostname.as_str());
            format!("machine {} ({})", esc(hostname), esc(fingerprint))
        }
        None => String::from("every machine"),
    };
    let (Some(oldest), Some(newest)) = (points.first(), points.last()) else {
        body.push_str(&format!(
            "<p class=\"selection\">No run of the {} of {machine} is in this range.</p>\n",
            plural_runs(found.series_len)
        ));
        return Ok(HtmlBody(page(
            &format!("benchgate: {name} · {}", measure.as_str()),
            &body,
        )));
    };
    body.push_str(&format!(
        "<p class=\"selection\">Runs {}–{} of the {} of {machine}{}: {} to {}. Shifts of level \
         are detected among the runs shown alone (recomputed for each range).</p>\n",
        found.first + 1,
        found.first + points.len(),
        plural_runs(found.series_len),
        if found.in_range > points.len() {
            format!(
                " (the newest {} of the {} in the range)",
                points.len(),
                found.in_range
            )
        } else {
            String::new()
        },
        esc(&timestamp(oldest.started_at)),
        esc(&timestamp(newest.started_at)),
    ));
    let links: Vec<String> = points
        .iter()
        .map(|p| format!("/runs/{}", p.run_id))
        .collect();
    body.push_str(&charts::history_linked(&drawn, &links));
    body.push_str(&format!(
        "\n<p class=\"caption\">{}</p>\n",
        charts::history_caption(&drawn)
    ));
    body.push_str(
        "<table class=\"points\">\n<tr><th>#</th><th>run</th><th>started</th><th>commit</th>\
         <th>median</th><th>compare</th></tr>\n",
    );
    for (i, p) in points.iter().enumerate() {
        let compare = match i.checked_sub(1).and_then(|before| points.get(before)) {
            Some(before) => format!(
                "<a href=\"/compare?base={}&amp;head={}\">vs previous</a>",
                before.run_id, p.run_id
            ),
            None => String::new(),
        };
        let shift = if found.history.change_points.iter().any(|c| c.index == i) {
            " class=\"shift\""
        } else {
            ""
        };
        body.push_str(&format!(
            "<tr{shift}><td class=\"n\">{}</td><td><a href=\"/runs/{id}\">{id}</a></td>\
             <td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td>{compare}</td></tr>\n",
            i + 1,
            esc(&timestamp(p.started_at)),
            esc(&short_commit(&p.commit)),
            esc(&format_value(p.median, &unit)),
            id = p.run_id,
        ));
    }
    body.push_str("</table>\n");
    Ok(HtmlBody(page(
        &format!("benchgate: {name} · {}", measure.as_str()),
        &body,
    )))
}

/// The `machine=` value that shows every machine's runs.
const ALL_MACHINES: &str = "all";

fn plural_runs(n: usize) -> String {
    if n == 1 {
        String::from("1 run")
    } else {
        format!("{n} runs")
    }
}

/// The form that picks a history page's range, without a script: a GET of the same page.
fn range_form(
    name: &str,
    measure: &Measure,
    selection: &Selection,
    found: &RangedHistory,
) -> String {
    let mut options: Vec<String> = found
        .machines
        .iter()
        .map(|m| {
            let selected = if found.machine.as_deref() == Some(m.fingerprint.as_str()) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{} ({}) · {}</option>",
                esc(&m.fingerprint),
                esc(&m.hostname),
                esc(&m.fingerprint),
                plural_runs(m.points)
            )
        })
        .collect();
    options.push(format!(
        "<option value=\"{ALL_MACHINES}\"{}>every machine</option>",
        if found.machine.is_none() {
            " selected"
        } else {
            ""
        }
    ));
    let value = |v: Option<&str>| esc(v.unwrap_or_default());
    format!(
        "<form class=\"range\" method=\"get\" action=\"/bench\">\n\
         <input type=\"hidden\" name=\"name\" value=\"{}\">\
         <input type=\"hidden\" name=\"measure\" value=\"{}\">{}\n\
         <label>machine <select name=\"machine\">{}</select></label>\n\
         <label>from <input name=\"from\" value=\"{}\" size=\"36\" \
         placeholder=\"2026-09-21 or a run id\"></label>\n\
         <label>to <input name=\"to\" value=\"{}\" size=\"36\" \
         placeholder=\"2026-09-21T18:00:00Z\"></label>\n\
         <label>newest <input name=\"limit\" type=\"number\" min=\"1\" max=\"{MAX_HISTORY_LIMIT}\" \
         value=\"{}\" size=\"6\"> runs</label>\n\
         <button type=\"submit\">show</button>\n</form>\n",
        esc(name),
        esc(measure.as_str()),
        selection
            .project
            .as_deref()
            .map_or_else(String::new, |project| format!(
                "<input type=\"hidden\" name=\"project\" value=\"{}\">",
                esc(project)
            )),
        options.join(""),
        value(selection.from.as_deref()),
        value(selection.to.as_deref()),
        selection.limit.map(|n| n.to_string()).unwrap_or_default(),
    )
}

async fn stored_run(store: &Shared, parameter: &str, id: Uuid) -> Result<Run, PageError> {
    let run = with_store(store, move |store| {
        store.get_run(id).map_err(PageError::internal)
    })
    .await?;
    run.ok_or_else(|| PageError::not_found(format!("{parameter}: no stored run has the id {id}")))
}

/// The report crate's page with the dashboard's navigation on top.
fn with_nav(report_page: String) -> String {
    report_page.replacen("<body>\n", &format!("<body>\n{NAV}"), 1)
}

async fn run_page(
    State(store): State<Shared>,
    Path(id): Path<String>,
) -> Result<HtmlBody<String>, PageError> {
    let id = parse_run_id("run", Some(&id))?;
    let run = stored_run(&store, "run", id).await?;
    Ok(HtmlBody(with_nav(Html.render(&HtmlReport {
        run: Some(&run),
        ..HtmlReport::default()
    }))))
}

async fn compare_page(
    State(store): State<Shared>,
    Extension(config): Extension<Arc<LoadedConfig>>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<HtmlBody<String>, PageError> {
    let parameters = parameters(query, &["base", "head"])?;
    let base_id = parse_run_id("base", parameters.get("base").map(String::as_str))?;
    let head_id = parse_run_id("head", parameters.get("head").map(String::as_str))?;
    let baseline = stored_run(&store, "base", base_id).await?;
    let current = stored_run(&store, "head", head_id).await?;
    let (baseline, current, comparison) = with_store(&store, move |store| {
        let comparison =
            judge_stored(store, &config, &baseline, &current).map_err(PageError::internal)?;
        Ok((baseline, current, comparison))
    })
    .await?;
    Ok(HtmlBody(with_nav(Html.render(&HtmlReport {
        run: Some(&current),
        baseline: Some(&baseline),
        comparison: Some(&comparison),
        history: &[],
        profiles: &[],
    }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_keeps_only_unreserved_characters() {
        assert_eq!(url_encode("a/b c&d=<e>"), "a%2Fb%20c%26d%3D%3Ce%3E");
        assert_eq!(url_encode("é"), "%C3%A9");
    }
}
