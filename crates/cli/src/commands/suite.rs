//! `benchgate run [FILTER]` on benchgate.toml: measure the configured suite, store the run, judge
//! it against the baseline and the budgets, report, and set the exit code (SPEC §3). Everything
//! that can be refused (the file, the store, the baseline, a mode mismatch) is refused before
//! anything is measured or written.

use anyhow::{Context, bail};
use benchgate_config::{Bench, Config, ConfirmMode};
use benchgate_gate::NameGlob;
use benchgate_measure::{CommandResult, CommandSpec, RunnerOptions, preflight};
use benchgate_model::{Benchmark, Measure, Mode, Outcome, Source, Status};
use benchgate_pipeline::confirm::{Candidate, Origin};
use benchgate_report::escape::terminal::line;
use time::OffsetDateTime;

use super::gate::{
    BaselineChoice, Gating, Judged, find_baseline, judging_for, pooled_baseline,
    store_judge_report, with_noise_floors,
};
use super::measuring::{
    check_exports, check_input, count_instructions, io_flags, measure, measurements, new_run,
    sampling_flags, unmeasured,
};
use super::stored::{check_store_writable, open_store};
use crate::cli::{GlobalArgs, RunArgs};
use crate::convert;

/// One expanded command of a configured bench, with the options it runs under and what it is
/// measured for.
struct Entry {
    bench: usize,
    spec: CommandSpec,
    options: RunnerOptions,
    time: bool,
    instructions: bool,
}

pub fn execute(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let path = &args.config;
    if !path.exists() {
        bail!(
            "{}: no such file; write one (see docs/config.md) or benchmark commands directly with \
             `benchgate run -- CMD`",
            path.display()
        );
    }
    let config = Config::load(path)?;
    // An error may quote an expanded command (one that cannot be split into words, a program
    // not found): the values of variables not marked safe to record are shown as `${NAME}`.
    run_suite(args, global, &config)
        .map_err(|e| anyhow::anyhow!("{}", config.redact(&format!("{e:#}"))))
}

