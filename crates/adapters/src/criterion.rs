//! criterion.rs output: the `target/criterion` directory `cargo bench` leaves behind.
//!
//! # The format
//! One directory per benchmark, at criterion's sanitised `directory_name` (`group/function/value`,
//! each part with `? " / \ * < > : | ^` replaced by `_`, cut to 64 bytes, and `_2`, `_3`… added
//! when two ids of one run sanitise alike), holding one sub-directory per *baseline*: `new` (the
//! latest run of that benchmark), `base` (what a plain `cargo bench` saved) and any
//! `--save-baseline NAME`. Each baseline directory has `benchmark.json` (the id: `group_id`,
//! `function_id`, `value_str`, `throughput`, `full_id`, `directory_name`, `title`), `sample.json`
//! (`sampling_mode` and, per sample, `iters` — iterations, stored as floats — and `times` — total
//! ns for those iterations), `estimates.json` (criterion's bootstrap estimates of mean, median,
//! median_abs_dev, slope, std_dev, each with point estimate, standard error and confidence
//! interval) and `tukey.json` (the four outlier fences). Beside the baselines, `change/
//! estimates.json` holds the relative change of mean and median that criterion computed when it
//! last compared `new` with a saved baseline. `report/` directories hold the HTML report.
//! criterion writes `benchmark.json` last, so a baseline directory without it is an interrupted
//! run. Older criterion versions (before 0.3.4) wrote `sample.json` as `[[iters…], [times…]]`;
//! that shape is read too.
//!
//! # Mapping onto the model
//! - One benchmark per benchmark directory holding the chosen baseline, sorted by `full_id`.
//!   **name** = `full_id` (`group/function/value`, unsanitised, as criterion prints it, but never
//!   cut to 100 bytes as its `title` is). Ids are unique only within a group, so two directories
//!   can share a `full_id` (`dup/x/y` from group `dup`, function `x/y` and from group `dup/x`,
//!   function `y`): each of them is then named `full_id [directory]` (the directory in the tree)
//!   and keeps `full_id` as a label — never merged, never overwritten.
//! - **params** = the `key=value` parts of `full_id`, plus `value` = `value_str` when that is not
//!   itself of `key=value` form (`BenchmarkId::new("fnv", 1024)` → `value=1024`).
//! - **metrics**, one sample per criterion sample, `iterations` = that sample's `iters` (a count
//!   that is not a positive whole number is an error): `wall_time` = `times[i] / iters[i]` (ns per
//!   iteration, not rounded); a throughput gives rates from the same samples (per-iteration amount
//!   × 1e9 / ns per iteration): `Bytes`/`BytesDecimal` → `bytes_per_second` (B/s), `Elements` →
//!   `throughput` (1/s), `Bits` → custom `bits_per_second` (`bit/s`), `ElementsAndBytes` → both
//!   `throughput` and `bytes_per_second`. A rate that is not finite (a zero time) is left out and
//!   counted in the label `nan.<measure>`. criterion does not record its measurement's unit: the
//!   times are taken as nanoseconds (its default `WallTime`).
//! - **labels**, verbatim: `group_id`, `function_id`, `value_str`, `directory_name`, `title`
//!   (when present), `directory` (when the tree's directory differs from `directory_name`),
//!   `sampling_mode`, `throughput` (`Bytes=1024`, `ElementsAndBytes=16 elements, 512 bytes`, or
//!   the JSON of a kind this parser does not know, which then gives no rate), `estimate.<stat>`
//!   for every statistic of `estimates.json` (`1059.17 ns (95% CI 937.73 to 1182.39 ns, SE 59.55
//!   ns)` with every digit), `tukey_fences`, and — for the `new` baseline only, since criterion
//!   compares `new` — `change.mean` / `change.median` (relative change, exact and in percent).
//!   Fields of `benchmark.json` / `sample.json` this parser does not know become
//!   `benchmark.<key>` / `sample.<key>` with their JSON text.
//! - **status** is always `ok` (criterion writes nothing for a benchmark that failed).
//! - **context**: tags `criterion_baseline` (the baseline read) and, when there are any,
//!   `criterion_incomplete` (baseline directories without `benchmark.json`, i.e. interrupted).
//!
//! Errors name the file inside the tree (`ParseError::file`) and the JSON path. Besides the tree,
//! [`sniff_stdout`] recognises criterion's `cargo bench` output and [`saved_baseline`] /
//! [`writes_results`] read its command-line flags, so a caller that ran `cargo bench` knows which
//! baseline to read afterwards.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use benchgate_model::{Direction, Measure, Unit};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::collect::{BenchBuilder, params_from_name};
use crate::{Format, ParseError, Parsed};

