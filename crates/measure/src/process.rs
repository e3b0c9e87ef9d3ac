//! Starting, timing and reaping one process; program lookup for the preflight check.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Invocation, MeasureError, Outcome, leftovers, sys};

/// Finds executables like `execvp` would, caching answers so large parameter scans stay cheap.
#[derive(Default)]
pub(crate) struct Resolver {
    cache: HashMap<String, Option<PathBuf>>,
}

impl Resolver {
    pub(crate) fn resolve(&mut self, program: &str) -> Result<PathBuf, MeasureError> {
        self.resolve_in(program, None)
    }

    /// [`Resolver::resolve`] for a command that runs in `cwd`: a relative path with a `/` is
    /// taken from there (as the child's `execvp` would).
    pub(crate) fn resolve_in(
        &mut self,
        program: &str,
        cwd: Option<&Path>,
    ) -> Result<PathBuf, MeasureError> {
        let program_in_cwd;
        let program = match cwd {
            Some(dir) if program.contains('/') && !program.starts_with('/') => {
                // Absolute: the child changes directory before it executes the program.
                let joined = dir.join(program);
                program_in_cwd = std::path::absolute(&joined)
                    .unwrap_or(joined)
                    .display()
                    .to_string();
                program_in_cwd.as_str()
            }
            _ => program,
        };
        if let Some(hit) = self.cache.get(program) {
            return hit.clone().ok_or_else(|| MeasureError::CommandNotFound {
                command: program.to_owned(),
            });
        }
        let found = lookup(program);
        self.cache.insert(program.to_owned(), found.clone());
        found.ok_or_else(|| MeasureError::CommandNotFound {
            command: program.to_owned(),
        })
    }

    /// Program path and the arguments that precede the user's (for `Shell`: the shell's own
    /// words and `-c`), for a command that runs in `cwd` (`None`: ours).
    pub(crate) fn program_in(
        &mut self,
        inv: &Invocation,
        cwd: Option<&Path>,
    ) -> Result<(PathBuf, Vec<String>), MeasureError> {
        let all = inv.argv()?;
        let path = match all.first() {
            Some(argv0) => self.resolve_in(argv0, cwd)?,
            None => {
                return Err(MeasureError::EmptyCommand {
                    what: "command".to_owned(),
                });
            }
        };
        Ok((path, all))
    }
}

fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn lookup(program: &str) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_executable_file(&p).then_some(p);
    }
    // Same default as glibc's execvp when PATH is unset.
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/bin:/usr/bin"));
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable_file(p))
}

/// Builds the reusable `Command`: resolved program (so the child does no PATH search inside the
/// timed window), the user's argv[0], and its own process group so a timeout can kill everything.
pub(crate) fn build_command(path: &Path, argv: &[String]) -> Command {
    let mut cmd = Command::new(path);
    if let Some((arg0, rest)) = argv.split_first() {
        cmd.arg0(arg0);
        cmd.args(rest);
    }
    cmd.process_group(0);
    cmd
}

/// The stdin source of measured runs.
pub(crate) enum Input {
    Null,
    /// Rewound before each run; the child's descriptor shares our file offset.
    Seekable(File),
    /// Pipes, FIFOs, …: re-opened for each run.
    Reopen(PathBuf),
}

/// Descriptors shared by all runs.
pub(crate) struct Io {
    devnull: File,
    pub(crate) input: Input,
    /// stderr capture (memfd), `None` with `show_output` or if no capture file could be made.
    capture: Option<File>,
    /// `/proc/self/clear_refs`, to reset our own peak RSS before each spawn (see
    /// [`Io::reset_peak_rss`]); `None` where it cannot be opened.
    clear_refs: Option<File>,
    show_output: bool,
}

/// Bytes of stderr kept for a failure report.
const TAIL_BYTES: u64 = 2048;
const TAIL_LINES: usize = 20;

