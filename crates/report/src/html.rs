//! One self-contained HTML page (SPEC §8: no network, no script): a header with the mode,
//! provenance and environment; the run's table, its notes (a load level that did not reach its
//! concurrency, errors by kind), each measure's sample distributions and each time series
//! (`Benchmark.series`, the RSS of a process tree over time); a comparison's headline, verdicts,
//! change bars with intervals and budgets against their limits; and, when the caller gives them,
//! histories with their shifts of level. Charts are inline SVG ([`charts`]). Every text from
//! outside is escaped by [`crate::escape::html`].

pub mod charts;

use benchgate_model::{Benchmark, Comparison, Measure, Mode, Run, RunRef, Series, Status, Verdict};
use time::format_description::well_known::Rfc3339;

use crate::Format;
use crate::describe::{
    any_timed, benchmark_notes, by_measure, change, column_title, compared, extra_measures,
    headline, label, mean_sd, median_of, range, run_header, sides, wall_center,
};
use crate::escape::html::text as esc;
use crate::units::format_value;
use benchgate_model::display::trim;
use charts::{DistributionRow, History};

/// The HTML format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// What one HTML page shows: a run, or a comparison (with the runs behind it when the caller has
/// them, for their samples), and any histories.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlReport<'a> {
    /// The run (a comparison's current run): header, table, notes, distributions, series.
    pub run: Option<&'a Run>,
    /// A comparison's baseline run, whose samples are drawn beside the current ones.
    pub baseline: Option<&'a Run>,
    pub comparison: Option<&'a Comparison>,
    pub history: &'a [History],
    /// The run's profiles when there is no comparison to carry them (`Comparison::profiles`).
    pub profiles: &'a [benchgate_model::ProfileLink],
}

