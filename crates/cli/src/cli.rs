//! The command line: clap definitions only. Parsing of human units lives in `quantity`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::quantity::{Age, Duration, Percent, positive_duration};

const EXIT_CODES: &str = "\
Exit codes:
  0  passed (warnings allowed)
  1  the gate failed: a fail-level regression or a broken budget (warnings too with --deny-warnings)
  2  usage or input error: bad flag, unreadable or malformed file, missing command
  3  a benchmarked command failed
  4  inconclusive (ab): the comparison could not decide within --max-time";

/// Measure software performance, remember it, and judge every change against it.
#[derive(Debug, Parser)]
#[command(
    name = "benchgate",
    version,
    after_help = EXIT_CODES,
    max_term_width = 100,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print nothing but results and errors (no progress).
    #[arg(help_heading = "Global options", long, short = 'q', global = true)]
    pub quiet: bool,
    /// Never colour the output (also when NO_COLOR is set).
    #[arg(help_heading = "Global options", long, global = true)]
    pub no_color: bool,
    /// Machine output: the same as --format json.
    #[arg(help_heading = "Global options", long, global = true)]
    pub json: bool,
    /// The history store: sqlite://PATH (embedded, the default) or postgres://USER@HOST:PORT/DB.
    #[arg(
        help_heading = "Global options",
        long,
        global = true,
        env = "BENCHGATE_DB",
        hide_env_values = true,
        value_name = "URL",
        default_value = benchgate_store::DEFAULT_URL
    )]
    pub db: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the configured suite and gate it, or benchmark commands given after `--`
    ///
    /// Without commands: runs the benchmarks of benchgate.toml (those matching FILTER), stores the
    /// run, judges it against the baseline and the budgets, prints the report and sets the exit
    /// code. With commands: benchmarks them hyperfine-style, interleaved A B A B …, and compares
    /// each with the first; nothing is stored. A command given as one argument is split like a
    /// shell would (no shell runs unless --shell); several arguments are taken as the argv as they
    /// are.
    #[command(
        after_help = "Examples:\n  benchgate run                     the suite of ./benchgate.toml, judged and stored\n  \
                      benchgate run 'gzip/*' --baseline main\n  \
                      benchgate run -- 'gzip -c Cargo.lock' -- 'gzip -9 -c Cargo.lock'\n  \
                      benchgate run --runs 20 --parameter-list level 1,6,9 -- 'gzip -{level} -c Cargo.lock'\n  \
                      benchgate run --export-json base.json -- 'sleep 0.01'"
    )]
    Run(Box<RunArgs>),
    /// Read results other harnesses wrote, store them and gate them like `run`
    ///
    /// Each FILE is what go test -bench (text or -json), hyperfine --export-json, Google Benchmark
    /// (JSON), pytest-benchmark (--benchmark-json), libtest (#[bench] lines) or benchgate wrote, or
    /// a criterion directory (target/criterion, or DIR@NAME for its baseline NAME; `new` by
    /// default). The format is recognised by content unless --adapter names it. All files form one
    /// run: a benchmark found in several files has the samples of all of them. Nothing is stored
    /// unless every file reads cleanly.
    #[command(
        after_help = "Examples:\n  go test -bench . -count 10 > new.txt && benchgate ingest new.txt\n  \
                      benchgate ingest --adapter hyperfine results.json --baseline main\n  \
                      benchgate ingest target/criterion@before"
    )]
    Ingest(Box<IngestArgs>),
    /// Run a benchmark harness, read what it prints, store it and gate it like `run`
    ///
    /// Runs CMD directly (no shell) and streams its standard output to standard error as it comes
    /// (standard output stays benchgate's report), then reads the results from that output — or,
    /// for criterion, from the target/criterion files the run wrote — and stores and judges them
    /// like `ingest`. A harness that exits unsuccessfully makes exit code 3, after whatever
    /// results it printed are stored.
    #[command(
        after_help = "Examples:\n  benchgate exec -- go test -bench . -benchmem -count 10 ./...\n  \
                      benchgate exec -- cargo bench --bench parse\n  \
                      benchgate exec --adapter google-benchmark -- ./bench --benchmark_format=json"
    )]
    Exec(Box<ExecArgs>),
    /// Compare two builds on this machine: run them alternately in pairs and judge the change
    ///
    /// Runs BASE and HEAD (or the configured suite from two checkouts, --base-dir and
    /// --head-dir) in balanced pairs, A B, B A, A B, …, after their warm-ups, and estimates the
    /// change from the per-pair ratios (Hodges–Lehmann with its Wilcoxon signed-rank interval),
    /// which cancels the machine's drift. Unless --runs fixes the number of pairs, it samples
    /// until the interval of the change lies wholly within ± --warn (unchanged) or wholly beyond
    /// it (regressed, improved), or until --max-time is spent: then the verdict is
    /// inconclusive, exit code 4. Nothing is stored.
    #[command(
        after_help = "Examples:\n  benchgate ab --base './old/app bench' --head './new/app bench'\n  \
                      benchgate ab --base-dir ../main --head-dir . 'parse/*'\n  \
                      benchgate ab --runs 30 --base 'gzip -6 -c f' --head 'gzip -9 -c f'\n  \
                      benchgate ab --measure instructions --base './old/app' --head './new/app'"
    )]
    Ab(Box<AbArgs>),
    /// Load-test an HTTP server: throughput, latency percentiles and errors, stored and gated
    ///
    /// Sends requests over HTTP/1.1 keep-alive connections: N at a time (--concurrency, or
    /// --sweep for several levels, closed model: each connection sends its next request when
    /// the previous answer is read) or on a schedule (--rate, open model: latency counts from
    /// each request's intended send time, so a stalled server cannot hide its stall, as wrk2;
    /// the service time is recorded too, with the requests planned, sent, late and dropped).
    /// Each level lasts --duration (default 10s) or --requests. One request first checks that
    /// the server answers; a server that says it is `benchgate mock-backend` makes the run
    /// simulated. The run is stored and judged like `run`'s: against the baseline on
    /// throughput, latency_p99 and error_rate (or the [gate] measures of --config) and against
    /// the [[budget]]s of --config. Status 5xx, timeouts, resets and refused connections are
    /// errors, counted by kind, never latency samples.
    #[command(
        after_help = "Examples:\n  benchgate load http://127.0.0.1:8080/ --concurrency 64 --duration 30s\n  \
                      benchgate load http://127.0.0.1:8080/api --rate 2000/s --name api/get\n  \
                      benchgate load http://127.0.0.1:8080/ --sweep 1,10,50,100,200 --requests 5000\n  \
                      benchgate load -X POST --body '{}' http://127.0.0.1:8080/jobs --rate 200/s\n  \
                      benchgate load --urls-file urls.txt --config benchgate.toml --watch-pid 4242"
    )]
    Load(Box<HttpLoadArgs>),
    /// A benchmark's history, and the shifts of level found in it
    ///
    /// The medians of one measure of BENCH in the stored runs, oldest first, measured on this
    /// machine (its environment fingerprint) unless --all-machines, and the change points found
    /// in them: when it got slower or faster, and by how much. Change points come from PELT on
    /// the logarithms of the medians with the penalty 6·σ̂²·ln n, σ̂ the series' own noise (from
    /// its first differences); a level must last --min-segment runs.
    #[command(
        after_help = "Examples:\n  benchgate history gzip/default\n  benchgate history parse/json --measure alloc_bytes --limit 50\n  benchgate history gzip/default --save-noise-floor"
    )]
    History(HistoryArgs),
    /// Check this machine for noise, and learn benchmarks' noise floors
    ///
    /// Reports what makes measurements here noisy: CPU frequency scaling (governor, turbo),
    /// load and other processes' CPU use, time stolen by a hypervisor, the clock's resolution.
    /// With BENCH (configured benchmarks whose names match) it also runs an A/A calibration:
    /// --rounds rounds of two separately sampled runs of the same command, as a stored baseline
    /// and a later run are, and how far their medians drift apart is the benchmark's noise
    /// floor on this machine. Floors are stored per machine fingerprint; later verdicts on the
    /// benchmark treat changes smaller than its floor as noise.
    #[command(
        after_help = "Examples:\n  benchgate doctor\n  benchgate doctor 'gzip/*' --rounds 10\n  benchgate doctor --no-save '*'"
    )]
    Doctor(DoctorArgs),
    /// Compare two runs, benchstat-style, and judge the change.
    ///
    /// Each run is a file, read like `ingest` reads it (benchgate JSON, go test output, hyperfine,
    /// Google Benchmark, pytest-benchmark or libtest results, a criterion directory or DIR@NAME
    /// for one of its baselines) or, when no such file exists, a stored run named by a selector:
    /// a baseline name, last, run:<id>, commit:<sha>, merge-base[:BRANCH] or window:N.
    #[command(
        after_help = "Examples:\n  benchgate compare old.txt new.txt                       two go test -bench outputs\n  \
                      benchgate compare target/criterion@before target/criterion@after\n  \
                      benchgate compare main last                             two stored runs"
    )]
    Compare(CompareArgs),
    /// Stored runs.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Print a stored run as canonical JSON (benchgate/run/v1), or a benchmark's history series
    ///
    /// With --series BENCH: one line per stored run that has the measure, oldest first (run id,
    /// start time, commit, machine fingerprint, median, unit), as CSV or JSON Lines (--format).
    #[command(after_help = "Examples:\n  benchgate export last -o run.json\n  \
                      benchgate export --series parse/json --format csv > parse.csv\n  \
                      benchgate export --series parse/json --measure max_rss --format jsonl")]
    Export(ExportArgs),
    /// Store runs from canonical JSON files; all files are checked before any is stored.
    Import(ImportArgs),
    /// Named baselines: pointers to stored runs.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Render a stored run, or its comparison with a baseline.
    Report(ReportArgs),
    /// Serve a fault-injecting HTTP backend: seeded latency, failures and schedules
    ///
    /// A real HTTP/1.1 server, for load and retry tests. Every path is a call: it waits a latency
    /// drawn from --latency, then answers 200 "ok", or fails as the plan says (--fail-rate,
    /// --fail-first-per-key, --fail-key) in the way --fail-kind says: a 5xx response, a TCP
    /// reset, or a hang. Each call's fate is a pure function of --seed and its arrival number.
    /// GET /_stats answers the counts as JSON (calls, failures by kind, in_flight,
    /// max_concurrency, per_key); POST /_reset zeroes them and restarts the seeded sequence.
    /// Every response carries `x-benchgate-mode: simulated`.
    ///
    /// Once listening it prints one line, `listening on http://ADDR`, to standard output. SIGINT
    /// or SIGTERM (or --exit-after) stops it gracefully: it prints the final /_stats JSON as one
    /// more line and exits 0.
    #[command(
        after_help = "Examples:\n  benchgate mock-backend --latency 'lognormal(median=10ms, sigma=0.5)' --fail-rate 0.4 --seed 7\n  \
                      benchgate mock-backend --listen 127.0.0.1:8080 --fail-first-per-key 3 --key-header x-vm\n  \
                      benchgate mock-backend --fail-rate 0.1 --fail-kind hang --hang-for 2s --exit-after 60s\n\n\
                      Latency: fixed(D) | uniform(D, D) | normal(mean=D, sd=D) | lognormal(median=D, sigma=F)\n\
                      \x20        | mix(F: DIST, F: DIST, ...), D a duration such as 10ms (ns, us, ms, s)"
    )]
    MockBackend(Box<crate::commands::mock_backend::MockBackendArgs>),
    /// Serve the history store to a team: a REST API under /api/v1
    ///
    /// Opens (or creates) the store --db names and answers JSON: GET /api/v1/runs, GET
    /// /api/v1/runs/ID (a run as `export` prints it), POST /api/v1/runs (a run as `import`
    /// reads it, with `Authorization: Bearer TOKEN` of a write token from `benchgate token
    /// create`; 201 with its id), GET /api/v1/benchmarks, GET /api/v1/series?bench=NAME (its
    /// history, as `history --json` gives it; /api/v1/series.csv: as CSV) and GET
    /// /api/v1/openapi.json (the OpenAPI document of them all). Errors are JSON and name the
    /// parameter or JSON path at fault.
    ///
    /// Once listening it prints one line, `listening on http://ADDR`, to standard output.
    /// SIGINT or SIGTERM stops it gracefully (exit 0). An address in use is an error (exit 2).
    #[command(
        after_help = "Examples:\n  benchgate serve --db sqlite://.benchgate/history.db --listen 127.0.0.1:8080\n  \
                      benchgate serve --db postgres://bench@db:5432/benchgate --listen 0.0.0.0:8080"
    )]
    Serve(Box<crate::commands::serve::ServeArgs>),
    /// API tokens of the team server: create one (printed once), list them
    ///
    /// `benchgate serve` accepts a run upload only with `Authorization: Bearer TOKEN` of a write
    /// token; with --private, reads need a read or write token too. The store keeps only the
    /// SHA-256 of each token.
    #[command(subcommand)]
    Token(crate::commands::token::TokenCommand),
    /// Print a shell completion script (e.g. `benchgate completions bash > /etc/bash_completion.d/benchgate`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `benchgate man > benchgate.1`, or write every page.
    ///
    /// With --dir, writes benchgate.1 and one page per subcommand (benchgate-run.1,
    /// benchgate-runs-list.1, …: the pages benchgate.1 refers to) into DIR, e.g. `benchgate man
    /// --dir ~/.local/share/man/man1`.
    Man {
        /// Write every page into this directory (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a starter benchgate.toml for the project in DIR, and a CI workflow with --ci
    ///
    /// Looks at what DIR holds — a Cargo.toml (cargo bench), a go.mod (go test -bench),
    /// pytest-benchmark in the Python project's configuration, else plain commands — and writes
    /// a benchgate.toml to start from. With --ci github it also writes
    /// .github/workflows/benchgate.yml, with --ci gitlab a .gitlab-ci.yml job: on pull (merge)
    /// requests they measure the merge base, gate the change against it and (GitHub) post the
    /// Markdown report as one pull-request comment. An existing file is never replaced unless
    /// --force: init stops with exit code 2 and writes nothing.
    #[command(
        after_help = "Examples:\n  benchgate init\n  benchgate init --ci github\n  benchgate init path/to/project --ci gitlab --force"
    )]
    Init(InitArgs),
    /// Post a Markdown report as the pull (merge) request's benchgate comment, updated in place
    ///
    /// Posts FILE (e.g. `benchgate run --format markdown > report.md`) as a comment on the pull
    /// request, or edits the comment an earlier run posted (found by a hidden marker), so a pull
    /// request carries one benchgate comment however often it is pushed. GitHub (--github):
    /// reads GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY, the pull request's
    /// number from GITHUB_EVENT_PATH (pull_request.number) and GITHUB_API_URL [default:
    /// https://api.github.com], as GitHub Actions sets them. GitLab (--gitlab): a merge request
    /// note, with GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID. Requests
    /// go through curl.
    #[command(
        after_help = "Examples:\n  benchgate run --format markdown > report.md; benchgate comment --github report.md\n  benchgate comment --github report.md --repo owner/name --pr 42\n  benchgate comment --gitlab report.md"
    )]
    Comment(CommentArgs),
    /// Generate seeded synthetic workloads: files, directory trees, ext4 disk images
    ///
    /// The same --seed and parameters give the same bytes, every time and on every machine with
    /// the same e2fsprogs. Everything is written into a temporary directory beside PATH and
    /// renamed into place at the end: a failure leaves nothing behind. A manifest (seed,
    /// parameters, size and SHA-256 of every file, speed in MB/s) is written beside the output
    /// (with --json, printed to standard output too); the speed is said on standard error.
    #[command(
        subcommand,
        after_help = "Examples:\n  benchgate gen file --size 100MiB --compressibility 0.5 -o blob.bin\n  \
                      benchgate gen tree --files 10000 --sizes 'lognormal(median=16KiB, sigma=1.5)' -o tree\n  \
                      benchgate gen image --preset small --distro ubuntu --format qcow2 -o disk.qcow2\n  \
                      benchgate gen image --preset medium --batch 5 --varied --seed 7 -o images"
    )]
    Gen(crate::commands::r#gen::GenCommand),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("forge").required(true).args(["github", "gitlab"])))]
pub struct CommentArgs {
    /// The Markdown report to post on the GitHub pull request (token: GITHUB_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub github: Option<PathBuf>,
    /// The Markdown report to post on the GitLab merge request (token: GITLAB_TOKEN, a project
    /// access token with the api scope; API, project and request from CI_API_V4_URL,
    /// CI_PROJECT_ID and CI_MERGE_REQUEST_IID).
    #[arg(long, value_name = "FILE")]
    pub gitlab: Option<PathBuf>,
    /// The pull (merge) request's number [default: pull_request.number of GITHUB_EVENT_PATH,
    /// or CI_MERGE_REQUEST_IID].
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// The repository, OWNER/NAME, or on GitLab the project, its id or group/name path
    /// [default: GITHUB_REPOSITORY, or CI_PROJECT_ID].
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project's directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Also write a CI workflow that gates pull requests: github or gitlab.
    #[arg(long, value_enum, value_name = "CI")]
    pub ci: Option<CiArg>,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
}

/// `init --ci`: which CI the workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiArg {
    /// GitHub Actions: .github/workflows/benchgate.yml.
    Github,
    /// GitLab CI: .gitlab-ci.yml.
    Gitlab,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The newest stored runs, newest first.
    List {
        /// How many runs to show.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
    },
    /// Delete stored runs (all of them or, on any error, none).
    ///
    /// A run a named baseline points at is kept unless --force, which deletes the baseline too.
    /// A run that can no longer be read is deleted by its id (run:<id> or the bare id).
    Delete(RunsDeleteArgs),
    /// Delete the runs that started before a given age (all of them or, on any error, none).
    Prune(RunsPruneArgs),
}

