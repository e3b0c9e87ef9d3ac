//! Measuring: commands into results, results into benchmarks of a run, instruction counts under
//! valgrind. Progress goes to a [`Progress`] the front end implements (bars, log lines, nothing).

use benchgate_config::{Config, MemorySettings};
use benchgate_measure::{
    CommandResult, CommandSpec, InstructionOptions, MeasureError, Observer, OutputSpec,
    RunnerOptions,
};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Run, Source, Status, Unit,
};
use time::OffsetDateTime;

use crate::PipelineError;
use crate::convert;
use crate::load::LoadEntry;
use crate::plan::{Entry, Plan};

/// Where measuring reports what it does. It sees the runner's events between [`Progress::start`]
/// and [`Progress::finish`] of each group of commands measured together.
pub trait Progress: Observer {
    /// The commands `names` are about to be measured together.
    fn start(&mut self, names: &[String]);
    /// They are measured (or measuring them stopped).
    fn finish(&mut self);
    /// What happens next, one line ("counting the instructions of X under valgrind").
    fn status(&mut self, text: &str);
    /// A note to show at once (processes the runner killed).
    fn note(&mut self, text: &str);
    /// Where a load engine's worker thread may redraw one live line while a level runs
    /// (requests, rate, errors, p99 so far); `None` (the default) when nothing is shown live,
    /// e.g. not on a terminal. [`Progress::finish`] ends the line.
    fn live(&mut self) -> Option<LiveLine> {
        None
    }
}

/// A line redrawn in place from any thread.
pub type LiveLine = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// A [`Progress`] that shows nothing.
pub struct Silent;

impl Observer for Silent {
    fn event(&mut self, _event: &benchgate_measure::Event<'_>) {}
}

impl Progress for Silent {
    fn start(&mut self, _names: &[String]) {}
    fn finish(&mut self) {}
    fn status(&mut self, _text: &str) {}
    fn note(&mut self, _text: &str) {}
}

/// A spec that is not timed (only its instructions are counted): no samples, no failure.
pub fn unmeasured(spec: &CommandSpec) -> CommandResult {
    CommandResult {
        spec: spec.clone(),
        samples: Vec::new(),
        warmup_runs: 0,
        failure: None,
        precision: None,
        leftover_processes: 0,
        rejected_runs: 0,
        first_rejection: None,
        memory_series: None,
    }
}

/// The note for a command whose runs left processes running (killed by the runner): `killed 2
/// leftover processes of `sh -c 'server & exit 0'``.
pub fn leftover_note(result: &CommandResult) -> Option<String> {
    let n = result.leftover_processes;
    (n > 0).then(|| {
        format!(
            "killed {n} leftover process{} of `{}`",
            if n == 1 { "" } else { "es" },
            result.spec.display
        )
    })
}

/// Runs `specs` interleaved, reporting to `progress`.
pub fn measure(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    progress: &mut dyn Progress,
) -> Result<Vec<CommandResult>, PipelineError> {
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    progress.start(&names);
    let results = benchgate_measure::run(specs, options, &mut *progress);
    progress.finish();
    let results = results?;
    for note in results.iter().filter_map(leftover_note) {
        progress.note(&note);
    }
    Ok(results)
}

/// How much longer than a plain run a run under valgrind may take before it is killed.
const VALGRIND_TIMEOUT_FACTOR: u32 = 50;

/// Adds the exact instruction count of each spec (one run under callgrind) to its benchmark. A
/// command that fails under valgrind fails its benchmark; valgrind missing is an error.
pub fn count_instructions(
    benchmarks: &mut [Benchmark],
    specs: &[&CommandSpec],
    options: &RunnerOptions,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    let counting = InstructionOptions {
        timeout: options.timeout.map(|t| t * VALGRIND_TIMEOUT_FACTOR),
        stdin: options.stdin.clone(),
        ignore_failure: options.ignore_failure,
        show_output: options.show_output,
        ..InstructionOptions::default()
    };
    for (bench, spec) in benchmarks.iter_mut().zip(specs) {
        progress.status(&format!(
            "counting the instructions of {} under valgrind",
            spec.name
        ));
        match benchgate_measure::count_instructions(spec, &counting) {
            Ok(count) => {
                let metric = Metric::from_samples(
                    Measure::Instructions,
                    Unit::Count,
                    Direction::LowerIsBetter,
                    vec![count.instructions as f64],
                )
                .map(|m| m.exact(true));
                bench.metrics.extend(metric);
            }
            Err(e @ MeasureError::ValgrindNotFound { .. }) => return Err(e.into()),
            Err(e) => {
                if bench.status == Status::Ok {
                    bench.status = Status::Failed {
                        message: format!("under valgrind: {e}"),
                    };
                }
            }
        }
    }
    Ok(())
}

/// A new command-sourced run with the working directory's git provenance.
pub fn new_run(mode: Mode, environment: Environment) -> Result<Run, PipelineError> {
    let cwd = std::env::current_dir().map_err(PipelineError::CurrentDirectory)?;
    Ok(Run::new(
        Source::Command,
        OffsetDateTime::now_utc(),
        benchgate_provenance::git_provenance(&cwd, mode),
        environment,
    ))
}

/// Measures `specs` into `run`'s benchmarks: timed (`time`) or not, with their instruction counts
/// (`instructions`) and, with `memory` (and `options.memory` set to sample it), each run's tree
/// memory. The ad-hoc `run -- CMD`.
pub fn measure_commands(
    run: &mut Run,
    specs: &[CommandSpec],
    options: &RunnerOptions,
    (time, instructions): (bool, bool),
    memory: Option<&MemorySettings>,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    let results = if time {
        measure(specs, options, progress)?
    } else {
        specs.iter().map(unmeasured).collect()
    };
    let output = options.output.clone().unwrap_or_default();
    run.benchmarks = results
        .iter()
        .map(|r| convert::benchmark_with(r, &output, memory))
        .collect();
    if instructions {
        let refs: Vec<&CommandSpec> = specs.iter().collect();
        count_instructions(&mut run.benchmarks, &refs, options, progress)?;
    }
    run.ended_at = OffsetDateTime::now_utc();
    run.validate()?;
    Ok(())
}

/// Measures `specs` as load (`entry`: N at a time or on a schedule), one after the other, into
/// `run`'s benchmarks, one per level. The ad-hoc `run --concurrency 1,10 -- CMD`.
pub fn measure_commands_under_load(
    run: &mut Run,
    specs: &[CommandSpec],
    options: &RunnerOptions,
    entry: &LoadEntry,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    for spec in specs {
        let levels = crate::load::measure_load(
            spec,
            options.stdin.as_deref(),
            options.timeout,
            &OutputSpec::default(),
            entry,
            progress,
        )?;
        run.benchmarks.extend(levels);
    }
    run.ended_at = OffsetDateTime::now_utc();
    run.validate()?;
    Ok(())
}

/// Measures the entries `which` (indices into `entries`); entries with the same options are
/// interleaved together. Returns each index with its result.
pub fn measure_entries(
    entries: &[Entry],
    which: &[usize],
    progress: &mut dyn Progress,
) -> Result<Vec<(usize, CommandResult)>, PipelineError> {
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
        let measured = measure(&specs, options, progress)?;
        for (&j, result) in group.iter().zip(measured) {
            done[j] = true;
            out.push((which[j], result));
        }
    }
    Ok(out)
}

