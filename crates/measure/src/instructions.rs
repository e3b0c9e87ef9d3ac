//! Deterministic measurement (`--measure instructions`, SPEC §4.1): runs a command once under
//! `valgrind --tool=callgrind` and returns the exact number of guest instructions it executed
//! (callgrind's `Ir` event), which — unlike wall or CPU time — does not move when the machine is
//! busy, so two runs of unchanged code give the same number.
//!
//! # How
//! `valgrind --tool=callgrind --callgrind-out-file=DIR/callgrind.out.%p
//! --log-file=DIR/valgrind.log.%p --trace-children=yes --dump-before=fork … -- PROGRAM ARGS`, in a
//! private temporary directory that is removed afterwards. Every process of the run (the command
//! and, through `--trace-children=yes`, everything it starts) writes its own out files; the count
//! is the sum of the `Ir` column of every file's `totals:` line (or its `summary:` line when a
//! file has no `totals:`), as specified in the callgrind format reference
//! (<https://valgrind.org/docs/manual/cl-format.html>). `totals:` is preferred because it is the
//! sum of the file's cost lines: callgrind's `summary:` of a process that forks comes out 9 `Ir`
//! per fork *lower* than its own cost lines (observed with valgrind 3.19), and iai-callgrind
//! prefers `totals:` for the same kind of reason.
//!
//! # Children
//! - A child that calls `exec` is counted from its `exec` on (a fresh valgrind instance); what it
//!   did between `fork` and `exec` is lost, as valgrind's manual says ("this gap is really tiny").
//! - A child that forks *without* exec (a shell's `( … )` subshell) inherits its parent's counters,
//!   so its file would repeat everything the parent did before the fork (measured: `sh -c
//!   'loop; (:)'` counted the loop twice). `--dump-before=fork` (and `_Fork`, `__libc_fork`,
//!   `vfork`, `__vfork`) makes the parent write its counts so far to a numbered part file and start
//!   from zero just before each fork, so the child starts near zero too; summing all parts of all
//!   processes then counts each instruction once (plus the few instructions of the fork wrapper
//!   itself, which both sides run). A program that forks without libc's wrappers (raw `clone`) and
//!   does not exec would still be counted twice. Each fork costs one or two extra out files
//!   (glibc's `fork` calls `_Fork`: both dump).
//! - Processes killed by SIGKILL write no out file and are missing from the count.
//!
//! # What else runs
//! The spec's `setup`, `prepare`, command (under valgrind), `conclude`, then `cleanup` run once, in
//! that order, exactly as the timing runner wires them (each in its own process group; the
//! command's stdin is [`InstructionOptions::stdin`] or `/dev/null`, the auxiliary commands' is
//! `/dev/null`; stdout to `/dev/null`; stderr captured for error reports). Only the command is
//! counted. `cleanup` runs whenever the run started, also after a failure. The environment and
//! working directory are inherited; the program is given to valgrind as its resolved path, so the
//! command sees that path as its `argv[0]`.
//!
//! # Determinism (observed on this machine, valgrind 3.19, `gzip -c Cargo.lock`, 5 559 296 Ir)
//! - Identical across repeated runs, with or without a second core kept busy, with kernel ASLR
//!   on or off (valgrind places the program itself).
//! - But the count depends on the process's initial state: 5 000 more bytes of environment gave
//!   +607 Ir; a 32-byte longer working directory (`PWD`) +14 Ir; an empty environment (no locale)
//!   −17 000 Ir. Compare counts taken with the same environment, working directory and
//!   descriptors (benchgate does: both sides of a comparison run from the same process).
//! - Programs that read clocks or random numbers (randomised hash seeds, e.g. Rust's `HashMap`,
//!   `PYTHONHASHSEED`) or whose threads race are not deterministic under callgrind either.
//!
//! # Cost
//! Callgrind runs the program ~30× slower once it is compute-bound, plus ~0.25 s of start-up per
//! process; [`InstructionOptions::timeout`] applies to that slowed-down run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::Resolver;
use crate::wrapped::{OnceOptions, run_once_wrapped};
use crate::{CommandSpec, MeasureError, Outcome};

