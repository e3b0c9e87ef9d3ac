//! Concurrency sweeps: the same operation on N threads at once, for each N of a sweep.
//!
//! ```no_run
//! use benchgate_harness::concurrent::{sweep, SweepOptions};
//!
//! let cache = std::sync::Mutex::new(std::collections::HashMap::<u64, u64>::new());
//! let results = sweep("cache/get", &[1, 10, 50], &SweepOptions::default(), |ctx| {
//!     let key = ctx.iteration() % 1024;
//!     cache.lock().map(|mut map| *map.entry(key).or_insert(key))
//! });
//! assert_eq!(results[1].name, "cache/get/concurrency=10");
//! ```
//!
//! # Method
//!
//! For each level N of the sweep, [`sweep`]:
//!
//! 1. starts N threads of its own (scoped, so the operation may borrow), really N: a level is never
//!    run on fewer threads than it names. Every thread waits at a start gate (a barrier that can
//!    also be called off, so a thread that cannot be spawned fails the level instead of leaving
//!    the others waiting forever) and all are released together;
//! 2. runs the operation in a closed loop on every thread: [`SweepOptions::warmup`] first, not
//!    recorded (it also absorbs the time the threads take to wake up), then
//!    [`SweepOptions::duration`] measured. Each operation is timed on its own with [`Instant`]
//!    before and after, and belongs to the window in which it *completes*: the measured duration
//!    is split into [`SweepOptions::windows`] equal windows, each with its own count of operations
//!    and errors and its own HDR histogram of latencies (nanoseconds, 3 significant digits). An
//!    operation still in flight at the deadline is neither counted nor recorded (each thread has
//!    at most one), just as the one in flight when measurement starts is counted in the first
//!    window: every window then counts the completions of a time span of the same length, and the
//!    latencies are not biased towards short operations;
//! 3. keeps an in-flight counter, incremented before each operation and decremented after, whose
//!    maximum is the concurrency actually observed (warm-up included): `max_concurrency`, which
//!    is N when the N threads really overlapped;
//! 4. merges the threads' histograms per window (each thread hands a finished window over to the
//!    sweep's own thread, so memory stays bounded with many threads and windows), and then the
//!    windows into one histogram for the whole level.
//!
//! Each thread checks the deadline after every operation, so a level lasts about warm-up +
//! duration + one operation. **An operation that never returns hangs the sweep**: bound your
//! operation's own waiting (time-outs) if it can block.
//!
//! # Results
//!
//! One [`Benchmark`] per distinct level, in the order given, named `{name}/concurrency={N}` with
//! the parameter `concurrency = N`. A level that appears more than once is run and reported once,
//! at its first position (benchmark names must be unique in a run). Its metrics:
//!
//! | measure | unit | samples |
//! | --- | --- | --- |
//! | `throughput` | 1/s | completed operations per second of each window (0 for a window with none) |
//! | `latency_p50`, `latency_p90`, `latency_p95`, `latency_p99`, `latency_p999` | ns | that percentile of each window's histogram (windows without operations skipped) |
//! | `error_rate` | ratio | errors / operations of each window (windows without operations skipped) |
//! | `max_concurrency` | count | one, exact: the most operations observed in flight at once |
//! | `scaling_efficiency` | ratio | each window's throughput(N) · L / (N · mean throughput(L)) |
//!
//! Scaling efficiency compares a level with the reference level L: level 1 when it is in the sweep
//! and succeeded (the textbook throughput(N) / (N · throughput(1))), otherwise the smallest level
//! that succeeded; the label `scaling_reference` names it. 1 is perfect scaling, 1/N is none at
//! all (N threads doing no more than one did).
//!
//! Latencies include failed operations (see [`Outcome`]). The labels give the whole level's
//! figures: `ops`, `errors`, `duration_ns` (measured), `warmup_ns`, `windows`, `threads`, `mode`
//! (`timed` or `smoke`) and, from the merged histogram, `latency_min_ns`, `latency_mean_ns`,
//! `latency_p50_ns`, `latency_p90_ns`, `latency_p95_ns`, `latency_p99_ns`, `latency_p999_ns`,
//! `latency_max_ns`.
//!
//! A level fails (status `failed`, no metrics, and the sweep goes on with the next level) when it
//! is 0, when the operation panics on any thread (`worker 3 panicked: <message>`; the level's
//! other threads stop at their next check), when a thread cannot be spawned, or when no operation
//! completed within the measured duration (the operation is slower than the measurement).
//!
//! Bookkeeping costs each operation two atomic operations on a shared counter and a histogram
//! update, outside the timed span but inside the loop: for operations of a few nanoseconds that
//! caps the throughput a level can show.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};
use hdrhistogram::Histogram;