/// Measures the suite `plan` of `config` into a new run on `environment`: entries with the same
/// options interleaved, then instruction counts, skipped benches recorded as such; tagged with
/// the variables `config` marks safe to record.
pub fn measure_plan(
    plan: &Plan<'_>,
    config: &Config,
    environment: Environment,
    progress: &mut dyn Progress,
) -> Result<Run, PipelineError> {
    let entries = &plan.entries;
    let mut simulated = plan.simulated();
    let mut run = new_run(plan.mode(), environment)?;
    // Only the variables the file marks safe to record (`[env] record`).
    run.provenance.tags.extend(config.env.tags());
    let mut results: Vec<Option<CommandResult>> = entries
        .iter()
        .map(|e| (!e.time).then(|| unmeasured(&e.spec)))
        .collect();
    let timed: Vec<usize> = (0..entries.len())
        .filter(|&k| entries[k].time && entries[k].load.is_none())
        .collect();
    for (k, result) in measure_entries(entries, &timed, progress)? {
        results[k] = Some(result);
    }
    // Load entries, one after the other: levels of several at once would drive each other.
    let mut loaded: Vec<Option<Vec<Benchmark>>> = vec![None; entries.len()];
    for (k, entry) in entries.iter().enumerate() {
        if let Some(load) = entry.load.as_ref().filter(|_| entry.time) {
            let bench = plan.benches[entry.bench];
            let benchmarks = crate::load::measure_load(
                &entry.spec,
                entry.options.stdin.as_deref(),
                entry.options.timeout,
                &bench.output,
                load,
                progress,
            )?;
            loaded[k] = Some(benchmarks);
        }
    }
    // HTTP benches, one after the other too.
    let mut http: Vec<(usize, Vec<Benchmark>)> = Vec::new();
    let mut found_simulated = Vec::new();
    for (i, entry) in &plan.http {
        let measured = crate::http_load::measure_http(entry, progress)?;
        if measured.simulated {
            found_simulated.push(plan.benches[*i].name.as_str());
        }
        http.push((*i, measured.benchmarks));
    }
    // Instruction counts, one valgrind run per command that asks for them.
    let mut counted: Vec<Option<Benchmark>> = entries
        .iter()
        .zip(&results)
        .map(|(e, r)| match (e.instructions, r) {
            (true, Some(r)) => Some(entry_benchmark(e, r)),
            _ => None,
        })
        .collect();
    for (k, entry) in entries.iter().enumerate() {
        if let Some(Some(bench)) = counted.get_mut(k) {
            count_instructions(
                std::slice::from_mut(bench),
                &[&entry.spec],
                &entry.options,
                progress,
            )?;
        }
    }
    run.ended_at = OffsetDateTime::now_utc();
    for (i, bench) in plan.benches.iter().enumerate() {
        match &plan.skipped[i] {
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
                series: Vec::new(),
            }),
            None => run.benchmarks.extend(
                entries
                    .iter()
                    .zip(
                        results
                            .iter()
                            .zip(counted.iter_mut().zip(loaded.iter_mut())),
                    )
                    .filter(|(e, _)| e.bench == i)
                    .flat_map(|(e, (r, (c, l)))| match l.take() {
                        Some(levels) => levels,
                        None => c
                            .take()
                            .or_else(|| r.as_ref().map(|r| entry_benchmark(e, r)))
                            .into_iter()
                            .collect(),
                    })
                    .chain(
                        http.iter_mut()
                            .filter(|(k, _)| *k == i)
                            .flat_map(|(_, levels)| std::mem::take(levels)),
                    )
                    .map(|mut b| {
                        // A server that said it is a simulator makes its benchmarks simulated.
                        if b.mode != Some(Mode::Simulated) {
                            b.mode = Some(bench.mode);
                        }
                        b
                    }),
            ),
        }
    }
    // A server that said it is a simulator makes the run simulated, whatever the file said.
    for name in found_simulated {
        if !simulated.contains(&name) {
            simulated.push(name);
        }
    }
    if !simulated.is_empty() {
        run.provenance.mode = Mode::Simulated;
        run.provenance
            .tags
            .insert("simulated".into(), simulated.join(","));
    }
    run.validate()?;
    Ok(run)
}

