//! The open-model runner: operations start on a schedule (`rate` per second, constant or Poisson
//! arrivals, an optional linear ramp and periodic bursts), whether or not earlier ones finished.
//!
//! The schedule ([`Schedule`]) is a pure, lazy iterator of intended start offsets. A dispatcher
//! thread waits for each offset and hands the operation to a fixed pool of `max_in_flight`
//! worker threads. An operation due while every worker is busy waits in a FIFO backlog holding
//! at most `max_in_flight` operations; an arrival that finds the backlog full is **dropped**:
//! counted, never run, never timed, not an error.
//!
//! Latency is measured from the operation's *intended* start, as wrk2 does
//! (`now - (thread_start + complete / throughput)` in its `response_complete`), so a stall of
//! the system under test shows in the percentiles of every operation it delayed, not only the one
//! it hit (coordinated omission corrected); the service time, from the actual start, is kept as
//! well. Both go to HDR histograms; windows are by finish time, as in the closed model.
//!
//! Counts: `planned` = starts scheduled before the stop bound; each is either `started` (taken
//! by a worker, possibly late) or `dropped`. Operations still waiting in the backlog when the
//! duration passes are run (they were due before it), so `planned = started + dropped` exactly;
//! arrivals due at or after the duration are not planned at all. `late` counts starts more than
//! [`late_tolerance`] after their intended time.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
use crate::closed::{LoadError, Stop};
use crate::command::{CommandSpec, InFlight, run_operation};
use crate::level::{LevelRecorder, LevelResult, OpenCounts, Outcome};

/// How arrivals are spread in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrivals {
    /// Evenly spaced, `1/rate` apart.
    Constant,
    /// A Poisson process (exponential gaps of mean `1/rate`), reproducible from its seed.
    Poisson { seed: u64 },
}

/// Every `every` (at `every`, `2·every`, …), `size` extra operations are due at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    pub size: u32,
    pub every: Duration,
}

/// One level of open-model load.
#[derive(Debug, Clone)]
pub struct OpenLoad {
    pub command: CommandSpec,
    /// Operations per second (after the ramp); finite and greater than zero.
    pub rate: f64,
    pub arrivals: Arrivals,
    /// The rate rises linearly from 0 to `rate` over this time, then stays. Zero means none.
    pub ramp: Option<Duration>,
    pub burst: Option<Burst>,
    /// Worker threads, and also the most operations the backlog holds.
    pub max_in_flight: NonZeroUsize,
    pub stop: Stop,
    /// An operation running longer is killed (with its process group) and counts as `timeout`.
    pub timeout: Option<Duration>,
    /// Width of the time windows the level is also summarised by.
    pub window: Duration,
}

impl OpenLoad {
    /// Constant arrivals, no ramp, no burst, no timeout, one-second windows.
    pub fn new(command: CommandSpec, rate: f64, max_in_flight: NonZeroUsize, stop: Stop) -> Self {
        Self {
            command,
            rate,
            arrivals: Arrivals::Constant,
            ramp: None,
            burst: None,
            max_in_flight,
            stop,
            timeout: None,
            window: Duration::from_secs(1),
        }
    }

    pub fn with_arrivals(mut self, arrivals: Arrivals) -> Self {
        self.arrivals = arrivals;
        self
    }

    pub fn with_ramp(mut self, ramp: Duration) -> Self {
        self.ramp = Some(ramp);
        self
    }

