//! Load benches: a configured command run N at a time (closed model, one benchmark per level,
//! `pool/concurrency=100`) or on a schedule (open model) through benchgate-load, with the memory
//! of its process tree — or of a watched server — sampled while it runs. Each level becomes one
//! benchmark of the run; the engine and its conversion to the model are benchgate-load's, the
//! memory figures benchgate-stats', and this module only assembles them.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use benchgate_config::{Arrivals, LoadModel, LoadSettings, MemorySettings, RunnerSettings};
use benchgate_load::{
    Burst, ClosedLoad, CommandSpec as LoadCommand, LevelResult, OpenLoad, OutputInspector,
    OutputMetric, StartHook, StartWatch, Stop,
};
use benchgate_measure::{
    Better, CommandSpec, Invocation, MeasureError, MemoryOptions, MemorySampler, MemorySeries,
    OutputSpec,
};
use benchgate_model::{Benchmark, Direction, Measure, Metric, Series, SeriesPoint, Status, Unit};
use benchgate_stats::{MemoryGrowth, memory_growth};

use crate::PipelineError;
use crate::measure::Progress;

/// What a load bench runs, besides its command.
#[derive(Debug, Clone)]
pub struct LoadEntry {
    pub settings: LoadSettings,
    pub memory: Option<MemorySettings>,
    /// The server whose memory is sampled instead of the operations' own processes.
    pub watch: Option<Watch>,
}

/// A long-running process to sample while load drives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watch {
    /// `--watch-pid PID`.
    Pid(u32),
    /// `watch = { pid_file }`, resolved against the configuration file's directory; read when
    /// each level starts, since `setup` may be what starts the server.
    PidFile(PathBuf),
}

impl Watch {
    fn pid(&self) -> Result<u32, String> {
        match self {
            Watch::Pid(pid) => Ok(*pid),
            Watch::PidFile(path) => read_pid(path),
        }
    }
}

impl LoadEntry {
    /// The benchmark names a load bench named `name` produces, one per level.
    pub fn benchmark_names(&self, name: &str) -> Vec<String> {
        match &self.settings.model {
            LoadModel::Closed { levels } => {
                levels.iter().map(|n| level_name(name, n.get())).collect()
            }
            LoadModel::Open { .. } => vec![name.to_string()],
        }
    }
}

/// What a command run as load cannot have: it has no single run to prepare, conclude, count the
/// instructions of, or repeat until a number of runs or a precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotUnderLoad {
    Prepare,
    Conclude,
    Instructions,
    /// A runner setting that sizes runs one at a time, by its configuration key (`runs`).
    Sizing(&'static str),
}

/// The first thing `specs` run with `settings` (and instruction counting) ask for that load has
/// no meaning for; the configuration and the command line each say it in their own words.
pub fn not_under_load(
    specs: &[CommandSpec],
    settings: &RunnerSettings,
    instructions: bool,
) -> Option<NotUnderLoad> {
    if specs.iter().any(|s| s.prepare.is_some()) {
        return Some(NotUnderLoad::Prepare);
    }
    if specs.iter().any(|s| s.conclude.is_some()) {
        return Some(NotUnderLoad::Conclude);
    }
    if instructions {
        return Some(NotUnderLoad::Instructions);
    }
    [
        ("warmup", settings.warmup.is_some()),
        ("runs", settings.runs.is_some()),
        ("min_runs", settings.min_runs.is_some()),
        ("max_runs", settings.max_runs.is_some()),
        ("max_time", settings.max_time.is_some()),
        ("precision", settings.precision.is_some()),
    ]
    .into_iter()
    .find(|(_, given)| *given)
    .map(|(key, _)| NotUnderLoad::Sizing(key))
}

/// `pool/concurrency=100`: the name of a closed-model level, as benchgate-harness names its
/// sweeps.
pub fn level_name(name: &str, concurrency: usize) -> String {
    format!("{name}/concurrency={concurrency}")
}

