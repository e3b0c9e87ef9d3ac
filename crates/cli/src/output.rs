//! Writing results: standard output that tolerates a closed pipe (`benchgate … | head` exits
//! quietly), and export files written whole or not at all.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use benchgate_pipeline::temp_files::without_temp_path;

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

/// Writes `contents` to `path`. A regular file (or a new one) is replaced atomically: a temporary
/// file beside it, then a rename, so readers never see half a file; it keeps the old file's
/// permissions, and a new one gets the umask's. A symbolic link is written through to its target,
/// and a special file (`/dev/stdout`, a FIFO, a device) is written to as it is: never replaced by
/// a regular file.
///
/// A path that is this process's own standard output or error (`/dev/stdout`, `/dev/fd/2`, a
/// link to either) is written to that stream, after what was printed there: opening it anew
/// would truncate a file the shell redirected it to, or replace it.
pub fn write_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let cannot = || format!("cannot write {}", path.display());
    match own_stream(path) {
        Some(Stream::Stdout) => return print(contents),
        Some(Stream::Stderr) => {
            let mut stderr = io::stderr().lock();
            return stderr
                .write_all(contents.as_bytes())
                .and_then(|()| stderr.flush())
                .with_context(cannot);
        }
        None => {}
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(resolved) => resolved,
            // A dangling link: create what it points at.
            Err(_) => {
                return std::fs::write(path, contents.as_bytes()).with_context(cannot);
            }
        },
        _ => path.to_path_buf(),
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(meta) = &existing {
        let kind = meta.file_type();
        if kind.is_dir() {
            anyhow::bail!("cannot write {}: is a directory", path.display());
        }
        if kind.is_fifo() || kind.is_char_device() || kind.is_block_device() || kind.is_socket() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .with_context(cannot)?;
            return file.write_all(contents.as_bytes()).with_context(cannot);
        }
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Mode 0666 at creation, so the umask applies as to any new file.
    let mut tmp = tempfile::Builder::new()
        .prefix(".benchgate-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(without_temp_path)
        .with_context(cannot)?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(cannot)?;
    if let Some(meta) = existing {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .with_context(cannot)?;
    }
    tmp.persist(&target).with_context(cannot)?;
    Ok(())
}

enum Stream {
    Stdout,
    Stderr,
}

/// Which of this process's standard streams `path` is (the same file: device and inode), if
/// any.
fn own_stream(path: &Path) -> Option<Stream> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let target = std::fs::metadata(path).ok()?;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
        let meta = file.metadata().ok()?;
        Some(meta.dev() == target.dev() && meta.ino() == target.ino())
    };
    if same(io::stdout().as_fd()) == Some(true) {
        Some(Stream::Stdout)
    } else if same(io::stderr().as_fd()) == Some(true) {
        Some(Stream::Stderr)
    } else {
        None
    }
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
