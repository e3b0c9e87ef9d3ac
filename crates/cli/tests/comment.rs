//! `benchgate comment --github` / `--gitlab`: one pull-request comment (merge-request note),
//! posted once and then edited in place, against a fake GitHub and GitLab API on loopback that
//! records every request.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use common::{benchgate_command, spawn, stderr};

/// A request the fake API received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    authorization: String,
    body: String,
}

/// A fake GitHub issues-comments API: comments of one pull request, in memory.
struct FakeGithub {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeGithub {
    /// Serves on 127.0.0.1; `others` are comments already on the pull request (id, body).
    fn start(others: Vec<(u64, String)>) -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut comments = others;
            let mut next_id = 5000;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                let mut length = 0;
                let mut authorization = String::new();
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    let (name, value) = header.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "authorization" => authorization = value.trim().to_string(),
                        "private-token" => {
                            authorization = format!("PRIVATE-TOKEN {}", value.trim())
                        }
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let body = String::from_utf8(body).unwrap();
                recorded.lock().unwrap().push(Seen {
                    method: method.clone(),
                    path: path.clone(),
                    authorization,
                    body: body.clone(),
                });
                const NOTES: &str = "/projects/grp%2Fsvc/merge_requests/7/notes";
                let (status, answer) = match method.as_str() {
                    "GET"
                        if path.starts_with("/repos/o/r/issues/7/comments?")
                            || path.starts_with(&format!("{NOTES}?")) =>
                    {
                        let page: usize = path
                            .rsplit("page=")
                            .next()
                            .and_then(|p| p.parse().ok())
                            .unwrap();
                        let list: Vec<_> = comments
                            .iter()
                            .skip((page - 1) * 100)
                            .take(100)
                            .map(|(id, body)| serde_json::json!({"id": id, "body": body}))
                            .collect();
                        ("200 OK", serde_json::Value::Array(list))
                    }
                    "POST" if path == "/repos/o/r/issues/7/comments" || path == NOTES => {
                        let text: serde_json::Value = serde_json::from_str(&body).unwrap();
                        next_id += 1;
                        comments.push((next_id, text["body"].as_str().unwrap().to_string()));
                        ("201 Created", serde_json::json!({"id": next_id}))
                    }
                    "PATCH" | "PUT"
                        if (method == "PATCH"
                            && path.starts_with("/repos/o/r/issues/comments/"))
                            || (method == "PUT" && path.starts_with(&format!("{NOTES}/"))) =>
                    {
                        let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                        let text: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let comment = comments.iter_mut().find(|(c, _)| *c == id).unwrap();
                        comment.1 = text["body"].as_str().unwrap().to_string();
                        ("200 OK", serde_json::json!({"id": id}))
                    }
                    _ => ("404 Not Found", serde_json::json!({"message": "Not Found"})),
                };
                let answer = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        FakeGithub { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Runs the real binary (curl is its HTTP client) with exactly the GitHub variables given.
fn comment(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command: Command = benchgate_command(dir, env);
    for name in [
        "GITHUB_TOKEN",
        "GITHUB_REPOSITORY",
        "GITHUB_EVENT_PATH",
        "GITHUB_API_URL",
        "GITLAB_TOKEN",
        "CI_API_V4_URL",
        "CI_PROJECT_ID",
        "CI_MERGE_REQUEST_IID",
    ] {
        if !env.iter().any(|(n, _)| *n == name) {
            command.env_remove(name);
        }
    }
    command
        .arg("comment")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    spawn(&mut command).wait_with_output().unwrap()
}

#[test]
fn the_first_run_posts_and_the_next_edits_the_same_comment() {
    let dir = tempfile::tempdir().unwrap();
    let github = FakeGithub::start(vec![(11, "LGTM".to_string())]);
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"action":"synchronize","pull_request":{"number":7}}"#,
    )
    .unwrap();
    let env = [
        ("GITHUB_TOKEN", "ghs_secret"),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("GITHUB_API_URL", github.url.as_str()),
    ];
    std::fs::write(dir.path().join("report.md"), "**passed**: 3 benchmarks\n").unwrap();
    let out = comment(dir.path(), &["--github", "report.md"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("posted comment 5001 on pull request #7"),
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.path().join("report.md"), "**failed**: parse +12%\n").unwrap();
    let out = comment(dir.path(), &["--github", "report.md"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("updated comment 5001 on pull request #7"),
        "{}",
        stderr(&out)
    );

    let seen = github.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
            ("POST", "/repos/o/r/issues/7/comments"),
            ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
            ("PATCH", "/repos/o/r/issues/comments/5001"),
        ]
    );
    assert!(seen.iter().all(|s| s.authorization == "Bearer ghs_secret"));
    let posted: serde_json::Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(
        posted["body"],
        "<!-- benchgate -->\n**passed**: 3 benchmarks\n"
    );
    let edited: serde_json::Value = serde_json::from_str(&seen[3].body).unwrap();
    assert_eq!(
        edited["body"],
        "<!-- benchgate -->\n**failed**: parse +12%\n"
    );
}

#[test]
fn pr_and_repo_flags_stand_in_for_the_workflow_variables() {
    let dir = tempfile::tempdir().unwrap();
    let github = FakeGithub::start(vec![(42, "<!-- benchgate -->\nold".to_string())]);
    std::fs::write(dir.path().join("r.md"), "new\n").unwrap();
    let env = [
        ("GITHUB_TOKEN", "t"),
        ("GITHUB_API_URL", github.url.as_str()),
    ];
    let out = comment(
        dir.path(),
        &["--github", "r.md", "--pr", "7", "--repo", "o/r"],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("updated comment 42"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        github.seen().last().unwrap().path,
        "/repos/o/r/issues/comments/42"
    );
}

#[test]
fn a_refusal_of_the_api_is_an_error_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let github = FakeGithub::start(Vec::new());
    std::fs::write(dir.path().join("r.md"), "x\n").unwrap();
    let env = [
        ("GITHUB_TOKEN", "t"),
        ("GITHUB_API_URL", github.url.as_str()),
    ];
    // Pull request 8 is not the fake's: it answers 404.
    let out = comment(
        dir.path(),
        &["--github", "r.md", "--pr", "8", "--repo", "o/r"],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "/repos/o/r/issues/8/comments?per_page=100&page=1: the API answered 404: Not Found"
        ),
        "{err}"
    );
    assert!(!err.contains("Bearer"), "{err}");
}

