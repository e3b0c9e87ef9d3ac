//! `CountingAllocator` as the global allocator of this test binary: exact counts for known code.
//!
//! Each test runs on its own thread and the counters it checks are that thread's, so the tests run
//! in parallel safely. `live_bytes()` is the whole process's: the tests that read it hold `GLOBAL`
//! and allow for the test runner's own allocations on other threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, MutexGuard};

use benchgate_harness::CountingAllocator;
use benchgate_harness::alloc::{
    self, AllocCounts, is_installed, live_bytes, reset_thread_peak, thread_live_bytes,
    thread_peak_live_bytes,
};

#[global_allocator]
static A: CountingAllocator = CountingAllocator::system();

static GLOBAL: Mutex<()> = Mutex::new(());

fn global() -> MutexGuard<'static, ()> {
    GLOBAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The counters of this thread while `f` runs.
fn counts_of(f: impl FnOnce()) -> AllocCounts {
    let before = AllocCounts::current();
    f();
    AllocCounts::current().since(&before)
}

#[test]
fn installed() {
    assert!(is_installed());
    assert!(is_installed(), "cached answer");
    assert!(AllocCounts::current().allocs > 0);
}

#[test]
fn vec_with_capacity_is_one_allocation_of_its_size() {
    let mut alive = None;
    let counts = counts_of(|| alive = Some(black_box(Vec::<u8>::with_capacity(1024))));
    assert_eq!(
        counts,
        AllocCounts {
            allocs: 1,
            bytes_allocated: 1024,
            ..AllocCounts::default()
        }
    );
    let counts = counts_of(|| drop(black_box(alive.take())));
    assert_eq!(
        counts,
        AllocCounts {
            deallocs: 1,
            bytes_freed: 1024,
            ..AllocCounts::default()
        }
    );
}

#[test]
fn ten_boxes() {
    let counts = counts_of(|| {
        for i in 0..10u64 {
            drop(black_box(Box::new(black_box(i))));
        }
    });
    assert_eq!(
        counts,
        AllocCounts {
            allocs: 10,
            deallocs: 10,
            reallocs: 0,
            bytes_allocated: 80,
            bytes_freed: 80,
        }
    );
}

#[test]
fn zeroed_allocations_count_as_allocations() {
    let counts = counts_of(|| drop(black_box(vec![0u8; 512])));
    assert_eq!(
        counts,
        AllocCounts {
            allocs: 1,
            deallocs: 1,
            reallocs: 0,
            bytes_allocated: 512,
            bytes_freed: 512,
        }
    );
}

/// A `Vec<u64>` grows to capacity 4 (32 B) on its first push and reallocates to capacity 8 (64 B)
/// on its fifth: one realloc whose growth (32 B) counts as allocated bytes.
#[test]
fn growing_vec_counts_the_realloc_growth() {
    let live_before = thread_live_bytes();
    let mut v: Vec<u64> = Vec::new();
    let growing = counts_of(|| {
        for i in 0..5u64 {
            v.push(black_box(i));
            black_box(&mut v);
        }
    });
    assert_eq!(v.capacity(), 8);
    assert_eq!(
        growing,
        AllocCounts {
            allocs: 1,
            deallocs: 0,
            reallocs: 1,
            bytes_allocated: 64,
            bytes_freed: 0,
        }
    );
    assert_eq!(thread_live_bytes() - live_before, 64);

    let shrinking = counts_of(|| {
        v.truncate(2);
        v.shrink_to_fit();
        black_box(&mut v);
    });
    assert_eq!(
        shrinking,
        AllocCounts {
            reallocs: 1,
            bytes_freed: 48,
            ..AllocCounts::default()
        }
    );

    let dropping = counts_of(|| drop(black_box(std::mem::take(&mut v))));
    assert_eq!(
        dropping,
        AllocCounts {
            deallocs: 1,
            bytes_freed: 16,
            ..AllocCounts::default()
        }
    );
    assert_eq!(thread_live_bytes(), live_before);
}

#[test]
fn peak_live_bytes() {
    reset_thread_peak();
    let start = thread_live_bytes();
    assert_eq!(thread_peak_live_bytes(), start);
    drop(black_box(vec![1u8; 4096]));
    let kept = black_box(vec![1u8; 100]);
    assert_eq!(thread_live_bytes() - start, 100);
    assert_eq!(thread_peak_live_bytes() - start, 4096);

    reset_thread_peak();
    assert_eq!(thread_peak_live_bytes() - start, 100);
    drop(kept);
    assert_eq!(thread_peak_live_bytes() - start, 100, "frees lower no peak");
    assert_eq!(thread_live_bytes(), start);
}