/// The JSON files of a criterion directory: paths relative to it, with `/` separators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: Vec<(String, Vec<u8>)>,
}

/// The files criterion writes into a baseline (and `change/`) directory; nothing else is read.
const FILES: [&str; 4] = [
    "benchmark.json",
    "sample.json",
    "estimates.json",
    "tukey.json",
];

/// Reads criterion's JSON files (`benchmark.json`, `sample.json`, `estimates.json`,
/// `tukey.json`) under `dir`, sorted by path. Other files (the HTML report, `raw.csv`, whatever
/// else lives there when `dir` is a whole `target/`) are not read. `report/` directories are
/// walked too, because a benchmark may itself be called `report`. Symbolic links to directories
/// are not followed (no cycles); the walk uses a stack, not recursion.
pub fn read_tree(dir: &Path) -> io::Result<Tree> {
    let mut files = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        for entry in fs::read_dir(&path).map_err(|e| with_path(e, &path))? {
            let entry = entry.map_err(|e| with_path(e, &path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let child = entry.path();
            let kind = entry.file_type().map_err(|e| with_path(e, &child))?;
            if kind.is_dir() {
                stack.push((child, child_rel));
            } else if FILES.contains(&name.as_str())
                && (kind.is_file() || fs::metadata(&child).is_ok_and(|m| m.is_file()))
            {
                let bytes = fs::read(&child).map_err(|e| with_path(e, &child))?;
                files.push((child_rel, bytes));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Tree { files })
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Whether `dir` holds a criterion benchmark: a `benchmark.json` in some sub-directory. The walk
/// is breadth-first and stops at the first one; it looks at most [`LOOKS_LIKE_DEPTH`] levels
/// down and at most [`LOOKS_LIKE_ENTRIES`] entries, so pointing it at a large unrelated tree
/// stays cheap.
pub fn looks_like(dir: &Path) -> bool {
    let mut queue = VecDeque::from([(dir.to_path_buf(), 0usize)]);
    let mut seen = 0usize;
    while let Some((path, depth)) = queue.pop_front() {
        let Ok(entries) = fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > LOOKS_LIKE_ENTRIES {
                return false;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth + 1 < LOOKS_LIKE_DEPTH {
                    queue.push_back((entry.path(), depth + 1));
                }
            } else if depth >= 1 && entry.file_name() == "benchmark.json" {
                return true;
            }
        }
    }
    false
}

/// How deep [`looks_like`] looks: `target/criterion/group/function/value/new/benchmark.json`
/// seen from a project's root.
pub const LOOKS_LIKE_DEPTH: usize = 8;
/// How many directory entries [`looks_like`] reads before giving up.
pub const LOOKS_LIKE_ENTRIES: usize = 200_000;

/// One file of the tree, split into benchmark directory, sub-directory and file name:
/// `hash/fnv/1024/new/benchmark.json` → (`hash/fnv/1024`, `new`, `benchmark.json`). The
/// benchmark directory is empty when the tree is one benchmark's directory.
fn split(path: &str) -> Option<(&str, &str, &str)> {
    let (rest, file) = path.rsplit_once('/')?;
    Some(match rest.rsplit_once('/') {
        Some((dir, sub)) => (dir, sub, file),
        None => ("", rest, file),
    })
}

/// The baselines the tree holds (`new`, `base`, names given to `--save-baseline`): every
/// directory holding a `benchmark.json`.
pub fn baselines(tree: &Tree) -> BTreeSet<String> {
    tree.files
        .iter()
        .filter_map(|(path, _)| split(path))
        .filter(|(_, _, file)| *file == "benchmark.json")
        .map(|(_, sub, _)| sub.to_string())
        .collect()
}

/// The files of one benchmark directory.
#[derive(Default)]
struct Entry<'a> {
    benchmark: Option<&'a [u8]>,
    sample: Option<&'a [u8]>,
    estimates: Option<&'a [u8]>,
    tukey: Option<&'a [u8]>,
    change: Option<&'a [u8]>,
}

/// The benchmarks of one baseline of the tree (see the module documentation for the mapping).
pub fn parse(tree: &Tree, baseline: &str) -> Result<Parsed, ParseError> {
    let mut entries: HashMap<&str, Entry> = HashMap::new();
    let mut present = BTreeSet::new();
    for (path, bytes) in &tree.files {
        let Some((dir, sub, file)) = split(path) else {
            continue;
        };
        if file == "benchmark.json" {
            present.insert(sub);
        }
        if sub == baseline {
            let e = entries.entry(dir).or_default();
            let slot = match file {
                "benchmark.json" => &mut e.benchmark,
                "sample.json" => &mut e.sample,
                "estimates.json" => &mut e.estimates,
                "tukey.json" => &mut e.tukey,
                _ => continue,
            };
            put(slot, bytes, path)?;
        } else if sub == "change" && file == "estimates.json" && baseline == "new" {
            put(&mut entries.entry(dir).or_default().change, bytes, path)?;
        }
    }
    if !present.contains(baseline) {
        return Err(ParseError::input(if present.is_empty() {
            format!(
                "no criterion benchmarks found; expected {}",
                Format::Criterion.expected()
            )
        } else {
            format!(
                "the criterion directory has no baseline `{baseline}`; it has {}",
                present
                    .iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }));
    }

    let mut dirs: Vec<(&str, Entry)> = entries.into_iter().collect();
    dirs.sort_by(|a, b| a.0.cmp(b.0));
    let mut incomplete = Vec::new();
    let mut read: Vec<(String, String, BenchBuilder)> = Vec::with_capacity(dirs.len());
    for (dir, entry) in &dirs {
        match entry.benchmark {
            Some(_) => read.push(read_benchmark(dir, baseline, entry)?),
            None if entry.sample.is_some()
                || entry.estimates.is_some()
                || entry.tukey.is_some() =>
            {
                incomplete.push(join(dir, baseline));
            }
            None => {}
        }
    }

    read.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    // Sorted by full id, the benchmarks sharing one are neighbours.
    let mut i = 0;
    while i < read.len() {
        let mut j = i + 1;
        while j < read.len() && read[j].0 == read[i].0 {
            j += 1;
        }
        if j - i > 1 {
            let dirs: Vec<String> = read[i..j].iter().map(|r| display_dir(&r.1)).collect();
            for r in &mut read[i..j] {
                let full_id = r.0.clone();
                r.2.name = format!("{full_id} [{}]", display_dir(&r.1));
                r.2.labels.insert("full_id".into(), full_id.clone());
                r.2.labels.insert(
                    "duplicate_full_id".into(),
                    format!(
                        "{} benchmark directories have the full id {full_id}: {}",
                        j - i,
                        dirs.join(", ")
                    ),
                );
            }
        }
        i = j;
    }
    let mut names = HashSet::with_capacity(read.len());
    for (_, dir, b) in &read {
        if !names.insert(b.name.as_str()) {
            return Err(ParseError::input(format!(
                "two benchmarks of baseline `{baseline}` are both called {:?} (the second in {})",
                b.name,
                display_dir(dir)
            ))
            .in_file(join(&join(dir, baseline), "benchmark.json")));
        }
    }

    let mut parsed = Parsed::default();
    parsed
        .context
        .tags
        .insert("criterion_baseline".into(), baseline.to_string());
    if !incomplete.is_empty() {
        parsed.context.tags.insert(
            "criterion_incomplete".into(),
            format!(
                "no benchmark.json (an interrupted run?) in {}",
                incomplete.join(", ")
            ),
        );
    }
    parsed.benchmarks = read.into_iter().map(|(_, _, b)| b.build()).collect();
    Ok(parsed)
}

/// Files are never overwritten: a hand-made tree may list one path twice (or `/new/x` beside
/// `new/x`, which name the same file here).
fn put<'a>(slot: &mut Option<&'a [u8]>, bytes: &'a [u8], path: &str) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::input("the tree holds this file twice").in_file(path));
    }
    *slot = Some(bytes);
    Ok(())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.into()
    }
}

