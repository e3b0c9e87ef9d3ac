//! The "VM-cleanup benchmark" done right: a cleanup (delete a VM through a flaky backend API)
//! retried by a real policy — exponential backoff with full jitter, at most 3 attempts, a
//! deadline — against benchgate-retry's seeded [`SimBackend`], on tokio's paused clock.
//!
//! Teams hand-roll this wrongly: a fixed sleep called "exponential backoff", "concurrency
//! 1/10/50/100/200" sub-benchmarks that all run at the same parallelism, a failure injector that
//! is a racy modulo. Here:
//! - the backend's fate for each call is a pure function of the seed and the call's number, and
//!   the clock is virtual, so a [`Scenario`]'s [`Figures`] (calls per op, max concurrent calls,
//!   success rate, time to give up) are exact and the same on every replay;
//! - a level of N runs N workers at once, and the backend's own maximum of calls in flight
//!   proves it (`max_concurrent_calls` = N);
//! - the policy's shape is measured, not assumed: the second wait over the first
//!   (`backoff_growth`, 2 for doubling, 1 for a fixed sleep) and the most retries starting in
//!   one millisecond (`retry_burst`: without jitter, every client retries at the same instant).
//!
//! The wall time benchgate-harness measures around a replay is real: on the paused clock nobody
//! waits, so it is the CPU cost of the cleanup logic, the runtime and the simulator per operation.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use benchgate_retry::{
    Backoff, CancelToken, GraceOutcome, Jitter, RetryPolicy, SimBackend, SimConfig, SimConfigError,
    SimError, SplitMix64, retry, with_grace,
};
use tokio::task::{JoinSet, LocalSet};
use tokio::time::Instant;

pub const MS: Duration = Duration::from_millis(1);

/// The seed of every scenario's backend and jitter.
pub const SEED: u64 = 14;

/// The concurrency levels of the sweep.
pub const LEVELS: [u64; 5] = [1, 10, 50, 100, 200];

/// The environment variable that picks a deliberately broken [`Variant`].
pub const VARIANT_ENV: &str = "VM_CLEANUP_POLICY";

/// Which cleanup policy runs: the right one, or one of the usual mistakes (chosen with
/// `VM_CLEANUP_POLICY`) so the budgets can be seen catching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Exponential backoff (10 ms, doubling, capped at 1 s) with full jitter, 3 attempts, a
    /// 100 ms deadline; a 200 ms grace period at shutdown.
    Correct,
    /// `fixed-sleep`: "sleep 10 ms and retry", the usual "exponential backoff".
    FixedSleep,
    /// `no-jitter`: exponential, but every client retries at the same instants.
    NoJitter,
    /// `max-attempts-5`: two more attempts than the cleanup budget allows.
    MaxAttempts5,
    /// `no-grace`: shutdown drops the cleanups in flight at once.
    NoGrace,
}

impl Variant {
    pub const NAMES: [&str; 5] = [
        "correct",
        "fixed-sleep",
        "no-jitter",
        "max-attempts-5",
        "no-grace",
    ];

    pub fn parse(text: &str) -> Result<Variant, String> {
        Ok(match text.trim() {
            "" | "correct" => Variant::Correct,
            "fixed-sleep" => Variant::FixedSleep,
            "no-jitter" => Variant::NoJitter,
            "max-attempts-5" => Variant::MaxAttempts5,
            "no-grace" => Variant::NoGrace,
            other => {
                return Err(format!(
                    "{VARIANT_ENV}={other:?}: expected one of {}",
                    Variant::NAMES.join(", ")
                ));
            }
        })
    }

    /// From `VM_CLEANUP_POLICY` (unset: [`Variant::Correct`]).
    pub fn from_env() -> Result<Variant, String> {
        match std::env::var(VARIANT_ENV) {
            Ok(text) => Variant::parse(&text),
            Err(std::env::VarError::NotPresent) => Ok(Variant::Correct),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(format!("{VARIANT_ENV} is not valid UTF-8"))
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variant::Correct => "correct",
            Variant::FixedSleep => "fixed-sleep",
            Variant::NoJitter => "no-jitter",
            Variant::MaxAttempts5 => "max-attempts-5",
            Variant::NoGrace => "no-grace",
        }
    }

