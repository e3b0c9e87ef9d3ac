//! `benchgate run [FILTER]` on benchgate.toml: measure the configured suite, store the run, judge
//! it against the baseline and the budgets, report, and set the exit code (SPEC §3). Everything
//! that can be refused (the file, the store, the baseline, a mode mismatch) is refused before
//! anything is measured or written.

use anyhow::{Context, bail};
use benchgate_config::{Bench, Config};
use benchgate_gate::{
    apply_budgets, check_budgets, compare_runs, glob_match, judge_without_baseline, pool_runs,
};
use benchgate_measure::{CommandResult, CommandSpec, RunnerOptions, expand, preflight};
use benchgate_model::{Benchmark, Measure, Mode, Outcome, Status};
use benchgate_report::{Format, Json, Markdown};
use benchgate_store::{Selector, StoreError, resolve};
use time::OffsetDateTime;

use super::run::{check_exports, io_flags, measure, new_run, sampling_flags};
use super::stored::open_store;
use super::{Conclusion, formatter};
use crate::cli::{GlobalArgs, OutputFormat, RunArgs};
use crate::convert;
use crate::output::{append_step_summary, print, write_file};

/// The selector used when neither `--baseline` nor `[gate] baseline` names one.
const DEFAULT_BASELINE: &str = "last";

