//! benchgate against benchstat's own golden output (golang.org/x/perf `cmd/benchstat/testdata`,
//! copied with its inputs into `tests/fixtures/benchstat/`, see the README there).
//!
//! For every row of every golden table below, the inputs go through benchgate's real path — the
//! Go benchmark parser (`benchgate_adapters::parse(Format::Go, …)`) and
//! [`benchgate_gate::compare_runs`] — and the test asserts, at the precision benchstat prints:
//! each side's median (the center), its `± x%` (benchstat's `PctRangeString` on the median's
//! interval), the sample counts, the p-value, the delta (`~` when p > α = 0.05, as benchstat's
//! `FormatDelta`) and the geomean rows. The expected figures are read from the golden files at
//! test time; nothing is copied by hand.
//!
//! - p is the **raw** Mann–Whitney p ([`Verdict::p_value`]): benchgate also applies
//!   Benjamini–Hochberg before deciding a verdict, benchstat does not, so `~` is decided here from
//!   the raw p, not from the verdict's kind. Where benchgate does not test at all because the
//!   sample sizes cannot reach significance (`insufficient_data`, benchstat's "need >= 4 samples
//!   to detect a difference"), the p benchstat prints is compared with
//!   [`benchgate_stats::mann_whitney_u`] on the same samples.
//! - Names: benchstat shows the Go name without `Benchmark`, with its `-N` GOMAXPROCS suffix;
//!   benchgate's Go parser names benchmarks exactly so, so a row's label is the benchmark name.
//! - Units: benchstat's `sec/op` is benchgate's `wall_time` in ns (×1e-9), `B/s` its
//!   `bytes_per_second` (both from Go's `MB/s` ×1e6), `B/op` `alloc_bytes`, `allocs/op`
//!   `allocs`; any other unit is the custom measure the parser names after it.
//! - `-col note` (smallSample, issue19565, issue19634, units, zero) puts the results under each
//!   `note:` value in a column; benchgate has no such option, so the test splits the input at its
//!   `note:` lines into one run per value (lines before the first `note:`, such as `Unit`
//!   metadata, go to every run). `crcIgnore` (`-ignore note`) is crc-old.txt against
//!   crc-new.txt; `crcOldNew` prints each file as its own one-column table (the note differs),
//!   checked against the summaries of the parsed benchmarks.
//!
//! Skipped goldens: `crcSizeVsPoly` (`-filter /align:0 -row /size -col /poly`: benchstat's
//! projections pivot sub-benchmark keys into rows and columns and compare different benchmarks,
//! which benchgate has no option for) and `csvErrors` (`-row .name` on one file: no comparison;
//! it tests benchstat's CSV warnings on stderr).
//!
//! Two parts have their own tests: [`geomean_over_differing_benchmark_sets`] (each side's own
//! geomean, the change over the benchmarks in both, and benchstat's warning) and [`exact_units`]
//! (`assume=exact`: the range as the interval, a warning when the values vary, geomeans of zeros).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use benchgate_adapters::Format;
use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{
    Benchmark, Comparison, Environment, Measure, Mode, Provenance, Run, Source, Summary, Verdict,
    VerdictKind,
};
use benchgate_stats::{geometric_mean, mann_whitney_u};
use time::macros::datetime;

/// benchstat's default α (`benchmath.DefaultThresholds`).
const ALPHA: f64 = 0.05;

// ---------------------------------------------------------------------------------------------
// Which goldens, and what they compare.

#[derive(Debug, Clone, Copy)]
enum Inputs {
    /// One column per file (`benchstat a.txt b.txt`).
    Files(&'static [&'static str]),
    /// One file, one column per `note:` value (`benchstat -col note x.txt`).
    ColNote(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    Text,
    Csv,
}

struct Golden {
    name: &'static str,
    layout: Layout,
    inputs: Inputs,
}

const GOLDENS: &[Golden] = &[
    Golden {
        name: "crcOldNew.stdout",
        layout: Layout::Text,
        inputs: Inputs::Files(&["crc-old.txt", "crc-new.txt"]),
    },
    Golden {
        name: "crcIgnore.stdout",
        layout: Layout::Text,
        inputs: Inputs::Files(&["crc-old.txt", "crc-new.txt"]),
    },
    Golden {
        name: "csvOldNew.stdout",
        layout: Layout::Csv,
        inputs: Inputs::Files(&["old.txt", "new.txt"]),
    },
    Golden {
        name: "smallSample.stdout",
        layout: Layout::Text,
        inputs: Inputs::ColNote("smallSample.txt"),
    },
    Golden {
        name: "issue19565.stdout",
        layout: Layout::Text,
        inputs: Inputs::ColNote("issue19565.txt"),
    },
    Golden {
        name: "issue19634.stdout",
        layout: Layout::Text,
        inputs: Inputs::ColNote("issue19634.txt"),
    },
    Golden {
        name: "units.stdout",
        layout: Layout::Text,
        inputs: Inputs::ColNote("units.txt"),
    },
    Golden {
        name: "zero.stdout",
        layout: Layout::Text,
        inputs: Inputs::ColNote("zero.txt"),
    },
];