    /// The retry policy of this variant.
    pub fn policy(self) -> RetryPolicy<SimError> {
        let exponential = Backoff::Exponential {
            base: MS * 10,
            factor: 2.0,
            cap: MS * 1000,
        };
        let (attempts, backoff, jitter) = match self {
            Variant::Correct | Variant::NoGrace => (3, exponential, Jitter::Full),
            Variant::FixedSleep => (3, Backoff::Fixed(MS * 10), Jitter::None),
            Variant::NoJitter => (3, exponential, Jitter::None),
            Variant::MaxAttempts5 => (5, exponential, Jitter::Full),
        };
        match RetryPolicy::new(attempts, backoff) {
            Ok(policy) => policy.with_jitter(jitter).with_deadline(MS * 100),
            // The constants above are valid (attempts ≥ 1, factor ≥ 1, base ≤ cap).
            Err(e) => unreachable!("a constant policy is invalid: {e}"),
        }
    }

    /// How long cleanups in flight may go on after shutdown.
    pub fn grace(self) -> Duration {
        match self {
            Variant::NoGrace => Duration::ZERO,
            _ => MS * 200,
        }
    }
}

/// One benchmark's workload: `workers` cleaners at once (closed model), each deleting
/// `ops_per_worker` VMs one after another, against a simulated backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub backend: SimConfig,
    pub workers: u64,
    pub ops_per_worker: u64,
    /// The caller shuts down this long after the start: cleanups in flight get the grace period,
    /// cleanups not started yet are not started.
    pub shutdown_after: Option<Duration>,
}

impl Scenario {
    /// a. a healthy 10 ms backend: 200 cleanups, one at a time.
    pub fn healthy() -> Scenario {
        Scenario {
            backend: SimConfig::fixed(MS * 10).with_seed(SEED),
            workers: 1,
            ops_per_worker: 200,
            shutdown_after: None,
        }
    }

    /// b. a 5 ms backend failing 40 % of calls: 1 000 cleanups, one at a time.
    pub fn flaky() -> Scenario {
        Scenario {
            backend: SimConfig::fixed(MS * 5).with_fail_rate(0.4).with_seed(SEED),
            workers: 1,
            ops_per_worker: 1000,
            shutdown_after: None,
        }
    }

    /// c. the flaky backend with `level` cleaners at once, 1 000 cleanups in all.
    pub fn flaky_at(level: u64) -> Scenario {
        let level = level.max(1);
        Scenario {
            workers: level,
            ops_per_worker: 1000 / level,
            ..Scenario::flaky()
        }
    }

    /// d. a backend that is down (every call fails): 50 cleaners, 100 cleanups.
    pub fn down() -> Scenario {
        Scenario {
            backend: SimConfig::fixed(MS * 5).with_fail_rate(1.0).with_seed(SEED),
            workers: 50,
            ops_per_worker: 2,
            shutdown_after: None,
        }
    }

    /// e. shutdown 3 ms into 100 cleanups in flight (a 5 ms backend failing 10 % of calls).
    pub fn shutdown() -> Scenario {
        Scenario {
            backend: SimConfig::fixed(MS * 5).with_fail_rate(0.1).with_seed(SEED),
            workers: 100,
            ops_per_worker: 1,
            shutdown_after: Some(MS * 3),
        }
    }

    /// Cleanups planned.
    pub fn ops(&self) -> u64 {
        self.workers * self.ops_per_worker
    }

