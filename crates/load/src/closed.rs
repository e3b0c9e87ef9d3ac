//! The closed-model runner: `concurrency` slots, each running the command again as soon as its
//! previous run ends, until the stop bound is reached. Each slot is a thread blocked on its child
//! (no async runtime, no busy polling); outcomes flow to the calling thread, which folds them into
//! a [`LevelRecorder`] as they arrive, so memory does not grow with the operation count.

use std::ffi::OsString;
use std::io;
use std::num::NonZeroUsize;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::clock::{Clock, MonotonicClock};
use crate::error_kind::ErrorKind;
use crate::level::{LevelRecorder, LevelResult, Outcome};

/// The command each operation runs: started directly (no shell), stdin/stdout/stderr to
/// `/dev/null`, in its own process group so a timeout kills everything it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub current_dir: Option<PathBuf>,
}

impl CommandSpec {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            current_dir: None,
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, A>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.current_dir = Some(dir.into());
        self
    }

    fn to_command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        command
    }
}

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
    let max_in_flight = slots.max_in_flight.load(Ordering::SeqCst);
    Ok(recorder.finish(load.concurrency.get(), last_finish, max_in_flight))
}

/// State the slots share.
#[derive(Debug, Default)]
struct Slots {
    /// Operations claimed so far (for the operation-count bound).
    claimed: AtomicU64,
    /// Set when the level cannot run as asked; slots stop starting operations.
    abort: AtomicBool,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
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
        let error = run_operation(&load.command, load.timeout, slots);
        let end = clock.now();
        let outcome = Outcome {
            finished_at: end.saturating_sub(level_start),
            latency: end.saturating_sub(start),
            error,
        };
        if outcomes.send(outcome).is_err() {
            return;
        }
    }
}

/// Runs the command once; `None` on success.
fn run_operation(
    command: &CommandSpec,
    timeout: Option<Duration>,
    slots: &Slots,
) -> Option<ErrorKind> {
    let mut child = match command.to_command().spawn() {
        Ok(child) => child,
        Err(_) => return Some(ErrorKind::Spawn),
    };
    // In flight from a successful start until it is reaped: the runner's own count of overlap.
    let now_in_flight = slots.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    slots
        .max_in_flight
        .fetch_max(now_in_flight, Ordering::SeqCst);
    let ended = match timeout {
        None => child.wait().map(Some),
        Some(timeout) => wait_or_kill(&mut child, timeout),
    };
    slots.in_flight.fetch_sub(1, Ordering::SeqCst);
    match ended {
        Ok(Some(status)) => classify(status),
        Ok(None) => Some(ErrorKind::Timeout),
        // Waiting failed (the child was reaped elsewhere): it never ran to a known end.
        Err(_) => Some(ErrorKind::Spawn),
    }
}

fn classify(status: ExitStatus) -> Option<ErrorKind> {
    ErrorKind::from_status(status.code(), status.signal())
}

/// Waits for the child up to `timeout`; past it, kills its process group and reaps it (`None`).
/// Killing before reaping is race-free: the unreaped child keeps its pid and group id from reuse.
fn wait_or_kill(child: &mut Child, timeout: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    if wait_until(child, deadline)? {
        return child.wait().map(Some);
    }
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    // Already dead or group signalled above; the error is only "already exited".
    let _ = child.kill();
    child.wait()?;
    Ok(None)
}

/// Whether the child exited before `deadline`. Blocks in poll(2) on a pidfd on Linux; elsewhere,
/// or when pidfds are unavailable, polls `try_wait` with a short, growing pause.
fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    if let Some(pidfd) = pidfd::PidFd::open(child.id()) {
        return pidfd.wait_exited(deadline);
    }
    let mut pause = Duration::from_micros(50);
    loop {
        if child.try_wait()?.is_some() {
            return Ok(true);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(2));
    }
}

#[cfg(target_os = "linux")]
mod pidfd {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Instant;

    pub(super) struct PidFd(OwnedFd);

    impl PidFd {
        pub(super) fn open(pid: u32) -> Option<PidFd> {
            let pid = libc::pid_t::try_from(pid).ok()?;
            // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
            let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
            // SAFETY: `fd` was just returned by pidfd_open, so it is open and owned by no one else.
            Some(PidFd(unsafe { OwnedFd::from_raw_fd(fd) }))
        }

        /// Whether the process exited before `deadline` (its pidfd becomes readable).
        pub(super) fn wait_exited(&self, deadline: Instant) -> io::Result<bool> {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                // Round up so a sub-millisecond remainder still waits rather than spinning.
                let millis = i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX);
                let mut poll = libc::pollfd {
                    fd: self.0.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, and its count is 1.
                let ready = unsafe { libc::poll(&mut poll, 1, millis) };
                if ready > 0 {
                    return Ok(true);
                }
                if ready == 0 {
                    if Instant::now() >= deadline {
                        return Ok(false);
                    }
                    continue;
                }
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
}
