//! `benchgate exec -- cargo bench -p vm-cleanup` with the example's own benchgate.toml (built in
//! the dev profile to share the tests' build, run with `--quick`): the simulator's exact figures
//! arrive in the stored run as metrics of simulated benchmarks, the budgets pass, and a broken
//! retry policy fails the gate with the budget that caught it named.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_valid, benchgate, benchgate_process_with_env, read_json, stderr, stdout};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the example's benchmarks in `dir` (the store goes there) under its budgets.
fn exec_cleanup(dir: &Path, extra_env: &[(&str, &str)]) -> std::process::Output {
    let manifest = workspace().join("Cargo.toml");
    let config = workspace().join("examples/vm-cleanup/benchgate.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "exec",
        "--config",
        config.to_str().unwrap(),
        "--export-json",
        "run.json",
        "--",
        cargo.as_str(),
        "bench",
        "-q",
        "--manifest-path",
        manifest.to_str().unwrap(),
        "-p",
        "vm-cleanup",
        "--profile",
        "dev",
        "--bench",
        "cleanup",
        "--",
        "--quick",
        "--no-save",
    ];
    benchgate_process_with_env(&args, dir, extra_env)
}

fn bench<'v>(run: &'v Value, name: &str) -> &'v Value {
    run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {run:#}"))
}

/// The single, exact value of a figure the benchmark reported.
fn figure(run: &Value, name: &str, measure: &str) -> f64 {
    let b = bench(run, name);
    let metric = b["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} in {b:#}"));
    assert_eq!(metric["exact"], true, "{metric:#}");
    assert_eq!(metric["samples"].as_array().unwrap().len(), 1, "{metric:#}");
    metric["summary"]["median"].as_f64().unwrap()
}

#[test]
fn the_cleanup_scenarios_are_stored_with_their_exact_figures_and_pass_their_budgets() {
    let dir = tempfile::tempdir().unwrap();
    let out = exec_cleanup(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    // The harness's progress (streamed to our standard error) labels them too.
    assert!(
        stderr(&out).contains("bench cleanup/flaky/concurrency=200 ... ok (simulated)"),
        "{}",
        stderr(&out)
    );
    let report = stdout(&out);
    assert!(
        report.contains("SIMULATED: these numbers come from a stand-in"),
        "{report}"
    );
    assert!(report.contains("PASSED"), "{report}");

    let run = read_json(&dir.path().join("run.json"));
    assert_valid("run.v1.schema.json", &run);
    assert_eq!(run["source"], "harness");
    assert_eq!(run["provenance"]["mode"], "simulated");
    for b in run["benchmarks"].as_array().unwrap() {
        assert_eq!(b["mode"], "simulated", "{}", b["name"]);
        assert_eq!(b["status"]["kind"], "ok", "{b:#}");
    }
    // a. one call per cleanup; b. 1 551 calls for 1 000 cleanups with seed 14.
    assert_eq!(figure(&run, "cleanup/healthy", "calls_per_op"), 1.0);
    assert_eq!(figure(&run, "cleanup/flaky", "calls_per_op"), 1.551);
    assert_eq!(figure(&run, "cleanup/flaky", "success_rate"), 0.94);
    // c. each level holds that many calls at the backend.
    for level in [1, 10, 50, 100, 200] {
        let name = format!("cleanup/flaky/concurrency={level}");
        assert_eq!(
            figure(&run, &name, "max_concurrent_calls"),
            f64::from(level)
        );
        assert_eq!(
            bench(&run, &name)["params"]["concurrency"],
            level.to_string()
        );
    }
    // d. exactly three calls, then a mean of 30.06 ms to give up.
    assert_eq!(figure(&run, "cleanup/down", "calls_per_op"), 3.0);
    assert_eq!(figure(&run, "cleanup/down", "give_up_time"), 30_060_000.0);
    // e. every cleanup in flight at shutdown finished within the grace period.
    assert_eq!(figure(&run, "cleanup/shutdown", "completed_rate"), 1.0);
    // The stored run (read back from the store) has them as well.
    let exported = benchgate(&["export"], dir.path());
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let stored: Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(stored["provenance"]["mode"], "simulated");
    assert_eq!(bench(&stored, "cleanup/down")["mode"], "simulated");
    assert_eq!(figure(&stored, "cleanup/down", "calls_per_op"), 3.0);
    assert_eq!(
        figure(
            &stored,
            "cleanup/flaky/concurrency=200",
            "max_concurrent_calls"
        ),
        200.0
    );
    // Allocations per cleanup are measured by the harness around real replays.
    let allocs = &bench(&run, "cleanup/shutdown")["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "allocs")
        .unwrap()["summary"]["median"];
    assert!(allocs.as_f64().unwrap() > 0.0, "{allocs}");
}

#[test]
fn a_broken_retry_policy_fails_the_gate_naming_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let out = exec_cleanup(dir.path(), &[("VM_CLEANUP_POLICY", "max-attempts-5")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let report = stdout(&out);
    assert!(
        report.contains(
            "budget #10 calls_per_op ≤ 3, ≥ 3 on cleanup/down: cleanup/down calls_per_op 4.52 above max 3"
        ),
        "{report}"
    );

    // A fixed sleep called "exponential backoff": the waits do not grow, and every cleaner
    // retries in the same millisecond.
    let dir = tempfile::tempdir().unwrap();
    let out = exec_cleanup(dir.path(), &[("VM_CLEANUP_POLICY", "fixed-sleep")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains(
            "backoff_growth ≥ 150% on cleanup/down: cleanup/down backoff_growth 100% below min 150%"
        ),
        "{report}"
    );
    assert!(
        report
            .contains("retry_burst ≤ 20 on cleanup/down: cleanup/down retry_burst 50 above max 20"),
        "{report}"
    );
}
