//! benchgate-harness, as a user installs it: with the counting allocator.

use benchgate_harness::{CountingAllocator, Suite, black_box};
use harness_peers::{ROUNDS_2US, ROUNDS_20NS, SEED, SUITE_ROUNDS, work};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

fn main() {
    let mut suite = Suite::from_args();
    suite.bench("empty", |b| b.iter(|| ()));
    suite.bench("work_20ns", |b| {
        b.iter(|| work(black_box(SEED), black_box(ROUNDS_20NS)))
    });
    suite.bench("work_2us", |b| {
        b.iter(|| work(black_box(SEED), black_box(ROUNDS_2US)))
    });
    suite.bench("alloc_box_u64", |b| {
        b.iter(|| drop(black_box(Box::new(black_box(1u64)))))
    });
    for rounds in SUITE_ROUNDS {
        suite.bench(&format!("suite/r{rounds}"), |b| {
            b.iter(|| work(black_box(SEED), black_box(rounds)))
        });
    }
    suite.finish();
}
