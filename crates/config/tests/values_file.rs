//! Budget files and declared baselines: Go-style measure names map onto benchgate's measures
//! with the unit their plain numbers are in.

use benchgate_config::{budget_file, declared_values};
use benchgate_model::{Direction, Measure, Unit};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A budget's bench, measure, target, min and max.
type BudgetRow<'a> = (
    Option<&'a str>,
    &'a Measure,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

#[test]
fn go_style_names_become_budgets_in_canonical_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "BASELINE_METRICS.yaml",
        "BenchmarkIndex:\n  ns_per_op: { target: 500000, max: 800000 }\n  allocs_per_op: { max: 12 }\n  bytes_per_op: { max: 64, warn: 5%, fail: 0.2 }\n\
         \"api/*\":\n  p99_ms: { max: 250 }\n  p95_latency_us: { max: 900 }\n  error_rate_pct: { max: 0.1 }\n  mb_per_s: { min: 2 }\n\
         throughput_rps: { target: 10000, min: \"5k/s\" }\n",
    );
    let budgets = budget_file(&path).unwrap();
    let summary: Vec<BudgetRow> = budgets
        .iter()
        .map(|b| (b.bench.as_deref(), &b.measure, b.target, b.min, b.max))
        .collect();
    assert_eq!(
        summary,
        // In the order of the keys, sorted (allocs_per_op, bytes_per_op, ns_per_op).
        [
            (
                Some("BenchmarkIndex"),
                &Measure::Allocs,
                None,
                None,
                Some(12.0)
            ),
            (
                Some("BenchmarkIndex"),
                &Measure::AllocBytes,
                None,
                None,
                Some(64.0)
            ),
            (
                Some("BenchmarkIndex"),
                &Measure::WallTime,
                Some(500_000.0),
                None,
                Some(800_000.0)
            ),
            (Some("api/*"), &Measure::ErrorRate, None, None, Some(0.001)),
            (
                Some("api/*"),
                &Measure::BytesPerSecond,
                None,
                Some(2e6),
                None
            ),
            (Some("api/*"), &Measure::LatencyP95, None, None, Some(900e3)),
            (Some("api/*"), &Measure::LatencyP99, None, None, Some(250e6)),
            (
                None,
                &Measure::Throughput,
                Some(10_000.0),
                Some(5_000.0),
                None
            ),
        ]
    );
    assert_eq!((budgets[1].warn, budgets[1].fail), (Some(0.05), Some(0.2)));
}

#[test]
fn declared_values_take_human_units_and_plain_canonical_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "known.json",
        r#"{"index": {"wall_time": "500ms", "ns_per_op": 1000},
            "api": {"throughput": {"value": "10k/s", "spread": "5%", "warn": 0.1, "fail": "20%"}}}"#,
    );
    let values = declared_values(&path).unwrap();
    let flat: Vec<(&str, &Measure, &Unit, Direction, f64)> = values
        .iter()
        .map(|v| {
            (
                v.benchmark.as_str(),
                &v.measure,
                &v.unit,
                v.direction,
                v.value,
            )
        })
        .collect();
    assert_eq!(
        flat,
        [
            (
                "api",
                &Measure::Throughput,
                &Unit::PerSecond,
                Direction::HigherIsBetter,
                10_000.0
            ),
            (
                "index",
                &Measure::WallTime,
                &Unit::Nanoseconds,
                Direction::LowerIsBetter,
                1000.0
            ),
            (
                "index",
                &Measure::WallTime,
                &Unit::Nanoseconds,
                Direction::LowerIsBetter,
                500e6
            ),
        ]
    );
    let bounds = values[0].bounds;
    assert_eq!(
        (bounds.spread, bounds.warn, bounds.fail),
        (Some(0.05), Some(0.1), Some(0.2))
    );
}

#[test]
fn custom_measures_of_ingested_results_become_budgets_in_the_unit_their_bounds_are_written_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "BASELINE_METRICS.json",
        r#"{"Handle*": {"req/s": {"target": "300/s", "min": 150},
                        "p95-ns": {"max": "8ms"},
                        "errors/op": {"max": "2%", "fail": "10%"},
                        "frames": {"min": 3}},
            "wire-bytes": {"max": "1KiB"}}"#,
    );
    let budgets = budget_file(&path).unwrap();
    let custom = |name: &str| Measure::Custom(name.into());
    let summary: Vec<BudgetRow> = budgets
        .iter()
        .map(|b| (b.bench.as_deref(), &b.measure, b.target, b.min, b.max))
        .collect();
    assert_eq!(
        summary,
        [
            (
                Some("Handle*"),
                &custom("errors/op"),
                None,
                None,
                Some(0.02)
            ),
            (Some("Handle*"), &custom("frames"), None, Some(3.0), None),
            (Some("Handle*"), &custom("p95-ns"), None, None, Some(8e6)),
            (
                Some("Handle*"),
                &custom("req/s"),
                Some(300.0),
                Some(150.0),
                None
            ),
            (None, &custom("wire-bytes"), None, None, Some(1024.0)),
        ]
    );
    assert_eq!(budgets[0].fail, Some(0.1));
}

