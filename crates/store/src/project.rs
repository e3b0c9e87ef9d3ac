//! Projects (SPEC §9): a team server keeps the runs of several projects apart. Every run belongs
//! to one; the CLI's local runs, and every run stored before projects existed, to
//! [`DEFAULT_PROJECT`].

use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreError;

/// The project of runs stored without one: the CLI's, and those from before schema version 8.
pub const DEFAULT_PROJECT: &str = "default";

/// The longest project name, in characters.
pub const MAX_PROJECT_NAME: usize = 100;

/// What a project name may hold, said once for every message that refuses one.
pub const PROJECT_NAME_RULE: &str = "1 to 100 printable ASCII characters other than / \\ ? # %, \
     not starting or ending with a space";

/// One project of the store: its name, how many runs it holds and when its newest one started.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSummary {
    pub name: String,
    pub runs: usize,
    /// `None` while it holds no run (a project a token names, or the default one).
    pub newest_run_at: Option<OffsetDateTime>,
}

/// One branch of a project: the runs measured on it and the newest of them.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchSummary {
    /// `None` for the runs whose branch is not known (measured outside git, or detached).
    pub name: Option<String>,
    pub runs: usize,
    pub newest_run_id: Uuid,
    pub newest_run_at: OffsetDateTime,
    pub newest_commit: Option<String>,
}

/// A project name as [`PROJECT_NAME_RULE`] says, else [`StoreError::BadProjectName`]. The
/// rule keeps names readable in a URL path segment and a query; quotes and semicolons are
/// allowed and stored literally (every statement binds them as parameters).
pub fn check_project_name(name: &str) -> crate::Result<()> {
    let bad = |reason: &str| {
        Err(StoreError::BadProjectName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.chars().count() > MAX_PROJECT_NAME {
        return bad("it is longer than 100 characters");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(' '..='~').contains(c) || matches!(c, '/' | '\\' | '?' | '#' | '%'))
    {
        return bad(&format!("it holds {c:?}"));
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        return bad("it starts or ends with a space");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_follow_the_rule() {
        for good in [
            "default",
            "web-api",
            "a",
            "x'; DROP TABLE runs; --",
            "A b.c_d",
        ] {
            assert!(check_project_name(good).is_ok(), "{good}");
        }
        assert!(check_project_name(&"p".repeat(100)).is_ok());
        let reason = |name: &str| match check_project_name(name) {
            Err(StoreError::BadProjectName { reason, .. }) => reason,
            other => panic!("{name:?}: {other:?}"),
        };
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason(&"p".repeat(101)), "it is longer than 100 characters");
        assert_eq!(reason("a/b"), "it holds '/'");
        assert_eq!(reason("a\nb"), "it holds '\\n'");
        assert_eq!(reason("é"), "it holds 'é'");
        assert_eq!(reason("50%"), "it holds '%'");
        assert_eq!(reason(" web"), "it starts or ends with a space");
        assert_eq!(
            check_project_name("a?b").unwrap_err().to_string(),
            "bad project name \"a?b\": it holds '?'; a project name is 1 to 100 printable ASCII \
             characters other than / \\ ? # %, not starting or ending with a space"
        );
    }
}
