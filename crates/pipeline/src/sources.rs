//! Results other harnesses wrote, read into a run: a file (format named or recognised by its
//! content), a criterion directory or `DIR@NAME`, several of one format pooled, and the run made
//! of them with the machine and git state they report. Shared by `ingest`, `exec` and `compare`
//! of files.

use std::path::Path;

use benchgate_adapters::{Format, Parsed, criterion, merge};
use benchgate_model::{Environment, Mode, Provenance, Run, Source};
use time::OffsetDateTime;

use crate::error::{InputError, PipelineError};
use crate::input_limit::{ReadError, read_file};

/// One input read by its adapter.
#[derive(Debug)]
pub struct Input {
    /// How it is named in messages (the path, with `@NAME` for a criterion baseline).
    pub label: String,
    pub format: Format,
    pub parsed: Parsed,
}

/// Reads one input named on a command line: a file (its format `format`, or recognised by its
/// content when `None`), a criterion directory, or `DIR@NAME` for the criterion baseline NAME.
/// Errors name the file and say what was expected.
pub fn read_input(text: &str, format: Option<Format>) -> Result<Input, PipelineError> {
    let path = Path::new(text);
    if path.is_dir() {
        return read_criterion(path, "new", text, format);
    }
    if !path.exists()
        && let Some((dir, baseline)) = text.rsplit_once('@')
        && Path::new(dir).is_dir()
    {
        return read_criterion(Path::new(dir), baseline, text, format);
    }
    let bytes = read_file(path, text)?;
    let format = match format {
        Some(Format::Criterion) => {
            return Err(InputError::CriterionIsADirectory {
                label: text.to_string(),
            }
            .into());
        }
        Some(format) => format,
        None => detect_format(text, &bytes)?,
    };
    let parsed = parse(format, &bytes, text)?;
    Ok(Input {
        label: text.to_string(),
        format,
        parsed,
    })
}

/// `bytes` (the input `label`) read as `format`.
pub fn parse(format: Format, bytes: &[u8], label: &str) -> Result<Parsed, InputError> {
    benchgate_adapters::parse(format, bytes).map_err(|error| InputError::Unparsable {
        label: label.to_string(),
        error: Box::new(error),
    })
}

/// The format of `bytes` (from `name`), or an error saying what benchgate reads.
pub fn detect_format(name: &str, bytes: &[u8]) -> Result<Format, InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty {
            label: name.to_string(),
        });
    }
    benchgate_adapters::detect(bytes).ok_or_else(|| InputError::UnknownFormat {
        label: name.to_string(),
    })
}

