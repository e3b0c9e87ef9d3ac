//! Files of numbers a team already knows, in JSON, TOML or YAML (by extension): declared
//! baselines (`benchgate baseline declare`, SPEC §7.3) and budget files (`budget_files`,
//! BASELINE_METRICS-style: targets, minimums and maximums that become `[[budget]]`s). Measure
//! names may be benchgate's own or Go-style (`ns_per_op`, `allocs_per_op`, `p99_ms`,
//! `throughput_rps`…); a budget file may also name a custom measure its results carry (Go's
//! `b.ReportMetric` units: `req/s`, `p99-ns`, `errors/op`), unless the name is a near miss of a
//! known one. Errors name the file and the key path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use benchgate_gate::{Budget, NameGlob, canonical_unit, default_direction};
use benchgate_model::{
    DeclaredBounds, Direction, ENGINE_MEASURES, Measure, Unit, edit_distance, impossible_value,
};
use serde_json::{Map, Value};

use crate::ConfigError;
use crate::units::{Kind, parse_quantity};

/// A values file larger than this is refused: it holds a few numbers per benchmark.
pub const MAX_VALUES_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// One declared value: benchmark, measure, its value in the measure's canonical unit and the
/// declared spread and thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredValue {
    pub benchmark: String,
    pub measure: Measure,
    pub unit: Unit,
    pub direction: Direction,
    pub value: f64,
    pub bounds: DeclaredBounds,
}

const DECLARED_KEYS: [&str; 4] = ["value", "spread", "warn", "fail"];
const BOUND_KEYS: [&str; 5] = ["target", "min", "max", "warn", "fail"];

/// Reads and checks a declared baseline file: benchmark → measure → value, or
/// `{ value, spread, warn, fail }`.
pub fn declared_values(path: &Path) -> Result<Vec<DeclaredValue>, ConfigError> {
    let doc = read_values_file(path)?;
    let err = |key: &str, message: String| at_key(path, key, message);
    let top = as_table(&doc).ok_or_else(|| {
        err(
            "(top level)",
            "expected a table of benchmark → measure → value".into(),
        )
    })?;
    if top.is_empty() {
        return Err(err("(top level)", "no benchmarks declared".into()));
    }
    let mut values = Vec::new();
    for (bench, measures) in top {
        let bench_key = key_path(&[bench]);
        if bench.trim().is_empty() {
            return Err(err(&bench_key, "benchmark name is empty".into()));
        }
        let measures = as_table(measures)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                err(
                    &bench_key,
                    "expected a table of measure → value (e.g. wall_time = \"500ms\")".into(),
                )
            })?;
        for (name, entry) in measures {
            let key = key_path(&[bench, name]);
            let measure = measure_name(name).map_err(|m| err(&key, m))?;
            let (value, bounds) = match entry {
                Value::Object(fields) => {
                    if let Some(unknown) =
                        fields.keys().find(|k| !DECLARED_KEYS.contains(&k.as_str()))
                    {
                        return Err(err(
                            &key_path(&[bench, name, unknown.as_str()]),
                            format!("unknown key (expected one of {})", DECLARED_KEYS.join(", ")),
                        ));
                    }
                    let value = fields
                        .get("value")
                        .ok_or_else(|| err(&key, "missing `value`".into()))?;
                    let fraction = |field: &str| {
                        fields
                            .get(field)
                            .map(|v| {
                                percentage(v).map_err(|m| err(&key_path(&[bench, name, field]), m))
                            })
                            .transpose()
                    };
                    let bounds = DeclaredBounds {
                        spread: fraction("spread")?,
                        warn: fraction("warn")?,
                        fail: fraction("fail")?,
                    };
                    if let (Some(w), Some(f)) = (bounds.warn, bounds.fail)
                        && w > f
                    {
                        return Err(err(
                            &key_path(&[bench, name, "warn"]),
                            "must not be greater than `fail`".into(),
                        ));
                    }
                    let value = quantity(value, &measure)
                        .map_err(|m| err(&key_path(&[bench, name, "value"]), m))?;
                    (value, bounds)
                }
                plain => (
                    quantity(plain, &measure).map_err(|m| err(&key, m))?,
                    DeclaredBounds::default(),
                ),
            };
            if let Some(why) = impossible_value(&measure.measure, &measure.unit, value) {
                return Err(err(&key, why));
            }
            values.push(DeclaredValue {
                benchmark: bench.trim().to_string(),
                unit: measure.unit.clone(),
                direction: measure.direction,
                measure: measure.measure,
                value,
                bounds,
            });
        }
    }
    Ok(values)
}

