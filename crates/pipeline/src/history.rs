//! A benchmark's stored history for one measure, with the shifts of level detected in it (SPEC
//! §7.3): what `benchgate history` prints and the HTML report draws.

use benchgate_gate::{Budget, default_direction};
use benchgate_model::display::short_commit;
use benchgate_model::{Direction, Measure, Unit};
use benchgate_report::units::format_value;
use benchgate_report::{SeriesRow, charts};
use benchgate_stats::changepoint::{ChangePoint, ChangePointOptions, Penalty, change_points};
use benchgate_store::{SeriesPoint, Store};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
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
    /// The chart of this history, with the absolute bounds of the `budgets` that apply to
    /// `benchmark`'s `measure` drawn across it.
    pub fn chart(
        &self,
        benchmark: &str,
        measure: &Measure,
        unit: Unit,
        budgets: &[Budget],
    ) -> charts::History {
        charts::History {
            limits: budget_limits(budgets, benchmark, measure, &unit),
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

/// The absolute bounds (`max`, `min`, `target`) of the budgets on `benchmark`'s `measure`, as
/// lines for its history chart (relative bounds move with the baseline: no line). A target's
/// side is the measure's better one.
pub fn budget_limits(
    budgets: &[Budget],
    benchmark: &str,
    measure: &Measure,
    unit: &Unit,
) -> Vec<charts::Limit> {
    let target_side = match default_direction(measure) {
        Direction::LowerIsBetter => charts::LimitSide::Below,
        Direction::HigherIsBetter => charts::LimitSide::Above,
    };
    budgets
        .iter()
        .filter(|b| &b.measure == measure && b.matches(benchmark))
        .flat_map(|b| {
            let label = b.label_in(unit);
            [
                (b.max, "max", charts::LimitSide::Below, true),
                (b.min, "min", charts::LimitSide::Above, true),
                (b.target, "target", target_side, false),
            ]
            .into_iter()
            .filter_map(move |(value, kind, side, hard)| {
                value.map(|value| charts::Limit {
                    label: format!("{kind} {} ({label})", format_value(value, unit)),
                    value,
                    side,
                    hard,
                })
            })
        })
        .collect()
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
    let points = read_points(store, project, query)?;
    let change_points = shifts(&points, query.min_segment);
    Ok(BenchHistory {
        points,
        change_points,
    })
}

/// The points of `query` (of `project`'s runs, or every project's), oldest first.
fn read_points(
    store: &dyn Store,
    project: Option<&str>,
    query: &HistoryQuery<'_>,
) -> Result<Vec<SeriesPoint>, PipelineError> {
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
    Ok(points)
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

/// Which machine's runs a [`history_range`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineFilter<'a> {
    /// The machine that measured the series' newest point: runs of one machine are comparable,
    /// and the newest is the one a reader most likely asks about.
    Newest,
    /// The machine with this environment fingerprint, else the one machine with this hostname.
    Named(&'a str),
    /// Every machine's runs, mixed.
    All,
}

/// One end of a range of a series' runs; both ends are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeBound {
    /// The runs started at or after (from) / at or before (to) this instant.
    At(OffsetDateTime),
    /// The runs started on or after (from) / on or before (to) this day, in UTC.
    Day(Date),
    /// From / through this run, which must be in the series.
    Run(Uuid),
}

impl RangeBound {
    /// `text` as an RFC 3339 date (`2026-09-21`) or date-time (`2026-09-21T10:00:00Z`), or a
    /// run id; `parameter` names the bound in the error.
    pub fn parse(parameter: &'static str, text: &str) -> Result<RangeBound, RangeError> {
        let text = text.trim();
        if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(RangeBound::At(at));
        }
        if let Ok(day) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
            return Ok(RangeBound::Day(day));
        }
        if let Ok(run) = Uuid::parse_str(text) {
            return Ok(RangeBound::Run(run));
        }
        Err(RangeError::BadBound {
            parameter,
            text: text.to_string(),
        })
    }

    /// The earliest (`from`) or latest (`to`) instant the bound lets in; `None` for a run.
    fn instant(self, end: bool) -> Option<OffsetDateTime> {
        match self {
            RangeBound::At(at) => Some(at),
            // The day's last instant: the runs of the whole day are in.
            RangeBound::Day(day) if end => {
                Some(day.next_day()?.midnight().assume_utc() - time::Duration::NANOSECOND)
            }
            RangeBound::Day(day) => Some(day.midnight().assume_utc()),
            RangeBound::Run(_) => None,
        }
    }
}

