use std::fmt;

use thiserror::Error;

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The input as a whole (empty, binary, of the wrong kind).
    Input,
    /// A line of a text format (1-based), with a column when it is known.
    Line { line: usize, column: Option<usize> },
    /// A JSON path (`$.results[0].times[3]`) and the line and column of the JSON text.
    Json {
        path: String,
        line: usize,
        column: usize,
    },
}

/// Why an input could not be read. The file the input came from is added by the caller (the CLI
/// names it first: `go.txt: line 12: …`); `file` names a file *inside* a multi-file input such as
/// a criterion directory.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct ParseError {
    pub file: Option<String>,
    pub location: Location,
    /// What was wrong and what was expected, e.g. `expected a number of iterations, found "x"`.
    pub message: String,
    /// Advice shown after the location, e.g. that the input looks like another format.
    pub hint: Option<String>,
}

impl ParseError {
    /// A problem with the input as a whole.
    pub fn input(message: impl Into<String>) -> ParseError {
        ParseError {
            file: None,
            location: Location::Input,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem on a line of a text format (1-based).
    pub fn line(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            file: None,
            location: Location::Line { line, column: None },
            message: message.into(),
            hint: None,
        }
    }

    /// A problem at a JSON path; `line`/`column` are those of the JSON text (0 when unknown).
    pub fn json(
        path: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> ParseError {
        ParseError {
            file: None,
            location: Location::Json {
                path: path.into(),
                line,
                column,
            },
            message: message.into(),
            hint: None,
        }
    }

    /// The same error, inside `file` of a multi-file input.
    pub fn in_file(mut self, file: impl Into<String>) -> ParseError {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match &self.location {
            Location::Input => write!(f, "{}", self.message),
            Location::Line { line, column: None } => write!(f, "line {line}: {}", self.message),
            Location::Line {
                line,
                column: Some(column),
            } => write!(f, "line {line}, column {column}: {}", self.message),
            Location::Json { path, line: 0, .. } => write!(f, "{path}: {}", self.message),
            Location::Json { path, line, column } => {
                write!(f, "{path}: {} (line {line}, column {column})", self.message)
            }
        }?;
        match &self.hint {
            Some(hint) => write!(f, "; {hint}"),
            None => Ok(()),
        }
    }
}