#[derive(Debug, Args)]
pub struct RunsDeleteArgs {
    /// The runs: run:<id>, a bare run id, or any selector of one run (last, commit:<sha>, a
    /// baseline's name).
    #[arg(value_name = "RUN", required = true)]
    pub runs: Vec<String>,
    /// Also delete the named baselines that point at these runs.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RunsPruneArgs {
    /// Delete runs that started longer ago than AGE (e.g. 30d, 12h, 2w).
    #[arg(long, value_name = "AGE", required = true)]
    pub older_than: Age,
    /// Keep the old runs that named baselines point at (and say which).
    #[arg(long, conflicts_with = "force")]
    pub keep_baselines: bool,
    /// Delete old runs that named baselines point at, with those baselines.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run: a selector (a baseline name, last, run:<id>, commit:<sha>, merge-base[:BRANCH])
    /// [default: last].
    #[arg(value_name = "RUN", conflicts_with = "series")]
    pub run: Option<String>,
    /// Export this benchmark's history series instead of a run.
    #[arg(long, value_name = "BENCH")]
    pub series: Option<String>,
    /// The measure of the series.
    #[arg(
        long,
        value_name = "MEASURE",
        requires = "series",
        default_value = "wall_time"
    )]
    pub measure: String,
    /// Runs of every machine, not only of this one's fingerprint (with --series).
    #[arg(long, requires = "series")]
    pub all_machines: bool,
    /// json: the run as canonical JSON (the only form of a run); csv or jsonl: the series (one
    /// row or line per run) [default: json for a run, csv for a series].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportOutputFormat>,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `benchgate export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportOutputFormat {
    /// Canonical JSON of a run (benchgate/run/v1).
    Json,
    /// CSV with a header row (RFC 4180).
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// benchgate run files (benchgate/run/v1).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Point the baseline NAME at a stored run (the newest by default).
    Save {
        /// The baseline's name, e.g. main.
        #[arg(value_name = "NAME")]
        name: String,
        /// The run: a selector (last, run:<id>, commit:<sha>, merge-base[:BRANCH], another
        /// baseline's name).
        #[arg(value_name = "RUN", default_value = "last")]
        run: String,
    },
    /// Store values a team already knows as the baseline NAME (a declared baseline)
    ///
    /// FILE (.json, .toml, .yaml or .yml) maps benchmark → measure → value: a number in the
    /// measure's canonical unit (ns, bytes, /s, a fraction) or a string with a unit ("500ms",
    /// "10k/s", "64MiB", "0.1%"), or a table { value, spread, warn, fail }. Go-style names
    /// (ns_per_op, allocs_per_op, p99_ms, throughput_rps) are read as benchgate's measures.
    /// `--baseline NAME` then judges against it by thresholds on the value only (the entry's
    /// warn/fail, else the gate's; a change within the spread is none), never by a significance
    /// test it cannot have. Redeclaring NAME replaces it.
    #[command(
        after_help = "Example FILE (TOML):\n  [index]\n  wall_time = { value = \"500ms\", spread = \"5%\" }\n  \
                      [api]\n  throughput = { value = \"10k/s\", warn = \"10%\", fail = \"20%\" }\n\n\
                      See docs/baselines.md."
    )]
    Declare {
        /// The baseline's name, e.g. known.
        #[arg(value_name = "NAME")]
        name: String,
        /// The values: benchmark → measure → value (JSON, TOML or YAML).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Every named baseline.
    List,
    /// Remove a named baseline (the run stays stored).
    Delete {
        /// The baseline's name, as `baseline list` shows it.
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run: a selector (a baseline name, last, run:<id>, commit:<sha>, merge-base[:BRANCH]).
    #[arg(value_name = "RUN", default_value = "last")]
    pub run: String,
    /// Judge the run against this baseline (a name, last, run:<id>, commit:<sha>,
    /// merge-base[:BRANCH], window:N).
    #[arg(long, value_name = "SELECTOR")]
    pub baseline: Option<String>,
    /// Read [gate] and [[budget]] from FILE, for runs of the sources it judges [default:
    /// benchgate.toml, when there is one]; judged as `run`, `ingest` and `exec` judged them.
    #[arg(help_heading = "Judging", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A measure that can fail the gate (repeatable) [default: [gate] measures, else wall_time].
    #[arg(help_heading = "Judging", long, value_name = "MEASURE")]
    pub measure: Vec<String>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Format of the report on standard output.
    #[arg(long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of standard output (replaced whole: never half a file).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where `run --profile` kept profiles: the report links the run's (DIR/RUN-ID/profiles.json).
    #[arg(help_heading = "Output", long, value_name = "DIR", default_value = benchgate_pipeline::profiles::DEFAULT_PROFILE_DIR)]
    pub profile_dir: PathBuf,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

/// Output formats for the report on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned tables for a terminal.
    Terminal,
    /// Markdown, fit for a pull-request comment.
    #[value(alias = "md")]
    Markdown,
    /// Machine-readable JSON (schema-versioned).
    Json,
    /// JUnit XML: one test case per judged (benchmark, measure).
    Junit,
    /// One self-contained HTML page (no script, nothing fetched): tables, distributions, changes,
    /// budgets and memory series drawn as inline SVG.
    Html,
    /// CSV (RFC 4180), one table: the comparison's verdicts, or the run's measures; values in
    /// canonical units, text from outside starting with = + - @ prefixed with '.
    Csv,
}

/// What a command is measured for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    /// Timed runs: wall, user and system time and peak RSS.
    Time,
    /// One run under valgrind's callgrind: the exact instruction count, the same run after run.
    Instructions,
}

