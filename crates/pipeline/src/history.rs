//! A benchmark's stored history as `benchgate history` and the team server read it: its points
//! and the shifts of level detected in them (SPEC §7.3), by one rule for every front end.

use benchgate_stats::changepoint::{ChangePoint, ChangePointOptions, Penalty, change_points};
use benchgate_store::SeriesPoint;

/// How many runs a level must last at least, unless asked otherwise.
pub const DEFAULT_MIN_SEGMENT: usize = 3;

/// The shifts of level in `points` (oldest first), each level lasting at least `min_segment`
/// runs.
pub fn shifts(points: &[SeriesPoint], min_segment: usize) -> Vec<ChangePoint> {
    let values: Vec<f64> = points.iter().map(|p| p.median).collect();
    let options = ChangePointOptions {
        penalty: Penalty::Auto,
        min_segment,
    };
    // Medians that are 0 or negative (a counter that can be 0) have no logarithm: no shifts.
    change_points(&values, &options).unwrap_or_default()
}
