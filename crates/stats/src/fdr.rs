//! False-discovery-rate control across many comparisons.

/// Benjamini–Hochberg adjusted p-values, in input order, equal to
/// `scipy.stats.false_discovery_control(ps, method='bh')`: the adjusted value of the i-th smallest
/// of m p-values is `min over j ≥ i of p_(j)·m/j`, capped at 1. Rejecting adjusted values ≤ q
/// controls the false discovery rate at q.
///
/// Entries that are not valid p-values (NaN, infinite, outside [0, 1]) come out as NaN and are
/// left out of m; the others are adjusted among themselves. Empty input gives an empty vector.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let mut adjusted = vec![f64::NAN; p_values.len()];
    let mut valid: Vec<(usize, f64)> = p_values
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, p)| (0.0..=1.0).contains(p))
        .collect();
    valid.sort_by(|x, y| x.1.total_cmp(&y.1));
    let m = valid.len() as f64;
    let mut running_min = f64::INFINITY;
    for (rank0, &(index, p)) in valid.iter().enumerate().rev() {
        // m / rank first, then the product, in SciPy's order of operations.
        running_min = running_min.min(p * (m / (rank0 + 1) as f64));
        adjusted[index] = running_min.min(1.0);
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_single() {
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(benjamini_hochberg(&[0.03]), vec![0.03]);
    }

    #[test]
    fn known_case() {
        // Sorted: 0.01·4/1 = 0.04, 0.02·4/2 = 0.04, 0.03·4/3 = 0.04, 0.5·4/4 = 0.5.
        let adjusted = benjamini_hochberg(&[0.5, 0.03, 0.01, 0.02]);
        let expected = [0.5, 0.04, 0.04, 0.04];
        assert_eq!(adjusted.len(), expected.len(), "{adjusted:?}");
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15, "{adjusted:?}");
        }
    }

    #[test]
    fn monotone_step_up_and_capped() {
        let adjusted = benjamini_hochberg(&[0.9, 0.8, 1.0]);
        assert_eq!(adjusted, vec![1.0, 1.0, 1.0]);
        let adjusted = benjamini_hochberg(&[0.04, 0.01]);
        assert_eq!(adjusted, vec![0.04, 0.02]);
    }

    #[test]
    fn ties_share_a_value() {
        let adjusted = benjamini_hochberg(&[0.02, 0.02, 0.02]);
        assert_eq!(adjusted, vec![0.02, 0.02, 0.02]);
    }

    #[test]
    fn invalid_entries_become_nan_and_are_excluded() {
        let adjusted = benjamini_hochberg(&[f64::NAN, 0.01, 2.0, 0.04, -0.1, f64::INFINITY]);
        assert!(adjusted[0].is_nan() && adjusted[2].is_nan());
        assert!(adjusted[4].is_nan() && adjusted[5].is_nan());
        // Adjusted among the two valid ones only: m = 2.
        assert_eq!((adjusted[1], adjusted[3]), (0.02, 0.04));
    }
}
