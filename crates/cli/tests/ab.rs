//! `benchgate ab`: paired, interleaved A/B of two real commands (or two directories of a
//! configured suite), adaptive stopping, exit codes.

mod common;

use std::path::Path;

use common::{
    assert_valid, benchgate, benchgate_with_env, fixed_samples_env, fixed_samples_line, stderr,
    stdout,
};
use serde_json::Value;

fn ab(args: &[&str], dir: &Path) -> (Option<i32>, Value, String) {
    ab_with_env(args, dir, &[])
}

fn ab_with_env(args: &[&str], dir: &Path, env: &[(&str, String)]) -> (Option<i32>, Value, String) {
    let mut all = vec!["--json", "ab", "-q"];
    all.extend_from_slice(args);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = benchgate_with_env(&all, dir, &env);
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
    // Judged on fixed samples (2 ms ± 3 %, two seeds), not on how long `sleep` took on a
    // machine that may be busy: the verdict and the look that decides it are always the same.
    let env = fixed_samples_env(
        dir.path(),
        &[
            fixed_samples_line("sleep 0.002", 2.0, 0.03, 1, 200),
            fixed_samples_line("sleep 0.002", 2.0, 0.03, 2, 200),
        ],
    );
    let (code, cmp, err) = ab_with_env(
        &[
            "--warn",
            "5%",
            "--fail",
            "10%",
            "--base",
            "sleep 0.002",
            "--head",
            "sleep 0.002",
        ],
        dir.path(),
        &env,
    );
    assert_eq!(code, Some(0), "{err}");
    let v = wall(&cmp);
    assert_eq!(v["kind"], "unchanged", "{v}");
    assert_eq!(v["current"]["n"], 10, "the first look decides: {v}");
    assert_eq!(v["baseline"]["n"], 10);
    assert_eq!(v["benchmark"], "sleep 0.002");
    assert_eq!(
        v["reason"],
        "-0.2% after 10 pairs (97.3% interval [-1.4%, +1.8%], look 1 at α=0.0304) lies within ±5% (paired)"
    );
    assert_eq!(cmp["baseline"]["label"], "base: sleep 0.002");
    assert_eq!(cmp["current"]["label"], "head: sleep 0.002");
}

#[test]
fn a_clear_slowdown_fails_long_before_max_time() {
    let dir = tempfile::tempdir().unwrap();
    // Fixed samples: 5 ms against 30 ms, ± 5 %, whatever the machine is doing meanwhile.
    let env = fixed_samples_env(
        dir.path(),
        &[
            fixed_samples_line("sleep 0.005", 5.0, 0.05, 3, 100),
            fixed_samples_line("sleep 0.03", 30.0, 0.05, 4, 100),
        ],
    );
    let (code, cmp, err) = ab_with_env(
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
        &env,
    );
    assert_eq!(code, Some(1), "{err}");
    let v = wall(&cmp);
    assert_eq!(
        (v["kind"].as_str(), v["severity"].as_str()),
        (Some("regressed"), Some("fail")),
        "{v}"
    );
    assert_eq!(v["benchmark"], "nap");
    // Samples, not seconds, say it stopped early: the first look decides.
    assert_eq!(v["current"]["n"], 10, "{v}");
    let ratio = v["effect"]["ratio"].as_f64().unwrap();
    assert!(ratio > 5.0 && ratio < 7.0, "{ratio}");
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
    let env = fixed_samples_env(
        dir.path(),
        &[
            fixed_samples_line("sleep 0.003", 3.0, 0.05, 5, 9),
            fixed_samples_line("sleep 0.030", 30.0, 0.05, 6, 9),
        ],
    );
    let (code, cmp, err) = ab_with_env(
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
        &env,
    );
    // Eight pairs, every one slower on the head: the exact sign-flip p is 2/256.
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
    assert_eq!(v["p_value"].as_f64().unwrap(), 2.0 / 256.0, "{v}");
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

/// The test-only sample source refuses a malformed file, naming the line.
#[test]
fn a_malformed_fixed_samples_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixed");
    std::fs::write(&file, "true\t1000:500:100:4096\nfalse\t1:2:3\n").unwrap();
    let out = benchgate_with_env(
        &["ab", "-q", "--base", "true", "--head", "true"],
        dir.path(),
        &[("BENCHGATE_TEST_FIXED_SAMPLES", file.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: BENCHGATE_TEST_FIXED_SAMPLES={}: line 2: `1:2:3` is not wall_ns:user_ns:sys_ns:max_rss_bytes\n",
            file.display()
        )
    );
}
