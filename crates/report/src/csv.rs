//! CSV for spreadsheets and scripts, like benchstat's `-format csv`: one table per output, one
//! header row, RFC 4180 fields, values in canonical units (nanoseconds, bytes) as plain numbers.
//!
//! - Quoting (RFC 4180): a field holding a comma, a double quote, CR or LF is enclosed in double
//!   quotes, its quotes doubled. Records end in LF (as benchstat's and Go's `encoding/csv`; every
//!   CSV reader takes it), so the output works with `cut`, `grep` and `diff`.
//! - Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in
//!   some, a tab or CR) as a formula. Text that comes from outside (benchmark names, measure and
//!   unit names, parameters, labels, commits, messages, reasons) and starts with one of those gets
//!   a leading `'`, which spreadsheets show as text and do not display. Numbers benchgate writes
//!   itself (`-17.2`, `1.5e-7`) are never altered, so a script reads them as they are.
//! - Order: rows follow the run's benchmarks and each benchmark's measures in their stored order
//!   (load levels stay in concurrency order); the comparison's verdicts in the judge's order;
//!   parameter and label columns sorted by key.
//!
//! A run printed with ad-hoc comparisons (`benchgate run -- A -- B`) is the comparison table: a
//! CSV output is one table, and the verdicts hold both sides' centers. A history series has its
//! own writers, [`series_csv`] and [`series_jsonl`], shared by `benchgate export --series` and the
//! server.

use std::collections::BTreeSet;

use benchgate_model::{Comparison, Measure, Run, Status, Unit, Verdict};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::Format;

#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field of text that came from outside: guarded against formula injection, then quoted.
pub fn text_field(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        quoted(&format!("'{value}"))
    } else {
        quoted(value)
    }
}

/// A field benchgate wrote itself (a number, a fixed word): quoted if it must be, never guarded.
fn own_field(value: &str) -> String {
    quoted(value)
}

/// RFC 4180: enclosed in double quotes, quotes doubled, when the field holds a comma, a quote, CR
/// or LF.
fn quoted(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A value as the shortest text that reads back as the same `f64`; empty when there is none or it
/// is not finite.
fn number(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v}"))
}

/// A percentage from a ratio, to six decimals with trailing zeros dropped (`20`, `-17.194412`):
/// the ratio's rounding noise (`20.000000000000018`) is not information.
fn percent_of_ratio(ratio: Option<f64>) -> String {
    let Some(p) = ratio.map(|r| (r - 1.0) * 100.0).filter(|p| p.is_finite()) else {
        return String::new();
    };
    let text = format!("{p:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// One CSV record: the fields joined by commas, ended by LF.
fn record(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(","));
    out.push('\n');
}

fn header(out: &mut String, names: &[&str]) {
    record(out, &names.iter().map(|n| own_field(n)).collect::<Vec<_>>());
}

const COMPARISON_COLUMNS: [&str; 16] = [
    "benchmark",
    "measure",
    "unit",
    "baseline",
    "current",
    "baseline_n",
    "current_n",
    "change_percent",
    "ci_low_percent",
    "ci_high_percent",
    "p_value",
    "q_value",
    "verdict",
    "severity",
    "gating",
    "reason",
];

fn verdict_rows(out: &mut String, verdicts: &[Verdict]) {
    header(out, &COMPARISON_COLUMNS);
    verdict_records(out, &[], verdicts);
}

/// The header of a projection's one table: where each verdict comes from (the table's keys, the
/// base column and the column), then the comparison's columns.
pub(crate) fn projected_header(out: &mut String) {
    let mut names = vec!["table", "baseline_column", "column"];
    names.extend(COMPARISON_COLUMNS);
    header(out, &names);
}

/// A projected comparison's verdicts, each after the table, base column and column.
pub(crate) fn projected_rows(out: &mut String, place: [&str; 3], verdicts: &[Verdict]) {
    let prefix: Vec<String> = place.iter().map(|p| text_field(p)).collect();
    verdict_records(out, &prefix, verdicts);
}

fn verdict_records(out: &mut String, prefix: &[String], verdicts: &[Verdict]) {
    for v in verdicts {
        let ci = v.effect.and_then(|e| e.ci);
        record(
            out,
            &[
                prefix,
                &[
                    text_field(&v.benchmark),
                    text_field(v.measure.as_str()),
                    text_field(v.unit.as_str()),
                    number(v.baseline.as_ref().map(|s| s.median)),
                    number(v.current.as_ref().map(|s| s.median)),
                    v.baseline
                        .as_ref()
                        .map_or_else(String::new, |s| s.n.to_string()),
                    v.current
                        .as_ref()
                        .map_or_else(String::new, |s| s.n.to_string()),
                    percent_of_ratio(v.effect.map(|e| e.ratio)),
                    percent_of_ratio(ci.map(|ci| ci.lo)),
                    percent_of_ratio(ci.map(|ci| ci.hi)),
                    number(v.p_value),
                    number(v.q_value),
                    own_field(v.kind.as_str()),
                    own_field(match v.severity {
                        Some(benchgate_model::Severity::Warn) => "warn",
                        Some(benchgate_model::Severity::Fail) => "fail",
                        None => "",
                    }),
                    own_field(if v.gating { "true" } else { "false" }),
                    text_field(&v.reason),
                ],
            ]
            .concat(),
        );
    }
}

impl Format for Csv {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::csv(self, report))
    }

    /// One row per (benchmark, measure): `benchmark, measure, unit, median, ci_low, ci_high,
    /// confidence, n, mean, stddev, min, max, status, message, mode`, then one `param.KEY` and one
    /// `label.KEY` column per key any benchmark of the run has. A benchmark without measures
    /// (failed, skipped) has one row with its status and an empty measure.
    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String {
        let mut out = String::new();
        if !comparisons.is_empty() {
            verdict_rows(&mut out, comparisons);
            return out;
        }
        let params: BTreeSet<&str> = run
            .benchmarks
            .iter()
            .flat_map(|b| b.params.keys().map(String::as_str))
            .collect();
        let labels: BTreeSet<&str> = run
            .benchmarks
            .iter()
            .flat_map(|b| b.labels.keys().map(String::as_str))
            .collect();
        let mut names: Vec<String> = [
            "benchmark",
            "measure",
            "unit",
            "median",
            "ci_low",
            "ci_high",
            "confidence",
            "n",
            "mean",
            "stddev",
            "min",
            "max",
            "status",
            "message",
            "mode",
        ]
        .iter()
        .map(|n| own_field(n))
        .collect();
        names.extend(params.iter().map(|k| text_field(&format!("param.{k}"))));
        names.extend(labels.iter().map(|k| text_field(&format!("label.{k}"))));
        record(&mut out, &names);
        for bench in &run.benchmarks {
            let (status, message) = match &bench.status {
                Status::Ok => ("ok", ""),
                Status::Failed { message } => ("failed", message.as_str()),
                Status::Skipped { reason } => ("skipped", reason.as_str()),
            };
            let mode = bench.mode.unwrap_or(run.provenance.mode).as_str();
            let tail = |fields: &mut Vec<String>| {
                fields.push(own_field(status));
                fields.push(text_field(message));
                fields.push(own_field(mode));
                fields.extend(
                    params
                        .iter()
                        .map(|k| text_field(bench.params.get(*k).map_or("", String::as_str))),
                );
                fields.extend(
                    labels
                        .iter()
                        .map(|k| text_field(bench.labels.get(*k).map_or("", String::as_str))),
                );
            };
            if bench.metrics.is_empty() {
                let mut fields = vec![text_field(&bench.name)];
                fields.extend(std::iter::repeat_n(String::new(), 11));
                tail(&mut fields);
                record(&mut out, &fields);
            }
            for metric in &bench.metrics {
                let s = &metric.summary;
                let mut fields = vec![
                    text_field(&bench.name),
                    text_field(metric.measure.as_str()),
                    text_field(metric.unit.as_str()),
                    number(Some(s.median)),
                    number(s.median_ci.map(|ci| ci.lo)),
                    number(s.median_ci.map(|ci| ci.hi)),
                    number(s.median_ci.map(|ci| ci.confidence)),
                    s.n.to_string(),
                    number(Some(s.mean)),
                    number(Some(s.stddev)),
                    number(Some(s.min)),
                    number(Some(s.max)),
                ];
                tail(&mut fields);
                record(&mut out, &fields);
            }
        }
        out
    }

    /// Every verdict of the comparison, one row each (see the module's columns); centers are
    /// medians in the measure's canonical unit, changes and their interval in percent.
    fn comparison(&self, comparison: &Comparison) -> String {
        let mut out = String::new();
        verdict_rows(&mut out, &comparison.verdicts);
        out
    }
}