#[test]
fn a_custom_measure_that_is_a_typo_a_glob_or_of_mixed_units_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            r#"{"Index": {"ns_per_opp": {"max": 800}}}"#,
            r#"Index.ns_per_opp: unknown measure "ns_per_opp" (did you mean "ns_per_op"?); a custom measure may not be this close to a known name"#,
        ),
        (
            r#"{"Index": {"wall_tme": {"max": "1ms"}}}"#,
            r#"Index.wall_tme: unknown measure "wall_tme" (did you mean "wall_time"?); a custom measure may not be this close to a known name"#,
        ),
        (
            r#"{"Index": {"alloc_per_op": {"max": 3}}}"#,
            r#"Index.alloc_per_op: unknown measure "alloc_per_op" (did you mean "allocs_per_op"?); a custom measure may not be this close to a known name"#,
        ),
        (
            r#"{"rss_peek": {"max": "1MiB"}}"#,
            r#"rss_peek: unknown measure "rss_peek" (did you mean "rss_peak"?); a custom measure may not be this close to a known name"#,
        ),
        (
            r#"{"Handle*": {"max": "8ms"}}"#,
            r#"Handle*: "Handle*" is a benchmark glob, not a measure: under a benchmark, write its measures and their bounds (Handle* → wall_time → max)"#,
        ),
        (
            r#"{"Handle*": {"p99-ns": {"max": "12ms", "target": "5%"}}}"#,
            r#"Handle*.p99-ns.target: "5%" is a percentage, but p99-ns is measured as ns (expected a duration such as "500ms", "20s" or "20us")"#,
        ),
    ] {
        let path = write(dir.path(), "limits.json", text);
        let err = budget_file(&path).unwrap_err().to_string();
        let want = format!("{}: {expected}", path.display());
        assert_eq!(err, want, "{text}");
    }
    // A custom name has a limit: 128 bytes pass, 129 do not.
    let name = |n: usize| "x".repeat(n);
    let path = write(
        dir.path(),
        "limits.json",
        &format!(r#"{{"Index": {{"{}": {{"max": 3}}}}}}"#, name(128)),
    );
    assert_eq!(
        budget_file(&path).unwrap()[0].measure,
        Measure::Custom(name(128))
    );
    let path = write(
        dir.path(),
        "limits.json",
        &format!(r#"{{"Index": {{"{}": {{"max": 3}}}}}}"#, name(129)),
    );
    let err = budget_file(&path).unwrap_err().to_string();
    let want = format!(
        "{}: Index.{}: unknown measure \"{}\"; expected a benchgate measure",
        path.display(),
        name(129),
        name(129)
    );
    assert!(err.starts_with(&want), "{err}");
}

#[test]
fn a_budget_file_on_a_metric_of_the_benches_takes_the_metrics_unit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        "budget_files = [\"limits.yaml\"]\n\n[[bench]]\nname = \"vm/boot\"\ncommand = \"./boot\"\n\
         metrics = [{ name = \"boot\", json = \"$.boot_ms\", unit = \"ms\" }]\n",
    );
    // A plain number is in the metric's kept unit (ns), as wall_time's is; "2s" is a duration.
    write(
        dir.path(),
        "limits.yaml",
        "\"vm/*\":\n  boot: { max: 2000000000, target: \"1.5s\" }\n",
    );
    let config = benchgate_config::Config::load(&dir.path().join("benchgate.toml")).unwrap();
    let summary: Vec<BudgetRow> = config
        .budgets
        .iter()
        .map(|b| (b.bench.as_deref(), &b.measure, b.target, b.min, b.max))
        .collect();
    assert_eq!(
        summary,
        [(
            Some("vm/*"),
            &Measure::Custom("boot".into()),
            Some(1.5e9),
            None,
            Some(2e9)
        )]
    );
    // A percentage is not a duration, whatever the bound says first.
    let limits = write(
        dir.path(),
        "limits.yaml",
        "\"vm/*\":\n  boot: { max: \"5%\" }\n",
    );
    let err = benchgate_config::Config::load(&dir.path().join("benchgate.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}: vm/*.boot.max: \"5%\" is a percentage, but boot is measured as ns (expected a duration such as \"500ms\", \"20s\" or \"20us\")",
            limits.display()
        )
    );
}
