//! The closed-model runner: `concurrency` slots, each running the command again as soon as its
//! previous run ends, until the stop bound is reached. Each slot is a thread blocked on its child
//! (no async runtime, no busy polling); outcomes flow to the calling thread, which folds them into
//! a [`LevelRecorder`] as they arrive, so memory does not grow with the operation count.

use std::io;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
pub use crate::command::CommandSpec;
use crate::command::{InFlight, run_operation};
use crate::level::{LevelRecorder, LevelResult, Outcome};

/// When a level stops starting operations: after a duration, after a number of operations, or at
/// whichever comes first. There is always at least one bound, so a level always ends by itself;
/// operations running when the duration passes are let finish (their timeout still applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    duration: Option<Duration>,
    operations: Option<u64>,
}

impl Stop {
    pub fn after_duration(duration: Duration) -> Self {
        Self {
            duration: Some(duration),
            operations: None,
        }
    }

    pub fn after_operations(operations: u64) -> Self {
        Self {
            duration: None,
            operations: Some(operations),
        }
    }

    pub fn after_either(duration: Duration, operations: u64) -> Self {
        Self {
            duration: Some(duration),
            operations: Some(operations),
        }
    }

    pub fn duration(&self) -> Option<Duration> {
        self.duration
    }

    pub fn operations(&self) -> Option<u64> {
        self.operations
    }
}

/// One level of closed-model load.
#[derive(Debug, Clone)]
pub struct ClosedLoad {
    pub command: CommandSpec,
    /// Operations in flight at once.
    pub concurrency: NonZeroUsize,
    pub stop: Stop,
    /// An operation running longer is killed (with its process group) and counts as `timeout`.
    pub timeout: Option<Duration>,
    /// Width of the time windows the level's latencies are also summarised by.
    pub window: Duration,
}

impl ClosedLoad {
    /// No timeout, one-second windows.
    pub fn new(command: CommandSpec, concurrency: NonZeroUsize, stop: Stop) -> Self {
        Self {
            command,
            concurrency,
            stop,
            timeout: None,
            window: Duration::from_secs(1),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the window width must be greater than zero")]
    ZeroWindow,
    #[error("the operation timeout must be greater than zero")]
    ZeroTimeout,
    #[error("the rate must be a finite number of operations per second greater than zero, not {0}")]
    InvalidRate(f64),
    #[error("the burst interval must be greater than zero")]
    ZeroBurstInterval,
    #[error("cannot start a load thread")]
    Thread(#[source] io::Error),
}

/// Runs one level with the real clock.
pub fn run_closed(load: &ClosedLoad) -> Result<LevelResult, LoadError> {
    run_closed_with_clock(load, &MonotonicClock::new())
}

/// Runs one level, reading times from `clock`. Operation timeouts are enforced in real time.
pub fn run_closed_with_clock(
    load: &ClosedLoad,
    clock: &dyn Clock,
) -> Result<LevelResult, LoadError> {
    if load.window.is_zero() {
        return Err(LoadError::ZeroWindow);
    }
    if load.timeout.is_some_and(|timeout| timeout.is_zero()) {
        return Err(LoadError::ZeroTimeout);
    }
    let slots = Slots::default();
    let mut recorder = LevelRecorder::new(load.window);
    let mut last_finish = Duration::ZERO;
    let level_start = clock.now();
    let (sender, receiver) = mpsc::channel::<Outcome>();
    let thread_failure = thread::scope(|scope| {
        let mut failure = None;
        for slot in 0..load.concurrency.get() {
            let sender = sender.clone();
            let slots = &slots;
            let started = thread::Builder::new()
                .name(format!("load-slot-{slot}"))
                .stack_size(256 * 1024)
                .spawn_scoped(scope, move || {
                    run_slot(load, clock, level_start, slots, &sender);
                });
            if let Err(error) = started {
                slots.abort.store(true, Ordering::SeqCst);
                failure = Some(error);
                break;
            }
        }
        drop(sender);
        for outcome in receiver.iter() {
            last_finish = last_finish.max(outcome.finished_at);
            recorder.record(outcome);
        }
        failure
    });
    if let Some(error) = thread_failure {
        return Err(LoadError::Thread(error));
    }
    let max_in_flight = slots.in_flight.max();
    let mut level = recorder.finish(load.concurrency.get(), last_finish, max_in_flight);
    level.mean_in_flight = slots.in_flight.mean();
    Ok(level)
}

/// State the slots share.
#[derive(Debug, Default)]
struct Slots {
    /// Operations claimed so far (for the operation-count bound).
    claimed: AtomicU64,
    /// Set when the level cannot run as asked; slots stop starting operations.
    abort: AtomicBool,
    in_flight: InFlight,
}

fn run_slot(
    load: &ClosedLoad,
    clock: &dyn Clock,
    level_start: Duration,
    slots: &Slots,
    outcomes: &mpsc::Sender<Outcome>,
) {
    loop {
        if slots.abort.load(Ordering::SeqCst) {
            return;
        }
        let start = clock.now();
        if let Some(duration) = load.stop.duration()
            && start.saturating_sub(level_start) >= duration
        {
            return;
        }
        if let Some(limit) = load.stop.operations()
            && slots.claimed.fetch_add(1, Ordering::SeqCst) >= limit
        {
            return;
        }
        let ended = run_operation(&load.command, load.timeout, &slots.in_flight);
        let end = clock.now();
        let outcome = Outcome {
            finished_at: end.saturating_sub(level_start),
            latency: end.saturating_sub(start),
            service_time: None,
            error: ended.error,
            message: ended.message,
            values: ended.values,
        };
        if outcomes.send(outcome).is_err() {
            return;
        }
    }
}