/// What the operation sees: which worker runs it, at which level of the sweep, and the how-many-th
/// operation of this worker it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    worker: usize,
    level: usize,
    iteration: u64,
}

impl Ctx {
    /// The worker thread running the operation, `0..level`.
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// The level of the sweep being run: how many workers run the operation at once.
    pub fn level(&self) -> usize {
        self.level
    }

    /// How many operations this worker has run before this one at this level, warm-up included
    /// (the first is 0). Consecutive operations of a worker have consecutive iterations.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }
}

/// An operation's result: `()` and `bool` (false = error) and `Result<T, E>` (Err = error).
///
/// Errors are counted into `error_rate`; a failed operation is still timed like any other.
pub trait Outcome {
    /// Whether the operation failed.
    fn is_error(&self) -> bool;
}

impl Outcome for () {
    fn is_error(&self) -> bool {
        false
    }
}

impl Outcome for bool {
    fn is_error(&self) -> bool {
        !*self
    }
}

impl<T, E> Outcome for Result<T, E> {
    fn is_error(&self) -> bool {
        self.is_err()
    }
}

/// How long each level of a sweep runs, and how it is cut into samples.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Measured time per level (default 1 s). Zero is a smoke run: each worker runs the operation
    /// once (after any warm-up), and that single operation is recorded whenever it completes.
    pub duration: Duration,
    /// How many equal windows the measured time is split into, one sample of each metric per
    /// window (default 10; 0 is taken as 1). Windows should be many times longer than one
    /// operation, or a window's sample is mostly boundary effects.
    pub windows: usize,
    /// Time per level run before measuring, not recorded (default 100 ms).
    pub warmup: Duration,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            duration: Duration::from_secs(1),
            windows: 10,
            warmup: Duration::from_millis(100),
        }
    }
}

impl SweepOptions {
    /// A short run: 200 ms per level in 5 windows, after 20 ms of warm-up.
    pub fn quick() -> Self {
        SweepOptions {
            duration: Duration::from_millis(200),
            windows: 5,
            warmup: Duration::from_millis(20),
        }
    }

    /// A smoke run, for `cargo test`: no warm-up, and each worker runs the operation exactly once.
    /// The benchmarks are well-formed but their numbers mean little; they carry the label
    /// `mode = smoke`.
    pub fn smoke() -> Self {
        SweepOptions {
            duration: Duration::ZERO,
            windows: 1,
            warmup: Duration::ZERO,
        }
    }

    fn is_smoke(&self) -> bool {
        self.duration.is_zero()
    }
}

/// Runs `op` at each level in `levels`, returns one Benchmark per level named
/// `{name}/concurrency={N}` with params {"concurrency": N}.
///
/// Levels run one after another, in the order given; a repeated level is run once, at its first
/// position. No levels, no benchmarks. See the [module documentation](self) for the method, the
/// metrics and when a level fails.
pub fn sweep<F, R>(name: &str, levels: &[usize], options: &SweepOptions, op: F) -> Vec<Benchmark>
where
    F: Fn(&Ctx) -> R + Sync,
    R: Outcome,
{
    let mut seen = BTreeSet::new();
    let results: Vec<(usize, Result<Level, String>)> = levels
        .iter()
        .copied()
        .filter(|&n| seen.insert(n))
        .map(|n| (n, run_level(n, options, &op)))
        .collect();
    let reference = results
        .iter()
        .filter_map(|(n, result)| {
            let throughput = result.as_ref().ok()?.mean_throughput();
            (throughput > 0.0).then_some((*n, throughput))
        })
        .min_by_key(|&(n, _)| n);
    results
        .into_iter()
        .map(|(n, result)| benchmark(name, n, result, reference, options))
        .collect()
}

