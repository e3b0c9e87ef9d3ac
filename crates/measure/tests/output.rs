//! Metrics read from each run's stdout (RunnerOptions::output), with real processes, in process
//! (tests/spawner.rs has the same through the spawner).

use std::path::Path;

use benchgate_measure::{
    Better, CommandResult, CommandSpec, CommandTemplate, Expected, MetricDefinition, MetricUnit,
    OutputCheck, OutputSpec, Phase, RunnerOptions, Selector, expand, run, run_paired,
};

fn specs(tokens: &[&str]) -> Vec<CommandSpec> {
    let template = CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    };
    expand(&[template], &[], &[], None).unwrap()
}

fn json(name: &str, path: &str) -> MetricDefinition {
    MetricDefinition::new(
        name,
        Selector::Json(path.into()),
        MetricUnit::as_printed("tx/s"),
        Better::Higher,
    )
    .unwrap()
}

fn regex(name: &str, pattern: &str) -> MetricDefinition {
    MetricDefinition::new(
        name,
        Selector::Regex(pattern.into()),
        MetricUnit::as_printed("ms"),
        Better::Lower,
    )
    .unwrap()
}

fn ok_check() -> Option<OutputCheck> {
    Some(OutputCheck::new("$.ok", Expected::Bool(true)).unwrap())
}

fn options(warmup: u32, runs: u32, output: OutputSpec) -> RunnerOptions {
    RunnerOptions {
        warmup,
        runs: Some(runs),
        output: Some(output),
        ..Default::default()
    }
}

/// Output metrics read from `file` (relative to the command's working directory).
fn from_file(metrics: Vec<MetricDefinition>, file: &str) -> OutputSpec {
    OutputSpec {
        metrics,
        check: None,
        file: Some(file.into()),
    }
}

/// `sh -c script` run in `dir`.
fn sh_in(dir: &Path, script: &str, options: &RunnerOptions) -> CommandResult {
    let mut spec = specs(&["sh", "-c", script]).remove(0);
    spec.cwd = Some(dir.to_path_buf());
    run(&[spec], options, &mut ()).unwrap().remove(0)
}

fn sh(script: &str, options: &RunnerOptions) -> CommandResult {
    run(&specs(&["sh", "-c", script]), options, &mut ())
        .unwrap()
        .remove(0)
}

/// A script printing `first` on its first `n - 1` runs and `then` from run `n` on, counting runs
/// in `dir`.
fn from_run(dir: &Path, n: u32, first: &str, then: &str) -> String {
    let counter = dir.join("runs");
    format!(
        "n=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'; \
         if [ $n -ge {n} ]; then printf '%s' '{then}'; else printf '%s' '{first}'; fi",
        c = counter.display()
    )
}

#[test]
fn json_values_land_in_every_sample_exactly() {
    let output = OutputSpec {
        metrics: vec![
            json("tps", "$.tps"),
            regex("commit", r#""commit_ms": ([0-9.]+)"#),
        ],
        check: ok_check(),
        file: None,
    };
    let r = sh(
        r#"printf '{"tps": 1234.5, "ok": true, "commit_ms": 7.25}'"#,
        &options(1, 3, output),
    );
    assert_eq!(r.failure, None);
    assert_eq!(r.samples.len(), 3);
    for s in &r.samples {
        assert_eq!(s.values, [1234.5, 7.25]);
    }
    assert_eq!(r.rejected_runs, 0);
}

#[test]
fn regex_values_are_read_from_text_output() {
    let output = OutputSpec {
        metrics: vec![regex("commit", r"commit took ([0-9.]+) ms")],
        check: None,
        file: None,
    };
    let r = sh(
        "echo starting; echo 'commit took 12.5 ms'; echo 'commit took 99 ms'",
        &options(0, 2, output),
    );
    assert_eq!(r.failure, None);
    let values: Vec<&[f64]> = r.samples.iter().map(|s| s.values.as_slice()).collect();
    assert_eq!(values, [[12.5], [12.5]]);
}

#[test]
fn without_output_metrics_samples_have_no_values() {
    let r = sh("echo 42", &options(0, 2, OutputSpec::default()));
    assert_eq!(r.failure, None);
    assert!(r.samples.iter().all(|s| s.values.is_empty()));
}

#[test]
fn a_missing_metric_fails_the_run_naming_the_metric_and_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: None,
        file: None,
    };
    let script = from_run(dir.path(), 3, r#"{"tps": 1}"#, r#"{"tx": 1}"#);
    let r = sh(&script, &options(0, 5, output));
    let failure = r.failure.unwrap();
    assert_eq!(
        failure.message,
        r#"run 3: metric "tps": $.tps is missing from the output"#
    );
    assert_eq!(failure.phase, Phase::Run);
    assert_eq!(failure.kind(), "output-check");
    assert!(failure.output.is_some());
    // The runs before it are samples, with their values.
    let values: Vec<&[f64]> = r.samples.iter().map(|s| s.values.as_slice()).collect();
    assert_eq!(values, [[1.0], [1.0]]);
}

