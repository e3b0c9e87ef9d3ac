//! A small suite driven by its flags, for the tests of the bench binary's command line
//! (`tests/binary.rs`): `cargo run --example libtest_like -- --bench --list`.

use benchgate_harness::{CountingAllocator, Suite, black_box};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

fn main() {
    let mut suite = Suite::from_args();
    suite.config_mut().sample_count = 10;
    suite.bench("parse/small", |b| {
        b.iter(|| black_box("1,2,3").split(',').count())
    });
    suite.bench("parse/large", |b| {
        b.iter(|| black_box("1,2,3,4,5,6,7,8,9").split(',').count())
    });
    suite.bench_with_inputs("alloc", "len", [16usize, 1024], |b, &n| {
        b.iter(|| Vec::<u8>::with_capacity(black_box(n)))
    });
    suite.bench("sum", |b| {
        b.count("backend_calls", 0);
        b.iter(|| {
            benchgate_harness::count("backend_calls", 2);
            black_box((0..100u64).sum::<u64>())
        })
    });
    if std::env::var_os("LIBTEST_LIKE_PANIC").is_some() {
        suite.bench("boom", |b| b.iter(|| panic!("deliberate")));
    }
    suite.finish();
}
