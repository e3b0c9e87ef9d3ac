//! divan with its defaults and the system allocator.

use divan::black_box;
use harness_peers::{ROUNDS_2US, ROUNDS_20NS, SEED, work};

fn main() {
    divan::main();
}

#[divan::bench]
fn empty() {}

#[divan::bench]
fn work_20ns() -> u64 {
    work(black_box(SEED), black_box(ROUNDS_20NS))
}

#[divan::bench]
fn work_2us() -> u64 {
    work(black_box(SEED), black_box(ROUNDS_2US))
}

#[divan::bench]
fn alloc_box_u64() {
    drop(black_box(Box::new(black_box(1u64))))
}

/// The 10-benchmark suite: `suite::r<N>` (the same rounds as harness_peers::SUITE_ROUNDS).
#[divan::bench(consts = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])]
fn suite<const R: u32>() -> u64 {
    work(black_box(SEED), black_box(R))
}
