//! Memory growth over time (SPEC §4.4): the growth of a memory series (RSS or PSS of a process
//! tree, sampled every few milliseconds) per second and per operation, by least squares after a
//! warm-up, its peak, and its comparison with a leak budget.
//!
//! The rule is the harness's leak check's (`benchgate_harness::leak`), applied to a series in time
//! instead of rounds:
//! - the first `warmup_fraction` of the series' time span is start-up (an interpreter loading, a
//!   cache filling) and is left out of the fit; the peak counts the whole series;
//! - `growth` = the fitted slope × the time span after warm-up (a line through the points, so a
//!   single spike barely moves it, unlike last − first);
//! - `growth_fraction` = `growth / max(start, 1)`, where `start` is the fitted level at the first
//!   point after warm-up: relative to the level *after* warm-up;
//! - a leak is declared when the growth exceeds **every** budget that is set (as the harness's
//!   percentage and byte allowance): `max_growth_fraction` against `growth_fraction`,
//!   `max_bytes_per_op` against the fitted bytes per operation. Growth exactly at a budget passes;
//!   memory that stayed the same or shrank always passes.
//!
//! Too few points after warm-up (fewer than [`MIN_POINTS`]), no time between them, a value that is
//! not finite, or a per-operation budget without varying operation counts give
//! [`LeakVerdict::CannotTell`] with the reason, never a verdict in disguise.

/// Fewer points than this after warm-up cannot separate growth from noise.
pub const MIN_POINTS: usize = 3;

/// One reading of a memory series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryPoint {
    /// Seconds since sampling began.
    pub seconds: f64,
    /// Memory at that time, in bytes.
    pub bytes: f64,
    /// Operations completed by then (cumulative), when the driver counts them.
    pub operations: Option<f64>,
}

impl MemoryPoint {
    /// A point without an operation count.
    pub fn new(seconds: f64, bytes: f64) -> Self {
        MemoryPoint {
            seconds,
            bytes,
            operations: None,
        }
    }
}

/// What [`memory_growth`] fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryGrowth {
    /// The highest reading of the whole series, warm-up included.
    pub peak_bytes: f64,
    /// Points after warm-up, the ones fitted.
    pub points: usize,
    /// Time span of the fitted points, in seconds.
    pub seconds: f64,
    /// The fitted level at the first point after warm-up.
    pub start_bytes: f64,
    /// Least-squares slope of bytes over seconds.
    pub bytes_per_second: f64,
    /// Least-squares slope of bytes over cumulative operations; `None` unless every fitted point
    /// has an operation count and the counts vary.
    pub bytes_per_op: Option<f64>,
    /// `bytes_per_second × seconds`: the fitted growth over the fitted span.
    pub growth_bytes: f64,
    /// `growth_bytes / max(start_bytes, 1)`: 0.42 for 42 %.
    pub growth_fraction: f64,
}

/// What a series may grow by (see the [module docs](self)). At least one must be set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LeakBudget {
    /// Growth over the run as a fraction of the level after warm-up (0.1 for `max_growth = "10%"`).
    pub max_growth_fraction: Option<f64>,
    /// Fitted growth per operation, in bytes.
    pub max_bytes_per_op: Option<f64>,
}

/// The result of [`leak_verdict`].
#[derive(Debug, Clone, PartialEq)]
pub enum LeakVerdict {
    /// Growth within at least one budget.
    WithinBudget(MemoryGrowth),
    /// Growth over every budget set.
    Leak(MemoryGrowth),
    /// The series cannot be judged; the reason says why, for a human.
    CannotTell { reason: String },
}

