//! hyperfine `--export-json` files, in both of hyperfine's JSON layouts.
//!
//! **hyperfine 1.x** writes `{"results": [{"command", "mean", "stddev", "median", "user",
//! "system", "min", "max", "times": [...], "memory_usage_byte": [...] (not yet in 1.15), "exit_codes":
//! [...], "parameters": {"n": "1"}}]}`, times in seconds. **hyperfine 2.x** (`"schema_version":
//! 2`) writes `{"metadata": {...}, "primary_metric", "results": [{"command", "name",
//! "parameters": {"n": {"value": "1"}}, "environment", "measurements": [{"time_wall_clock":
//! {"value", "unit"}, "time_cpu", "time_user", "time_system", "memory_peak_resident",
//! hardware counters, "exit_code"}, ...], "summary": {...}}]}`.
//!
//! How a result maps onto a [`Benchmark`](benchgate_model::Benchmark):
//! - **name**: hyperfine's name for the result. In 1.x that is `command`, which holds the
//!   `-n/--command-name` name when one was given and the command line otherwise (the file cannot
//!   tell which, so [`command`](benchgate_model::Benchmark::command) stays unset). In 2.x it is
//!   `name` when present (a `-n` name, or `FOO=1 cmd` for `--env`), else `command`, and
//!   `command` (the real command line) is kept whenever it differs from the name.
//! - **Duplicate names** (`hyperfine 'sleep 1' 'sleep 1'`, or parameter values a command does not
//!   use) are different benchmarks, never merged: every result of a name that occurs more than
//!   once gets its parameters appended the way hyperfine displays them (`true (n = 1)`), and a
//!   name that still repeats gets ` #2`, ` #3`… in file order.
//! - **params**: `parameters` (`-P`/`-L`), values as strings.
//! - **metrics** (all lower-is-better): every run is one sample. `times` / `time_wall_clock` →
//!   `wall_time`; `time_user` → `user_time`; `time_system` → `sys_time`; `time_cpu` → custom
//!   `cpu_time`; all in ns (seconds × 1e9, unrounded). `memory_usage_byte` /
//!   `memory_peak_resident` → `max_rss` in bytes. `instructions` → `instructions`, other counters
//!   (`cpu_cycles`, `cache_misses`, …) → custom measures of their own name, counts; a quantity in
//!   a unit this module does not know keeps it verbatim. hyperfine 1.x has no per-run CPU times,
//!   only `user`/`system` means: each becomes one sample with `iterations = [runs]` (per-run
//!   `user_times`/`system_times`, which some forks write, are used when present). A 1.x result
//!   without `times` keeps `mean` the same way.
//! - **mean/stddev/median/min/max** and 2.x's `summary` are derived from the runs and not kept,
//!   unless the wall-clock ones disagree with the runs (or there are no runs): then they are
//!   kept as labels `reported.mean` … in seconds.
//! - **exit codes** → label `exit_codes`, run-length encoded in run order (`0×3, 1×1`; `signal`
//!   for a run killed without an exit code). Non-zero codes only exist when hyperfine ran with
//!   `--ignore-failure`, which measured those runs anyway: the status stays ok and label
//!   `failed_runs` says how many failed.
//! - 2.x `environment` → labels `env.NAME`; any field this module does not know → a label of the
//!   same name (strings verbatim, anything else as compact JSON); unknown per-run fields →
//!   label `measurements.<field>` (a JSON array of the per-run values).
//! - **Context**: 2.x `metadata.start_time` → `started_at`, `platform.os`/`architecture` →
//!   `os`/`arch`, `hyperfine_version`, `schema_version`, `primary_metric` and any other top-level
//!   field → tags. 1.x files carry no run-level facts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use benchgate_model::{Direction, Measure, Unit};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::collect::BenchBuilder;
use crate::{Context, ParseError, Parsed};

