//! What the runner's and the instruction counter's tests share.

use std::fs;

/// The processes still alive whose command line contains one of `markers` (pid: command line),
/// to check that a timeout killed everything a command started.
pub fn lingering(markers: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        if let Ok(raw) = fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
            if markers.iter().any(|m| cmdline.contains(m)) {
                found.push(format!(
                    "{}: {cmdline}",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    found
}

/// Kills (SIGKILL, by pid) the processes still alive with one of `markers` in their command line
/// when dropped: a test that finds processes left behind fails without leaving them running.
#[allow(dead_code)] // not every test binary that shares this module uses it
pub struct KillLingering(pub &'static [&'static str]);

impl Drop for KillLingering {
    fn drop(&mut self) {
        for entry in lingering(self.0) {
            if let Some(pid) = entry.split(':').next().and_then(|p| p.parse::<i32>().ok()) {
                // SAFETY: kill has no memory-safety preconditions; the pid is one of this test's.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}

/// Three benchmarks whose setups start a server-like `sleep` in the background (the third's in
/// a session of its own) and write its pid to `dir/pidN`; every run of benchmark N, and the
/// second's prepare, fails unless that process is alive. The first one's cleanup stops its server
/// and waits until it has exited (a zombie until the runner reaps it); the others have none.
#[allow(dead_code)]
pub fn served_by_setups(
    dir: &std::path::Path,
    markers: &[&str; 3],
) -> Vec<benchgate_measure::CommandSpec> {
    let pid = |i: usize| dir.join(format!("pid{i}")).display().to_string();
    let alive = |i: usize| format!("kill -0 $(cat '{}')", pid(i));
    let templates: Vec<_> = (0..3)
        .map(|i| benchgate_measure::CommandTemplate {
            name: Some(format!("served{i}")),
            tokens: vec![alive(i)],
        })
        .collect();
    let aux = [
        benchgate_measure::AuxCommands {
            setup: Some(format!("sleep {} & echo $! > '{}'", markers[0], pid(0))),
            cleanup: Some(format!(
                "p=$(cat '{}'); kill $p; \
                 while [ -e /proc/$p/stat ] && ! grep -q ') [ZX] ' /proc/$p/stat; do sleep 0.01; done",
                pid(0)
            )),
            ..Default::default()
        },
        benchgate_measure::AuxCommands {
            setup: Some(format!("sleep {} & echo $! > '{}'", markers[1], pid(1))),
            prepare: Some(alive(1)),
            ..Default::default()
        },
        benchgate_measure::AuxCommands {
            setup: Some(format!(
                "setsid sleep {} & echo $! > '{}'",
                markers[2],
                pid(2)
            )),
            ..Default::default()
        },
    ];
    benchgate_measure::expand(&templates, &aux, &[], Some("sh")).unwrap()
}

/// The pid benchmark `i` of [`served_by_setups`] wrote.
#[allow(dead_code)]
pub fn served_pid(dir: &std::path::Path, i: usize) -> i32 {
    fs::read_to_string(dir.join(format!("pid{i}")))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// What [`served_by_setups`] must end in once `run` returned `results` (3 runs each): every run
/// found its server alive (after its own setup, its other runs and the other benchmarks' setups,
/// prepares and runs), and every server is gone, stopped by the first one's cleanup and killed
/// and counted after the others.
#[allow(dead_code)]
pub fn assert_served_then_gone(
    dir: &std::path::Path,
    markers: &'static [&'static str; 3],
    results: &[benchgate_measure::CommandResult],
) {
    for r in results {
        assert_eq!(r.failure, None, "{}", r.spec.name);
        assert_eq!(r.samples.len(), 3, "{}", r.spec.name);
    }
    assert_eq!(lingering(markers), Vec::<String>::new());
    for i in 0..3 {
        let gone = !std::path::Path::new(&format!("/proc/{}", served_pid(dir, i))).exists();
        assert!(gone, "server {i}");
    }
    let counted: Vec<u64> = results.iter().map(|r| r.leftover_processes).collect();
    assert_eq!(counted, [0, 1, 1]);
}