/// Reads a budget file (BASELINE_METRICS-style): benchmark → measure → { target, min, max,
/// warn, fail }, or measure → bounds at the top level for every benchmark. Benchmark names may
/// be globs, as `[[budget]] bench` is. A custom measure's bounds are in the unit they are
/// written in (`"8ms"`, `"2%"`, `"300/s"`, `"1KiB"`, else a plain number).
pub fn budget_file(path: &Path) -> Result<Vec<Budget>, ConfigError> {
    budget_file_with_metrics(path, &BTreeMap::new())
}

/// [`budget_file`], where a custom measure that is one of the configuration's own output metrics
/// (`metric_units`, by name) is in that metric's unit, as a `[[budget]]` on it is.
pub fn budget_file_with_metrics(
    path: &Path,
    metric_units: &BTreeMap<String, Unit>,
) -> Result<Vec<Budget>, ConfigError> {
    let doc = read_values_file(path)?;
    let err = |key: &str, message: String| at_key(path, key, message);
    let top = as_table(&doc).ok_or_else(|| {
        err(
            "(top level)",
            "expected a table of benchmark → measure → bounds".into(),
        )
    })?;
    let mut budgets = Vec::new();
    for (name, entry) in top {
        let is_bounds = as_table(entry)
            .is_some_and(|t| !t.is_empty() && t.keys().all(|k| BOUND_KEYS.contains(&k.as_str())));
        if is_bounds {
            budgets.push(budget(path, None, &[name.as_str()], entry, metric_units)?);
            continue;
        }
        let key = key_path(&[name]);
        NameGlob::new(name.trim()).map_err(|e| err(&key, e.to_string()))?;
        let measures = as_table(entry).filter(|m| !m.is_empty()).ok_or_else(|| {
            err(
                &key,
                "expected a table of measure → bounds (target, min, max, warn, fail)".into(),
            )
        })?;
        for (measure, bounds) in measures {
            budgets.push(budget(
                path,
                Some(name.trim()),
                &[name.as_str(), measure.as_str()],
                bounds,
                metric_units,
            )?);
        }
    }
    Ok(budgets)
}

fn budget(
    path: &Path,
    bench: Option<&str>,
    keys: &[&str],
    bounds: &Value,
    metric_units: &BTreeMap<String, Unit>,
) -> Result<Budget, ConfigError> {
    let key = key_path(keys);
    let err = |key: &str, message: String| at_key(path, key, message);
    let measure_key = keys[keys.len() - 1];
    let fields = as_table(bounds).filter(|t| !t.is_empty()).ok_or_else(|| {
        err(
            &key,
            "expected a table of bounds (target, min, max, warn, fail)".into(),
        )
    })?;
    let measure = budget_measure(measure_key, fields, metric_units).map_err(|m| err(&key, m))?;
    let at = |field: &str| {
        let mut path = keys.to_vec();
        path.push(field);
        key_path(&path)
    };
    if let Some(unknown) = fields.keys().find(|k| !BOUND_KEYS.contains(&k.as_str())) {
        return Err(err(
            &at(unknown),
            format!("unknown key (expected one of {})", BOUND_KEYS.join(", ")),
        ));
    }
    let bound = |field: &str| -> Result<Option<f64>, ConfigError> {
        let Some(value) = fields.get(field) else {
            return Ok(None);
        };
        match quantity(value, &measure) {
            Ok(0.0) => Err(err(
                &at(field),
                "must be greater than zero (headroom is measured relative to it)".into(),
            )),
            Ok(v) => Ok(Some(v)),
            Err(m) => Err(err(&at(field), m)),
        }
    };
    let fraction = |field: &str| {
        fields
            .get(field)
            .map(|v| percentage(v).map_err(|m| err(&at(field), m)))
            .transpose()
    };
    let mut budget = Budget::new(measure.measure.clone());
    budget.bench = bench.map(str::to_string);
    budget.max = bound("max")?;
    budget.min = bound("min")?;
    budget.target = bound("target")?;
    budget.warn = fraction("warn")?;
    budget.fail = fraction("fail")?;
    if let (Some(lo), Some(hi)) = (budget.min, budget.max)
        && lo > hi
    {
        return Err(err(&at("min"), "must not be greater than `max`".into()));
    }
    if let (Some(w), Some(f)) = (budget.warn, budget.fail)
        && w > f
    {
        return Err(err(&at("warn"), "must not be greater than `fail`".into()));
    }
    Ok(budget)
}