/// Settings of one instruction-count run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionOptions {
    /// Kill any process of the run (the valgrind run or an auxiliary command) that takes longer
    /// than this, with its whole process group. Remember the ~30× slowdown under valgrind.
    pub timeout: Option<Duration>,
    /// The valgrind executable: looked up in `PATH` unless it contains a `/` (default `valgrind`).
    pub valgrind: PathBuf,
    /// Extra valgrind/callgrind options, placed after benchgate's own (a later option wins).
    /// Options that add events (`--cache-sim=yes`) are fine: only `Ir` is read.
    pub valgrind_args: Vec<OsString>,
    /// Stdin of the command; `/dev/null` when `None`.
    pub stdin: Option<PathBuf>,
    /// Count a run that exits non-zero or dies of a signal instead of returning
    /// [`MeasureError::CommandFailed`]. A timeout is always an error (its count is incomplete).
    pub ignore_failure: bool,
    /// Let all processes inherit stdout/stderr (no stderr capture then). Valgrind's own messages
    /// still go to its log files.
    pub show_output: bool,
}

impl Default for InstructionOptions {
    fn default() -> Self {
        InstructionOptions {
            timeout: None,
            valgrind: PathBuf::from("valgrind"),
            valgrind_args: Vec::new(),
            stdin: None,
            ignore_failure: false,
            show_output: false,
        }
    }
}

/// The result of one instruction-count run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionCount {
    /// Instructions executed by the command and every process it started (see the module docs).
    pub instructions: u64,
    /// Per process, by pid: the command line valgrind recorded and its instructions. Forked
    /// children have their parent's command line.
    pub processes: Vec<ProcessInstructions>,
    /// How the command ended (not a success only with [`InstructionOptions::ignore_failure`]).
    pub outcome: Outcome,
    /// Wall time of the run under valgrind (spawn to reap), for cost reporting only.
    pub wall_ns: u64,
}

/// One process's share of an [`InstructionCount`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInstructions {
    pub pid: u32,
    /// As in the out file's `cmd:` line (empty when it has none).
    pub command: String,
    /// Sum over the process's out files (one per fork it made, plus the final one).
    pub instructions: u64,
}

/// Libc's fork entry points (glibc ≥ 2.34 `fork` → `_Fork`; older glibc `__libc_fork`; musl
/// `fork`/`_Fork`). See the module docs for why callgrind must dump before them.
const FORK_FUNCTIONS: [&str; 5] = ["fork", "_Fork", "__libc_fork", "vfork", "__vfork"];

const OUT_PREFIX: &str = "callgrind.out.";
const LOG_PREFIX: &str = "valgrind.log.";
/// Lines of valgrind messages kept for an error report.
const MESSAGE_LINES: usize = 20;

/// Runs `spec` once under callgrind and returns its instruction count. See the module docs for
/// what is run and counted. Nothing runs unless valgrind and every program of the spec are found.
pub fn count_instructions(
    spec: &CommandSpec,
    options: &InstructionOptions,
) -> Result<InstructionCount, MeasureError> {
    if options.timeout == Some(Duration::ZERO) {
        return Err(MeasureError::InvalidOptions(
            "timeout must be positive".to_owned(),
        ));
    }
    let mut resolver = Resolver::default();
    let valgrind = options
        .valgrind
        .to_str()
        .and_then(|v| resolver.resolve(v).ok())
        .ok_or_else(|| MeasureError::ValgrindNotFound {
            valgrind: options.valgrind.display().to_string(),
        })?;
    let dir = tempfile::Builder::new()
        .prefix("benchgate-callgrind-")
        .tempdir()
        .map_err(|e| MeasureError::io("cannot create a directory for callgrind's output", e))?;
    // Valgrind puts relative out-file names in each process's own working directory.
    let dir_path = std::path::absolute(dir.path())
        .map_err(|e| MeasureError::io("cannot resolve the temporary directory", e))?;
    let once = OnceOptions {
        timeout: options.timeout,
        stdin: options.stdin.clone(),
        ignore_failure: options.ignore_failure,
        show_output: options.show_output,
    };
    let wrap = |program: &Path, argv: &[String]| {
        valgrind_command(&valgrind, &dir_path, &options.valgrind_args, program, argv)
    };
    let exec = run_once_wrapped(spec, &wrap, &once, &|| valgrind_messages(&dir_path))?;

    match collect(&dir_path) {
        Ok(processes) if processes.is_empty() => Err(MeasureError::NoCallgrindOutput {
            command: spec.command.to_string(),
            valgrind_messages: valgrind_messages(&dir_path),
        }),
        Ok(processes) => Ok(InstructionCount {
            instructions: processes
                .iter()
                .fold(0u64, |sum, p| sum.saturating_add(p.instructions)),
            processes,
            outcome: exec.outcome,
            wall_ns: exec.wall_ns,
        }),
        Err(e) => {
            if matches!(e, MeasureError::CallgrindParse { .. }) {
                // The error names a file in the directory: keep it for inspection.
                let _ = dir.keep();
            }
            Err(e)
        }
    }
}