/// Which test a golden row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// Passes today.
    Main,
    /// (a) The geomean row of a table whose columns hold different benchmark sets.
    GeomeanOfDifferingSets,
    /// (b) Every row of a table whose unit is declared `assume=exact`.
    ExactUnits,
}

// ---------------------------------------------------------------------------------------------
// Inputs through benchgate's parser.

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/benchstat/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_go(text: &str) -> Vec<Benchmark> {
    benchgate_adapters::parse(Format::Go, text.as_bytes())
        .unwrap_or_else(|e| panic!("benchgate's Go parser: {e}"))
        .benchmarks
}

fn run_of(benchmarks: Vec<Benchmark>) -> Run {
    let environment = Environment {
        os: "linux".into(),
        cpu_model: "test".into(),
        ..Default::default()
    }
    .with_fingerprint();
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode: Mode::Real,
            ..Default::default()
        },
        environment,
    );
    run.benchmarks = benchmarks;
    run
}

/// The text of each `note:` value (`-col note`), lines before the first `note:` line going to
/// every part; in order of first appearance.
fn split_by_note(text: &str) -> Vec<(String, String)> {
    let mut header = String::new();
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("note:") {
            let value = value.trim().to_string();
            let at = parts
                .iter()
                .position(|(v, _)| *v == value)
                .unwrap_or_else(|| {
                    parts.push((value, header.clone()));
                    parts.len() - 1
                });
            current = Some(at);
            continue;
        }
        match current {
            Some(at) => writeln!(parts[at].1, "{line}").unwrap(),
            None => writeln!(header, "{line}").unwrap(),
        }
    }
    parts
}

/// The runs of a golden, by column name (file name or note value).
fn runs_of(inputs: Inputs) -> BTreeMap<String, Run> {
    match inputs {
        Inputs::Files(files) => files
            .iter()
            .map(|f| (f.to_string(), run_of(parse_go(&fixture(f)))))
            .collect(),
        Inputs::ColNote(file) => split_by_note(&fixture(file))
            .into_iter()
            .map(|(note, text)| (note, run_of(parse_go(&text))))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The golden tables.

/// One table of a golden file.
#[derive(Debug)]
struct Table {
    golden: &'static str,
    unit: String,
    columns: Vec<String>,
    rows: Vec<Row>,
    /// Footnote texts by number.
    footnotes: BTreeMap<usize, String>,
}

#[derive(Debug)]
struct Row {
    label: String,
    /// One per column; `None` where benchstat printed nothing.
    cells: Vec<Option<Cell>>,
}

impl Row {
    fn is_geomean(&self) -> bool {
        self.label == "geomean"
    }
}

#[derive(Debug, Default)]
struct Cell {
    center: Option<String>,
    range: Option<String>,
    delta: Option<String>,
    p: Option<String>,
    n: Option<String>,
    notes: Vec<usize>,
}

const SUPERSCRIPTS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";

fn superscript_number(token: &str) -> Option<usize> {
    if token.is_empty() {
        return None;
    }
    token.chars().try_fold(0usize, |n, c| {
        SUPERSCRIPTS
            .chars()
            .position(|d| d == c)
            .map(|d| n * 10 + d)
    })
}

/// Whitespace-separated tokens with the char index each starts at.
fn tokens(line: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut start: Option<usize> = None;
    let mut word = String::new();
    for (i, c) in line.chars().enumerate() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, std::mem::take(&mut word)));
            }
        } else {
            start.get_or_insert(i);
            word.push(c);
        }
    }
    if let Some(s) = start {
        out.push((s, word));
    }
    out
}

