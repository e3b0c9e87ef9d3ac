use thiserror::Error;

/// Why a document could not be read as a benchgate run or comparison.
#[derive(Debug, Error)]
pub enum ModelError {
    /// Not JSON at all, or JSON of the wrong shape; `path` is the JSON path where it went wrong.
    #[error("{path}: {message} (line {line}, column {column})")]
    Json {
        path: String,
        message: String,
        line: usize,
        column: usize,
    },
    /// Valid JSON with a different or missing `schema` tag.
    #[error("not a benchgate run: schema is {found}, expected \"{expected}\"")]
    Schema {
        found: String,
        expected: &'static str,
    },
    /// Well-formed but inconsistent content.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}
