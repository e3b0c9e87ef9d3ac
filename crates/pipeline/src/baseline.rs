//! The baseline a run is judged against: which selector names it, and finding it before anything
//! is measured or written.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use benchgate_config::DeclaredValue;
use benchgate_gate::pool_runs;
use benchgate_model::{Benchmark, Environment, Metric, Mode, Provenance, Run, Source, Status};
use benchgate_store::{
    BaselinedRuns, Scope, Selector, Store, StoreError, resolve, resolve_in_scope,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PipelineError;

/// The selector used when neither `--baseline` nor `[gate] baseline` names one.
pub const DEFAULT_BASELINE: &str = "last";

/// The baseline selector and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineChoice {
    pub selector: String,
    /// Given on the command line: an unknown name is an error rather than a note.
    pub explicit: bool,
    /// The configuration file that named it, for notes.
    pub config: Option<PathBuf>,
}

impl BaselineChoice {
    /// `flag` (`--baseline`) if given, else `configured` (`[gate] baseline` of the file
    /// `config`), else `last`.
    pub fn new(flag: Option<&str>, configured: Option<&str>, config: Option<&Path>) -> Self {
        match (flag, configured) {
            (Some(s), _) => BaselineChoice {
                selector: s.to_string(),
                explicit: true,
                config: None,
            },
            (None, Some(s)) => BaselineChoice {
                selector: s.to_string(),
                explicit: false,
                config: config.map(Path::to_path_buf),
            },
            (None, None) => BaselineChoice {
                selector: DEFAULT_BASELINE.to_string(),
                explicit: false,
                config: None,
            },
        }
    }
}

/// The baseline a run is judged against, found before anything is measured or stored: the
/// stored runs it pools (for per-benchmark `last`, each pruned to what it is the latest for)
/// and a label for reports.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub runs: Vec<Run>,
    pub label: String,
}

/// What is being judged, for finding its baseline: the source, the machine, and each benchmark
/// with its mode.
pub struct Judged<'a> {
    pub source: &'a Source,
    pub fingerprint: &'a str,
    pub benchmarks: &'a [(String, Mode)],
    /// A FILTER selected these benchmarks: the others are not missing.
    pub filtered: bool,
}

/// Parses a baseline selector. `merge-base[:BRANCH]` is looked up with git in the current
/// directory here, so the store resolves it as the commit it is.
pub fn parse_selector(text: &str) -> Result<Selector, PipelineError> {
    match Selector::parse(text)? {
        Selector::MergeBase { branch, .. } => {
            let cwd = std::env::current_dir().map_err(PipelineError::CurrentDirectory)?;
            let commit = benchgate_provenance::merge_base(&cwd, &branch).map_err(|why| {
                PipelineError::MergeBase {
                    selector: text.to_string(),
                    why,
                }
            })?;
            Ok(Selector::MergeBase {
                branch,
                commit: Some(commit),
            })
        }
        other => Ok(other),
    }
}

/// The one stored run `text` names (any selector but `window:N`), with a label for reports.
pub fn select_run(store: &dyn Store, text: &str) -> Result<(Run, String), PipelineError> {
    let selector = parse_selector(text)?;
    if let Selector::Window(_) = selector {
        return Err(PipelineError::WindowIsNotOneRun {
            text: text.to_string(),
        });
    }
    match resolve(store, &selector, "", None)? {
        Some(mut resolved) => match resolved.runs.pop() {
            Some(run) => Ok((run, resolved.label)),
            None => Err(PipelineError::NoSuchRun {
                text: text.to_string(),
            }),
        },
        None => Err(PipelineError::EmptyStore {
            text: text.to_string(),
        }),
    }
}

/// Accepts the stored run `run` names as the baseline `name` (`benchgate baseline save`), moving
/// the name when it named another run. Returns the run's label.
pub fn accept_baseline(store: &dyn Store, name: &str, run: &str) -> Result<String, PipelineError> {
    let (run, label) = select_run(store, run)?;
    store.save_baseline(name, run.id)?;
    Ok(label)
}

