//! Planning a configured suite: which benches run, which are skipped, and every command they
//! expand to with the runner options it runs under and what it is measured for. Everything that
//! can be refused here is refused before anything is measured.

use std::path::{Path, PathBuf};

use benchgate_config::{Bench, Config, Measurement, MemorySettings, RunnerSettings};
use benchgate_gate::NameGlob;
use benchgate_measure::{CommandSpec, MemoryOptions, RunnerOptions, preflight};
use benchgate_model::Mode;

use crate::PipelineError;
use crate::http_load::{HttpEntry, aux_invocation, http_targets};
use crate::load::{LoadEntry, NotUnderLoad, Watch, not_under_load};

/// One expanded command of a configured bench, with the options it runs under and what it is
/// measured for.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into [`Plan::benches`].
    pub bench: usize,
    pub spec: CommandSpec,
    pub options: RunnerOptions,
    pub time: bool,
    pub instructions: bool,
    /// Run as load (N at a time, or on a schedule) rather than one run at a time.
    pub load: Option<LoadEntry>,
    /// One run at a time with `memory`: how its runs' memory is judged (`options.memory`
    /// samples it).
    pub memory: Option<MemorySettings>,
}

/// What the command line adds to every bench of the suite.
#[derive(Debug, Clone, Default)]
pub struct SuiteOptions {
    /// FILTER: a bench's name or the names of what it expands to (`wc/level/flag=l`).
    pub filter: Option<String>,
    /// `--shell`, over a bench's and the defaults' shell.
    pub shell: Option<String>,
    /// The sampling flags, layered over each bench's runner settings and the defaults.
    pub sampling: RunnerSettings,
    /// `--input`: standard input of every command (a bench's own `input` comes first).
    pub input: Option<PathBuf>,
    pub ignore_failure: bool,
    pub show_output: bool,
    /// `benchgate load --watch-pid`: the server an HTTP bench samples, over its `watch`.
    pub watch_pid: Option<u32>,
}

/// The suite to measure: the benches that run or are skipped (in file order, with why), and the
/// entries of those that run.
#[derive(Debug)]
pub struct Plan<'c> {
    pub benches: Vec<&'c Bench>,
    /// Why each of [`Plan::benches`] is skipped; `None` for one that runs.
    pub skipped: Vec<Option<String>>,
    pub entries: Vec<Entry>,
    /// The HTTP benches that run, each with its index into [`Plan::benches`].
    pub http: Vec<(usize, HttpEntry)>,
    /// A FILTER chose the benches: the others are not missing.
    pub filtered: bool,
}

impl Plan<'_> {
    /// The measured benches in simulated mode, by name.
    pub fn simulated(&self) -> Vec<&str> {
        self.benches
            .iter()
            .zip(&self.skipped)
            .filter(|(b, why)| why.is_none() && b.mode == Mode::Simulated)
            .map(|(b, _)| b.name.as_str())
            .collect()
    }

    /// The run's mode: simulated when any of its measured benchmarks is, so no report can pass
    /// simulated numbers off as real.
    pub fn mode(&self) -> Mode {
        if self.simulated().is_empty() {
            Mode::Real
        } else {
            Mode::Simulated
        }
    }

    /// Every benchmark name the entries produce (a load entry one per level) with its bench's
    /// mode: what a baseline is looked up for.
    pub fn benchmarks(&self) -> Vec<(String, Mode)> {
        self.entries
            .iter()
            .flat_map(|e| {
                let mode = self.benches[e.bench].mode;
                let names = match &e.load {
                    Some(load) => load.benchmark_names(&e.spec.name),
                    None => vec![e.spec.name.clone()],
                };
                names.into_iter().map(move |name| (name, mode))
            })
            .chain(self.http.iter().flat_map(|(i, http)| {
                let mode = self.benches[*i].mode;
                http.load
                    .benchmark_names(&http.name)
                    .into_iter()
                    .map(move |name| (name, mode))
            }))
            .collect()
    }
}