/// Whether `head` looks like a hyperfine export: a JSON object with a `"results"` array and a
/// `"command"` key, and not a benchgate run.
pub fn sniff(head: &[u8]) -> bool {
    let trimmed = head.trim_ascii_start();
    if !trimmed.starts_with(b"{") || memchr::memmem::find(head, b"benchgate/run/v1").is_some() {
        return false;
    }
    let Some(at) = memchr::memmem::find(head, b"\"results\"") else {
        return false;
    };
    let rest = head.get(at + b"\"results\"".len()..).unwrap_or_default();
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    rest.trim_ascii_start().starts_with(b"[")
        && memchr::memmem::find(head, b"\"command\"").is_some()
}

/// Parses a hyperfine `--export-json` file (1.x or 2.x layout).
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc: Doc = crate::json::from_slice(bytes)?;
    if doc.results.is_empty() {
        return Err(ParseError::json(
            "$.results",
            0,
            0,
            "the results array is empty; expected one result per benchmarked command",
        ));
    }
    let context = context(doc.other);
    let mut items = Vec::with_capacity(doc.results.len());
    for (i, raw) in doc.results.into_iter().enumerate() {
        items.push(convert(i, raw)?);
    }
    assign_names(&mut items);
    let benchmarks = items
        .into_iter()
        .map(|item| {
            let mut b = item.bench;
            if let Some(command) = item.command_line.filter(|c| *c != b.name) {
                b.command = Some(command);
            }
            b.build()
        })
        .collect();
    Ok(Parsed {
        benchmarks,
        context,
    })
}

// ---------------------------------------------------------------------------------------------
// The file as read. Hand-written visitors rather than derives: unknown fields are kept (as
// labels/tags) while errors still carry the JSON path, line and column of the text.

struct Doc {
    results: Vec<RawResult>,
    other: Vec<(String, Value)>,
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Doc, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hyperfine export: an object with a \"results\" array")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
                let mut results = None;
                let mut other = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "results" {
                        set(&mut results, map.next_value()?, "results")?;
                    } else {
                        other.push((key, map.next_value()?));
                    }
                }
                Ok(Doc {
                    results: results.ok_or_else(|| de::Error::missing_field("results"))?,
                    other,
                })
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Default)]
struct RawResult {
    command: String,
    name: Option<String>,
    mean: Option<f64>,
    stddev: Option<f64>,
    median: Option<f64>,
    user: Option<f64>,
    system: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    times: Option<Vec<f64>>,
    user_times: Option<Vec<f64>>,
    system_times: Option<Vec<f64>>,
    memory_usage_byte: Option<Vec<f64>>,
    exit_codes: Option<Vec<Option<i64>>>,
    parameters: Option<BTreeMap<String, Text>>,
    environment: Option<BTreeMap<String, Text>>,
    measurements: Option<Vec<RawMeasurement>>,
    summary: Option<Value>,
    other: Vec<(String, Value)>,
}

