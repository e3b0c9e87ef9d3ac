//! `benchgate runs list`, `runs delete` and `runs prune`: the stored runs, listed and removed.

use benchgate_model::Outcome;
use benchgate_model::display::plural;
use benchgate_pipeline::baseline::select_run;
use benchgate_pipeline::store::{open_existing_store, open_store};
use benchgate_report::escape::terminal::lines;
use benchgate_store::{BaselinedRuns, Deleted, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::cli::{GlobalArgs, RunsDeleteArgs, RunsPruneArgs};
use crate::output::print;

pub fn list(limit: usize, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if !benchgate_store::exists(&global.db) {
        print(if global.json {
            "[]\n"
        } else {
            "no runs stored yet\n"
        })?;
        return Ok(Outcome::Passed);
    }
    let store = open_store(&global.store())?;
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
        return Ok(Outcome::Passed);
    }
    if runs.is_empty() {
        print(&format!("no runs stored in {}\n", global.db))?;
        return Ok(Outcome::Passed);
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
    Ok(Outcome::Passed)
}

/// `runs delete RUN…`: one transaction; a run a baseline points at needs --force.
pub fn delete(args: &RunsDeleteArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let mut ids = Vec::with_capacity(args.runs.len());
    for text in &args.runs {
        // An id is taken as it is, without reading the run: one that no longer reads can
        // still be deleted.
        let id = match Uuid::parse_str(text.strip_prefix("run:").unwrap_or(text)) {
            Ok(id) => id,
            Err(_) => select_run(store.as_ref(), text)?.0.id,
        };
        ids.push(id);
    }
    let policy = if args.force {
        BaselinedRuns::Delete
    } else {
        BaselinedRuns::Refuse
    };
    let deleted = store.delete_runs(&ids, policy).map_err(|e| match e {
        StoreError::RunHasBaselines { .. } => {
            anyhow::anyhow!("{e} (--force deletes it and them); nothing was deleted")
        }
        e => anyhow::Error::new(e).context("nothing was deleted"),
    })?;
    if !global.quiet {
        print(&describe_deleted(&deleted))?;
    }
    Ok(Outcome::Passed)
}

/// `runs prune --older-than AGE`: the old runs, in one transaction.
pub fn prune(args: &RunsPruneArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let store = open_existing_store(&global.store())?;
    let age = time::Duration::seconds_f64(args.older_than.seconds.min(1e15));
    let cutoff = time::OffsetDateTime::now_utc()
        .checked_sub(age)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let old = store.runs_started_before(cutoff)?;
    let policy = if args.force {
        BaselinedRuns::Delete
    } else if args.keep_baselines {
        BaselinedRuns::Keep
    } else {
        BaselinedRuns::Refuse
    };
    let deleted = store.delete_runs(&old, policy).map_err(|e| match e {
        StoreError::RunHasBaselines { .. } => anyhow::anyhow!(
            "{e}; --keep-baselines keeps such runs, --force deletes them with their baselines; nothing was deleted"
        ),
        e => anyhow::Error::new(e).context("nothing was deleted"),
    })?;
    if !global.quiet {
        print(&describe_deleted(&deleted))?;
    }
    Ok(Outcome::Passed)
}

fn describe_deleted(deleted: &Deleted) -> String {
    let mut out = format!("deleted {}\n", plural(deleted.runs.len(), "run"));
    for b in &deleted.baselines {
        out.push_str(&format!("deleted baseline {} (run {})\n", b.name, b.run_id));
    }
    for b in &deleted.kept {
        out.push_str(&format!("kept run {} (baseline {})\n", b.run_id, b.name));
    }
    out
}