#[test]
fn since_saturates() {
    let earlier = AllocCounts {
        allocs: 5,
        deallocs: 1,
        reallocs: 0,
        bytes_allocated: 100,
        bytes_freed: 10,
    };
    let later = AllocCounts {
        allocs: 7,
        deallocs: 0,
        reallocs: 3,
        bytes_allocated: 150,
        bytes_freed: 10,
    };
    assert_eq!(
        later.since(&earlier),
        AllocCounts {
            allocs: 2,
            deallocs: 0,
            reallocs: 3,
            bytes_allocated: 50,
            bytes_freed: 0,
        }
    );
    assert_eq!(earlier.since(&later).allocs, 0);
}

#[test]
fn hash_map_allocations_are_counted() {
    let counts = counts_of(|| {
        let mut map = HashMap::new();
        for i in 0..100u32 {
            map.insert(black_box(i), i);
        }
        black_box(&map);
    });
    assert!(counts.allocs + counts.reallocs >= 2, "{counts:?}");
    assert_eq!(counts.deallocs, counts.allocs, "{counts:?}");
    assert_eq!(counts.bytes_allocated, counts.bytes_freed, "{counts:?}");
}

/// Another thread's allocations leave this thread's counters alone but move the process's live
/// bytes while they are alive.
#[test]
fn other_threads_count_globally_only() {
    const BIG: usize = 4 << 20;
    // The test runner and the other tests allocate a little meanwhile.
    const SLACK: i64 = 256 << 10;
    let _global = global();

    let barrier = Arc::new(Barrier::new(2));
    let theirs = Arc::clone(&barrier);
    let worker = std::thread::spawn(move || {
        theirs.wait(); // 1: main has read its counters
        let before = AllocCounts::current();
        let held = black_box(vec![7u8; BIG]);
        let counts = AllocCounts::current().since(&before);
        theirs.wait(); // 2: allocated
        theirs.wait(); // 3: main has looked
        drop(held);
        counts
    });

    let mine = AllocCounts::current();
    let my_live = thread_live_bytes();
    let my_peak = thread_peak_live_bytes();
    let live_before = live_bytes();
    barrier.wait(); // 1
    barrier.wait(); // 2
    let live_during = live_bytes();
    assert_eq!(AllocCounts::current(), mine);
    assert_eq!(thread_live_bytes(), my_live);
    assert_eq!(thread_peak_live_bytes(), my_peak);
    barrier.wait(); // 3
    let counts = worker.join().unwrap();
    let live_after = live_bytes();

    assert_eq!(counts.allocs, 1);
    assert_eq!(counts.bytes_allocated, BIG as u64);
    let grew = live_during - live_before;
    assert!(
        (grew - BIG as i64).abs() < SLACK,
        "live bytes grew {grew} while the other thread held {BIG}"
    );
    let kept = live_after - live_before;
    assert!(
        kept.abs() < SLACK,
        "live bytes moved {kept} once the thread was gone"
    );
}

#[test]
fn memory_moved_between_threads() {
    let _global = global();
    let start = thread_live_bytes();
    let made_there = std::thread::spawn(|| black_box(vec![3u8; 1000]))
        .join()
        .unwrap();
    let after_join = thread_live_bytes();
    drop(made_there);
    assert_eq!(
        thread_live_bytes() - after_join,
        -1000,
        "freeing another thread's memory lowers this thread's live bytes"
    );
    assert!(thread_live_bytes() < start + 1000);
}

/// An inner allocator that counts its calls and can be told to fail.
struct Inner {
    calls: AtomicUsize,
    fail: bool,
}

