//! The spawner process: reads one request at a time, starts the program, reaps it and replies.
//!
//! It runs in the child of the `fork` in [`super::start_spawner`], on that child's only thread,
//! and never returns into the caller's `main`. Its resident set is the floor of every child's
//! `ru_maxrss` (a `posix_spawn`ed child shares its memory until `exec`), so it keeps that set small
//! and constant: no per-request state survives a request except one receive buffer (cut back after
//! a large message), one reply buffer and the stdin file of the current runner; the standard
//! descriptors of the children are its own descriptors 0, 1 and 2, switched with `dup2` only
//! when a request needs other ones, so a run opens nothing.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, PipeReader, PipeWriter, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::wire::{self, FailKind, Reply, Request, RunRequest};
use crate::process::{self, Exec};
use crate::{MeasureError, sys};

/// The spawner's `main`: returns its exit code.
pub(super) fn main(requests: PipeReader, replies: PipeWriter, parent: u32) -> i32 {
    // Die with the main process however it ends (even SIGKILL): the handler below then kills the
    // run in flight. EOF on the request pipe ends an idle spawner as well.
    let _ = sys::set_parent_death_signal(libc::SIGTERM);
    if std::os::unix::process::parent_id() != parent {
        // The main process died before the line above took effect.
        return 0;
    }
    let _ = sys::set_process_name(c"benchgate-spawn");
    // What the commands leave running is re-parented here, found and killed after each run.
    crate::leftovers::become_subreaper();
    crate::leftovers::every_child_is_measured();
    if sys::install_interrupt_handlers().is_err() {
        return 1;
    }
    // Close-on-exec again (it was cleared to pass them to this program), and above 2.
    let (Ok(mut requests), Ok(mut replies)) = (private(requests), private(replies)) else {
        return 1;
    };
    let Ok(mut spawner) = Spawner::new() else {
        return 1;
    };
    // What the main process allocated before forking is of no use here, and neither are the
    // pages of program text and data that start-up touched: from here on the resident set is
    // what serving touches, the same pages every time.
    sys::release_free_memory();
    sys::drop_clean_file_pages();
    let mut inbuf = Vec::new();
    let mut outbuf = Vec::new();
    loop {
        let body = match wire::read_frame(&mut requests, &mut inbuf, wire::MAX_REQUEST) {
            Ok(Some(body)) => body,
            // The main process closed its end: it is done (or dead).
            Ok(None) => return 0,
            Err(_) => return 1,
        };
        spawner.handle(body, &mut outbuf, &mut replies);
        if replies.write_all(&outbuf).is_err() {
            return 1;
        }
        if wire::trim_buffer(&mut inbuf) {
            sys::release_free_memory();
        }
    }
}

/// A close-on-exec duplicate of `handle` numbered above 2 (std duplicates with
/// F_DUPFD_CLOEXEC from 3); the original is closed.
fn private<T: From<OwnedFd> + AsFd>(handle: T) -> io::Result<T> {
    Ok(T::from(handle.as_fd().try_clone_to_owned()?))
}

/// Moves a descriptor above the standard ones (0–2), which the spawner redirects for its
/// children. They are only ever that low if the main process started with one of them closed.
fn high<T: From<OwnedFd> + AsFd>(handle: T) -> io::Result<T> {
    if handle.as_fd().as_raw_fd() > 2 {
        return Ok(handle);
    }
    // std duplicates with F_DUPFD_CLOEXEC starting at 3.
    let moved = handle.as_fd().try_clone_to_owned()?;
    Ok(T::from(moved))
}

/// What descriptor 0 currently is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fd0 {
    Unknown,
    Null,
    /// The cached seekable stdin file.
    Stdin,
}

/// What descriptors 1 and 2 currently are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outputs {
    Unknown,
    /// `/dev/null` and the capture file.
    Quiet,
    /// The main process's own stdout and stderr.
    Shown,
    /// The stdout file of the request, and the capture file or (`show`) the main process's stderr.
    Captured {
        show: bool,
    },
}

enum Input {
    /// Rewound before each run; descriptor 0 shares its offset.
    Seekable(File),
    /// Pipes, FIFOs, …: opened for each run (the first opening is kept for the first run).
    Reopen(Option<File>),
}

struct StdinFile {
    generation: u64,
    path: PathBuf,
    input: Input,
}

struct Spawner {
    devnull: File,
    capture: Option<File>,
    /// The main process's stdout and stderr (for `show_output`).
    stdout: Option<OwnedFd>,
    stderr: Option<OwnedFd>,
    clear_refs: Option<File>,
    stdin: Option<StdinFile>,
    /// The stdout file of the current runner's requests (its generation and name).
    stdout_file: Option<(u64, PathBuf, File)>,
    fd0: Fd0,
    outputs: Outputs,
}

