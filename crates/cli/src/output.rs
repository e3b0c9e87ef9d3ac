//! Writing results: the console a command prints to (this process's standard output and error,
//! or any two writers for an in-process caller), standard output that tolerates a closed pipe
//! (`benchgate … | head` exits quietly), and export files written whole or not at all.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use benchgate_pipeline::temp_files::without_temp_path;

/// Where a command's output goes: its report to `stdout`; notes, warnings, errors and progress
/// lines to `stderr`. Clones share the writers.
#[derive(Clone)]
pub struct Console {
    stdout: Arc<Mutex<dyn Write + Send>>,
    stderr: Arc<Mutex<dyn Write + Send>>,
    /// The writers are this process's own standard streams: only then may they be terminals, and
    /// only then is a file that is one of them (`--export-json /dev/stdout`) written through them.
    own_streams: bool,
    /// Standard output's reader went away: the command ends quietly, with status 0.
    closed: Arc<AtomicBool>,
}

impl Console {
    /// This process's standard output and error.
    pub fn process() -> Console {
        Console {
            stdout: Arc::new(Mutex::new(io::stdout())),
            stderr: Arc::new(Mutex::new(io::stderr())),
            own_streams: true,
            closed: Arc::default(),
        }
    }

    /// Any two writers, e.g. buffers that capture a command's output in-process. They are never
    /// terminals.
    pub fn new(
        stdout: impl Write + Send + 'static,
        stderr: impl Write + Send + 'static,
    ) -> Console {
        Console {
            stdout: Arc::new(Mutex::new(stdout)),
            stderr: Arc::new(Mutex::new(stderr)),
            own_streams: false,
            closed: Arc::default(),
        }
    }

    /// Whether standard output's reader went away (see [`Console::print`]).
    pub fn stdout_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub fn stdout_is_terminal(&self) -> bool {
        self.own_streams && io::stdout().is_terminal()
    }

    pub fn stderr_is_terminal(&self) -> bool {
        self.own_streams && io::stderr().is_terminal()
    }

    /// Writes `text` to standard output. A closed pipe is an error that ends the command quietly
    /// with status 0 (see [`crate::run`]): the reader has what it wanted.
    pub fn print(&self, text: &str) -> anyhow::Result<()> {
        let mut stdout = self.stdout.lock().unwrap_or_else(PoisonError::into_inner);
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::SeqCst);
                Err(e).context("standard output was closed")
            }
            Err(e) => Err(e).context("cannot write to standard output"),
        }
    }

    /// Writes `bytes` to standard error as they are.
    pub fn write_stderr(&self, bytes: &[u8]) -> io::Result<()> {
        let mut stderr = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        stderr.write_all(bytes).and_then(|()| stderr.flush())
    }

    /// Writes `text` and a newline to standard error: a note, warning, error or progress line.
    /// Best effort: a closed standard error must not stop a command. Once standard output's
    /// reader went away nothing more is said, as the command ends quietly.
    pub fn eprint_line(&self, text: &str) {
        if !self.stdout_closed() {
            let _ = self.write_stderr(format!("{text}\n").as_bytes());
        }
    }
}

thread_local! {
    /// The console of the command running on this thread ([`with_console`]).
    static CURRENT: RefCell<Option<Console>> = const { RefCell::new(None) };
}

/// Runs `f` with `console` as this thread's [`console`], restoring the previous one after.
pub fn with_console<T>(console: &Console, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Console>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|current| current.borrow_mut().replace(console.clone()));
    let _restore = Restore(previous);
    f()
}

/// The console of the command running on this thread: the one [`with_console`] set, else this
/// process's standard streams. A thread a command starts gets it passed.
pub fn console() -> Console {
    CURRENT
        .with(|current| current.borrow().clone())
        .unwrap_or_else(Console::process)
}

/// Prints `text` to the command's standard output (see [`Console::print`]).
pub fn print(text: &str) -> anyhow::Result<()> {
    console().print(text)
}

/// Prints `text` and a newline to the command's standard error (see [`Console::eprint_line`]).
pub fn eprint_line(text: &str) {
    console().eprint_line(text);
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
    let console = console();
    match own_stream(&console, path) {
        Some(Stream::Stdout) => return console.print(contents),
        Some(Stream::Stderr) => {
            return console
                .write_stderr(contents.as_bytes())
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
/// any, when the console writes to them.
fn own_stream(console: &Console, path: &Path) -> Option<Stream> {
    use std::os::fd::AsFd;
    if !console.own_streams {
        return None;
    }
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
