//! Conversion between the model and the flat rows both backends store: sample blobs, JSON columns,
//! timestamps and the text forms of enums. Backends only move these rows in and out of SQL.

use std::collections::BTreeMap;

use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Precision, Provenance, Run, Source,
    Status, Summary, Unit,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::{Baseline, BaselinedRuns, Deleted, Result, RunSummary, SeriesPoint, StoreError};

/// One row of `runs`.
#[derive(Debug, Clone)]
pub(crate) struct RunRow {
    pub id: String,
    pub schema_tag: String,
    pub started_at: String,
    pub started_ns: i64,
    pub ended_at: String,
    pub source: String,
    pub mode: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub dirty: Option<bool>,
    pub merge_base: Option<String>,
    pub tags: String,
    pub environment: String,
    pub fingerprint: String,
    pub benchmark_count: i64,
    /// The run's number in `runs.seq` (schema version 6): `None` until it is stored.
    pub seq: Option<i64>,
}

/// One row of `benchmarks` (schema version 5 and older; read only to convert it), without the
/// run id.
#[derive(Debug, Clone)]
pub(crate) struct BenchRow {
    pub ordinal: i64,
    pub name: String,
    pub params: String,
    /// `None` when the benchmark has no labels (and for rows written before schema version 3).
    pub labels: Option<String>,
    pub command: Option<String>,
    pub status_kind: String,
    pub status_text: Option<String>,
    /// The benchmark's own mode; `None` means the run's (and for rows written before version 5).
    pub mode: Option<String>,
}

/// One row of `metrics` (schema version 5 and older; read only to convert it), without the run
/// id.
#[derive(Debug, Clone)]
pub(crate) struct MetricRow {
    pub bench_ordinal: i64,
    pub measure: String,
    pub unit: String,
    pub direction: String,
    pub exact: bool,
    pub summary: String,
    pub samples: Vec<u8>,
    pub iterations: Option<Vec<u8>>,
    /// The adaptive-sampling precision as JSON; `None` when there is none (and for rows written
    /// before version 5).
    pub precision: Option<String>,
}

/// A run's row of `runs`, and the strings its body and points refer to by id (see
/// [`crate::body`]).
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    pub run: RunRow,
    pub strings: Vec<String>,
}

/// The columns of `runs` behind a [`RunSummary`].
#[derive(Debug, Clone)]
pub(crate) struct SummaryRow {
    pub id: String,
    pub started_at: String,
    pub source: String,
    pub mode: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub fingerprint: String,
    pub benchmark_count: i64,
    pub project: String,
}

/// Encodes a batch of runs to be stored together: every run valid, no id twice in the batch.
pub(crate) fn encode_batch(runs: &[Run]) -> Result<Vec<Encoded>> {
    let mut seen = std::collections::HashSet::with_capacity(runs.len());
    for run in runs {
        if !seen.insert(run.id) {
            return Err(StoreError::DuplicateRun { id: run.id });
        }
    }
    runs.iter().map(encode).collect()
}

/// Decides, for [`crate::Store::delete_runs`], whether run `id`, which the baselines `pointing`
/// point at, is deleted; records what is kept or deleted with it in `deleted`.
pub(crate) fn may_delete(
    id: Uuid,
    pointing: Vec<Baseline>,
    policy: BaselinedRuns,
    deleted: &mut Deleted,
) -> Result<bool> {
    if pointing.is_empty() {
        return Ok(true);
    }
    match policy {
        BaselinedRuns::Refuse => Err(StoreError::RunHasBaselines {
            id,
            names: pointing.into_iter().map(|b| b.name).collect(),
        }),
        BaselinedRuns::Keep => {
            deleted.kept.extend(pointing);
            Ok(false)
        }
        BaselinedRuns::Delete => {
            deleted.baselines.extend(pointing);
            Ok(true)
        }
    }
}

/// `cutoff` in the nanoseconds of `runs.started_ns`, clamped to what that column holds.
pub(crate) fn cutoff_ns(cutoff: OffsetDateTime) -> i64 {
    i64::try_from(cutoff.unix_timestamp_nanos()).unwrap_or(if cutoff.year() < 1970 {
        i64::MIN
    } else {
        i64::MAX
    })
}

