//! Peak memory of one closed-model level of `true`, to check that it stays flat with the
//! operation count (HDR histograms, one live window, at most `MAX_WINDOWS` window summaries).
//! Not a test. Run once per size, each in its own process, and compare the `VmHWM` lines:
//!
//! `cargo run --release -p benchgate-load --example memory -- 10000 16`
//! `cargo run --release -p benchgate-load --example memory -- 1000000 16`

use std::num::NonZeroUsize;
use std::time::Duration;

use benchgate_load::{ClosedLoad, CommandSpec, Stop, run_closed};

/// A line of /proc/self/status with its whitespace folded, e.g. `VmHWM: 2048 kB`.
fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(field))
        .map_or_else(
            || format!("{field} unknown"),
            |line| line.split_whitespace().collect::<Vec<_>>().join(" "),
        )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let operations: u64 = args.next().as_deref().unwrap_or("10000").parse()?;
    let concurrency: usize = args.next().as_deref().unwrap_or("16").parse()?;
    let window_ms: u64 = args.next().as_deref().unwrap_or("100").parse()?;
    let load = ClosedLoad::new(
        CommandSpec::new("true"),
        NonZeroUsize::new(concurrency).ok_or("concurrency 0")?,
        Stop::after_operations(operations),
    )
    .with_window(Duration::from_millis(window_ms));
    println!("before: {}", status("VmHWM"));
    let level = run_closed(&load)?;
    println!(
        "ops={} errors={} wall={:.1}s throughput={:.0}/s windows={} stride={} max_in_flight={}",
        level.operations,
        level.errors.total(),
        level.wall.as_secs_f64(),
        level.throughput(),
        level.windows.len(),
        level.window_stride,
        level.max_in_flight,
    );
    println!(
        "after: {} {} (a window summary is {} bytes, at most {} kept)",
        status("VmHWM"),
        status("VmRSS"),
        std::mem::size_of::<benchgate_load::WindowSummary>(),
        benchgate_load::MAX_WINDOWS,
    );
    Ok(())
}
