//! divan with its counting allocator (AllocProfiler): a third point of the allocation overhead.

use divan::{AllocProfiler, black_box};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

#[divan::bench]
fn alloc_box_u64() {
    drop(black_box(Box::new(black_box(1u64))))
}
