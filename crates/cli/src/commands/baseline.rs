//! `benchgate baseline save | declare | list | delete`: named pointers to stored runs, and
//! declared baselines (runs of values a team already knows).

use anyhow::Context;
use benchgate_model::{Outcome, Source};
use benchgate_pipeline::baseline::{accept_baseline, declare_baseline, declared_run};
use benchgate_pipeline::store::{open_existing_store, open_store};
use benchgate_report::escape::terminal::line;
use benchgate_report::{display_width, pad_to_width};

use crate::cli::{BaselineCommand, GlobalArgs};
use crate::output::print;

pub fn execute(command: &BaselineCommand, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if let BaselineCommand::Declare { name, file } = command {
        return declare(name, file, global);
    }
    let store = open_existing_store(&global.store())?;
    match command {
        BaselineCommand::Save { name, run } => {
            let label = accept_baseline(store.as_ref(), name, run)?;
            if !global.quiet {
                print(&format!("baseline {name} → {label}\n"))?;
            }
        }
        BaselineCommand::List => {
            let baselines = store.list_baselines()?;
            let mut declared_ids = Vec::new();
            for b in &baselines {
                if store
                    .run_summary(b.run_id)?
                    .is_some_and(|summary| summary.source == Source::Declared)
                {
                    declared_ids.push(b.run_id);
                }
            }
            let mut out = String::new();
            if global.json {
                let rows: Vec<serde_json::Value> = baselines
                    .iter()
                    .map(|b| {
                        serde_json::json!({
                            "name": b.name,
                            "run_id": b.run_id.to_string(),
                            "declared": declared_ids.contains(&b.run_id),
                        })
                    })
                    .collect();
                out = format!("{}\n", serde_json::Value::Array(rows));
            } else if baselines.is_empty() {
                out.push_str("no baselines saved (benchgate baseline save NAME [RUN])\n");
            } else {
                // Measured as shown: escaped, in terminal columns.
                let names: Vec<_> = baselines.iter().map(|b| line(&b.name)).collect();
                let width = names.iter().map(|n| display_width(n)).max().unwrap_or(0);
                for (b, name) in baselines.iter().zip(&names) {
                    let declared = if declared_ids.contains(&b.run_id) {
                        "  (declared)"
                    } else {
                        ""
                    };
                    out.push_str(&format!(
                        "{}  run:{}{declared}\n",
                        pad_to_width(name, width),
                        b.run_id
                    ));
                }
            }
            print(&out)?;
        }
        BaselineCommand::Declare { .. } => {}
        BaselineCommand::Delete { name } => {
            store.delete_baseline(name)?;
            if !global.quiet {
                print(&format!("baseline {name} deleted\n"))?;
            }
        }
    }
    Ok(Outcome::Passed)
}

/// `baseline declare NAME FILE`: the file is read and checked whole before the store is opened,
/// so a bad file stores nothing.
fn declare(name: &str, file: &std::path::Path, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let values = benchgate_config::declared_values(file)?;
    let run = declared_run(&values, file, time::OffsetDateTime::now_utc())
        .with_context(|| format!("{}: not a valid declared baseline", file.display()))?;
    let store = open_store(&global.store())?;
    let declaration = declare_baseline(store.as_ref(), name, run)?;
    if !global.quiet {
        let measures: usize = declaration
            .run
            .benchmarks
            .iter()
            .map(|b| b.metrics.len())
            .sum();
        let replaced = match declaration.replaced {
            Some(old) => format!(" (replaces the earlier baseline {}: run:{old})", line(name)),
            None => String::new(),
        };
        print(&format!(
            "declared baseline {} → run:{}: {} of {} (judged by thresholds only){replaced}\n",
            line(name),
            declaration.run.id,
            benchgate_model::display::plural(measures, "value"),
            benchgate_model::display::plural(declaration.run.benchmarks.len(), "benchmark"),
        ))?;
    }
    Ok(Outcome::Passed)
}
