//! The timing loop. A sample runs the routine a fixed number of iterations between two reads of
//! the clock and records the time per iteration; the number of iterations is calibrated in
//! warm-up so a sample takes `measurement / sample_count` (and never less than 1 000 ticks of the
//! timer), which puts the clock's resolution and the cost of reading it far below the sample.
//! Every sample has the same number of iterations (flat sampling): each is an independent
//! estimate of the time per iteration, and their median and its interval are the summary (§2).
//!
//! The reported time per iteration includes the loop's own cost (about one cycle per iteration,
//! as criterion reports it; divan subtracts a calibrated loop cost instead).
//!
//! Allocation counts (when [`crate::CountingAllocator`] is installed) and custom counters are
//! read around exactly the timed part of a sample, so setup in [`Bencher::iter_batched`] is
//! outside both the time and the counts.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use benchgate_model::{Metric, Mode};

use crate::alloc::{self, AllocCounts};
use crate::counters;

/// How a benchmark is sampled (the suite's [`crate::Config`] resolved for one benchmark).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub warm_up: Duration,
    pub measurement: Duration,
    pub sample_count: usize,
    /// Run the routine once and measure nothing (`cargo test` of a bench target).
    pub smoke: bool,
    /// The clock's smallest observable step.
    pub granularity: Duration,
    /// Whether the counting allocator is the global allocator.
    pub count_allocations: bool,
}

/// How many inputs [`Bencher::iter_batched`] prepares at once before timing the routine on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchSize {
    /// Inputs that are cheap to hold: a tenth of a sample's iterations per batch.
    SmallInput,
    /// Inputs too large to hold many of: a thousandth of a sample's iterations per batch.
    LargeInput,
    /// One input per timed call (clock read around every iteration: use for slow routines).
    PerIteration,
    /// This many batches per sample.
    NumBatches(u64),
    /// This many iterations per batch.
    NumIterations(u64),
}

impl BatchSize {
    fn per_batch(self, iters: u64) -> u64 {
        let n = match self {
            BatchSize::SmallInput => iters.div_ceil(10),
            BatchSize::LargeInput => iters.div_ceil(1000),
            BatchSize::PerIteration => 1,
            BatchSize::NumBatches(b) => iters.div_ceil(b.max(1)),
            BatchSize::NumIterations(n) => n,
        };
        n.clamp(1, iters.max(1))
    }
}

/// What the timed part of one sample did.
#[derive(Debug, Default)]
struct SampleTally {
    elapsed: Duration,
    allocs: AllocCounts,
    peak_live: i64,
    counters: Vec<(String, u64)>,
}

/// Brackets the timed part of a sample (possibly several chunks of it).
struct Probe<'t> {
    tally: &'t mut SampleTally,
    count_allocations: bool,
    start_allocs: AllocCounts,
    start_live: i64,
    start: Instant,
}

impl<'t> Probe<'t> {
    #[inline(always)]
    fn start(tally: &'t mut SampleTally, count_allocations: bool) -> Probe<'t> {
        counters::reset();
        let (start_allocs, start_live) = if count_allocations {
            alloc::reset_thread_peak();
            (AllocCounts::current(), alloc::thread_live_bytes())
        } else {
            (AllocCounts::default(), 0)
        };
        Probe {
            tally,
            count_allocations,
            start_allocs,
            start_live,
            start: Instant::now(),
        }
    }

    #[inline(always)]
    fn stop(self) {
        let elapsed = self.start.elapsed();
        let tally = self.tally;
        tally.elapsed += elapsed;
        if self.count_allocations {
            let d = AllocCounts::current().since(&self.start_allocs);
            let a = &mut tally.allocs;
            a.allocs += d.allocs;
            a.deallocs += d.deallocs;
            a.reallocs += d.reallocs;
            a.bytes_allocated += d.bytes_allocated;
            a.bytes_freed += d.bytes_freed;
            tally.peak_live = tally
                .peak_live
                .max(alloc::thread_peak_live_bytes() - self.start_live);
        }
        // After the allocation counts: a counter's first appearance allocates its name here.
        accumulate_counters(&mut tally.counters);
    }
}

/// Adds this thread's counters to a sample's. A counter seen only outside the timed part (in
/// warm-up, or in setup) is reported too, as zero per operation: a cache whose misses all
/// happened in warm-up has 0 backend calls per operation, which is the finding.
fn accumulate_counters(into: &mut Vec<(String, u64)>) {
    counters::with(|name, n| match into.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v += n,
        None => into.push((name.to_owned(), n)),
    });
}

