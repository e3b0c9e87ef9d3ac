//! Metrics read from a command's own output (SPEC §4.3, issue 13 item 3): a CLI that prints its
//! TPS as JSON or "commit took 12.5 ms" has its figures taken from each run's stdout (or from a
//! file each run writes, [`OutputSpec::file`]), by JSON path or regex, and an output check can
//! mark a run failed (`{ "ok": false }`).
//!
//! Pure: no I/O. Definitions are compiled once, up front ([`MetricDefinition::new`],
//! [`OutputCheck::new`]), so a configuration with an invalid path or regex is refused before
//! anything runs; reading one run's output ([`OutputSpec::read`]) then only matches.
//!
//! JSON paths are the singular subset of JSONPath (RFC 9535) that names one value: `$`, `.name`,
//! `['name']` / `["name"]`, `[index]` (negative counts from the end). Wildcards, descendants,
//! filters and slices select several values, and a metric is one number, so they are refused.
//! Written here rather than taken from `serde_json_path` or `jsonpath-rust`: those implement the
//! whole language (node lists, filters, functions) behind proc macros and parser generators,
//! about 100 k lines of dependencies for the ~150 this subset needs.

use std::cell::OnceCell;
use std::fmt;
use std::path::PathBuf;

use regex::{Regex, RegexBuilder};
use serde_json::Value;

/// The most output read for metrics: 1 MiB, far above any figure a command prints. Larger output
/// fails the run rather than being read partly (a truncated JSON document is not JSON, and a regex
/// would silently miss a value past the cut).
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// The most memory a compiled metric regex may take (`RegexBuilder::size_limit`): 1 MiB.
pub const MAX_REGEX_BYTES: usize = 1 << 20;

/// Longest excerpt of the output (a JSON value, a captured text) quoted in an error.
const EXCERPT_CHARS: usize = 60;

/// Which way a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Better {
    /// Times, sizes, error counts.
    #[default]
    Lower,
    /// Throughput, hit rates.
    Higher,
}

impl Better {
    /// `"higher"` or `"lower"`.
    pub fn parse(text: &str) -> Option<Better> {
        match text {
            "higher" => Some(Better::Higher),
            "lower" => Some(Better::Lower),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// The unit a metric's values are kept in, and the factor from the unit the command prints them
/// in: a command printing milliseconds has `{ unit: "ns", scale: 1e6 }`, so its values compare
/// with every other duration. The caller (the configuration) decides; this module only multiplies.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricUnit {
    /// The unit of the values returned (`"ns"`, `"B"`, `"tx/s"`, …).
    pub unit: String,
    /// Each value read is multiplied by this (finite and positive).
    pub scale: f64,
}

impl MetricUnit {
    /// Values kept as printed, in `unit`.
    pub fn as_printed(unit: impl Into<String>) -> MetricUnit {
        MetricUnit {
            unit: unit.into(),
            scale: 1.0,
        }
    }
}

/// Where a metric's value is in the output, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A JSON path into the output parsed as one JSON document (`$.tps`).
    Json(String),
    /// A regex whose capture group holds the number (`commit took ([0-9.]+) ms`): the group
    /// named `value` if there is one, else the first; the first match in the output counts.
    Regex(String),
}

/// Why a metric or check definition cannot be used. One line; follows the key's name in a
/// configuration error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DefinitionError {
    #[error("a metric needs a name")]
    EmptyName,
    #[error("metric name {0:?} may only hold letters, digits, \"_\", \"-\" and \".\"")]
    InvalidName(String),
    #[error("{} is not a JSON path: {reason}", quoted(.path))]
    JsonPath { path: String, reason: String },
    #[error("invalid regex {}: {reason}", quoted(.pattern))]
    Regex { pattern: String, reason: String },
    #[error(
        "regex {} has no capture group for the value (put the number in parentheses, as in \
         'took ([0-9.]+) ms')",
        quoted(.pattern)
    )]
    NoCaptureGroup { pattern: String },
    #[error("scale {scale} is not a finite positive number")]
    InvalidScale { scale: f64 },
}

