//! Concurrency sweeps on real threads. Timing is only ever bounded structurally (a 20 ms sleep
//! takes at least 20 ms; sleeps overlap), never against the clock of a shared machine.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::sleep;
use std::time::Duration;

use benchgate_harness::concurrent::{Ctx, SweepOptions, sweep};
use benchgate_model::{Benchmark, Measure, Status, Unit};

fn short() -> SweepOptions {
    SweepOptions {
        duration: Duration::from_millis(300),
        windows: 3,
        warmup: Duration::from_millis(30),
    }
}

fn custom(name: &str) -> Measure {
    Measure::Custom(name.to_string())
}

fn label(bench: &Benchmark, key: &str) -> u64 {
    bench.labels[key].parse().unwrap()
}

fn samples(bench: &Benchmark, measure: &Measure) -> Vec<f64> {
    bench
        .metric(measure)
        .unwrap_or_else(|| panic!("{} has no {measure}", bench.name))
        .samples
        .clone()
}

fn mean(bench: &Benchmark, measure: &Measure) -> f64 {
    bench.metric(measure).unwrap().summary.mean
}

fn assert_ok(bench: &Benchmark) {
    assert_eq!(bench.status, Status::Ok, "{}", bench.name);
}

#[test]
fn sleeping_op_runs_exactly_n_at_once_and_parallelises() {
    let results = sweep("sleep", &[1, 4, 10], &short(), |_: &Ctx| {
        sleep(Duration::from_millis(20))
    });
    let names: Vec<&str> = results.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sleep/concurrency=1",
            "sleep/concurrency=4",
            "sleep/concurrency=10"
        ]
    );
    for (bench, n) in results.iter().zip([1u64, 4, 10]) {
        assert_ok(bench);
        let max = bench.metric(&custom("max_concurrency")).unwrap();
        assert_eq!(max.samples, [n as f64], "{}", bench.name);
        assert!(max.exact);
        assert_eq!(max.unit, Unit::Count);
        assert_eq!(label(bench, "threads"), n);
        assert_eq!(bench.labels["mode"], "timed");
        assert_eq!(bench.labels["scaling_reference"], "1");
        assert_eq!(label(bench, "windows"), 3);
        // Each worker completes at most 300 ms / 20 ms ops in the measured span, and some.
        let ops = label(bench, "ops");
        assert!(ops >= n && ops <= 15 * n, "{}: {ops} ops", bench.name);
        assert_eq!(label(bench, "errors"), 0);
        assert_eq!(samples(bench, &Measure::Throughput).len(), 3);
        assert_eq!(samples(bench, &Measure::ErrorRate), vec![0.0; 3]);
        // A 20 ms sleep takes at least 20 ms.
        for p in [
            Measure::LatencyP50,
            Measure::LatencyP90,
            Measure::LatencyP95,
            Measure::LatencyP99,
            Measure::LatencyP999,
        ] {
            assert!(samples(bench, &p).iter().all(|&ns| ns >= 20e6), "{p}");
        }
        assert!(label(bench, "latency_p50_ns") >= 20_000_000);
        assert!(label(bench, "latency_max_ns") >= label(bench, "latency_p99_ns"));
        assert_eq!(label(bench, "duration_ns"), 300_000_000);
    }
    let throughput = |i: usize| mean(&results[i], &Measure::Throughput);
    assert!(
        throughput(1) > 2.0 * throughput(0),
        "4 sleepers {} /s, 1 sleeper {} /s",
        throughput(1),
        throughput(0)
    );
    // At most 5 completions of a 20 ms sleep fit in a 100 ms window.
    assert!(
        samples(&results[0], &Measure::Throughput)
            .iter()
            .all(|&t| t <= 50.0 + 1e-9)
    );
    let efficiency = custom("scaling_efficiency");
    assert!((mean(&results[0], &efficiency) - 1.0).abs() < 1e-9);
    assert!(mean(&results[1], &efficiency) > 0.5);
}

#[test]
fn every_fourth_error_gives_an_error_rate_of_a_quarter() {
    let options = SweepOptions {
        duration: Duration::from_millis(100),
        windows: 2,
        warmup: Duration::from_millis(10),
    };
    let n = 2;
    let results = sweep("errors", &[n], &options, |ctx| {
        sleep(Duration::from_micros(50));
        if ctx.iteration() % 4 == 3 {
            Err("every fourth")
        } else {
            Ok(ctx.iteration())
        }
    });
    let bench = &results[0];
    assert_ok(bench);
    let (ops, errors) = (label(bench, "ops"), label(bench, "errors"));
    assert!(ops >= 40, "{ops} ops");
    // Each worker's measured ops are consecutive iterations: its errors are a quarter of them
    // give or take one.
    assert!(
        (errors * 4).abs_diff(ops) <= 3 * n as u64,
        "{errors} errors in {ops} ops"
    );
    let rate = mean(bench, &Measure::ErrorRate);
    assert!(
        (rate - 0.25).abs() <= 2.0 * n as f64 / ops as f64 + 1e-9,
        "{rate}"
    );
}

