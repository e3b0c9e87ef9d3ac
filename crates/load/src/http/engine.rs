//! The HTTP runners: the async engine ([`crate::asynchronous`]) with one HTTP request as its
//! operation. Closed model: N keep-alive connections, each sending its next request when the
//! previous response's body has been read; open model: starts on [`Schedule`], latency from the
//! intended send time. Both give the same [`LevelResult`] as a command level.

use std::collections::HashMap;
use std::error::Error as _;
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use super::target::{HttpTarget, HttpTargetError};
use crate::asynchronous::{
    AsyncClosedLoad, AsyncLoadError, AsyncOpenLoad, AsyncRuntime, InFlight, Operation,
    OperationError, ProgressReport, check, check_open, run_closed_engine, run_open_engine,
};
use crate::closed::{LoadError, Stop};
use crate::error_kind::ErrorKind;
use crate::level::LevelResult;
use crate::open::{Arrivals, Burst, Schedule};

pub use crate::asynchronous::DEFAULT_TIMEOUT;

/// The tokio runtime the client runs on (the async engine's).
pub type HttpRuntime = AsyncRuntime;

/// Most keep-alive connections one slot keeps open (one per distinct address of a URL list);
/// past it, opening one more closes one of the kept ones.
pub const MAX_CONNECTIONS_PER_SLOT: usize = 16;

/// One level of closed-model HTTP load: the async engine's closed load (one slot per
/// connection) with the targets its operation sends to.
#[derive(Debug, Clone)]
pub struct HttpClosedLoad {
    /// Its `concurrency` is the number of connections, each with one request in flight at a
    /// time; its `timeout` covers connect + request + whole response.
    pub engine: AsyncClosedLoad,
    pub target: HttpTarget,
    /// When not empty, requests go round-robin over these (by request number) instead of
    /// `target`: see [`HttpClosedLoad::with_targets`].
    pub targets: Vec<HttpTarget>,
    /// HTTP/2 with prior knowledge (h2c) to every target: see [`HttpTarget::with_http2`].
    pub http2: bool,
}

impl HttpClosedLoad {
    /// [`DEFAULT_TIMEOUT`], one-second windows, current-thread runtime.
    pub fn new(target: HttpTarget, connections: NonZeroUsize, stop: Stop) -> Self {
        Self {
            engine: AsyncClosedLoad::new(connections, stop),
            target,
            targets: Vec::new(),
            http2: false,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.engine = self.engine.with_timeout(timeout);
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.engine = self.engine.with_window(window);
        self
    }

    pub fn with_runtime(mut self, runtime: HttpRuntime) -> Self {
        self.engine = self.engine.with_runtime(runtime);
        self
    }

    /// Calls `report` every `every` (at least 10 ms) while the level runs, on the load's
    /// runtime; the counters are atomics and the p99 so far is read once per tick.
    pub fn with_progress(mut self, every: Duration, report: ProgressReport) -> Self {
        self.engine = self.engine.with_progress(every, report);
        self
    }

    /// Speak HTTP/2 with prior knowledge (h2c) to every target, one connection per slot (a
    /// target's own [`HttpTarget::with_http2`] also turns it on for that target).
    pub fn with_http2(mut self, http2: bool) -> Self {
        self.http2 = http2;
        self
    }

    /// Requests go round-robin over `targets` by request number (request n to
    /// `targets[n % len]`), instead of to `target`; an empty list leaves the load as it was.
    /// Each slot keeps at most one connection per distinct address (and at most
    /// [`MAX_CONNECTIONS_PER_SLOT`]).
    pub fn with_targets(mut self, targets: Vec<HttpTarget>) -> Self {
        if let Some(first) = targets.first() {
            self.target = first.clone();
            self.targets = targets;
        }
        self
    }
}

/// One level of open-model HTTP load: the async engine's open load (one worker per connection,
/// and as many requests in the backlog) with the targets its operation sends to.
#[derive(Debug, Clone)]
pub struct HttpOpenLoad {
    /// Its `max_in_flight` is the number of connections (one request in flight each), and
    /// also the most requests the backlog holds.
    pub engine: AsyncOpenLoad,
    pub target: HttpTarget,
    /// When not empty, requests go round-robin over these instead of `target`.
    pub targets: Vec<HttpTarget>,
    /// HTTP/2 with prior knowledge (h2c) to every target: see [`HttpTarget::with_http2`].
    pub http2: bool,
}

impl HttpOpenLoad {
    /// Constant arrivals, no ramp or burst, [`DEFAULT_TIMEOUT`], one-second windows.
    pub fn new(target: HttpTarget, rate: f64, max_in_flight: NonZeroUsize, stop: Stop) -> Self {
        Self {
            engine: AsyncOpenLoad::new(rate, max_in_flight, stop),
            target,
            targets: Vec::new(),
            http2: false,
        }
    }

