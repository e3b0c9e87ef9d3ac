//! `benchgate run --upload URL`: the run, once stored and reported, sent to a team server
//! (`benchgate serve`) as `POST URL/api/v1/runs` with the write token of `BENCHGATE_TOKEN`.
//!
//! `http://`: plain HTTP/1.1 over a socket, written out here (one request; no HTTP client crate
//! in the binary for it). `https://` (a server behind a TLS-terminating proxy): through `curl`,
//! as `benchgate comment` reaches GitHub, so no TLS stack is built in either.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, bail};
use benchgate_model::Run;

/// The environment variable holding the write token.
pub const TOKEN_VAR: &str = "BENCHGATE_TOKEN";

/// Bounds a connection or an answer that never comes; a server storing a run answers in far less.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where and how to upload: checked before anything is measured.
// No Debug: it holds the token, which no message may show.
pub struct Upload {
    /// Over TLS (`https://`), through curl.
    tls: bool,
    /// `host:port` to connect to, as the URL gives it.
    authority: String,
    /// The endpoint, `http://host:port[/prefix]/api/v1/runs`, for messages.
    endpoint: String,
    /// The request target, `[/prefix]/api/v1/runs`.
    path: String,
    token: String,
}

impl Upload {
    /// `url` is `http[s]://HOST[:PORT][/PREFIX]`; the token comes from [`TOKEN_VAR`].
    pub fn new(url: &str) -> anyhow::Result<Upload> {
        let (tls, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
            (Some(rest), _) => (false, rest),
            (None, Some(rest)) => (true, rest),
            (None, None) => bail!(
                "--upload {url:?}: expected the http:// or https:// URL of a benchgate server, \
                 e.g. http://bench.example:8080"
            ),
        };
        let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() || authority.contains(['@', '?', '#', ' ']) {
            bail!("--upload {url:?}: expected http://HOST[:PORT][/PREFIX]");
        }
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        {
            authority.to_string()
        } else if tls {
            format!("{authority}:443")
        } else {
            format!("{authority}:80")
        };
        let prefix = prefix.trim_end_matches('/');
        let path = if prefix.is_empty() {
            "/api/v1/runs".to_string()
        } else {
            format!("/{prefix}/api/v1/runs")
        };
        let token = std::env::var(TOKEN_VAR).unwrap_or_default();
        let token = token.trim();
        if token.is_empty() {
            bail!(
                "--upload needs a write token in {TOKEN_VAR} (`benchgate token create --scope \
                 write` on the server's store makes one)"
            );
        }
        if token.bytes().any(|b| b.is_ascii_control()) {
            bail!("{TOKEN_VAR} holds a control character: not a token");
        }
        let base = url.trim_end_matches('/');
        let base = base.strip_suffix(&format!("/{prefix}")).unwrap_or(base);
        Ok(Upload {
            tls,
            endpoint: format!("{base}{path}"),
            authority,
            path,
            token: token.to_string(),
        })
    }

    /// Sends `run`; an answer other than 201 is an error naming the endpoint, the status and
    /// what the server said.
    pub fn send(&self, run: &Run) -> anyhow::Result<()> {
        let context = || format!("cannot upload the run to {}", self.endpoint);
        let body = run.to_json_pretty();
        if self.tls {
            let answer = crate::curl::request(
                "--upload",
                "POST",
                &self.endpoint,
                &[
                    format!("Authorization: Bearer {}", self.token),
                    "Content-Type: application/json".to_string(),
                ],
                Some(body.as_bytes()),
                TIMEOUT.as_secs() as u32,
            )
            .with_context(context)?;
            return refused(&answer.status.to_string(), &answer.body, &context());
        }
        let address = self
            .authority
            .to_socket_addrs()
            .with_context(context)?
            .next()
            .with_context(|| format!("{}: no address for {}", context(), self.authority))?;
        let mut stream = TcpStream::connect_timeout(&address, TIMEOUT).with_context(context)?;
        stream
            .set_read_timeout(Some(TIMEOUT))
            .with_context(context)?;
        stream
            .set_write_timeout(Some(TIMEOUT))
            .with_context(context)?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: \
             application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.path,
            self.authority,
            self.token,
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body.as_bytes()))
            .with_context(context)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).with_context(context)?;
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status_line = head.lines().next().unwrap_or_default();
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
            .with_context(|| format!("{}: not an HTTP answer: {status_line:?}", context()))?;
        refused(status, body, &context())
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// Nothing for 201 (stored); otherwise an error with the status (`403 Forbidden`, or the
/// code alone through curl) and why: the server's JSON error, or another server's body as it
/// came (its start).
fn refused(status: &str, body: &str, context: &str) -> anyhow::Result<()> {
    if status.split(' ').next() == Some("201") {
        return Ok(());
    }
    let said = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    bail!("{context}: {status}: {said}")
}

/// Sends `run` when an upload was asked for, saying where it went (unless quiet).
pub fn send(
    upload: Option<&Upload>,
    run: &Run,
    global: &crate::cli::GlobalArgs,
) -> anyhow::Result<()> {
    let Some(upload) = upload else {
        return Ok(());
    };
    upload.send(run)?;
    if !global.quiet {
        crate::output::eprint_line(&format!("uploaded run {} to {}", run.id, upload.endpoint()));
    }
    Ok(())
}
