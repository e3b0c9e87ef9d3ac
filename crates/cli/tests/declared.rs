//! `benchgate baseline declare` (SPEC §7.3): values a team already knows, judged by thresholds
//! only in every output; and `budget_files` (BASELINE_METRICS-style) as budgets.

mod common;

use std::path::Path;

use common::{benchgate, stderr, stdout, stored_runs};
use serde_json::Value;

const NOTE: &str = "(declared baseline: judged by thresholds on its value, no significance test)";

/// Go benchmark output: `Index-2` at 570, 575 and 580 ms (median 575 ms), 100 B/op, 12 allocs/op.
fn go_output(dir: &Path) {
    let line = |ns: u64| {
        format!("BenchmarkIndex-2   \t       2\t {ns} ns/op\t  100 B/op\t      12 allocs/op\n")
    };
    let text = format!(
        "goos: linux\ngoarch: amd64\npkg: x\n{}{}{}PASS\n",
        line(575_000_000),
        line(570_000_000),
        line(580_000_000)
    );
    std::fs::write(dir.join("new.txt"), text).unwrap();
}

fn declare(dir: &Path, file: &str, text: &str) -> std::process::Output {
    std::fs::write(dir.join(file), text).unwrap();
    benchgate(&["baseline", "declare", "known", file], dir)
}

