//! The tail every storing command shares (`run` on the configured suite, `ingest`, `exec`): find
//! the baseline before anything is written, store the run, judge it against the baseline and the
//! budgets, write the outputs and turn the outcome into an exit code.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use benchgate_gate::{
    Budget, CompareOptions, apply_budgets, check_budgets, compare_runs, judge_without_baseline,
    pool_runs,
};
use benchgate_model::{Mode, Outcome, Run, Source, Status};
use benchgate_report::{Format, Json, Markdown};
use benchgate_store::{Selector, Store, StoreError, resolve_for_source};

use super::stored::parse_selector;
use super::{Conclusion, formatter};
use crate::cli::{GlobalArgs, OutputFormat};
use crate::output::{append_step_summary, print, write_file};

/// The selector used when neither `--baseline` nor `[gate] baseline` names one.
pub const DEFAULT_BASELINE: &str = "last";

/// How a run is judged and reported.
pub struct Gating<'a> {
    pub options: CompareOptions,
    pub budgets: &'a [Budget],
    pub deny_warnings: bool,
    pub format: OutputFormat,
    pub export_json: Option<&'a Path>,
    pub export_markdown: Option<&'a Path>,
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

/// What a baseline selector names, found before the run is measured or stored.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preview {
    Found {
        ids: Vec<uuid::Uuid>,
        label: String,
        modes: Vec<Mode>,
    },
    Nothing,
    UnknownBaseline(String),
}

/// Resolves `selector` in `store` for a run of `source` measured on `fingerprint`.
pub fn preview(
    store: &dyn Store,
    selector: &str,
    fingerprint: &str,
    source: &Source,
) -> anyhow::Result<Preview> {
    let parsed = parse_selector(selector)?;
    Ok(
        match resolve_for_source(store, &parsed, fingerprint, None, source) {
            Ok(Some(r)) => Preview::Found {
                ids: r.runs.iter().map(|run| run.id).collect(),
                label: r.label,
                modes: r.runs.iter().map(|run| run.provenance.mode).collect(),
            },
            Ok(None) => Preview::Nothing,
            Err(StoreError::UnknownBaseline { name }) => Preview::UnknownBaseline(name),
            Err(e) => return Err(e).context(format!("baseline {selector}")),
        },
    )
}

/// What to do when no store exists yet: `last` and `window:N` find nothing, a name is unknown,
/// and an id or a commit cannot be found.
pub fn preview_without_store(selector: &str) -> anyhow::Result<Preview> {
    Ok(match parse_selector(selector)? {
        Selector::Last | Selector::Window(_) => Preview::Nothing,
        Selector::Name(name) => Preview::UnknownBaseline(name),
        Selector::Run(_) | Selector::Commit(_) | Selector::MergeBase { .. } => {
            bail!("baseline {selector}: the store holds no runs yet")
        }
    })
}

/// The baseline runs' ids and label, or `None` with a note saying why there is none. A mode
/// mismatch (real against simulated) and an explicitly named baseline that does not exist are
/// errors.
pub fn accept_preview(
    preview: Preview,
    choice: &BaselineChoice,
    mode: Mode,
    allow_mode_mismatch: bool,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<(Vec<uuid::Uuid>, String)>> {
    match preview {
        Preview::Found { ids, label, modes } => {
            if let Some(other) = modes.iter().find(|m| **m != mode)
                && !allow_mode_mismatch
            {
                bail!(
                    "baseline {label} is {} but this run is {}: they measure different things; \
                     pass --allow-mode-mismatch to compare them anyway",
                    other.as_str(),
                    mode.as_str()
                );
            }
            Ok(Some((ids, label)))
        }
        Preview::Nothing => {
            notes.push(format!(
                "no stored run matches baseline {} yet: this run is the first",
                choice.selector
            ));
            Ok(None)
        }
        Preview::UnknownBaseline(name) if !choice.explicit => {
            let from = choice
                .config
                .as_ref()
                .map_or_else(String::new, |p| format!(" (from {})", p.display()));
            notes.push(format!(
                "baseline {name:?}{from} does not exist yet: judged without a baseline; save \
                 one with `benchgate baseline save {name}`"
            ));
            Ok(None)
        }
        Preview::UnknownBaseline(name) => Err(StoreError::UnknownBaseline { name })
            .context(format!("baseline {}", choice.selector)),
    }
}

/// The baseline runs `ids` name, read back and pooled into one, with its label.
pub fn load_baseline(
    store: &dyn Store,
    ids: Option<(Vec<uuid::Uuid>, String)>,
) -> anyhow::Result<Option<(Run, String)>> {
    let Some((ids, label)) = ids else {
        return Ok(None);
    };
    let runs = ids
        .iter()
        .map(|&id| store.get_run(id)?.ok_or(StoreError::UnknownRun { id }))
        .collect::<Result<Vec<_>, StoreError>>()
        .context("cannot read the baseline back")?;
    Ok(pool_runs(&runs).map(|run| (run, label)))
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

/// Reads the baseline back (before storing `run`), stores `run`, judges it against the baseline
/// and the budgets, writes the exports and the report, and concludes: a failed benchmark is exit
/// 3, a failed gate 1 (warnings too with `--deny-warnings`).
pub fn store_judge_report(
    store: &dyn Store,
    run: &Run,
    baseline_ids: Option<(Vec<uuid::Uuid>, String)>,
    gating: &Gating<'_>,
    notes: &[String],
    global: &GlobalArgs,
) -> anyhow::Result<Conclusion> {
    let baseline = load_baseline(store, baseline_ids)?;
    store.put_run(run).context("cannot store the run")?;
    let options = with_noise_floors(store, run, &gating.options)?;
    let current_label = format!("run {}", run.id);
    let mut comparison = match &baseline {
        Some((base, label)) => compare_runs(base, label, run, &current_label, &options),
        None => judge_without_baseline(run, &current_label, &options),
    };
    apply_budgets(
        &mut comparison,
        check_budgets(gating.budgets, run, baseline.as_ref().map(|(b, _)| b)),
    );

    if let Some(path) = gating.export_json {
        write_file(path, &Json.run(run, &[]))?;
    }
    let markdown = Markdown.comparison(&comparison);
    if let Some(path) = gating.export_markdown {
        write_file(path, &markdown)?;
    }
    append_step_summary(&markdown)?;
    for note in notes {
        eprintln!("note: {note}");
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

    let failed = run
        .benchmarks
        .iter()
        .any(|b| matches!(b.status, Status::Failed { .. }));
    Ok(match comparison.outcome {
        _ if failed => Conclusion::CommandFailed,
        Outcome::Failed => Conclusion::GateFailed,
        Outcome::Warned if gating.deny_warnings => Conclusion::GateFailed,
        Outcome::Passed | Outcome::Warned => Conclusion::Passed,
    })
}
