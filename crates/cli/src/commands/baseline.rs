//! `benchgate baseline save | list | delete`: named pointers to stored runs.

use benchgate_model::Outcome;
use benchgate_pipeline::baseline::accept_baseline;
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::escape::terminal::line;
use benchgate_report::{display_width, pad_to_width};

use crate::cli::{BaselineCommand, GlobalArgs};
use crate::output::print;

pub fn execute(command: &BaselineCommand, global: &GlobalArgs) -> anyhow::Result<Outcome> {
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
            let mut out = String::new();
            if global.json {
                let rows: Vec<serde_json::Value> = baselines
                    .iter()
                    .map(|b| serde_json::json!({ "name": b.name, "run_id": b.run_id.to_string() }))
                    .collect();
                out = format!("{}\n", serde_json::Value::Array(rows));
            } else if baselines.is_empty() {
                out.push_str("no baselines saved (benchgate baseline save NAME [RUN])\n");
            } else {
                // Measured as shown: escaped, in terminal columns.
                let names: Vec<_> = baselines.iter().map(|b| line(&b.name)).collect();
                let width = names.iter().map(|n| display_width(n)).max().unwrap_or(0);
                for (b, name) in baselines.iter().zip(&names) {
                    out.push_str(&format!(
                        "{}  run:{}\n",
                        pad_to_width(name, width),
                        b.run_id
                    ));
                }
            }
            print(&out)?;
        }
        BaselineCommand::Delete { name } => {
            store.delete_baseline(name)?;
            if !global.quiet {
                print(&format!("baseline {name} deleted\n"))?;
            }
        }
    }
    Ok(Outcome::Passed)
}