/// What was wrong with one run's output, for a metric or the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the output is empty")]
    EmptyOutput,
    #[error("the output is {len} bytes, more than the {limit} read for metrics")]
    OutputTooLarge { len: usize, limit: usize },
    #[error("the output is not JSON ({reason})")]
    NotJson { reason: String },
    #[error("{path} is missing from the output")]
    Missing { path: String },
    /// `found` is the value as JSON, shortened.
    #[error("{path} is {found}, not a number")]
    NotANumber { path: String, found: String },
    #[error("regex {} matches nothing in the output", quoted(.pattern))]
    NoMatch { pattern: String },
    #[error(
        "regex {} matched {matched:?} but its capture group {group} took no part in the match",
        quoted(.pattern)
    )]
    GroupMissing {
        pattern: String,
        group: String,
        matched: String,
    },
    #[error("regex {} captured {captured:?}, not a number", quoted(.pattern))]
    CapturedNotANumber { pattern: String, captured: String },
    /// The number is finite as printed but not once converted into the metric's unit.
    #[error("{found} is out of range in {unit}")]
    OutOfRange { found: String, unit: String },
    /// The check's value differs from the one demanded.
    #[error("{path} is {found}, expected {expected}")]
    NotEqual {
        path: String,
        found: String,
        expected: String,
    },
}

/// Why a run's output makes the run fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// A metric's value could not be read.
    #[error("metric {metric:?}: {problem}")]
    Metric { metric: String, problem: Problem },
    /// The output check did not hold: the output says the run failed.
    #[error("output check failed: {problem}")]
    Check { problem: Problem },
    /// The run did not write [`OutputSpec::file`] (shown as written in the configuration).
    #[error("{} was not written", .file.display())]
    FileNotWritten { file: PathBuf },
    /// [`OutputSpec::file`] exists but cannot be read (a directory, no permission).
    #[error("cannot read {}: {reason}", .file.display())]
    FileUnreadable { file: PathBuf, reason: String },
}

/// A compiled JSON path: the singular subset (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Member(String),
    /// Negative: from the end (`-1` is the last element).
    Index(i64),
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, DefinitionError> {
        let fail = |reason: String| DefinitionError::JsonPath {
            path: text.to_string(),
            reason,
        };
        let chars: Vec<char> = text.chars().collect();
        if chars.first() != Some(&'$') {
            return Err(fail("it must start with \"$\" (as in \"$.tps\")".into()));
        }
        let mut steps = Vec::new();
        let mut i = 1;
        // 1-based character positions in messages.
        let several = |at: usize| {
            format!(
                "wildcards, \"..\", filters and slices at character {} select several values; \
                 a metric is one value",
                at + 1
            )
        };
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let start = i + 1;
                    if let Some('.' | '*') = chars.get(start) {
                        return Err(fail(several(start)));
                    }
                    let mut end = start;
                    while end < chars.len() && is_name_char(chars[end]) {
                        end += 1;
                    }
                    if end == start {
                        return Err(fail(format!(
                            "expected a member name after \".\" at character {}",
                            i + 1
                        )));
                    }
                    steps.push(Step::Member(chars[start..end].iter().collect()));
                    i = end;
                }
                '[' => {
                    let open = i;
                    i = skip_spaces(&chars, i + 1);
                    let step = match chars.get(i) {
                        Some(&quote @ ('\'' | '"')) => {
                            let (name, after) = quoted_name(&chars, i, quote).map_err(&fail)?;
                            i = after;
                            Step::Member(name)
                        }
                        Some(c) if c.is_ascii_digit() || *c == '-' => {
                            let start = i;
                            i += 1;
                            while i < chars.len() && chars[i].is_ascii_digit() {
                                i += 1;
                            }
                            let digits: String = chars[start..i].iter().collect();
                            match digits.parse::<i64>() {
                                Ok(n) => Step::Index(n),
                                Err(_) if digits == "-" => {
                                    return Err(fail(format!(
                                        "expected an index after \"-\" at character {}",
                                        start + 1
                                    )));
                                }
                                Err(_) => {
                                    return Err(fail(format!("index {digits} is too large")));
                                }
                            }
                        }
                        Some('*' | '?' | ':') => return Err(fail(several(i))),
                        None => {
                            return Err(fail(format!("unclosed \"[\" at character {}", open + 1)));
                        }
                        Some(c) => {
                            return Err(fail(format!(
                                "expected an index or a quoted name at character {}, found {c:?}",
                                i + 1
                            )));
                        }
                    };
                    i = skip_spaces(&chars, i);
                    match chars.get(i) {
                        Some(']') => i += 1,
                        Some(',' | ':') => return Err(fail(several(i))),
                        None => {
                            return Err(fail(format!("unclosed \"[\" at character {}", open + 1)));
                        }
                        Some(c) => {
                            return Err(fail(format!(
                                "expected \"]\" at character {}, found {c:?}",
                                i + 1
                            )));
                        }
                    }
                    steps.push(step);
                }
                c => {
                    return Err(fail(format!(
                        "expected \".\" or \"[\" at character {}, found {c:?}",
                        i + 1
                    )));
                }
            }
        }
        Ok(JsonPath {
            text: text.to_string(),
            steps,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value the path names in `document`, if any.
    pub fn find<'v>(&self, document: &'v Value) -> Option<&'v Value> {
        self.steps
            .iter()
            .try_fold(document, |value, step| match (step, value) {
                (Step::Member(name), Value::Object(map)) => map.get(name),
                (Step::Index(i), Value::Array(items)) => {
                    let i = if *i < 0 {
                        items
                            .len()
                            .checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?
                    } else {
                        usize::try_from(*i).ok()?
                    };
                    items.get(i)
                }
                _ => None,
            })
    }
}