/// A cell's tokens: `center ± range [notes] [delta (p=… n=…) [notes]]`; the geomean's
/// `center [notes] [delta] [notes]`, where the center may be missing (only a note).
fn parse_cell(words: &[String], golden: &str, row: &str) -> Cell {
    let mut cell = Cell::default();
    let mut rest = words;
    // A geomean cell may have no center: then its first word is the delta (`+0.00%`, `~`, `?`).
    let is_delta = |w: &str| w == "~" || w == "?" || w.ends_with('%');
    if let Some(first) = rest.first()
        && superscript_number(first).is_none()
        && !is_delta(first)
    {
        cell.center = Some(first.clone());
        rest = &rest[1..];
        if rest.first().is_some_and(|w| w == "±") {
            cell.range = Some(rest[1].clone());
            rest = &rest[2..];
        }
    }
    let mut i = 0;
    while i < rest.len() {
        let w = &rest[i];
        if let Some(n) = superscript_number(w) {
            cell.notes.push(n);
        } else if let Some(inner) = w.strip_prefix('(') {
            // "(p=0.008" "n=10)" or "(n=1)".
            let mut parts = vec![inner.to_string()];
            while !parts.last().is_some_and(|p| p.ends_with(')')) {
                i += 1;
                parts.push(rest[i].clone());
            }
            for part in parts {
                let part = part.trim_end_matches(')');
                if let Some(p) = part.strip_prefix("p=") {
                    cell.p = Some(p.to_string());
                } else if let Some(n) = part.strip_prefix("n=") {
                    cell.n = Some(n.to_string());
                } else {
                    panic!("{golden} {row}: unexpected {part:?}");
                }
            }
        } else {
            assert!(
                cell.delta.is_none(),
                "{golden} {row}: two deltas? {words:?}"
            );
            cell.delta = Some(w.clone());
        }
        i += 1;
    }
    cell
}

fn parse_text_golden(golden: &'static str, text: &str) -> Vec<Table> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].contains('│') {
            // Configuration lines (`pkg: …`, `note: …`) and blank lines between tables.
            i += 1;
            continue;
        }
        let (names, units) = (lines[i], lines[i + 1]);
        let bars: Vec<usize> = units
            .chars()
            .enumerate()
            .filter(|(_, c)| *c == '│')
            .map(|(i, _)| i)
            .collect();
        let columns: Vec<String> = names
            .split('│')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        assert_eq!(columns.len(), bars.len() - 1, "{golden}: {names}");
        let unit = units.split('│').nth(1).unwrap().trim().to_string();
        i += 2;
        let mut rows = Vec::new();
        while i < lines.len()
            && !lines[i].trim().is_empty()
            && superscript_number(tokens(lines[i])[0].1.as_str()).is_none()
        {
            let words = tokens(lines[i]);
            let label: Vec<&str> = words
                .iter()
                .filter(|(at, _)| *at < bars[0])
                .map(|(_, w)| w.as_str())
                .collect();
            let label = label.join(" ");
            let cells = (0..columns.len())
                .map(|c| {
                    let in_column: Vec<String> = words
                        .iter()
                        .filter(|(at, _)| bars[c] < *at && *at < bars[c + 1])
                        .map(|(_, w)| w.clone())
                        .collect();
                    (!in_column.is_empty()).then(|| parse_cell(&in_column, golden, &label))
                })
                .collect();
            rows.push(Row { label, cells });
            i += 1;
        }
        let mut footnotes = BTreeMap::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            let (mark, text) = lines[i].split_once(' ').unwrap();
            footnotes.insert(superscript_number(mark).unwrap(), text.to_string());
            i += 1;
        }
        tables.push(Table {
            golden,
            unit,
            columns,
            rows,
            footnotes,
        });
    }
    tables
}

fn parse_csv_golden(golden: &'static str, text: &str) -> Vec<Table> {
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| l.contains(','))
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    // `,old.txt,,new.txt,,,` then `,sec/op,CI,sec/op,CI,vs base,P`, then the rows.
    let columns: Vec<String> = rows[0].iter().filter(|c| !c.is_empty()).cloned().collect();
    assert_eq!(columns.len(), 2, "{golden}");
    let unit = rows[1][1].clone();
    let cell = |r: &[String], at: usize, delta: bool| {
        let get = |i: usize| r.get(i).filter(|s| !s.is_empty()).cloned();
        let mut cell = Cell {
            center: get(at),
            range: get(at + 1),
            ..Default::default()
        };
        if delta {
            cell.delta = get(at + 2);
            for part in get(at + 3).unwrap_or_default().split_whitespace() {
                if let Some(p) = part.strip_prefix("p=") {
                    cell.p = Some(p.to_string());
                } else if let Some(n) = part.strip_prefix("n=") {
                    cell.n = Some(n.to_string());
                }
            }
        }
        Some(cell)
    };
    let rows = rows[2..]
        .iter()
        .map(|r| Row {
            label: r[0].clone(),
            cells: vec![cell(r, 1, false), cell(r, 3, true)],
        })
        .collect();
    vec![Table {
        golden,
        unit,
        columns,
        rows,
        footnotes: BTreeMap::new(),
    }]
}

// ---------------------------------------------------------------------------------------------
// Units and printed numbers.

