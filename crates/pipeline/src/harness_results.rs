//! What a harness run by `exec` left for benchgate to read: the runs benchgate-harness targets
//! wrote, the criterion files written during the run, or its output. Running the harness and
//! showing its output as it comes are the front end's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use benchgate_adapters::{Format, criterion};

use crate::error::{InputError, PipelineError};
use crate::input_limit::{ReadError, read_file};
use crate::sources::{Input, detect_format, parse};

/// The variable benchgate-harness reads for an extra output directory (its `OUTPUT_ENV`).
pub const HARNESS_OUTPUT_ENV: &str = "BENCHGATE_HARNESS_OUTPUT";

/// When each file under a directory was last modified.
pub type ModificationTimes = HashMap<PathBuf, SystemTime>;

/// What the harness printed.
#[derive(Debug, Clone, Copy)]
pub struct HarnessOutput<'a> {
    /// Its command line, for criterion's `--save-baseline NAME`.
    pub command: &'a [String],
    /// Its standard output.
    pub stdout: &'a [u8],
    /// Both its streams' complete lines, in arrival order.
    pub merged: &'a [u8],
}

/// Where criterion writes its results: `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
pub fn default_criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("criterion")
}

/// The modification time of every file under `dir` (nothing when it does not exist yet).
pub fn modification_times(dir: &Path) -> ModificationTimes {
    let mut times = HashMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                times.insert(entry.path(), modified);
            }
        }
    }
    times
}

