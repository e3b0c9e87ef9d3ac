//! The crate's error type.

use std::io;
use std::path::PathBuf;

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

    /// The auxiliary-command list has a length other than 0, 1 or the number of commands.
    #[error(
        "{what} was given {given} times but there are {commands} commands (give it once or once per command)"
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
}

fn not_found_hint(command: &str) -> &'static str {
    if command.contains('/') {
        " (no such executable file)"
    } else {
        " (searched PATH)"
    }
}

impl MeasureError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        MeasureError::Io {
            context: context.into(),
            source,
        }
    }
}
