//! Reads and validates `benchgate.toml` (SPEC §6): runner defaults, gate settings, the benchmarks
//! to run and the budgets to hold them to. Human units (`500ms`, `64MiB`, `10k/s`, `5%`) become
//! canonical values (ns, bytes, per second, ratios); `${VAR}` is expanded from the environment
//! for execution only (runs keep commands as written, and a variable's value only when `[env]
//! record` lists it, so secrets stay out of the history and every report); every error is one line naming `file:line:column`, the key and what was expected.
//!
//! Parsing is pure given the text and an environment lookup ([`Config::parse_with_env`]); the
//! only I/O is reading the file ([`Config::load`]) and checking requirements
//! ([`Requirements::check`]). Budgets come out as [`benchgate_gate::Budget`] (config depends on
//! gate, not the other way round); benchmarks convert into the runner's types
//! ([`Bench::runner_options`], [`Bench::template`], [`Bench::aux`], [`Bench::params`]); a bench's
//! load, memory sampling and watched process are plain settings ([`LoadSettings`],
//! [`MemorySettings`], [`WatchSettings`]) that the pipeline converts for the engines.

mod error;
mod load_flags;
mod parse;
mod units;
pub mod values_file;

use std::collections::BTreeMap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use benchgate_gate::Budget;
use benchgate_measure::{
    AuxCommands, CommandSpec, CommandTemplate, MeasureError, OutputSpec, Parameter, RunnerOptions,
};
use benchgate_model::{Measure, Mode, Source, Thresholds};
pub use error::ConfigError;
pub use load_flags::{LoadFlags, load_from_flags};
pub use units::{Kind, parse_quantity, parse_rate};
pub use values_file::{DeclaredValue, budget_file, budget_file_with_metrics, declared_values};

/// Values shorter than this are not redacted by [`Config::redact`].
pub const REDACT_MIN_LEN: usize = 4;
/// The largest configuration file read: 16 MiB, far above any real one.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// The default file name.
pub const DEFAULT_FILE: &str = "benchgate.toml";

/// A whole `benchgate.toml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Runner settings for every bench (`[defaults]`).
    pub defaults: RunnerSettings,
    /// Judging settings (`[gate]`).
    pub gate: GateConfig,
    /// `[[bench]]` entries, in file order.
    pub benches: Vec<Bench>,
    /// `[[budget]]` entries, in file order, values in canonical units; then those of
    /// `budget_files`, once [`Config::load`] has read them.
    pub budgets: Vec<Budget>,
    /// `budget_files`: BASELINE_METRICS-style files whose entries become budgets (relative to
    /// the configuration's directory; read by [`Config::load`]).
    pub budget_files: Vec<PathBuf>,
    /// `[[check]]` entries, in file order, their expressions parsed (docs/checks.md).
    pub checks: Vec<benchgate_gate::Check>,
    /// `[env]`: the variables whose values may be recorded.
    pub env: EnvConfig,
    /// `[build]`: how to build a checkout, for paired confirmation.
    pub build: BuildConfig,
}

/// `[build]`: how to build a checkout of the project, for paired confirmation against the
/// baseline's commit (SPEC §7.2): run in the baseline's temporary worktree and in the current
/// tree before the suspects are paired.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildConfig {
    /// A shell command (`sh -c`), e.g. `cargo build --release`; `None` = nothing to build.
    pub command: Option<String>,
}

/// `[gate] confirm` (and `run --confirm`): what `run` does with the benchmarks that look changed
/// against a stored baseline before judging them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfirmMode {
    /// Judge them again paired and interleaved against the baseline's commit, checked out into a
    /// temporary worktree and built there (SPEC §7.2); measure again when there is no commit.
    Paired,
    /// Measure the ones that look regressed once more and judge the new measurement.
    #[default]
    Remeasure,
    /// Judge the first measurement as it is.
    Off,
}