fn wall_verdict(comparison: &Value) -> &Value {
    comparison["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == "Index-2" && v["measure"] == "wall_time")
        .unwrap()
}

#[test]
fn a_declared_baseline_is_judged_by_thresholds_and_every_output_says_declared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_output(d);
    let out = declare(d, "known.toml", "[\"Index-2\"]\nwall_time = \"500ms\"\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("declared baseline known → run:"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(": 1 value of 1 benchmark (judged by thresholds only)\n"));
    let runs = stored_runs(d);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["source"], "declared");
    // Exported as any run is, and valid as one.
    let id = format!("run:{}", runs[0]["id"].as_str().unwrap());
    let export = benchgate(&["export", &id], d);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    common::assert_valid(
        "run.v1.schema.json",
        &serde_json::from_slice(&export.stdout).unwrap(),
    );

    // 15 % slower: a warning at warn = 10 %…
    let ingest = |extra: &[&str]| {
        let mut args = vec!["ingest", "new.txt", "--baseline", "known"];
        args.extend_from_slice(extra);
        benchgate(&args, d)
    };
    let out = ingest(&["--warn", "10%", "--fail", "20%", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_valid("comparison.v1.schema.json", &comparison);
    let v = wall_verdict(&comparison);
    assert_eq!(v["kind"], "regressed");
    assert_eq!(v["severity"], "warn");
    assert_eq!(
        v["reason"],
        format!("+15.0% against the declared 500ms reaches the 10% warn threshold {NOTE}")
    );
    assert!(
        v.get("p_value").is_none() && v.get("q_value").is_none(),
        "{v}"
    );
    assert_eq!(comparison["baseline"]["source"], "declared");
    assert!(
        comparison["baseline"]["label"]
            .as_str()
            .unwrap()
            .starts_with("declared baseline known (run "),
        "{}",
        comparison["baseline"]
    );
    assert_eq!(comparison["outcome"], "warned");

    // …a failure at fail = 10 %, said so in every format.
    let fail = ["--warn", "5%", "--fail", "10%"];
    let reason = "+15.0% against the declared 500ms reaches the 10% fail threshold";
    for format in ["terminal", "markdown", "json", "junit", "html"] {
        let mut args = fail.to_vec();
        args.extend_from_slice(&["--format", format]);
        let out = ingest(&args);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains("declared baseline known"),
            "{format} does not name the declared baseline:\n{text}"
        );
        // The HTML page shows verdicts without their reasons; the others give the reason.
        assert!(
            format == "html" || text.contains(reason) && text.contains("no significance test"),
            "{format} lacks the reason:\n{text}"
        );
    }
}

#[test]
fn a_run_within_the_declared_spread_is_unchanged_and_entries_set_their_own_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_output(d);
    let yaml = "Index-2:\n  wall_time: { value: 560ms, spread: 3% }\n  allocs_per_op: { value: 10, warn: 10%, fail: 50% }\n";
    let out = declare(d, "known.yaml", yaml);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = benchgate(
        &[
            "ingest",
            "new.txt",
            "--baseline",
            "known",
            "--measure",
            "wall_time",
            "--measure",
            "allocs",
            "--format",
            "json",
        ],
        d,
    );
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = wall_verdict(&comparison);
    assert_eq!(v["kind"], "unchanged");
    assert_eq!(
        v["reason"],
        format!("+2.7% against the declared 560ms is within its declared ±3% spread {NOTE}")
    );
    let allocs = comparison["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["measure"] == "allocs")
        .unwrap();
    assert_eq!(allocs["kind"], "regressed");
    assert_eq!(allocs["severity"], "warn");
    assert_eq!(
        allocs["reason"],
        format!("+20.0% against the declared 10 reaches the 10% warn threshold {NOTE}")
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn redeclaring_a_name_replaces_it_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = declare(d, "a.json", r#"{"index": {"wall_time": 500000000}}"#);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first_id = stored_runs(d)[0]["id"].as_str().unwrap().to_string();
    let second = declare(d, "b.json", r#"{"index": {"wall_time": "450ms"}}"#);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stdout(&second).ends_with(&format!(
            " (replaces the earlier baseline known: run:{first_id})\n"
        )),
        "{}",
        stdout(&second)
    );
    // The earlier declared run is gone: the name holds the new values only.
    let runs = stored_runs(d);
    assert_eq!(runs.len(), 1);
    assert_ne!(runs[0]["id"], first_id.as_str());
    let list = benchgate(&["baseline", "list"], d);
    assert!(
        stdout(&list).ends_with("  (declared)\n"),
        "{}",
        stdout(&list)
    );
}

#[test]
fn bad_declared_files_exit_2_with_the_key_path_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&str, &str, &str); 7] = [
        (
            "rate.json",
            r#"{"api": {"error_rate": "150%"}}"#,
            "error: rate.json: api.error_rate: error rate 1.5 is above 1 (100 %)",
        ),
        (
            "typo.json",
            r#"{"index": {"wal_time": "500ms"}}"#,
            "error: typo.json: index.wal_time: unknown measure \"wal_time\" (did you mean \"wall_time\"?)",
        ),
        (
            "unit.toml",
            "[index]\nwall_time = \"5MiB\"\n",
            "error: unit.toml: index.wall_time: \"5MiB\" is a size, but wall_time is measured as ns",
        ),
        (
            "key.yaml",
            "index:\n  wall_time: { value: 500ms, sprad: 5% }\n",
            "error: key.yaml: index.wall_time.sprad: unknown key (expected one of value, spread, warn, fail)",
        ),
        (
            "spread.json",
            r#"{"index": {"wall_time": {"value": "500ms", "spread": "5ms"}}}"#,
            "error: spread.json: index.wall_time.spread: \"5ms\" is a duration, expected a percentage",
        ),
        (
            "syntax.json",
            r#"{"index": {"wall_time": "500ms""#,
            "error: syntax.json: invalid JSON: EOF while parsing an object at line 1 column 31",
        ),
        (
            "values.txt",
            "index wall_time 500ms",
            "error: values.txt: unknown format (expected a .json, .toml, .yaml or .yml file)",
        ),
    ];
    for (file, text, expected) in cases {
        let out = declare(d, file, text);
        assert_eq!(out.status.code(), Some(2), "{file}: {}", stdout(&out));
        assert!(
            stderr(&out).starts_with(expected),
            "{file}: expected {expected:?}, got {:?}",
            stderr(&out)
        );
        assert!(
            !d.join(".benchgate").exists(),
            "{file}: a store was created"
        );
    }
}