pub(crate) fn encode(run: &Run) -> Result<Encoded> {
    run.validate()
        .map_err(|source| StoreError::InvalidRun { id: run.id, source })?;
    let unstorable = |reason: String| StoreError::Unstorable { id: run.id, reason };
    let started_ns = i64::try_from(run.started_at.unix_timestamp_nanos())
        .map_err(|_| unstorable("the start time is outside the years 1677–2262".into()))?;
    for bench in &run.benchmarks {
        for metric in &bench.metrics {
            let s = &metric.summary;
            let ci = s.median_ci.map_or([0.0; 3], |i| [i.lo, i.hi, i.confidence]);
            let finite = [
                s.mean, s.median, s.min, s.max, s.stddev, s.mad, s.p95, s.p99,
            ]
            .iter()
            .chain(ci.iter())
            .all(|v| v.is_finite());
            if !finite {
                return Err(unstorable(format!(
                    "the summary of {} / {} is not finite",
                    bench.name, metric.measure
                )));
            }
            if let Some(p) = &metric.precision
                && !(p.target.is_finite() && p.reached.is_none_or(f64::is_finite))
            {
                return Err(unstorable(format!(
                    "the precision of {} / {} is not finite",
                    bench.name, metric.measure
                )));
            }
        }
    }
    Ok(Encoded {
        run: run_row(run, started_ns).map_err(unstorable)?,
        strings: crate::body::strings(run),
    })
}

fn run_row(run: &Run, started_ns: i64) -> Result<RunRow, String> {
    let p = &run.provenance;
    Ok(RunRow {
        id: run.id.to_string(),
        schema_tag: run.schema.clone(),
        started_at: timestamp(run.started_at)?,
        started_ns,
        ended_at: timestamp(run.ended_at)?,
        source: run.source.to_string(),
        mode: p.mode.as_str().to_string(),
        commit: p.commit.clone(),
        branch: p.branch.clone(),
        dirty: p.dirty,
        merge_base: p.merge_base.clone(),
        tags: to_json(&p.tags),
        environment: to_json(&run.environment),
        fingerprint: run.environment.fingerprint.clone(),
        benchmark_count: to_i64(run.benchmarks.len()),
        seq: None,
    })
}

/// The stored run `id` from its row of `runs` and its packed body (`None`: none is stored), the
/// body's names looked up by `name`. Both backends read runs this way: anything that does not
/// decode makes the run [`StoreError::UnreadableRun`], which names it for deletion.
pub(crate) fn decode_stored(
    id: Uuid,
    row: RunRow,
    packed: Option<Vec<u8>>,
    name: &mut dyn FnMut(i64) -> Result<String>,
) -> Result<Option<Run>> {
    let decoded = match packed {
        Some(packed) => crate::body::decode(&packed, name),
        None => Err(StoreError::Corrupt(
            "the run has no stored benchmarks".into(),
        )),
    };
    decoded
        .and_then(|benchmarks| decode(row, benchmarks))
        .map(Some)
        .map_err(|source| StoreError::UnreadableRun {
            id,
            source: Box::new(source),
        })
}

/// A run from its row of `runs` and its benchmarks (from its packed body).
pub(crate) fn decode(row: RunRow, benchmarks: Vec<Benchmark>) -> Result<Run> {
    Ok(Run {
        schema: row.schema_tag,
        id: parse_uuid(&row.id)?,
        started_at: parse_timestamp(&row.started_at)?,
        ended_at: parse_timestamp(&row.ended_at)?,
        source: parse_source(row.source)?,
        provenance: Provenance {
            mode: parse_mode(&row.mode)?,
            commit: row.commit,
            branch: row.branch,
            dirty: row.dirty,
            merge_base: row.merge_base,
            tags: from_json(&row.tags, "run tags")?,
        },
        environment: from_json::<Environment>(&row.environment, "run environment")?,
        benchmarks,
    })
}

