//! Memory over time of a process tree (SPEC §4.4): [`MemorySampler`] reads, every
//! [`MemoryOptions::every`] on a background thread, the RSS (`VmRSS` of `/proc/PID/status`) and,
//! where `/proc/PID/smaps_rollup` exists, the PSS of a root process and all its descendants, and
//! sums them; [`tree_memory`] takes one such reading.
//!
//! - Descendants are found through `/proc/PID/task/*/children` where the kernel has it
//!   (`CONFIG_PROC_CHILDREN`), else by the parent pids of every process in `/proc`.
//! - A process that exits between being found and being read is skipped; so are zombies (they
//!   hold no memory). Nothing here panics on what `/proc` shows.
//! - Sampling ends when [`MemorySampler::stop`] is called or when the root has exited (or is a
//!   zombie waiting to be reaped).
//! - The series is bounded: at [`MemoryOptions::max_points`] readings every other one is dropped
//!   and the interval doubles, so a long run keeps an even series over its whole length in
//!   constant memory. The peaks are kept apart, so downsampling never loses them.
//!
//! The growth and the leak verdict are pure math on the series: `benchgate_stats::memory_growth`
//! and `benchgate_stats::leak_verdict` (see [`MemorySeries::rss_points`]).

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use benchgate_stats::MemoryPoint;

use crate::MeasureError;
use crate::leftovers;

/// How a [`MemorySampler`] samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryOptions {
    /// Time between readings (default 50 ms); at least 1 ms.
    pub every: Duration,
    /// The most readings kept (default 4 096); at least 2. See the [module docs](self).
    pub max_points: usize,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            every: Duration::from_millis(50),
            max_points: 4096,
        }
    }
}

impl MemoryOptions {
    /// Refuses an interval under 1 ms and fewer than 2 points.
    pub fn validate(&self) -> Result<(), MeasureError> {
        if self.every < Duration::from_millis(1) {
            return Err(MeasureError::InvalidOptions(format!(
                "memory sampling interval must be at least 1ms (got {:?})",
                self.every
            )));
        }
        if self.max_points < 2 {
            return Err(MeasureError::InvalidOptions(format!(
                "memory sampling must keep at least 2 points (got {})",
                self.max_points
            )));
        }
        Ok(())
    }
}

/// One reading of a process tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeMemory {
    /// Sum of the resident set sizes, in bytes.
    pub rss_bytes: u64,
    /// Sum of the proportional set sizes, in bytes; `None` unless every process counted in
    /// `rss_bytes` had a readable `smaps_rollup`.
    pub pss_bytes: Option<u64>,
    /// Processes counted (live, non-zombie, read successfully).
    pub processes: usize,
}

/// A [`TreeMemory`] at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySample {
    /// Since sampling started.
    pub at: Duration,
    pub memory: TreeMemory,
}

/// Why sampling ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingEnd {
    /// [`MemorySampler::stop`] was called while the root was alive.
    Stopped,
    /// The root process exited (or was already gone when sampling started).
    RootExited,
}

/// What a [`MemorySampler`] collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySeries {
    /// The readings, in time order, at most [`MemoryOptions::max_points`].
    pub samples: Vec<MemorySample>,
    /// The interval between kept readings: [`MemoryOptions::every`], doubled at each downsampling.
    pub every: Duration,
    /// The highest RSS read, whether or not its reading was kept.
    pub peak_rss_bytes: u64,
    /// The highest PSS read, if any reading had one.
    pub peak_pss_bytes: Option<u64>,
    /// Readings taken in all (kept or not).
    pub readings: u64,
    pub end: SamplingEnd,
    /// Every how many readings one is kept.
    stride: u64,
}

impl MemorySeries {
    fn new(every: Duration) -> Self {
        MemorySeries {
            samples: Vec::new(),
            every,
            peak_rss_bytes: 0,
            peak_pss_bytes: None,
            readings: 0,
            end: SamplingEnd::Stopped,
            stride: 1,
        }
    }

    /// No readings: a run whose process was gone before sampling could start.
    pub fn empty(options: MemoryOptions) -> Self {
        MemorySeries {
            end: SamplingEnd::RootExited,
            ..MemorySeries::new(options.every)
        }
    }

