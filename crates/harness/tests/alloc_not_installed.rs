//! A test binary without `CountingAllocator` as its global allocator: nothing is counted, and the
//! checks that need the counts say so instead of reporting zeros.

use std::hint::black_box;

use benchgate_harness::alloc::{self, AllocCounts};
use benchgate_harness::leak::{self, LeakOptions};
use benchgate_model::Status;

#[test]
fn not_installed_counts_nothing() {
    assert!(!alloc::is_installed());
    assert!(!alloc::is_installed(), "cached answer");
    drop(black_box(vec![1u8; 4096]));
    assert_eq!(AllocCounts::current(), AllocCounts::default());
    assert_eq!(alloc::live_bytes(), 0);
    assert_eq!(alloc::thread_live_bytes(), 0);
    assert_eq!(alloc::thread_peak_live_bytes(), 0);
}

#[test]
fn leak_check_is_skipped_without_running_the_workload() {
    let mut calls = 0;
    let result = leak::check("skipped", &LeakOptions::new(10), &mut |_| calls += 1);
    assert_eq!(calls, 0);
    assert_eq!(
        result.status,
        Status::Skipped {
            reason:
                "leak checks need benchgate_harness::CountingAllocator as the #[global_allocator]"
                    .to_string()
        }
    );
    assert!(result.metrics.is_empty());
    assert_eq!(result.name, "skipped");
}
