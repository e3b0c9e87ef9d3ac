//! A projected comparison (`compare`/`report` with `--filter`, `--row`, `--col`, `--table`,
//! `--ignore`): tables split by their keys, each later column judged against the table's first
//! like two runs. Each format renders the tables with its own comparison renderer, framed by the
//! table keys, the filter's count and the one outcome of them all.

use benchgate_model::{Comparison, Outcome, Run};
use serde_json::{Map, Value, json};

use crate::escape::markdown::{code, text as cell};
use crate::escape::terminal::line;
use crate::{Csv, Format, Json, Markdown, Terminal};

/// The schema of the JSON rendering.
pub const PROJECTION_SCHEMA: &str = "benchgate/projection/v1";

/// What a projection computed, judged.
#[derive(Debug, Clone)]
pub struct ProjectedReport<'a> {
    /// The `--filter` as written, when there was one.
    pub filter: Option<&'a str>,
    /// How many benchmarks the inputs hold in all, and how many of them the filter removed.
    pub considered: usize,
    pub filtered_out: usize,
    /// Pooled cells, values left out, tables with nothing to compare.
    pub warnings: &'a [String],
    pub tables: &'a [ProjectedTable],
    /// The worst outcome of the tables' comparisons: what the exit code comes from.
    pub outcome: Outcome,
}

/// One table of a projection.
#[derive(Debug, Clone)]
pub struct ProjectedTable {
    /// The table keys and their values (`goos` = `linux`).
    pub key: Vec<(String, String)>,
    /// Column labels; the first is the base of each comparison.
    pub columns: Vec<String>,
    /// Each later column judged against the first (labelled by the columns).
    pub comparisons: Vec<Comparison>,
    /// A table with one column only: its benchmarks, shown but compared with nothing.
    pub alone: Option<Run>,
}

