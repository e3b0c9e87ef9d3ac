//! Leak checks with `CountingAllocator` as this binary's global allocator.
//!
//! A leak check reads the live heap of the whole process, so any other test running at the same
//! time — or the test runner starting the next test while one is being measured — would show up in
//! it. A mutex does not stop that (the runner spawns and tears down test threads around whichever
//! test holds it), so this binary has exactly one `#[test]`, which runs the scenarios one after
//! another: then the figures are exact and asserted exactly.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Mutex, OnceLock};

use benchgate_harness::CountingAllocator;
use benchgate_harness::alloc::{is_installed, live_bytes};
use benchgate_harness::leak::{LeakOptions, check};
use benchgate_model::{Benchmark, Direction, Measure, Status, Unit};

#[global_allocator]
static A: CountingAllocator = CountingAllocator::system();

/// Waits until the test runner's main thread, which allocates for a moment after starting this
/// test's thread (its bookkeeping, its first wait on a channel), has settled: until the live heap
/// has not moved for 50 ms.
fn wait_for_a_quiet_heap() {
    let mut last = live_bytes();
    let mut quiet_since = std::time::Instant::now();
    let deadline = quiet_since + std::time::Duration::from_secs(5);
    while quiet_since.elapsed() < std::time::Duration::from_millis(50) {
        assert!(
            std::time::Instant::now() < deadline,
            "the live heap keeps moving"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        let now = live_bytes();
        if now != last {
            last = now;
            quiet_since = std::time::Instant::now();
        }
    }
}

#[test]
fn leak_checks() {
    assert!(is_installed());
    wait_for_a_quiet_heap();
    // Most assertions below are exact; the percentages also need a modest starting heap (the
    // deliberate 50 KiB leak must exceed 10 % of it).
    assert!(
        live_bytes() < 256 << 10,
        "this test binary's heap is {} B",
        live_bytes()
    );
    rounds_zero_is_an_error();
    invalid_budget_is_an_error();
    non_leaking_workload_passes_with_zero_growth();
    deliberate_leak_is_caught();
    lazy_initialisation_in_warmup_does_not_count();
    lazy_initialisation_without_warmup_is_growth_but_the_fit_sees_through_it();
    byte_allowance_boundary();
    percent_budget_boundary();
    shrinking_heap_passes();
    rounds_are_numbered_from_the_first_warmup_call();
    bounded_cache_filled_in_warmup_passes();
}

fn label<'a>(result: &'a Benchmark, name: &str) -> &'a str {
    result
        .labels
        .get(name)
        .unwrap_or_else(|| panic!("no label {name} in {:?}", result.labels))
}

fn label_i64(result: &Benchmark, name: &str) -> i64 {
    label(result, name).parse().unwrap()
}

fn per_round(result: &Benchmark) -> &[f64] {
    &result
        .metric(&Measure::Custom("leak_bytes_per_round".into()))
        .expect("leak_bytes_per_round")
        .samples
}

fn growth_ratio(result: &Benchmark) -> f64 {
    let samples = &result
        .metric(&Measure::Custom("live_heap_growth".into()))
        .expect("live_heap_growth")
        .samples;
    assert_eq!(samples.len(), 1);
    samples[0]
}

fn failure(result: &Benchmark) -> &str {
    match &result.status {
        Status::Failed { message } => message,
        other => panic!("{}: expected a failure, got {other:?}", result.name),
    }
}

fn rounds_zero_is_an_error() {
    let mut calls = 0;
    let result = check("zero", &LeakOptions::new(0), &mut |_| calls += 1);
    assert_eq!(
        failure(&result),
        "leak check needs at least 1 measured round (rounds = 0)"
    );
    assert_eq!(calls, 0);
    assert!(result.metrics.is_empty());
    assert_eq!(label(&result, "rounds"), "0");
}

fn invalid_budget_is_an_error() {
    for budget in [f64::NAN, -1.0] {
        let options = LeakOptions {
            max_growth_percent: budget,
            ..LeakOptions::new(3)
        };
        let mut calls = 0;
        let result = check("budget", &options, &mut |_| calls += 1);
        assert!(
            failure(&result).starts_with("leak check budget must be a percentage of 0 or more"),
            "{result:?}"
        );
        assert_eq!(calls, 0);
    }
}

fn non_leaking_workload_passes_with_zero_growth() {
    let result = check("clean", &LeakOptions::new(30), &mut |round| {
        let buffer = black_box(vec![round as u8; 10 << 10]);
        let mut map = HashMap::new();
        for (i, byte) in buffer.iter().take(100).enumerate() {
            map.insert(i, usize::from(*byte) + i);
        }
        black_box(&map);
    });
    assert_eq!(result.status, Status::Ok, "{result:?}");
    assert_eq!(result.name, "clean");
    assert_eq!(per_round(&result), &[0.0; 30]);
    assert_eq!(growth_ratio(&result), 0.0);
    assert_eq!(label(&result, "growth_bytes_total"), "0");
    assert_eq!(label(&result, "growth_bytes_per_round_fit"), "0.0");
    assert_eq!(label(&result, "rounds"), "30");
    assert_eq!(label(&result, "budget_percent"), "10");
    assert_eq!(
        label(&result, "live_bytes_before"),
        label(&result, "live_bytes_after")
    );

    for metric in &result.metrics {
        assert_eq!(metric.direction, Direction::LowerIsBetter);
        assert!(metric.exact);
    }
    let units: Vec<_> = result.metrics.iter().map(|m| m.unit.clone()).collect();
    assert_eq!(units, [Unit::Bytes, Unit::Ratio]);
}

