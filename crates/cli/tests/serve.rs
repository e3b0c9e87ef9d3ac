//! `benchgate serve` as a service runs it: the real binary in its own process, its address read
//! from its first line, real requests over loopback, stopped by a signal.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{
    benchgate, benchgate_command, benchgate_process, benchgate_with_env, record, spawn, stderr,
    stored_runs,
};

/// Only stops a hung test: far beyond what a busy machine needs.
const BOUND: Duration = Duration::from_secs(60);

struct Served {
    child: Child,
    lines: Receiver<String>,
    addr: SocketAddr,
}

impl Served {
    fn start(db: &str, dir: &Path) -> Served {
        Served::start_with(db, dir, &[])
    }

    fn start_with(db: &str, dir: &Path, extra: &[&str]) -> Served {
        let mut command = benchgate_command(dir, &[]);
        command
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(&mut command);
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(BOUND)
            .expect("serve says where it listens");
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .parse()
            .unwrap();
        Served { child, lines, addr }
    }

    /// Sends `signal` and waits (bounded) for the process to end.
    fn stop(mut self, signal: libc::c_int) -> (ExitStatus, Vec<String>, String) {
        // SAFETY: sending a signal to our own child.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
        let deadline = Instant::now() + BOUND;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "serve did not stop");
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

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET on its own connection: the status and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, "GET", path, None, "")
}

/// One HTTP/1.1 request on its own connection, with a bearer token when given.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: bg\r\nConnection: close\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

#[test]
fn serve_prints_its_address_answers_the_api_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "run.json", "noop", "true", 3);
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let out = benchgate(&["--db", &db, "import", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();

    let served = Served::start(&db, dir.path());
    let (status, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], run["id"]);
    let (status, body) = get(served.addr, "/api/v1/runs?limit=zero");
    assert_eq!(status, 400);
    assert!(body.contains(r#""parameter":"limit""#), "{body}");

    let addr = served.addr;
    let (status, rest, err) = served.stop(libc::SIGTERM);
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(rest.is_empty(), "{rest:?}");
    assert!(
        err.starts_with(&format!("serving the sqlite store on http://{addr}/api/v1")),
        "{err}"
    );
    assert!(TcpStream::connect(addr).is_err(), "still listening");
}

#[test]
fn serve_stops_on_sigint_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("new/history.db").display());
    let served = Served::start(&db, dir.path());
    // A store that did not exist is created: an empty list, not an error.
    assert_eq!(get(served.addr, "/api/v1/runs"), (200, "[]".to_owned()));
    let (status, _, err) = served.stop(libc::SIGINT);
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn a_busy_address_is_exit_2_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let out = benchgate_process(&["serve", "--db", &db, "--listen", &addr], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: cannot listen on {addr}: ")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_listen_address_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(&["serve", "--listen", "localhost"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected IP:PORT, e.g. 127.0.0.1:0 or [::1]:8080"),
        "{}",
        stderr(&out)
    );
}

