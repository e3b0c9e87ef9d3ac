//! The self-contained HTML report (SPEC §8): each chart's SVG with exact coordinates for a small
//! fixed input, pages pinned by snapshots, nothing fetched, everything from outside escaped.

use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{
    Benchmark, BudgetCheck, BudgetStatus, Comparison, Direction, Effect, Environment, Interval,
    Measure, Metric, Mode, Provenance, Run, Severity, Source, Status, Summary, Thresholds, Unit,
    Verdict, VerdictKind,
};
use benchgate_report::charts::{self, DistributionRow, Limit, LimitSide};
use benchgate_report::{ChangePoint, Format, History, HistoryPoint, Html, HtmlReport};
use time::macros::datetime;
use uuid::Uuid;

fn wall(samples: &[f64]) -> Metric {
    Metric::from_samples(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        samples.to_vec(),
    )
    .unwrap()
}

fn bench(name: &str, samples: &[f64]) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: Some(format!("./{name}")),
        status: Status::Ok,
        metrics: vec![wall(samples)],
        series: Vec::new(),
    }
}

fn run(id: u128, commit: &str, benchmarks: Vec<Benchmark>) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            commit: Some(commit.into()),
            branch: Some("main".into()),
            dirty: Some(false),
            ..Default::default()
        },
        Environment {
            hostname: "ci-1".into(),
            os: "linux".into(),
            kernel: "6.1.0".into(),
            arch: "x86_64".into(),
            cpu_model: "test cpu".into(),
            logical_cores: 2,
            memory_bytes: 8 << 30,
            fingerprint: String::new(),
        }
        .with_fingerprint(),
    );
    run.id = Uuid::from_u128(id);
    run.ended_at = datetime!(2026-11-24 10:01 UTC);
    run.benchmarks = benchmarks;
    run
}

/// Ten samples around `center`, spread ±2 %, in a fixed order.
fn spread(center: f64) -> Vec<f64> {
    (0..10)
        .map(|i| center * (0.98 + 0.004 * ((i * 7) % 10) as f64))
        .collect()
}

fn runs() -> (Run, Run) {
    let base = run(
        1,
        "1111111111aaaaaaaaaa1111111111aaaaaaaaaa",
        vec![
            bench("parse", &spread(1_000_000.0)),
            bench("render", &spread(2_000_000.0)),
        ],
    );
    let mut simulated = bench("backend", &spread(500_000.0));
    simulated.mode = Some(Mode::Simulated);
    let current = run(
        2,
        "2222222222bbbbbbbbbb2222222222bbbbbbbbbb",
        vec![
            bench("parse", &spread(800_000.0)),
            bench("render", &spread(2_300_000.0)),
            simulated,
        ],
    );
    (base, current)
}

fn comparison(base: &Run, current: &Run) -> Comparison {
    let mut c = compare_runs(base, "base", current, "head", &CompareOptions::default());
    c.budgets = vec![budget(Some(5.5e7), Some(1e8), Some(45.0), BudgetStatus::Ok)];
    c
}

fn budget(
    value: Option<f64>,
    limit: Option<f64>,
    headroom: Option<f64>,
    status: BudgetStatus,
) -> BudgetCheck {
    BudgetCheck {
        budget: 0,
        label: "fast render".into(),
        benchmark: "render".into(),
        measure: Measure::WallTime,
        unit: Unit::Nanoseconds,
        direction: Direction::LowerIsBetter,
        value,
        baseline: None,
        limit,
        headroom_percent: headroom,
        status,
        reason: "55ms is within max 100ms".into(),
    }
}

/// What a page must not have to stay self-contained: nothing it could fetch or run.
fn assert_self_contained(page: &str) {
    for fetching in [
        "src=",
        "href=",
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "url(",
        "@import",
        "http-equiv",
    ] {
        assert!(!page.contains(fetching), "{fetching} in {page}");
    }
}