fn run_suite(args: &RunArgs, global: &GlobalArgs, config: &Config) -> anyhow::Result<Outcome> {
    let path = &args.config;
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
    let judging = judging_for(
        config,
        Some(path),
        &Source::Command,
        &args.judge,
        &[],
        args.deny_warnings,
    )?;
    // Commands report these measures; a gated measure they cannot have would gate nothing.
    if let Some(unknown) = judging
        .options
        .gated_measures
        .iter()
        .find(|m| !m.is_known())
    {
        bail!(
            "{}: [gate] measures: unknown measure {:?}: commands report wall_time, user_time, \
             sys_time, max_rss and instructions",
            path.display(),
            unknown.as_str()
        );
    }
    let options = judging.options.clone();
    check_exports(args)?;
    check_store_writable(global)?;

    // Decide what runs and what is skipped, and expand every runnable bench. FILTER matches a
    // bench's name or the names of what it expands to (`wc/level/flag=l`), the names every report
    // and `history` use.
    let filter = args.filter.as_deref();
    let flags = sampling_flags(args);
    let mut benches: Vec<&Bench> = Vec::new();
    let mut skipped: Vec<Option<String>> = Vec::new();
    let mut entries = Vec::new();
    for bench in &config.benches {
        let whole = filter.is_none_or(|f| matches_filter(f, &bench.name));
        if let Some(reason) = bench.skip_reason() {
            if whole {
                benches.push(bench);
                skipped.push(Some(reason));
            }
            continue;
        }
        let shell = args.shell.as_deref().or(bench.shell(&config.defaults));
        let specs = bench
            .specs(shell)
            .with_context(|| format!("[[bench]] {}", bench.name))?;
        let specs = selected_specs(filter, &bench.name, specs);
        if specs.is_empty() {
            continue;
        }
        let mut runner = RunnerOptions::default();
        let settings = flags.or(&bench.runner.or(&config.defaults));
        settings.apply(&mut runner);
        let (time, instructions) = measurements(&settings);
        if let Some(input) = &bench.input {
            check_input("input", input).with_context(|| format!("[[bench]] {}", bench.name))?;
            runner.stdin = Some(input.clone());
        }
        io_flags(args, &mut runner)?;
        runner
            .validate()
            .with_context(|| format!("[[bench]] {}", bench.name))?;
        preflight(&specs).with_context(|| format!("[[bench]] {}", bench.name))?;
        let i = benches.len();
        benches.push(bench);
        skipped.push(None);
        entries.extend(specs.into_iter().map(|spec| Entry {
            bench: i,
            spec,
            options: runner.clone(),
            time,
            instructions,
        }));
    }
    if benches.is_empty() {
        match filter {
            Some(f) => bail!("{}: no [[bench]] matches {f:?}", path.display()),
            None => bail!("{}: no [[bench]] to run", path.display()),
        }
    }

    // The mode belongs to each benchmark; the run is labelled simulated when any of its
    // measured benchmarks is, so no report can pass simulated numbers off as real.
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
    let wanted: Vec<(String, Mode)> = entries
        .iter()
        .map(|e| (e.spec.name.clone(), benches[e.bench].mode))
        .collect();

    // The baseline is found before anything is measured (children are spawned from a small
    // process of their own, so opening the store here does not move their peak RSS). A store
    // that does not exist yet is created only when there is a run to put in it.
    let environment = benchgate_provenance::detect_environment();
    let mut notes = Vec::new();
    let choice = BaselineChoice::new(
        args.baseline.as_deref(),
        config.gate.baseline.as_deref(),
        Some(path),
    );
    let existing = if benchgate_store::exists(&global.db) {
        Some(open_store(global)?)
    } else {
        None
    };
    let judged = Judged {
        source: &Source::Command,
        fingerprint: &environment.fingerprint,
        benchmarks: &wanted,
        filtered: filter.is_some(),
    };
    let baseline = find_baseline(
        existing.as_deref(),
        &choice,
        &judged,
        args.allow_mode_mismatch,
        &mut notes,
    )?;

    // Measure: entries with the same options are interleaved together.
    let mut run = new_run(mode, environment)?;
    // Only the variables the file marks safe to record (`[env] record`).
    run.provenance.tags.extend(config.env.tags());
    if !simulated.is_empty() {
        run.provenance
            .tags
            .insert("simulated".into(), simulated.join(","));
    }
    let mut results: Vec<Option<CommandResult>> = entries
        .iter()
        .map(|e| (!e.time).then(|| unmeasured(&e.spec)))
        .collect();
    let timed: Vec<usize> = (0..entries.len()).filter(|&k| entries[k].time).collect();
    for (k, result) in measure_entries(&entries, &timed, global)? {
        results[k] = Some(result);
    }
    // Instruction counts, one valgrind run per command that asks for them.
    let mut counted: Vec<Option<Benchmark>> = entries
        .iter()
        .zip(&results)
        .map(|(e, r)| match (e.instructions, r) {
            (true, Some(r)) => Some(convert::benchmark(r)),
            _ => None,
        })
        .collect();
    for (k, entry) in entries.iter().enumerate() {
        if let Some(Some(bench)) = counted.get_mut(k) {
            count_instructions(
                std::slice::from_mut(bench),
                &[&entry.spec],
                &entry.options,
                global,
            )?;
        }
    }
    run.ended_at = OffsetDateTime::now_utc();
    for (i, bench) in benches.iter().enumerate() {
        match &skipped[i] {
            Some(reason) => run.benchmarks.push(Benchmark {
                mode: Some(bench.mode),
                name: bench.name.clone(),
                params: Default::default(),
                labels: Default::default(),
                command: Some(bench.command_as_written.clone()),
                status: Status::Skipped {
                    reason: reason.clone(),
                },
                metrics: Vec::new(),
            }),
            None => run.benchmarks.extend(
                entries
                    .iter()
                    .zip(results.iter().zip(counted.iter_mut()))
                    .filter(|(e, _)| e.bench == i)
                    .filter_map(|(_, (r, c))| {
                        c.take().or_else(|| r.as_ref().map(convert::benchmark))
                    })
                    .map(|mut b| {
                        b.mode = Some(bench.mode);
                        b
                    }),
            ),
        }
    }
    run.validate()?;
    let store = match existing {
        Some(store) => store,
        None => open_store(global)?,
    };
    let origins: Vec<Origin> = baseline
        .as_ref()
        .map_or_else(Vec::new, |b| b.runs.iter().map(Origin::of).collect());
    let baseline = pooled_baseline(baseline, &run, filter.is_some());
    let mode = match (args.confirm, args.no_confirm) {
        (Some(flag), _) => flag.into(),
        (None, true) => ConfirmMode::Off,
        (None, false) => config.gate.confirm.unwrap_or_default(),
    };
    let mut confirmed = Vec::new();
    if let Some(baseline) = &baseline {
        let remeasure = match mode {
            ConfirmMode::Off => false,
            ConfirmMode::Remeasure => true,
            ConfirmMode::Paired => {
                let candidates: Vec<Candidate<'_>> = entries
                    .iter()
                    .filter(|e| e.time)
                    .map(|e| Candidate {
                        spec: &e.spec,
                        options: &e.options,
                    })
                    .collect();
                let paired = super::paired::confirm(
                    store.as_ref(),
                    &mut run,
                    &candidates,
                    baseline,
                    &origins,
                    &options,
                    config,
                    &mut notes,
                    global,
                )?;
                let remeasure = paired.is_none();
                confirmed = paired.unwrap_or_default();
                remeasure
            }
        };
        if remeasure {
            confirm_suspects(
                store.as_ref(),
                &mut run,
                &entries,
                baseline,
                &options,
                &mut notes,
                global,
            )?;
        }
    }
    notes.extend(judging.note.clone());
    let gating = Gating {
        options,
        budgets: &judging.budgets,
        format: args.format,
        export_json: args.export_json.as_deref(),
        export_markdown: args.export_markdown.as_deref(),
        confirmed,
    };
    // A failed command's standard error may echo a variable's value.
    for bench in &mut run.benchmarks {
        if let Status::Failed { message } = &mut bench.status {
            *message = config.redact(message).into_owned();
        }
    }
    let failures = command_failures(&run);
    store_judge_report(
        store.as_ref(),
        &run,
        baseline,
        &gating,
        &notes,
        failures,
        global,
    )
}

