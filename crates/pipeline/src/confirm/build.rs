//! The `[build] command` of paired confirmation: run with `sh -c` in a tree, timed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ConfirmError;

/// How many lines of a failed build's output its error quotes.
const QUOTED_LINES: usize = 5;

/// Runs `command` with `sh -c` in `dir` (its output captured, not shown) and returns how long it
/// took. `which` names the tree in errors (`the baseline's commit abc123`, `the current tree`).
pub fn build(command: &str, dir: &Path, which: &str) -> Result<Duration, ConfirmError> {
    let start = Instant::now();
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ConfirmError::Io {
            context: format!("cannot run the build command in {}", dir.display()),
            source,
        })?;
    let took = start.elapsed();
    if output.status.success() {
        return Ok(took);
    }
    // The end of the output says why, for compilers and make alike.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(QUOTED_LINES)..].join(" / ");
    Err(ConfirmError::Build {
        which: which.to_string(),
        command: command.to_string(),
        status: output.status.to_string(),
        output: tail,
    })
}
