//! The dashboard's pages from a seeded SQLite store: in process (exact elements, status codes,
//! escaping) and in headless Chromium against a real server on loopback (the DOM has the chart's
//! points and the verdict; screenshots for docs/images).

mod common;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use benchgate_store::Store;
use common::get;
use time::OffsetDateTime;

const SCRIPT: &str = "<script>alert(1)</script>";
/// Runs stored before the level shift, and after it.
const BEFORE: usize = 6;
const AFTER: usize = 6;

/// Twenty samples around `ms`, spread ±2 % in a fixed pattern: deterministic runs whose medians
/// are `ms` exactly.
fn samples(ms: f64) -> Vec<f64> {
    (0..20)
        .map(|i| ms * 1e6 * (1.0 + 0.002 * (i as f64 - 9.5)))
        .collect()
}

fn bench(name: &str, ms: f64) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: None,
        status: Status::Ok,
        metrics: vec![
            Metric::from_samples(
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
                samples(ms),
            )
            .unwrap(),
        ],
        series: Vec::new(),
    }
}

/// Run `k` (0-based) of the seeded history: `parse/json` at 10 ms, then 15 ms from run
/// [`BEFORE`] on (a level shift and, run against run, a regression); `SCRIPT` steady at 2 ms.
fn seeded_run(k: usize) -> Run {
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000 + 3600 * k as i64).unwrap();
    let mut run = Run::new(
        Source::Command,
        at,
        Provenance {
            mode: Mode::Real,
            commit: Some(format!("{:x}{:0>34}", 0xabc000 + k, "")),
            branch: Some("main".into()),
            dirty: Some(false),
            merge_base: None,
            tags: Default::default(),
        },
        Environment {
            hostname: "ci-1".into(),
            os: "linux".into(),
            logical_cores: 2,
            ..Default::default()
        }
        .with_fingerprint(),
    );
    run.ended_at = at;
    // Fixed ids: the same pages, and screenshots, on every run of the test.
    run.id = uuid::Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0000 + k as u128);
    let parse = if k < BEFORE { 10.0 } else { 15.0 };
    run.benchmarks.push(bench("parse/json", parse));
    run.benchmarks.push(bench(SCRIPT, 2.0));
    run
}

struct Seeded {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    app: Router,
    runs: Vec<Run>,
}

fn seeded() -> Seeded {
    seeded_with(BEFORE + AFTER)
}

/// The first `runs` runs of the seeded history.
fn seeded_with(runs: usize) -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("history.db").display());
    let store = benchgate_server::open_store(&url).unwrap();
    let runs: Vec<Run> = (0..runs).map(seeded_run).collect();
    for run in &runs {
        store.put_run(run).unwrap();
    }
    let app = benchgate_server::app(Arc::clone(&store));
    Seeded {
        _dir: dir,
        store,
        app,
        runs,
    }
}

fn page(answer: &common::Answer) -> &str {
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    &answer.text
}

#[tokio::test]
async fn the_list_shows_every_benchmark_with_its_latest_value_and_a_sparkline() {
    let s = seeded();
    let answer = get(&s.app, "/").await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = page(&answer);
    assert_eq!(
        html.matches("<svg class=\"sparkline\"").count(),
        2,
        "{html}"
    );
    assert_eq!(
        html.matches(&format!("data-points=\"{}\"", BEFORE + AFTER))
            .count(),
        2,
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"/bench?name=parse%2Fjson&amp;measure=wall_time\"><code>parse/json</code></a>"
        ),
        "{html}"
    );
    assert!(html.contains("<td class=\"n\">15.00ms</td>"), "{html}");
    let latest = s.runs.last().unwrap().id;
    assert!(
        html.contains(&format!("<a href=\"/runs/{latest}\">")),
        "{html}"
    );
    // The name is text and its link is encoded: no script reaches the page.
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
    assert!(html.contains("name=%3Cscript%3Ealert%281%29%3C%2Fscript%3E"));
}

