//! The tail every storing command shares (`run` on the configured suite, `ingest`, `exec`): find
//! the baseline before anything is written, store the run, judge it against the baseline and the
//! budgets, write the outputs and turn the outcome into an exit code.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use benchgate_config::Config;
use benchgate_gate::{
    Budget, CompareOptions, apply_budgets, check_budgets, check_gated_measures, compare_runs,
    judge_without_baseline, pool_runs, record_command_failure,
};
use benchgate_model::{Comparison, Measure, Mode, Outcome, Run, Source, Thresholds};
use benchgate_report::escape::terminal::{line, lines};
use benchgate_report::{Format, Json, Markdown};
use benchgate_store::{Scope, Selector, Store, StoreError, resolve_in_scope};

use super::stored::parse_selector;
use super::{formatter, parse_measures};
use crate::cli::{GlobalArgs, JudgeArgs, OutputFormat};
use crate::output::{append_step_summary, print, write_file};

/// The configuration judging commands read: `--config FILE` (which must exist), else
/// benchgate.toml in the current directory when there is one, else none (the defaults).
pub fn load_config(flag: Option<&Path>) -> anyhow::Result<(Config, Option<PathBuf>)> {
    match flag {
        Some(path) => Ok((Config::load(path)?, Some(path.to_path_buf()))),
        None => {
            let default = PathBuf::from(benchgate_config::DEFAULT_FILE);
            if default.exists() {
                Ok((Config::load(&default)?, Some(default)))
            } else {
                Ok((Config::default(), None))
            }
        }
    }
}

/// How runs of one source are judged: thresholds, gated measures, budgets, and a note when the
/// configuration was left out.
pub struct Judging {
    pub options: CompareOptions,
    pub budgets: Vec<Budget>,
    pub note: Option<String>,
}

/// The one rule every judging command uses (`run`, `ingest`, `exec`, `compare`, `report`):
/// `config`'s `[gate]` and budgets judge runs of `source` only when [`Config::judges`] says so —
/// settings tuned for one suite must not silently judge another — otherwise the defaults do, with
/// a note saying why; the flags go on top either way.
pub fn judging_for(
    config: &Config,
    config_path: Option<&Path>,
    source: &Source,
    judge: &JudgeArgs,
    measure_flags: &[String],
    deny_warnings: bool,
) -> anyhow::Result<Judging> {
    let applies = config_path.is_some() && config.judges(source);
    let note = (config_path.is_some() && !applies).then(|| {
        let path = config_path.map_or_else(String::new, |p| p.display().to_string());
        let judged = match &config.gate.sources {
            Some(sources) => sources
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            None => "command (its own [[bench]] suite)".to_string(),
        };
        format!(
            "{path}'s [gate] and budgets judge {judged} runs; this {source} run is judged with \
             the defaults and the flags (list {source} in [gate] sources to judge it with them)"
        )
    });
    let (thresholds, configured, budgets) = if applies {
        (
            config.thresholds(),
            config.gate.measures.clone(),
            config.budgets.clone(),
        )
    } else {
        (Thresholds::default(), None, Vec::new())
    };
    let gated = if measure_flags.is_empty() {
        configured.unwrap_or_else(|| vec![Measure::WallTime])
    } else {
        parse_measures(measure_flags)?
    };
    Ok(Judging {
        options: judge.options(thresholds, gated, deny_warnings)?,
        budgets,
        note,
    })
}

/// The selector used when neither `--baseline` nor `[gate] baseline` names one.
pub const DEFAULT_BASELINE: &str = "last";

/// How a run is judged and reported (`options.deny_warnings` says whether warnings fail).
pub struct Gating<'a> {
    pub options: CompareOptions,
    pub budgets: &'a [Budget],
    pub format: OutputFormat,
    pub export_json: Option<&'a Path>,
    pub export_markdown: Option<&'a Path>,
    /// Verdicts decided by paired confirmation: they replace the unpaired ones.
    pub confirmed: Vec<benchgate_model::Verdict>,
}

/// The baseline selector and where it came from.
pub struct BaselineChoice {
    pub selector: String,
    /// Given on the command line: an unknown name is an error rather than a note.
    pub explicit: bool,
    /// The configuration file that named it, for notes.
    pub config: Option<PathBuf>,
}

