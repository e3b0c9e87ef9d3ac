//! The crate's error type.

use std::io;
use std::path::PathBuf;

use crate::{Outcome, Phase};

/// Infrastructure and input errors. Messages do not repeat their `source`: print the chain
/// (`{:#}` with anyhow) to see it. A benchmarked command that fails is *not* an error: it is
/// reported as a [`crate::Failure`] inside its [`crate::CommandResult`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// A command (or `--prepare`/… command) is empty or only whitespace.
    #[error("empty {what}")]
    EmptyCommand { what: String },

    /// A command line could not be split into words (e.g. an unbalanced quote).
    #[error("cannot parse {what} `{command}`: {message}")]
    Parse {
        what: String,
        command: String,
        message: String,
    },

    /// A `--parameter-scan`/`--parameter-list` definition is unusable.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter { name: String, message: String },

    /// A `{name}` placeholder in a command that names no parameter.
    #[error(
        "`{command}`: placeholder {{{name}}} names no parameter (define a parameter {name}, or write {{{{{name}}}}} for a literal {{{name}}})"
    )]
    UndefinedPlaceholder { name: String, command: String },
    /// Commands × the product of the parameters' value counts exceeds
    /// [`crate::MAX_COMBINATIONS`]; refused before anything is expanded. `benchmarks` is `None`
    /// when the product overflows 64 bits.
    #[error(
        "the parameters' values multiply out to {} benchmarks; the limit is {limit} (use fewer \
         values)",
        benchmarks.map_or_else(|| "more than 2^64".to_string(), |c| c.to_string())
    )]
    TooManyCombinations {
        benchmarks: Option<u64>,
        limit: usize,
    },

    /// The auxiliary-command list has a length other than 0, 1 or the number of commands.
    #[error(
        "{what} was given {given} times but there {} (give it once or once per command)",
        if *commands == 1 { "is 1 command".to_string() } else { format!("are {commands} commands") }
    )]
    AuxCount {
        what: String,
        given: usize,
        commands: usize,
    },

    /// Inconsistent [`crate::RunnerOptions`].
    #[error("invalid options: {0}")]
    InvalidOptions(String),

    /// Preflight: a program could not be found or is not executable.
    #[error("command not found: {command}{hint}", hint = not_found_hint(.command))]
    CommandNotFound { command: String },

    /// The `--input`/stdin file could not be opened.
    #[error("cannot open stdin file {}", .path.display())]
    Stdin { path: PathBuf, source: io::Error },

    /// Starting a process failed although preflight passed.
    #[error("failed to spawn `{command}`")]
    Spawn { command: String, source: io::Error },

    /// Any other operating-system failure while running (waiting, capturing stderr, …).
    #[error("{context}")]
    Io { context: String, source: io::Error },

    /// The spawner process (see [`crate::start_spawner`]) could not be started, has exited, or
    /// answered out of protocol.
    #[error("spawner: {context}")]
    Spawner {
        context: String,
        #[source]
        source: Option<io::Error>,
    },

    /// A process description is larger than a message to the spawner may be.
    #[error("{what} is too large to hand to the spawner: {size} bytes (limit {limit})")]
    MessageTooLarge {
        what: String,
        size: usize,
        limit: usize,
    },

    /// Instruction counts: the valgrind executable could not be found.
    #[error(
        "instruction counts need valgrind (apt-get install valgrind): `{valgrind}` not found{hint}",
        hint = not_found_hint(.valgrind)
    )]
    ValgrindNotFound { valgrind: String },

    /// Instruction counts: the command (under valgrind) or one of its setup/prepare/conclude/
    /// cleanup commands failed or timed out. (The timing runner reports such failures as a
    /// [`crate::Failure`] instead; a count from a failed run would not be comparable.)
    #[error("{}", failed_message(*.phase, .command, .message, .stderr_tail, .valgrind_messages))]
    CommandFailed {
        phase: Phase,
        command: String,
        outcome: Outcome,
        /// `exited with status 1`, `killed by signal 11 (SIGSEGV)`, `timed out after 2s`.
        message: String,
        /// Last ≤ 20 lines of the command's own stderr (valgrind's messages are not in it).
        stderr_tail: String,
        /// Valgrind's messages about the run (its start-up banner removed), last ≤ 20 lines.
        valgrind_messages: String,
    },

    /// Instruction counts: the run succeeded but valgrind wrote no callgrind out file.
    #[error("valgrind wrote no callgrind output for `{command}`{}", indented("valgrind", .valgrind_messages))]
    NoCallgrindOutput {
        command: String,
        valgrind_messages: String,
    },

    /// Instruction counts: a callgrind out file is not in the expected format. The file is kept.
    #[error(
        "cannot parse callgrind output {}{}: {message}",
        .path.display(),
        .line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    CallgrindParse {
        path: PathBuf,
        /// 1-based; `None` when something is missing from the whole file.
        line: Option<usize>,
        message: String,
    },
}

fn failed_message(
    phase: Phase,
    command: &str,
    message: &str,
    stderr_tail: &str,
    valgrind_messages: &str,
) -> String {
    let what = match phase {
        Phase::Run => format!("`{command}` {message} under valgrind"),
        other => format!("{other} command `{command}` {message}"),
    };
    format!(
        "{what}{}{}",
        indented("stderr", stderr_tail),
        indented("valgrind", valgrind_messages)
    )
}

/// `\n<label>:\n  line\n  line`, or nothing for empty text.
fn indented(label: &str, text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let mut out = format!("\n{label}:");
    for line in text.lines() {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out
}

fn not_found_hint(command: &str) -> &'static str {
    if command.contains('/') {
        " (no such executable file)"
    } else {
        " (searched PATH)"
    }
}

impl MeasureError {
    pub(crate) fn spawner(context: impl Into<String>, source: Option<io::Error>) -> Self {
        MeasureError::Spawner {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        MeasureError::Io {
            context: context.into(),
            source,
        }
    }
}