/// A `.name` shorthand: RFC 9535's letters, digits and `_`, and `-` (common in keys, and never
/// ambiguous here).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The name quoted from `chars[open]` (the quote) to its closing quote, with JSON-style escapes,
/// and the index after the closing quote.
fn quoted_name(chars: &[char], open: usize, quote: char) -> Result<(String, usize), String> {
    let mut name = String::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(format!(
                    "unclosed quote at character {} (close it with {quote})",
                    open + 1
                ));
            }
            Some(&c) if c == quote => return Ok((name, i + 1)),
            Some('\\') => {
                let escaped = match chars.get(i + 1) {
                    Some('\\') => '\\',
                    Some('/') => '/',
                    Some('\'') => '\'',
                    Some('"') => '"',
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some('b') => '\u{8}',
                    Some('f') => '\u{c}',
                    Some('u') => {
                        let hex: String = chars.iter().skip(i + 2).take(4).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) if hex.len() == 4 => {
                                i += 4;
                                c
                            }
                            _ => {
                                return Err(format!(
                                    "invalid \\u escape at character {} (four hex digits of a \
                                     character expected)",
                                    i + 1
                                ));
                            }
                        }
                    }
                    _ => return Err(format!("invalid escape at character {}", i + 1)),
                };
                name.push(escaped);
                i += 2;
            }
            Some(&c) => {
                name.push(c);
                i += 1;
            }
        }
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A compiled selector.
#[derive(Debug, Clone)]
enum Compiled {
    Json(JsonPath),
    /// The regex and the capture group holding the value.
    Regex(Regex, Group),
}

#[derive(Debug, Clone)]
enum Group {
    Named(&'static str),
    First,
}

impl Group {
    fn describe(&self) -> String {
        match self {
            Group::Named(name) => format!("\"{name}\""),
            Group::First => "1".to_string(),
        }
    }
}

/// A capture group of this name holds the value when the regex has several.
const VALUE_GROUP: &str = "value";

/// One metric read from the output: its name, where it is, its unit and which way is better.
#[derive(Debug, Clone)]
pub struct MetricDefinition {
    name: String,
    selector: Selector,
    compiled: Compiled,
    unit: MetricUnit,
    better: Better,
}

/// Equal when written alike (the compiled form follows from the written one).
impl PartialEq for MetricDefinition {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.selector == other.selector
            && self.unit == other.unit
            && self.better == other.better
    }
}

