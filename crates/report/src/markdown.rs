//! Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`: a one-line verdict, a table of
//! what changed and the full comparison collapsed in `<details>`.

use benchgate_model::{Comparison, Measure, Mode, Outcome, ProfileLink, Run, Status, Verdict};

use crate::Format;
use crate::describe::{
    any_timed, benchmark_notes, budget_rows, change, check_rows, column_title, compared,
    extra_measures, headline, interval, label, mean_sd, median_of, notable, range, relative,
    run_header, run_line, sides, wall_center,
};
use crate::units::{format_value, p_value};

#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

use crate::escape::markdown::{code, code_cell, text as cell};

fn verdict_rows(out: &mut String, rows: &[&Verdict]) {
    out.push_str("| benchmark | measure | baseline | current | change | verdict |\n");
    out.push_str("|---|---|--:|--:|---|---|\n");
    for v in rows {
        let (base, cur) = sides(v);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            code_cell(&v.benchmark),
            cell(v.measure.as_str()),
            cell(&base),
            cell(&cur),
            cell(&change(v)),
            label(v)
        ));
    }
}

impl Format for Markdown {
    fn projected(&self, report: &crate::ProjectedReport<'_>) -> Option<String> {
        Some(crate::projected::markdown(self, report))
    }

    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String {
        let mut out = format!("### benchgate run\n\n{}\n\n", cell(&run_header(run)));
        if run.provenance.mode == Mode::Simulated {
            out.push_str(
                "> **Simulated**: these numbers come from a stand-in, not the real system.\n\n",
            );
        }
        let (extra, hidden) = extra_measures(run);
        let titles: Vec<String> = extra.iter().map(column_title).collect();
        let timed = any_timed(run);
        out.push_str(if timed {
            "| benchmark | wall time | mean ± σ | min … max |"
        } else {
            "| benchmark |"
        });
        for title in &titles {
            out.push_str(&format!(" {} |", cell(title)));
        }
        out.push_str(if timed {
            " runs |\n|---|--:|--:|--:|"
        } else {
            " runs |\n|---|"
        });
        out.push_str(&"--:|".repeat(extra.len()));
        out.push_str("--:|\n");
        for bench in &run.benchmarks {
            let status = match &bench.status {
                Status::Ok => String::new(),
                Status::Failed { message } => format!(" (failed: {})", cell(message)),
                Status::Skipped { reason } => format!(" (skipped: {})", cell(reason)),
            };
            let Some(wall) = bench.metric(&Measure::WallTime) else {
                // Counted but not timed (`--measure instructions`), or nothing measured.
                let extras: String = extra
                    .iter()
                    .map(|m| format!(" {} |", cell(&median_of(bench, m))))
                    .collect();
                let runs = bench.metrics.first().map_or(0, |m| m.summary.n);
                let untimed = if timed { " - | - | - |" } else { "" };
                out.push_str(&format!(
                    "| {}{status} |{untimed}{extras} {runs} |\n",
                    code_cell(&bench.name),
                ));
                continue;
            };
            out.push_str(&format!(
                "| {}{status} | {} | {} | {} |",
                code_cell(&bench.name),
                wall_center(wall),
                mean_sd(wall),
                range(wall),
            ));
            for m in &extra {
                out.push_str(&format!(" {} |", cell(&median_of(bench, m))));
            }
            out.push_str(&format!(" {} |\n", wall.summary.n));
        }
        let notes: Vec<String> = run
            .benchmarks
            .iter()
            .flat_map(|bench| {
                benchmark_notes(bench)
                    .into_iter()
                    .map(move |note| format!("- {}: {}\n", code(&bench.name), cell(&note)))
            })
            .collect();
        if !notes.is_empty() {
            out.push('\n');
            out.push_str(&notes.concat());
        }
        if hidden > 0 {
            out.push_str(&format!(
                "\n{hidden} more measures are in the JSON output.\n"
            ));
        }
        if let Some(first) = run.benchmarks.first().filter(|_| !comparisons.is_empty()) {
            out.push_str(&format!("\nCompared with {}:\n\n", code(&first.name)));
            out.push_str("| benchmark | measure | change | interval | p | relative | verdict |\n");
            out.push_str("|---|---|--:|---|--:|---|---|\n");
            for v in comparisons {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} |\n",
                    code_cell(&v.benchmark),
                    cell(v.measure.as_str()),
                    v.effect
                        .map_or_else(String::new, |e| crate::units::percent(e.percent())),
                    interval(v),
                    cell(&v.p_value.map_or_else(String::new, p_value)),
                    relative(v),
                    v.kind
                ));
            }
        }
        out
    }

    fn profiles(&self, links: &[ProfileLink]) -> Option<String> {
        (!links.is_empty()).then(|| profile_list(links))
    }

    fn comparison(&self, c: &Comparison) -> String {
        let icon = match c.outcome {
            Outcome::Passed => "✅",
            Outcome::Warned => "⚠️",
            Outcome::Inconclusive => "❔",
            Outcome::Failed | Outcome::CommandFailed => "❌",
        };
        let mut out = format!("### {icon} benchgate: {}\n\n", headline(c));
        out.push_str(&format!(
            "Current {} against baseline {}.\n\n",
            cell(&run_line(
                &c.current.label,
                c.current.mode,
                c.current.commit.as_deref(),
                None
            )),
            cell(&c.baseline.as_ref().map_or_else(
                || "none yet".to_string(),
                |b| run_line(&b.label, b.mode, b.commit.as_deref(), None)
            )),
        ));
        for failure in &c.command_failures {
            out.push_str(&format!("> **Failed**: {}\n\n", cell(failure)));
        }
        for warning in &c.warnings {
            out.push_str(&format!("> **Warning**: {}\n\n", cell(warning)));
        }
        let changes: Vec<&Verdict> = notable(c).collect();
        if c.baseline.is_none() && changes.is_empty() {
            out.push_str("No baseline yet: this run is the first to compare with.\n\n");
        } else if changes.is_empty() {
            out.push_str("No changes beyond the noise.\n\n");
        } else {
            // Checks have their own table below; their lines follow.
            let rows: Vec<&Verdict> = changes.iter().copied().filter(|v| !v.is_check()).collect();
            if !rows.is_empty() {
                verdict_rows(&mut out, &rows);
                out.push('\n');
            }
            for v in &changes {
                out.push_str(&format!(
                    "- {} · {}: {}\n",
                    code(&v.benchmark),
                    cell(v.measure.as_str()),
                    cell(&v.reason)
                ));
            }
            out.push('\n');
        }
        let budgets = budget_rows(c);
        if !budgets.is_empty() {
            out.push_str("| budget | benchmark | value | limit | headroom | status |\n");
            out.push_str("|---|---|--:|--:|--:|---|\n");
            for [label, bench, value, limit, headroom, status] in budgets {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {headroom} | {status} |\n",
                    cell(&label),
                    code_cell(&bench),
                    cell(&value),
                    cell(&limit),
                ));
            }
            out.push('\n');
        }
        let checks = check_rows(c);
        if !checks.is_empty() {
            out.push_str("| check | expression | value | bound | headroom | status |\n");
            out.push_str("|---|---|--:|--:|--:|---|\n");
            for [name, expr, value, bound, headroom, status] in checks {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {headroom} | {status} |\n",
                    cell(&name),
                    code_cell(&expr),
                    cell(&value),
                    cell(&bound),
                ));
            }
            out.push('\n');
        }
        if !c.profiles.is_empty() {
            out.push_str(&profile_list(&c.profiles));
        }
        let compared = compared(c);
        // Without a baseline nothing was compared: the fold holds the settings only, not an
        // empty table under "All 0 comparisons".
        if compared.is_empty() {
            out.push_str("<details><summary>Settings</summary>\n\n");
        } else {
            out.push_str(&format!(
                "<details><summary>All {}</summary>\n\n",
                benchgate_model::display::plural(compared.len(), "comparison")
            ));
            let all: Vec<&Verdict> = compared.iter().collect();
            verdict_rows(&mut out, &all);
        }
        if !c.geomean.is_empty() {
            out.push_str("\n| geomean | baseline | current | change |\n|---|--:|--:|--:|\n");
            for g in &c.geomean {
                out.push_str(&format!(
                    "| {} ({}) | {} | {} | {} |\n",
                    cell(g.measure.as_str()),
                    benchgate_model::display::plural(g.benchmarks, "benchmark"),
                    cell(
                        &g.baseline
                            .map_or_else(String::new, |x| format_value(x, &g.unit))
                    ),
                    cell(
                        &g.current
                            .map_or_else(String::new, |x| format_value(x, &g.unit))
                    ),
                    g.ratio.map_or_else(
                        || "?".to_string(),
                        |r| crate::units::percent((r - 1.0) * 100.0)
                    )
                ));
            }
        }
        out.push_str(&format!(
            "\nThresholds: warn {}%, fail {}%, α={} (Benjamini–Hochberg across the gated comparisons){}.\n\n</details>\n",
            c.thresholds.warn * 100.0,
            c.thresholds.fail * 100.0,
            c.thresholds.alpha,
            if c.deny_warnings { "; warnings fail the gate" } else { "" }
        ));
        out
    }
}

/// The profiles as a list: per benchmark a link to each file (the path percent-encoded, the name
/// escaped), or why it has none.
fn profile_list(links: &[ProfileLink]) -> String {
    let mut out = format!("**{}**\n\n", cell(&crate::profiles::heading(links)));
    for link in links {
        let what = match crate::profiles::not_taken(link) {
            Some(reason) => cell(&reason),
            None => link
                .files
                .iter()
                .map(|f| {
                    format!(
                        "[{}]({})",
                        cell(crate::profiles::file_name(f)),
                        crate::profiles::href(f)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
        };
        out.push_str(&format!("- {}: {what}\n", code(&link.label())));
    }
    out.push('\n');
    out
}