/// benchstat's unit → benchgate's measure and the factor from benchgate's canonical unit to it.
fn measure_of(unit: &str) -> (Measure, f64) {
    match unit {
        "sec/op" => (Measure::WallTime, 1e-9),
        "B/s" => (Measure::BytesPerSecond, 1.0),
        "B/op" => (Measure::AllocBytes, 1.0),
        "allocs/op" => (Measure::Allocs, 1.0),
        // The Go parser's custom measures: named by the unit, unless that spells a built-in.
        other => match Measure::parse(other) {
            custom @ Measure::Custom(_) => (custom, 1.0),
            _ => (Measure::Custom(format!("go:{other}")), 1.0),
        },
    }
}

/// A number as benchstat printed it: scaled with an SI or binary prefix and a fixed number of
/// decimals (text), or Go's shortest round-trip form (CSV).
fn check_number(failures: &mut Vec<String>, what: &str, ours: f64, printed: &str, layout: Layout) {
    if layout == Layout::Csv {
        let theirs: f64 = printed.parse().unwrap();
        // Full precision: benchstat computes in seconds with an interpolated median, benchgate
        // in nanoseconds with a midpoint, so the two agree to a few ulps.
        if (ours - theirs).abs() > 1e-12 * theirs.abs() {
            failures.push(format!("{what}: benchgate {ours:e}, benchstat {printed}"));
        }
        return;
    }
    const PREFIXES: [(&str, f64); 11] = [
        ("Ti", 1099511627776.0),
        ("Gi", 1073741824.0),
        ("Mi", 1048576.0),
        ("Ki", 1024.0),
        ("T", 1e12),
        ("G", 1e9),
        ("M", 1e6),
        ("k", 1e3),
        ("m", 1e-3),
        ("µ", 1e-6),
        ("n", 1e-9),
    ];
    let (mantissa, factor) = PREFIXES
        .iter()
        .find_map(|(p, f)| printed.strip_suffix(p).map(|m| (m, *f)))
        .unwrap_or((printed, 1.0));
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len());
    let theirs: f64 = mantissa
        .parse()
        .unwrap_or_else(|e| panic!("{what}: {printed:?}: {e}"));
    let scaled = ours / factor;
    let half_unit = 0.5 * 10f64.powi(-(decimals as i32));
    if (scaled - theirs).abs() > half_unit * (1.0 + 1e-9) {
        failures.push(format!(
            "{what}: benchgate {scaled} (of {printed:?}'s scale), benchstat {printed}"
        ));
    }
}

/// Go's `mathx.Sign`: −1, 0 or 1 (Rust's `signum` gives 1 for 0).
fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// benchstat's `Summary.PctRangeString` on benchgate's summary: `∞` without an interval.
fn check_range(failures: &mut Vec<String>, what: &str, summary: &Summary, printed: &str) {
    let center = summary.median;
    let ours = match summary.median_ci {
        None => "∞".to_string(),
        Some(ci) if sign(center) != sign(ci.lo) || sign(center) != sign(ci.hi) => "?".to_string(),
        Some(_) if center == 0.0 => "0%".to_string(),
        Some(ci) => {
            let percent = 100.0 * (ci.hi / center - 1.0).max(1.0 - ci.lo / center);
            // At the printed precision: within half a percent of benchstat's figure.
            match printed
                .strip_suffix('%')
                .and_then(|p| p.parse::<f64>().ok())
            {
                Some(theirs) if (percent - theirs).abs() <= 0.5 + 1e-9 => printed.to_string(),
                _ => format!("{percent:.0}% ({percent})"),
            }
        }
    };
    if ours != printed {
        failures.push(format!("{what} ±: benchgate {ours}, benchstat {printed}"));
    }
}

// ---------------------------------------------------------------------------------------------
// The checks.

#[derive(Default)]
struct Report {
    /// Golden rows parsed, by part.
    parsed: BTreeMap<Part, usize>,
    /// Golden rows checked, by part.
    checked: BTreeMap<Part, usize>,
    /// Individual assertions made, by part.
    assertions: BTreeMap<Part, usize>,
    failures: BTreeMap<Part, Vec<String>>,
}

fn part_of(table: &Table, row: &Row, runs: &BTreeMap<String, Run>) -> Part {
    let (measure, _) = measure_of(&table.unit);
    let exact = runs.values().any(|run| {
        run.benchmarks
            .iter()
            .filter_map(|b| b.metric(&measure))
            .any(|m| m.exact)
    });
    if exact {
        return Part::ExactUnits;
    }
    if row.is_geomean() && table.columns.len() == 2 {
        let names = |run: &Run| -> Vec<String> {
            let mut names: Vec<String> = run
                .benchmarks
                .iter()
                .filter(|b| b.metric(&measure).is_some())
                .map(|b| b.name.clone())
                .collect();
            names.sort();
            names
        };
        if names(&runs[&table.columns[0]]) != names(&runs[&table.columns[1]]) {
            return Part::GeomeanOfDifferingSets;
        }
    }
    Part::Main
}

