//! Confirming suspects before a run fails its gate: a benchmark an unpaired comparison with the
//! stored baseline cannot call clearly unchanged is judged again, either paired against a build of
//! the baseline's commit ([`paired`], `[gate] confirm = "paired"`) or by measuring it once more
//! ([`remeasure`], the default, and the fallback when there is no commit to check out).

mod build;
pub mod paired;
pub mod remeasure;
mod worktree;

use std::path::Path;

use benchgate_config::{Config, ConfirmMode};
use benchgate_gate::{CompareOptions, compare_runs};
use benchgate_model::{Run, Verdict};
use benchgate_store::Store;

pub use paired::*;
pub use remeasure::confirm_suspects;

use crate::PipelineError;
use crate::measure::Progress;
use crate::noise::with_noise_floors;
use crate::plan::Entry;

/// What confirming the suspects of one run needs besides the run.
pub struct Confirmation<'a> {
    pub mode: ConfirmMode,
    pub store: &'a dyn Store,
    /// The pooled baseline and its label.
    pub baseline: &'a (Run, String),
    /// The stored runs behind the pooled baseline (their commits).
    pub origins: &'a [Origin],
    /// The planned commands, for measuring suspects again or pairing them.
    pub entries: &'a [Entry],
    pub options: &'a CompareOptions,
    /// `[build] command` and `[gate] confirm_max_time`.
    pub config: &'a Config,
    /// The current checkout, whose commands' directories are mapped into the baseline's.
    pub cwd: &'a Path,
}

/// Confirms the suspects of `run` the way `confirmation.mode` says. Returns the verdicts that
/// replace the unpaired ones (paired confirmation); measuring again replaces the suspects'
/// metrics in `run` instead. Paired confirmation that cannot be done says why in `notes` and
/// falls back to measuring again.
pub fn confirm(
    confirmation: &Confirmation<'_>,
    run: &mut Run,
    notes: &mut Vec<String>,
    progress: &mut dyn Progress,
) -> Result<Vec<Verdict>, PipelineError> {
    let c = confirmation;
    let remeasure = |run: &mut Run, notes: &mut Vec<String>, progress: &mut dyn Progress| {
        confirm_suspects(
            c.store, run, c.entries, c.baseline, c.options, notes, progress,
        )
    };
    match c.mode {
        ConfirmMode::Off => Ok(Vec::new()),
        ConfirmMode::Remeasure => {
            remeasure(run, notes, progress)?;
            Ok(Vec::new())
        }
        ConfirmMode::Paired => match confirm_paired_run(c, run, progress)? {
            PairedRun::Verdicts(verdicts, said) => {
                notes.extend(said);
                Ok(verdicts)
            }
            PairedRun::Unavailable(note) => {
                notes.push(note);
                remeasure(run, notes, progress)?;
                Ok(Vec::new())
            }
        },
    }
}

enum PairedRun {
    Verdicts(Vec<Verdict>, Vec<String>),
    Unavailable(String),
}

fn confirm_paired_run(
    c: &Confirmation<'_>,
    run: &mut Run,
    progress: &mut dyn Progress,
) -> Result<PairedRun, PipelineError> {
    benchgate_measure::install_interrupt_handlers()?;
    let options = with_noise_floors(c.store, run, c.options)?;
    let (base, label) = c.baseline;
    let first = compare_runs(base, label, run, "first measurement", &options);
    let candidates: Vec<Candidate<'_>> = c
        .entries
        .iter()
        .filter(|e| e.time && e.load.is_none())
        .map(|e| Candidate {
            spec: &e.spec,
            options: &e.options,
        })
        .collect();
    let request = Request {
        first: &first,
        origins: c.origins,
        candidates: &candidates,
        build: c.config.build.command.as_deref(),
        max_time: c
            .config
            .gate
            .confirm_max_time
            .unwrap_or(DEFAULT_CONFIRM_MAX_TIME),
        cwd: c.cwd,
    };
    // The pairs' progress and the steps' status lines share the front end's display; the closure
    // below and `say` each need it, one after the other.
    let progress = std::cell::RefCell::new(progress);
    let mut measure_pairs = |name: &str, base: &_, head: &_, options: &_, thresholds| {
        let mut progress = progress.borrow_mut();
        progress.start(&[format!("{name} (baseline)"), format!("{name} (current)")]);
        let result = crate::ab::run_pairs(base, head, options, thresholds, &mut **progress);
        progress.finish();
        result
    };
    let mut say = |text: &str| progress.borrow_mut().status(text);
    let confirmed = confirm_paired(&request, &mut measure_pairs, &mut say)?;
    Ok(match confirmed {
        Confirmed::NoSuspects => PairedRun::Verdicts(Vec::new(), Vec::new()),
        Confirmed::Unavailable { note, .. } => PairedRun::Unavailable(note),
        Confirmed::Paired {
            suspects,
            verdicts,
            notes,
        } => {
            run.provenance
                .tags
                .insert("confirmed_paired".into(), suspects.join(","));
            PairedRun::Verdicts(verdicts, notes)
        }
    })
}
