//! In-process async load (feature `async`): the same levels as the command engine, driving an
//! async operation on tokio instead of a child process — closed model ([`run_async_closed`]: N
//! slots, each starting its next operation when the previous one ends) and open model
//! ([`run_async_open`]: starts on the command engine's [`Schedule`], latency from the intended
//! start, service time from the actual one, planned/started/late/dropped counts) — into the same
//! [`LevelResult`]. The HTTP engine (`crate::http`, feature `http`) is this engine with HTTP
//! requests as its operation. Each level builds its own tokio runtime ([`AsyncRuntime`]:
//! current-thread by default) and blocks on it, so call the runners from outside any runtime
//! (a plain thread, a `#[test]`, a harness's bench function).
//!
//! Each operation gets its request number (0, 1, 2, …: closed model in claiming order, open
//! model in schedule order) and returns `Ok(())` or an [`OperationError`] (kind + message); an
//! operation not done within the load's timeout is dropped and counts as `timeout`. Failed
//! operations are errors, never latency samples.
//!
//! Besides the level's usual figures the engine integrates the number of operations in flight
//! over time (each operation adds its own time in flight when it leaves, one atomic add) into
//! [`LevelResult::mean_in_flight`], for a Little's law check ([`crate::littles_law()`]); and, with
//! [`AsyncClosedLoad::with_progress`], reports a [`LiveStatus`] every tick while the level runs
//! (counters read from atomics; the p99 so far under the recorder's lock, once per tick).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::num::NonZeroUsize;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::closed::{LoadError, Stop};
use crate::error_kind::ErrorKind;
use crate::level::{LevelRecorder, LevelResult, OpenCounts, Outcome};
use crate::open::{Arrivals, Burst, Schedule, late_tolerance};

/// An operation taking longer than this counts as `timeout` unless the load sets its own: every
/// level ends by itself even when an operation never completes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The shortest progress interval: a shorter one is raised to this.
pub const MIN_PROGRESS_INTERVAL: Duration = Duration::from_millis(10);

/// Why one operation failed: its kind (the level counts errors by it) and a message, the first
/// of each kind being kept as the kind's example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationError {
    pub kind: ErrorKind,
    /// `kind: detail`, as the command engine words its failures.
    pub message: String,
}

impl OperationError {
    /// A failure of `kind`, worded `kind: detail`.
    pub fn new(kind: ErrorKind, detail: impl fmt::Display) -> Self {
        Self {
            kind,
            message: format!("{kind}: {detail}"),
        }
    }

    /// A failure of `kind` with nothing more to say.
    pub fn of_kind(kind: ErrorKind) -> Self {
        Self {
            kind,
            message: kind.to_string(),
        }
    }
}

impl fmt::Display for OperationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OperationError {}

/// The tokio runtime a level runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AsyncRuntime {
    /// One thread drives every operation (the default: for I/O-bound operations on a small
    /// machine it was as fast as two workers or faster, with a lower p99; see
    /// `examples/http_bench.rs`).
    #[default]
    CurrentThread,
    /// A multi-threaded runtime with this many worker threads.
    Workers(NonZeroUsize),
}

/// What a running level reports at each progress tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveStatus {
    /// Since the level started.
    pub elapsed: Duration,
    /// Operations finished so far, successful or not.
    pub requests: u64,
    /// Of those, failed.
    pub errors: u64,
    /// Finished operations per second so far.
    pub rate_per_s: f64,
    /// p99 latency of the successful operations so far; `None` before the first.
    pub p99: Option<Duration>,
    /// Operations in flight at the tick.
    pub in_flight: usize,
}

impl fmt::Display for LiveStatus {
    /// One progress line: `2.0 s  19 920 requests  9 960/s  3 errors  p99 5.00 ms  50 in flight`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::littles_law::{group_thousands, latency, rate};
        let p99 = self.p99.map_or_else(|| "-".to_string(), latency);
        write!(
            f,
            "{:.1} s  {} requests  {}/s  {} errors  p99 {p99}  {} in flight",
            self.elapsed.as_secs_f64(),
            group_thousands(self.requests),
            rate(self.rate_per_s),
            group_thousands(self.errors),
            self.in_flight
        )
    }
}