fn verdict<'a>(comparison: &'a Comparison, name: &str, measure: &Measure) -> Option<&'a Verdict> {
    comparison
        .verdicts
        .iter()
        .find(|v| v.benchmark == name && v.measure == *measure)
}

fn samples<'a>(run: &'a Run, name: &str, measure: &Measure) -> Option<&'a [f64]> {
    run.benchmark(name)
        .and_then(|b| b.metric(measure))
        .map(|m| &m.samples[..])
}

/// A one-column table: each file's summaries, as benchgate's parser computed them.
fn check_summary_table(table: &Table, run: &Run, failures: &mut Vec<String>) -> usize {
    let (measure, factor) = measure_of(&table.unit);
    let mut assertions = 0;
    for row in &table.rows {
        let what = format!(
            "{} [{}] {} {}",
            table.golden, table.columns[0], row.label, table.unit
        );
        let Some(Some(cell)) = row.cells.first() else {
            failures.push(format!("{what}: no cell"));
            continue;
        };
        let center = cell.center.as_deref().unwrap_or_default();
        if row.is_geomean() {
            let medians: Vec<f64> = run
                .benchmarks
                .iter()
                .filter_map(|b| b.metric(&measure))
                .map(|m| m.summary.median)
                .collect();
            match geometric_mean(&medians) {
                Some(g) => check_number(failures, &what, g * factor, center, Layout::Text),
                None => failures.push(format!("{what}: no geomean")),
            }
            assertions += 1;
            continue;
        }
        let Some(metric) = run.benchmark(&row.label).and_then(|b| b.metric(&measure)) else {
            failures.push(format!("{what}: not in benchgate's parse"));
            continue;
        };
        let summary = &metric.summary;
        check_number(
            failures,
            &what,
            summary.median * factor,
            center,
            Layout::Text,
        );
        check_range(
            failures,
            &what,
            summary,
            cell.range.as_deref().unwrap_or_default(),
        );
        assertions += 2;
    }
    assertions
}

/// A two-column table: baseline against current through `compare_runs`.
fn check_comparison_table(
    table: &Table,
    layout: Layout,
    runs: &BTreeMap<String, Run>,
    comparison: &Comparison,
    report: &mut Report,
) {
    let (measure, factor) = measure_of(&table.unit);
    let (base_run, cur_run) = (&runs[&table.columns[0]], &runs[&table.columns[1]]);
    for row in &table.rows {
        let part = part_of(table, row, runs);
        *report.parsed.entry(part).or_default() += 1;
        let mut failures = Vec::new();
        let what = format!("{} {} {}", table.golden, row.label, table.unit);
        let assertions = if row.is_geomean() {
            check_geomean_row(
                table,
                row,
                comparison,
                &measure,
                factor,
                &what,
                &mut failures,
            )
        } else {
            check_benchmark_row(
                table,
                row,
                layout,
                (base_run, cur_run),
                comparison,
                (&measure, factor),
                &what,
                &mut failures,
            )
        };
        *report.checked.entry(part).or_default() += 1;
        *report.assertions.entry(part).or_default() += assertions;
        report.failures.entry(part).or_default().extend(failures);
    }
}