impl ConfirmMode {
    /// `paired`, `remeasure` or `off`.
    pub fn parse(text: &str) -> Option<ConfirmMode> {
        match text {
            "paired" => Some(ConfirmMode::Paired),
            "remeasure" => Some(ConfirmMode::Remeasure),
            "off" => Some(ConfirmMode::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmMode::Paired => "paired",
            ConfirmMode::Remeasure => "remeasure",
            ConfirmMode::Off => "off",
        }
    }
}

/// `[env]`. A `${VAR}` in a command is expanded to run it, but a run records the command as
/// written: a token or password passed that way never reaches the history, an export or a
/// report. Only the variables listed in `record` are safe to store: their values are recorded in
/// the run's provenance (tags `env.NAME`), and only they may be used in a bench's name (which
/// every run stores).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvConfig {
    /// `record = ["BUILD_MODE", …]`, in file order.
    pub record: Vec<String>,
    /// The values of the `record` variables that are set, in the same order.
    pub recorded: Vec<(String, String)>,
    /// The other variables the file expanded, with their values: what [`Config::redact`] hides.
    unrecorded: Vec<(String, String)>,
}

impl EnvConfig {
    /// The provenance tags of the recorded variables: `env.NAME` → value.
    pub fn tags(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.recorded
            .iter()
            .map(|(name, value)| (format!("env.{name}"), value.clone()))
    }
}

/// Runner settings as one level gives them: `[defaults]`, a `[[bench]]`, or the flags of `run` and
/// `ab`. `None` = not set at this level: an outer level's value applies, else the runner's default
/// (see [`RunnerSettings::layered`]). Their keys are the table in `parse.rs`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunnerSettings {
    pub warmup: Option<u32>,
    pub runs: Option<u32>,
    pub min_runs: Option<u32>,
    pub max_runs: Option<u32>,
    pub max_time: Option<Duration>,
    /// Relative precision target as a ratio (`"1%"` → 0.01).
    pub precision: Option<f64>,
    pub timeout: Option<Duration>,
    /// Shell for commands (`"bash -e"`); `None` = run directly.
    pub shell: Option<String>,
    /// What to measure (`measure = "time"`, `"instructions"` or both); `None` = time.
    pub measure: Option<Vec<Measurement>>,
}

/// What a bench's command is measured for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measurement {
    /// Timed runs: wall, user and system time and peak RSS, sampled to the precision target.
    Time,
    /// One run under `valgrind --tool=callgrind`: the exact instruction count (SPEC §4.1).
    Instructions,
}

impl RunnerSettings {
    /// `levels` layered, outermost first (`[&config.defaults, &bench.runner, &flags]`): each value
    /// set overrides those of the levels before it.
    pub fn layered(levels: &[&RunnerSettings]) -> RunnerSettings {
        levels
            .iter()
            .fold(RunnerSettings::default(), |outer, level| level.or(&outer))
    }

    /// `self` where set, else `outer`.
    pub fn or(&self, outer: &RunnerSettings) -> RunnerSettings {
        RunnerSettings {
            warmup: self.warmup.or(outer.warmup),
            runs: self.runs.or(outer.runs),
            min_runs: self.min_runs.or(outer.min_runs),
            max_runs: self.max_runs.or(outer.max_runs),
            max_time: self.max_time.or(outer.max_time),
            precision: self.precision.or(outer.precision),
            timeout: self.timeout.or(outer.timeout),
            shell: self.shell.clone().or_else(|| outer.shell.clone()),
            measure: self.measure.clone().or_else(|| outer.measure.clone()),
        }
    }

    /// The runner's options: its defaults, overridden by the settings that are set.
    pub fn runner_options(&self) -> RunnerOptions {
        let mut options = RunnerOptions::default();
        if let Some(w) = self.warmup {
            options.warmup = w;
        }
        if let Some(r) = self.runs {
            options.runs = Some(r);
        }
        if let Some(m) = self.min_runs {
            options.min_runs = m;
        }
        if let Some(m) = self.max_runs {
            options.max_runs = Some(m);
        }
        if let Some(t) = self.max_time {
            options.max_time = t;
        }
        if let Some(p) = self.precision {
            options.precision = p;
        }
        if let Some(t) = self.timeout {
            options.timeout = Some(t);
        }
        options
    }
}

