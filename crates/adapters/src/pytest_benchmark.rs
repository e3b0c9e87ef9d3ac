//! pytest-benchmark JSON: the file `pytest --benchmark-json=FILE` writes, and the files
//! `--benchmark-save` / `--benchmark-autosave` store under `.benchmarks/` (same shape). Every
//! version from 2.5 on is read: older files lack `params`, `param`, `extra_info`, `ops`, `total`,
//! `machine_info.cpu` and write a naive `datetime`.
//!
//! ```text
//! {"machine_info": {"node", "system", "release", "machine", "processor", "cpu": {…}, …},
//!  "commit_info": {"id", "branch", "dirty", "time", "author_time", "project", ["error"]},
//!  "benchmarks": [{"group", "name", "fullname", "params", "param", "extra_info", "options",
//!                  ["cprofile"], "stats": {"min", "max", "mean", …, "iterations", ["data"]}}],
//!  "datetime": "2024-05-06T07:08:09.123456+00:00", "version": "5.3.1"}
//! ```
//!
//! Mapping onto the model:
//! - **Name**: `fullname`, the pytest node id (`sub/test_x.py::TestC::test_f[small]`), kept
//!   whole: the directory part is what keeps two `test_f` of different files apart, and it is the
//!   key pytest-benchmark itself compares runs by. Files without `fullname` use `name`.
//! - **Params**: `params` (the test's `callspec.params`, fixture parameters included), each value
//!   as text: strings unquoted, numbers, booleans and `null` as JSON text, lists and objects as
//!   compact JSON. When `params` is missing or null but `param` (the id) is set:
//!   `params["param"] = param`.
//! - **Labels**: `name`, `group`, `param` (when not null), `extra_info.<key>` and `options.<key>`
//!   (values as text, like params), `stats.<key>` for every summary field pytest-benchmark
//!   computed (`min`, `max`, `mean`, `stddev`, `median`, `iqr`, `q1`, `q3`, `outliers`, `ops`,
//!   `rounds`, `iterations`, `total`, …; benchgate recomputes its own summary from the samples),
//!   and any other key of a benchmark verbatim as JSON text (e.g. `cprofile`). Floats are written
//!   the way Python's `json` wrote them (`5e-06`, `0.25`, `NaN`); nested values as compact JSON.
//! - **Metric**: `wall_time` in ns, lower is better. `stats.data` holds one time per round,
//!   already divided by `stats.iterations` (pytest-benchmark stores `round duration /
//!   iterations`): each becomes one sample (seconds × 1e9) with `iterations` = `stats.iterations`.
//!   `--benchmark-json` always writes `data`; `--benchmark-save` writes it only with
//!   `--benchmark-save-data`. Without `data` the only time is `stats.mean`, an average over
//!   `rounds × iterations` calls: one sample with iterations `[rounds × iterations]`, and the label
//!   `stats.data` says the raw times were not saved. `ops` (= 1 / mean) is no separate metric.
//! - **Status**: always ok: pytest-benchmark leaves benchmarks whose function raised out of the
//!   file. A benchmark whose every time is NaN or infinite is failed (it has no sample).
//! - **Non-finite values**: Python's `json` writes bare `NaN`, `Infinity`, `-Infinity` (e.g. for
//!   a float NaN in `extra_info`); they are read, kept as that text in labels and params, and a
//!   non-finite time is left out of the samples with a `nan.wall_time` label saying how many.
//! - **Repeats**: the same node id twice in one file (pytest `--keep-duplicates` with a file given
//!   twice measures the test twice) is a repetition: the samples are pooled, label `repeats` says
//!   how many runs there were, and a label of a later run that differs from the first run's is
//!   kept as `<label>#<n>` (`stats.mean#2`). The same node id with other params or group is an
//!   error, never an overwrite.
//! - **Context**: `machine_info.node` → hostname, `system` → os (verbatim, `Linux`), `release`
//!   → kernel, `machine` → arch (`AMD64` → `x86_64`, `arm64` → `aarch64`), `cpu.brand_raw` (or
//!   `processor`) → cpu model, `cpu.count` → logical cores; `commit_info.id` → commit, `branch`
//!   → branch, `dirty` → dirty, except pytest-benchmark's placeholders (`unversioned` and
//!   `unknown` ids outside git or without commits, `(unknown)` and `(detached head)` branches).
//!   `datetime` is when pytest-benchmark wrote the file, at the end of the session, so it is the
//!   run's end (`ended_at`); naive timestamps (3.x and older wrote `datetime.utcnow()`) are
//!   UTC. Every other fact goes to tags, verbatim: `machine_info.<key>`, `machine_info.cpu.<key>`,
//!   `commit_info.<key>` (placeholders included), `pytest_benchmark.version`, and any other
//!   top-level key by its name; null values carry nothing and are left out.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use benchgate_model::{Direction, Measure, Status, Unit};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Unexpected, Visitor};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::collect::{BenchBuilder, Benches};
use crate::non_finite;
use crate::{Context, Format, ParseError, Parsed};