/// Fits the growth of `points` (in time order) after the first `warmup_fraction` (0 ≤ f < 1) of
/// their time span. `Err` with the reason when it cannot tell (see the [module docs](self)).
pub fn memory_growth(points: &[MemoryPoint], warmup_fraction: f64) -> Result<MemoryGrowth, String> {
    if !(0.0..1.0).contains(&warmup_fraction) {
        return Err(format!(
            "the warm-up fraction must be at least 0 and below 1 (got {warmup_fraction})"
        ));
    }
    if let Some(p) = points.iter().find(|p| {
        !p.seconds.is_finite()
            || !p.bytes.is_finite()
            || p.operations.is_some_and(|o| !o.is_finite())
    }) {
        return Err(format!("a reading is not a finite number: {p:?}"));
    }
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err(too_few(0));
    };
    let cut = first.seconds + warmup_fraction * (last.seconds - first.seconds);
    let fitted: Vec<&MemoryPoint> = points.iter().filter(|p| p.seconds >= cut).collect();
    if fitted.len() < MIN_POINTS {
        return Err(too_few(fitted.len()));
    }
    let times: Vec<f64> = fitted.iter().map(|p| p.seconds).collect();
    let bytes: Vec<f64> = fitted.iter().map(|p| p.bytes).collect();
    let Some(fit) = least_squares(&times, &bytes) else {
        return Err(format!(
            "the {} readings after warm-up are all at the same time",
            fitted.len()
        ));
    };
    let t0 = times.iter().copied().fold(f64::INFINITY, f64::min);
    let t1 = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let seconds = t1 - t0;
    let start_bytes = fit.at(t0);
    let growth_bytes = fit.slope * seconds;
    let operations: Option<Vec<f64>> = fitted.iter().map(|p| p.operations).collect();
    let bytes_per_op = operations
        .and_then(|ops| least_squares(&ops, &bytes))
        .map(|f| f.slope);
    Ok(MemoryGrowth {
        peak_bytes: points
            .iter()
            .map(|p| p.bytes)
            .fold(f64::NEG_INFINITY, f64::max),
        points: fitted.len(),
        seconds,
        start_bytes,
        bytes_per_second: fit.slope,
        bytes_per_op,
        growth_bytes,
        growth_fraction: growth_bytes / start_bytes.max(1.0),
    })
}

/// Judges `points` against `budget` after the first `warmup_fraction` of their span (see the
/// [module docs](self)).
pub fn leak_verdict(
    points: &[MemoryPoint],
    warmup_fraction: f64,
    budget: &LeakBudget,
) -> LeakVerdict {
    let cannot_tell = |reason: String| LeakVerdict::CannotTell { reason };
    if budget.max_growth_fraction.is_none() && budget.max_bytes_per_op.is_none() {
        return cannot_tell("no budget: set a maximum growth or bytes per operation".to_string());
    }
    for (name, limit) in [
        ("maximum growth", budget.max_growth_fraction),
        ("maximum bytes per operation", budget.max_bytes_per_op),
    ] {
        if let Some(limit) = limit.filter(|l| l.is_nan() || *l < 0.0) {
            return cannot_tell(format!("the {name} must be 0 or more (got {limit})"));
        }
    }
    let growth = match memory_growth(points, warmup_fraction) {
        Ok(growth) => growth,
        Err(reason) => return cannot_tell(reason),
    };
    let over_fraction = budget
        .max_growth_fraction
        .map(|limit| growth.growth_fraction > limit);
    let over_per_op = match (budget.max_bytes_per_op, growth.bytes_per_op) {
        (None, _) => None,
        (Some(limit), Some(per_op)) => Some(per_op > limit),
        (Some(_), None) => {
            return cannot_tell(
                "a budget in bytes per operation needs operation counts that grow during the run"
                    .to_string(),
            );
        }
    };
    if over_fraction.unwrap_or(true) && over_per_op.unwrap_or(true) {
        LeakVerdict::Leak(growth)
    } else {
        LeakVerdict::WithinBudget(growth)
    }
}

fn too_few(points: usize) -> String {
    format!(
        "{points} memory reading(s) after warm-up; at least {MIN_POINTS} are needed to tell growth"
    )
}

/// A fitted line, kept centred on the means so large byte counts lose no precision.
struct Line {
    mean_x: f64,
    mean_y: f64,
    slope: f64,
}

impl Line {
    fn at(&self, x: f64) -> f64 {
        self.mean_y + self.slope * (x - self.mean_x)
    }
}

