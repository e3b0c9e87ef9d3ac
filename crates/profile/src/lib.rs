//! Profiles on demand (SPEC §4, issue 16): one more run of a benchmark's command under a
//! profiler, kept beside the run so a report can link it — what a reader wants next to "this got
//! 12 % slower" is *where*.
//!
//! - [`Profiler::Perf`]: `perf record -e cpu-clock -F 999 -g` (a software event: hardware
//!   counters are often not available on CI machines and VMs) → `NAME.perf.data`, read with
//!   `perf report -i`.
//! - [`Profiler::Callgrind`]: `valgrind --tool=callgrind` → `NAME.callgrind.out`, exact and
//!   deterministic instruction counts per function, read with `callgrind_annotate` or KCachegrind.
//! - [`Profiler::Flamegraph`]: perf as above, then `perf script`, stacks collapsed and drawn with
//!   inferno (a library here, so it is never missing) → `NAME.svg` (and the perf data).
//!
//! A profiler the machine lacks, or one that cannot run there (perf refused by
//! `perf_event_paranoid`, no permission), is a [`Capture::Unavailable`] with the reason — said in
//! the report, never a failure of the run: a profile is a help to the reader, not a verdict.
//! Every capture is bounded by a timeout (the process group is killed), and writes its files into
//! a temporary file first, renamed into place when complete.

use std::ffi::OsString;
use std::io::{BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Which profiler to run a command under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profiler {
    Perf,
    Callgrind,
    Flamegraph,
}

impl Profiler {
    /// As the flag spells it: `perf`, `callgrind`, `flamegraph`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profiler::Perf => "perf",
            Profiler::Callgrind => "callgrind",
            Profiler::Flamegraph => "flamegraph",
        }
    }

    /// The profiler named `text`, or why not.
    pub fn parse(text: &str) -> Result<Profiler, String> {
        match text {
            "perf" => Ok(Profiler::Perf),
            "callgrind" => Ok(Profiler::Callgrind),
            "flamegraph" => Ok(Profiler::Flamegraph),
            other => Err(format!(
                "unknown profiler {other:?}: expected perf, callgrind or flamegraph"
            )),
        }
    }
}

/// What to profile: a program, its arguments, where it runs.
#[derive(Debug, Clone)]
pub struct Target {
    pub program: OsString,
    pub args: Vec<OsString>,
    /// The working directory; the caller's when `None`.
    pub dir: Option<PathBuf>,
}

/// Where and how to capture.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// The directory the profile's files go to (created if missing).
    pub out_dir: PathBuf,
    /// The files' stem, e.g. the benchmark's name made safe for a file name.
    pub stem: String,
    /// The profiled run is killed after this long (callgrind runs a program ~30× slower).
    pub timeout: Duration,
    /// The `perf` and `valgrind` executables (looked up in `PATH` unless they hold a `/`).
    pub perf: OsString,
    pub valgrind: OsString,
}

impl CaptureOptions {
    /// `perf` and `valgrind` from `PATH`, a 5-minute timeout.
    pub fn new(out_dir: impl Into<PathBuf>, stem: impl Into<String>) -> CaptureOptions {
        CaptureOptions {
            out_dir: out_dir.into(),
            stem: stem.into(),
            timeout: Duration::from_secs(300),
            perf: "perf".into(),
            valgrind: "valgrind".into(),
        }
    }
}

/// What a capture gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    /// The profile's files, the one to open first first (the SVG of a flame graph).
    Captured { files: Vec<PathBuf> },
    /// No profile, and why (a missing or refused profiler): said, not failed over.
    Unavailable { reason: String },
}

/// Why a capture could not even be tried: the output directory cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot write profiles into {dir}: {source}")]
    OutDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Characters a stem keeps; everything else becomes `_` (benchmark names hold `/`, `=`, spaces).
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("_{stem}")
    } else {
        stem
    }
}