/// `run --confirm`: see [`benchgate_config::ConfirmMode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfirmArg {
    Paired,
    Remeasure,
    Off,
}

impl From<ConfirmArg> for benchgate_config::ConfirmMode {
    fn from(arg: ConfirmArg) -> Self {
        match arg {
            ConfirmArg::Paired => benchgate_config::ConfirmMode::Paired,
            ConfirmArg::Remeasure => benchgate_config::ConfirmMode::Remeasure,
            ConfirmArg::Off => benchgate_config::ConfirmMode::Off,
        }
    }
}

/// Provenance mode of the measured numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Measured on the real system.
    Real,
    /// Measured against a stand-in (mock backend, synthetic data); labelled in every report.
    Simulated,
}

/// Projections, as benchstat has them (see docs/compare.md): which benchmarks are judged, and
/// what is compared with what.
#[derive(Debug, Args)]
pub struct ProjectionArgs {
    /// Judge only the benchmarks (and measures) EXPR matches: `key:value`, `key:/regexp/`,
    /// `key:(a OR b)`, `-key:value`, `*`, AND (or a space), OR, parentheses. Keys: .name,
    /// .fullname, .file, .unit (a unit or measure), .measure, /PARAM, or a LABEL.
    #[arg(help_heading = "Projection", long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Split into tables by KEYS [default: .config, Go's configuration lines].
    #[arg(help_heading = "Projection", long, value_name = "KEYS")]
    pub table: Option<String>,
    /// Rows by KEYS [default: .fullname].
    #[arg(help_heading = "Projection", long, value_name = "KEYS")]
    pub row: Option<String>,
    /// Compare columns by KEYS, each against the first (e.g. /size, note, .file@(b a)) [default:
    /// .file]; with --col one run is enough.
    #[arg(help_heading = "Projection", long, value_name = "KEYS")]
    pub col: Option<String>,
    /// Keys to leave out of tables and rows (e.g. cpu, to compare across machines).
    #[arg(help_heading = "Projection", long, value_name = "KEYS")]
    pub ignore: Option<String>,
}