/// Whether `head` (the first bytes of an input) looks like this format: a JSON object with a
/// `"benchmarks"` key and one of pytest-benchmark's own keys. Old files may put `"benchmarks"`
/// (and its raw data) first, so several keys are accepted.
pub fn sniff(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    if start.and_then(|i| head.get(i)) != Some(&b'{') {
        return false;
    }
    crate::json::has_key(head, b"\"benchmarks\"")
        && memchr::memmem::find(head, b"\"benchgate/run/v").is_none()
        && (crate::json::has_key(head, b"\"machine_info\"")
            || crate::json::has_key(head, b"\"commit_info\"")
            || (crate::json::has_key(head, b"\"fullname\"")
                && crate::json::has_key(head, b"\"stats\""))
            || crate::json::has_key(head, b"\"stddev_outliers\""))
}

/// Parses a whole input.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(first) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(ParseError::input(format!(
            "the input is empty; expected {}",
            Format::PytestBenchmark.expected()
        )));
    };
    let rest = bytes.get(first..).unwrap_or_default();
    if rest.first() != Some(&b'{') {
        return Err(ParseError::input(format!(
            "expected {}, found {} at the start",
            Format::PytestBenchmark.expected(),
            show_start(rest)
        )));
    }
    // Python's json module writes NaN/Infinity bare.
    let quoted = non_finite::quote(bytes);
    let doc: Document = crate::json::from_slice(&quoted.text).map_err(|e| quoted.unshift(e))?;
    build(doc)
}

/// The first bytes of a non-JSON input, quoted, for an error message.
fn show_start(bytes: &[u8]) -> String {
    let cut = bytes.get(..24).unwrap_or(bytes);
    let text = String::from_utf8_lossy(cut);
    let line = text.lines().next().unwrap_or_default();
    format!("{line:?}")
}

// ---------------------------------------------------------------------------------------------
// The document, read with typed fields where the meaning matters (errors then carry the JSON path,
// line and column) and every other key kept as JSON, in order, so nothing is lost.

/// Declares a JSON object type: typed optional fields, the other keys in `rest`, and a check run
/// when the object has been read (its error carries the object's path).
macro_rules! object {
    ($name:ident, $expecting:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Debug, Default)]
        struct $name {
            $($field: Option<$ty>,)*
            rest: Vec<(String, Value)>,
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $(stringify!($field) => out.$field = map.next_value()?,)*
                                _ => {
                                    let value: Value = map.next_value()?;
                                    out.rest.push((key, value));
                                }
                            }
                        }
                        out.check().map_err(de::Error::custom)?;
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

object!(Document, "a pytest-benchmark JSON object", {
    machine_info: Map<String, Value>,
    commit_info: Map<String, Value>,
    benchmarks: Vec<RawBench>,
    datetime: Value,
    version: Value,
});

object!(RawBench, "a benchmark object with \"fullname\" and \"stats\"", {
    fullname: String,
    name: String,
    group: Value,
    params: Map<String, Value>,
    param: Value,
    extra_info: Map<String, Value>,
    options: Map<String, Value>,
    stats: Stats,
});