/// Runs `target` once under `profiler` and keeps the profile in `options.out_dir`.
pub fn capture(
    profiler: Profiler,
    target: &Target,
    options: &CaptureOptions,
) -> Result<Capture, ProfileError> {
    std::fs::create_dir_all(&options.out_dir).map_err(|source| ProfileError::OutDir {
        dir: options.out_dir.clone(),
        source,
    })?;
    let stem = file_stem(&options.stem);
    let out = |suffix: &str| options.out_dir.join(format!("{stem}.{suffix}"));
    let partial = tempfile::Builder::new()
        .prefix(".profile-")
        .tempdir_in(&options.out_dir)
        .map_err(|source| ProfileError::OutDir {
            dir: options.out_dir.clone(),
            source,
        })?;
    let result = match profiler {
        Profiler::Perf => {
            let data = partial.path().join("perf.data");
            perf_record(target, options, &data).and_then(|()| {
                keep(&data, &out("perf.data"))?;
                Ok(vec![out("perf.data")])
            })
        }
        Profiler::Callgrind => {
            let data = partial.path().join("callgrind.out");
            callgrind(target, options, &data).and_then(|()| {
                keep(&data, &out("callgrind.out"))?;
                Ok(vec![out("callgrind.out")])
            })
        }
        Profiler::Flamegraph => {
            let data = partial.path().join("perf.data");
            let svg = partial.path().join("flamegraph.svg");
            perf_record(target, options, &data)
                .and_then(|()| flamegraph(options, &data, &svg, &options.stem))
                .and_then(|()| {
                    keep(&data, &out("perf.data"))?;
                    keep(&svg, &out("svg"))?;
                    Ok(vec![out("svg"), out("perf.data")])
                })
        }
    };
    Ok(match result {
        Ok(files) => Capture::Captured { files },
        Err(reason) => Capture::Unavailable { reason },
    })
}

fn keep(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::rename(from, to).map_err(|e| format!("cannot keep {}: {e}", to.display()))
}

fn perf_record(target: &Target, options: &CaptureOptions, data: &Path) -> Result<(), String> {
    let mut command = Command::new(&options.perf);
    command
        .args(["record", "-e", "cpu-clock", "-F", "999", "-g", "-q", "-o"])
        .arg(data)
        .arg("--")
        .arg(&target.program)
        .args(&target.args);
    run_bounded(command, target, options.timeout, "perf", "linux-perf")?;
    if !data.is_file() {
        return Err("perf recorded nothing (no perf.data was written)".to_string());
    }
    Ok(())
}

fn callgrind(target: &Target, options: &CaptureOptions, out: &Path) -> Result<(), String> {
    let mut command = Command::new(&options.valgrind);
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--quiet")
        .arg("--")
        .arg(&target.program)
        .args(&target.args);
    run_bounded(command, target, options.timeout, "valgrind", "valgrind")?;
    if !out.is_file() {
        return Err("callgrind wrote no profile".to_string());
    }
    Ok(())
}

/// Runs `command` (the profiler around the target) in its own process group with the target's
/// directory, its output discarded and its error output kept for the reason, killed after
/// `timeout`. A profiler that is not there, cannot run, or fails is the reason, in one line.
fn run_bounded(
    mut command: Command,
    target: &Target,
    timeout: Duration,
    tool: &str,
    package: &str,
) -> Result<(), String> {
    if let Some(dir) = &target.dir {
        command.current_dir(dir);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("{tool} is not installed (on Debian: apt-get install {package})")
        }
        _ => format!("cannot run {tool}: {e}"),
    })?;
    // Read stderr on its own thread so a chatty profiler cannot block on a full pipe.
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stderr) = stderr {
            let _ = BufReader::new(stderr)
                .take(64 * 1024)
                .read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // SAFETY: signalling the process group of the child we started.
                unsafe {
                    libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
                }
                let _ = child.wait();
                let _ = reader.join();
                return Err(format!("{tool} did not finish within {timeout:?}: killed"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for {tool}: {e}")),
        }
    };
    let said = reader.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    let last = said
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("no message");
    Err(format!("{tool} failed ({status}): {last}"))
}

/// `perf script` of `data`, collapsed and drawn as a flame graph titled `title` into `svg`.
fn flamegraph(
    options: &CaptureOptions,
    data: &Path,
    svg: &Path,
    title: &str,
) -> Result<(), String> {
    use inferno::collapse::Collapse;
    let script = Command::new(&options.perf)
        .arg("script")
        .arg("-i")
        .arg(data)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run perf script: {e}"))?;
    if !script.status.success() {
        return Err(format!("perf script failed ({})", script.status));
    }
    let mut folded = Vec::new();
    inferno::collapse::perf::Folder::from(inferno::collapse::perf::Options::default())
        .collapse(&script.stdout[..], &mut folded)
        .map_err(|e| format!("cannot collapse perf's stacks: {e}"))?;
    if folded.is_empty() {
        return Err("perf recorded no stack to draw".to_string());
    }
    let text = String::from_utf8_lossy(&folded);
    let mut flame = inferno::flamegraph::Options::default();
    flame.title = format!("{title} (perf, cpu-clock)");
    let file =
        std::fs::File::create(svg).map_err(|e| format!("cannot write the flame graph: {e}"))?;
    inferno::flamegraph::from_lines(&mut flame, text.lines(), std::io::BufWriter::new(file))
        .map_err(|e| format!("cannot draw the flame graph: {e}"))
}
