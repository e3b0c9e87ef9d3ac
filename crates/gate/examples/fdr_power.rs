//! Which multiple-comparison rule keeps the power to find a sole large regression among many
//! benchmarks with few samples, without raising false alarms? (issue: `go test -count 6` of 36
//! benchmarks; after Benjamini–Hochberg no single change can be found.)
//!
//! Seeded simulation: 36 benchmarks, n samples per side, several noise models, A/A trials and
//! trials with one benchmark slower. Rules compared, all on top of the same judge:
//! - `BH`: Benjamini–Hochberg across the gated comparisons alone;
//! - `BH or raw CI`: also fail when the 95 % interval alone lies wholly beyond `fail`;
//! - `BH or FW CI`: also fail when the interval at family-wise confidence 1 − α/m (a
//!   Bonferroni interval) lies wholly beyond `fail` — benchgate's rule, as `compare_runs`
//!   applies it.
//!
//! `cargo run --release -p benchgate-gate --example fdr_power [TRIALS]`

use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Provenance, Run, Severity, Source, Status,
    Unit,
};
use benchgate_stats::{Rng, ratio_of_medians_ci};

const BENCHMARKS: usize = 36;

fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.next_f64().max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// How one side's samples are drawn.
#[derive(Clone, Copy)]
struct Noise {
    name: &'static str,
    /// Lognormal σ of each sample.
    sample: f64,
    /// Probability that a sample is an outlier, and its factor.
    outlier: (f64, f64),
    /// Lognormal σ of a factor shared by all samples of one run (machine drift between runs).
    run: f64,
}

fn side(rng: &mut Rng, noise: Noise, center: f64, n: usize, run_factor: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let mut x = center * run_factor * (noise.sample * normal(rng)).exp();
            if rng.next_f64() < noise.outlier.0 {
                x *= noise.outlier.1;
            }
            x
        })
        .collect()
}

fn run(samples: Vec<Vec<f64>>) -> Run {
    let mut run = Run::new(
        Source::Ingest("go".into()),
        time::OffsetDateTime::UNIX_EPOCH,
        Provenance::default(),
        Environment::default(),
    );
    for (i, s) in samples.into_iter().enumerate() {
        run.benchmarks.push(Benchmark {
            name: format!("B{i}"),
            params: Default::default(),
            labels: Default::default(),
            command: None,
            mode: None,
            status: Status::Ok,
            metrics: vec![
                Metric::from_samples(
                    Measure::WallTime,
                    Unit::Nanoseconds,
                    Direction::LowerIsBetter,
                    s,
                )
                .unwrap_or_else(|| unreachable!("finite samples")),
            ],
            series: Vec::new(),
        });
    }
    run
}

/// Per rule: trials with any fail flagged, and trials where benchmark 0 was flagged.
#[derive(Default, Clone, Copy)]
struct Tally {
    any: usize,
    planted: usize,
}

fn main() {
    let trials: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let noises = [
        Noise {
            name: "σ 1%",
            sample: 0.01,
            outlier: (0.0, 1.0),
            run: 0.0,
        },
        Noise {
            name: "σ 3%, 5% outliers ×1.5",
            sample: 0.03,
            outlier: (0.05, 1.5),
            run: 0.0,
        },
        Noise {
            name: "σ 1%, run drift 3%",
            sample: 0.01,
            outlier: (0.0, 1.0),
            run: 0.03,
        },
        Noise {
            name: "σ 10%",
            sample: 0.10,
            outlier: (0.0, 1.0),
            run: 0.0,
        },
        Noise {
            name: "σ 5%, 10% outliers ×2",
            sample: 0.05,
            outlier: (0.10, 2.0),
            run: 0.0,
        },
        Noise {
            name: "σ 20%",
            sample: 0.20,
            outlier: (0.0, 1.0),
            run: 0.0,
        },
    ];
    let options = CompareOptions {
        resamples: 2000,
        ..CompareOptions::default()
    };
    let fail = options.thresholds.fail;
    let alpha = options.thresholds.alpha;
    println!(
        "{BENCHMARKS} benchmarks, {trials} trials per row; fail = {}%, α = {alpha}",
        fail * 100.0
    );
    println!(
        "{:<26} {:>3} {:>9}   {:>14} {:>14} {:>14}",
        "noise", "n", "planted", "BH", "BH or raw CI", "BH or FW CI"
    );
    let mut rng = Rng::seed_from_u64(0x00f0_d4b0);
    for noise in noises {
        for n in [6usize, 10] {
            for planted in [1.0, 1.15, 1.5] {
                let mut tallies = [Tally::default(); 3];
                for trial in 0..trials {
                    let base_drift = (noise.run * normal(&mut rng)).exp();
                    let cur_drift = (noise.run * normal(&mut rng)).exp();
                    let mut base = Vec::new();
                    let mut cur = Vec::new();
                    for b in 0..BENCHMARKS {
                        let center = 1e5 * (1.0 + b as f64);
                        base.push(side(&mut rng, noise, center, n, base_drift));
                        let factor = if b == 0 { planted } else { 1.0 };
                        cur.push(side(&mut rng, noise, center * factor, n, cur_drift));
                    }
                    let c = compare_runs(
                        &run(base.clone()),
                        "a",
                        &run(cur.clone()),
                        "b",
                        &CompareOptions {
                            seed: trial as u64,
                            ..options.clone()
                        },
                    );
                    let mut flagged = [[false; BENCHMARKS]; 3];
                    for (b, v) in c.verdicts.iter().enumerate() {
                        let failed = v.severity == Some(Severity::Fail);
                        let bh = failed && !v.reason.contains("family-wise");
                        let beyond = |confidence: f64| {
                            ratio_of_medians_ci(&base[b], &cur[b], confidence, 2000, trial as u64)
                                .is_some_and(|ci| ci.lo - 1.0 >= fail)
                        };
                        flagged[0][b] = bh;
                        flagged[1][b] = bh || beyond(0.95);
                        flagged[2][b] = failed;
                    }
                    for (rule, tally) in tallies.iter_mut().enumerate() {
                        if flagged[rule].iter().any(|&f| f) {
                            tally.any += 1;
                        }
                        if flagged[rule][0] {
                            tally.planted += 1;
                        }
                    }
                }
                let cell = |t: Tally| {
                    if planted == 1.0 {
                        format!("FA {:>3}/{trials}", t.any)
                    } else {
                        format!("det {:>3}/{trials}", t.planted)
                    }
                };
                println!(
                    "{:<26} {:>3} {:>8.0}%   {:>14} {:>14} {:>14}",
                    noise.name,
                    n,
                    (planted - 1.0) * 100.0,
                    cell(tallies[0]),
                    cell(tallies[1]),
                    cell(tallies[2])
                );
            }
        }
    }
}