impl<'de> Deserialize<'de> for RawResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawResult, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawResult;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hyperfine result: an object with \"command\" and its run times")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawResult, A::Error> {
                let mut r = RawResult::default();
                let mut command = None;
                // `Option<Option<T>>` below: the outer one says whether the key was seen (for
                // duplicate detection), the inner one is a JSON null.
                let mut scalars: [Option<Option<f64>>; 7] = Default::default();
                let mut name = None;
                let mut times = None;
                let mut user_times = None;
                let mut system_times = None;
                let mut memory = None;
                let mut exit_codes = None;
                let mut parameters = None;
                let mut environment = None;
                let mut measurements = None;
                let mut summary = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "command" => set(&mut command, map.next_value()?, "command")?,
                        "name" => set(&mut name, map.next_value()?, "name")?,
                        "mean" => set(&mut scalars[0], map.next_value()?, "mean")?,
                        "stddev" => set(&mut scalars[1], map.next_value()?, "stddev")?,
                        "median" => set(&mut scalars[2], map.next_value()?, "median")?,
                        "user" => set(&mut scalars[3], map.next_value()?, "user")?,
                        "system" => set(&mut scalars[4], map.next_value()?, "system")?,
                        "min" => set(&mut scalars[5], map.next_value()?, "min")?,
                        "max" => set(&mut scalars[6], map.next_value()?, "max")?,
                        "times" => set(&mut times, map.next_value()?, "times")?,
                        "user_times" => set(&mut user_times, map.next_value()?, "user_times")?,
                        "system_times" => {
                            set(&mut system_times, map.next_value()?, "system_times")?
                        }
                        "memory_usage_byte" => {
                            set(&mut memory, map.next_value()?, "memory_usage_byte")?
                        }
                        "exit_codes" => set(&mut exit_codes, map.next_value()?, "exit_codes")?,
                        "parameters" => set(&mut parameters, map.next_value()?, "parameters")?,
                        "environment" => set(&mut environment, map.next_value()?, "environment")?,
                        "measurements" => {
                            set(&mut measurements, map.next_value()?, "measurements")?
                        }
                        "summary" => set(&mut summary, map.next_value()?, "summary")?,
                        _ => r.other.push((key, map.next_value()?)),
                    }
                }
                r.command = command.ok_or_else(|| de::Error::missing_field("command"))?;
                let [mean, stddev, median, user, system, min, max] = scalars.map(Option::flatten);
                (r.mean, r.stddev, r.median, r.user, r.system, r.min, r.max) =
                    (mean, stddev, median, user, system, min, max);
                r.name = name.flatten();
                r.times = times.flatten();
                r.user_times = user_times.flatten();
                r.system_times = system_times.flatten();
                r.memory_usage_byte = memory.flatten();
                r.exit_codes = exit_codes.flatten();
                r.parameters = parameters.flatten();
                r.environment = environment.flatten();
                r.measurements = measurements.flatten();
                r.summary = summary;
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

/// One run of hyperfine 2.x: measured quantities by name, and the exit code.
#[derive(Default)]
struct RawMeasurement {
    values: Vec<(String, Value)>,
    /// `None`: no `exit_code` key; `Some(None)`: null (killed by a signal).
    exit_code: Option<Option<i64>>,
}

impl<'de> Deserialize<'de> for RawMeasurement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawMeasurement, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMeasurement;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hyperfine run: an object of {\"value\": …, \"unit\": …} quantities")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMeasurement, A::Error> {
                let mut m = RawMeasurement::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "exit_code" {
                        set(&mut m.exit_code, map.next_value()?, "exit_code")?;
                    } else {
                        m.values.push((key, map.next_value()?));
                    }
                }
                Ok(m)
            }
        }
        d.deserialize_map(V)
    }
}

/// A parameter or environment value: a string (1.x), `{"value": "…"}` (2.x), or a number or
/// boolean, kept as text.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or {\"value\": string}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut value = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "value" {
                        set(&mut value, map.next_value::<Text>()?, "value")?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                value.ok_or_else(|| de::Error::missing_field("value"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Stores a field's value; a second occurrence of the key is an error (JSON would otherwise
/// silently keep the last one).
fn set<T, E: de::Error>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(field));
    }
    *slot = Some(value);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// From the file to benchmarks.

struct Item {
    bench: BenchBuilder,
    /// The name hyperfine gave the result, before disambiguation.
    base: String,
    /// The real command line, when the file has one apart from the name (2.x).
    command_line: Option<String>,
}

