//! Google Benchmark JSON: what a benchmark binary writes with `--benchmark_format=json` or
//! `--benchmark_out=FILE --benchmark_out_format=json`:
//! `{"context": {date, host_name, num_cpus, …}, "benchmarks": [row, …]}`, one row per run.
//!
//! Rows are `run_type: "iteration"` (one measured repetition) or `"aggregate"` (a statistic the
//! library computed over the repetitions: `mean`, `median`, `stddev`, `cv`, user statistics from
//! `ComputeStatistics`, and the `BigO`/`RMS` rows of a `Complexity()` family).
//!
//! How it maps onto the model:
//! - **Name**: the row's `run_name` verbatim (`BM_Named/size:8/n:64`, `BM_Sleep/50/real_time`),
//!   so users can grep for what the console printed; aggregate rows share it (their `name` has a
//!   `_mean`… suffix, `run_name` has not). `BigO`/`RMS` rows are benchmarks of their own, named by
//!   their `name` (`BM_Complexity_BigO`, `BM_Complexity_RMS`).
//! - **Params**: from the name's parts after the family name. Named arguments `size:8` → `size=8`;
//!   positional arguments (`BM_x/8/64`) → `arg0=8`, `arg1=64` (the index is the argument's
//!   position, so `BM_x/size:4/2` gives `size=4`, `arg1=2`); the options Google Benchmark
//!   spells into names as `min_time:`, `min_warmup_time:`, `iterations:`, `repeats:`,
//!   `threads:` keep their key; the flags `real_time`, `manual_time`, `process_time` become
//!   `<flag>=true`. `threads` always comes from the row's `threads` field. The leading parts that
//!   are none of these are the family name (`BM_Capture/short_string` of `BENCHMARK_CAPTURE`),
//!   kept in `labels["family"]`.
//! - **Measures** of an iteration row, one sample each: `real_time` → `wall_time` and `cpu_time`
//!   → custom `cpu_time`, both in ns converted from `time_unit` (ns, us, ms, s), with the row's
//!   `iterations`; `bytes_per_second` → `bytes_per_second` (B/s) and `items_per_second` →
//!   `throughput` (1/s), higher is better, with the iterations too; memory-manager fields
//!   `allocs_per_iter` → `allocs`, `max_bytes_used`, `total_allocated_bytes`, `net_heap_growth`
//!   → custom measures in bytes; every other numeric key is a user counter → custom measure of
//!   its name, unit count, lower is better (the JSON does not say whether a counter is a rate),
//!   without iterations (a counter is not an average over the iterations). A counter whose name
//!   is a measure the adapter already uses (`wall_time`, `cpu_time`, …) is called
//!   `counter.<name>`. Repetitions (`--benchmark_repetitions`) are samples of one metric.
//! - **Aggregates**: derived from the iteration rows, so when those exist the aggregates are
//!   labels only: `labels["aggregate.<stat>.<field>"]`, e.g. `aggregate.stddev.real_time` =
//!   `"0.549 ns"` (the source's value and time unit; fractions such as `cv` have no unit). When a
//!   benchmark has only aggregates (`--benchmark_report_aggregates_only`), its `mean` row is one
//!   sample per measure with iterations = the row's `iterations` (the number of repetitions it
//!   averages), `labels["aggregates_only"]` says so, and the other statistics are labels.
//! - **Complexity**: `BigO` → custom `cpu_coefficient`/`real_coefficient` in ns per N and
//!   `labels["big_o"]`; `RMS` → custom `rms`, a ratio; both lower is better.
//! - **Status**: `error_occurred` → failed with `error_message`; `skipped` (Google Benchmark 1.8+)
//!   → skipped with `skip_message`. Their zero times are not samples.
//! - **Labels** also keep `label` (`SetLabel`), `family_index`, `per_family_instance_index`,
//!   `repetitions`, `time_unit` and any non-numeric key the adapter does not know.
//! - **Not finite**: Google Benchmark writes bare `NaN`, `Infinity` and `-Infinity` (not JSON);
//!   `nan`, `inf` and signed or capitalised spellings are tolerated too. Such values cannot be
//!   samples: they are counted in `labels["nan.<measure>"]` / `labels["inf.<measure>"]`
//!   (`"3 of 3 values were NaN"`). A benchmark left without any finite value is skipped, saying so.
//! - **Duplicates**: rows are grouped by (`run_name`, `family_index`,
//!   `per_family_instance_index`), and a row repeating a `repetition_index` (or an aggregate name)
//!   already seen in its group starts another benchmark: the same name registered twice gives
//!   `BM_Dup/5` and `BM_Dup/5#2` (`labels["duplicate"]` says which), never a mix of both.
//! - **Context**: `host_name` → hostname, `num_cpus` → logical cores, `date` → start time
//!   (RFC 3339, also with a `+hhmm` offset; else kept as the `date` tag); every other key
//!   (`executable`, `mhz_per_cpu`, `cpu_scaling_enabled`, `library_build_type`, `load_avg`,
//!   `--benchmark_context` keys, …) is a tag, verbatim; `caches` is summarised as
//!   `L1 Data 32768 B shared by 1, …`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use benchgate_model::{Direction, Measure, Source, Status, Unit};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::collect::{BenchBuilder, Benches};
use crate::{Context, Format, ParseError, Parsed};

