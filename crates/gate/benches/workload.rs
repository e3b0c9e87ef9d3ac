//! A deterministic (seeded) Go benchmark workload the size of issue 11's B13: `benchmarks`
//! benchmarks × 1 683 `-count` lines per side, each line with `ns/op`, `B/op` and `allocs/op`
//! (so 3 comparisons per benchmark), as `go test -bench . -benchmem -count 1683` prints it.
//! 2 000 benchmarks make about 200 MB of text per side and 6 000 comparisons.
//!
//! Shared by `benches/judge.rs` and `examples/judge_workload.rs` (`#[path]`-included).

use std::fmt::Write as _;

use benchgate_model::{Environment, Mode, Provenance, Run, Source};
use benchgate_stats::Rng;
use time::macros::datetime;

/// Samples per benchmark and side (B13's figure).
pub const SAMPLES: usize = 1683;

/// Which side of the comparison a text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Baseline,
    Candidate,
}

/// The shape of benchmark `index`: its base time in ns, its bytes and allocations per op, and
/// the candidate's relative changes (most are 0; a few real shifts both ways).
struct Shape {
    ns: f64,
    noise: f64,
    bytes: f64,
    allocs: f64,
    /// Whether B/op varies from line to line (a pooled buffer that sometimes grows).
    bytes_vary: bool,
    ns_shift: f64,
    bytes_shift: f64,
    allocs_shift: f64,
}

fn shape(index: usize) -> Shape {
    let mut rng = Rng::seed_from_u64(0x6231_3300 ^ index as u64);
    let ns = 10f64.powf(1.0 + 5.0 * rng.next_f64()); // 10 ns .. 1 ms
    let noise = 0.005 + 0.05 * rng.next_f64();
    let bytes = (rng.below(64) * 16) as f64;
    let allocs = rng.below(12) as f64;
    let ns_shift = match index % 20 {
        0 => 0.10,
        7 => -0.08,
        13 => 0.004, // small: significant at n = 1683 but below the thresholds
        _ => 0.0,
    };
    let bytes_shift = if index % 50 == 3 { 0.25 } else { 0.0 };
    let allocs_shift = if index % 50 == 3 { 1.0 } else { 0.0 };
    Shape {
        ns,
        noise,
        bytes,
        allocs,
        bytes_vary: index.is_multiple_of(3),
        ns_shift,
        bytes_shift,
        allocs_shift,
    }
}

/// The Go text of one side: `benchmarks` benchmarks, [`SAMPLES`] lines each (seeded by `seed`
/// and the side, so both sides differ by noise and the planted shifts only).
pub fn go_text(benchmarks: usize, side: Side, seed: u64) -> String {
    let mut out = String::with_capacity(benchmarks * SAMPLES * 64 + 100);
    out.push_str("goos: linux\ngoarch: amd64\npkg: example.com/judge\ncpu: generated\n");
    let side_seed = match side {
        Side::Baseline => 1,
        Side::Candidate => 2,
    };
    for index in 0..benchmarks {
        let s = shape(index);
        let (ns, bytes, allocs) = match side {
            Side::Baseline => (s.ns, s.bytes, s.allocs),
            Side::Candidate => (
                s.ns * (1.0 + s.ns_shift),
                (s.bytes * (1.0 + s.bytes_shift)).round(),
                s.allocs + s.allocs_shift,
            ),
        };
        let mut rng = Rng::seed_from_u64(seed ^ (index as u64) << 8 ^ side_seed);
        let iterations = (1e9 / ns).max(1.0) as u64;
        for _ in 0..SAMPLES {
            // Right-skewed noise, as timings are: mostly symmetric, a tail of slow lines.
            let jitter = s.noise * (rng.next_f64() - 0.5) + 0.1 * s.noise * rng.next_f64().powi(8);
            let value = ns * (1.0 + jitter);
            let line_bytes = if s.bytes_vary && rng.below(8) == 0 {
                bytes + 16.0 * (1 + rng.below(4)) as f64
            } else {
                bytes
            };
            // Go prints ns/op with 2 decimals below 100, 1 below 1000 … whole above: 4
            // significant digits are close enough and give ties, as real output has.
            let precision = if value < 100.0 {
                2
            } else if value < 1000.0 {
                1
            } else {
                0
            };
            let _ = writeln!(
                out,
                "BenchmarkJudge/case={index:04}-2\t{iterations:>10}\t{value:>12.precision$} ns/op\t\
                 {line_bytes:>6} B/op\t{allocs:>3} allocs/op"
            );
        }
    }
    out.push_str("PASS\nok  \texample.com/judge\t1234.5s\n");
    out
}

/// `text` parsed by benchgate's Go parser, as `benchgate ingest` parses it, into a real run.
pub fn run_of(text: &str) -> Run {
    let parsed = benchgate_adapters::parse(benchgate_adapters::Format::Go, text.as_bytes())
        .unwrap_or_else(|e| panic!("the generated Go text does not parse: {e}"));
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-12-06 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        Environment::default(),
    );
    run.benchmarks = parsed.benchmarks;
    run
}
