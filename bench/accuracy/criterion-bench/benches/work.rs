//! work.c's loop in process: `WORK_N` rounds (the accuracy experiment sets it per trial).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn work(n: u64) -> u64 {
    let mut x: u64 = 88172645463325252;
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("WORK_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    c.bench_function("work", |b| b.iter(|| work(black_box(n))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