/// What `benchgate baseline declare` stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// The stored run holding the declared values.
    pub run: Run,
    /// The run the name pointed at before, when redeclaring replaced it.
    pub replaced: Option<Uuid>,
}

/// The run of declared values (SPEC §7.3): source `declared`, one value per measure, the
/// spread and thresholds of each in its benchmark's labels, `file` in a label. Checked like any
/// run before it is stored.
pub fn declared_run(
    values: &[DeclaredValue],
    file: &Path,
    now: OffsetDateTime,
) -> Result<Run, PipelineError> {
    let mut run = Run::new(
        Source::Declared,
        now,
        Provenance::default(),
        Environment {
            fingerprint: "declared".into(),
            ..Environment::default()
        },
    );
    for value in values {
        let index = match run
            .benchmarks
            .iter()
            .position(|b| b.name == value.benchmark)
        {
            Some(i) => i,
            None => {
                run.benchmarks.push(Benchmark {
                    name: value.benchmark.clone(),
                    params: BTreeMap::new(),
                    labels: BTreeMap::from([(
                        "declared.file".to_string(),
                        file.display().to_string(),
                    )]),
                    command: None,
                    mode: None,
                    status: Status::Ok,
                    metrics: Vec::new(),
                    series: Vec::new(),
                });
                run.benchmarks.len() - 1
            }
        };
        let bench = &mut run.benchmarks[index];
        if let Some(metric) = Metric::from_samples(
            value.measure.clone(),
            value.unit.clone(),
            value.direction,
            vec![value.value],
        ) {
            value.bounds.write(&value.measure, &mut bench.labels);
            bench.metrics.push(metric);
        }
    }
    run.validate()?;
    Ok(run)
}

/// Stores `run` (from [`declared_run`]) and points the baseline `name` at it. A name that
/// pointed at another declared run replaces it: that run is deleted, unless another name still
/// points at it.
pub fn declare_baseline(
    store: &dyn Store,
    name: &str,
    run: Run,
) -> Result<Declaration, PipelineError> {
    let before = store.baseline(name)?;
    store.put_run(&run)?;
    if let Err(error) = store.save_baseline(name, run.id) {
        // A name the store refuses: the run must not stay behind without it.
        let _ = store.delete_runs(&[run.id], BaselinedRuns::Delete);
        return Err(error.into());
    }
    if let Some(old) = before
        && store
            .run_summary(old)?
            .is_some_and(|summary| summary.source == Source::Declared)
    {
        store.delete_runs(&[old], BaselinedRuns::Keep)?;
    }
    Ok(Declaration {
        run,
        replaced: before,
    })
}

