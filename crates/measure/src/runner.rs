//! The benchmark schedule: setup, warm-up, interleaved measured runs, cleanup.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use benchgate_stats::{median_ci, percentile};

use crate::launch::{Launcher, Ran};
use crate::process::{self, CapturedStdout, Resolver};
use crate::{
    CommandSpec, Invocation, MAX_OUTPUT_BYTES, MeasureError, MemoryOptions, MemorySampler,
    MemorySeries, OutputError, OutputSpec, Problem,
};

/// How many runs, for how long, and how processes are wired up.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerOptions {
    /// Unrecorded runs per command before measuring (default 3).
    pub warmup: u32,
    /// Exactly this many measured runs per command; `None` = adaptive (default).
    pub runs: Option<u32>,
    /// Adaptive: at least this many runs (default 10).
    pub min_runs: u32,
    /// Adaptive: never more than this many runs.
    pub max_runs: Option<u32>,
    /// Adaptive: stop once a command has spent this long in its runs plus prepare/conclude, even
    /// if the precision target is not met (default 20 s, per command).
    pub max_time: Duration,
    /// Adaptive: stop once the 95 % interval of the median lies within ± this fraction of the
    /// median, its farther end counting (default 0.01).
    pub precision: f64,
    /// Kill any run (including prepare/conclude/setup/cleanup) that takes longer than this.
    pub timeout: Option<Duration>,
    /// Stdin for measured and warm-up runs (rewound each run); `/dev/null` when `None`.
    pub stdin: Option<PathBuf>,
    /// Record failing measured runs as samples instead of stopping the command.
    pub ignore_failure: bool,
    /// Let all processes inherit stdout/stderr (no stderr capture then). With [`Self::output`],
    /// a run's stdout is captured all the same and copied to this process's stdout after the run.
    pub show_output: bool,
    /// Metrics read from every run's stdout, and a check of it (`None` or empty: stdout goes to
    /// /dev/null, or is shown). With [`OutputSpec::file`] they are read from that file instead
    /// (stdout then goes where it would without metrics): it is removed before every run,
    /// warm-ups included, and a run that does not write it fails. Each measured run's values land in [`Sample::values`]. A run
    /// whose check fails or whose value is missing or not a number fails, like a non-zero exit
    /// (warm-ups included); with `ignore_failure` such a measured run is skipped instead (not a
    /// sample: it has no values, see [`CommandResult::rejected_runs`]). [`run_paired`] ends both
    /// commands at such a run whatever `ignore_failure` says: a pair needs both values.
    pub output: Option<OutputSpec>,
    /// Samples the memory of each measured run's process tree (not warm-ups' nor auxiliary
    /// commands'): [`Sample::tree_rss_peak_bytes`] and [`CommandResult::memory_series`].
    pub memory: Option<MemoryOptions>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            warmup: 3,
            runs: None,
            min_runs: 10,
            max_runs: None,
            max_time: Duration::from_secs(20),
            precision: 0.01,
            timeout: None,
            stdin: None,
            ignore_failure: false,
            show_output: false,
            output: None,
            memory: None,
        }
    }
}

impl RunnerOptions {
    /// Rejects contradictory settings.
    pub fn validate(&self) -> Result<(), MeasureError> {
        let bad = |m: &str| Err(MeasureError::InvalidOptions(m.to_owned()));
        if self.runs == Some(0) {
            return bad("--runs must be at least 1");
        }
        if self.max_runs == Some(0) {
            return bad("--max-runs must be at least 1");
        }
        if let Some(max) = self.max_runs
            && self.runs.is_none()
            && self.min_runs > max
        {
            return Err(MeasureError::InvalidOptions(format!(
                "--min-runs ({}) is greater than --max-runs ({max})",
                self.min_runs
            )));
        }
        if !self.precision.is_finite() || self.precision < 0.0 {
            return bad("precision must be a non-negative number");
        }
        if self.timeout == Some(Duration::ZERO) {
            return bad("timeout must be positive");
        }
        if let Some(memory) = &self.memory {
            memory.validate()?;
        }
        Ok(())
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Exited(i32),
    Signaled(i32),
    /// Killed by us after [`RunnerOptions::timeout`].
    TimedOut,
}

impl Outcome {
    pub fn success(&self) -> bool {
        matches!(self, Outcome::Exited(0))
    }
}

impl fmt::Display for Outcome {
    /// `exited with status 1`, `killed by signal 9 (SIGKILL)`, `timed out`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Outcome::Exited(code) => write!(f, "exited with status {code}"),
            Outcome::Signaled(sig) => match process::signal_name(sig) {
                Some(name) => write!(f, "killed by signal {sig} ({name})"),
                None => write!(f, "killed by signal {sig}"),
            },
            Outcome::TimedOut => f.write_str("timed out"),
        }
    }
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// From just before spawn to just after reaping.
    pub wall_ns: u64,
    /// The child's own (and its reaped descendants') CPU time, from `wait4`.
    pub user_ns: u64,
    pub sys_ns: u64,
    /// Peak resident set of this run's process (per child, not the RUSAGE_CHILDREN high-water mark).
    pub max_rss_bytes: u64,
    pub outcome: Outcome,
    /// The values of [`RunnerOptions::output`]'s metrics read from this run's stdout, one per
    /// definition, in order (empty without output metrics).
    pub values: Vec<f64>,
    /// With [`RunnerOptions::memory`]: the highest RSS of the whole process tree sampled during
    /// the run, and never less than `max_rss_bytes` (a run shorter than the sampling interval
    /// is only seen by `wait4`).
    pub tree_rss_peak_bytes: Option<u64>,
}

