//! `benchgate mock-backend`: benchgate-backend's fault-injecting HTTP server (SPEC §4.5) as a
//! process that scripts and load tests start, read the address of, and stop.
//!
//! Standard output carries exactly two lines, both for scripts: `listening on http://ADDR` once
//! the socket is bound (flushed at once), and the final `/_stats` JSON when it stops. What it
//! serves is said once on standard error (unless --quiet).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use benchgate_backend::{
    BackendConfig, BackendStats, FailureKind, FaultPlan, KeySource, LatencyDist, MockBackend,
    parse_fail_rate,
};
use benchgate_model::Outcome;
use clap::Args;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::GlobalArgs;
use crate::output::{eprint_line, print};
use crate::quantity::{Duration, positive_duration};

/// How long calls in flight may take to finish once asked to stop; then they are dropped.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Args)]
pub struct MockBackendArgs {
    /// Where to listen, IP:PORT; port 0 picks a free port (read it from the first line).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// How long each call takes: a distribution (see below), e.g. "lognormal(median=10ms,
    /// sigma=0.5)".
    #[arg(long, value_name = "DIST", default_value = "fixed(0ms)", value_parser = parse_latency)]
    pub latency: LatencyDist,
    /// The probability (0 to 1) that a call not already failed by a schedule fails.
    #[arg(long, value_name = "RATE", default_value_t = 0.0, value_parser = parse_fail_rate)]
    pub fail_rate: f64,
    /// How a failure looks: 5xx (a response with --status), reset (a TCP reset without a
    /// response) or hang (no response; the connection is closed after --hang-for, or when the
    /// backend stops).
    #[arg(long, value_name = "KIND", default_value = "5xx", value_parser = parse_fail_kind)]
    pub fail_kind: FailureKind,
    /// The status of a 5xx failure [default: 503].
    #[arg(long, value_name = "STATUS", value_parser = clap::value_parser!(u16).range(500..=599))]
    pub status: Option<u16>,
    /// How long a hang lasts before the connection is closed (with --fail-kind hang) [default:
    /// until the backend stops].
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub hang_for: Option<Duration>,
    /// The first K calls of every key fail (exactly K, however many arrive at once).
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub fail_first_per_key: u64,
    /// Every call of this key fails (repeatable).
    #[arg(long, value_name = "KEY")]
    pub fail_key: Vec<String>,
    /// The request header that holds a call's key; without it the key is the last path segment
    /// (/vm/42/delete → delete).
    #[arg(long, value_name = "NAME", default_value = "x-key", value_parser = parse_header_name)]
    pub key_header: String,
    /// The seed of every random draw: the same seed and plan fail the same calls.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Write the process id to PATH once listening; removed when the backend stops.
    #[arg(long, value_name = "PATH")]
    pub pid_file: Option<PathBuf>,
    /// Stop by itself after this long, as SIGTERM would [default: run until SIGINT/SIGTERM].
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub exit_after: Option<Duration>,
}

pub(crate) fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| "expected IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080".to_owned())
}

fn parse_latency(text: &str) -> Result<LatencyDist, String> {
    // The parser's message quotes the text and gives the column; clap quotes the text too.
    LatencyDist::parse(text).map_err(|e| {
        format!(
            "at column {}: expected {}, found {}",
            e.column, e.expected, e.found
        )
    })
}

fn parse_fail_kind(text: &str) -> Result<FailureKind, String> {
    text.parse()
        .map_err(|_| "expected 5xx, reset or hang".to_owned())
}

/// An HTTP header name (RFC 9110 token), lower-cased.
fn parse_header_name(text: &str) -> Result<String, String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if text.is_empty() || !text.chars().all(token) {
        return Err("expected a header name such as x-key (letters, digits, -, _)".to_owned());
    }
    Ok(text.to_ascii_lowercase())
}

impl MockBackendArgs {
    fn config(&self) -> BackendConfig {
        BackendConfig {
            listen: self.listen,
            seed: self.seed,
            latency: self.latency.clone(),
            plan: FaultPlan {
                fail_rate: self.fail_rate,
                kind: self.fail_kind,
                // None: the backend's default, 503 (the one documented for --status).
                status: self.status,
                hang_for: self.hang_for.map(Duration::to_std),
                fail_first_per_key: self.fail_first_per_key,
                always_fail_keys: self.fail_key.iter().cloned().collect::<BTreeSet<_>>(),
            },
            key_source: KeySource::HeaderOrLastPathSegment(self.key_header.clone()),
        }
    }

    /// One line on what is served, for a person watching standard error.
    fn describe(&self, addr: SocketAddr, plan: &FaultPlan) -> String {
        let kind = match self.fail_kind {
            FailureKind::Status5xx => format!("{}", plan.failure_status()),
            FailureKind::Reset => "reset".to_owned(),
            FailureKind::Hang => match self.hang_for {
                Some(d) => format!("hang for {:?}", d.to_std()),
                None => "hang".to_owned(),
            },
        };
        let mut failing = vec![format!("rate {}", self.fail_rate)];
        if self.fail_first_per_key > 0 {
            failing.push(format!(
                "the first {} calls of each key ({} header or last path segment)",
                self.fail_first_per_key, self.key_header
            ));
        }
        if !self.fail_key.is_empty() {
            failing.push(format!("every call of {}", self.fail_key.join(", ")));
        }
        format!(
            "mock-backend on http://{addr}: latency {}; failures {} as {kind}; seed {}; \
             GET /_stats, POST /_reset; SIGINT or SIGTERM stops it",
            self.latency,
            failing.join(", "),
            self.seed
        )
    }
}

pub fn execute(args: &MockBackendArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let config = args.config();
    // Flags that would have no effect with the failure kind chosen, or a --fail-key no call can
    // have, are mistakes, not no-ops: refused before anything is bound.
    config.plan.validate()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("mock-backend")
        .build()
        .context("cannot start the server's runtime")?;
    // `block_on` polls on this thread, where the command's console is.
    runtime.block_on(serve(args, config, global))?;
    Ok(Outcome::Passed)
}

async fn serve(
    args: &MockBackendArgs,
    config: BackendConfig,
    global: &GlobalArgs,
) -> anyhow::Result<BackendStats> {
    let plan = config.plan.clone();
    let backend = MockBackend::start(config).await?;
    let addr = backend.local_addr();
    // Before the first line: a script may signal as soon as it reads it.
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let pid_file = match &args.pid_file {
        Some(path) => Some(PidFile::write(path)?),
        None => None,
    };
    if !global.quiet {
        eprint_line(&args.describe(addr, &plan));
    }
    print(&format!("listening on http://{addr}\n"))?;
    let exit_after = async {
        match args.exit_after {
            Some(d) => tokio::time::sleep(d.to_std()).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
        () = exit_after => {}
    }
    let stats = backend.shutdown(SHUTDOWN_GRACE).await;
    drop(pid_file);
    print(&format!("{}\n", serde_json::to_string(&stats)?))?;
    Ok(stats)
}

/// The pid file: written whole (a reader never sees it half-written), removed on drop.
struct PidFile(PathBuf);

impl PidFile {
    fn write(path: &Path) -> anyhow::Result<PidFile> {
        let cannot = || format!("cannot write the pid file {}", path.display());
        let name = path.file_name().with_context(cannot)?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".{}.tmp", std::process::id()));
        let temporary = path.with_file_name(temporary_name);
        let written = std::fs::write(&temporary, format!("{}\n", std::process::id()))
            .and_then(|()| std::fs::rename(&temporary, path));
        if let Err(error) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(error).with_context(cannot);
        }
        Ok(PidFile(path.to_owned()))
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
