//! `benchgate comment --github FILE` (or `--gitlab FILE`): the Markdown report as one
//! pull-request comment (merge-request note), updated in place on later runs. The comment carries a hidden marker; a run finds the comment with the
//! marker and edits it (GitHub PATCH, GitLab PUT), or posts a new one (POST).
//!
//! The requests go through `curl` (on every GitHub and GitLab runner image): it brings TLS for
//! api.github.com and gitlab.com without a TLS stack in this binary. The token reaches curl on its standard
//! input (`--config -`), never on its command line, where other processes could read it.

use anyhow::{Context, bail};
use benchgate_model::Outcome;
use serde_json::Value;

use crate::cli::CommentArgs;
use crate::output::eprint_line;

/// The hidden marker that identifies benchgate's comment among a pull request's comments.
pub const MARKER: &str = "<!-- benchgate -->";

/// GitHub refuses comment bodies longer than this many characters.
const GITHUB_MAX_BODY_CHARS: usize = 65_536;

/// GitLab refuses note bodies longer than this many characters.
const GITLAB_MAX_BODY_CHARS: usize = 1_000_000;

/// Comments per page when listing (GitHub's and GitLab's maximum).
const PER_PAGE: usize = 100;

/// Pages of comments looked through for the marker at most: an API that never ends a listing
/// must not keep benchgate asking forever.
const MAX_PAGES: usize = 100;

/// Which service holds the pull (merge) request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forge {
    GitHub,
    GitLab,
}

impl Forge {
    fn max_body_chars(self) -> usize {
        match self {
            Forge::GitHub => GITHUB_MAX_BODY_CHARS,
            Forge::GitLab => GITLAB_MAX_BODY_CHARS,
        }
    }

    fn request_name(self) -> &'static str {
        match self {
            Forge::GitHub => "pull request",
            Forge::GitLab => "merge request",
        }
    }
}

/// Where a comment goes: the API, the repository (GitLab: the project), the pull (merge)
/// request, and the token.
struct Target {
    forge: Forge,
    api: String,
    repo: String,
    pr: u64,
    token: String,
}

impl Target {
    /// The request's comments (GitLab: notes), to list and to post to.
    fn comments_url(&self) -> String {
        match self.forge {
            Forge::GitHub => format!(
                "{}/repos/{}/issues/{}/comments",
                self.api, self.repo, self.pr
            ),
            Forge::GitLab => format!(
                "{}/projects/{}/merge_requests/{}/notes",
                self.api,
                project_path(&self.repo),
                self.pr
            ),
        }
    }

    /// One comment, to edit: its URL and the method that edits it.
    fn comment_url(&self, id: u64) -> (String, &'static str) {
        match self.forge {
            Forge::GitHub => (
                format!("{}/repos/{}/issues/comments/{id}", self.api, self.repo),
                "PATCH",
            ),
            Forge::GitLab => (format!("{}/{id}", self.comments_url()), "PUT"),
        }
    }

    /// The header that carries the token.
    fn authorization(&self) -> String {
        match self.forge {
            Forge::GitHub => format!("Authorization: Bearer {}", self.token),
            Forge::GitLab => format!("PRIVATE-TOKEN: {}", self.token),
        }
    }
}

/// A GitLab project as its API names it: the numeric id as is, a `group/name` path encoded.
fn project_path(project: &str) -> String {
    project.replace('%', "%25").replace('/', "%2F")
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn target(args: &CommentArgs) -> anyhow::Result<(Target, &std::path::Path)> {
    match (&args.github, &args.gitlab) {
        (Some(report), None) => Ok((github_target(args)?, report)),
        (None, Some(report)) => Ok((gitlab_target(args)?, report)),
        // clap's group makes one of them required and the other excluded.
        _ => bail!("give --github FILE or --gitlab FILE"),
    }
}

fn github_target(args: &CommentArgs) -> anyhow::Result<Target> {
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
        forge: Forge::GitHub,
        api: api.trim_end_matches('/').to_string(),
        repo,
        pr,
        token,
    })
}