object!(Stats, "a \"stats\" object with \"data\" or \"mean\"", {
    data: Vec<Seconds>,
    mean: Seconds,
    rounds: u64,
    iterations: Iterations,
});

impl Document {
    fn check(&self) -> Result<(), String> {
        match &self.benchmarks {
            None => Err(format!(
                "no \"benchmarks\" array; expected {}",
                Format::PytestBenchmark.expected()
            )),
            Some(b) if b.is_empty() => Err(
                "\"benchmarks\" is empty: the file holds no results (pytest-benchmark leaves out \
                 benchmarks whose function raised); expected at least one benchmark"
                    .to_string(),
            ),
            Some(_) => Ok(()),
        }
    }
}

impl RawBench {
    /// The benchmark's name: its node id, or its short name in files without one.
    fn identity(&self) -> Option<&str> {
        fn non_empty(s: &Option<String>) -> Option<&str> {
            s.as_deref().filter(|s| !s.is_empty())
        }
        non_empty(&self.fullname).or(non_empty(&self.name))
    }

    fn check(&self) -> Result<(), String> {
        if self.identity().is_none() {
            return Err(
                "expected a \"fullname\" string (the pytest node id) in each benchmark".into(),
            );
        }
        if self.stats.is_none() {
            return Err("expected a \"stats\" object in each benchmark".into());
        }
        Ok(())
    }
}

impl Stats {
    fn check(&self) -> Result<(), String> {
        if self.data.is_none() && self.mean.is_none() {
            return Err("expected \"data\" (the per-round times) or \"mean\" in \"stats\"".into());
        }
        Ok(())
    }
}

/// A time in seconds: a JSON number, or a bare NaN/Infinity (rewritten to a marker string, see
/// [`non_finite`]) read as the non-finite float it stands for.
#[derive(Debug, Clone, Copy)]
struct Seconds(f64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecondsVisitor;
        impl Visitor<'_> for SecondsVisitor {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                Ok(Seconds(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seconds, E> {
                non_finite::value_of(v)
                    .map(Seconds)
                    .ok_or_else(|| E::invalid_type(Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(SecondsVisitor)
    }
}

/// `stats.iterations`: how many calls each round timed, at least 1.
#[derive(Debug, Clone, Copy)]
struct Iterations(u64);

impl<'de> Deserialize<'de> for Iterations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        if n == 0 {
            return Err(de::Error::invalid_value(
                Unexpected::Unsigned(0),
                &"a positive number of iterations per round",
            ));
        }
        Ok(Iterations(n))
    }
}

// ---------------------------------------------------------------------------------------------
// From the document to the model.

