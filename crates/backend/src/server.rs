//! The HTTP server: tokio + hyper 1, HTTP/1.1 with keep-alive, any path is a call decided by
//! the [`FaultModel`]; `GET /_stats` and `POST /_reset` are the control endpoints (never counted).
//!
//! A call waits its sampled latency, then answers `200 ok` (headers `x-call-index` and
//! `x-key-call-index`, both 0-based), or fails as its decision says: a 5xx, 503 unless the plan
//! names another (header `x-injected-failure: 5xx`), a TCP reset without a response, or a hang
//! (the connection is closed without a response when `hang_for` has passed, or at shutdown). Every response, the
//! control endpoints' included, carries `x-benchgate-mode: simulated` ([`crate::MODE_HEADER`]):
//! a load run that sees it knows it measured a simulator (SPEC §4.5, `mode = simulated`).
//!
//! What a client sends is bounded: a request head at most 64 KiB (hyper answers 431 beyond), a
//! call's key at most [`MAX_KEY_BYTES`] (400 beyond), a body at most [`MAX_BODY_BYTES`] (413,
//! and the connection is closed), a body that fails to read (a malformed chunk, an upload cut
//! off) gets 400 and the connection closed; refused requests are not calls. At most
//! [`crate::MAX_KEYS`] keys are counted one by one (see [`crate::fault`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::fault::{FailureKind, FaultConfigError, FaultModel, FaultPlan, KeySource};
use crate::latency::LatencyDist;

pub use crate::fault::MAX_KEY_BYTES;
/// The longest request body read, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The most a connection buffers of a request head.
const MAX_HEAD_BYTES: usize = 64 << 10;

/// How to run a mock backend.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// Where to listen; port 0 picks a free one (see [`MockBackend::local_addr`]).
    pub listen: SocketAddr,
    pub seed: u64,
    pub latency: LatencyDist,
    pub plan: FaultPlan,
    pub key_source: KeySource,
}

impl Default for BackendConfig {
    /// 127.0.0.1:0, seed 0, no latency, no failures, key from `X-Key` or the last path segment.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 0,
            latency: LatencyDist::Fixed(Duration::ZERO),
            plan: FaultPlan::default(),
            key_source: KeySource::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Config(#[from] FaultConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// What the backend saw since it started or since the last reset (`GET /_stats` serves it
/// as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendStats {
    /// Calls (control endpoints excluded).
    pub calls: u64,
    /// Injected failures by kind: always the keys `5xx`, `reset` and `hang`.
    pub failures: BTreeMap<String, u64>,
    /// Calls in flight now.
    pub in_flight: u64,
    /// The most calls in flight at once.
    pub max_concurrency: u64,
    /// Calls per key, for the first [`crate::MAX_KEYS`] keys.
    pub per_key: BTreeMap<String, u64>,
    /// Calls of the keys past those (absent from the JSON while 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub other_keys: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

const KINDS: [FailureKind; 3] = [
    FailureKind::Status5xx,
    FailureKind::Reset,
    FailureKind::Hang,
];

struct Shared {
    model: FaultModel,
    key_source: KeySource,
    failures: [AtomicU64; 3],
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

impl Shared {
    fn stats(&self) -> BackendStats {
        BackendStats {
            calls: self.model.calls(),
            failures: KINDS
                .iter()
                .zip(&self.failures)
                .map(|(kind, n)| (kind.name().to_owned(), n.load(Ordering::Relaxed)))
                .collect(),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            max_concurrency: self.max_in_flight.load(Ordering::Relaxed),
            per_key: self.model.calls_per_key(),
            other_keys: self.model.other_keys_calls(),
        }
    }

    fn reset(&self) {
        self.model.reset();
        for n in &self.failures {
            n.store(0, Ordering::Relaxed);
        }
        // Calls still in flight stay counted in the maximum, so it never reads below them.
        self.max_in_flight
            .store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// Counts a call in flight for as long as it lives (a reset or a dropped connection included).
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::Relaxed);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A running mock backend. Dropping it without [`MockBackend::shutdown`] stops it abruptly.
pub struct MockBackend {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl MockBackend {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: BackendConfig) -> Result<Self, BackendError> {
        let model = FaultModel::new(config.seed, config.latency, config.plan)?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| BackendError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| BackendError::Bind {
            addr: config.listen,
            source,
        })?;
        let shared = Arc::new(Shared {
            model,
            key_source: config.key_source,
            failures: Default::default(),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared), shutdown_rx));
        Ok(Self {
            addr,
            shared,
            shutdown,
            server,
        })
    }

    /// The bound address (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stats(&self) -> BackendStats {
        self.shared.stats()
    }

    /// What `POST /_reset` does: zero the counters and restart the schedules and the seeded
    /// sequence at call 0.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting, ends every hang, lets calls already waiting out their latency answer,
    /// closes idle keep-alive connections, and waits at most `grace` for all of it before
    /// dropping what is left. Returns the final stats, the calls answered during the grace
    /// period included.
    pub async fn shutdown(mut self, grace: Duration) -> BackendStats {
        let _ = self.shutdown.send(true);
        if tokio::time::timeout(grace, &mut self.server).await.is_err() {
            // Dropping the accept loop's JoinSet aborts every connection task.
            self.server.abort();
            let _ = (&mut self.server).await;
        }
        self.shared.stats()
    }
}

impl Drop for MockBackend {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn shutdown_signalled(rx: &mut watch::Receiver<bool>) {
    // A dropped sender means the backend is gone: that is a shutdown too.
    let _ = rx.wait_for(|stop| *stop).await;
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown_signalled(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared), shutdown.clone()));
                }
                // Out of descriptors or an aborted handshake: wait a little and go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// The service's error: hyper closes the connection without writing a response.
