//! The interchange format: round trips and the errors a malformed document gets.

use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, ModelError, Provenance, RUN_SCHEMA,
    Run, Source, Status, Unit,
};
use time::macros::datetime;

fn sample_run() -> Run {
    let mut run = Run::new(
        Source::Ingest("go".into()),
        datetime!(2026-11-24 10:00:00.123456789 UTC),
        Provenance {
            mode: Mode::Simulated,
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: Some("main".into()),
            dirty: Some(true),
            merge_base: None,
            tags: [("ci".to_string(), "true".to_string())].into(),
        },
        Environment {
            hostname: "h".into(),
            os: "linux".into(),
            logical_cores: 2,
            ..Default::default()
        }
        .with_fingerprint(),
    );
    let mut wall = Metric::from_samples(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
        vec![1718.25, 1720.0, 1719.5],
    )
    .unwrap();
    wall.iterations = Some(vec![1000, 1000, 1000]);
    let custom = Metric::from_samples(
        Measure::Custom("backend_calls".into()),
        Unit::Custom("calls/op".into()),
        Direction::LowerIsBetter,
        vec![3.0],
    )
    .unwrap()
    .exact(true);
    run.benchmarks.push(Benchmark {
        mode: None,
        name: "parse/small/size=10".into(),
        params: [("size".to_string(), "10".to_string())].into(),
        labels: [("pkg".to_string(), "example.com/parse".to_string())].into(),
        command: None,
        status: Status::Ok,
        metrics: vec![wall, custom],
        series: Vec::new(),
    });
    run.benchmarks.push(Benchmark {
        mode: None,
        name: "helios/commit".into(),
        params: Default::default(),
        labels: Default::default(),
        command: None,
        status: Status::Skipped {
            reason: "HELIOS_CLI_PATH is not set".into(),
        },
        metrics: Vec::new(),
        series: Vec::new(),
    });
    run
}

#[test]
fn round_trips_exactly() {
    let run = sample_run();
    let json = run.to_json_pretty();
    let back = Run::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, run);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema"], RUN_SCHEMA);
    assert_eq!(value["source"], "ingest:go");
    assert_eq!(value["started_at"], "2026-11-24T10:00:00.123456789Z");
    assert_eq!(
        value["benchmarks"][0]["metrics"][1]["measure"],
        "backend_calls"
    );
    assert_eq!(value["benchmarks"][0]["metrics"][1]["unit"], "calls/op");
    assert_eq!(value["benchmarks"][1]["status"]["kind"], "skipped");
    assert_eq!(
        value["benchmarks"][0]["metrics"][0]["summary"]["median"],
        1719.5
    );
}

#[test]
fn summaries_are_recomputed_from_samples() {
    let mut value: serde_json::Value =
        serde_json::from_str(&sample_run().to_json_pretty()).unwrap();
    value["benchmarks"][0]["metrics"][0]["summary"]["median"] = 1.0.into();
    let back = Run::from_json(value.to_string().as_bytes()).unwrap();
    assert_eq!(back.benchmarks[0].metrics[0].summary.median, 1719.5);
}

fn error_of(value: &serde_json::Value) -> ModelError {
    Run::from_json(value.to_string().as_bytes()).unwrap_err()
}

#[test]
fn malformed_documents_name_where() {
    let good: serde_json::Value = serde_json::from_str(&sample_run().to_json_pretty()).unwrap();

    let err = Run::from_json(b"{\"schema\": \"benchgate/run/v1\",\n \"id\": ").unwrap_err();
    assert!(matches!(err, ModelError::Json { line: 2, .. }), "{err}");

    let mut v = good.clone();
    v["schema"] = "benchgate/run/v2".into();
    assert_eq!(
        error_of(&v).to_string(),
        "not a benchgate run: schema is \"benchgate/run/v2\", expected \"benchgate/run/v1\""
    );

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][0]["direction"] = "sideways".into();
    let err = error_of(&v).to_string();
    assert!(
        err.starts_with("$.benchmarks[0].metrics[0].direction: unknown variant `sideways`"),
        "{err}"
    );

    let mut v = good.clone();
    v["source"] = "telepathy".into();
    let err = error_of(&v).to_string();
    assert!(
        err.starts_with("$.source: unknown source \"telepathy\""),
        "{err}"
    );

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][0]["iterations"] = serde_json::json!([1, 2]);
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[0].metrics[0].iterations: 2 iteration counts for 3 samples"
    );

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][1]["measure"] = "wall_time".into();
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[0].metrics[1].measure: duplicate measure \"wall_time\""
    );

    let mut v = good;
    v["benchmarks"][1]["name"] = " ".into();
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[1].name: benchmark name is empty"
    );
}

/// Values no measurement can have are refused where they are, whatever source wrote them.
#[test]
fn impossible_values_are_refused_with_their_path() {
    let good: serde_json::Value = serde_json::from_str(&sample_run().to_json_pretty()).unwrap();

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][0]["samples"][1] = (-1720.0).into();
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[0].metrics[0].samples[1]: -1720 is negative: wall_time in ns cannot be"
    );

    let mut v = good.clone();
    v["ended_at"] = "2026-11-24T09:59:59Z".into();
    assert_eq!(
        error_of(&v).to_string(),
        "$.ended_at: the run ends (2026-11-24T09:59:59Z) before it starts \
         (2026-11-24T10:00:00.123456789Z)"
    );

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][0]["samples"] = serde_json::json!([]);
    v["benchmarks"][0]["metrics"][0]["iterations"] = serde_json::Value::Null;
    v["benchmarks"][0]["metrics"][0]
        .as_object_mut()
        .unwrap()
        .remove("iterations");
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[0].metrics[0].samples: no samples (the summary says n=3; it is computed \
         from the samples)"
    );

    let mut v = good.clone();
    v["benchmarks"][0]["metrics"][0]["unit"] = "parsecs".into();
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks[0].metrics[0].unit: unit \"parsecs\" for wall_time: expected \"ns\""
    );

    let mut v = good.clone();
    v["benchmarks"] = serde_json::json!([]);
    assert_eq!(
        error_of(&v).to_string(),
        "$.benchmarks: no benchmarks: a run holds at least one"
    );

    // A custom measure in its own unit may be negative (a delta, a score).
    let mut v = good;
    v["benchmarks"][0]["metrics"][1]["samples"] = serde_json::json!([-3.0]);
    assert!(Run::from_json(v.to_string().as_bytes()).is_ok());
}