#[allow(clippy::too_many_arguments)]
fn check_benchmark_row(
    table: &Table,
    row: &Row,
    layout: Layout,
    (base_run, cur_run): (&Run, &Run),
    comparison: &Comparison,
    (measure, factor): (&Measure, f64),
    what: &str,
    failures: &mut Vec<String>,
) -> usize {
    let Some(v) = verdict(comparison, &row.label, measure) else {
        failures.push(format!("{what}: no verdict"));
        return 0;
    };
    let mut assertions = 0;
    let sides = [(&row.cells[0], &v.baseline), (&row.cells[1], &v.current)];
    for (side, (cell, summary)) in sides.into_iter().enumerate() {
        let what = format!("{what} [{}]", table.columns[side]);
        match (cell, summary) {
            (None, None) => {}
            (Some(cell), Some(summary)) => {
                let center = cell.center.as_deref().unwrap_or_default();
                check_number(failures, &what, summary.median * factor, center, layout);
                let range = cell.range.as_deref().unwrap_or_default();
                check_range(failures, &what, summary, range);
                assertions += 2;
            }
            (cell, summary) => failures.push(format!(
                "{what}: benchstat shows {}, benchgate has {}",
                if cell.is_some() { "a cell" } else { "none" },
                if summary.is_some() {
                    "a summary"
                } else {
                    "none"
                },
            )),
        }
    }
    let Some(cell) = &row.cells[1] else {
        return assertions;
    };
    let (Some(base), Some(cur)) = (&v.baseline, &v.current) else {
        // A benchmark only in the current run: benchstat has nothing to compare either.
        if cell.delta.is_some() || cell.p.is_some() {
            failures.push(format!(
                "{what}: benchstat compares, benchgate has one side"
            ));
        }
        return assertions;
    };
    // n: "10" for equal sizes, "5+6" otherwise.
    let n = match cell.n.as_deref().map(|n| n.split_once('+')) {
        Some(Some((a, b))) => (a.parse().unwrap(), b.parse().unwrap()),
        Some(None) => {
            let n: usize = cell.n.as_deref().unwrap().parse().unwrap();
            (n, n)
        }
        None => panic!("{what}: no n in {cell:?}"),
    };
    if (base.n, cur.n) != n {
        failures.push(format!("{what}: n {}+{}, benchstat {n:?}", base.n, cur.n));
    }
    assertions += 1;
    // p: the raw p-value, or, where benchgate found too few samples to test, the same test.
    let p = match (v.p_value, cell.p.as_deref()) {
        (Some(p), _) => Some(p),
        (None, Some(_)) if v.kind == VerdictKind::InsufficientData => {
            let (a, b) = (
                samples(base_run, &row.label, measure).unwrap(),
                samples(cur_run, &row.label, measure).unwrap(),
            );
            mann_whitney_u(a, b).map(|mw| mw.p_value)
        }
        (None, _) => None,
    };
    match (p, cell.p.as_deref()) {
        (Some(ours), Some(printed)) => {
            let theirs: f64 = printed.parse().unwrap();
            if (ours - theirs).abs() > 0.0005 * (1.0 + 1e-9) {
                failures.push(format!("{what}: p {ours:.6}, benchstat {printed}"));
            }
            assertions += 1;
        }
        // benchstat prints no p for a P of 0 (an exact measure); benchgate does not test those.
        (None, None) => assertions += 1,
        (ours, theirs) => failures.push(format!("{what}: p {ours:?}, benchstat {theirs:?}")),
    }
    // benchstat's warning that an exact measure varies: a comparison warning naming the
    // benchmark and the range.
    for note in row.cells.iter().flatten().flat_map(|c| &c.notes) {
        if let Some((lo, hi)) = table.footnotes[note]
            .split_once("values range from ")
            .and_then(|(_, range)| range.split_once(" to "))
        {
            let warned = comparison
                .warnings
                .iter()
                .any(|w| w.contains(&row.label) && w.contains(lo) && w.contains(hi));
            if !warned {
                failures.push(format!(
                    "{what}: benchstat warns that the exact values range from {lo} to {hi}, \
                     benchgate does not: {:?}",
                    comparison.warnings
                ));
            }
            assertions += 1;
        }
    }
    // benchstat's "need >= 4 samples to detect a difference" is benchgate's insufficient_data.
    let need_more = cell
        .notes
        .iter()
        .any(|n| table.footnotes[n].contains("to detect a difference"));
    // (benchgate also has nothing to compare when the baseline's median is 0: benchstat's `?`.)
    let too_few = v.kind == VerdictKind::InsufficientData && base.median != 0.0;
    if need_more != too_few {
        failures.push(format!(
            "{what}: benchstat warns of too few samples: {need_more}, benchgate's verdict {:?}",
            v.kind
        ));
    }
    assertions += 1;
    // The delta: `~` unless significant at α (benchstat: P ≤ α; P = 0 for exact measures).
    let significant = p.is_none_or(|p| p <= ALPHA);
    let expected = if !significant {
        "~".to_string()
    } else if base.median == cur.median {
        "0.00%".to_string()
    } else if base.median == 0.0 {
        "?".to_string()
    } else {
        match v.effect {
            Some(effect) => format!("{:+.2}%", (effect.ratio - 1.0) * 100.0),
            None => "no effect".to_string(),
        }
    };
    let printed = cell.delta.as_deref().unwrap_or_default();
    let agree = match (
        expected
            .strip_suffix('%')
            .and_then(|e| e.parse::<f64>().ok()),
        printed
            .strip_suffix('%')
            .and_then(|p| p.parse::<f64>().ok()),
    ) {
        // At the printed precision (two decimals), with the effect itself rather than its
        // rounding.
        (Some(_), Some(theirs)) if expected != "0.00%" && printed != "0.00%" => {
            let ours = (v.effect.map_or(f64::NAN, |e| e.ratio) - 1.0) * 100.0;
            (ours - theirs).abs() <= 0.005 * (1.0 + 1e-9)
        }
        _ => expected == printed,
    };
    if !agree {
        failures.push(format!("{what}: delta {expected}, benchstat {printed}"));
    }
    assertions + 1
}

