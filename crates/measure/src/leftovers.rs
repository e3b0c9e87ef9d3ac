//! What a measured command leaves running: background children of a command that exited (`sh -c
//! 'server & exit 0'`), and descendants that left its process group (`setsid`). The process that
//! starts commands (the spawner, else this one) is a child subreaper, so such orphans become its
//! children instead of init's; after each run they are killed (SIGTERM, a short grace, SIGKILL),
//! reaped and counted, and a timeout kills the command's whole tree, not only its process group.
//!
//! Which orphans belong to the measured command: in the spawner, every child (it starts nothing
//! else). In a process that starts commands itself, its children in the measured command's process
//! group or in another session (what `setsid` makes); processes it starts otherwise (`git`, …) are
//! in its own group and session and are never touched. Runs in such a process are serialised
//! ([`serialise`]) so that one run's orphans cannot be taken for another's.
//!
//! Except what a `setup` command leaves running (a server the measured runs talk to): that is
//! kept, not killed and not counted, under a key ([`new_key`]) — the setup's process group and
//! whatever was in its tree when it exited (by pid and start time, so a reused pid is not taken
//! for it), and every descendant of those seen since. Later sweeps, after any command, leave all
//! of it alone. Once that benchmark's `cleanup` has run (or at the end of the schedule without
//! one, after failures and errors too), [`release`] kills what is still alive of it the same way
//! (SIGTERM, grace, SIGKILL), reaps it and counts it as the benchmark's leftovers: 0 when the
//! cleanup stopped it itself. A process the kept ones start in a new session and orphan between
//! two sweeps cannot be told from a leftover of the command in between, and is killed with it.
//! An interrupt runs no cleanup: the handler kills (SIGKILL) the kept processes seen so far,
//! through pidfds registered with it (see `sys::register_kept`).

use std::collections::{HashMap, HashSet};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crate::sys;

/// Set in the spawner: each of its children is a measured process or was left by one.
static EVERY_CHILD_IS_MEASURED: AtomicBool = AtomicBool::new(false);
static SUBREAPER: Once = Once::new();
static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());
/// What `setup` commands left running, until [`release`].
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// How long leftovers get to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_millis(200);
/// A command that keeps forking faster than it is killed is given up on after this long.
const GIVE_UP: Duration = Duration::from_secs(5);
const NAP: Duration = Duration::from_millis(5);

/// For the spawner: every child of this process is a measured one or a leftover.
pub(crate) fn every_child_is_measured() {
    EVERY_CHILD_IS_MEASURED.store(true, Ordering::Relaxed);
}

/// Makes this process a child subreaper, once. Best effort: where the kernel refuses, orphans go
/// to init as before and are not found.
pub(crate) fn become_subreaper() {
    SUBREAPER.call_once(|| {
        let _ = sys::set_child_subreaper();
    });
}

/// Held from the spawn of a measured process to the end of [`kill_leftovers`].
pub(crate) fn serialise() -> MutexGuard<'static, ()> {
    // A panic elsewhere while holding it leaves nothing inconsistent behind.
    ONE_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One process as `/proc/PID/stat` shows it.
pub(crate) struct Proc {
    pid: libc::pid_t,
    ppid: libc::pid_t,
    pgid: libc::pid_t,
    sid: libc::pid_t,
    /// Clock ticks after boot: with the pid, it names one process (pids are reused).
    start: u64,
    zombie: bool,
}

/// What one `setup` run left running.
struct Kept {
    key: u64,
    /// This process: a kept process is one of its descendants.
    reaper: libc::pid_t,
    /// The setup's process group while anything is in it (its number is not reused until then).
    group: Option<libc::pid_t>,
    /// Its members seen so far, in the group or not (`setsid`): pid and start time, and a pidfd
    /// registered for the interrupt handler (`None` where none could be had).
    members: HashMap<(libc::pid_t, u64), Option<OwnedFd>>,
}

impl Drop for Kept {
    fn drop(&mut self) {
        for pidfd in self.members.values().flatten() {
            sys::unregister_kept(pidfd.as_raw_fd());
        }
    }
}

/// A pidfd for the process `pid` started at `start`, registered for the interrupt handler.
fn kept_pidfd(pid: libc::pid_t, start: u64) -> Option<OwnedFd> {
    let pidfd = sys::pidfd_open(pid).ok()?;
    // Still the same process after the pidfd was opened: then the pidfd names it.
    if read_proc(pid).map(|p| p.start) != Some(start) {
        return None;
    }
    sys::register_kept(pidfd.as_raw_fd()).then_some(pidfd)
}

impl Kept {
    /// Whether `p` is kept: a recorded member, or a child of ours in the group (members further
    /// down are found from there: a group number seen too late to be dropped must not reach
    /// beyond our own descendants).
    fn holds(&self, p: &Proc) -> bool {
        (self.group == Some(p.pgid) && p.ppid == self.reaper)
            || self.members.contains_key(&(p.pid, p.start))
    }