#[derive(Debug, thiserror::Error)]
#[error("injected {0} failure: connection closed without a response")]
struct ClosedWithoutResponse(FailureKind);

async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket, so an injected reset can set SO_LINGER to 0 (close sends
    // RST) while hyper owns the stream.
    let Ok(std_stream) = stream.into_std() else {
        return;
    };
    let Ok(socket) = std_stream.try_clone() else {
        return;
    };
    let Ok(stream) = TcpStream::from_std(std_stream) else {
        return;
    };
    let socket = Arc::new(socket);
    let service = {
        let shutdown = shutdown.clone();
        service_fn(move |request| {
            let response = handle(
                request,
                Arc::clone(&shared),
                Arc::clone(&socket),
                shutdown.clone(),
            );
            async move {
                let mut response = response.await?;
                response.headers_mut().insert(
                    crate::MODE_HEADER,
                    HeaderValue::from_static(crate::MODE_SIMULATED),
                );
                Ok::<_, ClosedWithoutResponse>(response)
            }
        })
    };
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .max_buf_size(MAX_HEAD_BYTES)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        () = shutdown_signalled(&mut shutdown) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn json(stats: &BackendStats) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(stats).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    socket: Arc<std::net::TcpStream>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<Response<Full<Bytes>>, ClosedWithoutResponse> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/_stats") => return Ok(json(&shared.stats())),
        (&Method::POST, "/_reset") => {
            shared.reset();
            return Ok(json(&shared.stats()));
        }
        (_, "/_stats" | "/_reset") => {
            return Ok(text(
                StatusCode::METHOD_NOT_ALLOWED,
                "GET /_stats, POST /_reset\n",
            ));
        }
        _ => {}
    }
    let (parts, body) = request.into_parts();
    let key = shared
        .key_source
        .key(parts.uri.path(), |name| {
            parts.headers.get(name).and_then(|v| v.to_str().ok())
        })
        .to_owned();
    if key.len() > MAX_KEY_BYTES {
        return Ok(text(
            StatusCode::BAD_REQUEST,
            format!(
                "the call's key is {} bytes long: at most {MAX_KEY_BYTES} are allowed\n",
                key.len()
            ),
        ));
    }
    // Read the body to its end (so the connection stays usable for the next request), but no
    // further than the limit.
    if let Err(response) = read_body(&parts.headers, body).await {
        return Ok(response);
    }
    let _in_flight = InFlight::enter(&shared);
    let decision = shared.model.decide(&key);

    if let Some(failure) = decision.failure
        && let Some(i) = KINDS.iter().position(|k| *k == failure.kind)
    {
        shared.failures[i].fetch_add(1, Ordering::Relaxed);
    }
    match decision.failure.map(|f| (f.kind, f.status)) {
        Some((FailureKind::Hang, _)) => {
            let until_deadline = async {
                match shared.model.plan().hang_for {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = until_deadline => {}
                () = shutdown_signalled(&mut shutdown) => {}
            }
            Err(ClosedWithoutResponse(FailureKind::Hang))
        }
        Some((FailureKind::Reset, _)) => {
            wait(decision.latency).await;
            let _ = socket2::SockRef::from(&*socket).set_linger(Some(Duration::ZERO));
            Err(ClosedWithoutResponse(FailureKind::Reset))
        }
        Some((FailureKind::Status5xx, status)) => {
            wait(decision.latency).await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = text(status, "injected failure\n");
            response
                .headers_mut()
                .insert("x-injected-failure", HeaderValue::from_static("5xx"));
            add_indices(&mut response, decision.call_index, decision.key_call_index);
            Ok(response)
        }
        None => {
            wait(decision.latency).await;
            let mut response = text(StatusCode::OK, "ok\n");
            add_indices(&mut response, decision.call_index, decision.key_call_index);
            Ok(response)
        }
    }
}

/// Waits a call's latency. No latency (`fixed(0ms)`, the throughput benchmark's backend)
/// answers at once, without a trip through the timer.
async fn wait(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// A refusal that closes the connection (`connection: close`): the rest of the request is
/// never read.
fn closing(status: StatusCode, message: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = text(status, message);
    response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Reads and drops a request body of at most [`MAX_BODY_BYTES`]; beyond that, the 413 response
/// to send, and for a body that fails to read, a 400 (both close the connection).
async fn read_body(
    headers: &hyper::HeaderMap,
    mut body: Incoming,
) -> Result<(), Response<Full<Bytes>>> {
    let too_large = || {
        closing(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is longer than {MAX_BODY_BYTES} bytes\n"),
        )
    };
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut read = 0;
    while let Some(frame) = body.frame().await {
        // A body that fails (a malformed chunk, an upload cut off before its length) never
        // arrived whole: not a call. Answer 400 and close, as the connection's framing is lost.
        let Ok(frame) = frame else {
            return Err(closing(
                StatusCode::BAD_REQUEST,
                "the request body could not be read to its end\n",
            ));
        };
        read += frame.data_ref().map_or(0, Bytes::len);
        if read > MAX_BODY_BYTES {
            return Err(too_large());
        }
    }
    Ok(())
}

fn add_indices(response: &mut Response<Full<Bytes>>, call_index: u64, key_call_index: u64) {
    let headers = response.headers_mut();
    headers.insert("x-call-index", HeaderValue::from(call_index));
    headers.insert("x-key-call-index", HeaderValue::from(key_call_index));
}