/// `[gate]`; `None` = not set here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GateConfig {
    pub alpha: Option<f64>,
    /// Relative warn threshold as a ratio (`"5%"` → 0.05).
    pub warn: Option<f64>,
    /// Relative fail threshold as a ratio.
    pub fail: Option<f64>,
    /// Smallest absolute change worth flagging, in nanoseconds.
    pub min_delta_ns: Option<f64>,
    /// Measures that can fail the gate.
    pub measures: Option<Vec<Measure>>,
    /// Baseline selector (`main`, `last`, `run:<id>`, …, SPEC §7.3).
    pub baseline: Option<String>,
    /// What to do with the benchmarks that look changed before judging them (default
    /// [`ConfirmMode::Remeasure`]).
    pub confirm: Option<ConfirmMode>,
    /// The time paired confirmation may spend pairing each suspect.
    pub confirm_max_time: Option<Duration>,
    /// The sources whose runs `[gate]` and the budgets judge (`command`, `harness`,
    /// `ingest:go`, …); `None` = see [`Config::judges`].
    pub sources: Option<Vec<Source>>,
}

impl GateConfig {
    /// Applies the settings that are set onto `thresholds`.
    pub fn apply(&self, thresholds: &mut Thresholds) {
        if let Some(a) = self.alpha {
            thresholds.alpha = a;
        }
        if let Some(w) = self.warn {
            thresholds.warn = w;
        }
        if let Some(f) = self.fail {
            thresholds.fail = f;
        }
        if let Some(d) = self.min_delta_ns {
            thresholds.min_delta_ns = d;
        }
    }
}

/// One `[[bench]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bench {
    pub name: String,
    /// The command line, `${VAR}` expanded: what runs. Never stored (see [`EnvConfig`]).
    pub command: String,
    /// The command line as written in the file (`${VAR}` kept): what runs record and show.
    pub command_as_written: String,
    pub prepare: Option<String>,
    pub conclude: Option<String>,
    pub setup: Option<String>,
    pub cleanup: Option<String>,
    /// Stdin for measured runs.
    pub input: Option<PathBuf>,
    /// Per-bench runner overrides (`shell` included).
    pub runner: RunnerSettings,
    pub mode: Mode,
    pub requires: Requirements,
    /// Parameters in file order, expanded into their values (lists verbatim, scans computed).
    pub params: Vec<Parameter>,
    /// `metrics` and `check`: values read from each run's standard output (or from the file
    /// `output_file` names, [`OutputSpec::file`]), and the check that marks a run failed by what
    /// it printed; compiled (SPEC §4.3).
    pub output: OutputSpec,
    /// Set when the bench cannot run because a variable it uses is unset and listed in
    /// `requires.env`; the bench is then recorded as skipped with this reason.
    pub skip: Option<String>,
    /// `concurrency` or `rate` and what goes with them: the command run as load (SPEC §4.3);
    /// `None` = timed runs one at a time. Each operation is killed after the bench's `timeout`.
    pub load: Option<LoadSettings>,
    /// `memory = { ... }`: the RSS of each run's process tree sampled over time (SPEC §4.4).
    pub memory: Option<MemorySettings>,
    /// `watch = { pid_file = ... }`: a long-running process sampled while the bench runs.
    pub watch: Option<WatchSettings>,
    /// `http = { url = ... }`: the bench sends HTTP requests as its load instead of running a
    /// command (SPEC §4.3); `command` is then empty and `load` is set.
    pub http: Option<HttpSettings>,
}

/// The most headers an HTTP bench may send.
pub const MAX_HTTP_HEADERS: usize = 100;