    pub fn with_arrivals(mut self, arrivals: Arrivals) -> Self {
        self.engine = self.engine.with_arrivals(arrivals);
        self
    }

    pub fn with_ramp(mut self, ramp: Duration) -> Self {
        self.engine = self.engine.with_ramp(ramp);
        self
    }

    pub fn with_burst(mut self, burst: Burst) -> Self {
        self.engine = self.engine.with_burst(burst);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.engine = self.engine.with_timeout(timeout);
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.engine = self.engine.with_window(window);
        self
    }

    pub fn with_runtime(mut self, runtime: HttpRuntime) -> Self {
        self.engine = self.engine.with_runtime(runtime);
        self
    }

    /// As [`HttpClosedLoad::with_progress`].
    pub fn with_progress(mut self, every: Duration, report: ProgressReport) -> Self {
        self.engine = self.engine.with_progress(every, report);
        self
    }

    /// As [`HttpClosedLoad::with_http2`].
    pub fn with_http2(mut self, http2: bool) -> Self {
        self.http2 = http2;
        self
    }

    /// As [`HttpClosedLoad::with_targets`]; request n is the n-th planned start.
    pub fn with_targets(mut self, targets: Vec<HttpTarget>) -> Self {
        if let Some(first) = targets.first() {
            self.target = first.clone();
            self.targets = targets;
        }
        self
    }