/// Raw results of one benchmark: per sample, the iterations and what they cost.
#[derive(Debug, Default)]
pub(crate) struct Measured {
    pub iterations: Vec<u64>,
    pub ns_per_iter: Vec<f64>,
    /// Per-sample totals (not per iteration); `None` without the counting allocator.
    pub allocs: Option<Vec<AllocCounts>>,
    pub peak_live: Option<Vec<i64>>,
    pub counters: BTreeMap<String, Vec<u64>>,
    pub bytes_per_iter: Option<u64>,
    pub elements_per_iter: Option<u64>,
    /// Operations per iteration ([`Bencher::operations`]); `iterations` and `ns_per_iter` are
    /// already per operation when this is above 1.
    pub operations_per_iter: u64,
    /// Warm-up: iterations run and their timed duration.
    pub warm_up: (u64, Duration),
    /// The samples planned, when the time budget stopped sampling before them.
    pub cut_short: Option<usize>,
}

/// Passed to a benchmark's closure; call exactly one of the `iter` methods on it.
pub struct Bencher {
    settings: Settings,
    measured: RefCell<Option<Measured>>,
    calls: Cell<u32>,
    bytes: Cell<Option<u64>>,
    elements: Cell<Option<u64>>,
    operations: Cell<u64>,
    mode: Cell<Option<Mode>>,
    reported: RefCell<Vec<Metric>>,
}

impl Bencher {
    pub(crate) fn new(settings: Settings) -> Bencher {
        Bencher {
            settings,
            measured: RefCell::new(None),
            calls: Cell::new(0),
            bytes: Cell::new(None),
            elements: Cell::new(None),
            operations: Cell::new(1),
            mode: Cell::new(None),
            reported: RefCell::new(Vec::new()),
        }
    }

    /// Times `routine`, its output dropped inside the timed loop.
    pub fn iter<O>(&self, mut routine: impl FnMut() -> O) {
        let count_allocations = self.settings.count_allocations;
        self.measure(|iters, tally| {
            let probe = Probe::start(tally, count_allocations);
            for _ in 0..iters {
                black_box(routine());
            }
            probe.stop();
        });
    }

    /// Times `routine` on inputs made by `setup`, which is neither timed nor counted; outputs are
    /// dropped outside the timed part. `size` says how many inputs are made at once.
    pub fn iter_batched<I, O>(
        &self,
        setup: impl FnMut() -> I,
        mut routine: impl FnMut(I) -> O,
        size: BatchSize,
    ) {
        self.batched(setup, size, |inputs, outputs| {
            for input in inputs.drain(..) {
                outputs.push(black_box(routine(black_box(input))));
            }
        });
    }

    /// Like [`Bencher::iter_batched`], with the routine borrowing its input (the input is dropped
    /// outside the timed part too).
    pub fn iter_batched_ref<I, O>(
        &self,
        setup: impl FnMut() -> I,
        mut routine: impl FnMut(&mut I) -> O,
        size: BatchSize,
    ) {
        self.batched(setup, size, |inputs, outputs| {
            for input in inputs.iter_mut() {
                outputs.push(black_box(routine(black_box(input))));
            }
        });
    }