/// A bench's `http = { ... }`: what each request of its load sends. The URL is checked (scheme,
/// host, port) by the pipeline before anything runs; here it is only text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpSettings {
    /// `url`, `${VAR}` expanded (`benchgate load` may give several); empty when `urls_file`
    /// gives the URLs. Requests go round-robin over them.
    pub urls: Vec<String>,
    /// `urls_file`: one `[METHOD] URL [@BODY_FILE]` per line (`@FILE`: that request's own body, relative to the list), requests go round-robin over them.
    pub urls_file: Option<PathBuf>,
    /// `method` (default `GET`), upper-cased.
    pub method: String,
    /// `headers = { "content-type" = "application/json" }`, in file order.
    pub headers: Vec<(String, String)>,
    /// `body`: the request body as text.
    pub body: Option<String>,
    /// `body_file`: the request body read from a file (at most [`MAX_HTTP_BODY_BYTES`]).
    pub body_file: Option<PathBuf>,
    /// `http2 = true`: HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1, for a server
    /// known to serve HTTP/2 in clear text.
    pub http2: bool,
    /// `threads`: the client's threads (one drives every connection by default).
    pub threads: Option<NonZeroUsize>,
}

/// The most client threads an HTTP bench may ask for.
pub const MAX_HTTP_THREADS: usize = 64;

/// The largest request body a `body_file` may hold: 16 MiB.
pub const MAX_HTTP_BODY_BYTES: u64 = 16 << 20;

impl HttpSettings {
    /// How the request reads in reports: `GET http://host/path`, or the URL list's file.
    pub fn describe(&self) -> String {
        match (self.urls.as_slice(), &self.urls_file) {
            ([url], _) => format!("{} {url}", self.method),
            ([first, rest @ ..], _) => {
                format!("{} {first} and {} more", self.method, rest.len())
            }
            ([], Some(file)) => format!("{} URLs of {}", self.method, file.display()),
            ([], None) => self.method.clone(),
        }
    }
}

impl Bench {
    /// The runner options for this bench: runner defaults, then `[defaults]`, then its overrides.
    /// `input` becomes the runner's stdin.
    pub fn runner_options(&self, defaults: &RunnerSettings) -> RunnerOptions {
        let mut options = RunnerSettings::layered(&[defaults, &self.runner]).runner_options();
        if let Some(input) = &self.input {
            options.stdin = Some(input.clone());
        }
        options
    }

    /// The shell to run this bench's commands with, if any.
    pub fn shell<'a>(&'a self, defaults: &'a RunnerSettings) -> Option<&'a str> {
        self.runner.shell.as_deref().or(defaults.shell.as_deref())
    }

    /// The command template for the runner, named after the bench.
    pub fn template(&self) -> CommandTemplate {
        CommandTemplate {
            name: Some(self.name.clone()),
            tokens: vec![self.command.clone()],
        }
    }

    /// [`Bench::template`] as written in the file (`${VAR}` kept): expanded with the same
    /// parameters, it gives the command lines a run records.
    pub fn template_as_written(&self) -> CommandTemplate {
        CommandTemplate {
            name: Some(self.name.clone()),
            tokens: vec![self.command_as_written.clone()],
        }
    }

    /// The commands this bench runs, one per parameter combination (`shell`: the shell to run
    /// them with, if any): executed with `${VAR}` expanded, shown and recorded as written
    /// (`display`, parameters substituted), so a secret passed in a variable stays out of runs,
    /// exports and reports.
    pub fn specs(&self, shell: Option<&str>) -> Result<Vec<CommandSpec>, MeasureError> {
        let mut specs =
            benchgate_measure::expand(&[self.template()], &[self.aux()], &self.params, shell)?;
        match benchgate_measure::expand(&[self.template_as_written()], &[], &self.params, None) {
            Ok(written) if written.len() == specs.len() => {
                for (spec, written) in specs.iter_mut().zip(written) {
                    spec.display = written.display;
                }
            }
            // Quoting that only balances once expanded: the line as written, unsubstituted.
            _ => {
                for spec in &mut specs {
                    spec.display = self.command_as_written.clone();
                }
            }
        }
        Ok(specs)
    }

    pub fn aux(&self) -> AuxCommands {
        AuxCommands {
            prepare: self.prepare.clone(),
            conclude: self.conclude.clone(),
            setup: self.setup.clone(),
            cleanup: self.cleanup.clone(),
        }
    }

