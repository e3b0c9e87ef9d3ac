//! The HTML page's charts, drawn as inline SVG here (no script, nothing fetched): a measure's
//! sample distributions, a comparison's changes with their intervals, budgets against their
//! limits, and a benchmark's history with its shifts of level. Coordinates are written with one
//! decimal, so a fixed input gives the same page byte for byte. Every text from outside is
//! escaped; the numbers are scaled by [`crate::units`].

use benchgate_model::{
    BudgetCheck, BudgetStatus, Direction, Measure, Mode, Severity, Summary, Thresholds, Unit,
    Verdict, VerdictKind,
};

use crate::describe::{center, label};
use crate::escape::html::text as esc;
use crate::units::{format_value, percent};
use benchgate_model::display::plural;

/// Every chart's width in CSS pixels.
pub const WIDTH: f64 = 640.0;
/// Where the plot area starts: the row labels (benchmark names) are right-aligned before it.
pub const PLOT_LEFT: f64 = 180.0;
/// The height of one row of a distribution, change or budget chart.
pub const ROW: f64 = 24.0;
/// Space above the first row (threshold labels) and below the last (the value axis).
const TOP: f64 = 16.0;
const AXIS: f64 = 22.0;
/// Names longer than this many characters are cut in a row label (the full name is the row's
/// tooltip).
const LABEL_CHARS: usize = 28;
/// At most this many samples are drawn as dots per row; more are thinned evenly (the box and
/// the median still come from all of them).
pub const MAX_DOTS: usize = 400;

/// A linear map of values `lo..=hi` onto pixels `from..=to`; a flat range maps to the middle.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn at(&self, value: f64) -> f64 {
        if self.hi > self.lo {
            self.from + (value - self.lo) / (self.hi - self.lo) * (self.to - self.from)
        } else {
            (self.from + self.to) / 2.0
        }
    }
}

/// The smallest and largest of `values` (finite ones only); `None` when there is none.
fn bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// The `p` quantile (0..=1) of sorted values, interpolated linearly between neighbours (R's
/// type 7, what most plotting tools draw a box with).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p;
            let below = h.floor() as usize;
            let above = (below + 1).min(n - 1);
            sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
        }
    }
}

/// A row label: the name cut to [`LABEL_CHARS`] characters, escaped.
fn short(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        esc(name)
    } else {
        let cut: String = name.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", esc(&cut))
    }
}

fn svg_open(class: &str, height: f64, caption: &str) -> String {
    format!(
        "<svg class=\"{class}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" \
         height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"{caption}\"><title>{caption}</title>"
    )
}

/// A value axis under the rows: a line and the lowest, middle and highest value.
fn axis(scale: &Scale, y: f64, unit: &Unit) -> String {
    let mut out = format!(
        "<line class=\"axis\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#999\"/>",
        scale.from, scale.to
    );
    let ticks: &[(f64, &str)] = if scale.hi > scale.lo {
        &[(0.0, "start"), (0.5, "middle"), (1.0, "end")]
    } else {
        &[(0.5, "middle")]
    };
    for &(at, anchor) in ticks {
        let value = scale.lo + at * (scale.hi - scale.lo);
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\" \
             fill=\"#555\">{}</text>",
            scale.at(value),
            y + 13.0,
            esc(&format_value(value, unit))
        ));
    }
    out
}

fn row_label(y: f64, text: &str) -> String {
    format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{text}</text>",
        PLOT_LEFT - 6.0,
        y + 4.0
    )
}

/// One row of a distribution chart: a benchmark's samples of one measure (on one side of a
/// comparison when there are two).
pub struct DistributionRow<'a> {
    /// What the row is, shown before it: `wall time`, `baseline`, `current`.
    pub label: &'a str,
    pub mode: Mode,
    pub samples: &'a [f64],
    pub summary: &'a Summary,
}

/// Where a distribution's plot area ends: the median and its interval are written after it.
const DISTRIBUTION_RIGHT: f64 = WIDTH - 170.0;