    /// Adds the live descendants of its members, forgets the dead, and drops the group once it
    /// is empty.
    fn refresh(&mut self, procs: &[Proc]) {
        let roots: Vec<libc::pid_t> = procs
            .iter()
            .filter(|p| self.holds(p))
            .map(|p| p.pid)
            .collect();
        let start: HashMap<libc::pid_t, u64> = procs.iter().map(|p| (p.pid, p.start)).collect();
        let now: HashSet<(libc::pid_t, u64)> = trees(procs, &roots)
            .into_iter()
            .filter_map(|pid| Some((pid, *start.get(&pid)?)))
            .collect();
        self.members.retain(|member, pidfd| {
            let alive = now.contains(member);
            if let (false, Some(pidfd)) = (alive, pidfd) {
                sys::unregister_kept(pidfd.as_raw_fd());
            }
            alive
        });
        for (pid, start) in now {
            self.members
                .entry((pid, start))
                .or_insert_with(|| kept_pidfd(pid, start));
        }
        if !procs.iter().any(|p| self.group == Some(p.pgid)) {
            self.group = None;
        }
    }
}

/// A key for [`kill_leftovers`] to keep what a `setup` command leaves, and for [`release`].
pub(crate) fn new_key() -> u64 {
    NEXT_KEY.fetch_add(1, Ordering::Relaxed)
}

fn kept() -> MutexGuard<'static, Vec<Kept>> {
    // A panic elsewhere while holding it leaves a valid list behind.
    KEPT.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A process just started with pid `pid` (the leader of a new group): a kept group of that
/// number must have emptied since the last sweep, or the number could not be reused.
pub(crate) fn forget_group(pid: libc::pid_t) {
    for k in kept().iter_mut() {
        if k.group == Some(pid) {
            k.group = None;
        }
    }
}

/// Every process of the system (those that vanish while being read are skipped).
pub(crate) fn processes() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.file_name().to_str()?.parse().ok()?;
            read_proc(pid)
        })
        .collect()
}

fn read_proc(pid: libc::pid_t) -> Option<Proc> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(pid, &stat)
}

/// This process's children (all its threads'), `None` where the kernel does not list them.
fn children() -> Option<Vec<Proc>> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).ok()?;
        found.extend(
            list.split_whitespace()
                .filter_map(|pid| read_proc(pid.parse().ok()?)),
        );
    }
    Some(found)
}

/// `pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
/// stime cutime cstime priority nice num_threads itrealvalue starttime …`; `comm` may hold spaces
/// and parentheses.
fn parse_stat(pid: libc::pid_t, stat: &str) -> Option<Proc> {
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let mut number = || fields.next()?.parse::<libc::pid_t>().ok();
    let (ppid, pgid, sid) = (number()?, number()?, number()?);
    let start = fields.nth(15)?.parse().ok()?;
    Some(Proc {
        pid,
        ppid,
        pgid,
        sid,
        start,
        zombie: state == "Z" || state == "X",
    })
}

/// The live processes among `roots` and their descendants.
pub(crate) fn trees(procs: &[Proc], roots: &[libc::pid_t]) -> Vec<libc::pid_t> {
    let mut found: Vec<libc::pid_t> = Vec::new();
    let mut seen: HashSet<libc::pid_t> = HashSet::new();
    let mut next: Vec<libc::pid_t> = roots.to_vec();
    while let Some(pid) = next.pop() {
        if !seen.insert(pid) {
            continue;
        }
        if procs.iter().any(|p| p.pid == pid && !p.zombie) {
            found.push(pid);
        }
        next.extend(procs.iter().filter(|p| p.ppid == pid).map(|p| p.pid));
    }
    found
}

/// On a timeout, before its process group is killed: SIGKILL to every descendant of `pid`,
/// those in other process groups and sessions included. Returns them (dying, not yet reaped, they
/// are no leftovers to count).
pub(crate) fn kill_tree(pid: libc::pid_t) -> HashSet<libc::pid_t> {
    let procs = processes();
    let tree = trees(&procs, &[pid]);
    for &descendant in &tree {
        // Best effort: it may have exited since.
        let _ = sys::kill(descendant, libc::SIGKILL);
    }
    tree.into_iter().collect()
}

fn my_pid() -> libc::pid_t {
    libc::pid_t::try_from(std::process::id()).unwrap_or(0)
}

