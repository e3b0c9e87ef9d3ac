//! Per-operation cost of the closed runner with `true`: ops/s, in-flight maximum and latency
//! percentiles at levels 1, 10 and 100 (or the one LEVEL given). Not a test: the issue-13
//! benchmark times it against `seq OPERATIONS | xargs -P N -n 1 true` and GNU `parallel -j N`
//! side by side with `benchgate run` (docs/load.md, "Overhead").
//!
//! `cargo run --release -p benchgate-load --example overhead -- [OPERATIONS [LEVEL]]`

use std::num::NonZeroUsize;

use benchgate_load::{ClosedLoad, CommandSpec, Stop, run_closed};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let operations: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 2000,
    };
    let levels: Vec<usize> = match std::env::args().nth(2) {
        Some(text) => vec![text.parse()?],
        None => vec![1, 10, 100],
    };
    for level in levels {
        let concurrency = NonZeroUsize::new(level).ok_or("level 0")?;
        let load = ClosedLoad::new(
            CommandSpec::new("true"),
            concurrency,
            Stop::after_operations(operations),
        );
        let result = run_closed(&load)?;
        let p = result.percentiles().ok_or("no successful operation")?;
        println!(
            "N={level:<4} ops={} errors={} max_in_flight={} wall={:.3}s throughput={:.0}/s p50={:?} p99={:?} max={:?}",
            result.operations,
            result.errors.total(),
            result.max_in_flight,
            result.wall.as_secs_f64(),
            result.throughput(),
            p.p50,
            p.p99,
            p.max,
        );
    }
    Ok(())
}
