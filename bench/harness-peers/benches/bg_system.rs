//! benchgate-harness without the counting allocator: the system allocator's point of the
//! allocation overhead, and the empty loop without allocation-counter reads around each sample.

use benchgate_harness::{Suite, black_box};

fn main() {
    let mut suite = Suite::from_args();
    suite.bench("empty", |b| b.iter(|| ()));
    suite.bench("alloc_box_u64", |b| {
        b.iter(|| drop(black_box(Box::new(black_box(1u64)))))
    });
    suite.finish();
}