/// Where in the schedule a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Setup,
    Prepare,
    /// A warm-up or measured run of the command itself.
    Run,
    Conclude,
    Cleanup,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Setup => "setup",
            Phase::Prepare => "prepare",
            Phase::Run => "run",
            Phase::Conclude => "conclude",
            Phase::Cleanup => "cleanup",
        })
    }
}

/// Why a command stopped early (or its cleanup failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub phase: Phase,
    /// `exited with status 1`, `killed by signal 9 (SIGKILL)`, `timed out after 500ms`.
    pub message: String,
    /// Last ≤ 20 lines / 2 KiB of the failing process's stderr (empty with `show_output`).
    pub stderr_tail: String,
    /// How the failing process ended (`Exited(0)` when only its output made the run fail).
    pub outcome: Outcome,
    /// Set when the run's output failed it ([`RunnerOptions::output`]): its check failed, or a
    /// metric's value is missing or not a number. `message` is then `run 3: ` + this error.
    pub output: Option<OutputError>,
}

impl Failure {
    /// The kind of error, as the load metrics label it: `output-check`, `timeout`, `exit:N` or
    /// `signal:N`.
    pub fn kind(&self) -> String {
        if self.output.is_some() {
            return "output-check".to_owned();
        }
        match self.outcome {
            Outcome::Exited(code) => format!("exit:{code}"),
            Outcome::Signaled(sig) => format!("signal:{sig}"),
            Outcome::TimedOut => "timeout".to_owned(),
        }
    }
}

/// Everything measured for one spec.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandResult {
    pub spec: CommandSpec,
    /// Measured runs in execution order.
    pub samples: Vec<Sample>,
    /// Warm-up runs actually executed.
    pub warmup_runs: u32,
    /// The first failure; samples gathered before it are kept.
    pub failure: Option<Failure>,
    /// Adaptive sampling only (`None` with a fixed number of runs, and from [`run_paired`],
    /// whose stopping rule is the caller's): the precision it aimed at and what it reached.
    pub precision: Option<PrecisionReached>,
    /// Processes its runs (warm-ups and auxiliary commands included) left running after they
    /// ended, which the runner killed and reaped: background children of a command that exited,
    /// descendants that left its process group (`setsid`). Not counted: what a timeout killed.
    pub leftover_processes: u64,
    /// With `ignore_failure`: measured runs whose output failed them (see
    /// [`RunnerOptions::output`]), which are not samples. They count towards `runs`/`max_runs`.
    pub rejected_runs: u64,
    /// The first of those failures (its message names the run and the metric).
    pub first_rejection: Option<Failure>,
    /// With [`RunnerOptions::memory`]: the series of the last measured run that is a sample.
    pub memory_series: Option<MemorySeries>,
}

/// The precision target of adaptive sampling and what the samples reached when it stopped, both
/// as fractions of the median: how far the median's 95 % interval reaches from the median, its
/// farther end counting (benchstat's `± x%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionReached {
    /// [`RunnerOptions::precision`] (0.01 = ±1 %).
    pub target: f64,
    /// Over all samples; `None` when they give no interval (5 or fewer samples, or a median of 0).
    pub reached: Option<f64>,
}

impl PrecisionReached {
    /// Whether sampling stopped because the target was reached (rather than at `max_runs` or
    /// `max_time`, or after a failure).
    pub fn met(&self) -> bool {
        self.reached.is_some_and(|r| r <= self.target)
    }
}

/// Progress notifications, in execution order. `command` indexes the `specs` given to [`run`].
///
/// Per command: `Setup` (if it has a setup command), `Warmup` before each warm-up run, `Sample`
/// after each recorded run, `Failed` when it fails, then `Finished` exactly once when it leaves
/// the rotation. A failing cleanup reports `Failed` after `Finished`. `Progress` follows every
/// warm-up and measured run; `done` counts both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    Setup {
        command: usize,
    },
    Warmup {
        command: usize,
        run: u32,
        of: u32,
    },
    Sample {
        command: usize,
        index: usize,
        sample: &'a Sample,
    },
    /// `expected_total` is a running estimate and may move in both directions; it is ≥ `done`.
    Progress {
        done: u64,
        expected_total: u64,
    },
    Failed {
        command: usize,
        failure: &'a Failure,
    },
    Finished {
        command: usize,
    },
}