fn build(doc: Document) -> Result<Parsed, ParseError> {
    let mut benches = Benches::default();
    // Index in `$.benchmarks` of each name's first occurrence, and how often it was seen.
    let mut seen: HashMap<String, (usize, u64)> = HashMap::new();
    for (i, raw) in doc.benchmarks.unwrap_or_default().into_iter().enumerate() {
        let one = Bench::from_raw(raw);
        let (builder, created) = benches.entry(&one.name);
        if created {
            seen.insert(one.name.clone(), (i, 1));
            builder.params = one.params;
            builder.labels = one.labels;
            add_samples(builder, &one.samples, one.iterations, &one.data_note)
                .map_err(|m| ParseError::json(format!("$.benchmarks[{i}]"), 0, 0, m))?;
            continue;
        }
        let Some((first, count)) = seen.get_mut(&one.name) else {
            continue;
        };
        if builder.params != one.params || builder.labels.get("group") != one.labels.get("group") {
            return Err(ParseError::json(
                format!("$.benchmarks[{i}]"),
                0,
                0,
                format!(
                    "a second benchmark named {:?} (the first is $.benchmarks[{first}]) has \
                     other params or another group; expected each pytest node id once, or \
                     repeats of the same test",
                    one.name
                ),
            ));
        }
        *count += 1;
        let n = *count;
        builder.labels.insert("repeats".into(), n.to_string());
        for (k, v) in one.labels {
            if builder.labels.get(&k) != Some(&v) {
                builder.labels.insert(format!("{k}#{n}"), v);
            }
        }
        add_samples(builder, &one.samples, one.iterations, &one.data_note)
            .map_err(|m| ParseError::json(format!("$.benchmarks[{i}]"), 0, 0, m))?;
    }
    // A benchmark whose every time was NaN or infinite has nothing to judge.
    let benchmarks = benches
        .into_benchmarks()
        .into_iter()
        .map(|mut b| {
            if b.metrics.is_empty() {
                let why = b
                    .labels
                    .get("nan.wall_time")
                    .cloned()
                    .unwrap_or_else(|| "no time values".into());
                b.status = Status::Failed {
                    message: format!("pytest-benchmark reported no finite time: {why}"),
                };
            }
            b
        })
        .collect();
    let mut context = Context::default();
    machine_context(doc.machine_info.unwrap_or_default(), &mut context);
    commit_context(doc.commit_info.unwrap_or_default(), &mut context);
    match doc.datetime {
        Some(Value::String(s)) => match parse_datetime(&s) {
            Some((at, naive)) => {
                context.ended_at = Some(at);
                if naive {
                    context.tags.insert("datetime".into(), s);
                }
            }
            None => {
                context.tags.insert("datetime".into(), s);
            }
        },
        Some(Value::Null) | None => {}
        Some(other) => {
            context.tags.insert("datetime".into(), text(&other));
        }
    }
    if let Some(v) = doc.version.filter(|v| !v.is_null()) {
        context
            .tags
            .insert("pytest_benchmark.version".into(), text(&v));
    }
    for (k, v) in doc.rest {
        if !v.is_null() {
            context.tags.insert(k, text(&v));
        }
    }
    Ok(Parsed {
        benchmarks,
        context,
    })
}

/// One benchmark of the file, mapped but not yet pooled.
struct Bench {
    name: String,
    params: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    /// Times in seconds, finite or not.
    samples: Vec<f64>,
    /// Iterations behind each sample.
    iterations: Option<u64>,
    /// Why there is only a mean, when there is.
    data_note: Option<&'static str>,
}

const NO_DATA: &str = "not saved: the one sample is stats.mean, the average of rounds × \
                       iterations calls (--benchmark-json, or --benchmark-save with \
                       --benchmark-save-data, keeps every round)";

impl Bench {
    fn from_raw(raw: RawBench) -> Bench {
        let mut labels = BTreeMap::new();
        // `RawBench::check` refused benchmarks without one.
        let name = raw.identity().unwrap_or_default().to_string();
        if let Some(short) = raw.name {
            labels.insert("name".into(), short);
        }
        if let Some(group) = raw.group.filter(|v| !v.is_null()) {
            labels.insert("group".into(), text(&group));
        }
        let param = raw.param.filter(|v| !v.is_null()).map(|v| text(&v));
        let mut params: BTreeMap<String, String> = raw
            .params
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        if let Some(param) = param {
            if params.is_empty() {
                params.insert("param".into(), param.clone());
            }
            labels.insert("param".into(), param);
        }
        for (k, v) in raw.extra_info.unwrap_or_default() {
            labels.insert(format!("extra_info.{k}"), text(&v));
        }
        for (k, v) in raw.options.unwrap_or_default() {
            labels.insert(format!("options.{k}"), text(&v));
        }
        for (k, v) in raw.rest {
            if !v.is_null() {
                labels.insert(k, text(&v));
            }
        }
        let stats = raw.stats.unwrap_or_default();
        for (k, v) in &stats.rest {
            labels.insert(format!("stats.{k}"), text(v));
        }
        if let Some(Seconds(mean)) = stats.mean {
            labels.insert("stats.mean".into(), number_text(mean));
        }
        if let Some(rounds) = stats.rounds {
            labels.insert("stats.rounds".into(), rounds.to_string());
        }
        if let Some(Iterations(n)) = stats.iterations {
            labels.insert("stats.iterations".into(), n.to_string());
        }
        let per_round = stats.iterations.map(|Iterations(n)| n);
        let (samples, iterations, data_note) = match stats.data {
            Some(data) if !data.is_empty() => (data.iter().map(|s| s.0).collect(), per_round, None),
            // No raw data: the mean stands for every call of every round.
            _ => {
                let calls = stats
                    .rounds
                    .zip(per_round)
                    .and_then(|(r, n)| r.checked_mul(n))
                    .filter(|&c| c > 0);
                let mean = stats.mean.map(|s| s.0).into_iter().collect();
                (mean, calls, Some(NO_DATA))
            }
        };
        Bench {
            name,
            params,
            labels,
            samples,
            iterations,
            data_note,
        }
    }
}

