//! The failure model and the per-call decision: pure (no I/O), shared by the server and by
//! in-process callers.
//!
//! # Why the decision is deterministic
//! A failure injector written as `if COUNTER % 5 == 0` over a plain shared counter is racy:
//! two concurrent calls can read the same value (both fail, or neither), so the failure rate
//! and the schedule drift with the load. Here every call takes a unique global index from one
//! atomic counter (arrival order), and the call's random draws come from a generator derived
//! from `(seed, global index)` alone — not from a shared stream whose position depends on how
//! many draws earlier calls made (a mix, a 5xx status pick) or on which thread got there first.
//! So call n fails or not as a pure function of the seed and n, and requests sent one after
//! another reproduce the same set of failing indices run after run. The per-key schedules
//! ("the first K calls of each key fail") count calls per key under one lock, so exactly K calls
//! of each key fail however many arrive at once.
//!
//! # Bounded by what clients send
//! At most [`MAX_KEYS`] distinct keys are counted one by one. Calls of any key first seen after
//! that count together as *other keys*: one shared count, so the first K of them fail under a
//! first-K schedule, not the first K of each (always-failing keys still fail by name). The
//! cut-off follows arrival order alone, so it is as deterministic as the rest; a reset frees
//! the slots.
//!
//! # The key of a call
//! [`KeySource`] says where it comes from: by default the `X-Key` request header, or, when the
//! request has none, the last non-empty path segment (`/vm/42/delete` → `delete`,
//! `/items/7` → `7`, `/` → `/`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::latency::LatencyDist;
use crate::rng::{SplitMix64, Stream};

/// How many distinct keys are counted one by one (see the module documentation).
pub const MAX_KEYS: usize = 100_000;

/// The longest key a call may have, in bytes (from the key header or the path); the server
/// refuses a longer one with 400, so a longer always-failing key could never match.
pub const MAX_KEY_BYTES: usize = 256;

/// The status of a 5xx failure when the plan names none (`benchgate mock-backend`'s default).
pub const DEFAULT_STATUS: u16 = 503;

/// How an injected failure looks to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// A 5xx response with the plan's status ([`DEFAULT_STATUS`], 503, unless it names one).
    Status5xx,
    /// The connection is closed (TCP reset) without a response.
    Reset,
    /// No response until the hang deadline (then the connection is closed), or never (until
    /// the server shuts down).
    Hang,
}

impl FailureKind {
    /// The name used on the command line and in `/_stats`.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Status5xx => "5xx",
            FailureKind::Reset => "reset",
            FailureKind::Hang => "hang",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultConfigError {
    #[error("unknown failure kind \"{0}\": expected 5xx, reset or hang")]
    UnknownKind(String),
    #[error("fail rate {0} is out of range: expected a number from 0 to 1")]
    FailRate(f64),
    #[error("status {0} is not a server error: expected a status from 500 to 599")]
    Status(u16),
    /// A fail rate's text that is not a number from 0 to 1 (the text is kept for callers; the
    /// message leaves it out, as a command line's parser quotes it already).
    #[error("expected a number from 0 to 1, e.g. 0.4")]
    FailRateText(String),
    // The plan's options are named as `benchgate mock-backend`'s flags, their one user-facing
    // spelling (docs/mock-backend.md).
    /// A hang deadline with another failure kind would have no effect: a mistake, not a no-op.
    #[error("--hang-for is how long a hang lasts: it needs --fail-kind hang (not {0})")]
    HangForWithoutHang(FailureKind),
    /// A status with another failure kind would have no effect.
    #[error("--status is the status of a 5xx failure: it needs --fail-kind 5xx (not {0})")]
    StatusWithout5xx(FailureKind),
    /// An always-failing key longer than any call's key could never match.
    #[error(
        "--fail-key {shown:?} is {bytes} bytes long: a call's key is at most {MAX_KEY_BYTES} \
         bytes, so it could never match"
    )]
    KeyTooLong { shown: String, bytes: usize },
}

/// A fail rate from text: a number from 0 to 1.
pub fn parse_fail_rate(text: &str) -> Result<f64, FaultConfigError> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(FaultConfigError::FailRateText(text.to_owned())),
    }
}

impl FromStr for FailureKind {
    type Err = FaultConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "5xx" => Ok(FailureKind::Status5xx),
            "reset" => Ok(FailureKind::Reset),
            "hang" => Ok(FailureKind::Hang),
            other => Err(FaultConfigError::UnknownKind(other.to_owned())),
        }
    }
}

