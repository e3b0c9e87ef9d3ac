//! [`Suite`]: registers and runs benchmarks in order, then prints and writes the run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::Duration;

use benchgate_model::{Benchmark, Metric, Mode, Run, Source, Status};
use time::OffsetDateTime;

use crate::alloc;
use crate::args::{Args, Format, USAGE};
use crate::bencher::{self, Bencher, Settings};
use crate::concurrent::{self, Ctx, Outcome, SweepOptions};
use crate::leak::{self, LeakOptions};
use crate::output;
use crate::record;

/// Sampling of timed benchmarks. The defaults take about 2.5 s a benchmark (criterion's take 8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub warm_up: Duration,
    pub measurement: Duration,
    pub sample_count: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            warm_up: Duration::from_millis(500),
            measurement: Duration::from_secs(2),
            sample_count: 100,
        }
    }
}

impl Config {
    /// `--quick`: about 0.3 s a benchmark.
    pub fn quick() -> Self {
        Config {
            warm_up: Duration::from_millis(50),
            measurement: Duration::from_millis(250),
            sample_count: 20,
        }
    }
}

/// Environment variable naming an extra directory for the run's JSON (`benchgate exec` sets it
/// to collect the results of every bench target cargo runs).
pub const OUTPUT_ENV: &str = "BENCHGATE_HARNESS_OUTPUT";

/// A suite of benchmarks: the `main` of a `harness = false` bench target.
pub struct Suite {
    args: Args,
    config: Config,
    bench_name: String,
    exe: PathBuf,
    granularity: Duration,
    /// Measured once per suite (lazily): ns per iteration of the timed loop around an empty
    /// closure, which every `time/op` includes.
    loop_overhead_ns: Option<f64>,
    count_allocations: bool,
    started: OffsetDateTime,
    benchmarks: Vec<Benchmark>,
    listed: Vec<String>,
    /// Names of the metrics benchmarks reported themselves ([`Bencher::metric`]): the table shows
    /// them as given, not per operation.
    reported: BTreeSet<String>,
}

impl Suite {
    /// A suite configured by the process's flags (libtest-like, see `--help`); bad flags print
    /// the error and the usage and exit with code 2.
    pub fn from_args() -> Suite {
        match Args::from_env() {
            Ok(args) if args.help => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            Ok(args) => Suite::new(args),
            Err(e) => {
                eprintln!("error: {e}\n\n{USAGE}");
                std::process::exit(2);
            }
        }
    }

