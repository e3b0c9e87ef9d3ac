//! `benchgate ab`: paired, interleaved A/B of two real commands (or two directories of a
//! configured suite), adaptive stopping, exit codes.

mod common;

use std::path::Path;

use common::{assert_valid, benchgate, stderr, stdout};
use serde_json::Value;

fn ab(args: &[&str], dir: &Path) -> (Option<i32>, Value, String) {
    let mut all = vec!["--json", "ab", "-q"];
    all.extend_from_slice(args);
    let out = benchgate(&all, dir);
    let err = stderr(&out);
    let value: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{err}", stdout(&out)));
    assert_valid("comparison.v1.schema.json", &value);
    (out.status.code(), value, err)
}

fn wall(cmp: &Value) -> &Value {
    cmp["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["measure"] == "wall_time")
        .unwrap()
}

#[test]
fn identical_commands_are_unchanged_within_a_few_looks() {
    let dir = tempfile::tempdir().unwrap();
    // A band wide enough that noise cannot reach its edge: decided after the first 10 pairs.
    let (code, cmp, err) = ab(
        &[
            "--warn",
            "50%",
            "--fail",
            "60%",
            "--base",
            "sleep 0.002",
            "--head",
            "sleep 0.002",
        ],
        dir.path(),
    );
    assert_eq!(code, Some(0), "{err}");
    let v = wall(&cmp);
    assert_eq!(v["kind"], "unchanged", "{v}");
    // Normally the first look (10 pairs) decides; on a loaded machine delayed `sleep`s can
    // widen its interval, so a later look (15, 23, 35, 53, …: each half as many again, rounded
    // up) may. Whichever look decides, it is one of them.
    let n = v["current"]["n"].as_u64().unwrap();
    let looks: Vec<u64> = std::iter::successors(Some(10u64), |&k| Some((k * 3).div_ceil(2)))
        .take_while(|&k| k <= 10_000)
        .collect();
    assert!(looks.contains(&n), "{n} pairs is not a look: {v}");
    assert_eq!(v["baseline"]["n"], n);
    assert_eq!(v["benchmark"], "sleep 0.002");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("after {n} pairs"))
            && reason.ends_with("lies within ±50% (paired)"),
        "{reason}"
    );
    assert_eq!(cmp["baseline"]["label"], "base: sleep 0.002");
    assert_eq!(cmp["current"]["label"], "head: sleep 0.002");
}

#[test]
fn a_clear_slowdown_fails_long_before_max_time() {
    let dir = tempfile::tempdir().unwrap();
    let (code, cmp, err) = ab(
        &[
            "--name",
            "nap",
            "--max-time",
            "60s",
            "--base",
            "sleep 0.005",
            "--head",
            "sleep 0.03",
        ],
        dir.path(),
    );
    assert_eq!(code, Some(1), "{err}");
    let v = wall(&cmp);
    assert_eq!(
        (v["kind"].as_str(), v["severity"].as_str()),
        (Some("regressed"), Some("fail")),
        "{v}"
    );
    assert_eq!(v["benchmark"], "nap");
    // Usually the first look decides; a loaded machine (one `sleep 0.005` took 105 ms once)
    // may need the third. Samples, not seconds, say it stopped early: timing a shared machine
    // is no test.
    assert!(
        v["current"]["n"].as_u64().unwrap() <= 23,
        "decided at the first looks: {v}"
    );
    let ratio = v["effect"]["ratio"].as_f64().unwrap();
    assert!(ratio > 1.5, "{ratio}");
}

#[test]
fn an_undecidable_comparison_is_inconclusive_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    // A ±0.01 % band cannot be resolved in half a second: neither within nor beyond it. The
    // interval of identical commands misses their true change (0) with probability α, and then
    // may lie wholly beyond the band: α = 0.001 keeps that chance to one run in a thousand.
    let out = benchgate(
        &[
            "ab",
            "-q",
            "--alpha",
            "0.001",
            "--warn",
            "0.01%",
            "--max-time",
            "500ms",
            "--base",
            "true",
            "--head",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("inconclusive"), "{text}");
    assert!(text.contains("stopped by the time or pair limit"), "{text}");
    // The summary renders the same outcome as the exit code: neither a pass nor a failure.
    let headline = text.trim_end().lines().last().unwrap_or_default();
    assert!(headline.starts_with("INCONCLUSIVE: "), "{headline}");
    assert!(!text.contains("PASSED"), "{text}");
}

#[test]
fn fixed_pairs_are_judged_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, cmp, err) = ab(
        &[
            "--runs",
            "8",
            "--warmup",
            "1",
            "--base",
            "sleep 0.003",
            "--head",
            "sleep 0.030",
        ],
        dir.path(),
    );
    // A 27 ms gap: a busy machine would have to delay two base runs that long to undo the
    // verdict. One such delay moves p from 2/256 to 4/256, so p is held to α, not below it.
    assert_eq!(code, Some(1), "{err}");
    let v = wall(&cmp);
    assert_eq!(v["current"]["n"], 8);
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("reaches the 10% fail threshold"),
        "{v}"
    );
    assert!(v["p_value"].as_f64().unwrap() < 0.05, "{v}");
}

#[test]
fn two_directories_run_the_configured_suite() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Ten times slower: a busy machine does not delay the base runs that much.
    for (side, nap) in [("main", "0.004"), ("pr", "0.04")] {
        let sub = d.join(side);
        std::fs::create_dir(&sub).unwrap();
        let script = sub.join("app");
        std::fs::write(&script, format!("#!/bin/sh\nsleep {nap}\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        d.join("benchgate.toml"),
        "[[bench]]\nname = \"app\"\ncommand = \"./app\"\n\n[[bench]]\nname = \"other\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let (code, cmp, err) = ab(&["--base-dir", "main", "--head-dir", "pr", "app"], d);
    assert_eq!(code, Some(1), "{err}");
    let verdicts = cmp["verdicts"].as_array().unwrap();
    assert!(
        verdicts.iter().all(|v| v["benchmark"] == "app"),
        "the filter keeps app only"
    );
    assert_eq!(wall(&cmp)["severity"], "fail");
    assert_eq!(cmp["baseline"]["label"], "base: main");
    // A directory that does not exist.
    let out = benchgate(&["ab", "--base-dir", "main", "--head-dir", "nope"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim(), "error: nope: no such directory");
}

#[test]
fn instruction_counts_compare_exactly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "benchgate ".repeat(3000)).unwrap();
    let (code, cmp, err) = ab(
        &[
            "--measure",
            "instructions",
            "--base",
            "gzip -1 -c f",
            "--head",
            "gzip -1 -c f",
        ],
        dir.path(),
    );
    assert_eq!(code, Some(0), "{err}");
    let v = &cmp["verdicts"][0];
    assert_eq!(v["measure"], "instructions");
    assert_eq!(v["reason"], "identical (exact measure)");
}

#[test]
fn bad_invocations_are_usage_errors_and_failures_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(&["ab", "--base", "true"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: the following required arguments were not provided: --head <CMD> (see --help)"
    );
    let out = benchgate(&["ab"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = benchgate(
        &["ab", "-q", "--base", "true", "--head", "false"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("failed"), "{}", stdout(&out));
}
