//! Baseline selectors (SPEC §7.3): the words that name a stored run or a set of runs —
//! a baseline name, `last`, `run:<id>`, `commit:<sha>`, `merge-base[:BRANCH]` or `window:N`.

use benchgate_model::display::plural;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use benchgate_model::{Mode, Run, Source};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// What a `--baseline` (or `RUN`) argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// For each benchmark being judged, its latest stored measurement of the same source,
    /// machine and mode ([`resolve_in_scope`]); without a run being judged ([`resolve`]), the
    /// newest stored run.
    Last,
    /// A run by its id.
    Run(Uuid),
    /// The newest run at a commit (full or abbreviated SHA).
    Commit(String),
    /// The newest N runs measured on this machine's fingerprint, to be pooled.
    Window(usize),
    /// A named baseline saved with `benchgate baseline save`.
    Name(String),
    /// The newest run at the merge base of HEAD and `branch` (`merge-base`, `merge-base:BRANCH`).
    /// The store knows no git: the caller finds the commit and sets `commit` before resolving.
    MergeBase {
        branch: String,
        commit: Option<String>,
    },
}

/// The branch `merge-base` means when none is named.
pub const DEFAULT_MERGE_BASE_BRANCH: &str = "main";

impl Selector {
    pub fn parse(text: &str) -> Result<Selector> {
        let text = text.trim();
        let bad = |why: String| StoreError::InvalidArgument(why);
        if text.is_empty() {
            return Err(bad("empty baseline selector".into()));
        }
        if text == "last" {
            return Ok(Selector::Last);
        }
        if text == "merge-base" {
            return Ok(Selector::MergeBase {
                branch: DEFAULT_MERGE_BASE_BRANCH.into(),
                commit: None,
            });
        }
        if let Some(branch) = text.strip_prefix("merge-base:") {
            if branch.trim().is_empty() {
                return Err(bad(format!("{text:?}: merge-base:BRANCH needs a branch")));
            }
            if branch.trim().starts_with('-') {
                return Err(bad(format!(
                    "{text:?}: a branch name cannot start with `-` (git would read it as an option)"
                )));
            }
            return Ok(Selector::MergeBase {
                branch: branch.trim().to_string(),
                commit: None,
            });
        }
        if let Some(id) = text.strip_prefix("run:") {
            return Uuid::parse_str(id)
                .map(Selector::Run)
                .map_err(|_| bad(format!("{text:?}: run:<id> needs a run id (a UUID)")));
        }
        if let Some(sha) = text.strip_prefix("commit:") {
            let sha = sha.to_ascii_lowercase();
            if sha.len() < 4 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad(format!(
                    "{text:?}: commit:<sha> needs at least 4 hexadecimal digits"
                )));
            }
            return Ok(Selector::Commit(sha));
        }
        if let Some(n) = text.strip_prefix("window:") {
            return match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Selector::Window(n)),
                _ => Err(bad(format!(
                    "{text:?}: window:N needs a positive number of runs"
                ))),
            };
        }
        if text.contains(':') {
            return Err(bad(format!(
                "{text:?}: unknown selector (expected a name, last, run:<id>, commit:<sha>, window:N or merge-base[:BRANCH])"
            )));
        }
        Ok(Selector::Name(text.to_string()))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Last => f.write_str("last"),
            Selector::Run(id) => write!(f, "run:{id}"),
            Selector::Commit(sha) => write!(f, "commit:{sha}"),
            Selector::Window(n) => write!(f, "window:{n}"),
            Selector::Name(name) => f.write_str(name),
            Selector::MergeBase { branch, .. } => write!(f, "merge-base:{branch}"),
        }
    }
}

/// The runs a selector resolved to, newest first (one run except for `window:N`), and a label
/// for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub runs: Vec<Run>,
    pub label: String,
}

/// What the `last` and `window:N` selectors need to know about the run being judged (SPEC §7.3).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The source that produced it: only runs of the same source are its `last` or `window:N`.
    pub source: &'a Source,
    /// The environment fingerprint of the machine it was measured on.
    pub fingerprint: &'a str,
    /// The run itself, when stored: never its own baseline.
    pub exclude: Option<Uuid>,
    /// The benchmarks being judged, each with its mode (its own, else the run's): what `last`
    /// looks up. [`Scope::benchmarks_of`] lists a run's.
    pub benchmarks: &'a [(String, Mode)],
}

impl<'a> Scope<'a> {
    /// Every benchmark of `run` with its mode (its own, else the run's), as
    /// [`Scope::benchmarks`] wants them.
    pub fn benchmarks_of(run: &Run) -> Vec<(String, Mode)> {
        run.benchmarks
            .iter()
            .map(|b| (b.name.clone(), b.mode_or(run.provenance.mode)))
            .collect()
    }