impl Io {
    pub(crate) fn new(stdin: Option<&Path>, show_output: bool) -> Result<Self, MeasureError> {
        let devnull = File::options()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(|e| MeasureError::io("cannot open /dev/null", e))?;
        let input = match stdin {
            None => Input::Null,
            Some(path) => {
                let mut f = File::open(path).map_err(|source| MeasureError::Stdin {
                    path: path.to_owned(),
                    source,
                })?;
                if f.seek(SeekFrom::Start(0)).is_ok() && f.metadata().is_ok_and(|m| m.is_file()) {
                    Input::Seekable(f)
                } else {
                    Input::Reopen(path.to_owned())
                }
            }
        };
        let capture = if show_output { None } else { capture_file() };
        let clear_refs = open_clear_refs();
        Ok(Io {
            devnull,
            input,
            capture,
            clear_refs,
            show_output,
        })
    }

    fn dup(file: &File, what: &str) -> Result<Stdio, MeasureError> {
        file.try_clone()
            .map(Stdio::from)
            .map_err(|e| MeasureError::io(format!("cannot duplicate {what}"), e))
    }

    /// Gives `cmd` its descriptors. `main` commands get the stdin file, others /dev/null.
    pub(crate) fn attach(&self, cmd: &mut Command, main: bool) -> Result<(), MeasureError> {
        let stdin = match (&self.input, main) {
            (Input::Seekable(f), true) => Self::dup(f, "stdin file")?,
            (Input::Reopen(path), true) => {
                Stdio::from(File::open(path).map_err(|source| MeasureError::Stdin {
                    path: path.clone(),
                    source,
                })?)
            }
            _ => Self::dup(&self.devnull, "/dev/null")?,
        };
        cmd.stdin(stdin);
        if self.show_output {
            cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        } else {
            cmd.stdout(Self::dup(&self.devnull, "/dev/null")?);
            cmd.stderr(match &self.capture {
                Some(f) => Self::dup(f, "stderr capture file")?,
                None => Self::dup(&self.devnull, "/dev/null")?,
            });
        }
        Ok(())
    }

    /// Lowers our own peak RSS to the current RSS. A child created by vfork (as posix_spawn does)
    /// inherits, at exec, the high-water mark of the memory it shared with us, so without this
    /// every child's `ru_maxrss` would be at least benchgate's own *peak* so far (which grows as a
    /// run goes on). After it, the floor is benchgate's current RSS, which stays put between runs.
    pub(crate) fn reset_peak_rss(&self) {
        reset_peak_rss(self.clear_refs.as_ref());
    }

    /// Drops `cmd`'s descriptors (keeps the descriptor count bounded with many commands).
    pub(crate) fn detach(cmd: &mut Command) {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }

    /// Before a measured run: rewind (or re-open) the stdin file.
    pub(crate) fn prepare_input(&mut self, cmd: &mut Command) -> Result<(), MeasureError> {
        match &mut self.input {
            Input::Null => Ok(()),
            Input::Seekable(f) => f
                .seek(SeekFrom::Start(0))
                .map(drop)
                .map_err(|e| MeasureError::io("cannot rewind stdin file", e)),
            Input::Reopen(path) => {
                let f = File::open(&*path).map_err(|source| MeasureError::Stdin {
                    path: path.clone(),
                    source,
                })?;
                cmd.stdin(f);
                Ok(())
            }
        }
    }

    /// After a run: returns the stderr tail if `want_tail`, and empties the capture file if the
    /// run wrote anything (a single `lseek` when it did not).
    pub(crate) fn take_stderr(&mut self, want_tail: bool) -> Result<String, MeasureError> {
        match &mut self.capture {
            Some(f) => take_captured(f, want_tail),
            None => Ok(String::new()),
        }
    }
}

/// `/proc/self/clear_refs` of the calling process (the file stays tied to the process that opened
/// it), `None` where it cannot be opened.
pub(crate) fn open_clear_refs() -> Option<File> {
    File::options()
        .write(true)
        .open("/proc/self/clear_refs")
        .ok()
}