impl ProjectionArgs {
    pub fn flags(&self) -> benchgate_gate::projection::ProjectionFlags<'_> {
        benchgate_gate::projection::ProjectionFlags {
            filter: self.filter.as_deref(),
            table: self.table.as_deref(),
            row: self.row.as_deref(),
            col: self.col.as_deref(),
            ignore: self.ignore.as_deref(),
        }
    }
}

/// Judging flags; unset ones come from benchgate.toml's `[gate]`, then the defaults shown.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Relative regression that makes a warning, on the effect's confidence bound [default: 5%].
    #[arg(help_heading = "Judging", long, value_name = "PERCENT")]
    pub warn: Option<Percent>,
    /// Relative regression that fails the gate [default: 10%].
    #[arg(help_heading = "Judging", long, value_name = "PERCENT")]
    pub fail: Option<Percent>,
    /// Significance level, after Benjamini–Hochberg control across all comparisons
    /// [default: 0.05].
    #[arg(help_heading = "Judging", long, value_name = "P")]
    pub alpha: Option<f64>,
    /// Never flag a time change smaller than this in absolute terms, e.g. 20us [default: 0].
    #[arg(help_heading = "Judging", long, value_name = "DURATION")]
    pub min_delta: Option<Duration>,
}

/// Where the sampling flags are listed under "Sampling": `--measure` first, then these in order;
/// `run`'s `--precision` comes between the limits and `--timeout`, and `ab` lists `--warmup` there.
const SAMPLING_LIMITS_END: usize = 6;

