//! The closed-model runner against real child processes. Bounded and tolerant by design: no
//! assertion depends on how fast the machine is; concurrency is recorded by the commands
//! themselves (a counter under flock), failures follow a seeded plan written beforehand.

use std::fs;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use benchgate_load::{
    Clock, ClosedLoad, CommandSpec, ErrorKind, LatencyHistogram, LoadError, Stop, run_closed,
    run_closed_with_clock,
};

/// Every operation is bounded: a stuck command fails its test (as a `timeout`) instead of
/// hanging it. Far beyond what any operation here takes on a busy machine.
const BOUND: Duration = Duration::from_secs(60);

fn slots(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

fn sh(script: &str) -> CommandSpec {
    CommandSpec::new("sh").arg("-c").arg(script).arg("op")
}

/// Each operation bumps a shared counter under flock, keeps the highest value seen in `max`, holds
/// until `max` reaches N (at most ~20 s, so a runner that never gets there still ends), then
/// decrements. The counter is the commands' own view of how many ran at once.
const CONCURRENCY_PROBE: &str = r#"
dir=$1; n=$2
flock "$dir/lock" sh -c '
  c=$(( $(cat "$1/count") + 1 )); echo $c > "$1/count"
  if [ $c -gt $(cat "$1/max") ]; then echo $c > "$1/max.tmp"; mv "$1/max.tmp" "$1/max"; fi' _ "$dir"
i=0
while m=$(cat "$dir/max"); [ "${m:-0}" -lt "$n" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i + 1)); done
flock "$dir/lock" sh -c 'echo $(( $(cat "$1/count") - 1 )) > "$1/count"' _ "$dir"
"#;

fn max_in_flight_seen_by_commands(n: usize) -> (usize, usize, u64) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("count"), "0\n").unwrap();
    fs::write(dir.path().join("max"), "0\n").unwrap();
    fs::write(dir.path().join("probe.sh"), CONCURRENCY_PROBE).unwrap();
    let command = CommandSpec::new("sh")
        .arg(dir.path().join("probe.sh"))
        .arg(dir.path())
        .arg(n.to_string());
    let operations = 2 * n as u64;
    let level = run_closed(
        &ClosedLoad::new(command, slots(n), Stop::after_operations(operations)).with_timeout(BOUND),
    )
    .unwrap();
    assert_eq!(level.operations, operations, "N = {n}");
    assert_eq!(level.errors.total(), 0, "N = {n}: {:?}", level.errors);
    let seen: usize = fs::read_to_string(dir.path().join("max"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let count_after: String = fs::read_to_string(dir.path().join("count")).unwrap();
    assert_eq!(count_after.trim(), "0", "N = {n}: every operation ended");
    (level.max_in_flight, seen, level.successes())
}

#[test]
fn in_flight_maximum_equals_n_for_1_10_50() {
    for n in [1, 10, 50] {
        let (runner_max, commands_max, successes) = max_in_flight_seen_by_commands(n);
        assert_eq!(commands_max, n, "commands saw at most N = {n} at once");
        assert_eq!(runner_max, n, "runner measured N = {n}");
        assert_eq!(successes, 2 * n as u64);
    }
}

/// xorshift64*: a fixed seed gives the same plan on every machine.
fn seeded_plan(seed: u64, operations: usize, failure_percent: u64) -> Vec<bool> {
    let mut state = seed;
    (0..operations)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D) % 100 < failure_percent
        })
        .collect()
}