    /// A suite with the given flags.
    pub fn new(args: Args) -> Suite {
        let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("bench"));
        Suite {
            bench_name: output::bench_name(&exe),
            exe,
            config: Config::default(),
            granularity: bencher::timer_granularity(),
            loop_overhead_ns: None,
            count_allocations: alloc::is_installed(),
            started: OffsetDateTime::now_utc(),
            benchmarks: Vec::new(),
            listed: Vec::new(),
            reported: BTreeSet::new(),
            args,
        }
    }

    /// The name of the JSON file (`<name>.json`); the bench target's name by default.
    pub fn named(mut self, name: &str) -> Suite {
        self.bench_name = name.to_string();
        self
    }

    /// Sampling of the benchmarks registered from now on.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Times `f`'s `b.iter(…)` (or another `iter` method of the [`Bencher`]).
    pub fn bench(&mut self, name: &str, f: impl FnMut(&Bencher)) {
        let config = self.config;
        self.timed(name.to_string(), BTreeMap::new(), config, f);
    }

    /// One benchmark per input, named `{name}/{param}={input}` with the parameter recorded.
    pub fn bench_with_inputs<I: Display>(
        &mut self,
        name: &str,
        param: &str,
        inputs: impl IntoIterator<Item = I>,
        f: impl FnMut(&Bencher, &I),
    ) {
        let config = self.config;
        self.timed_inputs(name.to_string(), param, inputs, config, f);
    }

    /// Benchmarks named `{name}/…`, with their own sampling.
    pub fn group(&mut self, name: &str, f: impl FnOnce(&mut Group<'_>)) {
        let config = self.config;
        let mut group = Group {
            suite: self,
            prefix: name.to_string(),
            config,
        };
        f(&mut group);
    }

    /// The operation on N threads at once for each N in `levels` (1 s a level): one benchmark
    /// `{name}/concurrency={N}` per level with throughput, latency percentiles, the highest
    /// concurrency observed and the scaling efficiency.
    pub fn concurrent<F, R>(&mut self, name: &str, levels: &[usize], op: F)
    where
        F: Fn(&Ctx) -> R + Sync,
        R: Outcome,
    {
        self.concurrent_with(name, levels, &SweepOptions::default(), op);
    }

    /// [`Suite::concurrent`] with its duration, windows and warm-up given (`--quick` and smoke
    /// runs shorten them).
    pub fn concurrent_with<F, R>(
        &mut self,
        name: &str,
        levels: &[usize],
        options: &SweepOptions,
        op: F,
    ) where
        F: Fn(&Ctx) -> R + Sync,
        R: Outcome,
    {
        let names: Vec<String> = levels
            .iter()
            .map(|n| format!("{name}/concurrency={n}"))
            .collect();
        if !names.iter().any(|n| self.args.selects(n)) {
            return;
        }
        if self.args.list {
            self.listed.extend(names);
            return;
        }
        let options = if !self.args.bench {
            SweepOptions::smoke()
        } else if self.args.quick {
            SweepOptions::quick()
        } else {
            options.clone()
        };
        let results = concurrent::sweep(name, levels, &options, op);
        for b in results {
            self.report_one(&b);
            self.benchmarks.push(b);
        }
    }

    /// Runs `workload(round)` for `rounds` rounds (after one warm-up round) and fails when the
    /// live heap grew more than 10 % over them.
    pub fn leak_check(&mut self, name: &str, rounds: usize, workload: impl FnMut(usize)) {
        self.leak_check_with(name, &LeakOptions::new(rounds), workload);
    }

    /// [`Suite::leak_check`] with its rounds and budget given.
    pub fn leak_check_with(
        &mut self,
        name: &str,
        options: &LeakOptions,
        mut workload: impl FnMut(usize),
    ) {
        if !self.args.selects(name) {
            return;
        }
        if self.args.list {
            self.listed.push(name.to_string());
            return;
        }
        let mut options = options.clone();
        if !self.args.bench {
            options.rounds = options.rounds.min(2);
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            leak::check(name, &options, &mut workload)
        }));
        let b = match result {
            Ok(b) => b,
            Err(payload) => failed(name.to_string(), BTreeMap::new(), panic_message(&payload)),
        };
        self.report_one(&b);
        self.benchmarks.push(b);
    }

    /// The run so far, without printing or writing anything.
    pub fn run(&self) -> Run {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        // As `benchgate run` marks a suite with simulated benches (SPEC §4.7): the run is
        // simulated, so every report labels it, and the tag says which benchmarks are.
        let simulated: Vec<&str> = self
            .benchmarks
            .iter()
            .filter(|b| b.mode == Some(Mode::Simulated))
            .map(|b| b.name.as_str())
            .collect();
        let mode = if simulated.is_empty() {
            Mode::Real
        } else {
            Mode::Simulated
        };
        let mut run = Run::new(
            Source::Harness,
            self.started,
            benchgate_provenance::git_provenance(&cwd, mode),
            benchgate_provenance::detect_environment(),
        );
        if !simulated.is_empty() {
            run.provenance
                .tags
                .insert("simulated".into(), simulated.join(","));
        }
        run.ended_at = OffsetDateTime::now_utc();
        run.benchmarks = self.benchmarks.clone();
        if mode == Mode::Simulated {
            // A benchmark without a mode takes the run's: the others are real, and say so.
            for b in run.benchmarks.iter_mut().filter(|b| b.mode.is_none()) {
                b.mode = Some(Mode::Real);
            }
        }
        run
    }

    /// The table of the run so far, as `finish` prints it.
    pub fn table(&self) -> String {
        output::table(&self.run(), &self.reported)
    }

    /// Names of the benchmarks `--list` collected.
    pub fn listed(&self) -> &[String] {
        &self.listed
    }

    /// Prints the table (or the JSON with `--format json`) and writes the JSON file; with `--list`,
    /// prints the names. Exits with code 101 when a benchmark failed (as libtest does).
    pub fn finish(self) {
        let mut stdout = std::io::stdout().lock();
        if self.args.list {
            for name in &self.listed {
                let _ = writeln!(stdout, "{name}: bench");
            }
            let _ = writeln!(stdout, "\n0 tests, {} benchmarks", self.listed.len());
            return;
        }
        let failures = self.benchmarks.iter().filter(|b| b.failed()).count();
        if !self.args.bench {
            let _ = writeln!(
                stdout,
                "\nsmoke run: {} benchmarks ran once, {failures} failed (measure with --bench)",
                self.benchmarks.len()
            );
        } else {
            let run = self.run();
            match self.args.format {
                Format::Json => {
                    let _ = writeln!(stdout, "{}", run.to_json_pretty());
                }
                Format::Table => {
                    let _ = write!(stdout, "\n{}", output::table(&run, &self.reported));
                    if let Some(ns) = self.loop_overhead_ns {
                        let _ = writeln!(
                            stdout,
                            "time/op includes the timed loop's own {ns:.2} ns per iteration (an empty closure's)"
                        );
                    }
                }
            }
            let mut dirs = Vec::new();
            if !self.args.no_save && self.args.format == Format::Table {
                dirs.push(
                    self.args
                        .output_dir
                        .clone()
                        .unwrap_or_else(|| output::default_output_dir(&self.exe)),
                );
            }
            if let Some(extra) = std::env::var_os(OUTPUT_ENV) {
                dirs.push(PathBuf::from(extra));
            }
            for dir in dirs {
                match output::write_json(&dir, &self.bench_name, &run) {
                    Ok(path) => eprintln!("wrote {}", path.display()),
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", dir.display());
                        std::process::exit(1);
                    }
                }
            }
        }
        let _ = stdout.flush();
        if failures > 0 {
            std::process::exit(101);
        }
    }

    /// `{name}/{param}={input}` for each input, the parameter recorded.
    fn timed_inputs<I: Display>(
        &mut self,
        name: String,
        param: &str,
        inputs: impl IntoIterator<Item = I>,
        config: Config,
        mut f: impl FnMut(&Bencher, &I),
    ) {
        for input in inputs {
            let value = input.to_string();
            let params = BTreeMap::from([(param.to_string(), value.clone())]);
            self.timed(format!("{name}/{param}={value}"), params, config, |b| {
                f(b, &input)
            });
        }
    }

    fn timed(
        &mut self,
        name: String,
        params: BTreeMap<String, String>,
        config: Config,
        mut f: impl FnMut(&Bencher),
    ) {
        if !self.args.selects(&name) {
            return;
        }
        if self.args.list {
            self.listed.push(name);
            return;
        }
        let config = self.resolve(config);
        let settings = Settings {
            warm_up: config.warm_up,
            measurement: config.measurement,
            sample_count: config.sample_count.max(2),
            smoke: !self.args.bench,
            granularity: self.granularity,
            count_allocations: self.count_allocations,
        };
        if !settings.smoke && self.loop_overhead_ns.is_none() {
            self.loop_overhead_ns = Some(self.measure_loop_overhead());
        }
        let b = Bencher::new(settings);
        let result = catch_unwind(AssertUnwindSafe(|| f(&b)));
        let mode = b.mode_set();
        let reported = b.take_reported();
        let mut benchmark = match result {
            Err(payload) => failed(name, params, panic_message(&payload)),
            Ok(()) if b.calls() == 0 => failed(
                name,
                params,
                "the benchmark never called b.iter (or another iter method)".into(),
            ),
            Ok(()) if b.calls() > 1 => failed(
                name,
                params,
                format!(
                    "the benchmark called iter methods {} times; call exactly one, once",
                    b.calls()
                ),
            ),
            Ok(()) => match b.into_measured() {
                Some(m) => {
                    let mut bench = record::benchmark(name, params, &m);
                    if let Some(ns) = self.loop_overhead_ns.filter(|_| !settings.smoke) {
                        bench
                            .labels
                            .insert("loop_overhead_ns".into(), format!("{ns:.3}"));
                    }
                    bench
                }
                None => failed(name, params, "nothing was measured".into()),
            },
        };
        self.reported.extend(add_reported(&mut benchmark, reported));
        benchmark.mode = mode;
        self.report_one(&benchmark);
        self.benchmarks.push(benchmark);
    }

    /// The time per iteration of the timed loop around an empty closure (the median of 20 short
    /// samples): what every `time/op` includes besides the routine. Reported, not subtracted
    /// (divan subtracts it; criterion, like this harness, does not).
    fn measure_loop_overhead(&self) -> f64 {
        let b = Bencher::new(Settings {
            warm_up: Duration::from_millis(10),
            measurement: Duration::from_millis(40),
            sample_count: 20,
            smoke: false,
            granularity: self.granularity,
            count_allocations: self.count_allocations,
        });
        b.iter(|| {});
        let mut ns = b.into_measured().map(|m| m.ns_per_iter).unwrap_or_default();
        ns.sort_by(f64::total_cmp);
        ns.get(ns.len() / 2).copied().unwrap_or(0.0)
    }

    /// The sampling a benchmark gets: the code's configuration, replaced by `--quick`'s, with
    /// explicit flags (`--sample-count`, …) over both.
    fn resolve(&self, config: Config) -> Config {
        let mut c = if self.args.quick {
            Config::quick()
        } else {
            config
        };
        if let Some(n) = self.args.sample_count {
            c.sample_count = n;
        }
        if let Some(d) = self.args.warm_up_time {
            c.warm_up = d;
        }
        if let Some(d) = self.args.measurement_time {
            c.measurement = d;
        }
        c
    }

    /// One progress line on stderr per benchmark (stdout carries only the table or the JSON).
    fn report_one(&self, b: &Benchmark) {
        let state = match &b.status {
            Status::Ok => "ok".to_string(),
            Status::Failed { message } => format!("FAILED: {message}"),
            Status::Skipped { reason } => format!("skipped: {reason}"),
        };
        let verb = if self.args.bench { "bench" } else { "test" };
        let simulated = if b.mode == Some(Mode::Simulated) {
            " (simulated)"
        } else {
            ""
        };
        eprintln!("{verb} {} ... {state}{simulated}", b.name);
    }
}

