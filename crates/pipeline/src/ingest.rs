//! Judging a run made of files (`ingest`, `exec`) the way `run` judges the configured suite:
//! benchgate.toml's `[gate]` and budgets when they judge the run's source (see [`judging_for`]),
//! the flags on top, the baseline found before anything is written, then store and judge.

use std::path::PathBuf;

use benchgate_config::Config;
use benchgate_model::{Measure, Run, Source};
use benchgate_store::Scope;

use crate::PipelineError;
use crate::baseline::{BaselineChoice, Judged, find_baseline, pooled_baseline};
use crate::judge::{Findings, Judgement, store_and_judge};
use crate::judging::{ThresholdFlags, judging_for};
use crate::store::{StoreLocation, check_store_writable, open_if_exists, open_or_create};

/// What the command line says about judging a run of files.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// `--baseline`.
    pub baseline: Option<String>,
    pub flags: ThresholdFlags,
    /// `--measure`.
    pub measures: Vec<Measure>,
    pub allow_mode_mismatch: bool,
}

/// The judging settings of a run of files, read and checked before anything runs or is read;
/// which of them apply waits for the run's source.
#[derive(Debug)]
pub struct FileRunGate {
    options: GateOptions,
    config: Config,
    config_path: Option<PathBuf>,
}

impl FileRunGate {
    /// The settings of `config` (from [`crate::judging::load_config`], with the file it was read from) and the
    /// command line's `options`, whose flags are checked now.
    pub fn new(
        (config, config_path): (Config, Option<PathBuf>),
        options: GateOptions,
    ) -> Result<FileRunGate, PipelineError> {
        judging_for(
            &config,
            config_path.as_deref(),
            &Source::Command,
            &options.flags,
            &options.measures,
        )?;
        Ok(FileRunGate {
            options,
            config,
            config_path,
        })
    }

    /// Finds the baseline in the store at `location` (refusing a mode mismatch or an unknown
    /// explicit name before anything is written), stores `run` and judges it.
    /// `command_failures`: the harness that produced it failed (the outcome is then
    /// `command_failed`).
    pub fn store_and_judge(
        self,
        run: &Run,
        location: &StoreLocation,
        command_failures: Vec<String>,
    ) -> Result<Judgement, PipelineError> {
        let judging = judging_for(
            &self.config,
            self.config_path.as_deref(),
            &run.source,
            &self.options.flags,
            &self.options.measures,
        )?;
        let choice = BaselineChoice::new(
            self.options.baseline.as_deref(),
            self.config.gate.baseline.as_deref(),
            self.config_path.as_deref(),
        );
        check_store_writable(location)?;
        let existing = open_if_exists(location)?;
        let mut notes: Vec<String> = judging.note.into_iter().collect();
        let benchmarks = Scope::benchmarks_of(run);
        let judged = Judged {
            source: &run.source,
            fingerprint: &run.environment.fingerprint,
            benchmarks: &benchmarks,
            filtered: false,
        };
        let baseline = find_baseline(
            existing.as_deref(),
            &choice,
            &judged,
            self.options.allow_mode_mismatch,
            &mut notes,
        )?;
        let store = open_or_create(existing, location)?;
        store_and_judge(
            store.as_ref(),
            run,
            pooled_baseline(baseline, run, false),
            &judging.options,
            &judging.budgets,
            Findings {
                notes,
                command_failures,
                ..Findings::default()
            },
        )
    }
}
