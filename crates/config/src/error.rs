use std::path::PathBuf;

use thiserror::Error;

/// Why a configuration could not be used. Displayed as one line.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read; why is the source (shown after it, not repeated in it).
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: larger than {limit} bytes; a configuration file is far smaller", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    /// A values file (declared baseline, budget file) whose entry at `key` (a dotted path) is
    /// wrong.
    #[error("{}: {key}: {message}", path.display())]
    AtKey {
        path: PathBuf,
        key: String,
        message: String,
    },
    /// A values file that is not valid JSON, TOML or YAML.
    #[error("{}: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    /// A values file whose extension says no format benchgate reads.
    #[error("{}: unknown format (expected a .json, .toml, .yaml or .yml file)", path.display())]
    Format { path: PathBuf },
    /// Malformed TOML or invalid content, at a 1-based line and column (in characters).
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// 1-based line and column (counted in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
