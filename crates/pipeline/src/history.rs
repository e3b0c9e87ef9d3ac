//! A benchmark's stored history for one measure, with the shifts of level detected in it (SPEC
//! §7.3): what `benchgate history` prints and the HTML report draws.

use benchgate_model::display::short_commit;
use benchgate_model::{Measure, Unit};
use benchgate_report::{SeriesRow, charts};
use benchgate_stats::changepoint::{ChangePoint, ChangePointOptions, Penalty, change_points};
use benchgate_store::{SeriesPoint, Store};
use uuid::Uuid;

use crate::PipelineError;

/// Which stored points a [`history`] reads.
#[derive(Debug, Clone, Copy)]
pub struct HistoryQuery<'a> {
    pub benchmark: &'a str,
    pub measure: &'a Measure,
    /// Only the runs of the machine with this environment fingerprint; `None`: every machine's.
    pub fingerprint: Option<&'a str>,
    /// Leave out the runs stored after this one (the history as it stood at that run), when it is
    /// among them.
    pub through_run: Option<Uuid>,
    /// At most the newest `limit` points (after the filters above).
    pub limit: usize,
    /// The fewest runs a level must last to count as one.
    pub min_segment: usize,
}

/// The points of a [`HistoryQuery`], oldest first, and the shifts of level among their medians.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchHistory {
    pub points: Vec<SeriesPoint>,
    /// Indices into `points`. None when a median is 0 or negative (it has no logarithm).
    pub change_points: Vec<ChangePoint>,
}

impl BenchHistory {
    /// The history as the report crate draws it (the HTML report, the dashboard): each point
    /// labelled with when its run started and its commit, each shift with its two levels.
    pub fn chart(&self, benchmark: &str, measure: &Measure, unit: Unit) -> charts::History {
        charts::History {
            benchmark: benchmark.to_string(),
            measure: measure.clone(),
            unit,
            points: self
                .points
                .iter()
                .map(|p| charts::HistoryPoint {
                    label: point_label(p),
                    value: p.median,
                })
                .collect(),
            change_points: self
                .change_points
                .iter()
                .map(|c| charts::ChangePoint {
                    index: c.index,
                    before_median: c.before_median,
                    after_median: c.after_median,
                })
                .collect(),
        }
    }
}

/// What tells a reader which run a point is: when it started, and its commit when known.
fn point_label(point: &SeriesPoint) -> String {
    let started = point
        .started_at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default();
    match &point.commit {
        Some(commit) => format!("{started} {}", short_commit(commit)),
        None => started,
    }
}

/// Reads the series `query` asks for from `store` and detects its change points (automatic
/// penalty). An empty history is no error: the caller says what that means to it.
pub fn history(store: &dyn Store, query: &HistoryQuery<'_>) -> Result<BenchHistory, PipelineError> {
    read_history(store, None, query)
}

/// [`history`] of the runs of one project only (the server's reads; [`history`] reads every
/// project's, as the CLI's local store holds only `default`).
pub fn project_history(
    store: &dyn Store,
    project: &str,
    query: &HistoryQuery<'_>,
) -> Result<BenchHistory, PipelineError> {
    read_history(store, Some(project), query)
}

fn read_history(
    store: &dyn Store,
    project: Option<&str>,
    query: &HistoryQuery<'_>,
) -> Result<BenchHistory, PipelineError> {
    // The store cuts to the newest points before these filters could: with a filter, it reads all.
    let read = if query.fingerprint.is_none() && query.through_run.is_none() {
        query.limit
    } else {
        usize::MAX
    };
    let points = match project {
        Some(project) => store.series_in(project, query.benchmark, query.measure, read),
        None => store.series(query.benchmark, query.measure, read),
    };
    let mut points = points.map_err(|source| PipelineError::ReadHistory {
        benchmark: query.benchmark.to_string(),
        source,
    })?;
    if let Some(fingerprint) = query.fingerprint {
        points.retain(|p| p.fingerprint == fingerprint);
    }
    if let Some(run) = query.through_run
        && let Some(at) = points.iter().position(|p| p.run_id == run)
    {
        points.truncate(at + 1);
    }
    let skip = points.len().saturating_sub(query.limit);
    points.drain(..skip);
    let change_points = shifts(&points, query.min_segment);
    Ok(BenchHistory {
        points,
        change_points,
    })
}

/// How many runs a level must last at least, unless asked otherwise.
pub const DEFAULT_MIN_SEGMENT: usize = 3;

/// The shifts of level in `points` (oldest first), each level lasting at least `min_segment`
/// runs (automatic penalty). Medians that are 0 or negative (a counter that can be 0) have no
/// logarithm: no shifts.
pub fn shifts(points: &[SeriesPoint], min_segment: usize) -> Vec<ChangePoint> {
    let values: Vec<f64> = points.iter().map(|p| p.median).collect();
    let options = ChangePointOptions {
        penalty: Penalty::Auto,
        min_segment,
    };
    change_points(&values, &options).unwrap_or_default()
}

/// The rows of a series export (`benchgate export`, `GET /api/v1/series.csv`): one per point,
/// its median as the value.
pub fn series_rows(points: &[SeriesPoint]) -> Vec<SeriesRow<'_>> {
    points
        .iter()
        .map(|p| SeriesRow {
            run_id: p.run_id,
            started_at: p.started_at,
            commit: p.commit.as_deref(),
            fingerprint: &p.fingerprint,
            value: p.median,
        })
        .collect()
}