    /// The names of the benchmarks this bench produces: one per parameter combination
    /// (`name/threads=4`), each followed by `/concurrency=N` per level of a closed model.
    pub fn benchmark_names(&self) -> Vec<String> {
        let names = benchgate_measure::expanded_names(&self.name, &self.params);
        match self.load.as_ref().map(|load| &load.model) {
            Some(LoadModel::Closed { levels }) => names
                .iter()
                .flat_map(|name| {
                    levels
                        .iter()
                        .map(move |level| format!("{name}/concurrency={level}"))
                })
                .collect(),
            _ => names,
        }
    }

    /// How many levels each parameter combination runs: a closed model's, else one.
    pub fn level_count(&self) -> usize {
        match self.load.as_ref().map(|load| &load.model) {
            Some(LoadModel::Closed { levels }) => levels.len(),
            _ => 1,
        }
    }

    /// How memory is sampled for this bench: `memory` as given, or its defaults when only
    /// `watch` is set; `None` = not sampled.
    pub fn memory_sampling(&self) -> Option<MemorySettings> {
        self.memory
            .clone()
            .or_else(|| self.watch.as_ref().map(|_| MemorySettings::default()))
    }

    /// Why this bench must be skipped: an unset variable it needs, or a missing requirement
    /// (checks the environment, `PATH` and the file system).
    pub fn skip_reason(&self) -> Option<String> {
        self.skip.clone().or_else(|| self.requires.check())
    }
}

/// The most operations in flight a closed-model level or `max_in_flight` may ask for.
pub const MAX_CONCURRENCY: usize = 10_000;
/// The most levels `concurrency` may list.
pub const MAX_LEVELS: usize = 64;
/// The highest `rate`, per second.
pub const MAX_RATE_PER_S: f64 = 1_000_000.0;
/// The largest `burst.size`.
pub const MAX_BURST_SIZE: u32 = 100_000;
/// `max_in_flight` when not given: starts beyond it are dropped (and counted).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1000;
/// How long a load bench runs when it gives neither `duration` nor `operations`.
pub const DEFAULT_LOAD_DURATION: Duration = Duration::from_secs(10);
/// The longest `duration`: 24 h.
pub const MAX_LOAD_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// The shortest `window`.
pub const MIN_WINDOW: Duration = Duration::from_millis(1);
/// The most windows `duration` may be cut into: each window is one sample of every measure.
pub const MAX_WINDOWS: u128 = 100_000;

/// A bench's load: the model, and how long each level (closed) or the run (open) lasts.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSettings {
    pub model: LoadModel,
    /// `duration` as given; see [`LoadSettings::effective_duration`].
    pub duration: Option<Duration>,
    /// `operations`: stop after this many operations (per level), or at `duration`, whichever
    /// comes first.
    pub operations: Option<u64>,
    /// `window` as given; see [`LoadSettings::effective_window`].
    pub window: Option<Duration>,
}

impl LoadSettings {
    /// How long each level runs: `duration`, else [`DEFAULT_LOAD_DURATION`] unless `operations`
    /// bounds it (then `None`: until the operations are done).
    pub fn effective_duration(&self) -> Option<Duration> {
        match (self.duration, self.operations) {
            (Some(d), _) => Some(d),
            (None, Some(_)) => None,
            (None, None) => Some(DEFAULT_LOAD_DURATION),
        }
    }

    /// The length of the windows a level's samples are taken over: `window`, else
    /// [`default_window`] of the effective duration (of [`DEFAULT_LOAD_DURATION`] when only
    /// `operations` bounds the run).
    pub fn effective_window(&self) -> Duration {
        self.window.unwrap_or_else(|| {
            default_window(self.effective_duration().unwrap_or(DEFAULT_LOAD_DURATION))
        })
    }
}

/// The window when none is given: a tenth of the duration (so a level has about ten samples),
/// clamped to 100 ms (shorter windows hold too few operations) ..= 10 s.
pub fn default_window(duration: Duration) -> Duration {
    (duration / 10).clamp(Duration::from_millis(100), Duration::from_secs(10))
}