/// A benchmark's distribution of one measure: samples 100..500 ns across 180..470 px (0.725 px
/// a ns), the box from the quartiles 200 and 400, the median at 300 with its interval 200..400
/// under it, the dots spread over the row and `median ± spread` beside it.
#[test]
fn a_distribution_is_a_box_with_its_samples_at_exact_coordinates() {
    let samples = [100.0, 200.0, 300.0, 400.0, 500.0];
    let summary = Summary {
        median_ci: Some(Interval {
            lo: 200.0,
            hi: 400.0,
            confidence: 0.95,
        }),
        ..Summary::of(&samples).unwrap()
    };
    let svg = charts::distribution(
        "wall time",
        &Unit::Nanoseconds,
        &[DistributionRow {
            label: "a",
            mode: Mode::Real,
            samples: &samples,
            summary: &summary,
        }],
    );
    // One row: 16 above, 24 for the row, 22 for the axis.
    assert!(svg.starts_with("<svg class=\"distribution\""), "{svg}");
    assert!(svg.contains("width=\"640\" height=\"62\""), "{svg}");
    for part in [
        "<line class=\"whisker\" x1=\"180.0\" y1=\"28.0\" x2=\"470.0\" y2=\"28.0\" stroke=\"#1f77b4\"/>",
        "<rect class=\"box\" x=\"252.5\" y=\"21.0\" width=\"145.0\" height=\"14\"",
        "<rect class=\"ci\" x=\"252.5\" y=\"35.0\" width=\"145.0\" height=\"4\"",
        "<line class=\"median\" x1=\"325.0\" y1=\"20.0\" x2=\"325.0\" y2=\"36.0\"",
        "<circle class=\"sample\" cx=\"180.0\" cy=\"24.0\"",
        "<circle class=\"sample\" cx=\"252.5\" cy=\"28.0\"",
        "<circle class=\"sample\" cx=\"325.0\" cy=\"32.0\"",
        "<circle class=\"sample\" cx=\"397.5\" cy=\"26.0\"",
        "<circle class=\"sample\" cx=\"470.0\" cy=\"30.0\"",
        "<text x=\"480.0\" y=\"32.0\" font-size=\"11\">median 300.0ns ± 33%</text>",
        "<text x=\"180.0\" y=\"57.0\" font-size=\"10\" text-anchor=\"start\" fill=\"#555\">100.0ns</text>",
        ">300.0ns</text>",
        ">500.0ns</text>",
        "<title>a (real): median 300.0ns, 95% interval 200.0ns … 400.0ns; quartiles 200.0ns … 400.0ns; \
         range 100.0ns … 500.0ns; n=5</title>",
    ] {
        assert!(svg.contains(part), "{part} not in {svg}");
    }
    assert_eq!(svg.matches("<circle class=\"sample\"").count(), 5, "{svg}");
}

/// Many samples are thinned to at most MAX_DOTS dots; the box still comes from all of them.
#[test]
fn a_distribution_draws_at_most_max_dots_samples() {
    let samples: Vec<f64> = (0..1000).map(f64::from).collect();
    let summary = Summary::of(&samples).unwrap();
    let svg = charts::distribution(
        "wall time",
        &Unit::Nanoseconds,
        &[DistributionRow {
            label: "many",
            mode: Mode::Real,
            samples: &samples,
            summary: &summary,
        }],
    );
    assert_eq!(
        svg.matches("<circle class=\"sample\"").count(),
        334,
        "every third of 1000"
    );
    assert_eq!(charts::MAX_DOTS, 400);
}

fn verdict(name: &str, kind: VerdictKind, ratio: f64, ci: (f64, f64)) -> Verdict {
    Verdict {
        benchmark: name.into(),
        measure: Measure::WallTime,
        unit: Unit::Nanoseconds,
        direction: Direction::LowerIsBetter,
        exact: false,
        kind,
        severity: (kind == VerdictKind::Regressed).then_some(Severity::Fail),
        gating: true,
        baseline: None,
        current: None,
        effect: Some(Effect {
            ratio,
            delta: 0.0,
            ci: Some(Interval {
                lo: ci.0,
                hi: ci.1,
                confidence: 0.95,
            }),
        }),
        p_value: Some(0.001),
        q_value: Some(0.001),
        reason: String::new(),
        caveats: Vec::new(),
    }
}