unsafe impl GlobalAlloc for Inner {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if self.fail {
            std::ptr::null_mut()
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if self.fail {
            std::ptr::null_mut()
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[test]
fn wraps_another_allocator() {
    let counting = CountingAllocator::new(Inner {
        calls: AtomicUsize::new(0),
        fail: false,
    });
    let layout = Layout::from_size_align(256, 16).unwrap();
    let counts = counts_of(|| unsafe {
        let p = counting.alloc(layout);
        assert!(!p.is_null());
        let p = counting.realloc(p, layout, 1000);
        assert!(!p.is_null());
        let grown = Layout::from_size_align(1000, 16).unwrap();
        let p = counting.realloc(p, grown, 10);
        assert!(!p.is_null());
        counting.dealloc(p, Layout::from_size_align(10, 16).unwrap());
        let z = counting.alloc_zeroed(layout); // the inner's default: its `alloc`, then zeroing
        assert!(!z.is_null());
        assert_eq!(*z.add(255), 0);
        counting.dealloc(z, layout);
    });
    assert_eq!(counting.inner().calls.load(Ordering::Relaxed), 6);
    assert_eq!(
        counts,
        AllocCounts {
            allocs: 2,
            deallocs: 2,
            reallocs: 2,
            bytes_allocated: 256 + 744 + 256,
            bytes_freed: 990 + 10 + 256,
        }
    );
}

#[test]
fn failed_allocations_are_not_counted() {
    let failing = CountingAllocator::new(Inner {
        calls: AtomicUsize::new(0),
        fail: true,
    });
    let live = thread_live_bytes();
    let layout = Layout::from_size_align(64, 8).unwrap();
    let counts = counts_of(|| unsafe {
        assert!(failing.alloc(layout).is_null());
        assert!(failing.alloc_zeroed(layout).is_null());
        // A failed realloc leaves the old block alone: allocate one for real to try it on.
        let p = System.alloc(layout);
        assert!(failing.realloc(p, layout, 128).is_null());
        System.dealloc(p, layout);
    });
    assert_eq!(failing.inner().calls.load(Ordering::Relaxed), 3);
    assert_eq!(counts, AllocCounts::default());
    assert_eq!(thread_live_bytes(), live);
}

#[test]
fn module_functions_are_reachable_by_path() {
    // The names the harness and users rely on.
    let _: fn() -> bool = alloc::is_installed;
    let _: fn() -> i64 = alloc::live_bytes;
    let _: fn() -> i64 = alloc::thread_live_bytes;
    let _: fn() -> i64 = alloc::thread_peak_live_bytes;
    let _: fn() = alloc::reset_thread_peak;
    let _: fn() -> AllocCounts = AllocCounts::current;
    let _: CountingAllocator<System> = CountingAllocator::system();
}

/// Allocations, frees and reallocs on this thread and on a new one.
fn churn() {
    for i in 0..1000usize {
        let mut v = black_box(Vec::<u8>::with_capacity(i % 64 + 1));
        v.extend(std::iter::repeat_n(1u8, 100)); // grows: realloc
        v.truncate(1);
        v.shrink_to_fit(); // shrinks: realloc
        drop(black_box(Box::new(i)));
    }
}

/// The hot path is thread-local only: a counted call updates no counter shared between threads
/// (on x86 that would be a `lock`-prefixed instruction on one cache line, slow on Intel and
/// contended when threads allocate at once), on this thread or on a freshly spawned one.
#[test]
fn counting_touches_no_shared_counter() {
    let _global = global(); // a failure's backtrace would disturb the live-bytes tests
    let before = alloc::thread_shared_live_updates();
    churn();
    assert_eq!(alloc::thread_shared_live_updates() - before, 0);
    let spawned = std::thread::spawn(|| {
        let before = alloc::thread_shared_live_updates();
        churn();
        alloc::thread_shared_live_updates() - before
    });
    assert_eq!(spawned.join().unwrap(), 0, "on a new thread");
}

/// A thread that ends gives its share of the process's live bytes back for reuse: a thousand
/// threads, more than there are shares, one after another, and the last still counts on the fast
/// path. The live bytes their blocks left behind still count.
#[test]
fn ended_threads_give_back_their_live_share() {
    let _global = global();
    let before = live_bytes();
    let mut kept = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let block = std::thread::spawn(|| black_box(vec![1u8; 100]))
            .join()
            .unwrap();
        kept.push(block);
    }
    let grew = live_bytes() - before;
    assert!(
        (grew - 100_000).abs() < 64 << 10,
        "1000 blocks of 100 B kept alive: live bytes grew {grew}"
    );
    let last = std::thread::spawn(|| {
        let before = alloc::thread_shared_live_updates();
        churn();
        alloc::thread_shared_live_updates() - before
    });
    assert_eq!(last.join().unwrap(), 0);
    let held = kept.len();
    drop(kept);
    assert!(
        (live_bytes() - before).abs() < 64 << 10,
        "{held} blocks freed: live bytes back near the start, moved {}",
        live_bytes() - before
    );
}
