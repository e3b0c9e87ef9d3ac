//! Aligned terminal tables (benchstat-like), optionally coloured.

use benchgate_model::{
    BudgetStatus, CheckStatus, Comparison, Measure, Mode, ProfileLink, Run, Severity, Status,
    Verdict, VerdictKind,
};

use crate::Format;
use crate::describe::{
    any_timed, benchmark_notes, budget_rows, by_measure, change, check_rows, column_title,
    compared, extra_measures, headline, interval, label, mean_sd, median_of, notable, range,
    relative, run_header, run_line, sides, wall_center,
};
use crate::escape::terminal::{line, lines};
use crate::table::{Align, BOLD, Cell, DIM, GREEN, RED, Table, YELLOW};
use crate::units::{format_value, p_value};

/// The terminal format; `color` adds ANSI colours.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    pub color: bool,
}

impl Terminal {
    fn paint(&self, text: &str, style: &str) -> String {
        if self.color {
            format!("{style}{text}{}", crate::table::RESET)
        } else {
            text.to_string()
        }
    }
}

fn style_of(v: &Verdict) -> Option<&'static str> {
    match (v.kind, v.severity) {
        (VerdictKind::Regressed, _) if !v.gating => Some(YELLOW),
        (_, Some(Severity::Fail)) | (VerdictKind::Failed, _) => Some(RED),
        (_, Some(Severity::Warn))
        | (VerdictKind::InsufficientData | VerdictKind::Inconclusive, _) => Some(YELLOW),
        (VerdictKind::Improved, _) => Some(GREEN),
        (VerdictKind::Skipped | VerdictKind::New | VerdictKind::Missing, _) => Some(DIM),
        _ => None,
    }
}

