//! benchgate-adapters: reads what other harnesses already print and turns it into benchgate's
//! canonical model (SPEC §5), losing nothing: every sample, parameter, unit and metric the source
//! gives is kept, units are converted to the canonical ones (nanoseconds, bytes, per second), and
//! what is neither a parameter nor a measurement is kept verbatim as benchmark labels.
//!
//! One module per format, each a pure parser from bytes to [`Parsed`] that knows nothing of
//! verdicts or storage: [`go`] (`go test -bench` text), [`go_json`] (`go test -json`),
//! [`criterion`] (a `target/criterion` tree; the only module that reads files, and only in
//! [`criterion::read_tree`]), [`hyperfine`] (`--export-json`), [`google_benchmark`]
//! (`--benchmark_format=json`), [`pytest_benchmark`] (`--benchmark-json`), [`libtest`]
//! (`cargo bench` with `#[bench]`) and [`native`] (benchgate's own JSON). [`detect`] recognises a
//! format by content; [`merge`] pools several inputs, so repeated results of one benchmark become
//! samples of one metric.
//!
//! ```
//! let text = b"goos: linux\nBenchmarkParse-8   \t 1000000\t      1234 ns/op\nPASS\n";
//! let format = benchgate_adapters::detect(text).unwrap();
//! let parsed = benchgate_adapters::parse(format, text).unwrap();
//! assert_eq!(parsed.benchmarks[0].name, "Parse-8");
//! assert_eq!(parsed.benchmarks[0].metrics[0].samples, [1234.0]);
//! ```

mod collect;
mod error;
mod json;
mod merge;
mod non_finite;

pub mod criterion;
pub mod go;
pub mod go_json;
pub mod google_benchmark;
pub mod hyperfine;
pub mod libtest;
pub mod native;
pub mod pytest_benchmark;

use std::collections::BTreeMap;
use std::fmt;

use benchgate_model::{Benchmark, Mode, Source};
use time::OffsetDateTime;

pub use crate::error::{Location, ParseError};
pub use crate::merge::{MergeError, merge};

/// The formats benchgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `go test -bench` text (the Go benchmark format, proposal 14313).
    Go,
    /// `go test -json` events carrying benchmark output.
    GoJson,
    /// A criterion output directory (`target/criterion`).
    Criterion,
    /// hyperfine `--export-json`.
    Hyperfine,
    /// Google Benchmark `--benchmark_format=json` / `--benchmark_out`.
    GoogleBenchmark,
    /// pytest-benchmark `--benchmark-json`.
    PytestBenchmark,
    /// libtest `#[bench]` lines (`test x ... bench: 1,234 ns/iter (+/- 56)`).
    Libtest,
    /// benchgate's own run JSON (`benchgate/run/v1`).
    Benchgate,
}

impl Format {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [Format; 8] = [
        Format::Benchgate,
        Format::PytestBenchmark,
        Format::GoogleBenchmark,
        Format::Hyperfine,
        Format::GoJson,
        Format::Libtest,
        Format::Go,
        Format::Criterion,
    ];

