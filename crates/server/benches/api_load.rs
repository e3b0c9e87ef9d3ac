//! The team server under load (a benchmark, not a test; issue 15), with `benchgate load` as the
//! load generator: a SQLite store seeded with N runs × 100 benchmarks (10 000 runs = 1 M
//! metrics, the store's own generator), `benchgate serve` on loopback, then
//!
//! 1. history reads: `GET /api/v1/series?bench=…` round-robin over the 100 benchmarks (a URL
//!    list), `--requests` of them (10 000) at `--concurrency` (10);
//! 2. run uploads: `POST /api/v1/runs` with a write token, each request its own new run of 100
//!    benchmarks (a URL list whose lines name their bodies, `@upload-NNNN.json`), `--uploads`
//!    of them (1 000) at `--upload-concurrency` (4);
//!
//! and prints each load's throughput, p50/p99 latency and errors (every 4xx/5xx is an error, so a
//! duplicate or refused upload shows), then checks the store holds N + uploads runs.
//!
//! `cargo build --release -p benchgate && cargo bench -p benchgate-server --bench api_load --
//! [--runs N] [--reads N] [--uploads N] [--concurrency C] [--upload-concurrency C] [--bin PATH]`
//! (the binary defaults to `target/release/benchgate` of this workspace, or `$BENCHGATE_BIN`).

#[path = "../../store/benches/common/mod.rs"]
mod runs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use runs::{BENCHMARKS, Prng, environment, make_run};

struct Options {
    runs: usize,
    reads: usize,
    uploads: usize,
    concurrency: usize,
    upload_concurrency: usize,
    bin: PathBuf,
}

fn options() -> Options {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let mut options = Options {
        runs: 10_000,
        reads: 10_000,
        uploads: 1_000,
        concurrency: 10,
        upload_concurrency: 4,
        bin: std::env::var_os("BENCHGATE_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("release/benchgate")),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{name} N"))
        };
        match arg.as_str() {
            "--runs" => options.runs = number("--runs"),
            "--reads" => options.reads = number("--reads"),
            "--uploads" => options.uploads = number("--uploads"),
            "--concurrency" => options.concurrency = number("--concurrency"),
            "--upload-concurrency" => options.upload_concurrency = number("--upload-concurrency"),
            "--bin" => options.bin = args.next().expect("--bin PATH").into(),
            _ => {} // `cargo bench` passes --bench
        }
    }
    assert!(
        options.bin.is_file(),
        "no benchgate binary at {} (cargo build --release -p benchgate, or --bin PATH)",
        options.bin.display()
    );
    options
}

/// `benchgate serve`, killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(bin: &Path, db: &str) -> Served {
        let mut child = Command::new(bin)
            .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start benchgate serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut first)
            .expect("serve's first line");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("serve said {first:?}"))
            .to_string();
        Served { child, addr }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one `benchgate load` level reported (its whole-level labels).