fn convert(i: usize, raw: RawResult) -> Result<Item, ParseError> {
    let path = format!("$.results[{i}]");
    let (base, command_line) = match raw.name {
        Some(name) => (name, Some(raw.command)),
        None if raw.measurements.is_some() => (raw.command.clone(), Some(raw.command)),
        None => (raw.command, None),
    };
    let mut b = BenchBuilder::new(&base);
    if let Some(params) = raw.parameters {
        b.params = params.into_iter().map(|(k, v)| (k, v.0)).collect();
    }
    for (k, v) in raw.environment.into_iter().flatten() {
        b.labels.insert(format!("env.{k}"), v.0);
    }
    for (k, v) in raw.other {
        b.labels.insert(k, text(&v));
    }

    let reported = Reported {
        mean: raw.mean,
        stddev: raw.stddev,
        median: raw.median,
        min: raw.min,
        max: raw.max,
    };
    let codes = match raw.measurements {
        Some(runs) => {
            if raw.times.is_some() || raw.exit_codes.is_some() {
                return Err(ParseError::json(
                    &path,
                    0,
                    0,
                    "has both \"times\"/\"exit_codes\" (hyperfine 1.x) and \"measurements\" \
                     (hyperfine 2.x); expected one layout",
                ));
            }
            let reported = raw.summary.as_ref().map(Reported::from_summary);
            v2_runs(&mut b, &path, runs, reported)?
        }
        None => {
            let codes = raw.exit_codes.unwrap_or_default();
            // How many runs the CPU-time means stand for: `times` when present, else the codes.
            let runs = raw.times.as_ref().map_or(codes.len(), Vec::len);
            v1_runs(&mut b, &path, raw.times, &codes, reported)?;
            cpu_time(
                &mut b,
                &path,
                Measure::UserTime,
                "user",
                raw.user_times,
                raw.user,
                runs,
            )?;
            cpu_time(
                &mut b,
                &path,
                Measure::SysTime,
                "system",
                raw.system_times,
                raw.system,
                runs,
            )?;
            for (j, bytes) in raw.memory_usage_byte.into_iter().flatten().enumerate() {
                push(
                    &mut b,
                    || format!("{path}.memory_usage_byte[{j}]"),
                    Measure::MaxRss,
                    Unit::Bytes,
                    bytes,
                    None,
                )?;
            }
            if let Some(summary) = raw.summary {
                b.labels.insert("summary".into(), text(&summary));
            }
            codes
        }
    };
    exit_code_labels(&mut b, &codes);
    Ok(Item {
        bench: b,
        base,
        command_line,
    })
}

/// The summary statistics hyperfine wrote, in seconds.
#[derive(Default)]
struct Reported {
    mean: Option<f64>,
    stddev: Option<f64>,
    median: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl Reported {
    /// 2.x: `summary.time_wall_clock`.
    fn from_summary(summary: &Value) -> Reported {
        let wall = summary.get("time_wall_clock");
        let get = |k: &str| wall.and_then(|w| w.get(k)).and_then(Value::as_f64);
        Reported {
            mean: get("mean"),
            stddev: get("stddev"),
            median: get("median"),
            min: get("min"),
            max: get("max"),
        }
    }

    fn fields(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("mean", self.mean),
            ("stddev", self.stddev),
            ("median", self.median),
            ("min", self.min),
            ("max", self.max),
        ]
    }

    /// Whether these figures are what the run times (seconds) give.
    fn agrees_with(&self, times: &[f64]) -> bool {
        let Some(derived) = Derived::of(times) else {
            return false;
        };
        let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-15;
        let pairs = [
            (self.mean, Some(derived.mean), 1e-9),
            (self.median, Some(derived.median), 1e-9),
            (self.min, Some(derived.min), 1e-12),
            (self.max, Some(derived.max), 1e-12),
            // Variance sums differ in rounding between implementations: a looser bound.
            (self.stddev, derived.stddev, 1e-6),
        ];
        pairs
            .iter()
            .all(|&(reported, derived, rel)| match (reported, derived) {
                (Some(r), Some(d)) => close(r, d, rel),
                _ => true,
            })
    }

    fn keep_as_labels(&self, b: &mut BenchBuilder) {
        for (k, v) in self.fields() {
            if let Some(v) = v {
                b.labels.insert(format!("reported.{k}"), format!("{v} s"));
            }
        }
    }
}

/// What hyperfine derives from the run times.
struct Derived {
    mean: f64,
    median: f64,
    min: f64,
    max: f64,
    stddev: Option<f64>,
}

impl Derived {
    fn of(times: &[f64]) -> Option<Derived> {
        if times.is_empty() {
            return None;
        }
        let n = times.len() as f64;
        let mean = times.iter().sum::<f64>() / n;
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted.get(mid.wrapping_sub(1))? + sorted.get(mid)?) / 2.0
        } else {
            *sorted.get(mid)?
        };
        let stddev = (times.len() > 1)
            .then(|| (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
        Some(Derived {
            mean,
            median,
            min: *sorted.first()?,
            max: *sorted.last()?,
            stddev,
        })
    }
}