#[derive(Deserialize)]
struct BenchmarkJson {
    group_id: String,
    #[serde(default)]
    function_id: Option<String>,
    #[serde(default)]
    value_str: Option<String>,
    #[serde(default)]
    throughput: Option<Value>,
    #[serde(default)]
    full_id: Option<String>,
    #[serde(default)]
    directory_name: Option<String>,
    #[serde(default)]
    title: Option<String>,
}
const BENCHMARK_KEYS: [&str; 7] = [
    "group_id",
    "function_id",
    "value_str",
    "throughput",
    "full_id",
    "directory_name",
    "title",
];

#[derive(Deserialize)]
struct SampleJson {
    #[serde(default)]
    sampling_mode: Option<String>,
    iters: Vec<f64>,
    times: Vec<f64>,
}
const SAMPLE_KEYS: [&str; 3] = ["sampling_mode", "iters", "times"];

/// `sample.json` of criterion before 0.3.4: `[[iters…], [times…]]`.
#[derive(Deserialize)]
struct OldSampleJson(Vec<f64>, Vec<f64>);

/// One statistic of `estimates.json`. criterion's serde_json writes non-finite numbers as
/// `null`, hence the options.
#[derive(Deserialize)]
struct Estimate {
    confidence_interval: ConfidenceInterval,
    point_estimate: Option<f64>,
    standard_error: Option<f64>,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    confidence_level: Option<f64>,
    lower_bound: Option<f64>,
    upper_bound: Option<f64>,
}