/// Whether `head` looks like Google Benchmark JSON: an object with a `"context"` key and at least
/// one of the context keys only Google Benchmark writes.
pub fn sniff(head: &[u8]) -> bool {
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return false;
    }
    crate::json::has_key(head, b"\"context\"")
        && [
            &b"\"host_name\""[..],
            b"\"num_cpus\"",
            b"\"mhz_per_cpu\"",
            b"\"library_build_type\"",
            b"\"cpu_scaling_enabled\"",
        ]
        .iter()
        .any(|key| crate::json::has_key(head, key))
}

/// Parses a whole Google Benchmark JSON document.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let quoted = crate::non_finite::quote(bytes);
    let doc: Doc = crate::json::from_slice(&quoted.text).map_err(|e| quoted.unshift(e))?;
    if doc.benchmarks.is_empty() {
        return Err(ParseError::json(
            "$.benchmarks",
            0,
            0,
            format!(
                "the list of benchmark results is empty; expected {}",
                Format::GoogleBenchmark.expected()
            ),
        ));
    }
    let context = doc.context.map(context).unwrap_or_default();
    let benchmarks = benchmarks(&doc.benchmarks)?;
    Ok(Parsed {
        benchmarks,
        context: Context {
            source: Some(Source::Ingest(Format::GoogleBenchmark.name().to_string())),
            ..context
        },
    })
}

/// A number that may be NaN or infinite (written as a bare token, read back from the quoted
/// replacement; a quoted `"NaN"`, `"Infinity"` or `"-Infinity"` is accepted too).
#[derive(Debug, Clone, Copy)]
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Num, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number (or NaN, Infinity, -Infinity)")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                crate::non_finite::value_of(v)
                    .or_else(|| quoted_non_finite(v))
                    .map(Num)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(NumVisitor)
    }
}