#[test]
fn a_value_that_is_not_a_number_fails_the_run() {
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: None,
        file: None,
    };
    let r = sh(r#"printf '{"tps": "fast"}'"#, &options(0, 2, output));
    assert_eq!(
        r.failure.unwrap().message,
        r#"run 1: metric "tps": $.tps is "fast", not a number"#
    );
    assert!(r.samples.is_empty());
}

#[test]
fn a_failing_check_marks_the_run_failed() {
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: ok_check(),
        file: None,
    };
    let r = sh(
        r#"printf '{"tps": 5, "ok": false}'"#,
        &options(0, 3, output),
    );
    let failure = r.failure.unwrap();
    assert_eq!(
        failure.message,
        "run 1: output check failed: $.ok is false, expected true"
    );
    assert_eq!(failure.kind(), "output-check");
    assert!(r.samples.is_empty());
}

#[test]
fn a_warm_up_whose_output_fails_fails_the_command() {
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: ok_check(),
        file: None,
    };
    let r = sh(
        r#"printf '{"tps": 5, "ok": false}'"#,
        &options(2, 3, output),
    );
    assert_eq!(
        r.failure.unwrap().message,
        "warm-up run 1: output check failed: $.ok is false, expected true"
    );
    assert_eq!(r.warmup_runs, 1);
    assert!(r.samples.is_empty());
}

#[test]
fn with_ignore_failure_a_run_its_output_fails_is_not_a_sample() {
    let dir = tempfile::tempdir().unwrap();
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: ok_check(),
        file: None,
    };
    let script = from_run(
        dir.path(),
        3,
        r#"{"tps": 10, "ok": true}"#,
        r#"{"tps": 0, "ok": false}"#,
    );
    let o = RunnerOptions {
        ignore_failure: true,
        ..options(0, 5, output)
    };
    let r = sh(&script, &o);
    assert_eq!(r.failure, None);
    // 5 runs: 2 samples, 3 rejected (which count towards `runs`).
    assert_eq!(r.samples.len(), 2);
    assert!(r.samples.iter().all(|s| s.values == [10.0]));
    assert_eq!(r.rejected_runs, 3);
    assert_eq!(
        r.first_rejection.unwrap().message,
        "run 3: output check failed: $.ok is false, expected true"
    );
}

#[test]
fn output_over_the_limit_fails_with_its_length() {
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: None,
        file: None,
    };
    let r = sh(
        "head -c 1100000 /dev/zero | tr '\\0' a",
        &options(0, 1, output),
    );
    assert_eq!(
        r.failure.unwrap().message,
        r#"run 1: metric "tps": the output is 1100000 bytes, more than the 1048576 read for metrics"#
    );
}