    /// Batches of `setup`'s inputs, each handed to `timed` (with room for its outputs reserved
    /// beforehand, so pushing them does not allocate) between the probe's start and stop.
    fn batched<I, O>(
        &self,
        mut setup: impl FnMut() -> I,
        size: BatchSize,
        mut timed: impl FnMut(&mut Vec<I>, &mut Vec<O>),
    ) {
        let count_allocations = self.settings.count_allocations;
        self.measure(|iters, tally| {
            let per_batch = size.per_batch(iters);
            let mut done = 0;
            while done < iters {
                let n = per_batch.min(iters - done);
                let mut inputs: Vec<I> = (0..n).map(|_| setup()).collect();
                let mut outputs: Vec<O> = Vec::with_capacity(n as usize);
                let probe = Probe::start(tally, count_allocations);
                timed(&mut inputs, &mut outputs);
                probe.stop();
                drop(outputs);
                drop(inputs);
                done += n;
            }
        });
    }

    /// Per-iteration setup outside the timing: [`Bencher::iter_batched`] with one input per call.
    pub fn iter_with_setup<I, O>(&self, setup: impl FnMut() -> I, routine: impl FnMut(I) -> O) {
        self.iter_batched(setup, routine, BatchSize::PerIteration);
    }

    /// The routine times itself: it runs `iters` iterations and returns how long they took (for
    /// work spread over threads, or timed by another clock). Allocations are not counted.
    pub fn iter_custom(&self, mut routine: impl FnMut(u64) -> Duration) {
        self.measure(|iters, tally| {
            counters::reset();
            tally.elapsed += routine(iters);
            accumulate_counters(&mut tally.counters);
        });
        if let Some(m) = self.measured.borrow_mut().as_mut() {
            m.allocs = None;
            m.peak_live = None;
        }
    }

    /// Adds `n` to the custom counter `name` (reported per iteration); the same as
    /// [`crate::count`].
    pub fn count(&self, name: &str, n: u64) {
        counters::count(name, n);
    }

    /// Each iteration processes `n` bytes: adds `bytes_per_second`.
    pub fn bytes(&self, n: u64) {
        self.bytes.set(Some(n));
    }

    /// Each iteration processes `n` elements: adds `throughput` (elements per second).
    pub fn elements(&self, n: u64) {
        self.elements.set(Some(n));
    }

    /// Each iteration is `n` operations (a batch, or a seeded workload replayed whole): time,
    /// allocations and counters are reported per operation, and each sample's `iterations`
    /// counts operations. `bytes` and `elements` stay per iteration. 0 is taken as 1.
    pub fn operations(&self, n: u64) {
        self.operations.set(n.max(1));
    }

    /// The benchmark runs against a stand-in (a simulated backend, a mock): `mode = simulated`
    /// (SPEC §4.7), shown in the table and carried into the run, where every report labels it.
    pub fn mode(&self, mode: Mode) {
        self.mode.set(Some(mode));
    }

    /// A figure the benchmark worked out itself (a simulator's calls per operation, its maximum
    /// concurrency, a time to give up), kept as given beside what the harness measures. Mark it
    /// `exact` when it is deterministic (a seeded replay): any change is then real. A name the
    /// harness measures itself (`wall_time`, `allocs`, a counter), or given twice, fails the
    /// benchmark.
    pub fn metric(&self, metric: Metric) {
        self.reported.borrow_mut().push(metric);
    }

    pub(crate) fn mode_set(&self) -> Option<Mode> {
        self.mode.get()
    }

    pub(crate) fn take_reported(&self) -> Vec<Metric> {
        std::mem::take(&mut *self.reported.borrow_mut())
    }

    /// How many `iter*` calls were made (the suite reports anything but one as an error).
    pub(crate) fn calls(&self) -> u32 {
        self.calls.get()
    }

    pub(crate) fn into_measured(self) -> Option<Measured> {
        let mut m = self.measured.into_inner()?;
        m.bytes_per_iter = self.bytes.get();
        m.elements_per_iter = self.elements.get();
        let operations = self.operations.get();
        m.operations_per_iter = operations;
        if operations > 1 {
            for (iters, ns) in m.iterations.iter_mut().zip(&mut m.ns_per_iter) {
                *iters = iters.saturating_mul(operations);
                *ns /= operations as f64;
            }
        }
        Some(m)
    }