/// A non-finite number some writers put in quotes.
fn quoted_non_finite(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The document.

#[derive(Debug, Deserialize)]
struct Doc {
    #[serde(default)]
    context: Option<RawContext>,
    benchmarks: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct RawContext {
    date: Option<String>,
    host_name: Option<String>,
    num_cpus: Option<i64>,
    caches: Option<Vec<BTreeMap<String, Value>>>,
    load_avg: Option<Vec<Num>>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Row {
    name: Option<String>,
    run_name: Option<String>,
    run_type: Option<String>,
    family_index: Option<u64>,
    per_family_instance_index: Option<u64>,
    repetitions: Option<u64>,
    repetition_index: Option<u64>,
    threads: Option<u64>,
    aggregate_name: Option<String>,
    aggregate_unit: Option<String>,
    error_occurred: Option<bool>,
    error_message: Option<String>,
    skipped: Option<bool>,
    skip_message: Option<String>,
    iterations: Option<u64>,
    real_time: Option<Num>,
    cpu_time: Option<Num>,
    time_unit: Option<String>,
    bytes_per_second: Option<Num>,
    items_per_second: Option<Num>,
    cpu_coefficient: Option<Num>,
    real_coefficient: Option<Num>,
    big_o: Option<String>,
    rms: Option<Num>,
    allocs_per_iter: Option<Num>,
    max_bytes_used: Option<Num>,
    total_allocated_bytes: Option<Num>,
    net_heap_growth: Option<Num>,
    label: Option<String>,
    /// User counters, and whatever a newer library adds.
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Iteration,
    Aggregate,
    Complexity,
}

impl Row {
    fn kind(&self, path: &str) -> Result<Kind, ParseError> {
        let complexity = matches!(self.aggregate_name.as_deref(), Some("BigO" | "RMS"))
            || self.big_o.is_some()
            || self.rms.is_some()
            || self.cpu_coefficient.is_some();
        match self.run_type.as_deref() {
            Some("iteration") => Ok(Kind::Iteration),
            Some("aggregate") if complexity => Ok(Kind::Complexity),
            Some("aggregate") => Ok(Kind::Aggregate),
            // Libraries before 1.5 wrote no run_type.
            None if complexity => Ok(Kind::Complexity),
            None if self.aggregate_name.is_some() => Ok(Kind::Aggregate),
            None => Ok(Kind::Iteration),
            Some(other) => Err(semantic(
                format!("{path}.run_type"),
                format!("expected \"iteration\" or \"aggregate\", found {other:?}"),
            )),
        }
    }

    /// The benchmark this row belongs to, by name.
    fn identity(&self, kind: Kind, path: &str) -> Result<String, ParseError> {
        let missing = || {
            semantic(
                path.to_string(),
                "expected a benchmark row with \"name\" or \"run_name\", found neither",
            )
        };
        match kind {
            Kind::Iteration => self.run_name.clone().or_else(|| self.name.clone()),
            Kind::Complexity => self.name.clone().or_else(|| {
                let run = self.run_name.as_deref()?;
                Some(format!("{run}_{}", self.aggregate_name.as_deref()?))
            }),
            Kind::Aggregate => self.run_name.clone().or_else(|| {
                let name = self.name.as_deref()?;
                let base = self
                    .aggregate_name
                    .as_deref()
                    .and_then(|stat| name.strip_suffix(stat)?.strip_suffix('_'));
                Some(base.unwrap_or(name).to_string())
            }),
        }
        .ok_or_else(missing)
    }

    fn failed(&self) -> bool {
        self.error_occurred == Some(true)
    }

    fn was_skipped(&self) -> bool {
        self.skipped == Some(true)
    }
}

fn semantic(path: String, message: impl Into<String>) -> ParseError {
    ParseError::json(path, 0, 0, message)
}

// ---------------------------------------------------------------------------------------------
// Grouping rows into benchmarks.

/// What distinguishes the repetitions of one benchmark from each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    Repetition(u64),
    Statistic(String),
}

type Instance = (String, Option<u64>, Option<u64>);

struct Group {
    identity: String,
    rows: Vec<usize>,
}

fn benchmarks(rows: &[Row]) -> Result<Vec<benchgate_model::Benchmark>, ParseError> {
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<(Instance, u32), usize> = HashMap::new();
    let mut seen: HashMap<(Instance, Slot), u32> = HashMap::new();
    let mut kinds = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let path = format!("$.benchmarks[{i}]");
        let kind = row.kind(&path)?;
        kinds.push(kind);
        let identity = row.identity(kind, &path)?;
        let instance: Instance = (
            identity.clone(),
            row.family_index,
            row.per_family_instance_index,
        );
        let slot = match kind {
            Kind::Iteration => row.repetition_index.map(Slot::Repetition),
            Kind::Aggregate | Kind::Complexity => Some(Slot::Statistic(
                row.aggregate_name.clone().unwrap_or_default(),
            )),
        };
        // A repetition index (or statistic) seen before in this instance is another benchmark
        // of the same name. Without a repetition index, rows of one name are repetitions.
        let occurrence = match slot {
            Some(slot) => {
                let count = seen.entry((instance.clone(), slot)).or_insert(0);
                *count += 1;
                *count - 1
            }
            None => 0,
        };
        let g = *group_of.entry((instance, occurrence)).or_insert_with(|| {
            groups.push(Group {
                identity,
                rows: Vec::new(),
            });
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(g) {
            group.rows.push(i);
        }
    }

    let mut benches = Benches::default();
    let mut taken: HashSet<String> = HashSet::new();
    // Per name: how many benchmarks had it, and the last `#n` suffix given (suffixes only grow,
    // so skipping names taken by other benchmarks stays linear).
    let mut same_name: HashMap<String, (u32, u32)> = HashMap::new();
    for group in &groups {
        let (count, last_suffix) = same_name.entry(group.identity.clone()).or_insert((0, 1));
        *count += 1;
        let nth = *count;
        let mut name = group.identity.clone();
        if nth > 1 {
            *last_suffix = (*last_suffix + 1).max(nth);
            name = format!("{}#{last_suffix}", group.identity);
        }
        while !taken.insert(name.clone()) {
            *last_suffix += 1;
            name = format!("{}#{last_suffix}", group.identity);
        }
        let (b, _) = benches.entry(&name);
        if nth > 1 {
            b.labels.insert(
                "duplicate".into(),
                format!(
                    "the {} benchmark named {} in this file",
                    ordinal(nth),
                    group.identity
                ),
            );
        }
        fill(b, group, rows, &kinds)?;
    }
    Ok(benches.into_benchmarks())
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

// ---------------------------------------------------------------------------------------------
// One benchmark from its rows.

/// How many values one measure was offered and how many of them were not finite.
#[derive(Debug, Default)]
struct Tally {
    seen: usize,
    nan: usize,
    inf: usize,
    neg_inf: usize,
}

struct Filler<'a> {
    b: &'a mut BenchBuilder,
    tallies: BTreeMap<String, Tally>,
}

impl Filler<'_> {
    /// Adds one value of `measure`; a value that is not finite is only counted.
    fn push(
        &mut self,
        path: &str,
        measure: Measure,
        unit: Unit,
        direction: Direction,
        value: f64,
        iterations: Option<u64>,
    ) -> Result<(), ParseError> {
        let tally = self.tallies.entry(measure.to_string()).or_default();
        tally.seen += 1;
        if value.is_nan() {
            tally.nan += 1;
            return Ok(());
        }
        if value.is_infinite() {
            if value > 0.0 {
                tally.inf += 1;
            } else {
                tally.neg_inf += 1;
            }
            return Ok(());
        }
        self.b
            .metric(measure, unit, direction)
            .and_then(|m| m.push(value, iterations))
            .map_err(|message| semantic(path.to_string(), message))
    }

    /// The measures of an iteration row (or of the mean aggregate standing in for them).
    fn measures(
        &mut self,
        path: &str,
        row: &Row,
        iterations: Option<u64>,
        counters_iterations: Option<u64>,
    ) -> Result<(), ParseError> {
        let lower = Direction::LowerIsBetter;
        let higher = Direction::HigherIsBetter;
        let Some(real) = row.real_time else {
            return Err(semantic(
                path.to_string(),
                "expected \"real_time\" in a measured row (with \"cpu_time\" and \"time_unit\"), \
                 found none",
            ));
        };
        let scale = time_scale(row, path)?;
        self.push(
            path,
            Measure::WallTime,
            Unit::Nanoseconds,
            lower,
            real.0 * scale,
            iterations,
        )?;
        if let Some(cpu) = row.cpu_time {
            self.push(
                path,
                Measure::Custom("cpu_time".into()),
                Unit::Nanoseconds,
                lower,
                cpu.0 * scale,
                iterations,
            )?;
        }
        if let Some(v) = row.bytes_per_second {
            let unit = Unit::BytesPerSecond;
            self.push(path, Measure::BytesPerSecond, unit, higher, v.0, iterations)?;
        }
        if let Some(v) = row.items_per_second {
            let unit = Unit::PerSecond;
            self.push(path, Measure::Throughput, unit, higher, v.0, iterations)?;
        }
        let c = counters_iterations;
        if let Some(v) = row.allocs_per_iter {
            self.push(path, Measure::Allocs, Unit::Count, lower, v.0, c)?;
        }
        for (name, value) in [
            ("max_bytes_used", row.max_bytes_used),
            ("total_allocated_bytes", row.total_allocated_bytes),
            ("net_heap_growth", row.net_heap_growth),
        ] {
            if let Some(v) = value {
                let measure = Measure::Custom(name.into());
                self.push(path, measure, Unit::Bytes, lower, v.0, c)?;
            }
        }
        self.counters(path, row, c)
    }

    /// User counters (numeric extra keys); other extra keys are labels.
    fn counters(
        &mut self,
        path: &str,
        row: &Row,
        iterations: Option<u64>,
    ) -> Result<(), ParseError> {
        for (key, value) in &row.extra {
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => crate::non_finite::value_of(s),
                _ => None,
            };
            match number {
                Some(v) => {
                    let measure = counter_measure(key);
                    let path = format!("{path}.{key}");
                    let dir = Direction::LowerIsBetter;
                    self.push(&path, measure, Unit::Count, dir, v, iterations)?;
                }
                None => {
                    self.b
                        .labels
                        .entry(key.clone())
                        .or_insert_with(|| verbatim(value));
                }
            }
        }
        Ok(())
    }

    /// An aggregate's values as `aggregate.<stat>.<field>` labels.
    fn aggregate_labels(&mut self, row: &Row) {
        let stat = row.aggregate_name.as_deref().unwrap_or("aggregate");
        let time_suffix = match row.aggregate_unit.as_deref() {
            None | Some("time") => match &row.time_unit {
                Some(unit) => format!(" {unit}"),
                None => String::new(),
            },
            Some(_) => String::new(),
        };
        let labels = &mut self.b.labels;
        let mut put = |field: &str, value: String| {
            labels.insert(format!("aggregate.{stat}.{field}"), value);
        };
        if let Some(n) = row.iterations {
            put("iterations", n.to_string());
        }
        for (field, value) in [("real_time", row.real_time), ("cpu_time", row.cpu_time)] {
            if let Some(v) = value {
                put(field, format!("{}{time_suffix}", number(v.0)));
            }
        }
        for (field, value) in [
            ("bytes_per_second", row.bytes_per_second),
            ("items_per_second", row.items_per_second),
            ("allocs_per_iter", row.allocs_per_iter),
            ("max_bytes_used", row.max_bytes_used),
            ("total_allocated_bytes", row.total_allocated_bytes),
            ("net_heap_growth", row.net_heap_growth),
        ] {
            if let Some(v) = value {
                put(field, number(v.0));
            }
        }
        if let Some(unit) = &row.aggregate_unit
            && unit != "time"
        {
            put("unit", unit.clone());
        }
        for (key, value) in &row.extra {
            let text = match value {
                Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number),
                other => verbatim(other),
            };
            put(key, text);
        }
        if let Some(label) = &row.label {
            match self.b.labels.get("label") {
                Some(existing) if existing == label => {}
                Some(_) => {
                    self.b
                        .labels
                        .insert(format!("aggregate.{stat}.label"), label.clone());
                }
                None => {
                    self.b.labels.insert("label".into(), label.clone());
                }
            }
        }
    }

    /// A `BigO` or `RMS` row of a `Complexity()` family.
    fn complexity(&mut self, path: &str, row: &Row) -> Result<(), ParseError> {
        let lower = Direction::LowerIsBetter;
        for (name, value) in [
            ("cpu_coefficient", row.cpu_coefficient),
            ("real_coefficient", row.real_coefficient),
        ] {
            if let Some(v) = value {
                let scale = time_scale(row, path)?;
                let measure = Measure::Custom(name.into());
                self.push(path, measure, Unit::Nanoseconds, lower, v.0 * scale, None)?;
            }
        }
        if let Some(v) = row.rms {
            let measure = Measure::Custom("rms".into());
            self.push(path, measure, Unit::Ratio, lower, v.0, None)?;
        }
        let labels = &mut self.b.labels;
        if let Some(big_o) = &row.big_o {
            labels.insert("big_o".into(), big_o.clone());
        }
        if let Some(stat) = &row.aggregate_name {
            labels.insert("aggregate".into(), stat.clone());
        }
        if let Some(unit) = &row.aggregate_unit {
            labels.insert("aggregate_unit".into(), unit.clone());
        }
        self.counters(path, row, None)
    }
}