/// GitLab CI's predefined variables name the API, the project and the merge request; the
/// token is a project (or personal) access token with the `api` scope, kept as the masked CI/CD
/// variable `GITLAB_TOKEN` (the job's own `CI_JOB_TOKEN` may not write notes).
fn gitlab_target(args: &CommentArgs) -> anyhow::Result<Target> {
    let token = env_var("GITLAB_TOKEN").context(
        "GITLAB_TOKEN is not set: give a project access token with the api scope as a masked CI/CD variable",
    )?;
    let repo = match &args.repo {
        Some(repo) => repo.clone(),
        None => env_var("CI_PROJECT_ID")
            .context("CI_PROJECT_ID is not set: give --repo PROJECT (its id or group/name path)")?,
    };
    if repo.is_empty() || repo.starts_with('/') || repo.ends_with('/') || repo.contains("//") {
        bail!("project {repo:?}: expected its numeric id or its group/name path");
    }
    let pr = match args.pr {
        Some(pr) => pr,
        None => {
            let iid = env_var("CI_MERGE_REQUEST_IID").context(
                "no merge request: give --pr N, or run in a merge request pipeline (CI_MERGE_REQUEST_IID is not set)",
            )?;
            iid.parse()
                .with_context(|| format!("CI_MERGE_REQUEST_IID {iid:?}: expected a number"))?
        }
    };
    let api = env_var("CI_API_V4_URL").unwrap_or_else(|| "https://gitlab.com/api/v4".to_string());
    Ok(Target {
        forge: Forge::GitLab,
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

/// The comment's body: the marker, then the report, cut to the service's limit with a note.
fn body_within(report: &str, max_chars: usize) -> String {
    let mut body = format!("{MARKER}\n{report}");
    if body.chars().count() > max_chars {
        let note =
            "\n\n… (cut: the report is longer than a comment may be; see the job's summary)\n";
        let keep = max_chars - note.chars().count();
        body = body.chars().take(keep).collect();
        body.push_str(note);
    }
    body
}

pub fn execute(args: &CommentArgs) -> anyhow::Result<Outcome> {
    let (target, report_path) = target(args)?;
    let report = std::fs::read_to_string(report_path)
        .with_context(|| format!("cannot read {}", report_path.display()))?;
    let payload =
        serde_json::json!({ "body": body_within(&report, target.forge.max_body_chars()) })
            .to_string();
    let what = target.forge.request_name();
    match find_comment(&target)? {
        Some(id) => {
            let (url, method) = target.comment_url(id);
            request(&target, method, &url, Some(&payload))?;
            eprint_line(&format!("updated comment {id} on {what} #{}", target.pr));
        }
        None => {
            let created = request(&target, "POST", &target.comments_url(), Some(&payload))?;
            let id = created
                .get("id")
                .and_then(Value::as_u64)
                .unwrap_or_default();
            eprint_line(&format!("posted comment {id} on {what} #{}", target.pr));
        }
    }
    Ok(Outcome::Passed)
}

/// The id of the request's comment that carries the marker, if any.
fn find_comment(target: &Target) -> anyhow::Result<Option<u64>> {
    for page in 1..=MAX_PAGES {
        let url = format!("{}?per_page={PER_PAGE}&page={page}", target.comments_url());
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

/// One request to the API; its JSON answer. Anything but a 2xx answer is an error quoting
/// the API's message.
fn request(
    target: &Target,
    method: &str,
    url: &str,
    payload: Option<&str>,
) -> anyhow::Result<Value> {
    let mut headers = vec![target.authorization()];
    if target.forge == Forge::GitHub {
        headers.push("Accept: application/vnd.github+json".to_string());
        headers.push("X-GitHub-Api-Version: 2022-11-28".to_string());
    }
    if payload.is_some() {
        headers.push("Content-Type: application/json".to_string());
    }
    let answer = crate::curl::request(
        "benchgate comment",
        method,
        url,
        &headers,
        payload.map(str::as_bytes),
        60,
    )?;
    let json: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    if !(200..300).contains(&answer.status) {
        // GitHub says `message`; GitLab `message` (a string or an object) or `error`.
        let message = match json.get("message").or_else(|| json.get("error")) {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => answer.body.trim().chars().take(200).collect(),
        };
        bail!(
            "{method} {url}: the API answered {}: {message}",
            answer.status
        );
    }
    Ok(json)
}