    /// The scope of judging `run`: its source, fingerprint and id, and `benchmarks` (usually
    /// [`Scope::benchmarks_of`] of it).
    pub fn of_run(run: &'a Run, benchmarks: &'a [(String, Mode)]) -> Scope<'a> {
        Scope {
            source: &run.source,
            fingerprint: &run.environment.fingerprint,
            exclude: Some(run.id),
            benchmarks,
        }
    }
}

/// Resolves `selector` for the run `scope` describes (SPEC §7.3):
///
/// - `last`: for each of `scope.benchmarks`, its latest stored measurement (status `ok`) of the
///   same source, fingerprint and mode, wherever it is ([`Store::latest_measurements`]). The runs
///   found are each pruned to the benchmarks they are the latest for, newest first, so
///   `pool_runs` of them holds exactly one measurement per benchmark. A benchmark that takes the
///   run's mode gets it written out (`mode: Some(..)`) when that differs from the newest run's,
///   so pooling under the newest run's header keeps every benchmark's mode. The label is
///   `last (run <id>)` when one run holds them all, else `last (per benchmark: N runs)`.
/// - `window:N`: the newest N runs of the same source on the same fingerprint, to be pooled.
/// - a name, `run:<id>`, `commit:<sha>`, `merge-base`: explicit, resolved as [`resolve`] does.
///
/// `Ok(None)` when `last` or `window:N` find nothing (a first run); an unknown name, id or commit
/// is an error.
pub fn resolve_in_scope(
    store: &dyn Store,
    selector: &Selector,
    scope: &Scope<'_>,
) -> Result<Option<Resolved>> {
    if *selector != Selector::Last {
        return resolve_scoped(
            store,
            selector,
            scope.fingerprint,
            scope.exclude,
            Some(scope.source),
        );
    }
    let found = store.latest_measurements(
        scope.source,
        scope.fingerprint,
        scope.benchmarks,
        scope.exclude,
    )?;
    let mut latest_for: BTreeMap<Uuid, HashSet<(String, Mode)>> = BTreeMap::new();
    for m in found {
        latest_for
            .entry(m.run_id)
            .or_default()
            .insert((m.benchmark, m.mode));
    }
    let mut runs = Vec::with_capacity(latest_for.len());
    for (id, wanted) in latest_for {
        let mut run = store.get_run(id)?.ok_or(StoreError::UnknownRun { id })?;
        let run_mode = run.provenance.mode;
        run.benchmarks
            .retain(|b| wanted.contains(&(b.name.clone(), b.mode_or(run_mode))));
        if !run.benchmarks.is_empty() {
            runs.push(run);
        }
    }
    runs.sort_by_key(|r| std::cmp::Reverse((r.started_at, r.id)));
    let Some(newest_mode) = runs.first().map(|r| r.provenance.mode) else {
        return Ok(None);
    };
    for run in &mut runs {
        let run_mode = run.provenance.mode;
        if run_mode != newest_mode {
            for bench in &mut run.benchmarks {
                bench.mode = Some(bench.mode_or(run_mode));
            }
        }
    }
    let label = match runs.as_slice() {
        [run] => format!("{selector} (run {})", run.id),
        _ => format!("{selector} (per benchmark: {})", plural(runs.len(), "run")),
    };
    Ok(Some(Resolved { runs, label }))
}

/// Resolves `selector` in `store`. `fingerprint` is the current machine's (for `window:N`);
/// `exclude` is the run being judged, which is never its own baseline. `last` is the newest
/// stored run of any source (what `benchgate report last` shows); to judge a run, use
/// [`resolve_in_scope`]. `Ok(None)` when `last` or `window:N` find nothing yet; an unknown name,
/// id or commit is an error.
pub fn resolve(
    store: &dyn Store,
    selector: &Selector,
    fingerprint: &str,
    exclude: Option<Uuid>,
) -> Result<Option<Resolved>> {
    resolve_scoped(store, selector, fingerprint, exclude, None)
}

/// [`resolve`] for a run produced by `source`: `last` and `window:N` consider only stored runs of
/// the same source (the newest Go ingest is no baseline for a command suite, nor the reverse).
/// Names, ids and commits are explicit and resolve as they do everywhere.
///
/// Here `last` is still the newest run of the source as a whole, which misjudges filtered runs;
/// [`resolve_in_scope`] resolves it per benchmark (SPEC §7.3) and is what judging should use.
pub fn resolve_for_source(
    store: &dyn Store,
    selector: &Selector,
    fingerprint: &str,
    exclude: Option<Uuid>,
    source: &Source,
) -> Result<Option<Resolved>> {
    resolve_scoped(store, selector, fingerprint, exclude, Some(source))
}