    pub fn schedule(&self) -> Schedule {
        self.engine.schedule()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpLoadError {
    #[error(transparent)]
    Target(#[from] HttpTargetError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot start the HTTP client runtime")]
    Runtime(#[source] io::Error),
}

impl From<AsyncLoadError> for HttpLoadError {
    fn from(error: AsyncLoadError) -> Self {
        match error {
            AsyncLoadError::Load(error) => HttpLoadError::Load(error),
            AsyncLoadError::Runtime(error) => HttpLoadError::Runtime(error),
        }
    }
}

/// Runs one closed-model level: `connections` keep-alive connections, each sending its next
/// request as soon as the previous response body is read, until the stop bound (a connection
/// that could not be opened backs off, 1 ms doubling to 100 ms, before the next attempt). Latency: from
/// the operation's start (including a reconnect when the server had closed the connection) to
/// the end of the response body.
pub fn run_http_closed(load: &HttpClosedLoad) -> Result<LevelResult, HttpLoadError> {
    // The load's settings are checked first, before any name is resolved.
    check(load.engine.window, load.engine.timeout)?;
    let operation = HttpOperation::new(&load.target, &load.targets, load.http2)?;
    Ok(run_closed_engine(&load.engine, Arc::new(operation))?)
}

/// Runs one open-model level: requests start on the load's schedule whatever earlier ones do,
/// on `max_in_flight` connections with a backlog of as many; an arrival finding the backlog full
/// is dropped (counted, never sent). Latency from the intended send time (coordinated omission
/// corrected, as wrk2), service time from the actual start (including a reconnect); counts as the
/// command engine's open model (see [`crate::open`]). Sends are timed to well under tokio's
/// 1 ms timer tick.
pub fn run_http_open(load: &HttpOpenLoad) -> Result<LevelResult, HttpLoadError> {
    // The load's settings are checked first, before any name is resolved.
    check_open(&load.engine)?;
    let operation = HttpOperation::new(&load.target, &load.targets, load.http2)?;
    Ok(run_open_engine(&load.engine, Arc::new(operation))?)
}

/// One HTTP request as the engine's operation: request n goes to `targets[n % len]`.
struct HttpOperation {
    /// Each target with the index of its address in `addrs`.
    targets: Vec<(HttpTarget, usize)>,
    addrs: Vec<SocketAddr>,
}

impl HttpOperation {
    /// Resolves every target once (each distinct host and port once), before any request.
    fn new(
        target: &HttpTarget,
        targets: &[HttpTarget],
        http2: bool,
    ) -> Result<Self, HttpTargetError> {
        let list = if targets.is_empty() {
            std::slice::from_ref(target)
        } else {
            targets
        };
        let mut by_authority: HashMap<(String, u16), usize> = HashMap::new();
        let mut by_addr: HashMap<SocketAddr, usize> = HashMap::new();
        let mut addrs: Vec<SocketAddr> = Vec::new();
        let mut resolved = Vec::with_capacity(list.len());
        for target in list {
            let (host, port) = target.host_port();
            let key = (host.to_string(), port);
            let index = match by_authority.get(&key) {
                Some(&index) => index,
                None => {
                    let addr = target.resolve()?;
                    // Two names for one address share its connections.
                    let index = *by_addr.entry(addr).or_insert_with(|| {
                        addrs.push(addr);
                        addrs.len() - 1
                    });
                    by_authority.insert(key, index);
                    index
                }
            };
            let target = target.clone().with_http2(http2 || target.is_http2());
            resolved.push((target, index));
        }
        Ok(Self {
            targets: resolved,
            addrs,
        })
    }
}

/// Closed model: a slot whose connect failed waits this long before its next request, doubling
/// on each further failure up to [`MAX_BACKOFF`], so a refused target does not spin a core (the
/// failures still count as `connect` errors); a successful connect resets it.
const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// A slot's kept-alive connections, by address index (a handful: a linear search is fastest),
/// and its backoff after failed connects.
#[derive(Default)]
struct HttpSlot {
    connections: Vec<(usize, Sender)>,
    backoff: Option<Duration>,
}

impl HttpSlot {
    fn take(&mut self, addr: usize) -> Option<Sender> {
        let position = self
            .connections
            .iter()
            .position(|(kept, _)| *kept == addr)?;
        Some(self.connections.swap_remove(position).1)
    }

    fn keep(&mut self, addr: usize, sender: Sender) {
        if self.connections.len() >= MAX_CONNECTIONS_PER_SLOT {
            self.connections.swap_remove(0);
        }
        self.connections.push((addr, sender));
    }
}

impl Operation for HttpOperation {
    type Slot = HttpSlot;

    fn slot(&self) -> HttpSlot {
        HttpSlot::default()
    }

    fn run<'a>(
        &'a self,
        slot: &'a mut HttpSlot,
        number: u64,
        in_flight: &'a InFlight,
    ) -> impl Future<Output = Result<(), OperationError>> + Send + 'a {
        // The modulo is below the list's length, which is a usize.
        let index = usize::try_from(number % self.targets.len() as u64).unwrap_or(0);
        let (target, addr_index) = &self.targets[index];
        let addr = self.addrs[*addr_index];
        async move {
            // A keep-alive connection the server closed since is reopened, not an error; the
            // connection is out of the slot while in use, so a timeout (which drops this
            // future) closes it and the next request reconnects.
            let reusable = match slot.take(*addr_index) {
                Some(mut sender) => sender.ready().await.is_ok().then_some(sender),
                None => None,
            };
            let mut sender = match reusable {
                Some(sender) => sender,
                None => {
                    let connected = connect(addr, target.is_http2()).await;
                    slot.backoff = match connected {
                        Ok(_) => None,
                        Err(_) => Some(slot.backoff.map_or(FIRST_BACKOFF, |last| {
                            last.saturating_mul(2).min(MAX_BACKOFF)
                        })),
                    };
                    let mut sender = connected?;
                    sender.ready().await.map_err(|error| transport(&error))?;
                    sender
                }
            };
            let counted = in_flight.enter();
            let result = send(&mut sender, target).await;
            drop(counted);
            match &result {
                Err(OperationError {
                    kind: ErrorKind::Http(_),
                    ..
                })
                | Ok(()) => slot.keep(*addr_index, sender),
                Err(_) => {}
            }
            result
        }
    }

    fn pause(&self, slot: &mut HttpSlot) -> Option<Duration> {
        slot.backoff
    }

    fn timed_out(&self, timeout: Duration) -> String {
        format!("no complete response within {timeout:?}")
    }
}

/// One client connection's request half: HTTP/1.1, or HTTP/2 with prior knowledge.
pub(super) enum Sender {
    Http1(http1::SendRequest<Full<Bytes>>),
    Http2(http2::SendRequest<Full<Bytes>>),
}

impl Sender {
    /// Resolves when the connection can take a request; an error when it is closed.
    pub(super) async fn ready(&mut self) -> Result<(), hyper::Error> {
        match self {
            Sender::Http1(sender) => sender.ready().await,
            Sender::Http2(sender) => sender.ready().await,
        }
    }

    pub(super) async fn send_request(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, hyper::Error> {
        match self {
            Sender::Http1(sender) => sender.send_request(request).await,
            Sender::Http2(sender) => sender.send_request(request).await,
        }
    }
}

/// The HTTP handshake on an open stream; the connection's own task is spawned on the current
/// runtime (it ends when the sender is dropped or the peer closes; its errors reach the
/// sender's next request).
pub(super) async fn handshake(stream: TcpStream, http2: bool) -> Result<Sender, hyper::Error> {
    // Small requests must not wait for Nagle's delayed ACK.
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(stream);
    if http2 {
        let (sender, connection) = http2::handshake(TokioExecutor::new(), io).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Sender::Http2(sender))
    } else {
        let (sender, connection) = http1::Builder::new().writev(false).handshake(io).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Sender::Http1(sender))
    }
}

async fn connect(addr: SocketAddr, http2: bool) -> Result<Sender, OperationError> {
    let failed = |error: &dyn std::fmt::Display| {
        OperationError::new(ErrorKind::Connect, format!("{addr}: {error}"))
    };
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|error| failed(&error))?;
    handshake(stream, http2)
        .await
        .map_err(|error| failed(&error))
}

/// Sends the request and reads the whole response body; a status ≥ 400 is an `http:N` error (as
/// k6's `http_req_failed`: a 4xx is the request refused — a duplicate, a missing token, a wrong
/// path — and a load answered only 404s must not report 0 % errors).
async fn send(sender: &mut Sender, target: &HttpTarget) -> Result<(), OperationError> {
    let response = sender
        .send_request(target.request())
        .await
        .map_err(|error| transport(&error))?;
    let status = response.status();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|error| transport(&error))?;
    }
    if status.is_client_error() || status.is_server_error() {
        let kind = ErrorKind::Http(status.as_u16());
        let reason = status.canonical_reason().unwrap_or("error status");
        return Err(OperationError::new(kind, reason));
    }
    Ok(())
}

/// `reset` when the connection broke or closed mid-exchange, `io` for anything else.
pub(super) fn transport(error: &hyper::Error) -> OperationError {
    let mut reset = error.is_incomplete_message() || error.is_canceled() || error.is_closed();
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io_error) = cause.downcast_ref::<io::Error>() {
            reset |= matches!(
                io_error.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            );
        }
        let text = cause.to_string();
        if !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = cause.source();
    }
    let kind = if reset {
        ErrorKind::Reset
    } else {
        ErrorKind::Io
    };
    OperationError::new(kind, detail)
}