type Estimates = BTreeMap<String, Option<Estimate>>;

enum Rate {
    Bytes(u64),
    Elements(u64),
    Bits(u64),
}

/// Reads one benchmark directory's files: (full id, directory, benchmark).
fn read_benchmark(
    dir: &str,
    baseline: &str,
    entry: &Entry,
) -> Result<(String, String, BenchBuilder), ParseError> {
    let base_dir = join(dir, baseline);
    let file = |name: &str| join(&base_dir, name);
    let in_file = |name: &str| {
        let path = file(name);
        move |e: ParseError| e.in_file(path)
    };

    let bytes = entry.benchmark.unwrap_or_default();
    let id: BenchmarkJson = crate::json::from_slice(bytes).map_err(in_file("benchmark.json"))?;
    let full_id = id.full_id.clone().unwrap_or_else(|| {
        // What criterion itself would have written.
        [
            Some(&id.group_id),
            id.function_id.as_ref(),
            id.value_str.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("/")
    });
    let mut b = BenchBuilder::new(&full_id);
    b.params = params_from_name(&full_id);
    if let Some(value) = &id.value_str
        && params_from_name(value).is_empty()
    {
        b.params
            .entry("value".into())
            .or_insert_with(|| value.clone());
    }
    let labels = &mut b.labels;
    labels.insert("group_id".into(), id.group_id.clone());
    for (key, value) in [
        ("function_id", &id.function_id),
        ("value_str", &id.value_str),
        ("directory_name", &id.directory_name),
        ("title", &id.title),
    ] {
        if let Some(value) = value {
            labels.insert(key.into(), value.clone());
        }
    }
    if id.directory_name.as_deref() != Some(dir) {
        labels.insert("directory".into(), display_dir(dir));
    }
    extra_fields(bytes, &BENCHMARK_KEYS, "benchmark", labels).map_err(in_file("benchmark.json"))?;
    let rates = match &id.throughput {
        None | Some(Value::Null) => Vec::new(),
        Some(t) => {
            let (label, rates) = throughput(t).map_err(in_file("benchmark.json"))?;
            labels.insert("throughput".into(), label);
            rates
        }
    };

    let Some(sample) = entry.sample else {
        return Err(ParseError::input(format!(
            "missing: criterion writes sample.json beside {}",
            file("benchmark.json")
        ))
        .in_file(file("sample.json")));
    };
    let (mode, iters, times) =
        read_sample(sample, &mut b.labels).map_err(in_file("sample.json"))?;
    if let Some(mode) = mode {
        b.labels.insert("sampling_mode".into(), mode);
    }
    push_samples(&mut b, &iters, &times, &rates).map_err(in_file("sample.json"))?;

    if let Some(bytes) = entry.estimates {
        let estimates: Estimates =
            crate::json::from_slice(bytes).map_err(in_file("estimates.json"))?;
        for (stat, estimate) in &estimates {
            if let Some(e) = estimate {
                b.labels
                    .insert(format!("estimate.{stat}"), absolute_estimate(e));
            }
        }
    }
    if let Some(bytes) = entry.tukey {
        let fences: [Option<f64>; 4] =
            crate::json::from_slice(bytes).map_err(in_file("tukey.json"))?;
        let [a, b_, c, d] = fences.map(number);
        b.labels.insert(
            "tukey_fences".into(),
            format!("low severe {a} ns, low mild {b_} ns, high mild {c} ns, high severe {d} ns"),
        );
    }
    if let Some(bytes) = entry.change {
        let change: Estimates = crate::json::from_slice(bytes)
            .map_err(|e| e.in_file(join(&join(dir, "change"), "estimates.json")))?;
        for (stat, estimate) in &change {
            if let Some(e) = estimate {
                b.labels
                    .insert(format!("change.{stat}"), relative_estimate(e));
            }
        }
    }
    Ok((full_id, dir.to_string(), b))
}

/// The fields of a JSON object this parser does not know, as `<prefix>.<key>` labels. A first
/// pass reads only the keys, so a large file with no unknown field costs little.
fn extra_fields(
    bytes: &[u8],
    known: &[&str],
    prefix: &str,
    labels: &mut BTreeMap<String, String>,
) -> Result<(), ParseError> {
    let keys: BTreeMap<String, IgnoredAny> = crate::json::from_slice(bytes)?;
    if keys.keys().all(|k| known.contains(&k.as_str())) {
        return Ok(());
    }
    let all: BTreeMap<String, Value> = crate::json::from_slice(bytes)?;
    for (key, value) in all {
        if !known.contains(&key.as_str()) {
            labels.insert(format!("{prefix}.{key}"), value.to_string());
        }
    }
    Ok(())
}

/// The throughput label and the rates it gives, from criterion's externally tagged enum
/// (`{"Bytes": 1024}`, `{"ElementsAndBytes": {"elements": 16, "bytes": 512}}`). A kind this
/// parser does not know is kept verbatim as the label and gives no rate.
fn throughput(t: &Value) -> Result<(String, Vec<Rate>), ParseError> {
    let count = |v: &Value, path: &str, what: &str| {
        v.as_u64().ok_or_else(|| {
            ParseError::json(
                path,
                0,
                0,
                format!("expected a whole number of {what} per iteration, found {v}"),
            )
        })
    };
    let Some((kind, v)) = t
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
    else {
        return Ok((t.to_string(), Vec::new()));
    };
    let path = format!("$.throughput.{kind}");
    Ok(match kind.as_str() {
        "Bytes" | "BytesDecimal" => {
            let n = count(v, &path, "bytes")?;
            (format!("{kind}={n}"), vec![Rate::Bytes(n)])
        }
        "Elements" => {
            let n = count(v, &path, "elements")?;
            (format!("{kind}={n}"), vec![Rate::Elements(n)])
        }
        "Bits" => {
            let n = count(v, &path, "bits")?;
            (format!("{kind}={n}"), vec![Rate::Bits(n)])
        }
        "ElementsAndBytes" => {
            let field = |name: &str, what: &str| match v.get(name) {
                Some(x) => count(x, &format!("{path}.{name}"), what),
                None => Err(ParseError::json(
                    path.as_str(),
                    0,
                    0,
                    format!("expected {{\"elements\": …, \"bytes\": …}}, found {v}"),
                )),
            };
            let elements = field("elements", "elements")?;
            let bytes = field("bytes", "bytes")?;
            (
                format!("{kind}={elements} elements, {bytes} bytes"),
                vec![Rate::Elements(elements), Rate::Bytes(bytes)],
            )
        }
        _ => (t.to_string(), Vec::new()),
    })
}

type Sample = (Option<String>, Vec<f64>, Vec<f64>);

/// `sample.json` in either shape; unknown fields of the object shape become labels.
fn read_sample(bytes: &[u8], labels: &mut BTreeMap<String, String>) -> Result<Sample, ParseError> {
    let old = bytes
        .iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|&c| c == b'[');
    let (mode, iters, times, prefix) = if old {
        let OldSampleJson(iters, times) = crate::json::from_slice(bytes)?;
        (None, iters, times, ("$[0]", "$[1]"))
    } else {
        let s: SampleJson = crate::json::from_slice(bytes)?;
        extra_fields(bytes, &SAMPLE_KEYS, "sample", labels)?;
        (s.sampling_mode, s.iters, s.times, ("$.iters", "$.times"))
    };
    if iters.is_empty() {
        return Err(ParseError::json(
            prefix.0,
            0,
            0,
            "expected at least one sample, found none",
        ));
    }
    if iters.len() != times.len() {
        return Err(ParseError::json(
            prefix.1,
            0,
            0,
            format!(
                "expected as many times as iteration counts ({}), found {}",
                iters.len(),
                times.len()
            ),
        ));
    }
    for (i, &n) in iters.iter().enumerate() {
        // 2^64: the first whole number a u64 cannot hold.
        if !(n >= 1.0 && n.fract() == 0.0 && n < 18_446_744_073_709_551_616.0) {
            return Err(ParseError::json(
                format!("{}[{i}]", prefix.0),
                0,
                0,
                format!("expected a whole, positive iteration count, found {n}"),
            ));
        }
    }
    for (i, &t) in times.iter().enumerate() {
        if t.is_nan() || t < 0.0 {
            return Err(ParseError::json(
                format!("{}[{i}]", prefix.1),
                0,
                0,
                format!("expected a total time in nanoseconds (not negative), found {t}"),
            ));
        }
    }
    Ok((mode, iters, times))
}