/// One expanded command of a configured bench, with the options it runs under.
struct Entry {
    bench: usize,
    spec: CommandSpec,
    options: RunnerOptions,
}

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Conclusion> {
    let path = &args.config;
    if !path.exists() {
        bail!(
            "{}: no such file; write one (see docs/config.md) or benchmark commands directly with \
             `benchgate run -- CMD`",
            path.display()
        );
    }
    let config = Config::load(path)?;
    // These describe ad-hoc commands; a configured bench says them in benchgate.toml.
    let adhoc_only = [
        ("--prepare", !args.prepare.is_empty()),
        ("--conclude", !args.conclude.is_empty()),
        ("--setup", !args.setup.is_empty()),
        ("--cleanup", !args.cleanup.is_empty()),
        ("--parameter-scan", !args.parameter_scan.is_empty()),
        ("--parameter-list", !args.parameter_list.is_empty()),
        ("--name", !args.name.is_empty()),
        ("--mode", args.mode != crate::cli::ModeArg::Real),
    ];
    if let Some((flag, _)) = adhoc_only.iter().find(|(_, given)| *given) {
        bail!(
            "{flag} applies to commands given after `--`; for the benches of {} set it in the file \
             (see docs/config.md)",
            path.display()
        );
    }
    let gated = config
        .gate
        .measures
        .clone()
        .unwrap_or_else(|| vec![Measure::WallTime]);
    let options = args.judge.options(config.thresholds(), gated)?;
    check_exports(args)?;

    let benches: Vec<&Bench> = config
        .benches
        .iter()
        .filter(|b| {
            args.filter
                .as_deref()
                .is_none_or(|f| matches_filter(f, &b.name))
        })
        .collect();
    if benches.is_empty() {
        match &args.filter {
            Some(f) => bail!("{}: no [[bench]] matches {f:?}", path.display()),
            None => bail!("{}: no [[bench]] to run", path.display()),
        }
    }

    // Decide what runs and what is skipped, and expand every runnable bench.
    let flags = sampling_flags(args);
    let mut skipped: Vec<Option<String>> = Vec::with_capacity(benches.len());
    let mut entries = Vec::new();
    for (i, bench) in benches.iter().enumerate() {
        let reason = bench.skip_reason();
        if reason.is_none() {
            let mut runner = RunnerOptions::default();
            flags
                .or(&bench.runner.or(&config.defaults))
                .apply(&mut runner);
            if let Some(input) = &bench.input {
                runner.stdin = Some(input.clone());
            }
            io_flags(args, &mut runner)?;
            runner
                .validate()
                .with_context(|| format!("[[bench]] {}", bench.name))?;
            let shell = args.shell.as_deref().or(bench.shell(&config.defaults));
            let specs = expand(&[bench.template()], &[bench.aux()], &bench.params, shell)
                .with_context(|| format!("[[bench]] {}", bench.name))?;
            preflight(&specs).with_context(|| format!("[[bench]] {}", bench.name))?;
            entries.extend(specs.into_iter().map(|spec| Entry {
                bench: i,
                spec,
                options: runner.clone(),
            }));
        }
        skipped.push(reason);
    }

    // Simulated numbers must never pass for real ones: one simulated bench makes the run simulated.
    let simulated: Vec<&str> = benches
        .iter()
        .zip(&skipped)
        .filter(|(b, why)| why.is_none() && b.mode == Mode::Simulated)
        .map(|(b, _)| b.name.as_str())
        .collect();
    let mode = if simulated.is_empty() {
        Mode::Real
    } else {
        Mode::Simulated
    };

    // A store that does not exist yet is created only when there is a run to put in it.
    let environment = benchgate_provenance::detect_environment();
    let mut notes = Vec::new();
    let (selector_text, explicit) = match (&args.baseline, &config.gate.baseline) {
        (Some(s), _) => (s.as_str(), true),
        (None, Some(s)) => (s.as_str(), false),
        (None, None) => (DEFAULT_BASELINE, false),
    };
    let selector = Selector::parse(selector_text)?;
    let preview = if benchgate_store::exists(&global.db) {
        preview_in_subprocess(selector_text, &environment.fingerprint, global)?
    } else {
        // A store that does not exist yet is created only when there is a run to put in it.
        match &selector {
            Selector::Last | Selector::Window(_) => Preview::Nothing,
            Selector::Name(name) => Preview::UnknownBaseline(name.clone()),
            Selector::Run(_) | Selector::Commit(_) => {
                bail!("baseline {selector_text}: the store holds no runs yet")
            }
        }
    };
    let baseline_ids = match preview {
        Preview::Found { ids, label, modes } => {
            if let Some(other) = modes.iter().find(|m| **m != mode)
                && !args.allow_mode_mismatch
            {
                bail!(
                    "baseline {label} is {} but this run is {}: they measure different things; \
                     pass --allow-mode-mismatch to compare them anyway",
                    other.as_str(),
                    mode.as_str()
                );
            }
            Some((ids, label))
        }
        Preview::Nothing => {
            notes.push(format!(
                "no stored run matches baseline {selector_text} yet: this run is the first"
            ));
            None
        }
        Preview::UnknownBaseline(name) if !explicit => {
            notes.push(format!(
                "baseline {name:?} (from {}) does not exist yet: judged without a baseline; save \
                 one with `benchgate baseline save {name}`",
                path.display()
            ));
            None
        }
        Preview::UnknownBaseline(name) => {
            return Err(StoreError::UnknownBaseline { name })
                .context(format!("baseline {selector_text}"));
        }
    };

    // Measure: entries with the same options are interleaved together.
    let mut run = new_run(mode, environment)?;
    if !simulated.is_empty() {
        run.provenance
            .tags
            .insert("simulated".into(), simulated.join(","));
    }
    let mut results: Vec<Option<CommandResult>> = entries.iter().map(|_| None).collect();
    let mut done = vec![false; entries.len()];
    for first in 0..entries.len() {
        if done[first] {
            continue;
        }
        let group: Vec<usize> = (first..entries.len())
            .filter(|&k| !done[k] && entries[k].options == entries[first].options)
            .collect();
        let specs: Vec<CommandSpec> = group.iter().map(|&k| entries[k].spec.clone()).collect();
        let measured = measure(&specs, &entries[first].options, global)?;
        for (&k, result) in group.iter().zip(measured) {
            done[k] = true;
            results[k] = Some(result);
        }
    }
    run.ended_at = OffsetDateTime::now_utc();
    for (i, bench) in benches.iter().enumerate() {
        match &skipped[i] {
            Some(reason) => run.benchmarks.push(Benchmark {
                name: bench.name.clone(),
                params: Default::default(),
                labels: Default::default(),
                command: Some(bench.command.clone()),
                status: Status::Skipped {
                    reason: reason.clone(),
                },
                metrics: Vec::new(),
            }),
            None => run.benchmarks.extend(
                entries
                    .iter()
                    .zip(&results)
                    .filter(|(e, _)| e.bench == i)
                    .filter_map(|(_, r)| r.as_ref().map(convert::benchmark)),
            ),
        }
    }
    run.validate()?;
    let store = open_store(global)?;
    let baseline = match baseline_ids {
        Some((ids, label)) => {
            let runs = ids
                .iter()
                .map(|&id| store.get_run(id)?.ok_or(StoreError::UnknownRun { id }))
                .collect::<Result<Vec<_>, StoreError>>()
                .context("cannot read the baseline back")?;
            pool_runs(&runs).map(|run| (run, label))
        }
        None => None,
    };
    store.put_run(&run).context("cannot store the run")?;

    let current_label = format!("run {}", run.id);
    let mut comparison = match &baseline {
        Some((base, label)) => compare_runs(base, label, &run, &current_label, &options),
        None => judge_without_baseline(&run, &current_label, &options),
    };
    apply_budgets(
        &mut comparison,
        check_budgets(&config.budgets, &run, baseline.as_ref().map(|(b, _)| b)),
    );

    if let Some(path) = &args.export_json {
        write_file(path, &Json.run(&run, &[]))?;
    }
    let markdown = Markdown.comparison(&comparison);
    if let Some(path) = &args.export_markdown {
        write_file(path, &markdown)?;
    }
    append_step_summary(&markdown)?;
    for note in &notes {
        eprintln!("note: {note}");
    }
    let format = if global.json {
        OutputFormat::Json
    } else {
        args.format
    };
    let report = match format {
        // On a terminal the measurements come first, then the judgement.
        OutputFormat::Terminal => {
            let terminal = formatter(format, global);
            format!(
                "{}\n{}",
                terminal.run(&run, &[]),
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
        Outcome::Warned if args.deny_warnings => Conclusion::GateFailed,
        Outcome::Passed | Outcome::Warned => Conclusion::Passed,
    })
}

/// A glob when the filter has `*` or `?`, a substring otherwise.
fn matches_filter(filter: &str, name: &str) -> bool {
    if filter.contains(['*', '?']) {
        glob_match(filter, name)
    } else {
        name.contains(filter)
    }
}

/// What a baseline selector names, found before measuring.
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

/// Resolves the baseline in a child benchgate process. Every measured command's peak RSS is
/// floored at benchgate's own resident set (a vfork'd child inherits it at exec), and opening a
/// store leaves its code resident for good: measuring in a process that never opened one keeps
/// `max_rss` comparable from run to run.
fn preview_in_subprocess(
    selector: &str,
    fingerprint: &str,
    global: &GlobalArgs,
) -> anyhow::Result<Preview> {
    let exe = std::env::current_exe().context("cannot find the benchgate executable")?;
    let output = std::process::Command::new(exe)
        .args([
            "--db",
            &global.db,
            "internal-resolve-baseline",
            selector,
            "--fingerprint",
            fingerprint,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .context("cannot run benchgate to resolve the baseline")?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let line = err
            .lines()
            .next()
            .unwrap_or("resolving the baseline failed");
        bail!("{}", line.trim_start_matches("error: "));
    }
    serde_json::from_slice(&output.stdout)
        .context("unreadable answer from benchgate internal-resolve-baseline")
}

/// The child side of [`preview_in_subprocess`].
pub fn preview_baseline(
    selector: &str,
    fingerprint: &str,
    global: &GlobalArgs,
) -> anyhow::Result<Conclusion> {
    let store = open_store(global)?;
    let parsed = Selector::parse(selector)?;
    let preview = match resolve(store.as_ref(), &parsed, fingerprint, None) {
        Ok(Some(r)) => Preview::Found {
            ids: r.runs.iter().map(|run| run.id).collect(),
            label: r.label,
            modes: r.runs.iter().map(|run| run.provenance.mode).collect(),
        },
        Ok(None) => Preview::Nothing,
        Err(StoreError::UnknownBaseline { name }) => Preview::UnknownBaseline(name),
        Err(e) => return Err(e).context(format!("baseline {selector}")),
    };
    print(&format!("{}\n", serde_json::to_string(&preview)?))?;
    Ok(Conclusion::Passed)
}
