//! A counting global allocator: exact allocations and bytes per operation, and peak live bytes.
//!
//! Install it in a bench target (or any binary) and every heap operation of the process is counted:
//!
//! ```no_run
//! use benchgate_harness::CountingAllocator;
//!
//! #[global_allocator]
//! static ALLOC: CountingAllocator = CountingAllocator::system();
//! # fn main() {}
//! ```
//!
//! [`CountingAllocator::new`] wraps another allocator instead of the system's (for a program that
//! normally runs on, say, a custom arena or jemalloc): calls are forwarded to it unchanged and only
//! counted on the way.
//!
//! # What is counted
//!
//! Only successful calls: an allocation or reallocation that returns null changes nothing.
//!
//! - `allocs`: calls of `alloc` and `alloc_zeroed`; `bytes_allocated` grows by the requested size
//!   (`Layout::size`, not what the inner allocator rounds it up to).
//! - `deallocs`: calls of `dealloc`; `bytes_freed` grows by the block's size.
//! - `reallocs`: calls of `realloc`. A realloc is neither an allocation nor a free: it counts once
//!   in `reallocs`, and only its *difference* in size counts as bytes — growth from `old` to `new`
//!   adds `new − old` to `bytes_allocated`, shrinking adds `old − new` to `bytes_freed`. So
//!   `bytes_allocated − bytes_freed` is always the change in live bytes, whether memory was moved
//!   or not. A `Vec<u64>` pushed from empty to 5 elements allocates 32 bytes (capacity 4), then
//!   reallocates to 64 (capacity 8): 1 alloc, 1 realloc, 64 bytes allocated; dropping it is 1
//!   dealloc of 64 bytes.
//!
//! # Thread-local and global counters
//!
//! The counts above, this thread's live bytes ([`thread_live_bytes`]: its allocated minus its
//! freed bytes) and its peak live bytes ([`thread_peak_live_bytes`], since [`reset_thread_peak`])
//! are per thread, so a benchmark measures its own thread and is not disturbed by other threads
//! (other tests, a logger). Memory allocated on one thread and freed on another counts as allocated
//! on the first and freed on the second, so a thread's live bytes can be negative.
//!
//! [`live_bytes`] is the live bytes of the whole process (every thread's allocations minus every
//! thread's frees), which is what a leak check ([`crate::leak`]) needs; it is only meaningful
//! while no unrelated thread is allocating. It is a sum, not one counter: each thread adds to a
//! share of its own (a 128-byte-aligned slot of a static table that the thread takes on its first
//! allocation and gives back when it ends, for the next thread to continue), and [`live_bytes`]
//! adds the shares up. Only the owning thread writes a share, so it updates it with a plain load
//! and store, not an atomic read-modify-write: the hot path has no `lock`-prefixed instruction
//! and no cache line that other threads write. A thread that finds no free share (more than 256
//! threads alive at once), and a thread's last frees after it gave its share back, update one
//! shared atomic instead, which is slower but exact.
//!
//! Counting never allocates and never panics: the per-thread counters are `const`-initialised
//! `thread_local!` cells without destructors (on Linux, macOS and Windows these are native
//! thread-locals that need no allocation). Taking a share registers a thread-local destructor once
//! per thread, off the hot path; an allocation made meanwhile counts on the shared atomic. A
//! thread whose thread-locals are already gone is simply not counted per thread (it still counts
//! in [`live_bytes`]). The counters are shared by every `CountingAllocator` value, so calling
//! `GlobalAlloc` methods on one that is not the global allocator counts too.
//!
//! # Overhead
//!
//! A measurement, not a guarantee: `bench/harness-peers` compares a `Box::new(u64)` and its drop
//! with and without this allocator, and with divan's `AllocProfiler`; its README has the figures.
//! The counting is a handful of thread-local adds and stores, the same for any allocation size
//! and for any number of threads allocating at once.
//!
//! Without the allocator installed nothing is counted: [`is_installed`] is false and
//! [`AllocCounts::current`] stays all zeros.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicUsize, Ordering};

/// A [`GlobalAlloc`] that forwards to `A` (the system allocator by default) and counts every
/// successful call (see the [module docs](self)).
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator<A = System> {
    inner: A,
}

impl CountingAllocator<System> {
    /// Counts the system allocator's calls: `static ALLOC: CountingAllocator = CountingAllocator::system();`.
    pub const fn system() -> CountingAllocator<System> {
        CountingAllocator { inner: System }
    }
}

