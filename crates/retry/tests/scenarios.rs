//! The cleanup/retry scenarios of issue 14 against the simulated backend, on tokio's paused
//! clock: time is virtual, so durations are asserted exactly and nothing really sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use benchgate_retry::{
    Backoff, CancelToken, FailureCause, GaveUp, GraceOutcome, Jitter, Outcome, RetryOn,
    RetryPolicy, Schedule, SimBackend, SimConfig, SimError, SimReply, SimStats, SplitMix64, retry,
    with_grace,
};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

const MS: Duration = Duration::from_millis(1);

fn backend(config: SimConfig) -> Arc<SimBackend> {
    Arc::new(SimBackend::new(config).unwrap())
}

/// 10 ms, 20 ms, 40 ms, … capped at 1 s.
fn exponential(max_attempts: u32) -> RetryPolicy<SimError> {
    let backoff = Backoff::Exponential {
        base: MS * 10,
        factor: 2.0,
        cap: MS * 1000,
    };
    RetryPolicy::new(max_attempts, backoff).unwrap()
}

/// One operation: call the backend about `key` under `policy`, jitter seeded per operation.
async fn op(
    backend: &SimBackend,
    policy: &RetryPolicy<SimError>,
    seed: u64,
    key: u64,
) -> Outcome<SimReply, SimError> {
    let jitter_seed = SplitMix64::for_index(seed, key).next_u64();
    retry(policy, jitter_seed, |_attempt| backend.call(key)).await
}

