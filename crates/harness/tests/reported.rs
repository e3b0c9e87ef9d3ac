//! What a benchmark says about itself: figures it worked out (a simulator's calls per operation,
//! its give-up time) as metrics beside the harness's own, `mode = simulated` carried into the
//! benchmark, the run and the table, and iterations that are several operations each (a seeded
//! workload replayed whole) reported per operation.

use std::sync::Mutex;
use std::time::Duration;

use benchgate_harness::{
    Args, CountingAllocator, Direction, Measure, Metric, Mode, Suite, Unit, black_box,
};
use benchgate_model::{Run, Status};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

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

fn figure(name: &str, unit: Unit, direction: Direction, value: f64) -> Metric {
    Metric::from_samples(Measure::Custom(name.into()), unit, direction, vec![value])
        .unwrap()
        .exact(true)
}

#[test]
fn reported_figures_are_kept_as_given_beside_the_measured_ones() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("cleanup", |b| {
        b.metric(figure(
            "calls_per_op",
            Unit::Count,
            Direction::LowerIsBetter,
            1.625,
        ));
        b.metric(figure(
            "success_rate",
            Unit::Ratio,
            Direction::HigherIsBetter,
            0.936,
        ));
        b.iter(|| black_box(Vec::<u8>::with_capacity(black_box(16))))
    });
    let run = s.run();
    let calls = metric(&run, "cleanup", "calls_per_op");
    assert_eq!(calls.samples, [1.625]);
    assert_eq!(calls.unit, Unit::Count);
    assert!(calls.exact);
    let success = metric(&run, "cleanup", "success_rate");
    assert_eq!(success.summary.median, 0.936);
    assert_eq!(success.direction, Direction::HigherIsBetter);
    // The harness's own measures are still there.
    assert_eq!(metric(&run, "cleanup", "allocs").summary.median, 1.0);
    assert!(metric(&run, "cleanup", "wall_time").samples.len() >= 2);
    // The table shows a reported figure as given, a measured count per operation.
    let table = s.table();
    let header = table.lines().next().unwrap();
    assert!(header.contains("  calls_per_op  "), "{table}");
    assert!(!header.contains("calls_per_op/op"), "{table}");
    assert!(header.contains("allocs/op"), "{table}");
}

#[test]
fn a_reported_figure_cannot_take_a_measured_name_or_come_twice() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("clash", |b| {
        b.metric(figure("allocs", Unit::Count, Direction::LowerIsBetter, 3.0));
        b.iter(|| black_box(1))
    });
    s.bench("twice", |b| {
        b.metric(figure("calls", Unit::Count, Direction::LowerIsBetter, 3.0));
        b.metric(figure("calls", Unit::Count, Direction::LowerIsBetter, 4.0));
        b.iter(|| black_box(1))
    });
    let run = s.run();
    let clash = run.benchmark("clash").unwrap();
    assert_eq!(
        clash.status,
        Status::Failed {
            message: "the benchmark reported allocs, which the harness measures itself".into()
        }
    );
    let twice = run.benchmark("twice").unwrap();
    assert_eq!(
        twice.status,
        Status::Failed {
            message: "the benchmark reported calls twice".into()
        }
    );
}

#[test]
fn simulated_benchmarks_are_marked_in_the_benchmark_the_run_and_the_table() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("sim/cleanup", |b| {
        b.mode(Mode::Simulated);
        b.iter(|| black_box(1))
    });
    s.bench("real/parse", |b| b.iter(|| black_box(2)));
    let run = s.run();
    assert_eq!(
        run.benchmark("sim/cleanup").unwrap().mode,
        Some(Mode::Simulated)
    );
    // Explicitly real: a benchmark without a mode takes the run's, which is simulated now.
    assert_eq!(run.benchmark("real/parse").unwrap().mode, Some(Mode::Real));
    // As `benchgate run` marks a suite with simulated benches: the run is simulated, and the tag
    // says which.
    assert_eq!(run.provenance.mode, Mode::Simulated);
    assert_eq!(run.provenance.tags["simulated"], "sim/cleanup");
    let table = s.table();
    assert!(
        table.starts_with(
            "SIMULATED (measured against a stand-in, not the real system): sim/cleanup\n"
        ),
        "{table}"
    );

    let mut real = suite(&["--bench"]);
    real.bench("real/parse", |b| b.iter(|| black_box(2)));
    let run = real.run();
    assert_eq!(run.provenance.mode, Mode::Real);
    assert_eq!(run.benchmark("real/parse").unwrap().mode, None);
    assert!(!run.provenance.tags.contains_key("simulated"));
    assert!(!real.table().contains("SIMULATED"));
}

#[test]
fn iterations_of_several_operations_are_reported_per_operation() {
    let _g = SERIAL.lock();
    let mut s = suite(&["--bench"]);
    s.bench("batch", |b| {
        b.operations(20);
        b.iter(|| {
            for i in 0..40u64 {
                black_box(Box::new(black_box(i)));
            }
            b.count("calls", 30);
            std::thread::sleep(Duration::from_millis(2));
        })
    });
    let run = s.run();
    // 40 boxes of 8 bytes and 30 calls per iteration of 20 operations.
    assert!(
        metric(&run, "batch", "allocs")
            .samples
            .iter()
            .all(|&a| a == 2.0)
    );
    assert!(
        metric(&run, "batch", "alloc_bytes")
            .samples
            .iter()
            .all(|&a| a == 16.0)
    );
    assert!(
        metric(&run, "batch", "calls")
            .samples
            .iter()
            .all(|&c| c == 1.5)
    );
    let wall = metric(&run, "batch", "wall_time");
    // 2 ms of sleep an iteration is at least 100 µs an operation, and far from 2 ms (an
    // iteration would have to take 40 ms for the median to reach it).
    assert!(wall.summary.min >= 100_000.0, "{:?}", wall.samples);
    assert!(wall.summary.median < 2_000_000.0, "{:?}", wall.samples);
    // A sample's iterations count operations.
    let iterations = wall.iterations.as_ref().unwrap();
    assert!(iterations.iter().all(|i| i % 20 == 0), "{iterations:?}");
    assert_eq!(
        run.benchmark("batch").unwrap().labels["operations_per_iteration"],
        "20"
    );
}
