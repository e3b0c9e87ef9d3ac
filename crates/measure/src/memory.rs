//! Memory over time of a process tree (SPEC §4.4): [`MemorySampler`] reads, every
//! [`MemoryOptions::every`] on a background thread, the RSS (`/proc/PID/statm`, the figure
//! `VmRSS` shows) and, where `/proc/PID/smaps_rollup` exists, the PSS (every 4th reading) of a
//! root process and all its descendants, and sums them; [`tree_memory`] takes one such reading.
//! [`MemorySampler::start_descendants_of_self`] samples this process's children instead.
//!
//! - Cost: 100 processes read every 50 ms take about 5 % of one core (`cargo run -p
//!   benchgate-measure --example memory_sampling_cost`); the `statm` files stay open between
//!   readings and the tree is searched again only when the root's children change, a descendant
//!   is gone, or every 4th reading.
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
//! fits the growth and `benchgate_gate::leak_check_points` judges it against a
//! `benchgate_model::LeakBudget` (see [`MemorySeries::rss_points`]).

use std::fs::File;
use std::os::unix::fs::FileExt;
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
    /// `rss_bytes` had a readable `smaps_rollup`. A sampler reads it at every 4th reading only
    /// (the first included; it costs 4 to 5 times the RSS), so the others have `None`.
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
    stop: Sender<Signal>,
    thread: JoinHandle<MemorySeries>,
}

impl MemorySampler {
    /// Starts sampling the tree of `root` now (the first reading is taken at once).
    pub fn start(root: u32, options: MemoryOptions) -> Result<Self, MeasureError> {
        let root = libc::pid_t::try_from(root).map_err(|_| {
            MeasureError::InvalidOptions(format!("no process can have the pid {root}"))
        })?;
        Self::spawn(Some(Target::Tree(root)), options)
    }

    /// A sampler whose thread is ready but waits for its root, given by [`Self::begin`]: the
    /// runner starts it before a run, so starting a thread is not part of the run's time.
    /// Stopped before it began, its series is empty.
    pub(crate) fn pending(options: MemoryOptions) -> Result<Self, MeasureError> {
        Self::spawn(None, options)
    }

    /// Starts a [`Self::pending`] sampler on the tree of `root` (the first reading at once).
    pub(crate) fn begin(&self, root: libc::pid_t) {
        // The thread only ends after a stop, or on its own once its root is gone.
        let _ = self.stop.send(Signal::Root(root));
    }

    /// Starts sampling every descendant of this process, but not this process itself nor the
    /// spawner ([`crate::start_spawner`]; its descendants count): the processes benchgate drives
    /// (the operations of a concurrent load level) as they come and go. Runs until stopped; a
    /// reading with no such process counts 0 bytes.
    pub fn start_descendants_of_self(options: MemoryOptions) -> Result<Self, MeasureError> {
        Self::spawn(Some(Target::DescendantsOfSelf), options)
    }

    /// `target`: `None` waits for a [`Signal::Root`] first.
    fn spawn(target: Option<Target>, options: MemoryOptions) -> Result<Self, MeasureError> {
        options.validate()?;
        let (stop, stopped) = mpsc::channel::<Signal>();
        let name = match target {
            Some(Target::Tree(root)) => format!("memory-{root}"),
            Some(Target::DescendantsOfSelf) => "memory-children".to_owned(),
            None => "memory-run".to_owned(),
        };
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                let target = match target {
                    Some(target) => target,
                    None => match stopped.recv() {
                        Ok(Signal::Root(root)) => Target::Tree(root),
                        Ok(Signal::Stop) | Err(_) => {
                            let mut series = MemorySeries::new(options.every);
                            series.end = SamplingEnd::RootExited;
                            return series;
                        }
                    },
                };
                let started = Instant::now();
                let mut series = MemorySeries::new(options.every);
                let mut next = started;
                let mut reader = TreeReader::new(target);
                loop {
                    let Some(memory) = reader.read() else {
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
                                while let Ok(Signal::Root(_)) = stopped.recv() {}
                                return series;
                            }
                        }
                    }
                    match stopped.recv_timeout(next - now) {
                        Err(RecvTimeoutError::Timeout) | Ok(Signal::Root(_)) => {}
                        Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return series,
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
        let _ = self.stop.send(Signal::Stop);
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

/// What a sampling thread is told.
enum Signal {
    /// The root of a pending sampler.
    Root(libc::pid_t),
    Stop,
}

/// What a [`MemorySampler`] reads.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A process and its descendants.
    Tree(libc::pid_t),
    /// This process's descendants (not itself, nor the spawner).
    DescendantsOfSelf,
}

/// Reads a target again and again. Finding the whole tree (a children list per process) costs
/// about as much as reading the memory of its processes, and a tree changes less often than its
/// memory: each reading reads only the root's children list, and looks for all descendants
/// again when that changed, when a descendant is gone, or after [`RESCAN_READINGS`] readings.
struct TreeReader {
    target: Target,
    /// The root's children at the last search, sorted (`None`: the kernel lists no children).
    children: Option<Vec<libc::pid_t>>,
    /// The descendants found, each with its `statm` kept open (re-read in place: no path lookup
    /// per reading, and a handle that fails once its process is gone, whoever gets its pid).
    descendants: Vec<(libc::pid_t, Option<File>)>,
    /// The root's `statm` (a [`Target::Tree`]'s).
    root_statm: Option<File>,
    /// Readings left before the descendants are looked for again.
    until_rescan: u32,
    readings: u64,
}

/// Readings between two searches for all descendants when the root's children stay the same.
const RESCAN_READINGS: u32 = 4;

/// PSS is read at every this many readings (the first included), RSS at every one: reading a
/// process's `smaps_rollup` walks all its mappings and costs 4 to 5 times what `statm` does.
const PSS_READINGS: u64 = 4;

impl TreeReader {
    fn new(target: Target) -> Self {
        TreeReader {
            target,
            children: None,
            descendants: Vec::new(),
            root_statm: None,
            until_rescan: 0,
            readings: 0,
        }
    }

