//! Paired confirmation of suspects against the baseline's commit (SPEC §7.2): the benchmarks an
//! unpaired comparison with a stored baseline cannot call clearly unchanged are judged again,
//! paired and interleaved, against a build of the commit the baseline was measured at, checked
//! out into a temporary git worktree. The paired verdict replaces the unpaired one.
//!
//! Nothing here prints: progress goes through a callback, the outcome (verdicts, notes, build
//! times) comes back as values, and the pairs are measured by the caller's function (which shows
//! their progress), normally [`crate::ab::run_pairs`].

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use benchgate_gate::{PairedJudgement, confirmed_verdict, suspects};
use benchgate_measure::{CommandSpec, MeasureError, PairedResult, RunnerOptions};
use benchgate_model::{
    Comparison, Direction, Measure, Metric, Provenance, Run, Thresholds, Unit, Verdict,
};

pub use super::build::build;
use super::worktree;
pub use super::worktree::Worktree;

use crate::ab::wall;

/// The time each suspect's pairs may take when `[gate] confirm_max_time` is not set.
pub const DEFAULT_CONFIRM_MAX_TIME: Duration = Duration::from_secs(60);

/// Why paired confirmation stopped with an error (rather than falling back with a note).
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{command} failed: {message}")]
    Git { command: String, message: String },
    #[error("the build command `{command}` failed in {which} ({status}): {output}")]
    Build {
        which: String,
        command: String,
        status: String,
        output: String,
    },
    #[error(transparent)]
    Measure(#[from] MeasureError),
}

/// The stored run behind (part of) a baseline: which benchmarks it holds and where it was
/// measured, so each suspect's commit can be found after the runs are pooled.
#[derive(Debug, Clone)]
pub struct Origin {
    pub benchmarks: Vec<String>,
    pub provenance: Provenance,
}

impl Origin {
    pub fn of(run: &Run) -> Origin {
        Origin {
            benchmarks: run.benchmarks.iter().map(|b| b.name.clone()).collect(),
            provenance: run.provenance.clone(),
        }
    }
}

/// A measured benchmark that may be paired: its command as the current run measured it, and the
/// runner options it was measured with.
pub struct Candidate<'a> {
    pub spec: &'a CommandSpec,
    pub options: &'a RunnerOptions,
}

/// What paired confirmation is asked to do.
pub struct Request<'a> {
    /// The unpaired comparison of the current run with the baseline (noise floors applied).
    pub first: &'a Comparison,
    /// The runs behind the baseline.
    pub origins: &'a [Origin],
    /// The benchmarks that could be paired (measured for time), by name.
    pub candidates: &'a [Candidate<'a>],
    /// `[build] command`.
    pub build: Option<&'a str>,
    /// The time each suspect's pairs may take.
    pub max_time: Duration,
    /// The directory benchgate runs in (inside the checkout measured).
    pub cwd: &'a Path,
}

/// The outcome of paired confirmation.
#[derive(Debug)]
pub enum Confirmed {
    /// Every benchmark was clearly unchanged: nothing checked out, built or measured.
    NoSuspects,
    /// The suspects' paired verdicts, which replace their unpaired ones, and notes for the
    /// report (what was built and how long it took, what each suspect's pairing concluded).
    Paired {
        suspects: Vec<String>,
        verdicts: Vec<Verdict>,
        notes: Vec<String>,
    },
    /// Paired confirmation cannot be done (no commit to check out, a dirty baseline, no git, a
    /// build that fails): one note saying why. The caller falls back to measuring again.
    Unavailable { suspects: Vec<String>, note: String },
}

/// Measures the pairs of one suspect: `(name, base, head, options, thresholds)` → the pairs
/// and the adaptive judgement (see [`crate::ab::run_pairs`]).
pub type PairMeasurer<'m> = dyn FnMut(
        &str,
        &CommandSpec,
        &CommandSpec,
        &RunnerOptions,
        Thresholds,
    ) -> Result<(PairedResult, Option<PairedJudgement>), MeasureError>
    + 'm;