/// Runs the load bench `spec` (its standard input `stdin`, per-operation `timeout`, the values
/// `output` reads from each operation's standard output) and returns its benchmarks, one per
/// level. `setup` runs once before the first level and `cleanup` once after the last, whatever
/// happened; a failing `setup` fails every level.
pub fn measure_load(
    spec: &CommandSpec,
    stdin: Option<&Path>,
    timeout: Option<Duration>,
    output: &OutputSpec,
    entry: &LoadEntry,
    progress: &mut dyn Progress,
) -> Result<Vec<Benchmark>, PipelineError> {
    if let Some(setup) = &spec.setup
        && let Err(message) = run_aux(setup, spec.cwd.as_deref())
    {
        let subject = Subject {
            name: &spec.name,
            display: &spec.display,
            params: &spec.params,
            definitions: Vec::new(),
            operations: "operations",
        };
        return Ok(subject.all_failed(entry, &format!("setup: {message}")));
    }
    let measured = measure_levels(spec, stdin, timeout, output, entry, progress);
    if let Some(cleanup) = &spec.cleanup
        && let Err(message) = run_aux(cleanup, spec.cwd.as_deref())
    {
        progress.note(&format!("cleanup of {} failed: {message}", spec.name));
    }
    measured
}

fn measure_levels(
    spec: &CommandSpec,
    stdin: Option<&Path>,
    timeout: Option<Duration>,
    output: &OutputSpec,
    entry: &LoadEntry,
    progress: &mut dyn Progress,
) -> Result<Vec<Benchmark>, PipelineError> {
    let command = load_command(spec, stdin, output)?;
    let settings = &entry.settings;
    let timeout = Some(timeout.unwrap_or_else(|| default_operation_timeout(settings)));
    let stop = stop_of(settings);
    let window = settings.effective_window();
    let subject = Subject {
        name: &spec.name,
        display: &spec.display,
        params: &spec.params,
        definitions: output_definitions(output),
        operations: "operations",
    };
    Ok(subject.levels(entry, progress, |level| match level {
        Level::Closed(concurrency) => {
            let load = ClosedLoad {
                command: command.clone(),
                concurrency,
                stop,
                timeout,
                window,
            };
            with_memory(entry, || benchgate_load::run_closed(&load))
        }
        Level::Open(open) => {
            let load = OpenLoad {
                command: command.clone(),
                rate: open.rate,
                arrivals: open.arrivals,
                ramp: open.ramp,
                burst: open.burst,
                max_in_flight: open.max_in_flight,
                stop,
                timeout,
                window,
            };
            with_memory(entry, || benchgate_load::run_open(&load))
        }
    }))
}

/// What a bench's levels are named, labelled and reported as, whatever drives them.
pub(crate) struct Subject<'a> {
    pub name: &'a str,
    /// What runs, as reports show it: the command line, or `GET http://…`.
    pub display: &'a str,
    pub params: &'a BTreeMap<String, String>,
    /// The output metrics each operation's values are.
    pub definitions: Vec<OutputMetric>,
    /// What one operation is called in progress lines: `operations`, or `requests`.
    pub operations: &'static str,
}

/// One level to run: N in flight (closed model) or the open model's schedule.
pub(crate) enum Level {
    Closed(NonZeroUsize),
    Open(OpenLevel),
}

/// The open model's schedule as the engines take it.
pub(crate) struct OpenLevel {
    pub rate: f64,
    pub arrivals: benchgate_load::Arrivals,
    pub ramp: Option<Duration>,
    pub burst: Option<Burst>,
    pub max_in_flight: NonZeroUsize,
}