/// Decides what of `config` (read from `path`) runs and what is skipped, and expands every
/// runnable bench with its runner options, refusing what cannot run (a command that cannot be
/// split or found, an unreadable input, invalid runner settings) before anything is measured.
pub fn plan_suite<'c>(
    config: &'c Config,
    path: &Path,
    options: &SuiteOptions,
) -> Result<Plan<'c>, PipelineError> {
    let filter = options.filter.as_deref();
    let mut benches: Vec<&Bench> = Vec::new();
    let mut skipped: Vec<Option<String>> = Vec::new();
    let mut entries = Vec::new();
    let mut http = Vec::new();
    for bench in &config.benches {
        let whole = filter.is_none_or(|f| matches_filter(f, &bench.name));
        if let Some(reason) = bench.skip_reason() {
            if whole {
                benches.push(bench);
                skipped.push(Some(reason));
            }
            continue;
        }
        let in_bench = |e: PipelineError| PipelineError::in_bench(&bench.name, e);
        let shell = options.shell.as_deref().or(bench.shell(&config.defaults));
        if bench.http.is_some() {
            // Its levels are one load: a FILTER takes the bench whole or not at all.
            if whole {
                let entry = http_entry(bench, shell, &config.defaults, options.watch_pid)
                    .map_err(in_bench)?;
                http.push((benches.len(), entry));
                benches.push(bench);
                skipped.push(None);
            }
            continue;
        }
        let specs = bench.specs(shell).map_err(|e| in_bench(e.into()))?;
        let specs = selected_specs(filter, &bench.name, specs);
        if specs.is_empty() {
            continue;
        }
        let settings =
            RunnerSettings::layered(&[&config.defaults, &bench.runner, &options.sampling]);
        let mut runner = settings.runner_options();
        let (time, instructions) = measurements(&settings);
        if let Some(input) = &bench.input {
            check_input("input", input).map_err(in_bench)?;
            runner.stdin = Some(input.clone());
        }
        if let Some(input) = &options.input {
            check_input("--input", input)?;
            runner.stdin = Some(input.clone());
        }
        runner.ignore_failure = options.ignore_failure;
        runner.show_output = options.show_output;
        // Under load the engine reads the output and samples memory itself (`load.rs`).
        if bench.load.is_none() {
            runner.output = (!bench.output.is_empty()).then(|| bench.output.clone());
            runner.memory = bench.memory.as_ref().map(|m| MemoryOptions {
                every: m.every,
                ..MemoryOptions::default()
            });
        }
        runner.validate().map_err(|e| in_bench(e.into()))?;
        preflight(&specs).map_err(|e| in_bench(e.into()))?;
        let load = load_entry(bench, &specs, instructions).map_err(in_bench)?;
        let i = benches.len();
        benches.push(bench);
        skipped.push(None);
        entries.extend(specs.into_iter().map(|spec| Entry {
            bench: i,
            spec,
            options: runner.clone(),
            time,
            instructions,
            load: load.clone(),
            memory: if load.is_none() {
                bench.memory.clone()
            } else {
                None
            },
        }));
    }
    if benches.is_empty() {
        return Err(match filter {
            Some(f) => PipelineError::NoBenchMatches {
                path: path.to_path_buf(),
                filter: f.to_string(),
            },
            None => PipelineError::NoBench {
                path: path.to_path_buf(),
            },
        });
    }
    Ok(Plan {
        benches,
        skipped,
        entries,
        http,
        filtered: filter.is_some(),
    })
}

/// The HTTP bench `bench` ready to run: its requests built and checked (URL, method, headers,
/// body, URL list), its load, per-request timeout and `setup`/`cleanup`.
fn http_entry(
    bench: &Bench,
    shell: Option<&str>,
    defaults: &RunnerSettings,
    watch_pid: Option<u32>,
) -> Result<HttpEntry, PipelineError> {
    let (Some(settings), Some(http)) = (&bench.load, &bench.http) else {
        return Err(PipelineError::HttpNeedsLoad);
    };
    let runner = RunnerSettings::layered(&[defaults, &bench.runner]);
    let (_, instructions) = measurements(&runner);
    if let Some(refused) = not_under_load(&[], &bench.runner, instructions) {
        return Err(PipelineError::NotUnderLoad {
            what: refused_under_load(refused),
        });
    }
    Ok(HttpEntry {
        name: bench.name.clone(),
        display: bench.command_as_written.clone(),
        targets: http_targets(http)?,
        load: LoadEntry {
            settings: settings.clone(),
            memory: bench
                .memory_sampling()
                .or_else(|| watch_pid.map(|_| MemorySettings::default())),
            watch: watch_pid.map(Watch::Pid).or_else(|| {
                bench
                    .watch
                    .as_ref()
                    .map(|w| Watch::PidFile(w.pid_file.clone()))
            }),
        },
        timeout: runner.timeout,
        setup: aux_invocation(bench.setup.as_deref(), shell, "setup")?,
        cleanup: aux_invocation(bench.cleanup.as_deref(), shell, "cleanup")?,
        threads: http.threads,
        mode: bench.mode,
    })
}

