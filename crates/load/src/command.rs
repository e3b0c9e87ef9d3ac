//! One operation: the command started as a real child process (no shell), in its own process
//! group so a timeout kills everything it started, watched until it ends or its timeout passes.
//! Its stderr's last [`STDERR_TAIL_BYTES`] are kept only to explain a failure; its stdout is
//! captured (up to [`MAX_OUTPUT_BYTES`]) only when an output inspector reads it, else it goes to
//! `/dev/null`.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error_kind::{ErrorKind, MAX_EXAMPLE_CHARS};

/// Largest stdout an output inspector is given; a longer one fails the operation
/// (`output-check`) rather than growing the runner's memory with the output.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
/// How much of a command's stderr is kept (its end) to explain a failure.
pub const STDERR_TAIL_BYTES: usize = 4096;

/// Reads a successful operation's stdout: `Ok(values)` are the operation's output-metric values
/// (by metric definition order), `Err(message)` fails it as `output-check`.
pub type OutputInspector = Arc<dyn Fn(&[u8]) -> Result<Vec<f64>, String> + Send + Sync>;

/// Watches each operation's start, so the caller can have an interrupt kill the operations in
/// flight (benchgate-measure's `hold_interrupts` and `kill_group_on_interrupt`) without this
/// crate installing signal handlers. Every operation leads a process group of its own.
pub trait StartWatch: Send + Sync {
    /// Before the operation's process starts; dropped once [`StartWatch::started`] returned.
    fn starting(&self) -> Box<dyn Send>;
    /// Right after it started, with its pid (= its process group); dropped once it is reaped.
    fn started(&self, pid: u32) -> Box<dyn Send>;
}

/// A shared [`StartWatch`].
pub type StartHook = Arc<dyn StartWatch>;

/// The command each operation runs: started directly (no shell), stdin from `/dev/null` or a
/// file opened anew for each operation, extra environment variables, stdout to `/dev/null`
/// unless an output inspector reads it.
#[derive(Clone)]
pub struct CommandSpec {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub current_dir: Option<PathBuf>,
    /// A file each operation reads as its stdin (opened per operation); `/dev/null` when unset.
    pub stdin: Option<PathBuf>,
    /// Variables set in the command's environment, on top of the runner's own.
    pub env: Vec<(OsString, OsString)>,
    /// When set, each operation's stdout is captured and given to it after a successful exit.
    pub inspect_output: Option<OutputInspector>,
    /// See [`StartHook`].
    pub on_start: Option<StartHook>,
}

impl fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandSpec")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("current_dir", &self.current_dir)
            .field("stdin", &self.stdin)
            .field("env", &self.env)
            .field(
                "inspect_output",
                &self.inspect_output.as_ref().map(|_| "<fn>"),
            )
            .field("on_start", &self.on_start.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

/// Inspectors compare by identity (the same closure), everything else by value.
impl PartialEq for CommandSpec {
    fn eq(&self, other: &Self) -> bool {
        let same_inspector = match (&self.inspect_output, &other.inspect_output) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        let same_hook = match (&self.on_start, &other.on_start) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.program == other.program
            && self.args == other.args
            && self.current_dir == other.current_dir
            && self.stdin == other.stdin
            && self.env == other.env
            && same_inspector
            && same_hook
    }
}

impl Eq for CommandSpec {}

impl CommandSpec {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            current_dir: None,
            stdin: None,
            env: Vec::new(),
            inspect_output: None,
            on_start: None,
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

    pub fn stdin_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.stdin = Some(path.into());
        self
    }

    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn inspect_output(mut self, inspector: OutputInspector) -> Self {
        self.inspect_output = Some(inspector);
        self
    }

    /// The command for one operation; `Err` (a message) when its stdin file cannot be opened.
    fn to_command(&self) -> Result<Command, String> {
        let stdin = match &self.stdin {
            None => Stdio::null(),
            Some(path) => match File::open(path) {
                Ok(file) => Stdio::from(file),
                Err(error) => {
                    return Err(format!("cannot open stdin {}: {error}", path.display()));
                }
            },
        };
        let stdout = if self.inspect_output.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .stdin(stdin)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        Ok(command)
    }
}

/// The runner's count of operations in flight (started and not yet reaped), its maximum, and
/// its integral over time (each operation adds its time from start to reap). The integral is in
/// real time, not the runner's [`Clock`](crate::Clock), which tests replace: the clock's
/// readings are the tests' to count.
#[derive(Debug)]
pub(crate) struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
    origin: Instant,
    area_nanos: AtomicU64,
    /// The latest reap, in nanoseconds from `origin`.
    last_reap_nanos: AtomicU64,
}

