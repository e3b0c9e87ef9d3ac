//! `benchgate exec -- cargo bench` of a benchgate-harness bench target (the `harness-demo`
//! example crate, built in the dev profile to share the tests' build): every benchmark kind is
//! stored from the harness's own JSON, and a leak fails the harness and the gate.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_valid, benchgate_process_with_env, metric, read_json, stderr, stdout};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn exec_demo(dir: &Path, extra_env: &[(&str, &str)]) -> std::process::Output {
    let manifest = workspace().join("Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "exec",
        "--export-json",
        "run.json",
        "--",
        cargo.as_str(),
        "bench",
        "-q",
        "--manifest-path",
        manifest.to_str().unwrap(),
        "-p",
        "harness-demo",
        "--profile",
        "dev",
        "--bench",
        "demo",
        "--",
        "--quick",
        "--no-save",
    ];
    // End to end: the real binary runs the real `cargo bench` (which takes long enough that an
    // in-process run with its own environment would hold up the other tests' runs).
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

#[test]
fn exec_stores_the_harness_run_with_every_kind_of_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    let out = exec_demo(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The harness's table and progress are streamed to our stderr; stdout is benchgate's report.
    assert!(stderr(&out).contains("bench parse/owned_fields ... ok"));
    assert!(stdout(&out).contains("PASSED"), "{}", stdout(&out));

    let run = read_json(&dir.path().join("run.json"));
    assert_valid("run.v1.schema.json", &run);
    assert_eq!(run["source"], "harness");
    let names: Vec<&str> = run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "parse/sum_fields",
            "parse/owned_fields",
            "sort/len=100",
            "sort/len=10000",
            "cache/hit_rate",
            "service/concurrency=1",
            "service/concurrency=4",
            "service/concurrency=16",
            "cache/bounded",
        ]
    );
    // Eight fields: eight Strings and the Vec, which grows once (4 → 8 elements).
    let owned = bench(&run, "parse/owned_fields");
    assert_eq!(metric(owned, "allocs")["summary"]["median"], 9.0);
    assert_eq!(metric(owned, "allocs")["exact"], true);
    assert_eq!(metric(owned, "reallocs")["summary"]["median"], 1.0);
    assert_eq!(
        metric(bench(&run, "parse/sum_fields"), "allocs")["summary"]["max"],
        0.0
    );
    // Every key was cached in warm-up: no backend call per operation in the measured samples.
    assert_eq!(
        metric(bench(&run, "cache/hit_rate"), "backend_calls")["summary"]["max"],
        0.0
    );
    assert_eq!(bench(&run, "sort/len=10000")["params"]["len"], "10000");
    let level16 = bench(&run, "service/concurrency=16");
    assert_eq!(metric(level16, "max_concurrency")["summary"]["max"], 16.0);
    assert_eq!(bench(&run, "cache/bounded")["status"]["kind"], "ok");
}

#[test]
fn a_leak_fails_the_harness_and_is_stored_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let out = exec_demo(dir.path(), &[("DEMO_LEAK", "1")]);
    // The harness exits 101 (a failed benchmark): exec stores what it wrote and exits 3.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("registry/leaky ... FAILED: live heap grew"),
        "{}",
        stderr(&out)
    );
    let run = read_json(&dir.path().join("run.json"));
    let leaky = bench(&run, "registry/leaky");
    assert_eq!(leaky["status"]["kind"], "failed");
    let per_round = metric(leaky, "leak_bytes_per_round");
    // Each round keeps one 1000-character String (and the Vec's growth now and then).
    assert!(per_round["summary"]["median"].as_f64().unwrap() >= 1000.0);
}
