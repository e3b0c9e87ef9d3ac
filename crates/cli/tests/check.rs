//! `[[check]]` across benchmarks, end to end on ingested Go output: a ratio between two
//! benchmarks, linearity over a parameter, scaling efficiency over `-cpu 1,2,4`, totals per
//! operation — each with a passing and a failing case — and a check naming a benchmark that
//! does not exist; every output (terminal, JSON, Markdown, JUnit) and the exit code agree.

mod common;

use std::path::Path;

use common::{assert_valid, benchgate, stderr, stdout, write};
use serde_json::Value;

/// A benchgate.toml judging ingested Go results with `checks` (TOML of `[[check]]` tables).
fn config(dir: &Path, checks: &str) {
    write(
        dir,
        "benchgate.toml",
        &format!("[gate]\nsources = [\"ingest:go\"]\n\n{checks}"),
    );
}

/// `go test -bench` output of `lines` (`BenchmarkName N value unit…`), with Go's header.
fn go_output(lines: &[&str]) -> String {
    let mut text =
        String::from("goos: linux\ngoarch: amd64\npkg: example.com/sandbox\ncpu: AMD EPYC 7B13\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("PASS\nok  \texample.com/sandbox\t3.210s\n");
    text
}

/// Ingests `file` (written from `lines`) with `--json`: exit code and the comparison.
fn ingest(dir: &Path, file: &str, lines: &[&str]) -> (Option<i32>, Value) {
    write(dir, file, &go_output(lines));
    let out = benchgate(&["--json", "ingest", file], dir);
    let comparison: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    assert_valid("comparison.v1.schema.json", &comparison);
    (out.status.code(), comparison)
}

/// The verdict of the check called `name`.
fn check_verdict<'c>(c: &'c Value, name: &str) -> &'c Value {
    c["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == name && v["measure"] == "check")
        .unwrap_or_else(|| panic!("no check {name} in {c}"))
}

const RATIO: &str = "[[check]]\nname = \"warm restore is 50x faster\"\n\
                     expr = '\"Restore/cold\" / \"Restore/warm\" >= 50'\n";

#[test]
fn a_ratio_between_two_benchmarks_passes_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(d, RATIO);
    let (code, c) = ingest(
        d,
        "fast.txt",
        &[
            "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
            "BenchmarkRestore/warm \t 500\t 2000000 ns/op",
        ],
    );
    assert_eq!(code, Some(0), "{c}");
    assert_eq!(c["outcome"], "passed");
    let v = check_verdict(&c, "warm restore is 50x faster");
    assert_eq!(v["kind"], "check_passed");
    assert_eq!(v["gating"], true);
    assert_eq!(c["checks"][0]["value"], 60.0);
    assert_eq!(c["checks"][0]["bound"], 50.0);
    assert_eq!(c["checks"][0]["headroom_percent"], 20.0);
    assert_eq!(c["checks"][0]["status"], "pass");
    assert_eq!(
        v["reason"],
        "check \"warm restore is 50x faster\": \"Restore/cold\" / \"Restore/warm\" is 60, holds \
         ≥ 50, headroom 20%; \"Restore/cold\" = 120ms, \"Restore/warm\" = 2ms"
    );
    // A warm restore of 3 ms is only 40× faster: the gate fails, in every output.
    let slow = [
        "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
        "BenchmarkRestore/warm \t 500\t 3000000 ns/op",
    ];
    let (code, c) = ingest(d, "slow.txt", &slow);
    assert_eq!(code, Some(1), "{c}");
    assert_eq!(c["outcome"], "failed");
    let v = check_verdict(&c, "warm restore is 50x faster");
    assert_eq!(v["kind"], "check_failed");
    assert_eq!(v["severity"], "fail");
    assert_eq!(c["checks"][0]["value"], 40.0);
    assert_eq!(c["checks"][0]["headroom_percent"], -20.0);
    let out = benchgate(&["ingest", "slow.txt"], d);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with("warm restore is 50x faster "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("\"Restore/cold\" / \"Restore/warm\""), "{row}");
    assert!(row.contains("40"), "{row}");
    assert!(row.contains("≥ 50"), "{row}");
    assert!(row.contains("-20.0%"), "{row}");
    assert!(row.trim_end().ends_with("fail"), "{row}");
    assert!(
        text.contains("warm restore is 50x faster · check: CHECK — check \"warm restore is 50x faster\": \"Restore/cold\" / \"Restore/warm\" is 40, breaks ≥ 50"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("FAILED: 1 failing, 2 warnings of 3 gated comparisons"),
        "{text}"
    );
    let out = benchgate(&["ingest", "--format", "md", "slow.txt"], d);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.starts_with("### ❌ benchgate: FAILED"), "{md}");
    assert!(
        md.contains("| warm restore is 50x faster | `\"Restore/cold\" / \"Restore/warm\" >= 50` | 40 | ≥ 50 | -20.0% | fail |"),
        "{md}"
    );
    let out = benchgate(&["ingest", "--format", "junit", "slow.txt"], d);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert!(
        xml.contains("classname=\"warm restore is 50x faster\""),
        "{xml}"
    );
    assert!(xml.contains("check_failed: check"), "{xml}");
}