/// One benchmark's distribution of one measure, a row per side: the samples as dots, a box from
/// the first to the third quartile with whiskers to the extremes, the median as a red bar across
/// the box and its confidence interval as an orange band under it, and `median ± spread` written
/// beside the row. The rows share one value axis.
pub fn distribution(title: &str, unit: &Unit, rows: &[DistributionRow<'_>]) -> String {
    let caption = esc(&format!("{title}: distribution of the samples"));
    let Some((lo, hi)) = bounds(rows.iter().flat_map(|r| r.samples.iter().copied())) else {
        return String::new();
    };
    let height = TOP + rows.len() as f64 * ROW + AXIS;
    let scale = Scale {
        lo,
        hi,
        from: PLOT_LEFT,
        to: DISTRIBUTION_RIGHT,
    };
    let mut out = svg_open("distribution", height, &caption);
    // Rows named by side (baseline, current) leave the measure unnamed: it goes above them.
    if rows.iter().all(|r| r.label != title) {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\" \
             text-anchor=\"end\">{}</text>",
            PLOT_LEFT - 6.0,
            TOP - 4.0,
            esc(title)
        ));
    }
    for (k, row) in rows.iter().enumerate() {
        let cy = TOP + k as f64 * ROW + ROW / 2.0;
        let mut sorted: Vec<f64> = row
            .samples
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        sorted.sort_by(f64::total_cmp);
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            continue;
        };
        let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
        let s = row.summary;
        let ci = s.median_ci.map_or_else(
            || "no interval".to_string(),
            |ci| {
                format!(
                    "{:.0}% interval {} … {}",
                    ci.confidence * 100.0,
                    format_value(ci.lo, unit),
                    format_value(ci.hi, unit)
                )
            },
        );
        let tip = format!(
            "{} ({}): median {}, {ci}; quartiles {} … {}; range {} … {}; n={}",
            row.label,
            row.mode.as_str(),
            format_value(s.median, unit),
            format_value(q1, unit),
            format_value(q3, unit),
            format_value(min, unit),
            format_value(max, unit),
            s.n
        );
        let mut text = short(row.label);
        if row.mode == Mode::Simulated {
            text.push_str(" (simulated)");
        }
        let (fill, stroke) = if row.label == "baseline" {
            ("#e0e0e0", "#777")
        } else {
            ("#dbe9f6", "#1f77b4")
        };
        out.push_str(&format!(
            "<g class=\"row\"><title>{}</title>{}",
            esc(&tip),
            row_label(cy, &text)
        ));
        out.push_str(&format!(
            "<line class=\"whisker\" x1=\"{:.1}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" \
             stroke=\"{stroke}\"/>",
            scale.at(min),
            scale.at(max)
        ));
        out.push_str(&format!(
            "<rect class=\"box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" \
             fill=\"{fill}\" stroke=\"{stroke}\"/>",
            scale.at(q1),
            cy - 7.0,
            scale.at(q3) - scale.at(q1)
        ));
        if let Some(ci) = s.median_ci {
            out.push_str(&format!(
                "<rect class=\"ci\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"4\" \
                 fill=\"#ff7f0e\" fill-opacity=\"0.6\"/>",
                scale.at(ci.lo),
                cy + 7.0,
                scale.at(ci.hi) - scale.at(ci.lo)
            ));
        }
        out.push_str(&format!(
            "<line class=\"median\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" \
             stroke=\"#d62728\" stroke-width=\"2\"/>",
            cy - 8.0,
            cy + 8.0,
            x = scale.at(s.median)
        ));
        let stride = row.samples.len().div_ceil(MAX_DOTS).max(1);
        for (i, &value) in row.samples.iter().enumerate().step_by(stride) {
            if !value.is_finite() {
                continue;
            }
            // A fixed spread across the row, so equal values stay visible and output is stable.
            let jitter = ((i * 7) % 5) as f64 * 2.0 - 4.0;
            out.push_str(&format!(
                "<circle class=\"sample\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.8\" fill=\"#222\" \
                 fill-opacity=\"0.55\"/>",
                scale.at(value),
                cy + jitter
            ));
        }
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">median {}</text></g>",
            DISTRIBUTION_RIGHT + 10.0,
            cy + 4.0,
            esc(&center(s, unit))
        ));
    }
    out.push_str(&axis(&scale, height - AXIS + 4.0, unit));
    out.push_str("</svg>");
    out
}

/// The fill of a change bar: what the verdict concluded.
fn verdict_colour(v: &Verdict) -> (&'static str, &'static str) {
    match (v.kind, v.severity) {
        (VerdictKind::Regressed, Some(Severity::Fail)) if v.gating => ("regressed", "#d62728"),
        (VerdictKind::Regressed, _) => ("regressed", "#ff7f0e"),
        (VerdictKind::Improved, _) => ("improved", "#2ca02c"),
        (VerdictKind::Unchanged, _) => ("unchanged", "#9e9e9e"),
        (VerdictKind::InsufficientData | VerdictKind::Inconclusive, _) => {
            ("insufficient", "#c9a227")
        }
        _ => ("other", "#9e9e9e"),
    }
}

