//! `benchgate … | head` must exit quietly when the reader goes away.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{benchgate_command, in_process, record, spawn, stderr};

/// A run with `n` benchmarks in `dir/big.json`: its report is far more than a pipe buffer
/// holds.
fn big_run(dir: &std::path::Path, n: usize) {
    record(dir, "a.json", "true", "true", 2);
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("a.json")).unwrap()).unwrap();
    let template = run["benchmarks"][0].clone();
    run["benchmarks"] = (0..n)
        .map(|i| {
            let mut b = template.clone();
            b["name"] = format!("bench/{i}").into();
            b
        })
        .collect();
    std::fs::write(dir.join("big.json"), run.to_string()).unwrap();
}

#[test]
fn closed_stdout_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    big_run(dir.path(), 3000);
    // The real binary, on a real pipe.
    let mut child = spawn(
        benchgate_command(dir.path(), &[])
            .args(["compare", "big.json", "big.json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    // Close the read end at once, like `| head -0`.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "quiet: {}", stderr(&out));
}

/// Standard output that fails as a closed pipe does, after `room` bytes.
struct ClosedPipe {
    room: usize,
}

impl Write for ClosedPipe {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = bytes.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// In-process, a closed standard output ends the command with status 0 and nothing more said,
/// as the binary does, without exiting the caller's process.
#[test]
fn closed_stdout_ends_an_in_process_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    big_run(dir.path(), 300);
    for (args, room) in [
        // Closed mid-report, and before its first byte.
        (&["compare", "big.json", "big.json"][..], 100),
        (&["compare", "big.json", "big.json"][..], 0),
        (&["--json", "runs", "list"][..], 0),
    ] {
        let stderr = common::Buffer::default();
        let console = benchgate::Console::new(ClosedPipe { room }, stderr.clone());
        let status = in_process(args, dir.path(), &[], &console);
        assert_eq!((status, stderr.text()), (0, String::new()), "{args:?}");
        assert!(console.stdout_closed(), "{args:?}");
    }
}