impl BaselineChoice {
    /// `--baseline` if given, else `[gate] baseline` of `config`, else `last`.
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
) -> anyhow::Result<Option<Baseline>> {
    let selector = parse_selector(&choice.selector)?;
    let Some(store) = store else {
        return match selector {
            Selector::Last | Selector::Window(_) => {
                notes.push(format!(
                    "no stored run matches baseline {} yet: this run is the first",
                    choice.selector
                ));
                Ok(None)
            }
            Selector::Name(name) => unknown_baseline(name, choice, notes),
            Selector::Run(_) | Selector::Commit(_) | Selector::MergeBase { .. } => {
                bail!("baseline {}: the store holds no runs yet", choice.selector)
            }
        };
    };
    let mut wanted: Vec<(String, Mode)> = judged.benchmarks.to_vec();
    if selector == Selector::Last && !judged.filtered {
        // The newest run's benchmarks too: one the current run lacks is then `missing`.
        let newest = store
            .latest_runs_of_source(judged.source, Some(judged.fingerprint), 1)
            .context("cannot read the stored runs")?;
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
            notes.push(format!(
                "no stored run matches baseline {} yet: this run is the first",
                choice.selector
            ));
            return Ok(None);
        }
        Err(StoreError::UnknownBaseline { name }) => {
            return unknown_baseline(name, choice, notes);
        }
        Err(e) => return Err(e).context(format!("baseline {}", choice.selector)),
    };
    // The mode belongs to each benchmark: real numbers are never judged against simulated ones
    // (nor the reverse) without saying so.
    if !allow_mode_mismatch {
        for (name, mode) in judged.benchmarks {
            let other = resolved.runs.iter().find_map(|run| {
                run.benchmark(name)
                    .map(|b| b.mode_or(run.provenance.mode))
                    .filter(|m| m != mode)
            });
            if let Some(other) = other {
                bail!(
                    "baseline {}: {name} is {} there but {} here: they measure different \
                     things; pass --allow-mode-mismatch to compare them anyway",
                    resolved.label,
                    other.as_str(),
                    mode.as_str()
                );
            }
        }
    }
    Ok(Some(Baseline {
        runs: resolved.runs,
        label: resolved.label,
    }))
}