    pub fn with_burst(mut self, burst: Burst) -> Self {
        self.burst = Some(burst);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The intended start offsets of this load (before its stop bound is applied).
    pub fn schedule(&self) -> Schedule {
        Schedule::new(self.rate, self.arrivals, self.ramp, self.burst)
    }
}

/// How far after its intended time a start may be and still count as on time: 1 ms, or a tenth
/// of the mean interval `1/rate` when that is longer. Starting a process and waking a thread take
/// a good part of a millisecond on a busy machine, so a tighter bound would count scheduler noise
/// as lateness; a tenth of the interval keeps the schedule's shape (no two starts drift into
/// each other's slot) while tolerating that noise.
pub fn late_tolerance(rate: f64) -> Duration {
    let tenth_of_interval = if rate.is_finite() && rate > 0.0 {
        Duration::try_from_secs_f64(0.1 / rate).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    };
    tenth_of_interval.max(Duration::from_millis(1))
}

/// The intended start offsets (from the level's start), in order: an infinite, pure iterator.
///
/// Regular arrivals: with the cumulative rate `Λ(t)` (`rate·t²/(2·ramp)` during the ramp, then
/// linear), arrival k is at `Λ⁻¹(x_k)` with `x_k = k` for constant arrivals (so the first is at
/// 0) and `x_k` the sum of k+1 unit exponentials for Poisson ones: the exact inhomogeneous
/// Poisson process. Bursts add `size` arrivals at each multiple of `every` (after a regular
/// arrival due at the same instant).
#[derive(Debug, Clone)]
pub struct Schedule {
    rate: f64,
    ramp_secs: f64,
    arrivals: Arrivals,
    random: SplitMix64,
    /// Regular arrivals produced so far.
    produced: u64,
    /// `x_k` of the next regular arrival.
    next_x: f64,
    burst: Option<Burst>,
    /// Number (1, 2, …) of the next burst.
    next_burst: u64,
    /// Operations of the current burst still to yield.
    burst_left: u32,
}

impl Schedule {
    /// `rate` must be finite and greater than zero (the runner checks it); a zero ramp is none,
    /// as is a burst of size 0 or interval 0.
    pub fn new(
        rate: f64,
        arrivals: Arrivals,
        ramp: Option<Duration>,
        burst: Option<Burst>,
    ) -> Self {
        let mut random = SplitMix64(match arrivals {
            Arrivals::Poisson { seed } => seed,
            Arrivals::Constant => 0,
        });
        let next_x = match arrivals {
            Arrivals::Constant => 0.0,
            Arrivals::Poisson { .. } => random.exponential(),
        };
        Self {
            rate,
            ramp_secs: ramp.map_or(0.0, |ramp| ramp.as_secs_f64()),
            arrivals,
            random,
            produced: 0,
            next_x,
            burst: burst.filter(|burst| burst.size > 0 && !burst.every.is_zero()),
            next_burst: 1,
            burst_left: 0,
        }
    }

    /// `Λ⁻¹(x)` in seconds.
    fn time_of(&self, x: f64) -> f64 {
        let ramp_count = self.rate * self.ramp_secs / 2.0;
        if self.ramp_secs > 0.0 && x <= ramp_count {
            (2.0 * self.ramp_secs * x / self.rate).sqrt()
        } else {
            self.ramp_secs + (x - ramp_count) / self.rate
        }
    }
}

impl Iterator for Schedule {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let regular = self.time_of(self.next_x);
        if let Some(burst) = self.burst {
            let burst_at = burst.every.as_secs_f64() * self.next_burst as f64;
            if self.burst_left == 0 && burst_at < regular {
                self.burst_left = burst.size;
            }
            if self.burst_left > 0 {
                self.burst_left -= 1;
                if self.burst_left == 0 {
                    self.next_burst += 1;
                }
                return Some(seconds(burst_at));
            }
        }
        self.produced += 1;
        self.next_x = match self.arrivals {
            Arrivals::Constant => self.produced as f64,
            Arrivals::Poisson { .. } => self.next_x + self.random.exponential(),
        };
        Some(seconds(regular))
    }
}

fn seconds(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
}

/// SplitMix64: small, fast and the same on every machine, so a seed names one schedule.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A unit exponential: `-ln(u)` with `u` uniform in (0, 1].
    fn exponential(&mut self) -> f64 {
        let uniform = ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        -uniform.ln()
    }
}

/// Runs one level with the real clock.
pub fn run_open(load: &OpenLoad) -> Result<LevelResult, LoadError> {
    run_open_with_clock(load, &MonotonicClock::new())
}