/// Benchmarks under a common name prefix with their own sampling (see [`Suite::group`]).
pub struct Group<'s> {
    suite: &'s mut Suite,
    prefix: String,
    config: Config,
}

impl Group<'_> {
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// `{group}/{name}`.
    pub fn bench(&mut self, name: &str, f: impl FnMut(&Bencher)) {
        let name = format!("{}/{name}", self.prefix);
        self.suite.timed(name, BTreeMap::new(), self.config, f);
    }

    /// `{group}/{name}/{param}={input}` for each input.
    pub fn bench_with_inputs<I: Display>(
        &mut self,
        name: &str,
        param: &str,
        inputs: impl IntoIterator<Item = I>,
        f: impl FnMut(&Bencher, &I),
    ) {
        let name = format!("{}/{name}", self.prefix);
        self.suite.timed_inputs(name, param, inputs, self.config, f);
    }

    /// A nested group `{group}/{name}/…`.
    pub fn group(&mut self, name: &str, f: impl FnOnce(&mut Group<'_>)) {
        let mut group = Group {
            suite: &mut *self.suite,
            prefix: format!("{}/{name}", self.prefix),
            config: self.config,
        };
        f(&mut group);
    }
}

fn failed(name: String, params: BTreeMap<String, String>, message: String) -> Benchmark {
    Benchmark {
        mode: None,
        name,
        params,
        labels: BTreeMap::new(),
        command: None,
        status: Status::Failed { message },
        metrics: Vec::new(),
        series: Vec::new(),
    }
}

/// Adds the figures the benchmark reported to its metrics, and returns their names; a figure
/// under a name the benchmark already has (one the harness measures, or reported twice) fails it.
fn add_reported(benchmark: &mut Benchmark, reported: Vec<Metric>) -> Vec<String> {
    let mut names = Vec::new();
    for metric in reported {
        let name = metric.measure.as_str().to_string();
        if benchmark.failed() {
            break;
        }
        if names.contains(&name) {
            benchmark.status = Status::Failed {
                message: format!("the benchmark reported {name} twice"),
            };
        } else if benchmark.metrics.iter().any(|m| m.measure.as_str() == name) {
            benchmark.status = Status::Failed {
                message: format!(
                    "the benchmark reported {name}, which the harness measures itself"
                ),
            };
        } else {
            names.push(name);
            benchmark.metrics.push(metric);
        }
    }
    if benchmark.failed() {
        // A failed benchmark has no metrics (as a panicking one).
        benchmark.metrics.clear();
        names.clear();
    }
    names
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".into());
    format!("panicked: {text}")
}