/// Receives [`Event`]s; the CLI draws progress bars from them.
pub trait Observer {
    fn event(&mut self, event: &Event<'_>);
}

/// Ignores all events.
impl Observer for () {
    fn event(&mut self, _event: &Event<'_>) {}
}

/// Checks that every program (commands, auxiliary commands, shells) can be found, without
/// running anything. [`run`] does this itself first.
pub fn preflight(specs: &[CommandSpec]) -> Result<(), MeasureError> {
    let mut resolver = Resolver::default();
    for spec in specs {
        check_cwd(spec)?;
        for inv in invocations(spec).into_iter().flatten() {
            resolver.program_in(inv, spec.cwd.as_deref())?;
        }
    }
    Ok(())
}

/// A spec's working directory must be a directory.
pub(crate) fn check_cwd(spec: &CommandSpec) -> Result<(), MeasureError> {
    match &spec.cwd {
        Some(dir) if !dir.is_dir() => Err(MeasureError::InvalidOptions(format!(
            "{}: the working directory {} does not exist",
            spec.name,
            dir.display()
        ))),
        _ => Ok(()),
    }
}

fn invocations(spec: &CommandSpec) -> [Option<&Invocation>; 5] {
    [
        Some(&spec.command),
        spec.setup.as_ref(),
        spec.prepare.as_ref(),
        spec.conclude.as_ref(),
        spec.cleanup.as_ref(),
    ]
}

/// The ids (see [`Launcher::add`]) of one spec's programs.
struct SpecProgs {
    main: usize,
    setup: Option<usize>,
    prepare: Option<usize>,
    conclude: Option<usize>,
    cleanup: Option<usize>,
}

#[derive(Default)]
struct State {
    samples: Vec<Sample>,
    /// Wall times of `samples`, kept sorted for the precision check.
    sorted_wall: Vec<f64>,
    /// Cached relative reach of the median's CI, see [`rel_halfwidth`] (adaptive sampling only).
    rel_halfwidth: Option<f64>,
    /// Sample count at which `rel_halfwidth` is next refreshed: after every sample while there are
    /// few, then every n/64 samples, so the check costs O(1) amortised per run (and stops at most
    /// ~1.6 % of the runs late) however long the command is sampled.
    next_check: usize,
    /// Sample count `rel_halfwidth` was computed at.
    checked_at: usize,
    warmups: u32,
    warmups_over: bool,
    /// Measured attempts, including a final failed one.
    runs_done: u64,
    /// Wall time of measured runs plus their prepare/conclude.
    measuring_ns: u128,
    started: bool,
    finished: bool,
    failure: Option<Failure>,
    /// See [`CommandResult::leftover_processes`].
    leftovers: u64,
    /// See [`CommandResult::rejected_runs`].
    rejected: u64,
    first_rejection: Option<Failure>,
    memory_series: Option<MemorySeries>,
}

/// Runs the specs and returns one result per spec, in order.
///
/// Schedule: preflight; per spec `setup` then its warm-up runs (so warm-ups of A come before
/// those of B); then measured runs round-robin A B A B … over the commands still active, each
/// wrapped by untimed `prepare`/`conclude`; finally every spec's `cleanup`. A failing benchmark
/// only ends that command; `Err` means an infrastructure problem (spawn failure, I/O).
pub fn run(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    observer: &mut dyn Observer,
) -> Result<Vec<CommandResult>, MeasureError> {
    run_with(specs, options, observer, None)
}

/// [`run`], starting processes with `launcher` (`None`: as [`Launcher::new`] chooses).
fn run_with(
    specs: &[CommandSpec],
    options: &RunnerOptions,
    observer: &mut dyn Observer,
    launcher: Option<Launcher>,
) -> Result<Vec<CommandResult>, MeasureError> {
    let mut runner = Runner::new(specs, options, observer, launcher)?;
    let scheduled = runner.schedule();
    let cleaned = runner.cleanup_all();
    scheduled?;
    cleaned?;
    let adaptive = options.runs.is_none();
    Ok(specs
        .iter()
        .zip(runner.states)
        .map(|(spec, s)| CommandResult {
            spec: spec.clone(),
            precision: adaptive.then(|| PrecisionReached {
                target: options.precision,
                reached: rel_halfwidth(&s.sorted_wall),
            }),
            samples: s.samples,
            warmup_runs: s.warmups,
            failure: s.failure,
            leftover_processes: s.leftovers,
            rejected_runs: s.rejected,
            first_rejection: s.first_rejection,
            memory_series: s.memory_series,
        })
        .collect())
}

/// What [`run_paired`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedResult {
    pub base: CommandResult,
    pub head: CommandResult,
    /// For pair k (`base.samples[k]`, `head.samples[k]`): whether base ran first.
    pub base_first: Vec<bool>,
}

/// Runs `base` and `head` alternately in balanced pairs for a paired comparison (SPEC §7.2):
/// setup of both, warm-ups alternated (A B A B …), then measured pairs in the order A B, B A,
/// A B, … so each command takes each place in a pair equally often and drift between pairs, and
/// any advantage of running second, cancel out.
///
/// It stops after exactly `options.runs` pairs when that is set; otherwise after each complete
/// pair, once `options.min_runs` pairs are done, `stop(base_samples, head_samples)` decides, and
/// `options.max_runs` pairs or `options.max_time` (the two commands' measuring time together)
/// end it regardless. A failing run ends both commands (its pair is dropped, so the two sample
/// lists stay the same length and pair up); its failure is in that command's result.
/// `options.precision` is not used: the stopping rule is the caller's.
pub fn run_paired(
    base: &CommandSpec,
    head: &CommandSpec,
    options: &RunnerOptions,
    stop: &mut dyn FnMut(&[Sample], &[Sample]) -> bool,
    observer: &mut dyn Observer,
) -> Result<PairedResult, MeasureError> {
    let specs = [base.clone(), head.clone()];
    let mut runner = Runner::new(&specs, options, observer, None)?;
    runner.paired = true;
    let mut base_first = Vec::new();
    let scheduled = runner.schedule_paired(stop, &mut base_first);
    let cleaned = runner.cleanup_all();
    scheduled?;
    cleaned?;
    let mut results = specs
        .into_iter()
        .zip(runner.states)
        .map(|(spec, s)| CommandResult {
            spec,
            samples: s.samples,
            warmup_runs: s.warmups,
            failure: s.failure,
            precision: None,
            leftover_processes: s.leftovers,
            rejected_runs: s.rejected,
            first_rejection: s.first_rejection,
            memory_series: s.memory_series,
        });
    match (results.next(), results.next()) {
        (Some(base), Some(head)) => Ok(PairedResult {
            base,
            head,
            base_first,
        }),
        // Two specs in, two states out.
        _ => Err(MeasureError::InvalidOptions(
            "paired run lost a command".into(),
        )),
    }
}

struct Runner<'o> {
    launcher: Launcher,
    options: &'o RunnerOptions,
    observer: &'o mut dyn Observer,
    progs: Vec<SpecProgs>,
    states: Vec<State>,
    /// Warm-up plus measured runs so far.
    done: u64,
    /// Run by [`run_paired`]: a run its output fails ends the pairs even with `ignore_failure`.
    paired: bool,
    /// Per command: where its runs write [`OutputSpec::file`], resolved against its working
    /// directory (`None`: metrics, if any, come from stdout).
    output_files: Vec<Option<PathBuf>>,
}