/// The load a bench asks for (`concurrency` or `rate`), refusing what has no meaning under load:
/// `prepare`/`conclude` (around each run: load has no single run; `setup`/`cleanup` run once
/// around the levels) and instruction counts.
fn load_entry(
    bench: &Bench,
    specs: &[CommandSpec],
    instructions: bool,
) -> Result<Option<LoadEntry>, PipelineError> {
    let Some(settings) = &bench.load else {
        if bench.watch.is_some() {
            return Err(PipelineError::WatchWithoutLoad);
        }
        return Ok(None);
    };
    if let Some(refused) = not_under_load(specs, &bench.runner, instructions) {
        return Err(PipelineError::NotUnderLoad {
            what: refused_under_load(refused),
        });
    }
    Ok(Some(LoadEntry {
        settings: settings.clone(),
        memory: bench.memory_sampling(),
        watch: bench
            .watch
            .as_ref()
            .map(|w| Watch::PidFile(w.pid_file.clone())),
    }))
}

/// What a load bench cannot have, in the configuration's words.
fn refused_under_load(refused: NotUnderLoad) -> String {
    match refused {
        NotUnderLoad::Prepare => {
            "`prepare` (it runs before each run; use `setup`, run once before the load)".to_string()
        }
        NotUnderLoad::Conclude => {
            "`conclude` (it runs after each run; use `cleanup`, run once after the load)"
                .to_string()
        }
        NotUnderLoad::Instructions => {
            "`measure = [\"instructions\"]` (one run under valgrind is not load)".to_string()
        }
        NotUnderLoad::Sizing(key) => format!(
            "`{key}` (it sizes runs one at a time; a load level lasts `duration` or `operations`)"
        ),
    }
}

/// The measurements asked for (`--measure`, a bench's `measure`) as (time, instructions): time
/// when none are.
pub fn measurements(settings: &RunnerSettings) -> (bool, bool) {
    match &settings.measure {
        None => (true, false),
        Some(m) => (
            m.contains(&Measurement::Time),
            m.contains(&Measurement::Instructions),
        ),
    }
}

