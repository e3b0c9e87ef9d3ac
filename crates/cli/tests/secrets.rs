//! `${VAR}` values never reach the history, an export or a report unless the file marks the
//! variable safe to record (`[env] record`); the command is stored as written and the expanded
//! one only executed (issue 11, A9). A real suite, a real SQLite file, real exports.

mod common;

use common::{benchgate_with_env, stderr, stdout, stored_runs};

/// Every file under `dir`, read whole (the SQLite database, its WAL, the exports).
fn all_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name() != Some("benchgate.toml".as_ref()) {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_secret_in_a_command_is_executed_but_never_recorded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        r#"
[env]
record = ["BUILD_MODE"]

[defaults]
warmup = 0
runs = 3

[[bench]]
name = "tool/${BUILD_MODE}"
# Exits 0 only when it runs with the real values: the expansion is used to execute.
command = "test ${SECRET} = ${SECRET_AGAIN} -a ${BUILD_MODE} = release"
prepare = "test ${SECRET} = ${SECRET_AGAIN}"

[[bench]]
name = "wrong"
# Fails, and its failure is reported with its standard error: without the secret in it.
command = "sh -c 'echo bad token ${SECRET} >&2; exit 1'"
"#,
    )
    .unwrap();
    let env = [
        ("SECRET", "hunter2"),
        ("SECRET_AGAIN", "hunter2"),
        ("BUILD_MODE", "release"),
    ];
    let out = benchgate_with_env(
        &[
            "run",
            "--export-json",
            "run.json",
            "--export-markdown",
            "run.md",
        ],
        dir.path(),
        &env,
    );
    let (text, err) = (stdout(&out), stderr(&out));
    // The second bench fails (exit 3); the first ran, so its command had the real values.
    assert_eq!(out.status.code(), Some(3), "{text}\n{err}");
    assert!(
        !text.contains("hunter2") && !err.contains("hunter2"),
        "{text}\n{err}"
    );
    let json = benchgate_with_env(&["--json", "report"], dir.path(), &env);
    let report = stdout(&json);
    assert!(
        report.contains("tool/release"),
        "{report}\n{}",
        stderr(&json)
    );
    assert!(!report.contains("hunter2"), "{report}");
    let md = benchgate_with_env(&["report", "--format", "md"], dir.path(), &env);
    assert!(!stdout(&md).contains("hunter2"), "{}", stdout(&md));

    let files = all_bytes(dir.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("run.json")));
    assert!(files.iter().any(|(p, _)| p.ends_with("run.md")));
    assert!(files.iter().any(|(p, _)| p.ends_with("history.db")));
    for (path, bytes) in &files {
        assert!(!contains(bytes, "hunter2"), "the secret is in {path}");
    }

    // Stored as written; the one variable marked safe is recorded with its value.
    assert_eq!(stored_runs(dir.path()).len(), 1);
    let run: serde_json::Value = serde_json::from_str(&report).unwrap();
    let tool = run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "tool/release")
        .unwrap_or_else(|| panic!("{run}"));
    assert_eq!(tool["status"]["kind"], "ok", "{run}");
    assert_eq!(
        tool["command"], "test ${SECRET} = ${SECRET_AGAIN} -a ${BUILD_MODE} = release",
        "{run}"
    );
    assert_eq!(
        run["provenance"]["tags"]["env.BUILD_MODE"], "release",
        "{run}"
    );
    // The failed command's standard error names the variable instead of its value.
    let wrong = run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "wrong")
        .unwrap_or_else(|| panic!("{run}"));
    assert_eq!(
        wrong["status"]["message"], "run: exited with status 1; stderr: bad token ${SECRET}",
        "{run}"
    );
    assert!(
        run["provenance"]["tags"].get("env.SECRET").is_none(),
        "{run}"
    );
}

#[test]
fn a_name_may_only_use_variables_marked_safe_to_record() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[[bench]]\nname = \"tool/${SECRET}\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = benchgate_with_env(&["run"], dir.path(), &[("SECRET", "hunter2")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("benchgate.toml:2:14: [[bench]] #1 `name`: SECRET would be recorded in every run under this name; list it in `[env] record` if its value may be stored"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn errors_name_the_variable_not_its_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[[bench]]\nname = \"t\"\ncommand = \"tool --token ${SECRET}\"\n",
    )
    .unwrap();
    // The value cannot be split into words (an unbalanced quote).
    let out = benchgate_with_env(&["run"], dir.path(), &[("SECRET", "hunter2'x")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("cannot parse command `tool --token ${SECRET}`"),
        "{err}"
    );
}