/// One level's merged measurements.
struct Level {
    windows: Vec<Window>,
    /// The span each window covers, for throughput.
    window_secs: f64,
    measured: Duration,
    max_concurrency: usize,
}

impl Level {
    fn throughputs(&self) -> Vec<f64> {
        self.windows
            .iter()
            .map(|w| w.ops as f64 / self.window_secs)
            .collect()
    }

    fn mean_throughput(&self) -> f64 {
        let samples = self.throughputs();
        samples.iter().sum::<f64>() / samples.len().max(1) as f64
    }

    fn ops(&self) -> u64 {
        self.windows.iter().map(|w| w.ops).sum()
    }
}

/// One window's counts and latencies (of one worker, or merged).
struct Window {
    ops: u64,
    errors: u64,
    latencies: Option<Histogram<u64>>,
}

/// A worker's finished window, handed to the sweep's thread.
struct Flush {
    window: usize,
    ops: u64,
    errors: u64,
    latencies: Histogram<u64>,
    last_completion: Instant,
}

/// When measurement starts and ends, fixed when the workers are released.
#[derive(Clone, Copy)]
struct Plan {
    start: Instant,
    deadline: Instant,
}

/// A start barrier that can be called off: workers wait until the sweep's thread releases them
/// all with a plan, or with none when the level cannot run.
struct Gate {
    state: Mutex<GateState>,
    arrived: Condvar,
    released: Condvar,
}

#[derive(Default)]
struct GateState {
    arrived: usize,
    release: Option<Option<Plan>>,
}

impl Gate {
    fn new() -> Self {
        Gate {
            state: Mutex::new(GateState::default()),
            arrived: Condvar::new(),
            released: Condvar::new(),
        }
    }

