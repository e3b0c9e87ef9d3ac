//! Reaching the history store from the command line: opening it and naming runs in it.

use anyhow::{Context, bail};
use benchgate_model::Run;
use benchgate_store::Store;

use super::from_pipeline;
use crate::cli::GlobalArgs;

/// Opens the store named by `--db` / `BENCHGATE_DB`.
pub fn open_store(global: &GlobalArgs) -> anyhow::Result<Box<dyn Store>> {
    benchgate_store::open(&global.db).context("cannot open the history store")
}

/// The store when it exists already, for finding a baseline before anything is measured or
/// written; see [`open_or_create`].
pub fn open_if_exists(global: &GlobalArgs) -> anyhow::Result<Option<Box<dyn Store>>> {
    if benchgate_store::exists(&global.db) {
        Ok(Some(open_store(global)?))
    } else {
        Ok(None)
    }
}

/// `existing` (from [`open_if_exists`]), else the store created now: only when there is a run to
/// put in it.
pub fn open_or_create(
    existing: Option<Box<dyn Store>>,
    global: &GlobalArgs,
) -> anyhow::Result<Box<dyn Store>> {
    match existing {
        Some(store) => Ok(store),
        None => open_store(global),
    }
}

/// Refuses, before anything is measured, an SQLite store that could not be created or written
/// (a read-only file or directory, a path through a file). PostgreSQL is checked by connecting.
pub fn check_store_writable(global: &GlobalArgs) -> anyhow::Result<()> {
    let Some(path) = global.db.strip_prefix("sqlite://") else {
        return Ok(());
    };
    let path = std::path::Path::new(path);
    let cannot = |why: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "cannot open the history store: {}: {why}; nothing was measured",
            path.display()
        )
    };
    if path.is_dir() {
        return Err(cannot(&"is a directory, not an SQLite file"));
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| cannot(&e))?;
    }
    // SQLite writes its journal beside the file: the directory (or the nearest existing
    // ancestor, for a store not created yet) must take new files.
    let mut dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    while !dir.exists() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => dir = std::path::PathBuf::from("."),
        }
    }
    if !dir.is_dir() {
        return Err(cannot(&format!("{} is not a directory", dir.display())));
    }
    tempfile::Builder::new()
        .prefix(".benchgate-probe-")
        .tempfile_in(&dir)
        .map(drop)
        .map_err(crate::output::without_temp_path)
        .map_err(|e| cannot(&format!("{} is not writable ({e})", dir.display())))
}

/// Opens a store that must already hold runs: reading commands never create an empty one.
pub fn open_existing_store(global: &GlobalArgs) -> anyhow::Result<Box<dyn Store>> {
    if !benchgate_store::exists(&global.db) {
        bail!(
            "{}: no runs stored here yet (`benchgate run` or `benchgate import` stores some)",
            global.db
        );
    }
    open_store(global)
}

/// The one stored run `text` names (any selector but `window:N`), with a label for reports.
pub fn select_run(store: &dyn Store, text: &str) -> anyhow::Result<(Run, String)> {
    benchgate_pipeline::baseline::select_run(store, text).map_err(from_pipeline)
}
