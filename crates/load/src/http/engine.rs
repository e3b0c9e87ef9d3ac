//! The HTTP runners: closed model (N keep-alive connections, each sending its next request when
//! the previous response's body has been read) and open model (starts on [`Schedule`], latency
//! from the intended send time). Both fold outcomes into a [`LevelRecorder`], so an HTTP level is
//! the same [`LevelResult`] as a command level.

use std::collections::VecDeque;
use std::error::Error as _;
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::target::{HttpTarget, HttpTargetError};
use crate::closed::{LoadError, Stop};
use crate::error_kind::ErrorKind;
use crate::level::{LevelRecorder, LevelResult, OpenCounts, Outcome};
use crate::open::{Arrivals, Burst, Schedule, late_tolerance};

/// A request taking longer than this (connect, send, whole response) counts as `timeout` unless
/// the load sets its own: every level ends by itself even against a server that never answers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The tokio runtime the client runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpRuntime {
    /// One thread drives every connection (the default: on 2 cores shared with the server it
    /// was as fast as two workers or faster, with a lower p99; see `examples/http_bench.rs`).
    #[default]
    CurrentThread,
    /// A multi-threaded runtime with this many worker threads.
    Workers(NonZeroUsize),
}

/// One level of closed-model HTTP load.
#[derive(Debug, Clone)]
pub struct HttpClosedLoad {
    pub target: HttpTarget,
    /// Connections, each with one request in flight at a time.
    pub connections: NonZeroUsize,
    pub stop: Stop,
    /// Connect + request + whole response; longer counts as `timeout`.
    pub timeout: Duration,
    pub window: Duration,
    pub runtime: HttpRuntime,
}