struct Figures {
    ops: u64,
    errors: u64,
    error_kinds: Vec<(String, String)>,
    throughput: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn load(
    bin: &Path,
    dir: &Path,
    name: &str,
    urls: &str,
    concurrency: usize,
    requests: usize,
    headers: &[String],
) -> Figures {
    let export = dir.join(format!("{name}.json"));
    let mut command = Command::new(bin);
    command
        .current_dir(dir)
        .args(["--db", "sqlite://load.db", "load", "--urls-file", urls])
        .args(["--concurrency", &concurrency.to_string()])
        .args(["--requests", &requests.to_string()])
        .args(["--duration", "10m", "--timeout", "30s", "--name", name])
        .arg("--export-json")
        .arg(&export);
    for header in headers {
        command.args(["-H", header]);
    }
    let out = command.output().expect("run benchgate load");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export).unwrap_or_else(|_| {
            panic!(
                "benchgate load wrote no run: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .expect("the exported run");
    let labels = &run["benchmarks"][0]["labels"];
    let number = |key: &str| -> f64 {
        labels[key]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let error_kinds = labels
        .as_object()
        .map(|all| {
            all.iter()
                .filter(|(key, _)| key.starts_with("errors."))
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    Figures {
        ops: number("ops") as u64,
        errors: number("errors") as u64,
        error_kinds,
        throughput: number("whole.throughput"),
        p50_ms: number("whole.latency_p50_ns") / 1e6,
        p99_ms: number("whole.latency_p99_ns") / 1e6,
    }
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("server.db");
    let db = format!("sqlite://{}", db_path.display());

    let env = environment();
    let mut rng = Prng(7);
    let start = Instant::now();
    {
        let store = benchgate_server::open_store(&db).expect("open the store");
        for i in 0..options.runs {
            store
                .put_run(&make_run(i, &mut rng, &env))
                .expect("put_run");
        }
    }
    let seeded = start.elapsed();
    eprintln!(
        "seeded {} runs × {BENCHMARKS} benchmarks = {} metrics in {seeded:.1?}",
        options.runs,
        options.runs * BENCHMARKS
    );

    let token = Command::new(&options.bin)
        .args(["--db", &db, "token", "create", "--scope", "write"])
        .output()
        .expect("benchgate token create");
    let token = String::from_utf8(token.stdout)
        .expect("a token")
        .trim()
        .to_string();
    assert_eq!(token.len(), 64, "benchgate token create printed {token:?}");

    let served = Served::start(&options.bin, &db);
    let base = format!("http://{}/api/v1", served.addr);
    let reads: String = (0..BENCHMARKS)
        .map(|b| format!("GET {base}/series?bench=suite/bench-{b:03}\n"))
        .collect();
    std::fs::write(dir.path().join("reads.txt"), reads).expect("write reads.txt");
    let mut uploads = String::new();
    for u in 0..options.uploads {
        let file = format!("upload-{u:04}.json");
        let run = make_run(options.runs + u, &mut rng, &env);
        std::fs::write(dir.path().join(&file), run.to_json_pretty()).expect("write an upload");
        uploads.push_str(&format!("POST {base}/runs @{file}\n"));
    }
    std::fs::write(dir.path().join("uploads.txt"), uploads).expect("write uploads.txt");

    let read = load(
        &options.bin,
        dir.path(),
        "api-series",
        "reads.txt",
        options.concurrency,
        options.reads,
        &[],
    );
    let upload = load(
        &options.bin,
        dir.path(),
        "api-upload",
        "uploads.txt",
        options.upload_concurrency,
        options.uploads,
        &[
            format!("authorization: Bearer {token}"),
            "content-type: application/json".to_string(),
        ],
    );
    drop(served);
    let stored = benchgate_server::open_store(&db)
        .and_then(|store| Ok(store.list_runs(usize::MAX)?.len()))
        .expect("count the stored runs");

    println!(
        "# benchgate serve (SQLite, {} runs × {BENCHMARKS} benchmarks = {} metrics before the uploads), load by `benchgate load`",
        options.runs,
        options.runs * BENCHMARKS
    );
    println!(
        "{:<34} {:>8} {:>11} {:>9} {:>9} {:>7}",
        "load", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for (what, f) in [
        (
            format!("GET /series (history), c={}", options.concurrency),
            &read,
        ),
        (
            format!(
                "POST /runs (100 benchmarks), c={}",
                options.upload_concurrency
            ),
            &upload,
        ),
    ] {
        println!(
            "{what:<34} {:>8} {:>11.1} {:>9.2} {:>9.2} {:>7}",
            f.ops, f.throughput, f.p50_ms, f.p99_ms, f.errors
        );
        for (kind, count) in &f.error_kinds {
            println!("    {kind} = {count}");
        }
    }
    println!(
        "stored runs after the uploads: {stored} (expected {})",
        options.runs + options.uploads
    );
    println!(
        "goal: 0 errors, reads p99 < 50 ms: {}",
        if read.errors == 0 && upload.errors == 0 && read.p99_ms < 50.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