#[test]
fn a_warn_check_warns_and_fails_only_when_warnings_are_denied() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(d, &format!("{RATIO}severity = \"warn\"\n"));
    let slow = [
        "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
        "BenchmarkRestore/warm \t 500\t 3000000 ns/op",
    ];
    let (code, c) = ingest(d, "slow.txt", &slow);
    assert_eq!(code, Some(0), "{c}");
    assert_eq!(c["outcome"], "warned");
    assert_eq!(c["checks"][0]["status"], "warn");
    assert_eq!(
        check_verdict(&c, "warm restore is 50x faster")["severity"],
        "warn"
    );
    let out = benchgate(&["ingest", "--deny-warnings", "slow.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn linearity_over_a_parameter_passes_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"steps scale linearly\"\nexpr = 'r2(\"Steps/n=*\") >= 0.98'\n\n\
         [[check]]\nname = \"a step costs at most 1.2ms\"\nexpr = 'slope(\"Steps/n=*\", wall_time) <= 1.2ms'\n",
    );
    // 2 ms + 1 ms per step.
    let (code, c) = ingest(
        d,
        "linear.txt",
        &[
            "BenchmarkSteps/n=1 \t 100\t 3000000 ns/op",
            "BenchmarkSteps/n=2 \t 100\t 4000000 ns/op",
            "BenchmarkSteps/n=4 \t 100\t 6000000 ns/op",
            "BenchmarkSteps/n=8 \t 100\t 10000000 ns/op",
        ],
    );
    assert_eq!(code, Some(0), "{c}");
    assert_eq!(c["checks"][0]["value"], 1.0);
    assert_eq!(c["checks"][0]["status"], "pass");
    assert_eq!(c["checks"][1]["value"], 1e6);
    assert_eq!(c["checks"][1]["unit"], "ns");
    assert_eq!(c["checks"][1]["status"], "pass");
    // 1, 4, 16, 64 ms: quadratic. In ms: Sxx = 28.75, Sxy = 266.25, Syy = 2562.75, so
    // r² = Sxy² / (Sxx · Syy) = 0.9621 and the slope Sxy / Sxx = 9.26 ms per step.
    let (code, c) = ingest(
        d,
        "quadratic.txt",
        &[
            "BenchmarkSteps/n=1 \t 100\t 1000000 ns/op",
            "BenchmarkSteps/n=2 \t 100\t 4000000 ns/op",
            "BenchmarkSteps/n=4 \t 100\t 16000000 ns/op",
            "BenchmarkSteps/n=8 \t 100\t 64000000 ns/op",
        ],
    );
    assert_eq!(code, Some(1), "{c}");
    let r2 = c["checks"][0]["value"].as_f64().unwrap();
    assert!(
        (r2 - 266.25f64.powi(2) / (28.75 * 2562.75)).abs() < 1e-12,
        "{r2}"
    );
    assert_eq!(c["checks"][0]["status"], "fail");
    let slope = c["checks"][1]["value"].as_f64().unwrap();
    assert!((slope - 266.25 / 28.75 * 1e6).abs() < 1e-6, "{slope}");
    assert_eq!(c["checks"][1]["status"], "fail");
    let reason = check_verdict(&c, "steps scale linearly")["reason"]
        .as_str()
        .unwrap();
    // Off the line most at n = 1: −4.217 ms fitted against 1 ms measured.
    assert_eq!(
        reason,
        "check \"steps scale linearly\": r2(\"Steps/n=*\") is 0.962, breaks ≥ 0.98, headroom -1.8%; \
         r2(\"Steps/n=*\") = 0.962 (4 benchmarks, parameter 1…8; slope 9.261ms per unit, \
         intercept -13.478ms, r² 0.9621, largest residual 521.7391%)"
    );
}