/// Valgrind's `--name=VALUE` option with `%` escaped, since valgrind expands `%p`, `%q{…}` in
/// file names and aborts on an unknown `%x`.
fn file_option(name: &str, dir: &Path, file: &str) -> OsString {
    let mut out = format!("--{name}=").into_bytes();
    for &b in dir.as_os_str().as_bytes() {
        if b == b'%' {
            out.push(b'%');
        }
        out.push(b);
    }
    out.push(b'/');
    out.extend_from_slice(file.as_bytes());
    OsString::from_vec(out)
}

fn valgrind_command(
    valgrind: &Path,
    dir: &Path,
    extra: &[OsString],
    program: &Path,
    argv: &[String],
) -> Command {
    let mut cmd = Command::new(valgrind);
    cmd.arg0("valgrind");
    cmd.arg("--tool=callgrind");
    cmd.arg(file_option(
        "callgrind-out-file",
        dir,
        &format!("{OUT_PREFIX}%p"),
    ));
    // Keeps valgrind's banner and messages out of the command's stderr.
    cmd.arg(file_option("log-file", dir, &format!("{LOG_PREFIX}%p")));
    cmd.arg("--trace-children=yes");
    for f in FORK_FUNCTIONS {
        cmd.arg(format!("--dump-before={f}"));
    }
    cmd.args(extra);
    // `--` so a program path starting with `-` is not taken for an option.
    cmd.arg("--");
    cmd.arg(program);
    cmd.args(argv.iter().skip(1));
    // Its own group, as in the runner, so a timeout kills valgrind and every traced child.
    cmd.process_group(0);
    cmd
}