/// The geomean of a comparison table: benchgate's geomean row of the measure.
fn check_geomean_row(
    table: &Table,
    row: &Row,
    comparison: &Comparison,
    measure: &Measure,
    factor: f64,
    what: &str,
    failures: &mut Vec<String>,
) -> usize {
    let Some(gm) = comparison.geomean.iter().find(|g| g.measure == *measure) else {
        failures.push(format!("{what}: benchgate has no geomean row"));
        return 0;
    };
    let mut assertions = 0;
    // `None`: not computable (a value ≤ 0), benchstat's blank.
    let nan = f64::NAN;
    for (side, ours) in [
        (0, gm.baseline.unwrap_or(nan)),
        (1, gm.current.unwrap_or(nan)),
    ] {
        let what = format!("{what} [{}]", table.columns[side]);
        match row.cells[side].as_ref().and_then(|c| c.center.as_deref()) {
            Some(center) => check_number(failures, &what, ours * factor, center, Layout::Text),
            // benchstat: "summaries must be >0 to compute geomean".
            None if !(ours.is_finite() && ours > 0.0) => {}
            None => failures.push(format!("{what}: benchgate {ours}, benchstat none")),
        }
        assertions += 1;
    }
    let printed = row.cells[1]
        .as_ref()
        .and_then(|c| c.delta.as_deref())
        .unwrap_or_default();
    match printed
        .strip_suffix('%')
        .and_then(|p| p.parse::<f64>().ok())
    {
        Some(theirs) => {
            let ours = (gm.ratio.unwrap_or(nan) - 1.0) * 100.0;
            if (ours - theirs).abs() > 0.005 * (1.0 + 1e-9) {
                failures.push(format!(
                    "{what}: geomean delta {ours:+.4}%, benchstat {printed}"
                ));
            }
        }
        // "?": the ratio cannot be computed (a baseline of 0).
        None if printed == "?" && gm.ratio.is_none() => {}
        None => failures.push(format!(
            "{what}: geomean delta {:?}, benchstat {printed}",
            gm.ratio
        )),
    }
    // The warning benchstat gives when the sets differ.
    let warned = row
        .cells
        .iter()
        .flatten()
        .flat_map(|c| &c.notes)
        .any(|n| table.footnotes[n].contains("benchmark set differs"));
    if warned && !comparison.warnings.iter().any(|w| w.contains("geomean")) {
        failures.push(format!(
            "{what}: benchstat warns that the benchmark sets differ, benchgate does not: {:?}",
            comparison.warnings
        ));
    }
    assertions + 2
}

/// Every golden, every row; the rows of each part counted.
fn check_all() -> Report {
    let options = CompareOptions {
        // The bootstrap interval of the effect is not compared; keep it cheap.
        resamples: 200,
        ..CompareOptions::default()
    };
    let mut report = Report::default();
    for golden in GOLDENS {
        let text = fixture(golden.name);
        let tables = match golden.layout {
            Layout::Text => parse_text_golden(golden.name, &text),
            Layout::Csv => parse_csv_golden(golden.name, &text),
        };
        assert!(!tables.is_empty(), "{}: no table", golden.name);
        let runs = runs_of(golden.inputs);
        for table in &tables {
            for column in &table.columns {
                assert!(
                    runs.contains_key(column),
                    "{}: no run {column}",
                    golden.name
                );
            }
            match table.columns.len() {
                1 => {
                    let run = &runs[&table.columns[0]];
                    let mut failures = Vec::new();
                    let assertions = check_summary_table(table, run, &mut failures);
                    let part = Part::Main;
                    *report.parsed.entry(part).or_default() += table.rows.len();
                    *report.checked.entry(part).or_default() += table.rows.len();
                    *report.assertions.entry(part).or_default() += assertions;
                    report.failures.entry(part).or_default().extend(failures);
                }
                2 => {
                    let (base, cur) = (&table.columns[0], &table.columns[1]);
                    let comparison = compare_runs(&runs[base], base, &runs[cur], cur, &options);
                    check_comparison_table(table, golden.layout, &runs, &comparison, &mut report);
                }
                n => panic!("{}: {n} columns", golden.name),
            }
        }
    }
    report
}

