//! Every `--export-*` file, written by one writer (hyperfine's `ExportManager` is the model): the
//! flags give (format, path) pairs, the paths are checked before anything is measured, and after
//! the report each file is rendered by the report crate's [`Format`] of its kind and written by
//! [`write_file`] (whole or not at all), then the CI step summary.

use std::path::{Path, PathBuf};

use anyhow::bail;
use benchgate_model::{Comparison, Outcome, Run, Verdict};
use benchgate_report::escape::terminal::line;
use benchgate_report::{Format, Json, Markdown, ProjectedReport};

use crate::output::{append_step_summary, eprint_line, write_file};

/// The format of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `--export-json`.
    Json,
    /// `--export-markdown`.
    Markdown,
}

impl ExportFormat {
    fn formatter(self) -> &'static dyn Format {
        match self {
            ExportFormat::Json => &Json,
            ExportFormat::Markdown => &Markdown,
        }
    }
}

/// What a command exports.
pub enum Exported<'a> {
    /// Measured commands (`run -- A -- B`), with the verdicts of the later ones against the first.
    Run {
        run: &'a Run,
        comparisons: &'a [Verdict],
    },
    /// A judged comparison of two runs (`compare`, `ab`).
    Comparison(&'a Comparison),
    /// A stored run and its judgement (`run` on the suite, `ingest`, `exec`): the JSON file is the
    /// run itself (benchgate/run/v1, what `import`, `ingest` and `compare` read back), every other
    /// format the judgement.
    Judged {
        run: &'a Run,
        comparison: &'a Comparison,
    },
    /// A projected comparison (`compare`/`report` with `--filter`, `--row`, `--col`, …).
    Projected(&'a ProjectedReport<'a>),
}

impl Exported<'_> {
    fn render(&self, format: ExportFormat) -> String {
        let formatter = format.formatter();
        match (self, format) {
            (Exported::Run { run, comparisons }, _) => formatter.run(run, comparisons),
            (Exported::Comparison(comparison), _) => formatter.comparison(comparison),
            (Exported::Judged { run, .. }, ExportFormat::Json) => formatter.run(run, &[]),
            (Exported::Judged { comparison, .. }, _) => formatter.comparison(comparison),
            (Exported::Projected(report), _) => formatter.projected(report).unwrap_or_default(),
        }
    }

    /// The Markdown a CI step summary shows; measured commands have none.
    fn summary(&self) -> Option<String> {
        match self {
            Exported::Projected(report) => Markdown.projected(report),
            _ => self.comparison().map(|c| Markdown.comparison(c)),
        }
    }

    /// The judgement a CI step summary shows; measured commands have none.
    fn comparison(&self) -> Option<&Comparison> {
        match self {
            Exported::Run { .. } | Exported::Projected(_) => None,
            Exported::Comparison(comparison) | Exported::Judged { comparison, .. } => {
                Some(comparison)
            }
        }
    }
}

/// The export files a command was asked for, in the order they are written.
#[derive(Debug)]
pub struct Exports {
    files: Vec<(ExportFormat, PathBuf)>,
    /// Append a judgement to `$GITHUB_STEP_SUMMARY` when it is set (off in unit tests, which
    /// must not write into the summary of the CI job running them).
    step_summary: bool,
}

impl Exports {
    /// The files of `--export-json` and `--export-markdown`.
    pub fn new(json: Option<&Path>, markdown: Option<&Path>) -> Exports {
        let files = [
            (ExportFormat::Json, json),
            (ExportFormat::Markdown, markdown),
        ]
        .into_iter()
        .filter_map(|(format, path)| Some((format, path?.to_path_buf())))
        .collect();
        Exports {
            files,
            step_summary: true,
        }
    }