/// Files in `dir` whose name starts with `prefix`, sorted by name.
fn files_with_prefix(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>, MeasureError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| MeasureError::io(format!("cannot list {}", dir.display()), e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| MeasureError::io(format!("cannot list {}", dir.display()), e))?;
        if entry.file_name().as_bytes().starts_with(prefix.as_bytes()) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// Parses every out file and sums them per process (pid order).
fn collect(dir: &Path) -> Result<Vec<ProcessInstructions>, MeasureError> {
    let mut by_pid: BTreeMap<u32, ProcessInstructions> = BTreeMap::new();
    for path in files_with_prefix(dir, OUT_PREFIX)? {
        let file = File::open(&path)
            .map_err(|e| MeasureError::io(format!("cannot open {}", path.display()), e))?;
        let parsed = parse_out(BufReader::new(file), &path)?;
        let pid = parsed.pid.or_else(|| pid_from_name(&path)).unwrap_or(0);
        let entry = by_pid.entry(pid).or_insert_with(|| ProcessInstructions {
            pid,
            command: String::new(),
            instructions: 0,
        });
        entry.instructions = entry.instructions.saturating_add(parsed.instructions);
        if entry.command.is_empty()
            && let Some(c) = parsed.command
        {
            entry.command = c;
        }
    }
    Ok(by_pid.into_values().collect())
}

/// `callgrind.out.<pid>` or `callgrind.out.<pid>.<part>`.
fn pid_from_name(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix(OUT_PREFIX)?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// What one out file says.
#[derive(Debug, PartialEq, Eq)]
struct OutFile {
    pid: Option<u32>,
    command: Option<String>,
    instructions: u64,
}

/// Reads a callgrind out file (format: <https://valgrind.org/docs/manual/cl-format.html>): the
/// `events:` header says which column is `Ir`; `totals:` (else `summary:`) holds the file's costs,
/// one number per event, trailing zeros may be left out. Only these lines and `pid:`/`cmd:` are
/// looked at; the cost body is skipped, so the work is one pass over the file.
fn parse_out(mut reader: impl BufRead, path: &Path) -> Result<OutFile, MeasureError> {
    let err = |line: Option<usize>, message: String| MeasureError::CallgrindParse {
        path: path.to_owned(),
        line,
        message,
    };
    let mut ir_column: Option<usize> = None;
    let mut summary: Option<(usize, Vec<u8>)> = None;
    let mut totals: Option<(usize, Vec<u8>)> = None;
    let mut pid = None;
    let mut command = None;
    let mut buf = Vec::new();
    let mut number = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| MeasureError::io(format!("cannot read {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        number += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"events:") {
            let names = String::from_utf8_lossy(rest);
            let column = names.split_whitespace().position(|e| e == "Ir");
            ir_column = Some(column.ok_or_else(|| {
                err(
                    Some(number),
                    format!("no `Ir` among the events `{}`", names.trim()),
                )
            })?);
        } else if let Some(rest) = line.strip_prefix(b"summary:") {
            summary = Some((number, rest.to_vec()));
        } else if let Some(rest) = line.strip_prefix(b"totals:") {
            totals = Some((number, rest.to_vec()));
        } else if let Some(rest) = line.strip_prefix(b"pid:") {
            let text = String::from_utf8_lossy(rest);
            pid = Some(
                text.trim()
                    .parse::<u32>()
                    .map_err(|_| err(Some(number), format!("`{}` is not a pid", text.trim())))?,
            );
        } else if let Some(rest) = line.strip_prefix(b"cmd:") {
            command = Some(String::from_utf8_lossy(rest).trim().to_owned());
        }
    }
    let Some(column) = ir_column else {
        return Err(err(None, "no `events:` line".to_owned()));
    };
    let Some((at, costs)) = totals.or(summary) else {
        return Err(err(
            None,
            "no `totals:` or `summary:` line (was the process killed?)".to_owned(),
        ));
    };
    let costs = String::from_utf8_lossy(&costs);
    let instructions = match costs.split_whitespace().nth(column) {
        // The format lets trailing zero costs be left out.
        None => 0,
        Some(word) => word
            .parse::<u64>()
            .map_err(|_| err(Some(at), format!("`{word}` is not an instruction count")))?,
    };
    Ok(OutFile {
        pid,
        command,
        instructions,
    })
}

/// Valgrind's messages from every log file, minus the banner it prints for every process, last
/// [`MESSAGE_LINES`] lines. Best effort: this only decorates an error.
fn valgrind_messages(dir: &Path) -> String {
    let mut lines = Vec::new();
    for path in files_with_prefix(dir, LOG_PREFIX).unwrap_or_default() {
        let mut text = Vec::new();
        // Logs are a few hundred bytes; the cap only guards against a runaway one.
        if let Ok(f) = File::open(&path) {
            let _ = f.take(1 << 20).read_to_end(&mut text);
        }
        for line in String::from_utf8_lossy(&text).lines() {
            let body = strip_pid_prefix(line);
            if !is_banner(body) {
                lines.push(line.to_owned());
            }
        }
    }
    lines[lines.len().saturating_sub(MESSAGE_LINES)..].join("\n")
}

/// `==123== text` → `text`.
fn strip_pid_prefix(line: &str) -> &str {
    line.strip_prefix("==")
        .and_then(|rest| rest.split_once("== "))
        .filter(|(pid, _)| pid.bytes().all(|b| b.is_ascii_digit()))
        .map_or(line, |(_, body)| body)
}

/// The lines valgrind prints for every successful process.
fn is_banner(body: &str) -> bool {
    const BANNER: [&str; 9] = [
        "Callgrind, a call-graph",
        "Copyright (C)",
        "Using Valgrind-",
        "Command: ",
        "Parent PID: ",
        "For interactive control",
        "Events    :",
        "Collected :",
        "I   refs:",
    ];
    let body = body.trim();
    body.is_empty() || body.starts_with("==") || BANNER.iter().any(|b| body.starts_with(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<OutFile, MeasureError> {
        parse_out(text.as_bytes(), Path::new("callgrind.out.1"))
    }

    fn parse_error(text: &str) -> (Option<usize>, String) {
        match parse(text) {
            Err(MeasureError::CallgrindParse { line, message, .. }) => (line, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn totals_win_over_summary() {
        let f = parse(
            "# callgrind format\nversion: 1\npid: 4242\ncmd:  sh -c (:)\npart: 1\n\
             events: Ir\nsummary: 220332\n\nfn=(1) main\n0 5\ntotals: 220341\n",
        )
        .unwrap();
        assert_eq!(
            f,
            OutFile {
                pid: Some(4242),
                command: Some("sh -c (:)".to_owned()),
                instructions: 220341
            }
        );
    }

    #[test]
    fn summary_is_used_without_totals_and_without_final_newline() {
        let f = parse("events: Ir\nsummary: 17").unwrap();
        assert_eq!(f.instructions, 17);
        assert_eq!(f.pid, None);
    }

    #[test]
    fn ir_column_is_found_and_omitted_trailing_costs_are_zero() {
        let f = parse("events: Dr Dw Ir\ntotals: 1 2 3\n").unwrap();
        assert_eq!(f.instructions, 3);
        let f = parse("events: Dr Ir\ntotals: 5\n").unwrap();
        assert_eq!(f.instructions, 0);
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert_eq!(
            parse_error("events: Ir\nsummary: 1\ntotals: 12x\n"),
            (Some(3), "`12x` is not an instruction count".to_owned())
        );
        assert_eq!(
            parse_error("version: 1\nevents: Dr Dw\ntotals: 1 2\n"),
            (Some(2), "no `Ir` among the events `Dr Dw`".to_owned())
        );
        assert_eq!(
            parse_error("pid: abc\nevents: Ir\ntotals: 1\n"),
            (Some(1), "`abc` is not a pid".to_owned())
        );
        assert_eq!(
            parse_error("totals: 1\n"),
            (None, "no `events:` line".to_owned())
        );
        assert_eq!(
            parse_error("events: Ir\nfn=(1) main\n0 5\n"),
            (
                None,
                "no `totals:` or `summary:` line (was the process killed?)".to_owned()
            )
        );
        // Display names the file and the line.
        let e = parse("events: Ir\ntotals: -1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot parse callgrind output callgrind.out.1:2: `-1` is not an instruction count"
        );
    }

    #[test]
    fn pid_from_file_names() {
        assert_eq!(pid_from_name(Path::new("/t/callgrind.out.123")), Some(123));
        assert_eq!(
            pid_from_name(Path::new("/t/callgrind.out.123.4")),
            Some(123)
        );
        assert_eq!(pid_from_name(Path::new("/t/callgrind.out.x")), None);
    }

    #[test]
    fn banner_is_filtered_and_messages_kept() {
        assert_eq!(
            strip_pid_prefix("==383== Process terminating"),
            "Process terminating"
        );
        assert_eq!(
            strip_pid_prefix("valgrind: Unknown option"),
            "valgrind: Unknown option"
        );
        assert!(is_banner(strip_pid_prefix("==383== ")));
        assert!(is_banner(strip_pid_prefix("==383== Collected : 224354")));
        assert!(!is_banner(strip_pid_prefix(
            "==383== Process terminating with default action of signal 11 (SIGSEGV)"
        )));
    }

    #[test]
    fn percent_signs_in_the_directory_are_escaped() {
        assert_eq!(
            file_option("log-file", Path::new("/tmp/a%b"), "valgrind.log.%p"),
            OsString::from("--log-file=/tmp/a%%b/valgrind.log.%p")
        );
    }
}
