//! `--measure instructions` and `measure = "instructions"`: exact instruction counts from real
//! valgrind runs, the same run after run, compared deterministically.

mod common;

use common::{benchgate, read_json, stderr, stdout};
use serde_json::Value;

fn instructions(run: &Value, bench: usize) -> (f64, bool) {
    let m = run["benchmarks"][bench]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "instructions")
        .unwrap_or_else(|| panic!("no instructions in {run}"));
    (
        m["samples"][0].as_f64().unwrap(),
        m["exact"].as_bool().unwrap(),
    )
}

#[test]
fn counts_are_identical_across_runs_and_compared_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("small"), "hello benchgate\n".repeat(500)).unwrap();
    std::fs::write(d.join("large"), "hello benchgate\n".repeat(5000)).unwrap();
    for (file, input) in [
        ("a.json", "small"),
        ("b.json", "small"),
        ("c.json", "large"),
    ] {
        let out = benchgate(
            &[
                "run",
                "--measure",
                "instructions",
                "--name",
                "gzip",
                "--export-json",
                file,
                "--",
                &format!("gzip -c {input}"),
            ],
            d,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let (a, exact) = instructions(&read_json(&d.join("a.json")), 0);
    let (b, _) = instructions(&read_json(&d.join("b.json")), 0);
    let (c, _) = instructions(&read_json(&d.join("c.json")), 0);
    assert!(exact);
    assert!(a > 100_000.0, "{a}");
    assert_eq!(a, b, "the same command counts the same");
    assert!(c > a, "{c} vs {a}");
    // Without timing there are no wall-time samples at all.
    let run = read_json(&d.join("a.json"));
    assert_eq!(run["benchmarks"][0]["metrics"].as_array().unwrap().len(), 1);

    let same = benchgate(&["--json", "compare", "a.json", "b.json"], d);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    let cmp: Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(cmp["verdicts"][0]["kind"], "unchanged");
    assert_eq!(cmp["verdicts"][0]["reason"], "identical (exact measure)");
    // More work is a deterministic regression: exact measures always gate.
    let more = benchgate(&["--json", "compare", "a.json", "c.json"], d);
    assert_eq!(more.status.code(), Some(1), "{}", stdout(&more));
    let cmp: Value = serde_json::from_slice(&more.stdout).unwrap();
    let v = &cmp["verdicts"][0];
    assert_eq!(
        (v["kind"].as_str(), v["severity"].as_str()),
        (Some("regressed"), Some("fail"))
    );
    assert!(v["gating"].as_bool().unwrap());
    assert_eq!(v["effect"]["ratio"].as_f64().unwrap(), c / a);

    // The terminal shows exact counts as exact: every digit, in the run table and the
    // comparison, never `± ∞`.
    let digits = format!("{}", a as u64);
    let out = benchgate(&["compare", "a.json", "b.json"], d);
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with("gzip ") && l.contains("exact"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains(&format!("{digits}  ")) || row.contains(&format!("{digits} ")),
        "{row}"
    );
    assert!(!text.contains('∞'), "{text}");
    let out = benchgate(
        &[
            "run",
            "--measure",
            "instructions",
            "--name",
            "gzip",
            "--",
            "gzip -c small",
        ],
        d,
    );
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with("gzip "))
        .unwrap_or_else(|| panic!("the run table has no row: {text}"));
    assert!(row.contains(&digits), "{row}");
    assert!(!text.contains('∞'), "{text}");
}

#[test]
fn configured_benches_count_instructions_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("data"), "x".repeat(20_000)).unwrap();
    std::fs::write(
        d.join("benchgate.toml"),
        r#"
[defaults]
warmup = 0
runs = 3

[[bench]]
name = "both"
command = "sha256sum data"
measure = ["time", "instructions"]

[[bench]]
name = "counted"
command = "gzip -c data"
measure = "instructions"

[[bench]]
name = "timed"
command = "true"
"#,
    )
    .unwrap();
    let out = benchgate(&["run", "-q", "--export-json", "run.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&d.join("run.json"));
    let measures = |i: usize| -> Vec<String> {
        run["benchmarks"][i]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["measure"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        measures(0),
        [
            "wall_time",
            "user_time",
            "sys_time",
            "max_rss",
            "instructions"
        ]
    );
    assert_eq!(measures(1), ["instructions"]);
    assert_eq!(
        measures(2),
        ["wall_time", "user_time", "sys_time", "max_rss"]
    );
    // A second run of the same suite: identical counts, judged unchanged.
    let out = benchgate(&["--json", "run", "-q"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cmp: Value = serde_json::from_slice(&out.stdout).unwrap();
    let counted = cmp["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == "counted" && v["measure"] == "instructions")
        .unwrap();
    assert_eq!(counted["kind"], "unchanged", "{counted}");
    // An unknown measurement is refused with its place in the file.
    std::fs::write(
        d.join("benchgate.toml"),
        "[[bench]]\nname = \"x\"\ncommand = \"true\"\nmeasure = \"cycles\"\n",
    )
    .unwrap();
    let out = benchgate(&["run"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains(r#"unknown measurement "cycles" (expected "time" or "instructions")"#),
        "{}",
        stderr(&out)
    );
}