/// A measure named in a values file, with the scale from the unit its name says its plain
/// numbers are in (`p99_ms`: milliseconds) to the measure's canonical unit.
struct NamedMeasure {
    measure: Measure,
    unit: Unit,
    direction: Direction,
    scale: f64,
}

/// Go-style names (and a few common ones) for benchgate's measures, with the scale of their
/// plain numbers.
const ALIASES: [(&str, &str, f64); 22] = [
    ("ns_per_op", "wall_time", 1.0),
    ("ns/op", "wall_time", 1.0),
    ("us_per_op", "wall_time", 1e3),
    ("ms_per_op", "wall_time", 1e6),
    ("sec_per_op", "wall_time", 1e9),
    ("allocs_per_op", "allocs", 1.0),
    ("allocs/op", "allocs", 1.0),
    ("bytes_per_op", "alloc_bytes", 1.0),
    ("B/op", "alloc_bytes", 1.0),
    ("mb_per_s", "bytes_per_second", 1e6),
    ("MB/s", "bytes_per_second", 1e6),
    ("throughput_rps", "throughput", 1.0),
    ("throughput_ops", "throughput", 1.0),
    ("throughput_qps", "throughput", 1.0),
    ("rps", "throughput", 1.0),
    ("qps", "throughput", 1.0),
    ("tps", "throughput", 1.0),
    ("ops_per_sec", "throughput", 1.0),
    ("requests_per_sec", "throughput", 1.0),
    ("error_ratio", "error_rate", 1.0),
    ("error_rate_pct", "error_rate", 0.01),
    ("error_rate_percent", "error_rate", 0.01),
];

const TIME_SUFFIXES: [(&str, f64); 4] = [("_ns", 1.0), ("_us", 1e3), ("_ms", 1e6), ("_s", 1e9)];

fn measure_name(name: &str) -> Result<NamedMeasure, String> {
    let named = |measure: Measure, scale: f64| {
        let unit = measure
            .canonical_unit()
            .or_else(|| measure.engine_unit())
            .unwrap_or_else(|| canonical_unit(&measure));
        NamedMeasure {
            direction: default_direction(&measure),
            unit,
            measure,
            scale,
        }
    };
    let trimmed = name.trim();
    let measure = Measure::parse(trimmed);
    if measure.is_known() || measure.engine_unit().is_some() {
        return Ok(named(measure, 1.0));
    }
    if let Some((_, canonical, scale)) = ALIASES.iter().find(|(alias, _, _)| *alias == trimmed) {
        return Ok(named(Measure::parse(canonical), *scale));
    }
    // Latency percentiles: p95, p95_ms, latency_p95_ms, p95_latency_us…
    let (stem, scale) = TIME_SUFFIXES
        .iter()
        .find_map(|(suffix, scale)| trimmed.strip_suffix(suffix).map(|s| (s, *scale)))
        .unwrap_or((trimmed, 1.0));
    let stem = stem
        .strip_prefix("latency_")
        .or_else(|| stem.strip_suffix("_latency"))
        .unwrap_or(stem);
    if let Some(measure) = ["p50", "p90", "p95", "p99", "p999"]
        .iter()
        .find(|p| **p == stem)
        .map(|p| Measure::parse(&format!("latency_{p}")))
    {
        return Ok(named(measure, scale));
    }
    let hint = Measure::closest_known(trimmed)
        .map_or_else(String::new, |known| format!(" (did you mean {known:?}?)"));
    Err(format!(
        "unknown measure {trimmed:?}{hint}; expected a benchgate measure (wall_time, allocs, \
         alloc_bytes, throughput, latency_p99, error_rate, …) or a Go-style name (ns_per_op, \
         allocs_per_op, bytes_per_op, mb_per_s, p95_ms, p99_latency_ms, throughput_rps, rps, \
         error_rate_pct)"
    ))
}