/// The token `benchgate token create` prints: one line of 64 hex digits.
fn create_token(db: &str, dir: &Path, scope: &str) -> String {
    let out = benchgate(&["--db", db, "token", "create", "--scope", scope], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let token = text.trim_end_matches('\n').to_string();
    assert_eq!(token.len(), 64, "{text:?}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{text:?}");
    assert!(
        stderr(&out).contains(&format!("{scope} token")),
        "{}",
        stderr(&out)
    );
    token
}

#[test]
fn tokens_are_created_once_listed_without_the_secret_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let out = benchgate(&["--db", &db, "token", "list"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "no tokens (benchgate token create --scope write|read makes one)\n"
    );

    let write = create_token(&db, dir.path(), "write");
    let read = create_token(&db, dir.path(), "read");
    assert_ne!(write, read);

    let out = benchgate(&["--db", &db, "token", "list"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "SCOPE", "CREATED", "PROJECT"]
    );
    assert_eq!(
        lines[1].split_whitespace().take(2).collect::<Vec<_>>(),
        ["1", "write"]
    );
    assert_eq!(
        lines[2].split_whitespace().take(2).collect::<Vec<_>>(),
        ["2", "read"]
    );
    assert!(
        !listed.contains(&write) && !listed.contains(&read),
        "{listed}"
    );

    let stored = std::fs::read(dir.path().join("history.db")).unwrap();
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains(&write), "the token itself is stored");

    let out = benchgate(
        &["--db", &db, "token", "create", "--scope", "admin"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn served_uploads_need_a_write_token_and_private_reads_a_token() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "run.json", "noop", "true", 3);
    let run = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let write = create_token(&db, dir.path(), "write");
    let read = create_token(&db, dir.path(), "read");

    let served = Served::start(&db, dir.path());
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", None, &run);
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", Some("0123"), &run);
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", Some(&read), &run);
    assert_eq!(status, 403, "{body}");
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", Some(&write), &run);
    assert_eq!(status, 201, "{body}");
    assert_eq!(get(served.addr, "/api/v1/runs").0, 200);
    drop(served);

    let served = Served::start_with(&db, dir.path(), &["--private"]);
    let (status, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(served.addr, "GET", "/api/v1/runs", Some(&read), "");
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

const UPLOAD_SUITE: &str =
    "[defaults]\nwarmup = 0\nruns = 3\n\n[[bench]]\nname = \"true\"\ncommand = \"true\"\n";

#[test]
fn run_upload_sends_the_stored_run_to_the_server() {
    let server_dir = tempfile::tempdir().unwrap();
    let server_db = format!("sqlite://{}", server_dir.path().join("team.db").display());
    let write = create_token(&server_db, server_dir.path(), "write");
    let read = create_token(&server_db, server_dir.path(), "read");
    let served = Served::start(&server_db, server_dir.path());
    let url = format!("http://{}", served.addr);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("benchgate.toml"), UPLOAD_SUITE).unwrap();
    let out = benchgate_with_env(
        &["run", "--upload", &url],
        dir.path(),
        &[("BENCHGATE_TOKEN", &write)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let local = stored_runs(dir.path());
    assert_eq!(local.len(), 1);
    let (status, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(status, 200, "{body}");
    let remote: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(remote.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(remote[0]["id"], local[0]["id"]);
    assert!(
        stderr(&out).contains(&format!(
            "uploaded run {} to {url}",
            local[0]["id"].as_str().unwrap()
        )),
        "{}",
        stderr(&out)
    );

    // A read token is refused by the server: the run is stored and reported locally, then exit 2
    // naming the URL and the status.
    let out = benchgate_with_env(
        &["run", "--upload", &format!("{url}/")],
        dir.path(),
        &[("BENCHGATE_TOKEN", &read)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stored_runs(dir.path()).len(), 2);
    assert!(
        !common::stdout(&out).is_empty(),
        "the report is printed first"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot upload the run to {url}/api/v1/runs: 403 Forbidden"
        )) && err.contains("this token may only read"),
        "{err}"
    );
    let (_, body) = get(served.addr, "/api/v1/runs");
    let remote: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(remote.as_array().unwrap().len(), 1);
}

#[test]
fn run_upload_is_refused_before_measuring_without_a_token_or_with_https() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("benchgate.toml"), UPLOAD_SUITE).unwrap();
    let out = benchgate_with_env(
        &["run", "--upload", "http://127.0.0.1:9"],
        dir.path(),
        &[("BENCHGATE_TOKEN", "")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--upload needs a write token in BENCHGATE_TOKEN"),
        "{}",
        stderr(&out)
    );
    let out = benchgate_with_env(
        &["run", "--upload", "ftp://example.com"],
        dir.path(),
        &[("BENCHGATE_TOKEN", "x")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("--upload \"ftp://example.com\": expected the http:// or https:// URL"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join(".benchgate").exists(),
        "nothing was measured"
    );

    // Nobody listening: the run is stored, then exit 2 naming the URL.
    let out = benchgate_with_env(
        &["run", "--upload", "http://127.0.0.1:9"],
        dir.path(),
        &[("BENCHGATE_TOKEN", "x")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stored_runs(dir.path()).len(), 1);
    assert!(
        stderr(&out).contains("cannot upload the run to http://127.0.0.1:9/api/v1/runs"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_ad_hoc_run_uploads_too() {
    let server_dir = tempfile::tempdir().unwrap();
    let server_db = format!("sqlite://{}", server_dir.path().join("team.db").display());
    let write = create_token(&server_db, server_dir.path(), "write");
    let served = Served::start(&server_db, server_dir.path());
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate_with_env(
        &[
            "run",
            "--runs",
            "3",
            "--export-json",
            "run.json",
            "--upload",
            &format!("http://{}", served.addr),
            "--",
            "true",
        ],
        dir.path(),
        &[("BENCHGATE_TOKEN", &write)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let (status, body) = get(
        served.addr,
        &format!("/api/v1/runs/{}", run["id"].as_str().unwrap()),
    );
    assert_eq!(status, 200, "{body}");
    let uploaded: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(uploaded, run);
}

/// `benchgate load` as the server's upload load generator (issue 15's benchmark): a URL list whose
/// lines each POST their own run document (`@FILE`), with a write token. The probe does not
/// POST (it asks OPTIONS), so every document is stored exactly once and the load sees no error;
/// the same list again is refused run by run (409), and those refusals are the load's errors.
#[test]
fn a_load_uploads_distinct_runs_from_a_url_list_once_each_and_counts_duplicates_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), "run.json", "noop", "true", 3);
    let db = format!("sqlite://{}", dir.path().join("server.db").display());
    let token = create_token(&db, dir.path(), "write");
    let served = Served::start(&db, dir.path());
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let id = template["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    let mut list = String::from("# three distinct runs\n");
    for n in 0..3 {
        let mut run = template.clone();
        let distinct = format!("{}{n:x}", &id[..id.len() - 1]);
        run["id"] = serde_json::Value::String(distinct.clone());
        ids.push(distinct);
        std::fs::write(
            dir.path().join(format!("upload-{n}.json")),
            serde_json::to_vec(&run).unwrap(),
        )
        .unwrap();
        list.push_str(&format!(
            "POST http://{}/api/v1/runs @upload-{n}.json\n",
            served.addr
        ));
    }
    std::fs::write(dir.path().join("uploads.txt"), list).unwrap();
    let load = |export: &str| {
        benchgate(
            &[
                "--db",
                "sqlite://load.db",
                "load",
                "--urls-file",
                "uploads.txt",
                "-H",
                &format!("authorization: Bearer {token}"),
                "-H",
                "content-type: application/json",
                "--concurrency",
                "1",
                "--requests",
                "3",
                "--name",
                "uploads",
                "--export-json",
                export,
            ],
            dir.path(),
        )
    };
    let out = load("first.json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("first.json")).unwrap())
            .unwrap();
    let bench = &first["benchmarks"][0];
    assert_eq!(bench["labels"]["ops"], "3", "{bench:#}");
    assert_eq!(bench["labels"]["errors"], "0", "{bench:#}");
    let (status, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(status, 200, "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut stored: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    stored.sort();
    ids.sort();
    assert_eq!(stored, ids, "each document stored once, none by the probe");

    let out = load("again.json");
    assert_ne!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("again.json")).unwrap())
            .unwrap();
    let bench = &again["benchmarks"][0];
    assert_eq!(bench["labels"]["errors.http:409"], "3", "{bench:#}");
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A TLS server for `--upload https://…`: Python's http.server behind `ssl`, with a throwaway
/// self-signed certificate that the test hands curl as its CA (`CURL_CA_BUNDLE`). It answers
/// every POST with `status` and `answer`, and writes what it got (path, authorization, body)
/// to `seen.json`. `None` when python3 or openssl is missing (outside CI only).
fn tls_server(dir: &Path, status: u16, answer: &str) -> Option<(Child, u16)> {
    let have = |tool: &str| {
        std::process::Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !have("python3")
        || !std::process::Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 and openssl"
        );
        return None;
    }
    let made = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let script = format!(
        r#"
import http.server, json, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with open("seen.json", "w") as f:
            json.dump({{"path": self.path, "authorization": self.headers.get("authorization"),
                       "body": json.loads(body)}}, f)
        answer = {answer:?}.encode()
        self.send_response({status})
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("cert.pem", "key.pem")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#
    );
    let mut child = std::process::Command::new("python3")
        .current_dir(dir)
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Some((child, line.trim().parse().unwrap()))
}

/// `--upload https://…` goes through curl (no TLS stack in the binary): the run reaches the TLS
/// server with its token, and a refusal is an error with the status and the server's reason.
#[test]
fn an_https_upload_goes_through_curl_with_the_token_and_a_refusal_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut server, port)) = tls_server(dir.path(), 201, r#"{"id":"x"}"#) else {
        return;
    };
    let ca = dir.path().join("cert.pem");
    let env = [
        ("BENCHGATE_TOKEN", "tls-token"),
        ("CURL_CA_BUNDLE", ca.to_str().unwrap()),
    ];
    let upload = |url: &str| {
        benchgate_with_env(
            &[
                "run",
                "--runs",
                "3",
                "--export-json",
                "run.json",
                "--upload",
                url,
                "--",
                "true",
            ],
            dir.path(),
            &env,
        )
    };
    let out = upload(&format!("https://127.0.0.1:{port}/team/"));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("seen.json")).unwrap())
            .unwrap();
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(seen["path"], "/team/api/v1/runs");
    assert_eq!(seen["authorization"], "Bearer tls-token");
    assert_eq!(seen["body"]["id"], run["id"]);

    let refusing = tempfile::tempdir().unwrap();
    let (mut server, port) = tls_server(
        refusing.path(),
        403,
        r#"{"error":"a read token cannot write"}"#,
    )
    .unwrap();
    let ca = refusing.path().join("cert.pem");
    let out = benchgate_with_env(
        &[
            "run",
            "--runs",
            "3",
            "--upload",
            &format!("https://127.0.0.1:{port}"),
            "--",
            "true",
        ],
        dir.path(),
        &[
            ("BENCHGATE_TOKEN", "tls-token"),
            ("CURL_CA_BUNDLE", ca.to_str().unwrap()),
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot upload the run to https://127.0.0.1:{port}/api/v1/runs: 403: a read token cannot write"
        )),
        "{err}"
    );
    assert!(!err.contains("tls-token"), "{err}");
}

#[test]
fn a_token_for_a_badly_named_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let out = benchgate(
        &[
            "--db",
            &db,
            "token",
            "create",
            "--scope",
            "read",
            "--project",
            "a/b",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "bad project name \"a/b\": it holds '/'; a project name is 1 to 100 printable ASCII \
             characters other than / \\ ? # %, not starting or ending with a space"
        ),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    let out = benchgate(&["--db", &db, "token", "list"], dir.path());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "no tokens (benchgate token create --scope write|read makes one)\n"
    );
}

/// `run --upload` with a token of a project: the server stores the run in that project.
#[test]
fn an_upload_with_a_project_token_lands_in_that_project() {
    let server_dir = tempfile::tempdir().unwrap();
    let server_db = format!("sqlite://{}", server_dir.path().join("team.db").display());
    let out = benchgate(
        &[
            "--db",
            &server_db,
            "token",
            "create",
            "--scope",
            "write",
            "--project",
            "web",
        ],
        server_dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let write = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let served = Served::start(&server_db, server_dir.path());
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate_with_env(
        &[
            "run",
            "--runs",
            "3",
            "--export-json",
            "run.json",
            "--upload",
            &format!("http://{}", served.addr),
            "--",
            "true",
        ],
        dir.path(),
        &[("BENCHGATE_TOKEN", &write)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let (status, body) = get(served.addr, "/api/v1/runs?project=web");
    assert_eq!(status, 200, "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(listed[0]["id"], run["id"]);
    assert_eq!(listed[0]["project"], "web");
    let (_, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(body, "[]");
}

/// `serve --config FILE` reads the file before it listens: a bad one is exit 2 naming it, with
/// nothing bound; a good one judges the comparisons with its budgets.
#[test]
fn serve_config_is_read_before_listening_and_its_budgets_judge_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[budget]]\nmesure = \"wall_time\"\n",
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let out = benchgate_process(
        &[
            "serve",
            "--db",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--config",
            "bad.toml",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.toml"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing listened");

    record(dir.path(), "a.json", "noop", "true", 5);
    record(dir.path(), "b.json", "noop", "true", 5);
    let out = benchgate(&["--db", &db, "import", "a.json", "b.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = |file: &str| -> String {
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
        run["id"].as_str().unwrap().to_string()
    };
    // Any run of `true` takes more than a nanosecond: the budget is exceeded. A file with a
    // [[bench]] suite judges that suite's (command) runs only.
    std::fs::write(
        dir.path().join("budget.toml"),
        "[[bench]]\nname = \"noop\"\ncommand = \"true\"\n\n\
         [[budget]]\nmeasure = \"wall_time\"\nmax = \"1ns\"\n",
    )
    .unwrap();
    let served = Served::start_with(&db, dir.path(), &["--config", "budget.toml"]);
    let (status, body) = get(
        served.addr,
        &format!(
            "/api/v1/comparisons?base={}&head={}",
            id("a.json"),
            id("b.json")
        ),
    );
    assert_eq!(status, 200, "{body}");
    let comparison: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(comparison["outcome"], "failed", "{body}");
    assert!(body.contains("budget_exceeded"), "{body}");

    // Runs of a source the file does not judge are judged with the defaults, and the answer
    // says so rather than seeming to pass the file's budgets.
    let go = "goos: linux\nBenchmarkParse-2   \t 1000\t 1200 ns/op\nPASS\n";
    std::fs::write(dir.path().join("go.txt"), go).unwrap();
    let mut ids = Vec::new();
    for export in ["g1.json", "g2.json"] {
        let out = benchgate(
            &["--db", &db, "ingest", "go.txt", "--export-json", export],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        ids.push(id(export));
    }
    let (status, body) = get(
        served.addr,
        &format!("/api/v1/comparisons?base={}&head={}", ids[0], ids[1]),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("this ingest:go run is judged with the defaults"),
        "{body}"
    );
}

/// `ingest --upload` and `exec --upload`: the ingested run (and the harness's) reaches the server
/// once stored and reported; a missing token is refused before anything is read or run.
#[test]
fn ingest_and_exec_upload_their_runs_too() {
    let server_dir = tempfile::tempdir().unwrap();
    let server_db = format!("sqlite://{}", server_dir.path().join("team.db").display());
    let write = create_token(&server_db, server_dir.path(), "write");
    let served = Served::start(&server_db, server_dir.path());
    let url = format!("http://{}", served.addr);
    let dir = tempfile::tempdir().unwrap();
    let go = "goos: linux\nBenchmarkParse-2   \t 1000\t 1200 ns/op\nBenchmarkParse-2   \t 1000\t 1210 ns/op\nPASS\n";
    std::fs::write(dir.path().join("go.txt"), go).unwrap();

    let out = benchgate_with_env(&["ingest", "go.txt", "--upload", &url], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("BENCHGATE_TOKEN"), "{}", stderr(&out));
    assert!(
        stored_runs(dir.path()).is_empty(),
        "nothing was read or stored"
    );

    let env = [("BENCHGATE_TOKEN", write.as_str())];
    let out = benchgate_with_env(
        &[
            "ingest",
            "go.txt",
            "--export-json",
            "ingested.json",
            "--upload",
            &url,
        ],
        dir.path(),
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("uploaded run "), "{}", stderr(&out));
    let out = benchgate_with_env(
        &[
            "exec",
            "--export-json",
            "executed.json",
            "--upload",
            &url,
            "--",
            "cat",
            "go.txt",
        ],
        dir.path(),
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (status, body) = get(served.addr, "/api/v1/runs");
    assert_eq!(status, 200, "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for file in ["ingested.json", "executed.json"] {
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
        assert!(ids.contains(&run["id"].as_str().unwrap()), "{file}: {body}");
        assert_eq!(run["source"], "ingest:go");
    }
}

/// `token revoke ID`: a revoked write token is refused by a running server at once (401), the
/// list no longer shows it, and an id that is not there is exit 2.
#[test]
fn a_revoked_token_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("history.db").display());
    let write = create_token(&db, dir.path(), "write");
    let served = Served::start(&db, dir.path());
    let run = |n: u32| {
        format!(
            "{{\"schema\":\"benchgate/run/v1\",\"id\":\"01933c5e-0000-7000-8000-00000000000{n}\"}}"
        )
    };
    // With the token: not a 401 (the body is incomplete, so 400), i.e. the token opened.
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", Some(&write), &run(1));
    assert_eq!(status, 400, "{body}");
    let out = benchgate(&["--db", &db, "token", "revoke", "1"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("revoked token 1"), "{}", stderr(&out));
    let (status, body) = request(served.addr, "POST", "/api/v1/runs", Some(&write), &run(2));
    assert_eq!(status, 401, "{body}");
    let out = benchgate(&["--db", &db, "token", "list"], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("no tokens"));
    let out = benchgate(&["--db", &db, "token", "revoke", "1"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no token with id 1 (benchgate token list shows them)"),
        "{}",
        stderr(&out)
    );
}
