//! The async engine driving Rust closures in process: exact counts (operations, errors, the
//! in-flight maximum), request numbers, the open model's corrected latency. Every level is
//! bounded by a count or a duration; the timed assertions have wide margins.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use benchgate_load::{
    AsyncClosedLoad, AsyncOpenLoad, ErrorKind, LiveStatus, OperationError, Progress, Stop,
    run_async_closed, run_async_open,
};

fn slots(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

#[test]
fn ten_slots_of_a_ten_millisecond_closure_hold_ten_in_flight_for_a_hundred_operations() {
    let numbers = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&numbers);
    let level = run_async_closed(
        &AsyncClosedLoad::new(slots(10), Stop::after_operations(100)),
        move |number| {
            seen.lock().unwrap().push(number);
            async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(())
            }
        },
    )
    .unwrap();
    assert_eq!(level.operations, 100);
    assert_eq!(level.successes(), 100);
    assert_eq!(level.max_in_flight, 10);
    assert!(level.reached());
    let mut numbers = numbers.lock().unwrap().clone();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..100).collect::<Vec<u64>>());
    assert!(level.percentiles().unwrap().p50 >= Duration::from_millis(10));
    // Ten sleeping at once nearly all the time (wide margin: a busy machine stretches the ends).
    let mean = level.mean_in_flight.unwrap();
    assert!(mean > 5.0 && mean <= 10.0, "{mean}");
}

#[test]
fn a_closure_failing_every_fourth_call_has_an_error_rate_of_exactly_a_quarter() {
    let level = run_async_closed(
        &AsyncClosedLoad::new(slots(3), Stop::after_operations(100)),
        |number| async move {
            if number % 4 == 3 {
                Err(OperationError::new(
                    ErrorKind::Io,
                    format!("call {number} failed"),
                ))
            } else {
                Ok(())
            }
        },
    )
    .unwrap();
    assert_eq!(level.operations, 100);
    assert_eq!(level.error_rate(), 0.25);
    assert_eq!(level.errors.count(ErrorKind::Io), 25);
    let example = level.errors.example(ErrorKind::Io).unwrap();
    assert!(
        example.starts_with("io: call ") && example.ends_with(" failed"),
        "{example}"
    );
}

#[test]
fn a_closure_that_never_ends_times_out_and_the_level_ends() {
    let level = run_async_closed(
        &AsyncClosedLoad::new(slots(2), Stop::after_operations(4))
            .with_timeout(Duration::from_millis(100)),
        |_| std::future::pending::<Result<(), OperationError>>(),
    )
    .unwrap();
    assert_eq!(level.errors.count(ErrorKind::Timeout), 4);
    assert_eq!(
        level.errors.example(ErrorKind::Timeout),
        Some("timeout: not done within 100ms")
    );
    assert_eq!(level.max_in_flight, 2);
    assert_eq!(level.successes(), 0);
}

#[test]
fn an_open_level_against_a_stalling_closure_shows_the_stall_in_the_corrected_p99_only() {
    // 100/s for 2 s on one worker; call 50 stalls 500 ms. The arrival due next waits in the
    // one-deep backlog (late), the ~49 after it are dropped, leaving n ≈ 150 successes. HDR's p99
    // of 100 ≤ n < 200 values is the second slowest: the corrected latencies have two slow ones
    // (the stalled call and the one backlogged behind it), the service times one.
    let level = run_async_open(
        &AsyncOpenLoad::new(
            100.0,
            slots(1),
            Stop::after_duration(Duration::from_secs(2)),
        ),
        |number| async move {
            if number == 50 {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(())
        },
    )
    .unwrap();
    let open = level.open.unwrap();
    assert_eq!(open.planned, 200);
    assert_eq!(open.planned, open.started + open.dropped);
    assert_eq!(level.operations, open.started);
    assert!(open.dropped >= 20, "{open:?}");
    let successes = level.successes();
    assert!((100..200).contains(&successes), "{successes} successes");
    let corrected = level.percentiles().unwrap();
    let service = level.service_time.as_ref().unwrap().percentiles().unwrap();
    assert!(corrected.p99 >= Duration::from_millis(250), "{corrected:?}");
    assert!(service.p99 < Duration::from_millis(250), "{service:?}");
    assert!(service.max >= Duration::from_millis(500));
}

#[test]
fn open_model_request_numbers_follow_the_schedule_and_every_start_is_counted() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let level = run_async_open(
        &AsyncOpenLoad::new(1000.0, slots(4), Stop::after_operations(50)),
        move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        },
    )
    .unwrap();
    let open = level.open.unwrap();
    assert_eq!(open.planned, 50);
    assert_eq!(calls.load(Ordering::SeqCst) as u64, open.started);
    assert_eq!(level.operations, open.started);
}

#[test]
fn a_zero_progress_interval_set_by_hand_is_raised_not_a_panic() {
    let ticks = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&ticks);
    let mut load = AsyncClosedLoad::new(slots(2), Stop::after_duration(Duration::from_millis(200)));
    load.progress = Some(Progress {
        every: Duration::ZERO,
        report: Arc::new(move |_: &LiveStatus| {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    });
    let level = run_async_closed(&load, |_| async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok(())
    })
    .unwrap();
    assert!(level.operations > 0);
    // Every 10 ms at most: about 19 in 200 ms, never thousands.
    let ticks = ticks.load(Ordering::SeqCst);
    assert!((1..=25).contains(&ticks), "{ticks} ticks");
}