/// Lowers the peak RSS of the process `clear_refs` belongs to, to its current RSS (see
/// [`Io::reset_peak_rss`]).
pub(crate) fn reset_peak_rss(clear_refs: Option<&File>) {
    if let Some(mut f) = clear_refs {
        // Best effort: only the floor of max_rss depends on it.
        let _ = f.write_all(b"5");
    }
}

/// After a run: returns the tail of what the run wrote to the capture file `f` if `want_tail`,
/// and empties the file if the run wrote anything (a single `lseek` when it did not).
pub(crate) fn take_captured(f: &mut File, want_tail: bool) -> Result<String, MeasureError> {
    let len = f
        .stream_position()
        .map_err(|e| MeasureError::io("cannot query stderr capture", e))?;
    if len == 0 {
        return Ok(String::new());
    }
    let tail = if want_tail {
        read_tail(f, len)
    } else {
        String::new()
    };
    f.set_len(0)
        .map_err(|e| MeasureError::io("cannot truncate stderr capture", e))?;
    f.seek(SeekFrom::Start(0))
        .map_err(|e| MeasureError::io("cannot rewind stderr capture", e))?;
    Ok(tail)
}

/// An anonymous file to capture a command's stdout in, for its output metrics: every run writes at
/// its end (`O_APPEND`, so emptying it after a run is enough, whoever holds the write side).
pub(crate) fn stdout_capture_file() -> Result<File, MeasureError> {
    let file = sys::memfd(c"benchgate-stdout")
        .or_else(|_| {
            File::options()
                .read(true)
                .write(true)
                .custom_flags(libc::O_TMPFILE)
                .mode(0o600)
                .open(std::env::temp_dir())
        })
        .map_err(|e| MeasureError::io("cannot create a file to capture stdout in", e))?;
    sys::set_append(&file)
        .map_err(|e| MeasureError::io("cannot set O_APPEND on stdout capture", e))?;
    Ok(file)
}

/// What a run wrote to its stdout: the first [`crate::MAX_OUTPUT_BYTES`] + 1 bytes at most (one
/// more than is read for metrics, so too long an output is recognised) and the whole length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CapturedStdout {
    pub head: Vec<u8>,
    pub len: u64,
}

/// After a run: takes what it wrote to the capture file `f` (see [`stdout_capture_file`]), copies
/// all of it to our own stdout if `show`, and empties the file.
pub(crate) fn take_stdout(f: &File, show: bool) -> Result<CapturedStdout, MeasureError> {
    let err = |e| MeasureError::io("cannot read the stdout capture", e);
    let len = f.metadata().map_err(err)?.len();
    let keep = u64::try_from(crate::MAX_OUTPUT_BYTES + 1).unwrap_or(u64::MAX);
    let mut head = Vec::with_capacity(usize::try_from(len.min(keep)).unwrap_or(0));
    let mut chunk = vec![0u8; 64 << 10];
    let mut at = 0u64;
    let mut out = io::stdout().lock();
    while at < len && (show || at < keep) {
        let n = match f.read_at(&mut chunk, at) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e)),
        };
        let room = usize::try_from(keep.saturating_sub(at)).unwrap_or(usize::MAX);
        head.extend_from_slice(&chunk[..n.min(room)]);
        if show {
            // Best effort, as the child's own writes to an inherited stdout would be.
            let _ = out.write_all(&chunk[..n]);
        }
        at += n as u64;
    }
    if show {
        let _ = out.flush();
    }
    f.set_len(0)
        .map_err(|e| MeasureError::io("cannot truncate the stdout capture", e))?;
    Ok(CapturedStdout { head, len })
}

/// An anonymous file to capture stderr in (`None` if none can be made).
pub(crate) fn capture_file() -> Option<File> {
    if let Ok(f) = sys::memfd(c"benchgate-stderr") {
        return Some(f);
    }
    // No memfd (old kernel, seccomp): an unnamed temporary file works the same way.
    File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .mode(0o600)
        .open(std::env::temp_dir())
        .ok()
}