/// A failure to report: its kind, and the error.
struct Failed {
    kind: FailKind,
    error: io::Error,
    context: &'static str,
}

fn failed(kind: FailKind, context: &'static str) -> impl FnOnce(io::Error) -> Failed {
    move |error| Failed {
        kind,
        error,
        context,
    }
}

impl Spawner {
    fn new() -> io::Result<Self> {
        let devnull = high(File::options().read(true).write(true).open("/dev/null")?)?;
        let capture = process::capture_file().and_then(|f| high(f).ok());
        // Opened here, after the fork: the file acts on the process that opened it.
        let clear_refs = process::open_clear_refs().and_then(|f| high(f).ok());
        Ok(Spawner {
            devnull,
            capture,
            stdout: io::stdout().as_fd().try_clone_to_owned().ok(),
            stderr: io::stderr().as_fd().try_clone_to_owned().ok(),
            clear_refs,
            stdin: None,
            stdout_file: None,
            fd0: Fd0::Unknown,
            outputs: Outputs::Unknown,
        })
    }

    /// Answers one request into `out`; a pid frame, if asked for, goes straight to `replies`.
    fn handle(&mut self, body: &[u8], out: &mut Vec<u8>, replies: &mut PipeWriter) {
        let req = match Request::decode(body) {
            Ok(Request::Run(req)) => req,
            Ok(Request::Release { key }) => {
                let leftovers = crate::leftovers::release(key);
                Reply::Released { leftovers }.encode(out);
                return;
            }
            Err(wire::Malformed) => {
                Reply::Failed {
                    kind: FailKind::Protocol,
                    errno: 0,
                    message: b"malformed request",
                }
                .encode(out);
                return;
            }
        };
        let mut announced = false;
        let result = if req.report_pid {
            // A failed write shows again, and ends the spawner, when the reply is written.
            let mut announce = |pid: libc::pid_t| {
                announced = true;
                let _ = replies.write_all(&wire::encode_started(pid));
            };
            self.run(&req, Some(&mut announce))
        } else {
            self.run(&req, None)
        };
        if req.report_pid && !announced {
            let _ = replies.write_all(&wire::encode_started(0));
        }
        match result {
            Ok((exec, tail)) => Reply::Ran {
                outcome: exec.outcome,
                wall_ns: exec.wall_ns,
                user_ns: exec.user_ns,
                sys_ns: exec.sys_ns,
                max_rss_bytes: exec.max_rss_bytes,
                leftovers: exec.leftovers,
                stderr_tail: tail.as_bytes(),
            }
            .encode(out),
            Err(f) => {
                let errno = f.error.raw_os_error().unwrap_or(0);
                // With an errno the main process rebuilds the error; without one it gets the text.
                let message = if errno == 0 {
                    format!("{}: {}", f.context, f.error)
                } else {
                    f.context.to_owned()
                };
                Reply::Failed {
                    kind: f.kind,
                    errno,
                    message: message.as_bytes(),
                }
                .encode(out);
            }
        }
    }

    fn run(
        &mut self,
        req: &RunRequest<'_>,
        on_spawn: Option<&mut dyn FnMut(libc::pid_t)>,
    ) -> Result<(Exec, String), Failed> {
        match req.stdin {
            Some(path) => self.stdin_file(req.generation, path)?,
            None => {
                if self.fd0 != Fd0::Null {
                    sys::redirect(&self.devnull, 0)
                        .map_err(failed(FailKind::Io, "cannot redirect stdin"))?;
                    self.fd0 = Fd0::Null;
                }
            }
        }
        if let Some(path) = req.stdout {
            self.stdout_file(req.generation, path)?;
        }
        self.outputs(req.show_output, req.stdout.is_some())
            .map_err(failed(FailKind::Io, "cannot redirect stdout/stderr"))?;

        // Descriptors are inherited: the spawner's own 0, 1 and 2 are the child's.
        let mut argv = req.argv();
        let mut cmd = Command::new(OsStr::from_bytes(req.path));
        if let Some(arg0) = argv.next() {
            cmd.arg0(OsStr::from_bytes(arg0));
        }
        cmd.args(argv.map(OsStr::from_bytes));
        cmd.process_group(0);
        if let Some(dir) = req.cwd {
            cmd.current_dir(OsStr::from_bytes(dir));
        }
        for (name, value) in req.env() {
            match value {
                Some(v) => cmd.env(OsStr::from_bytes(name), OsStr::from_bytes(v)),
                None => cmd.env_remove(OsStr::from_bytes(name)),
            };
        }
        let timeout = (req.timeout_ns > 0).then(|| Duration::from_nanos(req.timeout_ns));

        process::reset_peak_rss(self.clear_refs.as_ref());
        let keep = (req.keep != 0).then_some(req.keep);
        let exec =
            process::execute(&mut cmd, "", timeout, keep, on_spawn).map_err(|e| match e {
                MeasureError::Spawn { source, .. } => failed(FailKind::Spawn, "spawn")(source),
                MeasureError::Io { source, .. } => {
                    failed(FailKind::Io, "waiting for a child")(source)
                }
                other => {
                    failed(FailKind::Io, "running a child")(io::Error::other(other.to_string()))
                }
            })?;
        let tail = match (&mut self.capture, self.outputs) {
            (Some(capture), Outputs::Quiet | Outputs::Captured { show: false }) => {
                let want = req.tail_on_failure && !exec.outcome.success();
                process::take_captured(capture, want).map_err(|e| match e {
                    MeasureError::Io { source, .. } => {
                        failed(FailKind::Io, "cannot read or empty the stderr capture")(source)
                    }
                    other => {
                        failed(FailKind::Io, "stderr capture")(io::Error::other(other.to_string()))
                    }
                })?
            }
            _ => String::new(),
        };
        Ok((exec, tail))
    }

