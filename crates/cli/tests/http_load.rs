//! `benchgate load URL…` and `[[bench]] http = {...}` through the whole program (SPEC §4.3,
//! issue 14): levels stored and judged as benchmarks, budgets from a file gating them, a server
//! that says it is a simulator making the run simulated, bad URLs and refused connections as
//! clear errors. The server is a small HTTP/1.1 keep-alive server on 127.0.0.1 in this process
//! (a thread per connection); every load is bounded by a request count or a short duration, and
//! no assertion depends on timing beyond wide margins.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{
    benchgate, benchmark, metric, read_json, samples, stderr, stdout, stored_runs, write,
};
use serde_json::Value;

/// What the test server answers.
#[derive(Clone, Copy, Default)]
struct Behaviour {
    /// Sends `x-benchgate-mode: simulated`, as `benchgate mock-backend` does.
    simulated: bool,
    /// Every Nth request (1-based) is answered 503.
    fail_every: Option<u64>,
    /// Every request is answered 404.
    not_found: bool,
    delay: Option<Duration>,
}

/// A keep-alive HTTP/1.1 server counting requests and the most it held at once.
struct Server {
    url: String,
    requests: Arc<AtomicU64>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Server {
    fn start(behaviour: Behaviour) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicU64::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let counters = (requests.clone(), in_flight, max_in_flight.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counters = counters.clone();
                std::thread::spawn(move || serve(stream, behaviour, counters));
            }
        });
        Server {
            url,
            requests,
            max_in_flight,
        }
    }
}