    /// Refuses, before minutes are spent measuring, a file whose directory does not exist.
    pub fn check(&self) -> anyhow::Result<()> {
        for (_, path) in &self.files {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                bail!(
                    "cannot write {}: directory {} does not exist",
                    path.display(),
                    dir.display()
                );
            }
        }
        Ok(())
    }

    /// Writes every file, then a judgement's Markdown to the CI step summary, and concludes:
    /// `outcome`, unless it passed and a file asked for could not be written. Each failure is
    /// reported as it happens (after the report, which was printed before): an asked-for file as
    /// an error, the step summary, which benchgate writes by itself, as a warning.
    pub fn write(&self, exported: &Exported<'_>, outcome: Outcome) -> anyhow::Result<Outcome> {
        let mut asked_failed = false;
        for (format, path) in &self.files {
            if let Err(e) = write_file(path, &exported.render(*format)) {
                eprint_line(&format!("error: {}", line(&format!("{e:#}"))));
                asked_failed = true;
            }
        }
        if self.step_summary
            && let Some(summary) = exported.summary()
            && let Err(e) = append_step_summary(&summary)
        {
            eprint_line(&format!("warning: {}", line(&format!("{e:#}"))));
        }
        if asked_failed && outcome.passed() {
            bail!("the report above passed, but an export asked for could not be written");
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchgate_gate::{CompareOptions, judge_without_baseline};
    use benchgate_model::{
        Benchmark, Direction, Environment, Measure, Metric, Provenance, Source, Status, Unit,
    };

    fn run() -> Run {
        let mut run = Run::new(
            Source::Command,
            time::OffsetDateTime::UNIX_EPOCH,
            Provenance::default(),
            Environment::default().with_fingerprint(),
        );
        run.benchmarks = vec![Benchmark {
            mode: None,
            name: "parse".into(),
            params: Default::default(),
            labels: Default::default(),
            command: Some("./parse".into()),
            status: Status::Ok,
            metrics: vec![
                Metric::from_samples(
                    Measure::WallTime,
                    Unit::Nanoseconds,
                    Direction::LowerIsBetter,
                    vec![1e6, 1.1e6, 0.9e6],
                )
                .unwrap(),
            ],
            series: Vec::new(),
        }];
        run
    }

    /// The writer of `json` and `markdown`, without the CI step summary.
    fn exports(json: Option<&Path>, markdown: Option<&Path>) -> Exports {
        Exports {
            step_summary: false,
            ..Exports::new(json, markdown)
        }
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// Each format through the writer: a judged run's JSON file is the run (benchgate/run/v1), its
    /// Markdown file the judgement; a comparison's JSON is the comparison.
    #[test]
    fn writes_each_format_of_what_is_exported() {
        let dir = tempfile::tempdir().unwrap();
        let (json, md) = (dir.path().join("out.json"), dir.path().join("out.md"));
        let exports = exports(Some(&json), Some(&md));
        exports.check().unwrap();
        let run = run();
        let comparison = judge_without_baseline(&run, "run 1", &CompareOptions::default());

        let judged = Exported::Judged {
            run: &run,
            comparison: &comparison,
        };
        assert_eq!(
            exports.write(&judged, Outcome::Passed).unwrap(),
            Outcome::Passed
        );
        assert_eq!(read(&json), Json.run(&run, &[]));
        assert!(read(&json).contains("\"benchgate/run/v1\""));
        assert_eq!(read(&md), Markdown.comparison(&comparison));

        exports
            .write(&Exported::Comparison(&comparison), Outcome::Passed)
            .unwrap();
        assert_eq!(read(&json), Json.comparison(&comparison));
        assert!(read(&json).contains("\"benchgate/comparison/v1\""));
        assert_eq!(read(&md), Markdown.comparison(&comparison));

        let measured = Exported::Run {
            run: &run,
            comparisons: &[],
        };
        exports.write(&measured, Outcome::Passed).unwrap();
        assert_eq!(read(&json), Json.run(&run, &[]));
        assert_eq!(read(&md), Markdown.run(&run, &[]));
        assert!(read(&md).contains("parse"), "{}", read(&md));
    }

    /// A file only where a flag asked for one.
    #[test]
    fn writes_only_the_files_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("only.md");
        let exports = exports(None, Some(&md));
        let run = run();
        let measured = Exported::Run {
            run: &run,
            comparisons: &[],
        };
        exports.write(&measured, Outcome::Passed).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["only.md"]);
    }

    #[test]
    fn refuses_a_missing_directory_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/out.md");
        let error = exports(None, Some(&path)).check().unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot write {}: directory {} does not exist",
                path.display(),
                dir.path().join("no/such").display()
            )
        );
        exports(Some(Path::new("here.json")), None).check().unwrap();
    }

    /// A file that cannot be written turns a pass into an error, never a failure into a pass.
    #[test]
    fn an_unwritable_file_fails_only_a_passing_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let exports = exports(Some(&dir.path().join("no/such/out.json")), None);
        let run = run();
        let measured = Exported::Run {
            run: &run,
            comparisons: &[],
        };
        let error = exports.write(&measured, Outcome::Passed).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the report above passed, but an export asked for could not be written"
        );
        assert_eq!(
            exports.write(&measured, Outcome::Failed).unwrap(),
            Outcome::Failed
        );
    }
}