/// A run stored by schema version 5 or older, from its rows (to convert it to version 6).
pub(crate) fn decode_v5(
    row: RunRow,
    benches: Vec<BenchRow>,
    metrics: Vec<MetricRow>,
) -> Result<Run> {
    let mut benchmarks = Vec::with_capacity(benches.len());
    for b in benches {
        let status = match (b.status_kind.as_str(), b.status_text) {
            ("ok", _) => Status::Ok,
            ("failed", Some(message)) => Status::Failed { message },
            ("skipped", Some(reason)) => Status::Skipped { reason },
            (kind, _) => {
                return Err(corrupt(format!(
                    "benchmark {:?} has status {kind:?} without a valid text",
                    b.name
                )));
            }
        };
        benchmarks.push((
            b.ordinal,
            Benchmark {
                mode: b.mode.as_deref().map(parse_mode).transpose()?,
                params: from_json::<BTreeMap<String, String>>(&b.params, "benchmark params")?,
                labels: match &b.labels {
                    Some(text) => from_json::<BTreeMap<String, String>>(text, "benchmark labels")?,
                    None => BTreeMap::new(),
                },
                name: b.name,
                command: b.command,
                status,
                metrics: Vec::new(),
                series: Vec::new(),
            },
        ));
    }
    for m in metrics {
        let Some((_, bench)) = benchmarks.iter_mut().find(|(o, _)| *o == m.bench_ordinal) else {
            return Err(corrupt(format!(
                "a metric belongs to missing benchmark #{}",
                m.bench_ordinal
            )));
        };
        bench.metrics.push(Metric {
            precision: m
                .precision
                .as_deref()
                .map(|text| from_json::<Precision>(text, "metric precision"))
                .transpose()?,
            measure: Measure::parse(&m.measure),
            unit: Unit::from(m.unit),
            direction: parse_direction(&m.direction)?,
            exact: m.exact,
            samples: f64s(&m.samples)?,
            iterations: m.iterations.as_deref().map(u64s).transpose()?,
            summary: from_json::<Summary>(&m.summary, "metric summary")?,
        });
    }
    decode(row, benchmarks.into_iter().map(|(_, b)| b).collect())
}

pub(crate) fn decode_summary(row: SummaryRow) -> Result<RunSummary> {
    Ok(RunSummary {
        id: parse_uuid(&row.id)?,
        project: row.project,
        started_at: parse_timestamp(&row.started_at)?,
        source: parse_source(row.source)?,
        mode: parse_mode(&row.mode)?,
        commit: row.commit,
        branch: row.branch,
        fingerprint: row.fingerprint,
        benchmarks: usize::try_from(row.benchmark_count)
            .map_err(|_| corrupt(format!("negative benchmark count {}", row.benchmark_count)))?,
    })
}

fn count(n: i64) -> Result<usize> {
    usize::try_from(n).map_err(|_| corrupt(format!("negative count {n}")))
}