/// The runner's sampling flags, declared once for `run` and `ab` (which rewords them for pairs);
/// unset ones come from benchgate.toml, then the runner's defaults (`benchgate_config::RunnerSettings`).
#[derive(Debug, Args)]
pub struct SamplingArgs {
    /// Warm-up runs per command before measuring, not recorded [default: 3].
    #[arg(
        help_heading = "Sampling",
        long,
        short = 'w',
        value_name = "N",
        display_order = 1
    )]
    pub warmup: Option<u32>,
    /// Exactly N measured runs per command (turns off adaptive sampling).
    #[arg(help_heading = "Sampling", long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with_all = ["min_runs", "max_runs"], display_order = 2)]
    pub runs: Option<u32>,
    /// Adaptive sampling never stops before N runs [default: 10].
    #[arg(help_heading = "Sampling", long, short = 'm', value_name = "N", value_parser = clap::value_parser!(u32).range(1..), display_order = 3)]
    pub min_runs: Option<u32>,
    /// Adaptive sampling never goes beyond N runs.
    #[arg(help_heading = "Sampling", long, short = 'M', value_name = "N", value_parser = clap::value_parser!(u32).range(1..), display_order = 4)]
    pub max_runs: Option<u32>,
    /// Adaptive sampling stops when a command has spent this long, its runs plus prepare and
    /// conclude [default: 20s].
    #[arg(help_heading = "Sampling", long, value_name = "DURATION", value_parser = positive_duration, display_order = 5)]
    pub max_time: Option<Duration>,
    /// Kill a run (and every process it started) after this long; it counts as failed.
    #[arg(help_heading = "Sampling", long, short = 't', value_name = "DURATION", value_parser = positive_duration, display_order = SAMPLING_LIMITS_END + 1)]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Only the configured benchmarks whose names match (a glob with * and ?, or a substring).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// The configuration file.
    #[arg(help_heading = "Suite", long, value_name = "FILE", default_value = benchgate_config::DEFAULT_FILE)]
    pub config: PathBuf,
    /// Judge against this baseline instead of the configured one: a name, last, run:<id>,
    /// commit:<sha>, merge-base[:BRANCH] (the newest run at `git merge-base HEAD BRANCH`, main
    /// by default) or window:N.
    #[arg(help_heading = "Suite", long, value_name = "SELECTOR")]
    pub baseline: Option<String>,
    /// Judge even when the baseline is real and this run simulated (or the reverse).
    #[arg(help_heading = "Suite", long)]
    pub allow_mode_mismatch: bool,
    /// Treat warnings (warn-level regressions, insufficient data, missed targets) as failures.
    #[arg(help_heading = "Suite", long)]
    pub deny_warnings: bool,
    /// Judge benchmarks that look regressed on their first measurement as they are, instead of
    /// measuring them once more and judging the new measurement (--confirm off).
    #[arg(help_heading = "Suite", long, conflicts_with = "confirm")]
    pub no_confirm: bool,
    /// What to do with the benchmarks that look changed against the stored baseline before
    /// judging them: paired (judge them again paired against the baseline's commit, checked out
    /// into a temporary git worktree and built with [build] command; measured again when there is
    /// no commit), remeasure (measure the ones that look regressed once more) or off [default:
    /// [gate] confirm, else remeasure].
    #[arg(help_heading = "Suite", long, value_enum, value_name = "HOW")]
    pub confirm: Option<ConfirmArg>,
    /// What to measure (repeatable): time (timed runs) or instructions (one run under
    /// valgrind --tool=callgrind; its --timeout is 50 times --timeout) [default: time].
    #[arg(
        help_heading = "Sampling",
        long,
        value_enum,
        value_name = "WHAT",
        display_order = 0
    )]
    pub measure: Vec<MeasureArg>,
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Adaptive sampling stops once the 95% interval of the median is within ± this of the median
    /// [default: 1%].
    #[arg(help_heading = "Sampling", long, value_name = "PERCENT", conflicts_with = "runs", display_order = SAMPLING_LIMITS_END)]
    pub precision: Option<Percent>,
    /// Run before every run of a command, untimed. Once for all commands, or once per command.
    #[arg(help_heading = "Commands", long, short = 'p', value_name = "CMD")]
    pub prepare: Vec<String>,
    /// Run after every run of a command, untimed. Once for all commands, or once per command.
    #[arg(help_heading = "Commands", long, short = 'C', value_name = "CMD")]
    pub conclude: Vec<String>,
    /// Run once before a command's first run. Once for all commands, or once per command.
    #[arg(help_heading = "Commands", long, short = 's', value_name = "CMD")]
    pub setup: Vec<String>,
    /// Run once after a command's last run. Once for all commands, or once per command.
    #[arg(help_heading = "Commands", long, short = 'c', value_name = "CMD")]
    pub cleanup: Vec<String>,
    /// Benchmark for each integer NAME from MIN to MAX, substituted for `{NAME}` in the commands.
    #[arg(help_heading = "Commands", long, short = 'P', num_args = 3, value_names = ["NAME", "MIN", "MAX"])]
    pub parameter_scan: Vec<String>,
    /// Step of --parameter-scan (decimals allowed).
    #[arg(
        help_heading = "Commands",
        long,
        short = 'D',
        value_name = "STEP",
        requires = "parameter_scan"
    )]
    pub parameter_step_size: Option<String>,
    /// Benchmark for each of the comma-separated VALUES, substituted for `{NAME}`. Repeatable: the
    /// commands run for every combination.
    #[arg(help_heading = "Commands", long, short = 'L', num_args = 2, value_names = ["NAME", "VALUES"])]
    pub parameter_list: Vec<String>,
    /// Run the commands through a shell (`sh` unless named, e.g. --shell=bash).
    #[arg(help_heading = "Commands", long, short = 'S', value_name = "SHELL", num_args = 0..=1, default_missing_value = "sh", require_equals = true)]
    pub shell: Option<String>,
    /// Feed this file to every run's standard input (default: /dev/null).
    #[arg(help_heading = "Commands", long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Keep measuring commands that fail (non-zero exit, signal, timeout) and count those runs.
    #[arg(help_heading = "Commands", long, short = 'i')]
    pub ignore_failure: bool,
    /// Let the commands print to the terminal instead of discarding their output.
    #[arg(help_heading = "Commands", long)]
    pub show_output: bool,
    /// Name of a command in reports, in the order of the commands.
    #[arg(help_heading = "Commands", long, short = 'n', value_name = "NAME")]
    pub name: Vec<String>,
    /// Label the run real or simulated.
    #[arg(help_heading = "Commands", long, value_enum, default_value_t = ModeArg::Real)]
    pub mode: ModeArg,
    /// Write the run as canonical JSON (benchgate/run/v1) to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the run as a Markdown table to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    /// Once the run is stored and reported, send it to the team server at URL
    /// (http[s]://HOST[:PORT][/PREFIX], `benchgate serve`; https through curl) with the write
    /// token in BENCHGATE_TOKEN; a failed upload is exit 2.
    #[arg(help_heading = "Output", long, value_name = "URL")]
    pub upload: Option<String>,
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// The commands, each after a `--`.
    #[arg(last = true, value_name = "CMD", num_args = 1.., allow_hyphen_values = true)]
    pub commands: Vec<String>,
}

