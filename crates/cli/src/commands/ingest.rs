//! `benchgate ingest FILE…`: read what other harnesses wrote (benchgate-adapters), make one run of
//! it, store it and gate it the way `run` gates the configured suite. The reading and the run
//! building here are shared with `exec` and with `compare` on foreign files.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use benchgate_adapters::{Format, Parsed, criterion, merge};
use benchgate_config::Config;
use benchgate_model::{Environment, Mode, Outcome, Run, Source};
use benchgate_store::Scope;
use time::OffsetDateTime;

use benchgate_pipeline::baseline::{BaselineChoice, Judged, find_baseline, pooled_baseline};
use benchgate_pipeline::judge::{Findings, store_and_judge};
use benchgate_pipeline::judging::{judging_for, load_config};

use super::gate::{Rendering, render_judgement};
use super::measuring::mode_of;
use super::stored::{check_store_writable, open_if_exists, open_or_create};
use super::{from_pipeline, parse_measures};
use crate::cli::{Adapter, GateArgs, GlobalArgs, IngestArgs};
use crate::exports::Exports;

pub fn execute(args: &IngestArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let setup = GateSetup::load(&args.gate)?;
    // Every input is read and checked before anything is stored.
    let inputs = args
        .files
        .iter()
        .map(|f| read_input(f, args.adapter))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (format, parsed) = combine(inputs)?;
    let now = OffsetDateTime::now_utc();
    let run = build_run(
        format,
        parsed,
        mode_of(args.gate.mode),
        (now, now),
        Git::FromDirectory,
    )?;
    setup.finish(&run, &args.gate, Vec::new(), global)
}

/// One input read by its adapter.
pub struct Input {
    /// How it is named in messages (the path, with `@NAME` for a criterion baseline).
    pub label: String,
    pub format: Format,
    pub parsed: Parsed,
}

/// Reads one command-line input: a file (format by `adapter` or by content), a criterion
/// directory, or `DIR@NAME` for the criterion baseline NAME. Errors name the file and say what
/// was expected.
pub fn read_input(text: &str, adapter: Adapter) -> anyhow::Result<Input> {
    let path = Path::new(text);
    if path.is_dir() {
        return read_criterion(path, "new", text, adapter);
    }
    if !path.exists()
        && let Some((dir, baseline)) = text.rsplit_once('@')
        && Path::new(dir).is_dir()
    {
        return read_criterion(Path::new(dir), baseline, text, adapter);
    }
    let bytes = crate::limits::read_file(path, text)?;
    let format = match adapter {
        Adapter::Format(Format::Criterion) => bail!(
            "{text}: criterion results are a directory (target/criterion or DIR@NAME), not a file"
        ),
        Adapter::Format(format) => format,
        Adapter::Auto => detect_format(text, &bytes)?,
    };
    let parsed =
        benchgate_adapters::parse(format, &bytes).map_err(|e| anyhow::anyhow!("{text}: {e}"))?;
    Ok(Input {
        label: text.to_string(),
        format,
        parsed,
    })
}

/// The format of `bytes` (from `name`), or an error saying what benchgate reads.
pub fn detect_format(name: &str, bytes: &[u8]) -> anyhow::Result<Format> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "{name}: the file is empty; expected benchmark results (see `benchgate ingest --help`)"
        );
    }
    benchgate_adapters::detect(bytes).ok_or_else(|| {
        anyhow::anyhow!(
            "{name}: cannot tell which harness wrote this; benchgate reads go test -bench text or \
             -json, hyperfine, Google Benchmark, pytest-benchmark and benchgate JSON, libtest bench \
             lines and criterion directories (name the format with --adapter)"
        )
    })
}

fn read_criterion(
    dir: &Path,
    baseline: &str,
    label: &str,
    adapter: Adapter,
) -> anyhow::Result<Input> {
    if let Adapter::Format(other) = adapter
        && other != Format::Criterion
    {
        bail!("{label}: is a directory, but {other} results are a file");
    }
    if !criterion::looks_like(dir) {
        bail!(
            "{}: no criterion results in this directory (expected {})",
            dir.display(),
            Format::Criterion.expected()
        );
    }
    let tree =
        criterion::read_tree(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let parsed =
        criterion::parse(&tree, baseline).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    Ok(Input {
        label: label.to_string(),
        format: Format::Criterion,
        parsed,
    })
}

/// Pools the inputs of one run; they must all be of one format.
pub fn combine(inputs: Vec<Input>) -> anyhow::Result<(Format, Parsed)> {
    let Some(first) = inputs.first() else {
        bail!("no input to read");
    };
    let (format, first_label) = (first.format, first.label.clone());
    if let Some(other) = inputs.iter().find(|i| i.format != format) {
        bail!(
            "{}: is {} output but {first_label} is {format}: one run holds results of one harness \
             (ingest them separately)",
            other.label,
            other.format
        );
    }
    let parsed = merge(inputs.into_iter().map(|i| (i.label, i.parsed)).collect())?;
    if parsed.benchmarks.is_empty() {
        bail!("{first_label}: no benchmark results in it");
    }
    Ok((format, parsed))
}

/// Whether a run made of files takes the git state of the current directory (where the inputs
/// do not name a commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Git {
    /// `ingest` and `exec`: the results were just produced from this checkout.
    FromDirectory,
    /// `compare` of files: they may come from anywhere; claim no commit.
    None,
}

