//! Leak checks: repeat a workload for a number of rounds and report how the live heap grows.
//!
//! ```no_run
//! use benchgate_harness::{CountingAllocator, leak};
//!
//! #[global_allocator]
//! static ALLOC: CountingAllocator = CountingAllocator::system();
//!
//! fn main() {
//!     let mut cache = std::collections::HashMap::new();
//!     // The first 10 rounds fill the cache; later rounds replace entries: bounded, not a leak.
//!     let options = leak::LeakOptions {
//!         warmup_rounds: 10,
//!         ..leak::LeakOptions::new(100)
//!     };
//!     let result = leak::check("cache/insert", &options, &mut |round| {
//!         cache.insert(round % 10, vec![0u8; 64]);
//!     });
//!     assert_eq!(result.status, benchgate_model::Status::Ok);
//! }
//! ```
//!
//! [`check`] runs the workload for the warm-up rounds (so one-off lazy initialisation — a cache
//! filled on first use, a `OnceLock` — is not taken for a leak), reads the process's live heap
//! ([`alloc::live_bytes`]), runs the measured rounds reading it after each, and judges the growth:
//!
//! - `growth` = live bytes after the last round − live bytes before the first measured round;
//! - `ratio` = `growth / max(before, 1)`, the `live_heap_growth` metric, and the growth in percent
//!   is `ratio × 100`: relative to the live heap *at the start of the measured rounds*, after
//!   warm-up;
//! - a leak is declared — [`Status::Failed`] — by the rule of [`benchgate_model::LeakBudget`]
//!   (the same as the gate's verdict on memory series): when the growth in percent exceeds
//!   [`LeakOptions::max_growth_percent`] **and** the growth in bytes exceeds
//!   [`LeakOptions::max_growth_bytes`] (when set). Growth exactly at a budget passes; a heap that
//!   stayed the same or shrank always passes.
//!
//! A process whose heap is tiny when the check starts (a bench binary with little else alive)
//! makes percentages large: growing 200 bytes from a 1 KiB heap is 20 %. The allocator's counts
//! are exact, so that is real growth, but if some bounded growth is expected (a buffer reaching
//! its working size), `max_growth_bytes` is an allowance in bytes that a percentage alone cannot
//! express. A workload that really leaks keeps growing and exceeds both.
//!
//! The live heap is the whole process's ([`alloc::live_bytes`]): allocations of every thread count,
//! so run a leak check while no other threads allocate (no other benchmark running, no background
//! threads left over). Memory of the workload's own threads counts while it is alive.
//! Leak checks need [`crate::CountingAllocator`] as the `#[global_allocator]`; without it the
//! check is skipped and the workload not run.

use std::collections::BTreeMap;

use benchgate_model::{
    Benchmark, Direction, LeakBudget, LeakGrowth, Measure, Metric, Status, Unit,
};

use crate::alloc;

/// How a [`check`] runs and what it tolerates.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakOptions {
    /// Measured rounds; at least 1.
    pub rounds: usize,
    /// Rounds run before measuring, for one-off initialisation (default 1).
    pub warmup_rounds: usize,
    /// The budget: the live heap may grow by at most this percentage of its size at the start of
    /// the measured rounds (default 10). `f64::INFINITY` leaves only `max_growth_bytes`.
    pub max_growth_percent: f64,
    /// Growth up to this many bytes is tolerated whatever the percentage (default `None`: only
    /// the percentage counts). A leak is declared only when the growth exceeds both.
    pub max_growth_bytes: Option<u64>,
}

impl LeakOptions {
    /// `rounds` measured rounds after 1 warm-up round, a budget of 10 % growth and no byte
    /// allowance.
    pub fn new(rounds: usize) -> Self {
        LeakOptions {
            rounds,
            warmup_rounds: 1,
            max_growth_percent: 10.0,
            max_growth_bytes: None,
        }
    }
}

