//! Time series kept with a benchmark (`Benchmark.series`): exact round trips, runs written before
//! series existed, the limits and what `Run::validate` refuses, and the JSON Schema in `docs/`.

use std::path::Path;

use benchgate_model::{
    Benchmark, Direction, Environment, MAX_SERIES_PER_BENCHMARK, MAX_SERIES_POINTS, Measure,
    Metric, Mode, Provenance, Run, Series, SeriesPoint, Source, Status, Unit,
};
use time::macros::datetime;

fn run_with(series: Vec<Series>) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-12-06 17:00:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        Environment::default().with_fingerprint(),
    );
    let peak = Metric::from_samples(
        Measure::Custom("rss_peak".into()),
        Unit::Bytes,
        Direction::LowerIsBetter,
        vec![4_200_000.0],
    )
    .unwrap();
    run.benchmarks.push(Benchmark {
        mode: None,
        name: "server/concurrency=10".into(),
        params: [("concurrency".to_string(), "10".to_string())].into(),
        labels: Default::default(),
        command: Some("./server".into()),
        status: Status::Ok,
        metrics: vec![peak],
        series,
    });
    run
}

fn rss(points: &[(f64, f64)]) -> Series {
    Series {
        name: "rss".into(),
        unit: Unit::Bytes,
        points: points
            .iter()
            .map(|&(t, v)| SeriesPoint::new(t, v))
            .collect(),
    }
}

fn error_of(value: &serde_json::Value) -> String {
    Run::from_json(value.to_string().as_bytes())
        .unwrap_err()
        .to_string()
}

fn assert_schema_valid(document: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/run.v1.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn series_round_trip_exactly_and_match_the_schema() {
    let series = vec![
        rss(&[(0.0, 4_096_000.0), (0.05, 4_100_096.5), (0.1, 4_200_000.0)]),
        Series {
            name: "pss".into(),
            unit: Unit::Bytes,
            points: vec![SeriesPoint::new(0.0, 1.0e9 + 0.125)],
        },
    ];
    let run = run_with(series.clone());
    run.validate().unwrap();
    let json = run.to_json_pretty();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["benchmarks"][0]["series"][0],
        serde_json::json!({
            "name": "rss",
            "unit": "B",
            "points": [
                {"t": 0.0, "value": 4096000.0},
                {"t": 0.05, "value": 4100096.5},
                {"t": 0.1, "value": 4200000.0}
            ]
        })
    );
    assert_schema_valid(&value);
    let back = Run::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, run);
    assert_eq!(back.benchmarks[0].series("pss"), Some(&series[1]));
    assert_eq!(back.benchmarks[0].series("uss"), None);
}

#[test]
fn runs_without_series_leave_the_field_out_and_still_read() {
    let run = run_with(Vec::new());
    let value: serde_json::Value = serde_json::from_str(&run.to_json_pretty()).unwrap();
    assert!(value["benchmarks"][0].get("series").is_none(), "{value}");
    assert_schema_valid(&value);
    // A document written before series existed.
    let back = Run::from_json(value.to_string().as_bytes()).unwrap();
    assert!(back.benchmarks[0].series.is_empty());
}

#[test]
fn bad_series_are_refused_where_they_are() {
    let good: serde_json::Value = serde_json::from_str(
        &run_with(vec![rss(&[(0.0, 10.0), (0.05, 11.0), (0.1, 12.0)])]).to_json_pretty(),
    )
    .unwrap();
    let at = "$.benchmarks[0].series[0]";

    let mut v = good.clone();
    v["benchmarks"][0]["series"][0]["points"][2]["t"] = 0.04.into();
    assert_eq!(
        error_of(&v),
        format!("{at}.points[2].t: time 0.04 s comes before the previous point's 0.05 s")
    );

    let mut v = good.clone();
    v["benchmarks"][0]["series"][0]["points"][0]["t"] = (-1.0).into();
    assert_eq!(
        error_of(&v),
        format!("{at}.points[0].t: time -1 is not a finite number of seconds from the start")
    );

    let mut v = good.clone();
    v["benchmarks"][0]["series"][0]["name"] = "".into();
    assert_eq!(error_of(&v), format!("{at}.name: series name is empty"));

    let mut v = good.clone();
    let first = v["benchmarks"][0]["series"][0].clone();
    v["benchmarks"][0]["series"] = serde_json::json!([first, first]);
    assert_eq!(
        error_of(&v),
        "$.benchmarks[0].series[1].name: duplicate series \"rss\""
    );

    let mut v = good.clone();
    v["benchmarks"][0]["series"][0]["colour"] = "red".into();
    assert!(
        error_of(&v).starts_with("$.benchmarks[0].series[0].colour: unknown field `colour`"),
        "{}",
        error_of(&v)
    );

    // JSON has no NaN; a run built in code can.
    let mut run = run_with(vec![rss(&[(0.0, 1.0), (0.05, f64::NAN)])]);
    assert_eq!(
        run.validate().unwrap_err().to_string(),
        format!("{at}.points[1].value: value is not finite")
    );
    run.benchmarks[0].series = vec![rss(&[(0.0, 1.0), (f64::INFINITY, 2.0)])];
    assert_eq!(
        run.validate().unwrap_err().to_string(),
        format!("{at}.points[1].t: time inf is not a finite number of seconds from the start")
    );
}

#[test]
fn series_are_bounded() {
    let at_limit: Vec<(f64, f64)> = (0..MAX_SERIES_POINTS)
        .map(|i| (i as f64 * 0.05, 1000.0 + i as f64))
        .collect();
    let mut run = run_with(vec![rss(&at_limit)]);
    run.validate().unwrap();
    run.benchmarks[0].series[0]
        .points
        .push(SeriesPoint::new(1.0e6, 1.0));
    assert_eq!(
        run.validate().unwrap_err().to_string(),
        "$.benchmarks[0].series[0].points: 10001 points in series \"rss\": at most 10000 are kept"
    );

    let many: Vec<Series> = (0..=MAX_SERIES_PER_BENCHMARK)
        .map(|i| Series {
            name: format!("s{i}"),
            unit: Unit::Bytes,
            points: vec![SeriesPoint::new(0.0, 1.0)],
        })
        .collect();
    run.benchmarks[0].series = many[..MAX_SERIES_PER_BENCHMARK].to_vec();
    run.validate().unwrap();
    run.benchmarks[0].series = many;
    assert_eq!(
        run.validate().unwrap_err().to_string(),
        "$.benchmarks[0].series: 9 series: at most 8 are kept per benchmark"
    );
}