/// Changes from −30 % to +20 % across 180..530 px (7 px a percent, 0 at 390): an improvement of
/// −20 % [−30, −15] in green, a regression of +12 % [+8, +20] in red, warn (+5 %) and fail
/// (+10 %) as dashed lines on the side where wall time gets worse.
#[test]
fn change_bars_have_interval_whiskers_verdict_colours_and_threshold_lines() {
    let improved = verdict("parse", VerdictKind::Improved, 0.8, (0.7, 0.85));
    let regressed = verdict("render", VerdictKind::Regressed, 1.12, (1.08, 1.2));
    let svg = charts::changes(
        &Measure::WallTime,
        &[&improved, &regressed],
        &Thresholds::default(),
    );
    for part in [
        "<line class=\"threshold warn\" x1=\"425.0\" y1=\"12.0\" x2=\"425.0\" y2=\"68.0\" stroke=\"#ff7f0e\"",
        "text-anchor=\"end\" fill=\"#ff7f0e\">warn +5.0%</text>",
        "<line class=\"threshold fail\" x1=\"460.0\" y1=\"12.0\" x2=\"460.0\" y2=\"68.0\" stroke=\"#d62728\"",
        "text-anchor=\"start\" fill=\"#d62728\">fail +10.0%</text>",
        "<line class=\"zero\" x1=\"390.0\" y1=\"12.0\" x2=\"390.0\" y2=\"68.0\"",
        "<rect class=\"bar improved\" x=\"250.0\" y=\"22.0\" width=\"140.0\" height=\"12\" fill=\"#2ca02c\"/>",
        "<path class=\"interval\" d=\"M180.0 24.0V32.0M180.0 28.0H285.0M285.0 24.0V32.0\"",
        ">-20.0% improved</text>",
        "<rect class=\"bar regressed\" x=\"390.0\" y=\"46.0\" width=\"84.0\" height=\"12\" fill=\"#d62728\"/>",
        "<path class=\"interval\" d=\"M446.0 48.0V56.0M446.0 52.0H530.0M530.0 48.0V56.0\"",
        ">+12.0% FAIL</text>",
        "<title>render: +12.0% [+8.0%, +20.0%] FAIL</title>",
    ] {
        assert!(svg.contains(part), "{part} not in {svg}");
    }
}

/// A measure where higher is better regresses downwards: its thresholds are drawn at −5 % and
/// −10 %.
#[test]
fn thresholds_of_a_higher_is_better_measure_are_below_zero() {
    let mut v = verdict("api", VerdictKind::Unchanged, 1.0, (0.99, 1.01));
    v.direction = Direction::HigherIsBetter;
    v.measure = Measure::Throughput;
    let svg = charts::changes(&Measure::Throughput, &[&v], &Thresholds::default());
    assert!(svg.contains(">warn -5.0%</text>"), "{svg}");
    assert!(svg.contains(">fail -10.0%</text>"), "{svg}");
    assert!(svg.contains("class=\"bar unchanged\""), "{svg}");
}

/// A budget: 55 ms of a 100 ms limit on 0..110 ms across 180..350 px, the headroom beside it.
#[test]
fn a_budget_is_a_bar_with_its_limit_line_and_headroom() {
    let svg = charts::budgets(&[
        budget(Some(5.5e7), Some(1e8), Some(45.0), BudgetStatus::Ok),
        budget(None, Some(1e8), None, BudgetStatus::Unchecked),
    ]);
    for part in [
        "<rect class=\"bar ok\" x=\"180.0\" y=\"22.0\" width=\"85.0\" height=\"12\" fill=\"#2ca02c\"/>",
        "<line class=\"limit\" x1=\"334.5\" y1=\"19.0\" x2=\"334.5\" y2=\"37.0\"",
        ">55.00ms / limit 100.0ms, headroom +45.0% (ok)</text>",
        ">- / limit 100.0ms (unchecked)</text>",
        ">fast render · render</text>",
    ] {
        assert!(svg.contains(part), "{part} not in {svg}");
    }
    assert_eq!(svg.matches("<rect class=\"bar").count(), 1, "{svg}");
}

fn history(name: &str) -> History {
    History {
        benchmark: name.into(),
        measure: Measure::WallTime,
        unit: Unit::Nanoseconds,
        points: [10.0, 10.0, 20.0, 20.0]
            .iter()
            .enumerate()
            .map(|(i, &value)| HistoryPoint {
                label: format!("c{}", i + 1),
                value,
            })
            .collect(),
        change_points: vec![ChangePoint {
            index: 2,
            before_median: 10.0,
            after_median: 20.0,
        }],
        limits: Vec::new(),
    }
}

