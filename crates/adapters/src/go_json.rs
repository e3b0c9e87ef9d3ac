//! `go test -json` (cmd/test2json): one JSON event per line,
//! `{"Time":"…","Action":"output","Package":"example.com/p","Test":"BenchmarkX","Output":"…"}`.
//!
//! The benchmark text is in the `Output` of the `output` events, cut anywhere: a result line's
//! name and its numbers usually come in two events. The fragments of each package are joined in
//! order and read by the Go text parser ([`crate::go`], which documents the mapping onto the
//! model), each package with a fresh configuration that starts as `pkg: <Package>` (its own
//! `pkg:` line, when the output has one, says the same). Names found in several packages are
//! qualified by package, as in the text format. A `fail` or `skip` event of a benchmark (`Test`
//! starting with `Benchmark`) gives it that status if its output did not already.
//!
//! - Errors in the text point at the JSON line (the event) where the offending output line
//!   started, and name the package.
//! - A line that starts with `{` must be a JSON event (an error names the line, the JSON path and
//!   column otherwise); blank lines are skipped. Lines that are not JSON at all come from
//!   `go test -json ./... 2>&1`, which mixes the compiler's messages for a package that does not
//!   build into the stream: they are ignored, and counted in
//!   `Context.tags["go-json.non_json_lines"]` with the first of them; a `FAIL\t<pkg> [build
//!   failed]` line among them is kept as `Context.tags["go.package.<pkg>"]`, like the summary
//!   line of a package that ran.
//! - `Time` of the first and last events → `Context.started_at` / `ended_at`.

use std::collections::HashMap;

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::go::{Pos, Reader, TextError};
use crate::{Location, ParseError, Parsed};

/// Whether `head` looks like `go test -json` output: the first line that starts with `{` (lines
/// of compiler output may come before it) is an event with an `"Action"`, and no Go benchmark
/// text line comes before it.
pub fn sniff(head: &[u8]) -> bool {
    for line in head.split(|&b| b == b'\n') {
        let t = line.trim_ascii_start();
        if t.starts_with(b"{") {
            return memchr::memmem::find(t, b"\"Action\":").is_some();
        }
        if t.starts_with(b"Benchmark") {
            return false;
        }
    }
    false
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "Time")]
    time: Option<String>,
    #[serde(rename = "Action")]
    action: String,
    #[serde(rename = "Package")]
    package: Option<String>,
    #[serde(rename = "Test")]
    test: Option<String>,
    #[serde(rename = "Output")]
    output: Option<String>,
}

/// The joined output of one package and where each fragment came from.
#[derive(Debug, Default)]
struct PackageText {
    name: String,
    text: String,
    /// (offset in `text`, JSON line) of each fragment, in order.
    fragments: Vec<(usize, usize)>,
}

/// A `fail`/`skip` event of a benchmark.
#[derive(Debug)]
struct StatusEvent {
    package: usize,
    name: String,
    failed: bool,
    line: usize,
}