/// The runs benchgate-harness targets wrote into `dir` (in name order), when `format` allows
/// benchgate's (`None`: any); `None` when there are none.
pub fn read_harness_runs(
    format: Option<Format>,
    dir: &Path,
) -> Option<Result<Vec<Input>, PipelineError>> {
    if !matches!(format, None | Some(Format::Benchgate)) {
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort();
    Some(
        files
            .iter()
            .map(|path| {
                let label = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let bytes = read_file(path, &path.display().to_string())?;
                let parsed = parse(Format::Benchgate, &bytes, &label)?;
                Ok(Input {
                    label,
                    format: Format::Benchgate,
                    parsed,
                })
            })
            .collect(),
    )
}

/// The results of the run: criterion's files when `format` says criterion, or recognition (`None`)
/// finds criterion's report in the output (or nothing else, but fresh criterion files in
/// `criterion_dir`, compared with their times `before` the run); otherwise the output itself.
pub fn read_results(
    format: Option<Format>,
    output: HarnessOutput<'_>,
    criterion_dir: &Path,
    before: &ModificationTimes,
) -> Result<Input, PipelineError> {
    let baseline = criterion::saved_baseline(output.command).unwrap_or_else(|| "new".into());
    let name = "the command's output";
    let format = match format {
        Some(format) => format,
        None if criterion::sniff_stdout(output.stdout) => Format::Criterion,
        None => match detect_format(name, output.stdout) {
            Ok(format) => format,
            Err(e) if criterion::looks_like(criterion_dir) => {
                return read_fresh_criterion(criterion_dir, &baseline, before).map_err(
                    |criterion_error| {
                        InputError::NeitherOutputNorCriterion {
                            criterion: chain(&criterion_error),
                            output: Box::new(e),
                        }
                        .into()
                    },
                );
            }
            Err(e) => return Err(e.into()),
        },
    };
    if format == Format::Criterion {
        return Ok(read_fresh_criterion(criterion_dir, &baseline, before)?);
    }
    // With cargo's `Running <target>` lines libtest's results can be told apart by bench target;
    // they are on standard error, so the merged capture has them.
    if format == Format::Libtest
        && has_cargo_running_lines(output.merged)
        && let Ok(parsed) = benchgate_adapters::parse(format, output.merged)
    {
        return Ok(Input {
            label: name.to_string(),
            format,
            parsed,
        });
    }
    let parsed = parse(format, output.stdout, name)?;
    Ok(Input {
        label: name.to_string(),
        format,
        parsed,
    })
}

/// `error` and its causes, joined by ": ".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

fn has_cargo_running_lines(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n')
        .any(|line| line.trim_ascii_start().starts_with(b"Running ") && line.starts_with(b"  "))
}

/// The benchmarks of `baseline` under `dir` that this run wrote (files that are new or changed
/// since `before`): a criterion directory keeps every benchmark ever run, and a filtered
/// `cargo bench -- parse` rewrites only some of them.
fn read_fresh_criterion(
    dir: &Path,
    baseline: &str,
    before: &ModificationTimes,
) -> Result<Input, InputError> {
    let label = format!("{}@{baseline}", dir.display());
    if !criterion::looks_like(dir) {
        return Err(InputError::NoCriterionDirectory {
            dir: dir.to_path_buf(),
        });
    }
    let mut tree = criterion::read_tree(dir).map_err(|source| ReadError::Unreadable {
        label: dir.display().to_string(),
        source,
    })?;
    tree.files.retain(|(relative, _)| {
        let path = dir.join(relative);
        let now = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        now.is_some() && before.get(&path).copied() != now
    });
    if tree.files.is_empty() {
        return Err(InputError::NoFreshCriterionResults {
            dir: dir.to_path_buf(),
        });
    }
    let parsed = criterion::parse(&tree, baseline).map_err(|error| InputError::Unparsable {
        label: dir.display().to_string(),
        error: Box::new(error),
    })?;
    Ok(Input {
        label,
        format: Format::Criterion,
        parsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../adapters/tests/fixtures/criterion/target-criterion"
    );

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// A criterion directory as a harness left it, and the times of its files before the run.
    fn criterion_dir() -> (tempfile::TempDir, PathBuf, ModificationTimes) {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("criterion");
        copy_tree(Path::new(FIXTURE), &dir);
        let before = modification_times(&dir);
        (temp, dir, before)
    }

    /// Marks the files of `relative` as written by this run.
    fn rewrite(dir: &Path, relative: &str) {
        let later = SystemTime::now() + Duration::from_secs(3600);
        for entry in std::fs::read_dir(dir.join(relative)).unwrap() {
            let file = std::fs::File::options()
                .write(true)
                .open(entry.unwrap().path())
                .unwrap();
            file.set_modified(later).unwrap();
        }
    }

    fn output<'a>(stdout: &'a [u8], merged: &'a [u8]) -> HarnessOutput<'a> {
        HarnessOutput {
            command: &[],
            stdout,
            merged,
        }
    }

    #[test]
    fn only_the_criterion_results_the_run_wrote_are_read() {
        let (_temp, dir, before) = criterion_dir();
        assert!(before.len() > 10, "{}", before.len());
        rewrite(&dir, "flat/spin/new");
        let input = read_results(Some(Format::Criterion), output(b"", b""), &dir, &before).unwrap();
        assert_eq!(input.label, format!("{}@new", dir.display()));
        assert_eq!(input.format, Format::Criterion);
        let names: Vec<&str> = input
            .parsed
            .benchmarks
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(names, ["flat/spin"]);
    }

    #[test]
    fn unreadable_output_and_no_fresh_criterion_results_say_both() {
        let (_temp, dir, before) = criterion_dir();
        let error = read_results(None, output(b"no idea", b""), &dir, &before).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: the command wrote no criterion results during this run",
                dir.display()
            )
        );
        let cause = std::error::Error::source(&error).unwrap().to_string();
        assert!(
            cause.starts_with("the command's output: cannot tell which harness wrote this"),
            "{cause}"
        );
    }

    #[test]
    fn criterion_asked_for_where_there_is_none_says_where_to_look() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("criterion");
        let error = read_results(
            Some(Format::Criterion),
            output(b"", b""),
            &dir,
            &ModificationTimes::new(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: no criterion results (expected {}); pass --criterion-dir if they are elsewhere",
                dir.display(),
                Format::Criterion.expected()
            )
        );
    }

    #[test]
    fn libtest_results_are_read_with_cargo_s_running_lines_when_there_are_some() {
        let stdout = b"test parse ... bench:       1,500 ns/iter (+/- 20)\n";
        let merged = b"     Running benches/a.rs (target/release/deps/a-1)\ntest parse ... bench:       1,500 ns/iter (+/- 20)\n";
        assert!(has_cargo_running_lines(merged));
        assert!(!has_cargo_running_lines(stdout));
        let none = Path::new("/nonexistent/criterion");
        let times = ModificationTimes::new();
        let plain = read_results(None, output(stdout, stdout), none, &times).unwrap();
        let by_target = read_results(None, output(stdout, merged), none, &times).unwrap();
        assert_eq!(plain.format, Format::Libtest);
        assert_eq!(plain.label, "the command's output");
        assert_ne!(plain.parsed, by_target.parsed);
        assert_eq!(plain.parsed.benchmarks.len(), 1);
        assert_eq!(by_target.parsed.benchmarks.len(), 1);
    }

    #[test]
    fn harness_runs_are_read_in_name_order_and_only_when_benchgate_s_format_is_allowed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_harness_runs(None, dir.path()).is_none());
        std::fs::write(dir.path().join("b.json"), "{").unwrap();
        std::fs::write(dir.path().join("a.json"), "{").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        assert!(read_harness_runs(Some(Format::Go), dir.path()).is_none());
        let error = read_harness_runs(Some(Format::Benchgate), dir.path())
            .unwrap()
            .unwrap_err();
        // The first file in name order is the one refused.
        assert!(error.to_string().starts_with("a.json: "), "{error}");
    }
}