/// A verdict drawn as a change bar: its change and interval in percent.
type ChangeRow<'a> = (&'a Verdict, f64, Option<(f64, f64)>);

/// The change of one measure per benchmark, in percent of the baseline: a bar from 0 to the
/// change coloured by the verdict (red a failing regression, orange a warning, green an
/// improvement, grey unchanged, amber too little data), the change's confidence interval as
/// whiskers, and the warn and fail thresholds as dashed lines on the side where the measure
/// gets worse. Verdicts without a finite change (new, missing) are left out.
pub fn changes(measure: &Measure, verdicts: &[&Verdict], thresholds: &Thresholds) -> String {
    let rows: Vec<ChangeRow<'_>> = verdicts
        .iter()
        .filter_map(|v| {
            let effect = v.effect?;
            let change = effect.percent();
            let ci = effect
                .ci
                .map(|ci| ((ci.lo - 1.0) * 100.0, (ci.hi - 1.0) * 100.0))
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite());
            change.is_finite().then_some((*v, change, ci))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let worse = match rows[0].0.direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    };
    let warn = worse * thresholds.warn * 100.0;
    let fail = worse * thresholds.fail * 100.0;
    let values = rows
        .iter()
        .flat_map(|(_, c, ci)| [Some(*c), ci.map(|c| c.0), ci.map(|c| c.1)])
        .flatten()
        .chain([0.0, warn, fail]);
    let Some((lo, hi)) = bounds(values) else {
        return String::new();
    };
    let height = TOP + rows.len() as f64 * ROW + AXIS;
    let scale = Scale {
        lo,
        hi,
        from: PLOT_LEFT,
        to: WIDTH - 110.0,
    };
    let caption = esc(&format!(
        "{}: change per benchmark with its confidence interval",
        measure.as_str()
    ));
    let mut out = svg_open("changes", height, &caption);
    let bottom = height - AXIS + 4.0;
    // Each label on its own side of its line, so close thresholds do not overwrite each other:
    // warn towards zero, fail away from it.
    let (toward_zero, away) = if worse > 0.0 {
        ("end", "start")
    } else {
        ("start", "end")
    };
    for (name, at, colour, anchor) in [
        ("warn", warn, "#ff7f0e", toward_zero),
        ("fail", fail, "#d62728", away),
    ] {
        let x = scale.at(at);
        out.push_str(&format!(
            "<line class=\"threshold {name}\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" \
             y2=\"{bottom:.1}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x:.1}\" y=\"10\" font-size=\"10\" text-anchor=\"{anchor}\" \
             fill=\"{colour}\">{name} {}</text>",
            TOP - 4.0,
            esc(&percent(at))
        ));
    }
    let zero = scale.at(0.0);
    out.push_str(&format!(
        "<line class=\"zero\" x1=\"{zero:.1}\" y1=\"{:.1}\" x2=\"{zero:.1}\" y2=\"{bottom:.1}\" \
         stroke=\"#444\"/>",
        TOP - 4.0
    ));
    for (k, (v, change, ci)) in rows.iter().enumerate() {
        let cy = TOP + k as f64 * ROW + ROW / 2.0;
        let (class, colour) = verdict_colour(v);
        let verdict = label(v);
        let interval = ci.map_or_else(String::new, |(lo, hi)| {
            format!(" [{}, {}]", percent(lo), percent(hi))
        });
        let tip = format!("{}: {}{interval} {verdict}", v.benchmark, percent(*change));
        let x = scale.at(*change);
        out.push_str(&format!(
            "<g class=\"row\"><title>{}</title>{}<rect class=\"bar {class}\" x=\"{:.1}\" \
             y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{colour}\"/>",
            esc(&tip),
            row_label(cy, &short(&v.benchmark)),
            x.min(zero),
            cy - 6.0,
            (x - zero).abs()
        ));
        if let Some((lo, hi)) = ci {
            let (x1, x2) = (scale.at(*lo), scale.at(*hi));
            out.push_str(&format!(
                "<path class=\"interval\" d=\"M{x1:.1} {:.1}V{:.1}M{x1:.1} {cy:.1}H{x2:.1}\
                 M{x2:.1} {:.1}V{:.1}\" stroke=\"#222\" fill=\"none\"/>",
                cy - 4.0,
                cy + 4.0,
                cy - 4.0,
                cy + 4.0
            ));
        }
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{} {}</text></g>",
            WIDTH - 104.0,
            cy + 4.0,
            esc(&percent(*change)),
            esc(verdict)
        ));
    }
    out.push_str(&axis_percent(&scale, bottom));
    out.push_str("</svg>");
    out
}

