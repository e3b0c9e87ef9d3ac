//! The leak verdict on fixed memory series: exact verdicts and reasons below, at and above the
//! budget, shrinking memory, per-operation and byte bounds, and series that cannot tell.

use benchgate_gate::{
    LeakBudget, LeakCheck, LeakVerdict, leak_check, leak_check_points, leak_check_series,
};
use benchgate_model::{Series, SeriesPoint, Unit};
use benchgate_stats::{MemoryPoint, memory_growth};

/// 1 MB + `per_second` bytes per second, one reading every 62.5 ms (a binary fraction, so the
/// fit is exact) for 10 s, with a start-up burst in the first second that the 20 % warm-up
/// leaves out.
fn series(per_second: f64) -> Vec<MemoryPoint> {
    (0..=160)
        .map(|i| {
            let t = i as f64 * 0.0625;
            let burst = if t < 1.0 { 50e6 } else { 0.0 };
            MemoryPoint::new(t, 1e6 + per_second * t + burst)
        })
        .collect()
}

fn check(points: &[MemoryPoint], budget: &LeakBudget) -> LeakCheck {
    leak_check_points(points, 0.2, budget)
}

fn verdict(verdict: LeakVerdict, reason: &str) -> LeakCheck {
    LeakCheck {
        verdict,
        reason: reason.to_string(),
    }
}

#[test]
fn growth_above_the_budget_is_a_leak() {
    // Fitted from t = 2 s: start 1.2 MB, +800 kB over 8 s = +66.7 %.
    let points = series(100_000.0);
    assert_eq!(
        check(&points, &LeakBudget::percent(10.0)),
        verdict(
            LeakVerdict::Leak,
            "grows 100.0kB/s (+66.7% over the run, 10% allowed): leak"
        )
    );
    // A python-like 9.8 MB/s on a 10 MB base.
    let fast: Vec<MemoryPoint> = (0..=80)
        .map(|i| MemoryPoint::new(i as f64 * 0.0625, 10e6 + 9.8e6 * i as f64 * 0.0625))
        .collect();
    assert_eq!(
        leak_check_points(&fast, 0.0, &LeakBudget::percent(10.0)),
        verdict(
            LeakVerdict::Leak,
            "grows 9.800MB/s (+490.0% over the run, 10% allowed): leak"
        )
    );
}

#[test]
fn growth_below_or_exactly_at_the_budget_passes() {
    let points = series(100_000.0);
    assert_eq!(
        check(&points, &LeakBudget::percent(70.0)),
        verdict(
            LeakVerdict::WithinBudget,
            "grows 100.0kB/s (+66.7% over the run, 70% allowed): within budget"
        )
    );
    let growth = memory_growth(&points, 0.2).unwrap();
    let exactly = LeakBudget::percent(growth.growth_fraction * 100.0);
    assert_eq!(
        leak_check(&growth, &exactly).verdict,
        LeakVerdict::WithinBudget
    );
    // The smallest step above that budget's growth is a leak.
    let mut more = growth;
    more.growth_fraction = f64::from_bits(growth.growth_fraction.to_bits() + 1);
    assert_eq!(leak_check(&more, &exactly).verdict, LeakVerdict::Leak);
}

#[test]
fn flat_or_shrinking_memory_never_leaks() {
    let zero = LeakBudget::percent(0.0);
    assert_eq!(
        check(&series(0.0), &zero),
        verdict(
            LeakVerdict::WithinBudget,
            "stays flat (+0.0% over the run, 0% allowed): within budget"
        )
    );
    assert_eq!(
        check(&series(-50_000.0), &zero),
        verdict(
            LeakVerdict::WithinBudget,
            "shrinks 50.00kB/s (-44.4% over the run, 0% allowed): within budget"
        )
    );
    let no_allowance = LeakBudget {
        max_growth_bytes: Some(0.0),
        max_bytes_per_op: None,
        max_growth_percent: None,
    };
    assert_eq!(
        check(&series(-50_000.0), &no_allowance).verdict,
        LeakVerdict::WithinBudget
    );
}

#[test]
fn a_single_spike_is_a_peak_not_a_leak() {
    let mut points: Vec<MemoryPoint> = (0..9).map(|t| MemoryPoint::new(t as f64, 1e6)).collect();
    points[4].bytes = 10e6; // in the middle: no pull on the fitted slope either way
    assert_eq!(
        leak_check_points(&points, 0.0, &LeakBudget::percent(10.0)),
        verdict(
            LeakVerdict::WithinBudget,
            "stays flat (+0.0% over the run, 10% allowed): within budget"
        )
    );
    assert_eq!(memory_growth(&points, 0.0).unwrap().peak_bytes, 10e6);
}