#[test]
fn a_panicking_op_fails_its_level_and_the_sweep_goes_on() {
    let options = SweepOptions {
        duration: Duration::from_millis(60),
        windows: 2,
        warmup: Duration::from_millis(5),
    };
    // Worker 2 of level 3 panics on its very first operation, before the others have done much.
    let results = sweep("panics", &[1, 3, 2], &options, |ctx| {
        if ctx.level() == 3 && ctx.worker() == 2 {
            panic!("boom at level {}", ctx.level());
        }
        sleep(Duration::from_millis(1));
    });
    assert_eq!(results.len(), 3);
    assert_ok(&results[0]);
    assert_ok(&results[2]);
    assert_eq!(
        results[1].status,
        Status::Failed {
            message: "worker 2 panicked: boom at level 3".to_string()
        }
    );
    assert!(results[1].metrics.is_empty());
    assert_eq!(results[1].name, "panics/concurrency=3");
    // The failed level is not a reference and gets no efficiency.
    assert_eq!(results[2].labels["scaling_reference"], "1");
    assert!(results[1].metric(&custom("scaling_efficiency")).is_none());
}

#[test]
fn names_params_and_level_zero() {
    let runs = AtomicU64::new(0);
    let results = sweep("x", &[0, 4], &SweepOptions::smoke(), |_| {
        runs.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(runs.into_inner(), 4);
    assert_eq!(results.len(), 2);

    let zero = &results[0];
    assert_eq!(zero.name, "x/concurrency=0");
    assert!(
        matches!(&zero.status, Status::Failed { message } if message.contains("level 0")),
        "{:?}",
        zero.status
    );
    assert!(zero.metrics.is_empty());

    let four = &results[1];
    assert_ok(four);
    assert_eq!(four.name, "x/concurrency=4");
    assert_eq!(
        four.params,
        [("concurrency".to_string(), "4".to_string())].into()
    );
    assert_eq!(four.command, None);
}

#[test]
fn smoke_runs_each_worker_once_and_still_reports() {
    let runs = AtomicU64::new(0);
    let seen = Mutex::new(BTreeSet::new());
    let results = sweep("smoke", &[1, 4, 8], &SweepOptions::smoke(), |ctx| {
        runs.fetch_add(1, Ordering::Relaxed);
        seen.lock()
            .unwrap()
            .insert((ctx.level(), ctx.worker(), ctx.iteration()));
        ctx.worker() != 0 // worker 0's op fails
    });
    assert_eq!(runs.into_inner(), 1 + 4 + 8);
    let seen = seen.into_inner().unwrap();
    let expected: BTreeSet<_> = [1, 4, 8]
        .into_iter()
        .flat_map(|n| (0..n).map(move |w| (n, w, 0)))
        .collect();
    assert_eq!(seen, expected);

    for (bench, n) in results.iter().zip([1u64, 4, 8]) {
        assert_ok(bench);
        assert_eq!(bench.labels["mode"], "smoke");
        assert_eq!(label(bench, "ops"), n);
        assert_eq!(label(bench, "errors"), 1);
        assert_eq!(label(bench, "windows"), 1);
        let max = samples(bench, &custom("max_concurrency"))[0];
        assert!(max >= 1.0 && max <= n as f64, "{max}");
        assert_eq!(samples(bench, &Measure::ErrorRate), [1.0 / n as f64]);
        for measure in [
            Measure::Throughput,
            Measure::LatencyP50,
            Measure::LatencyP99,
            Measure::LatencyP999,
            custom("scaling_efficiency"),
        ] {
            let s = samples(bench, &measure);
            assert_eq!(s.len(), 1, "{measure}");
            assert!(s[0].is_finite() && s[0] > 0.0, "{measure}: {s:?}");
        }
        let names: BTreeSet<&Measure> = bench.metrics.iter().map(|m| &m.measure).collect();
        assert_eq!(names.len(), bench.metrics.len(), "a measure twice");
    }
}

#[test]
fn duplicate_levels_run_once_and_efficiency_falls_back_to_the_smallest_level() {
    let runs = AtomicU64::new(0);
    let results = sweep("dup", &[3, 2, 3, 2], &SweepOptions::smoke(), |_| {
        runs.fetch_add(1, Ordering::Relaxed);
        true
    });
    assert_eq!(runs.into_inner(), 3 + 2);
    let names: Vec<&str> = results.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["dup/concurrency=3", "dup/concurrency=2"]);
    for bench in &results {
        assert_ok(bench);
        assert_eq!(bench.labels["scaling_reference"], "2");
    }
    let efficiency = samples(&results[1], &custom("scaling_efficiency"));
    assert!((efficiency[0] - 1.0).abs() < 1e-9, "{efficiency:?}");

    assert!(sweep("none", &[], &SweepOptions::smoke(), |_| ()).is_empty());
}

#[test]
fn an_op_slower_than_the_measurement_fails_the_level() {
    let options = SweepOptions {
        duration: Duration::from_millis(20),
        windows: 2,
        warmup: Duration::ZERO,
    };
    let results = sweep("slow", &[2], &options, |_| sleep(Duration::from_millis(80)));
    assert!(
        matches!(&results[0].status, Status::Failed { message } if message.contains("no operation completed")),
        "{:?}",
        results[0].status
    );
}

#[test]
fn option_presets() {
    let default = SweepOptions::default();
    assert_eq!(default.duration, Duration::from_secs(1));
    assert_eq!(default.windows, 10);
    assert_eq!(default.warmup, Duration::from_millis(100));
    let quick = SweepOptions::quick();
    assert!(quick.duration < default.duration && quick.windows >= 1);
    let smoke = SweepOptions::smoke();
    assert_eq!(
        (smoke.duration, smoke.warmup),
        (Duration::ZERO, Duration::ZERO)
    );
}