    fn arrive_and_wait(&self) -> Option<Plan> {
        let mut state = lock(&self.state);
        state.arrived += 1;
        self.arrived.notify_one();
        loop {
            if let Some(release) = state.release {
                return release;
            }
            state = self
                .released
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn wait_for(&self, workers: usize) {
        let mut state = lock(&self.state);
        while state.arrived < workers {
            state = self
                .arrived
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn release(&self, plan: Option<Plan>) {
        lock(&self.state).release = Some(plan);
        self.released.notify_all();
    }
}

/// The gate's state is plain counters: a panic elsewhere cannot leave it inconsistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps the in-flight counter, written by every operation, off the cache lines of the rest.
#[repr(align(128))]
struct CachePadded<T>(T);

/// What every worker of a level shares.
struct Shared<'a, F> {
    op: &'a F,
    level: usize,
    windows: usize,
    duration: Duration,
    smoke: bool,
    gate: Gate,
    in_flight: CachePadded<AtomicUsize>,
    max_in_flight: CachePadded<AtomicUsize>,
    stop: AtomicBool,
}

impl<F, R> Shared<'_, F>
where
    F: Fn(&Ctx) -> R + Sync,
    R: Outcome,
{
    /// A worker's whole life: the gate, then the loop. `Err` is a message for the level's status.
    fn work(&self, worker: usize, results: Sender<Flush>) -> Result<(), String> {
        let Some(plan) = self.gate.arrive_and_wait() else {
            return Ok(());
        };
        match panic::catch_unwind(AssertUnwindSafe(|| self.run(worker, plan, &results))) {
            Ok(result) => result,
            Err(payload) => {
                self.stop.store(true, Ordering::Relaxed);
                Err(format!(
                    "worker {worker} panicked: {}",
                    panic_text(&*payload)
                ))
            }
        }
    }

    fn run(&self, worker: usize, plan: Plan, results: &Sender<Flush>) -> Result<(), String> {
        let mut window = Window {
            ops: 0,
            errors: 0,
            latencies: None,
        };
        let mut latencies = new_histogram()?;
        let mut current = 0;
        let mut last_completion = plan.start;
        let mut iteration = 0;
        while !self.stop.load(Ordering::Relaxed) {
            let ctx = Ctx {
                worker,
                level: self.level,
                iteration,
            };
            let now = self.in_flight.0.fetch_add(1, Ordering::Relaxed) + 1;
            if now > self.max_in_flight.0.load(Ordering::Relaxed) {
                self.max_in_flight.0.fetch_max(now, Ordering::Relaxed);
            }
            let began = Instant::now();
            let outcome = (self.op)(&ctx);
            let ended = Instant::now();
            // Not decremented when the operation panics: the level fails anyway.
            self.in_flight.0.fetch_sub(1, Ordering::Relaxed);
            let is_error = outcome.is_error();
            drop(outcome);
            iteration += 1;

            if ended < plan.start {
                continue; // warm-up
            }
            let index = if self.smoke {
                0
            } else if ended >= plan.deadline {
                break; // in flight at the deadline: not counted
            } else {
                window_index(ended - plan.start, self.duration, self.windows)
            };
            if index != current && window.ops > 0 {
                let fresh = Histogram::new_from(&latencies);
                let full = std::mem::replace(&mut latencies, fresh);
                flush(results, current, &mut window, full, last_completion)?;
            }
            current = index;
            record(&mut latencies, ended - began);
            window.ops += 1;
            window.errors += u64::from(is_error);
            last_completion = ended;
            if self.smoke {
                break;
            }
        }
        if window.ops > 0 {
            flush(results, current, &mut window, latencies, last_completion)?;
        }
        Ok(())
    }
}

fn flush(
    results: &Sender<Flush>,
    index: usize,
    window: &mut Window,
    latencies: Histogram<u64>,
    last_completion: Instant,
) -> Result<(), String> {
    let message = Flush {
        window: index,
        ops: std::mem::take(&mut window.ops),
        errors: std::mem::take(&mut window.errors),
        latencies,
        last_completion,
    };
    results
        .send(message)
        .map_err(|_| "the sweep stopped collecting results".to_string())
}

/// Which of `windows` equal windows of `duration` an operation completing `elapsed` after the
/// start of measurement falls in.
fn window_index(elapsed: Duration, duration: Duration, windows: usize) -> usize {
    let last = windows.saturating_sub(1);
    let scaled = elapsed.as_nanos().saturating_mul(windows as u128) / duration.as_nanos().max(1);
    usize::try_from(scaled).map_or(last, |i| i.min(last))
}

/// Nanoseconds to 3 significant digits, growing as needed.
fn new_histogram() -> Result<Histogram<u64>, String> {
    Histogram::new(3).map_err(|e| format!("cannot create a latency histogram: {e}"))
}

/// Records a latency in nanoseconds; 0 ns is recorded as 1 (the histogram's lowest value).
fn record(latencies: &mut Histogram<u64>, latency: Duration) {
    let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX).max(1);
    if latencies.record(nanos).is_err() {
        latencies.saturating_record(nanos);
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic payload that is not a string)".to_string()
    }
}

/// Runs one level: spawns `n` workers, releases them together, collects their windows.
fn run_level<F, R>(n: usize, options: &SweepOptions, op: &F) -> Result<Level, String>
where
    F: Fn(&Ctx) -> R + Sync,
    R: Outcome,
{
    if n == 0 {
        return Err("concurrency level 0: a level needs at least one thread".to_string());
    }
    let windows = if options.is_smoke() {
        1
    } else {
        options.windows.max(1)
    };
    let shared = Shared {
        op,
        level: n,
        windows,
        duration: options.duration,
        smoke: options.is_smoke(),
        gate: Gate::new(),
        in_flight: CachePadded(AtomicUsize::new(0)),
        max_in_flight: CachePadded(AtomicUsize::new(0)),
        stop: AtomicBool::new(false),
    };
    let shared = &shared;
    let (sender, receiver) = mpsc::channel::<Flush>();

    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(n);
        let mut failure = None;
        for worker in 0..n {
            let results = sender.clone();
            let spawned = thread::Builder::new()
                .name(format!("benchgate-concurrent-{worker}"))
                .spawn_scoped(scope, move || shared.work(worker, results));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    failure = Some(format!("could not start worker {worker} of {n}: {e}"));
                    break;
                }
            }
        }
        drop(sender);

        let mut plan = None;
        if failure.is_none() {
            shared.gate.wait_for(n);
            let epoch = Instant::now();
            plan = epoch.checked_add(options.warmup).and_then(|start| {
                let deadline = start.checked_add(options.duration)?;
                Some(Plan { start, deadline })
            });
            if plan.is_none() {
                failure = Some("warm-up plus duration is beyond what the clock can hold".into());
            }
        }
        shared.gate.release(plan);

        let mut merged: Vec<Window> = (0..windows)
            .map(|_| Window {
                ops: 0,
                errors: 0,
                latencies: None,
            })
            .collect();
        let mut last_completion = None;
        for message in receiver {
            let Some(window) = merged.get_mut(message.window) else {
                continue;
            };
            window.ops += message.ops;
            window.errors += message.errors;
            match &mut window.latencies {
                None => window.latencies = Some(message.latencies),
                Some(latencies) => {
                    if let Err(e) = latencies.add(&message.latencies) {
                        failure.get_or_insert_with(|| format!("cannot merge latencies: {e}"));
                    }
                }
            }
            last_completion = last_completion.max(Some(message.last_completion));
        }

        let mut failed = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(Ok(())) => {}
                Ok(Err(message)) => failed.push(message),
                Err(payload) => {
                    failed.push(format!("a worker panicked: {}", panic_text(&*payload)))
                }
            }
        }
        if let Some(first) = failed.first() {
            let more = match failed.len() - 1 {
                0 => String::new(),
                1 => "; 1 more worker failed".to_string(),
                k => format!("; {k} more workers failed"),
            };
            return Err(format!("{first}{more}"));
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        let Some(plan) = plan else {
            return Err("the level was not started".to_string());
        };

        let measured = if options.is_smoke() {
            last_completion.map_or(Duration::ZERO, |last| {
                last.saturating_duration_since(plan.start)
            })
        } else {
            options.duration
        };
        let level = Level {
            window_secs: measured.max(Duration::from_nanos(1)).as_secs_f64() / windows as f64,
            measured,
            windows: merged,
            max_concurrency: shared.max_in_flight.0.load(Ordering::Relaxed),
        };
        if level.ops() == 0 {
            return Err(format!(
                "no operation completed within the measured {:?}: the operation is slower than \
                 the measurement (raise SweepOptions::duration)",
                options.duration
            ));
        }
        Ok(level)
    })
}

