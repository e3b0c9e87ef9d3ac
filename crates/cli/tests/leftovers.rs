//! Processes a benchmarked command leaves running are killed after each run, reaped, and counted
//! in a note; a `setsid` grandchild cannot outlive a timeout (issue 11, A10). Real processes;
//! the checks look at which processes exist afterwards, never at how long anything took.

mod common;

use common::{benchgate, stderr};

/// Processes alive whose command line contains `marker`: their pids.
fn lingering(marker: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(raw) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&raw).contains(marker)
            && let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse().ok())
        {
            found.push(pid);
        }
    }
    found
}

/// Kills what a failing test found left behind, by pid.
struct Cleanup(&'static str);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for pid in lingering(self.0) {
            // SAFETY: kill has no memory-safety preconditions; the pid is one this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

#[test]
fn leftover_background_processes_are_killed_and_reported() {
    let _cleanup = Cleanup("300.8181");
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "--runs",
            "2",
            "--warmup",
            "0",
            "--",
            "sh -c 'sleep 300.8181 & exit 0'",
        ],
        dir.path(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(lingering("300.8181"), Vec::<i32>::new(), "{err}");
    assert!(
        err.contains("note: killed 2 leftover processes of `sh -c 'sleep 300.8181 & exit 0'`"),
        "{err}"
    );
}

#[test]
fn a_timeout_kills_grandchildren_that_left_the_process_group() {
    let _cleanup = Cleanup("300.8182");
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "run",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--timeout",
            "300ms",
            "--",
            "sh -c 'setsid sleep 300.8182 & wait'",
        ],
        dir.path(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("timed out after 300ms"), "{err}");
    assert_eq!(lingering("300.8182"), Vec::<i32>::new(), "{err}");
}