/// hyperfine 1.x wall-clock times: `times` per run, or only `mean` (with the other summary
/// figures as labels) when a file has no `times`.
fn v1_runs(
    b: &mut BenchBuilder,
    path: &str,
    times: Option<Vec<f64>>,
    codes: &[Option<i64>],
    reported: Reported,
) -> Result<(), ParseError> {
    match times.filter(|t| !t.is_empty()) {
        Some(times) => {
            for (j, &t) in times.iter().enumerate() {
                let at = || format!("{path}.times[{j}]");
                push(b, at, Measure::WallTime, Unit::Nanoseconds, t * 1e9, None)?;
            }
            if !reported.agrees_with(&times) {
                reported.keep_as_labels(b);
            }
        }
        None => {
            let Some(mean) = reported.mean else {
                return Err(ParseError::json(
                    path,
                    0,
                    0,
                    "has no run times; expected \"times\" (hyperfine 1.x) or \"measurements\" \
                     (hyperfine 2.x)",
                ));
            };
            let runs = u64::try_from(codes.len()).ok().filter(|&n| n > 0);
            let at = || format!("{path}.mean");
            push(
                b,
                at,
                Measure::WallTime,
                Unit::Nanoseconds,
                mean * 1e9,
                runs,
            )?;
            reported.keep_as_labels(b);
        }
    }
    Ok(())
}

/// A 1.x CPU time: per-run values when the file has them, else hyperfine's mean over all runs as
/// one sample standing for `runs` runs.
fn cpu_time(
    b: &mut BenchBuilder,
    path: &str,
    measure: Measure,
    field: &str,
    per_run: Option<Vec<f64>>,
    mean: Option<f64>,
    runs: usize,
) -> Result<(), ParseError> {
    match per_run {
        Some(values) => {
            for (j, v) in values.into_iter().enumerate() {
                let at = || format!("{path}.{field}_times[{j}]");
                push(b, at, measure.clone(), Unit::Nanoseconds, v * 1e9, None)?;
            }
        }
        None => {
            if let Some(mean) = mean {
                let runs = u64::try_from(runs).ok().filter(|&n| n > 0);
                let at = || format!("{path}.{field}");
                push(b, at, measure, Unit::Nanoseconds, mean * 1e9, runs)?;
            }
        }
    }
    Ok(())
}

/// hyperfine 2.x runs: every quantity of every run is one sample. Returns the exit codes.
fn v2_runs(
    b: &mut BenchBuilder,
    path: &str,
    runs: Vec<RawMeasurement>,
    reported: Option<Reported>,
) -> Result<Vec<Option<i64>>, ParseError> {
    if runs.is_empty() {
        return Err(ParseError::json(
            format!("{path}.measurements"),
            0,
            0,
            "is empty; expected one measurement per run",
        ));
    }
    let mut codes = Vec::with_capacity(runs.len());
    let mut wall_seconds = Vec::with_capacity(runs.len());
    let mut unknown: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (j, run) in runs.into_iter().enumerate() {
        if let Some(code) = run.exit_code {
            codes.push(code);
        }
        for (key, value) in run.values {
            let at = || format!("{path}.measurements[{j}].{key}");
            let Some((number, unit)) = quantity(&value) else {
                unknown.entry(key).or_default().push(value);
                continue;
            };
            let (measure, unit, value) = canonical(&key, number, unit, at)?;
            if measure == Measure::WallTime {
                wall_seconds.push(value / 1e9);
            }
            push(b, at, measure, unit, value, None)?;
        }
    }
    if wall_seconds.is_empty() {
        return Err(ParseError::json(
            format!("{path}.measurements"),
            0,
            0,
            "no run has a \"time_wall_clock\"; expected {\"value\": seconds, \"unit\": \"second\"}",
        ));
    }
    if let Some(reported) = reported
        && !reported.agrees_with(&wall_seconds)
    {
        reported.keep_as_labels(b);
    }
    for (key, values) in unknown {
        b.labels.insert(
            format!("measurements.{key}"),
            Value::Array(values).to_string(),
        );
    }
    Ok(codes)
}

