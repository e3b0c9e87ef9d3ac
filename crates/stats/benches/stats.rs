//! The statistics behind every verdict, timed with benchgate's own harness (a benchmark, not a
//! test): the summary of a metric and the median's interval, Mann–Whitney (exact, exact with ties
//! and normal), the bootstrap interval,
//! signed-rank and Hodges–Lehmann for paired A/B, and change points over a history — at the
//! sizes benchgate meets (10 to 10 000 samples). Allocations per call come with the timing.
//!
//! `cargo bench -p benchgate-stats --bench stats` (`-- --quick`, `-- FILTER`, `-- --list`);
//! `benchgate exec -- cargo bench -p benchgate-stats --bench stats` stores and judges it.

use benchgate_harness::{CountingAllocator, Suite, black_box};
use benchgate_stats::{
    ChangePointOptions, Method, Rng, Summary, change_points, hodges_lehmann, mann_whitney_u,
    mann_whitney_u_with, median_ci, ratio_of_medians_ci, wilcoxon_signed_rank,
};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

/// `n` log-normal-ish timings around 1 ms (seeded: the same data every run).
fn timings(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut rng = Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            scale * 1e6 * (1.0 + 0.05 * (rng.next_f64() - 0.5) + 0.02 * rng.next_f64().powi(8))
        })
        .collect()
}

fn main() {
    let mut suite = Suite::from_args();

    suite.bench_with_inputs("summary", "n", [10usize, 100, 10_000], |b, &n| {
        let xs = timings(n, 1, 1.0);
        b.elements(n as u64);
        b.iter(|| Summary::of(black_box(&xs)))
    });

    // benchstat's choice: exact up to 50 per sample without ties (50 is the costliest exact
    // case), the normal approximation beyond.
    suite.bench_with_inputs("mann_whitney", "n", [10usize, 50, 100, 1000], |b, &n| {
        let (a, c) = (timings(n, 2, 1.0), timings(n, 3, 1.02));
        b.iter(|| mann_whitney_u(black_box(&a), black_box(&c)))
    });
    // The exact tie-free distribution forced beyond benchstat's limit (studies, SciPy
    // comparisons): 100 × 100 is the largest `mann_whitney_u_with` allows.
    suite.bench_with_inputs("mann_whitney_exact", "n", [50usize, 100], |b, &n| {
        let (a, c) = (timings(n, 2, 1.0), timings(n, 3, 1.02));
        b.iter(|| mann_whitney_u_with(black_box(&a), black_box(&c), Method::Exact))
    });
    // Timings rounded to 1 µs: many ties. Exact tie-aware up to 25 per sample (25 is the
    // costliest), normal beyond.
    suite.bench_with_inputs("mann_whitney_ties", "n", [10usize, 25, 100], |b, &n| {
        let round = |xs: Vec<f64>| -> Vec<f64> { xs.iter().map(|x| (x / 1e3).round()).collect() };
        let (a, c) = (round(timings(n, 2, 1.0)), round(timings(n, 3, 1.02)));
        b.iter(|| mann_whitney_u(black_box(&a), black_box(&c)))
    });

    // The median's interval, which adaptive sampling asks for after every sample: exact
    // binomial sums up to 30 samples (lgamma above 20), the normal approximation beyond.
    suite.bench_with_inputs("median_ci", "n", [10usize, 30, 31, 10_000], |b, &n| {
        let mut xs = timings(n, 10, 1.0);
        xs.sort_by(f64::total_cmp);
        b.iter(|| median_ci(black_box(&xs), 0.95))
    });

    // 1 000 resamples; above 100 samples the resample medians come from their exact
    // distribution instead of n drawn indices each (1 683: issue 11's Go ingest).
    suite.bench_with_inputs(
        "bootstrap_ratio_ci",
        "n",
        [10usize, 100, 101, 1683],
        |b, &n| {
            let (a, c) = (timings(n, 4, 1.0), timings(n, 5, 1.02));
            b.iter(|| ratio_of_medians_ci(black_box(&a), black_box(&c), 0.95, 1000, 7))
        },
    );

    suite.group("paired", |g| {
        g.bench_with_inputs("wilcoxon", "n", [10usize, 30, 300, 1000], |b, &n| {
            let d: Vec<f64> = timings(n, 6, 1.0).iter().map(|x| x / 1e6 - 1.0).collect();
            b.iter(|| wilcoxon_signed_rank(black_box(&d)))
        });
        g.bench_with_inputs("hodges_lehmann", "n", [10usize, 30, 300, 1000], |b, &n| {
            let d: Vec<f64> = timings(n, 7, 1.0).iter().map(|x| x / 1e6 - 1.0).collect();
            b.iter(|| hodges_lehmann(black_box(&d), 0.95))
        });
    });

    // A history with one shift of level, as `benchgate history` analyses it.
    suite.bench_with_inputs("change_points", "n", [30usize, 300], |b, &n| {
        let mut series = timings(n / 2, 8, 1.0);
        series.extend(timings(n - n / 2, 9, 1.2));
        let options = ChangePointOptions::default();
        b.iter(|| change_points(black_box(&series), &options))
    });

    suite.finish();
}
