//! The mock backend over loopback, driven by a raw HTTP/1.1 client on a TcpStream.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;

use benchgate_backend::{
    BackendConfig, BackendStats, FailureKind, FaultModel, FaultPlan, LatencyDist, MockBackend,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every test is bounded: a hung server fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

#[derive(Debug)]
enum Reply {
    Response(Response),
    /// The connection ended before any byte of a response: EOF or a reset.
    Closed(std::io::ErrorKind),
}

/// One keep-alive HTTP/1.1 connection.
struct Client {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Self {
        Self {
            stream: TcpStream::connect(addr).await.unwrap(),
            buffer: Vec::new(),
        }
    }

    async fn send(&mut self, method: &str, path: &str, key: Option<&str>) {
        let key_header = key.map(|k| format!("X-Key: {k}\r\n")).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: backend\r\n{key_header}Content-Length: 0\r\n\r\n"
        );
        self.stream.write_all(request.as_bytes()).await.unwrap();
    }

    async fn receive(&mut self) -> Reply {
        let head_end = loop {
            if let Some(i) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk).await {
                Ok(0) if self.buffer.is_empty() => {
                    return Reply::Closed(std::io::ErrorKind::UnexpectedEof);
                }
                Ok(0) => panic!("connection closed inside a response head"),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if self.buffer.is_empty() => return Reply::Closed(e.kind()),
                Err(e) => panic!("read failed inside a response head: {e}"),
            }
        };
        let head = String::from_utf8(self.buffer[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers["content-length"].parse().unwrap();
        while self.buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed inside a body");
            self.buffer.extend_from_slice(&chunk[..n]);
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Reply::Response(Response {
            status,
            headers,
            body,
        })
    }

    async fn call(&mut self, method: &str, path: &str, key: Option<&str>) -> Reply {
        self.send(method, path, key).await;
        self.receive().await
    }

    async fn response(&mut self, method: &str, path: &str, key: Option<&str>) -> Response {
        match self.call(method, path, key).await {
            Reply::Response(r) => r,
            Reply::Closed(kind) => panic!("{method} {path}: closed without a response ({kind:?})"),
        }
    }

    async fn stats(&mut self) -> BackendStats {
        let response = self.response("GET", "/_stats", None).await;
        assert_eq!(response.status, 200);
        assert_eq!(response.headers["content-type"], "application/json");
        serde_json::from_slice(&response.body).unwrap()
    }
}

async fn start(config: BackendConfig) -> MockBackend {
    MockBackend::start(config).await.unwrap()
}

fn failures(stats: &BackendStats, kind: &str) -> u64 {
    stats.failures[kind]
}

#[tokio::test]
async fn stats_count_exactly_n_sequential_calls_over_one_keep_alive_connection() {
    tokio::time::timeout(BOUND, async {
        let backend = start(BackendConfig::default()).await;
        assert!(backend.local_addr().ip().is_loopback() && backend.local_addr().port() != 0);
        let mut client = Client::connect(backend.local_addr()).await;
        let fresh = client.response("GET", "/_stats", None).await;
        assert_eq!(
            String::from_utf8(fresh.body).unwrap(),
            r#"{"calls":0,"failures":{"5xx":0,"hang":0,"reset":0},"in_flight":0,"max_concurrency":0,"per_key":{}}"#
        );
        for i in 0..50u64 {
            let response = if i % 2 == 0 {
                client.response("GET", "/items/7", None).await
            } else {
                client.response("POST", "/anything", Some("vm-1")).await
            };
            assert_eq!(
                (response.status, response.body.as_slice()),
                (200, &b"ok\n"[..])
            );
            assert_eq!(response.headers["x-call-index"], i.to_string());
            assert_eq!(response.headers["x-key-call-index"], (i / 2).to_string());
        }
        let stats = client.stats().await;
        assert_eq!(stats.calls, 50);
        assert_eq!(
            stats.per_key,
            BTreeMap::from([("7".to_owned(), 25), ("vm-1".to_owned(), 25)])
        );
        assert_eq!(
            stats.failures,
            BTreeMap::from([
                ("5xx".to_owned(), 0),
                ("hang".to_owned(), 0),
                ("reset".to_owned(), 0)
            ])
        );
        assert_eq!((stats.in_flight, stats.max_concurrency), (0, 1));
        assert_eq!(backend.stats(), stats);
        backend.shutdown(Duration::from_secs(5)).await;
    })
    .await
    .unwrap();
}

/// The indices of the failing calls among `n` sequential calls.
async fn failing_calls(addr: SocketAddr, n: u64) -> BTreeSet<u64> {
    let mut client = Client::connect(addr).await;
    let mut failing = BTreeSet::new();
    for i in 0..n {
        let response = client.response("GET", "/work", None).await;
        assert_eq!(response.headers["x-call-index"], i.to_string());
        match response.status {
            200 => {}
            500 | 503 => {
                assert_eq!(response.headers["x-injected-failure"], "5xx");
                failing.insert(i);
            }
            other => panic!("status {other}"),
        }
    }
    failing
}

#[tokio::test]
async fn fail_rate_is_within_binomial_bounds_and_the_same_seed_fails_the_same_calls() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            fail_rate: 0.2,
            ..FaultPlan::default()
        };
        let config = BackendConfig {
            seed: 7,
            plan: plan.clone(),
            ..BackendConfig::default()
        };
        let backend = start(config.clone()).await;
        let first = failing_calls(backend.local_addr(), 2_000).await;
        // 2000 × 0.2 = 400, σ = √(2000 × 0.2 × 0.8) ≈ 17.9; 4.5 σ ≈ 80.
        assert!(
            (320..=480).contains(&first.len()),
            "{} failures of 2000",
            first.len()
        );
        let stats = backend.stats();
        assert_eq!(
            (stats.calls, failures(&stats, "5xx")),
            (2_000, first.len() as u64)
        );

        // The same set after a reset, on a fresh server with the same seed, and as predicted by
        // the pure model; another seed fails other calls.
        let mut control = Client::connect(backend.local_addr()).await;
        assert_eq!(control.response("POST", "/_reset", None).await.status, 200);
        assert_eq!(failing_calls(backend.local_addr(), 2_000).await, first);
        let again = start(config.clone()).await;
        assert_eq!(failing_calls(again.local_addr(), 2_000).await, first);
        let model = FaultModel::new(7, config.latency.clone(), plan.clone()).unwrap();
        let predicted: BTreeSet<u64> = (0..2_000)
            .filter(|&i| model.decision(i, "work", i).failure.is_some())
            .collect();
        assert_eq!(predicted, first);
        let other = start(BackendConfig { seed: 8, ..config }).await;
        assert_ne!(failing_calls(other.local_addr(), 2_000).await, first);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_first_three_calls_of_each_key_fail_and_no_other() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            fail_first_per_key: 3,
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan,
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        let mut failed: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for _ in 0..6 {
            for key in ["vm-1", "vm-2", "vm-3"] {
                let response = client.response("DELETE", "/vms", Some(key)).await;
                if response.status != 200 {
                    let n = response.headers["x-key-call-index"].parse().unwrap();
                    failed.entry(key).or_default().push(n);
                }
            }
        }
        for key in ["vm-1", "vm-2", "vm-3"] {
            assert_eq!(failed[key], vec![0, 1, 2], "{key}");
        }
        let stats = client.stats().await;
        assert_eq!((stats.calls, failures(&stats, "5xx")), (18, 9));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn max_concurrency_equals_the_number_of_requests_held_open_at_once() {
    tokio::time::timeout(BOUND, async {
        let latency = LatencyDist::parse("fixed(200ms)").unwrap();
        let backend = start(BackendConfig {
            latency,
            ..BackendConfig::default()
        })
        .await;
        let addr = backend.local_addr();
        // Connect all ten first, then send: the requests overlap by ~200 ms.
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(Client::connect(addr).await);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (i, mut client) in clients.into_iter().enumerate() {
            tasks.spawn(async move {
                client
                    .response("GET", &format!("/c/{i}"), None)
                    .await
                    .status
            });
        }
        while let Some(status) = tasks.join_next().await {
            assert_eq!(status.unwrap(), 200);
        }
        let stats = backend.stats();
        assert_eq!(
            (stats.calls, stats.max_concurrency, stats.in_flight),
            (10, 10, 0)
        );
        assert_eq!(stats.per_key.len(), 10);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn reset_closes_the_connection_without_a_response() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            kind: FailureKind::Reset,
            always_fail_keys: BTreeSet::from(["bad".to_owned()]),
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan,
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        assert_eq!(client.response("GET", "/good", None).await.status, 200);
        match client.call("GET", "/bad", None).await {
            // SO_LINGER 0: the close is a TCP reset, not a FIN.
            Reply::Closed(kind) => assert_eq!(kind, std::io::ErrorKind::ConnectionReset),
            Reply::Response(r) => panic!("a response to a reset call: {r:?}"),
        }
        // The server lives on; a new connection works.
        let mut client = Client::connect(backend.local_addr()).await;
        assert_eq!(client.response("GET", "/good", None).await.status, 200);
        let stats = client.stats().await;
        assert_eq!(
            (stats.calls, failures(&stats, "reset"), stats.in_flight),
            (3, 1, 0)
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn post_reset_zeroes_the_counters_and_restarts_the_schedules() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            fail_first_per_key: 1,
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan,
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        assert_eq!(client.response("GET", "/k", None).await.status / 100, 5);
        assert_eq!(client.response("GET", "/k", None).await.status, 200);
        let before = client.stats().await;
        assert_eq!((before.calls, failures(&before, "5xx")), (2, 1));

        let response = client.response("POST", "/_reset", None).await;
        assert_eq!(response.status, 200);
        let zeroed: BackendStats = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            (
                zeroed.calls,
                failures(&zeroed, "5xx"),
                zeroed.max_concurrency
            ),
            (0, 0, 0)
        );
        assert!(zeroed.per_key.is_empty());
        assert_eq!(client.stats().await, zeroed);

        let first_again = client.response("GET", "/k", None).await;
        assert_eq!(
            (
                first_again.status / 100,
                first_again.headers["x-call-index"].as_str()
            ),
            (5, "0")
        );
        assert_eq!(client.response("GET", "/_reset", None).await.status, 405);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_hang_ends_at_its_deadline_or_at_shutdown_without_a_response() {
    tokio::time::timeout(BOUND, async {
        let hang = |hang_for| FaultPlan {
            fail_rate: 1.0,
            kind: FailureKind::Hang,
            hang_for,
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan: hang(Some(Duration::from_millis(100))),
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        assert!(matches!(
            client.call("GET", "/x", None).await,
            Reply::Closed(_)
        ));
        assert_eq!(failures(&backend.stats(), "hang"), 1);

        let forever = start(BackendConfig {
            plan: hang(None),
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(forever.local_addr()).await;
        client.send("GET", "/x", None).await;
        // Wait (bounded) until the server holds the call, then shut down with a long grace:
        // shutdown ends the hang itself, so it returns and the client sees a close.
        while forever.stats().in_flight == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        forever.shutdown(Duration::from_secs(30)).await;
        assert!(matches!(client.receive().await, Reply::Closed(_)));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_busy_address_is_a_clear_error() {
    tokio::time::timeout(BOUND, async {
        let backend = start(BackendConfig::default()).await;
        let addr = backend.local_addr();
        let err = match MockBackend::start(BackendConfig {
            listen: addr,
            ..BackendConfig::default()
        })
        .await
        {
            Err(err) => err.to_string(),
            Ok(_) => panic!("bound twice to {addr}"),
        };
        assert!(
            err.starts_with(&format!("cannot listen on {addr}: ")),
            "{err}"
        );
        assert!(err.to_lowercase().contains("in use"), "{err}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_is_exact_when_calls_of_one_key_arrive_at_once() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            fail_first_per_key: 3,
            ..FaultPlan::default()
        };
        let latency = LatencyDist::parse("fixed(50ms)").unwrap();
        let backend = start(BackendConfig {
            plan,
            latency,
            ..BackendConfig::default()
        })
        .await;
        let mut clients = Vec::new();
        for _ in 0..20 {
            clients.push(Client::connect(backend.local_addr()).await);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for mut client in clients {
            tasks.spawn(async move { client.response("GET", "/vm/delete", Some("vm-9")).await });
        }
        let mut failed_key_calls = BTreeSet::new();
        while let Some(response) = tasks.join_next().await {
            let response = response.unwrap();
            if response.status != 200 {
                failed_key_calls
                    .insert(response.headers["x-key-call-index"].parse::<u64>().unwrap());
            }
        }
        assert_eq!(failed_key_calls, BTreeSet::from([0, 1, 2]));
        let stats = backend.stats();
        assert_eq!((stats.calls, failures(&stats, "5xx")), (20, 3));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn every_response_says_it_comes_from_a_simulator() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            always_fail_keys: BTreeSet::from(["bad".to_owned()]),
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan,
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        for (method, path, status) in [
            ("GET", "/good", 200),
            ("GET", "/bad", 0),
            ("GET", "/_stats", 200),
            ("POST", "/_reset", 200),
            ("GET", "/_reset", 405),
        ] {
            let response = client.response(method, path, None).await;
            if status == 0 {
                assert_eq!(response.status / 100, 5, "{method} {path}");
            } else {
                assert_eq!(response.status, status, "{method} {path}");
            }
            assert_eq!(
                response.headers.get("x-benchgate-mode").map(String::as_str),
                Some("simulated"),
                "{method} {path}"
            );
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_plan_with_a_status_fails_every_call_with_it() {
    tokio::time::timeout(BOUND, async {
        let plan = FaultPlan {
            fail_rate: 1.0,
            status: Some(502),
            ..FaultPlan::default()
        };
        let backend = start(BackendConfig {
            plan,
            ..BackendConfig::default()
        })
        .await;
        let mut client = Client::connect(backend.local_addr()).await;
        for _ in 0..20 {
            let response = client.response("GET", "/x", None).await;
            assert_eq!(response.status, 502);
            assert_eq!(response.headers["x-injected-failure"], "5xx");
        }
        let stats = client.stats().await;
        assert_eq!((stats.calls, failures(&stats, "5xx")), (20, 20));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_key_longer_than_the_limit_is_refused_and_not_counted() {
    tokio::time::timeout(BOUND, async {
        let backend = start(BackendConfig::default()).await;
        let mut client = Client::connect(backend.local_addr()).await;
        let longest = "k".repeat(benchgate_backend::MAX_KEY_BYTES);
        let response = client.response("GET", "/x", Some(&longest)).await;
        assert_eq!(response.status, 200);
        let too_long = "k".repeat(benchgate_backend::MAX_KEY_BYTES + 1);
        let response = client.response("GET", "/x", Some(&too_long)).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            String::from_utf8(response.body).unwrap(),
            format!(
                "the call's key is {} bytes long: at most {} are allowed\n",
                benchgate_backend::MAX_KEY_BYTES + 1,
                benchgate_backend::MAX_KEY_BYTES
            )
        );
        assert_eq!(response.headers["x-benchgate-mode"], "simulated");
        // From the path too.
        let response = client
            .response("GET", &format!("/vm/{too_long}"), None)
            .await;
        assert_eq!(response.status, 400);
        let stats = client.stats().await;
        assert_eq!(stats.calls, 1);
        assert_eq!(stats.per_key.keys().collect::<Vec<_>>(), [&longest]);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_and_not_counted() {
    tokio::time::timeout(BOUND, async {
        let limit = benchgate_backend::MAX_BODY_BYTES;
        let backend = start(BackendConfig::default()).await;
        // A body within the limit is read whole; the connection stays usable.
        let mut client = Client::connect(backend.local_addr()).await;
        let head = format!("POST /up HTTP/1.1\r\nHost: b\r\nContent-Length: {limit}\r\n\r\n");
        client.stream.write_all(head.as_bytes()).await.unwrap();
        client.stream.write_all(&vec![b'x'; limit]).await.unwrap();
        match client.receive().await {
            Reply::Response(r) => assert_eq!(r.status, 200),
            Reply::Closed(kind) => panic!("closed: {kind:?}"),
        }
        assert_eq!(client.stats().await.calls, 1);

        // Declared too long: refused before any of it is read.
        let mut client = Client::connect(backend.local_addr()).await;
        let head = format!(
            "POST /up HTTP/1.1\r\nHost: b\r\nContent-Length: {}\r\n\r\n",
            limit + 1
        );
        client.stream.write_all(head.as_bytes()).await.unwrap();
        let Reply::Response(response) = client.receive().await else {
            panic!("no response")
        };
        assert_eq!(response.status, 413);
        assert_eq!(response.headers["connection"], "close");
        assert_eq!(response.headers["x-benchgate-mode"], "simulated");

        // Chunked, found too long while reading: refused at the byte past the limit.
        let mut client = Client::connect(backend.local_addr()).await;
        let head = format!(
            "POST /up HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            limit + 1
        );
        client.stream.write_all(head.as_bytes()).await.unwrap();
        client
            .stream
            .write_all(&vec![b'x'; limit + 1])
            .await
            .unwrap();
        let Reply::Response(response) = client.receive().await else {
            panic!("no response")
        };
        assert_eq!(response.status, 413);

        let stats = backend.stats();
        assert_eq!((stats.calls, stats.in_flight), (1, 0));
    })
    .await
    .unwrap();
}

/// A body that ends in an error — a chunked body with a malformed chunk size, an upload cut off
/// before its declared length — is not a call: the request never arrived whole.
#[tokio::test]
async fn a_body_that_fails_to_read_is_refused_and_not_counted() {
    tokio::time::timeout(BOUND, async {
        let backend = start(BackendConfig::default()).await;

        // A malformed chunk size: the connection can still carry the answer.
        let mut client = Client::connect(backend.local_addr()).await;
        let head = "POST /up HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        client.stream.write_all(head.as_bytes()).await.unwrap();
        let Reply::Response(response) = client.receive().await else {
            panic!("no response")
        };
        assert_eq!(response.status, 400);
        assert_eq!(response.headers["connection"], "close");
        assert_eq!(response.headers["x-benchgate-mode"], "simulated");

        // A truncated upload: 10 bytes of 100, then the client closes its side. Whatever the
        // server answers (if anything), it closes the connection; reading to that end waits for
        // the request to be handled.
        let mut client = Client::connect(backend.local_addr()).await;
        let head = "POST /up HTTP/1.1\r\nHost: b\r\nContent-Length: 100\r\n\r\n0123456789";
        client.stream.write_all(head.as_bytes()).await.unwrap();
        client.stream.shutdown().await.unwrap();
        let mut rest = Vec::new();
        let _ = client.stream.read_to_end(&mut rest).await;
        assert!(
            !String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 200"),
            "a truncated upload was answered as a call: {}",
            String::from_utf8_lossy(&rest)
        );

        let stats = backend.stats();
        assert_eq!((stats.calls, stats.in_flight), (0, 0));
    })
    .await
    .unwrap();
}
