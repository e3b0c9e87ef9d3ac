//! A bench's `http = { ... }` (SPEC §4.3): the request an HTTP bench sends as its load, parsed
//! into exact values, and everything an HTTP bench cannot have refused with file:line:column,
//! the key and why.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use benchgate_config::{Config, ConfigError, HttpSettings, LoadModel};

fn env(name: &str) -> Option<String> {
    match name {
        "API" => Some("http://127.0.0.1:8080".into()),
        "TOKEN" => Some("s3cret-token".into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(text, "benchgate.toml", &env)
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:#?}"),
        Err(e) => e.to_string(),
    }
}

/// An HTTP bench whose third line on is `rest`.
fn http_bench(rest: &str) -> String {
    format!("[[bench]]\nname = \"api/get\"\n{rest}")
}

#[test]
fn an_http_bench_reads_its_request_and_load() {
    let config = parse(&http_bench(
        "http = { url = \"${API}/jobs\", method = \"post\", body = \"{}\", \
         headers = { \"content-type\" = \"application/json\", authorization = \"Bearer ${TOKEN}\" } }\n\
         concurrency = [1, 10]\noperations = 500\n",
    ))
    .unwrap();
    let bench = &config.benches[0];
    assert_eq!(
        bench.http,
        Some(HttpSettings {
            urls: vec!["http://127.0.0.1:8080/jobs".to_string()],
            urls_file: None,
            method: "POST".to_string(),
            headers: vec![
                ("content-type".to_string(), "application/json".to_string()),
                (
                    "authorization".to_string(),
                    "Bearer s3cret-token".to_string()
                ),
            ],
            body: Some("{}".to_string()),
            body_file: None,
            http2: false,
            threads: None,
        })
    );
    assert_eq!(bench.command, "");
    // What runs record and reports show: the URL as written, the variable unexpanded.
    assert_eq!(bench.command_as_written, "POST ${API}/jobs");
    let load = bench.load.as_ref().unwrap();
    assert_eq!(
        load.model,
        LoadModel::Closed {
            levels: vec![
                NonZeroUsize::new(1).unwrap(),
                NonZeroUsize::new(10).unwrap()
            ]
        }
    );
    assert_eq!(load.operations, Some(500));
    assert_eq!(
        bench.benchmark_names(),
        ["api/get/concurrency=1", "api/get/concurrency=10"]
    );
}

#[test]
fn a_url_list_file_and_a_body_file_are_paths() {
    let config = parse(&http_bench(
        "http = { urls_file = \"urls.txt\", body_file = \"body.json\", http2 = true, threads = 2 }\nrate = \"100/s\"\n",
    ))
    .unwrap();
    let http = config.benches[0].http.as_ref().unwrap();
    assert!(http.urls.is_empty());
    assert_eq!(http.urls_file, Some(PathBuf::from("urls.txt")));
    assert_eq!(http.body_file, Some(PathBuf::from("body.json")));
    assert_eq!(http.method, "GET");
    assert!(http.http2);
    assert_eq!(http.threads.map(|n| n.get()), Some(2));
}

#[test]
fn an_unset_variable_listed_in_requires_skips_the_http_bench() {
    let config = parse(&http_bench(
        "requires = { env = [\"NOPE\"] }\nhttp = { url = \"${NOPE}/x\" }\nconcurrency = [1]\n",
    ))
    .unwrap();
    assert_eq!(
        config.benches[0].skip_reason().as_deref(),
        Some("requires: environment variable NOPE is not set")
    );
}

#[test]
fn what_an_http_bench_cannot_have_is_refused_at_its_key() {
    let cases = [
        (
            "command = \"curl x\"\nhttp = { url = \"http://h/\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:11: [[bench]] #1 `command`: not with `http`: give `command` or `http`, not both",
        ),
        (
            "http = { url = \"http://h/\" }\n",
            "benchgate.toml:3:8: [[bench]] #1 `http`: needs `concurrency` (closed model) or `rate` (open model): an HTTP bench is load",
        ),
        (
            "http = { url = \"http://h/\" }\nconcurrency = [1]\nprepare = \"true\"\n",
            "benchgate.toml:5:11: [[bench]] #1 `prepare`: not with `http`: runs before each run of a command; an HTTP bench has `setup`, run once before the load",
        ),
        (
            "http = { url = \"http://h/\" }\nconcurrency = [1]\nmetrics = [{ name = \"x\", json = \"$.x\" }]\n",
            "benchgate.toml:5:11: [[bench]] #1 `metrics`: not with `http`: are read from a command's output; an HTTP bench has none",
        ),
        (
            "http = { url = \"http://h/\" }\nconcurrency = [1]\nmemory = { every = \"10ms\" }\n",
            "benchgate.toml:5:10: [[bench]] #1 `memory`: an HTTP bench starts no process to sample; add `watch = { pid_file = ... }` for the server's",
        ),
        (
            "http = { method = \"GET\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:8: [[bench]] #1 `http`: missing required key `url`",
        ),
        (
            "http = { url = \"http://h/\", urls_file = \"u.txt\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:41: [[bench]] #1 `http.urls_file`: give `url` or `urls_file`, not both",
        ),
        (
            "http = { url = \"http://h/\", body = \"x\", body_file = \"b\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:53: [[bench]] #1 `http.body_file`: give `body` or `body_file`, not both",
        ),
        (
            "http = { url = \"http://h/\", method = \"G T\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:38: [[bench]] #1 `http.method`: expected an HTTP method such as \"GET\" or \"POST\", found \"G T\"",
        ),
        (
            "http = { url = \"http://h/\", headers = { accept = 1 } }\nconcurrency = [1]\n",
            "benchgate.toml:3:50: [[bench]] #1 `http.headers.accept`: expected a string, found integer",
        ),
        (
            "http = { url = \"http://h/\", verb = \"GET\" }\nconcurrency = [1]\n",
            "benchgate.toml:3:29: [[bench]] #1 `http.verb`: unknown key (expected one of url, urls_file, method, headers, body, body_file, http2, threads)",
        ),
        (
            "http = { url = \"http://h/\", threads = 0 }\nconcurrency = [1]\n",
            "benchgate.toml:3:39: [[bench]] #1 `http.threads`: must be from 1 to 64",
        ),
        (
            "http = \"http://h/\"\nconcurrency = [1]\n",
            "benchgate.toml:3:8: [[bench]] #1 `http`: expected a table, found string",
        ),
        (
            "concurrency = [1]\n",
            "benchgate.toml:1:1: [[bench]] #1: missing required key `command`",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(rest, message)| {
            let got = error(&http_bench(rest));
            (got != *message).then(|| format!("{rest}\n  got:      {got}\n  expected: {message}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
