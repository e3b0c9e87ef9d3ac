//! `benchgate import FILE…`: runs written as canonical JSON into the store, all or none.

use anyhow::Context;
use benchgate_model::display::plural;
use benchgate_model::{Outcome, Run};
use benchgate_pipeline::sources::read_run;
use benchgate_pipeline::store::open_store;

use crate::cli::{GlobalArgs, ImportArgs};
use crate::output::print;

/// A file that another harness wrote is for `ingest`, not `import`: say so, with the format
/// recognised.
fn with_ingest_hint(path: &std::path::Path, error: anyhow::Error) -> anyhow::Error {
    use benchgate_adapters::Format;
    let Ok(bytes) = std::fs::read(path) else {
        return error;
    };
    match benchgate_adapters::detect(&bytes) {
        Some(Format::Benchgate) => error,
        Some(format) => anyhow::anyhow!(
            "{}: this is {} output, not a benchgate run file; `benchgate ingest {}` reads it",
            path.display(),
            format.name(),
            path.display()
        ),
        None => anyhow::anyhow!(
            "{}: not a benchgate run file ({}); `benchgate ingest` reads other harnesses' output",
            path.display(),
            error.root_cause()
        ),
    }
}

pub fn execute(args: &ImportArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    // Read and check every file first, so one bad file stores nothing.
    let runs: Vec<(String, Run)> = args
        .files
        .iter()
        .map(|path| {
            read_run(path)
                .map(|run| (path.display().to_string(), run))
                .map_err(|e| with_ingest_hint(path, e.into()))
        })
        .collect::<anyhow::Result<_>>()?;
    // The same run twice in the batch, or one already stored: nothing is stored.
    for (i, (name, run)) in runs.iter().enumerate() {
        if let Some((first, _)) = runs[..i].iter().find(|(_, r)| r.id == run.id) {
            anyhow::bail!(
                "{name}: run {} is also in {first}; nothing was imported",
                run.id
            );
        }
    }
    let store = open_store(&global.store())?;
    for (name, run) in &runs {
        if store.get_run(run.id)?.is_some() {
            anyhow::bail!(
                "{name}: run {} is already stored; nothing was imported",
                run.id
            );
        }
    }
    let batch: Vec<Run> = runs.iter().map(|(_, run)| run.clone()).collect();
    store.put_runs(&batch).context("nothing was imported")?;
    let mut out = String::new();
    for (name, run) in &runs {
        out.push_str(&format!(
            "imported run {} ({}) from {name}\n",
            run.id,
            plural(run.benchmarks.len(), "benchmark")
        ));
    }
    if !global.quiet {
        print(&out)?;
    }
    Ok(Outcome::Passed)
}