#[tokio::test]
async fn the_list_shows_a_regression_of_the_newest_run() {
    let s = seeded_with(BEFORE + 1);
    let html = get(&s.app, "/").await.text;
    let (before, latest) = (s.runs[BEFORE - 1].id, s.runs[BEFORE].id);
    let row = html
        .lines()
        .find(|l| l.contains("<code>parse/json</code>"))
        .unwrap_or_else(|| panic!("no row: {html}"));
    assert!(
        row.ends_with(&format!(
            "<td><a class=\"verdict regressed\" href=\"/compare?base={before}&amp;head={latest}\">\
             regressed (fail)</a></td></tr>"
        )),
        "{row}"
    );
}

#[tokio::test]
async fn the_history_page_draws_every_stored_point_and_the_shift_of_level() {
    let s = seeded();
    let answer = get(&s.app, "/bench?name=parse%2Fjson&measure=wall_time").await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = page(&answer);
    let stored = s
        .store
        .series("parse/json", &Measure::WallTime, usize::MAX)
        .unwrap();
    assert_eq!(stored.len(), BEFORE + AFTER);
    assert_eq!(
        html.matches("<circle class=\"point\"").count(),
        stored.len(),
        "{html}"
    );
    assert_eq!(html.matches("<line class=\"change-point\"").count(), 1);
    assert!(html.contains(&format!("at #{}", BEFORE + 1)), "{html}");
    // A row per point, linked to its run; the first run after the shift marked.
    for run in &s.runs {
        assert!(
            html.contains(&format!("<a href=\"/runs/{id}\">{id}</a>", id = run.id)),
            "{html}"
        );
    }
    assert_eq!(html.matches("<tr class=\"shift\">").count(), 1);
    assert!(html.contains(&format!(
        "<a href=\"/compare?base={}&amp;head={}\">vs previous</a>",
        s.runs[BEFORE - 1].id,
        s.runs[BEFORE].id
    )));

    let answer = get(&s.app, "/bench?name=parse%2Fjson&limit=4").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(page(&answer).matches("<circle class=\"point\"").count(), 4);
}

/// The seeded history plus three older runs of `parse/json` on a second machine whose hostname
/// is markup (at 50 ms, between runs 1..4 of "ci-1"; the newest run stays "ci-1"'s).
fn seeded_two_machines() -> (Seeded, Vec<Run>) {
    let s = seeded();
    let other: Vec<Run> = (0..3)
        .map(|k| {
            let mut run = seeded_run(k + 1);
            run.id = uuid::Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_1000 + k as u128);
            run.started_at += time::Duration::minutes(30);
            run.ended_at = run.started_at;
            run.environment = Environment {
                hostname: SCRIPT.into(),
                os: "linux".into(),
                logical_cores: 8,
                ..Default::default()
            }
            .with_fingerprint();
            run.benchmarks = vec![bench("parse/json", 50.0)];
            run
        })
        .collect();
    for run in &other {
        s.store.put_run(run).unwrap();
    }
    (s, other)
}

/// The ids of the runs a history page's chart links its points to, in order.
fn linked_points(html: &str) -> Vec<String> {
    html.split("<a href=\"/runs/")
        .skip(1)
        .filter_map(|rest| {
            let (id, after) = rest.split_once('"')?;
            after
                .starts_with("><circle class=\"point\"")
                .then(|| id.to_string())
        })
        .collect()
}

fn ids(runs: &[Run]) -> Vec<String> {
    runs.iter().map(|r| r.id.to_string()).collect()
}

