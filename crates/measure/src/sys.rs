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
pub(crate) fn poll_readable(
    fd: &impl std::os::fd::AsFd,
    timeout_ms: libc::c_int,
) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_fd().as_raw_fd(),
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

/// Sends `signal` to the process `pid`.
pub(crate) fn kill(pid: libc::pid_t, signal: libc::c_int) -> io::Result<()> {
    // SAFETY: kill has no memory-safety preconditions.
    if unsafe { libc::kill(pid, signal) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sets `O_APPEND` on `file`'s open file description (shared with its duplicates).
pub(crate) fn set_append(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor `file` keeps open; no pointers involved.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_APPEND) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
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

/// In the main process: the spawner's pid (0 when there is none), which the interrupt handler
/// tells to kill the run in flight, since only the spawner knows its process group.
static SPAWNER: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

pub(crate) fn set_spawner(pid: libc::pid_t) {
    SPAWNER.store(pid, std::sync::atomic::Ordering::SeqCst);
}

/// The spawner's pid, 0 when there is none.
pub(crate) fn spawner_pid() -> libc::pid_t {
    SPAWNER.load(std::sync::atomic::Ordering::SeqCst)
}

/// Pidfds of processes a `setup` command left running (0: free slot), for the interrupt handler
/// to kill: no cleanup runs after an interrupt. A pidfd names one process, never a later one
/// that reuses its pid. Beyond the slots, kept processes are not killed on an interrupt.
static KEPT_PIDFDS: [std::sync::atomic::AtomicI32; 64] =
    [const { std::sync::atomic::AtomicI32::new(0) }; 64];

/// Has the interrupt handler kill the process of `pidfd` (until [`unregister_kept`]). Returns
/// whether there was a free slot.
pub(crate) fn register_kept(pidfd: libc::c_int) -> bool {
    KEPT_PIDFDS.iter().any(|slot| {
        slot.compare_exchange(
            0,
            pidfd,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        )
        .is_ok()
    })
}

/// Process groups of operations a load engine runs at once (0: free slot), for the interrupt
/// handler to kill. One per operation in flight; enough for the largest concurrency a
/// configuration allows.
static LOAD_GROUPS: [std::sync::atomic::AtomicI32; LOAD_GROUP_SLOTS] =
    [const { std::sync::atomic::AtomicI32::new(0) }; LOAD_GROUP_SLOTS];
const LOAD_GROUP_SLOTS: usize = 10_240;

/// A process group the interrupt handler kills while this lives (see
/// [`kill_group_on_interrupt`]).
#[derive(Debug)]
pub struct InterruptKillsGroup {
    slot: usize,
}

/// Has SIGINT, SIGTERM and SIGHUP (once [`crate::install_interrupt_handlers`] ran) kill the
/// process group `pgid` — an operation a load engine started in a group of its own — until the
/// returned guard is dropped, right after the group's leader is reaped (a group id is not reused
/// while the group has members). `None` when every slot is taken (more operations in flight than
/// any configuration allows).
pub fn kill_group_on_interrupt(pgid: libc::pid_t) -> Option<InterruptKillsGroup> {
    if pgid <= 0 {
        return None;
    }
    LOAD_GROUPS
        .iter()
        .position(|slot| {
            slot.compare_exchange(
                0,
                pgid,
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
            )
            .is_ok()
        })
        .map(|slot| InterruptKillsGroup { slot })
}

impl Drop for InterruptKillsGroup {
    fn drop(&mut self) {
        if let Some(slot) = LOAD_GROUPS.get(self.slot) {
            slot.store(0, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Before `pidfd` is closed.
pub(crate) fn unregister_kept(pidfd: libc::c_int) {
    for slot in &KEPT_PIDFDS {
        let _ = slot.compare_exchange(
            pidfd,
            0,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        );
    }
}

extern "C" fn on_interrupt(signal: libc::c_int) {
    // While a child is being started, remember the signal for `InterruptsDeferred` to handle.
    let deferred = DEFERRED.compare_exchange(
        DEFERRING,
        signal,
        std::sync::atomic::Ordering::SeqCst,
        std::sync::atomic::Ordering::SeqCst,
    );
    if deferred.is_err() {
        if STARTING.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            // An operation is being started and its group is not registered yet: the last start
            // to finish handles the signal (see `InterruptsHeld`). Should that start have
            // finished meanwhile, whoever takes the pending signal first handles it.
            INTERRUPTING.store(true, std::sync::atomic::Ordering::SeqCst);
            PENDING.store(signal, std::sync::atomic::Ordering::SeqCst);
            if STARTING.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                take_pending();
            }
        } else {
            interrupt(signal);
        }
    }
}

/// Operations a load engine is starting on some thread (between [`hold_interrupts`] and its
/// guard's drop), and a signal that arrived meanwhile (0: none).
static STARTING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PENDING: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
/// Set once an interrupt is being handled: no operation may start any more (a load engine's
/// threads start the next operation as soon as one is killed, and benchgate is about to die).
static INTERRUPTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn take_pending() {
    let signal = PENDING.swap(0, std::sync::atomic::Ordering::SeqCst);
    if signal != 0 {
        interrupt(signal);
    }
}

/// While it lives, SIGINT, SIGTERM and SIGHUP wait: hold it from before an operation's process
/// starts until its group is registered ([`kill_group_on_interrupt`]), so a signal in between
/// cannot leave that operation running. Many threads may hold it at once; the signal is handled
/// when the last lets go. Signals are not blocked (a child would inherit the mask).
#[derive(Debug)]
pub struct InterruptsHeld(());

pub fn hold_interrupts() -> InterruptsHeld {
    STARTING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    // Checked after counting this start, so the handler either sees it and defers, or has set
    // the flag before and this thread never starts anything.
    if INTERRUPTING.load(std::sync::atomic::Ordering::SeqCst) {
        if STARTING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            take_pending();
        }
        // benchgate dies of the signal in a moment; this thread starts nothing before.
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    InterruptsHeld(())
}

impl Drop for InterruptsHeld {
    fn drop(&mut self) {
        if STARTING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            take_pending();
        }
    }
}

/// Kills the run in flight and what setup commands left running (and, in the main process, has
/// the spawner kill its own), then dies of `signal`. Async-signal-safe.
fn interrupt(signal: libc::c_int) {
    INTERRUPTING.store(true, std::sync::atomic::Ordering::SeqCst);
    let pgid = ACTIVE_GROUP.load(std::sync::atomic::Ordering::SeqCst);
    let spawner = SPAWNER.load(std::sync::atomic::Ordering::SeqCst);
    // SAFETY: killpg, kill, signal and raise are async-signal-safe and take plain values.
    unsafe {
        if pgid > 0 {
            libc::killpg(pgid, libc::SIGKILL);
        }
        for slot in &LOAD_GROUPS {
            let group = slot.load(std::sync::atomic::Ordering::SeqCst);
            if group > 0 {
                libc::killpg(group, libc::SIGKILL);
            }
        }
        for slot in &KEPT_PIDFDS {
            let pidfd = slot.load(std::sync::atomic::Ordering::SeqCst);
            if pidfd > 0 {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    pidfd,
                    libc::SIGKILL,
                    std::ptr::null::<libc::siginfo_t>(),
                    0 as libc::c_uint,
                );
            }
        }
        if spawner > 0 {
            // Its own handler (this function) kills its run in flight, then it dies.
            libc::kill(spawner, libc::SIGTERM);
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

/// `DEFERRING` while a child is being started and its process group is not yet published; a
/// signal number when an interrupt arrived in that window; `IDLE` otherwise.
static DEFERRED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(IDLE);
const IDLE: libc::c_int = 0;
const DEFERRING: libc::c_int = -1;

/// Defers SIGINT, SIGTERM and SIGHUP while it lives: one that arrives between spawning a child
/// and publishing its process group (`set_active_group`) is handled when this is dropped, after
/// the group is known, instead of leaving the child behind. The signals are not blocked: a child
/// inherits the signal mask of the thread that starts it (std does not reset it), and a
/// benchmarked command must not start with SIGTERM blocked.
pub(crate) struct InterruptsDeferred(());

impl InterruptsDeferred {
    pub(crate) fn new() -> Self {
        DEFERRED.store(DEFERRING, std::sync::atomic::Ordering::SeqCst);
        InterruptsDeferred(())
    }
}

impl Drop for InterruptsDeferred {
    fn drop(&mut self) {
        let signal = DEFERRED.swap(IDLE, std::sync::atomic::Ordering::SeqCst);
        if signal > 0 {
            interrupt(signal);
        }
    }
}

/// `fork()`: `Ok(0)` in the child, the child's pid in the parent.
///
/// # Safety
/// The calling process must have a single thread: the child gets only the calling thread, and a
/// lock another thread held (the allocator's, stdio's) would stay locked in the child forever.
pub(crate) unsafe fn fork() -> io::Result<libc::pid_t> {
    // SAFETY: fork takes no arguments; the caller guarantees there is no other thread.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(pid)
    }
}

/// Ends the process at once: no atexit handlers, no unwinding, no flushing of buffers that a
/// forked child shares with its parent's past.
pub(crate) fn exit_now(code: libc::c_int) -> ! {
    // SAFETY: _exit takes a plain value and does not return.
    unsafe { libc::_exit(code) }
}

/// `prctl(PR_SET_PDEATHSIG, signal)`: the kernel sends `signal` to this process when the thread
/// that created it (its parent's main thread) exits, however it exits.
pub(crate) fn set_parent_death_signal(signal: libc::c_int) -> io::Result<()> {
    let signal = libc::c_ulong::try_from(signal).map_err(|_| io::Error::other("bad signal"))?;
    // SAFETY: PR_SET_PDEATHSIG takes the signal number by value and touches no memory.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `prctl(PR_SET_CHILD_SUBREAPER, 1)`: orphaned descendants of this process (a benchmarked
/// command's background children, `setsid` ones included) are re-parented to it instead of to
/// init, so it can find, kill and reap them.
pub(crate) fn set_child_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes a flag by value and touches no memory.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether this process has any child at all, running or exited (reaps nothing: `WNOWAIT`).
pub(crate) fn has_children() -> bool {
    // SAFETY: siginfo_t is plain old data, all-zero is a valid value.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: the out-pointer points to a live, writable local of the right type.
        let r = unsafe {
            libc::waitid(
                libc::P_ALL,
                0,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return true;
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => {}
            Some(libc::ECHILD) => return false,
            // Unknown: look (the caller scans /proc).
            _ => return true,
        }
    }
}

/// `prctl(PR_SET_NAME)`: the process name `ps` and `/proc/PID/comm` show (≤ 15 bytes).
pub(crate) fn set_process_name(name: &std::ffi::CStr) -> io::Result<()> {
    // SAFETY: PR_SET_NAME reads at most 16 bytes of a NUL-terminated string that outlives the call.
    if unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr(), 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `dup2(fd, target)`: makes descriptor number `target` (0, 1 or 2) refer to `fd`'s open file,
/// without close-on-exec, so children inherit it.
pub(crate) fn redirect(fd: &impl std::os::fd::AsFd, target: libc::c_int) -> io::Result<()> {
    let fd = fd.as_fd().as_raw_fd();
    if fd == target {
        // dup2 would keep close-on-exec set; an explicit duplicate is not needed then anyway.
        return Err(io::Error::other("descriptor already at its target number"));
    }
    loop {
        // SAFETY: dup2 takes two descriptor numbers by value; `fd` is open (borrowed above) and
        // `target` is one of the standard descriptors, which this process owns no Rust handle for.
        if unsafe { libc::dup2(fd, target) } >= 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Clears close-on-exec on `fd`, so a program this process executes inherits it.
pub(crate) fn inherit_across_exec(fd: &impl std::os::fd::AsFd) -> io::Result<()> {
    // SAFETY: F_SETFD takes the descriptor and a flag word by value; `fd` is open (borrowed).
    if unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_SETFD, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Takes ownership of descriptor `raw`, which this process inherited from its parent across
/// `exec` for it to own, after checking that it is an open pipe (so a stray number given on the
/// command line cannot make us close or use someone else's descriptor).
pub(crate) fn inherited_pipe(raw: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: stat is plain old data; fstat fills it in.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat writes to a live, writable stat; an invalid descriptor only makes it fail.
    if unsafe { libc::fstat(raw, &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if st.st_mode & libc::S_IFMT != libc::S_IFIFO || raw <= 2 {
        return Err(io::Error::other(format!("descriptor {raw} is not a pipe")));
    }
    // SAFETY: `raw` is open (fstat succeeded), and our parent passed it for us to own: nothing
    // else in this freshly executed process refers to it.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// `personality(2)` flag that turns address-space randomisation off for programs executed
/// afterwards.
const ADDR_NO_RANDOMIZE: libc::c_ulong = 0x0040000;

/// Sets or clears ADDR_NO_RANDOMIZE in this process's execution domain. It takes effect at the
/// next `exec` (and is inherited by children), so set it just before executing the program that
/// should have a fixed layout, and clear it there before that program starts others.
pub(crate) fn set_no_randomize(on: bool) -> io::Result<()> {
    // SAFETY: personality(0xffffffff) only queries the current value.
    let current = unsafe { libc::personality(0xffff_ffff) };
    if current < 0 {
        return Err(io::Error::last_os_error());
    }
    let current = libc::c_ulong::try_from(current).map_err(|_| io::Error::other("personality"))?;
    let wanted = if on {
        current | ADDR_NO_RANDOMIZE
    } else {
        current & !ADDR_NO_RANDOMIZE
    };
    if wanted == current {
        return Ok(());
    }
    // SAFETY: personality takes the new value by value and touches no memory of ours.
    if unsafe { libc::personality(wanted) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Unmaps from this process's page tables every page of a read-only file mapping (program text,
/// read-only data of the executable and its libraries) that holds no private change, leaving
/// them in the page cache. The resident set then holds only what the process touches from here
/// on. Best effort: a mapping that cannot be read or dropped is left as it is.
pub(crate) fn drop_clean_file_pages() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            )
        {
            // `start-end perms offset dev inode path`
            let perms = fields.next().unwrap_or("");
            let path = fields.nth(3).unwrap_or("");
            current = (path.starts_with('/') && !perms.contains('w') && end > start)
                .then_some((start, end - start));
            continue;
        }
        // The `Anonymous:` line of the current mapping: private copies, which must stay.
        if first == "Anonymous:"
            && let Some((start, len)) = current.take()
            && fields.next() == Some("0")
        {
            // SAFETY: [start, start + len) is one of our own read-only file mappings without
            // private pages: every page can be read back from its file, so dropping them loses
            // nothing and no reference into the mapping dangles (it stays mapped).
            unsafe {
                libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED);
            }
        }
    }
}