/// The chart's size in CSS pixels and the margin kept around the line.
const CHART_WIDTH: f64 = 320.0;
const CHART_HEIGHT: f64 = 80.0;
const CHART_MARGIN: f64 = 4.0;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#a15c00}\
.failed{color:#b00020}.simulated{background:#fff3cd;padding:.3em}\
figure{display:inline-block;margin:.3em 1em .3em 0}figcaption{font-size:.85em;color:#555}\
svg.series{background:#fafafa;border:1px solid #ddd}\
dl.provenance{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;font-size:.9em}\
dl.provenance dt{color:#555}dl.provenance dd{margin:0}\
.mode{font-size:.8em;padding:0 .4em;border-radius:.3em;background:#e8f0e8}\
.mode.simulated{background:#fff3cd}svg{display:block;margin:.3em 0 1em}\
.caption{font-size:.85em;color:#555}";

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

const SIMULATED_BANNER: &str = "<p class=\"simulated\">SIMULATED: these numbers come from a \
    stand-in, not the real system</p>\n";

impl Format for Html {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::html(report))
    }

    fn run(&self, run: &Run, _comparisons: &[Verdict]) -> String {
        self.render(&HtmlReport {
            run: Some(run),
            ..HtmlReport::default()
        })
    }

    fn comparison(&self, c: &Comparison) -> String {
        self.render(&HtmlReport {
            comparison: Some(c),
            ..HtmlReport::default()
        })
    }
}

impl Html {
    /// The whole page of `report`.
    pub fn render(&self, report: &HtmlReport<'_>) -> String {
        let mut body = String::new();
        match report.comparison {
            Some(c) => body.push_str(&format!("<h1>{}</h1>\n", esc(&headline(c)))),
            None => body.push_str("<h1>benchgate run</h1>\n"),
        }
        if let Some(run) = report.run {
            body.push_str(&format!("<p>{}</p>\n", esc(&run_header(run))));
        }
        let simulated = report.run.is_some_and(|run| {
            run.provenance.mode == Mode::Simulated
                || run
                    .benchmarks
                    .iter()
                    .any(|b| b.mode_or(run.provenance.mode) == Mode::Simulated)
        }) || report.comparison.is_some_and(|c| {
            c.current.mode == Mode::Simulated
                || c.baseline
                    .as_ref()
                    .is_some_and(|b| b.mode == Mode::Simulated)
        });
        if simulated {
            body.push_str(SIMULATED_BANNER);
        }
        body.push_str(&provenance(report));
        if let Some(c) = report.comparison {
            body.push_str(&comparison_body(c));
        }
        if let Some(run) = report.run {
            if report.comparison.is_none() {
                body.push_str(&run_table(run));
                if !report.profiles.is_empty() {
                    body.push_str(&profile_list(report.profiles));
                }
            }
            body.push_str(&notes(run));
            body.push_str(&distributions(run, report.baseline));
            for bench in run.benchmarks.iter().filter(|b| !b.series.is_empty()) {
                body.push_str(&format!("<h2>{} over time</h2>\n<div>\n", esc(&bench.name)));
                for series in &bench.series {
                    body.push_str(&series_figure(series));
                }
                body.push_str("</div>\n");
            }
        }
        if !report.history.is_empty() {
            body.push_str("<h2>History</h2>\n");
            for h in report.history {
                body.push_str(&format!(
                    "<h3><code>{}</code> · {}</h3>\n{}\n<p class=\"caption\">{}</p>\n",
                    esc(&h.benchmark),
                    esc(h.measure.as_str()),
                    charts::history(h),
                    charts::history_caption(h)
                ));
            }
        }
        let title = if report.comparison.is_some() {
            "benchgate comparison"
        } else {
            "benchgate run"
        };
        page(title, &body)
    }
}

/// The header's facts: where the run (or each run of a comparison) came from and the machine it
/// ran on.
fn provenance(report: &HtmlReport<'_>) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(c) = report.comparison {
        if let Some(base) = &c.baseline {
            rows.push(("baseline".into(), run_ref(base)));
        }
        rows.push(("current".into(), run_ref(&c.current)));
    }
    if let Some(run) = report.run {
        let p = &run.provenance;
        rows.push(("mode".into(), p.mode.as_str().into()));
        if let Some(commit) = &p.commit {
            let dirty = if p.dirty == Some(true) {
                " (dirty)"
            } else {
                ""
            };
            rows.push(("commit".into(), format!("{commit}{dirty}")));
        }
        if let Some(branch) = &p.branch {
            rows.push(("branch".into(), branch.clone()));
        }
        if let Some(base) = &p.merge_base {
            rows.push(("merge base".into(), base.clone()));
        }
        rows.push(("started".into(), timestamp(run.started_at)));
        rows.push(("ended".into(), timestamp(run.ended_at)));
        for (key, value) in &p.tags {
            rows.push((format!("tag {key}"), value.clone()));
        }
        let e = &run.environment;
        let machine = [
            e.hostname.as_str(),
            e.os.as_str(),
            e.kernel.as_str(),
            e.arch.as_str(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
        if !machine.is_empty() {
            rows.push(("machine".into(), machine));
        }
        if !e.cpu_model.is_empty() || e.logical_cores > 0 {
            rows.push((
                "cpu".into(),
                format!("{} ({} logical cores)", e.cpu_model, e.logical_cores),
            ));
        }
        if e.memory_bytes > 0 {
            rows.push((
                "memory".into(),
                format_value(e.memory_bytes as f64, &benchgate_model::Unit::Bytes),
            ));
        }
        if !e.fingerprint.is_empty() {
            rows.push(("fingerprint".into(), e.fingerprint.clone()));
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from("<dl class=\"provenance\">\n");
    for (key, value) in rows {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(&key), esc(&value)));
    }
    out.push_str("</dl>\n");
    out
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// `head.json (real, commit 0123456789, 2026-11-24T10:00:00Z, machine 3f…)`.
fn run_ref(r: &RunRef) -> String {
    let mut out = format!("{} ({}", r.label, r.mode.as_str());
    if let Some(commit) = &r.commit {
        out.push_str(&format!(
            ", commit {}",
            benchgate_model::display::short_commit(commit)
        ));
    }
    out.push_str(&format!(", {}", timestamp(r.started_at)));
    if !r.fingerprint.is_empty() {
        out.push_str(&format!(", machine {}", r.fingerprint));
    }
    out.push(')');
    out
}

/// A comparison's failures, warnings, verdict table, change bars per measure and budgets.
fn comparison_body(c: &Comparison) -> String {
    let mut body = String::new();
    for failure in &c.command_failures {
        body.push_str(&format!(
            "<p class=\"failed\">failed: {}</p>\n",
            esc(failure)
        ));
    }
    for warning in &c.warnings {
        body.push_str(&format!(
            "<p class=\"note\">warning: {}</p>\n",
            esc(warning)
        ));
    }
    body.push_str(
        "<table>\n<tr><th>benchmark</th><th>measure</th><th>baseline</th><th>current</th>\
         <th>change</th><th>verdict</th></tr>\n",
    );
    let verdicts = compared(c);
    for v in &verdicts {
        let (base, cur) = sides(v);
        body.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&v.benchmark),
            esc(v.measure.as_str()),
            esc(&base),
            esc(&cur),
            esc(&change(v)),
            esc(label(v)),
        ));
    }
    body.push_str("</table>\n");
    let mut bars = String::new();
    for (measure, rows) in by_measure(&verdicts) {
        let chart = charts::changes(measure, &rows, &c.thresholds);
        if !chart.is_empty() {
            bars.push_str(&format!("<h3>{}</h3>\n{chart}\n", esc(measure.as_str())));
        }
    }
    if !bars.is_empty() {
        body.push_str("<h2>Changes</h2>\n");
        body.push_str(&bars);
    }
    if !c.budgets.is_empty() {
        body.push_str("<h2>Budgets</h2>\n");
        body.push_str(&charts::budgets(&c.budgets));
        body.push('\n');
    }
    let checks = crate::describe::check_rows(c);
    if !checks.is_empty() {
        body.push_str(
            "<h2>Checks</h2>\n<table>\n<tr><th>check</th><th>expression</th><th>value</th>\
             <th>bound</th><th>headroom</th><th>status</th></tr>\n",
        );
        for ([name, expr, value, bound, headroom, status], check) in
            checks.into_iter().zip(&c.checks)
        {
            body.push_str(&format!(
                "<tr title=\"{}\"><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                esc(&check.reason),
                esc(&name),
                esc(&expr),
                esc(&value),
                esc(&bound),
                esc(&headroom),
                esc(&status),
            ));
        }
        body.push_str("</table>\n");
    }
    if !c.profiles.is_empty() {
        body.push_str(&profile_list(&c.profiles));
    }
    body
}

/// The profiles, linked (paths as benchgate wrote them: relative to where it ran, so write the
/// report there or give `--profile-dir` absolute), or why there is none.
fn profile_list(links: &[benchgate_model::ProfileLink]) -> String {
    let mut out = format!("<h2>{}</h2>\n<ul>\n", esc(&crate::profiles::heading(links)));
    for link in links {
        let what = match crate::profiles::not_taken(link) {
            Some(reason) => format!("<span class=\"note\">{}</span>", esc(&reason)),
            None => link
                .files
                .iter()
                .map(|f| {
                    format!(
                        "<a href=\"{}\">{}</a>",
                        esc(&crate::profiles::href(f)),
                        esc(crate::profiles::file_name(f))
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
        };
        out.push_str(&format!(
            "<li><code>{}</code>: {what}</li>\n",
            esc(&link.label())
        ));
    }
    out.push_str("</ul>\n");
    out
}

/// The run's failed and skipped benchmarks and the notes on its benchmarks, as a list.
fn notes(run: &Run) -> String {
    let mut notes = String::new();
    for bench in &run.benchmarks {
        let name = esc(&bench.name);
        match &bench.status {
            Status::Failed { message } => notes.push_str(&format!(
                "<li class=\"failed\"><code>{name}</code>: FAILED: {}</li>\n",
                esc(message)
            )),
            Status::Skipped { reason } => notes.push_str(&format!(
                "<li><code>{name}</code>: skipped: {}</li>\n",
                esc(reason)
            )),
            Status::Ok => {}
        }
        for note in benchmark_notes(bench) {
            notes.push_str(&format!(
                "<li class=\"note\"><code>{name}</code>: {}</li>\n",
                esc(&note)
            ));
        }
    }
    if notes.is_empty() {
        notes
    } else {
        format!("<ul>\n{notes}</ul>\n")
    }
}

/// Each benchmark's distributions: a chart per measure the run table shows (wall time first)
/// that the benchmark has; with a baseline run that has the benchmark and measure (in the same
/// unit), its row comes before the current one, on one axis.
fn distributions(run: &Run, baseline: Option<&Run>) -> String {
    let (mut measures, _) = extra_measures(run);
    if any_timed(run) {
        measures.insert(0, Measure::WallTime);
    }
    let mut out = String::new();
    for bench in run.benchmarks.iter().filter(|b| !b.metrics.is_empty()) {
        let mut charts_of_bench = String::new();
        for measure in &measures {
            let Some(metric) = bench.metric(measure) else {
                continue;
            };
            let title = column_title(measure);
            let before = baseline.and_then(|b| {
                let base_bench = b.benchmark(&bench.name)?;
                let base_metric = base_bench
                    .metric(measure)
                    .filter(|m| m.unit == metric.unit)?;
                Some((base_bench.mode_or(b.provenance.mode), base_metric))
            });
            let mut rows = Vec::new();
            if let Some((mode, base_metric)) = before {
                rows.push(DistributionRow {
                    label: "baseline",
                    mode,
                    samples: &base_metric.samples,
                    summary: &base_metric.summary,
                });
            }
            rows.push(DistributionRow {
                label: if before.is_some() { "current" } else { &title },
                mode: bench.mode_or(run.provenance.mode),
                samples: &metric.samples,
                summary: &metric.summary,
            });
            charts_of_bench.push_str(&charts::distribution(&title, &metric.unit, &rows));
            charts_of_bench.push('\n');
        }
        if !charts_of_bench.is_empty() {
            out.push_str(&format!(
                "<h3><code>{}</code> {}</h3>\n",
                esc(&bench.name),
                mode_badge(bench, run.provenance.mode)
            ));
            if let Some(command) = &bench.command {
                out.push_str(&format!(
                    "<p class=\"caption\">command: <code>{}</code></p>\n",
                    esc(command)
                ));
            }
            out.push_str(&charts_of_bench);
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("<h2>Distributions</h2>\n{out}")
    }
}

fn mode_badge(bench: &Benchmark, run_mode: Mode) -> String {
    let mode = bench.mode_or(run_mode).as_str();
    format!("<span class=\"mode {mode}\">{mode}</span>")
}

/// The run's table: wall time columns when any benchmark was timed, then the measures the
/// terminal table shows besides it (a load level's throughput, latency percentiles, error rate).
fn run_table(run: &Run) -> String {
    let (extra, hidden) = extra_measures(run);
    let timed = any_timed(run);
    let mut out = String::from("<table>\n<tr><th>benchmark</th>");
    if timed {
        out.push_str("<th>wall time</th><th>mean ± σ</th><th>min … max</th>");
    }
    for measure in &extra {
        out.push_str(&format!("<th>{}</th>", esc(&column_title(measure))));
    }
    out.push_str("<th>samples</th><th>mode</th></tr>\n");
    for bench in run.benchmarks.iter().filter(|b| !b.metrics.is_empty()) {
        out.push_str(&format!("<tr><td><code>{}</code></td>", esc(&bench.name)));
        if timed {
            let cells = bench.metric(&Measure::WallTime).map_or_else(
                || ["-".to_string(), "-".to_string(), "-".to_string()],
                |wall| [wall_center(wall), mean_sd(wall), range(wall)],
            );
            for cell in cells {
                out.push_str(&format!("<td class=\"n\">{}</td>", esc(&cell)));
            }
        }
        for measure in &extra {
            out.push_str(&format!(
                "<td class=\"n\">{}</td>",
                esc(&median_of(bench, measure))
            ));
        }
        out.push_str(&format!(
            "<td class=\"n\">{}</td><td>{}</td></tr>\n",
            samples(bench),
            mode_badge(bench, run.provenance.mode)
        ));
    }
    out.push_str("</table>\n");
    if hidden > 0 {
        out.push_str(&format!(
            "<p>{hidden} more measures are in the JSON output.</p>\n"
        ));
    }
    out
}

fn samples(bench: &Benchmark) -> usize {
    bench
        .metric(&Measure::WallTime)
        .or(bench.metrics.first())
        .map_or(0, |m| m.summary.n)
}

/// One series as a figure: an SVG polyline scaled to the chart (time across, value up, the
/// lowest reading at the bottom), and a caption with its range and duration.
pub(crate) fn series_figure(series: &Series) -> String {
    let name = esc(&series.name);
    let points = &series.points;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return format!("<figure><figcaption>{name}: no readings</figcaption></figure>\n");
    };
    let (low, high) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.value), hi.max(p.value))
        });
    let span = last.t - first.t;
    let x = |t: f64| {
        let inner = CHART_WIDTH - 2.0 * CHART_MARGIN;
        if span > 0.0 {
            CHART_MARGIN + (t - first.t) / span * inner
        } else {
            CHART_WIDTH / 2.0
        }
    };
    let y = |v: f64| {
        let inner = CHART_HEIGHT - 2.0 * CHART_MARGIN;
        if high > low {
            CHART_MARGIN + (high - v) / (high - low) * inner
        } else {
            CHART_HEIGHT / 2.0
        }
    };
    let drawn = if points.len() == 1 {
        format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#1f77b4\"/>",
            x(first.t),
            y(first.value)
        )
    } else {
        let coordinates: Vec<String> = points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.t), y(p.value)))
            .collect();
        format!(
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{}\"/>",
            coordinates.join(" ")
        )
    };
    let caption = format!(
        "{name}: {} … {} over {} s ({} readings)",
        esc(&format_value(low, &series.unit)),
        esc(&format_value(high, &series.unit)),
        trim(span),
        points.len()
    );
    format!(
        "<figure><svg class=\"series\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{CHART_WIDTH}\" \
         height=\"{CHART_HEIGHT}\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" \
         aria-label=\"{caption}\"><title>{caption}</title>{drawn}</svg>\
         <figcaption>{caption}</figcaption></figure>\n"
    )
}

/// A comparison's section of a page: its headline, runs, verdicts, charts, budgets and checks.
pub(crate) fn comparison_section(c: &Comparison) -> String {
    format!(
        "<h3>{}</h3>\n<p>{} against {}</p>\n{}",
        esc(&headline(c)),
        esc(&c.current.label),
        esc(c.baseline.as_ref().map_or("nothing", |b| b.label.as_str())),
        comparison_body(c)
    )
}