/// One point of a benchmark's stored history: the run it comes from and its median.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow<'a> {
    pub run_id: Uuid,
    pub started_at: OffsetDateTime,
    pub commit: Option<&'a str>,
    /// The environment fingerprint of the machine that measured it.
    pub fingerprint: &'a str,
    /// The median of the run's samples, in `unit`.
    pub value: f64,
}

const SERIES_COLUMNS: [&str; 8] = [
    "benchmark",
    "measure",
    "run_id",
    "started_at",
    "commit",
    "fingerprint",
    "value",
    "unit",
];

fn rfc3339(at: OffsetDateTime) -> String {
    // An OffsetDateTime from the store always has a four-digit year, which RFC 3339 can hold.
    at.format(&Rfc3339).unwrap_or_default()
}

/// A history series as CSV: a header row `benchmark,measure,run_id,started_at,commit,fingerprint,
/// value,unit`, then one row per point in the order given (the store's: oldest first). Times are
/// RFC 3339 in UTC as stored.
pub fn series_csv(benchmark: &str, measure: &Measure, unit: &Unit, points: &[SeriesRow]) -> String {
    let mut out = String::new();
    header(&mut out, &SERIES_COLUMNS);
    for p in points {
        record(
            &mut out,
            &[
                text_field(benchmark),
                text_field(measure.as_str()),
                own_field(&p.run_id.to_string()),
                own_field(&rfc3339(p.started_at)),
                text_field(p.commit.unwrap_or("")),
                text_field(p.fingerprint),
                number(Some(p.value)),
                text_field(unit.as_str()),
            ],
        );
    }
    out
}

/// A history series as JSON Lines: one object per point, with the keys of [`series_csv`]'s
/// columns (`commit` null when unknown, `value` a number, null if not finite), each on one line
/// ended by LF. No formula guard: JSON is read by programs, which get the text as it is.
pub fn series_jsonl(
    benchmark: &str,
    measure: &Measure,
    unit: &Unit,
    points: &[SeriesRow],
) -> String {
    let mut out = String::new();
    for p in points {
        let line = serde_json::json!({
            "benchmark": benchmark,
            "measure": measure.as_str(),
            "run_id": p.run_id.to_string(),
            "started_at": rfc3339(p.started_at),
            "commit": p.commit,
            "fingerprint": p.fingerprint,
            "value": p.value.is_finite().then_some(p.value),
            "unit": unit.as_str(),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}