impl Format for Terminal {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::terminal(self, report))
    }

    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String {
        let mut out = String::new();
        out.push_str(&self.paint(&line(&run_header(run)), DIM));
        out.push('\n');
        if run.provenance.mode == Mode::Simulated {
            out.push_str(&self.paint(
                "SIMULATED: these numbers come from a stand-in, not the real system\n",
                YELLOW,
            ));
        }
        let (extra, hidden) = extra_measures(run);
        let timed = any_timed(run);
        let wall_columns: &[&str] = if timed {
            &["wall time", "mean ± σ", "min … max"]
        } else {
            &[]
        };
        let mut aligns = vec![Align::Left];
        aligns.extend(wall_columns.iter().map(|_| Align::Right));
        aligns.extend(extra.iter().map(|_| Align::Right));
        aligns.push(Align::Right);
        let mut table = Table::new(aligns);
        let mut titles: Vec<String> = std::iter::once(&"benchmark")
            .chain(wall_columns)
            .map(|t| t.to_string())
            .collect();
        titles.extend(extra.iter().map(column_title));
        titles.push("runs".into());
        table.row(
            titles
                .into_iter()
                .map(|text| Cell {
                    text,
                    style: Some(BOLD),
                })
                .collect(),
        );
        let mut notes = Vec::new();
        for bench in &run.benchmarks {
            match &bench.status {
                Status::Skipped { reason } => notes.push((
                    format!("{}: skipped: {}", line(&bench.name), lines(reason)),
                    RED,
                )),
                Status::Failed { message } => notes.push((
                    format!("{}: FAILED: {}", line(&bench.name), lines(message)),
                    RED,
                )),
                Status::Ok => {}
            }
            for note in benchmark_notes(bench) {
                notes.push((format!("{}: {}", line(&bench.name), lines(&note)), YELLOW));
            }
            if bench.metrics.is_empty() {
                continue;
            }
            // Benchmarks counted but not timed (`--measure instructions`) still get their row.
            let mut row: Vec<Cell> = vec![bench.name.clone().into()];
            if timed {
                match bench.metric(&Measure::WallTime) {
                    Some(wall) => row.extend([
                        wall_center(wall).into(),
                        mean_sd(wall).into(),
                        range(wall).into(),
                    ]),
                    None => row.extend(["-".into(), "-".into(), "-".into()]),
                }
            }
            row.extend(extra.iter().map(|m| median_of(bench, m).into()));
            let runs = bench
                .metric(&Measure::WallTime)
                .or(bench.metrics.first())
                .map_or(0, |m| m.summary.n);
            row.push(runs.to_string().into());
            table.row(row);
        }
        out.push_str(&table.render(self.color));
        if hidden > 0 {
            out.push_str(&self.paint(
                &format!("({hidden} more measures: see --format json)\n"),
                DIM,
            ));
        }
        for (note, style) in notes {
            out.push_str(&self.paint(&note, style));
            out.push('\n');
        }
        if let Some(first) = run.benchmarks.first().filter(|_| !comparisons.is_empty()) {
            // Load levels compare with the same level of the first command.
            let first = match first.params.get("concurrency") {
                Some(_) => {
                    first
                        .name
                        .rsplit_once('/')
                        .map_or(first.name.as_str(), |(command, _)| command)
                        .to_string()
                        + ", level by level"
                }
                None => first.name.clone(),
            };
            out.push_str(&format!("\ncompared with {}:\n", line(&first)));
            let mut table = Table::new(vec![
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Left,
            ]);
            for v in comparisons {
                let effect = v
                    .effect
                    .map_or_else(String::new, |e| crate::units::percent(e.percent()));
                let p = v.p_value.map_or_else(String::new, p_value);
                table.row(vec![
                    v.benchmark.clone().into(),
                    v.measure.as_str().into(),
                    effect.into(),
                    interval(v).into(),
                    p.into(),
                    relative(v).into(),
                    Cell {
                        text: v.kind.as_str().replace('_', " "),
                        style: style_of(v),
                    },
                ]);
            }
            out.push_str(&table.render(self.color));
        }
        out
    }

    fn profiles(&self, links: &[ProfileLink]) -> Option<String> {
        (!links.is_empty()).then(|| self.profile_table(links))
    }

    fn comparison(&self, c: &Comparison) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "baseline: {}\ncurrent:  {}\n",
            c.baseline.as_ref().map_or_else(
                || "none yet".to_string(),
                |b| line(&run_line(&b.label, b.mode, b.commit.as_deref(), None)).into_owned()
            ),
            line(&run_line(
                &c.current.label,
                c.current.mode,
                c.current.commit.as_deref(),
                None
            )),
        ));
        for failure in &c.command_failures {
            out.push_str(&self.paint(&format!("failed: {}", line(failure)), RED));
            out.push('\n');
        }
        for warning in &c.warnings {
            out.push_str(&self.paint(&format!("warning: {}", line(warning)), YELLOW));
            out.push('\n');
        }
        let compared = compared(c);
        for (measure, rows) in by_measure(&compared) {
            out.push('\n');
            let gated = rows.iter().any(|v| v.gating);
            let mut table = Table::new(vec![
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Left,
                Align::Left,
            ]);
            let title = if gated {
                measure.to_string()
            } else {
                format!("{measure} (not gated)")
            };
            table.row(
                [title.as_str(), "baseline", "current", "change", "verdict"]
                    .into_iter()
                    .map(|h| Cell {
                        text: h.to_string(),
                        style: Some(BOLD),
                    })
                    .collect(),
            );
            for v in &rows {
                let (base, cur) = sides(v);
                table.row(vec![
                    v.benchmark.clone().into(),
                    base.into(),
                    cur.into(),
                    change(v).into(),
                    Cell {
                        text: label(v).to_string(),
                        style: style_of(v),
                    },
                ]);
            }
            if let Some(g) = c
                .geomean
                .iter()
                .find(|g| &g.measure == measure)
                .filter(|g| g.benchmarks > 1)
            {
                table.row(vec![
                    "geomean".into(),
                    g.baseline
                        .map_or_else(String::new, |x| format_value(x, &g.unit))
                        .into(),
                    g.current
                        .map_or_else(String::new, |x| format_value(x, &g.unit))
                        .into(),
                    g.ratio
                        .map_or_else(
                            || "?".to_string(),
                            |r| crate::units::percent((r - 1.0) * 100.0),
                        )
                        .into(),
                ]);
            }
            out.push_str(&table.render(self.color));
        }
        let budgets = budget_rows(c);
        if !budgets.is_empty() {
            out.push('\n');
            let mut table = Table::new(vec![
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ]);
            table.row(
                [
                    "budget",
                    "benchmark",
                    "value",
                    "limit",
                    "headroom",
                    "status",
                ]
                .into_iter()
                .map(|h| Cell {
                    text: h.to_string(),
                    style: Some(BOLD),
                })
                .collect(),
            );
            for (row, check) in budgets.into_iter().zip(&c.budgets) {
                let style = match check.status {
                    BudgetStatus::Fail | BudgetStatus::Unmeasured => Some(RED),
                    BudgetStatus::Warn | BudgetStatus::Unchecked => Some(YELLOW),
                    BudgetStatus::Ok => None,
                };
                let [label, bench, value, limit, headroom, status] = row;
                table.row(vec![
                    label.into(),
                    bench.into(),
                    value.into(),
                    limit.into(),
                    headroom.into(),
                    Cell {
                        text: status,
                        style,
                    },
                ]);
            }
            out.push_str(&table.render(self.color));
        }
        let checks = check_rows(c);
        if !checks.is_empty() {
            out.push('\n');
            let mut table = Table::new(vec![
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ]);
            table.row(
                [
                    "check",
                    "expression",
                    "value",
                    "bound",
                    "headroom",
                    "status",
                ]
                .into_iter()
                .map(|h| Cell {
                    text: h.to_string(),
                    style: Some(BOLD),
                })
                .collect(),
            );
            for (row, check) in checks.into_iter().zip(&c.checks) {
                let style = match check.status {
                    CheckStatus::Fail | CheckStatus::Error => Some(RED),
                    CheckStatus::Warn => Some(YELLOW),
                    CheckStatus::Skipped => Some(DIM),
                    CheckStatus::Pass => None,
                };
                let [name, expr, value, bound, headroom, status] = row;
                table.row(vec![
                    line(&name).into_owned().into(),
                    line(&expr).into_owned().into(),
                    value.into(),
                    bound.into(),
                    headroom.into(),
                    Cell {
                        text: status,
                        style,
                    },
                ]);
            }
            out.push_str(&table.render(self.color));
        }
        if !c.profiles.is_empty() {
            out.push('\n');
            out.push_str(&self.profile_table(&c.profiles));
        }
        let notes: Vec<&Verdict> = notable(c).collect();
        if !notes.is_empty() {
            out.push('\n');
            for v in notes {
                let note = format!(
                    "{} · {}: {} — {}",
                    line(&v.benchmark),
                    line(v.measure.as_str()),
                    label(v),
                    lines(&v.reason)
                );
                match style_of(v) {
                    Some(style) => out.push_str(&self.paint(&note, style)),
                    None => out.push_str(&note),
                }
                out.push('\n');
            }
        }
        out.push('\n');
        let headline = headline(c);
        let style = match c.outcome {
            benchgate_model::Outcome::Passed => GREEN,
            benchgate_model::Outcome::Warned | benchgate_model::Outcome::Inconclusive => YELLOW,
            benchgate_model::Outcome::Failed | benchgate_model::Outcome::CommandFailed => RED,
        };
        out.push_str(&self.paint(&headline, style));
        out.push('\n');
        out
    }
}

impl Terminal {
    /// A table of the profiles: per benchmark its files, or why it has none.
    fn profile_table(&self, links: &[ProfileLink]) -> String {
        let mut table = Table::new(vec![Align::Left, Align::Left]);
        table.row(
            [crate::profiles::heading(links), "files".to_string()]
                .into_iter()
                .map(|h| Cell {
                    text: h,
                    style: Some(BOLD),
                })
                .collect(),
        );
        for link in links {
            let (text, style) = match crate::profiles::not_taken(link) {
                Some(reason) => (line(&reason).into_owned(), Some(YELLOW)),
                None => (
                    link.files
                        .iter()
                        .map(|f| line(f).into_owned())
                        .collect::<Vec<_>>()
                        .join("  "),
                    None,
                ),
            };
            table.row(vec![
                line(&link.label()).into_owned().into(),
                Cell { text, style },
            ]);
        }
        table.render(self.color)
    }
}
