//! `benchgate history BENCH`: a benchmark's stored series and the shifts of level detected in it
//! (SPEC §7.3), and the noise floor of its current level.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use benchgate_gate::{canonical_unit, floor_from_history};
use benchgate_model::display::plural;
use benchgate_model::display::{format_value, percent};
use benchgate_model::{Measure, Outcome};
use benchgate_pipeline::history::{BenchHistory, HistoryQuery, history};
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::escape::terminal::lines;
use benchgate_store::{NoiseFloor, SeriesPoint};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{GlobalArgs, HistoryArgs};
use crate::output::print;

pub fn execute(args: &HistoryArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let measure = Measure::parse(args.measure.trim());
    let fingerprint = benchgate_provenance::detect_environment().fingerprint;
    let BenchHistory {
        points,
        change_points: shifts,
    } = history(
        store.as_ref(),
        &HistoryQuery {
            benchmark: &args.bench,
            measure: &measure,
            fingerprint: (!args.all_machines).then_some(fingerprint.as_str()),
            through_run: None,
            limit: args.limit as usize,
            min_segment: args.min_segment as usize,
        },
    )?;
    if points.is_empty() {
        bail!(
            "{} / {measure}: no stored run{} has it (`benchgate runs list` shows what is stored)",
            args.bench,
            if args.all_machines {
                ""
            } else {
                " of this machine"
            }
        );
    }
    let values: Vec<f64> = points.iter().map(|p| p.median).collect();
    let current_level = shifts.last().map_or(0, |c| c.index);
    // Only the runs after the last shift: a change of level is not noise.
    let estimate = floor_from_history(&values[current_level..]);
    let floor = estimate.as_ref().ok().map(|e| e.relative);

    let mut saved = None;
    if args.save_noise_floor {
        let estimate = estimate
            .as_ref()
            .map_err(|why| anyhow::anyhow!("{}: no noise floor stored: {why}", args.bench))?;
        let relative = estimate.relative;
        let record = NoiseFloor {
            fingerprint: fingerprint.clone(),
            benchmark: args.bench.clone(),
            measure: measure.clone(),
            relative,
            samples: values.len() - current_level,
            method: "history".into(),
            learned_at: OffsetDateTime::now_utc(),
        };
        store
            .save_noise_floor(&record)
            .context("cannot store the noise floor")?;
        saved = Some(relative);
    }

    if global.json {
        let doc = json!({
            "schema": "benchgate/history/v1",
            "benchmark": args.bench,
            "measure": measure.as_str(),
            "fingerprint": (!args.all_machines).then_some(fingerprint),
            "points": points.iter().map(|p| json!({
                "run_id": p.run_id.to_string(),
                "started_at": p.started_at.format(&Rfc3339).unwrap_or_default(),
                "commit": p.commit,
                "fingerprint": p.fingerprint,
                "median": p.median,
            })).collect::<Vec<_>>(),
            "change_points": shifts.iter().map(|c| json!({
                "index": c.index,
                "run_id": points.get(c.index).map(|p| p.run_id.to_string()),
                "before_median": c.before_median,
                "after_median": c.after_median,
                "relative_shift": c.relative_shift,
            })).collect::<Vec<_>>(),
            "noise_floor": floor,
            "noise_floor_runs": values.len() - current_level,
            "noise_floor_outliers": estimate.as_ref().ok().map(|e| e.outliers),
            "noise_floor_refused": estimate.as_ref().err().map(ToString::to_string),
            "noise_floor_saved": saved.is_some(),
        });
        print(&format!("{doc:#}\n"))?;
        return Ok(Outcome::Passed);
    }

    let unit = canonical_unit(&measure);
    let mut out = format!(
        "{} · {} · {} run{}{}, oldest first\n",
        args.bench,
        measure,
        points.len(),
        if points.len() == 1 { "" } else { "s" },
        if args.all_machines {
            String::from(" of every machine")
        } else {
            format!(" on machine {fingerprint}")
        }
    );
    let _ = writeln!(
        out,
        "{:>4}  {:<19}  {:<10}  {:>10}",
        "#", "started", "commit", "median"
    );
    for (i, p) in points.iter().enumerate() {
        let marker = shifts
            .iter()
            .find(|c| c.index == i)
            .map_or_else(String::new, |c| {
                format!("  ← {} shift", percent(c.relative_shift * 100.0))
            });
        let _ = writeln!(
            out,
            "{:>4}  {:<19}  {:<10}  {:>10}{marker}",
            i + 1,
            started(p),
            p.commit
                .as_deref()
                .map_or("-", benchgate_model::display::short_commit),
            format_value(p.median, &unit),
        );
    }
    if shifts.is_empty() {
        out.push_str("\nno shift of level");
        let min_segment = args.min_segment as usize;
        if values.len() < 2 * min_segment {
            let _ = write!(
                out,
                " (too few runs: a level must last {})",
                plural(min_segment, "run")
            );
        }
        out.push('\n');
    } else {
        out.push_str("\nshifts of level:\n");
        for c in &shifts {
            let at = &points[c.index.min(points.len() - 1)];
            let commit = at.commit.as_deref().map_or_else(String::new, |s| {
                format!(", commit {}", benchgate_model::display::short_commit(s))
            });
            let _ = writeln!(
                out,
                "  at #{} ({}{commit}): {} → {} ({}), runs {}–{} vs {}–{}",
                c.index + 1,
                started(at),
                format_value(c.before_median, &unit),
                format_value(c.after_median, &unit),
                percent(c.relative_shift * 100.0),
                c.before.start + 1,
                c.before.end,
                c.after.start + 1,
                c.after.end,
            );
        }
    }
    match &estimate {
        Ok(e) => {
            let _ = writeln!(
                out,
                "noise floor at the current level: {} ({}{}){}",
                percent(e.relative * 100.0).trim_start_matches('+'),
                plural(values.len() - current_level, "run"),
                if e.outliers > 0 {
                    format!(", {} outlier run(s) left out", e.outliers)
                } else {
                    String::new()
                },
                if saved.is_some() { " (stored)" } else { "" }
            );
        }
        Err(why) => {
            let _ = writeln!(out, "no noise floor: {why}");
        }
    }
    // The benchmark's name and measure come from outside.
    print(&lines(&out))?;
    Ok(Outcome::Passed)
}

fn started(p: &SeriesPoint) -> String {
    p.started_at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}
