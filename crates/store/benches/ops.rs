//! The store's everyday operations on an SQLite file holding 200 runs of 100 benchmarks, timed
//! with benchgate's own harness (allocations per call too): storing a run, reading one back,
//! resolving `last` (the newest run, and per benchmark for the newest run's 100 benchmarks), and a
//! 100-point history series. (1 M metrics and PostgreSQL:
//! `benches/scale.rs`.)
//!
//! `cargo bench -p benchgate-store --bench ops` (`-- --quick`, `-- --list`).

mod common;

use common::environment;

use std::time::Duration;

use benchgate_harness::{BatchSize, CountingAllocator, Suite, black_box};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use benchgate_store::{Scope, Selector, resolve, resolve_in_scope};
use time::OffsetDateTime;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

const RUNS: usize = 200;
const BENCHMARKS: usize = 100;

/// Run `i`: 100 benchmarks of 10 deterministic samples each.
fn make_run(i: usize, env: &Environment) -> Run {
    let started = OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + i as u64 * 60);
    let provenance = Provenance {
        mode: Mode::Real,
        commit: Some(format!("{:040x}", i as u128 * 0x9e37_79b9)),
        branch: Some("main".into()),
        dirty: Some(false),
        ..Provenance::default()
    };
    let mut run = Run::new(Source::Command, started, provenance, env.clone());
    run.ended_at = started + Duration::from_secs(30);
    for b in 0..BENCHMARKS {
        let center = 1e5 * (1.0 + b as f64);
        let samples = (0..10)
            .map(|k| center * (1.0 + 0.001 * ((i * 31 + k * 7) % 13) as f64))
            .collect();
        let Some(metric) = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        ) else {
            continue;
        };
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

fn main() {
    let mut suite = Suite::from_args();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let url = format!("sqlite://{}", dir.path().join("ops.db").display());
    let store = benchgate_store::open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let env = environment();
    let mut newest = None;
    for i in 0..RUNS {
        let run = make_run(i, &env);
        store
            .put_run(&run)
            .unwrap_or_else(|e| panic!("put_run: {e}"));
        newest = Some(run.id);
    }
    let Some(newest) = newest else { return };
    let fp = env.fingerprint.clone();
    let current = store
        .get_run(newest)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("run {newest} is stored"));
    let wanted = Scope::benchmarks_of(&current);
    let scope = Scope::of_run(&current, &wanted);

    suite.group("sqlite", |g| {
        let mut i = RUNS;
        g.bench("put_run", |b| {
            b.iter_batched(
                || {
                    i += 1;
                    make_run(i, &env)
                },
                |run| store.put_run(&run),
                BatchSize::PerIteration,
            )
        });
        g.bench("get_run", |b| b.iter(|| store.get_run(black_box(newest))));
        g.bench("resolve_last", |b| {
            b.iter(|| resolve(&*store, &Selector::Last, &fp, None))
        });
        g.bench("resolve_last_per_benchmark", |b| {
            b.iter(|| resolve_in_scope(&*store, &Selector::Last, &scope))
        });
        g.bench("series_100", |b| {
            b.iter(|| store.series("suite/bench-042", &Measure::WallTime, 100))
        });
    });
    suite.finish();
}
