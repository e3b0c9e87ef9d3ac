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
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use benchgate_measure::{CommandSpec, MeasureError, OnceOptions, Outcome, Phase, run_once_wrapped};

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
    /// Standard input of the profiled command (`/dev/null` when `None`), as its benchmark has.
    pub stdin: Option<PathBuf>,
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
            stdin: None,
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

/// Runs `spec` once under `profiler` — its `setup`, `prepare`, `conclude` and `cleanup` around
/// it as when it is measured — and keeps the profile in `options.out_dir`.
pub fn capture(
    profiler: Profiler,
    spec: &CommandSpec,
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
            perf_record(spec, options, &data).and_then(|()| {
                keep(&data, &out("perf.data"))?;
                Ok(vec![out("perf.data")])
            })
        }
        Profiler::Callgrind => {
            let data = partial.path().join("callgrind.out");
            callgrind(spec, options, &data).and_then(|()| {
                keep(&data, &out("callgrind.out"))?;
                Ok(vec![out("callgrind.out")])
            })
        }
        Profiler::Flamegraph => {
            let data = partial.path().join("perf.data");
            let svg = partial.path().join("flamegraph.svg");
            perf_record(spec, options, &data)
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

fn perf_record(spec: &CommandSpec, options: &CaptureOptions, data: &Path) -> Result<(), String> {
    let perf = installed(&options.perf, "perf", "linux-perf")?;
    let wrap = |program: &Path, argv: &[String]| {
        let mut command = Command::new(&perf);
        command
            .args(["record", "-e", "cpu-clock", "-F", "999", "-g", "-q", "-o"])
            .arg(data)
            .arg("--")
            .arg(program)
            .args(argv.iter().skip(1));
        command
    };
    run_under(spec, &wrap, options, "perf")?;
    if !data.is_file() {
        return Err("perf recorded nothing (no perf.data was written)".to_string());
    }
    Ok(())
}

fn callgrind(spec: &CommandSpec, options: &CaptureOptions, out: &Path) -> Result<(), String> {
    let valgrind = installed(&options.valgrind, "valgrind", "valgrind")?;
    let mut out_file = OsString::from("--callgrind-out-file=");
    out_file.push(out);
    let wrap = |program: &Path, argv: &[String]| {
        let mut command = Command::new(&valgrind);
        command
            .arg("--tool=callgrind")
            .arg(&out_file)
            .arg("--quiet")
            .arg("--")
            .arg(program)
            .args(argv.iter().skip(1));
        command
    };
    run_under(spec, &wrap, options, "valgrind")?;
    if !out.is_file() {
        return Err("callgrind wrote no profile".to_string());
    }
    Ok(())
}

/// `tool` as a path to run: itself when it holds a `/`, else found in `PATH`; the reason, with
/// the Debian package to install, when it is not there.
fn installed(tool: &OsString, name: &str, package: &str) -> Result<PathBuf, String> {
    let path = Path::new(tool);
    let missing = || format!("{name} is not installed (on Debian: apt-get install {package})");
    if tool.as_encoded_bytes().contains(&b'/') {
        return path
            .is_file()
            .then(|| path.to_path_buf())
            .ok_or_else(missing);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(path))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(missing)
}

/// One run of `spec` with its command under the profiler (`wrap`), bounded by the timeout. A
/// profiler that cannot run, a command that fails under it, a setup that fails: the reason, in
/// one line.
fn run_under(
    spec: &CommandSpec,
    wrap: &benchgate_measure::Wrap<'_>,
    options: &CaptureOptions,
    tool: &str,
) -> Result<(), String> {
    let once = OnceOptions {
        timeout: Some(options.timeout),
        stdin: options.stdin.clone(),
        ignore_failure: false,
        show_output: false,
    };
    match run_once_wrapped(spec, wrap, &once, &String::new) {
        Ok(_) => Ok(()),
        Err(MeasureError::CommandFailed {
            phase: Phase::Run,
            outcome: Outcome::TimedOut,
            ..
        }) => Err(format!(
            "{tool} did not finish within {:?}: killed",
            options.timeout
        )),
        Err(MeasureError::CommandFailed {
            phase: Phase::Run,
            message,
            stderr_tail,
            ..
        }) => {
            // The profiler's complaint (perf refused by perf_event_paranoid) or the command's,
            // whichever came last.
            let last = stderr_tail
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or("no message");
            Err(format!("{tool} failed ({message}): {last}"))
        }
        Err(e) => Err(format!("cannot run the benchmark under {tool}: {e}")),
    }
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
