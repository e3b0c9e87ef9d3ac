//! The suite end to end in process (with the counting allocator installed): exact allocation
//! and counter figures, names and parameters, failures, filters, `--list`, and the JSON against
//! the run schema.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use benchgate_harness::{Args, BatchSize, CountingAllocator, Suite, black_box};
use benchgate_model::{Measure, Metric, Run, Source, Status};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

/// Benchmarks here measure this thread's allocations; other tests' threads do not disturb them,
/// but serialising keeps the timing tests from competing for the 2 cores.
static SERIAL: Mutex<()> = Mutex::new(());

fn suite(flags: &[&str]) -> Suite {
    let mut s = Suite::new(Args::parse(flags.iter().copied()).unwrap());
    let c = s.config_mut();
    c.warm_up = Duration::from_millis(5);
    c.measurement = Duration::from_millis(20);
    c.sample_count = 10;
    s
}

fn metric<'r>(run: &'r Run, bench: &str, measure: &str) -> &'r Metric {
    let b = run
        .benchmark(bench)
        .unwrap_or_else(|| panic!("no benchmark {bench}"));
    b.metric(&Measure::parse(measure))
        .unwrap_or_else(|| panic!("{bench} has no {measure}: {b:?}"))
}

fn all_equal(m: &Metric, value: f64) {
    assert!(
        m.samples.iter().all(|&s| s == value),
        "{:?}: {:?}",
        m.measure,
        m.samples
    );
    assert!(m.exact, "{:?} is deterministic here", m.measure);
}

#[test]
fn allocations_per_operation_are_exact() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("with_capacity", |b| {
        b.iter(|| Vec::<u8>::with_capacity(black_box(1024)))
    });
    s.bench("boxes", |b| {
        b.iter(|| {
            for i in 0..10u64 {
                black_box(Box::new(black_box(i)));
            }
        })
    });
    s.bench("none", |b| b.iter(|| black_box(3u64).pow(black_box(5))));
    let run = s.run();
    all_equal(metric(&run, "with_capacity", "allocs"), 1.0);
    all_equal(metric(&run, "with_capacity", "alloc_bytes"), 1024.0);
    all_equal(metric(&run, "with_capacity", "reallocs"), 0.0);
    all_equal(metric(&run, "boxes", "allocs"), 10.0);
    all_equal(metric(&run, "boxes", "alloc_bytes"), 80.0);
    all_equal(metric(&run, "none", "allocs"), 0.0);
    all_equal(metric(&run, "none", "alloc_bytes"), 0.0);
    // Each box is freed before the next: the peak is one box above the sample's start.
    all_equal(metric(&run, "boxes", "peak_live_bytes"), 8.0);
    let wall = metric(&run, "boxes", "wall_time");
    assert_eq!(wall.samples.len(), 10);
    assert_eq!(wall.iterations.as_ref().map(Vec::len), Some(10));
}

#[test]
fn setup_is_neither_timed_nor_counted() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("sort", |b| {
        b.iter_batched(
            || (0..64u32).rev().collect::<Vec<u32>>(),
            |mut v| {
                v.sort_unstable();
                v
            },
            BatchSize::SmallInput,
        )
    });
    s.bench("clone", |b| {
        b.iter_batched_ref(
            || vec![7u8; 100],
            |v| v.clone(),
            BatchSize::NumIterations(4),
        )
    });
    let run = s.run();
    // The input vectors are made (and the sorted outputs dropped) outside the timed part.
    all_equal(metric(&run, "sort", "allocs"), 0.0);
    all_equal(metric(&run, "clone", "allocs"), 1.0);
    all_equal(metric(&run, "clone", "alloc_bytes"), 100.0);
}

#[test]
fn custom_counters_are_per_operation() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("calls", |b| {
        b.iter(|| {
            b.count("backend_calls", 3);
            benchgate_harness::count("cache_hits", 1);
        })
    });
    let run = s.run();
    all_equal(metric(&run, "calls", "backend_calls"), 3.0);
    all_equal(metric(&run, "calls", "cache_hits"), 1.0);
    assert_eq!(
        metric(&run, "calls", "backend_calls").unit.as_str(),
        "count"
    );
}

#[test]
fn declared_work_gives_rates() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("bytes", |b| {
        b.bytes(4096);
        b.elements(16);
        b.iter(|| {
            black_box([0u8; 4096])
                .iter()
                .map(|&x| x as u64)
                .sum::<u64>()
        })
    });
    let run = s.run();
    let wall = metric(&run, "bytes", "wall_time");
    let rate = metric(&run, "bytes", "bytes_per_second");
    for (ns, r) in wall.samples.iter().zip(&rate.samples) {
        assert!((r - 4096.0 * 1e9 / ns).abs() <= 1e-6 * r);
    }
    let per_s = metric(&run, "bytes", "throughput");
    assert!((per_s.samples[0] - 16.0 * 1e9 / wall.samples[0]).abs() <= 1e-6 * per_s.samples[0]);
}