/// A range of the history by run ids, by RFC 3339 dates and by a limit: the chart draws exactly
/// the runs of the range, each point a link to its run; the form shows the range and the quick
/// links keep the machine.
#[tokio::test]
async fn the_history_page_draws_the_range_it_is_given() {
    let s = seeded();
    let uri = format!(
        "/bench?name=parse%2Fjson&measure=wall_time&from={}&to={}",
        s.runs[2].id, s.runs[9].id
    );
    let answer = get(&s.app, &uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let html = page(&answer);
    assert_eq!(html.matches("<circle class=\"point\"").count(), 8, "{html}");
    assert_eq!(linked_points(html), ids(&s.runs[2..10]));
    // The shift is found among the runs shown: at the fifth of them (run 7 of 12).
    assert_eq!(html.matches("<line class=\"change-point\"").count(), 1);
    assert!(html.contains("shift of +50.0% at #5"), "{html}");
    let fingerprint = &s.runs[0].environment.fingerprint;
    assert!(
        html.contains(&format!(
            "<p class=\"selection\">Runs 3–10 of the 12 runs of machine ci-1 ({fingerprint}): \
             2026-09-21T16:13:20Z to 2026-09-21T23:13:20Z. Shifts of level are detected among \
             the runs shown alone (recomputed for each range).</p>"
        )),
        "{html}"
    );
    // The form carries the range back, escaped; one machine, selected.
    assert!(
        html.contains(&format!("<input name=\"from\" value=\"{}\"", s.runs[2].id)),
        "{html}"
    );
    assert!(html.contains(&format!("<input name=\"to\" value=\"{}\"", s.runs[9].id)));
    assert!(html.contains("<form class=\"range\" method=\"get\" action=\"/bench\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"name\" value=\"parse/json\">"));
    assert!(
        html.contains(&format!(
            "<option value=\"{fingerprint}\" selected>ci-1 ({fingerprint}) · 12 runs</option>\
             <option value=\"all\">every machine</option></select>"
        )),
        "{html}"
    );
    for n in [10, 50, 200] {
        assert!(
            html.contains(&format!(
                "<a href=\"/bench?name=parse%2Fjson&amp;measure=wall_time&amp;limit={n}\">newest {n}</a>"
            )),
            "{html}"
        );
    }
    assert!(html.contains(
        "<a href=\"/bench?name=parse%2Fjson&amp;measure=wall_time\">all</a> (the newest 10000 at most)"
    ));

    // Dates: the runs started from 15:00 through 18:00 of that day (runs 3..=6) — or the whole
    // day; a limit keeps the newest of the range; blank fields of the form are no filter.
    let day = s.runs[3].started_at.date();
    let at = |hour: u8| {
        day.with_hms(hour, 0, 0)
            .unwrap()
            .assume_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let inside: Vec<Run> = s
        .runs
        .iter()
        .filter(|r| r.started_at.date() == day && (15..=17).contains(&r.started_at.hour()))
        .cloned()
        .collect();
    assert!(!inside.is_empty());
    for (uri, expected) in [
        (
            format!("/bench?name=parse%2Fjson&from={}&to={}", at(15), at(18)),
            ids(&inside),
        ),
        (
            format!("/bench?name=parse%2Fjson&from={day}&to={day}"),
            ids(&s
                .runs
                .iter()
                .filter(|r| r.started_at.date() == day)
                .cloned()
                .collect::<Vec<_>>()),
        ),
        (
            format!(
                "/bench?name=parse%2Fjson&from={}&limit=3&machine=&to=",
                s.runs[2].id
            ),
            ids(&s.runs[9..]),
        ),
    ] {
        let answer = get(&s.app, &uri.replace('+', "%2B")).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text);
        assert_eq!(linked_points(&answer.text), expected, "{uri}");
    }

    // A name that looks like markup is text in the heading, the form and the links.
    let answer = get(
        &s.app,
        "/bench?name=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&limit=5",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(!answer.text.contains("<script"), "{}", answer.text);
    assert!(answer.text.contains(
        "<input type=\"hidden\" name=\"name\" value=\"&lt;script&gt;alert(1)&lt;/script&gt;\">"
    ));
    assert!(answer.text.contains(
        "<a href=\"/bench?name=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;measure=wall_time&amp;limit=10\">"
    ));
    assert!(
        answer
            .text
            .contains("<input name=\"limit\" type=\"number\" min=\"1\" max=\"10000\" value=\"5\"")
    );
    assert_eq!(linked_points(&answer.text).len(), 5);

    // A range with no run: the page and its form, no chart.
    let answer = get(&s.app, "/bench?name=parse%2Fjson&to=2000-01-01").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .text
            .contains("No run of the 12 runs of machine ci-1 ("),
        "{}",
        answer.text
    );
    assert!(!answer.text.contains("<svg class=\"history\""));
    assert!(answer.text.contains("<form class=\"range\""));
}

/// The newest run's machine by default; another by hostname or fingerprint from the select list
/// (its markup hostname shown as text); every machine with machine=all.
#[tokio::test]
async fn the_history_page_shows_one_machine_at_a_time() {
    let (s, other) = seeded_two_machines();
    let default = get(&s.app, "/bench?name=parse%2Fjson").await;
    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(linked_points(&default.text), ids(&s.runs));
    let ci = &s.runs[0].environment.fingerprint;
    let laptop = &other[0].environment.fingerprint;
    assert_ne!(ci, laptop);
    assert!(
        default.text.contains(&format!(
            "<select name=\"machine\"><option value=\"{ci}\" selected>ci-1 ({ci}) · 12 runs</option>\
             <option value=\"{laptop}\">&lt;script&gt;alert(1)&lt;/script&gt; ({laptop}) · 3 runs\
             </option><option value=\"all\">every machine</option></select>"
        )),
        "{}",
        default.text
    );
    assert!(!default.text.contains("<script"), "{}", default.text);
    for machine in [
        laptop.clone(),
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
    ] {
        let answer = get(
            &s.app,
            &format!("/bench?name=parse%2Fjson&machine={machine}"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{machine}: {}", answer.text);
        assert_eq!(linked_points(&answer.text), ids(&other), "{machine}");
        assert!(
            answer
                .text
                .contains(&format!("<option value=\"{laptop}\" selected>"))
        );
        assert!(!answer.text.contains("<script"), "{}", answer.text);
    }
    let all = get(&s.app, "/bench?name=parse%2Fjson&machine=all").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(linked_points(&all.text).len(), s.runs.len() + other.len());
    assert!(
        all.text
            .contains("<option value=\"all\" selected>every machine</option>")
    );
    assert!(
        all.text.contains("of the 15 runs of every machine"),
        "{}",
        all.text
    );
    // The quick links keep the machine chosen.
    assert!(all.text.contains(
        "<a href=\"/bench?name=parse%2Fjson&amp;measure=wall_time&amp;machine=all&amp;limit=10\">"
    ));
}

#[tokio::test]
async fn the_comparison_page_shows_the_regression_verdict() {
    let s = seeded();
    let (base, head) = (&s.runs[BEFORE - 1], &s.runs[BEFORE]);
    let answer = get(
        &s.app,
        &format!("/compare?base={}&head={}", base.id, head.id),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = page(&answer);
    let row = html
        .lines()
        .find(|l| l.starts_with("<tr><td><code>parse/json</code>"))
        .unwrap_or_else(|| panic!("no verdict row: {html}"));
    assert!(
        row.ends_with("<td>+50.0% (p&lt;0.001 n=20)</td><td>FAIL</td></tr>"),
        "{row}"
    );
    let steady = html
        .lines()
        .find(|l| l.starts_with("<tr><td><code>&lt;script&gt;"))
        .unwrap_or_else(|| panic!("no verdict row: {html}"));
    assert!(steady.ends_with("<td>ok</td></tr>"), "{steady}");
    assert!(html.contains("<rect class=\"bar regressed\""), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn a_private_server_serves_no_dashboard_pages() {
    let s = seeded();
    let private = benchgate_server::app_with_access(
        Arc::clone(&s.store),
        benchgate_server::ReadAccess::Private,
    );
    for path in [
        "/",
        "/bench?name=parse/json",
        "/runs/01920000-0000-7000-8000-000000000000",
    ] {
        assert_eq!(
            get(&private, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(get(&s.app, path).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn the_run_page_is_the_runs_html_report() {
    let s = seeded();
    let run = &s.runs[0];
    let answer = get(&s.app, &format!("/runs/{}", run.id)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = page(&answer);
    assert!(html.contains("<h1>benchgate run</h1>"), "{html}");
    assert!(html.contains("<nav><a href=\"/\">benchmarks</a></nav>"));
    assert_eq!(html.matches("<svg class=\"distribution\"").count(), 2);
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn bad_parameters_get_a_400_page_and_unknown_runs_a_404_page() {
    let s = seeded();
    let unknown = uuid::Uuid::from_u128(7);
    let real = s.runs[0].id;
    for (uri, status, message) in [
        ("/bench", StatusCode::BAD_REQUEST, "name: missing"),
        ("/bench?name=", StatusCode::BAD_REQUEST, "name: empty"),
        (
            "/bench?name=parse%2Fjson&limit=0",
            StatusCode::BAD_REQUEST,
            "limit: expected a whole number from 1 to 10000, got &quot;0&quot;",
        ),
        (
            "/bench?name=parse%2Fjson&measure=wall_tme",
            StatusCode::BAD_REQUEST,
            "did you mean &quot;wall_time&quot;",
        ),
        (
            "/bench?name=parse%2Fjson&from=yesterday",
            StatusCode::BAD_REQUEST,
            "from: expected an RFC 3339 date (2026-09-21) or date-time (2026-09-21T10:00:00Z), \
             or a run id, got &quot;yesterday&quot;",
        ),
        (
            "/bench?name=parse%2Fjson&to=2026-13-01",
            StatusCode::BAD_REQUEST,
            "to: expected an RFC 3339 date",
        ),
        (
            "/bench?name=parse%2Fjson&from=2026-09-22&to=2026-09-21",
            StatusCode::BAD_REQUEST,
            "to: the range ends before it starts (from is after to)",
        ),
        (
            "/bench?name=parse%2Fjson&from=01920000-0000-7000-8000-000000000005\
             &to=01920000-0000-7000-8000-000000000002",
            StatusCode::BAD_REQUEST,
            "to: the range ends before it starts",
        ),
        (
            "/bench?name=parse%2Fjson&to=00000000-0000-0000-0000-000000000007",
            StatusCode::BAD_REQUEST,
            "to: run 00000000-0000-0000-0000-000000000007 is not a point of this series on machine ",
        ),
        (
            "/bench?name=parse%2Fjson&machine=%3Cb%3Enowhere",
            StatusCode::BAD_REQUEST,
            "machine: no point of this series was measured on a machine with the fingerprint or \
             hostname &quot;&lt;b&gt;nowhere&quot; (its machines: ci-1 (",
        ),
        (
            "/bench?name=parse%2Fjson&limit=10001",
            StatusCode::BAD_REQUEST,
            "limit: expected a whole number from 1 to 10000, got &quot;10001&quot;",
        ),
        (
            "/bench?name=parse%2Fjson&colour=red",
            StatusCode::BAD_REQUEST,
            "unknown parameter &quot;colour&quot;",
        ),
        (
            "/bench?name=nothing",
            StatusCode::NOT_FOUND,
            "no stored wall_time of benchmark &quot;nothing&quot;",
        ),
        (
            "/runs/not-a-uuid",
            StatusCode::BAD_REQUEST,
            "run: &quot;not-a-uuid&quot; is not a run id",
        ),
        (
            "/compare?base=x",
            StatusCode::BAD_REQUEST,
            "base: &quot;x&quot;",
        ),
        ("/compare?head=x", StatusCode::BAD_REQUEST, "base: missing"),
    ] {
        let answer = get(&s.app, uri).await;
        assert_eq!(answer.status, status, "{uri}");
        assert!(page(&answer).contains(message), "{uri}: {}", page(&answer));
        assert!(page(&answer).starts_with("<!DOCTYPE html>"), "{uri}");
    }
    for uri in [
        format!("/runs/{unknown}"),
        format!("/compare?base={real}&head={unknown}"),
    ] {
        let answer = get(&s.app, &uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            page(&answer).contains(&format!("no stored run has the id {unknown}")),
            "{uri}: {}",
            page(&answer)
        );
    }
    // A name that looks like markup is shown as text on the 404 page too.
    let answer = get(&s.app, "/bench?name=%3Cscript%3Ex").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(page(&answer).contains("&quot;&lt;script&gt;x&quot;"));
    assert!(!page(&answer).contains("<script"));
}

/// A real server on loopback serving the seeded store until dropped, recording the method and
/// target of every request it gets.
struct Served {
    address: std::net::SocketAddr,
    requests: Arc<std::sync::Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Served {
    fn start(store: Arc<dyn Store>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let app = benchgate_server::app(store).layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                seen.lock()
                    .unwrap()
                    .push(format!("{} {}", request.method(), request.uri()));
                next.run(request)
            },
        ));
        runtime.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Self {
            address,
            requests,
            stop: Some(stop),
            runtime: Some(runtime),
        }
    }

    /// The requests since the last call, but a favicon's (the browser asks for one of its own
    /// accord; no page names one).
    fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().unwrap())
            .into_iter()
            .filter(|r| r != "GET /favicon.ico")
            .collect()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// Whether chromium is here: `false` (with the reason printed) when not, except under CI=true,
/// where .ci/run installs it and its absence is a failure.
fn have_chromium() -> bool {
    let found = std::process::Command::new("chromium")
        .arg("--version")
        .output();
    if found.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no chromium on PATH (.ci/run installs it)"
        );
        eprintln!("skipped: no chromium on PATH (apt-get install -y chromium)");
        return false;
    }
    true
}

/// Headless Chromium at `url` (with `extra` args such as a screenshot's): its standard output
/// (the DOM with `--dump-dom`) and its log, where console messages show as `:CONSOLE`.
fn chromium(url: &str, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("timeout")
        .arg("120")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium: {log}");
    (String::from_utf8(out.stdout).unwrap(), log)
}

/// Every page of the dashboard in a real browser against a real server: no console message, no
/// request but the page's own; the history page's chart has exactly the points of the range
/// asked for, each a link to its run, and the comparison page the regression verdict.
/// Screenshots of each are test artifacts in `$BENCHGATE_SCREENSHOTS` (docs/images holds the
/// committed ones: run with `BENCHGATE_SCREENSHOTS=$PWD/docs/images`), else in cargo's temporary
/// directory for tests.
#[test]
fn the_dashboard_renders_in_headless_chromium() {
    if !have_chromium() {
        return;
    }
    let (s, _) = seeded_two_machines();
    let served = Served::start(Arc::clone(&s.store));
    let images = std::env::var_os("BENCHGATE_SCREENSHOTS").map_or_else(
        || std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&images).unwrap();
    // Runs 2..=11 of "ci-1": ten points, the shift among them.
    let range = &s.runs[2..];
    let history = format!(
        "/bench?name=parse%2Fjson&measure=wall_time&from={}&to={}",
        range[0].id,
        range[range.len() - 1].id
    );
    let compare = format!(
        "/compare?base={}&head={}",
        s.runs[BEFORE - 1].id,
        s.runs[BEFORE].id
    );
    let run = format!("/runs/{}", s.runs[BEFORE].id);
    let pages = [
        ("/".to_string(), "dashboard-index.png"),
        (history.clone(), "dashboard-history.png"),
        (run, "dashboard-run.png"),
        (compare.clone(), "dashboard-compare.png"),
    ];
    for (path, file) in &pages {
        let url = format!("http://{}{path}", served.address);
        let (dom, log) = chromium(&url, &["--dump-dom".to_string()]);
        assert!(!log.contains(":CONSOLE"), "{path}: console messages: {log}");
        assert_eq!(served.take_requests(), [format!("GET {path}")], "{path}");
        assert!(!dom.contains("<script"), "{path}: {dom}");
        if path == &history {
            assert_eq!(
                dom.matches("<circle class=\"point\"").count(),
                range.len(),
                "{dom}"
            );
            assert_eq!(linked_points(&dom), ids(range));
            assert_eq!(dom.matches("<line class=\"change-point\"").count(), 1);
            assert!(dom.contains("<select name=\"machine\">"), "{dom}");
            assert!(
                dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{dom}"
            );
        }
        if path == &compare {
            assert!(dom.contains("<td>FAIL</td>"), "{dom}");
            assert!(
                dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{dom}"
            );
        }

        let shot = images.join(file);
        let _ = std::fs::remove_file(&shot);
        let (_, log) = chromium(
            &url,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1200,1000".to_string(),
            ],
        );
        assert!(!log.contains(":CONSOLE"), "{path}: console messages: {log}");
        assert_eq!(served.take_requests(), [format!("GET {path}")], "{path}");
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{file} is no PNG");
    }
    drop(served);
}

/// Projects: the list and the history page read one project's runs (`?project=`, `default`
/// when not given), the list links the other projects, and a project's links keep to it; an
/// unknown project is a 404 page and a bad name a 400 naming the parameter.
#[tokio::test]
async fn the_pages_show_one_projects_runs_and_link_the_others() {
    let s = seeded_with(3);
    // `web` holds 5 runs of the same benchmark names, at 40 ms.
    for k in 10..15 {
        let mut run = seeded_run(k);
        run.benchmarks = vec![bench("parse/json", 40.0)];
        s.store.put_run_in("web", &run).unwrap();
    }
    let html = get(&s.app, "/").await.text;
    assert!(
        html.contains(
            "<p class=\"projects\">Projects: <strong>default (3 runs)</strong> · \
             <a href=\"/?project=web\">web (5 runs)</a></p>"
        ),
        "{html}"
    );
    assert!(html.contains("data-points=\"3\""), "{html}");
    assert!(!html.contains("40.00ms"), "{html}");

    let html = get(&s.app, "/?project=web").await.text;
    assert!(html.contains("<td class=\"n\">40.00ms</td>"), "{html}");
    assert!(html.contains("data-points=\"5\""), "{html}");
    assert_eq!(
        html.matches("<svg class=\"sparkline\"").count(),
        1,
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"/bench?name=parse%2Fjson&amp;measure=wall_time&amp;project=web\">"
        ),
        "{html}"
    );

    let answer = get(&s.app, "/bench?name=parse%2Fjson&project=web").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(linked_points(&answer.text).len(), 5, "{}", answer.text);
    assert!(
        answer
            .text
            .contains("<input type=\"hidden\" name=\"project\" value=\"web\">"),
        "the range form keeps to the project: {}",
        answer.text
    );
    let answer = get(&s.app, "/bench?name=parse%2Fjson").await;
    assert_eq!(linked_points(&answer.text).len(), 3, "{}", answer.text);
    assert!(!answer.text.contains("name=\"project\""), "{}", answer.text);

    let answer = get(&s.app, "/?project=nope").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer
            .text
            .contains("project &quot;nope&quot;: no such project"),
        "{}",
        answer.text
    );
    let answer = get(&s.app, "/?project=a%2Fb").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text.contains("project: "), "{}", answer.text);
}

/// `serve --config FILE`: its budgets' bounds are drawn across the history charts (with the
/// newest run's headroom), and its [[budget]]s judge the comparison page as `compare --config`.
#[tokio::test]
async fn a_served_configurations_budgets_show_on_the_history_and_judge_comparisons() {
    let s = seeded();
    let config = s._dir.path().join("benchgate.toml");
    std::fs::write(
        &config,
        "[[budget]]\nbench = \"parse/*\"\nmeasure = \"wall_time\"\nmax = \"20ms\"\n\n\
         [[budget]]\nbench = \"parse/*\"\nmeasure = \"wall_time\"\nmax = \"12ms\"\n",
    )
    .unwrap();
    let loaded = benchgate_server::LoadedConfig::load(&config).unwrap();
    let app = benchgate_server::app_with(
        Arc::clone(&s.store),
        benchgate_server::ReadAccess::Public,
        Arc::new(loaded),
    );
    let html = get(&app, "/bench?name=parse%2Fjson").await.text;
    assert_eq!(html.matches("<line class=\"budget\"").count(), 2, "{html}");
    assert!(
        html.contains(
            "<title>budget max 20.00ms (wall_time ≤ 20ms on parse/*): the newest run has \
             +25.0% headroom</title>"
        ),
        "{html}"
    );
    assert!(html.contains("headroom -25.0% at the newest run"), "{html}");
    // Without the file: no bounds.
    let plain = get(&s.app, "/bench?name=parse%2Fjson").await.text;
    assert!(!plain.contains("class=\"budget\""), "{plain}");

    let (base, head) = (s.runs[0].id, s.runs.last().unwrap().id);
    let html = get(&app, &format!("/compare?base={base}&head={head}"))
        .await
        .text;
    assert!(html.contains("<svg class=\"budgets\""), "{html}");
    let plain = get(&s.app, &format!("/compare?base={base}&head={head}"))
        .await
        .text;
    assert!(!plain.contains("<svg class=\"budgets\""), "{plain}");
}
