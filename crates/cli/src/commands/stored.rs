//! Reaching the history store from the command line: opening it and naming runs in it.

use anyhow::{Context, bail};
use benchgate_model::Run;
use benchgate_store::{Selector, Store, resolve};

use crate::cli::GlobalArgs;

/// Opens the store named by `--db` / `BENCHGATE_DB`.
pub fn open_store(global: &GlobalArgs) -> anyhow::Result<Box<dyn Store>> {
    benchgate_store::open(&global.db).context("cannot open the history store")
}

/// The one stored run `text` names (any selector but `window:N`), with a label for reports.
pub fn select_run(store: &dyn Store, text: &str) -> anyhow::Result<(Run, String)> {
    let selector = Selector::parse(text)?;
    if let Selector::Window(_) = selector {
        bail!("{text}: window:N names several runs; use it as a baseline, not as a run");
    }
    match resolve(store, &selector, "", None)? {
        Some(mut resolved) => match resolved.runs.pop() {
            Some(run) => Ok((run, resolved.label)),
            None => bail!("{text}: no stored run"),
        },
        None => bail!("{text}: the store holds no runs yet"),
    }
}
