//! Every parser on the real-tool fixtures committed under `tests/fixtures`, timed with
//! benchgate's own harness: time, bytes per second and allocations per parse. (Large generated
//! inputs and MB per CPU second: `benches/throughput.rs`.)
//!
//! `cargo bench -p benchgate-adapters --bench parse` (`-- --quick`, `-- go`, `-- --list`).

use std::path::{Path, PathBuf};

use benchgate_adapters::{Format, criterion, detect, parse};
use benchgate_harness::{CountingAllocator, Suite, black_box};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

fn fixture(relative: &str) -> (PathBuf, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    let bytes = std::fs::read(&path).unwrap_or_default();
    (path, bytes)
}

fn main() {
    let mut suite = Suite::from_args();
    let files = [
        ("go", Format::Go, "go/all.txt"),
        ("go_json", Format::GoJson, "go/all.json"),
        (
            "hyperfine",
            Format::Hyperfine,
            "hyperfine/v2.0-scan-named.json",
        ),
        (
            "google_benchmark",
            Format::GoogleBenchmark,
            "google-benchmark/repetitions.json",
        ),
        (
            "pytest_benchmark",
            Format::PytestBenchmark,
            "pytest-benchmark/suite.json",
        ),
        (
            "libtest",
            Format::Libtest,
            "libtest/repeated-with-stderr.txt",
        ),
    ];
    suite.group("parse", |g| {
        for (name, format, file) in files {
            let (path, bytes) = fixture(file);
            g.bench(name, |b| {
                if bytes.is_empty() {
                    panic!("missing fixture {}", path.display());
                }
                b.bytes(bytes.len() as u64);
                b.iter(|| parse(format, black_box(&bytes)))
            });
        }
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/target-criterion");
        g.bench("criterion_tree", |b| {
            let tree =
                criterion::read_tree(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            b.bytes(tree.files.iter().map(|(_, f)| f.len() as u64).sum());
            b.iter(|| criterion::parse(black_box(&tree), "new"))
        });
    });
    // Detection reads the head of every input before any parser runs.
    let (_, go) = fixture("go/all.txt");
    suite.bench("detect/go", |b| b.iter(|| detect(black_box(&go))));
    suite.finish();
}