/// Turns criterion's samples into per-iteration metrics; `iters` and `times` were checked.
fn push_samples(
    b: &mut BenchBuilder,
    iters: &[f64],
    times: &[f64],
    rates: &[Rate],
) -> Result<(), ParseError> {
    let per_iter: Vec<(f64, u64)> = iters
        .iter()
        .zip(times)
        .map(|(&n, &t)| (t / n, n as u64))
        .collect();
    let wall = b
        .metric(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
        )
        .map_err(ParseError::input)?;
    for (i, &(ns, n)) in per_iter.iter().enumerate() {
        wall.push(ns, Some(n)).map_err(|e| {
            ParseError::json(
                format!("$.times[{i}]"),
                0,
                0,
                format!("time per iteration: {e}"),
            )
        })?;
    }
    for rate in rates {
        let (measure, unit, amount) = match *rate {
            Rate::Bytes(n) => (Measure::BytesPerSecond, Unit::BytesPerSecond, n),
            Rate::Elements(n) => (Measure::Throughput, Unit::PerSecond, n),
            Rate::Bits(n) => (
                Measure::Custom("bits_per_second".into()),
                Unit::Custom("bit/s".into()),
                n,
            ),
        };
        let name = measure.to_string();
        let metric = b
            .metric(measure, unit, Direction::HigherIsBetter)
            .map_err(ParseError::input)?;
        let mut refused = 0usize;
        for &(ns, n) in &per_iter {
            if metric.push(amount as f64 * 1e9 / ns, Some(n)).is_err() {
                refused += 1;
            }
        }
        if refused > 0 {
            b.labels.insert(
                format!("nan.{name}"),
                format!(
                    "{refused} of {} values were not finite (a sample took no time)",
                    per_iter.len()
                ),
            );
        }
    }
    Ok(())
}

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "null".into(), |x| x.to_string())
}