impl<A> CountingAllocator<A> {
    /// Counts the calls of `inner`, which does the allocating.
    pub const fn new(inner: A) -> Self {
        CountingAllocator { inner }
    }

    /// The wrapped allocator.
    pub const fn inner(&self) -> &A {
        &self.inner
    }
}

// SAFETY: every method forwards to the inner allocator with the caller's arguments unchanged and
// returns its result unchanged; counting only touches atomics and thread-local cells.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { self.inner.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` was allocated by this allocator (hence by `inner`)
        // with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) };
        // Counted after the free, although counting first would make the free a tail call:
        // interleaved runs of both on the development machine put this order 3.5 ns ahead per
        // Box::new(u64) + drop (paired medians of 25).
        record_dealloc(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which we pass on.
        let new_ptr = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            record_realloc(layout.size(), new_size);
        }
        new_ptr
    }
}

/// How many threads at a time keep their own share of the process's live bytes. A thread beyond
/// that (or one that allocates while its share is being set up or after it was given back, at
/// its very end) counts in [`SHARED_LIVE`] instead.
const LIVE_SHARES: usize = 256;

/// One thread's share of the process's live bytes. Only the thread that owns it writes it, with a
/// plain load and store (no read-modify-write, so no `lock` prefix on x86); [`live_bytes`] sums
/// all shares. 128 bytes each, so two threads' shares never sit on one cache line or on one pair
/// of lines that the prefetcher fetches together.
#[repr(align(128))]
struct LiveShare {
    owned: AtomicBool,
    bytes: AtomicI64,
}

impl LiveShare {
    const fn new() -> Self {
        LiveShare {
            owned: AtomicBool::new(false),
            bytes: AtomicI64::new(0),
        }
    }
}

/// A share keeps its bytes when its thread ends and the next owner adds to them, so the sum over
/// all shares (plus [`SHARED_LIVE`]) is always the live bytes of the whole process.
static SHARES: [LiveShare; LIVE_SHARES] = [const { LiveShare::new() }; LIVE_SHARES];

/// One past the highest share ever owned: [`live_bytes`] sums no further.
static SHARES_USED: AtomicUsize = AtomicUsize::new(0);

/// The live bytes counted by threads without a share, with atomic read-modify-writes.
static SHARED_LIVE: LiveShare = LiveShare::new();

/// Where a thread stands with its share of the live bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShareState {
    /// Not looked for yet (the thread has not allocated).
    None,
    /// Being set up; an allocation now (registering the give-back may allocate) counts shared.
    Claiming,
    /// `ThreadCounters::share` holds it.
    Owned,
    /// No share was free, or the thread is ending and gave its share back: counts shared.
    Shared,
}

struct ThreadCounters {
    allocs: Cell<u64>,
    deallocs: Cell<u64>,
    reallocs: Cell<u64>,
    bytes_allocated: Cell<u64>,
    bytes_freed: Cell<u64>,
    live: Cell<i64>,
    peak: Cell<i64>,
    share: Cell<Option<&'static LiveShare>>,
    share_state: Cell<ShareState>,
    /// How many of this thread's counts went to [`SHARED_LIVE`].
    shared_updates: Cell<u64>,
}

impl ThreadCounters {
    const fn new() -> Self {
        ThreadCounters {
            allocs: Cell::new(0),
            deallocs: Cell::new(0),
            reallocs: Cell::new(0),
            bytes_allocated: Cell::new(0),
            bytes_freed: Cell::new(0),
            live: Cell::new(0),
            peak: Cell::new(0),
            share: Cell::new(None),
            share_state: Cell::new(ShareState::None),
            shared_updates: Cell::new(0),
        }
    }

    fn grow_live(&self, bytes: i64) {
        let live = self.live.get().wrapping_add(bytes);
        self.live.set(live);
        if live > self.peak.get() {
            self.peak.set(live);
        }
        self.add_to_process(bytes);
    }

    fn shrink_live(&self, bytes: i64) {
        self.live.set(self.live.get().wrapping_sub(bytes));
        self.add_to_process(bytes.wrapping_neg());
    }