/// Ordinary least squares of `ys` on `xs` (same length, finite); `None` when the `xs` do not vary.
fn least_squares(xs: &[f64], ys: &[f64]) -> Option<Line> {
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let dx = x - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    (sxx > 0.0).then(|| Line {
        mean_x,
        mean_y,
        slope: sxy / sxx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(bytes: &[f64]) -> Vec<MemoryPoint> {
        bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| MemoryPoint::new(i as f64, b))
            .collect()
    }

    fn fraction(max: f64) -> LeakBudget {
        LeakBudget {
            max_growth_fraction: Some(max),
            max_bytes_per_op: None,
        }
    }

    #[test]
    fn flat_series_has_no_growth_and_no_leak() {
        let points = series(&[5000.0; 10]);
        let g = memory_growth(&points, 0.2).unwrap();
        // t = 0..9, cut at 1.8: t = 2..9 are fitted.
        assert_eq!(g.points, 8);
        assert_eq!(g.seconds, 7.0);
        assert_eq!(g.start_bytes, 5000.0);
        assert_eq!(g.bytes_per_second, 0.0);
        assert_eq!(g.growth_bytes, 0.0);
        assert_eq!(g.growth_fraction, 0.0);
        assert_eq!(g.peak_bytes, 5000.0);
        assert_eq!(g.bytes_per_op, None);
        assert_eq!(
            leak_verdict(&points, 0.2, &fraction(0.0)),
            LeakVerdict::WithinBudget(g)
        );
    }

    #[test]
    fn linear_growth_is_fitted_exactly_after_warm_up() {
        // 1000 + 100 t for t = 0..10, except a start-up burst the warm-up leaves out.
        let mut bytes: Vec<f64> = (0..=10).map(|t| 1000.0 + 100.0 * t as f64).collect();
        bytes[0] = 9000.0;
        bytes[1] = 8000.0;
        let points = series(&bytes);
        let g = memory_growth(&points, 0.2).unwrap();
        assert_eq!(g.points, 9); // t = 2..10
        assert_eq!(g.seconds, 8.0);
        assert_eq!(g.bytes_per_second, 100.0);
        assert_eq!(g.start_bytes, 1200.0);
        assert_eq!(g.growth_bytes, 800.0);
        assert_eq!(g.growth_fraction, 800.0 / 1200.0);
        assert_eq!(g.peak_bytes, 9000.0); // the peak counts the warm-up
        assert_eq!(
            leak_verdict(&points, 0.2, &fraction(0.1)),
            LeakVerdict::Leak(g)
        );
        // Growth exactly at the budget passes.
        assert_eq!(
            leak_verdict(&points, 0.2, &fraction(800.0 / 1200.0)),
            LeakVerdict::WithinBudget(g)
        );
    }

    #[test]
    fn growth_per_operation_and_its_budget() {
        // 10 operations per second, 100 bytes per second: 10 bytes per operation.
        let points: Vec<MemoryPoint> = (0..=10)
            .map(|t| MemoryPoint {
                seconds: t as f64,
                bytes: 1000.0 + 100.0 * t as f64,
                operations: Some(10.0 * t as f64),
            })
            .collect();
        let g = memory_growth(&points, 0.0).unwrap();
        assert_eq!(g.bytes_per_op, Some(10.0));
        let per_op = |max| LeakBudget {
            max_growth_fraction: None,
            max_bytes_per_op: Some(max),
        };
        assert_eq!(
            leak_verdict(&points, 0.0, &per_op(5.0)),
            LeakVerdict::Leak(g)
        );
        assert_eq!(
            leak_verdict(&points, 0.0, &per_op(10.0)),
            LeakVerdict::WithinBudget(g)
        );
        // Both budgets set: a leak only when over both (growth is 100 %, 10 B/op).
        let both = |fraction, per_op| LeakBudget {
            max_growth_fraction: Some(fraction),
            max_bytes_per_op: Some(per_op),
        };
        assert_eq!(
            leak_verdict(&points, 0.0, &both(0.5, 5.0)),
            LeakVerdict::Leak(g)
        );
        assert_eq!(
            leak_verdict(&points, 0.0, &both(0.5, 20.0)),
            LeakVerdict::WithinBudget(g)
        );
        assert_eq!(
            leak_verdict(&points, 0.0, &both(2.0, 5.0)),
            LeakVerdict::WithinBudget(g)
        );
    }

    #[test]
    fn a_single_spike_is_a_peak_not_a_leak() {
        let mut bytes = [100.0; 9];
        bytes[4] = 1000.0; // in the middle: no pull on the slope either way
        let points = series(&bytes);
        let g = memory_growth(&points, 0.0).unwrap();
        assert_eq!(g.peak_bytes, 1000.0);
        assert_eq!(g.bytes_per_second, 0.0);
        assert_eq!(g.growth_fraction, 0.0);
        assert_eq!(
            leak_verdict(&points, 0.0, &fraction(0.1)),
            LeakVerdict::WithinBudget(g)
        );
    }

    #[test]
    fn shrinking_memory_passes_a_zero_budget() {
        let points = series(&[900.0, 800.0, 700.0, 600.0]);
        let g = memory_growth(&points, 0.0).unwrap();
        assert_eq!(g.bytes_per_second, -100.0);
        assert_eq!(
            leak_verdict(&points, 0.0, &fraction(0.0)),
            LeakVerdict::WithinBudget(g)
        );
    }

    #[test]
    fn cannot_tell_rather_than_a_verdict() {
        let reason = |points: &[MemoryPoint], warmup, budget: &LeakBudget| match leak_verdict(
            points, warmup, budget,
        ) {
            LeakVerdict::CannotTell { reason } => reason,
            other => panic!("expected cannot tell, got {other:?}"),
        };
        let growing = series(&[100.0, 200.0, 400.0, 800.0, 1600.0]);
        // t = 0..4, cut at 2.8: two points left.
        assert_eq!(
            reason(&growing, 0.7, &fraction(0.1)),
            "2 memory reading(s) after warm-up; at least 3 are needed to tell growth"
        );
        assert_eq!(
            reason(&[], 0.0, &fraction(0.1)),
            "0 memory reading(s) after warm-up; at least 3 are needed to tell growth"
        );
        let same_time = [MemoryPoint::new(1.0, 10.0); 4];
        assert_eq!(
            reason(&same_time, 0.0, &fraction(0.1)),
            "the 4 readings after warm-up are all at the same time"
        );
        assert_eq!(
            reason(&growing, 0.0, &LeakBudget::default()),
            "no budget: set a maximum growth or bytes per operation"
        );
        assert_eq!(
            reason(&growing, 0.0, &fraction(f64::NAN)),
            "the maximum growth must be 0 or more (got NaN)"
        );
        assert_eq!(
            reason(&growing, 1.0, &fraction(0.1)),
            "the warm-up fraction must be at least 0 and below 1 (got 1)"
        );
        let per_op = LeakBudget {
            max_growth_fraction: Some(0.1),
            max_bytes_per_op: Some(8.0),
        };
        assert_eq!(
            reason(&growing, 0.0, &per_op),
            "a budget in bytes per operation needs operation counts that grow during the run"
        );
        let mut not_finite = growing.clone();
        not_finite[2].bytes = f64::INFINITY;
        assert!(
            reason(&not_finite, 0.0, &fraction(0.1))
                .starts_with("a reading is not a finite number")
        );
    }

    #[test]
    fn large_levels_keep_their_precision() {
        // 8 GiB with 1 byte per second of growth: centring keeps the slope exact.
        let base = 8.0 * 1024.0 * 1024.0 * 1024.0;
        let points: Vec<MemoryPoint> = (0..100)
            .map(|t| MemoryPoint::new(t as f64, base + t as f64))
            .collect();
        let g = memory_growth(&points, 0.0).unwrap();
        assert_eq!(g.bytes_per_second, 1.0);
        assert_eq!(g.start_bytes, base);
    }
}