/// Budget bounds across a history: one near the runs is a line (the axis stretched to it) with
/// the newest run's headroom; one far from them is named in the caption only, so the runs are
/// not squashed into a line.
#[test]
fn a_history_draws_near_budget_bounds_and_names_far_ones() {
    let mut h = history("parse");
    h.limits = vec![
        Limit {
            label: "max 25.00ns (wall_time ≤ 25ns on parse)".into(),
            value: 25.0,
            side: LimitSide::Below,
            hard: true,
        },
        Limit {
            label: "target 500.0ns".into(),
            value: 500.0,
            side: LimitSide::Below,
            hard: false,
        },
    ];
    let svg = charts::history(&h);
    // 10 … 25 ns over 112 … 8 px: the max at the top, the runs at 20 ns lower than before.
    assert!(
        svg.contains(
            "<line class=\"budget\" x1=\"8.0\" y1=\"8.0\" x2=\"632.0\" y2=\"8.0\" \
             stroke=\"#ff7f0e\" stroke-dasharray=\"6 3\"><title>budget max 25.00ns (wall_time ≤ \
             25ns on parse): the newest run has +20.0% headroom</title></line>"
        ),
        "{svg}"
    );
    assert!(
        svg.contains("points=\"8.0,112.0 216.0,112.0 424.0,42.7 632.0,42.7\""),
        "{svg}"
    );
    assert_eq!(svg.matches("<line class=\"budget\"").count(), 1, "{svg}");
    assert_eq!(
        charts::history_caption(&h),
        "4 stored runs, 10.00ns … 20.00ns; shift of +100.0% at #3 (c3): 10.00ns → 20.00ns; \
         budget max 25.00ns (wall_time ≤ 25ns on parse), headroom +20.0% at the newest run; \
         budget target 500.0ns, headroom +96.0% at the newest run (off the chart)"
    );
    // A broken bound has negative headroom.
    assert_eq!(h.limits[0].headroom_percent(30.0), Some(-20.0));
    let above = Limit {
        side: LimitSide::Above,
        ..h.limits[0].clone()
    };
    assert_eq!(above.headroom_percent(30.0), Some(20.0));
}

/// Four runs (10, 10, 20, 20 ns) across 8..632 px and 112..8 px up, a shift between the second
/// and the third run, and each level's median under its runs.
#[test]
fn a_history_is_a_line_with_its_change_points_and_levels() {
    let svg = charts::history(&history("parse"));
    for part in [
        "points=\"8.0,112.0 216.0,112.0 424.0,8.0 632.0,8.0\"",
        "<line class=\"change-point\" x1=\"320.0\" y1=\"8.0\" x2=\"320.0\" y2=\"112.0\"",
        "<title>shift of +100.0% at #3: 10.00ns → 20.00ns</title>",
        "<line class=\"level\" x1=\"8.0\" y1=\"112.0\" x2=\"216.0\" y2=\"112.0\"",
        "<line class=\"level\" x1=\"424.0\" y1=\"8.0\" x2=\"632.0\" y2=\"8.0\"",
        "<title>#4 c4: 20.00ns</title>",
    ] {
        assert!(svg.contains(part), "{part} not in {svg}");
    }
    assert_eq!(
        charts::history_caption(&history("parse")),
        "4 stored runs, 10.00ns … 20.00ns; shift of +100.0% at #3 (c3): 10.00ns → 20.00ns"
    );
    assert_eq!(svg.matches("<circle class=\"point\"").count(), 4, "{svg}");
}

/// The dashboard's history: each point a link (escaped) to its run's page, the chart otherwise
/// the same; the file report's has no link at all.
#[test]
fn a_linked_history_makes_each_point_a_link() {
    let links: Vec<String> = (1..=4).map(|i| format!("/runs/{i}?a=1&b=\"")).collect();
    let svg = charts::history_linked(&history("parse"), &links);
    assert_eq!(svg.matches("<a href=").count(), 4, "{svg}");
    assert!(
        svg.contains(
            "<a href=\"/runs/4?a=1&amp;b=&quot;\"><circle class=\"point\" cx=\"632.0\" cy=\"8.0\" \
             r=\"2.5\" fill=\"#1f77b4\"><title>#4 c4: 20.00ns</title></circle></a>"
        ),
        "{svg}"
    );
    let unlinked = (1..=4).fold(svg.replace("</circle></a>", "</circle>"), |svg, i| {
        svg.replace(&format!("<a href=\"/runs/{i}?a=1&amp;b=&quot;\">"), "")
    });
    assert_eq!(unlinked, charts::history(&history("parse")));
    assert!(!charts::history(&history("parse")).contains("href"));
}