/// The axis of a change chart: its ends in percent.
fn axis_percent(scale: &Scale, y: f64) -> String {
    format!(
        "<line class=\"axis\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
         stroke=\"#999\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"start\" \
         fill=\"#555\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" \
         text-anchor=\"end\" fill=\"#555\">{}</text>",
        scale.from,
        scale.to,
        scale.from,
        y + 13.0,
        esc(&percent(scale.lo)),
        scale.to,
        y + 13.0,
        esc(&percent(scale.hi))
    )
}

/// Where a budget's bar may end: its value, limit and headroom are written after it.
const BUDGET_RIGHT: f64 = WIDTH - 290.0;

/// Each budget as a bar from zero to the value, on its own scale (budgets differ in unit), with
/// the limit as a dark line and the headroom written beside it; the bar's colour is the status
/// (green ok, orange warn, red fail, grey not checked).
pub fn budgets(checks: &[BudgetCheck]) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let height = TOP + checks.len() as f64 * ROW + 4.0;
    let mut out = svg_open("budgets", height, "budgets: value against limit");
    for (k, b) in checks.iter().enumerate() {
        let cy = TOP + k as f64 * ROW + ROW / 2.0;
        let (class, colour) = match b.status {
            BudgetStatus::Ok => ("ok", "#2ca02c"),
            BudgetStatus::Warn => ("warn", "#ff7f0e"),
            BudgetStatus::Fail => ("fail", "#d62728"),
            BudgetStatus::Unchecked | BudgetStatus::Unmeasured => ("unchecked", "#9e9e9e"),
        };
        let known = [b.value, b.limit].into_iter().flatten();
        let (lo, hi) = bounds(known.chain([0.0])).unwrap_or((0.0, 0.0));
        // A little room past the larger of value and limit, so the limit line is not the edge.
        let scale = Scale {
            lo,
            hi: if hi > 0.0 { hi * 1.1 } else { hi },
            from: PLOT_LEFT,
            to: BUDGET_RIGHT,
        };
        let value = b
            .value
            .map_or_else(|| "-".to_string(), |v| format_value(v, &b.unit));
        let limit = b.limit.map_or_else(
            || "no limit".to_string(),
            |l| format!("limit {}", format_value(l, &b.unit)),
        );
        let headroom = b
            .headroom_percent
            .map_or_else(String::new, |h| format!(", headroom {h:+.1}%"));
        let text = format!("{value} / {limit}{headroom} ({})", b.status);
        out.push_str(&format!(
            "<g class=\"row\"><title>{}</title>{}",
            esc(&format!("{} · {}: {}", b.label, b.benchmark, b.reason)),
            row_label(cy, &short(&format!("{} · {}", b.label, b.benchmark)))
        ));
        if let Some(v) = b.value.filter(|v| v.is_finite()) {
            let (x0, x) = (scale.at(0.0), scale.at(v));
            out.push_str(&format!(
                "<rect class=\"bar {class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
                 height=\"12\" fill=\"{colour}\"/>",
                x.min(x0),
                cy - 6.0,
                (x - x0).abs()
            ));
        }
        if let Some(l) = b.limit.filter(|l| l.is_finite()) {
            let x = scale.at(l);
            out.push_str(&format!(
                "<line class=\"limit\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" \
                 stroke=\"#222\" stroke-width=\"2\"/>",
                cy - 9.0,
                cy + 9.0
            ));
        }
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text></g>",
            BUDGET_RIGHT + 6.0,
            cy + 4.0,
            esc(&text)
        ));
    }
    out.push_str("</svg>");
    out
}

/// A benchmark's stored history of one measure, oldest first, and the shifts of level detected
/// in it: what `benchgate history` shows, given to the HTML page by its caller (the report crate
/// draws it; detecting the shifts is the caller's).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub benchmark: String,
    pub measure: Measure,
    pub unit: Unit,
    pub points: Vec<HistoryPoint>,
    pub change_points: Vec<ChangePoint>,
    /// The absolute bounds of the budgets on this benchmark and measure, drawn across the chart
    /// (near the runs' values) or named in its caption (far from them).
    pub limits: Vec<Limit>,
}