fn read_criterion(
    dir: &Path,
    baseline: &str,
    label: &str,
    format: Option<Format>,
) -> Result<Input, PipelineError> {
    if let Some(other) = format
        && other != Format::Criterion
    {
        return Err(InputError::DirectoryNotFile {
            label: label.to_string(),
            format: other,
        }
        .into());
    }
    if !criterion::looks_like(dir) {
        return Err(InputError::NoCriterionResults {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    let tree = criterion::read_tree(dir).map_err(|source| ReadError::Unreadable {
        label: dir.display().to_string(),
        source,
    })?;
    let parsed = criterion::parse(&tree, baseline).map_err(|error| InputError::Unparsable {
        label: dir.display().to_string(),
        error: Box::new(error),
    })?;
    Ok(Input {
        label: label.to_string(),
        format: Format::Criterion,
        parsed,
    })
}

/// Pools the inputs of one run; they must all be of one format.
pub fn combine(inputs: Vec<Input>) -> Result<(Format, Parsed), InputError> {
    let Some(first) = inputs.first() else {
        return Err(InputError::NoInput);
    };
    let (format, first_label) = (first.format, first.label.clone());
    if let Some(other) = inputs.iter().find(|i| i.format != format) {
        return Err(InputError::MixedFormats {
            label: other.label.clone(),
            format: other.format,
            first_label,
            first_format: format,
        });
    }
    let parsed = merge(inputs.into_iter().map(|i| (i.label, i.parsed)).collect())?;
    if parsed.benchmarks.is_empty() {
        return Err(InputError::NoBenchmarks { label: first_label });
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
) -> Result<Run, PipelineError> {
    let mut environment = benchgate_provenance::detect_environment();
    overlay_environment(&mut environment, &parsed.context);
    let cwd = std::env::current_dir().map_err(PipelineError::CurrentDirectory)?;
    let mode = run_mode(mode, &parsed.context);
    let provenance = match git {
        Git::FromDirectory => benchgate_provenance::git_provenance(&cwd, mode),
        Git::None => Provenance {
            mode,
            ..Default::default()
        },
    };
    Ok(assemble_run(
        format,
        parsed,
        provenance,
        environment,
        window,
    )?)
}

/// Simulated when either the command line or the input says so.
fn run_mode(mode: Mode, context: &benchgate_adapters::Context) -> Mode {
    match (mode, context.mode) {
        (Mode::Simulated, _) | (_, Some(Mode::Simulated)) => Mode::Simulated,
        _ => Mode::Real,
    }
}

/// The run of `parsed`: `provenance` and `environment` are this directory's and this machine's,
/// overridden by what the input reports.
fn assemble_run(
    format: Format,
    parsed: Parsed,
    mut provenance: Provenance,
    environment: Environment,
    window: (OffsetDateTime, OffsetDateTime),
) -> Result<Run, InputError> {
    let context = parsed.context;
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
    run.validate().map_err(InputError::InvalidRun)?;
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

/// A run from a results file of any format the adapters read (`format`, or recognised by its
/// content when `None`), for `compare`. A benchgate run file is taken as it is (its id, machine
/// and provenance); other formats become a run as `ingest` makes them, claiming no commit.
pub fn run_from_file(text: &str, format: Option<Format>) -> Result<Run, PipelineError> {
    let path = Path::new(text);
    let native = match format {
        Some(format) => format == Format::Benchgate,
        None => {
            path.is_file()
                && read_file(path, text).ok().is_some_and(|bytes| {
                    benchgate_adapters::detect(&bytes) == Some(Format::Benchgate)
                })
        }
    };
    if native {
        return read_run(path);
    }
    let input = read_input(text, format)?;
    let (format, parsed) = combine(vec![input])?;
    let now = OffsetDateTime::now_utc();
    build_run(format, parsed, Mode::Real, (now, now), Git::None)
}

/// Reads a benchgate run file; errors name the file and the JSON path or line.
pub fn read_run(path: &Path) -> Result<Run, PipelineError> {
    let bytes = read_file(path, &path.display().to_string())?;
    Run::from_json(&bytes).map_err(|source| {
        InputError::RunFile {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const GO: &str = "BenchmarkParse-8 1000 1500 ns/op\nBenchmarkParse-8 1000 1520 ns/op\n";

    fn go_input(label: &str) -> Input {
        Input {
            label: label.to_string(),
            format: Format::Go,
            parsed: benchgate_adapters::parse(Format::Go, GO.as_bytes()).unwrap(),
        }
    }

    fn window() -> (OffsetDateTime, OffsetDateTime) {
        (
            datetime!(2026-01-02 03:04:05 UTC),
            datetime!(2026-01-02 03:05:00 UTC),
        )
    }

    #[test]
    fn an_empty_or_unknown_input_says_what_benchgate_reads() {
        assert_eq!(
            detect_format("empty.txt", b" \n\t")
                .unwrap_err()
                .to_string(),
            "empty.txt: the file is empty; expected benchmark results (see `benchgate ingest \
             --help`)"
        );
        assert_eq!(
            detect_format("junk.bin", b"\x00\x01 nothing known")
                .unwrap_err()
                .to_string(),
            "junk.bin: cannot tell which harness wrote this; benchgate reads go test -bench text \
             or -json, hyperfine, Google Benchmark, pytest-benchmark and benchgate JSON, libtest \
             bench lines and criterion directories (name the format with --adapter)"
        );
        assert_eq!(detect_format("go.txt", GO.as_bytes()).unwrap(), Format::Go);
    }

    #[test]
    fn inputs_of_one_format_pool_and_of_two_are_refused() {
        let (format, parsed) = combine(vec![go_input("a.txt"), go_input("b.txt")]).unwrap();
        assert_eq!(format, Format::Go);
        assert_eq!(parsed.benchmarks.len(), 1);
        assert_eq!(parsed.benchmarks[0].metrics[0].samples.len(), 4);

        let mut other = go_input("h.json");
        other.format = Format::Hyperfine;
        assert_eq!(
            combine(vec![go_input("a.txt"), other])
                .unwrap_err()
                .to_string(),
            "h.json: is hyperfine output but a.txt is go: one run holds results of one harness \
             (ingest them separately)"
        );
        assert_eq!(
            combine(Vec::new()).unwrap_err().to_string(),
            "no input to read"
        );
        let mut empty = go_input("none.txt");
        empty.parsed.benchmarks.clear();
        assert_eq!(
            combine(vec![empty]).unwrap_err().to_string(),
            "none.txt: no benchmark results in it"
        );
    }

    #[test]
    fn the_input_s_commit_and_times_override_the_directory_s() {
        let mut parsed = go_input("a.txt").parsed;
        parsed.context.commit = Some("abc123".into());
        parsed.context.branch = Some("feature".into());
        parsed.context.ended_at = Some(datetime!(2025-12-31 23:00:00 UTC));
        parsed.context.tags.insert("goos".into(), "linux".into());
        let here = Provenance {
            commit: Some("fff000".into()),
            branch: Some("main".into()),
            dirty: Some(true),
            ..Default::default()
        };
        let run = assemble_run(Format::Go, parsed, here, Environment::default(), window()).unwrap();
        assert_eq!(run.provenance.commit.as_deref(), Some("abc123"));
        assert_eq!(run.provenance.branch.as_deref(), Some("feature"));
        // The directory's state says nothing about the input's commit.
        assert_eq!(run.provenance.dirty, None);
        assert_eq!(
            run.provenance.tags.get("goos").map(String::as_str),
            Some("linux")
        );
        assert_eq!(run.source, Source::Ingest("go".into()));
        // Only the end given: the run is that instant.
        assert_eq!(run.started_at, datetime!(2025-12-31 23:00:00 UTC));
        assert_eq!(run.ended_at, datetime!(2025-12-31 23:00:00 UTC));
    }

    #[test]
    fn without_times_in_the_input_the_run_takes_the_window_and_the_directory_s_commit() {
        let parsed = go_input("a.txt").parsed;
        let here = Provenance {
            commit: Some("fff000".into()),
            dirty: Some(true),
            ..Default::default()
        };
        let run = assemble_run(Format::Go, parsed, here, Environment::default(), window()).unwrap();
        assert_eq!(run.provenance.commit.as_deref(), Some("fff000"));
        assert_eq!(run.provenance.dirty, Some(true));
        assert_eq!((run.started_at, run.ended_at), window());
    }

    #[test]
    fn a_run_is_simulated_when_the_command_line_or_the_input_says_so() {
        let mut context = benchgate_adapters::Context::default();
        assert_eq!(run_mode(Mode::Real, &context), Mode::Real);
        assert_eq!(run_mode(Mode::Simulated, &context), Mode::Simulated);
        context.mode = Some(Mode::Simulated);
        assert_eq!(run_mode(Mode::Real, &context), Mode::Simulated);
        context.mode = Some(Mode::Real);
        assert_eq!(run_mode(Mode::Simulated, &context), Mode::Simulated);
    }

    #[test]
    fn the_machine_the_input_reports_replaces_this_one_and_its_fingerprint() {
        let mut env = Environment {
            hostname: "here".into(),
            ..Default::default()
        };
        env.fingerprint = env.compute_fingerprint();
        let before = env.fingerprint.clone();
        let context = benchgate_adapters::Context {
            hostname: Some("ci-runner-7".into()),
            logical_cores: Some(64),
            ..Default::default()
        };
        overlay_environment(&mut env, &context);
        assert_eq!(env.hostname, "ci-runner-7");
        assert_eq!(env.logical_cores, 64);
        assert_ne!(env.fingerprint, before);
        assert_eq!(env.fingerprint, env.compute_fingerprint());
    }

    #[test]
    fn a_format_named_for_the_wrong_kind_of_input_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("go.txt");
        std::fs::write(&file, GO).unwrap();
        let file = file.display().to_string();
        assert_eq!(
            read_input(&file, Some(Format::Criterion))
                .unwrap_err()
                .to_string(),
            format!(
                "{file}: criterion results are a directory (target/criterion or DIR@NAME), not a \
                 file"
            )
        );
        let dir_text = dir.path().display().to_string();
        assert_eq!(
            read_input(&dir_text, Some(Format::Go))
                .unwrap_err()
                .to_string(),
            format!("{dir_text}: is a directory, but go results are a file")
        );
        assert_eq!(
            read_input(&dir_text, None).unwrap_err().to_string(),
            format!(
                "{dir_text}: no criterion results in this directory (expected {})",
                Format::Criterion.expected()
            )
        );
        let read = read_input(&file, None).unwrap();
        assert_eq!(
            (read.label.as_str(), read.format),
            (file.as_str(), Format::Go)
        );
    }
}
