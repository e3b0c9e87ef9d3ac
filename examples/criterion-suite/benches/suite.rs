//! The criterion suite: `cargo bench -p criterion-suite` writes target/criterion, which
//! `benchgate ingest` reads (see ../README.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use criterion_suite::{checksum, count_long_words, slowdown};

fn suite(c: &mut Criterion) {
    let repeat = match slowdown() {
        Ok(n) => n,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let text = "the quick brown fox jumps over the lazy dog ".repeat(200);
    let data: Vec<u8> = (0..16_384u32).map(|i| (i * 31 % 251) as u8).collect();
    let values: Vec<u64> = (0..4_096u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)
        .collect();

    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("long_words", |b| b.iter(|| count_long_words(&text, repeat)));
    group.finish();

    let mut group = c.benchmark_group("data");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("checksum", |b| b.iter(|| checksum(&data, repeat)));
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("sort", |b| {
        b.iter(|| criterion_suite::sorted(&values, repeat))
    });
    group.finish();
}

criterion_group!(benches, suite);
criterion_main!(benches);