impl Subject<'_> {
    /// Runs every level of `entry` with `run` (one after the other) and converts each into a
    /// benchmark: `{name}/concurrency={N}` per closed level with its scaling efficiency against
    /// the lowest level that measured a throughput, or `{name}` for the open model.
    pub(crate) fn levels(
        &self,
        entry: &LoadEntry,
        progress: &mut dyn Progress,
        mut run: impl FnMut(Level) -> Result<Measured, String>,
    ) -> Vec<Benchmark> {
        let settings = &entry.settings;
        match &settings.model {
            LoadModel::Closed { levels } => {
                let mut results: Vec<(usize, Result<Measured, String>)> = Vec::new();
                for &level in levels {
                    let name = level_name(self.name, level.get());
                    progress.status(&format!(
                        "{name}: {} in flight, {}",
                        level.get(),
                        describe_stop(settings, self.operations)
                    ));
                    results.push((level.get(), run(Level::Closed(level))));
                }
                // Scaling efficiency is against the lowest level that measured a throughput.
                let reference = results
                    .iter()
                    .filter_map(|(n, r)| Some((*n, &r.as_ref().ok()?.level)))
                    .filter(|(_, level)| level.throughput() > 0.0)
                    .min_by_key(|(n, _)| *n)
                    .map(|(_, level)| level);
                results
                    .iter()
                    .map(|(n, measured)| {
                        let name = level_name(self.name, *n);
                        let mut params = self.params.clone();
                        params.insert("concurrency".to_string(), n.to_string());
                        match measured {
                            Ok(m) => {
                                let bench = benchgate_load::level_benchmark(
                                    name,
                                    params,
                                    &m.level,
                                    reference,
                                    &self.definitions,
                                );
                                self.finish_level(bench, m, entry)
                            }
                            Err(message) => self.failed(name, message.clone()),
                        }
                    })
                    .collect()
            }
            LoadModel::Open {
                rate_per_s,
                rate_as_written,
                arrivals,
                seed,
                ramp,
                burst,
                max_in_flight,
            } => {
                progress.status(&format!(
                    "{}: {rate_as_written}, {}",
                    self.name,
                    describe_stop(settings, self.operations)
                ));
                let measured = run(Level::Open(OpenLevel {
                    rate: *rate_per_s,
                    arrivals: match arrivals {
                        Arrivals::Constant => benchgate_load::Arrivals::Constant,
                        Arrivals::Poisson => benchgate_load::Arrivals::Poisson {
                            seed: seed.unwrap_or(DEFAULT_SEED),
                        },
                    },
                    ramp: *ramp,
                    burst: burst.as_ref().map(|b| Burst {
                        size: b.size.get(),
                        every: b.every,
                    }),
                    max_in_flight: *max_in_flight,
                }));
                let mut params = self.params.clone();
                params.insert("rate".to_string(), rate_as_written.clone());
                vec![match measured {
                    Ok(m) => {
                        let bench = benchgate_load::level_benchmark(
                            self.name.to_string(),
                            params,
                            &m.level,
                            None,
                            &self.definitions,
                        );
                        self.finish_level(bench, &m, entry)
                    }
                    Err(message) => self.failed(self.name.to_string(), message),
                }]
            }
        }
    }

    /// Every level of `entry` failed with `message` (a `setup` that failed, a server that
    /// cannot be reached).
    pub(crate) fn all_failed(&self, entry: &LoadEntry, message: &str) -> Vec<Benchmark> {
        entry
            .benchmark_names(self.name)
            .into_iter()
            .map(|name| self.failed(name, message.to_string()))
            .collect()
    }

    fn failed(&self, name: String, message: String) -> Benchmark {
        Benchmark {
            mode: None,
            name,
            params: self.params.clone(),
            labels: Default::default(),
            command: Some(self.display.to_string()),
            status: Status::Failed { message },
            metrics: Vec::new(),
            series: Vec::new(),
        }
    }

    /// A level's benchmark with what ran and the memory sampled while it ran.
    fn finish_level(
        &self,
        mut bench: Benchmark,
        measured: &Measured,
        entry: &LoadEntry,
    ) -> Benchmark {
        bench.command = Some(self.display.to_string());
        match (&measured.memory, &entry.memory) {
            (Some(Ok(series)), Some(settings)) => {
                add_memory(&mut bench, series, settings, Some(&measured.level));
            }
            (Some(Err(message)), _) => {
                bench
                    .labels
                    .insert("memory".to_string(), format!("not sampled: {message}"));
            }
            _ => {}
        }
        bench
    }
}

/// The timeout of an operation when the bench sets none: the level's duration, at least a
/// minute. A level waits for the operations in flight when its time is up, so without one a hung
/// operation would hold the run forever.
pub fn default_operation_timeout(settings: &LoadSettings) -> Duration {
    settings
        .effective_duration()
        .map_or(MIN_DEFAULT_TIMEOUT, |d| d.max(MIN_DEFAULT_TIMEOUT))
}

const MIN_DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Poisson arrivals without a `seed` still repeat from run to run.
const DEFAULT_SEED: u64 = 0x6265_6e63_6867_6174;

/// A level's result with the memory sampled while it ran.
pub(crate) struct Measured {
    level: LevelResult,
    memory: Option<Result<MemorySeries, String>>,
}

/// Runs `level` with memory sampling around it when the entry asks for it: of the watched
/// server, else of every process benchgate started (the operations in flight).
pub(crate) fn with_memory<E: std::fmt::Display>(
    entry: &LoadEntry,
    level: impl FnOnce() -> Result<LevelResult, E>,
) -> Result<Measured, String> {
    let Some(memory) = &entry.memory else {
        let level = level().map_err(|e| e.to_string())?;
        return Ok(Measured {
            level,
            memory: None,
        });
    };
    let options = MemoryOptions {
        every: memory.every,
        ..MemoryOptions::default()
    };
    let sampler = match &entry.watch {
        Some(watch) => watch
            .pid()
            .and_then(|pid| MemorySampler::start(pid, options).map_err(|e| e.to_string())),
        None => MemorySampler::start_descendants_of_self(options).map_err(|e| e.to_string()),
    };
    let result = level();
    let series = sampler.map(MemorySampler::stop);
    let level = result.map_err(|e| e.to_string())?;
    Ok(Measured {
        level,
        memory: Some(series),
    })
}