static KEPT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

fn deliberate_leak_is_caught() {
    let result = check("leaky", &LeakOptions::new(50), &mut |_| {
        KEPT.lock().unwrap().push(vec![1u8; 1024]);
    });
    let message = failure(&result).to_string();

    // Each round keeps its 1 KiB, and the outer vector grows now and then (24 B a slot, doubling:
    // capacity 4 after the warm-up, 64 after all 51 pushes).
    let deltas = per_round(&result);
    assert_eq!(deltas.len(), 50);
    for &delta in deltas {
        assert!(
            (1024.0..=1024.0 + 32.0 * 24.0).contains(&delta),
            "{deltas:?}"
        );
    }
    let total = label_i64(&result, "growth_bytes_total");
    assert!(
        (50 * 1024..=50 * 1024 + 60 * 24).contains(&total),
        "{total}"
    );
    assert_eq!(
        total,
        50 * 1024 + (64 - 4) * 24,
        "exactly, given Vec's growth"
    );
    let before = label_i64(&result, "live_bytes_before");
    assert_eq!(label_i64(&result, "live_bytes_after"), before + total);
    assert_eq!(growth_ratio(&result), total as f64 / before as f64);
    let fit: f64 = label(&result, "growth_bytes_per_round_fit")
        .parse()
        .unwrap();
    assert!((1024.0..1100.0).contains(&fit), "{fit}");

    let percent = growth_ratio(&result) * 100.0;
    assert_eq!(
        message,
        format!(
            "live heap grew {percent:.1}% (+{} {:03} B, {} {:03} B per round) over 50 rounds; budget 10%",
            total / 1000,
            total % 1000,
            fit.round() as i64 / 1000,
            fit.round() as i64 % 1000,
        )
    );
}

static CACHE_WARM: OnceLock<Vec<u8>> = OnceLock::new();
static CACHE_COLD: OnceLock<Vec<u8>> = OnceLock::new();

fn lazy_initialisation_in_warmup_does_not_count() {
    let result = check("lazy", &LeakOptions::new(20), &mut |_| {
        let cache = CACHE_WARM.get_or_init(|| vec![9u8; 64 << 10]);
        black_box(vec![cache[0]; 100]);
    });
    assert_eq!(result.status, Status::Ok, "{result:?}");
    assert_eq!(label(&result, "growth_bytes_total"), "0");
    assert_eq!(per_round(&result), &[0.0; 20]);
}

fn lazy_initialisation_without_warmup_is_growth_but_the_fit_sees_through_it() {
    let options = LeakOptions {
        warmup_rounds: 0,
        ..LeakOptions::new(50)
    };
    let result = check("lazy/cold", &options, &mut |_| {
        let cache = CACHE_COLD.get_or_init(|| vec![9u8; 64 << 10]);
        black_box(vec![cache[0]; 100]);
    });
    // All of the growth is in the first round: the total says 64 KiB (a failure against 10 % of
    // this small heap), the fitted slope only 6·h / ((n+1)(n+2)) for a step h after n rounds.
    assert!(failure(&result).starts_with("live heap grew "));
    assert_eq!(label_i64(&result, "growth_bytes_total"), 65536);
    assert_eq!(per_round(&result)[0], 65536.0);
    assert!(per_round(&result)[1..].iter().all(|&d| d == 0.0));
    let fit: f64 = label(&result, "growth_bytes_per_round_fit")
        .parse()
        .unwrap();
    let expected = 6.0 * 65536.0 / (51.0 * 52.0);
    assert!((fit - expected).abs() < 0.06, "{fit} vs {expected}");
    assert!(fit < 65536.0 / 50.0 / 5.0);
}

/// Leaks exactly `bytes` per round.
fn leak_exactly(bytes: usize) -> impl FnMut(usize) {
    move |_| {
        Box::leak(vec![0u8; bytes].into_boxed_slice());
    }
}