/// A baseline name that does not exist: an error when it was asked for on the command line, a
/// note (and no baseline) when it comes from the configuration.
fn unknown_baseline(
    name: String,
    choice: &BaselineChoice,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<Baseline>> {
    if choice.explicit {
        return Err(StoreError::UnknownBaseline { name })
            .context(format!("baseline {}", choice.selector));
    }
    let from = choice
        .config
        .as_ref()
        .map_or_else(String::new, |p| format!(" (from {})", p.display()));
    notes.push(format!(
        "baseline {name:?}{from} does not exist yet: judged without a baseline; save one with \
         `benchgate baseline save {name}`"
    ));
    Ok(None)
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

/// `options` with the noise floors learned for `run`'s machine (`benchgate doctor`, `history
/// --save-noise-floor`): what noise alone reaches there is no regression.
pub fn with_noise_floors(
    store: &dyn Store,
    run: &Run,
    options: &CompareOptions,
) -> anyhow::Result<CompareOptions> {
    let mut options = options.clone();
    for floor in store
        .noise_floors(&run.environment.fingerprint)
        .context("cannot read the noise floors")?
    {
        options
            .noise_floors
            .insert((floor.benchmark, floor.measure), floor.relative);
    }
    Ok(options)
}

/// Stores `run`, judges it against the (pooled) baseline
/// and the budgets, prints the report, then writes the exports, and concludes from the one
/// outcome: a failed command (`command_failures`) is exit 3, a failed gate 1 (warnings too with
/// `--deny-warnings`). An export that cannot be written after the run is stored is reported
/// after the report; it turns a passing gate into exit 2 only when the file was asked for.
pub fn store_judge_report(
    store: &dyn Store,
    run: &Run,
    baseline: Option<(Run, String)>,
    gating: &Gating<'_>,
    notes: &[String],
    command_failures: Vec<String>,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    let measure_warnings = check_measures(
        &gating.options.gated_measures,
        baseline.as_ref().map(|(b, _)| b),
        run,
    )?;
    store.put_run(run).context("cannot store the run")?;
    let options = with_noise_floors(store, run, &gating.options)?;
    let current_label = format!("run {}", run.id);
    let mut comparison = match &baseline {
        Some((base, label)) => compare_runs(base, label, run, &current_label, &options),
        None => judge_without_baseline(run, &current_label, &options),
    };
    for verdict in &gating.confirmed {
        benchgate_gate::replace_verdict(&mut comparison, verdict.clone());
    }
    apply_budgets(
        &mut comparison,
        check_budgets(gating.budgets, run, baseline.as_ref().map(|(b, _)| b)),
    );
    comparison.warnings.extend(measure_warnings);
    for failure in command_failures {
        record_command_failure(&mut comparison, failure);
    }

    for note in notes {
        eprintln!("note: {}", lines(note));
    }
    let format = if global.json {
        OutputFormat::Json
    } else {
        gating.format
    };
    let report = match format {
        // On a terminal the measurements come first, then the judgement.
        OutputFormat::Terminal => {
            let terminal = formatter(format, global);
            format!(
                "{}\n{}",
                terminal.run(run, &[]),
                terminal.comparison(&comparison)
            )
        }
        _ => formatter(format, global).comparison(&comparison),
    };
    print(&report)?;
    let markdown = Markdown.comparison(&comparison);
    let mut exports = Exports::default();
    if let Some(path) = gating.export_json {
        exports.asked(write_file(path, &Json.run(run, &[])));
    }
    if let Some(path) = gating.export_markdown {
        exports.asked(write_file(path, &markdown));
    }
    exports.automatic(append_step_summary(&markdown));
    exports.conclude(comparison.outcome)
}

/// Gated measures checked against the runs judged: an unknown one is an error before anything is
/// stored; a well-known one no benchmark has gives a warning for the comparison to carry.
pub fn check_measures(
    gated: &[benchgate_model::Measure],
    baseline: Option<&Run>,
    current: &Run,
) -> anyhow::Result<Vec<String>> {
    let runs: Vec<&Run> = baseline.into_iter().chain([current]).collect();
    Ok(check_gated_measures(gated, &runs)?)
}

/// Writes that follow the report: their failures are reported after it, and only the ones the
/// user asked for (`--export-*`) can change the exit code, and only of a passing gate.
#[derive(Default)]
pub struct Exports {
    asked_failed: bool,
}

impl Exports {
    /// A file the user asked for.
    pub fn asked(&mut self, result: anyhow::Result<()>) {
        if let Err(e) = result {
            eprintln!("error: {}", line(&format!("{e:#}")));
            self.asked_failed = true;
        }
    }

    /// A write benchgate does by itself (`$GITHUB_STEP_SUMMARY`): a warning.
    pub fn automatic(&mut self, result: anyhow::Result<()>) {
        if let Err(e) = result {
            eprintln!("warning: {}", line(&format!("{e:#}")));
        }
    }

    /// The conclusion: the gate's, unless it passed and an asked-for file could not be written.
    pub fn conclude(self, outcome: Outcome) -> anyhow::Result<Outcome> {
        if self.asked_failed && outcome.passed() {
            bail!("the report above passed, but an export asked for could not be written");
        }
        Ok(outcome)
    }
}

/// Prints a comparison in the chosen format, then writes it where it was asked for
/// (`--export-json`, `--export-markdown`, the CI step summary), and concludes from its one
/// outcome (see [`Exports`] for write failures).
pub fn write_comparison(
    comparison: &Comparison,
    export_json: Option<&Path>,
    export_markdown: Option<&Path>,
    format: OutputFormat,
    global: &GlobalArgs,
) -> anyhow::Result<Outcome> {
    print(&formatter(format, global).comparison(comparison))?;
    let markdown = Markdown.comparison(comparison);
    let mut exports = Exports::default();
    if let Some(path) = export_json {
        exports.asked(write_file(path, &Json.comparison(comparison)));
    }
    if let Some(path) = export_markdown {
        exports.asked(write_file(path, &markdown));
    }
    exports.automatic(append_step_summary(&markdown));
    exports.conclude(comparison.outcome)
}