enum Which {
    Setup,
    Prepare,
    Conclude,
    Cleanup,
}

impl<'o> Runner<'o> {
    /// Resolves every program and wires up descriptors; nothing runs yet.
    fn new(
        specs: &[CommandSpec],
        options: &'o RunnerOptions,
        observer: &'o mut dyn Observer,
        launcher: Option<Launcher>,
    ) -> Result<Runner<'o>, MeasureError> {
        options.validate()?;
        let mut resolver = Resolver::default();
        let mut launcher = match launcher {
            Some(l) => l,
            None => Launcher::new(options)?,
        };
        let mut add = |launcher: &mut Launcher,
                       spec: &CommandSpec,
                       inv: &Invocation,
                       main: bool,
                       keep: bool|
         -> Result<usize, MeasureError> {
            let (path, argv) = resolver.program_in(inv, spec.cwd.as_deref())?;
            // The main command is named as the spec shows it (as written in a config file,
            // without the values of its variables).
            let display = if main {
                spec.display.clone()
            } else {
                inv.to_string()
            };
            launcher.add(&path, &argv, spec.cwd.as_deref(), main, keep, display)
        };
        // Main commands first so they get the persistent descriptors; this is also the preflight:
        // nothing runs unless every program resolves.
        for spec in specs {
            check_cwd(spec)?;
        }
        let mains = specs
            .iter()
            .map(|s| add(&mut launcher, s, &s.command, true, false))
            .collect::<Result<Vec<_>, _>>()?;
        let mut progs = Vec::with_capacity(specs.len());
        for (spec, main) in specs.iter().zip(mains) {
            // What a setup leaves running (a server) lives until the benchmark's cleanup.
            let mut aux = |inv: &Option<Invocation>, keep: bool| {
                inv.as_ref()
                    .map(|i| add(&mut launcher, spec, i, false, keep))
                    .transpose()
            };
            progs.push(SpecProgs {
                main,
                setup: aux(&spec.setup, true)?,
                prepare: aux(&spec.prepare, false)?,
                conclude: aux(&spec.conclude, false)?,
                cleanup: aux(&spec.cleanup, false)?,
            });
        }

        let output_file = options
            .output
            .as_ref()
            .filter(|o| !o.is_empty())
            .and_then(|o| o.file.as_deref());
        let output_files = specs
            .iter()
            .map(|spec| {
                output_file.map(|file| match &spec.cwd {
                    Some(dir) => dir.join(file),
                    None => file.to_path_buf(),
                })
            })
            .collect();