/// Measures the entries `which` (indices into `entries`); entries with the same options are
/// interleaved together. Returns each index with its result.
fn measure_entries(
    entries: &[Entry],
    which: &[usize],
    global: &GlobalArgs,
) -> anyhow::Result<Vec<(usize, CommandResult)>> {
    let mut out = Vec::with_capacity(which.len());
    let mut done = vec![false; which.len()];
    for first in 0..which.len() {
        if done[first] {
            continue;
        }
        let options = &entries[which[first]].options;
        let group: Vec<usize> = (first..which.len())
            .filter(|&j| !done[j] && &entries[which[j]].options == options)
            .collect();
        let specs: Vec<CommandSpec> = group
            .iter()
            .map(|&j| entries[which[j]].spec.clone())
            .collect();
        let measured = measure(&specs, options, global)?;
        for (&j, result) in group.iter().zip(measured) {
            done[j] = true;
            out.push((which[j], result));
        }
    }
    Ok(out)
}

/// Before failing, the benchmarks whose time looks regressed against the baseline are measured
/// once more and judged on the new measurement: a burst of noise during the first rarely repeats
/// itself, a real slowdown always does. Their peak RSS stays the first measurement's (the
/// store is open now, and a child's peak RSS is floored at ours).
fn confirm_suspects(
    store: &dyn benchgate_store::Store,
    run: &mut benchgate_model::Run,
    entries: &[Entry],
    (base, label): &(benchgate_model::Run, String),
    options: &benchgate_gate::CompareOptions,
    notes: &mut Vec<String>,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    let options = with_noise_floors(store, run, options)?;
    let first = benchgate_gate::compare_runs(base, label, run, "first measurement", &options);
    let suspects: std::collections::BTreeSet<&str> = first
        .verdicts
        .iter()
        .filter(|v| v.gating && !v.exact && v.kind == benchgate_model::VerdictKind::Regressed)
        .map(|v| v.benchmark.as_str())
        .collect();
    let which: Vec<usize> = (0..entries.len())
        .filter(|&k| entries[k].time && suspects.contains(entries[k].spec.name.as_str()))
        .collect();
    if which.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = which
        .iter()
        .map(|&k| entries[k].spec.name.clone())
        .collect();
    if !global.quiet {
        eprintln!(
            "measuring again before judging: {}",
            line(&names.join(", "))
        );
    }
    for (k, result) in measure_entries(entries, &which, global)? {
        let fresh = convert::benchmark(&result);
        let Some(slot) = run
            .benchmarks
            .iter_mut()
            .find(|b| b.name == entries[k].spec.name)
        else {
            continue;
        };
        let kept: Vec<benchgate_model::Metric> = slot
            .metrics
            .iter()
            .filter(|m| matches!(m.measure, Measure::MaxRss | Measure::Instructions))
            .cloned()
            .collect();
        slot.status = fresh.status;
        slot.metrics = fresh
            .metrics
            .into_iter()
            .filter(|m| m.measure != Measure::MaxRss)
            .chain(kept)
            .collect();
    }
    run.provenance
        .tags
        .insert("measured_twice".into(), names.join(","));
    notes.push(format!(
        "measured again before judging (they looked regressed): {}",
        names.join(", ")
    ));
    run.ended_at = OffsetDateTime::now_utc();
    run.validate()?;
    Ok(())
}