impl HttpClosedLoad {
    /// [`DEFAULT_TIMEOUT`], one-second windows, current-thread runtime.
    pub fn new(target: HttpTarget, connections: NonZeroUsize, stop: Stop) -> Self {
        Self {
            target,
            connections,
            stop,
            timeout: DEFAULT_TIMEOUT,
            window: Duration::from_secs(1),
            runtime: HttpRuntime::default(),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    pub fn with_runtime(mut self, runtime: HttpRuntime) -> Self {
        self.runtime = runtime;
        self
    }
}

/// One level of open-model HTTP load: the command engine's `OpenLoad` with a target.
#[derive(Debug, Clone)]
pub struct HttpOpenLoad {
    pub target: HttpTarget,
    /// Requests per second (after the ramp); finite and greater than zero.
    pub rate: f64,
    pub arrivals: Arrivals,
    pub ramp: Option<Duration>,
    pub burst: Option<Burst>,
    /// Connections (one request in flight each), and also the most requests the backlog holds.
    pub max_in_flight: NonZeroUsize,
    pub stop: Stop,
    pub timeout: Duration,
    pub window: Duration,
    pub runtime: HttpRuntime,
}

impl HttpOpenLoad {
    /// Constant arrivals, no ramp or burst, [`DEFAULT_TIMEOUT`], one-second windows.
    pub fn new(target: HttpTarget, rate: f64, max_in_flight: NonZeroUsize, stop: Stop) -> Self {
        Self {
            target,
            rate,
            arrivals: Arrivals::Constant,
            ramp: None,
            burst: None,
            max_in_flight,
            stop,
            timeout: DEFAULT_TIMEOUT,
            window: Duration::from_secs(1),
            runtime: HttpRuntime::default(),
        }
    }

    pub fn with_arrivals(mut self, arrivals: Arrivals) -> Self {
        self.arrivals = arrivals;
        self
    }

    pub fn with_ramp(mut self, ramp: Duration) -> Self {
        self.ramp = Some(ramp);
        self
    }

    pub fn with_burst(mut self, burst: Burst) -> Self {
        self.burst = Some(burst);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    pub fn with_runtime(mut self, runtime: HttpRuntime) -> Self {
        self.runtime = runtime;
        self
    }

    pub fn schedule(&self) -> Schedule {
        Schedule::new(self.rate, self.arrivals, self.ramp, self.burst)
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

/// Runs one closed-model level: `connections` keep-alive connections, each sending its next
/// request as soon as the previous response body is read, until the stop bound. Latency: from
/// the operation's start (including a reconnect when the server had closed the connection) to
/// the end of the response body.
pub fn run_http_closed(load: &HttpClosedLoad) -> Result<LevelResult, HttpLoadError> {
    check(load.window, load.timeout)?;
    let addr = load.target.resolve()?;
    let runtime = build_runtime(load.runtime)?;
    let shared = Arc::new(Shared::new(
        load.target.clone(),
        addr,
        load.timeout,
        load.window,
    ));
    let claimed = Arc::new(AtomicU64::new(0));
    runtime.block_on(async {
        let slots: Vec<_> = (0..load.connections.get())
            .map(|_| {
                tokio::spawn(closed_slot(
                    Arc::clone(&shared),
                    Arc::clone(&claimed),
                    load.stop,
                ))
            })
            .collect();
        for slot in slots {
            // A slot only ends by returning; a panic would have lost its own operations only.
            let _ = slot.await;
        }
    });
    drop(runtime);
    Ok(shared.finish(load.connections.get()))
}

/// Runs one open-model level: requests start on the load's schedule whatever earlier ones do,
/// on `max_in_flight` connections with a backlog of as many; an arrival finding the backlog full
/// is dropped (counted, never sent). Latency from the intended send time (coordinated omission
/// corrected, as wrk2), service time from the actual start (including a reconnect); counts as the
/// command engine's open model (see [`crate::open`]). Sends are timed to well under tokio's
/// 1 ms timer tick (see `wait_until`).
pub fn run_http_open(load: &HttpOpenLoad) -> Result<LevelResult, HttpLoadError> {
    if !(load.rate.is_finite() && load.rate > 0.0) {
        return Err(LoadError::InvalidRate(load.rate).into());
    }
    if load.burst.is_some_and(|burst| burst.every.is_zero()) {
        return Err(LoadError::ZeroBurstInterval.into());
    }
    check(load.window, load.timeout)?;
    let addr = load.target.resolve()?;
    let runtime = build_runtime(load.runtime)?;
    let shared = Arc::new(Shared::new(
        load.target.clone(),
        addr,
        load.timeout,
        load.window,
    ));
    let workers = load.max_in_flight.get();
    let open = Arc::new(OpenShared {
        queue: Mutex::new(Queue::default()),
        ready: Notify::new(),
        started: AtomicU64::new(0),
        late: AtomicU64::new(0),
        tolerance: late_tolerance(load.rate),
    });
    let (planned, dropped) = runtime.block_on(async {
        let handles: Vec<_> = (0..workers)
            .map(|_| tokio::spawn(open_worker(Arc::clone(&shared), Arc::clone(&open))))
            .collect();
        let counts = dispatch(load, &shared, &open).await;
        for handle in handles {
            let _ = handle.await;
        }
        counts
    });
    drop(runtime);
    let mut level = shared.finish(workers);
    level.open = Some(OpenCounts {
        planned,
        started: open.started.load(Ordering::SeqCst),
        late: open.late.load(Ordering::SeqCst),
        dropped,
        late_tolerance: open.tolerance,
    });
    Ok(level)
}

fn check(window: Duration, timeout: Duration) -> Result<(), LoadError> {
    if window.is_zero() {
        return Err(LoadError::ZeroWindow);
    }
    if timeout.is_zero() {
        return Err(LoadError::ZeroTimeout);
    }
    Ok(())
}

fn build_runtime(kind: HttpRuntime) -> Result<tokio::runtime::Runtime, HttpLoadError> {
    let mut builder = match kind {
        HttpRuntime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        HttpRuntime::Workers(threads) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(threads.get());
            builder
        }
    };
    builder
        .enable_all()
        .thread_name("load-http")
        .build()
        .map_err(HttpLoadError::Runtime)
}

/// What every connection's task shares.
struct Shared {
    target: HttpTarget,
    addr: SocketAddr,
    timeout: Duration,
    start: Instant,
    recording: Mutex<Recording>,
    in_flight_now: AtomicUsize,
    in_flight_max: AtomicUsize,
}

struct Recording {
    recorder: LevelRecorder,
    last_finish: Duration,
    window: Duration,
}

impl Shared {
    fn new(target: HttpTarget, addr: SocketAddr, timeout: Duration, window: Duration) -> Self {
        Self {
            target,
            addr,
            timeout,
            start: Instant::now(),
            recording: Mutex::new(Recording {
                recorder: LevelRecorder::new(window),
                last_finish: Duration::ZERO,
                window,
            }),
            in_flight_now: AtomicUsize::new(0),
            in_flight_max: AtomicUsize::new(0),
        }
    }

    fn recording(&self) -> MutexGuard<'_, Recording> {
        self.recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, outcome: Outcome) {
        let mut recording = self.recording();
        recording.last_finish = recording.last_finish.max(outcome.finished_at);
        recording.recorder.record(outcome);
    }

    fn finish(&self, concurrency: usize) -> LevelResult {
        let mut recording = self.recording();
        let window = recording.window;
        let recorder = std::mem::replace(&mut recording.recorder, LevelRecorder::new(window));
        recorder.finish(
            concurrency,
            recording.last_finish,
            self.in_flight_max.load(Ordering::SeqCst),
        )
    }

    /// One request with the timeout; the connection is kept for the next one unless the
    /// request failed on it.
    async fn operation(&self, connection: &mut Option<SendRequest<Full<Bytes>>>) -> Failure {
        match tokio::time::timeout(self.timeout, self.exchange(connection)).await {
            Ok(result) => result.err(),
            // The cancelled exchange dropped the connection it held: the next one reconnects.
            Err(_) => Some((
                ErrorKind::Timeout,
                format!("timeout: no complete response within {:?}", self.timeout),
            )),
        }
    }

    async fn exchange(
        &self,
        connection: &mut Option<SendRequest<Full<Bytes>>>,
    ) -> Result<(), (ErrorKind, String)> {
        // A keep-alive connection the server closed since is reopened, not an error.
        let reusable = match connection.take() {
            Some(mut sender) => sender.ready().await.is_ok().then_some(sender),
            None => None,
        };
        let mut sender = match reusable {
            Some(sender) => sender,
            None => {
                let mut sender = connect(self.addr).await?;
                sender.ready().await.map_err(|error| transport(&error))?;
                sender
            }
        };
        let in_flight = InFlight::enter(&self.in_flight_now, &self.in_flight_max);
        let result = send(&mut sender, &self.target).await;
        drop(in_flight);
        match &result {
            Err((ErrorKind::Http(_), _)) | Ok(()) => *connection = Some(sender),
            Err(_) => {}
        }
        result
    }
}

/// One request counted in flight from its send until its response is read or it is abandoned
/// (a timeout drops the exchange mid-way, and with it this guard).
struct InFlight<'a> {
    now: &'a AtomicUsize,
}

impl<'a> InFlight<'a> {
    fn enter(now: &'a AtomicUsize, max: &AtomicUsize) -> Self {
        let count = now.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(count, Ordering::SeqCst);
        Self { now }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `None`, or the failure's kind and message (`kind: detail`).
type Failure = Option<(ErrorKind, String)>;

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, (ErrorKind, String)> {
    let failed =
        |error: &dyn std::fmt::Display| (ErrorKind::Connect, format!("connect: {addr}: {error}"));
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|error| failed(&error))?;
    // Small requests must not wait for Nagle's delayed ACK.
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| failed(&error))?;
    // The connection's own task: it ends when the sender is dropped or the peer closes; its
    // errors reach the sender's next request.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends the request and reads the whole response body; a status ≥ 500 is an `http:N` error.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &HttpTarget,
) -> Result<(), (ErrorKind, String)> {
    let response = sender
        .send_request(target.request())
        .await
        .map_err(|error| transport(&error))?;
    let status = response.status();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|error| transport(&error))?;
    }
    if status.is_server_error() {
        let kind = ErrorKind::Http(status.as_u16());
        let reason = status.canonical_reason().unwrap_or("server error");
        return Err((kind, format!("{kind}: {reason}")));
    }
    Ok(())
}