    /// Runs the whole workload once on the current (paused, current-thread) runtime, from a
    /// fresh backend: the same figures every time.
    pub async fn replay(
        &self,
        policy: &RetryPolicy<SimError>,
        grace: Duration,
    ) -> Result<Figures, SimConfigError> {
        let backend = Rc::new(SimBackend::new(self.backend)?);
        let shutdown = CancelToken::new();
        let tally = Rc::new(RefCell::new(Tally::default()));
        let start = Instant::now();
        LocalSet::new()
            .run_until(async {
                let mut workers = JoinSet::new();
                for worker in 0..self.workers {
                    let (backend, tally) = (Rc::clone(&backend), Rc::clone(&tally));
                    let (policy, shutdown) = (policy.clone(), shutdown.clone());
                    let ops = self.ops_per_worker;
                    let graceful = self.shutdown_after.is_some();
                    workers.spawn_local(async move {
                        for i in 0..ops {
                            if shutdown.is_cancelled() {
                                break;
                            }
                            let cleanup = Cleanup {
                                backend: &backend,
                                policy: &policy,
                                key: worker * ops + i,
                                start,
                            };
                            let done = if graceful {
                                cleanup.run_with_grace(&shutdown, grace).await
                            } else {
                                Some(cleanup.run().await)
                            };
                            tally.borrow_mut().add(done);
                        }
                    });
                }
                if let Some(after) = self.shutdown_after {
                    let shutdown = shutdown.clone();
                    tokio::task::spawn_local(async move {
                        tokio::time::sleep(after).await;
                        shutdown.cancel();
                    });
                }
                while workers.join_next().await.is_some() {}
            })
            .await;
        let span = start.elapsed();
        let stats = backend.stats();
        let tally = tally.take();
        Ok(Figures {
            ops: self.ops(),
            calls: stats.calls,
            max_concurrent_calls: stats.max_concurrent,
            span,
            ..tally.into_figures()
        })
    }
}

/// A paused current-thread runtime: sleeps end at once, in virtual-time order.
pub fn paused_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
}

/// What one replay of a scenario did, in simulated time: exact for a seed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Cleanups planned.
    pub ops: u64,
    /// Backend calls made (attempts, retries included).
    pub calls: u64,
    /// Cleanups that ran to their end (not dropped at shutdown).
    pub completed: u64,
    /// Cleanups that deleted their VM.
    pub succeeded: u64,
    /// Cleanups that gave up (attempts or deadline spent), and their total and longest time
    /// from the first call's start to the last call's end.
    pub gave_up: u64,
    pub give_up_total: Duration,
    pub give_up_max: Duration,
    /// The backend's own count of calls in flight at once.
    pub max_concurrent_calls: u64,
    /// From the first call to the last cleanup's end.
    pub span: Duration,
    /// Waits after a first and after a second failed attempt: their sums and counts.
    pub first_waits: (Duration, u64),
    pub second_waits: (Duration, u64),
    /// The most retries (attempts after the first) starting within the same millisecond.
    pub retry_burst: u64,
}

impl Figures {
    pub fn calls_per_op(&self) -> f64 {
        self.calls as f64 / self.ops.max(1) as f64
    }

    pub fn success_rate(&self) -> f64 {
        self.succeeded as f64 / self.ops.max(1) as f64
    }

    pub fn completed_rate(&self) -> f64 {
        self.completed as f64 / self.ops.max(1) as f64
    }

    /// The mean time to give up, when some cleanup gave up.
    pub fn give_up_time(&self) -> Option<Duration> {
        let n = u32::try_from(self.gave_up).ok().filter(|&n| n > 0)?;
        Some(self.give_up_total / n)
    }

    /// Mean second wait over mean first wait: 2 for a doubling backoff, 1 for a fixed sleep.
    pub fn backoff_growth(&self) -> Option<f64> {
        let mean = |(total, n): (Duration, u64)| (n > 0).then(|| total.as_secs_f64() / n as f64);
        let (first, second) = (mean(self.first_waits)?, mean(self.second_waits)?);
        (first > 0.0).then(|| second / first)
    }

    /// Cleanups completed per simulated second.
    pub fn ops_per_sim_second(&self) -> f64 {
        self.completed as f64 / self.span.as_secs_f64().max(1e-9)
    }
}

/// Per-replay bookkeeping, filled as cleanups end.
#[derive(Debug, Default)]
struct Tally {
    figures: Figures,
    /// Millisecond of each retry's start (from the replay's start).
    retry_starts: Vec<u64>,
}