/// Adds one run's times (seconds) as nanosecond samples; non-finite ones are counted in the
/// `nan.wall_time` label instead.
fn add_samples(
    builder: &mut BenchBuilder,
    seconds: &[f64],
    iterations: Option<u64>,
    data_note: &Option<&'static str>,
) -> Result<(), String> {
    if let Some(note) = data_note {
        builder
            .labels
            .entry("stats.data".into())
            .or_insert_with(|| (*note).to_string());
    }
    let metric = builder.metric(
        Measure::WallTime,
        Unit::Nanoseconds,
        Direction::LowerIsBetter,
    )?;
    let mut left_out = 0usize;
    for &s in seconds {
        let ns = s * 1e9;
        if ns.is_finite() {
            metric.push(ns, iterations)?;
        } else {
            left_out += 1;
        }
    }
    let kept = metric.samples().len();
    // Counted over every repeat of the benchmark so far.
    let before = builder
        .labels
        .get("nan.wall_time")
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let total_left_out = before + left_out;
    if total_left_out > 0 {
        builder.labels.insert(
            "nan.wall_time".into(),
            format!(
                "{total_left_out} of {} values were NaN or infinite and are left out",
                kept + total_left_out
            ),
        );
    }
    Ok(())
}

fn machine_context(info: Map<String, Value>, ctx: &mut Context) {
    let mut processor = None;
    for (k, v) in info {
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("node", Value::String(s)) if !s.is_empty() => ctx.hostname = Some(s),
            ("system", Value::String(s)) if !s.is_empty() => ctx.os = Some(s),
            ("release", Value::String(s)) if !s.is_empty() => ctx.kernel = Some(s),
            ("machine", Value::String(s)) if !s.is_empty() => {
                let arch = normalize_arch(&s);
                if arch != s {
                    ctx.tags.insert("machine_info.machine".into(), s);
                }
                ctx.arch = Some(arch);
            }
            ("cpu", Value::Object(cpu)) => {
                for (ck, cv) in cpu {
                    match (ck.as_str(), cv) {
                        (_, Value::Null) => {}
                        ("brand_raw", Value::String(s)) if !s.trim().is_empty() => {
                            ctx.cpu_model = Some(s)
                        }
                        ("count", Value::Number(n)) if positive_u32(&n).is_some() => {
                            ctx.logical_cores = positive_u32(&n);
                        }
                        (_, cv) => {
                            ctx.tags.insert(format!("machine_info.cpu.{ck}"), text(&cv));
                        }
                    }
                }
            }
            (_, v) => {
                if k == "processor" {
                    processor = v.as_str().map(str::to_string);
                }
                ctx.tags.insert(format!("machine_info.{k}"), text(&v));
            }
        }
    }
    // platform.processor() is often empty or just the architecture on Linux.
    if ctx.cpu_model.is_none() {
        let arch = ctx.arch.clone();
        ctx.cpu_model = processor
            .filter(|p| !p.trim().is_empty() && !is_arch_name(p) && arch.as_deref() != Some(p));
    }
}