/// The pid in `pid_file` (a server's, written by whoever started it): a positive integer, an
/// optional trailing newline.
pub fn read_pid(pid_file: &Path) -> Result<u32, String> {
    const MAX_PID_FILE: u64 = 64;
    let text = fs::metadata(pid_file)
        .map_err(|e| format!("cannot read the pid file {}: {e}", pid_file.display()))
        .and_then(|m| {
            if m.len() > MAX_PID_FILE {
                Err(format!(
                    "the pid file {} holds {} bytes, more than a pid",
                    pid_file.display(),
                    m.len()
                ))
            } else {
                fs::read_to_string(pid_file)
                    .map_err(|e| format!("cannot read the pid file {}: {e}", pid_file.display()))
            }
        })?;
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|&pid| pid > 0)
        .ok_or_else(|| {
            format!(
                "the pid file {} should hold a process id, not {:?}",
                pid_file.display(),
                text.trim()
            )
        })
}

pub(crate) fn stop_of(settings: &LoadSettings) -> Stop {
    match (settings.effective_duration(), settings.operations) {
        (Some(d), Some(ops)) => Stop::after_either(d, ops),
        (Some(d), None) => Stop::after_duration(d),
        (None, Some(ops)) => Stop::after_operations(ops),
        // The configuration always gives a bound; this keeps the level finite regardless.
        (None, None) => Stop::after_duration(Duration::from_secs(10)),
    }
}

/// `for 10s or 500 operations` (`requests` for HTTP).
fn describe_stop(settings: &LoadSettings, operations: &str) -> String {
    match (settings.effective_duration(), settings.operations) {
        (Some(d), Some(ops)) => format!("for {d:?} or {ops} {operations}"),
        (Some(d), None) => format!("for {d:?}"),
        (None, Some(ops)) => format!("for {ops} {operations}"),
        (None, None) => String::new(),
    }
}

/// The engine's command for `spec`: its argv (or `shell -c script`), working directory and
/// standard input, with `output`'s values read from each operation's standard output.
pub fn load_command(
    spec: &CommandSpec,
    stdin: Option<&Path>,
    output: &OutputSpec,
) -> Result<LoadCommand, MeasureError> {
    let argv = spec.command.argv()?;
    let mut command = LoadCommand::new(argv.first().cloned().unwrap_or_default());
    command.args = argv.into_iter().skip(1).map(OsString::from).collect();
    command.current_dir = spec.cwd.clone();
    command.stdin = stdin.map(Path::to_path_buf);
    // Ctrl-C (or a CI runner's SIGTERM) kills every operation in flight, not only benchgate.
    let on_start: StartHook = Arc::new(InterruptKillsOperations);
    command.on_start = Some(on_start);
    if !output.is_empty() {
        let output = output.clone();
        let inspector: OutputInspector = Arc::new(move |stdout: &[u8]| {
            let text = String::from_utf8_lossy(stdout);
            output.read(&text).map_err(|e| e.to_string())
        });
        command.inspect_output = Some(inspector);
    }
    Ok(command)
}

/// Registers each operation's process group with the interrupt handler: held off from before
/// the process starts until its group is known, then killed with benchgate.
struct InterruptKillsOperations;

impl StartWatch for InterruptKillsOperations {
    fn starting(&self) -> Box<dyn Send> {
        Box::new(benchgate_measure::hold_interrupts())
    }

    fn started(&self, pid: u32) -> Box<dyn Send> {
        Box::new(
            i32::try_from(pid)
                .ok()
                .and_then(benchgate_measure::kill_group_on_interrupt),
        )
    }
}