impl Tally {
    /// `None`: dropped at shutdown.
    fn add(&mut self, done: Option<Done>) {
        let Some(done) = done else { return };
        let f = &mut self.figures;
        f.completed += 1;
        if done.succeeded {
            f.succeeded += 1;
        } else {
            f.gave_up += 1;
            f.give_up_total += done.elapsed;
            f.give_up_max = f.give_up_max.max(done.elapsed);
        }
        add_wait(&mut f.first_waits, done.log.wait_after(1));
        add_wait(&mut f.second_waits, done.log.wait_after(2));
        self.retry_starts
            .extend(done.log.retry_starts_ms(done.replay_start));
    }

    fn into_figures(mut self) -> Figures {
        self.retry_starts.sort_unstable();
        self.figures.retry_burst = self
            .retry_starts
            .chunk_by(|a, b| a == b)
            .map(|run| run.len() as u64)
            .max()
            .unwrap_or(0);
        self.figures
    }
}

fn add_wait(into: &mut (Duration, u64), wait: Option<Duration>) {
    if let Some(wait) = wait {
        into.0 += wait;
        into.1 += 1;
    }
}

/// Attempt k's start and end (k = 1..=8), in simulated time.
#[derive(Debug, Default, Clone, Copy)]
struct AttemptLog {
    spans: [Option<(Instant, Instant)>; 8],
}

impl AttemptLog {
    fn record(&mut self, attempt: u32, began: Instant, ended: Instant) {
        let slot = usize::try_from(attempt.saturating_sub(1)).ok();
        if let Some(span) = slot.and_then(|k| self.spans.get_mut(k)) {
            *span = Some((began, ended));
        }
    }

    fn span(&self, attempt: usize) -> Option<(Instant, Instant)> {
        *self.spans.get(attempt.checked_sub(1)?)?
    }

    /// The wait between attempt `k`'s end and attempt k+1's start.
    fn wait_after(&self, k: usize) -> Option<Duration> {
        let (_, ended) = self.span(k)?;
        let (began, _) = self.span(k + 1)?;
        Some(began - ended)
    }

    fn retry_starts_ms(&self, replay_start: Instant) -> impl Iterator<Item = u64> + '_ {
        self.spans.iter().skip(1).flatten().map(move |(began, _)| {
            u64::try_from((*began - replay_start).as_millis()).unwrap_or(u64::MAX)
        })
    }
}

/// One cleanup that ran to its end.
struct Done {
    succeeded: bool,
    elapsed: Duration,
    log: AttemptLog,
    replay_start: Instant,
}

/// One cleanup: delete VM `key` through the backend under the policy.
struct Cleanup<'a> {
    backend: &'a SimBackend,
    policy: &'a RetryPolicy<SimError>,
    key: u64,
    start: Instant,
}

impl Cleanup<'_> {
    async fn run(&self) -> Done {
        let log = RefCell::new(AttemptLog::default());
        // Each cleanup draws its own jitter, so cleaners do not retry in lockstep.
        let jitter_seed = SplitMix64::for_index(SEED, self.key).next_u64();
        let outcome = retry(self.policy, jitter_seed, |attempt| {
            let log = &log;
            async move {
                let began = Instant::now();
                let reply = self.backend.call(self.key).await;
                log.borrow_mut().record(attempt, began, Instant::now());
                reply
            }
        })
        .await;
        Done {
            succeeded: outcome.result.is_ok(),
            elapsed: outcome.elapsed,
            log: log.into_inner(),
            replay_start: self.start,
        }
    }

    /// [`Cleanup::run`] that may go on for `grace` after `shutdown`; `None` when dropped.
    async fn run_with_grace(&self, shutdown: &CancelToken, grace: Duration) -> Option<Done> {
        match with_grace(shutdown, grace, self.run()).await {
            GraceOutcome::Finished(done) | GraceOutcome::FinishedInGrace { value: done, .. } => {
                Some(done)
            }
            GraceOutcome::Abandoned { .. } => None,
        }
    }
}