/// Parses a whole `go test -json` stream.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let mut packages: Vec<PackageText> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut statuses: Vec<StatusEvent> = Vec::new();
    let mut events = 0usize;
    let mut non_json = 0usize;
    let mut first_non_json: Option<(usize, String)> = None;
    let mut build_failures: Vec<(String, String)> = Vec::new();
    let mut started: Option<OffsetDateTime> = None;
    let mut ended: Option<OffsetDateTime> = None;

    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let line = raw.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(b"{") {
            non_json += 1;
            let text = String::from_utf8_lossy(line);
            if first_non_json.is_none() {
                first_non_json = Some((line_no, text.chars().take(200).collect()));
            }
            if let Some(rest) = text.strip_prefix("FAIL\t") {
                let pkg = rest.split([' ', '\t']).next().unwrap_or(rest);
                build_failures.push((pkg.to_string(), text.to_string()));
            }
            continue;
        }
        let event: Event = crate::json::from_slice(line).map_err(|e| at_line(e, line_no))?;
        events += 1;
        if let Some(t) = &event.time {
            let t = OffsetDateTime::parse(t, &Rfc3339).map_err(|_| {
                ParseError::json(
                    "$.Time",
                    line_no,
                    column_of(raw, b"\"Time\""),
                    format!("expected an RFC 3339 time, found \"{t}\""),
                )
            })?;
            started = Some(started.map_or(t, |s| s.min(t)));
            ended = Some(ended.map_or(t, |e| e.max(t)));
        }
        let package = event.package.unwrap_or_default();
        let p = match by_name.get(&package) {
            Some(&p) => p,
            None => {
                by_name.insert(package.clone(), packages.len());
                packages.push(PackageText {
                    name: package,
                    ..PackageText::default()
                });
                packages.len() - 1
            }
        };
        match event.action.as_str() {
            "output" => {
                if let (Some(out), Some(pkg)) = (event.output, packages.get_mut(p)) {
                    pkg.fragments.push((pkg.text.len(), line_no));
                    pkg.text.push_str(&out);
                }
            }
            action @ ("fail" | "skip") => {
                if let Some(name) = event
                    .test
                    .as_deref()
                    .and_then(|t| t.strip_prefix("Benchmark"))
                {
                    statuses.push(StatusEvent {
                        package: p,
                        name: name.to_string(),
                        failed: action == "fail",
                        line: line_no,
                    });
                }
            }
            _ => {}
        }
    }
    if events == 0 {
        return Err(ParseError::input(format!(
            "no JSON events found; expected {}",
            crate::Format::GoJson.expected()
        )));
    }

    let mut reader = Reader::new();
    for (chunk, pkg) in packages.iter().enumerate() {
        reader
            .feed(chunk, pkg.text.as_bytes(), Some(pkg.name.as_str()))
            .map_err(|e| text_error(e, &packages))?;
    }
    for s in &statuses {
        if let Some(pkg) = packages.get(s.package) {
            let pos = Pos {
                chunk: usize::MAX,
                line: s.line,
                offset: 0,
            };
            reader.event_status(&pkg.name, &s.name, s.failed, pos);
        }
    }
    if reader.is_empty() {
        return Err(ParseError::input(format!(
            "the Output of the {events} events holds no benchmark results (was -bench given?); \
             expected {}",
            crate::Format::GoJson.expected()
        )));
    }
    let mut parsed = reader.finish().map_err(|e| text_error(e, &packages))?;
    let context = &mut parsed.context;
    context.started_at = started;
    context.ended_at = ended;
    if let Some((line, text)) = first_non_json {
        context.tags.insert(
            "go-json.non_json_lines".into(),
            format!("{non_json} line(s) that are not JSON events, ignored; the first, line {line}: {text}"),
        );
    }
    for (pkg, line) in build_failures {
        context
            .tags
            .entry(format!("go.package.{pkg}"))
            .or_insert(line);
    }
    Ok(parsed)
}

/// An error of the JSON text of one line, at that line of the stream. A path ending in an
/// object key not read yet (`$.?`, the line ends inside the event) names the object instead.
fn at_line(mut e: ParseError, line_no: usize) -> ParseError {
    if let Location::Json { line, path, .. } = &mut e.location {
        *line = line_no;
        if let Some(parent) = path.strip_suffix(".?") {
            *path = parent.to_string();
        }
    }
    e
}

/// An error of the Go text parser, at the event where the offending output line started.
fn text_error(e: TextError, packages: &[PackageText]) -> ParseError {
    if e.pos.chunk == usize::MAX {
        return ParseError::line(e.pos.line, e.message);
    }
    let Some(pkg) = packages.get(e.pos.chunk) else {
        return ParseError::line(0, e.message);
    };
    let i = pkg
        .fragments
        .partition_point(|&(offset, _)| offset <= e.pos.offset);
    let line = pkg
        .fragments
        .get(i.saturating_sub(1))
        .map_or(0, |&(_, line)| line);
    let package = if pkg.name.is_empty() {
        "(none)"
    } else {
        &pkg.name
    };
    ParseError::line(
        line,
        format!(
            "{} (in the Output of package {package}, its line {})",
            e.message, e.pos.line
        ),
    )
}

/// The 1-based column where `needle` starts in `line` (1 when it is not there).
fn column_of(line: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find(line, needle).map_or(1, |i| i + 1)
}
