//! Caps on what benchgate reads from one file and captures from one command's output, so an
//! endless input (`ingest /dev/zero`, `exec -- yes`) ends in a clear error instead of exhausting
//! memory. One limit for both: 1 GiB by default (a 200 MB `go test -bench` file is a real
//! case), `BENCHGATE_MAX_INPUT` (`256MiB`, `4GiB`, a number of bytes) to change it.

use std::io::Read;
use std::path::Path;

use benchgate_config::{Kind, parse_quantity};

/// The variable that sets the limit.
pub const MAX_INPUT_ENV: &str = "BENCHGATE_MAX_INPUT";

/// The limit without `BENCHGATE_MAX_INPUT`: 1 GiB.
pub const DEFAULT_MAX_INPUT: u64 = 1 << 30;

/// Why a file could not be read whole.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {label}")]
    Unreadable {
        label: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{label} is larger than the input limit of {} (set {MAX_INPUT_ENV}, e.g. to 4GiB, to read \
         more)",
        shown(*limit)
    )]
    OverLimit { label: String, limit: u64 },
    #[error("{MAX_INPUT_ENV}={text:?}: expected a size such as \"256MiB\" or \"4GiB\"")]
    BadLimit { text: String },
}

/// The most bytes one input may hold: `BENCHGATE_MAX_INPUT` or [`DEFAULT_MAX_INPUT`].
pub fn max_input() -> Result<u64, ReadError> {
    match std::env::var_os(MAX_INPUT_ENV) {
        None => Ok(DEFAULT_MAX_INPUT),
        Some(text) => parse_max_input(&text.to_string_lossy()),
    }
}

/// The limit `text` (the value of `BENCHGATE_MAX_INPUT`) sets: a size or a number of bytes, at
/// least one.
pub fn parse_max_input(text: &str) -> Result<u64, ReadError> {
    match parse_quantity(text) {
        Ok((bytes, Kind::Size | Kind::Plain)) if bytes >= 1.0 && bytes < u64::MAX as f64 => {
            Ok(bytes as u64)
        }
        _ => Err(ReadError::BadLimit {
            text: text.to_string(),
        }),
    }
}

/// A limit as people write it: `1 GiB`, `256 MiB`, `1000 bytes`.
pub fn shown(limit: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(size, _)| limit >= *size && limit.is_multiple_of(*size))
        .map_or_else(
            || format!("{limit} bytes"),
            |(size, unit)| format!("{} {unit}", limit / size),
        )
}

/// Reads the whole file at `path` (named `label` in errors), refusing one larger than the limit
/// before reading it when its size is known, and after reading just past the limit when it is
/// not (a pipe, a device such as `/dev/zero`).
pub fn read_file(path: &Path, label: &str) -> Result<Vec<u8>, ReadError> {
    read_file_within(path, label, max_input()?)
}

pub fn read_file_within(path: &Path, label: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
    let unreadable = |source| ReadError::Unreadable {
        label: label.to_string(),
        source,
    };
    let over_limit = || ReadError::OverLimit {
        label: label.to_string(),
        limit,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(over_limit());
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(over_limit());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_shown_in_the_largest_unit_that_divides_it() {
        assert_eq!(shown(1 << 30), "1 GiB");
        assert_eq!(shown(256 << 20), "256 MiB");
        assert_eq!(shown(3 << 10), "3 KiB");
        assert_eq!(shown(1536 << 20), "1536 MiB");
        assert_eq!(shown(1000), "1000 bytes");
        assert_eq!(shown(1), "1 bytes");
    }

    #[test]
    fn the_limit_is_a_size_or_a_number_of_bytes() {
        assert_eq!(parse_max_input("256MiB").unwrap(), 256 << 20);
        assert_eq!(parse_max_input("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_max_input("1000").unwrap(), 1000);
        for bad in ["a lot", "0", "10ms", ""] {
            assert_eq!(
                parse_max_input(bad).unwrap_err().to_string(),
                format!(
                    "BENCHGATE_MAX_INPUT={bad:?}: expected a size such as \"256MiB\" or \"4GiB\""
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ten.txt");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(
            read_file_within(&path, "ten.txt", 10).unwrap(),
            b"0123456789"
        );
        assert_eq!(
            read_file_within(&path, "ten.txt", 9)
                .unwrap_err()
                .to_string(),
            "ten.txt is larger than the input limit of 9 bytes (set BENCHGATE_MAX_INPUT, e.g. to \
             4GiB, to read more)"
        );
        let missing = read_file_within(&dir.path().join("none"), "none", 10).unwrap_err();
        assert_eq!(missing.to_string(), "cannot read none");
        assert!(std::error::Error::source(&missing).is_some());
    }
}