/// A run's page: the provenance header, a mode per benchmark and the simulated banner, a
/// distribution chart of wall time with a row per benchmark.
#[test]
fn run_page() {
    let (_, current) = runs();
    let page = Html.run(&current, &[]);
    assert_self_contained(&page);
    for part in [
        "<dt>commit</dt><dd>2222222222bbbbbbbbbb2222222222bbbbbbbbbb</dd>",
        "<dt>branch</dt><dd>main</dd>",
        "<dt>started</dt><dd>2026-11-24T10:00:00Z</dd>",
        "<dt>machine</dt><dd>ci-1 · linux · 6.1.0 · x86_64</dd>",
        "<dt>cpu</dt><dd>test cpu (2 logical cores)</dd>",
        "<dt>memory</dt><dd>8.000GiB</dd>",
        "<p class=\"simulated\">SIMULATED",
        "<td><span class=\"mode simulated\">simulated</span></td>",
        "<td><span class=\"mode real\">real</span></td>",
        ">wall time (simulated)</text>",
        "<h3><code>backend</code> <span class=\"mode simulated\">simulated</span></h3>",
    ] {
        assert!(page.contains(part), "{part} not in {page}");
    }
    assert_eq!(page.matches("<svg class=\"distribution\"").count(), 3);
    // Each row is named by its measure already: no title above it.
    assert!(!page.contains("font-weight=\"bold\""), "{page}");
    assert_eq!(page.matches("<g class=\"row\">").count(), 3);
    insta::assert_snapshot!("html_run_page", page);
}

/// A comparison's page with its runs and a history: baseline and current distributions side by
/// side, change bars, the budget and the history chart.
#[test]
fn comparison_page() {
    let (base, current) = runs();
    let c = comparison(&base, &current);
    let histories = [history("parse")];
    let page = Html.render(&HtmlReport {
        run: Some(&current),
        baseline: Some(&base),
        comparison: Some(&c),
        history: &histories,
        profiles: &[],
    });
    assert_self_contained(&page);
    for part in [
        "<dt>baseline</dt><dd>base (real, commit 1111111111, 2026-11-24T10:00:00Z, machine ",
        ">baseline</text>",
        ">current</text>",
        "<text x=\"174.0\" y=\"12.0\" font-size=\"11\" font-weight=\"bold\" \
         text-anchor=\"end\">wall time</text>",
        "<rect class=\"bar improved\"",
        "<rect class=\"bar regressed\"",
        "<svg class=\"budgets\"",
        "<svg class=\"history\"",
        "<h3><code>parse</code> · wall_time</h3>",
    ] {
        assert!(page.contains(part), "{part} not in {page}");
    }
    insta::assert_snapshot!("html_comparison_page", page);
}

/// The page of a comparison alone (what `benchgate compare --format html` prints) still has its
/// change bars and budgets; it has no samples to draw.
#[test]
fn a_comparison_alone_has_bars_and_budgets() {
    let (base, current) = runs();
    let page = Html.comparison(&comparison(&base, &current));
    assert_self_contained(&page);
    assert!(page.contains("<svg class=\"changes\""), "{page}");
    assert!(page.contains("<svg class=\"budgets\""), "{page}");
    assert!(!page.contains("<svg class=\"distribution\""), "{page}");
}

const SCRIPT: &str = "<script>alert(\"x\")</script>";

