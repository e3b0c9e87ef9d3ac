//! Profiles on demand (`--profile perf|callgrind|flamegraph`, SPEC §4, issue 16): after a run is
//! judged, one more run of each benchmark that regressed (or of every one, `--profile-all`)
//! under the profiler, kept in `DIR/RUN-ID/` with a manifest (`profiles.json`), and linked from
//! the comparison (`Comparison::profiles`) so that every report shows it. A profile is a help to the reader, never a
//! verdict: a missing or refused profiler, a benchmark with nothing to run again (an HTTP bench,
//! an ingested result) is a link with the reason, and the gate's outcome does not change.

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use benchgate_measure::CommandSpec;
use benchgate_model::{MAX_PROFILES, ProfileLink, Side, Verdict, VerdictKind};
use benchgate_profile::{Capture, CaptureOptions, Profiler};
use uuid::Uuid;

use crate::PipelineError;
use crate::measure::Progress;

/// Where profiles go unless `--profile-dir` says: beside the default history store.
pub const DEFAULT_PROFILE_DIR: &str = ".benchgate/profiles";
/// The manifest of a run's profiles, in its directory.
pub const MANIFEST: &str = "profiles.json";
/// A manifest larger than this is not read (a run's links are a few hundred bytes each).
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;

/// What `--profile` asks for.
#[derive(Debug, Clone)]
pub struct ProfileRequest {
    pub profiler: Profiler,
    /// `--profile-all`: every benchmark, not only those that regressed.
    pub all: bool,
    /// The directory the runs' profile directories go in.
    pub dir: PathBuf,
    /// One profiled run is killed after this long (callgrind runs a program ~30× slower).
    pub timeout: Duration,
}

impl ProfileRequest {
    /// `--profile NAME` with `--profile-all` and `--profile-dir`, checked: an unknown profiler
    /// is refused before anything runs.
    pub fn new(
        profiler: &str,
        all: bool,
        dir: Option<&Path>,
    ) -> Result<ProfileRequest, PipelineError> {
        let profiler = Profiler::parse(profiler).map_err(PipelineError::Profile)?;
        Ok(ProfileRequest {
            profiler,
            all,
            dir: dir.map_or_else(|| PathBuf::from(DEFAULT_PROFILE_DIR), Path::to_path_buf),
            timeout: Duration::from_secs(600),
        })
    }

    /// The directory of `run`'s profiles.
    pub fn run_dir(&self, run: Uuid) -> PathBuf {
        self.dir.join(run.to_string())
    }
}

/// One benchmark's command, to run again under the profiler.
#[derive(Debug, Clone, Copy)]
pub struct ProfileTarget<'a> {
    pub benchmark: &'a str,
    /// Which build of an A/B comparison; `None` for a run's own benchmarks.
    pub side: Option<Side>,
    /// `None`: the benchmark has no command of its own to run again, and this says why.
    pub spec: Result<&'a CommandSpec, &'a str>,
    /// The command's standard input, as when it was measured.
    pub stdin: Option<&'a Path>,
}

impl<'a> ProfileTarget<'a> {
    /// Commands measured here (`run -- A -- B`): each is its benchmark's target.
    pub fn of_commands(
        specs: &'a [CommandSpec],
        stdin: Option<&'a Path>,
    ) -> Vec<ProfileTarget<'a>> {
        specs
            .iter()
            .map(|spec| ProfileTarget {
                benchmark: &spec.name,
                side: None,
                spec: Ok(spec),
                stdin,
            })
            .collect()
    }

    /// Two builds of each benchmark (`ab`, `(name, base, head)`): both are profiled, so the
    /// reader can set the slower build's profile beside the other's.
    pub fn of_pairs(
        pairs: impl IntoIterator<Item = (&'a str, &'a CommandSpec, &'a CommandSpec)>,
        stdin: Option<&'a Path>,
    ) -> Vec<ProfileTarget<'a>> {
        pairs
            .into_iter()
            .flat_map(|(benchmark, base, head)| {
                [(Side::Baseline, base), (Side::Current, head)].map(|(side, spec)| ProfileTarget {
                    benchmark,
                    side: Some(side),
                    spec: Ok(spec),
                    stdin,
                })
            })
            .collect()
    }
}

