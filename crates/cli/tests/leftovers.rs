//! Processes a benchmarked command leaves running are killed after each run, reaped, and counted
//! in a note; a `setsid` grandchild cannot outlive a timeout (issue 11, A10); what a `setup` starts
//! lives until its bench's cleanup. Real processes; the checks look at which processes exist
//! afterwards, never at how long anything took.

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

/// What a bench's `setup` starts (a server its runs talk to) lives until that bench's `cleanup`
/// has run; what is still alive then is killed and counted, even after a failure.
#[test]
fn what_a_setup_starts_lives_until_the_cleanup_then_is_killed() {
    let _cleanup = Cleanup("300.829");
    let dir = tempfile::tempdir().unwrap();
    // `served` stops its server itself (and waits until it has exited); `unstopped` has no
    // cleanup; `failing` fails its second run. Every run checks that its server is alive.
    std::fs::write(
        dir.path().join("benchgate.toml"),
        r#"[defaults]
shell = "sh"
warmup = 1
runs = 3

[[bench]]
name = "served"
command = "kill -0 $(cat pid1)"
setup = "sleep 300.8291 & echo $! > pid1"
cleanup = """p=$(cat pid1); kill $p; while [ -e /proc/$p/stat ] && ! grep -q ') [ZX] ' /proc/$p/stat; do sleep 0.01; done"""

[[bench]]
name = "unstopped"
command = "kill -0 $(cat pid2)"
setup = "setsid sleep 300.8292 & echo $! > pid2"

[[bench]]
name = "failing"
command = "kill -0 $(cat pid3) && echo >> runs && [ $(wc -l < runs) -lt 3 ]"
setup = "sleep 300.8293 & echo $! > pid3"
cleanup = "true"
"#,
    )
    .unwrap();
    let out = benchgate(&["run"], dir.path());
    let err = stderr(&out);
    assert_eq!(lingering("300.829"), Vec::<i32>::new(), "{err}");
    assert!(
        err.contains("note: killed 1 leftover process of `kill -0 $(cat pid2)`"),
        "{err}"
    );
    assert!(
        err.contains(
            "note: killed 1 leftover process of `kill -0 $(cat pid3) && echo >> runs && [ $(wc -l < runs) -lt 3 ]`"
        ),
        "{err}"
    );
    assert!(!err.contains("of `kill -0 $(cat pid1)`"), "{err}");
    // Only `failing` failed, in its third run (the warm-up is the first): the servers were
    // alive for every other.
    assert!(err.contains("failing"), "{err}");
    assert_eq!(err.matches("exited with status 1").count(), 1, "{err}");
    assert_eq!(out.status.code(), Some(3), "{err}");
}
