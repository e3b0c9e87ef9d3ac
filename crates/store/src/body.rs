//! The packed form of a run's benchmarks (schema version 6): one blob per run, read and written
//! whole, so a metric of 10 samples costs its 80 bytes of samples and a few bytes more.
//!
//! Layout (all integers are LEB128 varints unless said otherwise; a string is its byte length
//! then its UTF-8 bytes; an `f64` or `u64` is 8 little-endian bytes):
//!
//! ```text
//! body      = FORMAT:u8 count benchmark*
//! benchmark = name_id flags:u8 [status_text] [params] [labels] [command] [series*] count metric*
//! series*   = count (name:string unit:string count (t:f64 value:f64)*)*     (format 2 only)
//! metric    = measure_id unit:string flags:u8 count f64* [count u64*] [summary] [precision]
//! summary   = n mean median min max stddev mad p95 p99 has_ci:u8 [lo hi confidence]
//! precision = target:f64 has_reached:u8 [reached:f64]
//! map       = count (key:string value:string)*
//! ```
//!
//! Names and measures are ids into the `names` table (they are repeated in every run). A summary
//! is stored only when it is not exactly what [`Summary::of`] computes from the samples (an
//! ingested summary, say); otherwise it is recomputed on reading, bit for bit, so each summary is
//! stored once (its median is also the `points.median` of series queries).
//!
//! Format 2 adds a benchmark's time series (`Benchmark.series`, flag `HAS_SERIES`). A body is
//! written in format 2 only when one of its benchmarks has series, so a run without any packs
//! exactly as before, and an older benchgate refuses a body with series by its format number
//! instead of misreading it. Both formats decode.

use std::collections::{BTreeMap, HashMap};

use benchgate_model::{
    Benchmark, Direction, Interval, Measure, Metric, Mode, Precision, Run, Series, SeriesPoint,
    Status, Summary, Unit,
};

use crate::{Result, StoreError};

/// The first byte of a body whose benchmarks have no series (the format before series existed).
const FORMAT: u8 = 1;
/// The first byte of a body with at least one series.
const FORMAT_WITH_SERIES: u8 = 2;

// Benchmark flags.
const STATUS_MASK: u8 = 0b11;
const FAILED: u8 = 1;
const SKIPPED: u8 = 2;
const HAS_PARAMS: u8 = 1 << 2;
const HAS_LABELS: u8 = 1 << 3;
const HAS_COMMAND: u8 = 1 << 4;
const HAS_MODE: u8 = 1 << 5;
const MODE_SIMULATED: u8 = 1 << 6;
const HAS_SERIES: u8 = 1 << 7;

// Metric flags.
const HIGHER_IS_BETTER: u8 = 1;
const EXACT: u8 = 1 << 1;
const HAS_SUMMARY: u8 = 1 << 2;
const HAS_ITERATIONS: u8 = 1 << 3;
const HAS_PRECISION: u8 = 1 << 4;

/// The `measure_id` of the point of a benchmark that has no metrics.
pub(crate) const NO_MEASURE: i64 = 0;

/// The strings of `run` that are stored as ids: benchmark names, measures, the source and the
/// machine fingerprint, each once.
pub(crate) fn strings(run: &Run) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let all = run
        .benchmarks
        .iter()
        .flat_map(|b| {
            std::iter::once(b.name.as_str()).chain(b.metrics.iter().map(|m| m.measure.as_str()))
        })
        .chain([run.environment.fingerprint.as_str()]);
    for s in all {
        if seen.insert(s) {
            out.push(s.to_string());
        }
    }
    let source = run.source.to_string();
    if !seen.contains(source.as_str()) {
        out.push(source);
    }
    out
}