#[test]
fn paired_runs_carry_the_values_and_an_output_failure_ends_both() {
    let output = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: ok_check(),
        file: None,
    };
    let base = specs(&["sh", "-c", r#"printf '{"tps": 100, "ok": true}'"#]).remove(0);
    let head = specs(&["sh", "-c", r#"printf '{"tps": 200, "ok": true}'"#]).remove(0);
    let o = options(1, 3, output.clone());
    let r = run_paired(&base, &head, &o, &mut |_, _| false, &mut ()).unwrap();
    assert_eq!(r.base.samples.len(), 3);
    assert!(r.base.samples.iter().all(|s| s.values == [100.0]));
    assert!(r.head.samples.iter().all(|s| s.values == [200.0]));

    // Even with ignore_failure: a pair needs both values.
    let dir = tempfile::tempdir().unwrap();
    let script = from_run(
        dir.path(),
        2,
        r#"{"tps": 200, "ok": true}"#,
        r#"{"tps": 0, "ok": false}"#,
    );
    let head = specs(&["sh", "-c", &script]).remove(0);
    let o = RunnerOptions {
        ignore_failure: true,
        ..options(0, 4, output)
    };
    let r = run_paired(&base, &head, &o, &mut |_, _| false, &mut ()).unwrap();
    assert_eq!(
        r.head.failure.unwrap().message,
        "run 2: output check failed: $.ok is false, expected true"
    );
    assert_eq!(r.base.samples.len(), r.head.samples.len());
    assert_eq!(r.head.samples.len(), 1);
}

#[test]
fn metrics_are_read_from_the_file_each_run_writes_not_from_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let output = from_file(vec![json("tps", "$.tps")], "result.json");
    // Its stdout is not JSON: were it read, the run would fail.
    let r = sh_in(
        dir.path(),
        r#"echo starting; echo '{"tps": 5}' > result.json"#,
        &options(1, 3, output),
    );
    assert_eq!(r.failure, None);
    let values: Vec<&[f64]> = r.samples.iter().map(|s| s.values.as_slice()).collect();
    assert_eq!(values, [[5.0], [5.0], [5.0]]);
    // An absolute path is read where it is, whatever the working directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("abs.json");
    let script = format!(r#"echo '{{"tps": 7}}' > '{}'"#, file.display());
    let output = from_file(vec![json("tps", "$.tps")], file.to_str().unwrap());
    let r = sh_in(elsewhere.path(), &script, &options(0, 2, output));
    assert_eq!(r.failure, None);
    assert!(r.samples.iter().all(|s| s.values == [7.0]));
}

#[test]
fn a_run_that_writes_no_output_file_fails_naming_the_file_and_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("runs");
    // Writes the file on its first run only: run 2 must not read run 1's file.
    let script = format!(
        r#"n=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'; \
           if [ $n -lt 2 ]; then echo '{{"tps": 5}}' > result.json; fi"#,
        c = counter.display()
    );
    let output = from_file(vec![json("tps", "$.tps")], "result.json");
    let r = sh_in(dir.path(), &script, &options(0, 4, output));
    let failure = r.failure.unwrap();
    assert_eq!(failure.message, "run 2: result.json was not written");
    assert_eq!(failure.phase, Phase::Run);
    assert_eq!(failure.kind(), "output-check");
    assert!(failure.output.is_some());
    let values: Vec<&[f64]> = r.samples.iter().map(|s| s.values.as_slice()).collect();
    assert_eq!(values, [[5.0]]);
}

#[test]
fn a_stale_output_file_is_removed_before_the_first_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("result.json"), r#"{"tps": 1}"#).unwrap();
    let output = from_file(vec![json("tps", "$.tps")], "result.json");
    let r = sh_in(dir.path(), "true", &options(2, 3, output));
    assert_eq!(
        r.failure.unwrap().message,
        "warm-up run 1: result.json was not written"
    );
    assert!(r.samples.is_empty());
    assert!(!dir.path().join("result.json").exists());
}

#[test]
fn an_output_file_over_the_limit_fails_with_its_length() {
    let dir = tempfile::tempdir().unwrap();
    let output = from_file(vec![json("tps", "$.tps")], "result.json");
    let r = sh_in(
        dir.path(),
        "head -c 1100000 /dev/zero | tr '\\0' a > result.json",
        &options(0, 1, output),
    );
    assert_eq!(
        r.failure.unwrap().message,
        r#"run 1: metric "tps": the output is 1100000 bytes, more than the 1048576 read for metrics"#
    );
}

#[test]
fn paired_runs_read_their_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let output = from_file(vec![json("tps", "$.tps")], "result.json");
    let mut base = specs(&["sh", "-c", r#"echo '{"tps": 100}' > result.json"#]).remove(0);
    let mut head = specs(&["sh", "-c", "echo no file"]).remove(0);
    base.cwd = Some(dir.path().to_path_buf());
    head.cwd = Some(dir.path().to_path_buf());
    let o = options(0, 3, output);
    let r = run_paired(&base, &head, &o, &mut |_, _| false, &mut ()).unwrap();
    // Head runs right after base in the first pair, base's file is removed before it runs.
    assert_eq!(
        r.head.failure.unwrap().message,
        "run 1: result.json was not written"
    );
    assert_eq!(r.base.failure, None);
    assert!(r.base.samples.is_empty() && r.head.samples.is_empty());

    let head = {
        let mut h = specs(&["sh", "-c", r#"echo '{"tps": 200}' > result.json"#]).remove(0);
        h.cwd = Some(dir.path().to_path_buf());
        h
    };
    let r = run_paired(&base, &head, &o, &mut |_, _| false, &mut ()).unwrap();
    assert!(r.base.samples.iter().all(|s| s.values == [100.0]));
    assert!(r.head.samples.iter().all(|s| s.values == [200.0]));
    assert_eq!(r.head.samples.len(), 3);
}