#[test]
fn scaling_efficiency_of_ingested_go_cpu_levels_passes_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"encode scales\"\nexpr = 'efficiency(\"Encode\", bytes_per_second) >= 0.7'\n\n\
         [[check]]\nname = \"encode time scales\"\nexpr = 'efficiency(\"Encode\") >= 0.7'\n",
    );
    // `go test -bench Encode -cpu 1,2,4`: no suffix at GOMAXPROCS 1.
    let (code, c) = ingest(
        d,
        "good.txt",
        &[
            "BenchmarkEncode   \t 1000\t 1000000 ns/op\t 100.00 MB/s",
            "BenchmarkEncode-2 \t 2000\t  526316 ns/op\t 190.00 MB/s",
            "BenchmarkEncode-4 \t 3000\t  312500 ns/op\t 320.00 MB/s",
        ],
    );
    assert_eq!(code, Some(0), "{c}");
    assert_eq!(c["checks"][0]["value"], 0.8);
    assert_eq!(c["checks"][0]["status"], "pass");
    assert_eq!(c["checks"][1]["value"], 0.8);
    assert_eq!(c["checks"][1]["status"], "pass");
    let reason = check_verdict(&c, "encode scales")["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("(3 benchmarks, parameter 1…4; lowest at 4 against 1 (higher is better))"),
        "{reason}"
    );
    // At 4 CPUs only twice as fast as at 1: efficiency 0.5.
    let (code, c) = ingest(
        d,
        "poor.txt",
        &[
            "BenchmarkEncode   \t 1000\t 1000000 ns/op\t 100.00 MB/s",
            "BenchmarkEncode-2 \t 2000\t  625000 ns/op\t 160.00 MB/s",
            "BenchmarkEncode-4 \t 3000\t  500000 ns/op\t 200.00 MB/s",
        ],
    );
    assert_eq!(code, Some(1), "{c}");
    assert_eq!(c["checks"][0]["value"], 0.5);
    assert_eq!(c["checks"][0]["status"], "fail");
    assert_eq!(c["checks"][1]["value"], 0.5);
    assert_eq!(c["checks"][1]["status"], "fail");
}

#[test]
fn totals_per_operation_pass_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"at most 3 backend calls per cleanup\"\n\
         expr = '\"Cleanup\".backend_calls / \"Cleanup\".ops <= 3'\n",
    );
    // Totals reported with b.ReportMetric.
    let (code, c) = ingest(
        d,
        "ok.txt",
        &["BenchmarkCleanup \t 1\t 5000000 ns/op\t 1500 backend_calls\t 500 ops"],
    );
    assert_eq!(code, Some(0), "{c}");
    assert_eq!(c["checks"][0]["value"], 3.0);
    assert_eq!(c["checks"][0]["status"], "pass");
    assert_eq!(c["checks"][0]["headroom_percent"], 0.0);
    let (code, c) = ingest(
        d,
        "retries.txt",
        &["BenchmarkCleanup \t 1\t 5000000 ns/op\t 2000 backend_calls\t 500 ops"],
    );
    assert_eq!(code, Some(1), "{c}");
    assert_eq!(c["checks"][0]["value"], 4.0);
    assert_eq!(c["checks"][0]["status"], "fail");
    // No operations at all: a division by zero, said plainly, and a failing gate.
    let (code, c) = ingest(
        d,
        "none.txt",
        &["BenchmarkCleanup \t 1\t 5000000 ns/op\t 0 backend_calls\t 0 ops"],
    );
    assert_eq!(code, Some(1), "{c}");
    assert_eq!(c["checks"][0]["status"], "error");
    assert_eq!(
        check_verdict(&c, "at most 3 backend calls per cleanup")["reason"],
        "check \"at most 3 backend calls per cleanup\" cannot be evaluated: division by zero: \
         \"Cleanup\".ops is 0; \"Cleanup\".backend_calls / \"Cleanup\".ops <= 3"
    );
}