/// The rows of [`crate::queries::PROJECTS`], by name.
pub(crate) fn decode_projects(
    rows: Vec<(String, i64, Option<String>)>,
) -> Result<Vec<crate::ProjectSummary>> {
    let mut projects = rows
        .into_iter()
        .map(|(name, runs, newest)| {
            Ok(crate::ProjectSummary {
                name,
                runs: count(runs)?,
                newest_run_at: newest.as_deref().map(parse_timestamp).transpose()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Sorted here, not in SQL: PostgreSQL's collation could order names otherwise.
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(projects)
}

/// The rows of [`crate::queries::BRANCHES`], by name, the runs without a branch last.
pub(crate) fn decode_branches(
    rows: Vec<crate::queries::BranchRow>,
) -> Result<Vec<crate::BranchSummary>> {
    let mut branches = rows
        .into_iter()
        .map(|(name, runs, id, at, commit)| {
            Ok(crate::BranchSummary {
                name,
                runs: count(runs)?,
                newest_run_id: parse_uuid(&id)?,
                newest_run_at: parse_timestamp(&at)?,
                newest_commit: commit,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    branches.sort_by(|a, b| (a.name.is_none(), &a.name).cmp(&(b.name.is_none(), &b.name)));
    Ok(branches)
}

pub(crate) fn decode_baseline(name: String, run_id: &str, created_at: &str) -> Result<Baseline> {
    Ok(Baseline {
        name,
        run_id: parse_uuid(run_id)?,
        created_at: parse_timestamp(created_at)?,
    })
}

pub(crate) fn decode_point(
    run_id: &str,
    started_at: &str,
    commit: Option<String>,
    fingerprint: String,
    median: f64,
) -> Result<SeriesPoint> {
    Ok(SeriesPoint {
        run_id: parse_uuid(run_id)?,
        started_at: parse_timestamp(started_at)?,
        commit,
        fingerprint,
        median,
    })
}

/// The current time as stored in `created_at` columns.
/// A noise floor as its columns, checked.
pub(crate) fn encode_noise_floor(f: &crate::NoiseFloor) -> Result<(String, i64)> {
    if !(f.relative.is_finite() && f.relative >= 0.0) {
        return Err(StoreError::InvalidArgument(format!(
            "the noise floor of {} / {} must be a non-negative number, not {}",
            f.benchmark, f.measure, f.relative
        )));
    }
    let at = timestamp(f.learned_at).map_err(StoreError::InvalidArgument)?;
    Ok((at, to_i64(f.samples)))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_noise_floor(
    fingerprint: String,
    benchmark: String,
    measure: &str,
    relative: f64,
    samples: i64,
    method: String,
    learned_at: &str,
) -> Result<crate::NoiseFloor> {
    Ok(crate::NoiseFloor {
        fingerprint,
        benchmark,
        measure: Measure::parse(measure),
        relative,
        samples: usize::try_from(samples)
            .map_err(|_| corrupt(format!("{samples} noise samples")))?,
        method,
        learned_at: parse_timestamp(learned_at)?,
    })
}

/// By benchmark, then measure, byte-wise: the same order on every backend, whatever its collation.
pub(crate) fn sort_noise_floors(mut floors: Vec<crate::NoiseFloor>) -> Vec<crate::NoiseFloor> {
    floors.sort_by(|a, b| {
        (a.benchmark.as_str(), a.measure.as_str()).cmp(&(b.benchmark.as_str(), b.measure.as_str()))
    });
    floors
}

pub(crate) fn now() -> String {
    timestamp(OffsetDateTime::now_utc()).unwrap_or_default()
}

/// A baseline name must read back as itself: [`Selector::parse`](crate::Selector::parse) of it
/// must give `Selector::Name(name)`, so `--baseline NAME` finds it; control characters (which
/// break listings and messages) and a leading `-` (read as an option) are refused too.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let bad = |reason: String| {
        Err(StoreError::BadBaselineName {
            name: name.to_string(),
            reason,
        })
    };
    if name.trim().is_empty() {
        return bad("a baseline name must not be empty".into());
    }
    if name.chars().any(char::is_control) {
        return bad("it holds a control character (a newline, a tab, …)".into());
    }
    if name.starts_with('-') {
        return bad("it starts with `-`, which a command line reads as an option".into());
    }
    match crate::Selector::parse(name) {
        Ok(crate::Selector::Name(parsed)) if parsed == name => Ok(()),
        Ok(crate::Selector::Name(_)) => {
            bad("it starts or ends with whitespace, which is trimmed when a selector is read".into())
        }
        Ok(other) => bad(format!(
            "it reads as the selector `{other}`, so it could never be selected by name"
        )),
        Err(_) => bad(
            "it contains `:`, which only selectors use (run:<id>, commit:<sha>, window:N, merge-base:BRANCH)"
                .into(),
        ),
    }
}

pub(crate) fn check_prefix(prefix: &str) -> Result<&str> {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Err(StoreError::InvalidArgument(
            "a commit prefix must not be empty".into(),
        ));
    }
    Ok(prefix)
}

/// The distinct `(benchmark, mode)` pairs of a `latest_measurements` request, in their first
/// order, with their modes as stored.
pub(crate) fn distinct_wanted(wanted: &[(String, Mode)]) -> Vec<(&str, Mode)> {
    let mut seen = std::collections::HashSet::with_capacity(wanted.len());
    wanted
        .iter()
        .map(|(name, mode)| (name.as_str(), *mode))
        .filter(|pair| seen.insert(*pair))
        .collect()
}

/// The answer of a `latest_measurements` query: for the `ord`-th wanted pair (0-based), the run
/// holding its latest measurement, if any.
pub(crate) fn decode_latest(
    wanted: &[(&str, Mode)],
    rows: Vec<(i64, Option<String>)>,
) -> Result<Vec<crate::LatestMeasurement>> {
    let mut found = Vec::with_capacity(rows.len());
    for (ord, run_id) in rows {
        let Some(run_id) = run_id else { continue };
        let Some((name, mode)) = usize::try_from(ord).ok().and_then(|i| wanted.get(i)) else {
            return Err(corrupt(format!(
                "the latest-measurement query answered for wanted benchmark #{ord}, of {}",
                wanted.len()
            )));
        };
        found.push(crate::LatestMeasurement {
            benchmark: (*name).to_string(),
            mode: *mode,
            run_id: parse_uuid(&run_id)?,
        });
    }
    Ok(found)
}

/// Limits are `usize` in the API and `i64` in SQL; anything huge means "no limit".
pub(crate) fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt(format!("{s:?} is not a run id")))
}

fn timestamp(t: OffsetDateTime) -> Result<String, String> {
    t.format(&Rfc3339)
        .map_err(|_| format!("the timestamp {t} has no RFC 3339 form"))
}

fn parse_timestamp(s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|_| corrupt(format!("{s:?} is not a timestamp")))
}

fn parse_source(s: String) -> Result<Source> {
    Source::try_from(s).map_err(corrupt)
}

pub(crate) fn parse_mode(s: &str) -> Result<Mode> {
    match s {
        "real" => Ok(Mode::Real),
        "simulated" => Ok(Mode::Simulated),
        other => Err(corrupt(format!("unknown mode {other:?}"))),
    }
}

fn parse_direction(s: &str) -> Result<Direction> {
    match s {
        "lower_is_better" => Ok(Direction::LowerIsBetter),
        "higher_is_better" => Ok(Direction::HigherIsBetter),
        other => Err(corrupt(format!("unknown direction {other:?}"))),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Maps with string keys and finite numbers (checked above) always serialise.
    serde_json::to_string(value).unwrap_or_default()
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| corrupt(format!("{what} is not valid JSON ({e})")))
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt(message)
}

/// Samples as little-endian `f64`s, bit for bit (as schema version 5 stored them).
#[cfg(test)]
pub(crate) fn f64_blob(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(crate) fn f64s(blob: &[u8]) -> Result<Vec<f64>> {
    words(blob, "samples").map(|w| w.map(f64::from_le_bytes).collect())
}

/// Iteration counts as little-endian `u64`s.
#[cfg(test)]
pub(crate) fn u64_blob(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(crate) fn u64s(blob: &[u8]) -> Result<Vec<u64>> {
    words(blob, "iterations").map(|w| w.map(u64::from_le_bytes).collect())
}

fn words<'a>(blob: &'a [u8], what: &str) -> Result<impl Iterator<Item = [u8; 8]> + 'a> {
    if !blob.len().is_multiple_of(8) {
        return Err(corrupt(format!(
            "the {what} blob is {} bytes, not a multiple of 8",
            blob.len()
        )));
    }
    Ok(blob.chunks_exact(8).map(|c| {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        word
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_bit_exact() {
        let samples = [0.1, -0.0, f64::MIN_POSITIVE, 1e300, 5e-324, 123_456.789];
        let back = f64s(&f64_blob(&samples)).unwrap();
        assert_eq!(
            back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            samples.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        let iters = [0, 1, u64::MAX];
        assert_eq!(u64s(&u64_blob(&iters)).unwrap(), iters);
    }

    #[test]
    fn truncated_blob_is_corrupt_not_a_panic() {
        assert!(matches!(f64s(&[1, 2, 3]), Err(StoreError::Corrupt(_))));
        assert!(f64s(&[]).unwrap().is_empty());
    }
}
