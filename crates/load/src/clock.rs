//! The runner's time source, injectable so the runner's bookkeeping can be driven by a fake.

use std::time::{Duration, Instant};

/// A monotonic clock: time since an arbitrary, fixed origin.
pub trait Clock: Sync {
    fn now(&self) -> Duration;

    /// Waits about `duration` (the open model's scheduler waits for the next start with it).
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The real monotonic clock (`Instant`).
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    origin: Instant,
}

impl MonotonicClock {
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}