/// How operations are started.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadModel {
    /// `concurrency = [1, 10, ...]`: at each level N operations run at once, each starting the
    /// next when it ends. Levels in the order given, distinct, each 1..=[`MAX_CONCURRENCY`].
    Closed { levels: Vec<NonZeroUsize> },
    /// `rate = "200/s"`: operations start on a schedule, whether or not earlier ones ended.
    Open {
        /// Starts per second, > 0 and ≤ [`MAX_RATE_PER_S`].
        rate_per_s: f64,
        /// `rate` as written (`"200/s"`): the level's `rate` parameter.
        rate_as_written: String,
        arrivals: Arrivals,
        /// `seed` of the Poisson arrivals; only with [`Arrivals::Poisson`].
        seed: Option<u64>,
        /// `ramp`: the rate climbs from 0 to `rate_per_s` over this long.
        ramp: Option<Duration>,
        burst: Option<BurstSettings>,
        /// Starts due while this many operations are in flight are dropped (and counted).
        max_in_flight: NonZeroUsize,
    },
}

/// `arrivals`: how an open model's starts are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrivals {
    /// Evenly, 1 / rate apart.
    #[default]
    Constant,
    /// Exponentially distributed gaps of mean 1 / rate (a Poisson process).
    Poisson,
}

impl Arrivals {
    /// `constant` or `poisson`.
    pub fn parse(text: &str) -> Option<Arrivals> {
        match text {
            "constant" => Some(Arrivals::Constant),
            "poisson" => Some(Arrivals::Poisson),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Arrivals::Constant => "constant",
            Arrivals::Poisson => "poisson",
        }
    }
}

/// `burst = { size = 500, every = "5s" }`: `size` extra starts at once, every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstSettings {
    /// 1..=[`MAX_BURST_SIZE`].
    pub size: NonZeroU32,
    pub every: Duration,
}

/// `memory = { every, warmup, max_growth, max_growth_per_op }` (SPEC §4.4).
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySettings {
    /// How often RSS is sampled: 1 ms ..= 60 s, default 50 ms.
    pub every: Duration,
    /// The fraction of the run left out of the growth fit (start-up): 0 ≤ f < 0.9, default 0.1.
    pub warmup_fraction: f64,
    /// `max_growth`: a leak when RSS grows by more than this ratio over the run after warm-up.
    pub max_growth: Option<f64>,
    /// `max_growth_per_op`: a leak when RSS grows by more than this many bytes per operation.
    pub max_growth_per_op: Option<u64>,
}

/// `memory.every` when not given.
pub const DEFAULT_MEMORY_EVERY: Duration = Duration::from_millis(50);
/// `memory.warmup` when not given.
pub const DEFAULT_MEMORY_WARMUP: f64 = 0.1;

impl Default for MemorySettings {
    fn default() -> Self {
        MemorySettings {
            every: DEFAULT_MEMORY_EVERY,
            warmup_fraction: DEFAULT_MEMORY_WARMUP,
            max_growth: None,
            max_growth_per_op: None,
        }
    }
}

/// `watch = { pid_file = "server.pid" }`: a process started outside the measured commands (a
/// server `setup` starts), sampled while the bench drives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchSettings {
    /// As written (`${VAR}` expanded), relative to the working directory like `input`; read
    /// when the bench runs, since `setup` may write it.
    pub pid_file: PathBuf,
}

/// `requires = { env = [...], commands = [...], files = [...] }` (SPEC §4.7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirements {
    /// Environment variables that must be set (and not empty), those of `env_values` included.
    pub env: Vec<String>,
    /// Variables that must have one value (`requires.env = { USE_REAL = "true" }`).
    pub env_values: BTreeMap<String, String>,
    /// Programs that must be found on `PATH` (or exist, when given with a `/`).
    pub commands: Vec<String>,
    /// Files or directories that must exist.
    pub files: Vec<PathBuf>,
}

impl Requirements {
    pub fn is_empty(&self) -> bool {
        self.env.is_empty() && self.commands.is_empty() && self.files.is_empty()
    }