/// Runs a bench's `setup` or `cleanup` to completion; `Err` with what went wrong.
pub(crate) fn run_aux(invocation: &Invocation, cwd: Option<&Path>) -> Result<(), String> {
    let argv = invocation.argv().map_err(|e| e.to_string())?;
    let Some((program, args)) = argv.split_first() else {
        return Err("empty command".to_string());
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    let out = command
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("`{invocation}` could not start: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr
        .trim()
        .chars()
        .rev()
        .take(500)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(format!("`{invocation}` failed ({}): {tail}", out.status))
}

/// The output metrics' definitions as the engine's conversion wants them.
pub fn output_definitions(output: &OutputSpec) -> Vec<OutputMetric> {
    output
        .metrics
        .iter()
        .map(|d| {
            let direction = match d.better() {
                Better::Higher => Direction::HigherIsBetter,
                Better::Lower => Direction::LowerIsBetter,
            };
            OutputMetric {
                name: d.name().to_string(),
                unit: Unit::from(d.unit().unit.clone()),
                direction,
            }
        })
        .collect()
}

/// Adds what `series` says to `bench`: the peak, the growth after warm-up (over the run, per
/// second, per operation when `level` counts them) and the RSS series itself. A series too short
/// to fit says why in the `memory` label instead of giving a growth.
pub fn add_memory(
    bench: &mut Benchmark,
    series: &MemorySeries,
    settings: &MemorySettings,
    level: Option<&LevelResult>,
) {
    bench.metrics.extend(memory_metric(
        "rss_peak",
        Unit::Bytes,
        series.peak_rss_bytes as f64,
    ));
    match memory_growth(&series.rss_points(), settings.warmup_fraction) {
        Ok(growth) => bench.metrics.extend(growth_metrics(&growth, level)),
        Err(reason) => {
            bench
                .labels
                .insert("memory".to_string(), format!("growth unknown: {reason}"));
        }
    }
    let points = series
        .samples
        .iter()
        .map(|s| SeriesPoint {
            t: s.at.as_secs_f64(),
            value: s.memory.rss_bytes as f64,
        })
        .collect();
    bench.series.push(Series {
        name: "rss".to_string(),
        unit: Unit::Bytes,
        points,
    });
}

fn growth_metrics(growth: &MemoryGrowth, level: Option<&LevelResult>) -> Vec<Metric> {
    let mut metrics = Vec::new();
    metrics.extend(memory_metric(
        "rss_growth",
        Unit::Ratio,
        growth.growth_fraction,
    ));
    metrics.extend(memory_metric(
        "rss_growth_per_s",
        Unit::BytesPerSecond,
        growth.bytes_per_second,
    ));
    // Operations finish at the level's throughput, so bytes per second over operations per
    // second is the growth per operation.
    let per_op = growth.bytes_per_op.or_else(|| {
        let throughput = level?.throughput();
        (throughput > 0.0).then(|| growth.bytes_per_second / throughput)
    });
    if let Some(per_op) = per_op {
        metrics.extend(memory_metric("rss_growth_per_op", Unit::Bytes, per_op));
    }
    metrics
}

fn memory_metric(name: &str, unit: Unit, value: f64) -> Option<Metric> {
    Metric::from_samples(
        Measure::Custom(name.to_string()),
        unit,
        Direction::LowerIsBetter,
        vec![value],
    )
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use benchgate_config::{LoadModel, LoadSettings};

    use super::*;

    fn closed(duration: Option<u64>, operations: Option<u64>) -> LoadSettings {
        LoadSettings {
            model: LoadModel::Closed {
                levels: vec![NonZeroUsize::MIN],
            },
            duration: duration.map(Duration::from_secs),
            operations,
            window: None,
        }
    }

    #[test]
    fn an_operation_without_a_timeout_gets_the_level_s_duration_at_least_a_minute() {
        let minute = Duration::from_secs(60);
        assert_eq!(default_operation_timeout(&closed(Some(3), None)), minute);
        assert_eq!(
            default_operation_timeout(&closed(Some(600), None)),
            Duration::from_secs(600)
        );
        assert_eq!(default_operation_timeout(&closed(None, Some(10))), minute);
        // Neither: the default duration (10 s) is the level's.
        assert_eq!(default_operation_timeout(&closed(None, None)), minute);
    }

    #[test]
    fn a_pid_file_holds_one_positive_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.pid");
        std::fs::write(&path, "4242\n").unwrap();
        assert_eq!(read_pid(&path), Ok(4242));
        std::fs::write(&path, "0").unwrap();
        assert!(
            read_pid(&path)
                .unwrap_err()
                .contains("should hold a process id, not \"0\"")
        );
        std::fs::write(&path, "x".repeat(100)).unwrap();
        assert!(read_pid(&path).unwrap_err().contains("holds 100 bytes"));
        let missing = read_pid(&dir.path().join("gone.pid")).unwrap_err();
        assert!(missing.starts_with("cannot read the pid file"), "{missing}");
    }
}