fn time_scale(row: &Row, path: &str) -> Result<f64, ParseError> {
    match row.time_unit.as_deref() {
        Some("ns") => Ok(1.0),
        Some("us") => Ok(1e3),
        Some("ms") => Ok(1e6),
        Some("s") => Ok(1e9),
        Some(other) => Err(semantic(
            format!("{path}.time_unit"),
            format!("expected \"ns\", \"us\", \"ms\" or \"s\", found {other:?}"),
        )),
        None => Err(semantic(
            path.to_string(),
            "expected \"time_unit\" (\"ns\", \"us\", \"ms\" or \"s\") next to the times, \
             found none",
        )),
    }
}

/// The measure of a user counter; names the adapter uses for its own measures get a prefix.
fn counter_measure(name: &str) -> Measure {
    const OWN: [&str; 7] = [
        "cpu_time",
        "max_bytes_used",
        "total_allocated_bytes",
        "net_heap_growth",
        "cpu_coefficient",
        "real_coefficient",
        "rms",
    ];
    match Measure::parse(name) {
        Measure::Custom(name) if !OWN.contains(&name.as_str()) => Measure::Custom(name),
        _ => Measure::Custom(format!("counter.{name}")),
    }
}

/// A number for a label: plain decimals, exponents for very large or small magnitudes.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if v != 0.0 && !(1e-5..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A JSON value as a label or tag: strings as they are (a bare NaN/Infinity as the source wrote
/// it), anything else as compact JSON.
fn verbatim(value: &Value) -> String {
    match value {
        Value::String(s) => crate::non_finite::value_of(s).map_or_else(|| s.clone(), number),
        other => other.to_string(),
    }
}

