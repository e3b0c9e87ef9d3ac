//! Ctrl-C (or a CI runner's SIGTERM) while a command runs: benchgate dies of the signal and takes
//! the benchmarked command's whole process group with it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pids of live `sleep MARKER` processes (zombies have an empty cmdline and do not count).
fn sleeps(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let argv: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            if argv.len() >= 2 && argv[0].ends_with(b"sleep") && argv[1] == marker.as_bytes() {
                found.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// Polls until `done`; returns as soon as it holds. The limit only stops a hung test, so it is
/// far beyond what a busy machine needs.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupted_run_leaves_nothing_behind(signal: libc::c_int, marker: &str) {
    let script = format!("sleep {marker} & sleep {marker}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_benchgate"))
        .args([
            "run", "-q", "--warmup", "0", "--runs", "1", "--shell", "--", &script,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("both benchmarked sleeps to start", || {
        sleeps(marker).len() == 2
    });
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(signal), "{status:?}");
    wait_until("the sleeps to die", || sleeps(marker).is_empty());
}

#[test]
fn sigint_kills_the_run_in_flight() {
    interrupted_run_leaves_nothing_behind(libc::SIGINT, "97.3131");
}

#[test]
fn sigterm_kills_the_run_in_flight() {
    interrupted_run_leaves_nothing_behind(libc::SIGTERM, "97.4141");
}

/// Operations under load run in process groups of their own, many at once: an interrupt kills
/// every one in flight, for an ad-hoc command and for a configured bench.
fn interrupted_load_leaves_nothing_behind(configured: bool, marker: &str) {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("sleep {marker}");
    let mut benchgate = Command::new(env!("CARGO_BIN_EXE_benchgate"));
    benchgate.current_dir(dir.path());
    if configured {
        std::fs::write(
            dir.path().join("benchgate.toml"),
            format!(
                "[[bench]]\nname = \"nap\"\ncommand = \"{command}\"\nconcurrency = [3]\nduration = \"60s\"\n"
            ),
        )
        .unwrap();
        benchgate.args(["run", "-q"]);
    } else {
        benchgate.args([
            "run",
            "-q",
            "--concurrency",
            "3",
            "--duration",
            "60s",
            "--",
            &command,
        ]);
    }
    let mut child = benchgate
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("three operations in flight", || sleeps(marker).len() == 3);
    // SAFETY: sending a signal to our own child.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    wait_until("the operations to die", || sleeps(marker).is_empty());
}

#[test]
fn sigint_kills_every_operation_of_an_ad_hoc_load() {
    interrupted_load_leaves_nothing_behind(false, "97.5151");
}

#[test]
fn sigint_kills_every_operation_of_a_configured_load() {
    interrupted_load_leaves_nothing_behind(true, "97.6161");
}