fn byte_allowance_boundary() {
    // No percentage tolerance, so only the allowance decides.
    let options = |allowance| LeakOptions {
        rounds: 4,
        warmup_rounds: 0,
        max_growth_percent: 0.0,
        max_growth_bytes: Some(allowance),
    };
    let at = check("allowance/at", &options(4000), &mut leak_exactly(1000));
    assert_eq!(at.status, Status::Ok, "{at:?}");
    assert_eq!(label(&at, "growth_bytes_total"), "4000");
    assert_eq!(label(&at, "budget_bytes"), "4000");
    assert_eq!(per_round(&at), &[1000.0; 4]);

    let over = check("allowance/over", &options(3999), &mut leak_exactly(1000));
    let percent = growth_ratio(&over) * 100.0;
    assert_eq!(
        failure(&over),
        format!(
            "live heap grew {percent:.1}% (+4 000 B, 1 000 B per round) over 4 rounds; budget 0% \
             beyond an allowance of 3 999 B"
        )
    );
    assert_eq!(label(&over, "growth_bytes_per_round_fit"), "1000.0");
}

fn percent_budget_boundary() {
    // Growth of exactly the budget passes; the smallest bit more fails. The check reads the live
    // heap after the warm-up (none here) before allocating anything of its own, so it sees
    // exactly what this function sees just before calling it.
    let options = |budget| LeakOptions {
        rounds: 4,
        warmup_rounds: 0,
        max_growth_percent: budget,
        max_growth_bytes: None,
    };
    let before = live_bytes();
    let budget = 4000.0 / before as f64 * 100.0;
    let at = check("percent/at", &options(budget), &mut leak_exactly(1000));
    assert_eq!(label_i64(&at, "live_bytes_before"), before);
    assert_eq!(at.status, Status::Ok, "{at:?}");
    assert_eq!(label(&at, "budget_percent"), budget.to_string());

    let before = live_bytes();
    let percent = 4000.0 / before as f64 * 100.0;
    let budget = percent.next_down();
    let over = check("percent/over", &options(budget), &mut leak_exactly(1000));
    assert_eq!(label_i64(&over, "live_bytes_before"), before);
    assert_eq!(
        failure(&over),
        format!(
            "live heap grew {percent:.1}% (+4 000 B, 1 000 B per round) over 4 rounds; budget {budget}%"
        )
    );

    let one = LeakOptions {
        rounds: 1,
        ..options(0.0)
    };
    let single = check("percent/single", &one, &mut leak_exactly(8));
    assert!(
        failure(&single).ends_with("(+8 B, 8 B per round) over 1 round; budget 0%"),
        "{single:?}"
    );

    let unlimited = check(
        "percent/unlimited",
        &options(f64::INFINITY),
        &mut leak_exactly(1000),
    );
    assert_eq!(unlimited.status, Status::Ok);
}

static PREFILLED: Mutex<Vec<Box<[u8]>>> = Mutex::new(Vec::new());

fn shrinking_heap_passes() {
    {
        let mut prefilled = PREFILLED.lock().unwrap();
        prefilled.reserve_exact(10);
        for _ in 0..10 {
            prefilled.push(vec![0u8; 500].into_boxed_slice());
        }
    }
    let options = LeakOptions {
        max_growth_percent: 0.0,
        ..LeakOptions::new(5)
    };
    let result = check("shrinking", &options, &mut |_| {
        drop(PREFILLED.lock().unwrap().pop());
    });
    assert_eq!(result.status, Status::Ok, "{result:?}");
    assert_eq!(per_round(&result), &[-500.0; 5]);
    assert_eq!(label(&result, "growth_bytes_total"), "-2500");
    assert!(growth_ratio(&result) < 0.0);
    assert_eq!(label(&result, "growth_bytes_per_round_fit"), "-500.0");
}

fn rounds_are_numbered_from_the_first_warmup_call() {
    let mut seen = Vec::with_capacity(10);
    let options = LeakOptions {
        warmup_rounds: 2,
        ..LeakOptions::new(3)
    };
    let result = check("numbered", &options, &mut |round| seen.push(round));
    assert_eq!(result.status, Status::Ok, "{result:?}");
    assert_eq!(seen, [0, 1, 2, 3, 4]);
    assert_eq!(label(&result, "warmup_rounds"), "2");
}

/// The module docs' example.
fn bounded_cache_filled_in_warmup_passes() {
    let mut cache = HashMap::new();
    let options = LeakOptions {
        warmup_rounds: 10,
        ..LeakOptions::new(100)
    };
    let result = check("cache/insert", &options, &mut |round| {
        cache.insert(round % 10, vec![0u8; 64]);
    });
    assert_eq!(result.status, Status::Ok, "{result:?}");
    assert_eq!(label(&result, "growth_bytes_total"), "0");

    // Without the warm-up filling it, the cache's growth shows (9 more entries of 64 B and the
    // table's growth), though within 10 % of this heap, which earlier scenarios' leaks made bigger.
    let mut cold = HashMap::new();
    let result = check("cache/cold", &LeakOptions::new(100), &mut |round| {
        cold.insert(round % 10, vec![0u8; 64]);
    });
    assert!(
        label_i64(&result, "growth_bytes_total") > 9 * 64,
        "{result:?}"
    );
    assert_eq!(per_round(&result)[9..], [0.0; 91]);
}
