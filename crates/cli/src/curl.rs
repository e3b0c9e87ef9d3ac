//! One HTTP request through `curl` (on every CI runner image and most machines): TLS for
//! `https://` without a TLS stack in this binary. The request — URL, method, headers (tokens
//! among them) — reaches curl on its standard input (`--config -`), never on its command line,
//! where other processes could read it; a body goes through a private temporary file.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// What a request answered: its status and its body as text.
pub struct Answer {
    pub status: u16,
    pub body: String,
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

/// Sends `method url` with `headers` (`Name: value`) and `body`, within `max_seconds`; any
/// status is an answer (the caller judges it), a failure to get one is an error naming
/// `method url` and what curl said. `tool` names the command for the message when curl is
/// missing.
pub fn request(
    tool: &str,
    method: &str,
    url: &str,
    headers: &[String],
    body: Option<&[u8]>,
    max_seconds: u32,
) -> anyhow::Result<Answer> {
    let what = || format!("{method} {url}");
    let body_file = match body {
        Some(body) => {
            let mut file =
                tempfile::NamedTempFile::new().context("cannot write a temporary file")?;
            file.write_all(body)
                .context("cannot write a temporary file")?;
            Some(file)
        }
        None => None,
    };
    let mut config = format!(
        "url = {}\nrequest = {}\nuser-agent = \"benchgate\"\n",
        config_quoted(url),
        config_quoted(method),
    );
    for header in headers {
        config.push_str(&format!("header = {}\n", config_quoted(header)));
    }
    if let Some(file) = &body_file {
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
            &max_seconds.to_string(),
            "--config",
            "-",
            "--write-out",
            "\n%{http_code}",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run curl, which {tool} uses for {url}"))?;
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
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", text.as_ref()));
    let status: u16 = status
        .trim()
        .parse()
        .with_context(|| format!("{}: no HTTP status from curl", what()))?;
    Ok(Answer {
        status,
        body: body.to_string(),
    })
}
