//! Baseline selectors (SPEC §7.3): the words that name a stored run or a set of runs —
//! a baseline name, `last`, `run:<id>`, `commit:<sha>` or `window:N`.

use std::fmt;

use benchgate_model::{Run, Source};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// What a `--baseline` (or `RUN`) argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The newest stored run (other than the one being judged).
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

/// Resolves `selector` in `store`. `fingerprint` is the current machine's (for `window:N`);
/// `exclude` is the run being judged, which is never its own baseline. `Ok(None)` when `last` or
/// `window:N` find nothing yet; an unknown name, id or commit is an error.
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
                label: format!("{label} ({} runs)", runs.len()),
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
}
