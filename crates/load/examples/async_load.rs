//! In-process load from a Rust async closure: a closed level (100 at once of a call that waits
//! 1 ms and fails 1 time in 50) and an open level (2000/s with a live progress line), each with
//! its Little's law check. Not a test: figures depend on the machine.
//!
//! `cargo run -p benchgate-load --features async --example async_load`

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use benchgate_load::{
    AsyncClosedLoad, AsyncOpenLoad, ErrorKind, LevelResult, LiveStatus, OperationError, Stop,
    littles_law, run_async_closed, run_async_open,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hundred = NonZeroUsize::new(100).ok_or("100")?;
    let closed = run_async_closed(
        &AsyncClosedLoad::new(hundred, Stop::after_duration(Duration::from_secs(2))),
        |number| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            if number % 50 == 49 {
                return Err(OperationError::new(ErrorKind::Io, "every 50th call fails"));
            }
            Ok(())
        },
    )?;
    report("closed, 100 at once", &closed);
    let progress = Arc::new(|status: &LiveStatus| println!("  {status}"));
    let open = run_async_open(
        &AsyncOpenLoad::new(
            2000.0,
            hundred,
            Stop::after_duration(Duration::from_secs(2)),
        )
        .with_progress(Duration::from_millis(500), progress),
        |_| async {
            tokio::time::sleep(Duration::from_millis(2)).await;
            Ok(())
        },
    )?;
    report("open, 2000/s", &open);
    Ok(())
}

fn report(name: &str, level: &LevelResult) {
    let p99 = level.percentiles().map(|p| p.p99).unwrap_or_default();
    println!(
        "{name}: {} ops  {:.0}/s  p99 {p99:?}  error rate {:.3}  max in flight {}",
        level.operations,
        level.throughput(),
        level.error_rate(),
        level.max_in_flight
    );
    if let Some(check) = littles_law(level) {
        println!("  Little's law: {}", check.describe());
    }
}
