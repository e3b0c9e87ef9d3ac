//! Names and texts from outside reach the terminal, the CI log and the GitHub step summary
//! escaped: no control sequence, no forged `::error` workflow command, no HTML or link, no broken
//! code span or table (issue 11, A8). A real suite with a hostile benchmark name and a command
//! whose standard error forges a workflow command.

mod common;

use common::{benchgate_with_env, stderr, stdout};

const HOSTILE_TOML: &str = r#"a\n::error file=x::forged\u001b]8;;http://evil\u0007`<img src=x>`|"#;

fn suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        format!(
            r#"
[defaults]
warmup = 0
runs = 3

[[bench]]
name = "{HOSTILE_TOML}"
command = "true"

[[bench]]
name = "child/{HOSTILE_TOML}"
command = "sh -c 'printf \"first line\\n::error file=y::from the child\\n\\033]0;title\\007\\n\" >&2; exit 1'"
"#
        ),
    )
    .unwrap();
    dir
}

/// Every line as GitHub Actions reads it (leading white space trimmed): none is a workflow
/// command; and no control character but the line breaks.
fn assert_log_safe(what: &str, text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: forged workflow command {line:?} in\n{text}"
        );
    }
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what}: raw control character in {text:?}"
    );
}

#[test]
fn terminal_log_and_step_summary_escape_hostile_names_and_child_errors() {
    let dir = suite();
    let summary = dir.path().join("summary.md");
    let out = benchgate_with_env(
        &["run"],
        dir.path(),
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    let (out_text, err_text) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(3), "{out_text}\n{err_text}");
    assert_log_safe("stdout", &out_text);
    assert_log_safe("stderr", &err_text);
    // Shown, not dropped: the name with its control characters made visible.
    let shown = r"a\n::error file=x::forged\x1b]8;;http://evil\x07`<img src=x>`|";
    assert!(out_text.contains(shown), "{out_text}");
    // The child's standard error is in the report, each of its lines defused.
    assert!(
        out_text.contains(r"\x3a:error file=y::from the child"),
        "{out_text}"
    );

    let md = std::fs::read_to_string(&summary).unwrap();
    assert_log_safe("step summary", &md);
    // Outside the code spans (fenced by two backticks here) no HTML: only entities.
    let outside: String = md.split("``").step_by(2).collect();
    assert!(!outside.contains("<img"), "{md}");
    assert!(outside.contains("&lt;img src=x&gt;"), "{md}");
    // The name sits in a code span the backtick inside it cannot close (a longer fence), its
    // pipe escaped for the table.
    assert!(
        md.contains(r"``child/a\n::error file=x::forged\x1b]8;;http://evil\x07`<img src=x>`\|``"),
        "{md}"
    );
}

#[test]
fn stored_runs_with_hostile_texts_are_listed_escaped() {
    // A run exported elsewhere, with a hostile branch, imported into a fresh store.
    let made = suite();
    let out = benchgate_with_env(
        &["run", "-q", "--export-json", "run.json"],
        made.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let mut run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(made.path().join("run.json")).unwrap()).unwrap();
    run["provenance"]["branch"] = "x\n::error::forged branch\u{1b}[2J".into();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.json"), run.to_string()).unwrap();
    let out = benchgate_with_env(&["import", "run.json"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let name = run["benchmarks"][0]["name"].as_str().unwrap();
    for args in [vec!["runs", "list"], vec!["history", name], vec!["report"]] {
        let out = benchgate_with_env(&args, dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_log_safe(&format!("{args:?} stdout"), &stdout(&out));
        assert_log_safe(&format!("{args:?} stderr"), &stderr(&out));
    }
}
