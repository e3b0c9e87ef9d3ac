//! Custom counters: `benchgate_harness::count("backend_calls", 1)` (or `b.count(…)`) anywhere
//! in the code a benchmark runs, on the benchmark's thread, reported per operation.
//!
//! The tally is thread-local and always on; a sample zeroes the values at its start and reads
//! them at its end. Names are kept across samples, so only a name's first appearance (during
//! warm-up, normally) allocates, and the allocation counts of measured samples stay exact.

use std::cell::RefCell;

thread_local! {
    static TALLY: RefCell<Vec<(String, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Adds `n` to the counter `name` of the benchmark running on this thread.
pub fn count(name: &str, n: u64) {
    // `try_with`: a thread being torn down has no tally, and counting must not panic.
    let _ = TALLY.try_with(|tally| {
        let Ok(mut tally) = tally.try_borrow_mut() else {
            return;
        };
        match tally.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = v.saturating_add(n),
            None => tally.push((name.to_owned(), n)),
        }
    });
}

/// Zeroes every counter of this thread, keeping the names.
pub(crate) fn reset() {
    let _ = TALLY.try_with(|tally| {
        if let Ok(mut tally) = tally.try_borrow_mut() {
            tally.iter_mut().for_each(|(_, v)| *v = 0);
        }
    });
}

/// Forgets every counter of this thread (between benchmarks).
pub(crate) fn clear() {
    let _ = TALLY.try_with(|tally| {
        if let Ok(mut tally) = tally.try_borrow_mut() {
            tally.clear();
        }
    });
}

/// Calls `f` with this thread's counters (no allocation).
pub(crate) fn with(mut f: impl FnMut(&str, u64)) {
    let _ = TALLY.try_with(|tally| {
        if let Ok(tally) = tally.try_borrow() {
            tally.iter().for_each(|(k, v)| f(k, *v));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Vec<(String, u64)> {
        let mut out = Vec::new();
        with(|k, v| out.push((k.to_owned(), v)));
        out
    }

    #[test]
    fn counts_add_up_reset_and_clear() {
        clear();
        count("calls", 2);
        count("bytes", 10);
        count("calls", 3);
        assert_eq!(snapshot(), [("calls".into(), 5), ("bytes".into(), 10)]);
        reset();
        assert_eq!(snapshot(), [("calls".into(), 0), ("bytes".into(), 0)]);
        clear();
        assert!(snapshot().is_empty());
    }
}