/// `reset` when the connection broke or closed mid-exchange, `io` for anything else.
pub(super) fn transport(error: &hyper::Error) -> (ErrorKind, String) {
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
    (kind, format!("{kind}: {detail}"))
}

async fn closed_slot(shared: Arc<Shared>, claimed: Arc<AtomicU64>, stop: Stop) {
    let mut connection = None;
    loop {
        let begun = Instant::now();
        if stop
            .duration()
            .is_some_and(|duration| begun.duration_since(shared.start) >= duration)
        {
            return;
        }
        if let Some(limit) = stop.operations()
            && claimed.fetch_add(1, Ordering::SeqCst) >= limit
        {
            return;
        }
        let failure = shared.operation(&mut connection).await;
        let end = Instant::now();
        shared.record(outcome(
            &shared,
            end,
            end.duration_since(begun),
            None,
            failure,
        ));
    }
}

fn outcome(
    shared: &Shared,
    end: Instant,
    latency: Duration,
    service_time: Option<Duration>,
    failure: Failure,
) -> Outcome {
    let (error, message) = match failure {
        Some((kind, message)) => (Some(kind), Some(message)),
        None => (None, None),
    };
    Outcome {
        finished_at: end.duration_since(shared.start),
        latency,
        service_time,
        error,
        message,
        values: Vec::new(),
    }
}