/// The expanded commands of the bench `bench_name` that `filter` selects: all of them when it
/// matches the bench's name, else those whose own names (`wc/level/flag=l`) it matches.
pub fn selected_specs(
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

/// Whether `filter` selects `name`: a glob when it has `*` or `?`, a substring otherwise.
pub fn matches_filter(filter: &str, name: &str) -> bool {
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

/// Refuses, before anything runs, a standard-input file that every run would fail to read: a
/// directory, a missing or unreadable file. `what` names it in the error (`--input`, `input`).
pub fn check_input(what: &str, path: &Path) -> Result<(), PipelineError> {
    if path.is_dir() {
        return Err(PipelineError::InputIsDirectory {
            what: what.to_string(),
            path: path.to_path_buf(),
        });
    }
    std::fs::File::open(path)
        .map(drop)
        .map_err(|source| PipelineError::UnreadableInput {
            what: what.to_string(),
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse_with_env(text, "benchgate.toml", &|_| None).expect("a valid configuration")
    }

    const SUITE: &str = "[[bench]]\nname = \"wc\"\ncommand = \"true {flag}\"\n\
                         params = { flag = [\"l\", \"w\"] }\n\n\
                         [[bench]]\nname = \"sim\"\ncommand = \"true\"\nmode = \"simulated\"\n\
                         measure = [\"instructions\"]\n\n\
                         [[bench]]\nname = \"gone\"\ncommand = \"true\"\n\
                         requires = { env = [\"BENCHGATE_PIPELINE_UNSET\"] }\n";

    #[test]
    fn a_filter_is_a_glob_with_wildcards_and_a_substring_without() {
        assert!(matches_filter("wc", "wc/flag=l"));
        assert!(matches_filter("flag=", "wc/flag=l"));
        assert!(!matches_filter("wc/*", "wc"));
        assert!(matches_filter("wc/*", "wc/flag=l"));
        assert!(matches_filter("w?", "wc"));
        assert!(!matches_filter("x*", "wc"));
    }

    #[test]
    fn the_whole_suite_is_planned_with_skipped_benches_and_modes() {
        let config = config(SUITE);
        let plan = plan_suite(&config, Path::new("b.toml"), &SuiteOptions::default()).unwrap();
        let names: Vec<&str> = plan.benches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["wc", "sim", "gone"]);
        assert_eq!(
            plan.skipped,
            [
                None,
                None,
                Some(
                    "requires: environment variable BENCHGATE_PIPELINE_UNSET is not set"
                        .to_string()
                )
            ]
        );
        let entries: Vec<(&str, usize, bool, bool)> = plan
            .entries
            .iter()
            .map(|e| (e.spec.name.as_str(), e.bench, e.time, e.instructions))
            .collect();
        assert_eq!(
            entries,
            [
                ("wc/flag=l", 0, true, false),
                ("wc/flag=w", 0, true, false),
                ("sim", 1, false, true),
            ]
        );
        assert_eq!(plan.simulated(), ["sim"]);
        assert_eq!(plan.mode(), Mode::Simulated);
        assert_eq!(
            plan.benchmarks(),
            [
                ("wc/flag=l".to_string(), Mode::Real),
                ("wc/flag=w".to_string(), Mode::Real),
                ("sim".to_string(), Mode::Simulated),
            ]
        );
        assert!(!plan.filtered);
    }

    #[test]
    fn a_filter_selects_expanded_names_and_the_flags_go_on_top() {
        let config = config(SUITE);
        let options = SuiteOptions {
            filter: Some("flag=w".into()),
            sampling: RunnerSettings {
                runs: Some(3),
                ..RunnerSettings::default()
            },
            ignore_failure: true,
            ..SuiteOptions::default()
        };
        let plan = plan_suite(&config, Path::new("b.toml"), &options).unwrap();
        let names: Vec<&str> = plan.entries.iter().map(|e| e.spec.name.as_str()).collect();
        assert_eq!(names, ["wc/flag=w"]);
        assert_eq!(plan.entries[0].options.runs, Some(3));
        assert!(plan.entries[0].options.ignore_failure);
        assert_eq!(plan.mode(), Mode::Real);
        assert!(plan.filtered);
    }

    #[test]
    fn nothing_to_run_is_refused() {
        let config = config(SUITE);
        let options = SuiteOptions {
            filter: Some("nope".into()),
            ..SuiteOptions::default()
        };
        assert_eq!(
            plan_suite(&config, Path::new("b.toml"), &options)
                .unwrap_err()
                .to_string(),
            "b.toml: no [[bench]] matches \"nope\""
        );
        assert_eq!(
            plan_suite(
                &Config::default(),
                Path::new("b.toml"),
                &SuiteOptions::default()
            )
            .unwrap_err()
            .to_string(),
            "b.toml: no [[bench]] to run"
        );
    }

    #[test]
    fn a_bench_that_cannot_run_is_named_once_in_the_chain() {
        let config =
            config("[[bench]]\nname = \"bad\"\ncommand = \"benchgate-no-such-program-x\"\n");
        let error = plan_suite(&config, Path::new("b.toml"), &SuiteOptions::default()).unwrap_err();
        let mut chain = vec![error.to_string()];
        let mut cause = std::error::Error::source(&error);
        while let Some(e) = cause {
            chain.push(e.to_string());
            cause = e.source();
        }
        assert_eq!(chain[0], "[[bench]] bad");
        assert!(
            chain[1].contains("benchgate-no-such-program-x"),
            "{chain:?}"
        );
        // No message says again what the one before it said.
        for pair in chain.windows(2) {
            assert_ne!(pair[0], pair[1], "{chain:?}");
        }
    }

    #[test]
    fn time_is_measured_unless_only_instructions_are_asked_for() {
        let asked = |measure: Option<Vec<Measurement>>| {
            measurements(&RunnerSettings {
                measure,
                ..RunnerSettings::default()
            })
        };
        assert_eq!(asked(None), (true, false));
        assert_eq!(asked(Some(vec![Measurement::Instructions])), (false, true));
        assert_eq!(
            asked(Some(vec![Measurement::Time, Measurement::Instructions])),
            (true, true)
        );
    }

    #[test]
    fn an_input_that_cannot_be_read_is_refused_before_anything_runs() {
        let dir = std::env::temp_dir();
        assert_eq!(
            check_input("--input", &dir).unwrap_err().to_string(),
            format!(
                "--input {}: is a directory; expected a file to feed to standard input",
                dir.display()
            )
        );
        let missing = dir.join("benchgate-pipeline-no-such-input");
        let error = check_input("input", &missing).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot read input {}", missing.display())
        );
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("No such file or directory (os error 2)")
        );
    }
}