fn assert_part(part: Part, expected_rows: usize) {
    let report = check_all();
    let parsed = report.parsed.get(&part).copied().unwrap_or(0);
    let checked = report.checked.get(&part).copied().unwrap_or(0);
    let assertions = report.assertions.get(&part).copied().unwrap_or(0);
    eprintln!("{part:?}: {checked} of {parsed} golden rows checked, {assertions} assertions");
    let failures = report.failures.get(&part).cloned().unwrap_or_default();
    assert!(
        failures.is_empty(),
        "{} disagreements with benchstat:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(parsed > 0, "no golden rows for {part:?}");
    assert_eq!(checked, parsed, "{part:?}: rows checked vs rows parsed");
    // The goldens hold exactly this many rows of the part: a parser that silently drops rows
    // would otherwise still pass.
    assert_eq!(parsed, expected_rows, "{part:?}: golden rows parsed");
    assert!(
        assertions >= 2 * parsed,
        "{part:?}: {assertions} assertions"
    );
}

#[test]
fn benchgate_agrees_with_benchstat_golden_output() {
    // crcOldNew 2×2 tables of 36 rows + geomean (148), crcIgnore 2 × 37 (74), csvOldNew 3,
    // smallSample 1, issue19565 3 (its geomean is part (a)), issue19634 1.
    assert_part(Part::Main, 148 + 74 + 3 + 1 + 3 + 1);
}

/// (a) benchstat's geomean row when the columns hold different benchmarks (issue19565: A and B
/// before, A and C after): each column's geomean over its own benchmarks (1.000µ and 1.000µ), the
/// delta as the geomean of the ratios of the benchmarks in both (+0.00%), and a warning
/// ("benchmark set differs from baseline; geomeans may not be comparable"). benchgate drops the
/// row: [`Comparison::geomean`] must hold a `wall_time` row with `baseline` = geomean of every
/// baseline benchmark's median, `current` = the same over the current run, `ratio` = geomean of
/// the per-benchmark ratios over the benchmarks in both, and [`Comparison::warnings`] a warning
/// that mentions the geomean.
#[test]
fn geomean_over_differing_benchmark_sets() {
    assert_part(Part::GeomeanOfDifferingSets, 1);
}

/// (b) Units declared `Unit x assume=exact` (units.stdout, zero.stdout): benchstat's
/// `AssumeExact` summarises with the mode and the range [min, max] at confidence 1, and compares
/// without a test (P = 0: the delta is always shown, no p is printed). What benchgate must output
/// for an exact metric, as asserted here:
/// - each side's summary in the verdict (`Verdict::baseline`/`current`) with the median's
///   interval `Some([min, max])`, confidence 1, for any n ≥ 1 (`± 0%` for one sample, `± 1%` for
///   100, 101, 101 around 101); the center is benchstat's mode, which is the median on these data;
/// - no p-value, the delta always shown (already so);
/// - when an exact measure's values vary, a [`Comparison::warnings`] entry naming the benchmark
///   and the range (benchstat: "exact distribution expected, but values range from 100 to 101");
/// - a geomean row per measure even where the medians include 0 (zero.stdout's `x`, `y`): a side
///   whose geomean benchstat leaves blank ("summaries must be >0 to compute geomean") must not be
///   a positive finite number (NaN), the ratio counts 0/0 as 1 (`+0.00%`), and a ratio with a
///   baseline of 0 is not finite (`?`).
#[test]
fn exact_units() {
    // units: Size, NonExact, geomean; zero: five tables of two rows and a geomean.
    assert_part(Part::ExactUnits, 3 + 5 * 3);
}

#[test]
fn golden_tables_parse_as_benchstat_prints_them() {
    let tables = parse_text_golden("issue19565.stdout", &fixture("issue19565.stdout"));
    assert_eq!(tables.len(), 1);
    let t = &tables[0];
    assert_eq!(
        (t.unit.as_str(), &t.columns[..]),
        ("sec/op", &["before".to_string(), "after".to_string()][..])
    );
    let labels: Vec<&str> = t.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["A", "B", "C", "geomean"]);
    let a = t.rows[0].cells[1].as_ref().unwrap();
    assert_eq!(
        (a.center.as_deref(), a.range.as_deref(), a.delta.as_deref()),
        (Some("100.0n"), Some("0%"), Some("~"))
    );
    assert_eq!(
        (a.p.as_deref(), a.n.as_deref(), &a.notes[..]),
        (Some("1.000"), Some("6"), &[1][..])
    );
    // B only before, C only after.
    assert!(t.rows[1].cells[0].is_some() && t.rows[1].cells[1].is_none());
    assert!(t.rows[2].cells[0].is_none() && t.rows[2].cells[1].is_some());
    assert_eq!(
        t.footnotes[&2],
        "benchmark set differs from baseline; geomeans may not be comparable"
    );
    let csv = parse_csv_golden("csvOldNew.stdout", &fixture("csvOldNew.stdout"));
    let json = csv[0].rows[0].cells[1].as_ref().unwrap();
    assert_eq!(
        (json.delta.as_deref(), json.p.as_deref(), json.n.as_deref()),
        (Some("-17.20%"), Some("0.000"), Some("10"))
    );
    // -col note: the Unit lines go to both columns.
    let parts = split_by_note(&fixture("units.txt"));
    assert_eq!(parts.len(), 2);
    assert!(
        parts
            .iter()
            .all(|(_, text)| text.contains("Unit text-bytes assume=exact"))
    );
}
