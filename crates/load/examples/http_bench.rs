//! Throughput and p99 of the HTTP engine against a zero-latency hyper server in this process
//! (its own thread and current-thread runtime, loopback), closed model; then, when `wrk` is on
//! the PATH, wrk against the same server with the same connections and duration, and the ratios.
//! Then the open model: 5000/s on the same connections (planned/started/late/dropped), and the
//! coordinated-omission demonstration: 40/s on one connection for 5 s against a server that
//! stalls its 40th request for 1 s, corrected p99 (from the intended send) beside the service
//! time's (from the actual send, what a closed-loop tool reports). Not a test: figures depend on
//! the machine.
//!
//! `cargo run --release -p benchgate-load --features http --example http_bench -- [connections] [seconds]`
//! (defaults 64 and 5).

use std::convert::Infallible;
use std::net::TcpListener;
use std::num::NonZeroUsize;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use benchgate_load::Stop;
use benchgate_load::http::{
    HttpClosedLoad, HttpOpenLoad, HttpRuntime, HttpTarget, run_http_closed, run_http_open,
};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(5), |a| a.parse())?;
    let connections = NonZeroUsize::new(connections).ok_or("connections must be at least 1")?;
    let url = serve()?;
    println!("server {url}, {connections} connections, {seconds} s each");
    let mut best: Option<(f64, Duration)> = None;
    for (name, runtime) in [
        ("current-thread", HttpRuntime::CurrentThread),
        (
            "2 workers",
            HttpRuntime::Workers(NonZeroUsize::new(2).ok_or("2")?),
        ),
    ] {
        let load = HttpClosedLoad::new(
            HttpTarget::get(&url)?,
            connections,
            Stop::after_duration(Duration::from_secs(seconds)),
        )
        .with_runtime(runtime);
        let level = run_http_closed(&load)?;
        let p99 = level.percentiles().map_or(Duration::ZERO, |p| p.p99);
        println!(
            "benchgate ({name:>14}): {:>10.0} req/s  p99 {:>10.3?}  ops {}  errors {}  process RSS {} KiB",
            level.throughput(),
            p99,
            level.operations,
            level.errors.total(),
            rss_kib().unwrap_or(0)
        );
        if let Some(check) = benchgate_load::littles_law(&level) {
            println!("  Little's law: {}", check.describe());
        }
        if best.is_none_or(|(rps, _)| level.throughput() > rps) {
            best = Some((level.throughput(), p99));
        }
    }
    let wrk = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            &url,
        ])
        .output();
    match wrk {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let rps = wrk_field(&text, "Requests/sec:").and_then(|v| v.parse::<f64>().ok());
            let p99 = wrk_field(&text, "99%").and_then(parse_wrk_duration);
            println!(
                "wrk        (2 threads): {:>10.0} req/s  p99 {:>10.3?}",
                rps.unwrap_or(0.0),
                p99.unwrap_or_default()
            );
            if let (Some((ours, our_p99)), Some(rps), Some(p99)) = (best, rps, p99) {
                println!(
                    "ratio benchgate/wrk: throughput {:.2}x, p99 {:.2}x",
                    ours / rps,
                    our_p99.as_secs_f64() / p99.as_secs_f64()
                );
            }
        }
        Ok(output) => println!("wrk failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(_) => println!("wrk not found (apt-get install -y wrk to compare)"),
    }
    let open = run_http_open(&HttpOpenLoad::new(
        HttpTarget::get(&url)?,
        5000.0,
        connections,
        Stop::after_duration(Duration::from_secs(seconds)),
    ))?;
    if let Some(counts) = open.open {
        println!(
            "open model 5000/s: {:.0} req/s  p99 {:.3?}  planned {}  started {}  late {}  dropped {}",
            open.throughput(),
            open.percentiles().map_or(Duration::ZERO, |p| p.p99),
            counts.planned,
            counts.started,
            counts.late,
            counts.dropped
        );
    }
    let stalling = serve_stalling(40)?;
    let stalled = run_http_open(&HttpOpenLoad::new(
        HttpTarget::get(&stalling)?,
        40.0,
        NonZeroUsize::MIN,
        Stop::after_duration(Duration::from_secs(5)),
    ))?;
    let corrected = stalled.percentiles().map(|p| p.p99);
    let service = stalled
        .service_time
        .as_ref()
        .and_then(|service| service.percentiles())
        .map(|p| p.p99);
    println!(
        "coordinated omission, 1 s stall once in 5 s at 40/s: corrected p99 {:.3?}  uncorrected (service time) p99 {:.3?}  ({:?})",
        corrected.unwrap_or_default(),
        service.unwrap_or_default(),
        stalled.open
    );
    Ok(())
}

/// This process's resident set (client and server), from /proc (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// The word after `label` on the first line that starts with it.
fn wrk_field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
}

/// wrk's `1.23ms`, `456.00us`, `2.01s`.
fn parse_wrk_duration(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return None;
    };
    number
        .parse::<f64>()
        .ok()
        .and_then(|n| Duration::try_from_secs_f64(n * scale).ok())
}

/// A zero-latency hyper server answering `ok` on its own thread; returns its URL.
fn serve() -> std::io::Result<String> {
    serve_stalling(u64::MAX)
}

/// [`serve`], but the `nth` request (1-based) is answered after 1 s.
fn serve_stalling(nth: u64) -> std::io::Result<String> {
    let requests = Arc::new(AtomicU64::new(0));
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let url = format!("http://{}/", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let requests = Arc::clone(&requests);
                tokio::spawn(async move {
                    let service = service_fn(move |_request| {
                        let n = requests.fetch_add(1, Ordering::Relaxed) + 1;
                        async move {
                            if n == nth {
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    Ok(url)
}