/// A custom measure's name is at most this long (Go's units are a few characters).
const MAX_CUSTOM_MEASURE_BYTES: usize = 128;

/// Known measure names and the Go-style names that stand for them: a custom measure within two
/// edits of one is taken for a typo. The two-to-five-character aliases (`rps`, `B/op`, `ns/op`)
/// are left out: Go units as short as theirs (`ops`, `B/s`) are measures of their own.
fn near_miss(name: &str) -> Option<&'static str> {
    if let Some(known) = Measure::closest_known(name) {
        return Some(known);
    }
    ENGINE_MEASURES
        .iter()
        .map(|(known, _)| *known)
        .chain(
            ALIASES
                .iter()
                .map(|(alias, _, _)| *alias)
                .filter(|alias| alias.len() > 5),
        )
        .map(|known| (edit_distance(name, known), known))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

/// The measure a budget file's `name` stands for: one [`measure_name`] knows, else a custom
/// measure that ingested results carry (Go's `b.ReportMetric` units: `req/s`, `p95-ns`,
/// `errors/op`). A custom name is refused when it is a near miss of a known name (a typo) or
/// holds a glob character (a benchmark written where a measure goes); the gate fails a budget
/// whose measure none of its benchmarks has, so a misspelt custom name fails there, by name.
/// A custom measure's unit is its metric's in the configuration (`metric_units`), else what its
/// first absolute bound written with a unit says (`"8ms"`: ns), else a plain count.
fn budget_measure(
    name: &str,
    fields: &Map<String, Value>,
    metric_units: &BTreeMap<String, Unit>,
) -> Result<NamedMeasure, String> {
    let refused = match measure_name(name) {
        Ok(named) => return Ok(named),
        Err(message) => message,
    };
    let trimmed = name.trim();
    if let Some(known) = near_miss(trimmed) {
        return Err(format!(
            "unknown measure {trimmed:?} (did you mean {known:?}?); a custom measure may not be \
             this close to a known name"
        ));
    }
    if trimmed.is_empty()
        || trimmed.chars().any(char::is_control)
        || trimmed.len() > MAX_CUSTOM_MEASURE_BYTES
    {
        return Err(refused);
    }
    if trimmed.contains(['*', '?']) {
        return Err(format!(
            "{trimmed:?} is a benchmark glob, not a measure: under a benchmark, write its \
             measures and their bounds ({trimmed} → wall_time → max)"
        ));
    }
    let unit = match metric_units.get(trimmed) {
        Some(unit) if !matches!(unit, Unit::Custom(_)) => unit.clone(),
        _ => match bound_kind(fields) {
            Kind::Duration => Unit::Nanoseconds,
            Kind::Size => Unit::Bytes,
            Kind::Rate => Unit::PerSecond,
            Kind::Percent => Unit::Ratio,
            Kind::Plain => Unit::Count,
        },
    };
    let measure = Measure::Custom(trimmed.to_string());
    Ok(NamedMeasure {
        direction: default_direction(&measure),
        measure,
        unit,
        scale: 1.0,
    })
}

/// The kind of the first absolute bound written with a unit (`max = "8ms"`), else plain.
fn bound_kind(fields: &Map<String, Value>) -> Kind {
    ["max", "min", "target"]
        .iter()
        .filter_map(|key| match fields.get(*key)? {
            Value::String(text) => parse_quantity(text).ok().map(|(_, kind)| kind),
            _ => None,
        })
        .find(|kind| *kind != Kind::Plain)
        .unwrap_or(Kind::Plain)
}

