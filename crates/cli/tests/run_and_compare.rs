//! `benchgate run` and `benchgate compare` end to end, with real processes and real files.

mod common;

use common::{
    assert_valid, benchgate, benchgate_with_env, metric, read_json, record, record_fixed, stderr,
    stdout,
};
use serde_json::Value;

#[test]
fn run_exports_every_sample_in_nanoseconds_and_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "--runs",
            "7",
            "--warmup",
            "2",
            "--export-json",
            "run.json",
            "--export-markdown",
            "run.md",
            "--",
            "sleep 0.002",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_valid("run.v1.schema.json", &run);
    assert_eq!(run["schema"], "benchgate/run/v1");
    assert_eq!(run["source"], "command");
    assert_eq!(run["provenance"]["mode"], "real");
    let benches = run["benchmarks"].as_array().unwrap();
    assert_eq!(benches.len(), 2);
    assert_eq!(benches[0]["name"], "sleep 0.002");
    assert_eq!(benches[0]["status"]["kind"], "ok");
    for bench in benches {
        for measure in ["wall_time", "user_time", "sys_time", "max_rss"] {
            let m = metric(bench, measure);
            assert_eq!(m["samples"].as_array().unwrap().len(), 7, "{measure}");
            assert_eq!(m["summary"]["n"], 7);
        }
        assert_eq!(metric(bench, "wall_time")["unit"], "ns");
        assert_eq!(metric(bench, "max_rss")["unit"], "B");
    }
    // Nanoseconds end to end: a 2 ms sleep is about 2e6, never rounded to whole milliseconds.
    let wall: Vec<f64> = metric(&benches[0], "wall_time")["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(wall.iter().all(|&ns| ns > 2.0e6 && ns < 1.0e9), "{wall:?}");
    assert!(wall.iter().any(|&ns| ns.fract() != 0.0 || ns % 1e6 != 0.0));

    let markdown = std::fs::read_to_string(dir.path().join("run.md")).unwrap();
    assert!(markdown.contains("| `sleep 0.002` |"), "{markdown}");
    assert!(
        markdown.contains("Compared with `sleep 0.002`"),
        "{markdown}"
    );

    let text = stdout(&out);
    assert!(text.contains("compared with sleep 0.002:"), "{text}");
    // Which is faster is the machine's to say: on a loaded one a spawn of `true` can take longer
    // than a 2 ms sleep. The line is there and says one or the other.
    assert!(
        text.contains("× faster") || text.contains("× slower"),
        "{text}"
    );
}

#[test]
fn json_output_on_stdout_is_the_canonical_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &["--json", "run", "-q", "--runs", "3", "--", "true"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("run.v1.schema.json", &run);
    assert!(
        stderr(&out).is_empty(),
        "--quiet prints no progress: {}",
        stderr(&out)
    );
}

