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
            "limit: expected a whole number from 1 to 100000, got &quot;0&quot;",
        ),
        (
            "/bench?name=parse%2Fjson&measure=wall_tme",
            StatusCode::BAD_REQUEST,
            "did you mean &quot;wall_time&quot;",
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

/// A real server on loopback serving the seeded store until dropped.
struct Served {
    address: std::net::SocketAddr,
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
        let access = benchgate_server::ReadAccess::Public;
        runtime.spawn(benchgate_server::serve(listener, store, access, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop: Some(stop),
            runtime: Some(runtime),
        }
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

/// Headless Chromium at `url`: its DOM (with `extra` args such as a screenshot's).
fn chromium(url: &str, extra: &[String]) -> String {
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
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The history and comparison pages in a real browser against a real server: the DOM has every
/// stored point and the shift, and the regression verdict. Screenshots of both are test artifacts
/// in `$BENCHGATE_SCREENSHOTS` (docs/images holds the committed ones: run with
/// `BENCHGATE_SCREENSHOTS=$PWD/docs/images`), else in cargo's temporary directory for tests.
#[test]
fn the_dashboard_renders_in_headless_chromium() {
    if !have_chromium() {
        return;
    }
    let s = seeded();
    let served = Served::start(Arc::clone(&s.store));
    let images = std::env::var_os("BENCHGATE_SCREENSHOTS").map_or_else(
        || std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&images).unwrap();
    let history = format!("http://{}/bench?name=parse%2Fjson", served.address);
    let compare = format!(
        "http://{}/compare?base={}&head={}",
        served.address,
        s.runs[BEFORE - 1].id,
        s.runs[BEFORE].id
    );

    let dom = chromium(&history, &["--dump-dom".to_string()]);
    assert_eq!(
        dom.matches("<circle class=\"point\"").count(),
        BEFORE + AFTER,
        "{dom}"
    );
    assert_eq!(dom.matches("<line class=\"change-point\"").count(), 1);
    let dom = chromium(&compare, &["--dump-dom".to_string()]);
    assert!(dom.contains("<td>FAIL</td>"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<script"), "{dom}");

    for (url, file) in [
        (&history, "dashboard-history.png"),
        (&compare, "dashboard-compare.png"),
    ] {
        let shot = images.join(file);
        let _ = std::fs::remove_file(&shot);
        chromium(
            url,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1200,1600".to_string(),
            ],
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{file} is no PNG");
    }
    drop(served);
}