    /// Makes descriptor 0 the stdin file at its start.
    fn stdin_file(&mut self, generation: u64, path: &[u8]) -> Result<(), Failed> {
        let current = self
            .stdin
            .as_ref()
            .is_some_and(|s| s.generation == generation && s.path.as_os_str().as_bytes() == path);
        if !current {
            // A new runner: open afresh (the file may have been replaced since).
            self.stdin = None;
            self.fd0 = Fd0::Unknown;
            let path = PathBuf::from(OsStr::from_bytes(path));
            let mut file = File::open(&path).map_err(failed(FailKind::Stdin, "stdin"))?;
            let seekable =
                file.seek(SeekFrom::Start(0)).is_ok() && file.metadata().is_ok_and(|m| m.is_file());
            let input = if seekable {
                Input::Seekable(high(file).map_err(failed(FailKind::Io, "stdin descriptor"))?)
            } else {
                Input::Reopen(Some(file))
            };
            self.stdin = Some(StdinFile {
                generation,
                path,
                input,
            });
        }
        let Some(stdin) = &mut self.stdin else {
            return Ok(());
        };
        match &mut stdin.input {
            Input::Seekable(file) => {
                file.seek(SeekFrom::Start(0))
                    .map_err(failed(FailKind::Io, "cannot rewind stdin file"))?;
                if self.fd0 != Fd0::Stdin {
                    sys::redirect(file, 0)
                        .map_err(failed(FailKind::Io, "cannot redirect stdin"))?;
                    self.fd0 = Fd0::Stdin;
                }
            }
            Input::Reopen(first) => {
                let file = match first.take() {
                    Some(f) => f,
                    None => File::open(&stdin.path).map_err(failed(FailKind::Stdin, "stdin"))?,
                };
                // Descriptor 0 keeps the file open; this handle closes.
                let r = sys::redirect(&file, 0);
                self.fd0 = Fd0::Unknown;
                r.map_err(failed(FailKind::Io, "cannot redirect stdin"))?;
            }
        }
        Ok(())
    }

    /// Opens the stdout file of a new runner (the main process's capture file), for appending.
    fn stdout_file(&mut self, generation: u64, path: &[u8]) -> Result<(), Failed> {
        let current = self
            .stdout_file
            .as_ref()
            .is_some_and(|(g, p, _)| *g == generation && p.as_os_str().as_bytes() == path);
        if current {
            return Ok(());
        }
        self.stdout_file = None;
        self.outputs = Outputs::Unknown;
        let path = PathBuf::from(OsStr::from_bytes(path));
        let file = File::options()
            .append(true)
            .open(&path)
            .and_then(high)
            .map_err(failed(FailKind::Io, "cannot open the stdout capture"))?;
        self.stdout_file = Some((generation, path, file));
        Ok(())
    }

    fn outputs(&mut self, show: bool, capture: bool) -> io::Result<()> {
        let want = match (show, capture) {
            (show, true) => Outputs::Captured { show },
            (true, false) => Outputs::Shown,
            (false, false) => Outputs::Quiet,
        };
        if self.outputs == want {
            return Ok(());
        }
        self.outputs = Outputs::Unknown;
        let devnull = self.devnull.as_fd();
        let stdout = match (&self.stdout_file, capture, show) {
            (Some((_, _, file)), true, _) => file.as_fd(),
            (_, _, true) => self.stdout.as_ref().map_or(devnull, |f| f.as_fd()),
            _ => devnull,
        };
        sys::redirect(&stdout, 1)?;
        if show {
            sys::redirect(&self.stderr.as_ref().map_or(devnull, |f| f.as_fd()), 2)?;
        } else {
            sys::redirect(&self.capture.as_ref().map_or(devnull, |f| f.as_fd()), 2)?;
        }
        self.outputs = want;
        Ok(())
    }
}
