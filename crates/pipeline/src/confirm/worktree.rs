//! A temporary `git worktree` of the baseline's commit, removed whatever happens: by its guard's
//! `Drop` on success and on an error return, and by a janitor process when benchgate dies of a
//! signal (Ctrl-C kills benchgate by the signal itself — measure's handler re-raises it — so no
//! destructor runs then).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use super::ConfirmError;

/// Removes a worktree after its owner is gone: it waits for end of file on its standard input
/// (the write end is held by benchgate, so it closes when benchgate exits, however it exits),
/// then removes the worktree and prunes git's record of it. It ignores the signals a terminal
/// sends the whole foreground group, and runs in a process group of its own.
const JANITOR: &str = "trap '' INT TERM HUP; cat >/dev/null; \
    git -C \"$1\" worktree remove --force \"$2\" >/dev/null 2>&1; rm -rf \"$3\"; \
    git -C \"$1\" worktree prune >/dev/null 2>&1";

/// A checkout of `commit` in a temporary directory, registered with the repository at `repo`.
pub struct Worktree {
    repo: PathBuf,
    path: PathBuf,
    /// Holds the temporary directory (and deletes what is left of it last).
    _dir: tempfile::TempDir,
    janitor: Option<(Child, ChildStdin)>,
}

impl Worktree {
    /// `git worktree add --detach` of `commit` into a new temporary directory.
    pub fn add(repo: &Path, commit: &str) -> Result<Worktree, ConfirmError> {
        let dir = tempfile::Builder::new()
            .prefix("benchgate-baseline-")
            .tempdir()
            .map_err(|source| ConfirmError::Io {
                context: "cannot create a temporary directory for the baseline's worktree".into(),
                source,
            })?;
        let path = dir.path().join("tree");
        // The janitor first, so not even an interrupt right after `git worktree add` leaves the
        // worktree behind.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(JANITOR)
            .arg("sh")
            .arg(repo)
            .arg(&path)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| ConfirmError::Io {
                context: "cannot start sh".into(),
                source,
            })?;
        let janitor = child.stdin.take().map(|stdin| (child, stdin));
        let worktree = Worktree {
            repo: repo.to_path_buf(),
            path,
            _dir: dir,
            janitor,
        };
        git(
            repo,
            &[
                "worktree".as_ref(),
                "add".as_ref(),
                "--detach".as_ref(),
                worktree.path.as_os_str(),
                commit.as_ref(),
            ],
        )?;
        Ok(worktree)
    }

    /// Where the checkout is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git(
            &self.repo,
            &[
                "worktree".as_ref(),
                "remove".as_ref(),
                "--force".as_ref(),
                self.path.as_os_str(),
            ],
        );
        let _ = git(&self.repo, &["worktree".as_ref(), "prune".as_ref()]);
        // Done here already: the janitor, woken by end of file, finds nothing left to do.
        if let Some((mut child, mut stdin)) = self.janitor.take() {
            let _ = stdin.flush();
            drop(stdin);
            let _ = child.wait();
        }
    }
}

/// Runs git in `repo`; its first line of standard error is the error.
pub(super) fn git(repo: &Path, args: &[&std::ffi::OsStr]) -> Result<String, ConfirmError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ConfirmError::Io {
            context: "cannot run git".into(),
            source,
        })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(ConfirmError::Git {
        command: format!(
            "git {}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        message: stderr.lines().next().unwrap_or("").trim().to_string(),
    })
}