/// The benchmark of an entry's result: with the values its output gave and its memory.
pub fn entry_benchmark(entry: &Entry, result: &CommandResult) -> Benchmark {
    let output = entry.options.output.clone().unwrap_or_default();
    convert::benchmark_with(result, &output, entry.memory.as_ref())
}

/// Redacts each failed benchmark's message as `config` says: a failed command's standard error
/// may echo a variable's value.
pub fn redact_failures(run: &mut Run, config: &Config) {
    for bench in &mut run.benchmarks {
        if let Status::Failed { message } = &mut bench.status {
            *message = config.redact(message).into_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(display: &str) -> CommandSpec {
        let template = benchgate_measure::CommandTemplate {
            name: None,
            tokens: vec!["true".to_string()],
        };
        let mut spec = benchgate_measure::expand(&[template], &[], &[], None)
            .expect("a plain command expands")
            .remove(0);
        spec.display = display.to_string();
        spec
    }

    #[test]
    fn killed_leftovers_are_counted_in_the_note() {
        let mut result = unmeasured(&spec("sh -c 'server & exit 0'"));
        assert_eq!(leftover_note(&result), None);
        result.leftover_processes = 1;
        assert_eq!(
            leftover_note(&result).as_deref(),
            Some("killed 1 leftover process of `sh -c 'server & exit 0'`")
        );
        result.leftover_processes = 2;
        assert_eq!(
            leftover_note(&result).as_deref(),
            Some("killed 2 leftover processes of `sh -c 'server & exit 0'`")
        );
    }

    #[test]
    fn an_unmeasured_spec_has_no_samples_and_no_failure() {
        let result = unmeasured(&spec("true"));
        assert!(result.samples.is_empty());
        assert!(result.failure.is_none());
        assert_eq!(result.spec.display, "true");
        let bench = convert::benchmark(&result);
        assert_eq!(bench.status, Status::Ok);
        assert!(bench.metrics.is_empty());
    }
}