/// The progress callback (called on the load's runtime: keep it quick, e.g. one line to a
/// terminal).
pub type ProgressReport = Arc<dyn Fn(&LiveStatus) + Send + Sync>;

/// Every `every`, `report` gets the level's [`LiveStatus`].
#[derive(Clone)]
pub struct Progress {
    pub every: Duration,
    pub report: ProgressReport,
}

impl Progress {
    /// `every` below [`MIN_PROGRESS_INTERVAL`] is raised to it.
    pub fn new(every: Duration, report: ProgressReport) -> Self {
        Self {
            every: every.max(MIN_PROGRESS_INTERVAL),
            report,
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

/// One level of closed-model async load.
#[derive(Debug, Clone)]
pub struct AsyncClosedLoad {
    /// Operations in flight at once (slots).
    pub concurrency: NonZeroUsize,
    pub stop: Stop,
    /// An operation not done within this is dropped and counts as `timeout`.
    pub timeout: Duration,
    pub window: Duration,
    pub runtime: AsyncRuntime,
    pub progress: Option<Progress>,
}

impl AsyncClosedLoad {
    /// [`DEFAULT_TIMEOUT`], one-second windows, current-thread runtime, no progress.
    pub fn new(concurrency: NonZeroUsize, stop: Stop) -> Self {
        Self {
            concurrency,
            stop,
            timeout: DEFAULT_TIMEOUT,
            window: Duration::from_secs(1),
            runtime: AsyncRuntime::default(),
            progress: None,
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

    pub fn with_runtime(mut self, runtime: AsyncRuntime) -> Self {
        self.runtime = runtime;
        self
    }

    /// Calls `report` every `every` while the level runs (see [`Progress::new`]).
    pub fn with_progress(mut self, every: Duration, report: ProgressReport) -> Self {
        self.progress = Some(Progress::new(every, report));
        self
    }
}

/// One level of open-model async load: the command engine's `OpenLoad` without a command.
#[derive(Debug, Clone)]
pub struct AsyncOpenLoad {
    /// Operations per second (after the ramp); finite and greater than zero.
    pub rate: f64,
    pub arrivals: Arrivals,
    pub ramp: Option<Duration>,
    pub burst: Option<Burst>,
    /// Workers (one operation in flight each), and also the most operations the backlog holds.
    pub max_in_flight: NonZeroUsize,
    pub stop: Stop,
    pub timeout: Duration,
    pub window: Duration,
    pub runtime: AsyncRuntime,
    pub progress: Option<Progress>,
}

impl AsyncOpenLoad {
    /// Constant arrivals, no ramp or burst, [`DEFAULT_TIMEOUT`], one-second windows, no progress.
    pub fn new(rate: f64, max_in_flight: NonZeroUsize, stop: Stop) -> Self {
        Self {
            rate,
            arrivals: Arrivals::Constant,
            ramp: None,
            burst: None,
            max_in_flight,
            stop,
            timeout: DEFAULT_TIMEOUT,
            window: Duration::from_secs(1),
            runtime: AsyncRuntime::default(),
            progress: None,
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

    pub fn with_runtime(mut self, runtime: AsyncRuntime) -> Self {
        self.runtime = runtime;
        self
    }

    /// Calls `report` every `every` while the level runs (see [`Progress::new`]).
    pub fn with_progress(mut self, every: Duration, report: ProgressReport) -> Self {
        self.progress = Some(Progress::new(every, report));
        self
    }

    pub fn schedule(&self) -> Schedule {
        Schedule::new(self.rate, self.arrivals, self.ramp, self.burst)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AsyncLoadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot start the load's async runtime")]
    Runtime(#[source] io::Error),
}

/// Runs one closed-model level of `operation`: `concurrency` slots, each calling it again as
/// soon as its previous call ends, until the stop bound. Latency: from the call to its end.
pub fn run_async_closed<F, Fut>(
    load: &AsyncClosedLoad,
    operation: F,
) -> Result<LevelResult, AsyncLoadError>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), OperationError>> + Send + 'static,
{
    run_closed_engine(load, Arc::new(Closure(operation)))
}

/// Runs one open-model level of `operation`: calls start on the load's schedule whatever
/// earlier ones do, on `max_in_flight` workers with a backlog of as many; an arrival finding the
/// backlog full is dropped (counted, never called). Latency from the intended start (coordinated
/// omission corrected), service time from the actual one.
pub fn run_async_open<F, Fut>(
    load: &AsyncOpenLoad,
    operation: F,
) -> Result<LevelResult, AsyncLoadError>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), OperationError>> + Send + 'static,
{
    run_open_engine(load, Arc::new(Closure(operation)))
}

/// What the engine drives: an operation with per-slot state (the HTTP engine's connections).
pub(crate) trait Operation: Send + Sync + 'static {
    /// State one slot (closed model) or worker (open model) keeps between its operations.
    type Slot: Send + 'static;

    fn slot(&self) -> Self::Slot;

    /// Runs operation `number`. The operation counts itself in flight with `in_flight.enter()`
    /// for the part that is the system under test's work (the HTTP engine: from the send, not
    /// the connect).
    fn run<'a>(
        &'a self,
        slot: &'a mut Self::Slot,
        number: u64,
        in_flight: &'a InFlight,
    ) -> impl Future<Output = Result<(), OperationError>> + Send + 'a;

    /// The timeout's message (after `timeout: `).
    fn timed_out(&self, timeout: Duration) -> String {
        format!("not done within {timeout:?}")
    }

    /// Closed model: how long the slot waits before its next operation (a backoff after failing
    /// to connect, so a refused target does not spin a core); `None` for no wait.
    fn pause(&self, _slot: &mut Self::Slot) -> Option<Duration> {
        None
    }
}

/// A closure as an [`Operation`]: in flight for the whole call.
struct Closure<F>(F);

impl<F, Fut> Operation for Closure<F>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), OperationError>> + Send + 'static,
{
    type Slot = ();

    fn slot(&self) {}

    async fn run(
        &self,
        _slot: &mut (),
        number: u64,
        in_flight: &InFlight,
    ) -> Result<(), OperationError> {
        let _in_flight = in_flight.enter();
        (self.0)(number).await
    }
}

/// Operations in flight: the count now, its maximum, and its integral over time (the sum of every
/// operation's time in flight, in nanoseconds: the count integrated over the level).
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
    area_nanos: AtomicU64,
}

impl InFlight {
    /// Counts one operation in flight until the guard is dropped (its end, or its abandonment
    /// at a timeout).
    pub(crate) fn enter(&self) -> InFlightGuard<'_> {
        let count = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(count, Ordering::SeqCst);
        InFlightGuard {
            in_flight: self,
            entered: Instant::now(),
        }
    }

    fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    /// The time-averaged count over `wall`; `None` for a level without time.
    fn mean_over(&self, wall: Duration) -> Option<f64> {
        let wall = wall.as_nanos();
        (wall > 0).then(|| self.area_nanos.load(Ordering::SeqCst) as f64 / wall as f64)
    }
}

pub(crate) struct InFlightGuard<'a> {
    in_flight: &'a InFlight,
    entered: Instant,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        let nanos = u64::try_from(self.entered.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.in_flight.area_nanos.fetch_add(nanos, Ordering::SeqCst);
        self.in_flight.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What every slot's task shares.
struct Level {
    timeout: Duration,
    start: Instant,
    recording: Mutex<Recording>,
    in_flight: InFlight,
    /// Finished and failed operations, for the progress report without the lock.
    finished: AtomicU64,
    failed: AtomicU64,
}

struct Recording {
    recorder: LevelRecorder,
    last_finish: Duration,
    window: Duration,
}

impl Level {
    fn new(timeout: Duration, window: Duration) -> Self {
        Self {
            timeout,
            start: Instant::now(),
            recording: Mutex::new(Recording {
                recorder: LevelRecorder::new(window),
                last_finish: Duration::ZERO,
                window,
            }),
            in_flight: InFlight::default(),
            finished: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    fn recording(&self) -> MutexGuard<'_, Recording> {
        self.recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, outcome: Outcome) {
        if outcome.error.is_some() {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        let mut recording = self.recording();
        recording.last_finish = recording.last_finish.max(outcome.finished_at);
        recording.recorder.record(outcome);
        drop(recording);
        self.finished.fetch_add(1, Ordering::Relaxed);
    }

    fn finish(&self, concurrency: usize) -> LevelResult {
        let mut recording = self.recording();
        let window = recording.window;
        let recorder = std::mem::replace(&mut recording.recorder, LevelRecorder::new(window));
        let mut level = recorder.finish(concurrency, recording.last_finish, self.in_flight.max());
        level.mean_in_flight = self.in_flight.mean_over(level.wall);
        level
    }

    fn live(&self) -> LiveStatus {
        let elapsed = self.start.elapsed();
        let requests = self.finished.load(Ordering::Relaxed);
        let p99 = {
            let recording = self.recording();
            let latency = recording.recorder.latency();
            (!latency.is_empty())
                .then(|| Duration::from_nanos(latency.histogram().value_at_quantile(0.99)))
        };
        LiveStatus {
            elapsed,
            requests,
            errors: self.failed.load(Ordering::Relaxed),
            rate_per_s: crate::latency::throughput(requests, elapsed),
            p99,
            in_flight: self.in_flight.now(),
        }
    }

    /// One operation with the timeout; `Err` carries the failure.
    async fn run<O: Operation>(
        &self,
        operation: &O,
        slot: &mut O::Slot,
        number: u64,
    ) -> Result<(), OperationError> {
        match tokio::time::timeout(self.timeout, operation.run(slot, number, &self.in_flight)).await
        {
            Ok(result) => result,
            // Dropping the operation's future ended its in-flight count and anything it held.
            Err(_) => Err(OperationError::new(
                ErrorKind::Timeout,
                operation.timed_out(self.timeout),
            )),
        }
    }

    fn outcome(
        &self,
        end: Instant,
        latency: Duration,
        service_time: Option<Duration>,
        result: Result<(), OperationError>,
    ) -> Outcome {
        let (error, message) = match result {
            Ok(()) => (None, None),
            Err(failure) => (Some(failure.kind), Some(failure.message)),
        };
        Outcome {
            finished_at: end.duration_since(self.start),
            latency,
            service_time,
            error,
            message,
            values: Vec::new(),
        }
    }
}

/// The window and timeout a level needs (checked before anything is resolved or started).
pub(crate) fn check(window: Duration, timeout: Duration) -> Result<(), LoadError> {
    if window.is_zero() {
        return Err(LoadError::ZeroWindow);
    }
    if timeout.is_zero() {
        return Err(LoadError::ZeroTimeout);
    }
    Ok(())
}

fn build_runtime(kind: AsyncRuntime) -> Result<tokio::runtime::Runtime, AsyncLoadError> {
    let mut builder = match kind {
        AsyncRuntime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        AsyncRuntime::Workers(threads) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(threads.get());
            builder
        }
    };
    builder
        .enable_all()
        .thread_name("load-async")
        .build()
        .map_err(AsyncLoadError::Runtime)
}

/// Reports progress every tick until aborted.
fn spawn_progress(
    level: &Arc<Level>,
    progress: Option<&Progress>,
) -> Option<tokio::task::JoinHandle<()>> {
    let progress = progress?.clone();
    let level = Arc::clone(level);
    Some(tokio::spawn(async move {
        // The field is public: a zero set there would make tokio's interval panic.
        let every = progress.every.max(MIN_PROGRESS_INTERVAL);
        let first = tokio::time::Instant::from_std(level.start + every);
        let mut ticks = tokio::time::interval_at(first, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            (progress.report)(&level.live());
        }
    }))
}

pub(crate) fn run_closed_engine<O: Operation>(
    load: &AsyncClosedLoad,
    operation: Arc<O>,
) -> Result<LevelResult, AsyncLoadError> {
    check(load.window, load.timeout)?;
    let runtime = build_runtime(load.runtime)?;
    let level = Arc::new(Level::new(load.timeout, load.window));
    let claimed = Arc::new(AtomicU64::new(0));
    runtime.block_on(async {
        let ticker = spawn_progress(&level, load.progress.as_ref());
        let slots: Vec<_> = (0..load.concurrency.get())
            .map(|_| {
                tokio::spawn(closed_slot(
                    Arc::clone(&level),
                    Arc::clone(&operation),
                    Arc::clone(&claimed),
                    load.stop,
                ))
            })
            .collect();
        for slot in slots {
            // A slot only ends by returning; a panic would have lost its own operations only.
            let _ = slot.await;
        }
        if let Some(ticker) = ticker {
            ticker.abort();
        }
    });
    drop(runtime);
    Ok(level.finish(load.concurrency.get()))
}

async fn closed_slot<O: Operation>(
    level: Arc<Level>,
    operation: Arc<O>,
    claimed: Arc<AtomicU64>,
    stop: Stop,
) {
    let mut slot = operation.slot();
    let limit = stop.operations().unwrap_or(u64::MAX);
    loop {
        if let Some(pause) = operation.pause(&mut slot) {
            // Never past the level's end.
            let until = stop.duration().map_or(pause, |duration| {
                pause.min((level.start + duration).saturating_duration_since(Instant::now()))
            });
            tokio::time::sleep(until).await;
        }
        let begun = Instant::now();
        if stop
            .duration()
            .is_some_and(|duration| begun.duration_since(level.start) >= duration)
        {
            return;
        }
        let number = claimed.fetch_add(1, Ordering::SeqCst);
        if number >= limit {
            return;
        }
        let result = level.run(operation.as_ref(), &mut slot, number).await;
        let end = Instant::now();
        level.record(level.outcome(end, end.duration_since(begun), None, result));
    }
}

/// An open load's settings: a finite rate above zero, a burst interval above zero, and the
/// windows and timeout [`check`] asks for.
pub(crate) fn check_open(load: &AsyncOpenLoad) -> Result<(), LoadError> {
    if !(load.rate.is_finite() && load.rate > 0.0) {
        return Err(LoadError::InvalidRate(load.rate));
    }
    if load.burst.is_some_and(|burst| burst.every.is_zero()) {
        return Err(LoadError::ZeroBurstInterval);
    }
    check(load.window, load.timeout)
}

pub(crate) fn run_open_engine<O: Operation>(
    load: &AsyncOpenLoad,
    operation: Arc<O>,
) -> Result<LevelResult, AsyncLoadError> {
    check_open(load)?;
    let runtime = build_runtime(load.runtime)?;
    let level = Arc::new(Level::new(load.timeout, load.window));
    let workers = load.max_in_flight.get();
    let open = Arc::new(OpenShared {
        queue: Mutex::new(Queue::default()),
        ready: Notify::new(),
        started: AtomicU64::new(0),
        late: AtomicU64::new(0),
        tolerance: late_tolerance(load.rate),
    });
    let (planned, dropped) = runtime.block_on(async {
        let ticker = spawn_progress(&level, load.progress.as_ref());
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                tokio::spawn(open_worker(
                    Arc::clone(&level),
                    Arc::clone(&operation),
                    Arc::clone(&open),
                ))
            })
            .collect();
        let counts = dispatch(load, &level, &open).await;
        for handle in handles {
            let _ = handle.await;
        }
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        counts
    });
    drop(runtime);
    let mut result = level.finish(workers);
    result.open = Some(OpenCounts {
        planned,
        started: open.started.load(Ordering::SeqCst),
        late: open.late.load(Ordering::SeqCst),
        dropped,
        late_tolerance: open.tolerance,
    });
    Ok(result)
}

/// The open model's backlog, shared by the dispatcher and the workers.
struct OpenShared {
    queue: Mutex<Queue>,
    /// Notified when an operation is queued or the queue is closed.
    ready: Notify,
    started: AtomicU64,
    late: AtomicU64,
    tolerance: Duration,
}

#[derive(Debug, Default)]
struct Queue {
    /// Number and intended start offset of operations due and not yet taken.
    due: VecDeque<(u64, Duration)>,
    busy: usize,
    closed: bool,
}

impl OpenShared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Waits for each planned start and queues it, or drops it when the backlog is full (the
/// command engine's rule). Returns (planned, dropped).
async fn dispatch(load: &AsyncOpenLoad, level: &Level, open: &OpenShared) -> (u64, u64) {
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
        wait_until(level.start + intended).await;
        let number = planned;
        planned += 1;
        let mut queue = open.lock();
        let idle = workers.saturating_sub(queue.busy);
        if queue.due.len() >= idle + workers {
            dropped += 1;
        } else {
            queue.due.push_back((number, intended));
            drop(queue);
            open.ready.notify_one();
        }
    }
    open.lock().closed = true;
    open.ready.notify_waiters();
    (planned, dropped)
}

/// tokio's timers fire on a 1 ms tick, after their deadline: sleeping to the deadline would
/// start most operations of a fast schedule up to a millisecond late. So the dispatcher sleeps
/// to a tick before the deadline and yields to the workers for the rest.
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

async fn open_worker<O: Operation>(level: Arc<Level>, operation: Arc<O>, open: Arc<OpenShared>) {
    let mut slot = operation.slot();
    loop {
        // Registered before the queue is looked at, so a close or push in between is not missed.
        let mut notified = pin!(open.ready.notified());
        notified.as_mut().enable();
        let next = {
            let mut queue = open.lock();
            match queue.due.pop_front() {
                Some(due) => {
                    queue.busy += 1;
                    if !queue.due.is_empty() {
                        open.ready.notify_one();
                    }
                    Some(due)
                }
                None if queue.closed => return,
                None => None,
            }
        };
        let Some((number, intended)) = next else {
            notified.await;
            continue;
        };
        let begun = Instant::now();
        let intended_at = level.start + intended;
        open.started.fetch_add(1, Ordering::SeqCst);
        if begun.saturating_duration_since(intended_at) > open.tolerance {
            open.late.fetch_add(1, Ordering::SeqCst);
        }
        let result = level.run(operation.as_ref(), &mut slot, number).await;
        let end = Instant::now();
        let latency = end.saturating_duration_since(intended_at);
        let service = end.duration_since(begun);
        level.record(level.outcome(end, latency, Some(service), result));
        open.lock().busy -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_status_reads_as_one_progress_line() {
        let status = LiveStatus {
            elapsed: Duration::from_millis(2000),
            requests: 19_920,
            errors: 3,
            rate_per_s: 9960.0,
            p99: Some(Duration::from_millis(5)),
            in_flight: 50,
        };
        assert_eq!(
            status.to_string(),
            "2.0 s  19 920 requests  9 960/s  3 errors  p99 5.00 ms  50 in flight"
        );
        let starting = LiveStatus {
            requests: 0,
            errors: 0,
            rate_per_s: 0.0,
            p99: None,
            ..status
        };
        assert_eq!(
            starting.to_string(),
            "2.0 s  0 requests  0.0/s  0 errors  p99 -  50 in flight"
        );
    }
}