/// `benchgate load`: the requests, the load and how the run is judged.
#[derive(Debug, Args)]
pub struct HttpLoadArgs {
    /// The URLs to send requests to (http://), round-robin.
    #[arg(value_name = "URL", required_unless_present = "urls_file")]
    pub urls: Vec<String>,
    /// Read the URLs from FILE: one `[METHOD] URL [@BODY_FILE]` per line, `#` comments.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "FILE",
        conflicts_with = "urls"
    )]
    pub urls_file: Option<PathBuf>,
    /// The request method.
    #[arg(
        help_heading = "Requests",
        long,
        short = 'X',
        value_name = "METHOD",
        default_value = "GET"
    )]
    pub method: String,
    /// A request header, `NAME: VALUE`; repeat for more.
    #[arg(help_heading = "Requests", long, short = 'H', value_name = "HEADER")]
    pub header: Vec<String>,
    /// The request body.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "TEXT",
        conflicts_with = "body_file"
    )]
    pub body: Option<String>,
    /// The request body, read from FILE (at most 16 MiB).
    #[arg(help_heading = "Requests", long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Client threads driving the connections, at most 64 [default: 1].
    #[arg(help_heading = "Requests", long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=benchgate_config::MAX_HTTP_THREADS as i64))]
    pub threads: Option<u16>,
    /// Speak HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1.
    #[arg(help_heading = "Requests", long)]
    pub http2: bool,
    /// A request not answered in full within this long counts as a timeout [default: 30s].
    #[arg(help_heading = "Requests", long, short = 't', value_name = "DURATION", value_parser = positive_duration)]
    pub timeout: Option<Duration>,
    /// Connections, each with one request in flight (closed model); a list such as 1,10,50 runs
    /// one level after the other, as --sweep [default: 10 without --rate].
    #[arg(help_heading = "Load", long, value_name = "N", conflicts_with_all = ["rate", "sweep"])]
    pub concurrency: Option<String>,
    /// Several closed-model levels, one after the other: 1,10,50,100,200.
    #[arg(
        help_heading = "Load",
        long,
        value_name = "LEVELS",
        conflicts_with = "rate"
    )]
    pub sweep: Option<String>,
    /// Send requests on a schedule (open model): 2000/s. Latency counts from each intended send.
    #[arg(help_heading = "Load", long, value_name = "RATE")]
    pub rate: Option<String>,
    /// How sends are spread at --rate: constant or poisson [default: constant].
    #[arg(help_heading = "Load", long, value_name = "HOW", requires = "rate")]
    pub arrivals: Option<String>,
    /// Seed of --arrivals poisson.
    #[arg(help_heading = "Load", long, value_name = "N", requires = "rate")]
    pub seed: Option<u64>,
    /// Raise the rate linearly from 0 over this long.
    #[arg(
        help_heading = "Load",
        long,
        value_name = "DURATION",
        requires = "rate"
    )]
    pub ramp: Option<String>,
    /// Send this many extra requests at once every --burst-every, on top of --rate.
    #[arg(help_heading = "Load", long, value_name = "N", requires = "rate")]
    pub burst: Option<String>,
    /// How often a --burst comes [default: 1s].
    #[arg(
        help_heading = "Load",
        long,
        value_name = "DURATION",
        requires = "burst"
    )]
    pub burst_every: Option<String>,
    /// Connections at --rate, and the most requests waiting for one; later sends are dropped
    /// and counted [default: 1000].
    #[arg(help_heading = "Load", long, value_name = "N", requires = "rate")]
    pub max_in_flight: Option<String>,
    /// How long each level runs [default: 10s unless --requests].
    #[arg(help_heading = "Load", long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Requests each level sends at most.
    #[arg(help_heading = "Load", long, value_name = "N")]
    pub requests: Option<String>,
    /// Sample the memory of this process (the server) while the load runs: RSS over time,
    /// its growth per second and per request, and a leak verdict.
    #[arg(help_heading = "Load", long, value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub watch_pid: Option<u32>,
    /// How often --watch-pid is sampled [default: 50ms].
    #[arg(
        help_heading = "Load",
        long,
        value_name = "DURATION",
        requires = "watch_pid"
    )]
    pub memory_every: Option<String>,
    /// The benchmark's name (levels add /concurrency=N) [default: the URL without http://].
    #[arg(help_heading = "Suite", long, short = 'n', value_name = "NAME")]
    pub name: Option<String>,
    /// Label the run simulated even if the server does not say it is a simulator.
    #[arg(help_heading = "Suite", long, value_enum, default_value_t = ModeArg::Real)]
    pub mode: ModeArg,
    /// Judge with the [gate] settings and [[budget]]s of this file (its benches are not run).
    #[arg(help_heading = "Suite", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge against this baseline instead of the configured one: a name, last, run:<id>,
    /// commit:<sha>, merge-base[:BRANCH] or window:N.
    #[arg(help_heading = "Suite", long, value_name = "SELECTOR")]
    pub baseline: Option<String>,
    /// Judge even when the baseline is real and this run simulated (or the reverse).
    #[arg(help_heading = "Suite", long)]
    pub allow_mode_mismatch: bool,
    /// Treat warnings (warn-level regressions, insufficient data, missed targets) as failures.
    #[arg(help_heading = "Suite", long)]
    pub deny_warnings: bool,
    /// Write the run as canonical JSON (benchgate/run/v1) to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the run as a Markdown table to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Load for the commands after `--` (a configured bench sets the same in benchgate.toml).
