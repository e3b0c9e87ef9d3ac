//! The only `unsafe` in the crate: thin wrappers over the libc calls std does not expose.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// What `wait4` reports for one reaped child.
pub(crate) struct Reaped {
    /// Raw wait status (decode with `libc::WIFEXITED` & co.).
    pub status: libc::c_int,
    pub user_ns: u64,
    pub sys_ns: u64,
    pub max_rss_bytes: u64,
}

fn timeval_ns(tv: libc::timeval) -> u64 {
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let usecs = u64::try_from(tv.tv_usec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000)
        .saturating_add(usecs.saturating_mul(1_000))
}

/// `wait4(pid, …)` with the child's *own* rusage (never RUSAGE_CHILDREN, whose high-water mark
/// would leak from one run into the next). Returns `None` if `nohang` and the child is still running.
pub(crate) fn wait4(pid: libc::pid_t, nohang: bool) -> io::Result<Option<Reaped>> {
    let flags = if nohang { libc::WNOHANG } else { 0 };
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain old data, all-zero is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: both out-pointers point to live, writable locals of the right type.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == pid {
            return Ok(Some(Reaped {
                status,
                user_ns: timeval_ns(usage.ru_utime),
                sys_ns: timeval_ns(usage.ru_stime),
                // Linux reports KiB.
                max_rss_bytes: u64::try_from(usage.ru_maxrss)
                    .unwrap_or(0)
                    .saturating_mul(1024),
            }));
        }
        if r == 0 {
            return Ok(None);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// A pollable descriptor that becomes readable when `pid` exits (Linux ≥ 5.3).
pub(crate) fn pidfd_open(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes (pid, flags) by value and touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0 as libc::c_uint) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = libc::c_int::try_from(fd).map_err(|_| io::Error::other("pidfd out of range"))?;
    // SAFETY: the kernel just handed us this descriptor; nobody else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Waits up to `timeout_ms` for `fd` to become readable. `Ok(false)` on timeout.
pub(crate) fn poll_readable(fd: &OwnedFd, timeout_ms: libc::c_int) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, count 1.
    let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    match r {
        0 => Ok(false),
        r if r > 0 => Ok(true),
        _ => Err(io::Error::last_os_error()),
    }
}

/// SIGKILLs the whole process group `pgid`, so background children of a shell die too.
/// ESRCH (group already gone) is not an error.
pub(crate) fn kill_group(pgid: libc::pid_t) -> io::Result<()> {
    // SAFETY: killpg has no memory-safety preconditions.
    let r = unsafe { libc::killpg(pgid, libc::SIGKILL) };
    if r == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::ESRCH) {
        Ok(())
    } else {
        Err(err)
    }
}

/// An anonymous in-memory file (close-on-exec) used to capture stderr.
pub(crate) fn memfd(name: &std::ffi::CStr) -> io::Result<File> {
    // SAFETY: name is a valid NUL-terminated string that outlives the call.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptor owned by nobody else.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// The process group of the run in flight (0 when none), for the interrupt handler: each run has
/// its own group, so a terminal's Ctrl-C does not reach it and we must forward it.
static ACTIVE_GROUP: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

pub(crate) fn set_active_group(pgid: libc::pid_t) {
    ACTIVE_GROUP.store(pgid, std::sync::atomic::Ordering::SeqCst);
}

extern "C" fn on_interrupt(signal: libc::c_int) {
    let pgid = ACTIVE_GROUP.load(std::sync::atomic::Ordering::SeqCst);
    // SAFETY: killpg, signal and raise are async-signal-safe and take plain values.
    unsafe {
        if pgid > 0 {
            libc::killpg(pgid, libc::SIGKILL);
        }
        // Die by the same signal, so the parent (a shell, CI) sees an interrupted benchgate.
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that kill the run in flight (its whole
/// process group) before benchgate itself dies of the signal.
pub(crate) fn install_interrupt_handlers() -> io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: sigaction is plain old data; zeroed is valid (empty mask, no flags).
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        // SAFETY: `action` is a valid sigaction and the handler only makes async-signal-safe calls.
        if unsafe { libc::sigaction(signal, &action, std::ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Returns freed heap memory to the system, so our resident set (the floor of every child's
/// `ru_maxrss`, see `Io::reset_peak_rss`) holds only what is live.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