fn serve(
    stream: TcpStream,
    behaviour: Behaviour,
    (requests, in_flight, max): (Arc<AtomicU64>, Arc<AtomicUsize>, Arc<AtomicUsize>),
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        // The request line, then headers up to the blank line.
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        if let Some(delay) = behaviour.delay {
            std::thread::sleep(delay);
        }
        let status = match behaviour.fail_every {
            _ if behaviour.not_found => "404 Not Found",
            Some(every) if n % every == 0 => "503 Service Unavailable",
            _ => "200 OK",
        };
        let mode = if behaviour.simulated {
            "x-benchgate-mode: simulated\r\n"
        } else {
            ""
        };
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\n{mode}\r\nok");
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn a_sweep_stores_one_benchmark_per_level_each_holding_its_connections() {
    let server = Server::start(Behaviour {
        delay: Some(Duration::from_millis(2)),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "load",
            &server.url,
            "--sweep",
            "1,4",
            "--requests",
            "200",
            "--name",
            "api/get",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["provenance"]["mode"], "real");
    for level in [1, 4] {
        let bench = benchmark(&run, &format!("api/get/concurrency={level}"));
        assert_eq!(bench["labels"]["ops"], "200", "{bench:#}");
        assert_eq!(bench["labels"]["errors"], "0");
        assert_eq!(bench["labels"]["http_version"], "HTTP/1.1");
        assert_eq!(bench["command"], format!("GET {}", server.url));
        assert_eq!(samples(metric(bench, "max_concurrency")), [level as f64]);
        assert!(
            samples(metric(bench, "error_rate"))
                .iter()
                .all(|&r| r == 0.0)
        );
    }
    // 2 levels × 200 requests, and the probe before them.
    assert_eq!(server.requests.load(Ordering::SeqCst), 401);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 4);
    let runs = stored_runs(dir.path());
    assert_eq!(runs.len(), 1, "the run is stored");
    // Judged on the load's own measures by default: 2 levels × throughput, p99, error rate.
    assert!(
        stdout(&out).contains("PASSED: 6 new of 6 gated comparisons"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn errors_are_counted_by_status_kind() {
    let server = Server::start(Behaviour {
        fail_every: Some(5),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "load",
            &server.url,
            "--concurrency",
            "1",
            "--requests",
            "100",
            "--name",
            "flaky",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let bench = benchmark(&run, "flaky/concurrency=1");
    // The probe was request 1; of the 100 after it, requests 5, 10, … 100 of the server's count
    // fail: 20.
    assert_eq!(bench["labels"]["errors"], "20", "{bench:#}");
    assert_eq!(bench["labels"]["errors.http:503"], "20");
}

#[test]
fn a_server_that_says_it_is_a_simulator_makes_the_run_simulated() {
    let server = Server::start(Behaviour {
        simulated: true,
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(
        &[
            "load",
            &server.url,
            "--rate",
            "200/s",
            "--requests",
            "50",
            "--name",
            "mock",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["provenance"]["mode"], "simulated");
    assert_eq!(run["provenance"]["tags"]["simulated"], "mock");
    let bench = benchmark(&run, "mock");
    assert_eq!(bench["mode"], "simulated");
    assert_eq!(samples(metric(bench, "planned")), [50.0]);
    assert!(stdout(&out).contains("simulated"), "{}", stdout(&out));
}

#[test]
fn a_budget_of_the_config_file_gates_the_load() {
    let server = Server::start(Behaviour {
        delay: Some(Duration::from_millis(5)),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "gate.toml",
        "[[budget]]\nbench = \"api/*\"\nmeasure = \"latency_p99\"\nmax = \"1ms\"\n",
    );
    let out = benchgate(
        &[
            "load",
            &server.url,
            "--concurrency",
            "2",
            "--requests",
            "40",
            "--name",
            "api/slow",
            "--config",
            "gate.toml",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    assert!(report.contains("latency_p99"), "{report}");
    assert!(report.contains("≤ 1ms"), "{report}");
}

#[test]
fn a_configured_http_bench_runs_with_the_suite() {
    let server = Server::start(Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "benchgate.toml",
        &format!(
            "[gate]\nmeasures = [\"throughput\"]\n\n\
             [[bench]]\nname = \"api/post\"\nhttp = {{ url = \"{}\", method = \"POST\", \
             headers = {{ \"content-type\" = \"application/json\" }}, body = \"{{}}\" }}\n\
             concurrency = [2]\noperations = 30\n",
            server.url
        ),
    );
    let out = benchgate(&["run", "--export-json", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let bench = benchmark(&run, "api/post/concurrency=2");
    assert_eq!(bench["labels"]["ops"], "30");
    assert_eq!(bench["command"], format!("POST {}", server.url));
    assert_eq!(server.requests.load(Ordering::SeqCst), 31);
}

#[test]
fn a_refused_connection_fails_the_benchmark_with_the_address() {
    // A port nobody listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/");
    let begun = Instant::now();
    let out = benchgate(
        &["load", &url, "--concurrency", "2", "--duration", "30s"],
        dir.path(),
    );
    // Refused at the probe: not 30 s of refused connects.
    assert!(begun.elapsed() < Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!(
            "cannot connect to {url} (127.0.0.1:{port}): Connection refused"
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_urls_and_flags_are_usage_errors_that_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["load", "127.0.0.1:8080"],
            "bad URL '127.0.0.1:8080': no scheme; write http://127.0.0.1:8080",
        ),
        (
            &["load", "ftp://127.0.0.1/"],
            "bad URL 'ftp://127.0.0.1/': the scheme must be http, not ftp",
        ),
        (
            &["load", "http://127.0.0.1:1/", "-H", "novalue"],
            "--header \"novalue\": expected NAME: VALUE",
        ),
        (
            &["load", "http://127.0.0.1:1/", "--requests", "0"],
            "--requests \"0\": expected a whole number, at least 1",
        ),
        (
            &["load", "http://127.0.0.1:1/", "--sweep", "1,1"],
            "--sweep \"1,1\": level 1 is given twice",
        ),
        (
            &["load", "http://127.0.0.1:1/", "--body-file", "missing.json"],
            "cannot read http.body_file missing.json",
        ),
    ];
    for (args, message) in cases {
        let out = benchgate(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert!(
        !dir.path().join(".benchgate").exists(),
        "nothing is stored for a usage error"
    );
}

#[test]
fn a_duration_bounds_the_level() {
    let server = Server::start(Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let begun = Instant::now();
    let out = benchgate(
        &[
            "load",
            &server.url,
            "--concurrency",
            "2",
            "--duration",
            "2s",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    let took = begun.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Never before its duration; the upper bound is wide for a busy machine.
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    let run = read_json(&dir.path().join("run.json"));
    let duration_ns: f64 = benchmark(
        &run,
        &format!(
            "{}/concurrency=2",
            server
                .url
                .trim_start_matches("http://")
                .trim_end_matches('/')
        ),
    )["labels"]["duration_ns"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((2.0e9..4.0e9).contains(&duration_ns), "{duration_ns}");
}

#[test]
fn a_url_list_spreads_the_requests_round_robin() {
    let first = Server::start(Behaviour::default());
    let second = Server::start(Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "urls.txt",
        &format!(
            "# two servers\n{}\n\nGET {}\n",
            first.url,
            second.url.trim_end_matches('/').to_string() + "/other"
        ),
    );
    let out = benchgate(
        &[
            "load",
            "--urls-file",
            "urls.txt",
            "--concurrency",
            "1",
            "--requests",
            "40",
            "--name",
            "two",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // One probe to each server, then requests alternate.
    assert_eq!(first.requests.load(Ordering::SeqCst), 21);
    assert_eq!(second.requests.load(Ordering::SeqCst), 21);
    // Every server of the list is probed: a second one that refuses fails the bench at once.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    write(
        dir.path(),
        "dead.txt",
        &format!("{}\nhttp://127.0.0.1:{port}/gone\n", first.url),
    );
    let out = benchgate(
        &["load", "--urls-file", "dead.txt", "--requests", "10"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!(
            "cannot connect to http://127.0.0.1:{port}/gone (127.0.0.1:{port})"
        )),
        "{}",
        stdout(&out)
    );
    write(dir.path(), "bad.txt", "http://127.0.0.1:1/\nPOST\n");
    let out = benchgate(&["load", "--urls-file", "bad.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.txt: line 2: expected `[METHOD] URL [@BODY_FILE]`"),
        "{}",
        stderr(&out)
    );
    // A line's body file is read beside the list; one that is missing is that line's error.
    write(
        dir.path(),
        "bodies.txt",
        "POST http://127.0.0.1:1/ @none.json\n",
    );
    let out = benchgate(&["load", "--urls-file", "bodies.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bodies.txt: line 1: ") && err.contains("none.json"),
        "{err}"
    );
}

/// A `benchgate mock-backend` process and its URL; killed when dropped.
struct MockBackend {
    child: std::process::Child,
    url: String,
}

impl MockBackend {
    fn start(args: &[&str], dir: &Path) -> MockBackend {
        let mut command = common::benchgate_command(dir, &[]);
        command
            .arg("mock-backend")
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = common::spawn(&mut command);
        let stdout = child.stdout.take().unwrap();
        let (sender, first_line) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = sender.send(first);
        });
        // Bounded: far beyond what a busy machine needs to start it.
        let first = first_line
            .recv_timeout(Duration::from_secs(60))
            .expect("mock-backend says where it listens");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string()
            + "/";
        MockBackend { child, url }
    }

    /// `GET /_stats`, parsed.
    fn stats(&self) -> Value {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET /_stats HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
    }
}

impl Drop for MockBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn against_the_mock_backend_the_error_rate_is_its_fail_rate_within_binomial_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockBackend::start(&["--fail-rate", "0.2", "--seed", "7"], dir.path());
    let out = benchgate(
        &[
            "load",
            &mock.url,
            "--concurrency",
            "8",
            "--requests",
            "5000",
            "--name",
            "mock/fail",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["provenance"]["mode"], "simulated");
    let bench = benchmark(&run, "mock/fail/concurrency=8");
    assert_eq!(bench["mode"], "simulated");
    assert_eq!(bench["labels"]["ops"], "5000");
    let errors: f64 = bench["labels"]["errors"].as_str().unwrap().parse().unwrap();
    let rate = errors / 5000.0;
    // Binomial: sd = sqrt(0.2 × 0.8 / 5000) ≈ 0.0057; five of them either side.
    assert!((0.2 - 0.0283..=0.2 + 0.0283).contains(&rate), "{rate}");
    // 503s are errors of their own kind, never latency samples.
    assert_eq!(
        bench["labels"]["errors.http:503"],
        bench["labels"]["errors"]
    );
    let stats = mock.stats();
    // The probe and 5000 requests.
    assert_eq!(stats["calls"], 5001);
    assert!(stats["max_concurrency"].as_u64().unwrap() <= 8);
}

#[test]
fn each_level_of_a_sweep_holds_its_requests_in_flight_and_the_backend_sees_the_highest() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockBackend::start(&["--latency", "fixed(20ms)"], dir.path());
    let out = benchgate(
        &[
            "load",
            &mock.url,
            "--sweep",
            "1,10,50",
            "--requests",
            "300",
            "--name",
            "mock/sweep",
            "--export-json",
            "run.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let mut throughputs = Vec::new();
    for level in [1.0, 10.0, 50.0] {
        let bench = benchmark(&run, &format!("mock/sweep/concurrency={level}"));
        assert_eq!(samples(metric(bench, "max_concurrency")), [level]);
        // Little's law: 20 ms each, N at a time → N in flight on average (wide margin: the
        // level's ramp-up and ramp-down and a busy machine).
        let mean: f64 = bench["labels"]["mean_in_flight"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(mean > level * 0.5 && mean <= level, "{level}: {mean}");
        let throughput = samples(metric(bench, "throughput"));
        throughputs.push(throughput.iter().sum::<f64>() / throughput.len() as f64);
    }
    // The levels really differ: more in flight, more requests per second.
    assert!(
        throughputs[0] < throughputs[1] && throughputs[1] < throughputs[2],
        "{throughputs:?}"
    );
    // The backend saw the highest level at once, and never more.
    assert_eq!(mock.stats()["max_concurrency"], 50);
}

#[test]
fn a_slower_server_fails_a_suite_s_gate_on_its_load_measures_by_default() {
    let dir = tempfile::tempdir().unwrap();
    // No [gate] measures: a load bench is gated on throughput, p99 and error rate anyway.
    let suite = |url: &str| {
        format!(
            "[[bench]]\nname = \"api/get\"\nhttp = {{ url = \"{url}\" }}\n\
             concurrency = [2]\nduration = \"1s\"\n"
        )
    };
    let fast = Server::start(Behaviour::default());
    write(dir.path(), "benchgate.toml", &suite(&fast.url));
    let out = benchgate(&["run"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let slow = Server::start(Behaviour {
        delay: Some(Duration::from_millis(50)),
        ..Behaviour::default()
    });
    write(dir.path(), "benchgate.toml", &suite(&slow.url));
    let out = benchgate(&["run", "--no-confirm"], dir.path());
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    // Gated on the three load measures (none would be on wall_time alone) …
    assert!(report.contains("of 3 gated comparisons"), "{report}");
    // … and 2 connections at 50 ms a request (40/s at most, p99 ≥ 50 ms) fail at least one of
    // them whatever the machine's load made of the fast server's figures.
    assert!(
        report.contains("api/get/concurrency=2 · throughput: FAIL")
            || report.contains("api/get/concurrency=2 · latency_p99: FAIL"),
        "{report}"
    );
}

#[test]
fn a_url_the_server_does_not_have_fails_the_bench_instead_of_passing_on_404s() {
    let server = Server::start(Behaviour {
        not_found: true,
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}nope", server.url);
    let out = benchgate(
        &["load", &url, "--concurrency", "2", "--requests", "50"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!(
            "GET {url} answered 404 to the probe before the load: check the URL, method and headers"
        )),
        "{}",
        stdout(&out)
    );
    // Only the probe was sent.
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn a_run_the_server_made_simulated_is_judged_against_simulated_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    let load = |url: &str, extra: &[&str]| {
        let mut args = vec!["load", url, "--concurrency", "1", "--requests", "30"];
        args.extend_from_slice(&["--name", "api"]);
        args.extend_from_slice(extra);
        benchgate(&args, dir.path())
    };
    let real = Server::start(Behaviour::default());
    assert_eq!(load(&real.url, &[]).status.code(), Some(0));
    let saved = benchgate(&["baseline", "save", "real"], dir.path());
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    let mock = Server::start(Behaviour {
        simulated: true,
        ..Behaviour::default()
    });
    // The real run is not the latest comparable run of a simulated one…
    let out = load(&mock.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("baseline: none yet"),
        "{}",
        stdout(&out)
    );
    // … and judging against it by name is refused unless asked for.
    let out = load(&mock.url, &["--baseline", "real"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("real") && stderr(&out).contains("simulated"),
        "{}",
        stderr(&out)
    );
    let out = load(&mock.url, &["--baseline", "real", "--allow-mode-mismatch"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A later simulated run finds the simulated ones before it.
    let out = load(&mock.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(simulated)\ncurrent:"),
        "{}",
        stdout(&out)
    );
}
