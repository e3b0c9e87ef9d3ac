//! Memory sampling of real process trees (src/memory.rs) and the leak verdict on what it samples
//! (`benchgate_gate::leak_check_points` on the growth that `benchgate_stats::memory_growth`
//! fits). Python processes hold or grow memory on purpose; each says `ready` (and `done`) on
//! stdout so the test samples exactly the phase it judges, and waits on its stdin so it ends when
//! the test drops it. Figures are asserted with wide margins, never timings.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use benchgate_gate::{LeakVerdict, leak_check_points};
use benchgate_measure::{MemoryOptions, MemorySampler, SamplingEnd, tree_memory};
use benchgate_model::LeakBudget;
use benchgate_stats::memory_growth;

const MIB: u64 = 1024 * 1024;
const TEN_PERCENT: LeakBudget = LeakBudget {
    max_growth_percent: Some(10.0),
    max_growth_bytes: None,
    max_bytes_per_op: None,
};

struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Running {
    fn start(program: &str, args: &[&str]) -> Running {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Running { child, stdout }
    }

    fn python(script: &str) -> Running {
        Running::start("python3", &["-c", script])
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the line `expected` on stdout.
    fn expect(&mut self, expected: &str) {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim_end(), expected);
    }

    /// Closes stdin (the processes end on EOF) and reaps.
    fn finish(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn options() -> MemoryOptions {
    MemoryOptions {
        every: Duration::from_millis(50),
        ..MemoryOptions::default()
    }
}

#[test]
fn a_python_process_growing_10_mb_per_second_is_a_leak() {
    // 1 MiB every 100 ms for 1.5 s, each touched (filled with 1s) so it is resident.
    let mut python = Running::python(
        "import sys, time\n\
         keep = []\n\
         print('ready', flush=True)\n\
         for _ in range(15):\n\
         \x20   keep.append(b'\\x01' * (1024 * 1024))\n\
         \x20   time.sleep(0.1)\n\
         print('done', flush=True)\n\
         sys.stdin.read()\n",
    );
    python.expect("ready");
    let sampler = MemorySampler::start(python.pid(), options()).unwrap();
    python.expect("done");
    let series = sampler.stop();
    python.finish();

    assert_eq!(series.end, SamplingEnd::Stopped);
    let points = series.rss_points();
    let check = leak_check_points(&points, 0.2, &TEN_PERCENT);
    assert_eq!(
        check.verdict,
        LeakVerdict::Leak,
        "{} from {series:#?}",
        check.reason
    );
    let growth = memory_growth(&points, 0.2).unwrap();
    println!("growing: {growth:?}, {} readings", series.readings);
    // ~10 MiB/s of growth when undisturbed; a slow machine stretches the sleeps, so only more
    // than 3 MB/s is asserted.
    assert!(
        growth.bytes_per_second > 3e6,
        "{} B/s",
        growth.bytes_per_second
    );
    assert!(
        series.peak_rss_bytes > 15 * MIB,
        "{}",
        series.peak_rss_bytes
    );
    if std::path::Path::new("/proc/self/smaps_rollup").exists() {
        let pss = series.peak_pss_bytes.unwrap();
        assert!(pss > 15 * MIB, "{pss}");
    }
}

#[test]
fn a_python_process_holding_its_memory_is_no_leak() {
    let mut python = Running::python(
        "import sys, time\n\
         keep = b'\\x01' * (20 * 1024 * 1024)\n\
         print('ready', flush=True)\n\
         time.sleep(1.5)\n\
         print('done', flush=True)\n\
         sys.stdin.read()\n",
    );
    python.expect("ready");
    let sampler = MemorySampler::start(python.pid(), options()).unwrap();
    python.expect("done");
    let series = sampler.stop();
    python.finish();

    let points = series.rss_points();
    let check = leak_check_points(&points, 0.2, &TEN_PERCENT);
    assert_eq!(
        check.verdict,
        LeakVerdict::WithinBudget,
        "{} from {series:#?}",
        check.reason
    );
    let growth = memory_growth(&points, 0.2).unwrap();
    println!("flat: {growth:?}, {} readings", series.readings);
    assert!(
        growth.bytes_per_second.abs() < 1e6,
        "{} B/s",
        growth.bytes_per_second
    );
    assert!(
        series.peak_rss_bytes > 20 * MIB,
        "{}",
        series.peak_rss_bytes
    );
}

/// `sh` starting two Pythons that hold 20 MiB each. Their stdin is handed on through fd 3: an
/// asynchronous list's stdin is /dev/null, and dash does so even with an explicit `<&0`.
fn a_tree_holding_40_mib() -> Running {
    let hold = "import sys\n\
                keep = b'\\x01' * (20 * 1024 * 1024)\n\
                print('ready', flush=True)\n\
                sys.stdin.read()\n";
    let mut sh = Running::start(
        "sh",
        &[
            "-c",
            r#"exec 3<&0; python3 -c "$0" <&3 & python3 -c "$0" <&3 & wait"#,
            hold,
        ],
    );
    sh.expect("ready");
    sh.expect("ready");
    sh
}

#[test]
fn a_process_tree_is_summed() {
    let sh = a_tree_holding_40_mib();
    let tree = tree_memory(sh.pid()).unwrap();
    let sampler = MemorySampler::start(sh.pid(), options()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let series = sampler.stop();
    sh.finish();

    assert_eq!(tree.processes, 3, "{tree:?}");
    assert!(tree.rss_bytes > 40 * MIB, "{tree:?}");
    if std::path::Path::new("/proc/self/smaps_rollup").exists() {
        // Private memory counts whole in the PSS.
        assert!(tree.pss_bytes.unwrap() > 40 * MIB, "{tree:?}");
    }
    assert!(!series.samples.is_empty());
    assert!(
        series.samples.iter().all(|s| s.memory.processes == 3),
        "{series:#?}"
    );
    assert!(series.peak_rss_bytes > 40 * MIB, "{series:#?}");
}

#[test]
fn a_pid_that_is_gone_ends_sampling_with_no_readings() {
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    assert_eq!(tree_memory(pid), None);
    let series = MemorySampler::start(pid, options()).unwrap().stop();
    assert_eq!(series.end, SamplingEnd::RootExited);
    assert!(series.samples.is_empty());
    assert_eq!(series.peak_rss_bytes, 0);
}

#[test]
fn a_root_that_exits_mid_sampling_ends_it() {
    let mut python = Running::python("import sys; print('ready', flush=True); sys.stdin.read()");
    python.expect("ready");
    let sampler = MemorySampler::start(python.pid(), options()).unwrap();
    // At least one reading of the live process before it goes.
    let first = Instant::now();
    while tree_memory(python.pid()).is_some() && first.elapsed() < Duration::from_millis(120) {
        std::thread::sleep(Duration::from_millis(10));
    }
    python.finish();
    // The sampler notices within a reading or two; the cap is only against hanging forever.
    let waiting = Instant::now();
    while !sampler.is_finished() && waiting.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let series = sampler.stop();
    assert_eq!(series.end, SamplingEnd::RootExited);
    assert!(!series.samples.is_empty());
}

#[test]
fn children_that_come_and_go_mid_reading_are_skipped() {
    // A shell starting short-lived processes as fast as it can, read every millisecond.
    let mut sh = Running::start("sh", &["-c", "echo ready; while :; do /bin/true; done"]);
    sh.expect("ready");
    let fast = MemoryOptions {
        every: Duration::from_millis(1),
        max_points: 64,
    };
    let sampler = MemorySampler::start(sh.pid(), fast).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let series = sampler.stop();
    sh.child.kill().unwrap();
    sh.child.wait().unwrap();

    assert_eq!(series.end, SamplingEnd::Stopped);
    assert!(series.samples.len() <= 64);
    assert!(series.samples.iter().all(|s| s.memory.processes >= 1));
    assert!(series.readings >= series.samples.len() as u64);
}
