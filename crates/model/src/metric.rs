use std::fmt;

use serde::{Deserialize, Serialize};

/// What a metric measures. The well-known measures have variants; anything else (a harness's custom
/// counter such as `backend_calls`) is kept by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Measure {
    WallTime,
    UserTime,
    SysTime,
    MaxRss,
    Instructions,
    AllocBytes,
    Allocs,
    Throughput,
    /// Bytes processed per second (Go's `MB/s`, criterion's byte throughput).
    BytesPerSecond,
    LatencyP50,
    LatencyP90,
    LatencyP95,
    LatencyP99,
    LatencyP999,
    ErrorRate,
    Custom(String),
}

impl Measure {
    const NAMED: [(Measure, &'static str); 15] = [
        (Measure::WallTime, "wall_time"),
        (Measure::UserTime, "user_time"),
        (Measure::SysTime, "sys_time"),
        (Measure::MaxRss, "max_rss"),
        (Measure::Instructions, "instructions"),
        (Measure::AllocBytes, "alloc_bytes"),
        (Measure::Allocs, "allocs"),
        (Measure::Throughput, "throughput"),
        (Measure::BytesPerSecond, "bytes_per_second"),
        (Measure::LatencyP50, "latency_p50"),
        (Measure::LatencyP90, "latency_p90"),
        (Measure::LatencyP95, "latency_p95"),
        (Measure::LatencyP99, "latency_p99"),
        (Measure::LatencyP999, "latency_p999"),
        (Measure::ErrorRate, "error_rate"),
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Measure::Custom(name) => name,
            known => Self::NAMED
                .iter()
                .find(|(m, _)| m == known)
                .map_or("", |(_, name)| name),
        }
    }

    /// The well-known measure whose name `name` most likely misspells (at most two edits away),
    /// when `name` is not itself well known: `wall_tme` → `wall_time`.
    pub fn closest_known(name: &str) -> Option<&'static str> {
        if Self::NAMED.iter().any(|(_, n)| *n == name) {
            return None;
        }
        Self::NAMED
            .iter()
            .map(|(_, known)| (edit_distance(name, known), *known))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, known)| known)
    }

    /// Whether this is one of the well-known measures (not a custom name).
    pub fn is_known(&self) -> bool {
        !matches!(self, Measure::Custom(_))
    }

    /// The one unit a well-known measure is stored in (SPEC §2); `None` for custom measures,
    /// which keep the unit their source gives.
    pub fn canonical_unit(&self) -> Option<Unit> {
        Some(match self {
            Measure::WallTime
            | Measure::UserTime
            | Measure::SysTime
            | Measure::LatencyP50
            | Measure::LatencyP90
            | Measure::LatencyP95
            | Measure::LatencyP99
            | Measure::LatencyP999 => Unit::Nanoseconds,
            Measure::MaxRss | Measure::AllocBytes => Unit::Bytes,
            Measure::Instructions | Measure::Allocs => Unit::Count,
            Measure::Throughput => Unit::PerSecond,
            Measure::BytesPerSecond => Unit::BytesPerSecond,
            Measure::ErrorRate => Unit::Ratio,
            Measure::Custom(_) => return None,
        })
    }

    /// The unit of a custom measure benchgate's own engines produce (load levels, memory
    /// sampling: [`ENGINE_MEASURES`]); `None` for any other. Not enforced on runs (an ingested
    /// source may use such a name for something else); budgets and configuration use it.
    pub fn engine_unit(&self) -> Option<Unit> {
        match self {
            Measure::Custom(name) => ENGINE_MEASURES
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, unit)| unit.clone()),
            _ => None,
        }
    }

    pub fn parse(name: &str) -> Measure {
        Self::NAMED
            .iter()
            .find(|(_, n)| *n == name)
            .map_or_else(|| Measure::Custom(name.to_string()), |(m, _)| m.clone())
    }
}

/// The custom measures benchgate's load and memory engines produce (SPEC §4.3, §4.4), with their
/// canonical units: a budget on one is written in its unit, and no output metric takes its name.
pub const ENGINE_MEASURES: [(&str, Unit); 15] = [
    ("service_time_p50", Unit::Nanoseconds),
    ("service_time_p90", Unit::Nanoseconds),
    ("service_time_p95", Unit::Nanoseconds),
    ("service_time_p99", Unit::Nanoseconds),
    ("service_time_p999", Unit::Nanoseconds),
    ("max_concurrency", Unit::Count),
    ("scaling_efficiency", Unit::Ratio),
    ("planned", Unit::Count),
    ("started", Unit::Count),
    ("late", Unit::Count),
    ("dropped", Unit::Count),
    ("rss_peak", Unit::Bytes),
    ("rss_growth", Unit::Ratio),
    ("rss_growth_per_s", Unit::BytesPerSecond),
    ("rss_growth_per_op", Unit::Bytes),
];

/// Levenshtein distance over characters (names are short).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

impl From<String> for Measure {
    fn from(name: String) -> Self {
        Measure::parse(&name)
    }
}