fn resolve_scoped(
    store: &dyn Store,
    selector: &Selector,
    fingerprint: &str,
    exclude: Option<Uuid>,
    source: Option<&Source>,
) -> Result<Option<Resolved>> {
    let load =
        |id: Uuid| -> Result<Run> { store.get_run(id)?.ok_or(StoreError::UnknownRun { id }) };
    let label = selector.to_string();
    let single = |run: Run| {
        Ok(Some(Resolved {
            label: format!("{label} (run {})", run.id),
            runs: vec![run],
        }))
    };
    match selector {
        Selector::Last => {
            let newest = match source {
                Some(source) => store.latest_runs_of_source(source, None, 2)?,
                None => store.list_runs(2)?,
            }
            .into_iter()
            .find(|r| Some(r.id) != exclude);
            match newest {
                Some(summary) => single(load(summary.id)?),
                None => Ok(None),
            }
        }
        Selector::Run(id) => single(load(*id)?),
        Selector::MergeBase { branch, commit } => {
            let Some(sha) = commit else {
                return Err(StoreError::InvalidArgument(format!(
                    "merge-base:{branch}: the merge base's commit was not looked up"
                )));
            };
            match resolve_scoped(
                store,
                &Selector::Commit(sha.clone()),
                fingerprint,
                exclude,
                source,
            ) {
                Ok(Some(r)) => Ok(Some(Resolved {
                    label: format!("merge-base:{branch} = {}", r.label),
                    runs: r.runs,
                })),
                Ok(None) => Ok(None),
                Err(StoreError::InvalidArgument(_)) => Err(StoreError::InvalidArgument(format!(
                    "merge-base:{branch} is commit {sha}, and no run is stored at it"
                ))),
                Err(e) => Err(e),
            }
        }
        Selector::Commit(sha) => {
            let runs = store.runs_at_commit(sha)?;
            let commits: std::collections::BTreeSet<&str> =
                runs.iter().filter_map(|r| r.commit.as_deref()).collect();
            if commits.len() > 1 {
                return Err(StoreError::InvalidArgument(format!(
                    "commit:{sha} is ambiguous: it matches {} commits",
                    commits.len()
                )));
            }
            match runs.into_iter().find(|r| Some(r.id) != exclude) {
                Some(summary) => single(load(summary.id)?),
                None => Err(StoreError::InvalidArgument(format!(
                    "no stored run at commit {sha}"
                ))),
            }
        }
        Selector::Window(n) => {
            let summaries = match source {
                Some(source) => store.latest_runs_of_source(source, Some(fingerprint), n + 1)?,
                None => store.latest_runs_with_fingerprint(fingerprint, n + 1)?,
            };
            let runs = summaries
                .into_iter()
                .filter(|r| Some(r.id) != exclude)
                .take(*n)
                .map(|r| load(r.id))
                .collect::<Result<Vec<Run>>>()?;
            if runs.is_empty() {
                return Ok(None);
            }
            Ok(Some(Resolved {
                label: format!("{label} ({})", plural(runs.len(), "run")),
                runs,
            }))
        }
        Selector::Name(name) => match store.baseline(name)? {
            Some(id) => single(load(id)?),
            None => Err(StoreError::UnknownBaseline { name: name.clone() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Selector::parse("last").unwrap(), Selector::Last);
        assert_eq!(
            Selector::parse(" main ").unwrap(),
            Selector::Name("main".into())
        );
        assert_eq!(Selector::parse("window:30").unwrap(), Selector::Window(30));
        assert_eq!(
            Selector::parse("commit:ABCDEF1").unwrap(),
            Selector::Commit("abcdef1".into())
        );
        let id = Uuid::from_u128(7);
        assert_eq!(
            Selector::parse(&format!("run:{id}")).unwrap(),
            Selector::Run(id)
        );
        for bad in [
            "",
            "window:0",
            "window:x",
            "commit:xyz",
            "commit:ab",
            "run:42",
            "tag:v1",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Selector::Window(3).to_string(), "window:3");
        assert_eq!(
            Selector::parse("merge-base").unwrap(),
            Selector::MergeBase {
                branch: "main".into(),
                commit: None
            }
        );
        assert_eq!(
            Selector::parse("merge-base:release/1.2")
                .unwrap()
                .to_string(),
            "merge-base:release/1.2"
        );
        assert!(Selector::parse("merge-base:").is_err());
    }

    #[test]
    fn a_branch_never_reaches_git_as_an_option() {
        for text in [
            "merge-base:--all",
            "merge-base:-x",
            "merge-base: --output=/tmp/x",
        ] {
            let err = Selector::parse(text).unwrap_err().to_string();
            assert!(
                err.contains("a branch name cannot start with `-`"),
                "{text}: {err}"
            );
        }
        assert_eq!(
            Selector::parse("merge-base:feature/-x").unwrap(),
            Selector::MergeBase {
                branch: "feature/-x".into(),
                commit: None
            }
        );
    }
}
