//! Writing results: standard output that tolerates a closed pipe (`benchgate … | head` exits
//! quietly), and export files written whole or not at all.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Prints `text` to standard output. A closed pipe ends the process quietly with status 0: the
/// reader has what it wanted.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a rename, so readers
/// never see half a file.
pub fn write_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Appends Markdown to the GitHub Actions step summary when `$GITHUB_STEP_SUMMARY` is set.
pub fn append_step_summary(markdown: &str) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| {
            format!(
                "cannot open $GITHUB_STEP_SUMMARY ({})",
                Path::new(&path).display()
            )
        })?;
    file.write_all(markdown.as_bytes()).with_context(|| {
        format!(
            "cannot write $GITHUB_STEP_SUMMARY ({})",
            Path::new(&path).display()
        )
    })
}