/// A budget's absolute bound across a [`History`]: `max`, `min` or `target`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// What a reader sees: `max 50.00ms (wall_time ≤ 50ms on helios/*)`.
    pub label: String,
    pub value: f64,
    /// Which side of it the values must stay on.
    pub side: LimitSide,
    /// A hard bound (`max`, `min`: breaking it fails) or a soft one (`target`: it warns).
    pub hard: bool,
}

/// Which side of a [`Limit`] the values must stay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSide {
    Below,
    Above,
}

impl Limit {
    /// How far `value` is from the limit, in percent of it, on the good side (negative: broken).
    pub fn headroom_percent(&self, value: f64) -> Option<f64> {
        if self.value == 0.0 || !value.is_finite() {
            return None;
        }
        Some(match self.side {
            LimitSide::Below => (self.value - value) / self.value.abs() * 100.0,
            LimitSide::Above => (value - self.value) / self.value.abs() * 100.0,
        })
    }
}

/// The limits of `h` drawn on its chart: those within twice the runs' spread of their values
/// (a limit far away would squash the runs into a line); the others are named in the caption.
fn near_limits(h: &History) -> Vec<&Limit> {
    let Some((lo, hi)) = bounds(h.points.iter().map(|p| p.value)) else {
        return Vec::new();
    };
    let span = if hi > lo {
        hi - lo
    } else {
        hi.abs().max(f64::MIN_POSITIVE) * 0.1
    };
    h.limits
        .iter()
        .filter(|l| l.value.is_finite() && l.value >= lo - 2.0 * span && l.value <= hi + 2.0 * span)
        .collect()
}

/// One stored run's value in a [`History`].
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// What identifies the run to a reader: a short commit, a date.
    pub label: String,
    /// The run's median of the measure.
    pub value: f64,
}

/// A shift of level in a [`History`]: the points from `index` on are at a new level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePoint {
    pub index: usize,
    pub before_median: f64,
    pub after_median: f64,
}

/// The history chart's height and inner margin.
pub const HISTORY_HEIGHT: f64 = 120.0;
const HISTORY_MARGIN: f64 = 8.0;

/// A history as a line through its points (run order across, value up), each change point as a
/// dashed red line between the last run of one level and the first of the next, and each
/// level's median as a faint horizontal line over its runs.
pub fn history(h: &History) -> String {
    draw_history(h, &[])
}

/// [`history`] with each point a link to `links[i]` (the dashboard's run pages; a file report
/// links nowhere, to stay self-contained).
pub fn history_linked(h: &History, links: &[String]) -> String {
    draw_history(h, links)
}