/// Runs one level, reading times from `clock` and waiting for starts with `clock.sleep`.
/// Operation timeouts are enforced in real time.
pub fn run_open_with_clock(load: &OpenLoad, clock: &dyn Clock) -> Result<LevelResult, LoadError> {
    if !(load.rate.is_finite() && load.rate > 0.0) {
        return Err(LoadError::InvalidRate(load.rate));
    }
    if load.window.is_zero() {
        return Err(LoadError::ZeroWindow);
    }
    if load.timeout.is_some_and(|timeout| timeout.is_zero()) {
        return Err(LoadError::ZeroTimeout);
    }
    if load.burst.is_some_and(|burst| burst.every.is_zero()) {
        return Err(LoadError::ZeroBurstInterval);
    }
    let workers = load.max_in_flight.get();
    let shared = Shared {
        queue: Mutex::new(Queue::default()),
        ready: Condvar::new(),
        abort: AtomicBool::new(false),
        in_flight: InFlight::default(),
        started: AtomicU64::new(0),
        late: AtomicU64::new(0),
        tolerance: late_tolerance(load.rate),
    };
    let mut recorder = LevelRecorder::new(load.window);
    let mut last_finish = Duration::ZERO;
    let level_start = clock.now();
    let (sender, receiver) = mpsc::channel::<Outcome>();
    let (failure, planned, dropped) = thread::scope(|scope| {
        let mut failure = None;
        for worker in 0..workers {
            let sender = sender.clone();
            let shared = &shared;
            let started = thread::Builder::new()
                .name(format!("load-worker-{worker}"))
                .stack_size(256 * 1024)
                .spawn_scoped(scope, move || {
                    run_worker(load, clock, level_start, shared, &sender);
                });
            if let Err(error) = started {
                failure = Some(error);
                break;
            }
        }
        drop(sender);
        let dispatcher = if failure.is_none() {
            let shared = &shared;
            let spawned = thread::Builder::new()
                .name("load-dispatcher".to_string())
                .spawn_scoped(scope, move || dispatch(load, clock, level_start, shared));
            match spawned {
                Ok(handle) => Some(handle),
                Err(error) => {
                    failure = Some(error);
                    None
                }
            }
        } else {
            None
        };
        if dispatcher.is_none() {
            shared.abort.store(true, Ordering::SeqCst);
            shared.close();
        }
        for outcome in receiver.iter() {
            last_finish = last_finish.max(outcome.finished_at);
            recorder.record(outcome);
        }
        let (planned, dropped) = dispatcher
            .and_then(|handle| handle.join().ok())
            .unwrap_or((0, 0));
        (failure, planned, dropped)
    });
    if let Some(error) = failure {
        return Err(LoadError::Thread(error));
    }
    let mut level = recorder.finish(workers, last_finish, shared.in_flight.max());
    level.mean_in_flight = shared.in_flight.mean();
    level.open = Some(OpenCounts {
        planned,
        started: shared.started.load(Ordering::SeqCst),
        late: shared.late.load(Ordering::SeqCst),
        dropped,
        late_tolerance: shared.tolerance,
    });
    Ok(level)
}

/// State the dispatcher and the workers share.
struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when an operation is queued or the queue is closed.
    ready: Condvar,
    abort: AtomicBool,
    in_flight: InFlight,
    started: AtomicU64,
    late: AtomicU64,
    tolerance: Duration,
}

#[derive(Debug, Default)]
struct Queue {
    /// Intended start offsets of operations due and not yet taken by a worker.
    due: VecDeque<Duration>,
    /// Workers running an operation.
    busy: usize,
    /// No more operations will be queued.
    closed: bool,
}

