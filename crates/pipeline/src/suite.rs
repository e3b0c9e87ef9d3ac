//! The configured suite end to end (`benchgate run` on benchgate.toml): plan → find the baseline →
//! measure → confirm suspects → store → judge. Everything that can be refused (the judging flags,
//! the store, the plan, the baseline, a mode mismatch) is refused before anything is measured or
//! written.

use std::path::{Path, PathBuf};

use benchgate_config::{Config, ConfirmMode};
use benchgate_model::{Mode, Run, Source};

use crate::PipelineError;
use crate::baseline::{BaselineChoice, Judged, find_baseline, pooled_baseline};
use crate::confirm::{Confirmation, Origin, confirm};
use crate::judge::{Findings, Judgement, command_failures, store_and_judge};
use crate::judging::{Judging, ThresholdFlags, check_command_measures, judging_for};
use crate::measure::{Progress, measure_plan, redact_failures};
use crate::plan::{Plan, SuiteOptions, plan_suite};
use crate::profiles::{ProfileRequest, ProfileTarget, capture_profiles};
use crate::store::{StoreLocation, check_store_writable, open_if_exists, open_or_create};

/// What the front end asks of a run of the configured suite.
#[derive(Debug, Clone)]
pub struct SuiteRequest {
    /// The file the suite was read from, for messages and notes.
    pub path: PathBuf,
    /// What the command line adds to every bench (FILTER, sampling, input, …).
    pub options: SuiteOptions,
    /// The judging flags, on top of the file's `[gate]`.
    pub flags: ThresholdFlags,
    /// `--baseline`, over `[gate] baseline`.
    pub baseline: Option<String>,
    pub allow_mode_mismatch: bool,
    /// `--confirm` (or `--no-confirm`), over `[gate] confirm`.
    pub confirm: Option<ConfirmMode>,
    pub store: StoreLocation,
    /// `--profile`: profile what regressed (or everything) once the run is judged.
    pub profile: Option<ProfileRequest>,
}

/// A suite whose judging settings are checked, ready to run.
pub struct Suite<'c> {
    config: &'c Config,
    request: SuiteRequest,
    judging: Judging,
}

/// The measured, stored and judged run of a suite.
pub struct SuiteOutcome {
    pub run: Run,
    pub judgement: Judgement,
}

impl<'c> Suite<'c> {
    /// Checks the judging settings of `config` with the request's flags (and that commands can
    /// have every gated measure). Nothing is read from the store or measured yet, so the front
    /// end can check its own outputs between this and [`Suite::run`].
    pub fn prepare(config: &'c Config, request: SuiteRequest) -> Result<Suite<'c>, PipelineError> {
        let judging = judging_for(
            config,
            Some(&request.path),
            &Source::Command,
            &request.flags,
            &[],
        )?;
        check_command_measures(&request.path, &judging.options)?;
        Ok(Suite {
            config,
            request,
            judging,
        })
    }

    /// Plans the suite, finds its baseline (before anything is measured: children are spawned
    /// from a small process of their own, so opening the store here does not move their peak
    /// RSS), measures it, confirms the suspects, then stores and judges the run. A store that
    /// does not exist yet is created only when there is a run to put in it.
    pub fn run(self, progress: &mut dyn Progress) -> Result<SuiteOutcome, PipelineError> {
        let Suite {
            config,
            request,
            judging,
        } = self;
        let path: &Path = &request.path;
        check_store_writable(&request.store)?;
        let plan = plan_suite(config, path, &request.options)?;

        let environment = benchgate_provenance::detect_environment();
        let fingerprint = environment.fingerprint.clone();
        let mut notes = Vec::new();
        let choice = BaselineChoice::new(
            request.baseline.as_deref(),
            config.gate.baseline.as_deref(),
            Some(path),
        );
        let existing = open_if_exists(&request.store)?;
        let benchmarks = plan.benchmarks();
        let judged = Judged {
            source: &Source::Command,
            fingerprint: &fingerprint,
            benchmarks: &benchmarks,
            filtered: plan.filtered,
        };
        let mut baseline = find_baseline(
            existing.as_deref(),
            &choice,
            &judged,
            request.allow_mode_mismatch,
            &mut notes,
        )?;

        let mut run = measure_plan(&plan, config, environment, progress)?;
        // A server that said it is a simulator made benchmarks simulated after the baseline was
        // chosen for real ones: choose it again for what was measured, mode checks included.
        if run.provenance.mode != plan.mode() {
            let measured: Vec<(String, Mode)> = benchmarks
                .iter()
                .map(|(name, mode)| {
                    let measured = run.benchmarks.iter().find(|b| &b.name == name);
                    (name.clone(), measured.and_then(|b| b.mode).unwrap_or(*mode))
                })
                .collect();
            notes.clear();
            let judged = Judged {
                benchmarks: &measured,
                ..judged
            };
            baseline = find_baseline(
                existing.as_deref(),
                &choice,
                &judged,
                request.allow_mode_mismatch,
                &mut notes,
            )?;
        }
        let store = open_or_create(existing, &request.store)?;
        let origins: Vec<Origin> = baseline
            .as_ref()
            .map_or_else(Vec::new, |b| b.runs.iter().map(Origin::of).collect());
        let baseline = pooled_baseline(baseline, &run, plan.filtered);
        let mode = request
            .confirm
            .unwrap_or_else(|| config.gate.confirm.unwrap_or_default());
        let mut confirmed = Vec::new();
        if let Some(baseline) = &baseline {
            let cwd = std::env::current_dir().map_err(PipelineError::CurrentDirectory)?;
            let confirmation = Confirmation {
                mode,
                store: store.as_ref(),
                baseline,
                origins: &origins,
                entries: &plan.entries,
                options: &judging.options,
                config,
                cwd: &cwd,
            };
            confirmed = confirm(&confirmation, &mut run, &mut notes, progress)?;
        }
        notes.extend(judging.note.clone());
        redact_failures(&mut run, config);
        let findings = Findings {
            command_failures: command_failures(&run),
            notes,
            confirmed,
            filtered: plan.filtered,
        };
        let mut judgement = store_and_judge(
            store.as_ref(),
            &run,
            baseline,
            &judging.options,
            &judging.budgets,
            findings,
        )?;
        if let Some(profile) = &request.profile {
            let targets = profile_targets(&plan);
            let profiled = capture_profiles(
                profile,
                run.id,
                &judgement.comparison.verdicts,
                &targets,
                progress,
            )?;
            judgement.comparison.profiles = profiled.links;
            judgement.notes.extend(profiled.note);
        }
        Ok(SuiteOutcome { run, judgement })
    }
}

/// What each benchmark of `plan` ran, to run again under a profiler.
fn profile_targets<'p>(plan: &'p Plan<'_>) -> Vec<ProfileTarget<'p>> {
    let mut targets: Vec<ProfileTarget<'p>> = plan
        .entries
        .iter()
        .map(|entry| ProfileTarget {
            benchmark: &entry.spec.name,
            side: None,
            spec: Ok(&entry.spec),
            stdin: entry.options.stdin.as_deref(),
        })
        .collect();
    targets.extend(plan.http.iter().map(|(_, http)| ProfileTarget {
        benchmark: &http.name,
        side: None,
        spec: Err(
            "an HTTP bench is load against a server: profile the server itself \
                   (perf record -p PID while benchgate drives it)",
        ),
        stdin: None,
    }));
    targets
}