const NOT_INSTALLED: &str =
    "leak checks need benchgate_harness::CountingAllocator as the #[global_allocator]";

/// Runs `workload(round)` for the warm-up rounds, then for `options.rounds` measured rounds,
/// reading [`alloc::live_bytes`] before the first measured round and after each, and judges the
/// growth against the budget (see the [module docs](self)).
///
/// `round` counts every call from 0: warm-up rounds are `0..warmup_rounds`, measured rounds
/// follow. A panic in the workload is not caught here.
///
/// The result is named `name` and has, unless skipped or misconfigured:
/// - metrics `leak_bytes_per_round` (bytes, one sample per measured round: the change of the live
///   heap during that round, negative when it shrank) and `live_heap_growth` (ratio, one sample:
///   growth over all measured rounds relative to the live heap before them, 0.42 for 42 %), both
///   exact, lower is better;
/// - labels `rounds`, `warmup_rounds`, `live_bytes_before`, `live_bytes_after`,
///   `growth_bytes_total`, `growth_bytes_per_round_fit` (the least-squares slope of live bytes over
///   the rounds, which a one-off allocation in an early round barely moves), `budget_percent` and,
///   when set, `budget_bytes`;
/// - status [`Status::Ok`] within budget; [`Status::Failed`] over it, with metrics and a message
///   such as `live heap grew 42.0% (+13 440 B, 134 B per round) over 100 rounds; budget 10%` (the
///   per-round figure is the fitted slope); [`Status::Skipped`] without the counting allocator
///   (workload not run, no metrics); [`Status::Failed`] without metrics, workload not run, for
///   `rounds == 0` or a negative or NaN budget.
///
/// The check's own bookkeeping (the vector of samples) is allocated after the first reading and is
/// excluded from every figure.
pub fn check(name: &str, options: &LeakOptions, workload: &mut dyn FnMut(usize)) -> Benchmark {
    if let Some(message) = misconfiguration(options) {
        let status = Status::Failed { message };
        return result(name, base_labels(options), status, Vec::new());
    }
    if !alloc::is_installed() {
        let reason = NOT_INSTALLED.to_string();
        return result(
            name,
            base_labels(options),
            Status::Skipped { reason },
            Vec::new(),
        );
    }

    for round in 0..options.warmup_rounds {
        workload(round);
    }

    // Nothing of the check's own is alive at this reading; the samples' vector allocated next is
    // excluded by measuring from `start`.
    let before = alloc::live_bytes();
    let mut deltas: Vec<f64> = Vec::new();
    if deltas.try_reserve_exact(options.rounds).is_err() {
        let message = format!(
            "leak check of {} rounds: cannot allocate its samples",
            options.rounds
        );
        let status = Status::Failed { message };
        return result(name, base_labels(options), status, Vec::new());
    }
    let start = alloc::live_bytes();
    let mut previous = start;
    for i in 0..options.rounds {
        workload(options.warmup_rounds.saturating_add(i));
        let now = alloc::live_bytes();
        deltas.push(now.wrapping_sub(previous) as f64);
        previous = now;
    }

    let growth = previous.wrapping_sub(start);
    let after = before.wrapping_add(growth);
    let ratio = growth as f64 / before.max(1) as f64;
    let percent = ratio * 100.0;
    let slope = least_squares_slope(&deltas);

    let mut labels = base_labels(options);
    labels.insert("live_bytes_before".to_string(), before.to_string());
    labels.insert("live_bytes_after".to_string(), after.to_string());
    labels.insert("growth_bytes_total".to_string(), growth.to_string());
    labels.insert(
        "growth_bytes_per_round_fit".to_string(),
        format!("{slope:.1}"),
    );

    // The rule is the model's, shared with the gate's leak verdict on memory series.
    let budget = LeakBudget {
        max_growth_percent: Some(options.max_growth_percent),
        max_growth_bytes: options.max_growth_bytes.map(|bytes| bytes as f64),
        max_bytes_per_op: None,
    };
    let figures = LeakGrowth {
        growth_bytes: growth as f64,
        growth_percent: percent,
        bytes_per_op: None,
    };
    // `misconfiguration` refused every budget the rule cannot judge.
    let status = if budget.is_leak(&figures) == Ok(true) {
        Status::Failed {
            message: failure_message(percent, growth, slope, options),
        }
    } else {
        Status::Ok
    };

    let metrics = [
        Metric::from_samples(
            Measure::Custom("leak_bytes_per_round".into()),
            Unit::Bytes,
            Direction::LowerIsBetter,
            deltas,
        ),
        Metric::from_samples(
            Measure::Custom("live_heap_growth".into()),
            Unit::Ratio,
            Direction::LowerIsBetter,
            vec![ratio],
        ),
    ]
    .into_iter()
    .flatten()
    .map(|m| m.exact(true))
    .collect();
    result(name, labels, status, metrics)
}