    /// The name used on the command line (`--adapter go`) and in `ingest:<name>` sources.
    pub fn name(self) -> &'static str {
        match self {
            Format::Go => "go",
            Format::GoJson => "go-json",
            Format::Criterion => "criterion",
            Format::Hyperfine => "hyperfine",
            Format::GoogleBenchmark => "google-benchmark",
            Format::PytestBenchmark => "pytest-benchmark",
            Format::Libtest => "libtest",
            Format::Benchgate => "benchgate",
        }
    }

    /// A format by its name or a common alias (`gbench`, `pytest`, `go-test-json`).
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .or(match name.as_str() {
                "gotest" | "go-test" | "go-bench" => Some(Format::Go),
                "gojson" | "go-test-json" => Some(Format::GoJson),
                "gbench" | "googlebenchmark" | "google" => Some(Format::GoogleBenchmark),
                "pytest" | "pytest_benchmark" => Some(Format::PytestBenchmark),
                "native" => Some(Format::Benchgate),
                _ => None,
            })
    }

    /// What an input of this format looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            Format::Go => "`go test -bench` output: lines like `BenchmarkName-8  1000  1234 ns/op`",
            Format::GoJson => "`go test -json` output: one JSON event per line with an \"Action\"",
            Format::Criterion => {
                "a criterion directory (target/criterion) holding */new/benchmark.json"
            }
            Format::Hyperfine => {
                "hyperfine --export-json output: {\"results\": [{\"command\": …, \"times\": […]}]}"
            }
            Format::GoogleBenchmark => {
                "Google Benchmark JSON: {\"context\": {…}, \"benchmarks\": […]}"
            }
            Format::PytestBenchmark => {
                "pytest-benchmark JSON: {\"machine_info\": …, \"benchmarks\": [{\"stats\": …}]}"
            }
            Format::Libtest => "libtest bench lines: `test name ... bench: 1,234 ns/iter (+/- 56)`",
            Format::Benchgate => "a benchgate run (\"schema\": \"benchgate/run/v1\")",
        }
    }

    /// Whether this format is read from a directory rather than from one file.
    pub fn is_directory(self) -> bool {
        self == Format::Criterion
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one input held: its benchmarks and what it said about the run as a whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub benchmarks: Vec<Benchmark>,
    pub context: Context,
}

/// What an input said about the run as a whole. Every field is optional: a source that does not
/// report a fact leaves it to the machine doing the ingesting (hostname, git state, …).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Context {
    pub hostname: Option<String>,
    pub os: Option<String>,
    pub kernel: Option<String>,
    /// In the spelling `uname -m` uses (`x86_64`, `aarch64`), whatever the source wrote.
    pub arch: Option<String>,
    pub cpu_model: Option<String>,
    pub logical_cores: Option<u32>,
    pub memory_bytes: Option<u64>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub dirty: Option<bool>,
    pub merge_base: Option<String>,
    /// Set when the input says whether its numbers are real or simulated (a benchgate run does).
    pub mode: Option<Mode>,
    pub started_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    /// How the run was produced when the input says so (a benchgate run file does); otherwise
    /// `ingest:<format>`.
    pub source: Option<Source>,
    /// Everything else the source said about the run, verbatim (e.g. Google Benchmark's
    /// `library_build_type`, pytest-benchmark's `machine_info.python_version`).
    pub tags: BTreeMap<String, String>,
}

/// How many leading bytes [`detect`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The format of a file's contents, recognised by content (not by file name), or `None`.
/// Only the first [`SNIFF_BYTES`] are looked at. Criterion is a directory and is never detected
/// from bytes: see [`criterion::looks_like`].
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let head = trim_bom(head);
    Format::ALL.into_iter().find(|f| match f {
        Format::Benchgate => native::sniff(head),
        Format::Hyperfine => hyperfine::sniff(head),
        Format::GoogleBenchmark => google_benchmark::sniff(head),
        Format::PytestBenchmark => pytest_benchmark::sniff(head),
        Format::GoJson => go_json::sniff(head),
        Format::Libtest => libtest::sniff(head),
        Format::Go => go::sniff(head),
        Format::Criterion => false,
    })
}

/// Parses one file's contents as `format`. An empty input is an error, and when the input does
/// not parse but looks like another format, the error says which.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, ParseError> {
    let bytes = trim_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::input(format!(
            "the input is empty; expected {}",
            format.expected()
        )));
    }
    let result = match format {
        Format::Go => go::parse(bytes),
        Format::GoJson => go_json::parse(bytes),
        Format::Hyperfine => hyperfine::parse(bytes),
        Format::GoogleBenchmark => google_benchmark::parse(bytes),
        Format::PytestBenchmark => pytest_benchmark::parse(bytes),
        Format::Libtest => libtest::parse(bytes),
        Format::Benchgate => native::parse(bytes),
        Format::Criterion => Err(ParseError::input(
            "criterion results are a directory (target/criterion), not a file",
        )),
    };
    result.map_err(|mut e| {
        if let Some(other) = detect(bytes).filter(|f| *f != format) {
            e.hint = Some(format!(
                "the input looks like {other} output (try --adapter {other} or --adapter auto)"
            ));
        }
        e
    })
}

fn trim_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