#[test]
fn a_missing_token_repository_or_pull_request_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.md"), "x\n").unwrap();
    let out = comment(
        dir.path(),
        &["--github", "r.md"],
        &[("GITHUB_REPOSITORY", "o/r")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("GITHUB_TOKEN is not set"),
        "{}",
        stderr(&out)
    );

    let out = comment(
        dir.path(),
        &["--github", "r.md", "--pr", "1"],
        &[("GITHUB_TOKEN", "t")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("GITHUB_REPOSITORY is not set: give --repo OWNER/NAME"),
        "{}",
        stderr(&out)
    );

    let env = [("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "o/r")];
    let out = comment(dir.path(), &["--github", "r.md"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("GITHUB_EVENT_PATH is not set"),
        "{}",
        stderr(&out)
    );

    let event = dir.path().join("push.json");
    std::fs::write(&event, r#"{"ref":"refs/heads/main"}"#).unwrap();
    let env = [
        ("GITHUB_TOKEN", "t"),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let out = comment(dir.path(), &["--github", "r.md"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no pull_request.number"),
        "{}",
        stderr(&out)
    );

    let out = comment(
        dir.path(),
        &["--github", "missing.md", "--pr", "1", "--repo", "o/r"],
        &[("GITHUB_TOKEN", "t")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read missing.md"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_marked_comment_is_found_on_a_later_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut others: Vec<(u64, String)> =
        (1..=150).map(|id| (id, format!("comment {id}"))).collect();
    others[120].1 = "<!-- benchgate -->\nold".to_string();
    let github = FakeGithub::start(others);
    std::fs::write(dir.path().join("r.md"), "new\n").unwrap();
    let env = [
        ("GITHUB_TOKEN", "t"),
        ("GITHUB_API_URL", github.url.as_str()),
    ];
    let out = comment(
        dir.path(),
        &["--github", "r.md", "--pr", "7", "--repo", "o/r"],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let paths: Vec<String> = github.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/repos/o/r/issues/7/comments?per_page=100&page=1",
            "/repos/o/r/issues/7/comments?per_page=100&page=2",
            "/repos/o/r/issues/comments/121",
        ]
    );
}

/// GitLab: the merge request's note, found by its marker, posted once and then edited with PUT,
/// the project path encoded as the API wants it, the token in PRIVATE-TOKEN.
#[test]
fn on_gitlab_the_first_run_posts_a_note_and_the_next_edits_it() {
    let dir = tempfile::tempdir().unwrap();
    let gitlab = FakeGithub::start(vec![(3, "looks fine".to_string())]);
    let api = format!("{}/", gitlab.url);
    let env = [
        ("GITLAB_TOKEN", "glpat-secret"),
        ("CI_API_V4_URL", api.as_str()),
        ("CI_PROJECT_ID", "grp/svc"),
        ("CI_MERGE_REQUEST_IID", "7"),
    ];
    std::fs::write(dir.path().join("report.md"), "**passed**\n").unwrap();
    let out = comment(dir.path(), &["--gitlab", "report.md"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("posted comment 5001 on merge request #7"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join("report.md"), "**failed**\n").unwrap();
    let out = comment(dir.path(), &["--gitlab", "report.md"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("updated comment 5001 on merge request #7"),
        "{}",
        stderr(&out)
    );
    let seen = gitlab.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    let notes = "/projects/grp%2Fsvc/merge_requests/7/notes";
    let listing = format!("{notes}?per_page=100&page=1");
    let edit = format!("{notes}/5001");
    assert_eq!(
        calls,
        [
            ("GET", listing.as_str()),
            ("POST", notes),
            ("GET", listing.as_str()),
            ("PUT", edit.as_str()),
        ]
    );
    assert!(
        seen.iter()
            .all(|s| s.authorization == "PRIVATE-TOKEN glpat-secret"),
        "{seen:?}"
    );
    let edited: serde_json::Value = serde_json::from_str(&seen[3].body).unwrap();
    assert_eq!(edited["body"], "<!-- benchgate -->\n**failed**\n");
}

#[test]
fn on_gitlab_a_missing_token_project_or_merge_request_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.md"), "x\n").unwrap();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("CI_PROJECT_ID", "1")], "GITLAB_TOKEN is not set"),
        (&[("GITLAB_TOKEN", "t")], "CI_PROJECT_ID is not set"),
        (
            &[("GITLAB_TOKEN", "t"), ("CI_PROJECT_ID", "1")],
            "CI_MERGE_REQUEST_IID is not set",
        ),
        (
            &[
                ("GITLAB_TOKEN", "t"),
                ("CI_PROJECT_ID", "1"),
                ("CI_MERGE_REQUEST_IID", "seven"),
            ],
            "CI_MERGE_REQUEST_IID \"seven\": expected a number",
        ),
    ];
    for (env, expected) in cases {
        let out = comment(dir.path(), &["--gitlab", "r.md"], env);
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        assert!(stderr(&out).contains(expected), "{env:?}: {}", stderr(&out));
    }
    let out = comment(dir.path(), &["--gitlab", "r.md", "--github", "r.md"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = comment(dir.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--github <FILE>|--gitlab <FILE>"),
        "{}",
        stderr(&out)
    );
}