    /// Warm-up, calibration and sampling around `sample(iters, tally)`, which must add the timed
    /// duration of `iters` iterations (and their counts) to the tally.
    fn measure(&self, mut sample: impl FnMut(u64, &mut SampleTally)) {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() > 1 {
            return;
        }
        let s = self.settings;
        let mut measured = Measured::default();
        counters::clear();
        if s.smoke {
            let mut tally = SampleTally::default();
            sample(1, &mut tally);
            self.record(&mut measured, 1, tally);
            *self.measured.borrow_mut() = Some(measured);
            return;
        }

        // Warm-up: doubling batches until the warm-up time is spent (at least one iteration),
        // which also estimates the time per iteration. A batch never takes more than the time
        // left (by the wall time per iteration so far, setup included), so the warm-up ends on
        // time instead of overrunning by up to its own length.
        let started = Instant::now();
        let (mut warm_iters, mut warm_time) = (0u64, Duration::ZERO);
        let mut batch = 1u64;
        loop {
            let mut tally = SampleTally::default();
            sample(batch, &mut tally);
            warm_iters += batch;
            warm_time += tally.elapsed;
            let elapsed = started.elapsed();
            if elapsed >= s.warm_up {
                break;
            }
            batch = next_warm_up_batch(batch, warm_iters, elapsed, s.warm_up);
        }
        measured.warm_up = (warm_iters, warm_time);
        // Sized by the wall time per iteration (setup and the clock reads around batches
        // included), so `measurement` is what sampling costs even when setup dominates.
        let timed_per_iter = warm_time.as_nanos() as f64 / warm_iters as f64;
        let wall_per_iter = started.elapsed().as_nanos() as f64 / warm_iters as f64;
        let per_iter_ns = timed_per_iter.max(wall_per_iter).max(0.01);

        // Calibration: a sample takes measurement / sample_count, and at least 1 000 timer ticks.
        let target_ns = (s.measurement.as_nanos() as f64 / s.sample_count as f64)
            .max(1000.0 * s.granularity.as_nanos() as f64);
        let iters = (target_ns / per_iter_ns).ceil().clamp(1.0, 1e15) as u64;
        // A routine slower than a sample's share: fewer samples (at least 10), one iteration each.
        let samples = if iters == 1 {
            let fit = (s.measurement.as_nanos() as f64 / per_iter_ns) as usize;
            fit.clamp(10.min(s.sample_count), s.sample_count)
        } else {
            s.sample_count
        };
        // The iterations were sized by the warm-up's estimate: a machine that slows down later,
        // or a setup far dearer than the routine, would stretch the measurement without bound.
        // Past 1.5 × its time, sampling stops once it has 10 samples (and says so).
        let measuring = Instant::now();
        let budget = s.measurement.mul_f64(1.5);
        let floor = 10.min(samples);
        for done in 1..=samples {
            let mut tally = SampleTally::default();
            sample(iters, &mut tally);
            self.record(&mut measured, iters, tally);
            if done >= floor && done < samples && measuring.elapsed() > budget {
                measured.cut_short = Some(samples);
                break;
            }
        }
        *self.measured.borrow_mut() = Some(measured);
    }

    fn record(&self, m: &mut Measured, iters: u64, tally: SampleTally) {
        m.iterations.push(iters);
        m.ns_per_iter
            .push(tally.elapsed.as_nanos() as f64 / iters as f64);
        if self.settings.count_allocations {
            m.allocs.get_or_insert_with(Vec::new).push(tally.allocs);
            m.peak_live
                .get_or_insert_with(Vec::new)
                .push(tally.peak_live);
        }
        let sample_index = m.iterations.len() - 1;
        for (name, n) in tally.counters {
            let v = m.counters.entry(name).or_default();
            // A counter first seen in a later sample was zero before it.
            v.resize(sample_index, 0);
            v.push(n);
        }
        for v in m.counters.values_mut() {
            v.resize(sample_index + 1, 0);
        }
    }
}