        Ok(Runner {
            launcher,
            options,
            observer,
            progs,
            states: specs.iter().map(|_| State::default()).collect(),
            done: 0,
            paired: false,
            output_files,
        })
    }

    fn schedule(&mut self) -> Result<(), MeasureError> {
        let n = self.states.len();
        for i in 0..n {
            self.states[i].started = true;
            if self.progs[i].setup.is_some() {
                self.observer.event(&Event::Setup { command: i });
                if !self.aux(i, Which::Setup)? {
                    self.finish(i);
                    continue;
                }
            }
            self.warm_up(i)?;
            self.states[i].warmups_over = true;
        }

        let mut active: Vec<usize> = Vec::with_capacity(n);
        for i in 0..n {
            if self.states[i].finished {
                continue;
            }
            if self.wants_more(i) {
                active.push(i);
            } else {
                self.finish(i);
            }
        }
        while !active.is_empty() {
            let mut k = 0;
            while k < active.len() {
                let i = active[k];
                if self.measure_once(i)? {
                    k += 1;
                } else {
                    active.remove(k);
                    self.finish(i);
                }
            }
        }
        Ok(())
    }

    /// The schedule of [`run_paired`] over commands 0 (base) and 1 (head).
    fn schedule_paired(
        &mut self,
        stop: &mut dyn FnMut(&[Sample], &[Sample]) -> bool,
        base_first: &mut Vec<bool>,
    ) -> Result<(), MeasureError> {
        for i in 0..2 {
            self.states[i].started = true;
            if self.progs[i].setup.is_some() {
                self.observer.event(&Event::Setup { command: i });
                if !self.aux(i, Which::Setup)? {
                    self.finish(0);
                    self.finish(1);
                    return Ok(());
                }
            }
        }
        for run in 1..=self.options.warmup {
            for i in 0..2 {
                if !self.warm_up_once(i, run)? {
                    self.finish(0);
                    self.finish(1);
                    return Ok(());
                }
            }
        }
        for i in 0..2 {
            self.states[i].warmups_over = true;
        }
        let o = self.options;
        loop {
            let pairs = self.states[0].samples.len();
            let enough = match o.runs {
                Some(runs) => pairs >= runs as usize,
                None => {
                    let spent = self.states[0].measuring_ns + self.states[1].measuring_ns;
                    o.max_runs.is_some_and(|m| pairs >= m as usize)
                        || spent >= o.max_time.as_nanos()
                        || (pairs >= o.min_runs as usize
                            && stop(&self.states[0].samples, &self.states[1].samples))
                }
            };
            if enough {
                break;
            }
            let first = pairs.is_multiple_of(2);
            let order = if first { [0, 1] } else { [1, 0] };
            let mut ok = true;
            for i in order {
                if !self.measure_sample(i)? {
                    ok = false;
                    break;
                }
            }
            if !ok {
                // Keep only complete pairs.
                for s in &mut self.states {
                    if s.samples.len() > pairs {
                        s.samples.truncate(pairs);
                    }
                }
                break;
            }
            base_first.push(first);
        }
        self.finish(0);
        self.finish(1);
        Ok(())
    }

    fn warm_up(&mut self, i: usize) -> Result<(), MeasureError> {
        for run in 1..=self.options.warmup {
            if !self.warm_up_once(i, run)? {
                self.finish(i);
                return Ok(());
            }
        }
        Ok(())
    }

    /// Warm-up run `run` of command `i`. Returns whether it succeeded (with its prepare and
    /// conclude); a failure is recorded.
    fn warm_up_once(&mut self, i: usize, run: u32) -> Result<bool, MeasureError> {
        let of = self.options.warmup;
        self.observer.event(&Event::Warmup {
            command: i,
            run,
            of,
        });
        if !self.aux(i, Which::Prepare)? {
            return Ok(false);
        }
        let (mut ran, _) = self.main(i, false)?;
        self.states[i].warmups += 1;
        self.done += 1;
        let stdout = ran.stdout.take();
        if !self.main_succeeded(i, ran) {
            return Ok(false);
        }
        if let Err(error) = self.read_output(i, stdout)
            && !self.options.ignore_failure
        {
            self.record_failure(i, output_failure(&format!("warm-up run {run}"), error));
            self.progress();
            return Ok(false);
        }
        if !self.aux(i, Which::Conclude)? {
            self.progress();
            return Ok(false);
        }
        self.progress();
        Ok(true)
    }

    /// One measured run of command `i`. Returns whether it stays in the rotation.
    fn measure_once(&mut self, i: usize) -> Result<bool, MeasureError> {
        Ok(self.measure_sample(i)? && self.wants_more(i))
    }

    /// One measured run of command `i`, recorded. Returns whether it succeeded (with its
    /// prepare and conclude); a failure is recorded and ends the command.
    fn measure_sample(&mut self, i: usize) -> Result<bool, MeasureError> {
        // Prepare's and conclude's time count towards max_time (accumulated inside `aux`).
        if !self.aux(i, Which::Prepare)? {
            return Ok(false);
        }
        let (mut ran, memory) = self.main(i, true)?;
        let exec = ran.exec;
        let state = &mut self.states[i];
        state.measuring_ns += u128::from(exec.wall_ns);
        state.runs_done += 1;
        let run_number = state.runs_done;
        self.done += 1;
        let stdout = ran.stdout.take();
        if !self.main_succeeded(i, ran) {
            return Ok(false);
        }
        let values = match self.read_output(i, stdout) {
            Ok(values) => values,
            Err(error) if self.options.ignore_failure && !self.paired => {
                let state = &mut self.states[i];
                state.rejected += 1;
                if state.first_rejection.is_none() {
                    state.first_rejection =
                        Some(output_failure(&format!("run {run_number}"), error));
                }
                if !self.aux(i, Which::Conclude)? {
                    self.progress();
                    return Ok(false);
                }
                self.progress();
                return Ok(true);
            }
            Err(error) => {
                self.record_failure(i, output_failure(&format!("run {run_number}"), error));
                self.progress();
                return Ok(false);
            }
        };
        let tree_rss_peak_bytes = memory
            .as_ref()
            .map(|m| m.peak_rss_bytes.max(exec.max_rss_bytes));
        let sample = Sample {
            wall_ns: exec.wall_ns,
            user_ns: exec.user_ns,
            sys_ns: exec.sys_ns,
            max_rss_bytes: exec.max_rss_bytes,
            outcome: exec.outcome,
            values,
            tree_rss_peak_bytes,
        };
        let adaptive = self.options.runs.is_none();
        let state = &mut self.states[i];
        if memory.is_some() {
            state.memory_series = memory;
        }
        state.samples.push(sample);
        // A fixed number of runs needs no precision check: keep the loop as lean as hyperfine's.
        if adaptive {
            let wall = exec.wall_ns as f64;
            let at = state.sorted_wall.partition_point(|&w| w <= wall);
            state.sorted_wall.insert(at, wall);
            let n = state.sorted_wall.len();
            // Also refresh when the (possibly older) cached value says the target is met, so
            // sampling stops for precision only if all the samples meet it.
            let would_stop = state
                .rel_halfwidth
                .is_some_and(|r| r <= self.options.precision);
            if n >= state.next_check || (would_stop && n != state.checked_at) {
                state.rel_halfwidth = rel_halfwidth(&state.sorted_wall);
                state.checked_at = n;
                state.next_check = n + (n / 64).max(1);
            }
        }
        let index = state.samples.len() - 1;
        self.observer.event(&Event::Sample {
            command: i,
            index,
            sample: &state.samples[index],
        });
        if !self.aux(i, Which::Conclude)? {
            self.progress();
            return Ok(false);
        }
        self.progress();
        Ok(true)
    }

    /// Runs command `i` once; with `measured` and memory sampling on, samples its process tree
    /// from its start to its end.
    fn main(
        &mut self,
        i: usize,
        measured: bool,
    ) -> Result<(Ran, Option<MemorySeries>), MeasureError> {
        let id = self.progs[i].main;
        if let Some(file) = &self.output_files[i] {
            remove_output_file(file)?;
        }
        let (ran, series) = match self.options.memory.filter(|_| measured) {
            Some(options) => {
                // Its thread starts before the run, so only telling it the pid is part of the
                // run's time.
                let sampler = MemorySampler::pending(options)?;
                let ran = self
                    .launcher
                    .run_watched(id, Some(&mut |pid| sampler.begin(pid)))?;
                (ran, Some(sampler.stop()))
            }
            None => (self.launcher.run(id)?, None),
        };
        self.states[i].leftovers += u64::from(ran.exec.leftovers);
        Ok((ran, series))
    }

    /// Reads command `i`'s run's stdout, or the file it wrote, with [`RunnerOptions::output`]:
    /// its metrics' values (none without output metrics), or why the output fails the run.
    fn read_output(
        &self,
        i: usize,
        stdout: Option<CapturedStdout>,
    ) -> Result<Vec<f64>, OutputError> {
        match (&self.options.output, &self.output_files[i], stdout) {
            (Some(spec), Some(path), _) => read_values(spec, &read_output_file(spec, path)?),
            (Some(spec), None, Some(stdout)) => read_values(spec, &stdout),
            _ => Ok(Vec::new()),
        }
    }

    /// Records a run's failure that is not its process's own (its output's).
    fn record_failure(&mut self, i: usize, failure: Failure) {
        let state = &mut self.states[i];
        if state.failure.is_some() {
            return;
        }
        let failure = state.failure.insert(failure);
        self.observer.event(&Event::Failed {
            command: i,
            failure,
        });
    }

    /// Runs an auxiliary command if the spec has one. Returns `false` (after recording the
    /// failure) if it did not succeed.
    fn aux(&mut self, i: usize, which: Which) -> Result<bool, MeasureError> {
        let progs = &self.progs[i];
        let (prog, phase) = match which {
            Which::Setup => (progs.setup, Phase::Setup),
            Which::Prepare => (progs.prepare, Phase::Prepare),
            Which::Conclude => (progs.conclude, Phase::Conclude),
            Which::Cleanup => (progs.cleanup, Phase::Cleanup),
        };
        let Some(prog) = prog else { return Ok(true) };
        let Ran {
            exec, stderr_tail, ..
        } = self.launcher.run(prog)?;
        let state = &mut self.states[i];
        state.leftovers += u64::from(exec.leftovers);
        if matches!(phase, Phase::Prepare | Phase::Conclude) && state.warmups_over {
            state.measuring_ns += u128::from(exec.wall_ns);
        }
        if exec.outcome.success() {
            return Ok(true);
        }
        self.fail(i, phase, exec.outcome, stderr_tail);
        Ok(false)
    }

    /// After a (warm-up or measured) run of command `i`: a failure, unless failures are ignored,
    /// is recorded with the tail of its standard error and ends the command (`false`).
    fn main_succeeded(&mut self, i: usize, ran: Ran) -> bool {
        if !ran.exec.outcome.success() && !self.options.ignore_failure {
            self.fail(i, Phase::Run, ran.exec.outcome, ran.stderr_tail);
            self.progress();
            return false;
        }
        true
    }

    fn fail(&mut self, i: usize, phase: Phase, outcome: Outcome, stderr_tail: String) {
        let message = match (outcome, self.options.timeout) {
            (Outcome::TimedOut, Some(t)) => format!("timed out after {}", fmt_duration(t)),
            _ => outcome.to_string(),
        };
        let state = &mut self.states[i];
        if state.failure.is_some() {
            return; // keep the first, root-cause failure
        }
        let failure = state.failure.insert(Failure {
            phase,
            message,
            stderr_tail,
            outcome,
            output: None,
        });
        self.observer.event(&Event::Failed {
            command: i,
            failure,
        });
    }

    fn finish(&mut self, i: usize) {
        if !self.states[i].finished {
            self.states[i].finished = true;
            self.observer.event(&Event::Finished { command: i });
        }
    }

    /// Cleanup for every spec whose schedule started, even after failures or an error; after
    /// each, what its setup left running is killed and counted.
    fn cleanup_all(&mut self) -> Result<(), MeasureError> {
        let mut first_err = None;
        for i in 0..self.states.len() {
            if !self.states[i].started {
                continue;
            }
            self.finish(i);
            if let Err(e) = self.aux(i, Which::Cleanup) {
                first_err.get_or_insert(e);
            }
            if let Some(setup) = self.progs[i].setup {
                match self.launcher.release(setup) {
                    Ok(n) => self.states[i].leftovers += u64::from(n),
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// The stopping rule (see [`RunnerOptions`]).
    fn wants_more(&self, i: usize) -> bool {
        let s = &self.states[i];
        let o = self.options;
        // Rejected runs count, so a command whose every output fails still stops.
        let n = s.samples.len() as u64 + s.rejected;
        if let Some(runs) = o.runs {
            return n < u64::from(runs);
        }
        if o.max_runs.is_some_and(|m| n >= u64::from(m)) {
            return false;
        }
        if n < u64::from(o.min_runs) {
            return true;
        }
        let precision_met = s.rel_halfwidth.is_some_and(|r| r <= o.precision);
        !precision_met && s.measuring_ns < o.max_time.as_nanos()
    }

    fn progress(&mut self) {
        let expected_total = self.expected_total().max(self.done);
        self.observer.event(&Event::Progress {
            done: self.done,
            expected_total,
        });
    }

    /// Honest estimate of warm-up + measured runs over all commands.
    fn expected_total(&self) -> u64 {
        let o = self.options;
        let mut total = 0u64;
        for s in &self.states {
            let warm = if s.warmups_over || s.finished {
                s.warmups
            } else {
                o.warmup
            };
            total = total.saturating_add(u64::from(warm));
            let measured = if s.finished {
                s.runs_done
            } else {
                self.estimate_runs(s)
            };
            total = total.saturating_add(measured);
        }
        total
    }

    fn estimate_runs(&self, s: &State) -> u64 {
        let o = self.options;
        if let Some(runs) = o.runs {
            return u64::from(runs).max(s.runs_done);
        }
        let n = s.samples.len() as f64;
        let min_runs = f64::from(o.min_runs);
        // Half-width shrinks like 1/√n, so reaching the target needs n·(current/target)² runs.
        let mut est = match s.rel_halfwidth {
            Some(rel) if o.precision > 0.0 => min_runs.max(n * (rel / o.precision).powi(2)),
            Some(_) => f64::INFINITY,
            None => min_runs.max(n + 1.0),
        };
        if s.runs_done > 0 && s.measuring_ns > 0 {
            let mean = s.measuring_ns as f64 / s.runs_done as f64;
            let by_time = (o.max_time.as_nanos() as f64 / mean).ceil();
            est = est.min(by_time.max(min_runs));
        }
        if let Some(max) = o.max_runs {
            est = est.min(f64::from(max));
        }
        // `as` saturates; the `max` keeps the estimate from lagging behind reality.
        (est.ceil() as u64).max(s.runs_done)
    }
}

/// The failure an output `error` makes of run `run` (`run 3`, `warm-up run 1`).
fn output_failure(run: &str, error: OutputError) -> Failure {
    Failure {
        phase: Phase::Run,
        message: format!("{run}: {error}"),
        stderr_tail: String::new(),
        outcome: Outcome::Exited(0),
        output: Some(error),
    }
}

/// The values of `spec`'s metrics in a captured stdout; output over [`MAX_OUTPUT_BYTES`] fails
/// as [`OutputSpec::read`] would fail it (the check's error first), with its whole length.
fn read_values(spec: &OutputSpec, stdout: &CapturedStdout) -> Result<Vec<f64>, OutputError> {
    if stdout.len > MAX_OUTPUT_BYTES as u64 {
        let problem = Problem::OutputTooLarge {
            len: usize::try_from(stdout.len).unwrap_or(usize::MAX),
            limit: MAX_OUTPUT_BYTES,
        };
        return Err(match (&spec.check, spec.metrics.first()) {
            (None, Some(metric)) => OutputError::Metric {
                metric: metric.name().to_owned(),
                problem,
            },
            _ => OutputError::Check { problem },
        });
    }
    spec.read(&String::from_utf8_lossy(&stdout.head))
}

/// Removes what a previous run left at `path`, so a run that writes nothing is not read as if
/// it had written the previous run's figures.
fn remove_output_file(path: &Path) -> Result<(), MeasureError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(MeasureError::io(
            format!(
                "cannot remove the output file {} before a run",
                path.display()
            ),
            e,
        )),
        _ => Ok(()),
    }
}

/// The output file a run wrote at `path` ([`OutputSpec::file`], named as written in errors): at
/// most [`MAX_OUTPUT_BYTES`] + 1 bytes of it and its whole length, like a captured stdout.
fn read_output_file(spec: &OutputSpec, path: &Path) -> Result<CapturedStdout, OutputError> {
    let named = || spec.file.clone().unwrap_or_else(|| path.to_path_buf());
    let unreadable = |e: io::Error| OutputError::FileUnreadable {
        file: named(),
        reason: e.to_string(),
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(OutputError::FileNotWritten { file: named() });
        }
        Err(e) => return Err(unreadable(e)),
    };
    let len = file.metadata().map_err(unreadable)?.len();
    let keep = u64::try_from(MAX_OUTPUT_BYTES + 1).unwrap_or(u64::MAX);
    let mut head = Vec::new();
    file.take(keep).read_to_end(&mut head).map_err(unreadable)?;
    // The file may have grown since its length was taken (something still writing it).
    let len = len.max(head.len() as u64);
    Ok(CapturedStdout { head, len })
}