#[test]
fn a_check_naming_a_missing_benchmark_is_an_error_that_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"typo\"\nexpr = '\"Restore/clod\" / \"Restore/warm\" >= 50'\n\n\
         [[check]]\nname = \"no family\"\nexpr = 'r2(\"Steps/n=*\") >= 0.98'\n",
    );
    let lines = [
        "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
        "BenchmarkRestore/warm \t 500\t 2000000 ns/op",
    ];
    let (code, c) = ingest(d, "run.txt", &lines);
    assert_eq!(code, Some(1), "{c}");
    assert_eq!(c["outcome"], "failed");
    let typo = check_verdict(&c, "typo");
    assert_eq!(typo["kind"], "check_error");
    assert_eq!(typo["severity"], "fail");
    assert_eq!(
        typo["reason"],
        "check \"typo\" cannot be evaluated: no benchmark named \"Restore/clod\" (did you mean \
         \"Restore/cold\"?); \"Restore/clod\" / \"Restore/warm\" >= 50"
    );
    assert_eq!(check_verdict(&c, "no family")["kind"], "check_error");
    assert!(
        check_verdict(&c, "no family")["reason"]
            .as_str()
            .unwrap()
            .contains("r2(\"Steps/n=*\") matches no benchmark"),
        "{c}"
    );
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("typo · check: ERROR — check \"typo\" cannot be evaluated: no benchmark named \"Restore/clod\""), "{text}");
    let out = benchgate(&["ingest", "--format", "junit", "run.txt"], d);
    assert!(stdout(&out).contains("failures=\"2\""), "{}", stdout(&out));
}

#[test]
fn a_malformed_check_is_refused_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"bad unit\"\nexpr = '\"a\" / \"b\" >= 5qs'\n",
    );
    write(d, "run.txt", &go_output(&["BenchmarkA \t 1\t 5 ns/op"]));
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    // Line 6 of the file; `qs` is at column 23 (the expression's column 15).
    assert_eq!(
        stderr(&out).trim(),
        "error: benchgate.toml:6:23: [[check]] #1 `expr`: at column 15: unknown unit \"qs\" \
         (durations ns, us, ms, s, m, h; sizes B, KB, MB, GB, KiB, MiB, GiB; rates such as \
         10k/s; 5%; plain multipliers k, M, G)"
    );
    assert!(!d.join(".benchgate").exists(), "nothing stored");
    config(
        d,
        "[[check]]\nname = \"x\"\nexpr = '\"A\" > 1'\nbound = 3\n",
    );
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: benchgate.toml:7:1: [[check]] #1 `bound`: unknown key (expected one of name, \
         expr, measure, severity, filter)"
    );
    config(
        d,
        "[[check]]\nname = \"x\"\nexpr = '\"A\" > 1'\nseverity = \"loud\"\n",
    );
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[[check]] #1 `severity`: unknown severity \"loud\""),
        "{}",
        stderr(&out)
    );
    // A filter, and a selection in the expression, in benchstat's language.
    config(
        d,
        "[[check]]\nname = \"x\"\nexpr = '\"A\" > 1'\nfilter = 'goos:linux OR'\n",
    );
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: benchgate.toml:7:24: [[check]] #1 `filter`: at character 14: the filter ends \
         where a key:value was expected"
    );
    config(
        d,
        "[[check]]\nname = \"x\"\nexpr = 'slope({.name:A /n:(1 OR 2}, by: /n) > 1'\n",
    );
    let out = benchgate(&["ingest", "run.txt"], d);
    assert_eq!(out.status.code(), Some(2));
    // The value list is still open at the selection's closing brace, column 26.
    assert_eq!(
        stderr(&out).trim(),
        "error: benchgate.toml:6:34: [[check]] #1 `expr`: at column 26: in the selection \
         {.name:A /n:(1 OR 2}: expected OR or ) in a value list"
    );
    assert!(!d.join(".benchgate").exists(), "nothing stored");
}