/// A `<script>` in a benchmark name, a branch, a history label and a budget label is text in
/// every table, chart label, tooltip and header: never an element.
#[test]
fn script_in_names_is_escaped_everywhere() {
    let (mut base, mut current) = runs();
    base.benchmarks[0].name = SCRIPT.into();
    current.benchmarks[0].name = SCRIPT.into();
    current.provenance.branch = Some(SCRIPT.into());
    current.benchmarks[1].command = Some(format!("./render '{SCRIPT}'"));
    let mut c = comparison(&base, &current);
    c.budgets[0].label = SCRIPT.into();
    c.budgets[0].benchmark = SCRIPT.into();
    let mut h = history(SCRIPT);
    h.points[0].label = SCRIPT.into();
    let histories = [h];
    let page = Html.render(&HtmlReport {
        run: Some(&current),
        baseline: Some(&base),
        comparison: Some(&c),
        history: &histories,
        profiles: &[],
    });
    assert_self_contained(&page);
    assert!(
        page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        "{page}"
    );
    // The table, the branch, the chart labels and tooltips, the history heading and point.
    assert!(
        page.matches("&lt;script&gt;").count() >= 8,
        "{}",
        page.matches("&lt;script&gt;").count()
    );
    let run_page = Html.run(&current, &[]);
    assert_self_contained(&run_page);
    assert!(run_page.contains("<code>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</code>"));
    assert!(run_page.contains(
        "command: <code>./render &#39;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;</code>"
    ));
}

/// Serves `page` at every path on a loopback port (one request at a time) and records each
/// request line, until `stop` is set and one more connection comes.
struct PageServer {
    address: std::net::SocketAddr,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PageServer {
    fn start(page: String) -> PageServer {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.is_empty() {
                    continue;
                }
                // The rest of the head.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let line = line.trim_end().to_string();
                let (status, body) = if line.starts_with("GET /report.html ") {
                    ("200 OK", page.as_str())
                } else {
                    ("404 Not Found", "")
                };
                seen.lock().unwrap().push(line);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        PageServer {
            address,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// The request lines it answered, after stopping it.
    fn stop(mut self) -> Vec<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        self.requests.lock().unwrap().clone()
    }
}

/// Headless Chromium's DOM of `page` served from loopback, its log and every request the
/// server saw: `None` (with the reason printed) when there is no chromium on this machine.
fn chromium_dom(page: &str) -> Option<(String, String, Vec<String>)> {
    let found = std::process::Command::new("chromium")
        .arg("--version")
        .output();
    if found.is_err() {
        // CI installs it (.ci/run): there a missing browser is a failure, not a skip.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no chromium on PATH (.ci/run installs it)"
        );
        eprintln!("skipped: no chromium on PATH (apt-get install -y chromium)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = PageServer::start(page.to_string());
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
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.path().display()))
        .arg("--dump-dom")
        .arg(format!("http://{}/report.html", server.address))
        .output()
        .unwrap();
    let requests = server.stop();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium: {log}");
    Some((String::from_utf8(out.stdout).unwrap(), log, requests))
}

/// The comparison page in a real browser: its DOM holds every chart element the page wrote, the
/// `<script>` of a benchmark name stayed text, the console stayed quiet and the page asked for
/// nothing but itself.
#[test]
fn the_page_renders_in_headless_chromium() {
    let (mut base, mut current) = runs();
    base.benchmarks[0].name = SCRIPT.into();
    current.benchmarks[0].name = SCRIPT.into();
    let c = comparison(&base, &current);
    let histories = [history("parse")];
    let page = Html.render(&HtmlReport {
        run: Some(&current),
        baseline: Some(&base),
        comparison: Some(&c),
        history: &histories,
        profiles: &[],
    });
    let Some((dom, log, requests)) = chromium_dom(&page) else {
        return;
    };
    for element in [
        "<svg class=\"distribution\"",
        "<svg class=\"changes\"",
        "<svg class=\"budgets\"",
        "<svg class=\"history\"",
        "<circle class=\"sample\"",
        "<rect class=\"box\"",
        "<rect class=\"bar regressed\"",
        "<rect class=\"bar improved\"",
        "<line class=\"change-point\"",
        "<path class=\"interval\"",
    ] {
        assert!(dom.contains(element), "{element} not in the DOM: {dom}");
        assert_eq!(
            dom.matches(element).count(),
            page.matches(element).count(),
            "{element}"
        );
    }
    assert!(!dom.contains("<script"), "{dom}");
    assert!(dom.contains("&lt;script&gt;alert"), "{dom}");
    assert!(!log.contains(":CONSOLE"), "console messages: {log}");
    // The browser may ask for a favicon of its own accord; the page asks for nothing.
    let asked: Vec<&String> = requests
        .iter()
        .filter(|r| !r.starts_with("GET /favicon.ico "))
        .collect();
    assert_eq!(asked, vec!["GET /report.html HTTP/1.1"], "{requests:?}");
}
