//! Renders benchgate's runs and comparisons for people and machines (SPEC §8): aligned terminal
//! tables in the style of benchstat, Markdown for pull-request comments and step summaries, and
//! JSON, JUnit XML, CSV and a self-contained HTML page (with each time series as an inline SVG chart). Each format is one module behind the [`Format`] trait; values are scaled for humans by
//! [`units`] at the last moment (the model keeps nanoseconds and bytes).

mod csv;
mod describe;
pub mod escape;
mod html;
mod json;
mod junit;
mod markdown;
mod profiles;
mod projected;
mod table;
mod terminal;
pub mod units;

use benchgate_model::{Comparison, ProfileLink, Run, Verdict};

pub use csv::{Csv, SeriesRow, series_csv, series_jsonl};
pub use html::charts;
pub use html::charts::{ChangePoint, History, HistoryPoint};
pub use html::{Html, HtmlReport};
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use projected::{PROJECTION_SCHEMA, ProjectedReport, ProjectedTable};
pub use terminal::Terminal;

/// How many terminal columns `text` takes: a CJK character two, a combining accent none. What
/// aligns columns of names (after escaping them for the terminal), where `{:<width$}` would count
/// `char`s.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` terminal columns (none if it is already as wide).
pub fn pad_to_width(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    let mut padded = String::with_capacity(text.len() + pad);
    padded.push_str(text);
    padded.extend(std::iter::repeat_n(' ', pad));
    padded
}

/// One output format.
pub trait Format {
    /// A run's measurements; `comparisons` holds verdicts of later benchmarks against the first
    /// (the ad-hoc `benchgate run -- A -- B` case) and may be empty.
    fn run(&self, run: &Run, comparisons: &[Verdict]) -> String;
    /// A judged comparison of two runs.
    fn comparison(&self, comparison: &Comparison) -> String;
    /// The links to the profiles `--profile` took, to follow [`Format::run`]'s report (a
    /// comparison's are inside [`Format::comparison`]); `None` for a format whose report is one
    /// document (JSON, JUnit, HTML, CSV): its profiles are in the run's manifest.
    fn profiles(&self, _links: &[ProfileLink]) -> Option<String> {
        None
    }
    /// A projected comparison (tables of columns, each judged against its table's first);
    /// `None` for a format that does not render one.
    fn projected(&self, _report: &ProjectedReport<'_>) -> Option<String> {
        None
    }
}
