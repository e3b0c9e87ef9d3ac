//! Memory growth over time (SPEC §4.4): the growth of a memory series (RSS or PSS of a process
//! tree, sampled every few milliseconds) per second and per operation, by least squares after a
//! warm-up, and its peak. Pure math: whether a growth is a leak is judged elsewhere
//! (`benchgate_gate::leak_check`, by the rule of `benchgate_model::LeakBudget`).
//!
//! - the first `warmup_fraction` of the series' time span is start-up (an interpreter loading, a
//!   cache filling) and is left out of the fit; the peak counts the whole series;
//! - `growth` = the fitted slope × the time span after warm-up (a line through the points, so a
//!   single spike barely moves it, unlike last − first);
//! - `growth_fraction` = `growth / max(start, 1)`, where `start` is the fitted level at the first
//!   point after warm-up: relative to the level *after* warm-up;
//! - `bytes_per_op` = the fitted slope of bytes over cumulative operations, when every fitted
//!   point has an operation count and the counts vary.
//!
//! Too few points after warm-up (fewer than [`MIN_POINTS`]), no time between them, a value that is
//! not finite, or a warm-up fraction outside 0 ≤ f < 1 give an `Err` with the reason, never a
//! growth in disguise.

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

    #[test]
    fn flat_series_has_no_growth() {
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
    }

    #[test]
    fn growth_per_operation_is_fitted_over_the_counts() {
        // 10 operations per second, 100 bytes per second: 10 bytes per operation.
        let mut points: Vec<MemoryPoint> = (0..=10)
            .map(|t| MemoryPoint {
                seconds: t as f64,
                bytes: 1000.0 + 100.0 * t as f64,
                operations: Some(10.0 * t as f64),
            })
            .collect();
        let g = memory_growth(&points, 0.0).unwrap();
        assert_eq!(g.bytes_per_op, Some(10.0));
        assert_eq!(g.growth_fraction, 1.0);
        // One point without a count, or counts that do not vary: no per-operation growth.
        points[3].operations = None;
        assert_eq!(memory_growth(&points, 0.0).unwrap().bytes_per_op, None);
        for p in &mut points {
            p.operations = Some(7.0);
        }
        assert_eq!(memory_growth(&points, 0.0).unwrap().bytes_per_op, None);
    }

    #[test]
    fn a_single_spike_moves_the_peak_not_the_slope() {
        let mut bytes = [100.0; 9];
        bytes[4] = 1000.0; // in the middle: no pull on the slope either way
        let g = memory_growth(&series(&bytes), 0.0).unwrap();
        assert_eq!(g.peak_bytes, 1000.0);
        assert_eq!(g.bytes_per_second, 0.0);
        assert_eq!(g.growth_fraction, 0.0);
    }

    #[test]
    fn shrinking_memory_has_a_negative_growth() {
        let g = memory_growth(&series(&[900.0, 800.0, 700.0, 600.0]), 0.0).unwrap();
        assert_eq!(g.bytes_per_second, -100.0);
        assert_eq!(g.growth_bytes, -300.0);
        assert_eq!(g.growth_fraction, -300.0 / 900.0);
    }

    #[test]
    fn cannot_tell_rather_than_a_growth() {
        let growing = series(&[100.0, 200.0, 400.0, 800.0, 1600.0]);
        // t = 0..4, cut at 2.8: two points left.
        assert_eq!(
            memory_growth(&growing, 0.7),
            Err("2 memory reading(s) after warm-up; at least 3 are needed to tell growth".into())
        );
        assert_eq!(
            memory_growth(&[], 0.0),
            Err("0 memory reading(s) after warm-up; at least 3 are needed to tell growth".into())
        );
        let same_time = [MemoryPoint::new(1.0, 10.0); 4];
        assert_eq!(
            memory_growth(&same_time, 0.0),
            Err("the 4 readings after warm-up are all at the same time".into())
        );
        assert_eq!(
            memory_growth(&growing, 1.0),
            Err("the warm-up fraction must be at least 0 and below 1 (got 1)".into())
        );
        let mut not_finite = growing.clone();
        not_finite[2].bytes = f64::INFINITY;
        assert!(
            memory_growth(&not_finite, 0.0)
                .unwrap_err()
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