    /// The hot path: this thread's own share, a plain load and store.
    #[inline]
    fn add_to_process(&self, bytes: i64) {
        match self.share.get() {
            Some(share) => {
                let now = share.bytes.load(Ordering::Relaxed).wrapping_add(bytes);
                share.bytes.store(now, Ordering::Relaxed);
            }
            None => self.add_to_process_without_share(bytes),
        }
    }

    /// Once per thread: takes a free share; otherwise (none free, being set up, thread ending)
    /// counts on the shared atomic.
    #[cold]
    #[inline(never)]
    fn add_to_process_without_share(&self, bytes: i64) {
        if self.share_state.get() == ShareState::None {
            self.share_state.set(ShareState::Claiming);
            // First access registers the give-back at thread exit, which may allocate and come
            // back here: `Claiming` sends that allocation to the shared counter.
            let registered = SHARE_GIVE_BACK.try_with(|_| ()).is_ok();
            match claim_share().filter(|_| registered) {
                Some(share) => {
                    self.share.set(Some(share));
                    self.share_state.set(ShareState::Owned);
                    self.add_to_process(bytes);
                    return;
                }
                None => self.share_state.set(ShareState::Shared),
            }
        }
        bump(&self.shared_updates, 1);
        add_shared(bytes);
    }
}

fn add_shared(bytes: i64) {
    SHARED_LIVE.bytes.fetch_add(bytes, Ordering::Relaxed);
}

fn claim_share() -> Option<&'static LiveShare> {
    SHARES.iter().enumerate().find_map(|(index, share)| {
        let free = !share.owned.load(Ordering::Relaxed)
            && share
                .owned
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok();
        free.then(|| {
            SHARES_USED.fetch_max(index + 1, Ordering::Relaxed);
            share
        })
    })
}

/// Gives the thread's share back when the thread ends (a thread-local's destructor).
struct ShareGiveBack;

impl Drop for ShareGiveBack {
    fn drop(&mut self) {
        let _ = COUNTERS.try_with(|c| {
            if let Some(share) = c.share.take() {
                // Release: the next owner (Acquire) continues from this thread's last store.
                share.owned.store(false, Ordering::Release);
            }
            c.share_state.set(ShareState::Shared);
        });
    }
}

thread_local! {
    // `const` and no destructor: accessing it never allocates or registers a destructor, which
    // would recurse into the allocator.
    static COUNTERS: ThreadCounters = const { ThreadCounters::new() };
    // Touched once per thread, off the hot path, only to have its destructor run at thread exit.
    static SHARE_GIVE_BACK: ShareGiveBack = const { ShareGiveBack };
}

fn bump(cell: &Cell<u64>, by: u64) {
    cell.set(cell.get().wrapping_add(by));
}

/// A `Layout` size never exceeds `isize::MAX`, so it fits an `i64` on every supported target and
/// the cast keeps its value (and costs no clamping on the hot path).
fn signed(size: usize) -> i64 {
    size as i64
}

fn record_alloc(size: usize) {
    let counted = COUNTERS.try_with(|c| {
        bump(&c.allocs, 1);
        bump(&c.bytes_allocated, size as u64);
        c.grow_live(signed(size));
    });
    if counted.is_err() {
        add_shared(signed(size));
    }
}

fn record_dealloc(size: usize) {
    let counted = COUNTERS.try_with(|c| {
        bump(&c.deallocs, 1);
        bump(&c.bytes_freed, size as u64);
        c.shrink_live(signed(size));
    });
    if counted.is_err() {
        add_shared(signed(size).wrapping_neg());
    }
}

fn record_realloc(old_size: usize, new_size: usize) {
    let counted = COUNTERS.try_with(|c| {
        bump(&c.reallocs, 1);
        if new_size >= old_size {
            let growth = new_size - old_size;
            bump(&c.bytes_allocated, growth as u64);
            c.grow_live(signed(growth));
        } else {
            let shrink = old_size - new_size;
            bump(&c.bytes_freed, shrink as u64);
            c.shrink_live(signed(shrink));
        }
    });
    if counted.is_err() {
        add_shared(signed(new_size).wrapping_sub(signed(old_size)));
    }
}