/// `{"value": number, "unit": "…"}` (2.x) or a bare number.
fn quantity(value: &Value) -> Option<(f64, Option<&str>)> {
    match value {
        Value::Number(n) => Some((n.as_f64()?, None)),
        Value::Object(o) => {
            let number = o.get("value")?.as_f64()?;
            match o.get("unit") {
                None => Some((number, None)),
                Some(Value::String(u)) => Some((number, Some(u.as_str()))),
                Some(_) => None,
            }
        }
        _ => None,
    }
}

/// The canonical measure, unit and value of one 2.x quantity named `key`.
fn canonical(
    key: &str,
    value: f64,
    unit: Option<&str>,
    at: impl Fn() -> String,
) -> Result<(Measure, Unit, f64), ParseError> {
    let (measure, expected) = match key {
        "time_wall_clock" => (Measure::WallTime, Unit::Nanoseconds),
        "time_user" => (Measure::UserTime, Unit::Nanoseconds),
        "time_system" => (Measure::SysTime, Unit::Nanoseconds),
        "time_cpu" => (Measure::Custom("cpu_time".into()), Unit::Nanoseconds),
        "memory_peak_resident" => (Measure::MaxRss, Unit::Bytes),
        "instructions" => (Measure::Instructions, Unit::Count),
        other => (Measure::Custom(other.to_string()), Unit::Count),
    };
    let known = !matches!(measure, Measure::Custom(ref m) if m != "cpu_time");
    let (unit, value) = match unit {
        // hyperfine exports base units (seconds, bytes, counts); a bare value is one of those.
        None => match &expected {
            Unit::Nanoseconds => (Unit::Nanoseconds, value * 1e9),
            other => (other.clone(), value),
        },
        Some(u) => {
            if let Some(factor) = time_factor(u) {
                (Unit::Nanoseconds, value * factor)
            } else if let Some(factor) = size_factor(u) {
                (Unit::Bytes, value * factor)
            } else if known {
                return Err(ParseError::json(
                    at(),
                    0,
                    0,
                    format!("unknown unit {u:?}; expected {}", unit_hint(&expected)),
                ));
            } else {
                (Unit::Custom(u.to_string()), value)
            }
        }
    };
    if known && unit != expected {
        return Err(ParseError::json(
            at(),
            0,
            0,
            format!(
                "{key} is given in {}; expected {}",
                unit.as_str(),
                unit_hint(&expected)
            ),
        ));
    }
    Ok((measure, unit, value))
}

fn unit_hint(unit: &Unit) -> &'static str {
    match unit {
        Unit::Nanoseconds => "a time unit such as \"second\"",
        Unit::Bytes => "a size unit such as \"byte\"",
        _ => "a count (no unit)",
    }
}

/// Nanoseconds per unit of hyperfine's time unit names.
fn time_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "second" | "seconds" | "s" => 1e9,
        "millisecond" | "milliseconds" | "ms" => 1e6,
        "microsecond" | "microseconds" | "us" | "µs" => 1e3,
        "nanosecond" | "nanoseconds" | "ns" => 1.0,
        "minute" | "minutes" | "min" => 60e9,
        "hour" | "hours" | "h" => 3600e9,
        _ => return None,
    })
}

/// Bytes per unit of hyperfine's information unit names.
fn size_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "byte" | "bytes" | "B" => 1.0,
        "kibibyte" | "KiB" => 1024.0,
        "mebibyte" | "MiB" => 1024.0 * 1024.0,
        "gibibyte" | "GiB" => 1024.0 * 1024.0 * 1024.0,
        "tebibyte" | "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

