//! criterion with its defaults (3 s warm-up, 5 s measurement, 100 samples).

use criterion::{Criterion, criterion_group, criterion_main};
use harness_peers::{ROUNDS_2US, ROUNDS_20NS, SEED, SUITE_ROUNDS, work};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    c.bench_function("empty", |b| b.iter(|| ()));
    c.bench_function("work_20ns", |b| {
        b.iter(|| work(black_box(SEED), black_box(ROUNDS_20NS)))
    });
    c.bench_function("work_2us", |b| {
        b.iter(|| work(black_box(SEED), black_box(ROUNDS_2US)))
    });
    c.bench_function("alloc_box_u64", |b| {
        b.iter(|| drop(black_box(Box::new(black_box(1u64)))))
    });
    let mut g = c.benchmark_group("suite");
    for rounds in SUITE_ROUNDS {
        g.bench_function(format!("r{rounds}"), |b| {
            b.iter(|| work(black_box(SEED), black_box(rounds)))
        });
    }
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