impl From<Measure> for String {
    fn from(measure: Measure) -> Self {
        measure.as_str().to_string()
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Canonical units: time in nanoseconds, sizes in bytes, rates per second (bytes per second for
/// data rates). Anything else is kept verbatim so ingested custom units are not lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Unit {
    Nanoseconds,
    Bytes,
    Count,
    PerSecond,
    BytesPerSecond,
    Ratio,
    Custom(String),
}

impl Unit {
    pub fn as_str(&self) -> &str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Bytes => "B",
            Unit::Count => "count",
            Unit::PerSecond => "1/s",
            Unit::BytesPerSecond => "B/s",
            Unit::Ratio => "ratio",
            Unit::Custom(unit) => unit,
        }
    }
}

impl From<String> for Unit {
    fn from(unit: String) -> Self {
        match unit.as_str() {
            "ns" => Unit::Nanoseconds,
            "B" => Unit::Bytes,
            "count" => Unit::Count,
            "1/s" => Unit::PerSecond,
            "B/s" => Unit::BytesPerSecond,
            "ratio" => Unit::Ratio,
            _ => Unit::Custom(unit),
        }
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> Self {
        unit.as_str().to_string()
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

/// A two-sided interval and the confidence it attains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    pub confidence: f64,
}

impl From<benchgate_stats::Interval> for Interval {
    fn from(i: benchgate_stats::Interval) -> Self {
        Interval {
            lo: i.lo,
            hi: i.hi,
            confidence: i.confidence,
        }
    }
}

/// The §2 summary of a metric's samples. Derived data: recomputed from the samples, which a
/// stored metric always has ([`crate::Run::validate`] refuses a summary without them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub stddev: f64,
    pub mad: f64,
    pub p95: f64,
    pub p99: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ci: Option<Interval>,
}

impl Summary {
    /// `None` for no samples or any non-finite sample.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let s = benchgate_stats::Summary::of(samples)?;
        Some(Summary {
            n: s.n,
            mean: s.mean,
            median: s.median,
            min: s.min,
            max: s.max,
            stddev: s.stddev,
            mad: s.mad,
            p95: s.p95,
            p99: s.p99,
            median_ci: s.median_ci.map(Interval::from),
        })
    }
}

/// One measure of one benchmark with every raw sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub measure: Measure,
    pub unit: Unit,
    pub direction: Direction,
    /// Deterministic counts (instructions, binary size): any change is real, thresholds only.
    #[serde(default)]
    pub exact: bool,
    pub samples: Vec<f64>,
    /// Iterations behind each sample, when a sample is an average over several iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<Vec<u64>>,
    pub summary: Summary,
    /// For adaptive sampling: the precision it aimed at and what it reached when it stopped
    /// (SPEC §4.1). `None` when the number of samples was fixed or the source does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
}

/// The precision target of adaptive sampling and what was reached: the farther end of the
/// median's 95 % interval relative to the median (`± x%`), as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Precision {
    /// What sampling aimed at (0.01 = ±1 %).
    pub target: f64,
    /// What it reached when it stopped; `None` when the samples gave no interval at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<f64>,
}

impl Precision {
    /// Whether the target was reached.
    pub fn met(&self) -> bool {
        self.reached.is_some_and(|r| r <= self.target)
    }
}

impl Metric {
    /// A metric from raw samples; `None` when there are no samples or a sample is not finite.
    pub fn from_samples(
        measure: Measure,
        unit: Unit,
        direction: Direction,
        samples: Vec<f64>,
    ) -> Option<Metric> {
        let summary = Summary::of(&samples)?;
        Some(Metric {
            measure,
            unit,
            direction,
            exact: false,
            samples,
            iterations: None,
            summary,
            precision: None,
        })
    }

    /// The first sample the measure and unit cannot have, and why (see [`impossible_value`]).
    pub fn out_of_range(&self) -> Option<(usize, String)> {
        self.samples.iter().enumerate().find_map(|(k, &value)| {
            impossible_value(&self.measure, &self.unit, value).map(|why| (k, why))
        })
    }

    pub fn exact(mut self, exact: bool) -> Self {
        self.exact = exact;
        self
    }
}

/// Why `value` cannot be a sample of `measure` in `unit`: a negative time, size, count or rate
/// of a well-known measure, or an error rate above 100 %. Custom measures are the source's own
/// numbers and may be negative (a heap growth, a delta, a score). Non-finite values are refused
/// separately.
pub fn impossible_value(measure: &Measure, unit: &Unit, value: f64) -> Option<String> {
    if value < 0.0 && measure.is_known() {
        return Some(format!(
            "{value} is negative: {measure} in {} cannot be",
            unit.as_str()
        ));
    }
    if *measure == Measure::ErrorRate && value > 1.0 {
        return Some(format!("error rate {value} is above 1 (100 %)"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_names_round_trip() {
        for (measure, name) in Measure::NAMED {
            assert_eq!(measure.as_str(), name);
            assert_eq!(Measure::parse(name), measure);
        }
        assert_eq!(
            Measure::parse("backend_calls"),
            Measure::Custom("backend_calls".into())
        );
        assert_eq!(
            serde_json::to_string(&Measure::MaxRss).unwrap(),
            "\"max_rss\""
        );
    }

    #[test]
    fn units_round_trip() {
        for unit in ["ns", "B", "count", "1/s", "B/s", "ratio", "widgets/op"] {
            let u = Unit::from(unit.to_string());
            assert_eq!(String::from(u), unit);
        }
        assert_eq!(Unit::from("ns".to_string()), Unit::Nanoseconds);
    }
}
