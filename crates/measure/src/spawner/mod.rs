//! The spawner: a small process, forked at the very start of `main`, that starts and reaps every
//! process the runner runs, so that the floor of each child's peak RSS is the spawner's small,
//! constant resident set instead of benchgate's own (see [`start_spawner`]).
//!
//! The main process talks to it over two pipes, one request and one reply at a time
//! ([`wire`]). Each request describes a program completely (path, argv, working directory,
//! stdin file, environment changes, timeout, stderr handling); the main process encodes it once
//! per program and sends the same bytes for every run, so a run costs one write and one read on
//! each side. The spawner measures inside its own process, around spawn → reap, so the exchange
//! is outside the timed window.

mod serve;
pub(crate) mod wire;

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, PipeReader, PipeWriter, Read, Write};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use crate::{MeasureError, sys};

static CLIENT: OnceLock<Mutex<Client>> = OnceLock::new();

/// Forks the spawner: from then on, [`crate::run`] and [`crate::run_paired`] in this process
/// have it start and reap every process they run (measured runs, warm-ups, prepare/conclude,
/// setup/cleanup), and report the peak RSS those processes reach on top of the spawner's small,
/// constant resident set rather than on top of this process's own, which grows and varies.
/// Without a spawner they start processes themselves, as before.
///
/// Call it first thing in `main`, before any thread exists and before memory grows: it refuses
/// (with an error, leaving nothing behind) when the process has more than one thread, since a
/// forked child of a multi-threaded process may not allocate. A second call does nothing.
///
/// The spawner ends when this process ends, however it ends (a parent-death signal, and end of
/// file on its request pipe), killing the process group of a run in flight; with
/// [`crate::install_interrupt_handlers`], SIGINT, SIGTERM and SIGHUP reach it as well.
/// (Instruction counts, [`crate::count_instructions`], still run in this process: valgrind's
/// peak RSS is not reported.)
pub fn start_spawner() -> Result<(), MeasureError> {
    if let Some(spawner) = exec_args() {
        // This process is the spawner, executed by the fork below: serve, never return.
        sys::exit_now(serve_executed(spawner));
    }
    if CLIENT.get().is_some() {
        return Ok(());
    }
    let threads = std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .map_err(|e| MeasureError::spawner("cannot count this process's threads", Some(e)))?;
    if threads != 1 {
        return Err(MeasureError::spawner(
            format!("must be started before any other thread (this process has {threads})"),
            None,
        ));
    }
    let pipe = || {
        io::pipe()
            .map_err(|e| MeasureError::spawner("cannot create a pipe to the spawner", Some(e)))
    };
    let (request_reader, request_writer) = pipe()?;
    let (reply_reader, reply_writer) = pipe()?;
    let parent = std::process::id();
    // SAFETY: this process has a single thread (checked just above; nothing here starts one).
    let pid = unsafe { sys::fork() }
        .map_err(|e| MeasureError::spawner("cannot fork the spawner", Some(e)))?;
    if pid == 0 {
        drop(request_writer);
        drop(reply_reader);
        // Never return into the caller's `main`, not even by unwinding.
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            become_spawner(request_reader, reply_writer, parent)
        }))
        .unwrap_or(101);
        sys::exit_now(code);
    }
    drop(request_reader);
    drop(reply_writer);
    sys::set_spawner(pid);
    let client = Client {
        pid,
        requests: request_writer,
        replies: reply_reader,
        buf: Vec::new(),
        env: std::env::vars_os().collect(),
        cwd: std::env::current_dir().ok(),
        generation: 0,
        broken: None,
    };
    // Cannot be taken: checked above, and this process has one thread.
    let _ = CLIENT.set(Mutex::new(client));
    Ok(())
}

/// `argv[1]` of an executed spawner; then the request and reply descriptors and the main
/// process's pid.
const EXEC_FLAG: &str = "--benchgate-internal-spawner-v1";