/// Selections in benchstat's filter language choose a family by parameter and label and a
/// check's filter restricts what it reads, on ingested Go output: a passing and a failing fit,
/// a passing efficiency over `/procs` on linux only, and a selection matching nothing.
#[test]
fn selections_and_a_filter_judge_ingested_go_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(
        d,
        "[[check]]\nname = \"fast steps are linear\"\n\
         expr = 'r2({.name:Steps /mode:fast}, by: /n) >= 0.98'\n\n\
         [[check]]\nname = \"slow steps are linear\"\n\
         expr = 'r2({.name:Steps /mode:slow}, by: /n) >= 0.98'\n\n\
         [[check]]\nname = \"encode scales on linux\"\n\
         expr = 'efficiency({.name:Encode}, bytes_per_second, by: /procs) >= 0.7'\n\
         filter = \"goos:linux\"\n\n\
         [[check]]\nname = \"typo\"\nexpr = 'slope({.name:Stpes}, by: /n) <= 1ms'\n",
    );
    // Fast: 2 ms + 1 ms per step; slow: n² ms. Encode at -cpu 1,2,4: 100, 190, 320 MB/s.
    let (code, c) = ingest(
        d,
        "run.txt",
        &[
            "BenchmarkSteps/mode=fast/n=1 \t 100\t  3000000 ns/op",
            "BenchmarkSteps/mode=fast/n=2 \t 100\t  4000000 ns/op",
            "BenchmarkSteps/mode=fast/n=4 \t 100\t  6000000 ns/op",
            "BenchmarkSteps/mode=fast/n=8 \t 100\t 10000000 ns/op",
            "BenchmarkSteps/mode=slow/n=1 \t 100\t  1000000 ns/op",
            "BenchmarkSteps/mode=slow/n=2 \t 100\t  4000000 ns/op",
            "BenchmarkSteps/mode=slow/n=4 \t 100\t 16000000 ns/op",
            "BenchmarkSteps/mode=slow/n=8 \t 100\t 64000000 ns/op",
            "BenchmarkEncode   \t 1000\t 1000000 ns/op\t 100.00 MB/s",
            "BenchmarkEncode-2 \t 2000\t  526316 ns/op\t 190.00 MB/s",
            "BenchmarkEncode-4 \t 3000\t  312500 ns/op\t 320.00 MB/s",
        ],
    );
    assert_eq!(code, Some(1), "{c}");
    let statuses: Vec<&str> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "fail", "pass", "error"]);
    assert_eq!(c["checks"][0]["value"], 1.0);
    assert_eq!(c["checks"][2]["value"], 0.8);
    assert_eq!(
        check_verdict(&c, "encode scales on linux")["reason"],
        "check \"encode scales on linux\" (filter \"goos:linux\"): efficiency({.name:Encode}, \
         bytes_per_second, by: /procs) is 0.8, holds ≥ 0.7, headroom 14.3%; \
         efficiency({.name:Encode}, bytes_per_second, by: /procs) = 0.8 (3 benchmarks, parameter \
         1…4; lowest at 4 against 1 (higher is better))"
    );
    assert_eq!(
        check_verdict(&c, "typo")["kind"],
        "check_error",
        "a selection matching nothing fails the gate"
    );
    assert_eq!(
        check_verdict(&c, "typo")["reason"],
        "check \"typo\" cannot be evaluated: slope({.name:Stpes}, by: /n) matches no benchmark; \
         slope({.name:Stpes}, by: /n) <= 1ms"
    );
    // Run on darwin, the filter keeps nothing: an error, not a pass.
    write(
        d,
        "darwin.txt",
        &go_output(&["BenchmarkEncode \t 1000\t 1000000 ns/op\t 100.00 MB/s"])
            .replace("goos: linux", "goos: darwin"),
    );
    let out = benchgate(&["--json", "ingest", "darwin.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        check_verdict(&c, "encode scales on linux")["reason"],
        "check \"encode scales on linux\" (filter \"goos:linux\") cannot be evaluated: \
         efficiency({.name:Encode}, by: /procs) matches no benchmark; efficiency({.name:Encode}, \
         bytes_per_second, by: /procs) >= 0.7"
    );
}