#[test]
fn names_params_and_groups() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench_with_inputs("sort", "len", [10usize, 100], |b, &n| {
        b.iter(|| (0..n).rev().collect::<Vec<_>>())
    });
    s.group("parse", |g| {
        g.config_mut().sample_count = 5;
        g.bench("small", |b| b.iter(|| black_box("1 2").split(' ').count()));
        g.group("json", |g| g.bench("tiny", |b| b.iter(|| black_box(1))));
    });
    let run = s.run();
    let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sort/len=10",
            "sort/len=100",
            "parse/small",
            "parse/json/tiny"
        ]
    );
    assert_eq!(
        run.benchmarks[1].params,
        BTreeMap::from([("len".to_string(), "100".to_string())])
    );
    assert_eq!(metric(&run, "parse/small", "wall_time").samples.len(), 5);
    assert_eq!(
        metric(&run, "parse/json/tiny", "wall_time").samples.len(),
        5
    );
    assert_eq!(run.source, Source::Harness);
    // The loop's own cost is measured once and reported with every timed benchmark.
    let overhead: Vec<&String> = run
        .benchmarks
        .iter()
        .map(|b| &b.labels["loop_overhead_ns"])
        .collect();
    assert!(overhead.iter().all(|o| *o == overhead[0]));
    let ns: f64 = overhead[0].parse().unwrap();
    assert!((0.0..1000.0).contains(&ns), "{ns}");
}

#[test]
fn failures_are_reported_and_the_rest_runs() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("panics", |b| b.iter(|| panic!("deliberate")));
    s.bench("never_iterates", |_b| {});
    s.bench("twice", |b| {
        b.iter(|| 1);
        b.iter(|| 2);
    });
    s.bench("fine", |b| b.iter(|| 1));
    let run = s.run();
    let status = |name: &str| run.benchmark(name).unwrap().status.clone();
    assert_eq!(
        status("panics"),
        Status::Failed {
            message: "panicked: deliberate".into()
        }
    );
    assert_eq!(
        status("never_iterates"),
        Status::Failed {
            message: "the benchmark never called b.iter (or another iter method)".into()
        }
    );
    assert!(matches!(status("twice"), Status::Failed { message } if message.contains("2 times")));
    assert_eq!(status("fine"), Status::Ok);
}

#[test]
fn filters_skip_exact_and_list() {
    let _g = SERIAL.lock();
    let register = |s: &mut Suite| {
        for name in ["parse/small", "parse/large", "sort/small"] {
            s.bench(name, |b| b.iter(|| 1));
        }
    };
    let names = |flags: &[&str]| {
        let mut s = suite(flags);
        register(&mut s);
        let run = s.run();
        run.benchmarks
            .into_iter()
            .map(|b| b.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&["--bench", "parse"]), ["parse/small", "parse/large"]);
    assert_eq!(
        names(&["--bench", "small", "--skip", "sort"]),
        ["parse/small"]
    );
    assert_eq!(
        names(&["--bench", "--exact", "parse"]),
        Vec::<String>::new()
    );
    assert_eq!(names(&["--bench", "--exact", "sort/small"]), ["sort/small"]);
    // --list runs nothing and remembers the names.
    let mut s = suite(&["--list", "parse"]);
    let mut ran = false;
    s.bench("parse/x", |b| {
        ran = true;
        b.iter(|| 1)
    });
    assert!(!ran);
    assert_eq!(s.listed(), ["parse/x"]);
    assert!(s.run().benchmarks.is_empty());
}

#[test]
fn smoke_runs_each_benchmark_once() {
    let _g = SERIAL.lock();
    let mut s = suite(&[]);
    let mut calls = 0;
    s.bench("once", |b| b.iter(|| calls += 1));
    assert_eq!(calls, 1);
    let run = s.run();
    assert_eq!(metric(&run, "once", "wall_time").samples.len(), 1);
    assert!(!run.benchmarks[0].labels.contains_key("loop_overhead_ns"));
}

#[test]
fn the_run_validates_against_the_schema_and_reads_back() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("a", |b| {
        b.iter(|| {
            b.count("calls", 1);
            vec![1u8; 10]
        })
    });
    s.bench("fails", |b| b.iter(|| panic!("x")));
    let run = s.run();
    let json = run.to_json_pretty();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/run.v1.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let back = Run::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, run);
}
