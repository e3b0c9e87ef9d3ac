//! The machine's state as it affects measurements (`benchgate doctor`): CPU frequency governors
//! and turbo, load, steal time (a virtual machine's CPU taken by its host), the clock's
//! resolution. Read from Linux's /proc and /sys; whatever cannot be read is `None`, since
//! containers and virtual machines hide much of it. The parsing is separate from the reading so
//! it can be tested on fixed text.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// What `benchgate doctor` reports about the machine.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MachineState {
    pub logical_cores: usize,
    /// Frequency governor → how many CPUs use it (`performance` is the steady one); empty when
    /// the kernel does not expose cpufreq (common in virtual machines).
    pub governors: BTreeMap<String, usize>,
    /// Whether frequency boost (turbo) is on, when the kernel says.
    pub boost: Option<bool>,
    /// 1, 5 and 15-minute load averages.
    pub load_average: Option<[f64; 3]>,
    /// Share of CPU time stolen by the hypervisor during the sampling window, in percent.
    pub steal_percent: Option<f64>,
    /// Share of CPU time spent busy (user, nice, system, irq, softirq) by anything during the
    /// sampling window, in percent of all CPUs.
    pub busy_percent: Option<f64>,
    /// The monotonic clock's resolution (`clock_getres`), in ns.
    pub clock_resolution_ns: Option<f64>,
    /// The smallest non-zero difference between two consecutive `Instant::now()` readings, in
    /// ns: what a timer can really tell apart, call overhead included.
    pub timer_granularity_ns: f64,
}

/// Reads the machine's state, sampling CPU times over `window` (steal and busy share).
pub fn machine_state(window: Duration) -> MachineState {
    let before = read("/proc/stat").and_then(|s| cpu_times(&s));
    std::thread::sleep(window);
    let after = read("/proc/stat").and_then(|s| cpu_times(&s));
    let (steal_percent, busy_percent) = match (before, after) {
        (Some(a), Some(b)) => shares(&a, &b),
        _ => (None, None),
    };
    MachineState {
        logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        governors: governors(Path::new("/sys/devices/system/cpu")),
        boost: boost(),
        load_average: read("/proc/loadavg").and_then(|s| load_average(&s)),
        steal_percent,
        busy_percent,
        clock_resolution_ns: clock_resolution_ns(),
        timer_granularity_ns: timer_granularity_ns(),
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal …
/// (in clock ticks).
pub fn cpu_times(stat: &str) -> Option<Vec<u64>> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map_while(|v| v.parse().ok())
        .collect();
    (values.len() >= 8).then_some(values)
}

/// Steal and busy shares, in percent, between two readings of [`cpu_times`]. Guest time is
/// already inside user time, so only the first eight fields are summed.
pub fn shares(before: &[u64], after: &[u64]) -> (Option<f64>, Option<f64>) {
    let delta = |i: usize| -> u64 {
        match (before.get(i), after.get(i)) {
            (Some(a), Some(b)) => b.saturating_sub(*a),
            _ => 0,
        }
    };
    let total: u64 = (0..8).map(delta).sum();
    if total == 0 {
        return (None, None);
    }
    let busy = delta(0) + delta(1) + delta(2) + delta(5) + delta(6);
    let pct = |x: u64| 100.0 * x as f64 / total as f64;
    (Some(pct(delta(7))), Some(pct(busy)))
}

/// `0.52 0.58 0.59 1/467 12345` → [0.52, 0.58, 0.59].
pub fn load_average(text: &str) -> Option<[f64; 3]> {
    let mut fields = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

/// Governor → CPU count, from `cpuN/cpufreq/scaling_governor` under `dir`.
pub fn governors(dir: &Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_cpu = name
            .strip_prefix("cpu")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !is_cpu {
            continue;
        }
        if let Ok(g) = std::fs::read_to_string(entry.path().join("cpufreq/scaling_governor")) {
            *out.entry(g.trim().to_string()).or_insert(0) += 1;
        }
    }
    out
}

/// Frequency boost: cpufreq's `boost` (1 = on), or intel_pstate's `no_turbo` (1 = off).
fn boost() -> Option<bool> {
    if let Some(b) = read("/sys/devices/system/cpu/cpufreq/boost") {
        return Some(b.trim() == "1");
    }
    read("/sys/devices/system/cpu/intel_pstate/no_turbo").map(|t| t.trim() == "0")
}

fn clock_resolution_ns() -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64)
}

/// The smallest non-zero step of `Instant::now()` over a few thousand readings.
fn timer_granularity_ns() -> f64 {
    let mut smallest = f64::INFINITY;
    let mut last = Instant::now();
    for _ in 0..20_000 {
        let now = Instant::now();
        let step = now.duration_since(last).as_nanos() as f64;
        if step > 0.0 && step < smallest {
            smallest = step;
        }
        last = now;
    }
    if smallest.is_finite() { smallest } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lines_give_steal_and_busy_shares() {
        let a = cpu_times("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 1 2 3 4 5 6 7 8\n").unwrap();
        let b = cpu_times("cpu  200 0 100 1500 10 0 15 75 7 0\n").unwrap();
        assert_eq!(a, [100, 0, 50, 800, 10, 0, 5, 35, 0, 0]);
        // Δ: user 100, system 50, idle 700, softirq 10, steal 40 → total 900.
        let (steal, busy) = shares(&a, &b);
        assert_eq!(steal, Some(100.0 * 40.0 / 900.0));
        assert_eq!(busy, Some(100.0 * 160.0 / 900.0));
        assert_eq!(shares(&a, &a), (None, None));
        assert_eq!(cpu_times("cpu0 1 2 3"), None);
        assert_eq!(cpu_times("cpu  1 2 3"), None);
    }

    #[test]
    fn load_average_reads_three_numbers() {
        assert_eq!(
            load_average("0.52 0.58 0.59 1/467 12345\n"),
            Some([0.52, 0.58, 0.59])
        );
        assert_eq!(load_average("0.52 x"), None);
    }

    #[test]
    fn governors_are_counted_per_cpu() {
        let dir = tempfile::tempdir().unwrap();
        for (cpu, governor) in [
            ("cpu0", "performance"),
            ("cpu1", "powersave"),
            ("cpu2", "powersave"),
        ] {
            let d = dir.path().join(cpu).join("cpufreq");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("scaling_governor"), format!("{governor}\n")).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("cpufreq")).unwrap();
        let g = governors(dir.path());
        assert_eq!(g.len(), 2);
        assert_eq!(g["performance"], 1);
        assert_eq!(g["powersave"], 2);
        assert!(governors(&dir.path().join("nothing")).is_empty());
    }

    #[test]
    fn the_live_machine_reads() {
        let state = machine_state(Duration::from_millis(20));
        assert!(state.logical_cores >= 1);
        assert!(state.timer_granularity_ns > 0.0);
        assert!(state.clock_resolution_ns.is_some_and(|r| r > 0.0));
    }
}