    /// Adds a reading, halving the kept ones first when `max_points` are kept. Kept are the
    /// readings whose number is a multiple of `stride` (1, then 2, 4, …), so the kept series
    /// stays evenly spaced.
    fn push(&mut self, sample: MemorySample, max_points: usize) {
        let number = self.readings;
        self.readings += 1;
        self.peak_rss_bytes = self.peak_rss_bytes.max(sample.memory.rss_bytes);
        if let Some(pss) = sample.memory.pss_bytes {
            self.peak_pss_bytes = Some(self.peak_pss_bytes.map_or(pss, |p| p.max(pss)));
        }
        if !number.is_multiple_of(self.stride) {
            return;
        }
        if self.samples.len() >= max_points {
            let mut index = 0;
            self.samples.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.stride = self.stride.saturating_mul(2);
            self.every = self.every.saturating_mul(2);
            if !number.is_multiple_of(self.stride) {
                return;
            }
        }
        self.samples.push(sample);
    }

    /// The RSS series as points for `benchgate_stats::memory_growth` (seconds, bytes, no
    /// operation counts).
    pub fn rss_points(&self) -> Vec<MemoryPoint> {
        self.samples
            .iter()
            .map(|s| MemoryPoint::new(s.at.as_secs_f64(), s.memory.rss_bytes as f64))
            .collect()
    }
}

/// Samples a process tree on a background thread until [`stop`](Self::stop)ped or the root exits.
#[derive(Debug)]
pub struct MemorySampler {
    stop: Sender<()>,
    thread: JoinHandle<MemorySeries>,
}

impl MemorySampler {
    /// Starts sampling the tree of `root` now (the first reading is taken at once).
    pub fn start(root: u32, options: MemoryOptions) -> Result<Self, MeasureError> {
        options.validate()?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("memory-{root}"))
            .spawn(move || {
                let started = Instant::now();
                let mut series = MemorySeries::new(options.every);
                let mut next = started;
                loop {
                    let Some(memory) = tree_memory(root) else {
                        series.end = SamplingEnd::RootExited;
                        return series;
                    };
                    let sample = MemorySample {
                        at: started.elapsed(),
                        memory,
                    };
                    series.push(sample, options.max_points);
                    // On a fixed grid, skipping readings that a slow machine made late.
                    let now = Instant::now();
                    while next <= now {
                        match next.checked_add(options.every) {
                            Some(later) => next = later,
                            None => {
                                // An interval past the clock's range: no more readings.
                                let _ = stopped.recv();
                                return series;
                            }
                        }
                    }
                    match stopped.recv_timeout(next - now) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return series,
                    }
                }
            })
            .map_err(|e| MeasureError::io("cannot start the memory sampling thread", e))?;
        Ok(MemorySampler { stop, thread })
    }

    /// Stops sampling and returns the series. (Dropping the sampler instead stops its thread too,
    /// at its next wake-up, and discards the series.)
    pub fn stop(self) -> MemorySeries {
        // The thread may have ended already (root exited): then nobody receives, which is fine.
        let _ = self.stop.send(());
        match self.thread.join() {
            Ok(series) => series,
            // The sampling thread does not panic on anything /proc shows; if it did, carry it on.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Whether sampling has ended by itself (the root exited).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}

/// One reading of the tree of `root`: `None` when the root is gone or a zombie.
pub fn tree_memory(root: u32) -> Option<TreeMemory> {
    let root = libc::pid_t::try_from(root).ok()?;
    let root_rss = rss_bytes(root)?;
    let mut total = TreeMemory {
        rss_bytes: root_rss,
        pss_bytes: pss_bytes(root),
        processes: 1,
    };
    for pid in descendants(root) {
        let Some(rss) = rss_bytes(pid) else {
            continue; // exited since it was found, or a zombie
        };
        total.rss_bytes = total.rss_bytes.saturating_add(rss);
        total.pss_bytes = total
            .pss_bytes
            .zip(pss_bytes(pid))
            .map(|(a, b)| a.saturating_add(b));
        total.processes += 1;
    }
    Some(total)
}

/// The descendants of `root` (not `root`), by the kernel's children lists where it has them.
fn descendants(root: libc::pid_t) -> Vec<libc::pid_t> {
    let Some(children) = children_of(root) else {
        let procs = leftovers::processes();
        return leftovers::trees(&procs, &[root])
            .into_iter()
            .filter(|&pid| pid != root)
            .collect();
    };
    let mut found = Vec::new();
    let mut next = children;
    while let Some(pid) = next.pop() {
        if found.contains(&pid) {
            continue; // a reused pid seen twice; never loop
        }
        found.push(pid);
        next.extend(children_of(pid).unwrap_or_default());
    }
    found
}

/// `pid`'s children from `/proc/PID/task/*/children`; `None` when the kernel has no such files
/// (or `pid` is gone).
fn children_of(pid: libc::pid_t) -> Option<Vec<libc::pid_t>> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).ok()?;
        found.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<libc::pid_t>().ok()),
        );
    }
    Some(found)
}

