//! `benchgate runs list`, `benchgate export` and `benchgate import`: runs in and out of the store
//! as canonical JSON.

use anyhow::Context;
use benchgate_model::Run;
use benchgate_report::escape::terminal::lines;
use serde_json::json;

use super::Conclusion;
use super::stored::{open_existing_store, open_store, select_run};
use crate::cli::{ExportArgs, GlobalArgs, ImportArgs};
use crate::commands::compare::read_run;
use crate::output::{print, write_file};

pub fn list(limit: usize, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    if !benchgate_store::exists(&global.db) {
        print(if global.json {
            "[]\n"
        } else {
            "no runs stored yet\n"
        })?;
        return Ok(Conclusion::Passed);
    }
    let store = open_store(global)?;
    let runs = store.list_runs(limit)?;
    if global.json {
        let rows: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| {
                json!({
                    "id": r.id.to_string(),
                    "started_at": r.started_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    "source": r.source.to_string(),
                    "mode": r.mode.as_str(),
                    "commit": r.commit,
                    "branch": r.branch,
                    "fingerprint": r.fingerprint,
                    "benchmarks": r.benchmarks,
                })
            })
            .collect();
        print(&format!("{}\n", serde_json::Value::Array(rows)))?;
        return Ok(Conclusion::Passed);
    }
    if runs.is_empty() {
        print(&format!("no runs stored in {}\n", global.db))?;
        return Ok(Conclusion::Passed);
    }
    // Sources run from `load` to `ingest:google-benchmark`: the column is as wide as they are.
    let width = runs
        .iter()
        .map(|r| r.source.to_string().len())
        .max()
        .unwrap_or(0)
        .max("source".len());
    let mut out = format!(
        "id                                    started                {:<width$}  mode       commit      branch  benchmarks\n",
        "source"
    );
    for r in &runs {
        let started = r
            .started_at
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}  {}  {:<width$}  {:<9}  {:<10}  {:<6}  {}\n",
            r.id,
            started,
            r.source.to_string(),
            r.mode.as_str(),
            r.commit
                .as_deref()
                .map_or("-", benchgate_model::display::short_commit),
            r.branch.as_deref().unwrap_or("-"),
            r.benchmarks
        ));
    }
    // Branches and sources of imported runs come from outside.
    print(&lines(&out))?;
    Ok(Conclusion::Passed)
}

pub fn export(args: &ExportArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    let store = open_existing_store(global)?;
    let (run, _) = select_run(store.as_ref(), &args.run)?;
    let mut text = run.to_json_pretty();
    text.push('\n');
    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => print(&text)?,
    }
    Ok(Conclusion::Passed)
}

pub fn import(args: &ImportArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    // Read and check every file first, so one bad file stores nothing.
    let runs: Vec<(String, Run)> = args
        .files
        .iter()
        .map(|path| read_run(path).map(|run| (path.display().to_string(), run)))
        .collect::<anyhow::Result<_>>()?;
    let store = open_store(global)?;
    for (name, run) in &runs {
        if store.get_run(run.id)?.is_some() {
            anyhow::bail!(
                "{name}: run {} is already stored; nothing was imported",
                run.id
            );
        }
    }
    let mut out = String::new();
    for (name, run) in &runs {
        store.put_run(run).with_context(|| name.clone())?;
        out.push_str(&format!(
            "imported run {} ({} benchmarks) from {name}\n",
            run.id,
            run.benchmarks.len()
        ));
    }
    if !global.quiet {
        print(&out)?;
    }
    Ok(Conclusion::Passed)
}
