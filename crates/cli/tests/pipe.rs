//! `benchgate … | head` must exit quietly when the reader goes away.

mod common;

use std::process::{Command, Stdio};

use common::{record, stderr};

#[test]
fn closed_stdout_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "a.json", "true", "true", 2);
    // A run with thousands of benchmarks renders far more than a pipe buffer holds.
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    let template = run["benchmarks"][0].clone();
    run["benchmarks"] = (0..3000)
        .map(|i| {
            let mut b = template.clone();
            b["name"] = format!("bench/{i}").into();
            b
        })
        .collect();
    std::fs::write(dir.path().join("big.json"), run.to_string()).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_benchgate"))
        .args(["compare", "big.json", "big.json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once, like `| head -0`.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "quiet: {}", stderr(&out));
}