/// Where the key of a call comes from (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// This header (matched case-insensitively), else the last path segment. The default,
    /// with `X-Key`.
    HeaderOrLastPathSegment(String),
    /// Always the last non-empty path segment (`/` when there is none).
    LastPathSegment,
}

impl Default for KeySource {
    fn default() -> Self {
        KeySource::HeaderOrLastPathSegment("x-key".to_owned())
    }
}

impl KeySource {
    /// The key of a request with this path, given a header lookup.
    pub fn key<'a>(&self, path: &'a str, header: impl FnOnce(&str) -> Option<&'a str>) -> &'a str {
        if let KeySource::HeaderOrLastPathSegment(name) = self
            && let Some(value) = header(name)
        {
            return value;
        }
        path.split('/').rfind(|s| !s.is_empty()).unwrap_or("/")
    }
}

/// What fails, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Probability (0..=1) that a call not already failed by a schedule fails.
    pub fail_rate: f64,
    /// How failures look.
    pub kind: FailureKind,
    /// The status of a 5xx failure; `None`: [`DEFAULT_STATUS`] (503).
    pub status: Option<u16>,
    /// How long a `hang` lasts before the connection is closed; `None`: until shutdown.
    pub hang_for: Option<Duration>,
    /// The first K calls of every key fail.
    pub fail_first_per_key: u64,
    /// Every call to these keys fails.
    pub always_fail_keys: BTreeSet<String>,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            fail_rate: 0.0,
            kind: FailureKind::Status5xx,
            status: None,
            hang_for: None,
            fail_first_per_key: 0,
            always_fail_keys: BTreeSet::new(),
        }
    }
}

impl FaultPlan {
    /// The plan's mistakes: a rate or status out of range, an option the failure kind makes
    /// meaningless, an always-failing key no call can have.
    pub fn validate(&self) -> Result<(), FaultConfigError> {
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return Err(FaultConfigError::FailRate(self.fail_rate));
        }
        if let Some(status) = self.status
            && !(500..=599).contains(&status)
        {
            return Err(FaultConfigError::Status(status));
        }
        if self.hang_for.is_some() && self.kind != FailureKind::Hang {
            return Err(FaultConfigError::HangForWithoutHang(self.kind));
        }
        if self.status.is_some() && self.kind != FailureKind::Status5xx {
            return Err(FaultConfigError::StatusWithout5xx(self.kind));
        }
        if let Some(key) = self
            .always_fail_keys
            .iter()
            .find(|k| k.len() > MAX_KEY_BYTES)
        {
            // Enough of the key to recognise it, cut on a character boundary.
            let mut shown: String = key.chars().take(24).collect();
            shown.push('…');
            return Err(FaultConfigError::KeyTooLong {
                shown,
                bytes: key.len(),
            });
        }
        Ok(())
    }

    /// The status a 5xx failure answers with: the plan's, else [`DEFAULT_STATUS`].
    pub fn failure_status(&self) -> u16 {
        self.status.unwrap_or(DEFAULT_STATUS)
    }
}

/// Which rule failed a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCause {
    /// The key is in `always_fail_keys`.
    KeyAlwaysFails,
    /// One of the first K calls of its key.
    FirstCallsOfKey,
    /// Drawn with probability `fail_rate`.
    Random,
}

/// What happens to one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallDecision {
    /// 0-based, in arrival order over all keys.
    pub call_index: u64,
    /// 0-based, in arrival order within the key.
    pub key_call_index: u64,
    /// How long to wait before answering (or resetting); not used by a hang.
    pub latency: Duration,
    /// `None`: answer 200.
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub cause: FailureCause,
    /// The status of a 5xx failure ([`FaultPlan::failure_status`]); 0 for the other kinds.
    pub status: u16,
}

/// The seeded decision maker: counts calls (globally and per key) and decides each one.
#[derive(Debug)]
pub struct FaultModel {
    seed: u64,
    latency: LatencyDist,
    plan: FaultPlan,
    next_call: AtomicU64,
    key_limit: usize,
    keys: Mutex<KeyCounts>,
}

/// Calls per key, for at most `key_limit` keys; the calls of later keys together.
#[derive(Debug, Default)]
struct KeyCounts {
    per_key: BTreeMap<String, u64>,
    other_keys: u64,
}