/// The smallest step of `Instant` observed in a short probe (1 ns floor).
pub(crate) fn timer_granularity() -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..200 {
        let a = Instant::now();
        let mut b = Instant::now();
        let mut spins = 0;
        while b == a && spins < 1_000_000 {
            b = Instant::now();
            spins += 1;
        }
        let d = b.saturating_duration_since(a);
        if !d.is_zero() {
            best = best.min(d);
        }
    }
    if best == Duration::MAX {
        Duration::from_nanos(1)
    } else {
        best.max(Duration::from_nanos(1))
    }
}

/// The warm-up's next batch: double the last, but no more iterations than fit in the time left
/// at the wall time per iteration so far (`warm_iters` took `elapsed`), and at least one.
fn next_warm_up_batch(batch: u64, warm_iters: u64, elapsed: Duration, warm_up: Duration) -> u64 {
    let wall_per_iter = elapsed.as_nanos() as f64 / warm_iters.max(1) as f64;
    let left = warm_up.saturating_sub(elapsed);
    let fits = (left.as_nanos() as f64 / wall_per_iter.max(0.01)) as u64;
    batch.saturating_mul(2).min(fits.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(smoke: bool) -> Settings {
        Settings {
            warm_up: Duration::from_millis(5),
            measurement: Duration::from_millis(20),
            sample_count: 10,
            smoke,
            granularity: Duration::from_nanos(40),
            count_allocations: false,
        }
    }

    #[test]
    fn batch_sizes() {
        assert_eq!(BatchSize::SmallInput.per_batch(1000), 100);
        assert_eq!(BatchSize::LargeInput.per_batch(1000), 1);
        assert_eq!(BatchSize::LargeInput.per_batch(5000), 5);
        assert_eq!(BatchSize::PerIteration.per_batch(1000), 1);
        assert_eq!(BatchSize::NumBatches(4).per_batch(10), 3);
        assert_eq!(BatchSize::NumIterations(50).per_batch(10), 10);
        assert_eq!(BatchSize::NumIterations(0).per_batch(10), 1);
    }

    #[test]
    fn samples_are_flat_and_counters_per_sample() {
        let b = Bencher::new(settings(false));
        b.iter(|| {
            counters::count("calls", 2);
            black_box(3u64.pow(black_box(7)))
        });
        let m = b.into_measured().unwrap();
        assert_eq!(m.iterations.len(), 10);
        assert!(m.iterations.iter().all(|&i| i == m.iterations[0] && i > 1));
        let calls = &m.counters["calls"];
        assert_eq!(calls.len(), 10);
        assert!(calls.iter().zip(&m.iterations).all(|(c, i)| *c == 2 * i));
    }

    #[test]
    fn batched_setup_runs_once_per_iteration_and_is_not_counted() {
        let setups = Cell::new(0u64);
        let b = Bencher::new(settings(false));
        b.iter_batched(
            || {
                setups.set(setups.get() + 1);
                counters::count("setup", 1);
                vec![1u8; 64]
            },
            |v| {
                counters::count("routine", 1);
                v.len()
            },
            BatchSize::SmallInput,
        );
        let m = b.into_measured().unwrap();
        let measured: u64 = m.iterations.iter().sum();
        assert_eq!(setups.get(), measured + m.warm_up.0);
        assert_eq!(m.counters["routine"], m.iterations);
        assert!(m.counters["setup"].iter().all(|&n| n == 0));
    }

    #[test]
    fn slow_routines_get_fewer_single_iteration_samples() {
        let mut s = settings(false);
        s.measurement = Duration::from_millis(30);
        s.sample_count = 100;
        let b = Bencher::new(s);
        b.iter(|| std::thread::sleep(Duration::from_millis(2)));
        let m = b.into_measured().unwrap();
        assert!(m.iterations.iter().all(|&i| i == 1));
        assert!(
            (10..=15).contains(&m.iterations.len()),
            "{}",
            m.iterations.len()
        );
    }

    #[test]
    fn warm_up_lasts_at_least_its_time() {
        let mut s = settings(false);
        s.warm_up = Duration::from_millis(40);
        s.measurement = Duration::from_millis(1);
        let b = Bencher::new(s);
        let started = Instant::now();
        b.iter(|| black_box(1u64).wrapping_mul(black_box(3)));
        let m = b.into_measured().unwrap();
        assert!(m.warm_up.0 > 1, "{:?}", m.warm_up);
        assert!(started.elapsed() >= Duration::from_millis(40));
    }

    /// The doubling batches alone would end anywhere up to twice the warm-up time; each is capped
    /// to what fits in the time left. Exact figures, no clock: a busy machine cannot move them.
    #[test]
    fn warm_up_batches_double_but_fit_the_time_left() {
        let ms = Duration::from_millis;
        // 1 000 iterations took 10 ms (10 µs each), 30 ms left: 3 000 fit, doubling gives 1 024.
        assert_eq!(next_warm_up_batch(512, 1_000, ms(10), ms(40)), 1_024);
        // 30 000 took 30 ms, 10 ms left: 10 000 fit, not the doubled 32 768.
        assert_eq!(next_warm_up_batch(16_384, 30_000, ms(30), ms(40)), 10_000);
        // Almost out of time (or past it): still at least one iteration.
        assert_eq!(next_warm_up_batch(4, 7, ms(39), ms(40)), 1);
        assert_eq!(next_warm_up_batch(4, 7, ms(41), ms(40)), 1);
    }

    #[test]
    fn a_dear_setup_cannot_stretch_the_measurement_past_its_budget() {
        let mut s = settings(false);
        s.measurement = Duration::from_millis(20);
        s.sample_count = 50;
        let b = Bencher::new(s);
        // The routine is nearly free, the setup 1 ms: sized by the routine, 50 samples of
        // setups would take far longer than the 20 ms budget.
        b.iter_batched(
            || std::thread::sleep(Duration::from_millis(1)),
            |()| black_box(1),
            BatchSize::PerIteration,
        );
        let m = b.into_measured().unwrap();
        // Sized by the wall time per iteration (≥ 1 ms): one iteration a sample and at most the
        // 20 that fit in 20 ms, not 50 samples of thousands of setups each.
        assert!(m.iterations.iter().all(|&i| i == 1), "{:?}", m.iterations);
        assert!(
            (10..=20).contains(&m.iterations.len()),
            "{}",
            m.iterations.len()
        );
    }

    #[test]
    fn sampling_stops_past_one_and_a_half_times_its_budget() {
        let mut s = settings(false);
        s.warm_up = Duration::from_millis(1);
        s.measurement = Duration::from_millis(20);
        s.sample_count = 40;
        let b = Bencher::new(s);
        // Fast in the 1 ms warm-up, then 100 µs a call: sized for 40 samples of 0.5 ms at the
        // fast rate, each sample takes far longer, so the budget stops sampling at the floor of 10.
        let started = Instant::now();
        b.iter(|| {
            if started.elapsed() > Duration::from_millis(5) {
                std::thread::sleep(Duration::from_micros(100));
            }
        });
        let m = b.into_measured().unwrap();
        assert!(m.iterations.len() < 40, "{}", m.iterations.len());
        assert!(m.iterations.len() >= 10);
        assert_eq!(m.cut_short, Some(40));
    }

    #[test]
    fn smoke_runs_once_and_a_second_iter_call_is_refused() {
        let runs = Cell::new(0);
        let b = Bencher::new(settings(true));
        b.iter(|| runs.set(runs.get() + 1));
        b.iter(|| runs.set(runs.get() + 100));
        assert_eq!(runs.get(), 1);
        assert_eq!(b.calls(), 2);
        assert_eq!(b.into_measured().unwrap().iterations, [1]);
    }

    #[test]
    fn granularity_is_positive_and_small() {
        let g = timer_granularity();
        assert!(
            g >= Duration::from_nanos(1) && g < Duration::from_millis(1),
            "{g:?}"
        );
    }
}