/// Closed model: `workers` tasks, each running `ops_each` operations back to back.
async fn run_closed(
    backend: &Arc<SimBackend>,
    policy: &RetryPolicy<SimError>,
    seed: u64,
    workers: u64,
    ops_each: u64,
) -> Vec<Outcome<SimReply, SimError>> {
    let mut tasks = JoinSet::new();
    for worker in 0..workers {
        let backend = Arc::clone(backend);
        let policy = policy.clone();
        tasks.spawn(async move {
            let mut outcomes = Vec::new();
            for i in 0..ops_each {
                outcomes.push(op(&backend, &policy, seed, worker * ops_each + i).await);
            }
            outcomes
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.extend(done.unwrap());
    }
    outcomes
}

#[tokio::test(start_paused = true)]
async fn total_failure_makes_exactly_three_calls_per_op_and_gives_up_after_delays_plus_latencies() {
    let sim = backend(SimConfig::fixed(MS * 5).with_fail_rate(1.0).with_seed(1));
    let policy = exponential(3);
    let start = Instant::now();
    for key in 0..20 {
        let outcome = op(&sim, &policy, 1, key).await;
        assert_eq!(outcome.attempts, 3);
        assert_eq!(outcome.gave_up_because, Some(GaveUp::MaxAttempts));
        // 5 ms call, 10 ms wait, 5 ms call, 20 ms wait, 5 ms call; no wait after the last.
        assert_eq!(outcome.elapsed, MS * 45);
        assert_eq!(outcome.slept, MS * 30);
        let error = outcome.result.unwrap_err();
        assert_eq!((error.key, error.cause), (key, FailureCause::Random));
    }
    assert_eq!(start.elapsed(), MS * 45 * 20);
    let stats = sim.stats();
    assert_eq!((stats.calls, stats.failures, stats.successes), (60, 60, 0));
}

/// Calls, elapsed time summed over ops, and successes of 1000 ops (one at a time) against a 5 ms
/// backend failing 40 % of calls, 3 attempts with full jitter.
async fn forty_percent_run_totals(seed: u64) -> (SimStats, Duration, u64) {
    let sim = backend(SimConfig::fixed(MS * 5).with_fail_rate(0.4).with_seed(seed));
    let policy = exponential(3).with_jitter(Jitter::Full);
    let outcomes = run_closed(&sim, &policy, seed, 1, 1000).await;
    let elapsed: Duration = outcomes.iter().map(|o| o.elapsed).sum();
    let succeeded = outcomes.iter().filter(|o| o.result.is_ok()).count() as u64;
    for outcome in &outcomes {
        assert_eq!(outcome.result.is_ok(), outcome.gave_up_because.is_none());
        assert!((1..=3).contains(&outcome.attempts));
    }
    (sim.stats(), elapsed, succeeded)
}

#[tokio::test(start_paused = true)]
async fn forty_percent_failures_cost_the_expected_calls_per_op_reproducibly() {
    let p: f64 = 0.4;
    // Calls per op with 3 attempts: 1 + p + p² = (1 − p³)/(1 − p) = 1.56; success 1 − p³.
    let expected_calls = (1.0 - p.powi(3)) / (1.0 - p);
    let expected_success = 1.0 - p.powi(3);
    assert!((expected_calls - 1.56).abs() < 1e-12);

    let (stats, elapsed, succeeded) = forty_percent_run_totals(7).await;
    let calls_per_op = stats.calls as f64 / 1000.0;
    // sd of calls/op over 1000 ops ≈ 0.024 (per-op variance 0.5664): ±0.15 is > 6 sd.
    assert!(
        (calls_per_op - expected_calls).abs() < 0.15,
        "{calls_per_op} calls/op, expected {expected_calls}"
    );
    // sd of the success rate ≈ 0.0077: ±0.05 is > 6 sd.
    let success_rate = succeeded as f64 / 1000.0;
    assert!(
        (success_rate - expected_success).abs() < 0.05,
        "{success_rate}"
    );
    assert_eq!(stats.successes, succeeded);
    assert_eq!(stats.failures, stats.calls - succeeded);
    assert_eq!(stats.max_concurrent, 1);

    // Same seed, same run, to the call and the nanosecond; another seed, another run.
    assert_eq!(
        forty_percent_run_totals(7).await,
        (stats, elapsed, succeeded)
    );
    assert_ne!(
        forty_percent_run_totals(8).await,
        (stats, elapsed, succeeded)
    );
}

#[tokio::test(start_paused = true)]
async fn concurrency_levels_really_hold_that_many_calls_in_flight() {
    for level in [1u64, 10, 50, 100, 200] {
        let sim = backend(SimConfig::fixed(MS * 10).with_seed(3));
        let start = Instant::now();
        let outcomes = run_closed(&sim, &exponential(3), 3, level, 5).await;
        let stats = sim.stats();
        assert_eq!(stats.max_concurrent, level, "level {level}");
        assert_eq!((stats.calls, stats.in_flight), (5 * level, 0));
        assert!(outcomes.iter().all(|o| o.attempts == 1 && o.result.is_ok()));
        // Each worker does 5 calls of 10 ms back to back, all workers side by side: the level
        // multiplies throughput instead of queueing behind one slot.
        assert_eq!(start.elapsed(), MS * 50, "level {level}");
    }
}

#[tokio::test(start_paused = true)]
async fn fail_first_two_per_key_takes_exactly_three_calls_for_every_key() {
    let sim = backend(SimConfig::fixed(MS * 5).with_schedule(Schedule::FailFirstPerKey(2)));
    let outcomes = run_closed(&sim, &exponential(3), 0, 10, 3).await;
    assert_eq!(outcomes.len(), 30);
    for outcome in &outcomes {
        assert_eq!(outcome.attempts, 3);
        assert!(outcome.result.is_ok());
        assert_eq!(outcome.elapsed, MS * 45);
    }
    let stats = sim.stats();
    assert_eq!((stats.calls, stats.failures, stats.successes), (90, 60, 30));
}

#[tokio::test(start_paused = true)]
async fn a_deadline_gives_up_before_a_delay_that_would_pass_it() {
    let sim = backend(SimConfig::fixed(MS * 5).with_fail_rate(1.0));
    let policy = exponential(10).with_deadline(MS * 100);
    let outcome = op(&sim, &policy, 0, 0).await;
    // Calls start at 0, 15, 40 and 85 ms; after the 4th ends at 90 ms an 80 ms wait would pass
    // the deadline.
    assert_eq!(outcome.attempts, 4);
    assert_eq!(outcome.elapsed, MS * 90);
    assert_eq!(outcome.gave_up_because, Some(GaveUp::Deadline));
}

#[tokio::test(start_paused = true)]
async fn errors_the_policy_does_not_retry_end_after_one_call() {
    let sim = backend(SimConfig::fixed(MS * 5).with_schedule(Schedule::FailFirst(1)));
    let policy = exponential(3).with_retry_on(RetryOn::Only(|e: &SimError| {
        e.cause == FailureCause::Random
    }));
    let outcome = op(&sim, &policy, 0, 0).await;
    assert_eq!(outcome.attempts, 1);
    assert_eq!(outcome.gave_up_because, Some(GaveUp::NotRetryable));
    assert_eq!(outcome.result.unwrap_err().cause, FailureCause::Scheduled);
    // The schedule covered only the first call.
    assert!(op(&sim, &policy, 0, 1).await.result.is_ok());
}

#[tokio::test(start_paused = true)]
async fn each_calls_fate_depends_on_its_number_not_on_interleaving() {
    let config = SimConfig {
        latency: benchgate_retry::Latency::Uniform {
            min: MS,
            max: MS * 20,
        },
        ..SimConfig::fixed(MS)
    }
    .with_fail_rate(0.3)
    .with_seed(11);

    let fates = |results: Vec<Result<SimReply, SimError>>| {
        let mut fates: Vec<(u64, Option<Duration>)> = results
            .into_iter()
            .map(|r| match r {
                Ok(reply) => (reply.call, Some(reply.latency)),
                Err(error) => (error.call, None),
            })
            .collect();
        fates.sort_unstable_by_key(|f| f.0);
        fates
    };

    let sequential = backend(config);
    let mut results = Vec::new();
    for key in 0..200 {
        results.push(sequential.call(key).await);
    }
    let sequential_fates = fates(results);

    let concurrent = backend(config);
    let mut tasks = JoinSet::new();
    for key in 0..200 {
        let sim = Arc::clone(&concurrent);
        tasks.spawn(async move { sim.call(key).await });
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        results.push(done.unwrap());
    }
    assert_eq!(concurrent.stats().max_concurrent, 200);
    assert_eq!(fates(results), sequential_fates);
    let failures = sequential_fates.iter().filter(|f| f.1.is_none()).count();
    // Binomial(200, 0.3): 60 ± 6.5; 30..=90 is > 4 sd.
    assert!((30..=90).contains(&failures), "{failures}");
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_mid_way_leaves_the_in_flight_count() {
    let sim = backend(SimConfig::fixed(MS * 50));
    let cut_short = tokio::time::timeout(MS * 10, sim.call(0)).await;
    assert!(cut_short.is_err());
    let stats = sim.stats();
    assert_eq!(
        (stats.calls, stats.in_flight, stats.max_concurrent),
        (1, 0, 1)
    );
    assert_eq!((stats.successes, stats.failures), (0, 0));
    sim.reset();
    assert_eq!(sim.stats(), SimStats::default());
}

/// Records the virtual time at which the work holding it was dropped.
struct DropClock(Arc<Mutex<Option<Instant>>>);

impl Drop for DropClock {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(Instant::now());
    }
}

/// Work of `length` that holds a [`DropClock`]; cancelled `cancel_after` from now.
async fn cancelled_work(
    cancel_after: Duration,
    grace: Duration,
    length: Duration,
) -> (GraceOutcome<&'static str>, Instant, Option<Instant>) {
    let token = CancelToken::new();
    let dropped_at = Arc::new(Mutex::new(None));
    let clock = DropClock(Arc::clone(&dropped_at));
    let work = async move {
        let _clock = clock;
        sleep(length).await;
        "cleaned up"
    };
    let start = Instant::now();
    let canceller = async {
        sleep(cancel_after).await;
        token.cancel();
    };
    let ((), outcome) = tokio::join!(canceller, with_grace(&token, grace, work));
    let dropped_at = *dropped_at.lock().unwrap();
    (outcome, start + cancel_after, dropped_at)
}

#[tokio::test(start_paused = true)]
async fn work_shorter_than_the_grace_period_completes_after_cancellation() {
    let (outcome, cancelled_at, dropped_at) = cancelled_work(MS * 10, MS * 100, MS * 50).await;
    assert!(outcome.completed());
    assert_eq!(
        outcome,
        GraceOutcome::FinishedInGrace {
            value: "cleaned up",
            after_cancel: MS * 40,
        }
    );
    assert_eq!(dropped_at, Some(cancelled_at + MS * 40));
}

#[tokio::test(start_paused = true)]
async fn work_longer_than_the_grace_period_is_dropped_exactly_when_it_ends() {
    let (outcome, cancelled_at, dropped_at) = cancelled_work(MS * 10, MS * 100, MS * 500).await;
    assert!(!outcome.completed());
    assert_eq!(outcome, GraceOutcome::Abandoned { grace: MS * 100 });
    assert_eq!(dropped_at, Some(cancelled_at + MS * 100));
}

#[tokio::test(start_paused = true)]
async fn work_that_ends_before_cancellation_is_simply_finished() {
    let (outcome, _, _) = cancelled_work(MS * 10, MS * 100, MS * 5).await;
    assert_eq!(outcome, GraceOutcome::Finished("cleaned up"));
    assert_eq!(outcome.into_value(), Some("cleaned up"));
}

#[tokio::test(start_paused = true)]
async fn an_already_cancelled_token_starts_the_grace_period_at_once() {
    let token = CancelToken::new();
    token.cancel();
    assert!(token.is_cancelled() && token.clone().is_cancelled());
    let start = Instant::now();
    let outcome = with_grace(&token, MS * 100, sleep(MS * 150)).await;
    assert_eq!(outcome, GraceOutcome::Abandoned { grace: MS * 100 });
    assert_eq!(start.elapsed(), MS * 100);
}

#[tokio::test(start_paused = true)]
async fn cleanups_cancelled_mid_retry_all_complete_within_a_grace_period() {
    // 100 cleanups against a 5 ms backend failing 40 % of calls, each cancelled 1 ms in: the
    // longest retry (3 calls, 10 + 20 ms of waiting) takes 45 ms, inside a 100 ms grace period.
    let sim = backend(SimConfig::fixed(MS * 5).with_fail_rate(0.4).with_seed(5));
    let policy = exponential(3);
    let mut tasks = JoinSet::new();
    for key in 0..100 {
        let sim = Arc::clone(&sim);
        let policy = policy.clone();
        tasks.spawn(async move {
            let token = CancelToken::new();
            let cancel = token.clone();
            let canceller = async move {
                sleep(MS).await;
                cancel.cancel();
            };
            let work = op(&sim, &policy, 5, key);
            let ((), outcome) = tokio::join!(canceller, with_grace(&token, MS * 100, work));
            outcome
        });
    }
    let mut completed = 0;
    let mut retried = 0;
    while let Some(done) = tasks.join_next().await {
        let outcome = done.unwrap();
        assert!(matches!(outcome, GraceOutcome::FinishedInGrace { .. }));
        completed += usize::from(outcome.completed());
        retried += usize::from(outcome.into_value().is_some_and(|o| o.attempts > 1));
    }
    assert_eq!(completed, 100);
    assert!(retried > 10, "{retried} of 100 retried");
    assert_eq!(sim.stats().max_concurrent, 100);
}

/// The in-process simulator and `benchgate mock-backend` decide through one fate model: for the
/// same seed and plan, call n has the same latency and the same fate in both.
#[tokio::test(start_paused = true)]
async fn the_simulator_decides_every_call_as_the_mock_backend_would() {
    use benchgate_backend::{FaultModel, FaultPlan, LatencyDist};
    let config = SimConfig {
        latency: benchgate_retry::Latency::Uniform {
            min: MS,
            max: MS * 20,
        },
        ..SimConfig::fixed(MS)
    }
    .with_fail_rate(0.3)
    .with_schedule(Schedule::FailFirstPerKey(2))
    .with_seed(11);
    // What `benchgate mock-backend --latency "uniform(1ms, 20ms)" --fail-rate 0.3
    // --fail-first-per-key 2 --seed 11` decides, with the key in X-Key.
    let mock = FaultModel::new(
        11,
        LatencyDist::parse("uniform(1ms, 20ms)").unwrap(),
        FaultPlan {
            fail_rate: 0.3,
            fail_first_per_key: 2,
            ..FaultPlan::default()
        },
    )
    .unwrap();
    let sim = backend(config);
    let (mut scheduled, mut random) = (0, 0);
    for i in 0..300u64 {
        let key = i % 7;
        let decision = mock.decide(&key.to_string());
        let result = sim.call(key).await;
        match (result, decision.failure) {
            (Ok(reply), None) => {
                assert_eq!((reply.call, reply.latency), (i + 1, decision.latency));
            }
            (Err(error), Some(failure)) => {
                assert_eq!(error.call, i + 1);
                match failure.cause {
                    benchgate_backend::FailureCause::Random => {
                        assert_eq!(error.cause, FailureCause::Random);
                        random += 1;
                    }
                    _ => {
                        assert_eq!(error.cause, FailureCause::Scheduled);
                        scheduled += 1;
                    }
                }
            }
            (result, failure) => panic!("call {i}: simulator {result:?}, mock {failure:?}"),
        }
    }
    // 7 keys × 2 scheduled; Binomial(286, 0.3) ≈ 86 ± 8 random.
    assert_eq!(scheduled, 14);
    assert!((40..=130).contains(&random), "{random}");
}
