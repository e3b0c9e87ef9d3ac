//! `run`'s paired confirmation (`[gate] confirm = "paired"`, `--confirm paired`): the CLI side of
//! [`benchgate_pipeline::confirm`] — progress on standard error, the pairs measured with a
//! progress display, and what comes back turned into verdicts and notes.

use std::io::IsTerminal;

use benchgate_config::Config;
use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{Run, Verdict};
use benchgate_pipeline::confirm::{
    Candidate, Confirmed, DEFAULT_CONFIRM_MAX_TIME, Origin, Request, confirm_paired,
};
use benchgate_report::escape::terminal::line;
use benchgate_store::Store;

use super::gate::with_noise_floors;
use crate::cli::GlobalArgs;
use crate::progress::Progress;

/// Runs paired confirmation of `run` against the pooled `baseline` (the runs behind it:
/// `origins`), with `candidates` the time-measured commands. Returns the verdicts that replace the
/// unpaired ones, or `None` when the suspects are to be measured again instead (a note in `notes`
/// says why).
#[allow(clippy::too_many_arguments)]
pub fn confirm(
    store: &dyn Store,
    run: &mut Run,
    candidates: &[Candidate<'_>],
    (base, label): &(Run, String),
    origins: &[Origin],
    options: &CompareOptions,
    config: &Config,
    notes: &mut Vec<String>,
    global: &GlobalArgs,
) -> anyhow::Result<Option<Vec<Verdict>>> {
    benchgate_measure::install_interrupt_handlers()?;
    let options = with_noise_floors(store, run, options)?;
    let first = compare_runs(base, label, run, "first measurement", &options);
    let cwd = std::env::current_dir()?;
    let request = Request {
        first: &first,
        origins,
        candidates,
        build: config.build.command.as_deref(),
        max_time: config
            .gate
            .confirm_max_time
            .unwrap_or(DEFAULT_CONFIRM_MAX_TIME),
        cwd: &cwd,
    };
    let quiet = global.quiet;
    let mut measure_pairs = |name: &str, base: &_, head: &_, options: &_, thresholds| {
        let names = vec![format!("{name} (baseline)"), format!("{name} (current)")];
        let mut progress = Progress::new(names, quiet, std::io::stderr().is_terminal());
        let result =
            benchgate_pipeline::ab::run_pairs(base, head, options, thresholds, &mut progress);
        progress.finish();
        result
    };
    let mut say = |text: &str| {
        if !quiet {
            eprintln!("{}", line(text));
        }
    };
    match confirm_paired(&request, &mut measure_pairs, &mut say)? {
        Confirmed::NoSuspects => Ok(Some(Vec::new())),
        Confirmed::Unavailable { note, .. } => {
            notes.push(note);
            Ok(None)
        }
        Confirmed::Paired {
            suspects,
            verdicts,
            notes: said,
        } => {
            run.provenance
                .tags
                .insert("confirmed_paired".into(), suspects.join(","));
            notes.extend(said);
            Ok(Some(verdicts))
        }
    }
}