#[derive(Debug, Clone, Default, Args)]
pub struct LoadArgs {
    /// Run each command N at a time, each instance starting the next when it ends (closed
    /// model), once per comma-separated level: 1,10,50.
    #[arg(
        help_heading = "Load",
        long,
        value_name = "LEVELS",
        conflicts_with = "rate"
    )]
    pub concurrency: Option<String>,
    /// Start the commands on a schedule (open model): 200/s, 30/min. Latency counts from each
    /// intended start.
    #[arg(help_heading = "Load", long, value_name = "RATE")]
    pub rate: Option<String>,
    /// How starts are spread at --rate: constant or poisson [default: constant].
    #[arg(help_heading = "Load", long, value_name = "HOW", requires = "rate")]
    pub arrivals: Option<String>,
    /// Seed of --arrivals poisson.
    #[arg(help_heading = "Load", long, value_name = "N", requires = "rate")]
    pub seed: Option<u64>,
    /// Raise the rate linearly from 0 over this long.
    #[arg(
        help_heading = "Load",
        long,
        value_name = "DURATION",
        requires = "rate"
    )]
    pub ramp: Option<String>,
    /// Most operations running at once at --rate; later starts wait, and are dropped when as
    /// many wait [default: 1000].
    #[arg(help_heading = "Load", long, value_name = "N", requires = "rate")]
    pub max_in_flight: Option<String>,
    /// How long each level runs [default: 10s unless --operations].
    #[arg(help_heading = "Load", long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Operations each level runs at most.
    #[arg(help_heading = "Load", long, value_name = "N")]
    pub operations: Option<String>,
    /// Sample the memory of the process tree this often while the commands run: 50ms.
    #[arg(help_heading = "Load", long, value_name = "DURATION")]
    pub memory_every: Option<String>,
    /// Sample the memory of this running process (a server the commands drive) instead.
    #[arg(help_heading = "Load", long, value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub watch_pid: Option<u32>,
}

impl LoadArgs {
    /// Whether any load flag was given.
    pub fn any(&self) -> bool {
        self.concurrency.is_some()
            || self.rate.is_some()
            || self.duration.is_some()
            || self.operations.is_some()
            || self.memory_every.is_some()
            || self.watch_pid.is_some()
    }
}

/// Which adapter reads an input: one format, or recognition by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    Auto,
    Format(benchgate_adapters::Format),
}

fn parse_adapter(text: &str) -> Result<Adapter, String> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(Adapter::Auto);
    }
    benchgate_adapters::Format::from_name(text)
        .map(Adapter::Format)
        .ok_or_else(|| {
            let names: Vec<&str> = benchgate_adapters::Format::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            format!(
                "unknown adapter {text:?}; expected auto, {}",
                names.join(", ")
            )
        })
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The benchmark's name, as in the runs.
    #[arg(value_name = "BENCH")]
    pub bench: String,
    /// The measure.
    #[arg(long, value_name = "MEASURE", default_value = "wall_time")]
    pub measure: String,
    /// At most the newest N runs.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    /// Runs of every machine, not only of this one's fingerprint.
    #[arg(long)]
    pub all_machines: bool,
    /// The fewest runs a level must last to count as one.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_segment: u32,
    /// Store the noise floor seen since the last shift (the largest change between consecutive
    /// runs at the current level, from ≥ 5 runs) for this machine, as `doctor` does from A/A runs.
    #[arg(long)]
    pub save_noise_floor: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Calibrate the configured benchmarks whose names match (a glob with * and ?, or a
    /// substring).
    #[arg(value_name = "BENCH")]
    pub bench: Option<String>,
    /// The configuration file.
    #[arg(long, value_name = "FILE", default_value = benchgate_config::DEFAULT_FILE)]
    pub config: PathBuf,
    /// A/A rounds per benchmark: each measures the command twice, separately.
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(4..))]
    pub rounds: u32,
    /// Report the floors without storing them.
    #[arg(long)]
    pub no_save: bool,
}

/// `ab` samples pairs: the shared sampling flags reworded for them, at least 6 pairs (the fewest
/// a signed-rank interval can exclude no change with), the warm-up listed after the limits.
#[derive(Debug, Args)]
#[command(
    mut_arg("runs", |a| a
        .help("Exactly N pairs, judged once (no adaptive stopping)")
        .value_parser(clap::value_parser!(u32).range(6..))),
    mut_arg("min_runs", |a| a
        .help("Adaptive: the first look at the pairs after N of them [default: 10]")
        .value_parser(clap::value_parser!(u32).range(6..))),
    mut_arg("max_runs", |a| a
        .help("Adaptive: never more than N pairs")
        .value_parser(clap::value_parser!(u32).range(6..))),
    mut_arg("max_time", |a| a.help(
        "Adaptive: stop undecided (inconclusive) once a benchmark's pairs have taken this long \
         [default: 60s]"
    )),
    mut_arg("warmup", |a| a
        .help("Warm-up runs of each build before measuring [default: 3]")
        .display_order(SAMPLING_LIMITS_END))
)]
pub struct AbArgs {
    /// The baseline build's command line.
    #[arg(help_heading = "Builds", long, value_name = "CMD", requires = "head", conflicts_with_all = ["base_dir", "head_dir"])]
    pub base: Option<String>,
    /// The changed build's command line.
    #[arg(help_heading = "Builds", long, value_name = "CMD", requires = "base")]
    pub head: Option<String>,
    /// Run the configured benchmarks (benchgate.toml) in this directory as the baseline: a
    /// checkout or a build of the baseline.
    #[arg(
        help_heading = "Builds",
        long,
        value_name = "DIR",
        requires = "head_dir"
    )]
    pub base_dir: Option<PathBuf>,
    /// Run the configured benchmarks in this directory as the change.
    #[arg(
        help_heading = "Builds",
        long,
        value_name = "DIR",
        requires = "base_dir"
    )]
    pub head_dir: Option<PathBuf>,
    /// With --base-dir/--head-dir: the configured benchmarks whose names match (a glob or a
    /// substring).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// The configuration file (with --base-dir/--head-dir).
    #[arg(help_heading = "Builds", long, value_name = "FILE", default_value = benchgate_config::DEFAULT_FILE)]
    pub config: PathBuf,
    /// The benchmark's name in reports (with --base/--head) [default: the head command].
    #[arg(help_heading = "Builds", long, short = 'n', value_name = "NAME")]
    pub name: Option<String>,
    /// What to measure: time (paired timed runs) or instructions (one run of each under
    /// valgrind's callgrind, compared exactly) [default: time].
    #[arg(
        help_heading = "Sampling",
        long,
        value_enum,
        value_name = "WHAT",
        display_order = 0
    )]
    pub measure: Option<MeasureArg>,
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Run before every run, untimed.
    #[arg(help_heading = "Commands", long, short = 'p', value_name = "CMD")]
    pub prepare: Option<String>,
    /// Run the commands through a shell (`sh` unless named, e.g. --shell=bash).
    #[arg(help_heading = "Commands", long, short = 'S', value_name = "SHELL", num_args = 0..=1, default_missing_value = "sh", require_equals = true)]
    pub shell: Option<String>,
    /// Feed this file to every run's standard input (default: /dev/null).
    #[arg(help_heading = "Commands", long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Let the commands print to the terminal instead of discarding their output.
    #[arg(help_heading = "Commands", long)]
    pub show_output: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Treat warnings (warn-level regressions, insufficient data) as failures: exit 1.
    #[arg(help_heading = "Judging", long)]
    pub deny_warnings: bool,
    /// Label the numbers real or simulated.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = ModeArg::Real)]
    pub mode: ModeArg,
    /// Format of the report on standard output.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    /// Also write the verdicts as JSON (benchgate/comparison/v1) to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Also write the Markdown report to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// Profiles on demand (`run`, `ab`).
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Once judged, run each benchmark that regressed (or broke a budget) once more under a
    /// profiler and link the profile from every report: perf (perf.data), callgrind
    /// (callgrind.out) or flamegraph (an SVG drawn from perf's stacks). A profiler missing or
    /// refused on this machine is said in the report, not failed over.
    #[arg(help_heading = "Profiles", long, value_name = "PROFILER", value_parser = ["perf", "callgrind", "flamegraph"])]
    pub profile: Option<String>,
    /// Profile every benchmark, not only those that regressed.
    #[arg(help_heading = "Profiles", long, requires = "profile")]
    pub profile_all: bool,
    /// Keep profiles in DIR/RUN-ID/ (with a manifest, profiles.json, that `report` reads).
    #[arg(help_heading = "Profiles", long, value_name = "DIR", requires = "profile", default_value = benchgate_pipeline::profiles::DEFAULT_PROFILE_DIR)]
    pub profile_dir: PathBuf,
}

