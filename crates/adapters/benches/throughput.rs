//! Parse throughput of the adapters on large generated inputs (a benchmark, not a test):
//!
//! - Go benchmark text: ~100 MB, 1 000 benchmarks in 10 packages × `-count` repetitions, with
//!   `-benchmem` and `MB/s` columns, as `go test -bench . -benchmem -count N ./...` prints it;
//! - the same results as `go test -json` events;
//! - a criterion tree of 10 000 benchmarks (each a copy of a real fixture benchmark with 10
//!   samples), parsed from memory and read from disk.
//!
//! `cargo bench -p benchgate-adapters --bench throughput` (add `-- --quick` for a 10 MB Go input).
//! Prints the input size, the best and median of five rounds, MB/s at the median wall time, and
//! MB per CPU second of the best round (the parser is single-threaded; CPU time is what a shared
//! machine's other load does not inflate). Goal: ≥ 200 MB/s for Go text on one core.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use benchgate_adapters::{Format, criterion, parse};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let go_bytes = if quick { 10 << 20 } else { 100 << 20 };
    println!(
        "{:<28} {:>10} {:>11} {:>11} {:>10} {:>10} {:>10} {:>10}",
        "input", "size", "benchmarks", "samples", "best", "median", "MB/s", "MB/cpu-s"
    );

    let text = go_text(go_bytes);
    measure("go text", &text, || parse(Format::Go, &text));
    let json = go_json(&text);
    measure("go test -json", &json, || parse(Format::GoJson, &json));

    let tree = criterion_tree(10_000);
    let tree_bytes: usize = tree.files.iter().map(|(_, b)| b.len()).sum();
    let tree_input = vec![0u8; tree_bytes];
    measure("criterion tree (memory)", &tree_input, || {
        criterion::parse(&tree, "new")
    });
    let dir = tempfile_dir();
    for (path, bytes) in &tree.files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create the tree");
        }
        std::fs::write(full, bytes).expect("write the tree");
    }
    measure("criterion tree (disk)", &tree_input, || {
        let tree = criterion::read_tree(&dir).expect("read the tree");
        criterion::parse(&tree, "new")
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// CPU time this thread has used, from Linux's schedstat (so that other load on a shared machine
/// does not count against the parser); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Five rounds; prints the best and the median wall time, the throughput at the median, and the
/// throughput per CPU second of the best round.
fn measure<E: std::fmt::Debug>(
    name: &str,
    input: &[u8],
    mut parse: impl FnMut() -> Result<benchgate_adapters::Parsed, E>,
) {
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..5 {
        let (start, cpu_start) = (Instant::now(), thread_cpu());
        let parsed = parse().expect("the generated input parses");
        times.push(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu()) {
            cpu.push(b.saturating_sub(a));
        }
        shape = (
            parsed.benchmarks.len(),
            parsed
                .benchmarks
                .iter()
                .flat_map(|b| &b.metrics)
                .map(|m| m.samples.len())
                .sum::<usize>(),
        );
        drop(parsed);
    }
    times.sort();
    cpu.sort();
    let median = times[times.len() / 2];
    let mb = input.len() as f64 / 1e6;
    let per_cpu = cpu
        .first()
        .map_or_else(|| "-".into(), |c| format!("{:.0}", mb / c.as_secs_f64()));
    println!(
        "{:<28} {:>9.1}M {:>11} {:>11} {:>10} {:>10} {:>10.0} {:>10}",
        name,
        mb,
        shape.0,
        shape.1,
        secs(times[0]),
        secs(median),
        mb / median.as_secs_f64(),
        per_cpu
    );
}

fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

/// Deterministic `go test -bench . -benchmem -count N ./...` output of about `size` bytes.
fn go_text(size: usize) -> Vec<u8> {
    let mut out = String::with_capacity(size + 4096);
    let mut state = 0x2545_f491_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let ops = ["encode", "decode", "parse", "format", "hash"];
    let mut round = 0;
    while out.len() < size {
        for pkg in 0..10 {
            let _ = writeln!(
                out,
                "goos: linux\ngoarch: amd64\npkg: example.com/bench/pkg{pkg}\ncpu: AMD EPYC 7B13"
            );
            for b in 0..100 {
                let size = 1 << (b % 10 + 4);
                let op = ops[b % ops.len()];
                let iterations = 1000 + next() % 1_000_000;
                let ns = 50.0 + (next() % 1_000_000) as f64 / 100.0;
                let bytes = next() % 4096;
                let allocs = next() % 64;
                let mbs = size as f64 / ns * 1e3;
                let _ = writeln!(
                    out,
                    "BenchmarkCodec/size={size}/op={op}/case={b}-2   \t{iterations:>9}\t{ns:>12.2} ns/op\t{mbs:>8.2} MB/s\t{bytes:>6} B/op\t{allocs:>4} allocs/op"
                );
            }
            let _ = writeln!(out, "PASS\nok  \texample.com/bench/pkg{pkg}\t12.345s");
        }
        round += 1;
    }
    let _ = round;
    out.into_bytes()
}

/// The same output as `go test -json` prints it: one event per output line, with each result
/// line split in two events (the name, then the numbers), as test2json really emits them.
fn go_json(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::with_capacity(text.len() * 3);
    let mut pkg = String::from("example.com/bench/pkg0");
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("pkg: ") {
            pkg = p.to_string();
        }
        let event = |out: &mut String, output: &str| {
            let _ = writeln!(
                out,
                "{{\"Time\":\"2026-12-01T07:00:00.123456789Z\",\"Action\":\"output\",\"Package\":\"{pkg}\",\"Output\":{}}}",
                serde_json::to_string(output).unwrap_or_default()
            );
        };
        match line.split_once('\t') {
            Some((name, rest)) if line.starts_with("Benchmark") => {
                event(&mut out, &format!("{name}\t"));
                event(&mut out, &format!("{rest}\n"));
            }
            _ => event(&mut out, &format!("{line}\n")),
        }
    }
    out.into_bytes()
}

/// `n` criterion benchmarks, each a renamed copy of the `hash/fnv/1024` fixture (its `new`
/// baseline: benchmark, sample, estimates and tukey files).
fn criterion_tree(n: usize) -> criterion::Tree {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/criterion/target-criterion/hash/fnv/1024/new");
    let read = |name: &str| {
        std::fs::read_to_string(fixture.join(name)).expect("the criterion fixture is there")
    };
    let benchmark = read("benchmark.json");
    let others = [
        ("sample.json", read("sample.json")),
        ("estimates.json", read("estimates.json")),
        ("tukey.json", read("tukey.json")),
    ];
    let mut files = Vec::with_capacity(n * 4);
    for i in 0..n {
        let group = format!("group{}", i / 100);
        let function = format!("fn{}", i % 100);
        let id = format!("{group}/{function}/1024");
        let renamed = benchmark
            .replace(
                "\"group_id\":\"hash\"",
                &format!("\"group_id\":\"{group}\""),
            )
            .replace(
                "\"function_id\":\"fnv\"",
                &format!("\"function_id\":\"{function}\""),
            )
            .replace("hash/fnv/1024", &id);
        files.push((format!("{id}/new/benchmark.json"), renamed.into_bytes()));
        for (name, body) in &others {
            files.push((format!("{id}/new/{name}"), body.clone().into_bytes()));
        }
    }
    files.sort();
    criterion::Tree { files }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("benchgate-throughput-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}