    fn root(&self) -> libc::pid_t {
        match self.target {
            Target::Tree(root) => root,
            // SAFETY: getpid has no preconditions.
            Target::DescendantsOfSelf => unsafe { libc::getpid() },
        }
    }

    /// One reading; `None` when a [`Target::Tree`]'s root is gone or a zombie.
    ///
    /// For [`Target::DescendantsOfSelf`], a child that shares this process's memory is skipped
    /// (`kcmp`, or where that is refused, a `statm` line identical to ours): one started with
    /// `vfork` (as `posix_spawn` and `std::process` start them) that has not executed its
    /// program yet, and would otherwise count this process's whole resident set.
    fn read(&mut self) -> Option<TreeMemory> {
        let with_pss = self.readings.is_multiple_of(PSS_READINGS);
        let pss = |pid| if with_pss { pss_bytes(pid) } else { None };
        let root = self.root();
        let (root_rss, root_line) = rss_bytes_kept(root, &mut self.root_statm)?;
        let (mut total, shared_line) = match self.target {
            Target::Tree(_) => (
                TreeMemory {
                    rss_bytes: root_rss,
                    pss_bytes: pss(root),
                    processes: 1,
                },
                None,
            ),
            Target::DescendantsOfSelf => (
                TreeMemory {
                    rss_bytes: 0,
                    pss_bytes: with_pss.then_some(0),
                    processes: 0,
                },
                Some(root_line),
            ),
        };
        self.readings += 1;
        let mut children = children_of(root);
        if let Some(c) = &mut children {
            c.sort_unstable();
        }
        if self.until_rescan == 0 || children.is_none() || children != self.children {
            let mut found = descendants_from(root, children.clone());
            if matches!(self.target, Target::DescendantsOfSelf) {
                let spawner = crate::sys::spawner_pid();
                found.retain(|&pid| pid != spawner);
            }
            let mut kept = std::mem::take(&mut self.descendants);
            kept.sort_unstable_by_key(|(pid, _)| *pid);
            self.descendants = found
                .into_iter()
                .map(|pid| match kept.binary_search_by_key(&pid, |(p, _)| *p) {
                    Ok(at) => (pid, kept[at].1.take()),
                    Err(_) => (pid, None),
                })
                .collect();
            self.children = children;
            self.until_rescan = RESCAN_READINGS;
        }
        self.until_rescan -= 1;
        for (pid, statm) in &mut self.descendants {
            let pid = *pid;
            // Asked before its memory is read: a child only ever stops sharing ours (when it
            // executes its program), so it cannot be counted with our memory.
            if shared_line.is_some() && shares_memory_with(root, pid) {
                continue;
            }
            let Some((rss, line)) = rss_bytes_kept(pid, statm) else {
                // Exited since it was found, or a zombie: look again next time.
                self.until_rescan = 0;
                continue;
            };
            if shared_line == Some(line) {
                continue;
            }
            total.rss_bytes = total.rss_bytes.saturating_add(rss);
            total.pss_bytes = total
                .pss_bytes
                .zip(pss(pid))
                .map(|(a, b)| a.saturating_add(b));
            total.processes += 1;
        }
        if total.processes == 0 {
            total.pss_bytes = None;
        }
        Some(total)
    }
}

/// One reading of the tree of `root`: `None` when the root is gone or a zombie.
pub fn tree_memory(root: u32) -> Option<TreeMemory> {
    let root = libc::pid_t::try_from(root).ok()?;
    TreeReader::new(Target::Tree(root)).read()
}

/// The descendants of `root` (not `root`), by the kernel's children lists where it has them
/// (`children`: `root`'s own list, read already).
fn descendants_from(root: libc::pid_t, children: Option<Vec<libc::pid_t>>) -> Vec<libc::pid_t> {
    let Some(children) = children else {
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

/// The resident set of `pid` from `/proc/PID/statm` (the figure `VmRSS` shows, at half the cost
/// of formatting `status`); `None` when it is gone or a zombie. `statm` is an open
/// `/proc/PID/statm` of `pid`, opened if `None` and dropped once it fails.
/// Also returns a fingerprint of the whole line (see [`TreeReader::read`]).
fn rss_bytes_kept(pid: libc::pid_t, statm: &mut Option<File>) -> Option<(u64, u64)> {
    use std::hash::{Hash, Hasher};
    if statm.is_none() {
        *statm = File::open(format!("/proc/{pid}/statm")).ok();
    }
    let file = statm.as_ref()?;
    // A statm line is at most 7 numbers of 20 digits.
    let mut buf = [0u8; 192];
    let line = file
        .read_at(&mut buf, 0)
        .ok()
        .and_then(|n| std::str::from_utf8(&buf[..n]).ok());
    let Some((line, pages)) = line.and_then(|l| Some((l, statm_rss_pages(l)?))) else {
        *statm = None;
        return None;
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    line.hash(&mut hasher);
    Some((pages.checked_mul(page_size())?, hasher.finish()))
}

/// Whether processes `a` and `b` share one address space (`kcmp(KCMP_VM)`); `false` when the
/// kernel cannot tell.
fn shares_memory_with(a: libc::pid_t, b: libc::pid_t) -> bool {
    const KCMP_VM: libc::c_long = 1;
    // SAFETY: kcmp takes integers only and reads no memory of ours.
    let same = unsafe {
        libc::syscall(
            libc::SYS_kcmp,
            libc::c_long::from(a),
            libc::c_long::from(b),
            KCMP_VM,
            0 as libc::c_long,
            0 as libc::c_long,
        )
    };
    same == 0
}

/// The resident pages of a `statm` line (`size resident shared text lib data dt`); `None` for a
/// zombie's, which is all zeros.
fn statm_rss_pages(statm: &str) -> Option<u64> {
    let mut fields = statm.split_whitespace().map(|f| f.parse::<u64>().ok());
    let size = fields.next()??;
    let resident = fields.next()??;
    (size != 0).then_some(resident)
}

fn page_size() -> u64 {
    static PAGE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    *PAGE
        .get_or_init(|| u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096))
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
    fn statm_lines() {
        assert_eq!(statm_rss_pages("2000 426 383 4 0 81 0\n"), Some(426));
        // A zombie's line, and nonsense.
        assert_eq!(statm_rss_pages("0 0 0 0 0 0 0\n"), None);
        assert_eq!(statm_rss_pages("lots\n"), None);
        assert_eq!(statm_rss_pages(""), None);
        // The figure status shows as VmRSS.
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let from_status = kilobytes_field(&status, "VmRSS:").unwrap();
        let from_statm = statm_rss_pages(&statm).unwrap() * page_size();
        assert!(
            from_status.abs_diff(from_statm) < 1 << 20,
            "{from_status} {from_statm}"
        );
    }

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
    fn a_pending_sampler_reads_nothing_until_it_begins() {
        let options = MemoryOptions::default();
        let series = MemorySampler::pending(options).unwrap().stop();
        assert_eq!((series.readings, series.end), (0, SamplingEnd::RootExited));
        let sampler = MemorySampler::pending(options).unwrap();
        sampler.begin(libc::pid_t::try_from(std::process::id()).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        let series = sampler.stop();
        assert_eq!(series.end, SamplingEnd::Stopped);
        assert!(
            series.readings >= 1 && series.peak_rss_bytes > 0,
            "{series:?}"
        );
    }

    #[test]
    fn this_process_is_read() {
        let me = tree_memory(std::process::id()).unwrap();
        assert!(me.rss_bytes > 0);
        assert!(me.processes >= 1);
    }
}