const PERCENTILES: [(Measure, &str, f64); 5] = [
    (Measure::LatencyP50, "latency_p50_ns", 0.5),
    (Measure::LatencyP90, "latency_p90_ns", 0.9),
    (Measure::LatencyP95, "latency_p95_ns", 0.95),
    (Measure::LatencyP99, "latency_p99_ns", 0.99),
    (Measure::LatencyP999, "latency_p999_ns", 0.999),
];

/// The level's benchmark: metrics and labels when it ran, the reason when it did not.
fn benchmark(
    name: &str,
    n: usize,
    result: Result<Level, String>,
    reference: Option<(usize, f64)>,
    options: &SweepOptions,
) -> Benchmark {
    let mode = if options.is_smoke() { "smoke" } else { "timed" };
    let mut labels = BTreeMap::from([
        ("mode".to_string(), mode.to_string()),
        ("threads".to_string(), n.to_string()),
    ]);
    let (status, metrics) = match result {
        Err(message) => (Status::Failed { message }, Vec::new()),
        Ok(level) => {
            let metrics = metrics(&level, n, reference);
            labels.extend(level_labels(&level, options));
            if let Some((reference, _)) = reference {
                labels.insert("scaling_reference".to_string(), reference.to_string());
            }
            (Status::Ok, metrics)
        }
    };
    Benchmark {
        mode: None,
        name: format!("{name}/concurrency={n}"),
        params: BTreeMap::from([("concurrency".to_string(), n.to_string())]),
        labels,
        command: None,
        status,
        metrics,
        series: Vec::new(),
    }
}

