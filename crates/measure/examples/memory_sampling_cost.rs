//! What memory sampling costs (issue 13's benchmark): the CPU time of this process while a
//! `MemorySampler` reads the RSS and PSS of 100 child processes every 50 ms, as a percentage of
//! one core, and the time of one reading.
//!
//! `cargo run -p benchgate-measure --example memory_sampling_cost [-- PROCESSES SECONDS]`

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use benchgate_measure::{MemoryOptions, MemorySampler, tree_memory};

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let processes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let mut children: Vec<Child> = (0..processes)
        .map(|_| {
            Command::new("sleep")
                .arg("600")
                .stdin(Stdio::null())
                .spawn()
                .expect("sleep starts")
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    // One reading of the whole tree (this process and its children), for scale.
    let me = std::process::id();
    let rounds = 20;
    let started = Instant::now();
    let mut counted = 0;
    for _ in 0..rounds {
        counted = tree_memory(me).map_or(0, |m| m.processes);
    }
    let per_reading = started.elapsed() / rounds;
    println!("one reading of {counted} processes (RSS + PSS): {per_reading:?}");

    let options = MemoryOptions {
        every: Duration::from_millis(50),
        ..MemoryOptions::default()
    };
    let cpu_before = cpu_seconds();
    let wall = Instant::now();
    let sampler = MemorySampler::start_descendants_of_self(options).expect("sampler starts");
    std::thread::sleep(Duration::from_secs(seconds));
    let series = sampler.stop();
    let elapsed = wall.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let last = series.samples.last().map_or(0, |s| s.memory.processes);
    println!(
        "sampling {last} processes every 50 ms for {elapsed:.1} s: {} readings, CPU {:.2} s = {:.1} % of one core ({:.2} ms per reading)",
        series.readings,
        cpu,
        100.0 * cpu / elapsed,
        1000.0 * cpu / series.readings.max(1) as f64
    );
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
}