/// Runs paired confirmation for `request`: picks the suspects
/// ([`benchgate_gate::suspects`]), and unless there are none, checks out the baseline's commit
/// into a temporary worktree (removed before this returns, whatever happens), runs the build
/// command in it and in the current tree, and pairs each suspect's command in the two trees with
/// `measure_pairs`. `say` gets a line for each step worth showing.
pub fn confirm_paired(
    request: &Request<'_>,
    measure_pairs: &mut PairMeasurer<'_>,
    say: &mut dyn FnMut(&str),
) -> Result<Confirmed, ConfirmError> {
    let suspects: Vec<String> = suspects(request.first)
        .into_iter()
        .filter(|name| request.candidates.iter().any(|c| c.spec.name == *name))
        .collect();
    if suspects.is_empty() {
        return Ok(Confirmed::NoSuspects);
    }
    let unavailable = |why: String| Confirmed::Unavailable {
        note: format!(
            "paired confirmation of {} is not possible: {why}; measured again instead",
            suspects.join(", ")
        ),
        suspects: suspects.clone(),
    };
    let commit = match baseline_commit(request.origins, &suspects) {
        Ok(commit) => commit,
        Err(why) => return Ok(unavailable(why)),
    };
    let Some(repo) = toplevel(request.cwd) else {
        return Ok(unavailable(format!(
            "{} is not in a git checkout",
            request.cwd.display()
        )));
    };
    let short = short(&commit);
    let spec_commit = format!("{commit}^{{commit}}");
    if worktree::git(
        &repo,
        &["cat-file".as_ref(), "-e".as_ref(), spec_commit.as_ref()],
    )
    .is_err()
    {
        return Ok(unavailable(format!(
            "the baseline's commit {short} is not in this repository (a shallow clone? fetch it)"
        )));
    }
    let head = worktree::git(&repo, &["rev-parse".as_ref(), "HEAD".as_ref()]).ok();
    let clean = worktree::git(&repo, &["status".as_ref(), "--porcelain".as_ref()])
        .is_ok_and(|s| s.is_empty());
    if head.as_deref() == Some(commit.as_str()) && clean {
        return Ok(unavailable(format!(
            "the baseline was measured at {short}, which is HEAD, and nothing has changed since"
        )));
    }
    // Every suspect's command must run inside the checkout, or both sides would run the same.
    let mut pairs = Vec::new();
    for name in &suspects {
        let Some(candidate) = request.candidates.iter().find(|c| c.spec.name == *name) else {
            continue;
        };
        let cwd = candidate
            .spec
            .cwd
            .clone()
            .unwrap_or_else(|| request.cwd.to_path_buf());
        match inside(&repo, &cwd) {
            Some(relative) => pairs.push((name, candidate, cwd, relative)),
            None => {
                return Ok(unavailable(format!(
                    "{name} runs in {}, outside the checkout {}",
                    cwd.display(),
                    repo.display()
                )));
            }
        }
    }

    say(&format!(
        "checking out the baseline's commit {short} to pair with"
    ));
    let tree = Worktree::add(&repo, &commit)?;
    let mut notes = Vec::new();
    if let Some(command) = request.build {
        let build_dir = inside(&repo, request.cwd).unwrap_or_default();
        let which = format!("the baseline's commit {short}");
        say(&format!("building {which}: {command}"));
        let base_time = match build(command, &tree.path().join(&build_dir), &which) {
            Ok(t) => t,
            Err(e @ ConfirmError::Build { .. }) => return Ok(unavailable(e.to_string())),
            Err(e) => return Err(e),
        };
        say(&format!("building the current tree: {command}"));
        let head_time = match build(command, request.cwd, "the current tree") {
            Ok(t) => t,
            Err(e @ ConfirmError::Build { .. }) => return Ok(unavailable(e.to_string())),
            Err(e) => return Err(e),
        };
        notes.push(format!(
            "built the baseline's commit {short} in {} and the current tree in {} (`{command}`)",
            seconds(base_time),
            seconds(head_time)
        ));
    }

    // Adaptive stopping spends α across the suspects (Bonferroni), as `ab` does across benches.
    let mut thresholds = request.first.thresholds;
    thresholds.alpha /= pairs.len() as f64;
    let mut verdicts = Vec::new();
    let mut outcomes = Vec::new();
    for (name, candidate, cwd, relative) in pairs {
        let mut base = candidate.spec.clone();
        base.cwd = Some(tree.path().join(relative));
        let mut head = candidate.spec.clone();
        head.cwd = Some(cwd);
        let mut options = candidate.options.clone();
        // Adaptive, bounded by confirm_max_time: a fixed number of runs would not stop early.
        options.runs = None;
        options.max_time = request.max_time;
        let (result, judgement) = measure_pairs(name, &base, &head, &options, thresholds)?;
        for (side, r) in [
            ("the baseline's commit", &result.base),
            ("the current tree", &result.head),
        ] {
            if let Some(failure) = &r.failure {
                return Ok(unavailable(format!(
                    "{name} failed in {side}: {}: {}",
                    failure.phase, failure.message
                )));
            }
        }
        let Some(judgement) = judgement else {
            continue;
        };
        let Some(unpaired) = request
            .first
            .verdicts
            .iter()
            .find(|v| v.benchmark == *name && v.measure == Measure::WallTime)
        else {
            continue;
        };
        let metric = |samples: &[benchgate_measure::Sample]| {
            Metric::from_samples(
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
                wall(samples),
            )
        };
        let pairs_judged = judgement.pairs;
        let paired = judgement.into_verdict(
            name,
            Measure::WallTime,
            metric(&result.base.samples).as_ref(),
            metric(&result.head.samples).as_ref(),
        );
        let verdict = confirmed_verdict(unpaired, paired, &commit, pairs_judged);
        if let Some(benchgate_model::Caveat::PairedConfirmation { result, .. }) =
            verdict.caveats.last()
        {
            outcomes.push(format!("{name} {}", result.as_str()));
        }
        verdicts.push(verdict);
    }
    drop(tree);
    notes.push(format!(
        "paired against the baseline's commit {short}: {}",
        outcomes.join(", ")
    ));
    Ok(Confirmed::Paired {
        suspects,
        verdicts,
        notes,
    })
}

