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

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crate::sys;

/// Set in the spawner: each of its children is a measured process or was left by one.
static EVERY_CHILD_IS_MEASURED: AtomicBool = AtomicBool::new(false);
static SUBREAPER: Once = Once::new();
static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());

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
struct Proc {
    pid: libc::pid_t,
    ppid: libc::pid_t,
    pgid: libc::pid_t,
    sid: libc::pid_t,
    zombie: bool,
}

/// Every process of the system (those that vanish while being read are skipped).
fn processes() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            parse_stat(pid, &stat)
        })
        .collect()
}

/// `pid (comm) state ppid pgrp session …`; `comm` may hold spaces and parentheses.
fn parse_stat(pid: libc::pid_t, stat: &str) -> Option<Proc> {
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let mut number = || fields.next()?.parse::<libc::pid_t>().ok();
    Some(Proc {
        pid,
        ppid: number()?,
        pgid: number()?,
        sid: number()?,
        zombie: state == "Z" || state == "X",
    })
}

/// The live processes among `roots` and their descendants.
fn trees(procs: &[Proc], roots: &[libc::pid_t]) -> Vec<libc::pid_t> {
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

/// After the measured process `measured` (the leader of its process group) was reaped: kills
/// what it left running (SIGTERM; SIGKILL after [`GRACE`]), reaps it, and returns how many
/// processes that was (orphans that had already exited are reaped, not counted, and so are
/// those in `killed`, which a timeout killed).
pub(crate) fn kill_leftovers(measured: libc::pid_t, killed: &HashSet<libc::pid_t>) -> u32 {
    // The common case costs one system call.
    if !sys::has_children() {
        return 0;
    }
    let me = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    // SAFETY: getsid has no memory-safety preconditions.
    let my_session = unsafe { libc::getsid(0) };
    let every_child = EVERY_CHILD_IS_MEASURED.load(Ordering::Relaxed);
    let left_by_measured =
        |p: &Proc| p.ppid == me && (every_child || p.pgid == measured || p.sid != my_session);
    let start = Instant::now();
    let mut terminated: HashSet<libc::pid_t> = HashSet::new();
    loop {
        let procs = processes();
        let orphans: Vec<&Proc> = procs.iter().filter(|p| left_by_measured(p)).collect();
        if orphans.is_empty() {
            break;
        }
        for orphan in orphans.iter().filter(|p| p.zombie) {
            let _ = sys::wait4(orphan.pid, true);
        }
        let roots: Vec<libc::pid_t> = orphans
            .iter()
            .filter(|p| !p.zombie)
            .map(|p| p.pid)
            .collect();
        let elapsed = start.elapsed();
        for pid in trees(&procs, &roots) {
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
    u32::try_from(terminated.difference(killed).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_command_names() {
        let p = parse_stat(42, "42 (a) b (c) Z 7 42 42 0 -1").unwrap();
        assert_eq!(
            (p.pid, p.ppid, p.pgid, p.sid, p.zombie),
            (42, 7, 42, 42, true)
        );
        let p = parse_stat(9, "9 (sleep) S 1 9 3 34816").unwrap();
        assert_eq!((p.ppid, p.pgid, p.sid, p.zombie), (1, 9, 3, false));
        assert!(parse_stat(1, "1 (x").is_none());
    }
}
