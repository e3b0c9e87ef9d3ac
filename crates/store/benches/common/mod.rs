//! What the store's benches (and the server's API load bench, which includes this file) share:
//! the machine their generated runs claim, and the runs themselves — deterministic, so every
//! figure is taken on the same data.

// Each bench uses a part of this file.
#![allow(dead_code)]

use std::time::Duration;

use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use time::OffsetDateTime;

/// Benchmarks in each generated run: 10 000 runs are 1 M metrics.
pub const BENCHMARKS: usize = 100;
/// Samples of each generated metric.
pub const SAMPLES: usize = 10;

/// A fixed machine, so every generated run has the same fingerprint.
pub fn environment() -> Environment {
    Environment {
        hostname: "bench".into(),
        os: "linux".into(),
        kernel: "6.1".into(),
        arch: "x86_64".into(),
        cpu_model: "bench cpu".into(),
        logical_cores: 2,
        memory_bytes: 24 << 30,
        fingerprint: String::new(),
    }
    .with_fingerprint()
}

/// SplitMix64: deterministic data without a dependency.
pub struct Prng(pub u64);

impl Prng {
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `i`-th run of a history on `main`, a minute after the one before: [`BENCHMARKS`]
/// benchmarks `suite/bench-NNN`, each a wall time of [`SAMPLES`] samples within ±3 % of its
/// own centre.
pub fn make_run(i: usize, rng: &mut Prng, env: &Environment) -> Run {
    let started = OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + i as u64 * 60);
    let mut run = Run::new(
        Source::Command,
        started,
        Provenance {
            mode: Mode::Real,
            commit: Some(format!("{:040x}", i as u128 * 0x9e37_79b9)),
            branch: Some("main".into()),
            dirty: Some(false),
            ..Provenance::default()
        },
        env.clone(),
    );
    run.ended_at = started + Duration::from_secs(30);
    for b in 0..BENCHMARKS {
        let center = 1e5 * (1.0 + b as f64);
        let samples = (0..SAMPLES)
            .map(|_| center * (0.97 + 0.06 * rng.next()))
            .collect();
        let metric = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        )
        .expect("finite samples");
        run.benchmarks.push(Benchmark {
            mode: None,
            name: format!("suite/bench-{b:03}"),
            params: Default::default(),
            labels: Default::default(),
            command: None,
            status: Status::Ok,
            metrics: vec![metric],
            series: Vec::new(),
        });
    }
    run
}