/// A thread's allocation counters (see the [module docs](self) for what each counts). Take one
/// before and one after the code of interest and subtract with [`AllocCounts::since`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocCounts {
    /// Successful `alloc` and `alloc_zeroed` calls.
    pub allocs: u64,
    /// `dealloc` calls.
    pub deallocs: u64,
    /// Successful `realloc` calls (growing or shrinking).
    pub reallocs: u64,
    /// Bytes requested by allocations plus the growth of growing reallocs.
    pub bytes_allocated: u64,
    /// Bytes of freed blocks plus the shrinkage of shrinking reallocs.
    pub bytes_freed: u64,
}

impl AllocCounts {
    /// This thread's counters since it started. All zeros when [`CountingAllocator`] is not the
    /// global allocator (or while this thread's thread-locals are being torn down).
    pub fn current() -> AllocCounts {
        COUNTERS
            .try_with(|c| AllocCounts {
                allocs: c.allocs.get(),
                deallocs: c.deallocs.get(),
                reallocs: c.reallocs.get(),
                bytes_allocated: c.bytes_allocated.get(),
                bytes_freed: c.bytes_freed.get(),
            })
            .unwrap_or_default()
    }

    /// What happened between `earlier` and `self`, field by field; a field that went down (the
    /// two were taken on different threads) is 0.
    pub fn since(&self, earlier: &AllocCounts) -> AllocCounts {
        AllocCounts {
            allocs: self.allocs.saturating_sub(earlier.allocs),
            deallocs: self.deallocs.saturating_sub(earlier.deallocs),
            reallocs: self.reallocs.saturating_sub(earlier.reallocs),
            bytes_allocated: self.bytes_allocated.saturating_sub(earlier.bytes_allocated),
            bytes_freed: self.bytes_freed.saturating_sub(earlier.bytes_freed),
        }
    }
}

/// The live bytes of the whole process (all threads' allocated minus freed bytes), for leak
/// checks. 0 when [`CountingAllocator`] is not the global allocator.
pub fn live_bytes() -> i64 {
    let used = SHARES_USED.load(Ordering::Relaxed).min(LIVE_SHARES);
    SHARES[..used]
        .iter()
        .fold(SHARED_LIVE.bytes.load(Ordering::Relaxed), |sum, share| {
            sum.wrapping_add(share.bytes.load(Ordering::Relaxed))
        })
}

/// How many of this thread's counted calls updated the one live-bytes counter that all threads
/// share (a read-modify-write of one cache line) instead of the thread's own share: 0 for a thread
/// that got a share, except for its first allocation at most. For tests of the hot path.
#[doc(hidden)]
pub fn thread_shared_live_updates() -> u64 {
    COUNTERS.try_with(|c| c.shared_updates.get()).unwrap_or(0)
}

/// This thread's allocated minus freed bytes since it started; negative when it freed memory that
/// other threads allocated.
pub fn thread_live_bytes() -> i64 {
    COUNTERS.try_with(|c| c.live.get()).unwrap_or(0)
}

/// Starts a new peak: sets this thread's peak live bytes to its current live bytes.
pub fn reset_thread_peak() {
    let _ = COUNTERS.try_with(|c| c.peak.set(c.live.get()));
}

/// The highest [`thread_live_bytes`] of this thread since the last [`reset_thread_peak`] (or since
/// the thread started, when the peak was never reset). To get the peak of some code, reset, run
/// it and subtract the live bytes read right after the reset.
pub fn thread_peak_live_bytes() -> i64 {
    COUNTERS.try_with(|c| c.peak.get()).unwrap_or(0)
}

const UNKNOWN: u8 = 0;
const INSTALLED: u8 = 1;
const NOT_INSTALLED: u8 = 2;

static INSTALLED_STATE: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether [`CountingAllocator`] is the process's `#[global_allocator]`. Found out once, by
/// allocating a small box and seeing whether this thread's allocation count moved, then cached.
pub fn is_installed() -> bool {
    match INSTALLED_STATE.load(Ordering::Relaxed) {
        INSTALLED => return true,
        NOT_INSTALLED => return false,
        _ => {}
    }
    let Ok(before) = COUNTERS.try_with(|c| c.allocs.get()) else {
        return false; // cannot tell on a thread being torn down; ask again elsewhere
    };
    let probe = black_box(Box::new(black_box(0u8)));
    let after = COUNTERS.try_with(|c| c.allocs.get()).unwrap_or(before);
    drop(probe);
    let installed = after != before;
    INSTALLED_STATE.store(
        if installed { INSTALLED } else { NOT_INSTALLED },
        Ordering::Relaxed,
    );
    installed
}