#[test]
fn a_budget_file_becomes_budgets_with_headroom() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_output(d);
    std::fs::write(
        d.join("BASELINE_METRICS.json"),
        r#"{"Index-2": {"ns_per_op": {"target": 500000000, "max": 800000000},
                        "allocs_per_op": {"max": 12}, "bytes_per_op": {"max": 64}},
            "throughput_rps": {"target": 10000, "min": 5000}}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("benchgate.toml"),
        "budget_files = [\"BASELINE_METRICS.json\"]\n",
    )
    .unwrap();
    let out = benchgate(&["ingest", "new.txt", "--format", "json"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    let budgets: Vec<(String, String, Value)> = comparison["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().to_string(),
                b["status"].as_str().unwrap().to_string(),
                b["headroom_percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        budgets,
        [
            (
                "allocs ≤ 12 on Index-2".into(),
                "ok".into(),
                Value::from(0.0)
            ),
            (
                "alloc_bytes ≤ 64B on Index-2".into(),
                "fail".into(),
                Value::from(-56.25)
            ),
            (
                "wall_time ≤ 800ms, target 500ms on Index-2".into(),
                "warn".into(),
                Value::from(-15.0)
            ),
            (
                "throughput ≥ 5000/s, target 10000/s on *".into(),
                "unmeasured".into(),
                Value::Null
            ),
        ]
    );
}

#[test]
fn a_bad_budget_file_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_output(d);
    std::fs::write(
        d.join("benchgate.toml"),
        "budget_files = [\"limits.toml\"]\n",
    )
    .unwrap();
    let cases = [
        (
            "[BenchmarkIndex]\nns_per_opp = { max = 800000 }\n",
            "error: limits.toml: BenchmarkIndex.ns_per_opp: unknown measure \"ns_per_opp\"",
        ),
        (
            "[BenchmarkIndex]\nns_per_op = { max = 800000, maximum = 9 }\n",
            "error: limits.toml: BenchmarkIndex.ns_per_op.maximum: unknown key (expected one of target, min, max, warn, fail)",
        ),
        (
            "[BenchmarkIndex]\nns_per_op = { min = 900, max = 800 }\n",
            "error: limits.toml: BenchmarkIndex.ns_per_op.min: must not be greater than `max`",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(d.join("limits.toml"), text).unwrap();
        let out = benchgate(&["ingest", "new.txt"], d);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stdout(&out));
        assert!(
            stderr(&out).starts_with(expected),
            "expected {expected:?}, got {:?}",
            stderr(&out)
        );
    }
    assert!(!d.join(".benchgate").exists(), "a run was stored");
}

/// Go benchmark output with `b.ReportMetric` units: `Handle-2` at 360, 350 and 370 req/s, p95
/// 4, 4.5 and 5 ms, 1 % of requests failed.
fn go_service_output(dir: &Path) {
    let line = |rps: f64, p95: u64| {
        format!(
            "BenchmarkHandle-2   \t     400\t   2800000 ns/op\t         0.01000 errors/op\t  {p95} p95-ns\t  {rps} req/s\t     590 B/op\t      17 allocs/op\n"
        )
    };
    let text = format!(
        "goos: linux\ngoarch: amd64\npkg: x\n{}{}{}PASS\n",
        line(360.0, 4_000_000),
        line(350.0, 4_500_000),
        line(370.0, 5_000_000)
    );
    std::fs::write(dir.join("bench.txt"), text).unwrap();
}

/// The budget rows of a report: label, benchmark and status.
fn budget_rows(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .skip_while(|l| !l.starts_with("budget "))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let (label, rest) = l.split_once("  ").unwrap();
            let cells: Vec<&str> = rest.split_whitespace().collect();
            (
                label.to_string(),
                cells[0].to_string(),
                cells[cells.len() - 1].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_budget_file_bounds_the_custom_measures_go_reports_and_a_misspelt_one_fails_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_service_output(d);
    std::fs::write(
        d.join("benchgate.toml"),
        "budget_files = [\"BASELINE_METRICS.json\"]\n",
    )
    .unwrap();
    let budgets = r#"{"Handle*": {"req/s": {"target": "300/s", "min": "150/s"},
                                   "p95-ns": {"max": "8ms"},
                                   "errors/op": {"max": "2%"},
                                   "bytes_per_op": {"max": "1KiB"}}}"#;
    std::fs::write(d.join("BASELINE_METRICS.json"), budgets).unwrap();
    let out = benchgate(&["ingest", "bench.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let row = |label: &str, status: &str| {
        (
            label.to_string(),
            "Handle-2".to_string(),
            status.to_string(),
        )
    };
    assert_eq!(
        budget_rows(&stdout(&out)),
        [
            row("alloc_bytes ≤ 1KiB on Handle*", "ok"),
            row("errors/op ≤ 0.02 errors/op on Handle*", "ok"),
            row("p95-ns ≤ 8000000 p95-ns on Handle*", "ok"),
            row("req/s ≥ 150 req/s, target 300 req/s on Handle*", "ok"),
        ],
        "{}",
        stdout(&out)
    );

    // Misspelt (`req/sec`), a custom measure no benchmark has: the budget cannot be evaluated,
    // and fails the gate naming it, whether it comes from the budget file or a `[[budget]]`.
    let misspelt = "Handle-2 · req/sec: ERROR — budget #4 req/sec ≥ 150, target 300 on Handle*: Handle-2 not checked: no benchmark it applies to has req/sec measured (measures here: wall_time, errors/op, p95-ns, req/s, alloc_bytes, allocs)";
    std::fs::write(
        d.join("BASELINE_METRICS.json"),
        budgets.replace("\"req/s\"", "\"req/sec\""),
    )
    .unwrap();
    let out = benchgate(&["ingest", "bench.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains(misspelt), "{text}");
    assert!(
        budget_rows(&text).contains(&row("req/sec ≥ 150, target 300 on Handle*", "unmeasured")),
        "{text}"
    );
    assert!(text.contains("FAILED: 1 failing"), "{text}");

    std::fs::write(d.join("BASELINE_METRICS.json"), budgets).unwrap();
    std::fs::write(
        d.join("benchgate.toml"),
        "[[budget]]\nbench = \"Handle*\"\nmeasure = \"req/sec\"\ntarget = \"300/s\"\nmin = \"150/s\"\n",
    )
    .unwrap();
    let out = benchgate(&["ingest", "bench.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&misspelt.replace("budget #4", "budget #1")),
        "{text}"
    );
}

/// A misspelt benchmark glob (`Handel*`) checks nothing: every report says so, and the gate is
/// what the other budgets make it (a file may budget several sources' benchmarks).
#[test]
fn a_budget_whose_glob_matches_no_benchmark_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_service_output(d);
    std::fs::write(
        d.join("benchgate.toml"),
        "[[budget]]\nbench = \"Handel*\"\nmeasure = \"p95-ns\"\nmax = \"8ms\"\n",
    )
    .unwrap();
    let out = benchgate(&["ingest", "bench.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let line = "budget #1 p95-ns ≤ 8000000 on Handel* checks nothing: no benchmark of this run matches \"Handel*\"";
    assert!(
        stdout(&out).contains(&format!("warning: {line}")),
        "{}",
        stdout(&out)
    );
    // JSON carries it among the comparison's warnings, Markdown as a warning line.
    let out = benchgate(&["--json", "ingest", "bench.txt"], d);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([line]));
    let out = benchgate(&["ingest", "bench.txt", "--format", "md"], d);
    let md = stdout(&out);
    assert!(
        md.contains("> **Warning**: budget") && md.contains("checks nothing"),
        "{md}"
    );
}