/// The run made of what the inputs held: their benchmarks, with the machine and git state they
/// report overriding what this machine and this directory say. `window` is when the results
/// were produced, used where the inputs do not say.
pub fn build_run(
    format: Format,
    parsed: Parsed,
    mode: Mode,
    window: (OffsetDateTime, OffsetDateTime),
    git: Git,
) -> anyhow::Result<Run> {
    let context = parsed.context;
    let mut environment = benchgate_provenance::detect_environment();
    overlay_environment(&mut environment, &context);
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mode = match (mode, context.mode) {
        (Mode::Simulated, _) | (_, Some(Mode::Simulated)) => Mode::Simulated,
        _ => Mode::Real,
    };
    let mut provenance = match git {
        Git::FromDirectory => benchgate_provenance::git_provenance(&cwd, mode),
        Git::None => benchgate_model::Provenance {
            mode,
            ..Default::default()
        },
    };
    if let Some(commit) = context.commit {
        // The input names the commit it measured; this directory's branch and state say nothing
        // about that commit.
        provenance.commit = Some(commit);
        provenance.branch = context.branch;
        provenance.dirty = context.dirty;
        provenance.merge_base = context.merge_base;
    }
    provenance.tags.extend(context.tags);
    let source = context
        .source
        .unwrap_or_else(|| Source::Ingest(format.name().to_string()));
    // A source may give only one end of its run (pytest-benchmark writes when it finished).
    let (started_at, ended_at) = match (context.started_at, context.ended_at) {
        (Some(start), Some(end)) => (start, end.max(start)),
        (Some(start), None) => (start, start),
        (None, Some(end)) => (end, end),
        (None, None) => window,
    };
    let mut run = Run::new(source, started_at, provenance, environment);
    run.ended_at = ended_at;
    run.benchmarks = parsed.benchmarks;
    run.validate()
        .context("the results do not form a valid run")?;
    Ok(run)
}

fn overlay_environment(env: &mut Environment, c: &benchgate_adapters::Context) {
    macro_rules! take {
        ($($field:ident),*) => { $( if let Some(v) = &c.$field { env.$field = v.clone(); } )* };
    }
    take!(
        hostname,
        os,
        kernel,
        arch,
        cpu_model,
        logical_cores,
        memory_bytes
    );
    env.fingerprint = env.compute_fingerprint();
}

/// The judging settings of `ingest` and `exec`: benchgate.toml's `[gate]` and budgets when they
/// judge the run's source (see [`judging_for`]), with the flags on top.
pub struct GateSetup {
    config: Config,
    config_path: Option<PathBuf>,
}

impl GateSetup {
    /// Reads the configuration and checks the flags and export paths, before anything runs.
    pub fn load(args: &GateArgs) -> anyhow::Result<GateSetup> {
        let (config, config_path) = load_config(args.config.as_deref())?;
        // The flags are checked now; which settings apply waits for the run's source.
        judging_for(
            &config,
            config_path.as_deref(),
            &Source::Command,
            &args.judge.flags(args.deny_warnings),
            &parse_measures(&args.measure)?,
        )?;
        exports(args).check()?;
        Ok(GateSetup {
            config,
            config_path,
        })
    }

    /// Finds the baseline (refusing a mode mismatch or an unknown explicit name before anything
    /// is written), stores `run`, judges and reports it. `command_failures`: the harness that
    /// produced it failed (the outcome is then `command_failed`).
    pub fn finish(
        self,
        run: &Run,
        args: &GateArgs,
        command_failures: Vec<String>,
        global: &GlobalArgs,
    ) -> anyhow::Result<Outcome> {
        let judging = judging_for(
            &self.config,
            self.config_path.as_deref(),
            &run.source,
            &args.judge.flags(args.deny_warnings),
            &parse_measures(&args.measure)?,
        )?;
        let choice = BaselineChoice::new(
            args.baseline.as_deref(),
            self.config.gate.baseline.as_deref(),
            self.config_path.as_deref(),
        );
        check_store_writable(global)?;
        let existing = open_if_exists(global)?;
        let mut notes: Vec<String> = judging.note.into_iter().collect();
        let benchmarks = Scope::benchmarks_of(run);
        let judged = Judged {
            source: &run.source,
            fingerprint: &run.environment.fingerprint,
            benchmarks: &benchmarks,
            filtered: false,
        };
        let baseline = find_baseline(
            existing.as_deref(),
            &choice,
            &judged,
            args.allow_mode_mismatch,
            &mut notes,
        )
        .map_err(from_pipeline)?;
        let store = open_or_create(existing, global)?;
        let judgement = store_and_judge(
            store.as_ref(),
            run,
            pooled_baseline(baseline, run, false),
            &judging.options,
            &judging.budgets,
            Findings {
                notes,
                command_failures,
                ..Findings::default()
            },
        )?;
        let rendering = Rendering {
            format: args.format,
            exports: &exports(args),
        };
        render_judgement(run, &judgement, &rendering, global)
    }
}

/// The export files of `ingest` and `exec`.
fn exports(args: &GateArgs) -> Exports {
    Exports::new(args.export_json.as_deref(), args.export_markdown.as_deref())
}