fn positive_u32(n: &serde_json::Number) -> Option<u32> {
    n.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

fn is_arch_name(s: &str) -> bool {
    matches!(
        s,
        "x86_64"
            | "AMD64"
            | "amd64"
            | "x64"
            | "i386"
            | "i686"
            | "x86"
            | "arm64"
            | "ARM64"
            | "aarch64"
            | "arm"
            | "armv7l"
            | "ppc64le"
            | "s390x"
            | "riscv64"
    )
}

/// The spelling `uname -m` uses on Linux.
fn normalize_arch(machine: &str) -> String {
    match machine {
        "AMD64" | "amd64" | "x64" | "X86_64" => "x86_64".into(),
        "arm64" | "ARM64" => "aarch64".into(),
        other => other.to_string(),
    }
}

fn commit_context(info: Map<String, Value>, ctx: &mut Context) {
    let mut dirty = None;
    for (k, v) in info {
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("id", Value::String(s)) if !matches!(s.as_str(), "" | "unversioned" | "unknown") => {
                ctx.commit = Some(s)
            }
            ("branch", Value::String(s))
                if !matches!(s.as_str(), "" | "(unknown)" | "(detached head)") =>
            {
                ctx.branch = Some(s)
            }
            ("dirty", Value::Bool(b)) => dirty = Some(b),
            (_, v) => {
                ctx.tags.insert(format!("commit_info.{k}"), text(&v));
            }
        }
    }
    // Without a commit, pytest-benchmark's `dirty: false` is only its default.
    match (dirty, ctx.commit.is_some()) {
        (Some(d), true) => ctx.dirty = Some(d),
        (Some(d), false) => {
            ctx.tags.insert("commit_info.dirty".into(), d.to_string());
        }
        (None, _) => {}
    }
}

/// RFC 3339, or a naive ISO 8601 timestamp (taken as UTC); the flag says it was naive.
fn parse_datetime(s: &str) -> Option<(OffsetDateTime, bool)> {
    if let Ok(at) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some((at, false));
    }
    let naive = format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(s, naive)
        .ok()
        .map(|at| (at.assume_utc(), true))
}

// ---------------------------------------------------------------------------------------------
// Values as text.

/// A JSON value as label text: strings verbatim, everything else as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => match non_finite::value_of(s) {
            Some(x) => number_text(x),
            None => s.clone(),
        },
        other => {
            let mut out = String::new();
            write_json(other, &mut out);
            out
        }
    }
}

/// A float as Python's `repr` (and so `json.dumps`) writes it: the shortest text that reads
/// back as the same value, `1e-05` / `0.0001` / `100.0` / `1e+16`, and `NaN`, `Infinity`,
/// `-Infinity`; so labels show what pytest-benchmark wrote.
fn number_text(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: "1.5e-7", "5e0", "-0e0".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let fixed = format!("{x}");
        if fixed.contains('.') {
            fixed
        } else {
            fixed + ".0"
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// A JSON number as written: integers as integers, floats as Python writes them.
fn json_number_text(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(x) if !(n.is_u64() || n.is_i64()) => number_text(x),
        _ => n.to_string(),
    }
}

/// Compact JSON, with the non-finite markers written back as bare NaN/Infinity. The depth is
/// bounded by serde_json's recursion limit (128), which the value was read under.
fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => match non_finite::value_of(s) {
            Some(x) => out.push_str(&number_text(x)),
            None => out.push_str(&Value::String(s.clone()).to_string()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        Value::Number(n) => out.push_str(&json_number_text(n)),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        let cases = [
            (5e-6, "5e-06"),
            (1.9570900019516557e-5, "1.9570900019516557e-05"),
            (0.0001, "0.0001"),
            (0.25, "0.25"),
            (100.0, "100.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1226310.490374313, "1226310.490374313"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(number_text(x), want, "{x:e}");
        }
    }

    #[test]
    fn naive_datetimes_are_utc() {
        let (at, naive) = parse_datetime("2015-08-11T02:23:50.661428").unwrap();
        assert!(naive);
        assert_eq!(at.unix_timestamp(), 1439259830);
        assert_eq!(at.microsecond(), 661428);
        let (at, naive) = parse_datetime("2015-08-11T02:23:50").unwrap();
        assert!(naive);
        assert_eq!(at.unix_timestamp(), 1439259830);
        let (at, naive) = parse_datetime("2026-12-01T07:14:33.198825+02:00").unwrap();
        assert!(!naive);
        assert_eq!(at.offset().whole_hours(), 2);
        assert!(parse_datetime("yesterday").is_none());
    }
}
