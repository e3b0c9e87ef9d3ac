//! HTTP benches (`http = { url = ... }` in benchgate.toml, and `benchgate load URL…`): requests
//! sent as load by benchgate-load's HTTP engine, closed or open model, one benchmark per level
//! exactly like a command run as load (`load.rs` names, converts and adds memory), so budgets,
//! baselines and reports apply unchanged. Before the first level one request checks that the
//! server answers (a refused connection or a wrong port is one clear failure, not a level full
//! of errors) and whether it is benchgate's mock backend: runs against a simulator are
//! `mode = simulated` (SPEC §4.5).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use benchgate_config::{HttpSettings, MAX_HTTP_BODY_BYTES};
use benchgate_load::http::{
    DEFAULT_TIMEOUT, HttpClosedLoad, HttpOpenLoad, HttpRuntime, HttpTarget, ListDefaults,
    run_http_closed, run_http_open,
};
use benchgate_measure::Invocation;
use benchgate_model::{Benchmark, Mode};

use crate::PipelineError;
use crate::input_limit::read_file_within;
use crate::load::{Level, LoadEntry, Subject, run_aux, stop_of, with_memory};
use crate::measure::Progress;

/// The largest URL list file read: 16 MiB (the list itself holds at most 100 000 URLs).
pub const MAX_URL_LIST_BYTES: u64 = 16 << 20;

/// An HTTP bench ready to run: its requests checked and built, its load and what runs around it.
#[derive(Debug, Clone)]
pub struct HttpEntry {
    pub name: String,
    /// `GET http://host/path` (as written, `${VAR}` kept), as reports show it.
    pub display: String,
    /// The requests, sent round-robin; never empty.
    pub targets: Vec<HttpTarget>,
    pub load: LoadEntry,
    /// Per request (connect, send, whole response); `None`: the engine's default.
    pub timeout: Option<Duration>,
    /// Once before the first level (e.g. starting the server) and once after the last.
    pub setup: Option<Invocation>,
    pub cleanup: Option<Invocation>,
    /// The client's threads; `None`: one drives every connection.
    pub threads: Option<std::num::NonZeroUsize>,
    /// `mode` as configured; a probe that finds benchgate's mock backend makes it simulated.
    pub mode: Mode,
}

/// What measuring an HTTP bench gave: a benchmark per level, and whether the server said it is a
/// simulator.
#[derive(Debug)]
pub struct HttpMeasured {
    pub benchmarks: Vec<Benchmark>,
    pub simulated: bool,
}