#[test]
fn every_bound_set_must_be_exceeded() {
    // 10 operations per second and 100 B/s: 10 B per operation, +100 % over 10 s.
    let points: Vec<MemoryPoint> = (0..=10)
        .map(|t| MemoryPoint {
            seconds: t as f64,
            bytes: 1000.0 + 100.0 * t as f64,
            operations: Some(10.0 * t as f64),
        })
        .collect();
    let budget = |percent, bytes, per_op| LeakBudget {
        max_growth_percent: percent,
        max_growth_bytes: bytes,
        max_bytes_per_op: per_op,
    };
    let judged = |b: LeakBudget| leak_check_points(&points, 0.0, &b);
    assert_eq!(
        judged(budget(Some(50.0), Some(500.0), Some(5.0))),
        verdict(
            LeakVerdict::Leak,
            "grows 100.0B/s (+100.0% over the run, 50% allowed; +1000B, 500.0B allowed; \
             10.00 B/op, 5.000 B/op allowed): leak"
        )
    );
    assert_eq!(
        judged(budget(None, None, Some(10.0))),
        verdict(
            LeakVerdict::WithinBudget,
            "grows 100.0B/s (+100.0% over the run; 10.00 B/op, 10.00 B/op allowed): within budget"
        )
    );
    // A per-operation bound alone: over it is a leak.
    assert_eq!(
        judged(budget(None, None, Some(5.0))).verdict,
        LeakVerdict::Leak
    );
    assert_eq!(
        judged(budget(Some(50.0), Some(2000.0), None)).verdict,
        LeakVerdict::WithinBudget
    );
    assert_eq!(
        judged(budget(Some(200.0), None, Some(5.0))).verdict,
        LeakVerdict::WithinBudget
    );
}

#[test]
fn too_little_to_go_on_cannot_tell() {
    let ten = LeakBudget::percent(10.0);
    let two = [MemoryPoint::new(0.0, 1.0), MemoryPoint::new(1.0, 1e9)];
    assert_eq!(
        leak_check_points(&two, 0.0, &ten),
        verdict(
            LeakVerdict::CannotTell,
            "2 memory reading(s) after warm-up; at least 3 are needed to tell growth"
        )
    );
    assert_eq!(
        leak_check_points(&[], 0.0, &ten).verdict,
        LeakVerdict::CannotTell
    );
    assert_eq!(
        check(&series(1e6), &LeakBudget::default()),
        verdict(
            LeakVerdict::CannotTell,
            "no leak budget: set a maximum growth (percent or bytes) or bytes per operation"
        )
    );
    let per_op = LeakBudget {
        max_bytes_per_op: Some(8.0),
        ..LeakBudget::default()
    };
    assert_eq!(
        check(&series(1e6), &per_op),
        verdict(
            LeakVerdict::CannotTell,
            "a budget in bytes per operation needs operation counts that grow during the run"
        )
    );
    assert_eq!(
        check(&series(1e6), &LeakBudget::percent(f64::NAN)),
        verdict(
            LeakVerdict::CannotTell,
            "the maximum growth in percent must be 0 or more (got NaN)"
        )
    );
    let same_time = [MemoryPoint::new(1.0, 10.0); 4];
    assert_eq!(
        leak_check_points(&same_time, 0.0, &ten),
        verdict(
            LeakVerdict::CannotTell,
            "the 4 readings after warm-up are all at the same time"
        )
    );
    // A growth fitted elsewhere from too few points cannot tell either.
    let mut growth = memory_growth(&series(1e6), 0.2).unwrap();
    growth.points = 2;
    assert_eq!(leak_check(&growth, &ten).verdict, LeakVerdict::CannotTell);
}

#[test]
fn a_series_kept_with_a_run_is_judged_the_same() {
    let points = series(100_000.0);
    let kept = Series {
        name: "rss".into(),
        unit: Unit::Bytes,
        points: points
            .iter()
            .map(|p| SeriesPoint::new(p.seconds, p.bytes))
            .collect(),
    };
    let ten = LeakBudget::percent(10.0);
    assert_eq!(leak_check_series(&kept, 0.2, &ten), check(&points, &ten));
    assert_eq!(
        leak_check_series(&kept, 0.2, &ten).verdict,
        LeakVerdict::Leak
    );
}