fn signed(x: Option<f64>) -> String {
    x.map_or_else(|| "null".into(), |x| format!("{x:+}"))
}

/// `95` for 0.95: the level as a percentage, without float noise.
fn level(e: &Estimate) -> String {
    e.confidence_interval
        .confidence_level
        .map_or_else(|| "null".into(), |l| ((l * 1e8).round() / 1e6).to_string())
}

/// `1059.16… ns (95% CI 937.72… to 1182.39… ns, SE 59.55… ns)`.
fn absolute_estimate(e: &Estimate) -> String {
    let ci = &e.confidence_interval;
    format!(
        "{} ns ({}% CI {} to {} ns, SE {} ns)",
        number(e.point_estimate),
        level(e),
        number(ci.lower_bound),
        number(ci.upper_bound),
        number(e.standard_error)
    )
}

/// `+2.558… (+255.84%; 95% CI +2.148… to +2.998…, SE 0.205…)`: a relative change.
fn relative_estimate(e: &Estimate) -> String {
    let ci = &e.confidence_interval;
    let percent = e
        .point_estimate
        .map_or_else(|| "null".into(), |x| format!("{:+.2}%", x * 100.0));
    format!(
        "{} ({percent}; {}% CI {} to {}, SE {})",
        signed(e.point_estimate),
        level(e),
        signed(ci.lower_bound),
        signed(ci.upper_bound),
        number(e.standard_error)
    )
}