#[test]
fn seeded_twenty_percent_failures_are_errors_within_binomial_bounds_and_not_samples() {
    const OPERATIONS: usize = 500;
    let plan = seeded_plan(0x5EED_0013, OPERATIONS, 20);
    let planned_failures = plan.iter().filter(|fails| **fails).count() as u64;
    let dir = tempfile::tempdir().unwrap();
    let lines: String = plan
        .iter()
        .map(|fails| if *fails { "3\n" } else { "0\n" })
        .collect();
    fs::write(dir.path().join("plan"), lines).unwrap();
    fs::write(dir.path().join("next"), "0\n").unwrap();
    // Each operation takes the next line of the plan and exits with it.
    let command = sh(r#"
        i=$(flock "$1/lock" sh -c 'i=$(( $(cat "$1/next") + 1 )); echo $i > "$1/next"; echo $i' _ "$1")
        exit $(sed -n "${i}p" "$1/plan")"#)
    .arg(dir.path());
    let level = run_closed(
        &ClosedLoad::new(
            command,
            slots(10),
            Stop::after_operations(OPERATIONS as u64),
        )
        .with_timeout(BOUND)
        .with_window(Duration::from_millis(50)),
    )
    .unwrap();

    assert_eq!(level.operations, OPERATIONS as u64);
    assert_eq!(level.errors.count(ErrorKind::Exit(3)), planned_failures);
    assert_eq!(level.errors.total(), planned_failures);
    assert_eq!(level.successes(), OPERATIONS as u64 - planned_failures);
    assert_eq!(
        level.latency.len(),
        level.successes(),
        "failures are not samples"
    );
    assert_eq!(
        level.error_rate(),
        planned_failures as f64 / OPERATIONS as f64
    );
    // 99.9 % two-sided binomial bounds for n = 500, p = 0.2: 100 ± 3.29 · √80 → [71, 129].
    assert!(
        (71..=129).contains(&planned_failures),
        "{planned_failures} failures of {OPERATIONS}"
    );
    let window_successes: u64 = level.windows.iter().map(|w| w.successes).sum();
    let window_errors: u64 = level.windows.iter().map(|w| w.errors).sum();
    assert_eq!(
        (window_successes, window_errors),
        (level.successes(), planned_failures)
    );
}

#[test]
fn an_operation_count_bound_runs_exactly_that_many() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ran");
    let level = run_closed(
        &ClosedLoad::new(
            sh(r#"echo x >> "$1""#).arg(&log),
            slots(5),
            Stop::after_operations(37),
        )
        .with_timeout(BOUND),
    )
    .unwrap();
    assert_eq!(level.operations, 37);
    assert_eq!(level.successes(), 37);
    assert_eq!(fs::read_to_string(&log).unwrap().lines().count(), 37);
}

/// Whether `pid` is still the background `sleep 37.5` the timeout test started and not a zombie.
/// The command line is checked because pids are reused quickly while other tests spawn.
fn background_sleep_alive(pid: u32) -> bool {
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let zombie = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            Some(rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true);
    cmdline == b"sleep\x0037.5\x00" && !zombie
}

#[test]
fn a_timeout_becomes_timeout_errors_and_kills_what_the_command_started() {
    let dir = tempfile::tempdir().unwrap();
    // The shell starts a long sleep in the background and waits: killing only the shell would
    // leave the sleep running. A shell killed before it wrote the pid leaves an empty file.
    let command = sh(r#"sleep 37.5 & echo $! > "$1/sleep.$$"; wait"#).arg(dir.path());
    let level = run_closed(
        &ClosedLoad::new(command, slots(2), Stop::after_operations(4))
            .with_timeout(Duration::from_secs(1)),
    )
    .unwrap();
    assert_eq!(level.operations, 4);
    assert_eq!(level.errors.count(ErrorKind::Timeout), 4);
    assert_eq!(level.successes(), 0);
    assert_eq!(level.percentiles(), None);
    let pids: Vec<u32> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|entry| {
            fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .trim()
                .parse()
                .ok()
        })
        .collect();
    assert!(!pids.is_empty(), "no shell got to start its sleep in 1 s");
    // SIGKILL is delivered asynchronously: a killed sleep may still show as running for a moment
    // on a busy machine. Give it up to 10 s, far less than the 37.5 s an unkilled one lasts.
    for _ in 0..1000 {
        if !pids.iter().any(|pid| background_sleep_alive(*pid)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for pid in pids {
        assert!(
            !background_sleep_alive(pid),
            "background sleep {pid} still running"
        );
    }
}

#[test]
fn exit_codes_signals_and_unstartable_commands_are_errors_by_kind() {
    let run = |command: CommandSpec| {
        run_closed(
            &ClosedLoad::new(command, slots(2), Stop::after_operations(3)).with_timeout(BOUND),
        )
        .unwrap()
    };
    let exited = run(sh("exit 7"));
    assert_eq!(exited.errors.count(ErrorKind::Exit(7)), 3);
    let signalled = run(sh("kill -TERM $$"));
    assert_eq!(signalled.errors.count(ErrorKind::Signal(15)), 3);
    let unstartable = run(CommandSpec::new(
        "/nonexistent/benchgate-load-no-such-program",
    ));
    assert_eq!(unstartable.errors.count(ErrorKind::Spawn), 3);
    assert_eq!(unstartable.max_in_flight, 0);
    assert!(!unstartable.reached_concurrency());
    for level in [&exited, &signalled, &unstartable] {
        assert_eq!((level.operations, level.successes()), (3, 0));
        assert_eq!(level.error_rate(), 1.0);
    }
}

#[test]
fn a_duration_bound_stops_by_itself() {
    let level = run_closed(
        &ClosedLoad::new(
            CommandSpec::new("true"),
            slots(4),
            Stop::after_duration(Duration::from_millis(300)),
        )
        .with_timeout(BOUND)
        .with_window(Duration::from_millis(50)),
    )
    .unwrap();
    assert!(level.operations > 0);
    assert_eq!(level.errors.total(), 0);
    let window_successes: u64 = level.windows.iter().map(|w| w.successes).sum();
    assert_eq!(window_successes, level.successes());
}

/// Every reading is 10 ms after the previous one.
struct SteppingClock {
    readings: AtomicU64,
}

impl Clock for SteppingClock {
    fn now(&self) -> Duration {
        Duration::from_millis(10 * self.readings.fetch_add(1, Ordering::SeqCst))
    }
}

#[test]
fn an_injected_clock_drives_the_duration_bound_latencies_and_windows_exactly() {
    let clock = SteppingClock {
        readings: AtomicU64::new(0),
    };
    let load = ClosedLoad::new(
        CommandSpec::new("true"),
        slots(1),
        Stop::after_duration(Duration::from_secs(1)),
    )
    .with_timeout(BOUND)
    .with_window(Duration::from_millis(100));
    let level = run_closed_with_clock(&load, &clock).unwrap();
    // Level starts at 0; operations start at 10, 30, …, 990 ms and end 10 ms later; the start
    // reading at 1010 ms is past the bound.
    assert_eq!(level.operations, 50);
    assert_eq!(level.wall, Duration::from_secs(1));
    assert_eq!(level.throughput(), 50.0);
    let mut ten_ms = LatencyHistogram::new();
    ten_ms.record(Duration::from_millis(10));
    assert_eq!(level.percentiles(), ten_ms.percentiles());
    let per_window: Vec<(u64, u64)> = level
        .windows
        .iter()
        .map(|w| (w.index, w.successes))
        .collect();
    let mut expected = vec![(0, 4)];
    expected.extend((1..10).map(|index| (index, 5)));
    expected.push((10, 1));
    assert_eq!(per_window, expected);
}

#[test]
fn zero_window_or_timeout_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let load = ClosedLoad::new(
        sh(r#"touch "$1""#).arg(&marker),
        slots(1),
        Stop::after_operations(1),
    )
    .with_timeout(BOUND);
    let error = run_closed(&load.clone().with_window(Duration::ZERO)).unwrap_err();
    assert!(matches!(error, LoadError::ZeroWindow));
    assert_eq!(
        error.to_string(),
        "the window width must be greater than zero"
    );
    let error = run_closed(&load.with_timeout(Duration::ZERO)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the operation timeout must be greater than zero"
    );
    assert!(!Path::new(&marker).exists());
}

#[test]
fn a_sweep_runs_each_level_with_its_own_concurrency() {
    let template = ClosedLoad::new(
        CommandSpec::new("true"),
        slots(1),
        Stop::after_operations(12),
    )
    .with_timeout(BOUND);
    let levels = benchgate_load::run_sweep(&template, &[slots(1), slots(3)]).unwrap();
    let shape: Vec<(usize, u64, u64)> = levels
        .iter()
        .map(|level| (level.concurrency, level.operations, level.successes()))
        .collect();
    assert_eq!(shape, [(1, 12, 12), (3, 12, 12)]);
    assert_eq!(levels[0].max_in_flight, 1);
    assert!((1..=3).contains(&levels[1].max_in_flight));
    let efficiencies = benchgate_load::sweep_efficiencies(&levels);
    assert_eq!(efficiencies[0], Some(1.0));
    assert!(efficiencies[1].is_some());
}

#[test]
fn four_slots_of_a_sleeping_command_average_about_four_in_flight_as_littles_law_says() {
    let level = run_closed(
        &ClosedLoad::new(sh("sleep 0.05"), slots(4), Stop::after_operations(24))
            .with_timeout(BOUND),
    )
    .unwrap();
    assert_eq!(level.errors.total(), 0, "{:?}", level.errors);
    // Four children alive nearly all the time: the gaps are the runner's spawns and reaps.
    let mean = level.mean_in_flight.unwrap();
    assert!(mean > 2.0 && mean <= 4.0 + 1e-9, "{mean}");
    let check = benchgate_load::littles_law(&level).unwrap();
    assert!(check.deviation.abs() < 0.25, "{check:?}");
}