impl Shared {
    /// The queue, even if a worker panicked while holding it (its state stays consistent: every
    /// change is a single field update).
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

/// Waits for each planned start and queues it, or drops it when the backlog is full. Returns
/// (planned, dropped).
fn dispatch(
    load: &OpenLoad,
    clock: &dyn Clock,
    level_start: Duration,
    shared: &Shared,
) -> (u64, u64) {
    let workers = load.max_in_flight.get();
    let limit = load.stop.operations().unwrap_or(u64::MAX);
    let mut planned = 0u64;
    let mut dropped = 0u64;
    for intended in load.schedule() {
        if planned >= limit
            || load
                .stop
                .duration()
                .is_some_and(|duration| intended >= duration)
            || shared.abort.load(Ordering::SeqCst)
        {
            break;
        }
        let elapsed = clock.now().saturating_sub(level_start);
        if intended > elapsed {
            clock.sleep(intended - elapsed);
        }
        planned += 1;
        let mut queue = shared.lock();
        let idle = workers.saturating_sub(queue.busy);
        // What idle workers are about to take is not backlog; the backlog is what waits beyond.
        if queue.due.len() >= idle + workers {
            dropped += 1;
        } else {
            queue.due.push_back(intended);
            drop(queue);
            shared.ready.notify_one();
        }
    }
    shared.close();
    (planned, dropped)
}

fn run_worker(
    load: &OpenLoad,
    clock: &dyn Clock,
    level_start: Duration,
    shared: &Shared,
    outcomes: &mpsc::Sender<Outcome>,
) {
    let mut queue = shared.lock();
    loop {
        let Some(intended) = queue.due.pop_front() else {
            if queue.closed {
                return;
            }
            queue = shared
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        queue.busy += 1;
        drop(queue);
        let start = clock.now();
        let intended_at = level_start + intended;
        shared.started.fetch_add(1, Ordering::SeqCst);
        if start.saturating_sub(intended_at) > shared.tolerance {
            shared.late.fetch_add(1, Ordering::SeqCst);
        }
        let ended = run_operation(&load.command, load.timeout, &shared.in_flight);
        let end = clock.now();
        let outcome = Outcome {
            finished_at: end.saturating_sub(level_start),
            latency: end.saturating_sub(intended_at),
            service_time: Some(end.saturating_sub(start)),
            error: ended.error,
            message: ended.message,
            values: ended.values,
        };
        let receiver_gone = outcomes.send(outcome).is_err();
        queue = shared.lock();
        queue.busy -= 1;
        if receiver_gone {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(schedule: Schedule, until: Duration) -> Vec<Duration> {
        schedule.take_while(|t| *t < until).collect()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn constant_arrivals_are_evenly_spaced_from_zero() {
        let all = offsets(
            Schedule::new(10.0, Arrivals::Constant, None, None),
            ms(1000),
        );
        assert_eq!(all.len(), 10);
        for (k, t) in all.iter().enumerate() {
            let expected = ms(100 * k as u64);
            assert!(
                t.abs_diff(expected) < Duration::from_nanos(10),
                "{k}: {t:?}"
            );
        }
        let count = Schedule::new(200.0, Arrivals::Constant, None, None)
            .take_while(|t| *t < Duration::from_secs(5))
            .count();
        assert_eq!(count, 1000);
    }

    #[test]
    fn poisson_arrivals_have_the_rate_and_exponential_gaps_and_follow_their_seed() {
        let rate = 1000.0;
        let times: Vec<f64> = Schedule::new(rate, Arrivals::Poisson { seed: 42 }, None, None)
            .take(100_001)
            .map(|t| t.as_secs_f64())
            .collect();
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let n = gaps.len() as f64;
        let mean = gaps.iter().sum::<f64>() / n;
        let variance = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0);
        // Exponential with mean 1 ms: variance 1 ms²; over 10⁵ gaps both are within 2 %/5 %.
        assert!((mean - 1e-3).abs() < 2e-5, "mean {mean}");
        assert!((variance - 1e-6).abs() < 5e-8, "variance {variance}");
        assert!(gaps.iter().all(|g| *g >= 0.0));
        let again: Vec<Duration> = Schedule::new(rate, Arrivals::Poisson { seed: 42 }, None, None)
            .take(50)
            .collect();
        let first: Vec<Duration> = times[..50].iter().map(|t| seconds(*t)).collect();
        assert_eq!(again, first);
        let other: Vec<Duration> = Schedule::new(rate, Arrivals::Poisson { seed: 43 }, None, None)
            .take(50)
            .collect();
        assert_ne!(other, first);
    }

    #[test]
    fn a_ramp_rises_linearly_to_the_rate_then_stays() {
        // 100/s over a 2 s ramp: Λ(1 s) = 25, Λ(2 s) = 100, then 100 per second.
        let schedule = Schedule::new(100.0, Arrivals::Constant, Some(ms(2000)), None);
        let all = offsets(schedule, ms(4000));
        let per_second: Vec<usize> = (0..4)
            .map(|s| {
                all.iter()
                    .filter(|t| **t >= ms(1000 * s) && **t < ms(1000 * (s + 1)))
                    .count()
            })
            .collect();
        assert_eq!(per_second, [25, 75, 100, 100]);
        // Half a second in the rate is a quarter: arrivals ~40 ms apart, at the end 10 ms.
        assert!(all[2] - all[1] > all[30] - all[29]);
    }

    #[test]
    fn bursts_add_their_size_at_each_interval() {
        let burst = Burst {
            size: 5,
            every: ms(1000),
        };
        let all = offsets(
            Schedule::new(10.0, Arrivals::Constant, None, Some(burst)),
            ms(3000),
        );
        assert_eq!(all.len(), 30 + 2 * 5);
        let at = |t: Duration| {
            all.iter()
                .filter(|x| x.abs_diff(t) < Duration::from_micros(1))
                .count()
        };
        // The regular arrival at 1 s and 2 s plus the burst's five.
        assert_eq!(
            (at(ms(0)), at(ms(1000)), at(ms(2000)), at(ms(1500))),
            (1, 6, 6, 1)
        );
        assert!(all.windows(2).all(|w| w[0] <= w[1]), "in order");
        let zero_sized = Burst {
            size: 0,
            every: ms(1000),
        };
        assert_eq!(
            offsets(
                Schedule::new(10.0, Arrivals::Constant, None, Some(zero_sized)),
                ms(3000)
            )
            .len(),
            30
        );
    }

    #[test]
    fn late_tolerance_is_a_tenth_of_the_interval_but_at_least_a_millisecond() {
        assert_eq!(late_tolerance(10.0), ms(10));
        assert_eq!(late_tolerance(50.0), ms(2));
        assert_eq!(late_tolerance(10_000.0), ms(1));
    }
}