fn push(
    b: &mut BenchBuilder,
    at: impl Fn() -> String,
    measure: Measure,
    unit: Unit,
    value: f64,
    iterations: Option<u64>,
) -> Result<(), ParseError> {
    if !value.is_finite() {
        return Err(ParseError::json(
            at(),
            0,
            0,
            format!("the value is out of range ({value} {unit} after conversion)"),
        ));
    }
    b.metric(measure, unit, Direction::LowerIsBetter)
        .and_then(|m| m.push(value, iterations))
        .map_err(|e| ParseError::json(at(), 0, 0, e))
}

/// `exit_codes` run-length encoded in run order, and `failed_runs` when any run failed.
fn exit_code_labels(b: &mut BenchBuilder, codes: &[Option<i64>]) {
    if codes.is_empty() {
        return;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut iter = codes.iter().peekable();
    while let Some(code) = iter.next() {
        let mut count = 1usize;
        while iter.peek() == Some(&code) {
            iter.next();
            count += 1;
        }
        let shown = code.map_or_else(|| "signal".to_string(), |c| c.to_string());
        parts.push(format!("{shown}×{count}"));
    }
    b.labels.insert("exit_codes".into(), parts.join(", "));
    let failed = codes.iter().filter(|c| **c != Some(0)).count();
    if failed > 0 {
        b.labels.insert(
            "failed_runs".into(),
            format!(
                "{failed} of {} runs failed (non-zero exit code or signal); hyperfine measured \
                 them because it ran with --ignore-failure",
                codes.len()
            ),
        );
    }
}

/// Unique names: results sharing a name get their parameters appended, then ` #2`, ` #3`….
fn assign_names(items: &mut [Item]) {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for item in items.iter() {
        *count.entry(item.base.as_str()).or_default() += 1;
    }
    let candidates: Vec<String> = items
        .iter()
        .map(|item| {
            let shared = count.get(item.base.as_str()).is_some_and(|&n| n > 1);
            if shared && !item.bench.params.is_empty() {
                let params: Vec<String> = item
                    .bench
                    .params
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                format!("{} ({})", item.base, params.join(", "))
            } else {
                item.base.clone()
            }
        })
        .collect();
    let all: HashSet<&str> = candidates.iter().map(String::as_str).collect();
    let mut assigned: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::with_capacity(items.len());
    for candidate in &candidates {
        let name = if assigned.contains(candidate) {
            let k = next_suffix.entry(candidate.as_str()).or_insert(2);
            loop {
                let name = format!("{candidate} #{k}");
                *k += 1;
                if !all.contains(name.as_str()) && !assigned.contains(&name) {
                    break name;
                }
            }
        } else {
            candidate.clone()
        };
        assigned.insert(name.clone());
        names.push(name);
    }
    for (item, name) in items.iter_mut().zip(names) {
        item.bench.name = name;
    }
}

/// Run-level facts: 2.x `metadata`, and every other top-level field as a tag.
fn context(other: Vec<(String, Value)>) -> Context {
    let mut cx = Context::default();
    for (key, value) in other {
        match (key.as_str(), value) {
            ("metadata", Value::Object(meta)) => {
                for (k, v) in meta {
                    match (k.as_str(), v) {
                        ("start_time", Value::String(s)) => {
                            match OffsetDateTime::parse(&s, &Rfc3339) {
                                Ok(t) => cx.started_at = Some(t),
                                Err(_) => {
                                    cx.tags.insert("start_time".into(), s);
                                }
                            }
                        }
                        ("platform", Value::Object(platform)) => {
                            for (pk, pv) in platform {
                                match (pk.as_str(), pv) {
                                    ("os", Value::String(s)) => cx.os = Some(s),
                                    ("architecture", Value::String(s)) => cx.arch = Some(s),
                                    (_, pv) => {
                                        cx.tags.insert(format!("platform.{pk}"), text(&pv));
                                    }
                                }
                            }
                        }
                        ("hyperfine_version", v) => {
                            cx.tags.insert("hyperfine_version".into(), text(&v));
                        }
                        (_, v) => {
                            cx.tags.insert(format!("metadata.{k}"), text(&v));
                        }
                    }
                }
            }
            (_, value) => {
                cx.tags.insert(key, text(&value));
            }
        }
    }
    cx
}

/// A JSON value as label text: strings verbatim, anything else as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
