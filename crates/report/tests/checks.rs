//! Checks in every format: their own table (terminal, Markdown, HTML), a line for each broken
//! one, a JUnit case each, and the JSON's `checks`.

use benchgate_gate::{Check, CompareOptions, apply_checks, judge_without_baseline};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Run, Source, Status, Unit};
use benchgate_report::{Format, Html, Json, Junit, Markdown, Terminal};
use time::macros::datetime;

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
                vec![ms * 1e6],
            )
            .unwrap(),
        ],
        series: Vec::new(),
    }
}

fn comparison() -> benchgate_model::Comparison {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-12-06 10:00 UTC),
        Default::default(),
        Default::default(),
    );
    run.benchmarks = vec![bench("restore/cold", 120.0), bench("restore/warm", 3.0)];
    let checks = [
        Check::new(
            "warm is 30x faster",
            r#""restore/cold" / "restore/warm" >= 30"#,
        )
        .unwrap(),
        Check::new(
            "warm is 50x faster",
            r#""restore/cold" / "restore/warm" >= 50"#,
        )
        .unwrap(),
        Check::new("warm under 2ms", r#""restore/warm" <= 2ms"#).unwrap(),
    ];
    let mut c = judge_without_baseline(&run, "run", &CompareOptions::default());
    apply_checks(&mut c, &checks, &run);
    c
}

#[test]
fn terminal_has_a_checks_table_and_a_line_per_broken_check() {
    let out = Terminal { color: false }.comparison(&comparison());
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("check "))
        .take(4)
        .map(str::trim_end)
        .collect();
    assert_eq!(
        table,
        [
            "check               expression                             value  bound  headroom  status",
            "warm is 30x faster  \"restore/cold\" / \"restore/warm\" >= 30     40   ≥ 30    +33.3%  pass",
            "warm is 50x faster  \"restore/cold\" / \"restore/warm\" >= 50     40   ≥ 50    -20.0%  fail",
            "warm under 2ms      \"restore/warm\" <= 2ms                    3ms  ≤ 2ms    -50.0%  fail",
        ],
        "{out}"
    );
    assert!(
        out.contains("warm under 2ms · check: CHECK — check \"warm under 2ms\": \"restore/warm\" is 3ms, breaks ≤ 2ms, headroom -50%\n"),
        "{out}"
    );
    assert!(!out.contains("warm is 30x faster · check"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("FAILED: 2 failing, 2 new of 5 gated comparisons"),
        "{out}"
    );
}

#[test]
fn markdown_html_junit_and_json_show_every_check() {
    let c = comparison();
    let md = Markdown.comparison(&c);
    assert!(
        md.contains("| warm under 2ms | `\"restore/warm\" <= 2ms` | 3ms | ≤ 2ms | -50.0% | fail |"),
        "{md}"
    );
    let html = Html.comparison(&c);
    assert!(html.contains("<h2>Checks</h2>"), "{html}");
    assert!(
        html.contains("<td>warm is 30x faster</td><td><code>&quot;restore/cold&quot; / &quot;restore/warm&quot; &gt;= 30</code></td>"),
        "{html}"
    );
    let xml = Junit.comparison(&c);
    assert!(xml.contains("tests=\"5\""), "{xml}");
    assert!(xml.contains("failures=\"2\""), "{xml}");
    assert!(
        xml.contains("<testcase name=\"check\" classname=\"warm is 30x faster\">"),
        "{xml}"
    );
    let json: serde_json::Value = serde_json::from_str(&Json.comparison(&c)).unwrap();
    assert_eq!(json["checks"].as_array().unwrap().len(), 3);
    assert_eq!(json["checks"][2]["value"], 3e6);
    assert_eq!(json["checks"][2]["bound"], 2e6);
    assert_eq!(json["checks"][2]["direction"], "lower_is_better");
}
