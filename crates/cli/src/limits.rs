//! Caps on what benchgate reads from one file and captures from one command's output, so an
//! endless input (`ingest /dev/zero`, `exec -- yes`) ends in a clear error instead of exhausting
//! memory. One limit for both: 1 GiB by default (a 200 MB `go test -bench` file is a real
//! case), `BENCHGATE_MAX_INPUT` (`256MiB`, `4GiB`, a number of bytes) to change it.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use benchgate_config::{Kind, parse_quantity};

/// The variable that sets the limit.
pub const MAX_INPUT_ENV: &str = "BENCHGATE_MAX_INPUT";

/// The limit without `BENCHGATE_MAX_INPUT`: 1 GiB.
pub const DEFAULT_MAX_INPUT: u64 = 1 << 30;

/// The most bytes one input may hold: `BENCHGATE_MAX_INPUT` or [`DEFAULT_MAX_INPUT`].
pub fn max_input() -> anyhow::Result<u64> {
    let Some(text) = std::env::var_os(MAX_INPUT_ENV) else {
        return Ok(DEFAULT_MAX_INPUT);
    };
    let text = text.to_string_lossy();
    match parse_quantity(&text) {
        Ok((bytes, Kind::Size | Kind::Plain)) if bytes >= 1.0 && bytes < u64::MAX as f64 => {
            Ok(bytes as u64)
        }
        _ => bail!("{MAX_INPUT_ENV}={text:?}: expected a size such as \"256MiB\" or \"4GiB\""),
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

/// What to say when `what` passed the limit.
pub fn over_limit(what: &str, limit: u64) -> String {
    format!(
        "{what} is larger than the input limit of {} (set {MAX_INPUT_ENV}, e.g. to 4GiB, to read \
         more)",
        shown(limit)
    )
}

/// Reads the whole file at `path` (named `label` in errors), refusing one larger than the limit
/// before reading it when its size is known, and after reading just past the limit when it is
/// not (a pipe, a device such as `/dev/zero`).
pub fn read_file(path: &Path, label: &str) -> anyhow::Result<Vec<u8>> {
    let limit = max_input()?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {label}"))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot read {label}"))?;
    if metadata.is_file() && metadata.len() > limit {
        bail!("{}", over_limit(label, limit));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {label}"))?;
    if bytes.len() as u64 > limit {
        bail!("{}", over_limit(label, limit));
    }
    Ok(bytes)
}