#[test]
fn compare_judges_the_checks_on_the_current_side() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    config(d, RATIO);
    let fast = [
        "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
        "BenchmarkRestore/warm \t 500\t 2000000 ns/op",
    ];
    let slow = [
        "BenchmarkRestore/cold \t 10\t 120000000 ns/op",
        "BenchmarkRestore/warm \t 500\t 3000000 ns/op",
    ];
    write(d, "fast.txt", &go_output(&fast));
    write(d, "slow.txt", &go_output(&slow));
    let out = benchgate(&["--json", "compare", "slow.txt", "fast.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = benchgate(&["--json", "compare", "fast.txt", "slow.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("comparison.v1.schema.json", &c);
    assert_eq!(c["checks"][0]["value"], 40.0);
    assert_eq!(
        check_verdict(&c, "warm restore is 50x faster")["kind"],
        "check_failed"
    );
    assert!(!d.join(".benchgate").exists(), "compare stores nothing");
}

/// The configured suite (`run`) is judged by the same checks, on its fixed samples (1 ms and 2 ms
/// ± 3 %): one that holds, one broken, one naming a bench that was skipped, one a bench that
/// does not exist.
#[test]
fn run_judges_the_suite_with_its_checks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "benchgate.toml",
        "[defaults]\nwarmup = 0\nruns = 8\n\n\
         [[bench]]\nname = \"fast\"\ncommand = \"true\"\n\n\
         [[bench]]\nname = \"slow\"\ncommand = \"sleep 0.002\"\n\n\
         [[bench]]\nname = \"helios/commit\"\ncommand = \"${BENCHGATE_TEST_UNSET_VAR} commit\"\n\
         requires = { env = [\"BENCHGATE_TEST_UNSET_VAR\"] }\n\n\
         [[check]]\nname = \"slow is about twice fast\"\nexpr = '\"slow\" / \"fast\" >= 1.5'\n\n\
         [[check]]\nname = \"slow is 3x fast\"\nexpr = '\"slow\" / \"fast\" >= 3'\n\n\
         [[check]]\nname = \"commit\"\nexpr = '\"helios/commit\" < 50ms'\n\n\
         [[check]]\nname = \"restore\"\nexpr = '\"helios/restore\" < 25ms'\n",
    );
    let env = common::fixed_samples_env(
        d,
        &[
            common::fixed_samples_line("true", 1.0, 0.03, 7, 64),
            common::fixed_samples_line("sleep 0.002", 2.0, 0.03, 8, 64),
        ],
    );
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = common::benchgate_with_env(&["--json", "run"], d, &env);
    let c: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    assert_valid("comparison.v1.schema.json", &c);
    assert_eq!(out.status.code(), Some(1), "{c}");
    let statuses: Vec<&str> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "fail", "skipped", "error"]);
    let ratio = c["checks"][0]["value"].as_f64().unwrap();
    assert!((1.8..2.2).contains(&ratio), "{ratio}");
    assert_eq!(check_verdict(&c, "commit")["kind"], "skipped");
    assert!(
        check_verdict(&c, "restore")["reason"]
            .as_str()
            .unwrap()
            .contains("no benchmark named \"helios/restore\""),
        "{c}"
    );
}