fn fill(
    b: &mut BenchBuilder,
    group: &Group,
    rows: &[Row],
    kinds: &[Kind],
) -> Result<(), ParseError> {
    let members = group
        .rows
        .iter()
        .filter_map(|&i| Some((i, rows.get(i)?, *kinds.get(i)?)));
    let Some((_, first, first_kind)) = members.clone().next() else {
        return Ok(());
    };

    // Parameters and per-benchmark facts, from the first row.
    let name_source = match first_kind {
        Kind::Complexity => first.run_name.as_deref().unwrap_or(&group.identity),
        _ => &group.identity,
    };
    let (family, params) = name_params(name_source);
    b.params = params;
    if let Some(threads) = first.threads {
        b.params.insert("threads".into(), threads.to_string());
    }
    let labels = &mut b.labels;
    labels.insert("family".into(), family.to_string());
    if let Some(i) = first.family_index {
        labels.insert("family_index".into(), i.to_string());
    }
    if let Some(i) = first.per_family_instance_index {
        labels.insert("per_family_instance_index".into(), i.to_string());
    }
    if first_kind != Kind::Complexity
        && let Some(n) = first.repetitions
    {
        labels.insert("repetitions".into(), n.to_string());
    }
    if let Some(unit) = &first.time_unit {
        labels.insert("time_unit".into(), unit.clone());
    }

    let mut filler = Filler {
        b,
        tallies: BTreeMap::new(),
    };
    // Distinct messages, in the order seen.
    let mut errors: Vec<String> = Vec::new();
    let mut skips: Vec<String> = Vec::new();
    let mut messages: HashSet<(bool, String)> = HashSet::new();
    let mut measured = 0usize;
    let mut aggregates: Vec<(usize, &Row)> = Vec::new();
    for (i, row, kind) in members {
        let path = format!("$.benchmarks[{i}]");
        if row.failed() {
            let message = row.error_message.clone().unwrap_or_default();
            if messages.insert((true, message.clone())) {
                errors.push(message);
            }
            continue;
        }
        if row.was_skipped() {
            let reason = row.skip_message.clone().unwrap_or_default();
            if messages.insert((false, reason.clone())) {
                skips.push(reason);
            }
            continue;
        }
        match kind {
            Kind::Iteration => {
                filler.measures(&path, row, row.iterations, None)?;
                measured += 1;
                if let Some(label) = &row.label {
                    let labels = &mut filler.b.labels;
                    match labels.get("label") {
                        None => {
                            labels.insert("label".into(), label.clone());
                        }
                        Some(first) if first == label => {}
                        Some(_) => {
                            let rep = row.repetition_index.unwrap_or_default();
                            labels.insert(format!("label.repetition_{rep}"), label.clone());
                        }
                    }
                }
            }
            Kind::Aggregate => aggregates.push((i, row)),
            Kind::Complexity => {
                filler.complexity(&path, row)?;
                measured += 1;
            }
        }
    }

    // Aggregates are derived from the iteration rows; only without those does the mean stand
    // in for them.
    let mean = if measured == 0 {
        aggregates
            .iter()
            .position(|(_, row)| row.aggregate_name.as_deref() == Some("mean"))
    } else {
        None
    };
    for (k, (i, row)) in aggregates.iter().enumerate() {
        let path = format!("$.benchmarks[{i}]");
        if Some(k) == mean {
            filler.measures(&path, row, row.iterations, row.iterations)?;
            measured += 1;
            let n = row.iterations.map_or("its".to_string(), |n| n.to_string());
            filler.b.labels.insert(
                "aggregates_only".into(),
                format!(
                    "only aggregates were reported: the samples are the mean of {n} repetitions"
                ),
            );
            if let Some(label) = &row.label {
                filler.b.labels.insert("label".into(), label.clone());
            }
        } else {
            filler.aggregate_labels(row);
        }
    }

    let Filler { b, tallies } = filler;
    for (measure, t) in &tallies {
        if t.nan > 0 {
            b.labels.insert(
                format!("nan.{measure}"),
                format!("{} of {} values were NaN", t.nan, t.seen),
            );
        }
        let inf = t.inf + t.neg_inf;
        if inf > 0 {
            let which = match (t.inf, t.neg_inf) {
                (_, 0) => "Infinity",
                (0, _) => "-Infinity",
                _ => "Infinity or -Infinity",
            };
            b.labels.insert(
                format!("inf.{measure}"),
                format!("{inf} of {} values were {which}", t.seen),
            );
        }
    }

    let has_samples = b.metrics.iter().any(|m| !m.samples().is_empty());
    b.status = if !errors.is_empty() {
        Status::Failed {
            message: errors.join("; "),
        }
    } else if !skips.is_empty() {
        Status::Skipped {
            reason: skips.join("; "),
        }
    } else if has_samples {
        Status::Ok
    } else if measured > 0 {
        Status::Skipped {
            reason: "every value Google Benchmark reported was NaN or infinite".into(),
        }
    } else {
        let i = group.rows.first().copied().unwrap_or_default();
        return Err(semantic(
            format!("$.benchmarks[{i}]"),
            format!(
                "{} has aggregate rows only and none is a \"mean\"; expected iteration rows \
                 (\"run_type\": \"iteration\") or a \"mean\" aggregate",
                group.identity
            ),
        ));
    };
    Ok(())
}