fn draw_history(h: &History, links: &[String]) -> String {
    let caption = esc(&format!(
        "{} · {}: {}, {} of level",
        h.benchmark,
        h.measure.as_str(),
        plural(h.points.len(), "stored run"),
        plural(h.change_points.len(), "shift")
    ));
    let levels = h
        .change_points
        .iter()
        .flat_map(|c| [c.before_median, c.after_median]);
    let near = near_limits(h);
    let Some((lo, hi)) = bounds(
        h.points
            .iter()
            .map(|p| p.value)
            .chain(levels)
            .chain(near.iter().map(|l| l.value)),
    ) else {
        return format!("<p>{caption}</p>");
    };
    let n = h.points.len();
    let across = Scale {
        lo: 0.0,
        hi: n.saturating_sub(1) as f64,
        from: HISTORY_MARGIN,
        to: WIDTH - HISTORY_MARGIN,
    };
    // Up: the highest value at the top.
    let up = Scale {
        lo,
        hi,
        from: HISTORY_HEIGHT - HISTORY_MARGIN,
        to: HISTORY_MARGIN,
    };
    let mut out = svg_open("history", HISTORY_HEIGHT, &caption);
    // The levels first, under the line: the runs before the first shift at its `before`
    // median, those after each shift at its `after` median.
    let mut bounds_of_levels = vec![0];
    bounds_of_levels.extend(h.change_points.iter().map(|c| c.index.min(n)));
    bounds_of_levels.push(n);
    for (k, pair) in bounds_of_levels.windows(2).enumerate() {
        let median = match k.checked_sub(1) {
            None => h.change_points.first().map(|c| c.before_median),
            Some(previous) => h.change_points.get(previous).map(|c| c.after_median),
        };
        if let Some(median) = median
            && pair[1] > pair[0]
        {
            out.push_str(&level(&across, &up, pair[0], pair[1], median));
        }
    }
    let finite: Vec<(usize, &HistoryPoint)> = h
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.value.is_finite())
        .collect();
    if finite.len() > 1 {
        let coordinates: Vec<String> = finite
            .iter()
            .map(|(i, p)| format!("{:.1},{:.1}", across.at(*i as f64), up.at(p.value)))
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{}\"/>",
            coordinates.join(" ")
        ));
    }
    for (i, p) in &finite {
        let circle = format!(
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#1f77b4\">\
             <title>{}</title></circle>",
            across.at(*i as f64),
            up.at(p.value),
            esc(&format!(
                "#{} {}: {}",
                i + 1,
                p.label,
                format_value(p.value, &h.unit)
            ))
        );
        match links.get(*i) {
            Some(link) => out.push_str(&format!("<a href=\"{}\">{circle}</a>", esc(link))),
            None => out.push_str(&circle),
        }
    }
    let newest = h.points.last().map(|p| p.value);
    for limit in &near {
        let y = up.at(limit.value);
        let (colour, dashes) = if limit.hard {
            ("#ff7f0e", "6 3")
        } else {
            ("#7f7f7f", "2 3")
        };
        let headroom = newest
            .and_then(|v| limit.headroom_percent(v))
            .map_or_else(String::new, |p| {
                format!(": the newest run has {} headroom", percent(p))
            });
        out.push_str(&format!(
            "<line class=\"budget\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
             stroke=\"{colour}\" stroke-dasharray=\"{dashes}\"><title>{}</title></line>",
            HISTORY_MARGIN,
            WIDTH - HISTORY_MARGIN,
            esc(&format!("budget {}{headroom}", limit.label))
        ));
    }
    for c in &h.change_points {
        if c.index == 0 || c.index >= n {
            continue;
        }
        let x = across.at(c.index as f64 - 0.5);
        let shift = if c.before_median != 0.0 {
            percent((c.after_median / c.before_median - 1.0) * 100.0)
        } else {
            String::from("?")
        };
        out.push_str(&format!(
            "<line class=\"change-point\" x1=\"{x:.1}\" y1=\"{HISTORY_MARGIN:.1}\" x2=\"{x:.1}\" \
             y2=\"{:.1}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"><title>{}</title></line>",
            HISTORY_HEIGHT - HISTORY_MARGIN,
            esc(&format!(
                "shift of {shift} at #{}: {} → {}",
                c.index + 1,
                format_value(c.before_median, &h.unit),
                format_value(c.after_median, &h.unit)
            ))
        ));
    }
    out.push_str("</svg>");
    out
}

/// A history's visible caption: its runs, its range and each shift of level with the run it
/// starts at.
pub fn history_caption(h: &History) -> String {
    let mut text = plural(h.points.len(), "stored run");
    if let Some((lo, hi)) = bounds(h.points.iter().map(|p| p.value)) {
        text.push_str(&format!(
            ", {} … {}",
            format_value(lo, &h.unit),
            format_value(hi, &h.unit)
        ));
    }
    for c in &h.change_points {
        let at = h
            .points
            .get(c.index)
            .map_or_else(String::new, |p| format!(" ({})", p.label));
        let shift = if c.before_median != 0.0 {
            percent((c.after_median / c.before_median - 1.0) * 100.0)
        } else {
            String::from("?")
        };
        text.push_str(&format!(
            "; shift of {shift} at #{}{at}: {} → {}",
            c.index + 1,
            format_value(c.before_median, &h.unit),
            format_value(c.after_median, &h.unit)
        ));
    }
    let near = near_limits(h);
    let newest = h.points.last().map(|p| p.value);
    for limit in &h.limits {
        text.push_str(&format!("; budget {}", limit.label));
        if let Some(headroom) = newest.and_then(|v| limit.headroom_percent(v)) {
            text.push_str(&format!(
                ", headroom {} at the newest run",
                percent(headroom)
            ));
        }
        if !near.iter().any(|l| std::ptr::eq(*l, limit)) {
            text.push_str(" (off the chart)");
        }
    }
    esc(&text)
}

fn level(across: &Scale, up: &Scale, start: usize, end: usize, median: f64) -> String {
    let y = up.at(median);
    format!(
        "<line class=\"level\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
         stroke=\"#d62728\" stroke-opacity=\"0.35\" stroke-width=\"3\"/>",
        across.at(start as f64),
        across.at((end - 1) as f64)
    )
}