/// The one commit the suspects' baselines were measured at, or why there is none to check out.
fn baseline_commit(origins: &[Origin], suspects: &[String]) -> Result<String, String> {
    let mut commits: Vec<String> = Vec::new();
    for name in suspects {
        for origin in origins.iter().filter(|o| o.benchmarks.contains(name)) {
            let Some(commit) = &origin.provenance.commit else {
                return Err(format!(
                    "the baseline of {name} records no commit (not measured in a git checkout, \
                     or ingested from a file)"
                ));
            };
            if origin.provenance.dirty == Some(true) {
                return Err(format!(
                    "the baseline of {name} was measured at {} with uncommitted changes, which no \
                     checkout reproduces",
                    short(commit)
                ));
            }
            if !commits.contains(commit) {
                commits.push(commit.clone());
            }
        }
    }
    match &commits[..] {
        [one] => Ok(one.clone()),
        [] => Err("the baseline holds none of them".to_string()),
        several => Err(format!(
            "the suspects' baselines were measured at {} commits ({})",
            several.len(),
            several
                .iter()
                .map(|c| short(c))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The top directory of the git checkout holding `dir`, if any.
fn toplevel(dir: &Path) -> Option<PathBuf> {
    let top = worktree::git(
        dir,
        &[OsStr::new("rev-parse"), OsStr::new("--show-toplevel")],
    )
    .ok()?;
    Some(PathBuf::from(top))
}

/// `dir` relative to the checkout's top `repo`, when it lies inside it.
fn inside(repo: &Path, dir: &Path) -> Option<PathBuf> {
    let repo = repo.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    dir.strip_prefix(&repo).ok().map(Path::to_path_buf)
}

fn short(commit: &str) -> String {
    commit.chars().take(10).collect()
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(benchmarks: &[&str], commit: Option<&str>, dirty: Option<bool>) -> Origin {
        Origin {
            benchmarks: benchmarks.iter().map(|b| b.to_string()).collect(),
            provenance: Provenance {
                commit: commit.map(str::to_string),
                dirty,
                ..Provenance::default()
            },
        }
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_suspects_baselines_must_share_one_clean_commit() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let origins = [
            origin(&["x", "y"], Some(&a), Some(false)),
            origin(&["z"], Some(&b), Some(false)),
            origin(&["w"], None, None),
            origin(&["v"], Some(&a), Some(true)),
        ];
        assert_eq!(
            baseline_commit(&origins, &names(&["x", "y"])),
            Ok(a.clone())
        );
        // Only the suspects' runs count: z's commit differs, but z is clearly unchanged.
        assert_eq!(baseline_commit(&origins, &names(&["y"])), Ok(a.clone()));
        assert_eq!(
            baseline_commit(&origins, &names(&["x", "z"])),
            Err(
                "the suspects' baselines were measured at 2 commits (aaaaaaaaaa, bbbbbbbbbb)"
                    .into()
            )
        );
        assert_eq!(
            baseline_commit(&origins, &names(&["x", "w"])),
            Err(
                "the baseline of w records no commit (not measured in a git checkout, or \
                 ingested from a file)"
                    .into()
            )
        );
        assert_eq!(
            baseline_commit(&origins, &names(&["v"])),
            Err(
                "the baseline of v was measured at aaaaaaaaaa with uncommitted changes, which no \
                 checkout reproduces"
                    .into()
            )
        );
        assert_eq!(
            baseline_commit(&origins, &names(&["u"])),
            Err("the baseline holds none of them".into())
        );
    }
}
