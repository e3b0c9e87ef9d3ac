//! A load level (`pool/concurrency=100`) with its canonical metrics, error labels, a level that
//! did not reach its concurrency and an RSS series, in every human format.

use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Series, SeriesPoint,
    Source, Status, Unit,
};
use benchgate_report::{Format, Html, Markdown, Terminal};
use time::macros::datetime;
use uuid::Uuid;

fn metric(measure: Measure, unit: Unit, direction: Direction, samples: &[f64]) -> Metric {
    Metric::from_samples(measure, unit, direction, samples.to_vec()).unwrap()
}

fn level() -> Benchmark {
    use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};
    let ms = |x: f64| x * 1e6;
    let custom = |name: &str| Measure::Custom(name.into());
    Benchmark {
        mode: None,
        name: "pool/concurrency=100".into(),
        params: [("concurrency".to_string(), "100".to_string())].into(),
        labels: [
            ("ops", "4000"),
            ("errors", "12"),
            ("errors.exit:1", "10"),
            ("errors.timeout", "2"),
            ("error_example.exit:1", "vm <pool> refused: \"full\""),
            ("reached", "no"),
            ("windows", "4"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into(),
        command: Some("./start-vm".into()),
        status: Status::Ok,
        metrics: vec![
            metric(
                Measure::Throughput,
                Unit::PerSecond,
                Higher,
                &[980.0, 1010.0, 1000.0, 1005.0],
            ),
            metric(
                Measure::LatencyP50,
                Unit::Nanoseconds,
                Lower,
                &[ms(31.0), ms(30.0), ms(32.0), ms(30.5)],
            ),
            metric(
                Measure::LatencyP90,
                Unit::Nanoseconds,
                Lower,
                &[ms(60.0), ms(61.0), ms(62.0), ms(59.0)],
            ),
            metric(
                Measure::LatencyP95,
                Unit::Nanoseconds,
                Lower,
                &[ms(80.0), ms(82.0), ms(81.0), ms(79.0)],
            ),
            metric(
                Measure::LatencyP99,
                Unit::Nanoseconds,
                Lower,
                &[ms(150.0), ms(240.0), ms(160.0), ms(170.0)],
            ),
            metric(
                Measure::LatencyP999,
                Unit::Nanoseconds,
                Lower,
                &[ms(400.0), ms(420.0), ms(410.0), ms(405.0)],
            ),
            metric(
                Measure::ErrorRate,
                Unit::Ratio,
                Lower,
                &[0.002, 0.004, 0.003, 0.003],
            ),
            metric(custom("max_concurrency"), Unit::Count, Higher, &[37.0]).exact(true),
            metric(custom("rss_growth"), Unit::Ratio, Lower, &[0.042]),
        ],
        series: vec![Series {
            name: "rss".into(),
            unit: Unit::Bytes,
            points: [
                (0.0, 10.0),
                (0.05, 12.0),
                (0.1, 11.0),
                (0.15, 14.0),
                (0.2, 18.0),
            ]
            .map(|(t, mib)| SeriesPoint::new(t, mib * 1024.0 * 1024.0))
            .to_vec(),
        }],
    }
}

fn run() -> Run {
    let mut run = Run::new(
        Source::Load,
        datetime!(2026-12-06 17:00 UTC),
        Provenance {
            mode: Mode::Real,
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: Some(false),
            ..Default::default()
        },
        Environment {
            os: "linux".into(),
            cpu_model: "test".into(),
            ..Default::default()
        }
        .with_fingerprint(),
    );
    run.id = Uuid::from_u128(7);
    run.benchmarks = vec![level()];
    run.validate().unwrap();
    run
}

const REACHED: &str = "reached 37 of 100 in flight";

#[test]
fn terminal_shows_a_level_and_its_notes() {
    let out = Terminal { color: false }.run(&run(), &[]);
    assert!(
        out.contains(&format!("pool/concurrency=100: {REACHED}\n")),
        "{out}"
    );
    assert!(
        out.contains(
            "pool/concurrency=100: 12 errors: 10 exit:1, 2 timeout; \
             first exit:1: vm <pool> refused: \"full\"\n"
        ),
        "{out}"
    );
    insta::assert_snapshot!("terminal_level", out);
}

#[test]
fn markdown_shows_a_level_and_its_notes() {
    let out = Markdown.run(&run(), &[]);
    assert!(
        out.contains(&format!("- `pool/concurrency=100`: {REACHED}\n")),
        "{out}"
    );
    insta::assert_snapshot!("markdown_level", out);
}

#[test]
fn html_draws_each_series_and_escapes_what_came_from_outside() {
    let mut run = run();
    run.benchmarks[0].series[0].name = "rss<script>".into();
    let out = Html.run(&run, &[]);
    assert!(out.starts_with("<!DOCTYPE html>\n"), "{out}");
    assert!(!out.contains("<script"), "{out}");
    // Self-contained: nothing is fetched (the SVG namespace is a name, not a request).
    assert!(!out.contains("src=") && !out.contains("href="), "{out}");
    assert!(
        out.contains(&format!(
            "<li class=\"note\"><code>pool/concurrency=100</code>: {REACHED}</li>"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "12 errors: 10 exit:1, 2 timeout; first exit:1: vm &lt;pool&gt; refused: \
             &quot;full&quot;"
        ),
        "{out}"
    );
    // 10, 12, 11, 14, 18 MiB over 0.2 s: x from 4 to 316, y from 76 (lowest) to 4 (highest).
    assert!(
        out.contains(
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" \
             points=\"4.0,76.0 82.0,58.0 160.0,67.0 238.0,40.0 316.0,4.0\"/>"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "<figcaption>rss&lt;script&gt;: 10.00MiB … 18.00MiB over 0.2 s (5 readings)\
             </figcaption>"
        ),
        "{out}"
    );
    insta::assert_snapshot!("html_level", out);
}

#[test]
fn a_flat_or_single_point_series_is_drawn_in_the_middle() {
    let mut run = run();
    run.benchmarks[0].series = vec![
        Series {
            name: "pss".into(),
            unit: Unit::Bytes,
            points: vec![SeriesPoint::new(0.0, 5.0), SeriesPoint::new(1.0, 5.0)],
        },
        Series {
            name: "one".into(),
            unit: Unit::Bytes,
            points: vec![SeriesPoint::new(0.5, 5.0)],
        },
        Series {
            name: "none".into(),
            unit: Unit::Bytes,
            points: Vec::new(),
        },
    ];
    let out = Html.run(&run, &[]);
    assert!(out.contains("points=\"4.0,40.0 316.0,40.0\""), "{out}");
    assert!(
        out.contains("<circle cx=\"160.0\" cy=\"40.0\" r=\"2\" fill=\"#1f77b4\"/>"),
        "{out}"
    );
    assert!(
        out.contains("<figure><figcaption>none: no readings</figcaption></figure>"),
        "{out}"
    );
}

#[test]
fn a_level_s_whole_figures_and_an_off_littles_law_check_are_noted() {
    let mut run = run();
    let labels = &mut run.benchmarks[0].labels;
    for (key, value) in [
        ("whole.throughput", "995.5"),
        ("whole.latency_p50_ns", "31000000"),
        ("whole.latency_p99_ns", "978000000"),
        ("whole.latency_max_ns", "1020000000"),
        ("whole.service_time_p99_ns", "2100000"),
        (
            "littles_law",
            "in flight 37.0 ≈ 996/s × 50.0 ms = 49.8 (+34.6%)",
        ),
    ] {
        labels.insert(key.to_string(), value.to_string());
    }
    let out = Terminal { color: false }.run(&run, &[]);
    assert!(
        out.contains(
            "pool/concurrency=100: whole level: 995.5/s, p50 31.00ms, p99 978.0ms, max 1.020s; \
             service time p99 2.100ms (latency counts from each intended start)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "pool/concurrency=100: Little's law check off by more than 10%: \
             in flight 37.0 ≈ 996/s × 50.0 ms = 49.8 (+34.6%)\n"
        ),
        "{out}"
    );
    // Within the tolerance it is a label, not a note.
    run.benchmarks[0].labels.insert(
        "littles_law".into(),
        "in flight 49.0 ≈ 996/s × 50.0 ms = 49.8 (+1.6%)".into(),
    );
    let out = Terminal { color: false }.run(&run, &[]);
    assert!(!out.contains("Little's law"), "{out}");
}