/// Finds the baseline `choice` names for `judged`, refusing before anything is measured or
/// written: a selector that cannot be resolved, an explicitly named baseline that does not
/// exist, and a benchmark whose baseline was measured in the other mode (real against
/// simulated) unless `allow_mode_mismatch`. `None`, with a note, when there is nothing to compare
/// with yet. `last` looks up each benchmark's latest measurement of the same source, machine and
/// mode; unless filtered, also those of the newest such run, so a benchmark that disappeared is
/// reported missing.
pub fn find_baseline(
    store: Option<&dyn Store>,
    choice: &BaselineChoice,
    judged: &Judged<'_>,
    allow_mode_mismatch: bool,
    notes: &mut Vec<String>,
) -> Result<Option<Baseline>, PipelineError> {
    let selector = parse_selector(&choice.selector)?;
    let Some(store) = store else {
        return match selector {
            Selector::Last | Selector::Window(_) => {
                notes.push(first_run_note(choice));
                Ok(None)
            }
            Selector::Name(name) => unknown_baseline(name, choice, notes),
            Selector::Run(_) | Selector::Commit(_) | Selector::MergeBase { .. } => {
                Err(PipelineError::NoStoredRuns {
                    selector: choice.selector.clone(),
                })
            }
        };
    };
    let mut wanted: Vec<(String, Mode)> = judged.benchmarks.to_vec();
    if selector == Selector::Last && !judged.filtered {
        // The newest run's benchmarks too: one the current run lacks is then `missing`.
        let newest = store
            .latest_runs_of_source(judged.source, Some(judged.fingerprint), 1)
            .map_err(PipelineError::StoredRuns)?;
        if let Some(summary) = newest.first()
            && let Some(run) = store.get_run(summary.id)?
        {
            for b in &run.benchmarks {
                let entry = (b.name.clone(), b.mode_or(run.provenance.mode));
                if !wanted.iter().any(|(n, _)| *n == entry.0) {
                    wanted.push(entry);
                }
            }
        }
    }
    let scope = Scope {
        source: judged.source,
        fingerprint: judged.fingerprint,
        exclude: None,
        benchmarks: &wanted,
    };
    let resolved = match resolve_in_scope(store, &selector, &scope) {
        Ok(Some(r)) => r,
        Ok(None) => {
            notes.push(first_run_note(choice));
            return Ok(None);
        }
        Err(StoreError::UnknownBaseline { name }) => {
            return unknown_baseline(name, choice, notes);
        }
        Err(source) => {
            return Err(PipelineError::Baseline {
                selector: choice.selector.clone(),
                source,
            });
        }
    };
    // The mode belongs to each benchmark: real numbers are never judged against simulated ones
    // (nor the reverse) without saying so.
    // Declared values were measured in no mode: they judge real and simulated runs alike.
    let declared = resolved
        .runs
        .iter()
        .all(|run| run.source == Source::Declared);
    if !allow_mode_mismatch && !declared {
        for (name, mode) in judged.benchmarks {
            let other = resolved.runs.iter().find_map(|run| {
                run.benchmark(name)
                    .map(|b| b.mode_or(run.provenance.mode))
                    .filter(|m| m != mode)
            });
            if let Some(other) = other {
                return Err(PipelineError::ModeMismatch {
                    label: resolved.label,
                    benchmark: name.clone(),
                    there: other.as_str(),
                    here: mode.as_str(),
                });
            }
        }
    }
    Ok(Some(Baseline {
        runs: resolved.runs,
        label: resolved.label,
    }))
}

fn first_run_note(choice: &BaselineChoice) -> String {
    format!(
        "no stored run matches baseline {} yet: this run is the first",
        choice.selector
    )
}

/// A baseline name that does not exist: an error when it was asked for on the command line, a
/// note (and no baseline) when it comes from the configuration.
fn unknown_baseline(
    name: String,
    choice: &BaselineChoice,
    notes: &mut Vec<String>,
) -> Result<Option<Baseline>, PipelineError> {
    if choice.explicit {
        return Err(PipelineError::Baseline {
            selector: choice.selector.clone(),
            source: StoreError::UnknownBaseline { name },
        });
    }
    notes.push(unknown_baseline_note(&name, choice.config.as_deref()));
    Ok(None)
}

fn unknown_baseline_note(name: &str, config: Option<&Path>) -> String {
    let from = config.map_or_else(String::new, |p| format!(" (from {})", p.display()));
    format!(
        "baseline {name:?}{from} does not exist yet: judged without a baseline; save one with \
         `benchgate baseline save {name}`"
    )
}

/// The baseline's runs pooled into one, with its label. With a FILTER (`filtered`), only the
/// benchmarks the run has: what the filter left out is not missing.
pub fn pooled_baseline(
    baseline: Option<Baseline>,
    run: &Run,
    filtered: bool,
) -> Option<(Run, String)> {
    let Baseline { runs, label } = baseline?;
    let mut pooled = pool_runs(&runs)?;
    if filtered {
        pooled
            .benchmarks
            .retain(|b| run.benchmark(&b.name).is_some());
    }
    Some((pooled, label))
}