#[test]
fn failing_command_exits_3_and_is_reported_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "--runs",
            "3",
            "--export-json",
            "f.json",
            "--",
            "sh -c 'echo kaboom >&2; exit 4'",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let run = read_json(&dir.path().join("f.json"));
    assert_valid("run.v1.schema.json", &run);
    let failed = &run["benchmarks"][0];
    assert_eq!(failed["status"]["kind"], "failed");
    let message = failed["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("status 4") && message.contains("kaboom"),
        "{message}"
    );
    // The other command still ran all its runs.
    assert_eq!(run["benchmarks"][1]["status"]["kind"], "ok");
    assert_eq!(
        metric(&run["benchmarks"][1], "wall_time")["samples"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
}

#[test]
fn ignore_failure_keeps_measuring() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "-q",
            "--runs",
            "4",
            "-i",
            "--export-json",
            "f.json",
            "--",
            "false",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("f.json"));
    assert_eq!(run["benchmarks"][0]["status"]["kind"], "ok");
    assert_eq!(
        metric(&run["benchmarks"][0], "wall_time")["samples"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

fn verdicts(comparison: &Value) -> Vec<&Value> {
    comparison["verdicts"].as_array().unwrap().iter().collect()
}

#[test]
fn compare_of_a_run_with_itself_is_unchanged_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "-q",
            "--runs",
            "12",
            "--export-json",
            "a.json",
            "--",
            "sleep 0.005",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = benchgate(
        &["compare", "a.json", "a.json", "--export-json", "c.json"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let comparison = read_json(&dir.path().join("c.json"));
    assert_valid("comparison.v1.schema.json", &comparison);
    assert_eq!(comparison["outcome"], "passed");
    let all = verdicts(&comparison);
    assert_eq!(all.len(), 4, "one verdict per measure");
    for v in all {
        assert_eq!(v["kind"], "unchanged", "{v}");
        assert_eq!(v["effect"]["ratio"], 1.0, "{v}");
    }
    let text = stdout(&out);
    assert!(text.contains("PASSED"), "{text}");
    assert!(text.contains("~ (p=1.000 n=12)"), "{text}");
}

#[test]
fn compare_flags_a_clear_slowdown_as_a_failing_regression() {
    let dir = tempfile::tempdir().unwrap();
    // Five times slower, on fixed samples (10 ms and 50 ms ± 3 %): the two sides are recorded
    // apart, and a busy machine would stretch each by its own amount.
    record_fixed(dir.path(), "a.json", "sleeper", "sleep 0.01", 10, 10.0, 11);
    record_fixed(dir.path(), "b.json", "sleeper", "sleep 0.05", 10, 50.0, 12);
    let out = benchgate(&["compare", "--json", "a.json", "b.json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("comparison.v1.schema.json", &comparison);
    assert_eq!(comparison["outcome"], "failed");
    let wall = verdicts(&comparison)
        .into_iter()
        .find(|v| v["measure"] == "wall_time")
        .unwrap();
    assert_eq!(wall["benchmark"], "sleeper");
    assert_eq!(wall["kind"], "regressed");
    assert_eq!(wall["severity"], "fail");
    assert_eq!(wall["gating"], true);
    let ratio = wall["effect"]["ratio"].as_f64().unwrap();
    assert!(ratio > 4.5 && ratio < 5.5, "{ratio}");
    assert!(wall["effect"]["ci"]["lo"].as_f64().unwrap() > 1.1);
    assert!(wall["p_value"].as_f64().unwrap() < 0.001);

    // Reversed, the same data is an improvement and passes.
    let out = benchgate(&["compare", "b.json", "a.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("improved"), "{text}");

    // The terminal table names the regression and the gate.
    let out = benchgate(&["compare", "a.json", "b.json"], dir.path());
    let text = stdout(&out);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("reaches the 10% fail threshold"), "{text}");
}

#[test]
fn thresholds_decide_between_warn_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    record_fixed(dir.path(), "a.json", "s", "sleep 0.01", 10, 10.0, 13);
    record_fixed(dir.path(), "b.json", "s", "sleep 0.05", 10, 50.0, 14);
    // The flags are what judges: beyond neither a 900% warn nor a 1000% fail, and an α of 0.001
    // still reachable by 10 runs a side (exact p ≥ 1.1e-5), so the same data is unchanged.
    let out = benchgate(
        &[
            "compare", "--warn", "900%", "--fail", "1000%", "--alpha", "0.001", "--json", "a.json",
            "b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(comparison["outcome"], "passed");
    assert_eq!(comparison["thresholds"]["warn"], 9.0);
    assert_eq!(comparison["thresholds"]["alpha"], 0.001);
    let wall = verdicts(&comparison)
        .into_iter()
        .find(|v| v["measure"] == "wall_time")
        .unwrap();
    assert_eq!(wall["kind"], "unchanged", "{wall}");
    // Five times slower is beyond a 20% warn but inside a 1000% fail: a warning, which passes…
    let out = benchgate(
        &[
            "compare", "--warn", "20%", "--fail", "1000%", "--json", "a.json", "b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(comparison["outcome"], "warned");
    let wall = verdicts(&comparison)
        .into_iter()
        .find(|v| v["measure"] == "wall_time")
        .unwrap();
    assert_eq!(wall["severity"], "warn");
    // …unless warnings are denied.
    let out = benchgate(
        &[
            "compare",
            "--warn",
            "20%",
            "--fail",
            "1000%",
            "--deny-warnings",
            "a.json",
            "b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A minimum absolute delta above the change silences it.
    let out = benchgate(
        &[
            "compare",
            "--min-delta",
            "50ms",
            "--json",
            "a.json",
            "b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn markdown_report_is_written_to_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "a.json", "true", "true", 6);
    let summary = dir.path().join("summary.md");
    let out = benchgate_with_env(
        &["compare", "a.json", "a.json", "--format", "md"],
        dir.path(),
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("### ✅ benchgate: PASSED"), "{written}");
    assert_eq!(written, String::from_utf8_lossy(&out.stdout));
}

#[test]
fn too_few_samples_are_insufficient_data_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "a.json", "s", "true", 3);
    record(dir.path(), "b.json", "s", "true", 3);
    let out = benchgate(&["compare", "--json", "a.json", "b.json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let comparison: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(comparison["outcome"], "warned");
    let wall = verdicts(&comparison)
        .into_iter()
        .find(|v| v["measure"] == "wall_time")
        .unwrap();
    assert_eq!(wall["kind"], "insufficient_data");
    assert!(
        wall["reason"].as_str().unwrap().contains("3 vs 3 samples"),
        "{wall}"
    );
    let out = benchgate(
        &["compare", "--deny-warnings", "a.json", "b.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
}
