//! The math behind the family functions: an ordinary least-squares line and scaling efficiency.

/// The least-squares line `y = intercept + slope · x` through some points, and how well it fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearFit {
    pub slope: f64,
    pub intercept: f64,
    /// Coefficient of determination, 1 − SS_res / SS_tot; 1 when the line passes through every
    /// point (constant values included: a flat line fits them exactly).
    pub r2: f64,
    /// The largest |residual| relative to the measured value at that point (0.05 = 5 %).
    pub max_relative_residual: f64,
}

/// The least-squares line through `points` (x, y). `None` with fewer than two points or when
/// every x is the same (no line is defined).
pub fn linear_fit(points: &[(f64, f64)]) -> Option<LinearFit> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let fitted = |x: f64| intercept + slope * x;
    let ss_res: f64 = points.iter().map(|p| (p.1 - fitted(p.0)).powi(2)).sum();
    let ss_tot: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    // Residuals this small against the values are rounding, not misfit.
    let scale = points.iter().map(|p| p.1 * p.1).sum::<f64>();
    let r2 = if ss_res <= scale * 1e-24 {
        1.0
    } else if ss_tot == 0.0 {
        0.0
    } else {
        1.0 - ss_res / ss_tot
    };
    // Relative to the measured value: "this point is 12 % off the line" (the fitted value may be
    // near zero where the measured one is not).
    let max_relative_residual = points
        .iter()
        .map(|p| {
            let off = (p.1 - fitted(p.0)).abs();
            if off <= scale.sqrt() * 1e-12 {
                0.0
            } else if p.1 == 0.0 {
                f64::INFINITY
            } else {
                off / p.1.abs()
            }
        })
        .fold(0.0, f64::max);
    Some(LinearFit {
        slope,
        intercept,
        r2,
        max_relative_residual,
    })
}

/// Scaling efficiency of `points` (parameter N, value) against the point with the smallest N
/// (N0, v0): at each other N, the speed-up (v / v0 when higher is better, v0 / v when lower is)
/// divided by N / N0; 1 is perfect scaling. Returns the lowest efficiency and the N it is at;
/// `None` with fewer than two distinct N, an N ≤ 0, or a value ≤ 0.
pub fn scaling_efficiency(points: &[(f64, f64)], higher_is_better: bool) -> Option<(f64, f64)> {
    let &(n0, v0) = points.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    if n0 <= 0.0 || points.iter().any(|p| p.1 <= 0.0 || !p.1.is_finite()) {
        return None;
    }
    points
        .iter()
        .filter(|p| p.0 > n0)
        .map(|&(n, v)| {
            let speedup = if higher_is_better { v / v0 } else { v0 / v };
            (speedup / (n / n0), n)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_fits_with_r2_one() {
        let fit = linear_fit(&[(1.0, 12.0), (2.0, 22.0), (4.0, 42.0), (8.0, 82.0)]).unwrap();
        assert_eq!(fit.slope, 10.0);
        assert_eq!(fit.intercept, 2.0);
        assert_eq!(fit.r2, 1.0);
        assert_eq!(fit.max_relative_residual, 0.0);
    }

    #[test]
    fn r2_matches_a_hand_computed_fit() {
        // x = 1,2,3; y = 1,3,2: slope 0.5, intercept 1, SS_res = 1.5, SS_tot = 2 → r² = 0.25.
        let fit = linear_fit(&[(1.0, 1.0), (2.0, 3.0), (3.0, 2.0)]).unwrap();
        assert_eq!(fit.slope, 0.5);
        assert_eq!(fit.intercept, 1.0);
        assert!((fit.r2 - 0.25).abs() < 1e-12, "{}", fit.r2);
        // Largest residual relative to the value: at x = 1, fitted 1.5, value 1 → 50 %.
        assert!((fit.max_relative_residual - 0.5).abs() < 1e-12);
    }

    #[test]
    fn no_line_through_one_point_or_one_x() {
        assert_eq!(linear_fit(&[(1.0, 1.0)]), None);
        assert_eq!(linear_fit(&[(2.0, 1.0), (2.0, 3.0)]), None);
    }

    #[test]
    fn efficiency_is_the_lowest_over_the_levels() {
        // Throughput 100 at 1, 190 at 2 (0.95), 280 at 4 (0.7).
        let points = [(1.0, 100.0), (2.0, 190.0), (4.0, 280.0)];
        assert_eq!(scaling_efficiency(&points, true), Some((0.7, 4.0)));
        // Time per op: 100 at 1, 50 at 2 (1.0), 40 at 4 (0.625).
        let times = [(1.0, 100.0), (2.0, 50.0), (4.0, 40.0)];
        assert_eq!(scaling_efficiency(&times, false), Some((0.625, 4.0)));
        assert_eq!(scaling_efficiency(&[(1.0, 5.0)], true), None);
        assert_eq!(scaling_efficiency(&[(1.0, 0.0), (2.0, 1.0)], true), None);
    }
}
