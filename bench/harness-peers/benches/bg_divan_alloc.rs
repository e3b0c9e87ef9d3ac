//! benchgate-harness timing the same loop with divan's AllocProfiler as the global allocator:
//! both counting allocators timed by one harness that subtracts nothing (divan's own runs subtract
//! its measured cost of counting from every sample).

use benchgate_harness::{Suite, black_box};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    let mut suite = Suite::from_args();
    suite.bench("alloc_box_u64", |b| {
        b.iter(|| drop(black_box(Box::new(black_box(1u64)))))
    });
    suite.finish();
}