/// The options Google Benchmark writes into names as `key:value`.
const NAME_OPTIONS: [&str; 5] = [
    "min_time",
    "min_warmup_time",
    "iterations",
    "repeats",
    "threads",
];
/// The flags it writes into names as a bare word.
const NAME_FLAGS: [&str; 3] = ["real_time", "manual_time", "process_time"];

/// The family name and the parameters of a run name (see the module documentation).
fn name_params(run_name: &str) -> (&str, BTreeMap<String, String>) {
    let mut params = BTreeMap::new();
    let mut family_end = run_name.len();
    let mut arg = 0usize;
    let mut offset = 0usize;
    for (k, part) in run_name.split('/').enumerate() {
        let start = offset;
        offset += part.len() + 1;
        if k == 0 {
            continue;
        }
        let found_first = family_end == run_name.len();
        let mut mark = |params: &mut BTreeMap<String, String>, key: String, value: String| {
            params.insert(key, value);
            if found_first {
                family_end = start.saturating_sub(1);
            }
        };
        if NAME_FLAGS.contains(&part) {
            mark(&mut params, part.to_string(), "true".into());
        } else if is_integer(part) {
            mark(&mut params, format!("arg{arg}"), part.to_string());
            arg += 1;
        } else if let Some((key, value)) = part.split_once(':')
            && is_identifier(key)
            && !value.is_empty()
            && !value.starts_with(':')
        {
            if NAME_OPTIONS.contains(&key) {
                mark(&mut params, key.to_string(), value.to_string());
            } else {
                mark(&mut params, key.to_string(), value.to_string());
                arg += 1;
            }
        }
    }
    (run_name.get(..family_end).unwrap_or(run_name), params)
}

fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

// ---------------------------------------------------------------------------------------------
// The context.

fn context(raw: RawContext) -> Context {
    let mut context = Context {
        hostname: raw.host_name,
        ..Context::default()
    };
    let tags = &mut context.tags;
    if let Some(date) = raw.date {
        match parse_date(&date) {
            Some(at) => context.started_at = Some(at),
            None => {
                tags.insert("date".into(), date);
            }
        }
    }
    if let Some(n) = raw.num_cpus {
        match u32::try_from(n) {
            Ok(n) => context.logical_cores = Some(n),
            Err(_) => {
                tags.insert("num_cpus".into(), n.to_string());
            }
        }
    }
    if let Some(caches) = raw.caches {
        tags.insert("caches".into(), caches_summary(&caches));
    }
    if let Some(load) = raw.load_avg {
        let load: Vec<String> = load.iter().map(|v| number(v.0)).collect();
        tags.insert("load_avg".into(), load.join(", "));
    }
    for (key, value) in raw.rest {
        tags.insert(key, verbatim(&value));
    }
    context
}

/// RFC 3339, also with the offset written without a colon (`+0000`, as older libraries did).
fn parse_date(date: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(date, &Rfc3339) {
        return Some(at);
    }
    // `+hhmm` without the colon.
    let (head, tail) = date.split_at_checked(date.len().checked_sub(5)?)?;
    if (tail.starts_with('+') || tail.starts_with('-'))
        && tail.bytes().skip(1).all(|b| b.is_ascii_digit())
    {
        let fixed = format!("{head}{}:{}", tail.get(..3)?, tail.get(3..)?);
        return OffsetDateTime::parse(&fixed, &Rfc3339).ok();
    }
    None
}

