//! Profiles on demand (`--profile`, SPEC §4, issue 16): a link from a judged benchmark to the
//! profile one more run of it left on disk, or the reason there is none. Every report shows them
//! next to the verdicts: after "12 % slower", where the time went.

use serde::{Deserialize, Serialize};

use crate::Side;

/// The files a manifest of profiles may list for one run, at most (one per benchmark and side,
/// two files each for a flame graph).
pub const MAX_PROFILES: usize = 10_000;

/// One benchmark's profile, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileLink {
    pub benchmark: String,
    /// For a comparison of two builds run here (`ab`), whose command was profiled; `None` for
    /// the run's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// `perf`, `callgrind` or `flamegraph`.
    pub profiler: String,
    /// The profile's files, the one to open first first (a flame graph's SVG), as paths from
    /// where benchgate ran (absolute when the profile directory was given absolute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Why there is no profile: a profiler missing or refused, a run that failed under it, a
    /// benchmark with no command of its own to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

impl ProfileLink {
    /// The benchmark as a report names the profile: with the side of an A/B comparison.
    pub fn label(&self) -> String {
        match self.side {
            Some(Side::Baseline) => format!("{} (base)", self.benchmark),
            Some(Side::Current) => format!("{} (head)", self.benchmark),
            None => self.benchmark.clone(),
        }
    }

    /// The file to open first, if a profile was captured.
    pub fn main_file(&self) -> Option<&str> {
        self.files.first().map(String::as_str)
    }
}