/// The open model's backlog, shared by the dispatcher and the connections' tasks.
struct OpenShared {
    queue: Mutex<Queue>,
    /// Notified when a request is queued or the queue is closed.
    ready: Notify,
    started: AtomicU64,
    late: AtomicU64,
    tolerance: Duration,
}

#[derive(Debug, Default)]
struct Queue {
    /// Intended send offsets of requests due and not yet taken.
    due: VecDeque<Duration>,
    busy: usize,
    closed: bool,
}

impl OpenShared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Waits for each planned send time and queues it, or drops it when the backlog is full (the
/// command engine's rule). Returns (planned, dropped).
async fn dispatch(load: &HttpOpenLoad, shared: &Shared, open: &OpenShared) -> (u64, u64) {
    let workers = load.max_in_flight.get();
    let limit = load.stop.operations().unwrap_or(u64::MAX);
    let mut planned = 0u64;
    let mut dropped = 0u64;
    for intended in load.schedule() {
        if planned >= limit
            || load
                .stop
                .duration()
                .is_some_and(|duration| intended >= duration)
        {
            break;
        }
        wait_until(shared.start + intended).await;
        planned += 1;
        let mut queue = open.lock();
        let idle = workers.saturating_sub(queue.busy);
        if queue.due.len() >= idle + workers {
            dropped += 1;
        } else {
            queue.due.push_back(intended);
            drop(queue);
            open.ready.notify_one();
        }
    }
    open.lock().closed = true;
    open.ready.notify_waiters();
    (planned, dropped)
}

/// tokio's timers fire on a 1 ms tick, after their deadline: sleeping to the deadline would send
/// most requests of a fast schedule up to a millisecond late. So the dispatcher sleeps to a
/// tick before the deadline and yields to the connections' tasks for the rest.
async fn wait_until(due: Instant) {
    const TICK: Duration = Duration::from_millis(1);
    if let Some(early) = due.checked_sub(TICK)
        && early > Instant::now()
    {
        tokio::time::sleep_until(early.into()).await;
    }
    while Instant::now() < due {
        tokio::task::yield_now().await;
    }
}

async fn open_worker(shared: Arc<Shared>, open: Arc<OpenShared>) {
    let mut connection = None;
    loop {
        // Registered before the queue is looked at, so a close or push in between is not missed.
        let mut notified = pin!(open.ready.notified());
        notified.as_mut().enable();
        let next = {
            let mut queue = open.lock();
            match queue.due.pop_front() {
                Some(intended) => {
                    queue.busy += 1;
                    if !queue.due.is_empty() {
                        open.ready.notify_one();
                    }
                    Some(intended)
                }
                None if queue.closed => return,
                None => None,
            }
        };
        let Some(intended) = next else {
            notified.await;
            continue;
        };
        let begun = Instant::now();
        let intended_at = shared.start + intended;
        open.started.fetch_add(1, Ordering::SeqCst);
        if begun.saturating_duration_since(intended_at) > open.tolerance {
            open.late.fetch_add(1, Ordering::SeqCst);
        }
        let failure = shared.operation(&mut connection).await;
        let end = Instant::now();
        let latency = end.saturating_duration_since(intended_at);
        let service = end.duration_since(begun);
        shared.record(outcome(&shared, end, latency, Some(service), failure));
        open.lock().busy -= 1;
    }
}