fn read_tail(f: &File, len: u64) -> String {
    let start = len.saturating_sub(TAIL_BYTES);
    let mut buf = vec![0u8; usize::try_from(len - start).unwrap_or(0)];
    let mut filled = 0;
    while filled < buf.len() {
        match f.read_at(&mut buf[filled..], start + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    buf.truncate(filled);
    let text = String::from_utf8_lossy(&buf);
    // A cut in the middle of a line would show a confusing fragment.
    let text = if start > 0 {
        text.split_once('\n').map_or(&*text, |(_, rest)| rest)
    } else {
        &text
    };
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// Measurements of one finished process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exec {
    pub wall_ns: u64,
    pub user_ns: u64,
    pub sys_ns: u64,
    pub max_rss_bytes: u64,
    pub outcome: Outcome,
    /// Processes the run left running, killed and reaped after it (see [`crate::leftovers`]).
    pub leftovers: u32,
}

/// Spawns `cmd` and reaps it, then kills and reaps what it left running, or with `keep` (a
/// `setup` command's key, see [`leftovers`]) keeps it. The timed window is exactly spawn → reap.
/// `on_spawn` is told the child's pid once it runs (memory sampling starts there), inside the
/// timed window.
pub(crate) fn execute(
    cmd: &mut Command,
    display: &str,
    timeout: Option<Duration>,
    keep: Option<u64>,
    on_spawn: Option<&mut dyn FnMut(libc::pid_t)>,
) -> Result<Exec, MeasureError> {
    leftovers::become_subreaper();
    let _one_run_at_a_time = leftovers::serialise();
    // Without it, an interrupt in the instant before the group is published would leave the
    // child running.
    let deferred = sys::InterruptsDeferred::new();
    let start = Instant::now();
    let child = cmd.spawn().map_err(|source| MeasureError::Spawn {
        command: display.to_owned(),
        source,
    })?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|_| {
        MeasureError::io(
            format!("pid of `{display}`"),
            io::Error::other("pid out of range"),
        )
    })?;
    // We reap through wait4 ourselves; std's Child must not be waited on. Dropping it neither
    // kills nor waits.
    drop(child);
    sys::set_active_group(pid);
    // A pending interrupt is handled here, and kills the group just published.
    drop(deferred);
    if let Some(on_spawn) = on_spawn {
        on_spawn(pid);
    }
    let reaped = reap(pid, start, timeout);
    sys::set_active_group(0);
    // Outside the timed window: the number is ours, so no kept group can still have it.
    leftovers::forget_group(pid);
    let (reaped, end, killed) = match reaped {
        Ok(r) => r,
        Err(e) => {
            // Do not leave the child behind if waiting itself failed.
            let _ = sys::kill_group(pid);
            let _ = sys::wait4(pid, false);
            leftovers::kill_leftovers(pid, &HashSet::new(), keep);
            return Err(MeasureError::io(format!("waiting for `{display}`"), e));
        }
    };
    let leftovers =
        leftovers::kill_leftovers(pid, killed.as_ref().unwrap_or(&HashSet::new()), keep);
    let status = reaped.status;
    let outcome = if killed.is_some() {
        Outcome::TimedOut
    } else if libc::WIFEXITED(status) {
        Outcome::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Outcome::Signaled(libc::WTERMSIG(status))
    } else {
        Outcome::Exited(status)
    };
    Ok(Exec {
        wall_ns: u64::try_from(end.duration_since(start).as_nanos()).unwrap_or(u64::MAX),
        user_ns: reaped.user_ns,
        sys_ns: reaped.sys_ns,
        max_rss_bytes: reaped.max_rss_bytes,
        outcome,
        leftovers,
    })
}

/// What [`reap`] returns: the reaped child, when, and on a timeout the descendants killed with it.
type Waited = (sys::Reaped, Instant, Option<HashSet<libc::pid_t>>);

fn reap_blocking(pid: libc::pid_t) -> io::Result<(sys::Reaped, Instant)> {
    match sys::wait4(pid, false)? {
        Some(r) => Ok((r, Instant::now())),
        None => Err(io::Error::other("wait4 returned without a child")),
    }
}

/// Waits for `pid`; with a timeout, kills its tree and process group once `start + timeout` has
/// passed.
fn reap(pid: libc::pid_t, start: Instant, timeout: Option<Duration>) -> io::Result<Waited> {
    let Some(timeout) = timeout else {
        let (r, end) = reap_blocking(pid)?;
        return Ok((r, end, None));
    };
    // No pidfd (kernel < 5.3, seccomp): fall back to polling.
    reap_until(pid, start + timeout, sys::pidfd_open(pid).ok())
}

fn reap_until(
    pid: libc::pid_t,
    deadline: Instant,
    pidfd: Option<std::os::fd::OwnedFd>,
) -> io::Result<Waited> {
    match pidfd {
        Some(pidfd) => loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            // Round up so we never wake just before the deadline and spin.
            let ms = (deadline - now).as_nanos().div_ceil(1_000_000);
            let ms = libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX);
            match sys::poll_readable(&pidfd, ms) {
                Ok(true) => {
                    let (r, end) = reap_blocking(pid)?;
                    return Ok((r, end, None));
                }
                Ok(false) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        },
        None => {
            // Poll with a short, growing nap.
            let mut nap = Duration::from_micros(50);
            loop {
                if let Some(r) = sys::wait4(pid, true)? {
                    return Ok((r, Instant::now(), None));
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                std::thread::sleep(nap.min(deadline - now));
                nap = (nap * 2).min(Duration::from_millis(5));
            }
        }
    }
    // Descendants that left the process group (`setsid`) first, while the tree still leads to
    // them; then the group.
    let killed = leftovers::kill_tree(pid);
    sys::kill_group(pid)?;
    let (r, end) = reap_blocking(pid)?;
    Ok((r, end, Some(killed)))
}

/// `SIGKILL`-style name of a signal number, if it is a common one.
pub(crate) fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGSYS => "SIGSYS",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spawn_group(script: &str) -> (libc::pid_t, Instant) {
        let mut cmd = build_command(
            Path::new("/bin/sh"),
            &["sh".into(), "-c".into(), script.into()],
        );
        let start = Instant::now();
        let child = cmd.spawn().unwrap();
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        drop(child); // reaped by the code under test
        (pid, start)
    }

    #[test]
    fn polling_fallback_times_out_and_reaps() {
        let (pid, start) = spawn_group("sleep 100.4251 & sleep 100.4252");
        let (_, end, killed) = reap_until(pid, start + Duration::from_millis(200), None).unwrap();
        assert!(killed.is_some());
        assert!(end - start >= Duration::from_millis(200));
        // Already reaped: a second wait has no child.
        assert!(sys::wait4(pid, true).is_err());
    }

    #[test]
    fn polling_fallback_sees_normal_exit() {
        let (pid, start) = spawn_group("exit 7");
        let (r, _, killed) = reap_until(pid, start + Duration::from_secs(30), None).unwrap();
        assert!(killed.is_none());
        assert_eq!(libc::WEXITSTATUS(r.status), 7);
    }

    #[test]
    fn stderr_tail_keeps_last_lines_and_whole_lines() {
        let f = sys::memfd(c"t").unwrap();
        let text: String = (0..500).map(|i| format!("line {i}\n")).collect();
        f.write_all_at(text.as_bytes(), 0).unwrap();
        let tail = read_tail(&f, text.len() as u64);
        let lines: Vec<&str> = tail.lines().collect();
        assert_eq!(lines.len(), TAIL_LINES);
        assert_eq!(lines.last(), Some(&"line 499"));
        assert_eq!(lines.first(), Some(&"line 480"));
    }
}
