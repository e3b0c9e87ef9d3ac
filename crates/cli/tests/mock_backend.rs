//! `benchgate mock-backend` as scripts use it: the real binary in its own process, its address
//! read from its first line, real requests over loopback, stopped by a signal or by itself.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{benchgate, benchgate_command, benchgate_process, spawn, stderr};

/// Only stops a hung test: far beyond what a busy machine needs.
const BOUND: Duration = Duration::from_secs(60);

/// A running `benchgate mock-backend`, its standard output read line by line.
struct Mock {
    child: Child,
    lines: Receiver<String>,
    addr: SocketAddr,
}

impl Mock {
    fn start(args: &[&str], dir: &Path) -> Mock {
        let mut command = benchgate_command(dir, &[]);
        command
            .arg("mock-backend")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(&mut command);
        let lines = read_lines(child.stdout.take().unwrap());
        let first = lines
            .recv_timeout(BOUND)
            .expect("mock-backend says where it listens");
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .parse()
            .unwrap();
        Mock { child, lines, addr }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: sending a signal to our own child.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
    }

    /// Waits (bounded) for the process to end: its status, the rest of its standard output and
    /// its standard error.
    fn finish(mut self) -> (ExitStatus, Vec<String>, String) {
        let deadline = Instant::now() + BOUND;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("mock-backend did not stop");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest = self.lines.iter().collect();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, rest, err)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lines(stdout: ChildStdout) -> Receiver<String> {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// One HTTP/1.1 request on its own connection (`Connection: close`: the body ends at EOF).
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: mock\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[])
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[test]
fn fail_rate_1_answers_503_counts_it_and_sigterm_prints_the_final_stats() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("mock.pid");
    let mock = Mock::start(
        &[
            "--latency",
            "lognormal(median=1ms, sigma=0.5)",
            "--fail-rate",
            "1",
            "--seed",
            "7",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(mock.addr.ip().is_loopback() && mock.addr.port() != 0);
    assert_eq!(
        std::fs::read_to_string(&pid_file).unwrap(),
        format!("{}\n", mock.child.id())
    );
    for i in 0..5 {
        let response = get(mock.addr, &format!("/vm/{i}/delete"));
        assert_eq!(response.status, 503, "{response:?}");
        assert_eq!(response.headers["x-injected-failure"], "5xx");
        assert_eq!(response.headers["x-benchgate-mode"], "simulated");
    }
    let stats = get(mock.addr, "/_stats");
    assert_eq!(stats.status, 200);
    assert_eq!(stats.headers["x-benchgate-mode"], "simulated");
    let stats = json(&stats.body);
    assert_eq!(stats["calls"], 5);
    assert_eq!(stats["failures"]["5xx"], 5);
    assert_eq!(stats["per_key"]["delete"], 5);
    assert_eq!(stats["max_concurrency"], 1);

    let reset = request(mock.addr, "POST", "/_reset", &[]);
    assert_eq!(reset.status, 200);
    assert_eq!(reset.headers["x-benchgate-mode"], "simulated");
    assert_eq!(json(&reset.body)["calls"], 0);
    for _ in 0..2 {
        assert_eq!(get(mock.addr, "/again").status, 503);
    }

    mock.signal(libc::SIGTERM);
    let (status, rest, err) = mock.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(rest.len(), 1, "{rest:?}");
    let last = json(&rest[0]);
    assert_eq!(last["calls"], 2);
    assert_eq!(last["failures"]["5xx"], 2);
    assert_eq!(last["per_key"], json(r#"{"again":2}"#));
    assert!(!pid_file.exists(), "the pid file is removed on exit");
}

#[test]
fn sigint_stops_it_gracefully_too() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(&["--listen", "127.0.0.1:0"], dir.path());
    let response = get(mock.addr, "/ok");
    assert_eq!((response.status, response.body.as_str()), (200, "ok\n"));
    assert_eq!(response.headers["x-benchgate-mode"], "simulated");
    mock.signal(libc::SIGINT);
    let (status, rest, err) = mock.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(json(&rest[0])["calls"], 1);
}

#[test]
fn exit_after_stops_it_by_itself_with_the_stats() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(&["--exit-after", "300ms", "-q"], dir.path());
    let (status, rest, err) = mock.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "", "--quiet says nothing on standard error");
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(json(&rest[0])["calls"], 0);
}

#[test]
fn the_first_k_calls_of_each_key_fail_and_listed_keys_always_do() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(
        &[
            "--fail-first-per-key",
            "2",
            "--fail-key",
            "bad",
            "--fail-key",
            "worse",
            "--key-header",
            "X-VM",
            "--status",
            "502",
        ],
        dir.path(),
    );
    let statuses = |key: &str| -> Vec<u16> {
        (0..4)
            .map(|_| request(mock.addr, "DELETE", "/vm", &[("X-VM", key)]).status)
            .collect()
    };
    assert_eq!(statuses("vm-1"), [502, 502, 200, 200]);
    assert_eq!(statuses("vm-2"), [502, 502, 200, 200]);
    assert_eq!(statuses("bad"), [502; 4]);
    assert_eq!(statuses("worse"), [502; 4]);
    // Without the header the key is the last path segment.
    assert_eq!(get(mock.addr, "/items/7").status, 502);
    let stats = json(&get(mock.addr, "/_stats").body);
    assert_eq!(stats["calls"], 17);
    assert_eq!(stats["failures"]["5xx"], 13);
    assert_eq!(
        stats["per_key"],
        json(r#"{"7":1,"bad":4,"vm-1":4,"vm-2":4,"worse":4}"#)
    );
}

#[test]
fn a_reset_fault_closes_the_connection_without_a_response() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(&["--fail-rate", "1", "--fail-kind", "reset"], dir.path());
    let mut stream = TcpStream::connect(mock.addr).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: mock\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let mut buffer = Vec::new();
    let read = stream.read_to_end(&mut buffer);
    assert!(buffer.is_empty(), "{:?}", String::from_utf8_lossy(&buffer));
    assert_eq!(
        read.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionReset
    );
    let stats = json(&get(mock.addr, "/_stats").body);
    assert_eq!(stats["failures"]["reset"], 1);
}