/// Whether `head` (the first bytes `cargo bench` printed on stdout) comes from criterion: a line
/// `name   time:   [1.2 µs 1.3 µs 1.4 µs]` (the name may be on the line before, when long). ANSI
/// colours are ignored. The bracket must hold three value/unit pairs, which the `change:` lines
/// (`time: [+1.2% +2.0% +3.1%]`) and other harnesses' output do not.
pub fn sniff_stdout(head: &[u8]) -> bool {
    let finder = memchr::memmem::Finder::new(b"time:");
    let mut start = 0;
    while let Some(found) = finder.find(head.get(start..).unwrap_or_default()) {
        let at = start + found;
        let line_start = head
            .get(..at)
            .and_then(|h| memchr::memrchr(b'\n', h))
            .map_or(0, |i| i + 1);
        let line_end = head
            .get(at..)
            .and_then(|t| memchr::memchr(b'\n', t))
            .map_or(head.len(), |i| at + i);
        if let Some(line) = head.get(line_start..line_end)
            && time_line(&strip_ansi(line))
        {
            return true;
        }
        start = line_end.max(at + 1);
    }
    false
}

/// Drops `ESC [ … letter` sequences (colours, bold).
fn strip_ansi(line: &[u8]) -> String {
    let mut out = Vec::with_capacity(line.len());
    let mut bytes = line.iter().copied();
    while let Some(c) = bytes.next() {
        if c == 0x1b {
            if bytes.next() == Some(b'[') {
                for c in bytes.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn time_line(line: &str) -> bool {
    let Some(at) = line.find("time:") else {
        return false;
    };
    let (before, after) = line.split_at(at);
    if !(before.is_empty() || before.ends_with(' ')) {
        return false;
    }
    let Some(inner) = after
        .strip_prefix("time:")
        .map(str::trim_start)
        .and_then(|s| s.strip_prefix('['))
        .and_then(|s| s.split_once(']'))
        .map(|(inner, _)| inner)
    else {
        return false;
    };
    let tokens: Vec<&str> = inner.split_whitespace().collect();
    tokens.len() == 6
        && tokens.chunks(2).all(|pair| match pair {
            [value, unit] => {
                value.parse::<f64>().is_ok_and(f64::is_finite)
                    && !unit.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
            }
            _ => false,
        })
}

/// The arguments criterion itself reads: those after the first `--` of a `cargo bench` command
/// line (up to a second `--`, after which everything is a filter), or all of them when there is
/// no `--` (the bench binary run directly).
fn criterion_args(args: &[String]) -> &[String] {
    let args = match args.iter().position(|a| a == "--") {
        Some(i) => args.get(i + 1..).unwrap_or_default(),
        None => args,
    };
    match args.iter().position(|a| a == "--") {
        Some(i) => args.get(..i).unwrap_or_default(),
        None => args,
    }
}

/// The baseline a `cargo bench` command line saves into with `--save-baseline NAME`
/// (`--save-baseline=NAME`, `-s NAME`, `-sNAME`), or `None` without one. criterion writes `new`
/// in either case and then copies it into NAME (into `base` without the flag).
pub fn saved_baseline(args: &[String]) -> Option<String> {
    let args = criterion_args(args);
    let mut found = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if let Some(rest) = arg.strip_prefix("--save-baseline") {
            if let Some(value) = rest.strip_prefix('=') {
                found = Some(value.to_string());
            } else if rest.is_empty() {
                found = args.get(i).cloned();
                i += 1;
            }
        } else if arg.starts_with("--") {
            // Long options of criterion that take a value: skip it, it is not a flag.
            if TAKES_VALUE.contains(&arg.as_str()) {
                i += 1;
            }
        } else if let Some(shorts) = arg.strip_prefix('-') {
            // A cluster of short flags (`-vs NAME`): `-s` takes the rest or the next argument;
            // `-b` (baseline) and `-c` (colour) take a value too.
            for (at, c) in shorts.char_indices() {
                if matches!(c, 's' | 'b' | 'c') {
                    let rest = shorts.get(at + 1..).unwrap_or_default();
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    let value = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).cloned()
                    } else {
                        Some(rest.to_string())
                    };
                    if c == 's' {
                        found = value;
                    }
                    break;
                }
            }
        }
    }
    found
}

/// criterion's long options that take a separate value (`--baseline NAME`).
const TAKES_VALUE: [&str; 16] = [
    "--color",
    "--colour",
    "--baseline",
    "--baseline-lenient",
    "--format",
    "--profile-time",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
    "--output-format",
];

/// Whether a `cargo bench` command line makes criterion write results into `target/criterion`:
/// not with `--discard-baseline`, `--load-baseline` (re-analyses saved samples), `--profile-time`,
/// `--list`, `--ignored` (runs nothing) or `--test` (runs each benchmark once, measuring
/// nothing). A bench binary run directly (or by `cargo test --benches`) without `--bench` is in
/// test mode as well; that is not looked at here.
pub fn writes_results(args: &[String]) -> bool {
    !criterion_args(args).iter().any(|a| {
        let name = a.split_once('=').map_or(a.as_str(), |(name, _)| name);
        matches!(
            name,
            "--discard-baseline"
                | "--load-baseline"
                | "--profile-time"
                | "--list"
                | "--test"
                | "--ignored"
        )
    })
}
