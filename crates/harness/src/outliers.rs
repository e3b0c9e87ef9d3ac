//! Outliers by Tukey's fences, as criterion classifies them: beyond 1.5 IQR of the quartiles is
//! mild, beyond 3 IQR severe. They are reported, never dropped: a bimodal benchmark is a finding.

/// Counts of samples beyond each fence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Outliers {
    pub low_severe: usize,
    pub low_mild: usize,
    pub high_mild: usize,
    pub high_severe: usize,
}

impl Outliers {
    pub fn total(&self) -> usize {
        self.low_severe + self.low_mild + self.high_mild + self.high_severe
    }

    /// Classifies `samples` (any order; fewer than 4 samples have no outliers).
    pub fn of(samples: &[f64]) -> Outliers {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        if sorted.len() < 4 {
            return Outliers::default();
        }
        sorted.sort_by(f64::total_cmp);
        let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
        let iqr = q3 - q1;
        let mut out = Outliers::default();
        for &x in &sorted {
            if x < q1 - 3.0 * iqr {
                out.low_severe += 1;
            } else if x < q1 - 1.5 * iqr {
                out.low_mild += 1;
            } else if x > q3 + 3.0 * iqr {
                out.high_severe += 1;
            } else if x > q3 + 1.5 * iqr {
                out.high_mild += 1;
            }
        }
        out
    }
}

/// Linear interpolation between closest ranks (type 7, numpy's default) of sorted data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_classify_exactly() {
        let mut xs = vec![10.0, 10.0, 10.5, 10.5, 11.0, 11.0, 10.25, 10.75];
        assert_eq!(Outliers::of(&xs).total(), 0);
        // Now q1 = 10.125, q3 = 11.0 (numpy's type 7), IQR 0.875: mild above 12.3125, severe
        // above 13.625 or below 7.5.
        xs.extend([11.6, 13.0, 5.0]);
        let o = Outliers::of(&xs);
        assert_eq!(
            o,
            Outliers {
                low_severe: 1,
                low_mild: 0,
                high_mild: 1,
                high_severe: 0
            }
        );
        assert_eq!(o.total(), 2);
    }

    #[test]
    fn too_few_samples_have_none() {
        assert_eq!(Outliers::of(&[1.0, 100.0, 1000.0]).total(), 0);
    }
}
