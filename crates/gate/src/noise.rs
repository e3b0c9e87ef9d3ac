//! Noise floors (SPEC §7.4): how far two separately measured runs of unchanged code drift apart
//! on this machine, learned from A/A repetitions (`benchgate doctor`) or from a benchmark's
//! history (`benchgate history --save-noise-floor`). A floor raises the thresholds of its
//! benchmark, so it must not swallow real regressions: it is estimated robustly.
//!
//! The estimate: the run-to-run changes are taken as log-ratios `d`; their spread is
//! σ̂ = 1.4826·median(|d|) (the median absolute deviation about no change, which outliers cannot
//! move: half the changes would have to be outliers), and the floor is the change noise alone
//! stays within 95 % of the time, `exp(1.96·σ̂) − 1`. From a history, runs whose median is an
//! outlier of the level (more than 3.5 robust deviations from the level's median: one slow run)
//! are left out before the changes are taken, and a floor needs [`FLOOR_MIN_RUNS`] runs at the
//! current level (after the last detected shift), so a level shift never becomes noise.

use benchgate_stats::median;

/// The fewest runs (at one level, outliers included) a history floor is learned from.
pub const FLOOR_MIN_RUNS: usize = 10;

/// The fewest A/A changes a floor is learned from.
pub const FLOOR_MIN_CHANGES: usize = 4;

/// Robust deviations beyond which a run's median is an outlier of its level.
const OUTLIER_DEVIATIONS: f64 = 3.5;

/// Normal consistency factor of the median absolute deviation.
const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// Two-sided 95 % quantile of the standard normal.
const Z_95: f64 = 1.959_963_984_540_054;

/// A learned noise floor.
#[derive(Debug, Clone, PartialEq)]
pub struct FloorEstimate {
    /// The floor, as a fraction (0.03 = 3 %).
    pub relative: f64,
    /// Run-to-run changes it was estimated from.
    pub changes: usize,
    /// Runs left out as outliers (history only).
    pub outliers: usize,
}

/// Why no floor can be learned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FloorRefusal {
    #[error(
        "{runs} run(s) at the current level; a noise floor needs at least {needed} \
         (fewer cannot tell noise from a change of level)"
    )]
    TooFewRuns { runs: usize, needed: usize },
    #[error("{changes} A/A change(s); a noise floor needs at least {needed}")]
    TooFewChanges { changes: usize, needed: usize },
    #[error("a median is zero, negative or not finite: no relative noise")]
    NotPositive,
}

/// The floor from the medians of the runs at one level of a benchmark's history (oldest
/// first, after its last detected shift).
pub fn floor_from_history(level: &[f64]) -> Result<FloorEstimate, FloorRefusal> {
    if level.len() < FLOOR_MIN_RUNS {
        return Err(FloorRefusal::TooFewRuns {
            runs: level.len(),
            needed: FLOOR_MIN_RUNS,
        });
    }
    if level.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        return Err(FloorRefusal::NotPositive);
    }
    let logs: Vec<f64> = level.iter().map(|x| x.ln()).collect();
    let center = median(&logs).ok_or(FloorRefusal::NotPositive)?;
    let deviations: Vec<f64> = logs.iter().map(|x| (x - center).abs()).collect();
    let spread = median(&deviations).ok_or(FloorRefusal::NotPositive)? * MAD_TO_SIGMA;
    // With no spread at all, anything off the common value is an outlier.
    let kept: Vec<f64> = logs
        .iter()
        .zip(&deviations)
        .filter(|(_, d)| **d <= OUTLIER_DEVIATIONS * spread)
        .map(|(x, _)| *x)
        .collect();
    let changes: Vec<f64> = kept.windows(2).map(|w| w[1] - w[0]).collect();
    let relative = floor_of_log_changes(&changes).ok_or(FloorRefusal::NotPositive)?;
    Ok(FloorEstimate {
        relative,
        changes: changes.len(),
        outliers: level.len() - kept.len(),
    })
}

/// The floor from A/A changes: relative changes (0.02 = +2 %) between two separately sampled
/// runs of the same code.
pub fn floor_from_changes(changes: &[f64]) -> Result<FloorEstimate, FloorRefusal> {
    if changes.len() < FLOOR_MIN_CHANGES {
        return Err(FloorRefusal::TooFewChanges {
            changes: changes.len(),
            needed: FLOOR_MIN_CHANGES,
        });
    }
    if changes.iter().any(|c| !(c.is_finite() && *c > -1.0)) {
        return Err(FloorRefusal::NotPositive);
    }
    let logs: Vec<f64> = changes.iter().map(|c| c.ln_1p()).collect();
    let relative = floor_of_log_changes(&logs).ok_or(FloorRefusal::NotPositive)?;
    Ok(FloorEstimate {
        relative,
        changes: changes.len(),
        outliers: 0,
    })
}

/// `exp(1.96·1.4826·median(|d|)) − 1`; `None` without changes.
fn floor_of_log_changes(d: &[f64]) -> Option<f64> {
    let magnitudes: Vec<f64> = d.iter().map(|x| x.abs()).collect();
    let sigma = median(&magnitudes)? * MAD_TO_SIGMA;
    Some((Z_95 * sigma).exp_m1())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_level_has_no_noise() {
        let est = floor_from_history(&[5.0; 12]).unwrap();
        assert_eq!(est.relative, 0.0);
        assert_eq!((est.changes, est.outliers), (11, 0));
    }

    #[test]
    fn too_few_runs_and_bad_values_are_refused() {
        assert_eq!(
            floor_from_history(&[1.0, 1.0, 2.0, 2.0, 2.0]),
            Err(FloorRefusal::TooFewRuns {
                runs: 5,
                needed: 10
            })
        );
        let mut level = vec![1.0; 10];
        level[3] = 0.0;
        assert_eq!(floor_from_history(&level), Err(FloorRefusal::NotPositive));
        assert_eq!(
            floor_from_changes(&[0.01, 0.02, -0.01]),
            Err(FloorRefusal::TooFewChanges {
                changes: 3,
                needed: 4
            })
        );
        assert_eq!(
            floor_from_changes(&[0.01, 0.02, -1.0, 0.0]),
            Err(FloorRefusal::NotPositive)
        );
    }
}