fn table_title(key: &[(String, String)]) -> String {
    key.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn filter_line(report: &ProjectedReport<'_>) -> Option<String> {
    report.filter.map(|filter| {
        format!(
            "filter {filter}: {} of {} benchmark(s) filtered out",
            report.filtered_out, report.considered
        )
    })
}

fn alone_line(table: &ProjectedTable, run: &Run) -> String {
    format!(
        "only column {} in this table: {} benchmark(s) compared with nothing (--ignore the keys that differ to compare across them)",
        table.columns.first().map_or("", String::as_str),
        run.benchmarks.len()
    )
}

pub(crate) fn terminal(format: &Terminal, report: &ProjectedReport<'_>) -> String {
    let mut out = String::new();
    if let Some(filter) = filter_line(report) {
        out.push_str(&format!("{}\n", line(&filter)));
    }
    for warning in report.warnings {
        out.push_str(&format!("warning: {}\n", line(warning)));
    }
    for table in report.tables {
        out.push('\n');
        let title = table_title(&table.key);
        if !title.is_empty() {
            for l in title.lines() {
                out.push_str(&format!("{}\n", line(l)));
            }
        }
        if let Some(run) = &table.alone {
            out.push_str(&format!("{}\n", line(&alone_line(table, run))));
            out.push_str(&format.run(run, &[]));
        }
        for comparison in &table.comparisons {
            out.push_str(&format.comparison(comparison));
        }
    }
    out.push_str(&format!(
        "\nprojection: {} table(s), {} comparison(s): {}\n",
        report.tables.len(),
        comparisons(report),
        report.outcome
    ));
    out
}

fn comparisons(report: &ProjectedReport<'_>) -> usize {
    report.tables.iter().map(|t| t.comparisons.len()).sum()
}

pub(crate) fn markdown(format: &Markdown, report: &ProjectedReport<'_>) -> String {
    let icon = match report.outcome {
        Outcome::Passed => "✅",
        Outcome::Warned => "⚠️",
        Outcome::Inconclusive => "❔",
        Outcome::Failed | Outcome::CommandFailed => "❌",
    };
    let mut out = format!(
        "## {icon} benchgate projection: {} ({} table(s), {} comparison(s))\n\n",
        report.outcome,
        report.tables.len(),
        comparisons(report)
    );
    if let Some(filter) = filter_line(report) {
        out.push_str(&format!("{}\n\n", cell(&filter)));
    }
    for warning in report.warnings {
        out.push_str(&format!("> **Warning**: {}\n\n", cell(warning)));
    }
    for table in report.tables {
        let title = table
            .key
            .iter()
            .map(|(k, v)| code(&format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!(
            "#### Table {}\n\n",
            if title.is_empty() {
                "(all)".into()
            } else {
                title
            }
        ));
        if let Some(run) = &table.alone {
            out.push_str(&format!("{}\n\n", cell(&alone_line(table, run))));
        }
        for comparison in &table.comparisons {
            out.push_str(&format.comparison(comparison));
            out.push('\n');
        }
    }
    out
}

pub(crate) fn json(_format: &Json, report: &ProjectedReport<'_>) -> String {
    let tables: Vec<Value> = report
        .tables
        .iter()
        .map(|table| {
            let key: Map<String, Value> = table
                .key
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let comparisons: Vec<Value> = table
                .comparisons
                .iter()
                .map(|c| {
                    json!({
                        "baseline_column": c.baseline.as_ref().map(|b| b.label.clone()),
                        "column": c.current.label,
                        "comparison": serde_json::to_value(c).unwrap_or(Value::Null),
                    })
                })
                .collect();
            let mut value = json!({
                "key": key,
                "columns": table.columns,
                "comparisons": comparisons,
            });
            if let Some(run) = &table.alone {
                value["alone"] = json!(
                    run.benchmarks
                        .iter()
                        .map(|b| b.name.clone())
                        .collect::<Vec<_>>()
                );
            }
            value
        })
        .collect();
    let value = json!({
        "schema": PROJECTION_SCHEMA,
        "outcome": report.outcome,
        "filter": report.filter,
        "considered": report.considered,
        "filtered_out": report.filtered_out,
        "warnings": report.warnings,
        "tables": tables,
    });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

pub(crate) fn csv(_format: &Csv, report: &ProjectedReport<'_>) -> String {
    let mut out = String::new();
    crate::csv::projected_header(&mut out);
    for table in report.tables {
        let key = table
            .key
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        for c in &table.comparisons {
            let base = c.baseline.as_ref().map_or("", |b| b.label.as_str());
            crate::csv::projected_rows(&mut out, [&key, base, &c.current.label], &c.verdicts);
        }
    }
    out
}

/// The tables as one HTML page: each table's keys as a heading, each of its comparisons as
/// `report --format html` draws one (verdicts, change bars, budgets, checks), without the
/// samples (a projection pools cells of several runs).
pub(crate) fn html(report: &ProjectedReport<'_>) -> String {
    use crate::escape::html::text as esc;
    use crate::html::{comparison_section, page};
    let mut body = format!(
        "<h1>benchgate projection: {} ({} table(s), {} comparison(s))</h1>\n",
        esc(report.outcome.as_str()),
        report.tables.len(),
        comparisons(report)
    );
    if let Some(filter) = filter_line(report) {
        body.push_str(&format!("<p>{}</p>\n", esc(&filter)));
    }
    for warning in report.warnings {
        body.push_str(&format!(
            "<p class=\"note\">warning: {}</p>\n",
            esc(warning)
        ));
    }
    for table in report.tables {
        let title = table_title(&table.key).replace('\n', " · ");
        body.push_str(&format!(
            "<h2>Table {}</h2>\n",
            if title.is_empty() {
                "(all)".to_string()
            } else {
                esc(&title)
            }
        ));
        if let Some(run) = &table.alone {
            body.push_str(&format!(
                "<p class=\"note\">{}</p>\n",
                esc(&alone_line(table, run))
            ));
        }
        for comparison in &table.comparisons {
            body.push_str(&comparison_section(comparison));
        }
    }
    page("benchgate projection", &body)
}

/// The tables as JUnit: one test suite per comparison (its table and columns in the name), a
/// case per verdict, failing as the gate fails.
pub(crate) fn junit(report: &ProjectedReport<'_>) -> String {
    let suites = report.tables.iter().flat_map(|table| {
        let title = table_title(&table.key).replace('\n', ", ");
        table.comparisons.iter().map(move |c| {
            let columns = format!(
                "{} vs {}",
                c.current.label,
                c.baseline.as_ref().map_or("nothing", |b| b.label.as_str())
            );
            let name = if title.is_empty() {
                columns
            } else {
                format!("{title}: {columns}")
            };
            (name, c)
        })
    });
    crate::junit::suites(suites)
}
