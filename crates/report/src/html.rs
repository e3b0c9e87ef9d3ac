//! One self-contained HTML page (SPEC §8: no network, no script): the run's table, its notes
//! (a load level that did not reach its concurrency, errors by kind) and each time series
//! (`Benchmark.series`, the RSS of a process tree over time) as a small inline SVG line chart; a
//! comparison's headline and verdicts. Every text from outside is escaped by
//! [`crate::escape::html`].

use benchgate_model::{Benchmark, Comparison, Measure, Mode, Run, Series, Status, Verdict};

use crate::Format;
use crate::describe::{
    any_timed, benchmark_notes, change, column_title, compared, extra_measures, headline, label,
    mean_sd, median_of, range, run_header, sides, wall_center,
};
use crate::escape::html::text as esc;
use crate::units::format_value;
use benchgate_model::display::trim;

/// The HTML format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// The chart's size in CSS pixels and the margin kept around the line.
const CHART_WIDTH: f64 = 320.0;
const CHART_HEIGHT: f64 = 80.0;
const CHART_MARGIN: f64 = 4.0;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#a15c00}\
.failed{color:#b00020}.simulated{background:#fff3cd;padding:.3em}\
figure{display:inline-block;margin:.3em 1em .3em 0}figcaption{font-size:.85em;color:#555}\
svg.series{background:#fafafa;border:1px solid #ddd}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

impl Format for Html {
    fn run(&self, run: &Run, _comparisons: &[Verdict]) -> String {
        let mut body = format!("<h1>benchgate run</h1>\n<p>{}</p>\n", esc(&run_header(run)));
        if run.provenance.mode == Mode::Simulated {
            body.push_str(
                "<p class=\"simulated\">SIMULATED: these numbers come from a stand-in, not the \
                 real system</p>\n",
            );
        }
        body.push_str(&run_table(run));
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
        if !notes.is_empty() {
            body.push_str(&format!("<ul>\n{notes}</ul>\n"));
        }
        for bench in run.benchmarks.iter().filter(|b| !b.series.is_empty()) {
            body.push_str(&format!("<h2>{} over time</h2>\n<div>\n", esc(&bench.name)));
            for series in &bench.series {
                body.push_str(&series_figure(series));
            }
            body.push_str("</div>\n");
        }
        page("benchgate run", &body)
    }

    fn comparison(&self, c: &Comparison) -> String {
        let mut body = format!("<h1>{}</h1>\n", esc(&headline(c)));
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
        for v in compared(c) {
            let (base, cur) = sides(&v);
            body.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&v.benchmark),
                esc(v.measure.as_str()),
                esc(&base),
                esc(&cur),
                esc(&change(&v)),
                esc(label(&v)),
            ));
        }
        body.push_str("</table>\n");
        page("benchgate comparison", &body)
    }
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
    out.push_str("<th>samples</th></tr>\n");
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
        out.push_str(&format!("<td class=\"n\">{}</td></tr>\n", samples(bench)));
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
