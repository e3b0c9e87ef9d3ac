//! Several closed-model levels in a row (`concurrency = [1, 10, 50]`) and how well throughput
//! scales from the lowest one. [`scaling_efficiency`] is pure; [`run_sweep`] runs the levels.

use std::num::NonZeroUsize;

use crate::closed::{ClosedLoad, LoadError, run_closed};
use crate::level::LevelResult;

/// Throughput per unit of concurrency at a level, relative to the base level's: 1.0 is linear
/// scaling, 0.5 means each added operation in flight buys half as much as at the base. `None`
/// when the base had no throughput or a concurrency is zero (nothing to scale from).
pub fn scaling_efficiency(
    base_concurrency: usize,
    base_throughput: f64,
    concurrency: usize,
    throughput: f64,
) -> Option<f64> {
    if base_concurrency == 0 || concurrency == 0 || base_throughput <= 0.0 {
        return None;
    }
    let base_per_slot = base_throughput / base_concurrency as f64;
    let per_slot = throughput / concurrency as f64;
    Some(per_slot / base_per_slot)
}

/// Runs `template` once per level, in the order given, with its concurrency replaced.
pub fn run_sweep(
    template: &ClosedLoad,
    levels: &[NonZeroUsize],
) -> Result<Vec<LevelResult>, LoadError> {
    levels
        .iter()
        .map(|&concurrency| {
            let mut load = template.clone();
            load.concurrency = concurrency;
            run_closed(&load)
        })
        .collect()
}

/// Each level's scaling efficiency against the level with the lowest concurrency.
pub fn sweep_efficiencies(levels: &[LevelResult]) -> Vec<Option<f64>> {
    let Some(base) = levels.iter().min_by_key(|level| level.concurrency) else {
        return Vec::new();
    };
    levels
        .iter()
        .map(|level| {
            scaling_efficiency(
                base.concurrency,
                base.throughput(),
                level.concurrency,
                level.throughput(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::level::{LevelRecorder, Outcome};

    #[test]
    fn efficiency_on_fixed_inputs() {
        assert_eq!(scaling_efficiency(1, 100.0, 10, 1000.0), Some(1.0));
        assert_eq!(scaling_efficiency(1, 100.0, 10, 500.0), Some(0.5));
        assert_eq!(scaling_efficiency(2, 100.0, 8, 100.0), Some(0.25));
        assert_eq!(scaling_efficiency(1, 0.0, 10, 500.0), None);
        assert_eq!(scaling_efficiency(0, 100.0, 10, 500.0), None);
    }

    fn level(concurrency: usize, successes: u64) -> LevelResult {
        let mut recorder = LevelRecorder::new(Duration::from_secs(1));
        for _ in 0..successes {
            recorder.record(Outcome::success(Duration::ZERO, Duration::from_nanos(100)));
        }
        recorder.finish(concurrency, Duration::from_secs(1), concurrency)
    }

    #[test]
    fn efficiencies_are_against_the_lowest_level_whatever_the_order() {
        let levels = [level(10, 800), level(1, 100), level(50, 2500)];
        assert_eq!(
            sweep_efficiencies(&levels),
            [Some(0.8), Some(1.0), Some(0.5)]
        );
        assert!(sweep_efficiencies(&[]).is_empty());
    }
}