impl MetricDefinition {
    /// Compiles a definition: an invalid name, JSON path or regex, a regex without a capture
    /// group, or a scale that is not finite and positive is refused here, before anything runs.
    pub fn new(
        name: &str,
        selector: Selector,
        unit: MetricUnit,
        better: Better,
    ) -> Result<MetricDefinition, DefinitionError> {
        if name.is_empty() {
            return Err(DefinitionError::EmptyName);
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(DefinitionError::InvalidName(name.to_string()));
        }
        if !(unit.scale.is_finite() && unit.scale > 0.0) {
            return Err(DefinitionError::InvalidScale { scale: unit.scale });
        }
        let compiled = match &selector {
            Selector::Json(path) => Compiled::Json(JsonPath::parse(path)?),
            Selector::Regex(pattern) => {
                let regex = compile_regex(pattern)?;
                let group = if regex.capture_names().flatten().any(|n| n == VALUE_GROUP) {
                    Group::Named(VALUE_GROUP)
                } else if regex.captures_len() > 1 {
                    Group::First
                } else {
                    return Err(DefinitionError::NoCaptureGroup {
                        pattern: pattern.clone(),
                    });
                };
                Compiled::Regex(regex, group)
            }
        };
        Ok(MetricDefinition {
            name: name.to_string(),
            selector,
            compiled,
            unit,
            better,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn selector(&self) -> &Selector {
        &self.selector
    }

    pub fn unit(&self) -> &MetricUnit {
        &self.unit
    }

    pub fn better(&self) -> Better {
        self.better
    }

    /// This metric's value in one run's standard output, in [`MetricDefinition::unit`].
    pub fn extract(&self, stdout: &str) -> Result<f64, OutputError> {
        self.read(&Output::new(stdout))
    }

    fn read(&self, output: &Output) -> Result<f64, OutputError> {
        self.value(output).map_err(|problem| OutputError::Metric {
            metric: self.name.clone(),
            problem,
        })
    }

    fn value(&self, output: &Output) -> Result<f64, Problem> {
        let (printed, shown) = match &self.compiled {
            Compiled::Json(path) => {
                let value = output.json()?;
                let found = path.find(value).ok_or_else(|| Problem::Missing {
                    path: path.to_string(),
                })?;
                match found.as_f64() {
                    Some(n) => (n, excerpt(&found.to_string())),
                    None => {
                        return Err(Problem::NotANumber {
                            path: path.to_string(),
                            found: excerpt(&found.to_string()),
                        });
                    }
                }
            }
            Compiled::Regex(regex, group) => {
                let text = output.text()?;
                // Only errors quote it.
                let pattern = || regex.as_str().to_string();
                let captures = regex
                    .captures(text)
                    .ok_or_else(|| Problem::NoMatch { pattern: pattern() })?;
                let matched = match group {
                    Group::Named(name) => captures.name(name),
                    Group::First => captures.get(1),
                };
                let Some(matched) = matched else {
                    return Err(Problem::GroupMissing {
                        pattern: pattern(),
                        group: group.describe(),
                        matched: excerpt(captures.get(0).map_or("", |m| m.as_str())),
                    });
                };
                let captured = matched.as_str().trim();
                match captured.parse::<f64>() {
                    Ok(n) if n.is_finite() => (n, excerpt(captured)),
                    _ => {
                        return Err(Problem::CapturedNotANumber {
                            pattern: pattern(),
                            captured: excerpt(matched.as_str()),
                        });
                    }
                }
            }
        };
        let value = printed * self.unit.scale;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Problem::OutOfRange {
                found: shown,
                unit: self.unit.unit.clone(),
            })
        }
    }
}

fn compile_regex(pattern: &str) -> Result<Regex, DefinitionError> {
    RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_BYTES)
        .build()
        .map_err(|e| DefinitionError::Regex {
            pattern: pattern.to_string(),
            reason: regex_reason(&e),
        })
}

/// A regex error on one line: a syntax error's own last line (`unclosed group`; the lines
/// before it repeat the pattern and point at the spot), or the size limit.
fn regex_reason(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("error: "))
            .map_or_else(|| text.replace('\n', " "), str::to_string),
        regex::Error::CompiledTooBig(limit) => {
            format!("it compiles to more than {limit} bytes (the limit; simplify it)")
        }
        other => other.to_string().replace('\n', " "),
    }
}

/// The value an output check demands.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Bool(bool),
    /// Compared as numbers: `1` equals `1.0`.
    Number(f64),
    String(String),
}