/// One row of `points`: a metric of a benchmark (or, for a benchmark without metrics, the
/// benchmark itself, with [`NO_MEASURE`]), for series queries and the `last` selector.
#[derive(Debug, Clone)]
pub(crate) struct PointRow {
    pub name_id: i64,
    pub measure_id: i64,
    /// The mode it was measured in: the benchmark's own, else the run's.
    pub mode: &'static str,
    /// Whether the benchmark's status is `ok`.
    pub ok: bool,
    pub median: Option<f64>,
}

/// The packed body of `run` and its points; `ids` holds an id for each of [`strings`]`(run)`.
pub(crate) fn encode(run: &Run, ids: &HashMap<String, i64>) -> Result<(Vec<u8>, Vec<PointRow>)> {
    let id = |s: &str| {
        ids.get(s).copied().ok_or_else(|| StoreError::Unstorable {
            id: run.id,
            reason: format!("no id was assigned to {s:?}"),
        })
    };
    let samples: usize = run
        .benchmarks
        .iter()
        .flat_map(|b| &b.metrics)
        .map(|m| m.samples.len())
        .sum();
    let mut out = Writer(Vec::with_capacity(
        16 + samples * 8 + run.benchmarks.len() * 16,
    ));
    let mut points = Vec::new();
    let with_series = run.benchmarks.iter().any(|b| !b.series.is_empty());
    out.byte(if with_series {
        FORMAT_WITH_SERIES
    } else {
        FORMAT
    });
    out.count(run.benchmarks.len());
    for bench in &run.benchmarks {
        let name_id = id(&bench.name)?;
        let mode = bench.mode_or(run.provenance.mode).as_str();
        let ok = bench.status == Status::Ok;
        out.id(name_id);
        let (status, text) = match &bench.status {
            Status::Ok => (0, None),
            Status::Failed { message } => (FAILED, Some(message)),
            Status::Skipped { reason } => (SKIPPED, Some(reason)),
        };
        let mut flags = status;
        flags |= if bench.params.is_empty() {
            0
        } else {
            HAS_PARAMS
        };
        flags |= if bench.labels.is_empty() {
            0
        } else {
            HAS_LABELS
        };
        flags |= if bench.command.is_some() {
            HAS_COMMAND
        } else {
            0
        };
        flags |= match bench.mode {
            None => 0,
            Some(Mode::Real) => HAS_MODE,
            Some(Mode::Simulated) => HAS_MODE | MODE_SIMULATED,
        };
        flags |= if bench.series.is_empty() {
            0
        } else {
            HAS_SERIES
        };
        out.byte(flags);
        if let Some(text) = text {
            out.string(text);
        }
        if !bench.params.is_empty() {
            out.map(&bench.params);
        }
        if !bench.labels.is_empty() {
            out.map(&bench.labels);
        }
        if let Some(command) = &bench.command {
            out.string(command);
        }
        if !bench.series.is_empty() {
            out.count(bench.series.len());
            for series in &bench.series {
                out.string(&series.name);
                out.string(series.unit.as_str());
                out.count(series.points.len());
                for point in &series.points {
                    out.f64(point.t);
                    out.f64(point.value);
                }
            }
        }
        out.count(bench.metrics.len());
        if bench.metrics.is_empty() {
            points.push(PointRow {
                name_id,
                measure_id: NO_MEASURE,
                mode,
                ok,
                median: None,
            });
        }
        for metric in &bench.metrics {
            let measure_id = id(metric.measure.as_str())?;
            out.id(measure_id);
            out.string(metric.unit.as_str());
            let derived = Summary::of(&metric.samples)
                .is_some_and(|derived| same_summary(&derived, &metric.summary));
            let mut flags = 0;
            flags |= match metric.direction {
                Direction::LowerIsBetter => 0,
                Direction::HigherIsBetter => HIGHER_IS_BETTER,
            };
            flags |= if metric.exact { EXACT } else { 0 };
            flags |= if derived { 0 } else { HAS_SUMMARY };
            flags |= if metric.iterations.is_some() {
                HAS_ITERATIONS
            } else {
                0
            };
            flags |= if metric.precision.is_some() {
                HAS_PRECISION
            } else {
                0
            };
            out.byte(flags);
            out.count(metric.samples.len());
            for v in &metric.samples {
                out.f64(*v);
            }
            if let Some(iterations) = &metric.iterations {
                out.count(iterations.len());
                for v in iterations {
                    out.0.extend_from_slice(&v.to_le_bytes());
                }
            }
            if !derived {
                out.summary(&metric.summary);
            }
            if let Some(p) = &metric.precision {
                out.f64(p.target);
                match p.reached {
                    Some(r) => {
                        out.byte(1);
                        out.f64(r);
                    }
                    None => out.byte(0),
                }
            }
            points.push(PointRow {
                name_id,
                measure_id,
                mode,
                ok,
                median: Some(metric.summary.median),
            });
        }
    }
    Ok((out.0, points))
}

