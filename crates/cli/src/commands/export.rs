//! `benchgate export RUN`: one stored run out of the store as canonical JSON.

use benchgate_model::Outcome;
use benchgate_pipeline::baseline::select_run;
use benchgate_pipeline::store::open_existing_store;

use crate::cli::{ExportArgs, GlobalArgs};
use crate::output::{print, write_file};

pub fn execute(args: &ExportArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let (run, _) = select_run(store.as_ref(), &args.run)?;
    let mut text = run.to_json_pretty();
    text.push('\n');
    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => print(&text)?,
    }
    Ok(Outcome::Passed)
}