/// The benchmarks a `--profile` run profiles: each with a regression or a broken budget among
/// `verdicts` — a warning as much as a failure, a measure the gate does not judge as much as one
/// it does: the reader wants to see where the time went — or, with `all`, every one measured
/// (those judged, and every target, e.g. the first command of `run -- A -- B`, which nothing is
/// judged against).
pub fn chosen(verdicts: &[Verdict], targets: &[ProfileTarget<'_>], all: bool) -> BTreeSet<String> {
    let measured = |v: &&Verdict| {
        !v.is_check()
            && !matches!(
                v.kind,
                VerdictKind::Missing
                    | VerdictKind::Skipped
                    | VerdictKind::Failed
                    | VerdictKind::CheckPassed
                    | VerdictKind::CheckFailed
                    | VerdictKind::CheckError
            )
    };
    let mut names: BTreeSet<String> = verdicts
        .iter()
        .filter(measured)
        .filter(|v| all || matches!(v.kind, VerdictKind::Regressed | VerdictKind::BudgetExceeded))
        .map(|v| v.benchmark.clone())
        .collect();
    if all {
        let covered: BTreeSet<&str> = names
            .iter()
            .flat_map(|name| targets_of(targets, name))
            .map(|t| t.benchmark)
            .collect();
        let uncovered: Vec<String> = targets
            .iter()
            .filter(|t| !covered.contains(t.benchmark))
            .map(|t| t.benchmark.to_string())
            .collect();
        names.extend(uncovered);
    }
    names
}

/// What [`capture_profiles`] took: the links for the comparison, and a note for the reader when
/// nothing was chosen.
#[derive(Debug, Clone, Default)]
pub struct Profiled {
    pub links: Vec<ProfileLink>,
    pub note: Option<String>,
}

/// Profiles the benchmarks [`chosen`] among `targets` (each once per side) into
/// [`ProfileRequest::run_dir`] of `run` and writes the manifest there. Only a directory that
/// cannot be written is an error.
pub fn capture_profiles(
    request: &ProfileRequest,
    run: Uuid,
    verdicts: &[Verdict],
    targets: &[ProfileTarget<'_>],
    progress: &mut dyn Progress,
) -> Result<Profiled, PipelineError> {
    let chosen = chosen(verdicts, targets, request.all);
    if chosen.is_empty() {
        return Ok(Profiled {
            links: Vec::new(),
            note: Some(format!(
                "--profile {}: no benchmark regressed, so none was profiled (--profile-all \
                 profiles every one)",
                request.profiler.as_str()
            )),
        });
    }
    let dir = request.run_dir(run);
    let mut links = Vec::new();
    // A command measured at several load levels is one command: profiled once, linked from each.
    let mut taken: Vec<ProfileLink> = Vec::new();
    for name in &chosen {
        let mine = targets_of(targets, name);
        if mine.is_empty() {
            links.push(unavailable(
                name,
                None,
                request,
                "its results were read, not measured here: nothing to run again",
            ));
            continue;
        }
        for target in mine {
            if let Some(done) = taken
                .iter()
                .find(|l| l.benchmark == target.benchmark && l.side == target.side)
            {
                links.push(ProfileLink {
                    benchmark: name.clone(),
                    ..done.clone()
                });
                continue;
            }
            let link = match target.spec {
                Ok(spec) => {
                    let stem = match target.side {
                        Some(Side::Baseline) => format!("{}.base", target.benchmark),
                        Some(Side::Current) => format!("{}.head", target.benchmark),
                        None => target.benchmark.to_string(),
                    };
                    progress.status(&format!(
                        "profiling {stem} with {}",
                        request.profiler.as_str()
                    ));
                    let mut options = CaptureOptions::new(&dir, stem);
                    options.timeout = request.timeout;
                    options.stdin = target.stdin.map(Path::to_path_buf);
                    match benchgate_profile::capture(request.profiler, spec, &options)? {
                        Capture::Captured { files } => ProfileLink {
                            benchmark: target.benchmark.to_string(),
                            side: target.side,
                            profiler: request.profiler.as_str().to_string(),
                            files: files.iter().map(|f| f.display().to_string()).collect(),
                            unavailable: None,
                        },
                        Capture::Unavailable { reason } => {
                            unavailable(target.benchmark, target.side, request, &reason)
                        }
                    }
                }
                Err(why) => unavailable(target.benchmark, target.side, request, why),
            };
            taken.push(link.clone());
            links.push(ProfileLink {
                benchmark: name.clone(),
                ..link
            });
        }
    }
    write_manifest(&dir, &links)?;
    Ok(Profiled { links, note: None })
}

/// The targets that ran `benchmark`: those named so, else those of the longest name that is a
/// prefix of it (`api` for the load level `api/concurrency=10`).
fn targets_of<'t, 'a>(
    targets: &'t [ProfileTarget<'a>],
    benchmark: &str,
) -> Vec<&'t ProfileTarget<'a>> {
    let exact: Vec<_> = targets
        .iter()
        .filter(|t| t.benchmark == benchmark)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let parent = targets
        .iter()
        .filter(|t| {
            benchmark
                .strip_prefix(t.benchmark)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .map(|t| t.benchmark.len())
        .max();
    targets
        .iter()
        .filter(|t| Some(t.benchmark.len()) == parent && benchmark.starts_with(t.benchmark))
        .collect()
}

fn unavailable(
    benchmark: &str,
    side: Option<Side>,
    request: &ProfileRequest,
    reason: &str,
) -> ProfileLink {
    ProfileLink {
        benchmark: benchmark.to_string(),
        side,
        profiler: request.profiler.as_str().to_string(),
        files: Vec::new(),
        unavailable: Some(reason.to_string()),
    }
}

/// `links` as `dir/profiles.json`, written whole or not at all.
fn write_manifest(dir: &Path, links: &[ProfileLink]) -> Result<(), PipelineError> {
    let failed = |source: std::io::Error| PipelineError::ProfileManifest {
        path: dir.join(MANIFEST),
        source,
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| failed(crate::temp_files::without_temp_path(e)))?;
    let json = serde_json::to_vec_pretty(links).map_err(|e| failed(e.into()))?;
    file.write_all(&json).map_err(failed)?;
    // A temporary file is private (0600); the manifest is as readable as the profiles.
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(failed)?;
    file.persist(dir.join(MANIFEST))
        .map_err(|e| failed(e.error))?;
    Ok(())
}

/// The profiles kept for `run` under `dir` (its manifest), for a report of a stored run: none
/// when it has none. A manifest that cannot be read is an error naming it.
pub fn stored_profiles(dir: &Path, run: Uuid) -> Result<Vec<ProfileLink>, PipelineError> {
    let path = dir.join(run.to_string()).join(MANIFEST);
    let failed = |why: String| PipelineError::ProfileManifestUnreadable {
        path: path.clone(),
        why,
    };
    let size = match std::fs::metadata(&path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(failed(e.to_string())),
    };
    if size > MAX_MANIFEST_BYTES {
        return Err(failed(format!(
            "{size} bytes, more than the {MAX_MANIFEST_BYTES} a manifest may have"
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| failed(e.to_string()))?;
    let links: Vec<ProfileLink> =
        serde_json::from_slice(&bytes).map_err(|e| failed(e.to_string()))?;
    if links.len() > MAX_PROFILES {
        return Err(failed(format!(
            "{} profiles, more than the {MAX_PROFILES} a run may have",
            links.len()
        )));
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use benchgate_measure::Invocation;
    use benchgate_model::{Direction, Measure, Unit};

    use super::*;

    fn verdict(benchmark: &str, kind: VerdictKind) -> Verdict {
        Verdict {
            benchmark: benchmark.into(),
            measure: Measure::WallTime,
            unit: Unit::Nanoseconds,
            direction: Direction::LowerIsBetter,
            exact: false,
            kind,
            severity: None,
            gating: true,
            baseline: None,
            current: None,
            effect: None,
            p_value: None,
            q_value: None,
            reason: String::new(),
            caveats: Vec::new(),
        }
    }

    fn spec(name: &str) -> CommandSpec {
        CommandSpec {
            name: name.into(),
            display: "true".into(),
            command: Invocation::Direct {
                argv: vec!["true".into()],
            },
            params: BTreeMap::new(),
            prepare: None,
            conclude: None,
            setup: None,
            cleanup: None,
            cwd: None,
        }
    }

    fn target<'a>(spec: &'a CommandSpec) -> ProfileTarget<'a> {
        ProfileTarget {
            benchmark: &spec.name,
            side: None,
            spec: Ok(spec),
            stdin: None,
        }
    }

    #[test]
    fn regressions_and_broken_budgets_are_chosen_or_everything_measured_with_all() {
        let verdicts = [
            verdict("a", VerdictKind::Regressed),
            verdict("b", VerdictKind::Unchanged),
            verdict("c", VerdictKind::BudgetExceeded),
            verdict("d", VerdictKind::Improved),
            verdict("gone", VerdictKind::Missing),
            verdict("broken", VerdictKind::Failed),
            verdict("x", VerdictKind::CheckFailed),
        ];
        let specs = [spec("a"), spec("first"), spec("c")];
        let targets: Vec<_> = specs.iter().map(target).collect();
        let names = |all| {
            chosen(&verdicts, &targets, all)
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(names(false), ["a", "c"]);
        // With all: every measured verdict, and `first` (a target nothing is judged against).
        assert_eq!(names(true), ["a", "b", "c", "d", "first"]);
    }

    #[test]
    fn a_load_level_is_profiled_as_its_command() {
        let specs = [spec("api"), spec("api/v2"), spec("apis")];
        let targets: Vec<_> = specs.iter().map(target).collect();
        let of = |name: &str| -> Vec<&str> {
            targets_of(&targets, name)
                .iter()
                .map(|t| t.benchmark)
                .collect()
        };
        assert_eq!(of("api"), ["api"]);
        assert_eq!(of("api/concurrency=10"), ["api"]);
        assert_eq!(of("api/v2/concurrency=10"), ["api/v2"]);
        assert_eq!(of("apis/concurrency=1"), ["apis"]);
        assert!(of("other").is_empty());
        // With all, the levels of `api` do not add `api` again.
        let verdicts = [verdict("api/concurrency=1", VerdictKind::Unchanged)];
        let single = [target(&specs[0])];
        assert_eq!(
            chosen(&verdicts, &single, true)
                .into_iter()
                .collect::<Vec<_>>(),
            ["api/concurrency=1"]
        );
    }

    #[test]
    fn a_manifest_is_read_back_and_a_bad_one_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let run = Uuid::now_v7();
        assert_eq!(stored_profiles(dir.path(), run).unwrap(), Vec::new());
        let links = vec![ProfileLink {
            benchmark: "parse".into(),
            side: Some(Side::Current),
            profiler: "perf".into(),
            files: vec!["p/parse.perf.data".into()],
            unavailable: None,
        }];
        write_manifest(&dir.path().join(run.to_string()), &links).unwrap();
        assert_eq!(stored_profiles(dir.path(), run).unwrap(), links);

        let path = dir.path().join(run.to_string()).join(MANIFEST);
        std::fs::write(&path, "[{\"benchmark\": 1}]").unwrap();
        let error = stored_profiles(dir.path(), run).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("{}: not a manifest of profiles: ", path.display())),
            "{error}"
        );
    }
}