impl ProfileArgs {
    /// The request of `--profile`, if given.
    pub fn request(
        &self,
    ) -> Result<
        Option<benchgate_pipeline::profiles::ProfileRequest>,
        benchgate_pipeline::PipelineError,
    > {
        self.profile
            .as_deref()
            .map(|profiler| {
                benchgate_pipeline::profiles::ProfileRequest::new(
                    profiler,
                    self.profile_all,
                    Some(&self.profile_dir),
                )
            })
            .transpose()
    }
}

/// Storing and judging flags of `ingest` and `exec`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Read [gate] and [[budget]] from FILE, for runs of the sources it judges ([gate] sources;
    /// by default a file with [[bench]]es judges only its own suite) [default: benchgate.toml,
    /// when there is one].
    #[arg(help_heading = "Judging", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge against this baseline instead of the configured one: a name, last, run:<id>,
    /// commit:<sha>, merge-base[:BRANCH] (the newest run at `git merge-base HEAD BRANCH`, main
    /// by default) or window:N (`last` and `window:N` look at runs of the same format only).
    #[arg(help_heading = "Judging", long, value_name = "SELECTOR")]
    pub baseline: Option<String>,
    /// Judge even when the baseline is real and this run simulated (or the reverse).
    #[arg(help_heading = "Judging", long)]
    pub allow_mode_mismatch: bool,
    /// Treat warnings (warn-level regressions, insufficient data, missed targets) as failures.
    #[arg(help_heading = "Judging", long)]
    pub deny_warnings: bool,
    /// A measure that can fail the gate (repeatable) [default: [gate] measures, else wall_time].
    #[arg(help_heading = "Judging", long, value_name = "MEASURE")]
    pub measure: Vec<String>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Label the run real or simulated (a benchgate file that says simulated stays simulated).
    #[arg(help_heading = "Input", long, value_enum, default_value_t = ModeArg::Real)]
    pub mode: ModeArg,
    /// Write the run as canonical JSON (benchgate/run/v1) to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the Markdown report to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    /// Once the run is stored and reported, send it to the team server at URL
    /// (http[s]://HOST[:PORT][/PREFIX], `benchgate serve`; https through curl) with the write
    /// token in BENCHGATE_TOKEN; a failed upload is exit 2.
    #[arg(help_heading = "Output", long, value_name = "URL")]
    pub upload: Option<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Result files, criterion directories, or DIR@NAME for a criterion baseline.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// The format of the inputs: auto (recognised by content), go, go-json, criterion, hyperfine,
    /// google-benchmark, pytest-benchmark, libtest or benchgate.
    #[arg(help_heading = "Input", long, value_name = "NAME", default_value = "auto", value_parser = parse_adapter)]
    pub adapter: Adapter,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The format of the harness's results: auto (recognised by content), go, go-json,
    /// criterion, hyperfine, google-benchmark, pytest-benchmark, libtest or benchgate.
    #[arg(help_heading = "Input", long, value_name = "NAME", default_value = "auto", value_parser = parse_adapter)]
    pub adapter: Adapter,
    /// Where criterion writes its results [default: $CARGO_TARGET_DIR/criterion, else
    /// target/criterion].
    #[arg(help_heading = "Input", long, value_name = "DIR")]
    pub criterion_dir: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
    /// The harness and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD", num_args = 1.., allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline run: a results file (any format ingest reads) or a stored run's selector.
    #[arg(value_name = "BASELINE")]
    pub baseline: String,
    /// The current run: a results file (any format ingest reads) or a stored run's selector
    /// (optional with --col, which compares inside one run).
    #[arg(value_name = "CURRENT")]
    pub current: Option<String>,
    /// The format of files given: auto (recognised by content), go, go-json, criterion,
    /// hyperfine, google-benchmark, pytest-benchmark, libtest or benchgate.
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = parse_adapter)]
    pub adapter: Adapter,
    /// Read [gate] and [[budget]] from FILE, for runs of the sources it judges [default:
    /// benchgate.toml, when there is one], so `compare` judges as `run` and `ingest` do.
    #[arg(help_heading = "Judging", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// A measure that can fail the gate (repeatable) [default: [gate] measures, else wall_time].
    /// Exact measures always can.
    #[arg(help_heading = "Judging", long, value_name = "MEASURE")]
    pub measure: Vec<String>,
    /// Treat warnings (warn-level regressions, insufficient data) as failures: exit 1.
    #[arg(help_heading = "Judging", long)]
    pub deny_warnings: bool,
    /// Format of the report on standard output.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = OutputFormat::Terminal)]
    pub format: OutputFormat,
    /// Also write the verdicts as JSON (benchgate/comparison/v1) to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Also write the Markdown report to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}