fn base_labels(options: &LeakOptions) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert("rounds".to_string(), options.rounds.to_string());
    labels.insert(
        "warmup_rounds".to_string(),
        options.warmup_rounds.to_string(),
    );
    labels.insert(
        "budget_percent".to_string(),
        options.max_growth_percent.to_string(),
    );
    if let Some(bytes) = options.max_growth_bytes {
        labels.insert("budget_bytes".to_string(), bytes.to_string());
    }
    labels
}

fn misconfiguration(options: &LeakOptions) -> Option<String> {
    if options.rounds == 0 {
        return Some("leak check needs at least 1 measured round (rounds = 0)".to_string());
    }
    let budget = options.max_growth_percent;
    if budget.is_nan() || budget < 0.0 {
        return Some(format!(
            "leak check budget must be a percentage of 0 or more (max_growth_percent = {budget})"
        ));
    }
    None
}

fn result(
    name: &str,
    labels: BTreeMap<String, String>,
    status: Status,
    metrics: Vec<Metric>,
) -> Benchmark {
    Benchmark {
        mode: None,
        name: name.to_string(),
        params: BTreeMap::new(),
        labels,
        command: None,
        status,
        metrics,
        series: Vec::new(),
    }
}

/// The least-squares slope of the live heap over the points `(0, 0), (1, y1), …, (n, yn)`, where
/// `yi` is the growth after round `i` (the running sum of `deltas`). Relative to the starting heap
/// and centred, so large heaps lose no precision.
fn least_squares_slope(deltas: &[f64]) -> f64 {
    let n = deltas.len() + 1; // points, including the start
    let mean_x = deltas.len() as f64 / 2.0;
    let mut sum_y = 0.0;
    let mut y = 0.0;
    for delta in deltas {
        y += delta;
        sum_y += y;
    }
    let mean_y = sum_y / n as f64;
    let (mut sxy, mut sxx) = ((0.0 - mean_x) * (0.0 - mean_y), mean_x * mean_x);
    y = 0.0;
    for (i, delta) in deltas.iter().enumerate() {
        y += delta;
        let dx = (i + 1) as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    if sxx > 0.0 { sxy / sxx } else { 0.0 }
}

fn failure_message(percent: f64, growth: i64, slope: f64, options: &LeakOptions) -> String {
    let rounds = options.rounds;
    let plural = if rounds == 1 { "" } else { "s" };
    let mut message = format!(
        "live heap grew {percent:.1}% (+{} B, {} B per round) over {rounds} round{plural}; budget {}%",
        grouped(growth),
        grouped(slope.round() as i64),
        options.max_growth_percent,
    );
    if let Some(allowance) = options.max_growth_bytes {
        message.push_str(&format!(
            " beyond an allowance of {} B",
            grouped(i64::try_from(allowance).unwrap_or(i64::MAX))
        ));
    }
    message
}

/// `13440` → `13 440`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}