/// The stored runs `selector` names as the baseline of the run `judged` (`compare`, `report`),
/// pooled into one, with its label: `last` as `run` resolved it (each benchmark's latest earlier
/// measurement of the same source and machine), `window:N` the last N runs on its machine. `None`
/// when nothing stored matches.
pub fn resolve_baseline(
    store: &dyn Store,
    selector: &Selector,
    judged: &Run,
) -> Result<Option<(Run, String)>, PipelineError> {
    let benchmarks = Scope::benchmarks_of(judged);
    let Some(resolved) = resolve_in_scope(store, selector, &Scope::of_run(judged, &benchmarks))?
    else {
        return Ok(None);
    };
    Ok(pool_runs(&resolved.runs).map(|pooled| (pooled, resolved.label)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_comes_before_the_configuration_and_the_configuration_before_last() {
        let config = Path::new("ci/benchgate.toml");
        assert_eq!(
            BaselineChoice::new(Some("run:42"), Some("main"), Some(config)),
            BaselineChoice {
                selector: "run:42".into(),
                explicit: true,
                config: None,
            }
        );
        assert_eq!(
            BaselineChoice::new(None, Some("main"), Some(config)),
            BaselineChoice {
                selector: "main".into(),
                explicit: false,
                config: Some(PathBuf::from("ci/benchgate.toml")),
            }
        );
        assert_eq!(
            BaselineChoice::new(None, None, Some(config)),
            BaselineChoice {
                selector: "last".into(),
                explicit: false,
                config: None,
            }
        );
    }

    fn without_a_store(
        choice: &BaselineChoice,
    ) -> (Result<Option<Baseline>, PipelineError>, Vec<String>) {
        let benchmarks = vec![("a".to_string(), Mode::Real)];
        let judged = Judged {
            source: &Source::Command,
            fingerprint: "f",
            benchmarks: &benchmarks,
            filtered: false,
        };
        let mut notes = Vec::new();
        let found = find_baseline(None, choice, &judged, false, &mut notes);
        (found, notes)
    }

    #[test]
    fn without_a_store_last_is_the_first_run_and_a_configured_name_a_note() {
        let (found, notes) = without_a_store(&BaselineChoice::new(None, None, None));
        assert!(found.unwrap().is_none());
        assert_eq!(
            notes,
            ["no stored run matches baseline last yet: this run is the first"]
        );

        let configured = BaselineChoice::new(None, Some("main"), Some(Path::new("b.toml")));
        let (found, notes) = without_a_store(&configured);
        assert!(found.unwrap().is_none());
        assert_eq!(
            notes,
            [
                "baseline \"main\" (from b.toml) does not exist yet: judged without a baseline; \
                 save one with `benchgate baseline save main`"
            ]
        );
    }

    #[test]
    fn without_a_store_a_named_baseline_asked_for_is_an_error() {
        let (found, notes) = without_a_store(&BaselineChoice::new(Some("main"), None, None));
        let error = found.unwrap_err();
        assert_eq!(error.to_string(), "baseline main");
        assert_eq!(
            std::error::Error::source(&error).map(ToString::to_string),
            Some("no baseline named \"main\"".to_string())
        );
        assert!(notes.is_empty());

        let (found, _) = without_a_store(&BaselineChoice::new(Some("commit:abc1234"), None, None));
        assert_eq!(
            found.unwrap_err().to_string(),
            "baseline commit:abc1234: the store holds no runs yet"
        );
    }

    #[test]
    fn nothing_to_pool_is_no_baseline() {
        let run = Run::new(
            Source::Command,
            time::OffsetDateTime::UNIX_EPOCH,
            Default::default(),
            Default::default(),
        );
        assert!(pooled_baseline(None, &run, false).is_none());
    }
}