fn metrics(level: &Level, n: usize, reference: Option<(usize, f64)>) -> Vec<Metric> {
    let throughputs = level.throughputs();
    let recorded: Vec<(&Window, &Histogram<u64>)> = level
        .windows
        .iter()
        .filter(|w| w.ops > 0)
        .filter_map(|w| Some((w, w.latencies.as_ref()?)))
        .collect();

    let mut metrics = Vec::new();
    metrics.extend(Metric::from_samples(
        Measure::Throughput,
        Unit::PerSecond,
        Direction::HigherIsBetter,
        throughputs.clone(),
    ));
    for (measure, _, quantile) in PERCENTILES {
        let samples = recorded
            .iter()
            .map(|(_, h)| h.value_at_quantile(quantile) as f64)
            .collect();
        metrics.extend(Metric::from_samples(
            measure,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            samples,
        ));
    }
    let error_rates = recorded
        .iter()
        .map(|(w, _)| w.errors as f64 / w.ops as f64)
        .collect();
    metrics.extend(Metric::from_samples(
        Measure::ErrorRate,
        Unit::Ratio,
        Direction::LowerIsBetter,
        error_rates,
    ));
    metrics.extend(
        Metric::from_samples(
            Measure::Custom("max_concurrency".to_string()),
            Unit::Count,
            Direction::HigherIsBetter,
            vec![level.max_concurrency as f64],
        )
        .map(|m| m.exact(true)),
    );
    if let Some((reference, reference_throughput)) = reference {
        let ideal = n as f64 / reference as f64 * reference_throughput;
        metrics.extend(Metric::from_samples(
            Measure::Custom("scaling_efficiency".to_string()),
            Unit::Ratio,
            Direction::HigherIsBetter,
            throughputs.iter().map(|t| t / ideal).collect(),
        ));
    }
    metrics
}

fn level_labels(level: &Level, options: &SweepOptions) -> Vec<(String, String)> {
    let errors: u64 = level.windows.iter().map(|w| w.errors).sum();
    let mut labels = vec![
        ("ops".to_string(), level.ops().to_string()),
        ("errors".to_string(), errors.to_string()),
        (
            "duration_ns".to_string(),
            level.measured.as_nanos().to_string(),
        ),
        (
            "warmup_ns".to_string(),
            options.warmup.as_nanos().to_string(),
        ),
        ("windows".to_string(), level.windows.len().to_string()),
    ];
    let mut all: Option<Histogram<u64>> = None;
    for latencies in level.windows.iter().filter_map(|w| w.latencies.as_ref()) {
        match &mut all {
            None => all = Some(latencies.clone()),
            // Both auto-resize, so adding cannot run out of range; a failure only loses labels.
            Some(all) => {
                let _ = all.add(latencies);
            }
        }
    }
    if let Some(all) = all.filter(|h| !h.is_empty()) {
        labels.push(("latency_min_ns".to_string(), all.min().to_string()));
        labels.push(("latency_mean_ns".to_string(), format!("{:.0}", all.mean())));
        for (_, label, quantile) in PERCENTILES {
            labels.push((
                label.to_string(),
                all.value_at_quantile(quantile).to_string(),
            ));
        }
        labels.push(("latency_max_ns".to_string(), all.max().to_string()));
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_index_splits_the_duration_evenly() {
        let d = Duration::from_millis(100);
        assert_eq!(window_index(Duration::ZERO, d, 4), 0);
        assert_eq!(window_index(Duration::from_millis(24), d, 4), 0);
        assert_eq!(window_index(Duration::from_millis(25), d, 4), 1);
        assert_eq!(window_index(Duration::from_millis(99), d, 4), 3);
        assert_eq!(window_index(Duration::from_millis(500), d, 4), 3);
        assert_eq!(window_index(Duration::from_millis(7), Duration::ZERO, 1), 0);
    }

    #[test]
    fn zero_latency_is_recorded_as_one_nanosecond() {
        let mut h = new_histogram().unwrap();
        record(&mut h, Duration::ZERO);
        record(&mut h, Duration::from_secs(3600));
        assert_eq!(h.len(), 2);
        assert_eq!(h.min(), 1);
        assert!(h.max() >= 3_600_000_000_000);
    }

    #[test]
    fn outcomes() {
        assert!(!().is_error());
        assert!(!true.is_error());
        assert!(false.is_error());
        assert!(!Ok::<u8, ()>(1).is_error());
        assert!(Err::<(), _>("no").is_error());
    }
}
