//! Arithmetic and geometric means.

/// Arithmetic mean. `None` for no values or any non-finite value.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|x| !x.is_finite()) {
        return None;
    }
    Some(mean_of_finite(values))
}

/// Mean of non-empty finite values; finite whenever the values are.
pub(crate) fn mean_of_finite(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    if sum.is_finite() {
        sum / n
    } else {
        // The running sum overflowed; dividing first keeps every partial sum within range.
        values.iter().map(|x| x / n).sum()
    }
}

/// Geometric mean, `exp(mean(ln x))` as `scipy.stats.gmean`, the right average for ratios.
/// `None` for no values or any value that is ≤ 0 or non-finite.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
        return None;
    }
    let mean_ln = values.iter().map(|x| x.ln()).sum::<f64>() / values.len() as f64;
    Some(mean_ln.exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_edges() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, f64::NAN]), None);
        assert_eq!(mean(&[2.0]), Some(2.0));
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(mean(&[f64::MAX, f64::MAX]), Some(f64::MAX));
    }

    #[test]
    fn geometric_mean_edges() {
        assert_eq!(geometric_mean(&[]), None);
        assert_eq!(geometric_mean(&[1.0, 0.0]), None);
        assert_eq!(geometric_mean(&[1.0, -2.0]), None);
        assert_eq!(geometric_mean(&[1.0, f64::NAN]), None);
        assert_eq!(geometric_mean(&[1.0, f64::INFINITY]), None);
        assert_eq!(geometric_mean(&[1.25]), Some(1.25));
        let g = geometric_mean(&[0.5, 2.0, 4.0]).unwrap();
        assert!((g - 4f64.cbrt()).abs() < 1e-15);
        // ln keeps extreme magnitudes in range where a product would overflow.
        let g = geometric_mean(&[1e300, 1e300, 1e-300]).unwrap();
        assert!((g / 1e100 - 1.0).abs() < 1e-12);
    }
}