/// An in-process run that must fail before serving anything: exit 2 and the error line.
fn usage_error(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["mock-backend"];
    all.extend_from_slice(args);
    let output = benchgate(&all, dir.path());
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "{args:?}");
    stderr(&output)
}

#[test]
fn bad_values_are_usage_errors_naming_the_flag_and_what_was_expected() {
    let err = usage_error(&["--latency", "lognormal(median=10ms, sigma=x)"]);
    assert!(err.contains("--latency"), "{err}");
    assert!(
        err.contains("at column 30: expected a non-negative number (sigma), found \"x\""),
        "{err}"
    );
    let err = usage_error(&["--fail-rate", "1.5"]);
    assert!(err.contains("--fail-rate"), "{err}");
    assert!(err.contains("expected a number from 0 to 1"), "{err}");
    let err = usage_error(&["--fail-kind", "timeout"]);
    assert!(err.contains("--fail-kind"), "{err}");
    assert!(err.contains("expected 5xx, reset or hang"), "{err}");
    let err = usage_error(&["--status", "404"]);
    assert!(err.contains("--status"), "{err}");
    assert!(err.contains("500..=599"), "{err}");
    let err = usage_error(&["--listen", "localhost"]);
    assert!(err.contains("--listen"), "{err}");
    let err = usage_error(&["--exit-after", "soon"]);
    assert!(err.contains("--exit-after"), "{err}");
    let err = usage_error(&["--key-header", "x key"]);
    assert!(err.contains("--key-header"), "{err}");
    assert!(err.contains("expected a header name"), "{err}");
    assert_eq!(
        usage_error(&["--hang-for", "1s"]),
        "error: --hang-for is how long a hang lasts: it needs --fail-kind hang (not 5xx)\n"
    );
    assert_eq!(
        usage_error(&["--fail-kind", "reset", "--status", "500"]),
        "error: --status is the status of a 5xx failure: it needs --fail-kind 5xx (not reset)\n"
    );
}

/// A --fail-key longer than any call's key could never match. (--exit-after bounds the run
/// should the key be accepted.)
#[test]
fn a_fail_key_longer_than_the_key_limit_is_a_usage_error() {
    let key = "v".repeat(257);
    assert_eq!(
        usage_error(&[
            "--fail-key",
            "vm-1",
            "--fail-key",
            &key,
            "--exit-after",
            "5s"
        ]),
        format!(
            "error: --fail-key \"{}…\" is 257 bytes long: a call's key is at most 256 bytes, so \
             it could never match\n",
            "v".repeat(24)
        )
    );
}

#[test]
fn a_busy_address_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(&[], dir.path());
    let addr = mock.addr.to_string();
    let err = usage_error(&["--listen", &addr]);
    assert!(
        err.starts_with(&format!("error: cannot listen on {addr}: ")),
        "{err}"
    );
}

/// Sends one request on a new connection and returns what came back before the server closed
/// it (nothing, for a hang).
fn unanswered(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.write_all(b"GET /x HTTP/1.1\r\nHost: mock\r\nContent-Length: 0\r\n\r\n")?;
    let mut buffer = Vec::new();
    stream.read_to_end(&mut buffer)?;
    Ok(buffer)
}

#[test]
fn a_hang_ends_at_its_deadline_and_a_signal_ends_a_hang_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::start(
        &[
            "--fail-rate",
            "1",
            "--fail-kind",
            "hang",
            "--hang-for",
            "50ms",
        ],
        dir.path(),
    );
    assert_eq!(unanswered(mock.addr).unwrap(), b"");
    assert_eq!(json(&get(mock.addr, "/_stats").body)["failures"]["hang"], 1);
    drop(mock);

    // Without --hang-for a call hangs until the backend stops: SIGTERM ends it, and the
    // backend still exits 0 with its stats.
    let mock = Mock::start(&["--fail-rate", "1", "--fail-kind", "hang"], dir.path());
    let addr = mock.addr;
    let client = std::thread::spawn(move || unanswered(addr));
    let deadline = Instant::now() + BOUND;
    while json(&get(mock.addr, "/_stats").body)["in_flight"] != 1 {
        assert!(Instant::now() < deadline, "the call never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    mock.signal(libc::SIGTERM);
    let (status, rest, err) = mock.finish();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(client.join().unwrap().unwrap(), b"");
    let last = json(&rest[0]);
    assert_eq!(
        (&last["calls"], &last["failures"]["hang"]),
        (&1.into(), &1.into())
    );
}

#[test]
fn an_unwritable_pid_file_is_an_error_before_anything_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("missing/mock.pid");
    let output = benchgate_process(
        &["mock-backend", "--pid-file", pid_file.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "error: cannot write the pid file {}: ",
            pid_file.display()
        )),
        "{err}"
    );
    assert!(
        err.ends_with(": No such file or directory (os error 2)\n"),
        "{err}"
    );
}