/// The benchmarks of a packed body; `name` gives the string of an id from the `names` table.
/// A damaged or truncated body is [`StoreError::Corrupt`], never a panic.
pub(crate) fn decode(
    body: &[u8],
    name: &mut dyn FnMut(i64) -> Result<String>,
) -> Result<Vec<Benchmark>> {
    let mut r = Reader { body, at: 0 };
    let format = r.byte()?;
    if format != FORMAT && format != FORMAT_WITH_SERIES {
        return Err(corrupt(format!(
            "the benchmarks are packed in format {format}, which this benchgate does not know"
        )));
    }
    let count = r.count()?;
    let mut benchmarks = Vec::with_capacity(count.min(body.len()));
    for _ in 0..count {
        let name_id = r.id()?;
        let flags = r.byte()?;
        let status = match flags & STATUS_MASK {
            0 => Status::Ok,
            FAILED => Status::Failed {
                message: r.string()?,
            },
            SKIPPED => Status::Skipped {
                reason: r.string()?,
            },
            other => return Err(corrupt(format!("unknown benchmark status {other}"))),
        };
        let params = if flags & HAS_PARAMS != 0 {
            r.map()?
        } else {
            BTreeMap::new()
        };
        let labels = if flags & HAS_LABELS != 0 {
            r.map()?
        } else {
            BTreeMap::new()
        };
        let command = if flags & HAS_COMMAND != 0 {
            Some(r.string()?)
        } else {
            None
        };
        let mode = match (flags & HAS_MODE != 0, flags & MODE_SIMULATED != 0) {
            (false, _) => None,
            (true, false) => Some(Mode::Real),
            (true, true) => Some(Mode::Simulated),
        };
        let series = if flags & HAS_SERIES != 0 {
            if format != FORMAT_WITH_SERIES {
                return Err(corrupt(format!(
                    "a benchmark has series in a body of format {format}, which has none"
                )));
            }
            r.series()?
        } else {
            Vec::new()
        };
        let metric_count = r.count()?;
        let mut metrics = Vec::with_capacity(metric_count.min(body.len()));
        for _ in 0..metric_count {
            let measure = Measure::parse(&name(r.id()?)?);
            let unit = Unit::from(r.string()?);
            let flags = r.byte()?;
            let n = r.count()?;
            let samples = (0..n).map(|_| r.f64()).collect::<Result<Vec<_>>>()?;
            let iterations = if flags & HAS_ITERATIONS != 0 {
                let n = r.count()?;
                Some((0..n).map(|_| r.u64()).collect::<Result<Vec<_>>>()?)
            } else {
                None
            };
            let summary = if flags & HAS_SUMMARY != 0 {
                r.summary()?
            } else {
                Summary::of(&samples).ok_or_else(|| {
                    corrupt(format!(
                        "the summary of {measure} is to be computed from its samples, but they have none"
                    ))
                })?
            };
            let precision = if flags & HAS_PRECISION != 0 {
                let target = r.f64()?;
                let reached = if r.byte()? != 0 { Some(r.f64()?) } else { None };
                Some(Precision { target, reached })
            } else {
                None
            };
            metrics.push(Metric {
                measure,
                unit,
                direction: if flags & HIGHER_IS_BETTER != 0 {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                },
                exact: flags & EXACT != 0,
                samples,
                iterations,
                summary,
                precision,
            });
        }
        benchmarks.push(Benchmark {
            mode,
            name: name(name_id)?,
            params,
            labels,
            command,
            status,
            metrics,
            series,
        });
    }
    if r.at != body.len() {
        return Err(corrupt(format!(
            "{} B of stray data follow the packed benchmarks",
            body.len() - r.at
        )));
    }
    Ok(benchmarks)
}