impl Default for InFlight {
    fn default() -> Self {
        Self {
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
            origin: Instant::now(),
            area_nanos: AtomicU64::new(0),
            last_reap_nanos: AtomicU64::new(0),
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl InFlight {
    pub(crate) fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    /// The count averaged from the level's start to its last reap; `None` before any reap.
    pub(crate) fn mean(&self) -> Option<f64> {
        let span = self.last_reap_nanos.load(Ordering::SeqCst);
        (span > 0).then(|| self.area_nanos.load(Ordering::SeqCst) as f64 / span as f64)
    }
}

/// How one operation ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OperationEnd {
    /// `None` on success.
    pub(crate) error: Option<ErrorKind>,
    /// Why it failed (`exit:1: <stderr tail>`), at most [`MAX_EXAMPLE_CHARS`] characters.
    pub(crate) message: Option<String>,
    /// The output inspector's values (empty without one or on failure).
    pub(crate) values: Vec<f64>,
}

impl OperationEnd {
    fn failed(kind: ErrorKind, detail: &str) -> Self {
        Self {
            error: Some(kind),
            message: Some(failure_message(kind, detail)),
            values: Vec::new(),
        }
    }
}

/// `kind: detail`, the detail's end kept (and whitespace folded) so the whole fits the example
/// limit: a stderr's last line usually says what went wrong.
fn failure_message(kind: ErrorKind, detail: &str) -> String {
    let prefix = kind.to_string();
    let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    if detail.is_empty() {
        return prefix;
    }
    let room = MAX_EXAMPLE_CHARS.saturating_sub(prefix.chars().count() + 2);
    let chars = detail.chars().count();
    if chars <= room {
        return format!("{prefix}: {detail}");
    }
    let tail: String = detail
        .chars()
        .skip(chars - room.saturating_sub(1))
        .collect();
    format!("{prefix}: …{tail}")
}

/// Runs the command once.
pub(crate) fn run_operation(
    command: &CommandSpec,
    timeout: Option<Duration>,
    in_flight: &InFlight,
) -> OperationEnd {
    let mut process = match command.to_command() {
        Ok(process) => process,
        Err(message) => return OperationEnd::failed(ErrorKind::Spawn, &message),
    };
    let starting = command.on_start.as_ref().map(|watch| watch.starting());
    let mut child = match process.spawn() {
        Ok(child) => child,
        Err(error) => return OperationEnd::failed(ErrorKind::Spawn, &error.to_string()),
    };
    let started = command
        .on_start
        .as_ref()
        .map(|watch| watch.started(child.id()));
    drop(starting);
    // In flight from a successful start until it is reaped: the runner's own count of overlap.
    let now_in_flight = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
    in_flight.max.fetch_max(now_in_flight, Ordering::SeqCst);
    let entered = Instant::now();
    let deadline = timeout.map(|timeout| Instant::now() + timeout);
    let ended = supervise(&mut child, deadline);
    // Reaped: the group may be gone, and its id reused by a later process.
    drop(started);
    let reaped = Instant::now();
    in_flight
        .area_nanos
        .fetch_add(nanos(reaped - entered), Ordering::SeqCst);
    in_flight
        .last_reap_nanos
        .fetch_max(nanos(reaped - in_flight.origin), Ordering::SeqCst);
    in_flight.now.fetch_sub(1, Ordering::SeqCst);
    let (status, output) = match ended {
        Ok(ended) => ended,
        // Waiting failed (the child was reaped elsewhere): it never ran to a known end.
        Err(error) => return OperationEnd::failed(ErrorKind::Spawn, &error.to_string()),
    };
    let stderr_tail = String::from_utf8_lossy(&output.stderr_tail);
    let Some(status) = status else {
        let timeout = timeout.unwrap_or_default();
        let detail = format!("killed after {timeout:?} {stderr_tail}");
        return OperationEnd::failed(ErrorKind::Timeout, &detail);
    };
    if let Some(kind) = ErrorKind::from_status(status.code(), status.signal()) {
        return OperationEnd::failed(kind, &stderr_tail);
    }
    let Some(inspect) = &command.inspect_output else {
        return OperationEnd {
            error: None,
            message: None,
            values: Vec::new(),
        };
    };
    if output.stdout_overflowed {
        return OperationEnd::failed(ErrorKind::OutputCheck, "output larger than 1 MiB");
    }
    match inspect(&output.stdout) {
        Ok(values) => OperationEnd {
            error: None,
            message: None,
            values,
        },
        Err(message) => OperationEnd::failed(ErrorKind::OutputCheck, &message),
    }
}

/// What was read from the child's pipes.
#[derive(Debug, Default)]
struct Output {
    stdout: Vec<u8>,
    stdout_overflowed: bool,
    stderr_tail: Vec<u8>,
}

/// One of the child's pipes being read without blocking.
struct Pipe {
    file: File,
    is_stdout: bool,
}

/// Reads the child's pipes while waiting for it to exit or for `deadline`; past the deadline,
/// kills its process group and reaps it (status `None`). Killing before reaping is race-free: the
/// unreaped child keeps its pid and group id from reuse. After the exit, whatever is left in the
/// pipes is read without waiting for their end: a background process the command left running
/// may hold them open.
fn supervise(
    child: &mut Child,
    deadline: Option<Instant>,
) -> io::Result<(Option<ExitStatus>, Output)> {
    let mut pipes: Vec<Pipe> = Vec::with_capacity(2);
    if let Some(stdout) = child.stdout.take() {
        pipes.push(Pipe {
            file: File::from(std::os::fd::OwnedFd::from(stdout)),
            is_stdout: true,
        });
    }
    if let Some(stderr) = child.stderr.take() {
        pipes.push(Pipe {
            file: File::from(std::os::fd::OwnedFd::from(stderr)),
            is_stdout: false,
        });
    }
    for pipe in &pipes {
        set_nonblocking(&pipe.file)?;
    }
    let mut output = Output::default();
    #[cfg(target_os = "linux")]
    let pidfd = pidfd::PidFd::open(child.id());
    #[cfg(not(target_os = "linux"))]
    let pidfd: Option<std::os::fd::OwnedFd> = None;
    let mut pause = Duration::from_micros(50);
    loop {
        if let Some(status) = child.try_wait()? {
            for pipe in &mut pipes {
                read_available(pipe, &mut output);
            }
            return Ok((Some(status), output));
        }
        let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if left.is_some_and(|left| left.is_zero()) {
            kill_group(child);
            child.wait()?;
            return Ok((None, output));
        }
        // Without a pidfd nothing wakes poll when the child exits: check again after a short,
        // growing pause.
        let wait = match (&pidfd, left) {
            (Some(_), left) => left,
            (None, Some(left)) => Some(left.min(pause)),
            (None, None) => Some(pause),
        };
        pause = (pause * 2).min(Duration::from_millis(2));
        let mut fds: Vec<libc::pollfd> = pipes
            .iter()
            .map(|pipe| pollfd(pipe.file.as_raw_fd()))
            .collect();
        if let Some(pidfd) = &pidfd {
            fds.push(pollfd(pidfd.as_raw_fd()));
        }
        // Round up so a sub-millisecond remainder still waits rather than spinning.
        let millis = wait.map_or(-1, |wait| {
            i32::try_from(wait.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
        });
        let count = libc::nfds_t::try_from(fds.len()).unwrap_or(0);
        // SAFETY: `fds` holds `count` valid pollfds for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), count, millis) };
        if ready < 0 {
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
            continue;
        }
        let mut ended = Vec::new();
        for (index, pipe) in pipes.iter_mut().enumerate() {
            if fds[index].revents != 0 && read_available(pipe, &mut output) {
                ended.push(index);
            }
        }
        for index in ended.into_iter().rev() {
            pipes.remove(index);
        }
    }
}

fn pollfd(fd: i32) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

fn set_nonblocking(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns; no memory is involved.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads what the pipe holds now; `true` at its end (or on a read error: nothing more to get).
fn read_available(pipe: &mut Pipe, output: &mut Output) -> bool {
    let mut buffer = [0u8; 8192];
    loop {
        match pipe.file.read(&mut buffer) {
            Ok(0) => return true,
            Ok(read) => {
                let chunk = &buffer[..read];
                if pipe.is_stdout {
                    // Past the cap the rest is read and dropped, so the command is never
                    // blocked on a full pipe.
                    if output.stdout.len() + chunk.len() > MAX_OUTPUT_BYTES {
                        output.stdout_overflowed = true;
                    } else {
                        output.stdout.extend_from_slice(chunk);
                    }
                } else {
                    output.stderr_tail.extend_from_slice(chunk);
                    let excess = output.stderr_tail.len().saturating_sub(STDERR_TAIL_BYTES);
                    output.stderr_tail.drain(..excess);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

fn kill_group(child: &mut Child) {
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    // Already dead or group signalled above; the error is only "already exited".
    let _ = child.kill();
}

#[cfg(target_os = "linux")]
mod pidfd {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

    /// A descriptor that becomes readable when the process exits.
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
    }

    impl AsRawFd for PidFd {
        fn as_raw_fd(&self) -> RawFd {
            self.0.as_raw_fd()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_messages_keep_the_end_of_long_details() {
        assert_eq!(
            failure_message(ErrorKind::Exit(1), "  boom\n  bad thing\n"),
            "exit:1: boom bad thing"
        );
        assert_eq!(failure_message(ErrorKind::Timeout, " \n"), "timeout");
        let long = format!("start {} end", "y".repeat(400));
        let message = failure_message(ErrorKind::Signal(9), &long);
        assert_eq!(message.chars().count(), 200);
        assert!(message.starts_with("signal:9: …yyy"), "{message}");
        assert!(message.ends_with("yyy end"), "{message}");
    }
}