/// Which points a [`history_range`] reads: a machine's runs of one measure of a benchmark,
/// cut to a range.
#[derive(Debug, Clone, Copy)]
pub struct RangeQuery<'a> {
    /// The project whose runs are read (the server's), or every project's (`None`).
    pub project: Option<&'a str>,
    pub benchmark: &'a str,
    pub measure: &'a Measure,
    pub machine: MachineFilter<'a>,
    pub from: Option<RangeBound>,
    pub to: Option<RangeBound>,
    /// At most the newest `limit` points of the range.
    pub limit: usize,
    /// The fewest runs a level must last to count as one.
    pub min_segment: usize,
}

/// A machine that measured points of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub fingerprint: String,
    /// The hostname its newest run of the series reported.
    pub hostname: String,
    /// How many points of the series it measured.
    pub points: usize,
}

/// What [`history_range`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct RangedHistory {
    /// Every machine with points in the series (of any range), the newest first.
    pub machines: Vec<Machine>,
    /// The fingerprint of the machine whose points these are; `None`: every machine's.
    pub machine: Option<String>,
    /// How many points that machine's series (or the whole series) holds.
    pub series_len: usize,
    /// How many of them the range holds, before the limit.
    pub in_range: usize,
    /// The index in that series of the first point shown.
    pub first: usize,
    /// The points shown, oldest first, and the shifts of level detected among them alone: a
    /// range's shifts are its own (a narrower range can show a shift a wider one smooths over).
    pub history: BenchHistory,
}

/// Why a range of a history cannot be read; [`RangeError::parameter`] names the part of the
/// query at fault.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    #[error(
        "{parameter}: expected an RFC 3339 date (2026-09-21) or date-time \
         (2026-09-21T10:00:00Z), or a run id, got {text:?}"
    )]
    BadBound {
        parameter: &'static str,
        text: String,
    },
    #[error(
        "machine: no point of this series was measured on a machine with the fingerprint or \
         hostname {wanted:?} (its machines: {known})"
    )]
    UnknownMachine { wanted: String, known: String },
    #[error(
        "machine: {hostname:?} is the hostname of several machines: name one by its \
         fingerprint ({fingerprints})"
    )]
    AmbiguousHostname {
        hostname: String,
        fingerprints: String,
    },
    #[error("{parameter}: run {run} is not a point of this series{on}")]
    RunNotInSeries {
        parameter: &'static str,
        run: Uuid,
        /// ` on machine …` when the series is one machine's.
        on: String,
    },
    #[error("to: the range ends before it starts (from is after to)")]
    Reversed,
    #[error(transparent)]
    Read(#[from] PipelineError),
}

impl RangeError {
    /// The query's part at fault (`from`, `to`, `machine`); `None` when the store failed.
    pub fn parameter(&self) -> Option<&'static str> {
        match self {
            RangeError::BadBound { parameter, .. }
            | RangeError::RunNotInSeries { parameter, .. } => Some(parameter),
            RangeError::UnknownMachine { .. } | RangeError::AmbiguousHostname { .. } => {
                Some("machine")
            }
            RangeError::Reversed => Some("to"),
            RangeError::Read(_) => None,
        }
    }
}