impl FaultModel {
    pub fn new(seed: u64, latency: LatencyDist, plan: FaultPlan) -> Result<Self, FaultConfigError> {
        plan.validate()?;
        Ok(Self {
            seed,
            latency,
            plan,
            next_call: AtomicU64::new(0),
            key_limit: MAX_KEYS,
            keys: Mutex::new(KeyCounts::default()),
        })
    }

    /// Counts at most `limit` distinct keys one by one instead of [`MAX_KEYS`].
    pub fn with_key_limit(mut self, limit: usize) -> Self {
        self.key_limit = limit;
        self
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    pub fn latency(&self) -> &LatencyDist {
        &self.latency
    }

    /// Counts one call of `key` and decides it.
    pub fn decide(&self, key: &str) -> CallDecision {
        // Both indices are taken under the lock so they agree on the arrival order.
        let (call_index, key_call_index) = {
            let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
            let keys = &mut *keys;
            let count = if keys.per_key.len() < self.key_limit || keys.per_key.contains_key(key) {
                match keys.per_key.get_mut(key) {
                    Some(count) => count,
                    None => keys.per_key.entry(key.to_owned()).or_insert(0),
                }
            } else {
                &mut keys.other_keys
            };
            *count += 1;
            (self.next_call.fetch_add(1, Ordering::Relaxed), *count - 1)
        };
        self.decision(call_index, key, key_call_index)
    }

    /// The decision for global call `call_index`, the `key_call_index`-th call of `key`: a pure
    /// function of the seed, the plan and these arguments.
    pub fn decision(&self, call_index: u64, key: &str, key_call_index: u64) -> CallDecision {
        let mut failure_rng = SplitMix64::for_call(self.seed, call_index, Stream::Failure);
        // Always drawn, so the random failures of a seed do not shift when a schedule is added.
        let random_fails = failure_rng.next_f64() < self.plan.fail_rate;
        let cause = if self.plan.always_fail_keys.contains(key) {
            Some(FailureCause::KeyAlwaysFails)
        } else if key_call_index < self.plan.fail_first_per_key {
            Some(FailureCause::FirstCallsOfKey)
        } else if random_fails {
            Some(FailureCause::Random)
        } else {
            None
        };
        let failure = cause.map(|cause| Failure {
            kind: self.plan.kind,
            cause,
            status: match self.plan.kind {
                FailureKind::Status5xx => self.plan.failure_status(),
                _ => 0,
            },
        });
        let latency = self.latency.sample(&mut SplitMix64::for_call(
            self.seed,
            call_index,
            Stream::Latency,
        ));
        CallDecision {
            call_index,
            key_call_index,
            latency,
            failure,
        }
    }

    /// Calls so far per key, for the keys counted one by one.
    pub fn calls_per_key(&self) -> BTreeMap<String, u64> {
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .per_key
            .clone()
    }

    /// Calls so far of the keys past the limit (see the module documentation).
    pub fn other_keys_calls(&self) -> u64 {
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .other_keys
    }

    /// Calls so far.
    pub fn calls(&self) -> u64 {
        self.next_call.load(Ordering::Relaxed)
    }

    /// Back to call 0 with no key seen: the schedules start over and the same seed replays
    /// the same decisions.
    pub fn reset(&self) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        *keys = KeyCounts::default();
        self.next_call.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(seed: u64, plan: FaultPlan) -> FaultModel {
        FaultModel::new(seed, LatencyDist::Fixed(Duration::from_millis(1)), plan).unwrap()
    }

    fn failing_indices(model: &FaultModel, n: u64) -> Vec<u64> {
        (0..n)
            .filter(|_| true)
            .filter_map(|_| {
                let d = model.decide("k");
                d.failure.map(|_| d.call_index)
            })
            .collect()
    }

    #[test]
    fn random_failures_are_within_binomial_bounds_and_reproducible() {
        let plan = FaultPlan {
            fail_rate: 0.2,
            ..FaultPlan::default()
        };
        let first = failing_indices(&model(7, plan.clone()), 10_000);
        // 10 000 × 0.2 ± 4.5 σ (σ = 40).
        assert!(
            (1_820..=2_180).contains(&first.len()),
            "{} failures",
            first.len()
        );
        assert_eq!(first, failing_indices(&model(7, plan.clone()), 10_000));
        assert_ne!(first, failing_indices(&model(8, plan), 10_000));
    }

    #[test]
    fn the_latency_distribution_does_not_change_which_calls_fail() {
        let plan = FaultPlan {
            fail_rate: 0.3,
            ..FaultPlan::default()
        };
        let a = model(5, plan.clone());
        let b = FaultModel::new(
            5,
            LatencyDist::parse("mix(0.5: fixed(1ms), 0.5: normal(mean=3ms, sd=1ms))").unwrap(),
            plan,
        )
        .unwrap();
        assert_eq!(failing_indices(&a, 1_000), failing_indices(&b, 1_000));
    }

    #[test]
    fn first_k_calls_of_each_key_fail_exactly() {
        let m = model(
            1,
            FaultPlan {
                fail_first_per_key: 3,
                ..FaultPlan::default()
            },
        );
        let mut failed: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for round in 0..5 {
            for key in ["a", "b", "c"] {
                let d = m.decide(key);
                assert_eq!(d.key_call_index, round);
                if let Some(f) = d.failure {
                    assert_eq!(f.cause, FailureCause::FirstCallsOfKey);
                    assert_eq!(f.status, DEFAULT_STATUS);
                    failed.entry(key).or_default().push(d.key_call_index);
                }
            }
        }
        for key in ["a", "b", "c"] {
            assert_eq!(failed[key], vec![0, 1, 2], "key {key}");
        }
        m.reset();
        assert!(
            m.decide("a").failure.is_some(),
            "reset starts the schedule over"
        );
    }

    #[test]
    fn first_k_is_exact_under_concurrency() {
        let m = model(
            1,
            FaultPlan {
                fail_first_per_key: 3,
                ..FaultPlan::default()
            },
        );
        let failures = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..100 {
                        if m.decide("same").failure.is_some() {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(failures.load(Ordering::Relaxed), 3);
        assert_eq!(m.calls(), 800);
        assert_eq!(m.calls_per_key()["same"], 800);
    }

    #[test]
    fn keys_beyond_the_limit_share_one_schedule_and_are_counted_apart() {
        let m = model(
            1,
            FaultPlan {
                fail_first_per_key: 2,
                always_fail_keys: BTreeSet::from(["late-bad".to_owned()]),
                ..FaultPlan::default()
            },
        )
        .with_key_limit(2);
        let outcome = |key: &str| {
            let d = m.decide(key);
            (d.key_call_index, d.failure.map(|f| f.cause))
        };
        let first = Some(FailureCause::FirstCallsOfKey);
        assert_eq!(outcome("a"), (0, first));
        assert_eq!(outcome("b"), (0, first));
        // "c" and "d" are past the limit: they share the other keys' count and schedule.
        assert_eq!(outcome("c"), (0, first));
        assert_eq!(outcome("d"), (1, first));
        assert_eq!(outcome("c"), (2, None));
        // A key seen before the limit was reached keeps its own schedule.
        assert_eq!(outcome("a"), (1, first));
        assert_eq!(outcome("a"), (2, None));
        // A key that always fails does so past the limit too.
        assert_eq!(outcome("late-bad").1, Some(FailureCause::KeyAlwaysFails));
        assert_eq!(
            m.calls_per_key(),
            BTreeMap::from([("a".to_owned(), 3), ("b".to_owned(), 1)])
        );
        assert_eq!((m.calls(), m.other_keys_calls()), (8, 4));
        m.reset();
        assert_eq!(m.other_keys_calls(), 0);
        assert_eq!(outcome("c"), (0, first), "a reset frees the key slots");
        assert_eq!(m.calls_per_key().len(), 1);
    }

    #[test]
    fn the_default_limit_is_one_hundred_thousand_keys() {
        let m = model(1, FaultPlan::default());
        for i in 0..=MAX_KEYS {
            m.decide(&i.to_string());
        }
        assert_eq!(m.calls_per_key().len(), MAX_KEYS);
        assert_eq!(MAX_KEYS, 100_000);
        assert_eq!(m.other_keys_calls(), 1);
    }

    #[test]
    fn a_key_that_always_fails_fails_every_call_and_others_never() {
        let plan = FaultPlan {
            kind: FailureKind::Reset,
            always_fail_keys: BTreeSet::from(["bad".to_owned()]),
            ..FaultPlan::default()
        };
        let m = model(1, plan);
        for _ in 0..50 {
            let bad = m.decide("bad").failure.unwrap();
            assert_eq!(
                (bad.kind, bad.cause, bad.status),
                (FailureKind::Reset, FailureCause::KeyAlwaysFails, 0)
            );
            assert_eq!(m.decide("good").failure, None);
        }
    }

    #[test]
    fn keys_come_from_the_header_or_the_last_path_segment() {
        let source = KeySource::default();
        assert_eq!(source.key("/vm/42/delete", |_| None), "delete");
        assert_eq!(source.key("/items/7/", |_| None), "7");
        assert_eq!(source.key("/", |_| None), "/");
        assert_eq!(
            source.key("/items/7", |name| (name == "x-key").then_some("vm-1")),
            "vm-1"
        );
        assert_eq!(
            KeySource::LastPathSegment.key("/items/7", |_| Some("vm-1")),
            "7"
        );
    }

    #[test]
    fn bad_configuration_is_a_clear_error() {
        assert_eq!(
            "500".parse::<FailureKind>().unwrap_err().to_string(),
            "unknown failure kind \"500\": expected 5xx, reset or hang"
        );
        let err = FaultModel::new(
            1,
            LatencyDist::Fixed(Duration::ZERO),
            FaultPlan {
                fail_rate: 1.5,
                ..FaultPlan::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "fail rate 1.5 is out of range: expected a number from 0 to 1"
        );
        let plan = FaultPlan {
            status: Some(404),
            ..FaultPlan::default()
        };
        assert_eq!(
            plan.validate().unwrap_err().to_string(),
            "status 404 is not a server error: expected a status from 500 to 599"
        );
    }

    /// The library and `benchgate mock-backend` agree: a 5xx plan without a status answers
    /// 503, every call, not 500 or 503 by the seed.
    #[test]
    fn a_5xx_plan_without_a_status_fails_every_call_with_503() {
        let m = model(
            3,
            FaultPlan {
                fail_rate: 1.0,
                ..FaultPlan::default()
            },
        );
        let statuses: BTreeSet<u16> = (0..200)
            .map(|_| m.decide("k").failure.expect("rate 1 fails").status)
            .collect();
        assert_eq!(statuses, BTreeSet::from([503]));
        assert_eq!(FaultPlan::default().failure_status(), 503);
    }

    /// Options that the failure kind makes meaningless are mistakes; the messages are the ones
    /// `benchgate mock-backend` prints.
    #[test]
    fn options_of_another_failure_kind_are_refused() {
        let plan = FaultPlan {
            hang_for: Some(Duration::from_secs(1)),
            ..FaultPlan::default()
        };
        assert_eq!(
            plan.validate().unwrap_err().to_string(),
            "--hang-for is how long a hang lasts: it needs --fail-kind hang (not 5xx)"
        );
        let plan = FaultPlan {
            kind: FailureKind::Reset,
            status: Some(500),
            ..FaultPlan::default()
        };
        assert_eq!(
            plan.validate().unwrap_err().to_string(),
            "--status is the status of a 5xx failure: it needs --fail-kind 5xx (not reset)"
        );
        let plan = FaultPlan {
            kind: FailureKind::Hang,
            hang_for: Some(Duration::from_secs(1)),
            ..FaultPlan::default()
        };
        plan.validate().unwrap();
    }

    /// A key longer than any call's key could never match: refused, with the key recognisable.
    #[test]
    fn an_always_failing_key_longer_than_the_key_limit_is_refused() {
        let at_limit = "k".repeat(MAX_KEY_BYTES);
        let plan = FaultPlan {
            always_fail_keys: BTreeSet::from([at_limit.clone()]),
            ..FaultPlan::default()
        };
        plan.validate().unwrap();
        let plan = FaultPlan {
            always_fail_keys: BTreeSet::from([format!("{at_limit}é")]),
            ..FaultPlan::default()
        };
        assert_eq!(
            plan.validate().unwrap_err().to_string(),
            format!(
                "--fail-key \"{}…\" is 258 bytes long: a call's key is at most 256 bytes, so \
                 it could never match",
                "k".repeat(24)
            )
        );
    }

    #[test]
    fn a_fail_rate_is_a_number_from_0_to_1() {
        assert_eq!(parse_fail_rate(" 0.4 ").unwrap(), 0.4);
        assert_eq!(parse_fail_rate("1").unwrap(), 1.0);
        for bad in ["1.5", "-0.1", "NaN", "x", ""] {
            assert_eq!(
                parse_fail_rate(bad).unwrap_err().to_string(),
                "expected a number from 0 to 1, e.g. 0.4",
                "{bad:?}"
            );
        }
    }
}
