//! `benchgate export [RUN]`: one stored run out of the store as canonical JSON; `benchgate export
//! --series BENCH`: one benchmark's history series as CSV or JSON Lines.

use anyhow::{Context, bail};
use benchgate_gate::canonical_unit;
use benchgate_model::{Measure, Outcome};
use benchgate_pipeline::baseline::select_run;
use benchgate_pipeline::history::series_rows;
use benchgate_pipeline::store::open_existing_store;
use benchgate_report::{series_csv, series_jsonl};
use benchgate_store::Store;

use crate::cli::{ExportArgs, ExportOutputFormat, GlobalArgs};
use crate::output::{print, write_file};

pub fn execute(args: &ExportArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    // Flags are checked before the store is opened: a wrong combination changes nothing.
    let format = match (&args.series, args.format) {
        (None, None | Some(ExportOutputFormat::Json)) => ExportOutputFormat::Json,
        (None, Some(other)) => bail!(
            "--format {} is for a history series: add --series BENCH (a run exports as JSON only)",
            format_name(other)
        ),
        (Some(_), None) if global.json => ExportOutputFormat::Jsonl,
        (Some(_), None) => ExportOutputFormat::Csv,
        (Some(_), Some(ExportOutputFormat::Json)) => {
            bail!("a history series exports as --format csv or --format jsonl, not json")
        }
        (Some(_), Some(other)) => other,
    };
    let store = open_existing_store(&global.store())?;
    let text = match &args.series {
        None => {
            let (run, _) = select_run(store.as_ref(), args.run.as_deref().unwrap_or("last"))?;
            let mut text = run.to_json_pretty();
            text.push('\n');
            text
        }
        Some(bench) => series(store.as_ref(), bench, args, format)?,
    };
    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => print(&text)?,
    }
    Ok(Outcome::Passed)
}

fn format_name(format: ExportOutputFormat) -> &'static str {
    match format {
        ExportOutputFormat::Json => "json",
        ExportOutputFormat::Csv => "csv",
        ExportOutputFormat::Jsonl => "jsonl",
    }
}

/// The stored series of `bench`'s measure (this machine's runs unless `--all-machines`), oldest
/// first, as `format`; an error when no stored run has it, as `benchgate history` says.
fn series(
    store: &dyn Store,
    bench: &str,
    args: &ExportArgs,
    format: ExportOutputFormat,
) -> anyhow::Result<String> {
    let measure = Measure::parse(args.measure.trim());
    let mut points = store
        .series(bench, &measure, usize::MAX)
        .with_context(|| format!("cannot read the history of {bench}"))?;
    if !args.all_machines {
        let fingerprint = benchgate_provenance::detect_environment().fingerprint;
        points.retain(|p| p.fingerprint == fingerprint);
    }
    if points.is_empty() {
        bail!(
            "{bench} / {measure}: no stored run{} has it (`benchgate runs list` shows what is stored)",
            if args.all_machines {
                ""
            } else {
                " of this machine (--all-machines: of any)"
            }
        );
    }
    let rows = series_rows(&points);
    let unit = canonical_unit(&measure);
    Ok(match format {
        ExportOutputFormat::Jsonl => series_jsonl(bench, &measure, &unit, &rows),
        _ => series_csv(bench, &measure, &unit, &rows),
    })
}