fn rss_bytes(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kilobytes_field(&status, "VmRSS:")
}

fn pss_bytes(pid: libc::pid_t) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    kilobytes_field(&rollup, "Pss:")
}

/// The value of a `Name:   1234 kB` line, in bytes. Zombies have no `VmRSS:` line.
fn kilobytes_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let mut words = line[name.len()..].split_whitespace();
    let kilobytes: u64 = words.next()?.parse().ok()?;
    (words.next()? == "kB").then(|| kilobytes.saturating_mul(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilobyte_fields() {
        let status =
            "Name:\tsleep\nVmPeak:\t    8000 kB\nVmRSS:\t    1704 kB\nRssAnon:\t  112 kB\n";
        assert_eq!(kilobytes_field(status, "VmRSS:"), Some(1704 * 1024));
        let rollup = "55-7f ---p 00000000 00:00 0  [rollup]\nRss:  1704 kB\nPss:  332 kB\nPss_Dirty: 112 kB\n";
        assert_eq!(kilobytes_field(rollup, "Pss:"), Some(332 * 1024));
        // A zombie's status has no VmRSS line; odd units or numbers are not read.
        assert_eq!(
            kilobytes_field("Name:\tx\nState:\tZ (zombie)\n", "VmRSS:"),
            None
        );
        assert_eq!(kilobytes_field("VmRSS:\t12 MB\n", "VmRSS:"), None);
        assert_eq!(kilobytes_field("VmRSS:\tlots kB\n", "VmRSS:"), None);
    }

    fn reading(ms: u64, rss: u64) -> MemorySample {
        MemorySample {
            at: Duration::from_millis(ms),
            memory: TreeMemory {
                rss_bytes: rss,
                pss_bytes: None,
                processes: 1,
            },
        }
    }

    #[test]
    fn the_series_halves_at_its_cap_and_keeps_the_peak() {
        let mut series = MemorySeries::new(Duration::from_millis(10));
        for i in 0..100u64 {
            // One spike, at a reading that downsampling drops.
            let rss = if i == 41 { 1_000_000 } else { 1000 + i };
            series.push(reading(i * 10, rss), 8);
            assert!(series.samples.len() <= 8, "{} kept", series.samples.len());
        }
        assert_eq!(series.readings, 100);
        assert_eq!(series.peak_rss_bytes, 1_000_000);
        assert_eq!(series.peak_pss_bytes, None);
        // 10 ms doubled until 8 readings span 100: 160 ms apart.
        assert_eq!(series.every, Duration::from_millis(160));
        let times: Vec<u64> = series
            .samples
            .iter()
            .map(|s| s.at.as_millis() as u64)
            .collect();
        assert_eq!(times, [0, 160, 320, 480, 640, 800, 960]);
        assert!(
            series
                .samples
                .iter()
                .all(|s| s.memory.rss_bytes < 1_000_000)
        );
    }

    #[test]
    fn rss_points_are_seconds_and_bytes() {
        let mut series = MemorySeries::new(Duration::from_millis(500));
        series.push(reading(0, 2048), 10);
        series.push(reading(500, 4096), 10);
        assert_eq!(
            series.rss_points(),
            [MemoryPoint::new(0.0, 2048.0), MemoryPoint::new(0.5, 4096.0)]
        );
    }

    #[test]
    fn bad_options_are_refused() {
        let options = MemoryOptions {
            every: Duration::ZERO,
            ..MemoryOptions::default()
        };
        let err = MemorySampler::start(std::process::id(), options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid options: memory sampling interval must be at least 1ms (got 0ns)"
        );
        let options = MemoryOptions {
            max_points: 1,
            ..MemoryOptions::default()
        };
        let err = MemorySampler::start(std::process::id(), options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid options: memory sampling must keep at least 2 points (got 1)"
        );
    }

    #[test]
    fn an_interval_past_the_clock_s_range_takes_one_reading() {
        let options = MemoryOptions {
            every: Duration::MAX,
            ..MemoryOptions::default()
        };
        let series = MemorySampler::start(std::process::id(), options)
            .unwrap()
            .stop();
        assert_eq!(series.end, SamplingEnd::Stopped);
        assert_eq!(series.samples.len(), 1);
    }

    #[test]
    fn this_process_is_read() {
        let me = tree_memory(std::process::id()).unwrap();
        assert!(me.rss_bytes > 0);
        assert!(me.processes >= 1);
    }
}