impl Expected {
    fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Expected::Bool(b), Value::Bool(v)) => b == v,
            (Expected::Number(n), Value::Number(v)) => v.as_f64() == Some(*n),
            (Expected::String(s), Value::String(v)) => s == v,
            _ => false,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Bool(b) => write!(f, "{b}"),
            Expected::Number(n) => write!(f, "{n}"),
            // As JSON writes it, like the value found.
            Expected::String(s) => f.write_str(&Value::String(s.clone()).to_string()),
        }
    }
}

/// `check = { json = "$.ok", equals = true }`: the output must hold this value at this path, or
/// the run counts as failed.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputCheck {
    path: JsonPath,
    equals: Expected,
}

impl OutputCheck {
    pub fn new(json: &str, equals: Expected) -> Result<OutputCheck, DefinitionError> {
        Ok(OutputCheck {
            path: JsonPath::parse(json)?,
            equals,
        })
    }

    pub fn path(&self) -> &JsonPath {
        &self.path
    }

    pub fn equals(&self) -> &Expected {
        &self.equals
    }

    /// `Ok` when one run's standard output passes the check; else why it fails.
    pub fn evaluate(&self, stdout: &str) -> Result<(), OutputError> {
        self.evaluate_parsed(&Output::new(stdout))
    }

    fn evaluate_parsed(&self, output: &Output) -> Result<(), OutputError> {
        let fail = |problem| OutputError::Check { problem };
        let document = output.json().map_err(fail)?;
        let found = self.path.find(document).ok_or_else(|| {
            fail(Problem::Missing {
                path: self.path.to_string(),
            })
        })?;
        if self.equals.matches(found) {
            Ok(())
        } else {
            Err(fail(Problem::NotEqual {
                path: self.path.to_string(),
                found: excerpt(&found.to_string()),
                expected: self.equals.to_string(),
            }))
        }
    }
}

/// A bench's output metrics and check, compiled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputSpec {
    pub metrics: Vec<MetricDefinition>,
    pub check: Option<OutputCheck>,
    /// Read the metrics and check from this file, which each run writes, instead of its stdout.
    /// Relative to the command's working directory. The runner removes it before every run, so
    /// a run that does not write it fails rather than passing with the previous run's figures.
    pub file: Option<PathBuf>,
}

impl OutputSpec {
    /// Nothing to read from the output (the runner need not keep it).
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty() && self.check.is_none()
    }

    /// Reads one run's standard output: the check first (output that says the run failed fails
    /// it whatever the metrics), then every metric, in [`OutputSpec::metrics`] order. The output
    /// is parsed as JSON at most once.
    pub fn read(&self, stdout: &str) -> Result<Vec<f64>, OutputError> {
        let output = Output::new(stdout);
        if let Some(check) = &self.check {
            check.evaluate_parsed(&output)?;
        }
        self.metrics.iter().map(|m| m.read(&output)).collect()
    }
}

/// One run's output, parsed as JSON when first needed.
struct Output<'t> {
    text: &'t str,
    json: OnceCell<Result<Value, Problem>>,
}

impl<'t> Output<'t> {
    fn new(text: &'t str) -> Output<'t> {
        Output {
            text,
            json: OnceCell::new(),
        }
    }

    fn text(&self) -> Result<&'t str, Problem> {
        if self.text.len() > MAX_OUTPUT_BYTES {
            Err(Problem::OutputTooLarge {
                len: self.text.len(),
                limit: MAX_OUTPUT_BYTES,
            })
        } else if self.text.trim().is_empty() {
            Err(Problem::EmptyOutput)
        } else {
            Ok(self.text)
        }
    }

    fn json(&self) -> Result<&Value, Problem> {
        self.json
            .get_or_init(|| {
                serde_json::from_str(self.text()?).map_err(|e| Problem::NotJson {
                    reason: e.to_string(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// `text` cut to [`EXCERPT_CHARS`] characters, marked when cut.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A path or pattern as the user wrote it in a TOML literal string (`'took (\d+) ms'`), or
/// escaped when it cannot be written that way (it holds a `'` or a control character).
fn quoted(text: &str) -> String {
    if text.contains('\'') || text.chars().any(char::is_control) {
        format!("{text:?}")
    } else {
        format!("'{text}'")
    }
}

#[cfg(test)]
mod tests;