    /// The reason a bench must be skipped, or `None` when every requirement is met. Reads the
    /// process environment, `PATH` and the file system.
    pub fn check(&self) -> Option<String> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        self.check_with(
            &|name| std::env::var(name).ok(),
            &|command| find_on_path(command, &path),
            &|file| file.exists(),
        )
    }

    /// [`Requirements::check`] with injected lookups, for tests.
    pub fn check_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
        command_exists: &dyn Fn(&str) -> bool,
        file_exists: &dyn Fn(&Path) -> bool,
    ) -> Option<String> {
        let mut reasons = Vec::new();
        let missing_env: Vec<&str> = self
            .env
            .iter()
            .filter(|v| env(v).is_none_or(|s| s.is_empty()))
            .map(String::as_str)
            .collect();
        match missing_env.as_slice() {
            [] => {}
            [one] => reasons.push(format!("environment variable {one} is not set")),
            many => reasons.push(format!(
                "environment variables {} are not set",
                many.join(", ")
            )),
        }
        // The value found is not repeated: it may be anything, a secret included.
        for (name, demanded) in &self.env_values {
            if env(name).is_some_and(|v| !v.is_empty() && v != *demanded) {
                reasons.push(format!("environment variable {name} is not {demanded:?}"));
            }
        }
        for command in self.commands.iter().filter(|c| !command_exists(c)) {
            reasons.push(format!("command `{command}` not found on PATH"));
        }
        for file in self.files.iter().filter(|f| !file_exists(f)) {
            reasons.push(format!("file {} does not exist", file.display()));
        }
        (!reasons.is_empty()).then(|| format!("requires: {}", reasons.join("; ")))
    }
}

fn find_on_path(command: &str, path: &std::ffi::OsStr) -> bool {
    if command.contains('/') {
        return Path::new(command).is_file();
    }
    std::env::split_paths(path).any(|dir| dir.join(command).is_file())
}

impl Config {
    /// Reads and validates the file at `path`; errors name the path as given.
    /// A file larger than [`MAX_CONFIG_BYTES`] is refused (`--config /dev/zero` must not fill
    /// memory).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read;
        let io = |source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
            .map_err(io)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_CONFIG_BYTES,
            });
        }
        let mut config = Config::parse(&text, &path.display().to_string())?;
        let base = path.parent().unwrap_or(Path::new(""));
        let metric_units = parse::metric_units(&config.benches);
        for file in &config.budget_files {
            let file = values_file::resolve(base, file);
            config
                .budgets
                .extend(values_file::budget_file_with_metrics(&file, &metric_units)?);
        }
        Ok(config)
    }

    /// Parses `text`, expanding `${VAR}` from the process environment. `origin` names the file
    /// in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        Config::parse_with_env(text, origin, &|name| std::env::var(name).ok())
    }

    /// Parses `text` with an injected environment lookup. Pure.
    pub fn parse_with_env(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        parse::parse(text, origin, env)
    }

    pub fn bench(&self, name: &str) -> Option<&Bench> {
        self.benches.iter().find(|b| b.name == name)
    }

    /// The judging thresholds: [`Thresholds::default`] overridden by `[gate]`.
    /// Whether `[gate]` and the budgets judge runs of `source`: the sources `[gate] sources`
    /// lists; without that key, a file with `[[bench]]`es judges only its own suite (`command`
    /// runs) — settings tuned for commands (a `min_delta` of 20 µs, a budget on max RSS) must not
    /// silently judge a Go or criterion suite — and a file without benches judges every source.
    pub fn judges(&self, source: &Source) -> bool {
        match &self.gate.sources {
            Some(sources) => sources.contains(source),
            None => self.benches.is_empty() || *source == Source::Command,
        }
    }

    /// `text` (an error, a failed command's standard error) with the value of every variable the
    /// file expanded but does not list in `[env] record` written back as `${NAME}`. Values
    /// shorter than [`REDACT_MIN_LEN`] are left alone: they hide nothing and would garble the
    /// text.
    pub fn redact<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for (name, value) in &self.env.unrecorded {
            if value.len() >= REDACT_MIN_LEN && out.contains(value.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(value.as_str(), &format!("${{{name}}}")));
            }
        }
        out
    }

    pub fn thresholds(&self) -> Thresholds {
        let mut t = Thresholds::default();
        self.gate.apply(&mut t);
        t
    }
}
