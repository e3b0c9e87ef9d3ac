use std::path::PathBuf;

/// Why a generation failed. Nothing it was writing is left behind.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// A parameter out of range or inconsistent (the message names it).
    #[error("{0}")]
    Parameter(String),
    #[error("{tool} not found on PATH or in /usr/sbin, /sbin (it is in the {package} package)")]
    MissingTool {
        tool: &'static str,
        package: &'static str,
    },
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("{} exists (pass --force to replace it)", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write in {}: {source}", path.display())]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