/// How far the 95 % interval of the median reaches from the median, relative to it: the farther
/// end counts (benchstat's `± x%`), so "within ± precision" holds on both sides.
fn rel_halfwidth(sorted: &[f64]) -> Option<f64> {
    let ci = median_ci(sorted, 0.95)?;
    let median = percentile(sorted, 50.0);
    (median > 0.0).then(|| (ci.hi / median - 1.0).max(1.0 - ci.lo / median))
}

/// `500ms`, `2s`, `1.5s`-style rendering for messages.
pub(crate) fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d.subsec_nanos().is_multiple_of(1_000_000) && d.as_secs() == 0 {
        format!("{}ms", d.subsec_millis())
    } else {
        format!("{d:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::Exec;

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(fmt_duration(Duration::from_secs(2)), "2s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn outcome_messages() {
        assert_eq!(Outcome::Exited(1).to_string(), "exited with status 1");
        assert_eq!(
            Outcome::Signaled(9).to_string(),
            "killed by signal 9 (SIGKILL)"
        );
        assert!(Outcome::Exited(0).success());
        assert!(!Outcome::Signaled(15).success());
    }

    /// A deterministic stream of wall times around 1 ms, spread by ± `spread` (a fraction).
    fn seeded_walls(seed: u64, spread: f64) -> impl FnMut(usize) -> Exec {
        let mut state = seed;
        move |_| {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let unit = (z >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
            Exec {
                wall_ns: (1.0e6 * (1.0 + spread * (2.0 * unit - 1.0))) as u64,
                user_ns: 0,
                sys_ns: 0,
                max_rss_bytes: 0,
                outcome: Outcome::Exited(0),
                leftovers: 0,
            }
        }
    }

    fn fake_run(options: &RunnerOptions, spread: f64) -> CommandResult {
        let specs = crate::expand(
            &[crate::CommandTemplate {
                name: None,
                tokens: vec!["true".into()],
            }],
            &[],
            &[],
            None,
        )
        .unwrap();
        let launcher = Launcher::fake(options, seeded_walls(42, spread));
        let mut results = run_with(&specs, options, &mut (), Some(launcher)).unwrap();
        assert_eq!(results.len(), 1);
        results.remove(0)
    }

    #[test]
    fn adaptive_sampling_says_when_it_reached_its_precision() {
        let o = RunnerOptions {
            warmup: 0,
            precision: 0.01,
            max_runs: Some(1000),
            ..Default::default()
        };
        // ± 0.5 % noise: the median is known to ± 1 % long before 1000 runs.
        let r = fake_run(&o, 0.005);
        let p = r.precision.unwrap();
        assert_eq!(p.target, 0.01);
        assert!(p.met(), "{p:?}");
        let reached = p.reached.unwrap();
        assert!(reached > 0.0 && reached <= 0.01, "{p:?}");
        assert!(r.samples.len() < 1000, "{}", r.samples.len());
        // Exactly what the samples give: the figure a reader can recompute.
        let mut sorted: Vec<f64> = r.samples.iter().map(|s| s.wall_ns as f64).collect();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(p.reached, rel_halfwidth(&sorted));
    }

    #[test]
    fn adaptive_sampling_says_when_max_runs_ended_it_first() {
        let o = RunnerOptions {
            warmup: 0,
            precision: 0.001,
            max_runs: Some(30),
            ..Default::default()
        };
        // ± 50 % noise: 30 runs cannot pin the median to ± 0.1 %.
        let r = fake_run(&o, 0.5);
        assert_eq!(r.samples.len(), 30);
        let p = r.precision.unwrap();
        assert_eq!(p.target, 0.001);
        assert!(!p.met(), "{p:?}");
        assert!(p.reached.unwrap() > 0.001, "{p:?}");
    }

    #[test]
    fn too_few_samples_give_no_interval_and_fixed_runs_no_precision() {
        let o = RunnerOptions {
            warmup: 0,
            min_runs: 1,
            max_runs: Some(4),
            ..Default::default()
        };
        let r = fake_run(&o, 0.5);
        assert_eq!(r.samples.len(), 4);
        let p = r.precision.unwrap();
        assert_eq!(p.reached, None);
        assert!(!p.met());

        let fixed = RunnerOptions {
            warmup: 0,
            runs: Some(50),
            ..Default::default()
        };
        let r = fake_run(&fixed, 0.005);
        assert_eq!(r.samples.len(), 50);
        assert_eq!(r.precision, None);
    }

    #[test]
    fn options_validation() {
        assert!(RunnerOptions::default().validate().is_ok());
        let o = RunnerOptions {
            runs: Some(0),
            ..Default::default()
        };
        assert!(o.validate().is_err());
        let o = RunnerOptions {
            min_runs: 10,
            max_runs: Some(5),
            ..Default::default()
        };
        assert!(o.validate().is_err());
        let o = RunnerOptions {
            precision: f64::NAN,
            ..Default::default()
        };
        assert!(o.validate().is_err());
    }
}