/// The benchmark name ids of a packed body (to delete its points), or `None` if it does not
/// decode.
pub(crate) fn name_ids(body: &[u8]) -> Option<Vec<i64>> {
    let mut ids = Vec::new();
    decode(body, &mut |id| Ok(id.to_string()))
        .ok()?
        .iter()
        .for_each(|b| ids.extend(b.name.parse::<i64>().ok()));
    Some(ids)
}

/// Equal bit for bit (so `-0.0` is not `0.0`).
fn same_summary(a: &Summary, b: &Summary) -> bool {
    let bits = |s: &Summary| {
        let ci = s
            .median_ci
            .map(|i| [i.lo.to_bits(), i.hi.to_bits(), i.confidence.to_bits()]);
        (
            s.n,
            [
                s.mean, s.median, s.min, s.max, s.stddev, s.mad, s.p95, s.p99,
            ]
            .map(f64::to_bits),
            ci,
        )
    };
    bits(a) == bits(b)
}

struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn count(&mut self, n: usize) {
        self.varint(n as u64);
    }

    fn id(&mut self, id: i64) {
        // Ids are positive (`names.id`); a negative one would be a bug, kept as it is.
        self.varint(id as u64);
    }

    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn map(&mut self, map: &BTreeMap<String, String>) {
        self.count(map.len());
        for (k, v) in map {
            self.string(k);
            self.string(v);
        }
    }

    fn summary(&mut self, s: &Summary) {
        self.count(s.n);
        for v in [
            s.mean, s.median, s.min, s.max, s.stddev, s.mad, s.p95, s.p99,
        ] {
            self.f64(v);
        }
        match s.median_ci {
            Some(ci) => {
                self.byte(1);
                self.f64(ci.lo);
                self.f64(ci.hi);
                self.f64(ci.confidence);
            }
            None => self.byte(0),
        }
    }
}

struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.body.len())
            .ok_or_else(|| {
                corrupt(format!(
                    "the packed benchmarks end in the middle of a value (after {} B)",
                    self.body.len()
                ))
            })?;
        let bytes = &self.body[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("a packed number is longer than 64 bits".into()))
    }

    /// A count of things that each take at least one byte, so no count can exceed what is left
    /// (and a damaged one cannot make us allocate more than the body's size).
    fn count(&mut self) -> Result<usize> {
        let n = self.varint()?;
        let left = self.body.len() - self.at;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= left)
            .ok_or_else(|| {
                corrupt(format!(
                    "a packed count of {n} exceeds the {left} bytes left"
                ))
            })
    }

    fn id(&mut self) -> Result<i64> {
        let v = self.varint()?;
        i64::try_from(v).map_err(|_| corrupt(format!("name id {v} is out of range")))
    }

    fn word(&mut self) -> Result<[u8; 8]> {
        let mut word = [0u8; 8];
        word.copy_from_slice(self.take(8)?);
        Ok(word)
    }

    fn f64(&mut self) -> Result<f64> {
        self.word().map(f64::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.word().map(u64::from_le_bytes)
    }

    fn string(&mut self) -> Result<String> {
        let n = self.count()?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| corrupt("a packed string is not UTF-8".into()))
    }

    fn map(&mut self) -> Result<BTreeMap<String, String>> {
        let n = self.count()?;
        (0..n)
            .map(|_| Ok((self.string()?, self.string()?)))
            .collect()
    }

    fn series(&mut self) -> Result<Vec<Series>> {
        let n = self.count()?;
        (0..n)
            .map(|_| {
                let name = self.string()?;
                let unit = Unit::from(self.string()?);
                let n = self.count()?;
                let points = (0..n)
                    .map(|_| Ok(SeriesPoint::new(self.f64()?, self.f64()?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Series { name, unit, points })
            })
            .collect()
    }

    fn summary(&mut self) -> Result<Summary> {
        let n = usize::try_from(self.varint()?)
            .map_err(|_| corrupt("a summary's sample count is out of range".into()))?;
        let mut v = [0.0; 8];
        for slot in &mut v {
            *slot = self.f64()?;
        }
        let [mean, median, min, max, stddev, mad, p95, p99] = v;
        let median_ci = if self.byte()? != 0 {
            Some(Interval {
                lo: self.f64()?,
                hi: self.f64()?,
                confidence: self.f64()?,
            })
        } else {
            None
        };
        Ok(Summary {
            n,
            mean,
            median,
            min,
            max,
            stddev,
            mad,
            p95,
            p99,
            median_ci,
        })
    }
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchgate_model::{Provenance, Source};

    fn run() -> Run {
        let mut run = Run::new(
            Source::Ingest("criterion".into()),
            time::OffsetDateTime::UNIX_EPOCH,
            Provenance::default(),
            benchgate_model::Environment::default(),
        );
        let mut wall = Metric::from_samples(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
            vec![
                0.1,
                -0.0,
                5e-324,
                1e300,
                123_456.789,
                7.0,
                7.0,
                8.5,
                9.25,
                10.0,
            ],
        )
        .unwrap();
        wall.iterations = Some(vec![1, u64::MAX]);
        wall.precision = Some(Precision {
            target: 0.01,
            reached: None,
        });
        let mut ingested = Metric::from_samples(
            Measure::Custom("calls".into()),
            Unit::Custom("calls/op".into()),
            Direction::HigherIsBetter,
            vec![3.0, 4.0],
        )
        .unwrap()
        .exact(true);
        ingested.summary.mean = 3.25;
        run.benchmarks = vec![
            Benchmark {
                mode: Some(Mode::Simulated),
                name: "a/ünï".into(),
                params: BTreeMap::from([("size".into(), "1k".into())]),
                labels: BTreeMap::from([("pkg".into(), "x".into())]),
                command: Some("./bench 'a b'".into()),
                status: Status::Ok,
                metrics: vec![wall, ingested],
                series: Vec::new(),
            },
            Benchmark {
                mode: Some(Mode::Real),
                name: "b".into(),
                params: BTreeMap::new(),
                labels: BTreeMap::new(),
                command: None,
                status: Status::Failed {
                    message: "exit 1".into(),
                },
                metrics: Vec::new(),
                series: Vec::new(),
            },
            Benchmark {
                mode: None,
                name: "c".into(),
                params: BTreeMap::new(),
                labels: BTreeMap::new(),
                command: None,
                status: Status::Skipped {
                    reason: "no network".into(),
                },
                metrics: Vec::new(),
                series: Vec::new(),
            },
        ];
        run
    }

    fn packed(run: &Run) -> (Vec<u8>, Vec<PointRow>, Vec<String>) {
        let strings = strings(run);
        let ids = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as i64 + 1))
            .collect();
        let (body, points) = encode(run, &ids).unwrap();
        (body, points, strings)
    }

    fn unpack(body: &[u8], strings: &[String]) -> Result<Vec<Benchmark>> {
        decode(body, &mut |id| {
            usize::try_from(id - 1)
                .ok()
                .and_then(|i| strings.get(i).cloned())
                .ok_or_else(|| corrupt(format!("no name {id}")))
        })
    }

    #[test]
    fn benchmarks_round_trip_bit_for_bit() {
        let run = run();
        let (body, points, strings) = packed(&run);
        let back = unpack(&body, &strings).unwrap();
        assert_eq!(back, run.benchmarks);
        let bits = |b: &[Benchmark]| -> Vec<u64> {
            b.iter()
                .flat_map(|b| &b.metrics)
                .flat_map(|m| &m.samples)
                .map(|v| v.to_bits())
                .collect()
        };
        assert_eq!(bits(&back), bits(&run.benchmarks));
        assert_eq!(back[0].metrics[1].summary.mean, 3.25);
        let shown: Vec<(i64, i64, &str, bool)> = points
            .iter()
            .map(|p| (p.name_id, p.measure_id, p.mode, p.ok))
            .collect();
        let id = |s: &str| strings.iter().position(|x| x == s).unwrap() as i64 + 1;
        assert_eq!(
            shown,
            [
                (id("a/ünï"), id("wall_time"), "simulated", true),
                (id("a/ünï"), id("calls"), "simulated", true),
                (id("b"), NO_MEASURE, "real", false),
                (id("c"), NO_MEASURE, "real", false),
            ]
        );
        assert_eq!(name_ids(&body), Some(vec![id("a/ünï"), id("b"), id("c")]));
    }

    fn with_series(mut run: Run) -> Run {
        run.benchmarks[0].series = vec![
            Series {
                name: "rss".into(),
                unit: Unit::Bytes,
                points: vec![
                    SeriesPoint::new(0.0, 4_096_000.0),
                    SeriesPoint::new(0.05, -0.0),
                    SeriesPoint::new(0.1, 5e-324),
                    SeriesPoint::new(0.1, f64::MAX),
                ],
            },
            Series {
                name: "pss".into(),
                unit: Unit::Custom("KiB".into()),
                points: Vec::new(),
            },
        ];
        run.benchmarks[2].series = vec![Series {
            name: "rss".into(),
            unit: Unit::Bytes,
            points: vec![SeriesPoint::new(1.5, 2.0)],
        }];
        run
    }

    #[test]
    fn series_round_trip_bit_for_bit_in_format_2() {
        let run = with_series(run());
        let (body, _, strings) = packed(&run);
        assert_eq!(body[0], FORMAT_WITH_SERIES);
        let back = unpack(&body, &strings).unwrap();
        assert_eq!(back, run.benchmarks);
        let bits = |b: &[Benchmark]| -> Vec<(u64, u64)> {
            b.iter()
                .flat_map(|b| &b.series)
                .flat_map(|s| &s.points)
                .map(|p| (p.t.to_bits(), p.value.to_bits()))
                .collect()
        };
        assert_eq!(bits(&back), bits(&run.benchmarks));
        assert_eq!(back[0].series[1].unit, Unit::Custom("KiB".into()));
        assert!(back[1].series.is_empty());
        // Truncated anywhere: corrupt, never a panic.
        for len in 0..body.len() {
            let err = unpack(&body[..len], &strings).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{len}: {err}");
        }
    }

    /// A run without series packs as it did before series existed (format 1), and a body that
    /// claims series in format 1 is refused.
    #[test]
    fn runs_without_series_keep_format_1() {
        let (body, _, strings) = packed(&run());
        assert_eq!(body[0], FORMAT);
        let with = with_series(run());
        let (mut body_2, _, _) = packed(&with);
        body_2[0] = FORMAT;
        assert!(matches!(
            unpack(&body_2, &strings),
            Err(StoreError::Corrupt(m))
                if m == "a benchmark has series in a body of format 1, which has none"
        ));
        assert!(unpack(&body, &strings).is_ok());
    }

    /// A body written by benchgate before series existed (bytes as that build packed them):
    /// benchmark `a` (name id 1), `ok`, one `wall_time` metric (id 2) in ns with samples 1 and 3,
    /// plus a failed benchmark `b` (id 3) with message "exit 1" and no metrics.
    #[test]
    fn a_body_from_before_series_still_decodes() {
        let mut body = vec![1, 2, 1, 0, 1, 2, 2, b'n', b's', 0, 2];
        body.extend_from_slice(&1.0f64.to_le_bytes());
        body.extend_from_slice(&3.0f64.to_le_bytes());
        body.extend_from_slice(&[3, FAILED, 6]);
        body.extend_from_slice(b"exit 1");
        body.push(0);
        let strings = ["a", "wall_time", "b"].map(String::from);
        let back = unpack(&body, &strings).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].name, "a");
        assert_eq!(back[0].metrics[0].samples, [1.0, 3.0]);
        assert_eq!(back[0].metrics[0].summary.median, 2.0);
        assert!(back[0].series.is_empty());
        assert_eq!(
            back[1].status,
            Status::Failed {
                message: "exit 1".into()
            }
        );
        assert!(back[1].series.is_empty());
    }

    /// A metric of 10 samples whose summary is what its samples give takes its 80 bytes of
    /// samples and 6 more (and its benchmark 3): the summary is not stored.
    #[test]
    fn a_derived_summary_is_not_stored() {
        let mut run = run();
        run.benchmarks.truncate(1);
        let bench = &mut run.benchmarks[0];
        bench.params.clear();
        bench.labels.clear();
        bench.command = None;
        bench.metrics.truncate(1);
        let metric = &mut bench.metrics[0];
        metric.iterations = None;
        metric.precision = None;
        let (body, _, _) = packed(&run);
        // format, count | name, flags, count | measure, unit ("ns"), flags, count.
        let overhead = 2 + (1 + 1 + 1) + (1 + 3 + 1 + 1);
        assert_eq!(body.len(), overhead + 80);
    }

    #[test]
    fn truncated_or_damaged_bodies_are_corrupt_not_a_panic() {
        let run = run();
        let (body, _, strings) = packed(&run);
        for len in 0..body.len() {
            let err = unpack(&body[..len], &strings).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{len}: {err}");
        }
        let mut longer = body.clone();
        longer.push(0);
        assert!(matches!(
            unpack(&longer, &strings),
            Err(StoreError::Corrupt(m)) if m == "1 B of stray data follow the packed benchmarks"
        ));
        let mut future = body.clone();
        future[0] = 3;
        assert!(matches!(
            unpack(&future, &strings),
            Err(StoreError::Corrupt(m)) if m.contains("format 3")
        ));
        // Every single-byte change decodes to something or is refused, never a panic or a huge
        // allocation.
        for at in 0..body.len() {
            for v in [0x00, 0x7f, 0x80, 0xff] {
                let mut damaged = body.clone();
                damaged[at] = v;
                let _ = unpack(&damaged, &strings);
            }
        }
        assert_eq!(name_ids(&body[..body.len() - 1]), None);
    }

    /// Summaries that are not stored are recomputed on reading: if `Summary::of` ever changes,
    /// stored runs would read back differently, so its results are pinned here (a change needs a
    /// new body format that stores the old summaries).
    #[test]
    fn derived_summaries_are_pinned() {
        let s = Summary::of(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]).unwrap();
        let ci = s.median_ci.unwrap();
        let got = (
            s.n,
            [
                s.mean,
                s.median,
                s.min,
                s.max,
                s.stddev,
                s.mad,
                s.p95,
                s.p99,
                ci.lo,
                ci.hi,
                ci.confidence,
            ]
            .map(f64::to_bits),
        );
        let want = (10, PINNED.map(f64::to_bits));
        assert_eq!(got, want, "{s:?}");
    }

    /// mean, median, min, max, stddev, mad, p95, p99, median CI lo, hi, confidence.
    const PINNED: [f64; 11] = [
        3.9,
        3.5,
        1.0,
        9.0,
        2.469_817_807_045_693_8,
        1.5,
        7.649_999_999_999_997,
        8.73,
        1.0,
        6.0,
        0.978_515_625,
    ];
}
