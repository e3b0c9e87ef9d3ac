//! `benchgate exec -- cargo bench -p vm-cleanup` (from examples/vm-cleanup, whose benchgate.toml
//! holds the budgets): the VM-cleanup scenarios, each a seeded workload replayed whole per
//! iteration on tokio's paused clock. The harness measures the real wall time, bytes and
//! allocations per cleanup; the simulator's figures (calls per cleanup, max concurrent calls,
//! success rate, time to give up) are exact for the seed and reported beside them, and every
//! benchmark is `mode = simulated`. `VM_CLEANUP_POLICY=fixed-sleep|no-jitter|max-attempts-5|
//! no-grace` swaps in a broken policy, which the budgets fail.

use benchgate_harness::{
    Bencher, CountingAllocator, Direction, Measure, Metric, Mode, Suite, Unit, black_box,
};
use tokio::runtime::Runtime;
use vm_cleanup::{Figures, LEVELS, Scenario, Variant, paused_runtime};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

fn main() {
    let variant = match Variant::from_env() {
        Ok(variant) => variant,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let rt = match paused_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start a tokio runtime: {e}");
            std::process::exit(1);
        }
    };
    if variant != Variant::Correct {
        eprintln!("vm-cleanup: policy variant {}", variant.name());
    }
    let mut suite = Suite::from_args();
    suite.group("cleanup", |g| {
        g.bench("healthy", |b| {
            scenario(b, &rt, &Scenario::healthy(), variant)
        });
        g.bench("flaky", |b| scenario(b, &rt, &Scenario::flaky(), variant));
        g.bench_with_inputs("flaky", "concurrency", LEVELS, |b, &level| {
            scenario(b, &rt, &Scenario::flaky_at(level), variant)
        });
        g.bench("down", |b| scenario(b, &rt, &Scenario::down(), variant));
        g.bench("shutdown", |b| {
            scenario(b, &rt, &Scenario::shutdown(), variant)
        });
    });
    suite.finish();
}

/// One benchmark: the scenario's figures from a first replay, then the harness times whole
/// replays (each iteration is `scenario.ops()` cleanups), then a last replay must give the same
/// figures (they are reported as exact).
fn scenario(b: &Bencher, rt: &Runtime, scenario: &Scenario, variant: Variant) {
    b.mode(Mode::Simulated);
    let policy = variant.policy();
    let grace = variant.grace();
    let replay = || match rt.block_on(scenario.replay(&policy, grace)) {
        Ok(figures) => figures,
        Err(e) => panic!("the scenario's backend is misconfigured: {e}"),
    };
    let figures = replay();
    report(b, &figures);
    b.operations(scenario.ops());
    b.iter(|| black_box(replay()));
    let again = replay();
    assert_eq!(again, figures, "a replay of the seeded scenario differed");
}

fn report(b: &Bencher, f: &Figures) {
    let exact = |name: &str, unit: Unit, direction: Direction, value: f64| {
        if let Some(metric) =
            Metric::from_samples(Measure::Custom(name.into()), unit, direction, vec![value])
        {
            b.metric(metric.exact(true));
        }
    };
    exact(
        "calls_per_op",
        Unit::Count,
        Direction::LowerIsBetter,
        f.calls_per_op(),
    );
    exact(
        "max_concurrent_calls",
        Unit::Count,
        Direction::HigherIsBetter,
        f.max_concurrent_calls as f64,
    );
    exact(
        "success_rate",
        Unit::Ratio,
        Direction::HigherIsBetter,
        f.success_rate(),
    );
    exact(
        "completed_rate",
        Unit::Ratio,
        Direction::HigherIsBetter,
        f.completed_rate(),
    );
    exact(
        "sim_ops_per_s",
        Unit::PerSecond,
        Direction::HigherIsBetter,
        f.ops_per_sim_second(),
    );
    if let Some(mean) = f.give_up_time() {
        let ns = |d: std::time::Duration| d.as_nanos() as f64;
        exact(
            "give_up_time",
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            ns(mean),
        );
        exact(
            "give_up_time_max",
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            ns(f.give_up_max),
        );
    }
    if let Some(growth) = f.backoff_growth() {
        exact(
            "backoff_growth",
            Unit::Ratio,
            Direction::HigherIsBetter,
            growth,
        );
        exact(
            "retry_burst",
            Unit::Count,
            Direction::LowerIsBetter,
            f.retry_burst as f64,
        );
    }
}