/// A value of `measure`: a plain number in the unit its name says (canonical unless scaled),
/// or a string with a unit of the measure's kind (`"500ms"`, `"10k/s"`, `"64MiB"`, `"0.1%"`).
fn quantity(value: &Value, measure: &NamedMeasure) -> Result<f64, String> {
    let checked = |v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(format!("{value} is not a finite, non-negative number"))
        }
    };
    match value {
        Value::Number(n) => checked(n.as_f64().unwrap_or(f64::NAN) * measure.scale),
        Value::String(text) => {
            let (v, kind) = parse_quantity(text)?;
            let expected = match measure.unit {
                Unit::Nanoseconds => Kind::Duration,
                Unit::Bytes => Kind::Size,
                Unit::PerSecond => Kind::Rate,
                Unit::Ratio => Kind::Percent,
                _ => Kind::Plain,
            };
            if kind == Kind::Plain {
                checked(v * measure.scale)
            } else if kind == expected {
                checked(v)
            } else {
                Err(format!(
                    "{text:?} is {}, but {} is measured as {} (expected {})",
                    kind.describe(),
                    measure.measure,
                    measure.unit,
                    expected.example()
                ))
            }
        }
        other => Err(format!(
            "expected a number or a string with a unit, found {}",
            type_name(other)
        )),
    }
}

/// A relative threshold or spread: `"5%"` or a fraction (`0.05`).
fn percentage(value: &Value) -> Result<f64, String> {
    let v = match value {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(text) => match parse_quantity(text)? {
            (v, Kind::Percent) => v,
            (v, Kind::Plain) => v,
            (_, kind) => {
                return Err(format!(
                    "{text:?} is {}, expected a percentage such as \"5%\"",
                    kind.describe()
                ));
            }
        },
        other => {
            return Err(format!(
                "expected a percentage such as \"5%\", found {}",
                type_name(other)
            ));
        }
    };
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("{value} is not a finite, non-negative percentage"))
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

fn as_table(value: &Value) -> Option<&Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `index.wall_time.spread`; a name with a dot, space or quote is quoted.
fn key_path(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| {
            if k.is_empty() || k.contains(['.', ' ', '"', '\'']) {
                format!("{k:?}")
            } else {
                k.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn at_key(path: &Path, key: &str, message: String) -> ConfigError {
    ConfigError::AtKey {
        path: path.to_path_buf(),
        key: key.to_string(),
        message,
    }
}

/// The file at `path` as a tree of values, by its extension: `.json`, `.toml`, `.yaml`/`.yml`.
pub fn read_values_file(path: &Path) -> Result<Value, ConfigError> {
    use std::io::Read;
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some(e @ ("json" | "toml" | "yaml" | "yml")) => e.to_string(),
        _ => {
            return Err(ConfigError::Format {
                path: path.to_path_buf(),
            });
        }
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_VALUES_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(io)?;
    if text.len() as u64 > MAX_VALUES_FILE_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_VALUES_FILE_BYTES,
        });
    }
    let syntax = |message: String| ConfigError::Syntax {
        path: path.to_path_buf(),
        message,
    };
    match format.as_str() {
        "json" => serde_json::from_str(&text).map_err(|e| syntax(format!("invalid JSON: {e}"))),
        "toml" => toml::from_str(&text).map_err(|e| {
            let (line, column) = crate::error::line_col(&text, e.span().map_or(0, |s| s.start));
            syntax(format!(
                "invalid TOML at line {line}, column {column}: {}",
                e.message().trim().replace('\n', "; ")
            ))
        }),
        _ => serde_yaml::from_str(&text).map_err(|e| syntax(format!("invalid YAML: {e}"))),
    }
}

/// The budget files a configuration names, relative to its directory.
pub(crate) fn resolve(base: &Path, file: &Path) -> PathBuf {
    if file.is_absolute() {
        file.to_path_buf()
    } else {
        base.join(file)
    }
}