/// After the measured process `measured` (the leader of its process group) was reaped: kills
/// what it left running (SIGTERM; SIGKILL after [`GRACE`]), reaps it, and returns how many
/// processes that was (orphans that had already exited are reaped, not counted, and so are
/// those in `killed`, which a timeout killed). What earlier `setup` commands left is not touched.
/// With `keep` (a `setup` command's key), what it left is kept instead, until [`release`].
pub(crate) fn kill_leftovers(
    measured: libc::pid_t,
    killed: &HashSet<libc::pid_t>,
    keep: Option<u64>,
) -> u32 {
    // The common case costs one system call.
    if !sys::has_children() {
        return 0;
    }
    let me = my_pid();
    // SAFETY: getsid has no memory-safety preconditions.
    let my_session = unsafe { libc::getsid(0) };
    let every_child = EVERY_CHILD_IS_MEASURED.load(Ordering::Relaxed);
    let left_by_measured =
        |p: &Proc| p.ppid == me && (every_child || p.pgid == measured || p.sid != my_session);
    let mut kept = kept();
    if let Some(key) = keep {
        let procs = processes();
        for k in kept.iter_mut() {
            k.refresh(&procs);
        }
        let mut roots = Vec::new();
        for p in procs
            .iter()
            .filter(|p| left_by_measured(p) && !kept.iter().any(|k| k.holds(p)))
        {
            if p.zombie {
                let _ = sys::wait4(p.pid, true);
            } else {
                roots.push(p.pid);
            }
        }
        let start: HashMap<libc::pid_t, u64> = procs.iter().map(|p| (p.pid, p.start)).collect();
        let mut setup = Kept {
            key,
            reaper: me,
            group: Some(measured),
            members: trees(&procs, &roots)
                .into_iter()
                .filter_map(|pid| {
                    let start = *start.get(&pid)?;
                    Some(((pid, start), kept_pidfd(pid, start)))
                })
                .collect(),
        };
        setup.refresh(&procs);
        kept.push(setup);
        return 0;
    }
    // With kept processes among the children, a look at the children alone usually shows that
    // nothing else is there (the kernel lists them without a scan of every process).
    if !kept.is_empty()
        && children().is_some_and(|children| {
            children
                .iter()
                .all(|p| !left_by_measured(p) || (!p.zombie && kept.iter().any(|k| k.holds(p))))
        })
    {
        return 0;
    }
    // Kept children that exited are reaped (not counted) like others.
    let terminated = sweep(&mut kept, |p, kept| {
        left_by_measured(p) && (p.zombie || !kept.iter().any(|k| k.holds(p)))
    });
    u32::try_from(terminated.difference(killed).count()).unwrap_or(u32::MAX)
}

/// Kills (SIGTERM; SIGKILL after [`GRACE`]) and reaps the processes `chosen` picks among this
/// process's children and their descendants, until none is left; returns the pids it signalled.
/// Zombie children it picks are reaped; the kept list is refreshed at every look.
fn sweep(kept: &mut [Kept], chosen: impl Fn(&Proc, &[Kept]) -> bool) -> HashSet<libc::pid_t> {
    let me = my_pid();
    let start = Instant::now();
    let mut terminated: HashSet<libc::pid_t> = HashSet::new();
    loop {
        let procs = processes();
        for k in kept.iter_mut() {
            k.refresh(&procs);
        }
        // Children it signalled are reaped whoever they were (descendants re-parented here).
        let roots: Vec<&Proc> = procs
            .iter()
            .filter(|p| {
                (p.ppid == me && terminated.contains(&p.pid))
                    || (chosen(p, kept) && (p.ppid == me || !p.zombie))
            })
            .collect();
        if roots.is_empty() {
            break;
        }
        for orphan in roots.iter().filter(|p| p.zombie && p.ppid == me) {
            let _ = sys::wait4(orphan.pid, true);
        }
        let live: Vec<libc::pid_t> = roots.iter().filter(|p| !p.zombie).map(|p| p.pid).collect();
        let elapsed = start.elapsed();
        for pid in trees(&procs, &live) {
            if elapsed >= GRACE {
                let _ = sys::kill(pid, libc::SIGKILL);
                terminated.insert(pid);
            } else if terminated.insert(pid) {
                let _ = sys::kill(pid, libc::SIGTERM);
            }
        }
        if elapsed >= GIVE_UP {
            break;
        }
        std::thread::sleep(NAP);
    }
    terminated
}

/// After the benchmark whose `setup` had `key` is over (its `cleanup` run, if any): kills what
/// that setup left that is still alive (SIGTERM; SIGKILL after [`GRACE`]), reaps it, and returns
/// how many processes that was.
pub(crate) fn release(key: u64) -> u32 {
    let _one_run_at_a_time = serialise();
    let mut kept = kept();
    let Some(at) = kept.iter().position(|k| k.key == key) else {
        return 0;
    };
    let mut mine = vec![kept.remove(at)];
    let terminated = sweep(&mut mine, |p, mine| mine.iter().any(|k| k.holds(p)));
    u32::try_from(terminated.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_command_names() {
        let p = parse_stat(
            42,
            "42 (a) b (c) Z 7 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0",
        )
        .unwrap();
        assert_eq!(
            (p.pid, p.ppid, p.pgid, p.sid, p.start, p.zombie),
            (42, 7, 42, 42, 123456, true)
        );
        let p = parse_stat(
            9,
            "9 (sleep) S 1 9 3 34816 9 4194304 95 0 0 0 0 0 0 0 20 0 1 0 77 8704000 130",
        )
        .unwrap();
        assert_eq!(
            (p.ppid, p.pgid, p.sid, p.start, p.zombie),
            (1, 9, 3, 77, false)
        );
        assert!(parse_stat(1, "1 (x").is_none());
        assert!(parse_stat(9, "9 (sleep) S 1 9 3 34816").is_none());
    }
}