/// In the forked child: executes this program afresh as the spawner, with address-space
/// randomisation off where the system allows it. A forked copy would keep the main program's
/// layout, and with it a resident set that differs by hundreds of KiB from one run to the next
/// (which pages the kernel maps around each page fault depends on where the random load
/// address puts them); a fresh image at a fixed address touches the same pages every time. If
/// executing fails, this forked copy serves instead.
fn become_spawner(requests: PipeReader, replies: PipeWriter, parent: u32) -> i32 {
    let inherit =
        sys::inherit_across_exec(&requests).and_then(|()| sys::inherit_across_exec(&replies));
    if inherit.is_ok() {
        use std::os::fd::AsRawFd;
        use std::os::unix::process::CommandExt;
        // Best effort: a seccomp filter may refuse it (the floor then moves a little per run).
        let _ = sys::set_no_randomize(true);
        let err = std::process::Command::new("/proc/self/exe")
            .arg0("benchgate-spawn")
            .arg(EXEC_FLAG)
            .arg(requests.as_raw_fd().to_string())
            .arg(replies.as_raw_fd().to_string())
            .arg(parent.to_string())
            .exec();
        drop(err);
    }
    // Children must be randomised as usual.
    let _ = sys::set_no_randomize(false);
    serve::main(requests, replies, parent)
}

/// The arguments of an executed spawner, if this process is one.
fn exec_args() -> Option<Vec<OsString>> {
    let mut args = std::env::args_os();
    let _arg0 = args.next();
    if args.next()? != EXEC_FLAG {
        return None;
    }
    Some(args.collect())
}

/// The executed spawner's `main`: returns its exit code.
fn serve_executed(args: Vec<OsString>) -> i32 {
    std::panic::catch_unwind(|| {
        let number = |i: usize| -> Option<i64> { args.get(i)?.to_str()?.parse().ok() };
        let (Some(requests), Some(replies), Some(parent)) = (number(0), number(1), number(2))
        else {
            return 2;
        };
        let (Ok(requests), Ok(replies), Ok(parent)) = (
            libc::c_int::try_from(requests),
            libc::c_int::try_from(replies),
            u32::try_from(parent),
        ) else {
            return 2;
        };
        let (Ok(requests), Ok(replies)) =
            (sys::inherited_pipe(requests), sys::inherited_pipe(replies))
        else {
            return 2;
        };
        // Our own layout is fixed now; the programs we start are randomised as usual.
        let _ = sys::set_no_randomize(false);
        serve::main(
            PipeReader::from(requests),
            PipeWriter::from(replies),
            parent,
        )
    })
    .unwrap_or(101)
}

/// The spawner of this process, if [`start_spawner`] started one.
pub(crate) fn client() -> Option<&'static Mutex<Client>> {
    CLIENT.get()
}

/// The main process's end of the connection.
pub(crate) struct Client {
    pid: libc::pid_t,
    requests: PipeWriter,
    replies: PipeReader,
    /// Receive buffer for replies (≤ [`wire::MAX_REPLY`] + 4 bytes).
    buf: Vec<u8>,
    /// The environment and working directory the spawner inherited: children start from these,
    /// plus the changes each request carries.
    env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
    generation: u64,
    /// Set once the connection failed: every later request fails with this message.
    broken: Option<String>,
}

/// What a runner must tell the spawner so its children see this process's current environment
/// and working directory.
pub(crate) struct Context {
    pub generation: u64,
    pub env: Vec<(OsString, Option<OsString>)>,
    /// This process's working directory if it is not the spawner's, else `None`.
    pub cwd: Option<PathBuf>,
}