fn caches_summary(caches: &[BTreeMap<String, Value>]) -> String {
    caches
        .iter()
        .map(|cache| {
            let field = |key: &str| cache.get(key).map(verbatim);
            match (field("level"), field("type"), field("size")) {
                (Some(level), Some(kind), Some(size)) => {
                    let mut text = format!("L{level} {kind} {size} B");
                    if let Some(n) = field("num_sharing") {
                        text.push_str(&format!(" shared by {n}"));
                    }
                    text
                }
                _ => Value::Object(cache.clone().into_iter().collect()).to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_after_a_rewrite_are_those_of_the_original() {
        let position = |text: &str| match parse(text.as_bytes()).unwrap_err().location {
            crate::Location::Json { line, column, .. } => (line, column),
            other => panic!("{other:?}"),
        };
        // `inf` becomes the 10 bytes `"Infinity"`; the error after it is where it is in the input.
        let with_token = position("{\"benchmarks\":\n [{\"x\": inf, \"y\": NaN, \"z\": tru}]}");
        let without = position("{\"benchmarks\":\n [{\"x\": 1.0, \"y\": 1.0, \"z\": tru}]}");
        assert_eq!(with_token, without);
        assert_eq!(with_token.0, 2);
    }

    #[test]
    fn names_give_parameters() {
        let (family, p) = name_params("BM_Named/size:8/n:64");
        assert_eq!(family, "BM_Named");
        assert_eq!(p.len(), 2);
        assert_eq!((p["size"].as_str(), p["n"].as_str()), ("8", "64"));

        let (family, p) = name_params("BM_x/8/-64/min_time:0.020/real_time/threads:2");
        assert_eq!(family, "BM_x");
        assert_eq!(p["arg0"], "8");
        assert_eq!(p["arg1"], "-64");
        assert_eq!(p["min_time"], "0.020");
        assert_eq!(p["real_time"], "true");
        assert_eq!(p["threads"], "2");

        let (family, p) = name_params("BM_Capture/short_string/size:4/2");
        assert_eq!(family, "BM_Capture/short_string");
        assert_eq!(p["size"], "4");
        assert_eq!(p["arg1"], "2");

        let (family, p) = name_params("ns::BM_T<std::string>/ns::y");
        assert_eq!(family, "ns::BM_T<std::string>/ns::y");
        assert!(p.is_empty());
    }

    #[test]
    fn dates_in_older_spellings() {
        let at = parse_date("2026-12-01T07:12:34+0100").unwrap();
        assert_eq!(at.offset().whole_hours(), 1);
        assert!(parse_date("2019/05/09 11:54:30").is_none());
        assert!(parse_date("").is_none());
    }

    #[test]
    fn label_numbers() {
        assert_eq!(number(0.5491421383077416), "0.5491421383077416");
        assert_eq!(number(42.0), "42");
        assert_eq!(number(2.9625968697372518e9), "2962596869.7372518");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(-2.5e-7), "-2.5e-7");
        assert_eq!(number(f64::NEG_INFINITY), "-Infinity");
    }
}