/// The requests `settings` describe: its URL with its method, headers and body, or every line of
/// its URL list (with the same headers and body). Refused here, before anything runs: a bad URL,
/// method or header, an unreadable or oversized body or list.
pub fn http_targets(settings: &HttpSettings) -> Result<Vec<HttpTarget>, PipelineError> {
    let body = match (&settings.body, &settings.body_file) {
        (Some(text), _) => Some(text.clone().into_bytes()),
        (None, Some(path)) => Some(read_limited(path, "http.body_file", MAX_HTTP_BODY_BYTES)?),
        (None, None) => None,
    };
    match (settings.urls.as_slice(), &settings.urls_file) {
        ([], Some(path)) => {
            let bytes = read_limited(path, "http.urls_file", MAX_URL_LIST_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|_| PipelineError::UrlList {
                path: path.clone(),
                message: "is not UTF-8 text".to_string(),
            })?;
            let defaults = ListDefaults {
                method: settings.method.clone(),
                headers: settings.headers.clone(),
                body: body.unwrap_or_default().into(),
            };
            let mut bodies = ListBodies::beside(path);
            let targets =
                HttpTarget::parse_list_with_bodies(&text, &defaults, &mut |name| bodies.read(name))
                    .map_err(|e| PipelineError::UrlList {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
            Ok(targets
                .into_iter()
                .map(|target| target.with_http2(settings.http2))
                .collect())
        }
        ([], None) => Err(PipelineError::NoUrl),
        (urls, _) => urls
            .iter()
            .map(|url| {
                let mut target = HttpTarget::new(&settings.method, url)?.with_http2(settings.http2);
                for (name, value) in &settings.headers {
                    target = target.header(name, value)?;
                }
                if let Some(body) = &body {
                    target = target.body(body.clone());
                }
                Ok(target)
            })
            .collect(),
    }
}

/// The most bytes of `@FILE` bodies one URL list may load (each file at most
/// [`MAX_HTTP_BODY_BYTES`]; a file named on many lines is read and counted once).
pub const MAX_URL_LIST_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// The `@FILE` bodies of a URL list: names relative to the list's directory, each file read
/// once, within the limits.
struct ListBodies {
    dir: std::path::PathBuf,
    read: std::collections::HashMap<String, bytes::Bytes>,
    total: u64,
}

impl ListBodies {
    fn beside(list: &Path) -> Self {
        Self {
            dir: list.parent().map(Path::to_path_buf).unwrap_or_default(),
            read: std::collections::HashMap::new(),
            total: 0,
        }
    }

    fn read(&mut self, name: &str) -> Result<bytes::Bytes, String> {
        if let Some(body) = self.read.get(name) {
            return Ok(body.clone());
        }
        let path = self.dir.join(name);
        let body = read_file_within(
            &path,
            &format!("body file {}", path.display()),
            MAX_HTTP_BODY_BYTES,
        )
        .map_err(|e| e.to_string())?;
        self.total += body.len() as u64;
        if self.total > MAX_URL_LIST_BODY_BYTES {
            return Err(format!(
                "the list's body files hold more than {} MiB in all (at {})",
                MAX_URL_LIST_BODY_BYTES / (1024 * 1024),
                path.display()
            ));
        }
        let body = bytes::Bytes::from(body);
        self.read.insert(name.to_string(), body.clone());
        Ok(body)
    }
}

fn read_limited(path: &Path, label: &str, limit: u64) -> Result<Vec<u8>, PipelineError> {
    read_file_within(path, &format!("{label} {}", path.display()), limit)
        .map_err(|e| PipelineError::Input(e.into()))
}

/// Runs the HTTP bench `entry`: `setup`, a probe of the first URL, every level, `cleanup` (also
/// when a level failed). A probe that fails fails every level with its message.
pub fn measure_http(
    entry: &HttpEntry,
    progress: &mut dyn Progress,
) -> Result<HttpMeasured, PipelineError> {
    let params = BTreeMap::new();
    let subject = Subject {
        name: &entry.name,
        display: &entry.display,
        params: &params,
        definitions: Vec::new(),
        operations: "requests",
    };
    if let Some(setup) = &entry.setup
        && let Err(message) = run_aux(setup, None)
    {
        return Ok(HttpMeasured {
            benchmarks: subject.all_failed(&entry.load, &format!("setup: {message}")),
            simulated: false,
        });
    }
    let measured = measure_levels(entry, &subject, progress);
    progress.finish();
    if let Some(cleanup) = &entry.cleanup
        && let Err(message) = run_aux(cleanup, None)
    {
        progress.note(&format!("cleanup of {} failed: {message}", entry.name));
    }
    Ok(measured)
}

fn measure_levels(
    entry: &HttpEntry,
    subject: &Subject<'_>,
    progress: &mut dyn Progress,
) -> HttpMeasured {
    let timeout = entry.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let Some(first) = entry.targets.first() else {
        return HttpMeasured {
            benchmarks: subject.all_failed(&entry.load, "no URL to send requests to"),
            simulated: false,
        };
    };
    let probe = match probe_targets(&entry.targets, timeout.min(PROBE_TIMEOUT)) {
        Ok(probe) => probe,
        Err((message, simulated)) => {
            return HttpMeasured {
                benchmarks: subject.all_failed(&entry.load, &message),
                simulated,
            };
        }
    };
    let settings = &entry.load.settings;
    let stop = stop_of(settings);
    let window = settings.effective_window();
    let live = progress.live();
    let runtime = entry
        .threads
        .map_or(HttpRuntime::CurrentThread, HttpRuntime::Workers);
    let mut benchmarks = subject.levels(&entry.load, progress, |level| match level {
        Level::Closed(connections) => {
            let mut load = HttpClosedLoad::new(first.clone(), connections, stop)
                .with_timeout(timeout)
                .with_window(window)
                .with_targets(entry.targets.clone())
                .with_runtime(runtime);
            if let Some(live) = &live {
                load = load.with_progress(LIVE_EVERY, live_line(live.clone()));
            }
            with_memory(&entry.load, || run_http_closed(&load))
        }
        Level::Open(open) => {
            let mut load = HttpOpenLoad::new(first.clone(), open.rate, open.max_in_flight, stop)
                .with_arrivals(open.arrivals)
                .with_timeout(timeout)
                .with_window(window)
                .with_targets(entry.targets.clone())
                .with_runtime(runtime);
            if let Some(ramp) = open.ramp {
                load = load.with_ramp(ramp);
            }
            if let Some(burst) = open.burst {
                load = load.with_burst(burst);
            }
            if let Some(live) = &live {
                load = load.with_progress(LIVE_EVERY, live_line(live.clone()));
            }
            with_memory(&entry.load, || run_http_open(&load))
        }
    });
    for bench in &mut benchmarks {
        bench
            .labels
            .insert("http_version".to_string(), probe.version.to_string());
        if probe.simulated {
            bench.mode = Some(Mode::Simulated);
            bench
                .labels
                .insert("simulated".to_string(), SIMULATED_LABEL.to_string());
        }
    }
    HttpMeasured {
        benchmarks,
        simulated: probe.simulated,
    }
}

/// The most servers (distinct `host:port`) of a URL list probed before the load.
pub const MAX_PROBED_SERVERS: usize = 16;

/// One request to the first URL of each server the targets name (at most
/// [`MAX_PROBED_SERVERS`]): the first probe's answer, or why the load cannot run (with whether
/// that server said it is a simulator). A 4xx to the request itself is its fault (a wrong path,
/// method or header): every request would get it, so the load is not worth running. A probe of a
/// POST or other unsafe method asks OPTIONS instead (never sending the load's request once more),
/// and any answer to that only shows the server is there. A 5xx is measured as errors.
fn probe_targets(
    targets: &[HttpTarget],
    timeout: Duration,
) -> Result<benchgate_load::http::Probe, (String, bool)> {
    let mut servers: Vec<&str> = Vec::new();
    let mut first = None;
    for target in targets {
        let server = authority(target.url());
        if servers.contains(&server) {
            continue;
        }
        if servers.len() == MAX_PROBED_SERVERS {
            break;
        }
        servers.push(server);
        let probe = benchgate_load::http::probe(target, timeout)
            .map_err(|error| (error.to_string(), false))?;
        if probe.sent_the_request && (400..500).contains(&probe.status) {
            return Err((
                format!(
                    "{} {} answered {} to the probe before the load: check the URL, method and headers",
                    target.method(),
                    target.url(),
                    probe.status
                ),
                probe.simulated,
            ));
        }
        first.get_or_insert(probe);
    }
    first.ok_or_else(|| ("no URL to send requests to".to_string(), false))
}

/// `host:port` of `http://host:port/path`.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Why a benchmark measured against benchgate's mock backend is simulated.
pub const SIMULATED_LABEL: &str =
    "the server is benchgate mock-backend (x-benchgate-mode: simulated)";

/// How long the probe before the load waits for an answer at most.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the live line is redrawn.
const LIVE_EVERY: Duration = Duration::from_millis(250);

/// The live line: requests, rate, errors and p99 so far.
fn live_line(
    show: crate::measure::LiveLine,
) -> std::sync::Arc<dyn Fn(&benchgate_load::LiveStatus) + Send + Sync> {
    std::sync::Arc::new(move |status| show(&live_text(status)))
}

/// `1.5s: 12 034 requests, 8 022/s, 3 errors, p99 4.12ms`.
pub fn live_text(status: &benchgate_load::LiveStatus) -> String {
    let p99 = status
        .p99
        .map_or_else(|| "p99 –".to_string(), |p99| format!("p99 {p99:.2?}"));
    format!(
        "{:.1}s: {} requests, {:.0}/s, {} errors, {p99}",
        status.elapsed.as_secs_f64(),
        status.requests,
        status.rate_per_s,
        status.errors
    )
}

/// A bench's `setup`/`cleanup` line as an invocation (with the bench's shell, if any).
pub fn aux_invocation(
    line: Option<&str>,
    shell: Option<&str>,
    what: &str,
) -> Result<Option<Invocation>, PipelineError> {
    line.map(|line| Invocation::of_line(line, shell, what))
        .transpose()
        .map_err(PipelineError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_line_says_requests_rate_errors_and_p99_so_far() {
        let mut status = benchgate_load::LiveStatus {
            elapsed: Duration::from_millis(1500),
            requests: 12_034,
            errors: 3,
            rate_per_s: 8022.4,
            p99: Some(Duration::from_micros(4120)),
            in_flight: 10,
        };
        assert_eq!(
            live_text(&status),
            "1.5s: 12034 requests, 8022/s, 3 errors, p99 4.12ms"
        );
        status.p99 = None;
        assert!(live_text(&status).ends_with("p99 –"));
    }

    #[test]
    fn a_server_is_its_host_and_port() {
        assert_eq!(authority("http://127.0.0.1:8080/a/b?c"), "127.0.0.1:8080");
        assert_eq!(authority("http://h?x=1"), "h");
        assert_eq!(authority("http://[::1]:81/"), "[::1]:81");
    }

    #[test]
    fn headers_and_the_body_go_with_every_url() {
        let settings = HttpSettings {
            urls: vec!["http://a/".to_string(), "http://b:81/x".to_string()],
            method: "PUT".to_string(),
            headers: vec![("x-k".to_string(), "v".to_string())],
            body: Some("{}".to_string()),
            ..HttpSettings::default()
        };
        let targets = http_targets(&settings).unwrap();
        assert_eq!(targets.len(), 2);
        for target in &targets {
            assert_eq!(target.method().as_str(), "PUT");
            assert_eq!(target.headers()["x-k"], "v");
            assert_eq!(target.body_bytes().as_ref(), b"{}");
        }
        assert_eq!(targets[1].url(), "http://b:81/x");
        let none = HttpSettings::default();
        assert!(matches!(http_targets(&none), Err(PipelineError::NoUrl)));
    }
}
