//! `benchgate comment --github FILE`: the Markdown report as one pull-request comment, updated
//! in place on later runs. The comment carries a hidden marker; a run finds the comment with the
//! marker and edits it (PATCH), or posts a new one (POST).
//!
//! The requests go through `curl` (on every GitHub and GitLab runner image): it brings TLS for
//! api.github.com without a TLS stack in this binary. The token reaches curl on its standard
//! input (`--config -`), never on its command line, where other processes could read it.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use benchgate_model::Outcome;
use serde_json::Value;

use crate::cli::CommentArgs;
use crate::output::eprint_line;

/// The hidden marker that identifies benchgate's comment among a pull request's comments.
pub const MARKER: &str = "<!-- benchgate -->";

/// GitHub refuses comment bodies longer than this many characters.
const MAX_BODY_CHARS: usize = 65_536;

/// Comments per page when listing (GitHub's maximum).
const PER_PAGE: usize = 100;

/// Pages of comments looked through for the marker at most: an API that never ends a listing
/// must not keep benchgate asking forever.
const MAX_PAGES: usize = 100;

/// Where a comment goes: the API, the repository, the pull request, and the token.
struct Target {
    api: String,
    repo: String,
    pr: u64,
    token: String,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn target(args: &CommentArgs) -> anyhow::Result<Target> {
    let token = env_var("GITHUB_TOKEN").context(
        "GITHUB_TOKEN is not set: give the workflow's token (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
    )?;
    let repo = match &args.repo {
        Some(repo) => repo.clone(),
        None => env_var("GITHUB_REPOSITORY")
            .context("GITHUB_REPOSITORY is not set: give --repo OWNER/NAME")?,
    };
    if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
        bail!("repository {repo:?}: expected OWNER/NAME");
    }
    let pr = match args.pr {
        Some(pr) => pr,
        None => pr_from_event()?,
    };
    let api = env_var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".to_string());
    Ok(Target {
        api: api.trim_end_matches('/').to_string(),
        repo,
        pr,
        token,
    })
}

/// The pull request's number from the workflow's event file (`pull_request.number`).
fn pr_from_event() -> anyhow::Result<u64> {
    let path = env_var("GITHUB_EVENT_PATH").context(
        "no pull request: give --pr N, or run in a pull_request workflow (GITHUB_EVENT_PATH is not set)",
    )?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {path} (GITHUB_EVENT_PATH)"))?;
    let event: Value = serde_json::from_str(&text)
        .with_context(|| format!("{path} (GITHUB_EVENT_PATH): not JSON"))?;
    event
        .pointer("/pull_request/number")
        .and_then(Value::as_u64)
        .with_context(|| {
            format!("{path} (GITHUB_EVENT_PATH): no pull_request.number (not a pull request event?); give --pr N")
        })
}

/// The comment's body: the marker, then the report, cut to GitHub's limit with a note.
pub fn body(report: &str) -> String {
    let mut body = format!("{MARKER}\n{report}");
    if body.chars().count() > MAX_BODY_CHARS {
        let note = "\n\n… (cut: the report is longer than a GitHub comment may be; see the job's summary)\n";
        let keep = MAX_BODY_CHARS - note.chars().count();
        body = body.chars().take(keep).collect();
        body.push_str(note);
    }
    body
}

pub fn execute(args: &CommentArgs) -> anyhow::Result<Outcome> {
    let report = std::fs::read_to_string(&args.github)
        .with_context(|| format!("cannot read {}", args.github.display()))?;
    let target = target(args)?;
    let payload = serde_json::json!({ "body": body(&report) }).to_string();
    let base = format!("{}/repos/{}", target.api, target.repo);
    match find_comment(&target, &base)? {
        Some(id) => {
            let url = format!("{base}/issues/comments/{id}");
            request(&target, "PATCH", &url, Some(&payload))?;
            eprint_line(&format!(
                "updated comment {id} on pull request #{}",
                target.pr
            ));
        }
        None => {
            let url = format!("{base}/issues/{}/comments", target.pr);
            let created = request(&target, "POST", &url, Some(&payload))?;
            let id = created
                .get("id")
                .and_then(Value::as_u64)
                .unwrap_or_default();
            eprint_line(&format!(
                "posted comment {id} on pull request #{}",
                target.pr
            ));
        }
    }
    Ok(Outcome::Passed)
}

/// The id of the pull request's comment that carries the marker, if any.
fn find_comment(target: &Target, base: &str) -> anyhow::Result<Option<u64>> {
    for page in 1..=MAX_PAGES {
        let url = format!(
            "{base}/issues/{}/comments?per_page={PER_PAGE}&page={page}",
            target.pr
        );
        let listed = request(target, "GET", &url, None)?;
        let comments = listed
            .as_array()
            .with_context(|| format!("GET {url}: expected a JSON array of comments"))?;
        let found = comments.iter().find(|comment| {
            comment
                .get("body")
                .and_then(Value::as_str)
                .is_some_and(|body| body.starts_with(MARKER))
        });
        if let Some(comment) = found {
            return comment
                .get("id")
                .and_then(Value::as_u64)
                .map(Some)
                .with_context(|| format!("GET {url}: a comment without an id"));
        }
        if comments.len() < PER_PAGE {
            break;
        }
    }
    Ok(None)
}

/// Quotes `text` for a curl config file.
fn config_quoted(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    format!("\"{escaped}\"")
}

/// One request to the API; its JSON answer. Anything but a 2xx answer is an error quoting
/// GitHub's message.
fn request(
    target: &Target,
    method: &str,
    url: &str,
    payload: Option<&str>,
) -> anyhow::Result<Value> {
    let what = || format!("{method} {url}");
    let body_file = match payload {
        Some(payload) => {
            let mut file =
                tempfile::NamedTempFile::new().context("cannot write a temporary file")?;
            file.write_all(payload.as_bytes())
                .context("cannot write a temporary file")?;
            Some(file)
        }
        None => None,
    };
    let mut config = format!(
        "url = {}\nrequest = {}\nheader = {}\nheader = \"Accept: application/vnd.github+json\"\n\
         header = \"X-GitHub-Api-Version: 2022-11-28\"\nuser-agent = \"benchgate\"\n",
        config_quoted(url),
        config_quoted(method),
        config_quoted(&format!("Authorization: Bearer {}", target.token)),
    );
    if let Some(file) = &body_file {
        config.push_str("header = \"Content-Type: application/json\"\n");
        config.push_str(&format!(
            "data-binary = {}\n",
            config_quoted(&format!("@{}", file.path().display()))
        ));
    }
    let mut child = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--config",
            "-",
            "--write-out",
            "\n%{http_code}",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run curl, which benchgate comment uses to reach the GitHub API")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(config.as_bytes())
            .with_context(|| format!("{}: cannot give curl its request", what()))?;
    }
    let output = child
        .wait_with_output()
        .with_context(|| format!("{}: curl did not finish", what()))?;
    if !output.status.success() {
        bail!(
            "{}: {}",
            what(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (answer, status) = text.rsplit_once('\n').unwrap_or(("", text.as_ref()));
    let status: u16 = status
        .trim()
        .parse()
        .with_context(|| format!("{}: no HTTP status from curl", what()))?;
    let json: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    if !(200..300).contains(&status) {
        let message = json
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| answer.trim().chars().take(200).collect(), str::to_string);
        bail!("{}: the API answered {status}: {message}", what());
    }
    Ok(json)
}