/// One line per benchmark whose command failed while measuring.
pub(crate) fn command_failures(run: &benchgate_model::Run) -> Vec<String> {
    run.benchmarks
        .iter()
        .filter_map(|b| match &b.status {
            Status::Failed { message } => Some(format!("{} failed: {message}", b.name)),
            _ => None,
        })
        .collect()
}

/// The expanded commands of the bench `bench_name` that `filter` selects: all of them when it
/// matches the bench's name, else those whose own names (`wc/level/flag=l`) it matches.
pub(crate) fn selected_specs(
    filter: Option<&str>,
    bench_name: &str,
    specs: Vec<CommandSpec>,
) -> Vec<CommandSpec> {
    match filter.map(Filter::new) {
        Some(f) if !f.matches(bench_name) => {
            specs.into_iter().filter(|s| f.matches(&s.name)).collect()
        }
        _ => specs,
    }
}

/// Whether `filter` selects `name`: see [`Filter`].
pub(crate) fn matches_filter(filter: &str, name: &str) -> bool {
    Filter::new(filter).matches(name)
}

/// A `--filter`: a glob when it has `*` or `?` (compiled once for all the names it is tried
/// on), a substring otherwise.
enum Filter<'a> {
    Glob(Option<NameGlob>),
    Substring(&'a str),
}

impl<'a> Filter<'a> {
    fn new(filter: &'a str) -> Filter<'a> {
        if filter.contains(['*', '?']) {
            // A glob that does not compile selects nothing, as `glob_match` has it.
            Filter::Glob(NameGlob::new(filter).ok())
        } else {
            Filter::Substring(filter)
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Filter::Glob(glob) => glob.as_ref().is_some_and(|g| g.is_match(name)),
            Filter::Substring(part) => name.contains(part),
        }
    }
}