impl Client {
    /// A new runner starts: the differences between this process's environment and working
    /// directory now and the spawner's (none, unless something changed them since the fork).
    pub(crate) fn context(&mut self) -> Context {
        self.generation += 1;
        let inherited: HashMap<&OsString, &OsString> =
            self.env.iter().map(|(k, v)| (k, v)).collect();
        let now: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        let mut env: Vec<(OsString, Option<OsString>)> = now
            .iter()
            .filter(|(k, v)| inherited.get(k) != Some(&v))
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        let current: HashMap<&OsString, ()> = now.iter().map(|(k, _)| (k, ())).collect();
        env.extend(
            self.env
                .iter()
                .filter(|(k, _)| !current.contains_key(k))
                .map(|(k, _)| (k.clone(), None)),
        );
        let here = std::env::current_dir().ok();
        let cwd = if here.is_some() && here != self.cwd {
            here
        } else {
            None
        };
        Context {
            generation: self.generation,
            env,
            cwd,
        }
    }

    /// Sends one request frame and returns the body of the reply.
    pub(crate) fn exchange(&mut self, frame: &[u8]) -> Result<&[u8], MeasureError> {
        self.exchange_reporting(frame, None)
    }

    /// [`Client::exchange`] for a request with `FLAG_REPORT_PID` (`on_pid` given): the pid frame
    /// that comes first is read, and `on_pid` told the pid (unless nothing started), while the
    /// program runs.
    pub(crate) fn exchange_reporting(
        &mut self,
        frame: &[u8],
        on_pid: Option<&mut dyn FnMut(libc::pid_t)>,
    ) -> Result<&[u8], MeasureError> {
        if let Some(why) = &self.broken {
            return Err(MeasureError::spawner(why.clone(), None));
        }
        if let Err(e) = self.requests.write_all(frame) {
            return Err(self.break_down("cannot send a request", Some(e)));
        }
        if let Some(on_pid) = on_pid {
            let mut started = [0u8; wire::STARTED_FRAME];
            if let Err(e) = self.replies.read_exact(&mut started) {
                return Err(self.break_down("cannot read the pid of a run", Some(e)));
            }
            match wire::decode_started(&started) {
                Ok(0) => {}
                Ok(pid) => on_pid(pid),
                Err(wire::Malformed) => {
                    return Err(self.break_down("out of protocol: expected a pid", None));
                }
            }
        }
        let len = match wire::read_frame(&mut self.replies, &mut self.buf, wire::MAX_REPLY) {
            Ok(Some(body)) => body.len(),
            Ok(None) => return Err(self.break_down("it exited", None)),
            Err(wire::FrameError::Io(e)) => {
                return Err(self.break_down("cannot read its reply", Some(e)));
            }
            Err(e) => {
                let what = format!("out of protocol: {e}");
                return Err(self.break_down(&what, None));
            }
        };
        Ok(&self.buf[4..4 + len])
    }

    /// The connection is unusable: make sure the spawner is gone (its handler kills a run in
    /// flight), reap it, and fail this and every later request.
    pub(crate) fn break_down(&mut self, what: &str, source: Option<io::Error>) -> MeasureError {
        // Best effort: it may be gone already (a zombie until reaped below).
        let _ = sys::kill(self.pid, libc::SIGTERM);
        let status = match sys::wait4(self.pid, false) {
            Ok(Some(r)) if libc::WIFSIGNALED(r.status) => {
                let sig = libc::WTERMSIG(r.status);
                match crate::process::signal_name(sig) {
                    Some(name) => format!(" (it was killed by signal {sig}, {name})"),
                    None => format!(" (it was killed by signal {sig})"),
                }
            }
            Ok(Some(r)) if libc::WIFEXITED(r.status) => {
                format!(" (it exited with status {})", libc::WEXITSTATUS(r.status))
            }
            _ => String::new(),
        };
        sys::set_spawner(0);
        let message = format!("{what}{status}");
        self.broken = Some(format!("unusable since an earlier failure: {message}"));
        MeasureError::spawner(message, source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_fork_once_threads_exist() {
        // libtest runs this on a thread of its own: forking here would be unsound.
        let err = start_spawner().unwrap_err();
        assert!(err.to_string().contains("before any other thread"), "{err}");
        assert!(client().is_none());
    }
}
