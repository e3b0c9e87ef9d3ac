//! Why an operation failed, as the stable names reports and budgets use (`exit:N`, `signal:N`,
//! `timeout`, `spawn`, `output-check`; HTTP: `connect`, `http:N`, `reset`, `io`), their counts and
//! the first message of each kind. Pure: no I/O.

use std::collections::BTreeMap;
use std::fmt;

/// The kind of a failed operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// The command exited with a non-zero status.
    Exit(i32),
    /// The command was killed by a signal it did not get from the runner.
    Signal(i32),
    /// The command outlived its timeout and the runner killed it.
    Timeout,
    /// The command could not be started at all.
    Spawn,
    /// The command exited 0 but its output failed the output check (or could not be read).
    OutputCheck,
    /// HTTP: the connection to the target could not be opened (refused, unreachable).
    Connect,
    /// HTTP: the response's status was 500 or above (`http:503`); lower statuses are answers.
    Http(u16),
    /// HTTP: the connection was reset or closed before the response was complete.
    Reset,
    /// HTTP: any other transport or protocol failure.
    Io,
}

impl ErrorKind {
    /// Classifies how a process ended: `None` for success (exit 0). `code` and `signal` are what
    /// `ExitStatus::code()` and `ExitStatusExt::signal()` return; a status with neither (not
    /// possible on Unix) counts as a signal 0 so it is never mistaken for success.
    pub fn from_status(code: Option<i32>, signal: Option<i32>) -> Option<ErrorKind> {
        match (code, signal) {
            (Some(0), _) => None,
            (Some(code), _) => Some(ErrorKind::Exit(code)),
            (None, Some(signal)) => Some(ErrorKind::Signal(signal)),
            (None, None) => Some(ErrorKind::Signal(0)),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Exit(code) => write!(f, "exit:{code}"),
            ErrorKind::Signal(signal) => write!(f, "signal:{signal}"),
            ErrorKind::Timeout => f.write_str("timeout"),
            ErrorKind::Spawn => f.write_str("spawn"),
            ErrorKind::OutputCheck => f.write_str("output-check"),
            ErrorKind::Connect => f.write_str("connect"),
            ErrorKind::Http(status) => write!(f, "http:{status}"),
            ErrorKind::Reset => f.write_str("reset"),
            ErrorKind::Io => f.write_str("io"),
        }
    }
}

/// Longest example message kept per kind, in characters.
pub const MAX_EXAMPLE_CHARS: usize = 200;

/// Failed operations counted by kind, in a stable order, with the first message of each kind
/// (an example for the report; later messages of the same kind are not kept, so memory does not
/// grow with the number of failures).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorCounts {
    by_kind: BTreeMap<ErrorKind, u64>,
    examples: BTreeMap<ErrorKind, String>,
}

impl ErrorCounts {
    pub fn record(&mut self, kind: ErrorKind) {
        *self.by_kind.entry(kind).or_insert(0) += 1;
    }

    /// Counts a failure and keeps `message` (cut to [`MAX_EXAMPLE_CHARS`]) when it is the first
    /// message of its kind.
    pub fn record_with_message(&mut self, kind: ErrorKind, message: Option<&str>) {
        self.record(kind);
        if let Some(message) = message
            && !self.examples.contains_key(&kind)
        {
            self.examples
                .insert(kind, truncate_chars(message, MAX_EXAMPLE_CHARS));
        }
    }

    /// The first message recorded for this kind.
    pub fn example(&self, kind: ErrorKind) -> Option<&str> {
        self.examples.get(&kind).map(String::as_str)
    }

    /// How many operations failed with this kind.
    pub fn count(&self, kind: ErrorKind) -> u64 {
        self.by_kind.get(&kind).copied().unwrap_or(0)
    }

    /// All failed operations.
    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }

    /// Kinds with their counts, ordered `exit:N` (by N), `signal:N`, `timeout`, `spawn`,
    /// `output-check`, `connect`, `http:N` (by N), `reset`, `io`.
    pub fn iter(&self) -> impl Iterator<Item = (ErrorKind, u64)> + '_ {
        self.by_kind.iter().map(|(kind, count)| (*kind, *count))
    }
}

/// `text` cut to at most `max` characters (an ellipsis marks the cut).
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classify_into_kinds() {
        assert_eq!(ErrorKind::from_status(Some(0), None), None);
        assert_eq!(
            ErrorKind::from_status(Some(3), None),
            Some(ErrorKind::Exit(3))
        );
        assert_eq!(
            ErrorKind::from_status(None, Some(9)),
            Some(ErrorKind::Signal(9))
        );
        assert_eq!(
            ErrorKind::from_status(None, None),
            Some(ErrorKind::Signal(0))
        );
    }

    #[test]
    fn kinds_display_as_stable_names() {
        let names: Vec<String> = [
            ErrorKind::Exit(1),
            ErrorKind::Signal(15),
            ErrorKind::Timeout,
            ErrorKind::Spawn,
            ErrorKind::OutputCheck,
            ErrorKind::Connect,
            ErrorKind::Http(503),
            ErrorKind::Reset,
            ErrorKind::Io,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "exit:1",
                "signal:15",
                "timeout",
                "spawn",
                "output-check",
                "connect",
                "http:503",
                "reset",
                "io"
            ]
        );
    }

    #[test]
    fn counts_add_up_by_kind_in_stable_order() {
        let mut counts = ErrorCounts::default();
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::Exit(2),
            ErrorKind::Exit(1),
            ErrorKind::Timeout,
            ErrorKind::Spawn,
        ] {
            counts.record(kind);
        }
        assert_eq!(counts.total(), 5);
        assert_eq!(counts.count(ErrorKind::Timeout), 2);
        assert_eq!(counts.count(ErrorKind::Signal(9)), 0);
        let listed: Vec<(String, u64)> = counts.iter().map(|(k, n)| (k.to_string(), n)).collect();
        assert_eq!(
            listed,
            [
                ("exit:1".to_string(), 1),
                ("exit:2".to_string(), 1),
                ("timeout".to_string(), 2),
                ("spawn".to_string(), 1)
            ]
        );
    }

    #[test]
    fn the_first_message_of_each_kind_is_kept_and_cut_to_200_chars() {
        let mut counts = ErrorCounts::default();
        counts.record_with_message(ErrorKind::Exit(1), Some("exit:1: first"));
        counts.record_with_message(ErrorKind::Exit(1), Some("exit:1: second"));
        counts.record_with_message(ErrorKind::Timeout, None);
        counts.record_with_message(ErrorKind::Timeout, Some("timeout: later"));
        let long = "x".repeat(300);
        counts.record_with_message(ErrorKind::OutputCheck, Some(&long));
        assert_eq!(counts.count(ErrorKind::Exit(1)), 2);
        assert_eq!(counts.example(ErrorKind::Exit(1)), Some("exit:1: first"));
        assert_eq!(counts.example(ErrorKind::Timeout), Some("timeout: later"));
        let cut = counts.example(ErrorKind::OutputCheck).unwrap();
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.starts_with("xxx") && cut.ends_with('…'));
        assert_eq!(counts.example(ErrorKind::Spawn), None);
    }
}