/// Reads the series `query` asks for (one machine's points, as [`history`] filters them), cuts
/// it to the range and the limit, and detects the shifts of level among the points kept.
pub fn history_range(
    store: &dyn Store,
    query: &RangeQuery<'_>,
) -> Result<RangedHistory, RangeError> {
    let every = read_points(
        store,
        query.project,
        &HistoryQuery {
            benchmark: query.benchmark,
            measure: query.measure,
            fingerprint: None,
            through_run: None,
            limit: usize::MAX,
            min_segment: query.min_segment,
        },
    )?;
    let machines = machines_of(store, query.benchmark, &every)?;
    let machine = match query.machine {
        MachineFilter::All => None,
        MachineFilter::Newest => every.last().map(|p| p.fingerprint.clone()),
        MachineFilter::Named(wanted) => Some(pick_machine(&machines, wanted)?),
    };
    let mut points = every;
    if let Some(fingerprint) = &machine {
        points.retain(|p| &p.fingerprint == fingerprint);
    }
    let on = machine
        .as_ref()
        .map_or_else(String::new, |f| format!(" on machine {f}"));
    let position = |parameter: &'static str, run: Uuid| {
        points
            .iter()
            .position(|p| p.run_id == run)
            .ok_or_else(|| RangeError::RunNotInSeries {
                parameter,
                run,
                on: on.clone(),
            })
    };
    let start = match query.from {
        None => 0,
        Some(RangeBound::Run(run)) => position("from", run)?,
        Some(bound) => {
            let from = bound.instant(false);
            points
                .iter()
                .position(|p| from.is_none_or(|at| p.started_at >= at))
                .unwrap_or(points.len())
        }
    };
    let end = match query.to {
        None => points.len(),
        Some(RangeBound::Run(run)) => position("to", run)? + 1,
        Some(bound) => {
            let to = bound.instant(true);
            points
                .iter()
                .rposition(|p| to.is_none_or(|at| p.started_at <= at))
                .map_or(0, |i| i + 1)
        }
    };
    let reversed_times = match (
        query.from.and_then(|b| b.instant(false)),
        query.to.and_then(|b| b.instant(true)),
    ) {
        (Some(from), Some(to)) => from > to,
        _ => false,
    };
    if reversed_times || start > end {
        return Err(RangeError::Reversed);
    }
    let series_len = points.len();
    let first = start + (end - start).saturating_sub(query.limit);
    points.truncate(end);
    points.drain(..first);
    let change_points = shifts(&points, query.min_segment);
    Ok(RangedHistory {
        machines,
        machine,
        series_len,
        in_range: end - start,
        first,
        history: BenchHistory {
            points,
            change_points,
        },
    })
}

/// The machines of `points` (oldest first), the newest first, each with the hostname of its
/// newest run.
fn machines_of(
    store: &dyn Store,
    benchmark: &str,
    points: &[SeriesPoint],
) -> Result<Vec<Machine>, PipelineError> {
    let mut machines: Vec<(Machine, Uuid)> = Vec::new();
    for point in points.iter().rev() {
        match machines
            .iter_mut()
            .find(|(m, _)| m.fingerprint == point.fingerprint)
        {
            Some((machine, _)) => machine.points += 1,
            None => machines.push((
                Machine {
                    fingerprint: point.fingerprint.clone(),
                    hostname: String::new(),
                    points: 1,
                },
                point.run_id,
            )),
        }
    }
    machines
        .into_iter()
        .map(|(mut machine, newest)| {
            let run = store
                .get_run(newest)
                .map_err(|source| PipelineError::ReadHistory {
                    benchmark: benchmark.to_string(),
                    source,
                })?;
            // A run deleted since the series was read has no hostname to show.
            machine.hostname = run.map(|r| r.environment.hostname).unwrap_or_default();
            Ok(machine)
        })
        .collect()
}

/// The fingerprint of the machine `wanted` names: by fingerprint, else by a unique hostname.
fn pick_machine(machines: &[Machine], wanted: &str) -> Result<String, RangeError> {
    let wanted = wanted.trim();
    if let Some(m) = machines.iter().find(|m| m.fingerprint == wanted) {
        return Ok(m.fingerprint.clone());
    }
    let named: Vec<&Machine> = machines.iter().filter(|m| m.hostname == wanted).collect();
    match named.as_slice() {
        [one] => Ok(one.fingerprint.clone()),
        [] => Err(RangeError::UnknownMachine {
            wanted: wanted.to_string(),
            known: machines
                .iter()
                .map(|m| format!("{} ({})", m.hostname, m.fingerprint))
                .collect::<Vec<_>>()
                .join(", "),
        }),
        several => Err(RangeError::AmbiguousHostname {
            hostname: wanted.to_string(),
            fingerprints: several
                .iter()
                .map(|m| m.fingerprint.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
